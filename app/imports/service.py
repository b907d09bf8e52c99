"""Bulk import of observations (the statistics bureau, units' own systems): REST (JSON or CSV) and GraphQL.

Rows name a unit, a year and kind, and a value as a submission's ``values`` do. Every row is checked with the
submissions' own rules (app/submissions/observations.py: resolve, convert, range, assignment, warnings; the cycle
rules of app/cycles/service.py); any refused row refuses the whole import (422, every refused row with its row
number, a stable code and the reason). Rows are grouped per (unit, year, kind); each group with a new or changed
value becomes a new revision of that unit's submission (created if missing), holding the previous revision's
content with the imported values in place of the same indicator and breakdown. An admin's import lands accepted
(office-reviewed, comment 批量导入), a unit's as submitted for review. Counting compares each value with the one
currently counted (the accepted revision's): imported (none yet), updated (different), unchanged (equal, or a row
repeating another). A group with nothing imported or updated writes nothing.

The checked rows go into a temporary staging table — by COPY on PostgreSQL, executemany on SQLite — and the
comparison and the inserts (carrying over the previous content, then the imported values) are set-based SQL.
"""

import csv
import hashlib
import io
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.actor import Actor
from app.auth.visibility import OTHER_UNIT
from app.core.i18n import t
from app.core.unstorable import unstorable_reason
from app.cycles.service import WriteWindow, check_cycle_year, write_window
from app.db import copy_rows
from app.errors import Conflict, ValidationFailed, pydantic_reason
from app.imports.schemas import CHINESE_COLUMNS, COLUMNS, MAX_ROWS, ImportedSubmission, ImportRow, ImportSummary
from app.models import Plan, Submission, Unit
from app.models.enums import CycleKind, Role
from app.plans.service import plan_by_code
from app.submissions.observations import CheckedValues, PlanIndicators, check_values, plan_indicators
from app.submissions.service import (
    assigned_tasks,
    close_import_revision,
    current_submissions,
    open_import_revision,
    refuse_unit_write,
)

ROWS = TypeAdapter(list[ImportRow])
GroupKey = tuple[int, int, CycleKind]  # unit id, year, kind
_VALUES_INDEX = re.compile(r"values\[(\d+)\]")


@dataclass(frozen=True)
class Rows:
    """Rows as received, before validation: JSON objects (or CSV records as dicts) and their row numbers."""

    items: list[Any]
    numbers: list[int]  # JSON: the index in `rows`; CSV: the line number, the header being line 1
    csv: bool = False

    def field(self, number: int, column: str | None = None) -> str:
        where = f"line {number}" if self.csv else f"rows[{number}]"
        return f"{where}.{column}" if column else where


@dataclass(slots=True)
class _Value:
    """A row as the submissions' checks read a value (validated as ImportRow, with ValueIn's constraints)."""

    indicator: str | None
    target: str | None
    value: float
    unit: str | None
    sex: str
    age_group: str
    area: str
    source: str | None
    note: str | None
    justification: str | None


@dataclass
class Group:
    unit: Unit
    year: int
    kind: CycleKind
    window: WriteWindow
    existing: tuple[Submission, int, int | None] | None  # head, current and accepted revision ids
    checked: CheckedValues
    numbers: list[int]  # row number of each checked row
    received: int  # rows of the group, repeats included


# --- parsing ----------------------------------------------------------------------------------------------

def json_rows(rows: Any) -> Rows:
    if not isinstance(rows, list):
        raise ValidationFailed.field("rows", t("must be a list"))
    _check_size(len(rows))
    return Rows(rows, list(range(len(rows))))


def csv_rows(body: bytes) -> Rows:
    """A CSV body (UTF-8, with or without BOM) with a header row naming the columns, in English or Chinese."""
    try:
        decoded = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed.field("body", t("the CSV must be UTF-8 text")) from None
    reader = csv.reader(io.StringIO(decoded, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise ValidationFailed.field("body", t("the CSV needs a header row naming the columns"))
        names = [_column(name) for name in header]
        for position, name in enumerate(names):
            if name is None:
                raise ValidationFailed.field("header", t("unknown column {name}; the columns are {columns}",
                                                         name=header[position].strip(), columns=", ".join(COLUMNS)))
            if names.index(name) != position:
                raise ValidationFailed.field("header", t("column {name} appears twice", name=header[position].strip()))
        items: list[Any] = []
        numbers: list[int] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (Excel adds them at the end)
            item: dict[str, Any] = {}
            for name, cell in zip(names, cells, strict=False):
                cell = cell.strip()
                if cell:
                    item[str(name)] = cell
            if len(cells) > len(names):
                item["_extra"] = cells[len(names):]  # refused by validation: more cells than columns
            for name, convert in (("year", int), ("value", float)):
                if name in item:
                    try:
                        item[name] = convert(item[name])
                    except ValueError:
                        pass  # left as text: validation says it must be a number
            items.append(item)
            numbers.append(reader.line_num)
            _check_size(len(items))
    except csv.Error as exc:
        raise ValidationFailed.field(f"line {reader.line_num}", t("not readable as CSV ({error})", error=str(exc))
                                     ) from None
    return Rows(items, numbers, csv=True)


def _column(name: str) -> str | None:
    cleaned = name.strip()
    if cleaned.lower() in COLUMNS:
        return cleaned.lower()
    return CHINESE_COLUMNS.get(cleaned)


def _check_size(count: int) -> None:
    if count > MAX_ROWS:
        raise ValidationFailed.field("rows", t("at most {max} rows per import; split the file", max=MAX_ROWS))


def _validate(rows: Rows, refusals: list[dict[str, Any]]) -> list[tuple[int, ImportRow]]:
    """Every row as an ImportRow, or a refusal per problem; one pass of pydantic when all are valid."""
    try:
        return list(zip(rows.numbers, ROWS.validate_python(rows.items), strict=True))
    except ValidationError as exc:
        bad: set[int] = set()
        for error in exc.errors():
            index = int(error["loc"][0])
            bad.add(index)
            column = ".".join(str(part) for part in error["loc"][1:]) or None
            number = rows.numbers[index]
            refusals.append({"field": rows.field(number, column), "code": error["type"],
                             "reason": pydantic_reason(error), "row": number})
    good = [i for i in range(len(rows.items)) if i not in bad]
    return list(zip([rows.numbers[i] for i in good], ROWS.validate_python([rows.items[i] for i in good]), strict=True))


def _unstorable(rows: Rows, lines: list[tuple[int, ImportRow]], refusals: list[dict[str, Any]]
                ) -> list[tuple[int, ImportRow]]:
    """CSV text the database cannot hold (a NUL); JSON bodies were checked by the request guard."""
    if not rows.csv:
        return lines
    kept = []
    for number, row in lines:
        found = next(((name, reason) for name, value in row if isinstance(value, str)
                      and (reason := unstorable_reason(value))), None)
        if found:
            refusals.append({"field": rows.field(number, found[0]), "code": "unstorable", "reason": found[1],
                             "row": number})
        else:
            kept.append((number, row))
    return kept


# --- the import -------------------------------------------------------------------------------------------

async def import_observations(session: AsyncSession, actor: Actor, plan_code: str, rows: Rows, *, dry_run: bool,
                              today: date) -> ImportSummary:
    plan = await plan_by_code(session, plan_code)
    for cache in ("import.units", "import.indicators"):  # per import (GraphQL may run several in one session)
        session.info.pop(cache, None)
    refusals: list[dict[str, Any]] = []
    lines = _unstorable(rows, _validate(rows, refusals), refusals)
    groups = await _group(session, actor, plan, rows, lines, refusals)
    existing = await current_submissions(session, plan, {key[0] for key in groups})
    checked = [group for key, members in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1], item[0][2]))
               if (group := await _check_group(session, actor, plan, rows, key, members, existing, today, refusals))]
    if refusals:
        refusals.sort(key=lambda refusal: refusal["row"])
        raise ValidationFailed(t("{refused} of {total} row(s) refused; nothing was imported.", refused=len(
            {r["row"] for r in refusals}), total=len(rows.items)), errors=refusals)
    staging = Staging(session)
    await staging.create()
    await staging.load(checked)
    counts = await staging.compare()
    written: dict[int, tuple[int, int]] = {}  # group number: (submission id, revision)
    if not dry_run:
        targets = {}
        for number, group in enumerate(checked):
            imported, updated = counts.get(number, (0, 0))
            if imported or updated:
                previous = group.existing[1] if group.existing else None
                targets[number] = await open_import_revision(
                    session, actor, plan, group.unit, group.year, group.kind, group.window,
                    group.existing[0] if group.existing else None, previous)
        await staging.write({number: (target.revision_id, target.previous_revision_id)
                             for number, target in targets.items()})
        for number, target in targets.items():
            group = checked[number]
            imported, updated = counts[number]
            summary = await close_import_revision(session, actor, plan, group.unit, target, {
                "imported": imported, "updated": updated, "unchanged": group.received - imported - updated})
            written[number] = (summary.id, summary.revision)
    await staging.drop()
    return _summary(rows, checked, counts, written, dry_run, accept=actor.role is not Role.unit)


async def _group(session: AsyncSession, actor: Actor, plan: Plan, rows: Rows, lines: list[tuple[int, ImportRow]],
                 refusals: list[dict[str, Any]]) -> dict[GroupKey, list[tuple[int, ImportRow]]]:
    """The rows per (unit, year, kind), after checking the units: a unit token imports only its own rows."""
    codes = {row.unit for _, row in lines if row.unit}
    if actor.role is Role.unit and actor.unit_code:
        codes.add(actor.unit_code)
    units = {u.code: u for u in (await session.execute(select(Unit).where(col(Unit.code).in_(codes)))).scalars()
             } if codes else {}
    groups: dict[GroupKey, list[tuple[int, ImportRow]]] = defaultdict(list)
    verdicts: dict[str | None, tuple[int, None] | tuple[None, tuple[str, str]]] = {}  # per code: unit id or why not
    for number, row in lines:
        code = row.unit or (actor.unit_code if actor.role is Role.unit else None)
        if code not in verdicts:
            verdicts[code] = _unit_verdict(actor, plan, code, units.get(code) if code else None)
        unit_id, problem = verdicts[code]
        if problem is not None:
            refusals.append({"field": rows.field(number, "unit"), "code": problem[0], "reason": problem[1],
                             "row": number})
            continue
        groups[(unit_id, row.year, row.kind)].append((number, row))  # type: ignore[index]
    session.info.setdefault("import.units", {}).update({u.id: u for u in units.values()})
    return groups


def _unit_verdict(actor: Actor, plan: Plan, code: str | None,
                  unit: Unit | None) -> tuple[int, None] | tuple[None, tuple[str, str]]:
    if code is None:
        return None, ("missing", t("name the unit (an admin imports for any unit of the plan's committee)"))
    if actor.role is Role.unit and code != actor.unit_code:
        return None, ("other_unit", t(OTHER_UNIT))
    if unit is None:
        return None, ("unknown_unit", t("no unit {code}", code=code))
    if unit.committee_id != plan.committee_id:
        return None, ("not_member", t("unit {code} is not a member of this plan's committee", code=code))
    if not unit.active:
        return None, ("inactive_unit", t("unit {code} is deactivated", code=code))
    return unit.id, None  # type: ignore[return-value]


async def _check_group(session: AsyncSession, actor: Actor, plan: Plan, rows: Rows, key: GroupKey,
                       members: list[tuple[int, ImportRow]],
                       existing: dict[tuple[int, int, str], tuple[Submission, int, int | None]], today: date,
                       refusals: list[dict[str, Any]]) -> Group | None:
    """The submissions' rules for one (unit, year, kind): its cycle, the unit's right to change it, its values."""
    unit: Unit = session.info["import.units"][key[0]]
    year, kind = key[1], key[2]

    def refuse_all(column: str, code: str, reason: str) -> None:
        refusals.extend({"field": rows.field(number, column), "code": code, "reason": reason, "row": number}
                        for number, _ in members)

    try:
        await check_cycle_year(session, plan, year, kind, "year")
    except ValidationFailed as exc:
        refuse_all("year", "year", (exc.errors or [{"reason": exc.detail}])[0]["reason"])
        return None
    try:
        window = await write_window(session, plan, year, kind, unit.id, today)  # type: ignore[arg-type]
    except Conflict as exc:
        refuse_all("year", "cycle", exc.detail)
        return None
    current = existing.get((unit.id, year, kind.value))  # type: ignore[arg-type]
    reason = refuse_unit_write(actor, current[0] if current else None)
    if reason:
        refuse_all("unit", "accepted", reason)
        return None
    assigned, known = await _unit_indicators(session, plan, unit)
    values = [_Value(row.indicator, row.target, row.value, row.unit_of_measure, row.sex, row.age_group, row.area,
                     row.source, row.note, row.justification) for _, row in members]
    checked = await check_values(session, plan, unit, year, values, assigned, known)
    for error in checked.errors:
        match = _VALUES_INDEX.match(error["field"])
        assert match is not None
        number = members[int(match.group(1))][0]
        column = error["field"][match.end():].lstrip(".") or None
        column = {"unit": "unit_of_measure"}.get(column or "", column)
        reason = _VALUES_INDEX.sub(lambda m: rows.field(members[int(m.group(1))][0]), error["reason"])
        refusals.append({"field": rows.field(number, column), "code": error.get("code", "invalid"), "reason": reason,
                         "row": number})
    if checked.errors:
        return None
    return Group(unit, year, kind, window, current, checked, [members[i][0] for i in checked.indices], len(members))


async def _unit_indicators(session: AsyncSession, plan: Plan, unit: Unit) -> tuple[set[tuple[str, int]],
                                                                                   PlanIndicators]:
    cache = session.info.setdefault("import.indicators", {})
    if unit.id not in cache:
        assigned = await assigned_tasks(session, plan, unit)
        cache[unit.id] = assigned, await plan_indicators(session, plan, unit, assigned)
    return cache[unit.id]


def _summary(rows: Rows, groups: Sequence[Group], counts: dict[int, tuple[int, int]],
             written: dict[int, tuple[int, int]], dry_run: bool, *, accept: bool) -> ImportSummary:
    items = []
    for number, group in enumerate(groups):
        imported, updated = counts.get(number, (0, 0))
        changes = bool(imported or updated)
        submission_id, revision = written.get(number, (None, None))
        if dry_run and group.existing:
            submission_id = group.existing[0].id
        if dry_run and changes:
            revision = group.existing[0].revision + 1 if group.existing else 1
        items.append(ImportedSubmission(
            unit=group.unit.code, year=group.year, kind=group.kind, submission_id=submission_id,
            revision=revision if changes else None, status=("accepted" if accept else "submitted") if changes else None,
            imported=imported, updated=updated, unchanged=group.received - imported - updated))
    return ImportSummary(dry_run=dry_run, rows=len(rows.items), imported=sum(i.imported for i in items),
                         updated=sum(i.updated for i in items), unchanged=sum(i.unchanged for i in items), refused=0,
                         submissions=items)


# --- the staging table ------------------------------------------------------------------------------------

STAGING_COLUMNS = ("row_no", "group_no", "counted_revision_id", "indicator_id", "target_id", "value", "unit",
                   "reported_value", "reported_unit", "sex", "age_group", "area", "source", "note", "warnings",
                   "justification")
_PG_TYPES = ("integer", "integer", "integer", "integer", "integer", "double precision", "text", "double precision",
             "text", "text", "text", "text", "text", "text", "text", "text")
_COPIED = ("indicator_id", "target_id", "value", "unit", "reported_value", "reported_unit", "sex", "age_group", "area",
           "source", "note", "warnings", "justification")
ANALYZE_AFTER_ROWS = 10_000  # an import writing this many observations refreshes the table's statistics
_SAME_VALUE = "ABS(o.value - s.value) <= 1e-9 * (CASE WHEN ABS(s.value) > 1 THEN ABS(s.value) ELSE 1 END)"


class Staging:
    """The checked rows in a temporary table (per connection), compared and inserted with set-based SQL."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"

    async def _run(self, sql: str, params: Any = None) -> Any:
        return await self.session.execute(text(sql), params)

    async def create(self) -> None:
        await self.drop()  # a connection reused from the pool may still hold them (tests roll back, never commit)
        if self.postgres:
            columns = ", ".join(f"{n} {t_}" for n, t_ in zip(STAGING_COLUMNS, _PG_TYPES, strict=True))
            await self._run(f"CREATE TEMP TABLE import_staging ({columns}) ON COMMIT DROP")
            await self._run("CREATE TEMP TABLE import_map (group_no integer PRIMARY KEY, revision_id integer, "
                            "previous_revision_id integer) ON COMMIT DROP")
        else:
            await self._run(f"CREATE TEMP TABLE import_staging ({', '.join(STAGING_COLUMNS)})")
            await self._run("CREATE TEMP TABLE import_map (group_no INTEGER PRIMARY KEY, revision_id INTEGER, "
                            "previous_revision_id INTEGER)")

    async def drop(self) -> None:
        await self._run("DROP TABLE IF EXISTS import_staging")
        await self._run("DROP TABLE IF EXISTS import_map")

    async def load(self, groups: Sequence[Group]) -> None:
        records = []
        for number, group in enumerate(groups):
            counted = group.existing[2] if group.existing else None
            for row_no, row in zip(group.numbers, group.checked.rows, strict=True):
                records.append((row_no, number, counted, row["indicator_id"], row["target_id"], float(row["value"]),
                                row["unit"], float(row["reported_value"]), row["reported_unit"], row["sex"],
                                row["age_group"], row["area"], row["source"], row["note"],
                                json.dumps(row["warnings"], ensure_ascii=False) if row["warnings"] else "[]",
                                row["justification"]))
        await copy_rows(self.session, "import_staging", STAGING_COLUMNS, records)
        await self._run("CREATE INDEX import_staging_key ON import_staging "
                        "(group_no, indicator_id, sex, age_group, area)")
        if self.postgres:
            await self._run("ANALYZE import_staging")

    async def compare(self) -> dict[int, tuple[int, int]]:
        """Per group: values new for their key (imported), and differing from the counted one (updated)."""
        result = await self._run(
            "SELECT s.group_no, SUM(CASE WHEN o.id IS NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN o.id IS NOT NULL AND NOT ({_SAME_VALUE}) THEN 1 ELSE 0 END) "
            "FROM import_staging s LEFT JOIN observation o ON o.revision_id = s.counted_revision_id "
            "AND o.indicator_id = s.indicator_id AND o.sex = s.sex AND o.age_group = s.age_group AND o.area = s.area "
            "GROUP BY s.group_no")
        return {int(group): (int(imported), int(updated)) for group, imported, updated in result.all()}

    async def write(self, revisions: dict[int, tuple[int, int | None]]) -> None:
        """Into each group's new revision: the previous revision's tasks and values (but those the import replaces),
        then the imported values."""
        if not revisions:
            return
        await self._run("INSERT INTO import_map (group_no, revision_id, previous_revision_id) VALUES "
                        "(:group_no, :revision_id, :previous)",
                        [{"group_no": g, "revision_id": r, "previous": p} for g, (r, p) in revisions.items()])
        copied = ", ".join(_COPIED)
        await self._run(
            "INSERT INTO submission_task (revision_id, goal_id, measure_id, progress, description) "
            "SELECT m.revision_id, k.goal_id, k.measure_id, k.progress, k.description FROM submission_task k "
            "JOIN import_map m ON k.revision_id = m.previous_revision_id ORDER BY k.id")
        await self._run(
            f"INSERT INTO observation (revision_id, {copied}) "
            f"SELECT m.revision_id, {', '.join('o.' + c for c in _COPIED)} FROM observation o "
            "JOIN import_map m ON o.revision_id = m.previous_revision_id "
            "WHERE NOT EXISTS (SELECT 1 FROM import_staging s WHERE s.group_no = m.group_no "
            "AND s.indicator_id = o.indicator_id AND s.sex = o.sex AND s.age_group = o.age_group AND s.area = o.area) "
            "ORDER BY o.id")
        warnings = "CAST(s.warnings AS JSONB)" if self.postgres else "s.warnings"
        staged = ", ".join(warnings if c == "warnings" else "s." + c for c in _COPIED)
        inserted = await self._run(
            f"INSERT INTO observation (revision_id, {copied}) SELECT m.revision_id, {staged} FROM import_staging s "
            "JOIN import_map m ON m.group_no = s.group_no ORDER BY s.row_no")
        if self.postgres and inserted.rowcount >= ANALYZE_AFTER_ROWS:
            # Statistics taken before a bulk load mislead the planner until autovacuum catches up: the verdicts
            # computed before commit and the next import's reads would scan the new rows by indicator.
            await self._run("ANALYZE observation")


def body_digest(body: bytes) -> str:
    """The body's hash, for the Idempotency-Key fingerprint (cheaper than re-serialising 100,000 rows)."""
    return hashlib.sha256(body).hexdigest()
