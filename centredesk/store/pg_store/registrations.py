"""Registrations on PostgreSQL: as shared, but a learner's registrations found by an array.

Sending a list of learner numbers as one array parameter spares the server a temporary table
for what is usually a handful of numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from centredesk.store.shared.registrations import SharedRegistrations


class PostgresRegistrations(SharedRegistrations):
    def of_learners(self, learner_numbers: Sequence[int]) -> list[int]:
        found = self._session.con.execute(
            # Cast: an empty list is bound as a list of text.
            "SELECT registration_id FROM registrations "
            "WHERE learner_number = ANY(CAST(? AS BIGINT[])) ORDER BY registration_id",
            [[int(number) for number in learner_numbers]],
        ).fetchall()
        return [int(key) for (key,) in found]
