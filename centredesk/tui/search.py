"""Reading the search bar: plain words, ``field:prefix`` pairs, or both.

Plain words each match one of the table's natural fields (names, numbers, codes, titles), in
any order: ``smith freya`` and ``freya smith`` find the same learner. Each ``field:prefix``
pair narrows the table by one column (all must match); the fields are the columns the tab
shows, named as their headers (``born:``, ``status:``, ``grade:``, ``title:``), plus a few
words people use (``dob:``, ``first:``). A value may contain spaces (``surname:Ní Bhriain``):
it runs up to the next ``field:``. A field the tab does not have is reported and left out,
so the rest of the search still applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from centredesk.store.views import WORDS, View

FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "learner_number": ("learner", "number"),
    "surname": ("surname", "last"),
    "forename": ("forename", "first"),
    "date_of_birth": ("born", "dob"),
    "uln": ("uln",),
    "centre_number": ("centre", "center"),
    "learner_reference": ("reference", "ref"),
    "batch_number": ("batch",),
    "product_code": ("product", "code", "qan"),
    "registration_date": ("registered",),
    "status": ("status",),
    "registration_id": ("id", "reg"),
    "assessment": ("assessment",),
    "session_date": ("session",),
    "attempt": ("attempt",),
    "booking_id": ("id", "booking"),
    "component": ("component",),
    "grade": ("grade",),
    "result_date": ("issued",),
    "release_date": ("release", "released"),
    "withheld": ("withheld",),
    "result_id": ("id", "result"),
    "title": ("title",),
    "level": ("level",),
    "discount_code": ("discount",),
    "external_assessment": ("exam",),
    "assessment_mode": ("mode",),
    "operational_end_date": ("ends", "end"),
    "grading_scheme": ("grading",),
    "import_id": ("no", "import", "id"),
    "finished_at": ("when", "date"),
    "file_name": ("file",),
    "kind": ("kind",),
    "rows_accepted": ("loaded",),
    "rows_rejected": ("rejected",),
    "os_user": ("by", "user"),
}
"""Search field -> what people type before the colon; the first is the one help shows (the
column's header where the tab shows the field)."""

HINTS: dict[str, str] = {
    "learners": "smith freya  or  surname:smi born:03/04 centre:1047",
    "registrations": "smith  or  product:603/0862 status:active batch:5101",
    "bookings": "smith  or  session:30/10 status:active assessment:hc1",
    "results": "smith  or  grade:merit withheld:yes product:603",
    "products": "food  or  product:603/0862 mode:paper exam:yes",
    "imports": "learners  or  kind:bookings rejected:2",
}
"""The example in each tab's empty search bar (each one parses on its tab: a test checks)."""

_PAIR = re.compile(r"(?:^|\s)([A-Za-z_]+):")
_LONGEST_SHOWN = 14
"""How much of an unknown field name an error repeats (so the message fits at 80 columns)."""


@dataclass(frozen=True)
class Search:
    """What the search bar asks for: field -> prefix (plain words under ``WORDS``), and the
    fields typed that the tab does not have."""

    fields: dict[str, str] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()

    @property
    def problem(self) -> str:
        """One line for the status bar, or empty when every field was known."""
        if not self.unknown:
            return ""
        names = " ".join(f"{name[:_LONGEST_SHOWN]}:" for name in self.unknown)
        return f"no field {names} here (left out) · F1 lists the fields of each tab"


def typed_words(view: View) -> dict[str, str]:
    """What may be typed before a colon on ``view`` -> the search field it means."""
    words: dict[str, str] = {}
    for name in view.search_fields:
        for word in (*FIELD_WORDS[name], name):
            words.setdefault(word, name)
    return words


def parse_search(text: str, view: View) -> Search:
    """The search fields and prefixes in ``text`` for ``view``; empty for a blank bar."""
    known = typed_words(view)
    matches = list(_PAIR.finditer(text))
    fields: dict[str, str] = {}
    unknown: list[str] = []
    leading = text[: matches[0].start()] if matches else text
    if leading.strip() and view.words:
        fields[WORDS] = leading.strip()
    for position, match in enumerate(matches):
        typed = match.group(1).casefold()
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip()
        name = known.get(typed)
        if name is None:
            unknown.append(typed)
        elif value:
            fields[name] = value
    return Search(fields, tuple(unknown))


def field_word(name: str) -> str:
    """The word help shows for a search field."""
    return FIELD_WORDS[name][0]


def search_hint(view: View) -> str:
    """The example in a view's empty search bar."""
    return HINTS[view.name]
