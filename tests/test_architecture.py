"""The headless parts of centredesk never load the terminal UI toolkit.

Scripts, cron jobs and the benchmarks import these packages; pulling in Textual would cost
start-up time and tie them to a screen. Each package is imported, every module of it, in a
fresh interpreter (one per package: a process per module cost a second each as the tree grew).
The command line is checked the same way, parser built: it opens the app lazily.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

HEADLESS_PACKAGES = (
    "centredesk.io",
    "centredesk.validation",
    "centredesk.store",
    "centredesk.jobs",
    "centredesk.cli",
)

# Imports every module of a package, then lists the UI toolkits that came with them.
PROBE = """
import importlib, pkgutil, sys
package = importlib.import_module(sys.argv[1])
modules = [info.name for info in pkgutil.walk_packages(package.__path__, sys.argv[1] + ".")]
for name in modules:
    importlib.import_module(name)
if sys.argv[1] == "centredesk.cli":
    package.build_parser()
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
print(len(modules), ",".join(loaded))
"""


def probe(package: str) -> tuple[int, str]:
    """How many modules ``package`` has, and the toolkit modules importing them loaded."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, package], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    count, _, loaded = result.stdout.strip().partition(" ")
    return int(count), loaded


@pytest.mark.parametrize("package", HEADLESS_PACKAGES)
def test_package_imports_without_textual(package: str) -> None:
    modules, loaded = probe(package)
    assert modules > 2, f"the probe walked {package}'s modules"
    assert loaded == "", f"{package} loads {loaded}"


def test_the_probe_sees_textual_when_it_is_loaded() -> None:
    modules, loaded = probe("centredesk.tui")
    assert modules > 2 and "textual" in loaded.split(",")


def test_the_root_modules_are_headless() -> None:
    code = (
        "import sys, centredesk, centredesk.errors; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


ROOT = Path(__file__).resolve().parents[1]
CONNECTION_NAMES = {"con", "_session", "_connection", "cursor", "execute", "sql"}
"""What reaching past a store's operations looks like: its connection or raw SQL calls."""


DRIVERS = {"duckdb", "adbc_driver_postgresql", "adbc_driver_manager", "psycopg"}
BACKENDS = ("centredesk.store.duckdb_store", "centredesk.store.pg_store")


def reaches_a_connection(source: str) -> list[str]:
    """Where ``source`` imports a database driver or a backend, or touches a
    connection-like attribute of anything."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names]
            module = node.module if isinstance(node, ast.ImportFrom) else None
            drivers = [name.split(".")[0] for name in [*names, module or ""]]
            found.extend(f"line {node.lineno}: imports {d}" for d in drivers if d in DRIVERS)
            if module and module.startswith(BACKENDS):
                found.append(f"line {node.lineno}: imports a backend")
        elif isinstance(node, ast.Attribute) and node.attr in CONNECTION_NAMES:
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


def test_nothing_outside_the_store_reaches_a_connection() -> None:
    package = ROOT / "centredesk"
    checked = [path for path in package.rglob("*.py") if package / "store" not in path.parents]
    assert len(checked) > 40
    offenders = {
        str(path.relative_to(ROOT)): hits
        for path in checked
        if (hits := reaches_a_connection(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_connection_check_would_catch_a_raw_query() -> None:
    assert reaches_a_connection("rows = store.con.execute('SELECT 1')") == [
        "line 1: .execute",
        "line 1: .con",
    ]
    assert reaches_a_connection("import duckdb") == ["line 1: imports duckdb"]
    assert reaches_a_connection("from centredesk.store.duckdb_store import open_file")
    assert reaches_a_connection("from centredesk.store.pg_store import open_server")
    assert reaches_a_connection("import adbc_driver_postgresql.dbapi") == [
        "line 1: imports adbc_driver_postgresql"
    ]
    assert reaches_a_connection("store.browse.row_keys('learners')") == []
