"""Results are one per registration and component: a repeat is refused, a change corrects.

Importing a results file again (``--force``) used to store every result a second time, and
the results export then showed each twice. Now a row whose result is already stored with the
same grade and dates is a repeat: recognised as already loaded when the same file loaded it,
a RESULT_DUPLICATE (rejected) otherwise. A row with another grade or dates is a
RESULT_CORRECTION: the stored result is updated in place, the audit log keeps the change,
and rolling the correcting import back puts the result back as it was.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from centredesk.jobs.demo import build_demo
from centredesk.jobs.importing import import_file
from centredesk.store import Store, open_store, os_user

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
SAMPLE_RESULTS = SAMPLES / "results.xlsx"
TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store: the sample catalogue, registrations and results."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path)
    return path


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample catalogue and registrations, no results yet."""
    path = tmp_path_factory.mktemp("registered") / "store.duckdb"
    with open_store(path) as store:
        for name in ("products.xlsx", "approvals.xlsx", "learners.xlsx"):
            import_file(SAMPLES / name, store, today=TODAY)
    return path


def copy_of(store_file: Path, folder: Path) -> Path:
    return Path(shutil.copy(store_file, folder / "store.duckdb"))


def results(store: Store) -> list[tuple[object, ...]]:
    columns = ["result_id", "registration_id", "component", "grade", "result_date"]
    frame = store.tables.read("results").select(*columns, "release_date", "import_id")
    return list(frame.sort("result_id").iter_rows())


def copy_with(path: Path, change: dict[int, dict[str, object]], extra: list[int] = ()) -> Path:
    """The sample results with some rows' cells changed and some rows repeated at the end."""
    book = openpyxl.load_workbook(SAMPLE_RESULTS)
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for row, values in change.items():
        for header, value in values.items():
            sheet.cell(row=row, column=headers.index(header) + 1, value=value)
    for row in extra:
        sheet.append([cell.value for cell in sheet[row]])
    book.save(path)
    return path


def codes(outcome: object, code: str) -> list[int]:
    issues = outcome.checked.validated.issues  # type: ignore[attr-defined]
    return sorted(issues.filter(issues["code"] == code)["row"].to_list())


def test_the_same_results_file_again_loads_nothing_twice(demo: Path, tmp_path: Path) -> None:
    with open_store(copy_of(demo, tmp_path)) as store:
        before = results(store)
        outcome = import_file(SAMPLE_RESULTS, store, force=True, today=TODAY)
        assert results(store) == before
    # The file that loaded them: its rows are recognised as already there, not refused.
    assert outcome.checked.already == len(before) and outcome.checked.to_load == 0
    assert codes(outcome, "RESULT_DUPLICATE") == []


def test_the_same_results_in_another_file_are_refused_as_duplicates(
    demo: Path, tmp_path: Path
) -> None:
    other = Path(shutil.copy(SAMPLE_RESULTS, tmp_path / "results-again.xlsx"))
    with open_store(copy_of(demo, tmp_path)) as store:
        before = results(store)
        outcome = import_file(other, store, force=True, today=TODAY)
        assert results(store) == before
    assert outcome.accepted == 0 and len(codes(outcome, "RESULT_DUPLICATE")) == len(before)
    issues = outcome.checked.validated.issues
    message = issues.filter(issues["code"] == "RESULT_DUPLICATE")["message"][0]
    assert "is already stored with this result (" in message


def test_a_changed_result_corrects_the_stored_one_and_a_rollback_restores_it(
    demo: Path, tmp_path: Path
) -> None:
    # Row 5 of the sample: a Pass for HC1, stored by the demo; it becomes a Merit a day later.
    new_day = datetime(2026, 11, 14)
    corrected = copy_with(
        tmp_path / "corrected.xlsx", {5: {"Grade": "Merit", "Result Date": new_day}}
    )
    with open_store(copy_of(demo, tmp_path)) as store:
        before = {row[0]: row for row in results(store)}
        outcome = import_file(corrected, store, today=TODAY)
        after = {row[0]: row for row in results(store)}
        entries = store.tables.read("audit_log").filter(
            store.tables.read("audit_log")["action"] == "correct_results"
        )
        records = store.tables.read("audit_records")
        assert outcome.import_id is not None
        store.imports.rollback(outcome.import_id)
        restored = {row[0]: row for row in results(store)}
    assert after.keys() == before.keys() == restored.keys()
    changed = [key for key in before if before[key] != after[key]]
    assert len(changed) == 1
    assert after[changed[0]][3:5] == ("Merit", new_day.date())
    assert before[changed[0]][3:5] == ("Pass", new_day.date() - timedelta(days=1))
    assert after[changed[0]][6] == before[changed[0]][6]  # still the demo import's result
    assert restored == before
    assert codes(outcome, "RESULT_CORRECTION") == [5] and outcome.checked.to_load == 1
    (entry,) = entries.iter_rows(named=True)
    assert (entry["os_user"], entry["import_id"], entry["records"]) == (
        os_user(),
        outcome.import_id,
        1,
    )
    (record,) = records.filter(records["audit_id"] == entry["audit_id"]).iter_rows(named=True)
    assert record["record_key"] == str(changed[0])
    assert json.loads(record["before"])["grade"] == "Pass"
    assert json.loads(record["after"])["grade"] == "Merit"


def test_a_result_given_twice_in_one_file_is_refused_the_second_time(
    registered: Path, tmp_path: Path
) -> None:
    with open_store(copy_of(registered, tmp_path)) as store:
        twice = copy_with(tmp_path / "twice.xlsx", {}, extra=[5])
        outcome = import_file(twice, store, force=True, today=TODAY)
        stored = results(store)
    keys = [(registration, component) for _, registration, component, *_ in stored]
    assert len(keys) == len(set(keys)) == outcome.accepted
    issues = outcome.checked.validated.issues
    repeated = issues.filter(issues["code"] == "RESULT_DUPLICATE")
    assert repeated["message"].to_list() == [
        "HC1 already has this result in row 5, which is loaded"
    ]
