"""DuckDB's words for the SQL in which the backends differ (see ``store.shared.dialect``)."""

from __future__ import annotations

import duckdb

from centredesk.store.shared.dialect import Dialect

DIALECT = Dialect(
    json_object="json_object",
    json_keys="unnest(json_keys({json}))",
    json_field="json_extract_string({json}, '$.\"{name}\"')",
    json_has="json_exists({json}, '$.\"{name}\"')",
    # A writer holds the whole file: no other writer can reach the rows it reads.
    lock_rows="",
    # DuckDB orders text by bytes already.
    byte_order="",
    contains="contains({text}, {part})",
    error=duckdb.Error,
)
