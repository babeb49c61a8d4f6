"""One learner: the record an edit form shows, and the edits made to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from centredesk.store.errors import RefusedChange, StoreError
from centredesk.store.interface import Learners
from centredesk.store.records import (
    EDITABLE_LEARNER_FIELDS,
    Change,
    LearnerRecord,
    UlnFilters,
    UlnPage,
)
from centredesk.store.shared.changes import begin_change, finish_change, record_one, stale
from centredesk.store.shared.connection import Session, frame
from centredesk.store.shared.dialect import Dialect
from centredesk.validation.values import ULN_PLACEHOLDER

_DETAILS = (
    "learner_number",
    "centre_number",
    "forename",
    "surname",
    "date_of_birth",
    "uln",
    "learner_reference",
    "reasonable_adjustments",
    "person_key",
)


class SharedLearners(Learners):
    def __init__(self, session: Session, dialect: Dialect) -> None:
        self._session = session
        self._dialect = dialect

    def get(self, learner_number: int) -> LearnerRecord | None:
        con = self._session.con
        found = con.execute(
            f"SELECT {', '.join(_DETAILS)}, version FROM learners WHERE learner_number = ?",
            [learner_number],
        ).fetchall()
        if not found:
            return None
        *values, version = found[0]
        registrations = frame(
            con,
            "SELECT registration_id, product_code, centre_number, batch_number, "
            "registration_date, status, version FROM registrations "
            "WHERE learner_number = ? ORDER BY registration_date, registration_id",
            [learner_number],
        )
        return LearnerRecord(dict(zip(_DETAILS, values, strict=True)), int(version), registrations)

    def holding_uln(self, uln: str, *, excluding: int | None = None) -> pl.DataFrame:
        return frame(
            self._session.con,
            "SELECT learner_number, centre_number, forename, surname, date_of_birth "
            "FROM learners WHERE uln = ? AND learner_number IS DISTINCT FROM ? "
            "ORDER BY learner_number",
            [uln, excluding],
        )

    def without_uln(self, filters: UlnFilters, *, offset: int = 0, limit: int = 50) -> UlnPage:
        where, params = _uln_conditions(filters)
        con = self._session.con
        total = con.execute(f"SELECT count(*) FROM learners l WHERE {where}", params).fetchall()
        in_bytes = self._dialect.byte_order
        page = frame(
            con,
            "SELECT l.learner_number, l.forename, l.surname, l.date_of_birth, l.uln, "
            f"l.centre_number, l.version FROM learners l WHERE {where} "
            f"ORDER BY lower(l.surname){in_bytes}, lower(l.forename){in_bytes}, "
            "l.learner_number LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return UlnPage(page, int(total[0][0]))

    def edit(
        self,
        learner_number: int,
        values: Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> Change:
        allowed = {*EDITABLE_LEARNER_FIELDS, "person_key"}
        if not set(values) <= allowed:
            raise StoreError(f"a learner edit cannot set {sorted(set(values) - allowed)}")
        return self._change(learner_number, dict(values), "edit", expected_version)

    def set_uln(
        self, learner_number: int, uln: str | None, *, expected_version: int | None = None
    ) -> Change:
        return self._change(learner_number, {"uln": uln}, "set_uln", expected_version)

    def _change(
        self,
        learner_number: int,
        values: dict[str, Any],
        action: str,
        expected_version: int | None,
    ) -> Change:
        names = list(values)
        with self._session.transaction() as con:
            found = con.execute(
                f"SELECT version, {', '.join(names)} FROM learners WHERE learner_number = ?"
                f"{self._dialect.lock_rows}",
                [learner_number],
            ).fetchall()
            if not found:
                raise RefusedChange(f"there is no learner {learner_number}")
            version, *current = found[0]
            if expected_version is not None and expected_version != version:
                raise stale(con, "learners", learner_number, expected_version, int(version))
            before = {
                name: old for name, old in zip(names, current, strict=True) if old != values[name]
            }
            after = {name: values[name] for name in before}
            if not after:
                raise RefusedChange(f"learner {learner_number} already has these details")
            audit_id = begin_change(
                con,
                self._session.user,
                action=action,
                table="learners",
                record=str(learner_number),
                before=before,
                after=after,
            )
            record_one(con, audit_id, "learners", learner_number, before, after)
            sets = ", ".join(f"{name} = ?" for name in after)
            con.execute(
                f"UPDATE learners SET {sets}, version = version + 1 WHERE learner_number = ?",
                [*after.values(), learner_number],
            )
            return finish_change(con, audit_id, 1)


def _uln_conditions(filters: UlnFilters) -> tuple[str, list[object]]:
    """The learners :meth:`SharedLearners.without_uln` lists, as a condition on ``l``."""
    clauses = ["(l.uln IS NULL OR l.uln = ?)"]
    params: list[object] = [ULN_PLACEHOLDER]
    if filters.surname:
        clauses.append("starts_with(lower(l.surname), ?)")
        params.append(filters.surname.strip().casefold())
    if filters.forename:
        clauses.append("starts_with(lower(l.forename), ?)")
        params.append(filters.forename.strip().casefold())
    # What a learner's registrations must show: any one registration holding them all.
    registration: list[str] = []
    if filters.product:
        registration.append("starts_with(lower(replace(r.product_code, '/', '')), ?)")
        params.append(filters.product.strip().casefold().replace("/", ""))
    if filters.batch:
        registration.append("r.batch_number = ?")
        params.append(filters.batch.strip())
    if filters.registered_from is not None:
        registration.append("r.registration_date >= ?")
        params.append(filters.registered_from)
    if filters.registered_to is not None:
        registration.append("r.registration_date <= ?")
        params.append(filters.registered_to)
    if registration:
        clauses.append(
            "EXISTS (SELECT 1 FROM registrations r WHERE r.learner_number = l.learner_number "
            f"AND {' AND '.join(registration)})"
        )
    return " AND ".join(clauses), params
