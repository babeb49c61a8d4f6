"""ULN, product code, date and name parsing: both the vectorised and the single-record path."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from centredesk.validation import parsing, values
from centredesk.validation.identity import with_person_key


def design_uln_ok(uln: str) -> bool:
    """DESIGN.md, written out directly: S = 10·d1 + … + 2·d9, r = S mod 11, d10 = 10 − r."""
    d = [int(c) for c in uln]
    s = sum(weight * digit for weight, digit in zip(range(10, 1, -1), d[:9], strict=True))
    r = s % 11
    return r != 0 and d[9] == 10 - r


def column(texts: list[str | None], expr: pl.Expr) -> list[object]:
    return pl.DataFrame({"t": texts}, schema={"t": pl.String}).select(expr).to_series().to_list()


@pytest.mark.parametrize(
    ("uln", "valid"),
    [("1000000043", True), ("9276308686", True), ("1000000042", False), ("1000000063", False)],
)
def test_design_examples_of_the_uln_check_digit(uln: str, valid: bool) -> None:
    assert values.uln_check_digit_ok(uln) is valid
    assert column([uln], parsing.uln_check_digit_ok(pl.col("t"))) == [valid]


@given(st.from_regex(r"[1-9][0-9]{9}", fullmatch=True))
def test_uln_check_digit_matches_the_design_formula(uln: str) -> None:
    expected = design_uln_ok(uln)
    assert values.uln_check_digit_ok(uln) is expected
    assert column([uln], parsing.uln_check_digit_ok(pl.col("t"))) == [expected]


@given(st.from_regex(r"[1-9][0-9]{8}", fullmatch=True))
def test_every_stem_has_at_most_one_valid_check_digit(stem: str) -> None:
    valid = [digit for digit in "0123456789" if design_uln_ok(stem + digit)]
    assert len(valid) <= 1
    assert all(
        values.uln_check_digit_ok(stem + digit) == (digit in valid) for digit in "0123456789"
    )


SPELLINGS = [
    "1000000043",
    "1000000043.0",
    "1.000000043E9",
    "1.000000043e+09",
    "1000 000 043",
    " 1000000043 ",
    "'1000000043",
    "’1000000043",
]


@pytest.mark.parametrize("text", SPELLINGS)
def test_uln_spellings_normalise_without_floats(text: str) -> None:
    assert values.normalise_uln(text) == "1000000043"
    assert column([text], parsing.uln_digits(pl.col("t"))) == ["1000000043"]


@pytest.mark.parametrize("text", ["1.0000000435E9", "10000000A3", "1.5", "1e3x"])
def test_uln_that_is_not_a_whole_number_is_refused(text: str) -> None:
    assert values.normalise_uln(text) is None
    assert column([text], parsing.uln_digits(pl.col("t"))) == [None]


@given(st.integers(min_value=1, max_value=9_999_999_999))
def test_scientific_notation_of_any_whole_number_comes_back_exact(number: int) -> None:
    digits = str(number)
    text = f"{digits[0]}.{digits[1:]}E{len(digits) - 1}" if len(digits) > 1 else digits
    assert values.normalise_uln(text) == digits
    assert column([text], parsing.uln_digits(pl.col("t"))) == [digits]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2010-04-03", date(2010, 4, 3)),
        ("2010-04-03 00:00:00", date(2010, 4, 3)),
        ("03/04/2010", date(2010, 4, 3)),
        ("3/4/2010", date(2010, 4, 3)),
        ("03-04-2010", date(2010, 4, 3)),
        ("03.04.2010", date(2010, 4, 3)),
        ("3 Apr 2010", date(2010, 4, 3)),
        ("3 April 2010", date(2010, 4, 3)),
        ("40271", None),
        ("20100517", None),
        ("31/02/2010", None),
        ("2010/04/03x", None),
        ("yesterday", None),
    ],
)
def test_dates_read_day_first_or_iso_and_digits_are_none(text: str, expected: date | None) -> None:
    assert values.parse_date(text) == expected
    assert column([text], parsing.parse_date(pl.col("t"))) == [expected]


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)))
def test_every_spelling_of_a_date_reads_the_same(day: date) -> None:
    texts = [day.isoformat(), f"{day:%d/%m/%Y}", f"{day.day}.{day.month}.{day:%Y}",
             f"{day.day} {day:%b %Y}", f"{day.isoformat()} 00:00:00"]  # fmt: skip
    assert [values.parse_date(t) for t in texts] == [day] * len(texts)
    assert column(texts, parsing.parse_date(pl.col("t"))) == [day] * len(texts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("603/0862/X", "603/0862/X"),
        ("6030862X", "603/0862/X"),
        ("603/0862/x", "603/0862/X"),
        ("6030862x", "603/0862/X"),
        (" 500/5959/2 ", "500/5959/2"),
        ("50059592", "500/5959/2"),
        ("60308622X", None),
        ("603/862/X", None),
    ],
)
def test_product_codes_with_or_without_slashes(text: str, expected: str | None) -> None:
    assert values.normalise_product_code(text) == expected
    assert column([text], parsing.product_code(pl.col("t"))) == [expected]


@given(st.from_regex(r"[0-9]{7}", fullmatch=True))
def test_product_check_character_agrees_on_both_paths(digits: str) -> None:
    code = f"{digits[:3]}/{digits[3:]}/0"
    expected = values.product_check_character(digits)
    assert column([code], parsing.product_check_character(pl.col("t"))) == [expected]


def test_published_product_codes_have_the_right_check_character() -> None:
    assert values.product_check_character("6030862") == "X"
    assert values.product_check_character("5005959") == "2"


def person_keys(people: list[tuple[str, str, date]]) -> list[str]:
    """The person key production gives each (forename, surname, date of birth)."""
    frame = pl.DataFrame(
        people, schema={"forename": pl.String, "surname": pl.String, "date_of_birth": pl.Date},
        orient="row",
    )  # fmt: skip
    return with_person_key(frame).get_column("person_key").to_list()


@pytest.mark.parametrize(
    ("forename", "surname", "other_forename", "other_surname"),
    [
        ("Siobhán", "O'Brien", "SIOBHAN", "O’BRIEN"),
        ("Anne-Marie", "Smith Jones", "anne marie", "Smith-Jones"),
        ("Zoë", "St. John", "Zoe\u0308", "St John"),
        ("  Ní ", "Bhriain", "Ni", "  bhriain "),
    ],
)
def test_person_key_ignores_case_accents_spacing_and_punctuation(
    forename: str, surname: str, other_forename: str, other_surname: str
) -> None:
    born = date(2010, 4, 3)
    first, second = person_keys([(forename, surname, born), (other_forename, other_surname, born)])
    assert first == second


_LETTERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéëñøł", min_size=1, max_size=8)


@given(_LETTERS, _LETTERS, st.dates(), st.data())
def test_a_name_written_another_way_is_the_same_person(
    forename: str, surname: str, born: date, data: st.DataObject
) -> None:
    def another_way(name: str) -> str:
        cased = "".join(char.upper() if data.draw(st.booleans()) else char for char in name)
        marks = data.draw(st.sampled_from(["", "'", "’", "-", " ", "."]))
        cut = data.draw(st.integers(0, len(name)))
        return unicodedata.normalize("NFD", cased[:cut] + marks + cased[cut:])

    same = person_keys([(forename, surname, born), (another_way(forename), another_way(surname),
                                                    born)])  # fmt: skip
    assert same[0] == same[1]
    other_day = born + timedelta(days=1) if born < date.max else born - timedelta(days=1)
    different = person_keys(
        [
            (forename, surname, born),
            (forename, surname, other_day),
            (forename + "x", surname, born),
            (forename, surname + "x", born),
        ]
    )
    assert len(set(different)) == 4


def test_person_key_is_what_the_store_keeps() -> None:
    # The store recognises a learner without a ULN by this text: changing it would make
    # every stored learner new again.
    assert person_keys([("Siobhán", "O'Brien", date(2010, 4, 3))]) == ["siobhan|obrien|2010-04-03"]
