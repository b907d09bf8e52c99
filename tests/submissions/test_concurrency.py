"""Many writers at the same moment, with real commits: nothing is lost and nothing is duplicated."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from app.assignments.schemas import AssignmentBulk, AssignmentCreate
from app.assignments.service import replace_assignments
from app.auth.actor import CLI_ACTOR
from app.cli import in_transaction, migrate
from app.core.clock import today
from app.cycles.schemas import CycleCreate
from app.cycles.service import create_cycle
from app.db import create_engine, make_sessionmaker
from app.main import create_app
from app.models import Submission, SubmissionRevision
from app.models.enums import AssignmentRole, Role
from app.plans.seeding import load_plans
from app.settings import Settings
from tests.conftest import SEED_PLANS
from tests.factories import bearer, make_token, make_unit

PLAN = "chaoyang-2021-2025"
UNITS = [f"110105-u{i:02d}" for i in range(8)]
GOALS = ["C1.4", "C1.2", "W1.2", "C1.5", "C1.7", "C1.8", "C1.6", "W1.1"]


@dataclass(frozen=True)
class LiveDb:
    url: str
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def committed_db(databases) -> LiveDb:  # type: ignore[no-untyped-def]
    url = databases.create()
    migrate(url)

    async def arrange(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
        await load_plans(session, [doc for doc in SEED_PLANS if doc.plan.code == PLAN])
        for code in UNITS:
            await make_unit(session, code, f"单位{code[-2:]}")
        leads = [AssignmentCreate(task=goal, unit=unit, role=AssignmentRole.lead)
                 for unit, goal in zip(UNITS, GOALS, strict=True)]
        await replace_assignments(session, CLI_ACTOR, PLAN, AssignmentBulk(assignments=leads))
        await create_cycle(session, CLI_ACTOR, PLAN, CycleCreate(year=2024, due_on=today() + timedelta(days=30)),
                           today())
        tokens = {unit: await make_token(session, Role.unit, unit) for unit in UNITS}
        return {**tokens, "admin": await make_token(session, Role.admin)}

    return LiveDb(url, asyncio.run(in_transaction(url, arrange)))


@pytest.fixture
async def live_client(committed_db) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    app = create_app(Settings(database_url=committed_db.url))
    engine = create_engine(committed_db.url)
    app.state.sessionmaker = make_sessionmaker(engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client
    await engine.dispose()


def body(unit_index: int, year: int = 2024) -> dict[str, object]:
    return {"year": year, "kind": "annual", "tasks": [{"task": GOALS[unit_index], "progress": "on_schedule"}],
            "narrative": {"achievements": f"unit {unit_index}"}}


async def count(url: str, model: type, **where: object) -> int:
    async def run(session) -> int:  # type: ignore[no-untyped-def]
        stmt = select(func.count()).select_from(model).filter_by(**where)
        return (await session.execute(stmt)).scalar_one()

    return await in_transaction(url, run)


async def test_all_units_submitting_at_once_lose_nothing(live_client, committed_db) -> None:  # type: ignore[no-untyped-def]
    tokens = committed_db.tokens
    base = f"/api/v1/plans/{PLAN}/submissions"
    responses = await asyncio.gather(*[
        live_client.post(base, json=body(i), headers=bearer(tokens[unit])) for i, unit in enumerate(UNITS)])
    assert [r.status_code for r in responses] == [201] * len(UNITS), [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == len(UNITS)
    assert await count(committed_db.url, Submission, year=2024) == len(UNITS)

    # The same unit racing itself: exactly one create wins, the others get 409, nothing is duplicated.
    unit = UNITS[0]
    racing = await asyncio.gather(*[live_client.post(base, json=body(0), headers=bearer(tokens[unit]))
                                    for _ in range(6)])
    assert Counter(r.status_code for r in racing) == {409: 6}

    # Concurrent edits from the same ETag: one wins, the rest are stale; every saved revision is kept.
    current = responses[1].json()
    url = f"/api/v1/submissions/{current['id']}"
    headers = {**bearer(tokens[UNITS[1]]), "If-Match": current["etag"]}
    edits = await asyncio.gather(*[live_client.put(url, json={"narrative": {"problems": f"edit {n}"}},
                                                   headers=headers) for n in range(6)])
    assert Counter(r.status_code for r in edits) == {200: 1, 409: 5}
    assert await count(committed_db.url, SubmissionRevision, submission_id=current["id"]) == 2


async def test_idempotent_retries_racing_each_other(live_client, committed_db) -> None:  # type: ignore[no-untyped-def]
    tokens = committed_db.tokens
    await in_transaction(committed_db.url, lambda s: create_cycle(
        s, CLI_ACTOR, PLAN, CycleCreate(year=2023, kind="midterm", due_on=today() + timedelta(days=30)), today()))
    base = f"/api/v1/plans/{PLAN}/submissions"
    headers = {**bearer(tokens[UNITS[2]]), "Idempotency-Key": "race-1"}
    responses = await asyncio.gather(*[live_client.post(base, json={**body(2, 2023), "kind": "midterm"},
                                                        headers=headers) for _ in range(6)])
    assert [r.status_code for r in responses] == [201] * 6, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 5
    assert await count(committed_db.url, Submission, year=2023) == 1

    # Without a key, a unit racing itself on a new submission: exactly one is created, the rest get 409.
    unkeyed = await asyncio.gather(*[live_client.post(base, json={**body(4, 2023), "kind": "midterm"},
                                                      headers=bearer(tokens[UNITS[4]])) for _ in range(6)])
    assert Counter(r.status_code for r in unkeyed) == {201: 1, 409: 5}, [r.text for r in unkeyed]
    assert await count(committed_db.url, Submission, year=2023) == 2


async def test_concurrent_acceptances_feed_every_change_once_in_order(live_client, committed_db) -> None:  # type: ignore[no-untyped-def]
    """Eight units submit and the office accepts them all at once while a downstream system polls the feed."""
    tokens, admin = committed_db.tokens, bearer(committed_db.tokens["admin"])
    await in_transaction(committed_db.url, lambda s: create_cycle(
        s, CLI_ACTOR, PLAN, CycleCreate(year=2022, due_on=today() + timedelta(days=30)), today()))
    targets = []
    for goal in GOALS:
        found = (await live_client.get(f"/api/v1/plans/{PLAN}/goals/{goal}", headers=admin)).json()["targets"]
        targets.append(found[0] if found else None)
    base = f"/api/v1/plans/{PLAN}/submissions"

    def values(i: int) -> list[dict[str, object]]:
        target = targets[i]
        if target is None or target["op"] in ("increase", "decrease", "maintain"):
            return []
        return [{"target": target["code"], "value": 50.0 if target["unit"] == "%" else 1.0}]

    created = await asyncio.gather(*[
        live_client.post(base, json={**body(i, 2022), "values": values(i), "submit": True},
                         headers=bearer(tokens[unit])) for i, unit in enumerate(UNITS)])
    assert [r.status_code for r in created] == [201] * len(UNITS), [r.text for r in created]

    feed = "/api/v1/status/changes"
    start = (await live_client.get(feed, params={"limit": 1000}, headers=admin)).json()
    seen: list[dict[str, object]] = list(start["items"])
    cursor = start["next_cursor"]
    stop = asyncio.Event()

    async def poll_once() -> bool:
        nonlocal cursor
        page = (await live_client.get(feed, params={"since": cursor or "", "limit": 1000}, headers=admin)).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        return bool(page["items"])

    async def poll() -> None:
        while True:
            if not await poll_once() and stop.is_set():
                return
            await asyncio.sleep(0.01)

    async def cursors_of_whole_feed() -> list[object]:
        whole = (await live_client.get(feed, params={"limit": 1000}, headers=admin)).json()["items"]
        return [i["cursor"] for i in whole]

    poller = asyncio.create_task(poll())
    reviews = await asyncio.gather(*[live_client.post(f"/api/v1/submissions/{r.json()['id']}/review",
                                                      json={"decision": "accept"}, headers=admin) for r in created])
    assert [r.status_code for r in reviews] == [200] * len(UNITS), [r.text for r in reviews]
    stop.set()
    await poller
    # The feed shows a transaction's rows once every older transaction on the server has ended (so that it has no
    # gaps): one of another database may still hold the last ones back. Polling on from the cursor gets them;
    # a row the poller skipped, or got twice, never would be made right.
    deadline = asyncio.get_running_loop().time() + 10
    while [i["cursor"] for i in seen] != await cursors_of_whole_feed():
        if asyncio.get_running_loop().time() > deadline:
            break
        if not await poll_once():
            await asyncio.sleep(0.05)

    whole = (await live_client.get(feed, params={"limit": 1000}, headers=admin)).json()["items"]
    assert [i["cursor"] for i in seen] == [i["cursor"] for i in whole]  # the poller missed nothing
    last: dict[tuple[object, ...], dict[str, object]] = {}
    for item in whole:  # each change starts where the previous one of the same subject ended
        key = (item["plan_code"], item["year"], item["subject_type"], item["subject_code"])
        if key in last:
            assert (item["from_status"], item["from_flags"]) == (last[key]["to_status"], last[key]["to_flags"])
        last[key] = item
    status = (await live_client.get(f"/api/v1/plans/{PLAN}/status", params={"year": 2022}, headers=admin)).json()
    for item in status["targets"] + status["goals"]:
        key = (PLAN, 2022, "target" if "metric" in item else "goal", item["code"])
        published = last.get(key, {"to_status": "no_data", "to_flags": []})
        assert (published["to_status"], published["to_flags"]) == (item["status"], item["flags"]), key
