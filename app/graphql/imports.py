"""GraphQL side of the bulk import: the row input and the import summary (the service is app/imports/service.py)."""

import strawberry

from app.graphql.enums import CycleKind
from app.imports import schemas


@strawberry.input(description="One imported value: the unit, year and kind it is for, and the fields of a value")
class ImportRowInput:
    unit: str | None = strawberry.field(default=strawberry.UNSET,
                                        description="Unit code; a unit token may leave it out (its own unit)")
    indicator: str | None = strawberry.field(default=strawberry.UNSET, description="Indicator code, e.g. I012")
    target: str | None = strawberry.field(default=strawberry.UNSET, description="A target code instead, e.g. W1.2a")
    year: int
    kind: CycleKind | None = strawberry.field(default=strawberry.UNSET, description="Default annual")
    value: float
    unit_of_measure: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "Defaults to the target's unit, else the indicator's; converted like submissions"))
    sex: str | None = strawberry.field(default=strawberry.UNSET, description="total (default), female or male")
    age_group: str | None = strawberry.field(default=strawberry.UNSET, description="e.g. 0-5岁; default all")
    area: str | None = strawberry.field(default=strawberry.UNSET, description="all (default), urban or rural")
    source: str | None = strawberry.UNSET
    note: str | None = strawberry.UNSET
    justification: str | None = strawberry.UNSET


# Derived from the REST schemas (app/imports/schemas.py): the same fields and descriptions, converted with
# from_pydantic, so the two APIs cannot drift apart.
@strawberry.experimental.pydantic.type(model=schemas.ImportedSubmission, all_fields=True,
                                       description="What an import does (or would do, on a dry run) to one unit's "
                                                   "submission")
class ImportedSubmission:
    status: str | None  # a Literal in the REST schema, which the pydantic integration does not map


@strawberry.experimental.pydantic.type(model=schemas.ImportSummary, all_fields=True, description=(
    "Counts of an import: imported (new), updated (differs from the counted value), unchanged; any refused row "
    "refuses the import with VALIDATION errors per row"))
class ImportSummary:
    pass
