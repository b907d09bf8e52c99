"""The evaluation report draft as a Word document (python-docx), in the committee's name, in the plans' own
structure: 总体情况, 分领域进展, 预警指标, 成员单位履职情况, 逾期未报送的单位, 下一步工作建议 (left to the office).
Only Word's built-in styles (Title, Heading 1/2, Table Grid, List Bullet), so the office edits it as any document.
"""

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from app.models.enums import CycleKind
from app.reports.content import (
    ATTAINMENT_DEFINITION,
    FLAG_LABELS,
    STATUS_ORDER,
    ReportContent,
    attainment,
    chinese_date,
    observed,
    rate_text,
    target_words,
    warning_reasons,
)
from app.status.rules import LABELS, Flag, Status

FONT = "宋体"
HEADING_FONT = "黑体"
TABLE_TEXT = "表格文字"
REPORT_TITLES = {CycleKind.annual: "年度监测报告", CycleKind.midterm: "中期评估报告", CycleKind.final: "终期评估报告"}
SECTIONS = ("一、总体情况", "二、分领域进展", "三、预警指标", "四、成员单位履职情况", "五、逾期未报送的单位",
            "六、下一步工作建议")
PLACEHOLDER = "【此部分由妇儿工委办公室填写：针对上述预警指标和存在问题，提出下一步工作建议。】"
DOMAIN_TABLE = ("指标", "目标", "最新值", "状态", "说明")
SUMMARY_TABLE = ("领域", "适用指标", "有数据", "已达标", "达标率", "无数据/数据不足")
NO_DATA = (Status.no_data, Status.insufficient_data)


def report_title(content: ReportContent) -> str:
    assert content.kind is not None
    return f"{content.plan.title}{content.status.year}年{REPORT_TITLES[content.kind]}"


def evaluation_document(content: ReportContent) -> bytes:
    """The draft as bytes (DOCX)."""
    document = Document()
    _styles(document)
    write = _Writer(document)
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)  # A4 portrait
    section.orientation = WD_ORIENT.PORTRAIT
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    status = content.status

    title = write.paragraph(report_title(content), "Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = write.paragraph(f"（草稿）\n{content.committee_name}\n数据截至{chinese_date(status.as_of)}")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER

    write.heading(SECTIONS[0], level=1)
    total = attainment(status.summary.targets)
    counts = "、".join(f"{LABELS[s]}{getattr(status.summary.targets, s.value)}项" for s in STATUS_ORDER
                      if getattr(status.summary.targets, s.value))
    write.paragraph(
        f"{content.plan.title}共设{len(status.domains)}个领域。{status.year}年适用的监测指标{total.applicable}项，"
        f"其中{counts or '暂无'}。按有数据的{total.with_data}项计，已达标{total.achieved}项，达标率"
        f"{rate_text(total)}；无数据或数据不足的{total.without_data}项另列，不计入达标率。")
    write.paragraph(ATTAINMENT_DEFINITION)
    write.table(SUMMARY_TABLE, [
        (f"{d.code} {d.title}", str(v.applicable), str(v.with_data), str(v.achieved),
         "—" if v.rate is None else f"{v.rate:.1%}", str(v.without_data))
        for d, v in ((d, attainment(d.targets)) for d in status.domains)],
        (Cm(4.6), Cm(2.2), Cm(2.2), Cm(2.2), Cm(2.2), Cm(2.4)))

    write.heading(SECTIONS[1], level=1)
    for domain in status.domains:
        write.heading(f"{domain.code} {domain.title}", level=2)
        targets = [t for t in status.targets if t.domain_code == domain.code and t.applies]
        value = attainment(domain.targets)
        with_data = [t for t in targets if t.status not in NO_DATA]
        without = [t for t in targets if t.status in NO_DATA]
        if value.with_data:
            write.paragraph(f"本领域适用指标{value.applicable}项，有数据{value.with_data}项，已达标"
                                   f"{value.achieved}项，达标率{rate_text(value)}。")
        else:
            write.paragraph(f"本领域{status.year}年适用指标{value.applicable}项，均暂无数据或数据不足。")
        if with_data:
            write.table(DOMAIN_TABLE, [
                (t.metric, target_words(t),
                 f"{observed(t.latest.value, t.unit)}（{t.latest.year}年）" if t.latest else "", t.label,
                 t.explanation) for t in with_data], (Cm(3.4), Cm(2.0), Cm(2.6), Cm(2.2), Cm(5.6)))
        if without:
            write.paragraph(f"暂无数据或数据不足的指标{len(without)}项："
                                   + "、".join(t.metric for t in without) + "。")

    write.heading(SECTIONS[2], level=1)
    warned = [(t, warning_reasons(t)) for t in status.targets if t.applies and warning_reasons(t)]
    # A target without data whose only warning is its lead unit's overdue report is listed by unit in 五.
    overdue_only = [t for t, reasons in warned if reasons == [FLAG_LABELS[Flag.overdue]]]
    warnings = [(t, reasons) for t, reasons in warned if t not in overdue_only]
    if not warnings:
        write.paragraph("本年没有预计达标困难、进展滞后、未达标或波动较大的指标。")
    for target, reasons in warnings:
        item = write.paragraph(style="List Bullet")
        lead = content.unit_name(target.lead_unit) or "未分解"
        item.add_run(f"{target.metric}（{'、'.join(reasons)}，牵头单位：{lead}）：").bold = True
        item.add_run(target.explanation)
    if overdue_only:
        write.paragraph(f"另有{len(overdue_only)}项指标因牵头单位逾期未报送而暂无数据，单位见第五部分。")

    write.heading(SECTIONS[3], level=1)
    if not content.narratives:
        write.paragraph("暂无审核通过的成员单位报送材料。")
    for narrative in content.narratives:
        write.heading(narrative.unit_name, level=2)
        for label, text in (("工作成效", narrative.achievements), ("存在问题", narrative.problems),
                            ("下一步计划", narrative.next_steps)):
            paragraph = write.paragraph()
            paragraph.add_run(f"{label}：").bold = True
            paragraph.add_run(text or "（未填写）")

    write.heading(SECTIONS[4], level=1)
    overdue = [(cycle, unit) for cycle in content.completeness for unit in cycle.units
               if unit.status == "not_submitted" and unit.late]
    if not content.completeness:
        write.paragraph("本年度尚未开启此类报送周期。")
    elif not overdue:
        write.paragraph("各成员单位均已按期报送。" if all(
            not u.late for c in content.completeness for u in c.units) else "没有逾期未报送的单位。")
    for cycle, unit in overdue:
        write.paragraph(f"{unit.unit_name}（截止日期{chinese_date(cycle.cycle.due_on)}，"
                        f"应报指标{len(unit.indicators_expected)}项）", "List Bullet")

    write.heading(SECTIONS[5], level=1)
    write.paragraph(PLACEHOLDER)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _styles(document: DocumentObject) -> None:
    """Chinese fonts on the built-in styles (python-docx names only the Latin font; the East Asian one is set on
    the style's run properties), black headings, and 表格文字 (10 pt, single-spaced) for table cells."""
    for name, font, size in (("Normal", FONT, 12), ("Title", HEADING_FONT, 20), ("Heading 1", HEADING_FONT, 15),
                             ("Heading 2", HEADING_FONT, 13), ("List Bullet", FONT, 12)):
        style = document.styles[name]
        style.font.name = font
        style.font.size = Pt(size)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if name != "Normal":
            style.font.color.rgb = None
    document.styles["Normal"].paragraph_format.line_spacing = 1.3
    table_text = document.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = document.styles["Normal"]
    table_text.font.size = Pt(10)
    table_text.paragraph_format.line_spacing = 1.0


class _Writer:
    """Adds paragraphs and tables in the built-in styles. python-docx's ``style=`` looks a style up among all the
    document's styles on every call (milliseconds each, seconds for a large plan), so the ids are resolved once
    and set on the new element through python-docx's element API."""

    def __init__(self, document: DocumentObject) -> None:
        self.document = document
        self.ids = {name: document.styles[name].style_id for name in (
            "Title", "Heading 1", "Heading 2", "List Bullet", "Table Grid", TABLE_TEXT)}

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        paragraph = self.document.add_paragraph(text)
        if style is not None:
            paragraph._p.style = self.ids[style]
        return paragraph

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(text, f"Heading {level}")

    def table(self, headings: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[Cm, ...]) -> Table:
        """A Table Grid table with a bold header row and fixed column widths (on the grid and on every cell:
        Word and LibreOffice read different ones)."""
        table = self.document.add_table(rows=1 + len(rows), cols=len(headings))
        table._tbl.tblStyle_val = self.ids["Table Grid"]
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for index, (row, values) in enumerate(zip(table.rows, (headings, *rows), strict=True)):
            for cell, value, width in zip(row.cells, values, widths, strict=True):
                cell.width = width
                paragraph = cell.paragraphs[0]
                paragraph._p.style = self.ids[TABLE_TEXT]
                run = paragraph.add_run(value)
                if index == 0:
                    run.bold = True
        return table
