"""Validate a file against the store without writing anything: ``centredesk validate``.

The store is opened read-only (a database that does not exist yet means an empty store, so
the catalogue checks are skipped and said to be), the file goes through the same
read-and-check step as an import (:func:`centredesk.jobs.checked_file.read_and_validate`), and the
fix-list workbook is written when asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from centredesk.io.report import write_fix_list
from centredesk.io.workbook import check_target
from centredesk.jobs.checked_file import CheckedFile, read_and_validate
from centredesk.jobs.progress import NO_PROGRESS, Progress
from centredesk.store import Location, open_if_present
from centredesk.validation.fields import SCHEMAS, Kind


@dataclass(frozen=True)
class ValidationOutcome:
    """The verdict on a file, and where its fix-list workbook went (if one was asked for)."""

    checked: CheckedFile
    report: Path | None


def validate_file(
    path: str | Path,
    *,
    database: Location,
    wait: float = 0,
    kind: Kind | None = None,
    sheet: str | None = None,
    columns: Mapping[str, str | None] | None = None,
    report: Path | None = None,
    force: bool = False,
    today: date | None = None,
    progress: Progress = NO_PROGRESS,
) -> ValidationOutcome:
    """Read and check ``path``; the store at ``database`` is only read, never written."""
    if report is not None:
        check_target(report, force=force)  # an unwritable target fails before any work
    with open_if_present(database, wait=wait) as store:
        checked = read_and_validate(
            path, kind=kind, sheet=sheet, columns=columns, store=store, today=today,
            progress=progress,
        )  # fmt: skip
    written = None
    if report is not None:
        written = write_report(checked, report, force=force, progress=progress)
    return ValidationOutcome(checked, written)


def write_report(
    checked: CheckedFile,
    target: Path,
    *,
    loaded: bool = False,
    force: bool = False,
    progress: Progress = NO_PROGRESS,
) -> Path:
    """The fix-list workbook of a checked file (import uses it too, with ``loaded`` when
    the rows without errors went into the store)."""
    sheet = checked.sheet
    dates = {
        sheet.mapping[spec.name]
        for spec in SCHEMAS[sheet.kind]
        if spec.type == "date" and spec.name in sheet.mapping
    }
    progress.step("fix list", 0, checked.rows)
    return write_fix_list(
        target,
        sheet_name=sheet.sheet or Path(sheet.file_name).stem,
        headers=sheet.headers,
        cells=sheet.cells,
        issues=checked.validated.issues,
        header_row=sheet.header_row,
        date_headers=dates,
        loaded=loaded,
        force=force,
        progress=lambda done, total: progress.step("fix list", done, total),
    )
