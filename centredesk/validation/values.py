"""Reading one cell's text into its value: the single-record path.

The app's edit forms check one record at a time through the Pydantic models, which call these
functions. The vectorised engine (:mod:`centredesk.validation.parsing`) does the same work on
whole columns with polars expressions; a property test keeps the two in agreement, so these
are written plainly and independently as the reference for what each rule means.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

from centredesk.validation.fields import ULN_PLACEHOLDER as ULN_PLACEHOLDER
from centredesk.validation.vocabularies import choice_key as choice_key

_APOSTROPHES = "'’‘`"
DateProblem = Literal["phantom", "not_real", "form"]
"""Why a date cell is not a date: Excel's 29/02/1900, a day that does not exist (31/02/2010),
or text in no date form at all (``031210``)."""
MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}


def uln_check_digit_ok(uln: str) -> bool:
    """The DESIGN check-digit rule on a 10-digit string: 10·d1 + … + 2·d9, mod 11."""
    total = sum((10 - i) * int(digit) for i, digit in enumerate(uln[:9]))
    remainder = total % 11
    return remainder != 0 and int(uln[9]) == 10 - remainder


SCIENTIFIC = r"([0-9])(?:\.([0-9]*))?[eE]\+?([0-9]{1,2})"
"""A number in scientific notation as Excel shows it: ``1.000000043E9``, ``2.62E+09``."""


def _compact_uln(text: str) -> str:
    return re.sub(r"\s+", "", text.strip().lstrip(_APOSTROPHES))


def normalise_uln(text: str) -> str | None:
    """The ULN's digits from what a spreadsheet holds, or None when it is not a whole number.

    Numbers arrive as ``1000000043``, ``1000000043.0``, ``1.000000043E9``, with spaces or a
    leading apostrophe. Scientific notation is shifted as text, never through a float, and
    only when it carries every digit: ``1.00E+09`` is Excel's rounded display of a number
    whose last digits are gone (see :func:`uln_digits_lost`), not the number 1000000000.
    """
    compact = _compact_uln(text)
    if re.fullmatch(r"[0-9]+", compact):
        return compact
    whole = re.fullmatch(r"([0-9]+)\.0*", compact)
    if whole:
        return whole.group(1)
    sci = re.fullmatch(SCIENTIFIC, compact)
    if sci:
        head, fraction, exponent = sci.group(1), sci.group(2) or "", int(sci.group(3))
        if len(fraction) < exponent or fraction[exponent:].strip("0"):
            return None
        return head + fraction[:exponent]
    return None


def uln_digits_lost(text: str) -> bool:
    """Scientific notation with fewer digits than the number has: the rest were rounded away.

    What Excel shows of a 10-digit number in a narrow column (``1.00E+09``, ``2.62E+09``)
    becomes the cell's text when the sheet is saved as CSV or pasted as text.
    """
    sci = re.fullmatch(SCIENTIFIC, _compact_uln(text))
    return sci is not None and len(sci.group(2) or "") < int(sci.group(3))


ISO_DATE_PATTERN = r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T][0-9:.]*)?"
UK_DATE_PATTERN = r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})"
NAMED_MONTH_PATTERN = r"([0-9]{1,2})[ \-]([A-Za-z]{3,9})\.?[ \-]([0-9]{4})"
"""The ways a date may be written as text: ISO (maybe with a time), UK day first, 3 Apr 2010.

A bare number is not among them: only a cell the spreadsheet stored as a number is an Excel
date serial, and the reader turns those into ISO dates before any rule sees them.
"""


UK_DATE_FORMAT = "%d/%m/%Y"
"""How dates are written for people here: day first, 03/04/2010."""


def uk_date(day: date) -> str:
    """A date as people here write it (03/04/2010), for messages."""
    return day.strftime(UK_DATE_FORMAT)


def parse_date(text: str) -> date | None:
    """A date from ISO, UK day-first text or ``3 Apr 2010``; None if it is none of them."""
    value = text.strip()
    try:
        iso = re.fullmatch(ISO_DATE_PATTERN, value)
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        uk = re.fullmatch(UK_DATE_PATTERN, value)
        if uk:
            return date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
        named = re.fullmatch(NAMED_MONTH_PATTERN, value)
        if named:
            month = MONTHS.get(named.group(2)[:3].lower())
            if month is None:
                return None
            return date(int(named.group(3)), month, int(named.group(1)))
    except ValueError:
        return None
    return None


def date_problem(text: str) -> DateProblem:
    """Why a date cell that :func:`parse_date` cannot read is not a date, for its message."""
    value = text.strip()
    if re.fullmatch(r"1900-0?2-29(?:[ T][0-9:.]*)?|29[/.\-]0?2[/.\-]1900", value):
        return "phantom"
    if any(
        re.fullmatch(form, value)
        for form in (ISO_DATE_PATTERN, UK_DATE_PATTERN, NAMED_MONTH_PATTERN)
    ):
        return "not_real"
    return "form"


def age_on(born: date, on: date) -> int:
    """Whole years from ``born`` to ``on`` (negative when ``on`` is before ``born``)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def product_check_character(digits: str) -> str:
    """The check character of a product code's seven digits: weights 8..2, mod 11, 10 is X."""
    remainder = sum((8 - i) * int(digit) for i, digit in enumerate(digits)) % 11
    return "X" if remainder == 10 else str(remainder)


def normalise_product_code(text: str) -> str | None:
    """``NNN/NNNN/C`` from a code with or without slashes; None when it is not one."""
    value = re.sub(r"\.0+$", "", text.strip().upper())
    found = re.fullmatch(r"([0-9]{3})[/ ]?([0-9]{4})[/ ]?([0-9X])", value)
    return f"{found.group(1)}/{found.group(2)}/{found.group(3)}" if found else None


TRIMMED = " \t\r\n\v\f"
"""What is trimmed from both ends of a name: spaces, tabs and line breaks (inside, a tab or
line break is an error)."""
ZERO_WIDTH_SPACES = "\u200b\u2060\ufeff"
"""Zero-width space, word joiner and zero-width no-break space: spaces that take no room."""
CHARACTER_NAMES = {
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a carriage return",
    "\u00ad": "a soft hyphen",
    "\u200c": "a zero-width non-joiner",
    "\u200d": "a zero-width joiner",
    "\u200e": "a left-to-right mark",
    "\u200f": "a right-to-left mark",
    '"': "a double quote",
    "|": "a vertical bar",
}
"""Characters a user cannot see in a cell, named for the message that finds them."""


def tidy_name(text: str) -> str:
    """A name as it is judged and stored: Unicode NFC, every kind of space (no-break, thin,
    zero-width) a plain space, runs of spaces collapsed, trimmed."""
    composed = unicodedata.normalize("NFC", text)
    spaced = "".join(
        " " if unicodedata.category(char) == "Zs" or char in ZERO_WIDTH_SPACES else char
        for char in composed
    )
    return re.sub(r" +", " ", spaced).strip(TRIMMED)


def first_character_not_in_names(name: str) -> str | None:
    """The first character a name cannot have, if any: the one its message names, with its
    code point, since it may be one the user cannot see."""
    return next((char for char in name if not _name_character(char)), None)


def code_point(char: str) -> str:
    """``U+0009`` for a tab."""
    return f"U+{ord(char):04X}"


def describe_character(char: str) -> str:
    """A character as a message names it: a tab, an invisible character, or itself quoted."""
    if char in CHARACTER_NAMES:
        return CHARACTER_NAMES[char]
    if unicodedata.category(char).startswith("C"):
        return "an invisible character"
    return f'"{char}"'


def _name_character(char: str) -> bool:
    category = unicodedata.category(char)
    return (
        char in " '’-."
        or category.startswith("M")
        or (category.startswith("L") and "LATIN" in unicodedata.name(char, ""))
    )


def name_characters_ok(name: str) -> bool:
    """Latin letters (accents allowed), spaces, apostrophes, hyphens and full stops only."""
    return all(_name_character(char) for char in name) and any(
        unicodedata.category(char).startswith("L") for char in name
    )


def name_case_odd(name: str) -> bool:
    """True for ALL CAPS or all lower case names of two letters or more."""
    if sum(char.isalpha() for char in name) < 2:
        return False
    return name == name.upper() or name == name.lower()


def whole_number(text: str) -> int | None:
    """A whole number typed as ``1001`` or stored by a spreadsheet as ``1001.0``."""
    found = re.fullmatch(r"([0-9]{1,18})(?:\.0*)?", text.strip())
    return int(found.group(1)) if found else None


def money(text: str) -> float | None:
    """Pounds and pence from ``45``, ``£45.00`` or ``1,045.50``; None when not an amount."""
    value = re.sub(r"[£,\s]", "", text)
    if not re.fullmatch(r"[0-9]{1,9}(?:\.[0-9]{1,2})?", value):
        return None
    try:
        return float(Decimal(value))
    except InvalidOperation:  # pragma: no cover - the pattern above rules it out
        return None
