"""The database schema and its migrations.

The schema version lives in ``schema_version``; :func:`migrate` brings any older file up to
:data:`SCHEMA_VERSION` when a store is opened. Each migration is a list of statements that
run in one transaction, so a file is never left half-migrated.

The CHECK lists of allowed values come from the field definitions in
:mod:`centredesk.validation.fields` (and the rule catalogue's severities), so the schema and
the rules cannot disagree. A change to one of those lists is a schema change: it needs a
migration that replaces the CHECK in files made before it (a test compares a new file's
constraints with the definitions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import get_args

import duckdb
import polars as pl

from centredesk.store.duckdb_store.schema_changes import RECORD_CHANGES
from centredesk.store.errors import StoreError
from centredesk.store.folded import with_folded
from centredesk.validation.catalogue import REPEATS, Severity
from centredesk.validation.fields import (
    ASSESSMENT_MODES,
    BOOKING_STATUSES,
    GRADING_SCHEMES,
    KINDS,
    REGISTRATION_STATUSES,
)
from centredesk.validation.identity import with_person_key

SCHEMA_VERSION = 4


def one_of(column: str, values: Iterable[str]) -> str:
    """``CHECK (column IN (...))`` for a column that holds one of ``values``."""
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"CHECK ({column} IN ({quoted}))"


_V1 = [
    """
    CREATE TABLE centres (
        centre_number VARCHAR PRIMARY KEY,
        name          VARCHAR,
        created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
    )
    """,
    f"""
    CREATE TABLE products (
        product_code         VARCHAR PRIMARY KEY,
        title                VARCHAR NOT NULL,
        level                VARCHAR,
        sector               VARCHAR,
        discount_code        VARCHAR,
        external_assessment  BOOLEAN NOT NULL DEFAULT false,
        assessment_mode      VARCHAR {one_of("assessment_mode", ASSESSMENT_MODES)},
        operational_end_date DATE,
        grading_scheme       VARCHAR NOT NULL DEFAULT 'graded'
                             {one_of("grading_scheme", GRADING_SCHEMES)},
        registration_fee     DECIMAL(8, 2)
    )
    """,
    """
    CREATE TABLE approvals (
        centre_number VARCHAR NOT NULL,
        product_code  VARCHAR NOT NULL,
        approved_on   DATE,
        PRIMARY KEY (centre_number, product_code)
    )
    """,
    """
    CREATE TABLE learners (
        learner_number         BIGINT PRIMARY KEY,
        centre_number          VARCHAR NOT NULL,
        forename               VARCHAR NOT NULL,
        surname                VARCHAR NOT NULL,
        date_of_birth          DATE NOT NULL,
        uln                    VARCHAR
                               CHECK (uln IS NULL OR regexp_full_match(uln, '[1-9][0-9]{9}')),
        learner_reference      VARCHAR,
        reasonable_adjustments VARCHAR,
        -- normalised forename + surname + date of birth, computed by validation.person_key:
        -- how a learner without a ULN is recognised again
        person_key             VARCHAR NOT NULL,
        import_id              BIGINT,
        created_at             TIMESTAMP NOT NULL DEFAULT current_timestamp
    )
    """,
    f"""
    CREATE TABLE registrations (
        registration_id   BIGINT PRIMARY KEY,
        learner_number    BIGINT NOT NULL,
        product_code      VARCHAR NOT NULL,
        centre_number     VARCHAR NOT NULL,
        batch_number      BIGINT NOT NULL,
        registration_date DATE NOT NULL,
        status            VARCHAR NOT NULL DEFAULT 'active'
                          {one_of("status", REGISTRATION_STATUSES)},
        import_id         BIGINT,
        source_row        INTEGER
    )
    """,
    f"""
    CREATE TABLE bookings (
        booking_id      BIGINT PRIMARY KEY,
        registration_id BIGINT NOT NULL,
        assessment      VARCHAR NOT NULL,
        session_date    DATE NOT NULL,
        assessment_mode VARCHAR {one_of("assessment_mode", ASSESSMENT_MODES)},
        status          VARCHAR NOT NULL DEFAULT 'Active'
                        {one_of("status", BOOKING_STATUSES)},
        attempt         INTEGER NOT NULL DEFAULT 1 CHECK (attempt BETWEEN 1 AND 2),
        import_id       BIGINT
    )
    """,
    """
    CREATE TABLE results (
        result_id       BIGINT PRIMARY KEY,
        registration_id BIGINT NOT NULL,
        component       VARCHAR NOT NULL,
        grade           VARCHAR NOT NULL,
        result_date     DATE NOT NULL,
        release_date    DATE,
        import_id       BIGINT
    )
    """,
    f"""
    CREATE TABLE imports (
        import_id     BIGINT PRIMARY KEY,
        file_name     VARCHAR NOT NULL,
        sha256        VARCHAR NOT NULL,
        kind          VARCHAR NOT NULL {one_of("kind", KINDS)},
        sheet         VARCHAR,
        rows_read     INTEGER NOT NULL,
        rows_accepted INTEGER NOT NULL,
        rows_rejected INTEGER NOT NULL,
        os_user       VARCHAR NOT NULL,
        started_at    TIMESTAMP NOT NULL,
        finished_at   TIMESTAMP NOT NULL,
        CHECK (rows_accepted + rows_rejected = rows_read)
    )
    """,
    f"""
    CREATE TABLE import_issues (
        import_id   BIGINT NOT NULL,
        row         INTEGER,
        column_name VARCHAR,
        field       VARCHAR,
        code        VARCHAR NOT NULL,
        severity    VARCHAR NOT NULL {one_of("severity", get_args(Severity))},
        message     VARCHAR NOT NULL,
        value       VARCHAR
    )
    """,
    # The cells of every rejected row exactly as read (header text -> cell text), so a
    # rejected row can be shown, fixed and loaded again: nothing is lost.
    """
    CREATE TABLE rejected_rows (
        import_id BIGINT NOT NULL,
        row       INTEGER NOT NULL,
        cells     JSON NOT NULL,
        PRIMARY KEY (import_id, row)
    )
    """,
    """
    CREATE TABLE audit_log (
        audit_id   BIGINT PRIMARY KEY,
        changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        os_user    VARCHAR NOT NULL,
        table_name VARCHAR NOT NULL,
        record_key VARCHAR NOT NULL,
        action     VARCHAR NOT NULL,
        before     JSON,
        after      JSON
    )
    """,
    "CREATE SEQUENCE audit_id_seq START 1",
]

# Version 2: batch labels are text as the centre wrote them (BT17, 2024-SEP-A, 0042), and the
# cells of the columns centredesk does not read are kept with every loaded row.
_V2: list[str] = [
    "ALTER TABLE registrations ALTER batch_number TYPE VARCHAR",
    # Bookings and results, like registrations, say which row of their import they came
    # from, so the other cells of that row can be found again.
    "ALTER TABLE bookings ADD COLUMN source_row INTEGER",
    "ALTER TABLE results ADD COLUMN source_row INTEGER",
    # The cells of the columns no field reads (header text -> cell text), of every loaded row
    # that has any: join on (import_id, row) = a record's (import_id, source_row).
    """
    CREATE TABLE other_cells (
        import_id BIGINT NOT NULL,
        row       INTEGER NOT NULL,
        cells     JSON NOT NULL,
        PRIMARY KEY (import_id, row)
    )
    """,
]

Step = str | Callable[[duckdb.DuckDBPyConnection], None]
"""A migration step: a statement, or a function for what SQL alone cannot do (folding)."""


def _fold_stored_names(con: duckdb.DuckDBPyConnection) -> None:
    """Write the folded names and titles of rows stored before they were kept, and make
    each learner's ``person_key`` again with the fold that now also folds ``Ł``, ``Ø``, ``ß``."""
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


# Version 4: folded names and titles for search, and what record each rejected row is
# about, so that a later import can close it.
_V4: list[Step] = [
    # Folded names and titles for search (see centredesk.store.folded).
    "ALTER TABLE learners ADD COLUMN surname_folded VARCHAR",
    "ALTER TABLE learners ADD COLUMN forename_folded VARCHAR",
    "ALTER TABLE products ADD COLUMN title_folded VARCHAR",
    _fold_stored_names,
    # What record a rejected row is about (see centredesk.validation.subjects), and the
    # import that closed it: loaded that record, rejected it again, or replaced its file.
    "ALTER TABLE rejected_rows ADD COLUMN subject VARCHAR",
    "ALTER TABLE rejected_rows ADD COLUMN subject_alt VARCHAR",
    "ALTER TABLE rejected_rows ADD COLUMN closed_by BIGINT",
    # Rows stored before: no subjects, so a later import of the same file closes them, and
    # a row rejected only for repeating another record is closed by its own import.
    f"""
    UPDATE rejected_rows SET closed_by = import_id
    WHERE row NOT IN (
        SELECT x.row FROM import_issues x
        WHERE x.import_id = rejected_rows.import_id AND x.severity = 'error'
          AND x.row IS NOT NULL AND x.code NOT IN ({", ".join(f"'{code}'" for code in REPEATS)}))
    """,
    """
    UPDATE rejected_rows SET closed_by = (
        SELECT max(later.import_id) FROM imports later JOIN imports earlier
          ON later.file_name = earlier.file_name AND later.import_id > earlier.import_id
        WHERE earlier.import_id = rejected_rows.import_id AND later.rolled_back_by IS NULL)
    WHERE closed_by IS NULL AND fixed_by IS NULL AND loaded_in IS NULL
    """,
]

MIGRATIONS: dict[int, list[Step]] = {
    1: list(_V1),
    2: list(_V2),
    3: list(RECORD_CHANGES),
    4: _V4,
}


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
                con.execute(
                    "CREATE TABLE schema_version (version INTEGER NOT NULL, "
                    "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
                )
            for step in MIGRATIONS[version]:
                if isinstance(step, str):
                    con.execute(step)
                else:
                    step(con)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return start
