"""Where the database is, resolved once: flag, then environment, then file, then default."""

from __future__ import annotations

from pathlib import Path

import pytest

from centredesk.cli import main
from centredesk.cli.settings import SettingsError, default_database, resolve
from centredesk.store import ServerURL


def environment(tmp_path: Path, config: str | None = None, **variables: str) -> dict[str, str]:
    """A clean environment whose settings file is ``config`` (or absent)."""
    path = tmp_path / "config.toml"
    if config is not None:
        path.write_text(config)
    else:
        path.unlink(missing_ok=True)
    return {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), **variables} | (
        {"CENTREDESK_CONFIG": str(path)} if config is not None else {}
    )


def test_the_default_is_the_user_data_directory_and_may_make_its_folder(tmp_path: Path) -> None:
    settings = resolve(environ=environment(tmp_path))
    assert settings.location == default_database()
    assert settings.database_is_default
    assert settings.wait == 5


def test_a_flag_beats_the_environment_which_beats_the_file(tmp_path: Path) -> None:
    file = 'database = "/srv/from-file.duckdb"\nwait = 12\n'
    env = environment(tmp_path, file, CENTREDESK_DB="/srv/from-env.duckdb")
    assert resolve(environ=environment(tmp_path, file)).database == "/srv/from-file.duckdb"
    assert resolve(environ=environment(tmp_path, file)).wait == 12
    assert resolve(environ=env).database == "/srv/from-env.duckdb"
    flagged = resolve(database="/srv/flag.duckdb", wait=0, environ=env)
    assert (flagged.database, flagged.wait) == ("/srv/flag.duckdb", 0)
    assert not flagged.database_is_default
    assert resolve(environ={**env, "CENTREDESK_WAIT": "2.5"}).wait == 2.5


def test_a_server_url_is_kept_as_a_url_wherever_it_is_set(tmp_path: Path) -> None:
    url = "postgresql://alice@db/centredesk"
    settings = resolve(database=url, environ=environment(tmp_path))
    assert settings.location == ServerURL(url)
    from_env = resolve(environ=environment(tmp_path, CENTREDESK_DB=url))
    from_file = resolve(environ=environment(tmp_path, f'database = "{url}"\n'))
    assert from_env.location == from_file.location == ServerURL(url)
    assert ServerURL(url).name == "centredesk"
    assert ServerURL("postgresql://alice@/centredesk?host=/run/postgresql").name == "centredesk"


@pytest.mark.parametrize(
    ("config", "variables", "message"),
    [
        ("colour = 'blue'\n", {}, "sets colour, which centredesk does not know"),
        ("wait = [\n", {}, "cannot read the settings file"),
        ("wait = -1\n", {}, "wait from .*config.toml: input should be greater than"),
        (None, {"CENTREDESK_WAIT": "soon"}, r"wait from \$CENTREDESK_WAIT"),
    ],
)
def test_a_bad_setting_names_where_it_came_from(
    tmp_path: Path, config: str | None, variables: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        resolve(environ=environment(tmp_path, config, **variables))


def test_the_command_line_uses_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "configured.duckdb"
    for name, value in environment(tmp_path, f'database = "{db}"\n').items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CENTREDESK_DB", raising=False)
    sheet = tmp_path / "approvals.csv"
    sheet.write_text("Centre Number,Product Code\n100001,603/0862/X\n")
    assert main(["import", str(sheet)]) == 0
    assert db.is_file()
