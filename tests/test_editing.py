"""Editing a learner and setting a ULN: judged as an import judges a row, then audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl
import pytest
from change_fixtures import AMY, SEAN, TODAY, ZOE, as_role

from centredesk.errors import UserError
from centredesk.jobs.editing import (
    details_texts,
    edit_learner,
    judge_edit,
    row_issues,
    save_learner,
    set_uln,
    uln_issues,
)
from centredesk.jobs.roles import RoleError
from centredesk.store import Store
from centredesk.store.errors import StaleRecordError
from centredesk.store.records import HistoryFilters
from centredesk.validation.models import RecordIssue


def codes(issues: Sequence[RecordIssue]) -> list[tuple[str | None, str]]:
    return [(issue.field, issue.code) for issue in issues]


def test_an_edit_changes_the_learner_and_records_only_what_changed(store: Store) -> None:
    outcome = edit_learner(store, ZOE, {"surname": "O’Brian", "forename": "Zoë"}, today=TODAY)
    assert outcome.outcome == "changed" and outcome.change is not None
    assert outcome.changes == {"surname": ("O'Brien", "O’Brian")}
    learner = store.learners.get(ZOE)
    assert learner is not None and learner.details["surname"] == "O’Brian"
    assert learner.version == 2
    # The name-and-birth key follows the name, so the learner is recognised again.
    assert learner.details["person_key"] != "zoe|obrien|2010-04-03"
    change = outcome.change
    assert (change.action, change.table, change.record, change.who) == (
        "edit", "learners", str(ZOE), store.acting_user)  # fmt: skip
    assert change.before == {"surname": "O'Brien", "person_key": "zoe|obrien|2010-04-03"}
    assert change.after is not None and change.after["surname"] == "O’Brian"
    assert [c.change_id for c in store.history.changes(HistoryFilters(learner=ZOE))] == [
        change.change_id
    ]


def test_an_edit_with_an_error_is_refused_and_changes_nothing(store: Store) -> None:
    before = store.tables.checksums()
    outcome = edit_learner(
        store, ZOE, {"date_of_birth": "31/02/2010", "surname": "O'Brien2"}, today=TODAY
    )
    assert outcome.outcome == "refused" and outcome.change is None
    assert codes(outcome.errors) == [
        ("surname", "NAME_CHARACTERS"),
        ("date_of_birth", "DOB_INVALID"),
    ]
    assert outcome.errors[1].message == "31/02/2010 is not a real date"
    assert store.tables.checksums() == before


def test_a_new_warning_needs_confirmation(store: Store) -> None:
    asked = edit_learner(store, ZOE, {"surname": "OBRIEN"}, today=TODAY)
    assert asked.outcome == "needs confirmation"
    assert codes(asked.to_confirm) == [("surname", "NAME_CASE")]
    assert store.learners.get(ZOE).details["surname"] == "O'Brien"  # type: ignore[union-attr]
    done = edit_learner(store, ZOE, {"surname": "OBRIEN"}, confirmed=True, today=TODAY)
    assert done.outcome == "changed"
    # The learner now carries the warning: an unrelated edit does not ask about it again.
    later = edit_learner(store, ZOE, {"learner_reference": "Z9"}, today=TODAY)
    assert later.outcome == "changed"
    assert codes(later.issues) == [("surname", "NAME_CASE")] and later.to_confirm == []


def test_an_edit_that_would_duplicate_a_registration_gets_the_imports_code(store: Store) -> None:
    # Amy (a ULN) and Sean (none) are both on 603/0862/X. Renaming Sean to Amy makes him
    # the same person by name and date of birth: the import's DUP_IN_STORE, naming Amy.
    outcome = edit_learner(
        store,
        SEAN,
        {"forename": "Amy", "surname": "Lee", "date_of_birth": "06/05/2010"},
        today=TODAY,
    )
    assert outcome.outcome == "refused"
    assert ("DUP_IN_STORE", f"already registered on 603/0862/X as learner {AMY}") in [
        (issue.code, issue.message) for issue in outcome.errors
    ]


def test_a_uln_held_by_another_learner_is_refused_naming_them(store: Store) -> None:
    as_role(store, "uln-admin")
    outcome = set_uln(store, SEAN, "1000000043", today=TODAY)
    assert outcome.outcome == "refused"
    found = [(i.code, i.message) for i in outcome.errors]
    assert found[0] == (
        "ULN_CONFLICT",
        f"1000000043 belongs to learner {ZOE} (Zoë O'Brien, born 03/04/2010)",
    )
    # By ULN he would be Zoë, who is on both his products already: the import says so too.
    assert found[1:] == [
        ("DUP_IN_STORE", f"already registered on {product} as learner {ZOE}")
        for product in ("603/0862/X", "500/5959/2")
    ]
    assert store.learners.get(SEAN).details["uln"] is None  # type: ignore[union-attr]


def test_a_uln_is_checked_like_any_uln(store: Store) -> None:
    as_role(store, "uln-admin")
    bad = set_uln(store, SEAN, "1000000042", today=TODAY)
    assert [(i.code, i.message) for i in bad.errors] == [
        ("ULN_CHECKSUM", "1000000042 fails the ULN check digit")
    ]
    assert codes(set_uln(store, SEAN, "0123", today=TODAY).errors) == [("uln", "ULN_FORMAT")]
    placeholder = set_uln(store, SEAN, "9999999999", today=TODAY)
    assert placeholder.outcome == "needs confirmation"
    assert codes(placeholder.to_confirm) == [("uln", "ULN_TEMPORARY")]
    done = set_uln(store, SEAN, " 1000000051 ", today=TODAY)
    assert done.outcome == "changed" and done.change is not None
    assert (done.change.action, done.change.before, done.change.after) == (
        "set_uln", {"uln": None}, {"uln": "1000000051"})  # fmt: skip


def test_only_a_uln_admin_sets_a_uln_and_an_edit_cannot(store: Store) -> None:
    as_role(store, "editor")
    with pytest.raises(RoleError, match="setting or changing a ULN needs the ULN admin role"):
        set_uln(store, SEAN, "1000000051", today=TODAY)
    with pytest.raises(UserError, match="uln set"):
        edit_learner(store, SEAN, {"uln": "1000000051"}, today=TODAY)


def test_a_stale_edit_is_refused_naming_who_changed_the_learner_and_when(store: Store) -> None:
    read = store.learners.get(ZOE)
    assert read is not None
    first = edit_learner(store, ZOE, {"learner_reference": "NEW1"}, today=TODAY)
    assert first.change is not None
    with pytest.raises(StaleRecordError) as refused:
        edit_learner(store, ZOE, {"surname": "Brien"}, expected_version=read.version, today=TODAY)
    message = str(refused.value)
    assert f"learner {ZOE} was changed by {store.acting_user} at " in message
    assert f"(change {first.change.change_id})" in message and "nothing was changed" in message
    assert store.learners.get(ZOE).details["surname"] == "O'Brien"  # type: ignore[union-attr]


def test_no_change_and_no_learner(store: Store) -> None:
    same = edit_learner(store, ZOE, {"surname": "O'Brien"}, today=TODAY)
    assert same.outcome == "unchanged" and same.change is None
    with pytest.raises(UserError, match="there is no learner 99"):
        edit_learner(store, 99, {"surname": "Smith"}, today=TODAY)


def test_a_dry_run_judges_and_writes_nothing(store: Store) -> None:
    before = store.tables.checksums()
    outcome = edit_learner(store, ZOE, {"date_of_birth": "04/03/2010"}, dry_run=True, today=TODAY)
    assert outcome.outcome == "dry run"
    assert outcome.changes == {"date_of_birth": (date(2010, 4, 3), date(2010, 3, 4))}
    assert store.tables.checksums() == before


def test_clearing_an_optional_detail(store: Store) -> None:
    outcome = edit_learner(store, ZOE, {"learner_reference": ""}, today=TODAY)
    assert outcome.changes == {"learner_reference": ("A1", None)}
    learners = store.tables.read("learners").filter(pl.col("learner_number") == ZOE)
    assert learners.get_column("learner_reference").to_list() == [None]


def _found(store: Store, **search: str) -> list[object]:
    return store.browse.row_keys("learners", search=search).to_pylist()


def test_search_finds_a_learner_by_the_name_an_edit_gave_and_an_undo_took_back(
    store: Store,
) -> None:
    outcome = edit_learner(store, ZOE, {"surname": "Łowicka"}, today=TODAY)
    assert outcome.change is not None
    assert _found(store, surname="lowicka") == [ZOE]
    assert _found(store, surname="o'brien") == []
    store.history.undo(outcome.change.change_id)
    assert _found(store, surname="o'brien") == [ZOE]
    assert _found(store, surname="lowicka") == []


def test_a_form_is_judged_without_the_store_as_an_edit_is(store: Store) -> None:
    record = store.learners.get(ZOE)
    assert record is not None
    texts = {**details_texts(record.details), "date_of_birth": "31/02/2010", "uln": "1000000042"}
    issues, _ = row_issues(record, texts, TODAY)
    outcome = edit_learner(store, ZOE, {"date_of_birth": "31/02/2010"}, today=TODAY)
    # The form's verdict on a field is the edit's: same code, same words.
    assert [i for i in issues if i.field == "date_of_birth"] == outcome.errors
    assert codes(issues) == [("date_of_birth", "DOB_INVALID"), ("uln", "ULN_CHECKSUM")]
    assert codes(uln_issues("9999999999")) == [("uln", "ULN_TEMPORARY")]
    assert uln_issues("1000000043") == []


def test_one_save_sets_details_and_the_uln_as_two_changes_or_neither(store: Store) -> None:
    outcome = save_learner(
        store, SEAN, {"learner_reference": "B 22", "uln": "1000000051"}, today=TODAY
    )
    assert outcome.outcome == "changed" and outcome.change and outcome.also
    assert (outcome.change.action, outcome.also.action) == ("edit", "set_uln")
    learner = store.learners.get(SEAN)
    assert learner is not None and learner.version == 3
    assert (learner.details["learner_reference"], learner.details["uln"]) == ("B 22", "1000000051")
    # A ULN another learner holds refuses the whole save: the reference stays as it was.
    before = store.tables.checksums()
    refused = save_learner(
        store, SEAN, {"learner_reference": "B 23", "uln": "1000000043"}, today=TODAY
    )
    assert refused.outcome == "refused" and ("uln", "ULN_CONFLICT") in codes(refused.issues)
    assert store.tables.checksums() == before


def test_saving_a_uln_needs_a_uln_admin_even_beside_other_details(store: Store) -> None:
    as_role(store, "editor")
    with pytest.raises(RoleError, match="ULN admin"):
        save_learner(store, SEAN, {"learner_reference": "B 22", "uln": "1000000051"})
    assert save_learner(store, SEAN, {"learner_reference": "B 22"}, today=TODAY).change


def test_a_save_uses_the_forms_judgement_while_the_store_is_as_it_was(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    judged = judge_edit(store, SEAN, {"surname": "Lees"}, today=TODAY)
    assert judged.issues == []

    def no_second_look(**_: object) -> None:
        raise AssertionError("the learners near the edit were looked up again")

    monkeypatch.setattr(store.reference, "near_learners", no_second_look)
    # Other details than those judged: judged again (and here, refused for looking again).
    with pytest.raises(AssertionError, match="looked up again"):
        save_learner(store, SEAN, {"surname": "Leese"}, today=TODAY, judged=judged)
    outcome = save_learner(store, SEAN, {"surname": "Lees"}, today=TODAY, judged=judged)
    assert outcome.outcome == "changed"
    assert store.learners.get(SEAN).details["surname"] == "Lees"  # type: ignore[union-attr]


def test_a_judgement_the_store_has_moved_on_from_is_made_again(store: Store) -> None:
    as_role(store, "uln-admin")
    judged = judge_edit(store, SEAN, {"uln": "1000000051"}, today=TODAY)
    assert judged.issues == []
    # Meanwhile Amy is given that ULN: the save must see it, not the judgement's old store.
    assert set_uln(store, AMY, "1000000051", today=TODAY).outcome == "changed"
    outcome = save_learner(store, SEAN, {"uln": "1000000051"}, today=TODAY, judged=judged)
    assert outcome.outcome == "refused"
    assert codes(outcome.errors)[0] == ("uln", "ULN_CONFLICT")
    assert store.learners.get(SEAN).details["uln"] is None  # type: ignore[union-attr]
