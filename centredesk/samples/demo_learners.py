"""The demo's learner registration upload: about 200 rows with a handful of planted faults.

Most rows are clean. A few are changed on purpose, each the way real sheets go wrong (a
mistyped ULN, a surname in capitals, a date of birth with two digits swapped), and every
change is recorded as a :class:`PlantedFault` so the README can say which row should raise
which rule, and the tests can check it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from centredesk.samples.catalogue import (
    ADJUSTMENTS,
    CENTRES,
    FORENAMES,
    SURNAMES,
    Centre,
    Product,
    academic_year,
    product_by_assessment,
    random_uln,
)
from centredesk.samples.workbook import Cell

# Header on row 3 under a title and a blank row: the first data row is row 4.
FIRST_DATA_ROW = 4

# The upload's headers: a mix of our own headers and the synonyms MIS exports use.
LEARNER_HEADERS: dict[str, str] = {
    "centre_number": "Centre No",
    "product_code": "Qualification Number",
    "forename": "First Name",
    "surname": "Surname",
    "date_of_birth": "DOB",
    "uln": "Unique Learner Number",
    "learner_reference": "Student ID",
    "batch_number": "Batch Number",
    "registration_date": "Registration Date",
    "reasonable_adjustments": "Access Arrangements",
}

_ULN = LEARNER_HEADERS["uln"]

# Names that must be accepted as written: apostrophes, accents, hyphens, full stops.
_SPECIAL_NAMES = (
    ("Siobhán", "O'Brien"),
    ("Zoë", "Clarke"),
    ("Aoife", "Ní Bhriain"),
    ("Łukasz", "Nowak"),
    ("Harriet", "Smith-Jones"),
    ("Daniel", "St. John"),
    ("Ciarán", "O’Connor"),
)


@dataclass(frozen=True)
class PlantedFault:
    """A fault put into a sample file on purpose, and the rule that should report it."""

    file: str
    row: int
    column: str | None
    code: str
    """The expected rule code; ``-`` when the row must be accepted without any issue."""
    note: str


@dataclass(frozen=True)
class Person:
    forename: str
    surname: str
    date_of_birth: date
    uln: str
    reference: str
    adjustments: str | None


@dataclass
class Registration:
    """One row of the upload, and how its cells are to be written."""

    centre: Centre
    person: Person
    product: Product
    registration_date: date
    batch_number: int | None
    # What the sheet shows, when it differs from the person's own details.
    forename: str = ""
    surname: str = ""
    date_of_birth: date | str | None = None
    uln: str | int | None = ""
    product_text: str = ""
    registration_text: str | None = None
    faults: list[tuple[str | None, str, str]] = field(default_factory=list)
    """(header, rule code, note) of each planted fault on this row."""

    def cells(self) -> list[Cell]:
        return [
            self.centre.number,
            self.product_text or self.product.code,
            self.forename or self.person.forename,
            self.surname or self.person.surname,
            self.date_of_birth or self.person.date_of_birth,
            self.person.uln if self.uln == "" else self.uln,
            self.person.reference,
            self.batch_number,
            self.registration_text or self.registration_date,
            self.person.adjustments,
        ]

    @property
    def clean(self) -> bool:
        return not self.faults


def _birth_date(rng: random.Random, oldest: int, youngest: int, today: date) -> date:
    """A date of birth making the learner between ``youngest`` and ``oldest`` on 31 August."""
    end = date(academic_year(today) - youngest, 8, 31)
    start = date(academic_year(today) - oldest - 1, 9, 1)
    return start + timedelta(days=rng.randrange((end - start).days))


def _people(rng: random.Random, centre: Centre, count: int, today: date) -> list[Person]:
    ages = {"104729": (15, 14), "231865": (18, 16), "318402": (58, 19)}[centre.number]
    seen: set[tuple[str, str]] = set()
    people: list[Person] = []
    while len(people) < count:
        forename, surname = rng.choice(FORENAMES), rng.choice(SURNAMES)
        if (forename, surname) in seen:
            continue  # two learners with one name would be a suspected duplicate
        seen.add((forename, surname))
        prefix = {"104729": "", "231865": "NG", "318402": "ASH "}[centre.number]
        people.append(
            Person(
                forename=forename,
                surname=surname,
                date_of_birth=_birth_date(rng, *ages, today),
                uln=random_uln(rng),
                reference=f"{prefix}{rng.randint(10000, 99999)}",
                adjustments=rng.choice(ADJUSTMENTS) if rng.random() < 0.08 else None,
            )
        )
    return people


def _registrations(rng: random.Random, catalogue: list[Product], today: date) -> list[Registration]:
    """Clean registrations: each learner on one product, some school learners on two."""
    year = academic_year(today)
    registrations: list[Registration] = []
    special = iter(_SPECIAL_NAMES)
    for centre, count, second_share in zip(CENTRES, (95, 50, 25), (0.3, 0.0, 0.0), strict=True):
        offered = [
            product
            for product in (product_by_assessment(catalogue, code) for code in centre.approved)
            if product.operational_end_date >= today
        ]
        batch_date = date(year, 9, 25) + timedelta(days=7 * CENTRES.index(centre))
        for index, person in enumerate(_people(rng, centre, count, today)):
            if index % 12 == 5:
                forename, surname = next(special, (person.forename, person.surname))
                person = replace(person, forename=forename, surname=surname)
            chosen = rng.sample(offered, 2)
            if chosen[0].discount_code == chosen[1].discount_code:
                chosen.pop()  # the one clash in the file is planted on purpose below
            taken = chosen[:2] if rng.random() < second_share else chosen[:1]
            for product in taken:
                if centre.number == "318402":  # the provider registers people as they enrol
                    when, batch = date(year, 9, 8) + timedelta(days=rng.randrange(40)), None
                else:
                    when, batch = batch_date, 5101 + CENTRES.index(centre)
                registrations.append(Registration(centre, person, product, when, batch))
    return registrations


def _single(registrations: list[Registration], centre: str) -> list[int]:
    """Positions of clean rows of ``centre`` whose learner has no other row."""
    counts: dict[str, int] = {}
    for registration in registrations:
        counts[registration.person.uln] = counts.get(registration.person.uln, 0) + 1
    return [
        index
        for index, registration in enumerate(registrations)
        if registration.centre.number == centre
        and counts[registration.person.uln] == 1
        and registration.clean
        # special names stay as they are, so the README can list them as accepted
        and (registration.person.forename, registration.person.surname) not in _SPECIAL_NAMES
    ]


def _plant(rng: random.Random, registrations: list[Registration], catalogue: list[Product]) -> None:
    """Plant the documented faults in place, and insert the duplicate and clash rows."""
    school = rng.sample(_single(registrations, "104729"), 8)
    college = rng.sample(_single(registrations, "231865"), 1)
    provider = rng.sample(_single(registrations, "318402"), 2)

    row = registrations[school[0]]
    good = row.person.uln
    row.uln = good[:9] + str((int(good[9]) + 1) % 10)
    row.faults.append((_ULN, "ULN_CHECKSUM", "last digit mistyped"))

    row = registrations[school[1]]
    row.uln = int(row.person.uln)
    row.faults.append((_ULN, "-", "a valid ULN stored as a number: must be read as text"))

    row = registrations[college[0]]
    row.uln = "9999999999"
    row.faults.append((_ULN, "ULN_TEMPORARY", "the national placeholder (warning)"))

    row = registrations[provider[0]]
    row.uln = None
    row.faults.append((_ULN, "-", "no ULN yet: allowed; the learner is known by name and DOB"))

    row = registrations[school[2]]
    row.surname = row.person.surname.upper()
    row.faults.append(("Surname", "NAME_CASE", "surname in capitals (warning)"))

    row = registrations[school[3]]
    row.forename = row.person.forename + "2"
    row.faults.append(("First Name", "NAME_CHARACTERS", "a digit in the name"))

    # A school learner born 2010-2012: swapping the second and third digits of the year
    # (2011 -> 2101) puts the birth decades ahead, so the row stays wrong for years to come.
    row = registrations[school[7]]
    born = row.person.date_of_birth
    year = str(born.year)
    typed = int(year[0] + year[2] + year[1] + year[3])
    row.date_of_birth = date(typed, born.month, min(born.day, 28 if born.month == 2 else 31))
    row.faults.append(("DOB", "DOB_FUTURE", f"year typed as {row.date_of_birth.year}"))

    row = registrations[provider[1]]
    row.product = product_by_assessment(catalogue, "HC1")
    row.faults.append(
        ("Qualification Number", "PRODUCT_NOT_APPROVED", "the provider is not approved for it")
    )

    row = registrations[school[4]]
    row.product = product_by_assessment(catalogue, "EMP1")
    row.faults.append(("Qualification Number", "PRODUCT_CLOSED", "operational end date has passed"))

    # The clash: a learner on Health and Fitness is also put on Sport Science.
    row = registrations[school[5]]
    row.product = product_by_assessment(catalogue, "HF1")
    clash = replace(row, product=product_by_assessment(catalogue, "SS1"), faults=[])
    note = "Health and Fitness and Sport Science share a discount code (warning)"
    row.faults.append(("Qualification Number", "DISCOUNT_CLASH", note))
    clash.faults.append(("Qualification Number", "DISCOUNT_CLASH", note))
    registrations.insert(school[5] + 1, clash)

    # The same learner twice on one product, a few rows apart (pasted in twice).
    original = registrations[school[6]]
    repeat = replace(original, faults=[(None, "DUP_IN_FILE", "")])
    registrations.insert(school[6] + 6, repeat)


def _variants(rng: random.Random, registrations: list[Registration]) -> None:
    """Clean rows written the way people type them: text dates, codes without slashes."""
    clean = [index for index, registration in enumerate(registrations) if registration.clean]
    chosen = rng.sample(clean, 14)
    for index in chosen[:6]:
        row = registrations[index]
        row.date_of_birth = row.person.date_of_birth.strftime("%d/%m/%Y")
    for index in chosen[6:8]:
        row = registrations[index]
        row.registration_text = row.registration_date.strftime("%d/%m/%Y")
    for index in chosen[8:]:
        row = registrations[index]
        row.product_text = row.product.code.replace("/", "")


def demo_registrations(
    rng: random.Random, catalogue: list[Product], today: date
) -> list[Registration]:
    """The upload's rows in sheet order, faults planted."""
    registrations = _registrations(rng, catalogue, today)
    _plant(rng, registrations, catalogue)
    _variants(rng, registrations)
    return registrations


def learner_faults(registrations: list[Registration], file: str) -> list[PlantedFault]:
    """Every planted fault of the upload, with its row as Excel shows it."""
    faults = []
    rows = {id(registration): index for index, registration in enumerate(registrations)}
    for index, registration in enumerate(registrations):
        for column, code, note in registration.faults:
            text = note
            if code == "DUP_IN_FILE":
                twin = next(
                    other
                    for other in registrations
                    if other is not registration
                    and other.person == registration.person
                    and other.product == registration.product
                )
                text = f"same learner and product as row {FIRST_DATA_ROW + rows[id(twin)]}"
            faults.append(PlantedFault(file, FIRST_DATA_ROW + index, column, code, text))
    return faults


def accepted_variants(registrations: list[Registration]) -> list[tuple[int, str]]:
    """Rows that look unusual but must be accepted: special names, text dates, bare codes."""
    variants = []
    for index, registration in enumerate(registrations):
        row = FIRST_DATA_ROW + index
        if (registration.person.forename, registration.person.surname) in _SPECIAL_NAMES:
            variants.append(
                (row, f"name {registration.person.forename} {registration.person.surname}")
            )
        if isinstance(registration.date_of_birth, str):
            variants.append((row, f"DOB as UK text {registration.date_of_birth}"))
        if registration.registration_text:
            variants.append((row, f"registration date as UK text {registration.registration_text}"))
        if registration.product_text:
            variants.append(
                (row, f"qualification number without slashes {registration.product_text}")
            )
    return variants
