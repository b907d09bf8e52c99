"""Pure checks and exact conversions for reported values' units."""

from decimal import Decimal

from app.core.i18n import t

# Rates that are the same quantity at different scales: converting between them is exact.
_RATE_SCALE = {"%": Decimal("1e-2"), "‰": Decimal("1e-3"), "1/10万": Decimal("1e-5")}
_RATE_RANGE = {"%": Decimal(100), "‰": Decimal(1000), "1/10万": Decimal(100_000)}
_ALIASES = {"％": "%", "percent": "%", "/10万": "1/10万", "每10万": "1/10万", "1/100000": "1/10万", "‰": "‰"}
# Units whose values are levels or counts and can never be negative.
_NON_NEGATIVE = {"%", "‰", "1/10万", "岁", "张", "个", "名", "所", "人", "家", "次", "小时", "平方米", "万元", "元"}


class UnitMismatch(ValueError):
    pass


def canonical_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    cleaned = unit.strip()
    return _ALIASES.get(cleaned, cleaned) or None


def convert(value: float, from_unit: str | None, to_unit: str | None) -> float:
    """Express `value` given in `from_unit` in `to_unit`; only exact rescalings are allowed."""
    source, target = canonical_unit(from_unit), canonical_unit(to_unit)
    if source is None or target is None or source == target:
        return value
    if source in _RATE_SCALE and target in _RATE_SCALE:
        return float(Decimal(str(value)) * _RATE_SCALE[source] / _RATE_SCALE[target])
    raise UnitMismatch(t("unit {unit} cannot be converted to the target's unit {target}", unit=source, target=target))


def range_problem(value: float, unit: str | None) -> str | None:
    """Why a value is impossible in its unit (a percentage over 100, a negative rate), or None."""
    unit = canonical_unit(unit)
    if unit in _NON_NEGATIVE and value < 0:
        return t("must not be negative for unit {unit}", unit=unit)
    if unit in _RATE_RANGE and Decimal(str(value)) > _RATE_RANGE[unit]:
        return t("must be between 0 and {max} for unit {unit}", max=_RATE_RANGE[unit], unit=unit)
    return None
