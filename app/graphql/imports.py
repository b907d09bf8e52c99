"""GraphQL side of the bulk import: the row input and the import summary (the service is app/imports/service.py)."""

import strawberry

from app.graphql.enums import CycleKind
from app.imports.schemas import ImportSummary as ImportSummaryRead


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


@strawberry.type(description="What an import does (or would do, on a dry run) to one unit's submission")
class ImportedSubmission:
    unit: str
    year: int
    kind: CycleKind
    submission_id: int | None
    revision: int | None = strawberry.field(description="The revision written (or that would be); null: no change")
    status: str | None = strawberry.field(description="accepted (an admin's import) or submitted (a unit's)")
    imported: int
    updated: int
    unchanged: int


@strawberry.type(description="Counts of an import: imported (new), updated (differs from the counted value), "
                              "unchanged; any refused row refuses the import with VALIDATION errors per row")
class ImportSummary:
    dry_run: bool
    rows: int
    imported: int
    updated: int
    unchanged: int
    refused: int
    submissions: list[ImportedSubmission]

    @classmethod
    def from_read(cls, read: ImportSummaryRead) -> "ImportSummary":
        return cls(dry_run=read.dry_run, rows=read.rows, imported=read.imported, updated=read.updated,
                   unchanged=read.unchanged, refused=read.refused, submissions=[ImportedSubmission(
                       unit=s.unit, year=s.year, kind=CycleKind(s.kind.value), submission_id=s.submission_id,
                       revision=s.revision, status=s.status, imported=s.imported, updated=s.updated,
                       unchanged=s.unchanged) for s in read.submissions])
