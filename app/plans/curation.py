"""The committee office corrects what the parser read from a plan and sets baselines (target curation).

Every curation is a new version of the target: version 1 is what the parser read (kept in ``target_version`` on
the first correction), each later one the full set of curatable fields after a change, with who made it and why.
Seeding leaves curated targets (version > 1) alone, so a re-seed never undoes the office's work.
A correction of the reading itself (op, value, unit, year, per year, tolerance, direction) clears the target's
``parse_rule``: the reading is then the office's, not a parser rule's; every version records the rule it had, so
version 1 still names the rule that read the target.
"""

from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import record
from app.auth import visibility
from app.auth.actor import Actor
from app.core.i18n import t
from app.errors import Conflict, NotFound, ValidationFailed, summary
from app.indicators.catalogue import CHANGE_UNITS, TargetFacts, level_unit
from app.indicators.units import canonical_unit, convertible, range_problem
from app.models import Indicator, Plan, Target, TargetVersion
from app.models.base import utcnow
from app.observations.breakdowns import AGE_GROUPS, normalise_age_group
from app.outbox.service import emit
from app.plans.schemas import TargetPatch, TargetRead, TargetVersionRead
from app.plans.service import get_target, plan_by_code, target_etag
from app.status.facts import task_key
from app.status.publication import touch_parents

# What the office may change, as stored on the target; each version keeps all of them.
CURATED_FIELDS = ("op", "value", "unit", "year", "per_year", "tolerance", "direction", "scope_sex",
                  "scope_age_group", "scope_area", "baseline_year", "baseline_value", "baseline_source", "review",
                  "review_reason", "review_comment")
TREND_OPS = ("increase", "decrease", "maintain")
PARSER = "parser"  # created_by of version 1: what the parser read from the plan text
_PLAIN_FIELDS = ("op", "value", "unit", "year", "per_year", "tolerance", "direction")
_NOT_NULL = ("op", "per_year", "review")


async def curate_target(session: AsyncSession, actor: Actor, plan_code: str, target_code: str, patch: TargetPatch,
                        if_match: str | None) -> TargetRead:
    """Apply the office's correction as a new version, then republish the plan's statuses.

    The resulting target is validated as a whole, every problem at once; nothing changes when one is found.
    A correction that changes nothing writes no version.
    """
    visibility.require_curator(actor)
    plan = await plan_by_code(session, plan_code)
    target, indicator = await _target_and_indicator(session, plan, target_code)
    if if_match is not None and _opaque(if_match) != target_etag(target):
        raise Conflict(t("The target changed since you read it (stale If-Match); reload it and try again."))
    before = fields_of(target)
    after, errors = _apply(before, patch)
    if any(after[name] != before[name] for name in _PLAIN_FIELDS):
        after["parse_rule"] = None
    errors += _problems(after, plan, indicator)
    if errors:
        raise ValidationFailed(summary(errors), errors=errors)
    if after == before:
        return await get_target(session, plan_code, target_code)
    if target.version == 1:  # the first correction keeps what the parser read
        session.add(TargetVersion(target_id=target.id, version=1, fields=before, created_by=PARSER,  # type: ignore[arg-type]
                                  created_at=plan.created_at))
    version = target.version + 1
    changed = await session.execute(
        update(Target).where(col(Target.id) == target.id, col(Target.version) == target.version)
        .values(**after, version=version, curated_at=utcnow()).execution_options(synchronize_session=False))
    if changed.rowcount != 1:  # type: ignore[attr-defined]  # a concurrent curation won
        raise Conflict(t("The target changed since you read it (stale If-Match); reload it and try again."))
    await session.refresh(target)
    session.add(TargetVersion(target_id=target.id, version=version, fields=after, comment=patch.comment,  # type: ignore[arg-type]
                              created_by=actor.name))
    await session.flush()
    await record(session, actor, "target.curate", "target", f"{plan.code}/{target.code}",
                 before={**before, "version": version - 1}, after={**after, "version": version,
                                                                    "comment": patch.comment})
    touch_parents(session, plan.id, [task_key(target.goal_id, target.measure_id)],  # type: ignore[arg-type]
                  f"target {target.code} curated")
    result = await get_target(session, plan_code, target_code)
    await emit(session, "target.curated", f"target:{plan.code}/{target.code}",
               {"plan_code": plan.code, "target": result.model_dump(mode="json"), "comment": patch.comment},
               plan_id=plan.id)
    return result


async def list_target_versions(session: AsyncSession, plan_code: str, target_code: str) -> list[TargetVersionRead]:
    """Every version, oldest first; a target never curated has one, version 1, its current fields."""
    plan = await plan_by_code(session, plan_code)
    await _target_and_indicator(session, plan, target_code)
    return (await versions_by_target(session, [(plan_code, target_code)]))[0]


async def versions_by_target(session: AsyncSession, keys: list[tuple[str, str]]) -> list[list[TargetVersionRead]]:
    """(plan code, target code) → its versions, oldest first, in two queries whatever the number of targets."""
    rows = (await session.execute(
        select(Target, Plan).join(Plan, col(Plan.id) == col(Target.plan_id))
        .where(tuple_(col(Plan.code), col(Target.code)).in_(keys)))).all()
    stored: dict[int, list[TargetVersionRead]] = {}
    for version in (await session.execute(
            select(TargetVersion).where(col(TargetVersion.target_id).in_([target.id for target, _ in rows]))
            .order_by(col(TargetVersion.target_id), col(TargetVersion.version)))).scalars():
        stored.setdefault(version.target_id, []).append(TargetVersionRead(
            version=version.version, fields=version.fields, comment=version.comment,
            created_by=version.created_by, created_at=version.created_at))
    found: dict[tuple[str, str], list[TargetVersionRead]] = {}
    for target, plan in rows:
        found[(plan.code, target.code)] = stored.get(target.id) or [TargetVersionRead(  # type: ignore[arg-type]
            version=1, fields=fields_of(target), comment=None, created_by=PARSER, created_at=plan.created_at)]
    return [found.get(key, []) for key in keys]


def fields_of(target: Target) -> dict[str, Any]:
    """A version's fields: the curatable ones and the parser rule the reading is owed to (null: the office)."""
    return {**{name: getattr(target, name) for name in CURATED_FIELDS}, "parse_rule": target.parse_rule}


# --- applying and checking a patch -------------------------------------------------------------------------

def _apply(fields: dict[str, Any], patch: TargetPatch) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The target's fields with the patch applied (only the fields it gives), and what cannot be applied."""
    given = patch.model_fields_set
    errors = [_error(name, t("must not be null"), "null") for name in _NOT_NULL
              if name in given and getattr(patch, name) is None]
    if given <= {"comment"}:
        errors.append(_error("body", t("nothing to change: give at least one field besides comment"), "empty"))
    result = dict(fields)
    for name in _PLAIN_FIELDS:
        if name in given:
            result[name] = getattr(patch, name)
    if patch.op is not None:
        result["op"] = patch.op.value
    if "unit" in given:
        result["unit"] = canonical_unit(patch.unit)
    if "scope" in given:
        scope = patch.scope
        members = scope.model_fields_set if scope is not None else {"sex", "age_group", "area"}
        for member in members:
            result[f"scope_{member}"] = getattr(scope, member) if scope is not None else None
        if scope is not None and scope.age_group is not None:
            try:
                result["scope_age_group"] = normalise_age_group(scope.age_group)
            except ValueError:  # refused; None keeps the age-group check from reporting it twice
                result["scope_age_group"] = None
                errors.append(_error("scope.age_group", t("must not be empty"), "empty"))
    if "baseline" in given:
        baseline = patch.baseline
        result["baseline_year"] = baseline.year if baseline else None
        result["baseline_value"] = baseline.value if baseline else None
        result["baseline_source"] = baseline.source if baseline else None
    if patch.review is not None:
        result["review"] = not patch.review.resolved
        result["review_comment"] = patch.review.comment
        if not patch.review.resolved:  # the office's reason is why the target is flagged now
            result["review_reason"] = patch.review.comment
    return result, errors


def _problems(fields: dict[str, Any], plan: Plan, indicator: Indicator) -> list[dict[str, str]]:
    """Every reason the target, as it would be, is not a target the rules service can judge."""
    errors = []
    op, value, unit, year = fields["op"], fields["value"], fields["unit"], fields["year"]
    if op in TREND_OPS and value is not None:
        errors.append(_error("value", t("a trend target (increase, decrease, maintain) has no value; send null"),
                             "trend_value"))
    elif op is not None and op not in TREND_OPS and value is None:
        errors.append(_error("value", t("required for operator {op}", op=op), "missing"))
    is_change = canonical_unit(unit) in CHANGE_UNITS or fields["per_year"] or fields["direction"] is not None
    if not is_change and not convertible(unit, indicator.unit):
        errors.append(_error("unit", t("cannot be converted to the indicator's unit {unit} (convertible: %, ‰, "
                                       "1/万 and 1/10万 among themselves)", unit=indicator.unit), "unit"))
    if value is not None and (problem := range_problem(value, unit)):
        errors.append(_error("value", problem, "range"))
    if year is not None and not plan.start_year <= year <= plan.end_year:
        errors.append(_error("year", t("must be within the plan's years {start}–{end}", start=plan.start_year,
                                       end=plan.end_year), "range"))
    if fields["tolerance"] is not None and fields["tolerance"] < 0:
        errors.append(_error("tolerance", t("must not be negative"), "range"))
    errors += _baseline_problems(fields, plan, indicator)
    age_group = fields["scope_age_group"]
    allowed = [normalise_age_group(label) for label in indicator.age_groups] or list(AGE_GROUPS)
    if age_group is not None and age_group not in allowed:
        errors.append(_error("scope.age_group", t("must be one of the age groups {groups}",
                                                  groups="、".join(allowed)), "age_group"))
    return errors


def _baseline_problems(fields: dict[str, Any], plan: Plan, indicator: Indicator) -> list[dict[str, str]]:
    errors = []
    baseline_year, due_year = fields["baseline_year"], fields["year"] or plan.end_year
    if baseline_year is not None and baseline_year > plan.end_year:
        errors.append(_error("baseline.year", t("must not be after the plan's end year {end}", end=plan.end_year),
                             "range"))
    elif baseline_year is not None and baseline_year >= due_year:
        errors.append(_error("baseline.year", t("must be before the target's due year {due}", due=due_year),
                             "range"))
    if fields["baseline_value"] is not None:
        # A baseline is a level of the indicator, even for a change target (下降1个百分点: the level is in %).
        facts = TargetFacts(metric="", op=fields["op"] or "", unit=fields["unit"], per_year=bool(fields["per_year"]),
                            direction=fields["direction"])
        if problem := range_problem(fields["baseline_value"], indicator.unit or level_unit(facts)):
            errors.append(_error("baseline.value", problem, "range"))
    return errors


def _error(field: str, reason: str, code: str) -> dict[str, str]:
    return {"field": field, "code": code, "reason": reason}


async def _target_and_indicator(session: AsyncSession, plan: Plan, code: str) -> tuple[Target, Indicator]:
    row = (await session.execute(
        select(Target, Indicator).join(Indicator, col(Indicator.id) == col(Target.indicator_id))
        .where(col(Target.plan_id) == plan.id, col(Target.code) == code))).first()
    if row is None:
        raise NotFound(t("Target {code} does not exist in plan {plan}.", code=code, plan=plan.code))
    return row[0], row[1]


def _opaque(tag: str) -> str:
    """An If-Match value as our ETags are written (a weak W/ prefix compares equal)."""
    return tag.strip().removeprefix("W/")
