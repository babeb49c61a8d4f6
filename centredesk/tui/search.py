"""Reading the search bar: ``surname:smi dob:03/04 batch:1001``, or just a prefix.

Each ``field:prefix`` pair narrows the table (all must match); text before the first pair
searches the table's main field (surname for people, the code for products). Values may
contain spaces (``surname:Ní Bhriain``): a value runs up to the next ``field:``.
"""

from __future__ import annotations

import re

from centredesk.errors import UserError
from centredesk.store.views import View

ALIASES: dict[str, str] = {
    "batch": "batch",
    "product": "product_code",
    "product_code": "product_code",
    "qan": "product_code",
    "code": "product_code",
    "forename": "forename",
    "first": "forename",
    "surname": "surname",
    "last": "surname",
    "dob": "date_of_birth",
    "born": "date_of_birth",
    "date_of_birth": "date_of_birth",
    "learner": "learner_number",
    "learner_number": "learner_number",
    "number": "learner_number",
    "uln": "uln",
}
"""What people type before the colon -> the store's search field (the views define the
fields; the first word for a field here is the one the app shows)."""

HINTS: dict[str, str] = {
    "products": "product:603/0862",
}
"""The search bar's example, where a view's differs from the people views'."""
PEOPLE_HINT = "smi  or  surname:smi dob:03/04 batch:1001 uln:"

_PAIR = re.compile(r"(?:^|\s)([A-Za-z_]+):")


class SearchError(UserError):
    """The search bar names a field the table cannot be searched by."""


def parse_search(
    text: str, *, default_field: str | None, allowed: tuple[str, ...]
) -> dict[str, str]:
    """The search fields and prefixes in ``text``; empty when there is nothing to search."""
    matches = list(_PAIR.finditer(text))
    search: dict[str, str] = {}
    leading = text[: matches[0].start()] if matches else text
    if leading.strip():
        if default_field is None:
            raise SearchError(f"this table cannot be searched; try one of: {_known(allowed)}")
        search[default_field] = leading.strip()
    for position, match in enumerate(matches):
        typed = match.group(1).casefold()
        field = ALIASES.get(typed)
        if field is None or field not in allowed:
            raise SearchError(f"cannot search by {typed!r} here; use {_known(allowed)}")
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip()
        if value:
            search[field] = value
    return search


def short_name(field: str) -> str:
    """The word the app shows for a search field: its first alias."""
    return next((alias for alias, name in ALIASES.items() if name == field), field)


def _known(allowed: tuple[str, ...]) -> str:
    return ", ".join(f"{short_name(field)}:" for field in allowed) or "nothing"


def search_hint(view: View) -> str:
    """The example in a view's empty search bar."""
    return HINTS.get(view.name, PEOPLE_HINT)


def field_list(view: View) -> str:
    """A view's search fields as people type them: ``surname forename dob …``."""
    return " ".join(short_name(field) for field in view.search_fields)
