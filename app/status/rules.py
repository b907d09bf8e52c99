"""Status rules: the status, flags and explanation of one plan target or goal for one year.

Pure module: no I/O, no database, no web, no clock. The database service gathers the accepted (or, when asked,
provisional) values of a target and calls :func:`evaluate_target`; qualitative goals go through
:func:`evaluate_task`; a goal's status is :func:`worst` of its targets'. The methodology, with worked examples,
is in ``docs/status-rules.md``.

Method in one paragraph
=======================
Adapted from the UN Statistics Division SDG progress chart / Open SDG progress status: the latest value either
meets the target (已达标) or, once its year has reached the due year, does not (未达标). Before the due year the
latest value is projected to the due year at the compound annual growth rate observed since the baseline and
``progress = (projected - v_b) / (T - v_b)`` says which share of the baseline→target distance that projection
covers: ≥ 95 % 进展顺利, 10–95 % 预计达标困难, < 10 % or the wrong way 进展滞后. Change targets (每年降低1个百分点,
以2020年为基数下降20%) first turn into a required level; trend targets (逐步提高, 保持稳定) compare the latest value
with the baseline.

Decisions the product design leaves open (docs/domain.md) (each is repeated where it is implemented):

* Severity (worst first): not_achieved, off_track, at_risk, insufficient_data, no_data, on_track, achieved.
  Missing data ranks below every real warning (it must not hide one) but above on_track/achieved (a goal with
  one achieved and one unreported target is not achieved).
* Zero or negative values make the growth rate undefined: the projection falls back to the linear annual change
  ``(v_t - v_b) / (t - b)`` (Open SDG gives no class there). Projections of non-negative series are floored at
  0, and of a ``%`` series that stays within 0–100 capped at 100 (a coverage rate cannot exceed 100 %).
* Per-year change targets count as achieved when the latest value meets the requirement *for its own year*
  (the commitment is annual); the projection is compared with the requirement for the due year.
* Trend targets: met → achieved; not met at/after the due year → not_achieved; before it, no change (or, for
  保持稳定, a drift within twice the allowed band) → at_risk, a move the wrong way (or a larger drift) → off_track.
  保持稳定 allows ±5 % of the baseline unless the target carries a tolerance.
* 左右 without a tolerance uses the parser's default: 5 % of the value, at least 0.5 for % / 个百分点.
* Several observations for one year: the last one given wins (the caller resolves conflicts and sets the flag).
* The observation years decide "past due" (t ≥ Y), as the product design says: with no value for the due year yet,
  the last value is still projected.

Methodology 2026.3 (issue 13): targets of 0 (新生儿破伤风发病率为0, 因…死亡0例) are judged on growth rates, as
Open SDG does: 0 is reached when the value is 0 at the indicator's precision; before that, with positive values,
``progress = CAGR_o / CAGR_r``, the observed compound annual rate of change against the rate that brings the
baseline down to a small positive stand-in for 0 by the due year (half a unit of the indicator's precision, else
Open SDG's 0.001); ≥ 95 % on track, ≥ 10 % at risk (see :func:`_elimination_rates`). 2026.2 asked the linear
trend to reach 0, which a steady rate of decline never does and a short steep fall always did.

Methodology 2026.2 (issue 13; ``METHODOLOGY_VERSION`` is stored with every verdict):

* Tolerance: a target's tolerance widens every op on its short side; ≥100% / 全覆盖 without one: 1 point.
* Precision: a trend change within one unit of the reported precision (and 0.1 % of the baseline) is no change.
* Past milestones: asked after the due year, a target is judged on its due year's value (else the first later
  one), never projected into the past; a later value that no longer meets an achieved target adds ``slipped``.
* Baseline: the first value at or after the declared base year, never before it.
* Targets of 0: the linear projection must reach 0 (replaced in 2026.3).
* Volatility: a statistical test against the indicator's own history (see :func:`is_volatile`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations, pairwise

__all__ = [
    "LABELS",
    "OPS",
    "SEVERITY",
    "Evaluation",
    "Flag",
    "Observation",
    "Status",
    "TargetSpec",
    "applicable_targets",
    "evaluate_target",
    "evaluate_task",
    "format_value",
    "is_volatile",
    "project_value",
    "worst",
]


# ==================================================================================================
# Vocabulary
# ==================================================================================================


class Status(StrEnum):
    """Status of a target or goal for one year."""

    achieved = "achieved"
    not_achieved = "not_achieved"
    on_track = "on_track"
    at_risk = "at_risk"
    off_track = "off_track"
    insufficient_data = "insufficient_data"
    no_data = "no_data"


LABELS: dict[Status, str] = {
    Status.achieved: "已达标",
    Status.not_achieved: "未达标",
    Status.on_track: "进展顺利",
    Status.at_risk: "预计达标困难",
    Status.off_track: "进展滞后",
    Status.insufficient_data: "数据不足",
    Status.no_data: "无数据",
}

# Worst first. A missed target outranks a projected miss, which outranks a slow one. Missing data comes after
# every real warning, so a goal with one off_track and one unreported target shows the warning, but before
# on_track/achieved, so a goal with one achieved and one unreported target is not reported as achieved.
# insufficient_data outranks no_data: a value that was reported but cannot yet be judged needs the office's
# attention (ask for the base-year value) more than a target nobody has reported on yet.
SEVERITY: tuple[Status, ...] = (
    Status.not_achieved,
    Status.off_track,
    Status.at_risk,
    Status.insufficient_data,
    Status.no_data,
    Status.on_track,
    Status.achieved,
)
_RANK: dict[Status, int] = {status: rank for rank, status in enumerate(SEVERITY)}


class Flag(StrEnum):
    """Remarks shown beside a status."""

    volatile = "volatile"  # 波动较大
    provisional = "provisional"  # uses a value not yet accepted
    conflict = "conflict"  # units reported different values (set by the caller)
    overdue = "overdue"  # lead unit has not submitted after the due date (set by the caller)
    review = "review"  # the target as parsed needs a human look
    slipped = "slipped"  # a milestone achieved in its due year, no longer met by a later value


FLAG_CLAUSES: dict[Flag, str] = {
    Flag.conflict: "；各单位报送的数值不一致",
    Flag.overdue: "；牵头单位逾期未报送",
    Flag.provisional: "；数据尚未审核采纳（暂定）",
    Flag.review: "；该目标的解析需人工复核",
    Flag.volatile: "；年度变化波动较大",
    Flag.slipped: "；目标年之后数值回落，未保持目标水平",
}

OPS = (">=", ">", "<=", "<", "≈", "==", "increase", "decrease", "maintain")
TREND_OPS = frozenset({"increase", "decrease", "maintain"})
_UP_OPS = frozenset({">=", ">"})
_DOWN_OPS = frozenset({"<=", "<"})
# A change bound turns into a level bound; for a downward change the inequality flips
# ("下降1个百分点以上" = level <= baseline - 1).
_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "≈": "≈", "==": "=="}

# ==================================================================================================
# Parameters (documented in docs/status-rules.md)
# ==================================================================================================

ON_TRACK_PROGRESS = 0.95  # projected share of the baseline→target distance for 进展顺利 (UNSD "on track")
AT_RISK_PROGRESS = 0.10  # below this share (or the wrong way): 进展滞后

APPROX_REL_TOLERANCE = 0.05  # 左右 without a tolerance: ±5 % of the value …
APPROX_MIN_TOLERANCE = 0.5  # … but at least ±0.5 for % and 个百分点 (same default as the target parser)
MAINTAIN_REL_BAND = 0.05  # 保持稳定: the latest value stays within ±5 % of the baseline (or ± tolerance)
MAINTAIN_AT_RISK_FACTOR = 2.0  # 保持稳定 not met: drift within 2× the band → at_risk, beyond → off_track

METHODOLOGY_VERSION = "2026.3"  # stored with every verdict; a new version republishes them (python -m app migrate)

# A target of 0 (lower is better): the growth rate is judged towards this stand-in for 0 in the target's unit, as
# Open SDG does (sdg-build replaces a target of 0 by 0.001), unless the target's tolerance or its indicator's
# precision says which values count as 0 (then the largest of them: half a unit of the last decimal).
ZERO_TARGET_SUBSTITUTE = 0.001
FULL_TARGET_TOLERANCE = 1.0  # ≥100% / 全覆盖 without a tolerance: met within 1 point (UNSD counts ~99 % as met)
TREND_MIN_REL_CHANGE = 0.001  # a trend needs a change beyond the reported precision and 0.1 % of the baseline
MIN_INFERRED_DECIMALS = 1  # without the indicator's precision, whole numbers are read as exact to 0.1
MAX_DECIMALS = 6  # decimals read from a reported value (more is floating-point noise from unit conversion)

# 波动较大 (see is_volatile and docs/status-rules.md; rates checked by simulation in tests/status/test_volatility.py)
VOLATILE_MIN_CHANGES = 4  # earlier annual changes needed to know the indicator's own scale (without counts)
VOLATILE_Z = 2.2  # the latest value is this many standard errors from its expected value …
VOLATILE_SMALL_SAMPLE = 1.0  # … × (1 + this / number of earlier changes): the scale itself is an estimate
VOLATILE_ANCHOR_YEARS = 3  # expected value: median of the last 3 earlier values carried forward by the trend
VOLATILE_POISSON_YEARS = 5  # with counts: the mean of the last 5 earlier values is the expected value …
VOLATILE_POISSON_Z = 2.4  # … and the Poisson standard error (at least one event) the scale
VOLATILE_MIN_STEPS = 3  # and never for a change of fewer than 3 units of the reported precision
VOLATILE_ANCHOR_VARIANCE = 0.5  # variance of the anchor, in units of one value's variance (median of 3)
MAD_TO_SD = 1.2533  # mean absolute deviation → standard deviation (normal noise): sqrt(pi / 2)
RATE_SCALES: dict[str, float] = {"%": 100.0, "‰": 1000.0, "‱": 10000.0, "1/1000": 1000.0, "1/万": 1e4,
                                 "1/10万": 1e5}

EPSILON = 1e-9  # relative tolerance for "equal" (== targets, derived requirements such as 52 - 3 × 1)
_MAX_LOG = 700.0  # exp() overflow guard for runaway growth-rate projections

_TASK_PROGRESS: dict[str, tuple[Status, str]] = {
    "completed": (Status.achieved, "牵头单位报告任务已完成"),
    "on_schedule": (Status.on_track, "牵头单位报告任务按计划推进"),
    "delayed": (Status.at_risk, "牵头单位报告任务进度滞后"),
    "not_started": (Status.off_track, "牵头单位报告任务尚未启动"),
}


# ==================================================================================================
# Data
# ==================================================================================================


@dataclass(frozen=True)
class TargetSpec:
    """One numeric or trend target, as stored (ops as in docs/domain.md)."""

    metric: str
    op: str  # ">=", ">", "<=", "<", "≈", "==", "increase", "decrease", "maintain"
    value: float | None  # None for trend ops
    unit: str | None  # "%", "‰", "1/10万", "个百分点", "岁", "张", ...
    due_year: int  # milestone year, else the plan's end year
    per_year: bool = False  # annual change: "每年降低1个百分点以上"
    baseline_year: int | None = None  # change relative to a base year: "以2020年为基数下降20%"
    baseline_value: float | None = None  # declared baseline value, when the plan gives one
    tolerance: float | None = None  # for "≈" (左右), absolute, same unit
    direction: str | None = None  # "up"/"down" for change targets, None otherwise
    review: bool = False  # the parse needs a human look
    precision: int | None = None  # decimals a change must exceed to count (the indicator's); None: as reported

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"unknown target op {self.op!r}; expected one of {', '.join(OPS)}")
        if self.direction not in (None, "up", "down"):
            raise ValueError(f"unknown direction {self.direction!r}; expected 'up', 'down' or None")


@dataclass(frozen=True)
class Observation:
    """One value of a target's metric for one year."""

    year: int
    value: float
    provisional: bool = False  # submitted but not accepted
    denominator: float | None = None  # population the rate is computed on (live births …), when known


@dataclass(frozen=True)
class Evaluation:
    """Status of one target (or qualitative goal) with the values and the rule behind it."""

    status: Status
    label: str  # LABELS[status]
    flags: tuple[Flag, ...]  # sorted, unique
    rule: str  # stable id of the rule applied, e.g. "threshold.projection"
    explanation: str  # one Chinese sentence
    required: float | None  # value required in the due year (derived for change targets)
    projected: float | None  # value projected to the due year, when a projection was made
    baseline: Observation | None
    latest: Observation | None
    progress: float | None  # projected share of the baseline→target distance covered (target 0: CAGR_o / CAGR_r)
    methodology: str = METHODOLOGY_VERSION


@dataclass(frozen=True)
class _Outcome:
    """What a rule found, before flags and the closing label are added."""

    status: Status
    rule: str
    text: str  # explanation without the closing label, flag clauses and 。
    required: float | None = None
    projected: float | None = None
    baseline: Observation | None = None
    latest: Observation | None = None
    progress: float | None = None


# ==================================================================================================
# Formatting
# ==================================================================================================


def format_number(x: float) -> str:
    """``7`` not ``7.0``, ``7.55`` not ``7.5506``: at most 2 decimals, no trailing zeros, no ``-0``."""
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if abs(x) >= 1e12:  # runaway projections: keep the sentence readable
        return f"{x:.3g}"
    text = f"{round(x, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(x: float, unit: str | None) -> str:
    """A number with its unit as written: 7 + "1/10万" → "7/10万", 80 + "%" → "80%", 12 + "岁" → "12岁"."""
    return _with_unit(format_number(x), unit)


def _format_bound(x: float, unit: str | None) -> str:
    """A tolerance or stand-in as given, even under 0.01 (0.005‰, not 0.01‰): it is a parameter, not a value."""
    return _with_unit(f"{x:g}" if 0 < abs(x) < 0.01 else format_number(x), unit)


def _with_unit(number: str, unit: str | None) -> str:
    if not unit:
        return number
    if unit.startswith("1/"):  # 1/10万, 1/1000: the "1" is the numerator
        return number + unit[1:]
    return number + unit


def _delta_unit(unit: str | None) -> str | None:
    """Unit of a difference between two values: differences of percentages are 个百分点."""
    return "个百分点" if unit == "%" else unit


def _metric_unit(change_unit: str | None) -> str | None:
    """Unit of the metric behind a change target: 个百分点 → the metric is a %; a % change says nothing."""
    if change_unit == "个百分点":
        return "%"
    if change_unit == "%":
        return None
    return change_unit


def _default_tolerance(value: float, unit: str | None) -> float:
    """Tolerance of 左右 when the target has none (same rule as the target parser)."""
    tolerance = abs(value) * APPROX_REL_TOLERANCE
    if unit in ("%", "个百分点"):
        tolerance = max(tolerance, APPROX_MIN_TOLERANCE)
    return tolerance


def _metric_name(target: TargetSpec) -> str:
    # The explanation must stay one sentence.
    return target.metric.strip().replace("。", "") or "该指标"


# ==================================================================================================
# Criteria: "does a value meet the target?"
# ==================================================================================================


def _eps(*values: float) -> float:
    return EPSILON * max(1.0, *(abs(v) for v in values))


@dataclass(frozen=True)
class _Criterion:
    """A level the value must reach, stay under, or stay near."""

    op: str  # ">=", ">", "<=", "<", "≈", "=="
    value: float
    tolerance: float = 0.0  # for ≈
    unit: str | None = None  # unit of the metric's values (for text and the 100 % cap)

    @property
    def sign(self) -> int:
        """+1 when higher is better, -1 when lower is better, 0 for ≈ / ==."""
        return 1 if self.op in _UP_OPS else -1 if self.op in _DOWN_OPS else 0

    def meets(self, v: float) -> bool:
        """The tolerance widens every op on the side that falls short (≥100% within 1 point: 99 meets it)."""
        t, eps, tol = self.value, _eps(v, self.value), self.tolerance
        match self.op:
            case ">=":
                return v >= t - tol - eps
            case ">":
                return v > t - tol + eps
            case "<=":
                return v <= t + tol + eps
            case "<":
                return v < t + tol - eps
            case _:  # "≈", "=="
                return abs(v - t) <= tol + eps

    def describe(self) -> str:
        """The target value as shown after 目标/要求: "7/10万", "42%左右（±2.1个百分点）", "100%（允许误差1个百分点）".
        """
        text = format_value(self.value, self.unit)
        if self.op == "≈":
            text += f"左右（±{format_value(self.tolerance, _delta_unit(self.unit))}）"
        elif self.tolerance:
            text += f"（允许误差{_format_bound(self.tolerance, _delta_unit(self.unit))}）"
        return text

    def relation(self, v: float, goal: str) -> str:
        """How v compares with the goal phrase: "高于2025年目标7/10万", "在…的范围内"."""
        t, eps = self.value, _eps(v, self.value)
        if self.op == "≈":
            if self.meets(v):
                return f"在{goal}的范围内"
            return f"{'高于' if v > t else '低于'}{goal}的范围"
        if self.tolerance and self.meets(v) and not _Criterion(self.op, t, 0.0, self.unit).meets(v):
            return f"在{goal}的范围内"
        if v > t + eps:
            return f"高于{goal}"
        if v < t - eps:
            return f"低于{goal}"
        return f"达到{goal}" if self.meets(v) else f"仅与{goal}持平"

    def moved_away(self, v_b: float, v_t: float) -> bool:
        """True when the change from v_b to v_t goes against the target."""
        if self.sign:
            return self.sign * (v_t - v_b) < -_eps(v_b, v_t)
        return abs(v_t - self.value) > abs(v_b - self.value) + _eps(v_b, v_t)


# ==================================================================================================
# Series, baseline, projection
# ==================================================================================================


def _series(observations: Iterable[Observation], year: int | None = None) -> list[Observation]:
    """Observations up to ``year``, one per year (the last one given wins), oldest first."""
    by_year: dict[int, Observation] = {}
    for obs in observations:
        if year is None or obs.year <= year:
            by_year[obs.year] = obs
    return [by_year[y] for y in sorted(by_year)]


def _resolve_baseline(target: TargetSpec, series: list[Observation], *, base_year_required: bool) -> Observation | None:
    """The declared baseline, else the value at the base year, else (when allowed) the first value at or after the
    base year — never one before it (a value older than the plan's base does not describe its starting point)."""
    if target.baseline_year is not None:
        if target.baseline_value is not None:
            return Observation(target.baseline_year, target.baseline_value)
        if base_year_required:
            return next((obs for obs in series if obs.year == target.baseline_year), None)
        return next((obs for obs in series if obs.year >= target.baseline_year), None)
    return series[0] if series else None


def _decimals(x: float) -> int:
    """Decimals of a reported value: 69.4 → 1, 69.39 → 2 (at most MAX_DECIMALS)."""
    for decimals in range(MAX_DECIMALS + 1):
        if abs(x - round(x, decimals)) <= 1e-9 * max(1.0, abs(x)):
            return decimals
    return MAX_DECIMALS


def resolution(values: Iterable[float], precision: int | None = None) -> float:
    """One unit of the last decimal: the indicator's precision when set, else the finest reported value's, with at
    least ``MIN_INFERRED_DECIMALS`` (whole numbers are often exact counts: 10 → 11 个 is a real change)."""
    decimals = precision if precision is not None else max(
        MIN_INFERRED_DECIMALS, *(_decimals(v) for v in values))
    return 10.0 ** -min(decimals, MAX_DECIMALS)


def project_value(baseline: Observation, latest: Observation, year: int, unit: str | None = None) -> float:
    """Value expected in ``year`` if the change observed from baseline to latest goes on.

    Compound annual growth rate (UNSD progress chart / Open SDG): ``CAGR = (v_t / v_b) ** (1 / (t - b)) - 1``,
    ``projected = v_t * (1 + CAGR) ** (year - t)``. The rate is undefined when a value is zero or negative: the
    linear annual change is used instead. A non-negative series is not projected below 0, and a ``%`` series
    within 0–100 not above 100.
    """
    span = latest.year - baseline.year
    if span <= 0:
        raise ValueError("the baseline must be older than the latest value")
    ahead = year - latest.year
    v_b, v_t = baseline.value, latest.value
    if v_b > 0 and v_t > 0:
        # Log space: the same formula, without overflow for runaway rates.
        log_projected = math.log(v_t) + ahead / span * math.log(v_t / v_b)
        projected = math.exp(min(log_projected, _MAX_LOG))
    else:
        projected = v_t + (v_t - v_b) / span * ahead
    if v_b >= 0 and v_t >= 0:
        projected = max(projected, 0.0)
    if unit == "%" and v_b <= 100 and v_t <= 100:
        projected = min(projected, 100.0)
    return projected


def _progress(criterion: _Criterion, v_b: float, projected: float) -> float | None:
    """Projected share of the baseline→target distance covered; None when there is no distance to cover.

    For ≈ it is the share of the initial gap closed (overshooting the band counts against it); for the other ops
    ``(projected - v_b) / (T - v_b)``. None when the baseline already met the target (so the latest value, which
    does not, has slipped back) — that case is off track unless the projection meets the target again.
    """
    target = criterion.value
    if criterion.op == "≈":
        start = abs(target - v_b)
        if start <= criterion.tolerance:
            return None
        return 1.0 - abs(projected - target) / start
    gap = target - v_b
    # For == the side of the baseline decides the direction (a 100 % target is approached from below).
    sign = criterion.sign or (1 if gap > 0 else -1)
    if sign * gap <= _eps(target, v_b):
        return None
    return (projected - v_b) / gap


def _classify(progress: float | None, projection_meets: bool) -> Status:
    """on_track / at_risk / off_track from the projected progress (thresholds 95 % and 10 %)."""
    if projection_meets:
        return Status.on_track
    if progress is None:
        return Status.off_track
    if progress >= ON_TRACK_PROGRESS:
        return Status.on_track
    if progress >= AT_RISK_PROGRESS:
        return Status.at_risk
    return Status.off_track


def _project(
    kind: str,
    criterion: _Criterion,
    baseline: Observation,
    latest: Observation,
    due_year: int,
    head: str,
    due_goal: str | None = None,
) -> _Outcome:
    """Status before the due year from the projection; ``due_goal`` names the due-year requirement if new."""
    projected = project_value(baseline, latest, due_year, criterion.unit)
    rates = _elimination_rates(criterion, baseline, latest, due_year)
    progress: float | None
    if rates is not None:
        observed, required, progress = rates
        trend = f"年均{'下降' if observed < 0 else '上升'}{_percent(abs(observed))}" if observed else "没有下降"
        text = (f"{head}；{baseline.year}年以来{trend}，而{due_year}年降至0"
                f"（按{_format_bound(_zero_stand_in(criterion), criterion.unit)}计）需年均下降{_percent(-required)}")
        if observed < 0:
            text += f"，为所需降速的{_percent(progress)}"
    else:
        progress = _progress(criterion, baseline.value, projected)
        text = (f"{head}；按{baseline.year}年以来的年均变化推算，"
                f"{due_year}年约为{format_value(projected, criterion.unit)}")
        if due_goal is not None:
            text += f"，{criterion.relation(projected, due_goal)}"
    status = _classify(progress, criterion.meets(projected))
    if status is Status.off_track and criterion.moved_away(baseline.value, latest.value):
        text += "，变化方向与目标相反" if criterion.sign else "，与目标的差距在扩大"
    return _Outcome(status, f"{kind}.projection", text, criterion.value, projected, baseline, latest, progress)


def _percent(share: float) -> str:
    return format_number(100 * share) + "%"


def _is_elimination(criterion: _Criterion) -> bool:
    """A target of 0 with lower is better (新生儿破伤风发病率为0, 消除); 0 左右 is a band, judged as any other."""
    return criterion.value == 0 and criterion.sign <= 0 and criterion.op != "≈"


def _zero_stand_in(criterion: _Criterion) -> float:
    """The positive value a growth rate towards 0 aims at: the largest value that counts as 0, else 0.001."""
    return criterion.tolerance or ZERO_TARGET_SUBSTITUTE


def _elimination_rates(criterion: _Criterion, baseline: Observation, latest: Observation,
                       due_year: int) -> tuple[float, float, float] | None:
    """(observed CAGR, required CAGR, their ratio) for a target of 0, as Open SDG measures it.

    A constant rate of decline never reaches 0 and a linear trend reaches it after any steep fall, so neither a
    share of the distance nor a linear projection can judge elimination. The growth rate can: the value must
    fall each year by the rate that takes the baseline to a small positive stand-in for 0 by the due year;
    ``CAGR_o / CAGR_r`` is how much of that rate the observed one delivers (1 on the required path, negative
    the wrong way). None when this is no elimination target, a value is not positive (no growth rate: the
    general rule decides) or the baseline is already at the stand-in.
    """
    if not _is_elimination(criterion):
        return None
    v_b, v_t, stand_in = baseline.value, latest.value, _zero_stand_in(criterion)
    if v_t <= 0 or v_b <= stand_in:
        return None
    observed = (v_t / v_b) ** (1 / (latest.year - baseline.year)) - 1
    required = (stand_in / v_b) ** (1 / (due_year - baseline.year)) - 1
    return observed, required, observed / required


def _no_data(kind: str, target: TargetSpec, year: int, required: float | None = None) -> _Outcome:
    baseline = _resolve_baseline(target, [], base_year_required=True)
    text = f"截至{year}年暂无已采纳的{_metric_name(target)}数据"
    return _Outcome(Status.no_data, f"{kind}.no_data", text, required, baseline=baseline)


# ==================================================================================================
# The three kinds of numeric target
# ==================================================================================================


def _is_change(target: TargetSpec) -> bool:
    """A change target: per year, or relative to a base year with a direction."""
    return target.op not in TREND_OPS and (target.per_year or target.direction is not None)


def _level_tolerance(target: TargetSpec) -> float:
    """The target's tolerance; 左右 without one: the parser's default; ≥100% / 全覆盖 without one: 1 point; a
    target of 0 with the indicator's precision: half its last decimal (a value reported as 0 is 0)."""
    assert target.value is not None
    if target.tolerance is not None:
        return target.tolerance
    if target.op == "≈":
        return _default_tolerance(target.value, target.unit)
    if target.op in (">=", "==") and target.value == 100 and target.unit == "%":
        return FULL_TARGET_TOLERANCE
    if target.value == 0 and target.op in ("<=", "==") and target.precision is not None:
        return 0.5 * 10.0 ** -target.precision  # 0 at the indicator's precision: what is reported as 0
    return 0.0


def _evaluate_level(target: TargetSpec, series: list[Observation], year: int) -> _Outcome:
    """A level target: 控制在7/10万以下, 达80%以上, 42%左右, 100%."""
    metric = _metric_name(target)
    if target.value is None:
        return _Outcome(Status.insufficient_data, "threshold.invalid_target", f"{metric}的目标缺少数值，无法判断")
    criterion = _Criterion(target.op, float(target.value), abs(_level_tolerance(target)), target.unit)
    if not series:
        return _no_data("threshold", target, year, criterion.value)

    latest = series[-1]
    # For a level target the baseline only feeds the projection: when the declared base year has no value the
    # first value after it is a fair substitute.
    baseline = _resolve_baseline(target, series, base_year_required=False)
    goal = f"{target.due_year}年目标{criterion.describe()}"
    latest_text = f"{latest.year}年{metric}为{format_value(latest.value, target.unit)}"
    head = f"{latest_text}，{criterion.relation(latest.value, goal)}"

    def outcome(status: Status, step: str, text: str = head) -> _Outcome:
        return _Outcome(status, f"threshold.{step}", text, criterion.value, None, baseline, latest)

    if criterion.meets(latest.value):
        return outcome(Status.achieved, "met")
    if latest.year >= target.due_year:
        return outcome(Status.not_achieved, "past_due")
    if baseline is None or baseline.year >= latest.year:
        return outcome(
            Status.insufficient_data,
            "insufficient_data",
            f"{head}；仅有{latest.year}年的数据，没有更早的基数，无法推算{target.due_year}年的数值",
        )
    return _project("threshold", criterion, baseline, latest, target.due_year, head)


def _change_criterion(target: TargetSpec, baseline: Observation, year: int) -> _Criterion:
    """The level required in ``year`` by a change target.

    per year, 个百分点 (or another absolute unit): v_b ∓ value × (year - b);
    per year, %: v_b × (1 ∓ value/100)^(year - b);
    relative to a base year: the same with one step, whatever the year.
    """
    assert target.value is not None and target.direction is not None
    steps = year - baseline.year if target.per_year else 1
    sign = 1 if target.direction == "up" else -1
    if target.unit == "%":
        required = baseline.value * (1 + sign * target.value / 100) ** steps
    else:
        required = baseline.value + sign * target.value * steps
    op = target.op if sign > 0 else _FLIP[target.op]
    unit = _metric_unit(target.unit)
    tolerance = 0.0
    if target.op == "≈":
        # The tolerance bounds the size of the change (每年降低1个百分点左右: ±0.5 point), in the change's unit.
        tolerance = target.tolerance if target.tolerance is not None else _default_tolerance(target.value, target.unit)
        if target.unit == "%":  # a tolerance on a relative change, turned into the metric's unit
            tolerance = abs(baseline.value) * tolerance / 100
    return _Criterion(op, float(required), abs(tolerance), unit)


def _change_wording(target: TargetSpec, baseline: Observation | None) -> str:
    """The change as the plan says it: "在2020年52%的基础上每年降低1个百分点以上"."""
    assert target.value is not None
    verb = "提高" if target.direction == "up" else "降低" if target.per_year else "下降"
    bound = {">=": "以上", ">": "以上", "<=": "以内", "<": "以内", "≈": "左右"}.get(target.op, "")
    change = f"{verb}{format_value(target.value, target.unit)}{bound}"
    base_year = baseline.year if baseline is not None else target.baseline_year
    base = "" if baseline is None else format_value(baseline.value, _metric_unit(target.unit))
    if target.per_year:
        where = f"在{base_year}年{base}的基础上" if base_year is not None else ""
        return f"{where}每年{change}"
    return f"以{base_year}年{base}为基数{change}"


def _evaluate_change(target: TargetSpec, series: list[Observation], year: int) -> _Outcome:
    """A change target: 每年降低1个百分点以上, 以2020年为基数下降20%."""
    kind = "change.per_year" if target.per_year else "change.baseline"
    metric = _metric_name(target)
    unit = _metric_unit(target.unit)
    if target.value is None or target.direction is None:
        what = "变化幅度" if target.value is None else "变化方向"
        return _Outcome(Status.insufficient_data, f"{kind}.invalid_target", f"{metric}的目标缺少{what}，无法判断")
    if not series:
        return _no_data(kind, target, year)

    latest = series[-1]
    # The base year defines the target: a value from another year would not do.
    baseline = _resolve_baseline(target, series, base_year_required=True)
    wording = _change_wording(target, baseline)
    latest_text = f"{latest.year}年{metric}为{format_value(latest.value, unit)}"
    if baseline is None:
        text = f"{latest_text}，但缺少{target.baseline_year}年基数，无法按“{wording}”计算应达到的数值"
        return _Outcome(Status.insufficient_data, f"{kind}.missing_baseline", text, latest=latest)
    if latest.year <= baseline.year:
        text = (f"{metric}仅有{baseline.year}年基数{format_value(baseline.value, unit)}，"
                f"尚无此后年份的数据，无法判断“{wording}”的完成情况")
        return _Outcome(Status.insufficient_data, f"{kind}.insufficient_data", text, baseline=baseline, latest=latest)

    # Annual commitments are checked against the requirement of the value's own year (capped at the due year).
    check_year = min(latest.year, target.due_year)
    now = _change_criterion(target, baseline, check_year)
    due = _change_criterion(target, baseline, target.due_year)
    requirement = f"按“{wording}”计算的{check_year if target.per_year else target.due_year}年要求{now.describe()}"
    head = f"{latest_text}，{now.relation(latest.value, requirement)}"
    if now.meets(latest.value):
        return _Outcome(Status.achieved, f"{kind}.met", head, due.value, None, baseline, latest)
    if latest.year >= target.due_year:
        return _Outcome(Status.not_achieved, f"{kind}.past_due", head, due.value, None, baseline, latest)
    due_goal = f"{target.due_year}年要求{due.describe()}" if target.per_year else None
    return _project(kind, due, baseline, latest, target.due_year, head, due_goal)


_TREND_WORDS = {"increase": ("逐步提高", "提高"), "decrease": ("逐步下降", "下降"), "maintain": ("保持稳定", "")}


def _evaluate_trend(target: TargetSpec, series: list[Observation], year: int) -> _Outcome:
    """A trend target (逐步提高, 明显下降, 保持稳定): the latest value against the baseline."""
    metric = _metric_name(target)
    unit = target.unit
    goal_words, verb = _TREND_WORDS[target.op]
    if not series:
        return _no_data("trend", target, year)
    latest = series[-1]
    baseline = _resolve_baseline(target, series, base_year_required=True)
    latest_text = f"{latest.year}年{metric}为{format_value(latest.value, unit)}"
    if baseline is None:
        text = f"{latest_text}，但缺少{target.baseline_year}年基数，无法判断是否{goal_words}"
        return _Outcome(Status.insufficient_data, "trend.missing_baseline", text, latest=latest)
    if latest.year <= baseline.year:
        text = f"{metric}仅有{latest.year}年的数据，尚无法判断是否{goal_words}"
        return _Outcome(Status.insufficient_data, "trend.insufficient_data", text, baseline=baseline, latest=latest)

    v_b, v_t = baseline.value, latest.value
    delta = v_t - v_b
    eps = _eps(v_b, v_t)
    base_text = f"{baseline.year}年的{format_value(v_b, unit)}"
    past_due = latest.year >= target.due_year

    if target.op == "maintain":
        band = abs(target.tolerance) if target.tolerance is not None else MAINTAIN_REL_BAND * abs(v_b)
        drift = abs(delta)
        head = (f"{latest_text}，与{base_text}相比变动{format_value(drift, _delta_unit(unit))}"
                f"（允许±{format_value(band, _delta_unit(unit))}）")
        if drift <= band + eps:
            status = Status.achieved
            head += "，保持稳定"
        elif past_due:
            status = Status.not_achieved
        else:
            status = Status.at_risk if drift <= MAINTAIN_AT_RISK_FACTOR * band + eps else Status.off_track
        return _Outcome(status, "trend.compare", head, baseline=baseline, latest=latest)

    sign = 1 if target.op == "increase" else -1
    # A change within the reported precision (or under 0.1 % of the baseline) is rounding, not progress.
    noise = max(resolution((v_b, v_t), target.precision), TREND_MIN_REL_CHANGE * abs(v_b))
    if abs(delta) <= eps:
        head = f"{latest_text}，与{base_text}持平，尚未{verb}"
        status = Status.not_achieved if past_due else Status.at_risk  # no change yet: a warning, not a reversal
    elif abs(delta) <= noise + eps:
        head = (f"{latest_text}，与{base_text}相比仅变动{format_value(abs(delta), _delta_unit(unit))}，"
                f"未超出数据精度（{format_value(noise, _delta_unit(unit))}），尚未{verb}")
        status = Status.not_achieved if past_due else Status.at_risk
    else:
        moved = f"{'高于' if delta > 0 else '低于'}{base_text}"
        if sign * delta > 0:
            head = f"{latest_text}，{moved}，符合{goal_words}的目标"
            status = Status.achieved
        else:
            head = f"{latest_text}，{moved}，与{goal_words}的目标方向相反"
            status = Status.not_achieved if past_due else Status.off_track
    return _Outcome(status, "trend.compare", head, baseline=baseline, latest=latest)


# ==================================================================================================
# Public entry points
# ==================================================================================================


def _finish(outcome: _Outcome, flags: Iterable[Flag], notes: Mapping[Flag, str] | None = None) -> Evaluation:
    """Add the closing label and the flag clauses (with the caller's notes); one sentence ending in 。."""
    ordered = tuple(sorted({Flag(f) for f in flags}))
    label = LABELS[outcome.status]
    conclusion = f"记为{label}" if outcome.status in (Status.no_data, Status.insufficient_data) else label
    clauses = "".join(FLAG_CLAUSES[f] + (notes or {}).get(f, "") for f in ordered)
    return Evaluation(
        status=outcome.status,
        label=label,
        flags=ordered,
        rule=outcome.rule,
        explanation=f"{outcome.text}，{conclusion}{clauses}。",
        required=outcome.required,
        projected=outcome.projected,
        baseline=outcome.baseline,
        latest=outcome.latest,
        progress=outcome.progress,
    )


def evaluate_target(
    target: TargetSpec,
    observations: Sequence[Observation],
    year: int,
    *,
    extra_flags: Iterable[Flag] = (),
    notes: Mapping[Flag, str] | None = None,
) -> Evaluation:
    """Status of one target in ``year`` from its observations up to that year.

    ``extra_flags`` carries what only the caller knows (``conflict``, ``overdue``), ``notes`` what to add to a
    flag's clause (e.g. which report is overdue); ``volatile``, ``provisional`` and ``review`` are added here.
    """
    series = _series(observations, year)
    flags = set(extra_flags)
    notes = dict(notes or {})
    if year > target.due_year:
        outcome = _evaluate_milestone(target, series, year, flags, notes)
    else:
        outcome = _evaluate_kind(target, series, year)

    # A baseline value without its year cannot anchor a growth rate; it is ignored and the target needs a look.
    if target.review or outcome.rule.endswith(".invalid_target") or (
        target.baseline_value is not None and target.baseline_year is None
    ):
        flags.add(Flag.review)
    if is_volatile(series, _value_unit(target), target.precision):
        flags.add(Flag.volatile)
    if any(obs is not None and obs.provisional for obs in (outcome.baseline, outcome.latest)):
        flags.add(Flag.provisional)
    return _finish(outcome, flags, notes)


def _evaluate_kind(target: TargetSpec, series: list[Observation], year: int) -> _Outcome:
    if target.op in TREND_OPS:
        return _evaluate_trend(target, series, year)
    if _is_change(target):
        return _evaluate_change(target, series, year)
    return _evaluate_level(target, series, year)


def _value_unit(target: TargetSpec) -> str | None:
    """The unit of the metric's values (a change target's unit is the change's)."""
    return _metric_unit(target.unit) if _is_change(target) else target.unit


def _evaluate_milestone(target: TargetSpec, series: list[Observation], year: int, flags: set[Flag],
                        notes: dict[Flag, str]) -> _Outcome:
    """A target asked about after its due year: judged on what happened in the due year, never projected.

    The value that counts is the due year's, else the first one after it. Achieved stays achieved; a later value
    that no longer meets the target adds the ``slipped`` flag (naming it) rather than rewriting the milestone.
    Only values before the due year: achieved if one met the target, else 数据不足 (nothing says what happened).
    """
    due = target.due_year
    upto = [obs for obs in series if obs.year <= due]
    after = [obs for obs in series if obs.year > due]
    if not (upto and upto[-1].year == due) and after:
        upto, after = [*upto, after[0]], after[1:]
    judged = upto[-1].year if upto else due
    outcome = _evaluate_kind(target, upto, max(judged, due) if upto else year)
    if upto and judged < due and outcome.status not in (Status.achieved, Status.insufficient_data):
        metric = _metric_name(target)
        text = (f"{metric}缺少{due}年（目标年）及以后的数据，最近为{judged}年的"
                f"{format_value(upto[-1].value, _value_unit(target))}，无法判断{due}年目标是否实现")
        kind = outcome.rule.rsplit(".", 1)[0]
        return _Outcome(Status.insufficient_data, f"{kind}.missing_due_year", text, outcome.required, None,
                        outcome.baseline, outcome.latest)
    if outcome.status is Status.achieved and after:
        last = after[-1]
        again = [obs for obs in upto if obs.year < judged] + [Observation(judged, last.value)]
        if _evaluate_kind(target, again, max(judged, due)).status is not Status.achieved:
            flags.add(Flag.slipped)
            notes[Flag.slipped] = f"（{last.year}年为{format_value(last.value, _value_unit(target))}）"
    return outcome


def evaluate_task(
    progress: str | None,
    *,
    year: int | None = None,
    has_lead: bool = True,
    extra_flags: Iterable[Flag] = (),
    notes: Mapping[Flag, str] | None = None,
) -> Evaluation:
    """Status of a qualitative goal from its lead unit's reported task progress.

    completed → achieved, on_schedule → on_track, delayed → at_risk, not_started → off_track, None → no_data.
    ``year`` is the year of the report (it opens the sentence); ``has_lead=False`` says the goal has no lead unit.
    """
    if not has_lead:
        outcome = _Outcome(Status.no_data, "qualitative.no_lead_unit", "该目标尚未分解到牵头单位，无法取得任务进展")
    elif progress is None:
        outcome = _Outcome(Status.no_data, "qualitative.task_progress", "牵头单位尚未报告任务进展")
    else:
        key = str(progress)
        if key not in _TASK_PROGRESS:
            raise ValueError(f"unknown task progress {progress!r}; expected one of {', '.join(_TASK_PROGRESS)}")
        status, text = _TASK_PROGRESS[key]
        outcome = _Outcome(status, "qualitative.task_progress", f"{year}年{text}" if year is not None else text)
    return _finish(outcome, extra_flags, notes)


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status (see SEVERITY); no statuses → no_data."""
    return min((Status(s) for s in statuses), key=_RANK.__getitem__, default=Status.no_data)


def _family(target: TargetSpec) -> tuple[str, ...]:
    """Targets that are milestones of one series share a family: same metric, kind and direction."""
    if target.op in TREND_OPS:
        return (target.metric, "trend", target.op)
    side = "up" if target.op in _UP_OPS else "down" if target.op in _DOWN_OPS else "band"
    if _is_change(target):
        return (target.metric, "change", target.direction or "", side)
    return (target.metric, "level", side)


def applicable_targets(targets: Sequence[TargetSpec], year: int) -> list[TargetSpec]:
    """The targets that apply in ``year``, in input order.

    Among targets of one family (same metric, kind and direction: "到2025年和2030年分别达80%以上和82%以上"), the
    ones due in the earliest due year ≥ ``year`` apply, or those due last when all are past. A range (>= low and
    <= high) is two families, so both bounds apply; a metric with one target always applies.
    """
    due_years: dict[tuple[str, ...], set[int]] = {}
    for target in targets:
        due_years.setdefault(_family(target), set()).add(target.due_year)
    chosen: dict[tuple[str, ...], int] = {}
    for family, years in due_years.items():
        upcoming = [y for y in years if y >= year]
        chosen[family] = min(upcoming) if upcoming else max(years)
    return [t for t in targets if t.due_year == chosen[_family(t)]]


def is_volatile(observations: Sequence[Observation], unit: str | None = None, precision: int | None = None) -> bool:
    """波动较大: the latest value is further from what the indicator's own history leads one to expect than
    chance explains.

    * With counts (every value used carries its ``denominator`` and ``unit`` is a rate: %, ‰, 1/10万 …): the
      expected value is the mean of the last ``VOLATILE_POISSON_YEARS`` earlier values and the scale the Poisson
      standard error of the events behind them (at least one event a year), so a rate from two deaths a year is
      allowed its chance swings. Volatile beyond ``VOLATILE_POISSON_Z`` standard errors.
    * Otherwise, with at least ``VOLATILE_MIN_CHANGES`` earlier annual changes: the trend is their median, the
      expected value the median of the last ``VOLATILE_ANCHOR_YEARS`` earlier values carried forward by the trend,
      and the scale of one value's noise the mean absolute deviation of the changes from the trend (× sqrt(pi/2),
      / sqrt 2: a change holds two values' noise). Volatile beyond ``VOLATILE_Z`` × (1 + 1 / changes) standard
      errors (the scale is itself estimated from few years). Fewer changes: never volatile.
    * Never for a deviation of fewer than ``VOLATILE_MIN_STEPS`` units of the reported precision.

    Changes across a gap are per year. Simulated rates are in tests/status/test_volatility.py.
    """
    series = _series(observations)
    if len(series) < 3:
        return False
    *earlier, latest = series
    scale = RATE_SCALES.get(unit or "")
    recent = earlier[-VOLATILE_POISSON_YEARS:]
    if scale is not None and all(obs.denominator for obs in (*recent, latest)):
        expected = statistics.fmean(obs.value for obs in recent)

        def variance(denominator: float) -> float:  # of one year's rate, at the expected rate: events × (scale/n)²
            assert scale is not None
            return max(expected * denominator / scale, 1.0) * (scale / denominator) ** 2

        mean_variance = sum(variance(obs.denominator or 1.0) for obs in recent) / len(recent) ** 2
        threshold = VOLATILE_POISSON_Z * math.sqrt(variance(latest.denominator or 1.0) + mean_variance)
    else:
        changes = [(b.value - a.value) / (b.year - a.year) for a, b in pairwise(earlier)]
        if len(changes) < VOLATILE_MIN_CHANGES:
            return False
        # Theil–Sen: the median of the slopes between every two earlier values (robust, and steadier than the
        # median of the annual changes alone)
        trend = statistics.median((b.value - a.value) / (b.year - a.year) for a, b in combinations(earlier, 2))
        noise = MAD_TO_SD * statistics.fmean(abs(c - trend) for c in changes) / math.sqrt(2)
        expected = statistics.median(obs.value + (latest.year - obs.year) * trend
                                     for obs in earlier[-VOLATILE_ANCHOR_YEARS:])
        factor = VOLATILE_Z * (1 + VOLATILE_SMALL_SAMPLE / len(changes))
        threshold = factor * noise * math.sqrt(1 + VOLATILE_ANCHOR_VARIANCE)
    floor = VOLATILE_MIN_STEPS * resolution((obs.value for obs in series), precision)
    return abs(latest.value - expected) > max(threshold, floor) * (1 + EPSILON)
