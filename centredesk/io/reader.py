"""Read one sheet of an upload into text cells, mapped to the fields of its kind.

This is what the import and validate jobs call. The file's limits are checked before any
parser runs (:mod:`centredesk.io.limits`); every cell arrives as the text the user typed
(:mod:`centredesk.io.sheets`, :mod:`centredesk.io.delimited`); the header row, column
names and kind come from :mod:`centredesk.io.headers`, and what the columns hold is looked
at in :mod:`centredesk.io.columns`. No row is lost: blank rows below the header are skipped
and counted, and every other row keeps the number the user sees. Whatever the reader
decides on the user's behalf (which of two columns, a column it does not read that looks
like one it would) is said in a note.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path

import fastexcel
import polars as pl

from centredesk.io import limits
from centredesk.io.columns import Columns, look_alike_notes
from centredesk.io.delimited import read_delimited
from centredesk.io.errors import HeaderError, InputError
from centredesk.io.headers import (
    HEADER_SEARCH_ROWS,
    best_fit,
    choose_kind,
    find_header_row,
    name_headers,
    needed_columns,
)
from centredesk.io.sheet_halves import Halves, lone_sheet, read_in_halves
from centredesk.io.sheet_xml import FormulaCells, uncalculated_formulas
from centredesk.io.sheets import (
    Grid,
    dates_from_numbers,
    finish_grid,
    load_grid,
    open_workbook,
    sheet_names,
)
from centredesk.io.status_column import STATUS_HEADER, status_words
from centredesk.validation.fields import SCHEMAS, Kind

HASH_CHUNK_BYTES = 1024 * 1024
_FORMULA_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass(frozen=True)
class SheetData:
    """One sheet of an upload, read as text and mapped to the fields of its kind.

    Plain data only (frames, texts, numbers, lists and dicts), so it can cross a process
    boundary as Arrow and JSON.
    """

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
    """Headers whose columns are not read as a field (their cells stay in ``cells``)."""
    blank_rows: int
    """Fully blank rows below the header that were skipped."""
    cells: pl.DataFrame
    """"row" (Int64, the row number the user sees) + one String column per header, named
    by the header text, in file order; empty cells are null. A number in a date column is
    written as the date it counts (ISO), as a date cell is."""
    notes: list[str] = field(default_factory=list)
    """What the reader decided or noticed, once per file, for the user to read."""
    sheets: list[str] = field(default_factory=list)
    """Every worksheet of the workbook, in workbook order (empty for delimited text)."""
    uncalculated: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={"row": pl.Int64, "header": pl.String})
    )
    """Cells holding a formula whose value was never calculated (read as empty): "row" and
    the "header" of the column."""
    fix_list: bool = False
    """True when the sheet is a fix list centredesk wrote (it ends with its status column,
    which is not read)."""

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

    def uncalculated_fields(self) -> pl.DataFrame:
        """ "row" and "field" of the uncalculated formula cells in columns read as a field."""
        by_header = {header: name for name, header in self.mapping.items()}
        return self.uncalculated.filter(
            pl.col("header").is_in(pl.Series(list(by_header), dtype=pl.String).implode())
        ).select("row", pl.col("header").replace_strict(by_header).alias("field"))


def read_sheet(
    path: str | Path,
    *,
    kind: Kind | None = None,
    sheet: str | None = None,
    columns: Mapping[str, str | None] | None = None,
) -> SheetData:
    """Read one sheet of a workbook or delimited text file, every cell as text.

    ``sheet`` is a worksheet name or a 1-based position; by default the visible sheet whose
    header names the most fields and has rows beneath it. ``kind`` is inferred from the
    headers when None. ``columns`` maps headers to the field each is to be read as (None:
    not read), over what the headers say; it needs ``kind``. Raises InputError for a file we
    cannot or will not read (or a sheet with headers but no rows) and HeaderError when no
    header, no clear kind or sheet, or a required column is missing.
    """
    path = Path(path)
    limits.check_file(path)
    if path.suffix.lower() in limits.TEXT_SUFFIXES:
        if sheet is not None:
            raise InputError(f"{path.name}: a {path.suffix} file has no sheets; leave out --sheet")
        cells = read_delimited(path)
        header_index = _header_index(path.name, "", cells, kind)
        return _sheet_data(_Source(path), None, cells, header_index, kind, columns)
    return _read_workbook(path, kind, sheet, columns)


@dataclass(frozen=True)
class _Source:
    """Where a sheet's cells came from, for the second looks some columns need."""

    path: Path
    workbook: fastexcel.ExcelReader | None = None
    grid: Grid | None = None
    formulas: Future[FormulaCells] | None = None


@dataclass(frozen=True)
class _Look:
    """What one sheet holds: its header row (if any), how well it fits, rows beneath."""

    grid: Grid
    header_index: int | None
    """0-based index of the header row in the grid; None when the sheet has none."""
    fields: int = 0
    complete: bool = False
    kind: Kind | None = None

    @cached_property
    def rows(self) -> int:
        """Rows below the header with a cell that is not blank.

        A pass over every cell, so it is counted only where sheets are compared or
        described; a workbook with one sheet to read never needs it (reading the sheet
        finds its rows, and says so when there are none).
        """
        if self.header_index is None:
            return 0
        below = self.grid.cells.slice(self.header_index + 1).drop("row")
        if not below.width or not below.height:
            return 0
        filled = pl.any_horizontal(pl.all().str.strip_chars() != "").fill_null(False)
        return int(below.select(filled.sum()).item())

    def rank(self) -> tuple[bool, bool, int]:
        return (self.rows > 0, self.complete, self.fields)

    def described(self) -> str:
        """What the sheet holds, for a message listing the sheets."""
        if self.header_index is None:
            return f"{self.grid.sheet} (no header row)"
        rows = f"{self.rows:,} row{'s' * (self.rows != 1)}" if self.rows else "no rows"
        return (
            f"{self.grid.sheet} (header on row {self.header_index + 1} naming {self.fields} "
            f"{self.kind} column{'s' * (self.fields != 1)}, {rows} below it)"
        )


def _read_workbook(
    path: Path, kind: Kind | None, sheet: str | None, columns: Mapping[str, str | None] | None
) -> SheetData:
    with ThreadPoolExecutor(max_workers=1) as scans, ThreadPoolExecutor(max_workers=1) as ahead:
        # A workbook's only sheet, when big, is cut in halves and read while calamine opens
        # the workbook (reading all its shared strings: half a second at a million rows).
        lone = sheet is None and lone_sheet(path)
        early = ahead.submit(read_in_halves, path, 0) if lone else None
        workbook = open_workbook(path)
        names = sheet_names(workbook)
        if not names:
            raise InputError(f"{path.name}: the workbook has no sheets")

        # The formula scan reads the sheet's XML while calamine parses it (calamine lets
        # go of the GIL), so on two cores it adds little time.
        def scan(index: int) -> Future[FormulaCells] | None:
            if path.suffix.lower() not in _FORMULA_SUFFIXES:
                return None
            return scans.submit(uncalculated_formulas, path, index)

        def halves(index: int) -> Halves | None:
            if early is not None and index == 0:
                return early.result()
            return read_in_halves(path, index)

        load = partial(_load, path, workbook, scan=scan, halves=halves)
        if sheet is not None:
            index = _sheet_index(path.name, names, sheet)
            grid, formulas = load(index)
            if grid.cells.width <= 1 or grid.cells.height == 0:
                raise InputError(f"{path.name}, sheet {grid.sheet}: the sheet is empty")
            header_index = _header_index(path.name, f", sheet {grid.sheet}", grid.cells, kind)
        else:
            grid, header_index, formulas = _choose_sheet(path, len(names), kind, load)
        source = _Source(path, workbook, grid, formulas)
        data = _sheet_data(source, grid.sheet, grid.cells, header_index, kind, columns)
        return replace(data, sheets=names)


Scan = Callable[[int], "Future[FormulaCells] | None"]
Load = Callable[[int], "tuple[Grid, Future[FormulaCells] | None]"]


def _choose_sheet(
    path: Path, sheets: int, kind: Kind | None, load: Load
) -> tuple[Grid, int, Future[FormulaCells] | None]:
    """The visible sheet whose header fits best and has rows beneath it.

    An instructions sheet that happens to name a few fields loses to the data sheet. Two
    sheets that fit equally well are not guessed between: the user names one. Only the
    best sheet so far is kept in memory.
    """
    # Sheets no longer the best: (position, rank, description), taken before letting go of
    # their grids. The best's own rank is taken only once a second sheet competes with it.
    seen: list[tuple[int, tuple[bool, bool, int], str]] = []
    best: _Look | None = None
    best_scan: Future[FormulaCells] | None = None
    for index in range(sheets):
        grid, formulas = load(index)
        if not grid.visible or grid.cells.width <= 1 or grid.cells.height == 0:
            if formulas is not None:
                formulas.cancel()
            continue
        look = _look(grid, kind)
        if best is None or look.rank() > best.rank():
            if best is not None:
                seen.append((best.grid.index, best.rank(), best.described()))
            if best_scan is not None:
                best_scan.cancel()
            best, best_scan = look, formulas
        else:
            seen.append((look.grid.index, look.rank(), look.described()))
            if formulas is not None:
                formulas.cancel()
    if best is None:
        raise InputError(
            f"{path.name}: no visible sheet has any cells (empty, or images and charts only)"
        )
    chosen = best

    def found() -> str:
        looked = sorted([*seen, (chosen.grid.index, chosen.rank(), chosen.described())])
        return "sheets: " + ", ".join(described for _, _, described in looked)

    if best.header_index is None and kind is not None:
        # No header of the kind asked for: perhaps the sheet is another kind.
        _header_index(path.name, f", sheet {best.grid.sheet}", best.grid.cells, kind)
    if best.header_index is None:
        raise HeaderError(
            f"{path.name}: no sheet has a recognisable header row in its first "
            f"{HEADER_SEARCH_ROWS} rows ({found()}); check the column headers, or name the "
            "sheet with --sheet"
        )
    if seen and best.rows and any(rank == best.rank() for _, rank, _ in seen):
        raise HeaderError(
            f"{path.name}: more than one sheet could hold the data ({found()}); name the one "
            "to read with --sheet"
        )
    if seen and not best.rows:
        raise _no_rows(path.name, f", sheet {best.grid.sheet}")
    return best.grid, best.header_index, best_scan


def _load(
    path: Path,
    workbook: fastexcel.ExcelReader,
    index: int,
    *,
    scan: Scan,
    halves: Callable[[int], Halves | None],
) -> tuple[Grid, Future[FormulaCells] | None]:
    """One sheet's grid, and its formula cells saved without a value (as they are found).

    A big sheet is read in two halves at once, which finds its formula cells on the way
    (:mod:`centredesk.io.sheet_halves`); any other is read whole, and scanned for formulas
    meanwhile.
    """
    read = halves(index)
    if read is None:
        formulas = scan(index)
        return load_grid(path, workbook, index), formulas
    found: Future[FormulaCells] = Future()
    found.set_result(read.formulas)
    grid = finish_grid(path, workbook, index, read.name, read.visible, read.cells)
    return grid, found


def _look(grid: Grid, kind: Kind | None) -> _Look:
    first = _first_rows(grid.cells)
    header_index = find_header_row(first, kind)
    if header_index is None:
        return _Look(grid, None)
    fit = best_fit(first[header_index], kind)
    return _Look(grid, header_index, fit.fields, fit.complete, fit.kind)


def _header_index(file_name: str, where: str, cells: pl.DataFrame, kind: Kind | None) -> int:
    """The header row of a sheet, or a HeaderError saying what the sheet looks like."""
    first = _first_rows(cells)
    header_index = find_header_row(first, kind)
    if header_index is not None:
        return header_index
    other = find_header_row(first, None) if kind is not None else None
    if kind is not None and other is not None:
        fit = best_fit(first[other], None)
        raise HeaderError(
            f"{file_name}{where}: the headers look like a {fit.kind} sheet, not {kind}; "
            f"a {kind} sheet needs the columns {needed_columns(kind)} (leave out --kind, "
            f"or give --kind {fit.kind})"
        )
    raise HeaderError(
        f"{file_name}{where}: no recognisable header row in the first {HEADER_SEARCH_ROWS} "
        "rows; the first row must name the columns (e.g. Centre Number, Product Code, "
        "Forename, Surname, Date of Birth)"
    )


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


def _no_rows(file_name: str, where: str) -> InputError:
    return InputError(
        f"{file_name}{where}: the sheet has headers but no rows; fill in the rows below the "
        "header (or choose another sheet with --sheet)"
    )


def _sheet_data(
    source: _Source,
    sheet: str | None,
    grid: pl.DataFrame,
    header_index: int,
    kind: Kind | None,
    chosen: Mapping[str, str | None] | None = None,
) -> SheetData:
    file_name = source.path.name
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
    body = body.select(["row", *kept]).rename(dict(zip(kept, headers, strict=True)))
    ours = _fix_list_status(body, headers)
    if ours is not None:
        # The status column a fix list ends with is centredesk's own, not the centre's data.
        kept, headers = kept[:-1], headers[:-1]
        body = body.drop(ours)
    blank = pl.all_horizontal(
        pl.col(header).is_null() | (pl.col(header).str.strip_chars() == "") for header in headers
    )
    data = body.filter(~blank) if kept else body.clear()
    if data.height == 0:
        raise _no_rows(file_name, where)
    columns = Columns(data)
    choice = choose_kind(
        headers, kind, file_name=file_name, where=where, columns=columns, chosen=chosen
    )
    letters = dict(zip(headers, kept, strict=True))
    data = _dates_as_dates(source, data, choice.kind, choice.mapping, letters)
    notes = list(choice.notes)
    uncalculated = _uncalculated(source, data, letters)
    notes += _formula_notes(uncalculated, choice.ignored)
    notes += look_alike_notes(Columns(data), choice.kind, choice.mapping, choice.ignored)
    skipped = body.height - data.height
    if skipped:
        notes.append(f"{skipped:,} blank row{'s' * (skipped != 1)} below the header skipped")
    return SheetData(
        file_name=file_name,
        sheet=sheet,
        kind=choice.kind,
        kind_inferred=choice.inferred,
        header_row=int(header_cells["row"]),
        headers=headers,
        mapping=choice.mapping,
        ignored=choice.ignored,
        blank_rows=skipped,
        cells=data,
        notes=notes,
        uncalculated=uncalculated,
        fix_list=ours is not None,
    )


def _fix_list_status(body: pl.DataFrame, headers: list[str]) -> str | None:
    """The header of a fix list's own status column, when the sheet ends with one: headed
    as the fix list heads it and holding only the words it writes there."""
    if not headers or not re.fullmatch(re.escape(STATUS_HEADER) + r"( \(fix list\))*", headers[-1]):
        return None
    words = {*status_words(True).values(), *status_words(False).values()}
    said = body.get_column(headers[-1]).drop_nulls().str.strip_chars()
    return headers[-1] if said.is_in(list(words)).all() else None


def _dates_as_dates(
    source: _Source,
    data: pl.DataFrame,
    kind: Kind,
    mapping: dict[str, str],
    letters: dict[str, str],
) -> pl.DataFrame:
    """Numbers in the date columns of a workbook written as the dates they count."""
    if source.workbook is None or source.grid is None:
        return data  # delimited text: every cell is text, none a date serial
    dated = [mapping[spec.name] for spec in SCHEMAS[kind] if spec.type == "date"
             and spec.name in mapping]  # fmt: skip
    by_letter = {letters[header]: header for header in dated}
    rewritten = dates_from_numbers(
        source.path, source.workbook, source.grid, list(by_letter), data.get_column("row")
    )
    if not rewritten:
        return data
    return data.with_columns(column.alias(by_letter[label]) for label, column in rewritten.items())


def _uncalculated(source: _Source, data: pl.DataFrame, letters: dict[str, str]) -> pl.DataFrame:
    """The data rows' cells that hold a formula never calculated, by header."""
    empty = pl.DataFrame(schema={"row": pl.Int64, "header": pl.String})
    if source.formulas is None:
        return empty
    found = source.formulas.result()
    if not found.rows:
        return empty
    headers = {letter: header for header, letter in letters.items()}
    cells = pl.DataFrame(
        {"row": found.rows, "letters": found.columns},
        schema={"row": pl.Int64, "letters": pl.String},
    )
    return (
        cells.filter(
            pl.col("letters").is_in(pl.Series(list(headers), dtype=pl.String).implode())
            & pl.col("row").is_in(data.get_column("row").implode())
        )
        .select("row", pl.col("letters").replace_strict(headers).alias("header"))
        .sort("row", "header")
    )


def _formula_notes(uncalculated: pl.DataFrame, ignored: list[str]) -> list[str]:
    """A note for formula cells in columns not read, whose values are lost all the same."""
    unread = uncalculated.filter(
        pl.col("header").is_in(pl.Series(ignored, dtype=pl.String).implode())
    )
    if not unread.height:
        return []
    first_row, first_header = unread.row(0)
    return [
        f"{unread.height:,} cell{'s' * (unread.height != 1)} of columns not read (first: row "
        f'{first_row}, "{first_header}") hold formulas whose values were never calculated; '
        "open the file in Excel and save it to keep their values"
    ]


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of the file's bytes, read in chunks so a big file costs no memory."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
