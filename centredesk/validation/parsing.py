"""Vectorised parsers: raw cell text to typed values, as polars expressions.

The io reader hands over every cell as text (so nothing is lost to type guessing); these
expressions turn whole columns into ULNs, dates, product codes, names and choices at once.
They mirror :mod:`centredesk.validation.values`, the single-record path, and a property test
keeps the two in agreement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

from centredesk.validation import values
from centredesk.validation.folding import fold_joined
from centredesk.validation.values import (
    ISO_DATE_PATTERN,
    MONTHS,
    NAMED_MONTH_PATTERN,
    SCIENTIFIC,
    TRIMMED,
    UK_DATE_FORMAT,
    UK_DATE_PATTERN,
    ULN_PLACEHOLDER,
    ZERO_WIDTH_SPACES,
)

NAME_PATTERN = r"^[[\p{Latin}&&\p{L}]\p{M} '’.\-]+$"


def blank_to_null(text: pl.Expr) -> pl.Expr:
    """Trimmed text, with empty cells as null."""
    trimmed = text.str.strip_chars()
    return pl.when(trimmed != "").then(trimmed)


def _compact_uln(raw: pl.Expr) -> pl.Expr:
    return raw.str.strip_chars().str.strip_chars_start("'’‘`").str.replace_all(r"\s+", "")


def uln_digits(raw: pl.Expr) -> pl.Expr:
    """The ULN's digits without any float: plain, ``.0``-suffixed or scientific notation.

    Null where the cell is not a whole number, or is scientific notation that lost digits
    (the caller reports ULN_FORMAT).
    """
    compact = _compact_uln(raw)
    sci = compact.str.extract_groups(f"^{SCIENTIFIC}$")
    head = sci.struct.field("1")
    fraction = sci.struct.field("2").fill_null("")
    exponent = sci.struct.field("3").cast(pl.Int64)
    every_digit = (fraction.str.len_chars() >= exponent) & fraction.str.slice(
        exponent
    ).str.contains(r"^0*$")
    return (
        pl.when(compact.str.contains(r"^[0-9]+$"))
        .then(compact)
        .when(compact.str.contains(r"^[0-9]+\.0*$"))
        .then(compact.str.extract(r"^([0-9]+)", 1))
        .when(head.is_not_null() & every_digit)
        .then(head + fraction.str.slice(0, exponent))
    )


def uln_digits_lost(raw: pl.Expr) -> pl.Expr:
    """Scientific notation with fewer digits than its number has (``1.00E+09``)."""
    sci = _compact_uln(raw).str.extract_groups(f"^{SCIENTIFIC}$")
    fraction = sci.struct.field("2").fill_null("")
    exponent = sci.struct.field("3").cast(pl.Int64)
    return (sci.struct.field("1").is_not_null() & (fraction.str.len_chars() < exponent)).fill_null(
        False
    )


def uln_blank(raw: pl.Expr) -> pl.Expr:
    """True where the ULN cell holds nothing (a lone apostrophe counts as nothing)."""
    # The same as: stripped of spaces and leading apostrophes, nothing is left (one pass).
    return raw.is_null() | raw.str.contains(r"^\s*['’‘`]*\s*$")


def uln_well_formed(digits: pl.Expr) -> pl.Expr:
    """Ten digits, the first 1 to 9."""
    return digits.str.contains(r"^[1-9][0-9]{9}$").fill_null(False)


def _chunk_weights(first: int) -> pl.Series:
    """Weighted digit sum of each three-digit chunk 000..999 whose first digit is ``first``."""
    sums = [
        sum((10 - first - place) * int(digit) for place, digit in enumerate(f"{chunk:03d}"))
        for chunk in range(1000)
    ]
    return pl.Series(sums, dtype=pl.Int64)


_ULN_WEIGHTS = [_chunk_weights(first) for first in (0, 3, 6)]


def uln_check_digit_ok(uln: pl.Expr) -> pl.Expr:
    """The DESIGN weighted-sum rule on a well-formed ULN column (false where null)."""
    # The nine weighted digits as three looked-up chunks of three: a few integer steps
    # over the column instead of one per digit, which matters at a million ULNs.
    number = uln.str.to_integer(strict=False)
    chunks = [number // 10**7 % 1000, number // 10**4 % 1000, number // 10 % 1000]
    total = pl.sum_horizontal(
        pl.lit(weights).gather(chunk) for weights, chunk in zip(_ULN_WEIGHTS, chunks, strict=True)
    )
    remainder = total % 11
    return ((remainder != 0) & (number % 10 == 10 - remainder)).fill_null(False)


def uln_is_placeholder(uln: pl.Expr) -> pl.Expr:
    return uln == ULN_PLACEHOLDER


def parse_date(raw: pl.Expr) -> pl.Expr:
    """ISO (maybe with a time), UK day-first text or ``3 Apr 2010``; null otherwise."""
    text = raw.str.strip_chars()
    iso = text.str.extract_groups(f"^{ISO_DATE_PATTERN}$")
    # One pass per pattern: extract_groups gives all of a pattern's groups at once.
    uk = text.str.extract_groups(f"^{UK_DATE_PATTERN}$")
    named = text.str.extract_groups(f"^{NAMED_MONTH_PATTERN}$")
    named_month = (
        named.struct.field("2")
        .str.slice(0, 3)
        .str.to_lowercase()
        .replace_strict(MONTHS, default=None, return_dtype=pl.Int64)
    )
    return pl.coalesce(
        _ymd(iso.struct.field("1"), iso.struct.field("2"), iso.struct.field("3")),
        _ymd(uk.struct.field("3"), uk.struct.field("2"), uk.struct.field("1")),
        _ymd(named.struct.field("3"), named_month.cast(pl.String), named.struct.field("1")),
    )


def date_problem(raw: pl.Expr) -> pl.Expr:
    """Why an unreadable date cell is not a date (see :func:`values.date_problem`)."""
    text = raw.str.strip_chars()
    written_right = pl.any_horizontal(
        text.str.contains(f"^{form}$")
        for form in (ISO_DATE_PATTERN, UK_DATE_PATTERN, NAMED_MONTH_PATTERN)
    )
    return (
        pl.when(text.str.contains(r"^(?:1900-0?2-29(?:[ T][0-9:.]*)?|29[/.\-]0?2[/.\-]1900)$"))
        .then(pl.lit("phantom"))
        .when(written_right)
        .then(pl.lit("not_real"))
        .otherwise(pl.lit("form"))
    )


def uk_date(day: pl.Expr) -> pl.Expr:
    """Dates as people here write them (03/04/2010), for messages."""
    return day.dt.to_string(UK_DATE_FORMAT)


def _ymd(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    # Through text, so an impossible day (31/02) becomes null instead of rolling over.
    return pl.format("{}-{}-{}", year, month.str.zfill(2), day.str.zfill(2)).str.strptime(
        pl.Date, "%Y-%m-%d", strict=False
    )


def age_on(born: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Whole years from ``born`` to ``on``."""

    # dt.month() and dt.day() are Int8: widen before multiplying, or 4 * 100 overflows.
    def month_day(day: pl.Expr) -> pl.Expr:
        return day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)

    before_birthday = month_day(on) < month_day(born)
    return on.dt.year().cast(pl.Int64) - born.dt.year() - before_birthday.cast(pl.Int64)


def product_code(raw: pl.Expr) -> pl.Expr:
    """Canonical ``NNN/NNNN/C`` from a code with or without slashes; null when not one."""
    value = raw.str.strip_chars().str.to_uppercase().str.replace(r"\.0+$", "")
    pattern = r"^([0-9]{3})[/ ]?([0-9]{4})[/ ]?([0-9X])$"
    return pl.format(
        "{}/{}/{}",
        value.str.extract(pattern, 1),
        value.str.extract(pattern, 2),
        value.str.extract(pattern, 3),
    )


def product_check_character(code: pl.Expr) -> pl.Expr:
    """The check character a canonical product code should end with."""
    digits = code.str.slice(0, 3) + code.str.slice(4, 4)
    total = pl.sum_horizontal([(8 - i) * digits.str.slice(i, 1).cast(pl.Int64) for i in range(7)])
    remainder = total % 11
    return pl.when(remainder == 10).then(pl.lit("X")).otherwise(remainder.cast(pl.String))


def tidy_name(raw: pl.Expr) -> pl.Expr:
    """NFC, every kind of space a plain space, runs collapsed, trimmed (see values)."""
    zero_width = "".join(f"\\x{{{ord(char):X}}}" for char in ZERO_WIDTH_SPACES)
    return (
        raw.str.normalize("NFC")
        .str.replace_all(f"[\\p{{Zs}}{zero_width}]", " ")
        .str.replace_all(" +", " ")
        .str.strip_chars(TRIMMED)
    )


def name_characters_ok(name: pl.Expr) -> pl.Expr:
    return name.str.contains(NAME_PATTERN) & name.str.contains(r"[\p{Latin}&&\p{L}]")


def first_character_not_in_names(name: pl.Expr) -> pl.Expr:
    """The first character a name cannot have; null when there is none (values has the same)."""
    return name.str.extract(r"([^[\p{Latin}&&\p{L}]\p{M} '’.\-])", 1)


def describe_character(char: pl.Expr) -> pl.Expr:
    """A character as a message names it (a tab, "И"), from :func:`values.describe_character`."""
    return char.map_batches(_by_distinct(values.describe_character), return_dtype=pl.String)


def code_point(char: pl.Expr) -> pl.Expr:
    """``U+0418`` for a one-character text, from :func:`values.code_point`."""
    return char.map_batches(_by_distinct(values.code_point), return_dtype=pl.String)


def _by_distinct(describe: Callable[[str], str]) -> Callable[[pl.Series], pl.Series]:
    """``describe`` applied to each distinct character once, the answers spread to the rows.

    A message names only the few offending characters, and the single-record path's own
    function says it, so both paths word it alike.
    """

    def spread(chars: pl.Series) -> pl.Series:
        said = {char: describe(char) for char in chars.drop_nulls().unique().to_list()}
        return chars.replace_strict(said, default=None, return_dtype=pl.String)

    return spread


def name_case_odd(name: pl.Expr) -> pl.Expr:
    """ALL CAPS or all lower case, with at least two letters."""
    return (name.str.count_matches(r"\p{L}") >= 2) & (
        (name == name.str.to_uppercase()) | (name == name.str.to_lowercase())
    )


def fold_name(name: pl.Expr) -> pl.Expr:
    """A name without case, accents, spaces or punctuation: how names are compared."""
    return fold_joined(name)


def whole_number(raw: pl.Expr) -> pl.Expr:
    """``1001`` or ``1001.0`` as Int64; null otherwise."""
    return raw.str.strip_chars().str.extract(r"^([0-9]{1,18})(?:\.0*)?$", 1).cast(pl.Int64)


def money(raw: pl.Expr) -> pl.Expr:
    """Pounds and pence as Float64 from ``45``, ``£45.00`` or ``1,045.50``."""
    value = raw.str.replace_all(r"[£,\s]", "")
    return (
        pl.when(value.str.contains(r"^[0-9]{1,9}(?:\.[0-9]{1,2})?$")).then(value).cast(pl.Float64)
    )


def choice_key(raw: pl.Expr) -> pl.Expr:
    """Lower case without spaces or punctuation (``*`` kept for Distinction*)."""
    return raw.str.to_lowercase().str.replace_all(r"[^0-9a-z*]", "")


def choice(raw: pl.Expr, choices: Mapping[str, object], dtype: pl.DataType) -> pl.Expr:
    """The canonical value of a choice column; null where the text is no known spelling."""
    return choice_key(raw).replace_strict(choices, default=None, return_dtype=dtype)


def code(raw: pl.Expr) -> pl.Expr:
    """An opaque code: trimmed and upper-cased, empty as null."""
    return blank_to_null(raw).str.to_uppercase()


def centre_number(raw: pl.Expr) -> pl.Expr:
    """A centre number as a code; a number a spreadsheet stored as ``123456.0`` loses ``.0``."""
    return code(raw).str.replace(r"^([0-9]+)\.0+$", "${1}")
