"""Report benchmark: a 150-target plan's XLSX status report and DOCX evaluation draft, against floors of the run.

    .venv/bin/python bench/reports.py [--rounds 15] [--database-url URL]

Without --database-url a temporary SQLite database is used (with a PostgreSQL URL, give an empty database). The
150-target plan of bench/pipeline.py is loaded with its 16 member units, each leading every 16th goal; annual
cycles for 2022 and 2023 (past due) are opened and every unit but the last reports its led indicators for both
years with a narrative, accepted by the office, so that the report has values, projections, warnings, one
overdue unit and fifteen narratives.

Each round runs, in alternating order, in process on one session each:
- floor A: the one SQL query reading the plan's stored verdicts for 2023 (`stored_verdicts`, what GET …/status
  reads, parsed);
- floor B: openpyxl writing a plain sheet of the same size as the report's domain sheets (one row per target,
  13 text columns, no styles) to bytes;
- the status report (`reports.service.status_report`: reads, completeness, the workbook) and the evaluation draft
  (`reports.service.evaluation_report`).
Prints medians in ms and the ratios of the reports to each floor, and the SQL statements per report. The goal is
under one second per report; absolute times depend on the machine's neighbours, ratios much less.
"""

import argparse
import asyncio
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from openpyxl import Workbook
from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.auth.actor import CLI_ACTOR  # noqa: E402
from app.auth.service import create_token  # noqa: E402
from app.cli import in_transaction, migrate  # noqa: E402
from app.core.clock import today  # noqa: E402
from app.db import create_engine, make_sessionmaker  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Indicator, Plan, Target  # noqa: E402
from app.models.enums import CycleKind, Role  # noqa: E402
from app.plans.seeding import load_plans  # noqa: E402
from app.reports import service as reports  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.status.service import stored_verdicts  # noqa: E402
from bench.pipeline import (  # noqa: E402
    COMMITTEE,
    UNIT_NAMES,
    UNITS,
    assignments,
    plan_document,
    plan_targets,
    reported_value,
)

PLAN, TARGETS, YEAR = "bench-reports", 150, 2023


async def setup(url: str) -> None:
    await in_transaction(url, lambda s: load_plans(s, [plan_document(PLAN, TARGETS)]))
    admin, _ = await in_transaction(url, lambda s: create_token(s, CLI_ACTOR, role=Role.admin, name="bench"))
    app = create_app(Settings(database_url=url, log_level="WARNING"))
    engine = create_engine(url)
    app.state.sessionmaker = make_sessionmaker(engine)
    headers = {"Authorization": f"Bearer {admin}"}

    async def call(method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = await client.request(method, f"/api/v1{path}", headers=headers, **kwargs)
        assert response.status_code == expect, response.text
        return response.json()

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench",
                                 timeout=120) as client:
        for code, name in zip(UNITS, UNIT_NAMES, strict=True):
            await call("POST", "/units", 201, json={"code": code, "committee_code": COMMITTEE["code"], "name": name})
        rows = [row for row in assignments(PLAN, TARGETS, []) if row["role"] == "lead"]
        await call("PUT", f"/plans/{PLAN}/assignments", json={"assignments": rows})
        for year in (YEAR - 1, YEAR):
            await call("POST", f"/plans/{PLAN}/cycles", 201, json={"year": year, "kind": "annual"})
        leads = {row["task"]: row["unit"] for row in rows}
        specs = plan_targets(TARGETS)
        for year in (YEAR - 1, YEAR):
            for unit in UNITS[:-1]:  # the last unit never reports: overdue
                mine = [spec for spec in specs if leads[spec.goal] == unit]
                # Each year a little worse for every third target, so that some are projected to miss.
                values = [{"target": spec.code, "value": reported_value(spec, year) * (
                    1.15 if spec.number % 3 == 0 and year == YEAR and spec.op != ">=" else 1)} for spec in mine]
                created = await call("POST", f"/plans/{PLAN}/submissions", 201, json={
                    "unit": unit, "year": year, "kind": "annual", "submit": True, "values": values,
                    "narrative": {"achievements": f"{unit}：各项工作按计划推进。" * 5,
                                  "problems": "基层人员不足，数据报送不够及时。", "next_steps": "加强培训和督导。"}})
                await call("POST", f"/submissions/{created['id']}/review", json={"decision": "accept"})
    await engine.dispose()


async def run(url: str, rounds: int) -> None:
    await setup(url)
    engine = create_engine(url)
    sessions = make_sessionmaker(engine)
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    async with sessions() as session:
        plan = (await session.execute(select(Plan).where(Plan.code == PLAN))).scalar_one()
        width = len((await session.execute(select(Target.code).join(Indicator).where(
            Target.plan_id == plan.id))).all())
    day = today()

    async def verdicts() -> None:
        async with sessions() as session:
            await stored_verdicts(session, [plan], [YEAR], day)

    async def plain_sheet() -> None:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in range(width):
            sheet.append([f"W{row}.{column} 基准指标{row:03d}控制在以下" for column in range(13)])
        book.save(io.BytesIO())

    async def status_report() -> None:
        async with sessions() as session:
            await reports.status_report(session, CLI_ACTOR, PLAN, YEAR, day)

    async def evaluation_report() -> None:
        async with sessions() as session:
            await reports.evaluation_report(session, CLI_ACTOR, PLAN, YEAR, CycleKind.annual, day)

    subjects: dict[str, Callable[[], Awaitable[None]]] = {
        "floor A: SQL read of the stored verdicts": verdicts, "floor B: openpyxl plain sheet, same size": plain_sheet,
        "status report (XLSX)": status_report, "evaluation draft (DOCX)": evaluation_report}
    timings: dict[str, list[float]] = {name: [] for name in subjects}
    sql: dict[str, int] = {}
    for fn in subjects.values():
        await fn()  # warm up
    for round_number in range(rounds):
        order = list(subjects.items())
        for name, fn in order if round_number % 2 == 0 else reversed(order):
            statements = 0
            started = time.perf_counter()
            await fn()
            timings[name].append((time.perf_counter() - started) * 1000)
            sql[name] = statements
    await engine.dispose()
    medians = {name: statistics.median(values) for name, values in timings.items()}
    floor_a, floor_b = medians["floor A: SQL read of the stored verdicts"], medians[
        "floor B: openpyxl plain sheet, same size"]
    print(f"{width} targets, year {YEAR}, {rounds} rounds, medians")
    print(f"{'':44} {'ms':>8} {'× A':>7} {'× B':>7} {'SQL':>5}")
    for name, value in medians.items():
        print(f"{name:44} {value:8.1f} {value / floor_a:7.1f} {value / floor_b:7.1f} {sql[name]:5d}")
    slowest = max(medians["status report (XLSX)"], medians["evaluation draft (DOCX)"])
    print(f"goal < 1000 ms per report: {'met' if slowest < 1000 else 'NOT met'} (slowest {slowest:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = Settings(database_url=args.database_url or f"sqlite:///{tmp}/bench.db").database_url
        migrate(url)
        asyncio.run(run(url, args.rounds))


if __name__ == "__main__":
    main()
