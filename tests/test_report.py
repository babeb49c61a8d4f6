"""The fix-list workbook, read back with openpyxl: rows in place, fills, comments, statuses."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from centredesk.cli import main
from centredesk.io.reader import read_sheet
from centredesk.io.report import ERROR_FILL, WARNING_FILL
from centredesk.jobs.progress import Progress
from centredesk.jobs.validating import validate_file

HEADERS = ["Learner Ref", "Surname", "First Name", "DOB", "ULN", "Centre No", "QAN", "Notes"]
ROWS = [
    ["S1", "Lee", "Ann", "03/04/2010", "1000000043", "123456", "603/0862/X", "=1+1"],
    ["S2", "SMITH", "John", "04/05/2010", "1000000042", "123456", "603/0862/X", ""],
    ["S3", "Lee", "Ann", "03/04/2010", "", "123456", "603/0862/X", ""],
]
# A title and a blank row above the header, as MIS exports have: the header is on row 3 and
# the learners on rows 4 to 6, in the file, in the messages and in the fix list alike.


def _source(folder: Path, name: str = "learners.csv") -> Path:
    source = folder / name
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Learner list"], [], HEADERS, *ROWS])
    return source


@pytest.fixture
def report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    source = _source(tmp_path)
    target = tmp_path / "fix.xlsx"
    status = main(["validate", str(source), "--db", str(tmp_path / "n.duckdb"),
                   "--report", str(target)])  # fmt: skip
    assert status == 1
    assert f"Fix list written to {target}" in capsys.readouterr().out
    return target


def fill(cell: openpyxl.cell.Cell) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]


def test_rows_stay_on_their_own_row_numbers_under_their_own_header(report: Path) -> None:
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["learners", "Issues", "Summary"]
    sheet = book["learners"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:8] == [None] * 8 and rows[1][:8] == [None] * 8
    assert rows[2] == [*HEADERS, "Row Status"]
    assert all(cell.font.bold for cell in sheet[3])
    assert len(rows) == 6
    assert rows[3][:3] == ROWS[0][:3] and rows[5][:3] == ROWS[2][:3]
    assert rows[3][7] == "=1+1" and sheet["H4"].data_type == "s"
    assert sheet["E4"].value == "1000000043" and sheet["E4"].data_type == "s"
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:I6"


def test_dates_are_real_dates_and_columns_are_wide_enough(report: Path) -> None:
    sheet = openpyxl.load_workbook(report)["learners"]
    dob = sheet["D4"]
    assert dob.is_date and dob.value == datetime(2010, 4, 3)
    assert dob.number_format == "dd/mm/yyyy"
    for letter, header in zip("ABCDEFGH", HEADERS, strict=True):
        assert sheet.column_dimensions[letter].width >= len(header) + 2
    assert sheet.column_dimensions["G"].width >= len("603/0862/X")


def test_issue_cells_are_filled_and_commented(report: Path) -> None:
    sheet = openpyxl.load_workbook(report)["learners"]
    uln, surname, first = sheet["E5"], sheet["B5"], sheet["A6"]
    assert fill(uln) == ERROR_FILL[1:]
    assert uln.comment is not None
    assert "ULN_CHECKSUM (error): 1000000042 fails the ULN check digit" in uln.comment.text
    assert fill(surname) == WARNING_FILL[1:]
    assert surname.comment is not None and "NAME_CASE" in surname.comment.text
    # A whole-row issue (the repeated learner) is marked on the row's first cell.
    assert fill(first) == ERROR_FILL[1:]
    assert first.comment is not None and "DUP_IN_FILE" in first.comment.text
    assert sheet["E4"].comment is None and fill(sheet["E4"]) != ERROR_FILL[1:]


def test_the_status_column_says_what_becomes_of_each_row(report: Path) -> None:
    sheet = openpyxl.load_workbook(report)["learners"]
    assert [sheet[f"I{row}"].value for row in (4, 5, 6)] == [
        "would load", "would be rejected", "would be rejected",
    ]  # fmt: skip
    assert fill(sheet["I5"]) == ERROR_FILL[1:]
    note = sheet["I3"].comment
    assert note is not None and "would be rejected" in note.text


def test_an_import_report_says_loaded_and_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _source(tmp_path)
    target = tmp_path / "fix.xlsx"
    status = main(["import", str(source), "--kind", "learners", "--db",
                   str(tmp_path / "n.duckdb"), "--report", str(target)])  # fmt: skip
    assert status == 1
    capsys.readouterr()
    sheet = openpyxl.load_workbook(target)["learners"]
    assert [sheet[f"I{row}"].value for row in (4, 5, 6)] == ["loaded", "rejected", "rejected"]


def test_a_warning_only_row_is_marked_warning(tmp_path: Path) -> None:
    source = tmp_path / "learners.csv"
    rows = [HEADERS, ["S1", "LEE", "Ann", "03/04/2010", "1000000043", "123456", "603/0862/X", ""]]
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    target = tmp_path / "fix.xlsx"
    validate_file(source, database=tmp_path / "none.duckdb", report=target)
    sheet = openpyxl.load_workbook(target)["learners"]
    assert sheet["I2"].value == "warning" and fill(sheet["I2"]) == WARNING_FILL[1:]


def test_the_fix_list_reads_back_as_the_same_rows_with_the_same_issues(report: Path) -> None:
    again = read_sheet(report, kind="learners")
    assert again.header_row == 3
    assert again.cells.get_column("row").to_list() == [4, 5, 6]
    # The status column is the fix list's own: read back, it is left out, not ignored.
    assert again.headers == HEADERS
    assert again.ignored == ["Notes"]
    nothing = report.parent / "none.duckdb"
    original = validate_file(report.parent / "learners.csv", database=nothing)
    rechecked = validate_file(report, database=nothing)
    issues = ["row", "code", "column"]
    assert (
        rechecked.checked.validated.issues.select(issues)
        .sort(issues)
        .equals(original.checked.validated.issues.select(issues).sort(issues))
    )


def test_progress_is_reported_while_the_fix_list_is_written(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    validate_file(
        _source(tmp_path),
        database=tmp_path / "none.duckdb",
        report=tmp_path / "fix.xlsx",
        progress=Progress(lambda stage, done, total: seen.append((stage, done, total))),
    )
    fix_list = [step for step in seen if step[0] == "fix list"]
    assert fix_list[0] == ("fix list", 0, 3) and fix_list[-1] == ("fix list", 3, 3)


def test_issues_sheet_lists_every_issue_with_a_filter(report: Path) -> None:
    sheet = openpyxl.load_workbook(report)["Issues"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Row", "Column", "Field", "Code", "Severity", "Message", "Value", "Cell"]
    assert [(r[0], r[3], r[7]) for r in rows[1:]] == [
        (5, "NAME_CASE", "B5"), (5, "ULN_CHECKSUM", "E5"), (6, "DUP_IN_FILE", "A6"),
    ]  # fmt: skip
    assert sheet.auto_filter.ref == "A1:H4"
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].data_type == "n"


def test_summary_counts_issues_per_rule(report: Path) -> None:
    sheet = openpyxl.load_workbook(report)["Summary"]
    rows = [[cell.value for cell in row][:4] for row in sheet.iter_rows()]
    assert rows == [
        ["Code", "Severity", "Issues", "Rows"],
        ["DUP_IN_FILE", "error", 1, 1],
        ["ULN_CHECKSUM", "error", 1, 1],
        ["NAME_CASE", "warning", 1, 1],
    ]


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
    target = tmp_path / "fix.xlsx"
    validate_file(_source(tmp_path, file_name), database=tmp_path / "none.duckdb", report=target)
    assert openpyxl.load_workbook(target).sheetnames == [sheet, "Issues", "Summary"]


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


def test_past_the_comment_limit_cells_are_still_filled_and_the_summary_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("centredesk.io.report.MAX_COMMENTS", 2)
    target = tmp_path / "fix.xlsx"
    validate_file(_source(tmp_path), database=tmp_path / "none.duckdb", report=target)
    book = openpyxl.load_workbook(target)
    sheet = book["learners"]
    marked = [sheet["B5"], sheet["E5"], sheet["A6"]]
    assert [fill(cell) for cell in marked] == [WARNING_FILL[1:], ERROR_FILL[1:], ERROR_FILL[1:]]
    assert [cell.comment is not None for cell in marked] == [True, True, False]
    notes = [row[0] for row in book["Summary"].values if row[0]]
    assert notes[-1].startswith("3 cells are marked; the first 2 carry a comment")
