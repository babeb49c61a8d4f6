"""How issue records are shown: grouped text for people, the DESIGN record as JSON.

``centredesk validate`` and ``centredesk import`` both print through here, so a file's
issues read the same whichever command found them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TextIO

import polars as pl

from centredesk.jobs.checked_file import CheckedFile
from centredesk.validation.catalogue import BY_CODE

SHOWN_PER_RULE = 20
"""Issues listed under each rule in text output; the rest are counted (the report has all)."""


def where(row: int, column: str | None) -> str:
    """A reference a person can follow in the spreadsheet: ``row 14, column ULN``."""
    return f"row {row}, column {column}" if column else f"row {row}"


def write_issues_text(
    issues: pl.DataFrame, out: TextIO, *, shown_per_rule: int = SHOWN_PER_RULE
) -> None:
    """Issues grouped by rule, errors first, most frequent first, each with its rows."""
    if not issues.height:
        out.write("No issues found.\n")
        return
    counts = (
        issues.group_by("code", "severity")
        .agg(pl.len().alias("count"), pl.col("row").n_unique().alias("rows"))
        .sort(["severity", "count", "code"], descending=[False, True, False])
    )
    for code, severity, count, rows in counts.iter_rows():
        out.write(f"\n{code} ({severity}): {count:,} issue{'s' * (count != 1)}")
        out.write(f" in {rows:,} row{'s' * (rows != 1)}\n")
        rule = BY_CODE.get(code)
        if rule is not None:
            out.write(f"  {rule.meaning}\n  Fix: {rule.fix}\n")
        chosen = issues.filter((pl.col("code") == code) & (pl.col("severity") == severity))
        for row, column, message in (
            chosen.head(shown_per_rule).select("row", "column", "message").iter_rows()
        ):
            out.write(f"  - {where(row, column)}: {message}\n")
        if count > shown_per_rule:
            out.write(
                f"  … and {count - shown_per_rule:,} more (--report OUT.xlsx or "
                "--format json lists them all)\n"
            )


def write_file_summary(checked: CheckedFile, out: TextIO, *, verb: str) -> None:
    """What was read and how it was understood, then the notes and the issues by rule."""
    sheet = checked.sheet
    place = sheet.file_name + (f", sheet {sheet.sheet}" if sheet.sheet else "")
    how = "inferred from the headers" if sheet.kind_inferred else "as given"
    out.write(f"{verb} {checked.rows:,} rows of {place} as {sheet.kind} ({how}).\n")
    if sheet.ignored:
        out.write(f"Ignored columns: {', '.join(sheet.ignored)}\n")
    write_notes(checked.notes, out)
    write_issues_text(checked.validated.issues, out)
    out.write(f"\n{checked.errors:,} errors, {checked.warnings:,} warnings.\n")


def write_notes(notes: list[str], out: TextIO) -> None:
    """The once-per-file notes, such as rules skipped because the store is empty."""
    for note in notes:
        out.write(f"Note: {note[0].upper()}{note[1:]}.\n")


def write_json(record: Mapping[str, Any], out: TextIO) -> None:
    """One JSON object on one line: what scripts read."""
    json.dump(record, out, ensure_ascii=False, default=str)
    out.write("\n")
