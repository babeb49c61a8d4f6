"""Each row rule fires on a minimal bad row and stays silent on the nearest good one."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from centredesk.validation.engine import Reference, Validated, validate
from centredesk.validation.fields import SCHEMAS, Kind

TODAY = date(2026, 11, 28)
GOOD_LEARNER = {
    "centre_number": "123456",
    "product_code": "603/0862/X",
    "forename": "Siobhán",
    "surname": "O'Brien",
    "date_of_birth": "03/04/2010",
    "uln": "1000000043",
    "registration_date": "01/09/2026",
}


def run(kind: Kind, rows: list[dict[str, str]]) -> Validated:
    names = [spec.name for spec in SCHEMAS[kind]]
    cells = pl.DataFrame(
        {"row": list(range(2, len(rows) + 2)), **{n: [r.get(n) for r in rows] for n in names}},
        schema={"row": pl.Int64, **dict.fromkeys(names, pl.String)},
    )
    headers = {spec.name: spec.header for spec in SCHEMAS[kind]}
    return validate(kind, cells, columns=headers, reference=Reference.empty(), today=TODAY)


def codes(kind: Kind, **changes: str) -> set[tuple[str, str]]:
    issues = run(kind, [{**GOOD_LEARNER, **changes}]).issues
    return {(code, severity) for code, severity in issues.select("code", "severity").rows()}


def test_the_good_learner_row_has_no_issues() -> None:
    assert codes("learners") == set()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"uln": "1000000042"}, {("ULN_CHECKSUM", "error")}),
        ({"uln": "1000000063"}, {("ULN_CHECKSUM", "error")}),
        ({"uln": "9276308686"}, set()),
        ({"uln": "9999999999"}, {("ULN_TEMPORARY", "warning")}),
        ({"uln": "0123456789"}, {("ULN_FORMAT", "error")}),
        ({"uln": "123456789"}, {("ULN_FORMAT", "error")}),
        ({"uln": ""}, set()),
        ({"forename": ""}, {("NAME_MISSING", "error")}),
        ({"forename": "Ann2"}, {("NAME_CHARACTERS", "error")}),
        ({"forename": "Ann|Marie"}, {("NAME_CHARACTERS", "error")}),
        ({"forename": 'Ann"'}, {("NAME_CHARACTERS", "error")}),
        ({"forename": "Ann\tMarie"}, {("NAME_CHARACTERS", "error")}),
        ({"forename": "Иван"}, {("NAME_CHARACTERS", "error")}),
        ({"surname": "O’Brien"}, set()),
        ({"surname": "Smith-Jones"}, set()),
        ({"surname": "St. John"}, set()),
        ({"surname": "Ní Bhriain"}, set()),
        ({"forename": "Łukasz", "surname": "Zoë"}, set()),
        ({"surname": "O'BRIEN"}, {("NAME_CASE", "warning")}),
        ({"forename": "siobhán"}, {("NAME_CASE", "warning")}),
        ({"forename": "J"}, set()),
        ({"date_of_birth": ""}, {("DOB_MISSING", "error")}),
        ({"date_of_birth": "31/02/2010"}, {("DOB_INVALID", "error")}),
        ({"date_of_birth": "01/12/2026"}, {("DOB_FUTURE", "error")}),
        # Ages at the registration date, 01/09/2026.
        ({"date_of_birth": "02/09/1911"}, {("DOB_IMPLAUSIBLE", "warning")}),  # 114
        ({"date_of_birth": "01/09/1911"}, {("DOB_IMPLAUSIBLE", "error")}),  # 115
        ({"date_of_birth": "02/09/1926"}, set()),  # 99
        ({"date_of_birth": "01/09/1926"}, {("DOB_IMPLAUSIBLE", "warning")}),  # 100
        ({"date_of_birth": "01/09/2016"}, set()),  # 10
        ({"date_of_birth": "02/09/2016"}, {("DOB_IMPLAUSIBLE", "warning")}),  # 9
        # Without a registration date the age is taken today, 28/11/2026.
        ({"date_of_birth": "29/11/2016", "registration_date": ""},
         {("DOB_IMPLAUSIBLE", "warning")}),
        ({"date_of_birth": "28/11/2016", "registration_date": ""}, set()),
        ({"product_code": ""}, {("PRODUCT_MISSING", "error")}),
        ({"product_code": "603/862/X"}, {("PRODUCT_FORMAT", "error")}),
        ({"product_code": "6030862X"}, set()),
        ({"product_code": "603/0862/x"}, set()),
        ({"product_code": "6030862x"}, set()),
        ({"product_code": "603/0862/1"}, {("PRODUCT_CHECK", "warning")}),
        ({"centre_number": " "}, {("CENTRE_MISSING", "error")}),
        ({"learner_reference": "STU 0042"}, set()),
        ({"learner_reference": "ABCDEFGHIJKL"}, set()),
        ({"learner_reference": "ABCDEFGHIJKLM"}, {("LEARNER_REF_FORMAT", "error")}),
        ({"learner_reference": "STU-42"}, {("LEARNER_REF_FORMAT", "error")}),
        ({"batch_number": "BT17"}, set()),
        ({"batch_number": "2024-SEP-A"}, set()),
        ({"registration_date": "someday"}, {("DATE_INVALID", "error")}),
    ],
)  # fmt: skip
def test_learner_row_rules(changes: dict[str, str], expected: set[tuple[str, str]]) -> None:
    assert codes("learners", **changes) == expected


def test_issue_names_the_column_as_written_and_keeps_the_value() -> None:
    issues = run("learners", [{**GOOD_LEARNER, "uln": "1000000042"}]).issues
    assert issues.to_dicts() == [
        {"row": 2, "column": "ULN", "field": "uln", "code": "ULN_CHECKSUM",
         "severity": "error", "message": "1000000042 fails the ULN check digit",
         "value": "1000000042"}
    ]  # fmt: skip


def test_issues_are_sorted_by_row_then_column_and_rejected_rows_listed() -> None:
    validated = run(
        "learners",
        [
            {**GOOD_LEARNER, "uln": "1000000042", "forename": "Ann2"},
            {**GOOD_LEARNER, "forename": "ANN", "uln": ""},
            {**GOOD_LEARNER, "date_of_birth": "", "uln": "9276308686"},
        ],
    )
    assert validated.issues.select("row", "field").rows() == [
        (2, "forename"), (2, "uln"), (3, "forename"), (4, "date_of_birth"),
    ]  # fmt: skip
    assert validated.rejected_row_numbers().to_list() == [2, 4]


def test_parsed_learner_row_is_ready_for_the_store() -> None:
    messy = {"uln": "1.000000043E9", "batch_number": "7.0", "product_code": "6030862x",
             "forename": "  Mary   Ann "}  # fmt: skip
    parsed = run("learners", [{**GOOD_LEARNER, **messy}]).parsed
    row = parsed.row(0, named=True)
    assert row["uln"] == "1000000043"
    assert row["product_code"] == "603/0862/X"
    assert row["forename"] == "Mary Ann"
    assert row["batch_number"] == "7.0"
    assert row["date_of_birth"] == date(2010, 4, 3)
    assert row["person_key"] == "maryann|obrien|2010-04-03"


GOOD_RESULT = {"centre_number": "123456", "learner_number": "20000001",
               "product_code": "603/0862/X", "component": "EA01", "grade": "Merit",
               "result_date": "20/07/2026", "release_date": "14/08/2026"}  # fmt: skip
GOOD_BOOKING = {"centre_number": "123456", "learner_number": "20000001",
                "product_code": "603/0862/X", "assessment": "ea01",
                "session_date": "12/05/2027"}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "row", "expected"),
    [
        ("results", GOOD_RESULT, set()),
        ("results", {**GOOD_RESULT, "grade": "A+"}, {"RESULT_GRADE"}),
        ("results", {**GOOD_RESULT, "grade": ""}, {"FIELD_MISSING"}),
        ("results", {**GOOD_RESULT, "release_date": ""}, {"RESULT_RELEASE_MISSING"}),
        ("results", {**GOOD_RESULT, "release_date": "01/01/2027"}, {"RESULT_RELEASE_FUTURE"}),
        ("results", {**GOOD_RESULT, "result_date": "01/01/2027"}, {"RESULT_DATE_FUTURE"}),
        ("results", {**GOOD_RESULT, "learner_number": ""}, {"RESULT_LEARNER_MISSING"}),
        ("results", {**GOOD_RESULT, "learner_number": "", "uln": "1000000043"}, set()),
        ("bookings", GOOD_BOOKING, set()),
        ("bookings", {**GOOD_BOOKING, "learner_number": "", "uln": "9999999999"},
         {"BOOKING_LEARNER_MISSING", "ULN_TEMPORARY"}),
        ("bookings", {**GOOD_BOOKING, "booking_status": "lost"}, {"VALUE_INVALID"}),
        ("bookings", {**GOOD_BOOKING, "assessment_mode": "paper"}, set()),
        ("products", {"product_code": "603/0862/X", "title": "Award", "external_assessment": "Y",
                      "registration_fee": "£45.00", "grading_scheme": "Pass/Fail"}, set()),
        ("products", {"product_code": "603/0862/X", "title": ""}, {"FIELD_MISSING"}),
        ("products", {"product_code": "603/0862/X", "title": "A", "registration_fee": "free"},
         {"VALUE_INVALID"}),
        ("approvals", {"centre_number": "123456", "product_code": "500/5959/2"}, set()),
        ("approvals", {"centre_number": "", "product_code": "500/5959/2"}, {"CENTRE_MISSING"}),
    ],
)  # fmt: skip
def test_rules_of_the_other_kinds(kind: Kind, row: dict[str, str], expected: set[str]) -> None:
    validated = run(kind, [row])
    store_rules = {"BOOKING_REGISTRATION_MISSING", "RESULT_REGISTRATION_MISSING"}
    assert set(validated.issues.get_column("code")) - store_rules == expected
