"""Settings read from the environment in the forms the README documents."""

import httpx
import pytest

from app.main import create_app
from app.settings import Settings


@pytest.mark.parametrize(("value", "expected"), [
    ("https://a.example,https://b.example", ["https://a.example", "https://b.example"]),
    (" https://a.example , ", ["https://a.example"]),
    ('["https://a.example", "https://b.example"]', ["https://a.example", "https://b.example"]),
    ("", []),
])
def test_cors_origins_comma_separated_or_json(monkeypatch, value, expected) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CORS_ORIGINS", value)
    assert Settings().cors_origins == expected


async def test_cors_answers_the_configured_origin_only(monkeypatch, database_url) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example,https://b.example")
    app = create_app(Settings(database_url=database_url))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        preflight = {"Access-Control-Request-Method": "GET"}
        allowed = await http.options("/healthz", headers={"Origin": "https://b.example", **preflight})
        refused = await http.options("/healthz", headers={"Origin": "https://evil.example", **preflight})
    assert allowed.headers["access-control-allow-origin"] == "https://b.example"
    assert "access-control-allow-origin" not in refused.headers
