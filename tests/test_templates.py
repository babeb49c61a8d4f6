"""Upload templates: canonical headers, instructions, Excel checks, and a clean round trip."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from export_fixtures import FOOD, HEALTH, RIVERSIDE, build_store

from centredesk.jobs.templates import template
from centredesk.store import open_store
from centredesk.validation.fields import KINDS, SCHEMAS, Kind


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("templates") / "store.duckdb")


def _validations(sheet: Any) -> dict[str, Any]:
    """Data validations by the header of the column they cover."""
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    found: dict[str, Any] = {}
    for validation in sheet.data_validations.dataValidation:
        first = str(validation.sqref).split(":")[0]
        assert first.endswith("2"), "validation starts below the header"
        found[headers[first.rstrip("0123456789")]] = validation
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_header_row_and_instructions_come_from_the_field_specs(kind: Kind, tmp_path: Path) -> None:
    target = tmp_path / f"{kind}.xlsx"
    outcome = template(kind, target)
    assert outcome.columns == len(SCHEMAS[kind]) and outcome.product_codes == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [kind.capitalize(), "Instructions"]
    sheet = book[kind.capitalize()]
    assert [cell.value for cell in sheet[1]] == [spec.header for spec in SCHEMAS[kind]]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None
    assert sheet.max_row == 1
    rows = list(book["Instructions"].values)
    header_at = next(i for i, row in enumerate(rows) if row[0] == "Column")
    explained = {row[0]: row for row in rows[header_at + 1 :]}
    for spec in SCHEMAS[kind]:
        _, required, description, example, _ = explained[spec.header]
        assert required == ("required" if spec.required else "optional")
        assert description == spec.description
        assert example == (spec.example or None)


def test_the_learners_template_keeps_the_headers_centres_already_use(tmp_path: Path) -> None:
    # Written out rather than taken from the field definitions: centres keep copies of the
    # template, so a renamed or reordered column is a change they would feel.
    template("learners", tmp_path / "learners.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "learners.xlsx")["Learners"]
    assert [cell.value for cell in sheet[1]] == [
        "Centre Number",
        "Product Code",
        "Forename",
        "Surname",
        "Date of Birth",
        "ULN",
        "Learner Reference",
        "Batch Number",
        "Registration Date",
        "Reasonable Adjustments",
    ]


def test_learners_template_checks_what_excel_can(tmp_path: Path) -> None:
    target = tmp_path / "learners.xlsx"
    template("learners", target)
    sheet = openpyxl.load_workbook(target)["Learners"]
    checks = _validations(sheet)
    uln = checks["ULN"]
    assert (uln.type, uln.operator, uln.formula1) == ("textLength", "equal", "10")
    assert uln.showErrorMessage and uln.prompt
    assert checks["Date of Birth"].type == "date"
    assert checks["Registration Date"].type == "date"
    reference = checks["Learner Reference"]
    assert (reference.type, reference.formula1, reference.formula2) == ("textLength", "1", "12")
    # Without a catalogue there is no list to offer for the product code.
    assert checks["Product Code"].type is None
    assert sheet.column_dimensions["F"].number_format == "@"  # ULN typed stays text
    assert sheet.column_dimensions["E"].number_format == "dd/mm/yyyy"
    # Batch labels are text (BT17, 0042): kept as typed, not checked as whole numbers.
    assert sheet.column_dimensions["H"].number_format == "@"
    assert checks["Batch Number"].type is None


def test_products_template_offers_y_n_and_fixed_lists(tmp_path: Path) -> None:
    target = tmp_path / "products.xlsx"
    template("products", target)
    checks = _validations(openpyxl.load_workbook(target)["Products"])
    assert checks["External Assessment"].type == "list"
    assert checks["External Assessment"].formula1 == '"Y,N"'
    assert checks["Assessment Mode"].formula1 == '"on-screen,paper-based"'
    assert checks["Grading Scheme"].formula1 == '"graded,pass-fail,unclassified"'
    assert checks["Operational End Date"].type == "date"


def test_bookings_template_lists_statuses(tmp_path: Path) -> None:
    target = tmp_path / "bookings.xlsx"
    template("bookings", target)
    checks = _validations(openpyxl.load_workbook(target)["Bookings"])
    statuses = checks["Booking Status"].formula1.strip('"').split(",")
    assert statuses == ["Active", "Cancelled", "Transferred", "Pending Result", "Result Issued"]


def test_product_code_dropdown_comes_from_the_catalogue_on_a_hidden_sheet(
    store_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "results.xlsx"
    with open_store(store_path, read_only=True) as store:
        outcome = template("results", target, store=store)
    assert outcome.product_codes == 3
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Results", "Instructions", "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    assert [row[0] for row in book["Lists"].values] == sorted(
        ["603/0862/X", "500/5959/2", "601/7180/7"]
    )
    assert all(cell.data_type == "s" for (cell,) in book["Lists"].iter_rows())
    dropdown = _validations(book["Results"])["Product Code"]
    assert (dropdown.type, dropdown.formula1) == ("list", "Lists!$A$1:$A$3")
    # Grades are a fixed list too.
    assert "Distinction*" in _validations(book["Results"])["Grade"].formula1


def test_the_products_template_has_no_catalogue_dropdown(store_path: Path, tmp_path: Path) -> None:
    # The products template defines new codes: offering the existing ones would mislead.
    target = tmp_path / "products.xlsx"
    with open_store(store_path, read_only=True) as store:
        assert template("products", target, store=store).product_codes == 0
    assert openpyxl.load_workbook(target).sheetnames == ["Products", "Instructions"]


# One correctly filled-in row per kind, as a person would type it in Excel: ULNs as text
# (the column is text), dates as dates, numbers as numbers.
FILLED: dict[Kind, dict[str, Any]] = {
    "products": {
        "product_code": "610/0001/2",
        "title": "Level 2 Certificate in Sports Leadership",
        "level": "2",
        "sector": "Leisure, Travel and Tourism",
        "discount_code": "ZS9",
        "external_assessment": "Y",
        "assessment_mode": "on-screen",
        "operational_end_date": datetime(2029, 8, 31),
        "grading_scheme": "graded",
        "registration_fee": 38.5,
    },
    "approvals": {
        "centre_number": RIVERSIDE,
        "centre_name": "Riverside Academy",
        "product_code": "601/7180/7",
        "approved_on": datetime(2026, 1, 5),
    },
    "learners": {
        "centre_number": RIVERSIDE,
        "product_code": HEALTH,
        "forename": "Grace",
        "surname": "Hopper",
        "date_of_birth": datetime(2010, 12, 9),
        "uln": "1000000108",
        "learner_reference": "STU 9",
        "batch_number": "0042",
        "registration_date": datetime(2026, 9, 1),
        "reasonable_adjustments": "Reader",
    },
    "bookings": {
        "centre_number": RIVERSIDE,
        "learner_number": 20000006,
        "product_code": HEALTH,
        "assessment": "EA02",
        "session_date": datetime(2027, 5, 19),
        "assessment_mode": "paper-based",
        "booking_status": "Active",
    },
    "results": {
        "centre_number": RIVERSIDE,
        "learner_number": 20000003,
        "product_code": FOOD,
        "component": "EA02",
        "grade": "Pass",
        "result_date": datetime(2026, 7, 20),
        "release_date": datetime(2026, 8, 14),
    },
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_filled_in_template_validates_with_no_issues(
    kind: Kind, store_path: Path, tmp_path: Path
) -> None:
    from centredesk.jobs.checked_file import read_and_validate

    target = tmp_path / f"{kind}.xlsx"
    with open_store(store_path, read_only=True) as store:
        template(kind, target, store=store)
    book = openpyxl.load_workbook(target)
    sheet = book[kind.capitalize()]
    for col, spec in enumerate(SCHEMAS[kind], start=1):
        sheet.cell(row=2, column=col, value=FILLED[kind].get(spec.name))
    book.save(target)
    with open_store(store_path, read_only=True) as store:
        checked = read_and_validate(target, store=store, today=date(2026, 9, 1))
    assert checked.sheet.kind == kind
    assert checked.rows == 1
    assert checked.validated.issues.to_dicts() == []
