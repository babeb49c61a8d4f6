"""The app's presentation of the store's views stays in step with the views themselves."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from centredesk.store.views import VIEWS, WORDS
from centredesk.tui.columns import COLUMNS, cell_text, value_text
from centredesk.tui.screens.help import HELP, TAB_LABELS, tab_fields
from centredesk.tui.search import FIELD_WORDS, HINTS, Search, parse_search, typed_words


def test_every_column_of_every_view_has_a_header_and_a_width_and_nothing_else_does() -> None:
    assert set(COLUMNS) == set(VIEWS)
    for name, view in VIEWS.items():
        assert list(COLUMNS[name]) == [column.name for column in view.columns], name


def _header_word(label: str) -> str:
    return label.split()[0].strip(".").casefold()


@pytest.mark.parametrize("name", [name for name, view in VIEWS.items() if view.search])
def test_every_column_a_tab_shows_can_be_searched_by_its_header(name: str) -> None:
    view = VIEWS[name]
    words = typed_words(view)
    for column in view.columns:
        assert column.name in view.search_fields, column.name
        assert words[_header_word(COLUMNS[name][column.name].label)] == column.name


def test_every_search_field_has_words_and_no_word_means_two_fields_on_one_tab() -> None:
    for view in VIEWS.values():
        seen: dict[str, str] = {}
        for name in view.search_fields:
            assert FIELD_WORDS[name], name
            for word in FIELD_WORDS[name]:
                assert seen.setdefault(word, name) == name, (view.name, word)


@pytest.mark.parametrize("name", [name for name, view in VIEWS.items() if view.search])
def test_the_search_bar_example_works_on_its_view(name: str) -> None:
    for example in HINTS[name].split("  or  "):
        search = parse_search(example, VIEWS[name])
        assert search.fields and not search.unknown


def test_plain_words_and_fields_are_read_apart() -> None:
    learners = VIEWS["learners"]
    assert parse_search("Smith Freya", learners).fields == {WORDS: "Smith Freya"}
    search = parse_search("o'c  born:3/4 surname:Ní Bhriain", learners)
    assert search.fields == {WORDS: "o'c", "date_of_birth": "3/4", "surname": "Ní Bhriain"}
    assert parse_search("DOB:03/04", learners).fields == {"date_of_birth": "03/04"}
    assert parse_search("   ", learners) == Search()


def test_an_unknown_field_is_left_out_and_said_in_one_short_line() -> None:
    search = parse_search("smi colour:red centre:1047", VIEWS["learners"])
    assert search.fields == {WORDS: "smi", "centre_number": "1047"}
    assert search.unknown == ("colour",)
    assert search.problem.startswith("no field colour: here")
    long = parse_search("averyveryverylongfieldname:x", VIEWS["learners"])
    assert len(long.problem) <= 78


def test_the_help_lists_the_fields_of_every_tab() -> None:
    text = re.sub(r"\s+", " ", HELP)
    for name in TAB_LABELS:
        assert tab_fields(name) in text
    assert "grade: issued: release: withheld: id:" in tab_fields("results")
    assert all(len(re.sub(r"\[/?b\]", "", line)) <= 72 for line in HELP.splitlines())


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
