"""The headless parts of centredesk never load the terminal UI toolkit.

Scripts, cron jobs and the benchmarks import these packages; pulling in Textual would cost
start-up time and tie them to a screen. Each package is imported, every module of it, in a
fresh interpreter (one per package: a process per module cost a second each as the tree grew).
The command line is checked the same way, parser built: it opens the app lazily.
"""

from __future__ import annotations

import subprocess
import sys

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
