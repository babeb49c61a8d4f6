"""The xlsx package: xlsxwriter's parts with the big sheets' rows put in their place.

xlsxwriter writes everything that is small and fiddly (styles, headers, widths, frozen panes,
autofilters, charts, comments, data validation, page set-up), in memory. The rows of a table
sheet are built elsewhere as XML (:mod:`centredesk.io.sheet_rows`) and spooled to an unnamed
temporary file as they come, so a million rows never sit in memory. When the workbook is
complete, each table sheet's part is written with its spooled rows inside ``<sheetData>``
and its ``<dimension>`` covering them; every other part is copied as it is.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, BinaryIO

_COPY_BYTES = 1024 * 1024
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
ROWS_LEVEL = 1
"""Deflate level of the sheets with spooled rows. Level 6 (zip's default) spent more time
compressing a million rows than building them, for a file about a fifth smaller."""
PARTS_LEVEL = 6
_ZIP64_LIMIT = (1 << 31) - 1
"""Where zipfile needs a part's zip64 header (it checks the size it is told, plus 5 %)."""


class RowSpool:
    """The XML rows of one sheet, in an unnamed temporary file beside the workbook.

    Unnamed, so that nothing is left behind whatever happens to the process.
    """

    def __init__(self, folder: Path) -> None:
        # Kept open for the life of the spool; closing it removes it.
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self.size = 0

    def write(self, xml: bytes) -> None:
        self._file.write(xml)
        self.size += len(xml)

    def copy_to(self, target: IO[bytes]) -> None:
        self._file.flush()
        self._file.seek(0)
        shutil.copyfileobj(self._file, target, _COPY_BYTES)

    def close(self) -> None:
        self._file.close()


class SheetRows:
    """What goes into one table sheet's part: its spooled rows and the range they cover."""

    def __init__(self, spool: RowSpool, dimension: str) -> None:
        self.spool = spool
        self.dimension = dimension


def write_package(parts: bytes, target: BinaryIO, sheets: Mapping[str, SheetRows]) -> None:
    """Write the xlsx to ``target``: the parts of ``parts`` (a zip from xlsxwriter), with
    the rows of ``sheets`` (part name -> rows) spliced into their worksheets."""
    with (
        zipfile.ZipFile(io.BytesIO(parts)) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=ROWS_LEVEL) as package,
    ):
        missing = set(sheets) - set(source.namelist())
        if missing:
            raise RuntimeError(f"the workbook has no part {sorted(missing)[0]}")
        for info in source.infolist():
            data = source.read(info)
            rows = sheets.get(info.filename)
            if rows is None:
                # Parts keep xlsxwriter's fixed time (ZipInfo's default), so runs compare.
                package.writestr(zipfile.ZipInfo(info.filename), data, compresslevel=PARTS_LEVEL)
                continue
            head, tail = _split(data, rows.dimension)
            size = len(head) + rows.spool.size + len(tail)
            # Opened by name, so the package's (faster) level applies; a sheet past 2 GB
            # needs its zip64 header written up front.
            big = size * 1.05 > _ZIP64_LIMIT
            with package.open(info.filename, "w", force_zip64=big) as stream:
                stream.write(head)
                rows.spool.copy_to(stream)
                stream.write(tail)


def _split(sheet: bytes, dimension: str) -> tuple[bytes, bytes]:
    """The worksheet XML before and after the place its rows go."""
    sheet = _DIMENSION.sub(f'<dimension ref="{dimension}"/>'.encode(), sheet, count=1)
    end = sheet.find(b"</sheetData>")
    if end >= 0:
        return sheet[:end], sheet[end:]
    empty = sheet.find(b"<sheetData/>")
    if empty < 0:
        raise RuntimeError("the worksheet has no <sheetData> to put rows in")
    return sheet[:empty] + b"<sheetData>", b"</sheetData>" + sheet[empty + len(b"<sheetData/>") :]
