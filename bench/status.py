"""Rules-service benchmark: status reads, the GraphQL dashboard, acceptance (with feed publication), feed polls.

    .venv/bin/python bench/status.py [--years 4] [--requests 50] [--database-url URL]

Without --database-url a temporary SQLite database is used. The six plans and the EXAMPLE decomposition of
`seed --demo` are loaded, then every example unit reports a value for every numeric target it is assigned, for
the first `--years` years of each plan, and the office accepts each submission; the acceptance latency includes
re-evaluating the plan and publishing the changes. Prints p50/p95 latency, requests/s and SQL per request.
With a PostgreSQL URL, give an empty database.
"""

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.assignments.demo import load_demo, read_demo_rules  # noqa: E402
from app.auth.actor import CLI_ACTOR  # noqa: E402
from app.auth.service import create_token  # noqa: E402
from app.cli import in_transaction, migrate  # noqa: E402
from app.core.clock import today  # noqa: E402
from app.db import create_engine, make_sessionmaker  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Assignment, Indicator, Plan, Target, Unit  # noqa: E402
from app.models.enums import Role  # noqa: E402
from app.plans.seeding import load_plans, read_plan_files  # noqa: E402
from app.settings import PROJECT_ROOT, Settings  # noqa: E402

DASHBOARD = """query($code: String!, $year: Int) { plan(code: $code) {
  status(year: $year) { targetCounts { atRisk } }
  domains { goals { code status(year: $year) { status } targets { code status(year: $year) { status explanation } } } }
} }"""


class Meter:
    """Counts SQL statements on the engine while a block of requests runs."""

    def __init__(self, engine: Any) -> None:
        self.statements = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *_args: object) -> None:
        self.statements += 1


def line(name: str, timings: list[float], elapsed: float, statements: int) -> None:
    p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
    print(f"{name:58} {statistics.median(timings):8.2f} {p95:8.2f} {len(timings) / elapsed:8.1f} "
          f"{statements / len(timings):8.1f}")


async def workload(url: str) -> list[tuple[str, str, int, list[tuple[str, float]]]]:
    """(plan code, unit code, plan start year, [(indicator code, value)]): every example unit reports each
    indicator of its numeric targets once (milestones share one)."""
    async def read(session: Any) -> list[tuple[str, str, int, list[tuple[str, float]]]]:
        rows = (await session.execute(
            select(Plan.code, Plan.start_year, Unit.code, Indicator.code, Target.op, Target.value, Indicator.unit)
            .join(Assignment, Assignment.plan_id == Plan.id).join(Unit, Unit.id == Assignment.unit_id)
            .join(Target, (Target.goal_id == Assignment.goal_id) | (Target.measure_id == Assignment.measure_id))
            .join(Indicator, Indicator.id == Target.indicator_id)
            .where(Target.op.not_in(["increase", "decrease", "maintain"]), Target.per_year.is_(False),
                   Target.baseline_year.is_(None)).order_by(Target.id))).all()
        grouped: dict[tuple[str, int, str], list[tuple[str, float]]] = {}
        for plan, start, unit, code, _op, value, unit_name in rows:
            base = value or 50.0
            noise = random.uniform(0.8, 1.2)
            reported = min(base * noise, 100.0) if unit_name == "%" else base * noise
            values = grouped.setdefault((plan, start, unit), [])
            if all(code != known for known, _ in values):
                values.append((code, round(reported, 2)))
        return [(plan, unit, start, values) for (plan, start, unit), values in grouped.items()]

    return await in_transaction(url, read)  # type: ignore[return-value]


async def run(url: str, years: int, requests: int) -> None:
    random.seed(7)
    await in_transaction(url, lambda s: load_plans(s, read_plan_files(PROJECT_ROOT / "seeds" / "plans")))
    rules = read_demo_rules(PROJECT_ROOT / "seeds" / "demo.yaml")
    await in_transaction(url, lambda s: load_demo(s, rules, today()))
    admin, _ = await in_transaction(url, lambda s: create_token(s, CLI_ACTOR, role=Role.admin, name="bench"))
    app = create_app(Settings(database_url=url, log_level="WARNING"))
    engine = create_engine(url)
    app.state.sessionmaker = make_sessionmaker(engine)
    meter = Meter(engine)
    headers = {"Authorization": f"Bearer {admin}"}
    print(f"{'operation':58} {'p50 ms':>8} {'p95 ms':>8} {'ops/s':>8} {'SQL/op':>8}")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench",
                                 timeout=120) as client:
        await client.get("/api/v1/status/changes", headers=headers)  # the day's first refresh
        jobs = await workload(url)
        submit_timings: list[float] = []
        accept_timings: list[float] = []
        submit_sql = accept_sql = 0
        started = time.perf_counter()
        for offset in range(years):
            for plan, unit, start, values in jobs:
                year = start + offset
                body = {"unit": unit, "year": year, "kind": "annual", "submit": True,
                        "values": [{"indicator": code, "value": round(v * (1 - 0.02 * offset), 2)}
                                   for code, v in values]}
                meter.statements = 0
                t0 = time.perf_counter()
                created = await client.post(f"/api/v1/plans/{plan}/submissions", json=body, headers=headers)
                submit_timings.append((time.perf_counter() - t0) * 1000)
                submit_sql += meter.statements
                assert created.status_code == 201, created.text
                meter.statements = 0
                t0 = time.perf_counter()
                accepted = await client.post(f"/api/v1/submissions/{created.json()['id']}/review",
                                             json={"decision": "accept"}, headers=headers)
                accept_timings.append((time.perf_counter() - t0) * 1000)
                accept_sql += meter.statements
                assert accepted.status_code == 200, accepted.text
        elapsed = time.perf_counter() - started
        line(f"submit ({len(submit_timings)} self-assessments)", submit_timings, elapsed / 2, submit_sql)
        line("accept (re-evaluate the plan, publish changes)", accept_timings, elapsed / 2, accept_sql)

        starts = {plan: start for plan, _, start, _ in jobs}
        for plan in sorted(starts):
            path = f"/api/v1/plans/{plan}/status?year={starts[plan] + years - 1}"
            await measure(client, meter, f"GET {plan}/status", requests,
                          lambda p=path: client.get(p, headers=headers))  # type: ignore[misc]
        await measure(client, meter, "GraphQL dashboard with statuses (chaoyang)", requests,
                      lambda: client.post("/graphql", headers=headers, json={
                          "query": DASHBOARD, "variables": {"code": "chaoyang-2021-2025", "year": 2024}}))
        await measure(client, meter, "GET status.csv (zengdu-children)", requests,
                      lambda: client.get("/api/v1/plans/zengdu-children-2021-2030/status.csv?year=2024",
                                         headers=headers))
        feed = (await client.get("/api/v1/status/changes?limit=1000", headers=headers)).json()
        await measure(client, meter, "GET status/changes (poll, nothing new)", requests,
                      lambda: client.get(f"/api/v1/status/changes?since={feed['next_cursor']}", headers=headers))
        await measure(client, meter, "GET status/changes (page of 1000 from the start)", requests,
                      lambda: client.get("/api/v1/status/changes?limit=1000", headers=headers))
    await engine.dispose()


async def measure(client: httpx.AsyncClient, meter: Meter, name: str, requests: int, call: Any) -> None:
    assert (await call()).status_code == 200  # warm up
    meter.statements = 0
    timings = []
    started = time.perf_counter()
    for _ in range(requests):
        t0 = time.perf_counter()
        response = await call()
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.text
    line(name, timings, time.perf_counter() - started, meter.statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = Settings(database_url=args.database_url or f"sqlite:///{tmp}/bench.db").database_url
        migrate(url)
        asyncio.run(run(url, args.years, args.requests))


if __name__ == "__main__":
    main()
