"""The schema, its limits and the FastAPI router mounted at /graphql."""

from functools import partial
from typing import Any

import strawberry
from cross_web import HTTPException
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.fastapi import GraphQLRouter
from strawberry.types import ExecutionContext
from strawberry.types.unset import UNSET

from app.core.i18n import t
from app.errors import AppError, graphql_error_response
from app.graphql.context import get_context
from app.graphql.errors import BAD_REQUEST, CodedErrors, log_unexpected
from app.graphql.ide import OfflineGraphQLRouter
from app.graphql.mutations import Mutation
from app.graphql.queries import Query
from app.settings import Settings

# A dashboard (plan → domains → goals → targets, units → submissions → current → values) is 6–7 deep;
# the limits stop documents built to exhaust the server, not any query the frontend sends.
MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 3000


class AppSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # Client errors (AppError, bad documents) are answers, not incidents: log only the unexpected ones.
        log_unexpected(errors, execution_context)


class AppGraphQLRouter(OfflineGraphQLRouter):
    """/graphql: a request strawberry cannot read (no query, bad JSON, a batch) is answered as a GraphQL error with
    a code, in JSON, instead of strawberry's plain-text reason."""

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context=context, root_value=root_value)
        except HTTPException as exc:
            error = AppError(t("Not a GraphQL request the service can read: {reason}", reason=exc.reason))
            error.status = exc.status_code
            return graphql_error_response(error, BAD_REQUEST)


def build_schema(introspection: bool = True) -> strawberry.Schema:
    extensions = [partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
                  partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
                  partial(MaxTokensLimiter, max_token_count=MAX_TOKENS), CodedErrors]
    if not introspection:
        extensions.append(DisableIntrospection)
    return AppSchema(query=Query, mutation=Mutation, extensions=extensions)  # type: ignore[arg-type]


def graphql_router(settings: Settings) -> GraphQLRouter:
    """POST (and GET for queries) /graphql; GraphiQL (local assets) on GET only when `graphql_graphiql` is set."""
    return AppGraphQLRouter(build_schema(settings.graphql_introspection), path="/graphql",
                                graphql_ide="graphiql" if settings.graphql_graphiql else None,
                                context_getter=get_context, subscription_protocols=())


def schema_sdl() -> str:
    """The SDL exported to schemas/schema.graphql."""
    return build_schema().as_str() + "\n"
