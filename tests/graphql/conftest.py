"""GraphQL test helpers; the submission world (units, assignments, cycles, tokens) is shared with REST's tests."""

from typing import Any

import httpx

from tests.submissions.conftest import world  # noqa: F401  (the fixture)


async def gql(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> dict[str, Any]:
    """POST a document to /graphql; GraphQL answers 200 even when the body carries errors."""
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}},
                                 headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]
