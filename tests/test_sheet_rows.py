"""Table sheets built as XML from frames: well-formed, placed and typed as openpyxl reads them."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from defusedxml import ElementTree
from hypothesis import given, settings
from hypothesis import strategies as st

from centredesk.io.sheet_rows import CellColumn, rows_xml
from centredesk.io.workbook import Column, SafeWorkbook, WorkbookError

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _row_elements(xml: bytes) -> list[object]:
    namespace = MAIN[1:-1].encode()
    return list(
        ElementTree.fromstring(b'<sheetData xmlns="' + namespace + b'">' + xml + b"</sheetData>")
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=20))
def test_any_text_makes_well_formed_rows_that_read_back_as_written(texts: list[str]) -> None:
    xml = rows_xml(
        pl.DataFrame({"t": texts}),
        [CellColumn("A", "t", "text", 1)],
        pl.Series(range(2, 2 + len(texts))),
    )
    rows = _row_elements(xml)
    assert len(rows) == len(texts)
    for row, text in zip(rows, texts, strict=True):
        shown = "".join(row.itertext())  # type: ignore[attr-defined]
        # What XML cannot hold is escaped Excel's way; everything else is as written
        # (an XML parser reads a carriage return as a line feed, hence Excel's escape).
        assert "\x00" not in shown and "\r" not in shown
        plain = all(ch not in "\ufffe\uffff" and (ch >= " " or ch in "\t\n") for ch in text)
        if plain and "_x" not in text:
            assert shown == text


def test_marked_empty_cells_are_written_with_their_fill(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with SafeWorkbook(target) as book:
        book.add_format("marked", {"num_format": "@", "bg_color": "#FFC7CE"})
        columns = [Column("Name", "name", style_field="mark"), Column("Note", "note")]
        table = book.add_table("Data", columns)
        table.append(
            pl.DataFrame(
                {
                    "name": [None, "Ann", None],
                    "mark": ["marked", None, None],
                    "note": ["x", "y", "z"],
                }
            )  # fmt: skip
        )
    sheet = openpyxl.load_workbook(target)["Data"]
    assert str(sheet["A2"].fill.fgColor.rgb).endswith("FFC7CE") and sheet["A2"].value is None
    assert sheet["A3"].value == "Ann" and not str(sheet["A3"].fill.fgColor.rgb).endswith("FFC7CE")
    assert sheet["A4"].value is None and sheet["A4"].fill.fgColor.rgb in (None, "00000000")


def test_a_date_column_keeps_text_that_is_not_a_date(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    frame = pl.DataFrame(
        {
            "born": [date(2010, 4, 3), None, date(1850, 1, 1), date(1900, 2, 1)],
            "typed": ["03/04/2010", "31/02/2010", "01/01/1850", "01/02/1900"],
        }
    )
    with SafeWorkbook(target) as book:
        book.add_table("Data", [Column("Born", "born", "date", fallback="typed")]).append(frame)
    sheet = openpyxl.load_workbook(target)["Data"]
    born, typed, ancient, early = sheet["A2"], sheet["A3"], sheet["A4"], sheet["A5"]
    assert born.value == datetime(2010, 4, 3) and born.number_format == "dd/mm/yyyy"
    assert typed.value == "31/02/2010" and typed.data_type == "s"
    # Excel has no dates before 1900: such a date is shown as text, not a negative number.
    assert ancient.value == "01/01/1850" and ancient.data_type == "s"
    # Excel's serials before March 1900 count a leap day that never was.
    assert early.value == datetime(1900, 2, 1)


def test_rows_can_keep_the_numbers_they_had_below_a_lower_header(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with SafeWorkbook(target) as book:
        table = book.add_table("Data", [Column("Name", "name")], header_row=3)
        table.append(pl.DataFrame({"row": [4, 7], "name": ["Ann", "Ben"]}), row_numbers="row")
        table.append(pl.DataFrame({"row": [9], "name": ["Cy"]}), row_numbers="row")
        with pytest.raises(ValueError, match="rise"):
            table.append(pl.DataFrame({"row": [8], "name": ["late"]}), row_numbers="row")
    sheet = openpyxl.load_workbook(target)["Data"]
    assert [sheet.cell(row=r, column=1).value for r in range(1, 10)] == [
        None, None, "Name", "Ann", None, None, "Ben", None, "Cy",
    ]  # fmt: skip
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:A9"
    with zipfile.ZipFile(target) as package:
        assert b'<dimension ref="A3:A9"/>' in package.read("xl/worksheets/sheet1.xml")


def test_an_empty_table_is_a_header_with_a_filter(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with SafeWorkbook(target) as book:
        book.add_table("Data", [Column("Name", "name"), Column("Born", "born", "date")])
    sheet = openpyxl.load_workbook(target)["Data"]
    assert [c.value for c in sheet[1]] == ["Name", "Born"]
    assert sheet.max_row == 1 and sheet.auto_filter.ref == "A1:B2"


def test_more_rows_than_excel_holds_are_refused_before_any_is_written(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with pytest.raises(WorkbookError, match="Excel's limit"), SafeWorkbook(target) as book:
        table = book.add_table("Data", [Column("Name", "name")])
        table.check_room(1_048_575)
        table.check_room(1_048_576)
    assert list(tmp_path.iterdir()) == []


def test_a_sheet_too_big_for_a_plain_zip_header_gets_a_zip64_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A sheet of more than 2 GB of XML cannot be written in a test: pretend the limit is low.
    monkeypatch.setattr("centredesk.io.xlsx_package._ZIP64_LIMIT", 100)
    target = tmp_path / "out.xlsx"
    with SafeWorkbook(target) as book:
        book.add_table("Data", [Column("Name", "name")]).append(
            pl.DataFrame({"name": [f"learner {n}" for n in range(1000)]})
        )
    with zipfile.ZipFile(target) as package:
        sheet = package.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.extract_version >= 45  # zip64
        assert package.testzip() is None
    assert openpyxl.load_workbook(target)["Data"]["A1001"].value == "learner 999"
