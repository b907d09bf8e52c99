"""REST routes of the Excel submission template: download (one unit, or a cycle's ZIP) and upload."""

import hashlib
from typing import Annotated

from fastapi import APIRouter, File, Header, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from app.auth.deps import AdminOnly, AdminOrUnit
from app.core.clock import today
from app.core.downloads import XLSX, ZIP, attachment_headers
from app.core.idempotency import request_fingerprint, run_once
from app.core.pagination import YearPath
from app.db import SessionDep
from app.models.enums import CycleKind
from app.workbooks import service
from app.workbooks.schemas import TemplateUploadResult

router = APIRouter(prefix="/api/v1/plans/{plan_code}/cycles/{year}/{kind}", tags=["templates"])

TEMPLATE = "/units/{unit_code}/template.xlsx"
UPLOAD = """The filled template becomes the unit's submission for the cycle: created if it has none, else a new
revision replacing its whole content (values, tasks, narrative), through the same checks, warnings and audit as
`POST /plans/{plan}/submissions` and `PUT /submissions/{id}`.

**A dry run is the default**: it checks and answers what would be saved, warnings included, and writes nothing;
send `dry_run=false` to save. Errors name the cell: `errors[]` carries `sheet`, `row`, `column` and a reason such
as 指标 第12行 K列：应为数字, with a stable `code` (`not_a_number`, `not_assigned`, `out_of_range` … as in the
JSON path; `not_xlsx`, `not_a_template`, `template_version`, `template_modified`, `wrong_unit`, `wrong_cycle`,
`wrong_plan` for the file itself). Nothing is saved while any error remains. `If-Match` (optional) makes the
revision conditional on the submission being as you last read it; a retry with the same `Idempotency-Key` and file
replays the first answer."""


@router.get(TEMPLATE, summary="Download a unit's Excel submission template (a unit: its own)",
            response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "The workbook; its file name in "
                                                                    "Content-Disposition (UTF-8, RFC 5987)"}})
async def download_template(plan_code: str, year: YearPath, kind: CycleKind, unit_code: str, session: SessionDep,
                            actor: AdminOrUnit) -> Response:
    name, content = await service.unit_template(session, actor, plan_code, year, kind, unit_code)
    return Response(content, media_type=XLSX, headers=attachment_headers(name))


@router.post(TEMPLATE, response_model=TemplateUploadResult, description=UPLOAD,
             summary="Upload a filled template: the unit's submission (a dry run unless told otherwise)",
             responses={409: {"description": "The submission was accepted (ask the office to return it), the "
                                             "cycle is closed, or a stale If-Match"},
                        422: {"description": "Not a template of this unit and cycle, or cells the checks refuse "
                                             "(each in `errors` with its sheet, row and column); nothing was saved"}})
async def upload_template(
    plan_code: str, year: YearPath, kind: CycleKind, unit_code: str, request: Request, session: SessionDep,
    actor: AdminOrUnit, file: Annotated[UploadFile, File(description="The filled .xlsx template")],
    dry_run: Annotated[bool, Query(description="false to save")] = True,
    submit: Annotated[bool, Query(description="true sends the submission for review; false keeps it a draft")] = False,
    if_match: Annotated[str | None, Header(description="ETag of the submission as you last read it")] = None,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200, description=(
        "Retry-safe key: a repeated upload with the same key and file returns the first answer"))] = None,
) -> JSONResponse:
    content = await file.read()

    async def work() -> tuple[int, dict[str, object]]:
        result = await service.upload_template(session, actor, plan_code, year, kind, unit_code, content,
                                               dry_run=dry_run, submit=submit, if_match=if_match, today=today())
        return 200, result.model_dump(mode="json")

    fingerprint = request_fingerprint("POST", request.url.path, {
        "dry_run": dry_run, "submit": submit, "if_match": if_match,
        "file": hashlib.sha256(content).hexdigest()}) if idempotency_key else ""
    outcome = await run_once(session, actor, idempotency_key, fingerprint, work)
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    saved = outcome.body.get("submission")
    if isinstance(saved, dict):
        headers["ETag"] = str(saved["etag"])
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


@router.get("/templates.zip", summary="Download every unit's template of a cycle as one ZIP (admin)",
            response_class=Response, responses={200: {"content": {ZIP: {}}}})
async def download_templates(plan_code: str, year: YearPath, kind: CycleKind, session: SessionDep,
                             _: AdminOnly) -> Response:
    name, content = await service.cycle_templates(session, plan_code, year, kind)
    return Response(content, media_type=ZIP, headers=attachment_headers(name))
