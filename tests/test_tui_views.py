"""The app's presentation of the store's views stays in step with the views themselves."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from centredesk.store.views import VIEWS
from centredesk.tui.columns import COLUMNS, cell_text, value_text
from centredesk.tui.screens.help import HELP
from centredesk.tui.search import ALIASES, HINTS, PEOPLE_HINT, field_list, parse_search


def test_every_column_of_every_view_has_a_header_and_a_width_and_nothing_else_does() -> None:
    assert set(COLUMNS) == set(VIEWS)
    for name, view in VIEWS.items():
        assert list(COLUMNS[name]) == [column.name for column in view.columns], name


def test_every_search_field_can_be_typed_and_every_typed_word_names_one() -> None:
    fields = {field for view in VIEWS.values() for field in view.search_fields}
    assert fields == set(ALIASES.values())


@pytest.mark.parametrize("name", [name for name, view in VIEWS.items() if view.search])
def test_the_search_bar_example_works_on_its_view(name: str) -> None:
    view = VIEWS[name]
    hint = HINTS.get(name, PEOPLE_HINT)
    for example in hint.split("  or  "):
        default = "product_code" if name == "products" else "surname"
        assert parse_search(example, default_field=default, allowed=view.search_fields)


def test_the_help_lists_the_fields_the_learners_view_is_searched_by() -> None:
    assert field_list(VIEWS["learners"]) == "surname forename dob learner uln batch product"
    assert field_list(VIEWS["learners"]) in HELP


def test_values_are_shown_day_first_and_in_words() -> None:
    assert cell_text(date(2010, 4, 3)) == "03/04/2010"
    assert cell_text(datetime(2025, 9, 12, 8, 30)) == "12/09/2025 08:30"
    assert (cell_text(True), cell_text(False), cell_text(None), cell_text(7)) == (
        "yes",
        "no",
        "",
        "7",
    )
    assert value_text("2099-01-01") == "01/01/2099"  # a parsed date kept as text
    assert value_text("2099-02-30") == "2099-02-30"  # not a date: as typed
    assert value_text("1000000042") == "1000000042"
