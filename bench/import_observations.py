"""Bulk import benchmark: 100,000 observations in one request (JSON), with the summary checked.

    .venv/bin/python bench/import_observations.py [--rows 100000] [--units 10] [--sqlite]

By default a fresh PostgreSQL database `fep_bench_import_<pid>` is created on postgresql://postgres@127.0.0.1:5432
(or --server) and dropped at the end; --sqlite uses a temporary SQLite file. The seed plans are loaded, `--units`
units are assigned W1.2 with a 2024 annual cycle open, and the office imports, for each unit, one indicator for
many age groups and the three sexes (consistent values, so no warnings). The request goes
through the app in-process (httpx ASGI transport). Prints the
time and values per second of a dry run, the first (real) import and a second import changing a third of the values.
"""

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
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


async def arrange(url: str, units: int) -> tuple[list[str], str]:
    engine = create_engine(url)
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
        token, _ = await create_token(session, CLI_ACTOR, role=Role.admin, name="统计局")
        await session.commit()
    await engine.dispose()
    return codes, token


def rows(codes: list[str], total: int, bump: float) -> list[dict[str, Any]]:
    per_unit = total // len(codes)
    out = []
    for code in codes:
        for i in range(per_unit):  # the three sexes of an age group alike: consistent data, no warnings
            group = i // 3
            value = 6.0 + (group % 7) / 10 + (bump if group % 3 == 0 else 0.0)
            out.append({"unit": code, "target": "W1.2a", "year": 2024, "value": round(value, 2),
                        "sex": ("total", "female", "male")[i % 3], "age_group": f"{i // 3}岁"})
    return out


async def run(url: str, total: int, units: int) -> None:
    codes, token = await arrange(url, units)
    app = create_app(Settings(database_url=url, log_level="WARNING"))
    headers = {"Authorization": f"Bearer {token}"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
            first, second = rows(codes, total, 0.0), rows(codes, total, 0.5)
            n = len(first)
            for label, body, expected in (
                    ("dry run", {"rows": first}, (n, 0, 0)),
                    ("import (new submissions)", {"dry_run": False, "rows": first}, (n, 0, 0)),
                    ("re-import, a third changed", {"dry_run": False, "rows": second},
                     (0, sum(1 for r in range(n) if (r % (n // units)) // 3 % 3 == 0), None))):
                started = time.perf_counter()
                response = await client.post(f"/api/v1/plans/{PLAN}/observations/import", headers=headers, json=body)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200, response.text[:2000]
                summary = response.json()
                got = (summary["imported"], summary["updated"], summary["unchanged"])
                want = (expected[0], expected[1], n - expected[0] - expected[1])
                assert got == want, (got, want)
                print(f"{label:28} {n:7} rows: {elapsed:6.2f} s, {n / elapsed:8.0f} values/s "
                      f"(imported {got[0]}, updated {got[1]}, unchanged {got[2]})")


async def admin(server: str, statement: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/bench.db"
            migrate(url)
            asyncio.run(run(url, args.rows, args.units))
        return
    server = Settings(database_url=args.server).database_url
    name = f"fep_bench_import_{os.getpid()}"
    asyncio.run(admin(server, f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        migrate(url)
        asyncio.run(run(url, args.rows, args.units))
    finally:
        asyncio.run(admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
