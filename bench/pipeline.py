"""Verdict-pipeline benchmark on PostgreSQL: each measurement as a ratio to a floor measured in the same run.

    .venv/bin/python bench/pipeline.py [--quick] [--units 1-16] [--json FILE] [--database-url URL] [--keep] [--rows 2,4]

It creates a fresh database `fep_bench_<pid>` on the server of --database-url (default
postgresql://postgres@127.0.0.1:5432/postgres), migrates it and starts the real service as a subprocess
(`uvicorn app.main:create_app --factory --workers 2`) on a free port, and talks HTTP to it. The database is dropped
at the end (unless --keep).

Data: one committee with 16 member units and three generated plans (2021–2030) of 100, 150 and 600 numeric targets,
each target on its own indicator, in goals of one to three targets (`plan_document`, loaded by the seed loader: the
REST import takes plan texts, not seed documents). Through the REST API: the units; the assignments (each unit leads
every 16th goal; the statistics bureau supports every goal of every plan, as in `seed --demo`, and in the 600-target
plan seven more units do, so that row 4 has eight units able to send 2,000 values); annual, mid-term, final and
base-year cycles, all open now and due next year (nothing is late). Then `--units` units report four years
(2021–2024) of their led indicators, accepted. Everyone reports the same number for an indicator and year, so no
value conflicts. Units send with their own tokens, the office accepts with an admin token.

Each row alternates floor and subject (ABBA order) for a number of rounds (`Rounds`: a minimum, more while within a
time budget) and reports medians:

1. create (draft), submit and accept of a 100-value submission; floor: asyncpg `executemany` of the same 100 rows
   into a temporary copy of the observation table, in one transaction.
2. GET /plans/{code}/status of the 150-target plan; floor: the one SQL query reading its accepted values.
   SQL statements per request at 150 and 600 targets.
3. The GraphQL dashboard of bench/status.py against REST plan + goals + status.
4. Bulk: 2,000-value submissions (create with submit, then accept) from 8 concurrent clients, values/s; floor:
   COPY (asyncpg copy_records_to_table) of the same rows from 8 connections. `BULK_PATHS`: through submissions,
   and through the bulk import of observations (the office's import of each unit's rows, landing accepted). Each
   round's slot and rate is printed too: values of a year up to this one republish stored verdicts (under the
   plan's lock), a later year's do not.
5. Create latency (p50/p95/p99) and creates/s at 1, 4 and 16 concurrent clients, each create a unit's own annual
   values in the 150-target plan; floor: executemany of the same rows at the same concurrency.
6. The first change-feed poll after the date changes against a following poll: time and SQL statements; and, where
   the version has a worker, its daily catch-up (now where that work happens), in process.

No assertions: it prints a table (`--json FILE` also writes the numbers). Statements are counted with
pg_stat_statements when the server has it loaded (shared_preload_libraries), else by running the same request in
process through the ASGI app with a SQLAlchemy `before_cursor_execute` counter (as bench/status.py does). The
machine's load average is printed first: ratios are taken in the same run, absolute times depend on neighbours.
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
sys.path.insert(1, str(BENCH_DIR))

from status import DASHBOARD  # noqa: E402  # the GraphQL dashboard query of bench/status.py

from app.auth.actor import CLI_ACTOR  # noqa: E402
from app.auth.service import create_token  # noqa: E402
from app.cli import in_transaction, migrate  # noqa: E402
from app.core.clock import today  # noqa: E402
from app.db import create_engine, make_sessionmaker  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models.enums import Role  # noqa: E402
from app.plans.plan_document import PlanDocument  # noqa: E402
from app.plans.seeding import load_plans  # noqa: E402
from app.settings import PROJECT_ROOT, Settings  # noqa: E402

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
API = "/api/v1"

# --- sizes --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rounds:
    """At least `least` rounds, more while under `seconds`, at most `most`: a slow service still finishes in
    time, a fast one gets steadier medians."""

    least: int
    most: int
    seconds: float


@dataclass(frozen=True)
class Sizes:
    units: int = 16  # units that report the background years, of the committee's 16 (most of the setup time)
    years: int = 4  # background years of accepted submissions, from the plans' first year
    pipeline: Rounds = Rounds(5, 7, 10)  # row 1 (at most 7: the free annual, mid-term and final cycles)
    reads: Rounds = Rounds(10, 60, 6)  # rows 2 and 3
    bulk: Rounds = Rounds(1, 5, 25)  # row 4 (at most 5 per reporter: see Slots); a round is 16,000 values
    bulk_clients: int = 8
    bulk_values: int = 2000
    latency_creates: tuple[tuple[int, int], ...] = ((1, 24), (4, 40), (16, 64))  # (clients, creates)
    feed: Rounds = Rounds(3, 8, 12)  # row 6

    @classmethod
    def quick(cls, units: int) -> "Sizes":
        return cls(units=min(units, 2), pipeline=Rounds(3, 3, 0), reads=Rounds(5, 5, 0), bulk=Rounds(1, 1, 0),
                   latency_creates=((1, 8), (4, 16), (16, 32)), feed=Rounds(2, 2, 0))


# --- generated data: edit here when the plan format or the API changes --------------------------------------

COMMITTEE = {"code": "110199", "name": "基准区妇女儿童工作委员会", "region": "基准区"}
START_YEAR, END_YEAR = 2021, 2030
UNIT_SUFFIXES = ("tjj", "wjw", "jw", "mzj", "rsj", "fl", "gafj", "fy", "jcy", "sfj", "zzb", "whly", "sthj", "zgh",
                 "tyj", "ybj")
UNIT_NAMES = ("区统计局", "区卫生健康委", "区教委", "区民政局", "区人力社保局", "区妇联", "区公安分局", "区法院",
              "区检察院", "区司法局", "区委组织部", "区文化和旅游局", "区生态环境局", "区总工会", "区体育局",
              "区医保局")
UNITS = [f"bench-{suffix}" for suffix in UNIT_SUFFIXES]
STATISTICS = UNITS[0]  # supports every goal of every plan (as `seed --demo` has the statistics bureau do)
# (plan code, targets, bulk reporters: units that support every goal, so each can send a value of every indicator)
PLANS = (("bench-100", 100, UNITS[:1]), ("bench-150", 150, UNITS[:1]), ("bench-600", 600, UNITS[:8]))
P100, P150, P600 = (code for code, _, _ in PLANS)
GROUPS = (("total", "all", "all"), ("female", "all", "all"), ("male", "all", "all"), ("total", "all", "urban"),
          ("total", "all", "rural"))  # breakdowns used to reach 2,000 values with 600 indicators


@dataclass(frozen=True)
class TargetSpec:
    number: int  # 1-based, in plan order
    code: str  # W1.2a
    goal: str  # W1.2
    op: str
    value: float
    unit: str


def plan_targets(targets: int) -> list[TargetSpec]:
    """Numeric targets, each on its own indicator; goals of 1, 2, 3, 1, 2, 3 … targets, ten goals per domain,
    domains alternating between the women's (W) and the children's (C) part."""
    specs: list[TargetSpec] = []
    sizes = itertools.cycle((1, 2, 3))
    goal_number = 0
    while len(specs) < targets:
        domain_index, seq = divmod(goal_number, 10)
        domain = f"{'WC'[domain_index % 2]}{domain_index // 2 + 1}"
        goal = f"{domain}.{seq + 1}"
        for letter in "abc"[:min(next(sizes), targets - len(specs))]:
            n = len(specs) + 1
            op, value, unit = (">=", float(80 + n % 15), "%") if n % 2 else ("<=", float(5 + n % 10), "‰")
            specs.append(TargetSpec(n, f"{goal}{letter}", goal, op, value, unit))
        goal_number += 1
    return specs


def plan_document(code: str, targets: int) -> PlanDocument:
    """A plan in the seed file format (seeds/plans/*.yaml, app/plans/seeding.py)."""
    specs = plan_targets(targets)
    tag = code.removeprefix("bench-")
    domains: dict[str, dict[str, Any]] = {}
    goals: dict[str, dict[str, Any]] = {}
    for spec in specs:
        domain_code = spec.goal.split(".")[0]
        domain = domains.setdefault(domain_code, {
            "code": domain_code, "part": domain_code[0], "seq": int(domain_code[1:]),
            "title": f"基准领域{domain_code}", "subtitle": None, "inferred": False, "goals": [], "measures": []})
        if spec.goal not in goals:
            goals[spec.goal] = {"code": spec.goal, "seq": int(spec.goal.split(".")[1]),
                                "number": spec.goal.split(".")[1], "title": None, "text": "", "targets": []}
            domain["goals"].append(goals[spec.goal])
        metric = f"基准{tag}指标{spec.number:03d}"
        verb, bound = ("达到", "以上") if spec.op == ">=" else ("控制在", "以下")
        sentence = f"{metric}{verb}{spec.value:g}{spec.unit}{bound}"
        goals[spec.goal]["text"] += sentence + "。"
        goals[spec.goal]["targets"].append({
            "code": spec.code, "metric": metric, "op": spec.op, "value": spec.value, "unit": spec.unit, "year": None,
            "per_year": False, "baseline_year": None, "tolerance": None, "direction": None,
            "review": False, "review_reason": None, "source_text": sentence})
    return PlanDocument.model_validate({
        "committee": COMMITTEE,
        "plan": {"code": code, "title": f"基准区妇女儿童发展规划（{targets}项指标）", "kind": "combined",
                 "start_year": START_YEAR, "end_year": END_YEAR, "doc_number": None, "issued_date": None,
                 "source_file": f"{code}.yaml", "anomalies": []},
        "domains": list(domains.values())})


def lead_of(goal_index: int) -> str:
    """Each unit leads every 16th goal."""
    return UNITS[goal_index % len(UNITS)]


def assignments(code: str, targets: int, reporters: Sequence[str]) -> list[dict[str, str]]:
    goals = list(dict.fromkeys(spec.goal for spec in plan_targets(targets)))
    rows = [{"task": goal, "unit": lead_of(i), "role": "lead"} for i, goal in enumerate(goals)]
    rows += [{"task": goal, "unit": unit, "role": "support"} for unit in reporters
             for i, goal in enumerate(goals) if lead_of(i) != unit]
    return rows


def reported_value(spec: TargetSpec, year: int) -> float:
    """The same number whoever reports it (no conflicts between units), a little different every year."""
    wobble = ((spec.number * 7 + year * 3) % 9 - 4) / 100  # -4 % … +4 %
    value = spec.value * (1 + wobble)
    return round(min(value, 100.0) if spec.unit == "%" else value, 2)


def values_body(specs: Sequence[TargetSpec], indicators: dict[str, str], year: int,
                count: int | None = None) -> list[dict[str, Any]]:
    """`values` of a submission: every spec's indicator for the totals, then by sex and area until `count`."""
    count = len(specs) if count is None else count
    values: list[dict[str, Any]] = []
    for sex, age_group, area in GROUPS:
        for spec in specs:
            if len(values) == count:
                return values
            values.append({"indicator": indicators[spec.code], "value": reported_value(spec, year), "sex": sex,
                           "age_group": age_group, "area": area})
    if len(values) < count:
        raise ValueError(f"{len(specs)} indicators give at most {len(values)} values, not {count}")
    return values


# --- the API client: edit here when the REST API changes ------------------------------------------------------


class ApiError(RuntimeError):
    pass


class Api:
    """The REST calls the benchmark makes, with the admin token and one token per unit."""

    def __init__(self, client: httpx.AsyncClient, admin: str, unit_tokens: dict[str, str]) -> None:
        self.client, self.admin, self.unit_tokens = client, admin, unit_tokens

    def _headers(self, unit: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.unit_tokens[unit] if unit else self.admin}"}

    async def call(self, method: str, path: str, *, unit: str | None = None, expect: int = 200,
                   **kwargs: Any) -> Any:
        response = await self.client.request(method, API + path, headers=self._headers(unit), **kwargs)
        if response.status_code != expect:
            raise ApiError(f"{method} {path}: {response.status_code} {response.text[:800]}")
        return response.json() if response.content else None

    async def create_unit(self, code: str, name: str) -> None:
        await self.call("POST", "/units", json={"code": code, "committee_code": COMMITTEE["code"], "name": name},
                        expect=201)

    async def replace_assignments(self, plan: str, rows: list[dict[str, str]]) -> None:
        await self.call("PUT", f"/plans/{plan}/assignments", json={"assignments": rows})

    async def create_cycle(self, plan: str, year: int, kind: str, opens_on: date, due_on: date) -> None:
        await self.call("POST", f"/plans/{plan}/cycles", expect=201, json={
            "year": year, "kind": kind, "opens_on": opens_on.isoformat(), "due_on": due_on.isoformat()})

    async def create_submission(self, plan: str, unit: str, year: int, kind: str, values: list[dict[str, Any]],
                                submit: bool) -> int:
        body = {"year": year, "kind": kind, "values": values, "submit": submit}
        return int((await self.call("POST", f"/plans/{plan}/submissions", unit=unit, json=body, expect=201))["id"])

    async def submit(self, submission_id: int, unit: str) -> None:
        await self.call("POST", f"/submissions/{submission_id}/submit", unit=unit)

    async def accept(self, submission_id: int) -> None:
        await self.call("POST", f"/submissions/{submission_id}/review", json={"decision": "accept"})

    async def get(self, path: str) -> Any:
        return await self.call("GET", path)

    async def graphql(self, query: str, variables: dict[str, Any]) -> Any:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables},
                                          headers=self._headers(None))
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise ApiError(f"graphql: {response.status_code} {response.text[:800]}")
        return body


class Slots:
    """Free (year, kind) cycles per plan and unit: a submission is unique per unit, plan, year and kind.

    Annual cycles after the background years come first, then the mid-term and final ones, then base years
    before the plan (cycles for those are created by `setup`)."""

    BASELINE_YEARS = 10

    def __init__(self, background_years: int) -> None:
        order = [(year, "annual") for year in range(START_YEAR + background_years, END_YEAR + 1)]
        order += [(START_YEAR + 2, "midterm"), (END_YEAR, "final")]
        order += [(START_YEAR - i, "baseline") for i in range(1, self.BASELINE_YEARS + 1)]
        self.order = order
        self.free: dict[tuple[str, str], Iterator[tuple[int, str]]] = {}

    def take(self, plan: str, unit: str) -> tuple[int, str]:
        slots = self.free.setdefault((plan, unit), iter(self.order))
        try:
            return next(slots)
        except StopIteration:
            raise RuntimeError(f"no free reporting cycle left for {unit} in {plan}; lower the rounds") from None


# --- database, service, statement counting ------------------------------------------------------------------


def plain_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def create_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(plain_dsn(server))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(plain_dsn(server))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def service(url: str, log: Path) -> AsyncIterator[str]:
    """The real service in a subprocess: `uvicorn app.main:create_app --factory --workers 2` (app.main has no
    module-level `app`; `python -m app serve` runs the same factory)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "HOST": "127.0.0.1", "PORT": str(port)}
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--workers", "2", "--host",
            "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=2) as probe:
            for _ in range(300):
                if process.returncode is not None:
                    output = await asyncio.to_thread(log.read_text)
                    raise RuntimeError(f"the service exited ({process.returncode}): {output[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await probe.get("/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                output = await asyncio.to_thread(log.read_text)
                raise RuntimeError(f"the service did not start: {output[-2000:]}")
        yield base
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()


class InProcess:
    """The same app in this process on its own engine, counting SQL statements (bench/status.py's Meter)."""

    def __init__(self, url: str, admin: str) -> None:
        self.app = create_app(Settings(database_url=url, log_level="WARNING"))
        self.engine = create_engine(url)
        self.app.state.sessionmaker = make_sessionmaker(self.engine)
        self.statements = 0
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._count)
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://bench",
                                        timeout=300)
        self.api = Api(self.client, admin, {})

    def _count(self, *_args: object) -> None:
        self.statements += 1

    async def close(self) -> None:
        await self.client.aclose()
        await self.engine.dispose()


class StatementCounter:
    """SQL statements one call makes: pg_stat_statements on the server when loaded, else in process."""

    def __init__(self, db: asyncpg.Connection, in_process: InProcess, server_api: Api) -> None:
        self.db, self.in_process, self.server_api = db, in_process, server_api
        self.method = "in-process before_cursor_execute counter (pg_stat_statements is not loaded)"
        self.pgss = False

    async def detect(self) -> None:
        try:
            await self.db.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            await self.db.fetchval("SELECT count(*) FROM pg_stat_statements")
        except asyncpg.PostgresError:
            return
        self.pgss = True
        self.method = "pg_stat_statements on the server"

    async def count(self, call: Callable[[Api], Awaitable[Any]]) -> int:
        """Run `call` once and return its statements (BEGIN/COMMIT and the like not counted)."""
        if not self.pgss:
            self.in_process.statements = 0
            await call(self.in_process.api)
            return self.in_process.statements
        oid = await self.db.fetchval("SELECT oid FROM pg_database WHERE datname = current_database()")
        await self.db.execute("SELECT pg_stat_statements_reset(0, $1, 0)", oid)
        await call(self.server_api)
        return int(await self.db.fetchval(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE dbid = $1 AND query !~* "
            "'^\\s*(begin|commit|rollback|savepoint|release|set|show|select pg_stat_statements|select 1$)'", oid))


# --- floors: the same rows, straight into PostgreSQL ---------------------------------------------------------

FLOOR_TABLE = "bench_observation"


class Floor:
    """Direct asyncpg connections, each with a temporary copy of the observation table (same columns, defaults
    and indexes; no foreign keys)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.connections: list[asyncpg.Connection] = []
        self.columns: list[str] = []
        self.revision_ids = itertools.count(1_000_000_000)  # a fresh revision per batch: the unique key holds

    async def open(self, count: int) -> None:
        for _ in range(count):
            conn = await asyncpg.connect(self.dsn)
            await conn.execute(f"CREATE TEMP TABLE {FLOOR_TABLE} (LIKE observation INCLUDING DEFAULTS "
                               "INCLUDING INDEXES)")
            self.connections.append(conn)
        self.columns = [row["attname"] for row in await self.connections[0].fetch(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'observation'::regclass AND attnum > 0 "
            "AND NOT attisdropped AND attname <> 'id' ORDER BY attnum")]

    async def close(self) -> None:
        for conn in self.connections:
            await conn.close()

    def records(self, values: list[dict[str, Any]], indicators: dict[str, tuple[int, str]]) -> list[tuple[Any, ...]]:
        """Observation rows for a submission's `values` (indicator code → (id, unit)), as the service stores them;
        columns this does not know are left NULL."""
        revision_id = next(self.revision_ids)
        rows = []
        for value in values:
            indicator_id, unit = indicators[value["indicator"]]
            row = {"revision_id": revision_id, "indicator_id": indicator_id, "target_id": None,
                   "value": value["value"], "unit": unit, "reported_value": value["value"], "reported_unit": unit,
                   "sex": value["sex"], "age_group": value["age_group"], "area": value["area"], "source": None,
                   "note": None, "warnings": "[]", "justification": None}
            rows.append(tuple(row.get(column) for column in self.columns))
        return rows

    async def executemany(self, conn: asyncpg.Connection, records: list[tuple[Any, ...]]) -> None:
        placeholders = ", ".join(f"${i}" for i in range(1, len(self.columns) + 1))
        async with conn.transaction():
            await conn.executemany(f"INSERT INTO {FLOOR_TABLE} ({', '.join(self.columns)}) VALUES ({placeholders})",
                                   records)

    async def copy(self, conn: asyncpg.Connection, records: list[tuple[Any, ...]]) -> None:
        async with conn.transaction():
            await conn.copy_records_to_table(FLOOR_TABLE, records=records, columns=self.columns)


# --- measuring -------------------------------------------------------------------------------------------------


def ms(seconds: float) -> float:
    return seconds * 1000


async def timed(awaitable: Awaitable[Any]) -> float:
    """Seconds until `awaitable` is done (a coroutine does nothing before it is awaited)."""
    started = time.perf_counter()
    await awaitable
    return time.perf_counter() - started


async def alternate(rounds: Rounds | int, floor: Callable[[], Awaitable[Any]],
                    subject: Callable[[], Awaitable[Any]]) -> int:
    """Floor and subject alternately, ABBA, so drift (caches, autovacuum, neighbours) hits both alike; returns
    the number of rounds."""
    rounds = Rounds(rounds, rounds, 0) if isinstance(rounds, int) else rounds
    started = time.perf_counter()
    done = 0
    while done < rounds.least or (done < rounds.most and time.perf_counter() - started < rounds.seconds):
        for call in ((floor, subject) if done % 2 == 0 else (subject, floor)):
            await call()
        done += 1
    return done


def percentile(samples: Sequence[float], q: int) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


@dataclass
class Result:
    row: int
    name: str
    value: float
    unit: str
    floor: float | None = None
    ratio: float | None = None
    ratio_of: str = ""
    goal: str = ""
    met: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def goal(ratio: float, op: str, bound: float) -> tuple[str, bool]:
    return f"{op} {bound:g}", ratio >= bound if op == "≥" else ratio <= bound if op == "≤" else ratio < bound


# --- the benchmark -------------------------------------------------------------------------------------------


@dataclass
class Bench:
    sizes: Sizes
    api: Api
    db: asyncpg.Connection
    floor: Floor
    counter: StatementCounter
    slots: Slots
    specs: dict[str, list[TargetSpec]]
    indicator_codes: dict[str, dict[str, str]]  # plan → target code → indicator code
    indicator_rows: dict[str, tuple[int, str]]  # indicator code → (id, unit)
    in_process: InProcess
    results: list[Result] = field(default_factory=list)

    def add(self, result: Result) -> None:
        self.results.append(result)
        print_result(result)

    def led_specs(self, plan: str, unit: str) -> list[TargetSpec]:
        goals = list(dict.fromkeys(spec.goal for spec in self.specs[plan]))
        led = {goal for i, goal in enumerate(goals) if lead_of(i) == unit}
        return [spec for spec in self.specs[plan] if spec.goal in led]

    def values(self, plan: str, unit: str | None, year: int, count: int | None = None) -> list[dict[str, Any]]:
        """Values of the unit's led indicators, or with `unit=None` of every indicator of the plan."""
        specs = self.specs[plan] if unit is None else self.led_specs(plan, unit)
        return values_body(specs, self.indicator_codes[plan], year, count)

    # 1 ------------------------------------------------------------------------------------------------------
    async def row1_pipeline(self) -> None:
        creates: list[float] = []
        submits: list[float] = []
        accepts: list[float] = []
        floors: list[float] = []
        warm = True

        async def subject() -> None:
            nonlocal warm
            year, kind = self.slots.take(P100, STATISTICS)
            values = self.values(P100, None, year)
            started = time.perf_counter()
            submission = await self.api.create_submission(P100, STATISTICS, year, kind, values, submit=False)
            created = time.perf_counter()
            await self.api.submit(submission, STATISTICS)
            submitted = time.perf_counter()
            await self.api.accept(submission)
            accepted = time.perf_counter()
            if not warm:
                creates.append(created - started)
                submits.append(submitted - created)
                accepts.append(accepted - submitted)

        async def floor() -> None:
            records = self.floor.records(self.values(P100, None, START_YEAR), self.indicator_rows)
            elapsed = await timed(self.floor.executemany(self.floor.connections[0], records))
            if not warm:
                floors.append(elapsed)

        await alternate(1, floor, subject)
        warm = False
        await alternate(self.sizes.pipeline, floor, subject)
        create, submit, accept, base = (statistics.median(s) for s in (creates, submits, accepts, floors))
        text, met = goal(base / create, "≥", 0.30)
        self.add(Result(1, "create, 100 values (draft)", ms(create), "ms", ms(base), base / create,
                        "floor/create", text, met))
        self.add(Result(1, "submit", ms(submit), "ms"))
        text, met = goal(accept / create, "≤", 3)
        self.add(Result(1, "accept (re-evaluate, publish)", ms(accept), "ms", None, accept / create,
                        "accept/create", text, met))

    # 2 ------------------------------------------------------------------------------------------------------
    async def row2_status(self) -> None:
        year = START_YEAR + self.sizes.years - 1
        plan_id = await self.db.fetchval("SELECT id FROM plan WHERE code = $1", P150)
        query = ("SELECT o.indicator_id, o.value, o.sex, o.age_group, o.area, s.unit_id, s.year, s.reviewed_at "
                 "FROM observation o JOIN submission_revision r ON r.id = o.revision_id "
                 "JOIN submission s ON s.id = r.submission_id AND r.revision = s.accepted_revision "
                 "WHERE s.plan_id = $1")
        subjects: list[float] = []
        floors: list[float] = []
        path = f"/plans/{P150}/status?year={year}"

        async def subject() -> None:
            subjects.append(await timed(self.api.get(path)))

        async def floor() -> None:
            floors.append(await timed(self.db.fetch(query, plan_id)))

        await alternate(2, floor, subject)  # warm up
        subjects.clear()
        floors.clear()
        await alternate(self.sizes.reads, floor, subject)
        rows = len(await self.db.fetch(query, plan_id))
        status, base = statistics.median(subjects), statistics.median(floors)
        text, met = goal(status / base, "≤", 2)
        counts = {}
        for plan in (P150, P600):
            await self.counter.count(lambda api, p=plan: api.get(f"/plans/{p}/status?year={year}"))  # warm
            counts[plan] = await self.counter.count(lambda api, p=plan: api.get(f"/plans/{p}/status?year={year}"))
        self.add(Result(2, f"GET status, 150 targets ({rows} values)", ms(status), "ms", ms(base), status / base,
                        "status/floor", text, met, {"floor_rows": rows}))
        for plan, count in counts.items():
            self.add(Result(2, f"  SQL statements per status read, {plan.split('-')[1]} targets", count, "stmts"))

    # 3 ------------------------------------------------------------------------------------------------------
    async def row3_dashboard(self) -> None:
        year = START_YEAR + self.sizes.years - 1
        variables = {"code": P150, "year": year}
        graphql: list[float] = []
        rest: list[float] = []

        async def trio(api: Api) -> None:
            await api.get(f"/plans/{P150}")
            await api.get(f"/plans/{P150}/goals?limit=500")
            await api.get(f"/plans/{P150}/status?year={year}")

        async def subject() -> None:
            graphql.append(await timed(self.api.graphql(DASHBOARD, variables)))

        async def floor() -> None:
            rest.append(await timed(trio(self.api)))

        await alternate(2, floor, subject)
        graphql.clear()
        rest.clear()
        await alternate(self.sizes.reads, floor, subject)
        dashboard, base = statistics.median(graphql), statistics.median(rest)
        text, met = goal(dashboard / base, "≤", 1.5)
        gql_sql = await self.counter.count(lambda api: api.graphql(DASHBOARD, variables))
        rest_sql = await self.counter.count(trio)
        self.add(Result(3, "GraphQL dashboard, 150 targets", ms(dashboard), "ms", ms(base), dashboard / base,
                        "graphql/rest", text, met, {"graphql_statements": gql_sql, "rest_statements": rest_sql}))
        self.add(Result(3, "  SQL statements: GraphQL | REST plan+goals+status", gql_sql, "stmts",
                        float(rest_sql)))

    # 4 ------------------------------------------------------------------------------------------------------
    async def row4_bulk(self) -> None:
        reporters = next(units for code, _, units in PLANS if code == P600)[:self.sizes.bulk_clients]
        count = self.sizes.bulk_values
        for conn in self.floor.connections[:len(reporters)]:  # warm the COPY path; rows 1-3 warmed the service
            await self.floor.copy(conn, self.floor.records(self.values(P600, None, START_YEAR, 10),
                                                           self.indicator_rows))
        for path in BULK_PATHS:
            if not path.available:
                self.add(Result(4, f"bulk: {path.name} (not in the API yet)", float("nan"), "values/s"))
                continue
            rates: list[float] = []
            floor_rates: list[float] = []
            steps: dict[str, list[float]] = {}
            labels: list[str] = []

            async def subject(path: BulkPath = path, rates: list[float] = rates,
                              steps: dict[str, list[float]] = steps, labels: list[str] = labels) -> None:
                jobs = []
                for unit in reporters:
                    year, kind = self.slots.take(P600, unit)
                    jobs.append(BulkJob(P600, unit, year, kind, self.values(P600, None, year, count)))
                started = time.perf_counter()
                timings = await asyncio.gather(*(path.run(self.api, job) for job in jobs))
                rates.append(len(jobs) * count / (time.perf_counter() - started))
                labels.append(f"{jobs[0].year} {jobs[0].kind}")
                for timing in timings:
                    for step, seconds in timing.items():
                        steps.setdefault(step, []).append(seconds)

            async def floor(floor_rates: list[float] = floor_rates) -> None:
                batches = [self.floor.records(self.values(P600, None, START_YEAR, count), self.indicator_rows)
                           for _ in reporters]
                elapsed = await timed(asyncio.gather(*(
                    self.floor.copy(conn, records) for conn, records in zip(self.floor.connections, batches,
                                                                             strict=False))))
                floor_rates.append(len(batches) * count / elapsed)

            rounds = await alternate(self.sizes.bulk, floor, subject)
            rate, base = statistics.median(rates), statistics.median(floor_rates)
            text, met = goal(rate, "≥", 20_000)
            self.add(Result(4, f"bulk: {path.name}, {len(reporters)}×{count} values", rate, "values/s", base,
                            rate / base, "subject/COPY", f"{text} values/s", met,
                            {"rounds": rounds, **{f"{step}_ms_median": ms(statistics.median(seconds))
                                                  for step, seconds in steps.items()}}))
            for step, seconds in steps.items():
                self.add(Result(4, f"  {step} of one {count}-value submission (median)",
                                ms(statistics.median(seconds)), "ms"))
            # Each round's slot: values of a year whose verdicts are stored (up to this year) republish them
            # under the plan's lock; later years' only wait for the next year's catch-up (stored_years).
            for label, round_rate in zip(labels, rates, strict=True):
                stored = int(label.split()[0]) <= today().year
                self.add(Result(4, f"  round {label} ({'publishes stored years' if stored else 'a later year'})",
                                round_rate, "values/s"))

    # 5 ------------------------------------------------------------------------------------------------------
    async def row5_latency(self) -> None:
        year_values = {unit: self.led_specs(P150, unit) for unit in UNITS}
        per_create = statistics.median(len(specs) for specs in year_values.values())
        for clients, creates in self.sizes.latency_creates:
            latencies: list[float] = []
            floor_latencies: list[float] = []
            wall = 0.0
            rounds = max(2, creates // (clients * 4))  # alternate in batches of about four creates per client
            per_round = [creates // rounds + (1 if i < creates % rounds else 0) for i in range(rounds)]
            batch = iter(per_round)
            floor_batch = iter(per_round)
            units = itertools.cycle(UNITS)

            async def subject(batch: Iterator[int] = batch, units: Iterator[str] = units,
                              latencies: list[float] = latencies, clients: int = clients) -> None:
                nonlocal wall
                jobs = [next(units) for _ in range(next(batch))]
                queue = list(reversed(jobs))

                async def client() -> None:
                    while queue:
                        unit = queue.pop()
                        year, kind = self.slots.take(P150, unit)
                        values = self.values(P150, unit, year)
                        latencies.append(await timed(self.api.create_submission(
                            P150, unit, year, kind, values, submit=False)))

                wall += await timed(asyncio.gather(*(client() for _ in range(clients))))

            async def floor(batch: Iterator[int] = floor_batch, latencies: list[float] = floor_latencies,
                            clients: int = clients) -> None:
                jobs = [self.floor.records(self.values(P150, unit, START_YEAR), self.indicator_rows)
                        for unit, _ in zip(itertools.cycle(UNITS), range(next(batch)), strict=False)]

                async def client(conn: asyncpg.Connection) -> None:
                    while jobs:
                        records = jobs.pop()
                        latencies.append(await timed(self.floor.executemany(conn, records)))

                await asyncio.gather(*(client(conn) for conn in self.floor.connections[:clients]))

            await alternate(rounds, floor, subject)
            p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
            floor_p50 = percentile(floor_latencies, 50)
            text, met = goal(ms(p99), "<", 100)
            self.add(Result(5, f"create ~{per_create:g} values, {clients:>2} client(s): p50", ms(p50), "ms",
                            ms(floor_p50), floor_p50 / p50, "floor/create", "", None,
                            {"clients": clients, "creates": len(latencies), "p95_ms": ms(p95), "p99_ms": ms(p99),
                             "creates_per_s": len(latencies) / wall}))
            self.add(Result(5, "  p95", ms(p95), "ms"))
            self.add(Result(5, "  p99", ms(p99), "ms", goal=f"{text} ms", met=met))
            self.add(Result(5, "  creates/s", len(latencies) / wall, "1/s"))

    # 6 ------------------------------------------------------------------------------------------------------
    async def row6_feed(self) -> None:
        path = "/status/changes?since=now"
        firsts: list[float] = []
        following: list[float] = []

        async def first() -> None:
            await pretend_a_new_day(self.db)
            firsts.append(await timed(self.api.get(path)))

        async def floor() -> None:
            following.append(await timed(self.api.get(path)))

        await floor()  # warm up (the day's refresh is done: setup polled)
        following.clear()
        await alternate(self.sizes.feed, floor, first)
        await pretend_a_new_day(self.db)
        first_sql = await self.counter.count(lambda api: api.get(path))
        next_sql = await self.counter.count(lambda api: api.get(path))
        first_time, next_time = statistics.median(firsts), statistics.median(following)
        self.add(Result(6, "first feed poll after the date changes", ms(first_time), "ms", ms(next_time),
                        first_time / next_time, "first/next", extra={"statements": first_sql}))
        self.add(Result(6, "  SQL statements: first poll | a following poll", first_sql, "stmts",
                        float(next_sql)))
        jobs: list[float] = []
        for _ in range(self.sizes.feed.least):
            await pretend_a_new_day(self.db)
            self.in_process.statements = 0
            started = time.perf_counter()
            if not await daily_catch_up(self.in_process.engine):
                return
            jobs.append(time.perf_counter() - started)
        self.add(Result(6, "worker's daily catch-up after the date changes", ms(statistics.median(jobs)), "ms",
                        extra={"statements": self.in_process.statements}))
        self.add(Result(6, "  SQL statements of the catch-up (in process)", self.in_process.statements, "stmts"))


@dataclass(frozen=True)
class BulkJob:
    plan: str
    unit: str
    year: int
    kind: str
    values: list[dict[str, Any]]


async def bulk_via_submissions(api: Api, job: BulkJob) -> dict[str, float]:
    """Bulk path 1: a submission created with `submit: true` by the unit, then accepted by the office."""
    started = time.perf_counter()
    submission = await api.create_submission(job.plan, job.unit, job.year, job.kind, job.values, submit=True)
    created = time.perf_counter()
    await api.accept(submission)
    return {"create+submit": created - started, "accept": time.perf_counter() - created}


async def bulk_via_observation_import(api: Api, job: BulkJob) -> dict[str, float]:
    """Bulk path 2: the office imports the unit's values (`POST /plans/{plan}/observations/import`, JSON, not a dry
    run); an admin's import lands accepted, the end state of path 1."""
    rows = [{"unit": job.unit, "year": job.year, "kind": job.kind, **value} for value in job.values]
    started = time.perf_counter()
    summary = await api.call("POST", f"/plans/{job.plan}/observations/import", json={"dry_run": False, "rows": rows})
    if summary["imported"] + summary["updated"] + summary["unchanged"] != len(rows):
        raise ApiError(f"import summary does not count every row: {summary}")
    return {"import": time.perf_counter() - started}


@dataclass(frozen=True)
class BulkPath:
    name: str
    run: Callable[[Api, BulkJob], Awaitable[dict[str, float]]]
    available: bool = True


BULK_PATHS = (BulkPath("create+submit, accept", bulk_via_submissions),
              BulkPath("POST observation import", bulk_via_observation_import))


async def daily_catch_up(engine: Any) -> bool:
    """The worker's daily catch-up (`python -m app worker`: every plan not yet computed today), in process on
    `engine`; False when this version has no worker (the first feed poll of a day did it)."""
    try:
        from app.worker.runner import daily_catch_up as job
    except ImportError:
        return False
    await job(make_sessionmaker(engine))
    return True


async def pretend_a_new_day(db: asyncpg.Connection) -> None:
    """Make every plan's daily refresh stale, as when the date has changed since the last one (table
    status_refresh: the worker's daily catch-up, formerly the feed's first read of a day, recomputes those plans)."""
    await db.execute("UPDATE status_refresh SET refreshed_on = refreshed_on - 1")


# --- setup ---------------------------------------------------------------------------------------------------


async def setup(url: str, api: Api, db: asyncpg.Connection, engine: Any) -> dict[str, Any]:
    """Plans (seed loader), units, assignments and cycles (REST), then the background years of accepted
    submissions (REST), and the first feed poll of the day."""
    started = time.perf_counter()
    documents = [plan_document(code, targets) for code, targets, _ in PLANS]
    committee = COMMITTEE["code"]
    await in_transaction(url, lambda session: load_plans(session, documents))
    for code, name in zip(UNITS, UNIT_NAMES, strict=True):
        await api.create_unit(code, name)
    for code, targets, reporters in PLANS:
        await api.replace_assignments(code, assignments(code, targets, reporters))
    opens_on, due_on = date(START_YEAR - Slots.BASELINE_YEARS, 1, 1), date(today().year + 1, 12, 31)
    for code, _, _ in PLANS:  # every cycle open now and due after today: nothing is late
        for year in range(START_YEAR, END_YEAR + 1):
            await api.create_cycle(code, year, "annual", opens_on, due_on)
        await api.create_cycle(code, START_YEAR + 2, "midterm", opens_on, due_on)
        await api.create_cycle(code, END_YEAR, "final", opens_on, due_on)
        for year in range(START_YEAR - Slots.BASELINE_YEARS, START_YEAR):
            await api.create_cycle(code, year, "baseline", opens_on, due_on)
    await api.get("/status/changes?since=now")  # the day's first poll (it caught up before there was a worker)
    await daily_catch_up(engine)  # as the worker does beside the service
    structure = time.perf_counter() - started
    rows = await db.fetch("SELECT p.code AS plan, t.code AS target, i.code AS indicator, i.id, i.unit FROM target t "
                          "JOIN plan p ON p.id = t.plan_id JOIN indicator i ON i.id = t.indicator_id "
                          "JOIN committee c ON c.id = p.committee_id WHERE c.code = $1", committee)
    indicator_codes: dict[str, dict[str, str]] = {}
    for row in rows:
        indicator_codes.setdefault(row["plan"], {})[row["target"]] = row["indicator"]
    return {"indicator_codes": indicator_codes,
            "indicator_rows": {row["indicator"]: (row["id"], row["unit"]) for row in rows},
            "structure_s": structure}


async def background(bench: Bench, sizes: Sizes) -> tuple[int, float]:
    """`sizes.units` units × `sizes.years` years × 3 plans: each unit reports its led indicators, accepted."""
    started = time.perf_counter()
    limit = asyncio.Semaphore(4)

    async def report(plan: str, unit: str, year: int) -> None:
        async with limit:
            await bulk_via_submissions(bench.api, BulkJob(plan, unit, year, "annual", bench.values(plan, unit, year)))

    jobs = [(plan, unit, year) for year in range(START_YEAR, START_YEAR + sizes.years) for plan, _, _ in PLANS
            for unit in UNITS[:sizes.units] if bench.led_specs(plan, unit)]
    for year in range(START_YEAR, START_YEAR + sizes.years):  # a year at a time: later years build on earlier
        await asyncio.gather(*(report(*job) for job in jobs if job[2] == year))
    return len(jobs), time.perf_counter() - started


# --- output --------------------------------------------------------------------------------------------------

HEADER = f"{'row':>3} {'measurement':52} {'value':>11} {'unit':8} {'floor':>10} {'ratio':>7} {'(of)':14} {'goal':16}"


def print_result(r: Result) -> None:
    def number(x: float | None) -> str:
        if x is None:
            return ""
        if x != x:  # NaN: not measured
            return "n/a"
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.2f}" if abs(x) < 100 else f"{x:.1f}"

    met = "" if r.met is None else (" yes" if r.met else " NO")
    ratio = f"{r.ratio:.3g}" if r.ratio is not None else ""
    print(f"{r.row:>3} {r.name:52} {number(r.value):>11} {r.unit:8} {number(r.floor):>10} {ratio:>7} "
          f"{r.ratio_of:14} {r.goal + met:16}", flush=True)


async def run(server: str, sizes: Sizes, keep: bool, json_path: Path | None, rows: set[int]) -> None:
    name = f"fep_bench_{os.getpid()}"
    url = Settings(database_url=plain_dsn(server, name)).database_url
    dsn = plain_dsn(server, name)
    await create_database(server, name)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"database {name} on {make_url(dsn).host}:{make_url(dsn).port or 5432}; {os.cpu_count()} CPUs, "
          f"load average {load}", flush=True)
    begun = time.perf_counter()
    try:
        await asyncio.to_thread(migrate, url)
        admin, _ = await in_transaction(url, lambda s: create_token(s, CLI_ACTOR, role=Role.admin, name="bench"))
        with tempfile.TemporaryDirectory() as tmp:
            async with service(url, Path(tmp) / "service.log") as base, \
                    httpx.AsyncClient(base_url=base, timeout=300, limits=httpx.Limits(max_connections=64)) as client:
                db = await asyncpg.connect(dsn)
                floor = Floor(dsn)
                in_process = InProcess(url, admin)
                try:
                    api = Api(client, admin, {})
                    facts = await setup(url, api, db, in_process.engine)
                    for unit in UNITS:  # the units exist now
                        api.unit_tokens[unit], _ = await in_transaction(url, lambda s, u=unit: create_token(
                            s, CLI_ACTOR, role=Role.unit, name=f"bench {u}", unit_code=u))
                    await floor.open(max(sizes.bulk_clients, *(c for c, _ in sizes.latency_creates)))
                    counter = StatementCounter(db, in_process, api)
                    await counter.detect()
                    bench = Bench(sizes, api, db, floor, counter, Slots(sizes.years),
                                  {code: plan_targets(targets) for code, targets, _ in PLANS},
                                  facts["indicator_codes"], facts["indicator_rows"], in_process)
                    submissions, seconds = await background(bench, sizes)
                    print(f"setup: 3 plans (100, 150, 600 targets), {len(UNITS)} units, cycles in "
                          f"{facts['structure_s']:.1f} s; {submissions} accepted background submissions "
                          f"({sizes.units} units × {sizes.years} years) in {seconds:.1f} s", flush=True)
                    print(f"SQL statements counted by {counter.method}", flush=True)
                    print(HEADER, flush=True)
                    started = time.perf_counter()
                    measured = (bench.row1_pipeline, bench.row2_status, bench.row3_dashboard, bench.row4_bulk,
                                bench.row5_latency, bench.row6_feed)
                    for number, measure in enumerate(measured, 1):
                        if number in rows:
                            await measure()
                    print(f"measured in {time.perf_counter() - started:.0f} s, "
                          f"{time.perf_counter() - begun:.0f} s in all", flush=True)
                    if json_path is not None:
                        meta = {"database": name, "sizes": asdict(sizes), "statements": counter.method,
                                "background_submissions": submissions}
                        await asyncio.to_thread(json_path.write_text, json.dumps(
                            {"meta": meta, "rows": [asdict(r) for r in bench.results]}, ensure_ascii=False,
                            indent=2, default=str) + "\n", "utf-8")
                finally:
                    await in_process.close()
                    await floor.close()
                    await db.close()
    finally:
        if keep:
            print(f"kept database {name}", flush=True)
        else:
            await drop_database(server, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_SERVER,
                        help="a PostgreSQL server (its maintenance database); the benchmark creates and drops "
                             "its own database there")
    parser.add_argument("--units", type=int, default=Sizes.units, choices=range(1, 17), metavar="1-16",
                        help=f"units that report four background years (default {Sizes.units}; --quick: at most "
                             f"{Sizes.quick(16).units})")
    parser.add_argument("--quick", action="store_true", help="fewer units and rounds")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--rows", type=lambda v: {int(r) for r in v.split(",")}, default=set(range(1, 7)),
                        metavar="1,2,…", help="measure only these rows (default: all six)")
    args = parser.parse_args()
    if make_url(Settings(database_url=args.database_url).database_url).get_backend_name() != "postgresql":
        parser.error("--database-url must name a PostgreSQL server")
    sizes = Sizes.quick(args.units) if args.quick else Sizes(units=args.units)
    asyncio.run(run(args.database_url, sizes, args.keep, args.json, args.rows))


if __name__ == "__main__":
    main()
