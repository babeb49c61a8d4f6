"""docs/rules.md is generated from the rule catalogue and must not go stale."""

from __future__ import annotations

from pathlib import Path

from centredesk.cli.rules import markdown
from centredesk.validation.catalogue import RULES, row_codes

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def test_docs_rules_md_matches_the_catalogue() -> None:
    assert DOCS.read_text(encoding="utf-8") == markdown(), (
        "docs/rules.md is stale: run `centredesk rules --format markdown > docs/rules.md`"
    )


def test_every_design_code_is_in_the_catalogue_with_its_severity() -> None:
    severities = {rule.code: rule.severity for rule in RULES}
    design = {
        "ULN_FORMAT": "error", "ULN_CHECKSUM": "error", "ULN_TEMPORARY": "warning",
        "ULN_CONFLICT": "error", "NAME_MISSING": "error", "NAME_CHARACTERS": "error",
        "NAME_CASE": "warning", "DOB_MISSING": "error", "DOB_INVALID": "error",
        "DOB_FUTURE": "error", "DOB_IMPLAUSIBLE": "error or warning",
        "PRODUCT_MISSING": "error", "PRODUCT_FORMAT": "error", "PRODUCT_UNKNOWN": "error",
        "PRODUCT_NOT_APPROVED": "error", "PRODUCT_CLOSED": "error", "PRODUCT_CHECK": "warning",
        "CENTRE_MISSING": "error", "CENTRE_UNKNOWN": "error", "LEARNER_REF_FORMAT": "error",
        "DUP_IN_FILE": "error", "DUP_IN_STORE": "error", "DUP_SUSPECTED": "warning",
        "DISCOUNT_CLASH": "warning",
    }  # fmt: skip
    assert {code: severities.get(code) for code in design} == design
    assert len(severities) == len(RULES)  # codes are unique
    assert "DUP_IN_FILE" not in row_codes() and "ULN_CHECKSUM" in row_codes()
