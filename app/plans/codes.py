"""Stable target codes when a plan is imported again (pure: no I/O).

A target's code is its goal's (or measure's) code and a letter ("W1.2a"). The importer letters the targets of an
item in the order it finds them, so a target found anew in an edited text (or by a better parser) would shift
the letters after it, and a unit's reported values would then belong to another target. :func:`keep_codes`
gives every newly parsed target the code of the target it matches in the previous import of the same item —
the same metric (indicator) and source text, else the same metric, else the same source text — and letters the
targets that match none after every letter the item ever used, so a code is never reused for another target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.plans.plan_document import PlanDocument, TargetDoc

__all__ = ["KnownTarget", "item_code", "keep_codes", "known_targets", "target_letter"]

_LETTERS = re.compile(r"[a-z]+$")


@dataclass(frozen=True)
class KnownTarget:
    code: str
    metric: str
    source_text: str | None


def item_code(target_code: str) -> str:
    """"W1.2a" → "W1.2", "C3.5aa" → "C3.5"."""
    return _LETTERS.sub("", target_code)


def target_letter(index: int) -> str:
    """0 → a, 25 → z, 26 → aa (bijective base 26)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _letter_index(letters: str) -> int:
    """Inverse of :func:`target_letter`: a → 0, z → 25, aa → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - ord("a") + 1)
    return n - 1


def known_targets(plan_doc: PlanDocument) -> list[KnownTarget]:
    """The targets of a plan document (a seed YAML), as :func:`keep_codes` matches them."""
    return [KnownTarget(target.code, target.metric, target.source_text) for target in plan_doc.targets()]


def keep_codes(plan_doc: PlanDocument, known: Iterable[KnownTarget]) -> PlanDocument:
    """A copy of ``plan_doc`` whose targets keep the codes of the ``known`` targets they match (see module)."""
    by_item: dict[str, list[KnownTarget]] = {}
    for k in known:
        by_item.setdefault(item_code(k.code), []).append(k)
    doc = plan_doc.model_copy(deep=True)
    for item in doc.items():
        if item.targets:
            _recode(item.code, item.targets, by_item.get(item.code, []))
    return doc


def _recode(code: str, targets: list[TargetDoc], known: list[KnownTarget]) -> None:
    assigned: dict[int, str] = {}
    free = list(known)
    matchers = (
        lambda new, k: (new.metric, new.source_text) == (k.metric, k.source_text),
        lambda new, k: new.metric == k.metric,
        lambda new, k: new.source_text == k.source_text,
    )
    for same in matchers:
        for n, target in enumerate(targets):
            if n in assigned:
                continue
            match = next((k for k in free if same(target, k)), None)
            if match is not None:
                assigned[n] = match.code
                free.remove(match)
    used = [_letter_index(k.code[len(item_code(k.code)):]) for k in known if k.code != item_code(k.code)]
    next_index = max(used, default=-1) + 1
    for n, target in enumerate(targets):
        if n in assigned:
            target.code = assigned[n]
        elif known:
            target.code = f"{code}{target_letter(next_index)}"
            next_index += 1
        # no earlier import of this item: the importer's letters stand
    # keep the text order of the item; codes are names, not positions
