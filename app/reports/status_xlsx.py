"""The status report as an Excel workbook (openpyxl): 汇总 with a chart, a sheet per domain, 报送完整性, 预警指标."""

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.reports.content import (
    ATTAINMENT_DEFINITION,
    CYCLE_LABELS,
    STATUS_ORDER,
    SUBMISSION_LABELS,
    ReportContent,
    attainment,
    chinese_date,
    flags_text,
    observed,
    rate_text,
    target_words,
    warning_reasons,
)
from app.status.rules import LABELS, Status
from app.status.schemas import StatusCounts, TargetStatus

FONT = "宋体"
# Fill colours of the statuses (conditional formatting on the 状态 column): green, amber, red, grey.
STATUS_FILLS: dict[Status, str] = {
    Status.achieved: "C6EFCE", Status.on_track: "E2F0D9", Status.at_risk: "FFEB9C", Status.off_track: "FCE4D6",
    Status.not_achieved: "FFC7CE", Status.insufficient_data: "EDEDED", Status.no_data: "D9D9D9",
}
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_STYLE, BODY_STYLE = "报表表头", "报表正文"

DOMAIN_COLUMNS: tuple[tuple[str, int], ...] = (  # heading, width in characters
    ("编码", 9), ("所属目标/措施", 34), ("指标", 22), ("牵头单位", 14), ("目标（规划原文）", 26), ("目标值", 11),
    ("目标年份", 8), ("基数", 15), ("最新值", 15), ("推算值", 10), ("状态", 12), ("标记", 12), ("说明", 44))
STATUS_COLUMN = "K"  # 状态 in DOMAIN_COLUMNS (and in WARNING_COLUMNS)
WARNING_COLUMNS: tuple[tuple[str, int], ...] = (
    ("编码", 9), ("领域", 12), ("指标", 22), ("牵头单位", 14), ("目标值", 11), ("最新值", 12), ("推算值", 10),
    ("预警原因", 18), ("所属目标/措施", 32), ("说明", 50), ("状态", 12))
COMPLETENESS_COLUMNS: tuple[tuple[str, int], ...] = (
    ("报送周期", 14), ("单位编码", 14), ("单位名称", 20), ("报送状态", 13), ("逾期", 6), ("报送时间", 17),
    ("应报指标数", 10), ("已报指标数", 10), ("缺报指标", 40))


def status_workbook(content: ReportContent) -> bytes:
    """The workbook as bytes (XLSX)."""
    book = Workbook()
    for style in _named_styles():
        book.add_named_style(style)
    summary = book.active
    assert summary is not None
    _summary_sheet(summary, content)
    titles = {d.code: d.title for d in content.status.domains}
    for domain in content.status.domains:
        _domain_sheet(book.create_sheet(_sheet_title(domain.code, domain.title)), content, domain.code,
                      titles[domain.code])
    _completeness_sheet(book.create_sheet("报送完整性"), content)
    _warnings_sheet(book.create_sheet("预警指标"), content, titles)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(code: str, title: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    name = f"{code} {title}"
    return "".join("_" if c in "[]:*?/\\" else c for c in name)[:31]


def _summary_sheet(sheet: Worksheet, content: ReportContent) -> None:
    status = content.status
    sheet.title = "汇总"
    sheet["A1"] = f"{content.plan.title} {status.year}年指标状态报告"
    sheet["A1"].font = Font(name=FONT, size=14, bold=True)
    sheet["A2"] = f"{content.committee_name}　数据截至{chinese_date(status.as_of)}（仅含已审核通过的数据）"
    sheet["A2"].font = Font(name=FONT, size=10, color="595959")
    headings = ["领域", *(LABELS[s] for s in STATUS_ORDER), "适用指标合计", "有数据指标", "达标率"]
    rows: list[list[object]] = [[f"{d.code} {d.title}", *_row(d.targets)] for d in status.domains]
    rows.append(["全部领域", *_row(status.summary.targets)])
    _table(sheet, 4, headings, rows, [24, *([12] * len(STATUS_ORDER)), 12, 10, 10])
    last = 4 + len(rows)
    for row in range(5, last + 1):
        sheet.cell(row, len(headings)).number_format = "0.0%"
    for cell in sheet[last]:
        cell.font = Font(name=FONT, bold=True)
    total = attainment(status.summary.targets)
    notes = [ATTAINMENT_DEFINITION,
             f"全部领域：适用指标{total.applicable}项，有数据{total.with_data}项，其中已达标{total.achieved}项，"
             f"达标率{rate_text(total)}；无数据或数据不足{total.without_data}项。",
             f"目标（主要目标）{sum(status.summary.goals.model_dump().values())}项："
             + "，".join(f"{LABELS[s]}{getattr(status.summary.goals, s.value)}项" for s in STATUS_ORDER
                        if getattr(status.summary.goals, s.value)) + "。"]
    for offset, note in enumerate(notes):
        cell = sheet.cell(last + 2 + offset, 1, note)
        cell.font = Font(name=FONT, size=10)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=last + 2 + offset, start_column=1, end_row=last + 2 + offset,
                          end_column=len(headings))
        sheet.row_dimensions[last + 2 + offset].height = 30
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "各领域指标状态"
    chart.y_axis.title = "指标数"
    chart.y_axis.majorGridlines = None
    data = Reference(sheet, min_col=2, max_col=1 + len(STATUS_ORDER), min_row=4, max_row=last - 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=5, max_row=last - 1))
    for series, status_kind in zip(chart.series, STATUS_ORDER, strict=True):
        series.graphicalProperties.solidFill = _chart_colour(status_kind)
        series.graphicalProperties.line.solidFill = _chart_colour(status_kind)
    chart.height, chart.width = 9, 26
    sheet.add_chart(chart, f"A{last + 2 + len(notes) + 1}")
    sheet.freeze_panes = "B5"
    sheet.page_setup.fitToHeight = 1  # the table and its chart on one page


def _chart_colour(status: Status) -> str:
    return {Status.achieved: "70AD47", Status.on_track: "A9D18E", Status.at_risk: "FFC000",
            Status.off_track: "F4B183", Status.not_achieved: "C00000", Status.insufficient_data: "BFBFBF",
            Status.no_data: "808080"}[status]


def _row(counts: StatusCounts) -> list[object]:
    value = attainment(counts)
    return [*(getattr(counts, s.value) for s in STATUS_ORDER), value.applicable, value.with_data, value.rate]


def _domain_sheet(sheet: Worksheet, content: ReportContent, code: str, title: str) -> None:
    targets = [t for t in content.status.targets if t.domain_code == code]
    sheet["A1"] = f"{code} {title}（{content.status.year}年）"
    sheet["A1"].font = Font(name=FONT, size=13, bold=True)
    rows = [_target_row(content, t) for t in targets]
    goals = {g.code for g in content.status.goals if g.domain_code == code}
    without_targets = [g for g in content.status.goals if g.code in goals and not g.targets and g.qualitative]
    for goal in without_targets:  # qualitative goals: judged on task progress, no target row of their own
        rows.append([goal.code, content.texts.parents.get(goal.code, goal.title or ""), "（定性目标）",
                     content.unit_name(goal.lead_unit), "", "", "", "", "", "", goal.label, flags_text(goal.flags),
                     goal.explanation])
    _table(sheet, 3, [h for h, _ in DOMAIN_COLUMNS], rows, [w for _, w in DOMAIN_COLUMNS])
    _status_formatting(sheet, STATUS_COLUMN, 4, 3 + len(rows), len(DOMAIN_COLUMNS))
    sheet.freeze_panes = "C4"
    sheet.auto_filter.ref = f"A3:{get_column_letter(len(DOMAIN_COLUMNS))}{3 + len(rows)}"


def _target_row(content: ReportContent, target: TargetStatus) -> list[object]:
    parent = target.goal_code or target.measure_code or ""
    baseline = target.baseline
    latest = target.latest
    return [
        target.code, content.texts.parents.get(parent, parent), target.metric, content.unit_name(target.lead_unit),
        content.texts.targets.get(target.code, ""), target_words(target), target.due_year,
        f"{observed(baseline.value, target.unit)}（{baseline.year}年）" if baseline else "",
        f"{observed(latest.value, target.unit)}（{latest.year}年）" if latest else "",
        observed(target.projected, target.unit),
        target.label if target.applies else f"{target.label}（本年不适用）", flags_text(target.flags),
        target.explanation]


def _completeness_sheet(sheet: Worksheet, content: ReportContent) -> None:
    sheet["A1"] = f"成员单位报送完整性（{content.status.year}年）"
    sheet["A1"].font = Font(name=FONT, size=13, bold=True)
    rows: list[list[object]] = []
    for cycle in content.completeness:
        for unit in cycle.units:
            rows.append([CYCLE_LABELS[cycle.cycle.kind], unit.unit, unit.unit_name, SUBMISSION_LABELS[unit.status],
                         "是" if unit.late else "", f"{unit.submitted_at:%Y-%m-%d %H:%M}" if unit.submitted_at else "",
                         len(unit.indicators_expected), len(unit.indicators_reported),
                         "、".join(unit.indicators_missing)])
    if not content.completeness:
        sheet["A2"] = "本年度尚未开启报送周期。"
        sheet["A2"].font = Font(name=FONT)
    _table(sheet, 3, [h for h, _ in COMPLETENESS_COLUMNS], rows, [w for _, w in COMPLETENESS_COLUMNS])
    sheet.freeze_panes = "D4"


def _warnings_sheet(sheet: Worksheet, content: ReportContent, titles: dict[str, str]) -> None:
    sheet["A1"] = f"预警指标（{content.status.year}年）：预计达标困难、进展滞后、未达标、波动较大、逾期未报送"
    sheet["A1"].font = Font(name=FONT, size=13, bold=True)
    rows: list[list[object]] = []
    for target in content.status.targets:
        reasons = warning_reasons(target)
        if not reasons or not target.applies:
            continue
        parent = target.goal_code or target.measure_code or ""
        rows.append([target.code, titles.get(target.domain_code, target.domain_code), target.metric,
                     content.unit_name(target.lead_unit), target_words(target),
                     f"{observed(target.latest.value, target.unit)}（{target.latest.year}年）" if target.latest else "",
                     observed(target.projected, target.unit), "、".join(reasons),
                     content.texts.parents.get(parent, parent), target.explanation, target.label])
    if not rows:
        sheet["A2"] = "本年没有预警指标。"
        sheet["A2"].font = Font(name=FONT)
    _table(sheet, 3, [h for h, _ in WARNING_COLUMNS], rows, [w for _, w in WARNING_COLUMNS])
    _status_formatting(sheet, STATUS_COLUMN, 4, 3 + len(rows), len(WARNING_COLUMNS))
    sheet.freeze_panes = "D4"


def _table(sheet: Worksheet, header_row: int, headings: Sequence[str], rows: Sequence[Sequence[object]],
           widths: Sequence[int]) -> None:
    """A bordered table with a shaded header row; long texts wrap within their column."""
    for column, (heading, width) in enumerate(zip(headings, widths, strict=True), start=1):
        sheet.cell(header_row, column, heading).style = HEADER_STYLE
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[header_row].height = 15 * max(_lines(h, w) for h, w in zip(headings, widths, strict=True))
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            sheet.cell(header_row + offset, column, value).style = BODY_STYLE
        # Excel and LibreOffice do not grow a row to its wrapped text when opening a file: say how high it is.
        sheet.row_dimensions[header_row + offset].height = 14.5 * max(
            _lines(value, width) for value, width in zip(values, widths, strict=True))
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _named_styles() -> list[NamedStyle]:
    """The table cells' styles, shared by name (a style object per cell would cost a lookup of its own each)."""
    header = NamedStyle(HEADER_STYLE, font=Font(name=FONT, bold=True), fill=_HEADER_FILL, border=_BORDER,
                        alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"))
    body = NamedStyle(BODY_STYLE, font=Font(name=FONT, size=10), border=_BORDER,
                      alignment=Alignment(wrap_text=True, vertical="top"))
    return [header, body]


def _lines(value: object, width: int) -> int:
    """Lines a value wraps to in a column ``width`` characters wide (a Chinese character takes two)."""
    text = "" if value is None else str(value)
    size = sum(2 if ord(c) > 0x2E7F else 1 for c in text)
    return max(1, -(-size // max(1, width - 2)))


def _status_formatting(sheet: Worksheet, column: str, first: int, last: int, width: int) -> None:
    """Colour the whole row by its status (the Chinese label in ``column``): one rule per status."""
    if last < first:
        return
    area = f"A{first}:{get_column_letter(width)}{last}"
    for status, colour in STATUS_FILLS.items():
        sheet.conditional_formatting.add(area, FormulaRule(
            formula=[f'LEFT(${column}{first},{len(LABELS[status])})="{LABELS[status]}"'],
            fill=PatternFill("solid", start_color=colour, end_color=colour), stopIfTrue=True))
