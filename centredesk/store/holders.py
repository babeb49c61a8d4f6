"""Who holds a database: a process described for a person, from what ``/proc`` shows.

DuckDB's own message names the holder's executable ("python3.11"), which tells a user
nothing; the command line and the owner of the process do: ``centredesk app, pid 12038,
user alice``.
"""

from __future__ import annotations

import os
import pwd
import re
from pathlib import Path

_WORD = re.compile(r"[a-z]+")
_PYTHON = re.compile(r"python[0-9.]*$")


def describe_process(pid: int, *, proc: Path = Path("/proc")) -> str:
    """``<program>, pid <pid>, user <name>``; only what can be read is said."""
    parts = [_program(pid, proc), f"pid {pid}"]
    user = _owner(pid, proc)
    if user:
        parts.append(f"user {user}")
    return ", ".join(part for part in parts if part)


def _program(pid: int, proc: Path) -> str:
    try:
        raw = (proc / str(pid) / "cmdline").read_bytes()
    except OSError:
        return ""
    args = [arg for arg in raw.decode(errors="replace").split("\0") if arg]
    if not args:
        return ""
    program, rest = os.path.basename(args[0]), args[1:]
    if _PYTHON.match(program) and rest:
        if rest[0] == "-m" and len(rest) > 1:
            program, rest = rest[1].split(".")[0], rest[2:]
        elif not rest[0].startswith("-"):
            program, rest = os.path.basename(rest[0]), rest[1:]
    if program == "centredesk":
        # The first bare word is the command; with none, the process is the app.
        command = next((arg for arg in rest if _WORD.fullmatch(arg)), "app")
        return f"centredesk {command}"
    return program


def _owner(pid: int, proc: Path) -> str:
    try:
        uid = (proc / str(pid)).stat().st_uid
    except OSError:
        return ""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"
