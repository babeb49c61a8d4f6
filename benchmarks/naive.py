"""The naive pipeline the benchmarks compare against: what one writes without thinking.

openpyxl row iteration, one Pydantic model per row, dict lookups for cross-row checks and
``executemany`` into DuckDB. It is deliberately straightforward, not deliberately slow.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

_NAME = re.compile(r"^[^\W\d_]+(?:[ '’.\-][^\W\d_]*)*$")
_EXCEL_EPOCH = date(1899, 12, 30)


def read_rows(path: Path, limit: int | None = None) -> list[tuple[Any, ...]]:
    """Every row of the first sheet as a tuple, via openpyxl's read-only mode."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        max_row = None if limit is None else limit + 3
        return [tuple(row) for row in sheet.iter_rows(values_only=True, max_row=max_row)]
    finally:
        workbook.close()


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text}")


class LearnerRow(BaseModel):
    """One registration row, checked field by field."""

    model_config = ConfigDict(coerce_numbers_to_str=True, str_strip_whitespace=True)

    centre_number: str
    product_code: str
    forename: str
    surname: str
    date_of_birth: date
    uln: str | None = None
    learner_reference: str | None = None
    batch_number: int | None = None
    registration_date: date | None = None
    reasonable_adjustments: str | None = None

    @field_validator("date_of_birth", "registration_date", mode="before")
    @classmethod
    def _dates(cls, value: object) -> date | None:
        return None if value in (None, "") else _date(value)

    @field_validator("uln", mode="before")
    @classmethod
    def _uln(cls, value: object) -> str | None:
        if value in (None, ""):
            return None
        text = str(int(value)) if isinstance(value, float | int) else str(value).strip()
        if text == "9999999999":
            return text
        if not re.fullmatch(r"[1-9][0-9]{9}", text):
            raise ValueError("ULN_FORMAT")
        total = sum(int(d) * w for d, w in zip(text[:9], range(10, 1, -1), strict=True)) % 11
        if total == 0 or int(text[9]) != (0 if total == 10 else 10 - total):
            raise ValueError("ULN_CHECKSUM")
        return text

    @field_validator("forename", "surname")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("NAME_CHARACTERS")
        return value

    @field_validator("product_code")
    @classmethod
    def _product(cls, value: str) -> str:
        digits = value.replace("/", "")
        if not re.fullmatch(r"[0-9]{7}[0-9X]", digits):
            raise ValueError("PRODUCT_FORMAT")
        return f"{digits[:3]}/{digits[3:7]}/{digits[7]}"


FIELDS = list(LearnerRow.model_fields)


def validate_rows(
    rows: list[dict[str, Any]], reference: dict[str, Any], today: date
) -> tuple[list[LearnerRow | None], list[tuple[int, str]]]:
    """Each row through the model, then cross-row checks with dicts and sets."""
    issues: list[tuple[int, str]] = []
    models: list[LearnerRow | None] = []
    for index, row in enumerate(rows):
        try:
            model = LearnerRow(**row)
        except ValidationError as error:
            issues += [(index, str(e["msg"])) for e in error.errors()]
            models.append(None)
            continue
        if model.date_of_birth > today:
            issues.append((index, "DOB_FUTURE"))
        if model.forename.isupper() or model.surname.isupper():
            issues.append((index, "NAME_CASE"))
        models.append(model)
    products, approvals = reference["products"], reference["approvals"]
    registered = reference["registered"]
    seen: set[tuple[str, str, str]] = set()
    by_uln: Counter[str] = Counter()
    for index, model in enumerate(models):
        if model is None:
            continue
        product = products.get(model.product_code)
        if product is None:
            issues.append((index, "PRODUCT_UNKNOWN"))
            continue
        if (model.centre_number, model.product_code) not in approvals:
            issues.append((index, "PRODUCT_NOT_APPROVED"))
        if product["operational_end_date"] < (model.registration_date or today):
            issues.append((index, "PRODUCT_CLOSED"))
        who = model.uln or f"{model.forename}|{model.surname}|{model.date_of_birth}"
        key = (model.centre_number, who, model.product_code)
        if key in seen:
            issues.append((index, "DUP_IN_FILE"))
        seen.add(key)
        if key in registered:
            issues.append((index, "DUP_IN_STORE"))
        if model.uln:
            by_uln[model.uln] += 1
    return models, issues
