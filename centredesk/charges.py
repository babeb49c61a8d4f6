"""What a cancellation costs: working days, the cancellation charge and the fee credit.

The domain's arithmetic, with no store, file or screen: a cancellation costs £20 for each
individually chosen registration, or £25 once for a whole batch; the product's registration
fee is credited for each registration cancelled within 5 working days after its
registration date. Working days leave out Saturdays, Sundays and the bank holidays of
England and Wales (from the ``holidays`` package; Scotland's and Northern Ireland's own
holidays are working days here).

Amounts are :class:`~decimal.Decimal` (polars ``Decimal(8, 2)`` in frames), never floats.
:func:`working_days_after` is the one-date reference; :func:`plan_cancellation` does the
same sum for a whole selection at once (a batch may hold 100,000 registrations), and a
property test holds the two to agreement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Literal, get_args

import holidays
import polars as pl

from centredesk.dates import UK_DATE

INDIVIDUAL_CHARGE = Decimal("20.00")
"""Cancelling one individually chosen registration."""
BATCH_CHARGE = Decimal("25.00")
"""Cancelling a whole batch, once for the batch."""
CREDIT_WINDOW = 5
"""The registration fee is credited when the cancellation falls within this many working
days after the registration date."""

ChargeKind = Literal["cancellation", "batch cancellation", "fee credit"]
CHARGE_KINDS: tuple[ChargeKind, ...] = get_args(ChargeKind)
MONEY = pl.Decimal(8, 2)
"""How amounts are held in frames (and in the store)."""
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Written out here rather than by ``strftime("%a")``, which follows the process's locale."""


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    # England's bank holidays are also Wales's; the package lists them under England.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holidays(years: Iterable[int]) -> frozenset[date]:
    """The England and Wales bank holidays of ``years``."""
    found: frozenset[date] = frozenset()
    for year in years:
        found |= _bank_holidays(year)
    return found


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_after(start: date, end: date) -> int:
    """How many working days fall after ``start`` up to and including ``end`` (0 when
    ``end`` is not after ``start``): registered on a Friday and cancelled the next
    Wednesday is 3."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def fee_credited(registered: date, cancelled: date) -> bool:
    """Whether a cancellation on ``cancelled`` earns back the registration fee."""
    return working_days_after(registered, cancelled) <= CREDIT_WINDOW


def reason(registered: date, cancelled: date, fee: Decimal | None) -> str:
    """Why one registration is or is not credited, in the words the user is shown."""
    days = working_days_after(registered, cancelled)
    return _reason_text(registered, days, fee is not None)


def _reason_text(registered: date, days: int, has_fee: bool) -> str:
    when = f"registered {_DAY_NAMES[registered.weekday()]} {registered:{UK_DATE}}"
    ago = "today" if days == 0 else f"{days} working day{'s' * (days != 1)} ago"
    if days > CREDIT_WINDOW:
        verdict = f"more than {CREDIT_WINDOW} working days, no credit"
    elif has_fee:
        verdict = "fee credited"
    else:
        verdict = "no registration fee recorded for the product, nothing to credit"
    return f"{when}, {ago}: {verdict}"


@dataclass(frozen=True)
class CancellationPlan:
    """What cancelling a selection will cost, registration by registration, and in all.

    ``registrations`` has one line per registration: ``registration_id``,
    ``working_days``, ``credited`` (bool), ``charge`` and ``credit`` (Decimal; for a whole
    batch the charge is on the batch, not on its registrations) and ``reason``.
    ``charges`` holds the lines recorded with the change: ``kind`` (one of
    :data:`CHARGE_KINDS`), ``amount`` (positive: the centre pays; negative: credited),
    ``centre_number``, ``registration_id`` (null for a batch charge), ``batch_number`` and
    ``reason``.
    """

    registrations: pl.DataFrame
    charges: pl.DataFrame
    whole_batch: bool
    on: date

    @property
    def charged(self) -> Decimal:
        """What the centre pays for the cancellation itself."""
        return _total(self.charges.filter(pl.col("amount") > 0))

    @property
    def credited(self) -> Decimal:
        """Registration fees credited back (a positive amount)."""
        return -_total(self.charges.filter(pl.col("amount") < 0))

    @property
    def credited_count(self) -> int:
        return int(self.registrations.get_column("credited").sum())


def _total(lines: pl.DataFrame) -> Decimal:
    if lines.height == 0:
        return Decimal("0.00")
    total = lines.get_column("amount").sum()
    return Decimal(total).quantize(Decimal("0.01"))


def working_days_column(start: pl.Expr, end: pl.Expr, years: Iterable[int]) -> pl.Expr:
    """:func:`working_days_after` for whole columns of dates."""
    one_day = pl.duration(days=1)
    days = pl.business_day_count(
        start + one_day, end + one_day, holidays=sorted(bank_holidays(years))
    )
    return pl.max_horizontal(days, pl.lit(0)).cast(pl.Int64)


def plan_cancellation(
    registrations: pl.DataFrame, *, on: date, whole_batch: bool
) -> CancellationPlan:
    """The charges of cancelling ``registrations`` on ``on``.

    ``registrations`` holds ``registration_id``, ``centre_number``, ``batch_number``,
    ``registration_date`` and ``registration_fee`` (Decimal, null when the catalogue gives
    none). ``whole_batch`` charges once per batch (centre and batch) instead of once per
    registration.
    """
    dates = registrations.get_column("registration_date")
    first = dates.min() if registrations.height else on
    assert isinstance(first, date)
    years = range(min(first, on).year, max(first, on).year + 1)
    fee = pl.col("registration_fee").cast(MONEY)
    lines = registrations.with_columns(
        working_days_column(pl.col("registration_date"), pl.lit(on), years).alias("working_days")
    ).with_columns(
        (pl.col("working_days") <= CREDIT_WINDOW).alias("within"),
    )
    lines = lines.with_columns(
        (pl.col("within") & fee.is_not_null()).alias("credited"),
        pl.lit(None if whole_batch else INDIVIDUAL_CHARGE, MONEY).alias("charge"),
        pl.when(pl.col("within")).then(fee).otherwise(None).alias("credit"),
        _reasons(),
    )
    fee_credits = lines.filter("credited").select(
        pl.lit("fee credit").alias("kind"),
        (-fee).alias("amount"),
        "centre_number",
        pl.col("registration_id").cast(pl.Int64),
        pl.col("batch_number").cast(pl.String),
        "reason",
    )
    if whole_batch:
        charges = (
            registrations.select("centre_number", pl.col("batch_number").cast(pl.String))
            .unique(maintain_order=True)
            .select(
                pl.lit("batch cancellation").alias("kind"),
                pl.lit(BATCH_CHARGE, MONEY).alias("amount"),
                "centre_number",
                pl.lit(None, pl.Int64).alias("registration_id"),
                "batch_number",
                pl.format("whole batch {} cancelled", "batch_number").alias("reason"),
            )
        )
    else:
        charges = lines.select(
            pl.lit("cancellation").alias("kind"),
            pl.lit(INDIVIDUAL_CHARGE, MONEY).alias("amount"),
            "centre_number",
            pl.col("registration_id").cast(pl.Int64),
            pl.col("batch_number").cast(pl.String),
            pl.lit("registration cancelled").alias("reason"),
        )
    return CancellationPlan(
        registrations=lines.select(
            "registration_id", "working_days", "credited", "charge", "credit", "reason"
        ),
        charges=pl.concat([charges, fee_credits], how="vertical"),
        whole_batch=whole_batch,
        on=on,
    )


def _reasons() -> pl.Expr:
    """:func:`reason` for a whole column: the same words, built by polars."""
    days = pl.col("working_days")
    registered = pl.col("registration_date")
    ago = (
        pl.when(days == 0)
        .then(pl.lit("today"))
        .when(days == 1)
        .then(pl.lit("1 working day ago"))
        .otherwise(pl.format("{} working days ago", days))
    )
    verdict = (
        pl.when(days > CREDIT_WINDOW)
        .then(pl.lit(f"more than {CREDIT_WINDOW} working days, no credit"))
        .when(pl.col("registration_fee").is_not_null())
        .then(pl.lit("fee credited"))
        .otherwise(pl.lit("no registration fee recorded for the product, nothing to credit"))
    )
    return pl.format(
        "registered {} {}, {}: {}",
        registered.dt.strftime("%a"),
        registered.dt.strftime(UK_DATE),
        ago,
        verdict,
    ).alias("reason")
