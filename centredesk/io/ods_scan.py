"""The pre-parse scan of an .ods spreadsheet: password protection, and each table's area.

An OpenDocument row or cell can say it repeats (``table:number-rows-repeated``,
``table:number-columns-repeated``): a file under a kilobyte can describe thirty million
cells, and calamine builds every one of them. So the scan streams ``content.xml`` through
expat and multiplies the repeats out, counting only cells that hold a value; the repeated
empty cells spreadsheet programs write to format a sheet to its last row cost nothing.
"""

from __future__ import annotations

from centredesk.io.cell_area import CellBox
from centredesk.io.errors import InputError
from centredesk.io.xml_stream import BrokenXml, UnsafeXml, local_name, parse
from centredesk.io.zip_parts import ZipParts

_MANIFEST = "META-INF/manifest.xml"
_CELLS = {"table-cell", "covered-table-cell"}
# Attributes that give a cell a value without any text in it.
_VALUE_ATTRIBUTES = {
    "value",
    "value-type",
    "string-value",
    "date-value",
    "time-value",
    "boolean-value",
    "formula",
}


def scan_spreadsheet(parts: ZipParts) -> None:
    """Refuse an .ods that is encrypted, hides unsafe XML, or has a table too large to read."""
    name = parts.name
    content = parts.find("content.xml")
    if content is None:
        raise InputError(f"{name}: is a zip file but not an OpenDocument spreadsheet")
    manifest = parts.find(_MANIFEST)
    if manifest is not None and b"encryption-data" in parts.head(manifest, 1024 * 1024):
        raise InputError(
            f"{name}: is password-protected; open it in LibreOffice Calc, remove the password "
            "and save it again"
        )
    tables = _Tables()
    try:
        parse(parts.stream(content), tables.start, tables.end, complete=parts.reads_whole(content))
    except UnsafeXml:
        raise InputError(
            f"{name}: content.xml declares XML entities or a document type, which no "
            "spreadsheet needs; refused as unsafe"
        ) from None
    except BrokenXml as error:
        raise InputError(
            f"{name}: the spreadsheet is damaged (content.xml is not valid XML: {error}); "
            "save or download it again"
        ) from None
    for table, box in tables.boxes:
        box.check(name, table)


class _Tables:
    """expat handlers that lay out each table's rows and cells, repeats multiplied out."""

    def __init__(self) -> None:
        self.boxes: list[tuple[str, CellBox]] = []
        self.row = 0
        self.row_repeats = 1
        self.column = 0
        self.cell_repeats = 0
        self.cell_has_value = False
        self.row_columns: list[tuple[int, int]] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = local_name(name)
        if self.cell_repeats:
            self.cell_has_value = True  # any element inside a cell (text:p) is its content
            return
        if local == "table":
            self.boxes.append((attributes.get("table:name", "?"), CellBox()))
            self.row = 0
        elif local == "table-row":
            self.row_repeats = _repeats(attributes, "number-rows-repeated")
            self.column = 0
            self.row_columns = []
        elif local in _CELLS:
            self.cell_repeats = _repeats(attributes, "number-columns-repeated")
            self.cell_has_value = any(
                local_name(attribute) in _VALUE_ATTRIBUTES for attribute in attributes
            )

    def end(self, name: str) -> None:
        local = local_name(name)
        if self.cell_repeats:
            if local in _CELLS:
                if self.cell_has_value:
                    self.row_columns.append((self.column, self.cell_repeats))
                self.column += self.cell_repeats
                self.cell_repeats = 0
            return
        if local == "table-row":
            if self.boxes:
                box = self.boxes[-1][1]
                for column, repeats in self.row_columns:
                    box.add(self.row, column, self.row_repeats, repeats)
            self.row += self.row_repeats


def _repeats(attributes: dict[str, str], name: str) -> int:
    for attribute, value in attributes.items():
        if local_name(attribute) == name:
            try:
                return max(int(value.strip()), 1)
            except ValueError:
                return 1
    return 1
