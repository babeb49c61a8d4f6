"""PostgreSQL's words for the SQL in which the backends differ (see ``store.shared.dialect``)."""

from __future__ import annotations

from centredesk.store.errors import StoreError
from centredesk.store.shared.dialect import Dialect

DIALECT = Dialect(
    json_object="json_build_object",
    json_keys="json_object_keys({json})",
    json_field="{json} ->> '{name}'",
    json_has="jsonb_exists({json}::jsonb, '{name}')",
    # Locked until the change commits: another editor reads the versions after it.
    lock_rows=" FOR UPDATE",
    # Names in byte order, as DuckDB orders them, not the server's locale.
    byte_order=' COLLATE "C"',
    contains="strpos({text}, {part}) > 0",
    error=StoreError,
)
