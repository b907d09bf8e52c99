"""create_app(): routers, error handlers and middleware — wiring only."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import text

from app.assignments.router import router as assignments_router
from app.audit.router import router as audit_router
from app.core.i18n import LocaleMiddleware, t
from app.core.logs import configure_logging
from app.core.memory import tune_garbage_collection
from app.cycles.router import router as cycles_router
from app.db import SessionDep, create_engine, make_sessionmaker
from app.docs import install_docs
from app.errors import ServiceUnavailable, UnexpectedErrorMiddleware, document_problems, install_error_handlers
from app.graphql.schema import graphql_router
from app.imports.router import document as document_imports
from app.imports.router import router as imports_router
from app.indicators.router import router as indicators_router
from app.middleware import RequestGuardMiddleware, RequestIdMiddleware, SecurityHeadersMiddleware
from app.plans.router import router as plans_router
from app.reports.router import router as reports_router
from app.settings import Settings, get_settings
from app.status.router import router as status_router
from app.submissions.router import router as submissions_router
from app.units.router import router as units_router
from app.webhooks.router import router as webhooks_router
from app.workbooks.router import router as workbooks_router

DESCRIPTION = """
Plans of district Working Committees on Women and Children (妇儿工委), the member units' annual
self-assessments, and the status of every target.

* Authenticate with `Authorization: Bearer <token>`; tokens are created by the committee office with
  `python -m app tokens create`. Roles: `admin` (committee office), `unit` (one member unit), `reader`
  (downstream systems, read-only).
* Resources are addressed by stable codes: `/api/v1/plans/{plan_code}/goals/{goal_code}`.
* Lists return `{"items": [...], "total": N}` and take `limit` and `offset`.
* Errors are `application/problem+json` (RFC 9457) with a stable `code` for programs (NOT_FOUND, VALIDATION,
  CONFLICT …); validation errors name each field in `errors` (`field`, `reason`, and the error type as `code`).
* Messages for people (`title`, `detail`, `reason`) are in Chinese; send `Accept-Language: en` for English.
  `Content-Language` says which was used.
"""

PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"description": description, "content": {"application/problem+json": {"example": {
        "type": "about:blank", "title": title, "status": status, "code": code, "detail": detail,
        "instance": "/api/v1/…"}}}}
    for status, description, title, code, detail in (
        (401, "Missing, invalid or revoked token", "未认证", "UNAUTHENTICATED", "令牌无效。"),
        (403, "The token's role or unit may not do this", "无权访问", "FORBIDDEN",
         "此接口仅限管理员（妇儿工委办公室）使用；当前令牌的角色是只读用户（下游系统）。"),
    )
}  # 404, 413 and 503 are added where they apply by app.errors.document_problems
PROBLEM_RESPONSES[422] = {"description": "Invalid input: `errors` names every field and the reason; nothing was saved",
                          "content": {"application/problem+json": {"example": {
                              "type": "about:blank", "title": "校验失败", "status": 422, "code": "VALIDATION",
                              "detail": "报送中有 2 处问题，未保存任何内容。",
                              "instance": "/api/v1/plans/chaoyang-2021-2025/submissions",
                              "errors": [{"field": "values[0].unit",
                                          "reason": "单位“人”无法换算为该指标的单位“1/10万”"},
                                         {"field": "year", "reason": "应在规划期 2021–2025 年之内"},
                                         {"field": "values[1].value", "reason": "应为数字",
                                          "code": "float_type"}]}}}}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not hasattr(app.state, "sessionmaker"):  # tests may install their own
            engine = create_engine(settings.database_url, pool_size=settings.database_pool_size,
                                   max_overflow=settings.database_max_overflow)
            app.state.engine = engine
            app.state.sessionmaker = make_sessionmaker(engine)
            tune_garbage_collection()  # the process's own app: start-up is done
            yield
            await engine.dispose()
        else:
            yield

    app = FastAPI(title="妇儿规划监测 API — Plan monitoring API", version="1.0.0", description=DESCRIPTION,
                  lifespan=lifespan, responses=PROBLEM_RESPONSES,
                  docs_url=None, redoc_url=None)  # served by install_docs from local assets
    install_error_handlers(app)
    generate_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate_openapi()
            document_imports(schema)
            app.openapi_schema = document_problems(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.include_router(plans_router)
    app.include_router(units_router)
    app.include_router(assignments_router)
    app.include_router(cycles_router)
    app.include_router(submissions_router)
    app.include_router(imports_router)
    app.include_router(workbooks_router)
    app.include_router(indicators_router)
    app.include_router(status_router)
    app.include_router(reports_router)
    app.include_router(audit_router)
    app.include_router(webhooks_router)
    app.include_router(graphql_router(settings), include_in_schema=False)  # documented by schemas/schema.graphql
    install_docs(app)  # /docs, /redoc and /static (also GraphiQL's assets): no CDN

    @app.get("/healthz", tags=["health"], summary="Process is up (public)")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="Database is reachable (public)",
             responses={503: {"description": "The database is not reachable"}})
    async def readyz(session: SessionDep) -> dict[str, str]:
        try:
            await session.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error means "not ready", never a 500
            raise ServiceUnavailable(t("The database is not reachable.")) from exc
        return {"status": "ok", "database": "ok"}

    app.add_middleware(UnexpectedErrorMiddleware)  # innermost: added first
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
                           allow_methods=["*"], allow_headers=["Authorization", "Content-Type", "If-Match",
                                                               "If-None-Match", "Idempotency-Key"],
                           expose_headers=["ETag", "X-Request-ID"])
    app.add_middleware(RequestGuardMiddleware, max_bytes=settings.max_body_bytes,
                       import_max_bytes=max(settings.max_import_bytes, settings.max_body_bytes))
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(LocaleMiddleware)  # around everything that answers: even 413s know the language
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: 500s answered inside carry the headers too
    return app
