"""Migrating a DuckDB file: the shared migrations of :mod:`centredesk.store.schema`, run in
DuckDB's dialect."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import polars as pl

from centredesk.store.errors import StoreError
from centredesk.store.folded import with_folded
from centredesk.store.schema import (
    FOLD_STORED_NAMES,
    SCHEMA_VERSION,
    SCHEMA_VERSION_TABLE,
    Computed,
    statements,
)
from centredesk.validation.identity import with_person_key

__all__ = ["SCHEMA_VERSION", "current_version", "migrate"]


def _fold_stored_names(con: duckdb.DuckDBPyConnection) -> None:
    learners = pl.from_arrow(
        con.sql(
            "SELECT learner_number, forename, surname, date_of_birth FROM learners"
        ).to_arrow_table()
    )
    assert isinstance(learners, pl.DataFrame)
    learners = with_person_key(with_folded("learners", learners))
    products = pl.from_arrow(con.sql("SELECT product_code, title FROM products").to_arrow_table())
    assert isinstance(products, pl.DataFrame)
    products = with_folded("products", products)
    con.register("folded_learners", learners)
    con.register("folded_products", products)
    try:
        con.execute(
            """
            UPDATE learners SET surname_folded = f.surname_folded,
                                forename_folded = f.forename_folded, person_key = f.person_key
            FROM folded_learners f WHERE learners.learner_number = f.learner_number
            """
        )
        con.execute(
            "UPDATE products SET title_folded = f.title_folded FROM folded_products f "
            "WHERE products.product_code = f.product_code"
        )
    finally:
        con.unregister("folded_learners")
        con.unregister("folded_products")


COMPUTED: dict[Computed, Callable[[duckdb.DuckDBPyConnection], None]] = {
    FOLD_STORED_NAMES: _fold_stored_names,
}
"""DuckDB's function for each step SQL alone cannot do."""


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of an open database; 0 for a new, empty file."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    rows = con.execute("SELECT max(version) FROM schema_version").fetchall()
    return int(rows[0][0] or 0)


def migrate(con: duckdb.DuckDBPyConnection, *, up_to: int = SCHEMA_VERSION) -> int:
    """Bring the database up to :data:`SCHEMA_VERSION` (``up_to`` an earlier one, to make
    files as older centredesks wrote them); returns the version it started at."""
    start = current_version(con)
    if start > SCHEMA_VERSION:
        raise StoreError(
            f"the database was written by a newer centredesk (schema {start}, this one "
            f"knows {SCHEMA_VERSION}): upgrade centredesk to open it"
        )
    for version in range(start + 1, up_to + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            if version == 1:
                con.execute(SCHEMA_VERSION_TABLE)
            for step in statements(version, "duckdb"):
                if isinstance(step, Computed):
                    COMPUTED[step](con)
                else:
                    con.execute(step)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return start
