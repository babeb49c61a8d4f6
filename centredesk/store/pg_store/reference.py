"""Reference frames from PostgreSQL: as shared, noting which imports validation has seen."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from centredesk.store.pg_store.session import Session
from centredesk.store.shared.reference import SharedReference


class PostgresReference(SharedReference):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._server = session

    def frames(self, names: Iterable[str]) -> dict[str, pl.DataFrame]:
        # Another person's import may land before this file is written: the write checks
        # that none has since these frames were read (see ``imports.record``).
        self._server.checked_against = int(
            self._server.scalar("SELECT coalesce(max(import_id), 0) FROM imports")
        )
        return super().frames(names)
