"""The history of changes in plain words, and undo.

Every change is a :class:`~centredesk.store.records.Change`; :func:`describe` says in a line
what it did, showing only what changed ("edited learner 20000001: surname O'Brien →
O'Brian"), :func:`change_record` gives the same for scripts, and :func:`undo` applies its
inverse as a new change when the rules allow: never a cancellation (cancelled is final),
never a change that was undone already, never one whose records a later change touched
(that later change is named, to be undone first).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from centredesk.dates import UK_DATE, UK_DATE_TIME
from centredesk.errors import UserError
from centredesk.jobs.roles import require
from centredesk.store import Store
from centredesk.store.records import Change, HistoryFilters

FIELD_WORDS = {
    "forename": "forename",
    "surname": "surname",
    "date_of_birth": "date of birth",
    "uln": "ULN",
    "learner_reference": "learner reference",
    "reasonable_adjustments": "reasonable adjustments",
    "status": "status",
    "role": "role",
}
"""Fields as people call them; fields not listed (``person_key``) are not shown."""

NEVER_UNDONE: dict[str, str] = {
    "cancel": "a cancellation is final: a cancelled registration is never reinstated "
    "(register the learner afresh)",
    "cancel_booking": "a cancelled booking is final: book the learner again",
    "rollback": "a rolled-back import is not restored by undo: import the file again",
    "fix_row": "a fixed row loaded into an import is part of it: roll the import back to remove it",
    "grant": "roles are changed with `centredesk users`",
    "revoke": "roles are changed with `centredesk users`",
}
"""Actions undo refuses, and why."""
_UNDO_NEEDS = {"edit": "edit", "set_uln": "set_uln", "withdraw": "withdraw",
               "unwithdraw": "unwithdraw"}  # fmt: skip
"""Undoing a change needs the permission of the change itself."""


def list_history(store: Store, filters: HistoryFilters) -> list[Change]:
    """The changes ``filters`` pick, oldest first."""
    return store.history.changes(filters)


def text(value: Any) -> str:
    """A recorded value as people read it: dates day first, nothing as ``(none)``."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value).strftime(UK_DATE)
        except ValueError:
            return value
    return str(value)


def differences(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> str:
    """``surname O'Brien → O'Brian; ULN (none) → 1000000043``: only the fields shown."""
    before, after = before or {}, after or {}
    parts = [
        f"{FIELD_WORDS[name]} {text(before.get(name))} → {text(after.get(name))}"
        for name in (*after, *(name for name in before if name not in after))
        if name in FIELD_WORDS
    ]
    return "; ".join(parts)


def _registrations(change: Change) -> str:
    if change.record.startswith(("batch ", "registration ")):
        if change.record.startswith("batch "):
            noun = "registration" if change.records == 1 else "registrations"
            return f"{change.records:,} {noun} of {change.record}"
        return change.record
    return change.record


def describe(change: Change) -> str:
    """What the change did, in one line of plain words."""
    action = change.action
    if action == "edit":
        return f"edited learner {change.record}: {differences(change.before, change.after)}"
    if action == "set_uln":
        return f"set the ULN of learner {change.record}: {differences(change.before, change.after)}"
    if action in ("withdraw", "unwithdraw", "cancel"):
        verb = {"withdraw": "withdrew", "unwithdraw": "un-withdrew", "cancel": "cancelled"}[action]
        line = f"{verb} {_registrations(change)}"
        if action == "cancel":
            line += f": £{change.charges.charged} charged"
            if change.charges.credited:
                line += f", £{change.charges.credited} of registration fees credited"
        return line
    if action == "cancel_booking":
        return f"cancelled booking {change.record}"
    if action == "undo":
        what = differences(change.before, change.after)
        return f"undid change {change.undoes} on {_subject(change)}" + (f": {what}" if what else "")
    if action == "rollback":
        counts = dict(change.before or {})
        file_name = counts.pop("file_name", "")
        removed = ", ".join(f"{n:,} {table}" for table, n in counts.items())
        return f"rolled back import {change.record} ({file_name}): {removed or 'nothing'}"
    if action == "fix_row":
        import_id, _, row = change.record.partition(":")
        fixed = ", ".join(
            f"{header} {text((change.before or {}).get(header))} → {text(value)}"
            for header, value in (change.after or {}).items()
        )
        return f"loaded row {row} of import {import_id}" + (
            f" after fixing {fixed}" if fixed else ""
        )
    if action == "grant":
        was = (change.before or {}).get("role")
        return f"gave {change.record} the {(change.after or {}).get('role')} role" + (
            f" (was {was})" if was else ""
        )
    if action == "revoke":
        return f"took the {(change.before or {}).get('role')} role from {change.record}"
    return f"{action} {change.table} {change.record}"


def _subject(change: Change) -> str:
    noun = {"learners": "learner", "bookings": "booking", "users": "user"}.get(change.table)
    if noun is not None:
        return f"{noun} {change.record}"
    return _registrations(change)


def line(change: Change) -> str:
    """A history line: id, when, who, and what was done."""
    return (
        f"{change.change_id:>5}  {change.when:{UK_DATE_TIME}}  {change.who:<12} {describe(change)}"
    )


def change_record(change: Change) -> dict[str, Any]:
    """The change for scripts (``--format json``)."""
    return {
        "id": change.change_id,
        "when": change.when.isoformat(timespec="seconds"),
        "who": change.who,
        "action": change.action,
        "table": change.table,
        "record": change.record,
        "records": change.records,
        "before": _shown(change.before),
        "after": _shown(change.after),
        "charged": str(change.charges.charged),
        "credited": str(change.charges.credited),
        "undoes": change.undoes,
        "undone_by": change.undone_by,
        "import_id": change.import_id,
        "summary": describe(change),
    }


def _shown(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {name: value for name, value in values.items() if name != "person_key"}


def undo(store: Store, change_id: int) -> Change:
    """Undo one change by its history id, as a new change; refused, saying why, when the
    rules do not allow it."""
    change = store.history.change(change_id)
    if change is None:
        raise UserError(f"there is no change {change_id}: `centredesk history` lists them")
    root = change
    while root.action == "undo" and root.undoes is not None:
        undone = store.history.change(root.undoes)
        if undone is None:
            break
        root = undone
    if root.action in NEVER_UNDONE:
        raise UserError(f"change {change_id} cannot be undone: {NEVER_UNDONE[root.action]}")
    require(store, _UNDO_NEEDS.get(root.action, "edit"))
    if change.undone_by is not None:
        raise UserError(
            f"change {change_id} was undone already, by change {change.undone_by} "
            f"(undo change {change.undone_by} to do it again)"
        )
    blocking = standing_later_changes(store, change_id)
    if blocking:
        last = blocking[-1]
        more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
        raise UserError(
            f"change {change_id} cannot be undone: change {last.change_id} "
            f"({last.who}, {last.when:{UK_DATE_TIME}}: {describe(last)}) changed the same "
            f"records since{more}; undo that first"
        )
    return store.history.undo(change_id)


def last_own_change(store: Store) -> Change | None:
    """The acting user's latest change that still stands: not undone, and not itself an
    undo (so undoing again steps further back). None when they have made none."""
    user = store.acting_user
    for change in reversed(store.history.changes(HistoryFilters(user=user, limit=1000))):
        if change.action != "undo" and change.undone_by is None:
            return change
    return None


def undo_last(store: Store) -> tuple[Change, Change]:
    """Undo the acting user's latest change still standing (see :func:`last_own_change`):
    the change undone, and the undo. Refused, saying why, as :func:`undo` refuses."""
    last = last_own_change(store)
    if last is None:
        raise UserError(f"{store.acting_user} has no change to undo")
    return last, undo(store, last.change_id)


def standing_later_changes(store: Store, change_id: int) -> list[Change]:
    """Later changes to the records of ``change_id`` whose effect still stands, oldest first.

    A later change and its undo cancel out; so do an undo and its redo. Changes are
    grouped by the change their chain of undos began with: an odd number of them after
    ``change_id`` leaves the records changed since, and the latest of them is the one to
    undo first.
    """
    chains: dict[int, list[Change]] = {}
    for later in store.history.later_changes(change_id):
        root = later
        while root.action == "undo" and root.undoes is not None:
            undone = store.history.change(root.undoes)
            if undone is None:
                break
            root = undone
        chains.setdefault(root.change_id, []).append(later)
    standing = [members[-1] for members in chains.values() if len(members) % 2]
    return sorted(standing, key=lambda change: change.change_id)


def since(value: date) -> datetime:
    """The start of a day, for ``--since``."""
    return datetime(value.year, value.month, value.day)
