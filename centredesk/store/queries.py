"""Read-only summaries of what the store holds."""

from __future__ import annotations

from centredesk.store.connection import Store

TABLES = (
    "centres",
    "products",
    "approvals",
    "learners",
    "registrations",
    "bookings",
    "results",
    "imports",
    "import_issues",
    "rejected_rows",
    "audit_log",
)


def table_counts(store: Store) -> dict[str, int]:
    """Row count of every table, in a stable order."""
    query = " UNION ALL ".join(
        f"SELECT '{table}' AS name, count(*) AS n FROM {table}" for table in TABLES
    )
    counts = dict(store.con.execute(query).fetchall())
    return {table: int(counts[table]) for table in TABLES}
