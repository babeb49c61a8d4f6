"""Rolling an import back: every row it added goes, overwritten catalogue rows come back."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from change_fixtures import (
    BOOKINGS_IMPORT,
    LEARNERS_IMPORT,
    TODAY,
    ZOE,
)

from centredesk.errors import UserError
from centredesk.jobs.editing import edit_learner
from centredesk.jobs.history import undo
from centredesk.jobs.import_history import rollback_import
from centredesk.jobs.importing import import_file
from centredesk.store import Store
from centredesk.store.interface import RECORD_TABLES

MORE_LEARNERS = """\
Centre Number,Product Code,Forename,Surname,Date of Birth,ULN,Batch Number,Registration Date,Tutor
100001,603/0862/X,Cara,Dunn,01/02/2010,1000000051,1003,24/11/2025,Ms Hill
100001,603/0862/X,Cara,Dunn,01/02/2010,1000000051,1003,24/11/2025,Ms Hill
100001,603/0862/X,Dev,Shah,02/03/2010,,1003,24/11/2025,Mr Oak
100001,603/0862/X,Bad,Row,02/03/2010,1000000042,1003,24/11/2025,
100001,500/5959/2,Amy,Lee,06/05/2010,9276308686,1003,24/11/2025,Ms Hill
"""
NEW_CATALOGUE = """\
Product Code,Title,Level,Sector,Discount Code,External Assessment,Assessment Mode,\
Operational End Date,Grading Scheme,Registration Fee
603/0862/X,Health and Fitness (revised),2,Sport,FK2B,Y,paper-based,31/08/2031,graded,50
601/0000/3,Award in Something New,1,Arts,,N,,31/08/2030,pass-fail,20
"""


def upload(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_learner_import_rolled_back_leaves_the_store_as_before(
    store: Store, tmp_path: Path
) -> None:
    before = store.tables.checksums((*RECORD_TABLES, "other_cells"))
    outcome = import_file(upload(tmp_path, "more.csv", MORE_LEARNERS), store, today=TODAY)
    assert outcome.import_id is not None and outcome.loaded == 3
    counts = store.tables.counts()
    assert counts["other_cells"] == 3  # the Tutor column of the rows loaded
    done = rollback_import(store, outcome.import_id, confirmed=True)
    assert done.change is not None
    assert store.tables.checksums((*RECORD_TABLES, "other_cells")) == before
    assert done.change.before == {"file_name": "more.csv", "registrations": 3, "learners": 2}
    # The import stays in the list, marked; its issues no longer count as open.
    summary = store.details.import_summary(outcome.import_id)
    assert summary is not None and summary.rolled_back_by == done.change.change_id
    assert store.tables.counts()["imports"] == counts["imports"]
    assert "DUP_IN_FILE" not in store.details.dashboard().open_issues["code"].to_list()


def test_a_catalogue_import_rolled_back_puts_back_what_it_overwrote(
    store: Store, tmp_path: Path
) -> None:
    before = store.tables.checksums(RECORD_TABLES)
    products = store.tables.read("products")
    outcome = import_file(upload(tmp_path, "catalogue.csv", NEW_CATALOGUE), store, today=TODAY)
    assert outcome.import_id is not None
    changed = store.tables.read("products").filter(pl.col("product_code") == "603/0862/X")
    assert changed["title"].to_list() == ["Health and Fitness (revised)"]
    rollback_import(store, outcome.import_id, confirmed=True)
    assert store.tables.checksums(RECORD_TABLES) == before
    assert store.tables.read("products").sort("product_code").equals(products.sort("product_code"))


def test_a_rollback_is_refused_while_later_data_rests_on_the_import(store: Store) -> None:
    before = store.tables.checksums()
    shown = rollback_import(store, LEARNERS_IMPORT, confirmed=False, dry_run=True)
    assert [d.what for d in shown.dependents] == [
        f"booking 1 (import {BOOKINGS_IMPORT}) on registration 1"
    ]
    with pytest.raises(UserError) as refused:
        rollback_import(store, LEARNERS_IMPORT, confirmed=True)
    assert f"booking 1 (import {BOOKINGS_IMPORT}) on registration 1" in str(refused.value)
    assert store.tables.checksums() == before
    # The bookings import goes first; then an edit of one of its learners holds it up,
    # until the edit is undone.
    rollback_import(store, BOOKINGS_IMPORT, confirmed=True)
    edit = edit_learner(store, ZOE, {"surname": "O'Brian"}, today=TODAY).change
    assert edit is not None
    assert [d.what for d in store.imports.dependents(LEARNERS_IMPORT)] == [
        f"change {edit.change_id} (edit by {store.acting_user}) on learner {ZOE}"
    ]
    undo(store, edit.change_id)
    assert store.imports.dependents(LEARNERS_IMPORT) == []
    rollback_import(store, LEARNERS_IMPORT, confirmed=True)
    assert store.tables.counts()["registrations"] == 0


def test_a_rollback_needs_confirming_and_happens_once(store: Store, tmp_path: Path) -> None:
    outcome = import_file(upload(tmp_path, "more.csv", MORE_LEARNERS), store, today=TODAY)
    assert outcome.import_id is not None
    with pytest.raises(UserError, match="confirm it"):
        rollback_import(store, outcome.import_id, confirmed=False)
    rollback_import(store, outcome.import_id, confirmed=True)
    with pytest.raises(UserError, match="rolled back already"):
        rollback_import(store, outcome.import_id, confirmed=True)
    with pytest.raises(UserError, match="there is no import 99"):
        rollback_import(store, 99, confirmed=True)


def test_after_a_rollback_the_file_imports_again_with_new_keys(
    store: Store, tmp_path: Path
) -> None:
    path = upload(tmp_path, "more.csv", MORE_LEARNERS)
    first = import_file(path, store, today=TODAY)
    assert first.import_id is not None
    numbers = set(store.tables.read("learners")["learner_number"])
    rollback_import(store, first.import_id, confirmed=True)
    again = import_file(path, store, today=TODAY)  # no --force: the first was rolled back
    assert again.loaded == 3
    renumbered = set(store.tables.read("learners")["learner_number"]) - numbers
    assert len(renumbered) == 2 and min(renumbered) > max(numbers)
