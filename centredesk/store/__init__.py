"""The DuckDB store: schema, queries, changes and the audit log. The only place with SQL."""

from centredesk.store.connection import (
    Store,
    default_path,
    os_user,
    read_if_present,
    resolve_path,
)
from centredesk.store.errors import StoreError, StoreLockedError

__all__ = [
    "Store",
    "StoreError",
    "StoreLockedError",
    "default_path",
    "os_user",
    "read_if_present",
    "resolve_path",
]
