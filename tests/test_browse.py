"""The app's queries on real DuckDB files: paging, search, sort, counts and records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from browse_fixtures import add_learner_history, build_store, import_learners

from centredesk.store import Store, StoreError, browse, details


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = build_store(tmp_path_factory.mktemp("browse") / "t.duckdb", 200)
    with Store.open(path) as writable:
        import_learners(
            writable,
            [("Zoë", "O'Brien", "2010-04-03", "1000000043"), ("Ann", "Smythe", "2009-01-02", None)],
        )
        add_learner_history(writable, "1000000043")
    with Store.open(path, read_only=True) as reader:
        yield reader


def test_keys_come_in_sorted_order_and_pages_follow_them(store: Store) -> None:
    keys = browse.row_keys(store, "learners", sort="surname", descending=True)
    assert len(keys) == 202 == browse.total(store, "learners")
    page = browse.rows_for_keys(store, "learners", keys.slice(0, 10).to_pylist())
    surnames = page.column("surname").to_pylist()
    assert surnames == sorted(surnames, reverse=True)
    assert page.column("key").to_pylist() == keys.slice(0, 10).to_pylist()


def test_search_is_a_case_insensitive_prefix_on_several_fields_at_once(store: Store) -> None:
    keys = browse.row_keys(store, "learners", search={"surname": "o'B", "forename": "zo"})
    page = browse.rows_for_keys(store, "learners", keys.to_pylist())
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
        ("batch", "2001", 2),
    ],
)
def test_each_portal_search_field(
    store: Store, search_field: str, prefix: str, expected: int
) -> None:
    keys = browse.row_keys(store, "learners", search={search_field: prefix})
    assert len(keys) == expected


def test_dates_show_day_first_and_sort_by_the_date_not_the_text(store: Store) -> None:
    keys = browse.row_keys(store, "learners", sort="date_of_birth", descending=True)
    born = browse.rows_for_keys(store, "learners", keys.slice(0, 3).to_pylist())
    assert born.column("date_of_birth").to_pylist() == ["03/04/2010", "02/01/2009", "19/07/2005"]
    keys = browse.row_keys(store, "registrations", sort="registration_date")
    shown = browse.rows_for_keys(store, "registrations", keys.to_pylist())
    days = [
        date(int(text[6:]), int(text[3:5]), int(text[:2]))
        for text in shown.column("registration_date").to_pylist()
    ]
    assert days == sorted(days) and days[0] == date(2024, 9, 1)
    assert shown.column("registration_date").to_pylist()[-1] == "01/09/2025"
    imports = browse.page(store, "imports", 0, 1, sort="finished_at", descending=True)
    assert imports.column("finished_at").to_pylist() == ["12/09/2025 08:30"]


def test_an_issue_on_a_parsed_date_shows_the_date_day_first(store: Store) -> None:
    keys = browse.row_keys(store, "issues", scope={"import_id": 1, "code": "DOB_FUTURE"})
    page = browse.rows_for_keys(store, "issues", keys.to_pylist())
    assert page.column("value").to_pylist() == ["01/01/2099"]
    keys = browse.row_keys(store, "issues", scope={"import_id": 1, "code": "ULN_CHECKSUM"})
    page = browse.rows_for_keys(store, "issues", keys.to_pylist())
    assert page.column("value").to_pylist() == ["1000000042", "1000000063"]


def test_registrations_search_by_learner_and_registration_fields(store: Store) -> None:
    keys = browse.row_keys(store, "registrations", search={"surname": "smythe", "batch": "20"})
    page = browse.rows_for_keys(store, "registrations", keys.to_pylist())
    assert page.column("forename").to_pylist() == ["Ann"]
    assert page.column("status").to_pylist() == ["active"]


def test_sort_column_must_be_one_the_view_shows(store: Store) -> None:
    with pytest.raises(StoreError, match="cannot be sorted by 'surname; DROP TABLE'"):
        browse.row_keys(store, "learners", sort="surname; DROP TABLE")


def test_unknown_search_field_says_what_the_view_knows(store: Store) -> None:
    with pytest.raises(StoreError, match="products cannot be searched by surname"):
        browse.row_keys(store, "products", search={"surname": "x"})


def test_every_view_pages(store: Store) -> None:
    for name in browse.VIEWS:
        scope = {"import_id": 1, "code": "ULN_CHECKSUM"} if name == "issues" else None
        keys = browse.row_keys(store, name, scope=scope)
        page = browse.rows_for_keys(store, name, keys.slice(0, 5).to_pylist())
        assert page.num_rows == min(5, len(keys)) > 0
        assert page.column_names[1:] == [column.name for column in browse.VIEWS[name].columns]


def test_dashboard_figures(store: Store) -> None:
    figures = details.dashboard(store)
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
    keys = browse.row_keys(store, "learners", search={"uln": "1000000043"})
    detail = details.learner_detail(store, keys[0].as_py())
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
    assert detail.history.get_column("action").to_list() == ["insert", "update"]
    assert details.cell_text(detail.details["date_of_birth"]) == "03/04/2010"
    assert details.learner_detail(store, 1) is None


def test_rejected_row_cells_and_issues(store: Store) -> None:
    rejected = details.rejected_row(store, 1, 4)
    assert rejected is not None
    assert rejected.cells["ULN"] == "1000000042"
    assert rejected.issues.get_column("column_name").to_list() == ["ULN", "Surname"]
    assert details.rejected_row(store, 1, 5) is None
    assert details.issue_groups(store, 1).get_column("code").to_list()[0] == "ULN_CHECKSUM"
