"""Migrating a PostgreSQL database: the shared migrations of :mod:`centredesk.store.schema`,
run in PostgreSQL's dialect.

Several people may start centredesk at once on a database that needs migrating: an advisory
lock lets one of them migrate while the others wait, then find nothing left to do.
"""

from __future__ import annotations

from collections.abc import Callable

from centredesk.store.errors import StoreError
from centredesk.store.folded import FOLDED, with_folded
from centredesk.store.pg_store.session import Session
from centredesk.store.schema import (
    FOLD_STORED_NAMES,
    SCHEMA_VERSION,
    SCHEMA_VERSION_TABLE,
    Computed,
    statements,
)
from centredesk.validation.identity import with_person_key

MIGRATION_LOCK = 0x63646D67  # "cdmg": any constant of our own, shared by every centredesk
"""The advisory lock held while a database is migrated."""


def _fold_stored_names(session: Session) -> None:
    learners = session.frame(
        "SELECT learner_number, forename, surname, date_of_birth FROM learners"
    )
    learners = with_person_key(with_folded("learners", learners))
    products = with_folded("products", session.frame("SELECT product_code, title FROM products"))
    for table, key, rows, extra in (
        ("learners", "learner_number", learners, ("person_key",)),
        ("products", "product_code", products, ()),
    ):
        if not rows.height:
            continue
        columns = (*FOLDED[table], *extra)
        session.load(f"folded_{table}", rows.select(key, *columns), temporary=True)
        sets = ", ".join(f"{name} = f.{name}" for name in columns)
        session.execute(
            f"UPDATE {table} SET {sets} FROM folded_{table} f WHERE {table}.{key} = f.{key}"
        )
        session.execute(f"DROP TABLE folded_{table}")


COMPUTED: dict[Computed, Callable[[Session], None]] = {
    FOLD_STORED_NAMES: _fold_stored_names,
}
"""PostgreSQL's function for each step SQL alone cannot do."""


def current_version(session: Session) -> int:
    """The schema version of the database; 0 for one that holds no centredesk schema yet."""
    exists = session.scalar(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_name = 'schema_version'"
    )
    if not exists:
        return 0
    return int(session.scalar("SELECT max(version) FROM schema_version") or 0)


def check_not_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the database was written by a newer centredesk (schema {version}, this one "
            f"knows {SCHEMA_VERSION}): upgrade centredesk to open it"
        )


def migrate(session: Session, *, up_to: int = SCHEMA_VERSION) -> int:
    """Bring the database up to :data:`SCHEMA_VERSION` (``up_to`` an earlier one, to make
    databases as older centredesks wrote them); returns the version it started at."""
    start = current_version(session)
    check_not_newer(start)
    if start >= up_to:
        return start
    session.execute("SELECT pg_advisory_lock(?)", [MIGRATION_LOCK])
    try:
        start = current_version(session)  # another process may have migrated meanwhile
        check_not_newer(start)
        for version in range(start + 1, up_to + 1):
            with session.transaction(claim=False):
                if version == 1:
                    session.execute(SCHEMA_VERSION_TABLE)
                for step in statements(version, "postgresql"):
                    if isinstance(step, Computed):
                        COMPUTED[step](session)
                    else:
                        session.execute(step)
                session.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    finally:
        session.execute("SELECT pg_advisory_unlock(?)", [MIGRATION_LOCK])
    return start
