"""The plan importer against the six real plans in seeds/texts (counts taken by hand from the texts)."""

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.plans.codes import keep_codes, known_targets
from app.plans.importer import (
    PlanSettings,
    ends_sentence,
    first_sentence,
    import_plan_text,
    scan_structure,
    split_heading,
    target_letter,
)
from app.plans.plan_document import CommitteeDoc, ItemDoc, PlanDocument, dump_plan_yaml, load_plan_yaml

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ROOT / "seeds" / "texts"
PLANS = ROOT / "seeds" / "plans"

SOURCES = {
    "chaoyang-2021-2025": "000_387d95fb7cc2558f.txt",
    "xicheng-2021-2025": "001_6e451218832a53cc.txt",
    "zengdu-women-2021-2030": "002_aa5ca547c2e032c6.txt",
    "zengdu-children-2021-2030": "002_aa5ca547c2e032c6.txt",
    "changping-2021-2025": "003_36ca46f3d3052794.txt",
    "wanghua-women-2021-2030": "004_75f05439943c4a30.txt",
}

# (domain code, title, goals, measures), counted in the texts: numbered lines under each 主要目标 and
# 策略措施 line (西城: numbered items under each domain heading).
COUNTS: dict[str, list[tuple[str, str, int, int]]] = {
    "chaoyang-2021-2025": [
        ("W1", "妇女与健康", 7, 8), ("W2", "妇女与教育", 5, 5), ("W3", "妇女与经济", 8, 11),
        ("W4", "妇女参与决策和管理", 8, 8), ("W5", "妇女与社会保障", 7, 9), ("W6", "妇女与家庭建设", 7, 7),
        ("W7", "妇女与环境", 7, 8), ("W8", "妇女与法律", 8, 7),
        ("C1", "儿童与健康", 9, 11), ("C2", "儿童与安全", 5, 7), ("C3", "儿童与教育", 7, 7),
        ("C4", "儿童与福利", 7, 8), ("C5", "儿童与家庭", 7, 7), ("C6", "儿童与环境", 6, 7),
        ("C7", "儿童与法律", 7, 8),
    ],
    "xicheng-2021-2025": [
        ("W1", "妇女与健康", 8, 0), ("W2", "妇女与教育", 5, 0), ("W3", "妇女与经济", 10, 0),
        ("W4", "妇女参与决策和管理", 8, 0), ("W5", "妇女与社会保障", 9, 0), ("W6", "妇女与家庭建设", 7, 0),
        ("W7", "妇女与环境", 8, 0), ("W8", "妇女与法律", 7, 0),
        ("C1", "儿童与健康", 11, 0), ("C2", "儿童与安全", 7, 0), ("C3", "儿童与教育", 7, 0),
        ("C4", "儿童与福利", 8, 0), ("C5", "儿童与家庭", 7, 0), ("C6", "儿童与环境", 7, 0),
        ("C7", "儿童与法律", 8, 0),
    ],
    "zengdu-women-2021-2030": [
        ("W1", "妇女与健康", 11, 11), ("W2", "妇女与教育", 8, 9), ("W3", "妇女与经济", 10, 10),
        ("W4", "妇女参与决策和管理", 11, 8), ("W5", "妇女与社会保障", 9, 11), ("W6", "妇女与家庭建设", 8, 9),
        ("W7", "妇女与环境", 11, 14), ("W8", "妇女与法律", 10, 11),
    ],
    "zengdu-children-2021-2030": [
        ("C1", "儿童与健康", 13, 14), ("C2", "儿童与安全", 8, 11), ("C3", "儿童与教育", 9, 13),
        ("C4", "儿童与福利", 10, 12), ("C5", "儿童与家庭", 8, 8), ("C6", "儿童与环境", 9, 10),
        ("C7", "儿童与法律保护", 10, 13),
    ],
    "changping-2021-2025": [
        ("W1", "妇女与健康", 7, 6), ("W2", "妇女与教育", 5, 5), ("W3", "妇女与经济", 8, 7),
        ("W4", "妇女参与决策和管理", 9, 5), ("W5", "妇女与社会保障", 7, 6), ("W6", "妇女与家庭建设", 7, 6),
        ("W7", "妇女与环境", 7, 7), ("W8", "妇女与法律", 8, 7),
        ("C1", "儿童与健康", 9, 9), ("C2", "儿童与安全", 5, 7), ("C3", "儿童与教育", 7, 8),
        ("C4", "儿童与福利", 7, 8), ("C5", "儿童与家庭", 7, 7), ("C6", "儿童与环境", 5, 6),
        ("C7", "儿童与法律", 7, 8),
    ],
    "wanghua-women-2021-2030": [
        ("W1", "妇女与健康", 12, 13), ("W2", "妇女与教育", 11, 14), ("W3", "妇女与经济", 9, 13),
        ("W4", "妇女参与决策和管理", 11, 10), ("W5", "妇女与社会保障", 9, 11), ("W6", "妇女与家庭建设", 9, 10),
        ("W7", "妇女与环境", 10, 13), ("W8", "妇女与法律", 9, 12),
    ],
}

# (plan, item code, printed number, exact text): the text must be the item's text in the seed file and
# must occur in the source (after re-joining the source's hard line breaks).
VERBATIM: list[tuple[str, str, str, str]] = [
    ("chaoyang-2021-2025", "W1.2", "2", "保障孕产妇安全，孕产妇死亡率控制在7/10万以下。"),
    ("chaoyang-2021-2025", "W4.5", "6", "区级各类事业单位领导班子成员中女性比例保持稳定。"),
    ("chaoyang-2021-2025", "C6.3", "3", "开展儿童友好示范创建工作。"),
    ("chaoyang-2021-2025", "C7.M1", "1",
     "完善未成年人权益保护和福利保障政策制度。全面落实国家和北京市关于未成年保护的相关法律法规，逐步完善儿童"
     "权益保护政策制度。"),
    ("xicheng-2021-2025", "C7.1", "1",
     "贯彻落实未成年人保护政策法规。全面落实国家关于未成年人保护的相关法律法规，层层落实对未成年人的保护责任。"
     "增强保护儿童相关政策制度的可操作性，在实践中总结未成年人保护的成功经验和做法。"),
    ("xicheng-2021-2025", "W4.2", "2",
     "重视培养中共女性党员。面向妇女深入开展思想政治工作，宣传党的政治主张，培养对党的感情，激发妇女入党的政治"
     "意愿。注重从各行各业青年女性中发展党员，加强对入党积极分子的培养教育。在党代表候选人酝酿过程中，充分关注"
     "政治过硬、作风优良、敢于担当、实绩突出的优秀妇女。全区中共党员中的女性保持合理比例，区级党代会中的女性比例"
     "不低于 40%。"),
    ("xicheng-2021-2025", "W1.3", "3",
     "保障妇女生育全程安全。促进健康孕育，提高妇女生殖健康水平。保障孕产妇安全，孕产妇死亡率控制在 7/10 万以下。"
     "提倡科学备孕和适龄怀孕，保持适宜生育间隔。提供生育全程基本医疗保健服务，健全综合预警网络，实施孕产妇安全"
     "风险预防、预警、应急保障，完善高危孕产妇筛查、转诊、治疗、随访全链条可追溯服务。推广顾问式、一站式孕产妇"
     "健康服务，打造现代产房安全分娩模式，提升团队快速反应能力及救治同质化水平。为低收入孕产妇住院分娩和危重"
     "孕产妇救治提供必要救助。"),
    ("zengdu-women-2021-2030", "W1.2", "2",
     "到2025年和2030年，产前筛查率分别达80%以上和82%以上，孕产妇死亡率分别控制到万分之一以下和十万分之九以下，"
     "优于全省平均水平，城乡、区域差距逐步缩小。"),
    ("zengdu-women-2021-2030", "W1.5", "5",
     "孕产妇艾滋病、梅毒、乙肝检测率均达98%以上，提高孕早期检测率。艾滋病母婴传播率下降至 2%以下。艾滋病感染"
     "孕产妇抗艾滋病病毒药物应用率达 98%以上。"),
    ("zengdu-women-2021-2030", "W7.6", "6",
     "减少环境污染对妇女健康的危害。全区城镇污水处理率逐步提高。空气质量优良天数比率不低于市定考核目标 87%，"
     "重点城市声环境功能区夜间达标率 $\\geq 80\\%$ 。"),
    ("zengdu-children-2021-2030", "C2.1", "1", "减少儿童伤害所致死亡和残疾。儿童伤害死亡率以2020年为基数下降20%。"),
    ("zengdu-children-2021-2030", "C3.7", "7",
     "儿童科学素质全面提升,创新意识、科学兴趣、文明素养、社会责任意识、实践能力不断提高，以提高儿童综合素质为导向"
     "的教育评价体系更加完善。"),
    ("zengdu-children-2021-2030", "C7.M1", "1",
     "完善保护儿童的规章制度。健全保障儿童生存权、发展权、受保护权、参与权的制度规范。加强未成年人保护法的实施，"
     "落实法律监督、司法建议和法治督察制度。"),
    ("changping-2021-2025", "W1.2", "2", "保障孕产妇安全,孕产妇死亡率控制在7/10万以下。"),
    ("changping-2021-2025", "C4.5", "5", "设立不少于一家区属独立的儿童福利机构(未成年人救助保护机构)。"),
    ("changping-2021-2025", "C7.M7", "7",
     "积极推进社会综合治理。提升全社会保护未成年人的意识与能力,加快推进、完善侵害未成年人案件强制报告制度。严厉"
     "查处使用童工行为,规范和限制安排儿童参加商业性展演活动。以案释法,呼吁全社会共同关爱儿童健康成长。"),
    ("wanghua-women-2021-2030", "W1.2", "2",
     "孕产妇死亡率到2025年控制在10.5／10万以下，到2030年下降到10／10万以下，城乡差距逐步缩小。"),
    ("wanghua-women-2021-2030", "W1.12", "13",
     "妇幼健康服务体系更加健全，妇幼健康服务能力持续提升，妇女健康水平不断提高。"),
    ("wanghua-women-2021-2030", "W4.5", "5", "担任区党政正职的女干部要有一定数量。区党政正职中至少配备１名女干部。"),
]


@cache
def source(file_name: str) -> str:
    return (TEXTS / file_name).read_text(encoding="utf-8")


def joined_source(file_name: str) -> str:
    """The source with hard line breaks, bookmarks and page numbers removed (as the importer re-joins)."""
    lines = (re.sub(r"\[bookmark:[^\]]*\]", "", line).strip() for line in source(file_name).splitlines())
    return "".join(line for line in lines if not re.fullmatch(r"-\s*\d+\s*-", line))


@cache
def imported(file_name: str) -> tuple[dict[str, PlanDocument], tuple[str, ...]]:
    result = import_plan_text(source(file_name), file_name, strict=True)
    return {plan.plan.code: plan for plan in result.plans}, tuple(result.doubts)


def plan(code: str) -> PlanDocument:
    return imported(SOURCES[code])[0][code]


def seed(code: str) -> PlanDocument:
    return load_plan_yaml((PLANS / f"{code}.yaml").read_text(encoding="utf-8"))


def items(doc: PlanDocument) -> dict[str, ItemDoc]:
    return {item.code: item for item in doc.items()}


# ----------------------------------------------------------------------------------------------- counts


@pytest.mark.parametrize("code", list(COUNTS))
def test_domains_and_item_counts_match_the_text(code: str) -> None:
    found = [(d.code, d.title, len(d.goals), len(d.measures)) for d in plan(code).domains]
    assert found == COUNTS[code]


@pytest.mark.parametrize("code", list(COUNTS))
def test_codes_and_seq_are_contiguous(code: str) -> None:
    for domain in plan(code).domains:
        assert [g.seq for g in domain.goals] == list(range(1, len(domain.goals) + 1))
        assert [g.code for g in domain.goals] == [f"{domain.code}.{n}" for n, _ in
                                                         enumerate(domain.goals, 1)]
        assert [m.code for m in domain.measures] == [f"{domain.code}.M{n}" for n, _ in
                                                            enumerate(domain.measures, 1)]


def test_one_file_per_plan_and_nothing_else() -> None:
    assert sorted(p.stem for p in PLANS.glob("*.yaml")) == sorted(SOURCES)


# --------------------------------------------------------------------------------------------- verbatim


@pytest.mark.parametrize(("code", "item_code", "number", "text"), VERBATIM)
def test_item_text_is_verbatim(code: str, item_code: str, number: str, text: str) -> None:
    item = items(seed(code))[item_code]
    assert item.text == text
    assert item.number == number
    assert re.search(re.escape(number) + r"\s*[.．、]\s*" + re.escape(text), joined_source(SOURCES[code]))


@pytest.mark.parametrize("code", list(COUNTS))
def test_every_item_occurs_in_the_source_in_order_after_its_number(code: str) -> None:
    text = joined_source(SOURCES[code])
    position = 0
    for item in items(plan(code)).values():
        found = text.find(item.text, position)
        assert found >= 0, item.code
        assert re.search(re.escape(item.number) + r"\s*[.．、]\s*$", text[max(0, found - 8):found]), item.code
        position = found + len(item.text)


@pytest.mark.parametrize("code", list(COUNTS))
def test_no_heading_swallowed_and_no_item_split(code: str) -> None:
    for item in items(plan(code)).values():
        body = item.text
        assert not re.search(r"主要目标[:：]?$|策略措施[:：]?$|^[（(][一二三四五六七八九十]+[）)]", body), item.code
        assert not re.search(r"[一二三四五六七八九十]、(组织实施|监测评估)", body), item.code
        assert "[bookmark" not in body and not re.search(r"-\s*\d+\s*-", body), item.code
        assert ends_sentence(body), item.code  # a split item would leave a fragment


# ------------------------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("file_name", sorted({*SOURCES.values()}))
def test_reimport_reproduces_the_seed_files(file_name: str) -> None:
    """What seeds/generate.py does: import the text, keep the codes of the seed file's targets."""
    result = import_plan_text((TEXTS / file_name).read_text(encoding="utf-8"), file_name, strict=True)
    assert result.plans
    for fresh in result.plans:
        path = PLANS / f"{fresh.plan.code}.yaml"
        doc = keep_codes(fresh, known_targets(load_plan_yaml(path.read_text(encoding="utf-8"))))
        assert dump_plan_yaml(doc) == path.read_text(encoding="utf-8")
        assert load_plan_yaml(dump_plan_yaml(doc)) == doc


# ------------------------------------------------------------------------------------------- anomalies


def test_chaoyang_lost_headings_are_inferred_and_noted() -> None:
    doc = plan("chaoyang-2021-2025")
    inferred = {d.code: (d.title, d.subtitle) for d in doc.domains if d.inferred}
    assert inferred == {"C6": ("儿童与环境", None), "C7": ("儿童与法律", None)}
    notes = "\n".join(doc.plan.anomalies)
    assert "C6：第 252 行的主要目标之前缺少领域标题" in notes and "C7：第 267 行的主要目标之前缺少领域标题" in notes
    assert "W4 主要目标：印出的编号为 1,2,3,4,6,7,8,9（缺第 5 项）" in notes
    assert "第 284 行" in notes and "第 293 行" in notes  # the lost 组织实施 / 监测评估 chapter headings
    assert doc.plan.title == "朝阳区“十四五”时期妇女儿童发展规划"
    # The last measure stops before the headless 组织实施 chapter.
    assert items(doc)["C7.M8"].text.startswith("依法为未成年人提供法律援助和司法救助。")
    assert "坚持党的全面领导" not in items(doc)["C7.M8"].text


def test_xicheng_items_are_titled_goals_without_measures() -> None:
    doc = plan("xicheng-2021-2025")
    assert doc.plan.doc_number == "西政发〔2022〕6号"
    assert doc.plan.issued_date == date(2022, 4, 1)
    for domain in doc.domains:
        assert domain.measures == []
        assert domain.subtitle
        for goal in domain.goals:
            assert goal.title == first_sentence(goal.text)
            assert goal.title and "。" not in goal.title
    assert doc.domains[0].subtitle == "打造生命全周期妇女健康服务体系，妇女健康素养和健康水平不断提升"
    assert items(doc)["W1.1"].title == "构建女性全生命周期健康服务机制"
    assert any("W4.2（“- 18 -”）" in note for note in doc.plan.anomalies)


def test_zengdu_file_yields_two_plans() -> None:
    plans, _ = imported(SOURCES["zengdu-women-2021-2030"])
    assert list(plans) == ["zengdu-women-2021-2030", "zengdu-children-2021-2030"]
    women, children = plans.values()
    assert (women.plan.kind, children.plan.kind) == ("women", "children")
    assert women.plan.title == "曾都区妇女发展规划（2021—2030年）"
    assert children.plan.title == "曾都区儿童发展规划(2021—2030年)"
    for doc in (women, children):
        assert doc.committee.code == "421303"
        assert doc.plan.doc_number == "曾政发〔2022〕8号"
        assert (doc.plan.start_year, doc.plan.end_year) == (2021, 2030)
    assert {d.part for d in women.domains} == {"W"}
    assert {d.part for d in children.domains} == {"C"}
    notes = "\n".join(children.plan.anomalies)
    assert "C1.3：死亡率用%表示" in notes
    assert "C1.3：没有编号的段落" in notes


def test_wanghua_numbering_gap_and_full_width_digits_kept() -> None:
    doc = plan("wanghua-women-2021-2030")
    assert doc.plan.kind == "women"
    assert [g.number for g in doc.domains[0].goals][-2:] == ["11", "13"]
    assert any("缺第 12 项" in note for note in doc.plan.anomalies)
    assert "１名" in items(doc)["W4.5"].text


def test_changping_web_page_furniture_is_not_an_issue_date() -> None:
    doc = plan("changping-2021-2025")
    assert doc.plan.issued_date is None
    assert doc.plan.title == "昌平区“十四五”时期妇女儿童发展规划"


@pytest.mark.parametrize("code", list(COUNTS))
def test_committee_and_plan_keys(code: str) -> None:
    """The seed file's keys, in the order of the document's fields."""
    doc = yaml.safe_load((PLANS / f"{code}.yaml").read_text(encoding="utf-8"))
    assert list(doc) == ["committee", "plan", "domains"]
    assert list(doc["plan"]) == ["code", "title", "kind", "start_year", "end_year", "doc_number", "issued_date",
                                 "source_file", "anomalies"]
    assert doc["plan"]["source_file"] == SOURCES[code]
    assert list(doc["domains"][0]) == ["code", "part", "seq", "title", "subtitle", "inferred", "goals",
                                       "measures"]
    assert list(doc["domains"][0]["goals"][0]) == ["code", "seq", "number", "title", "text", "targets"]
    target = next(t for d in doc["domains"] for g in d["goals"] for t in g["targets"])
    assert list(target) == ["code", "metric", "op", "value", "unit", "year", "per_year", "baseline_year",
                            "tolerance", "direction", "review", "review_reason", "source_text", "rule"]


# --------------------------------------------------------------------------------------------- targets


@pytest.mark.parametrize("code", list(COUNTS))
def test_target_codes_follow_their_item(code: str) -> None:
    for domain in seed(code).domains:
        for item in domain.goals + domain.measures:
            codes = [t.code for t in item.targets]
            assert len(set(codes)) == len(codes)
            assert all(re.fullmatch(re.escape(item.code) + "[a-z]+", c) for c in codes)
            # a first import letters them in text order (the seed files keep earlier codes: test_codes.py)
            assert sorted(codes, key=lambda c: (len(c), c)) == [item.code + target_letter(n)
                                                                for n in range(len(codes))]
        for measure in domain.measures:
            assert all(t.value is not None for t in measure.targets)


def test_seed_files_carry_the_parsers_targets() -> None:
    pytest.importorskip("app.plans.targets")
    assert sum(len(item.targets) for code in COUNTS for item in items(seed(code)).values()) > 100
    assert any(t.value == 7 for t in items(seed("chaoyang-2021-2025"))["W1.2"].targets)


# Statements with a number or a share that once gave no target (audit of the six plans): each now gives a
# target, flagged for review where the reading is not plain.
AUDITED: list[tuple[str, str, list[tuple[str, str, float | None]]]] = [
    ("zengdu-women-2021-2030", "W1.M11", [("中心城区急救圈", "<=", 10.0), ("非中心城区急救圈", "<=", 15.0),
                                          ("城市社区卫生服务圈", "<=", 15.0), ("农村医疗卫生服务圈", "<=", 30.0)]),
    ("zengdu-women-2021-2030", "W4.2", [("中国共产党女党员比例", "maintain", None),
                                        ("各镇党代会女代表比例", "maintain", None)]),
    ("wanghua-women-2021-2030", "W4.2", [("中国共产党女党员比例", "maintain", None),
                                         ("中国共产党全区各级党员代表大会中女党员代表比例", "maintain", None)]),
    ("wanghua-women-2021-2030", "W1.M12", [("城市社区体育健身圈", "<=", 15.0)]),
    ("changping-2021-2025", "W1.M6", [("社区体育健身圈", "<=", 15.0)]),
    ("chaoyang-2021-2025", "C4.M8", [("乡镇(街道)配备儿童督导员比例", "==", 100.0),
                                     ("社区(村)配备儿童主任比例", "==", 100.0)]),
]


@pytest.mark.parametrize(("code", "item", "wanted"), AUDITED)
def test_audited_statements_give_review_targets(code: str, item: str,
                                                wanted: list[tuple[str, str, float | None]]) -> None:
    pytest.importorskip("app.plans.targets")
    targets = items(seed(code))[item].targets
    assert [(t.metric, t.op, t.value) for t in targets][:len(wanted)] == wanted
    assert all(t.review and t.review_reason for t in targets[:len(wanted)])


@pytest.mark.parametrize("code", list(COUNTS))
def test_seed_targets_fit_the_database(code: str) -> None:
    """A value unless the op is a trend op (the table's check constraint); a reason with every review flag."""
    for entry in items(seed(code)).values():
        for t in entry.targets:
            assert (t.value is None) == (t.op in ("increase", "decrease", "maintain")), t.code
            assert bool(t.review) == bool(t.review_reason), t.code


# ----------------------------------------------------------------------------------- general structure


def test_structure_rules_work_on_another_districts_text() -> None:
    """Wrapped headings, a lost heading, bullets, page numbers and a numbering gap in a made-up plan."""
    text = "\n".join([
        "一、指导思想", "1.坚持党的全面领导。", "二、发展领域、主要目标和策略措施",
        "（一）儿童与健康：完善健康促进体", "系，提高儿童身心健康水平",
        "主要目标：", "- 1.新生儿死亡率降至", "- 12 -", "2‰以下。", "3.儿童健康水平提高。",
        "策略措施：", "1.优先保障儿童健康。每千名儿童床位数增至", "2.2 张。",
        "主要目标", "1.儿童安全。", "策略措施", "1.创建安全环境。",
        "三、组织实施", "（一）加强领导。",
    ])
    state = scan_structure(text.splitlines(), 0, len(text.splitlines()), "C")
    first, second = state.domains
    assert split_heading("".join(first.heading)) == ("儿童与健康", "完善健康促进体系，提高儿童身心健康水平")
    assert [(i.number, i.text) for i in first.goals] == [("1", "新生儿死亡率降至2‰以下。"), ("3", "儿童健康水平提高。")]
    assert [i.text for i in first.measures] == ["优先保障儿童健康。每千名儿童床位数增至2.2 张。"]
    assert first.goals[0].furniture == ["- 12 -"]
    assert second.inferred and [i.text for i in second.goals] == ["儿童安全。"]
    assert [i.text for i in second.measures] == ["创建安全环境。"]


# ------------------------------------------------------------------------- another district's plan

# A made-up district's plan: a title line, two domains with 主要目标 / 策略措施 lists, hard line breaks.
SYNTHETIC = "\n".join([
    "示例区妇女发展规划（2021—2030年）",
    "一、指导思想和基本原则",
    "坚持以人民为中心的发展思想。",
    "二、妇女发展的主要目标和策略措施",
    "（一）妇女与健康：提升妇女健康水平",
    "主要目标：",
    "1.孕产妇死亡率控制在",
    "8/10万以下。",
    "2.妇女人均预期寿命延长。",
    "策略措施：",
    "1.完善妇幼健康服务体系。区级设置1所政府举办的妇幼",
    "保健机构。",
    "2.加强妇女健康教育。",
    "（二）妇女与教育",
    "主要目标",
    "1.女性平均受教育年限不断提高。",
    "策略措施",
    "1.保障女童平等接受义务教育。",
    "2.实现适龄残疾女童义务教育全覆盖。",
    "三、组织实施",
    "（一）加强组织领导。",
])

EXPLICIT = PlanSettings(code="shili-women-2021-2030", kind="women", start_year=2021, end_year=2030,
                        title="示例区妇女发展规划（2021—2030年）", committee_code="990101",
                        committee_name="示例市示例区妇女儿童工作委员会", region="示例市示例区")


def _structure(doc: PlanDocument) -> list[tuple[str, str, list[str], list[str]]]:
    return [(d.code, d.title, [g.text for g in d.goals], [m.text for m in d.measures])
            for d in doc.domains]


SYNTHETIC_STRUCTURE = [
    ("W1", "妇女与健康", ["孕产妇死亡率控制在8/10万以下。", "妇女人均预期寿命延长。"],
     ["完善妇幼健康服务体系。区级设置1所政府举办的妇幼保健机构。", "加强妇女健康教育。"]),
    ("W2", "妇女与教育", ["女性平均受教育年限不断提高。"],
     ["保障女童平等接受义务教育。", "实现适龄残疾女童义务教育全覆盖。"]),
]


def test_unknown_district_is_imported_with_inferred_settings_and_doubts() -> None:
    result = import_plan_text(SYNTHETIC, "shili.txt", strict=True)
    [doc] = result.plans
    assert _structure(doc) == SYNTHETIC_STRUCTURE
    assert doc.domains[0].subtitle == "提升妇女健康水平"
    assert [(t.metric, t.op, t.value) for t in items(doc)["W1.1"].targets] == [
        ("孕产妇死亡率", "<=", 8.0)]
    meta = doc.plan
    assert (meta.code, meta.kind, meta.start_year, meta.end_year) == (
        "plan-women-2021-2030", "women", 2021, 2030)
    assert meta.title == "示例区妇女发展规划（2021—2030年）"
    assert doc.committee == CommitteeDoc(code="000000", name="示例区妇女儿童工作委员会", region="示例区")
    assert "均由文本推断" in meta.anomalies[0]
    # One doubt per inferred field, naming it, so that a dry run says what to fill in.
    fields = [d.split(": ", 2)[1] for d in result.doubts]
    assert fields == ["title", "start_year/end_year", "kind", "code", "committee_code", "committee_name/region"]
    assert all(d.startswith("plan-women-2021-2030: ") for d in result.doubts)
    assert any("000000" in d and "GB/T 2260" in d for d in result.doubts)


def test_explicit_settings_are_used_as_given() -> None:
    result = import_plan_text(SYNTHETIC, "shili.txt", settings=EXPLICIT, strict=True)
    [doc] = result.plans
    assert _structure(doc) == SYNTHETIC_STRUCTURE
    assert doc.committee == CommitteeDoc(code="990101", name="示例市示例区妇女儿童工作委员会", region="示例市示例区")
    meta = doc.plan
    assert (meta.code, meta.kind, meta.start_year, meta.end_year, meta.title) == (
        "shili-women-2021-2030", "women", 2021, 2030, "示例区妇女发展规划（2021—2030年）")
    assert not any("推断" in note for note in meta.anomalies)
    assert result.doubts == []
    # Explicit settings win over the table: a known district's text takes the given ones.
    known = import_plan_text(source(SOURCES["wanghua-women-2021-2030"]), "x.txt", settings=EXPLICIT, strict=True)
    assert [p.plan.code for p in known.plans] == ["shili-women-2021-2030"]


def test_a_text_without_known_settings_or_domains_is_not_a_plan() -> None:
    result = import_plan_text("这不是一份规划。\n只是一段文字。", "x.txt", strict=True)
    assert result.plans == []
    assert result.doubts and "没有找到领域" in result.doubts[0]


def test_explicit_settings_for_a_text_with_two_plans_are_refused() -> None:
    with pytest.raises(ValueError, match="holds 2 plans"):
        import_plan_text(source(SOURCES["zengdu-women-2021-2030"]), "zengdu.txt", settings=EXPLICIT, strict=True)


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="kind"):
        PlanSettings("x-2021-2025", "men", 2021, 2025, "t", "000000", "n", "r")
    with pytest.raises(ValueError, match="period"):
        PlanSettings("x-2021-2025", "women", 2025, 2021, "t", "000000", "n", "r")


@pytest.mark.parametrize(("title_lines", "expected"), [
    (["某某县“十四五”时期妇女儿童发展规划"], ("plan-2021-2025", "combined", 2021, 2025, "某某县")),
    (["关于印发《某某市某某区儿童发展规划（2021-2030年）》的通知", "各有关单位："],
     ("plan-children-2021-2030", "children", 2021, 2030, "某某市某某区")),
])
def test_settings_inferred_from_other_titles(title_lines: list[str], expected: tuple[Any, ...]) -> None:
    body = SYNTHETIC.splitlines()[1:]
    body[3] = "二、儿童发展的主要目标和策略措施" if expected[1] == "children" else "二、妇女发展的主要目标和策略措施"
    result = import_plan_text("\n".join(title_lines + body), "other.txt", strict=True)
    [doc] = result.plans
    meta = doc.plan
    assert (meta.code, meta.kind, meta.start_year, meta.end_year, doc.committee.region) == expected
    assert len(doc.domains) == 2


def test_small_helpers() -> None:
    assert first_sentence("加强妇女思想政治引领。坚持用…") == "加强妇女思想政治引领"
    assert first_sentence("没有句号") == "没有句号"
    assert split_heading("妇女与经济:保障妇女") == ("妇女与经济", "保障妇女")
    assert split_heading("妇女与健康") == ("妇女与健康", None)
    assert [target_letter(n) for n in (0, 1, 25, 26)] == ["a", "b", "z", "aa"]


def test_the_district_table_is_data() -> None:
    from app.plans.importer import DISTRICTS_FILE, PLAN_SETTINGS, read_plan_settings

    assert read_plan_settings(DISTRICTS_FILE) == PLAN_SETTINGS
    assert {s.code for s in PLAN_SETTINGS} == {path.stem for path in PLANS.glob("*.yaml")}
    assert all(s.committee_code.isdigit() and len(s.committee_code) == 6 for s in PLAN_SETTINGS)


# ------------------------------------------------------------------------------------- parser errors


def _broken_parser(text: str) -> list[Any]:
    raise RuntimeError("parser bug")


def test_a_parser_exception_fails_a_strict_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.plans.importer.parse_targets", _broken_parser)
    with pytest.raises(RuntimeError, match="parser bug"):
        import_plan_text(SYNTHETIC, "shili.txt", settings=EXPLICIT, strict=True)


def test_a_parser_exception_is_a_doubt_in_a_production_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.plans.importer.parse_targets", _broken_parser)
    result = import_plan_text(SYNTHETIC, "shili.txt", settings=EXPLICIT)
    [doc] = result.plans
    assert _structure(doc) == SYNTHETIC_STRUCTURE  # the plan is still read, without targets
    assert list(doc.targets()) == []
    failed = [d for d in result.doubts if "parser bug" in d]
    assert len(failed) == len(list(doc.items())) and failed[0].startswith("shili-women-2021-2030: W1.1")


# -------------------------------------------------------------------------------------------- rule ids


@pytest.mark.parametrize("code", list(COUNTS))
def test_every_seed_target_records_the_rule_that_read_it(code: str) -> None:
    from app.plans.targets import parse_targets

    for item in seed(code).items():
        for target in item.targets:
            assert target.rule, target.code
            # the rule is the parser's own: re-parsing the item gives a target of that rule for the fragment
            again = [p for p in parse_targets(item.text) if p.source_text == target.source_text]
            assert target.rule in {p.rule for p in again}, target.code
