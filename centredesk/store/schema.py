"""The database schema and its migrations, one list for every backend.

The schema version lives in ``schema_version``; each backend's ``migrate`` brings an older
store up to :data:`SCHEMA_VERSION` when it is opened, running each version's statements in
one transaction, so a store is never left half-migrated. A statement both dialects accept is
plain text; where they differ it is a :class:`Dialects` with one text per backend (``None``
where a backend needs nothing, such as PostgreSQL's indexes), so the two schemas move in
step: a new migration is one entry here, written for both.

The CHECK lists of allowed values come from the field definitions in
:mod:`centredesk.validation.fields` (and the rule catalogue's severities), so the schema and
the rules cannot disagree. A change to one of those lists is a schema change: it needs a
migration that replaces the CHECK in files made before it (a test compares a new file's
constraints with the definitions).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from centredesk.store.schema_changes import RECORD_CHANGES
from centredesk.validation.catalogue import REPEATS, Severity
from centredesk.validation.fields import (
    ASSESSMENT_MODES,
    BOOKING_STATUSES,
    GRADING_SCHEMES,
    KINDS,
    REGISTRATION_STATUSES,
)

SCHEMA_VERSION = 4

Dialect = Literal["duckdb", "postgresql"]


@dataclass(frozen=True)
class Dialects:
    """One statement written for each backend; ``None`` where a backend needs none."""

    duckdb: str | None
    postgresql: str | None


@dataclass(frozen=True)
class Computed:
    """A step SQL alone cannot do (folding names the way validation folds them): each
    backend's ``migrate`` runs its own function for it, in the migration's transaction."""

    name: str


FOLD_STORED_NAMES = Computed("fold stored names")
"""Write the folded names and titles of rows stored before they were kept (see
:mod:`centredesk.store.folded`), and make each learner's ``person_key`` again with the fold
that now also folds ``Ł``, ``Ø``, ``ß``."""

Step = str | Dialects | Computed


def one_of(column: str, values: Iterable[str]) -> str:
    """``CHECK (column IN (...))`` for a column that holds one of ``values``."""
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"CHECK ({column} IN ({quoted}))"


_LEARNERS = """
    CREATE TABLE learners (
        learner_number         BIGINT PRIMARY KEY,
        centre_number          VARCHAR NOT NULL,
        forename               VARCHAR NOT NULL,
        surname                VARCHAR NOT NULL,
        date_of_birth          DATE NOT NULL,
        uln                    VARCHAR CHECK (uln IS NULL OR {uln_is_ten_digits}),
        learner_reference      VARCHAR,
        reasonable_adjustments VARCHAR,
        -- normalised forename + surname + date of birth, computed by validation.person_key:
        -- how a learner without a ULN is recognised again
        person_key             VARCHAR NOT NULL,
        import_id              BIGINT,
        created_at             TIMESTAMP NOT NULL DEFAULT current_timestamp
    )
"""


def _learners() -> Dialects:
    return Dialects(
        duckdb=_LEARNERS.format(uln_is_ten_digits="regexp_full_match(uln, '[1-9][0-9]{9}')"),
        postgresql=_LEARNERS.format(uln_is_ten_digits="uln ~ '^[1-9][0-9]{9}$'"),
    )


def _postgresql(*statements: str) -> list[Dialects]:
    """Statements only PostgreSQL needs (DuckDB scans where a server uses an index)."""
    return [Dialects(duckdb=None, postgresql=statement) for statement in statements]


_V1: list[str | Dialects] = [
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
    _learners(),
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
    *_postgresql(
        # The app pages an import's issues by key; DuckDB has its row id for that.
        "ALTER TABLE import_issues ADD COLUMN issue_id BIGINT GENERATED ALWAYS AS IDENTITY",
        "CREATE INDEX import_issues_by_import ON import_issues (import_id, code, row)",
        # Prefix searches (LIKE 'smi%') and sorts of the app's tables at a million rows.
        "CREATE INDEX learners_by_surname ON learners (lower(surname) text_pattern_ops)",
        "CREATE INDEX registrations_by_learner ON registrations (learner_number)",
        "CREATE INDEX bookings_by_registration ON bookings (registration_id)",
        "CREATE INDEX results_by_registration ON results (registration_id)",
        "CREATE INDEX imports_by_sha256 ON imports (sha256)",
        "CREATE INDEX audit_log_by_record ON audit_log (table_name, record_key)",
    ),
]

# Version 2: batch labels are text as the centre wrote them (BT17, 2024-SEP-A, 0042), and the
# cells of the columns centredesk does not read are kept with every loaded row.
_V2: list[str | Dialects] = [
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

# Version 4: folded names and titles for search, and what record each rejected row is
# about, so that a later import can close it.
_V4: list[Step] = [
    # Folded names and titles for search (see centredesk.store.folded).
    "ALTER TABLE learners ADD COLUMN surname_folded VARCHAR",
    "ALTER TABLE learners ADD COLUMN forename_folded VARCHAR",
    "ALTER TABLE products ADD COLUMN title_folded VARCHAR",
    FOLD_STORED_NAMES,
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
    *_postgresql(
        # Searches read the folded names now, not lower(surname). A word may start any word
        # of a name (LIKE 'smi%' OR LIKE '% smi%'), which no b-tree answers; a scan of the
        # folded names of a million learners takes about 0.1 s, while trigram indexes were
        # measured slower to search and to add 12 s to an import of a million rows.
        "DROP INDEX learners_by_surname",
    ),
]

MIGRATIONS: dict[int, list[Step]] = {1: [*_V1], 2: [*_V2], 3: [*RECORD_CHANGES], 4: _V4}

SEQUENCES = {"audit_id_seq": ("audit_log", "audit_id")}
"""Each sequence, and the key column whose numbers it hands out."""

SCHEMA_VERSION_TABLE = (
    "CREATE TABLE schema_version (version INTEGER NOT NULL, "
    "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
)
"""Made before the first migration: it records each version as it lands."""


def statements(version: int, dialect: Dialect) -> list[str | Computed]:
    """The steps of one migration as ``dialect`` runs them: statements, and the
    :class:`Computed` steps its backend runs itself."""
    found: list[str | Computed] = []
    for step in MIGRATIONS[version]:
        text = step if isinstance(step, str | Computed) else getattr(step, dialect)
        if text is not None:
            found.append(text)
    return found
