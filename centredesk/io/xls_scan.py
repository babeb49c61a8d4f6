"""The pre-parse scan of an old-style .xls workbook: its container, then each sheet's records.

An .xls is a compound file (CFB) holding a "Workbook" stream of BIFF records. calamine
parses every sheet when it opens the file, reserving room for each sheet's declared
DIMENSIONS and then building the bounding box of its value and formula cells; a forged
dimension or one cell in column 0xFFFF asks for over a hundred gigabytes. So this scan reads
the container's allocation tables and directory, finds the stream, and walks the records
(bounded per sheet) as calamine does. Encrypted workbooks are named as such.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from centredesk.io.cell_area import MAX_CELL_AREA, CellBox
from centredesk.io.errors import InputError

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# BIFF8's own sheet limits.
XLS_ROWS = 65_536
XLS_COLUMNS = 256
# The records of each sheet the scan walks; the reading process's limits hold beyond them.
SHEET_SCAN_BYTES = 2 * 1024 * 1024
_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_MAX_REGULAR_SECTOR = 0xFFFFFFFA
_HEADER = struct.Struct("<8s16sHHHHHH4xIIIIIIIII")
_ENTRY = struct.Struct("<64sHBB3I16sI8s8sIQ")

# BIFF record types calamine turns into cells.
_BOF, _EOF, _FILEPASS, _SST, _BOUNDSHEET, _DIMENSIONS = (
    0x0809,
    0x000A,
    0x002F,
    0x00FC,
    0x0085,
    0x0200,
)
_NUMBER, _LABEL, _BOOLERR, _RK, _LABELSST, _MULRK, _FORMULA = (
    0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00BD, 0x0006,
)  # fmt: skip
_SINGLE_CELLS = {_NUMBER, _LABEL, _BOOLERR, _RK, _LABELSST}
_RECORD = struct.Struct("<HH")


def scan_workbook(path: Path) -> None:
    """Refuse an .xls that is encrypted, damaged in its structure, or too large to read."""
    name = path.name
    with path.open("rb") as handle:
        container = _Container(name, handle, path.stat().st_size)
        stream = container.stream("Workbook") or container.stream("Book")
    if stream is None:
        raise InputError(f"{name}: is not an Excel workbook (it has no workbook stream)")
    _scan_biff(name, stream)


def _scan_biff(name: str, stream: bytes) -> None:
    sheets: list[tuple[int, str]] = []
    for kind, data in _records(name, stream, 0, len(stream)):
        if kind == _FILEPASS and len(data) >= 2 and data[:2] != b"\0\0":
            raise InputError(
                f"{name}: is password-protected; open it in Excel, remove the password and "
                "save it again"
            )
        if kind == _SST and len(data) >= 8:
            declared = struct.unpack_from("<i", data, 4)[0]
            # Each text takes at least three bytes of the stream.
            if declared < 0 or declared > len(stream) // 3:
                raise _damaged(name, f"its text table declares {declared:,} texts")
        elif kind == _BOUNDSHEET and len(data) >= 8:
            position = struct.unpack_from("<I", data)[0]
            sheets.append((position, _sheet_name(data)))
        elif kind == _EOF:
            break
    for position, sheet in sheets:
        if not 0 <= position < len(stream):
            raise _damaged(name, f"sheet {sheet} starts outside the workbook stream")
        _scan_sheet(name, sheet, stream, position)


def _scan_sheet(name: str, sheet: str, stream: bytes, position: int) -> None:
    values, formulas = CellBox(), CellBox()
    end = min(len(stream), position + SHEET_SCAN_BYTES)
    for kind, data in _records(name, stream, position, end):
        if kind == _DIMENSIONS:
            _check_dimensions(name, sheet, data)
        elif kind in _SINGLE_CELLS and len(data) >= 4:
            row, column = struct.unpack_from("<HH", data)
            values.add(row, column)
        elif kind == _MULRK and len(data) >= 6:
            row, first = struct.unpack_from("<HH", data)
            last = struct.unpack_from("<H", data, len(data) - 2)[0]
            if last < first:
                raise _damaged(name, f"sheet {sheet} has a cell run that ends before it starts")
            values.add(row, first, 1, last - first + 1)
        elif kind == _FORMULA and len(data) >= 4:
            row, column = struct.unpack_from("<HH", data)
            values.add(row, column)
            formulas.add(row, column)
        elif kind == _EOF:
            break
    values.check(name, sheet, max_rows=XLS_ROWS, max_columns=XLS_COLUMNS)
    formulas.check(name, sheet, max_rows=XLS_ROWS, max_columns=XLS_COLUMNS)


def _check_dimensions(name: str, sheet: str, data: bytes) -> None:
    """calamine reserves room for the declared rows x columns before reading any cell."""
    if len(data) == 14:
        first_row, last_row, first_column, last_column = struct.unpack_from("<IIHH", data)
    elif len(data) == 10:
        first_row, last_row, first_column, last_column = struct.unpack_from("<HHHH", data)
    else:
        return  # calamine refuses it
    if last_row == 0 or last_column == 0:
        return
    # calamine's u32 arithmetic: a last row before the first wraps round to billions.
    rows = (last_row - 1 - first_row + 1) % 2**32
    columns = (last_column - 1 - first_column + 1) % 2**32
    if last_row > XLS_ROWS or last_column > XLS_COLUMNS:
        raise InputError(
            f"{name}: sheet {sheet} declares rows {first_row + 1:,} to {last_row:,} and "
            f"columns {first_column + 1:,} to {last_column:,}, beyond the limits of an .xls "
            "sheet; refused as damaged or unsafe"
        )
    if rows * columns > MAX_CELL_AREA:
        raise InputError(
            f"{name}: sheet {sheet} declares {rows:,} rows by {columns:,} columns, a cell "
            "area too large to read safely; save it again as .xlsx"
        )


def _records(name: str, stream: bytes, start: int, end: int) -> Iterator[tuple[int, bytes]]:
    """(type, data) of each BIFF record from ``start`` until ``end``."""
    at = start
    while at + 4 <= end:
        kind, length = _RECORD.unpack_from(stream, at)
        data = stream[at + 4 : at + 4 + length]
        if len(data) < length:
            raise _damaged(name, "a record runs past the end of the workbook stream")
        yield kind, data
        at += 4 + length


def _sheet_name(data: bytes) -> str:
    length = data[6] if len(data) > 6 else 0
    wide = len(data) > 7 and data[7] & 1
    raw = data[8 : 8 + length * (2 if wide else 1)]
    text = raw.decode("utf-16-le" if wide else "latin-1", errors="replace")
    return text or "?"


def _damaged(name: str, why: str) -> InputError:
    return InputError(
        f"{name}: the workbook is damaged ({why}); open it in Excel and save it again"
    )


class _Container:
    """Just enough of a compound file to find its streams, every sector number checked."""

    def __init__(self, name: str, handle: BinaryIO, size: int) -> None:
        self.name = name
        self.handle = handle
        self.size = size
        header = handle.read(_HEADER.size)
        if len(header) < _HEADER.size or header[:8] != CFB_MAGIC:
            raise _damaged(name, "its container header is incomplete")
        fields = _HEADER.unpack(header)
        sector_shift, mini_shift = fields[5], fields[6]  # fields[7..8]: reserved, directory size
        if sector_shift not in (9, 12) or mini_shift != 6:
            raise _damaged(name, "its container header is invalid")
        self.sector_size = 1 << sector_shift
        self.mini_size = 1 << mini_shift
        fat_count, first_directory = fields[9], fields[10]
        self.mini_cutoff, first_mini_fat, mini_fat_count = fields[12], fields[13], fields[14]
        first_difat, difat_count = fields[15], fields[16]
        self.sectors = max((size - 512) // self.sector_size, 0)
        self.fat = self._fat(fat_count, first_difat, difat_count)
        self.entries = self._directory(first_directory)
        root = self.entries[0] if self.entries else None
        self.mini_stream = self._chain_bytes(root[1], root[2]) if root else b""
        mini_fat = self._chain_bytes(first_mini_fat, mini_fat_count << sector_shift)
        self.mini_fat = self._table(mini_fat) if mini_fat_count else []

    def stream(self, wanted: str) -> bytes | None:
        for name, start, size in self.entries[1:]:
            if name.lower() == wanted.lower():
                if size < self.mini_cutoff:
                    return self._mini_bytes(start, size)
                return self._chain_bytes(start, size)
        return None

    def _sector(self, number: int) -> bytes:
        if number >= self.sectors:
            raise _damaged(self.name, "its container points outside the file")
        self.handle.seek(512 + number * self.sector_size)
        return self.handle.read(self.sector_size)

    def _fat(self, count: int, first_difat: int, difat_count: int) -> list[int]:
        self.handle.seek(76)
        listed = list(struct.unpack("<109I", self.handle.read(436)))
        sector, seen = first_difat, 0
        while sector <= _MAX_REGULAR_SECTOR and seen < difat_count:
            numbers = struct.unpack(f"<{self.sector_size // 4}I", self._sector(sector))
            listed.extend(numbers[:-1])
            sector, seen = numbers[-1], seen + 1
        fat_sectors = [number for number in listed if number <= _MAX_REGULAR_SECTOR][:count]
        return self._table(b"".join(self._sector(number) for number in fat_sectors))

    @staticmethod
    def _table(raw: bytes) -> list[int]:
        return list(struct.unpack(f"<{len(raw) // 4}I", raw[: len(raw) // 4 * 4]))

    def _chain(self, start: int, table: list[int]) -> Iterator[int]:
        sector, seen = start, 0
        while sector <= _MAX_REGULAR_SECTOR:
            if sector >= len(table) or seen > len(table):
                raise _damaged(self.name, "its container's sector chain is broken")
            yield sector
            sector, seen = table[sector], seen + 1

    def _chain_bytes(self, start: int, size: int) -> bytes:
        if size > self.size:
            raise _damaged(self.name, "a stream is larger than the file")
        chunks, taken = [], 0
        for sector in self._chain(start, self.fat):
            if taken >= size:
                break
            chunks.append(self._sector(sector))
            taken += self.sector_size
        return b"".join(chunks)[:size]

    def _mini_bytes(self, start: int, size: int) -> bytes:
        chunks, taken = [], 0
        for sector in self._chain(start, self.mini_fat):
            if taken >= size:
                break
            offset = sector * self.mini_size
            chunks.append(self.mini_stream[offset : offset + self.mini_size])
            taken += self.mini_size
        return b"".join(chunks)[:size]

    def _directory(self, first: int) -> list[tuple[str, int, int]]:
        raw = b"".join(self._sector(sector) for sector in self._chain(first, self.fat))
        entries = []
        for offset in range(0, len(raw) - _ENTRY.size + 1, _ENTRY.size):
            fields = _ENTRY.unpack_from(raw, offset)
            name_bytes, name_length, kind = fields[0], fields[1], fields[2]
            if kind == 0 or not 2 <= name_length <= 64:
                continue
            name = name_bytes[: name_length - 2].decode("utf-16-le", errors="replace")
            entries.append((name, fields[11], fields[12] & 0xFFFFFFFF))
        return entries
