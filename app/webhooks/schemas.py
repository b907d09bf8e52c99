"""API shapes for webhook subscriptions, their delivery log, replays and pings."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.json_types import JsonBool, JsonDateTime
from app.models.enums import DeliveryStatus

WebhookUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
EventType = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
PlanCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Secret = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class WebhookRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {
        "id": 1, "url": "http://10.2.3.4:8080/hooks/fuer", "event_types": ["verdict.changed"],
        "plans": ["chaoyang-2021-2025"], "enabled": True, "disabled_reason": None, "consecutive_failures": 0,
        "cursor": "1042", "created_at": "2026-12-02T08:00:00Z", "updated_at": "2026-12-02T08:00:00Z"}})

    id: int
    url: str
    event_types: list[str] = Field(description="Event types sent; empty: every type")
    plans: list[str] = Field(description="Plan codes whose events are sent; empty: every plan")
    enabled: bool
    disabled_reason: str | None = Field(description="Why it was disabled (by the office, or after repeated "
                                                    "failed deliveries)")
    consecutive_failures: int = Field(description="Deliveries that failed in a row (retries exhausted)")
    cursor: str = Field(description="The last outbox event handed to this subscription (a change-feed cursor)")
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="The signing secret (Standard Webhooks `whsec_…`): shown only in this answer")


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "url": "http://10.2.3.4:8080/hooks/fuer", "event_types": ["verdict.changed", "submission.accepted"],
        "plans": ["chaoyang-2021-2025"]}})

    url: WebhookUrl = Field(description="http(s) URL on a host the allow-list admits (WEBHOOK_ALLOWED_HOSTS)")
    event_types: list[EventType] = Field(default_factory=list, max_length=20,
                                         description="Empty or left out: every type")
    plans: list[PlanCode] = Field(default_factory=list, max_length=100, description="Empty or left out: every plan")
    secret: Secret | None = Field(default=None, description="`whsec_` + base64 of 24–64 random bytes; generated "
                                                            "when left out")
    enabled: JsonBool = True


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"enabled": True}})

    url: WebhookUrl | None = None
    event_types: list[EventType] | None = Field(default=None, max_length=20)
    plans: list[PlanCode] | None = Field(default=None, max_length=100)
    enabled: JsonBool | None = Field(default=None, description="false stops deliveries; true resumes them (and "
                                                               "clears the failure count)")


class DeliveryRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {
        "id": 7, "webhook_id": "evt_1042", "event_type": "verdict.changed", "event_cursor": "1042",
        "status": "pending", "attempts": 2, "next_attempt_at": "2026-12-02T08:02:35Z",
        "last_attempt_at": "2026-12-02T08:00:35Z", "response_status": 503, "last_error": "HTTP 503",
        "delivered_at": None, "created_at": "2026-12-02T08:00:00Z"}})

    id: int
    webhook_id: str = Field(description="The `webhook-id` header: the same for every send of one event to one "
                                        "subscription (replays too), so receivers can deduplicate")
    event_type: str = Field(description="The event's type, or `ping`")
    event_cursor: str | None = Field(description="The outbox event (a change-feed cursor); null for a ping")
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="When it is tried next (pending only)")
    last_attempt_at: datetime | None
    response_status: int | None = Field(description="The receiver's HTTP status at the last attempt")
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "from_cursor": "1000", "to_cursor": "1042"}})

    from_cursor: str | None = Field(default=None, max_length=40,
                                    description="Events after this cursor (exclusive)")
    to_cursor: str | None = Field(default=None, max_length=40, description="…up to this cursor (inclusive)")
    since: JsonDateTime | None = Field(default=None, description="Events written at or after this time")
    until: JsonDateTime | None = Field(default=None, description="…and before this time")


class ReplayResult(BaseModel):
    scheduled: int = Field(description="New pending deliveries (events already pending are not added twice)")
