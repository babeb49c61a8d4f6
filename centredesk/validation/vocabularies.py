"""The values a choice column allows, each with the spellings catalogues and MIS exports use.

A :class:`Vocabulary` hangs on the field definitions (``FieldSpec.vocabulary``), and both
the vectorised rules and the single-record model read it, so a spelling is accepted in one
place: ``P/M/D/D*`` is the graded scheme, ``PBA`` is paper-based, ``Yes`` is Y, whichever
way a file is checked. Spellings are compared ignoring case, spaces and punctuation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

BOOKING_STATUSES = ("Active", "Cancelled", "Transferred", "Pending Result", "Result Issued")
ASSESSMENT_MODES = ("on-screen", "paper-based")
GRADING_SCHEMES: dict[str, tuple[str, ...]] = {
    "graded": ("Pass", "Merit", "Distinction", "Distinction*"),
    "pass-fail": ("Pass", "Fail"),
    "unclassified": ("Achieved", "Not Achieved"),
}
UNGRADED = "U"
"""A grade that says the learner did not reach the lowest grade, valid in every scheme."""


def choice_key(text: str) -> str:
    """A choice compared ignoring case, spaces and punctuation (``*`` kept for grades)."""
    return re.sub(r"[^0-9a-z*]", "", text.lower())


@dataclass(frozen=True)
class Vocabulary:
    """The values of one choice column and the spellings read as each of them."""

    spellings: Mapping[Any, tuple[str, ...]]
    """Canonical value -> other ways people write it (the value's own text is read too)."""
    accepted: str
    """The accepted values as a message lists them."""

    @cached_property
    def lookup(self) -> dict[str, Any]:
        """:func:`choice_key` of every spelling -> its canonical value (text or bool)."""
        found: dict[str, Any] = {}
        for value in self.spellings:
            for text in (str(value), *self.spellings[value]):
                key = choice_key(text)
                if found.setdefault(key, value) != value:
                    raise ValueError(f"{text!r} is a spelling of two values")
        return found


YES_NO: Vocabulary = Vocabulary(
    {True: ("Y", "Yes", "True", "1"), False: ("N", "No", "False", "0")},
    "Y or N (Yes/No, True/False and 1/0 are read too)",
)
ASSESSMENT_MODE: Vocabulary = Vocabulary(
    {
        "on-screen": (
            "Onscreen",
            "On screen",
            "On-screen assessment",
            "Online",
            "OSA",
            "Screen",
            "OS",
        ),
        "paper-based": ("Paper based", "Paper", "Paper-based assessment", "PBA", "PB"),
    },  # fmt: skip
    "on-screen or paper-based (Onscreen, Online, OSA, Paper and PBA are read too)",
)
GRADING_SCHEME: Vocabulary = Vocabulary(
    {
        "graded": (
            "P/M/D/D*",
            "Pass/Merit/Distinction/Distinction*",
            "P/M/D",
            "Pass/Merit/Distinction",
            "D*/D/M/P",
            "Distinction*/Distinction/Merit/Pass",
        ),
        "pass-fail": ("Pass / Fail", "P/F", "P-F", "Pass or Fail"),
        "unclassified": ("Achieved/Not Achieved", "A/NA", "Achieved or Not Achieved"),
    },  # fmt: skip
    "graded, pass-fail or unclassified, or the grades themselves (P/M/D/D*, Pass/Fail, "
    "Achieved/Not Achieved)",
)
BOOKING_STATUS: Vocabulary = Vocabulary(
    dict.fromkeys(BOOKING_STATUSES, ()), ", ".join(BOOKING_STATUSES[:-1]) + " or Result Issued"
)
GRADE: Vocabulary = Vocabulary(
    {
        "Pass": ("P",),
        "Merit": ("M",),
        "Distinction": ("D",),
        "Distinction*": ("D*", "Distinction Star"),
        "Fail": ("F",),
        "Achieved": (),
        "Not Achieved": (),
        UNGRADED: ("Unclassified",),
    },  # fmt: skip
    "Pass, Merit, Distinction, Distinction*, Fail, Achieved, Not Achieved or U "
    "(P, M, D, D* and F are read too)",
)
