"""The template use case: an empty upload workbook for one kind, for CLI and app alike.

When a store with a catalogue is at hand, its product codes become the template's
dropdown; without one (a new installation, or no ``--db``) the template is still complete,
just without the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from centredesk.io.export_templates import write_template
from centredesk.io.workbook import SafeWorkbook
from centredesk.store import Store
from centredesk.validation.fields import SCHEMAS, Kind


@dataclass(frozen=True)
class TemplateOutcome:
    """What a template holds: where it went, its columns, and the dropdown's size."""

    kind: Kind
    path: Path
    columns: int
    product_codes: int

    def summary(self) -> str:
        """One line for the terminal or the status bar."""
        line = f"wrote the {self.kind} template ({self.columns} columns) to {self.path}"
        if self.product_codes:
            line += f" with {self.product_codes:,} product codes to choose from"
        return line


def template(
    kind: Kind, target: str | Path, *, store: Store | None = None, force: bool = False
) -> TemplateOutcome:
    """Write the upload template for ``kind`` to ``target``."""
    target = Path(target)
    codes = store.exports.catalogue_codes() if store is not None else []
    with SafeWorkbook(target, force=force) as book:
        write_template(book, kind, codes)
    dropdown = len(codes) if kind != "products" else 0
    return TemplateOutcome(kind, target, len(SCHEMAS[kind]), dropdown)
