"""The target parser on a held-out-style corpus: goal sentences of plans outside the repo (target_cases_unseen*.yaml).

Certain cases are compared exactly like the real ones (tests.plans.test_targets.check); a case the parser does not
read correctly yet is a strict xfail, so that a fix shows up. Uncertain cases (a careful reader could take them
two ways) are not scored, only parsed.
"""

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.plans.targets import ParsedTarget, parse_targets
from tests.plans.test_targets import check

# Written in batches (the fourth: target_cases_unseen_4.yaml), each without looking at the others' sentences.
UNSEEN_FILES = ("target_cases_unseen.yaml", "target_cases_unseen_more.yaml", "target_cases_unseen_4.yaml")
UNSEEN_CASES: list[dict[str, Any]] = [
    case for name in UNSEEN_FILES
    for case in yaml.safe_load((Path(__file__).parent / name).read_text(encoding="utf-8"))]

MIN_CASES = 200
MIN_CLEAN_SHARE = 0.95  # certain cases the parser reads correctly (no xfail), among all certain cases


def _params(certain: bool) -> list[Any]:
    params = []
    for n, case in enumerate(UNSEEN_CASES):
        if case["certain"] is not certain:
            continue
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
        params.append(pytest.param(case, id=f"{n:03d}-{case['source']}", marks=marks))
    return params


@pytest.mark.parametrize("case", _params(certain=True))
def test_unseen_certain_sentence(case: dict[str, Any]) -> None:
    check(case["text"], case["targets"])


@pytest.mark.parametrize("case", _params(certain=False))
def test_unseen_uncertain_sentence_is_parsed(case: dict[str, Any]) -> None:
    targets = parse_targets(case["text"])
    assert all(isinstance(t, ParsedTarget) for t in targets)
    assert all(t.metric for t in targets), [t.to_dict() for t in targets]


def test_unseen_corpus_shape() -> None:
    for case in UNSEEN_CASES:
        assert isinstance(case["certain"], bool), case["text"]
        assert not (case.get("xfail") and not case["certain"]), case["text"]  # an uncertain case is not scored
    assert len(UNSEEN_CASES) >= MIN_CASES
    assert len({c["text"] for c in UNSEEN_CASES}) == len(UNSEEN_CASES)


def test_unseen_corpus_is_mostly_read() -> None:
    certain = [c for c in UNSEEN_CASES if c["certain"]]
    clean = [c for c in certain if not c.get("xfail")]
    share = len(clean) / len(certain)
    assert share >= MIN_CLEAN_SHARE, f"{len(clean)}/{len(certain)} = {share:.3f} certain cases read correctly"
