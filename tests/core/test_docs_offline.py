"""/docs, /redoc and GraphiQL load every asset from the service (no CDN) and carry no inline script."""

import base64
import hashlib
import re
from html.parser import HTMLParser

import httpx
import pytest

from app.docs import STATIC_DIR
from app.graphql.ide import ASSETS
from app.main import create_app
from app.settings import Settings

PAGES = {"/docs": "swagger-ui-bundle.js", "/redoc": "redoc.standalone.js", "/graphql": "graphiql/graphiql.min.js"}


class References(HTMLParser):
    """Every URL a page makes the browser load, and the text of its script elements."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "spec-url", "data-openapi-url"):
            if values.get(name):
                self.urls.append(values[name] or "")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


async def page(client: httpx.AsyncClient, path: str) -> References:
    response = await client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?://", response.text), "the page names another host"
    references = References()
    references.feed(response.text)
    return references


@pytest.mark.parametrize("path", list(PAGES))
async def test_pages_load_only_local_assets(client, path: str) -> None:  # type: ignore[no-untyped-def]
    references = await page(client, path)
    assert f"/static/{PAGES[path]}" in references.urls
    assert references.inline_scripts == []
    for url in references.urls:
        assert url.startswith("/"), url
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.content, url


async def test_asset_types(client) -> None:  # type: ignore[no-untyped-def]
    for url, kind in [("/static/swagger-ui.css", "text/css"), ("/static/graphiql/graphiql.min.css", "text/css"),
                      ("/static/graphiql-init.js", "javascript"), ("/static/redoc.standalone.js", "javascript"),
                      ("/static/favicon.png", "image/png")]:
        assert kind in (await client.get(url)).headers["content-type"], url


async def test_missing_asset_is_problem_json(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/static/nothing.js")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_vendored_graphiql_files_match_their_integrity_digests() -> None:
    for path, digest in ASSETS.values():
        content = (STATIC_DIR / path).read_bytes()
        assert digest == "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode(), path


async def test_pages_under_a_root_path(app) -> None:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, root_path="/fuer")
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for path in PAGES:
            references = await page(client, "/fuer" + path)
            assert references.urls and all(url.startswith("/fuer/") for url in references.urls), references.urls


async def test_graphiql_switched_off_serves_no_page(database_url: str, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(database_url=database_url, graphql_graphiql=False))
    app.state.sessionmaker = sessionmaker
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/graphql", headers={"Accept": "text/html"})
        assert not response.headers.get("content-type", "").startswith("text/html")
        assert (await client.get("/docs")).status_code == 200
