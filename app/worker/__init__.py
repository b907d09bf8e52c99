"""The worker process (`python -m app worker`): date-driven jobs and webhook delivery; no GET ever writes."""
