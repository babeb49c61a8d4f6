"""The sample-data generator: deterministic, committed files current, domain facts right.

The check-digit formulas are written out here from the domain rules rather than imported,
so a mistake in the generator's own arithmetic cannot hide itself.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from centredesk.samples import DEFAULT_TODAY, SAMPLE_FILES, DemoSamples, write_samples
from centredesk.samples.large import FAULT_EVERY, write_large

COMMITTED = Path(__file__).resolve().parents[1] / "sample_data"


def uln_is_valid(uln: str) -> bool:
    if len(uln) != 10 or not uln.isdigit() or uln[0] == "0":
        return False
    remainder = sum(int(d) * w for d, w in zip(uln[:9], range(10, 1, -1), strict=True)) % 11
    if remainder == 0:
        return False
    return int(uln[9]) == (0 if remainder == 10 else 10 - remainder)


def product_check_is_right(code: str) -> bool:
    digits = code.replace("/", "")
    remainder = sum(int(d) * w for d, w in zip(digits[:7], (8, 7, 6, 5, 4, 3, 2), strict=True))
    expected = remainder % 11
    return digits[7] == ("X" if expected == 10 else str(expected))


def sheet_values(path: Path) -> list[tuple[Any, ...]]:
    workbook = openpyxl.load_workbook(path)
    try:
        return list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def records(path: Path, header_row: int = 1) -> list[dict[str, Any]]:
    """Data rows as dicts keyed by header, each with its Excel row number under ``_row``."""
    rows = sheet_values(path)
    header = rows[header_row - 1]
    return [
        {"_row": header_row + 1 + index, **dict(zip(header, values, strict=True))}
        for index, values in enumerate(rows[header_row:])
    ]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSamples]:
    out = tmp_path_factory.mktemp("samples")
    return out, write_samples(out)


def fault_rows(samples: DemoSamples, file: str, *codes: str) -> set[int]:
    return {f.row for f in samples.faults if f.file == file and f.code in codes}


def test_checks_agree_with_the_published_examples() -> None:
    assert uln_is_valid("1000000043") and uln_is_valid("9276308686")
    assert not uln_is_valid("1000000042") and not uln_is_valid("1000000063")
    assert product_check_is_right("603/0862/X") and product_check_is_right("500/5959/2")
    assert not product_check_is_right("603/0862/1")


def test_two_runs_write_identical_cells(
    generated: tuple[Path, DemoSamples], tmp_path: Path
) -> None:
    first, _ = generated
    write_samples(tmp_path)
    for name in SAMPLE_FILES:
        assert sheet_values(first / name) == sheet_values(tmp_path / name), name
    assert (first / "README.md").read_text() == (tmp_path / "README.md").read_text()


def test_committed_sample_data_matches_a_fresh_run(generated: tuple[Path, DemoSamples]) -> None:
    fresh, _ = generated
    for name in SAMPLE_FILES:
        assert sheet_values(COMMITTED / name) == sheet_values(fresh / name), (
            f"sample_data/{name} is stale: run python -m centredesk.samples --out sample_data"
        )
    assert (COMMITTED / "README.md").read_text() == (fresh / "README.md").read_text()


def test_learner_upload_has_its_header_on_row_3_with_synonyms(
    generated: tuple[Path, DemoSamples],
) -> None:
    out, _ = generated
    rows = sheet_values(out / "learners.xlsx")
    assert rows[0][0] and all(cell is None for cell in rows[1])
    assert {"First Name", "DOB", "Unique Learner Number"} <= set(rows[2])
    assert 180 <= len(rows) - 3 <= 220


def test_every_uln_in_the_upload_passes_the_check_digit_unless_planted(
    generated: tuple[Path, DemoSamples],
) -> None:
    out, samples = generated
    bad = fault_rows(samples, "learners.xlsx", "ULN_CHECKSUM")
    placeholder = fault_rows(samples, "learners.xlsx", "ULN_TEMPORARY")
    ulns = {row["_row"]: row["Unique Learner Number"] for row in records(out / "learners.xlsx", 3)}
    numbers = [row for row, uln in ulns.items() if isinstance(uln, int | float)]
    assert len(numbers) == 1  # the one ULN typed as a number
    assert [row for row, uln in ulns.items() if uln is None] != []
    for row, uln in ulns.items():
        if uln is None or row in placeholder:
            continue
        text = str(int(uln)) if isinstance(uln, int | float) else uln
        assert uln_is_valid(text) == (row not in bad), (row, text)
    assert len(bad) == 1 and all(ulns[row] == "9999999999" for row in placeholder)


def test_every_product_code_has_the_right_check_character(
    generated: tuple[Path, DemoSamples],
) -> None:
    out, _ = generated
    products = records(out / "products.xlsx")
    assert 10 <= len(products) <= 20
    assert all(product_check_is_right(p["Product Code"]) for p in products)
    codes = {p["Product Code"] for p in products}
    used = {r["Qualification Number"] for r in records(out / "learners.xlsx", 3)}
    assert all(product_check_is_right(code) for code in used)
    assert {code for code in used if "/" in code} <= codes


def test_exactly_one_discount_code_is_shared_by_two_products(
    generated: tuple[Path, DemoSamples],
) -> None:
    out, _ = generated
    codes = [p["Discount Code"] for p in records(out / "products.xlsx")]
    shared = {code: codes.count(code) for code in codes if codes.count(code) > 1}
    assert list(shared.values()) == [2]


def test_one_product_has_closed_and_a_learner_is_registered_on_it(
    generated: tuple[Path, DemoSamples],
) -> None:
    out, samples = generated
    products = records(out / "products.xlsx")
    closed = [p for p in products if p["Operational End Date"] < datetime(2026, 11, 28)]
    assert len(closed) == 1
    rows = fault_rows(samples, "learners.xlsx", "PRODUCT_CLOSED")
    learners = {r["_row"]: r for r in records(out / "learners.xlsx", 3)}
    assert [learners[row]["Qualification Number"] for row in rows] == [closed[0]["Product Code"]]


def test_bookings_and_results_fit_the_catalogue_except_where_planted(
    generated: tuple[Path, DemoSamples],
) -> None:
    out, samples = generated
    products = {p["Product Code"]: p for p in records(out / "products.xlsx")}
    registered = {  # the upload writes a few codes without their slashes
        (r["Unique Learner Number"], r["Qualification Number"].replace("/", ""))
        for r in records(out / "learners.xlsx", 3)
    }
    no_external = fault_rows(samples, "bookings.xlsx", "BOOKING_NO_EXTERNAL")
    bookings = records(out / "bookings.xlsx")
    assert {b["Session Date"].year for b in bookings} >= {2026, 2027}
    for booking in bookings:
        product = products[booking["Product Code"]]
        assert (product["External Assessment"] == "Y") == (booking["_row"] not in no_external)
        assert (booking["ULN"], booking["Product Code"].replace("/", "")) in registered
        assert "Learner Number" not in booking
    schemes = {
        "graded": {"Pass", "Merit", "Distinction", "Distinction*", "U"},
        "pass-fail": {"Pass", "Fail", "U"},
        "unclassified": {"Achieved", "Not Achieved", "U"},
    }
    off_scheme = fault_rows(samples, "results.xlsx", "RESULT_GRADE")
    unregistered = fault_rows(samples, "results.xlsx", "RESULT_REGISTRATION_MISSING")
    results = records(out / "results.xlsx")
    for result in results:
        scheme = schemes[products[result["Product Code"]]["Grading Scheme"]]
        assert (result["Grade"] in scheme) == (result["_row"] not in off_scheme)
        assert ((result["ULN"], result["Product Code"].replace("/", "")) in registered) == (
            result["_row"] not in unregistered
        )
        assert result["Result Date"].date() <= DEFAULT_TODAY
    release = [r["Release Date"].date() for r in results]
    assert any(day > date(2027, 6, 1) for day in release)  # withheld for months to come
    assert any(day <= DEFAULT_TODAY for day in release)


def test_readme_lists_every_planted_fault_by_row_and_code(
    generated: tuple[Path, DemoSamples],
) -> None:
    out, samples = generated
    readme = (out / "README.md").read_text()
    for fault in samples.faults:
        assert f"| {fault.file} | {fault.row} |" in readme
        assert fault.code in readme
    codes = {f.code for f in samples.faults}
    assert {"ULN_CHECKSUM", "DUP_IN_FILE", "DISCOUNT_CLASH", "PRODUCT_NOT_APPROVED"} <= codes


def test_large_upload_has_the_rows_asked_for_and_a_small_share_of_faults(
    tmp_path: Path,
) -> None:
    rows = 3 * FAULT_EVERY
    write_large(tmp_path, rows)
    learners = records(tmp_path / "learners.xlsx", 3)
    assert len(learners) == rows
    ulns = [r["Unique Learner Number"] for r in learners]
    invalid = [
        uln
        for uln in ulns
        if uln is not None
        and not uln_is_valid(str(int(uln)) if isinstance(uln, float | int) else uln)
    ]
    assert 1 <= len(invalid) <= rows // FAULT_EVERY
    approvals = records(tmp_path / "approvals.xlsx")
    approved = {(a["Centre Number"], a["Product Code"]) for a in approvals}
    assert all((r["Centre No"], r["Qualification Number"]) in approved for r in learners)


def test_importing_the_samples_reports_exactly_the_planted_faults(
    generated: tuple[Path, DemoSamples], tmp_path: Path
) -> None:
    from centredesk.jobs.importing import import_file
    from centredesk.store import open_store

    out, samples = generated
    with open_store(tmp_path / "demo.duckdb") as store:
        for name in SAMPLE_FILES:
            outcome = import_file(out / name, store, today=DEFAULT_TODAY)
            issues = outcome.checked.validated.issues.filter(
                # withheld results are reported by design, not planted
                pl.col("code") != "RESULT_RELEASE_FUTURE"
            )
            found = {
                (row, column, code)
                for row, column, code in issues.select("row", "column", "code").iter_rows()
            }
            planted = {
                (f.row, f.column, f.code)
                for f in samples.faults
                if f.file == name and f.code != "-"
            }
            assert found == planted, name
