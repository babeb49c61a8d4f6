"""What the columns under the headers hold: which have values, and which look like a field.

The header decides what a column is, but a header we do not know can hide a column we need
(``Learner ULN No`` full of ULNs), and two headers can name one field (an empty ``ULN`` and
a filled ``Unique Learner Number``). These facts let the reader choose the column with the
values and tell the user about a column it leaves out that looks like one it would read.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from centredesk.validation.fields import SCHEMAS, FieldType, Kind

SAMPLE_VALUES = 10_000
"""The first this many values of a column are enough to tell what it looks like."""
LOOKS_LIKE_SHARE = 0.9
"""A column looks like a field when at least this share of its values has the field's form."""


@dataclass(frozen=True)
class _Form:
    """How the values of one type of field look, and what they are called."""

    pattern: str
    plural: str


_FORMS: dict[FieldType, _Form] = {
    "uln": _Form(r"^'?[1-9][0-9]{9}(?:\.0+)?$", "ULNs"),
    "product_code": _Form(r"^[0-9]{3}[/ ]?[0-9]{4}[/ ]?[0-9Xx]$", "product codes"),
    "date": _Form(
        r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}(?: [0-9:]+)?|[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{4})$",
        "dates",
    ),
}


class Columns:
    """Facts about the data rows of a sheet, by header text."""

    def __init__(self, data: pl.DataFrame) -> None:
        self._data = data

    def _values(self, header: str) -> pl.Expr:
        trimmed = pl.col(header).str.strip_chars()
        return pl.when(trimmed != "").then(trimmed)

    def populated(self, header: str) -> bool:
        """Whether the column holds a value (not only spaces) in any row."""
        return bool(self._data.select(self._values(header).is_not_null().any()).item())

    def same_values(self, first: str, second: str) -> bool:
        """Whether two columns hold the same value (blank or not) in every row."""
        same = self._values(first).eq_missing(self._values(second)).all()
        return bool(self._data.select(same).item())

    def share_like(self, header: str, pattern: str) -> float:
        """The share of the column's first values that match ``pattern`` (0 when empty)."""
        values = (
            self._data.select(self._values(header).alias("value"))
            .drop_nulls()
            .head(SAMPLE_VALUES)
            .get_column("value")
        )
        if not values.len():
            return 0.0
        matching = values.str.contains(pattern).sum()
        return int(matching) / values.len()


def look_alike_notes(
    columns: Columns, kind: Kind, mapping: dict[str, str], ignored: list[str]
) -> list[str]:
    """A note for each column not read whose values look like a field that has no values.

    A field "has no values" when no column is read for it or the one read is empty; the
    note names the header that would make the column read.
    """
    notes: list[str] = []
    for header in ignored:
        for field_type, form in _FORMS.items():
            wanted = [
                spec
                for spec in SCHEMAS[kind]
                if spec.type == field_type
                and (spec.name not in mapping or not columns.populated(mapping[spec.name]))
            ]
            if not wanted or columns.share_like(header, form.pattern) < LOOKS_LIKE_SHARE:
                continue
            names = " or ".join(f'"{spec.header}"' for spec in wanted)
            empty = [mapping[spec.name] for spec in wanted if spec.name in mapping]
            besides = f', while "{empty[0]}" is empty' if empty else ""
            notes.append(
                f'the column "{header}" is not read, but its values look like {form.plural}'
                f"{besides}; to read it, head it {names}"
            )
            break
    return notes
