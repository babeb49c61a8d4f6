"""Worksheet names Excel accepts, whatever a file or a user called things.

Excel refuses (and xlsxwriter raises on) a sheet name longer than 31 UTF-16 units, one with
any of ``[ ] : * ? / \\``, one that starts or ends with an apostrophe, an empty one, and one
already used in the workbook, ignoring case. ``History`` is reserved by Excel itself. Names
taken from file names (the fix list's data sheet) hit every one of these.
"""

from __future__ import annotations

import re
from collections.abc import Collection

MAX_UNITS = 31
RESERVED = frozenset({"history"})
_NOT_ALLOWED = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")


def _units(text: str) -> int:
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def _cut(text: str, units: int) -> str:
    """The longest start of ``text`` within ``units`` UTF-16 units (never half an emoji)."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return text[:index]
    return text


def _tidy(text: str) -> str:
    return text.strip().strip("'").strip()


def valid_sheet_name(name: str, taken: Collection[str] = (), *, default: str = "Sheet") -> str:
    """``name`` made into a sheet name Excel accepts and that none of ``taken`` uses.

    Characters Excel refuses become ``_``, apostrophes at either end go, the name is cut to
    31 units, and a clash (ignoring case) gets `` (2)``, `` (3)``, … within the 31.
    """
    cleaned = _tidy(_cut(_tidy(_NOT_ALLOWED.sub("_", name)), MAX_UNITS)) or default
    used = {other.casefold() for other in taken} | RESERVED
    candidate, number = cleaned, 1
    while candidate.casefold() in used:
        number += 1
        suffix = f" ({number})"
        candidate = _tidy(_cut(cleaned, MAX_UNITS - len(suffix))) + suffix
    return candidate
