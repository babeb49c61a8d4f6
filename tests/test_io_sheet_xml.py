"""Finding formula cells saved without a value, in worksheet XML as different writers lay it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from centredesk.io import sheet_xml
from centredesk.io.sheet_xml import uncalculated_formulas

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def workbook(path: Path, sheets: dict[str, str], *, prefix: str = "") -> Path:
    """A bare workbook: each sheet name -> its <sheetData> content, parts where the
    relationships say (a sheet named "/…" is stored at that absolute path)."""
    p = f"{prefix}:" if prefix else ""
    declared = f'xmlns:{prefix}="{NS.split(chr(34))[1]}"' if prefix else NS
    entries, rels = [], []
    for number, (name, rows) in enumerate(sheets.items(), 1):
        target = name if name.startswith("/") else f"worksheets/sheet{number}.xml"
        entry = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        entries.append((f'<{p}sheet name="S{number}" sheetId="{number}" r:id="rId{number}"/>',
                        entry, f"<{p}worksheet {declared}><{p}sheetData>{rows}</{p}sheetData>"
                        f"</{p}worksheet>"))  # fmt: skip
        rels.append(f'<Relationship Id="rId{number}" Target="{target}"/>')
    with zipfile.ZipFile(path, "w") as archive:
        sheet_list = "".join(entry[0] for entry in entries)
        archive.writestr(
            "xl/workbook.xml",
            f"<{p}workbook {declared} {REL}><{p}sheets>{sheet_list}</{p}sheets></{p}workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels", f"<Relationships>{''.join(rels)}</Relationships>"
        )
        for _, entry, xml in entries:
            archive.writestr(entry, xml)
    return path


def cell(reference: str, inner: str, attributes: str = "", prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    prefixed = inner.replace("<", f"<{p}").replace(f"<{p}/", f"</{p}")
    return f'<{p}c r="{reference}"{attributes}>{prefixed}</{p}c>'


def test_formulas_with_and_without_values(tmp_path: Path) -> None:
    rows = (
        '<row r="2">' + cell("A2", "<v>1</v>") + cell("B2", "<f>A2*2</f>")
        + cell("C2", "<f>A2*2</f><v>2</v>") + cell("D2", "<f>A2*2</f><v/>") + "</row>"
        + '<row r="3">' + cell("B3", '<f t="shared" si="0"/>')
        + cell("C3", "<f>T(A3)</f><v></v>", ' t="str"') + cell("D3", "<f>T(A3)</f>", ' t="str"')
        + cell("AB3", "<f>1</f><v> </v>") + "</row>"
    )  # fmt: skip
    found = uncalculated_formulas(workbook(tmp_path / "f.xlsx", {"a": rows}), 0)
    assert list(zip(found.rows, found.columns, strict=True)) == [
        (2, "B"), (2, "D"), (3, "B"), (3, "D"), (3, "AB"),
    ]  # fmt: skip


@pytest.mark.parametrize("chunk", [7, 64, 4096])
def test_cells_cut_across_chunks_and_prefixed_elements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(sheet_xml, "CHUNK_BYTES", chunk)
    rows = "".join(
        f'<x:row r="{n}">' + cell(f"A{n}", "<v>1</v>", prefix="x")
        + cell(f"B{n}", "<f>A1</f>" if n % 3 else "<f>A1</f><v>4</v>", prefix="x") + "</x:row>"
        for n in range(1, 40)
    )  # fmt: skip
    found = uncalculated_formulas(workbook(tmp_path / "p.xlsx", {"a": rows}, prefix="x"), 0)
    assert found.rows == [n for n in range(1, 40) if n % 3]
    assert set(found.columns) == {"B"}


def test_the_sheet_is_found_through_the_relationships(tmp_path: Path) -> None:
    first = '<row r="1">' + cell("A1", "<f>1</f>") + "</row>"
    second = '<row r="5">' + cell("C5", "<f>1</f>") + "</row>"
    path = workbook(tmp_path / "r.xlsx", {"a": first, "/xl/data/moved.xml": second})
    assert uncalculated_formulas(path, 1).rows == [5]
    assert uncalculated_formulas(path, 0).rows == [1]
    assert uncalculated_formulas(path, 2).rows == []  # no such sheet: nothing, no error


def test_a_damaged_workbook_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert uncalculated_formulas(path, 0).rows == []


@pytest.mark.parametrize("chunk", [40, 300, 4096])
def test_tags_broken_over_lines_are_found_wherever_the_chunks_fall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # Some writers put a line break or a tab after an element's name.
    monkeypatch.setattr(sheet_xml, "CHUNK_BYTES", chunk)
    rows = "".join(
        f'<row r="{n}"><c\nr="A{n}"><v>1</v></c><c\tr="B{n}">'
        + ('<f\nt="normal">A1</f>' if n % 3 else "<f>A1</f><v>2</v>")
        + "</c></row>"
        for n in range(1, 60)
    )
    found = uncalculated_formulas(workbook(tmp_path / "n.xlsx", {"a": rows}), 0)
    assert found.rows == [n for n in range(1, 60) if n % 3]
    assert set(found.columns) == {"B"}


@pytest.mark.parametrize("chunk", [40, 300, 4096])
def test_end_tags_with_spaces_and_values_with_attributes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(sheet_xml, "CHUNK_BYTES", chunk)
    rows = "".join(
        f'<row r="{n}"><c r="A{n}"><v>1</v></c ><c r="B{n}"><f>A1</f>'
        + ('<v xml:space="preserve">5</v>' if n % 2 else "")
        + "</c\n></row>"
        for n in range(1, 40)
    )
    found = uncalculated_formulas(workbook(tmp_path / "e.xlsx", {"a": rows}), 0)
    assert list(zip(found.rows, found.columns, strict=True)) == [(n, "B") for n in range(2, 40, 2)]
