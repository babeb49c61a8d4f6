"""The headless parts of centredesk never load the terminal UI toolkit.

Scripts, cron jobs and the benchmarks import these modules; pulling in Textual would cost
start-up time and tie them to a screen. Each module is imported in a fresh interpreter.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import centredesk

HEADLESS_PACKAGES = (
    "centredesk.io",
    "centredesk.validation",
    "centredesk.store",
    "centredesk.jobs",
)


def headless_modules() -> list[str]:
    names = ["centredesk.errors"]
    for package in HEADLESS_PACKAGES:
        module = __import__(package, fromlist=["__path__"])
        names.append(package)
        names.extend(
            info.name for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}.")
        )
    return sorted(names)


def test_there_are_headless_modules_to_check() -> None:
    assert len(headless_modules()) > 10
    assert centredesk.__name__ == "centredesk"


@pytest.mark.parametrize("module", headless_modules())
def test_module_imports_without_textual(module: str) -> None:
    probe = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'rich')); print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} loads {result.stdout.strip()}"
