"""Withdraw, un-withdraw and cancel: one, a set, a batch; charges; cancelling a booking."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from change_fixtures import (
    AMY_HEALTH,
    BOOKING,
    CENTRE,
    SEAN_CRAFT,
    SEAN_HEALTH,
    TODAY,
    ZOE_CRAFT,
    ZOE_HEALTH,
    as_role,
)

from centredesk.errors import UserError
from centredesk.jobs import statuses
from centredesk.jobs.history import undo
from centredesk.jobs.progress import Cancelled, Progress
from centredesk.jobs.roles import RoleError
from centredesk.store import Store
from centredesk.store.errors import RefusedChange, StaleRecordError
from centredesk.store.records import Selection

BATCH_1001 = Selection.of_batch("1001", CENTRE)
"""Zoë's two registrations and Sean's two."""


def statuses_of(store: Store) -> dict[int, str]:
    frame = store.tables.read("registrations").sort("registration_id")
    return dict(frame.select("registration_id", "status").rows())


def test_withdraw_one_a_set_and_a_batch(store: Store) -> None:
    one = statuses.withdraw(store, Selection((AMY_HEALTH,)))
    assert one.change is not None and one.change.record == f"registration {AMY_HEALTH}"
    chosen = statuses.withdraw(store, Selection((ZOE_HEALTH, SEAN_HEALTH)))
    assert chosen.change is not None and chosen.change.records == 2
    batch = statuses.withdraw(store, BATCH_1001)
    # Of the batch, the two still active are withdrawn; the two withdrawn already are left.
    assert batch.change is not None and batch.change.records == 2
    assert batch.preview.left_alone == {"withdrawn": 2}
    assert batch.change.record == "batch 1001 at centre 100001"
    assert set(statuses_of(store).values()) == {"withdrawn"}
    versions = store.tables.read("registrations").sort("registration_id")["version"].to_list()
    assert versions == [2, 2, 2, 2, 2]


def test_only_an_active_registration_can_be_withdrawn(store: Store) -> None:
    statuses.withdraw(store, Selection((ZOE_HEALTH,)))
    before = store.tables.checksums()
    with pytest.raises(RefusedChange, match=rf"registration {ZOE_HEALTH} is withdrawn"):
        store.registrations.withdraw(Selection((ZOE_HEALTH, ZOE_CRAFT)))
    with pytest.raises(UserError, match="there is no registration 99"):
        statuses.withdraw(store, Selection((99,)))
    assert store.tables.checksums() == before


def test_only_a_withdrawn_registration_can_be_unwithdrawn(store: Store) -> None:
    with pytest.raises(UserError, match="has no withdrawn registrations"):
        statuses.unwithdraw(store, Selection((ZOE_HEALTH,)))
    statuses.withdraw(store, BATCH_1001)
    back = statuses.unwithdraw(store, Selection((ZOE_HEALTH,)))
    assert back.change is not None and back.change.action == "unwithdraw"
    assert statuses_of(store)[ZOE_HEALTH] == "active"
    assert statuses_of(store)[ZOE_CRAFT] == "withdrawn"


def test_a_batch_that_does_not_exist_is_named(store: Store) -> None:
    with pytest.raises(UserError, match="there is no batch 77 at centre 100001"):
        statuses.withdraw(store, Selection.of_batch("77", CENTRE))


def test_cancelling_chosen_registrations_costs_twenty_pounds_each(store: Store) -> None:
    shown = statuses.preview(store, "cancel", Selection((ZOE_HEALTH, ZOE_CRAFT)), today=TODAY)
    assert shown.plan is not None
    reasons = dict(shown.plan.registrations.select("registration_id", "reason").rows())
    assert reasons == {
        ZOE_HEALTH: "registered Fri 21/11/2025, 3 working days ago: fee credited",
        ZOE_CRAFT: "registered Mon 03/11/2025, 17 working days ago: more than 5 working "
        "days, no credit",
    }
    with pytest.raises(statuses.ConfirmationNeeded, match="final and costs £40.00"):
        statuses.cancel(store, shown, confirmed=False)
    assert statuses_of(store)[ZOE_HEALTH] == "active"
    done = statuses.cancel(store, shown, confirmed=True)
    assert done.change is not None
    assert (done.change.charges.charged, done.change.charges.credited) == (
        Decimal("40.00"), Decimal("45.00"))  # fmt: skip
    charges = store.tables.read("charges").sort("charge_id")
    assert charges.select("kind", "amount", "registration_id").rows() == [
        ("cancellation", Decimal("20.00"), ZOE_HEALTH),
        ("cancellation", Decimal("20.00"), ZOE_CRAFT),
        ("fee credit", Decimal("-45.00"), ZOE_HEALTH),
    ]
    assert set(charges["audit_id"]) == {done.change.change_id}
    assert set(charges["charged_on"]) == {TODAY}


def test_cancelling_a_whole_batch_costs_twenty_five_pounds_once(store: Store) -> None:
    shown = statuses.preview(store, "cancel", BATCH_1001, today=TODAY)
    done = statuses.cancel(store, shown, confirmed=True)
    assert done.change is not None and done.change.records == 4
    # Sean's two were registered on Tuesday 25/11: one working day, both fees credited;
    # Zoë's health award 3 working days ago is credited, her craft award is not.
    assert done.change.charges.charged == Decimal("25.00")
    assert done.change.charges.credited == Decimal("45.00") + Decimal("45.00") + Decimal("30.00")
    kinds = store.tables.read("charges").group_by("kind").len().sort("kind").rows()
    assert kinds == [("batch cancellation", 1), ("fee credit", 3)]
    assert {statuses_of(store)[r] for r in (ZOE_HEALTH, ZOE_CRAFT, SEAN_HEALTH, SEAN_CRAFT)} == {
        "cancelled"
    }


def test_a_cancellation_is_never_undone_and_never_repeated(store: Store) -> None:
    shown = statuses.preview(store, "cancel", Selection((AMY_HEALTH,)), today=TODAY)
    done = statuses.cancel(store, shown, confirmed=True)
    assert done.change is not None
    with pytest.raises(UserError, match="a cancelled registration is never reinstated"):
        undo(store, done.change.change_id)
    with pytest.raises(UserError, match="has no active or withdrawn registrations"):
        statuses.cancel(
            store,
            statuses.preview(store, "cancel", Selection((AMY_HEALTH,)), today=TODAY),
            confirmed=True,
        )
    with pytest.raises(RefusedChange, match="cannot be cancelled again"):
        store.registrations.cancel(Selection((AMY_HEALTH,)), shown.plan.charges, on=TODAY)  # type: ignore[union-attr]


def test_a_cancellation_shown_before_a_change_elsewhere_is_refused(store: Store) -> None:
    shown = statuses.preview(store, "cancel", Selection((ZOE_HEALTH,)), today=TODAY)
    statuses.withdraw(store, Selection((ZOE_HEALTH,)))
    before = store.tables.checksums()
    with pytest.raises(StaleRecordError, match=f"registration {ZOE_HEALTH} was changed by"):
        statuses.cancel(store, shown, confirmed=True)
    assert store.tables.checksums() == before


def test_a_batch_cancellation_needs_an_admin(store: Store) -> None:
    as_role(store, "editor")
    shown = statuses.preview(store, "cancel", BATCH_1001, today=TODAY)
    with pytest.raises(RoleError, match="cancelling a whole batch needs the admin role"):
        statuses.cancel(store, shown, confirmed=True)
    chosen = statuses.preview(store, "cancel", Selection((ZOE_HEALTH,)), today=TODAY)
    assert statuses.cancel(store, chosen, confirmed=True).change is not None


def test_a_cancel_asked_for_during_the_write_leaves_nothing(store: Store) -> None:
    before = store.tables.checksums()
    progress = Progress()

    def stop_while_writing(stage: str, done: int, total: int) -> None:
        # Told the write is starting: the user presses cancel while it runs.
        if done == 0:
            progress.cancel.set()

    progress.callback = stop_while_writing
    shown = statuses.preview(store, "cancel", BATCH_1001, today=TODAY)
    with pytest.raises(Cancelled):
        statuses.cancel(store, shown, confirmed=True, progress=progress)
    assert store.tables.checksums() == before


def test_cancelling_a_booking(store: Store) -> None:
    booking, change = statuses.cancel_booking(store, BOOKING, confirmed=True)
    assert booking["status"] == "Active" and change is not None
    assert (change.action, change.before, change.after) == (
        "cancel_booking", {"status": "Active"}, {"status": "Cancelled"})  # fmt: skip
    found = store.bookings.get(BOOKING)
    assert found is not None and found["status"] == "Cancelled" and found["version"] == 2
    with pytest.raises(UserError, match="only an Active booking can be cancelled"):
        statuses.cancel_booking(store, BOOKING, confirmed=True)
    with pytest.raises(UserError, match="never undone|is final"):
        undo(store, change.change_id)
    with pytest.raises(UserError, match="there is no booking 42"):
        statuses.cancel_booking(store, 42, confirmed=True)


def test_a_cancelled_booking_no_longer_counts_as_an_attempt(store: Store, tmp_path: Path) -> None:
    from centredesk.jobs.checked_file import read_and_validate

    rebook = tmp_path / "rebook.csv"
    rebook.write_text(
        "Centre Number,Learner Number,Product Code,Assessment,Session Date\n"
        "100001,20000001,603/0862/X,EA1,12/05/2026\n",
        encoding="utf-8",
    )
    # While the booking stands, another file booking the same sitting is a duplicate.
    standing = read_and_validate(rebook, store=store, today=TODAY)
    assert (standing.errors, standing.already) == (1, 0)
    assert standing.validated.issues["code"].to_list() == ["BOOKING_DUPLICATE"]
    statuses.cancel_booking(store, BOOKING, confirmed=True)
    again = read_and_validate(rebook, store=store, today=TODAY)
    assert (again.errors, again.already) == (0, 0)
    assert again.validated.parsed["attempt"].to_list() == [1]


def test_a_preview_of_chosen_registrations_can_act_on_only_those_it_changes(
    store: Store,
) -> None:
    statuses.withdraw(store, Selection((SEAN_HEALTH,)))
    chosen = Selection((ZOE_HEALTH, SEAN_HEALTH, AMY_HEALTH))
    shown = statuses.preview(store, "withdraw", chosen, today=TODAY).only_changing()
    assert shown.selection == Selection((ZOE_HEALTH, AMY_HEALTH))
    assert shown.summary() == "2 registrations will be withdrawn (1 withdrawn left as they are)"
    assert statuses.withdraw(store, shown.selection).change is not None
    # A batch is acted on as a batch: nothing to narrow.
    batch = statuses.preview(store, "unwithdraw", Selection.of_batch("1001", CENTRE))
    assert batch.only_changing() is batch


def test_a_cancellation_says_what_each_costs_and_that_it_is_final(store: Store) -> None:
    shown = statuses.preview(store, "cancel", Selection((ZOE_HEALTH, ZOE_CRAFT)), today=TODAY)
    lines = shown.cancellation_lines(limit=1)
    assert lines[0] == "2 registrations will be cancelled."
    assert "credit £45.00" in lines[1] and "3 working days ago: fee credited" in lines[1]
    assert lines[2] == "  … and 1 more"
    assert lines[3] == "Cancellation charge: £40.00 (2 × £20.00)."
    assert lines[-1] == "Cancelling is final: a cancelled registration can never be reinstated."
