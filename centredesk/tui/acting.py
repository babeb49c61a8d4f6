"""The app's changes, each the same few steps: the job's preview, a confirmation in the job's
own words, the job, and a notice of what it did.

Withdrawing, un-withdrawing and cancelling registrations, cancelling a booking, rolling back
an import and undoing a change. Every decision is the job's (:mod:`centredesk.jobs`): the
role needed, what a selection changes and leaves alone, what a cancellation costs and why,
whether a change can be undone. A refusal is shown as the job wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rich.markup import escape

from centredesk.errors import UserError
from centredesk.jobs import statuses
from centredesk.jobs.history import describe, undo, undo_last
from centredesk.jobs.import_history import RollbackOutcome, rollback_import
from centredesk.jobs.progress import Progress
from centredesk.jobs.roles import require
from centredesk.store import Store
from centredesk.store.records import Change, Selection
from centredesk.tui.screens.confirm import ConfirmScreen
from centredesk.tui.writing import ChangesStore

SHOWN_LINES = 200
"""Registrations a cancellation's confirmation lists one by one; the totals count them all."""
VERBS = {"withdraw": "Withdraw", "unwithdraw": "Un-withdraw", "cancel": "Cancel"}
DOING = {"withdraw": "Withdrawing", "unwithdraw": "Un-withdrawing", "cancel": "Cancelling"}


@dataclass(frozen=True)
class Chosen:
    """What the user selected in a table: rows by key, or a whole batch of a centre.

    ``view`` says what the keys are: registration ids, or learner numbers (an action on
    learners acts on their registrations).
    """

    view: str
    keys: tuple[int, ...] = ()
    batch: str | None = None
    centre: str | None = None

    def selection(self, store: Store) -> Selection:
        """The registrations the job acts on."""
        if self.batch is not None and self.centre is not None:
            return Selection.of_batch(self.batch, self.centre)
        if self.view == "learners":
            return Selection(tuple(store.registrations.of_learners(self.keys)))
        return Selection(self.keys)


def notify_refusal(host: ChangesStore, error: UserError) -> None:
    """A job's refusal, as it wrote it (the role needed, why an undo cannot be done)."""
    host.app.notify(str(error), title="Not done", severity="error", timeout=12)


def notify_change(host: ChangesStore, change: Change, *, title: str = "Done") -> None:
    host.app.notify(f"Change {change.change_id}: {describe(change)}.", title=title, timeout=8)


# -- withdraw, un-withdraw, cancel -------------------------------------------------------


def status_flow(
    host: ChangesStore, action: str, chosen: Chosen, after: Callable[[Change], None]
) -> None:
    """Withdraw, un-withdraw or cancel what is chosen: preview, confirm, act."""
    today = host.database.today

    def preview(store: Store) -> statuses.Preview:
        selection = chosen.selection(store)
        if action == "cancel":
            statuses.may_cancel(store, selection)
        else:
            require(store, action)
        return statuses.preview(store, action, selection, today=today).only_changing()

    def confirm(shown: statuses.Preview) -> None:
        if shown.count == 0:
            host.app.notify(f"{shown.summary()}: nothing to {VERBS[action].lower()}.", timeout=8)
            return
        if action == "cancel":
            lines = shown.cancellation_lines(SHOWN_LINES)
            title = f"Cancel {_registrations(shown.count)}?"
            # One registration a paragraph, marked, as a narrow screen wraps it.
            body = "\n".join(
                escape(f"• {line.strip()}" if line.startswith("  ") else line)
                for line in lines[:-1]
            )
            body += f"\n[b $text-error]{escape(lines[-1])}[/]"
            screen = ConfirmScreen(title, body, yes="Cancel them for good", no="Keep them",
                                   danger=True)  # fmt: skip
        else:
            undone_by = "un-withdrawing" if action == "withdraw" else "withdrawing"
            body = (
                f"{escape(shown.summary())}.\nIt is free and can be undone (ctrl+z, or "
                f"{undone_by} them)."
            )
            screen = ConfirmScreen(f"{VERBS[action]} {_registrations(shown.count)}?", body,
                                   yes=VERBS[action])  # fmt: skip
        host.app.push_screen(screen, lambda yes: act(shown) if yes else None)

    def act(shown: statuses.Preview) -> None:
        def job(store: Store, progress: Progress) -> statuses.StatusOutcome:
            if action == "cancel":
                return statuses.cancel(store, shown, confirmed=True, progress=progress)
            run = statuses.withdraw if action == "withdraw" else statuses.unwithdraw
            return run(store, shown.selection, progress=progress)

        def done(outcome: statuses.StatusOutcome) -> None:
            if outcome.change is not None:
                notify_change(host, outcome.change)
                after(outcome.change)

        host.write_store(job, done, name=action,
                         doing=f"{DOING[action]} {_registrations(shown.count)}",
                         failed=lambda error: notify_refusal(host, error))  # fmt: skip

    host.read_store(preview, confirm, name=f"preview_{action}", kind="preview",
                    failed=lambda error: notify_refusal(host, error))  # fmt: skip


def _registrations(count: int) -> str:
    return f"{count:,} registration" + ("" if count == 1 else "s")


# -- a booking ------------------------------------------------------------------------------


def cancel_booking_flow(host: ChangesStore, booking_id: int, after: Callable[[], None]) -> None:
    """Cancel one booking, after saying what it is and that it cannot be undone."""

    def preview(store: Store) -> dict[str, object]:
        booking, _ = statuses.cancel_booking(store, booking_id, confirmed=False, dry_run=True)
        return booking

    def confirm(booking: dict[str, object]) -> None:
        session = booking["session_date"]
        day = f"{session:%d/%m/%Y}" if isinstance(session, date) else str(session)
        body = (
            f"Booking {booking_id}: learner {booking['learner_number']}, "
            f"{escape(str(booking['product_code']))} {escape(str(booking['assessment']))} "
            f"on {day} (attempt {booking['attempt']}).\n"
            "It no longer counts as an attempt.\n"
            "[b $text-error]A cancelled booking is final: it cannot be undone; book the "
            "learner again if need be.[/]"
        )
        version = booking["version"]
        assert isinstance(version, int)
        host.app.push_screen(
            ConfirmScreen(f"Cancel booking {booking_id}?", body, yes="Cancel the booking",
                          no="Keep it", danger=True),
            lambda yes: act(version) if yes else None,
        )  # fmt: skip

    def act(version: int) -> None:
        def job(store: Store, progress: Progress) -> Change | None:
            _, change = statuses.cancel_booking(
                store, booking_id, confirmed=True, expected_version=version
            )
            return change

        def done(change: Change | None) -> None:
            if change is not None:
                notify_change(host, change)
            after()

        host.write_store(job, done, name="cancel_booking", doing=f"Cancelling booking {booking_id}",
                         failed=lambda error: notify_refusal(host, error))  # fmt: skip

    host.read_store(preview, confirm, name="preview_cancel_booking", kind="preview",
                    failed=lambda error: notify_refusal(host, error))  # fmt: skip


# -- an import ------------------------------------------------------------------------------


def rollback_flow(host: ChangesStore, import_id: int, after: Callable[[Change], None]) -> None:
    """Roll an import back after saying what it removes, or say why it cannot be."""

    def preview(store: Store) -> RollbackOutcome:
        return rollback_import(store, import_id, confirmed=False, dry_run=True)

    def confirm(outcome: RollbackOutcome) -> None:
        summary = outcome.summary
        name = escape(summary.file_name)
        if outcome.dependents:
            listed = "\n".join(f"  • {escape(d.what)}" for d in outcome.dependents[:SHOWN_LINES])
            more = len(outcome.dependents) - SHOWN_LINES
            if more > 0:
                listed += f"\n  … and {more:,} more"
            host.app.push_screen(
                ConfirmScreen(
                    f"Import {import_id} cannot be rolled back",
                    f"Later data rests on import {import_id} ({name}):\n{listed}\n"
                    "Undo, cancel or roll back those first.",
                    yes=None,
                    no="Close",
                )
            )
            return
        loaded = summary.rows_accepted - summary.rows_already_loaded
        body = (
            f"Import {import_id}: [b]{name}[/b] ({summary.kind}), {summary.finished_at:%d/%m/%Y} "
            f"by {escape(summary.os_user)}.\n"
            f"Rolling it back removes the {loaded:,} rows it loaded (the learners it created, "
            "their registrations, bookings and results) and puts back the catalogue rows it "
            "added or overwrote, as they were.\n"
            "The import stays in the list, marked rolled back; the file can be imported again."
        )
        host.app.push_screen(
            ConfirmScreen(f"Roll back import {import_id}?", body, yes="Roll it back",
                          no="Keep it", danger=True),
            lambda yes: act() if yes else None,
        )  # fmt: skip

    def act() -> None:
        def job(store: Store, progress: Progress) -> RollbackOutcome:
            return rollback_import(store, import_id, confirmed=True, progress=progress)

        def done(outcome: RollbackOutcome) -> None:
            if outcome.change is not None:
                notify_change(host, outcome.change)
                after(outcome.change)

        host.write_store(job, done, name="rollback", doing=f"Rolling back import {import_id}",
                         failed=lambda error: notify_refusal(host, error))  # fmt: skip

    host.read_store(preview, confirm, name="preview_rollback", kind="preview",
                    failed=lambda error: notify_refusal(host, error))  # fmt: skip


# -- undo -----------------------------------------------------------------------------------


def undo_last_flow(host: ChangesStore, after: Callable[[Change], None]) -> None:
    """Undo the user's latest change still standing, and say what was undone."""

    def job(store: Store, progress: Progress) -> tuple[Change, Change]:
        return undo_last(store)

    def done(changes: tuple[Change, Change]) -> None:
        undone, undoing = changes
        host.app.notify(
            f"Undid change {undone.change_id}: {describe(undone)}.\n"
            f"(That is change {undoing.change_id}; undo it from the History tab to redo.)",
            title="Undone",
            timeout=10,
        )
        after(undoing)

    host.write_store(job, done, name="undo", doing="Undoing your last change",
                     failed=lambda error: notify_refusal(host, error))  # fmt: skip


def undo_flow(host: ChangesStore, change: Change, after: Callable[[Change], None]) -> None:
    """Undo one change of the history, after saying which."""

    def act() -> None:
        def job(store: Store, progress: Progress) -> Change:
            return undo(store, change.change_id)

        def done(undoing: Change) -> None:
            notify_change(host, undoing, title="Undone")
            after(undoing)

        host.write_store(job, done, name="undo", doing=f"Undoing change {change.change_id}",
                         failed=lambda error: notify_refusal(host, error))  # fmt: skip

    host.app.push_screen(
        ConfirmScreen(
            f"Undo change {change.change_id}?",
            f"{escape(change.who)}: {escape(describe(change))}.\n"
            "The undo is a change of its own, in the history, and can itself be undone.",
            yes="Undo it",
        ),
        lambda yes: act() if yes else None,
    )
