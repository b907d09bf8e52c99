"""REST downloads of the reports (the office and readers; a unit reads its statuses through the status API)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from app.auth.deps import AnyRole
from app.core.clock import today
from app.core.downloads import attachment_headers
from app.db import SessionDep
from app.models.enums import CycleKind
from app.reports import service
from app.reports.service import DOCX, XLSX

router = APIRouter(prefix="/api/v1", tags=["reports"])

Year = Annotated[int | None, Query(ge=1949, le=2100, description="The year reported, within the plan's years; "
                                                                 "default: this year (or the plan's nearest year).")]
ReportKind = Annotated[Literal["annual", "midterm", "final"], Query(
    description="annual 年度监测报告, midterm 中期评估报告 (the plan's third year), final 终期评估报告 (its last "
                "year)")]
NOT_FOR_UNITS: dict[int | str, dict[str, Any]] = {
    403: {"description": "A unit token: the reports list every unit's completeness and narratives"}}


def _download(report: service.ReportFile) -> Response:
    return Response(report.content, media_type=report.media_type,
                    headers={**attachment_headers(report.filename), "Cache-Control": "no-store"})


@router.get("/plans/{plan_code}/reports/status.xlsx", summary="The status report of a plan for a year (XLSX)",
            response_class=Response, responses={200: {"content": {XLSX: {}}}, **NOT_FOR_UNITS})
async def status_report(plan_code: str, session: SessionDep, actor: AnyRole, year: Year = None) -> Response:
    """汇总 (counts per status per domain, 达标率, a chart), a sheet per domain with every target, 报送完整性 per
    unit and 预警指标, from the stored verdicts GET …/status serves (accepted data only)."""
    return _download(await service.status_report(session, actor, plan_code, year, today()))


@router.get("/plans/{plan_code}/reports/evaluation.docx", summary="The evaluation report draft of a plan (DOCX)",
            response_class=Response, responses={200: {"content": {DOCX: {}}}, **NOT_FOR_UNITS})
async def evaluation_report(plan_code: str, session: SessionDep, actor: AnyRole, kind: ReportKind = "annual",
                            year: Year = None) -> Response:
    """A Word draft in the committee's name: 总体情况, 分领域进展, 预警指标, 成员单位履职情况 (the accepted
    narratives), 逾期未报送的单位, and 下一步工作建议 for the office to write."""
    return _download(await service.evaluation_report(session, actor, plan_code, year, CycleKind(kind), today()))
