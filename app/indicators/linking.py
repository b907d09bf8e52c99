"""Linking targets to the committee's indicators as plans are seeded or imported.

The catalogue is read once per plan load (two queries); targets are then matched in memory and new indicators
inserted as they appear. A target keeps its indicator once linked unless its metric changes, so an office's
merge or split survives a re-import.
"""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.indicators.catalogue import Catalogue, Entry, TargetFacts, exact_key, merge_reason
from app.models import Indicator, Plan, Target


class CommitteeCatalogue:
    """The indicators of one committee, loaded for matching and extended in place."""

    def __init__(self, session: AsyncSession, committee_id: int, catalogue: Catalogue, next_number: int) -> None:
        self.session, self.committee_id = session, committee_id
        self.catalogue, self.next_number = catalogue, next_number
        self.created: set[int] = set()  # indicators of this load: no observation is stored in their unit yet

    @classmethod
    async def load(cls, session: AsyncSession, committee_id: int) -> "CommitteeCatalogue":
        indicators = list((await session.execute(select(Indicator).where(
            col(Indicator.committee_id) == committee_id, col(Indicator.merged_into_id).is_(None))
            .order_by(col(Indicator.id)))).scalars())
        names: dict[int, set[str]] = {i.id: {exact_key(i.name)} for i in indicators}  # type: ignore[misc]
        for indicator_id, metric in (await session.execute(
                select(col(Target.indicator_id), col(Target.metric)).join(Plan, col(Plan.id) == col(Target.plan_id))
                .where(col(Plan.committee_id) == committee_id))).all():
            names.setdefault(indicator_id, set()).add(exact_key(metric))
        entries = [Entry(key=i.match_key, name=i.name, unit=i.unit, direction=i.direction,
                         names=names[i.id], ref=i) for i in indicators]  # type: ignore[index]
        count = (await session.execute(select(func.count()).select_from(Indicator)
                                       .where(col(Indicator.committee_id) == committee_id))).scalar_one()
        return cls(session, committee_id, Catalogue(entries), count + 1)

    async def indicator_for(self, target: TargetFacts) -> Indicator:
        """The indicator the target measures, created when the committee has none like it."""
        before = self.catalogue.match(target)
        names_before = set(before.names) if before else set()
        entry, new = self.catalogue.place(target)
        if new:
            indicator = Indicator(committee_id=self.committee_id, code=f"I{self.next_number:03d}", name=entry.name,
                                  match_key=entry.key, unit=entry.unit, direction=entry.direction)
            self.next_number += 1
            self.session.add(indicator)
            await self.session.flush()
            entry.ref = indicator
            self.created.add(indicator.id)  # type: ignore[arg-type]
            return indicator
        assert isinstance(entry.ref, Indicator)
        indicator = entry.ref
        if indicator.unit is None or indicator.id in self.created:
            indicator.unit = entry.unit
        else:
            entry.unit = indicator.unit  # observations are stored in it: it stays
        if indicator.direction is None and entry.direction is not None:
            indicator.direction = entry.direction
        if entry.names - names_before:  # a differently worded target joined it: the merge is inferred
            indicator.review, indicator.review_reason = True, merge_reason(entry)
        return indicator


def target_facts(values: dict[str, object]) -> TargetFacts:
    """The catalogue's view of a target given as seed fields."""
    return TargetFacts(metric=str(values["metric"]), op=str(values["op"]), unit=values.get("unit"),  # type: ignore[arg-type]
                       per_year=bool(values.get("per_year")), baseline_year=values.get("baseline_year"),  # type: ignore[arg-type]
                       direction=values.get("direction"))  # type: ignore[arg-type]
