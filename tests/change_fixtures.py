"""A small store to change: a catalogue with fees, two batches of registrations, a booking
and a rejected row, loaded through the real import path from CSV files.

The store is built once per test module (:func:`template`) and copied for each test, so a
test changes its own copy. Roles are exercised by giving the test process's own OS user
each role through the store's operation (the jobs' check is what the tests look at).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import adbc_driver_postgresql.dbapi as adbc

from centredesk.jobs.importing import import_file
from centredesk.store import Location, Store, open_store, os_user

TODAY = date(2025, 11, 26)
"""A Wednesday: registrations of Friday 21/11 are 3 working days old."""
CENTRE = "100001"
HEALTH, CRAFT = "603/0862/X", "500/5959/2"
ZOE, SEAN, AMY = 20000001, 20000002, 20000003
"""Learner numbers, in the order the upload names them."""
ZOE_HEALTH, ZOE_CRAFT, SEAN_HEALTH, AMY_HEALTH, SEAN_CRAFT = 1, 2, 3, 4, 5
"""Registration ids, in the order of the upload's rows."""
BOOKING = 1
LEARNERS_IMPORT, BOOKINGS_IMPORT = 3, 4
REJECTED_ROW = 6
"""The upload's row with a mistyped ULN (1000000042)."""

PRODUCTS = """\
Product Code,Title,Level,Sector,Discount Code,External Assessment,Assessment Mode,\
Operational End Date,Grading Scheme,Registration Fee
603/0862/X,Technical Award in Health and Fitness,1/2,Sport,FK2B,Y,on-screen,31/08/2030,graded,45
500/5959/2,Award in Creative Craft,1,Arts,AB1C,N,,31/08/2030,pass-fail,30
"""
APPROVALS = """\
Centre Number,Centre Name,Product Code
100001,Riverside Academy,603/0862/X
100001,Riverside Academy,500/5959/2
"""
LEARNERS = """\
Centre Number,Product Code,Forename,Surname,Date of Birth,ULN,Learner Reference,Batch Number,\
Registration Date
100001,603/0862/X,Zoë,O'Brien,03/04/2010,1000000043,A1,1001,21/11/2025
100001,500/5959/2,Zoë,O'Brien,03/04/2010,1000000043,A1,1001,03/11/2025
100001,603/0862/X,Sean,Smith-Jones,09/01/2009,,B2,1001,25/11/2025
100001,603/0862/X,Amy,Lee,06/05/2010,9276308686,C3,1002,24/11/2025
100001,603/0862/X,Ben,Ng,07/06/2010,1000000042,D4,1002,24/11/2025
100001,500/5959/2,Sean,Smith-Jones,09/01/2009,,B2,1001,25/11/2025
"""
BOOKINGS = """\
Centre Number,Learner Number,Product Code,Assessment,Session Date,Assessment Mode
100001,20000001,603/0862/X,EA1,12/05/2026,on-screen
"""


def build(folder: Path) -> Path:
    """The store, built in ``folder`` through the real imports."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "changes.duckdb"
    with open_store(db) as store:
        for name, text in (
            ("products.csv", PRODUCTS),
            ("approvals.csv", APPROVALS),
            ("learners.csv", LEARNERS),
            ("bookings.csv", BOOKINGS),
        ):
            path = folder / name
            path.write_text(text, encoding="utf-8")
            import_file(path, store, today=TODAY)
    return db


def copy(template: Path, target: Location) -> Location:
    """A copy of a template store for one test to change: the file, or on a PostgreSQL
    database a ``centredesk db copy`` of it."""
    if isinstance(target, Path):
        shutil.copyfile(template, target)
        return target
    from centredesk.jobs.copying import copy_store

    copy_store(template, target)
    # The template's maker is this process's OS user; on the server the same person is the
    # login, given the same role (as an administrator would).
    with adbc.connect(target.url, autocommit=True) as con, con.cursor() as cursor:
        cursor.execute(
            "INSERT INTO users SELECT session_user, role, granted_by, granted_at FROM users "
            "WHERE os_user = $1 ON CONFLICT DO NOTHING",
            (os_user(),),
        )
    return target


def as_role(store: Store, role: str) -> None:
    """Make the test process's own OS user ``role`` (through the store: no job check)."""
    if store.users.role(store.acting_user) != role:
        store.users.grant(store.acting_user, role)


def big_batch(path: Path, registrations: int, *, batch: str = "5001") -> Path:
    """A store holding one batch of ``registrations`` active registrations of as many
    learners, on a product with a fee, loaded in bulk (no import, no audit)."""
    import polars as pl

    numbers = pl.int_range(0, registrations, eager=True)
    frame = pl.DataFrame({"n": numbers})
    learners = frame.select(
        (pl.col("n") + 30000001).alias("learner_number"),
        pl.lit(CENTRE).alias("centre_number"),
        pl.lit("Learner").alias("forename"),
        pl.format("Surname{}", pl.col("n")).alias("surname"),
        pl.lit(date(2010, 1, 1)).alias("date_of_birth"),
        pl.format("learner|surname{}|2010-01-01", pl.col("n")).alias("person_key"),
    )
    rows = frame.select(
        (pl.col("n") + 1).alias("registration_id"),
        (pl.col("n") + 30000001).alias("learner_number"),
        pl.lit(HEALTH).alias("product_code"),
        pl.lit(CENTRE).alias("centre_number"),
        pl.lit(int(batch)).alias("batch_number"),
        pl.lit(date(2025, 11, 24)).alias("registration_date"),
        pl.lit("active").alias("status"),
    )
    products = pl.DataFrame(
        {"product_code": [HEALTH], "title": ["Health and Fitness"], "registration_fee": [45.0]}
    )
    with open_store(path) as store:
        store.tables.append("products", products)
        store.tables.append("learners", learners)
        store.tables.append("registrations", rows)
    return path
