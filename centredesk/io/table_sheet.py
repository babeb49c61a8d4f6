"""Table sheets: a bold, frozen, filterable header row over rows written a frame at a time.

Each chunk of rows becomes SpreadsheetML in one pass of polars expressions
(:mod:`centredesk.io.sheet_rows`) and goes to a spool beside the workbook; the workbook puts
the rows into the sheet when it is complete (:mod:`centredesk.io.workbook`). Column widths are
fitted to what was written, and the autofilter covers every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import polars as pl

from centredesk.errors import UserError
from centredesk.io.sheet_rows import CellColumn, CellKind, rows_xml
from centredesk.io.xlsx_package import SheetRows

if TYPE_CHECKING:
    from centredesk.io.workbook import SafeWorkbook

ColumnType = Literal["text", "date", "datetime", "integer", "number"]

MAX_WIDTH = 60
"""Widest a fitted column gets, in characters: long titles wrap the view, not the sheet."""
_DATE_WIDTH, _DATETIME_WIDTH = 10, 16
EXCEL_MAX_ROWS = 1_048_576
_CELL_KINDS: dict[ColumnType, CellKind] = {
    "text": "text",
    "date": "date",
    "datetime": "datetime",
    "integer": "number",
    "number": "number",
}


class WorkbookError(UserError):
    """The workbook could not be written where the user asked (folder, permissions, file)."""


@dataclass(frozen=True)
class Column:
    """One column of a table sheet: its header, the frame column it shows, how it is typed."""

    header: str
    field: str
    type: ColumnType = "text"
    min_width: int = 0
    style_field: str | None = None
    """A frame column naming, cell by cell, a format of the workbook (a key of
    ``SafeWorkbook.formats``) that replaces the column's own; null keeps the column's."""
    fallback: str | None = None
    """For a date column: a frame column of text written where the date is null (a date
    that did not parse stays as it was typed)."""


def column_letters(index: int) -> str:
    """Excel column letters of a 0-based column index (0 -> "A", 16383 -> "XFD")."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class TableSheet:
    """A worksheet with a bold, frozen, filterable header row, filled chunk by chunk.

    ``header_row`` is the Excel row number of the header (1 unless a sheet keeps the rows
    where a user had them); data rows follow it, or go where ``append`` is told.
    """

    def __init__(
        self, book: SafeWorkbook, name: str, columns: Sequence[Column], *, header_row: int = 1
    ) -> None:
        self.book = book
        self.columns = tuple(columns)
        self.worksheet = book.add_worksheet(name)
        self.header_row = header_row
        self.last_row = header_row
        self.rows = 0
        self._widths = [max(len(c.header) + 2, c.min_width) for c in self.columns]
        for index, column in enumerate(self.columns):
            self.worksheet.write_string(
                header_row - 1, index, column.header, book.formats["header"]
            )
        self.worksheet.freeze_panes(header_row, 0)
        self._cells = [self._cell_column(index, c) for index, c in enumerate(self.columns)]
        self._spool = book.spool()

    def _cell_column(self, index: int, column: Column) -> CellColumn:
        style = {"date": "date", "datetime": "datetime", "text": "text"}.get(column.type)
        return CellColumn(
            letters=column_letters(index),
            field=column.field,
            kind=_CELL_KINDS[column.type],
            style=self.book.style(style) if style else 0,
            style_field=column.style_field,
            fallback=column.fallback,
            text_style=self.book.style("text"),
        )

    def check_room(self, rows: int) -> None:
        """Refuse, before any row is written, more rows than Excel's sheet holds."""
        if self.last_row + rows > EXCEL_MAX_ROWS:
            raise WorkbookError(
                f"sheet {self.worksheet.name!r} would need more than "
                f"{EXCEL_MAX_ROWS - self.header_row:,} rows, Excel's limit: narrow the "
                "export with filters"
            )

    def append(self, chunk: pl.DataFrame, *, row_numbers: str | None = None) -> None:
        """Write the next rows; ``chunk`` must carry every column's ``field``.

        ``row_numbers`` names a column of Excel row numbers for the rows (rising, below the
        header and below every row written so far); by default they follow on.
        """
        if chunk.height == 0:
            return
        if row_numbers is None:
            first = self.last_row + 1
            numbers = pl.int_range(first, first + chunk.height, eager=True, dtype=pl.Int64)
        else:
            numbers = chunk.get_column(row_numbers)
            if numbers.null_count() or not numbers.is_sorted() or numbers[0] <= self.last_row:
                raise ValueError("row numbers must rise, below the rows already written")
        self.check_room(int(numbers[-1]) - self.last_row)
        self._fit_widths(chunk)
        self._spool.write(rows_xml(self._styled(chunk), self._cells, numbers))
        self.rows += chunk.height
        self.last_row = int(numbers[-1])

    def _styled(self, chunk: pl.DataFrame) -> pl.DataFrame:
        """Per-cell format names turned into the workbook's format indexes."""
        names = [c.style_field for c in self.columns if c.style_field is not None]
        if not names:
            return chunk
        indexes = {name: self.book.style(name) for name in self.book.formats}
        return chunk.with_columns(
            pl.col(name).replace_strict(indexes, return_dtype=pl.Int64) for name in names
        )

    def _fit_widths(self, chunk: pl.DataFrame) -> None:
        texts = {
            str(index): column.fallback if column.type in ("date", "datetime") else column.field
            for index, column in enumerate(self.columns)
        }
        lengths = chunk.select(
            pl.col(name).cast(pl.String).str.len_chars().max().alias(key)
            for key, name in texts.items()
            if name is not None
        ).row(0, named=True)
        for index, column in enumerate(self.columns):
            if column.type == "date":
                longest = max(_DATE_WIDTH, int(lengths.get(str(index)) or 0))
            elif column.type == "datetime":
                longest = max(_DATETIME_WIDTH, int(lengths.get(str(index)) or 0))
            else:
                longest = int(lengths[str(index)] or 0)
            self._widths[index] = max(self._widths[index], min(longest + 2, MAX_WIDTH))

    def finish(self) -> SheetRows:
        """Set the fitted widths and the autofilter over every written row; the rows."""
        for index, width in enumerate(self._widths):
            self.worksheet.set_column(index, index, width)
        last_row = max(self.last_row, self.header_row + 1)
        if self.columns:
            self.worksheet.autofilter(self.header_row - 1, 0, last_row - 1, len(self.columns) - 1)
        last_column = column_letters(max(len(self.columns) - 1, 0))
        dimension = f"A{self.header_row}:{last_column}{max(self.last_row, self.header_row)}"
        return SheetRows(self._spool, dimension)
