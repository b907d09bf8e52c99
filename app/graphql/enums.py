"""GraphQL enums. Their names are the REST values (`annual`, `lead`, `W` …), so both APIs read alike."""

from enum import Enum

import strawberry

from app.models.enums import AssignmentRole, CycleKind, PlanKind, PlanStatus, Role, SubmissionStatus, TaskProgress

# The app's own enums, registered with strawberry (which marks the classes; they stay the same classes).
for _enum, _description in (
    (PlanKind, "women, children or combined"),
    (PlanStatus, "draft or published"),
    (Role, "admin (committee office), unit (one member unit), reader"),
    (AssignmentRole, "lead (牵头单位) or support (配合单位)"),
    (CycleKind, "annual self-assessment, mid-term or final evaluation"),
    (SubmissionStatus, "draft, submitted, returned or accepted"),
    (TaskProgress, "completed, on_schedule, delayed or not_started"),
):
    strawberry.enum(_enum, description=_description)

__all__ = ["AssignmentRole", "CycleKind", "Part", "PlanKind", "PlanStatus", "ReviewDecision", "Role",
           "SubmissionStatus", "TaskProgress"]


@strawberry.enum(description="Which half of a plan a domain belongs to: W (women) or C (children)")
class Part(Enum):
    W = "W"
    C = "C"


@strawberry.enum(description="accept the current revision, or return it to the unit for correction")
class ReviewDecision(Enum):
    accept = "accept"
    return_ = strawberry.enum_value("return", name="return")
