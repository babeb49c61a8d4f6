"""The Pydantic model of each kind gives the same row-rule verdict as the vectorised engine."""

from __future__ import annotations

from datetime import date
from string import Formatter

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centredesk.validation import models
from centredesk.validation.catalogue import RULES, row_codes
from centredesk.validation.engine import Reference, validate
from centredesk.validation.fields import KINDS, SCHEMAS, Kind
from centredesk.validation.messages import said, say
from centredesk.validation.models import ADAPTERS, MODELS, check_record

TODAY = date(2026, 11, 28)

# Good and bad spellings of each field type; hypothesis mixes them into rows.
SAMPLES: dict[str, list[str | None]] = {
    "uln": [None, "", "1000000043", "9276308686", "1000000042", "9999999999", "1.000000043E9",
            "1000000043.0", "'1000 000 043", "0123456789", "12345", "abc", "1.5E3", "'",
            "1.00E+09", "2.62E+09", "1E+09"],
    "date": [None, "", "03/04/2010", "3/4/2010", "2010-04-03", "2010-04-03 00:00:00",
             "3 Apr 2010", "40271", "31/02/2010", "soon", "29/02/2012", "01/01/1911",
             "27/11/1911", "29/11/1926", "28/11/1926", "01/01/2020", "29/11/2016",
             "28/11/2016", "01/12/2026", "01/01/2030", "15/08/2026", "1/1/1900", "031210",
             "20100517", "1900-02-29", "29/02/1900", "1900-01-00"],
    "product_code": [None, "", "603/0862/X", "6030862x", "603/0862/1", "500/5959/2",
                     "5005959", "ABC", "603 0862 X", "50059592.0"],
    "centre_number": [None, "", "123456", "123456.0", " c123 "],
    "name": [None, "", "Siobhán", "O'Brien", "O’Brien", "Smith-Jones", "St. John", "Zoë",
             "Łukasz", "Ní Bhriain", "JOHN", "john", "J", "Ann2", "Ann|Lee", 'Al"', "Иван",
             "  Mary   Ann ", "DE LA CRUZ", "O'B"],
    "learner_number": [None, "", "20000001", "20000001.0", "x1", "-5"],
    "batch_number": [None, "", "1001", "0042", " BT17 ", "2024-Sep-a", "x" * 31],
    "learner_reference": [None, "", "STU 0042", "ABCDEFGHIJKL", "ABCDEFGHIJKLM", "A-1", "É1"],
    "yes_no": [None, "", "Y", "no", "TRUE", "maybe", "1", "0", "False"],
    "assessment_mode": [None, "", "on-screen", "Paper Based", "onscreen", "carrier pigeon",
                        "OSA", "PBA", "On screen", "Online"],
    "grading_scheme": [None, "", "graded", "Pass/Fail", "unclassified", "stars", "P/M/D/D*",
                       "Pass / Fail", "P-F", "Achieved/Not Achieved"],
    "booking_status": [None, "", "active", "Pending Result", "RESULT ISSUED", "lost"],
    "grade": [None, "", "Merit", "distinction *", "D*", "u", "Not Achieved", "A+"],
    "code": [None, "", "ea01", " FK2B "],
    "text": [None, "", "Level 2 Award", "  x  "],
    "money": [None, "", "45", "£45.00", "1,045.50", "45.555", "free"],
}  # fmt: skip


def rows_of(kind: Kind) -> st.SearchStrategy[list[dict[str, str | None]]]:
    row = st.fixed_dictionaries(
        {spec.name: st.sampled_from(SAMPLES[spec.type]) for spec in SCHEMAS[kind]}
    )
    return st.lists(row, min_size=1, max_size=12)


Verdict = tuple[list[tuple[str, ...]], dict[str, object]]
"""A row's issues (field, code, severity, message), sorted, and its fields' parsed values."""


def engine_verdicts(kind: Kind, rows: list[dict[str, str | None]]) -> list[Verdict]:
    cells = pl.DataFrame(
        {"row": list(range(2, len(rows) + 2)),
         **{spec.name: [r[spec.name] for r in rows] for spec in SCHEMAS[kind]}},
        schema={"row": pl.Int64, **{spec.name: pl.String for spec in SCHEMAS[kind]}},
    )  # fmt: skip
    validated = validate(kind, cells, columns={}, reference=Reference.empty(), today=TODAY)
    issues = validated.issues.filter(pl.col("code").is_in(pl.Series(sorted(row_codes())).implode()))
    by_row: list[list[tuple[str, ...]]] = [[] for _ in rows]
    for row, field, code, severity, message in issues.select(
        "row", "field", "code", "severity", "message"
    ).rows():
        by_row[row - 2].append((field, code, severity, message))
    parsed = validated.parsed.select(spec.name for spec in SCHEMAS[kind]).to_dicts()
    return [
        (sorted(found), without_errors(found, values))
        for found, values in zip(by_row, parsed, strict=True)
    ]


def without_errors(issues: list[tuple[str, ...]], values: dict[str, object]) -> dict[str, object]:
    failed = {field for field, _, severity, _ in issues if severity == "error"}
    return {name: value for name, value in values.items() if name not in failed}


def model_verdicts(kind: Kind, rows: list[dict[str, str | None]]) -> list[Verdict]:
    verdicts: list[Verdict] = []
    for row in rows:
        verdict = check_record(kind, row, today=TODAY)
        found = [(i.field or "", i.code, i.severity, i.message) for i in verdict.issues]
        verdicts.append((sorted(found), without_errors(found, verdict.values)))
    return verdicts


@pytest.mark.parametrize("kind", KINDS)
def test_model_and_engine_agree_on_issues_messages_and_values(kind: Kind) -> None:
    @settings(max_examples=40, deadline=None)
    @given(rows_of(kind))
    def agree(rows: list[dict[str, str | None]]) -> None:
        assert model_verdicts(kind, rows) == engine_verdicts(kind, rows)

    agree()


def test_a_good_record_parses_to_typed_values() -> None:
    verdict = check_record(
        "learners",
        {"centre_number": "123456", "product_code": "6030862x", "forename": " Zoë ",
         "surname": "O’Brien", "date_of_birth": "03/04/2010", "uln": "1.000000043E9"},
        today=TODAY,
    )  # fmt: skip
    assert verdict.ok and verdict.issues == []
    assert verdict.record is not None
    assert verdict.record.model_dump()["product_code"] == "603/0862/X"
    assert verdict.record.model_dump()["date_of_birth"] == date(2010, 4, 3)
    assert verdict.record.model_dump()["uln"] == "1000000043"


def test_models_carry_the_field_descriptions() -> None:
    for kind in KINDS:
        fields = MODELS[kind].model_fields
        assert {spec.name for spec in SCHEMAS[kind]} == set(fields)
        assert all(fields[spec.name].description == spec.description for spec in SCHEMAS[kind])


def test_checking_a_record_builds_no_type_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    # Building an adapter costs milliseconds: an edit form checks a record per key press.
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a TypeAdapter was built while checking a record")

    monkeypatch.setattr(models, "TypeAdapter", refuse)
    for kind in KINDS:
        assert check_record(kind, {}, today=TODAY).issues
    assert set(ADAPTERS) == set(KINDS)


_TEMPLATES = [
    (rule.code, variant, template) for rule in RULES for variant, template in rule.messages.items()
]


@given(st.sampled_from(_TEMPLATES), st.data())
def test_both_paths_fill_every_template_alike(
    template: tuple[str, str, str], data: st.DataObject
) -> None:
    code, variant, text = template
    names = {name for _, name, _, _ in Formatter().parse(text) if name}
    filled = {name: data.draw(st.text(max_size=12), label=name) for name in names}
    frame = pl.DataFrame({name: [value] for name, value in filled.items()} or {"x": [0]})
    expressions = {name: pl.col(name) for name in names}
    assert frame.select(said(code, variant, **expressions)).item() == say(code, variant, **filled)


def test_every_rule_says_something() -> None:
    assert all(rule.messages for rule in RULES)
