"""Rules across rows and against the store: duplicates, conflicts, clashes, catalogue, links."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from centredesk.jobs.checked_file import read_and_validate
from centredesk.jobs.importing import import_file
from centredesk.store import open_store
from centredesk.validation.engine import Reference, Validated, validate
from centredesk.validation.fields import SCHEMAS, Kind
from centredesk.validation.identity import with_person_key

TODAY = date(2026, 11, 28)
BORN = date(2010, 4, 3)


def learner(**changes: str) -> dict[str, str]:
    return {"centre_number": "123456", "product_code": "603/0862/X", "forename": "Ann",
            "surname": "Lee", "date_of_birth": "03/04/2010", "uln": "1000000043",
            "registration_date": "01/09/2026", **changes}  # fmt: skip


def run(kind: Kind, rows: list[dict[str, str]], reference: Reference | None = None) -> Validated:
    names = [spec.name for spec in SCHEMAS[kind]]
    cells = pl.DataFrame(
        {"row": list(range(2, len(rows) + 2)), **{n: [r.get(n) for r in rows] for n in names}},
        schema={"row": pl.Int64, **dict.fromkeys(names, pl.String)},
    )
    return validate(kind, cells, columns={}, reference=reference or Reference.empty(), today=TODAY)


def found(validated: Validated) -> list[tuple[int, str]]:
    return validated.issues.select("row", "code").rows()


PRODUCTS = pl.DataFrame(
    {"product_code": ["603/0862/X", "500/5959/2", "601/0000/2"],
     "title": ["A", "B", "C"], "level": ["2", "2", "1"], "sector": [None, None, None],
     "discount_code": ["FK2B", " fk2b ", None],
     "external_assessment": [True, False, True],
     "assessment_mode": ["on-screen", None, "paper-based"],
     "operational_end_date": [date(2028, 8, 31), date(2026, 8, 31), None],
     "grading_scheme": ["graded", "pass-fail", "graded"],
     "registration_fee": [45.0, 30.0, 20.0]},
)  # fmt: skip


def registrations(rows: list[tuple[int, int, str, str, str | None, str]]) -> pl.DataFrame:
    """(registration_id, learner_number, product, status, uln, person_key) at centre 123456."""
    return pl.DataFrame(
        {"registration_id": [r[0] for r in rows], "learner_number": [r[1] for r in rows],
         "product_code": [r[2] for r in rows], "centre_number": ["123456"] * len(rows),
         "batch_number": [1001] * len(rows), "registration_date": [date(2026, 1, 5)] * len(rows),
         "status": [r[3] for r in rows], "uln": [r[4] for r in rows],
         "person_key": [r[5] for r in rows], "forename": ["x"] * len(rows),
         "surname": ["y"] * len(rows), "date_of_birth": [BORN] * len(rows)},
        schema_overrides={"uln": pl.String},
    )  # fmt: skip


def stored_learners(rows: list[tuple[int, str | None, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"learner_number": [r[0] for r in rows], "centre_number": ["123456"] * len(rows),
         "forename": ["Ann"] * len(rows), "surname": ["Lee"] * len(rows),
         "date_of_birth": [BORN] * len(rows), "uln": [r[1] for r in rows],
         "person_key": [r[2] for r in rows]},
        schema_overrides={"uln": pl.String},
    )  # fmt: skip


def key_of(forename: str, surname: str = "Lee", born: date = BORN) -> str:
    """The person key production stores for a learner (never written by hand here)."""
    frame = pl.DataFrame({"forename": [forename], "surname": [surname], "date_of_birth": [born]})
    return str(with_person_key(frame).item(0, "person_key"))


ANN, BOB = key_of("Ann"), key_of("Bob")


def test_same_learner_twice_in_a_file_by_uln_or_by_name_and_birth() -> None:
    validated = run("learners", [
        learner(),
        learner(forename="ANN", uln=""),  # no ULN: same name and birth is the same learner
        learner(product_code="500/5959/2"),  # another product: fine
        learner(forename="Bob", uln="9276308686"),  # someone else
        learner(forename="Bob", uln="9276308686", centre_number="999999"),  # other centre
    ])  # fmt: skip
    assert [row for row, code in found(validated) if code == "DUP_IN_FILE"] == [3]


def test_one_uln_on_two_people_and_one_person_with_two_ulns() -> None:
    validated = run("learners", [
        learner(),
        learner(forename="Bob", product_code="500/5959/2"),  # ULN of Ann on Bob
        learner(uln="9276308686", product_code="601/0000/2"),  # Ann again, other ULN
    ])  # fmt: skip
    pairs = found(validated)
    assert (3, "ULN_CONFLICT") in pairs and (2, "ULN_CONFLICT") in pairs
    assert (4, "DUP_SUSPECTED") in pairs
    assert "ULN_CONFLICT" not in {c for r, c in pairs if r == 4}


def test_placeholder_uln_is_never_a_conflict() -> None:
    validated = run("learners", [learner(uln="9999999999"),
                                 learner(forename="Bob", uln="9999999999")])  # fmt: skip
    assert {code for _, code in found(validated)} == {"ULN_TEMPORARY"}


def test_duplicates_against_the_store_ignore_cancelled_registrations() -> None:
    reference = Reference({
        "registrations": registrations([
            (1, 20000001, "603/0862/X", "cancelled", "1000000043", ANN),
            (2, 20000001, "500/5959/2", "active", "1000000043", ANN),
            (3, 20000002, "601/0000/2", "withdrawn", None, BOB),
        ]),
    })  # fmt: skip
    validated = run("learners", [
        learner(),  # only a cancelled registration on this product: allowed
        learner(product_code="500/5959/2", uln=""),  # same person by name and birth
        learner(forename="Bob", uln="9276308686", product_code="601/0000/2"),  # withdrawn
    ], reference)  # fmt: skip
    assert [row for row, code in found(validated) if code == "DUP_IN_STORE"] == [3, 4]
    assert "learner 20000001" in validated.issues.filter(pl.col("row") == 3)["message"][0]


def test_uln_conflict_and_suspected_duplicate_against_stored_learners() -> None:
    reference = Reference({"learners": stored_learners([
        (20000001, "1000000043", ANN), (20000002, "9276308686", BOB),
    ])})  # fmt: skip
    validated = run("learners", [
        learner(forename="Dan", uln="1000000043"),  # Ann's ULN
        learner(forename="Bob", uln="1000000035"),  # Bob with another ULN
    ], reference)  # fmt: skip
    assert found(validated) == [(2, "ULN_CONFLICT"), (3, "DUP_SUSPECTED")]
    assert "belongs to learner 20000001" in validated.issues["message"][0]


def test_discount_clash_in_the_file_and_against_active_registrations() -> None:
    in_file = run("learners", [learner(), learner(product_code="500/5959/2")],
                  Reference({"products": PRODUCTS}))  # fmt: skip
    assert [code for _, code in found(in_file) if code == "DISCOUNT_CLASH"] == [
        "DISCOUNT_CLASH", "DISCOUNT_CLASH"]  # fmt: skip
    stored = Reference({
        "products": PRODUCTS,
        "registrations": registrations([(1, 20000001, "500/5959/2", "active", "1000000043", ANN)]),
    })  # fmt: skip
    against = run("learners", [learner()], stored)
    assert ("DISCOUNT_CLASH", "warning") in against.issues.select("code", "severity").rows()
    withdrawn = Reference({
        "products": PRODUCTS,
        "registrations": registrations([(1, 20000001, "500/5959/2", "withdrawn", None, ANN)]),
    })  # fmt: skip
    assert found(run("learners", [learner()], withdrawn)) == []


def test_catalogue_rules_only_once_the_store_has_a_catalogue() -> None:
    rows = [learner(product_code="601/0000/1"), learner(product_code="500/5959/2"),
            learner(centre_number="999999", uln="9276308686", forename="Bob")]  # fmt: skip
    empty = run("learners", rows)
    assert "PRODUCT_UNKNOWN" not in set(empty.issues["code"])
    assert any("PRODUCT_UNKNOWN" in note for note in empty.notes)
    reference = Reference({
        "products": PRODUCTS,
        "centres": pl.DataFrame({"centre_number": ["123456"], "name": ["Riverside"]}),
        "approvals": pl.DataFrame({"centre_number": ["123456"], "product_code": ["603/0862/X"],
                                   "approved_on": [date(2025, 9, 1)]}),
    })  # fmt: skip
    full = run("learners", rows, reference)
    assert found(full) == [
        (2, "PRODUCT_CHECK"), (2, "PRODUCT_UNKNOWN"),
        (3, "PRODUCT_CLOSED"), (3, "PRODUCT_NOT_APPROVED"),
        (4, "CENTRE_UNKNOWN"),
    ]  # fmt: skip
    assert full.notes == []


def test_duplicates_inside_products_and_approvals_files() -> None:
    products = run("products", [{"product_code": "603/0862/X", "title": "A"},
                                {"product_code": "6030862X", "title": "A again"}])  # fmt: skip
    assert found(products) == [(3, "DUP_IN_FILE")]
    approvals = run("approvals", [{"centre_number": "1", "product_code": "603/0862/X"},
                                  {"centre_number": "2", "product_code": "603/0862/X"},
                                  {"centre_number": "1", "product_code": "6030862x"}])  # fmt: skip
    assert found(approvals) == [(4, "DUP_IN_FILE")]


def booking(**changes: str) -> dict[str, str]:
    return {"centre_number": "123456", "learner_number": "20000001",
            "product_code": "603/0862/X", "assessment": "EA01", "session_date": "12/05/2027",
            **changes}  # fmt: skip


def test_bookings_attach_to_active_registrations_and_count_attempts() -> None:
    stored_bookings = pl.DataFrame(
        {"booking_id": [1, 2], "registration_id": [10, 10], "learner_number": [20000001] * 2,
         "product_code": ["603/0862/X"] * 2, "assessment": ["EA01", "EA01"],
         "session_date": [date(2026, 1, 12), date(2026, 5, 12)],
         "status": ["Result Issued", "Cancelled"], "attempt": [1, 2]},
    )  # fmt: skip
    reference = Reference({
        "products": PRODUCTS,
        "registrations": registrations([
            (10, 20000001, "603/0862/X", "active", "1000000043", ANN),
            (11, 20000002, "603/0862/X", "withdrawn", None, BOB),
            (12, 20000001, "500/5959/2", "active", "1000000043", ANN),
        ]),
        "bookings": stored_bookings,
    })  # fmt: skip
    validated = run("bookings", [
        booking(),  # second attempt (the cancelled booking does not count)
        booking(learner_number="", uln="1000000043"),  # same sitting again, by ULN
        booking(session_date="12/01/2028"),  # third attempt
        booking(learner_number="20000002"),  # withdrawn registration
        booking(learner_number="20000003"),  # no registration
        booking(product_code="500/5959/2"),  # product without external assessment
        booking(session_date="12/01/2026"),  # the stored booking, repeated: already there
        booking(session_date="12/01/2026", booking_status="Active"),  # that sitting, booked anew
    ], reference)  # fmt: skip
    assert found(validated) == [
        (3, "BOOKING_DUPLICATE"), (4, "BOOKING_ATTEMPTS"),
        (5, "BOOKING_REGISTRATION_INACTIVE"), (6, "BOOKING_REGISTRATION_MISSING"),
        (7, "BOOKING_NO_EXTERNAL"), (9, "BOOKING_DUPLICATE"),
    ]  # fmt: skip
    assert validated.already_loaded["row"].to_list() == [8]
    first = validated.parsed.row(0, named=True)
    assert (first["registration_id"], first["attempt"], first["assessment_mode"]) == (
        10, 2, "on-screen")  # fmt: skip
    assert validated.rejected_row_numbers().to_list() == [3, 4, 5, 6, 7, 9]


def test_results_attach_to_the_latest_live_registration_and_check_the_scheme() -> None:
    reference = Reference({
        "products": PRODUCTS,
        "registrations": registrations([
            (10, 20000001, "603/0862/X", "completed", "1000000043", ANN),
            (11, 20000001, "500/5959/2", "cancelled", "1000000043", ANN),
        ]),
    })  # fmt: skip
    base = {"centre_number": "123456", "learner_number": "20000001", "component": "EA01",
            "result_date": "20/07/2026", "release_date": "14/08/2026"}  # fmt: skip
    validated = run("results", [
        {**base, "product_code": "603/0862/X", "grade": "distinction*"},
        {**base, "product_code": "603/0862/X", "grade": "Fail"},
        {**base, "product_code": "500/5959/2", "grade": "Pass"},
    ], reference)  # fmt: skip
    assert found(validated) == [(3, "RESULT_GRADE"), (4, "RESULT_REGISTRATION_MISSING")]
    assert validated.parsed.select("grade", "registration_id").row(0) == ("Distinction*", 10)


def test_a_learner_file_checked_again_after_import_is_already_there(tmp_path: Path) -> None:
    sheet = tmp_path / "learners.csv"
    sheet.write_text(
        "Centre Number,Product Code,Forename,Surname,Date of Birth,ULN\n"
        "123456,603/0862/X,Ann,Lee,03/04/2010,1000000043\n"
        "123456,603/0862/X,Bob,Lee,04/05/2010,\n",
        encoding="utf-8",
    )
    # Corrected and saved under its name again: Bob repeats his stored record, while Ann
    # is now registered in another batch, a second registration (a duplicate).
    corrected = tmp_path / "corrected" / "learners.csv"
    corrected.parent.mkdir()
    corrected.write_text(
        "Centre Number,Product Code,Forename,Surname,Date of Birth,ULN,Batch\n"
        "123456,603/0862/X,Ann,Lee,03/04/2010,1000000043,BT17\n"
        "123456,603/0862/X,Bob,Lee,04/05/2010,,1001\n",
        encoding="utf-8",
    )
    # Another centre's file that happens to repeat both learners exactly is not a repeat
    # of anything it loaded: both are duplicates of what the store holds.
    other_file = tmp_path / "second-upload.csv"
    other_file.write_text(sheet.read_text(encoding="utf-8"), encoding="utf-8")
    store = open_store(tmp_path / "t.duckdb")
    try:
        first = import_file(sheet, store, today=TODAY)
        again = read_and_validate(sheet, store=store, today=TODAY)
        fixed = read_and_validate(corrected, store=store, today=TODAY)
        elsewhere = read_and_validate(other_file, store=store, today=TODAY)
    finally:
        store.close()
    assert found(again.validated) == []
    assert again.already_loaded.rows() == [(2, first.import_id), (3, first.import_id)]
    assert first.batch_number == "1001"
    assert found(fixed.validated) == [(2, "DUP_IN_STORE")]
    assert fixed.already_loaded.rows() == [(3, first.import_id)]
    assert found(elsewhere.validated) == [(2, "DUP_IN_STORE"), (3, "DUP_IN_STORE")]
    assert elsewhere.already_loaded.height == 0


def test_an_error_in_a_field_no_cross_rule_reads_still_gets_the_cross_rules() -> None:
    # A bad learner reference must not hide that the row's ULN belongs to someone else:
    # the user should fix both in one pass.
    validated = run("learners", [
        learner(),
        learner(forename="Dan", product_code="500/5959/2", learner_reference="TOO LONG A REF"),
        learner(forename="Eve", uln="1000000042"),  # a ULN typo is not a conflict
    ])  # fmt: skip
    assert found(validated) == [
        (2, "ULN_CONFLICT"),
        (3, "ULN_CONFLICT"),
        (3, "LEARNER_REF_FORMAT"),
        (4, "ULN_CHECKSUM"),
    ]


def test_learners_sharing_the_placeholder_uln_are_stored_apart(tmp_path: Path) -> None:
    sheet = tmp_path / "placeholders.csv"
    sheet.write_text(
        "Centre Number,Product Code,Forename,Surname,Date of Birth,ULN\n"
        "123456,603/0862/X,Ann,Lee,03/04/2010,9999999999\n"
        "123456,603/0862/X,Bob,Day,04/05/2010,9999999999\n",
        encoding="utf-8",
    )
    with open_store(tmp_path / "t.duckdb") as store:
        outcome = import_file(sheet, store, today=TODAY)
        learners = store.tables.read("learners").sort("forename").select("forename", "uln").rows()
    assert outcome.accepted == 2
    assert learners == [("Ann", "9999999999"), ("Bob", "9999999999")]
