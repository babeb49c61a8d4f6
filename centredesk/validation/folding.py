"""How names and titles are compared: the one fold used by the duplicate rules and search.

Folding drops what people type differently for the same name: case, accents, apostrophe
styles (``O'Connor``, ``O’Connor``, ``OConnor``) and the letters of Latin scripts that
Unicode does not decompose into a base letter and a mark (``Ł``, ``Ø``, ``Đ``, ``ß``, ``Æ``,
``Œ``, ``Þ``), which NFKD alone leaves as they are. Hyphens, full stops and spaces become
single spaces, so each part of ``Smith-Jones`` or ``St. John`` is a word of its own.

:func:`fold_text` (one string) and :func:`fold_words` (a polars expression over a column)
give the same result; a test keeps them in agreement.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

LETTERS: dict[str, str] = {
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
    "ı": "i",
    "ħ": "h",
    "ŀ": "l",
    "ŧ": "t",
    "ŋ": "n",
    "ĸ": "k",
    "ſ": "s",
}
"""Lower-case letters with no decomposition, and the plain letters they are typed as."""

APOSTROPHES = "'’‘ʼ`´"
"""Marks inside a name that people type one way or another or leave out (O’Connor)."""

_TRANSLATION = str.maketrans({**LETTERS, **dict.fromkeys(APOSTROPHES, "")})
_APOSTROPHE_CLASS = "[" + re.escape(APOSTROPHES) + "]"


def fold_text(text: str) -> str:
    """``text`` folded: lower case, no accents or apostrophes, words split by one space."""
    lowered = unicodedata.normalize("NFKD", text).lower()
    plain = "".join(char for char in lowered if not unicodedata.category(char).startswith("M"))
    plain = plain.translate(_TRANSLATION)
    return " ".join("".join(char if char.isalnum() else " " for char in plain).split())


def fold_words(text: pl.Expr) -> pl.Expr:
    """:func:`fold_text` of every value of a text column, vectorised."""
    return (
        text.str.normalize("NFKD")
        .str.to_lowercase()
        .str.replace_all(r"\p{M}", "")
        .str.replace_many(list(LETTERS), list(LETTERS.values()))
        .str.replace_all(_APOSTROPHE_CLASS, "")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars(" ")
    )


def fold_joined(text: pl.Expr) -> pl.Expr:
    """A name folded with its spaces dropped too: ``Smith Jones`` and ``Smith-Jones`` agree."""
    return fold_words(text).str.replace_all(" ", "", literal=True)
