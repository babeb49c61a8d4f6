"""One Pydantic model per kind, built from the field specs: the single-record verdict.

The app's edit forms check one record at a time with :func:`check_record`; the vectorised
engine checks whole files. Both apply the same row rules with the same codes, and a property
test holds them to it. Each field is defined once, in :mod:`centredesk.validation.fields`;
this module only attaches the parser for the field's type and its description.

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


@dataclass(frozen=True)
class RecordIssue:
    """One issue of one record: the field, the rule code, its severity and the message."""

    field: str | None
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class RecordVerdict:
    """The issues of one record, and the parsed record when it has no errors."""

    issues: list[RecordIssue]
    record: BaseModel | None

    @property
    def ok(self) -> bool:
        return all(issue.severity != "error" for issue in self.issues)


def _fail(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(code, message)


def _as_text(raw: object) -> str:
    """A form's value as cell text; numbers become their digits, never a float's text."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "Y" if raw else "N"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _warn(info: ValidationInfo, spec: FieldSpec, code: str, message: str) -> None:
    _issues(info).append(RecordIssue(spec.name, code, "warning", message))


def _issues(info: ValidationInfo) -> list[RecordIssue]:
    context = info.context
    if not isinstance(context, dict):
        return []
    found: list[RecordIssue] = context.setdefault("issues", [])
    return found


def _today(info: ValidationInfo) -> date:
    context = info.context
    return context["today"] if isinstance(context, dict) and "today" in context else date.today()


def _unreadable_date(text: str) -> str:
    return values.DATE_MESSAGES[values.date_problem(text)].format(text.strip())


def _date(kind: Kind, spec: FieldSpec, text: str, info: ValidationInfo) -> date | None:
    day, today = values.parse_date(text) if text.strip() else None, _today(info)
    if spec.name == "date_of_birth":
        if not text.strip():
            raise _fail("DOB_MISSING", f"{spec.header} is empty")
        if day is None:
            raise _fail("DOB_INVALID", _unreadable_date(text))
        if day > today:
            raise _fail("DOB_FUTURE", f"{values.uk_date(day)} is in the future")
        registered = info.data.get("registration_date") if kind == "learners" else None
        on = registered or today
        if day > on:
            raise _fail(
                "DOB_IMPLAUSIBLE",
                values.BORN_AFTER_REGISTRATION.format(values.uk_date(day), values.uk_date(on)),
            )
        age = values.age_on(day, on)
        aged = f"born {values.uk_date(day)}, aged {age} on {values.uk_date(on)}"
        if age >= 115:
            raise _fail("DOB_IMPLAUSIBLE", aged)
        if age >= 100 or age < 10:
            _warn(info, spec, "DOB_IMPLAUSIBLE", aged)
        return day
    if not text.strip():
        if spec.required:
            raise _fail("FIELD_MISSING", f"{spec.header} is empty")
        if spec.name == "release_date":
            _warn(info, spec, "RESULT_RELEASE_MISSING", "no release date")
        return None
    if day is None:
        raise _fail("DATE_INVALID", _unreadable_date(text))
    if spec.name == "result_date" and day > today:
        raise _fail("RESULT_DATE_FUTURE", f"{values.uk_date(day)} is in the future")
    if spec.name == "release_date" and day > today:
        _warn(info, spec, "RESULT_RELEASE_FUTURE", f"withheld until {values.uk_date(day)}")
    return day


def _uln(spec: FieldSpec, text: str, info: ValidationInfo) -> str | None:
    if not re.sub(r"\s+", "", text.strip().lstrip("'’‘`")):
        return None
    digits = values.normalise_uln(text)
    if digits is None and values.uln_digits_lost(text):
        raise _fail("ULN_FORMAT", text.strip() + values.ULN_DIGITS_LOST)
    if digits is None or not re.fullmatch(r"[1-9][0-9]{9}", digits):
        raise _fail("ULN_FORMAT", f"{text.strip()} is not 10 digits starting 1 to 9")
    if digits == values.ULN_PLACEHOLDER:
        _warn(info, spec, "ULN_TEMPORARY", "the placeholder for a ULN not known yet")
    elif not values.uln_check_digit_ok(digits):
        raise _fail("ULN_CHECKSUM", f"{digits} fails the ULN check digit")
    return digits


def _choice(spec: FieldSpec, text: str, default: Any) -> Any:
    assert spec.vocabulary is not None
    if not text.strip():
        return default
    found = spec.vocabulary.lookup.get(values.choice_key(text))
    if found is None:
        raise _fail(
            "VALUE_INVALID",
            values.NOT_ACCEPTED.format(text.strip(), spec.header, spec.vocabulary.accepted),
        )
    return found


def _learner_number(kind: Kind, spec: FieldSpec, text: str, info: ValidationInfo) -> int | None:
    if text.strip():
        number = values.whole_number(text)
        if number is None:
            raise _fail("VALUE_INVALID", f"{text.strip()} is not a whole number")
        return number
    # Validated after the ULN: a row naming no learner at all cannot be attached.
    if "uln" in info.data and info.data["uln"] in (None, values.ULN_PLACEHOLDER):
        code = "BOOKING_LEARNER_MISSING" if kind == "bookings" else "RESULT_LEARNER_MISSING"
        _issues(info).append(
            RecordIssue(spec.name, code, "error", "neither a learner number nor a real ULN")
        )
    return None


def _parse(kind: Kind, spec: FieldSpec, text: str, info: ValidationInfo) -> Any:
    """The value of one field from its text, or a PydanticCustomError naming the rule."""
    stripped = text.strip()
    if len(stripped) > spec.max_length:
        raise _fail(
            "TEXT_TOO_LONG", values.TOO_LONG.format(spec.header, len(stripped), spec.max_length)
        )
    match spec.type:
        case "uln":
            return _uln(spec, text, info)
        case "date":
            return _date(kind, spec, text, info)
        case "product_code":
            if not stripped:
                raise _fail("PRODUCT_MISSING", f"{spec.header} is empty")
            code = values.normalise_product_code(text)
            if code is None:
                raise _fail("PRODUCT_FORMAT", f"{stripped} is not a product code")
            expected = values.product_check_character(code[:3] + code[4:8])
            if code[-1] != expected:
                _warn(info, spec, "PRODUCT_CHECK", f"the check character should be {expected}")
            return code
        case "centre_number":
            if not stripped:
                raise _fail("CENTRE_MISSING", f"{spec.header} is empty")
            return re.sub(r"^([0-9]+)\.0+$", r"\1", stripped.upper())
        case "name":
            name = values.tidy_name(text)
            if not name:
                raise _fail("NAME_MISSING", f"{spec.header} is empty")
            if not values.name_characters_ok(name):
                raise _fail("NAME_CHARACTERS", f"{name} {values.name_problem(name)}")
            if values.name_case_odd(name):
                _warn(info, spec, "NAME_CASE", f"{name} is all capitals or all lower case")
            return name
        case "learner_number":
            return _learner_number(kind, spec, text, info)
        case "batch_number":
            return stripped or None
        case "learner_reference":
            if stripped and not re.fullmatch(r"[A-Za-z0-9 ]{1,12}", stripped):
                raise _fail("LEARNER_REF_FORMAT", f"{stripped} is not 1 to 12 letters/digits")
            return stripped or None
        case "yes_no" | "assessment_mode":
            return _choice(spec, text, None)
        case "grading_scheme":
            return _choice(spec, text, "graded")
        case "booking_status":
            return _choice(spec, text, "Active")
        case "grade":
            assert spec.vocabulary is not None
            if not stripped:
                raise _fail("FIELD_MISSING", f"{spec.header} is empty")
            grade = spec.vocabulary.lookup.get(values.choice_key(text))
            if grade is None:
                raise _fail(
                    "RESULT_GRADE", values.NOT_A_GRADE.format(stripped, spec.vocabulary.accepted)
                )
            return grade
        case "money":
            amount = values.money(text) if stripped else None
            if stripped and amount is None:
                raise _fail("VALUE_INVALID", f"{stripped} is not an amount in pounds")
            return amount
        case "code" | "text":
            if not stripped and spec.required:
                raise _fail("FIELD_MISSING", f"{spec.header} is empty")
            return (stripped.upper() if spec.type == "code" else stripped) or None
    raise AssertionError(f"no parser for field type {spec.type}")  # pragma: no cover


def _validator(kind: Kind, spec: FieldSpec) -> Callable[[Any, ValidationInfo], Any]:
    def validate_field(raw: Any, info: ValidationInfo) -> Any:
        return _parse(kind, spec, _as_text(raw), info)

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
    context: dict[str, Any] = {"today": today, "issues": []}
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
    return RecordVerdict(issues, None if has_error else parsed)
