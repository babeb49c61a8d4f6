"""The status column a fix list ends with: its header and the words it writes.

Kept apart from the fix-list writer so the reader can recognise the column without loading
the workbook writer (each upload is read in a fresh process, where that import is paid again).
"""

from __future__ import annotations

STATUS_HEADER = "Row Status"


def status_words(loaded: bool) -> dict[str, str]:
    """What the status column says of a clean row, a row with warnings, a row with errors."""
    if loaded:
        return {"ok": "loaded", "warning": "warning", "error": "rejected"}
    return {"ok": "would load", "warning": "warning", "error": "would be rejected"}
