"""The status report (XLSX) and the evaluation report draft (DOCX): opened again with openpyxl and python-docx and
compared with what the status API and the cycles' completeness say."""

import io
from typing import Any
from urllib.parse import unquote

import docx
import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart
from sqlalchemy import select

from app.auth.actor import CLI_ACTOR
from app.core.clock import today
from app.cycles.schemas import CycleCreate
from app.cycles.service import create_cycle
from app.models import Committee, Goal, Plan
from app.models.enums import CycleKind
from app.reports.content import STATUS_ORDER, WARNING_FLAGS, WARNING_STATUSES
from app.reports.evaluation_docx import PLACEHOLDER, SECTIONS
from app.reports.service import DOCX, XLSX
from app.status.rules import LABELS
from tests.factories import counting
from tests.graphql.conftest import gql
from tests.reports.conftest import DRAFT_NARRATIVE, NARRATIVE
from tests.submissions.conftest import EDUCATION, HEALTH, PLAN

STATUS_XLSX = f"/api/v1/plans/{PLAN}/reports/status.xlsx"
EVALUATION_DOCX = f"/api/v1/plans/{PLAN}/reports/evaluation.docx"


def filename(response: Any) -> str:
    """The UTF-8 file name of a download (RFC 5987 `filename*`)."""
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"")
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


async def status_of(client: Any, headers: dict[str, str], year: int) -> dict[str, Any]:
    response = await client.get(f"/api/v1/plans/{PLAN}/status", params={"year": year}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def is_warning(target: dict[str, Any]) -> bool:
    return target["applies"] and (target["status"] in {s.value for s in WARNING_STATUSES} or bool(
        set(target["flags"]) & {f.value for f in WARNING_FLAGS}))


async def test_status_report_says_what_the_status_api_says(client, db, reported) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(STATUS_XLSX, params={"year": 2023}, headers=reported.reader)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    plan = (await db.execute(select(Plan).where(Plan.code == PLAN))).scalar_one()
    assert filename(response) == f"{plan.title}2023年指标状态报告.xlsx"
    api = await status_of(client, reported.reader, 2023)
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", *(f"{d['code']} {d['title']}"[:31] for d in api["domains"]), "报送完整性",
                               "预警指标"]

    summary = book["汇总"]
    rows = list(summary.iter_rows(min_row=5, max_row=5 + len(api["domains"]), values_only=True))
    for row, counts in zip(rows, [d["targets"] for d in api["domains"]] + [api["summary"]["targets"]], strict=True):
        assert list(row[1:1 + len(STATUS_ORDER)]) == [counts[s.value] for s in STATUS_ORDER]
    total = api["summary"]["targets"]
    with_data = sum(total.values()) - total["no_data"] - total["insufficient_data"]
    assert rows[-1][0] == "全部领域" and rows[-1][-2] == with_data and rows[-1][-1] == total["achieved"] / with_data
    assert any(str(cell.value or "").startswith("达标率 = 已达标指标数 ÷ 有数据的适用指标数")
               for row in summary.iter_rows() for cell in row)
    [chart] = summary._charts
    assert isinstance(chart, BarChart) and len(chart.series) == len(STATUS_ORDER)

    goal_text = (await db.execute(select(Goal.text).where(Goal.plan_id == plan.id, Goal.code == "W1.2"))).scalar_one()
    maternal_api = next(t for t in api["targets"] if t["code"] == "W1.2a")
    sheet = book[f"W1 {api['domains'][0]['title']}"]
    assert [c.value for c in sheet[3]][:4] == ["编码", "所属目标/措施", "指标", "牵头单位"]
    maternal = next(row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] == "W1.2a")
    assert maternal[1] == goal_text and maternal[2] == maternal_api["metric"] and maternal[3] == "区卫生健康委"
    assert maternal[10] == maternal_api["label"] and maternal[12] == maternal_api["explanation"]
    assert maternal[8] == "8.8/10万（2023年）"
    rules = [rule for area in sheet.conditional_formatting for rule in area.rules]
    assert sorted(rule.formula[0] for rule in rules) == sorted(
        f'LEFT($K4,{len(LABELS[s])})="{LABELS[s]}"' for s in STATUS_ORDER)
    assert all(rule.dxf.fill is not None for rule in rules)

    completeness = {(row[0], row[1]): row for row in book["报送完整性"].iter_rows(min_row=4, values_only=True)}
    assert completeness[("中期评估报送", HEALTH)][2:4] == ("区卫生健康委", "已审核通过")
    assert completeness[("中期评估报送", EDUCATION)][2:5] == ("区教委", "未报送", "是")
    assert {cycle for cycle, _ in completeness} == {"中期评估报送"}  # 2023's only cycle

    warnings = [row[0] for row in book["预警指标"].iter_rows(min_row=4, values_only=True)]
    assert warnings == [t["code"] for t in api["targets"] if is_warning(t)] and warnings


async def test_evaluation_draft_follows_the_plans_structure(client, db, reported) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(EVALUATION_DOCX, params={"year": 2023, "kind": "midterm"}, headers=reported.admin)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == DOCX
    plan = (await db.execute(select(Plan).where(Plan.code == PLAN))).scalar_one()
    committee = await db.get(Committee, plan.committee_id)
    assert filename(response) == f"{plan.title}2023年中期评估报告（草稿）.docx"
    api = await status_of(client, reported.admin, 2023)
    document = docx.Document(io.BytesIO(response.content))
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title" and paragraphs[0].text == f"{plan.title}2023年中期评估报告"
    assert committee.name in paragraphs[1].text
    assert [p.text for p in paragraphs if p.style.name == "Heading 1"] == list(SECTIONS)
    section_of: dict[str, str] = {}
    current = ""
    for p in paragraphs:
        current = p.text if p.style.name == "Heading 1" else current
        section_of.setdefault(p.text, current)
    heading2 = [p.text for p in paragraphs if p.style.name == "Heading 2"]
    assert heading2 == [f"{d['code']} {d['title']}" for d in api["domains"]] + ["区卫生健康委"]
    total = api["summary"]["targets"]
    assert f"适用的监测指标{sum(total.values())}项" in paragraphs[paragraphs.index(
        next(p for p in paragraphs if p.text == SECTIONS[0])) + 1].text

    tables = document.tables
    assert all(table.style.name == "Table Grid" for table in tables)
    assert [row.cells[0].text for row in tables[0].rows[1:]] == [f"{d['code']} {d['title']}" for d in api["domains"]]
    with_data = [d["code"] for d in api["domains"] if any(
        t["domain_code"] == d["code"] and t["applies"] and t["status"] not in ("no_data", "insufficient_data")
        for t in api["targets"])]
    assert len(tables) == 1 + len(with_data)
    maternal_api = next(t for t in api["targets"] if t["code"] == "W1.2a")
    maternal = next(row for table in tables[1:] for row in table.rows if row.cells[0].text == maternal_api["metric"])
    assert [c.text for c in maternal.cells][3:] == [maternal_api["label"], maternal_api["explanation"]]

    text = [p.text for p in paragraphs]
    for label, value in (("工作成效", NARRATIVE["achievements"]), ("存在问题", NARRATIVE["problems"]),
                         ("下一步计划", NARRATIVE["next_steps"])):
        assert section_of[f"{label}：{value}"] == SECTIONS[3]
    assert not any(DRAFT_NARRATIVE["achievements"] in line for line in text)  # a draft is not accepted
    overdue = [p.text for p in paragraphs if section_of.get(p.text) == SECTIONS[4] and p.style.name == "List Bullet"]
    assert [line.split("（")[0] for line in overdue] == ["区教委"]
    assert text[-1] == PLACEHOLDER and section_of[PLACEHOLDER] == SECTIONS[5]
    warned = [t for t in api["targets"] if is_warning(t) and t["flags"] != ["overdue"] or (
        is_warning(t) and t["status"] in {s.value for s in WARNING_STATUSES})]
    bullets = [p.text for p in paragraphs if section_of.get(p.text) == SECTIONS[2] and p.style.name == "List Bullet"]
    assert [b.split("（")[0] for b in bullets] == [t["metric"] for t in warned]
    assert all(t["explanation"] in b for t, b in zip(warned, bullets, strict=True))


async def test_annual_draft_without_submissions_says_so(client, world) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(EVALUATION_DOCX, params={"year": 2022}, headers=world.reader)
    assert response.status_code == 200, response.text
    text = [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]
    assert "暂无审核通过的成员单位报送材料。" in text and "本年度尚未开启此类报送周期。" in text


async def test_reports_are_for_the_office_and_readers(client, world) -> None:  # type: ignore[no-untyped-def]
    for url, params in ((STATUS_XLSX, {"year": 2024}), (EVALUATION_DOCX, {"year": 2024})):
        assert (await client.get(url, params=params, headers=world.admin)).status_code == 200
        assert (await client.get(url, params=params, headers=world.reader)).status_code == 200
        refused = await client.get(url, params=params, headers=world.health)
        assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "FORBIDDEN" and "妇儿工委办公室" in refused.json()["detail"]
        assert (await client.get(url, params=params)).status_code == 401


@pytest.mark.parametrize(("url", "params", "field"), [
    (STATUS_XLSX, {"year": 2030}, "year"), (STATUS_XLSX, {"year": "soon"}, "year"),
    (EVALUATION_DOCX, {"year": 2019}, "year"), (EVALUATION_DOCX, {"kind": "weekly"}, "kind"),
    (EVALUATION_DOCX, {"kind": "midterm", "year": 2024}, "year"), (EVALUATION_DOCX, {"kind": "baseline"}, "kind"),
])
async def test_bad_questions_get_a_chinese_422(client, world, url, params, field) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(url, params=params, headers=world.admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "VALIDATION" and [e["field"] for e in body["errors"]] == [field]
    assert any("\u4e00" <= c <= "\u9fff" for c in body["errors"][0]["reason"])


async def test_an_unknown_plan_is_a_404(client, world) -> None:  # type: ignore[no-untyped-def]
    for path in ("status.xlsx", "evaluation.docx"):
        response = await client.get(f"/api/v1/plans/nowhere-2021-2025/reports/{path}", headers=world.admin)
        assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"
        assert "nowhere-2021-2025" in response.json()["detail"] and "规划" in response.json()["detail"]


async def test_reports_read_in_a_constant_number_of_queries(client, db, connection, reported) -> None:  # type: ignore[no-untyped-def]
    """Another plan, with more targets and no units or submissions, costs the same statements."""
    other = "xicheng-2021-2025"
    await create_cycle(db, CLI_ACTOR, other, CycleCreate(year=2023, kind=CycleKind.midterm), today())
    await db.commit()
    counts = []
    for plan in (PLAN, other):
        for path, params in (("status.xlsx", {"year": 2023}), ("evaluation.docx", {"year": 2023, "kind": "midterm"})):
            with counting(connection) as statements:
                response = await client.get(f"/api/v1/plans/{plan}/reports/{path}", params=params,
                                            headers=reported.admin)
            assert response.status_code == 200, response.text
            counts.append(len(statements))
    assert counts[:2] == counts[2:]


async def test_graphql_links_to_the_downloads(client, reported) -> None:  # type: ignore[no-untyped-def]
    body = await gql(client, """query($code: String!) { plan(code: $code) { status(year: 2023) {
        statusReportUrl evaluationReportUrl(kind: midterm) annual: evaluationReportUrl } } }""",
                     {"code": PLAN}, reported.reader)
    links = body["data"]["plan"]["status"]
    assert links["statusReportUrl"] == f"{STATUS_XLSX}?year=2023"
    assert links["evaluationReportUrl"] == f"{EVALUATION_DOCX}?year=2023&kind=midterm"
    assert links["annual"] == f"{EVALUATION_DOCX}?year=2023&kind=annual"
    xlsx = await client.get(links["statusReportUrl"], headers=reported.reader)
    midterm = await client.get(links["evaluationReportUrl"], headers=reported.reader)
    assert (xlsx.status_code, xlsx.headers["content-type"]) == (200, XLSX)
    assert (midterm.status_code, midterm.headers["content-type"]) == (200, DOCX)
