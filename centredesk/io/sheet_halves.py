"""Reading one big worksheet as two halves at once.

calamine parses a sheet's XML on one core, and at a million rows that parse is most of an
import. On a machine with two cores or more, a big sheet of an .xlsx workbook is cut in two
at a row boundary while it is inflated: each half becomes a workbook of its own in a scratch
folder (the workbook's other parts copied, nothing compressed), calamine reads the first
half while the second is still being written and then both at once (it lets go of the
GIL), and the two grids are joined again by row number. The same pass over the XML finds
the formula cells saved without a value (:class:`~centredesk.io.sheet_xml.FormulaFinder`),
which a whole read looks for in a pass of its own.

The grid is the one a whole read gives, cell for cell. Where that cannot be sure, the sheet
is read whole instead: a cut that would fall after a comment, a CDATA section or a
processing instruction (where ``<row`` need not be a tag), a row without its number, rows
out of order across the cut. Runs only on files whose limits were already checked.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import zipfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import fastexcel
import polars as pl

from centredesk.io.sheet_xml import FormulaCells, FormulaFinder, sheet_entries
from centredesk.io.sheets import column_letters, column_position, lettered

logger = logging.getLogger(__name__)

SPLIT_BYTES = 64 * 1024 * 1024
"""A sheet whose XML is smaller is read whole: at that size a cut saves little."""
MAX_SPLIT_BYTES = 640 * 1024 * 1024
"""A sheet whose XML is larger is read whole: read in halves it would need about a quarter
more memory (each half with its own copy of the shared strings), and near the reading
process's limit that could refuse a file a whole read manages."""
OTHER_PARTS_SHARE = 0.5
"""Each half carries a copy of the workbook's other parts (shared strings, styles, images),
and reads the shared strings again: when they come to more than this share of the sheet's
XML, the sheet is read whole."""
CHUNK_BYTES = 8 * 1024 * 1024
_SUFFIXES = {".xlsx", ".xlsm"}
FIRST_SHARE = 0.55
"""Where the cut falls, as a share of the sheet's XML. The first half is read while the
second is still being written, so it is given more rows and both finish together."""
_ROW_TAG_BYTES = 4096
"""Room left at a chunk's end for a row's start tag, so the tag found there is whole."""


@dataclass(frozen=True)
class Halves:
    """A sheet read in halves: what a whole read of it gives."""

    name: str
    """The sheet's name."""
    visible: bool
    cells: pl.DataFrame
    """Every cell as text from row 1, columns named by their letters (as a whole read)."""
    formulas: FormulaCells
    first_row: int | None
    """The row the second half began with; None when the sheet was read in one piece (no
    sure place to cut was found)."""


Load = tuple[str, bool, pl.DataFrame]
"""A half as loaded: the sheet's name, whether it is visible, its lettered cells."""


def read_in_halves(path: Path, index: int) -> Halves | None:
    """The ``index``-th sheet of ``path`` read in two halves at once, or None when it is
    better (or only surely) read whole: too small, one core, not an .xlsx, or a layout a
    cut cannot be sure of. A damaged file is None too: the whole read says what is wrong."""
    if path.suffix.lower() not in _SUFFIXES or _cores() < 2:
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            entries = sheet_entries(archive)
            entry = entries[index] if index < len(entries) else None
            if entry is None:
                return None
            info = archive.getinfo(entry)
            if not SPLIT_BYTES <= info.file_size <= MAX_SPLIT_BYTES or info.compress_type not in (
                zipfile.ZIP_STORED,
                zipfile.ZIP_DEFLATED,
            ):
                return None
            others = [name for name in entries if name is not None and name != entry]
            copied = sum(
                part.file_size
                for part in archive.infolist()
                if part.filename != entry and part.filename not in others
            )
            if copied > info.file_size * OTHER_PARTS_SHARE:
                return None
            # Scratch files go where this process's temporary files go: the reading
            # process's own folder, removed by its parent whatever happens here.
            with (
                tempfile.TemporaryDirectory(prefix="halves-") as scratch,
                ThreadPoolExecutor(max_workers=2) as loads,
            ):
                cutter = _Cutter(archive, entry, set(others), Path(scratch), index, loads)
                return cutter.run()
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile, zlib.error):
        return None
    except fastexcel.FastExcelError:
        return None


def lone_sheet(path: Path) -> bool:
    """Whether ``path`` is an .xlsx workbook of one sheet (False when it cannot tell)."""
    if path.suffix.lower() not in _SUFFIXES:
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return len(sheet_entries(archive)) == 1
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile):
        return False


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class _Cutter:
    """One pass over a sheet's XML: inflate, look for formulas, write the halves."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        entry: str,
        skipped: set[str],
        scratch: Path,
        index: int,
        loads: ThreadPoolExecutor,
    ) -> None:
        self.archive = archive
        self.entry = entry
        self.skipped = skipped
        self.scratch = scratch
        self.index = index
        self.loads = loads
        self.finder = FormulaFinder()
        self.target = int(archive.getinfo(entry).file_size * FIRST_SHARE)
        self.parts: list[Future[Load]] = []
        self.first_row: int | None = None
        """The number of the second half's first row (None: not cut)."""

    def run(self) -> Halves | None:
        with self.archive.open(self.entry) as stream:
            first = stream.read(CHUNK_BYTES)
            self.finder.feed(first)
            prefix = self.finder.prefix
            if prefix is None:
                return None
            opening = re.search(b"<" + re.escape(prefix) + rb"sheetData\s*>", first)
            if opening is None or b"<!" in first[: opening.start()]:
                return None  # not found, or perhaps found inside a comment
            head = first[: opening.end()]
            tail = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
            row_start = re.compile(b"<" + re.escape(prefix) + rb"row[\s>/]")
            row_number = re.compile(rb'\sr\s*=\s*"([0-9]{1,7})"')
            out, writer = self._part(1)
            read = 0  # bytes of the XML before ``chunk``
            chunk, body = first, opening.end()  # where the rows begin in ``chunk``
            sure = True  # no comment, CDATA or processing instruction seen so far
            last = b""
            while chunk:
                if sure and self.first_row is None and read + len(chunk) > self.target:
                    found = row_start.search(
                        chunk, max(body, self.target - read), len(chunk) - _ROW_TAG_BYTES
                    )
                    # A tag cut off by the chunk's end waits for the next chunk's rows.
                    if found is not None and chunk.find(b">", found.start()) >= 0:
                        cut = found.start()
                        tag = chunk[cut : chunk.find(b">", cut) + 1]
                        number = row_number.search(tag)
                        if _unsure(last, chunk, body, cut) or number is None:
                            sure = False
                        else:
                            writer.write(memoryview(chunk)[:cut])
                            writer.write(tail)
                            self._close(out, writer, 1)
                            self.first_row = int(number.group(1))
                            out, writer = self._part(2)
                            writer.write(head)
                            chunk, body = chunk[cut:], 0
                if sure and self.first_row is None:
                    sure = not _unsure(last, chunk, body, len(chunk))
                writer.write(chunk)
                read += len(chunk)
                last = chunk[-1:]
                chunk, body = stream.read(CHUNK_BYTES), 0
                if chunk:
                    self.finder.feed(chunk)
            self._close(out, writer, len(self.parts) + 1)
        return self._joined()

    def _part(self, number: int) -> tuple[zipfile.ZipFile, IO[bytes]]:
        """A new half: the workbook's other parts copied, the sheet's stream open."""
        out = zipfile.ZipFile(self.scratch / f"{number}.xlsx", "w", zipfile.ZIP_STORED)
        for name in self.archive.namelist():
            if name != self.entry and name not in self.skipped:
                out.writestr(name, self.archive.read(name))
        return out, out.open(self.entry, "w", force_zip64=True)

    def _close(self, out: zipfile.ZipFile, writer: IO[bytes], number: int) -> None:
        writer.close()
        out.close()
        self.parts.append(self.loads.submit(_load, self.scratch / f"{number}.xlsx", self.index))

    def _joined(self) -> Halves | None:
        loaded = [part.result() for part in self.parts]
        name, visible, cells = loaded[0]
        if self.first_row is not None:
            joined = _joined(cells, loaded[1][2], self.first_row)
            if joined is None:
                return None
            cells = joined
        if self.first_row is not None:
            logger.info("sheet %s read in two halves, the second from row %d", name, self.first_row)
        return Halves(name, visible, cells, self.finder.found, self.first_row)


def _load(path: Path, index: int) -> Load:
    sheet = fastexcel.read_excel(str(path)).load_sheet(
        index, header_row=None, skip_rows=0, dtypes="string"
    )
    # Only the converted cells are kept: calamine's copy goes with the sheet.
    return sheet.name, sheet.visible == "visible", lettered(sheet)


def _unsure(before: bytes, chunk: bytes, start: int, end: int) -> bool:
    """Whether rows' XML (``chunk`` from ``start`` to ``end``; ``before`` is the byte just
    before ``start``, if any) holds a comment, CDATA section or processing instruction
    (``<!``, ``<?``), in which ``<row`` need not be a tag.

    "<" is in every tag, "!" and "?" are rare: looking for those first is many times faster.
    """
    for mark in b"!?":
        at = chunk.find(mark, start, end)
        while at >= 0:
            opened = chunk[at - 1] if at > start else (before[-1] if before else None)
            if opened == ord("<"):
                return True
            at = chunk.find(mark, at + 1, end)
    return False


def _joined(first: pl.DataFrame, second: pl.DataFrame, first_row: int) -> pl.DataFrame | None:
    """The two halves' grids as one, as a whole read has it; None when the halves overlap
    (rows out of order in the XML)."""
    before = first_row - 1
    if first.height > before:
        return None  # the first half reaches past the cut
    lead = second.head(before)
    if any(column.null_count() != lead.height for column in lead.get_columns()):
        return None  # the second half holds rows from before the cut
    rest = second.slice(before)
    if rest.height == 0 or rest.width == 0:
        return first
    positions = [column_position(label) for label in (*first.columns, *rest.columns)]
    labels = [column_letters(at) for at in range(min(positions), max(positions) + 1)]
    return pl.concat(
        [_fitted(first, labels, before), _fitted(rest, labels, rest.height)], rechunk=False
    )


def _fitted(frame: pl.DataFrame, labels: list[str], height: int) -> pl.DataFrame:
    """``frame`` with exactly the columns ``labels`` (those it lacks empty), and empty rows
    added up to ``height``."""
    columns = []
    for label in labels:
        column = (
            frame.get_column(label) if label in frame.columns else pl.Series(label, [], pl.String)
        )
        if column.len() < height:
            column = column.extend_constant(None, height - column.len())
        columns.append(column)
    return pl.DataFrame(columns)
