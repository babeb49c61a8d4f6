"""Folded copies of names and titles, written with each row so that search stays fast.

Searching a million learners for ``o'c`` or ``lukasz`` must not fold a million names per
key press, and no SQL dialect folds ``Ł`` or ``’`` the way the duplicate rules do. So each
table with names or titles keeps a folded copy of them beside the original
(:func:`centredesk.validation.folding.fold_words`), computed once when a row is written,
whichever backend writes it; the views search those columns (``words`` fields).
"""

from __future__ import annotations

import polars as pl

from centredesk.validation.folding import fold_words

FOLDED: dict[str, dict[str, str]] = {
    "learners": {"surname_folded": "surname", "forename_folded": "forename"},
    "products": {"title_folded": "title"},
}
"""Table -> folded column -> the column it is folded from. (A column per name rather than one
of whole names: surnames and forenames repeat, which the database stores and tests
compactly; a column of whole names was measured several times slower to search.)"""


def with_folded(table: str, rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` of ``table`` with its folded columns added (those already there are kept).

    A frame without the source column (a partial write) gets none. Each distinct value is
    folded once: a million learners share a few thousand surnames.
    """
    folded = [
        _folded(rows.get_column(source)).alias(name)
        for name, source in FOLDED.get(table, {}).items()
        if name not in rows.columns and source in rows.columns
    ]
    return rows.with_columns(folded) if folded else rows


def _folded(values: pl.Series) -> pl.Series:
    distinct = values.unique().to_frame("value")
    folded = distinct.with_columns(fold_words(pl.col("value")).alias("folded"))
    looked_up = values.to_frame("value").join(
        folded, on="value", how="left", nulls_equal=True, maintain_order="left"
    )
    return looked_up.get_column("folded")
