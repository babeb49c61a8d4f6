"""The demo's bookings and results, for learners of the upload whose rows have no fault.

Both name the learner by ULN, centre number and product code, as centres' own sheets do
(the learner number only exists once the store has assigned it). A quarter of the booked
learners sat their assessment a few weeks before "today": on-screen results are out (two
learners failed and are booked for their one resit), paper-based results are held until
the summer results day. Everyone else is booked for the January or May sessions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from centredesk.samples.catalogue import Product, academic_year, product_by_assessment
from centredesk.samples.demo_learners import PlantedFault, Registration
from centredesk.samples.workbook import Cell
from centredesk.validation.fields import GRADING_SCHEMES, UNGRADED

BOOKING_FIELDS = (
    "centre_number", "uln", "product_code", "assessment", "session_date", "assessment_mode",
    "booking_status",
)  # fmt: skip
RESULT_FIELDS = (
    "centre_number", "uln", "product_code", "component", "grade", "result_date", "release_date",
)  # fmt: skip


@dataclass
class Line:
    """One row of the bookings or results sheet and the fault planted on it, if any."""

    cells: list[Cell]
    fault: tuple[str | None, str, str] | None = None
    """(header, rule code, note)."""


def _weekday_on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def results_day(today: date) -> date:
    """The summer results day of ``today``'s academic year: the third Thursday of August."""
    return _nth_weekday(academic_year(today) + 1, 8, 3, 3)


def _on_screen_day(rng: random.Random, today: date) -> date:
    """An on-demand on-screen sitting between January and June of the academic year."""
    start = date(academic_year(today) + 1, 1, 11)
    day = start + timedelta(days=rng.randrange(165))
    return day - timedelta(days=max(0, day.weekday() - 4))  # weekends move to Friday


def _grade(rng: random.Random, product: Product) -> str:
    return rng.choice(GRADING_SCHEMES[product.grading_scheme])


def assessments(
    rng: random.Random, registrations: list[Registration], catalogue: list[Product], today: date
) -> tuple[list[Line], list[Line]]:
    """The bookings and results sheets' lines, faults planted."""
    year = academic_year(today)
    january = _nth_weekday(year + 1, 1, 2, 2)  # paper-based windows: second Wednesday
    may = _nth_weekday(year + 1, 5, 2, 3)
    autumn_paper = _weekday_on_or_before(today - timedelta(days=16), 2)
    released_by = results_day(today)
    bookings: list[Line] = []
    results: list[Line] = []
    resits: list[tuple[Registration, date]] = []
    clean = [r for r in registrations if r.clean]
    for registration in clean:
        product, centre = registration.product, registration.centre.number
        uln = registration.person.uln
        if not product.external_assessment:
            continue
        chance = rng.random()
        if chance >= 0.8:
            continue  # not booked yet
        mode = product.assessment_mode
        shown_mode = mode if rng.random() < 0.7 else None  # empty: the product's own mode
        head: list[Cell] = [centre, uln, product.code, product.assessment]
        if chance < 0.25:
            if mode == "on-screen":
                sat = _weekday_on_or_before(today - timedelta(days=rng.randrange(12, 30)), 4)
                grade = _grade(rng, product)
                if len(resits) < 2:
                    grade = "Fail" if product.grading_scheme == "pass-fail" else UNGRADED
                    resits.append((registration, sat))
                awarded = min(sat + timedelta(days=7), today - timedelta(days=1))
                bookings.append(Line([*head, sat, shown_mode, "Result Issued"]))
                results.append(Line([*head, grade, awarded, awarded]))
            else:
                bookings.append(Line([*head, autumn_paper, shown_mode, "Pending Result"]))
                awarded = today - timedelta(days=3)
                grade = _grade(rng, product)
                results.append(Line([*head, grade, awarded, released_by]))
            continue
        session = _on_screen_day(rng, today) if mode == "on-screen" else rng.choice((january, may))
        bookings.append(Line([*head, session, shown_mode, "Active"]))
    for registration, _sat in resits:
        product = registration.product
        head = [registration.centre.number, registration.person.uln, product.code]
        bookings.append(
            Line([*head, product.assessment, _on_screen_day(rng, today), None, "Active"])
        )
    _plant_booking_faults(rng, bookings, clean, resits, today)
    _add_unit_results(rng, results, clean, today)
    _plant_result_faults(rng, results, registrations, catalogue, today)
    return bookings, results


def _plant_booking_faults(
    rng: random.Random,
    bookings: list[Line],
    clean: list[Registration],
    resits: list[tuple[Registration, date]],
    today: date,
) -> None:
    internal = next(r for r in clean if not r.product.external_assessment)
    line = Line(
        [internal.centre.number, internal.person.uln, internal.product.code,
         internal.product.assessment, date(academic_year(today) + 1, 3, 10), None, "Active"],
        ("Product Code", "BOOKING_NO_EXTERNAL", "the product is internally assessed"),
    )  # fmt: skip
    bookings.insert(rng.randrange(len(bookings)), line)
    again, _sat = resits[0]
    product = again.product
    third = Line(
        [again.centre.number, again.person.uln, product.code, product.assessment,
         date(academic_year(today) + 1, 6, 29), None, "Active"],
        ("Assessment", "BOOKING_ATTEMPTS", "a third attempt: one resit is allowed"),
    )  # fmt: skip
    bookings.append(third)


def _add_unit_results(
    rng: random.Random, results: list[Line], clean: list[Registration], today: date
) -> None:
    """Internally assessed units, marked at the centre: released as soon as awarded."""
    internal = [r for r in clean if not r.product.external_assessment]
    for registration in internal[: len(internal) // 2]:
        product = registration.product
        awarded = today - timedelta(days=rng.randrange(2, 20))
        grade = "Achieved" if rng.random() < 0.85 else "Not Achieved"
        if product.grading_scheme != "unclassified":
            grade = _grade(rng, product)
        results.append(
            Line(
                [registration.centre.number, registration.person.uln, product.code,
                 product.assessment, grade, awarded, awarded]
            )
        )  # fmt: skip


def _plant_result_faults(
    rng: random.Random,
    results: list[Line],
    registrations: list[Registration],
    catalogue: list[Product],
    today: date,
) -> None:
    clean = [r for r in registrations if r.clean]
    awarded = today - timedelta(days=5)
    pass_fail = next(r for r in clean if r.product.grading_scheme == "pass-fail")
    product = pass_fail.product
    results.insert(
        rng.randrange(len(results)),
        Line(
            [pass_fail.centre.number, pass_fail.person.uln, product.code, product.assessment,
             "Merit", awarded, awarded],
            ("Grade", "RESULT_GRADE", f"{product.title} is graded pass/fail"),
        ),
    )  # fmt: skip
    media = product_by_assessment(catalogue, "DM1")
    on_media = {r.person for r in registrations if r.product == media}
    stranger = next(r for r in clean if r.centre.number == "104729" and r.person not in on_media)
    results.append(
        Line(
            [stranger.centre.number, stranger.person.uln, media.code, media.assessment,
             "Merit", awarded, awarded],
            ("Product Code", "RESULT_REGISTRATION_MISSING", "the learner is not registered on it"),
        )
    )  # fmt: skip


def line_faults(lines: list[Line], file: str) -> list[PlantedFault]:
    """The planted faults of a bookings or results sheet (header on row 1)."""
    return [
        PlantedFault(file, index + 2, line.fault[0], line.fault[1], line.fault[2])
        for index, line in enumerate(lines)
        if line.fault is not None
    ]
