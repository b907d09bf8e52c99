"""Importing a plan text (or a Word .docx plan) into the database: the pure importer, then the idempotent seed loader.

A dry run performs the whole load inside a savepoint and rolls it back, so it reports exactly what a
real import would create or change, and every doubt the importer had, without writing anything.
"""

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import record
from app.auth.actor import Actor
from app.core.i18n import t
from app.core.json_types import JsonBool
from app.errors import ValidationFailed
from app.models import Plan, Target
from app.plans.codes import KnownTarget, keep_codes
from app.plans.documents import UnreadableDocument, plan_text_from_file
from app.plans.importer import import_plan_text
from app.plans.plan_document import PlanDocument
from app.plans.seeding import load_plans


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "text": "（plan text as extracted from the PDF）", "source_file": "wanghua-2021.txt", "dry_run": True}})

    text: str = Field(min_length=1, max_length=900_000, description="The plan's full text")
    source_file: str = Field(min_length=1, max_length=200, description="Name recorded as the plan's source")
    dry_run: JsonBool = Field(default=True, description="true: report only; false: write the plan")


class ImportedPlan(BaseModel):
    code: str
    title: str
    kind: str
    start_year: int
    end_year: int
    domains: int
    inferred_domains: list[str]
    goals: int
    measures: int
    targets: int
    targets_for_review: list[str] = Field(description="Codes of targets whose parse needs a human look")
    anomalies: list[str]


class ImportReport(BaseModel):
    dry_run: bool
    plans: list[ImportedPlan]
    doubts: list[str] = Field(description="What the importer could not decide; check before importing")
    created: int
    updated: int
    unchanged: int
    added: list[str] = Field(
        description="Domains, goals, measures and targets the import adds: '<plan> <table> <code>'")
    changed: list[str] = Field(description="Those whose text or target it changes: '<plan> <table> <code>'")
    removed: list[str] = Field(description="Those in the database that the text no longer holds (kept, not deleted)")


async def import_plan(session: AsyncSession, actor: Actor, data: ImportRequest) -> ImportReport:
    return await _import_text(session, actor, data.text, data.source_file, data.dry_run)


async def import_plan_file(session: AsyncSession, actor: Actor, name: str, content: bytes,
                           dry_run: bool) -> ImportReport:
    """A plan file: plain text or Word .docx; anything else is refused and nothing changes."""
    source_file = name.strip() or "upload"
    if len(source_file) > 200:
        raise ValidationFailed.field("file", t("the file name is longer than {n} characters", n=200))
    try:
        text = plan_text_from_file(source_file, content)
    except UnreadableDocument as refused:
        raise ValidationFailed.field("file", refused.reason, code="unreadable_document") from None
    return await _import_text(session, actor, text, source_file, dry_run)


async def _import_text(session: AsyncSession, actor: Actor, text: str, source_file: str,
                       dry_run: bool) -> ImportReport:
    result = import_plan_text(text, source_file)
    # A text the importer recognises by its district but finds no chapters in (a seed YAML file, a notice) is
    # not a plan: importing it would empty the plan it names. Refuse it and change nothing.
    if not result.plans or any(not plan.goal_count for plan in result.plans):
        raise ValidationFailed.field("text", t("not a plan text: no domains with goals were found in it; nothing "
                                               "was changed"))
    # A target imported before keeps its code (same metric and source text), so reported values stay with it.
    plans = [keep_codes(plan, await _known_targets(session, plan.plan.code)) for plan in result.plans]
    async with session.begin_nested() as savepoint:
        loaded = await load_plans(session, plans)
        if dry_run:
            await savepoint.rollback()
    report = ImportReport(dry_run=dry_run, plans=[_summary(plan) for plan in plans],
                          doubts=list(result.doubts), created=loaded.created, updated=loaded.updated,
                          unchanged=loaded.unchanged, added=loaded.added, changed=loaded.changed,
                          removed=loaded.stale)
    if not dry_run:
        await record(session, actor, "plan.import", "plan", ",".join(p.code for p in report.plans),
                     after={"source_file": source_file, "created": loaded.created, "updated": loaded.updated})
    return report


async def _known_targets(session: AsyncSession, plan_code: str) -> list[KnownTarget]:
    """The targets the plan already has (none for a new plan): one query."""
    rows = await session.execute(
        select(col(Target.code), col(Target.metric), col(Target.source_text))
        .join(Plan, col(Plan.id) == col(Target.plan_id)).where(col(Plan.code) == plan_code))
    return [KnownTarget(code, metric, source) for code, metric, source in rows.all()]


def _summary(doc: PlanDocument) -> ImportedPlan:
    targets = list(doc.targets())
    meta = doc.plan
    return ImportedPlan(
        code=meta.code, title=meta.title, kind=meta.kind, start_year=meta.start_year, end_year=meta.end_year,
        domains=len(doc.domains), inferred_domains=[d.code for d in doc.domains if d.inferred],
        goals=doc.goal_count, measures=sum(len(d.measures) for d in doc.domains),
        targets=len(targets), targets_for_review=[target.code for target in targets if target.review],
        anomalies=list(meta.anomalies))
