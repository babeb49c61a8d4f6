"""Checks that run before any parser sees a file, so a hostile or broken file is refused early.

calamine (behind fastexcel) builds a sheet as one dense block and aborts the process in Rust
when an allocation fails, where Python cannot catch it. Every upload is read in a child
process with memory and time limits (:mod:`centredesk.io.isolated`), so whatever the parser
does, the command that asked stays up. These checks come first and give the clear reason in
milliseconds: the file's size and type, then per format an exact but bounded scan:

- .xlsx/.xlsm: the zip as its raw bytes say (:mod:`centredesk.io.zip_parts`), the sheets
  found through the package's relationships, each sheet's value cells
  (:mod:`centredesk.io.ooxml_scan`);
- .ods: password protection and each table's value cells, repeats multiplied out
  (:mod:`centredesk.io.ods_scan`);
- .xls: the compound file, each sheet's declared dimensions and cell records
  (:mod:`centredesk.io.xls_scan`).
"""

from __future__ import annotations

from pathlib import Path

from centredesk.io.cell_area import MAX_CELL_AREA, MAX_COLUMNS, MAX_ROWS, column_number
from centredesk.io.errors import InputError
from centredesk.io.ods_scan import scan_spreadsheet
from centredesk.io.ooxml_scan import scan_package
from centredesk.io.xls_scan import CFB_MAGIC, scan_workbook
from centredesk.io.zip_parts import ZipParts

__all__ = [
    "CFB_MAGIC",
    "MAX_CELL_AREA",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "TEXT_SUFFIXES",
    "WORKBOOK_SUFFIXES",
    "check_file",
    "column_number",
]

# A whole 1,048,576-row sheet of 15 columns is about 120 MB as xlsx or 160 MB as CSV.
MAX_FILE_BYTES = 512 * 1024 * 1024
CHUNK_BYTES = 4 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
# The stream an encrypted (password-protected) OOXML workbook keeps inside its CFB container.
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}


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
    try:
        if suffix in TEXT_SUFFIXES:
            _check_text(name, head)
        elif suffix == ".xls":
            _check_xls(path, head)
        else:
            _check_zip_workbook(path, head, suffix)
    except OSError as error:
        raise InputError(
            f"{name}: cannot be read ({error.strerror or error}); save or download it again"
        ) from None


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
            raise _password_protected(name)
        scan_workbook(path)
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
            raise _password_protected(name)
        if suffix == ".ods":
            raise InputError(f"{name}: is an Excel .xls workbook, not .ods; rename it to .xls")
        raise InputError(f"{name}: is an old-style .xls workbook; rename it to .xls")
    if head.startswith(EMPTY_ZIP_MAGIC):
        raise InputError(f"{name}: is an empty zip file with no sheets in it")
    if not head.startswith(ZIP_MAGIC):
        raise InputError(f"{name}: is not a {suffix} workbook (the content is not a zip file)")
    with ZipParts(path) as parts:
        if suffix == ".ods":
            scan_spreadsheet(parts)
        else:
            scan_package(parts)


def _password_protected(name: str) -> InputError:
    return InputError(
        f"{name}: is password-protected; open it in Excel, remove the password and save it again"
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
