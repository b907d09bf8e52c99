"""Breakdowns: by which sex, age group and area one reported value of an indicator is counted.

Pure module: no I/O, no database, no web. An observation is one value of an indicator; its :class:`Breakdown`
says which part of the population it covers: ``sex`` (total, female, male), ``area`` (all, urban, rural) and
``age_group`` (``all`` or a label such as ``0-5岁``). A value with every dimension at its total value is *the
total*; a value that differs from another only in one dimension is one of that dimension's *parts*.

Sex and area have a fixed, complete set of parts (female + male, urban + rural are the whole). Age groups are
open: labels come from the plans and their statistics, overlap (``0-3岁`` lies within ``0-6岁``) and never
provably add up to the whole, so a set of age groups is never known to be complete.

Age-group labels are written many ways (``0～28天``, ``0至28天``, ``０－２８天``); :func:`normalise_age_group` gives
the one spelling that is stored and compared, without changing what the label means (``5岁以下`` stays
``5岁以下``, it does not become ``0-5岁``). :data:`AGE_GROUPS` is the controlled list of the age groups the
women's and children's development plans (中国妇女/儿童发展纲要（2021—2030年）and the district plans under them)
and their statistics (妇幼卫生年报, 教育统计, the census) use.
"""

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Self

from app.core.i18n import N_, t

__all__ = [
    "AGE_GROUPS",
    "AREAS",
    "DIMENSIONS",
    "PARTS_COMPLETE",
    "SEXES",
    "TOTALS",
    "Breakdown",
    "age_span",
    "dimension_label",
    "normalise_age_group",
    "part_label",
]

DIMENSIONS = ("sex", "age", "area")
TOTALS = {"sex": "total", "age": "all", "area": "all"}
# Dimensions whose parts, all present, are the whole: female + male = total, urban + rural = all.
# Age is absent on purpose: age groups are open (see the module docstring).
PARTS_COMPLETE = {"sex": {"female", "male"}, "area": {"urban", "rural"}}
SEXES = ("total", "female", "male")
AREAS = ("all", "urban", "rural")

# Breakdown field of each dimension ("age" is stored as age_group).
_FIELDS = {"sex": "sex", "age": "age_group", "area": "area"}

# The age groups of the plans' indicators and of the statistics behind them, normalised, youngest first.
AGE_GROUPS: tuple[str, ...] = (
    "0-28天",  # neonatal (新生儿死亡率, 新生儿访视)
    "0-6个月",  # 6个月内纯母乳喂养率
    "0-1岁",  # infants (婴儿死亡率)
    "1岁以下",
    "0-3岁",  # 3岁以下婴幼儿 (托育服务, 系统管理率)
    "3岁以下",
    "0-5岁",
    "5岁以下",  # 5岁以下儿童死亡率, 低体重/生长迟缓率
    "0-6岁",  # 0-6岁儿童健康管理, 眼保健和视力检查
    "7岁以下",  # 7岁以下儿童健康管理率
    "0-14岁",  # census: 少年儿童人口
    "0-18岁",  # 儿童 (未满18周岁)
    "18岁以下",
    "3-6岁",  # 学前教育 (学前三年毛入园率)
    "6-12岁",  # 小学 (6岁入学)
    "7-12岁",  # 小学 (7岁入学)
    "6-18岁",  # 中小学生 (视力不良, 肥胖)
    "12-15岁",  # 初中
    "15-17岁",  # 高中阶段
    "14-35岁",  # 青年 (中长期青年发展规划)
    "15-49岁",  # 育龄妇女
    "15-64岁",  # census: 劳动年龄人口
    "16-59岁",  # 劳动年龄人口 (国家统计局口径)
    "18-35岁",
    "18-59岁",
    "20-64岁",  # 就业率 (SDG 8.5 / 妇女就业)
    "35-64岁",  # 适龄妇女宫颈癌和乳腺癌筛查
    "60岁以上",  # 老年人 (老年妇女)
    "65岁以上",  # census: 老年人口
)

# Every dash and tilde people use between two numbers of a range; NFKC already folds the full-width －, ～, ﹣.
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−⁓〜∼~", "-"))
_INVISIBLE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")  # Python's \s covers Unicode whitespace (U+3000 too)
_AGE_UNIT = r"(?:周岁|个月|[岁天日周月])"
# 至/到 join two numbers only (0至28天, 6岁至12岁); elsewhere they are words and are kept.
_WORD_CONNECTOR = re.compile(rf"(\d{_AGE_UNIT}?)[至到](?=\d)")
# The same unit on both ends says nothing more: 6岁-12岁 → 6-12岁 (not 1周-2周岁: 周 and 周岁 differ).
_REPEATED_UNIT = re.compile(rf"(?<![\d.-])(\d+(?:\.\d+)?)({_AGE_UNIT})-(\d+(?:\.\d+)?)\2(?!岁)")


@lru_cache(maxsize=4096)  # every Breakdown checks its label; requests repeat the same few
def normalise_age_group(text: str) -> str:
    """The canonical spelling of an age-group label: ``０－２８天``, ``0～28 天``, ``0至28天`` → ``0-28天``.

    NFKC (full-width digits and letters), no whitespace, every dash or tilde (and 至/到 between numbers) as
    ``-``, a unit repeated on both ends written once, ``ALL`` as ``all``. The meaning never changes:
    ``5岁以下`` stays ``5岁以下``. Raises ValueError for a label that is empty once cleaned.
    """
    label = text
    for _ in range(4):  # until nothing changes: removing a space can let NFKC compose what it kept apart
        cleaned = _INVISIBLE.sub("", unicodedata.normalize("NFKC", label)).translate(_DASHES)
        cleaned = _REPEATED_UNIT.sub(r"\1-\3\2", _WORD_CONNECTOR.sub(r"\1-", cleaned))
        if cleaned == label:
            break
        label = cleaned
    if not label:
        raise ValueError("an age group must not be empty")
    return "all" if label.casefold() == "all" else label


# Lengths in days, only to tell whether two age groups overlap (a month or a year need not be exact for that).
_DAYS = {"天": 1.0, "日": 1.0, "周": 7.0, "月": 30.4375, "个月": 30.4375, "岁": 365.25, "周岁": 365.25}
_NUMBER_UNIT = rf"(\d+(?:\.\d+)?)({_AGE_UNIT})"
_RANGE = re.compile(rf"(\d+(?:\.\d+)?)({_AGE_UNIT})?-{_NUMBER_UNIT}")
_OPEN_ABOVE = re.compile(rf"{_NUMBER_UNIT}(?:及)?以上")
_OPEN_BELOW = re.compile(rf"(?:不满|未满){_NUMBER_UNIT}|{_NUMBER_UNIT}(?:以下|以内)")


@lru_cache(maxsize=4096)  # the checks sort and compare the same few labels over and over
def age_span(label: str) -> tuple[float, float] | None:
    """The ages an age group covers, in days from birth: ``0-28天`` → (0, 28), ``60岁以上`` → (21915, inf).

    None when the label is not a range this can read (``all``, ``学龄儿童``). Bounds are as written: whether
    ``3-6岁`` and ``6-12岁`` share the sixth year is a convention of the source, so spans that only touch are
    not taken to overlap (see :func:`app.observations.checks.breakdown_warnings`).
    """
    try:
        label = normalise_age_group(label)
    except ValueError:
        return None
    if match := _RANGE.fullmatch(label):
        low, low_unit, high, high_unit = match.groups()
        return float(low) * _DAYS[low_unit or high_unit], float(high) * _DAYS[high_unit]
    if match := _OPEN_ABOVE.fullmatch(label):
        return float(match.group(1)) * _DAYS[match.group(2)], math.inf
    if match := _OPEN_BELOW.fullmatch(label):
        number, unit = match.group(1, 2) if match.group(1) is not None else match.group(3, 4)
        return 0.0, float(number) * _DAYS[unit]
    return None


@dataclass(frozen=True)
class Breakdown:
    """Which part of the population one value covers; the defaults are the total."""

    sex: str = "total"  # total, female, male
    age_group: str = "all"  # "all" or a label; whoever builds the breakdown normalises it (normalise_age_group)
    area: str = "all"  # all, urban, rural

    def __post_init__(self) -> None:
        if self.sex not in SEXES:
            raise ValueError(f"unknown sex {self.sex!r}; expected one of {', '.join(SEXES)}")
        if self.area not in AREAS:
            raise ValueError(f"unknown area {self.area!r}; expected one of {', '.join(AREAS)}")
        normalise_age_group(self.age_group)  # raises ValueError for a label that is empty once cleaned

    @property
    def is_total(self) -> bool:
        """True when no dimension is broken down: the indicator's value for everyone."""
        return not self.dimensions()

    def dimensions(self) -> tuple[str, ...]:
        """The dimensions not at their total value, in DIMENSIONS order: female + rural → ("sex", "area")."""
        return tuple(d for d in DIMENSIONS if self.value_of(d) != TOTALS[d])

    def value_of(self, dimension: str) -> str:
        """This breakdown's value in one dimension ("age" is the age group)."""
        return str(getattr(self, _field(dimension)))

    def with_total(self, dimension: str) -> Self:
        """The same breakdown with ``dimension`` at its total value: the whole that this value is a part of."""
        field = _field(dimension)
        # Without the checks: self was checked, and a total is valid.
        return self.unchecked(*(TOTALS[dimension] if name == field else getattr(self, name)
                                for name in ("sex", "age_group", "area")))

    @classmethod
    def unchecked(cls, sex: str, age_group: str, area: str) -> Self:
        """A breakdown of values already checked (a resolved observation row: sex and area validated, age group
        normalised), built without ``__post_init__``: writes build one per value."""
        breakdown = object.__new__(cls)
        object.__setattr__(breakdown, "sex", sex)
        object.__setattr__(breakdown, "age_group", age_group)
        object.__setattr__(breakdown, "area", area)
        return breakdown


def _field(dimension: str) -> str:
    try:
        return _FIELDS[dimension]
    except KeyError:
        raise ValueError(f"unknown dimension {dimension!r}; expected one of {', '.join(DIMENSIONS)}") from None


_DIMENSION_LABELS = {"sex": N_("sex"), "age": N_("age group"), "area": N_("urban/rural")}
_PART_LABELS = {
    "sex": {"total": N_("both sexes"), "female": N_("female"), "male": N_("male")},
    "age": {"all": N_("all ages")},
    "area": {"all": N_("urban and rural"), "urban": N_("urban"), "rural": N_("rural")},
}


def dimension_label(dimension: str) -> str:
    """The dimension as people read it: sex → 性别, age → 年龄组, area → 城乡."""
    _field(dimension)
    return t(_DIMENSION_LABELS[dimension])


def part_label(dimension: str, value: str) -> str:
    """A dimension's value as people read it: female → 女性, rural → 农村; age groups are their own label."""
    _field(dimension)
    label = _PART_LABELS[dimension].get(value)
    return t(label) if label is not None else value
