"""The naive pipeline the benchmarks compare against: what one writes without thinking.

openpyxl row iteration, one Pydantic model per row, dict lookups for cross-row checks and
``executemany`` into DuckDB. It is deliberately straightforward, not deliberately slow.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from centredesk.validation.fields import field_names
from centredesk.validation.models import RecordVerdict, check_record

FIELDS = field_names("learners")


def read_rows(path: Path, limit: int | None = None) -> list[tuple[Any, ...]]:
    """Every row of the first sheet as a tuple, via openpyxl's read-only mode."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        max_row = None if limit is None else limit + 3
        return [tuple(row) for row in sheet.iter_rows(values_only=True, max_row=max_row)]
    finally:
        workbook.close()


def cell_text(value: object) -> str | None:
    """What the user typed, roughly: the naive way of turning a cell back into text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _identity(verdict: RecordVerdict, record: Mapping[str, object]) -> tuple[str, str]:
    """(ULN or name-and-birth key, name-and-birth key) of a record that passed its row rules."""
    model: Any = verdict.record
    person = f"{str(model.forename).casefold()}|{str(model.surname).casefold()}|"
    person += str(model.date_of_birth)
    uln = model.uln if model.uln and model.uln != "9999999999" else None
    return (uln or person), person


def validate_rows(
    rows: list[dict[str, Any]], reference: dict[str, Any], today: date
) -> tuple[list[RecordVerdict], list[tuple[int, str]]]:
    """Each row through the project's Pydantic model, then every cross-row rule with dicts.

    The row rules are exactly the engine's (the model is proven to agree with it), so the
    two sides of the benchmark check the same things.
    """
    issues: list[tuple[int, str]] = []
    verdicts: list[RecordVerdict] = []
    for index, row in enumerate(rows):
        record = {name: cell_text(value) for name, value in row.items()}
        verdict = check_record("learners", record, today=today)
        issues += [(index, issue.code) for issue in verdict.issues]
        verdicts.append(verdict)
    products, approvals = reference["products"], reference["approvals"]
    centres, registered = reference["centres"], reference["registered"]
    stored_uln_person, stored_person_ulns = reference["uln_person"], reference["person_ulns"]
    active_codes = reference["active_codes"]
    seen: set[tuple[str, str, str]] = set()
    file_uln_person: dict[str, str] = {}
    file_codes: dict[tuple[str, str], set[str]] = {}
    for index, verdict in enumerate(verdicts):
        model: Any = verdict.record
        if model is None:
            continue
        who, person = _identity(verdict, rows[index])
        centre, code = model.centre_number, model.product_code
        if centres and centre not in centres:
            issues.append((index, "CENTRE_UNKNOWN"))
        product = products.get(code)
        if product is None:
            if products:
                issues.append((index, "PRODUCT_UNKNOWN"))
            continue
        if (centre, code) not in approvals:
            issues.append((index, "PRODUCT_NOT_APPROVED"))
        if product["operational_end_date"] < (model.registration_date or today):
            issues.append((index, "PRODUCT_CLOSED"))
        key = (centre, who, code)
        if key in seen:
            issues.append((index, "DUP_IN_FILE"))
        seen.add(key)
        if key in registered:
            issues.append((index, "DUP_IN_STORE"))
        if who != person:  # a real ULN
            owner = file_uln_person.setdefault(who, person)
            if owner != person or stored_uln_person.get(who, person) != person:
                issues.append((index, "ULN_CONFLICT"))
            if stored_person_ulns.get(person, {who}) - {who}:
                issues.append((index, "DUP_SUSPECTED"))
        discount = product["discount_code"]
        if discount:
            codes = file_codes.setdefault((centre, who), set())
            if discount in codes or discount in active_codes.get((centre, who), ()):
                issues.append((index, "DISCOUNT_CLASH"))
            codes.add(discount)
    return verdicts, issues
