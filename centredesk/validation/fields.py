"""The one definition of every column centredesk reads or writes.

Each upload kind is a tuple of :class:`FieldSpec`. Header matching (``io``), the Pydantic
record models, the rules, the upload templates and the help text all read these specs, so a
field's name, header, synonyms and meaning live here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from centredesk.validation.vocabularies import (
    ASSESSMENT_MODE,
    BOOKING_STATUS,
    GRADE,
    GRADING_SCHEME,
    YES_NO,
    Vocabulary,
)
from centredesk.validation.vocabularies import ASSESSMENT_MODES as ASSESSMENT_MODES
from centredesk.validation.vocabularies import BOOKING_STATUSES as BOOKING_STATUSES
from centredesk.validation.vocabularies import GRADING_SCHEMES as GRADING_SCHEMES
from centredesk.validation.vocabularies import UNGRADED as UNGRADED

Kind = Literal["learners", "bookings", "results", "products", "approvals"]
KINDS: tuple[Kind, ...] = get_args(Kind)

FieldType = Literal[
    "text",  # free text, trimmed
    "name",  # a person's name: Latin letters, spaces, apostrophes, hyphens, full stops
    "uln",  # Unique Learner Number, 10 digits with a check digit
    "product_code",  # qualification number NNN/NNNN/C
    "centre_number",  # an approved centre's number
    "learner_number",  # the AO learner number we assign
    "learner_reference",  # the centre's own learner id
    "batch_number",  # groups what was submitted together
    "date",  # UK day-first text, ISO text, or an Excel date (a date or number cell)
    "yes_no",  # Y/N, Yes/No, True/False
    "assessment_mode",  # on-screen or paper-based
    "grading_scheme",  # see GRADING_SCHEMES
    "grade",  # a grade within the product's grading scheme
    "booking_status",  # see BOOKING_STATUSES
    "code",  # an opaque code, trimmed and upper-cased
    "money",  # pounds and pence
]

REGISTRATION_STATUSES = ("active", "withdrawn", "cancelled", "completed")
ULN_PLACEHOLDER = "9999999999"
"""The national placeholder for a ULN not known yet: accepted with a warning, and shared by
many learners, so it never identifies one."""

_VOCABULARIES: dict[FieldType, Vocabulary] = {
    "yes_no": YES_NO,
    "assessment_mode": ASSESSMENT_MODE,
    "grading_scheme": GRADING_SCHEME,
    "booking_status": BOOKING_STATUS,
    "grade": GRADE,
}
# The longest text each type of field takes; a longer cell is an issue (TEXT_TOO_LONG), never
# cut. Types whose values have a fixed form get a generous bound, so that a huge cell is
# refused before any rule quotes it.
_MAX_LENGTHS: dict[FieldType, int] = {
    "text": 250,
    "name": 100,
    "uln": 40,
    "product_code": 40,
    "centre_number": 20,
    "learner_number": 30,
    "learner_reference": 100,
    "batch_number": 30,
    "date": 40,
    "yes_no": 100,
    "assessment_mode": 100,
    "grading_scheme": 100,
    "grade": 100,
    "booking_status": 100,
    "code": 30,
    "money": 30,
}


@dataclass(frozen=True)
class FieldSpec:
    """One column of an upload: how it is named, recognised, checked and explained."""

    name: str
    """Canonical field name, as used in frames, the store and JSON issue records."""
    header: str
    """The header text our templates and exports use."""
    type: FieldType
    description: str
    """One or two sentences for the help screen and the template's instructions."""
    required: bool = False
    synonyms: tuple[str, ...] = ()
    """Other headers people write for this column; matched ignoring case, punctuation and
    hints in brackets (see :func:`header_key`)."""
    example: str = ""
    max_length: int = 0
    """The most characters a cell may hold (trimmed); 0 takes the type's own limit."""
    vocabulary: Vocabulary | None = None
    """The values a choice column allows and their spellings (set by the type)."""

    def __post_init__(self) -> None:
        if not self.max_length:
            object.__setattr__(self, "max_length", _MAX_LENGTHS[self.type])
        if self.vocabulary is None and self.type in _VOCABULARIES:
            object.__setattr__(self, "vocabulary", _VOCABULARIES[self.type])

    def header_keys(self) -> set[str]:
        """Every normalised header text that names this field."""
        return {header_key(text) for text in (self.name, self.header, *self.synonyms)}


# A hint in brackets after a header: a format (dd/mm/yyyy), "optional", "if known", a plural
# "(s)". It says how to fill the column, not what it is, so matching ignores it...
_BRACKETED = re.compile(r"\s*[(\[{]([^()\[\]{}]*)[)\]}]\s*$")
# ...unless it changes what the column is: a preferred or former name is not the legal one.
_QUALIFIER = re.compile(
    r"\b(?:prefer\w*|known\s+as|chosen|former|previous|maiden|middle|nick\w*|alias|other|parent|"
    r"guardian|carer|contact|emergency)\b",
    re.IGNORECASE,
)


def header_key(text: str) -> str:
    """Normalise a header for matching: case, spacing, punctuation, a trailing ``*`` (a
    required column) and hints in brackets (``DOB (dd/mm/yyyy)``) are ignored."""
    bare = text.strip().rstrip("*").strip()
    while (hint := _BRACKETED.search(bare)) and hint.start() > 0:
        if _QUALIFIER.search(hint.group(1)):
            break
        bare = bare[: hint.start()].rstrip("*").strip()
    return re.sub(r"[^0-9a-z]+", "", bare.casefold())


_CENTRE = FieldSpec(
    "centre_number",
    "Centre Number",
    "centre_number",
    "The centre's number as issued on approval.",
    required=True,
    synonyms=(
        "Centre No",
        "Centre",
        "Centre ID",
        "Centre Code",
        "Centre Ref",
        "Center Number",
        "AO Centre Number",
        "Exam Centre Number",
        "Centre Num",
    ),
    example="123456",
)
_PRODUCT = FieldSpec(
    "product_code",
    "Product Code",
    "product_code",
    "The qualification number, with or without slashes (603/0862/X or 6030862X).",
    required=True,
    # Learning aim references (ProSolution, UNIT-e, Ebs) are qualification numbers written
    # without slashes.
    synonyms=(
        "Qualification Number",
        "Qualification Code",
        "Qualification No",
        "Qual Code",
        "Qual Number",
        "Qual No",
        "QAN",
        "QAN Code",
        "QN",
        "Product",
        "Learning Aim Reference",
        "Learning Aim Ref",
        "Aim Reference",
        "Aim Ref",
        "LAR",
    ),
    example="603/0862/X",
)
_ULN = FieldSpec(
    "uln",
    "ULN",
    "uln",
    "The learner's 10-digit Unique Learner Number. Leave empty if not known yet; "
    f"{ULN_PLACEHOLDER} means not known yet and is accepted with a warning.",
    synonyms=(
        "Unique Learner Number",
        "Unique Learner No",
        "ULN Number",
        "ULN No",
        "Learner ULN",
        "Student ULN",
        "Pupil ULN",
        "Candidate ULN",
    ),
    example="1000000043",
)
_LEARNER_NUMBER = FieldSpec(
    "learner_number",
    "Learner Number",
    "learner_number",
    "The learner number the awarding organisation assigned at registration. "
    "Give this or the ULN to say which learner is meant.",
    synonyms=("AO Learner Number", "Learner No", "Candidate Number", "Candidate No"),
    example="20000001",
)

LEARNERS: tuple[FieldSpec, ...] = (
    _CENTRE,
    _PRODUCT,
    FieldSpec(
        "forename",
        "Forename",
        "name",
        "The learner's first name as it should appear on the certificate.",
        required=True,
        # Legal names only: a preferred or known-as name is not what a certificate shows,
        # so "Preferred Forename" is not read as the forename.
        synonyms=(
            "First Name",
            "Firstname",
            "First Names",
            "Forenames",
            "Given Name",
            "Given Names",
            "Legal Forename",
            "Legal Forenames",
            "Legal First Name",
            "Legal Given Name",
            "Christian Name",
        ),
        example="Siobhán",
    ),
    FieldSpec(
        "surname",
        "Surname",
        "name",
        "The learner's family name as it should appear on the certificate.",
        required=True,
        synonyms=(
            "Last Name",
            "Lastname",
            "Family Name",
            "Legal Surname",
            "Legal Last Name",
            "Legal Family Name",
        ),
        example="O'Brien",
    ),
    FieldSpec(
        "date_of_birth",
        "Date of Birth",
        "date",
        "Day first (03/04/2010 is 3 April 2010), ISO (2010-04-03) or an Excel date.",
        required=True,
        synonyms=("DOB", "D.O.B.", "Birth Date", "Birthdate", "Date Born", "Birthday"),
        example="03/04/2010",
    ),
    _ULN,
    FieldSpec(
        "learner_reference",
        "Learner Reference",
        "learner_reference",
        "The centre's own reference for the learner: 1 to 12 letters, digits or spaces.",
        synonyms=(
            "Learner Ref",
            "Learner ID",
            "Candidate Ref",
            "Candidate Reference",
            "Student ID",
            "Student Ref",
            "Student Reference",
            "Student Number",
            "MIS ID",
            "Person Code",
            "Admission Number",
            "Admission No",
            "Adno",
        ),
        example="STU 0042",
    ),
    FieldSpec(
        "batch_number",
        "Batch Number",
        "batch_number",
        "Groups the registrations submitted together. Left empty, the import assigns one.",
        synonyms=(
            "Batch",
            "Batch No",
            "Batch ID",
            "Batch Ref",
            "Batch Reference",
            "Batch Label",
            "Batch Name",
        ),
        example="1001",
    ),
    FieldSpec(
        "registration_date",
        "Registration Date",
        "date",
        "The date of registration. Left empty, the import uses today.",
        synonyms=("Registered", "Registered On", "Date Registered", "Reg Date"),
        example="01/09/2026",
    ),
    FieldSpec(
        "reasonable_adjustments",
        "Reasonable Adjustments",
        "text",
        "Any reasonable adjustments or access arrangements the learner has.",
        synonyms=("Adjustments", "Access Arrangements", "Reasonable Adjustment"),
        max_length=1000,
        example="25% extra time",
    ),
)

BOOKINGS: tuple[FieldSpec, ...] = (
    _CENTRE,
    _LEARNER_NUMBER,
    _ULN,
    _PRODUCT,
    FieldSpec(
        "assessment",
        "Assessment",
        "code",
        "The external assessment (component) being booked, e.g. its unit code.",
        required=True,
        synonyms=("Assessment Code", "Component", "Component Code", "Exam", "Unit"),
        example="EA01",
    ),
    FieldSpec(
        "session_date",
        "Session Date",
        "date",
        "The date of the assessment sitting.",
        required=True,
        synonyms=("Assessment Date", "Exam Date", "Sitting", "Sitting Date", "Session"),
        example="12/05/2027",
    ),
    FieldSpec(
        "assessment_mode",
        "Assessment Mode",
        "assessment_mode",
        "on-screen or paper-based. Left empty, the product's own mode is used.",
        synonyms=("Mode", "Delivery Mode", "Paper or Onscreen"),
        example="paper-based",
    ),
    FieldSpec(
        "booking_status",
        "Booking Status",
        "booking_status",
        "Active, Cancelled, Transferred, Pending Result or Result Issued. Left empty: Active.",
        synonyms=("Status",),
        example="Active",
    ),
)

RESULTS: tuple[FieldSpec, ...] = (
    _CENTRE,
    _LEARNER_NUMBER,
    _ULN,
    _PRODUCT,
    FieldSpec(
        "component",
        "Component",
        "code",
        "The assessment or unit the grade is for.",
        required=True,
        synonyms=("Assessment", "Assessment Code", "Unit", "Unit Code", "Component Code"),
        example="EA01",
    ),
    FieldSpec(
        "grade",
        "Grade",
        "grade",
        "A grade of the product's grading scheme: Pass/Merit/Distinction/Distinction*, "
        "Pass/Fail, or Achieved/Not Achieved; U when the lowest grade was not reached.",
        required=True,
        synonyms=("Result", "Outcome"),
        example="Merit",
    ),
    FieldSpec(
        "result_date",
        "Result Date",
        "date",
        "The date the result was awarded.",
        required=True,
        synonyms=("Date Awarded", "Awarded", "Awarded On"),
        example="20/07/2027",
    ),
    FieldSpec(
        "release_date",
        "Release Date",
        "date",
        "For fixed-window assessments, the date before which the result must not be shown.",
        synonyms=("Results Release Date", "Release", "Embargo Date"),
        example="14/08/2027",
    ),
)

PRODUCTS: tuple[FieldSpec, ...] = (
    _PRODUCT,
    FieldSpec(
        "title",
        "Title",
        "text",
        "The qualification's full title.",
        required=True,
        synonyms=(
            "Product Title",
            "Qualification Title",
            "Product Name",
            "Qualification Name",
            "Qual Title",
            "Qual Name",
        ),
        example="Level 2 Technical Award in Health and Fitness",
    ),
    FieldSpec(
        "level",
        "Level",
        "text",
        "Entry, 1, 2, 3 and so on, or 1/2 for a combined level.",
        synonyms=("Qualification Level", "Qual Level"),
        max_length=20,
        example="1/2",
    ),
    FieldSpec(
        "sector",
        "Sector",
        "text",
        "The subject sector the product belongs to.",
        synonyms=("Subject Sector", "Subject Area", "Sector Subject Area", "SSA"),
        max_length=100,
        example="Health, Public Services and Care",
    ),
    FieldSpec(
        "discount_code",
        "Discount Code",
        "code",
        "The DfE discount code. Products sharing a code count once in performance tables.",
        synonyms=("DfE Discount Code", "Discount"),
        max_length=10,
        example="FK2B",
    ),
    FieldSpec(
        "external_assessment",
        "External Assessment",
        "yes_no",
        "Y when the product has an externally assessed component, otherwise N.",
        synonyms=(
            "Externally Assessed",
            "Has External Assessment",
            "External",
            "External Assessment Y/N",
        ),
        example="Y",
    ),
    FieldSpec(
        "assessment_mode",
        "Assessment Mode",
        "assessment_mode",
        "How the external assessment is sat: on-screen or paper-based.",
        synonyms=("Mode", "Delivery Mode"),
        example="on-screen",
    ),
    FieldSpec(
        "operational_end_date",
        "Operational End Date",
        "date",
        "The last day the product accepts registrations.",
        synonyms=("End Date", "Operational End", "Last Registration Date"),
        example="31/08/2028",
    ),
    FieldSpec(
        "grading_scheme",
        "Grading Scheme",
        "grading_scheme",
        "graded (Pass to Distinction*), pass-fail, or unclassified.",
        synonyms=("Grading", "Grade Scheme", "Grades", "Grading Type"),
        example="graded",
    ),
    FieldSpec(
        "registration_fee",
        "Registration Fee",
        "money",
        "The fee per learner registration, in pounds.",
        synonyms=("Fee", "Reg Fee"),
        example="45.00",
    ),
)

APPROVALS: tuple[FieldSpec, ...] = (
    _CENTRE,
    FieldSpec(
        "centre_name",
        "Centre Name",
        "text",
        "The centre's name.",
        synonyms=("Centre Title", "School", "College", "Provider"),
        max_length=200,
        example="Riverside Academy",
    ),
    _PRODUCT,
    FieldSpec(
        "approved_on",
        "Approval Date",
        "date",
        "The date the centre was approved to deliver the product.",
        synonyms=("Approved On", "Approved", "Date Approved"),
        example="01/09/2025",
    ),
)

SCHEMAS: dict[Kind, tuple[FieldSpec, ...]] = {
    "learners": LEARNERS,
    "bookings": BOOKINGS,
    "results": RESULTS,
    "products": PRODUCTS,
    "approvals": APPROVALS,
}


def field_names(kind: Kind) -> list[str]:
    """Canonical field names of one kind, in template order."""
    return [spec.name for spec in SCHEMAS[kind]]


def spec(kind: Kind, name: str) -> FieldSpec:
    """The spec of one field of one kind; KeyError when the kind has no such field."""
    for field in SCHEMAS[kind]:
        if field.name == name:
            return field
    raise KeyError(f"{kind} has no field {name!r}")
