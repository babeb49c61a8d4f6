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

FOLDED: dict[str, dict[str, tuple[str, ...]]] = {
    "learners": {
        "surname_folded": ("surname",),
        "forename_folded": ("forename",),
        # Both names in one column: a plain word in the search bar is one test, not two
        # (an OR of two tests costs several times one at a million rows).
        "name_folded": ("surname", "forename"),
    },
    "products": {"title_folded": ("title",)},
}
"""Table -> folded column -> the columns it is folded from (joined by a space)."""


def with_folded(table: str, rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` of ``table`` with its folded columns added (those already there are kept).

    A frame without the source columns (a partial write) gets none. Each distinct value is
    folded once (a million learners share a few thousand surnames), and a column made of
    several is joined from their folded parts.
    """
    folded: dict[str, pl.Series] = {}
    for name, sources in FOLDED.get(table, {}).items():
        if name in rows.columns or not all(source in rows.columns for source in sources):
            continue
        parts = [
            _folded(rows.get_column(source)).alias(f"part{position}")
            for position, source in enumerate(sources)
        ]
        if len(parts) == 1:
            folded[name] = parts[0].alias(name)
            continue
        joined = pl.DataFrame(parts).select(
            pl.concat_str(pl.all(), separator=" ", ignore_nulls=True).str.strip_chars(" ")
        )
        folded[name] = joined.to_series().alias(name)
    return rows.with_columns(folded.values()) if folded else rows


def _folded(values: pl.Series) -> pl.Series:
    distinct = values.unique().to_frame("value")
    folded = distinct.with_columns(fold_words(pl.col("value")).alias("folded"))
    looked_up = values.to_frame("value").join(
        folded, on="value", how="left", nulls_equal=True, maintain_order="left"
    )
    return looked_up.get_column("folded")
