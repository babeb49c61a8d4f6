"""The safe workbook writer every export, template and report uses.

Spreadsheets we send out are opened by people who trust them, so nothing a user typed may
turn into a formula or a link: every text cell goes through ``write_string`` in a workbook
whose ``strings_to_formulas``/``strings_to_urls``/``strings_to_numbers`` options are off, so
``=1+1``, ``+44 …``, ``@SUM(A1)`` and ``-2`` stay the text they were. ULNs and codes are
text columns, never numbers; dates are real Excel dates shown day first.

Sheets are written in xlsxwriter's constant-memory mode, row after row, one chunk (a polars
frame) at a time, so a million-row export never holds the sheet in memory. The workbook goes
to a temporary file beside the target and is renamed over it only when complete: a failed or
cancelled export leaves nothing behind, and an existing file is replaced only with ``force``.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import polars as pl
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from centredesk.errors import UserError

ColumnType = Literal["text", "date", "datetime", "integer", "number"]

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MAX_WIDTH = 60
"""Widest a fitted column gets, in characters: long titles wrap the view, not the sheet."""
_DATE_WIDTH, _DATETIME_WIDTH = 10, 16
EXCEL_MAX_ROWS = 1_048_576


class WorkbookError(UserError):
    """The workbook could not be written where the user asked (folder, permissions, file)."""


@dataclass(frozen=True)
class Column:
    """One column of a table sheet: its header, the frame column it shows, how it is typed."""

    header: str
    field: str
    type: ColumnType = "text"
    min_width: int = 0


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


class TableSheet:
    """A worksheet with a bold, frozen, filterable header row, filled chunk by chunk."""

    def __init__(self, book: SafeWorkbook, name: str, columns: Sequence[Column]) -> None:
        self.book = book
        self.columns = tuple(columns)
        self.worksheet = book.workbook.add_worksheet(name)
        self.rows = 0
        self._widths = [max(len(c.header) + 2, c.min_width) for c in self.columns]
        self._writers = [self._writer_for(c.type) for c in self.columns]
        for index, column in enumerate(self.columns):
            self.worksheet.write_string(0, index, column.header, book.formats["header"])
        self.worksheet.freeze_panes(1, 0)

    def _writer_for(self, column_type: ColumnType) -> Callable[[int, int, Any], object]:
        sheet, formats = self.worksheet, self.book.formats
        if column_type == "date":
            return lambda row, col, value: sheet.write_datetime(row, col, value, formats["date"])
        if column_type == "datetime":
            return lambda row, col, value: sheet.write_datetime(
                row, col, value, formats["datetime"]
            )
        if column_type in ("integer", "number"):
            return lambda row, col, value: sheet.write_number(row, col, value)
        # Text: str() covers codes a query may hand over as numbers (batch numbers).
        return lambda row, col, value: sheet.write_string(row, col, str(value), formats["text"])

    def append(self, chunk: pl.DataFrame) -> None:
        """Write the next rows; ``chunk`` must carry every column's ``field``."""
        if chunk.height == 0:
            return
        if self.rows + chunk.height >= EXCEL_MAX_ROWS:
            raise WorkbookError(
                f"sheet {self.worksheet.name!r} would need more than {EXCEL_MAX_ROWS - 1:,} "
                "rows, Excel's limit: narrow the export with filters"
            )
        self._fit_widths(chunk)
        values = [chunk.get_column(column.field).to_list() for column in self.columns]
        writers = self._writers
        first = self.rows + 1
        # xlsxwriter writes one cell per call: this loop is the writer itself, and a
        # constant-memory sheet must be filled in row order anyway.
        for offset, row in enumerate(zip(*values, strict=True)):
            excel_row = first + offset
            for col, value in enumerate(row):
                if value is not None:
                    writers[col](excel_row, col, value)
        self.rows += chunk.height

    def _fit_widths(self, chunk: pl.DataFrame) -> None:
        lengths = chunk.select(
            pl.col(column.field).cast(pl.String).str.len_chars().max().alias(str(index))
            for index, column in enumerate(self.columns)
            if column.type not in ("date", "datetime")
        ).row(0, named=True)
        for index, column in enumerate(self.columns):
            if column.type == "date":
                longest = _DATE_WIDTH
            elif column.type == "datetime":
                longest = _DATETIME_WIDTH
            else:
                longest = int(lengths[str(index)] or 0)
            self._widths[index] = max(self._widths[index], min(longest + 2, MAX_WIDTH))

    def finish(self) -> None:
        """Set the fitted widths and the autofilter over every written row."""
        for index, width in enumerate(self._widths):
            self.worksheet.set_column(index, index, width)
        if self.columns:
            self.worksheet.autofilter(0, 0, max(self.rows, 1), len(self.columns) - 1)


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
        self.workbook = xlsxwriter.Workbook(
            str(self.temporary),
            {
                "constant_memory": True,
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
        self._done = False

    def add_table(self, name: str, columns: Sequence[Column]) -> TableSheet:
        """A new table sheet, after those already added."""
        table = TableSheet(self, name, columns)
        self.tables.append(table)
        return table

    def add_about(self, about: About, name: str = "About") -> None:
        """The sheet that says what the workbook is, its filters, when and how many rows."""
        sheet = self.workbook.add_worksheet(name)
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
            for table in self.tables:
                table.finish()
            self.workbook.close()
            _move_into_place(self.temporary, self.target, force=self.force)
        except (OSError, XlsxWriterException) as error:
            self.discard()
            raise _unwritable(self.target, error) from None
        except BaseException:
            self.discard()
            raise
        self._done = True
        return self.target

    def discard(self) -> None:
        """Abandon the workbook: nothing is left at the target or beside it."""
        if self._done:
            return
        self._done = True
        # Closing flushes xlsxwriter's own temporary files; the result is thrown away.
        with contextlib.suppress(Exception):
            self.workbook.close()
        self.temporary.unlink(missing_ok=True)


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
