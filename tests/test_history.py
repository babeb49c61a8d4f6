"""The history in plain words, and undo: its refusals, and that it restores every table."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from change_fixtures import (
    AMY,
    AMY_HEALTH,
    BOOKING,
    SEAN,
    SEAN_HEALTH,
    TODAY,
    ZOE,
    ZOE_CRAFT,
    ZOE_HEALTH,
    as_role,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from centredesk.errors import UserError
from centredesk.jobs import statuses
from centredesk.jobs.editing import edit_learner, set_uln
from centredesk.jobs.history import (
    change_record,
    describe,
    last_own_change,
    line,
    list_history,
    undo,
    undo_last,
)
from centredesk.jobs.roles import RoleError
from centredesk.store import Store, open_store
from centredesk.store.interface import RECORD_TABLES
from centredesk.store.records import Change, HistoryFilters, Selection


def made(change: Change | None) -> Change:
    assert change is not None
    return change


def test_history_says_in_plain_words_only_what_changed(store: Store) -> None:
    edit = made(edit_learner(store, ZOE, {"surname": "O'Brian"}, today=TODAY).change)
    withdrawal = made(statuses.withdraw(store, Selection.of_batch("1001", "100001")).change)
    shown = statuses.preview(store, "cancel", Selection((AMY_HEALTH,)), today=TODAY)
    cancellation = made(statuses.cancel(store, shown, confirmed=True).change)
    assert describe(edit) == f"edited learner {ZOE}: surname O'Brien → O'Brian"
    assert describe(withdrawal) == "withdrew 4 registrations of batch 1001 at centre 100001"
    assert describe(cancellation) == (
        f"cancelled registration {AMY_HEALTH}: £20.00 charged, £45.00 of registration fees credited"
    )
    back = made(undo(store, withdrawal.change_id))
    assert describe(back) == (
        f"undid change {withdrawal.change_id} on 4 registrations of batch 1001 at centre "
        "100001: status withdrawn → active"
    )
    everything = list_history(store, HistoryFilters())
    assert [c.change_id for c in everything] == [
        edit.change_id, withdrawal.change_id, cancellation.change_id, back.change_id
    ]  # fmt: skip
    assert line(edit).split()[3:5] == [store.acting_user, "edited"]
    record = change_record(edit)
    assert record["before"] == {"surname": "O'Brien"}  # the derived key is not shown
    assert record["summary"] == describe(edit) and record["who"] == store.acting_user


def test_history_filters(store: Store) -> None:
    edit = made(edit_learner(store, ZOE, {"learner_reference": "Z1"}, today=TODAY).change)
    sean = made(statuses.withdraw(store, Selection((SEAN_HEALTH,))).change)
    zoe_craft = made(statuses.withdraw(store, Selection((ZOE_CRAFT,))).change)
    booking = made(statuses.cancel_booking(store, BOOKING, confirmed=True)[1])

    def ids(**filters: object) -> list[int]:
        return [c.change_id for c in list_history(store, HistoryFilters(**filters))]  # type: ignore[arg-type]

    assert ids(learner=ZOE) == [edit.change_id, zoe_craft.change_id, booking.change_id]
    assert ids(learner=SEAN) == [sean.change_id]
    assert ids(learner=AMY) == []
    assert ids(registration=ZOE_HEALTH) == [booking.change_id]
    assert ids(user=store.acting_user) == [
        edit.change_id, sean.change_id, zoe_craft.change_id, booking.change_id
    ]  # fmt: skip
    assert ids(user="somebody-else") == []
    assert ids(since=datetime.now() + timedelta(days=1)) == []
    assert ids(limit=2) == [zoe_craft.change_id, booking.change_id]
    assert ids(until=datetime.now() + timedelta(days=1)) == ids()
    assert ids(until=datetime.now() - timedelta(days=1)) == []
    # An action by the start of its name: "cancel" is a booking's cancellation too.
    assert ids(action="withdraw") == [sean.change_id, zoe_craft.change_id]
    assert ids(action="cancel") == [booking.change_id]
    assert ids(action="edit", learner=SEAN) == []
    # A batch: changes of its registrations, and of their bookings.
    assert ids(batch="1001") == [sean.change_id, zoe_craft.change_id, booking.change_id]
    assert ids(batch="1002") == []


def test_the_last_change_to_undo_is_the_users_own_latest_still_standing(store: Store) -> None:
    edit = made(edit_learner(store, ZOE, {"learner_reference": "Z1"}, today=TODAY).change)
    sean = made(statuses.withdraw(store, Selection((SEAN_HEALTH,))).change)
    assert last_own_change(store) == sean
    undone, undoing = undo_last(store)
    assert undone.change_id == sean.change_id and undoing.undoes == sean.change_id
    # The undo itself is not what undoing again undoes: it steps further back.
    assert made(last_own_change(store)).change_id == edit.change_id
    assert undo_last(store)[0].change_id == edit.change_id
    assert last_own_change(store) is None
    with pytest.raises(UserError, match="has no change to undo"):
        undo_last(store)


def test_undo_is_refused_naming_the_later_change(store: Store) -> None:
    first = made(edit_learner(store, ZOE, {"surname": "O'Brian"}, today=TODAY).change)
    later = made(edit_learner(store, ZOE, {"forename": "Zoe"}, today=TODAY).change)
    before = store.tables.checksums()
    with pytest.raises(UserError) as refused:
        undo(store, first.change_id)
    message = str(refused.value)
    assert f"change {first.change_id} cannot be undone: change {later.change_id}" in message
    assert f"edited learner {ZOE}: forename Zoë → Zoe" in message and "undo that first" in message
    assert store.tables.checksums() == before
    # Undone in reverse, both go.
    undo(store, later.change_id)
    undo(store, first.change_id)
    details = store.learners.get(ZOE)
    assert details is not None and (details.details["forename"], details.details["surname"]) == (
        "Zoë", "O'Brien")  # fmt: skip


def test_a_change_is_undone_once_and_an_undo_can_be_undone(store: Store) -> None:
    withdrawal = made(statuses.withdraw(store, Selection((ZOE_HEALTH,))).change)
    back = undo(store, withdrawal.change_id)
    assert back.undoes == withdrawal.change_id
    with pytest.raises(UserError, match=f"undone already, by change {back.change_id}"):
        undo(store, withdrawal.change_id)
    again = undo(store, back.change_id)
    assert (again.action, again.after) == ("undo", {"status": "withdrawn"})
    statuses_now = dict(
        store.tables.read("registrations").select("registration_id", "status").rows()
    )
    assert statuses_now[ZOE_HEALTH] == "withdrawn"


def test_undo_needs_the_role_of_the_change(store: Store) -> None:
    change = made(set_uln(store, SEAN, "1000000051", today=TODAY).change)
    as_role(store, "editor")
    with pytest.raises(RoleError, match="ULN admin role"):
        undo(store, change.change_id)
    with pytest.raises(UserError, match="there is no change 999"):
        undo(store, 999)


# -- the property: undoing in reverse restores every table --------------------------------

NAMES = ("Ann", "Bo", "Cy", "Dee", "Eli")
SURNAMES = ("Lee", "Ng", "Okafor", "Price", "Quinn")
FIELD_VALUES = {
    "forename": st.sampled_from(NAMES),
    "surname": st.sampled_from(SURNAMES),
    "learner_reference": st.sampled_from(("R1", "R22", "", "X 9")),
    "reasonable_adjustments": st.sampled_from(("25% extra time", "reader", "")),
    "date_of_birth": st.dates(min_value=datetime(2008, 1, 1).date(),
                              max_value=datetime(2012, 12, 31).date()).map(
        lambda day: f"{day:%d/%m/%Y}"),
}  # fmt: skip
REGISTRATIONS = st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=3)

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("edit"),
            st.sampled_from((ZOE, SEAN, AMY)),
            st.sampled_from(sorted(FIELD_VALUES)).flatmap(
                lambda name: FIELD_VALUES[name].map(lambda value: (name, value))
            ),
        ),
        st.tuples(st.just("withdraw"), REGISTRATIONS),
        st.tuples(st.just("unwithdraw"), REGISTRATIONS),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps)
def test_undoing_every_change_in_reverse_restores_every_table(
    template: Path, tmp_path: Path, chosen: list[tuple[Any, ...]]
) -> None:
    path = tmp_path / "property.duckdb"
    shutil.copyfile(template, path)
    with open_store(path) as store:
        start = store.tables.checksums(RECORD_TABLES, without=("version",))
        versions = store.tables.read("registrations")["version"].sum()
        done: list[Change] = []
        for step in chosen:
            change = _apply(store, step)
            if change is not None:
                done.append(change)
        for change in reversed(done):
            undo(store, change.change_id)
        assert store.tables.checksums(RECORD_TABLES, without=("version",)) == start
        assert store.tables.counts()["audit_log"] == 2 * len(done)
        if any(change.table == "registrations" for change in done):
            assert store.tables.read("registrations")["version"].sum() > versions


def _apply(store: Store, step: tuple[Any, ...]) -> Change | None:
    action = step[0]
    if action == "edit":
        learner, (name, value) = step[1], step[2]
        outcome = edit_learner(store, learner, {name: value}, confirmed=True, today=TODAY)
        return outcome.change
    wanted = "active" if action == "withdraw" else "withdrawn"
    current = dict(store.tables.read("registrations").select("registration_id", "status").rows())
    ids = tuple(sorted({i for i in step[1] if current[i] == wanted}))
    if not ids:
        return None
    job = statuses.withdraw if action == "withdraw" else statuses.unwithdraw
    return job(store, Selection(ids)).change
