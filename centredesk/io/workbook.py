"""The safe workbook writer every export, template and report uses.

Spreadsheets we send out are opened by people who trust them, so nothing a user typed may
turn into a formula or a link. Table sheets hold their text as inline strings, which cannot
be formulas or links (:mod:`centredesk.io.sheet_rows`); anything written through xlsxwriter
goes through ``write_string`` in a workbook whose ``strings_to_formulas``/``strings_to_urls``/
``strings_to_numbers`` options are off, so ``=1+1``, ``+44 …``, ``@SUM(A1)`` and ``-2`` stay
the text they were. ULNs and codes are text columns, never numbers; dates are real Excel
dates shown day first.

A table sheet's rows (:mod:`centredesk.io.table_sheet`) are built a chunk (a polars frame)
at a time as XML and spooled to disk, so a million-row export never holds the sheet in
memory; xlsxwriter writes the rest of the workbook (styles, headers, widths, charts,
comments, About sheets) in memory, and the two are put together when the workbook is
complete (:mod:`centredesk.io.xlsx_package`). The workbook goes to a temporary file beside
the target and is renamed over it only when complete: a failed or cancelled export leaves
nothing behind, and an existing file is replaced only with ``force``.
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
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from centredesk.io.sheet_names import valid_sheet_name
from centredesk.io.table_sheet import Column, ColumnType, TableSheet, WorkbookError, column_letters
from centredesk.io.xlsx_package import RowSpool, write_package

__all__ = [
    "About",
    "Column",
    "ColumnType",
    "SafeWorkbook",
    "TableSheet",
    "WorkbookError",
    "column_letters",
    "write_about",
]

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


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
