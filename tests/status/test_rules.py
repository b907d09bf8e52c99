"""The status rules (app/status/rules.py): a table of hand-worked cases, then properties.

Every expected number in the table was worked out by hand from the method in docs/status-rules.md, e.g.
孕产妇死亡率 9 (2020) → 8.1 (2023): CAGR = 0.9^(1/3) - 1, projected 2025 = 8.1 × 0.9^(2/3) = 7.5506,
progress = (7.5506 - 9) / (7 - 9) = 0.7247 → 预计达标困难.
"""

from dataclasses import dataclass, field

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.status.rules import (
    LABELS,
    SEVERITY,
    Evaluation,
    Flag,
    Observation,
    Status,
    TargetSpec,
    applicable_targets,
    evaluate_target,
    evaluate_task,
    format_value,
    is_volatile,
    worst,
)

S = Status

# --------------------------------------------------------------------------------------------------
# Targets used in the table
# --------------------------------------------------------------------------------------------------

MORTALITY = TargetSpec("孕产妇死亡率", "<=", 7, "1/10万", 2025)  # 控制在7/10万以下
SCREENING = TargetSpec("产前筛查率", ">=", 80, "%", 2025)  # 达80%以上
COUNT = TargetSpec("儿童之家数量", ">=", 10, "个", 2025)
GROWTH = TargetSpec("女性就业人数增长率", ">=", 3, "%", 2025)  # may be negative
STRICT = TargetSpec("覆盖率", ">", 80, "%", 2025)  # 超过80%
STRICT_LOW = TargetSpec("新生儿死亡率", "<", 5, "‰", 2025)  # 低于5‰
APPROX = TargetSpec("城镇单位就业人员中的女性就业比例", "≈", 42, "%", 2025, tolerance=2)
APPROX_DEFAULT = TargetSpec("城镇单位就业人员中的女性就业比例", "≈", 42, "%", 2025)  # ±2.1 by default
FULL = TargetSpec("婚前医学检查覆盖率", "==", 100, "%", 2025)  # 全覆盖
DECLARED = TargetSpec("产前筛查率", ">=", 80, "%", 2025, baseline_year=2020, baseline_value=60)
# 中小学生视力不良检出率在2020年的基础上每年降低1个百分点以上
EYES = TargetSpec("中小学生视力不良检出率", ">=", 1, "个百分点", 2025, per_year=True, baseline_year=2020,
                  direction="down")
EYES_APPROX = TargetSpec("中小学生视力不良检出率", "≈", 1, "个百分点", 2025, per_year=True, baseline_year=2020,
                         direction="down")
# a relative annual change: 每年下降10%以上
YEARLY_PCT = TargetSpec("某发生率", ">=", 10, "%", 2022, per_year=True, baseline_year=2020, direction="down")
# 以2020年为基数下降20%（基数10）
DROP20 = TargetSpec("孕产妇死亡率", ">=", 20, "%", 2025, baseline_year=2020, baseline_value=10, direction="down")
# 以2020年为基数提高5个百分点
UP5PT = TargetSpec("女性比例", ">=", 5, "个百分点", 2025, baseline_year=2020, direction="up")
INCREASE = TargetSpec("高技能人才中的女性比例", "increase", None, "%", 2025)  # 逐步提高
DECREASE = TargetSpec("男女两性收入差距", "decrease", None, None, 2025)  # 逐步缩小
MAINTAIN = TargetSpec("村委会主任中的女性比例", "maintain", None, "%", 2025)  # 保持稳定, ±5 %
MAINTAIN_TOL = TargetSpec("村委会主任中的女性比例", "maintain", None, "%", 2025, tolerance=1)
INCREASE_2020 = TargetSpec("高技能人才中的女性比例", "increase", None, "%", 2025, baseline_year=2020)
GAP_DECREASE = TargetSpec("男女两性收入差距", "decrease", None, "%", 2025)  # 逐步缩小, values as reported
FULL_AT_LEAST = TargetSpec("农村适龄妇女宫颈癌筛查覆盖率", ">=", 100, "%", 2025)  # ≥ 100 % (全覆盖)
NMR_2025 = TargetSpec("新生儿死亡率", "<=", 10, "‰", 2025)
SCREEN_2022 = TargetSpec("产前筛查率", ">=", 80, "%", 2022)
SCREEN_BASE_2016 = TargetSpec("产前筛查率", ">=", 80, "%", 2020, baseline_year=2016)
TETANUS = TargetSpec("新生儿破伤风发病率", "<=", 0, "‰", 2025)  # 消除: 0
TETANUS_2DP = TargetSpec("新生儿破伤风发病率", "<=", 0, "‰", 2025, precision=2)
INCREASE_DECLARED = TargetSpec("高技能人才中的女性比例", "increase", None, "%", 2025, baseline_year=2020,
                               baseline_value=30)


@dataclass(frozen=True)
class Case:
    id: str
    target: TargetSpec
    values: list[tuple[int, float]]
    year: int
    status: Status
    rule: str | None = None
    projected: float | None = None
    progress: float | None = None
    required: float | None = None
    says: tuple[str, ...] = ()  # fragments the explanation must contain
    never_says: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


CASES = [
    # ---- lower is better: 孕产妇死亡率 ≤ 7/10万 by 2025
    Case("mortality-at-risk", MORTALITY, [(2020, 9), (2023, 8.1)], 2023, S.at_risk, "threshold.projection",
         projected=7.5506, progress=0.7247, required=7,
         says=("2023年", "8.1/10万", "高于2025年目标7/10万", "2020年以来", "2025年约为7.55/10万", "预计达标困难")),
    Case("mortality-achieved", MORTALITY, [(2021, 8), (2022, 6.5)], 2022, S.achieved, "threshold.met",
         says=("2022年", "6.5/10万", "低于2025年目标7/10万", "已达标")),
    Case("mortality-past-due", MORTALITY, [(2020, 9), (2025, 7.2)], 2025, S.not_achieved, "threshold.past_due",
         says=("2025年孕产妇死亡率为7.2/10万", "高于", "未达标")),
    Case("mortality-asked-after-due", MORTALITY, [(2020, 9), (2025, 7.2)], 2027, S.not_achieved),
    # 9 → 9.5: worse every year, projection above 9.5, progress < 0
    Case("mortality-wrong-way", MORTALITY, [(2020, 9), (2022, 9.5)], 2023, S.off_track, "threshold.projection",
         says=("变化方向与目标相反", "进展滞后")),
    Case("mortality-zero-latest", MORTALITY, [(2021, 3), (2022, 0)], 2022, S.achieved, says=("0/10万",)),
    # ---- higher is better: 产前筛查率 ≥ 80% by 2025
    # 70 → 77 over two years: ×1.1 per two years, so 2025 = 77 × 1.1 = 84.7; progress 14.7 / 10
    Case("screening-on-track", SCREENING, [(2021, 70), (2023, 77)], 2023, S.on_track, "threshold.projection",
         projected=84.7, progress=1.47, says=("2025年约为84.7%", "进展顺利")),
    # 70 → 70.2: 2025 ≈ 70.2 × 70.2 / 70 = 70.40, progress 0.04 < 10 %
    Case("screening-stagnant", SCREENING, [(2021, 70), (2023, 70.2)], 2023, S.off_track, projected=70.4006,
         progress=0.0401, never_says=("相反",)),
    # 75 → 72: 2025 = 72 × 72 / 75 = 69.12, progress (69.12 - 75) / 5 = -1.176
    Case("screening-declining", SCREENING, [(2021, 75), (2023, 72)], 2023, S.off_track, projected=69.12,
         progress=-1.176, says=("相反",)),
    Case("screening-already-passed", SCREENING, [(2021, 70), (2022, 82)], 2022, S.achieved,
         says=("高于2025年目标80%",)),
    Case("screening-passed-single-value", SCREENING, [(2021, 85)], 2021, S.achieved),
    Case("one-observation", SCREENING, [(2022, 70)], 2022, S.insufficient_data, "threshold.insufficient_data",
         says=("2022年", "70%", "数据不足")),
    # declared base 60 (2020) → 70 (2022): 2025 = 70 × (7/6)^1.5 = 88.21, progress 28.21 / 20
    Case("one-observation-declared-baseline", DECLARED, [(2022, 70)], 2023, S.on_track, projected=88.21,
         progress=1.4105),
    Case("one-observation-past-due", SCREENING, [(2025, 70)], 2025, S.not_achieved),
    Case("no-observations", MORTALITY, [], 2023, S.no_data, "threshold.no_data",
         says=("2023年", "暂无已采纳的孕产妇死亡率数据", "无数据")),
    Case("only-future-observations", MORTALITY, [(2024, 6)], 2023, S.no_data),
    # ---- zeros and negatives: the growth rate is undefined, the linear annual change is used
    # 0 → 4.75 over two years: +2.375 a year, 2025 = 9.5 = exactly 95 % of the way to 10
    Case("zero-baseline-on-track-boundary", COUNT, [(2021, 0), (2023, 4.75)], 2023, S.on_track, projected=9.5,
         progress=0.95),
    # 0 → 0.5: 2025 = 1.0 = exactly 10 % of the way
    Case("zero-baseline-at-risk-boundary", COUNT, [(2021, 0), (2023, 0.5)], 2023, S.at_risk, projected=1.0,
         progress=0.1),
    # 4 → 0: -2 a year would give -4 in 2025; a count is not projected below 0; progress (0 - 4) / 6
    Case("zero-latest-higher-is-better", COUNT, [(2021, 4), (2023, 0)], 2023, S.off_track, projected=0.0,
         progress=-0.6667),
    # -2 → 0: +1 a year, 2025 = 2, progress (2 + 2) / (3 + 2) = 0.8
    Case("negative-values", GROWTH, [(2021, -2), (2023, 0)], 2023, S.at_risk, projected=2.0, progress=0.8),
    # ---- target equal to the baseline
    Case("baseline-at-target-slipped", SCREENING, [(2021, 80), (2023, 78)], 2023, S.off_track),
    Case("baseline-at-target-strict-met", STRICT, [(2021, 80), (2023, 81)], 2023, S.achieved),
    Case("baseline-at-target-strict-flat", STRICT, [(2021, 80), (2023, 80)], 2023, S.off_track, says=("持平",)),
    Case("strict-equal-past-due", STRICT, [(2025, 80)], 2025, S.not_achieved),
    Case("strict-lower-not-met", STRICT_LOW, [(2025, 5)], 2025, S.not_achieved, says=("5‰",)),
    Case("strict-lower-met", STRICT_LOW, [(2025, 4.9)], 2025, S.achieved, says=("4.9‰", "低于2025年目标5‰")),
    # ---- ≈ (左右) with tolerance
    Case("approx-met", APPROX, [(2023, 43.5)], 2023, S.achieved, says=("在2025年目标42%左右（±2个百分点）的范围内",)),
    # 48 → 45: 2025 = 45 × 45 / 48 = 42.19, inside 40–44
    Case("approx-on-track-from-above", APPROX, [(2021, 48), (2023, 45)], 2023, S.on_track, projected=42.1875,
         says=("高于", "42.19%")),
    # 30 → 33: 2025 = 36.3, gap 12 → 5.7: progress 1 - 5.7 / 12 = 0.525
    Case("approx-at-risk", APPROX, [(2021, 30), (2023, 33)], 2023, S.at_risk, projected=36.3, progress=0.525),
    Case("approx-past-due-below", APPROX, [(2025, 39)], 2025, S.not_achieved, says=("低于",)),
    Case("approx-default-tolerance-met", APPROX_DEFAULT, [(2025, 44)], 2025, S.achieved, says=("±2.1个百分点",)),
    Case("approx-default-tolerance-missed", APPROX_DEFAULT, [(2025, 44.2)], 2025, S.not_achieved),
    # ---- == 100 % (全覆盖)
    Case("full-coverage-achieved", FULL, [(2023, 100)], 2023, S.achieved, says=("达到2025年目标100%",)),
    # 96 → 98.8 would pass 100 % by 2025; a % within 0–100 is capped at 100: progress (100 - 96) / 4 = 1
    Case("full-coverage-on-track", FULL, [(2021, 96), (2023, 98.8)], 2023, S.on_track, projected=100.0,
         progress=1.0, says=("2025年约为100%",)),
    # 95 → 97: 2025 = 97 × 97 / 95 = 99.04, within the 1-point tolerance of 100 %: on track
    Case("full-coverage-on-track-within-tolerance", FULL, [(2021, 95), (2023, 97)], 2023, S.on_track,
         projected=99.0421, says=("100%（允许误差1个百分点）",)),
    Case("full-coverage-past-due", FULL, [(2021, 96), (2025, 98.5)], 2025, S.not_achieved, says=("低于",)),
    # ---- per year, 个百分点: 52 % in 2020, -1 point a year: 49 in 2023, 47 in 2025
    Case("per-year-points-met", EYES, [(2020, 52), (2023, 48)], 2023, S.achieved, "change.per_year.met",
         required=47, says=("48%", "2023年要求49%", "在2020年52%的基础上每年降低1个百分点以上", "已达标")),
    Case("per-year-points-exactly-on-schedule", EYES, [(2020, 52), (2023, 49)], 2023, S.achieved),
    # 52 → 50.5: 2025 = 50.5 × (50.5/52)^(2/3) = 49.52, progress (52 - 49.52) / 5 = 0.495
    Case("per-year-points-at-risk", EYES, [(2020, 52), (2023, 50.5)], 2023, S.at_risk, "change.per_year.projection",
         projected=49.524, progress=0.4952, required=47, says=("2025年约为49.52%", "2025年要求47%")),
    Case("per-year-points-past-due", EYES, [(2020, 52), (2025, 47.5)], 2025, S.not_achieved,
         "change.per_year.past_due", says=("2025年要求47%", "未达标")),
    Case("per-year-missing-base-year", EYES, [(2021, 51), (2023, 50.5)], 2023, S.insufficient_data,
         "change.per_year.missing_baseline", says=("缺少2020年基数", "数据不足")),
    Case("per-year-only-base-year", EYES, [(2020, 52)], 2020, S.insufficient_data, "change.per_year.insufficient_data"),
    Case("per-year-no-data", EYES, [], 2023, S.no_data, "change.per_year.no_data"),
    # 每年降低1个百分点左右: 2023 requirement 49, default tolerance max(5 % of 1, 0.5) = ±0.5
    Case("per-year-points-approx", EYES_APPROX, [(2020, 52), (2023, 49.2)], 2023, S.achieved,
         says=("49%左右（±0.5个百分点）",)),
    # 52 → 48.4 falls too fast: 2025 = 48.4 × (48.4/52)^(2/3) = 46.14, 0.86 from 47 of the initial gap 5:
    # progress 1 - 0.86 / 5 = 0.828 (overshooting a 左右 band counts against it)
    Case("per-year-points-approx-overshoot", EYES_APPROX, [(2020, 52), (2023, 48.4)], 2023, S.at_risk,
         projected=46.14, progress=0.828),
    # ---- per year, %: 100 in 2020, -10 % a year: 90 in 2021, 81 in 2022
    Case("per-year-percent-met", YEARLY_PCT, [(2020, 100), (2021, 90)], 2021, S.achieved, required=81),
    Case("per-year-percent-past-due", YEARLY_PCT, [(2020, 100), (2022, 82)], 2022, S.not_achieved, required=81),
    # ---- relative to a base year: 10 × (1 - 20 %) = 8
    Case("drop20-achieved", DROP20, [(2023, 7.9)], 2023, S.achieved, "change.baseline.met", required=8,
         says=("以2020年10为基数下降20%以上", "要求8")),
    # declared 10 (2020) → 9 (2022): 2025 = 9 × 0.9^1.5 = 7.684, progress 2.316 / 2 = 1.158
    Case("drop20-on-track", DROP20, [(2022, 9)], 2023, S.on_track, "change.baseline.projection", projected=7.6843,
         progress=1.1578, required=8),
    Case("drop20-past-due", DROP20, [(2025, 8.5)], 2025, S.not_achieved, required=8),
    # 60 % + 5 points = 65 %
    Case("up5pt-past-due", UP5PT, [(2020, 60), (2025, 64)], 2025, S.not_achieved, required=65, says=("65%",)),
    Case("up5pt-met", UP5PT, [(2020, 60), (2024, 65.5)], 2024, S.achieved, required=65),
    # ---- trends
    Case("increase-met", INCREASE, [(2021, 33), (2023, 35)], 2023, S.achieved, "trend.compare",
         says=("35%", "高于2021年的33%", "逐步提高", "已达标")),
    Case("increase-flat", INCREASE, [(2021, 33), (2023, 33)], 2023, S.at_risk, says=("持平",)),
    Case("increase-wrong-way-past-due", INCREASE, [(2021, 33), (2025, 32)], 2025, S.not_achieved),
    Case("increase-single-value", INCREASE, [(2023, 33)], 2023, S.insufficient_data, "trend.insufficient_data"),
    Case("increase-missing-base-year", INCREASE_2020, [(2021, 33), (2023, 35)], 2023, S.insufficient_data,
         "trend.missing_baseline", says=("缺少2020年基数",)),
    Case("increase-declared-baseline", INCREASE_DECLARED, [(2023, 31)], 2023, S.achieved, says=("2020年的30%",)),
    Case("decrease-met", DECREASE, [(2021, 10), (2023, 9)], 2023, S.achieved),
    Case("decrease-wrong-way", DECREASE, [(2021, 10), (2023, 11)], 2023, S.off_track, says=("方向相反", "进展滞后")),
    # 保持稳定 around 40: allowed ±2 (5 %); at_risk up to ±4
    Case("maintain-met", MAINTAIN, [(2021, 40), (2023, 41)], 2023, S.achieved, says=("允许±2个百分点",)),
    Case("maintain-drift", MAINTAIN, [(2021, 40), (2023, 43)], 2023, S.at_risk, says=("变动3个百分点",)),
    Case("maintain-large-drift", MAINTAIN, [(2021, 40), (2023, 46)], 2023, S.off_track),
    Case("maintain-past-due", MAINTAIN, [(2021, 40), (2025, 46)], 2025, S.not_achieved),
    Case("maintain-tolerance", MAINTAIN_TOL, [(2021, 40), (2023, 41.5)], 2023, S.at_risk, says=("允许±1个百分点",)),
    Case("trend-no-data", DECREASE, [], 2023, S.no_data, "trend.no_data"),
    # ---- issue 13: each row of its table, with the verdict a committee expects
    # 逐步缩小 69.40 → 69.39: one unit of the last reported decimal is rounding, not progress
    Case("issue13-decrease-within-precision", GAP_DECREASE, [(2021, 69.40), (2023, 69.39)], 2023, S.at_risk,
         "trend.compare", says=("仅变动0.01", "未超出数据精度")),
    # 逐步提高 30 → 30.01 at the due year: no progress, so not achieved
    Case("issue13-increase-within-precision-at-due-year", INCREASE, [(2021, 30), (2025, 30.01)], 2025,
         S.not_achieved, "trend.compare", says=("未超出数据精度",)),
    # a change beyond the precision still counts
    Case("issue13-decrease-beyond-precision", GAP_DECREASE, [(2021, 69.40), (2023, 69.20)], 2023, S.achieved),
    # ≥ 100 % (全覆盖): met within the default tolerance of one point
    Case("issue13-full-coverage-slight-drop", FULL_AT_LEAST, [(2021, 99.2), (2023, 99.0)], 2023, S.achieved,
         "threshold.met", says=("允许误差1个百分点", "范围内")),
    Case("issue13-full-coverage-slight-rise", FULL_AT_LEAST, [(2021, 98.9), (2023, 99.0)], 2023, S.achieved),
    Case("issue13-full-coverage-outside-tolerance", FULL_AT_LEAST, [(2021, 98.9), (2025, 98.8)], 2025,
         S.not_achieved),
    # ≤ 10‰ due 2025: 9.87 in 2025 achieved it; 10.89 in 2026 is a flag, not a rewrite of the milestone
    Case("issue13-milestone-achieved-then-slipped", NMR_2025, [(2025, 9.87), (2026, 10.89)], 2026, S.achieved,
         "threshold.met", says=("2025年", "9.87‰", "已达标", "未保持目标水平（2026年为10.89‰）"),
         extra={"flags": (Flag.slipped,), "latest": 2025}),
    Case("issue13-milestone-achieved-still-met", NMR_2025, [(2025, 9.87), (2026, 9.5)], 2026, S.achieved,
         extra={"flags": (), "latest": 2025}),
    Case("issue13-milestone-missed-then-met", NMR_2025, [(2025, 10.5), (2026, 9.5)], 2026, S.not_achieved,
         "threshold.past_due", extra={"latest": 2025}),
    # ≥ 80 due 2022; 2020: 70, 2021: 76; asked for 2024: no projection into the past
    Case("issue13-past-milestone-not-projected", SCREEN_2022, [(2020, 70), (2021, 76)], 2024, S.insufficient_data,
         "threshold.missing_due_year", says=("缺少2022年（目标年）及以后的数据",), never_says=("约为", "推算"),
         extra={"projected": None}),
    # no 2022 value, 2023 is the first after it: judged on 2023
    Case("issue13-past-milestone-first-later-value", SCREEN_2022, [(2020, 70), (2023, 81)], 2024, S.achieved,
         extra={"latest": 2023}),
    # base year 2016 declared, no 2016 value, data from 2014: the baseline is 2017's, never 2014's.
    # 60 → 70 over two years: 2020 = 70 × (70/60)^(1/2) = 75.61, progress 15.61 / 20 = 0.78
    Case("issue13-baseline-at-or-after-base-year", SCREEN_BASE_2016, [(2014, 50), (2015, 55), (2017, 60),
         (2019, 70)], 2019, S.at_risk, projected=75.6087, progress=0.7804, says=("按2017年以来",),
         extra={"baseline": 2017}),
    # target 0 (methodology 2026.3): judged on growth rates, as Open SDG: the observed CAGR against the CAGR that
    # takes the baseline to 0.001 (the stand-in for 0) by the due year: (0.001 / 2)^(1/5) - 1 = -78.13 %.
    # 2 → 0.02 over 3 years: (0.01)^(1/3) - 1 = -78.46 %, ratio 1.0041 → on track;
    # projected 2025 = 0.02 × 0.01^(2/3) = 0.00093
    Case("issue13-zero-target-on-track", TETANUS, [(2020, 2), (2023, 0.02)], 2023, S.on_track, projected=0.00093,
         progress=1.0041, says=("年均下降78.46%", "按0.001‰计", "需年均下降78.13%", "为所需降速的100.41%")),
    # 2 → 0.09 is within 5 % of the baseline (on track under a share of the distance), but falls 64.43 % a year:
    # 82 % of the required rate → at risk
    Case("issue13-zero-target-within-5-percent-is-not-on-track", TETANUS, [(2020, 2), (2023, 0.09)], 2023,
         S.at_risk, progress=0.8246),
    # 2 → 1 over 3 years: -20.63 % a year, 26 % of the required rate → at risk; 2025 = 1 × 0.5^(2/3) = 0.63
    Case("issue13-zero-target-not-reached", TETANUS, [(2020, 2), (2023, 1)], 2023, S.at_risk, projected=0.63,
         progress=0.2640),
    # rising: the wrong way → off track
    Case("issue13-zero-target-rising", TETANUS, [(2020, 2), (2023, 3)], 2023, S.off_track, progress=-0.1852,
         says=("年均上升14.47%", "变化方向与目标相反")),
    Case("issue13-zero-target-unchanged", TETANUS, [(2020, 2), (2023, 2)], 2023, S.off_track, progress=0.0,
         says=("2020年以来没有下降", "需年均下降78.13%"), never_says=("为所需降速",)),
    # a baseline of 0 that rose again: no growth rate; the baseline met the target, so the value slipped back
    Case("issue13-zero-target-from-zero", TETANUS, [(2020, 0), (2023, 1)], 2023, S.off_track,
         says=("按2020年以来的年均变化推算", "变化方向与目标相反")),
    # with the indicator's precision (2 decimals), 0 is what is reported as 0: 0.004 → 0.00 is achieved, and the
    # stand-in is the largest such value, 0.005: (0.0025)^(1/5) - 1 = -69.83 %, so 2 → 0.02 is 112 % of it
    Case("issue13-zero-target-at-precision-met", TETANUS_2DP, [(2020, 2), (2023, 0.004)], 2023, S.achieved),
    Case("issue13-zero-target-at-precision-on-track", TETANUS_2DP, [(2020, 2), (2023, 0.02)], 2023, S.on_track,
         progress=1.1235, says=("按0.005‰计",)),
    Case("issue13-zero-target-without-precision-0.004-is-not-0", TETANUS, [(2020, 2), (2023, 0.004)], 2023,
         S.on_track),
    Case("issue13-zero-target-met", TETANUS, [(2020, 2), (2023, 0)], 2023, S.achieved),
]


def _evaluate(case: Case) -> Evaluation:
    return evaluate_target(case.target, [Observation(y, v) for y, v in case.values], case.year)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_table(case: Case) -> None:
    result = _evaluate(case)
    assert result.status is case.status, result.explanation
    assert result.label == LABELS[case.status]
    if case.rule is not None:
        assert result.rule == case.rule
    if case.projected is not None:
        assert result.projected == pytest.approx(case.projected, abs=1e-3)
    if case.progress is not None:
        assert result.progress == pytest.approx(case.progress, abs=1e-3)
    if case.required is not None:
        assert result.required == pytest.approx(case.required)
    if "flags" in case.extra:
        assert result.flags == case.extra["flags"]
    if "latest" in case.extra:
        assert result.latest is not None and result.latest.year == case.extra["latest"]
    if "baseline" in case.extra:
        assert result.baseline is not None and result.baseline.year == case.extra["baseline"]
    if "projected" in case.extra:
        assert result.projected == case.extra["projected"]
    for fragment in case.says:
        assert fragment in result.explanation, result.explanation
    for fragment in case.never_says:
        assert fragment not in result.explanation, result.explanation
    assert result.explanation.endswith("。") and result.explanation.count("。") == 1
    assert LABELS[case.status] in result.explanation


def test_table_covers_every_status_and_op() -> None:
    assert {c.status for c in CASES} == set(Status)
    assert {c.target.op for c in CASES} == {">=", ">", "<=", "<", "≈", "==", "increase", "decrease", "maintain"}


def test_baseline_at_target_has_no_progress_ratio() -> None:
    result = evaluate_target(SCREENING, [Observation(2021, 80), Observation(2023, 78)], 2023)
    assert result.progress is None and result.status is S.off_track


def test_projection_fields_only_when_projected() -> None:
    met = evaluate_target(MORTALITY, [Observation(2021, 8), Observation(2022, 6.5)], 2022)
    assert met.projected is None and met.progress is None
    assert met.latest == Observation(2022, 6.5) and met.baseline == Observation(2021, 8)


def test_declared_baseline_wins_over_observation() -> None:
    result = evaluate_target(DROP20, [Observation(2020, 12), Observation(2023, 9)], 2023)
    assert result.baseline == Observation(2020, 10)
    assert result.required == pytest.approx(8)


def test_last_value_given_for_a_year_wins() -> None:
    result = evaluate_target(MORTALITY, [Observation(2022, 9), Observation(2022, 6)], 2022)
    assert result.status is S.achieved and result.latest == Observation(2022, 6)


# --------------------------------------------------------------------------------------------------
# Milestones
# --------------------------------------------------------------------------------------------------

SCREEN_2025 = TargetSpec("产前筛查率", ">=", 80, "%", 2025)
SCREEN_2030 = TargetSpec("产前筛查率", ">=", 82, "%", 2030)
MMR_2030 = TargetSpec("孕产妇死亡率", "<=", 7, "1/10万", 2030)
SEX_RATIO_LOW = TargetSpec("出生人口性别比", ">=", 103, None, 2030)
SEX_RATIO_HIGH = TargetSpec("出生人口性别比", "<=", 107, None, 2030)
SCREEN_TREND = TargetSpec("产前筛查率", "increase", None, "%", 2030)
MILESTONES = [SCREEN_2025, SCREEN_2030, MMR_2030, SEX_RATIO_LOW, SEX_RATIO_HIGH, SCREEN_TREND]


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2021, [SCREEN_2025, MMR_2030, SEX_RATIO_LOW, SEX_RATIO_HIGH, SCREEN_TREND]),
        (2025, [SCREEN_2025, MMR_2030, SEX_RATIO_LOW, SEX_RATIO_HIGH, SCREEN_TREND]),
        (2026, [SCREEN_2030, MMR_2030, SEX_RATIO_LOW, SEX_RATIO_HIGH, SCREEN_TREND]),
        (2031, [SCREEN_2030, MMR_2030, SEX_RATIO_LOW, SEX_RATIO_HIGH, SCREEN_TREND]),  # all past: the last one
    ],
)
def test_applicable_targets(year: int, expected: list[TargetSpec]) -> None:
    assert applicable_targets(MILESTONES, year) == expected


def test_applicable_targets_keeps_input_order_and_unique_metrics() -> None:
    assert applicable_targets([MMR_2030, SCREEN_2030, SCREEN_2025], 2031) == [MMR_2030, SCREEN_2030]
    assert applicable_targets([], 2023) == []


# --------------------------------------------------------------------------------------------------
# Volatility (波动较大)
# --------------------------------------------------------------------------------------------------


def _obs(values: list[float], first_year: int = 2019) -> list[Observation]:
    return [Observation(first_year + i, v) for i, v in enumerate(values)]


def _births(rates: list[float], births: float = 20000, first_year: int = 2019) -> list[Observation]:
    return [Observation(first_year + i, v, denominator=births) for i, v in enumerate(rates)]


COVERAGE = [95.1, 94.8, 95.3, 95.0, 94.7, 95.2]  # 95 ± 0.3


@pytest.mark.parametrize(
    ("observations", "unit", "volatile"),
    [
        (_obs([10, 11, 12, 13, 14, 15, 16, 25]), None, True),  # trend 1 a year, no noise: 17 expected, 25 seen
        (_obs([10, 11, 12, 13, 14, 15, 16, 17]), None, False),  # a steady trend is not volatile
        (_obs([*COVERAGE, 87.0]), "%", True),  # a coverage steady at 95 ± 0.3 that drops 8 points
        (_obs([*COVERAGE, 90.0]), "%", True),  # … or 5 points
        (_obs([*COVERAGE, 95.5]), "%", False),  # its usual noise
        (_obs([10, 11, 12, 20]), None, False),  # 2 earlier changes: the indicator's own scale is unknown
        (_obs([10, 10, 10]), None, False),  # flat
        (_obs([10, 100]), None, False),
        ([], None, False),
        # a rate from about two deaths a year (20 000 births): 35/10万 is 7 deaths against 1.6 expected
        (_births([10, 5, 15, 0, 10, 35]), "1/10万", True),
        (_births([10, 5, 15, 0, 10, 20]), "1/10万", False),  # 4 deaths: within chance
        (_obs([10, 5, 15, 0, 10, 35]), "1/10万", False),  # the same without births: too few years to judge
        # the same jump in a large district (2 000 000 births: 160 deaths expected, 700 seen) is volatile too
        (_births([8.1, 7.9, 8.0, 8.2, 7.8, 35], births=2_000_000), "1/10万", True),
    ],
)
def test_is_volatile(observations: list[Observation], unit: str | None, volatile: bool) -> None:
    assert is_volatile(observations, unit) is volatile


def test_volatility_ignores_changes_within_the_precision() -> None:
    flat = _obs([95.1, 95.1, 95.1, 95.1, 95.1, 95.1, 95.3])  # no noise at all, then 2 units of 0.1
    assert not is_volatile(flat, "%")
    assert is_volatile(_obs([95.1, 95.1, 95.1, 95.1, 95.1, 95.1, 95.5]), "%")  # 4 units
    assert not is_volatile(_obs([95.1, 95.1, 95.1, 95.1, 95.1, 95.1, 95.5]), "%", precision=0)  # 1 ≥ 0.4 × 3


def test_volatile_flag_uses_values_up_to_the_year() -> None:
    values = _obs([*COVERAGE, 87.0], 2017)  # the drop is in 2023
    flagged = evaluate_target(SCREENING, values, 2023)
    assert Flag.volatile in flagged.flags and "年度变化波动较大" in flagged.explanation
    assert Flag.volatile not in evaluate_target(SCREENING, values, 2022).flags


# --------------------------------------------------------------------------------------------------
# Flags
# --------------------------------------------------------------------------------------------------


def test_provisional_latest_value() -> None:
    result = evaluate_target(MORTALITY, [Observation(2021, 8), Observation(2022, 6.5, provisional=True)], 2022)
    assert result.flags == (Flag.provisional,)
    assert result.explanation == (
        "2022年孕产妇死亡率为6.5/10万，低于2025年目标7/10万，已达标；数据尚未审核采纳（暂定）。"
    )


def test_provisional_baseline_value() -> None:
    result = evaluate_target(MORTALITY, [Observation(2020, 9, provisional=True), Observation(2023, 8.1)], 2023)
    assert Flag.provisional in result.flags


def test_provisional_value_not_used_is_not_flagged() -> None:
    values = [Observation(2020, 9), Observation(2021, 8.8, provisional=True), Observation(2023, 8.1)]
    assert Flag.provisional not in evaluate_target(MORTALITY, values, 2023).flags


def test_extra_flags_sorted_unique_with_clauses() -> None:
    result = evaluate_target(MORTALITY, [], 2023, extra_flags=[Flag.overdue, Flag.conflict, Flag.overdue])
    assert result.flags == (Flag.conflict, Flag.overdue)
    assert result.explanation.endswith("无数据；各单位报送的数值不一致；牵头单位逾期未报送。")


def test_review_flag() -> None:
    target = TargetSpec("新生儿死亡率", "<=", 3, "%", 2025, review=True)  # 死亡率 written with %: a slip
    result = evaluate_target(target, [Observation(2023, 2)], 2023)
    assert result.flags == (Flag.review,) and "该目标的解析需人工复核" in result.explanation


def test_baseline_value_without_year_needs_review() -> None:
    target = TargetSpec("产前筛查率", ">=", 80, "%", 2025, baseline_value=60)
    assert Flag.review in evaluate_target(target, [Observation(2023, 70)], 2023).flags


def test_change_target_without_direction_needs_review() -> None:
    target = TargetSpec("视力不良检出率", ">=", 1, "个百分点", 2025, per_year=True, baseline_year=2020)
    result = evaluate_target(target, [Observation(2020, 52), Observation(2023, 50)], 2023)
    assert result.status is S.insufficient_data and Flag.review in result.flags


def test_unknown_op_rejected() -> None:
    with pytest.raises(ValueError):
        TargetSpec("x", "≥", 1, None, 2025)
    with pytest.raises(ValueError):
        TargetSpec("x", ">=", 1, None, 2025, direction="sideways")


# --------------------------------------------------------------------------------------------------
# Explanation text
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (7, "1/10万", "7/10万"),
        (7.0, "1/10万", "7/10万"),
        (7.60000001, "1/10万", "7.6/10万"),
        (80, "%", "80%"),
        (2, "‰", "2‰"),
        (1, "个百分点", "1个百分点"),
        (12, "岁", "12岁"),
        (1234.5, "张", "1234.5张"),
        (7.556, None, "7.56"),
        (-0.001, None, "0"),
    ],
)
def test_format_value(value: float, unit: str | None, text: str) -> None:
    assert format_value(value, unit) == text


def test_explanation_example_sentence() -> None:
    result = evaluate_target(MORTALITY, [Observation(2020, 9), Observation(2023, 8.1)], 2023)
    assert result.explanation == (
        "2023年孕产妇死亡率为8.1/10万，高于2025年目标7/10万；按2020年以来的年均变化推算，2025年约为7.55/10万，预计达标困难。"
    )


def test_no_trailing_zeros_in_text() -> None:
    result = evaluate_target(TargetSpec("孕产妇死亡率", "<=", 7.0, "1/10万", 2025), [Observation(2023, 6.0)], 2023)
    assert "6/10万" in result.explanation and "7/10万" in result.explanation and ".0" not in result.explanation


# --------------------------------------------------------------------------------------------------
# Qualitative goals and goal status
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("progress", "status"),
    [
        ("completed", S.achieved),
        ("on_schedule", S.on_track),
        ("delayed", S.at_risk),
        ("not_started", S.off_track),
        (None, S.no_data),
    ],
)
def test_evaluate_task(progress: str | None, status: Status) -> None:
    result = evaluate_task(progress)
    assert result.status is status and result.rule == "qualitative.task_progress"
    assert LABELS[status] in result.explanation and result.latest is None


def test_evaluate_task_flags_and_bad_input() -> None:
    result = evaluate_task(None, extra_flags=[Flag.overdue])
    assert result.flags == (Flag.overdue,) and "牵头单位逾期未报送" in result.explanation
    with pytest.raises(ValueError):
        evaluate_task("half_done")
    noted = evaluate_task(None, extra_flags=[Flag.overdue], notes={Flag.overdue: "（2023年中期评估）"})
    assert noted.explanation.endswith("；牵头单位逾期未报送（2023年中期评估）。")


def test_evaluate_task_names_the_year_and_a_missing_lead_unit() -> None:
    assert evaluate_task("delayed", year=2023).explanation == "2023年牵头单位报告任务进度滞后，预计达标困难。"
    no_lead = evaluate_task("completed", has_lead=False)
    assert no_lead.status is S.no_data and no_lead.rule == "qualitative.no_lead_unit"
    assert "尚未分解到牵头单位" in no_lead.explanation


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], S.no_data),
        ([S.achieved], S.achieved),
        ([S.achieved, S.no_data], S.no_data),  # one unreported target: the goal is not achieved
        ([S.achieved, S.on_track], S.on_track),
        ([S.on_track, S.at_risk, S.no_data], S.at_risk),  # missing data does not hide a warning
        ([S.no_data, S.insufficient_data], S.insufficient_data),
        ([S.off_track, S.not_achieved, S.at_risk], S.not_achieved),
    ],
)
def test_worst(statuses: list[Status], expected: Status) -> None:
    assert worst(statuses) is expected


def test_severity_lists_every_status_once() -> None:
    assert sorted(SEVERITY) == sorted(Status) and len(SEVERITY) == len(Status)


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------

RANK = {status: rank for rank, status in enumerate(SEVERITY)}  # 0 = worst
values = st.integers(min_value=-200, max_value=3000).map(lambda n: n / 10)
positive = st.integers(min_value=1, max_value=3000).map(lambda n: n / 10)
years = st.integers(min_value=2018, max_value=2032)
units = st.sampled_from(["%", "‰", "1/10万", "岁", None])


@st.composite
def histories(draw, min_size: int = 0) -> list[Observation]:
    chosen = draw(st.lists(years, min_size=min_size, max_size=6, unique=True))
    return [Observation(y, draw(values), draw(st.booleans())) for y in sorted(chosen)]


@st.composite
def targets(draw, ops=(">=", ">", "<=", "<", "≈", "==", "increase", "decrease", "maintain")) -> TargetSpec:
    op = draw(st.sampled_from(ops))
    due = draw(st.integers(min_value=2021, max_value=2030))
    if op in ("increase", "decrease", "maintain"):
        base = draw(st.none() | st.integers(min_value=2018, max_value=2022))
        return TargetSpec("指标", op, None, draw(units), due, baseline_year=base,
                          tolerance=draw(st.none() | positive))
    kind = draw(st.sampled_from(["level", "per_year", "baseline"]))
    if kind == "level":
        return TargetSpec("指标", op, draw(values), draw(units), due, tolerance=draw(st.none() | positive),
                          review=draw(st.booleans()))
    return TargetSpec("指标", op, draw(positive), draw(st.sampled_from(["%", "个百分点", "张"])), due,
                      per_year=kind == "per_year", baseline_year=draw(st.integers(min_value=2018, max_value=2022)),
                      baseline_value=draw(st.none() | positive), direction=draw(st.sampled_from(["up", "down"])))


def _meeting(op: str, t: float, margin: float, tolerance: float | None) -> float:
    """A value that meets a level target by ``margin`` (≈: inside the band)."""
    if op in (">=", ">"):
        return t + margin
    if op in ("<=", "<"):
        return t - margin
    if op == "≈":
        return t + min(margin, tolerance or 0)
    return t


LEVEL_TARGETS = st.builds(
    TargetSpec, st.just("指标"), st.sampled_from([">=", ">", "<=", "<", "≈", "=="]), values, units,
    st.integers(2021, 2030), tolerance=st.none() | positive, baseline_year=st.none() | st.integers(2018, 2022),
    baseline_value=st.none() | values,
)


@given(LEVEL_TARGETS, histories(), st.integers(1, 50).map(lambda n: n / 10), st.integers(2018, 2032))
def test_met_target_is_achieved(target: TargetSpec, history: list[Observation], margin: float, year: int) -> None:
    year = min(year, target.due_year)  # after the due year the due year's value counts (see the milestone tests)
    history = [o for o in history if o.year < year]
    latest = _meeting(target.op, target.value, margin, target.tolerance)
    result = evaluate_target(target, [*history, Observation(year, latest)], year)
    assert result.status is S.achieved


def _down_targets() -> st.SearchStrategy[TargetSpec]:
    level = st.builds(TargetSpec, st.just("死亡率"), st.sampled_from(["<=", "<"]), positive, units,
                      st.integers(2021, 2030))
    change = st.builds(TargetSpec, st.just("检出率"), st.sampled_from([">=", ">"]), positive,
                       st.sampled_from(["%", "个百分点"]), st.integers(2021, 2030), per_year=st.booleans(),
                       baseline_year=st.integers(2018, 2022), direction=st.just("down"))
    trend = st.builds(TargetSpec, st.just("差距"), st.just("decrease"), st.none(), units, st.integers(2021, 2030))
    return level | change | trend


def _up_targets() -> st.SearchStrategy[TargetSpec]:
    level = st.builds(TargetSpec, st.just("覆盖率"), st.sampled_from([">=", ">"]), positive, units,
                      st.integers(2021, 2030))
    change = st.builds(TargetSpec, st.just("比例"), st.sampled_from([">=", ">"]), positive,
                       st.sampled_from(["%", "个百分点"]), st.integers(2021, 2030), per_year=st.booleans(),
                       baseline_year=st.integers(2018, 2022), direction=st.just("up"))
    trend = st.builds(TargetSpec, st.just("比例"), st.just("increase"), st.none(), units, st.integers(2021, 2030))
    return level | change | trend


def _status_with_latest(target: TargetSpec, history: list[Observation], year: int, value: float) -> Status:
    earlier = [o for o in history if o.year < year]
    return evaluate_target(target, [*earlier, Observation(year, value)], year).status


@given(_down_targets(), histories(), st.integers(2018, 2032), values, st.integers(1, 500).map(lambda n: n / 10))
def test_lower_is_better_raising_never_improves(target, history, year, value, rise) -> None:
    before = _status_with_latest(target, history, year, value)
    after = _status_with_latest(target, history, year, value + rise)
    assert RANK[after] <= RANK[before], (before, after)


@given(_up_targets(), histories(), st.integers(2018, 2032), values, st.integers(1, 500).map(lambda n: n / 10))
def test_higher_is_better_raising_never_worsens(target, history, year, value, rise) -> None:
    before = _status_with_latest(target, history, year, value)
    after = _status_with_latest(target, history, year, value + rise)
    assert RANK[after] >= RANK[before], (before, after)


@given(st.sampled_from([TETANUS, TETANUS_2DP]), histories(), st.integers(2018, 2032), values,
       st.integers(1, 500).map(lambda n: n / 10))
def test_zero_target_lower_value_never_worse(target, history, year, value, rise) -> None:
    before = _status_with_latest(target, history, year, value)
    after = _status_with_latest(target, history, year, value + rise)
    assert RANK[after] <= RANK[before], (before, after)


@given(st.sampled_from([TETANUS, TETANUS_2DP]), positive, st.integers(2018, 2022), st.integers(1, 2),
       st.integers(50, 150).map(lambda n: n / 100))
def test_zero_target_progress_is_the_share_of_the_required_rate(target, base, base_year, years, share) -> None:
    """A series falling at ``share`` × the rate that takes it to the stand-in for 0 by the due year has progress
    ``share``: on track from 95 %, at risk below."""
    stand_in = 0.005 if target.precision == 2 else 0.001
    required = (stand_in / base) ** (1 / (target.due_year - base_year)) - 1
    assume(share * required > -1)  # a yearly fall of 100 % or more is no rate
    latest = base * (1 + share * required) ** years
    result = evaluate_target(target, [Observation(base_year, base), Observation(base_year + years, latest)],
                             base_year + years)
    if base <= stand_in or result.status is S.achieved:
        return
    assert result.progress == pytest.approx(share, rel=1e-6)
    if abs(share - 0.95) > 1e-9:  # the limit itself is left to rounding
        assert result.status is (S.on_track if share > 0.95 else S.at_risk)


@given(st.lists(st.sampled_from(list(Status)), max_size=8), st.randoms())
def test_worst_is_order_independent_member(statuses: list[Status], rnd) -> None:
    shuffled = list(statuses)
    rnd.shuffle(shuffled)
    result = worst(statuses)
    assert result == worst(shuffled)
    assert result in statuses if statuses else result is S.no_data
    assert all(RANK[result] <= RANK[s] for s in statuses)


@given(targets(), histories(), years, st.lists(st.sampled_from([Flag.conflict, Flag.overdue]), max_size=3))
def test_explanation_is_one_sentence_with_label(target, history, year, extra) -> None:
    result = evaluate_target(target, history, year, extra_flags=extra)
    assert result.explanation and result.label == LABELS[result.status]
    assert result.label in result.explanation
    assert result.explanation.endswith("。") and result.explanation.count("。") == 1
    assert list(result.flags) == sorted(set(result.flags))
    assert set(extra) <= set(result.flags)


@given(targets(), histories(), years)
def test_later_observations_are_ignored(target, history, year) -> None:
    upto = [o for o in history if o.year <= year]
    assert evaluate_target(target, history, year) == evaluate_target(target, upto, year)


@given(histories(), st.integers(0, 8))
def test_volatility_is_scale_free(history: list[Observation], power: int) -> None:
    # exact in binary floating point; precision 6 keeps the minimum change below every real deviation here
    scaled = [Observation(o.year, o.value * 2.0**power) for o in history]
    assert is_volatile(scaled, precision=6) == is_volatile(history, precision=6)
    if len(history) < 3:
        assert not is_volatile(history)


# --------------------------------------------------------------------------------------------------
# Properties of rules v2: tolerance, milestones, precision
# --------------------------------------------------------------------------------------------------

UP_OR_DOWN_LEVEL = st.builds(
    TargetSpec, st.just("指标"), st.sampled_from([">=", "<=", "=="]), positive, units, st.integers(2021, 2030),
    tolerance=st.integers(1, 30).map(lambda n: n / 10))


def _short_of(target: TargetSpec, by: float) -> float:
    """A value ``by`` short of the target, on the side that misses it (below for ≥ and ==, above for ≤)."""
    assert target.value is not None
    return target.value + by if target.op == "<=" else target.value - by


@given(UP_OR_DOWN_LEVEL, st.integers(0, 100).map(lambda n: n / 100), st.integers(1, 50).map(lambda n: n / 10))
def test_tolerance_is_a_band_on_the_short_side(target: TargetSpec, share: float, beyond: float) -> None:
    assert target.tolerance is not None
    due = target.due_year
    within = evaluate_target(target, [Observation(due, _short_of(target, share * target.tolerance))], due)
    assert within.status is S.achieved, within.explanation
    outside = evaluate_target(target, [Observation(due, _short_of(target, target.tolerance + beyond))], due)
    assert outside.status is S.not_achieved, outside.explanation


@given(st.sampled_from([">=", "=="]), st.integers(0, 100).map(lambda n: n / 100),
       st.integers(1, 300).map(lambda n: n / 100))
def test_full_targets_default_to_one_point(op: str, within: float, beyond: float) -> None:
    target = TargetSpec("覆盖率", op, 100, "%", 2025)
    assert evaluate_target(target, [Observation(2025, 100 - within)], 2025).status is S.achieved
    assert evaluate_target(target, [Observation(2025, 100 - 1 - beyond)], 2025).status is S.not_achieved


@given(targets(), histories(), st.integers(1, 6), st.lists(values, min_size=1, max_size=4))
def test_a_past_milestone_is_judged_on_its_due_year(target, history, after, later_values) -> None:
    """Asked after the due year, with a due-year value: the status is the due year's whatever came later, nothing
    is projected, and later values only ever add the ``slipped`` flag to an achieved milestone."""
    due = target.due_year
    upto = [o for o in history if o.year < due]
    due_value = Observation(due, history[-1].value if history else 1.0)
    later = [Observation(due + i + 1, v) for i, v in enumerate(later_values)]
    at_due = evaluate_target(target, [*upto, due_value], due)
    asked_later = evaluate_target(target, [*upto, due_value, *later], due + after)
    assert asked_later.status is at_due.status
    assert asked_later.projected is None
    assert asked_later.latest == at_due.latest
    if Flag.slipped in asked_later.flags:
        assert at_due.status is S.achieved


@given(targets(ops=("increase", "decrease")), positive)
def test_a_change_within_the_precision_is_no_progress(target, base: float) -> None:
    """逐步提高/下降: a change of one unit of the last reported decimal never counts as progress."""
    base = round(base, 2) + 0.5  # two decimals at most, never 0
    step = 0.01 if target.op == "increase" else -0.01
    first = min(target.due_year - 1, 2021)
    values = [Observation(first, base), Observation(target.due_year, round(base + step, 2))]
    spec = TargetSpec(target.metric, target.op, None, target.unit, target.due_year)
    assert evaluate_target(spec, values, target.due_year).status is S.not_achieved
