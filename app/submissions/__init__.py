"""Member units' self-assessments: values, task progress, narrative; revisions, review and idempotent POSTs."""
