"""What the app can browse: each table's rows, key, columns, search fields and scopes.

A :class:`View` is data, written once for every backend: its SQL fragments are ones both
DuckDB and PostgreSQL accept (identifiers, joins, ``lower``, ``CAST``), and how a search
field matches (:data:`Match`) is rendered by each backend in its own dialect. The values
come back typed (dates as dates, flags as booleans); how they look on screen, their labels
and widths are the app's business.

Only identifiers from :data:`VIEWS` reach the SQL text; every value is a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from centredesk.store.errors import StoreError
from centredesk.validation.folding import fold_text

Match = Literal["prefix", "words", "code", "date", "yesno", "contains"]
"""How a search field compares with what was typed:

- ``prefix``: the value, as text in any case, starts with it;
- ``words``: a word of the value starts with it, both folded (see
  :mod:`centredesk.validation.folding`): ``o'c`` finds ``O’Connor``, ``lukasz`` ``Łukasz``
  and ``jones`` ``Smith-Jones``. The field's ``expr`` is a column of folded text written
  with the row (:mod:`centredesk.store.folded`), so no backend folds at query time;
- ``code``: a product code's prefix, with or without its slashes;
- ``date``: a date's prefix written ISO (``2010-04``) or day first (``03/04``);
- ``yesno``: a flag, as ``yes`` or ``no``;
- ``contains``: the value, as text in any case, contains it anywhere (small tables only).
"""

Plain = Literal["any", "digits", "with a digit"]
"""The plain words a natural field is tried against: any; only numbers (learner numbers,
ULNs, ids); or words with a digit in them (codes such as ``603/0862`` or ``HC1``). Each test
left out is one a search of a million rows does not pay for."""

WORDS = "words"
"""The pseudo search field of plain words: each word must match one of the view's
:attr:`View.words` fields (a name, a code, a title), in any order."""


@dataclass(frozen=True)
class Column:
    """One column of a view: its name and the SQL expression of its value."""

    name: str
    expr: str


@dataclass(frozen=True)
class SearchField:
    """A field the search bar can narrow a view by."""

    name: str
    expr: str
    match: Match = "prefix"
    within: str = "{}"
    """Where the condition goes: ``{}`` alone, or a subquery that holds it."""
    plain: Plain = "any"
    """Which plain words are compared with this field at all (see :data:`Plain`)."""

    def takes(self, word: str) -> bool:
        """Whether a plain word is worth comparing with this field."""
        if self.plain == "digits":
            return word.isdigit()
        if self.plain == "with a digit":
            return any(char.isdigit() for char in word)
        if self.match == "words":
            return bool(fold_text(word))
        return True


@dataclass(frozen=True)
class View:
    """A browsable table: where its rows come from and how they are searched and sorted."""

    name: str
    key: str
    source: str
    """The FROM clause, joins included."""
    columns: tuple[Column, ...]
    search: tuple[SearchField, ...] = ()
    words: tuple[str, ...] = ()
    """The search fields a plain word is tried against: the natural ones of the view."""
    scope: Mapping[str, str] = field(default_factory=dict)
    """Scope field -> SQL expression compared for equality (an import's issues)."""
    default_sort: str = ""
    default_descending: bool = False

    def column(self, name: str) -> Column:
        """The column called ``name``; a :class:`StoreError` naming the sortable ones."""
        for column in self.columns:
            if column.name == name:
                return column
        sortable = ", ".join(column.name for column in self.columns)
        raise StoreError(f"{self.name} cannot be sorted by {name!r}; choose one of {sortable}")

    @property
    def search_fields(self) -> tuple[str, ...]:
        return tuple(search.name for search in self.search)

    def search_field(self, name: str) -> SearchField:
        for search in self.search:
            if search.name == name:
                return search
        known = ", ".join(self.search_fields) or "nothing"
        raise StoreError(f"{self.name} cannot be searched by {name}; it knows {known}")

    def word_fields(self, word: str) -> tuple[SearchField, ...]:
        """The natural fields a plain word could match (any one of them will do)."""
        return tuple(search for search in map(self.search_field, self.words) if search.takes(word))


def plain_words(text: str) -> list[str]:
    """The words of search text: split at spaces, empty ones dropped. Each must match."""
    return text.split()


def _learner_search(learner: str) -> tuple[SearchField, ...]:
    return (
        SearchField("learner_number", f"{learner}.learner_number", plain="digits"),
        SearchField("surname", f"{learner}.surname_folded", "words"),
        SearchField("forename", f"{learner}.forename_folded", "words"),
        SearchField("date_of_birth", f"{learner}.date_of_birth", "date"),
        SearchField("uln", f"{learner}.uln", plain="digits"),
    )


def _registration_search(registration: str, within: str = "{}") -> tuple[SearchField, ...]:
    return (
        SearchField(
            "product_code", f"{registration}.product_code", "code", within, "with a digit"
        ),  # fmt: skip
        SearchField("batch_number", f"{registration}.batch_number", within=within),
        SearchField("centre_number", f"{registration}.centre_number", within=within),
    )


_THROUGH_REGISTRATIONS = (
    "l.learner_number IN (SELECT x.learner_number FROM registrations x WHERE {})"
)
"""A learner matches a batch or a product through any of their registrations."""
_REG_JOIN = "JOIN learners l ON l.learner_number = r.learner_number"
_PEOPLE_SEARCH = (*_learner_search("l"), *_registration_search("r"))
_PEOPLE_WORDS = ("surname", "forename", "learner_number", "uln", "product_code")
_WITHHELD = "coalesce(s.release_date > current_date, false)"
"""A result whose release date is still to come: the centre may not tell the learner yet."""


VIEWS: dict[str, View] = {
    view.name: view
    for view in (
        View(
            "learners",
            "l.learner_number",
            "learners l",
            (
                Column("learner_number", "l.learner_number"),
                Column("surname", "l.surname"),
                Column("forename", "l.forename"),
                Column("date_of_birth", "l.date_of_birth"),
                Column("uln", "l.uln"),
                Column("centre_number", "l.centre_number"),
                Column("learner_reference", "l.learner_reference"),
            ),
            (
                *_learner_search("l"),
                SearchField("centre_number", "l.centre_number"),
                SearchField("learner_reference", "l.learner_reference", plain="with a digit"),
                *(
                    search
                    for search in _registration_search("x", _THROUGH_REGISTRATIONS)
                    if search.name != "centre_number"
                ),
            ),
            ("surname", "forename", "learner_number", "uln", "learner_reference"),
            default_sort="learner_number",
        ),
        View(
            "registrations",
            "r.registration_id",
            f"registrations r {_REG_JOIN}",
            (
                Column("learner_number", "r.learner_number"),
                Column("surname", "l.surname"),
                Column("forename", "l.forename"),
                Column("product_code", "r.product_code"),
                Column("batch_number", "r.batch_number"),
                Column("registration_date", "r.registration_date"),
                Column("status", "r.status"),
                Column("registration_id", "r.registration_id"),
            ),
            (
                *_PEOPLE_SEARCH,
                SearchField("registration_date", "r.registration_date", "date"),
                SearchField("status", "r.status"),
                SearchField("registration_id", "r.registration_id", plain="digits"),
            ),
            _PEOPLE_WORDS,
            default_sort="registration_id",
        ),
        View(
            "bookings",
            "b.booking_id",
            f"bookings b JOIN registrations r ON r.registration_id = b.registration_id {_REG_JOIN}",
            (
                Column("learner_number", "r.learner_number"),
                Column("surname", "l.surname"),
                Column("product_code", "r.product_code"),
                Column("assessment", "b.assessment"),
                Column("session_date", "b.session_date"),
                Column("status", "b.status"),
                Column("attempt", "b.attempt"),
                Column("booking_id", "b.booking_id"),
            ),
            (
                *_PEOPLE_SEARCH,
                SearchField("assessment", "b.assessment", plain="with a digit"),
                SearchField("session_date", "b.session_date", "date"),
                SearchField("status", "b.status"),
                SearchField("attempt", "b.attempt", plain="digits"),
                SearchField("booking_id", "b.booking_id", plain="digits"),
            ),
            (*_PEOPLE_WORDS, "assessment"),
            default_sort="booking_id",
        ),
        View(
            "results",
            "s.result_id",
            f"results s JOIN registrations r ON r.registration_id = s.registration_id {_REG_JOIN}",
            (
                Column("learner_number", "r.learner_number"),
                Column("surname", "l.surname"),
                Column("product_code", "r.product_code"),
                Column("component", "s.component"),
                Column("grade", "s.grade"),
                Column("result_date", "s.result_date"),
                Column("release_date", "s.release_date"),
                Column("withheld", _WITHHELD),
                Column("result_id", "s.result_id"),
            ),
            (
                *_PEOPLE_SEARCH,
                SearchField("component", "s.component", plain="with a digit"),
                SearchField("grade", "s.grade"),
                SearchField("result_date", "s.result_date", "date"),
                SearchField("release_date", "s.release_date", "date"),
                SearchField("withheld", _WITHHELD, "yesno"),
                SearchField("result_id", "s.result_id", plain="digits"),
            ),
            (*_PEOPLE_WORDS, "component"),
            default_sort="result_id",
        ),
        View(
            "products",
            "p.product_code",
            "products p",
            (
                Column("product_code", "p.product_code"),
                Column("title", "p.title"),
                Column("level", "p.level"),
                Column("discount_code", "p.discount_code"),
                Column("external_assessment", "p.external_assessment"),
                Column("assessment_mode", "p.assessment_mode"),
                Column("operational_end_date", "p.operational_end_date"),
                Column("grading_scheme", "p.grading_scheme"),
            ),
            (
                SearchField("product_code", "p.product_code", "code", plain="with a digit"),
                SearchField("title", "p.title_folded", "words"),
                SearchField("level", "p.level"),
                SearchField("discount_code", "p.discount_code"),
                SearchField("external_assessment", "p.external_assessment", "yesno"),
                SearchField("assessment_mode", "p.assessment_mode"),
                SearchField("operational_end_date", "p.operational_end_date", "date"),
                SearchField("grading_scheme", "p.grading_scheme"),
            ),
            ("product_code", "title", "discount_code"),
            default_sort="product_code",
        ),
        View(
            "imports",
            "i.import_id",
            "imports i",
            (
                Column("import_id", "i.import_id"),
                Column("finished_at", "i.finished_at"),
                Column("file_name", "i.file_name"),
                Column("kind", "i.kind"),
                Column("rows_accepted", "i.rows_accepted"),
                Column("rows_rejected", "i.rows_rejected"),
                Column("os_user", "i.os_user"),
            ),
            (
                SearchField("import_id", "i.import_id", plain="digits"),
                SearchField("finished_at", "i.finished_at", "date"),
                SearchField("file_name", "i.file_name", "contains"),
                SearchField("kind", "i.kind"),
                SearchField("rows_accepted", "i.rows_accepted", plain="digits"),
                SearchField("rows_rejected", "i.rows_rejected", plain="digits"),
                SearchField("os_user", "i.os_user"),
            ),
            ("file_name", "kind", "os_user"),
            default_sort="import_id",
            default_descending=True,
        ),
        View(
            "issues",
            # DuckDB's row id: import_issues has no key column of its own yet, so a
            # server backend needs one added by a migration before it can page this view.
            "x.rowid",
            "import_issues x",
            (
                Column("row", "x.row"),
                Column("column_name", "x.column_name"),
                Column("value", "x.value"),
                Column("message", "x.message"),
            ),
            scope={"import_id": "x.import_id", "code": "x.code"},
            default_sort="row",
        ),
    )
}


def view(name: str) -> View:
    """The view called ``name``; a :class:`StoreError` naming the known ones otherwise."""
    try:
        return VIEWS[name]
    except KeyError:
        raise StoreError(f"no table called {name!r}; choose one of {', '.join(VIEWS)}") from None


_UK_DAY_MONTH = re.compile(r"(\d{1,2})(?:[/.-](\d{1,2})?)?([/.-].*)?")


def normalise_prefix(search: SearchField, prefix: str) -> str:
    """What a typed prefix is compared with: folded words for names and titles, lower case
    otherwise, codes without slashes, dates as the text ``03/04/2010`` (day first) or ISO."""
    if search.match == "words":
        return fold_text(prefix)
    prefix = prefix.strip().casefold()
    if search.match == "code":
        prefix = prefix.replace("/", "").replace(" ", "")
    if search.match == "date":
        prefix = uk_date_prefix(prefix)
    return prefix


def uk_date_prefix(prefix: str) -> str:
    """``3/4/2010``, ``03.04`` or ``3-4`` as the day-first text ``03/04/2010`` or ``03/04``.

    Day and month are padded to two digits once the next part has begun (or a lone month
    digit can only be one month), so a date typed without leading zeros still matches; a
    four-digit year first means ISO and is kept as typed.
    """
    match = _UK_DAY_MONTH.fullmatch(prefix)
    if match is None or re.match(r"\d{4}", prefix):
        return prefix
    day, month, rest = match.groups()
    if match.end(1) == len(prefix):
        return day  # still typing the day
    text = f"{int(day):02d}/"
    if month is not None:
        # No month begins with 2-9, so a lone 4 can only mean April.
        finished = rest is not None or month[0] in "23456789"
        text += f"{int(month):02d}" if finished else month
    if rest is not None:
        text += "/" + rest[1:]
    return text
