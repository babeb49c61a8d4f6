"""The few words of SQL in which the two backends differ, one table per backend.

The shared operations (this package) write their SQL once and take these words from the
backend's dialect. The templates are filled with ``str.format``; what fills them is a column
or a field name from our own schema, never a value (values go in as parameters).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    json_object: str
    """The function that builds a JSON object from names and values."""
    json_keys: str
    """Template (``{json}``): the keys of a JSON object, one a row."""
    json_field: str
    """Template (``{json}``, ``{name}``): one field of a JSON object, as text."""
    json_has: str
    """Template (``{json}``, ``{name}``): whether a JSON object holds a field."""
    lock_rows: str
    """What ends a SELECT of rows that are about to be changed, to hold other writers off
    them until the transaction ends: empty where the whole store is held while writing."""
    byte_order: str
    """What follows a text sort key to order it by bytes, whatever the locale."""
    contains: str
    """Template (``{text}``, ``{part}``): whether one text contains another, literally (a
    ``%`` or ``_`` is just a character)."""
    error: type[Exception]
    """What a failed statement raises on this backend's connection."""
