"""GraphQL types of the indicator catalogue, built from the schemas REST returns (app/indicators/schemas.py).

An indicator's observations resolve through one DataLoader per set of arguments, so a page of indicators with
their time series costs a fixed number of statements.
"""

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from app.graphql.context import Context
from app.indicators import service
from app.indicators.schemas import IndicatorObservationRead, IndicatorRead, IndicatorTargetRead

Info = strawberry.Info[Context, None]


@strawberry.enum(description="Which rows of a time series: one dimension broken down (the others at their "
                             "totals), or every row; omitted: totals only")
class ObservationBreakdown(Enum):
    sex = "sex"
    age = "age"
    area = "area"
    all = "all"


@strawberry.type(description="A group of the population as observations name it: total/all/all is everyone.")
class BreakdownScope:
    sex: str
    age_group: str
    area: str


@strawberry.type(description="A target or milestone on an indicator, in any plan of the committee.")
class IndicatorTarget:
    plan_code: str
    code: str
    metric: str = strawberry.field(description="The indicator as this target words it")
    op: str
    value: float | None
    unit: str | None
    due_year: int
    scope: BreakdownScope

    @classmethod
    def from_read(cls, read: IndicatorTargetRead) -> "IndicatorTarget":
        return cls(plan_code=read.plan_code, code=read.code, metric=read.metric, op=read.op.value, value=read.value,
                   unit=read.unit, due_year=read.due_year, scope=BreakdownScope(**read.scope.model_dump()))


@strawberry.type(description="One reported value of an indicator: a unit's, for one year and breakdown.")
class IndicatorObservation:
    year: int
    unit: str = strawberry.field(description="Code of the reporting unit")
    unit_name: str
    kind: str = strawberry.field(description="The cycle it was reported in: baseline, annual, midterm, final")
    sex: str
    age_group: str
    area: str
    value: float = strawberry.field(description="In the indicator's unit")
    measure_unit: str | None
    reported_value: float
    reported_unit: str | None
    source: str | None
    note: str | None
    provisional: bool = strawberry.field(description="Submitted, not yet accepted")
    submission_id: int
    revision: int
    warnings: JSON = strawberry.field(description="Checks it raised when it was saved: code, message, params")
    justification: str | None

    @classmethod
    def from_read(cls, read: IndicatorObservationRead) -> "IndicatorObservation":
        data: dict[str, Any] = read.model_dump()
        return cls(**{**data, "kind": read.kind.value, "warnings": JSON(data["warnings"])})


@strawberry.type(description="监测指标: what a target measures, shared by every target of the committee on it.")
class Indicator:
    code: str = strawberry.field(description="Stable within the committee, e.g. I003")
    name: str
    unit: str | None = strawberry.field(description="The unit observations are stored in")
    direction: str | None = strawberry.field(description="higher or lower is better")
    definition: str | None
    data_source_unit: str | None = strawberry.field(description="Code of the unit whose value counts, if set")
    breakdowns: list[str]
    age_groups: list[str]
    precision: int | None
    national_code: str | None
    review: bool
    review_reason: str | None
    merged_into: str | None = strawberry.field(description="The indicator this one was merged into")
    targets: list[IndicatorTarget] = strawberry.field(description="Of this plan in `Plan.indicators`; of every plan "
                                                                  "of the committee elsewhere")
    plan_code: strawberry.Private[str]

    @classmethod
    def from_read(cls, read: IndicatorRead, plan_code: str) -> "Indicator":
        data = read.model_dump(exclude={"targets"})
        return cls(**data, targets=[IndicatorTarget.from_read(t) for t in read.targets], plan_code=plan_code)

    @strawberry.field(description="The time series, oldest first, as REST's /observations (a unit: its own; "
                                  "readers: accepted values only)")
    async def observations(
        self, info: Info, unit: str | None = None,
        from_year: Annotated[int | None, strawberry.argument(name="from")] = None,
        to_year: Annotated[int | None, strawberry.argument(name="to")] = None,
        breakdown: ObservationBreakdown | None = None, include_provisional: bool = False,
    ) -> list[IndicatorObservation]:
        actor = await info.context.actor()
        filters = service.SeriesFilter(unit=unit, from_year=from_year, to_year=to_year,
                                       breakdown=breakdown.value if breakdown else None,
                                       include_provisional=include_provisional)
        reads = await info.context.loaders.observations(actor, filters).load((self.plan_code, self.code))
        return [IndicatorObservation.from_read(read) for read in reads]
