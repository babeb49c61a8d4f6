"""The text of ``sample_data/README.md``, written by the generator with the files it describes.

Writing the README from the same run that plants the faults keeps its row numbers true.
"""

from __future__ import annotations

from datetime import date

from centredesk.samples.catalogue import CENTRES, Product
from centredesk.samples.demo_learners import PlantedFault


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return lines


def readme_text(
    *,
    today: date,
    seed: int,
    counts: dict[str, int],
    catalogue: list[Product],
    faults: list[PlantedFault],
    variants: list[tuple[int, str]],
    withheld_until: date,
) -> str:
    """The README for one generated set of sample files."""
    shared = [
        p for p in catalogue if sum(o.discount_code == p.discount_code for o in catalogue) > 1
    ]
    closed = [p for p in catalogue if p.operational_end_date < today]
    lines = [
        "# Sample data",
        "",
        "Made by `uv run python -m centredesk.samples --out sample_data` "
        f"(seed {seed}, as of {today:%d %B %Y}); do not edit by hand: change the generator "
        "and run it again (a test fails when these files and a fresh run differ).",
        "`centredesk demo` imports them in this order:",
        "",
    ]
    lines += _table(
        ["file", "rows", "what it holds"],
        [
            ["products.xlsx", str(counts["products.xlsx"]),
             "the catalogue: qualification numbers with correct check characters, levels, "
             "sectors, DfE discount codes, external assessment, mode, operational end date, "
             "grading scheme, fee"],
            ["approvals.xlsx", str(counts["approvals.xlsx"]),
             "which of " + ", ".join(c.name for c in CENTRES) + " may deliver which product"],
            ["learners.xlsx", str(counts["learners.xlsx"]),
             "a registration upload as a school or college MIS exports it: a title row and a "
             "blank row above the header (on row 3), some synonym headers (Centre No, "
             "Qualification Number, First Name, DOB, Unique Learner Number, Student ID, "
             "Access Arrangements), dates mostly as Excel dates"],
            ["bookings.xlsx", str(counts["bookings.xlsx"]),
             "external-assessment bookings, naming the learner by ULN: on-screen and "
             "paper-based sessions, autumn sittings with results, two resits"],
            ["results.xlsx", str(counts["results.xlsx"]),
             "grades from each product's scheme; paper-based autumn results are withheld "
             f"until {withheld_until:%d %B %Y} (RESULT_RELEASE_FUTURE warnings, by design)"],
        ],
    )  # fmt: skip
    lines += [
        "",
        "Catalogue facts the rules meet: "
        + " and ".join(f"{p.code} ({p.title})" for p in shared)
        + f" share the discount code {shared[0].discount_code}; "
        + ", ".join(f"{p.code} ({p.title})" for p in closed)
        + f" closed on {closed[0].operational_end_date:%d %B %Y}.",
        "",
        "## Planted faults",
        "",
        "Rows are as Excel numbers them. `-` means the row must be accepted with no issue.",
        "",
    ]
    lines += _table(
        ["file", "row", "column", "expected", "what"],
        [[f.file, str(f.row), f.column or "(row)", f.code, f.note] for f in faults],
    )
    lines += [
        "",
        "## Unusual but valid (learners.xlsx)",
        "",
        "These rows must be accepted as they are.",
        "",
    ]
    lines += _table(["row", "what"], [[str(row), what] for row, what in variants])
    return "\n".join(lines) + "\n"
