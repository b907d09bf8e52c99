"""Import tests share the submission world (units, assignments, cycles, tokens) with REST's tests."""

from tests.submissions.conftest import world  # noqa: F401  (the fixture)
