"""A second process that holds a database file read-write, as another terminal would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()
"""


def hold(path: Path, *, script: Path | None = None) -> subprocess.Popen[str]:
    """Start a process that holds ``path`` read-write until :func:`release`.

    With ``script``, the holding code is written to that file and run from it, so the
    process's command line names the file (``…/centredesk --db PATH`` looks like the app).
    """
    if script is None:
        command = [sys.executable, "-c", HOLD, str(path)]
    else:
        script.write_text(HOLD)
        command = [sys.executable, str(script), str(path)]
    holder = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "holding"
    return holder


def release(holder: subprocess.Popen[str]) -> None:
    """Let the file go and wait for the process to end (safe to call twice)."""
    if holder.stdin is not None and not holder.stdin.closed:
        holder.stdin.close()
    holder.wait(timeout=30)
    if holder.stdout is not None and not holder.stdout.closed:
        holder.stdout.close()
