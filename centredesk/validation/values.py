"""Reading one cell's text into its value: the single-record path.

The app's edit forms check one record at a time through the Pydantic models, which call these
functions. The vectorised engine (:mod:`centredesk.validation.parsing`) does the same work on
whole columns with polars expressions; a property test keeps the two in agreement, so these
are written plainly and independently as the reference for what each rule means.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from centredesk.validation.fields import BOOKING_STATUSES, GRADING_SCHEMES, UNGRADED

ULN_PLACEHOLDER = "9999999999"
_APOSTROPHES = "'’‘`"
EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's date serials (1900 system, with its phantom 29 February 1900)."""
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


def normalise_uln(text: str) -> str | None:
    """The ULN's digits from what a spreadsheet holds, or None when it is not a whole number.

    Numbers arrive as ``1000000043``, ``1000000043.0``, ``1.000000043E9``, with spaces or a
    leading apostrophe. Scientific notation is shifted as text, never through a float.
    """
    compact = re.sub(r"\s+", "", text.strip().lstrip(_APOSTROPHES))
    if re.fullmatch(r"[0-9]+", compact):
        return compact
    whole = re.fullmatch(r"([0-9]+)\.0*", compact)
    if whole:
        return whole.group(1)
    sci = re.fullmatch(r"([0-9])(?:\.([0-9]*))?[eE]\+?([0-9]{1,2})", compact)
    if sci:
        head, fraction, exponent = sci.group(1), sci.group(2) or "", int(sci.group(3))
        if fraction[exponent:].strip("0"):
            return None
        return head + fraction[:exponent].ljust(exponent, "0")
    return None


def parse_date(text: str) -> date | None:
    """A date from ISO, UK day-first text, ``3 Apr 2010`` or an Excel serial; None if none."""
    value = text.strip()
    try:
        iso = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T][0-9:.]*)?", value)
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        uk = re.fullmatch(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})", value)
        if uk:
            return date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
        named = re.fullmatch(r"([0-9]{1,2})[ \-]([A-Za-z]{3,9})\.?[ \-]([0-9]{4})", value)
        if named:
            month = MONTHS.get(named.group(2)[:3].lower())
            if month is None:
                return None
            return date(int(named.group(3)), month, int(named.group(1)))
        serial = re.fullmatch(r"([0-9]{1,7})(?:\.[0-9]*)?", value)
        if serial and 1 <= int(serial.group(1)) <= 2958465:
            return EXCEL_EPOCH + timedelta(days=int(serial.group(1)))
    except ValueError:
        return None
    return None


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


def tidy_name(text: str) -> str:
    """A name trimmed, with runs of inner spaces collapsed to one."""
    return re.sub(r" +", " ", text.strip())


def name_characters_ok(name: str) -> bool:
    """Latin letters (accents allowed), spaces, apostrophes, hyphens and full stops only."""
    has_letter = False
    for char in name:
        if char in " '’-.":
            continue
        if unicodedata.category(char).startswith("M"):
            continue
        if unicodedata.category(char).startswith("L") and "LATIN" in unicodedata.name(char, ""):
            has_letter = True
            continue
        return False
    return has_letter


def name_case_odd(name: str) -> bool:
    """True for ALL CAPS or all lower case names of two letters or more."""
    if sum(char.isalpha() for char in name) < 2:
        return False
    return name == name.upper() or name == name.lower()


def person_key_text(forename: str, surname: str, born: date) -> str:
    """Forename + surname + date of birth with case, accents and punctuation removed."""

    def fold(name: str) -> str:
        stripped = "".join(
            char
            for char in unicodedata.normalize("NFKD", name)
            if not unicodedata.category(char).startswith("M")
        )
        return "".join(char for char in stripped.lower() if char.isalnum())

    return f"{fold(forename)}|{fold(surname)}|{born.isoformat()}"


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


def choice_key(text: str) -> str:
    """A choice compared ignoring case, spaces and punctuation (``*`` kept for grades)."""
    return re.sub(r"[^0-9a-z*]", "", text.casefold())


# Choice columns: the key (see choice_key) of each accepted spelling -> canonical value.
YES_NO: dict[str, bool] = {
    "y": True, "yes": True, "true": True, "1": True,
    "n": False, "no": False, "false": False, "0": False,
}  # fmt: skip
ASSESSMENT_MODES: dict[str, str] = {
    "onscreen": "on-screen", "online": "on-screen", "screen": "on-screen", "os": "on-screen",
    "paperbased": "paper-based", "paper": "paper-based", "pb": "paper-based",
}  # fmt: skip
GRADING_SCHEME_NAMES: dict[str, str] = {choice_key(name): name for name in GRADING_SCHEMES}
BOOKING_STATUS_NAMES: dict[str, str] = {choice_key(name): name for name in BOOKING_STATUSES}
GRADES: dict[str, str] = {
    **{choice_key(grade): grade for scheme in GRADING_SCHEMES.values() for grade in scheme},
    "u": UNGRADED, "p": "Pass", "m": "Merit", "d": "Distinction", "d*": "Distinction*",
    "f": "Fail",
}  # fmt: skip
