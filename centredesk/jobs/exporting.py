"""The export use case: filters in, a complete workbook out, written once for CLI and app.

Each export is an :class:`~centredesk.jobs.export_specs.ExportSpec`. Its filters are read
and checked here (a filter the export does not take, a status it does not know, an unknown
product or centre: each is a typo, not an empty workbook), its query is streamed chunk by
chunk into the safe workbook writer with progress between chunks, and the About sheet is
added last, when the row count is known. Cancelling or failing part way leaves no file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

import polars as pl

from centredesk.errors import UserError
from centredesk.io.workbook import About, Column, ColumnType, SafeWorkbook, TableSheet
from centredesk.jobs.export_specs import FILTERS, SPECS, ExportRun, Extras
from centredesk.jobs.progress import NO_PROGRESS, Progress
from centredesk.jobs.roles import require
from centredesk.store import Store
from centredesk.store.exports import ExportFilters

assert {f.name for f in fields(ExportFilters)} == set(FILTERS), "a filter per ExportFilters field"


class NothingToExport(UserError):
    """The export would be empty for a reason the user should hear (a register nobody sits)."""


@dataclass(frozen=True)
class ExportOutcome:
    """What an export wrote: where, how many rows, and how many results were withheld."""

    kind: str
    path: Path
    rows: int
    withheld: int | None = None
    """Results matching the filters that are still before their release date."""

    def summary(self) -> str:
        """One line for the terminal or the status bar."""
        noun = SPECS[self.kind].noun if self.kind in SPECS else "rows"
        if self.withheld is None:
            return f"wrote {self.rows:,} {noun} to {self.path}"
        line = f"wrote {self.rows:,} released {noun} to {self.path}; "
        if self.withheld == 0:
            return line + "none are withheld"
        verb = "is" if self.withheld == 1 else "are"
        return line + f"{self.withheld:,} more {verb} withheld until their release date"


def read_filters(kind: str, given: Mapping[str, str]) -> ExportFilters:
    """The filters a user typed (name -> text) for one export, read and checked.

    Raises :class:`UserError` for a filter the export does not take, a value that cannot
    be read, a status the export does not know, or a required filter left out.
    """
    export = SPECS[kind]
    unused = sorted(set(given) - set(export.filters))
    if unused:
        options = ", ".join("--" + name for name in unused)
        raise UserError(f"the {kind} export does not take {options}")
    if any(name not in given for name in export.required):
        needed = " and ".join(f"--{name} {FILTERS[name].metavar}" for name in export.required)
        raise UserError(f"the {kind} export needs {needed}")
    values: dict[str, object] = {}
    for name, text in given.items():
        try:
            values[name] = FILTERS[name].read(text)
        except ValueError as error:
            raise UserError(f"--{name}: {error}") from None
    status = values.get("status")
    if isinstance(status, str) and status.casefold() not in {
        known.casefold() for known in export.statuses
    }:
        raise UserError(
            f"{status!r} is not a {kind.removesuffix('s')} status: use one of "
            + ", ".join(export.statuses)
        )
    return ExportFilters(**values)  # type: ignore[arg-type]


def export(
    store: Store,
    kind: str,
    target: str | Path,
    filters: ExportFilters,
    *,
    force: bool = False,
    today: date | None = None,
    progress: Progress = NO_PROGRESS,
) -> ExportOutcome:
    """Write one export workbook to ``target``."""
    require(store, "export")
    export = SPECS[kind]
    missing = [name for name in export.required if getattr(filters, name) is None]
    if missing:
        raise UserError(f"the {kind} export needs {' and '.join(missing)}")
    run = ExportRun(store, filters, today or date.today(), _known_product(store, filters))
    _check_centre(store, filters)
    query = export.query(store.exports, filters, run.today)
    total = query.count()
    if total == 0 and export.refuse_empty is not None:
        raise NothingToExport(export.refuse_empty(run))
    target = Path(target)
    with SafeWorkbook(target, force=force) as book:
        table = book.add_table(export.sheet, export.columns_for(filters))
        table.check_room(total)
        if export.prepare is not None:
            export.prepare(table, run)
        progress.step("exporting", 0, total)
        for chunk in query.chunks():
            table.append(chunk)
            progress.step("exporting", table.rows, total)
        extras = export.finish(book, run) if export.finish is not None else Extras()
        book.add_about(
            About(
                export.title,
                export.describe(run),
                filters.applied(),
                table.rows,
                notes=extras.notes,
            )  # fmt: skip
        )
    return ExportOutcome(kind, target, table.rows, extras.withheld)


def _known_product(store: Store, filters: ExportFilters) -> tuple[str, str] | None:
    """The filtered product as the catalogue has it; an unknown one is a typo, refused."""
    if filters.product is None:
        return None
    found = store.exports.find_product(filters.product)
    if found is None:
        raise UserError(
            f"product {filters.product} is not in the catalogue: check the code "
            "(603/0862/X or 6030862X), or import the catalogue first"
        )
    return found


def _check_centre(store: Store, filters: ExportFilters) -> None:
    if filters.centre is not None and not store.exports.centre_known(filters.centre):
        raise UserError(f"centre {filters.centre} is not in the store: check the centre number")


VIEW_CHUNK_KEYS = 2_000
"""Rows fetched from the store per chunk of a table's export."""


@dataclass(frozen=True)
class ViewColumn:
    """A column of an app table as its export shows it."""

    name: str
    label: str


def export_view(
    store: Store,
    view: str,
    columns: Sequence[ViewColumn],
    target: str | Path,
    *,
    title: str,
    search: Mapping[str, str] | None = None,
    scope: Mapping[str, object] | None = None,
    sort: str | None = None,
    descending: bool | None = None,
    force: bool = False,
    progress: Progress = NO_PROGRESS,
) -> ExportOutcome:
    """Write the rows of an app table, as searched and sorted there, to ``target``.

    The rows come in the table's own order, a chunk of keys at a time, so the workbook holds
    exactly what the user was looking at, however many rows that is.
    """
    keys = store.browse.row_keys(view, search=search, scope=scope, sort=sort, descending=descending)
    total = len(keys)
    target = Path(target)
    with SafeWorkbook(target, force=force) as book:
        table: TableSheet | None = None
        progress.step("exporting", 0, total)
        for start in range(0, max(total, 1), VIEW_CHUNK_KEYS):
            rows = store.browse.rows(view, keys.slice(start, VIEW_CHUNK_KEYS).to_pylist())
            frame = pl.from_arrow(rows)
            assert isinstance(frame, pl.DataFrame)
            frame = frame.select(column.name for column in columns)
            if table is None:
                table = book.add_table(title, _view_columns(frame, columns))
                table.check_room(total)
            table.append(_cells(frame, table.columns))
            progress.step("exporting", table.rows, total)
        shown = {name: value for name, value in (search or {}).items()}
        if sort:
            shown["sorted by"] = next(
                (column.label for column in columns if column.name == sort), sort
            ) + (" (descending)" if descending else "")
        book.add_about(About(title, f"The {view} table as the app showed it.", shown, total))
    return ExportOutcome(view, target, total)


def _view_columns(frame: pl.DataFrame, columns: Sequence[ViewColumn]) -> list[Column]:
    """Dates stay dates and counts numbers; everything else is written as text."""
    typed: list[Column] = []
    for column in columns:
        dtype = frame.schema[column.name]
        kind: ColumnType = "text"
        if dtype == pl.Date:
            kind = "date"
        elif isinstance(dtype, pl.Datetime):
            kind = "datetime"
        elif dtype.is_integer() and not column.name.endswith(("_number", "_id", "uln")):
            kind = "integer"
        typed.append(Column(column.label, column.name, kind))
    return typed


def _cells(frame: pl.DataFrame, columns: Sequence[Column]) -> pl.DataFrame:
    """Text columns as text: booleans as yes/no and identifiers as digits, as the app shows
    them."""
    texts: list[pl.Expr] = []
    for column in columns:
        if column.type != "text" or frame.schema[column.field] == pl.String:
            continue
        cell = pl.col(column.field)
        if frame.schema[column.field] == pl.Boolean:
            yes_no = pl.when(cell).then(pl.lit("yes")).when(~cell).then(pl.lit("no"))
            texts.append(yes_no.alias(column.field))
        else:
            texts.append(cell.cast(pl.String).alias(column.field))
    return frame.with_columns(texts) if texts else frame


def default_target(
    kind: str, chosen: Mapping[str, str], folder: Path, today: date | None = None
) -> Path:
    """A file name that says what an export holds: ``results-104729-BT17-2026-11-28.xlsx``.

    The values of the filters that pick one centre, batch, product or session go into the
    name; a name already taken in ``folder`` gets a number rather than replacing a file.
    """
    parts = [kind]
    parts.extend(chosen[name] for name in ("centre", "batch", "product", "session")
                 if chosen.get(name))  # fmt: skip
    parts.append((today or date.today()).isoformat())
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", "-".join(parts)).strip("-.")
    target = folder / f"{stem}.xlsx"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"{stem}-{number}.xlsx"
    return target
