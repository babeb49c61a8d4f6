"""The export workbooks: right rows for every filter, right types, withheld results counted."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from export_fixtures import (
    CHILDCARE,
    FOOD,
    FORMULA_ADJUSTMENT,
    HEALTH,
    HILLTOP,
    RELEASED,
    RIVERSIDE,
    SESSION,
    TODAY,
    WITHHELD,
    build_store,
)

from centredesk.errors import UserError
from centredesk.jobs.exporting import ExportOutcome, NothingToExport, export
from centredesk.jobs.progress import Cancelled, Progress
from centredesk.store import Location, Store, open_store
from centredesk.store.exports import ExportFilters


@pytest.fixture(scope="module")
def store_path(module_location: Location) -> Location:
    return build_store(module_location)


@pytest.fixture
def store(store_path: Location) -> Any:
    with open_store(store_path, read_only=True) as opened:
        yield opened


def _export(store: Store, kind: str, tmp_path: Path, **filters: Any) -> tuple[ExportOutcome, Any]:
    target = tmp_path / f"{kind}.xlsx"
    outcome = export(store, kind, target, ExportFilters(**filters), today=TODAY, force=True)
    return outcome, openpyxl.load_workbook(target)


def _records(sheet: Any) -> list[dict[str, Any]]:
    rows = list(sheet.values)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _about(book: Any) -> dict[str, Any]:
    return {row[0]: row[1] for row in book["About"].values if row[0]}


def test_results_show_only_released_ones_and_count_the_withheld(
    store: Store, tmp_path: Path
) -> None:
    outcome, book = _export(store, "results", tmp_path)
    assert (outcome.rows, outcome.withheld) == (RELEASED, WITHHELD)
    assert outcome.summary() == (
        f"wrote {RELEASED} released results to {tmp_path / 'results.xlsx'}; "
        f"{WITHHELD} more are withheld until their release date"
    )
    assert book.sheetnames == ["Results", "Summary", "About"]
    records = _records(book["Results"])
    assert sorted(r["Grade"] for r in records) == ["Distinction", "Merit", "Pass", "Pass"]
    # Fail (release 01/10/2026) and Distinction* (01/12/2026) are still under embargo.
    assert not {"Fail", "Distinction*"} & {r["Grade"] for r in records}
    about = _about(book)
    assert about["Rows"] == RELEASED
    assert about["Withheld"] == f"{WITHHELD} results before their release date"


def test_results_sheet_types_and_layout(store: Store, tmp_path: Path) -> None:
    _, book = _export(store, "results", tmp_path, uln="1000000043")
    sheet = book["Results"]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "Centre Number",
        "Learner Number",
        "ULN",
        "Forename",
        "Surname",
        "Date of Birth",
        "Batch Number",
        "Product Code",
        "Title",
        "Component",
        "Grade",
        "Result Date",
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L3"
    uln, dob, batch, code = sheet["C2"], sheet["F2"], sheet["G2"], sheet["H2"]
    assert uln.value == "1000000043" and uln.data_type == "s"
    assert dob.is_date and dob.value == datetime(2010, 4, 3)
    assert dob.number_format == "dd/mm/yyyy"
    assert batch.data_type == "s" and code.data_type == "s"
    assert sheet["L2"].is_date and sheet["L2"].number_format == "dd/mm/yyyy"
    assert sheet.column_dimensions["I"].width > len("Level 2 Technical Award in Health")


def test_results_summary_counts_grades_per_product_with_a_chart(
    store: Store, tmp_path: Path
) -> None:
    _, book = _export(store, "results", tmp_path)
    summary = book["Summary"]
    counts = {r["Product Code"]: r for r in _records(summary)}
    assert set(counts) == {FOOD, CHILDCARE, HEALTH}
    assert counts[FOOD]["Pass"] == 2 and counts[FOOD]["Total"] == 2
    assert counts[HEALTH]["Merit"] == 1 and counts[HEALTH]["Pass"] == 0
    assert counts[CHILDCARE]["Distinction"] == 1
    assert "Fail" not in counts[FOOD]  # the only Fail is withheld
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref == "A1:F4"
    (chart,) = summary._charts
    assert type(chart).__name__ == "BarChart" and chart.grouping == "stacked"
    assert len(chart.series) == 3  # Pass, Merit, Distinction


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"centre": HILLTOP}, {"Smith", "Smithers"}),
        ({"batch": "1001"}, {"O'Brien"}),
        ({"batch": " 1001 "}, {"O'Brien"}),
        ({"batch": "01001"}, set()),
        ({"batch": "BT17"}, set()),
        ({"product": "5005959/2"}, {"O'Brien", "Smithers"}),
        ({"forename": "SIOB"}, {"O'Brien"}),
        ({"surname": "smith"}, {"Smith", "Smithers"}),
        ({"dob": date(2008, 2, 2)}, {"Smithers"}),
        ({"learner": 20000004}, {"Smith"}),
        ({"uln": "1000000043"}, {"O'Brien"}),
        ({"centre": RIVERSIDE, "batch": "1002"}, {"O'Brien"}),
    ],
)
def test_each_results_filter_selects_exactly_its_rows(
    store: Store, tmp_path: Path, filters: dict[str, Any], expected: set[str]
) -> None:
    outcome, book = _export(store, "results", tmp_path, **filters)
    records = _records(book["Results"])
    assert {r["Surname"] for r in records} == expected
    assert outcome.rows == len(records)
    assert _about(book)["Filters"] is not None


def test_withheld_count_follows_the_filters(store: Store, tmp_path: Path) -> None:
    outcome, _ = _export(store, "results", tmp_path, product=FOOD)
    assert (outcome.rows, outcome.withheld) == (2, 1)
    assert outcome.summary().endswith("; 1 more is withheld until their release date")
    outcome, _ = _export(store, "results", tmp_path, centre=HILLTOP)
    assert outcome.withheld == 0
    assert outcome.summary().endswith(
        f"released results to {tmp_path / 'results.xlsx'}; none are withheld"
    )


def test_approved_products_of_one_centre(store: Store, tmp_path: Path) -> None:
    outcome, book = _export(store, "products", tmp_path, centre=RIVERSIDE)
    assert book.sheetnames == ["Approved Products", "About"]
    records = _records(book["Approved Products"])
    assert [r["Product Code"] for r in records] == [FOOD, HEALTH]
    assert records[0]["Title"] == "Level 1 Award in Food Safety & Hygiene"
    assert outcome.rows == 2
    health = records[1]
    assert health["External Assessment"] == "Y"
    assert health["Approval Date"] == datetime(2025, 9, 1)
    assert health["Operational End Date"] == datetime(2028, 8, 31)
    assert _about(book)["Filters"] == f"centre = {RIVERSIDE}"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [FOOD, CHILDCARE, HEALTH]),
        ({"title": "HEALTH AND"}, [HEALTH]),
        ({"sector": "public services"}, [CHILDCARE, HEALTH]),
        ({"product": "6030862x"}, [HEALTH]),
        ({"centre": HILLTOP, "sector": "retail"}, [FOOD]),
    ],
)
def test_product_filters(
    store: Store, tmp_path: Path, filters: dict[str, Any], expected: list[str]
) -> None:
    _, book = _export(store, "products", tmp_path, **filters)
    sheet = book["Approved Products"]
    assert [r["Product Code"] for r in _records(sheet)] == expected
    headers = [cell.value for cell in sheet[1]]
    assert ("Approval Date" in headers) == ("centre" in filters)


def test_discount_codes_with_leading_zeros_stay_text(store: Store, tmp_path: Path) -> None:
    _, book = _export(store, "products", tmp_path, product=CHILDCARE)
    cell = book["Approved Products"]["E2"]
    assert cell.value == "0123" and cell.data_type == "s"


def test_registrations_with_status_and_formula_looking_values(store: Store, tmp_path: Path) -> None:
    outcome, book = _export(store, "registrations", tmp_path, status="ACTIVE", centre=RIVERSIDE)
    records = _records(book["Registrations"])
    assert outcome.rows == 5 and len(records) == 5
    assert {r["Status"] for r in records} == {"active"}
    reference = next(r["Learner Reference"] for r in records if r["Surname"] == "O'Brien")
    assert reference == "-2"
    _, book = _export(store, "registrations", tmp_path, status="withdrawn")
    assert _records(book["Registrations"]) == []


def test_bookings_filter_by_status_and_carry_the_mode(store: Store, tmp_path: Path) -> None:
    _, book = _export(store, "bookings", tmp_path, status="cancelled")
    (cancelled,) = _records(book["Bookings"])
    assert cancelled["Surname"] == "Smith-Jones"
    # No mode on the booking: the product's own mode (paper-based) is shown.
    assert cancelled["Assessment Mode"] == "paper-based"
    assert cancelled["Session Date"] == datetime(2027, 5, 12)
    assert cancelled["Attempt"] == 1 and isinstance(cancelled["Attempt"], int)
    _, book = _export(store, "bookings", tmp_path, product=FOOD)
    assert {r["Booking Status"] for r in _records(book["Bookings"])} == {
        "Active",
        "Pending Result",
    }


def test_register_lists_paper_based_bookings_of_one_session(store: Store, tmp_path: Path) -> None:
    outcome, book = _export(store, "register", tmp_path, product="6030862X", session=SESSION)
    sheet = book["Register"]
    records = _records(sheet)
    # Smith-Jones is cancelled; on-screen bookings and other products are left out.
    assert [r["Surname"] for r in records] == ["Adams", "O'Brien"]
    assert outcome.rows == 2
    assert records[1]["Reasonable Adjustments"] == "+25% extra time"
    assert sheet["F3"].data_type == "s"
    assert [cell.value for cell in sheet[1]][-1] == "Signature"
    assert all(r["Signature"] is None for r in records)
    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$1"
    assert HEALTH in sheet.oddHeader.left.text
    assert "12/05/2027" in sheet.oddHeader.right.text


def test_formula_looking_stored_values_come_back_as_text(store: Store, tmp_path: Path) -> None:
    _, book = _export(store, "register", tmp_path, product=HEALTH, session=SESSION)
    sheet = book["Register"]
    adjustments = [sheet.cell(row=row, column=6) for row in (2, 3)]
    assert [cell.value for cell in adjustments] == [FORMULA_ADJUSTMENT, "+25% extra time"]
    assert {cell.data_type for cell in adjustments} == {"s"}
    assert not sheet._hyperlinks


def test_unknown_product_or_centre_is_a_user_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not in the catalogue"):
        _export(store, "results", tmp_path, product="999/9999/9")
    with pytest.raises(UserError, match="centre 000000 is not in the store"):
        _export(store, "products", tmp_path, centre="000000")
    assert list(tmp_path.iterdir()) == []


def test_a_cancelled_export_leaves_no_file(store: Store, tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        export(
            store,
            "results",
            tmp_path / "results.xlsx",
            ExportFilters(),
            today=TODAY,
            progress=Progress(cancel=cancel),
        )
    assert list(tmp_path.iterdir()) == []


def test_progress_reports_rows_written(store: Store, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    export(
        store,
        "registrations",
        tmp_path / "r.xlsx",
        ExportFilters(),
        progress=Progress(lambda stage, done, total: seen.append((stage, done, total))),
    )
    assert seen[0] == ("exporting", 0, 7)
    assert seen[-1] == ("exporting", 7, 7)


@pytest.mark.parametrize(
    ("filters", "reason"),
    [
        (
            {"product": FOOD, "session": SESSION},
            f"no register written for {FOOD}: its bookings on 12/05/2027 are sat on screen, "
            "which needs no register; it has no paper-based sessions booked from today on",
        ),
        (
            {"product": HEALTH, "session": date(2027, 6, 1)},
            f"no register written for {HEALTH}: nobody is booked onto it on 01/06/2027; "
            "its next paper-based sessions: 12/05/2027",
        ),
        (
            {"product": HEALTH, "session": SESSION, "centre": HILLTOP},
            f"no register written for {HEALTH}: nobody at centre {HILLTOP} is booked onto it "
            "on 12/05/2027; it has no paper-based sessions booked from today on",
        ),
    ],
)
def test_a_register_nobody_sits_is_not_written_and_says_why(
    store: Store, tmp_path: Path, filters: dict[str, Any], reason: str
) -> None:
    with pytest.raises(NothingToExport) as refused:
        _export(store, "register", tmp_path, **filters)
    assert str(refused.value) == reason
    assert list(tmp_path.iterdir()) == []
