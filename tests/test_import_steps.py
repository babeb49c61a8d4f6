"""The guided import's steps: columns chosen by hand, remembered, checked and loaded."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pg_server
import polars as pl
import pytest
import xlsxwriter
from test_cli import run_main
from test_import import APPROVALS, PRODUCTS, TODAY, uln, write_xlsx

from centredesk.io.errors import HeaderError
from centredesk.io.headers import choose_kind, field_named
from centredesk.io.reader import read_sheet
from centredesk.jobs.import_steps import (
    choose_columns,
    column_lines,
    dry_run,
    issues_by_rule,
    kind_reason,
    load,
    read_upload,
    rule_issues,
    sheet_reason,
    store_state,
)
from centredesk.jobs.importing import AlreadyImportedError, import_file
from centredesk.jobs.progress import Cancelled, Progress
from centredesk.jobs.remembered import Remembered, headers_key
from centredesk.store import Location, open_store

HEADERS = ["Centre Number", "Product Code", "Forename", "Surname", "Date of Birth"]


@pytest.fixture
def catalogued(location: Location, tmp_path: Path) -> Location:
    """A store holding the catalogue, on each backend."""
    db = location
    with open_store(db) as store:
        import_file(write_xlsx(tmp_path / "products.xlsx", PRODUCTS), store, today=TODAY)
        import_file(write_xlsx(tmp_path / "approvals.xlsx", APPROVALS), store, today=TODAY)
    return db


def mis_export(path: Path) -> Path:
    """A learner upload whose ULN column has a header we do not know, and whose date of
    registration is an Excel date (a number) under a header we do not know either."""
    workbook = xlsxwriter.Workbook(str(path))
    notes = workbook.add_worksheet("Notes")
    notes.write_string(0, 0, "Exported from the MIS")
    sheet = workbook.add_worksheet("Data")
    for column, header in enumerate([*HEADERS, "Learner ULN No", "Enrolled", "Tutor"]):
        sheet.write_string(0, column, header)
    people = [("Zoë", "O'Brien", uln(100000001)), ("Sean", "Smith", "1000000042")]
    for row, (forename, surname, number) in enumerate(people, start=1):
        for column, value in enumerate(["100001", "603/0862/X", forename, surname, "03/04/2010"]):
            sheet.write_string(row, column, value)
        sheet.write_string(row, 5, number)
        sheet.write_number(row, 6, 46266)  # 01/09/2026 as an Excel date serial
        sheet.write_string(row, 7, "Ms Khan")
    workbook.close()
    return path


def test_a_chosen_column_is_read_as_its_field_and_others_as_the_headers_say() -> None:
    headers = [*HEADERS, "Learner ULN No", "ULN", "Tutor"]
    choice = choose_kind(
        headers, "learners", file_name="f.xlsx", where="", chosen={"Learner ULN No": "uln"}
    )
    assert choice.mapping["uln"] == "Learner ULN No"
    assert "ULN" in choice.ignored and "Tutor" in choice.ignored
    assert choice.mapping["surname"] == "Surname"
    assert any("as chosen" in note for note in choice.notes)


def test_a_matched_column_can_be_left_unread_unless_the_field_is_required() -> None:
    headers = [*HEADERS, "ULN"]
    choice = choose_kind(headers, "learners", file_name="f", where="", chosen={"ULN": None})
    assert "uln" not in choice.mapping and "ULN" in choice.ignored
    with pytest.raises(HeaderError, match='needs the column\\(s\\) "Surname"'):
        choose_kind(headers, "learners", file_name="f", where="", chosen={"Surname": None})


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ({"Nope": "uln"}, 'has no column headed "Nope"'),
        ({"Tutor": "grade"}, 'a learners sheet has no field "grade"'),
        ({"Tutor": "uln", "Notes": "uln"}, "are both chosen as the ULN"),
    ],
)
def test_a_choice_that_cannot_be_read_says_why(chosen: dict[str, str | None], message: str) -> None:
    with pytest.raises(HeaderError, match=message):
        choose_kind(
            [*HEADERS, "Tutor", "Notes"], "learners", file_name="f", where="", chosen=chosen
        )


def test_a_field_is_named_by_its_name_header_or_synonym() -> None:
    assert field_named("learners", "uln") == "uln"
    assert field_named("learners", "Unique Learner Number") == "uln"
    assert field_named("learners", "DOB") == "date_of_birth"
    assert field_named("learners", "Grade") is None


def test_the_reader_writes_dates_in_a_column_chosen_as_a_date(tmp_path: Path) -> None:
    path = mis_export(tmp_path / "mis.xlsx")
    plain = read_sheet(path)
    assert "registration_date" not in plain.mapping
    chosen = read_sheet(path, kind="learners", columns={"Enrolled": "registration_date"})
    assert chosen.mapping["registration_date"] == "Enrolled"
    assert chosen.cells.get_column("Enrolled").to_list() == ["2026-09-01", "2026-09-01"]
    assert chosen.sheets == ["Notes", "Data"]


def test_each_step_of_a_guided_import(catalogued: Location, tmp_path: Path) -> None:
    upload = read_upload(mis_export(tmp_path / "mis.xlsx"))
    data = upload.sheet
    assert data.sheet == "Data" and data.kind == "learners"
    assert sheet_reason(data, chosen=False) == (
        "its header names the most learners columns (header on row 1, 2 rows below it)"
    )
    assert kind_reason(data) == (
        "inferred from the headers Centre Number, Product Code, Forename, Surname and 1 more"
    )
    lines = {line.header: line for line in column_lines(data)}
    assert lines["Learner ULN No"].field is None
    assert lines["Learner ULN No"].sample == uln(100000001)
    assert lines["Surname"].field_header == "Surname"

    chosen = {"Learner ULN No": "uln", "Enrolled": "registration_date"}
    choice = choose_columns(data, chosen)
    remapped = {line.header: line.field for line in column_lines(data, choice)}
    assert remapped["Learner ULN No"] == "uln" and remapped["Tutor"] is None

    upload = read_upload(upload.path, kind="learners", sheet="Data", columns=chosen)
    with open_store(catalogued, read_only=True) as store:
        state = store_state(store, upload)
    checked = dry_run(upload, state, today=TODAY)
    assert (checked.checked.accepted, checked.checked.rejected) == (1, 1)
    assert issues_by_rule(checked.checked).row(0) == ("ULN_CHECKSUM", "error", 1, 1)
    assert rule_issues(checked.checked, "ULN_CHECKSUM").select("row", "column", "value").rows() == [
        (3, "Learner ULN No", "1000000042")
    ]

    with open_store(catalogued) as store:
        outcome = load(store, checked, today=TODAY)
        registered = store.tables.read("registrations").get_column("registration_date")
        with pytest.raises(AlreadyImportedError):
            load(store, checked, today=TODAY)
    assert (outcome.accepted, outcome.rejected) == (1, 1)
    assert registered.to_list() == [date(2026, 9, 1)]


def test_a_load_checks_again_when_the_store_moved_on(catalogued: Location, tmp_path: Path) -> None:
    rows = [HEADERS, ["100001", "603/0862/X", "Zoë", "O'Brien", "03/04/2010"]]
    upload = read_upload(write_xlsx(tmp_path / "one.xlsx", rows))
    with open_store(catalogued, read_only=True) as store:
        checked = dry_run(upload, store_state(store, upload), today=TODAY)
    assert (checked.checked.rejected, checked.checked.already) == (0, 0)
    # Meanwhile the same registration arrives from another file.
    with open_store(catalogued) as store:
        other = [*rows, ["100001", "603/0862/X", "Ann", "Smythe", "02/01/2009"]]
        import_file(write_xlsx(tmp_path / "other.xlsx", other), store, today=TODAY)
        outcome = load(store, checked, today=TODAY)
        registrations = store.tables.read("registrations").height
        codes = set(outcome.checked.validated.issues.get_column("code"))
    # Checked again at the load: another file registered the learner meanwhile.
    assert (outcome.checked.to_load, outcome.rejected) == (0, 1) and "DUP_IN_STORE" in codes
    assert registrations == 2


@pytest.mark.postgresql
def test_an_import_landing_between_the_check_and_the_load_is_checked_against(
    postgres_server: pg_server.Server, tmp_path: Path
) -> None:
    # On a server the app checks through its reader and loads through a writer, and
    # another person's import can land in between without the writer having read anything.
    url = pg_server.new_database(postgres_server, "between")
    with open_store(url) as store:
        import_file(write_xlsx(tmp_path / "products.xlsx", PRODUCTS), store, today=TODAY)
        import_file(write_xlsx(tmp_path / "approvals.xlsx", APPROVALS), store, today=TODAY)
    rows = [HEADERS, ["100001", "603/0862/X", "Zoë", "O'Brien", "03/04/2010"]]
    upload = read_upload(write_xlsx(tmp_path / "mine.xlsx", rows))
    with open_store(url, read_only=True) as store:
        checked = dry_run(upload, store_state(store, upload), today=TODAY)
    theirs = write_xlsx(tmp_path / "theirs.xlsx", rows)
    writes: list[int] = []

    def someone_else_imports_first(stage: str, done: int, total: int) -> None:
        if stage == "writing" and done == 0:
            writes.append(total)
            if len(writes) == 1:
                with open_store(url) as other:
                    assert import_file(theirs, other, today=TODAY).accepted == 1

    with open_store(url) as store:
        outcome = load(store, checked, today=TODAY, progress=Progress(someone_else_imports_first))
        counts = store.tables.counts()
    # Checked again once theirs landed: the learner is now stored, and is not loaded twice.
    assert writes[0] == 1 and set(writes[1:]) == {0}
    assert outcome.checked.to_load == 0 and outcome.import_id is not None
    assert counts["learners"] == 1 and counts["registrations"] == 1


def test_a_cancel_while_writing_rolls_the_whole_import_back(
    catalogued: Location, tmp_path: Path
) -> None:
    rows = [HEADERS, ["100001", "603/0862/X", "Zoë", "O'Brien", "03/04/2010"]]
    upload = read_upload(write_xlsx(tmp_path / "one.xlsx", rows))
    with open_store(catalogued, read_only=True) as store:
        checked = dry_run(upload, store_state(store, upload), today=TODAY)
        before = store.tables.checksums()
    progress = Progress()

    def cancel_once_writing(stage: str, done: int, total: int) -> None:
        if stage == "writing" and done == 0:
            progress.cancel.set()  # noticed only once the rows went in

    progress.callback = cancel_once_writing
    with open_store(catalogued) as store, pytest.raises(Cancelled):
        load(store, checked, today=TODAY, progress=progress)
    with open_store(catalogued, read_only=True) as store:
        assert store.tables.checksums() == before


def test_column_choices_are_remembered_for_files_with_the_same_headers(tmp_path: Path) -> None:
    path = tmp_path / "state" / "remembered.json"
    memory = Remembered(path)
    headers = [*HEADERS, "Learner ULN No"]
    memory.keep_columns("learners", headers, {"Learner ULN No": "uln"})
    memory.use_folder("import", tmp_path)

    again = Remembered(path)
    found = again.columns("learners", list(reversed([h.upper() for h in headers])))
    assert found is not None and found.chosen == {"Learner ULN No": "uln"}
    assert isinstance(found.saved_at, datetime)
    assert again.columns("bookings", headers) is None
    assert again.columns("learners", [*headers, "Tutor"]) is None
    assert again.folder("import") == tmp_path
    again.keep_columns("learners", headers, {})
    assert Remembered(path).columns("learners", headers) is None
    assert headers_key("learners", headers) != headers_key("results", headers)


def test_a_damaged_memory_file_is_a_fresh_start(tmp_path: Path) -> None:
    path = tmp_path / "remembered.json"
    path.write_text("{not json")
    memory = Remembered(path)
    assert memory.folder("import") is None
    memory.keep_columns("learners", HEADERS, {"Surname": "surname"})
    assert Remembered(path).columns("learners", HEADERS) is not None


def test_the_command_line_takes_column_choices(
    catalogued: Location, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = mis_export(tmp_path / "mis.xlsx")
    args = ("import", str(path), "--db", str(catalogued), "--kind", "learners")
    status, _out, err = run_main(capsys, *args, "--column", "Learner ULN No")
    assert status == 2 and "HEADER=FIELD" in err
    status, _out, err = run_main(capsys, *args[:3], str(catalogued), "--column", "Tutor=ULN")
    assert status == 2 and "--column needs --kind" in err
    status, out, err = run_main(
        capsys, *args, "--column", "Learner ULN No=Unique Learner Number", "--column", "Tutor="
    )
    assert status == 1, err
    assert '"Learner ULN No" was read as the ULN, as chosen' in out
    with open_store(catalogued, read_only=True) as store:
        issues = store.tables.read("import_issues").filter(pl.col("code") == "ULN_CHECKSUM")
    assert issues.get_column("column_name").to_list() == ["Learner ULN No"]
