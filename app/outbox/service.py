"""Writing events into the outbox and reading them back in order.

Events are rows of ``outbox_event``, inserted in the writer's own transaction, so an event exists exactly when its
change was committed. Readers (the change feed, webhook delivery) page through them by cursor. On PostgreSQL,
ids are handed out before commit, so a row with a smaller id may become visible after a larger one: every row
records its transaction id, readers order by (txid, id) and read only rows of transactions older than any still
running (or their own). A cursor therefore never passes a row that will appear later, without any lock shared by
writers. On SQLite one transaction writes at a time, id order is commit order, and txid is 0.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.core.i18n import t
from app.core.pagination import MAX_INT
from app.db import insert_rows
from app.errors import ValidationFailed
from app.models import OutboxEvent
from app.models.base import utcnow

# Every type of event written to the outbox (webhook subscriptions choose among them).
EVENT_TYPES = ("verdict.changed", "submission.submitted", "submission.accepted", "submission.returned",
               "cycle.opened", "cycle.closed", "cycle.reopened", "cycle.due", "target.curated")


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the outbox: the last (txid, id) read. Written ``id`` when txid is 0, else ``txid.id``."""

    txid: int = 0
    id: int = 0

    def __str__(self) -> str:
        return str(self.id) if self.txid == 0 else f"{self.txid}.{self.id}"

    @classmethod
    def parse(cls, value: str | None, field: str = "since") -> "Cursor":
        if value is None or value == "":
            return cls()
        parts = value.split(".")
        if len(parts) > 2 or not all(p.isascii() and p.isdigit() and int(p) <= 2**63 - 1 for p in parts) or (
                len(parts) == 1 and int(parts[0]) > MAX_INT):
            raise ValidationFailed.field(field, t("must be a cursor returned by this feed (a non-negative integer) "
                                                  "or `now`"))
        return cls(int(parts[0]), int(parts[1])) if len(parts) == 2 else cls(0, int(parts[0]))


@dataclass(frozen=True)
class Event:
    """One event as readers see it."""

    cursor: Cursor
    type: str
    plan_id: int | None
    year: int | None
    subject: str
    payload: dict[str, Any]
    created_at: Any


def event_row(type: str, subject: str, payload: dict[str, Any], *, plan_id: int | None = None,
              year: int | None = None) -> dict[str, Any]:
    """The row of one event, for :func:`emit_many`."""
    return {"type": type, "plan_id": plan_id, "year": year, "subject": subject[:80], "payload": payload,
            "created_at": utcnow()}


async def emit(session: AsyncSession, type: str, subject: str, payload: dict[str, Any], *,
               plan_id: int | None = None, year: int | None = None) -> None:
    """Add one event to the outbox, in the session's transaction."""
    await emit_many(session, [event_row(type, subject, payload, plan_id=plan_id, year=year)])


async def emit_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Add events (rows of :func:`event_row`) to the outbox, in the session's transaction."""
    await insert_rows(session, OutboxEvent, rows)


def _final(session: AsyncSession) -> ColumnElement[bool] | None:
    """Rows no still-running transaction can precede (PostgreSQL); None where every committed row is final."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return or_(col(OutboxEvent.txid) < text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint"),
               col(OutboxEvent.txid) == text("coalesce(pg_current_xact_id_if_assigned()::text::bigint, -1)"))


def _after(cursor: Cursor) -> ColumnElement[bool]:
    return tuple_(col(OutboxEvent.txid), col(OutboxEvent.id)) > tuple_(cursor.txid, cursor.id)


def events_query(session: AsyncSession, after: Cursor, *, types: Iterable[str] | None = None,
                 plan_ids: Iterable[int] | None = None, year: int | None = None) -> Select[Any]:
    """The final events after ``after`` that match the filters, in order (add a limit)."""
    stmt = select(OutboxEvent).where(_after(after)).order_by(col(OutboxEvent.txid), col(OutboxEvent.id))
    final = _final(session)
    if final is not None:
        stmt = stmt.where(final)
    if types is not None:
        stmt = stmt.where(col(OutboxEvent.type).in_(list(types)))
    if plan_ids is not None:
        stmt = stmt.where(col(OutboxEvent.plan_id).in_(list(plan_ids)))
    if year is not None:
        stmt = stmt.where(col(OutboxEvent.year) == year)
    return stmt


async def read_events(session: AsyncSession, after: Cursor, limit: int, **filters: Any) -> list[Event]:
    rows = (await session.execute(events_query(session, after, **filters).limit(limit))).scalars()
    return [Event(Cursor(r.txid, r.id), r.type, r.plan_id, r.year, r.subject, r.payload, r.created_at)
            for r in rows]


async def newest(session: AsyncSession) -> Cursor:
    """The cursor of the newest final event (the start of a reader that wants only what comes next)."""
    stmt = select(col(OutboxEvent.txid), col(OutboxEvent.id)).order_by(
        col(OutboxEvent.txid).desc(), col(OutboxEvent.id).desc()).limit(1)
    final = _final(session)
    if final is not None:
        stmt = stmt.where(final)
    row = (await session.execute(stmt)).first()
    return Cursor(row[0], row[1] or 0) if row else Cursor()


__all__ = ["EVENT_TYPES", "Cursor", "Event", "emit", "emit_many", "event_row", "events_query", "newest", "read_events"]
