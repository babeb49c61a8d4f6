"""The safe workbook writer every export, template and report uses.

Spreadsheets we send out are opened by people who trust them, so nothing a user typed may
turn into a formula or a link. Table sheets hold their text as inline strings, which cannot
be formulas or links (:mod:`centredesk.io.sheet_rows`); anything written through xlsxwriter
goes through ``write_string`` in a workbook whose ``strings_to_formulas``/``strings_to_urls``/
``strings_to_numbers`` options are off, so ``=1+1``, ``+44 …``, ``@SUM(A1)`` and ``-2`` stay
the text they were. ULNs and codes are text columns, never numbers; dates are real Excel
dates shown day first.

A table sheet's rows are built a chunk (a polars frame) at a time as XML and spooled to disk,
so a million-row export never holds the sheet in memory; xlsxwriter writes the rest of the
workbook (styles, headers, widths, charts, comments, About sheets) in memory, and the two are
put together when the workbook is complete (:mod:`centredesk.io.xlsx_package`). The workbook
goes to a temporary file beside the target and is renamed over it only when complete: a
failed or cancelled export leaves nothing behind, and an existing file is replaced only with
``force``.
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import polars as pl
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from centredesk.errors import UserError
from centredesk.io.sheet_names import valid_sheet_name
from centredesk.io.sheet_rows import CellColumn, CellKind, rows_xml
from centredesk.io.xlsx_package import RowSpool, SheetRows, write_package

ColumnType = Literal["text", "date", "datetime", "integer", "number"]

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
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


@dataclass
class About:
    """What a workbook is, which filters made it, when, and how many rows it holds."""

    title: str
    description: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    rows: int = 0
    notes: Sequence[tuple[str, str]] = ()
    """Further labelled lines, e.g. how many results were withheld."""
    written_at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))


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


class SafeWorkbook:
    """A workbook written safely to ``target``; use as a context manager.

    Leaving the ``with`` block normally finishes every table sheet and moves the complete
    file into place; leaving it with an exception deletes the temporary file. Raises
    :class:`WorkbookError` when ``target`` exists (without ``force``) or cannot be written.
    """

    def __init__(self, target: str | Path, *, force: bool = False) -> None:
        self.target = Path(target)
        self.force = force
        check_target(self.target, force=force)
        # Claimed now, so an unwritable folder fails before any work is done. Not mkstemp:
        # its 0600 mode would carry over to the finished workbook; this honours the umask.
        self.temporary = self.target.with_name(f".{self.target.name}.{uuid.uuid4().hex}.part")
        try:
            with open(self.temporary, "xb"):
                pass
        except OSError as error:
            raise _unwritable(self.target, error) from None
        # xlsxwriter writes only the small parts, in memory; table rows are spooled to disk.
        self._parts = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(
            self._parts,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.formats = {
            "header": self.workbook.add_format({"bold": True, "bottom": 1}),
            "title": self.workbook.add_format({"bold": True, "font_size": 14}),
            "label": self.workbook.add_format({"bold": True}),
            "text": self.workbook.add_format({"num_format": "@"}),
            "date": self.workbook.add_format({"num_format": DATE_FORMAT, "align": "left"}),
            "datetime": self.workbook.add_format({"num_format": DATETIME_FORMAT, "align": "left"}),
            "wrap": self.workbook.add_format({"text_wrap": True, "valign": "top"}),
        }
        self.tables: list[TableSheet] = []
        self._spools: list[RowSpool] = []
        self._done = False

    def add_table(self, name: str, columns: Sequence[Column], *, header_row: int = 1) -> TableSheet:
        """A new table sheet, after those already added."""
        table = TableSheet(self, name, columns, header_row=header_row)
        self.tables.append(table)
        return table

    def add_worksheet(self, name: str) -> Any:
        """A sheet to fill by hand with xlsxwriter, after those already added.

        ``name`` is made a name Excel accepts and no other sheet of the workbook uses.
        """
        taken = [sheet.name for sheet in self.workbook.worksheets()]
        return self.workbook.add_worksheet(valid_sheet_name(name, taken))

    def add_format(self, name: str, properties: Mapping[str, object]) -> Any:
        """A named format, usable as a table column's per-cell ``style_field`` value."""
        self.formats[name] = self.workbook.add_format(dict(properties))
        return self.formats[name]

    def style(self, name: str) -> int:
        """The format index of a named format, as a cell's ``s`` attribute gives it."""
        # xlsxwriter numbers a format when a cell first uses it; table cells are written
        # outside xlsxwriter, so ask it for the number now (it stays the same at close).
        index: int = self.formats[name]._get_xf_index()
        return index

    def spool(self) -> RowSpool:
        """A temporary file beside the target for one sheet's rows, removed with the book."""
        try:
            spool = RowSpool(self.target.parent)
        except OSError as error:
            raise _unwritable(self.target, error) from None
        self._spools.append(spool)
        return spool

    def add_about(self, about: About, name: str = "About") -> None:
        """The sheet that says what the workbook is, its filters, when and how many rows."""
        sheet = self.add_worksheet(name)
        write_about(sheet, self.formats, about)

    def write_text(self, sheet: Any, row: int, col: int, value: object) -> None:
        """Write one value as text, whatever it looks like (for hand-built sheets)."""
        if value is None:
            return
        sheet.write_string(row, col, str(value), self.formats["text"])

    def __enter__(self) -> SafeWorkbook:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()

    def commit(self) -> Path:
        """Finish the sheets, close the file and move it to the target; returns the target."""
        if self._done:
            return self.target
        try:
            rows = {_part_name(self.workbook, t.worksheet): t.finish() for t in self.tables}
            self.workbook.close()
            with open(self.temporary, "wb") as package:
                write_package(self._parts.getvalue(), package, rows)
            _move_into_place(self.temporary, self.target, force=self.force)
        except (OSError, XlsxWriterException) as error:
            self.discard()
            raise _unwritable(self.target, error) from None
        except BaseException:
            self.discard()
            raise
        self._done = True
        self._close_spools()
        return self.target

    def discard(self) -> None:
        """Abandon the workbook: nothing is left at the target or beside it."""
        if self._done:
            return
        self._done = True
        self._close_spools()
        # Closed so that xlsxwriter does not try again when it is collected.
        with contextlib.suppress(Exception):
            self.workbook.close()
        self.temporary.unlink(missing_ok=True)

    def _close_spools(self) -> None:
        for spool in self._spools:
            spool.close()
        self._spools.clear()


def _part_name(workbook: Any, worksheet: Any) -> str:
    """The zip part xlsxwriter writes a worksheet to: sheetN.xml, N counting worksheets."""
    sheets = [sheet for sheet in workbook.worksheets() if not sheet.is_chartsheet]
    return f"xl/worksheets/sheet{sheets.index(worksheet) + 1}.xml"


def write_about(sheet: Any, formats: Mapping[str, Any], about: About) -> None:
    """Fill an About sheet: title, description, when, rows, filters and notes."""
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 70)
    sheet.write_string(0, 0, about.title, formats["title"])
    row = 2
    if about.description:
        sheet.write_string(row, 0, "What this is", formats["label"])
        sheet.write_string(row, 1, about.description, formats["wrap"])
        row += 1
    sheet.write_string(row, 0, "Written", formats["label"])
    sheet.write_datetime(row, 1, about.written_at, formats["datetime"])
    row += 1
    sheet.write_string(row, 0, "Rows", formats["label"])
    sheet.write_number(row, 1, about.rows)
    row += 1
    for label, value in about.notes:
        sheet.write_string(row, 0, label, formats["label"])
        sheet.write_string(row, 1, value, formats["text"])
        row += 1
    row += 1
    sheet.write_string(row, 0, "Filters", formats["label"])
    if not about.filters:
        sheet.write_string(row, 1, "none: every row", formats["text"])
    for name, value in about.filters.items():
        # Filter values are what the user typed: text, like every other value.
        sheet.write_string(row, 1, f"{name} = {value}", formats["text"])
        row += 1


def check_target(target: Path, *, force: bool) -> None:
    """Refuse a target that exists (without ``force``), is a folder, or has no folder."""
    if target.is_dir():
        raise WorkbookError(f"{target} is a folder: give a file name ending in .xlsx")
    if target.exists() and not force:
        raise WorkbookError(f"{target} already exists: choose another name or add --force")
    if target.suffix.lower() != ".xlsx":
        raise WorkbookError(f"{target}: the output must be an .xlsx file")
    parent = target.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise WorkbookError(f"cannot write {target}: {parent} {what}")


def _move_into_place(temporary: Path, target: Path, *, force: bool) -> None:
    if force:
        os.replace(temporary, target)
        return
    # A hard link fails if the target appeared meanwhile: never overwrite without force.
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise WorkbookError(
            f"{target} already exists: choose another name or add --force"
        ) from None
    except OSError:
        # Filesystems without hard links: the check at the start has to do.
        if target.exists():
            raise WorkbookError(
                f"{target} already exists: choose another name or add --force"
            ) from None
        os.replace(temporary, target)
        return
    temporary.unlink()


def _unwritable(target: Path, error: BaseException) -> WorkbookError:
    if isinstance(error, WorkbookError):
        return error
    reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return WorkbookError(
        f"cannot write {target}: {reason.rstrip('.').lower()}; choose a folder you can write to"
    )
