"""Imports after the fact: listing them, showing one, and rolling one back.

A rollback removes every row the import added and puts back the catalogue rows it
overwrote, in one transaction with its audit entry; the import stays in the list, marked
rolled back. While later data rests on its rows (a booking on one of its registrations, an
edit of one of its learners), it is refused, and :func:`rollback_import` names what.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from centredesk.errors import UserError
from centredesk.jobs.progress import NO_PROGRESS, Progress
from centredesk.jobs.roles import require
from centredesk.store import Store
from centredesk.store.records import Change, Dependent, ImportSummary

SHOWN_IN_ERROR = 3
"""Dependents named in the one-line refusal; ``--dry-run`` lists them all."""


@dataclass(frozen=True)
class ImportView:
    """One import: its record, its issues by rule, and its rejected rows still open."""

    summary: ImportSummary
    issue_groups: pl.DataFrame
    open_rows: list[int]


@dataclass(frozen=True)
class RollbackOutcome:
    """What a rollback removed (``change``), or for a dry run what rests on the import."""

    summary: ImportSummary
    dependents: list[Dependent]
    change: Change | None


def list_imports(store: Store, *, limit: int | None = None) -> list[ImportSummary]:
    """Every import, newest first."""
    return store.imports.summaries(limit=limit)


def _summary(store: Store, import_id: int) -> ImportSummary:
    summary = store.details.import_summary(import_id)
    if summary is None:
        raise UserError(f"there is no import {import_id}: `centredesk imports list` lists them")
    return summary


def show_import(store: Store, import_id: int) -> ImportView:
    summary = _summary(store, import_id)
    open_rows = store.imports.open_rejected_rows([import_id]).get_column("row").to_list()
    return ImportView(summary, store.details.issue_groups(import_id), open_rows)


def rollback_import(
    store: Store,
    import_id: int,
    *,
    confirmed: bool,
    dry_run: bool = False,
    progress: Progress = NO_PROGRESS,
) -> RollbackOutcome:
    """Roll an import back (admins only), or with ``dry_run`` say whether it could be.

    A million-row import takes a few seconds to remove: ``progress`` hears of it, and a
    cancel asked for before the end leaves the import as it was.
    """
    require(store, "rollback")
    summary = _summary(store, import_id)
    if summary.rolled_back_by is not None:
        raise UserError(
            f"import {import_id} was rolled back already (change {summary.rolled_back_by})"
        )
    dependents = store.imports.dependents(import_id)
    if dry_run:
        return RollbackOutcome(summary, dependents, None)
    if dependents:
        named = "; ".join(dependent.what for dependent in dependents[:SHOWN_IN_ERROR])
        more = len(dependents) - SHOWN_IN_ERROR
        if more > 0:
            named += f"; and more (--dry-run lists {len(dependents)})"
        raise UserError(
            f"import {import_id} cannot be rolled back, later data rests on it: {named}; "
            "undo, cancel or roll back those first"
        )
    if not confirmed:
        raise UserError(
            f"rolling back import {import_id} removes every row it loaded: confirm it "
            "(--yes), or look first with --dry-run"
        )
    rows = summary.rows_accepted - summary.rows_already_loaded
    progress.step("rolling back", 0, rows)
    with store.transaction():
        change = store.imports.rollback(import_id)
        progress.step("rolling back", rows, rows)  # still inside: a cancel undoes it all
    return RollbackOutcome(summary, [], change)
