"""The schema, its limits and the FastAPI router mounted at /graphql."""

from functools import partial
from typing import Any

import strawberry
from cross_web import HTTPException
from graphql import GraphQLError
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
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
DOCUMENT_CACHE = 256  # distinct documents kept parsed and validated (bounded: clients cannot grow it)


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
    # The limits' rule classes are made once per schema (not per request, as strawberry's QueryDepthLimiter and
    # MaxAliasesLimiter make them), so a document parsed and validated once is looked up in the caches after:
    # parsing and validating a dashboard costs several times more than running it.
    rules: list[type[ASTValidationRule]] = [depth_rule(MAX_DEPTH, None, None), aliases_rule(MAX_ALIASES)]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    extensions = [partial(AddValidationRules, rules), partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
                  partial(ParserCache, maxsize=DOCUMENT_CACHE), partial(ValidationCache, maxsize=DOCUMENT_CACHE),
                  CodedErrors]
    return AppSchema(query=Query, mutation=Mutation, extensions=extensions)  # type: ignore[arg-type]


def graphql_router(settings: Settings) -> GraphQLRouter:
    """POST (and GET for queries) /graphql; GraphiQL (local assets) on GET only when `graphql_graphiql` is set."""
    return AppGraphQLRouter(build_schema(settings.graphql_introspection), path="/graphql",
                                graphql_ide="graphiql" if settings.graphql_graphiql else None,
                                context_getter=get_context, subscription_protocols=())


def schema_sdl() -> str:
    """The SDL exported to schemas/schema.graphql."""
    return build_schema().as_str() + "\n"
