"""Bad and hostile files are refused with one line that says what is wrong, before parsing."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from centredesk.io import limits
from centredesk.io.cell_area import CellBox
from centredesk.io.errors import HeaderError, InputError
from centredesk.io.reader import read_sheet

HEADERS = ["Centre Number", "Product Code", "Forename", "Surname", "Date of Birth"]


def good_xlsx(path: Path) -> Path:
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("Learners")
    for column, header in enumerate(HEADERS):
        sheet.write_string(0, column, header)
        sheet.write_string(1, column, "x")
    workbook.close()
    return path


def rewrite_sheet(source: Path, target: Path, change: object) -> Path:
    """Copy a workbook, passing its first worksheet's XML through ``change``."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for entry in original.infolist():
            data = original.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = change(data)  # type: ignore[operator]
            copy.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return target


def refused(path: Path, pattern: str, error: type[InputError] = InputError) -> None:
    with pytest.raises(error, match=pattern) as caught:
        read_sheet(path)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(path.name)


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "random.xlsx"
    path.write_bytes(os.urandom(4096))
    refused(path, r"not a \.xlsx workbook")


def test_truncated_zip(tmp_path: Path) -> None:
    whole = good_xlsx(tmp_path / "whole.xlsx").read_bytes()
    path = tmp_path / "half.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    refused(path, "damaged or incomplete")


def test_password_protected(tmp_path: Path) -> None:
    # An encrypted OOXML workbook is a CFB container holding an EncryptedPackage stream.
    path = tmp_path / "locked.xlsx"
    directory_entry = "EncryptedPackage".encode("utf-16-le").ljust(64, b"\0")
    path.write_bytes(limits.CFB_MAGIC + bytes(504) + directory_entry + bytes(1024))
    refused(path, "password-protected")


def test_zip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"

    def inflate(xml: bytes) -> bytes:
        return xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (8 * 1024 * 1024))

    rewrite_sheet(good_xlsx(tmp_path / "g.xlsx"), path, inflate)
    refused(path, "zip bomb")


def test_a_declared_dimension_alone_is_not_refused(tmp_path: Path) -> None:
    # The reader ignores a declared dimension beyond a small reservation: only cells with
    # values count, so a sheet declared (or formatted) to XFD1048576 reads as it is.
    path = tmp_path / "declared.xlsx"

    def forge(xml: bytes) -> bytes:
        return xml.replace(b'<dimension ref="A1:E2"/>', b'<dimension ref="A1:XFD1048576"/>')

    rewrite_sheet(good_xlsx(tmp_path / "g.xlsx"), path, forge)
    assert read_sheet(path).cells.height == 1


@pytest.mark.parametrize(
    ("far", "pattern"),
    [
        (
            b'<row r="2000000"><c r="B2000000"><v>1</v></c></row>',
            "value on row 2,000,000, beyond the last row",
        ),
        (
            b'<row r="900000"><c r="ZZ900000"><v>1</v></c></row>',
            "row 1 to 900,000 and column A to ZZ",
        ),
    ],
)
def test_a_far_value_is_refused(tmp_path: Path, far: bytes, pattern: str) -> None:
    path = tmp_path / "far.xlsx"

    def forge(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", far + b"</sheetData>")

    rewrite_sheet(good_xlsx(tmp_path / "g.xlsx"), path, forge)
    refused(path, pattern)


def test_empty_sheet_and_image_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    workbook = xlsxwriter.Workbook(empty)
    workbook.add_worksheet("Blank")
    workbook.close()
    refused(empty, "no visible sheet has any cells")

    picture = tmp_path / "picture.png"
    picture.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    )
    image_only = tmp_path / "image.xlsx"
    workbook = xlsxwriter.Workbook(image_only)
    workbook.add_worksheet("Scan").insert_image("B2", str(picture))
    workbook.close()
    refused(image_only, "no visible sheet has any cells")


def test_no_header(tmp_path: Path) -> None:
    path = tmp_path / "noheader.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet("Data").write_row(0, 0, ["a", "b", "c"])
    workbook.close()
    refused(path, r"no sheet has a recognisable header.*sheets: Data", HeaderError)


@pytest.mark.parametrize(
    ("name", "content", "pattern"),
    [
        ("learners.pdf", b"%PDF-1.4", r"\.pdf files are not read"),
        ("learners.csv", b"PK\x03\x04rest", "not text"),
        ("learners.xls", b"<html><table></table></html>", "web page"),
        ("learners.xlsx", limits.CFB_MAGIC + bytes(600), r"old-style \.xls"),
        ("empty.csv", b"", r"empty \(0 bytes\)"),
    ],
)
def test_wrong_type(tmp_path: Path, name: str, content: bytes, pattern: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    refused(path, pattern)


def test_a_full_size_sheet_of_sixteen_columns_passes_the_area_check() -> None:
    box = CellBox()
    box.add(0, 0, rows=limits.MAX_ROWS, columns=16)
    box.check("big.xlsx", "Learners")
    box.add(0, 16)
    with pytest.raises(InputError, match="cell area too large"):
        box.check("big.xlsx", "Learners")


def test_openpyxl_parses_with_defusedxml(tmp_path: Path) -> None:
    assert openpyxl.DEFUSEDXML is True
    path = tmp_path / "entities.xlsx"

    def entity(xml: bytes) -> bytes:
        declaration = b'<!DOCTYPE worksheet [<!ENTITY boom "boom">]>'
        return xml.replace(b"?>", b"?>" + declaration, 1)

    rewrite_sheet(good_xlsx(tmp_path / "g.xlsx"), path, entity)
    with pytest.raises(Exception, match="(?i)entit"):
        openpyxl.load_workbook(path)


def test_forged_ods_repetition_is_refused(tmp_path: Path) -> None:
    # An .ods row can claim to repeat a cell across a billion positions; the scan multiplies
    # the repeats out and refuses it in one line, before any reader tries to build it.
    source = Path(__file__).parent / "fixtures" / "learners.ods"
    path = tmp_path / "repeated.ods"
    forged_row = (
        '<table:table-row table:number-rows-repeated="200000">'
        '<table:table-cell table:number-columns-repeated="5000" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
    )
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as copy:
        for entry in original.infolist():
            data = original.read(entry)
            if entry.filename == "content.xml":
                at = data.rfind(b"<table:table-row>")
                data = data[:at] + forged_row.encode() + data[at:]
            copy.writestr(entry, data, zipfile.ZIP_DEFLATED)
    refused(path, "cell area too large")
