"""Open issues: those of rejected rows that no import has settled since.

Imports run end to end (real files, the real import job), then the dashboard's figures say
what is still to fix: a corrected file or a later file loading the same learner on the same
product closes a row, a re-import counts a still-wrong row once and its duplicates not at all.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from test_import import TODAY, catalogued, uln, write_xlsx  # noqa: F401 - the fixture

from centredesk.jobs.importing import import_file
from centredesk.store import Store, open_store

HEADER = ["Centre Number", "Product Code", "Forename", "Surname", "Date of Birth", "ULN"]
GOOD = [
    ["100001", "603/0862/X", "Zoë", "O'Brien", "03/04/2010", uln(100000001)],
    ["100001", "603/0862/X", "Sean", "Smith-Jones", "09/01/2009", uln(100000002)],
]
MISTYPED = ["100001", "603/0862/X", "Ann", "Lee", "01/01/2010", "1000000042"]
CORRECTED = ["100001", "603/0862/X", "Ann", "Lee", "01/01/2010", uln(100000004)]
UNREADABLE = ["100001", "603-0862", "Bob", "Kerr", "02/02/2010", uln(100000005)]


def open_issues(db: Path) -> list[tuple[str, int]]:
    with open_store(db, read_only=True) as store:
        return open_issues_of(store)


def open_issues_of(store: Store) -> list[tuple[str, int]]:
    figures = store.details.dashboard()
    return [(code, issues) for code, _severity, issues, _rows in figures.open_issues.rows()]


def upload(folder: Path, name: str, *rows: list[str]) -> Path:
    return write_xlsx(folder / name, [HEADER, *rows])


def test_a_rejected_row_is_open_until_a_corrected_file_loads_it(
    catalogued: Path,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    with open_store(catalogued) as store:
        import_file(upload(tmp_path, "autumn.xlsx", *GOOD, MISTYPED), store, today=TODAY)
    assert open_issues(catalogued) == [("ULN_CHECKSUM", 1)]
    (tmp_path / "fixed").mkdir()
    with open_store(catalogued) as store:
        import_file(upload(tmp_path / "fixed", "autumn.xlsx", CORRECTED), store, today=TODAY)
    assert open_issues(catalogued) == []


def test_a_later_file_of_another_name_loading_the_learner_closes_the_row(
    catalogued: Path,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    with open_store(catalogued) as store:
        import_file(upload(tmp_path, "autumn.xlsx", *GOOD, MISTYPED), store, today=TODAY)
        # The same learner on the same product, known by name and date of birth: the ULN
        # was what was wrong.
        import_file(upload(tmp_path, "late-additions.xlsx", CORRECTED), store, today=TODAY)
        closed = store.tables.read("rejected_rows").get_column("closed_by").to_list()
    assert closed == [4]
    assert open_issues(catalogued) == []


def test_a_re_import_counts_a_still_wrong_row_once(
    catalogued: Path,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    sheet = upload(tmp_path, "autumn.xlsx", *GOOD, MISTYPED)
    with open_store(catalogued) as store:
        import_file(sheet, store, today=TODAY)
        again = import_file(sheet, store, today=TODAY, force=True)
        assert again.checked.already == 2  # the rows loaded the first time, skipped
    assert open_issues(catalogued) == [("ULN_CHECKSUM", 1)]


def test_a_row_repeating_a_kept_record_leaves_nothing_to_fix(
    catalogued: Path,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    # The second row repeats the first; the first is loaded, so the repeat is not open.
    repeated = upload(tmp_path, "twice.xlsx", GOOD[0], GOOD[0])
    with open_store(catalogued) as store:
        outcome = import_file(repeated, store, today=TODAY)
        codes = (
            store.tables.read("import_issues")
            .filter(pl.col("import_id") == outcome.import_id)
            .get_column("code")
            .to_list()
        )
    assert codes == ["DUP_IN_FILE"]
    assert open_issues(catalogued) == []


def test_a_row_whose_record_cannot_be_read_is_closed_by_the_next_file_of_its_name(
    catalogued: Path,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    with open_store(catalogued) as store:
        import_file(upload(tmp_path, "spring.xlsx", *GOOD, UNREADABLE), store, today=TODAY)
        assert [code for code, _ in open_issues_of(store)] == ["PRODUCT_FORMAT"]
        import_file(upload(tmp_path, "other.xlsx", GOOD[0]), store, today=TODAY, force=True)
        assert [code for code, _ in open_issues_of(store)] == ["PRODUCT_FORMAT"]
        (tmp_path / "v2").mkdir()
        import_file(upload(tmp_path / "v2", "spring.xlsx", *GOOD), store, today=TODAY)
        assert open_issues_of(store) == []


def test_rolling_back_the_import_that_closed_a_row_opens_it_again(
    catalogued: Path,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    with open_store(catalogued) as store:
        import_file(upload(tmp_path, "autumn.xlsx", *GOOD, MISTYPED), store, today=TODAY)
        later = import_file(upload(tmp_path, "late.xlsx", CORRECTED), store, today=TODAY)
        assert open_issues_of(store) == []
        assert later.import_id is not None
        store.imports.rollback(later.import_id)
        assert open_issues_of(store) == [("ULN_CHECKSUM", 1)]
