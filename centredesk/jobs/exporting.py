"""The export use case: filters in, a complete workbook out, written once for CLI and app.

Each export checks that its filters name things the store knows (an unknown product or
centre is a typo, not an empty workbook), streams its query chunk by chunk into the safe
workbook writer, reports progress between chunks, and adds the About sheet last, when the
row count is known. Cancelling or failing part way leaves no file behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from centredesk.errors import UserError
from centredesk.io.exports import (
    SHEET_NAMES,
    ExportKind,
    columns_for,
    prepare_register,
    write_grade_summary,
)
from centredesk.io.workbook import About, SafeWorkbook, TableSheet
from centredesk.jobs.progress import NO_PROGRESS, Progress
from centredesk.store import Store
from centredesk.store.exports import ExportFilters, ExportRows

_NOUNS: dict[ExportKind, str] = {
    "products": "products",
    "results": "results",
    "registrations": "registrations",
    "bookings": "bookings",
    "register": "learners",
}


@dataclass(frozen=True)
class ExportOutcome:
    """What an export wrote: where, how many rows, and how many results were withheld."""

    kind: ExportKind
    path: Path
    rows: int
    withheld: int = 0

    def summary(self) -> str:
        """One line for the terminal or the status bar."""
        line = f"wrote {self.rows:,} {_NOUNS[self.kind]} to {self.path}"
        if self.kind == "results":
            line += f" ({self.withheld:,} withheld until their release date)"
        return line


def export(
    store: Store,
    kind: ExportKind,
    target: str | Path,
    filters: ExportFilters,
    *,
    session: date | None = None,
    force: bool = False,
    today: date | None = None,
    progress: Progress = NO_PROGRESS,
) -> ExportOutcome:
    """Write one export workbook to ``target``; ``session`` is for the register only."""
    _check_filters(store, filters)
    today = today or date.today()
    target = Path(target)
    if kind == "products":
        return _products(store, target, filters, force, progress)
    if kind == "results":
        return _results(store, target, filters, today, force, progress)
    if kind == "register":
        if filters.product is None or session is None:
            raise UserError("the register needs a product code and a session date")
        return _register(store, target, filters, session, force, progress)
    exports = store.exports
    query = exports.registrations(filters) if kind == "registrations" else exports.bookings(filters)
    descriptions = {
        "registrations": "Registrations: learners on products, with batch, date and status.",
        "bookings": "Bookings: learners entered for assessment sittings, with status.",
    }
    with SafeWorkbook(target, force=force) as book:
        table = book.add_table(SHEET_NAMES[kind], columns_for(kind))
        _stream(query, table, progress)
        book.add_about(About(kind.capitalize(), descriptions[kind], filters.applied(), table.rows))
    return ExportOutcome(kind, target, table.rows)


def _check_filters(store: Store, filters: ExportFilters) -> None:
    if filters.product is not None and store.exports.find_product(filters.product) is None:
        raise UserError(
            f"product {filters.product} is not in the catalogue: check the code "
            "(603/0862/X or 6030862X), or import the catalogue first"
        )
    if filters.centre is not None and not store.exports.centre_known(filters.centre):
        raise UserError(f"centre {filters.centre} is not in the store: check the centre number")


def _stream(query: ExportRows, table: TableSheet, progress: Progress) -> None:
    """Copy a query's rows into a sheet, a chunk at a time, reporting progress."""
    total = query.count()
    progress.step("exporting", 0, total)
    for chunk in query.chunks():
        table.append(chunk)
        progress.step("exporting", table.rows, total)


def _products(
    store: Store, target: Path, filters: ExportFilters, force: bool, progress: Progress
) -> ExportOutcome:
    with_centre = filters.centre is not None
    description = (
        f"The products centre {filters.centre} is approved to deliver."
        if with_centre
        else "The product catalogue."
    )
    with SafeWorkbook(target, force=force) as book:
        table = book.add_table(
            SHEET_NAMES["products"], columns_for("products", with_approval=with_centre)
        )
        _stream(store.exports.products(filters), table, progress)
        book.add_about(About("Approved products", description, filters.applied(), table.rows))
    return ExportOutcome("products", target, table.rows)


def _results(
    store: Store,
    target: Path,
    filters: ExportFilters,
    today: date,
    force: bool,
    progress: Progress,
) -> ExportOutcome:
    withheld = store.exports.withheld_results(filters, today).count()
    with SafeWorkbook(target, force=force) as book:
        table = book.add_table(SHEET_NAMES["results"], columns_for("results"))
        _stream(store.exports.results(filters, today), table, progress)
        write_grade_summary(book, store.exports.grade_counts(filters, today))
        book.add_about(
            About(
                "Learner results",
                "Results released on or before the date written; results before their "
                "release date are withheld and only counted.",
                filters.applied(),
                table.rows,
                notes=[
                    ("Withheld", f"{withheld:,} results before their release date"),
                    ("Released up to", f"{today:%d/%m/%Y}"),
                ],
            )
        )
    return ExportOutcome("results", target, table.rows, withheld)


def _register(
    store: Store,
    target: Path,
    filters: ExportFilters,
    session: date,
    force: bool,
    progress: Progress,
) -> ExportOutcome:
    assert filters.product is not None
    code, title = store.exports.find_product(filters.product) or (filters.product, "")
    query = store.exports.register(code, session, filters.centre)
    printed = datetime.now().strftime("%d/%m/%Y %H:%M")
    with SafeWorkbook(target, force=force) as book:
        table = book.add_table(SHEET_NAMES["register"], columns_for("register"))
        prepare_register(table, code, title, session, printed)
        _stream(query, table, progress)
        applied = {**filters.applied(), "session": f"{session:%d/%m/%Y}"}
        book.add_about(
            About(
                "Invigilator register",
                f"Paper-based bookings of {code} {title} for the session on "
                f"{session:%d/%m/%Y}; cancelled and transferred bookings are left out.",
                applied,
                table.rows,
            )
        )
    return ExportOutcome("register", target, table.rows)
