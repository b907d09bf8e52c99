"""The stored verdicts: equal to a fresh evaluation, kept incrementally, caught up daily by the worker."""

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlmodel import col

from app.assignments.schemas import AssignmentBulk, AssignmentCreate
from app.assignments.service import replace_assignments
from app.auth.actor import CLI_ACTOR
from app.core.clock import today
from app.cycles.schemas import CycleCreate
from app.cycles.service import announce_due_cycles, create_cycle
from app.db import Session
from app.models import OutboxEvent, Plan, StatusRefresh, Verdict
from app.models.enums import AssignmentRole, CycleKind
from app.outbox.service import Cursor, emit, newest, read_events
from app.status import publication
from app.status.evaluation import evaluate
from app.status.facts import load_facts
from app.status.publication import catch_up, stored_through, stored_years, touch_plan
from app.status.rules import METHODOLOGY_VERSION, Flag, Status
from app.status.schemas import PlanStatus
from app.status.service import StatusFilter, evaluate_plan, summarise
from app.worker.runner import daily_catch_up
from tests.factories import counting
from tests.status.test_api import by_code
from tests.submissions.conftest import EDUCATION, HEALTH, PLAN, open_cycles, report

STATUS = f"/api/v1/plans/{PLAN}/status"


async def test_stored_verdicts_equal_a_fresh_evaluation_of_every_plan_and_year(frozen_today, client, world, db) -> None:  # type: ignore[no-untyped-def]
    await open_cycles(client, world, 2021)
    await report(client, world, world.health, 2021, [{"target": "W1.2a", "value": 9.5}, {"target": "C1.2a",
                                                                                         "value": 2.5}])
    await report(client, world, world.health, 2023, [{"target": "W1.2a", "value": 8.1}], kind="midterm")
    day = today()
    assert day == frozen_today  # the whole test sees one day
    for plan in (await db.execute(select(Plan).order_by(col(Plan.id)))).scalars():
        facts = await load_facts(db, plan)
        for year in range(plan.start_year, plan.end_year + 1):
            fresh = evaluate(facts, year, day)
            response = await client.get(f"/api/v1/plans/{plan.code}/status", params={"year": year},
                                        headers=world.reader)
            body = response.json()
            assert body["targets"] == [t.model_dump(mode="json") for t in fresh.targets], (plan.code, year)
            assert body["goals"] == [g.model_dump(mode="json") for g in fresh.goals], (plan.code, year)
            assert body["as_of"] == day.isoformat()


async def test_an_acceptance_recomputes_only_what_it_touches(client, world, db) -> None:  # type: ignore[no-untyped-def]
    await open_cycles(client, world, 2021)
    plan_id = (await db.execute(select(col(Plan.id)).where(col(Plan.code) == PLAN))).scalar_one()

    async def versions() -> dict[tuple[int, str], int]:
        rows = await db.execute(select(col(Verdict.year), col(Verdict.subject_code), col(Verdict.version))
                                .where(col(Verdict.plan_id) == plan_id))
        return {(year, code): version for year, code, version in rows.all()}

    before = await versions()
    await report(client, world, world.health, 2023, [{"target": "W1.2a", "value": 8.1}], kind="midterm")
    after = await versions()
    changed = {key for key in after if after[key] != before.get(key)}
    # The target and its goal, from 2023 on (earlier years come before the value; W1.2b shares the goal W1.2).
    assert {code for _, code in changed} <= {"W1.2a", "W1.2b", "W1.2"} and ("W1.2a" in {c for _, c in changed})
    assert {year for year, _ in changed} == {2023, 2024, 2025}
    assert all(after[key] > before[key] for key in changed)  # once per transaction that changed it


async def test_the_worker_catches_up_with_the_calendar(client, world, db, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """A due date passing raises `overdue` and announces the cycle, once, without any request."""
    due = today() + timedelta(days=3)
    await create_cycle(db, CLI_ACTOR, PLAN, CycleCreate(year=2022, kind=CycleKind.annual,
                                                        opens_on=due - timedelta(days=30), due_on=due), today())
    await db.commit()
    verdict = by_code((await client.get(STATUS, params={"year": 2022}, headers=world.reader)).json()["targets"])
    assert "overdue" not in verdict["W1.2a"]["flags"]

    later = due + timedelta(days=1)
    report_ = await catch_up(sessionmaker, later)
    assert report_.plans == 6 and report_.changes > 0
    async with sessionmaker() as session:
        assert await announce_due_cycles(session, later) >= 1
        await session.commit()
    verdict = by_code((await client.get(STATUS, params={"year": 2022}, headers=world.reader)).json()["targets"])
    assert "overdue" in verdict["W1.2a"]["flags"]
    events = (await db.execute(select(OutboxEvent).where(col(OutboxEvent.type) == "verdict.changed",
                                                         col(OutboxEvent.subject) == "target:W1.2a",
                                                         col(OutboxEvent.year) == 2022))).scalars().all()
    assert events[-1].payload["cause"] == "daily refresh" and events[-1].payload["to_flags"] == ["overdue"]
    # Done for the day: another round does nothing, and announces nothing twice.
    assert (await catch_up(sessionmaker, later)).plans == 0
    async with sessionmaker() as session:
        assert await announce_due_cycles(session, later) == 0
    marked = (await db.execute(select(func.count()).select_from(StatusRefresh)
                               .where(col(StatusRefresh.refreshed_on) == later))).scalar_one()
    assert marked == 6


async def test_the_daily_job_runs_as_the_worker_runs_it(world, sessionmaker, db) -> None:  # type: ignore[no-untyped-def]
    async def count(event_type: str) -> int:
        return (await db.execute(select(func.count()).select_from(OutboxEvent)
                                 .where(col(OutboxEvent.type) == event_type))).scalar_one()

    await db.execute(StatusRefresh.__table__.delete())  # type: ignore[attr-defined]  # as if the day had turned
    await db.commit()
    changes, due = await count("verdict.changed"), await count("cycle.due")
    assert await daily_catch_up(sessionmaker) >= 6
    # Every plan recomputed; nothing changed in between, so no verdict event. The world's past-due cycles are
    # announced, once.
    assert await count("verdict.changed") == changes
    assert await count("cycle.due") > due
    assert await daily_catch_up(sessionmaker) == 0


async def test_a_commit_that_skips_the_hooks_fails_loudly(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        plan_id = (await session.execute(select(col(Plan.id)).where(col(Plan.code) == PLAN))).scalar_one()
        await session.rollback()
        with pytest.raises(RuntimeError, match="before-commit hooks"):
            async with session.begin():  # commits without Session.commit
                touch_plan(session, plan_id, "test")


async def test_outbox_cursors_never_skip_a_late_commit(engine) -> None:  # type: ignore[no-untyped-def]
    """Two writers: the one that took its id first commits last. A reader never moves past it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: id order is commit order")
    first, second = Session(engine), Session(engine)
    try:
        start = await newest(first)
        await emit(first, "test.event", "first", {})  # id n, transaction still open
        await emit(second, "test.event", "second", {})  # id n + 1
        await second.commit()
        async with Session(engine) as reader:
            assert [e.subject for e in await read_events(reader, start, 10, types=["test.event"])] == []
        await first.commit()
        # Both are final once no older writing transaction runs anywhere on the server (transaction ids are the
        # cluster's: another database's long write transaction delays the feed, never breaks its order).
        for _ in range(200):
            async with Session(engine) as reader:
                seen = await read_events(reader, start, 10, types=["test.event"])
            if len(seen) == 2:
                break
            await asyncio.sleep(0.05)
        assert sorted(e.subject for e in seen) == ["first", "second"]
        assert all(isinstance(e.cursor, Cursor) and e.cursor > start for e in seen)
    finally:
        await first.close()
        await second.close()
        async with Session(engine) as cleanup:
            await cleanup.execute(text("DELETE FROM outbox_event WHERE type = 'test.event'"))
            await cleanup.commit()


@pytest.mark.parametrize("params", [
    {}, {"domain": "W1"}, {"unit": HEALTH}, {"status": "no_data"}, {"flag": "overdue"},
    {"domain": "C1", "unit": HEALTH, "status": "achieved"}])
async def test_the_served_document_is_the_summary_of_the_stored_verdicts(client, history, db, params) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(STATUS, params={"year": 2023, **params}, headers=history.reader)
    assert response.status_code == 200, response.text
    evaluation = await evaluate_plan(db, CLI_ACTOR, PLAN, 2023, today())
    expected = summarise(evaluation, StatusFilter(params.get("domain"), params.get("unit"),
                                                  Status(params["status"]) if "status" in params else None,
                                                  Flag(params["flag"]) if "flag" in params else None))
    assert response.json() == expected.model_dump(mode="json")
    assert PlanStatus.model_validate_json(response.content) == expected
    # The ETag changes with the verdicts, and only then.
    tag = response.headers["etag"]
    again = await client.get(STATUS, params={"year": 2023, **params}, headers={**history.reader,
                                                                               "If-None-Match": tag})
    assert again.status_code == 304


async def test_the_etag_follows_the_verdicts(client, history) -> None:  # type: ignore[no-untyped-def]
    first = await client.get(STATUS, params={"year": 2024}, headers=history.reader)
    await report(client, history, history.health, 2024, [{"target": "W1.2a", "value": 6.6}])
    second = await client.get(STATUS, params={"year": 2024}, headers=history.reader)
    assert first.headers["etag"] != second.headers["etag"]
    assert first.json()["targets"] != second.json()["targets"]
    for bad, field in (({"domain": "Z9"}, "domain"), ({"unit": "nobody"}, "unit"), ({"year": 1999}, "year")):
        response = await client.get(STATUS, params={"year": 2024, **bad}, headers=history.reader)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field


async def test_only_years_up_to_the_current_one_are_stored(world, db, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """Later years are projections evaluated on request; a new year is stored by the day's catch-up, and until
    then (or with no whole computation at all) reads evaluate it."""
    day = today()
    stored = {(plan_id, year) for plan_id, year in (await db.execute(
        select(col(Verdict.plan_id), col(Verdict.year)).distinct())).all()}
    plans = list((await db.execute(select(Plan))).scalars())
    assert any(plan.end_year > day.year for plan in plans)  # the seeds have plans running past this year
    for plan in plans:
        assert {year for plan_id, year in stored if plan_id == plan.id} == set(stored_years(plan, day)), plan.code

    later = next(plan for plan in plans if plan.end_year > day.year)
    new_year = date(day.year + 1, 1, 1)
    async with sessionmaker() as session:  # before the catch-up: evaluated, and equal to what it then stores
        before = await evaluate_plan(session, CLI_ACTOR, later.code, new_year.year, new_year)
        assert (await stored_through(session, [later.id]))[later.id] == day.year
    await catch_up(sessionmaker, new_year)
    async with sessionmaker() as session:
        assert (await stored_through(session, [later.id]))[later.id] == new_year.year
        assert (await session.execute(select(func.count()).select_from(Verdict).where(
            col(Verdict.plan_id) == later.id, col(Verdict.year) == new_year.year))).scalar_one() > 0
        after = await evaluate_plan(session, CLI_ACTOR, later.code, new_year.year, new_year)
    assert after.targets == before.targets and after.goals == before.goals


async def test_a_change_to_years_not_stored_yet_takes_no_plan_lock(world, sessionmaker, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Values of a year after this one change no stored verdict: their writer neither waits for the plan's
    other publishers nor makes them wait (big acceptances of one plan would otherwise queue on its lock)."""
    locked: list[int] = []
    original = publication._lock_plan

    async def spied(session, plan_id):  # type: ignore[no-untyped-def]
        locked.append(plan_id)
        await original(session, plan_id)

    monkeypatch.setattr(publication, "_lock_plan", spied)
    async with sessionmaker() as session:
        later = next(plan for plan in (await session.execute(select(Plan))).scalars()
                     if plan.end_year > today().year)
        touch_plan(session, later.id, "a later year", [today().year + 1])  # type: ignore[arg-type]
        await session.commit()
        assert locked == []
        touch_plan(session, later.id, "this year", [today().year])  # type: ignore[arg-type]
        await session.commit()
    assert locked == [later.id]


async def test_a_plan_not_wholly_computed_is_evaluated_when_read(client, world, db) -> None:  # type: ignore[no-untyped-def]
    """Right after a migration the verdicts are not all stored: reads evaluate rather than serve gaps."""
    expected = (await client.get(STATUS, params={"year": 2023}, headers=world.reader)).json()
    await db.execute(Verdict.__table__.delete())  # type: ignore[attr-defined]
    await db.execute(StatusRefresh.__table__.delete())  # type: ignore[attr-defined]
    await db.commit()
    response = await client.get(STATUS, params={"year": 2023}, headers=world.reader)
    assert response.status_code == 200 and response.headers["ETag"]
    assert response.json()["targets"] == expected["targets"] and response.json()["goals"] == expected["goals"]
    assert response.json()["summary"] == expected["summary"]


async def test_a_new_methodology_republishes_the_verdicts_it_changes(client, world, db, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """Verdicts stored by older rules (migration 0007 marks them 2026.1) are recomputed by `python -m app
    migrate`'s catch-up even when the plan was refreshed today, and the feed shows what the new rules change."""
    await open_cycles(client, world, 2021)
    await report(client, world, world.health, 2021, [{"target": "W1.2a", "value": 9.5}])
    plan_id = (await db.execute(select(col(Plan.id)).where(col(Plan.code) == PLAN))).scalar_one()
    old = "2026.1"
    # As the old rules left them: every verdict of the plan marked with the old version, and one of them with a
    # status the new rules do not give.
    old_payload = func.replace(col(Verdict.payload), f'"methodology":"{METHODOLOGY_VERSION}"', f'"methodology":"{old}"')
    await db.execute(update(Verdict).where(col(Verdict.plan_id) == plan_id)
                     .values(methodology=old, payload=old_payload))
    await db.execute(update(Verdict).where(col(Verdict.plan_id) == plan_id, col(Verdict.year) == 2021,
                                           col(Verdict.subject_code) == "W1.2a").values(status="on_track"))
    await db.commit()
    assert (await catch_up(sessionmaker, today())).plans >= 1  # refreshed today, yet outdated

    stored = (await db.execute(select(col(Verdict.methodology), col(Verdict.payload))
                               .where(col(Verdict.plan_id) == plan_id))).all()
    assert {methodology for methodology, _ in stored} == {METHODOLOGY_VERSION}
    assert all(f'"methodology":"{METHODOLOGY_VERSION}"' in payload for _, payload in stored)
    events = (await db.execute(select(OutboxEvent).where(col(OutboxEvent.type) == "verdict.changed",
                                                         col(OutboxEvent.plan_id) == plan_id)
                               .order_by(col(OutboxEvent.id)))).scalars().all()
    republished = [e.payload for e in events if e.payload["cause"] == f"status rules {METHODOLOGY_VERSION}"]
    # Only the verdict whose status the new rules change is announced; the others are updated silently.
    assert [(e["subject_code"], e["year"], e["from_status"]) for e in republished] == [("W1.2a", 2021, "on_track")]
    served = by_code((await client.get(STATUS, params={"year": 2021}, headers=world.reader)).json()["targets"])
    assert served["W1.2a"]["methodology"] == METHODOLOGY_VERSION
    assert served["W1.2a"]["status"] == republished[0]["to_status"] != "on_track"
    assert (await catch_up(sessionmaker, today())).plans == 0  # done: nothing outdated any more


async def version_of(db, plan_code: str) -> str:  # type: ignore[no-untyped-def]
    return (await db.execute(select(StatusRefresh.version).join(Plan, col(Plan.id) == col(StatusRefresh.plan_id))
                             .where(col(Plan.code) == plan_code))).scalar_one()


async def test_the_verdicts_version_changes_with_every_verdict_and_only_then(client, history, db) -> None:  # type: ignore[no-untyped-def]
    before = await version_of(db, PLAN)
    assert len(before) == 32
    await report(client, history, history.health, 2024, [{"target": "W1.2a", "value": 6.6}])
    changed = await version_of(db, PLAN)
    assert changed != before
    # A recomputation that changes no verdict keeps it.
    plan_id = (await db.execute(select(Plan.id).where(col(Plan.code) == PLAN))).scalar_one()
    touch_plan(db, plan_id, "test", [2023, 2024])
    await db.commit()
    assert await version_of(db, PLAN) == changed
    # A whole computation (the daily catch-up, a new methodology) counts as a change: documents carry its day.
    assert (await client.post("/api/v1/status/refresh", headers=history.admin)).status_code == 200
    assert await version_of(db, PLAN) != changed


async def test_a_status_document_is_assembled_once_per_verdicts_version(client, history, connection) -> None:  # type: ignore[no-untyped-def]
    params = {"year": 2024}
    first = await client.get(STATUS, params=params, headers=history.reader)
    with counting(connection) as statements:
        again = await client.get(STATUS, params=params, headers=history.reader)
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    # One statement: the token, the plan and its verdicts' version together.
    assert len(statements) == 1 and "api_token" in statements[0] and "status_refresh" in statements[0], statements
    # Every role reads the same document.
    assert (await client.get(STATUS, params=params, headers=history.health)).content == first.content
    # A unit filter depends on the committee's units as well: assembled every time.
    with counting(connection) as statements:
        assert (await client.get(STATUS, params={**params, "unit": HEALTH}, headers=history.reader)).status_code == 200
    assert any("FROM verdict" in s for s in statements)
    # A changed verdict is a new version: the next read assembles a new document.
    await report(client, history, history.health, 2024, [{"target": "W1.2a", "value": 6.6}])
    third = await client.get(STATUS, params=params, headers=history.reader)
    assert third.headers["etag"] != first.headers["etag"]
    assert by_code(third.json()["targets"])["W1.2a"]["latest"]["value"] == 6.6


async def test_verdicts_read_only_the_groups_targets_are_on_and_match_reading_every_group(client, world, db) -> None:  # type: ignore[no-untyped-def]
    """A publish reads the observations of the groups its targets are on (totals, 农村 …), not every breakdown a
    unit sent, and what was reported only for years with a cycle past due: its verdicts are those of all facts."""
    await open_cycles(client, world, 2021, 2023)
    curated = await client.patch(f"/api/v1/plans/{PLAN}/targets/C1.2a", headers=world.admin,
                                 json={"scope": {"area": "rural"}})
    assert curated.status_code == 200, curated.text
    for year, total, rural in ((2021, 9.5, 3.0), (2023, 8.1, 2.8)):
        await report(client, world, world.health, year, [
            {"target": "W1.2a", "value": total}, {"target": "W1.2a", "value": total - 1, "sex": "female"},
            {"target": "C1.2a", "value": rural, "area": "rural"}, {"target": "C1.2a", "value": 1.9, "area": "urban"}])
    plan = (await db.execute(select(Plan).where(col(Plan.code) == PLAN))).scalar_one()
    day = today()
    scoped = await load_facts(db, plan, today=day)
    groups = {report.group for reports in scoped.reports.values() for report in reports}
    assert groups == {("total", "all", "all"), ("total", "all", "rural")}
    everything = await load_facts(db, plan, breakdowns=True)
    assert ("female", "all", "all") in {r.group for reports in everything.reports.values() for r in reports}
    assert scoped.reported == {key for key in everything.reported  # only years whose cycles are past due
                               if any(due < day for _, due in everything.due_dates[key[0]])}
    assert {year for year, _, _ in everything.reported} == {2021, 2023}
    for year in (2021, 2023, 2024):
        fresh = evaluate(everything, year, day)
        body = (await client.get(STATUS, params={"year": year}, headers=world.reader)).json()
        assert body["targets"] == [t.model_dump(mode="json") for t in fresh.targets], year
        assert body["goals"] == [g.model_dump(mode="json") for g in fresh.goals], year
    rural_target = by_code(body["targets"])["C1.2a"]
    assert rural_target["scope"]["area"] == "rural" and rural_target["latest"]["value"] == 2.8


async def assert_stored_verdicts_are_fresh(client, world, db) -> None:  # type: ignore[no-untyped-def]
    plan = (await db.execute(select(Plan).where(col(Plan.code) == PLAN))).scalar_one()
    day = today()
    facts = await load_facts(db, plan)
    for year in stored_years(plan, day):
        fresh = evaluate(facts, year, day)
        body = (await client.get(STATUS, params={"year": year}, headers=world.reader)).json()
        assert body["targets"] == [t.model_dump(mode="json") for t in fresh.targets], year
        assert body["goals"] == [g.model_dump(mode="json") for g in fresh.goals], year


async def test_a_goal_whose_inputs_did_not_change_is_not_judged_again(client, world, db, sessionmaker,  # type: ignore[no-untyped-def]
                                                                      monkeypatch) -> None:
    """A publish stores a digest of each goal's inputs and leaves its verdicts be while it holds: a supporting unit
    reporting the lead's numbers judges nothing; every change of what counts is judged, as a fresh evaluation; a
    whole recomputation (the daily catch-up) judges everything and stores the digests an increment would."""
    await replace_assignments(db, CLI_ACTOR, PLAN, AssignmentBulk(assignments=[
        AssignmentCreate(task="W1.2", unit=HEALTH, role=AssignmentRole.lead),
        AssignmentCreate(task="W1.2", unit=EDUCATION, role=AssignmentRole.support)]))
    await db.commit()
    await open_cycles(client, world, 2021, 2022)
    await report(client, world, world.health, 2021, [{"target": "W1.2a", "value": 9.5}])
    judged: list[tuple[int, object]] = []

    def spied(facts, year, day, breakdown=None, parents=None):  # type: ignore[no-untyped-def]
        judged.append((year, parents))
        return evaluate(facts, year, day, breakdown, parents)

    monkeypatch.setattr(publication, "evaluate", spied)
    plan_id = (await db.execute(select(col(Plan.id)).where(col(Plan.code) == PLAN))).scalar_one()
    versions = select(col(Verdict.year), col(Verdict.subject_code), col(Verdict.version)).where(
        col(Verdict.plan_id) == plan_id)
    before = (await db.execute(versions)).all()
    await report(client, world, world.education, 2021, [{"target": "W1.2a", "value": 9.5}])
    assert judged == [] and (await db.execute(versions)).all() == before
    await assert_stored_verdicts_are_fresh(client, world, db)
    for unit, year, value in ((world.education, 2022, 9.0),  # only a supporting unit's value: it counts
                              (world.health, 2022, 8.8)):  # the lead's differs: the lead's counts, in conflict
        await report(client, world, unit, year, [{"target": "W1.2a", "value": value}])
        assert judged and all(parents for _, parents in judged)
        await assert_stored_verdicts_are_fresh(client, world, db)
        judged.clear()
    w12a = by_code((await client.get(STATUS, params={"year": 2022}, headers=world.reader)).json()["targets"])["W1.2a"]
    assert w12a["latest"]["value"] == 8.8 and "conflict" in w12a["flags"]
    curated = await client.patch(f"/api/v1/plans/{PLAN}/targets/W1.2a", headers=world.admin,
                                 json={"baseline": {"year": 2021, "value": 10.0}})
    assert curated.status_code == 200, curated.text
    await assert_stored_verdicts_are_fresh(client, world, db)
    await report(client, world, world.health, 2023, [{"target": "W1.2a", "value": 8.1}], kind="midterm")
    judged.clear()
    await catch_up(sessionmaker, today(), everything=True)
    assert judged and all(parents is None for _, parents in judged)
    judged.clear()
    await report(client, world, world.education, 2023, [{"target": "W1.2a", "value": 8.1}], kind="midterm")
    assert judged == []
    await assert_stored_verdicts_are_fresh(client, world, db)


async def test_units_echoing_accepted_figures_are_decided_without_reading_the_facts(client, world, db,  # type: ignore[no-untyped-def]
                                                                                    monkeypatch) -> None:
    """A first acceptance of values that are all already counted (same indicator, breakdown and year, every other
    value the same number) is settled by one query under the plan's lock; anything else is published from the
    facts: a different number, a breakdown or a year nobody else reported, a submission accepted again."""
    await replace_assignments(db, CLI_ACTOR, PLAN, AssignmentBulk(assignments=[
        AssignmentCreate(task="W1.2", unit=HEALTH, role=AssignmentRole.lead),
        AssignmentCreate(task="W1.2", unit=EDUCATION, role=AssignmentRole.support)]))
    await db.commit()
    due = (today() + timedelta(days=30)).isoformat()  # not late: a late submission republishes its plan itself
    for year in (2021, 2022, 2023):  # and the world's 2024, due in a month
        opened = await client.post(f"/api/v1/plans/{PLAN}/cycles", headers=world.admin,
                                   json={"year": year, "kind": "annual", "due_on": due})
        assert opened.status_code == 201, opened.text
    await report(client, world, world.health, 2021, [{"target": "W1.2a", "value": 9.5},
                                                     {"target": "W1.2a", "value": 9.1, "sex": "female"}])
    await report(client, world, world.health, 2022, [{"target": "W1.2a", "value": 9.0}])
    await report(client, world, world.health, 2023, [{"target": "W1.2a", "value": 8.8}])
    read: list[int] = []
    original = publication.load_facts

    async def spied(session, plan, **kwargs):  # type: ignore[no-untyped-def]
        read.append(plan.id)
        return await original(session, plan, **kwargs)

    monkeypatch.setattr(publication, "load_facts", spied)
    plan_id = (await db.execute(select(col(Plan.id)).where(col(Plan.code) == PLAN))).scalar_one()
    versions = select(col(Verdict.year), col(Verdict.subject_code), col(Verdict.version)).where(
        col(Verdict.plan_id) == plan_id)
    before = (await db.execute(versions)).all()
    echoed = await report(client, world, world.education, 2021, [{"target": "W1.2a", "value": 9.5},
                                                                 {"target": "W1.2a", "value": 9.1, "sex": "female"}])
    assert read == [] and (await db.execute(versions)).all() == before
    await assert_stored_verdicts_are_fresh(client, world, db)

    for year, values in ((2022, [{"target": "W1.2a", "value": 9.3}]),  # another number: a conflict
                         (2023, [{"target": "W1.2a", "value": 8.8},  # a breakdown nobody reported
                                 {"target": "W1.2a", "value": 8.7, "sex": "male"}]),
                         (2024, [{"target": "W1.2a", "value": 8.5}])):  # a year nobody reported
        await report(client, world, world.education, year, values)
        assert read == [plan_id], (year, values)
        await assert_stored_verdicts_are_fresh(client, world, db)
        read.clear()

    returned = await client.post(f"/api/v1/submissions/{echoed}/review", headers=world.admin,
                                 json={"decision": "return", "comment": "请核对"})
    assert returned.status_code == 200, returned.text
    assert (await client.post(f"/api/v1/submissions/{echoed}/submit", headers=world.education)).status_code == 200
    again = await client.post(f"/api/v1/submissions/{echoed}/review", headers=world.admin, json={"decision": "accept"})
    assert again.status_code == 200, again.text
    assert read == [plan_id]  # accepted again: what it replaces may have counted
    await assert_stored_verdicts_are_fresh(client, world, db)
