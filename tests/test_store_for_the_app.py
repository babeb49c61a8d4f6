"""Store operations the app's changes read: learners without a ULN, a learner's
registrations, a learner's bookings by id; on each backend."""

from __future__ import annotations

from datetime import date

from change_fixtures import (
    AMY,
    AMY_HEALTH,
    BOOKING,
    SEAN,
    SEAN_CRAFT,
    SEAN_HEALTH,
    ZOE,
    ZOE_CRAFT,
    ZOE_HEALTH,
)

from centredesk.jobs.editing import set_uln
from centredesk.store import Store
from centredesk.store.records import UlnFilters


def listed(store: Store, **filters: object) -> list[int]:
    page = store.learners.without_uln(UlnFilters(**filters))  # type: ignore[arg-type]
    numbers = page.learners.get_column("learner_number").to_list()
    assert page.total == len(numbers)
    return [int(number) for number in numbers]


def test_learners_without_a_uln_or_with_the_placeholder_filtered_as_the_portal_does(
    store: Store,
) -> None:
    assert listed(store) == [SEAN]
    set_uln(store, AMY, "9999999999", confirmed=True)
    assert listed(store) == [AMY, SEAN]  # by surname: Lee, Smith-Jones
    assert listed(store, surname="smi") == [SEAN]
    assert listed(store, forename="AM") == [AMY]
    assert listed(store, batch="1002") == [AMY]
    assert listed(store, batch="1001") == [SEAN]
    assert listed(store, product="5005959") == [SEAN]  # on Creative Craft, without slashes
    assert listed(store, product="603/0862") == [AMY, SEAN]
    assert listed(store, registered_from=date(2025, 11, 25)) == [SEAN]
    assert listed(store, registered_to=date(2025, 11, 24)) == [AMY]
    # One registration must hold every registration filter: Sean's Craft is not in 1002.
    assert listed(store, batch="1002", product="500") == []


def test_learners_without_a_uln_come_a_page_at_a_time(store: Store) -> None:
    set_uln(store, AMY, "9999999999", confirmed=True)
    first = store.learners.without_uln(UlnFilters(), offset=0, limit=1)
    second = store.learners.without_uln(UlnFilters(), offset=1, limit=1)
    assert (first.total, second.total) == (2, 2)
    assert first.learners["learner_number"].to_list() == [AMY]
    assert second.learners["learner_number"].to_list() == [SEAN]
    assert set(first.learners.columns) >= {"uln", "version", "date_of_birth"}


def test_the_registrations_of_learners(store: Store) -> None:
    assert store.registrations.of_learners([ZOE]) == [ZOE_HEALTH, ZOE_CRAFT]
    assert store.registrations.of_learners([SEAN, AMY]) == [SEAN_HEALTH, AMY_HEALTH, SEAN_CRAFT]
    assert store.registrations.of_learners([]) == []


def test_a_learners_bookings_carry_their_ids(store: Store) -> None:
    detail = store.details.learner(ZOE)
    assert detail is not None
    assert detail.bookings.get_column("booking_id").to_list() == [BOOKING]
