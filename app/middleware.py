"""Pure ASGI middleware: request ids and the request body size limit."""

import json
import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.i18n import current_locale, t

log = logging.getLogger("app.access")


class RequestIdMiddleware:
    """Give every request an id (or keep a sane incoming X-Request-ID), echo it, and log one access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_code = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode("latin-1")))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # Only method, path and status: never headers, bodies or tokens.
            log.info("%s %s %s %.1fms request_id=%s", scope["method"], scope["path"], status_code,
                     (time.perf_counter() - started) * 1000, request_id)


class BodySizeLimitMiddleware:
    """Refuse request bodies over `max_bytes` with 413 before the app reads them whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        too_large = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLarge:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        # The same body as errors.PayloadTooLarge would give (this runs outside the app's error handlers).
        body = json.dumps({"type": "about:blank", "title": t("Payload too large"), "status": 413,
                           "code": "PAYLOAD_TOO_LARGE",
                           "detail": t("The request body is larger than {max_bytes} bytes.", max_bytes=self.max_bytes),
                           "instance": scope["path"]}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/problem+json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"content-language", current_locale().encode("latin-1"))]})
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass
