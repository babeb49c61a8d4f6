"""What the app remembers between sessions: the last folders used, and column choices.

A user who maps a column by hand ("Learner ULN No" is the ULN) should not have to do it
again for next month's file from the same system: the choice is kept against the file's
headers and kind, and offered when a file with the same headers comes in. Kept in one small
JSON file in the user's state directory, written whole and moved into place, so a crash
never leaves half a file. A preference that cannot be read or written is a preference lost,
never an error the user has to deal with.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from centredesk.validation.fields import Kind

FOLDERS = ("import", "export")
"""What a remembered folder is for."""


@dataclass(frozen=True)
class ColumnChoices:
    """Columns chosen by hand for files with one set of headers."""

    chosen: dict[str, str | None]
    """Header -> the field it is read as (None: not read)."""
    saved_at: datetime


def headers_key(kind: Kind, headers: Sequence[str]) -> str:
    """The same for files of one kind with the same headers, in any order and any case."""
    names = sorted(header.strip().casefold() for header in headers)
    return hashlib.sha256("\x1f".join([kind, *names]).encode()).hexdigest()


class Remembered:
    """The remembered folders and column choices; ``path`` None keeps them in memory only."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, Any] = self._load()

    def _load(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def _save(self) -> None:
        if self.path is None:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
            partial.write_text(json.dumps(self._data, indent=1), encoding="utf-8")
            os.replace(partial, self.path)

    def folder(self, purpose: str) -> Path | None:
        """The folder last used for ``purpose`` (import or export), if it still exists."""
        text = self._data.get("folders", {}).get(purpose)
        if not isinstance(text, str):
            return None
        folder = Path(text)
        return folder if folder.is_dir() else None

    def use_folder(self, purpose: str, folder: Path) -> None:
        """Remember ``folder`` as the last one used for ``purpose``."""
        with self._lock:
            self._data.setdefault("folders", {})[purpose] = str(folder)
            self._save()

    def columns(self, kind: Kind, headers: Sequence[str]) -> ColumnChoices | None:
        """The columns chosen by hand for a file of ``kind`` with these headers, if any."""
        entry = self._data.get("columns", {}).get(headers_key(kind, headers))
        if not isinstance(entry, dict):
            return None
        try:
            chosen = {str(header): _field(name) for header, name in entry["chosen"].items()}
            return ColumnChoices(chosen, datetime.fromisoformat(entry["saved_at"]))
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def keep_columns(
        self, kind: Kind, headers: Sequence[str], chosen: Mapping[str, str | None]
    ) -> None:
        """Remember ``chosen`` for files like this one; nothing chosen forgets them."""
        key = headers_key(kind, headers)
        with self._lock:
            kept = self._data.setdefault("columns", {})
            if chosen:
                saved = datetime.now().replace(microsecond=0).isoformat()
                kept[key] = {"chosen": dict(chosen), "saved_at": saved}
            else:
                kept.pop(key, None)
            self._save()


def _field(name: object) -> str | None:
    if name is None or isinstance(name, str):
        return name
    raise TypeError(name)
