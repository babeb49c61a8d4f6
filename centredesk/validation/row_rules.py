"""Row rules: what each field's own cell (and its row) says, for a whole frame at once.

For every field of a kind this module gives the expression that parses its raw text and the
checks on the parsed value, in order. A field gets at most one error (the first check that
fails) and, when it has no error, at most one warning: the same verdict the Pydantic model
gives for a single record (:mod:`centredesk.validation.models`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

import polars as pl

from centredesk.validation import parsing, values
from centredesk.validation.checks import Check
from centredesk.validation.fields import SCHEMAS, FieldSpec, Kind

LEARNER_REFERENCE_PATTERN = r"^[A-Za-z0-9 ]{1,12}$"


def raw(name: str) -> pl.Expr:
    """The column holding a field's cell text as read."""
    return pl.col(f"raw:{name}")


def value(name: str) -> pl.Expr:
    """The column holding a field's parsed value."""
    return pl.col(name)


@dataclass(frozen=True)
class FieldRule:
    """How one field is parsed from its text and then checked."""

    spec: FieldSpec
    parse: pl.Expr
    checks: Callable[[date], list[Check]]
    plain: pl.Expr | None = None
    """Where the cell text already is the parsed value (so the parser can be skipped)."""


def _blank(name: str) -> pl.Expr:
    return parsing.blank_to_null(raw(name)).is_null()


def _text(message: str) -> pl.Expr:
    return pl.lit(message)


def _missing(spec: FieldSpec, code: str = "FIELD_MISSING") -> Check:
    return Check(code, "error", _blank(spec.name), _text(f"{spec.header} is empty"))


def _not_one_of(spec: FieldSpec, allowed: str) -> Check:
    return Check(
        "VALUE_INVALID",
        "error",
        ~_blank(spec.name) & value(spec.name).is_null(),
        pl.format("{} is not {}", raw(spec.name).str.strip_chars(), pl.lit(allowed)),
    )


def _not_accepted(spec: FieldSpec) -> Check:
    assert spec.vocabulary is not None
    return Check(
        "VALUE_INVALID",
        "error",
        ~_blank(spec.name) & value(spec.name).is_null(),
        pl.format(
            values.NOT_ACCEPTED, raw(spec.name).str.strip_chars(), pl.lit(spec.header),
            pl.lit(spec.vocabulary.accepted),
        ),
    )  # fmt: skip


def _lookup(spec: FieldSpec) -> dict[str, Any]:
    assert spec.vocabulary is not None
    return spec.vocabulary.lookup


def _unreadable_date(name: str) -> pl.Expr:
    """The message for a date cell that is not a date, saying why."""
    as_typed, problem = raw(name).str.strip_chars(), parsing.date_problem(raw(name))
    message = pl.lit(None, pl.String)
    for reason, template in values.DATE_MESSAGES.items():
        message = pl.when(problem == reason).then(pl.format(template, as_typed)).otherwise(message)
    return message


def _date_checks(kind: Kind, spec: FieldSpec, today: date) -> list[Check]:
    name, day = spec.name, value(spec.name)
    unreadable = ~_blank(name) & day.is_null()
    if name == "date_of_birth":
        on = (
            pl.coalesce(value("registration_date"), pl.lit(today))
            if kind == "learners"
            else (pl.lit(today))
        )
        age = parsing.age_on(day, on)
        aged = pl.format("born {}, aged {} on {}", parsing.uk_date(day), age, parsing.uk_date(on))
        return [
            _missing(spec, "DOB_MISSING"),
            Check("DOB_INVALID", "error", unreadable, _unreadable_date(name)),
            Check("DOB_FUTURE", "error", day > pl.lit(today),
                  pl.format("{} is in the future", parsing.uk_date(day))),
            Check("DOB_IMPLAUSIBLE", "error", day > on,
                  pl.format(values.BORN_AFTER_REGISTRATION, parsing.uk_date(day),
                            parsing.uk_date(on))),
            Check("DOB_IMPLAUSIBLE", "error", age >= 115, aged),
            Check("DOB_IMPLAUSIBLE", "warning", age >= 100, aged),
            Check("DOB_IMPLAUSIBLE", "warning", age < 10, aged),
        ]  # fmt: skip
    checks = [_missing(spec)] if spec.required else []
    checks.append(Check("DATE_INVALID", "error", unreadable, _unreadable_date(name)))
    if name == "result_date":
        checks.append(
            Check("RESULT_DATE_FUTURE", "error", day > pl.lit(today),
                  pl.format("{} is in the future", parsing.uk_date(day)))
        )  # fmt: skip
    if name == "release_date":
        checks += [
            Check("RESULT_RELEASE_MISSING", "warning", _blank(name),
                  _text("no release date: the result can be shown at once")),
            Check("RESULT_RELEASE_FUTURE", "warning", day > pl.lit(today),
                  pl.format("withheld until {}", parsing.uk_date(day))),
        ]  # fmt: skip
    return checks


def _uln_checks(spec: FieldSpec) -> list[Check]:
    uln, as_typed = value("uln"), raw("uln").str.strip_chars()
    return [
        # The parsed ULN is null exactly where the cell's digits are not a well-formed ULN.
        Check("ULN_FORMAT", "error", ~parsing.uln_blank(raw("uln")) & uln.is_null(),
              pl.when(parsing.uln_digits_lost(raw("uln")))
              .then(pl.format("{}" + values.ULN_DIGITS_LOST, as_typed))
              .otherwise(pl.format("{} is not 10 digits starting 1 to 9", as_typed))),
        Check("ULN_CHECKSUM", "error",
              ~parsing.uln_is_placeholder(uln) & ~parsing.uln_check_digit_ok(uln),
              pl.format("{} fails the ULN check digit", uln)),
        Check("ULN_TEMPORARY", "warning", parsing.uln_is_placeholder(uln),
              _text("9999999999 is the placeholder for a ULN not known yet")),
    ]  # fmt: skip


def _product_checks(spec: FieldSpec) -> list[Check]:
    code = value(spec.name)
    expected = parsing.product_check_character(code)
    return [
        _missing(spec, "PRODUCT_MISSING"),
        Check("PRODUCT_FORMAT", "error", code.is_null(),
              pl.format("{} is not a product code like 603/0862/X",
                        raw(spec.name).str.strip_chars())),
        Check("PRODUCT_CHECK", "warning", code.str.slice(9, 1) != expected,
              pl.format("{}: the check character should be {}", code, expected)),
    ]  # fmt: skip


def _name_checks(spec: FieldSpec) -> list[Check]:
    name = value(spec.name)
    return [
        _missing(spec, "NAME_MISSING"),
        Check("NAME_CHARACTERS", "error", ~parsing.name_characters_ok(name),
              pl.format("{} {}", name, parsing.name_problem(name))),
        Check("NAME_CASE", "warning", parsing.name_case_odd(name),
              pl.format("{} is all capitals or all lower case", name)),
    ]  # fmt: skip


def _parse(kind: Kind, spec: FieldSpec) -> pl.Expr:
    """The expression that turns this field's raw text into its value."""
    text = raw(spec.name)
    match spec.type:
        case "uln":
            digits = parsing.uln_digits(text)
            return pl.when(parsing.uln_well_formed(digits)).then(digits)
        case "date":
            return parsing.parse_date(text)
        case "product_code":
            return parsing.product_code(text)
        case "centre_number":
            return parsing.centre_number(text)
        case "name":
            return parsing.blank_to_null(parsing.tidy_name(text))
        case "learner_number":
            return parsing.whole_number(text)
        case "yes_no":
            return parsing.choice(text, _lookup(spec), pl.Boolean())
        case "assessment_mode" | "grade":
            return parsing.choice(text, _lookup(spec), pl.String())
        case "grading_scheme":
            scheme = parsing.choice(text, _lookup(spec), pl.String())
            return pl.when(_blank(spec.name)).then(pl.lit("graded")).otherwise(scheme)
        case "booking_status":
            status = parsing.choice(text, _lookup(spec), pl.String())
            return pl.when(_blank(spec.name)).then(pl.lit("Active")).otherwise(status)
        case "code":
            return parsing.code(text)
        case "money":
            return parsing.money(text)
        case "text" | "learner_reference" | "batch_number":
            return parsing.blank_to_null(text)
    raise AssertionError(f"no parser for field type {spec.type}")  # pragma: no cover


def _too_long(spec: FieldSpec) -> Check:
    """A cell longer than the field takes: refused before any rule quotes it."""
    length = raw(spec.name).str.strip_chars().str.len_chars()
    return Check(
        "TEXT_TOO_LONG",
        "error",
        length > spec.max_length,
        pl.format(values.TOO_LONG, pl.lit(spec.header), length, pl.lit(spec.max_length)),
    )


def _checks(kind: Kind, spec: FieldSpec, today: date) -> list[Check]:
    """The checks on one field, in the order they are tried: its length first."""
    return [_too_long(spec), *_own_checks(kind, spec, today)]


def _own_checks(kind: Kind, spec: FieldSpec, today: date) -> list[Check]:
    match spec.type:
        case "uln":
            return _uln_checks(spec)
        case "date":
            return _date_checks(kind, spec, today)
        case "product_code":
            return _product_checks(spec)
        case "centre_number":
            return [_missing(spec, "CENTRE_MISSING")]
        case "name":
            return _name_checks(spec)
        case "learner_reference":
            return [
                Check("LEARNER_REF_FORMAT", "error",
                      ~value(spec.name).str.contains(LEARNER_REFERENCE_PATTERN),
                      pl.format("{} is not 1 to 12 letters, digits and spaces",
                                value(spec.name))),
            ]  # fmt: skip
        case "learner_number":
            # Bookings and results name the learner by number or, failing that, by ULN.
            code = "BOOKING_LEARNER_MISSING" if kind == "bookings" else "RESULT_LEARNER_MISSING"
            digits = parsing.uln_digits(raw("uln"))
            unnamed = _blank(spec.name) & (
                parsing.uln_blank(raw("uln")) | parsing.uln_is_placeholder(digits).fill_null(False)
            )
            return [
                _not_one_of(spec, "a whole number"),
                Check(code, "error", unnamed, _text("neither a learner number nor a real ULN")),
            ]
        case "batch_number":
            return []
        case "yes_no" | "assessment_mode" | "grading_scheme" | "booking_status":
            return [_not_accepted(spec)]
        case "grade":
            assert spec.vocabulary is not None
            return [
                _missing(spec),
                Check("RESULT_GRADE", "error", value(spec.name).is_null(),
                      pl.format(values.NOT_A_GRADE, raw(spec.name).str.strip_chars(),
                                pl.lit(spec.vocabulary.accepted))),
            ]  # fmt: skip
        case "money":
            return [_not_one_of(spec, "an amount in pounds")]
        case "code" | "text":
            return [_missing(spec)] if spec.required else []
    raise AssertionError(f"no checks for field type {spec.type}")  # pragma: no cover


def field_rules(kind: Kind) -> list[FieldRule]:
    """Every field of ``kind`` with its parser and checks."""
    return [
        FieldRule(spec, _parse(kind, spec), partial(_checks, kind, spec), _plain(spec))
        for spec in SCHEMAS[kind]
    ]


def _plain(spec: FieldSpec) -> pl.Expr | None:
    # Nearly every ULN arrives as ten plain digits, which is already its parsed form.
    if spec.type == "uln":
        return raw(spec.name).str.contains(r"^[1-9][0-9]{9}$")
    return None
