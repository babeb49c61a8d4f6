"""Where the database is and the few preferences a user sets, resolved once per command.

Each setting is taken from the first place that gives it: a flag on the command line, an
environment variable, the settings file, then the default. The settings file is optional:
``config.toml`` in the user config directory (or the file ``$CENTREDESK_CONFIG`` names),
for example::

    database = "/srv/ao/registrations.duckdb"   # or "postgresql://alice@dbhost/centredesk"
    wait = 10

The command line resolves a :class:`Settings` before it runs a command and hands it down;
nothing below it reads the environment or the file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from centredesk.errors import UserError
from centredesk.store import Location, parse_location

APP_NAME = "centredesk"
ENVIRONMENT = {"database": "CENTREDESK_DB", "wait": "CENTREDESK_WAIT"}
"""The environment variable of each setting."""
CONFIG_ENV = "CENTREDESK_CONFIG"
DEFAULT_WAIT = 5.0


class SettingsError(UserError):
    """A setting that cannot be used: where it came from and what is wrong."""


class Settings(BaseModel):
    """What a command needs to know before it starts, every field documented."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database: str = Field(
        description="The store: a DuckDB file path, or a postgresql://user@host/dbname URL "
        "(its password from PGPASSWORD, ~/.pgpass or a service file, never the URL). "
        "Default: centredesk.duckdb in the user data directory.",
    )
    database_is_default: bool = Field(
        default=False,
        description="True when no flag, variable or file chose the database: only then may "
        "its folder be made.",
    )
    wait: float = Field(
        default=DEFAULT_WAIT,
        ge=0,
        description="Seconds a command waits for a database another process holds "
        "(the app, an import) before it gives up.",
    )

    @property
    def location(self) -> Location:
        """The database as the store opens it."""
        return parse_location(self.database)


def default_database() -> Path:
    """``centredesk.duckdb`` in the user data directory."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "centredesk.duckdb"


def demo_database() -> Path:
    """Demo databases live apart from the real one, so a demo never replaces real data."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "demo.duckdb"


def remembered_file() -> Path:
    """Where the app keeps the folders last used and the columns chosen by hand."""
    return Path(platformdirs.user_state_dir(APP_NAME)) / "remembered.json"


def config_file(environ: Mapping[str, str]) -> Path:
    """Where the settings file is looked for."""
    named = environ.get(CONFIG_ENV)
    if named:
        return Path(named).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def resolve(
    *,
    database: str | None = None,
    wait: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings of one command: flags (None when not given) over the environment over
    the settings file over the defaults."""
    environ = os.environ if environ is None else environ
    from_file = _read_file(config_file(environ), required=CONFIG_ENV in environ)
    chosen: dict[str, Any] = {}
    flags = {"database": database, "wait": wait}
    for name, variable in ENVIRONMENT.items():
        for source, value in (
            ("the command line", flags[name]),
            (f"${variable}", environ.get(variable) or None),
            (str(config_file(environ)), from_file.get(name)),
        ):
            if value is not None:
                chosen[name] = (source, value)
                break
    values = {name: value for name, (_source, value) in chosen.items()}
    if "database" not in values:
        values["database"] = str(default_database())
        values["database_is_default"] = True
    try:
        return Settings(**values)
    except ValidationError as error:
        problem = error.errors()[0]
        name = str(problem["loc"][0])
        source = chosen.get(name, ("the defaults", None))[0]
        raise SettingsError(f"{name} from {source}: {problem['msg'].lower()}") from None


def _read_file(path: Path, *, required: bool) -> dict[str, Any]:
    if not path.is_file():
        if required:
            raise SettingsError(f"the settings file {path} does not exist (${CONFIG_ENV})")
        return {}
    try:
        found = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"cannot read the settings file {path}: {error}") from None
    unknown = sorted(set(found) - set(ENVIRONMENT))
    if unknown:
        raise SettingsError(
            f"the settings file {path} sets {', '.join(unknown)}, which centredesk does not "
            f"know; it knows {', '.join(ENVIRONMENT)}"
        )
    return found
