"""Loading rows that passed validation straight into a store, as the import job does.

For learners, the person key and the identity are worked out by validation's own functions
(never a hand-written imitation), so a fixture holds what production would write.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from centredesk.store import Store
from centredesk.store.records import ISSUE_COLUMNS, ImportMeta
from centredesk.validation.engine import Reference
from centredesk.validation.identity import identify, with_person_key

WHEN = datetime(2026, 11, 1, 9, 30)


def no_issues() -> pl.DataFrame:
    return pl.DataFrame(
        schema={name: pl.Int64 if name == "row" else pl.String for name in ISSUE_COLUMNS}
    )


def no_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema={"row": pl.Int64, "cells": pl.String})


def identified(store: Store, learners: pl.DataFrame) -> pl.DataFrame:
    """Learner rows with ``person_key``, ``learner_identity`` and ``learner_number`` added."""
    keyed = with_person_key(learners)
    return identify(keyed, Reference(store.reference.frames(["learners"])))


def record_rows(
    store: Store,
    kind: str,
    accepted: pl.DataFrame,
    *,
    file_name: str | None = None,
    sha256: str | None = None,
    when: datetime = WHEN,
    issues: pl.DataFrame | None = None,
    rejected: pl.DataFrame | None = None,
    rows_read: int | None = None,
) -> int:
    """Record ``accepted`` (plus any ``issues`` and ``rejected``) as one import of ``kind``."""
    if "row" not in accepted.columns:
        accepted = accepted.with_row_index("row", offset=2).with_columns(
            pl.col("row").cast(pl.Int64)
        )
    if kind == "learners":
        accepted = identified(store, accepted)
    rejected = no_rejects() if rejected is None else rejected
    meta = ImportMeta(
        file_name or f"{kind}.xlsx",
        sha256 or f"sha-{kind}-{accepted.height}",
        kind,
        "Sheet1",
        accepted.height + rejected.height if rows_read is None else rows_read,
        "tester",
        when,
        when,
    )
    return store.imports.record(meta, accepted, no_issues() if issues is None else issues, rejected)
