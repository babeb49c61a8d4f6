"""The README's commands and searches, run as written on the sample data.

The test reads the README itself, so it follows whatever the README says: every
``uv run centredesk …`` line of its shell blocks runs in order, in a folder of its own
beside ``sample_data/``, and must exit as its comment says (``# exits 1: …``; 0 when it
says nothing); the example output must be what the command prints; and every search of the
table of searches must find what the table says, on the demo database.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import textual_serve.server

import centredesk.cli.app
from centredesk.cli import main
from centredesk.jobs.demo import build_demo
from centredesk.store import open_store
from centredesk.store.views import VIEWS
from centredesk.tui.search import parse_search
from centredesk.validation.folding import fold_text

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_EXITS = re.compile(r"\bexits (\d)\b")


@dataclass(frozen=True)
class Command:
    line: str
    words: list[str]
    status: int


def shell_lines() -> list[Command]:
    """Every command of the README's ``sh`` blocks, in order, with its expected status.

    The ``shell`` block of moving to PostgreSQL is not among them: it needs a server and a
    login of the reader's own (the store's tests run both backends)."""
    commands = []
    for language, body in _BLOCK.findall(README):
        if language != "sh":
            continue
        for line in body.splitlines():
            words = shlex.split(line, comments=True)
            if not words:
                continue
            expected = _EXITS.search(line.partition("#")[2])
            commands.append(Command(line, words, int(expected.group(1)) if expected else 0))
    return commands


def searches() -> list[tuple[str, str, str]]:
    """(tab, typed, finds) of each row of the README's table of searches."""
    table = README[README.index("| tab | type | finds |") :].split("\n\n")[0]
    rows = []
    for line in table.splitlines()[2:]:
        tab, typed, finds = (cell.strip() for cell in line.strip("|").split("|"))
        rows.append((tab.casefold(), typed.strip("`"), finds))
    return rows


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder beside the sample data, as a checkout is; user folders kept in it too."""
    (tmp_path / "sample_data").symlink_to(ROOT / "sample_data")
    monkeypatch.chdir(tmp_path)
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    for variable in ("CENTREDESK_DB", "CENTREDESK_WAIT", "CENTREDESK_CONFIG"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


def test_the_readme_shows_commands_and_searches() -> None:
    lines = [command.line for command in shell_lines()]
    assert sum(line.startswith("uv run centredesk") for line in lines) >= 15
    assert len(searches()) >= 8


def test_every_command_of_the_readme_exits_as_it_says(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[Any] = []

    def open_app(settings: Any) -> int:
        # The full-screen app is driven by its own tests; here it is enough that the
        # command reaches it, on the database the README says.
        opened.append(settings.database)
        return 0

    served: list[str] = []

    def serve(server: Any) -> None:
        # The browser's own test serves the app for real; here it is enough that the
        # server is made for the app on the README's database, and not left running.
        served.append(server.command)

    monkeypatch.setattr(centredesk.cli.app, "run_app", open_app)
    monkeypatch.setattr(textual_serve.server.Server, "serve", serve)
    ran = 0
    for command in shell_lines():
        words = command.words
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            monkeypatch.setenv(name, value)
            continue
        if words[:2] == ["uv", "run"] and words[2:3] == ["pytest"]:
            continue  # the test suite itself: what CI runs
        assert words[:3] == ["uv", "run", "centredesk"], command.line
        status = main(words[3:])
        out, err = capsys.readouterr()
        assert status == command.status, f"{command.line}\n{out}\n{err}"
        if words[3:4] == ["serve"]:  # it says where it serves, on stderr as it runs
            assert err == "centredesk: serving the app at http://localhost:8000 (ctrl+c stops it)\n"
        elif status != 2:
            assert not err, f"{command.line}\n{err}"
        ran += 1
    assert ran >= 15
    assert any(str(database).endswith("demo.duckdb") for database in opened)
    assert served and all("--db registrations.duckdb" in command for command in served)
    assert (folder / "registrations.duckdb").exists()
    for written in ("fixes.xlsx", "approved.xlsx", "results.xlsx", "registration-template.xlsx"):
        assert (folder / written).exists(), written


def test_the_example_output_is_what_the_command_prints(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = [body for language, body in _BLOCK.findall(README) if language == "text"]
    example = next(body for body in examples if body.startswith("$ uv run centredesk"))
    command, *shown = example.splitlines()
    # As the README says: the catalogue and approvals are loaded, nothing else.
    monkeypatch.setenv("CENTREDESK_DB", str(folder / "check.duckdb"))
    for sheet in ("products", "approvals"):
        assert main(["import", f"sample_data/{sheet}.xlsx"]) == 0
    capsys.readouterr()
    main(shlex.split(command)[4:])
    printed = capsys.readouterr().out.splitlines()
    # The lines shown come in the printed order; "…" stands for lines left out.
    position = 0
    for line in shown:
        if line == "…":
            continue
        assert line in printed[position:], line
        position = printed.index(line, position) + 1


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("readme") / "demo.duckdb"
    build_demo(path)
    return path


@pytest.mark.parametrize(("tab", "typed", "finds"), searches())
def test_every_search_of_the_readme_finds_what_it_says(
    demo: Path, tab: str, typed: str, finds: str
) -> None:
    view = VIEWS[tab]
    search = parse_search(typed, view)
    assert not search.unknown
    with open_store(demo, read_only=True) as store:
        keys = store.browse.row_keys(tab, search=search.fields)
        rows = store.browse.rows(tab, keys.to_pylist()).to_pylist()
        also = re.findall(r"so does `([^`]+)`", finds)
        for other in also:
            again = store.browse.row_keys(tab, search=parse_search(other, view).fields)
            assert again.to_pylist() == keys.to_pylist(), other
    count = re.match(r"(\d+) ", finds)
    if count:
        assert len(rows) == int(count.group(1)), typed
        return
    # Otherwise the words before any "," or "(" are the values of one of the rows found.
    named = fold_text(re.split(r"[,(]", finds)[0]).split()
    assert rows, typed
    assert any(
        set(named) <= set(fold_text(" ".join(str(value) for value in row.values())).split())
        for row in rows
    ), (typed, named)
