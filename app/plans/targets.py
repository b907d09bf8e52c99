"""Numeric and trend targets read from one goal (or measure) sentence of a Chinese development plan.

Pure module: no I/O, no database, no web. Entry points: :func:`normalize` and :func:`parse_targets`.

How a sentence is read
======================
A pipeline of pure steps: **normalize → split → tokenize → rules over tokens → targets with their rule id**.

1. :func:`normalize`: half-width digits and ASCII punctuation, no spaces inside numbers and units, ASCII
   ``,``/``;`` turned into Chinese ``，``/``；`` (a character map keeps every fragment traceable to the input).
2. Split into sentences (``。；！？``) and each sentence into clauses (``，：``). A year that leads the first clause
   ("到2027年，…", "力争到2030年…", "展望2035年", "2025年前") or stands alone in a clause sets the milestone
   years of the clauses after it, across ``；`` up to the ``。``, until another year leads a clause. What a
   clause inherits from the clauses before it is an immutable ``_Context``.
3. :func:`app.plans.tokens.tokenize`: the clause as typed tokens with spans (YEAR, NUMBER with its value and
   unit — Chinese numerals through cn2an —, VERB and QUAL with their op, SEP, TEXT), longest match first. The
   words are data in :mod:`app.plans.vocabulary` (comparison verbs → op, qualifiers, units and magnitudes,
   year scopes, base years, trend and norm words, count and share verbs, and the words that shape a metric
   name: subject leads and tails, populations, generic heads).
4. The first rule of :data:`RULES` (by priority) that finds targets in the clause reads it. The rules with a
   number match token kinds in sequence: threshold ``[VERB] [NUMBER] ([-|至] [NUMBER])? [QUAL]?`` (and a gap
   verb, 在 + a qualified value, a bare value after the metric noun), share ``[NUMBER(%)] [QUAL]? 的…``, counts
   ``[至少]? [各]? [verb]? [NUMBER(count unit)] [以上]? noun`` and ``… [NUMBER(thing unit)] [QUAL]?`` at the end,
   ``[NUMBER(%)] 达标``, ``[NUMBER(年)] 免费…教育``, a service circle ``[NUMBER(分钟|公里…)] …圈``. The rules
   without a number read the clause through their own lexicon (:func:`app.plans.tokens.words`: the vocabulary
   words they need as WORD tokens with roles, TEXT between) and match role sequences from the ends: trend
   ``subject [adverb]* [up|down|maintain]`` and ``[lead]* [adverb]* [up|down] object``, norm
   ``subject [adverb]* [趋于…] [正常…] [水平]?``, fair share ``… [保持] [合理] [的]? [比例]``, slowed rise
   ``[遏制] object [上升]? [趋势]``, relative ``subject [hedge]* [gap verb] reference…比例``, all meet
   ``subject [全部] [达到] …标准`` / ``[全部] [配备] object``, full cover ``subject [全覆盖 | 应X尽X]``. Regular
   expressions remain for page furniture and spacing (normalisation), sentence and clause splitting and the
   words *around* a metric (``_clean_metric``: leading 确保/全区…, trailing 分别/均…), built from vocabulary
   tables.
   Every rule has an id, a priority and its own cases, and every target records the id of the rule that
   produced it (``ParsedTarget.rule``):

10 service_radius ("中心城区“10分钟急救圈”"); 20 share_before_noun ("95%的城市社区…", "百分之四十以上的社区…",
"一半以上的领导班子…"); 30 count_before_noun ("至少各配备1名女干部", "建成120个以上社区儿童之家");
40 threshold (a comparison word and a value list: "控制在7/10万以下", "分别降至2‰、3‰和4‰以下", "在3‰左右",
"降低10%", "每年降低0.8个百分点以上"); 50 number_then_verb ("100%达标"); 55 free_education_years
("12年免费特殊教育"); 60 count_after_noun ("全区建成儿童友好社区10个以上"); 70 all_meet ("全部达到…标准",
"全部配备…"); 80 full_cover (全覆盖, 应X尽X); 90 relative_no_number ("…不低于本地党员总数中女性比例");
100 fair_share ("保持合理比例"); 110 slowed_rise ("…上升趋势得到遏制", "…增长势头明显放缓"); 120 towards_norm
("趋于正常", "保持稳定"); 130 trend_after_metric ("…差距进一步缩小", "…逐年上升"); 140 trend_before_metric
("逐步提高A和B" → two targets when A and B are complete metrics).

Encoding decisions
==================
* ``op`` comes from the qualifier after the number when there is one (以上 → ``>=``, 以下/以内 → ``<=``,
  左右 → ``≈``), else from the verb (达到/提高到/不低于/至少 → ``>=``; 超过/高于/大于 → ``>``;
  控制在/降至/不高于/不超过 → ``<=``; 低于/小于/不足 → ``<``).
* ``100%`` with ``>=``/``≈`` or no qualifier, and 全覆盖 / 应保尽保 / 应X尽X, are ``op "=="``, value 100, unit ``%``.
  A 全覆盖 / 应X尽X target needs a noun-phrase subject (the service, insurance or group covered). None is made
  when 覆盖 is a verb ("健全覆盖城乡的…体系" = 健全 + 覆盖), an attribute ("全覆盖的基层残疾人组织"), a slogan in a
  list ("“零拒绝、全覆盖”") or when the subject is a verb phrase, a condition ("在保证质量的前提下实现应配尽配") or
  missing ("确保应登尽登"). A group of people before 应X尽X ("确保符合条件的妇女应救尽救") is kept verbatim as
  the metric, with review: the indicator itself is not named.
* "全部达到…标准" ("全区中小学、幼儿园全部达到平安校园建设标准") is ``==`` 100% on the reconstructed metric
  "中小学、幼儿园达到平安校园建设标准比例", with review.
* Ratios "a:b" ("女性厕位与男性厕位的比例至少为3:2", also written "２：1") are stored as ``value = a/b`` (rounded
  to 4 decimals), ``unit "比"``, with review ("比例 3:2 按 a/b = 1.5 存储"); ``source_text`` keeps "3:2".
  Fractions of a whole ("三分之一", "1/3") are a share: ``value`` in ``%`` (33.33), with review.
* Ranges ("保持在1.1‰-1.5‰", "1.5-2", "新建…学校2—3所") give two targets on the same metric: ``>=`` low and
  ``<=`` high.
* Counts after their noun: the metric is verb + noun ("改善公办幼儿园办学条件"), or noun + verb + 数 when the noun
  comes first ("乡镇卫生院儿科医生配备数"); ``>=`` unless a qualifier says otherwise; review when neither
  至少/不少于 nor a qualifier bounds the count ("数量前没有“至少/不少于”：按下限处理").
* A per-capita denominator after the verb goes in front of the metric: "婴幼儿托位数达到每千人口4.5个" →
  "每千人口婴幼儿托位数" ``>=`` 4.5 个. "…率为3‰以下" reads 为 like a bare value after the metric.
* "全部配备儿童督导员" (every unit staffed) is ``==`` 100% on "…配备儿童督导员比例", with review, like
  "全部达到…标准".
* A move towards a norm that is no number ("出生人口性别比趋于正常", "…保持在自然状态", "…趋于合理") is
  ``maintain``, with review (the normal state is not stated); "趋于稳定" is ``maintain`` without review.
  A share kept "reasonable" or "appropriate" ("中国共产党女党员保持合理比例", "…中的女性保持适当比例",
  "保证职工代表大会中女性的合理比例") is the same: ``maintain`` on "…比例", with review.
* A share compared with another quantity and no number ("各镇党代会女代表比例一般不低于本地党员总数中女性比例")
  cannot hold a value (the target table requires one unless the op is a trend op): it is ``maintain``, with
  review ("数值相对于另一个量：不低于本地党员总数中女性比例（没有数字；按保持处理…）"), so
  that a human compares it with that quantity. With a number ("不低于全市居民人均消费支出的60%") the value is kept.
* Service-radius standards ("打造中心城区“10分钟急救圈”", "城市15分钟社区卫生服务圈") bound the time (or
  distance) to reach a service: metric = place + circle ("中心城区急救圈", "城市社区卫生服务圈"), ``op "<="``,
  the value and unit as written (10 分钟), with review (how it is measured is not stated).
* "(…)部配备" right after a bracketed place ("社区（村）部配备儿童主任", after "乡镇（街道）全部配备儿童督导员")
  is a slip for 全部配备: read as 100% like 全部配备, the source kept as written, and the slip named in the
  review reason. "干部配备", "村部配备" (no bracket) are not this slip.
* Several per-capita denominators before one count ("每千名老年人、每百张养老机构床位均拥有1名社会工作者") give
  one target each ("每千名老年人拥有社会工作者", "每百张养老机构床位拥有社会工作者").
* Change targets ("每年降低1个百分点以上", "以2020年为基数下降20%", "在2019年基础上提高10%"): ``value`` is the
  size of the change (a % on a share — …率, 比例 — may be points: review; on any other metric, "家庭人均卫生支出
  负担降低10%", it is a relative change), ``op`` bounds that size (``>=`` by default or with 以上; ``<=`` with
  以内/以下; ``≈`` with 左右: "年均增长6%左右"), ``direction`` is ``"down"`` or ``"up"``, ``per_year`` is True
  for 每年/年均, ``baseline_year`` is the base year.
  ``direction`` is None for every other target (trend ops carry their own direction).
* ``tolerance`` (only for ``≈``): 5% of the value, at least 0.5 when the unit is ``%`` or ``个百分点``
  (e.g. 42%左右 → ±2.1, 8%左右 → ±0.5).
* ``year``: the milestone year when the sentence names one ("到2025年", "2025年和2030年…分别"), else None
  (= plan end year).
* Several metrics share one clause only with 分别 or 均 ("新生儿、婴儿和5岁以下儿童死亡率分别降至…"): the list is
  split and the shared head ("死亡率", "中的女性比例", "建立家长学校比率") and a shared population prefix
  ("孕产妇", "5岁以下儿童") are given to every item. Without 分别/均 a list stays one metric
  ("女职工职业病和职业伤害发生率"), unless every item is already a complete metric
  ("3岁以下儿童系统管理率和7岁以下儿童健康管理率保持在90%以上" → two targets).
* A head without its subject ("覆盖率", "保障覆盖率", "死亡率", "覆盖面") takes the subject of the previous
  clause of the sentence when that clause names one clearly: the object of 建立/设立/建设…, or the words before
  its first 的 or quote after a leading action verb ("孤儿和事实无人抚养儿童的…权益得到有效保障，保障覆盖率达到
  100%" → "孤儿和事实无人抚养儿童保障覆盖率"; "提高宫颈癌和乳腺癌的早诊早治率，降低死亡率" → "宫颈癌和乳腺癌死亡率").
  Otherwise it stays bare, with review. An item of a list after 、 shares a per-capita prefix of the item before
  ("每千名儿童拥有儿科执业(助理)医生达到1.12名、床位增至3.17张" → "每千名儿童拥有床位数"); a place or group
  followed by a value in the previous target's unit takes the previous metric, with review
  ("…比例至少为3:2，人流量较大的场所提高到2:1" → "人流量较大的场所女性厕位与男性厕位的比例").
* A mixed list keeps its measurable half: "提高残疾儿童康复服务质量和覆盖率" → "残疾儿童康复服务覆盖率",
  "提高妇女失业保险和工伤保险的参保率和待遇水平" → "妇女失业保险和工伤保险的参保率".
* Trend targets are only made for measurable nouns (…率, 比例, 比重, 人数, 数量, …数, 年限, 寿命, 差距, 覆盖面)
  or for "…上升趋势": "提高妇女生殖健康水平" stays qualitative (no target).

``review`` is True, with a short reason, instead of a silent guess: a %-change that may be relative or
percentage points, a 死亡率 written with %, a percentage above 100, a value compared with another quantity
("不低于全市居民人均消费支出的60%", or with no number at all), a count or share without comparison word, a value
list that does not match the metric list, a metric that could not be isolated, a reconstructed metric, a
service-radius standard, a probable slip of the source text.

``source_text`` is the *verbatim* fragment of the input the target was read from, usually the clause with its
year words: full-width digits, spaces and dashes are kept as written (``"促进 70%的妇女在 35—45 岁接受…"``). The
parser works on the normalised text and maps each fragment back to the input; a list marker ("8.") before it is
not part of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

from app.plans import vocabulary as vocab
from app.plans.tokens import Kind, Lexicon, Number, Token, tokenize, words

__all__ = ["OPS", "RULES", "ParsedTarget", "Rule", "normalize", "parse_targets"]

OPS = (">=", ">", "<=", "<", "≈", "==", "increase", "decrease", "maintain")


@dataclass(frozen=True)
class ParsedTarget:
    """One numeric or trend target read from a goal or measure sentence."""

    metric: str
    op: str
    value: float | None
    unit: str | None
    year: int | None
    per_year: bool
    baseline_year: int | None
    tolerance: float | None
    direction: str | None
    review: bool
    review_reason: str | None
    source_text: str  # the verbatim fragment of the input the target was read from
    rule: str = ""  # the id of the parser rule that produced it (RULES), to trace a wrong target to one rule

    def to_dict(self) -> dict:
        """JSON-friendly dict of all fields."""
        return asdict(self)


# ==================================================================================================
# Normalisation
# ==================================================================================================

# Full-width ASCII (U+FF01..U+FF5E) → ASCII, except the Chinese clause separators we split on.
_KEEP_FULLWIDTH = "，；：！？"
_WIDTH_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH}
_WIDTH_TABLE.update({0x3000: 0x20, 0xFE6A: ord("%"), 0x2212: ord("-"), 0x2236: ord(":")})  # "1∶1.5": RATIO

# PDF-to-text output sometimes keeps LaTeX: "$\geq 80\%$".
_LATEX = (
    (re.compile(r"\\geq?(?![A-Za-z])"), "≥"),
    (re.compile(r"\\leq?(?![A-Za-z])"), "≤"),
    (re.compile(r"\\%"), "%"),
    (re.compile(r"\$"), ""),
)
_WHITESPACE = re.compile(r"\s+")
# A dash or tilde between two numbers (a range): "1.1‰—1.5‰", "0—6岁", "35～45".
_RANGE_DASH = re.compile(r"(?<=[\d%‰万岁])[—–~-]+(?=\d)")
_ASCII_COMMA = re.compile(r"(?<!\d),|,(?!\d)")  # keep thousands separators "1,000"
_ASCII_COLON = re.compile(r"(?<!\d):|:(?!\d)")  # keep ratios "3:2" (and clock times "8:30")
_RATIO_COLON = re.compile(r"(?<=\d)：(?=\d)")  # "２：1" is a ratio, not a clause break


def _drop_space(m: re.Match[str]) -> str:
    """Whitespace survives (as one space) only between two Latin letters ("HPV vaccine")."""
    s, i, j = m.string, m.start(), m.end()
    if 0 < i and j < len(s) and s[i - 1].isascii() and s[i - 1].isalpha() and s[j].isascii() and s[j].isalpha():
        return " "
    return ""


class _Mapped:
    """A text being rewritten, with the span of the original text each of its characters comes from.

    ``starts[i]``/``ends[i]``: the original span of character ``i`` (a replacement's characters all map to the
    span of what they replace), so that a fragment of the normalised text can be given back verbatim.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = list(range(len(text)))
        self.ends = list(range(1, len(text) + 1))

    def sub(self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> None:
        """``pattern.sub(repl, text)`` (a literal ``repl``), keeping the map."""
        parts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        last = 0
        for m in pattern.finditer(self.text):
            a, b = m.span()
            parts.append(self.text[last:a])
            starts.extend(self.starts[last:a])
            ends.extend(self.ends[last:a])
            r = repl if isinstance(repl, str) else repl(m)
            if r and a < b:
                parts.append(r)
                starts.extend([self.starts[a]] * len(r))
                ends.extend([self.ends[b - 1]] * len(r))
            last = b
        parts.append(self.text[last:])
        starts.extend(self.starts[last:])
        ends.extend(self.ends[last:])
        self.text = "".join(parts)
        self.starts, self.ends = starts, ends

    def translate(self, table: dict[int, int]) -> None:
        self.text = self.text.translate(table)  # one character for one: the map is unchanged

    def original(self, start: int, end: int, source: str) -> str:
        """The original text of the normalised span ``[start, end)``."""
        if end <= start:
            return ""
        a, b = self.starts[start], self.ends[end - 1]
        fragment = source[a:b]
        if fragment.count("$") % 2:  # "…率 $\\geq 80\\%$": keep the LaTeX delimiters paired
            if source.count("$", 0, a) % 2 == 0 and "$" in source[b:]:
                b = source.index("$", b) + 1  # the fragment opens a formula: close it
            elif source.count("$", 0, a) % 2:
                a = source.rindex("$", 0, a)  # the fragment starts inside a formula: open it
            fragment = source[a:b]
        return fragment


def _normalize_mapped(mapped: _Mapped) -> _Mapped:
    mapped.translate(_WIDTH_TABLE)
    for pattern, repl in _LATEX:
        mapped.sub(pattern, repl)
    mapped.sub(_WHITESPACE, _drop_space)
    mapped.sub(_RANGE_DASH, "-")
    mapped.sub(_RATIO_COLON, ":")
    mapped.sub(_ASCII_COMMA, "，")
    mapped.sub(_ASCII_COLON, "：")
    mapped.translate({ord(";"): ord("；")})
    return mapped


def normalize(text: str) -> str:
    """Half-width digits, letters and punctuation; no spaces (or hard line breaks) inside the text.

    ``"９８ ％"`` → ``"98%"``, ``"7 岁"`` → ``"7岁"``, ``"7／10万"`` → ``"7/10万"``, ``"$\\geq 80\\%$"`` → ``"≥80%"``.
    The Chinese separators ``，；：`` stay (ASCII ``,;:`` become them), so clauses remain recognisable;
    a colon between two digits is a ratio and becomes ``:`` (``"２：1"`` → ``"2:1"``).
    Idempotent.
    """
    return _normalize_mapped(_Mapped(text)).text


# ==================================================================================================
# Vocabulary
# ==================================================================================================

_NUM = r"\d+(?:\.\d+)?"


def _words(words: object) -> str:
    """A regex alternation of vocabulary words, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))  # type: ignore[call-overload]


_MAGNITUDE = f"(?:{_words(vocab.MAGNITUDES)})"

# Any comparison word (vocab.COMPARISON_VERBS), to tell a noun from a phrase that compares.
_VERB_RE = re.compile(_words(vocab.COMPARISON_VERBS))

# Words that start or end a subject but are not part of the metric.
_LEAD_RE = re.compile(f"^(?:(?!{_words(vocab.KEPT_NAMES)})(?:{_words(vocab.SUBJECT_LEADS)}))+")
_TAIL_RE = re.compile(f"(?:{_words(vocab.SUBJECT_TAILS)})+$")
_COUNT_TAIL_RE = re.compile(f"(?:{_words(vocab.COUNT_SUBJECT_TAILS)})+$")
_PER_UNIT_RE = re.compile(r"以[^，。；以]{1,12}?为单位的?")  # "以街乡为单位" is about how it is counted
_ABBREVIATION_RE = re.compile(r"\((?:以下)?简称[^()]*\)")  # "宫颈癌和乳腺癌(以下简称“两癌”)": a note

_YEAR = r"(?:19|20)\d{2}年"
_YEARS = rf"{_YEAR}(?:(?:{_words(vocab.YEAR_LIST_WORDS)}){_YEAR})*"
_YEAR_NUM_RE = re.compile(r"((?:19|20)\d{2})年")
_BASELINE_RE = re.compile(
    rf"(?P<each>分别)?(?:(?:{_words(vocab.BASELINE_PREPOSITIONS)})(?P<y1>{_YEARS})(?:的)?(?P<kind>{_words(vocab.BASELINE_SUFFIXES)})"
    rf"|(?:{_words(vocab.BASELINE_COMPARATORS)})(?P<y2>{_YEARS}))"
)
_SCOPE = f"(?:{_words(vocab.SCOPE_PREFIXES)})"
_YEAR_ENDING = f"(?:{_words(vocab.YEAR_ENDINGS)})?"
_MILESTONE_RE = re.compile(
    rf"(?:{_words(vocab.SCOPE_ASPIRATIONS)})?(?:{_words(vocab.SCOPE_PREPOSITIONS)})(?P<years>{_YEARS}){_YEAR_ENDING}")
_LEADING_YEAR_RE = re.compile(rf"^{_SCOPE}?(?P<years>{_YEARS}){_YEAR_ENDING}")
_COMPARES = f"(?:{_words(vocab.COMPARISON_VERBS)})"
# "…覆盖率2023年达到80%": a year right before its comparison is its milestone, with no 到 before it
_BARE_MILESTONE_RE = re.compile(rf"(?P<years>{_YEARS}){_YEAR_ENDING}(?=(?:分别|均)?{_COMPARES})")
# "由2020年的79.2岁提高到2025年的80岁": where it starts (no target), and the milestone after the verb
_FROM_VALUE_RE = re.compile(rf"由(?:{_YEAR}的?)?{_NUM}[^\d，。；、]{{0,4}}?(?={_COMPARES})")
_YEAR_AFTER_VERB_RE = re.compile(rf"(?<=[到至])(?P<years>{_YEAR})的")
_UNNAMED_BASELINE_RE = re.compile(_words(vocab.UNNAMED_BASELINES))
_PER_YEAR_RE = re.compile(f"(?:{_words(vocab.PER_YEAR_WORDS)})$")

_LIST_MARKER_RE = re.compile(
    r"^(?:[-•·]\s*)?(?:\d{1,2}[.、](?!\d)|\d{1,2}\)|[(（][一二三四五六七八九十\d]{1,3}[)）]|[①-⑳]|[一二三四五六七八九十]是)")
_RAW_LIST_MARKER_RE = re.compile(
    r"^[ \t\u3000]*(?:[-•·][ \t]*)?"
    # "8.5岁以下儿童…" at the start of a line is item 8: an age is a whole number
    r"(?:[\d０-９]{1,2}[ \t]*[.．、](?![\d０-９])|[\d０-９]{1,2}[)）]|[\d０-９]{1,2}[.．](?=[\d０-９]{1,2}岁)"
    r"|[(（][一二三四五六七八九十\d]{1,3}[)）]|[①-⑳]|[一二三四五六七八九十]是)",
    re.MULTILINE,
)
_SENTENCE_RE = re.compile(r"[^。；！？!?]+")
# "…2023年达到80%、2025年达到90%": a 、 before a year and its comparison starts a clause of its own
_CLAUSE_SPLIT_RE = re.compile(rf"[，：]|、(?=(?:19|20)\d{{2}}年{_YEAR_ENDING}{_COMPARES})")

_MEASURABLE_RE = re.compile(f"(?:{_words(vocab.MEASURABLE_HEADS)})$")
_SHARE_HEAD_RE = re.compile(f"(?:{_words(vocab.SHARE_HEADS)})$")
# A generic head with no subject ("保障覆盖率达到100%"): the indicator is named in another clause.
_GENERIC = f"(?:{_words(vocab.GENERIC_SUBJECTS)})"
_BARE_METRIC_RE = re.compile(
    rf"^(?:.{{0,2}}|{_GENERIC}.{{0,2}})$"
    rf"|^{_GENERIC}?(?:{_words((*vocab.GENERIC_HEADS, *vocab.SHARE_HEADS))})$"
)
# A clause that starts with an action is not a subject for the next clause ("积极培育…组织，至少有1家…").
_VERBISH_RE = re.compile(_words(vocab.ACTION_VERBS))
_PREPOSITION_RE = re.compile(f"^(?:{_words(vocab.PREPOSITIONS)})")
# A head that names no population or service ("覆盖率", "保障覆盖率"): its subject is in the clause before.
_HEAD_ONLY_RE = re.compile(
    f"^(?:{_words(vocab.GENERIC_HEAD_PREFIXES)})?(?:{_words(vocab.GENERIC_HEADS)})$")
_BUILD_OBJECT_RE = re.compile(f"(?:{_words(vocab.BUILD_VERBS)})(?P<obj>[^，。；、]+)$")
_CLAUSE_LEAD_RE = re.compile(
    f"^(?:{_words(vocab.CLAUSE_LEAD_ADVERBS)})*(?:{_words(vocab.CLAUSE_LEAD_VERBS)})")
_QUALITY_TAIL_RE = re.compile(f"(?:{_words(vocab.QUALITY_TAILS)})$")
# "每千名儿童拥有儿科执业(助理)医生": a per-capita prefix shared by the next item of the list.
_PER_CAPITA_RE = re.compile(
    rf"^每[^，。；、每]{{1,10}}?(?:拥有|配备)|^每(?:十万|千|万|百)名?(?:{_words(vocab.PER_CAPITA_BASES)})")
_MORTALITY_RE = re.compile(r"死亡率")
_ITEM_SEP_RE = re.compile(r"、|和|及|与")
_HEAD_START_RE = re.compile(rf"(?<=[表员者部才])中的?|{_words(vocab.HEAD_STARTS)}")
# Words that qualify a shared noun in parallel ("城市、农村社区…", "公办、民办幼儿园…").
_MODIFIER_RE = re.compile(_words(vocab.PARALLEL_MODIFIERS))
_AGE_RE = re.compile(r"\d+(?:-\d+)?岁")
_AGED_POPULATION_RE = re.compile(rf"^\d+(?:-\d+)?岁(?:以下|以上)?(?:{_words(vocab.POPULATIONS)})")
_PERSON_RE = re.compile(f"^(?:{_words(vocab.PERSON_STARTS)})")
_POPULATION_RE = re.compile(
    rf"^(?:\d+(?:-\d+)?岁(?:以下|以上)?)?(?:{_words(vocab.POPULATION_QUALIFIERS)})?(?:{_words(vocab.POPULATIONS)})")

# Count before its noun: "至少各配备1名女干部", "不少于一家儿童福利机构", "改扩建10所公办幼儿园". The words
# before the count are read backwards from the number token (they sit in a TEXT token or are a VERB one).
_COUNT_VERB_END_RE = re.compile(f"(?:{_words(vocab.COUNT_VERBS)})$")
_MINIMUM_END_RE = re.compile(f"(?:{_words(vocab.MINIMUM_WORDS)})$")
_MINIMUM_RE = re.compile(_words(vocab.MINIMUM_WORDS))
_COUNT_NOUN_RE = re.compile(r"[^，。；、\d%‰][^，。；\d]*")  # the counted noun: up to the next number or break
# Count after its noun, at the end of the clause: "改善公办幼儿园办学条件26所", "全区建成儿童友好社区10个以上",
# "新建城区义务教育学校2-3所", "乡镇卫生院儿科医生至少配备2名". Only units of things counted one by one.
_THING_UNIT = f"(?:{_MAGNITUDE}?(?:{_words(vocab.THING_UNITS)}))"
_THING_UNIT_RE = re.compile(_THING_UNIT)
_THING_UNITS = frozenset(m + u for m in ("", *vocab.MAGNITUDES) for u in vocab.THING_UNITS)
# The words before a count at the end of the clause: who, 至少?, the verb, the noun (no number).
_COUNT_AFTER_HEAD_RE = re.compile(
    rf"^(?P<subj>[^，。；]*?)(?P<min>{_words(vocab.MINIMUM_WORDS)})?(?P<verb>{_words(vocab.COUNT_AFTER_VERBS)})"
    r"(?P<noun>[^，。；\d%‰]*)$"
)
_SUBJECT_ADVERB_RE = re.compile(f"^(?:{_words(vocab.SUBJECT_ADVERBS)})+$")

# Share before its noun: "95%的城市社区和85%的农村社区(村)建立…", "一半以上的领导班子配备女干部".
_SHARE_FORMS = ("plain", "percent_words", "share_word")  # "95%", "百分之四十", "一半"; a fraction only qualified
_PREDICATE_RE = re.compile(_words(vocab.SHARE_PREDICATES))

_COVER_VERB_TAIL_RE = re.compile(f"(?:{_words(vocab.COVER_LEADS)})+$")
_COVER_VERB_INSIDE_RE = re.compile(_words(vocab.COVER_VERBS))
_CONDITION_RE = re.compile(r"^在[^，。；]*?(?:前提下|过程中|进程中|工作中|中)")
_GROUP_RE = re.compile(f"(?:{_words(vocab.PEOPLE_GROUPS)})$")
_NUMBER_THEN_VERB_RE = re.compile(_words(vocab.NUMBER_THEN_VERBS))
_CIRCLE_LEAD_RE = re.compile(f"^(?:[、和及与]|{_words(vocab.CIRCLE_LEADS)})+")
_CIRCLE_TAIL_RE = re.compile(f"(?:{_words(vocab.CIRCLE_LEADS)})+$")  # "城市社区全面建成“15分钟健身圈”"
# Trend words, to tell a metric name from a phrase that changes it.
_TREND_WORD_RE = re.compile(_words((*vocab.TREND_UP, *vocab.TREND_DOWN, *vocab.TREND_MAINTAIN)))


# ==================================================================================================
# Small helpers
# ==================================================================================================


def _years(text: str) -> tuple[int, ...]:
    return tuple(int(y) for y in _YEAR_NUM_RE.findall(text))


def _tolerance(value: float, unit: str | None) -> float:
    """Default tolerance for 左右: 5% of the value, at least 0.5 for percentages / percentage points."""
    tol = abs(value) * 0.05
    if unit in ("%", "个百分点"):
        tol = max(tol, 0.5)
    return round(tol, 4)


def _clean_metric(subject: str, keep_frequency: bool = False) -> str:
    """Strip clause words around the noun phrase: "保障全区适龄儿童入园率分别" → "适龄儿童入园率".

    ``keep_frequency`` keeps a trailing 每年/每学期 (it belongs to a count: "学校每年至少安排1次…").
    """
    subject = _ABBREVIATION_RE.sub("", _PER_UNIT_RE.sub("", subject))
    tail = _COUNT_TAIL_RE if keep_frequency else _TAIL_RE
    previous = None
    while previous != subject:
        previous = subject
        subject = _LEAD_RE.sub("", subject)
        subject = tail.sub("", subject)
        subject = subject.strip("，、：\"' ")
        if subject.count("“") != subject.count("”"):  # a quote cut by the clause split
            subject = subject.strip("“”")
    return subject


def _is_measurable(metric: str) -> bool:
    return bool(_MEASURABLE_RE.search(metric))


def _is_noun_list_item(clause: str) -> bool:
    """A clause that is only a metric name (no verb): the first item of a list continued after a comma."""
    metric = _clean_metric(clause)
    return bool(metric) and metric == clause and _is_measurable(metric) and not _VERB_RE.search(metric) \
        and not _TREND_WORD_RE.search(metric)


def _head(item: str) -> str:
    """The shared tail of a list item: "5岁以下儿童死亡率" → "死亡率", "政协委员中的女性比例" → "中的女性比例"."""
    for m in _HEAD_START_RE.finditer(item):
        if m.start() > 0:
            return item[m.start():]
    if item.endswith("率"):
        return item[-3:]
    measurable = _MEASURABLE_RE.search(item)
    return item[measurable.start():] if measurable else ""


def _split_items(metric: str, wanted: int) -> list[str] | None:
    """Split a 分别/均 subject into metrics; None when it cannot be split into ``wanted`` items (0 = any)."""
    if any(level in part[:4] for part in _ITEM_SEP_RE.split(metric)[1:] for level in vocab.LEVELS_TOGETHER):
        return None  # "省、市、县三级人大代表中女性比例": the levels together are one metric
    candidates = [_ITEM_SEP_RE.split(metric)]
    # Only 、 (the "和" may be inside an item), then a parenthesised alternative "社区(村)" → "社区", "村".
    candidates.append(metric.split("、"))
    paren = re.match(r"^(?P<a>[^()]+)\((?P<b>[^()]+)\)(?P<rest>.*)$", metric)
    if paren:
        candidates.append([paren["a"], paren["b"] + paren["rest"]])
    for items in candidates:
        items = [i for i in items if i]
        if len(items) > 1 and (wanted in (0, len(items))):
            return _complete_items(items)
    return None


def _parallel_rest(items: list[str]) -> str | None:
    """The noun the earlier items of a list share with the last one, when they stand in parallel to its start.

    "城市、农村社区儿童之家覆盖率" and "小学、初中班额" (items of one length), "中小学、幼儿园安全防范建设达标率";
    "乡镇(街道)、村(社区)妇女之家覆盖率" (bracketed places); "孕产妇、3岁以下儿童系统管理率" (populations).
    """
    earlier, last = items[:-1], items[-1]
    if all(x.endswith(")") for x in earlier) and ")" in last[:-1]:
        rest = last[last.index(")") + 1:]
        return rest if _is_measurable(rest) else None
    pop = _POPULATION_RE.match(last)
    if pop and all(_POPULATION_RE.fullmatch(x) for x in earlier) and _is_measurable(last[pop.end():]):
        return last[pop.end():]
    ends = {x[-1] for x in earlier}
    if len(ends) == 1 and (at := last.find(ends.pop())) > 0 and _is_measurable(last[at + 1:]) \
            and not _is_measurable(last[:at + 1]) and not _BARE_METRIC_RE.match(last[at + 1:]):
        return last[at + 1:]  # "公办园和普惠性民办园在园幼儿占比": the items end alike (…园)
    lengths = {len(x) for x in earlier}
    if len(lengths) != 1:
        return None
    size = lengths.pop()
    rest = last[size:]
    if len(last) <= size or any(_is_measurable(x) for x in earlier):
        return None
    if all(_MODIFIER_RE.fullmatch(x) for x in [*earlier, last[:size]]):
        return rest
    if not _is_measurable(rest):
        return None
    if _PERSON_RE.match(rest):
        return rest  # "乡镇、街道女干部配备率": then the person the rate is about
    # "中小学、幼儿园安全防范建设达标率": more of the noun than its head ("达标率"), not cut inside a phrase
    # ("区人大代表、政协委员中的女性比例" is cut by 中的; "妇女宫颈癌、乳腺癌早诊率" leaves less than 早诊率)
    return rest if size >= 3 and not rest.startswith(("的", "中")) and len(rest) > len(_head(last)) else None


def _complete_items(items: list[str]) -> list[str]:
    """Give every item the shared head and population prefix of the list."""
    out = []
    parallel = _parallel_rest(items)
    for i, item in enumerate(items):
        # The head comes from the next complete item: "药品、化妆品质量抽检合格率和…" → "药品质量抽检合格率".
        later = [x for x in items[i + 1:] if _is_measurable(x)] or items[-1:]
        head = parallel or _head(later[0])
        if head and not _is_measurable(item) and not item.endswith(head):
            item = item + (head[1:] if item.endswith("中") and head.startswith("中") else head)
        out.append(item)
    qualifier = items[0][:items[0].find("的") + 1]
    if 2 < len(qualifier) <= 12 and _is_measurable(out[0][len(qualifier):]) \
            and all(_is_measurable(x) and "的" not in x for x in out[1:]):
        # "出生缺陷导致的婴儿死亡率、5岁以下儿童死亡率": the qualifier of the first holds for every item
        return [out[0]] + [qualifier + x for x in out[1:]]
    pop = _POPULATION_RE.match(items[0])
    if pop and pop.end() < len(items[0]) and not items[0][pop.end()] == "中":
        prefix = pop.group()
        out = [out[0]] + [i if _POPULATION_RE.match(i) else prefix + i for i in out[1:]]
    return out


# ==================================================================================================
# Values (over tokens)
# ==================================================================================================

_RANGE_WORDS = ("-", "至")  # between the two ends of a range: "1.1‰-1.5‰", "2至3所"
_LIST_WORDS = ("、", "和", "及", "与", "或")  # between the values of a list: "2‰、3‰和4‰以下"
_BARE_YEAR_RE = re.compile(r"(?:19|20)\d{2}年")


def _number_of(tok: Token) -> Number | None:
    """The number a token stands for: a NUMBER, or a bare year ("2020年") read as a value in 年."""
    if tok.kind is Kind.NUMBER:
        return tok.number
    if tok.kind is Kind.YEAR and tok.year is not None and _BARE_YEAR_RE.fullmatch(tok.text):
        return Number(float(tok.year), "年", "plain")
    return None


def _is_value(toks: Sequence[Token], i: int) -> bool:
    return i < len(toks) and _number_of(toks[i]) is not None


@dataclass(frozen=True)
class _Value:
    """One value of a list: the number, the top of a range ("1.1‰-1.5‰") and the qualifier after it."""

    value: float
    unit: str | None
    qual: str | None
    hi: Number | None = None
    raw: str = ""  # the token as written ("3:2")
    form: str = "plain"  # Number.form: "ratio", "fraction", …


def _value_at(toks: Sequence[Token], i: int) -> tuple[_Value, int] | None:
    """[NUMBER] ([-|至] [NUMBER])? [QUAL]? at token ``i``: the value and the index after it."""
    lo = _number_of(toks[i]) if i < len(toks) else None
    if lo is None:
        return None
    j = i + 1
    hi = None
    if j + 1 < len(toks) and toks[j].text in _RANGE_WORDS and (hi := _number_of(toks[j + 1])) is not None:
        j += 2
    qual = None
    if j < len(toks) and toks[j].kind is Kind.QUAL:
        qual, j = toks[j].text, j + 1
    return _Value(lo.value, lo.unit or (hi.unit if hi else None), qual, hi, toks[i].text, lo.form), j


def _list_unit(unit: str | None, last: str | None) -> str | None:
    """A value's unit in a list whose last value carries the unit: "3%和1%", "3个和5个百分点" (个 → 个百分点)."""
    if unit is None or (last is not None and last != unit and last.startswith(unit) and last.endswith("百分点")):
        return last
    return unit


def _read_values(toks: Sequence[Token], i: int) -> tuple[list[_Value], int]:
    """The value list at token ``i`` ("2‰、3‰和4‰以下", "80%以上和82%以上", "1.1‰-1.5‰") and the index after it."""
    values: list[_Value] = []
    while (found := _value_at(toks, i)) is not None:
        value, i = found
        values.append(value)
        if not (i < len(toks) and toks[i].text in _LIST_WORDS and _is_value(toks, i + 1)):
            break
        i += 1
    if values:  # "3%和1%以下", "2‰、3‰和4‰以下": a qualifier or unit written once belongs to the whole list.
        last = values[-1]
        values = [replace(v, qual=v.qual or last.qual, unit=_list_unit(v.unit, last.unit)) for v in values]
    return values, i


# ==================================================================================================
# Clause parsing
# ==================================================================================================


@dataclass(frozen=True)
class _Context:
    """What a clause inherits from the clauses before it in the same sentence (a new one per clause)."""

    years: tuple[int, ...] = ()
    prev_metric: str | None = None
    prev_unit: str | None = None  # unit of the previous target ("…比例至少为3:2，人流量较大的场所提高到2:1")
    prev_clause: str | None = None  # the clause before this one, targets or not ("…得到有效保障，保障覆盖率…")
    prev_count_subject: str | None = None  # "…至少配备1名全科医生，至少配备2名儿童保健医生"
    prev_count_verb: str | None = None  # "建成儿童友好社区100个，儿童友好学校50所"
    dangling: str | None = None  # previous clause that produced no target ("区党委、政府领导班子，应至少…")
    carried_metric: str | None = None  # the last metric before a ；, for a value with no metric at all
    prev_items: tuple[str, ...] = ()  # the metrics of the last value list ("A、B分别…；到2030年，分别…")
    heading: str | None = None  # a metric before a colon, for the places after it ("儿童之家覆盖率：城市社区…")
    baselines: tuple[int, ...] = ()  # a base year in a clause of its own ("以2020年为基数，…下降20%")
    base_kind: str | None = None

    def subject_from_dangling(self) -> str:
        """The previous clause as a subject, when it is a bare noun phrase (no action verb)."""
        if not self.dangling or _VERBISH_RE.search(self.dangling) or _PREPOSITION_RE.match(self.dangling):
            return ""
        return _clean_metric(self.dangling)

    def remember(self, draft: _Draft) -> _Context:
        """This context after a target: the next clause may take its metric and unit."""
        return replace(self, prev_metric=draft.metric, prev_unit=draft.unit)


@dataclass(frozen=True)
class _Draft:
    """A target before its year, base year and source are known."""

    metric: str
    op: str
    value: float | None
    unit: str | None
    reasons: Sequence[str]
    direction: str | None = None
    per_year: bool = False
    rule: str = ""  # the id of the rule that produced it (set by _parse_clause unless the rule is more precise)
    count_subject: str | None = None  # count_before_noun: who counts, for a count without one in the next clause
    count_verb: str | None = None  # count_after_noun: the verb, for a count without one in the next clause


@dataclass(frozen=True)
class _Found:
    """A target of a clause: the draft, its milestone year and base year, and the source fragment."""

    draft: _Draft
    year: int | None
    base: int | None
    source: str


def _fill_metric(subject: str, ctx: _Context, reasons: list[str], *, continued: bool = False,
                 unit: str | None = None) -> str:
    """The metric of a numeric target from the words before its comparison word, helped by the context.

    ``continued``: the subject follows a value of the same clause after 、/和 ("…医生达到1.12名、床位增至3.17张");
    ``unit``: the unit of the target's value.
    """
    metric = _clean_metric(subject)
    if not metric:
        metric = ctx.subject_from_dangling()
    if not metric and ctx.prev_metric:
        metric = ctx.prev_metric
    if not metric and ctx.carried_metric:
        metric = ctx.carried_metric  # "…托位数达到4.5个；到2030年，达到5个"
    per_capita = _PER_CAPITA_RE.match(ctx.prev_metric or "")
    if metric and ctx.heading and not _is_measurable(metric) and _is_plain_noun(metric):
        metric += ctx.heading  # "儿童之家覆盖率：城市社区达到95%以上" → "城市社区儿童之家覆盖率"
    elif metric and ctx.prev_metric and _POPULATION_RE.fullmatch(metric):
        # "小学生每天睡眠时间达到10小时、初中生达到9小时": the new group takes the previous metric's noun.
        pop = _POPULATION_RE.match(ctx.prev_metric)
        if pop and pop.end() < len(ctx.prev_metric):
            metric = metric + ctx.prev_metric[pop.end():]
    elif (metric and ctx.prev_metric and (aged := _AGED_POPULATION_RE.match(ctx.prev_metric))
          and _is_measurable(metric) and _is_plain_noun(metric) and not _POPULATION_RE.match(metric)
          and not _BARE_METRIC_RE.match(metric) and len(metric) <= 6 and unit == ctx.prev_unit):
        # "5岁以下儿童低体重率控制在2%以下，生长迟缓率控制在1.5%以下": a short rate after an aged population's
        # rate is about the same population.
        metric = aged.group() + metric
    elif metric and per_capita and not metric.startswith("每") and _is_plain_noun(metric) and (
            continued or unit == ctx.prev_unit or (unit in vocab.COUNT_UNITS and ctx.prev_unit in vocab.COUNT_UNITS)):
        # "每千名儿童拥有儿科执业(助理)医生达到1.12名、床位增至3.17张": the list shares "每千名儿童拥有";
        # a counted noun is a number of things ("床位" → "床位数").
        count = unit in vocab.COUNT_UNITS
        metric = per_capita.group() + metric + ("数" if count and not _is_measurable(metric) else "")
    elif (metric and unit is not None and unit == ctx.prev_unit and ctx.prev_metric
          and _is_measurable(ctx.prev_metric) and not _is_measurable(metric) and metric not in ctx.prev_metric
          and _is_plain_noun(metric) and not _BARE_METRIC_RE.match(metric)):
        # "女性厕位与男性厕位的比例至少为3:2，人流量较大的场所提高到2:1": a place or group, then a value of the
        # same kind as the previous target's: the previous metric, for that place.
        reasons.append(f"指标名称由“{metric}”加上一个目标的指标名称拼成")
        metric = metric + ctx.prev_metric
    if not metric:
        reasons.append("未找到指标名称")
    elif _BARE_METRIC_RE.match(metric):
        metric = _rebuild_bare(metric, subject, ctx, reasons)
    return metric


def _is_plain_noun(text: str) -> bool:
    """No action verb, no preposition at the start, no number: a noun phrase that may head a metric."""
    return not (_VERBISH_RE.search(text) or _PREPOSITION_RE.match(text) or re.search(r"\d", text))


def _rebuild_bare(metric: str, raw: str, ctx: _Context, reasons: list[str]) -> str:
    """A head without its subject ("覆盖率", "保障覆盖率", "死亡率"), given the subject of the previous clause.

    "孤儿和事实无人抚养儿童的生存…权益得到有效保障，保障覆盖率达到100%" → "孤儿和事实无人抚养儿童保障覆盖率";
    "各镇、街道建立未成年人保护站，覆盖率达到100%" → "未成年人保护站覆盖率";
    "提高宫颈癌和乳腺癌的早诊早治率，降低死亡率" → "宫颈癌和乳腺癌死亡率".
    Left as it is, with review, when that clause names no clear noun phrase.
    """
    if _HEAD_ONLY_RE.match(metric) and ctx.prev_clause:
        subject = _subject_of_clause(ctx.prev_clause)
        if subject:
            # Keep a 保障/服务 that _clean_metric dropped: "保障覆盖率" is the indicator's own name.
            head = re.search(rf"(?:保障|服务)?{re.escape(metric)}$", _TAIL_RE.sub("", raw))
            return subject + (head.group() if head else metric)
    reasons.append(f"指标名称缺少主语：{metric}")
    return metric


def _subject_of_clause(clause: str) -> str:
    """The noun phrase a clause is about, when it is clear: the object of 建立/设立…, else the words before
    its first 的 or quote, after a leading action verb; "" when unclear."""
    built = _BUILD_OBJECT_RE.search(clause)
    if built:
        candidate = built["obj"]
    else:
        text = _CLAUSE_LEAD_RE.sub("", clause)
        cut = re.search(r"的|“|\"", text)
        if not cut:
            return ""
        candidate = text[:cut.start()]
    candidate = _clean_metric(candidate)
    if len(candidate) < 2 or not _is_plain_noun(candidate) or _is_measurable(candidate):
        return ""
    return candidate


def _measurable_part(metric: str) -> str:
    """The measurable half of a mixed list: "…服务质量和覆盖率" → "…服务覆盖率", "…的参保率和待遇水平" →
    "…的参保率"; the metric unchanged otherwise."""
    for sep in reversed(list(re.finditer(r"和|及|与", metric))):
        before, after = metric[:sep.start()], metric[sep.end():]
        if not before or not after:
            continue
        if _HEAD_ONLY_RE.match(after) and not _is_measurable(before):
            stem = _QUALITY_TAIL_RE.sub("", before)
            if stem != before and stem:
                return stem + after
        if (not _is_measurable(metric) and _is_measurable(before) and not _is_measurable(after)
                and len(before) > 4 and not _BARE_METRIC_RE.match(before)):
            return before
    return metric


def _level_op(verb_op: str | None, v: _Value, reasons: list[str]) -> str:
    """Operator of a level target from qualifier, verb and value."""
    if v.qual:
        op = vocab.QUALIFIERS[v.qual]
    elif verb_op in (">=", ">", "<=", "<"):
        op = verb_op
    elif verb_op == "keep":
        op = "≈"
        if not (v.value == 100 and v.unit == "%"):
            reasons.append("“保持在”后没有“以上/以下/左右”：按约等于处理")
    elif verb_op == "share":
        op = ">="
        reasons.append("“占”后没有“以上/以下”：按下限处理")
    else:
        op = ">="
        if not (v.value == 100 and v.unit == "%"):
            reasons.append("没有比较词：按下限处理")
    if v.value == 100 and v.unit == "%" and op in (">=", "≈"):
        op = "=="
    return op


def _value_checks(metric: str, value: float, unit: str | None, reasons: list[str], change: bool) -> None:
    if unit == "%" and value > 100 and not change:
        reasons.append("百分比超过100")
    if not change and unit == "%" and _MORTALITY_RE.search(metric):
        reasons.append("死亡率用%表示（是否应为‰或1/10万？）")


@dataclass(frozen=True)
class _Anchor:
    """Where a comparison is written: its first character, the token of its first value, the comparison word."""

    start: int  # character offset of the comparison (the verb, 在, or the bare value)
    value: int  # index of the first value token
    verb: str = ""  # "" for a bare value ("达标率100%")
    op: str | None = None  # vocab.COMPARISON_VERBS op of the verb
    gap: str = ""  # words between a gap verb and its number ("不低于全市居民人均消费支出的60%")
    per: str = ""  # a per-capita denominator between the verb and the value ("达到每千人口4.5个")
    bound: str | None = None  # a change bounded by a second word: "年均增长不低于10%" (op up, bound >=)


# After the verb, before the value: "托位数达到每千人口4.5个" (the denominator joins the metric). A regex over the
# text: the denominator may be written with digits ("每10万人口") that the tokenizer reads as a number.
_PER_DENOM_RE = re.compile(r"每(?:十万|万|千|百|10万|1000|100)[^\d，。；、]{0,6}?(?=\d)")
_GAP_STOP_RE = re.compile(r"[\d，。；、]")  # a gap between a verb and its number holds no number, no clause break
_MAX_GAP = 16
# Before a bare value: "均98%以上", "达标率100%"; "死亡率为3‰以下" (为 is part of the comparison).
_BARE_BEFORE_RE = re.compile(r"(?:分别|均|率|比例|比率|比重|占比)$")
_BARE_WEI_RE = re.compile(r"(?:率|比例|比率|比重|占比|性别比)为$")


def _token_starting_at(toks: Sequence[Token], pos: int) -> int | None:
    return next((k for k, t in enumerate(toks) if t.start == pos), None)


def _verb_anchor(clause: str, toks: Sequence[Token], i: int) -> _Anchor | None:
    """[VERB] [分别|均|各]? ([NUMBER] | [每千人口…] [NUMBER] | [VERB] [NUMBER] | gap words [NUMBER])."""
    verb = toks[i]
    if verb.op == "share" and clause.startswith("比", verb.end):
        return None  # "占比" is a noun ("女性就业人员占比在45%左右"), not 占 + a share
    j = i + 1
    if j < len(toks) and toks[j].kind is Kind.TEXT and toks[j].text in (*vocab.EACH_WORDS, "各"):
        j += 1  # "达到分别…" is rare but harmless
    if _is_value(toks, j):
        return _Anchor(verb.start, j, verb.text, verb.op)
    if j >= len(toks):
        return None
    per = _PER_DENOM_RE.match(clause, toks[j].start)
    if per and (k := _token_starting_at(toks, per.end())) is not None and _is_value(toks, k):
        return _Anchor(verb.start, k, verb.text, verb.op, per=per.group())
    if toks[j].kind is Kind.VERB and _is_value(toks, j + 1):
        second = toks[j]
        if verb.op in ("up", "down") and second.text in vocab.GAP_VERBS:  # "年均增长不低于10%": a bounded change
            return _Anchor(verb.start, j + 1, verb.text + second.text, verb.op, bound=second.op)
        if verb.op in ("up", "down"):  # "孕期体重增长控制在11.5—16千克": the change is the metric
            return _Anchor(second.start, j + 1, second.text, second.op)
        return _Anchor(verb.start, j + 1, second.text, second.op)  # "达到并保持在≥60%": the second word compares
    if verb.text in vocab.GAP_VERBS or verb.op == "share":
        return _gap_anchor(clause, toks, i, j)
    return None


def _gap_anchor(clause: str, toks: Sequence[Token], i: int, j: int) -> _Anchor | None:
    """A gap verb, words (no number, at most 16 characters), then the number: "不低于全市…的60%", "占新发展党员的…"."""
    verb = toks[i]
    for k in range(j, len(toks)):
        gap = clause[toks[j].start:toks[k].start]
        if len(gap) > _MAX_GAP or _GAP_STOP_RE.search(gap):
            return None
        if gap and _is_value(toks, k):
            if verb.op == "share" and _VERB_RE.search(gap):
                return None
            return _Anchor(verb.start, k, verb.text, verb.op, gap=gap)
    return None


def _numeric_anchor(clause: str, toks: Sequence[Token], first: int) -> _Anchor | None:
    """The earliest comparison at or after token ``first``: a verb and its value, 在 + a qualified value
    ("在3‰左右"), or a bare value right after 分别/均 or the metric noun ("达标率100%", "死亡率为3‰以下")."""
    start = toks[first].start if first < len(toks) else len(clause)
    for i in range(first, len(toks)):
        tok = toks[i]
        if tok.kind is Kind.VERB and (anchor := _verb_anchor(clause, toks, i)) is not None:
            return anchor
        at = tok.end - 1  # 在 ends the words before its value
        if tok.kind is Kind.TEXT and at > start and clause[at] in vocab.QUALIFIED_ONLY_VERBS:
            value = _value_at(toks, i + 1)
            if value and value[0].qual:
                return _Anchor(at, i + 1, clause[at], vocab.QUALIFIED_ONLY_VERBS[clause[at]])
        if tok.start > start and _is_value(toks, i):
            before = clause[start:tok.start]
            if _BARE_BEFORE_RE.search(before):
                return _Anchor(tok.start, i)
            if _BARE_WEI_RE.search(before):
                return _Anchor(tok.start - 1, i)
    return None


def _parse_numeric(c: _Clause) -> list[_Found]:
    """Targets with a number in one clause: every comparison and the value list after it."""
    clause, toks = c.text, c.tokens
    out: list[_Found] = []
    i = 0
    held: int | None = None  # where the subject starts when it holds a comparison of its own
    while i < len(toks):
        anchor = _numeric_anchor(clause, toks, i)
        if anchor is None:
            break
        values, end = _read_values(toks, anchor.value)
        if not values:
            break
        pos, end_pos = toks[i].start if held is None else held, toks[end - 1].end
        subject = clause[pos:anchor.start]
        # A qualifier glued to a noun ("6个月以上婴儿") is a modifier, not a target.
        if not anchor.verb and end_pos < len(clause) and values[-1].qual and clause[end_pos] not in "和、及":
            i = end
            continue
        # "…时间不少于1小时的学校比例达到70%", "工龄不足5年的劳动者…": a comparison that qualifies a noun
        if clause.startswith("的", end_pos) and end_pos + 1 < len(clause) and (
                values[-1].unit not in ("%", "‰") or _is_measurable(_clean_metric(subject))):
            held = pos if held is None else held
            i = end
            continue
        held = None
        reading = _Reading(subject.lstrip("、和及"), anchor, tuple(values), clause[pos:end_pos].lstrip("、和及"),
                           continued=pos > 0 and subject.startswith(("、", "和", "及")))
        out.extend(_targets_from_values(reading, c))
        if out:  # the next comparison of the clause may take this metric ("…达到1.12名、床位增至3.17张")
            c = replace(c, ctx=c.ctx.remember(out[-1].draft))
        i = end
    return out


@dataclass(frozen=True)
class _Reading:
    """One comparison of a clause: the words before it, the anchor, its values and the source fragment."""

    subject: str
    anchor: _Anchor
    values: tuple[_Value, ...]
    source: str
    continued: bool = False  # after a value of the same clause and 、/和 ("…医生达到1.12名、床位增至3.17张")


def _anchor_metric(r: _Reading, c: _Clause, each: bool, reasons: list[str]) -> tuple[str, str]:
    """The metric of a comparison (and its source, which grows when the metric list began a clause earlier)."""
    ctx, a, source = c.ctx, r.anchor, r.source
    metric = _fill_metric(r.subject, ctx, reasons, continued=r.continued, unit=r.values[0].unit)
    if a.per and metric and not metric.startswith("每"):
        metric = a.per + metric  # "每千人口婴幼儿托位数"
    if each and ctx.dangling and metric and _is_noun_list_item(ctx.dangling):
        # "保健食品质量抽检合格率，药品、化妆品质量抽检合格率…均98%以上": the list began a clause earlier.
        metric = f"{_clean_metric(ctx.dangling)}、{metric}"
        source = f"{ctx.dangling}，{source}"
    share = a.op == "share"
    if a.gap and share:
        # "女性党员占新发展党员的百分之四十以上": the share of the whole written between 占 and the number
        metric = f"{metric}{a.verb}{a.gap.removesuffix('的')}比例"
    elif share and metric and not _is_measurable(metric) and r.values[0].unit == "%":
        metric += "比例"  # "女干部占三分之一以上": the share of 女干部
    elif a.gap:
        reasons.append(f"数值相对于另一个量：{a.gap}")
    return metric, source


_TRAILING_EACH_RE = re.compile(f"(?<!年)(?:{_words(vocab.EACH_WORDS)})$")  # "…年均" keeps its 均


def _says_each(subject: str) -> bool:
    """分别 / 均 in a subject ("…覆盖率分别", "各镇均"): one value for each item of its list (not 年均, 人均, 均衡)."""
    for word in vocab.NOT_EACH_WORDS:
        subject = subject.replace(word, "")
    return any(word in subject for word in vocab.EACH_WORDS)


def _metric_items(metric: str, each: bool, n_values: int, n_years: int, n_bases: int) -> list[str]:
    """The metrics the values go to: one, or the items of a 分别/均 list, or complete metrics joined by 和."""
    items = [metric]
    if not each and metric and n_values == 1:
        # "3岁以下儿童系统管理率和7岁以下儿童健康管理率保持在90%以上": complete metrics joined by 和 share a value.
        parts = _ITEM_SEP_RE.split(metric)
        if len(parts) > 1 and all(len(p) >= 4 and _is_measurable(p) for p in parts):
            items = parts
    if each and metric and not (n_values > 1 and n_years == n_values):  # 分别 pairs the years with the values
        wanted = n_values if n_values > 1 and n_years == 1 and n_bases == 1 else 0
        split = _split_items(metric, wanted)
        if split and (n_values in (1, len(split))):
            items = split
    return items


def _mismatch(lists: dict[str, Sequence[object]], each: bool, n: int) -> list[str]:
    """The lists of a 分别 that cannot be paired one to one (n items each, or one)."""
    items, values, years, bases = lists.values()
    bad = [k for k, v in lists.items() if len(v) not in (1, n)] or (
        ["指标"] if len(items) > 1 and (len(years) > 1 or len(bases) > 1) else [])
    if each and len(items) == 1 and len(values) > 1 and len(years) == 1 and len(bases) == 1:
        bad = ["指标"]  # "新生儿、婴儿死亡率分别控制在2‰、3‰和4‰以下": 2 metrics, 3 values
    return bad


def _targets_from_values(r: _Reading, c: _Clause) -> list[_Found]:
    """Pair the metrics, values, years and base years of one comparison into targets."""
    reasons: list[str] = []
    per_year = bool(_PER_YEAR_RE.search(_TRAILING_EACH_RE.sub("", r.subject)))
    each = _says_each(r.subject) or c.each_base
    metric, source = _anchor_metric(r, c, each, reasons)
    years: list[int | None] = list(c.ctx.years) or [None]
    bases: list[int | None] = list(c.baselines) or [None]
    items = _metric_items(metric, each, len(r.values), len(years), len(bases))
    if each and len(r.values) > 1 and len(c.ctx.prev_items) == len(r.values) and not _clean_metric(r.subject) \
            and not c.ctx.subject_from_dangling():
        items = list(c.ctx.prev_items)  # "…A、B、C分别控制在…；到2030年，分别控制在2‰、3‰和4‰以下"
    n = max(len(items), len(r.values), len(years), len(bases))
    lists: dict[str, Sequence[object]] = {"指标": items, "数值": r.values, "年份": years, "基期年份": bases}
    bad = _mismatch(lists, each, n)
    if bad:
        reasons.append(f"“分别”无法一一对应：{'、'.join(bad)}（应有 {n} 个）")
    found: list[_Found] = []
    for i in range(n):
        item = items[i if len(items) == n else 0]
        v = r.values[i if len(r.values) == n else min(i, len(r.values) - 1)]
        year = years[i if len(years) == n else 0]
        base = bases[i if len(bases) == n else 0]
        drafts = _value_drafts(item, v, r.anchor, c.base_kind, list(reasons), per_year)
        found.extend(_Found(d, year, base, source) for d in drafts)
    return found


def _value_drafts(item: str, v: _Value, a: _Anchor, base_kind: str | None, r: list[str],
                  per_year: bool) -> list[_Draft]:
    """The target(s) of one value on one metric: a change, a range (two targets) or a level."""
    if a.op in ("up", "down"):
        # 左右 keeps the change approximate ("年均增长6%左右"): the rules bound its size by the tolerance
        op = vocab.QUALIFIERS.get(v.qual or "", a.bound or ">=")
        if v.hi is not None:  # "年均下降0.5—1个百分点": at least the one, at most the other
            _value_checks(item, v.value, v.unit, r, change=True)
            return [_Draft(item, ">=", v.value, v.unit, list(r), a.op, per_year),
                    _Draft(item, "<=", v.hi.value, v.hi.unit or v.unit, list(r), a.op, per_year)]
        if v.unit == "%" and base_kind not in vocab.FIXED_BASE_SUFFIXES and _SHARE_HEAD_RE.search(item):
            # on a share (…率, 比例) "降低10%" may be points; on anything else it is a relative change
            r.append(f"{a.verb}{v.value:g}%：是相对变化还是百分点？")
        _value_checks(item, v.value, v.unit, r, change=True)
        return [_Draft(item, op, v.value, v.unit, r, a.op, per_year)]
    if v.hi is not None:
        drafts = []
        for op, value, unit in ((">=", v.value, v.unit), ("<=", v.hi.value, v.hi.unit or v.unit)):
            rr = list(r)
            _value_checks(item, value, unit, rr, change=False)
            drafts.append(_Draft(item, op, value, unit, rr, per_year=per_year))
        return drafts
    op = _level_op(a.op, v, r)
    if v.form == "ratio":
        r.append(f"比例 {v.raw} 按 a/b = {v.value:g} 存储（单位：比）")
    elif v.form == "fraction":
        r.append(f"分数 {v.raw} 按 {v.value:g}% 存储")
    _value_checks(item, v.value, v.unit, r, change=False)
    return [_Draft(item, op, v.value, v.unit, r, per_year=per_year)]


def _share_starts(toks: Sequence[Token]) -> list[tuple[int, int, str | None]]:
    """[NUMBER(%)] [QUAL]? 的…: (index of the number, end of the 的, qualifier) for each share before its noun."""
    found = []
    for i, tok in enumerate(toks):
        n = tok.number
        if tok.kind is not Kind.NUMBER or n is None or n.unit != "%":
            continue
        j = i + 1
        qual = toks[j].text if j < len(toks) and toks[j].kind is Kind.QUAL else None
        j += qual is not None
        if n.form not in _SHARE_FORMS and not (n.form == "fraction" and qual):  # "二分之一以上的村…"
            continue
        if j < len(toks) and toks[j].kind is Kind.TEXT and toks[j].text.startswith("的"):
            found.append((i, toks[j].start + 1, qual))
    return found


def _parse_share(c: _Clause) -> list[_Found]:
    """"95%的城市社区和85%的农村社区(村)建立家长学校…" → one share target per noun."""
    clause, toks = c.text, c.tokens
    shares = _share_starts(toks)
    if not shares:
        return []
    first = shares[0][0]
    if first and toks[first - 1].kind is Kind.VERB and toks[first - 1].op != "keep" \
            and _is_measurable(_clean_metric(clause[:toks[first - 1].start])):
        return []  # "…达标率不足50%的县要限期整改": the share qualifies who must act, it is no target
    # "要保持一半以上的…": the verb before the share is not part of the subject
    cut = toks[first - 1].start if first and toks[first - 1].kind is Kind.VERB else toks[first].start
    subject = _clean_metric(clause[:cut]) or c.ctx.subject_from_dangling()
    chunks = [(i, clause[after:toks[nxt[0]].start if nxt else len(clause)], qual)
              for (i, after, qual), nxt in zip(shares, [*shares[1:], None], strict=True)]
    last_text = chunks[-1][1]
    pred = _PREDICATE_RE.search(last_text, 1)
    predicate = last_text[pred.start():] if pred else ""
    out: list[_Found] = []
    for i, text, qual in chunks:
        noun = text[: pred.start()] if (pred and text is last_text) else re.sub(r"(?:和|、|及|与)$", "", text)
        number = toks[i].number
        assert number is not None
        op = vocab.QUALIFIERS.get(qual or "", ">=")
        reasons = ["比例写作“N%的X…”：指标名称系重建"]
        if number.form == "fraction":
            reasons.append(f"分数 {toks[i].text} 按 {number.value:g}% 存储")
        draft = _Draft(f"{subject}{noun}{predicate}比例", ">=" if op == "≈" else op, number.value, number.unit,
                       reasons)
        out.append(_Found(draft, c.year, None, clause))
    return out


def _group_of(metric: str | None, noun: str) -> str:
    """The group a share is taken in, when the share is of ``noun``: ("镇(街道)领导班子中女干部比例", "女干部") →
    "镇(街道)领导班子" (so "…，至少配备一名女干部" counts in that group); else ""."""
    at = (metric or "").rfind("中")
    return metric[:at] if metric and at > 0 and noun and noun in metric[at:] else ""


def _count_prefix(clause: str, toks: Sequence[Token], i: int) -> tuple[int, str | None, str | None]:
    """The words right before a count: ([至少|不少于|最少]? [各]? [count verb]?) → (start, min word, verb)."""
    start = toks[i].start
    verb = _COUNT_VERB_END_RE.search(clause, 0, start)
    if verb:
        start = verb.start()
    each = clause.endswith("各", 0, start)
    start -= each
    minimum = _MINIMUM_END_RE.search(clause, 0, start)
    if minimum:
        start = minimum.start()
    return start, minimum.group() if minimum else None, verb.group() if verb else None


def _parse_count(c: _Clause) -> list[_Found]:
    """"乡镇(街道)党政领导班子中至少各配备1名女干部" → metric "乡镇(街道)党政领导班子配备女干部", >= 1 名.

    [至少|不少于|最少]? [各]? [count verb]? [NUMBER(count unit)] [以上|及以上]? noun; a minimum word or a
    verb is required.
    """
    clause, toks, ctx = c.text, c.tokens, c.ctx
    out: list[_Found] = []
    pos = 0
    previous = ctx.prev_count_subject  # "…至少配备1名全科医生，至少配备2名儿童保健医生"
    listed_verb: str | None = None
    for i, tok in enumerate(toks):
        n = tok.number
        if tok.kind is not Kind.NUMBER or n is None or n.unit not in vocab.COUNT_UNITS or tok.start < pos:
            continue
        if n.form not in ("plain", "chinese"):
            continue
        low = _range_start(toks, i)  # "新建3—5所公办幼儿园": from 3 to 5
        start, minimum, verb = _count_prefix(clause, toks, i - 2 if low else i)
        if not (minimum or verb) and out and clause[pos:tok.start] in _LIST_WORDS:
            # "建成30个以上儿童友好社区、10个以上儿童友好学校": the list goes on with the same verb
            start, minimum, verb, listed = tok.start, None, listed_verb, True
        else:
            listed = False
        if not (minimum or verb) or start < pos:
            continue
        qual = toks[i + 1].text if i + 1 < len(toks) and toks[i + 1].text in vocab.COUNT_QUALIFIERS else None
        noun_at = toks[i + 1 + (qual is not None)].start if i + 1 + (qual is not None) < len(toks) else len(clause)
        noun_m = _COUNT_NOUN_RE.match(clause, noun_at)
        if not noun_m and noun_at == len(clause) and verb and (ctx.prev_metric or "").startswith(verb):
            # "…建成10个儿童友好试点城市，到2030年建成20个以上": the same count again
            noun = (ctx.prev_metric or "")[len(verb):]
        elif not noun_m:
            continue
        else:
            noun = noun_m.group()
        if noun_at + len(noun) < len(clause) and noun[-1] in _LIST_WORDS:  # a number follows: the list goes on
            noun = noun[:-1]
        if noun.startswith(("以上", "以下", "以内", "左右")) or _VERB_RE.match(noun):
            continue  # "不少于1小时以上", "至少1小时达到…": an ordinary threshold, handled elsewhere
        if noun.startswith("的"):
            continue  # "1小时以上的户外活动", "不少于1小时的学校": a modifier of the noun, not a count of it
        pos, listed_verb = noun_at + len(noun), verb
        reasons: list[str] = []
        subject = "" if listed else re.sub(r"[中内]$", "", _clean_metric(clause[:start], keep_frequency=True))
        subject = previous = subject or ctx.subject_from_dangling() or previous or _group_of(ctx.prev_metric, noun)
        if not (minimum or qual) and not _MINIMUM_RE.search(clause[:start]):
            reasons.append("数量前没有“至少/不少于”：按下限处理")
        # "每千名老年人、每百张养老机构床位均拥有1名社会工作者": one count per per-capita denominator.
        parts = subject.split("、")
        subjects = parts if len(parts) > 1 and all(p.startswith("每") and len(p) > 1 for p in parts) else [subject]
        if low is not None:
            reasons = []  # a range bounds the count on both sides
        bounds = ((">=", low), ("<=", n.value)) if low is not None else ((">=", n.value),)
        for subj in subjects:
            metric = f"{subj}{'' if verb in ('有', '拥有') and subj == '' else verb or ''}{noun}"
            for op, value in bounds:
                draft = _Draft(metric, op, value, n.unit, list(reasons), count_subject=subject)
                out.append(_Found(draft, c.year, None, clause[start:]))
    return out


def _range_start(toks: Sequence[Token], i: int) -> float | None:
    """The low end of a count range written "3—5所" / "2至3个" before token i (a number without unit)."""
    if i < 2 or toks[i - 1].text not in _RANGE_WORDS:
        return None
    low = toks[i - 2].number
    return low.value if low is not None and low.unit is None and low.form == "plain" else None


_FREE_EDUCATION_RE = re.compile(r"免费[^，。；\d]{0,10}?教育")
_FREE_EDUCATION_VERB_RE = re.compile(
    f"^(?:{_words(vocab.CLAUSE_LEAD_ADVERBS)})*(?:{_words(vocab.FREE_EDUCATION_VERBS)})")  # "全面实施"


def _parse_free_years(c: _Clause) -> list[_Found]:
    """Years of free schooling: "实施残障儿童12年免费特殊教育" → "残障儿童免费特殊教育年限" >= 12 年.

    [words, no number] [NUMBER(年)] [免费…教育] as the whole clause.
    """
    years = next((t for t in c.tokens if t.number and t.number.unit == "年" and t.number.form == "plain"), None)
    if years is None or years.number is None:
        return []
    head, noun = c.text[:years.start], _FREE_EDUCATION_RE.fullmatch(c.text, years.end)
    if noun is None or re.search(r"\d", head):
        return []
    subject = _clean_metric(_FREE_EDUCATION_VERB_RE.sub("", _LEAD_RE.sub("", head), count=1))
    if not _is_plain_noun(subject):
        return []
    return _at_year([_Draft(f"{subject}{noun.group()}年限", ">=", years.number.value, "年", [])], c)


def _count_at_end(toks: Sequence[Token]) -> tuple[int, Number, Number | None, str | None] | None:
    """[NUMBER] ([-|至] [NUMBER])? in a unit of things, [QUAL]? at the end of the clause.

    (index of the first number token, low, high or None, qualifier); the unit is on the last number.
    """
    k = len(toks) - 1
    qual = toks[k].text if k >= 0 and toks[k].kind is Kind.QUAL else None
    k -= qual is not None
    last = toks[k].number if k >= 0 and toks[k].kind is Kind.NUMBER else None
    if last is None or last.form not in ("plain", "chinese") or not _THING_UNIT_RE.fullmatch(last.unit or ""):
        return None
    low = toks[k - 2].number if k >= 2 and toks[k - 1].text in _RANGE_WORDS else None
    if low is not None and low.unit is None and low.form == "plain":
        return k - 2, replace(low, unit=last.unit), last, qual
    return k, last, None, qual


def _count_list(c: _Clause) -> list[str]:
    """The clause cut after each count of things followed by 、 ("…督导员18名、儿童主任320名")."""
    cuts = [t.start for k, t in enumerate(c.tokens) if t.text == "、" and k and (
        (n := c.tokens[k - 1].number) is not None and n.unit in _THING_UNITS
        or c.tokens[k - 1].kind is Kind.QUAL and k > 1 and (m := c.tokens[k - 2].number) is not None
        and m.unit in _THING_UNITS)]
    bounds = [0, *cuts, len(c.text)]
    return [c.text[a + (a > 0):b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _parse_count_after(c: _Clause) -> list[_Found]:
    """A count written after its noun at the end of the clause.

    "改善公办幼儿园办学条件26所" → "改善公办幼儿园办学条件" >= 26 所 (review: no 至少);
    "全区建成儿童友好社区10个以上" → "建成儿童友好社区" >= 10 个; "新建城区义务教育学校2-3所" → >= 2 and <= 3;
    "乡镇卫生院儿科医生至少配备2名" (the noun before the verb) → "乡镇卫生院儿科医生配备数" >= 2 名.
    """
    parts = _count_list(c)
    if len(parts) > 1:  # "配备儿童督导员18名、儿童主任320名": each count, the later ones with the first's verb
        out: list[_Found] = []
        ctx = c.ctx
        for text in parts:
            found = _parse_count_after(replace(c, text=text, raw=text, ctx=ctx, tokens=tuple(tokenize(text))))
            if not found:
                return []
            out += found
            ctx = replace(ctx, prev_count_verb=found[-1].draft.count_verb)
        return out
    count = _count_at_end(c.tokens)
    if count is None:
        return []
    first, low, high, qual = count
    head = c.text[:c.tokens[first].start]
    m = _COUNT_AFTER_HEAD_RE.match(head)
    minimum = bool(m and m["min"])
    if m and not (_VERB_RE.search(m["noun"]) or _VERB_RE.search(m["subj"])):
        subject = _clean_metric(m["subj"], keep_frequency=True)
        verb, noun = m["verb"], m["noun"]
    elif not m and c.ctx.prev_count_verb and _is_plain_noun(noun := _clean_metric(head)) and noun:
        subject, verb = "", c.ctx.prev_count_verb  # "建成儿童友好社区100个，儿童友好学校50所": the same verb
    else:
        return []
    if _SUBJECT_ADVERB_RE.match(subject) or _VERBISH_RE.search(subject):
        subject = ""  # "积极培育…组织5家": an adverb or an action, not who does it
    if noun:
        metric = f"{subject}{'' if verb in ('有', '拥有') and not subject else verb}{noun}"
    elif subject:
        metric = f"{subject}{verb}{'额' if low.unit and low.unit.endswith('元') else '数'}"  # 发放额, 配备数
    else:
        return []
    if high is not None:
        drafts = [_Draft(metric, ">=", low.value, low.unit, [], count_verb=verb),
                  _Draft(metric, "<=", high.value, low.unit, [], count_verb=verb)]
        return _at_year(drafts, c)
    reasons: list[str] = []
    if not (minimum or qual):
        reasons.append("数量前没有“至少/不少于”：按下限处理")
    op = vocab.QUALIFIERS.get(qual or "", ">=")
    return _at_year([_Draft(metric, op, low.value, low.unit, reasons, count_verb=verb)], c)


# --------------------------------------------------------------------------------------------------
# Rules without a comparison number. Each reads the clause through its own lexicon (tokens.words): the words
# of the vocabulary it needs, as WORD tokens with their roles, and TEXT between them.
# --------------------------------------------------------------------------------------------------


def _span(text: str, toks: Sequence[Token], i: int, j: int) -> str:
    """The source text of tokens i..j-1."""
    return text[toks[i].start:toks[j - 1].end] if i < j else ""


def _back_over(toks: Sequence[Token], end: int, *roles: str, floor: int = 0) -> int:
    """The first index of the run of tokens in ``roles`` that ends before ``end`` (not below ``floor``)."""
    while end > floor and toks[end - 1].has(*roles):
        end -= 1
    return end


def _forward_over(toks: Sequence[Token], start: int, *roles: str) -> int:
    while start < len(toks) and toks[start].has(*roles):
        start += 1
    return start


_COVER_WORDS: Lexicon = (("cover", vocab.FULL_COVER_WORDS), ("not_cover", vocab.FULL_COVER_FALSE_FRIENDS))


def _full_cover_marks(clause: str) -> list[tuple[int, int]]:
    """Spans of 全覆盖 / 全部覆盖 and of 应X尽X ("应保尽保", "应救尽救": every X that should be, is)."""
    marks = [(t.start, t.end) for t in words(clause, _COVER_WORDS) if t.has("cover")]
    ought, every = vocab.EVERY_ONE_MARKS
    for i in range(len(clause) - 3):
        x = clause[i + 1]
        if clause[i] == ought and clause[i + 2] == every and clause[i + 3] == x and x not in "，。；、":
            marks.append((i, i + 4))
    return sorted(marks)


def _parse_full_cover(clause: str, ctx: _Context) -> list[_Draft]:
    """全覆盖 / 应X尽X on a named service, insurance or group: ``== 100%``.

    Not a target: 覆盖 as a verb ("健全覆盖城乡的…体系"), an attribute ("全覆盖的基层残疾人组织"), a slogan in a
    list ("“零拒绝、全覆盖”"), or a subject that is a verb phrase or missing ("在保证质量的前提下实现应配尽配",
    "确保应登尽登" after a clause with a verb). A group of people ("符合条件的妇女应救尽救") is kept as written,
    with review: the indicator (救助覆盖率?) is not named.
    """
    for start, end in _full_cover_marks(clause):
        before, mark = clause[:start], clause[start:end]
        if clause.startswith("的", end) or before.endswith(("、", "“", '"')):
            continue
        subject = _CONDITION_RE.sub("", _COVER_VERB_TAIL_RE.sub("", before))
        metric = _clean_metric(subject)
        if (inside := _COVER_VERB_INSIDE_RE.search(metric)) and inside.start() > 0:
            metric = metric[:inside.start()] + metric[inside.end():]  # "行政村实现健身设施全覆盖"
        reasons: list[str] = []
        if not metric and not subject.strip("，、 "):
            metric = ctx.subject_from_dangling() or ctx.prev_metric or ""
        if not metric or _VERBISH_RE.match(metric) or _PREPOSITION_RE.match(metric) or len(metric) < 2:
            return []
        if mark.startswith(vocab.EVERY_ONE_MARKS[0]) and _GROUP_RE.search(metric):
            reasons.append(f"“{mark}”针对一个群体：指标名称取原文中的群体，未写明具体指标")
        return [_Draft(metric, "==", 100.0, "%", reasons)]
    return []


_ALL_MEET: Lexicon = (("all", vocab.ALL_MEET_WORDS), ("meet", vocab.ALL_MEET_VERBS),
                      ("all_staffed", vocab.ALL_STAFF_WORDS), ("staff", vocab.ALL_STAFF_VERBS),
                      ("slip", (vocab.ALL_STAFF_SLIP,)))


def _all_meet_at(clause: str, toks: Sequence[Token], k: int) -> tuple[str, str, str, str] | None:
    """(subject, verb, standard or object, form) when token k starts "全部达到…标准" (form "meet") or
    "全部配备…" ("staff"; "slip" when 全 is missing: "社区(村)部配备…")."""
    if k + 1 >= len(toks):
        return None
    subject, verb, rest = clause[:toks[k].start], toks[k + 1].text, clause[toks[k + 1].end:]
    if toks[k].has("all") and toks[k + 1].has("meet") and rest.endswith(vocab.STANDARD_WORDS) \
            and not any(ch.isdigit() or ch in "，。；" for ch in rest):
        return subject, verb, rest, "meet"
    slip = toks[k].has("slip") and subject.endswith(")")
    if (toks[k].has("all_staffed") or slip) and toks[k + 1].has("staff") and rest \
            and not any(ch.isdigit() or ch in "，。；、%" for ch in rest):
        return subject, verb, rest, "slip" if slip else "staff"
    return None


def _parse_all_meet(clause: str) -> list[_Draft]:
    """"全区中小学、幼儿园全部达到平安校园建设标准" → ``==`` 100% of "中小学、幼儿园达到平安校园建设标准比例";
    "乡镇(街道)全部配备儿童督导员" → ``==`` 100% of "乡镇(街道)配备儿童督导员比例" (every unit staffed);
    "社区(村)部配备儿童主任" (全 missing after the bracket) is read the same way, with the slip in the reason."""
    toks = words(clause, _ALL_MEET)
    found = next((m for k in range(1, len(toks)) if (m := _all_meet_at(clause, toks, k))), None)
    if found is None:
        return []
    raw_subject, verb, rest, form = found
    subject = _clean_metric(raw_subject)
    if form != "meet":
        # "乡镇(街道)全部配备儿童督导员" → "乡镇(街道)配备儿童督导员比例" == 100%; "各校" → "校", "班子中" → "班子".
        subject = re.sub(r"[中内]$", "", re.sub(r"^各", "", subject))
    if not subject or not _is_plain_noun(subject) or (form != "meet" and not _is_plain_noun(rest)):
        return []
    metric = f"{subject}{verb}{rest}比例"
    if form == "meet":
        return [_Draft(metric, "==", 100.0, "%", ["'全部达到…标准' read as 100%: metric reconstructed"])]
    reasons = [f"“全部{verb}…”按100%处理：指标名称系重建"]
    if form == "slip":
        # Kept as written (source_text "…(村)部配备…"); the reading needs the missing 全 confirmed.
        reasons.insert(0, f"“{subject}”后的“部{verb}”按“全部{verb}”处理（缺“全”字：可能是原文笔误，按原文保留）")
    return [_Draft(metric, "==", 100.0, "%", reasons)]


def _circle_place(clause: str, start: int, floor: int) -> tuple[str, int]:
    """The place written before a service circle that starts at ``start`` ("城市", "中心城区"), and where it starts."""
    begin = start
    while begin > floor and clause[begin - 1] not in vocab.CIRCLE_PLACE_STOPS and not clause[begin - 1].isdigit():
        begin -= 1
    place = clause[begin:start]
    stripped = place.lstrip("、和及与")
    return place, begin + len(place) - len(stripped)


def _parse_circles(clause: str, toks: Sequence[Token]) -> list[tuple[_Draft, str]]:
    """Service-radius standards: "打造中心城区“10分钟急救圈”" → "中心城区急救圈" ``<=`` 10 分钟, with review.

    The plan states the time (or distance) within which a service is reached, not a rate: the value is kept as
    that bound on the place's circle ("城市15分钟社区卫生服务圈" → "城市社区卫生服务圈" <= 15 分钟), and a human
    decides how it is measured (share of residents covered? longest travel time?). A circle with a rate of its own
    ("15分钟健身圈覆盖率达到90%") is that rate's name: the threshold rule reads it.
    """
    out = []
    floor = 0
    for i, tok in enumerate(toks):
        n = tok.number
        if n is None or n.form != "plain" or n.unit not in vocab.RADIUS_UNITS or tok.start < floor:
            continue
        ring = clause.find(vocab.CIRCLE_WORD, tok.end, tok.end + vocab.CIRCLE_NOUN_LENGTH + 1)
        noun = clause[tok.end:ring + 1] if ring >= 0 else ""
        if not noun or any(ch in vocab.CIRCLE_NOUN_STOPS or ch.isdigit() for ch in noun[:-1]):
            continue
        end = ring + 1 + (clause[ring + 1:ring + 2] in vocab.CLOSING_QUOTES)
        if any(t.number and t.number.unit not in vocab.RADIUS_UNITS for t in toks[i + 1:] if t.start >= end):
            return []  # the circle names a rate with its own number
        opening = tok.start - (clause[tok.start - 1:tok.start] in vocab.OPENING_QUOTES if tok.start else 0)
        raw_place, source_start = _circle_place(clause, opening, floor)
        place = _CIRCLE_TAIL_RE.sub("", _CIRCLE_LEAD_RE.sub("", _clean_metric(_CIRCLE_LEAD_RE.sub("", raw_place))))
        if any(ch.isdigit() for ch in place) or len(place) > 12:
            place = ""
        number = clause[tok.start:tok.end - len(n.unit)]
        reason = f"服务半径标准“{number}{n.unit}{noun}”：按到达服务所需的时间或距离处理，≤ {number}{n.unit}"
        out.append((_Draft(f"{place}{noun}", "<=", n.value, n.unit, [reason]), clause[source_start:end]))
        floor = end
    return out


_RELATIVE: Lexicon = (("hedge", vocab.RELATIVE_HEDGES), ("gap", tuple(vocab.GAP_VERBS)))


def _parse_relative(clause: str) -> list[_Draft]:
    """A share compared with another quantity, no number: "各镇党代会女代表比例一般不低于本地党员总数中女性比例".

    Read as ``maintain`` with review: the comparison quantity is another indicator, not a value the target can hold
    (a value is required unless the op is a trend op), so the rules service keeps the share stable and a human
    checks it against that quantity.
    """
    toks = words(clause, _RELATIVE)
    for k, tok in enumerate(toks):
        ref = clause[tok.end:]
        named = ref.endswith(vocab.RELATIVE_HEADS) and len(ref) > min(
            len(h) for h in vocab.RELATIVE_HEADS if ref.endswith(h))
        if not (k and tok.has("gap") and (named or ref in vocab.RELATIVE_REFERENCES)
                and not any(ch.isdigit() or ch in "，。；%‰" for ch in ref)):
            continue
        first_hedge = _back_over(toks, k, "hedge", floor=1)
        metric = _clean_metric(_span(clause, toks, 0, first_hedge))
        if not (metric and _is_measurable(metric) and _is_plain_noun(_AGE_RE.sub("", metric))):
            return []
        reason = f"数值相对于另一个量：{tok.text}{ref}（没有数字；按保持处理，需人工与该量比较）"
        each = _says_each(_span(clause, toks, first_hedge, k))  # "婴儿、5岁以下儿童死亡率均低于…"
        items = (_split_items(metric, 0) if each else None) or [metric]
        return [_Draft(item, "maintain", None, None, [reason]) for item in items]
    return []


_FAIR_SHARE: Lexicon = (("verb", vocab.FAIR_SHARE_VERBS), ("fair", vocab.FAIR_WORDS),
                        ("head", vocab.FAIR_SHARE_HEADS), ("lead", vocab.FAIR_SHARE_LEADS), ("of", ("的",)))


def _parse_fair_share(clause: str) -> list[_Draft]:
    """"中国共产党女党员保持合理比例" → "中国共产党女党员比例" ``maintain``, with review (like 趋于合理);
    "保证职工代表大会中女性的合理比例" (the verb first) the same."""
    toks = words(clause, _FAIR_SHARE)
    n = len(toks)
    if n < 3 or not toks[-1].has("head"):
        return []
    head = toks[-1].text
    found: tuple[str, str, str] | None = None
    fair = n - 2 - toks[-2].has("of")  # subject, verb, 合理, 的?, 比例
    if fair >= 2 and toks[fair].has("fair") and toks[fair - 1].has("verb"):
        found = _span(clause, toks, 0, fair - 1), toks[fair - 1].text, toks[fair].text
    elif toks[-2].has("fair"):  # (lead)*, verb, object, 的?, 合理比例
        verb = _forward_over(toks, 0, "lead")
        end = n - 2 - toks[-3].has("of")
        if verb < end - 1 and toks[verb].has("verb"):
            found = _span(clause, toks, verb + 1, end), toks[verb].text, toks[-2].text
    if found is None:
        return []
    subject, verb_text, norm = _clean_metric(found[0]), found[1], found[2]
    if len(subject) < 2 or not _is_plain_noun(subject):
        return []
    reason = f"{verb_text}{norm}{head}：表示一种正常状态，不是数字也不是方向；按保持处理"
    return [_Draft(f"{subject}{head}", "maintain", None, None, [reason])]


_SLOWED_RISE: Lexicon = (("adverb", vocab.TREND_ADVERBS), ("rise", vocab.RISE_WORDS),
                         ("trend", vocab.RISING_TREND_NOUNS), ("momentum", vocab.RISING_MOMENTUM_NOUNS),
                         ("curb", vocab.RISING_TREND_VERBS))


def _rising_noun_start(toks: Sequence[Token], end: int) -> int | None:
    """Where "…上升趋势" / "…增长势头" ending before ``end`` starts (趋势 may stand alone, 势头 may not)."""
    if end >= 1 and toks[end - 1].has("trend"):
        return end - 1 - (end >= 2 and toks[end - 2].has("rise"))
    if end >= 2 and toks[end - 1].has("momentum") and toks[end - 2].has("rise"):
        return end - 2
    return None


def _parse_slowed_rise(clause: str, ctx: _Context) -> list[_Draft]:
    """"…上升趋势" / "…增长势头" being controlled or slowed: a decrease of the metric.

    "有效遏制青少年吸烟率上升趋势" (the verb first) and "超重肥胖增长势头明显放缓" (the verb last)."""
    toks = words(clause, _SLOWED_RISE)
    n = len(toks)
    metric_text = None
    verb_at = _forward_over(toks, 0, "adverb")
    if verb_at < n and toks[verb_at].has("curb"):
        start = _rising_noun_start(toks, n)
        if start is not None and start > verb_at + 1:
            metric_text = _span(clause, toks, verb_at + 1, start)
    if metric_text is None and n >= 2 and toks[-1].has("curb"):
        start = _rising_noun_start(toks, _back_over(toks, n - 1, "adverb"))
        if start is not None and start >= 1:
            metric_text = _span(clause, toks, 0, start)
    if metric_text is None:
        return []
    reasons: list[str] = []
    metric = _fill_metric(metric_text.removesuffix("的"), ctx, reasons)  # "…疾病发生的上升趋势"
    # "失眠现患率、焦虑障碍患病率、抑郁症患病率上升趋势减缓": each complete metric of a list
    return [_Draft(item, "decrease", None, None, reasons) for item in _complete_metrics(metric)]


# 保持稳定 is 保持 + 稳定 here (a norm verb and its state), not the adverb of "保持稳定增长".
_TOWARDS_NORM: Lexicon = (
    ("adverb", tuple(a for a in vocab.TREND_ADVERBS if not a.startswith(vocab.NORM_VERBS))),
    ("verb", vocab.NORM_VERBS), ("norm", vocab.NORM_STATES), ("noun", vocab.NORM_NOUNS),
)


def _parse_norm_trend(clause: str) -> list[_Draft]:
    """Towards a norm that is no number ("出生人口性别比趋于正常"): maintain, with review unless 稳定."""
    toks = words(clause, _TOWARDS_NORM)
    end = len(toks) - (bool(toks) and toks[-1].has("noun"))
    if end < 3 or not toks[end - 1].has("norm") or not toks[end - 2].has("verb"):
        return []
    verb, norm = toks[end - 2], toks[end - 1]
    metric = _clean_metric(_span(clause, toks, 0, _back_over(toks, end - 2, "adverb", floor=1)))
    if not (metric and _is_measurable(metric) and not any(ch.isdigit() for ch in metric)):
        return []
    reasons = []
    if not (norm.text == "稳定" or (norm.text in ("平衡", "均衡") and verb.text.startswith("保持"))):
        # The plan names a normal state, not a level or a direction: keep it stable, and have it looked at.
        reasons.append(f"{clause[verb.start:]}：表示一种正常状态，不是数字也不是方向；按保持处理")
    return [_Draft(metric, "maintain", None, None, reasons)]


_TREND: Lexicon = (("adverb", vocab.TREND_ADVERBS), ("up", vocab.TREND_UP), ("down", vocab.TREND_DOWN),
                   ("maintain", vocab.TREND_MAINTAIN), ("lead", vocab.TREND_LEADS), ("done", ("了",)))


def _parse_trend_after(clause: str, ctx: _Context) -> list[_Draft]:
    """A measurable metric, then its trend verb: "城乡儿童健康差距进一步缩小", "…管理率逐年上升" (per year)."""
    toks = words(clause, _TREND)
    end = len(toks) - (bool(toks) and toks[-1].has("done"))
    if end < 2 or not toks[end - 1].has("up", "down", "maintain"):
        return []
    first_adverb = _back_over(toks, end - 1, "adverb", floor=1)
    return _trend(_span(clause, toks, 0, first_adverb), toks[end - 1], toks[first_adverb:end - 1], "subj", ctx)


def _parse_trend_before(clause: str, ctx: _Context) -> list[_Draft]:
    """A trend verb, then its measurable metric(s): "持续提高孕产妇系统管理率", "逐步提高A和B" (two)."""
    toks = words(clause, _TREND)
    first_adverb = _forward_over(toks, 0, "lead")
    at = _forward_over(toks, first_adverb, "adverb")
    if at >= len(toks) - 1 or not toks[at].has("up", "down"):
        return []
    return _trend(clause[toks[at].end:], toks[at], toks[first_adverb:at], "obj", ctx)


def _trend(raw: str, verb: Token, adverbs: Sequence[Token], side: str, ctx: _Context) -> list[_Draft]:
    op = "maintain" if verb.has("maintain") else ("increase" if verb.has("up") else "decrease")
    per_year = any(a.text in vocab.PER_YEAR_WORDS for a in adverbs)
    metric = _measurable_part(_clean_metric(raw))
    if not metric and ctx.prev_metric and side == "subj":
        metric = ctx.prev_metric  # "…达到4.5个，以后保持稳定增长"
    if not (metric and _is_measurable(metric)):
        return []
    reasons: list[str] = []
    if _BARE_METRIC_RE.match(metric):
        return [_Draft(_rebuild_bare(metric, raw, ctx, reasons), op, None, None, reasons, per_year=per_year)]
    return [_Draft(item, op, None, None, [], per_year=per_year) for item in _complete_metrics(metric)]


def _complete_metrics(metric: str) -> list[str]:
    """"A和B" when A and B are both complete metrics ("3岁以下儿童系统管理率和7岁以下儿童健康管理率",
    "村(居)委会成员中的女性比例和村(居)委会主任中的女性比例"); else the metric alone."""
    parts = _ITEM_SEP_RE.split(metric)
    if len(parts) > 1 and all(len(p) >= 4 and _is_measurable(p) and not _BARE_METRIC_RE.match(p) for p in parts):
        return parts
    return [metric]


def _strip_years(clause: str) -> tuple[str, tuple[int, ...], tuple[int, ...], str | None, bool, bool]:
    """Remove base-year and milestone phrases.

    Returns (clause, years, base years, base kind, 分别 on base, whether the years lead the clause).
    """
    baselines: tuple[int, ...] = ()
    kind = None
    each = False
    b = _BASELINE_RE.search(clause)
    if b:
        baselines = _years(b["y1"] or b["y2"])
        kind = b["kind"] or "比"
        each = bool(b["each"])
        clause = clause[:b.start()] + clause[b.end():]
    clause = _UNNAMED_BASELINE_RE.sub("", clause)  # "较上届有所提高": the trend is the target
    years: tuple[int, ...] = ()
    clause = _FROM_VALUE_RE.sub("", clause)
    if after_verb := _YEAR_AFTER_VERB_RE.search(clause):
        return (clause[:after_verb.start()] + clause[after_verb.end():], _years(after_verb["years"]), baselines, kind,
                each, False)
    m = _LEADING_YEAR_RE.match(clause) or _MILESTONE_RE.search(clause) or _BARE_MILESTONE_RE.search(clause)
    leading = bool(m and m.start() == 0)
    if m:
        years = _years(m["years"])
        clause = clause[:m.start()] + clause[m.end():]
    return clause, years, baselines, kind, each, leading


# A clause longer than this is no target (the longest in the seed texts has about 400 characters); the forms are
# tried by regular expressions whose cost grows with the square of the clause, so a longer one is not parsed.
MAX_CLAUSE_CHARS = 1000


def _parse_sentence(sentence: str, carried: _Context) -> tuple[list[ParsedTarget], _Context]:
    """The targets of one sentence, and what the next sentence after a ； inherits.

    ``carried``: from the part of the same 。-sentence before a ；: the years set by a leading "到2027年" (they
    hold for every clause until another year leads one) and the last metric ("…托位数达到4.5个；到2030年，达到5个").
    """
    ctx = _Context(years=carried.years, carried_metric=carried.carried_metric, prev_items=carried.prev_items)
    out: list[ParsedTarget] = []
    end = -1
    for n, raw_clause in enumerate(_CLAUSE_SPLIT_RE.split(sentence)):
        end += len(raw_clause) + 1  # where the separator after this clause is
        if not raw_clause or len(raw_clause) > MAX_CLAUSE_CHARS:
            continue
        clause, years, baselines, base_kind, each_base, leading = _strip_years(raw_clause)
        if years and (not clause.strip("，、 ") or (leading and (n == 0 or ctx.years))):
            # "到2025年和2030年，…", "到2027年全面推行…，…率达到75%": the years of this clause and those after
            # it, until another year leads a clause. "A到2025年…，到2030年…" (a milestone series after the
            # metric) keeps each year to its clause.
            ctx = replace(ctx, years=years)
            if not clause.strip("，、 "):
                continue
        if baselines and not clause.strip("，、 "):
            ctx = replace(ctx, baselines=baselines, base_kind=base_kind)  # for the clauses after it
            continue
        if re.match(r"^(?:以后|此后|之后)", clause):
            ctx = replace(ctx, years=())  # "…达到4.5个，以后保持稳定增长": after the milestone
        # an inline "到2030年" holds for this clause only
        found = _parse_clause(clause, raw_clause, replace(ctx, years=years or ctx.years), baselines or ctx.baselines,
                              base_kind if baselines else ctx.base_kind, each_base)
        if clause != raw_clause:  # show the stripped year / base-year words too
            found = [replace(f, source=raw_clause) if f.source in clause else f for f in found]
        out.extend(_finish(f) for f in found)
        if found:
            last = found[-1].draft
            ctx = replace(ctx.remember(last), dangling=None,
                          prev_items=tuple(dict.fromkeys(f.draft.metric for f in found)),
                          prev_count_subject=last.count_subject if last.count_subject is not None
                          else ctx.prev_count_subject, prev_count_verb=last.count_verb)
        else:
            ctx = replace(ctx, dangling=clause)
            heading = _clean_metric(clause)
            if sentence[end:end + 1] == "：" and _is_measurable(heading) and _is_plain_noun(heading):
                ctx = replace(ctx, heading=heading)
        ctx = replace(ctx, prev_clause=clause)
    return out, _Context(years=ctx.years, carried_metric=ctx.prev_metric or ctx.carried_metric,
                         prev_items=ctx.prev_items)


@dataclass(frozen=True)
class _Clause:
    """One clause as the rules see it: its text (year words removed), the raw text and what it inherits."""

    text: str
    raw: str
    ctx: _Context
    baselines: tuple[int, ...]
    base_kind: str | None
    each_base: bool
    tokens: tuple[Token, ...]  # tokenize(text)

    @property
    def year(self) -> int | None:
        return self.ctx.years[0] if len(self.ctx.years) == 1 else None




@dataclass(frozen=True)
class Rule:
    """One way a target is written. ``read`` gives the targets of a clause in this form, or [] if it is not.

    ``cases``: sentences in this form and the targets (metric, op, value, unit) it must give; every target
    records the id of the rule that produced it (``ParsedTarget.rule``).
    """

    id: str
    priority: int  # lower first; the first rule that gives targets for a clause wins
    read: Callable[[_Clause], list[_Found]]
    cases: tuple[tuple[str, tuple[tuple[str, str, float | None, str | None], ...]], ...]


def _at_year(drafts: list[_Draft], c: _Clause, source: str | None = None) -> list[_Found]:
    return [_Found(d, c.year, None, source if source is not None else c.raw) for d in drafts]


def _with_sources(found: list[tuple[_Draft, str]], c: _Clause) -> list[_Found]:
    return [_Found(d, c.year, None, src) for d, src in found]


def _read_number_then_verb(c: _Clause) -> list[_Found]:
    """"学校教室照明卫生条件100%达标": [NUMBER(%)] then the verb it measures."""
    toks = c.tokens
    for tok in toks:
        n = tok.number
        # the verb is read from the text: the tokenizer may cut it ("达标" → VERB 达 + 标)
        verb = _NUMBER_THEN_VERB_RE.match(c.text, tok.end)
        if n is None or n.unit != "%" or n.form != "plain" or not verb:
            continue
        reasons: list[str] = []
        metric = _fill_metric(c.text[:tok.start], c.ctx, reasons) + verb.group()
        return _at_year([_Draft(metric, "==" if n.value == 100 else ">=", n.value, n.unit, reasons)], c)
    return []


RULES: tuple[Rule, ...] = tuple(sorted((
    Rule("service_radius", 10, lambda c: _with_sources(_parse_circles(c.text, c.tokens), c), (
        ("构建城区“10分钟急救圈”", (("城区急救圈", "<=", 10.0, "分钟"),)),
    )),
    Rule("share_before_noun", 20, _parse_share, (
        ("80%的行政村建立妇女之家", (("行政村建立妇女之家比例", ">=", 80.0, "%"),)),
        ("百分之四十以上的社区配备儿童督导员", (("社区配备儿童督导员比例", ">=", 40.0, "%"),)),
        ("一半以上的领导班子配备女干部", (("领导班子配备女干部比例", ">=", 50.0, "%"),)),
    )),
    Rule("count_before_noun", 30, _parse_count, (
        ("各镇（街）至少建设1所普惠性幼儿园", (("各镇(街)建设普惠性幼儿园", ">=", 1.0, "所"),)),
        ("建成120个以上社区儿童之家", (("建成社区儿童之家", ">=", 120.0, "个"),)),
        ("领导班子中有一名以上女干部", (("领导班子有女干部", ">=", 1.0, "名"),)),
        ("每个县新建3—5所公办幼儿园", (
            ("每个县新建公办幼儿园", ">=", 3.0, "所"), ("每个县新建公办幼儿园", "<=", 5.0, "所"))),
        ("建成30个以上儿童友好社区、10个以上儿童友好学校", (
            ("建成儿童友好社区", ">=", 30.0, "个"), ("建成儿童友好学校", ">=", 10.0, "个"))),
    )),
    Rule("threshold", 40, _parse_numeric, (
        ("常住人口控制在260万人以内", (("常住人口", "<=", 260.0, "万人"),)),
        ("总投入不少于1.5亿元", (("总投入", ">=", 1.5, "亿元"),)),
        ("户籍人口自然增长率在3‰左右", (("户籍人口自然增长率", "≈", 3.0, "‰"),)),
        ("家庭人均卫生支出负担降低10%", (("家庭人均卫生支出负担", ">=", 10.0, "%"),)),
        ("近视率每年降低0.8个百分点以上", (("近视率", ">=", 0.8, "个百分点"),)),
    )),
    Rule("number_then_verb", 50, _read_number_then_verb, (
        ("学校教室照明卫生条件100%达标", (("学校教室照明卫生条件达标", "==", 100.0, "%"),)),
    )),
    Rule("free_education_years", 55, _parse_free_years, (
        ("实施残障儿童 12 年免费特殊教育", (("残障儿童免费特殊教育年限", ">=", 12.0, "年"),)),
        ("推行15年免费基础教育", (("免费基础教育年限", ">=", 15.0, "年"),)),
    )),
    Rule("count_after_noun", 60, _parse_count_after, (
        ("全区建成儿童友好社区10个以上", (("建成儿童友好社区", ">=", 10.0, "个"),)),
    )),
    Rule("all_meet", 70, lambda c: _at_year(_parse_all_meet(c.text), c), (
        ("全区托育机构全部达到国家标准", (("托育机构达到国家标准比例", "==", 100.0, "%"),)),
    )),
    Rule("full_cover", 80, lambda c: _at_year(_parse_full_cover(c.text, c.ctx), c), (
        ("实现村级儿童之家全覆盖", (("村级儿童之家", "==", 100.0, "%"),)),
    )),
    Rule("relative_no_number", 90, lambda c: _at_year(_parse_relative(c.text), c), (
        ("女性参保率不低于全市平均水平", (("女性参保率", "maintain", None, None),)),
        ("女性参保率大于全市平均水平", (("女性参保率", "maintain", None, None),)),  # any gap verb of the vocabulary
        ("婴儿、5岁以下儿童死亡率均低于全省平均水平", (
            ("婴儿死亡率", "maintain", None, None), ("5岁以下儿童死亡率", "maintain", None, None))),
    )),
    Rule("fair_share", 100, lambda c: _at_year(_parse_fair_share(c.text), c), (
        ("保持妇联执委中女性的合理比例", (("妇联执委中女性比例", "maintain", None, None),)),
    )),
    Rule("slowed_rise", 110, lambda c: _at_year(_parse_slowed_rise(c.text, c.ctx), c), (
        ("有效遏制青少年吸烟率上升趋势", (("青少年吸烟率", "decrease", None, None),)),
        ("超重肥胖增长势头明显放缓", (("超重肥胖", "decrease", None, None),)),
        ("焦虑障碍患病率、抑郁症患病率上升趋势减缓", (
            ("焦虑障碍患病率", "decrease", None, None), ("抑郁症患病率", "decrease", None, None))),
    )),
    Rule("towards_norm", 120, lambda c: _at_year(_parse_norm_trend(c.text), c), (
        ("出生人口性别比趋于正常", (("出生人口性别比", "maintain", None, None),)),
        ("出生人口性别比保持稳定", (("出生人口性别比", "maintain", None, None),)),
        ("剖宫产率控制在合理水平", (("剖宫产率", "maintain", None, None),)),
    )),
    Rule("trend_after_metric", 130, lambda c: _at_year(_parse_trend_after(c.text, c.ctx), c), (
        ("城乡儿童健康差距进一步缩小", (("城乡儿童健康差距", "decrease", None, None),)),
        ("女性参与基层治理的比例较上届有所提高", (("女性参与基层治理的比例", "increase", None, None),)),
        ("孕产妇系统管理率逐年上升", (("孕产妇系统管理率", "increase", None, None),)),
        ("未成年人犯罪率稳中有降", (("未成年人犯罪率", "decrease", None, None),)),
        ("男女两性平均预期寿命差距持续缩小", (("男女两性平均预期寿命差距", "decrease", None, None),)),
    )),
    Rule("trend_before_metric", 140, lambda c: _at_year(_parse_trend_before(c.text, c.ctx), c), (
        ("逐步提高村（居）委会成员中的女性比例和村（居）委会主任中的女性比例", (
            ("村(居)委会成员中的女性比例", "increase", None, None),
            ("村(居)委会主任中的女性比例", "increase", None, None))),
    )),
), key=lambda r: r.priority))


def _parse_clause(clause: str, raw_clause: str, ctx: _Context, baselines: tuple[int, ...],
                  base_kind: str | None, each_base: bool) -> list[_Found]:
    """The targets of one clause: those of the first rule (by priority) that reads it."""
    c = _Clause(clause, raw_clause, ctx, baselines, base_kind, each_base, tuple(tokenize(clause)))
    for rule in RULES:
        found = rule.read(c)
        if found:
            return [replace(f, draft=replace(f.draft, rule=f.draft.rule or rule.id)) for f in found]
    return []


def _finish(f: _Found) -> ParsedTarget:
    d, year, base, source = f.draft, f.year, f.base, f.source
    tolerance = _tolerance(d.value, d.unit) if d.op == "≈" and d.value is not None else None
    reasons = list(dict.fromkeys(d.reasons))
    return ParsedTarget(
        metric=d.metric, op=d.op, value=d.value, unit=d.unit if d.value is not None else None, year=year,
        per_year=d.per_year, baseline_year=base, tolerance=tolerance, direction=d.direction,
        review=bool(reasons), review_reason="；".join(reasons) if reasons else None, source_text=source,
        rule=d.rule,
    )


def parse_targets(text: str) -> list[ParsedTarget]:
    """All numeric and trend targets of one goal or measure text (one or more sentences); [] if qualitative."""
    # List markers go before normalisation: "8. 5 岁以下儿童…" must not become "8.5岁以下儿童…".
    mapped = _Mapped(text)
    mapped.sub(_RAW_LIST_MARKER_RE, "")
    _normalize_mapped(mapped)
    out: list[ParsedTarget] = []
    carried = _Context()
    for m in _SENTENCE_RE.finditer(mapped.text):
        if m.start() == 0 or mapped.text[m.start() - 1] != "；":
            # a year leading a sentence holds across its ；, not past its 。; the last metric does ("…新生儿死亡率
            # 降至3‰以下。到2030年，降至2.5‰以下")
            carried = _Context(carried_metric=carried.carried_metric, prev_items=carried.prev_items)
        raw = m.group()
        stripped = raw.lstrip("，、 ")
        offset = m.start() + len(raw) - len(stripped)
        marker = _LIST_MARKER_RE.match(stripped)
        if marker:
            offset += marker.end()
        sentence = stripped[marker.end() if marker else 0:].rstrip("，、 ")
        if sentence:
            targets, carried = _parse_sentence(sentence, carried)
            out.extend(_verbatim_sources(targets, sentence, offset, mapped, text))
    return out


def _verbatim_sources(targets: list[ParsedTarget], sentence: str, offset: int, mapped: _Mapped,
                      text: str) -> list[ParsedTarget]:
    """Give each target the verbatim fragment of ``text`` its (normalised) source comes from.

    The source is looked for in the sentence after the previous target's, else it is the previous target's
    (the targets of one value list share their source), else anywhere in the sentence; a source joined from two
    clauses ("…合格率，药品…均98%以上") spans from its first clause to its last. Kept normalised if not found.
    """
    out = []
    cursor = 0
    last: tuple[str, tuple[int, int] | None] | None = None
    for t in targets:
        span = _find_span(sentence, t.source_text, cursor, anywhere=False)
        if span is None and last and last[0] == t.source_text:
            span = last[1]
        if span is None:
            span = _find_span(sentence, t.source_text, 0, anywhere=True)
        last = (t.source_text, span)
        if span is None:
            out.append(t)
            continue
        start, end = span
        cursor = end
        out.append(replace(t, source_text=mapped.original(offset + start, offset + end, text)))
    return out


def _find_span(sentence: str, source: str, cursor: int, anywhere: bool) -> tuple[int, int] | None:
    """Where ``source`` is in ``sentence`` at or after ``cursor`` (``anywhere``: or before it)."""
    starts = (cursor, 0) if anywhere else (cursor,)
    for frm in starts:
        i = sentence.find(source, frm)
        if i >= 0:
            return i, i + len(source)
    pieces = [p for p in _CLAUSE_SPLIT_RE.split(source) if p]
    if len(pieces) > 1:
        for frm in starts:
            i = sentence.find(pieces[0], frm)
            j = sentence.find(pieces[-1], i + len(pieces[0])) if i >= 0 else -1
            if i >= 0 and j >= 0:
                return i, j + len(pieces[-1])
    return None

