"""An independent re-implementation of the Open SDG progress measure, to check the status rules against.

Written from the published methodology (Open SDG, "Progress measurement methodology"; Statistics Canada's
progress measure, after UNESCAP) and checked against what its published code does (GitHub open-sdg/sdg-build,
``sdg/ProgressMeasure.py``: ``config_defaults``, ``methodology_2``, ``growth_calculation``,
``get_progress_status``), not from app/status/rules.py, and sharing no code with either:

* a target of 0 is replaced by 0.001 *before anything else* (``config_defaults``), so "achieved" for a target of
  0 means a current value ≤ 0.001 (lower is better) and the required growth rate is the one towards 0.001;
* the current value meets the (substituted) target → ``target_achieved`` (checked first);
* otherwise the observed compound annual growth rate since the base year,
  ``CAGR_o = (x_t / x_0) ** (1 / (t - t_0)) - 1``, is compared with the rate required to reach the target by the
  target year, ``CAGR_r = (T / x_0) ** (1 / (Y - t_0)) - 1``: ``ratio = CAGR_o / CAGR_r``;
* ``ratio >= 0.95`` → ``on_track``, ``>= 0.6`` → ``progress_needs_acceleration``, ``>= 0`` →
  ``limited_progress``, ``< 0`` → ``deterioration`` (the class names of sdg-build).

Zero and negative values. sdg-build does not test for them: the values are pandas (numpy float64) numbers, so the
formulas run with IEEE semantics — ``x / 0`` is ±inf (0 / 0 is NaN), and a negative number to a fractional power
is NaN (to the power 1, one year apart, it stays a real number). A NaN ratio fails every comparison in
``get_progress_status``, which then returns None, and the build writes no progress status for the indicator (its
callers only store a status that is not None). Here that is ``not_computable``: the measure gives no class, so it
contradicts no verdict short of "achieved" (which it checked first). What the real code yields, case by case
(target positive, not yet met):

* base 0: ``CAGR_r`` is inf and ``CAGR_o`` is ±inf or NaN → NaN → no class;
* base negative: ``T / x_0 < 0`` to the power ``1 / (Y - t_0)`` → NaN → no class;
* base positive, current 0: ``CAGR_o = -1`` → a real ratio (deterioration when the target lies above the base);
* base positive, current negative: NaN → no class, except one year apart (power 1) → a real, negative ratio;
* base equal to the (unmet) target: ``CAGR_r = 0`` and the ratio is ±inf (on track / deterioration) or NaN.
"""

import math
from dataclasses import dataclass

ZERO_TARGET = 0.001
LIMIT_HIGH = 0.95
LIMIT_LOW = 0.6

CLASSES = ("target_achieved", "on_track", "progress_needs_acceleration", "limited_progress", "deterioration",
           "not_computable")


@dataclass(frozen=True)
class Measure:
    progress: str  # one of CLASSES
    ratio: float | None  # CAGR_o / CAGR_r, when it is a number


def _divide(a: float, b: float) -> float:
    """IEEE division, as numpy does it: a / 0 is ±inf, 0 / 0 NaN."""
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _power(x: float, e: float) -> float:
    """IEEE pow for real numbers, as numpy does it: a negative base to a non-integer power is NaN (not complex)."""
    if math.isnan(x):
        return math.nan
    if x < 0 and not e.is_integer():
        return (math.inf if e > 0 else 0.0) if math.isinf(x) else math.nan
    return math.pow(x, e)


def growth_rate(start: float, end: float, years: float) -> float:
    return _power(_divide(end, start), 1 / years) - 1


def measure(base_year: int, base_value: float, current_year: int, current_value: float, target: float,
            target_year: int, higher_is_better: bool) -> Measure:
    """The Open SDG progress class of one indicator with a numeric target."""
    target = ZERO_TARGET if target == 0 else target
    achieved = current_value >= target if higher_is_better else current_value <= target
    if achieved:
        return Measure("target_achieved", None)
    if current_year <= base_year:  # sdg-build: fewer than two years, no measure
        return Measure("not_computable", None)
    observed = growth_rate(base_value, current_value, current_year - base_year)
    required = growth_rate(base_value, target, target_year - base_year)
    ratio = _divide(observed, required)
    if math.isnan(ratio):
        return Measure("not_computable", None)
    kept = ratio if math.isfinite(ratio) else None
    if ratio >= LIMIT_HIGH:
        return Measure("on_track", kept)
    if ratio >= LIMIT_LOW:
        return Measure("progress_needs_acceleration", kept)
    if ratio >= 0:
        return Measure("limited_progress", kept)
    return Measure("deterioration", kept)
