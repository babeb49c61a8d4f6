"""The pre-parse scan: exact about what it reads, bounded in how much, never over-cautious."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hostile_corpus import (
    ISOLATED,
    READABLE,
    REFUSED,
    learner_rows,
    package,
    sheet_part,
    standard_parts,
    text_cell,
)

from centredesk.io import limits
from centredesk.io.errors import InputError
from centredesk.io.ooxml_scan import _reference
from centredesk.io.zip_parts import PART_SCAN_BYTES, ZipParts


@pytest.mark.parametrize("name", REFUSED)
def test_the_scan_refuses_each_hostile_file_in_one_line(tmp_path: Path, name: str) -> None:
    build, pattern = REFUSED[name]
    path = build(tmp_path / name)
    with pytest.raises(InputError) as caught:
        limits.check_file(path)
    message = str(caught.value)
    assert re.search(pattern, message), message
    assert message.startswith(name) and "\n" not in message


@pytest.mark.parametrize("name", [*READABLE, *ISOLATED])
def test_the_scan_lets_valid_files_through(tmp_path: Path, name: str) -> None:
    # Files that earlier checks wrongly refused (parts at the zip root, a sheet formatted to
    # its last cell, a far comment), and one only the reader itself chokes on.
    build = READABLE[name] if name in READABLE else ISOLATED[name][0]
    limits.check_file(build(tmp_path / name))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A1", (0, 0)),
        ("XFD1048576", (1_048_575, 16_383)),
        ("xfd1048576", (1_048_575, 16_383)),
        (" XFD1048576 ", (1_048_575, 16_383)),  # an entity-decoded tab, say
        ("7", (6, None)),
        ("A0", None),
        ("1A", None),
        ("", None),
    ],
)
def test_cell_references_read_as_the_reader_reads_them(
    text: str, expected: tuple[int, int | None] | None
) -> None:
    assert _reference(text) == expected


def test_cells_without_a_reference_take_the_next_column_and_row(tmp_path: Path) -> None:
    # Two rows of three unreferenced values, then one referenced far out on the third row:
    # the box is rows 1-3 by columns A-ZZ, too large only if the positions are counted right.
    rows = "<row>" + "<c><v>1</v></c>" * 3 + "</row>"
    far = '<row><c r="XFD3"><v>1</v></c></row>'
    path = package(tmp_path / "positions.xlsx", standard_parts(sheet_part(rows * 2 + far)))
    limits.check_file(path)  # 3 x 16,384 cells: small
    deep = '<row r="5000"><c><v>1</v></c></row>'
    path = package(tmp_path / "deep.xlsx", standard_parts(sheet_part(rows + far + deep)))
    with pytest.raises(InputError, match="row 1 to 5,000 and column A to XFD"):
        limits.check_file(path)


def test_formatting_and_empty_values_do_not_count(tmp_path: Path) -> None:
    far = '<row r="1048576"><c r="XFD1048576" s="3"/><c r="XFE1048576" s="3"></c></row>'
    path = package(tmp_path / "styled.xlsx", standard_parts(sheet_part(learner_rows() + far)))
    limits.check_file(path)
    valued = '<row r="1048576">' + text_cell("XFD1048576", "") + "</row>"
    path = package(tmp_path / "valued.xlsx", standard_parts(sheet_part(learner_rows() + valued)))
    with pytest.raises(InputError, match="cell area too large"):
        limits.check_file(path)


def test_a_large_part_is_read_only_up_to_the_bound(tmp_path: Path) -> None:
    # What lies past the bound is for the reading process's limits to catch.
    padding = "<!--" + "".join(f"{n:08x}" for n in range(PART_SCAN_BYTES // 8)) + "-->"
    far = '<row r="1048576">' + text_cell("XFD1048576", "x") + "</row>"
    sheet = sheet_part(learner_rows() + padding + far)
    path = package(tmp_path / "long.xlsx", standard_parts(sheet))
    limits.check_file(path)
    with ZipParts(path) as parts:
        part = parts.find("XL/Worksheets/Sheet1.xml")  # found as calamine finds it
        assert part is not None and not parts.reads_whole(part)
        assert len(parts.head(part, PART_SCAN_BYTES)) == PART_SCAN_BYTES


def test_two_parts_with_one_name_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in standard_parts(sheet_part(learner_rows())).items():
            archive.writestr(name, content)
        # Part names compare without regard to case: this is the same part again.
        archive.writestr("XL/worksheets/sheet1.xml", sheet_part(learner_rows()))
    with pytest.raises(InputError, match="two parts named"):
        limits.check_file(path)


def test_a_corrupt_zip_directory_is_damaged_not_an_os_error(tmp_path: Path) -> None:
    path = package(tmp_path / "offset.xlsx", standard_parts(sheet_part(learner_rows())))
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")
    data[central + 42 : central + 46] = b"\xff\xff\xff\x7f"  # a header far past the end
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="damaged"):
        limits.check_file(path)


def test_an_xls_stream_is_found_through_its_container() -> None:
    limits.check_file(Path(__file__).parent / "fixtures" / "learners.xls")
