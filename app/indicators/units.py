"""Pure checks and exact conversions for the units of measure values are reported in."""

from decimal import Decimal
from functools import lru_cache

from app.core.i18n import t

# Rates and shares that are the same quantity at different scales: converting between them is exact.
_RATE_SCALE = {"%": Decimal("1e-2"), "‰": Decimal("1e-3"), "1/万": Decimal("1e-4"), "1/10万": Decimal("1e-5")}
_RATE_RANGE = {unit: 1 / scale for unit, scale in _RATE_SCALE.items()}
_RATE_RANGE_FLOAT = {unit: float(bound) for unit, bound in _RATE_RANGE.items()}  # exact: 100, 1000, 1e4, 1e5
_ALIASES = {"％": "%", "percent": "%", "百分之": "%", "‰": "‰", "1/1000": "‰", "1/千": "‰", "千分之": "‰",
            "/万": "1/万", "每万": "1/万", "1/10000": "1/万", "万分之": "1/万", "1/1万": "1/万",
            "/10万": "1/10万", "每10万": "1/10万", "1/100000": "1/10万", "十万分之": "1/10万"}
# Units whose values are levels or counts and can never be negative.
_NON_NEGATIVE = {*_RATE_SCALE, "岁", "张", "个", "名", "所", "人", "家", "次", "小时", "平方米", "万元", "元"}


class UnitMismatch(ValueError):
    pass


@lru_cache(maxsize=1024)  # pure; called several times for every value a write checks
def canonical_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    cleaned = unit.strip()
    return _ALIASES.get(cleaned, cleaned) or None


def convertible(from_unit: str | None, to_unit: str | None) -> bool:
    """Whether :func:`convert` can express values of one unit in the other."""
    source, target = canonical_unit(from_unit), canonical_unit(to_unit)
    return source is None or target is None or source == target or (source in _RATE_SCALE and target in _RATE_SCALE)


def finer_unit(unit: str | None, other: str | None) -> str | None:
    """Of two convertible rate units, the finer scale (1/10万 before 1/万, ‰, %): values stay whole numbers."""
    if unit in _RATE_SCALE and other in _RATE_SCALE:
        return unit if _RATE_SCALE[unit] <= _RATE_SCALE[other] else other
    return unit if unit is not None else other


def convert(value: float, from_unit: str | None, to_unit: str | None) -> float:
    """Express `value` given in `from_unit` in `to_unit`; only exact rescalings are allowed."""
    source, target = canonical_unit(from_unit), canonical_unit(to_unit)
    if source is None or target is None or source == target:
        return value
    if source in _RATE_SCALE and target in _RATE_SCALE:
        return float(Decimal(str(value)) * _RATE_SCALE[source] / _RATE_SCALE[target])
    raise UnitMismatch(t("unit {unit} cannot be converted to the indicator's unit {target} (convertible: %, ‰, "
                         "1/万 and 1/10万 among themselves)", unit=source, target=target))


def range_problem(value: float, unit: str | None) -> str | None:
    """Why a value is impossible in its unit (a percentage over 100, a negative rate), or None."""
    unit = canonical_unit(unit)
    if unit in _NON_NEGATIVE and value < 0:
        return t("must not be negative for unit {unit}", unit=unit)
    # The float comparison first: a float at most the (exactly representable) bound is written at most the bound.
    if unit in _RATE_RANGE and value > _RATE_RANGE_FLOAT[unit] and Decimal(str(value)) > _RATE_RANGE[unit]:
        return t("must be between 0 and {max} for unit {unit}", max=f"{_RATE_RANGE[unit]:f}", unit=unit)
    return None
