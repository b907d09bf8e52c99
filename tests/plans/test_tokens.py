"""The target parser's tokenizer (app.plans.tokens): typed tokens with spans, longest match, Chinese numerals."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.plans.targets import normalize
from app.plans.tokens import Kind, Lexicon, cn_number, read_number, tokenize, words


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind.value, t.text) for t in tokenize(text)]


def test_a_goal_sentence_as_tokens() -> None:
    assert kinds("到2027年，婚前医学检查率达到75%以上") == [
        ("year", "到2027年"), ("sep", "，"), ("text", "婚前医学检查率"), ("verb", "达到"), ("number", "75%"),
        ("qual", "以上"),
    ]


def test_tokens_carry_their_meaning_and_span() -> None:
    text = "孕产妇死亡率控制在7/10万以下"
    tokens = tokenize(text)
    verb, number, qual = tokens[1:]
    assert (verb.op, qual.op) == ("<=", "<=")
    assert number.number is not None and (number.number.value, number.number.unit) == (7.0, "1/10万")
    assert all(text[t.start:t.end] == t.text for t in tokens)
    assert "".join(t.text for t in tokens) == text


@pytest.mark.parametrize(("text", "value", "unit", "form"), [
    ("一百二十个", 120.0, "个", "chinese"),
    ("一名", 1.0, "名", "chinese"),
    ("两所", 2.0, "所", "chinese"),
    ("百分之四十", 40.0, "%", "percent_words"),
    ("十万分之九", 9.0, "1/10万", "percent_words"),
    ("三分之一", 33.33, "%", "fraction"),
    ("1/3", 33.33, "%", "fraction"),
    ("3:2", 1.5, "比", "ratio"),
    ("一半", 50.0, "%", "share_word"),
    ("260万人", 260.0, "万人", "plain"),
    ("1.5亿元", 1.5, "亿元", "plain"),
    ("2万人次", 2.0, "万人次", "plain"),
    ("0.8个百分点", 0.8, "个百分点", "plain"),  # longest unit: not "个"
])
def test_numbers(text: str, value: float, unit: str, form: str) -> None:
    found = read_number(text)
    assert found is not None
    number, end = found
    assert (number.value, number.unit, number.form, end) == (value, unit, form, len(text))


def test_longest_match_wins() -> None:
    assert kinds("达到并保持在60%")[0] == ("verb", "达到并保持在")
    assert kinds("力争到2030年")[0] == ("year", "力争到2030年")
    assert kinds("每千人口")[0] == ("text", "每千人口")  # 千 alone is no numeral here


def test_cn_number() -> None:
    assert [cn_number(x) for x in ("十二", "二十", "九十九", "一百零五", "3.5")] == [12, 20, 99, 105, 3.5]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789%‰万亿一二两三十百千分之以上下左右达到控制在年，；、和率人名个所")),
               max_size=30))
def test_tokens_cover_the_text(text: str) -> None:
    text = normalize(text)
    tokens = tokenize(text)
    assert "".join(t.text for t in tokens) == text
    assert all(t.kind in Kind for t in tokens)


TREND: Lexicon = (
    ("adverb", ("逐年", "稳定", "保持稳定")), ("up", ("上升", "增长")), ("maintain", ("稳定", "保持稳定")),
)


def test_a_rule_reads_the_clause_through_its_own_lexicon() -> None:
    toks = words("孕产妇系统管理率逐年上升", TREND)
    assert [(t.kind.value, t.text, sorted(t.roles)) for t in toks] == [
        ("text", "孕产妇系统管理率", []), ("word", "逐年", ["adverb"]), ("word", "上升", ["up"])]
    assert (toks[1].start, toks[1].end) == (8, 10)


def test_a_lexicon_word_keeps_every_role_and_the_longest_wins() -> None:
    stable, rise = words("出生人口保持稳定增长", TREND)[1:]
    assert stable.text == "保持稳定" and stable.has("adverb") and stable.has("maintain") and not stable.has("up")
    assert rise.has("up")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("逐年稳定保持上升增长率人口，")), max_size=20))
def test_lexicon_words_cover_the_text(text: str) -> None:
    toks = words(text, TREND)
    assert "".join(t.text for t in toks) == text
    assert all(a.end == b.start for a, b in zip(toks, toks[1:], strict=False))
    assert not any(a.kind is b.kind is Kind.TEXT for a, b in zip(toks, toks[1:], strict=False))


@pytest.mark.parametrize("text", ["〇十一个", "〇亿三所", "十百名", "百分之〇十一"])
def test_a_run_of_numeral_characters_that_is_no_numeral_is_text(text: str) -> None:
    tokens = tokenize(text)
    assert "".join(t.text for t in tokens) == text
    with pytest.raises(ValueError):
        cn_number(text.rstrip("个所名").removeprefix("百分之"))
