"""The fixed world the sample data lives in: products, centres, approvals, people's names.

Products and centres are written out by hand so the demo reads like a real awarding
organisation's catalogue; everything that depends on "today" (operational end dates,
approval dates) is computed from the academic year, so the same catalogue makes sense
whichever date the generator is given.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

# Weights of the product-code check character (the seven digits of NNN/NNNN).
_PRODUCT_WEIGHTS = (8, 7, 6, 5, 4, 3, 2)


def product_check_character(stem: str) -> str:
    """The check character of a seven-digit qualification-number stem (``6030862`` -> X)."""
    total = sum(int(digit) * weight for digit, weight in zip(stem, _PRODUCT_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def product_code(stem: str) -> str:
    """A qualification number with slashes and its check character: ``603/0862/X``."""
    return f"{stem[:3]}/{stem[3:]}/{product_check_character(stem)}"


def uln_check_digit(stem: str) -> int | None:
    """The tenth digit of a ULN whose first nine digits are ``stem``; None if none is valid."""
    total = sum(int(digit) * weight for digit, weight in zip(stem, range(10, 1, -1), strict=True))
    remainder = total % 11
    if remainder == 0:
        return None
    return 0 if remainder == 10 else 10 - remainder


def random_uln(rng: random.Random) -> str:
    """A ULN that passes the check digit, drawn from ``rng``."""
    while True:
        stem = str(rng.randint(100_000_000, 999_999_999))
        check = uln_check_digit(stem)
        if check is not None:
            return f"{stem}{check}"


def academic_year(today: date) -> int:
    """The calendar year the current academic year started in (September to August)."""
    return today.year if today.month >= 9 else today.year - 1


@dataclass(frozen=True)
class Product:
    """One catalogue entry, with the assessment code the bookings and results use."""

    code: str
    title: str
    level: str
    sector: str
    discount_code: str
    external_assessment: bool
    assessment_mode: str | None
    operational_end_date: date
    grading_scheme: str
    registration_fee: float
    assessment: str
    """The external assessment's code, or the first internally assessed unit's."""


# stem, title, level, sector, discount code, external?, mode, years open after this
# academic year (0 = closed at the end of last year), grading scheme, fee, assessment code
_PRODUCTS: tuple[tuple[str, str, str, str, str, bool, str | None, int, str, float, str], ...] = (
    ("6030862", "Level 1/2 Technical Award in Health and Fitness", "1/2",
     "Health, Public Services and Care", "FK2B", True, "on-screen", 3, "graded", 41.00, "HF1"),
    ("6033472", "Level 1/2 Technical Award in Sport Science", "1/2",
     "Leisure, Travel and Tourism", "FK2B", True, "paper-based", 3, "graded", 41.00, "SS1"),
    ("6037011", "Level 1/2 Technical Award in Child Development", "1/2",
     "Health, Public Services and Care", "PC1D", True, "paper-based", 4, "graded", 41.00, "CD1"),
    ("6032920", "Level 1/2 Technical Award in Digital Media", "1/2",
     "Arts, Media and Publishing", "LP2M", True, "on-screen", 3, "graded", 41.00, "DM1"),
    ("6037118", "Level 1/2 Technical Award in Enterprise and Marketing", "1/2",
     "Business, Administration and Law", "NB3E", True, "paper-based", 2, "graded", 41.00, "EM1"),
    ("6037045", "Level 1/2 Technical Award in Engineering Design", "1/2",
     "Engineering and Manufacturing Technologies", "XA2D", True, "paper-based", 4, "graded",
     41.00, "ED1"),
    ("6035417", "Level 1/2 Technical Award in Hospitality and Catering", "1/2",
     "Retail and Commercial Enterprise", "NK7H", True, "on-screen", 3, "graded", 41.00, "HC1"),
    ("6014683", "Level 1 Award in Personal Finance", "1",
     "Preparation for Life and Work", "CN1F", True, "on-screen", 2, "pass-fail", 24.50, "PF1"),
    ("6017435", "Level 2 Certificate in Customer Service", "2",
     "Retail and Commercial Enterprise", "ZC2S", False, None, 3, "unclassified", 58.00, "CS01"),
    ("6031956", "Level 3 Extended Certificate in Applied Science", "3",
     "Science and Mathematics", "RA3S", True, "paper-based", 4, "graded", 96.00, "AS1"),
    ("6036904", "Level 3 Diploma in Sport and Exercise Science", "3",
     "Leisure, Travel and Tourism", "RB5X", True, "on-screen", 4, "graded", 132.00, "SE1"),
    ("6001748", "Level 2 Award in Food Safety in Catering", "2",
     "Retail and Commercial Enterprise", "NK9F", True, "on-screen", 2, "pass-fail", 19.00,
     "FS1"),
    ("6033189", "Entry Level Certificate in Life Skills", "Entry",
     "Preparation for Life and Work", "CE0L", False, None, 3, "unclassified", 22.00, "LS01"),
    ("5005959", "Level 2 Award in Employability Skills", "2",
     "Preparation for Life and Work", "CE2E", False, None, 0, "pass-fail", 27.00, "EMP1"),
)  # fmt: skip


def products(today: date) -> list[Product]:
    """The catalogue, with operational end dates counted from ``today``'s academic year.

    Exactly one pair shares a discount code (Health and Fitness, Sport Science) and exactly
    one product (Employability Skills) closed at the end of the last academic year.
    """
    year = academic_year(today)
    return [
        Product(
            code=product_code(stem),
            title=title,
            level=level,
            sector=sector,
            discount_code=discount,
            external_assessment=external,
            assessment_mode=mode,
            operational_end_date=date(year + years_open, 8, 31),
            grading_scheme=scheme,
            registration_fee=fee,
            assessment=assessment,
        )
        for (stem, title, level, sector, discount, external, mode, years_open, scheme, fee,
             assessment) in _PRODUCTS
    ]  # fmt: skip


def product_by_assessment(catalogue: list[Product], assessment: str) -> Product:
    """The product whose assessment code is ``assessment``."""
    return next(product for product in catalogue if product.assessment == assessment)


@dataclass(frozen=True)
class Centre:
    """A centre of the demo, the product assessments it is approved for and when."""

    number: str
    name: str
    approved: tuple[str, ...]
    """Assessment codes of the products the centre may register learners on."""
    approved_years_ago: int


CENTRES: tuple[Centre, ...] = (
    # A secondary school: Key Stage 4 technical awards, and the old employability award.
    Centre("104729", "Riverside Academy",
           ("HF1", "SS1", "CD1", "DM1", "EM1", "ED1", "HC1", "PF1", "EMP1"), 6),
    # A further-education college: level 2 and 3 vocational courses.
    Centre("231865", "Northgate College",
           ("CS01", "AS1", "SE1", "FS1", "HC1", "DM1", "LS01"), 9),
    # A small training provider for adults.
    Centre("318402", "Ashdown Training Ltd", ("CS01", "FS1", "PF1", "LS01"), 3),
)  # fmt: skip


def approval_date(centre: Centre, index: int, today: date) -> date:
    """When ``centre`` was approved for its ``index``-th product: spread over the years."""
    year = academic_year(today) - centre.approved_years_ago + index % 3
    return date(year, 6 + index % 4, 1 + (7 * index) % 27)


FORENAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Grace", "Sophia",
    "Evie", "Poppy", "Ella", "Aisha", "Maryam", "Priya", "Chloe", "Ruby", "Hannah", "Niamh",
    "Oliver", "Noah", "George", "Leo", "Arthur", "Harry", "Oscar", "Jack", "Charlie",
    "Muhammad", "Theo", "Freddie", "Alfie", "Jacob", "Ethan", "Reuben", "Kacper", "Dylan",
    "Rhys", "Callum", "Ibrahim", "Joshua", "Samuel", "Daniel", "Kai", "Tomasz", "Owen",
)  # fmt: skip

SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Khan", "Hughes", "Edwards", "Ahmed", "Lewis", "Harris",
    "Martin", "Cooper", "Hill", "Ward", "Morris", "Begum", "Kowalski", "Murphy", "Kelly",
    "Okafor", "Singh", "Campbell", "Stewart", "Bennett", "Shaw", "Price", "Lloyd", "Fox",
)  # fmt: skip

ADJUSTMENTS = ("25% extra time", "Reader", "Scribe", "Separate room", "Rest breaks")
