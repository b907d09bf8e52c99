"""Pure ASGI middleware: request ids and the access log; the request guard (body size, unstorable text); security
headers."""

import logging
import re
import time
import uuid
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.asgi import HttpMiddleware
from app.core.i18n import t
from app.core.unstorable import find_unstorable_in_json, unstorable_reason
from app.errors import PayloadTooLarge, ValidationFailed, graphql_error_response, problem_for

log = logging.getLogger("app.access")
# Uploads that may be larger than a request body (MAX_IMPORT_BYTES): bulk imports, filled Excel templates.
IMPORT_PATH = re.compile(r"/api/v1/plans/[^/]+/(?:observations/import|cycles/[^/]+/[^/]+/units/[^/]+/template\.xlsx)/?")


class RequestIdMiddleware(HttpMiddleware):
    """Give every request an id (or keep a sane incoming X-Request-ID), echo it, and log one access line."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
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


class RequestGuardMiddleware(HttpMiddleware):
    """Refuse what no route should see: bodies over `max_bytes` (413) and text no database can hold (422).

    The body is read here in full (it is bounded), so a chunked body without Content-Length is measured too,
    and a NUL or a lone surrogate is found by field in the path, the query, a header or a JSON body.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, import_max_bytes: int | None = None) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes
        self.import_max_bytes = import_max_bytes or max_bytes  # bulk imports (IMPORT_PATH) may be larger

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _unstorable_in_url_or_headers(scope)
        if found:
            await self._refuse_text(scope, receive, send, *found)
            return
        limit = self.import_max_bytes if IMPORT_PATH.fullmatch(scope["path"]) else self.max_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse_size(scope, receive, send, limit)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                chunks = []
                await self.app(scope, _replay(message, receive), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await self._refuse_size(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body:  # whatever the Content-Type says: FastAPI also reads a body without one as JSON
            found = find_unstorable_in_json(body)
            if found:
                await self._refuse_text(scope, receive, send, *found)
                return
        await self.app(scope, _replay({"type": "http.request", "body": body, "more_body": False}, receive), send)

    async def _refuse_size(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = PayloadTooLarge(t("The request body is larger than {max_bytes} bytes.", max_bytes=limit))
        await problem_for(error, Request(scope))(scope, receive, send)

    async def _refuse_text(self, scope: Scope, receive: Receive, send: Send, field: str, reason: str) -> None:
        error = ValidationFailed.field(field, reason)
        if scope["path"].rstrip("/").endswith("/graphql"):
            await graphql_error_response(error, "BAD_USER_INPUT")(scope, receive, send)
        else:
            await problem_for(error, Request(scope))(scope, receive, send)


def _replay(first: Message, receive: Receive) -> Receive:
    """A receive() that hands out `first`, then defers to the server's (which reports the disconnect)."""
    pending = [first]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _unstorable_in_url_or_headers(scope: Scope) -> tuple[str, str] | None:
    reason = unstorable_reason(scope["path"])
    if reason:
        return "path", reason
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if unstorable_reason(name):
            return "query", unstorable_reason(name) or ""
        reason = unstorable_reason(value)
        if reason:
            return name, reason
    for name, value in scope["headers"]:
        if b"\x00" in value:
            return name.decode("latin-1").title(), "contains a NUL character (\\u0000)"
    return None


# The documentation pages (/docs, /redoc, GraphiQL at /graphql) load everything from the service itself and have
# no inline scripts (app/docs.py, app/graphql/ide.py). Styles need 'unsafe-inline': ReDoc (styled-components) and
# GraphiQL write <style> elements at run time. ReDoc's search runs in a worker made from a blob: URL; fonts and
# icons are data: URLs inside the stylesheets.
HTML_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Everything else is data (JSON, CSV, JS, CSS): a browser that renders it directly may run nothing, embed nothing.
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"


class SecurityHeadersMiddleware(HttpMiddleware):
    """`X-Content-Type-Options: nosniff` on every response; a Content-Security-Policy (strict for data, the docs
    policy for HTML pages) unless the route set one; `Cache-Control: no-store` on answers to requests carrying
    an Authorization header, unless the route chose its own Cache-Control (the status reads send `no-cache`
    with their ETag so that clients revalidate and get 304)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
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
