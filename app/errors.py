"""One error hierarchy for the services, rendered as problem+json (RFC 9457) in one place."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("app.errors")

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 5
# What the driver raises when the database cannot be reached or is busy: the client may retry later (503).
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                        sa_exc.TimeoutError, ConnectionError, TimeoutError)


class AppError(Exception):
    """A failure the client can act on; `status` and `title` say what kind."""

    status = 400
    title = "Bad request"
    code = "BAD_REQUEST"

    def __init__(self, detail: str, *, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers


class Unauthorized(AppError):
    status, title, code = 401, "Unauthorized", "UNAUTHENTICATED"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="api"'})


class Forbidden(AppError):
    status, title, code = 403, "Forbidden", "FORBIDDEN"


class NotFound(AppError):
    status, title, code = 404, "Not found", "NOT_FOUND"


class Conflict(AppError):
    status, title, code = 409, "Conflict", "CONFLICT"


class PayloadTooLarge(AppError):
    status, title, code = 413, "Payload too large", "PAYLOAD_TOO_LARGE"


class ServiceUnavailable(AppError):
    status, title, code = 503, "Service unavailable", "UNAVAILABLE"

    def __init__(self, detail: str, retry_after: int = RETRY_AFTER_SECONDS) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class ValidationFailed(AppError):
    status, title, code = 422, "Validation failed", "VALIDATION"

    @classmethod
    def field(cls, field: str, reason: str) -> "ValidationFailed":
        return cls(f"{field}: {reason}", errors=[{"field": field, "reason": reason}])


class FieldError(BaseModel):
    field: str = Field(description="Path of the field in the request, e.g. `values[0].unit`, `year`, `If-Match`")
    reason: str


class Problem(BaseModel):
    """Every error, sent as `application/problem+json` (RFC 9457)."""

    type: str = "about:blank"
    title: str = Field(description="The kind of error: Not found, Conflict, Validation failed …")
    status: int
    detail: str = Field(description="What went wrong and what to do, in one sentence")
    instance: str = Field(description="The request path")
    errors: list[FieldError] | None = Field(default=None, description="Validation errors, one per field")
    request_id: str | None = Field(default=None, description="Quote it when reporting a problem")


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every error response of the OpenAPI document the Problem schema under application/problem+json."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (FieldError, Problem):
        components[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components["Problem"].pop("$defs", None)
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if not path.startswith("/api/"):  # health checks are public and take no input
                for code in ("401", "403", "404", "422"):
                    responses.pop(code, None)
            if "{" not in path:
                responses.pop("404", None)
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400:
                    content = response.setdefault("content", {})
                    content.pop("application/json", None)
                    problem_json = content.setdefault(PROBLEM_JSON, {})
                    problem_json["schema"] = {"$ref": "#/components/schemas/Problem"}
    return schema


def problem(status: int, title: str, detail: str, request: Request, *,
            errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail,
                            "instance": request.url.path}
    if errors is not None:
        body["errors"] = errors
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_for(exc: AppError, request: Request) -> JSONResponse:
    return problem(exc.status, exc.title, exc.detail, request, errors=exc.errors, headers=exc.headers)


def graphql_error_response(exc: AppError, code: str) -> JSONResponse:
    """An AppError refused before GraphQL ran, in the shape GraphQL clients read (`errors[].extensions.code`)."""
    extensions: dict[str, Any] = {"code": code}
    if exc.errors:
        extensions["errors"] = exc.errors
    return JSONResponse({"data": None, "errors": [{"message": exc.detail, "extensions": extensions}]},
                        status_code=exc.status, headers=exc.headers)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` says the database is down or overloaded (rather than that the request was wrong)."""
    return isinstance(exc, DATABASE_UNAVAILABLE) and not isinstance(exc, IntegrityError)


def _field_path(location: tuple[Any, ...]) -> str:
    # ("body", "values", 0, "value") -> "values[0].value"; the location kind (body/query/path) is dropped
    # unless it is all there is.
    parts = list(location[1:]) if len(location) > 1 else list(location)
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    errors = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":  # loc is ("body", <character position>): name the body itself
            reason = f"not valid JSON ({err.get('ctx', {}).get('error', 'decode error')} at character {err['loc'][-1]})"
            errors.append({"field": "body", "reason": reason})
        else:
            errors.append({"field": _field_path(tuple(err.get("loc", ()))), "reason": err.get("msg", "invalid")})
    return errors


def _unreadable_body(cause: BaseException) -> str:
    if isinstance(cause, UnicodeDecodeError):
        return "not valid JSON (the body is not UTF-8 text)"
    if isinstance(cause, RecursionError):
        return "not valid JSON (nested too deeply)"
    return "not valid JSON"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_for(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
        return problem(422, "Validation failed", detail, request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.__cause__ is not None:  # FastAPI could not read the body
            return problem_for(ValidationFailed.field("body", _unreadable_body(exc.__cause__)), request)
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        detail = str(exc.detail) if exc.detail else title
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No resource at {request.url.path}"
        return problem(exc.status_code, title, detail, request, headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # Services check their invariants first; this is the safety net for races between two requests.
        log.warning("integrity error request_id=%s path=%s", getattr(request.state, "request_id", "-"),
                    request.url.path)
        return problem(409, "Conflict", "The request conflicts with data changed at the same time; reload and retry.",
                       request)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> JSONResponse:
        # Safety net: inputs are bounded where they are declared; a number that still reaches the driver too large
        # for an INTEGER column is the client's error, not the server's.
        log.warning("number out of range request_id=%s path=%s", getattr(request.state, "request_id", "-"),
                    request.url.path)
        return problem(422, "Validation failed", "A number in the request is too large.", request)


def unexpected_error(request: Request, exc: BaseException) -> JSONResponse:
    """503 when the database is unreachable or busy; otherwise a masked 500 for a bug, logged with its traceback."""
    request_id = getattr(request.state, "request_id", "-")
    if database_unavailable(exc):
        # An outage is one log line per request, not a traceback: it is not a bug in the code.
        log.warning("database unavailable request_id=%s path=%s: %s", request_id, request.url.path,
                    type(exc).__name__)
        return problem_for(ServiceUnavailable("The database is not reachable right now; retry in a few seconds."),
                           request)
    log.error("unhandled error request_id=%s path=%s", request_id, request.url.path,
              exc_info=(type(exc), exc, exc.__traceback__))
    return problem(500, "Internal server error",
                   f"An unexpected error occurred; quote request id {request_id} when reporting it.", request)


class UnexpectedErrorMiddleware:
    """Answer an unhandled exception with a masked 500 and keep the connection usable.

    Starlette's own last-resort handler re-raises after answering, and the server then drops the keep-alive
    connection without saying so, which fails the client's next request. Innermost, so it sees the app's errors.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:  # too late to answer; the server closes the connection
                raise
            await unexpected_error(Request(scope), exc)(scope, receive, send)
