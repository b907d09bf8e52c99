"""The plan document: what the importer reads from a plan text, what seeds/plans/*.yaml hold, what the seeder loads.

One typed tree (committee, plan, domains → goals / measures → targets) instead of a dict read by string keys.
A seed file is ``PlanDocument.model_validate(yaml)`` and is written back by :func:`dump_plan_yaml`, key for key in
field order, so that re-running the import reproduces a seed file byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import yaml
from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import Part, PlanKind
from app.plans.schemas import ParsedTargetRead

__all__ = ["CommitteeDoc", "DomainDoc", "GoalDoc", "ItemDoc", "MeasureDoc", "PlanDoc", "PlanDocument", "TargetDoc",
           "dump_plan_yaml", "load_plan_yaml"]


class _Doc(BaseModel):
    # A misspelt key in a hand-written seed file is an error, not a silently missing value.
    model_config = ConfigDict(extra="forbid")


class _Coded(_Doc):
    code: str


class TargetDoc(ParsedTargetRead, _Coded):
    """A parsed target with its stable code ("W1.2a"); ``code`` comes first in the file (bases: reversed MRO)."""

    model_config = ConfigDict(extra="forbid")

    # Optional here, unlike in a parse result: a hand-written target (bench, tests) was read by no rule.
    rule: str | None = Field(default=None,  # type: ignore[assignment]
                             description="Id of the parser rule that read it; null: not parsed")


class ItemDoc(_Doc):
    """A numbered item of a domain: a goal (主要目标) or a measure (策略措施)."""

    code: str
    seq: int
    number: str | None = None  # as printed: "1", "12"
    title: str | None = None
    text: str
    targets: list[TargetDoc] = []


class GoalDoc(ItemDoc):
    """A goal; ``title`` is set only where the plan has no separate goal list (its first sentence)."""


class MeasureDoc(ItemDoc):
    """A measure; its targets are those with a number."""


class DomainDoc(_Doc):
    code: str  # part and seq: "W1"
    part: Part
    seq: int
    title: str
    subtitle: str | None = None
    inferred: bool = False  # the heading was lost in the text and recovered from the domain's position
    goals: list[GoalDoc] = []
    measures: list[MeasureDoc] = []

    def items(self) -> list[ItemDoc]:
        return [*self.goals, *self.measures]


class CommitteeDoc(_Doc):
    code: str  # GB/T 2260 division code
    name: str
    region: str


class PlanDoc(_Doc):
    """The plan's own fields; ``anomalies`` are the importer's notes on the text (Chinese, for the clerks)."""

    code: str
    title: str
    kind: PlanKind
    start_year: int
    end_year: int
    doc_number: str | None = None
    issued_date: date | None = None
    source_file: str | None = None
    anomalies: list[str] = []


class PlanDocument(_Doc):
    committee: CommitteeDoc
    plan: PlanDoc
    domains: list[DomainDoc] = []

    def items(self) -> Iterator[ItemDoc]:
        """Every goal and measure, domain by domain (goals before measures)."""
        for domain in self.domains:
            yield from domain.items()

    def targets(self) -> Iterator[TargetDoc]:
        for item in self.items():
            yield from item.targets

    @property
    def goal_count(self) -> int:
        return sum(len(domain.goals) for domain in self.domains)


def dump_plan_yaml(doc: PlanDocument) -> str:
    """Deterministic, diff-friendly YAML (one line per value, keys in field order, nulls written out)."""
    return yaml.safe_dump(doc.model_dump(mode="json"), allow_unicode=True, sort_keys=False, width=10**9)


def load_plan_yaml(text: str) -> PlanDocument:
    """Read a seed file written by :func:`dump_plan_yaml` (or by hand)."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("a plan seed file must hold a mapping")
    return PlanDocument.model_validate(data)
