"""The keyword rules behind the example decomposition of `seed --demo`."""

from app.assignments.demo import lead_for, read_demo_rules
from app.settings import PROJECT_ROOT

RULES = read_demo_rules(PROJECT_ROOT / "seeds" / "demo.yaml")


def test_first_matching_rule_decides_the_lead() -> None:
    assert lead_for("孕产妇死亡率控制在7/10万以下。", RULES) == "wjw"
    assert lead_for("学前教育毛入园率达到95%以上。", RULES) == "jw"
    assert lead_for("城镇单位就业人员中的女性比例保持在42%左右。", RULES) == "rsj"
    assert lead_for("加强妇女思想政治引领。", RULES) == RULES["default_lead"] == "fl"


def test_every_rule_names_a_known_unit() -> None:
    leads = {rule["lead"] for rule in RULES["lead_rules"]} | {RULES["default_lead"], RULES["statistics_support"]}
    assert leads <= set(RULES["units"])
