"""The breakdown vocabulary (app/observations/breakdowns.py): age-group spelling, the controlled list, Breakdown."""

import math
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.i18n import use_locale
from app.observations.breakdowns import (
    AGE_GROUPS,
    DIMENSIONS,
    PARTS_COMPLETE,
    TOTALS,
    Breakdown,
    age_span,
    dimension_label,
    normalise_age_group,
    part_label,
)

PROPERTY = settings(max_examples=50, deadline=None)  # keeps the whole file well under a second

YEAR = 365.25

# --------------------------------------------------------------------------------------------------
# normalise_age_group
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("0-28天", "0-28天"),
    ("0-28 天", "0-28天"),
    (" 0 - 28 天 ", "0-28天"),
    ("0～28天", "0-28天"),  # full-width tilde
    ("0~28天", "0-28天"),
    ("0〜28天", "0-28天"),  # wave dash
    ("0—28天", "0-28天"),  # em dash
    ("0–28天", "0-28天"),  # en dash
    ("0－28天", "0-28天"),  # full-width hyphen-minus
    ("0−28天", "0-28天"),  # minus sign
    ("0至28天", "0-28天"),
    ("0到28天", "0-28天"),
    ("０－２８天", "0-28天"),  # full-width digits
    ("0\u300028天", "028天"),  # an ideographic space is whitespace, not a dash: the label is wrong, not fixed
    ("0-5岁", "0-5岁"),
    ("0~5 岁", "0-5岁"),
    ("0\t-\n5岁", "0-5岁"),
    ("0\u200b-5岁", "0-5岁"),  # zero-width space
    ("6岁至12岁", "6-12岁"),  # the unit repeated on both ends is written once
    ("6岁-12岁", "6-12岁"),
    ("6周岁至12周岁", "6-12周岁"),  # 周岁 is kept: not changing the wording
    ("0-6个月", "0-6个月"),
    ("6个月-1岁", "6个月-1岁"),  # different units stay
    ("1周-2周岁", "1周-2周岁"),  # 周 (week) is not 周岁
    ("5岁以下", "5岁以下"),  # the meaning is kept: not 0-5岁
    ("5 岁 以 下", "5岁以下"),
    ("60岁以上", "60岁以上"),
    ("６０岁及以上", "60岁及以上"),
    ("至少5岁", "至少5岁"),  # 至 not between numbers is a word
    ("all", "all"),
    ("ALL", "all"),
    ("All ", "all"),
    ("ａｌｌ", "all"),  # full-width letters
    ("Allgemein", "Allgemein"),  # only the whole word
], ids=lambda v: repr(v) if isinstance(v, str) else None)
def test_normalise_age_group(text: str, expected: str) -> None:
    assert normalise_age_group(text) == expected


@pytest.mark.parametrize("text", ["", " ", "\u3000", "\t\n", "\u200b"], ids=["empty", "space", "ideographic",
                                                                          "tab-newline", "zero-width"])
def test_an_empty_age_group_is_an_error(text: str) -> None:
    with pytest.raises(ValueError):
        normalise_age_group(text)


def test_the_controlled_list_is_normalised_unique_and_readable() -> None:
    assert "0-28天" in AGE_GROUPS and "0-5岁" in AGE_GROUPS and "5岁以下" in AGE_GROUPS
    assert "all" not in AGE_GROUPS
    assert len(set(AGE_GROUPS)) == len(AGE_GROUPS)
    for group in AGE_GROUPS:
        assert normalise_age_group(group) == group, group
        assert age_span(group) is not None, group  # overlap checks can read every listed group


_FULL_WIDTH = {ord(c): chr(ord(c) + 0xFEE0) for c in string.digits + string.ascii_letters + "-~"}


@PROPERTY
@given(st.sampled_from(AGE_GROUPS), st.data())
def test_whitespace_and_full_width_variants_of_a_listed_group_normalise_to_it(group: str, data: st.DataObject) -> None:
    gaps = data.draw(st.lists(st.sampled_from(["", "", " ", "\t", "\u3000", "\u00a0 "]), min_size=len(group) + 1,
                              max_size=len(group) + 1))
    variant = "".join(gap + ch for gap, ch in zip(gaps, group, strict=False)) + gaps[-1]  # a gap before each, one after
    if data.draw(st.booleans()):
        variant = variant.translate(_FULL_WIDTH)
    if data.draw(st.booleans()):
        variant = variant.replace("-", data.draw(st.sampled_from(["～", "~", "—", "–", "至", "到"])))
    assert normalise_age_group(variant) == group


@PROPERTY
@given(st.text(max_size=20))
def test_normalising_is_idempotent(text: str) -> None:
    try:
        once = normalise_age_group(text)
    except ValueError:
        return
    assert once and not any(ch.isspace() for ch in once)
    assert normalise_age_group(once) == once


# --------------------------------------------------------------------------------------------------
# age_span
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "span"), [
    ("0-28天", (0, 28)),
    ("0-6个月", (0, 6 * 30.4375)),
    ("6个月-1岁", (6 * 30.4375, YEAR)),
    ("0-5岁", (0, 5 * YEAR)),
    ("0～5岁", (0, 5 * YEAR)),  # read after normalising
    ("3-6岁", (3 * YEAR, 6 * YEAR)),
    ("5岁以下", (0, 5 * YEAR)),
    ("不满14周岁", (0, 14 * YEAR)),
    ("60岁以上", (60 * YEAR, math.inf)),
    ("65岁及以上", (65 * YEAR, math.inf)),
    ("all", None),
    ("学龄儿童", None),
    ("5岁", None),  # one age is not a range this reads
    (" ", None),
], ids=lambda v: v if isinstance(v, str) else None)
def test_age_span(label: str, span: tuple[float, float] | None) -> None:
    assert age_span(label) == (pytest.approx(span) if span is not None else None)


# --------------------------------------------------------------------------------------------------
# Breakdown
# --------------------------------------------------------------------------------------------------


def test_vocabulary() -> None:
    assert DIMENSIONS == ("sex", "age", "area")
    assert TOTALS == {"sex": "total", "age": "all", "area": "all"}
    assert PARTS_COMPLETE == {"sex": {"female", "male"}, "area": {"urban", "rural"}}


@pytest.mark.parametrize(("breakdown", "dimensions"), [
    (Breakdown(), ()),
    (Breakdown(sex="female"), ("sex",)),
    (Breakdown(area="rural"), ("area",)),
    (Breakdown(age_group="0-5岁"), ("age",)),
    (Breakdown(sex="female", area="rural"), ("sex", "area")),
    (Breakdown(area="urban", sex="male", age_group="0-28天"), ("sex", "age", "area")),
], ids=["total", "female", "rural", "age", "female-rural", "all-three"])
def test_dimensions_and_is_total(breakdown: Breakdown, dimensions: tuple[str, ...]) -> None:
    assert breakdown.dimensions() == dimensions
    assert breakdown.is_total == (dimensions == ())


def test_value_of_and_with_total() -> None:
    b = Breakdown(sex="female", age_group="0-5岁", area="rural")
    assert (b.value_of("sex"), b.value_of("age"), b.value_of("area")) == ("female", "0-5岁", "rural")
    assert b.with_total("sex") == Breakdown(age_group="0-5岁", area="rural")
    assert b.with_total("age") == Breakdown(sex="female", area="rural")
    assert b.with_total("area") == Breakdown(sex="female", age_group="0-5岁")
    assert b.with_total("sex").with_total("age").with_total("area").is_total
    assert Breakdown().with_total("sex") == Breakdown()


@pytest.mark.parametrize("kwargs", [{"sex": "women"}, {"sex": "all"}, {"area": "total"}, {"area": "city"},
                                    {"age_group": ""}, {"age_group": " \u3000"}], ids=lambda k: repr(k))
def test_unknown_values_are_errors(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        Breakdown(**kwargs)


@pytest.mark.parametrize("dimension", ["age_group", "Sex", "region", ""])
def test_unknown_dimensions_are_errors(dimension: str) -> None:
    with pytest.raises(ValueError, match="unknown dimension"):
        Breakdown().value_of(dimension)
    with pytest.raises(ValueError, match="unknown dimension"):
        Breakdown().with_total(dimension)


def test_breakdowns_are_values() -> None:
    assert Breakdown("female") == Breakdown(sex="female")
    assert len({Breakdown(), Breakdown(), Breakdown(area="urban")}) == 2
    with pytest.raises(AttributeError):
        Breakdown().sex = "male"  # type: ignore[misc]


_BREAKDOWNS = st.builds(Breakdown, st.sampled_from(["total", "female", "male"]),
                        st.sampled_from(["all", *AGE_GROUPS[:6]]), st.sampled_from(["all", "urban", "rural"]))


@PROPERTY
@given(_BREAKDOWNS, st.sampled_from(DIMENSIONS))
def test_with_total_sets_one_dimension_only(breakdown: Breakdown, dimension: str) -> None:
    whole = breakdown.with_total(dimension)
    assert whole.value_of(dimension) == TOTALS[dimension]
    assert dimension not in whole.dimensions()
    assert set(breakdown.dimensions()) - {dimension} == set(whole.dimensions())
    assert whole.with_total(dimension) == whole


# --------------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------------


def test_labels_in_both_languages() -> None:
    assert [dimension_label(d) for d in DIMENSIONS] == ["性别", "年龄组", "城乡"]
    assert [part_label("sex", v) for v in ("total", "female", "male")] == ["男女合计", "女性", "男性"]
    assert [part_label("area", v) for v in ("all", "urban", "rural")] == ["城乡合计", "城镇", "农村"]
    assert part_label("age", "0-5岁") == "0-5岁"
    with use_locale("en"):
        assert dimension_label("area") == "urban/rural"
        assert part_label("sex", "female") == "female"
    with pytest.raises(ValueError):
        dimension_label("age_group")
