"""One error hierarchy for the services, rendered as problem+json (RFC 9457) in one place."""

import logging
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Receive, Scope, Send

from app.core.asgi import HttpMiddleware
from app.core.i18n import N_, current_locale, t

log = logging.getLogger("app.errors")

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 5
# What the driver raises when the database cannot be reached or is busy: the client may retry later (503).
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                        sa_exc.TimeoutError, ConnectionError, TimeoutError)


class AppError(Exception):
    """A failure the client can act on; `status`, `title` (English, translated when sent) and `code` say what kind.

    `detail` and each error's `reason` are already in the request's language: raise sites pass `t("…")`.
    """

    status = 400
    title = N_("Bad request")
    code = "BAD_REQUEST"

    def __init__(self, detail: str, *, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers


class Unauthorized(AppError):
    status, title, code = 401, N_("Unauthorized"), "UNAUTHENTICATED"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="api"'})


class Forbidden(AppError):
    status, title, code = 403, N_("Forbidden"), "FORBIDDEN"


class NotFound(AppError):
    status, title, code = 404, N_("Not found"), "NOT_FOUND"


class Conflict(AppError):
    status, title, code = 409, N_("Conflict"), "CONFLICT"


class PayloadTooLarge(AppError):
    status, title, code = 413, N_("Payload too large"), "PAYLOAD_TOO_LARGE"


class ServiceUnavailable(AppError):
    status, title, code = 503, N_("Service unavailable"), "UNAVAILABLE"

    def __init__(self, detail: str, retry_after: int = RETRY_AFTER_SECONDS) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class ValidationFailed(AppError):
    status, title, code = 422, N_("Validation failed"), "VALIDATION"

    @classmethod
    def field(cls, field: str, reason: str, *, code: str | None = None) -> "ValidationFailed":
        error = {"field": field, "reason": reason}
        if code is not None:
            error["code"] = code
        return cls(f"{field}: {reason}", errors=[error])


class FieldError(BaseModel):
    field: str = Field(description="Path of the field in the request, e.g. `values[0].unit`, `year`, `If-Match` "
                                   "(the API's English names, never translated)")
    reason: str = Field(description="Why it is refused, for people: Chinese, or English with `Accept-Language: en`")
    code: str | None = Field(default=None, description="For machines, where known: the validation error's type "
                                                       "(`missing`, `int_type`, `string_too_long`, `extra_forbidden`)")


class Problem(BaseModel):
    """Every error, sent as `application/problem+json` (RFC 9457).

    `title`, `detail` and `errors[].reason` are for people, in Chinese, or in English when the request sends
    `Accept-Language: en` (the response's `Content-Language` says which); programs branch on `code`.
    """

    type: str = "about:blank"
    title: str = Field(description="The kind of error, translated: 未找到 / Not found, 冲突 / Conflict, "
                                   "校验失败 / Validation failed …")
    status: int
    code: str = Field(description="The kind of error for machines, stable and never translated: BAD_REQUEST, "
                                  "UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED, CONFLICT, "
                                  "PAYLOAD_TOO_LARGE, VALIDATION, PRECONDITION_REQUIRED, INTERNAL, UNAVAILABLE …")
    detail: str = Field(description="What went wrong and what to do, in one sentence, translated")
    instance: str = Field(description="The request path")
    errors: list[FieldError] | None = Field(default=None, description="Validation errors, one per field")
    request_id: str | None = Field(default=None, description="Quote it when reporting a problem")


# Statuses any operation may answer besides its own, by what it takes; document_problems adds them where they apply.
# (status: description, example title, code, example detail)
_EXAMPLE_INSTANCE = "/api/v1/…"
BODY_PROBLEMS: dict[str, tuple[str, str, str, str]] = {
    "413": ("The request body is larger than the server accepts (`MAX_BODY_BYTES`)", "请求体过大",
            "PAYLOAD_TOO_LARGE", "请求体超过 1000000 字节。"),
}
PATH_PROBLEMS: dict[str, tuple[str, str, str, str]] = {
    "404": ("No such resource: a code or id in the path does not exist", "未找到", "NOT_FOUND", "规划 x 不存在。"),
}
# The request guard answers these on every path: a NUL or lone surrogate anywhere, a body over the limit.
GUARD_PROBLEMS: dict[str, tuple[str, str, str, str]] = {
    "413": BODY_PROBLEMS["413"],
    "422": ("Invalid input: `errors` names every field and the reason (e.g. a NUL character in a query "
            "parameter); nothing was saved", "校验失败", "VALIDATION", "q: 含有 NUL 字符（\\u0000）"),
}
DATABASE_PROBLEMS: dict[str, tuple[str, str, str, str]] = {
    "503": ("The database is not reachable (tokens are checked there too); retry after `Retry-After` seconds",
            "服务暂不可用", "UNAVAILABLE", "暂时无法连接数据库；请几秒钟后重试。"),
}
RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "401": {"WWW-Authenticate": {"description": "`Bearer realm=\"api\"`", "required": True,
                                 "schema": {"type": "string"}}},
    "503": {"Retry-After": {"description": "Seconds to wait before retrying", "required": True,
                            "schema": {"type": "string"}}},
}


def _problem_response(status: str, description: str, title: str, code: str, detail: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"example": {
        "type": "about:blank", "title": title, "status": int(status), "code": code, "detail": detail,
        "instance": _EXAMPLE_INSTANCE}}}}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare every status an operation can answer, each error as the Problem schema under application/problem+json.

    Besides what the app and each route declare: 413 where there is a request body (the request guard's limit),
    404 where the path names a resource, 503 wherever the database is used (every authenticated operation: the
    token is looked up there); the health checks are public and take no input. (A body FastAPI cannot read is a
    422 like any other invalid body.)
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (FieldError, Problem):
        components[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components["Problem"].pop("$defs", None)
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if not path.startswith("/api/"):  # health checks are public and take no input
                for code in ("401", "403", "404", "422"):
                    responses.pop(code, None)
            added: dict[str, tuple[str, str, str, str]] = dict(GUARD_PROBLEMS)
            if "requestBody" in operation:
                added |= BODY_PROBLEMS
            if "{" in path:
                added |= PATH_PROBLEMS
            if operation.get("security"):
                added |= DATABASE_PROBLEMS
            for code, (description, title, kind, detail) in added.items():
                responses.setdefault(code, _problem_response(code, description, title, kind, detail))
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400:
                    content = response.setdefault("content", {})
                    content.pop("application/json", None)
                    problem_json = content.setdefault(PROBLEM_JSON, {})
                    problem_json["schema"] = {"$ref": "#/components/schemas/Problem"}
                    if code in RESPONSE_HEADERS:
                        response["headers"] = {**RESPONSE_HEADERS[code], **response.get("headers", {})}
            operation["responses"] = dict(sorted(responses.items()))
    return schema


def problem(status: int, title: str, code: str, detail: str, request: Request, *,
            errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem+json response; `title` is the English source text (translated here), `detail` already translated."""
    body: dict[str, Any] = {"type": "about:blank", "title": t(title), "status": status, "code": code,
                            "detail": detail, "instance": request.url.path}
    if errors is not None:
        body["errors"] = errors
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON,
                        headers={**(headers or {}), "Content-Language": current_locale()})


def problem_for(exc: AppError, request: Request) -> JSONResponse:
    return problem(exc.status, exc.title, exc.code, exc.detail, request, errors=exc.errors, headers=exc.headers)


def graphql_error_response(exc: AppError, code: str) -> JSONResponse:
    """An AppError refused before GraphQL ran, in the shape GraphQL clients read (`errors[].extensions.code`)."""
    extensions: dict[str, Any] = {"code": code}
    if exc.errors:
        extensions["errors"] = exc.errors
    return JSONResponse({"data": None, "errors": [{"message": exc.detail, "extensions": extensions}]},
                        status_code=exc.status, headers={**(exc.headers or {}), "Content-Language": current_locale()})


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


# Pydantic's error types, as people read them; `{…}` are the error's ctx. Every type the API's inputs can produce
# is here; any other still names its type (see pydantic_reason).
PYDANTIC_REASONS: dict[str, str] = {
    "missing": N_("required field"),
    "extra_forbidden": N_("field not allowed"),
    "int_type": N_("must be an integer"),
    "int_parsing": N_("must be an integer"),
    "int_from_float": N_("must be a whole number"),
    "int_parsing_size": N_("the number is too large"),
    "float_type": N_("must be a number"),
    "float_parsing": N_("must be a number"),
    "finite_number": N_("must be a finite number"),
    "decimal_type": N_("must be a number"),
    "decimal_parsing": N_("must be a number"),
    "bool_type": N_("must be a boolean (true or false)"),
    "bool_parsing": N_("must be a boolean (true or false)"),
    "string_type": N_("must be a string"),
    "string_unicode": N_("must be a string"),
    "string_too_short": N_("must be at least {min_length} characters"),
    "string_too_long": N_("must be at most {max_length} characters"),
    "string_pattern_mismatch": N_("must match the pattern {pattern}"),
    "greater_than": N_("must be greater than {gt}"),
    "greater_than_equal": N_("must not be less than {ge}"),
    "less_than": N_("must be less than {lt}"),
    "less_than_equal": N_("must not be greater than {le}"),
    "multiple_of": N_("must be a multiple of {multiple_of}"),
    "enum": N_("must be one of: {expected}"),
    "literal_error": N_("must be one of: {expected}"),
    "json_type": N_("must be a JSON string, bytes or bytearray"),
    "model_type": N_("must be an object"),
    "model_attributes_type": N_("must be an object"),
    "dict_type": N_("must be an object"),
    "list_type": N_("must be a list"),
    "tuple_type": N_("must be a list"),
    "set_type": N_("must be a list"),
    "too_short": N_("must have at least {min_length} item(s)"),
    "too_long": N_("must have at most {max_length} item(s)"),
    "date_type": N_("must be a date (YYYY-MM-DD)"),
    "date_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": N_("must be a date without a time of day"),
    "datetime_type": N_("must be a date and time (ISO 8601)"),
    "datetime_parsing": N_("must be a date and time (ISO 8601)"),
    "datetime_from_date_parsing": N_("must be a date and time (ISO 8601)"),
    "timezone_aware": N_("must include a time zone"),
    "timezone_naive": N_("must not include a time zone"),
    "uuid_type": N_("must be a UUID"),
    "uuid_parsing": N_("must be a UUID"),
    "none_required": N_("must be null"),
    "union_tag_invalid": N_("the kind {tag} is not one of {expected_tags}"),
    "union_tag_not_found": N_("the field {discriminator} is required to tell the kind"),
    "url_type": N_("must be a URL"),
    "url_parsing": N_("must be a URL"),
    "bytes_type": N_("must be a string"),
}
_GENERIC_REASON = N_("invalid value ({type})")


def pydantic_reason(err: Mapping[str, Any]) -> str:
    """One pydantic error in the request's language, by its `type` and `ctx` (REST and GraphQL inputs)."""
    kind = str(err.get("type", ""))
    ctx = {key: str(value) for key, value in (err.get("ctx") or {}).items()}
    if "expected" in ctx:  # enum and literal: "'a', 'b' or 'c'", said the same way in every language
        ctx["expected"] = ctx["expected"].replace(" or ", ", ")
    if kind in ("value_error", "assertion_error") and ctx.get("error"):
        return ctx["error"].removeprefix("Value error, ")  # a validator's own message (validators raise t("…"))
    template = PYDANTIC_REASONS.get(kind)
    if template is not None:
        try:
            return t(template).format(**ctx)
        except (KeyError, IndexError, ValueError):  # a ctx without the expected key: fall back to the type
            pass
    return t(_GENERIC_REASON, type=kind or "?")


def field_errors(errors: Iterable[Mapping[str, Any]], path: Callable[[tuple[Any, ...]], str]) -> list[dict[str, str]]:
    """Pydantic errors as the API's field errors: field path, translated reason and the error type as code."""
    result = []
    for err in errors:
        kind = str(err.get("type", ""))
        if kind == "json_invalid":  # loc is ("body", <character position>): name the body itself
            error = str((err.get("ctx") or {}).get("error", "decode error"))
            position = err["loc"][-1] if err.get("loc") else "?"
            result.append({"field": "body", "reason": t("not valid JSON ({error} at character {position})",
                                                        error=error, position=position), "code": kind})
        else:
            result.append({"field": path(tuple(err.get("loc", ()))), "reason": pydantic_reason(err), "code": kind})
    return result


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    return field_errors(exc.errors(), _field_path)


def summary(errors: list[dict[str, str]]) -> str:
    """The `detail` of a validation problem: its first field errors in one line."""
    return "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])


# Framework errors (404 for an unknown path, 405 …) get the title and code of the AppError of the same status.
_HTTP_KINDS: dict[int, tuple[str, str]] = {
    kind.status: (kind.title, kind.code)
    for kind in (AppError, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, ValidationFailed,
                 ServiceUnavailable)
} | {
    405: (N_("Method not allowed"), "METHOD_NOT_ALLOWED"),
    406: (N_("Not acceptable"), "NOT_ACCEPTABLE"),
    415: (N_("Unsupported media type"), "UNSUPPORTED_MEDIA_TYPE"),
    429: (N_("Too many requests"), "TOO_MANY_REQUESTS"),
}


def _http_detail(exc: StarletteHTTPException, request: Request, title: str) -> str:
    detail = str(exc.detail) if exc.detail else ""
    try:
        default = HTTPStatus(exc.status_code).phrase
    except ValueError:
        default = ""
    if exc.status_code == 404 and detail in ("", default):
        return t("No resource at {path}.", path=request.url.path)
    if exc.status_code == 405 and detail in ("", default):
        return t("The method {method} is not allowed on {path}.", method=request.method, path=request.url.path)
    if detail in ("", default):
        return t(title)
    return t(detail)  # a framework's text: translated if the catalogue knows it


def _unreadable_body(cause: BaseException) -> str:
    if isinstance(cause, UnicodeDecodeError):
        return t("not valid JSON (the body is not UTF-8 text)")
    if isinstance(cause, RecursionError):
        return t("not valid JSON (nested too deeply)")
    return t("not valid JSON")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_for(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        return problem(422, ValidationFailed.title, ValidationFailed.code, summary(errors), request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.__cause__ is not None:  # FastAPI could not read the body
            return problem_for(ValidationFailed.field("body", _unreadable_body(exc.__cause__), code="json_invalid"),
                               request)
        title, code = _HTTP_KINDS.get(exc.status_code, (N_("HTTP error"), f"HTTP_{exc.status_code}"))
        return problem(exc.status_code, title, code, _http_detail(exc, request, title), request,
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # Services check their invariants first; this is the safety net for races between two requests.
        log.warning("integrity error request_id=%s path=%s", getattr(request.state, "request_id", "-"),
                    request.url.path)
        return problem(409, Conflict.title, Conflict.code,
                       t("The request conflicts with data changed at the same time; reload and retry."), request)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> JSONResponse:
        # Safety net: inputs are bounded where they are declared; a number that still reaches the driver too large
        # for an INTEGER column is the client's error, not the server's.
        log.warning("number out of range request_id=%s path=%s", getattr(request.state, "request_id", "-"),
                    request.url.path)
        return problem(422, ValidationFailed.title, ValidationFailed.code, t("A number in the request is too large."),
                       request)


def unexpected_error(request: Request, exc: BaseException) -> JSONResponse:
    """503 when the database is unreachable or busy; otherwise a masked 500 for a bug, logged with its traceback."""
    request_id = getattr(request.state, "request_id", "-")
    if database_unavailable(exc):
        # An outage is one log line per request, not a traceback: it is not a bug in the code.
        log.warning("database unavailable request_id=%s path=%s: %s", request_id, request.url.path,
                    type(exc).__name__)
        return problem_for(ServiceUnavailable(t("The database is not reachable right now; retry in a few seconds.")),
                           request)
    log.error("unhandled error request_id=%s path=%s", request_id, request.url.path,
              exc_info=(type(exc), exc, exc.__traceback__))
    return problem(500, N_("Internal server error"), "INTERNAL",
                   t("An unexpected error occurred; quote request id {request_id} when reporting it.",
                     request_id=request_id), request)


class UnexpectedErrorMiddleware(HttpMiddleware):
    """Answer an unhandled exception with a masked 500 and keep the connection usable.

    Starlette's own last-resort handler re-raises after answering, and the server then drops the keep-alive
    connection without saying so, which fails the client's next request. Innermost, so it sees the app's errors.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
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
