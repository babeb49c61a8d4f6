"""Building blocks of the rules that compare rows with each other and with the store.

Cheap first, exact second: rows are matched on 64-bit hashes of their keys (an integer join
or window), and only the few rows that meet are compared on the real keys. Nothing here
loops over rows.
"""

from __future__ import annotations

import polars as pl

Outcome = tuple[pl.DataFrame, list[pl.DataFrame], list[str]]
"""What a kind's cross-row rules return: the parsed frame, issue frames and notes."""

CENTRE, PRODUCT, ULN, KEY = "centre_number", "product_code", "uln", "person_key"
ROW = pl.col("row")
EVERY_ROW = ROW.is_not_null()
"""Every row of an already-filtered frame (a literal True predicate trips polars after joins)."""


def hashed(*columns: str | pl.Expr) -> pl.Expr:
    """One 64-bit hash of several columns: a cheap stand-in for a multi-column key.

    Equal keys always hash alike, so matching on the hash finds every true match (and,
    rarely, a false one); each rule then compares the real keys on the few rows found.
    """
    return pl.struct(*columns).hash()


def key_hashes() -> list[pl.Expr]:
    """A registration's keys by hash: centre, product and ULN, or person key."""
    return [
        hashed(CENTRE, PRODUCT, ULN).alias("uln_hash"),
        hashed(CENTRE, PRODUCT, KEY).alias("key_hash"),
    ]


def earlier(when: pl.Expr, over: list[str]) -> pl.Expr:
    """The first row number among the rows of the window where ``when`` holds."""
    return pl.when(when).then(ROW).min().over(over)


def disagreeing(frame: pl.DataFrame, value: str, over: list[str], among: pl.Expr) -> pl.DataFrame:
    """Rows of windows (``over``) that disagree on ``value``, with ``other``: a row that differs.

    Rows holding the window's first value point at the first row with another value; the
    others point at the window's first row. Disagreeing windows are rare, so they are found
    with one group-by and only their rows are compared.
    """
    # A window that disagrees has two rows or more: only rows whose window key (by hash)
    # recurs are grouped, a small share of a real file.
    candidates = frame.filter(among).filter(hashed(*over).is_duplicated())
    split = (
        candidates.group_by(over)
        .agg(pl.col(value).n_unique().alias("values"))
        .filter(pl.col("values") > 1)
        .drop("values")
    )
    rows = candidates.join(split, on=over, how="semi").sort("row")
    first_value = pl.col(value).first().over(over)
    first_row = ROW.min().over(over)
    first_other = pl.when(pl.col(value) != first_value).then(ROW).min().over(over)
    return rows.with_columns(
        pl.when(pl.col(value) != first_value).then(first_row).otherwise(first_other).alias("other")
    )


def sharing(
    rows: pl.DataFrame, stored: pl.DataFrame, column: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows and stored lines whose ``column`` (by hash) occurs on the other side.

    Most of a file's learners are new to the store: joining on an integer hash first
    leaves the text join (and its messages) only the few that may match.
    """
    hashed_column = pl.col(column).hash().alias("hash")
    rows, stored = rows.with_columns(hashed_column), stored.with_columns(hashed_column)
    meeting_rows = rows.join(stored.select("hash"), on="hash", how="semi")
    meeting_stored = stored.join(rows.select("hash"), on="hash", how="semi")
    return meeting_rows.drop("hash"), meeting_stored.drop("hash")


def meeting(frame: pl.DataFrame, other: pl.DataFrame) -> pl.DataFrame:
    """The lines of ``frame`` whose ``uln_hash`` or ``key_hash`` also occurs in ``other``."""
    found = [
        frame.join(other.select(column), on=column, how="semi")
        for column in ("uln_hash", "key_hash")
    ]
    return pl.concat(found).unique(maintain_order=True)


def first_per_row(*issues: pl.DataFrame) -> pl.DataFrame:
    """One issue per row: the first frame's when it has one (the file's own clash first)."""
    return pl.concat(issues).unique("row", keep="first", maintain_order=True)
