"""Load reviewed plan files (seeds/plans/*.yaml) into the database, idempotently.

Each entity is matched by its stable code; missing ones are created and changed fields updated, so
running the loader twice changes nothing. Nothing is deleted: goals or targets that disappeared from a
seed file may already carry submitted data, so they are reported instead. Every target is linked to an indicator
of the committee's catalogue (app/indicators/linking.py). A target the office has curated keeps its curation: the
seed no longer changes it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from app.core.i18n import t
from app.errors import Conflict
from app.indicators.linking import CommitteeCatalogue, target_facts
from app.models import Committee, Domain, Goal, Measure, Observation, Plan, Target
from app.plans.plan_document import GoalDoc, PlanDocument, load_plan_yaml
from app.status.publication import touch_plan

M = TypeVar("M", bound=SQLModel)
PlanPart = TypeVar("PlanPart", Domain, Goal, Measure, Target)

# The target columns a plan document sets (the same names in TargetDoc); the rest belong to the office (curation).
TARGET_FIELDS = {"metric", "op", "value", "unit", "year", "per_year", "baseline_year", "tolerance", "direction",
                 "review", "review_reason", "source_text"}


@dataclass
class SeedReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # "<plan> <table> <code>" of the domains, goals, measures and targets: in the database but no longer in the
    # document (kept), created from it, updated from it
    stale: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def read_plan_files(directory: Path) -> list[PlanDocument]:
    return [load_plan_yaml(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.yaml"))]


async def load_plans(session: AsyncSession, documents: Iterable[PlanDocument]) -> SeedReport:
    report = SeedReport()
    for document in documents:
        await _load_plan(session, document, report)
    return report


async def _load_plan(session: AsyncSession, doc: PlanDocument, report: SeedReport) -> None:
    committee_doc = doc.committee
    committee = await _find(session, Committee, code=committee_doc.code)
    committee = await _save(session, report, committee, Committee, {"code": committee_doc.code},
                            {"name": committee_doc.name, "region": committee_doc.region})
    plan_doc = doc.plan
    plan = await _save(session, report, await _find(session, Plan, code=plan_doc.code), Plan,
                       {"code": plan_doc.code}, {
        "committee_id": committee.id, "title": plan_doc.title, "kind": plan_doc.kind.value,
        "start_year": plan_doc.start_year, "end_year": plan_doc.end_year, "doc_number": plan_doc.doc_number,
        "issued_date": plan_doc.issued_date, "source_file": plan_doc.source_file,
        "anomalies": list(plan_doc.anomalies),
    })
    report.plans.append(plan.code)
    touch_plan(session, plan.id, f"plan {plan.code} imported")  # type: ignore[arg-type]  # a changed target changes verdicts
    # One query per table for the whole plan, then match by code in memory.
    existing: dict[type[SQLModel], dict[str, Any]] = {}
    for model in (Domain, Goal, Measure, Target):
        existing[model] = await _by_code(session, model, plan)
    seen: dict[type[SQLModel], set[str]] = {model: set() for model in existing}
    # Targets units have reported on keep their meaning: a code may not move to another indicator.
    reported = set((await session.execute(
        select(col(Observation.target_id)).join(Target, col(Target.id) == col(Observation.target_id))
        .where(col(Target.plan_id) == plan.id).distinct())).scalars())
    catalogue = await CommitteeCatalogue.load(session, committee.id)  # type: ignore[arg-type]
    moved: list[str] = []

    async def save(model: type[M], code: str, values: dict[str, Any]) -> M:
        seen[model].add(code)
        before = report.created, report.updated
        row = await _save(session, report, existing[model].get(code), model, {"plan_id": plan.id, "code": code},
                          values)
        label = f"{plan.code} {model.__tablename__} {code}"
        if report.created != before[0]:
            report.added.append(label)
        elif report.updated != before[1]:
            report.changed.append(label)
        return row

    for domain_doc in doc.domains:
        domain = await save(Domain, domain_doc.code, {
            "part": domain_doc.part.value, "seq": domain_doc.seq, "title": domain_doc.title,
            "subtitle": domain_doc.subtitle, "inferred": domain_doc.inferred,
        })
        for item in domain_doc.items():
            is_goal = isinstance(item, GoalDoc)
            item_model: type[Goal] | type[Measure] = Goal if is_goal else Measure
            title = item.title if is_goal else (item.title or item.text)
            row = await save(item_model, item.code, {"domain_id": domain.id, "seq": item.seq, "number": item.number,
                                                     "title": title, "text": item.text})
            parent = {"goal_id": row.id, "measure_id": None} if is_goal else {"goal_id": None, "measure_id": row.id}
            for seq, target_doc in enumerate(item.targets, start=1):
                values = target_doc.model_dump(mode="json", include=TARGET_FIELDS)
                # TargetDoc.rule (the parse result's name) is the column parse_rule: statuses have rules of their own
                values.update(parent, seq=seq, parse_rule=target_doc.rule)
                current = existing[Target].get(target_doc.code)
                if current is not None and current.id in reported and current.metric != values["metric"]:
                    moved.append(f"{target_doc.code} ({current.metric} → {values['metric']})")
                if current is not None and current.version > 1:  # curated by the office: keep it
                    seen[Target].add(current.code)
                    report.count("unchanged")
                    continue
                if current is None or current.metric != values["metric"]:
                    values["indicator_id"] = (await catalogue.indicator_for(target_facts(values))).id
                await save(Target, target_doc.code, values)
    if moved:
        raise Conflict(t("Plan {plan}: units have reported values for targets whose indicator would change: "
                         "{targets}. Nothing was loaded; keep these codes for their indicators.",
                         plan=plan.code, targets="; ".join(moved)))
    for table, by_code in existing.items():
        report.stale.extend(f"{plan.code} {table.__tablename__} {code}" for code in sorted(set(by_code) - seen[table]))


async def _by_code(session: AsyncSession, model: type[PlanPart], plan: Plan) -> dict[str, PlanPart]:
    """The plan's rows of one table, by code."""
    rows = await session.execute(select(model).where(col(model.plan_id) == plan.id))
    return {row.code: row for row in rows.scalars()}


async def _find(session: AsyncSession, model: type[M], **key: Any) -> M | None:
    return (await session.execute(select(model).filter_by(**key))).scalar_one_or_none()


async def _save(session: AsyncSession, report: SeedReport, row: M | None, model: type[M],
                key: dict[str, Any], values: dict[str, Any]) -> M:
    """Create the row, or update the fields that differ from the seed."""
    if row is None:
        row = model(**key, **values)
        session.add(row)
        await session.flush()
        report.count("created")
        return row
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    for name, value in changed.items():
        setattr(row, name, value)
    if changed:
        await session.flush()
    report.count("updated" if changed else "unchanged")
    return row
