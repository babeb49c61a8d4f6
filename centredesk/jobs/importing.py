"""Import a spreadsheet: read, validate, and write everything in one transaction.

Rows with errors are not loaded but kept, with their issues and their cells exactly as read,
so nothing is lost: ``accepted + rejected == rows read`` always holds (the store checks it
again before it writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from centredesk.dates import UK_DATE_TIME
from centredesk.errors import UserError
from centredesk.io.reader import file_sha256
from centredesk.jobs.checked_file import CheckedFile, read_and_validate
from centredesk.jobs.progress import NO_PROGRESS, Progress
from centredesk.jobs.roles import require
from centredesk.store import Store
from centredesk.store.records import ImportMeta
from centredesk.validation.fields import Kind


class AlreadyImportedError(UserError):
    """The same file content was imported before."""


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did (or, for a dry run, would do)."""

    checked: CheckedFile
    import_id: int | None
    """None for a dry run: nothing was written."""
    batch_number: str | None
    """The batch label given to the loaded learner rows that had none; None when every
    row had one (or for other kinds)."""

    @property
    def accepted(self) -> int:
        return self.checked.accepted

    @property
    def rejected(self) -> int:
        return self.checked.rejected

    @property
    def already(self) -> int:
        """Rows the store held already: accepted, not loaded again."""
        return self.checked.already

    @property
    def loaded(self) -> int:
        """Rows this import wrote (or would write)."""
        return self.checked.to_load


def import_file(
    path: str | Path,
    store: Store | None,
    *,
    kind: Kind | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    today: date | None = None,
    progress: Progress = NO_PROGRESS,
) -> ImportOutcome:
    """Import ``path`` into ``store``; with ``dry_run`` validate and report only.

    ``store`` may be None only for a dry run (validating against an empty store).
    """
    path = Path(path)
    started = datetime.now()
    today = today or started.date()
    sha256 = file_sha256(path)
    if store is not None and not dry_run:
        require(store, "import")
    if store is not None and not dry_run and not force:
        previous = store.imports.find_by_sha256(sha256)
        if previous is not None:
            raise AlreadyImportedError(
                f"{path.name} was already imported (import {previous.import_id}, "
                f"{previous.finished_at:{UK_DATE_TIME}}, as {previous.file_name}); "
                "use --force to import it again"
            )
    checked = read_and_validate(
        path, kind=kind, sheet=sheet, store=store, today=today, progress=progress
    )
    if dry_run or store is None:
        return ImportOutcome(checked, None, None)

    rejected_rows = checked.validated.rejected_row_numbers()
    parsed = checked.validated.parsed
    already = checked.already_loaded.get_column("row")
    accepted = parsed.filter(
        ~pl.col("row").is_in(rejected_rows.implode()) & ~pl.col("row").is_in(already.implode())
    )
    batch_number: str | None = None
    if checked.sheet.kind == "learners":
        # Validation has filled in the registration date; the batch is the import's to give,
        # and only to rows that gave none.
        labels = accepted.get_column("batch_number")
        if labels.null_count():
            batch_number = store.imports.next_batch_number(labels)
            accepted = accepted.with_columns(pl.col("batch_number").fill_null(batch_number))
    cells = checked.sheet.cells
    rejected = cells.filter(pl.col("row").is_in(rejected_rows.implode())).select(
        "row", pl.struct(pl.exclude("row")).struct.json_encode().alias("cells")
    )
    other_cells = _other_cells(checked, accepted.get_column("row"))
    progress.step("writing", 0, accepted.height)
    meta = ImportMeta(
        file_name=path.name,
        sha256=sha256,
        kind=checked.sheet.kind,
        sheet=checked.sheet.sheet,
        rows_read=checked.rows,
        os_user=store.acting_user,
        started_at=started,
        finished_at=datetime.now(),
        rows_already_loaded=checked.already,
    )
    loads = loads_rejected(store, path.name, checked, accepted.get_column("row"))
    import_id = store.imports.record(
        meta, accepted, checked.validated.issues, rejected, other_cells, loads_rejected=loads
    )
    progress.report("writing", accepted.height, accepted.height)
    return ImportOutcome(checked, import_id, batch_number)


def _other_cells(checked: CheckedFile, loaded: pl.Series) -> pl.DataFrame:
    """The cells of the columns no field reads, for each loaded row that has any (as JSON)."""
    ignored = checked.sheet.ignored
    if not ignored:
        return pl.DataFrame(schema={"row": pl.Int64, "cells": pl.String})
    return checked.sheet.cells.filter(
        pl.col("row").is_in(loaded.implode()) & pl.any_horizontal(pl.col(ignored).is_not_null())
    ).select("row", pl.struct(ignored).struct.json_encode().alias("cells"))


def loads_rejected(
    store: Store, file_name: str, checked: CheckedFile, loading: pl.Series
) -> pl.DataFrame:
    """Rows rejected by earlier imports of this file that this import now loads.

    The earlier imports are those that loaded the rows found already there (a fix list or
    a corrected file repeats them) and earlier imports of a file of the same name. A fix
    list keeps every row where the file had it, so a rejected row and its fixed version
    share their row number.
    """
    origins = set(checked.already_loaded.get_column("import_id").drop_nulls().to_list())
    origins |= {
        summary.import_id
        for summary in store.imports.summaries()
        if summary.file_name == file_name and summary.rolled_back_by is None
    }
    if not origins or loading.len() == 0:
        return pl.DataFrame(schema={"import_id": pl.Int64, "row": pl.Int64})
    open_rows = store.imports.open_rejected_rows(sorted(origins))
    return open_rows.filter(pl.col("row").is_in(loading.cast(pl.Int64).implode()))
