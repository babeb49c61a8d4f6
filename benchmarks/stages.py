"""Each benchmark stage, ours and naive, as a function run inside a fresh subprocess.

A stage function does its own untimed set-up, then returns the seconds of the measured part
and how many rows that part handled. Stages whose code has not landed yet raise
:class:`NotAvailable` (an ImportError of a centredesk module becomes one). The naive
variants talk to DuckDB directly, as code written without thinking would; ours go through
the store's operations.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from benchmarks.inputs import Inputs
from centredesk.samples import DEFAULT_TODAY

NAIVE_IMPORT_ROWS = 10_000
"""executemany runs at ~650 rows/s: the naive import is timed on this many and scaled."""


class NotAvailable(Exception):
    """The code this stage measures is not in the package (yet)."""


@dataclass(frozen=True)
class Timing:
    seconds: float
    rows: int


StageFunction = Callable[[Inputs], Timing]


def _clock() -> float:
    return time.perf_counter()


def _start_reading_server() -> None:
    """Start the reading server as ``centredesk import`` does: before loading the rest."""
    from centredesk.io.read_server import warm_up

    warm_up()


# -- read --------------------------------------------------------------------------------


def read_ours(inputs: Inputs) -> Timing:
    """The read every import and validation does, in a limited child process. As the
    command line does, the reading server is started first, while the rest loads."""
    _start_reading_server()
    from centredesk.io.isolated import read_sheet_isolated

    start = _clock()
    sheet = read_sheet_isolated(inputs.learners, kind="learners")
    return Timing(_clock() - start, sheet.cells.height)


def read_naive(inputs: Inputs) -> Timing:
    from benchmarks.naive import read_rows

    start = _clock()
    rows = read_rows(inputs.learners)
    return Timing(_clock() - start, len(rows) - 3)


# -- read_direct: the same read in this process, and a bare fastexcel read ----------------


def read_direct_ours(inputs: Inputs) -> Timing:
    """``read_sheet`` without the reading process: set beside ``read``, what isolation costs."""
    from centredesk.io.reader import read_sheet

    start = _clock()
    sheet = read_sheet(inputs.learners, kind="learners")
    return Timing(_clock() - start, sheet.cells.height)


def read_bare(inputs: Inputs) -> Timing:
    """fastexcel straight into a polars frame, every column as text: the reader's floor, and
    what the import is measured against."""
    import fastexcel
    import polars as pl

    start = _clock()
    sheet = fastexcel.read_excel(str(inputs.learners)).load_sheet(
        0, header_row=None, dtypes="string"
    )
    frame = pl.DataFrame(sheet)
    return Timing(_clock() - start, frame.height - 3)


# -- validate ----------------------------------------------------------------------------


def validate_ours(inputs: Inputs) -> Timing:
    from centredesk.io.reader import read_sheet
    from centredesk.store import open_store
    from centredesk.validation.engine import REFERENCE_NEEDS, Reference, validate

    sheet = read_sheet(inputs.learners, kind="learners")
    canonical = sheet.canonical()
    with open_store(inputs.store, read_only=True) as store:
        start = _clock()
        reference = Reference(store.reference.frames(REFERENCE_NEEDS["learners"]))
        validate(
            "learners", canonical, columns=sheet.mapping, reference=reference, today=DEFAULT_TODAY
        )
        return Timing(_clock() - start, canonical.height)


def validate_naive(inputs: Inputs) -> Timing:
    from benchmarks.naive import FIELDS, read_rows, validate_rows

    rows = read_rows(inputs.learners)[3:]
    records = [dict(zip(FIELDS, row, strict=False)) for row in rows]
    with duckdb.connect(str(inputs.store), read_only=True) as con:
        start = _clock()
        reference = _naive_reference(con)
        validate_rows(records, reference, DEFAULT_TODAY)
        return Timing(_clock() - start, len(records))


def _naive_reference(con: Any) -> dict[str, Any]:
    """The store's data as Python dicts and sets, fetched row by row."""
    products = {
        code: {"operational_end_date": end, "discount_code": discount}
        for code, end, discount in con.execute(
            "SELECT product_code, operational_end_date, upper(trim(discount_code)) FROM products"
        ).fetchall()
    }
    approvals = set(con.execute("SELECT centre_number, product_code FROM approvals").fetchall())
    centres = {row[0] for row in con.execute("SELECT centre_number FROM centres").fetchall()}
    registered: set[tuple[str, str, str]] = set()
    uln_person: dict[str, str] = {}
    person_ulns: dict[str, set[str]] = {}
    active_codes: dict[tuple[str, str], set[str]] = {}
    for centre, uln, forename, surname, dob, product, status in con.execute(
        "SELECT r.centre_number, l.uln, l.forename, l.surname, l.date_of_birth, "
        "r.product_code, r.status FROM registrations r JOIN learners l USING (learner_number)"
    ).fetchall():
        person = f"{forename.casefold()}|{surname.casefold()}|{dob}"
        who = uln if uln and uln != "9999999999" else person
        if status != "cancelled":
            registered.add((centre, who, product))
        if who != person:
            uln_person[who] = person
            person_ulns.setdefault(person, set()).add(who)
        discount = products.get(product, {}).get("discount_code")
        if status == "active" and discount:
            active_codes.setdefault((centre, who), set()).add(discount)
    return {
        "products": products,
        "approvals": approvals,
        "centres": centres,
        "registered": registered,
        "uln_person": uln_person,
        "person_ulns": person_ulns,
        "active_codes": active_codes,
    }


# -- import ------------------------------------------------------------------------------


def _fresh_catalogue(inputs: Inputs, folder: Path) -> Path:
    target = folder / "import.duckdb"
    shutil.copy(inputs.catalogue, target)
    return target


def import_ours(inputs: Inputs) -> Timing:
    _start_reading_server()
    from centredesk.jobs.importing import import_file
    from centredesk.store import open_store

    with tempfile.TemporaryDirectory() as folder:
        path = _fresh_catalogue(inputs, Path(folder))
        with open_store(path) as store:
            start = _clock()
            outcome = import_file(inputs.learners, store, kind="learners", today=DEFAULT_TODAY)
            return Timing(_clock() - start, outcome.checked.rows)


def import_naive(inputs: Inputs) -> Timing:
    """openpyxl + Pydantic per row + executemany, on at most 10,000 rows, scaled up."""
    from benchmarks.naive import FIELDS, read_rows, validate_rows

    limit = min(inputs.rows, NAIVE_IMPORT_ROWS)
    with tempfile.TemporaryDirectory() as folder:
        path = _fresh_catalogue(inputs, Path(folder))
        with duckdb.connect(str(path)) as con:
            start = _clock()
            rows = read_rows(inputs.learners, limit=limit)[3:]
            records = [dict(zip(FIELDS, row, strict=False)) for row in rows]
            verdicts, issues = validate_rows(records, _naive_reference(con), DEFAULT_TODAY)
            bad = {index for index, _ in issues}
            learners, registrations = [], []
            for index, verdict in enumerate(verdicts):
                model: Any = verdict.record
                if model is None or index in bad:
                    continue
                number = 20_000_001 + index
                learners.append(
                    (number, model.centre_number, model.forename, model.surname,
                     model.date_of_birth, model.uln, model.learner_reference,
                     model.reasonable_adjustments,
                     f"{model.forename}|{model.surname}|{model.date_of_birth}")
                )  # fmt: skip
                registrations.append(
                    (index + 1, number, model.product_code, model.centre_number,
                     model.batch_number or "1", model.registration_date or DEFAULT_TODAY, index)
                )  # fmt: skip
            con.executemany(
                "INSERT INTO learners (learner_number, centre_number, forename, surname, "
                "date_of_birth, uln, learner_reference, reasonable_adjustments, person_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                learners,
            )
            con.executemany(
                "INSERT INTO registrations (registration_id, learner_number, product_code, "
                "centre_number, batch_number, registration_date, source_row) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                registrations,
            )
            elapsed = _clock() - start
    # Scaled linearly to the full upload.
    return Timing(elapsed * inputs.rows / limit, inputs.rows)


# -- export ------------------------------------------------------------------------------


def export_ours(inputs: Inputs) -> Timing:
    from centredesk.jobs.exporting import export
    from centredesk.store import open_store
    from centredesk.store.exports import ExportFilters

    with tempfile.TemporaryDirectory() as folder, open_store(inputs.store, read_only=True) as store:
        start = _clock()
        outcome = export(
            store, "results", Path(folder) / "results.xlsx", ExportFilters(), today=DEFAULT_TODAY
        )
        return Timing(_clock() - start, outcome.rows)


def export_xlsxwriter(inputs: Inputs) -> Timing:
    """The same workbook written a cell at a time with xlsxwriter, as the project used to."""
    from benchmarks.xlsxwriter_baseline import export_results
    from centredesk.store import open_store

    with tempfile.TemporaryDirectory() as folder, open_store(inputs.store, read_only=True) as store:
        start = _clock()
        rows = export_results(store, Path(folder) / "results.xlsx", DEFAULT_TODAY)
        return Timing(_clock() - start, rows)


def export_naive(inputs: Inputs) -> Timing:
    import openpyxl

    with (
        tempfile.TemporaryDirectory() as folder,
        duckdb.connect(str(inputs.store), read_only=True) as con,
    ):
        start = _clock()
        rows = con.execute(
            "SELECT r.centre_number, l.learner_number, l.uln, l.forename, l.surname, "
            "r.product_code, s.component, s.grade, s.result_date, s.release_date "
            "FROM results s JOIN registrations r USING (registration_id) "
            "JOIN learners l USING (learner_number) WHERE s.release_date <= ? "
            "ORDER BY r.centre_number, l.surname",
            [DEFAULT_TODAY],
        ).fetchall()
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Results")
        sheet.append(["Centre", "Learner Number", "ULN", "Forename", "Surname", "Product",
                      "Component", "Grade", "Result Date", "Release Date"])  # fmt: skip
        for row in rows:
            sheet.append(row)
        workbook.save(Path(folder) / "results.xlsx")
        return Timing(_clock() - start, len(rows))


# -- fix list ----------------------------------------------------------------------------


def _checked_upload(inputs: Inputs) -> Any:
    """The learner upload read and checked against the catalogue (untimed set-up)."""
    from centredesk.jobs.checked_file import read_and_validate
    from centredesk.store import open_store

    with open_store(inputs.catalogue, read_only=True) as store:
        return read_and_validate(inputs.learners, kind="learners", store=store, today=DEFAULT_TODAY)


def fix_list_ours(inputs: Inputs) -> Timing:
    from centredesk.jobs.validating import write_report

    checked = _checked_upload(inputs)
    with tempfile.TemporaryDirectory() as folder:
        start = _clock()
        write_report(checked, Path(folder) / "fixes.xlsx")
        return Timing(_clock() - start, checked.rows)


def fix_list_xlsxwriter(inputs: Inputs) -> Timing:
    """The fix list written a cell at a time with xlsxwriter, as the project used to."""
    from benchmarks.xlsxwriter_baseline import fix_list

    checked = _checked_upload(inputs)
    sheet = checked.sheet
    with tempfile.TemporaryDirectory() as folder:
        start = _clock()
        rows = fix_list(
            Path(folder) / "fixes.xlsx",
            sheet.sheet or "Rows",
            sheet.headers,
            sheet.cells,
            checked.validated.issues,
        )
        return Timing(_clock() - start, rows)


class Variants(NamedTuple):
    """A stage's own code, its naive baseline and, where there is one, the previous writer
    and the floor."""

    ours: StageFunction
    naive: StageFunction | None
    xlsxwriter: StageFunction | None = None
    floor: StageFunction | None = None
    """What the stage cannot be faster than (the bare fastexcel read of the upload), run
    alternately with ours so that both see the same load on the machine."""


def _pg_import(inputs: Inputs) -> Timing:
    from benchmarks.postgres import import_ours as on_postgres

    return on_postgres(inputs)


STAGES: dict[str, Variants] = {
    "read": Variants(read_ours, read_naive, floor=read_bare),
    "read_direct": Variants(read_direct_ours, None, floor=read_bare),
    "validate": Variants(validate_ours, validate_naive),
    "import": Variants(import_ours, import_naive, floor=read_bare),
    "export": Variants(export_ours, export_naive, export_xlsxwriter),
    "fix_list": Variants(fix_list_ours, None, fix_list_xlsxwriter),
    "pg_import": Variants(_pg_import, import_ours),
}
