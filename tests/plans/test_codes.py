"""Stable target codes on re-import (app.plans.codes): matched targets keep their codes, new ones never reuse one."""

from typing import Any

from app.plans.codes import KnownTarget, item_code, keep_codes, known_targets


def plan(*targets: tuple[str, str]) -> dict[str, Any]:
    """One goal W1.2 whose targets are (metric, source_text), lettered in order as a first import does."""
    return {"domains": [{"goals": [{"code": "W1.2", "targets": [
        {"code": f"W1.2{chr(ord('a') + n)}", "metric": metric, "source_text": source}
        for n, (metric, source) in enumerate(targets)]}], "measures": []}]}


def codes(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(t["code"], t["metric"]) for t in doc["domains"][0]["goals"][0]["targets"]]


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
    assert keep_codes(fresh, []) is not fresh  # a copy: the importer's document is not changed


def test_item_code() -> None:
    assert [item_code(c) for c in ("W1.2a", "C3.5aa", "W1.2")] == ["W1.2", "C3.5", "W1.2"]
