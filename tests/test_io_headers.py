"""Header matching: synonyms from the field specs, header search below titles, naming."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from centredesk.io.headers import find_header_row, matched_fields, name_headers
from centredesk.validation.fields import KINDS, SCHEMAS, Kind

# Each header people write, and the field it means.
FAMILIES = [
    ("First name", "forename"),
    ("Given name(s)", "forename"),
    ("Last name", "surname"),
    ("Family name", "surname"),
    ("DOB", "date_of_birth"),
    ("Birth date", "date_of_birth"),
    ("Qualification number", "product_code"),
    ("Qualification code", "product_code"),
    ("QAN", "product_code"),
    ("Product", "product_code"),
    ("Centre no", "centre_number"),
    ("Centre", "centre_number"),
    ("Batch", "batch_number"),
    ("Unique learner number", "uln"),
    ("Learner ref", "learner_reference"),
    ("Candidate ref", "learner_reference"),
    # School and college MIS exports (SIMS, Arbor, Bromcom, ProSolution, UNIT-e, Ebs).
    ("Forename(s)", "forename"),
    ("First Names", "forename"),
    ("Legal Forename", "forename"),
    ("Legal Surname", "surname"),
    ("Qual Code", "product_code"),
    ("Learning Aim Reference", "product_code"),
    ("Learner ULN", "uln"),
    ("Person Code", "learner_reference"),
    ("Adno", "learner_reference"),
    ("DOB (dd/mm/yyyy)", "date_of_birth"),
    ("Date of birth (DD/MM/YYYY)", "date_of_birth"),
    ("Registration date (dd.mm.yy)", "registration_date"),
    ("Batch [optional]", "batch_number"),
    ("Surname*", "surname"),
]


@pytest.mark.parametrize(("header", "field"), FAMILIES)
def test_each_synonym_family_maps_for_learners(header: str, field: str) -> None:
    for written in (header, header.upper(), f"  {header.lower()}  ", header.replace(" ", "_")):
        assert matched_fields("learners", [written]) == {field: written}


@pytest.mark.parametrize("kind", KINDS)
def test_every_declared_header_and_synonym_maps_to_its_field(kind: Kind) -> None:
    for spec in SCHEMAS[kind]:
        for written in (spec.header, *spec.synonyms):
            assert matched_fields(kind, [written]) == {spec.name: written}


_EVERY_HEADER = [
    (kind, spec.name, written)
    for kind in KINDS
    for spec in SCHEMAS[kind]
    for written in (spec.header, *spec.synonyms)
]
_HINTS = ["(dd/mm/yyyy)", "(DD/MM/YYYY)", "[YYYY-MM-DD]", "(dd.mm.yy)", "(optional)",
          "(if known)", "(required)", "(s)", "(10 digits)", "*"]  # fmt: skip


@given(st.sampled_from(_EVERY_HEADER), st.lists(st.sampled_from(_HINTS), max_size=2))
def test_hints_in_brackets_never_change_what_a_header_names(
    header: tuple[Kind, str, str], hints: list[str]
) -> None:
    kind, name, written = header
    hinted = " ".join([written, *hints])
    assert matched_fields(kind, [hinted]) == {name: hinted}


@pytest.mark.parametrize(
    "header",
    ["Preferred Forename", "Preferred Surname", "Forename (preferred)", "Surname (Known As)",
     "Known As", "Former Surname", "Surname (former)", "Middle Name(s)", "Forename (other)",
     "Full Name", "Name", "Parent Surname"],
)  # fmt: skip
def test_names_that_are_not_the_legal_name_are_not_read_as_it(header: str) -> None:
    assert matched_fields("learners", [header]) == {}


def test_header_found_below_a_title_and_blank_rows() -> None:
    rows: list[list[str | None]] = [
        ["Riverside Academy registrations", None, None],
        [None, None, None],
        ["Centre", "QAN", "Surname"],
        ["123456", "603/0862/X", "Smith"],
    ]
    assert find_header_row(rows, None) == 2
    assert find_header_row(rows[:2], None) is None


def test_header_search_stops_after_twenty_rows() -> None:
    rows: list[list[str | None]] = [[None, None]] * 20 + [["Centre", "QAN"]]
    assert find_header_row(rows, None) is None


def test_names_for_blank_and_repeated_headers() -> None:
    assert name_headers(["ULN", None, "uln", " ", "Row"], ["A", "B", "C", "D", "E"]) == [
        "ULN",
        "Column B",
        "uln (2)",
        "Column D",
        "Row (2)",
    ]
