"""Which years' reported values a verdict rests on (app/status/evaluation.py): the conflict flag's scope."""

from app.status.evaluation import counted_years
from app.status.rules import Observation, TargetSpec, evaluate_target

DECLARED = TargetSpec("孕产妇死亡率", ">=", 20, "%", 2025, baseline_year=2020, baseline_value=10, direction="down")
REPORTED = TargetSpec("孕产妇死亡率", ">=", 20, "%", 2025, baseline_year=2020, direction="down")
VALUES = [Observation(2020, 12), Observation(2023, 9)]


def test_a_declared_baseline_year_is_not_a_counted_year() -> None:
    # Units reporting different values for 2020 do not matter: the declared 10 replaces them.
    evaluation = evaluate_target(DECLARED, VALUES, 2023)
    assert evaluation.baseline == Observation(2020, 10)
    assert counted_years(DECLARED, evaluation) == {2023}


def test_a_reported_baseline_year_counts() -> None:
    evaluation = evaluate_target(REPORTED, VALUES, 2023)
    assert counted_years(REPORTED, evaluation) == {2020, 2023}


def test_past_milestones_count_the_due_year_not_the_later_ones() -> None:
    target = TargetSpec("新生儿死亡率", "<=", 10, "‰", 2025)
    evaluation = evaluate_target(target, [Observation(2024, 11), Observation(2025, 9.87), Observation(2026, 10.89)],
                                 2026)
    assert counted_years(target, evaluation) == {2024, 2025}
