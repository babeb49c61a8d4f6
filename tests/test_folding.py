"""The fold that names are compared by, in search and in the duplicate rules."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from centredesk.validation.folding import LETTERS, fold_text, fold_words
from centredesk.validation.identity import with_person_key


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("O’Connor", "oconnor"),
        ("O'Connor", "oconnor"),
        ("Łukasz", "lukasz"),
        ("Ørsted", "orsted"),
        ("Đorđe", "dorde"),
        ("Straße", "strasse"),
        ("Æthelred", "aethelred"),
        ("Œuvre", "oeuvre"),
        ("Zoë Ní Bhriain", "zoe ni bhriain"),
        ("Smith-Jones", "smith jones"),
        ("St. John", "st john"),
        ("  Anne  -  Marie ", "anne marie"),
    ],
)
def test_names_fold_to_plain_lower_case_words(typed: str, folded: str) -> None:
    assert fold_text(typed) == folded


def test_every_letter_without_a_decomposition_folds_in_both_cases() -> None:
    for letter, plain in LETTERS.items():
        assert fold_text(letter) == plain
        upper = letter.upper()
        if upper != letter and len(upper) == 1:
            assert fold_text(upper) == plain


# Latin letters, marks, spaces and punctuation: what names are written in. (Far-off scripts
# are left out: Python and polars may ship different versions of the Unicode tables.)
_NAME_TEXT = st.text(
    st.characters(max_codepoint=0x2FF) | st.characters(min_codepoint=0x2000, max_codepoint=0x206F),
    max_size=12,
)


@given(st.lists(_NAME_TEXT, min_size=1, max_size=20))
def test_the_column_fold_agrees_with_the_one_string_fold(texts: list[str]) -> None:
    folded = pl.DataFrame({"t": texts}).select(fold_words(pl.col("t"))).to_series().to_list()
    assert folded == [fold_text(text) for text in texts]


def test_the_person_key_folds_letters_nfkd_leaves_alone() -> None:
    born = date(2010, 4, 3)
    people = pl.DataFrame(
        {
            "forename": ["Łukasz", "Lukasz"],
            "surname": ["Sørensen", "SORENSEN"],
            "date_of_birth": [born, born],
        }
    )
    keys = with_person_key(people).get_column("person_key").to_list()
    assert keys == ["lukasz|sorensen|2010-04-03"] * 2
