"""An independent re-implementation of the Open SDG progress measure, to check the status rules against.

Written from the published methodology (Open SDG, "Progress measurement methodology"; Statistics Canada's
progress measure, after UNESCAP), not from app/status/rules.py, and sharing no code with it:

* the current value meets the target → ``target_achieved`` (checked first);
* otherwise the observed compound annual growth rate since the base year,
  ``CAGR_o = (x_t / x_0) ** (1 / (t - t_0)) - 1``, is compared with the rate required to reach the target by the
  target year, ``CAGR_r = (T / x_0) ** (1 / (Y - t_0)) - 1``: ``ratio = CAGR_o / CAGR_r``;
* ``ratio >= 0.95`` → ``on_track``, ``>= 0.6`` → ``progress_needs_acceleration``, ``>= 0`` →
  ``limited_progress``, else ``deterioration`` (the class names of Open SDG's sdg-build);
* a target of 0 is replaced by 0.001 (the growth rate to 0 is undefined).

Growth rates need positive values: a series with a zero or negative base or current value is ``not_computable``
(our reading: the methodology defines no class for it; its code divides by the base value).
"""

from dataclasses import dataclass

ZERO_TARGET = 0.001
LIMIT_HIGH = 0.95
LIMIT_LOW = 0.6

CLASSES = ("target_achieved", "on_track", "progress_needs_acceleration", "limited_progress", "deterioration",
           "not_computable")


@dataclass(frozen=True)
class Measure:
    progress: str  # one of CLASSES
    ratio: float | None  # CAGR_o / CAGR_r


def growth_rate(start: float, end: float, years: int) -> float:
    return (end / start) ** (1 / years) - 1


def measure(base_year: int, base_value: float, current_year: int, current_value: float, target: float,
            target_year: int, higher_is_better: bool) -> Measure:
    """The Open SDG progress class of one indicator with a numeric target."""
    achieved = current_value >= target if higher_is_better else current_value <= target
    if achieved:
        return Measure("target_achieved", None)
    target = ZERO_TARGET if target == 0 else target
    if base_value <= 0 or current_value <= 0 or target < 0 or current_year <= base_year:
        return Measure("not_computable", None)
    observed = growth_rate(base_value, current_value, current_year - base_year)
    required = growth_rate(base_value, target, target_year - base_year)
    if required == 0:  # the base value is the target and the current value misses it
        return Measure("deterioration", None)
    ratio = observed / required
    if ratio >= LIMIT_HIGH:
        return Measure("on_track", ratio)
    if ratio >= LIMIT_LOW:
        return Measure("progress_needs_acceleration", ratio)
    if ratio >= 0:
        return Measure("limited_progress", ratio)
    return Measure("deterioration", ratio)
