"""Filling a rule's message template, for one record or a whole column at once.

Templates live on the rules (:mod:`centredesk.validation.catalogue`); :func:`say` fills one
with Python values for the single-record model, :func:`said` with polars expressions for the
vectorised rules. Both read the same template, so the two paths cannot word an issue
differently. Values are passed already as text where their form matters (dates day first,
see :func:`centredesk.validation.values.uk_date`).
"""

from __future__ import annotations

from functools import cache
from string import Formatter

import polars as pl

from centredesk.validation.catalogue import rule


def say(code: str, variant: str = "", /, **values: object) -> str:
    """One issue's message: the template of ``code`` (and ``variant``) filled in."""
    return rule(code).message(variant).format(**values)


def said(code: str, variant: str = "", /, **values: pl.Expr | str | int) -> pl.Expr:
    """The message of ``code`` (and ``variant``) for every row, filled from expressions."""
    return fill(rule(code).message(variant), **values)


def fill(template: str, /, **values: pl.Expr | str | int) -> pl.Expr:
    """A template filled from expressions (or fixed values) for every row."""
    text, names = _parts(template)
    if not names:
        return pl.lit(text, pl.String)
    exprs = [
        value if isinstance(value, pl.Expr) else pl.lit(value)
        for value in map(values.__getitem__, names)
    ]
    return pl.format(text, *exprs)


@cache
def _parts(template: str) -> tuple[str, tuple[str, ...]]:
    """The template as polars' ``{}`` format and the names of its fields, in order."""
    text: list[str] = []
    names: list[str] = []
    for literal, name, spec, conversion in Formatter().parse(template):
        if "{" in literal or "}" in literal or spec or conversion:
            raise ValueError(f"template {template!r}: only plain {{name}} fields are filled")
        text.append(literal)
        if name is not None:
            text.append("{}")
            names.append(name)
    return "".join(text), tuple(names)
