"""Running the row rules over a whole file: each distinct cell text is parsed and judged once.

A real upload repeats most of its cell texts: a few centres and products, a few thousand
names and dates of birth among a million rows. Parsing a date or checking a name is string
work, so each field is parsed and checked on the distinct texts of the cells its rules read
(for a date of birth: its own cell and the registration date), and the verdict is joined
back to the rows. Fields that differ on almost every row (ULNs, learner references and
numbers) are judged row by row instead, and a ULN already written as ten plain digits skips
its parser.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import polars as pl

from centredesk.validation.checks import Check, first_match
from centredesk.validation.row_rules import FieldRule, raw

PER_ROW_TYPES = frozenset({"uln", "learner_reference", "learner_number"})
"""Field types whose cells are (nearly) all different: distinct texts would save nothing."""
_ISSUE_COLUMNS = ["row", "field", "code", "severity", "message", "value", "other_row"]


def judge(
    cells: pl.DataFrame, rules: list[FieldRule], today: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse and check every field: ``row`` + parsed values, and one issue per failing field.

    A field gets its first error, else its first warning, as :mod:`row_rules` orders them.
    """
    present = set(cells.columns)
    texts = cells.select(
        pl.col("row").cast(pl.Int64),
        *(
            (pl.col(rule.spec.name) if rule.spec.name in present else pl.lit(None, pl.String))
            .cast(pl.String)
            .alias(f"raw:{rule.spec.name}")
            for rule in rules
        ),
    ).rechunk()
    by_name = {rule.spec.name: rule for rule in rules}
    # Every expression is built here, before the threads start: building polars expressions
    # in several threads at once is not safe.
    checks = {rule.spec.name: rule.checks(today) for rule in rules}
    # Fields are judged independently, and one field's work is too small for polars to
    # keep every core busy; polars releases the GIL, so threads overlap the fields.
    with ThreadPoolExecutor(max_workers=4) as pool:
        judged = list(pool.map(lambda rule: _judge_field(texts, rule, by_name, checks), rules))
    frame = pl.DataFrame([texts.get_column("row"), *(value for value, _ in judged)])
    return frame, pl.concat([found for _, found in judged], how="vertical")


def _inputs(rule: FieldRule, by_name: dict[str, FieldRule], checks: list[Check]) -> list[str]:
    """The fields whose cells this field's parser and checks read, this field first."""
    exprs = [rule.parse]
    for check in checks:
        exprs += [check.when, check.message]
    names = {name.removeprefix("raw:") for expr in exprs for name in expr.meta.root_names()}
    names.discard(rule.spec.name)
    return [rule.spec.name, *sorted(name for name in names if name in by_name)]


def _judge_field(
    texts: pl.DataFrame,
    rule: FieldRule,
    by_name: dict[str, FieldRule],
    checks: dict[str, list[Check]],
) -> tuple[pl.Series, pl.DataFrame]:
    name = rule.spec.name
    inputs = _inputs(rule, by_name, checks[name])
    keys = [f"raw:{field}" for field in inputs]
    per_row = rule.spec.type in PER_ROW_TYPES

    def judged(table: pl.DataFrame) -> pl.DataFrame:
        table = table.with_columns(
            _parse(table, by_name[field], alone=len(keys) == 1 or (per_row and field == name))
            for field in inputs
        )
        return _verdicts(table, checks[name])

    rows = texts.select("row", *keys)
    table = judged(rows) if per_row else _per_distinct(rows, keys, judged)
    found = table.filter(pl.col("code").is_not_null()).select(
        "row",
        pl.lit(name, pl.String).alias("field"),
        "code",
        "severity",
        "message",
        raw(name).alias("value"),
        pl.lit(None, pl.Int64).alias("other_row"),
    )
    return table.get_column(name), found.select(_ISSUE_COLUMNS)


def _per_distinct(
    rows: pl.DataFrame, keys: list[str], judged: Callable[[pl.DataFrame], pl.DataFrame]
) -> pl.DataFrame:
    """``judged`` applied to the distinct ``keys`` of ``rows``, its columns joined back.

    Distinct texts are found and joined back by a 64-bit hash of the keys (an integer
    join, much cheaper than one on text). Should two different texts ever share a hash,
    the joined-back texts differ from the rows' own and the work is redone on the texts.
    """
    hashed = rows.with_columns(pl.struct(keys).hash().alias("key:hash"))
    distinct = judged(hashed.select(*keys, "key:hash").unique("key:hash"))
    seen = {key: f"{key}:seen" for key in keys}
    joined = hashed.join(distinct.rename(seen), on="key:hash", how="left", maintain_order="left")
    same = joined.select(
        pl.all_horizontal(pl.col(key).eq_missing(pl.col(seen[key])) for key in keys).all()
    ).item()
    if same:
        return joined.drop("key:hash", *seen.values())
    distinct = judged(rows.select(keys).unique())
    return rows.join(distinct, on=keys, how="left", nulls_equal=True, maintain_order="left")


def _parse(table: pl.DataFrame, rule: FieldRule, *, alone: bool) -> pl.Series:
    """One field's parsed values for the lines of ``table``.

    Cells already in their parsed form skip the parser. When ``table`` pairs this field's
    texts with another's (``alone`` false), each distinct text is parsed once.
    """
    name = rule.spec.name
    if rule.plain is None and not alone:
        key = f"raw:{name}"
        distinct = table.select(key).unique()
        distinct = distinct.with_columns(rule.parse.alias(name))
        joined = table.select(key).join(
            distinct, on=key, how="left", nulls_equal=True, maintain_order="left"
        )
        return joined.get_column(name)
    if rule.plain is None:
        return table.select(rule.parse.alias(name)).to_series()
    plain = table.select(rule.plain.fill_null(False)).to_series()
    value = table.select(pl.when(plain).then(raw(name)).alias(name)).to_series()
    others = plain.not_().arg_true()
    if others.len():
        value = value.scatter(others, table[others].select(rule.parse).to_series())
    return value


def _verdicts(table: pl.DataFrame, checks: list[Check]) -> pl.DataFrame:
    """Add ``severity``, ``code`` and ``message`` of the field's issue (null when none).

    Whether a check fails is worked out for every line of ``table``; codes and messages
    (string building) only for the few lines that fail one.
    """
    errors = [check for check in checks if check.severity == "error"]
    warnings = [check for check in checks if check.severity == "warning"]
    severity = pl.lit(None, pl.String)
    if errors or warnings:
        severity = (
            pl.when(_any(errors))
            .then(pl.lit("error"))
            .when(_any(warnings))
            .then(pl.lit("warning"))
            .otherwise(severity)
        )
    table = table.with_columns(severity.alias("severity"))
    failing = table.with_row_index("at").filter(pl.col("severity").is_not_null())
    code = pl.repeat(None, table.height, dtype=pl.String, eager=True).alias("code")
    message = code.alias("message")
    if failing.height:
        first = failing.select("at", *_first_failing(errors, warnings))
        at = first.get_column("at")
        code = code.scatter(at, first.get_column("code"))
        message = message.scatter(at, first.get_column("message"))
    return table.with_columns(code, message)


def _any(checks: list[Check]) -> pl.Expr:
    if not checks:
        return pl.lit(False)
    return pl.any_horizontal([check.when.fill_null(False) for check in checks])


def _first_failing(errors: list[Check], warnings: list[Check]) -> list[pl.Expr]:
    """Code and message of the first failing error, else of the first failing warning."""
    code: pl.Expr = pl.lit(None, pl.String)
    message: pl.Expr = pl.lit(None, pl.String)
    # Warnings first, so the error (when there is one) overrides.
    for chosen in (warnings, errors):
        if chosen:
            verdict = first_match(chosen)
            found = verdict.struct.field("code")
            code = pl.when(found.is_not_null()).then(found).otherwise(code)
            message = (
                pl.when(found.is_not_null())
                .then(verdict.struct.field("message"))
                .otherwise(message)
            )
    return [code.alias("code"), message.cast(pl.String).alias("message")]
