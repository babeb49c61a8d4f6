"""Keeping the folded names and titles in step when a change rewrites the originals.

An import writes the folded copies with its rows (:mod:`centredesk.store.folded`); a change
(an edit, an undo, a rollback that puts back overwritten products) rewrites names and titles
in SQL, which cannot fold, so every change ends by folding again the learners it touched and
the catalogue's titles (a few thousand at most).
"""

from __future__ import annotations

import polars as pl

from centredesk.store.folded import FOLDED, with_folded
from centredesk.store.shared.connection import Connection, frame


def refold(con: Connection, audit_id: int) -> None:
    """Fold again the names of the learners change ``audit_id`` touched, and every title."""
    learners = frame(
        con,
        "SELECT learner_number, surname, forename FROM learners WHERE CAST(learner_number "
        "AS VARCHAR) IN (SELECT record_key FROM audit_records "
        "WHERE audit_id = ? AND table_name = 'learners')",
        [audit_id],
    )
    _write(con, "learners", "learner_number", learners)
    _write(con, "products", "product_code", frame(con, "SELECT product_code, title FROM products"))


def _write(con: Connection, table: str, key: str, rows: pl.DataFrame) -> None:
    if not rows.height:
        return
    folded = with_folded(table, rows).select(key, *FOLDED[table])
    sets = ", ".join(f"{name} = f.{name}" for name in FOLDED[table])
    con.register("refolded", folded)
    try:
        con.execute(f"UPDATE {table} SET {sets} FROM refolded f WHERE {table}.{key} = f.{key}")
    finally:
        con.unregister("refolded")
