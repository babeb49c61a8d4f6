"""The benchmarks' inputs: a large learner upload and a store of the same size.

The upload is written by the sample-data generator. The store is built straight from the
generator's frames through the store's own import writer (Arrow into DuckDB), because
importing a million-row workbook just to get a store would take longer than the benchmark.
Its learners come from a different seed, so the upload is new to it, as a real one is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl

from centredesk.samples import DEFAULT_SEED, DEFAULT_TODAY
from centredesk.samples.catalogue import Product
from centredesk.samples.large import LargeCatalogue, learner_rows, write_large
from centredesk.store import Location, Store, open_store
from centredesk.store.records import ImportMeta
from centredesk.validation.engine import Reference
from centredesk.validation.fields import GRADING_SCHEMES
from centredesk.validation.identity import identify, with_person_key

_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class Inputs:
    """Where one benchmark run's inputs are."""

    folder: Path
    rows: int

    @property
    def learners(self) -> Path:
        return self.folder / "learners.xlsx"

    @property
    def store(self) -> Path:
        """N learners and registrations, and a result for each registration."""
        return self.folder / "store.duckdb"

    @property
    def catalogue(self) -> Path:
        """Products and approvals only: what an import of the upload starts from."""
        return self.folder / "catalogue.duckdb"


def prepare(folder: Path, rows: int, log: Callable[[str], None] = print) -> Inputs:
    """Generate the inputs in ``folder`` unless a previous run left them there."""
    inputs = Inputs(folder, rows)
    marker = folder / "inputs.json"
    if marker.exists() and json.loads(marker.read_text()) == {"rows": rows}:
        log(f"reusing the inputs in {folder}")
        for store in (inputs.catalogue, inputs.store):
            make_admin(store, log)
        return inputs
    folder.mkdir(parents=True, exist_ok=True)
    started = datetime.now()
    log(f"writing a {rows:,}-row learner upload …")
    write_large(folder, rows)
    log(f"building a store of {rows:,} learners …")
    for path in (inputs.store, inputs.catalogue):
        path.unlink(missing_ok=True)
    world, cells = learner_rows(rows, seed=DEFAULT_SEED + 1)
    with open_store(inputs.catalogue) as store:
        _catalogue(store, world)
    with open_store(inputs.store) as store:
        _catalogue(store, world)
        _learners(store, cells)
        _results(store, world.products)
    marker.write_text(json.dumps({"rows": rows}))
    log(f"inputs ready in {(datetime.now() - started).total_seconds():.0f} s")
    return inputs


def make_admin(location: Location, log: Callable[[str], None] = print) -> None:
    """Make whoever runs the benchmark an admin of a store it did not build.

    The import and withdraw stages act as that user, and stop at the role check unless
    they may import and withdraw. Inputs kept from another user's run, or from before stores
    had roles (their upgrade made the user those imports recorded the admin), name someone
    else; so does a store copied to a server, whose login is not the OS user. The grant is
    audited, as an administrator's would be.
    """
    with open_store(location) as store:
        user = store.acting_user
        if store.users.role(user) != "admin":
            log(f"making {user} an admin of {location}")
            store.users.grant(user, "admin")


def _meta(store: Store, kind: str, rows: int) -> ImportMeta:
    now = datetime.now()
    return ImportMeta(
        f"benchmark-{kind}", f"benchmark-{kind}", kind, None, rows, store.acting_user, now, now
    )


def _write(store: Store, kind: str, accepted: pl.DataFrame) -> None:
    accepted = accepted.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))
    empty_issues = pl.DataFrame(
        schema={c: pl.String for c in ("column", "field", "code", "severity", "message", "value")}
    ).with_columns(pl.lit(None, pl.Int64).alias("row"))
    rejected = pl.DataFrame(schema={"row": pl.Int64, "cells": pl.String})
    if kind == "learners":
        # Who each row is, worked out by validation as an import does.
        accepted = identify(accepted, Reference(store.reference.frames(["learners"])))
    store.imports.record(_meta(store, kind, accepted.height), accepted, empty_issues, rejected)


def _catalogue(store: Store, world: LargeCatalogue) -> None:
    products = pl.DataFrame(
        [
            {
                "product_code": p.code, "title": p.title, "level": p.level, "sector": p.sector,
                "discount_code": p.discount_code, "external_assessment": p.external_assessment,
                "assessment_mode": p.assessment_mode,
                "operational_end_date": p.operational_end_date,
                "grading_scheme": p.grading_scheme, "registration_fee": p.registration_fee,
            }
            for p in world.products
        ]
    )  # fmt: skip
    _write(store, "products", products)
    _write(store, "approvals", world.approvals)


def _learners(store: Store, cells: pl.DataFrame) -> None:
    epoch = pl.lit(_EXCEL_EPOCH)
    clean = cells.filter(pl.col("fault").is_null())
    learners = clean.select(
        "centre_number",
        "product_code",
        "forename",
        "surname",
        pl.coalesce(
            epoch + pl.duration(days=pl.col("dob_serial")),
            pl.col("dob_text").str.to_date("%d/%m/%Y"),
        ).alias("date_of_birth"),
        "uln",
        "learner_reference",
        pl.col("batch_number").cast(pl.String),
        (epoch + pl.duration(days=pl.col("registration_serial"))).alias("registration_date"),
        "reasonable_adjustments",
    )
    _write(store, "learners", with_person_key(learners))


def _results(store: Store, products: list[Product]) -> None:
    """A result for every registration; one in ten still withheld."""
    registrations = store.reference.frames(["registrations"])["registrations"].select(
        "registration_id", "product_code"
    )
    by_code = {p.code: p for p in products}
    codes = list(by_code)
    grades = [GRADING_SCHEMES[by_code[c].grading_scheme] for c in codes]
    today = DEFAULT_TODAY
    scheme = pl.col("product_code").replace_strict(
        codes, [list(g) for g in grades], return_dtype=pl.List(pl.String)
    )
    results = registrations.with_columns(
        component=pl.col("product_code").replace_strict(
            codes, [by_code[c].assessment for c in codes]
        ),
        grade=scheme.list.get(pl.col("registration_id") % scheme.list.len()),
        result_date=pl.lit(today - timedelta(days=10)),
        release_date=pl.when(pl.col("registration_id") % 10 == 0)
        .then(pl.lit(date(today.year + 1, 8, 19)))
        .otherwise(pl.lit(today - timedelta(days=5))),
    ).drop("product_code")
    _write(store, "results", results)
