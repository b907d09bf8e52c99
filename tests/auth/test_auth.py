"""Who may call what: every endpoint class against every role, and the token lifecycle."""

import pytest
from sqlalchemy import select

from app.auth.actor import CLI_ACTOR
from app.auth.service import list_tokens, revoke_token
from app.auth.tokens import hash_token
from app.core.labels import role_label
from app.models import ApiToken
from app.models.enums import Role
from tests.factories import bearer, make_token, make_unit

PLAN = "chaoyang-2021-2025"

# (method, path, body) for each class of endpoint, and the roles allowed to call it.
READ_ENDPOINTS = [
    ("GET", "/api/v1/committees", None),
    ("GET", "/api/v1/committees/110105", None),
    ("GET", "/api/v1/plans", None),
    ("GET", f"/api/v1/plans/{PLAN}", None),
    ("GET", f"/api/v1/plans/{PLAN}/domains", None),
    ("GET", f"/api/v1/plans/{PLAN}/domains/W1", None),
    ("GET", f"/api/v1/plans/{PLAN}/goals", None),
    ("GET", f"/api/v1/plans/{PLAN}/goals/W1.1", None),
    ("GET", f"/api/v1/plans/{PLAN}/measures", None),
    ("GET", f"/api/v1/plans/{PLAN}/measures/W1.M1", None),
    ("GET", f"/api/v1/plans/{PLAN}/targets", None),
    ("GET", "/api/v1/units", None),
    ("GET", "/api/v1/units/110105-wjw", None),
    ("GET", f"/api/v1/plans/{PLAN}/status", None),  # the stored status reads check the token in their own query
    ("GET", f"/api/v1/plans/{PLAN}/units/110105-wjw/status", None),
]
ADMIN_ENDPOINTS = [
    ("POST", "/api/v1/units", {"code": "110105-jw", "committee_code": "110105", "name": "区教委"}),
    ("PATCH", "/api/v1/units/110105-wjw", {"name": "区卫生健康委员会"}),
    ("POST", "/api/v1/units/110105-wjw/deactivate", None),
]
CASES = [(endpoint, role, True) for endpoint in READ_ENDPOINTS for role in Role] + [
    (endpoint, role, role is Role.admin) for endpoint in ADMIN_ENDPOINTS for role in Role]


@pytest.fixture
async def tokens(db) -> dict[Role, str]:  # type: ignore[no-untyped-def]
    await make_unit(db)
    return {role: await make_token(db, role, "110105-wjw" if role is Role.unit else None) for role in Role}


@pytest.mark.parametrize(("endpoint", "role", "allowed"), CASES,
                         ids=[f"{e[0]} {e[1]} as {r.value}" for e, r, _ in CASES])
async def test_role_matrix(client, tokens, endpoint, role, allowed) -> None:  # type: ignore[no-untyped-def]
    method, path, body = endpoint
    response = await client.request(method, path, json=body, headers=bearer(tokens[role]))
    if allowed:
        assert response.status_code in (200, 201), response.text
    else:
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "FORBIDDEN"
        assert role_label(role) in response.json()["detail"]  # the caller's role, in Chinese


@pytest.mark.parametrize(("method", "path", "body"), READ_ENDPOINTS + ADMIN_ENDPOINTS)
async def test_every_api_endpoint_needs_a_token(client, tokens, method, path, body) -> None:  # type: ignore[no-untyped-def]
    for headers in ({}, bearer("fep_not-a-real-token"), {"Authorization": "Basic dXNlcjpwdw=="}):
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")


# A status read served from the document kept in process still checks the token on every request.
REFUSING_PATHS = ["/api/v1/plans", f"/api/v1/plans/{PLAN}/status"]


@pytest.mark.parametrize("path", REFUSING_PATHS)
async def test_revoked_token_is_refused(client, db, path) -> None:  # type: ignore[no-untyped-def]
    token = await make_token(db, Role.reader)
    for _ in range(2):
        assert (await client.get(path, headers=bearer(token))).status_code == 200
    row = (await db.execute(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))).scalar_one()
    await revoke_token(db, CLI_ACTOR, row.id)  # type: ignore[arg-type]
    response = await client.get(path, headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert response.json()["detail"] == "令牌已被吊销。"


@pytest.mark.parametrize("path", REFUSING_PATHS)
async def test_deactivated_units_token_is_refused(client, db, path) -> None:  # type: ignore[no-untyped-def]
    await make_unit(db)
    unit_token = await make_token(db, Role.unit, "110105-wjw")
    admin_token = await make_token(db, Role.admin)
    for _ in range(2):
        assert (await client.get(path, headers=bearer(unit_token))).status_code == 200
    assert (await client.post("/api/v1/units/110105-wjw/deactivate", headers=bearer(admin_token))).status_code == 200
    response = await client.get(path, headers=bearer(unit_token))
    assert response.status_code == 401 and response.json()["detail"] == "令牌所属的成员单位已停用。"


async def test_tokens_are_stored_only_as_hashes(db) -> None:  # type: ignore[no-untyped-def]
    token = await make_token(db, Role.admin, name="office")
    rows = (await db.execute(select(ApiToken))).scalars().all()
    stored = [value for row in rows for value in (row.token_hash, row.prefix, row.name)]
    assert token not in stored
    assert hash_token(token) in stored
    listed = await list_tokens(db)
    assert all(token not in repr(info) for info in listed)
