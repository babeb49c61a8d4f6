"""The app's queries on a real DuckDB file and a real PostgreSQL database: paging, search,
sort, counts and records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pg_server
import pytest
from browse_fixtures import add_learner_history, build_store, import_learners

from centredesk.store import Location, Store, StoreError, open_store
from centredesk.store.views import VIEWS, WORDS


@pytest.fixture(scope="module")
def store(module_location: Location) -> Iterator[Store]:
    path = build_store(module_location, 200)
    with open_store(path) as writable:
        import_learners(
            writable,
            [("Zoë", "O'Brien", "2010-04-03", "1000000043"), ("Ann", "Smythe", "2009-01-02", None)],
        )
        add_learner_history(writable, "1000000043")
    with open_store(path, read_only=True) as reader:
        yield reader


def test_keys_come_in_sorted_order_and_pages_follow_them(store: Store) -> None:
    keys = store.browse.row_keys("learners", sort="surname", descending=True)
    assert len(keys) == 202 == store.browse.total("learners")
    page = store.browse.rows("learners", keys.slice(0, 10).to_pylist())
    surnames = page.column("surname").to_pylist()
    assert surnames == sorted(surnames, reverse=True)
    assert page.column("key").to_pylist() == keys.slice(0, 10).to_pylist()


def test_search_is_a_case_insensitive_prefix_on_several_fields_at_once(store: Store) -> None:
    keys = store.browse.row_keys("learners", search={"surname": "o'B", "forename": "zo"})
    page = store.browse.rows("learners", keys.to_pylist())
    assert page.column("forename").to_pylist() == ["Zoë"]
    assert page.column("uln").to_pylist() == ["1000000043"]


@pytest.mark.parametrize(
    ("search_field", "prefix", "expected"),
    [
        ("date_of_birth", "03/04/2010", 1),
        ("date_of_birth", "3/4/2010", 1),
        ("date_of_birth", "03/04", 2),  # 03/04/2005 (generated) and Zoë, 03/04/2010
        ("date_of_birth", "3/4", 2),
        ("date_of_birth", "03-04-2010", 1),
        ("date_of_birth", "2010-04", 1),
        ("uln", "100000004", 1),
        ("learner_number", "2000020", 3),  # 20000200 .. 20000202
        ("product_code", "6030862", 69),  # every third generated learner + the import
        ("product_code", "603/0862/X", 69),
        ("batch_number", "2001", 2),
    ],
)
def test_each_portal_search_field(
    store: Store, search_field: str, prefix: str, expected: int
) -> None:
    keys = store.browse.row_keys("learners", search={search_field: prefix})
    assert len(keys) == expected


def test_values_come_typed_and_sort_by_value_not_text(store: Store) -> None:
    keys = store.browse.row_keys("learners", sort="date_of_birth", descending=True)
    born = store.browse.rows("learners", keys.slice(0, 3).to_pylist())
    assert born.column("date_of_birth").to_pylist() == [
        date(2010, 4, 3),
        date(2009, 1, 2),
        date(2005, 7, 19),
    ]
    keys = store.browse.row_keys("registrations", sort="registration_date")
    days = store.browse.rows("registrations", keys.to_pylist()).column("registration_date")
    assert days.to_pylist() == sorted(days.to_pylist())
    assert (days[0].as_py(), days[-1].as_py()) == (date(2024, 9, 1), date(2025, 9, 1))
    keys = store.browse.row_keys("imports", sort="finished_at", descending=True)
    latest = store.browse.rows("imports", keys.slice(0, 1).to_pylist())
    assert latest.column("finished_at").to_pylist() == [datetime(2025, 9, 12, 8, 30)]
    products = store.browse.rows("products", store.browse.row_keys("products").to_pylist())
    assert products.column("external_assessment").to_pylist() == [True, False, True]


def test_an_issue_keeps_the_value_as_recorded(store: Store) -> None:
    keys = store.browse.row_keys("issues", scope={"import_id": 1, "code": "DOB_FUTURE"})
    page = store.browse.rows("issues", keys.to_pylist())
    assert page.column("value").to_pylist() == ["2099-01-01"]
    keys = store.browse.row_keys("issues", scope={"import_id": 1, "code": "ULN_CHECKSUM"})
    page = store.browse.rows("issues", keys.to_pylist())
    assert page.column("value").to_pylist() == ["1000000042", "1000000063"]


def test_registrations_search_by_learner_and_registration_fields(store: Store) -> None:
    keys = store.browse.row_keys(
        "registrations", search={"surname": "smythe", "batch_number": "20"}
    )
    page = store.browse.rows("registrations", keys.to_pylist())
    assert page.column("forename").to_pylist() == ["Ann"]
    assert page.column("status").to_pylist() == ["active"]


def test_sort_column_must_be_one_the_view_shows(store: Store) -> None:
    with pytest.raises(StoreError, match="cannot be sorted by 'surname; DROP TABLE'"):
        store.browse.row_keys("learners", sort="surname; DROP TABLE")


def test_unknown_search_field_says_what_the_view_knows(store: Store) -> None:
    with pytest.raises(StoreError, match="products cannot be searched by surname"):
        store.browse.row_keys("products", search={"surname": "x"})


def test_every_view_pages(store: Store) -> None:
    for name in VIEWS:
        scope = {"import_id": 1, "code": "ULN_CHECKSUM"} if name == "issues" else None
        keys = store.browse.row_keys(name, scope=scope)
        page = store.browse.rows(name, keys.slice(0, 5).to_pylist())
        assert page.num_rows == min(5, len(keys)) > 0
        assert page.column_names[1:] == [column.name for column in VIEWS[name].columns]


def test_dashboard_figures(store: Store) -> None:
    figures = store.details.dashboard()
    assert figures.counts["learners"] == 202
    assert figures.registrations_by_status == {
        "active": 122,
        "withdrawn": 40,
        "cancelled": 40,
        "completed": 0,
    }
    assert [summary.file_name for summary in figures.latest_imports] == [
        "spring.xlsx",
        "products.csv",
        "autumn-learners.xlsx",
    ]
    assert figures.open_issues.rows() == [
        ("ULN_CHECKSUM", "error", 2, 2),
        ("DOB_FUTURE", "error", 1, 1),
        ("NAME_CASE", "warning", 1, 1),
    ]


def test_learner_detail_has_registrations_and_history(store: Store) -> None:
    keys = store.browse.row_keys("learners", search={"uln": "1000000043"})
    detail = store.details.learner(keys.to_pylist()[0])
    assert detail is not None
    assert detail.details["surname"] == "O'Brien"
    assert detail.registrations.select("product_code", "status").rows() == [
        ("603/0862/X", "active")
    ]
    assert detail.results.select("component", "withheld").rows() == [
        ("Unit 1 Digital communication", False),
        ("Unit 2", True),  # released 20/08/2099
    ]
    assert detail.bookings.get_column("attempt").to_list() == [2]
    assert detail.history.get_column("action").to_list() == ["edit", "withdraw"]
    assert detail.details["date_of_birth"] == date(2010, 4, 3)
    assert store.details.learner(1) is None


def test_rejected_row_cells_and_issues(store: Store) -> None:
    rejected = store.details.rejected_row(1, 4)
    assert rejected is not None
    assert rejected.cells["ULN"] == "1000000042"
    assert rejected.issues.get_column("column_name").to_list() == ["ULN", "Surname"]
    assert store.details.rejected_row(1, 5) is None
    assert store.details.issue_groups(1).get_column("code").to_list()[0] == "ULN_CHECKSUM"


def _surnames(store: Store, view: str, **search: str) -> set[str]:
    keys = store.browse.row_keys(view, search=search)
    return set(store.browse.rows(view, keys.to_pylist()).column("surname").to_pylist())


def test_plain_words_match_names_in_any_order_folded(store: Store) -> None:
    zoe = store.browse.row_keys("learners", search={WORDS: "zoe o'brien"}).to_pylist()
    assert len(zoe) == 1
    assert store.browse.row_keys("learners", search={WORDS: "O’BRIEN Zoë"}).to_pylist() == zoe
    assert _surnames(store, "learners", words="lukasz") == {"Łukasz"}
    assert _surnames(store, "learners", words="jones") == {"Jones", "Smith-Jones"}
    assert _surnames(store, "learners", words="bhr") == {"Ní Bhriain"}
    assert _surnames(store, "learners", surname="ni bhriain") == {"Ní Bhriain"}
    # A word that names nobody leaves nothing, whatever the other words match.
    assert store.browse.row_keys("learners", search={WORDS: "zoe nobody"}).to_pylist() == []


def test_plain_digits_match_numbers_and_codes(store: Store) -> None:
    by_number = store.browse.row_keys("learners", search={WORDS: "2000020"})
    assert len(by_number) == 3  # learner numbers 20000200-20000202
    by_uln = store.browse.row_keys("learners", search={WORDS: "1000000043"})
    assert len(by_uln) == 1
    by_code = store.browse.row_keys("registrations", search={WORDS: "603/0862 zoe"})
    assert len(by_code) == 1


def test_every_column_a_tab_shows_narrows_it(store: Store) -> None:
    assert store.browse.row_keys("products", search={WORDS: "food"}).to_pylist() == ["500/5959/2"]
    assert len(store.browse.row_keys("products", search={"external_assessment": "y"})) == 2
    assert len(store.browse.row_keys("registrations", search={"status": "withdr"})) == 40
    assert len(store.browse.row_keys("learners", search={"centre_number": "123"})) == 202
    assert len(store.browse.row_keys("results", search={"grade": "dist"})) == 7
    withheld = store.browse.row_keys("results", search={"withheld": "yes"}).to_pylist()
    page = store.browse.rows("results", withheld)
    assert page.column("component").to_pylist() == ["Unit 2"]
    assert page.column("withheld").to_pylist() == [True]
    assert len(store.browse.row_keys("imports", search={WORDS: "learners"})) == 2


@pytest.mark.postgresql
def test_keys_read_in_blocks_match_a_whole_sort_in_every_order(
    postgres_server: pg_server.Server,
) -> None:
    from centredesk.store.pg_store import keys as blocks

    url = pg_server.new_database(postgres_server, "blocks")
    build_store(url, 700)
    with open_store(url, read_only=True) as store, pytest.MonkeyPatch.context() as patch:
        patch.setattr(blocks, "BLOCK", 64)  # many blocks, and nulls across their edges
        for sort, descending in (("uln", False), ("uln", True), ("forename", False)):
            keys = store.browse.row_keys("learners", sort=sort, descending=descending)
            whole = store.tables.read("learners").sort(
                [sort, "learner_number"], descending=descending, nulls_last=True
            )
            expected = whole.get_column("learner_number").to_list()
            assert len(keys) == len(expected)
            # Read from the middle first (a jump), then everything in order.
            assert keys.slice(400, 100).to_pylist() == expected[400:500]
            assert keys.to_pylist() == expected
            assert keys.slice(690, 50).to_pylist() == expected[690:]
