"""Plan tests that need member units and their submissions share the submission world."""

from tests.submissions.conftest import world  # noqa: F401  (the fixture)
