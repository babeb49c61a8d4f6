"""Hostile, broken and awkward files, built on demand: the corpus the hostile-file tests run.

Every builder writes one file into a folder and returns its path. ``REFUSED`` are files no
reader should be handed (the scan names why), ``ISOLATED`` get past any scan but stop the
reader itself (the child process holds the line), ``READABLE`` are valid files that earlier
checks wrongly refused. Byte flips and truncations of real workbooks are generated from a
seed, so every run tries the same files.
"""

from __future__ import annotations

import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
HEADERS = ["Centre Number", "Product Code", "Forename", "Surname", "Date of Birth"]
ROW = ["100001", "603/0862/X", "Zoë", "O'Brien", "03/04/2010"]

Builder = Callable[[Path], Path]

_CT = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    "</Types>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# -- building blocks ----------------------------------------------------------------------


def relationships(*items: tuple[str, str, str]) -> str:
    """A relationships part: (id, type name, target) each."""
    body = "".join(
        f'<Relationship Id="{key}" Type="{_RELS}/{kind}" Target="{target}"/>'
        for key, kind, target in items
    )
    return (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships">{body}</Relationships>'
    )


def workbook_part(*sheets: tuple[str, str]) -> str:
    listed = "".join(
        f'<sheet name="{name}" sheetId="{n}" r:id="{key}"/>'
        for n, (name, key) in enumerate(sheets, 1)
    )
    return (
        f'<?xml version="1.0"?><workbook xmlns="{_MAIN}" xmlns:r="{_RELS}">'
        f"<sheets>{listed}</sheets></workbook>"
    )


def text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def learner_rows(first: int = 1) -> str:
    """A header and one learner, as rows of inline-string cells from row ``first``."""
    rows = []
    for offset, values in enumerate((HEADERS, ROW)):
        number = first + offset
        cells = "".join(text_cell(f"{chr(65 + c)}{number}", v) for c, v in enumerate(values))
        rows.append(f'<row r="{number}">{cells}</row>')
    return "".join(rows)


def sheet_part(rows: str, dimension: str | None = None, after: str = "") -> str:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">{declared}'
        f"<sheetData>{rows}</sheetData>{after}</worksheet>"
    )


def package(path: Path, parts: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return path


def standard_parts(sheet: str) -> dict[str, str | bytes]:
    """A minimal .xlsx at the usual paths whose one sheet is ``sheet``."""
    return {
        "[Content_Types].xml": _CT,
        "_rels/.rels": relationships(("rId1", "officeDocument", "xl/workbook.xml")),
        "xl/workbook.xml": workbook_part(("Learners", "rId1")),
        "xl/_rels/workbook.xml.rels": relationships(("rId1", "worksheet", "worksheets/sheet1.xml")),
        "xl/worksheets/sheet1.xml": sheet,
    }


def good_xlsx(path: Path) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Learners")
    for column, (header, value) in enumerate(zip(HEADERS, ROW, strict=True)):
        sheet.write_string(0, column, header)
        sheet.write_string(1, column, value)
    workbook.close()
    return path


def far_sheet(far: str) -> Builder:
    """A sheet with a learner and one more cell written as ``far`` (raw XML of a row)."""

    def build(path: Path) -> Path:
        return package(path, standard_parts(sheet_part(learner_rows() + far)))

    return build


def patch_stated_size(path: Path, name: str, size: int, crc: int) -> None:
    """Rewrite an entry's stated size and checksum in both of its zip headers."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + length] == encoded:
            struct.pack_into("<I", data, local + 14, crc)
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + length] == encoded:
            struct.pack_into("<I", data, central + 16, crc)
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


# -- .xlsx --------------------------------------------------------------------------------


def size_lie(path: Path) -> Path:
    """The directory states the first part of the sheet (checksum matching); the compressed
    data goes on to a value at XFD1048576."""
    honest = sheet_part(learner_rows())
    cut = honest.index("</sheetData>")
    prefix = honest[:cut].encode()
    whole = honest[:cut] + '<row r="1048576">' + text_cell("XFD1048576", "x") + "</row>"
    whole += honest[cut:]
    package(path, standard_parts(whole))
    patch_stated_size(path, "xl/worksheets/sheet1.xml", len(prefix), zlib.crc32(prefix))
    return path


def relocated_with_decoys(path: Path) -> Path:
    """``_rels/.rels`` leads to a real, huge sheet elsewhere; harmless decoys sit at xl/."""
    real = sheet_part(
        learner_rows() + '<row r="1048576">' + text_cell("XFD1048576", "x") + "</row>"
    )
    return package(
        path,
        {
            "[Content_Types].xml": _CT,
            "_rels/.rels": relationships(("rId1", "officeDocument", "data/workbook.xml")),
            "data/workbook.xml": workbook_part(("Learners", "rId9")),
            "data/_rels/workbook.xml.rels": relationships(("rId9", "worksheet", "s/real.xml")),
            "data/s/real.xml": real,
            "xl/workbook.xml": workbook_part(("Learners", "rId1")),
            "xl/_rels/workbook.xml.rels": relationships(
                ("rId1", "worksheet", "worksheets/sheet1.xml")
            ),
            "xl/worksheets/sheet1.xml": sheet_part(learner_rows()),
        },
    )


def cells_without_references(path: Path) -> Path:
    """16,384 value cells with no ``r`` fill row 1 to column XFD; one more sits on the last row."""
    first = '<row r="1">' + "<c><v>1</v></c>" * 16_384 + "</row>"
    last = '<row r="1048576"><c><v>1</v></c></row>'
    return package(path, standard_parts(sheet_part(first + last)))


def entity_bomb(part: str) -> Builder:
    """Billion laughs in one XML part of an otherwise good workbook."""
    declaration = (
        '<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    return _with_prolog(part, declaration)


def external_entity(part: str) -> Builder:
    return _with_prolog(part, '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>')


def _with_prolog(part: str, declaration: str) -> Builder:
    def build(path: Path) -> Path:
        good = good_xlsx(path.with_name(f"good-{path.name}"))
        with zipfile.ZipFile(good) as original, zipfile.ZipFile(path, "w") as copy:
            for entry in original.infolist():
                data = original.read(entry)
                if entry.filename == part:
                    end = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
                    data = data[:end] + declaration.encode() + data[end:]
                copy.writestr(entry, data, zipfile.ZIP_DEFLATED)
        return path

    return build


def zip_bomb(path: Path) -> Path:
    filler = " " * (16 * 1024 * 1024)
    return package(path, standard_parts(sheet_part(learner_rows() + filler)))


def overlapping_parts(path: Path) -> Path:
    """Two directory entries pointing at the same compressed data."""
    package(path, standard_parts(sheet_part(learner_rows())))
    data = bytearray(path.read_bytes())
    entries = []
    central = data.find(b"PK\x01\x02")
    while central != -1:
        entries.append(central)
        central = data.find(b"PK\x01\x02", central + 4)
    target = struct.unpack_from("<I", data, entries[-1] + 42)[0]
    struct.pack_into("<I", data, entries[0] + 42, target)
    path.write_bytes(bytes(data))
    return path


def zip_encrypted(path: Path) -> Path:
    """A part flagged as encrypted with the zip's own (weak) encryption."""
    package(path, standard_parts(sheet_part(learner_rows())))
    data = bytearray(path.read_bytes())
    for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at != -1:
            data[at + flags] |= 1
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def encrypted_xlsx(path: Path) -> Path:
    entry = "EncryptedPackage".encode("utf-16-le").ljust(64, b"\0")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + entry + bytes(1024))
    return path


# -- valid files that must not be refused -------------------------------------------------


def minimal_package(path: Path) -> Path:
    """Every part at the zip root, as calamine's own test file has them."""
    return package(
        path,
        {
            "[Content_Types].xml": _CT,
            "_rels/.rels": relationships(("rId1", "officeDocument", "workbook.xml")),
            "workbook.xml": workbook_part(("Learners", "rId1")),
            "_rels/workbook.xml.rels": relationships(("rId1", "worksheet", "sheet1.xml")),
            "sheet1.xml": sheet_part(learner_rows()),
        },
    )


def formatted_to_the_end(path: Path) -> Path:
    """Gnumeric's way: a dimension of the whole sheet and formatted empty cells out there."""
    rows = learner_rows() + '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    return package(path, standard_parts(sheet_part(rows, "A1:XFD1048576")))


def far_comment(path: Path) -> Path:
    """One comment far out: the sheet's dimension covers it, no value lies there."""
    parts = standard_parts(
        sheet_part(learner_rows(), "A1:ZZ900000", '<legacyDrawing r:id="rId2"/>')
    )
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = relationships(
        ("rId1", "comments", "../comments1.xml"), ("rId2", "vmlDrawing", "../drawings/d1.vml")
    )
    parts["xl/comments1.xml"] = (
        f'<?xml version="1.0"?><comments xmlns="{_MAIN}"><authors><author>a</author></authors>'
        '<commentList><comment ref="ZZ900000" authorId="0"><text><t>note</t></text></comment>'
        "</commentList></comments>"
    )
    parts["xl/drawings/d1.vml"] = "<xml><shape/></xml>"
    return package(path, parts)


# -- .ods ---------------------------------------------------------------------------------

_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


def ods(path: Path, rows: str, manifest_extra: str = "") -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Learners">'
        f"{rows}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
        f'manifest:full-path="content.xml" manifest:media-type="text/xml">{manifest_extra}'
        "</manifest:file-entry></manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", _ODS_MIME, zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def ods_cell(text: str, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell office:value-type="string"{repeated}><text:p>{text}</text:p>'
        "</table:table-cell>"
    )


def ods_learner_rows() -> str:
    return "".join(
        "<table:table-row>" + "".join(ods_cell(value) for value in values) + "</table:table-row>"
        for values in (HEADERS, ROW)
    )


def ods_repeats(rows: int, columns: int) -> Builder:
    def build(path: Path) -> Path:
        row = (
            f'<table:table-row table:number-rows-repeated="{rows}">{ods_cell("x", columns)}'
            "</table:table-row>"
        )
        return ods(path, ods_learner_rows() + row)

    return build


def ods_formatted_to_the_end(path: Path) -> Path:
    empty = (
        '<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
    )
    return ods(path, ods_learner_rows() + empty)


def ods_encrypted(path: Path) -> Path:
    data = '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>'
    return ods(path, ods_learner_rows(), data)


# -- .xls (patched copies of the committed fixture) ---------------------------------------


def _xls_records() -> tuple[bytearray, list[tuple[int, int, int]]]:
    """The fixture's bytes and its sheet's records: (offset, type, length)."""
    data = bytearray((FIXTURES / "learners.xls").read_bytes())
    bofs = [
        at
        for at in range(len(data) - 4)
        if data[at : at + 2] == b"\x09\x08" and struct.unpack_from("<H", data, at + 2)[0] == 16
    ]
    records, at = [], bofs[-1]
    while at + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, at)
        records.append((at, kind, length))
        if kind == 0x000A:
            break
        at += 4 + length
    return data, records


def xls_far_column(path: Path) -> Path:
    """One text cell's column set to 0xFFFF."""
    data, records = _xls_records()
    at = next(at for at, kind, _ in records if kind == 0x00FD)
    struct.pack_into("<H", data, at + 6, 0xFFFF)
    path.write_bytes(bytes(data))
    return path


def xls_forged_dimensions(path: Path) -> Path:
    data, records = _xls_records()
    at = next(at for at, kind, _ in records if kind == 0x0200)
    struct.pack_into("<IIHH", data, at + 4, 0, 0x7FFFFFFF, 0, 256)
    path.write_bytes(bytes(data))
    return path


def xls_cut_formula(path: Path) -> Path:
    """A formula record whose expression is cut after its first token: the reader panics."""
    data, records = _xls_records()
    at, _, length = next(record for record in records if record[1] == 0x00A1)  # page setup
    body = struct.pack("<HHH", 0, 9, 15) + bytes(14) + b"\x17"  # ptgStr with no length
    record = struct.pack("<HH", 0x0006, len(body)) + body
    filler = 4 + length - len(record) - 4
    record += struct.pack("<HH", 0x00EF, filler) + bytes(filler)
    data[at : at + 4 + length] = record
    path.write_bytes(bytes(data))
    return path


def xls_password(path: Path) -> Path:
    """The workbook globals carry a FilePass record: the file is encrypted."""
    data = bytearray((FIXTURES / "learners.xls").read_bytes())
    at = data.find(b"\x42\x00\x02\x00")  # the code page record, overwritten in place
    data[at : at + 6] = b"\x2f\x00\x02\x00\x01\x00"
    path.write_bytes(bytes(data))
    return path


# -- damage to real workbooks ---------------------------------------------------------------


def truncated(source: Path, fraction: float) -> Builder:
    def build(path: Path) -> Path:
        whole = source.read_bytes()
        path.write_bytes(whole[: int(len(whole) * fraction)])
        return path

    return build


def byte_flips(source: Path, count: int, seed: int) -> dict[str, Builder]:
    """``count`` copies of ``source``, each with one to three bytes changed."""
    chance = random.Random(seed)
    whole = source.read_bytes()
    builders: dict[str, Builder] = {}
    for number in range(count):
        flipped = bytearray(whole)
        for _ in range(chance.randint(1, 3)):
            flipped[chance.randrange(len(flipped))] ^= chance.randrange(1, 256)
        builders[f"flip{number:02d}-{source.name}"] = _writer(bytes(flipped))
    return builders


def _writer(content: bytes) -> Builder:
    def build(path: Path) -> Path:
        path.write_bytes(content)
        return path

    return build


# -- the corpus ---------------------------------------------------------------------------

REFUSED: dict[str, tuple[Builder, str]] = {
    # name: (builder, what the one line says)
    "size-lie.xlsx": (size_lie, "more data than its stated size"),
    "far-single-quotes.xlsx": (
        far_sheet("<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"),
        "cell area too large",
    ),
    "far-tab.xlsx": (
        far_sheet('<row r="1048576"><c\tr="XFD1048576"><v>1</v></c></row>'),
        "cell area too large",
    ),
    "far-lower-case.xlsx": (
        far_sheet('<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>'),
        "cell area too large",
    ),
    "far-beyond-excel.xlsx": (
        far_sheet('<row r="2000000"><c r="A2000000"><v>1</v></c></row>'),
        "beyond the last row",
    ),
    "no-references.xlsx": (cells_without_references, "cell area too large"),
    "relocated-decoys.xlsx": (relocated_with_decoys, "cell area too large"),
    "zip-bomb.xlsx": (zip_bomb, "zip bomb"),
    "overlapping.xlsx": (overlapping_parts, "overlap|damaged"),
    "encrypted.xlsx": (encrypted_xlsx, "password-protected; open it in Excel"),
    "zip-encrypted.xlsx": (zip_encrypted, "its parts are encrypted"),
    "external-entity.xlsx": (external_entity("xl/worksheets/sheet1.xml"), "entities"),
    "ods-31m-cells.ods": (ods_repeats(31_000, 1_000), "cell area too large"),
    "ods-95-columns.ods": (ods_repeats(1_048_570, 95), "cell area too large"),
    "ods-encrypted.ods": (ods_encrypted, "LibreOffice Calc"),
    "xls-column-ffff.xls": (xls_far_column, "column 65,536, beyond the last column"),
    "xls-dimensions.xls": (xls_forged_dimensions, "beyond the limits of an .xls"),
    "xls-password.xls": (xls_password, "password-protected; open it in Excel"),
    **{
        f"entities-{part.replace('/', '_')}.xlsx": (entity_bomb(part), "entities")
        for part in (
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
            "docProps/core.xml",
        )
    },
}

ISOLATED: dict[str, tuple[Builder, str]] = {
    "xls-cut-formula.xls": (xls_cut_formula, "the reader stopped on a damaged part"),
}

READABLE: dict[str, Builder] = {
    "minimal-package.xlsx": minimal_package,
    "formatted-to-the-end.xlsx": formatted_to_the_end,
    "far-comment.xlsx": far_comment,
    "ods-formatted-to-the-end.ods": ods_formatted_to_the_end,
}


def damaged() -> dict[str, Builder]:
    """Truncations and byte flips of real workbooks of every format (outcome not fixed)."""
    sources = [SAMPLES / "learners.xlsx", FIXTURES / "learners.xls", FIXTURES / "learners.ods"]
    builders: dict[str, Builder] = {}
    for source in sources:
        for fraction in (0.1, 0.5, 0.9, 0.99):
            builders[f"cut{int(fraction * 100):02d}-{source.name}"] = truncated(source, fraction)
    builders.update(byte_flips(SAMPLES / "learners.xlsx", 24, seed=11))
    builders.update(byte_flips(FIXTURES / "learners.xls", 12, seed=12))
    builders.update(byte_flips(FIXTURES / "learners.ods", 8, seed=13))
    return builders
