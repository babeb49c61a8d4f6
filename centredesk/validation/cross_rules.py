"""Rules that compare rows with each other and with the store: registrations and catalogue.

Each rule is a window expression or a join over whole frames (no loop over rows), so a
million-row file checked against a million stored registrations takes seconds. A rule only
looks at rows whose own fields are sound (``ok``): a row already rejected for its own cells
is not compared with others, so one typo does not cascade into several issues.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from centredesk.validation.checks import issues_where
from centredesk.validation.messages import said
from centredesk.validation.parsing import fold_name, uk_date

if TYPE_CHECKING:
    from centredesk.validation.engine import Reference

Outcome = tuple[pl.DataFrame, list[pl.DataFrame], list[str]]

_CENTRE, _PRODUCT, _ULN, _KEY = "centre_number", "product_code", "uln", "person_key"
_ROW = pl.col("row")
# Every row of an already-filtered frame (a literal True predicate trips polars after joins).
_EVERY_ROW = _ROW.is_not_null()
_REAL_ULN = pl.col(_ULN).is_not_null() & (pl.col(_ULN) != "9999999999")


def _key_hashes() -> list[pl.Expr]:
    return [
        _hashed(_CENTRE, _PRODUCT, _ULN).alias("uln_hash"),
        _hashed(_CENTRE, _PRODUCT, _KEY).alias("key_hash"),
    ]


def _hashed(*columns: str | pl.Expr) -> pl.Expr:
    """One 64-bit hash of several columns: a cheap stand-in for a multi-column key.

    Equal keys always hash alike, so matching on the hash finds every true match (and,
    rarely, a false one); each rule then compares the real keys on the few rows found.
    """
    return pl.struct(*columns).hash()


def _identity(prefix_uln: pl.Expr, key: pl.Expr) -> pl.Expr:
    """Learner identity within a centre, as the store recognises learners."""
    return pl.format(
        "{}|{}",
        pl.col(_CENTRE),
        pl.when(_REAL_ULN).then(pl.format("u:{}", prefix_uln)).otherwise(pl.format("k:{}", key)),
    )


def _identity_hash() -> pl.Expr:
    """A hash of what :func:`_identity` spells out: learners with one identity hash alike.

    Centre numbers are upper-cased codes, so the identity text cannot be read two ways and
    equal texts always mean equal parts.
    """
    return _hashed(
        pl.col(_CENTRE),
        _REAL_ULN.alias("real_uln"),
        pl.when(_REAL_ULN).then(pl.col(_ULN)).otherwise(pl.col(_KEY)).alias("who"),
    )


def _earlier(when: pl.Expr, over: list[str]) -> pl.Expr:
    """The first row number among the rows of the window where ``when`` holds."""
    return pl.when(when).then(_ROW).min().over(over)


def _disagreeing(frame: pl.DataFrame, value: str, over: list[str], among: pl.Expr) -> pl.DataFrame:
    """Rows of windows (``over``) that disagree on ``value``, with ``other``: a row that differs.

    Rows holding the window's first value point at the first row with another value; the
    others point at the window's first row. Disagreeing windows are rare, so they are found
    with one group-by and only their rows are compared.
    """
    # A window that disagrees has two rows or more: only rows whose window key (by hash)
    # recurs are grouped, a small share of a real file.
    candidates = frame.filter(among).filter(_hashed(*over).is_duplicated())
    split = (
        candidates.group_by(over)
        .agg(pl.col(value).n_unique().alias("values"))
        .filter(pl.col("values") > 1)
        .drop("values")
    )
    rows = candidates.join(split, on=over, how="semi").sort("row")
    first_value = pl.col(value).first().over(over)
    first_row = _ROW.min().over(over)
    first_other = pl.when(pl.col(value) != first_value).then(_ROW).min().over(over)
    return rows.with_columns(
        pl.when(pl.col(value) != first_value).then(first_row).otherwise(first_other).alias("other")
    )


def skipped(what: str, codes: list[str]) -> str:
    """The once-per-file note that a rule was skipped because the store lacks its data."""
    listed = ", ".join(codes[:-1]) + " and " + codes[-1] if len(codes) > 1 else codes[0]
    verb = "were" if len(codes) > 1 else "was"
    return f"the store holds no {what} yet, so {listed} {verb} not checked"


def catalogue(
    frame: pl.DataFrame,
    reference: Reference,
    *,
    centres: bool = True,
    approvals: bool = False,
    closing: bool = False,
    also_needs_catalogue: tuple[str, ...] = (),
) -> tuple[list[pl.DataFrame], list[str]]:
    """PRODUCT_UNKNOWN and, as asked, CENTRE_UNKNOWN, PRODUCT_NOT_APPROVED, PRODUCT_CLOSED.

    Each applies only once the store holds the data it needs; otherwise one note says so.
    """
    issues: list[pl.DataFrame] = []
    notes: list[str] = []
    products, stored_centres = reference.get("products"), reference.get("centres")
    known_product = _EVERY_ROW
    if products is None:
        codes = ["PRODUCT_UNKNOWN", *(["PRODUCT_CLOSED"] * closing), *also_needs_catalogue]
        notes.append(skipped("product catalogue", codes))
    else:
        known_product = pl.col(_PRODUCT).is_in(products.get_column(_PRODUCT).implode())
        issues.append(
            issues_where(frame, pl.col(_PRODUCT).is_not_null() & ~known_product,
                         "PRODUCT_UNKNOWN", said("PRODUCT_UNKNOWN", product=pl.col(_PRODUCT)),
                         field=_PRODUCT)
        )  # fmt: skip
        if closing:
            ends = products.select(_PRODUCT, "operational_end_date")
            closed = frame.join(ends, on=_PRODUCT, how="left")
            issues.append(
                issues_where(
                    closed,
                    pl.col("registration_date") > pl.col("operational_end_date"),
                    "PRODUCT_CLOSED",
                    said("PRODUCT_CLOSED", product=pl.col(_PRODUCT),
                         date=uk_date(pl.col("operational_end_date"))),
                    field=_PRODUCT,
                )
            )  # fmt: skip
    if not centres:
        return issues, notes
    if stored_centres is None:
        codes = ["CENTRE_UNKNOWN"] + ["PRODUCT_NOT_APPROVED"] * approvals
        notes.append(skipped("centres", codes))
        return issues, notes
    known_centre = pl.col(_CENTRE).is_in(stored_centres.get_column(_CENTRE).implode())
    issues.append(
        issues_where(frame, pl.col(_CENTRE).is_not_null() & ~known_centre, "CENTRE_UNKNOWN",
                     said("CENTRE_UNKNOWN", centre=pl.col(_CENTRE)),
                     field=_CENTRE)
    )  # fmt: skip
    approved = reference.get("approvals")
    if approvals and approved is None:
        notes.append(skipped("approvals", ["PRODUCT_NOT_APPROVED"]))
    if approvals and approved is not None and products is not None:
        pairs = approved.select(_CENTRE, _PRODUCT).unique().with_columns(approved=pl.lit(True))
        checked = frame.join(pairs, on=[_CENTRE, _PRODUCT], how="left")
        issues.append(
            issues_where(
                checked,
                known_centre & known_product & pl.col(_PRODUCT).is_not_null()
                & pl.col("approved").is_null(),
                "PRODUCT_NOT_APPROVED",
                said("PRODUCT_NOT_APPROVED", centre=pl.col(_CENTRE), product=pl.col(_PRODUCT)),
                field=_PRODUCT,
            )
        )  # fmt: skip
    return issues, notes


def learners(parsed: pl.DataFrame, ok: pl.Expr, reference: Reference, today: date) -> Outcome:
    """Registration uploads: duplicates, ULN conflicts, discount clashes and the catalogue."""
    parsed = _with_person_key(parsed).with_columns(
        pl.col("registration_date").fill_null(pl.lit(today))
    )
    eligible = ok & pl.all_horizontal(pl.col(_CENTRE, _PRODUCT, _KEY).is_not_null())
    work = parsed.with_columns(eligible.alias("eligible"), _REAL_ULN.alias("has_uln")).with_columns(
        _key_hashes()
    )
    # The rules are independent and polars releases the GIL: threads overlap them.
    with ThreadPoolExecutor(max_workers=4) as pool:
        listed = pool.submit(
            catalogue, work, reference, approvals=True, closing=True,
            also_needs_catalogue=("DISCOUNT_CLASH",),
        )  # fmt: skip
        in_file = pool.submit(_duplicates_in_file, work)
        conflicts = pool.submit(_uln_conflicts, work, reference)
        suspected = pool.submit(_suspected, work, reference)
        clashes = pool.submit(_discount_clash, work, reference)
        in_store = pool.submit(_duplicates_in_store, work, reference)
    issues, notes = listed.result()
    clash, clash_notes = clashes.result()
    issues += in_file.result() + conflicts.result() + suspected.result()
    issues += clash + in_store.result()
    return parsed, issues, notes + clash_notes


def _with_person_key(parsed: pl.DataFrame) -> pl.DataFrame:
    """Add :func:`person_key`, folding each distinct forename and surname once.

    Folding (accents, case, punctuation) is the costly part and a file repeats its names.
    """
    folded = parsed
    for name in ("forename", "surname"):
        distinct = parsed.select(pl.col(name).unique())
        folded = folded.join(
            distinct.with_columns(fold_name(pl.col(name)).alias(f"{name}:folded")),
            on=name, how="left", nulls_equal=True, maintain_order="left",
        )  # fmt: skip
    key = pl.format(
        "{}|{}|{}",
        pl.col("forename:folded"),
        pl.col("surname:folded"),
        pl.col("date_of_birth").dt.to_string("%Y-%m-%d"),
    )
    return parsed.with_columns(folded.select(key.alias(_KEY)).to_series())


def _duplicates_in_file(work: pl.DataFrame) -> list[pl.DataFrame]:
    e, u = pl.col("eligible"), pl.col("has_uln")
    by_uln = _earlier(e & u, [_CENTRE, _PRODUCT, _ULN])
    by_key_without_uln = _earlier(e & ~u, [_CENTRE, _PRODUCT, _KEY])
    by_key = _earlier(e, [_CENTRE, _PRODUCT, _KEY])
    dup_of = (
        pl.when(~e)
        .then(None)
        .when(u)
        .then(
            pl.min_horizontal(
                pl.when(by_uln < _ROW).then(by_uln),
                pl.when(by_key_without_uln < _ROW).then(by_key_without_uln),
            )
        )
        .otherwise(pl.when(by_key < _ROW).then(by_key))
    )
    # Only rows whose centre, product and ULN or person key (by hash) recur can be
    # duplicates; the windows then run over those few rows only.
    by_uln_hash = pl.when(u).then(pl.col("uln_hash"))
    recurring = (by_uln_hash.is_duplicated() & u) | pl.col("key_hash").is_duplicated()
    candidates = work.filter(e).filter(recurring)
    marked = candidates.with_columns(dup_of.alias("dup_of"))
    return [
        issues_where(marked, pl.col("dup_of").is_not_null(), "DUP_IN_FILE",
                     said("DUP_IN_FILE", "learner", product=pl.col(_PRODUCT),
                          row=pl.col("dup_of")),
                     field=None, other_row=pl.col("dup_of"))
    ]  # fmt: skip


def _duplicates_in_store(work: pl.DataFrame, reference: Reference) -> list[pl.DataFrame]:
    registrations = reference.get("registrations")
    if registrations is None:
        return []
    keys = [_CENTRE, _PRODUCT]
    live = (
        registrations.filter(pl.col("status") != "cancelled")
        .select(*keys, _ULN, _KEY, "learner_number")
        .with_columns(_key_hashes())
    )
    candidates = work.filter("eligible").select(
        "row", *keys, _ULN, _KEY, "has_uln", "uln_hash", "key_hash"
    )
    # Most rows are new learners: keep only the rows and registrations whose centre,
    # product and ULN or person key (by hash) meet, then compare the real keys.
    live = _meeting(live, candidates)
    candidates = _meeting(candidates, live)
    live = live.with_columns(_REAL_ULN.alias("stored_uln"))
    by_uln = (
        live.filter("stored_uln")
        .group_by(*keys, _ULN)
        .agg(pl.col("learner_number").min().alias("same_uln"))
    )
    by_key = live.group_by(*keys, _KEY).agg(pl.col("learner_number").min().alias("same_key"))
    by_key_without_uln = (
        live.filter(~pl.col("stored_uln"))
        .group_by(*keys, _KEY)
        .agg(pl.col("learner_number").min().alias("same_key_without_uln"))
    )
    joined = (
        candidates.join(by_uln, on=[*keys, _ULN], how="left")
        .join(by_key, on=[*keys, _KEY], how="left")
        .join(by_key_without_uln, on=[*keys, _KEY], how="left")
        .with_columns(
            pl.when(pl.col("has_uln").fill_null(False))
            .then(pl.coalesce("same_uln", "same_key_without_uln"))
            .otherwise(pl.col("same_key"))
            .alias("stored_learner")
        )
    )
    return [
        issues_where(joined, pl.col("stored_learner").is_not_null(), "DUP_IN_STORE",
                     said("DUP_IN_STORE", product=pl.col(_PRODUCT),
                          learner=pl.col("stored_learner")),
                     field=None)
    ]  # fmt: skip


def _meeting(frame: pl.DataFrame, other: pl.DataFrame) -> pl.DataFrame:
    """The lines of ``frame`` whose ``uln_hash`` or ``key_hash`` also occurs in ``other``."""
    found = [
        frame.join(other.select(column), on=column, how="semi")
        for column in ("uln_hash", "key_hash")
    ]
    return pl.concat(found).unique(maintain_order=True)


def _sharing(
    rows: pl.DataFrame, stored: pl.DataFrame, column: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows and stored lines whose ``column`` (by hash) occurs on the other side.

    Most of a file's learners are new to the store: joining on an integer hash first
    leaves the text join (and its messages) only the few that may match.
    """
    hashed = pl.col(column).hash().alias("hash")
    rows, stored = rows.with_columns(hashed), stored.with_columns(hashed)
    meeting_rows = rows.join(stored.select("hash"), on="hash", how="semi")
    meeting_stored = stored.join(rows.select("hash"), on="hash", how="semi")
    return meeting_rows.drop("hash"), meeting_stored.drop("hash")


def _uln_conflicts(work: pl.DataFrame, reference: Reference) -> list[pl.DataFrame]:
    among = pl.col("eligible") & pl.col("has_uln")
    marked = _disagreeing(work, _KEY, [_ULN], among)
    in_file = issues_where(
        marked, pl.col("other").is_not_null(), "ULN_CONFLICT",
        said("ULN_CONFLICT", "in_file", uln=pl.col(_ULN), row=pl.col("other")),
        field=_ULN,
    )  # fmt: skip
    stored = reference.get("learners")
    if stored is None:
        return [in_file]
    rows, stored = _sharing(work.filter(among), stored.filter(_REAL_ULN), _ULN)
    known = stored.select(
        _ULN,
        pl.col("learner_number").alias("stored_learner"),
        pl.col(_KEY).alias("stored_key"),
        pl.format("{} {}, born {}", "forename", "surname", uk_date(pl.col("date_of_birth"))).alias(
            "stored_person"
        ),
    )
    joined = (
        rows.join(known, on=_ULN, how="inner")
        .filter(pl.col("stored_key") != pl.col(_KEY))
        .unique("row", keep="first")
    )
    against_store = issues_where(
        joined, _EVERY_ROW, "ULN_CONFLICT",
        said("ULN_CONFLICT", "in_store", uln=pl.col(_ULN), learner=pl.col("stored_learner"),
             person=pl.col("stored_person")),
        field=_ULN,
    )  # fmt: skip
    # One ULN_CONFLICT per row is enough: the file's own clash is reported first.
    both = pl.concat([in_file, against_store]).unique("row", keep="first", maintain_order=True)
    return [both]


def _suspected(work: pl.DataFrame, reference: Reference) -> list[pl.DataFrame]:
    among = pl.col("eligible") & pl.col("has_uln")
    marked = _disagreeing(work, _ULN, [_KEY], among)
    in_file = issues_where(
        marked, pl.col("other").is_not_null(), "DUP_SUSPECTED",
        said("DUP_SUSPECTED", "in_file", row=pl.col("other")),
        field=_ULN,
    )  # fmt: skip
    stored = reference.get("learners")
    if stored is None:
        return [in_file]
    rows, stored = _sharing(work.filter(among), stored.filter(_REAL_ULN), _KEY)
    known = stored.select(
        _KEY,
        pl.col(_ULN).alias("stored_uln"),
        pl.col("learner_number").alias("stored_learner"),
    )
    joined = (
        rows.join(known, on=_KEY, how="inner")
        .filter(pl.col("stored_uln") != pl.col(_ULN))
        .unique("row", keep="first")
    )
    against_store = issues_where(
        joined, _EVERY_ROW, "DUP_SUSPECTED",
        said("DUP_SUSPECTED", "in_store", learner=pl.col("stored_learner"),
             uln=pl.col("stored_uln")),
        field=_ULN,
    )  # fmt: skip
    both = pl.concat([in_file, against_store]).unique("row", keep="first", maintain_order=True)
    return [both]


def _discount_clash(
    work: pl.DataFrame, reference: Reference
) -> tuple[list[pl.DataFrame], list[str]]:
    products = reference.get("products")
    if products is None:
        return [], []
    codes = products.select(
        _PRODUCT, pl.col("discount_code").str.strip_chars().str.to_uppercase().alias("discount")
    ).filter(pl.col("discount").is_not_null() & (pl.col("discount") != ""))
    among = pl.col("eligible") & pl.col("discount").is_not_null()
    # Rows on a product with a discount code: the inner join keeps exactly those.
    coded = (
        work.filter("eligible")
        .select("row", _CENTRE, _PRODUCT, _ULN, _KEY, "eligible")
        .join(codes, on=_PRODUCT, how="inner")
        .with_columns(_identity_hash().alias("identity_hash"))
    )
    # Only learners (by hash) holding two products of one discount code can clash: the
    # text identity is built for those few rows only.
    split = (
        coded.filter(_hashed("identity_hash", "discount").is_duplicated())
        .group_by("identity_hash", "discount")
        .agg(pl.col(_PRODUCT).n_unique().alias("products"))
        .filter(pl.col("products") > 1)
    )
    clashing = coded.join(split, on=["identity_hash", "discount"], how="semi").with_columns(
        _identity(pl.col(_ULN), pl.col(_KEY)).alias("identity")
    )
    marked = _disagreeing(clashing, _PRODUCT, ["identity", "discount"], among)
    in_file = issues_where(
        marked, pl.col("other").is_not_null(), "DISCOUNT_CLASH",
        said("DISCOUNT_CLASH", "in_file", product=pl.col(_PRODUCT), code=pl.col("discount"),
             row=pl.col("other")),
        field=_PRODUCT,
    )  # fmt: skip
    registrations = reference.get("registrations")
    if registrations is None:
        return [in_file], []
    active = (
        registrations.filter(pl.col("status") == "active")
        .join(codes, on=_PRODUCT, how="inner")
        .with_columns(_identity_hash().alias("identity_hash"))
    )
    # Registrations and rows of learners (by hash) found on both sides, then compared by
    # their text identity.
    coded = coded.join(active.select("identity_hash"), on="identity_hash", how="semi")
    active = (
        active.join(coded.select("identity_hash"), on="identity_hash", how="semi")
        .select(
            _identity(pl.col(_ULN), pl.col(_KEY)).alias("identity"),
            "discount",
            pl.col(_PRODUCT).alias("stored_product"),
        )
        .unique(["identity", "discount", "stored_product"])
    )
    joined = (
        coded.with_columns(_identity(pl.col(_ULN), pl.col(_KEY)).alias("identity"))
        .join(active, on=["identity", "discount"], how="inner")
        .filter(pl.col("stored_product") != pl.col(_PRODUCT))
        .unique("row", keep="first")
    )
    against_store = issues_where(
        joined, _EVERY_ROW, "DISCOUNT_CLASH",
        said("DISCOUNT_CLASH", "in_store", product=pl.col(_PRODUCT), code=pl.col("discount"),
             other=pl.col("stored_product")),
        field=_PRODUCT,
    )  # fmt: skip
    both = pl.concat([in_file, against_store]).unique("row", keep="first", maintain_order=True)
    return [both], []


def products(parsed: pl.DataFrame, ok: pl.Expr) -> Outcome:
    """A catalogue upload: one product code once per file (the store upserts by code)."""
    first = _earlier(pl.col(_PRODUCT).is_not_null(), [_PRODUCT])
    marked = parsed.with_columns(first.alias("first"))
    issues = issues_where(
        marked, pl.col("first") < _ROW, "DUP_IN_FILE",
        said("DUP_IN_FILE", "product", product=pl.col(_PRODUCT), row=pl.col("first")),
        field=_PRODUCT, other_row=pl.col("first"),
    )  # fmt: skip
    return parsed, [issues], []


def approvals(parsed: pl.DataFrame, ok: pl.Expr, reference: Reference) -> Outcome:
    """An approvals upload: each centre and product once per file; products must exist."""
    present = pl.col(_CENTRE).is_not_null() & pl.col(_PRODUCT).is_not_null()
    marked = parsed.with_columns(_earlier(present, [_CENTRE, _PRODUCT]).alias("first"))
    issues = [
        issues_where(
            marked, pl.col("first") < _ROW, "DUP_IN_FILE",
            said("DUP_IN_FILE", "approval", centre=pl.col(_CENTRE), product=pl.col(_PRODUCT),
                 row=pl.col("first")),
            field=None, other_row=pl.col("first"),
        )
    ]  # fmt: skip
    # Approvals create centres, so an unknown centre is expected here.
    found, notes = catalogue(parsed, reference, centres=False)
    return parsed, issues + found, notes
