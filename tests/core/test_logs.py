"""No log line carries a token: the access line has no query string, and a filter masks anything token-shaped."""

import io
import logging

import pytest

from app.core.logs import MaskSecrets, configure_logging, mask_secrets
from app.models.enums import Role
from tests.factories import bearer, make_token


@pytest.mark.parametrize(("line", "expected"), [
    ("GET /x?token=fep_AbC-123_xyz 401", "GET /x?token=fep_*** 401"),
    ("header Authorization: Bearer abc.def-ghi", "header Authorization: Bearer ***"),
    ("webhook secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw+/= set", "webhook secret whsec_*** set"),
    ("nothing to hide", "nothing to hide"),
])
def test_token_like_strings_are_masked(line, expected) -> None:  # type: ignore[no-untyped-def]
    assert mask_secrets(line) == expected


def test_the_filter_masks_arguments_too() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskSecrets())
    logger = logging.getLogger("tests.logs")
    logger.addHandler(handler)
    try:
        logger.warning("token %s used", "fep_secretsecret")
    finally:
        logger.removeHandler(handler)
    assert "secretsecret" not in stream.getvalue() and "fep_***" in stream.getvalue()


def test_configured_handlers_mask_secrets() -> None:
    configure_logging("INFO")
    assert all(any(isinstance(f, MaskSecrets) for f in h.filters) for h in logging.getLogger().handlers)


async def test_one_access_line_per_request_without_the_query(client, db, caplog) -> None:  # type: ignore[no-untyped-def]
    token = await make_token(db, Role.reader)
    with caplog.at_level(logging.INFO):
        await client.get(f"/api/v1/plans?access_token={token}", headers=bearer(token))
    access = [r.getMessage() for r in caplog.records if r.name == "app.access"]
    assert len(access) == 1 and access[0].startswith("GET /api/v1/plans 200")
    assert not [r for r in caplog.records if token in r.getMessage()]
