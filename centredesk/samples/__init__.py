"""Deterministic sample data: the demo's workbooks, and large files for the benchmarks.

``uv run python -m centredesk.samples --out sample_data`` writes the five demo workbooks
(products, approvals, learners, bookings, results) and a README listing every planted
fault by row and rule code; ``--rows N`` writes a learner upload of N rows with its
catalogue and approvals instead.
"""

from __future__ import annotations

from centredesk.samples.catalogue import (
    product_check_character,
    product_code,
    random_uln,
    uln_check_digit,
)
from centredesk.samples.demo_files import (
    DEFAULT_SEED,
    DEFAULT_TODAY,
    SAMPLE_FILES,
    DemoSamples,
    write_samples,
)
from centredesk.samples.demo_learners import PlantedFault

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_TODAY",
    "SAMPLE_FILES",
    "DemoSamples",
    "PlantedFault",
    "product_check_character",
    "product_code",
    "random_uln",
    "uln_check_digit",
    "write_samples",
]
