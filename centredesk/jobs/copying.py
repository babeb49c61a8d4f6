"""Copy a whole store to another place: a DuckDB file to a PostgreSQL database, or back.

A team can start on a file and move to a server later (or take a server's data home in a
file) without losing a row. The copy goes into an empty store, in one transaction, and is
checked before it commits: every table's row count and checksum must equal the source's,
or nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from centredesk.errors import UserError
from centredesk.store import TABLES, Location, OnWait, Store, open_store
from centredesk.store.schema import SCHEMA_VERSION


class CopyError(UserError):
    """The copy could not be made, or did not match its source (nothing was written)."""


@dataclass(frozen=True)
class CopyOutcome:
    """What was copied: rows per table, equal in both stores."""

    counts: dict[str, int]
    checksums: dict[str, int]


def copy_store(
    source: Location,
    target: Location,
    *,
    wait: float = 0,
    on_wait: OnWait | None = None,
    on_table: Callable[[str, int], None] | None = None,
) -> CopyOutcome:
    """Copy every table of ``source`` into the empty store at ``target``, then check it.

    ``on_table`` is told each table's name and row count as it is copied.
    """
    if str(source) == str(target):
        raise CopyError(f"{source} is both the source and the target: give two places")
    with _open_source(source, wait=wait, on_wait=on_wait) as origin:
        expected_counts = origin.tables.counts()
        with open_store(target, wait=wait, on_wait=on_wait) as copy:
            held = {table: n for table, n in copy.tables.counts().items() if n}
            if held:
                shown = ", ".join(f"{n:,} {table}" for table, n in held.items())
                raise CopyError(
                    f"{target} already holds data ({shown}): copy into a new file or an "
                    "empty database"
                )
            with copy.transaction(claim=False):
                for table in TABLES:
                    rows = origin.tables.read(table)
                    if rows.height:
                        copy.tables.append(table, rows)
                    if on_table is not None:
                        on_table(table, rows.height)
                copy.tables.advance_sequences()
                _check(origin, copy, expected_counts, target)
                checksums = copy.tables.checksums()
    return CopyOutcome(expected_counts, checksums)


def _open_source(source: Location, *, wait: float, on_wait: OnWait | None) -> Store:
    store = open_store(source, read_only=True, wait=wait, on_wait=on_wait)
    if store.schema_version < SCHEMA_VERSION:
        # An older store is brought up to date first, so both sides have the same tables.
        store.close()
        store = open_store(source, wait=wait, on_wait=on_wait)
    return store


def _check(origin: Store, copy: Store, counts: dict[str, int], target: Location) -> None:
    copied = copy.tables.counts()
    differ = [table for table in TABLES if copied[table] != counts[table]]
    if not differ:
        want = origin.tables.checksums()
        got = copy.tables.checksums()
        differ = [table for table in TABLES if want[table] != got[table]]
    if differ:
        raise CopyError(
            f"the copy in {target} does not match its source in {', '.join(differ)}; "
            "nothing was written"
        )
