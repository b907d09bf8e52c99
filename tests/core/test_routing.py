"""A literal path is never taken by a parameter route: `/plans/import` is not the plan coded "import"."""

import re

from app.main import create_app
from app.models.enums import Role
from tests.factories import bearer, make_token

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


async def test_options_and_get_on_plans_import_reach_the_import_route(client, db) -> None:  # type: ignore[no-untyped-def]
    token = await make_token(db, Role.admin)
    for method in ("OPTIONS", "GET", "PUT"):
        response = await client.request(method, "/api/v1/plans/import", headers=bearer(token))
        assert response.status_code == 405, (method, response.text)
        assert response.headers["allow"] == "POST", method  # was GET: the route of /plans/{plan_code}
        assert response.headers["content-type"] == "application/problem+json"


async def test_a_plan_code_only_starting_like_a_literal_is_still_a_plan_code(client, db) -> None:  # type: ignore[no-untyped-def]
    token = await make_token(db, Role.reader)
    assert (await client.get("/api/v1/plans/chaoyang-2021-2025", headers=bearer(token))).status_code == 200
    response = await client.get("/api/v1/plans/imports", headers=bearer(token))
    assert response.status_code == 404 and "imports" in response.json()["detail"]


async def test_no_documented_path_is_shadowed_by_another_route(client) -> None:  # type: ignore[no-untyped-def]
    """Every method a path does not document gets 405 with an Allow of that path's own methods, before any auth:
    a parameter route that swallowed the path would answer 401 or 404, or allow other methods."""
    for path, operations in create_app().openapi()["paths"].items():
        documented = {method.upper() for method in operations}
        concrete = re.sub(r"{[^}]+}", "1", path)
        for method in set(METHODS) - documented:
            response = await client.request(method, concrete)
            assert response.status_code == 405, (method, path, response.status_code)
            allowed = {value.strip() for value in response.headers["allow"].split(",")}
            assert allowed <= documented | {"HEAD"}, (method, path, allowed)
