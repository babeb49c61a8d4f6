"""Reading workbook sheets (.xlsx, .xlsm, .xls, .ods) into grids of text cells.

fastexcel (calamine) reads every column as text, so no cell is lost to a guessed column
type. Its text for a few cell types is then brought to our conventions with whole-column
polars expressions: dates as ISO "YYYY-MM-DD" (with the time only when it is not
midnight), booleans as "TRUE"/"FALSE", and numbers that calamine rounded to nine decimals
re-read as floats and written with 15 significant digits, as Excel shows them.
Integral numbers (ULNs) already arrive as plain digits ("1000000043").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from centredesk.io.errors import InputError

# calamine writes a float's text with at most nine decimals, so a number with more
# precision (or binary noise in the ninth decimal) shows up with exactly nine.
_ROUNDED_NUMBER = r"^-?\d+\.\d{9}$"
_EXCEL_SIGNIFICANT_DIGITS = 15


@dataclass(frozen=True)
class Grid:
    """One worksheet as text: "row" (the row number Excel shows) + one column per letter."""

    sheet: str
    visible: bool
    cells: pl.DataFrame


def open_workbook(path: Path) -> fastexcel.ExcelReader:
    """Open a workbook whose limits were already checked; damage becomes an InputError."""
    try:
        return fastexcel.read_excel(str(path))
    except fastexcel.FastExcelError as error:
        raise _unreadable(path.name, error) from None


def sheet_names(workbook: fastexcel.ExcelReader) -> list[str]:
    return list(workbook.sheet_names)


def load_grid(path: Path, workbook: fastexcel.ExcelReader, index: int) -> Grid:
    """One sheet (0-based index) as a grid of text cells, row 1 first."""
    try:
        sheet = workbook.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
        positions = [column.absolute_index for column in sheet.available_columns()]
        labels = [_letters(position) for position in positions]
        cells = pl.DataFrame(sheet)
    except fastexcel.FastExcelError as error:
        raise _unreadable(path.name, error) from None
    cells = cells.rename(dict(zip(cells.columns, labels, strict=True)))
    cells = _our_text(cells)
    for label in _rounded_columns(cells):
        position = positions[labels.index(label)]
        cells = cells.with_columns(_reread_numbers(path, workbook, index, position, cells[label]))
    cells = cells.select(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("row"), pl.all())
    return Grid(sheet.name, sheet.visible == "visible", cells)


def _our_text(cells: pl.DataFrame) -> pl.DataFrame:
    """Dates without a midnight time, booleans in capitals; other text left as it is.

    A cheap scan finds the columns that hold such cells, so only those are rewritten.
    """
    if cells.width == 0 or cells.height == 0:
        return cells
    flags = cells.select(
        pl.all().str.ends_with(" 00:00:00").any().name.suffix(":date"),
        pl.all().is_in(["true", "false"]).any().name.suffix(":bool"),
    ).row(0, named=True)
    texts = []
    for label in cells.columns:
        cell = pl.col(label)
        if flags[f"{label}:date"]:
            midnight = (
                (cell.str.len_bytes() == 19)
                & cell.str.ends_with(" 00:00:00")
                & (cell.str.slice(4, 1) == "-")
                & (cell.str.slice(7, 1) == "-")
            )
            cell = pl.when(midnight).then(cell.str.slice(0, 10)).otherwise(cell)
        if flags[f"{label}:bool"]:
            cell = pl.when(cell == "true").then(pl.lit("TRUE")).otherwise(cell)
            cell = pl.when(cell == "false").then(pl.lit("FALSE")).otherwise(cell)
        if flags[f"{label}:date"] or flags[f"{label}:bool"]:
            texts.append(cell.alias(label))
    return cells.with_columns(texts) if texts else cells


def _rounded_columns(cells: pl.DataFrame) -> Iterator[str]:
    flags = cells.select(pl.all().str.contains(_ROUNDED_NUMBER).any())
    for label in cells.columns:
        if flags[label][0]:
            yield label


def _reread_numbers(
    path: Path, workbook: fastexcel.ExcelReader, index: int, position: int, texts: pl.Series
) -> pl.Series:
    """Replace calamine's nine-decimal text with the float's 15-significant-digit text.

    ``position`` is the sheet's own 0-based column index (column A is 0), which is what
    fastexcel's ``use_columns`` takes.
    """
    try:
        numbers = pl.DataFrame(
            workbook.load_sheet(
                index, header_row=None, skip_rows=0, use_columns=[position], dtypes="float"
            )
        ).to_series()
    except fastexcel.FastExcelError as error:
        raise _unreadable(path.name, error) from None
    exact = numbers.round_sig_figs(_EXCEL_SIGNIFICANT_DIGITS).cast(pl.String)
    rounded = texts.str.contains(_ROUNDED_NUMBER) & numbers.is_not_null()
    return pl.select(pl.when(rounded).then(exact).otherwise(texts).alias(texts.name)).to_series()


def _letters(index: int) -> str:
    """Excel column letters of a 0-based column index (0 -> "A", 16383 -> "XFD")."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _unreadable(name: str, error: Exception) -> InputError:
    detail = str(error).splitlines()[0] if str(error) else type(error).__name__
    if "password" in detail.lower() or "encrypt" in detail.lower():
        return InputError(
            f"{name}: is password-protected; open it in Excel, remove the password and "
            "save it again"
        )
    return InputError(
        f"{name}: the workbook is damaged or not what its extension says ({detail}); "
        "save or download it again"
    )
