"""Reading workbook sheets (.xlsx, .xlsm, .xls, .ods) into grids of text cells.

fastexcel (calamine) reads every column as text, so no cell is lost to a guessed column
type. Its text for a few cell types is then brought to our conventions with whole-column
polars expressions: dates as ISO "YYYY-MM-DD" (with the time only when it is not
midnight), booleans as "TRUE"/"FALSE", and numbers that calamine rounded to nine decimals
re-read as floats and written with 15 significant digits, as Excel shows them.
Integral numbers (ULNs) already arrive as plain digits ("1000000043").

Text alone cannot tell a number from digits typed as text, so where that matters (a date
column, where only a number is an Excel date serial) the column is read a second time with
a type that only numbers have; that costs a pass over the sheet, so it is done only for the
columns that hold digit-only cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import fastexcel
import polars as pl

from centredesk.io.errors import InputError

# calamine writes a float's text with at most nine decimals, so a number with more
# precision (or binary noise in the ninth decimal) shows up with exactly nine.
_ROUNDED_NUMBER = r"^-?\d+\.\d{9}$"
_EXCEL_SIGNIFICANT_DIGITS = 15
# How calamine writes a number's text: what a digit-only text cell also looks like.
_NUMBER_TEXT = r"^-?[0-9]+(?:\.[0-9]+)?$"
# Excel's 1900 date system counts 29/02/1900, which never was: serial 60. Serials 1 to 59 count
# from 31/12/1899, later ones from 30/12/1899. calamine reads day 60 as 28/02/1900 (as day
# 59) and day 0 as 31/12/1899, so cells showing those dates are read again as day counts.
_PHANTOM_SERIAL, _PHANTOM_TEXT = 60, "1900-02-29"
_DAY_ZERO_TEXT = "1900-01-00"
"""What Excel shows as 00/01/1900, day 0: no date at all, written so no rule reads it as one."""
_EARLY_EPOCH, _EPOCH = datetime(1899, 12, 31), datetime(1899, 12, 30)
_LAST_SERIAL = 2_958_465  # 31/12/9999
_MIS_READ_DATES = ("1900-02-28", "1899-12-31")


@dataclass(frozen=True)
class Grid:
    """One worksheet as text: "row" (the row number Excel shows) + one column per letter."""

    sheet: str
    index: int
    """0-based position of the sheet in the workbook."""
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
        name, visible, cells = sheet.name, sheet.visible == "visible", lettered(sheet)
    except fastexcel.FastExcelError as error:
        raise _unreadable(path.name, error) from None
    del sheet  # calamine's copy of the cells: not kept while the grid is finished
    return finish_grid(path, workbook, index, name, visible, cells)


def lettered(sheet: fastexcel.ExcelSheet) -> pl.DataFrame:
    """A sheet loaded as text (from row 1), its columns named by their letters."""
    labels = [column_letters(column.absolute_index) for column in sheet.available_columns()]
    # to_arrow lets go of the GIL while it builds the columns (the Arrow C interface that
    # pl.DataFrame(sheet) uses does not), so sheets loaded on two threads convert at once.
    cells = pl.from_arrow(sheet.to_arrow())
    assert isinstance(cells, pl.DataFrame)
    return cells.rename(dict(zip(cells.columns, labels, strict=True)))


def finish_grid(
    path: Path,
    workbook: fastexcel.ExcelReader,
    index: int,
    name: str,
    visible: bool,
    cells: pl.DataFrame,
) -> Grid:
    """The grid of the sheet ``name`` from its lettered cells: our text for dates, booleans
    and numbers, cells calamine misread put right, and the row numbers."""
    cells = _our_text(cells)
    for label in _rounded_columns(cells):
        cells = cells.with_columns(
            _reread_numbers(path, workbook, index, column_position(label), cells[label])
        )
    for label in _columns_holding(cells, _MIS_READ_DATES):
        days = _reread(path, workbook, index, column_position(label), "duration")
        cells = cells.with_columns(_epoch_dates(cells[label], days))
    cells = cells.select(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("row"), pl.all())
    return Grid(name, index, visible, cells)


def dates_from_numbers(
    path: Path, workbook: fastexcel.ExcelReader, grid: Grid, labels: list[str], rows: pl.Series
) -> dict[str, pl.Series]:
    """The cells of date columns with every number written as the date it counts.

    ``labels`` are the grid's column letters of the date columns; ``rows`` the grid rows
    (its "row" values) wanted back. Only a cell the file stores as a number is an Excel date
    serial: digits typed as text stay as they are, for the rules to refuse.
    """
    wanted = grid.cells.filter(pl.col("row").is_in(rows.implode()))
    found: dict[str, pl.Series] = {}
    for label in labels:
        texts = wanted.get_column(label)
        if not texts.str.contains(_NUMBER_TEXT).any():
            continue
        # Read as booleans, a column keeps only its numbers (and booleans, whose text is
        # TRUE/FALSE): text cells become null whatever they say.
        numbers = _reread(path, workbook, grid.index, column_position(label), "boolean")
        stored_as_number = numbers.gather(wanted.get_column("row") - 1).is_not_null()
        found[label] = pl.select(
            pl.when(stored_as_number & texts.str.contains(_NUMBER_TEXT))
            .then(serial_text(texts.cast(pl.Float64, strict=False)))
            .otherwise(texts)
            .alias(label)
        ).to_series()
    return found


def serial_text(serial: pl.Series | pl.Expr) -> pl.Expr:
    """The ISO text of Excel date serials, as Excel shows them (1900 date system).

    The time of day is kept when it is not midnight. Day 60 is Excel's 29/02/1900 and day 0
    its 00/01/1900: neither is a date, and each keeps a text that says which day it was.
    A number out of Excel's date range stays the number.
    """
    number = serial if isinstance(serial, pl.Expr) else pl.lit(serial)
    days = number.floor().cast(pl.Int64)
    seconds = ((number - number.floor()) * 86_400).round().cast(pl.Int64)
    moment = pl.when(days < _PHANTOM_SERIAL).then(pl.lit(_EARLY_EPOCH)).otherwise(
        pl.lit(_EPOCH)
    ) + pl.duration(days=days, seconds=seconds)
    text = (
        pl.when(seconds == 0)
        .then(moment.dt.to_string("%Y-%m-%d"))
        .otherwise(moment.dt.to_string("%Y-%m-%d %H:%M:%S"))
    )
    return (
        pl.when(days == _PHANTOM_SERIAL)
        .then(pl.lit(_PHANTOM_TEXT))
        .when(days == 0)
        .then(pl.lit(_DAY_ZERO_TEXT))
        .when(days.is_between(1, _LAST_SERIAL))
        .then(text)
        .otherwise(number.cast(pl.String))
    )


def _epoch_dates(texts: pl.Series, days: pl.Series) -> pl.Series:
    """Cells calamine read as 28/02/1900 or 31/12/1899, put right from their day counts."""
    count = days.dt.total_days(fractional=True)
    early = texts.str.starts_with(_MIS_READ_DATES[0]) | texts.str.starts_with(_MIS_READ_DATES[1])
    return pl.select(
        pl.when(early & count.is_not_null() & (count.floor() == _PHANTOM_SERIAL))
        .then(pl.lit(_PHANTOM_TEXT))
        .when(early & count.is_not_null() & (count.floor() == 0))
        .then(pl.lit(_DAY_ZERO_TEXT))
        .otherwise(texts)
        .alias(texts.name)
    ).to_series()


def _columns_holding(cells: pl.DataFrame, prefixes: tuple[str, ...]) -> list[str]:
    """The columns with a cell starting with one of ``prefixes`` (one cheap scan)."""
    if cells.width == 0 or cells.height == 0:
        return []
    flags = cells.select(
        pl.any_horizontal(pl.col(label).str.starts_with(prefix) for prefix in prefixes)
        .any()
        .alias(label)
        for label in cells.columns
    ).row(0, named=True)
    return [label for label, holds in flags.items() if holds]


def _reread(
    path: Path,
    workbook: fastexcel.ExcelReader,
    index: int,
    position: int,
    dtype: Literal["boolean", "duration"],
) -> pl.Series:
    """One column of the sheet read again with another type, every row from row 1."""
    try:
        column = workbook.load_sheet(
            index, header_row=None, skip_rows=0, use_columns=[position], dtypes=dtype
        )
        return pl.DataFrame(column).to_series()
    except fastexcel.FastExcelError as error:
        raise _unreadable(path.name, error) from None


def column_position(label: str) -> int:
    """0-based column index of Excel column letters ("A" -> 0)."""
    number = 0
    for letter in label:
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number - 1


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


def column_letters(index: int) -> str:
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
