"""A big sheet read in two halves at once gives the grid a whole read gives, cell for cell.

The halves are cut only where the XML is sure to hold a row's start; elsewhere the sheet is
read whole. Small workbooks are cut here by lowering the size at which a sheet is split.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from polars.testing import assert_frame_equal

from centredesk.io import reader, sheet_halves
from centredesk.io.isolated import read_sheet_isolated
from centredesk.io.reader import read_sheet
from centredesk.io.sheet_halves import read_in_halves
from centredesk.io.sheet_xml import uncalculated_formulas
from centredesk.io.sheets import finish_grid, load_grid, open_workbook
from tests.hostile_corpus import package, relationships, standard_parts, text_cell, workbook_part

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture
def small_cuts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sheet is split, in chunks small enough that the cut falls mid-file."""
    monkeypatch.setattr(sheet_halves, "SPLIT_BYTES", 0)
    monkeypatch.setattr(sheet_halves, "OTHER_PARTS_SHARE", 1000.0)  # a small sheet's styles
    monkeypatch.setattr(sheet_halves, "CHUNK_BYTES", 1500)
    monkeypatch.setattr(sheet_halves, "_ROW_TAG_BYTES", 200)


def same_as_whole(path: Path, index: int = 0) -> sheet_halves.Halves:
    """Read ``path`` both ways and check the grids, names and formula cells match."""
    workbook = open_workbook(path)
    whole = load_grid(path, workbook, index)
    halves = read_in_halves(path, index)
    assert halves is not None
    split = finish_grid(path, workbook, index, halves.name, halves.visible, halves.cells)
    assert_frame_equal(split.cells, whole.cells)
    assert (split.sheet, split.visible) == (whole.sheet, whole.visible)
    assert halves.formulas == uncalculated_formulas(path, index)
    return halves


def typed_workbook(path: Path, *, inline: bool) -> Path:
    """Learners under a title, with numbers, dates, booleans, a run of blank rows and
    columns used only early or only late in the sheet."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": inline})
    sheet = workbook.add_worksheet("Learners")
    dated = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_string(0, 0, "Registrations, autumn")
    headers = ["Centre Number", "Product Code", "Forename", "Surname", "Date of Birth", "ULN"]
    for column, header in enumerate(headers):
        sheet.write_string(2, column, header)
    for row in range(3, 400):
        if 180 <= row < 200:
            continue  # blank rows about where the cut falls
        sheet.write_number(row, 0, 100000 + row % 7)
        sheet.write_string(row, 1, "603/0862/X")
        sheet.write_string(row, 2, f"Zoë {row}")
        sheet.write_string(row, 3, "O'Brien" if row % 2 else "Ní Bhriain")
        sheet.write_datetime(row, 4, datetime.datetime(2008, 1, 1 + row % 28), dated)
        sheet.write_number(row, 5, 1000000043 + row)
        if row < 100:
            sheet.write_boolean(row, 6, row % 3 == 0)
        if row > 300:
            sheet.write_number(row, 8, row / 7)
    workbook.close()
    return path


@pytest.mark.parametrize("inline", [True, False], ids=["inline strings", "shared strings"])
def test_a_sheet_cut_in_two_reads_as_a_whole_read(
    tmp_path: Path, small_cuts: None, inline: bool
) -> None:
    halves = same_as_whole(typed_workbook(tmp_path / "t.xlsx", inline=inline))
    assert halves.first_row is not None and 100 < halves.first_row < 400


def raw_sheet(rows: str, *, prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    declared = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (
        f'<?xml version="1.0"?><{p}worksheet {declared}><{p}sheetData>{rows}</{p}sheetData>'
        f"</{p}worksheet>"
    )


def raw_rows(numbers: range, columns: str, *, prefix: str = "", numbered: bool = True) -> str:
    p = f"{prefix}:" if prefix else ""
    rows = []
    for number in numbers:
        cells = "".join(
            f'<{p}c r="{letter}{number}" t="inlineStr"><{p}is><{p}t>{letter}{number}</{p}t>'
            f"</{p}is></{p}c>"
            for letter in columns
        )
        attribute = f' r="{number}"' if numbered else ""
        rows.append(f"<{p}row{attribute}>{cells}</{p}row>")
    return "".join(rows)


def test_halves_using_different_columns_keep_the_columns_between(
    tmp_path: Path, small_cuts: None
) -> None:
    # The first half uses A to C, the second E and F: a whole read has D too, empty.
    rows = raw_rows(range(1, 80), "ABC") + raw_rows(range(80, 300), "EF")
    path = package(tmp_path / "c.xlsx", standard_parts(raw_sheet(rows)))
    halves = same_as_whole(path)
    assert halves.first_row is not None and halves.first_row > 80
    assert halves.cells.columns == list("ABCDEF")


def test_prefixed_elements_are_cut_too(tmp_path: Path, small_cuts: None) -> None:
    path = package(
        tmp_path / "x.xlsx",
        standard_parts(raw_sheet(raw_rows(range(1, 200), "AB", prefix="x"), prefix="x")),
    )
    assert same_as_whole(path).first_row is not None


@pytest.mark.parametrize(
    "rows",
    [
        raw_rows(range(1, 30), "AB") + "<!-- checked -->" + raw_rows(range(30, 200), "AB"),
        raw_rows(range(1, 30), "AB") + "<?note x?>" + raw_rows(range(30, 200), "AB"),
        raw_rows(range(1, 200), "AB", numbered=False),
    ],
    ids=["comment", "processing instruction", "rows without numbers"],
)
def test_no_sure_cut_reads_the_sheet_in_one_piece(
    tmp_path: Path, small_cuts: None, rows: str
) -> None:
    path = package(tmp_path / "u.xlsx", standard_parts(raw_sheet(rows)))
    assert same_as_whole(path).first_row is None


def test_a_cdata_section_before_the_cut_reads_in_one_piece(
    tmp_path: Path, small_cuts: None
) -> None:
    tricky = '<row r="5"><c r="A5" t="inlineStr"><is><t><![CDATA[<row r="9">]]></t></is></c></row>'
    rows = raw_rows(range(1, 5), "AB") + tricky + raw_rows(range(6, 200), "AB")
    path = package(tmp_path / "d.xlsx", standard_parts(raw_sheet(rows)))
    assert same_as_whole(path).first_row is None


def test_rows_out_of_order_across_the_cut_are_read_whole(tmp_path: Path, small_cuts: None) -> None:
    # Row 3 is written last: the second half holds a row from before the cut.
    rows = raw_rows(range(1, 3), "AB") + raw_rows(range(4, 200), "AB") + raw_rows(range(3, 4), "AB")
    path = package(tmp_path / "o.xlsx", standard_parts(raw_sheet(rows)))
    assert read_in_halves(path, 0) is None
    early = (
        raw_rows(range(150, 151), "AB")
        + raw_rows(range(1, 150), "AB")
        + raw_rows(range(151, 200), "AB")
    )
    path = package(tmp_path / "e.xlsx", standard_parts(raw_sheet(early)))
    assert read_in_halves(path, 0) is None  # the first half reaches past the cut


def test_formulas_without_values_are_found_in_both_halves(tmp_path: Path, small_cuts: None) -> None:
    rows = "".join(
        f'<row r="{n}">{text_cell(f"A{n}", "x")}<c r="B{n}"><f>A1</f>'
        + ("</c>" if n % 40 == 0 else "<v>1</v></c>")
        + "</row>"
        for n in range(1, 200)
    )
    path = package(tmp_path / "f.xlsx", standard_parts(raw_sheet(rows)))
    halves = same_as_whole(path)
    assert halves.first_row is not None
    assert halves.formulas.rows == [40, 80, 120, 160]


def test_the_second_sheet_of_several_is_cut(tmp_path: Path, small_cuts: None) -> None:
    parts = standard_parts(raw_sheet(raw_rows(range(1, 50), "A")))
    parts["xl/workbook.xml"] = workbook_part(("Notes", "rId1"), ("Learners", "rId2"))
    parts["xl/_rels/workbook.xml.rels"] = relationships(
        ("rId1", "worksheet", "worksheets/sheet1.xml"),
        ("rId2", "worksheet", "worksheets/sheet2.xml"),
    )
    parts["xl/worksheets/sheet2.xml"] = raw_sheet(raw_rows(range(1, 200), "ABC"))
    path = package(tmp_path / "s.xlsx", parts)
    halves = same_as_whole(path, 1)
    assert halves.name == "Learners" and halves.first_row is not None
    assert not sheet_halves.lone_sheet(path)


def test_a_row_tag_cut_off_by_a_chunk_waits_for_the_next(
    tmp_path: Path, small_cuts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Row tags long enough to straddle chunk ends, with no room kept for them.
    monkeypatch.setattr(sheet_halves, "_ROW_TAG_BYTES", 0)
    spans = 'spans="1:2" ' + " ".join(f'x{n}="{n}"' for n in range(40))
    rows = raw_rows(range(1, 200), "AB").replace("<row ", f"<row {spans} ")
    path = package(tmp_path / "t.xlsx", standard_parts(raw_sheet(rows)))
    assert same_as_whole(path).first_row is not None


def test_a_comment_before_the_rows_reads_whole(tmp_path: Path, small_cuts: None) -> None:
    xml = raw_sheet(raw_rows(range(1, 200), "AB")).replace(
        "<worksheet ", "<!-- <sheetData> --><worksheet ", 1
    )
    path = package(tmp_path / "h.xlsx", standard_parts(xml))
    assert read_in_halves(path, 0) is None


def test_sheets_too_big_or_with_big_other_parts_read_whole(
    tmp_path: Path, small_cuts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = standard_parts(raw_sheet(raw_rows(range(1, 200), "AB")))
    path = package(tmp_path / "b.xlsx", parts)
    assert read_in_halves(path, 0) is not None
    monkeypatch.setattr(sheet_halves, "MAX_SPLIT_BYTES", 1000)
    assert read_in_halves(path, 0) is None  # more memory than a whole read needs
    monkeypatch.undo()
    monkeypatch.setattr(sheet_halves, "SPLIT_BYTES", 0)
    parts["xl/media/image1.png"] = bytes(200_000)  # more than half the sheet, copied twice
    assert read_in_halves(package(tmp_path / "m.xlsx", parts), 0) is None


def test_small_sheets_other_formats_one_core_and_damage_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = typed_workbook(tmp_path / "t.xlsx", inline=True)
    assert read_in_halves(small, 0) is None  # far below the size worth splitting
    monkeypatch.setattr(sheet_halves, "SPLIT_BYTES", 0)
    assert read_in_halves(Path(__file__).parent / "fixtures" / "learners.xls", 0) is None
    damaged = tmp_path / "bad.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    assert read_in_halves(damaged, 0) is None
    assert read_in_halves(small, 5) is None  # no such sheet
    monkeypatch.setattr(sheet_halves, "_cores", lambda: 1)
    assert read_in_halves(small, 0) is None


@pytest.mark.parametrize("sheet", [None, "Learners"], ids=["while the workbook opens", "named"])
def test_read_sheet_gives_the_same_sheet_either_way(
    tmp_path: Path, small_cuts: None, monkeypatch: pytest.MonkeyPatch, sheet: str | None
) -> None:
    # A lone sheet is cut while calamine opens the workbook; a named one once it is open.
    path = typed_workbook(tmp_path / "t.xlsx", inline=False)
    assert sheet_halves.lone_sheet(path)
    cut: list[int] = []

    def counted(path: Path, index: int) -> sheet_halves.Halves | None:
        cut.append(index)
        return read_in_halves(path, index)

    monkeypatch.setattr(reader, "read_in_halves", counted)
    split = read_sheet(path, sheet=sheet)
    assert cut == [0]
    monkeypatch.setattr(reader, "read_in_halves", lambda path, index: None)
    whole = read_sheet(path, sheet=sheet)
    assert_frame_equal(split.cells, whole.cells)
    assert_frame_equal(split.uncalculated, whole.uncalculated)
    assert (split.headers, split.mapping, split.notes, split.blank_rows) == (
        whole.headers,
        whole.mapping,
        whole.notes,
        whole.blank_rows,
    )


def big_workbook(path: Path, rows: int) -> Path:
    """A learner sheet whose XML is past the size at which sheets are split."""
    headers = ["Centre Number", "Product Code", "Forename", "Surname", "Date of Birth", "ULN"]
    body = ["".join(text_cell(f"{chr(65 + c)}1", h) for c, h in enumerate(headers))]
    for n in range(2, rows + 2):
        values = ("100001", "603/0862/X", f"Zoë {n}", "O'Brien", "2008-03-04", str(1000000000 + n))
        body.append("".join(text_cell(f"{chr(65 + c)}{n}", v) for c, v in enumerate(values)))
    xml = raw_sheet("".join(f'<row r="{n}">{cells}</row>' for n, cells in enumerate(body, 1)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in standard_parts(xml).items():
            archive.writestr(name, content)
    return path


def test_the_reading_process_cuts_a_big_sheet_and_leaves_nothing_behind(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = sheet_halves.SPLIT_BYTES // 330  # each row's XML is about 370 bytes
    path = big_workbook(tmp_path / "big.xlsx", rows)
    with caplog.at_level(logging.INFO):
        split = read_sheet_isolated(path, kind="learners")
    assert "read in two halves" in caplog.text
    assert split.cells.height == rows
    assert split.cells.get_column("row").to_list()[:2] == [2, 3]
    assert split.cells.select(pl.col("Forename").last()).item() == f"Zoë {rows + 1}"
    # The halves were written in the reading process's own folder, and are gone.
    assert not list(Path(tempfile.gettempdir()).glob("centredesk-read-*/halves-*"))


def test_halves_with_no_column_in_common_are_joined_with_the_columns_between() -> None:
    # As a whole read has it: every column from the first used to the last, rows in place.
    first = pl.DataFrame({"A": ["a1", None], "B": [None, "b2"]})
    second = pl.DataFrame({"D": [None, None, None, "d4"], "E": [None, None, None, None]})
    joined = sheet_halves._joined(first, second, 4)
    assert joined is not None
    assert joined.columns == ["A", "B", "C", "D", "E"]
    assert joined.rows() == [
        ("a1", None, None, None, None),
        (None, "b2", None, None, None),
        (None, None, None, None, None),
        (None, None, None, "d4", None),
    ]
    assert sheet_halves._joined(first, second, 2) is None  # the first half reaches past it
    early = second.with_columns(pl.Series("E", ["e1", None, None, None]))
    assert sheet_halves._joined(first, early, 4) is None  # the second holds an earlier row
