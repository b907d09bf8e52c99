"""The worker loop: every job runs on its own interval, each step in its own short transactions.

Jobs are safe to run in several workers at once on PostgreSQL (each claims its rows with ``FOR UPDATE SKIP
LOCKED`` or a per-plan advisory lock) and safe to interrupt: what a killed worker had not committed is simply done
again by the next run. On the embedded SQLite default, run one worker (``make run`` starts it beside the service).
"""

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.clock import today
from app.core.memory import tune_garbage_collection
from app.cycles.service import announce_due_cycles
from app.db import create_engine, make_sessionmaker
from app.settings import Settings
from app.status.publication import catch_up

log = logging.getLogger("app.worker")

Sessionmaker = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class Job:
    """A named step of the worker, run every ``every`` seconds; returns how much it did (for the log)."""

    name: str
    every: float
    run: Callable[[Sessionmaker], Awaitable[int]]


async def daily_catch_up(sessionmaker: Sessionmaker) -> int:
    """Once a day in the committee's time zone: recompute every plan not yet computed today (due dates passing
    raise ``overdue``), and announce every cycle whose due date has passed."""
    day = today()
    async with sessionmaker() as session:
        announced = await announce_due_cycles(session, day)
        await session.commit()
    report = await catch_up(sessionmaker, day)
    return announced + report.plans


def jobs(settings: Settings) -> list[Job]:
    from app.webhooks.delivery import deliver_due, fan_out  # the webhooks need the outbox, not the reverse

    return [Job("daily catch-up", settings.worker_catch_up_seconds, daily_catch_up),
            Job("webhook fan-out", settings.worker_poll_seconds, fan_out),
            Job("webhook delivery", settings.worker_poll_seconds, deliver_due)]


async def run_worker(settings: Settings, *, once: bool = False, stop: asyncio.Event | None = None) -> None:
    """Run the jobs until ``stop`` is set (or SIGTERM/SIGINT), or one round with ``once``."""
    engine = create_engine(settings.database_url, pool_size=settings.database_pool_size,
                           max_overflow=settings.database_max_overflow)
    sessionmaker = make_sessionmaker(engine)
    stop = stop or asyncio.Event()
    if not once:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    schedule = jobs(settings)
    if not once:
        tune_garbage_collection()
    next_run = {job.name: 0.0 for job in schedule}
    log.info("worker started", extra={"jobs": [job.name for job in schedule]})
    try:
        while not stop.is_set():
            for job in schedule:
                if time.monotonic() < next_run[job.name]:
                    continue
                try:
                    done = await job.run(sessionmaker)
                    if done:
                        log.info("worker job done", extra={"job": job.name, "count": done})
                except Exception:  # a failing job must not stop the others; it is retried next time
                    log.exception("worker job failed", extra={"job": job.name})
                next_run[job.name] = time.monotonic() + job.every
            if once:
                break
            wait = max(0.0, min(next_run.values()) - time.monotonic())
            try:
                await asyncio.wait_for(stop.wait(), timeout=max(wait, 0.05))
            except TimeoutError:
                pass
    finally:
        await engine.dispose()
        log.info("worker stopped")
