"""Health probes, problem+json for every kind of error, request ids and the body size limit."""

import pytest
from fastapi import APIRouter

from app.models.enums import Role
from tests.factories import bearer, make_token


async def test_healthz_and_readyz_are_public(client) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


async def test_unknown_path_is_problem_json(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["instance"] == "/api/v1/nothing-here"


async def test_wrong_method_is_problem_json(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.delete("/api/v1/plans")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


async def test_bad_query_names_the_field(client, db) -> None:  # type: ignore[no-untyped-def]
    token = await make_token(db, Role.reader)
    response = await client.get("/api/v1/plans?limit=0&offset=-1", headers=bearer(token))
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"limit", "offset"}


async def test_unexpected_error_is_masked_and_logged_with_request_id(app, client, caplog) -> None:  # type: ignore[no-untyped-def]
    boom = APIRouter()

    @boom.get("/boom")
    async def explode() -> None:
        raise RuntimeError("secret internals")

    app.include_router(boom)
    response = await client.get("/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in response.text
    assert response.json()["request_id"] == "req-42"
    assert any("req-42" in record.getMessage() for record in caplog.records)


async def test_every_response_carries_a_request_id(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/healthz")
    assert len(response.headers["x-request-id"]) == 32


async def test_oversized_body_is_refused_with_413(client, db) -> None:  # type: ignore[no-untyped-def]
    token = await make_token(db, Role.admin)
    payload = {"code": "x1", "committee_code": "110105", "name": "名" * 150_000}
    response = await client.post("/api/v1/units", json=payload, headers=bearer(token))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_malformed_json_is_422(client, db) -> None:  # type: ignore[no-untyped-def]
    token = await make_token(db, Role.admin)
    response = await client.post("/api/v1/units", content=b"{not json", headers={
        **bearer(token), "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "body"
    assert response.json()["errors"][0]["reason"].startswith("不是有效的 JSON")


@pytest.mark.parametrize("path", [
    "/api/v1/submissions/9223372036854775808",
    "/api/v1/submissions/1/revisions/2147483648",
    "/api/v1/submissions/1/diff?from=1&to=99999999999",
    "/api/v1/plans/xicheng-2021-2025/cycles/9223372036854775808/annual",
    "/api/v1/plans?offset=9223372036854775808",
    "/api/v1/committees?offset=2147483648",
    "/api/v1/status/changes?since=99999999999",
    "/api/v1/status/changes?since=%EF%BC%91",  # a full-width digit is not a cursor
])
async def test_numbers_too_large_for_the_database_are_422(client, db, path) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(path, headers=bearer(await make_token(db, Role.admin)))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
