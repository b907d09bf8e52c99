"""The target parser's tokenizer: a normalised clause as typed tokens with their spans (pure, no I/O).

``tokenize("到2027年，婚前医学检查率达到75%以上")`` →
``YEAR(2027) SEP(，) TEXT(婚前医学检查率) VERB(达到, >=) NUMBER(75 %) QUAL(以上, >=)``.

At each position the longest token wins (a year before a number, "达到并保持在" before "达到", "个百分点" before
"个"); what no vocabulary word matches is TEXT, one token per run. Chinese numerals ("一百二十", "四十") are read
by cn2an; the words themselves are in :mod:`app.plans.vocabulary`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import cn2an

from app.plans import vocabulary as vocab

__all__ = ["Kind", "Lexicon", "Number", "Token", "cn_number", "read_number", "tokenize", "words"]


class Kind(StrEnum):
    YEAR = "year"  # "到2025年", "2030年前": value = the year
    NUMBER = "number"  # a value with its unit: "75%", "260万人", "一名", "三分之一", "3:2"
    QUAL = "qual"  # 以上 / 以下 / 左右 …: op
    VERB = "verb"  # 达到 / 控制在 / 提高 …: op
    SEP = "sep"  # ， ； 、 和 及 与
    TEXT = "text"  # anything else, one token per run
    WORD = "word"  # a word of a rule's lexicon (see :func:`words`): roles = the lists it is in


@dataclass(frozen=True)
class Number:
    """A value as read: ``value`` in ``unit`` (a fraction of a whole in %, a ratio a/b with unit 比)."""

    value: float
    unit: str | None
    form: str  # "plain", "chinese", "percent_words" (百分之四十), "fraction" (三分之一, 1/3), "ratio" (3:2),
    # "share_word" (一半)


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    start: int
    end: int
    op: str | None = None  # VERB, QUAL
    number: Number | None = None  # NUMBER
    year: int | None = None  # YEAR
    roles: frozenset[str] = frozenset()  # WORD

    def has(self, *roles: str) -> bool:
        """Whether this is a WORD in one of ``roles``."""
        return not self.roles.isdisjoint(roles)


def _alternation(words: tuple[str, ...] | list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_NUM = r"\d+(?:\.\d+)?"
# "一百二十", "三点五" (not "千" of "每千人口")
_CN = f"[{vocab.CN_DIGITS}][{vocab.CN_NUMERAL_CHARS}]*(?:点[{vocab.CN_DIGITS}]+)?"
_UNIT = _alternation(vocab.UNITS)
_COUNT_UNIT = _alternation(vocab.COUNT_UNITS)
_MAGNITUDE = _alternation(vocab.MAGNITUDES)
_DENOMINATOR = _alternation(tuple(vocab.FRACTION_DENOMINATORS))

_YEAR_RE = re.compile(
    rf"(?:{_alternation(vocab.SCOPE_PREFIXES)})?((?:19|20)\d{{2}})年(?:{_alternation(vocab.YEAR_ENDINGS)})?")
_NUMBER_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ratio", re.compile(r"(\d{1,3}(?:\.\d+)?):(\d{1,3}(?:\.\d+)?)(?![\d.])")),
    ("percent_words", re.compile(rf"({_DENOMINATOR})分之({_NUM}|{_CN})")),
    ("fraction", re.compile(rf"({_CN})分之({_CN})|({_NUM})/([1-9]\d?)(?![\d万千十百])")),
    ("plain", re.compile(rf"({_NUM})({_MAGNITUDE})?({_UNIT})?")),
    ("chinese", re.compile(rf"({_CN})({_COUNT_UNIT})")),
    ("share_word", re.compile(_alternation(tuple(vocab.SHARE_WORDS)))),
)
_WORDS: tuple[tuple[Kind, dict[str, str]], ...] = (
    (Kind.QUAL, vocab.QUALIFIERS),
    (Kind.VERB, vocab.COMPARISON_VERBS),
)
_WORD_RES = tuple((kind, table, re.compile(_alternation(tuple(table)))) for kind, table in _WORDS)
_SEP_RE = re.compile(r"[，；、：]|和|及|与")


def cn_number(text: str) -> float:
    """A Chinese (or Arabic) numeral as a number: "一百二十" → 120, "两" → 2, "四十" → 40, "3" → 3."""
    if re.fullmatch(_NUM, text):
        return float(text)
    try:
        return float(cn2an.cn2an(text.replace("〇", "零"), "normal"))
    except (KeyError, IndexError) as e:  # cn2an fails this way on some runs that are no numeral ("〇十一")
        raise ValueError(f"not a Chinese numeral: {text!r}") from e


def _number(form: str, m: re.Match[str]) -> Number | None:
    try:
        if form == "ratio":
            a, b = float(m[1]), float(m[2])
            return Number(round(a / b, 4) if b else float(a), "比", form)
        if form == "percent_words":
            return Number(cn_number(m[2]), vocab.FRACTION_DENOMINATORS[m[1]], form)
        if form == "fraction":
            part, whole = (cn_number(m[2]), cn_number(m[1])) if m[1] else (float(m[3]), float(m[4]))
            return Number(round(100 * part / whole, 2), "%", form) if whole else None
        if form == "plain":
            unit = (m[2] or "") + (m[3] or "")
            if unit.startswith("/"):
                unit = "1" + unit.replace("十万", "10万")
            return Number(float(m[1]), unit or None, form)
        if form == "share_word":
            return Number(vocab.SHARE_WORDS[m[0]], "%", form)
        return Number(cn_number(m[1]), m[2], form)
    except ValueError:  # a run that is no numeral ("十百", "〇十一")
        return None


def read_number(text: str, pos: int = 0) -> tuple[Number, int] | None:
    """The longest number token at ``pos``: (number, end), or None."""
    best: tuple[Number, int] | None = None
    for form, pattern in _NUMBER_FORMS:
        m = pattern.match(text, pos)
        if m and (best is None or m.end() > best[1]):
            number = _number(form, m)
            if number is not None:
                best = (number, m.end())
    return best


def tokenize(text: str) -> list[Token]:
    """Typed tokens covering ``text`` (normalised by :func:`app.plans.targets.normalize`), longest match first."""
    tokens: list[Token] = []
    pos = 0
    text_start: int | None = None

    def flush(at: int) -> None:
        nonlocal text_start
        if text_start is not None:
            tokens.append(Token(Kind.TEXT, text[text_start:at], text_start, at))
            text_start = None

    while pos < len(text):
        candidates: list[Token] = []
        if y := _YEAR_RE.match(text, pos):
            candidates.append(Token(Kind.YEAR, y.group(), pos, y.end(), year=int(y[1])))
        if (n := read_number(text, pos)) is not None:
            candidates.append(Token(Kind.NUMBER, text[pos:n[1]], pos, n[1], number=n[0]))
        for kind, table, pattern in _WORD_RES:
            if w := pattern.match(text, pos):
                candidates.append(Token(kind, w.group(), pos, w.end(), op=table[w.group()]))
        if s := _SEP_RE.match(text, pos):
            candidates.append(Token(Kind.SEP, s.group(), pos, s.end()))
        if not candidates:
            if text_start is None:
                text_start = pos
            pos += 1
            continue
        best = max(candidates, key=lambda t: t.end)  # longest; ties: the first kind listed
        flush(pos)
        tokens.append(best)
        pos = best.end
    flush(pos)
    return tokens


# A rule's own view of a clause: (role, words) pairs, e.g. (("up", TREND_UP), ("adverb", TREND_ADVERBS)).
Lexicon = tuple[tuple[str, tuple[str, ...]], ...]


@lru_cache(maxsize=64)
def _lexicon(lexicon: Lexicon) -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    roles: dict[str, set[str]] = {}
    for role, listed in lexicon:
        for word in listed:
            roles.setdefault(word, set()).add(role)
    return re.compile(_alternation(tuple(roles))), {w: frozenset(r) for w, r in roles.items()}


@lru_cache(maxsize=4096)
def words(text: str, lexicon: Lexicon) -> tuple[Token, ...]:
    """``text`` as the words of ``lexicon`` and the TEXT between them, longest word first.

    ``words("青少年吸烟率上升趋势", (("rise", ("上升",)), ("trend", ("趋势",))))`` →
    ``TEXT(青少年吸烟率) WORD(上升, rise) WORD(趋势, trend)``. A word listed under several roles has them all.
    """
    pattern, roles = _lexicon(lexicon)
    tokens: list[Token] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            tokens.append(Token(Kind.TEXT, text[pos:m.start()], pos, m.start()))
        tokens.append(Token(Kind.WORD, m.group(), m.start(), m.end(), roles=roles[m.group()]))
        pos = m.end()
    if pos < len(text):
        tokens.append(Token(Kind.TEXT, text[pos:], pos, len(text)))
    return tuple(tokens)
