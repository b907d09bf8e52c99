"""The real worker process (`python -m app worker`) killed with SIGKILL half-way: nothing is lost."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.auth.actor import CLI_ACTOR
from app.cli import migrate
from app.db import create_engine, make_sessionmaker
from app.outbox.service import emit
from app.settings import PROJECT_ROOT
from app.webhooks.schemas import WebhookCreate
from app.webhooks.service import create_webhook
from tests.webhooks.conftest import Receiver

EVENTS = 12


def start_worker(url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "WORKER_POLL_SECONDS": "0.05", "WEBHOOK_BATCH": "1",
           "LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "app", "worker"], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(condition, what: str, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    """Poll until `condition()` holds (a wait for another process, not a timing check)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_a_killed_worker_process_loses_no_event(tmp_path: Path, receiver: Receiver) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'worker.db'}"
    migrate(url)

    async def arrange() -> str:
        engine = create_engine(url)
        async with make_sessionmaker(engine)() as session:
            created = await create_webhook(session, CLI_ACTOR, WebhookCreate(url=receiver.url))
            await session.commit()
            for n in range(EVENTS):
                await emit(session, "cycle.opened", f"test:{n}", {"n": n})
            await session.commit()
        await engine.dispose()
        return created.secret

    secret = asyncio.run(arrange())
    receiver.slow = 0.2  # each answer takes a while: the kill lands mid-way
    worker = start_worker(url)
    try:
        wait_for(lambda: len(receiver.requests) >= 3, "the first deliveries")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        delivered_before_kill = len(receiver.unique())
        assert delivered_before_kill < EVENTS
        worker = start_worker(url)
        wait_for(lambda: len(receiver.unique()) == EVENTS, "every event after the restart")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    assert worker.returncode == 0, worker.stderr.read() if worker.stderr else ""
    payloads = [request.verified(secret) for request in receiver.unique().values()]
    assert sorted(p["data"]["n"] for p in payloads) == list(range(EVENTS))
