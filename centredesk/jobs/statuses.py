"""Withdraw, un-withdraw and cancel registrations (one, a set or a batch); cancel a booking.

Each action is previewed first (:func:`preview`: which registrations it changes, which it
leaves as they are, and for a cancellation what each costs or is credited and why), then
done as one statement over the whole selection, in one transaction with its audit entry and
charges, guarded by the versions the preview read: if anything changed in between, nothing
is done and the user is told who changed what.

Withdrawing is free and can be undone; cancelling is final and costs money, so the
cancellation job refuses to run unless the caller says the user confirmed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from centredesk.charges import BATCH_CHARGE, INDIVIDUAL_CHARGE, CancellationPlan, plan_cancellation
from centredesk.errors import UserError
from centredesk.jobs.progress import NO_PROGRESS, Progress
from centredesk.jobs.roles import require
from centredesk.store import Store
from centredesk.store.records import Change, Selection

_APPLIES_TO = {
    "withdraw": ("active",),
    "unwithdraw": ("withdrawn",),
    "cancel": ("active", "withdrawn"),
}
_VERBS = {"withdraw": "withdrawn", "unwithdraw": "un-withdrawn", "cancel": "cancelled"}
_STAGES = {"withdraw": "withdrawing", "unwithdraw": "un-withdrawing", "cancel": "cancelling"}


class ConfirmationNeeded(UserError):
    """A final or costly action was asked for without the user's confirmation."""


@dataclass(frozen=True)
class Preview:
    """What an action on a selection would do, before it is done."""

    action: str
    selection: Selection
    changing: pl.DataFrame
    """The registrations it changes (as ``store.registrations.selected`` gives them)."""
    left_alone: dict[str, int]
    """Status -> how many of a batch's registrations it leaves as they are."""
    plan: CancellationPlan | None = None
    """For a cancellation: what each registration costs or is credited, and why."""

    @property
    def count(self) -> int:
        return self.changing.height

    def expected_versions(self) -> dict[int, int]:
        """Registration id -> version as the preview read it."""
        ids = self.changing.get_column("registration_id").to_list()
        return dict(zip(ids, self.changing.get_column("version").to_list(), strict=True))

    def only_changing(self) -> Preview:
        """The same preview over only the registrations it changes: chosen ones in another
        state are left as they are (as a batch's are) instead of refusing the whole choice.
        A screen that has shown the summary acts on this."""
        if self.selection.whole_batch or not self.left_alone:
            return self
        ids = tuple(int(key) for key in self.changing.get_column("registration_id").to_list())
        return replace(self, selection=Selection(ids))

    def summary(self) -> str:
        """One line: ``3 registrations of batch 1001 at centre 100001 will be withdrawn``."""
        noun = "registration" if self.count == 1 else "registrations"
        line = f"{self.count:,} {noun}"
        if self.selection.whole_batch:
            line += f" of {self.selection.describe()}"
        line += f" will be {_VERBS[self.action]}"
        if self.left_alone:
            kept = ", ".join(f"{n:,} {status}" for status, n in sorted(self.left_alone.items()))
            line += f" ({kept} left as they are)"
        return line

    def cancellation_lines(self, limit: int | None = None) -> list[str]:
        """A cancellation in words, before it is confirmed: each registration with what it
        costs or is credited and why (the first ``limit``), the totals, and that it is
        final."""
        plan = self.plan
        assert plan is not None, "only a cancellation has charges"
        lines = [f"{self.summary()}."]
        rows = self.changing.join(plan.registrations, on="registration_id", how="left")
        for line in rows.head(limit if limit is not None else rows.height).iter_rows(named=True):
            charge = f"£{line['charge']}" if line["charge"] is not None else "in the batch charge"
            credit = f", credit £{line['credit']}" if line["credited"] else ""
            lines.append(
                f"  {line['registration_id']:>8}  {line['forename']} {line['surname']}, "
                f"{line['product_code']}: {charge}{credit} ({line['reason']})"
            )
        if limit is not None and rows.height > limit:
            lines.append(f"  … and {rows.height - limit:,} more")
        if self.selection.whole_batch:
            fee = f"£{plan.charged} (£{BATCH_CHARGE} once, for the whole batch)"
        else:
            fee = f"£{plan.charged} ({self.count:,} × £{INDIVIDUAL_CHARGE})"
        lines.append(f"Cancellation charge: {fee}.")
        lines.append(
            f"Registration fees credited: £{plan.credited} ({plan.credited_count:,} cancelled "
            "within 5 working days of registration)."
        )
        lines.append("Cancelling is final: a cancelled registration can never be reinstated.")
        return lines


@dataclass(frozen=True)
class StatusOutcome:
    """What an action did (``change``), or would do (a dry run: ``change`` is None)."""

    preview: Preview
    change: Change | None


def _check_selection(selection: Selection) -> None:
    if selection.whole_batch:
        if not selection.batch or not selection.centre:
            raise UserError("a whole batch needs both --batch LABEL and --centre NUMBER")
    elif not selection.registration_ids:
        raise UserError("choose registrations (--registration ID …) or a batch (--batch/--centre)")


def preview(
    store: Store, action: str, selection: Selection, *, today: date | None = None
) -> Preview:
    """What ``action`` (withdraw, unwithdraw, cancel) would do to ``selection``."""
    _check_selection(selection)
    selected = store.registrations.selected(selection)
    if not selection.whole_batch:
        missing = sorted(set(selection.registration_ids) - set(selected["registration_id"]))
        if missing:
            raise UserError(f"there is no registration {missing[0]}: check the registration id")
    elif selected.height == 0:
        raise UserError(
            f"there is no {selection.describe()}: check the batch label and centre number"
        )
    applies = pl.col("status").is_in(_APPLIES_TO[action])
    changing = selected.filter(applies)
    left = Counter(selected.filter(~applies).get_column("status").to_list())
    plan = None
    if action == "cancel":
        plan = plan_cancellation(
            changing, on=today or date.today(), whole_batch=selection.whole_batch
        )
    return Preview(action, selection, changing, dict(left), plan)


def withdraw(
    store: Store,
    selection: Selection,
    *,
    dry_run: bool = False,
    progress: Progress = NO_PROGRESS,
) -> StatusOutcome:
    """Withdraw active registrations: free, and undone by un-withdrawing."""
    require(store, "withdraw")
    return _act(store, preview(store, "withdraw", selection), dry_run, progress)


def unwithdraw(
    store: Store,
    selection: Selection,
    *,
    dry_run: bool = False,
    progress: Progress = NO_PROGRESS,
) -> StatusOutcome:
    """Make withdrawn registrations active again."""
    require(store, "unwithdraw")
    return _act(store, preview(store, "unwithdraw", selection), dry_run, progress)


def cancel(
    store: Store,
    shown: Preview,
    *,
    confirmed: bool,
    progress: Progress = NO_PROGRESS,
) -> StatusOutcome:
    """Cancel the registrations of a preview the user has seen and confirmed.

    Final: a cancelled registration is never reinstated. The charges recorded are the ones
    the preview showed; if any registration changed since the preview, nothing is done.
    """
    require(store, "cancel_batch" if shown.selection.whole_batch else "cancel")
    if shown.action != "cancel" or shown.plan is None:
        raise UserError("a cancellation needs a cancellation preview")
    if not confirmed:
        raise ConfirmationNeeded(
            f"cancelling {shown.selection.describe()} is final and costs "
            f"£{shown.plan.charged}: confirm it (--yes), or look first with --dry-run"
        )
    return _act(store, shown, False, progress)


def may_cancel(store: Store, selection: Selection) -> None:
    """Refuse early (before any preview is worked out) when the user may not cancel it."""
    require(store, "cancel_batch" if selection.whole_batch else "cancel")


def _act(store: Store, shown: Preview, dry_run: bool, progress: Progress) -> StatusOutcome:
    if shown.count == 0:
        states = " or ".join(_APPLIES_TO[shown.action])
        raise UserError(
            f"{shown.selection.describe()} has no {states} registrations: nothing to "
            f"{shown.action.replace('unwithdraw', 'un-withdraw')}"
        )
    if dry_run:
        return StatusOutcome(shown, None)
    registrations = store.registrations
    versions = shown.expected_versions()
    stage = _STAGES[shown.action]
    progress.step(stage, 0, shown.count)
    with store.transaction():
        if shown.action == "withdraw":
            change = registrations.withdraw(shown.selection, expected_versions=versions)
        elif shown.action == "unwithdraw":
            change = registrations.unwithdraw(shown.selection, expected_versions=versions)
        else:
            assert shown.plan is not None
            change = registrations.cancel(
                shown.selection,
                shown.plan.charges,
                on=shown.plan.on,
                expected_versions=versions,
            )
        # Still inside the transaction: a cancel asked for now leaves nothing written.
        progress.step(stage, shown.count, shown.count)
    return StatusOutcome(shown, change)


def cancel_booking(
    store: Store,
    booking_id: int,
    *,
    confirmed: bool,
    dry_run: bool = False,
    expected_version: int | None = None,
) -> tuple[dict[str, object], Change | None]:
    """Cancel one booking (it no longer counts as an attempt); final, so confirmed."""
    require(store, "cancel_booking")
    booking = store.bookings.get(booking_id)
    if booking is None:
        raise UserError(f"there is no booking {booking_id}: check the booking id")
    if booking["status"] != "Active":
        raise UserError(
            f"booking {booking_id} is {booking['status']}: only an Active booking can be cancelled"
        )
    if dry_run:
        return booking, None
    if not confirmed:
        raise ConfirmationNeeded(
            f"cancelling booking {booking_id} is final: confirm it (--yes), or look first "
            "with --dry-run"
        )
    version = booking["version"] if expected_version is None else expected_version
    assert isinstance(version, int)
    return booking, store.bookings.cancel(booking_id, expected_version=version)
