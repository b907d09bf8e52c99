"""DataLoaders: the children of many parents in one query per level, so nesting never costs N+1 queries.

Each batch function shapes its rows with the same helpers the services use for REST, so both APIs return
the same data in the same order. Paged children (a unit's assignments and submissions) are cut per parent
with a window function: one query returns every parent's page and its total.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col
from strawberry.dataloader import DataLoader

from app.assignments import service as assignments_service
from app.assignments.schemas import AssignmentRead
from app.auth import visibility
from app.auth.actor import Actor
from app.core.clock import today
from app.core.pagination import PageParams, page_of_each, pages_by_parent, ranked_within
from app.cycles import service as cycles_service
from app.cycles.schemas import Completeness as CompletenessRead
from app.cycles.schemas import CycleRead
from app.errors import AppError
from app.indicators import service as indicators_service
from app.indicators.schemas import IndicatorObservationRead, IndicatorRead
from app.models import Assignment, Committee, Domain, Goal, Measure, Plan, Submission, SubmissionRevision, Target, Unit
from app.plans import curation
from app.plans import service as plans_service
from app.plans.schemas import CommitteeRead, DomainRead, GoalRead, MeasureRead, PlanCounts, TargetRead
from app.status import service as status_service
from app.status.schemas import GoalStatus as GoalStatusRead
from app.status.schemas import TargetStatus as TargetStatusRead
from app.submissions import service as submissions_service
from app.submissions.schemas import RevisionDiff, RevisionRead, SubmissionSummary

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
EvaluationKey = tuple[str, int | None, bool, str | None]  # plan code, year, include provisional, breakdown


class HasSession(Protocol):
    session: AsyncSession

    def run(self, work: Callable[[], Awaitable[V]]) -> Awaitable[V]: ...


@dataclass(frozen=True)
class DomainRow:
    id: int
    plan_code: str
    read: DomainRead


@dataclass(frozen=True)
class ItemRow:
    """A goal or measure as stored (its targets come from their own loader)."""

    id: int
    plan_code: str
    domain_code: str
    item: Goal | Measure


@dataclass(frozen=True)
class Evaluated:
    """An evaluation the request has, with its goals' and targets' statuses by code (a dashboard looks up each)."""

    evaluation: status_service.PlanEvaluation
    goals: dict[str, GoalStatusRead]
    targets: dict[str, TargetStatusRead]

    @classmethod
    def of(cls, evaluation: status_service.PlanEvaluation) -> "Evaluated":
        return cls(evaluation, {g.code: g for g in evaluation.goals}, {t.code: t for t in evaluation.targets})

    def goal(self, code: str) -> GoalStatusRead:
        """The goal's status (an unknown goal: NotFound, as the status service says it)."""
        return self.goals.get(code) or status_service.goal_of(self.evaluation, code)

    def target(self, code: str) -> TargetStatusRead:
        return self.targets.get(code) or status_service.target_of(self.evaluation, code)


@dataclass(frozen=True)
class SubmissionFilterKey:
    plan: str | None = None
    year: int | None = None
    kind: str | None = None
    status: str | None = None


class Loaders:
    """The request's loaders; each batch runs through Transaction.run (under the session lock)."""

    def __init__(self, tx: HasSession) -> None:
        self._tx = tx
        self.committee = self._loader(self._committees)
        self.domains_by_plan = self._loader(self._domains_by_plan)
        self.counts_by_plan = self._loader(self._counts_by_plan)
        self.goals_by_domain = self._loader(self._items_by_domain(Goal))
        self.measures_by_domain = self._loader(self._items_by_domain(Measure))
        self.targets_by_goal = self._loader(self._targets_by(Target.goal_id))
        self.targets_by_measure = self._loader(self._targets_by(Target.measure_id))
        self.revision = self._loader(self._revisions)
        # (plan code, target code) → its versions
        self.target_versions = self._loader(curation.versions_by_target)
        self.indicator_by_target = self._loader(indicators_service.indicators_of_targets)
        # (plan code, indicator code) → the indicator (a missing one raises its error)
        self.indicator_by_code: DataLoader[tuple[str, str], IndicatorRead] = self._loader(
            indicators_service.indicators_by_code)
        self.cycles_by_plan: DataLoader[str, list[CycleRead]] = self._loader(
            lambda session, codes: cycles_service.cycles_of_plans(session, codes, today()))
        self._paged: dict[Hashable, DataLoader[Any, Any]] = {}
        self._evaluated: dict[tuple[int | None, EvaluationKey], Evaluated] = {}

    def assignments_by_unit(self, page: PageParams) -> DataLoader[str, tuple[list[AssignmentRead], int]]:
        """A page of each unit's assignments (unit code → (items, total)), ordered as REST orders them."""
        return self._paged_loader(("assignments", page), lambda codes: self._assignments_by_unit(codes, page))

    def submissions_by_unit(self, actor: Actor, filters: SubmissionFilterKey,
                            page: PageParams) -> DataLoader[str, tuple[list[SubmissionSummary], int]]:
        """A page of each unit's submissions the actor may see (unit code → (items, total)), newest year first."""
        return self._paged_loader(("submissions", actor, filters, page),
                                  lambda codes: self._submissions_by_unit(actor, codes, filters, page))

    def goals_of_plans(self, actor: Actor, filters: plans_service.ItemFilter,
                       page: PageParams) -> DataLoader[str, tuple[list[GoalRead], int]]:
        """A page of each plan's goals (plan code → (items, total)), filtered as in REST."""
        return self._paged_loader(("goals", actor.token_id, filters, page), lambda codes: (
            plans_service.goals_of_plans(self._tx.session, actor, codes, filters, page)))

    def measures_of_plans(self, actor: Actor, filters: plans_service.ItemFilter,
                          page: PageParams) -> DataLoader[str, tuple[list[MeasureRead], int]]:
        """A page of each plan's measures (plan code → (items, total)), filtered as in REST."""
        return self._paged_loader(("measures", actor.token_id, filters, page), lambda codes: (
            plans_service.measures_of_plans(self._tx.session, actor, codes, filters, page)))

    def targets_of_plans(self, filters: plans_service.TargetFilter,
                         page: PageParams) -> DataLoader[str, tuple[list[TargetRead], int]]:
        """A page of each plan's targets (plan code → (items, total)), filtered as in REST."""
        return self._paged_loader(("targets", filters, page), lambda codes: (
            plans_service.targets_of_plans(self._tx.session, codes, filters, page)))

    def assignments_of_plans(self, actor: Actor, filters: assignments_service.AssignmentFilter,
                             page: PageParams) -> DataLoader[str, tuple[list[AssignmentRead], int]]:
        """A page of each plan's assignments the actor may see (plan code → (items, total))."""
        return self._paged_loader(("plan assignments", actor.token_id, filters, page), lambda codes: (
            assignments_service.assignments_of_plans(self._tx.session, actor, codes, filters, page)))

    def submissions_of_plans(self, actor: Actor, filters: submissions_service.SubmissionFilter,
                             page: PageParams) -> DataLoader[str, tuple[list[SubmissionSummary], int]]:
        """A page of each plan's submissions the actor may see (plan code → (items, total))."""
        return self._paged_loader(("plan submissions", actor.token_id, filters, page), lambda codes: (
            submissions_service.submissions_of_plans(self._tx.session, actor, codes, filters, page)))

    def revisions(self, actor: Actor) -> DataLoader[int, list[RevisionRead]]:
        """Submission id → every revision of it the actor may read, oldest first."""
        return self._paged_loader(("revisions", actor.token_id), lambda ids: (
            submissions_service.revisions_of_submissions(self._tx.session, actor, ids)))

    def diffs(self, actor: Actor) -> DataLoader[tuple[int, int, int], RevisionDiff]:
        """(submission id, from revision, to revision) → what changed between the two."""
        return self._paged_loader(("diffs", actor.token_id), lambda keys: (
            submissions_service.diffs_of_submissions(self._tx.session, actor, keys)))

    def indicators_of_plans(self, filters: indicators_service.IndicatorFilter,
                            page: PageParams) -> DataLoader[str, tuple[list[IndicatorRead], int]]:
        """A page of the indicators each plan's targets measure (plan code → (items, total))."""
        return self._paged_loader(("indicators", filters, page), lambda codes: (
            indicators_service.indicators_of_plans(self._tx.session, codes, filters, page)))

    def completeness(self, actor: Actor) -> DataLoader[cycles_service.CycleKey, CompletenessRead]:
        """(plan code, year, kind) → the cycle's completeness, for every cycle of the document at once."""
        return self._paged_loader(("completeness", actor.token_id), lambda keys: (
            cycles_service.completeness_of_cycles(self._tx.session, actor, keys, today())))

    def plan_evaluation(self, actor: Actor) -> DataLoader[EvaluationKey, status_service.PlanEvaluation]:
        """(plan code, year, include provisional, breakdown) → every status of that plan and year, computed once per
        request."""
        return self._paged_loader(("status", actor.token_id), lambda keys: self._evaluations(actor, keys))

    def evaluated(self, actor: Actor | None, key: EvaluationKey) -> "Evaluated | None":
        """The evaluation `plan_evaluation(actor)` already answered for `key` in this request, if any."""
        return self._evaluated.get((actor.token_id, key)) if actor is not None else None

    def observations(self, actor: Actor, filters: indicators_service.SeriesFilter
                     ) -> DataLoader[tuple[str, str], list[IndicatorObservationRead]]:
        """(plan code, indicator code) → its time series as the actor may see it, for every indicator at once."""
        return self._paged_loader(("observations", actor.token_id, filters), lambda keys: (
            indicators_service.observations_by_code(self._tx.session, actor, keys, filters)))

    # --- plumbing -----------------------------------------------------------------------------------------

    def _loader(self, batch: Callable[[AsyncSession, list[K]], Awaitable[Sequence[V | AppError]]]
                ) -> DataLoader[K, V]:
        # A key answered with an error raises it where that key was loaded; the other keys still resolve.
        async def load(keys: list[K]) -> Sequence[V | AppError]:
            return await self._tx.run(lambda: batch(self._tx.session, keys))

        return DataLoader(load_fn=load)

    def _paged_loader(self, key: Hashable, batch: Callable[[list[Any]], Awaitable[Any]]) -> DataLoader[Any, Any]:
        if key not in self._paged:
            self._paged[key] = self._loader(lambda _session, codes: batch(codes))
        return self._paged[key]

    # --- batch functions ----------------------------------------------------------------------------------

    @staticmethod
    async def _committees(session: AsyncSession, codes: list[str]) -> list[CommitteeRead | None]:
        found = {c.code: c for c in (await session.execute(select(Committee).where(
            col(Committee.code).in_(codes)))).scalars()}
        return [plans_service._committee(found[code]) if code in found else None for code in codes]

    @staticmethod
    async def _counts_by_plan(session: AsyncSession, plan_codes: list[str]) -> list[PlanCounts]:
        """Domains, goals, measures and targets of each plan: one grouped count per table."""
        counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PlanCounts.model_fields, 0))
        tables: tuple[tuple[str, type[Domain] | type[Goal] | type[Measure] | type[Target]], ...] = (
            ("domains", Domain), ("goals", Goal), ("measures", Measure), ("targets", Target))
        for name, model in tables:
            rows = await session.execute(
                select(col(Plan.code), func.count(col(model.id))).join(model, col(model.plan_id) == col(Plan.id))
                .where(col(Plan.code).in_(plan_codes)).group_by(col(Plan.code)))
            for code, number in rows.all():
                counts[code][name] = int(number)
        return [PlanCounts(**counts[code]) for code in plan_codes]

    @staticmethod
    async def _domains_by_plan(session: AsyncSession, plan_codes: list[str]) -> list[list[DomainRow]]:
        rows = await session.execute(
            select(Domain, col(Plan.code)).join(Plan, col(Plan.id) == col(Domain.plan_id))
            .where(col(Plan.code).in_(plan_codes)).order_by(col(Domain.part).desc(), col(Domain.seq)))
        grouped: dict[str, list[DomainRow]] = defaultdict(list)
        for domain, plan_code in rows.all():
            grouped[plan_code].append(DomainRow(domain.id, plan_code, plans_service._domain(domain)))  # type: ignore[arg-type]
        return [grouped[code] for code in plan_codes]

    @staticmethod
    def _items_by_domain(model: type[Goal] | type[Measure]) -> Callable[[AsyncSession, list[int]],
                                                                        Awaitable[list[list[ItemRow]]]]:
        async def batch(session: AsyncSession, domain_ids: list[int]) -> list[list[ItemRow]]:
            rows = await session.execute(
                select(model, col(Domain.code), col(Plan.code)).join(Domain, col(Domain.id) == col(model.domain_id))
                .join(Plan, col(Plan.id) == col(Domain.plan_id))
                .where(col(model.domain_id).in_(domain_ids)).order_by(col(model.seq)))
            grouped: dict[int, list[ItemRow]] = defaultdict(list)
            for item, domain_code, plan_code in rows.all():
                grouped[item.domain_id].append(ItemRow(item.id, plan_code, domain_code, item))  # type: ignore[attr-defined,arg-type]
            return [grouped[domain_id] for domain_id in domain_ids]

        return batch

    @staticmethod
    def _targets_by(parent_column: Any) -> Callable[[AsyncSession, list[int]], Awaitable[list[list[TargetRead]]]]:
        async def batch(session: AsyncSession, parent_ids: list[int]) -> list[list[TargetRead]]:
            # The very query REST uses for the targets of a page of goals or measures.
            grouped = await plans_service._targets_by_parent(session, parent_column, list(parent_ids))
            return [grouped.get(parent_id, []) for parent_id in parent_ids]

        return batch

    @staticmethod
    async def _revisions(session: AsyncSession, keys: list[tuple[int, int]]) -> list[RevisionRead | None]:
        """(submission id, revision number) → that revision with its values and tasks, in three queries."""
        revisions = (await session.execute(select(SubmissionRevision).where(
            tuple_(SubmissionRevision.submission_id, SubmissionRevision.revision).in_(keys)))).scalars().all()
        reads = await submissions_service._revisions_with_content(session, list(revisions))
        by_key = {(r.submission_id, r.revision): read for r, read in zip(revisions, reads, strict=True)}
        return [by_key.get(key) for key in keys]

    async def _assignments_by_unit(self, unit_codes: list[str],
                                   page: PageParams) -> list[tuple[list[AssignmentRead], int]]:
        ranked = ranked_within(select(Assignment).join(Unit, col(Unit.id) == col(Assignment.unit_id))
                               .join(Plan, col(Plan.id) == col(Assignment.plan_id))
                               .where(col(Unit.code).in_(unit_codes)),
                               col(Assignment.id), col(Unit.code), (col(Plan.code), col(Assignment.id)))
        stmt = (select(Assignment, Unit, col(Goal.code), col(Measure.code), Plan, ranked.c.rn, ranked.c.total)
                .join(ranked, ranked.c.id == col(Assignment.id))
                .join(Unit, col(Unit.id) == col(Assignment.unit_id)).join(Plan, col(Plan.id) == col(Assignment.plan_id))
                .outerjoin(Goal, col(Goal.id) == col(Assignment.goal_id))
                .outerjoin(Measure, col(Measure.id) == col(Assignment.measure_id)))
        rows = (await self._tx.session.execute(page_of_each(stmt, ranked, page))).all()
        return pages_by_parent(unit_codes, page, [
            (unit.code, rn, total, partial(assignments_service._read, plan, a, unit, g, m))
                                         for a, unit, g, m, plan, rn, total in rows])

    async def _evaluations(self, actor: Actor, keys: list[EvaluationKey]) -> list[Any]:
        # A failing key gets its error; the others still resolve.
        results = await status_service.evaluate_plans(self._tx.session, actor, keys, today())
        self._evaluated.update({(actor.token_id, key): Evaluated.of(result)
                                for key, result in zip(keys, results, strict=True) if not isinstance(result, AppError)})
        return results

    async def _submissions_by_unit(self, actor: Actor, unit_codes: list[str], filters: SubmissionFilterKey,
                                   page: PageParams) -> list[tuple[list[SubmissionSummary], int]]:
        base: Any = (select(Submission)
                .join(Unit, col(Unit.id) == col(Submission.unit_id)).join(Plan, col(Plan.id) == col(Submission.plan_id))
                .where(col(Unit.code).in_(unit_codes), visibility.visible_submissions(actor)))
        if filters.plan:
            base = base.where(col(Plan.code) == filters.plan)
        base = submissions_service.filter_submissions(base, year=filters.year, kind=filters.kind,
                                                      status=filters.status)
        ranked = ranked_within(base, col(Submission.id), col(Unit.code),
                               (col(Plan.code), col(Submission.year).desc(), col(Submission.kind)))
        stmt = (select(Submission, Unit, col(Plan.code), ranked.c.rn, ranked.c.total)
                .join(ranked, ranked.c.id == col(Submission.id))
                .join(Unit, col(Unit.id) == col(Submission.unit_id))
                .join(Plan, col(Plan.id) == col(Submission.plan_id)))
        rows = (await self._tx.session.execute(page_of_each(stmt, ranked, page))).all()
        return pages_by_parent(unit_codes, page, [
            (unit.code, rn, total, partial(submissions_service._summary, s, plan_code, unit))
            for s, unit, plan_code, rn, total in rows])
