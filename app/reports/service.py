"""Report downloads: the content read once (app/reports/content.py), laid out as XLSX or DOCX, with a file name."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.actor import Actor
from app.models.enums import CycleKind
from app.reports.content import evaluation_report_content, status_report_content
from app.reports.evaluation_docx import evaluation_document, report_title
from app.reports.status_xlsx import status_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EVALUATION_KINDS = (CycleKind.annual, CycleKind.midterm, CycleKind.final)


@dataclass(frozen=True)
class ReportFile:
    filename: str
    media_type: str
    content: bytes


async def status_report(session: AsyncSession, actor: Actor, plan_code: str, year: int | None,
                        today: date) -> ReportFile:
    content = await status_report_content(session, actor, plan_code, year, today)
    return ReportFile(f"{content.plan.title}{content.status.year}年指标状态报告.xlsx", XLSX, status_workbook(content))


async def evaluation_report(session: AsyncSession, actor: Actor, plan_code: str, year: int | None, kind: CycleKind,
                            today: date) -> ReportFile:
    content = await evaluation_report_content(session, actor, plan_code, year, kind, today)
    return ReportFile(f"{report_title(content)}（草稿）.docx", DOCX, evaluation_document(content))


def status_report_url(plan_code: str, year: int) -> str:
    """Where REST serves the status report (GraphQL links to it)."""
    return f"/api/v1/plans/{quote(plan_code, safe='')}/reports/status.xlsx?{urlencode({'year': year})}"


def evaluation_report_url(plan_code: str, year: int, kind: CycleKind) -> str:
    return (f"/api/v1/plans/{quote(plan_code, safe='')}/reports/evaluation.docx?"
            f"{urlencode({'year': year, 'kind': kind.value})}")
