"""Security headers: nosniff everywhere, no-store for authenticated answers, a Content-Security-Policy."""

import pytest
from fastapi import APIRouter, Response

from app.middleware import DATA_CSP, HTML_CSP
from app.models.enums import Role
from tests.factories import bearer, make_token

HTML_PAGES = ["/docs", "/redoc", "/graphql"]


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


async def test_nosniff_on_every_kind_of_response(client, db) -> None:  # type: ignore[no-untyped-def]
    token = await make_token(db, Role.admin)
    responses = [
        await client.get("/healthz"),
        await client.get("/api/v1/plans", headers=bearer(token)),
        await client.get("/api/v1/plans"),  # 401
        await client.get("/api/v1/nothing-here"),  # 404
        await client.post("/api/v1/units", content=b"x" * 300_000, headers=bearer(token)),  # 413
        await client.get("/static/swagger-init.js"),
        await client.get("/openapi.json"),
        await client.get("/docs"),
        await client.post("/graphql", json={"query": "{ __typename }"}),
    ]
    assert [r.status_code for r in responses] == [200, 200, 401, 404, 413, 200, 200, 200, 200]
    assert all(r.headers["x-content-type-options"] == "nosniff" for r in responses)
    assert all(r.headers.get_list("x-content-type-options") == ["nosniff"] for r in responses)


async def test_unexpected_errors_get_the_headers_too(app, client) -> None:  # type: ignore[no-untyped-def]
    boom = APIRouter()

    @boom.get("/boom")
    async def explode() -> None:
        raise RuntimeError("secret internals")

    app.include_router(boom)
    response = await client.get("/boom", headers={"Authorization": "Bearer whatever"})
    assert response.status_code == 500
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-security-policy"] == DATA_CSP


async def test_authenticated_answers_are_not_stored(client, db) -> None:  # type: ignore[no-untyped-def]
    token = await make_token(db, Role.reader)
    for response in [await client.get("/api/v1/plans", headers=bearer(token)),
                     await client.get("/api/v1/plans/chaoyang-2021-2025", headers=bearer(token)),
                     await client.get("/api/v1/plans", headers=bearer("fep_not-a-token")),  # 401, still no-store
                     await client.post("/graphql", json={"query": "{ plans { total } }"}, headers=bearer(token))]:
        assert response.headers["cache-control"] == "no-store", response.url
    assert "cache-control" not in (await client.get("/healthz")).headers


async def test_status_reads_keep_their_revalidation_and_304(client, db) -> None:  # type: ignore[no-untyped-def]
    """The status routes choose `no-cache` with a strong ETag: the middleware leaves that alone."""
    headers = bearer(await make_token(db, Role.reader))
    url = "/api/v1/plans/chaoyang-2021-2025/status"
    first = await client.get(url, params={"year": 2024}, headers=headers)
    assert first.status_code == 200
    assert first.headers.get_list("cache-control") == ["no-cache"]
    etag = first.headers["etag"]
    again = await client.get(url, params={"year": 2024}, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers.get_list("cache-control") == ["no-cache"]
    assert again.headers["x-content-type-options"] == "nosniff"


async def test_a_route_may_set_its_own_cache_control_and_policy(app, client) -> None:  # type: ignore[no-untyped-def]
    own = APIRouter()

    @own.get("/own-headers")
    async def own_headers() -> Response:
        return Response("x", headers={"Cache-Control": "private, max-age=60", "Content-Security-Policy": "sandbox"})

    app.include_router(own)
    response = await client.get("/own-headers", headers={"Authorization": "Bearer x"})
    assert response.headers.get_list("cache-control") == ["private, max-age=60"]
    assert response.headers.get_list("content-security-policy") == ["sandbox"]


@pytest.mark.parametrize("path", HTML_PAGES)
async def test_html_pages_get_the_docs_policy(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert policy["object-src"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]


async def test_data_gets_a_policy_that_allows_nothing(client) -> None:  # type: ignore[no-untyped-def]
    for response in [await client.get("/healthz"), await client.get("/openapi.json"),
                     await client.get("/static/graphiql-init.js"), await client.get("/api/v1/plans")]:
        assert response.headers["content-security-policy"] == DATA_CSP


def test_no_policy_allows_another_host_or_inline_scripts() -> None:
    for policy in (HTML_CSP, DATA_CSP):
        parsed = directives(policy)
        assert parsed["frame-ancestors"] == ["'none'"]
        for values in parsed.values():
            assert all(value.startswith("'") or value in {"data:", "blob:"} for value in values), values
    assert "'unsafe-inline'" not in directives(HTML_CSP)["script-src"]
