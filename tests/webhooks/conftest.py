"""A real HTTP receiver for webhook tests, and the submission world (units, cycles, tokens) that makes events."""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from tests.submissions.conftest import world  # noqa: F401  (the fixture)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    def json(self) -> Any:
        return json.loads(self.body)

    def verified(self, secret: str) -> Any:
        """The payload, if the signature is the one `secret` makes (standardwebhooks' verifier); raises if not."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass
class Receiver:
    """Records every POST; answers the next status of `answers` (then 204). `seen` is what it deduplicated."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    slow: float = 0.0  # seconds each answer takes
    lock: threading.Lock = field(default_factory=threading.Lock)

    def down(self, times: int, status: int = 503) -> None:
        with self.lock:
            self.answers.extend([status] * times)

    def ids(self) -> list[str]:
        return [r.webhook_id for r in self.requests]

    def unique(self) -> dict[str, Received]:
        """What a receiver that deduplicates on webhook-id keeps: the first request of each id."""
        kept: dict[str, Received] = {}
        for request in self.requests:
            kept.setdefault(request.webhook_id, request)
        return kept


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            rec = state["receiver"]
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with rec.lock:
                rec.requests.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                status = rec.answers.pop(0) if rec.answers else 204
            time.sleep(rec.slow)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["receiver"]
    finally:
        server.shutdown()
        server.server_close()
