"""REST route of the bulk import: JSON or CSV in, an import summary out."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from app.auth.deps import AdminOrUnit
from app.core.clock import today
from app.core.i18n import t
from app.core.idempotency import request_fingerprint, run_once
from app.db import SessionDep
from app.errors import ValidationFailed
from app.imports import service
from app.imports.schemas import COLUMNS, ImportRequest, ImportRow, ImportSummary

router = APIRouter(prefix="/api/v1", tags=["imports"])

DESCRIPTION = f"""Many units' values at once (the statistics bureau, a unit's own system), as JSON
(`{{"dry_run": true, "rows": [...]}}`) or CSV (`Content-Type: text/csv`, UTF-8 with or without BOM, a header row
naming the columns {", ".join(f"`{c}`" for c in COLUMNS)} — or in Chinese: 单位, 指标, 目标, 年份, 类型, 数值, 计量单位,
性别, 年龄组, 城乡, 数据来源, 备注, 说明; `?dry_run=false` to write).

**A dry run is the default**: it checks and counts, and writes nothing. Each value is checked like a submission's
(indicator or target of the plan assigned to the unit, unit conversion, range; the cycle must exist and be open for
the unit). All or nothing: any refused row refuses the import (422), and `errors` lists every refused row with its
`row` (JSON: the index in `rows`; CSV: the line number, the header being line 1), a stable `code` and the reason.

Per unit, year and kind, the values become a new revision of the unit's submission (created if missing) holding its
previous content with the imported values in place of the same indicator and breakdown. An admin imports for any
unit of the plan's committee and the revision lands **accepted** (comment 批量导入), so the statuses change; a unit
token imports only its own rows, which land **submitted** for the office's review (not into an accepted
submission). The summary counts each value as `imported` (no value counted yet for that unit, indicator, year and
breakdown), `updated` (differs from the counted, i.e. accepted, value) or `unchanged`; a submission whose values
are all unchanged is left alone. A retry with the same `Idempotency-Key` and body replays the first answer."""


def document(schema: dict[str, Any]) -> None:
    """Add the request's schemas, which the route reads itself (JSON or CSV), to the OpenAPI components."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ImportRow, ImportRequest):
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        found.pop("$defs", None)
        components[model.__name__] = found


@router.post("/plans/{plan_code}/observations/import", response_model=ImportSummary,
             summary="Import observations in bulk (JSON or CSV; a dry run unless told otherwise)",
             description=DESCRIPTION,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"$ref": "#/components/schemas/ImportRequest"}},
                 "text/csv": {"schema": {"type": "string"}, "example":
                              "unit,indicator,year,value,unit_of_measure,sex\n110105-wjw,I012,2024,1.5,%,female\n"}}}},
             responses={200: {"headers": {"Idempotent-Replayed": {
                 "description": "true when this is the stored answer to an earlier request with the same key",
                 "schema": {"type": "string"}}}},
                 422: {"description": "Refused rows (each in `errors` with its `row`, `code` and reason); nothing "
                                      "was written"}})
async def import_observations(
    plan_code: str, request: Request, session: SessionDep, actor: AdminOrUnit,
    dry_run: Annotated[bool | None, Query(description="CSV: false to write (default true); JSON: the body's "
                                                      "`dry_run` wins")] = None,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200, description=(
        "Retry-safe key: a repeated request with the same key and body returns the first answer"))] = None,
) -> JSONResponse:
    body = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("text/csv", "application/csv"):
        rows, dry = service.csv_rows(body), dry_run is not False
    else:
        rows, dry = _json_rows(body, dry_run)

    async def work() -> tuple[int, dict[str, object]]:
        summary = await service.import_observations(session, actor, plan_code, rows, dry_run=dry, today=today())
        return 200, summary.model_dump(mode="json")

    fingerprint = request_fingerprint("POST", request.url.path, {
        "type": content_type, "dry_run": dry, "body": service.body_digest(body)}) if idempotency_key else ""
    outcome = await run_once(session, actor, idempotency_key, fingerprint, work)
    return JSONResponse(outcome.body, status_code=outcome.status_code,
                        headers={"Idempotent-Replayed": "true"} if outcome.replayed else None)


def _json_rows(body: bytes, dry_run: bool | None) -> tuple[service.Rows, bool]:
    try:
        document = json.loads(body)
    except ValueError:
        raise ValidationFailed.field("body", t("must be a JSON object with dry_run and rows, or CSV sent "
                                               "with Content-Type: text/csv")) from None
    if not isinstance(document, dict):
        raise ValidationFailed.field("body", t("must be an object with rows"))
    extra = sorted(set(document) - {"dry_run", "rows"})
    if extra:
        raise ValidationFailed.field(extra[0], t("field not allowed"), code="extra_forbidden")
    if "rows" not in document:
        raise ValidationFailed.field("rows", t("required field"), code="missing")
    dry = document.get("dry_run", dry_run if dry_run is not None else True)
    if not isinstance(dry, bool):
        raise ValidationFailed.field("dry_run", t("must be a boolean (true or false)"), code="bool_type")
    return service.json_rows(document["rows"]), dry
