"""The Excel submission template (填报模板) a member unit fills in: written and read back with openpyxl.

Pure module: no database, no web. :func:`build_template` writes a workbook from :class:`TemplateData`;
:func:`read_template` reads a filled one back into the API's own request models (``ValueIn``, ``TaskIn``,
``Narrative``) with, for every value and task, the sheet row it came from, so the submissions' errors can be
addressed to a cell ("指标 第12行 K列：应为数字").

Sheets: 填报说明 (instructions), 指标 (one row per indicator and expected breakdown, then blank rows for
more breakdowns), 任务进展 (the goals and measures assigned to the unit), 工作总结 (工作成效 / 存在问题 /
下一步计划), and two very hidden ones: ``_meta`` (plan, cycle, unit, template version, a fingerprint of the
locked rows, so a template for another unit or cycle, or one whose structure was changed, is refused) and
``_lists`` (the drop-down lists too long to write into a validation). The workbook's language is Chinese
whatever the request's: its labels are part of the file format, and API codes (``female``…) are read too.
"""

import hashlib
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from app.core.i18n import t
from app.submissions.schemas import Narrative, TaskIn, ValueIn

TEMPLATE_VERSION = "1"
M = TypeVar("M", ValueIn, TaskIn)
MAX_UNCOMPRESSED_BYTES = 100_000_000  # a zip bomb is refused before openpyxl inflates it
EXTRA_ROWS = 20  # blank rows under the indicators for breakdowns the template did not foresee

INSTRUCTIONS, VALUES, TASKS, SUMMARY, META, LISTS = "填报说明", "指标", "任务进展", "工作总结", "_meta", "_lists"
HEADER_ROW, FIRST_ROW = 3, 4  # row 1 the title, row 2 a hint, row 3 the column headings

VALUE_COLUMNS = ("指标编码", "指标名称", "计量单位", "相关目标", "{y1}年已审核值", "{y2}年已审核值", "{y3}年已审核值",
                 "性别", "年龄组", "城乡", "本期数值", "数据来源", "备注", "情况说明（数值异常时填写）")
TASK_COLUMNS = ("任务编码", "类型", "任务内容", "分工", "进展情况", "进展说明")
SUMMARY_COLUMNS = ("项目", "内容")
# Column letters of what is read back.
COL_CODE, COL_SEX, COL_AGE, COL_AREA, COL_VALUE, COL_SOURCE, COL_NOTE, COL_JUSTIFICATION = (
    "A", "H", "I", "J", "K", "L", "M", "N")
COL_TASK, COL_PROGRESS, COL_DESCRIPTION = "A", "E", "F"
VALUE_FIELDS = {"indicator": COL_CODE, "sex": COL_SEX, "age_group": COL_AGE, "area": COL_AREA, "value": COL_VALUE,
                "source": COL_SOURCE, "note": COL_NOTE, "justification": COL_JUSTIFICATION,
                "unit": COL_VALUE}
TASK_FIELDS = {"task": COL_TASK, "progress": COL_PROGRESS, "description": COL_DESCRIPTION}
NARRATIVE_ROWS = {"achievements": ("工作成效", FIRST_ROW), "problems": ("存在问题", FIRST_ROW + 1),
                  "next_steps": ("下一步计划", FIRST_ROW + 2)}

SEX_LABELS = {"total": "合计", "female": "女", "male": "男"}
AREA_LABELS = {"all": "全部", "urban": "城镇", "rural": "农村"}
ALL_AGES = "全部"
PROGRESS_LABELS = {"completed": "已完成", "on_schedule": "按计划推进", "delayed": "进度滞后", "not_started": "尚未启动"}
TASK_KIND_LABELS = {"goal": "目标", "measure": "策略措施"}

_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_FIXED_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)


# --- what a template holds ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TemplateMeta:
    """What identifies a template; written to ``_meta`` and checked on upload."""

    plan: str
    year: int
    kind: str
    unit: str
    version: str = TEMPLATE_VERSION


@dataclass(frozen=True)
class IndicatorRow:
    """One row of 指标: an indicator in one breakdown, with what the unit already reported in it (if anything)."""

    code: str
    name: str
    unit: str | None
    targets: str
    history: tuple[float | None, float | None, float | None]  # accepted values of the three years before
    sex: str = "total"
    age_group: str = "all"
    area: str = "all"
    value: float | None = None
    source: str | None = None
    note: str | None = None
    justification: str | None = None


@dataclass(frozen=True)
class TaskRow:
    code: str
    kind: str  # goal or measure
    text: str
    role: str  # 牵头 or 配合
    progress: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class TemplateData:
    meta: TemplateMeta
    plan_title: str
    unit_name: str
    kind_label: str
    opens_on: str
    due_on: str
    indicators: Sequence[IndicatorRow]
    tasks: Sequence[TaskRow]
    narrative: Narrative = field(default_factory=Narrative)
    age_groups: Sequence[str] = ()  # offered for the blank rows

    @property
    def cycle(self) -> str:
        """2024年度自评, 2023年中期评估: the year and kind as the committee writes them."""
        return cycle_name(self.meta.year, self.kind_label)

    @property
    def history_years(self) -> tuple[int, int, int]:
        return self.meta.year - 3, self.meta.year - 2, self.meta.year - 1


def cycle_name(year: int, kind_label: str) -> str:
    return f"{year}{kind_label}" if kind_label.startswith("年") else f"{year}年{kind_label}"


def file_name(data: TemplateData) -> str:
    return f"{data.unit_name}_{data.cycle}填报模板.xlsx"


def structure_fingerprint(indicator_rows: Iterable[tuple[str, str, str, str]], task_codes: Iterable[str]) -> str:
    """A digest of the locked rows (indicator and breakdown, task codes): a changed structure changes it."""
    text = "\n".join(["|".join(row) for row in indicator_rows] + ["#"] + list(task_codes))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# --- writing --------------------------------------------------------------------------------------------------

def build_template(data: TemplateData) -> bytes:
    workbook = Workbook()
    instructions = workbook.active
    assert instructions is not None
    instructions.title = INSTRUCTIONS
    lists = workbook.create_sheet(LISTS)
    _write_lists(lists, data)
    _write_instructions(instructions, data)
    _write_values(workbook.create_sheet(VALUES), data)
    _write_tasks(workbook.create_sheet(TASKS), data)
    _write_summary(workbook.create_sheet(SUMMARY), data)
    _write_meta(workbook.create_sheet(META), data)
    workbook.move_sheet(LISTS, offset=len(workbook.sheetnames))  # the hidden sheets last
    for name in (META, LISTS):
        workbook[name].sheet_state = "veryHidden"
        workbook[name].protection.sheet = True
    workbook.active = workbook.sheetnames.index(VALUES)
    workbook.security = WorkbookProtection(lockStructure=True)  # no sheet added, removed, renamed or unhidden
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _title(sheet: Worksheet, text: str, hint: str, width: int) -> None:
    sheet["A1"] = text
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = hint
    sheet["A2"].font = Font(color="7F7F7F")
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.row_dimensions[2].height = 32


def _headers(sheet: Worksheet, headers: Sequence[str], widths: Sequence[int]) -> None:
    for index, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(HEADER_ROW, index, header)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEAD_FILL, _BORDER
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[HEADER_ROW].height = 30
    sheet.freeze_panes = sheet.cell(FIRST_ROW, 1)


def _print_setup(sheet: Worksheet) -> None:
    """A4 landscape, one page wide, the headings repeated on every page: how the office prints it."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def _fit_height(sheet: Worksheet, row: int, texts: Iterable[tuple[str, Any]]) -> None:
    """Row height for wrapped text (Excel does not grow rows written by a program): lines at ~2 columns a
    Chinese character."""
    lines = 1
    for letter, text in texts:
        if text:
            per_line = max(1, int((sheet.column_dimensions[letter].width or 10) / 2))
            lines = max(lines, sum(-(-len(part) // per_line) or 1 for part in str(text).split("\n")))
    sheet.row_dimensions[row].height = 15 * lines + 3


def _protect(sheet: Worksheet) -> None:
    """Lock every cell but the input ones (unlocked where written); columns and rows may still be resized."""
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.selectLockedCells = False
    sheet.protection.selectUnlockedCells = False


def _fixed(cell: Cell) -> None:
    cell.fill, cell.border, cell.alignment = _FIXED_FILL, _BORDER, _WRAP


def _input(cell: Cell, number: bool = False) -> None:
    cell.fill, cell.border, cell.protection = _INPUT_FILL, _BORDER, _UNLOCKED
    cell.alignment = Alignment(vertical="top") if number else _WRAP
    if number:
        cell.number_format = "General"


def _write_lists(sheet: Worksheet, data: TemplateData) -> None:
    ages = [ALL_AGES, *dict.fromkeys(data.age_groups)]
    codes = list(dict.fromkeys(row.code for row in data.indicators))
    for index, label in enumerate(ages, start=1):
        sheet.cell(index, 1, label)
    for index, code in enumerate(codes, start=1):
        sheet.cell(index, 2, code)


def _write_instructions(sheet: Worksheet, data: TemplateData) -> None:
    meta = data.meta
    lines = [
        f"《{data.plan_title}》{data.cycle}填报模板",
        "",
        f"填报单位：{data.unit_name}（{meta.unit}）",
        f"规划：{meta.plan}    周期：{data.cycle}    填报时间：{data.opens_on} 至 {data.due_on}",
        "",
        "填报步骤",
        "1. 在“指标”表的“本期数值”列填写本单位负责指标的数值，按“计量单位”列的单位填写，只填数字（不带单位、"
        "不带百分号）。未掌握的数值留空即可。",
        "2. 每个指标按性别、年龄组、城乡分行填报；需要补充其他分组时，在表格下方的空白行选择指标编码和分组后填写。",
        "3. “数据来源”写明统计口径或出处（如：妇幼卫生年报）；数值与往年差异较大或分项与合计不符时，请在"
        "“情况说明”列说明原因。",
        "4. 在“任务进展”表为每项任务选择进展情况并简要说明；在“工作总结”表填写工作成效、存在问题和下一步计划。",
        "5. 填好后在系统中上传本文件：系统先检查并列出问题（不保存），确认无误后再正式提交。上传会替换本单位"
        "本周期报送的全部内容。",
        "",
        "注意事项",
        "• 灰色单元格为模板结构，已锁定，请勿修改；黄色单元格为填写区。",
        "• 请勿增删、重命名工作表，也不要把本模板用于其他单位或其他周期：系统会拒收。",
        "• 表中已审核值为本单位往年经工委办公室审核的数值，供对照参考。",
        f"• 模板版本：{meta.version}",
    ]
    sheet.column_dimensions["A"].width = 100
    for index, line in enumerate(lines, start=1):
        cell = sheet.cell(index, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        _fit_height(sheet, index, (("A", line),))
        if index == 1:
            cell.font = Font(bold=True, size=14)
        elif line in ("填报步骤", "注意事项"):
            cell.font = Font(bold=True)
    _print_setup(sheet)
    sheet.print_title_rows = None
    _protect(sheet)


def _write_values(sheet: Worksheet, data: TemplateData) -> None:
    years = data.history_years
    headers = [h.format(y1=years[0], y2=years[1], y3=years[2]) for h in VALUE_COLUMNS]
    _title(sheet, f"{data.unit_name} {data.cycle} 指标数据",
           "灰色为模板内容（已锁定），请在黄色单元格填写；“本期数值”只填数字，单位见“计量单位”列。"
           "下方空白行可补充其他分组的数值。", len(headers))
    _headers(sheet, headers, (10, 28, 9, 36, 13, 13, 13, 7, 10, 7, 12, 20, 16, 24))
    number = DataValidation(type="decimal", operator="between", formula1="-1000000000000", formula2="1000000000000",
                            allow_blank=True, showErrorMessage=True, errorTitle="请填写数字",
                            error="本期数值只能填写数字（不带单位、不带百分号）。")
    sexes = _list_validation(",".join(SEX_LABELS.values()), "请从下拉列表中选择性别。")
    areas = _list_validation(",".join(AREA_LABELS.values()), "请从下拉列表中选择城乡。")
    ages = DataValidation(type="list", formula1=f"'{LISTS}'!$A$1:$A${len(data.age_groups) + 1}", allow_blank=True,
                          showErrorMessage=False)  # an age group outside the list is allowed (and warned about)
    codes = _list_validation(f"'{LISTS}'!$B$1:$B${max(1, len(data.indicators))}", "请从下拉列表中选择指标编码。")
    for validation in (number, sexes, areas, ages, codes):
        sheet.add_data_validation(validation)
    row = FIRST_ROW
    for item in data.indicators:
        fixed = (item.code, item.name, item.unit or "", item.targets, *[_blank(h) for h in item.history],
                 SEX_LABELS.get(item.sex, item.sex), ALL_AGES if item.age_group == "all" else item.age_group,
                 AREA_LABELS.get(item.area, item.area))
        for column, content in enumerate(fixed, start=1):
            _fixed(sheet.cell(row, column, content))
        inputs: tuple[tuple[str, float | str | None], ...] = (
            (COL_VALUE, item.value), (COL_SOURCE, item.source), (COL_NOTE, item.note),
            (COL_JUSTIFICATION, item.justification))
        for letter, given in inputs:
            _input(sheet[f"{letter}{row}"], number=letter == COL_VALUE)
            sheet[f"{letter}{row}"] = given
        _fit_height(sheet, row, (("B", item.name), ("D", item.targets), ("L", item.source), ("M", item.note),
                                 ("N", item.justification)))
        row += 1
    last_fixed = row - 1
    for _ in range(EXTRA_ROWS):
        for column in range(1, len(headers) + 1):
            letter = get_column_letter(column)
            if letter in (COL_CODE, COL_SEX, COL_AGE, COL_AREA, COL_VALUE, COL_SOURCE, COL_NOTE, COL_JUSTIFICATION):
                _input(sheet.cell(row, column), number=letter == COL_VALUE)
            else:
                _fixed(sheet.cell(row, column))
        row += 1
    if last_fixed >= FIRST_ROW:
        number.add(f"{COL_VALUE}{FIRST_ROW}:{COL_VALUE}{row - 1}")
    else:
        number.add(f"{COL_VALUE}{last_fixed + 1}:{COL_VALUE}{row - 1}")
    extra = f"{last_fixed + 1}:{{c}}{row - 1}"
    codes.add(f"{COL_CODE}{extra.format(c=COL_CODE)}")
    sexes.add(f"{COL_SEX}{extra.format(c=COL_SEX)}")
    ages.add(f"{COL_AGE}{extra.format(c=COL_AGE)}")
    areas.add(f"{COL_AREA}{extra.format(c=COL_AREA)}")
    _print_setup(sheet)
    _protect(sheet)


def _list_validation(formula: str, error: str) -> DataValidation:
    source = formula if formula.startswith("'") else f'"{formula}"'
    return DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True,
                          errorTitle="请从列表中选择", error=error)


def _write_tasks(sheet: Worksheet, data: TemplateData) -> None:
    _title(sheet, f"{data.unit_name} {data.cycle} 任务进展",
           "请为每项任务在“进展情况”列选择：" + "、".join(PROGRESS_LABELS.values()) + "，并在“进展说明”列简要说明。"
           "不填进展情况的任务不报送。", len(TASK_COLUMNS))
    _headers(sheet, TASK_COLUMNS, (10, 10, 60, 8, 14, 50))
    progress = _list_validation(",".join(PROGRESS_LABELS.values()), "请从下拉列表中选择进展情况。")
    sheet.add_data_validation(progress)
    row = FIRST_ROW
    for task in data.tasks:
        for column, content in enumerate((task.code, TASK_KIND_LABELS[task.kind], task.text, task.role), start=1):
            _fixed(sheet.cell(row, column, content))
        _input(sheet[f"{COL_PROGRESS}{row}"])
        sheet[f"{COL_PROGRESS}{row}"] = PROGRESS_LABELS.get(task.progress or "", None)
        _input(sheet[f"{COL_DESCRIPTION}{row}"])
        sheet[f"{COL_DESCRIPTION}{row}"] = task.description
        _fit_height(sheet, row, (("C", task.text), ("F", task.description)))
        row += 1
    if data.tasks:
        progress.add(f"{COL_PROGRESS}{FIRST_ROW}:{COL_PROGRESS}{row - 1}")
    _print_setup(sheet)
    _protect(sheet)


def _write_summary(sheet: Worksheet, data: TemplateData) -> None:
    _title(sheet, f"{data.unit_name} {data.cycle} 工作总结",
           "请在“内容”列填写；单元格内换行按 Alt+Enter（WPS、LibreOffice 相同）。", len(SUMMARY_COLUMNS))
    _headers(sheet, SUMMARY_COLUMNS, (14, 100))
    for name, (label, row) in NARRATIVE_ROWS.items():
        _fixed(sheet.cell(row, 1, label))
        sheet.cell(row, 1).font = Font(bold=True)
        _input(sheet.cell(row, 2))
        sheet.cell(row, 2, getattr(data.narrative, name))
        sheet.row_dimensions[row].height = 150
    _print_setup(sheet)
    _protect(sheet)


def _write_meta(sheet: Worksheet, data: TemplateData) -> None:
    meta = data.meta
    fingerprint = structure_fingerprint(((r.code, r.sex, r.age_group, r.area) for r in data.indicators),
                                        (task.code for task in data.tasks))
    for index, (key, value) in enumerate((
            ("version", meta.version), ("plan", meta.plan), ("year", meta.year), ("kind", meta.kind),
            ("unit", meta.unit), ("indicator_rows", len(data.indicators)), ("task_rows", len(data.tasks)),
            ("structure", fingerprint)), start=1):
        sheet.cell(index, 1, key)
        sheet.cell(index, 2, value)


def _blank(value: float | None) -> float | str:
    return "" if value is None else value


# --- reading --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CellRef:
    sheet: str
    row: int
    column: str | None = None


@dataclass
class ReadTemplate:
    """A filled template as the API's request models, each value and task with the row it came from."""

    meta: TemplateMeta
    values: list[ValueIn] = field(default_factory=list)
    value_rows: list[int] = field(default_factory=list)
    tasks: list[TaskIn] = field(default_factory=list)
    task_rows: list[int] = field(default_factory=list)
    narrative: Narrative = field(default_factory=Narrative)


class TemplateProblem(Exception):
    """The file is not a template this service can read; ``errors`` address the cells, ``code`` says what."""

    def __init__(self, code: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(code)
        self.code = code
        self.errors = errors


def cell_error(ref: CellRef, reason: str, code: str, field_name: str | None = None) -> dict[str, Any]:
    """One error addressed to a cell: ``指标 第12行 K列：应为数字``; ``field`` is the request path or the cell."""
    where = f"{ref.column}{ref.row}" if ref.column else str(ref.row)
    if ref.column:
        text = t("{sheet} row {row} column {column}: {reason}", sheet=ref.sheet, row=ref.row, column=ref.column,
                 reason=reason)
    else:
        text = t("{sheet} row {row}: {reason}", sheet=ref.sheet, row=ref.row, reason=reason)
    return {"field": field_name or f"{ref.sheet}!{where}", "code": code, "reason": text, "sheet": ref.sheet,
            "row": ref.row, "column": ref.column}


def _file_error(code: str, reason: str) -> TemplateProblem:
    return TemplateProblem(code, [{"field": "file", "code": code, "reason": reason}])


def read_template(content: bytes) -> ReadTemplate:
    """The template's content, or :class:`TemplateProblem` listing every cell that cannot be read."""
    workbook = _open(content)
    meta, counts = _read_meta(workbook)
    values_sheet, tasks_sheet, summary_sheet = (workbook[name] for name in (VALUES, TASKS, SUMMARY))
    _check_headers(values_sheet, VALUES, len(VALUE_COLUMNS), {1: VALUE_COLUMNS[0], 11: VALUE_COLUMNS[10]})
    _check_headers(tasks_sheet, TASKS, len(TASK_COLUMNS), {1: TASK_COLUMNS[0], 5: TASK_COLUMNS[4]})
    _check_headers(summary_sheet, SUMMARY, len(SUMMARY_COLUMNS), {2: SUMMARY_COLUMNS[1]})
    result = ReadTemplate(meta=meta)
    errors: list[dict[str, Any]] = []
    structure = _read_values(values_sheet, counts["indicator_rows"], result, errors)
    task_codes = _read_tasks(tasks_sheet, counts["task_rows"], result, errors)
    if structure_fingerprint(structure, task_codes) != counts["structure"]:
        raise _file_error("template_modified", t(
            "the locked rows of the template were changed (indicators, breakdowns or tasks); download a new "
            "template and fill it in"))
    result.narrative = _read_narrative(summary_sheet, errors)
    if errors:
        raise TemplateProblem("invalid_cells", errors)
    return result


def _open(content: bytes) -> Any:
    not_xlsx = _file_error("not_xlsx", t("is not an Excel workbook (.xlsx); upload the template you downloaded"))
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                raise _file_error("too_large", t("the workbook is larger than {max} bytes uncompressed",
                                                 max=MAX_UNCOMPRESSED_BYTES))
        return load_workbook(BytesIO(content), data_only=True)
    except TemplateProblem:
        raise
    except Exception:  # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors) for a bad file
        raise not_xlsx from None


def _read_meta(workbook: Any) -> tuple[TemplateMeta, dict[str, Any]]:
    missing = [name for name in (VALUES, TASKS, SUMMARY, META) if name not in workbook.sheetnames]
    if missing:
        raise _file_error("not_a_template", t("is not a submission template of this service (sheet {sheet} is "
                                              "missing); download the template and fill it in", sheet=missing[0]))
    found = {row[0]: row[1] for row in workbook[META].iter_rows(min_row=1, max_col=2, values_only=True) if row[0]}
    if str(found.get("version")) != TEMPLATE_VERSION:
        raise _file_error("template_version", t("was made with template version {found}; this service reads "
                                                "version {expected}: download a new template",
                                                found=found.get("version"), expected=TEMPLATE_VERSION))
    try:
        meta = TemplateMeta(plan=str(found["plan"]), year=int(found["year"]), kind=str(found["kind"]),
                            unit=str(found["unit"]))
        counts = {"indicator_rows": int(found["indicator_rows"]), "task_rows": int(found["task_rows"]),
                  "structure": str(found["structure"])}
    except (KeyError, TypeError, ValueError):
        raise _file_error("template_modified", t("the template's hidden information was changed; download a new "
                                                 "template and fill it in")) from None
    return meta, counts


def _check_headers(sheet: Worksheet, name: str, width: int, expected: dict[int, str]) -> None:
    row = [cell.value for cell in sheet[HEADER_ROW]][:width]
    for column, header in expected.items():
        if column > len(row) or row[column - 1] != header:
            raise TemplateProblem("template_modified", [cell_error(
                CellRef(name, HEADER_ROW, get_column_letter(column)),
                t("the column heading must be {header}; columns must not be moved, added or removed", header=header),
                "template_modified")])


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = (f"{value:g}" if isinstance(value, float) else str(value)).strip()
    return text or None


_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def _number(value: Any) -> float | None | str:
    """The cell as a number, None when blank, or the text it holds when it is not one (a number typed as text,
    "6.8", is a number)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    return float(text) if _DECIMAL.fullmatch(text) else str(value)


def _code(value: Any, labels: dict[str, str]) -> str | None:
    """An API code from its Chinese label (or the code itself); None when the cell is blank."""
    text = _text(value)
    if text is None:
        return None
    by_label = {label: code for code, label in labels.items()}
    return by_label.get(text, text)


def _read_values(sheet: Worksheet, fixed_rows: int, result: ReadTemplate,
                 errors: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    structure: list[tuple[str, str, str, str]] = []
    last = FIRST_ROW + fixed_rows + EXTRA_ROWS - 1
    for row_number, row in enumerate(sheet.iter_rows(min_row=FIRST_ROW, max_row=max(last, sheet.max_row),
                                                     max_col=len(VALUE_COLUMNS), values_only=True),
                                     start=FIRST_ROW):
        cells = dict(zip((get_column_letter(i) for i in range(1, len(VALUE_COLUMNS) + 1)), row, strict=False))
        code = _text(cells.get(COL_CODE))
        sex = _code(cells.get(COL_SEX), SEX_LABELS) or "total"
        age = _text(cells.get(COL_AGE))
        age = "all" if age in (None, ALL_AGES) else age
        area = _code(cells.get(COL_AREA), AREA_LABELS) or "all"
        if row_number < FIRST_ROW + fixed_rows:
            structure.append((code or "", sex, age, area))
        value = _number(cells.get(COL_VALUE))
        # A clerk who types 85% gets 0.85 in a percent-formatted cell: it is read as the 85 % it shows, converted
        # into the indicator's unit like any value sent with a unit.
        percent = isinstance(value, float) and "%" in (sheet[f"{COL_VALUE}{row_number}"].number_format or "")
        if isinstance(value, str):
            errors.append(cell_error(CellRef(VALUES, row_number, COL_VALUE), t("must be a number"), "not_a_number"))
            continue
        if value is None:
            if row_number >= FIRST_ROW + fixed_rows and code:  # a blank row with an indicator but no value
                errors.append(cell_error(CellRef(VALUES, row_number, COL_VALUE), t(
                    "fill in the value, or clear the row"), "missing"))
            continue
        if not code:
            errors.append(cell_error(CellRef(VALUES, row_number, COL_CODE), t("choose the indicator"), "missing"))
            continue
        if percent:
            value = float(f"{value * 100:.12g}")
        raw = {"indicator": code, "value": value, "unit": "%" if percent else None, "sex": sex, "age_group": age,
               "area": area,
               "source": _text(cells.get(COL_SOURCE)), "note": _text(cells.get(COL_NOTE)),
               "justification": _text(cells.get(COL_JUSTIFICATION))}
        parsed = _model(ValueIn, raw, VALUES, row_number, VALUE_FIELDS, errors)
        if parsed is not None:
            result.values.append(parsed)
            result.value_rows.append(row_number)
    return structure


def _read_tasks(sheet: Worksheet, fixed_rows: int, result: ReadTemplate, errors: list[dict[str, Any]]) -> list[str]:
    codes: list[str] = []
    for row_number, row in enumerate(sheet.iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + fixed_rows - 1,
                                                     max_col=len(TASK_COLUMNS), values_only=True), start=FIRST_ROW):
        cells = dict(zip("ABCDEF", row, strict=False))
        code = _text(cells.get(COL_TASK)) or ""
        codes.append(code)
        progress = _code(cells.get(COL_PROGRESS), PROGRESS_LABELS)
        description = _text(cells.get(COL_DESCRIPTION))
        if progress is None:
            if description:
                errors.append(cell_error(CellRef(TASKS, row_number, COL_PROGRESS), t(
                    "choose the progress of this task (or clear its description)"), "missing"))
            continue
        parsed = _model(TaskIn, {"task": code, "progress": progress, "description": description}, TASKS,
                        row_number, TASK_FIELDS, errors)
        if parsed is not None:
            result.tasks.append(parsed)
            result.task_rows.append(row_number)
    return codes


def _read_narrative(sheet: Worksheet, errors: list[dict[str, Any]]) -> Narrative:
    raw = {name: _text(sheet.cell(row, 2).value) for name, (_, row) in NARRATIVE_ROWS.items()}
    try:
        return Narrative(**raw)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0])
            errors.append(cell_error(CellRef(SUMMARY, NARRATIVE_ROWS[name][1], "B"), _reason(error), error["type"]))
        return Narrative()


def _model(model: type[M], raw: dict[str, Any], sheet: str, row: int,
                                 columns: dict[str, str], errors: list[dict[str, Any]]) -> M | None:
    try:
        return model(**raw)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            errors.append(cell_error(CellRef(sheet, row, columns.get(name)), _reason(error), error["type"]))
        return None


def _reason(error: Any) -> str:
    if error["type"] == "literal_error":
        return t("choose a value from the drop-down list")
    if error["type"] == "string_too_long":
        return t("at most {max} characters", max=error.get("ctx", {}).get("max_length"))
    return str(error["msg"])
