"""An import taken one step at a time, as the app's guided import does it.

``centredesk import`` reads, checks and loads in one go. The app lets the user look between
the steps: read the file (:func:`read_upload`), see the sheet and kind and why
(:func:`sheet_reason`, :func:`kind_reason`), see and change which column is read as which
field (:func:`column_lines`, :func:`choose_columns`), check it against the store without
writing (:func:`dry_run`, :func:`issues_by_rule`, :func:`rule_issues`), then load it
(:func:`load`). Each step is a plain function with a progress callback, run in a worker;
the verdict and the write are the command line's own (:mod:`centredesk.jobs.importing`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from centredesk.io.columns import Columns
from centredesk.io.headers import KindChoice, choose_kind
from centredesk.io.read_server import warm_up
from centredesk.io.reader import SheetData, file_sha256
from centredesk.io.workbook import check_target
from centredesk.jobs.checked_file import (
    CheckedFile,
    check_sheet,
    finish_reading,
    reference_for,
    start_reading,
)
from centredesk.jobs.importing import (
    CHECKS_AGAINST_OTHER_IMPORTS,
    ImportOutcome,
    refuse_repeat,
    write_import,
)
from centredesk.jobs.progress import NO_PROGRESS, Progress
from centredesk.jobs.roles import require
from centredesk.jobs.validating import write_report
from centredesk.store import ConcurrentImportError, Store
from centredesk.store.records import PreviousImport
from centredesk.validation.engine import Reference
from centredesk.validation.fields import SCHEMAS, Kind

REASON_HEADERS = 4
"""How many headers the kind's reason names before "and N more"."""


@dataclass(frozen=True)
class Upload:
    """A file as read for the guided import, and what identifies its content."""

    path: Path
    sheet: SheetData
    sha256: str
    columns: dict[str, str | None]
    """The column choices it was read with (empty: as the headers say)."""


def read_upload(
    path: str | Path,
    *,
    kind: Kind | None = None,
    sheet: str | None = None,
    columns: Mapping[str, str | None] | None = None,
    progress: Progress = NO_PROGRESS,
) -> Upload:
    """Read one sheet of ``path`` in the limited reading process, as every upload is read
    (:mod:`centredesk.io.isolated`); a cancel ends that process at once."""
    path = Path(path)
    progress.step("reading", 0)
    with start_reading(
        path, kind=kind, sheet=sheet, columns=columns or None, progress=progress
    ) as reading:
        sha256 = file_sha256(path)  # while the other process reads
        data = finish_reading(reading)
    progress.step("reading", data.cells.height, data.cells.height)
    return Upload(path, data, sha256, dict(columns or {}))


def get_ready() -> None:
    """Start the reading process's server now, so the first read does not wait for it."""
    warm_up()


def sheet_reason(data: SheetData, *, chosen: bool) -> str:
    """Which sheet was read and why, in a line."""
    rows = f"{data.cells.height:,} row{'s' * (data.cells.height != 1)}"
    where = f"header on row {data.header_row}, {rows} below it"
    if data.sheet is None:
        return f"a text file has one sheet ({where})"
    if chosen:
        return f"as chosen ({where})"
    if len(data.sheets) <= 1:
        return f"the only sheet ({where})"
    return f"its header names the most {data.kind} columns ({where})"


def kind_reason(data: SheetData) -> str:
    """Why the sheet is read as its kind: the headers that say so, or the user's choice."""
    if not data.kind_inferred:
        return "as chosen"
    required = [spec.name for spec in SCHEMAS[data.kind] if spec.required]
    ordered = sorted(data.mapping, key=lambda name: name not in required)
    headers = [data.mapping[name] for name in ordered]
    shown = ", ".join(headers[:REASON_HEADERS])
    more = len(headers) - REASON_HEADERS
    return f"inferred from the headers {shown}" + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class ColumnLine:
    """One column of the file beside the field it is read as."""

    header: str
    field: str | None
    """The field's name; None when the column is not read."""
    field_header: str | None
    """The field as people call it (its template header)."""
    sample: str | None
    """The column's first value, to tell what it holds."""


def field_options(kind: Kind) -> list[tuple[str, str, bool]]:
    """Every field of ``kind``: (name, header, required), in template order."""
    return [(spec.name, spec.header, spec.required) for spec in SCHEMAS[kind]]


def choose_columns(data: SheetData, chosen: Mapping[str, str | None]) -> KindChoice:
    """The columns of ``data`` read with ``chosen`` over the headers, without reading the
    file again; raises HeaderError when the choice leaves the sheet unreadable (a required
    field without a column, one field chosen twice)."""
    where = f", sheet {data.sheet}" if data.sheet is not None else ""
    return choose_kind(
        data.headers,
        data.kind,
        file_name=data.file_name,
        where=where,
        columns=Columns(data.cells),
        chosen=chosen,
    )


def column_lines(data: SheetData, choice: KindChoice | None = None) -> list[ColumnLine]:
    """Every column of the file, in file order, with its field (``choice``, else as read)."""
    mapping = (choice or data).mapping
    by_header = {header: name for name, header in mapping.items()}
    headers = {spec.name: spec.header for spec in SCHEMAS[data.kind]}
    firsts = data.cells.select(pl.col(header).drop_nulls().first() for header in data.headers).row(
        0
    )
    return [
        ColumnLine(header, by_header.get(header), headers.get(by_header.get(header, "")), sample)
        for header, sample in zip(data.headers, firsts, strict=True)
    ]


def needs_reading(upload: Upload, chosen: Mapping[str, str | None]) -> bool:
    """Whether the file must be read again for ``chosen`` (dates in a newly chosen date
    column, say, are only written as dates by the reader)."""
    return dict(chosen) != upload.columns


@dataclass(frozen=True)
class StoreState:
    """What the check needs of the store, read in one visit."""

    reference: Reference
    version: tuple[int, ...]
    """The store's data version: a load re-checks when it has moved on."""
    previous: PreviousImport | None
    """An earlier import of the same content."""


def store_state(store: Store, upload: Upload) -> StoreState:
    """The frames the rules need, the data version and any earlier import of the file."""
    # The version first: an import landing while the frames are read then shows as a
    # change at the load, which checks again, rather than hiding behind a newer version.
    version = store.tables.data_version()
    return StoreState(
        reference_for(store, upload.sheet.kind),
        version,
        store.imports.find_by_sha256(upload.sha256),
    )


@dataclass(frozen=True)
class DryRun:
    """The verdict on an upload, as the store stood when it was checked."""

    upload: Upload
    checked: CheckedFile
    version: tuple[int, ...]
    previous: PreviousImport | None
    checked_at: datetime

    @property
    def rows(self) -> int:
        return self.checked.rows


def dry_run(
    upload: Upload,
    state: StoreState,
    *,
    today: date | None = None,
    progress: Progress = NO_PROGRESS,
) -> DryRun:
    """Check every row of ``upload`` against the store as ``state`` saw it; write nothing."""
    started = datetime.now()
    checked = check_sheet(
        upload.path,
        upload.sheet,
        reference=state.reference,
        today=today or started.date(),
        progress=progress,
    )
    return DryRun(upload, checked, state.version, state.previous, started)


def issues_by_rule(checked: CheckedFile) -> pl.DataFrame:
    """Issues per rule: code, severity, issues, rows; errors first, then the most issues."""
    issues = checked.validated.issues
    return (
        issues.group_by("code", "severity")
        .agg(pl.len().alias("issues"), pl.col("row").n_unique().alias("rows"))
        .sort(
            pl.col("severity") != "error",
            pl.col("issues"),
            pl.col("code"),
            descending=[False, True, False],
        )
        .select("code", "severity", "issues", "rows")
    )


def rule_issues(checked: CheckedFile, code: str) -> pl.DataFrame:
    """The issues of one rule, by row: row, column, value, message."""
    return (
        checked.validated.issues.filter(pl.col("code") == code)
        .sort("row", "column", nulls_last=True)
        .select("row", "column", "value", "message")
    )


def load(
    store: Store,
    checked: DryRun,
    *,
    force: bool = False,
    today: date | None = None,
    progress: Progress = NO_PROGRESS,
) -> ImportOutcome:
    """Write a checked upload into ``store`` (opened for writing) in one transaction.

    When the store changed since the check (another import, an edit), the rows are
    checked again against what it holds now, so nothing loads on a stale verdict. A file
    imported before is refused unless ``force``. A cancel rolls everything back.
    """
    require(store, "import")
    upload = checked.upload
    started = datetime.now()
    verdict = checked.checked
    if not force:
        refuse_repeat(store, upload.path, upload.sha256)
    stale = store.tables.data_version() != checked.version
    if not stale:
        # Checked through another connection: a server store then refuses the write if
        # an import lands between now and the write, and the rows are checked again.
        store.imports.checked_against(checked.version)

    def check_again() -> CheckedFile:
        return check_sheet(
            upload.path, upload.sheet, store=store, today=today or started.date(), progress=progress
        )

    def write(rows: CheckedFile) -> ImportOutcome:
        return write_import(store, rows, sha256=upload.sha256, started=started, progress=progress)

    for _ in range(CHECKS_AGAINST_OTHER_IMPORTS - 1):
        try:
            return write(check_again() if stale else verdict)
        except ConcurrentImportError:
            stale = True  # another import landed on the server meanwhile
    return write(check_again() if stale else verdict)


def fix_list_of_file(
    path: str | Path,
    target: Path,
    *,
    state: Callable[[Upload], StoreState],
    force: bool = False,
    progress: Progress = NO_PROGRESS,
) -> Path:
    """Check a file against the store and write its fix list, loading nothing (what
    ``centredesk validate FILE --report`` does). ``state`` reads the store for an upload;
    the target is checked first, so a folder that cannot be written fails before the read."""
    check_target(target, force=force)
    upload = read_upload(path, progress=progress)
    checked = dry_run(upload, state(upload), progress=progress)
    return write_report(checked.checked, target, force=force, progress=progress)
