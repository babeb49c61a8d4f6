"""Registrations and bookings: withdraw, un-withdraw, cancel; cancel a booking.

A selection is chosen ids (a registered frame) or a whole batch of a centre; each action is
one INSERT of its audit records and one UPDATE over the selection, in one transaction with
its audit entry and charges: a batch of 100,000 costs two statements, not 100,000.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import date
from typing import Any

import polars as pl

from centredesk.store.errors import RefusedChange
from centredesk.store.interface import Bookings, Registrations
from centredesk.store.records import Change, Selection
from centredesk.store.shared.changes import (
    begin_change,
    finish_change,
    record_one,
    stale,
)
from centredesk.store.shared.connection import Connection, Session, frame
from centredesk.store.shared.dialect import Dialect

_TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "withdraw": (("active",), "withdrawn", "only an active registration can be withdrawn"),
    "unwithdraw": (("withdrawn",), "active", "only a withdrawn registration can be un-withdrawn"),
    "cancel": (
        ("active", "withdrawn"),
        "cancelled",
        "a cancelled registration cannot be cancelled again",
    ),
}
"""Action -> (statuses it applies to, the status it gives, why others are refused)."""

_SELECTED = """
    SELECT r.registration_id, r.learner_number, l.forename, l.surname, r.product_code,
           r.centre_number, r.batch_number,
           r.registration_date, r.status, r.version, p.registration_fee
    FROM registrations r JOIN learners l USING (learner_number)
    LEFT JOIN products p USING (product_code)
"""


@contextmanager
def registered(
    con: Connection, dialect: Dialect, frames: Mapping[str, pl.DataFrame]
) -> Iterator[None]:
    """Frames visible to SQL by name for a block (let go of afterwards)."""
    for name, rows in frames.items():
        con.register(name, rows)
    try:
        yield
    finally:
        for name in frames:
            # Inside a failed transaction this fails too, and would hide the real error.
            with suppress(dialect.error):
                con.unregister(name)


@contextmanager
def _chosen(
    con: Connection, dialect: Dialect, selection: Selection
) -> Iterator[tuple[str, list[object]]]:
    """The selection as a condition on ``registrations r`` and its parameters."""
    if selection.whole_batch:
        yield "r.centre_number = ? AND r.batch_number = ?", [selection.centre, selection.batch]
        return
    ids = pl.DataFrame({"registration_id": list(selection.registration_ids)}, schema={
        "registration_id": pl.Int64})  # fmt: skip
    with registered(con, dialect, {"chosen_registrations": ids}):
        yield "r.registration_id IN (SELECT registration_id FROM chosen_registrations)", []


class SharedRegistrations(Registrations):
    def __init__(self, session: Session, dialect: Dialect) -> None:
        self._session = session
        self._dialect = dialect

    def selected(self, selection: Selection) -> pl.DataFrame:
        con = self._session.con
        with _chosen(con, self._dialect, selection) as (where, params):
            return frame(con, f"{_SELECTED} WHERE {where} ORDER BY r.registration_id", params)

    def of_learners(self, learner_numbers: Sequence[int]) -> list[int]:
        con = self._session.con
        chosen = pl.DataFrame({"learner_number": list(learner_numbers)}, schema={
            "learner_number": pl.Int64})  # fmt: skip
        with registered(con, self._dialect, {"chosen_learners": chosen}):
            found = con.sql(
                "SELECT registration_id FROM registrations WHERE learner_number IN "
                "(SELECT learner_number FROM chosen_learners) ORDER BY registration_id"
            ).to_arrow_table()
        return [int(key) for key in found.column("registration_id").to_pylist()]

    def withdraw(
        self, selection: Selection, *, expected_versions: Mapping[int, int] | None = None
    ) -> Change:
        return self._set_status(selection, "withdraw", expected_versions)

    def unwithdraw(
        self, selection: Selection, *, expected_versions: Mapping[int, int] | None = None
    ) -> Change:
        return self._set_status(selection, "unwithdraw", expected_versions)

    def cancel(
        self,
        selection: Selection,
        charges: pl.DataFrame,
        *,
        on: date,
        expected_versions: Mapping[int, int] | None = None,
    ) -> Change:
        return self._set_status(selection, "cancel", expected_versions, charges, on)

    def _set_status(
        self,
        selection: Selection,
        action: str,
        expected_versions: Mapping[int, int] | None,
        charges: pl.DataFrame | None = None,
        on: date | None = None,
    ) -> Change:
        allowed, status, refusal = _TRANSITIONS[action]
        placeholders = ", ".join("?" for _ in allowed)
        dialect = self._dialect
        with (
            self._session.transaction() as con,
            _chosen(con, dialect, selection) as (where, params),
        ):
            if dialect.lock_rows:
                # Locked until the change commits, so a version read below is still current
                # when the UPDATE lands (another editor waits, then sees the new versions).
                con.execute(
                    f"SELECT 1 FROM registrations r WHERE {where}{dialect.lock_rows}", params
                )
            _check_chosen(con, selection, where, params, allowed, refusal)
            if expected_versions:
                _check_versions(con, dialect, where, params, expected_versions)
            eligible = f"{where} AND r.status IN ({placeholders})"
            values = [*params, *allowed]
            count, first, last = con.execute(
                f"SELECT count(*), min(r.status), max(r.status) FROM registrations r "
                f"WHERE {eligible}",
                values,
            ).fetchall()[0]
            if not count:
                states = " or ".join(allowed)
                raise RefusedChange(
                    f"{selection.describe()} has no {states} registrations: nothing to {action}"
                )
            audit_id = begin_change(
                con,
                self._session.user,
                action=action,
                table="registrations",
                record=selection.describe(),
                before={"status": first} if first == last else None,
                after={"status": status},
                records=int(count),
            )
            con.execute(
                "INSERT INTO audit_records SELECT ?, 'registrations', "
                f"CAST(r.registration_id AS VARCHAR), {dialect.json_object}('status', r.status), "
                f"{dialect.json_object}('status', ?) FROM registrations r WHERE {eligible}",
                [audit_id, status, *values],
            )
            if charges is not None and on is not None:
                _record_charges(con, dialect, audit_id, charges, on)
            updated = con.execute(
                f"UPDATE registrations r SET status = ?, version = r.version + 1 WHERE {eligible}",
                [status, *values],
            ).fetchall()[0][0]
            if int(updated) != count:  # pragma: no cover - same condition, same transaction
                raise RefusedChange(f"{selection.describe()} changed while it was being changed")
            return finish_change(con, audit_id, int(count))


def _check_chosen(
    con: Connection,
    selection: Selection,
    where: str,
    params: list[object],
    allowed: tuple[str, ...],
    refusal: str,
) -> None:
    """Chosen registrations must all exist and be in a state the action applies to."""
    if selection.whole_batch:
        return
    missing = con.execute(
        "SELECT min(registration_id), count(*) FROM chosen_registrations "
        "WHERE registration_id NOT IN (SELECT registration_id FROM registrations)"
    ).fetchall()[0]
    if missing[1]:
        more = f" (and {missing[1] - 1:,} more)" if missing[1] > 1 else ""
        raise RefusedChange(f"there is no registration {missing[0]}{more}")
    placeholders = ", ".join("?" for _ in allowed)
    wrong = con.execute(
        f"SELECT r.registration_id, r.status, count(*) OVER () FROM registrations r "
        f"WHERE {where} AND r.status NOT IN ({placeholders}) ORDER BY r.registration_id LIMIT 1",
        [*params, *allowed],
    ).fetchall()
    if wrong:
        key, status, how_many = wrong[0]
        more = f" (and {how_many - 1:,} more of those chosen)" if how_many > 1 else ""
        raise RefusedChange(f"registration {key} is {status}{more}: {refusal}; nothing changed")


def _check_versions(
    con: Connection,
    dialect: Dialect,
    where: str,
    params: list[object],
    expected_versions: Mapping[int, int],
) -> None:
    expected = pl.DataFrame(
        {"registration_id": list(expected_versions), "expected": list(expected_versions.values())},
        schema={"registration_id": pl.Int64, "expected": pl.Int64},
    )
    with registered(con, dialect, {"expected_versions": expected}):
        found = con.execute(
            "SELECT r.registration_id, e.expected, r.version FROM registrations r "
            f"JOIN expected_versions e USING (registration_id) WHERE {where} "
            "AND r.version <> e.expected ORDER BY r.registration_id LIMIT 1",
            params,
        ).fetchall()
    if found:
        key, was, now = found[0]
        raise stale(con, "registrations", key, int(was), int(now))


def _record_charges(
    con: Connection, dialect: Dialect, audit_id: int, charges: pl.DataFrame, on: date
) -> None:
    lines = charges.select(
        "kind",
        "amount",
        "centre_number",
        pl.col("registration_id").cast(pl.Int64),
        pl.col("batch_number").cast(pl.String),
        "reason",
    )
    with registered(con, dialect, {"incoming_charges": lines}):
        # Every line on a registration must be on one this change cancels.
        stray = con.execute(
            "SELECT min(registration_id) FROM incoming_charges WHERE registration_id IS NOT "
            "NULL AND CAST(registration_id AS VARCHAR) NOT IN (SELECT record_key FROM "
            "audit_records WHERE audit_id = ?)",
            [audit_id],
        ).fetchall()[0][0]
        if stray is not None:
            raise RefusedChange(
                f"the charges shown include registration {stray}, which this cancellation "
                "does not cancel: look at the selection again"
            )
        con.execute(
            "INSERT INTO charges SELECT (SELECT coalesce(max(charge_id), 0) FROM charges) "
            "+ row_number() OVER (), ?, ?, centre_number, kind, amount, registration_id, "
            "batch_number, reason FROM incoming_charges",
            [audit_id, on],
        )


class SharedBookings(Bookings):
    def __init__(self, session: Session, dialect: Dialect) -> None:
        self._session = session
        self._dialect = dialect

    def get(self, booking_id: int) -> dict[str, object] | None:
        found = self._session.con.execute(
            "SELECT b.booking_id, b.registration_id, r.learner_number, r.product_code, "
            "b.assessment, b.session_date, b.status, b.attempt, b.version "
            "FROM bookings b JOIN registrations r USING (registration_id) WHERE b.booking_id = ?",
            [booking_id],
        ).fetchall()
        if not found:
            return None
        names = (
            "booking_id", "registration_id", "learner_number", "product_code", "assessment",
            "session_date", "status", "attempt", "version",
        )  # fmt: skip
        return dict(zip(names, found[0], strict=True))

    def cancel(self, booking_id: int, *, expected_version: int | None = None) -> Change:
        with self._session.transaction() as con:
            found = con.execute(
                f"SELECT status, version FROM bookings WHERE booking_id = ?"
                f"{self._dialect.lock_rows}",
                [booking_id],
            ).fetchall()
            if not found:
                raise RefusedChange(f"there is no booking {booking_id}")
            status, version = found[0]
            if expected_version is not None and expected_version != version:
                raise stale(con, "bookings", booking_id, expected_version, int(version))
            if status != "Active":
                raise RefusedChange(
                    f"booking {booking_id} is {status}: only an Active booking can be cancelled"
                )
            before: dict[str, Any] = {"status": status}
            after: dict[str, Any] = {"status": "Cancelled"}
            audit_id = begin_change(
                con,
                self._session.user,
                action="cancel_booking",
                table="bookings",
                record=str(booking_id),
                before=before,
                after=after,
            )
            record_one(con, audit_id, "bookings", booking_id, before, after)
            con.execute(
                "UPDATE bookings SET status = 'Cancelled', version = version + 1 "
                "WHERE booking_id = ?",
                [booking_id],
            )
            return finish_change(con, audit_id, 1)
