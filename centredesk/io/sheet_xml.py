"""A bounded look into a worksheet's XML for what calamine cannot tell us: formula cells
that carry no calculated value.

Excel saves each formula's last result next to it (``<f>A2*2</f><v>84</v>``). Files written
by scripts often hold the formula alone, and every reader (calamine included) then sees an
empty cell. Only the XML says the cell is not empty but uncalculated, so the sheet's part is
streamed through in chunks (never inflated whole), and only chunks that hold a formula at all
are searched cell by cell. Runs only on files whose limits were already checked.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

CHUNK_BYTES = 4 * 1024 * 1024
MAX_PART_BYTES = 16 * 1024 * 1024
"""The workbook part and its relationships are small; a bigger one is not read."""
MAX_CARRY_BYTES = 64 * 1024 * 1024
"""A cell is never this long: text carried over between chunks is dropped past it."""

_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet\b")
_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\b([^>]*)>")
_RELATION_ID = re.compile(rb'\s[A-Za-z_][\w.-]*:id\s*=\s*"([^"]*)"')
_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b([^>]*)>")
_ID = re.compile(rb'\sId\s*=\s*"([^"]*)"')
_TARGET = re.compile(rb'\sTarget\s*=\s*"([^"]*)"')
_REFERENCE = re.compile(rb'\sr\s*=\s*"([A-Z]{1,3})([0-9]{1,7})"')
_STRING_RESULT = re.compile(rb'\st\s*=\s*"str"')
_CELL_TAILS = (b" ", b">", b"\n", b"\t", b"\r")
"""What may follow a cell's element name in its start tag (``<c r=…>``, ``<c>``, or a line
break before the attributes)."""


@dataclass(frozen=True)
class FormulaCells:
    """Cells holding a formula without a calculated value: parallel lists of row numbers
    and column letters (as Excel shows them)."""

    rows: list[int] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


def uncalculated_formulas(path: Path, index: int) -> FormulaCells:
    """The formula cells with no calculated value in the ``index``-th sheet (0-based).

    A cell whose ``r`` reference is missing cannot be placed and is left out. An unreadable
    workbook yields nothing here: the parser says what is wrong with it.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            entry = sheet_entry(archive, index)
            if entry is None:
                return FormulaCells()
            return _scan(archive, entry)
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, zlib.error):
        return FormulaCells()


def sheet_entry(archive: zipfile.ZipFile, index: int) -> str | None:
    """The zip entry of the ``index``-th sheet, as the workbook and its relationships say."""
    entries = sheet_entries(archive)
    return entries[index] if index < len(entries) else None


def sheet_entries(archive: zipfile.ZipFile) -> list[str | None]:
    """The zip entry of every sheet, in workbook order (None where it cannot be found)."""
    workbook = _small_part(archive, "xl/workbook.xml")
    relations = _small_part(archive, "xl/_rels/workbook.xml.rels")
    if workbook is None or relations is None:
        return []
    targets: dict[bytes, str] = {}
    for attributes in _RELATIONSHIP.findall(relations):
        found_id, target = _ID.search(attributes), _TARGET.search(attributes)
        if found_id and target:
            targets.setdefault(found_id.group(1), target.group(1).decode("utf-8", "replace"))
    names = set(archive.namelist())
    entries: list[str | None] = []
    for attributes in _SHEET.findall(workbook):
        wanted = _RELATION_ID.search(attributes)
        location = targets.get(wanted.group(1)) if wanted else None
        if location is None:
            entries.append(None)
            continue
        if location.startswith("/"):
            entry = location.lstrip("/")
        else:
            entry = posixpath.normpath(posixpath.join("xl", location))
        entries.append(entry if entry in names else None)
    return entries


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        with archive.open(name) as stream:
            part = stream.read(MAX_PART_BYTES + 1)
    except KeyError:
        return None
    return part if len(part) <= MAX_PART_BYTES else None


def _scan(archive: zipfile.ZipFile, entry: str) -> FormulaCells:
    finder = FormulaFinder()
    with archive.open(entry) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            finder.feed(chunk)
    return finder.found


class FormulaFinder:
    """Finds the uncalculated formula cells of a sheet's XML fed to it in chunks, in order.

    Chunks may cut the XML anywhere; only chunks that hold a formula at all are searched
    cell by cell. What it has found so far is in :attr:`found`.
    """

    def __init__(self) -> None:
        self.found = FormulaCells()
        self.prefix: bytes | None = None
        """The namespace prefix of the sheet's elements with its colon (``b"x:"``), or
        ``b""``; None until the root element has been seen."""
        self._carry = b""  # the start of a cell cut off at the end of the previous chunk
        self._marker: re.Pattern[bytes] | None = None

    def feed(self, chunk: bytes) -> None:
        carry = self._carry
        if self.prefix is None:
            root = _ROOT.search(carry + chunk)
            if root is None:
                self._carry = (carry + chunk)[-MAX_CARRY_BYTES:]
                return
            self.prefix = root.group(1) + b":" if root.group(1) else b""
        prefix = self.prefix
        marker = b"<" + prefix + b"f"
        if self._marker is None:
            # A compiled pattern finds a literal faster than ``in`` among the many "<".
            self._marker = re.compile(re.escape(marker))
        # The carried cell is short: looking in it whole costs nothing.
        if self._marker.search(chunk) is None and marker not in carry + chunk[: len(marker)]:
            # Most chunks hold no formula: keep only the last, unfinished cell.
            opened = _last_cell_start(chunk, prefix, len(chunk))
            self._carry = chunk[opened:] if opened >= 0 else (carry + chunk)[-MAX_CARRY_BYTES:]
            return
        text = carry + chunk
        end = _last_cell_end(text, prefix)
        if end < 0:
            self._carry = text[-MAX_CARRY_BYTES:]
            return
        _formulas_in(text[:end], prefix, self.found)
        self._carry = text[end:]


def _last_cell_start(text: bytes, prefix: bytes, before: int) -> int:
    """Where the last cell's start tag before ``before`` begins; -1 if there is none.

    Looked for as ``<c`` and checked for what follows: looking for each way a tag may go on
    would search the whole text for the ways it does not.
    """
    opening = b"<" + prefix + b"c"
    at = text.rfind(opening, 0, before)
    while at >= 0:
        if text[at + len(opening) : at + len(opening) + 1] in _CELL_TAILS:
            return at
        at = text.rfind(opening, 0, at)
    return -1


def _last_cell_end(text: bytes, prefix: bytes) -> int:
    """Where the last whole cell of ``text`` ends (after its end tag); -1 if none does."""
    opening = b"</" + prefix + b"c"
    closing = re.compile(re.escape(opening) + rb"\s*>")
    at = text.rfind(opening)
    while at >= 0:
        end = closing.match(text, at)
        if end is not None:
            return end.end()
        at = text.rfind(opening, 0, at)
    return -1


def _formulas_in(text: bytes, prefix: bytes, found: FormulaCells) -> None:
    """Add the uncalculated formula cells among the whole cells of ``text``."""
    formula = re.compile(b"<" + re.escape(prefix) + rb"f[\s>/]")
    if formula.search(text) is None:
        return
    close = re.compile(b"</" + re.escape(prefix) + rb"c\s*>")
    # A value with text in it, whatever the attributes of its tag (xml:space, say).
    value = re.compile(b"<" + re.escape(prefix) + rb"v(?:\s[^>]*)?>\s*[^<\s]")
    any_value = re.compile(b"<" + re.escape(prefix) + rb"v[\s>/]")
    position = 0
    while (hit := formula.search(text, position)) is not None:
        start = _last_cell_start(text, prefix, hit.start())
        ended = close.search(text, hit.end())
        if start < 0 or ended is None:
            break
        cell = text[start : ended.start()]
        position = ended.end()
        attributes = cell[: cell.find(b">") + 1]
        if value.search(cell):
            continue
        if _STRING_RESULT.search(attributes) and any_value.search(cell):
            continue  # a formula whose calculated text is empty
        reference = _REFERENCE.search(attributes)
        if reference:
            found.columns.append(reference.group(1).decode("ascii"))
            found.rows.append(int(reference.group(2)))
