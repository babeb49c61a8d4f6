"""Where a store lives: a DuckDB file (a path) or a database server (a URL).

The command line resolves the location once (see ``centredesk.cli.settings``) and hands it
to :func:`centredesk.store.open_store`, which picks the backend by its form.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

SERVER_SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True)
class ServerURL:
    """A database on a server, such as ``postgresql://user@host/centredesk``."""

    url: str

    def __str__(self) -> str:
        return self.url

    @property
    def name(self) -> str:
        """The database's name, for a title bar."""
        # Not the text after the last slash: a socket folder in ?host= has slashes too.
        return unquote(urlsplit(self.url).path.lstrip("/")) or self.url


Location = Path | ServerURL
"""A DuckDB file or a server database."""


def parse_location(text: str | Path) -> Location:
    """A location as a user writes it: a ``postgresql://`` URL, else a file path."""
    if isinstance(text, Path):
        return text.expanduser()
    if text.startswith(SERVER_SCHEMES):
        return ServerURL(text)
    return Path(text).expanduser()
