"""The area of a sheet the reader would allocate, judged by the cells that hold values.

calamine keeps a sheet as one dense block: the bounding box of its non-empty cells, one
slot per cell. A single value far out (XFD1048576) beside one at A1 asks for seventeen
billion slots. Formatting, comments and empty cells cost nothing, so a sheet formatted to
the last row and column with twenty real cells is fine, and is not refused here.
"""

from __future__ import annotations

from dataclasses import dataclass

from centredesk.io.errors import InputError

# Excel's own sheet limits; .xls (BIFF8) stops at 65,536 rows and column IV.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384  # column XFD
# About 100 bytes of memory per cell of the block when read (measured with calamine and
# polars at a million rows): sixteen columns of a full sheet is about 1.7 GB, inside the
# memory the reading process is allowed.
MAX_CELL_AREA = 16 * MAX_ROWS


def column_letters(number: int) -> str:
    """Excel column letters of a 1-based column number (1 -> "A", 16384 -> "XFD")."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_number(letters: str) -> int:
    """1-based column number of Excel column letters ("A" -> 1, "xfd" -> 16384)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number


@dataclass
class CellBox:
    """The bounding box of a sheet's value cells (0-based), grown one cell or block at a time."""

    first_row: int = -1
    last_row: int = -1
    first_column: int = -1
    last_column: int = -1
    cells: int = 0

    def add(self, row: int, column: int, rows: int = 1, columns: int = 1) -> None:
        """Count a block of ``rows`` x ``columns`` value cells whose top-left is (row, column)."""
        if self.cells == 0:
            self.first_row, self.first_column = row, column
            self.last_row, self.last_column = row + rows - 1, column + columns - 1
        else:
            self.first_row = min(self.first_row, row)
            self.first_column = min(self.first_column, column)
            self.last_row = max(self.last_row, row + rows - 1)
            self.last_column = max(self.last_column, column + columns - 1)
        self.cells += rows * columns

    @property
    def area(self) -> int:
        if self.cells == 0:
            return 0
        return (self.last_row - self.first_row + 1) * (self.last_column - self.first_column + 1)

    def check(
        self,
        file_name: str,
        sheet: str,
        *,
        max_rows: int = MAX_ROWS,
        max_columns: int = MAX_COLUMNS,
    ) -> None:
        """Refuse a box that reaches past the sheet limits or is too large to read safely."""
        if self.cells == 0:
            return
        if self.last_row >= max_rows:
            raise InputError(
                f"{file_name}: sheet {sheet} has a value on row {self.last_row + 1:,}, beyond "
                f"the last row a sheet can have ({max_rows:,}); refused as damaged or unsafe"
            )
        if self.last_column >= max_columns:
            raise InputError(
                f"{file_name}: sheet {sheet} has a value in column {self.last_column + 1:,}, "
                f"beyond the last column a sheet can have ({max_columns:,}); refused as "
                "damaged or unsafe"
            )
        if self.area > MAX_CELL_AREA:
            raise InputError(
                f"{file_name}: sheet {sheet} has values from row {self.first_row + 1:,} to "
                f"{self.last_row + 1:,} and column {column_letters(self.first_column + 1)} to "
                f"{column_letters(self.last_column + 1)}, a cell area too large to read "
                "safely; delete the unused rows and columns (or split the sheet) and save again"
            )
