"""The target parser (app.plans.targets): real plan sentences, unseen sentences of the same forms, properties."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from app.plans import vocabulary
from app.plans.targets import OPS, RULES, ParsedTarget, normalize, parse_targets

REAL_CASES = yaml.safe_load((Path(__file__).parent / "target_cases_real.yaml").read_text(encoding="utf-8"))
CLASS_CASES = yaml.safe_load((Path(__file__).parent / "target_cases_classes.yaml").read_text(encoding="utf-8"))

# Fields compared, with the value a case may leave out.
DEFAULTS: dict[str, Any] = {
    "value": None, "unit": None, "year": None, "per_year": False, "baseline_year": None, "direction": None,
    "review": False,
}


def comparable(target: ParsedTarget) -> dict[str, Any]:
    d = target.to_dict()
    return {"metric": d["metric"], "op": d["op"], **{k: d[k] for k in DEFAULTS}}


def expected(spec: dict[str, Any]) -> dict[str, Any]:
    return {"metric": spec["metric"], "op": spec["op"], **{k: spec.get(k, v) for k, v in DEFAULTS.items()}}


def check(text: str, targets: list[dict[str, Any]]) -> None:
    got = [comparable(t) for t in parse_targets(text)]
    assert got == [expected(t) for t in targets]


# --------------------------------------------------------------------------------------------------
# Real sentences
# --------------------------------------------------------------------------------------------------


def _real_params() -> list[Any]:
    params = []
    for n, case in enumerate(REAL_CASES):
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
        params.append(pytest.param(case, id=f"{n:03d}-{case['source'][:3]}", marks=marks))
    return params


@pytest.mark.parametrize("case", _real_params())
def test_real_sentence(case: dict[str, Any]) -> None:
    check(case["text"], case["targets"])


def test_real_table_covers_every_plan() -> None:
    sources = " ".join(c["source"] for c in REAL_CASES)
    for prefix in ("000_", "001_", "002_", "003_", "004_"):
        assert prefix in sources
    assert sum(1 for c in REAL_CASES if c["targets"]) >= 200


# --------------------------------------------------------------------------------------------------
# The classes of issue 14 (sentences the first parser got wrong), several sentences per class
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", [pytest.param(c, id=f"{n:02d}-{c['class']}") for n, c in enumerate(CLASS_CASES)])
def test_class_sentence(case: dict[str, Any]) -> None:
    check(case["text"], case["targets"])


def test_every_class_has_several_sentences() -> None:
    classes = [c["class"] for c in CLASS_CASES]
    for name in set(classes):
        assert classes.count(name) >= 2, name
    assert len(set(classes)) >= 8


# --------------------------------------------------------------------------------------------------
# The rule table: every rule reads its own cases, every target names the rule that made it
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule_id", "text", "targets"), [
    pytest.param(rule.id, text, targets, id=f"{rule.id}-{n}")
    for rule in RULES for n, (text, targets) in enumerate(rule.cases)
])
def test_rule_reads_its_cases(rule_id: str, text: str, targets: tuple[tuple[Any, ...], ...]) -> None:
    got = parse_targets(text)
    assert [(t.metric, t.op, t.value, t.unit) for t in got] == list(targets)
    assert {t.rule for t in got} == {rule_id}


def test_rules_are_a_table() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert [rule.priority for rule in RULES] == sorted(rule.priority for rule in RULES)
    assert all(rule.cases for rule in RULES)


def test_every_target_records_a_known_rule() -> None:
    ids = {rule.id for rule in RULES}
    for case in REAL_CASES + CLASS_CASES:
        for t in parse_targets(case["text"]):
            assert t.rule in ids, (case["text"], t)


@pytest.mark.parametrize(("verb", "op"), [
    (verb, op) for verb, op in vocabulary.COMPARISON_VERBS.items() if op in (">=", ">", "<=", "<")
])
def test_every_comparison_verb_of_the_vocabulary_is_read(verb: str, op: str) -> None:
    [t] = parse_targets(f"婚前医学检查率{verb}60%")
    assert (t.metric, t.op, t.value, t.unit) == ("婚前医学检查率", op, 60.0, "%")


@pytest.mark.parametrize(("qualifier", "op"), list(vocabulary.QUALIFIERS.items()))
def test_every_qualifier_of_the_vocabulary_is_read(qualifier: str, op: str) -> None:
    [t] = parse_targets(f"婚前医学检查率保持在60%{qualifier}")
    assert (t.op, t.value) == (op, 60.0)


# --------------------------------------------------------------------------------------------------
# Unseen sentences of the same forms
# --------------------------------------------------------------------------------------------------

UNSEEN: list[Any] = [
    # thresholds, units, full-width digits and spaces
    ("住院分娩率保持在99.5%以上。", [{"metric": "住院分娩率", "op": ">=", "value": 99.5, "unit": "%"}]),
    ("３．孕产妇死亡率控制在８／１０万以下。",
     [{"metric": "孕产妇死亡率", "op": "<=", "value": 8.0, "unit": "1/10万"}]),
    ("婴儿死亡率降低到 2.5 ‰ 以下", [{"metric": "婴儿死亡率", "op": "<=", "value": 2.5, "unit": "‰"}]),
    ("全县适龄女童入学率不低于 99 ％。", [{"metric": "适龄女童入学率", "op": ">=", "value": 99.0, "unit": "%"}]),
    ("女性劳动参与率高于60%", [{"metric": "女性劳动参与率", "op": ">", "value": 60.0, "unit": "%"}]),
    ("学生近视率低于50%", [{"metric": "学生近视率", "op": "<", "value": 50.0, "unit": "%"}]),
    ("城镇登记失业人员中女性比例不高于50%。",
     [{"metric": "城镇登记失业人员中女性比例", "op": "<=", "value": 50.0, "unit": "%"}]),
    ("每万名儿童拥有儿童福利机构床位数达到 3 张以上",
     [{"metric": "每万名儿童拥有儿童福利机构床位数", "op": ">=", "value": 3.0, "unit": "张"}]),
    ("人均公共体育场地面积达到2.8平方米",
     [{"metric": "人均公共体育场地面积", "op": ">=", "value": 2.8, "unit": "平方米"}]),
    ("孕产妇死亡率控制在十万分之八以下", [{"metric": "孕产妇死亡率", "op": "<=", "value": 8.0, "unit": "1/10万"}]),
    ("儿童伤害死亡率≤ 10/10万", [{"metric": "儿童伤害死亡率", "op": "<=", "value": 10.0, "unit": "1/10万"}]),
    ("托育机构托位使用率达到并保持在 $\\geq 60\\%$", [{"metric": "托育机构托位使用率", "op": ">=", "value": 60.0,
                                                    "unit": "%"}]),
    ("5岁以下儿童低体重率控制在2%及以下。", [{"metric": "5岁以下儿童低体重率", "op": "<=", "value": 2.0, "unit": "%"}]),
    ("80%的行政村建立妇女之家",
     [{"metric": "行政村建立妇女之家比例", "op": ">=", "value": 80.0, "unit": "%", "review": True}]),
    ("新建住宅小区母婴室100%覆盖", [{"metric": "新建住宅小区母婴室覆盖", "op": "==", "value": 100.0, "unit": "%"}]),
    ("1.女性人均预期寿命延长。2.妇女宫颈癌筛查率达到75％以上，乳腺癌筛查率达到 72 ％。", [
        {"metric": "女性人均预期寿命", "op": "increase"},
        {"metric": "妇女宫颈癌筛查率", "op": ">=", "value": 75.0, "unit": "%"},
        {"metric": "乳腺癌筛查率", "op": ">=", "value": 72.0, "unit": "%"},
    ]),
    ("女性平均初婚年龄稳定在 26 岁左右。",
     [{"metric": "女性平均初婚年龄", "op": "≈", "value": 26.0, "unit": "岁"}]),
    ("婚前医学检查率超过 ７０％", [{"metric": "婚前医学检查率", "op": ">", "value": 70.0, "unit": "%"}]),
    ("农村适龄妇女两癌筛查率≥75%", [{"metric": "农村适龄妇女两癌筛查率", "op": ">=", "value": 75.0, "unit": "%"}]),
    # several metrics with 分别 / 均
    ("保障儿童健康，新生儿、婴儿和５岁以下儿童死亡率分别控制在1.5‰、2.5‰和3.5‰以下。", [
        {"metric": "新生儿死亡率", "op": "<=", "value": 1.5, "unit": "‰"},
        {"metric": "婴儿死亡率", "op": "<=", "value": 2.5, "unit": "‰"},
        {"metric": "5岁以下儿童死亡率", "op": "<=", "value": 3.5, "unit": "‰"},
    ]),
    ("小学、初中辍学率均控制在1%以内", [
        {"metric": "小学辍学率", "op": "<=", "value": 1.0, "unit": "%"},
        {"metric": "初中辍学率", "op": "<=", "value": 1.0, "unit": "%"},
    ]),
    ("乡镇、街道女干部配备率均达到100%。", [
        {"metric": "乡镇女干部配备率", "op": "==", "value": 100.0, "unit": "%"},
        {"metric": "街道女干部配备率", "op": "==", "value": 100.0, "unit": "%"},
    ]),
    ("城市、农村社区儿童之家覆盖率分别达到95%和90%", [
        {"metric": "城市社区儿童之家覆盖率", "op": ">=", "value": 95.0, "unit": "%"},
        {"metric": "农村社区儿童之家覆盖率", "op": ">=", "value": 90.0, "unit": "%"},
    ]),
    ("学龄前儿童贫血率和低体重率分别控制在5%和3%以下。", [
        {"metric": "学龄前儿童贫血率", "op": "<=", "value": 5.0, "unit": "%"},
        {"metric": "学龄前儿童低体重率", "op": "<=", "value": 3.0, "unit": "%"},
    ]),
    # milestones by year
    ("到2025年和2030年，儿童青少年总体近视率分别下降到50%以下和45%以下。", [
        {"metric": "儿童青少年总体近视率", "op": "<=", "value": 50.0, "unit": "%", "year": 2025},
        {"metric": "儿童青少年总体近视率", "op": "<=", "value": 45.0, "unit": "%", "year": 2030},
    ]),
    ("2027年，普惠性幼儿园覆盖率达到92%。",
     [{"metric": "普惠性幼儿园覆盖率", "op": ">=", "value": 92.0, "unit": "%", "year": 2027}]),
    ("婚检率到2025年达到75%，到2030年达到80%。", [
        {"metric": "婚检率", "op": ">=", "value": 75.0, "unit": "%", "year": 2025},
        {"metric": "婚检率", "op": ">=", "value": 80.0, "unit": "%", "year": 2030},
    ]),
    # 左右, ranges, 100%, 全覆盖, 应保尽保
    ("女性就业人员占全社会就业人员的比例保持在45%左右",
     [{"metric": "女性就业人员占全社会就业人员的比例", "op": "≈", "value": 45.0, "unit": "%"}]),
    ("出生人口性别比保持在103-107之间", [
        {"metric": "出生人口性别比", "op": ">=", "value": 103.0},
        {"metric": "出生人口性别比", "op": "<=", "value": 107.0},
    ]),
    ("孕产妇中重度贫血患病率控制在1.5‰—2‰", [
        {"metric": "孕产妇中重度贫血患病率", "op": ">=", "value": 1.5, "unit": "‰"},
        {"metric": "孕产妇中重度贫血患病率", "op": "<=", "value": 2.0, "unit": "‰"},
    ]),
    ("困境儿童基本生活保障实现应保尽保。",
     [{"metric": "困境儿童基本生活保障", "op": "==", "value": 100.0, "unit": "%"}]),
    ("实现村级儿童之家全覆盖", [{"metric": "村级儿童之家", "op": "==", "value": 100.0, "unit": "%"}]),
    ("家长学校建校率达到100%", [{"metric": "家长学校建校率", "op": "==", "value": 100.0, "unit": "%"}]),
    # annual change and change from a base year
    ("儿童肥胖率在2022年的基础上每年下降0.5个百分点以上。", [
        {"metric": "儿童肥胖率", "op": ">=", "value": 0.5, "unit": "个百分点", "per_year": True,
         "baseline_year": 2022, "direction": "down"},
    ]),
    ("城乡居民健康素养水平以2021年为基数提高15%", [
        {"metric": "城乡居民健康素养水平", "op": ">=", "value": 15.0, "unit": "%", "baseline_year": 2021,
         "direction": "up"},
    ]),
    ("女性参保人数年均增长5%", [  # not a share: a relative change, no doubt about percentage points
        {"metric": "女性参保人数", "op": ">=", "value": 5.0, "unit": "%", "per_year": True, "direction": "up"},
    ]),
    ("到2024年和2028年，儿童龋患率分别在2020年和2023年基础上降低5个百分点。", [
        {"metric": "儿童龋患率", "op": ">=", "value": 5.0, "unit": "个百分点", "year": 2024, "baseline_year": 2020,
         "direction": "down"},
        {"metric": "儿童龋患率", "op": ">=", "value": 5.0, "unit": "个百分点", "year": 2028, "baseline_year": 2023,
         "direction": "down"},
    ]),
    # counts before their noun
    ("各乡镇至少配备2名专职儿童督导员。",
     [{"metric": "各乡镇配备专职儿童督导员", "op": ">=", "value": 2.0, "unit": "名"}]),
    ("每个县区设立不少于一所标准化妇幼保健院",
     [{"metric": "每个县区设立标准化妇幼保健院", "op": ">=", "value": 1.0, "unit": "所"}]),
    # trends without a number
    ("女性参加失业保险人数稳步提升", [{"metric": "女性参加失业保险人数", "op": "increase"}]),
    ("持续提高孕产妇系统管理率", [{"metric": "孕产妇系统管理率", "op": "increase"}]),
    ("儿童伤害死亡率逐步降低，城乡儿童健康差距逐步缩小。", [
        {"metric": "儿童伤害死亡率", "op": "decrease"}, {"metric": "城乡儿童健康差距", "op": "decrease"},
    ]),
    ("有效遏制青少年吸烟率上升趋势", [{"metric": "青少年吸烟率", "op": "decrease"}]),
    ("村委会委员中女性比例保持稳定", [{"metric": "村委会委员中女性比例", "op": "maintain"}]),
    # qualitative
    ("加强妇女儿童权益保障工作，营造良好社会氛围。", []),
    ("提升妇女创业能力", []),
    ("为3岁以上儿童提供普惠托育服务", []),
    # review instead of a silent guess
    ("城乡低保对象中女性比例提高10%", [
        {"metric": "城乡低保对象中女性比例", "op": ">=", "value": 10.0, "unit": "%", "direction": "up",
         "review": True},
    ]),
    ("孕产妇死亡率控制在1.2%以下",
     [{"metric": "孕产妇死亡率", "op": "<=", "value": 1.2, "unit": "%", "review": True}]),
    ("产前检查率达到105%", [{"metric": "产前检查率", "op": ">=", "value": 105.0, "unit": "%", "review": True}]),
    ("，达到95%以上", [{"metric": "", "op": ">=", "value": 95.0, "unit": "%", "review": True}]),
    ("城镇女职工生育保险参保率不低于全省平均水平的90%",
     [{"metric": "城镇女职工生育保险参保率", "op": ">=", "value": 90.0, "unit": "%", "review": True}]),
    ("新生儿、婴儿死亡率分别控制在2‰、3‰和4‰以下", [
        {"metric": "新生儿、婴儿死亡率", "op": "<=", "value": v, "unit": "‰", "review": True} for v in (2.0, 3.0, 4.0)
    ]),
    # 覆盖 as a verb or an attribute, a group before 应X尽X, 全部达到…标准
    ("健全覆盖城乡的儿童福利服务体系", []),
    ("建设全覆盖的社区儿童之家网络", []),
    ("在保证质量的前提下实现应配尽配", []),
    ("确保符合条件的儿童应助尽助",
     [{"metric": "符合条件的儿童", "op": "==", "value": 100.0, "unit": "%", "review": True}]),
    ("实现农村卫生厕所全覆盖", [{"metric": "农村卫生厕所", "op": "==", "value": 100.0, "unit": "%"}]),
    ("全区托育机构全部达到国家标准",
     [{"metric": "托育机构达到国家标准比例", "op": "==", "value": 100.0, "unit": "%", "review": True}]),
    # ratios, shared heads and prefixes, mixed lists
    ("男女厕位比例不低于3:2", [{"metric": "男女厕位比例", "op": ">=", "value": 1.5, "unit": "比", "review": True}]),
    ("提高儿童保健服务质量和覆盖率", [{"metric": "儿童保健服务覆盖率", "op": "increase"}]),
    ("每千名老人拥有养老护理员达到5名、床位增至40张", [
        {"metric": "每千名老人拥有养老护理员", "op": ">=", "value": 5.0, "unit": "名"},
        {"metric": "每千名老人拥有床位数", "op": ">=", "value": 40.0, "unit": "张"},
    ]),
    ("各乡镇建立儿童之家，覆盖率达到90%", [{"metric": "儿童之家覆盖率", "op": ">=", "value": 90.0, "unit": "%"}]),
    # other districts' forms: a count after its noun, a count range, a per-capita value, a trend towards a norm
    ("乡镇卫生院儿科医生至少配备2名。",
     [{"metric": "乡镇卫生院儿科医生配备数", "op": ">=", "value": 2.0, "unit": "名"}]),
    ("全区建成儿童友好社区10个以上。", [{"metric": "建成儿童友好社区", "op": ">=", "value": 10.0, "unit": "个"}]),
    ("婴幼儿托位数达到每千人口4.5个。",
     [{"metric": "每千人口婴幼儿托位数", "op": ">=", "value": 4.5, "unit": "个"}]),
    ("出生人口性别比趋于正常。", [{"metric": "出生人口性别比", "op": "maintain", "review": True}]),
    ("新建托育机构3～5所", [
        {"metric": "新建托育机构", "op": ">=", "value": 3.0, "unit": "所"},
        {"metric": "新建托育机构", "op": "<=", "value": 5.0, "unit": "所"},
    ]),
    ("全区新增普惠性托位500个以上，每个社区配备儿童主任1名。", [
        {"metric": "新增普惠性托位", "op": ">=", "value": 500.0, "unit": "个"},
        {"metric": "每个社区配备儿童主任", "op": ">=", "value": 1.0, "unit": "名", "review": True},
    ]),
    ("每万名儿童拥有社会工作者5名", [
        {"metric": "每万名儿童拥有社会工作者", "op": ">=", "value": 5.0, "unit": "名", "review": True},
    ]),
    ("每万人口拥有全科医生不少于4名，学前教育毛入园率力争达到95%。", [
        {"metric": "每万人口拥有全科医生", "op": ">=", "value": 4.0, "unit": "名"},
        {"metric": "学前教育毛入园率", "op": ">=", "value": 95.0, "unit": "%"},
    ]),
    ("普惠性幼儿园覆盖率保持在85%以上，高中阶段毛入学率提高到98%。", [
        {"metric": "普惠性幼儿园覆盖率", "op": ">=", "value": 85.0, "unit": "%"},
        {"metric": "高中阶段毛入学率", "op": ">=", "value": 98.0, "unit": "%"},
    ]),
    ("婴儿死亡率为3‰以下", [{"metric": "婴儿死亡率", "op": "<=", "value": 3.0, "unit": "‰"}]),
    # fractions: a share written "三分之一" or "1/3" is a percentage, with review (like a ratio "3:2")
    ("村委会成员中女性比例达到三分之一以上。",
     [{"metric": "村委会成员中女性比例", "op": ">=", "value": 33.33, "unit": "%", "review": True}]),
    ("区人大代表中女性比例不低于1/3", [
        {"metric": "区人大代表中女性比例", "op": ">=", "value": 33.33, "unit": "%", "review": True},
    ]),
    ("新建公共场所女性厕位与男性厕位比例不低于３：２。",
     [{"metric": "新建公共场所女性厕位与男性厕位比例", "op": ">=", "value": 1.5, "unit": "比", "review": True}]),
    # every unit staffed: 全部配备 reads as 100%, like 全部达到…标准
    ("全区中小学全部配备心理健康教师",
     [{"metric": "中小学配备心理健康教师比例", "op": "==", "value": 100.0, "unit": "%", "review": True}]),
    ("两性收入差距趋于合理", [{"metric": "两性收入差距", "op": "maintain", "review": True}]),
    ("女性参加体育锻炼人数趋于稳定", [{"metric": "女性参加体育锻炼人数", "op": "maintain"}]),
    # a share kept "reasonable" / "appropriate": maintain with review, like 趋于合理
    ("村(居)委会成员中的女性保持适当比例。",
     [{"metric": "村(居)委会成员中的女性比例", "op": "maintain", "review": True}]),
    ("保持妇联执委中女性的合理比例", [{"metric": "妇联执委中女性比例", "op": "maintain", "review": True}]),
    ("保证发展党员计划中女性有一定比例", []),  # "a certain share": no number, no direction
    # a share compared with another quantity, no number: maintain with review (a value needs a number)
    ("区级党代会女代表比例原则上不低于全区党员中女性比例。",
     [{"metric": "区级党代会女代表比例", "op": "maintain", "review": True}]),
    ("女性参保率不低于全市平均水平", [{"metric": "女性参保率", "op": "maintain", "review": True}]),
    # service-radius standards: <= the time (or distance), with review
    ("构建乡镇“20分钟医疗服务圈”和城区“10分钟急救圈”。", [
        {"metric": "乡镇医疗服务圈", "op": "<=", "value": 20.0, "unit": "分钟", "review": True},
        {"metric": "城区急救圈", "op": "<=", "value": 10.0, "unit": "分钟", "review": True},
    ]),
    ("到2025年，建成农村1公里健身圈", [
        {"metric": "农村健身圈", "op": "<=", "value": 1.0, "unit": "公里", "year": 2025, "review": True},
    ]),
    ("打造社区生活圈", []),  # no number: not a standard
    # several per-capita denominators share one count
    ("每万名儿童、每百张托位均配备1名保健医生", [
        {"metric": "每万名儿童配备保健医生", "op": ">=", "value": 1.0, "unit": "名", "review": True},
        {"metric": "每百张托位配备保健医生", "op": ">=", "value": 1.0, "unit": "名", "review": True},
    ]),
    # "(…)部配备" right after a bracket is a slip for 全部配备 (kept as written, with review); 干部配备 is none
    ("街道(乡镇)部配备社会工作者", [
        {"metric": "街道(乡镇)配备社会工作者比例", "op": "==", "value": 100.0, "unit": "%", "review": True},
    ]),
    ("领导班子中女干部配备率逐步提高", [{"metric": "领导班子中女干部配备率", "op": "increase"}]),
    ("村部配备图书室", []),
]


@pytest.mark.parametrize(("text", "targets"), UNSEEN)
def test_unseen_sentence(text: str, targets: list[dict[str, Any]]) -> None:
    check(text, targets)


# --------------------------------------------------------------------------------------------------
# Details of the encoding
# --------------------------------------------------------------------------------------------------


def test_tolerance_rule() -> None:
    [t] = parse_targets("女性就业比例保持在42%左右")
    assert t.tolerance == pytest.approx(2.1)
    [t] = parse_targets("男女比例保持在5%左右")
    assert t.tolerance == 0.5  # floor for percentages
    [t] = parse_targets("平均初婚年龄保持在26岁左右")
    assert t.tolerance == pytest.approx(1.3)
    [t] = parse_targets("女性比例达到40%以上")
    assert t.tolerance is None


def test_source_text_and_reason() -> None:
    [t] = parse_targets("城镇女职工养老、医疗、失业、工伤、生育保险实现应保尽保，待遇水平稳步提升。")
    assert "应保尽保" in t.source_text
    [t] = parse_targets("中小学生视力不良检出率在2020年的基础上每年降低1个百分点以上。")
    assert "2020年的基础上" in t.source_text
    [t] = parse_targets("城乡低保对象中女性比例提高10%")
    assert t.review_reason and "百分点" in t.review_reason
    [t] = parse_targets("婴儿死亡率分别降至3%以下")
    assert t.review_reason and "死亡率" in t.review_reason


def test_reasons_of_the_forms_without_a_plain_value() -> None:
    [t] = parse_targets("各镇党代会女代表比例一般不低于本地党员总数中女性比例。")
    assert t.review_reason
    assert t.review_reason.startswith("数值相对于另一个量：不低于本地党员总数中女性比例")
    assert "按保持处理" in t.review_reason
    [t] = parse_targets("中国共产党女党员保持合理比例。")
    assert t.review_reason and t.review_reason.startswith("保持合理比例：表示一种正常状态")
    first, *_ = parse_targets("打造中心城区“10分钟急救圈”、非中心城区“15分钟急救圈”。")
    assert first.source_text == "打造中心城区“10分钟急救圈”"
    assert first.review_reason and "服务半径标准“10分钟急救圈”" in first.review_reason
    _, slip = parse_targets("乡镇（街道）全部配备儿童督导员，社区（村）部配备儿童主任。")
    assert slip.source_text == "社区（村）部配备儿童主任"  # kept as written
    assert slip.review_reason and "笔误" in slip.review_reason and "全部配备" in slip.review_reason


def test_ratio_is_stored_as_a_quotient_with_review() -> None:
    first, second = parse_targets("女性厕位与男性厕位的比例至少为３:２，人流量较大的场所提高到２：1。")
    assert (first.metric, first.op, first.value, first.unit) == ("女性厕位与男性厕位的比例", ">=", 1.5, "比")
    assert first.source_text == "女性厕位与男性厕位的比例至少为３:２"  # verbatim: full-width digits kept
    assert first.review_reason and "3:2" in first.review_reason
    assert (second.metric, second.value, second.unit) == ("人流量较大的场所女性厕位与男性厕位的比例", 2.0, "比")
    assert second.review and "2:1" in (second.review_reason or "")


def test_source_text_is_the_verbatim_fragment() -> None:
    [t] = parse_targets("全县适龄女童入学率不低于 ９９ ％。")
    assert t.source_text == "全县适龄女童入学率不低于 ９９ ％"
    # zengdu-women W1.M5: the dash of "35—45岁" is kept as written
    text = ("落实基本公共卫生服务中农村妇女宫颈癌和乳腺癌检查项目，督促用人单位落实女职工保健工作规定，定期组织女职工"
            "进行宫颈癌和乳腺癌筛查，促进 70%的妇女在 35—45 岁接受高效宫颈癌筛查。")
    [t] = parse_targets(text)
    assert t.source_text == "促进 70%的妇女在 35—45 岁接受高效宫颈癌筛查"
    [t] = parse_targets("重点城市声环境功能区夜间达标率 $\\geq 80\\%$ 。")
    assert t.source_text == "重点城市声环境功能区夜间达标率 $\\geq 80\\%$"
    first, second = parse_targets("8. 5 岁以下儿童死亡率控制在 4‰ 以下，\n婴儿死亡率控制在 3 ‰以下。")
    assert (first.source_text, second.source_text) == ("5 岁以下儿童死亡率控制在 4‰ 以下", "婴儿死亡率控制在 3 ‰以下")
    first, second = parse_targets("镇、街道领导班子中至少各配备 1 名女干部，纪委领导班子至少各配备１名女干部。")
    assert (first.source_text, second.source_text) == ("至少各配备 1 名女干部", "至少各配备１名女干部")
    low, high = parse_targets("到2025年，新建城区义务教育学校2—3所。")
    assert (low.year, low.source_text) == (high.year, high.source_text) == (2025, "新建城区义务教育学校2—3所")


def test_source_text_of_every_real_case_is_a_slice_of_its_text() -> None:
    for case in REAL_CASES:
        for t in parse_targets(case["text"]):
            assert t.source_text and t.source_text in case["text"], (case["text"], t.source_text)


def test_to_dict_is_json_friendly() -> None:
    import json

    [t] = parse_targets("孕产妇死亡率控制在7/10万以下")
    d = t.to_dict()
    assert list(d) == ["metric", "op", "value", "unit", "year", "per_year", "baseline_year", "tolerance",
                       "direction", "review", "review_reason", "source_text", "rule"]
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d


@pytest.mark.parametrize(("raw", "norm"), [
    ("９８ ％", "98%"),
    ("7 岁", "7岁"),
    ("7／10 万", "7/10万"),
    ("达到 98%以上,7岁", "达到98%以上，7岁"),
    ("$\\geq 80\\%$", "≥80%"),
    ("1.1‰ — 1.5‰", "1.1‰-1.5‰"),
    ("艾滋病母婴\n传播率", "艾滋病母婴传播率"),
    ("（街道）", "(街道)"),
    ("HPV vaccine", "HPV vaccine"),
    ("1,000人；", "1,000人；"),
    ("提高到２：1", "提高到2:1"),
    ("目标：1.", "目标：1."),
])
def test_normalize(raw: str, norm: str) -> None:
    assert normalize(raw) == norm


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
TEXTISH = st.text(
    alphabet=st.one_of(CJK, st.sampled_from(list("0123456789０１２３４５６７８９%％‰ ，,。；;、-—～.．()（）/／\n"))),
    max_size=40,
)
METRIC_NOUN = st.text(alphabet=CJK, min_size=2, max_size=8).filter(
    lambda s: not any(w in s for w in ("以", "达", "到", "至", "于", "保", "均", "分", "别", "控", "降", "提", "超",
                                        "高", "低", "不", "增", "占", "少", "率", "持", "稳", "和", "及", "与", "各",
                                        "全", "每", "减", "下", "上", "内", "左", "右", "在", "比", "较", "为", "一",
                                        "二", "两", "三", "四", "五", "六", "七", "八", "九", "十", "年", "要", "应",
                                        "中", "进", "推", "使", "让", "促", "实", "确", "巩", "力", "争", "将", "须",
                                        "需", "也", "都", "仍", "继", "始", "基", "有", "效", "逐", "步", "不", "断",
                                        "努", "维", "并", "且", "其", "同", "此", "另", "外", "后", "大", "小", "多",
                                        "足", "升", "扩", "长", "缩", "趋", "势", "值", "统", "计", "的", "加", "部",
                                        "配", "设", "建", "组", "掌", "拥", "安", "举", "培", "提", "创", "开"))
    # a generic head ("覆盖率", "工作率") names no population: the parser rightly asks for review
    and not s.startswith(vocabulary.GENERIC_SUBJECTS)
    and f"{s}率".removeprefix("保障").removeprefix("服务") not in vocabulary.GENERIC_HEADS
)


@settings(max_examples=200, deadline=None)
@given(TEXTISH)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=200, deadline=None)
@given(TEXTISH)
def test_parse_never_fails_and_uses_the_vocabulary(text: str) -> None:
    for t in parse_targets(text):
        assert t.op in OPS
        assert (t.value is None) == (t.op in ("increase", "decrease", "maintain"))
        assert t.review == (t.review_reason is not None)
        assert t.metric or t.review  # an empty metric is never silent


@settings(max_examples=200, deadline=None)
@given(TEXTISH)
def test_source_text_is_a_slice_of_the_input(text: str) -> None:
    for t in parse_targets(text):
        assert t.source_text in text


@settings(max_examples=200, deadline=None)
@given(METRIC_NOUN, st.integers(min_value=1, max_value=99), st.sampled_from(["达到", "提高到", "不低于", "保持在"]),
       st.booleans())
def test_rate_at_least_n_percent(noun: str, n: int, verb: str, fullwidth: bool) -> None:
    number = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")) if fullwidth else str(n)
    [t] = parse_targets(f"{noun}率{verb}{number}%以上")
    assert (t.metric, t.op, t.value, t.unit, t.review) == (f"{noun}率", ">=", float(n), "%", False)


@settings(max_examples=100, deadline=None)
@given(METRIC_NOUN, st.integers(min_value=1, max_value=50), st.integers(min_value=1, max_value=50))
def test_two_years_two_values(noun: str, a: int, b: int) -> None:
    targets = parse_targets(f"到2025年和2030年，{noun}率分别达{a}%以上和{b}%以上")
    assert [(t.metric, t.op, t.value, t.year) for t in targets] == [
        (f"{noun}率", ">=", float(a), 2025), (f"{noun}率", ">=", float(b), 2030)]


@settings(max_examples=100, deadline=None)
@given(METRIC_NOUN, st.floats(min_value=0.1, max_value=20, allow_nan=False).map(lambda x: round(x, 1)))
def test_below_per_mille(noun: str, x: float) -> None:
    [t] = parse_targets(f"{noun}率控制在 {x:g} ‰ 以下")
    assert (t.metric, t.op, t.value, t.unit) == (f"{noun}率", "<=", x, "‰")
