"""The fix-list workbook, read back with openpyxl: fills, comments, sheets, header order."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from centredesk.cli import main
from centredesk.io.report import ERROR_FILL, WARNING_FILL
from centredesk.jobs.validating import validate_file

HEADERS = ["Learner Ref", "Surname", "First Name", "DOB", "ULN", "Centre No", "QAN", "Notes"]
ROWS = [
    ["S1", "Lee", "Ann", "03/04/2010", "1000000043", "123456", "603/0862/X", "=1+1"],
    ["S2", "SMITH", "John", "04/05/2010", "1000000042", "123456", "603/0862/X", ""],
    ["S3", "Lee", "Ann", "03/04/2010", "", "123456", "603/0862/X", ""],
]


@pytest.fixture
def report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    source = tmp_path / "learners.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Learner list"], [], HEADERS, *ROWS])
    target = tmp_path / "fix.xlsx"
    status = main(["validate", str(source), "--db", str(tmp_path / "n.duckdb"),
                   "--report", str(target)])  # fmt: skip
    assert status == 1
    assert f"Fix list written to {target}" in capsys.readouterr().out
    return target


def fill(cell: openpyxl.cell.Cell) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]


def test_rows_keep_their_headers_order_and_text(report: Path) -> None:
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["learners", "Issues", "Summary"]
    rows = [[cell.value for cell in row] for row in book["learners"].iter_rows()]
    assert rows[0] == HEADERS
    assert rows[1][:7] == ROWS[0][:7]
    assert rows[1][7] == "=1+1" and book["learners"]["H2"].data_type == "s"
    assert len(rows) == 4


def test_issue_cells_are_filled_and_commented(report: Path) -> None:
    sheet = openpyxl.load_workbook(report)["learners"]
    uln, surname, first = sheet["E3"], sheet["B3"], sheet["A4"]
    assert fill(uln) == ERROR_FILL[1:]
    assert uln.comment is not None
    assert "ULN_CHECKSUM (error): 1000000042 fails the ULN check digit" in uln.comment.text
    assert fill(surname) == WARNING_FILL[1:]
    assert surname.comment is not None and "NAME_CASE" in surname.comment.text
    # A whole-row issue (the repeated learner) is marked on the row's first cell.
    assert fill(first) == ERROR_FILL[1:]
    assert first.comment is not None and "DUP_IN_FILE" in first.comment.text
    assert sheet["E2"].comment is None and fill(sheet["E2"]) != ERROR_FILL[1:]


def test_issues_sheet_lists_every_issue_with_a_filter(report: Path) -> None:
    sheet = openpyxl.load_workbook(report)["Issues"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Row", "Column", "Field", "Code", "Severity", "Message", "Value", "Cell"]
    assert [(r[0], r[3], r[7]) for r in rows[1:]] == [
        (5, "NAME_CASE", "B3"), (5, "ULN_CHECKSUM", "E3"), (6, "DUP_IN_FILE", "A4"),
    ]  # fmt: skip
    assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:H")
    assert sheet.freeze_panes == "A2"


def test_summary_counts_issues_per_rule(report: Path) -> None:
    sheet = openpyxl.load_workbook(report)["Summary"]
    rows = [[cell.value for cell in row][:4] for row in sheet.iter_rows()]
    assert rows == [
        ["Code", "Severity", "Issues", "Rows"],
        ["DUP_IN_FILE", "error", 1, 1],
        ["ULN_CHECKSUM", "error", 1, 1],
        ["NAME_CASE", "warning", 1, 1],
    ]


def test_an_existing_report_is_not_replaced_without_force(
    report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = report.parent / "learners.csv"
    before = report.read_bytes()
    assert main(["validate", str(source), "--db", str(report.parent / "n.duckdb"),
                 "--report", str(report)]) == 2  # fmt: skip
    assert report.read_bytes() == before
    assert main(["validate", str(source), "--db", str(report.parent / "n.duckdb"),
                 "--report", str(report), "--force"]) == 1  # fmt: skip


@pytest.mark.parametrize(
    ("file_name", "sheet"),
    [
        ("'quoted'.csv", "quoted"),
        ("😀" * 20 + ".csv", "😀" * 15),
        ("a" * 40 + ".csv", "a" * 31),
        ("Summary.csv", "Summary (2)"),
        ("[draft] week 3?.csv", "_draft_ week 3_"),
    ],
)
def test_a_file_name_excel_would_refuse_as_a_sheet_name_is_made_valid(
    tmp_path: Path, file_name: str, sheet: str
) -> None:
    source = tmp_path / file_name
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADERS, *ROWS])
    target = tmp_path / "fix.xlsx"
    validate_file(source, database=None, report=target)
    assert openpyxl.load_workbook(target).sheetnames == [sheet, "Issues", "Summary"]
