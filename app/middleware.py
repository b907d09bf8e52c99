"""Pure ASGI middleware: request ids, the request body size limit and security headers."""

import json
import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        body = json.dumps({"type": "about:blank", "title": "Payload too large", "status": 413,
                           "detail": f"The request body is larger than {self.max_bytes} bytes.",
                           "instance": scope["path"]}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/problem+json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


# The documentation pages (/docs, /redoc, GraphiQL at /graphql) load everything from the service itself and have
# no inline scripts (app/docs.py, app/graphql/ide.py). Styles need 'unsafe-inline': ReDoc (styled-components) and
# GraphiQL write <style> elements at run time. ReDoc's search runs in a worker made from a blob: URL; fonts and
# icons are data: URLs inside the stylesheets.
HTML_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Everything else is data (JSON, CSV, JS, CSS): a browser that renders it directly may run nothing, embed nothing.
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"


class SecurityHeadersMiddleware:
    """`X-Content-Type-Options: nosniff` on every response; a Content-Security-Policy (strict for data, the docs
    policy for HTML pages) unless the route set one; `Cache-Control: no-store` on answers to requests carrying
    an Authorization header, unless the route chose its own Cache-Control (the status reads send `no-cache`
    with their ETag so that clients revalidate and get 304)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        authorized = any(name == b"authorization" for name, _ in scope["headers"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower(): value for name, value in headers}
                if b"x-content-type-options" not in present:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if b"content-security-policy" not in present:
                    html = present.get(b"content-type", b"").lower().startswith(b"text/html")
                    headers.append((b"content-security-policy", (HTML_CSP if html else DATA_CSP).encode()))
                if authorized and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
