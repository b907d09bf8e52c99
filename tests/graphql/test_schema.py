"""The exported SDL, the document limits, and the GraphiQL / introspection settings."""

import httpx
import pytest

from app.graphql.schema import MAX_ALIASES, schema_sdl
from app.main import create_app
from app.settings import PROJECT_ROOT, Settings
from tests.graphql.conftest import codes, gql


def test_exported_sdl_is_current() -> None:
    exported = (PROJECT_ROOT / "schemas" / "schema.graphql").read_text(encoding="utf-8")
    assert exported == schema_sdl(), "schemas/schema.graphql is stale: run `make schemas`"


async def test_too_deep_documents_are_refused(client, world) -> None:  # type: ignore[no-untyped-def]
    deep = ('{ plan(code: "chaoyang-2021-2025") { cycle(year: 2024) { completeness { cycle { completeness { cycle '
            '{ completeness { cycle { completeness { cycle { completeness { cycle { year } } } } } } } } } } } } }')
    body = await gql(client, deep, headers=world.admin)
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"] and "depth" in body["errors"][0]["message"]


async def test_too_many_aliases_or_tokens_are_refused(client, world) -> None:  # type: ignore[no-untyped-def]
    aliases = "{ " + " ".join(f"a{i}: me {{ role }}" for i in range(MAX_ALIASES + 1)) + " }"
    body = await gql(client, aliases, headers=world.admin)
    assert body["data"] is None and "aliases" in body["errors"][0]["message"]
    huge = "{ me { " + " ".join(["role"] * 4000) + " } }"
    body = await gql(client, huge, headers=world.admin)
    assert body["data"] is None and "token" in body["errors"][0]["message"].lower()


@pytest.fixture
def configured(database_url, sessionmaker):  # type: ignore[no-untyped-def]
    def make(**settings: object) -> httpx.AsyncClient:
        app = create_app(Settings(database_url=database_url, **settings))  # type: ignore[arg-type]
        app.state.sessionmaker = sessionmaker
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")

    return make


async def test_introspection_can_be_disabled(configured, world) -> None:  # type: ignore[no-untyped-def]
    async with configured(graphql_introspection=False) as client:
        body = await gql(client, "{ __schema { types { name } } }", headers=world.reader)
        assert body["data"] is None and "introspection" in body["errors"][0]["message"].lower()
        assert (await gql(client, "{ me { role } }", headers=world.reader))["data"] == {"me": {"role": "reader"}}


async def test_graphiql_only_when_enabled(configured) -> None:  # type: ignore[no-untyped-def]
    async with configured() as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
    async with configured(graphql_graphiql=False) as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 404
