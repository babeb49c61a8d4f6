"""Large learner uploads for the benchmarks: N rows, realistic, a small fixed share of faults.

Columns are drawn with a seeded ``random.Random`` and finished as polars expressions (ULN
check digits, dates, references); the only per-row Python left is handing cells to
xlsxwriter, which streams them to disk in constant memory. A million rows take about as
long as xlsxwriter itself needs to write them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import xlsxwriter

from centredesk.samples.catalogue import (
    ADJUSTMENTS,
    FORENAMES,
    SURNAMES,
    Product,
    academic_year,
)
from centredesk.samples.catalogue import products as catalogue_products
from centredesk.samples.demo_files import DEFAULT_SEED, DEFAULT_TODAY, headers, product_rows
from centredesk.samples.demo_learners import LEARNER_HEADERS
from centredesk.samples.workbook import DATE_FORMAT, Cell, write_workbook

_EXCEL_EPOCH = date(1899, 12, 30)
FAULT_EVERY = 997
"""One row in this many carries a fault, cycling through :data:`FAULT_KINDS`."""
FAULT_KINDS = (
    "ULN_CHECKSUM", "ULN_TEMPORARY", "NAME_CASE", "NAME_CHARACTERS", "DOB_FUTURE",
    "ULN_MISSING", "DUP_IN_FILE", "PRODUCT_CLOSED",
)  # fmt: skip
_TOWNS = (
    "Ashford", "Barnsley", "Bedford", "Bolton", "Bradford", "Carlisle", "Chester", "Colchester",
    "Crewe", "Derby", "Dudley", "Durham", "Exeter", "Gateshead", "Gloucester", "Grimsby",
    "Harlow", "Hereford", "Hull", "Ipswich", "Kendal", "Leeds", "Leicester", "Lincoln",
    "Luton", "Norwich", "Oldham", "Oxford", "Preston", "Reading", "Rochdale", "Salford",
    "Stockport", "Swindon", "Telford", "Walsall", "Warrington", "Wigan", "Worcester", "York",
)  # fmt: skip
_KINDS = (
    "Academy", "High School", "College", "Community School", "Sixth Form College",
    "Training Centre", "Grammar School", "Technical College", "Free School", "Studio School",
)  # fmt: skip


@dataclass(frozen=True)
class LargeCatalogue:
    products: list[Product]
    centres: pl.DataFrame
    """centre_number, centre_name."""
    approvals: pl.DataFrame
    """centre_number, centre_name, product_code, approved_on."""


def large_catalogue(rows: int, today: date = DEFAULT_TODAY) -> LargeCatalogue:
    """Centres in proportion to the rows (about 2,500 learners each, 400 at most).

    Every centre is approved for the closed product and for three in four of the open
    ones, so no two neighbouring open products are both missing for a centre.
    """
    catalogue = catalogue_products(today)
    count = max(3, min(400, rows // 2500))
    centres = pl.DataFrame(
        {
            "centre_number": [str(400000 + 37 * index) for index in range(count)],
            "centre_name": [
                f"{_TOWNS[index % 40]} {_KINDS[index // 40 % 10]}" for index in range(count)
            ],
        }
    )
    approved: list[tuple[int, int]] = []
    for centre in range(count):
        approved += [
            (centre, index)
            for index, product in enumerate(catalogue)
            if product.operational_end_date < today or (centre + index) % 4
        ]
    approvals = pl.DataFrame(
        {
            "centre_number": [centres["centre_number"][c] for c, _ in approved],
            "centre_name": [centres["centre_name"][c] for c, _ in approved],
            "product_code": [catalogue[p].code for _, p in approved],
            "approved_on": [date(academic_year(today) - 1 - c % 5, 7, 1) for c, _ in approved],
        }
    )
    return LargeCatalogue(catalogue, centres, approvals)


def _lookup(position: pl.Expr, values: list[object]) -> pl.Expr:
    """The element of ``values`` at each position: a vectorised list lookup."""
    return position.replace_strict(list(range(len(values))), values)


def _ulns(rng: random.Random, count: int) -> pl.Series:
    """``count`` distinct ULNs that pass the check digit."""
    stems = pl.Series(
        "stem", [rng.randrange(100_000_000, 1_000_000_000) for _ in range(count + count // 8 + 50)]
    )
    digits = [(pl.col("stem") // 10**power) % 10 for power in range(8, -1, -1)]
    weighted = pl.sum_horizontal(
        [digit * weight for digit, weight in zip(digits, range(10, 1, -1), strict=True)]
    )
    frame = (
        pl.DataFrame(stems)
        .with_columns((weighted % 11).alias("r"))
        .filter(pl.col("r") != 0)
        .unique("stem", maintain_order=True)
        .head(count)
    )
    check = (10 - pl.col("r")) % 10
    return frame.select(
        (pl.col("stem").cast(pl.String) + check.cast(pl.String)).alias("uln")
    ).to_series()


def learner_rows(
    rows: int, *, seed: int = DEFAULT_SEED, today: date = DEFAULT_TODAY
) -> tuple[LargeCatalogue, pl.DataFrame]:
    """The upload's cells as a frame, one column per header, faults planted.

    Dates are Excel serial numbers (``*_serial``) except where ``*_text`` holds the UK text
    a person typed; ``uln_number`` marks ULNs typed as numbers.
    """
    rng = random.Random(seed)
    world = large_catalogue(rows, today)
    open_products = [p for p in world.products if p.operational_end_date >= today]
    closed = next(p for p in world.products if p.operational_end_date < today)
    index_of = {p.code: i for i, p in enumerate(world.products)}
    open_index = pl.Series([index_of[p.code] for p in open_products], dtype=pl.Int64)
    codes = pl.Series([p.code for p in world.products])
    year = academic_year(today)
    oldest = date(year - 20, 9, 1)
    born_span = (date(year - 14, 8, 31) - oldest).days
    enrolled = date(year, 9, 8)
    enrol_span = max(1, (today - timedelta(days=40) - enrolled).days)
    forenames = [
        *FORENAMES,
        *(f"{a} {b}" for a in FORENAMES for b in FORENAMES if a != b),
    ]

    def draw(upper: int) -> list[int]:
        return [rng.randrange(upper) for _ in range(rows)]

    frame = pl.DataFrame(
        {
            "centre": draw(world.centres.height),
            "pick": draw(len(open_products)),
            "forename": [forenames[i] for i in draw(len(forenames))],
            "surname": [SURNAMES[i] for i in draw(len(SURNAMES))],
            "born": draw(born_span),
            "registered": draw(enrol_span),
            "extra": draw(1000),
        }
    ).with_row_index("i")
    # The product: the drawn open product, or a neighbour when the centre lacks it (the
    # approvals leave out one product in four, never two neighbours).
    last = len(open_products) - 1
    neighbour = pl.when(pl.col("pick") < last).then(pl.col("pick") + 1).otherwise(last - 1)
    drawn = _lookup(pl.col("pick"), open_index.to_list())
    frame = frame.with_columns(
        product=pl.when((pl.col("centre") + drawn) % 4 == 0)
        .then(_lookup(neighbour, open_index.to_list()))
        .otherwise(drawn)
    )
    fault = pl.when(pl.col("i") % FAULT_EVERY == FAULT_EVERY - 1).then(
        pl.col("i") // FAULT_EVERY % len(FAULT_KINDS)
    )
    serial_born = (oldest - _EXCEL_EPOCH).days
    serial_enrolled = (enrolled - _EXCEL_EPOCH).days
    cells = frame.with_columns(
        fault=fault,
        uln=_ulns(rng, rows),
        centre_number=_lookup(pl.col("centre"), world.centres["centre_number"].to_list()),
        product_code=_lookup(pl.col("product"), codes.to_list()),
        dob_serial=pl.col("born") + serial_born,
        registration_serial=pl.col("registered") + serial_enrolled,
        learner_reference=pl.format("L{}", (pl.col("i") + 100001).cast(pl.String)),
        batch_number=6000 + pl.col("centre"),
        reasonable_adjustments=pl.when(pl.col("extra") < 50).then(
            _lookup(pl.col("extra") % len(ADJUSTMENTS), list(ADJUSTMENTS))
        ),
    )
    cells = _plant(cells, closed.code)
    return world, cells.select(
        "centre_number", "product_code", "forename", "surname", "dob_serial", "dob_text", "uln",
        "uln_number", "learner_reference", "batch_number", "registration_serial",
        "reasonable_adjustments", "fault",
    )  # fmt: skip


def _where(condition: pl.Expr, value: pl.Expr, column: str) -> pl.Expr:
    return pl.when(condition).then(value).otherwise(pl.col(column))


def _plant(cells: pl.DataFrame, closed_code: str) -> pl.DataFrame:
    kind = {name: pl.col("fault") == index for index, name in enumerate(FAULT_KINDS)}
    extra = pl.col("extra")
    text_dob = pl.col("fault").is_null() & (extra % 100 == 7)
    uln = pl.col("uln")
    mistyped = uln.str.slice(0, 9) + ((uln.str.slice(9).cast(pl.Int64) + 1) % 10).cast(pl.String)
    cells = cells.with_columns(
        uln=pl.when(kind["ULN_CHECKSUM"])
        .then(mistyped)
        .when(kind["ULN_TEMPORARY"])
        .then(pl.lit("9999999999"))
        .when(kind["ULN_MISSING"])
        .then(None)
        .otherwise(uln),
        surname=_where(kind["NAME_CASE"], pl.col("surname").str.to_uppercase(), "surname"),
        forename=_where(kind["NAME_CHARACTERS"], pl.col("forename") + "2", "forename"),
        # the year typed a century ahead: the date of birth is in the future
        dob_serial=_where(kind["DOB_FUTURE"], pl.col("dob_serial") + 36525, "dob_serial"),
        product_code=_where(kind["PRODUCT_CLOSED"], pl.lit(closed_code), "product_code"),
        uln_number=pl.col("fault").is_null() & (extra % 200 == 3),
    )
    # A repeated row is a copy of the row above it (the same learner on the same product).
    repeated = [
        "centre_number", "product_code", "forename", "surname", "dob_serial", "uln",
        "learner_reference", "batch_number", "registration_serial",
    ]  # fmt: skip
    cells = cells.with_columns(
        [
            pl.when(kind["DUP_IN_FILE"]).then(pl.col(name).shift(1)).otherwise(pl.col(name))
            for name in repeated
        ]
    )
    dob_text = (
        pl.lit(_EXCEL_EPOCH).cast(pl.Date) + pl.duration(days=pl.col("dob_serial"))
    ).dt.strftime("%d/%m/%Y")
    return cells.with_columns(
        dob_text=pl.when(text_dob).then(dob_text),
        dob_serial=pl.when(text_dob).then(None).otherwise(pl.col("dob_serial")),
    )


def write_large(
    out: Path, rows: int, *, seed: int = DEFAULT_SEED, today: date = DEFAULT_TODAY
) -> list[Path]:
    """Write ``products.xlsx``, ``approvals.xlsx`` and a ``learners.xlsx`` of ``rows`` rows."""
    out.mkdir(parents=True, exist_ok=True)
    world, cells = learner_rows(rows, seed=seed, today=today)
    products_path, approvals_path = out / "products.xlsx", out / "approvals.xlsx"
    write_workbook(
        products_path, "Products", headers("products", _fields("products")),
        product_rows(world.products), created=today,
    )  # fmt: skip
    approval_cells: list[list[Cell]] = [list(row) for row in world.approvals.iter_rows()]
    write_workbook(
        approvals_path, "Approvals", headers("approvals", _fields("approvals")),
        approval_cells, created=today,
    )  # fmt: skip
    learners_path = out / "learners.xlsx"
    _write_learners(learners_path, cells, today)
    return [products_path, approvals_path, learners_path]


def _fields(kind: str) -> list[str]:
    from centredesk.validation.fields import field_names

    return field_names(kind)  # type: ignore[arg-type]


def _write_learners(path: Path, cells: pl.DataFrame, today: date) -> None:
    workbook = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
         "strings_to_numbers": False},
    )  # fmt: skip
    workbook.set_properties({"created": today})
    sheet = workbook.add_worksheet("Registrations")
    date_format = workbook.add_format({"num_format": DATE_FORMAT})
    sheet.write_string(0, 0, f"Learner registrations, autumn term {today.year}")
    for column, header in enumerate(headers("learners", list(LEARNER_HEADERS), LEARNER_HEADERS)):
        sheet.write_string(2, column, header)
    text, number = sheet.write_string, sheet.write_number
    columns = [cells[name].to_list() for name in cells.columns[:-1]]
    for offset, cells_of_row in enumerate(zip(*columns, strict=True)):
        (centre, product, forename, surname, dob, dob_text, uln, uln_number, reference, batch,
         registered, adjustments) = cells_of_row  # fmt: skip
        row = 3 + offset
        text(row, 0, centre)
        text(row, 1, product)
        text(row, 2, forename)
        text(row, 3, surname)
        if dob is None:
            text(row, 4, dob_text)
        else:
            number(row, 4, dob, date_format)
        if uln is not None:
            if uln_number:
                number(row, 5, int(uln))
            else:
                text(row, 5, uln)
        text(row, 6, reference)
        number(row, 7, batch)
        number(row, 8, registered, date_format)
        if adjustments is not None:
            text(row, 9, adjustments)
    workbook.close()
