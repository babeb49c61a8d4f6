"""The pre-parse scan of an .xlsx/.xlsm package: find its sheets as the reader does, then
judge each by the cells that hold values.

calamine finds the workbook through the package's relationships, not at a fixed path:
``_rels/.rels`` names the office document, the workbook's own relationships name its
sheets. So does this scan; a decoy ``xl/worksheets/sheet1.xml`` beside a relocated real sheet
changes nothing. As a second net, any part whose root element is a sheet is scanned too.

Each sheet is streamed through expat (bounded: its first megabyte, or all of a smaller one)
tracking cell positions exactly as calamine does: a ``<c>`` with ``r`` takes that position,
one without takes the next column, a ``<row>`` sets or advances the row. Only cells with a
value (a ``<v>`` or ``<is>`` child) count towards the area the reader would allocate.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from centredesk.io.cell_area import CellBox, column_number
from centredesk.io.errors import InputError
from centredesk.io.xml_stream import (
    BrokenXml,
    StartHandler,
    UnsafeXml,
    local_name,
    parse,
    root_element,
)
from centredesk.io.zip_parts import Part, ZipParts

_OFFICE_DOCUMENT = "/officeDocument"
_SHEET_ROOTS = {"worksheet", "chartsheet", "dialogsheet", "macrosheet"}
# How far into a part its root element must start (a real part's prolog is a line or two).
PROLOG_BYTES = 64 * 1024
_REFERENCE = re.compile(r"\s*([A-Za-z]*)([0-9]+)\s*")


@dataclass
class _Sheet:
    name: str
    parts: list[str] = field(default_factory=list)


def scan_package(parts: ZipParts) -> None:
    """Refuse a package that is not a workbook, hides unsafe XML, or holds a sheet too large."""
    sheets = _sheets(parts)
    scanned: set[str] = set()
    for sheet in sheets:
        for candidate in sheet.parts:
            part = parts.find(candidate)
            if part is not None and part.name not in scanned:
                scanned.add(part.name)
                _scan_sheet(parts, part, sheet.name)
    for part in parts.parts:
        if part.name in scanned or part.name.endswith("/") or not _looks_like_xml(parts, part):
            continue
        root = _checked_root(parts, part)
        if root is not None and local_name(root) in _SHEET_ROOTS:
            _scan_sheet(parts, part, part.name)


def _sheets(parts: ZipParts) -> list[_Sheet]:
    """The sheets the workbook lists, each with the part names the reader may open for it."""
    name = parts.name
    not_a_workbook = InputError(f"{name}: is a zip file but not an Excel workbook")
    package_rels = parts.find("_rels/.rels")
    if package_rels is None:
        raise not_a_workbook
    documents = [
        target
        for kind, target in _relationships(parts, package_rels).values()
        if kind.endswith(_OFFICE_DOCUMENT)
    ]
    if not documents:
        raise not_a_workbook
    # calamine takes the last office document, and reads workbook.xml in its folder.
    document = documents[-1]
    folder = posixpath.dirname(document.lstrip("/"))
    workbook_names = _unique([_join(folder, "workbook.xml"), _resolve("", document)])
    workbook = next((part for n in workbook_names if (part := parts.find(n)) is not None), None)
    if workbook is None:
        raise not_a_workbook
    listed = _listed_sheets(parts, workbook)
    if not listed:
        raise InputError(f"{name}: the workbook has no sheets")
    home, base = posixpath.split(workbook.name)
    rels_names = _unique(
        [_join(folder, "_rels/workbook.xml.rels"), _join(home, f"_rels/{base}.rels")]
    )
    targets: dict[str, str] = {}
    for rels_name in rels_names:
        rels = parts.find(rels_name)
        if rels is not None:
            for key, (_, target) in _relationships(parts, rels).items():
                targets.setdefault(key, target)
    sheets = []
    for sheet_name, key in listed:
        if key not in targets:
            continue
        target = targets[key]
        calamine = target[1:] if target.startswith("/") else _join(folder, target)
        opc = _resolve(home, target)
        sheets.append(_Sheet(sheet_name, _unique([calamine, opc])))
    return sheets


def _relationships(parts: ZipParts, part: Part) -> dict[str, tuple[str, str]]:
    """Id -> (Type, Target) of a relationships part."""
    found: dict[str, tuple[str, str]] = {}

    def start(name: str, attributes: dict[str, str]) -> None:
        if local_name(name) == "Relationship" and attributes.get("TargetMode") != "External":
            found[attributes.get("Id", "")] = (
                attributes.get("Type", ""),
                attributes.get("Target", ""),
            )

    _parse_whole(parts, part, start)
    return found


def _listed_sheets(parts: ZipParts, workbook: Part) -> list[tuple[str, str]]:
    """(sheet name, relationship id) of each ``<sheet>`` in the workbook part."""
    listed: list[tuple[str, str]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        if local_name(name) != "sheet":
            return
        key = next(
            (value for attr, value in attributes.items() if ":" in attr and attr.endswith(":id")),
            "",
        )
        listed.append((attributes.get("name", "?"), key))

    _parse_whole(parts, workbook, start)
    return listed


def _parse_whole(parts: ZipParts, part: Part, start: StartHandler) -> None:
    if not parts.reads_whole(part):
        raise InputError(
            f"{parts.name}: part {part.name} is {part.stated_size:,} bytes, far more than a "
            "workbook needs; refused as damaged or unsafe"
        )
    try:
        parse(parts.stream(part), start, complete=True)
    except UnsafeXml:
        raise _unsafe(parts.name, part) from None
    except BrokenXml as error:
        raise _broken(parts.name, part, str(error)) from None


def _scan_sheet(parts: ZipParts, part: Part, sheet: str) -> None:
    cells = _SheetCells()
    try:
        parse(parts.stream(part), cells.start, cells.end, complete=parts.reads_whole(part))
    except UnsafeXml:
        raise _unsafe(parts.name, part) from None
    except BrokenXml as error:
        raise _broken(parts.name, part, str(error)) from None
    cells.box.check(parts.name, sheet)


class _SheetCells:
    """expat handlers that place each cell as calamine's cell reader does.

    Called for every element of a sheet, so written for speed: names and column letters
    are looked up in small caches, and the bounding box is kept in plain attributes.
    """

    def __init__(self) -> None:
        self.row = 0
        self.column = 0
        self.in_cell = False
        self.cell_row = self.cell_column = 0
        self.has_value = False
        self.first_row = self.first_column = 1 << 62
        self.last_row = self.last_column = -1
        self.cells = 0
        self._names: dict[str, str] = {}

    def _local(self, name: str) -> str:
        local = self._names.get(name)
        if local is None:
            local = self._names[name] = local_name(name)
        return local

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = self._local(name)
        if self.in_cell:
            if local == "v" or local == "is":
                self.has_value = True
        elif local == "c":
            self.in_cell = True
            self.has_value = False
            reference = _reference(attributes.get("r"))
            if reference is not None and reference[1] is not None:
                self.cell_row, self.cell_column = reference[0], reference[1]
                self.column = reference[1]
            else:
                self.cell_row, self.cell_column = self.row, self.column
        elif local == "row":
            reference = _reference(attributes.get("r"))
            if reference is not None:
                self.row = reference[0]

    def end(self, name: str) -> None:
        local = self._local(name)
        if self.in_cell:
            if local == "c":
                if self.has_value:
                    self._count(self.cell_row, self.cell_column)
                self.in_cell = False
                self.column += 1
        elif local == "row":
            self.row += 1
            self.column = 0

    def _count(self, row: int, column: int) -> None:
        self.cells += 1
        if row < self.first_row:
            self.first_row = row
        if row > self.last_row:
            self.last_row = row
        if column < self.first_column:
            self.first_column = column
        if column > self.last_column:
            self.last_column = column

    @property
    def box(self) -> CellBox:
        if not self.cells:
            return CellBox()
        return CellBox(
            self.first_row, self.last_row, self.first_column, self.last_column, self.cells
        )


_COLUMNS: dict[str, int] = {}


def _reference(text: str | None) -> tuple[int, int | None] | None:
    """0-based (row, column) of a reference such as ``XFD1048576`` (column None for ``7``)."""
    if text is None:
        return None
    letters = text.rstrip("0123456789")
    digits = text[len(letters) :]
    if not (digits and (letters.isalpha() or not letters) and letters.isascii()):
        matched = _REFERENCE.fullmatch(text)  # spaces around it, say
        if matched is None:
            return None
        letters, digits = matched[1], matched[2]
    row = int(digits)
    if row == 0:
        return None
    if not letters:
        return row - 1, None
    column = _COLUMNS.get(letters)
    if column is None:
        column = column_number(letters) - 1
        if len(_COLUMNS) < 4096:
            _COLUMNS[letters] = column
    return row - 1, column


def _looks_like_xml(parts: ZipParts, part: Part) -> bool:
    head = parts.head(part, 8).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _checked_root(parts: ZipParts, part: Part) -> str | None:
    """The part's root element, after refusing a document type declaration before it."""
    try:
        return root_element(parts.stream(part, PROLOG_BYTES))
    except UnsafeXml:
        raise _unsafe(parts.name, part) from None
    except BrokenXml as error:
        raise _broken(parts.name, part, str(error)) from None


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _resolve(folder: str, target: str) -> str:
    """A relationship target resolved as the packaging standard says (for the second net)."""
    path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(path).lstrip("/") if path else path


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(name for name in names if name))


def _unsafe(file_name: str, part: Part) -> InputError:
    return InputError(
        f"{file_name}: part {part.name} declares XML entities or a document type, which no "
        "workbook needs; refused as unsafe"
    )


def _broken(file_name: str, part: Part, why: str) -> InputError:
    return InputError(
        f"{file_name}: the workbook is damaged (part {part.name} is not valid XML: {why}); "
        "save or download it again"
    )
