"""Row rules: what each field's own cell (and its row) says, for a whole frame at once.

For every field of a kind this module gives the expression that parses its raw text and the
checks on the parsed value, in order. A field gets at most one error (the first check that
fails) and, when it has no error, at most one warning: the same verdict, in the same words
(the catalogue's templates), that the Pydantic model gives for a single record
(:mod:`centredesk.validation.models`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

import polars as pl

from centredesk.validation import parsing
from centredesk.validation.checks import Check
from centredesk.validation.fields import SCHEMAS, FieldSpec, Kind
from centredesk.validation.messages import said

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


def _as_typed(name: str) -> pl.Expr:
    return raw(name).str.strip_chars()


def _missing(spec: FieldSpec, code: str = "FIELD_MISSING") -> Check:
    return Check(code, "error", _blank(spec.name), said(code, column=spec.header))


def _unread(spec: FieldSpec, variant: str, **values: pl.Expr | str) -> Check:
    """VALUE_INVALID where a cell holds text but no value could be read from it."""
    when = ~_blank(spec.name) & value(spec.name).is_null()
    return Check("VALUE_INVALID", "error", when, said("VALUE_INVALID", variant, **values))


def _not_accepted(spec: FieldSpec) -> Check:
    assert spec.vocabulary is not None
    return _unread(
        spec,
        "choice",
        text=_as_typed(spec.name),
        column=spec.header,
        accepted=spec.vocabulary.accepted,
    )


def _lookup(spec: FieldSpec) -> dict[str, Any]:
    assert spec.vocabulary is not None
    return spec.vocabulary.lookup


def _by_variant(code: str, variant: pl.Expr, variants: list[str], **values: pl.Expr) -> pl.Expr:
    """The message of whichever of the rule's ``variants`` the ``variant`` column names."""
    message = pl.lit(None, pl.String)
    for name in variants:
        message = pl.when(variant == name).then(said(code, name, **values)).otherwise(message)
    return message


def _unreadable_date(code: str, name: str) -> pl.Expr:
    """The message for a date cell that is not a date, saying why."""
    problem = parsing.date_problem(raw(name))
    reasons = ["form", "not_real", "phantom"]
    return _by_variant(code, problem, reasons, text=_as_typed(name))


def _date_of_birth_checks(kind: Kind, spec: FieldSpec, today: date) -> list[Check]:
    day, name = value(spec.name), spec.name
    on = pl.coalesce(value("registration_date"), pl.lit(today)) if kind == "learners" else (
        pl.lit(today)
    )  # fmt: skip
    age = parsing.age_on(day, on)
    born, on_day = parsing.uk_date(day), parsing.uk_date(on)
    aged = said("DOB_IMPLAUSIBLE", born=born, age=age, on=on_day)
    return [
        _missing(spec, "DOB_MISSING"),
        Check("DOB_INVALID", "error", ~_blank(name) & day.is_null(),
              _unreadable_date("DOB_INVALID", name)),
        Check("DOB_FUTURE", "error", day > pl.lit(today), said("DOB_FUTURE", date=born)),
        Check("DOB_IMPLAUSIBLE", "error", day > on,
              said("DOB_IMPLAUSIBLE", "born_after", born=born, on=on_day)),
        Check("DOB_IMPLAUSIBLE", "error", age >= 115, aged),
        Check("DOB_IMPLAUSIBLE", "warning", age >= 100, aged),
        Check("DOB_IMPLAUSIBLE", "warning", age < 10, aged),
    ]  # fmt: skip


def _date_checks(kind: Kind, spec: FieldSpec, today: date) -> list[Check]:
    name, day = spec.name, value(spec.name)
    if name == "date_of_birth":
        return _date_of_birth_checks(kind, spec, today)
    checks = [_missing(spec)] if spec.required else []
    checks.append(
        Check("DATE_INVALID", "error", ~_blank(name) & day.is_null(),
              _unreadable_date("DATE_INVALID", name))
    )  # fmt: skip
    shown = parsing.uk_date(day)
    if name == "result_date":
        checks.append(
            Check("RESULT_DATE_FUTURE", "error", day > pl.lit(today),
                  said("RESULT_DATE_FUTURE", date=shown))
        )  # fmt: skip
    if name == "release_date":
        checks += [
            Check("RESULT_RELEASE_MISSING", "warning", _blank(name),
                  said("RESULT_RELEASE_MISSING")),
            Check("RESULT_RELEASE_FUTURE", "warning", day > pl.lit(today),
                  said("RESULT_RELEASE_FUTURE", date=shown)),
        ]  # fmt: skip
    return checks


def _uln_checks(spec: FieldSpec) -> list[Check]:
    uln, text = value("uln"), raw("uln")
    lost = pl.when(parsing.uln_digits_lost(text)).then(pl.lit("digits_lost")).otherwise(pl.lit(""))
    placeholder = parsing.uln_is_placeholder(uln)
    return [
        # The parsed ULN is null exactly where the cell's digits are not a well-formed ULN.
        Check("ULN_FORMAT", "error", ~parsing.uln_blank(text) & uln.is_null(),
              _by_variant("ULN_FORMAT", lost, ["", "digits_lost"], text=_as_typed("uln"))),
        Check("ULN_CHECKSUM", "error", ~placeholder & ~parsing.uln_check_digit_ok(uln),
              said("ULN_CHECKSUM", uln=uln)),
        Check("ULN_TEMPORARY", "warning", placeholder, said("ULN_TEMPORARY", uln=uln)),
    ]  # fmt: skip


def _product_checks(spec: FieldSpec) -> list[Check]:
    code = value(spec.name)
    expected = parsing.product_check_character(code)
    return [
        _missing(spec, "PRODUCT_MISSING"),
        Check("PRODUCT_FORMAT", "error", code.is_null(),
              said("PRODUCT_FORMAT", text=_as_typed(spec.name))),
        Check("PRODUCT_CHECK", "warning", code.str.slice(9, 1) != expected,
              said("PRODUCT_CHECK", code=code, expected=expected)),
    ]  # fmt: skip


def _name_checks(spec: FieldSpec) -> list[Check]:
    name = value(spec.name)
    character = parsing.first_character_not_in_names(name)
    problem = (
        pl.when(character.is_not_null())
        .then(said("NAME_CHARACTERS", "character", name=name,
                   character=parsing.describe_character(character),
                   code_point=parsing.code_point(character)))
        .otherwise(said("NAME_CHARACTERS", "no_letter", name=name))
    )  # fmt: skip
    return [
        _missing(spec, "NAME_MISSING"),
        Check("NAME_CHARACTERS", "error", ~parsing.name_characters_ok(name), problem),
        Check("NAME_CASE", "warning", parsing.name_case_odd(name), said("NAME_CASE", name=name)),
    ]


def _learner_number_checks(kind: Kind, spec: FieldSpec) -> list[Check]:
    # Bookings and results name the learner by number or, failing that, by ULN.
    code = "BOOKING_LEARNER_MISSING" if kind == "bookings" else "RESULT_LEARNER_MISSING"
    digits = parsing.uln_digits(raw("uln"))
    unnamed = _blank(spec.name) & (
        parsing.uln_blank(raw("uln")) | parsing.uln_is_placeholder(digits).fill_null(False)
    )
    return [
        _unread(spec, "whole_number", text=_as_typed(spec.name)),
        Check(code, "error", unnamed, said(code)),
    ]


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
    length = _as_typed(spec.name).str.len_chars()
    return Check(
        "TEXT_TOO_LONG",
        "error",
        length > spec.max_length,
        said("TEXT_TOO_LONG", column=spec.header, length=length, limit=spec.max_length),
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
            reference = value(spec.name)
            return [
                Check("LEARNER_REF_FORMAT", "error",
                      ~reference.str.contains(LEARNER_REFERENCE_PATTERN),
                      said("LEARNER_REF_FORMAT", text=reference)),
            ]  # fmt: skip
        case "learner_number":
            return _learner_number_checks(kind, spec)
        case "batch_number":
            return []
        case "yes_no" | "assessment_mode" | "grading_scheme" | "booking_status":
            return [_not_accepted(spec)]
        case "grade":
            assert spec.vocabulary is not None
            return [
                _missing(spec),
                Check("RESULT_GRADE", "error", value(spec.name).is_null(),
                      said("RESULT_GRADE", text=_as_typed(spec.name),
                           accepted=spec.vocabulary.accepted)),
            ]  # fmt: skip
        case "money":
            return [_unread(spec, "money", text=_as_typed(spec.name))]
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
