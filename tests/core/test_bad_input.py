"""Bad input anywhere in a request is a 4xx naming the field; an outage is a 503; no 5xx breaks the connection."""

import socket
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import APIRouter
from sqlalchemy import func, select

from app.db import create_engine, make_sessionmaker
from app.main import create_app
from app.models import Unit
from app.models.enums import Role
from app.settings import Settings
from tests.factories import bearer, make_token

PLAN = "chaoyang-2021-2025"


async def unit_count(db) -> int:  # type: ignore[no-untyped-def]
    return (await db.execute(select(func.count()).select_from(Unit))).scalar_one()


@pytest.mark.parametrize(("method", "url", "field"), [
    ("GET", "/api/v1/plans?q=a%00b", "q"),
    ("GET", "/api/v1/plans?%00=1", "query"),
    ("GET", f"/api/v1/plans/{PLAN}/goals?domain=W1&unit=x%00", "unit"),
    ("GET", "/api/v1/plans/chaoyang%00-2021-2025", "path"),
    ("GET", f"/api/v1/plans/{PLAN}/goals/W1.2%00", "path"),
    ("POST", "/api/v1/units?x=%00", "x"),
])
async def test_nul_in_the_url_is_422_naming_the_field(client, db, method, url, field) -> None:  # type: ignore[no-untyped-def]
    before = await unit_count(db)
    response = await client.request(method, url, headers=bearer(await make_token(db, Role.admin)),
                                    json={"code": "nul-1", "committee_code": "110105", "name": "单位"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field
    assert await unit_count(db) == before


async def test_nul_in_a_header_is_422_naming_the_header(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = {**bearer(await make_token(db, Role.admin)), "Idempotency-Key": "key\x00"}
    response = await client.post(f"/api/v1/plans/{PLAN}/submissions", headers=headers, json={"year": 2024})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


@pytest.mark.parametrize("body", [
    '{"code": "nul-2", "committee_code": "110105", "name": "区\\u0000卫健委"}',
    '{"code": "nul-2", "committee_code": "110105", "name": "\\ud800"}',
    '{"code": "nul-2", "committee_code": "110105", "name": "ok", "\\u0000": 1}',
])
async def test_unstorable_text_in_a_json_body_is_422_and_nothing_stored(client, db, body) -> None:  # type: ignore[no-untyped-def]
    before = await unit_count(db)
    response = await client.post("/api/v1/units", content=body.encode(), headers={
        **bearer(await make_token(db, Role.admin)), "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] in {"name", "\x00"}
    assert await unit_count(db) == before


async def test_nul_in_graphql_variables_is_refused_naming_the_variable(client, db) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/graphql", headers=bearer(await make_token(db, Role.admin)), json={
        "query": "query($q: String) { plans(q: $q) { total } }", "variables": {"q": "朝阳\u0000"}})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["errors"][0]["field"] == "variables.q"


@pytest.mark.parametrize(("field", "body"), [
    ("value", '{"values": [{"target": "C1.4a", "value": NaN}]}'),
    ("value", '{"values": [{"target": "C1.4a", "value": Infinity}]}'),
])
async def test_non_finite_numbers_in_json_are_422(client, db, field, body) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(f"/api/v1/plans/{PLAN}/submissions", content=body.encode(), headers={
        **bearer(await make_token(db, Role.admin)), "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == f"values[0].{field}"


async def test_a_chunked_body_over_the_limit_is_413(client, db) -> None:  # type: ignore[no-untyped-def]
    async def ten_megabytes() -> AsyncIterator[bytes]:
        yield b'{"code": "big", "committee_code": "110105", "name": "'
        for _ in range(160):
            yield b"x" * 65536
        yield b'"}'

    before = await unit_count(db)
    response = await client.post("/api/v1/units", content=ten_megabytes(), headers={
        **bearer(await make_token(db, Role.admin)), "Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await unit_count(db) == before


@pytest.mark.parametrize(("field", "payload"), [
    ("dry_run", {"text": "x", "source_file": "x.txt", "dry_run": "false"}),
    ("dry_run", {"text": "x", "source_file": "x.txt", "dry_run": 0}),
    ("text", {"text": 12, "source_file": "x.txt"}),
])
async def test_plan_import_takes_strict_json_types(client, db, field, payload) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/plans/import", json=payload, headers=bearer(await make_token(db, Role.admin)))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


# --- the database down, and what the client's connection sees ---------------------------------------------------

def unreachable_database_url(tmp_path: Path, backend: str) -> str:
    if backend == "postgresql":
        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return f"postgresql://postgres@127.0.0.1:{port}/none"
    return f"sqlite+aiosqlite:///{tmp_path}"  # a directory: SQLite cannot open it


@pytest.fixture
def down_app(tmp_path, databases):  # type: ignore[no-untyped-def]
    url = unreachable_database_url(tmp_path, databases.backend)
    application = create_app(Settings(database_url=url))
    application.state.sessionmaker = make_sessionmaker(create_engine(Settings(database_url=url).database_url))
    return application


async def test_database_down_is_503_with_retry_after(down_app) -> None:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=down_app)  # raises if the app lets an exception escape
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        for path in ("/api/v1/plans", "/readyz"):
            response = await http.get(path, headers={"Authorization": "Bearer fep_whatever"})
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert int(response.headers["retry-after"]) > 0
        graphql = await http.post("/graphql", headers={"Authorization": "Bearer fep_x"},
                                  json={"query": "{ plans { total } }"})
        assert graphql.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"


@pytest.fixture
def served(down_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app behind a real uvicorn server on a free port, with a route that fails the way a bug does."""
    boom = APIRouter()

    @boom.get("/boom")
    async def explode() -> None:
        raise RuntimeError("secret internals")

    down_app.include_router(boom)
    config = uvicorn.Config(down_app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_5xx_answers_keep_the_connection_usable(served) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=served) as http:
        answers = [http.get(path, headers={"Authorization": "Bearer fep_x"}).status_code
                   for _ in range(10) for path in ("/boom", "/api/v1/plans")]
        pool = http._transport._pool  # type: ignore[attr-defined]
        connections = len(pool.connections)
    assert answers == [500, 503] * 10
    assert connections == 1  # every request went over the same keep-alive connection


def test_an_unexpected_error_does_not_leak_internals(served) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(f"{served}/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert response.headers["content-type"] == "application/problem+json"



@pytest.mark.parametrize("content_type", [None, "text/plain", "application/merge-patch+json"])
async def test_unstorable_text_is_found_whatever_the_content_type(client, db, content_type) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.admin))
    if content_type:
        headers["Content-Type"] = content_type
    body = b'{"code": "nul-3", "committee_code": "110105", "name": "\\u0000"}'
    before = await unit_count(db)
    response = await client.post("/api/v1/units", content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert await unit_count(db) == before


@pytest.mark.parametrize(("body", "reason"), [
    (b'{"code": "x1", "committee_code": "110105", "name": "\xff\xfe"}', "UTF-8"),
    (b"[" * 50_000 + b"]" * 50_000, "嵌套层数过多"),
])
async def test_an_unreadable_body_is_422_naming_the_body(client, db, body, reason) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/units", content=body, headers={
        **bearer(await make_token(db, Role.admin)), "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["field"] == "body" and reason in error["reason"]
