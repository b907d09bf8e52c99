"""Submission write path: statements and time per create (and per revise) of a submission with 100 values.

    .venv/bin/python bench/submission_write.py [--requests 20] [--values 100] [--postgres]

Without --postgres a temporary SQLite database is used; with it a fresh database `fep_bench_write_<pid>` is
created on postgresql://postgres@127.0.0.1:5432 (or --server) and dropped at the end. The seed plans are loaded;
each request is one unit's annual 2024 self-assessment reporting the same indicator for `--values` age groups,
sent through the app in-process (httpx ASGI transport). Prints the median and p95 latency and the SQL
statements per request.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.assignments.schemas import AssignmentBulk, AssignmentCreate  # noqa: E402
from app.assignments.service import replace_assignments  # noqa: E402
from app.auth.actor import CLI_ACTOR  # noqa: E402
from app.auth.service import create_token  # noqa: E402
from app.cli import migrate  # noqa: E402
from app.core.clock import today  # noqa: E402
from app.cycles.schemas import CycleCreate  # noqa: E402
from app.cycles.service import create_cycle  # noqa: E402
from app.db import create_engine, make_sessionmaker  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Unit  # noqa: E402
from app.models.enums import AssignmentRole, CycleKind, Role  # noqa: E402
from app.plans.seeding import load_plans, read_plan_files  # noqa: E402
from app.plans.service import committee_by_code  # noqa: E402
from app.settings import PROJECT_ROOT, Settings  # noqa: E402

PLAN = "chaoyang-2021-2025"


async def arrange(url: str, units: int) -> list[str]:
    engine = create_engine(url)
    tokens = []
    async with make_sessionmaker(engine)() as session:
        await load_plans(session, read_plan_files(PROJECT_ROOT / "seeds" / "plans"))
        committee = await committee_by_code(session, "110105")
        codes = [f"bench-{i:03d}" for i in range(units)]
        for code in codes:
            session.add(Unit(committee_id=committee.id, code=code, name=f"单位{code}"))  # type: ignore[arg-type]
        await session.flush()
        await replace_assignments(session, CLI_ACTOR, PLAN, AssignmentBulk(assignments=[
            AssignmentCreate(task="W1.2", unit=code, role=AssignmentRole.lead if i == 0 else AssignmentRole.support)
            for i, code in enumerate(codes)]))
        now = today()
        await create_cycle(session, CLI_ACTOR, PLAN, CycleCreate(year=2024, kind=CycleKind.annual,
                                                                 opens_on=date(2024, 1, 1),
                                                                 due_on=now + timedelta(days=30)), now)
        for code in codes:
            plain, _ = await create_token(session, CLI_ACTOR, role=Role.unit, name=code, unit_code=code)
            tokens.append(plain)
        await session.commit()
    await engine.dispose()
    return tokens


def body(values: int, bump: float = 0.0) -> dict[str, Any]:
    return {"year": 2024, "kind": "annual", "submit": False,
            "values": [{"target": "W1.2a", "value": 6.0 + (i % 10) / 10 + bump, "age_group": f"{i}岁"}
                       for i in range(values)]}


async def run(url: str, requests: int, values: int) -> None:
    tokens = await arrange(url, requests)
    app = create_app(Settings(database_url=url, max_body_bytes=10_000_000, log_level="WARNING"))
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    async with app.router.lifespan_context(app):
        event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for label, step in (("create", "create"), ("revise (PUT)", "revise")):
                timings, counted, created = [], [], []
                for token in tokens:
                    headers = {"Authorization": f"Bearer {token}"}
                    before, started = statements, time.perf_counter()
                    if step == "create":
                        response = await client.post(f"/api/v1/plans/{PLAN}/submissions", headers=headers,
                                                     json=body(values))
                    else:
                        submission = (await client.get(f"/api/v1/plans/{PLAN}/submissions", headers=headers)
                                      ).json()["items"][0]
                        before, started = statements, time.perf_counter()
                        content = body(values, 0.05)
                        del content["year"], content["kind"]
                        response = await client.put(f"/api/v1/submissions/{submission['id']}", json=content,
                                                    headers={**headers, "If-Match": submission["etag"]})
                    timings.append((time.perf_counter() - started) * 1000)
                    counted.append(statements - before)
                    assert response.status_code in (200, 201), response.text
                    created.append(response.json()["id"])
                p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
                print(f"{label:14} {values} values: median {statistics.median(timings):7.1f} ms, p95 {p95:7.1f} ms, "
                      f"{statistics.median(counted):5.0f} statements per request (requests: {len(timings)})")


async def admin(server: str, statement: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--values", type=int, default=100)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if not args.postgres:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/bench.db"
            migrate(url)
            asyncio.run(run(url, args.requests, args.values))
        return
    server = Settings(database_url=args.server).database_url
    name = f"fep_bench_write_{os.getpid()}"
    asyncio.run(admin(server, f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        migrate(url)
        asyncio.run(run(url, args.requests, args.values))
    finally:
        asyncio.run(admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
