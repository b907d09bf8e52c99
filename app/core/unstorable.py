"""Text no database can hold: the NUL character and lone UTF-16 surrogates.

PostgreSQL refuses NUL in text (a driver error, i.e. a 500) and SQLite stores it; a lone surrogate, which JSON can
carry as `\\ud800`, cannot be encoded as UTF-8 at all. Requests carrying either are refused before any service runs.
"""

import json
import re
from typing import Any

from app.core.i18n import t

# Cheap pre-check on the raw JSON bytes: only bodies with a \u0000 or \ud800–\udfff escape (or a raw NUL) are
# parsed a second time to find the field. Valid surrogate pairs also match and are then found harmless.
_SUSPICIOUS_JSON = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})|\x00")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_reason(text: str) -> str | None:
    """Why `text` cannot be stored, or None when it can."""
    match = _UNSTORABLE.search(text)
    if match is None:
        return None
    return t("contains a NUL character (\\u0000)") if match.group() == "\x00" else \
        t("contains a lone surrogate (not valid Unicode text)")


def find_unstorable(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first (field path, reason) in a decoded JSON value whose text cannot be stored; keys count too."""
    if isinstance(value, str):
        reason = unstorable_reason(value)
        return (path or "body", reason) if reason else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            reason = unstorable_reason(key)
            if reason:
                return child, reason
            found = find_unstorable(item, child)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = find_unstorable(item, f"{path}[{index}]")
            if found:
                return found
    return None


def find_unstorable_in_json(body: bytes) -> tuple[str, str] | None:
    """Like find_unstorable, for a raw JSON body; bodies that are not JSON are left to the route to refuse."""
    if not _SUSPICIOUS_JSON.search(body):
        return None
    try:
        decoded = json.loads(body)
    except ValueError:
        return None
    return find_unstorable(decoded)
