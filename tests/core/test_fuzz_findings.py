"""What schemathesis (`make fuzz`) found, one regression test each."""

from app.main import create_app
from app.models.enums import Role
from app.plans.targets import MAX_CLAUSE_CHARS, parse_targets
from tests.factories import bearer, make_token


async def test_a_long_clause_is_not_parsed(client, db) -> None:  # type: ignore[no-untyped-def]
    # The parser's forms cost the square of the clause: 5000 characters without a comma took 5–8 s of CPU on the
    # event loop (and held SQLite's write lock), so concurrent requests timed out. A clause longer than any plan's
    # (MAX_CLAUSE_CHARS) is skipped, which bounds the work whatever the machine's speed.
    headers = bearer(await make_token(db, Role.reader))
    for text in ("0" * 5000, "人率" * 2500, "一" * 5000):
        assert len(text) > MAX_CLAUSE_CHARS
        response = await client.post("/api/v1/targets/parse", headers=headers, json={"text": text})
        assert response.status_code == 200 and response.json() == {"targets": []}
    clause = "孕产妇死亡率控制在7/10万以下" + "，" + "加强" * MAX_CLAUSE_CHARS
    assert [t.metric for t in parse_targets(clause)] == ["孕产妇死亡率"]  # the other clauses still count


def test_every_status_the_service_answers_is_declared() -> None:
    paths = create_app().openapi()["paths"]

    def statuses(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    # every authenticated operation: bad or missing token, wrong role, database down
    for path, operations in paths.items():
        for method, operation in operations.items():
            if path.startswith("/api/"):
                assert {"401", "403", "503"} <= set(operation["responses"]), (method, path)
                assert operation["responses"]["503"]["headers"]["Retry-After"]["required"], (method, path)
                assert operation["responses"]["401"]["headers"]["WWW-Authenticate"]["required"], (method, path)
            # the request guard, on every path: unstorable text anywhere in the request, a body over the limit
            assert {"413", "422"} <= set(operation["responses"]), (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
    assert statuses("/readyz", "get") == {"200", "413", "422", "503"}
    assert statuses("/healthz", "get") == {"200", "413", "422"}
    assert "404" in statuses("/api/v1/status/changes", "get")  # ?plan= names a plan
    assert "404" not in statuses("/api/v1/plans", "get")
    for path, method in (("/api/v1/units", "post"), ("/api/v1/plans/{plan_code}/assignments", "post"),
                         ("/api/v1/plans/{plan_code}/assignments/{assignment_id}", "patch"),
                         ("/api/v1/plans/{plan_code}/cycles", "post"),
                         ("/api/v1/plans/{plan_code}/cycles/{year}/{kind}/reopen-for-unit", "post"),
                         ("/api/v1/plans/import", "post"), ("/api/v1/plans/{plan_code}/submissions", "post"),
                         ("/api/v1/submissions/{submission_id}", "put")):
        assert "409" in statuses(path, method), (method, path)
    assert "428" in statuses("/api/v1/submissions/{submission_id}", "put")
    assert "304" in statuses("/api/v1/plans/{plan_code}/status", "get")


async def test_a_body_that_is_not_utf8_is_a_declared_problem(client, db) -> None:  # type: ignore[no-untyped-def]
    # It was a 400 that no operation declared; it is now a 422 like any other unreadable body.
    headers = {**bearer(await make_token(db, Role.admin)), "Content-Type": "application/json"}
    response = await client.post("/api/v1/targets/parse", headers=headers, content=b'{"text": "\xff\xfe"}')
    assert str(response.status_code) in create_app().openapi()["paths"]["/api/v1/targets/parse"]["post"]["responses"]
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"


async def test_an_unknown_plan_in_the_feed_is_a_declared_404(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.reader))
    response = await client.get("/api/v1/status/changes", params={"plan": "no-such-plan"}, headers=headers)
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


async def test_a_duplicate_unit_is_a_declared_409(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.admin))
    unit = {"code": "110105-fuzz", "committee_code": "110105", "name": "区测试局"}
    assert (await client.post("/api/v1/units", headers=headers, json=unit)).status_code == 201
    response = await client.post("/api/v1/units", headers=headers, json=unit)
    assert response.status_code == 409 and response.headers["content-type"] == "application/problem+json"
