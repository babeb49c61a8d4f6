"""Changes: writing an audit entry with its records, reading it back as a
:class:`~centredesk.store.records.Change`, and the two statements every change of fields
is made of (set, and set back).

A change is one ``audit_log`` row (its ``audit_id`` is the history id) and one
``audit_records`` row per record it touched, each with the record's changed fields before
and after as JSON. The record operations (learners, registrations, bookings, users) write
through :func:`begin_change`/:func:`finish_change`; :func:`undo_fields` inverts any change of
fields in one statement, whatever its size.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from centredesk.store.errors import RefusedChange, StaleRecordError
from centredesk.store.records import Change, Charges
from centredesk.store.shared.connection import Connection
from centredesk.store.shared.dialect import Dialect
from centredesk.store.shared.refolding import refold

KEYS: dict[str, tuple[str, str]] = {
    "learners": ("learner_number", "BIGINT"),
    "registrations": ("registration_id", "BIGINT"),
    "bookings": ("booking_id", "BIGINT"),
    "users": ("os_user", "VARCHAR"),
}
"""The tables records change in: key column and its type."""

NOUNS = {
    "learners": "learner",
    "registrations": "registration",
    "bookings": "booking",
    "users": "user",
    "imports": "import",
}
"""What one record of a table is called in a message."""

_CHANGE_COLUMNS = """
    a.audit_id, a.changed_at, a.os_user, a.action, a.table_name, a.record_key, a.records,
    CAST(a.before AS VARCHAR), CAST(a.after AS VARCHAR), a.undoes, a.import_id,
    (SELECT min(u.audit_id) FROM audit_log u WHERE u.undoes = a.audit_id),
    (SELECT sum(c.amount) FILTER (WHERE c.amount > 0) FROM charges c
     WHERE c.audit_id = a.audit_id),
    (SELECT -sum(c.amount) FILTER (WHERE c.amount < 0) FROM charges c
     WHERE c.audit_id = a.audit_id),
    (SELECT count(*) FROM charges c WHERE c.audit_id = a.audit_id)
"""


def json_text(values: Mapping[str, Any] | None) -> str | None:
    """A mapping as the JSON the audit log holds: dates as ISO text, amounts as text."""
    if values is None:
        return None
    return json.dumps(dict(values), default=_json_value, ensure_ascii=False, sort_keys=True)


def _json_value(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot record {type(value).__name__} in the audit log")


def begin_change(
    con: Connection,
    user: str,
    *,
    action: str,
    table: str,
    record: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    records: int = 1,
    undoes: int | None = None,
    import_id: int | None = None,
) -> int:
    """Write the change's audit entry (inside the caller's transaction); its history id."""
    audit_id = int(con.execute("SELECT nextval('audit_id_seq')").fetchall()[0][0])
    con.execute(
        "INSERT INTO audit_log (audit_id, changed_at, os_user, table_name, record_key, action, "
        "before, after, records, undoes, import_id) "
        "VALUES (?, ?, ?, ?, ?, ?, CAST(? AS JSON), CAST(? AS JSON), ?, ?, ?)",
        [
            audit_id,
            datetime.now(),
            user,
            table,
            record,
            action,
            json_text(before),
            json_text(after),
            records,
            undoes,
            import_id,
        ],
    )
    return audit_id


def record_one(
    con: Connection,
    audit_id: int,
    table: str,
    key: object,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    """The audit record of a change of one record."""
    con.execute(
        "INSERT INTO audit_records VALUES (?, ?, ?, CAST(? AS JSON), CAST(? AS JSON))",
        [audit_id, table, str(key), json_text(before), json_text(after)],
    )


def finish_change(con: Connection, audit_id: int, records: int) -> Change:
    """Set how many records the change touched and read it back."""
    con.execute("UPDATE audit_log SET records = ? WHERE audit_id = ?", [records, audit_id])
    refold(con, audit_id)
    change = read_change(con, audit_id)
    assert change is not None
    return change


def read_change(con: Connection, audit_id: int) -> Change | None:
    found = read_changes(con, "a.audit_id = ?", [audit_id])
    return found[0] if found else None


def read_changes(
    con: Connection,
    where: str,
    params: Sequence[object],
    *,
    limit: int | None = None,
) -> list[Change]:
    """Changes matching ``where`` (on ``audit_log a``), oldest first; the latest ``limit``."""
    query = f"SELECT {_CHANGE_COLUMNS} FROM audit_log a WHERE {where} ORDER BY a.audit_id DESC"
    values = list(params)
    if limit is not None:
        query += " LIMIT ?"
        values.append(limit)
    rows = con.execute(query, values).fetchall()
    return [_change(row) for row in reversed(rows)]


def _change(row: tuple[Any, ...]) -> Change:
    (audit_id, when, who, action, table, record, records, before, after, undoes, import_id,
     undone_by, charged, credited, lines) = row  # fmt: skip
    return Change(
        change_id=int(audit_id),
        when=when,
        who=str(who),
        action=str(action),
        table=str(table),
        record=str(record),
        records=int(records),
        before=json.loads(before) if before is not None else None,
        after=json.loads(after) if after is not None else None,
        charges=Charges(
            charged=Decimal(charged or 0).quantize(Decimal("0.01")),
            credited=Decimal(credited or 0).quantize(Decimal("0.01")),
            lines=int(lines),
        ),
        undoes=None if undoes is None else int(undoes),
        undone_by=None if undone_by is None else int(undone_by),
        import_id=None if import_id is None else int(import_id),
    )


def last_change_of(con: Connection, table: str, key: object) -> Change | None:
    """The latest change that touched one record."""
    found = read_changes(
        con,
        "a.audit_id = (SELECT max(audit_id) FROM audit_records "
        "WHERE table_name = ? AND record_key = ?)",
        [table, str(key)],
    )
    return found[0] if found else None


def stale(con: Connection, table: str, key: object, expected: int, found: int) -> StaleRecordError:
    """The error for a record changed since it was read, naming who changed it and when."""
    last = last_change_of(con, table, key)
    return StaleRecordError(
        f"{NOUNS[table]} {key}",
        who=last.who if last else None,
        when=last.when if last else None,
        change_id=last.change_id if last else None,
        expected=expected,
        found=found,
    )


def column_types(con: Connection, table: str) -> dict[str, str]:
    """Column name -> SQL type of one of our tables."""
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
        [table],
    ).fetchall()
    return {str(name): str(kind) for name, kind in rows}


def undo_fields(
    con: Connection, dialect: Dialect, user: str, change: Change, *, action: str = "undo"
) -> Change:
    """Give every record of ``change`` its values before back, as one new change.

    One UPDATE over the change's audit records: each record must still hold the values the
    change gave it, or nothing is changed and :class:`RefusedChange` names the first that
    does not.
    """
    table = change.table
    key, key_type = KEYS[table]
    types = column_types(con, table)
    fields = [
        str(name)
        for (name,) in con.execute(
            f"SELECT DISTINCT {dialect.json_keys.format(json='after')} FROM audit_records "
            "WHERE audit_id = ?",
            [change.change_id],
        ).fetchall()
    ]
    unknown = [name for name in fields if name not in types or name in (key, "version")]
    if unknown or "version" not in types:
        raise RefusedChange(f"change {change.change_id} changed nothing that can be set back")

    def value(side: str, name: str) -> str:
        # Identifiers come from our own schema (checked above); values from the records.
        return f"CAST({dialect.json_field.format(json=f'r.{side}', name=name)} AS {types[name]})"

    def has(side: str, name: str) -> str:
        return dialect.json_has.format(json=f"r.{side}", name=name)

    sets = ", ".join(
        f"{name} = CASE WHEN {has('before', name)} THEN {value('before', name)} ELSE t.{name} END"
        for name in fields
    )
    holds = " AND ".join(
        f"(NOT {has('after', name)} OR t.{name} IS NOT DISTINCT FROM {value('after', name)})"
        for name in fields
    )
    matched = f"r.audit_id = ? AND t.{key} = CAST(r.record_key AS {key_type})"
    unchanged = con.execute(
        f"SELECT count(*), min(r.record_key) FILTER (WHERE NOT ({holds})) "
        f"FROM {table} t JOIN audit_records r ON {matched}",
        [change.change_id],
    ).fetchall()[0]
    present, differing = int(unchanged[0]), unchanged[1]
    if differing is not None or present != change.records:
        what = (
            f"{NOUNS[table]} {differing} no longer holds the values it gave"
            if differing is not None
            else f"{change.records - present:,} of its records no longer exist"
        )
        raise RefusedChange(f"change {change.change_id} cannot be undone: {what}")
    audit_id = begin_change(
        con,
        user,
        action=action,
        table=table,
        record=change.record,
        before=change.after,
        after=change.before,
        records=change.records,
        undoes=change.change_id,
    )
    con.execute(
        "INSERT INTO audit_records SELECT ?, table_name, record_key, after, before "
        "FROM audit_records WHERE audit_id = ?",
        [audit_id, change.change_id],
    )
    updated = con.execute(
        f"UPDATE {table} t SET {sets}, version = t.version + 1 FROM audit_records r "
        f"WHERE {matched}",
        [change.change_id],
    ).fetchall()[0][0]
    if int(updated) != change.records:  # pragma: no cover - guarded by the count above
        raise RefusedChange(f"change {change.change_id} could not be undone; nothing changed")
    return finish_change(con, audit_id, change.records)
