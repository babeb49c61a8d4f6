"""Importing files end to end: real files in, a real store out, every row accounted for."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pg_server
import polars as pl
import pytest
import xlsxwriter
from test_io_limits import good_xlsx, rewrite_sheet

from centredesk.errors import UserError
from centredesk.io.limits import CFB_MAGIC
from centredesk.jobs.importing import AlreadyImportedError, import_file
from centredesk.jobs.progress import Cancelled, Progress
from centredesk.samples.large import FAULT_EVERY, write_large
from centredesk.store import TABLES, Location, Store, open_store, os_user

TODAY = date(2026, 11, 28)
PRODUCTS = [
    ["Product Code", "Title", "Level", "Sector", "Discount Code", "External Assessment",
     "Assessment Mode", "Operational End Date", "Grading Scheme", "Registration Fee"],
    ["603/0862/X", "Level 1/2 Technical Award in Health and Fitness", "1/2", "Sport", "FK2B",
     "Y", "on-screen", "2030-08-31", "graded", "45"],
    ["500/5959/2", "Level 1 Award in Creative Craft", "1", "Arts", "FK2B", "N", "", "2030-08-31",
     "pass-fail", "30"],
]  # fmt: skip
APPROVALS = [["Centre Number", "Centre Name", "Product Code"]] + [
    ["100001", "Riverside Academy", code] for code in ("603/0862/X", "500/5959/2")
]


def uln(stem: int) -> str:
    """A valid ULN from a 9-digit stem, or the next stem that has one (DESIGN.md §2)."""
    while True:
        digits = [int(d) for d in str(stem)]
        remainder = sum(w * d for w, d in zip(range(10, 1, -1), digits, strict=True)) % 11
        if remainder:
            return f"{stem}{(10 - remainder) % 10}"
        stem += 1


def write_xlsx(path: Path, rows: list[list[str]], title: str | None = None) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Upload")
    start = 0
    if title:
        sheet.write_string(0, 0, title)
        start = 2
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value != "":
                sheet.write_string(start + r, c, value)
    workbook.close()
    return path


def learners_csv(path: Path, count: int, *, bad_every: int = 0) -> Path:
    """A registration upload of ``count`` distinct learners; every ``bad_every``-th ULN is bad."""
    numbers = pl.int_range(0, count, eager=True)
    ulns = [uln(100000000 + 7 * n) for n in range(count)]
    if bad_every:
        ulns = [u[:-1] + str((int(u[-1]) + 1) % 10) if i % bad_every == 0 else u
                for i, u in enumerate(ulns)]  # fmt: skip
    frame = pl.DataFrame(
        {
            "Centre Number": ["100001"] * count,
            "Product Code": ["603/0862/X"] * count,
            "Forename": ["Learner"] * count,
            "Surname": [f"Surname{chr(65 + n % 26)}" for n in range(count)],
            "Date of Birth": (numbers % 28 + 1).cast(pl.String) + "/03/2010",
            "ULN": ulns,
            "Registration Date": ["01/09/2026"] * count,
        }
    )
    frame.write_csv(path)
    return path


def snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, sorted: equal snapshots mean an unchanged store."""
    return {table: sorted(store.tables.read(table).rows(), key=repr) for table in TABLES}


@pytest.fixture
def catalogued(location: Location, tmp_path: Path) -> Location:
    """A database holding the catalogue and one centre's approvals, on each backend."""
    db = location
    with open_store(db) as store:
        import_file(write_xlsx(tmp_path / "products.xlsx", PRODUCTS), store, today=TODAY)
        import_file(write_xlsx(tmp_path / "approvals.xlsx", APPROVALS), store, today=TODAY)
    return db


def test_catalogue_and_approvals_load(catalogued: Location) -> None:
    with open_store(catalogued, read_only=True) as store:
        counts = store.tables.counts()
        who = set(store.tables.read("imports").get_column("os_user"))
    assert (counts["products"], counts["approvals"], counts["centres"]) == (2, 2, 1)
    assert counts["imports"] == 2
    # Who imported: the operating-system user on a file, the login on a server.
    assert who == ({os_user()} if isinstance(catalogued, Path) else {"postgres"})


def test_learner_upload_under_a_title_loads_and_rejects_bad_rows(
    catalogued: Location, tmp_path: Path
) -> None:
    rows = [
        ["Centre no", "QAN", "First name", "Family name", "DOB", "Unique learner number"],
        ["100001", "6030862X", "Zoë", "O'Brien", "03/04/2010", uln(100000001)],
        ["100001", "603/0862/X", "Sean", "Smith-Jones", "2009-01-09", ""],
        ["100001", "603/0862/X", "Bad", "Checksum", "01/01/2010", "1000000042"],
    ]
    upload = write_xlsx(tmp_path / "learners.xlsx", rows, title="Autumn registrations")
    with open_store(catalogued) as store:
        outcome = import_file(upload, store, today=TODAY)
        counts = store.tables.counts()
        issues = (
            store.tables.read("import_issues")
            .filter(pl.col("import_id") == outcome.import_id)
            .select("row", "column_name", "code")
            .rows()
        )
        cells = store.tables.read("rejected_rows").select("row", "cells").rows()
    assert outcome.checked.sheet.kind == "learners" and outcome.checked.sheet.kind_inferred
    assert (outcome.accepted, outcome.rejected) == (2, 1)
    assert (counts["learners"], counts["registrations"]) == (2, 2)
    assert (6, "Unique learner number", "ULN_CHECKSUM") in issues
    assert len(cells) == 1 and cells[0][0] == 6
    assert json.loads(cells[0][1])["Unique learner number"] == "1000000042"


def test_accepted_plus_rejected_is_always_rows_read(catalogued: Location, tmp_path: Path) -> None:
    upload = learners_csv(tmp_path / "mixed.csv", 300, bad_every=7)
    with open_store(catalogued) as store:
        outcome = import_file(upload, store, today=TODAY)
        recorded = (
            store.tables.read("imports")
            .filter(pl.col("import_id") == outcome.import_id)
            .select("rows_read", "rows_accepted", "rows_rejected")
            .rows()
        )
        loaded = store.tables.counts()["registrations"]
        kept = store.tables.counts()["rejected_rows"]
    assert outcome.rejected == 43  # rows 0, 7, ..., 294
    assert recorded == [(300, 257, 43)]
    assert (loaded, kept) == (257, 43)


def test_the_same_file_twice_is_refused_unless_forced(catalogued: Location, tmp_path: Path) -> None:
    upload = learners_csv(tmp_path / "once.csv", 5)
    with open_store(catalogued) as store:
        import_file(upload, store, today=TODAY)
        before = snapshot(store)
        with pytest.raises(AlreadyImportedError, match="--force"):
            import_file(upload, store, today=TODAY)
        assert snapshot(store) == before
        registrations = store.tables.read("registrations")
        forced = import_file(upload, store, today=TODAY, force=True)
        # Forced, every row is found already in the store: recognised, not loaded twice
        # and not rejected as a duplicate either.
        assert store.tables.read("registrations").equals(registrations)
    assert (forced.rejected, forced.already, forced.loaded) == (0, 5, 0)
    assert not forced.checked.validated.issues.filter(pl.col("code") == "DUP_IN_STORE").height


def test_a_dry_run_writes_nothing(catalogued: Location, tmp_path: Path) -> None:
    upload = learners_csv(tmp_path / "dry.csv", 20, bad_every=5)
    with open_store(catalogued) as store:
        before = snapshot(store)
        outcome = import_file(upload, store, dry_run=True, today=TODAY)
        assert snapshot(store) == before
    assert outcome.import_id is None
    assert (outcome.accepted, outcome.rejected) == (16, 4)


def test_a_cancelled_import_writes_nothing(catalogued: Location, tmp_path: Path) -> None:
    upload = learners_csv(tmp_path / "cancel.csv", 50)
    progress = Progress()

    def press_cancel_while_reading(stage: str, done: int, total: int) -> None:
        progress.cancel.set()

    progress.callback = press_cancel_while_reading
    with open_store(catalogued) as store:
        before = snapshot(store)
        with pytest.raises(Cancelled):
            import_file(upload, store, progress=progress, today=TODAY)
        assert snapshot(store) == before


def zip_bomb(path: Path) -> None:
    def inflate(xml: bytes) -> bytes:
        return xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 8_388_608)

    rewrite_sheet(good_xlsx(path.with_name("g.xlsx")), path, inflate)


def huge_dimension(path: Path) -> None:
    # One value at the last cell of the sheet: the block the reader builds spans it all.
    def forge(xml: bytes) -> bytes:
        far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        return xml.replace(b'ref="A1:E2"', b'ref="A1:XFD1048576"').replace(
            b"</sheetData>", far + b"</sheetData>"
        )

    rewrite_sheet(good_xlsx(path.with_name("g.xlsx")), path, forge)


def password_protected(path: Path) -> None:
    entry = "EncryptedPackage".encode("utf-16-le").ljust(64, b"\0")
    path.write_bytes(CFB_MAGIC + bytes(504) + entry + bytes(1024))


def truncated(path: Path) -> None:
    whole = good_xlsx(path.with_name("whole.xlsx")).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


BAD_FILES = {
    "random.xlsx": lambda path: path.write_bytes(os.urandom(4096)),
    "truncated.xlsx": truncated,
    "locked.xlsx": password_protected,
    "bomb.xlsx": zip_bomb,
    "huge.xlsx": huge_dimension,
    "empty.csv": lambda path: path.write_bytes(b""),
    "blank.xlsx": lambda path: write_xlsx(path, []),
    "noheader.csv": lambda path: path.write_text("a,b,c\n1,2,3\n"),
    "nosurname.csv": lambda path: path.write_text(
        "Centre Number,Product Code,Forename,Date of Birth\n100001,603/0862/X,Zoë,03/04/2010\n"
    ),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_files_change_nothing(catalogued: Location, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    BAD_FILES[name](path)
    with open_store(catalogued) as store:
        before = snapshot(store)
        with pytest.raises(UserError) as caught:
            import_file(path, store, today=TODAY)
        assert snapshot(store) == before
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(name)


KILLED_IMPORT = textwrap.dedent(
    """
    import sys
    from datetime import date
    from centredesk.jobs.importing import import_file
    from centredesk.jobs.progress import Progress
    from centredesk.store import open_store

    def report(stage, done, total):
        if stage == "writing" and done == 0:
            print("writing", flush=True)

    with open_store(sys.argv[1]) as store:
        import_file(sys.argv[2], store, progress=Progress(report), today=date(2026, 11, 28))
    print("finished", flush=True)
    """
)


@pytest.mark.slow
def test_an_import_killed_mid_write_leaves_the_store_as_it_was(
    catalogued: Location, tmp_path: Path
) -> None:
    upload = learners_csv(tmp_path / "big.csv", 60_000)
    with open_store(catalogued, read_only=True) as store:
        before = snapshot(store)
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(catalogued), str(upload)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    child.stdout.close()
    assert line == "writing"
    assert child.returncode == -signal.SIGKILL
    with open_store(catalogued) as store:
        assert snapshot(store) == before


def test_the_import_command_prints_the_json_record_and_writes_the_fix_list(
    catalogued: Location, tmp_path: Path
) -> None:
    upload = learners_csv(tmp_path / "cli.csv", 10, bad_every=4)
    report = tmp_path / "fixes.xlsx"
    result = subprocess.run(
        [sys.executable, "-m", "centredesk", "import", str(upload), "--db", str(catalogued),
         "--format", "json", "--report", str(report)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    record = json.loads(result.stdout)
    assert (record["rows"], record["accepted"], record["rejected"]) == (10, 7, 3)
    assert record["kind"] == "learners" and record["file"] == "cli.csv"
    assert {issue["code"] for issue in record["issues"]} == {"ULN_CHECKSUM"}
    assert [issue["row"] for issue in record["issues"]] == [2, 6, 10]
    assert report.is_file()


@pytest.mark.slow
def test_a_large_realistic_upload_imports_with_every_row_accounted_for(
    location: Location, tmp_path: Path
) -> None:
    # Above ~20,000 rows polars may hand back parsed columns in several chunks, a path the
    # small files of the other tests never take.
    rows = 30_000
    products, approvals, learners = write_large(tmp_path / "large", rows, today=TODAY)
    with open_store(location) as store:
        for catalogue in (products, approvals):
            assert import_file(catalogue, store, today=TODAY).rejected == 0
        outcome = import_file(learners, store, today=TODAY)
        counts = store.tables.counts()
    assert outcome.accepted + outcome.rejected == rows
    assert counts["registrations"] == outcome.accepted
    assert counts["rejected_rows"] == outcome.rejected
    # One row in FAULT_EVERY carries a planted fault, and only some faults are errors.
    assert 0 < outcome.rejected <= rows // FAULT_EVERY + 1


@pytest.mark.postgresql
def test_a_file_checked_while_another_import_landed_is_checked_again(
    postgres_server: pg_server.Server, tmp_path: Path
) -> None:
    url = pg_server.new_database(postgres_server, "together")
    with open_store(url) as store:
        import_file(write_xlsx(tmp_path / "products.xlsx", PRODUCTS), store, today=TODAY)
        import_file(write_xlsx(tmp_path / "approvals.xlsx", APPROVALS), store, today=TODAY)
    mine = learners_csv(tmp_path / "mine.csv", 5)
    theirs = tmp_path / "theirs.csv"
    theirs.write_text(mine.read_text() + "\n")  # the same learners, another file
    writes: list[int] = []

    def someone_else_imports_first(stage: str, done: int, total: int) -> None:
        if stage == "writing" and done == 0:
            writes.append(total)
            if len(writes) == 1:  # while this file waits to be written, theirs lands
                with open_store(url) as other:
                    assert import_file(theirs, other, today=TODAY).accepted == 5

    with open_store(url) as store:
        outcome = import_file(
            mine, store, progress=Progress(someone_else_imports_first), today=TODAY
        )
        counts = store.tables.counts()
    # Checked again after theirs landed: the same learners, now in the store, so the second
    # check leaves nothing to write (the first would have written all five again).
    assert writes[0] == 5 and set(writes[1:]) == {0}
    # Found in the store now: as rows already loaded or as duplicates, never loaded twice.
    assert outcome.checked.already + outcome.rejected == 5 and outcome.import_id is not None
    assert counts["learners"] == 5 and counts["registrations"] == 5
