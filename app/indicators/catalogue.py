"""Which targets measure the same quantity: pure rules the seed loader, plan import and migration share.

A committee's plans word one indicator in several ways ("孕产妇死亡率" for the 2025 and the 2030 milestone,
"全区孕产妇死亡率" in the other plan). Targets whose names normalise to the same key and whose units can be
converted into each other share an indicator. Two strengths of normalisation: an *exact* key (width, spaces and
punctuation only) merges silently; a *loose* key (also district prefixes and bracketed remarks) merges too, but
the merge is inferred, so the indicator is marked for the office to review.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from app.indicators.units import canonical_unit, convertible, finer_unit

_PUNCTUATION = re.compile(r"[\s\"'“”‘’「」《》、，,。.:：;；]")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
# District-wide prefixes that do not change what is measured.
_PREFIXES = ("全区", "本区", "我区", "全县", "全市", "全省", "区级", "全区域")
CHANGE_UNITS = ("个百分点",)


def exact_key(metric: str) -> str:
    """The name without width, spacing or punctuation differences."""
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", metric))


def loose_key(metric: str) -> str:
    """The exact key without bracketed remarks and district-wide prefixes."""
    key = _BRACKETS.sub("", exact_key(metric))
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix):]
            break
    return key


@dataclass(frozen=True)
class TargetFacts:
    """What the catalogue needs to know of one target."""

    metric: str
    op: str
    unit: str | None
    per_year: bool = False
    baseline_year: int | None = None
    direction: str | None = None  # up/down on change targets


def level_unit(target: TargetFacts) -> str | None:
    """Unit of the indicator's values behind a target: a change in 个百分点 is a change of a %; a relative
    change (下降20%) says nothing about the level's unit."""
    unit = canonical_unit(target.unit)
    if unit in CHANGE_UNITS:
        return "%"
    if unit == "%" and (target.per_year or target.direction is not None):
        return None
    return unit


def better_direction(target: TargetFacts) -> str | None:
    """higher / lower is better, as the target says; None when it does not (≈, ==, 保持稳定)."""
    if target.direction is not None:
        return "higher" if target.direction == "up" else "lower"
    return {">=": "higher", ">": "higher", "increase": "higher",
            "<=": "lower", "<": "lower", "decrease": "lower"}.get(target.op)


def compatible(unit: str | None, other: str | None) -> bool:
    """Values in one unit can be stored in the other (None: the unit is not known yet)."""
    return unit is None or other is None or convertible(unit, other)


@dataclass
class Entry:
    """One indicator of the catalogue, as matching sees it."""

    key: str  # loose key
    name: str
    unit: str | None
    direction: str | None
    names: set[str]  # exact keys merged into it
    ref: object = None  # the caller's row, if any

    @property
    def inferred(self) -> bool:
        return len(self.names) > 1


class Catalogue:
    """A committee's indicators by loose key, for matching targets to them one by one."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self.entries: list[Entry] = list(entries)

    def match(self, target: TargetFacts) -> Entry | None:
        key, unit = loose_key(target.metric), level_unit(target)
        return next((e for e in self.entries if e.key == key and compatible(e.unit, unit)), None)

    def place(self, target: TargetFacts) -> tuple[Entry, bool]:
        """The entry the target belongs to, and whether it is new; merging updates unit and direction."""
        entry = self.match(target)
        unit, direction = level_unit(target), better_direction(target)
        if entry is None:
            entry = Entry(key=loose_key(target.metric), name=target.metric.strip(), unit=unit, direction=direction,
                          names={exact_key(target.metric)})
            self.entries.append(entry)
            return entry, True
        entry.names.add(exact_key(target.metric))
        entry.unit = finer_unit(entry.unit, unit)
        if entry.direction is None:
            entry.direction = direction
        return entry, False


def merge_reason(entry: Entry) -> str:
    """Why an inferred merge needs a look (Chinese: the office reads it)."""
    return "按名称推断合并的指标（" + "、".join(sorted(entry.names)) + "），请核对是否为同一指标"


def responsible_unit(data_source_unit_id: int | None, lead_unit_id: int | None) -> int | None:
    """Whose value of an indicator counts and who must report it: its data-source unit, else the lead unit of
    the goal or measure the target sits in."""
    return data_source_unit_id if data_source_unit_id is not None else lead_unit_id
