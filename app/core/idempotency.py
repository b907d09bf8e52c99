"""Idempotency-Key for POSTs: a retried request gets the first response and changes nothing.

The key's record is inserted *before* the work, in the same transaction. A concurrent retry therefore
blocks on the record's unique index until the first request commits, then replays its response; if
the first request fails, its record rolls back with it and a retry runs afresh.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.actor import Actor
from app.core.i18n import t
from app.errors import ValidationFailed
from app.models import IdempotencyRecord

MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: dict[str, Any]
    replayed: bool


def request_fingerprint(method: str, path: str, payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


async def run_once(session: AsyncSession, actor: Actor, key: str | None, fingerprint: str,
                   work: Callable[[], Awaitable[tuple[int, dict[str, Any]]]]) -> Outcome:
    """Run `work` once per (token, key); later calls with the same key and request replay its response."""
    if key is None:
        status_code, body = await work()
        return Outcome(status_code, body, replayed=False)
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ValidationFailed.field("Idempotency-Key", t("must be 1 to {max} characters", max=MAX_KEY_LENGTH))
    owner = f"token:{actor.token_id}" if actor.token_id is not None else f"name:{actor.name}"
    try:
        async with session.begin_nested():
            record = IdempotencyRecord(owner=owner, key=key, request_hash=fingerprint, status_code=0, response={})
            session.add(record)
            await session.flush()
    except IntegrityError:
        return await _replay(session, owner, key, fingerprint)
    status_code, body = await work()
    await session.execute(update(IdempotencyRecord).where(col(IdempotencyRecord.id) == record.id)
                          .values(status_code=status_code, response=body))
    return Outcome(status_code, body, replayed=False)


async def _replay(session: AsyncSession, owner: str, key: str, fingerprint: str) -> Outcome:
    stored = (await session.execute(select(IdempotencyRecord).where(
        col(IdempotencyRecord.owner) == owner, col(IdempotencyRecord.key) == key)
        .execution_options(populate_existing=True))).scalar_one()
    if stored.request_hash != fingerprint:
        raise ValidationFailed.field("Idempotency-Key", t("this key was already used with a different request; "
                                                          "use a new key for a new request"))
    return Outcome(stored.status_code, stored.response, replayed=True)
