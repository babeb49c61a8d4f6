"""Checks that run before any parser sees a file, so a hostile or broken file cannot hurt us.

calamine (behind fastexcel) allocates a worksheet's whole cell area up front and aborts the
process in Rust when that allocation fails, where Python cannot catch it. So every limit
here is checked on the raw bytes: the file's size and type, and for zip-based workbooks the
entries as they really decompress (headers can lie), each worksheet's declared dimension and
the cell references that lie far out. Each check costs one streaming pass at C speed.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from centredesk.io.errors import InputError

# Excel's own sheet limits.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384  # column XFD

# A whole 1,048,576-row sheet of 15 columns is about 120 MB as xlsx or 160 MB as CSV.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
# A full 1,048,576 x 15 sheet's XML is about 0.7-1.2 GB uncompressed.
MAX_UNCOMPRESSED_BYTES = 4 * 1024 * 1024 * 1024
# Worksheet XML compresses 10-30 to 1; zip bombs reach 1000 to 1. Small entries are exempt,
# since a tiny file's ratio says nothing.
MAX_COMPRESSION_RATIO = 200
RATIO_EXEMPT_BYTES = 1024 * 1024
# calamine keeps one ~32-byte slot per cell of the sheet's bounding box: 32 columns of a full
# sheet (about 1 GB) is the most we let it ask for.
MAX_CELL_AREA = 32 * MAX_ROWS
MAX_SHARED_STRINGS = MAX_CELL_AREA

CHUNK_BYTES = 4 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream an encrypted (password-protected) OOXML workbook keeps inside its CFB container.
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}

_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?"')
_SHARED_COUNT = re.compile(rb'<sst\b[^>]*?\b(?:uniqueCount|count)="(\d+)"')
# References that can make calamine's cell area large: a row number of 7 or more digits
# (row 1,000,000 and beyond) or a column past Z. Real sheets have few or none, so a fast
# Arrow (RE2) count over each chunk comes first and Python's regex only looks at chunks
# that have some.
_SUSPECT = r' r="(?:[A-Z]{0,4}\d{7,}|[A-Z]{2,4}\d+)"'
_SUSPECT_PARTS = re.compile(rb' r="([A-Z]{0,4})(\d{7,})"| r="([A-Z]{2,4})(\d+)"')
# Every row and cell reference's row number: needed only for sheets wider than column Z.
_ANY_ROW = re.compile(rb' r="[A-Z]{0,4}(\d+)"')
_ONE_LETTER_COLUMNS = 26
_WORKSHEET_ENTRY = re.compile(r"^xl/worksheets/[^/]+\.xml$")


@dataclass(frozen=True)
class SheetExtent:
    """The largest row and column a worksheet declares or references (1-based)."""

    rows: int
    columns: int


def column_number(letters: str) -> int:
    """1-based column number of Excel column letters ("A" -> 1, "XFD" -> 16384)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number


def check_file(path: Path) -> None:
    """Refuse a file we will not hand to a parser; return quietly when it may be read."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES | TEXT_SUFFIXES:
        raise InputError(
            f"{name}: {suffix or 'no extension'} files are not read; "
            "save it as .xlsx, .xlsm, .xls, .ods, .csv, .tsv or .txt"
        )
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder, not a file") from None
    except OSError as error:
        raise InputError(f"{name}: cannot be opened ({error.strerror})") from None
    if size == 0:
        raise InputError(f"{name}: the file is empty (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"{name}: {size / 2**20:,.0f} MB is more than the {MAX_FILE_BYTES // 2**20} MB "
            "limit; split it into smaller files"
        )
    if suffix in TEXT_SUFFIXES:
        _check_text(name, head)
    elif suffix == ".xls":
        _check_xls(path, head)
    else:
        _check_zip_workbook(path, head, suffix)


def _check_text(name: str, head: bytes) -> None:
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        raise InputError(
            f"{name}: is a zip file or Excel workbook, not text; "
            "give it its real extension (.xlsx or .ods)"
        )
    if head.startswith(CFB_MAGIC):
        raise InputError(f"{name}: is an Excel workbook, not text; give it its real extension")


def _check_xls(path: Path, head: bytes) -> None:
    name = path.name
    if head.startswith(CFB_MAGIC):
        if _is_encrypted_ooxml(path):
            raise InputError(
                f"{name}: is password-protected; open it in Excel, remove the password "
                "and save it again"
            )
        return
    if head.startswith(ZIP_MAGIC):
        raise InputError(f"{name}: is an .xlsx workbook with an .xls name; rename it to .xlsx")
    if head.lstrip().lower().startswith((b"<html", b"<!doc", b"<?xml", b"<table")):
        raise InputError(
            f"{name}: is a web page (HTML or XML) saved with an .xls name, not a workbook; "
            "open it in Excel and save it as .xlsx"
        )
    raise InputError(f"{name}: is not an Excel workbook (the content is not .xls)")


def _check_zip_workbook(path: Path, head: bytes, suffix: str) -> None:
    name = path.name
    if head.startswith(CFB_MAGIC):
        if _is_encrypted_ooxml(path):
            raise InputError(
                f"{name}: is password-protected; open it in Excel, remove the password "
                "and save it again"
            )
        raise InputError(f"{name}: is an old-style .xls workbook; rename it to .xls")
    if head.startswith(EMPTY_ZIP_MAGIC):
        raise InputError(f"{name}: is an empty zip file with no sheets in it")
    if not head.startswith(ZIP_MAGIC):
        raise InputError(f"{name}: is not a {suffix} workbook (the content is not a zip file)")
    try:
        with zipfile.ZipFile(path) as archive:
            _scan_archive(name, archive, suffix)
    except zipfile.BadZipFile:
        raise InputError(
            f"{name}: the workbook is damaged or incomplete (truncated?); save or download it again"
        ) from None
    except (zlib.error, EOFError, NotImplementedError, ValueError):
        raise InputError(
            f"{name}: the workbook is damaged (its compressed data cannot be read); "
            "save or download it again"
        ) from None


def _scan_archive(name: str, archive: zipfile.ZipFile, suffix: str) -> None:
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise InputError(
            f"{name}: holds {len(entries):,} parts, more than the {MAX_ZIP_ENTRIES:,} "
            "a workbook needs; refused as unsafe"
        )
    names = {entry.filename for entry in entries}
    if suffix == ".ods":
        if "content.xml" not in names:
            raise InputError(f"{name}: is a zip file but not an OpenDocument spreadsheet")
    elif "xl/workbook.xml" not in names:
        raise InputError(f"{name}: is a zip file but not an Excel workbook")
    elif not any(_WORKSHEET_ENTRY.match(entry) for entry in names):
        raise InputError(f"{name}: the workbook has no worksheets (charts or images only?)")
    total = 0
    for entry in entries:
        total += _scan_entry(name, archive, entry, total)


def _scan_entry(name: str, archive: zipfile.ZipFile, entry: zipfile.ZipInfo, before: int) -> int:
    """Decompress one entry in chunks, enforcing the caps; return its real size."""
    is_sheet = _WORKSHEET_ENTRY.match(entry.filename) is not None
    is_shared = entry.filename == "xl/sharedStrings.xml"
    size = 0
    tail = b""  # the end of the previous chunk, so a reference cut in two is still seen
    extent = SheetExtent(0, 0)
    with archive.open(entry) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            if size == 0 and (is_sheet or is_shared):
                _check_head(name, entry.filename, chunk, is_sheet)
            size += len(chunk)
            if before + size > MAX_UNCOMPRESSED_BYTES:
                raise InputError(
                    f"{name}: unpacks to more than {MAX_UNCOMPRESSED_BYTES // 2**30} GB; "
                    "refused as unsafe (a zip bomb?)"
                )
            if size > RATIO_EXEMPT_BYTES and size > MAX_COMPRESSION_RATIO * max(
                entry.compress_size, 1
            ):
                raise InputError(
                    f"{name}: part {entry.filename} unpacks more than "
                    f"{MAX_COMPRESSION_RATIO} times its packed size; refused as unsafe "
                    "(a zip bomb?)"
                )
            if is_sheet:
                extent = _suspect_extent(tail + chunk, extent)
                tail = chunk[-32:]
    if is_sheet:
        if extent.columns > _ONE_LETTER_COLUMNS:
            # A wide sheet: its area depends on the largest row of any cell, not only the
            # far ones, so read the rows too (a second pass, for wide sheets only).
            extent = SheetExtent(max(extent.rows, _largest_row(archive, entry)), extent.columns)
        _check_extent(name, entry.filename, extent, "has a cell at")
    return size


def _check_head(name: str, entry: str, chunk: bytes, is_sheet: bool) -> None:
    """The declared dimension of a worksheet, or the declared count of shared strings."""
    if not is_sheet:
        counted = _SHARED_COUNT.search(chunk[:4096])
        if counted and int(counted.group(1)) > MAX_SHARED_STRINGS:
            raise InputError(
                f"{name}: declares {int(counted.group(1)):,} distinct texts, more than a "
                "workbook can hold; refused as unsafe"
            )
        return
    declared = _DIMENSION.search(chunk[:65536])
    if declared is None:
        return
    first_col, first_row, last_col, last_row = (
        group.decode("ascii") if group else "" for group in declared.groups()
    )
    extent = SheetExtent(
        int(last_row or first_row or 1), column_number(last_col or first_col or "A")
    )
    _check_extent(name, entry, extent, "declares cells up to")


def _suspect_extent(text: bytes, extent: SheetExtent) -> SheetExtent:
    """Grow the extent by the far rows and wide columns referenced in one chunk of XML."""
    if not pc.count_substring_regex(pa.array([text], pa.binary()), _SUSPECT)[0].as_py():
        return extent
    rows, columns = extent.rows, extent.columns
    for far_letters, far_row, wide_letters, wide_row in _SUSPECT_PARTS.findall(text):
        letters, row = (far_letters, far_row) if far_row else (wide_letters, wide_row)
        rows = max(rows, int(row))
        if letters:
            columns = max(columns, column_number(letters.decode("ascii")))
    return SheetExtent(rows, columns)


def _largest_row(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> int:
    largest, tail = 0, b""
    with archive.open(entry) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            largest = max(largest, *map(int, _ANY_ROW.findall(tail + chunk)), 0)
            tail = chunk[-32:]
    return largest


def _check_extent(name: str, entry: str, extent: SheetExtent, verb: str) -> None:
    sheet = Path(entry).stem
    if extent.rows > MAX_ROWS or extent.columns > MAX_COLUMNS:
        raise InputError(
            f"{name}: worksheet {sheet} {verb} row {extent.rows:,}, column "
            f"{extent.columns:,}, beyond Excel's limit of {MAX_ROWS:,} rows and column XFD; "
            "refused as damaged or unsafe"
        )
    if extent.rows * max(extent.columns, 1) > MAX_CELL_AREA:
        raise InputError(
            f"{name}: worksheet {sheet} {verb} row {extent.rows:,}, column "
            f"{extent.columns:,}, a cell area too large to read safely; delete the unused "
            "rows and columns in Excel (or split the sheet) and save again"
        )


def _is_encrypted_ooxml(path: Path) -> bool:
    """Whether a CFB container holds an encrypted OOXML package (a password-protected xlsx).

    The stream names sit in the container's directory sectors, which may be anywhere in
    the file, so the whole file is searched in chunks.
    """
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            if ENCRYPTED_PACKAGE in tail + chunk:
                return True
            tail = chunk[-len(ENCRYPTED_PACKAGE) :]
    return False
