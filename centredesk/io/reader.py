"""Read one sheet of an upload into text cells, mapped to the fields of its kind.

This is what the import and validate jobs call. The file's limits are checked before any
parser runs (:mod:`centredesk.io.limits`); every cell arrives as the text the user typed
(:mod:`centredesk.io.sheets`, :mod:`centredesk.io.delimited`); the header row, column
names and kind come from :mod:`centredesk.io.headers`. No row is lost: blank rows below the
header are skipped and counted, and every other row keeps the number the user sees.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from centredesk.io import limits
from centredesk.io.delimited import read_delimited
from centredesk.io.errors import HeaderError, InputError
from centredesk.io.headers import (
    HEADER_SEARCH_ROWS,
    choose_kind,
    find_header_row,
    name_headers,
)
from centredesk.io.sheets import Grid, load_grid, open_workbook, sheet_names
from centredesk.validation.fields import SCHEMAS, Kind

HASH_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class SheetData:
    """One sheet of an upload, read as text and mapped to the fields of its kind."""

    file_name: str
    """Base name of the file."""
    sheet: str | None
    """Worksheet name; None for csv/tsv/txt."""
    kind: Kind
    kind_inferred: bool
    """True when the kind was inferred from the headers rather than given."""
    header_row: int
    """1-based row (CSV: line) number of the header."""
    headers: list[str]
    """Header texts as written, in file order; blanks named "Column <letter or number>",
    repeats made unique ("Surname (2)")."""
    mapping: dict[str, str]
    """Canonical field name -> header text, for the fields present."""
    ignored: list[str]
    """Headers that name no field of the kind (their columns stay in ``cells``)."""
    blank_rows: int
    """Fully blank rows below the header that were skipped."""
    cells: pl.DataFrame
    """"row" (Int64, the row number the user sees) + one String column per header, named
    by the header text, in file order; empty cells are null."""

    def canonical(self) -> pl.DataFrame:
        """ "row" + one String column per field of the kind, in spec order (absent: null)."""
        return self.cells.select(
            pl.col("row"),
            *(
                pl.col(self.mapping[spec.name]).alias(spec.name)
                if spec.name in self.mapping
                else pl.lit(None, pl.String).alias(spec.name)
                for spec in SCHEMAS[self.kind]
            ),
        )


def read_sheet(
    path: str | Path, *, kind: Kind | None = None, sheet: str | None = None
) -> SheetData:
    """Read one sheet of a workbook or delimited text file, every cell as text.

    ``sheet`` is a worksheet name or a 1-based position; by default the first visible
    sheet with a recognisable header. ``kind`` is inferred from the headers when None.
    Raises InputError for a file we cannot or will not read and HeaderError when no
    header, no clear kind or a required column is missing.
    """
    path = Path(path)
    limits.check_file(path)
    if path.suffix.lower() in limits.TEXT_SUFFIXES:
        if sheet is not None:
            raise InputError(f"{path.name}: a {path.suffix} file has no sheets; leave out --sheet")
        cells = read_delimited(path)
        header_index = find_header_row(_first_rows(cells), kind)
        if header_index is None:
            raise _no_header(path.name, "")
        return _sheet_data(path.name, None, cells, header_index, kind)
    return _read_workbook(path, kind, sheet)


def _read_workbook(path: Path, kind: Kind | None, sheet: str | None) -> SheetData:
    workbook = open_workbook(path)
    names = sheet_names(workbook)
    if not names:
        raise InputError(f"{path.name}: the workbook has no sheets")
    if sheet is not None:
        grid = load_grid(path, workbook, _sheet_index(path.name, names, sheet))
        if grid.cells.width <= 1 or grid.cells.height == 0:
            raise InputError(f"{path.name}, sheet {grid.sheet}: the sheet is empty")
        header_index = find_header_row(_first_rows(grid.cells), kind)
        if header_index is None:
            raise _no_header(path.name, f", sheet {grid.sheet}")
        return _sheet_data(path.name, grid.sheet, grid.cells, header_index, kind)
    looked_at: list[str] = []
    for grid in _visible_grids(path, workbook, names):
        looked_at.append(grid.sheet)
        header_index = find_header_row(_first_rows(grid.cells), kind)
        if header_index is not None:
            return _sheet_data(path.name, grid.sheet, grid.cells, header_index, kind)
    if not looked_at:
        raise InputError(
            f"{path.name}: no visible sheet has any cells (empty, or images and charts only)"
        )
    raise HeaderError(
        f"{path.name}: no sheet has a recognisable header row in its first "
        f"{HEADER_SEARCH_ROWS} rows (sheets: {', '.join(names)}); check the column "
        "headers, or name the sheet with --sheet"
    )


def _visible_grids(path: Path, workbook: fastexcel.ExcelReader, names: list[str]) -> Iterator[Grid]:
    """The visible sheets that hold cells, in workbook order."""
    for index in range(len(names)):
        grid = load_grid(path, workbook, index)
        if grid.visible and grid.cells.width > 1 and grid.cells.height > 0:
            yield grid


def _sheet_index(file_name: str, names: list[str], sheet: str) -> int:
    if sheet in names:
        return names.index(sheet)
    folded = [name.casefold() for name in names]
    if sheet.strip().casefold() in folded:
        return folded.index(sheet.strip().casefold())
    if sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):
        return int(sheet) - 1
    raise HeaderError(
        f"{file_name}: has no sheet {sheet!r}; its sheets are "
        + ", ".join(f"{number} {name!r}" for number, name in enumerate(names, 1))
    )


def _first_rows(cells: pl.DataFrame) -> list[list[str | None]]:
    """The first rows as lists of texts, for the header search (never the whole sheet)."""
    head = cells.head(HEADER_SEARCH_ROWS).drop("row")
    return [list(row) for row in head.iter_rows()]


def _no_header(file_name: str, where: str) -> HeaderError:
    return HeaderError(
        f"{file_name}{where}: no recognisable header row in the first {HEADER_SEARCH_ROWS} "
        "rows; the first row must name the columns (e.g. Centre Number, Product Code, "
        "Forename, Surname, Date of Birth)"
    )


def _sheet_data(
    file_name: str,
    sheet: str | None,
    grid: pl.DataFrame,
    header_index: int,
    kind: Kind | None,
) -> SheetData:
    where = f", sheet {sheet}" if sheet is not None else ""
    labels = [label for label in grid.columns if label != "row"]
    header_cells = grid.row(header_index, named=True)
    body = grid.slice(header_index + 1)
    # A column with neither a header nor any data is formatting, not a column.
    kept = [
        label
        for label in labels
        if (header_cells[label] is not None and header_cells[label].strip())
        or body[label].null_count() < body.height
    ]
    headers = name_headers([header_cells[label] for label in kept], kept)
    choice = choose_kind(headers, kind, file_name=file_name, where=where)
    blank = pl.all_horizontal(
        pl.col(header).is_null() | (pl.col(header).str.strip_chars() == "") for header in headers
    )
    body = body.select(["row", *kept]).rename(dict(zip(kept, headers, strict=True)))
    data = body.filter(~blank) if kept else body.clear()
    return SheetData(
        file_name=file_name,
        sheet=sheet,
        kind=choice.kind,
        kind_inferred=choice.inferred,
        header_row=int(header_cells["row"]),
        headers=headers,
        mapping=choice.mapping,
        ignored=choice.ignored,
        blank_rows=body.height - data.height,
        cells=data,
    )


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of the file's bytes, read in chunks so a big file costs no memory."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
