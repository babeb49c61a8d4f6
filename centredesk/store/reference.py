"""Reference frames the validation rules check a file against.

Validation never queries the database: the jobs ask this module for the frames a kind's
rules need and hand them over. Each frame comes out through Arrow, which costs about a
second per million rows instead of minutes through Python objects.
"""

from __future__ import annotations

import polars as pl

from centredesk.store.connection import Store

_QUERIES: dict[str, str] = {
    "centres": "SELECT centre_number, name FROM centres",
    "products": """
        SELECT product_code, title, level, sector, discount_code, external_assessment,
               assessment_mode, operational_end_date, grading_scheme, registration_fee
        FROM products
    """,
    "approvals": "SELECT centre_number, product_code, approved_on FROM approvals",
    "learners": """
        SELECT learner_number, centre_number, forename, surname, date_of_birth, uln, person_key
        FROM learners
    """,
    # Registrations with the identity of their learner, so cross-store duplicate checks
    # need no further join.
    "registrations": """
        SELECT r.registration_id, r.learner_number, r.product_code, r.centre_number,
               r.batch_number, r.registration_date, r.status,
               l.uln, l.person_key, l.forename, l.surname, l.date_of_birth
        FROM registrations r JOIN learners l USING (learner_number)
    """,
    "bookings": """
        SELECT b.booking_id, b.registration_id, r.learner_number, r.product_code,
               b.assessment, b.session_date, b.status, b.attempt
        FROM bookings b JOIN registrations r USING (registration_id)
    """,
    "results": """
        SELECT s.result_id, s.registration_id, r.learner_number, r.product_code,
               s.component, s.grade, s.result_date, s.release_date
        FROM results s JOIN registrations r USING (registration_id)
    """,
}

# Which frames each kind's rules look at.
NEEDS: dict[str, tuple[str, ...]] = {
    "learners": ("centres", "products", "approvals", "learners", "registrations"),
    "bookings": ("centres", "products", "registrations", "bookings"),
    "results": ("centres", "products", "registrations", "results"),
    "products": ("products",),
    "approvals": ("centres", "products", "approvals"),
}


def frame(store: Store, name: str) -> pl.DataFrame:
    """One reference frame by name (a key of :data:`NEEDS`'s values)."""
    table = store.con.sql(_QUERIES[name]).to_arrow_table()
    result = pl.from_arrow(table)
    assert isinstance(result, pl.DataFrame)
    return result


def reference_frames(store: Store, kind: str) -> dict[str, pl.DataFrame]:
    """Every frame the rules for ``kind`` need, keyed by name."""
    return {name: frame(store, name) for name in NEEDS[kind]}
