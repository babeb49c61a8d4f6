"""The rule catalogue: every issue code, its severity, what it means, how to fix it, and what
its issues say.

Codes are stable identifiers: they appear in JSON output, in the store's import issues and in
the fix-list workbook, so a code is never renamed. ``centredesk rules`` prints this catalogue,
the app shows it, and ``docs/rules.md`` is generated from it. The message templates are filled
by :mod:`centredesk.validation.messages`, for the vectorised rules and the single-record model
alike, so an issue reads the same whichever way a record is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from centredesk.validation.fields import ULN_PLACEHOLDER

Severity = Literal["error", "warning"]
Scope = Literal["row", "file", "store"]
"""Where a rule looks: one row alone, other rows of the same file, or the store's data."""


@dataclass(frozen=True)
class Rule:
    """One issue code as people read about it."""

    code: str
    severity: str
    """``error`` (the row is not loaded), ``warning`` (loaded, worth a look) or both."""
    scope: Scope
    kinds: tuple[str, ...]
    meaning: str
    fix: str
    messages: Mapping[str, str] = field(default_factory=dict)
    """What an issue of this rule says, by variant ("" when there is one): a template whose
    ``{names}`` the rule fills in with the cell's text, dates day first, row numbers."""

    def message(self, variant: str = "") -> str:
        """The template of one variant; KeyError names the rule when there is no such one."""
        try:
            return self.messages[variant]
        except KeyError:
            raise KeyError(f"{self.code} has no message {variant!r}") from None


_PEOPLE = ("learners",)
_LINKED = ("bookings", "results")
_ALL = ("learners", "bookings", "results", "products", "approvals")

RULES: tuple[Rule, ...] = (
    Rule(
        "FIELD_MISSING",
        "error",
        "row",
        _ALL,
        "A column that every row needs is empty in this row.",
        "Fill in the cell; the column's description in the template says what it holds.",
        messages={"": "{column} is empty"},
    ),
    Rule(
        "DATE_INVALID",
        "error",
        "row",
        _ALL,
        "A date cannot be read. Dates are read day first (03/04/2010 is 3 April 2010), as "
        "ISO (2010-04-03), as 3 Apr 2010, or from a cell Excel stores as a date or number. "
        "Digits typed as text (031210, 20100517) are not a date; nor is 29/02/1900, a day "
        "Excel counts that never was.",
        "Type the date as DD/MM/YYYY or format the cell as a date.",
        messages={
            "form": "{text} is not a date: type it as DD/MM/YYYY, e.g. 03/04/2010",
            "not_real": "{text} is not a real date",
            "phantom": "{text} is 29/02/1900, a day Excel counts that never was: 1900 was not "
            "a leap year",
        },
    ),
    Rule(
        "VALUE_INVALID",
        "error",
        "row",
        _ALL,
        "A value is not one the column allows: a yes/no answer, an assessment mode, a "
        "grading scheme, a booking status, a learner number or an amount of money. Common "
        "spellings are read (Yes, PBA, P/M/D/D*: see Accepted spellings below).",
        "Use one of the values the message lists.",
        messages={
            "choice": "{text} is not an accepted {column}: use {accepted}",
            "whole_number": "{text} is not a whole number",
            "money": "{text} is not an amount in pounds",
        },
    ),
    Rule(
        "FORMULA_UNCALCULATED",
        "error or warning",
        "row",
        _ALL,
        "The cell holds a formula that was saved without its result, as files written by "
        "programs (not by Excel) often are, so its value cannot be read; it is not taken "
        "for an empty cell. An error where the column is required (the row cannot be loaded "
        "without it); a warning elsewhere (the row is loaded with the cell empty).",
        "Open the file in Excel or LibreOffice, save it (that calculates every formula), and "
        "check or import it again.",
        messages={
            "": "the cell holds a formula that was saved without its value, so it reads as "
            "empty; open the file in Excel, save it, and check it again"
        },
    ),
    Rule(
        "TEXT_TOO_LONG",
        "error",
        "row",
        _ALL,
        "A cell holds more characters than its column takes (names 100, a batch label 30, "
        "reasonable adjustments 1,000; docs/rules.md lists every column). Nothing is ever "
        "cut short.",
        "Shorten the value; if it is two values run together, split them.",
        messages={"": "{column} holds {length} characters; it takes at most {limit}"},
    ),
    Rule(
        "ULN_FORMAT",
        "error",
        "row",
        ("learners", "bookings", "results"),
        "The ULN is not 10 digits starting with 1 to 9. Scientific notation such as "
        "1.00E+09 is Excel's display of a long number whose last digits are lost: it is "
        "never read as a ULN.",
        "Copy the ULN from the Learner Records Service, or leave the cell empty until the "
        "learner has one.",
        messages={
            "": "{text} is not 10 digits starting 1 to 9",
            "digits_lost": "{text} is how Excel shows a long number in a narrow column: the "
            "ULN's last digits are lost. Format the column as Text and enter the ULNs again, "
            "or export them again from the MIS",
        },
    ),
    Rule(
        "ULN_CHECKSUM",
        "error",
        "row",
        ("learners", "bookings", "results"),
        "The ULN's last digit does not match the check digit worked out from the first nine, "
        "so a digit was mistyped or two were swapped.",
        "Check the ULN against the Learner Records Service.",
        messages={"": "{uln} fails the ULN check digit"},
    ),
    Rule(
        "ULN_TEMPORARY",
        "warning",
        "row",
        ("learners", "bookings", "results"),
        f"{ULN_PLACEHOLDER} is the national placeholder for a ULN that is not known yet.",
        "Replace it with the learner's real ULN once they have one.",
        messages={"": "{uln} is the placeholder for a ULN not known yet"},
    ),
    Rule(
        "ULN_CONFLICT",
        "error",
        "store",
        _PEOPLE,
        "One ULN is given to two different people (different name or date of birth), in "
        "this file or against a learner the store already holds.",
        "Find which person the ULN belongs to and correct the other row; only a ULN "
        "administrator can change a stored ULN.",
        messages={
            "in_file": "{uln} is also given to a different person in row {row}",
            "in_store": "{uln} belongs to learner {learner} ({person})",
        },
    ),
    Rule(
        "NAME_MISSING",
        "error",
        "row",
        _PEOPLE,
        "The forename or surname is empty.",
        "Give the name as it should appear on the certificate.",
        messages={"": "{column} is empty"},
    ),
    Rule(
        "NAME_CHARACTERS",
        "error",
        "row",
        _PEOPLE,
        "A name holds something other than Latin letters, spaces, apostrophes, hyphens and "
        'full stops: a digit, a tab or other control character, | or ", or another script. '
        "The message names the character and its code point, since it may be invisible. "
        "No-break, thin and zero-width spaces count as spaces.",
        "Remove the character, or write the name in Latin letters.",
        messages={
            "character": "{name} contains {character} ({code_point})",
            "no_letter": "{name} has no letter",
        },
    ),
    Rule(
        "NAME_CASE",
        "warning",
        "row",
        _PEOPLE,
        "The name is all capitals or all lower case; names are printed on certificates as given.",
        "Write the name in normal case (O'Brien, not O'BRIEN).",
        messages={"": "{name} is all capitals or all lower case"},
    ),
    Rule(
        "DOB_MISSING",
        "error",
        "row",
        _PEOPLE,
        "The date of birth is empty.",
        "Give the learner's date of birth.",
        messages={"": "{column} is empty"},
    ),
    Rule(
        "DOB_INVALID",
        "error",
        "row",
        _PEOPLE,
        "The date of birth cannot be read as a real date (see DATE_INVALID for the forms "
        "that are read).",
        "Type it as DD/MM/YYYY or format the cell as a date.",
        messages={
            "form": "{text} is not a date: type it as DD/MM/YYYY, e.g. 03/04/2010",
            "not_real": "{text} is not a real date",
            "phantom": "{text} is 29/02/1900, a day Excel counts that never was: 1900 was not "
            "a leap year",
        },
    ),
    Rule(
        "DOB_FUTURE",
        "error",
        "row",
        _PEOPLE,
        "The date of birth is after today.",
        "Correct the date of birth.",
        messages={"": "{date} is in the future"},
    ),
    Rule(
        "DOB_IMPLAUSIBLE",
        "error or warning",
        "row",
        _PEOPLE,
        "At the registration date (today when none is given) the learner would be 115 or "
        "older (error), or 100 or older or younger than 10 (warning); or the learner was "
        "born after the registration date (error).",
        "Check the date of birth, and that day and month are not swapped.",
        messages={
            "": "born {born}, aged {age} on {on}",
            "born_after": "born {born}, after the registration date {on}",
        },
    ),
    Rule(
        "PRODUCT_MISSING",
        "error",
        "row",
        _ALL,
        "The product code is empty.",
        "Give the qualification number, e.g. 603/0862/X.",
        messages={"": "{column} is empty"},
    ),
    Rule(
        "PRODUCT_FORMAT",
        "error",
        "row",
        _ALL,
        "The product code is not of the form NNN/NNNN/C (C a digit or X); it may also be "
        "written without slashes.",
        "Copy the qualification number from the product list.",
        messages={"": "{text} is not a product code like 603/0862/X"},
    ),
    Rule(
        "PRODUCT_CHECK",
        "warning",
        "row",
        _ALL,
        "The product code's last character does not match the check character worked out "
        "from its seven digits (a rule inferred from published codes).",
        "Check the code against the product list; if it is right, carry on.",
        messages={"": "{code}: the check character should be {expected}"},
    ),
    Rule(
        "PRODUCT_UNKNOWN",
        "error",
        "store",
        ("learners", "bookings", "results", "approvals"),
        "The product is not in the store's catalogue. Checked only once the store holds a "
        "catalogue.",
        "Correct the code, or import the product catalogue first.",
        messages={"": "{product} is not in the catalogue"},
    ),
    Rule(
        "PRODUCT_NOT_APPROVED",
        "error",
        "store",
        _PEOPLE,
        "The centre is not approved to deliver this product. Checked only once the store "
        "holds approvals.",
        "Correct the product or centre, or import the centre's approval first.",
        messages={"": "centre {centre} is not approved for {product}"},
    ),
    Rule(
        "PRODUCT_CLOSED",
        "error",
        "store",
        _PEOPLE,
        "The registration date is after the product's operational end date, the last day "
        "it accepts registrations.",
        "Register the learner on the product that replaced it.",
        messages={"": "{product} closed to registrations on {date}"},
    ),
    Rule(
        "CENTRE_MISSING",
        "error",
        "row",
        ("learners", "bookings", "results", "approvals"),
        "The centre number is empty.",
        "Give the centre number issued on approval.",
        messages={"": "{column} is empty"},
    ),
    Rule(
        "CENTRE_UNKNOWN",
        "error",
        "store",
        ("learners", "bookings", "results"),
        "The centre is not in the store. Checked only once the store holds centres.",
        "Correct the centre number, or import the centre's approvals first.",
        messages={"": "centre {centre} is not in the store"},
    ),
    Rule(
        "LEARNER_REF_FORMAT",
        "error",
        "row",
        _PEOPLE,
        "The learner reference is not 1 to 12 letters, digits and spaces.",
        "Shorten the reference or remove the other characters.",
        messages={"": "{text} is not 1 to 12 letters, digits and spaces"},
    ),
    Rule(
        "DUP_IN_FILE",
        "error",
        "file",
        _ALL,
        "The row repeats an earlier row of the same file: the same learner on the same "
        "product (by ULN, or by name and date of birth where a ULN is missing), the same "
        "product in a catalogue, or the same centre and product in approvals.",
        "Delete the repeated row. The message says whether the earlier row is loaded; if it "
        "is not (it has errors of its own), correct it and import it again.",
        messages={
            "learner": "the same learner on {product} as row {row}",
            "product": "{product} is already given in row {row}",
            "approval": "centre {centre} and {product} are already given in row {row}",
        },
    ),
    Rule(
        "DUP_IN_STORE",
        "error",
        "store",
        _PEOPLE,
        "The learner is already registered on this product at this centre. Cancelled "
        "registrations do not count. A row of a fix list, or of a file imported before under "
        "the same name, that repeats the stored registration (its batch, registration date "
        "and learner reference too, wherever the row gives them) is not this: it is already "
        "there, reported and not loaded twice.",
        "Delete the row; the learner is registered already.",
        messages={"": "already registered on {product} as learner {learner}"},
    ),
    Rule(
        "DUP_SUSPECTED",
        "warning",
        "store",
        _PEOPLE,
        "A learner with the same name and date of birth has a different ULN, in this file or "
        "in the store: perhaps one person with two ULNs.",
        "Check both ULNs with the Learner Records Service.",
        messages={
            "in_file": "same name and date of birth as row {row}, which has another ULN",
            "in_store": "same name and date of birth as learner {learner}, whose ULN is {uln}",
        },
    ),
    Rule(
        "DISCOUNT_CLASH",
        "warning",
        "store",
        _PEOPLE,
        "The learner would be active on two products with the same DfE discount code; only "
        "one of them counts in school performance tables. Both registrations are allowed.",
        "Check the learner should take both products.",
        messages={
            "in_file": "{product} shares discount code {code} with the product in row {row}",
            "in_store": "{product} shares discount code {code} with the learner's "
            "registration on {other}",
        },
    ),
    Rule(
        "BOOKING_LEARNER_MISSING",
        "error",
        "row",
        ("bookings",),
        "The row gives neither a learner number nor a real ULN, so the learner cannot be found.",
        "Give the learner number or the learner's ULN.",
        messages={"": "neither a learner number nor a real ULN"},
    ),
    Rule(
        "BOOKING_REGISTRATION_MISSING",
        "error",
        "store",
        ("bookings",),
        "The learner has no registration on this product at this centre.",
        "Register the learner first, or correct the learner, product or centre.",
        messages={"": "{learner} has no registration on {product} at centre {centre}"},
    ),
    Rule(
        "BOOKING_REGISTRATION_INACTIVE",
        "error",
        "store",
        ("bookings",),
        "The learner's registration on this product is withdrawn, cancelled or completed; "
        "only active registrations can be booked.",
        "Reinstate a withdrawn registration first, or register the learner afresh.",
        messages={"": "{learner}'s registration on {product} is {status}"},
    ),
    Rule(
        "BOOKING_NO_EXTERNAL",
        "error",
        "store",
        ("bookings",),
        "The product has no external assessment, so it cannot be booked.",
        "Check the product code.",
        messages={"": "{product} has no external assessment to book"},
    ),
    Rule(
        "BOOKING_DUPLICATE",
        "error",
        "store",
        ("bookings",),
        "The learner is already booked on this assessment for this session, earlier in "
        "the file or in the store. A row of a fix list, or of a file imported before under "
        "the same name, that repeats a stored booking (and its status, if given) is that "
        "booking, already there: reported, not loaded twice.",
        "Delete the repeated row.",
        messages={
            "in_file": "already booked for {assessment} on {date} in row {row}",
            "in_store": "already booked for {assessment} on {date} in the store",
        },
    ),
    Rule(
        "BOOKING_ATTEMPTS",
        "error",
        "store",
        ("bookings",),
        "This would be a third attempt at the assessment: a learner gets one resit (two "
        "attempts) per external assessment.",
        "Cancel or transfer an earlier booking if this one replaces it.",
        messages={"": "attempt {attempt} at {assessment}: one resit is allowed"},
    ),
    Rule(
        "RESULT_LEARNER_MISSING",
        "error",
        "row",
        ("results",),
        "The row gives neither a learner number nor a real ULN, so the learner cannot be found.",
        "Give the learner number or the learner's ULN.",
        messages={"": "neither a learner number nor a real ULN"},
    ),
    Rule(
        "RESULT_REGISTRATION_MISSING",
        "error",
        "store",
        ("results",),
        "The learner has no registration on this product at this centre that is not cancelled.",
        "Correct the learner, product or centre.",
        messages={
            "": "{learner} has no registration on {product} at centre {centre} that is not "
            "cancelled"
        },
    ),
    Rule(
        "RESULT_DUPLICATE",
        "error",
        "store",
        ("results",),
        "The registration already has a result for this component: the same grade and dates "
        "are in the store or in an earlier row, or an earlier row of the file gives the "
        "component another result. A result is never stored twice. A row of a fix list, or "
        "of a file imported before under the same name, that repeats the stored result is "
        "not this: it is already there, reported and not loaded twice.",
        "Delete the repeated row. To change a stored result, give the component's new grade "
        "or dates: the row then corrects it (RESULT_CORRECTION).",
        messages={
            "in_file": "{component} already has this result in row {row}",
            "in_file_other": "row {row} already gives {component} a result ({grade})",
            "in_store": "{component} is already stored with this result ({grade} of {date})",
        },
    ),
    Rule(
        "RESULT_CORRECTION",
        "warning",
        "store",
        ("results",),
        "The store holds a different result for this registration and component: the row "
        "corrects it in place, and the audit log keeps who changed it, when, and the result "
        "before and after.",
        "Nothing to fix if the new grade and dates are right; otherwise correct the row.",
        messages={
            "": "{component}: {grade} of {date} replaces the stored {old_grade} of {old_date}",
        },
    ),
    Rule(
        "RESULT_GRADE",
        "error",
        "row",
        ("results",),
        "The grade is not one of the product's grading scheme (Pass/Merit/Distinction/"
        "Distinction*, Pass/Fail or Achieved/Not Achieved; U in every scheme).",
        "Use a grade of the product's scheme.",
        messages={
            "": "{text} is not a grade: use {accepted}",
            "scheme": "{grade} is not a grade of {product}'s {scheme} scheme",
        },
    ),
    Rule(
        "RESULT_DATE_FUTURE",
        "error",
        "row",
        ("results",),
        "The result date is after today.",
        "Correct the result date.",
        messages={"": "{date} is in the future"},
    ),
    Rule(
        "RESULT_RELEASE_MISSING",
        "warning",
        "row",
        ("results",),
        "No release date: the result can be shown and exported at once. Results of "
        "fixed-window assessments need their release date.",
        "Give the release date if the assessment has a fixed window.",
        messages={"": "no release date: the result can be shown at once"},
    ),
    Rule(
        "RESULT_RELEASE_FUTURE",
        "warning",
        "row",
        ("results",),
        "The release date is after today: the result is withheld until then.",
        "Nothing to fix; the result will show from the release date.",
        messages={"": "withheld until {date}"},
    ),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

REPEATS = ("DUP_IN_FILE", "DUP_IN_STORE", "BOOKING_DUPLICATE")
"""Codes that say a row repeats a record kept elsewhere (loaded, or rejected on a row of its
own): a row rejected for these alone leaves nothing to fix."""


def rule(code: str) -> Rule:
    """The catalogue entry for ``code``; KeyError for a code that does not exist."""
    return BY_CODE[code]


def row_codes() -> frozenset[str]:
    """Codes decided from one row alone: the ones a single-record check can give."""
    return frozenset(r.code for r in RULES if r.scope == "row")


EARLIER_ROW: Mapping[str, str] = {
    "loaded": ", which is loaded",
    "rejected": ", which is not loaded either (it has errors of its own): correct row {row} and "
    "import it again",
}
"""Said after an issue that points at an earlier row of the file (DUP_IN_FILE,
BOOKING_DUPLICATE): what became of that row."""
