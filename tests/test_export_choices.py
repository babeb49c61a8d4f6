"""What the app's export form offers: filter values from the store, a default name, and
exporting a table as it is searched and sorted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from export_fixtures import FOOD, HEALTH, HILLTOP, RIVERSIDE, SESSION, build_store

from centredesk.jobs.exporting import ViewColumn, default_target, export_view
from centredesk.jobs.progress import Cancelled, Progress
from centredesk.store import Location, Store, open_store


@pytest.fixture(scope="module")
def store_path(module_location: Location) -> Location:
    return build_store(module_location)


@pytest.fixture
def store(store_path: Location) -> Store:
    with open_store(store_path, read_only=True) as opened:
        yield opened


def test_filter_values_are_what_the_store_holds(store: Store) -> None:
    centres = store.exports.filter_values("centre")
    assert [value.value for value in centres] == [RIVERSIDE, HILLTOP]
    assert centres[0].label == f"{RIVERSIDE} Riverside Academy"
    batches = store.exports.filter_values("batch")
    assert {value.value for value in batches} == {"1001", "1002", "1003"}
    assert batches[0].label.endswith("registrations)")
    products = [value.value for value in store.exports.filter_values("product")]
    assert HEALTH in products and FOOD in products
    sessions = store.exports.filter_values("session", product=HEALTH)
    assert SESSION.strftime("%d/%m/%Y") in [value.value for value in sessions]
    assert all("bookings)" in value.label for value in sessions)
    everything = store.exports.filter_values("session")
    assert len(everything) >= len(sessions)
    assert store.exports.filter_values("sector")[0].value.startswith("Health")
    with pytest.raises(ValueError, match="no values"):
        store.exports.filter_values("surname")


def test_the_default_name_says_what_the_export_holds_and_replaces_nothing(
    tmp_path: Path,
) -> None:
    today = date(2026, 11, 28)
    first = default_target("results", {"centre": "104729", "batch": "BT 17"}, tmp_path, today)
    assert first.name == "results-104729-BT-17-2026-11-28.xlsx"
    first.write_bytes(b"taken")
    second = default_target("results", {"centre": "104729", "batch": "BT 17"}, tmp_path, today)
    assert second.name == "results-104729-BT-17-2026-11-28-2.xlsx"
    code = default_target("register", {"product": "603/0862/X", "session": "12/05/2027"},
                          tmp_path, today)  # fmt: skip
    assert code.name == "register-603-0862-X-12-05-2027-2026-11-28.xlsx"


COLUMNS = [
    ViewColumn("learner_number", "Learner"),
    ViewColumn("surname", "Surname"),
    ViewColumn("date_of_birth", "Born"),
]


def test_a_table_is_exported_as_searched_and_sorted(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "learners.xlsx"
    outcome = export_view(
        store, "learners", COLUMNS, target, title="Learners", sort="surname", descending=True
    )
    book = openpyxl.load_workbook(target)
    rows = list(book["Learners"].iter_rows(values_only=True))
    assert rows[0] == ("Learner", "Surname", "Born")
    surnames = [row[1] for row in rows[1:]]
    assert surnames == sorted(surnames, reverse=True) and outcome.rows == len(surnames)
    assert isinstance(rows[1][0], str) and rows[1][2].year > 1990
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row[0]}
    assert about["Rows"] == outcome.rows
    assert outcome.summary() == f"wrote {outcome.rows:,} rows to {target}"

    first = surnames[-1][:2]
    searched = export_view(store, "learners", COLUMNS, tmp_path / "some.xlsx", title="Learners",
                           search={"surname": first})  # fmt: skip
    kept = [row[1] for row in openpyxl.load_workbook(tmp_path / "some.xlsx")["Learners"]
            .iter_rows(min_row=2, values_only=True)]  # fmt: skip
    assert kept and all(name.lower().startswith(first.lower()) for name in kept)
    assert searched.rows == len(kept) < outcome.rows


def test_a_cancelled_table_export_leaves_no_file(store: Store, tmp_path: Path) -> None:
    progress = Progress()
    progress.cancel.set()
    with pytest.raises(Cancelled):
        export_view(store, "learners", COLUMNS, tmp_path / "x.xlsx", title="L", progress=progress)
    assert list(tmp_path.iterdir()) == []
