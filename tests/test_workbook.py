"""The safe workbook writer: text stays text, dates are dates, files appear whole or not at all."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime
from pathlib import Path

import fastexcel
import openpyxl
import polars as pl
import pytest

from centredesk.errors import UserError
from centredesk.io.workbook import About, Column, SafeWorkbook, WorkbookError

FORMULA_LOOKING = ["=1+1", "+44 7700 900123", "@SUM(A1)", "-2", "\tTAB", "http://example.com"]

COLUMNS = [
    Column("ULN", "uln"),
    Column("Note", "note"),
    Column("Date of Birth", "date_of_birth", "date"),
    Column("Batch", "batch_number"),
    Column("Count", "count", "integer"),
]


def _frame(n: int) -> pl.DataFrame:
    notes = (FORMULA_LOOKING * (n // len(FORMULA_LOOKING) + 1))[:n]
    return pl.DataFrame(
        {
            "uln": [f"{1000000000 + i}" for i in range(n)],
            "note": notes,
            "date_of_birth": [date(2010, 4, 3)] * n,
            "batch_number": [1001 + i for i in range(n)],
            "count": list(range(n)),
        }
    )


def _write(target: Path, frames: list[pl.DataFrame], **about: object) -> None:
    with SafeWorkbook(target) as book:
        table = book.add_table("Data", COLUMNS)
        for frame in frames:
            table.append(frame)
        book.add_about(About("Test export", rows=table.rows, **about))  # type: ignore[arg-type]


def test_values_types_and_formats_survive_a_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    _write(target, [_frame(4), _frame(3)])
    sheet = openpyxl.load_workbook(target)["Data"]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.max_row == 8
    uln = sheet["A2"]
    assert uln.value == "1000000000" and uln.data_type == "s" and uln.number_format == "@"
    dob = sheet["C2"]
    assert dob.is_date and dob.value == datetime(2010, 4, 3)
    assert dob.number_format == "dd/mm/yyyy"
    batch = sheet["D2"]
    assert batch.value == "1001" and batch.data_type == "s"
    assert sheet["E3"].value == 1 and sheet["E3"].data_type == "n"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E8"


def test_formula_looking_strings_come_back_as_plain_text(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    _write(target, [_frame(len(FORMULA_LOOKING))])
    sheet = openpyxl.load_workbook(target)["Data"]
    cells = [sheet.cell(row=r, column=2) for r in range(2, 2 + len(FORMULA_LOOKING))]
    assert [c.value for c in cells] == FORMULA_LOOKING
    assert {c.data_type for c in cells} == {"s"}
    assert not sheet._hyperlinks


def test_column_widths_fit_the_content(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    long_note = pl.DataFrame({"note": ["x" * 40]})
    frame = _frame(1).with_columns(long_note)
    _write(target, [frame])
    sheet = openpyxl.load_workbook(target)["Data"]
    assert sheet.column_dimensions["B"].width >= 42
    assert sheet.column_dimensions["A"].width >= 12
    assert sheet.column_dimensions["C"].width >= 13  # "Date of Birth" header


def test_about_sheet_says_what_when_filters_and_rows(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    _write(
        target,
        [_frame(2)],
        description="Learners of one centre",
        filters={"surname": "=HYPERLINK(1)"},
        notes=[("Withheld", "3 results")],
    )
    sheet = openpyxl.load_workbook(target)["About"]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2) if row[0].value}
    assert sheet["A1"].value == "Test export"
    assert cells["What this is"].value == "Learners of one centre"
    assert isinstance(cells["Written"].value, datetime)
    assert cells["Rows"].value == 2
    assert cells["Withheld"].value == "3 results"
    assert cells["Filters"].value == "surname = =HYPERLINK(1)"
    assert cells["Filters"].data_type == "s"


def test_existing_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"keep me")
    with pytest.raises(WorkbookError, match="already exists"):
        _write(target, [_frame(1)])
    assert target.read_bytes() == b"keep me"
    with SafeWorkbook(target, force=True) as book:
        book.add_table("Data", COLUMNS).append(_frame(1))
    assert openpyxl.load_workbook(target)["Data"]["A2"].value == "1000000000"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_a_target_in_a_folder_that_cannot_exist_is_a_one_line_user_error(
    tmp_path: Path,
) -> None:
    # Tests run as root, where permissions do not stop writes; a "folder" that is really a
    # file stops everyone.
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder")
    with pytest.raises(UserError) as raised:
        _write(blocker / "out.xlsx", [_frame(1)])
    assert "\n" not in str(raised.value)
    assert "reports" in str(raised.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_the_workbook_gets_ordinary_file_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    _write(target, [_frame(1)])
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_a_failure_while_writing_leaves_no_file_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with pytest.raises(KeyError), SafeWorkbook(target) as book:
        table = book.add_table("Data", COLUMNS)
        table.append(_frame(3))
        raise KeyError("stopped half way")
    assert list(tmp_path.iterdir()) == []


def test_a_chunk_missing_a_column_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with pytest.raises(pl.exceptions.ColumnNotFoundError), SafeWorkbook(target) as book:
        book.add_table("Data", COLUMNS).append(_frame(2).drop("uln"))
    assert list(tmp_path.iterdir()) == []


def test_non_xlsx_targets_and_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match=r"\.xlsx"):
        SafeWorkbook(tmp_path / "out.csv")
    with pytest.raises(WorkbookError, match="is a folder"):
        SafeWorkbook(tmp_path)


def test_control_characters_are_escaped_the_way_excel_reads_them(tmp_path: Path) -> None:
    # XML cannot hold most control characters: Excel writes them as _xHHHH_ and writes a
    # literal "_xHHHH_" with its underscore escaped, so both come back as typed.
    typed = ["a\x01b", "_x0041_", "x\r\ny", "bell\x07"]
    target = tmp_path / "out.xlsx"
    with SafeWorkbook(target) as book:
        book.add_table("Data", [Column("Note", "note")]).append(pl.DataFrame({"note": typed}))
    sheet = openpyxl.load_workbook(target)["Data"]
    # openpyxl shows the escapes as they are stored ...
    stored = [sheet.cell(row=row, column=1).value for row in range(2, 6)]
    assert stored == ["a_x0001_b", "_x005F_x0041_", "x_x000D_\ny", "bell_x0007_"]
    # ... and a reader that decodes them, as Excel does, gets back what was typed.
    read = fastexcel.read_excel(str(target)).load_sheet(0, header_row=0, dtypes="string")
    assert pl.DataFrame(read).get_column("Note").to_list() == typed


def test_spaces_line_breaks_markup_and_emoji_stay_as_typed(tmp_path: Path) -> None:
    typed = ["  leading", "trailing  ", "two\nlines", "tab\tin", "Food & <Hygiene>", "Zoë 😀"]
    target = tmp_path / "out.xlsx"
    with SafeWorkbook(target) as book:
        book.add_table("Data", [Column("Note", "note")]).append(pl.DataFrame({"note": typed}))
    sheet = openpyxl.load_workbook(target)["Data"]
    assert [sheet.cell(row=row, column=1).value for row in range(2, 8)] == typed


def test_text_longer_than_a_cell_holds_is_cut_to_excels_limit(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with SafeWorkbook(target) as book:
        table = book.add_table("Data", [Column("Note", "note")])
        table.append(pl.DataFrame({"note": ["é" * 40_000]}))
    assert openpyxl.load_workbook(target)["Data"]["A2"].value == "é" * 32_767


def test_missing_values_leave_empty_cells_and_numbers_stay_numbers(tmp_path: Path) -> None:
    columns = [
        Column("Name", "name"),
        Column("Born", "born", "date"),
        Column("Seen", "seen", "datetime"),
        Column("Count", "count", "integer"),
        Column("Fee", "fee", "number"),
    ]
    frame = pl.DataFrame(
        {
            "name": ["Ann", None],
            "born": [date(2010, 4, 3), None],
            "seen": [datetime(2026, 9, 1, 14, 30), None],
            "count": [None, 7],
            "fee": [45.5, None],
        }
    )
    target = tmp_path / "out.xlsx"
    with SafeWorkbook(target) as book:
        book.add_table("Data", columns).append(frame)
    sheet = openpyxl.load_workbook(target)["Data"]
    first, second = sheet[2], sheet[3]
    assert [cell.value for cell in second] == [None, None, None, 7, None]
    assert second[3].data_type == "n"
    assert first[2].value == datetime(2026, 9, 1, 14, 30)
    assert first[2].number_format == "dd/mm/yyyy hh:mm"
    assert first[4].value == 45.5 and first[4].data_type == "n"
    assert first[3].value is None
