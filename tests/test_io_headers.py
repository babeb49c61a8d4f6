"""Header matching: synonyms from the field specs, header search below titles, naming."""

from __future__ import annotations

import pytest

from centredesk.io.headers import find_header_row, matched_fields, name_headers
from centredesk.validation.fields import KINDS, SCHEMAS, Kind

# The families issue 3 names: each header people write, and the field it means.
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
