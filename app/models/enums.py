"""Vocabularies shared by tables, API schemas and services."""

from enum import StrEnum


class PlanKind(StrEnum):
    women = "women"
    children = "children"
    combined = "combined"


class PlanStatus(StrEnum):
    draft = "draft"
    published = "published"


class Part(StrEnum):
    """Which half of a plan a domain belongs to: women (W) or children (C)."""

    women = "W"
    children = "C"


class TargetOp(StrEnum):
    ge = ">="
    gt = ">"
    le = "<="
    lt = "<"
    approx = "≈"
    eq = "=="
    increase = "increase"
    decrease = "decrease"
    maintain = "maintain"


class Role(StrEnum):
    admin = "admin"
    unit = "unit"
    reader = "reader"


class AssignmentRole(StrEnum):
    lead = "lead"
    support = "support"


class CycleKind(StrEnum):
    baseline = "baseline"  # base-year values, for a year before the plan starts (or a target's baseline_year)
    annual = "annual"
    midterm = "midterm"
    final = "final"


class SubmissionStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    accepted = "accepted"


class TaskProgress(StrEnum):
    completed = "completed"
    on_schedule = "on_schedule"
    delayed = "delayed"
    not_started = "not_started"


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its (next) attempt, or being sent
    delivered = "delivered"  # the receiver answered 2xx
    failed = "failed"  # retries exhausted (a replay can send it again)


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)
