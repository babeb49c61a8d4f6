"""Write the demo's five workbooks and the README that says what is planted where.

Everything comes from one seeded ``random.Random`` and a fixed "today", so the committed
files are reproduced exactly by running the generator again (a test checks that they are).
Headers come from the field specs, so an upload template and the samples never disagree.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from centredesk.samples.catalogue import CENTRES, Product, approval_date, product_by_assessment
from centredesk.samples.catalogue import products as catalogue_products
from centredesk.samples.demo_assessments import (
    BOOKING_FIELDS,
    RESULT_FIELDS,
    assessments,
    line_faults,
    results_day,
)
from centredesk.samples.demo_learners import (
    LEARNER_HEADERS,
    PlantedFault,
    accepted_variants,
    demo_registrations,
    learner_faults,
)
from centredesk.samples.readme import readme_text
from centredesk.samples.workbook import Cell, write_workbook
from centredesk.validation.fields import Kind, field_names, spec

DEFAULT_TODAY = date(2026, 11, 28)
"""The date the committed sample files were generated for."""
DEFAULT_SEED = 20261128

SAMPLE_FILES = ("products.xlsx", "approvals.xlsx", "learners.xlsx", "bookings.xlsx", "results.xlsx")


def headers(kind: Kind, names: Sequence[str], chosen: dict[str, str] | None = None) -> list[str]:
    """Each field's header: our own, or a synonym the field spec recognises."""
    texts = []
    for name in names:
        field = spec(kind, name)
        text = (chosen or {}).get(name, field.header)
        if text != field.header and text not in field.synonyms:
            raise ValueError(f"{text!r} is not a recognised header for {kind} field {name}")
        texts.append(text)
    return texts


def product_rows(catalogue: list[Product]) -> list[list[Cell]]:
    """The catalogue as the products sheet shows it."""
    return [
        [p.code, p.title, p.level, p.sector, p.discount_code,
         "Y" if p.external_assessment else "N", p.assessment_mode, p.operational_end_date,
         p.grading_scheme, p.registration_fee]
        for p in catalogue
    ]  # fmt: skip


def approval_rows(catalogue: list[Product], today: date) -> list[list[Cell]]:
    """Each centre's approvals: not every centre delivers every product."""
    return [
        [centre.number, centre.name, product_by_assessment(catalogue, code).code,
         approval_date(centre, index, today)]
        for centre in CENTRES
        for index, code in enumerate(centre.approved)
    ]  # fmt: skip


@dataclass(frozen=True)
class DemoSamples:
    """What :func:`write_samples` wrote."""

    paths: list[Path]
    faults: list[PlantedFault]


def write_samples(
    out: Path, *, seed: int = DEFAULT_SEED, today: date = DEFAULT_TODAY
) -> DemoSamples:
    """Write the five demo workbooks and ``README.md`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    catalogue = catalogue_products(today)
    registrations = demo_registrations(rng, catalogue, today)
    bookings, results = assessments(rng, registrations, catalogue, today)

    product_fields = field_names("products")
    approval_fields = field_names("approvals")
    learner_fields = list(LEARNER_HEADERS)
    sheets: list[tuple[str, str, list[str], list[list[Cell]], str | None]] = [
        ("products.xlsx", "Products", headers("products", product_fields),
         product_rows(catalogue), None),
        ("approvals.xlsx", "Approvals", headers("approvals", approval_fields),
         approval_rows(catalogue, today), None),
        ("learners.xlsx", "Registrations",
         headers("learners", learner_fields, LEARNER_HEADERS),
         [registration.cells() for registration in registrations],
         f"Learner registrations, autumn term {today.year}"),
        ("bookings.xlsx", "Bookings", headers("bookings", BOOKING_FIELDS),
         [line.cells for line in bookings], None),
        ("results.xlsx", "Results", headers("results", RESULT_FIELDS),
         [line.cells for line in results], None),
    ]  # fmt: skip
    paths = []
    for name, sheet, texts, rows, title in sheets:
        path = out / name
        write_workbook(path, sheet, texts, rows, created=today, title=title)
        paths.append(path)
    faults = [
        *learner_faults(registrations, "learners.xlsx"),
        *line_faults(bookings, "bookings.xlsx"),
        *line_faults(results, "results.xlsx"),
    ]
    counts = {name: len(rows) for name, _sheet, _texts, rows, _title in sheets}
    readme = readme_text(
        today=today,
        seed=seed,
        counts=counts,
        catalogue=catalogue,
        faults=faults,
        variants=accepted_variants(registrations),
        withheld_until=results_day(today),
    )
    (out / "README.md").write_text(readme, encoding="utf-8")
    paths.append(out / "README.md")
    return DemoSamples(paths, faults)
