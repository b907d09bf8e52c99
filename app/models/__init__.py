"""Table models, one module per aggregate; importing this package registers them all on the metadata."""

from app.models.auth import ApiToken, AuditEvent
from app.models.base import SQLModel
from app.models.indicator import Indicator, Observation, TargetVersion
from app.models.plan import Committee, Domain, Goal, Measure, Plan, Target
from app.models.status import OutboxEvent, StatusRefresh, Verdict
from app.models.submission import (
    CycleReopening,
    IdempotencyRecord,
    ReportingCycle,
    Submission,
    SubmissionRevision,
    SubmissionTask,
)
from app.models.unit import Assignment, Unit
from app.models.webhook import WebhookDelivery, WebhookSubscription

metadata = SQLModel.metadata

__all__ = [
    "ApiToken", "Assignment", "AuditEvent", "Committee", "CycleReopening", "IdempotencyRecord", "Domain", "Goal",
    "Indicator", "Observation", "TargetVersion",
    "Measure", "Plan",
    "ReportingCycle", "Submission", "SubmissionRevision", "SubmissionTask",
    "OutboxEvent", "StatusRefresh", "Verdict", "Target", "Unit", "WebhookDelivery", "WebhookSubscription", "metadata",
]
