"""Who sees what, for every read path, REST and GraphQL: every role × own unit / other unit × draft / accepted.

The expectations are written out here as a table, independently of app/auth/visibility.py: the office sees
everything; a unit its own unit's submissions (drafts too) and nothing of another unit's; a reader what was sent for
review, never a draft submission nor a draft revision.
"""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.graphql.conftest import gql
from tests.submissions.conftest import PLAN, World

ROLES = ("admin", "unit", "reader")  # "unit" is the health commission's token
SUBJECTS = ("own_draft", "own_accepted", "other_draft", "other_accepted")


def sees_submission(role: str, subject: str) -> bool:
    if role == "admin":
        return True
    if role == "unit":
        return subject.startswith("own")
    return subject.endswith("accepted")


def sees_revision(role: str, subject: str, revision: int) -> bool:
    """Accepted subjects have revision 1 (a draft) and 2 (submitted); drafts have revision 1 only."""
    is_draft_revision = subject.endswith("draft") or revision == 1
    return sees_submission(role, subject) and not (role == "reader" and is_draft_revision)


@dataclass
class AccessWorld:
    headers: dict[str, dict[str, str]]
    ids: dict[str, int]


async def save(client: httpx.AsyncClient, unit: dict[str, str], year: int, kind: str, task: str) -> dict[str, Any]:
    response = await client.post(f"/api/v1/plans/{PLAN}/submissions", headers=unit, json={
        "year": year, "kind": kind, "tasks": [{"task": task, "progress": "on_schedule"}],
        "narrative": {"achievements": f"草稿 {task}"}})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def save_submit_accept(client: httpx.AsyncClient, world: World, unit: dict[str, str], year: int, kind: str,
                             task: str) -> int:
    """Revision 1 a draft with its narrative, revision 2 sent for review, then accepted."""
    draft = await save(client, unit, year, kind, task)
    sent = await client.put(f"/api/v1/submissions/{draft['id']}", headers={**unit, "If-Match": draft["etag"]},
                            json={"tasks": [{"task": task, "progress": "completed"}], "submit": True})
    assert sent.status_code == 200, sent.text
    accepted = await client.post(f"/api/v1/submissions/{draft['id']}/review", headers=world.admin,
                                 json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    return draft["id"]  # type: ignore[no-any-return]


@pytest.fixture
async def access(client, world) -> AccessWorld:  # type: ignore[no-untyped-def]
    ids = {
        "own_draft": (await save(client, world.health, 2024, "annual", "W1.M1"))["id"],
        "own_accepted": await save_submit_accept(client, world, world.health, 2023, "midterm", "W1.M1"),
        "other_draft": (await save(client, world.education, 2023, "midterm", "C1.8"))["id"],
        "other_accepted": await save_submit_accept(client, world, world.education, 2024, "annual", "C1.8"),
    }
    return AccessWorld(headers={"admin": world.admin, "unit": world.health, "reader": world.reader}, ids=ids)


def revisions_of(subject: str) -> list[int]:
    return [1, 2] if subject.endswith("accepted") else [1]


# --- each read path answers: which of a subject's submission / revisions did this role get? -------------------

async def rest_single(client: httpx.AsyncClient, headers: dict[str, str], sid: int) -> bool:
    response = await client.get(f"/api/v1/submissions/{sid}", headers=headers)
    assert response.status_code in (200, 403), response.text
    return response.status_code == 200


async def rest_revisions(client: httpx.AsyncClient, headers: dict[str, str], sid: int) -> list[int] | None:
    response = await client.get(f"/api/v1/submissions/{sid}/revisions", headers=headers)
    assert response.status_code in (200, 403), response.text
    return [r["revision"] for r in response.json()["items"]] if response.status_code == 200 else None


async def rest_revision(client: httpx.AsyncClient, headers: dict[str, str], sid: int, number: int) -> bool:
    response = await client.get(f"/api/v1/submissions/{sid}/revisions/{number}", headers=headers)
    assert response.status_code in (200, 403), response.text
    return response.status_code == 200


async def rest_diff(client: httpx.AsyncClient, headers: dict[str, str], sid: int) -> bool:
    response = await client.get(f"/api/v1/submissions/{sid}/diff?from=1&to=2", headers=headers)
    assert response.status_code in (200, 403), response.text
    return response.status_code == 200


async def rest_list(client: httpx.AsyncClient, headers: dict[str, str]) -> set[int]:
    response = await client.get(f"/api/v1/plans/{PLAN}/submissions?limit=200", headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


async def graphql_single(client: httpx.AsyncClient, headers: dict[str, str], sid: int) -> bool:
    body = await gql(client, "query($id: Int!) { submission(id: $id) { id current { revision } } }", {"id": sid},
                     headers)
    return body["data"] is not None and body["data"]["submission"] is not None


async def graphql_revisions(client: httpx.AsyncClient, headers: dict[str, str], sid: int) -> list[int] | None:
    body = await gql(client, "query($id: Int!) { submission(id: $id) { revisions { revision narrative "
                             "{ achievements } } } }", {"id": sid}, headers)
    submission = (body.get("data") or {}).get("submission")
    return [r["revision"] for r in submission["revisions"]] if submission else None


async def graphql_diff(client: httpx.AsyncClient, headers: dict[str, str], sid: int) -> bool:
    body = await gql(client, "query($id: Int!) { submission(id: $id) { diff(fromRevision: 1, toRevision: 2) "
                             "{ narrative { key } } } }", {"id": sid}, headers)
    submission = (body.get("data") or {}).get("submission")
    return bool(submission and submission["diff"] is not None)


async def graphql_plan_list(client: httpx.AsyncClient, headers: dict[str, str]) -> set[int]:
    body = await gql(client, "query($p: String!) { plan(code: $p) { submissions(limit: 200) { items { id } } } }",
                     {"p": PLAN}, headers)
    return {item["id"] for item in body["data"]["plan"]["submissions"]["items"]}


async def graphql_unit_list(client: httpx.AsyncClient, headers: dict[str, str], unit: str) -> set[int] | None:
    body = await gql(client, "query($u: String!) { unit(code: $u) { submissions(limit: 200) { items { id } } } }",
                     {"u": unit}, headers)
    page = body["data"]["unit"]["submissions"]
    return {item["id"] for item in page["items"]} if page is not None else None


SINGLE_PATHS = {"REST GET /submissions/{id}": rest_single, "GraphQL submission(id)": graphql_single}
REVISION_LISTS = {"REST GET /submissions/{id}/revisions": rest_revisions,
                  "GraphQL submission { revisions }": graphql_revisions}
DIFFS = {"REST GET /submissions/{id}/diff": rest_diff, "GraphQL submission { diff }": graphql_diff}
LISTS = {"REST GET /plans/{plan}/submissions": rest_list, "GraphQL plan { submissions }": graphql_plan_list}


@pytest.mark.parametrize("path", SINGLE_PATHS)
async def test_single_submission(client, access, path) -> None:  # type: ignore[no-untyped-def]
    wrong = [(role, subject) for role in ROLES for subject in SUBJECTS
             if await SINGLE_PATHS[path](client, access.headers[role], access.ids[subject])
             != sees_submission(role, subject)]
    assert wrong == []


@pytest.mark.parametrize("path", REVISION_LISTS)
async def test_revision_lists(client, access, path) -> None:  # type: ignore[no-untyped-def]
    wrong = []
    for role in ROLES:
        for subject in SUBJECTS:
            got = await REVISION_LISTS[path](client, access.headers[role], access.ids[subject])
            expected = [n for n in revisions_of(subject) if sees_revision(role, subject, n)]
            if (got or []) != expected or (got is None) != (not sees_submission(role, subject)):
                wrong.append((role, subject, got, expected))
    assert wrong == []


async def test_single_revisions(client, access) -> None:  # type: ignore[no-untyped-def]
    wrong = [(role, subject, number) for role in ROLES for subject in SUBJECTS for number in revisions_of(subject)
             if await rest_revision(client, access.headers[role], access.ids[subject], number)
             != sees_revision(role, subject, number)]
    assert wrong == []


@pytest.mark.parametrize("path", DIFFS)
async def test_diffs(client, access, path) -> None:  # type: ignore[no-untyped-def]
    # A diff shows both revisions: only who sees revision 1 (a draft) may read it.
    wrong = [(role, subject) for role in ROLES for subject in SUBJECTS if subject.endswith("accepted")
             and await DIFFS[path](client, access.headers[role], access.ids[subject])
             != sees_revision(role, subject, 1)]
    assert wrong == []


@pytest.mark.parametrize("path", LISTS)
async def test_lists(client, access, path) -> None:  # type: ignore[no-untyped-def]
    wrong = []
    for role in ROLES:
        got = await LISTS[path](client, access.headers[role])
        expected = {access.ids[s] for s in SUBJECTS if sees_submission(role, s)}
        if got & set(access.ids.values()) != expected:
            wrong.append((role, got, expected))
    assert wrong == []


async def test_unit_submission_lists(client, access) -> None:  # type: ignore[no-untyped-def]
    units = {"own": "110105-wjw", "other": "110105-jw"}
    wrong = []
    for role in ROLES:
        for side, code in units.items():
            got = await graphql_unit_list(client, access.headers[role], code)
            visible = {access.ids[s] for s in SUBJECTS if s.startswith(side) and sees_submission(role, s)}
            expected = None if role == "unit" and side == "other" else visible
            if got != expected:
                wrong.append((role, side, got, expected))
    assert wrong == []


# --- views beside submissions: who may ask for them at all -------------------------------------------------------

OTHER = "110105-jw"
ALLOWED = {  # path → roles that get it; the others get 403 / FORBIDDEN
    f"/api/v1/plans/{PLAN}/status?year=2024&include=provisional": {"admin", "reader"},
    f"/api/v1/plans/{PLAN}/status?year=2024": {"admin", "unit", "reader"},
    f"/api/v1/plans/{PLAN}/cycles/2024/annual/completeness": {"admin", "reader"},
    f"/api/v1/plans/{PLAN}/reports/status.xlsx?year=2024": {"admin", "reader"},
    f"/api/v1/plans/{PLAN}/reports/evaluation.docx?year=2023&kind=midterm": {"admin", "reader"},
    "/api/v1/audit": {"admin"},
    f"/api/v1/plans/{PLAN}/assignments?unit={OTHER}": {"admin", "reader"},
    f"/api/v1/plans/{PLAN}/assignments?unit=110105-wjw": {"admin", "unit", "reader"},
    f"/api/v1/units/{OTHER}/assignments": {"admin", "reader"},
    f"/api/v1/plans/{PLAN}/goals?unit={OTHER}": {"admin", "reader"},
    f"/api/v1/plans/{PLAN}/measures?unit={OTHER}": {"admin", "reader"},
    f"/api/v1/plans/{PLAN}/goals?unit=110105-wjw": {"admin", "unit", "reader"},
}
GRAPHQL_ALLOWED = {  # PLAN and OTHER stand for the plan's and the other unit's codes
    "{ plan(code: PLAN) { status(year: 2024, includeProvisional: true) { targetCounts { achieved } } } }":
        {"admin", "reader"},
    "{ plan(code: PLAN) { cycle(year: 2024) { completeness { summary } } } }": {"admin", "reader"},
    "{ auditEvents { total } }": {"admin"},
    "{ plan(code: PLAN) { assignments(unit: OTHER) { total } } }": {"admin", "reader"},
    "{ unit(code: OTHER) { assignments { total } } }": {"admin", "reader"},
    "{ plan(code: PLAN) { goals(unit: OTHER) { total } } }": {"admin", "reader"},
    "{ plan(code: PLAN) { measures(unit: OTHER) { total } } }": {"admin", "reader"},
}


@pytest.mark.parametrize("path", ALLOWED)
async def test_rest_views_by_role(client, access, path) -> None:  # type: ignore[no-untyped-def]
    answers = {role: (await client.get(path, headers=access.headers[role])).status_code for role in ROLES}
    assert answers == {role: 200 if role in ALLOWED[path] else 403 for role in ROLES}


@pytest.mark.parametrize("query", GRAPHQL_ALLOWED)
async def test_graphql_views_by_role(client, access, query) -> None:  # type: ignore[no-untyped-def]
    answers = {}
    for role in ROLES:
        document = query.replace("PLAN", f'"{PLAN}"').replace("OTHER", f'"{OTHER}"')
        body = await gql(client, document, headers=access.headers[role])
        answers[role] = [e["extensions"]["code"] for e in body.get("errors", [])]
    assert answers == {role: [] if role in GRAPHQL_ALLOWED[query] else ["FORBIDDEN"] for role in ROLES}
