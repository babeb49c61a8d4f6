"""The charge arithmetic: working days, the credit window, batch and individual charges."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centredesk.charges import (
    BATCH_CHARGE,
    INDIVIDUAL_CHARGE,
    MONEY,
    fee_credited,
    is_working_day,
    plan_cancellation,
    reason,
    working_days_after,
    working_days_column,
)

FEE = Decimal("45.00")


def registrations(
    *registered: date, fee: Decimal | None = FEE, batch: str = "1001"
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "registration_id": list(range(1, len(registered) + 1)),
            "centre_number": ["100001"] * len(registered),
            "batch_number": [batch] * len(registered),
            "registration_date": list(registered),
            "registration_fee": pl.Series([fee] * len(registered), dtype=MONEY),
        }
    )


def test_the_example_the_user_is_shown() -> None:
    # Friday 21/11/2025 to Wednesday 26/11/2025: Monday, Tuesday, Wednesday.
    assert working_days_after(date(2025, 11, 21), date(2025, 11, 26)) == 3
    assert (
        reason(date(2025, 11, 21), date(2025, 11, 26), FEE)
        == "registered Fri 21/11/2025, 3 working days ago: fee credited"
    )


def test_a_weekend_is_not_counted() -> None:
    friday, saturday, sunday, monday = (date(2025, 11, 21) + timedelta(days=n) for n in range(4))
    assert working_days_after(friday, saturday) == 0
    assert working_days_after(friday, sunday) == 0
    assert working_days_after(friday, monday) == 1
    assert not is_working_day(saturday) and not is_working_day(sunday)


def test_an_england_and_wales_bank_holiday_is_not_counted() -> None:
    # Registered Thursday 21/08/2025; Monday 25/08/2025 is the summer bank holiday.
    registered, cancelled = date(2025, 8, 21), date(2025, 8, 29)
    assert not is_working_day(date(2025, 8, 25))
    assert working_days_after(registered, cancelled) == 5  # Fri 22, Tue 26 .. Fri 29
    assert fee_credited(registered, cancelled)
    assert not fee_credited(registered, date(2025, 9, 1))  # the 6th working day


def test_a_scottish_bank_holiday_is_a_working_day() -> None:
    # Monday 01/12/2025 is St Andrew's Day observed in Scotland, not in England and Wales.
    assert is_working_day(date(2025, 12, 1))
    # Thu 27/11 -> Fri 05/12: Fri 28, Mon 1, Tue 2, Wed 3, Thu 4, Fri 5 = 6: no credit
    # (it would be 5, and credited, if Scotland's holiday counted).
    assert working_days_after(date(2025, 11, 27), date(2025, 12, 5)) == 6
    assert not fee_credited(date(2025, 11, 27), date(2025, 12, 5))
    # The first Monday of August is Scotland's summer holiday, England's is the last.
    assert is_working_day(date(2025, 8, 4))


def test_christmas_and_new_year_span_two_years() -> None:
    # Registered Tue 23/12/2025: 24, (25, 26 holidays), 29, 30, 31, (1 Jan holiday), 2 Jan.
    assert working_days_after(date(2025, 12, 23), date(2026, 1, 2)) == 5
    assert working_days_after(date(2025, 12, 23), date(2026, 1, 5)) == 6


def test_the_same_day_and_a_date_before_registration_count_no_days() -> None:
    day = date(2025, 11, 21)
    assert working_days_after(day, day) == 0
    assert working_days_after(day, day - timedelta(days=3)) == 0
    assert reason(day, day, FEE) == "registered Fri 21/11/2025, today: fee credited"


def test_the_fifth_working_day_is_still_credited_and_the_sixth_is_not() -> None:
    registered = date(2025, 11, 24)  # a Monday
    assert fee_credited(registered, date(2025, 12, 1))  # next Monday: 5 working days
    assert not fee_credited(registered, date(2025, 12, 2))
    assert reason(registered, date(2025, 12, 2), FEE) == (
        "registered Mon 24/11/2025, 6 working days ago: more than 5 working days, no credit"
    )


def test_individual_cancellations_cost_twenty_pounds_each() -> None:
    plan = plan_cancellation(
        registrations(date(2025, 11, 21), date(2025, 11, 3), date(2025, 11, 25)),
        on=date(2025, 11, 26),
        whole_batch=False,
    )
    assert plan.charged == 3 * INDIVIDUAL_CHARGE == Decimal("60.00")
    assert plan.credited == 2 * FEE
    assert plan.credited_count == 2
    lines = plan.registrations.sort("registration_id")
    assert lines.get_column("credited").to_list() == [True, False, True]
    assert lines.get_column("charge").to_list() == [INDIVIDUAL_CHARGE] * 3
    assert lines.get_column("reason").to_list() == [
        "registered Fri 21/11/2025, 3 working days ago: fee credited",
        "registered Mon 03/11/2025, 17 working days ago: more than 5 working days, no credit",
        "registered Tue 25/11/2025, 1 working day ago: fee credited",
    ]
    kinds = plan.charges.group_by("kind").len().sort("kind").rows()
    assert kinds == [("cancellation", 3), ("fee credit", 2)]


def test_a_whole_batch_costs_twenty_five_pounds_once() -> None:
    plan = plan_cancellation(
        registrations(*[date(2025, 11, 3)] * 40), on=date(2025, 11, 26), whole_batch=True
    )
    assert plan.charged == BATCH_CHARGE
    assert plan.credited == Decimal("0.00")
    batch_lines = plan.charges.filter(pl.col("kind") == "batch cancellation")
    assert batch_lines.select("amount", "registration_id", "batch_number").rows() == [
        (BATCH_CHARGE, None, "1001")
    ]
    assert plan.registrations.get_column("charge").null_count() == 40


def test_a_batch_within_the_window_is_credited_per_registration() -> None:
    plan = plan_cancellation(
        registrations(*[date(2025, 11, 24)] * 3), on=date(2025, 11, 25), whole_batch=True
    )
    assert plan.charged == BATCH_CHARGE and plan.credited == 3 * FEE


def test_no_fee_in_the_catalogue_means_nothing_to_credit() -> None:
    plan = plan_cancellation(
        registrations(date(2025, 11, 25), fee=None), on=date(2025, 11, 26), whole_batch=False
    )
    assert plan.credited == Decimal("0.00") and plan.credited_count == 0
    assert plan.registrations.get_column("reason").to_list() == [
        "registered Tue 25/11/2025, 1 working day ago: no registration fee recorded for the "
        "product, nothing to credit"
    ]


def test_amounts_stay_decimal() -> None:
    plan = plan_cancellation(
        registrations(date(2025, 11, 25), fee=Decimal("0.10")), on=date(2025, 11, 25),
        whole_batch=False,
    )  # fmt: skip
    assert plan.charges.get_column("amount").dtype == MONEY
    assert isinstance(plan.credited, Decimal) and plan.credited == Decimal("0.10")


days = st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31))


@settings(max_examples=300, deadline=None)
@given(days, st.integers(min_value=-10, max_value=60))
def test_whole_columns_count_as_the_one_date_reference(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    frame = pl.DataFrame({"start": [start], "end": [end]})
    counted = frame.select(
        working_days_column(pl.col("start"), pl.col("end"), range(start.year - 1, end.year + 2))
    ).item()
    assert counted == working_days_after(start, end)


@settings(max_examples=200, deadline=None)
@given(days, st.integers(min_value=0, max_value=40))
def test_working_days_only_grow_and_by_at_most_one_a_day(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    after = working_days_after(start, end + timedelta(days=1))
    assert after - working_days_after(start, end) == int(is_working_day(end + timedelta(days=1)))


@settings(max_examples=100, deadline=None)
@given(st.lists(days, min_size=1, max_size=8), days, st.booleans())
def test_the_plan_agrees_with_the_one_date_rules(
    registered: list[date], on: date, whole_batch: bool
) -> None:
    plan = plan_cancellation(registrations(*registered), on=on, whole_batch=whole_batch)
    expected_credit = sum(
        (FEE for day in registered if fee_credited(day, on)), start=Decimal("0.00")
    )
    assert plan.credited == expected_credit
    assert plan.charged == (BATCH_CHARGE if whole_batch else INDIVIDUAL_CHARGE * len(registered))
    assert plan.registrations.get_column("reason").to_list() == [
        reason(day, on, FEE) for day in registered
    ]


@pytest.mark.parametrize("whole_batch", [False, True])
def test_an_empty_selection_costs_nothing(whole_batch: bool) -> None:
    plan = plan_cancellation(
        registrations().cast({"registration_date": pl.Date}), on=date(2025, 11, 25),
        whole_batch=whole_batch,
    )  # fmt: skip
    assert plan.charged == Decimal("0.00") and plan.credited == Decimal("0.00")
