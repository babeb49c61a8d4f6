"""One Pydantic model per kind, built from the field specs: the single-record verdict.

The app's edit forms check one record at a time with :func:`check_record`; the vectorised
engine checks whole files. Both apply the same row rules with the same codes, say the same
words (the catalogue's templates, filled by :mod:`centredesk.validation.messages`) and parse
the same values, and a property test holds them to it. Each field is defined once, in
:mod:`centredesk.validation.fields`; this module only attaches the parser for the field's
type and its description.

A field's own error is raised as a ``PydanticCustomError`` whose type is the rule code;
warnings (and the one rule that looks at two fields, a booking or result naming no learner)
are collected in the validation context, so one call returns every issue of the record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    create_model,
)
from pydantic_core import PydanticCustomError

from centredesk.validation import values
from centredesk.validation.catalogue import Severity
from centredesk.validation.fields import KINDS, SCHEMAS, FieldSpec, Kind
from centredesk.validation.messages import say

_LEARNER_REFERENCE = re.compile(r"[A-Za-z0-9 ]{1,12}")


@dataclass(frozen=True)
class RecordIssue:
    """One issue of one record: the field, the rule code, its severity and the message."""

    field: str | None
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class RecordVerdict:
    """The issues of one record, its parsed values, and the record when it has no errors."""

    issues: list[RecordIssue]
    record: BaseModel | None
    values: dict[str, Any]
    """The parsed value of every field that has no error, by field name."""

    @property
    def ok(self) -> bool:
        return all(issue.severity != "error" for issue in self.issues)


def _fail(code: str, variant: str = "", /, **filled: object) -> PydanticCustomError:
    # The message is passed as the error's context, not its template: a cell's text may
    # hold braces, which Pydantic would try to fill in.
    return PydanticCustomError(code, "{message}", {"message": say(code, variant, **filled)})


def _as_text(raw: object) -> str:
    """A form's value as cell text; numbers become their digits, never a float's text."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "Y" if raw else "N"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _warn(info: ValidationInfo, spec: FieldSpec, rule: str, /, **filled: object) -> None:
    _context(info, "issues").append(RecordIssue(spec.name, rule, "warning", say(rule, **filled)))


def _context(info: ValidationInfo, name: str) -> Any:
    context = info.context
    return context[name] if isinstance(context, dict) and name in context else []


def _today(info: ValidationInfo) -> date:
    context = info.context
    return context["today"] if isinstance(context, dict) and "today" in context else date.today()


def _date_of_birth(kind: Kind, spec: FieldSpec, text: str, info: ValidationInfo) -> date:
    today, stripped = _today(info), text.strip()
    if not stripped:
        raise _fail("DOB_MISSING", column=spec.header)
    day = values.parse_date(text)
    if day is None:
        raise _fail("DOB_INVALID", values.date_problem(text), text=stripped)
    born = values.uk_date(day)
    if day > today:
        raise _fail("DOB_FUTURE", date=born)
    registered = info.data.get("registration_date") if kind == "learners" else None
    on = registered or today
    if day > on:
        raise _fail("DOB_IMPLAUSIBLE", "born_after", born=born, on=values.uk_date(on))
    age = values.age_on(day, on)
    aged = {"born": born, "age": age, "on": values.uk_date(on)}
    if age >= 115:
        raise _fail("DOB_IMPLAUSIBLE", **aged)
    if age >= 100 or age < 10:
        _warn(info, spec, "DOB_IMPLAUSIBLE", **aged)
    return day


def _date(kind: Kind, spec: FieldSpec, text: str, info: ValidationInfo) -> date | None:
    if spec.name == "date_of_birth":
        return _date_of_birth(kind, spec, text, info)
    today, stripped = _today(info), text.strip()
    if not stripped:
        if spec.required:
            raise _fail("FIELD_MISSING", column=spec.header)
        if spec.name == "release_date":
            _warn(info, spec, "RESULT_RELEASE_MISSING")
        # A registration without a date is registered today, as an import records it.
        return today if (kind, spec.name) == ("learners", "registration_date") else None
    day = values.parse_date(text)
    if day is None:
        raise _fail("DATE_INVALID", values.date_problem(text), text=stripped)
    if spec.name == "result_date" and day > today:
        raise _fail("RESULT_DATE_FUTURE", date=values.uk_date(day))
    if spec.name == "release_date" and day > today:
        _warn(info, spec, "RESULT_RELEASE_FUTURE", date=values.uk_date(day))
    return day


def _uln(spec: FieldSpec, text: str, info: ValidationInfo) -> str | None:
    if not re.sub(r"\s+", "", text.strip().lstrip("'’‘`")):
        return None
    digits = values.normalise_uln(text)
    if digits is None or not re.fullmatch(r"[1-9][0-9]{9}", digits):
        variant = "digits_lost" if values.uln_digits_lost(text) else ""
        raise _fail("ULN_FORMAT", variant, text=text.strip())
    if digits == values.ULN_PLACEHOLDER:
        _warn(info, spec, "ULN_TEMPORARY", uln=digits)
    elif not values.uln_check_digit_ok(digits):
        raise _fail("ULN_CHECKSUM", uln=digits)
    return digits


def _product_code(spec: FieldSpec, text: str, info: ValidationInfo) -> str:
    if not text.strip():
        raise _fail("PRODUCT_MISSING", column=spec.header)
    code = values.normalise_product_code(text)
    if code is None:
        raise _fail("PRODUCT_FORMAT", text=text.strip())
    expected = values.product_check_character(code[:3] + code[4:8])
    if code[-1] != expected:
        _warn(info, spec, "PRODUCT_CHECK", code=code, expected=expected)
    return code


def _name(spec: FieldSpec, text: str, info: ValidationInfo) -> str:
    name = values.tidy_name(text)
    if not name:
        raise _fail("NAME_MISSING", column=spec.header)
    if not values.name_characters_ok(name):
        character = values.first_character_not_in_names(name)
        if character is None:
            raise _fail("NAME_CHARACTERS", "no_letter", name=name)
        raise _fail(
            "NAME_CHARACTERS",
            "character",
            name=name,
            character=values.describe_character(character),
            code_point=values.code_point(character),
        )
    if values.name_case_odd(name):
        _warn(info, spec, "NAME_CASE", name=name)
    return name


def _choice(spec: FieldSpec, text: str, default: Any) -> Any:
    assert spec.vocabulary is not None
    if not text.strip():
        return default
    found = spec.vocabulary.lookup.get(values.choice_key(text))
    if found is None:
        raise _fail(
            "VALUE_INVALID",
            "choice",
            text=text.strip(),
            column=spec.header,
            accepted=spec.vocabulary.accepted,
        )
    return found


def _grade(spec: FieldSpec, text: str) -> str:
    assert spec.vocabulary is not None
    if not text.strip():
        raise _fail("FIELD_MISSING", column=spec.header)
    grade: str | None = spec.vocabulary.lookup.get(values.choice_key(text))
    if grade is None:
        raise _fail("RESULT_GRADE", text=text.strip(), accepted=spec.vocabulary.accepted)
    return grade


def _learner_number(kind: Kind, spec: FieldSpec, text: str, info: ValidationInfo) -> int | None:
    if text.strip():
        number = values.whole_number(text)
        if number is None:
            raise _fail("VALUE_INVALID", "whole_number", text=text.strip())
        return number
    # Validated after the ULN: a row naming no learner at all cannot be attached.
    if "uln" in info.data and info.data["uln"] in (None, values.ULN_PLACEHOLDER):
        code = "BOOKING_LEARNER_MISSING" if kind == "bookings" else "RESULT_LEARNER_MISSING"
        _context(info, "issues").append(RecordIssue(spec.name, code, "error", say(code)))
    return None


def _money(text: str) -> float | None:
    amount = values.money(text) if text.strip() else None
    if text.strip() and amount is None:
        raise _fail("VALUE_INVALID", "money", text=text.strip())
    return amount


def _parse(kind: Kind, spec: FieldSpec, text: str, info: ValidationInfo) -> Any:
    """The value of one field from its text, or a PydanticCustomError naming the rule."""
    stripped = text.strip()
    if len(stripped) > spec.max_length:
        raise _fail(
            "TEXT_TOO_LONG", column=spec.header, length=len(stripped), limit=spec.max_length
        )
    match spec.type:
        case "uln":
            return _uln(spec, text, info)
        case "date":
            return _date(kind, spec, text, info)
        case "product_code":
            return _product_code(spec, text, info)
        case "centre_number":
            if not stripped:
                raise _fail("CENTRE_MISSING", column=spec.header)
            return re.sub(r"^([0-9]+)\.0+$", r"\1", stripped.upper())
        case "name":
            return _name(spec, text, info)
        case "learner_number":
            return _learner_number(kind, spec, text, info)
        case "batch_number":
            return stripped or None
        case "learner_reference":
            if stripped and not _LEARNER_REFERENCE.fullmatch(stripped):
                raise _fail("LEARNER_REF_FORMAT", text=stripped)
            return stripped or None
        case "yes_no" | "assessment_mode":
            return _choice(spec, text, None)
        case "grading_scheme":
            return _choice(spec, text, "graded")
        case "booking_status":
            return _choice(spec, text, "Active")
        case "grade":
            return _grade(spec, text)
        case "money":
            return _money(text)
        case "code" | "text":
            if not stripped and spec.required:
                raise _fail("FIELD_MISSING", column=spec.header)
            return (stripped.upper() if spec.type == "code" else stripped) or None
    raise AssertionError(f"no parser for field type {spec.type}")  # pragma: no cover


def _validator(kind: Kind, spec: FieldSpec) -> Callable[[Any, ValidationInfo], Any]:
    def validate_field(raw: Any, info: ValidationInfo) -> Any:
        parsed = _parse(kind, spec, _as_text(raw), info)
        context = info.context
        if isinstance(context, dict) and "values" in context:
            context["values"][spec.name] = parsed
        return parsed

    return validate_field


_PYTHON_TYPES: dict[str, Any] = {
    "date": date,
    "learner_number": int,
    "yes_no": bool,
    "money": float,
}


def _order(kind: Kind) -> list[FieldSpec]:
    """Fields in the order they are validated: a field another one needs comes first."""
    first = {"learners": ("registration_date",), "bookings": ("uln",), "results": ("uln",)}
    leading = first.get(kind, ())
    specs = SCHEMAS[kind]
    return [s for s in specs if s.name in leading] + [s for s in specs if s.name not in leading]


def _model(kind: Kind) -> type[BaseModel]:
    fields: dict[str, Any] = {
        spec.name: (
            Annotated[
                _PYTHON_TYPES.get(spec.type, str) | None,
                PlainValidator(_validator(kind, spec)),
            ],
            Field(default=None, validate_default=True, description=spec.description),
        )
        for spec in _order(kind)
    }
    model: type[BaseModel] = create_model(
        f"{kind.title()}Record",
        __config__=ConfigDict(frozen=True, extra="ignore"),
        **fields,
    )
    return model


MODELS: dict[Kind, type[BaseModel]] = {kind: _model(kind) for kind in KINDS}
ADAPTERS: dict[Kind, TypeAdapter[Any]] = {kind: TypeAdapter(MODELS[kind]) for kind in KINDS}


def check_record(kind: Kind, record: Mapping[str, object], *, today: date) -> RecordVerdict:
    """Every row-rule issue of one record (cell texts by field name), in field order."""
    context: dict[str, Any] = {"today": today, "issues": [], "values": {}}
    parsed: BaseModel | None = None
    errors: list[RecordIssue] = []
    try:
        parsed = ADAPTERS[kind].validate_python(dict(record), context=context)
    except ValidationError as failure:
        errors = [
            RecordIssue(str(error["loc"][0]), error["type"], "error", error["msg"])
            for error in failure.errors()
        ]
    issues = errors + context["issues"]
    order = {spec.name: index for index, spec in enumerate(SCHEMAS[kind])}
    issues.sort(key=lambda issue: (order.get(issue.field or "", -1), issue.severity))
    has_error = any(issue.severity == "error" for issue in issues)
    failed = {issue.field for issue in issues if issue.severity == "error"}
    parsed_values = {
        spec.name: context["values"].get(spec.name)
        for spec in SCHEMAS[kind]
        if spec.name not in failed
    }
    return RecordVerdict(issues, None if has_error else parsed, parsed_values)
