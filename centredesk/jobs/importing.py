"""Import a spreadsheet: read, validate, and write everything in one transaction.

Rows with errors are not loaded but kept, with their issues and their cells exactly as read,
so nothing is lost: ``accepted + rejected == rows read`` always holds (the store checks it
again before it writes).

The order is chosen so that a failure never leaves work half done: every output is checked
before anything is read, the file is read in its own process (:mod:`centredesk.io.isolated`)
while this one hashes it and looks for an earlier import of the same content, a fix-list
workbook is written beside its target before the store is touched, and it is moved into
place only once the import has committed.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from centredesk.dates import UK_DATE_TIME
from centredesk.errors import UserError
from centredesk.io.reader import file_sha256
from centredesk.io.workbook import check_target
from centredesk.jobs.checked_file import (
    CheckedFile,
    check_sheet,
    finish_reading,
    reference_for,
    start_reading,
)
from centredesk.jobs.progress import NO_PROGRESS, Progress
from centredesk.jobs.roles import require
from centredesk.jobs.validating import write_report
from centredesk.store import ConcurrentImportError, Store
from centredesk.store.records import ImportMeta, PreviousImport
from centredesk.validation.fields import Kind
from centredesk.validation.subjects import SUBJECT_COLUMNS, with_subjects

CHECKS_AGAINST_OTHER_IMPORTS = 3
"""How many times a file is checked again when other imports keep landing meanwhile."""


class AlreadyImportedError(UserError):
    """The same file content was imported before."""

    def __init__(self, path: Path, previous: PreviousImport) -> None:
        self.previous = previous
        super().__init__(
            f"{path.name} was already imported (import {previous.import_id}, "
            f"{previous.finished_at:{UK_DATE_TIME}}, as {previous.file_name}); "
            "use --force to import it again"
        )


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did (or, for a dry run, would do)."""

    checked: CheckedFile
    import_id: int | None
    """None for a dry run: nothing was written."""
    batch_number: str | None
    """The batch label given to the loaded learner rows that had none; None when every
    row had one (or for other kinds)."""
    report: Path | None = None
    """Where the fix-list workbook went, if one was asked for and written."""
    report_problem: str | None = None
    """Why the fix list, asked for, is not at its target although the import was done."""

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
    columns: Mapping[str, str | None] | None = None,
    dry_run: bool = False,
    force: bool = False,
    report: Path | None = None,
    today: date | None = None,
    progress: Progress = NO_PROGRESS,
) -> ImportOutcome:
    """Import ``path`` into ``store``; with ``dry_run`` validate and report only.

    ``store`` may be None only for a dry run (validating against an empty store).
    ``report`` is where to write the fix-list workbook (``force`` also overwrites it).
    ``columns`` maps headers to the field each is read as, over what the headers say.
    """
    path = Path(path)
    started = datetime.now()
    today = today or started.date()
    if store is not None and not dry_run:
        require(store, "import")
    if report is not None:
        check_report_target(report, force=force)
    progress.step("reading", 0)
    with start_reading(path, kind=kind, sheet=sheet, columns=columns, progress=progress) as reading:
        # While the other process reads: the hash, an earlier import, the store's frames.
        sha256 = file_sha256(path)
        if store is not None and not dry_run and not force:
            refuse_repeat(store, path, sha256)
        reference = reference_for(store, kind) if kind is not None else None
        data = finish_reading(reading)
    checked = check_sheet(
        path, data, store=store, reference=reference, today=today, progress=progress
    )
    if dry_run or store is None:
        written = (
            write_report(checked, report, force=force, progress=progress)
            if report is not None
            else None
        )
        return ImportOutcome(checked, None, None, written)

    pending = _pending_report(checked, report, progress) if report is not None else None
    try:
        for attempt in range(1, CHECKS_AGAINST_OTHER_IMPORTS + 1):
            try:
                import_id, batch_number = _write(
                    store, path, checked, sha256, started, today, progress
                )
                break
            except ConcurrentImportError:
                # Someone else's import landed while this file was checked (a server
                # store): check it again against the store as it is now.
                if attempt == CHECKS_AGAINST_OTHER_IMPORTS:
                    raise
                checked = check_sheet(path, data, store=store, today=today, progress=progress)
                if pending is not None and report is not None:
                    pending.unlink(missing_ok=True)
                    pending = _pending_report(checked, report, progress)
    except BaseException:
        if pending is not None:
            pending.unlink(missing_ok=True)
        raise
    if pending is None or report is None:
        return ImportOutcome(checked, import_id, batch_number)
    problem = _move_into_place(pending, report, force=force)
    return ImportOutcome(checked, import_id, batch_number, None if problem else report, problem)


def refuse_repeat(store: Store, path: Path, sha256: str) -> None:
    """Refuse a file whose content was imported before (the user may force it)."""
    previous = store.imports.find_by_sha256(sha256)
    if previous is not None:
        raise AlreadyImportedError(path, previous)


def write_import(
    store: Store,
    checked: CheckedFile,
    *,
    sha256: str,
    started: datetime,
    progress: Progress = NO_PROGRESS,
) -> ImportOutcome:
    """Write a file already checked into ``store`` (the app's guided import loads this way).

    A cancel that arrives while the rows are written rolls the whole import back: the
    transaction commits only after the last check for it.
    """
    import_id, batch_number = _write(
        store, checked.path, checked, sha256, started, started.date(), progress
    )
    return ImportOutcome(checked, import_id, batch_number)


def check_report_target(report: Path, *, force: bool) -> None:
    """Refuse a fix-list target that cannot be written, before any work is done."""
    check_target(report, force=force)


def _write(
    store: Store,
    path: Path,
    checked: CheckedFile,
    sha256: str,
    started: datetime,
    today: date,
    progress: Progress,
) -> tuple[int, str | None]:
    """Write the import in one transaction; its id and the batch given to rows without one."""
    rejected_rows = checked.validated.rejected_row_numbers()
    parsed = with_subjects(checked.sheet.kind, checked.validated.parsed)
    already = checked.already_loaded.get_column("row")
    accepted = parsed.filter(
        ~pl.col("row").is_in(rejected_rows.implode()) & ~pl.col("row").is_in(already.implode())
    )
    cells = checked.sheet.cells
    rejected = (
        cells.filter(pl.col("row").is_in(rejected_rows.implode()))
        .select("row", pl.struct(pl.exclude("row")).struct.json_encode().alias("cells"))
        .join(parsed.select("row", *SUBJECT_COLUMNS), on="row", how="left", maintain_order="left")
    )
    progress.step("writing", 0, accepted.height)
    with store.transaction():
        batch_number: str | None = None
        if checked.sheet.kind == "learners":
            # Validation has filled in the registration date; the batch is the import's to
            # give, and only to rows that gave none.
            labels = accepted.get_column("batch_number")
            if labels.null_count():
                batch_number = store.imports.next_batch_number(labels)
                accepted = accepted.with_columns(pl.col("batch_number").fill_null(batch_number))
        other_cells = _other_cells(checked, accepted.get_column("row"))
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
        # Checked before the transaction commits: a cancel now rolls everything back.
        progress.step("writing", accepted.height, accepted.height)
    return import_id, batch_number


def _pending_report(checked: CheckedFile, target: Path, progress: Progress) -> Path:
    """The fix list, written complete beside ``target`` before the import is committed."""
    pending = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.pending.xlsx")
    write_report(checked, pending, loaded=True, progress=progress)
    return pending


def _move_into_place(pending: Path, target: Path, *, force: bool) -> str | None:
    """Put the finished fix list at its target; what went wrong, if anything did."""
    try:
        if force:
            os.replace(pending, target)
            return None
        os.link(pending, target)  # fails if the target appeared meanwhile: never overwrite
    except FileExistsError:
        return f"{target} appeared while importing; the fix list is in {pending}"
    except OSError as error:
        with contextlib.suppress(OSError):
            if not target.exists():
                os.replace(pending, target)
                return None
        return f"cannot write {target} ({error.strerror}); the fix list is in {pending}"
    pending.unlink(missing_ok=True)
    return None


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
