"""The parts of a zip-based workbook (.xlsx, .xlsm, .ods), read the way a hostile file demands.

A zip's directory can lie: an entry can state a small size while its compressed data goes
on to gigabytes, two entries can share their data, a name can repeat. calamine (behind
fastexcel) inflates whatever the compressed data holds, so every part is read here from its
raw compressed bytes, never trusting the stated size: an entry small enough to read whole
is checked to end exactly at its stated size and checksum, and any other is read only up to
a bound (the child process that parses the file holds the line beyond it).

Costs: the central directory, plus a bounded inflate per part; never a full inflate of a
large worksheet.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from centredesk.io.errors import InputError

MAX_ZIP_ENTRIES = 10_000
# A full 1,048,576 x 15 sheet's XML is about 0.7-1.2 GB uncompressed.
MAX_UNCOMPRESSED_BYTES = 4 * 1024 * 1024 * 1024
# Worksheet XML compresses 10-30 to 1; zip bombs reach 1000 to 1. Small entries are exempt,
# since a tiny file's ratio says nothing.
MAX_COMPRESSION_RATIO = 200
RATIO_EXEMPT_BYTES = 1024 * 1024
# The bytes of each part the scan inflates (a part stated to be no larger is read whole and
# checked against its stated size), and of all parts together.
PART_SCAN_BYTES = 1024 * 1024
TOTAL_SCAN_BYTES = 32 * 1024 * 1024

CHUNK_BYTES = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_ENCRYPTED_FLAG = 0x1


@dataclass(frozen=True)
class Part:
    """One entry of the zip, as its central directory describes it."""

    name: str
    stated_size: int
    packed_size: int
    method: int
    crc: int
    header_offset: int


class ZipParts:
    """A zip workbook's parts, checked as a whole on opening; use as a context manager.

    Raises InputError (naming the file) for a damaged zip, one that a workbook program would
    never write (repeated names, overlapping or encrypted entries, unknown compression), or
    one whose stated sizes already say it is a bomb.
    """

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self._handle: BinaryIO = path.open("rb")
        try:
            self._size = path.stat().st_size
            self.parts = self._directory()
        except BaseException:
            self._handle.close()
            raise
        self._by_folded = {part.name.lower(): part for part in self.parts}
        self._scanned = 0

    def __enter__(self) -> ZipParts:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._handle.close()

    def find(self, name: str) -> Part | None:
        """The part called ``name``, compared without regard to ASCII case, as calamine does."""
        return self._by_folded.get(name.lower())

    def reads_whole(self, part: Part, limit: int = PART_SCAN_BYTES) -> bool:
        """Whether :meth:`stream` with this limit reads the part to its end."""
        return part.stated_size <= min(limit, max(TOTAL_SCAN_BYTES - self._scanned, 0))

    def head(self, part: Part, limit: int) -> bytes:
        """The first ``limit`` bytes of a part (fewer if it is shorter)."""
        return b"".join(self.stream(part, limit))

    def stream(self, part: Part, limit: int = PART_SCAN_BYTES) -> Iterator[bytes]:
        """A part's bytes in chunks, at most ``limit`` of them (and what the scan has left).

        A part whose stated size fits the limit is read to its end and must end exactly there
        with the stated checksum: more data, less data or another checksum is refused.
        """
        limit = min(limit, max(TOTAL_SCAN_BYTES - self._scanned, 0))
        produced = crc = 0
        inflater = zlib.decompressobj(-15) if part.method == _DEFLATED else None
        try:
            for packed in self._packed_chunks(part):
                pending = packed
                while pending:
                    if inflater is None:
                        data, pending = pending, b""
                    else:
                        data = inflater.decompress(pending, CHUNK_BYTES)
                        pending = inflater.unconsumed_tail
                    produced += len(data)
                    self._scanned += len(data)
                    crc = zlib.crc32(data, crc)
                    if produced > part.stated_size:
                        raise self._lying(part)
                    if produced > limit:
                        yield data[: len(data) - (produced - limit)]
                        return
                    if data:
                        yield data
                if inflater is not None and inflater.eof:
                    break
        except zlib.error:
            raise self._damaged(part, "its compressed data cannot be read") from None
        if inflater is not None and not inflater.eof:
            raise self._damaged(part, "its compressed data ends early")
        if produced != part.stated_size or crc != part.crc:
            raise self._damaged(part, "its size or checksum does not match")

    def _packed_chunks(self, part: Part) -> Iterator[bytes]:
        """The raw compressed bytes of a part, located from its local header."""
        self._handle.seek(part.header_offset)
        header = self._handle.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
            raise self._damaged(part, "its header is missing")
        fields = _LOCAL_HEADER.unpack(header)
        name_length, extra_length = fields[9], fields[10]
        start = part.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        if start + part.packed_size > self._size:
            raise self._damaged(part, "its data runs past the end of the file")
        self._handle.seek(start)
        left = part.packed_size
        while left:
            chunk = self._handle.read(min(CHUNK_BYTES, left))
            if not chunk:
                raise self._damaged(part, "the file ends inside it")
            left -= len(chunk)
            yield chunk

    def _directory(self) -> list[Part]:
        try:
            with zipfile.ZipFile(self._handle) as archive:
                entries = archive.infolist()
        except zipfile.BadZipFile:
            raise InputError(
                f"{self.name}: the workbook is damaged or incomplete (truncated?); save or "
                "download it again"
            ) from None
        except (OSError, ValueError, EOFError, struct.error, UnicodeDecodeError, OverflowError):
            raise InputError(
                f"{self.name}: the workbook is damaged (its zip directory cannot be read); "
                "save or download it again"
            ) from None
        if len(entries) > MAX_ZIP_ENTRIES:
            raise InputError(
                f"{self.name}: holds {len(entries):,} parts, more than the "
                f"{MAX_ZIP_ENTRIES:,} a workbook needs; refused as unsafe"
            )
        parts = [_part(entry) for entry in entries]
        self._check_parts(entries, parts)
        return parts

    def _check_parts(self, entries: list[zipfile.ZipInfo], parts: list[Part]) -> None:
        names: set[str] = set()
        total = 0
        for entry, part in zip(entries, parts, strict=True):
            folded = part.name.lower()
            if folded in names:
                raise InputError(
                    f"{self.name}: holds two parts named {part.name!r}; a workbook program "
                    "never writes that; refused as damaged or unsafe"
                )
            names.add(folded)
            if entry.flag_bits & _ENCRYPTED_FLAG:
                raise InputError(
                    f"{self.name}: its parts are encrypted; open it in the program that "
                    "wrote it, remove the password and save it again"
                )
            if part.method not in (_STORED, _DEFLATED):
                raise InputError(
                    f"{self.name}: part {part.name} uses a compression no spreadsheet program "
                    "writes; save the workbook again from Excel or LibreOffice Calc"
                )
            total += part.stated_size
            if total > MAX_UNCOMPRESSED_BYTES:
                raise InputError(
                    f"{self.name}: unpacks to more than {MAX_UNCOMPRESSED_BYTES // 2**30} GB; "
                    "refused as unsafe (a zip bomb?)"
                )
            if part.stated_size > RATIO_EXEMPT_BYTES and part.stated_size > (
                MAX_COMPRESSION_RATIO * max(part.packed_size, 1)
            ):
                raise InputError(
                    f"{self.name}: part {part.name} unpacks more than {MAX_COMPRESSION_RATIO} "
                    "times its packed size; refused as unsafe (a zip bomb?)"
                )
        # Parts that share compressed data make a small file unpack many times over.
        ordered = sorted(parts, key=lambda part: part.header_offset)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if before.header_offset + _LOCAL_HEADER.size + before.packed_size > (
                after.header_offset
            ):
                raise InputError(
                    f"{self.name}: parts {before.name} and {after.name} overlap; refused as "
                    "unsafe (a zip bomb?)"
                )

    def _lying(self, part: Part) -> InputError:
        return InputError(
            f"{self.name}: part {part.name} holds more data than its stated size; refused as "
            "damaged or unsafe"
        )

    def _damaged(self, part: Part, why: str) -> InputError:
        return InputError(
            f"{self.name}: the workbook is damaged (part {part.name}: {why}); save or "
            "download it again"
        )


def _part(entry: zipfile.ZipInfo) -> Part:
    return Part(
        name=entry.filename,
        stated_size=entry.file_size,
        packed_size=entry.compress_size,
        method=entry.compress_type,
        crc=entry.CRC,
        header_offset=entry.header_offset,
    )
