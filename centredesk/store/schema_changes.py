"""The schema migration that lets records be changed: versions, the audit trail, charges,
roles, and what an import overwrote.

Kept apart from :mod:`~centredesk.store.schema` (which numbers it among the migrations)
because it is long and reads as one piece; every statement is one both backends accept:

- ``learners``, ``registrations`` and ``bookings`` gain ``version``, raised by every change,
  so a change made from a stale copy is refused instead of overwriting someone else's.
- ``audit_log`` holds one entry per change (its ``audit_id`` is the history id people
  see); ``audit_records`` holds each record the change touched, with its values before and
  after, so a change of a 100,000-registration batch is one entry and one statement.
- ``charges`` holds what a cancellation cost and credited, with the change it came with.
- ``users`` gives each OS user a role; whoever made the database is its admin.
- ``import_upserts`` records every catalogue row an import wrote, with the row as it was
  before (null when the import added it), so rolling the import back can restore it.
- ``last_keys`` remembers the highest key each table ever handed out, so a key freed by a
  rollback is never given to another record (its history would otherwise follow it).
"""

from __future__ import annotations

from centredesk.charges import CHARGE_KINDS
from centredesk.store.records import ROLES


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"CHECK ({column} IN ({quoted}))"


KEYED_TABLES = {
    "learners": ("learner_number", 20000000),
    "registrations": ("registration_id", 0),
    "bookings": ("booking_id", 0),
    "results": ("result_id", 0),
}
"""Tables whose keys the store hands out: key column and the key before the first one."""


RECORD_CHANGES: list[str] = [
    "ALTER TABLE learners ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE registrations ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE bookings ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
    # How many records the change touched, the change it undoes, the import it concerns.
    "ALTER TABLE audit_log ADD COLUMN records BIGINT NOT NULL DEFAULT 1",
    "ALTER TABLE audit_log ADD COLUMN undoes BIGINT",
    "ALTER TABLE audit_log ADD COLUMN import_id BIGINT",
    """
    CREATE TABLE audit_records (
        audit_id   BIGINT NOT NULL,
        table_name VARCHAR NOT NULL,
        record_key VARCHAR NOT NULL,
        before     JSON,
        after      JSON
    )
    """,
    f"""
    CREATE TABLE charges (
        charge_id       BIGINT PRIMARY KEY,
        audit_id        BIGINT NOT NULL,
        charged_on      DATE NOT NULL,
        centre_number   VARCHAR NOT NULL,
        kind            VARCHAR NOT NULL {_one_of("kind", CHARGE_KINDS)},
        -- positive: the centre pays; negative: credited to the centre
        amount          DECIMAL(8, 2) NOT NULL,
        registration_id BIGINT,
        batch_number    VARCHAR,
        reason          VARCHAR NOT NULL
    )
    """,
    f"""
    CREATE TABLE users (
        os_user    VARCHAR PRIMARY KEY,
        role       VARCHAR NOT NULL {_one_of("role", ROLES)},
        granted_by VARCHAR NOT NULL,
        granted_at TIMESTAMP NOT NULL DEFAULT current_timestamp
    )
    """,
    # Whoever imported first made the database: its admin. Others who imported before
    # roles existed keep importing, as editors.
    """
    INSERT INTO users (os_user, role, granted_by)
    SELECT os_user, CASE WHEN first = (SELECT min(import_id) FROM imports)
                         THEN 'admin' ELSE 'editor' END, 'centredesk'
    FROM (SELECT os_user, min(import_id) AS first FROM imports GROUP BY os_user) AS firsts
    """,
    # Rows of a file already in the store from an earlier import: accepted, not loaded again.
    "ALTER TABLE imports ADD COLUMN rows_already_loaded INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE imports ADD COLUMN rolled_back_by BIGINT",
    # A rejected row loaded since: fixed in place (the change), or by a later import.
    "ALTER TABLE rejected_rows ADD COLUMN fixed_by BIGINT",
    "ALTER TABLE rejected_rows ADD COLUMN loaded_in BIGINT",
    """
    CREATE TABLE import_upserts (
        import_id  BIGINT NOT NULL,
        table_name VARCHAR NOT NULL,
        record_key VARCHAR NOT NULL,
        before     JSON,
        PRIMARY KEY (import_id, table_name, record_key)
    )
    """,
    """
    CREATE TABLE last_keys (
        table_name VARCHAR PRIMARY KEY,
        last_key   BIGINT NOT NULL
    )
    """,
]
