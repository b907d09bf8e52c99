"""Submission warnings (app/observations/checks.py): a table for every rule and edge, then properties.

Values in the tables are (sex, age group, area, value) rows; a row's index is its position, as in a request.
"""

import math
import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.i18n import use_locale
from app.observations.breakdowns import AGE_GROUPS, Breakdown
from app.observations.checks import (
    CODES,
    CONSTANT_REL_CHANGE,
    EPSILON,
    MAD_SCALE,
    MODIFIED_Z_THRESHOLD,
    Z_THRESHOLD,
    Reported,
    ValueWarning,
    breakdown_warnings,
    breakdown_warnings_as,
    decimals,
    expectation_warnings,
    history_warnings,
    unit_kind,
)

PROPERTY = settings(max_examples=50, deadline=None)  # keeps the whole file well under a second

Row = tuple[str, str, str, float]


def reported(rows: list[Row]) -> list[Reported]:
    return [Reported(i, Breakdown(sex, age, area), value) for i, (sex, age, area, value) in enumerate(rows)]


def total(v: float) -> Row:
    return ("total", "all", "all", v)


def sex(s: str, v: float, area: str = "all") -> Row:
    return (s, "all", area, v)


def area(a: str, v: float, s: str = "total") -> Row:
    return (s, "all", a, v)


def age(group: str, v: float) -> Row:
    return ("total", group, "all", v)


def codes(warnings: list[ValueWarning]) -> list[tuple[int, str]]:
    return [(w.index, w.code) for w in warnings]


# --------------------------------------------------------------------------------------------------
# unit_kind, decimals
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("unit", "kind"), [
    *[(u, "count") for u in ("个", "名", "人", "所", "家", "次", "张", "例", "户", "万人", "人次", "万元", "元", "件")],
    *[(u, "level") for u in ("%", "‰", "1/万", "1/10万", "岁", "年", "小时", "个百分点", "平方米", "倍", "分")],
    ("％", "level"), (" 人 ", "count"), (None, None), ("", None), ("  ", None),
], ids=lambda v: repr(v))
def test_unit_kind(unit: str | None, kind: str | None) -> None:
    assert unit_kind(unit) == kind


@pytest.mark.parametrize(("x", "places"), [
    (10.5, 1), (10.0, 0), (100.0, 0), (7, 0), (0.25, 2), (1e-05, 5), (1e20, 0), (-3.75, 2), (0.1 + 0.2, 17),
    (math.nan, 0), (math.inf, 0),
], ids=repr)
def test_decimals(x: float, places: int) -> None:
    assert decimals(x) == places


# --------------------------------------------------------------------------------------------------
# breakdown_warnings: counts
# --------------------------------------------------------------------------------------------------

COUNT_CASES: list[tuple[str, list[Row], int | None, list[tuple[int, str]]]] = [
    # (id, rows, precision, expected (index, code))
    ("sex consistent", [total(10), sex("female", 4), sex("male", 6)], None, []),
    ("sex exceed", [total(10), sex("female", 6), sex("male", 6)], None, [(0, "parts_exceed_total")]),  # not both
    ("sex short", [total(10), sex("female", 4), sex("male", 5)], None, [(0, "parts_do_not_sum")]),
    ("sex off by one", [total(10), sex("female", 5), sex("male", 6)], None, [(0, "parts_exceed_total")]),
    ("one part below total", [total(10), sex("female", 4)], None, []),
    ("one part equal to total", [total(10), sex("female", 10)], None, []),
    ("one part above total", [total(10), sex("female", 12)], None, [(0, "parts_exceed_total")]),
    ("no total", [sex("female", 4), sex("male", 5)], None, []),
    ("no parts", [total(10)], None, []),
    ("nothing", [], None, []),
    ("zero total zero parts", [total(0), sex("female", 0), sex("male", 0)], None, []),
    ("zero total one part", [total(0), sex("female", 3)], None, [(0, "parts_exceed_total")]),
    ("parts given first", [sex("female", 7), sex("male", 6), total(10)], None, [(2, "parts_exceed_total")]),
    ("area consistent", [total(100), area("urban", 60), area("rural", 40)], None, []),
    ("area short", [total(100), area("urban", 60), area("rural", 30)], None, [(0, "parts_do_not_sum")]),
    ("area one part", [total(100), area("rural", 30)], None, []),
    # rounding: half a unit of the last decimal place, of the most decimals written, or of `precision`
    ("float noise", [total(0.3), sex("female", 0.1), sex("male", 0.2)], None, []),
    ("decimals consistent", [total(10.5), sex("female", 5.2), sex("male", 5.3)], None, []),
    ("decimals beyond half a unit", [total(10.5), sex("female", 5.2), sex("male", 5.35)], None,
     [(0, "parts_exceed_total")]),
    ("short by 0.2 at 1 decimal", [total(10), sex("female", 4.4), sex("male", 5.4)], None, [(0, "parts_do_not_sum")]),
    ("short by 0.2 at precision 0", [total(10), sex("female", 4.4), sex("male", 5.4)], 0, []),
    ("over by 0.4 at precision 0", [total(10), sex("female", 4.4), sex("male", 6)], 0, []),
    ("over by 0.6 at precision 0", [total(10), sex("female", 4.6), sex("male", 6)], 0, [(0, "parts_exceed_total")]),
    ("large counts relative epsilon", [total(1e12), sex("female", 4e11), sex("male", 6e11 + 1e-3)], 6, []),
    # age is open: never a complete set, so only "more than the total" is wrong
    ("age short is fine", [total(100), age("0-6岁", 30), age("7-12岁", 20)], None, []),
    ("age disjoint exceed", [total(40), age("0-6岁", 30), age("7-12岁", 20)], None, [(0, "parts_exceed_total")]),
    ("age adjacent bands are disjoint", [total(40), age("0-3岁", 20), age("3-6岁", 21)], None,
     [(0, "parts_exceed_total")]),
    ("age overlapping each below", [total(40), age("0-3岁", 20), age("0-6岁", 30)], None, []),
    ("age overlapping one above", [total(25), age("0-3岁", 20), age("0-6岁", 30)], None,
     [(0, "parts_exceed_total")]),
    ("age open-ended overlap", [total(100), age("60岁以上", 60), age("65岁以上", 50)], None, []),
    ("age unreadable labels", [total(10), age("学龄前", 6), age("学龄", 6)], None, []),
    ("age one part above", [total(10), age("学龄前", 11)], None, [(0, "parts_exceed_total")]),
    # negative values (net changes): parts need not be smaller; a complete set must still add up
    ("negative consistent", [total(-4), sex("female", -3), sex("male", -1)], None, []),
    ("negative do not sum", [total(-5), sex("female", -3), sex("male", -1)], None, [(0, "parts_do_not_sum")]),
    ("negative one part", [total(-5), sex("female", -3)], None, []),
    ("negative age parts", [total(-5), age("0-6岁", -3), age("7-12岁", 4)], None, []),
    ("negative total positive parts", [total(-5), sex("female", 3), sex("male", 4)], None,
     [(0, "parts_exceed_total")]),
    # duplicates: the last value given for a breakdown is the one checked
    ("duplicate last wins", [total(10), sex("female", 9), sex("male", 6), sex("female", 4)], None, []),
    ("non-finite values are ignored", [total(10), sex("female", math.nan), sex("male", 6)], None, []),
]


@pytest.mark.parametrize(("rows", "precision", "expected"), [c[1:] for c in COUNT_CASES],
                         ids=[c[0] for c in COUNT_CASES])
def test_count_breakdowns(rows: list[Row], precision: int | None, expected: list[tuple[int, str]]) -> None:
    assert codes(breakdown_warnings(reported(rows), "人", precision)) == expected


def test_cross_classified_counts() -> None:
    # 女性 48 = 城镇 29 + 农村 19; 男性 52 = 31 + 21; 城镇 60, 农村 40, 合计 100
    rows = [total(100), sex("female", 48), sex("male", 52), area("urban", 60), area("rural", 40),
            sex("female", 29, "urban"), sex("female", 19, "rural"), sex("male", 31, "urban"), sex("male", 21, "rural")]
    assert breakdown_warnings(reported(rows), "人") == []
    rows[6] = sex("female", 25, "rural")  # 农村: 25 + 21 > 40; 女性: 29 + 25 > 48
    warnings = breakdown_warnings(reported(rows), "人")
    assert codes(warnings) == [(1, "parts_exceed_total"), (4, "parts_exceed_total")]
    by_index = {w.index: w.params for w in warnings}
    assert by_index[4] == {"dimension": "sex", "total": 40, "parts": {"female": 25, "male": 21}, "sum": 46,
                           "tolerance": pytest.approx(0.5)}
    assert by_index[1]["dimension"] == "area" and by_index[1]["parts"] == {"urban": 29, "rural": 25}


def test_cross_classified_parts_without_their_own_total() -> None:
    # 女性农村 and 男性农村 without a 农村 total: nothing to compare them with by sex; by area they are single parts
    rows = [total(100), sex("female", 48), sex("male", 52), sex("female", 19, "rural"), sex("male", 60, "rural")]
    assert codes(breakdown_warnings(reported(rows), "人")) == [(2, "parts_exceed_total")]  # 男性农村 60 > 男性 52


def test_one_total_can_fail_in_two_dimensions_sorted_by_index_then_dimension() -> None:
    rows = [sex("female", 1), total(10), area("urban", 3), sex("male", 2), age("0-6岁", 11)]
    assert [(w.index, w.code, w.params["dimension"]) for w in breakdown_warnings(reported(rows), "人")] == [
        (1, "parts_do_not_sum", "sex"), (1, "parts_exceed_total", "age")]


def test_count_params_and_messages() -> None:
    rows = [total(10), sex("male", 6.5), sex("female", 6)]
    [warning] = breakdown_warnings(reported(rows), "万人")
    assert warning.params == {"dimension": "sex", "total": 10, "parts": {"female": 6, "male": 6.5}, "sum": 12.5,
                              "tolerance": pytest.approx(0.05)}
    assert warning.message == "按性别分：女性 6 + 男性 6.5 = 12.5，大于合计 10，请核实"
    with use_locale("en"):
        [warning] = breakdown_warnings(reported(rows), "万人")
    assert warning.message == "By sex: female 6 + male 6.5 = 12.5, more than the total 10; please check the values"

    [short] = breakdown_warnings(reported([total(10.5), area("rural", 4.2), area("urban", 5.1)]), "万人")
    assert short.code == "parts_do_not_sum" and short.params["sum"] == 9.3  # not 9.299999999999999
    assert short.message == "按城乡分：城镇 5.1 + 农村 4.2 = 9.3，与合计 10.5 不一致，请核实"

    [overlap] = breakdown_warnings(reported([total(25), age("0-3岁", 20), age("0-6岁", 30)]), "人")
    assert overlap.params["largest"] == "0-6岁" and overlap.params["sum"] == 50
    assert overlap.message == "年龄组 0-6岁 的数值 30 大于合计 25，请核实"


# --------------------------------------------------------------------------------------------------
# breakdown_warnings: levels (rates, shares, averages)
# --------------------------------------------------------------------------------------------------

LEVEL_CASES: list[tuple[str, list[Row], int | None, list[tuple[int, str]]]] = [
    ("sex inside", [total(2.5), sex("female", 2), sex("male", 3)], None, []),
    ("sex above", [total(10), sex("female", 2), sex("male", 3)], None, [(0, "total_outside_parts")]),
    ("sex below", [total(1), sex("female", 2), sex("male", 3)], None, [(0, "total_outside_parts")]),
    ("at the bounds", [total(3), sex("female", 2), sex("male", 3)], None, []),
    ("equal parts", [total(5), sex("female", 5), sex("male", 5)], None, []),
    ("parts need not add up", [total(80), sex("female", 78), sex("male", 82)], None, []),
    ("beyond half a unit", [total(3.04), sex("female", 2.0), sex("male", 3.0)], None, [(0, "total_outside_parts")]),
    ("within half a unit", [total(3.04), sex("female", 2.0), sex("male", 3.0)], 1, []),
    ("within half a unit, 2 decimals", [total(3.004), sex("female", 2.0), sex("male", 3.0)], 2, []),
    ("one part only", [total(10), sex("female", 3)], None, []),
    ("no total", [sex("female", 2), sex("male", 3)], None, []),
    ("zero total zero parts", [total(0), sex("female", 0), sex("male", 0)], None, []),
    ("zero total positive parts", [total(0), sex("female", 1), sex("male", 2)], None, [(0, "total_outside_parts")]),
    ("area outside", [total(50), area("urban", 60), area("rural", 70)], None, [(0, "total_outside_parts")]),
    ("age never (open)", [total(10), age("0-5岁", 2), age("6-12岁", 3)], None, []),
    ("negative growth inside", [total(-1.5), sex("female", -2), sex("male", -1)], None, []),
    ("negative growth outside", [total(0.5), sex("female", -2), sex("male", -1)], None, [(0, "total_outside_parts")]),
    ("sex and area both outside", [total(10), sex("female", 2), sex("male", 3), area("urban", 11), area("rural", 12)],
     None, [(0, "total_outside_parts"), (0, "total_outside_parts")]),
    ("cross-classified", [sex("total", 8, "rural"), sex("female", 6, "rural"), sex("male", 7, "rural")], None,
     [(0, "total_outside_parts")]),
]


@pytest.mark.parametrize(("rows", "precision", "expected"), [c[1:] for c in LEVEL_CASES],
                         ids=[c[0] for c in LEVEL_CASES])
def test_level_breakdowns(rows: list[Row], precision: int | None, expected: list[tuple[int, str]]) -> None:
    assert codes(breakdown_warnings(reported(rows), "‰", precision)) == expected


def test_level_params_and_message() -> None:
    [warning] = breakdown_warnings(reported([total(10), sex("female", 2), sex("male", 3)]), "‰")
    assert warning.params == {"dimension": "sex", "total": 10, "parts": {"female": 2, "male": 3}, "min": 2,
                              "max": 3, "tolerance": pytest.approx(0.5)}
    with use_locale("zh"):
        [warning] = breakdown_warnings(reported([total(10), sex("female", 2), sex("male", 3)]), "‰")
    assert warning.message == ("合计 10 不在按性别分的各组数值（女性 2、男性 3）之间："
                               "总体的比率或平均水平应介于各组之间，请核实")


@pytest.mark.parametrize(("unit", "expected"), [
    ("人", [(0, "parts_do_not_sum")]), ("%", [(0, "total_outside_parts")]), (None, []), ("", [])],
    ids=["count", "level", "no unit", "blank unit"])
def test_the_unit_decides_the_rule(unit: str | None, expected: list[tuple[int, str]]) -> None:
    assert codes(breakdown_warnings(reported([total(10), sex("female", 2), sex("male", 3)]), unit)) == expected


def test_a_kind_can_be_given_whatever_the_unit() -> None:
    # 人均可支配收入 in 元 is a level: urban 60000 and rural 30000 do not add up to the total 48000.
    rows = reported([total(48000), area("urban", 60000), area("rural", 30000)])
    assert codes(breakdown_warnings(rows, "元")) == [(0, "parts_exceed_total")]
    assert breakdown_warnings_as(rows, "level") == []


# --------------------------------------------------------------------------------------------------
# history_warnings
# --------------------------------------------------------------------------------------------------

HISTORY_CASES: list[tuple[str, float, list[float], int | None, str | None]] = [
    # (id, value, history, precision, method of the outlier warning or None)
    ("typical outlier", 12.3, [8.1, 7.9, 8.4, 8.0], None, "modified_z"),
    ("low outlier", 3.0, [8.1, 7.9, 8.4, 8.0], None, "modified_z"),
    ("ordinary change", 8.5, [8.1, 7.9, 8.4, 8.0], None, None),  # z = 0.45 / 0.148 = 3.0
    ("no history", 100, [], None, None),
    ("history of 2 values", 100, [8.1, 8.2], None, None),
    ("history of 3 values", 100, [8.1, 8.2, 8.0], None, "modified_z"),
    ("robust to an earlier outlier", 8.3, [8.0, 8.1, 8.2, 30.0, 7.9], None, None),
    ("mad zero: z-score", 12, [5, 5, 5, 8], None, "z"),
    ("mad zero: within 3 sd", 8, [5, 5, 5, 8], None, None),
    ("rounding floor: 8.3 is no outlier", 8.3, [8.1, 8.2, 8.1, 8.2, 8.1], None, None),
    ("rounding floor: 8.6 is", 8.6, [8.1, 8.2, 8.1, 8.2, 8.1], None, "z"),
    ("constant: +60%", 16, [10, 10, 10], None, "constant"),
    ("constant: -60%", 4, [10, 10, 10], None, "constant"),
    ("constant: +40%", 14, [10, 10, 10], None, None),
    ("constant: exactly +50%", 15, [10, 10, 10], None, None),
    ("constant zero: any real change", 1, [0, 0, 0], None, "constant"),
    ("constant zero: within rounding", 0.4, [0, 0, 0], 0, None),
    ("constant negative: -60%", -16, [-10, -10, -10], None, "constant"),
    ("constant negative: -40%", -14, [-10, -10, -10], None, None),
    ("within rounding at precision 1", 8.14, [8.1, 8.1, 8.1, 8.2], 1, None),
    ("beyond rounding at 2 decimals", 8.14, [8.1, 8.1, 8.1, 8.2], None, None),  # MAD 0; z = 0.015 / 0.043 = 0.35
    ("equal to the median", 8.1, [8.1, 7.9, 8.4, 8.0, 50], None, None),
    ("negative rates", 5.0, [-1.2, -0.8, -1.0, -1.1], None, "modified_z"),
    ("non-finite history ignored", 100, [8.1, math.nan, 8.2], None, None),
    ("non-finite value", math.inf, [8.1, 8.0, 8.2], None, None),
]


@pytest.mark.parametrize(("value", "history", "precision", "method"), [c[1:] for c in HISTORY_CASES],
                         ids=[c[0] for c in HISTORY_CASES])
def test_history(value: float, history: list[float], precision: int | None, method: str | None) -> None:
    warnings = history_warnings(Reported(3, Breakdown(), value), history, precision)
    assert [(w.index, w.code, w.params["method"]) for w in warnings] == ([(3, "outlier", method)] if method else [])


def test_history_params_and_message() -> None:
    [warning] = history_warnings(Reported(0, Breakdown(sex="female"), 12.3), [8.1, 7.9, 8.4, 8.1])
    p = warning.params
    assert (p["value"], p["median"], p["min"], p["max"], p["count"]) == (12.3, 8.1, 7.9, 8.4, 4)
    assert p["method"] == "modified_z" and p["threshold"] == 3.5
    assert p["score"] == pytest.approx((12.3 - 8.1) / (1.4826 * 0.1), abs=0.01)
    with use_locale("zh"):
        [warning] = history_warnings(Reported(0, Breakdown(sex="female"), 12.3), [8.1, 7.9, 8.4, 8.1])
    assert warning.message == "数值12.3明显偏离本单位历年数据（中位数8.1，范围7.9–8.4），请核实或填写说明"
    [z] = history_warnings(Reported(0, Breakdown(), 12), [5, 5, 5, 8])
    assert z.params["mean"] == 5.75 and z.params["sd"] == pytest.approx(statistics.pstdev([5, 5, 5, 8]))
    assert z.params["threshold"] == 3
    [even] = history_warnings(Reported(0, Breakdown(), 30), [8, 9, 7, 10])
    assert "中位数8.5，范围7–10" in even.message  # the median of an even history may need one more decimal


# --------------------------------------------------------------------------------------------------
# expectation_warnings
# --------------------------------------------------------------------------------------------------

EXPECTATION_CASES: list[tuple[str, Breakdown, set[str], list[str], list[tuple[str, str]]]] = [
    # (id, breakdown, expected dimensions, age groups, expected (code, dimension))
    ("total never warns", Breakdown(), set(), [], []),
    ("total never warns, with a list", Breakdown(), {"age"}, ["0-5岁"], []),
    ("expected sex", Breakdown(sex="female"), {"sex"}, [], []),
    ("unexpected area", Breakdown(area="rural"), {"sex"}, [], [("unexpected_breakdown", "area")]),
    ("two unexpected", Breakdown(sex="female", area="rural"), set(), [],
     [("unexpected_breakdown", "sex"), ("unexpected_breakdown", "area")]),
    ("listed age group", Breakdown(age_group="0-5岁"), {"age"}, ["0-5岁", "0-6岁"], []),
    ("unlisted age group", Breakdown(age_group="0-4岁"), {"age"}, ["0-5岁", "0-6岁"],
     [("unexpected_age_group", "age")]),
    ("spelling is no reason", Breakdown(age_group="0～5 岁"), {"age"}, ["0-5岁"], []),
    ("list spelled loosely", Breakdown(age_group="0-5岁"), {"age"}, ["０～５岁"], []),
    ("blank entries in the list are ignored", Breakdown(age_group="0-4岁"), {"age"}, ["", " ", "0-5岁"],
     [("unexpected_age_group", "age")]),
    ("a list of blanks is no list", Breakdown(age_group="0-4岁"), {"age"}, [" "], []),
    ("no list: any age group", Breakdown(age_group="0-4岁"), {"age"}, [], []),
    ("age not expected: one warning", Breakdown(age_group="0-4岁"), {"sex"}, ["0-5岁"],
     [("unexpected_breakdown", "age")]),
    ("all three expected", Breakdown("male", "0-28天", "urban"), {"sex", "age", "area"}, list(AGE_GROUPS), []),
    ("unexpected sex, unlisted age", Breakdown("male", "9-10岁", "all"), {"age"}, ["0-5岁"],
     [("unexpected_breakdown", "sex"), ("unexpected_age_group", "age")]),
]


@pytest.mark.parametrize(("breakdown", "expected", "age_groups", "found"), [c[1:] for c in EXPECTATION_CASES],
                         ids=[c[0] for c in EXPECTATION_CASES])
def test_expectations(breakdown: Breakdown, expected: set[str], age_groups: list[str],
                      found: list[tuple[str, str]]) -> None:
    warnings = expectation_warnings(Reported(5, breakdown, 1.0), expected, age_groups)
    assert [(w.code, w.params["dimension"]) for w in warnings] == found
    assert all(w.index == 5 for w in warnings)


def test_expectation_params_and_messages() -> None:
    [area_warning, age_warning] = expectation_warnings(
        Reported(0, Breakdown(age_group="0-4岁", area="rural"), 1.0), ("age", "sex"), ("0-6岁", "0-5岁", "all"))
    assert area_warning.params == {"dimension": "area", "value": "rural", "expected": ["sex", "age"]}
    assert area_warning.message == "该指标不按城乡分组报送（本数值为农村），请核实"
    assert age_warning.params == {"dimension": "age", "value": "0-4岁", "expected": ["0-5岁", "0-6岁"]}
    assert age_warning.message == "年龄组 0-4岁 不在该指标的年龄组（0-5岁、0-6岁）之列，请核实"


@pytest.mark.parametrize("expected", [{"age_group"}, {"sex", "region"}])
def test_unknown_expected_dimensions_are_errors(expected: set[str]) -> None:
    with pytest.raises(ValueError, match="unknown dimensions"):
        expectation_warnings(Reported(0, Breakdown(), 1.0), expected, [])


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------

DISJOINT_AGES = ["0-28天", "1-2岁", "3-6岁", "7-12岁", "13-18岁", "60岁以上"]  # sorted, pairwise disjoint


@st.composite
def consistent_counts(draw: st.DrawFn) -> tuple[list[Row], int]:
    """A full sex × area table of counts with every margin, plus some disjoint age groups within the total, all
    with the same number of decimals (computed in whole units of the last place, so every sum is exact)."""
    places = draw(st.integers(0, 3))
    cells = {(s, a): draw(st.integers(0, 10**6)) for s in ("female", "male") for a in ("urban", "rural")}
    whole = sum(cells.values())
    ages = draw(st.lists(st.sampled_from(DISJOINT_AGES), unique=True, max_size=4))
    shares = [draw(st.integers(0, whole)) for _ in ages]
    while sum(shares) > whole:  # age groups need not cover every age, but together cannot exceed the total
        shares = [s // 2 for s in shares]

    def v(n: int) -> float:
        return n / 10**places

    rows: list[Row] = [total(v(whole))]
    rows += [sex(s, v(cells[s, "urban"] + cells[s, "rural"])) for s in ("female", "male")]
    rows += [area(a, v(cells["female", a] + cells["male", a])) for a in ("urban", "rural")]
    rows += [sex(s, v(n), a) for (s, a), n in cells.items()]
    rows += [age(g, v(n)) for g, n in zip(ages, shares, strict=True)]
    keep = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))  # any subset stays consistent
    return [row for row, kept in zip(rows, keep, strict=True) if kept], places


@PROPERTY
@given(consistent_counts(), st.randoms())
def test_consistent_counts_never_warn(table: tuple[list[Row], int], rnd: random.Random) -> None:
    rows, places = table
    rnd.shuffle(rows)
    assert breakdown_warnings(reported(rows), "人") == []
    assert breakdown_warnings(reported(rows), "人", precision=places) == []


@PROPERTY
@given(st.lists(st.integers(-10**4, 10**4), min_size=2, max_size=2), st.lists(st.integers(1, 10**6), min_size=2,
       max_size=2), st.integers(0, 3), st.sampled_from(["sex", "area"]))
def test_a_weighted_mean_of_the_parts_never_warns(parts: list[int], weights: list[int], places: int,
                                                  dimension: str) -> None:
    values = [p / 10**places for p in parts]
    mean = round(sum(w * x for w, x in zip(weights, values, strict=True)) / sum(weights), places)
    labels = ("female", "male") if dimension == "sex" else ("urban", "rural")
    make = sex if dimension == "sex" else area
    rows = [total(mean), make(labels[0], values[0]), make(labels[1], values[1])]
    assert breakdown_warnings(reported(rows), "%") == []


_CELL_BREAKDOWNS = [(s, a, ar) for s in ("total", "female", "male") for a in ("all", "0-6岁", "7-12岁")
                    for ar in ("all", "urban", "rural")]


@st.composite
def any_table(draw: st.DrawFn) -> list[Row]:
    cells = draw(st.lists(st.sampled_from(_CELL_BREAKDOWNS), unique=True, max_size=12))
    return [(s, a, ar, float(draw(st.integers(-50, 200)))) for s, a, ar in cells]


@PROPERTY
@given(any_table(), st.integers(1, 1000), st.sampled_from(["%", "‰", "岁"]))
def test_scaling_does_not_change_level_warnings(rows: list[Row], factor: int, unit: str) -> None:
    scaled = [(s, a, ar, v * factor) for s, a, ar, v in rows]
    assert codes(breakdown_warnings(reported(scaled), unit)) == codes(breakdown_warnings(reported(rows), unit))


@PROPERTY
@given(any_table(), st.sampled_from(["人", "%"]), st.randoms())
def test_warnings_do_not_depend_on_the_order_and_point_at_totals(rows: list[Row], unit: str,
                                                                 rnd: random.Random) -> None:
    values = reported(rows)
    warnings = breakdown_warnings(values, unit)
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert sorted(codes(breakdown_warnings(shuffled, unit))) == sorted(codes(warnings))
    by_index = {v.index: v for v in values}
    for w in warnings:
        assert w.code in CODES and w.message
        assert w.params["dimension"] not in by_index[w.index].breakdown.dimensions()  # the total of its dimension


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2))


@PROPERTY
@given(st.lists(finite, max_size=12), st.none() | st.integers(0, 3))
def test_a_value_equal_to_the_history_median_never_warns(history: list[float], precision: int | None) -> None:
    if history:
        median = statistics.median(history)
        assert history_warnings(Reported(0, Breakdown(), median), history, precision) == []


@PROPERTY
@given(st.lists(finite, max_size=2), finite)
def test_fewer_than_three_earlier_values_never_warn(history: list[float], value: float) -> None:
    assert history_warnings(Reported(0, Breakdown(), value), history) == []


@PROPERTY
@given(st.lists(finite, min_size=3, max_size=12), finite, st.randoms())
def test_the_order_of_the_history_does_not_matter(history: list[float], value: float, rnd: random.Random) -> None:
    shuffled = list(history)
    rnd.shuffle(shuffled)
    before = [w.params["method"] for w in history_warnings(Reported(0, Breakdown(), value), history)]
    assert [w.params["method"] for w in history_warnings(Reported(0, Breakdown(), value), shuffled)] == before


@PROPERTY
@given(st.lists(finite, min_size=3, max_size=12), st.floats(0, 1e6).map(lambda x: round(x, 2)),
       st.floats(0, 1e6).map(lambda x: round(x, 2)))
def test_further_beyond_the_history_still_warns(history: list[float], beyond: float, further: float) -> None:
    top = max(history)
    near, far = top + beyond, top + beyond + further
    if history_warnings(Reported(0, Breakdown(), near), history, 2):
        assert history_warnings(Reported(0, Breakdown(), far), history, 2)


def _scored_as_outlier(x: float, past: list[float], precision: int | None) -> bool:
    """The outlier rule as the module docstring states it, every number's decimals read first (the checks decide
    most values before reading them; the decision must be the same)."""
    numbers = [x, *past]
    places = precision if precision is not None else max(decimals(n) for n in numbers)
    resolution = 10.0 ** -places
    median = statistics.median(past)
    if abs(x - median) <= 0.5 * resolution + EPSILON * max(abs(n) for n in numbers):
        return False
    mad = statistics.median(abs(h - median) for h in past)
    if mad > 0:
        return abs((x - median) / max(MAD_SCALE * mad, resolution)) > MODIFIED_Z_THRESHOLD
    if (sd := statistics.pstdev(past)) > 0:
        return abs((x - statistics.fmean(past)) / max(sd, resolution)) > Z_THRESHOLD
    return abs(x - median) > CONSTANT_REL_CHANGE * abs(median)


near_history = st.lists(st.sampled_from([8.1, 8.2, 8.3, 10.0, 10.5, 0.001, 12.0, 100.0]), min_size=3, max_size=8)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(finite, min_size=3, max_size=12), near_history), st.one_of(finite, st.sampled_from(
    [8.0, 8.4, 8.5, 9.0, 11.0, 15.0, 0.0])), st.none() | st.integers(0, 3))
def test_the_outlier_decision_is_the_documented_rule(history: list[float], value: float,
                                                     precision: int | None) -> None:
    found = history_warnings(Reported(0, Breakdown(), value), history, precision)
    assert bool(found) == _scored_as_outlier(value, history, precision), (value, history, precision)
