"""Import district plan texts (妇女儿童发展规划) into plan documents (app.plans.plan_document) for the seed files.

The texts are extractions from PDFs and web pages: hard line breaks, Word bookmarks, page numbers and
lost headings included.  The importer recovers the plan's structure with general rules that hold for
plans written in the usual style of these documents:

* chapters are ``一、…``; the chapters on the development domains (领域) hold the domains;
* a domain heading is ``（一）妇女与健康：subtitle``;
* inside a domain a ``主要目标`` line opens the goal list and a ``策略措施`` line the measure list;
  some plans (西城) have no such lines: each numbered item then is a goal titled by its first sentence;
* items are numbered ``1.`` / ``1、`` / ``1．``; any other line continues the item above it.

Everything that is specific to one district (its codes, slug, kind, years, title) sits in the data file
``districts.yaml`` (read into ``PLAN_SETTINGS``), recognised by text that the plan prints. Another district's plan
is imported with settings given by the caller (``import_plan_text(text, source_file,
settings=PlanSettings(...))``), or, without them, with settings inferred from its text (title, period, kind,
district) and placeholder codes (slug ``plan-<kind>-<start>-<end>``, committee ``000000``), each inferred field
reported as a doubt; a text with neither known settings nor domains is not taken for a plan. What the importer
finds odd in a text is written into the plan's ``anomalies`` (stored with the plan, in Chinese: clerks read them);
what it is unsure about is returned as ``doubts`` (messages of the import report, in the caller's language via
``t()``).
A parser exception on one sentence becomes a doubt (one bad sentence must not stop a clerk's import); with
``strict=True`` (tests, seeds/generate.py) it propagates, so that a parser bug fails loudly instead.
No database and no web here: pure functions from text to plan documents (and the one data file).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from app.core.i18n import t
from app.plans.codes import target_letter
from app.plans.plan_document import (
    CommitteeDoc,
    DomainDoc,
    GoalDoc,
    MeasureDoc,
    PlanDoc,
    PlanDocument,
    TargetDoc,
)
from app.plans.targets import parse_targets

__all__ = [
    "ImportResult",
    "PlanSettings",
    "PLAN_SETTINGS",
    "REFERENCE_DOMAINS",
    "import_plan_text",
    "infer_settings",
]


# --------------------------------------------------------------------------------------------------
# Per-plan settings (the only district-specific knowledge in this module)
# --------------------------------------------------------------------------------------------------


KINDS = ("women", "children", "combined")


@dataclass(frozen=True)
class PlanSettings:
    """What the text does not say (or not reliably): codes, slug, kind, period, catalogue title.

    Give one to :func:`import_plan_text` for a plan that ``PLAN_SETTINGS`` does not know; ``match`` is only
    used by the table (text printed in the plan that identifies it).
    """

    code: str  # stable slug, e.g. "chaoyang-2021-2025"
    kind: str  # women | children | combined
    start_year: int
    end_year: int
    title: str  # used when the title line is not printed in the text
    committee_code: str  # GB/T 2260 division code
    committee_name: str
    region: str
    match: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"plan kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if not self.code.strip():
            raise ValueError("plan code must not be empty")
        if not 1900 < self.start_year <= self.end_year < 2200:
            raise ValueError(f"plan period {self.start_year}-{self.end_year} is not a valid range of years")

    @property
    def default_part(self) -> str | None:
        """The part a plan's domains belong to when the chapter heading does not say."""
        return {"women": "W", "children": "C"}.get(self.kind)


DISTRICTS_FILE = Path(__file__).with_name("districts.yaml")


def read_plan_settings(path: Path = DISTRICTS_FILE) -> tuple[PlanSettings, ...]:
    """The known district plans, from their data file (``districts.yaml``: one entry per plan, in match order)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    committees = data["committees"]
    return tuple(
        PlanSettings(entry["code"], entry["kind"], entry["start_year"], entry["end_year"], entry["title"],
                     committees[entry["committee"]]["code"], committees[entry["committee"]]["name"],
                     committees[entry["committee"]]["region"], match=entry["match"])
        for entry in data["plans"])


# Checked in order; the first whose ``match`` occurs in the plan's own title line (else in its text) wins.
PLAN_SETTINGS: tuple[PlanSettings, ...] = read_plan_settings()

# The domain lists of the 2021–2025 北京 district plans (西城, 昌平 print them all), used to name a
# domain whose heading was lost, from its position in the part.
REFERENCE_DOMAINS: dict[str, tuple[str, ...]] = {
    "W": ("妇女与健康", "妇女与教育", "妇女与经济", "妇女参与决策和管理", "妇女与社会保障",
          "妇女与家庭建设", "妇女与环境", "妇女与法律"),
    "C": ("儿童与健康", "儿童与安全", "儿童与教育", "儿童与福利", "儿童与家庭", "儿童与环境", "儿童与法律"),
}


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """Plans found in one text (one file may hold two) and what the importer was unsure about."""

    plans: list[PlanDocument] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)


def import_plan_text(text: str, source_file: str, settings: PlanSettings | None = None, *,
                     strict: bool = False) -> ImportResult:
    """Read every plan in ``text`` into a :class:`PlanDocument` (committee, plan, domains).

    ``settings``: the codes, kind, period and title of the plan, for a district that ``PLAN_SETTINGS`` does not
    know; only for a text that holds one plan (``ValueError`` otherwise). Without it, each plan takes the
    settings ``PLAN_SETTINGS`` matches, else settings inferred from its text (title line, period, kind, district),
    with placeholder codes and one doubt per inferred field: a dry run then says what the office must fill in.
    ``strict``: a target parser exception propagates instead of becoming a doubt (tests, seed generation).
    """
    result = ImportResult()
    lines = text.splitlines()
    segments = split_plans(lines)
    if settings is not None and len(segments) > 1:
        titles = "、".join(f"'{s.title}'" for s in segments)
        raise ValueError(f"{source_file}: the text holds {len(segments)} plans ({titles}) but one PlanSettings "
                         "was given; import each plan's text on its own, or give no settings")
    # The notice (通知) with 文号 and date precedes the first plan (and covers all plans of the file).
    preamble = lines[: segments[0].start] if len(segments) > 1 else lines[: _first_chapter_index(lines)]
    doc_number, issued_date, meta_notes = read_issue_metadata(preamble)
    for segment in segments:
        chosen = settings or match_settings(segment, lines)
        inferred: list[str] = []
        if chosen is None:
            chosen, inferred = infer_settings(segment, lines)
        plan, doubts = build_plan(lines, segment, chosen, source_file, catalogue_title=not inferred, strict=strict)
        if inferred and not plan.domains:
            # Nothing known about it and no domains either: not a plan (a notice, an unrelated text).
            result.doubts.append(t("{file}: no plan settings match the text starting at line {line} and no "
                                   "domains were found in it; skipped", file=source_file, line=segment.start + 1))
            continue
        plan.plan.doc_number = doc_number
        plan.plan.issued_date = issued_date
        plan.plan.anomalies[:0] = meta_notes
        if inferred:
            plan.plan.anomalies.insert(0, "没有此规划的设置：代码、类型、规划期、标题和妇儿工委均由文本推断"
                                                "（文本未写明的用占位值）")
        result.plans.append(plan)
        result.doubts.extend(f"{chosen.code}: {d}" for d in inferred + doubts)
    return result


# --------------------------------------------------------------------------------------------------
# Line patterns
# --------------------------------------------------------------------------------------------------

_CN_NUM = "一二三四五六七八九十"
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
# "  - 11 - " page footers of the PDF.
_PAGE_NUMBER = re.compile(r"^[-－—–]\s*\d+\s*[-－—–]$")
# "曾都区妇女发展规划（2021—2030年）" standing on its own line: the start of one plan in the file.
_PLAN_TITLE = re.compile(r"^[^\s，。、；：《》]{2,40}发展规划(?:\s*[（(]\d{4}\s*[-—–－]\s*\d{4}年[）)])?$")
_CHAPTER = re.compile(rf"^([{_CN_NUM}]+)\s*[、．.]\s*(\S.*)$")
# A chapter numbered with an Arabic numeral by mistake ("1、 指导思想、基本原则和总体目标").
_ARABIC_CHAPTER = re.compile(r"^(\d+)、\s*(\S[^。]*)$")
_DOMAIN = re.compile(rf"^[（(]\s*([{_CN_NUM}]+)\s*[）)]\s*(\S.*)$")
_GOALS_MARK = re.compile(r"^主要目标\s*[:：]?$")
_MEASURES_MARK = re.compile(r"^策略措施\s*[:：]?$")
# "1.", "1、", "1．", "- 1." (markdown bullets of a converter); never "2.2 张" (a decimal).
_ITEM = re.compile(r"^(?:[-•·]\s*)?(\d{1,2})\s*[.．、](?!\d)\s*(\S.*)$")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,6}发\s*〔\s*\d{4}\s*〕\s*\d+\s*号")
_DATE_LINE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_SENTENCE_END = ("。", "；", "！", "？", ";", "”", "」", "）")
_WEB_FURNITURE = re.compile(r"^(当前位置|时间|来源|分享|点击)\s*[:：]")
_FULL_WIDTH = re.compile(r"[０-９％／＋．]")
_LATEX = re.compile(r"\$[^$]*\\[A-Za-z%]+[^$]*\$")
_LATIN_WORD_IN_CHINESE = re.compile(r"[\u4e00-\u9fff]\s*\b(and|or|the|of|to)\b\s*[\u4e00-\u9fff]")
# A mortality level (not a relative fall such as "下降20%") given in %: per mille is the usual unit.
_RATE_WITH_PERCENT = re.compile(
    r"死亡率[^。；，,\d]{0,6}(?:降至|降到|控制在|控制到|下降到|下降至|低于)\s*\d+(?:\.\d+)?\s*%")


def clean_line(raw: str) -> tuple[str, int]:
    """Drop Word ``[bookmark: …]`` anchors and the line's outer whitespace; return the count dropped."""
    text, count = _BOOKMARK.subn("", raw)
    # U+3000 (ideographic space) indents the web-page capture; str.strip() removes it too.
    return text.strip(), count


def is_page_number(line: str) -> bool:
    """A PDF page footer such as ``- 18 -``."""
    return bool(_PAGE_NUMBER.match(line))


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends where a numbered item may end."""
    return text.rstrip().endswith(_SENTENCE_END)


def first_sentence(text: str) -> str:
    """The text up to its first 。, without the 。 (the whole text when it has none)."""
    head, sep, _ = text.partition("。")
    return head if sep else text


def split_heading(rest: str) -> tuple[str, str | None]:
    """``妇女与健康：打造…`` → (``妇女与健康``, ``打造…``); the colon may be full- or half-width."""
    parts = re.split(r"[：:]", rest, maxsplit=1)
    subtitle = parts[1].strip() if len(parts) == 2 else ""
    return parts[0].strip(), (subtitle or None)


# --------------------------------------------------------------------------------------------------
# Splitting a file into plans, and file-level metadata
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """The lines [start, end) of one plan; ``title`` is its own title line, when it has one."""

    start: int
    end: int
    title: str | None


def split_plans(lines: list[str]) -> list[Segment]:
    """One segment per plan title standing on its own line (曾都 prints two plans in one file)."""
    starts = [(i, clean_line(raw)[0]) for i, raw in enumerate(lines) if _PLAN_TITLE.match(clean_line(raw)[0])]
    if len(starts) < 2:
        title = starts[0][1] if starts else None
        return [Segment(0, len(lines), title)]
    segments = []
    for n, (start, title) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        segments.append(Segment(start, end, title))
    return segments


def _first_chapter_index(lines: list[str]) -> int:
    for i, raw in enumerate(lines):
        line = clean_line(raw)[0]
        if _CHAPTER.match(line) or line.replace(" ", "") == "前言":
            return i
    return len(lines)


def read_issue_metadata(preamble: Iterable[str]) -> tuple[str | None, date | None, list[str]]:
    """Document number (文号) and issue date of the notice (通知) that precedes the plan, if any."""
    doc_number = issued = None
    notes: list[str] = []
    for raw in preamble:
        line = clean_line(raw)[0]
        if doc_number is None and (m := _DOC_NUMBER.search(line)):
            printed = m.group()
            doc_number = re.sub(r"\s+", "", printed)
            if printed != doc_number:
                notes.append(f"文号印作“{printed}”（PDF 排版空格）；存为“{doc_number}”")
        if issued is None and (m := _DATE_LINE.match(line)):
            year, month, day = (int(g) for g in m.groups())
            issued = date(year, month, day)
    return doc_number, issued, notes


# "（2021-2030年）", "2021—2030年"; "“十四五”时期" (the five-year plan periods).
_PERIOD = re.compile(r"(\d{4})\s*(?:年\s*)?[-—–－~～至]\s*(\d{4})\s*年?")
_FIVE_YEAR_PLANS = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_TITLE_IN_QUOTES = re.compile(r"《([^《》]{2,60}发展规划[^《》]{0,20})》")
# The district in a title: "北京市西城区“十四五”时期…", "随州市曾都区妇女发展规划", "某某县儿童发展规划".
_TITLE_REGION = re.compile(r"^((?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fff]{1,7}?(?:市|州|盟))?"
                           r"[\u4e00-\u9fff]{1,7}?(?:区|县|旗|市))(?=[“\"「]|妇女|儿童|[\u4e00-\u9fff]{0,4}时期)")
_UNKNOWN_COMMITTEE = "000000"


def infer_settings(segment: Segment, lines: list[str]) -> tuple[PlanSettings, list[str]]:
    """Settings read from the plan's own text, for a plan no ``PLAN_SETTINGS`` entry matches.

    The title is the plan's title line (else a 《…发展规划…》 before the first chapter); the period comes from the
    title's "（2021-2030年）" or "十四五" (→ 2021-2025), else the latest "到2030年" of the text; the kind from the
    title (妇女儿童 → combined, 妇女 → women, 儿童 → children); the district from the title. The code is a
    slug of kind and period ("plan-women-2021-2030") and the committee code the placeholder ``000000``.
    Returns the settings and one doubt per inferred field.
    """
    body = [clean_line(raw)[0] for raw in lines[segment.start: segment.end]]
    doubts: list[str] = []
    title = segment.title
    source = t("its own title line")
    if title is None:
        head = "".join(body[: max(1, _first_chapter_index(body))])
        quoted = _TITLE_IN_QUOTES.search(head)
        title, source = (quoted.group(1), t("the 《…》 title before the first chapter")) if quoted else (None, "")
    if title is None:
        title = "（标题未识别）"
        doubts.append("title: " + t("no title line found; set to {title}, fill in the plan's title", title=title))
    else:
        doubts.append("title: " + t("{title} taken from {source}; check it", title=title, source=source))

    period = _PERIOD.search(title)
    five_year = next((years for name, years in _FIVE_YEAR_PLANS.items() if name in title), None)
    if period and int(period.group(1)) < int(period.group(2)):
        start, end = int(period.group(1)), int(period.group(2))
        doubts.append("start_year/end_year: " + t("{start}-{end} read from {words} in the title", start=start,
                                                        end=end, words=period.group()))
    elif five_year:
        start, end = five_year
        name = next(n for n in _FIVE_YEAR_PLANS if n in title)
        doubts.append("start_year/end_year: " + t("{start}-{end} inferred from {words} in the title", start=start,
                                                        end=end, words=name))
    else:
        milestones = [int(y) for y in re.findall(r"到\s*(20\d{2})\s*年", "".join(body))]
        end = max(milestones) if milestones else 2030
        start = end - 9 if end % 10 == 0 else end - 4
        basis = t("guessed from the latest 到{end}年 of the text", end=end) if milestones else \
            t("used as a placeholder")
        doubts.append("start_year/end_year: " + t("no period in the title; {start}-{end} {basis}; fill in the "
                                                  "plan's period", start=start, end=end, basis=basis))

    women, children = "妇女" in title, "儿童" in title
    if women and children or not (women or children):
        kind = "combined"
    else:
        kind = "women" if women else "children"
    why = {"combined": "妇女儿童", "women": "妇女", "children": "儿童"}[kind]
    doubts.append("kind: " + (t("{kind} inferred from {words} in the title", kind=kind, words=why) if women or children
                              else t("the title names neither 妇女 nor 儿童; {kind} assumed", kind=kind)))

    code = f"plan-{start}-{end}" if kind == "combined" else f"plan-{kind}-{start}-{end}"
    doubts.append("code: " + t("placeholder slug {code}; give the plan its own code (e.g. <district>-{start}-{end})",
                               code=code, start=start, end=end))

    region_match = _TITLE_REGION.match(title)
    region = region_match.group(1) if region_match else ""
    committee_name = f"{region}妇女儿童工作委员会" if region else "（妇女儿童工作委员会未识别）"
    doubts.append("committee_code: " + t("placeholder {code}; fill in the district's GB/T 2260 code",
                                         code=_UNKNOWN_COMMITTEE))
    if region:
        doubts.append("committee_name/region: " + t("{name} / {region} inferred from the title's district; check "
                                                    "the full name (province, city)", name=committee_name,
                                                    region=region))
    else:
        doubts.append("committee_name/region: " + t("no district in the title; set to {name} and an empty region, "
                                                    "fill them in", name=committee_name))
    settings = PlanSettings(code, kind, start, end, title, _UNKNOWN_COMMITTEE, committee_name, region)
    return settings, doubts


def match_settings(segment: Segment, lines: list[str]) -> PlanSettings | None:
    """The settings whose ``match`` text the plan prints: in its title line first, else in its body."""
    if segment.title:
        for settings in PLAN_SETTINGS:
            if settings.match in segment.title:
                return settings
    body = "\n".join(lines[segment.start: segment.end])
    for settings in PLAN_SETTINGS:
        if settings.match in body:
            return settings
    return None


# --------------------------------------------------------------------------------------------------
# Structure detection
# --------------------------------------------------------------------------------------------------


@dataclass
class _Item:
    number: str
    pieces: list[str]
    line_no: int
    breaks: int = 0  # hard line breaks re-joined
    furniture: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)  # unnumbered paragraphs kept in the item

    @property
    def text(self) -> str:
        return "".join(self.pieces)


@dataclass
class _Domain:
    part: str
    heading: list[str]  # heading line plus its wrapped continuation lines
    line_no: int
    inferred: bool = False
    goals: list[_Item] = field(default_factory=list)
    measures: list[_Item] = field(default_factory=list)
    mixed: list[_Item] = field(default_factory=list)  # items of a domain without 主要目标/策略措施 lists

    def started(self) -> bool:
        return bool(self.goals or self.measures or self.mixed)


@dataclass
class _Parse:
    """Mutable state of the line-by-line scan of one plan."""

    default_part: str | None
    domains: list[_Domain] = field(default_factory=list)
    part: str | None = None  # the domain part we are in (W/C), None outside domain chapters
    domain: _Domain | None = None  # the open domain; None before the first heading of a part
    first_seen_in_chapter: bool = False  # a （一） paragraph was seen since the last chapter heading
    items: list[_Item] | None = None  # the list the next numbered item goes to
    item: _Item | None = None
    chapters: list[str] = field(default_factory=list)
    bookmarks: int = 0
    page_numbers: list[str] = field(default_factory=list)
    web_furniture: list[str] = field(default_factory=list)
    bullets: list[int] = field(default_factory=list)  # lines whose number carries a "- " bullet
    previous_long_sentence: bool = False  # the previous line was a whole paragraph line ending a sentence
    notes: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)

    def open_domain(self, domain: _Domain) -> None:
        self.domains.append(domain)
        self.domain = domain
        self.items = None
        self.item = None


def scan_structure(lines: list[str], start: int, end: int, default_part: str | None) -> _Parse:
    """Walk the plan's lines once, building domains and their numbered items."""
    state = _Parse(default_part)
    for index in range(start, end):
        line, bookmarks = clean_line(lines[index])
        state.bookmarks += bookmarks
        if line:
            _scan_line(state, line, index + 1)
            # PDF lines wrap at ~30 characters; a line of 40+ is a whole paragraph of a text file.
            state.previous_long_sentence = len(line) >= 40 and ends_sentence(line)
    return state


def _scan_line(state: _Parse, line: str, line_no: int) -> None:
    if is_page_number(line):
        state.page_numbers.append(line)
        if state.item is not None:
            state.item.furniture.append(line)
        return
    if _WEB_FURNITURE.match(line):
        state.web_furniture.append(line)
        return
    if (chapter := _CHAPTER.match(line)) and "。" not in line:
        _enter_chapter(state, chapter.group(1), chapter.group(2), line_no)
        return
    if state.part is None:
        if (paragraph := _DOMAIN.match(line)) and paragraph.group(1) == "一":
            if state.first_seen_in_chapter:
                state.notes.append(f"第 {line_no} 行“{_short(line)}”重新从（一）编号，但前面没有章标题：缺少一个"
                                   "章标题")
            state.first_seen_in_chapter = True
        if (arabic := _ARABIC_CHAPTER.match(line)) and not state.chapters:
            state.notes.append(f"第 {line_no} 行的章标题编号为“{arabic.group(1)}、”，而不是汉字数字："
                               f"“{arabic.group(2)}”")
            state.chapters.append(arabic.group(1))
        return
    if domain := _DOMAIN.match(line):
        if "。" in domain.group(2):
            # A "（一）…。…" paragraph in a domain chapter: the next chapter lost its heading (朝阳).
            state.notes.append(f"第 {line_no} 行“{_short(line)}”开始了一个缺少标题的章；领域各章到此结束")
            state.first_seen_in_chapter = True
            _leave_part(state)
            return
        state.open_domain(_Domain(state.part, [domain.group(2)], line_no))
        return
    if _GOALS_MARK.match(line) or _MEASURES_MARK.match(line):
        _open_list(state, "goals" if _GOALS_MARK.match(line) else "measures", line_no)
        return
    if (item := _ITEM.match(line)) and _starts_item(state, int(item.group(1)), line_no):
        if line.startswith(("-", "•", "·")):
            state.bullets.append(line_no)
        _start_item(state, item.group(1), item.group(2), line_no)
        return
    _continue_text(state, line, line_no)


def _enter_chapter(state: _Parse, numeral: str, heading: str, line_no: int) -> None:
    """A ``二、…`` chapter: domain chapters set the part (W/C), any other chapter ends them."""
    _leave_part(state)
    state.first_seen_in_chapter = False
    state.chapters.append(numeral)
    if any(word in heading for word in ("领域", "策略措施", "主要目标")) or re.search(
            r"(促进|保障).*(妇女|儿童).*发展$", heading):
        women, children = "妇女" in heading, "儿童" in heading
        part = "W" if women and not children else "C" if children and not women else state.default_part
        if part is None:
            state.doubts.append(t("line {line}: cannot tell whether chapter {heading} is the women's or the "
                                  "children's part", line=line_no, heading=heading))
        state.part = part


def _leave_part(state: _Parse) -> None:
    state.part = state.domain = state.items = state.item = None


def _open_list(state: _Parse, kind: str, line_no: int) -> None:
    """``主要目标`` / ``策略措施``; a goal list with no heading above it means the heading was lost."""
    state.item = None
    domain = state.domain
    if domain is None or (kind == "goals" and domain.started()):
        assert state.part is not None
        domain = _Domain(state.part, [], line_no, inferred=True)
        state.open_domain(domain)
    state.items = domain.goals if kind == "goals" else domain.measures
    if state.items:
        state.doubts.append(t("line {line}: a second goals list in one domain; items appended", line=line_no)
                            if kind == "goals" else
                            t("line {line}: a second measures list in one domain; items appended", line=line_no))


def _starts_item(state: _Parse, number: int, line_no: int) -> bool:
    """A numbered line starts an item unless it sits mid-sentence and breaks the numbering."""
    if state.item is None or ends_sentence(state.item.text) or number == int(state.item.number) + 1:
        return True
    state.doubts.append(t("line {line}: a number mid-sentence and out of sequence after item {number}; kept as a "
                          "continuation of that item", line=line_no, number=state.item.number))
    return False


def _start_item(state: _Parse, number: str, body: str, line_no: int) -> None:
    state.item = None
    domain = state.domain
    if domain is None:
        state.doubts.append(t("line {line}: numbered item outside any domain: {text}", line=line_no,
                              text=_short(body)))
        return
    if state.items is None:
        if domain.goals or domain.measures:
            state.doubts.append(t("line {line}: numbered item outside 主要目标/策略措施 lists", line=line_no))
        state.items = domain.mixed
    state.item = _Item(number, [body], line_no)
    state.items.append(state.item)


def _continue_text(state: _Parse, line: str, line_no: int) -> None:
    """A line that is neither heading nor numbered item continues what precedes it."""
    if state.item is not None:
        if state.previous_long_sentence:
            # A whole paragraph (not a wrapped line) after a finished sentence: keep it, but say so.
            state.item.paragraphs.append(f"第 {line_no} 行“{_short(line)}”")
        state.item.pieces.append(line)
        state.item.breaks += 1
        return
    domain = state.domain
    if domain is not None and not domain.started() and state.items is None and domain.heading:
        # The heading wrapped onto the next line (西城's PDF).
        domain.heading.append(line)
        return
    if domain is not None:
        state.doubts.append(t("line {line}: text in a domain outside any item was ignored: {text}", line=line_no,
                              text=_short(line)))


def _short(text: str, size: int = 24) -> str:
    return text if len(text) <= size else text[:size] + "…"


# --------------------------------------------------------------------------------------------------
# Building the plan document
# --------------------------------------------------------------------------------------------------


def build_plan(lines: list[str], segment: Segment, settings: PlanSettings, source_file: str,
               catalogue_title: bool = True, strict: bool = False) -> tuple[PlanDocument, list[str]]:
    """Scan one plan and turn its domains and items into a plan document (``strict``: see import_plan_text).

    ``catalogue_title``: ``settings.title`` comes from a catalogue (False: inferred from the text).
    """
    state = scan_structure(lines, segment.start, segment.end, settings.default_part)
    anomalies: list[str] = []
    doubts = list(state.doubts)
    title = segment.title or _printed_title(lines, segment, settings)
    if title is None:
        title = settings.title
        if catalogue_title:
            anomalies.append(f"文本中没有印出规划标题；《{title}》取自规划目录")
    anomalies.extend(state.notes)
    anomalies.extend(_chapter_notes(state.chapters))
    numbered = list(_number_domains(state.domains))
    anomalies.extend(_layout_notes(numbered, state))
    domains = [_domain_doc(d, seq, state, anomalies, doubts, strict) for d, seq in numbered]
    anomalies.extend(_furniture_notes(state))
    if not domains:
        doubts.append(t("no domains found"))
    plan = PlanDocument(
        committee=CommitteeDoc(code=settings.committee_code, name=settings.committee_name, region=settings.region),
        plan=PlanDoc(code=settings.code, title=title, kind=settings.kind, start_year=settings.start_year,
                     end_year=settings.end_year, source_file=source_file, anomalies=anomalies),
        domains=domains)
    _check_period(title, settings, doubts)
    return plan, doubts


def _printed_title(lines: list[str], segment: Segment, settings: PlanSettings) -> str | None:
    """The catalogue title when the text prints it (possibly inside 《》 or split over lines)."""
    body = "".join(clean_line(raw)[0] for raw in lines[segment.start: segment.end])
    return settings.title if settings.title in body else None


def _check_period(title: str, settings: PlanSettings, doubts: list[str]) -> None:
    if m := re.search(r"(\d{4})\s*[-—–－]\s*(\d{4})", title):
        if (int(m.group(1)), int(m.group(2))) != (settings.start_year, settings.end_year):
            doubts.append(t("title period {printed} differs from the settings' {start}–{end}", printed=m.group(),
                            start=settings.start_year, end=settings.end_year))


def _number_domains(domains: list[_Domain]) -> Iterable[tuple[_Domain, int]]:
    """Number domains within their part, in order: W1..Wn, C1..Cn (empty shells are dropped)."""
    counters: dict[str, int] = {}
    for domain in domains:
        if not domain.heading and not domain.started():
            continue
        counters[domain.part] = counters.get(domain.part, 0) + 1
        yield domain, counters[domain.part]


def _domain_doc(domain: _Domain, seq: int, state: _Parse, anomalies: list[str], doubts: list[str],
                strict: bool) -> DomainDoc:
    code = f"{domain.part}{seq}"
    if domain.inferred:
        title, subtitle = _infer_title(domain.part, seq, state, doubts), None
        anomalies.append(f"{code}：第 {domain.line_no} 行的主要目标之前缺少领域标题；按其位置恢复为“{title}”"
                         f"（北京各规划{'妇女' if domain.part == 'W' else '儿童'}部分的第 {seq} 个领域）")
    else:
        title, subtitle = split_heading("".join(domain.heading))
    goals_src = domain.goals + domain.mixed
    if not goals_src:
        doubts.append(t("{code} {title}: no goals found", code=code, title=title))
    if not domain.mixed and not domain.measures:
        doubts.append(t("{code} {title}: no measures found", code=code, title=title))
    anomalies.extend(_numbering_notes(f"{code} 主要目标" if not domain.mixed else f"{code} 条目", goals_src))
    anomalies.extend(_numbering_notes(f"{code} 策略措施", domain.measures))
    goals = [_goal_doc(item, f"{code}.{n}", n, item in domain.mixed, anomalies, doubts, strict)
             for n, item in enumerate(goals_src, 1)]
    measures = [_measure_doc(item, f"{code}.M{n}", n, anomalies, doubts, strict)
                for n, item in enumerate(domain.measures, 1)]
    return DomainDoc(code=code, part=domain.part, seq=seq, title=title, subtitle=subtitle, inferred=domain.inferred,
                     goals=goals, measures=measures)


def _infer_title(part: str, seq: int, state: _Parse, doubts: list[str]) -> str:
    """Name a headless domain by its position, after checking the named ones agree with the reference."""
    reference = REFERENCE_DOMAINS[part]
    named = [d for d in state.domains if d.part == part and (d.heading or d.started())]
    for position, domain in enumerate(named, 1):
        if domain.inferred or position > len(reference):
            continue
        title = split_heading("".join(domain.heading))[0]
        if not reference[position - 1].startswith(title) and not title.startswith(reference[position - 1]):
            doubts.append(t("{code} {title} differs from the reference {reference}; inferred headings of this part "
                            "may be wrong", code=f"{part}{position}", title=title, reference=reference[position - 1]))
    if seq > len(reference):
        doubts.append(t("{code}: heading missing and beyond the reference list", code=f"{part}{seq}"))
        return f"（标题缺失）{part}{seq}"
    return reference[seq - 1]


def _goal_doc(item: _Item, code: str, seq: int, titled: bool, anomalies: list[str], doubts: list[str],
              strict: bool) -> GoalDoc:
    text = item.text
    _check_item_text(code, item, anomalies, doubts)
    return GoalDoc(code=code, seq=seq, number=item.number, title=first_sentence(text) if titled else None,
                   text=text, targets=targets_for(text, code, numeric_only=False, doubts=doubts, strict=strict))


def _measure_doc(item: _Item, code: str, seq: int, anomalies: list[str], doubts: list[str],
                 strict: bool) -> MeasureDoc:
    text = item.text
    _check_item_text(code, item, anomalies, doubts)
    return MeasureDoc(code=code, seq=seq, number=item.number, title=first_sentence(text), text=text,
                      targets=targets_for(text, code, numeric_only=True, doubts=doubts, strict=strict))


def _check_item_text(code: str, item: _Item, anomalies: list[str], doubts: list[str]) -> None:
    """Slips worth a human look; the text itself is kept as written."""
    text = item.text
    if not ends_sentence(text):
        doubts.append(t("{code} (line {line}) does not end with a full stop: …{end}", code=code, line=item.line_no,
                        end=text[-12:]))
    for paragraph in item.paragraphs:
        anomalies.append(f"{code}：没有编号的段落（{paragraph}）作为本条目的一部分保留")
    for match in _LATEX.finditer(text):
        anomalies.append(f"{code}：PDF 转换留下的 LaTeX 标记按原文保留：“{match.group()}”")
    for match in _LATIN_WORD_IN_CHINESE.finditer(text):
        context = text[max(0, match.start() - 5): match.end() + 5]
        anomalies.append(f"{code}：中文文本中夹有英文单词“{match.group(1)}”（转换错误，可能应为“和”）；"
                         f"按原文保留：“{context}”")
    rates = [m.group() for m in _RATE_WITH_PERCENT.finditer(text)]
    if rates:
        anomalies.append(f"{code}：死亡率用%表示，可能应为‰；按原文保留：" + "；".join(f"“{r}”" for r in rates))


def _numbering_notes(label: str, items: list[_Item]) -> list[str]:
    """Gaps, repeats and odd starts in the printed numbers (seq stays 1..n)."""
    numbers = [int(item.number) for item in items]
    notes = []
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        printed = ",".join(str(n) for n in numbers)
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        detail = []
        if missing:
            detail.append("缺第 " + ",".join(map(str, missing)) + " 项")
        if repeated:
            detail.append("重复 " + ",".join(map(str, repeated)))
        notes.append(f"{label}：印出的编号为 {printed}（{'；'.join(detail) or '顺序错乱'}）；"
                     f"seq 重新编为 1..{len(numbers)}")
    return notes


def _chapter_notes(chapters: list[str]) -> list[str]:
    order = [_CN_NUM.index(c) + 1 if c in _CN_NUM else int(c) for c in chapters if len(c) == 1 or c.isdigit()]
    if order and order != list(range(order[0], order[0] + len(order))):
        return [f"章的编号不连续：{' '.join(chapters)}"]
    return []


def _layout_notes(numbered: list[tuple[_Domain, int]], state: _Parse) -> list[str]:
    """Plan-wide notes on how the domains are laid out (one line each, not one per domain)."""
    notes = []
    mixed = [f"{d.part}{seq}" for d, seq in numbered if d.mixed]
    if mixed:
        notes.append(f"{_code_list(mixed)} 没有分开的主要目标/策略措施列表：每个编号条目作为一个目标导入，"
                     "以第一句为标题（指标从整个条目解析），没有策略措施")
    wrapped = [f"{d.part}{seq}" for d, seq in numbered if len(d.heading) > 1]
    if wrapped:
        notes.append(f"{_code_list(wrapped)} 的领域标题跨两行或更多行；已重新连接")
    if state.bullets:
        lines = ", ".join(map(str, state.bullets))
        notes.append(f"文本转换在条目编号前留下的“- ”项目符号（第 {lines} 行）；已删除")
    return notes


def _code_list(codes: list[str]) -> str:
    return "、".join(codes)


def _furniture_notes(state: _Parse) -> list[str]:
    notes = []
    if state.bookmarks:
        notes.append(f"已删除 Word 导出留下的 {state.bookmarks} 个“[bookmark: …]”锚点")
    if state.page_numbers:
        notes.append(f"已删除 {len(state.page_numbers)} 行页码（“{state.page_numbers[0]}”…）")
    if state.web_furniture:
        notes.append("已忽略网页附带的内容：" + "；".join(f"“{w}”" for w in state.web_furniture)
                     + "（其中的时间是网页的发布日期，不作为印发日期）")
    inside = [(code, line) for code, item in _coded_items(state) for line in item.furniture]
    if inside:
        notes.append("已删除条目内的页码：" + "、".join(f"{code}（“{line}”）" for code, line in inside))
    full_width = [code for code, item in _coded_items(state) if _FULL_WIDTH.search(item.text)]
    if full_width:
        # Kept as printed: the text stays verbatim, the target parser normalises them.
        notes.append(f"{_code_list(full_width)} 中的全角数字或符号（１、％、／、＋）按原文保留")
    wrapped = [code for code, item in _coded_items(state) if item.breaks]
    if len(wrapped) > 20:
        notes.append(f"已重新连接 {len(wrapped)} 个条目内的硬换行")
    elif wrapped:
        notes.append(f"已重新连接 {_code_list(wrapped)} 内的硬换行")
    return notes


def _coded_items(state: _Parse) -> Iterable[tuple[str, _Item]]:
    """Every item with the code it gets in the plan document."""
    for domain, seq in _number_domains(state.domains):
        code = f"{domain.part}{seq}"
        for n, item in enumerate(domain.goals + domain.mixed, 1):
            yield f"{code}.{n}", item
        for n, item in enumerate(domain.measures, 1):
            yield f"{code}.M{n}", item


# --------------------------------------------------------------------------------------------------
# Targets (parsed by app.plans.targets)
# --------------------------------------------------------------------------------------------------


def targets_for(text: str, code: str, *, numeric_only: bool, doubts: list[str],
                strict: bool = False) -> list[TargetDoc]:
    """Targets of a goal or measure, lettered after ``code``, each with the parser rule that read it.

    Measures keep only targets with a number: their trend words ("逐步提高") are too noisy. A parser exception
    becomes a doubt (and no targets for the item), unless ``strict``.
    """
    try:
        parsed = parse_targets(text)
    except Exception as exc:  # noqa: BLE001 - one bad sentence must not stop the import
        if strict:
            raise
        doubts.append(t("{code}: target parser failed: {error}", code=code, error=repr(exc)))
        return []
    if numeric_only:
        parsed = [p for p in parsed if p.value is not None]
    return [TargetDoc.model_validate({**p.to_dict(), "code": code + target_letter(n), "rule": p.rule or None})
            for n, p in enumerate(parsed)]
