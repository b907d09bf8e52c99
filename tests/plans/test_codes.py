"""Stable target codes on re-import (app.plans.codes): matched targets keep their codes, new ones never reuse one."""

from app.plans.codes import KnownTarget, item_code, keep_codes, known_targets
from app.plans.plan_document import PlanDocument, TargetDoc


def plan(*targets: tuple[str, str]) -> PlanDocument:
    """One goal W1.2 whose targets are (metric, source_text), lettered in order as a first import does."""
    return PlanDocument.model_validate({
        "committee": {"code": "990101", "name": "示例区妇女儿童工作委员会", "region": "示例区"},
        "plan": {"code": "shili-2021-2025", "title": "示例区妇女儿童发展规划", "kind": "combined",
                 "start_year": 2021, "end_year": 2025},
        "domains": [{"code": "W1", "part": "W", "seq": 1, "title": "妇女与健康", "goals": [{
            "code": "W1.2", "seq": 2, "text": "。".join(source for _, source in targets),
            "targets": [target(f"W1.2{chr(ord('a') + n)}", metric, source)
                        for n, (metric, source) in enumerate(targets)]}]}]})


def target(code: str, metric: str, source: str) -> TargetDoc:
    return TargetDoc(code=code, metric=metric, op="increase", value=None, unit=None, year=None, per_year=False,
                     baseline_year=None, tolerance=None, direction=None, review=False, review_reason=None,
                     source_text=source, rule="test")


def codes(doc: PlanDocument) -> list[tuple[str, str]]:
    return [(t.code, t.metric) for t in doc.domains[0].goals[0].targets]


def test_a_target_found_anew_before_the_others_does_not_shift_their_codes() -> None:
    before = plan(("孕产妇死亡率", "孕产妇死亡率控制在7/10万以下"), ("城乡差距", "城乡差距逐步缩小"))
    edited = plan(("孕产妇系统管理率", "孕产妇系统管理率达到95%以上"), ("孕产妇死亡率", "孕产妇死亡率控制在7/10万以下"),
                  ("城乡差距", "城乡差距逐步缩小"))
    assert codes(keep_codes(edited, known_targets(before))) == [
        ("W1.2c", "孕产妇系统管理率"), ("W1.2a", "孕产妇死亡率"), ("W1.2b", "城乡差距")]


def test_matching_prefers_metric_and_source_then_metric_then_source() -> None:
    known = [KnownTarget("W1.2a", "孕产妇死亡率", "到2025年控制在10.5/10万以下"),
             KnownTarget("W1.2b", "孕产妇死亡率", "到2030年下降到10/10万以下"),
             KnownTarget("W1.2c", "城乡差距", "城乡差距逐步缩小")]
    edited = plan(("孕产妇死亡率", "到2030年下降到10/10万以下"),  # same metric and source: b
                  ("孕产妇死亡率", "到2025年控制在10/10万以下"),  # the value was corrected: same metric, a
                  ("城乡孕产妇死亡率差距", "城乡差距逐步缩小"))  # renamed metric, same source: c
    assert codes(keep_codes(edited, known)) == [
        ("W1.2b", "孕产妇死亡率"), ("W1.2a", "孕产妇死亡率"), ("W1.2c", "城乡孕产妇死亡率差距")]


def test_a_removed_code_is_never_given_to_another_target() -> None:
    known = known_targets(plan(("A率", "A率达到1%"), ("B率", "B率达到2%")))
    edited = plan(("C率", "C率达到3%"), ("B率", "B率达到2%"))  # A was removed, C is new
    assert codes(keep_codes(edited, known)) == [("W1.2c", "C率"), ("W1.2b", "B率")]


def test_a_first_import_keeps_the_importers_letters() -> None:
    fresh = plan(("A率", "A率达到1%"), ("B率", "B率达到2%"))
    assert codes(keep_codes(fresh, [])) == codes(fresh)
    kept = keep_codes(fresh, [])
    assert kept == fresh and kept is not fresh  # a copy: the importer's document is not changed
    kept.domains[0].goals[0].targets[0].code = "W1.2z"
    assert codes(fresh)[0] == ("W1.2a", "A率")  # a deep one


def test_item_code() -> None:
    assert [item_code(c) for c in ("W1.2a", "C3.5aa", "W1.2")] == ["W1.2", "C3.5", "W1.2"]
