"""Read a file and validate it against the store: the first half of import and validate.

Both ``centredesk import`` and ``centredesk validate`` (and the app) start here, so a file
gets the same verdict whichever way it is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from centredesk.io.isolated import IsolatedRead, ReadCancelled
from centredesk.io.reader import SheetData
from centredesk.jobs.progress import NO_PROGRESS, Cancelled, Progress
from centredesk.store import Store
from centredesk.validation.already_loaded import Origin
from centredesk.validation.engine import REFERENCE_NEEDS, Reference, Validated, validate
from centredesk.validation.fields import Kind


@dataclass(frozen=True)
class CheckedFile:
    """A file as read, and the verdict on each of its rows."""

    path: Path
    sheet: SheetData
    validated: Validated

    @property
    def rows(self) -> int:
        return self.sheet.cells.height

    @property
    def notes(self) -> list[str]:
        """Everything said once about the file: how it was read, then which checks ran."""
        return [*self.sheet.notes, *self.validated.notes]

    @property
    def errors(self) -> int:
        return int((self.validated.issues["severity"] == "error").sum())

    @property
    def warnings(self) -> int:
        return int((self.validated.issues["severity"] == "warning").sum())

    @property
    def rejected(self) -> int:
        return len(self.validated.rejected_row_numbers())

    @property
    def accepted(self) -> int:
        """Rows without errors, including those already in the store."""
        return self.rows - self.rejected

    @property
    def already_loaded(self) -> pl.DataFrame:
        """Rows the store holds already (``row``, and the ``import_id`` that loaded them):
        accepted, not loaded again."""
        return self.validated.already_loaded

    @property
    def already(self) -> int:
        """Rows already in the store from an earlier import."""
        return self.already_loaded.height

    @property
    def to_load(self) -> int:
        """Rows an import loads: accepted, and not in the store already."""
        return self.accepted - self.already


def read_and_validate(
    path: str | Path,
    *,
    kind: Kind | None = None,
    sheet: str | None = None,
    columns: Mapping[str, str | None] | None = None,
    store: Store | None = None,
    today: date | None = None,
    progress: Progress = NO_PROGRESS,
) -> CheckedFile:
    """Read ``path`` and validate every row; ``store`` None means an empty store.

    ``columns`` maps headers to the field each is read as, over what the headers say (see
    :func:`centredesk.io.reader.read_sheet`).
    """
    path = Path(path)
    progress.step("reading", 0)
    with start_reading(path, kind=kind, sheet=sheet, columns=columns, progress=progress) as reading:
        data = finish_reading(reading)
    return check_sheet(path, data, store=store, today=today, progress=progress)


def start_reading(
    path: Path,
    *,
    kind: Kind | None,
    sheet: str | None,
    progress: Progress,
    columns: Mapping[str, str | None] | None = None,
) -> IsolatedRead:
    """Start reading an upload in its own process (see :mod:`centredesk.io.isolated`).

    Use as a context manager; other work can be done before :func:`finish_reading`.
    ``columns`` maps headers to the field each is read as, over what the headers say.
    """
    return IsolatedRead(path, kind=kind, sheet=sheet, columns=columns, cancel=progress.cancel)


def finish_reading(reading: IsolatedRead) -> SheetData:
    """Wait for a read started by :func:`start_reading`; a cancelled read is Cancelled."""
    try:
        return reading.result()
    except ReadCancelled:
        raise Cancelled() from None


def check_sheet(
    path: Path,
    data: SheetData,
    *,
    store: Store | None = None,
    reference: Reference | None = None,
    today: date | None = None,
    progress: Progress = NO_PROGRESS,
) -> CheckedFile:
    """Validate a sheet already read; ``reference`` (else the store's frames) to check against."""
    progress.step("reading", data.cells.height, data.cells.height)
    if reference is None:
        reference = reference_for(store, data.kind)
    cells = data.canonical()
    validated = validate(
        data.kind,
        cells,
        columns=data.mapping,
        reference=reference,
        today=today or date.today(),
        progress=progress,
        uncalculated=data.uncalculated_fields(),
        origin=Origin(data.file_name, fix_list=data.fix_list),
    )
    return CheckedFile(path, data, validated)


def reference_for(store: Store | None, kind: Kind) -> Reference:
    """What the rules for ``kind`` check against: the store's frames, or an empty store."""
    if store is None:
        return Reference.empty()
    return Reference(store.reference.frames(REFERENCE_NEEDS[kind]))


def issue_record(checked: CheckedFile) -> dict[str, Any]:
    """The issue record of DESIGN.md §6: file, sheet, kind, counts and every issue, with the
    columns that were not read and every note the text output prints."""
    return {
        "file": checked.sheet.file_name,
        "sheet": checked.sheet.sheet,
        "kind": checked.sheet.kind,
        "rows": checked.rows,
        "errors": checked.errors,
        "warnings": checked.warnings,
        "ignored_columns": checked.sheet.ignored,
        "notes": checked.notes,
        "issues": checked.validated.issues.select(
            "row", "column", "field", "code", "severity", "message", "value"
        ).to_dicts(),
    }
