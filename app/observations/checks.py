"""Warnings on reported values: checks run when a unit submits, which never reject a value.

Pure module: no I/O, no database, no web. The submission service gathers the values of one indicator in a
request (as :class:`Reported`, already in the indicator's unit), the unit's earlier accepted values of the same
indicator and breakdown, and the indicator's expected breakdowns, and calls the three checks below. Each returns
:class:`ValueWarning` s: a stable ``code``, the ``index`` of the value in the request (for the field name), a
message in the request's language naming the numbers, and those numbers in ``params``. A warning asks the unit
to check the value or explain it in a note; the value is saved either way, because the data may be right (a
real jump, a new age group) and only the unit knows.

Method
======
Adapted from DHIS2's data quality tools: *validation rules* (left side compared with right side, e.g. "female +
male = total") and *outlier detection* (z-score and modified z-score on a data element's own history), with the
modified z-score of Iglewicz & Hoaglin (1993, *How to Detect and Handle Outliers*, ASQC).

* :func:`breakdown_warnings`: values that agree on two dimensions and differ in the third are a total and its
  parts. Counts (people, schools, cases: units that add up, :func:`unit_kind`) must have parts no larger than
  the total together (``parts_exceed_total``), and a complete set of parts (female + male, urban + rural) must
  add up to it (``parts_do_not_sum``). Levels (rates, shares, averages) do not add up, but the total is a
  weighted mean of its parts and lies between them: a total of 10‰ with female 2‰ and male 3‰ is impossible
  (``total_outside_parts``). Age groups are open (there may be other ages) and may overlap, so they are never
  checked for a complete sum nor for levels, and overlapping age groups only each against the total.
* :func:`history_warnings`: the modified z-score ``(x - median) / (1.4826 × MAD)`` of the value against the
  unit's earlier values; > 3.5 is an outlier (Iglewicz & Hoaglin). When more than half the history is one
  number (MAD = 0) the ordinary z-score ``(x - mean) / sd`` with DHIS2's default threshold of 3 is used instead,
  and when the history is constant, a change of more than half the constant.
* :func:`expectation_warnings`: a breakdown the indicator is not reported by (``unexpected_breakdown``), an age
  group not in the indicator's list (``unexpected_age_group``).

Decisions (each is repeated where it is implemented):

* Rounding: numbers are compared with a tolerance of half a unit of the last decimal place (``precision``
  decimals when given, else the most decimals any number involved is written with: 10.5 → 0.05) plus 1e-9
  relative, so that rounding and floating point never warn. For the outlier scores the spread is also taken as
  at least one unit of that last place: a spread smaller than the values' own resolution is rounding, not a
  sign of stable data.
* Several values with the same breakdown: the last one given is checked (the request validation rejects them).
* Parts exceeding the total is only impossible for non-negative parts; with a negative part (a net change) only
  a complete set is checked, for its sum.
* Non-finite values are ignored (the API already rejects them).
"""

import math
import statistics
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from app.core.i18n import t
from app.observations.breakdowns import (
    AGE_GROUPS,
    AREAS,
    DIMENSIONS,
    PARTS_COMPLETE,
    SEXES,
    TOTALS,
    Breakdown,
    age_span,
    dimension_label,
    normalise_age_group,
    part_label,
)

__all__ = [
    "CODES",
    "COUNT_UNITS",
    "Reported",
    "ValueWarning",
    "breakdown_warnings",
    "breakdown_warnings_as",
    "decimals",
    "expectation_warnings",
    "history_warnings",
    "unit_kind",
]

CODES = ("parts_exceed_total", "parts_do_not_sum", "total_outside_parts", "outlier", "unexpected_breakdown",
         "unexpected_age_group")

# Units of things that add up: the parts of a count are at most the whole. Every other unit (%, ‰, 1/万, 1/10万,
# 岁, 年, 小时, ...) is a level: a rate, share or average, which lies between its parts instead. 元 and 万元 are
# counts here (budgets, funds); a per-capita amount in 元 is a level: check it with breakdown_warnings_as.
COUNT_UNITS = frozenset({
    "个", "名", "人", "位", "所", "家", "次", "张", "例", "户", "件", "项", "起", "处", "场", "期", "床", "篇", "册",
    "万人", "人次", "万人次", "万户", "元", "万元", "亿元",
})

# ==================================================================================================
# Parameters
# ==================================================================================================

MIN_HISTORY = 3  # fewer earlier values than this: no outlier check (two points say nothing about spread)
MAD_SCALE = 1.4826  # MAD × 1.4826 estimates the standard deviation of normal data (1 / 0.6745)
MODIFIED_Z_THRESHOLD = 3.5  # Iglewicz & Hoaglin's recommended cut-off for the modified z-score
Z_THRESHOLD = 3.0  # DHIS2's default z-score threshold (used when MAD is 0)
CONSTANT_REL_CHANGE = 0.5  # constant history: flag a value more than 50 % away from the constant
EPSILON = 1e-9  # relative tolerance on top of the rounding tolerance (floating point)
_MAX_PLACES = 15  # decimals shown at most (a float has about 16 significant digits)

# ==================================================================================================
# Data
# ==================================================================================================


@dataclass(frozen=True)
class Reported:
    """One value in a request: where it is, which breakdown it covers, the number in the indicator's unit."""

    index: int  # position in the request's `values` list (for field names: values[3].value)
    breakdown: Breakdown
    value: float  # already in the indicator's unit


@dataclass(frozen=True)
class ValueWarning:
    """Something about a value the unit should check; never a reason to reject it."""

    index: int  # the value the warning is about (for a breakdown check: the total)
    code: str  # one of CODES
    message: str  # in the current locale, naming the numbers
    params: dict[str, object]  # the numbers used, JSON-serialisable


def unit_kind(unit: str | None) -> Literal["count", "level"] | None:
    """"count" for units of things that add up (人, 所, 万元), "level" for every other unit (%, ‰, 岁), None
    for no unit."""
    if unit is None:
        return None
    cleaned = unicodedata.normalize("NFKC", unit).strip()  # NFKC: ％ → %
    if not cleaned:
        return None
    return "count" if cleaned in COUNT_UNITS else "level"


# ==================================================================================================
# Rounding and formatting
# ==================================================================================================


@lru_cache(maxsize=65536)  # pure, and called for every earlier value of every value a write checks
def decimals(x: float) -> int:
    """How many decimals the float is written with: 10.5 → 1, 100.0 → 0, 0.25 → 2, 1e-05 → 5."""
    if not math.isfinite(x):
        return 0
    written = repr(x)
    if "e" not in written:  # the common case, read off the text: "10.50" has 1 decimal once trailing zeros go
        return len(written.partition(".")[2].rstrip("0"))
    exponent = Decimal(repr(x)).normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers have an integer exponent
    return max(0, -exponent)


def _places(numbers: Sequence[float], precision: int | None) -> int:
    """Decimals of the comparison: `precision` when given, else the most any number is written with."""
    places = precision if precision is not None else max((decimals(x) for x in numbers), default=0)
    return max(-300, min(places, 300))  # 10 ** ±places stays a float


def _tolerance(numbers: Sequence[float], precision: int | None) -> float:
    """Half a unit of the last decimal place, plus 1e-9 relative: differences rounding can explain."""
    return 0.5 * 10.0 ** -_places(numbers, precision) + EPSILON * max((abs(x) for x in numbers), default=0.0)


def _shown(numbers: Sequence[float], precision: int | None) -> int:
    """Decimals to show: enough for every number as written (and for `precision`), at most 15."""
    return max(0, min(max([precision or 0, *(decimals(x) for x in numbers)]), _MAX_PLACES))


def _round(x: float, places: int) -> float:
    """x without floating-point noise (12.399999999999999 → 12.4), for params."""
    return float(round(x, places)) + 0.0  # + 0.0: no -0.0


def _number(x: float, places: int) -> str:
    """x as people write it: at most `places` decimals, no trailing zeros, no exponent, no -0."""
    text = format(Decimal(repr(_round(x, places))).normalize(), "f")
    return "0" if text == "-0" else text


# ==================================================================================================
# Breakdown consistency
# ==================================================================================================


def breakdown_warnings(values: Sequence[Reported], unit: str | None,
                       precision: int | None = None) -> list[ValueWarning]:
    """Totals and parts of one indicator's values that cannot both be right, by the unit's kind (see the module
    docstring); nothing for an indicator without a unit, whose kind is unknown."""
    kind = unit_kind(unit)
    return breakdown_warnings_as(values, kind, precision) if kind is not None else []


def breakdown_warnings_as(values: Sequence[Reported], kind: Literal["count", "level"],
                          precision: int | None = None) -> list[ValueWarning]:
    """:func:`breakdown_warnings` for values of a known kind, whatever their unit (a per-capita amount in 元 is
    a level). Sorted by the total's index, then by dimension (sex, age, area)."""
    # The last value given for a breakdown is the one checked (the request validation rejects duplicates).
    # Keyed by (sex, age group, area) tuples rather than Breakdowns: an import groups 100,000 values here.
    latest = {(v.breakdown.sex, v.breakdown.age_group, v.breakdown.area): v for v in values if math.isfinite(v.value)}
    found: list[ValueWarning] = []
    if len(latest) < 2:  # one value (the common case of a submission): no whole with parts
        return found
    for position, dimension in enumerate(DIMENSIONS):
        # The parts of a whole differ from it in `dimension` only: group them by that whole.
        total_of_dimension = TOTALS[dimension]
        groups: dict[tuple[str, str, str], list[Reported]] = {}
        for key, v in latest.items():
            if key[position] != total_of_dimension:
                whole = (total_of_dimension, key[1], key[2]) if position == 0 else \
                    (key[0], total_of_dimension, key[2]) if position == 1 else (key[0], key[1], total_of_dimension)
                groups.setdefault(whole, []).append(v)
        for whole, parts in groups.items():
            total = latest.get(whole)
            if total is None:
                continue
            parts.sort(key=lambda p: _part_order(dimension, p.breakdown.value_of(dimension)))
            check = _count_warning if kind == "count" else _level_warning
            if (warning := check(dimension, total, parts, precision)) is not None:
                found.append(warning)
    return sorted(found, key=lambda w: w.index)  # stable: dimension order within one total


def _part_order(dimension: str, value: str) -> tuple[float, float, str]:
    if dimension == "sex":
        return SEXES.index(value), 0.0, ""
    if dimension == "area":
        return AREAS.index(value), 0.0, ""
    span = age_span(value) or (math.inf, math.inf)
    return span[0], span[1], value


def _disjoint(labels: Sequence[str]) -> bool:
    """True when the age groups provably share no age. Spans that only touch (0-3岁, 3-6岁) count as disjoint:
    that is how the sources write adjacent bands; an unreadable label might overlap anything."""
    spans = [age_span(label) for label in labels]
    readable = sorted(span for span in spans if span is not None)
    if len(readable) < len(spans):
        return False
    return all(later[0] >= earlier[1] for earlier, later in pairwise(readable))


def _parts_text(dimension: str, parts: Sequence[Reported], places: int, joiner: str) -> str:
    return joiner.join(f"{part_label(dimension, p.breakdown.value_of(dimension))} {_number(p.value, places)}"
                       for p in parts)


def _count_warning(dimension: str, total: Reported, parts: list[Reported],
                   precision: int | None) -> ValueWarning | None:
    numbers = [total.value, *(p.value for p in parts)]
    tolerance = _tolerance(numbers, precision)
    labels = [p.breakdown.value_of(dimension) for p in parts]
    parts_sum = math.fsum(p.value for p in parts)

    # The params and texts are built only for a warning: most totals agree with their parts.
    def params() -> dict[str, object]:
        return {"dimension": dimension, "total": total.value,
                "parts": {label: p.value for label, p in zip(labels, parts, strict=True)},
                "sum": _round(parts_sum, _shown(numbers, precision)), "tolerance": tolerance}

    def text() -> dict[str, str]:
        places = _shown(numbers, precision)
        return {"dimension": dimension_label(dimension), "total": _number(total.value, places),
                "sum": _number(parts_sum, places), "parts": _parts_text(dimension, parts, places, " + ")}

    # Parts add up to no more than their whole only when none is negative; with a negative part (a net change)
    # only a complete set is checked, for its sum.
    if all(p.value >= 0 for p in parts):
        if dimension == "age" and not _disjoint(labels):
            # Overlapping age groups (0-3岁 within 0-6岁) may add up to more than the total; each alone may not.
            largest = max(parts, key=lambda p: p.value)
            if largest.value > total.value + tolerance:
                group = largest.breakdown.age_group
                return ValueWarning(total.index, "parts_exceed_total", t(
                    "The age group {group} has {value}, more than the total {total}; please check the values",
                    group=group, value=_number(largest.value, _shown(numbers, precision)), total=text()["total"]),
                    {**params(), "largest": group})
        elif parts_sum > total.value + tolerance:  # wins over parts_do_not_sum: the stronger statement
            return ValueWarning(total.index, "parts_exceed_total", t(
                "By {dimension}: {parts} = {sum}, more than the total {total}; please check the values", **text()),
                params())
    if set(labels) == PARTS_COMPLETE.get(dimension) and abs(parts_sum - total.value) > tolerance:
        return ValueWarning(total.index, "parts_do_not_sum", t(
            "By {dimension}: {parts} = {sum}, but the total is {total}; please check the values", **text()),
            params())
    return None


def _level_warning(dimension: str, total: Reported, parts: list[Reported],
                   precision: int | None) -> ValueWarning | None:
    # A rate, share or average of the whole is a mean of its parts' weighted by their sizes, so it lies between
    # them, whatever the sizes. Only for complete dimensions: the other age groups could pull the total anywhere.
    if dimension not in PARTS_COMPLETE or len(parts) < 2:
        return None
    low, high = min(p.value for p in parts), max(p.value for p in parts)
    if low <= total.value <= high:  # between them: no rounding to allow for (most totals)
        return None
    numbers = [total.value, *(p.value for p in parts)]
    tolerance = _tolerance(numbers, precision)
    if low - tolerance <= total.value <= high + tolerance:
        return None
    places = _shown(numbers, precision)
    message = t("The total {total} is not between the values by {dimension} ({parts}): a rate or average of the "
                "whole lies between those of its parts; please check the values",
                total=_number(total.value, places), dimension=dimension_label(dimension),
                parts=_parts_text(dimension, parts, places, t(", ")))
    return ValueWarning(total.index, "total_outside_parts", message, {
        "dimension": dimension, "total": total.value,
        "parts": {p.breakdown.value_of(dimension): p.value for p in parts}, "min": low, "max": high,
        "tolerance": tolerance})


# ==================================================================================================
# History: outliers
# ==================================================================================================


def history_warnings(value: Reported, history: Sequence[float], precision: int | None = None) -> list[ValueWarning]:
    """An ``outlier`` warning when the value is far from the unit's earlier accepted values of the same indicator
    and breakdown (see the module docstring); nothing with fewer than 3 earlier values."""
    past = [h for h in history if math.isfinite(h)]
    x = value.value
    if len(past) < MIN_HISTORY or not math.isfinite(x):
        return []
    median = statistics.median(past)
    mad = statistics.median(abs(h - median) for h in past)
    if not _may_be_outlier(x, past, median, mad):
        return []
    numbers = [x, *past]
    tolerance = _tolerance(numbers, precision)
    if abs(x - median) <= tolerance:  # within rounding of the typical value: never an outlier
        return []
    # The values cannot resolve a spread finer than one unit of their last decimal place: [8.1, 8.2, 8.1, 8.2, 8.1]
    # has a standard deviation of 0.05 only because of rounding, and 8.3 is no outlier.
    resolution = 10.0 ** -_places(numbers, precision)
    params: dict[str, object]
    if mad > 0:
        score = (x - median) / max(MAD_SCALE * mad, resolution)
        outlier = abs(score) > MODIFIED_Z_THRESHOLD
        params = {"method": "modified_z", "score": round(score, 2), "threshold": MODIFIED_Z_THRESHOLD, "mad": mad}
    elif (sd := statistics.pstdev(past)) > 0:
        # More than half the history is one number: MAD is 0 and says nothing; the mean and standard deviation
        # still see the rest (DHIS2's z-score).
        mean = statistics.fmean(past)
        score = (x - mean) / max(sd, resolution)
        outlier = abs(score) > Z_THRESHOLD
        params = {"method": "z", "score": round(score, 2), "threshold": Z_THRESHOLD, "mean": mean, "sd": sd}
    else:
        # A constant history has no spread to measure a distance with: only a large relative change counts.
        outlier = abs(x - median) > CONSTANT_REL_CHANGE * abs(median)
        params = {"method": "constant", "score": None, "threshold": CONSTANT_REL_CHANGE}
    if not outlier:
        return []
    places = _shown(numbers, precision)
    low, high = min(past), max(past)
    message = t("The value {value} is far from this unit's earlier values (median {median}, range {low}–{high}); "
                "please check it or explain it in a note",
                value=_number(x, places), median=_number(median, places + 1), low=_number(low, places),
                high=_number(high, places))
    return [ValueWarning(value.index, "outlier", message, {
        "value": x, "median": median, "min": low, "max": high, "count": len(past), "tolerance": tolerance,
        **params})]


def _may_be_outlier(x: float, past: Sequence[float], median: float, mad: float) -> bool:
    """The scores of :func:`history_warnings` before rounding is allowed for: the tolerance and the resolution
    only ever raise the bar, so a value within these thresholds is no outlier whatever its decimals (most values,
    decided without reading every number's decimals)."""
    # The margin: a value within floating-point noise of a threshold takes the exact computation.
    if mad > 0:
        return abs(x - median) > MODIFIED_Z_THRESHOLD * MAD_SCALE * mad * _MARGIN
    if (sd := statistics.pstdev(past)) > 0:
        return abs(x - statistics.fmean(past)) > Z_THRESHOLD * sd * _MARGIN
    return abs(x - median) > CONSTANT_REL_CHANGE * abs(median) * _MARGIN


_MARGIN = 1 - 1e-9


# ==================================================================================================
# Expected breakdowns
# ==================================================================================================


def expectation_warnings(value: Reported, expected: Collection[str],
                         age_groups: Collection[str]) -> list[ValueWarning]:
    """Breakdowns the indicator is not reported by, and age groups not in its list (when it has one). A total
    never warns. Raises ValueError for an unknown dimension in `expected` (the names are DIMENSIONS)."""
    unknown = sorted(set(expected) - set(DIMENSIONS))
    if unknown:
        raise ValueError(f"unknown dimensions {unknown}; expected some of {', '.join(DIMENSIONS)}")
    breakdown = value.breakdown
    found: list[ValueWarning] = []
    # One warning per dimension, so that each can point at its own field (values[3].sex, values[3].area).
    for dimension in breakdown.dimensions():
        if dimension not in expected:
            part = breakdown.value_of(dimension)
            found.append(ValueWarning(value.index, "unexpected_breakdown", t(
                "This indicator is not reported by {dimension} (this value is for {part}); please check it",
                dimension=dimension_label(dimension), part=part_label(dimension, part)), {
                "dimension": dimension, "value": part, "expected": [d for d in DIMENSIONS if d in expected]}))
    if "age" in breakdown.dimensions() and "age" in expected and age_groups:
        # Compared as normalised labels: 0～5岁 is 0-5岁, a spelling is no reason to warn.
        allowed = sorted(_normalised(age_groups) - {"all"}, key=_age_order)
        if allowed and normalise_age_group(breakdown.age_group) not in allowed:
            found.append(ValueWarning(value.index, "unexpected_age_group", t(
                "The age group {age_group} is not one of this indicator's age groups ({expected}); please check it",
                age_group=breakdown.age_group, expected=t(", ").join(allowed)), {
                "dimension": "age", "value": breakdown.age_group, "expected": allowed}))
    return found


def _normalised(age_groups: Collection[str]) -> set[str]:
    """The labels normalised; a blank one in the indicator's list is left out (a warning must not fail)."""
    labels = set()
    for group in age_groups:
        try:
            labels.add(normalise_age_group(group))
        except ValueError:
            continue
    return labels


def _age_order(label: str) -> tuple[int, float, float, str]:
    """The controlled list's order first, then youngest first, then by label."""
    span = age_span(label) or (math.inf, math.inf)
    rank = AGE_GROUPS.index(label) if label in AGE_GROUPS else len(AGE_GROUPS)
    return rank, span[0], span[1], label
