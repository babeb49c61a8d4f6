"""Reading delimited text (.csv, .tsv, .txt) into a grid of text cells with line numbers.

Nothing is assumed: the encoding is detected (UTF-8, UTF-8 with a byte-order mark, UTF-16
as Excel's "Unicode text" writes it, else Windows-1252 as Excel's "CSV" on Windows writes
it), lines may end in LF, CR LF or CR alone (old Mac exports), and the delimiter is sniffed
from the first lines (comma, semicolon, tab or bar).
polars parses, with every column as text.
"""

from __future__ import annotations

import codecs
import io
from collections import Counter
from pathlib import Path

import polars as pl

from centredesk.io.errors import InputError

DELIMITERS = (",", ";", "\t", "|")
SNIFF_CHARS = 64 * 1024
SNIFF_LINES = 20


def read_delimited(path: Path) -> pl.DataFrame:
    """Every line of the file as a row: "row" (the line number) + columns "1", "2", ...

    Fields are text exactly as written; empty fields are null. A quoted field with line
    breaks in it keeps them, and the rows after it keep their true line numbers.
    """
    text = decode_text(path.name, path.read_bytes())
    if not text.strip():
        raise InputError(f"{path.name}: the file has no data (it is empty or blank)")
    if "\r" in text and "\n" not in text:
        # Old Mac line endings (CR alone), as some exports still write them: one line each.
        text = text.replace("\r", "\n")
    delimiter = sniff_delimiter(text[:SNIFF_CHARS], prefer_tab=path.suffix.lower() == ".tsv")
    # An upper bound on the fields in a line (quoted delimiters count too); columns that
    # turn out empty are dropped below, so no field of a long line is cut off.
    widest = pl.Series([text]).str.split("\n").explode().str.count_matches(delimiter, literal=True)
    most = widest.max()
    labels = [str(number) for number in range(1, (most if isinstance(most, int) else 0) + 2)]
    try:
        grid = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            has_header=False,
            schema=dict.fromkeys(labels, pl.String),
            separator=delimiter,
            quote_char='"',
            truncate_ragged_lines=True,
            raise_if_empty=False,
            missing_columns="insert",
        )
    except pl.exceptions.PolarsError as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"{path.name}: cannot be read as delimited text ({first_line})") from None
    grid = grid.with_columns(pl.when(pl.col(labels) != "").then(pl.col(labels)))
    grid = grid.select(column for column in grid.iter_columns() if column.null_count() < len(grid))
    return _with_line_numbers(grid)


def _with_line_numbers(grid: pl.DataFrame) -> pl.DataFrame:
    """Add "row": the line each record starts on, counting line breaks inside quoted fields."""
    if not grid.columns:
        return grid.with_columns(pl.lit(None, pl.Int64).alias("row")).select("row")
    breaks = pl.sum_horizontal(
        pl.col(column).str.count_matches("\n", literal=True).fill_null(0) for column in grid.columns
    ).cast(pl.Int64)
    line = pl.int_range(1, pl.len() + 1, dtype=pl.Int64) + breaks.cum_sum() - breaks
    return grid.select(line.alias("row"), pl.all())


def decode_text(name: str, raw: bytes) -> str:
    """The file's text, whichever of the encodings spreadsheet programs write it was in."""
    if raw.startswith(codecs.BOM_UTF8):
        return _decode(name, raw[len(codecs.BOM_UTF8) :], "utf-8", "UTF-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(name, raw, "utf-16", "UTF-16")
    if b"\x00" in raw[:SNIFF_CHARS]:
        raise InputError(
            f"{name}: holds binary data, not text; if it is a workbook, give it its real "
            "extension (.xlsx, .xls or .ods)"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Not UTF-8: Excel on Windows writes "CSV" in Windows-1252. Its five unassigned bytes
    # make the decode fail for files in other encodings instead of garbling them.
    return _decode(name, raw, "cp1252", "UTF-8 or Windows-1252")


def _decode(name: str, raw: bytes, encoding: str, described: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: is not valid {described} text (byte {error.start:,}); "
            'save it from Excel as "CSV UTF-8"'
        ) from None


def sniff_delimiter(sample: str, *, prefer_tab: bool = False) -> str:
    """The delimiter that splits the first lines most consistently into the most fields.

    Each candidate is scored by how many of the first non-blank lines share its most
    common count (ignoring delimiters inside double quotes), then by that count. With no
    candidate present at all the file is one column, read with commas.
    """
    lines = [line for line in sample.splitlines() if line.strip()][:SNIFF_LINES]
    if prefer_tab and any("\t" in line for line in lines):
        return "\t"
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = Counter(_count_outside_quotes(line, delimiter) for line in lines)
        counts.pop(0, None)
        if not counts:
            continue
        fields, agreeing = counts.most_common(1)[0]
        score = (agreeing, fields)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _count_outside_quotes(line: str, delimiter: str) -> int:
    # Quoted stretches sit at odd positions when a line is split on double quotes.
    return sum(part.count(delimiter) for part in line.split('"')[::2])
