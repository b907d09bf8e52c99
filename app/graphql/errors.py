"""Service errors as coded GraphQL errors; anything unexpected is logged and masked.

`extensions.code` is the AppError's code (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, VALIDATION, CONFLICT …);
validation errors carry `extensions.errors` with `field` (a path in the mutation's input, camelCased as in the
schema), `reason` and, where known, the validation error's `code`. Errors in the query document itself get
GRAPHQL_VALIDATION_FAILED. Messages and reasons are in Chinese, in English with `Accept-Language: en`; the codes
never change.
"""

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from sqlalchemy.exc import IntegrityError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from app.core.i18n import t
from app.errors import AppError, database_unavailable

log = logging.getLogger("app.graphql")

INTERNAL = "INTERNAL_SERVER_ERROR"
DOCUMENT_INVALID = "GRAPHQL_VALIDATION_FAILED"
BAD_REQUEST = "BAD_REQUEST"  # not a GraphQL request at all: no query, bad JSON, a batch
# Said in the schema's own descriptions, so a frontend developer finds it in the SDL.
ERROR_CODES = (
    "Errors come in `errors[]` with `extensions.code`: UNAUTHENTICATED (no or bad token), FORBIDDEN (the role or "
    "unit may not), NOT_FOUND, VALIDATION (with `extensions.errors`: [{field, reason, code}], field paths camelCased "
    "as in this schema), CONFLICT (stale ifMatch, closed cycle, wrong state), PRECONDITION_REQUIRED (ifMatch "
    f"missing), BAD_USER_INPUT (a variable of the wrong type or with unstorable text, named in `extensions.errors`), "
    f"{DOCUMENT_INVALID} (a bad document), {BAD_REQUEST} (no query, bad JSON), "
    "UNAVAILABLE (the database is unreachable; retry), "
    f"{INTERNAL} (logged, details withheld). Messages are in Chinese; send `Accept-Language: en` for English.")


def camel_path(path: str) -> str:
    """values[0].age_group → values[0].ageGroup: the names the GraphQL input uses."""
    return re.sub(r"(?<=[a-z0-9])_([a-z])", lambda m: m.group(1).upper(), path)


def request_id(execution_context: ExecutionContext | None) -> str:
    request = getattr(getattr(execution_context, "context", None), "request", None)
    return getattr(getattr(request, "state", None), "request_id", None) or "-"


UNAVAILABLE = "UNAVAILABLE"
BAD_USER_INPUT = "BAD_USER_INPUT"


def is_input_error(error: GraphQLError) -> bool:
    """A variable that could not be coerced to its type (a bad enum value, "abc" for an Int, NaN): raised before
    any resolver ran, so it has no path, unlike every error a resolver raises."""
    return error.original_error is not None and not error.path and not isinstance(error.original_error, AppError)


def variable_name(error: GraphQLError) -> str | None:
    node = error.nodes[0] if error.nodes else None
    variable = getattr(node, "variable", None)
    return variable.name.value if variable is not None else None


def is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is None or isinstance(original, AppError | IntegrityError) or is_input_error(error)


def log_unexpected(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    outage_logged = False
    for error in errors:
        if database_unavailable(error.original_error) and not outage_logged:  # one line, not a traceback each
            log.warning("database unavailable request_id=%s", request_id(execution_context))
            outage_logged = True
        elif not is_expected(error) and not database_unavailable(error.original_error):
            original = error.original_error
            log.error("unhandled GraphQL error request_id=%s path=%s", request_id(execution_context),
                      error.path, exc_info=(type(original), original, original.__traceback__) if original else None)


def coded(error: GraphQLError, rid: str) -> GraphQLError:
    original = error.original_error
    extensions: dict[str, Any] = dict(error.extensions or {})
    message = error.message
    if isinstance(original, AppError):
        message = original.detail
        extensions["code"] = original.code
        if original.errors is not None:
            extensions["errors"] = [{**e, "field": camel_path(e.get("field", ""))} for e in original.errors]
    elif isinstance(original, IntegrityError):
        # Services check their invariants first; this is the safety net for races, as in REST.
        message = t("The request conflicts with data changed at the same time; reload and retry.")
        extensions["code"] = "CONFLICT"
    elif is_input_error(error):
        extensions["code"] = BAD_USER_INPUT
        name = variable_name(error)
        if name is not None:
            # The message stays graphql-core's (it names the expected type, for the developer); the reason is
            # for people.
            extensions["errors"] = [{"field": f"variables.{name}", "reason": t("the value does not fit the "
                                                                                "variable's type")}]
    elif database_unavailable(original):
        message = t("The database is not reachable right now; retry in a few seconds.")
        extensions["code"] = UNAVAILABLE
    elif original is None:
        extensions.setdefault("code", DOCUMENT_INVALID)
    else:
        message = t("An unexpected error occurred; quote request id {request_id} when reporting it.", request_id=rid)
        extensions = {"code": INTERNAL}
    return GraphQLError(message, nodes=error.nodes, source=error.source, positions=error.positions,
                        path=error.path, original_error=None, extensions=extensions)


class CodedErrors(SchemaExtension):
    """Runs after execution: every error gets `extensions.code`, unexpected ones lose their internals."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            rid = request_id(self.execution_context)
            result.errors = [coded(error, rid) for error in result.errors]
