"""Reading an upload in a child process with memory and time limits.

A scan before parsing (:mod:`centredesk.io.limits`) refuses the hostile files we know of,
but it will always lag the next reader bug: calamine aborts the whole process when an
allocation fails and panics on some damaged records. So every upload is read in a process of
its own, forked by the reading server (:mod:`centredesk.io.read_server`), which limits
itself (data memory, CPU, wall time, no core dumps) and is watched from here (resident
memory, wall time, cancellation). If the reader panics, aborts, runs out of memory or hangs,
the caller gets one :class:`~centredesk.io.errors.InputError` line and carries on.

The sheet comes back through :mod:`centredesk.io.sheet_transfer` (Arrow and JSON, never
pickle). The server costs about half a second to start (importing polars), once per process;
each read after that costs a fork. :class:`IsolatedRead` lets the caller work meanwhile.
Everything here is safe to call from several threads at once, and a read can be cancelled
from another thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from centredesk.errors import UserError
from centredesk.io import errors
from centredesk.io.errors import InputError
from centredesk.io.read_child import RESULT_FILE, STDERR_FILE
from centredesk.io.read_server import EXIT_FILE, SERVER
from centredesk.io.reader import SheetData
from centredesk.io.sheet_transfer import read_sheet_back
from centredesk.validation.fields import Kind

logger = logging.getLogger("centredesk.reader")

_POLL_SECONDS = 0.02
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class ReadLimits:
    """What the reading process may use."""

    memory_bytes: int = 2 * 1024**3
    """Resident memory; the process is ended when it goes past this."""
    address_factor: int = 3
    """The hard limit on its data address space (``RLIMIT_DATA``), as a multiple of
    ``memory_bytes``. It stops absurd single allocations (a forged sheet asks for over 100 GB)
    at once. Resident memory is what matters, but no resource limit enforces it, and the
    allocators reserve more address space than they touch: reading a million-row sheet
    peaks at 1.0 GB resident but needs 2-2.5 GB of data address space (polars' jemalloc
    keeps what it freed) and over 3 GB of ``RLIMIT_AS`` (which also counts the libraries
    and every thread's reserved arena), so ``RLIMIT_AS`` would refuse ordinary files long
    before the resident memory is large."""
    base_seconds: float = 60.0
    seconds_per_mb: float = 2.0
    """Time allowed: ``base_seconds`` plus this per megabyte of file (a million-row
    workbook of 60 MB reads in 5-10 s)."""

    def seconds_for(self, size: int) -> float:
        return self.base_seconds + self.seconds_per_mb * size / 2**20


DEFAULT_LIMITS = ReadLimits()


class ReadCancelled(UserError):
    """The read was cancelled (from another thread) before it finished."""


def read_sheet_isolated(
    path: str | Path,
    *,
    kind: Kind | None = None,
    sheet: str | None = None,
    columns: Mapping[str, str | None] | None = None,
    cancel: threading.Event | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> SheetData:
    """:func:`centredesk.io.reader.read_sheet` in a child process with ``limits``.

    Raises the reader's own InputError/HeaderError, an InputError when the reader could
    not finish safely, and ReadCancelled when ``cancel`` was set.
    """
    with IsolatedRead(
        path, kind=kind, sheet=sheet, columns=columns, cancel=cancel, limits=limits
    ) as reading:
        return reading.result()


class IsolatedRead:
    """A read running in a child process; :meth:`result` waits for it.

    Use as a context manager: leaving the block ends the child if it is still running
    (for example when other work done meanwhile failed) and removes its files.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        kind: Kind | None = None,
        sheet: str | None = None,
        columns: Mapping[str, str | None] | None = None,
        cancel: threading.Event | None = None,
        limits: ReadLimits = DEFAULT_LIMITS,
    ) -> None:
        self.path = Path(path)
        self.cancel = cancel
        self.limits = limits
        self.peak_bytes = 0
        """The largest resident size of the child, as it reported or as seen watching it."""
        self._folder = tempfile.TemporaryDirectory(
            prefix="centredesk-read-", ignore_cleanup_errors=True
        )
        self.folder = Path(self._folder.name)
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        self.seconds = limits.seconds_for(size)
        request = {
            "path": str(self.path.absolute()),  # the server may work in another folder
            "kind": kind,
            "sheet": sheet,
            "columns": dict(columns) if columns else None,
            "folder": str(self.folder),
            "address_bytes": limits.memory_bytes * limits.address_factor,
            "seconds": int(self.seconds) + 1,
        }
        try:
            self.pid, self._server = SERVER.fork(request)
        except BaseException:
            self._folder.cleanup()
            raise
        self._started = time.monotonic()
        self._exit: int | None = None
        self._handed_over = False
        """The child has written its whole result (it may still be exiting)."""

    def __enter__(self) -> IsolatedRead:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the child if it still runs, and remove its folder."""
        if self._exit is None and self._exit_status() is None:
            if self._handed_over:
                # It is done and only exiting. Its files go now (frames read from them stay
                # mapped); its folder once the server has noted its end there.
                self._remove_files()
                threading.Thread(target=self._remove_when_noted, daemon=True).start()
                return
            _kill(self.pid)
            self._remove_when_noted()
            return
        self._folder.cleanup()

    def _remove_files(self) -> None:
        for entry in self.folder.iterdir():
            with contextlib.suppress(OSError):
                entry.unlink()

    def _remove_when_noted(self) -> None:
        """Remove the folder once the reading server has noted the child's end in it (a
        moment), so it is not removed while the server writes there."""
        deadline = time.monotonic() + KILL_NOTED_SECONDS
        while self._exit_status() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        self._folder.cleanup()

    def result(self) -> SheetData:
        """Wait for the child and return the sheet it read (see :func:`read_sheet_isolated`)."""
        reason = self._watch()
        name = self.path.name
        if reason == "cancelled":
            raise ReadCancelled(f"{name}: reading was cancelled")
        if reason == "memory":
            raise self._too_big()
        if reason == "time":
            raise self._too_slow()
        if reason == "lost":
            raise self._damaged()
        outcome = _load_json(self.folder / RESULT_FILE)
        if outcome is None:
            raise self._died()
        for record in outcome.get("log", []):
            logger.log(int(record["level"]), "%s: %s", record["name"], record["message"])
        self.peak_bytes = max(self.peak_bytes, int(outcome.get("peak_bytes", 0)))
        status = outcome["status"]
        if status == "ok":
            return read_sheet_back(self.folder)
        if status == "refused":
            raise _user_error(outcome["error"], outcome["message"])
        if status == "memory":
            raise self._too_big()
        if status == "storage":
            raise InputError(
                f"{name}: could not be read: no room for its temporary copy in "
                f"{tempfile.gettempdir()} ({outcome.get('detail')}); free some space"
            )
        logger.warning("reading %s failed: %s", name, outcome.get("detail"))
        raise self._damaged()

    def _watch(self) -> str | None:
        """Wait for the child to end; the reason it was stopped, if it was."""
        deadline = self._started + self.seconds
        try:
            while (status := self._exit_status()) is None:
                if (self.folder / RESULT_FILE).exists():
                    # The result is complete (it is put in place whole, and last): the
                    # child letting go of its memory as it exits is no reason to wait.
                    self._handed_over = True
                    return None
                if self._server.poll() is not None:
                    return "lost"  # the server's children die with it
                if self.cancel is not None and self.cancel.is_set():
                    _kill(self.pid)
                    return "cancelled"
                resident = _resident_bytes(self.pid)
                self.peak_bytes = max(self.peak_bytes, resident)
                if resident > self.limits.memory_bytes:
                    _kill(self.pid)
                    return "memory"
                if time.monotonic() > deadline:
                    _kill(self.pid)
                    return "time"
                time.sleep(_POLL_SECONDS)
            self._exit = status
            return None
        except BaseException:
            _kill(self.pid)  # Ctrl-C or any other error here: the child must not linger
            raise

    def _exit_status(self) -> int | None:
        loaded = _load_json(self.folder / EXIT_FILE)
        return None if loaded is None else int(loaded["status"])

    def _died(self) -> InputError:
        """The child ended without a result: say why, from how it ended."""
        code = self._exit
        try:
            with (self.folder / STDERR_FILE).open("rb") as output:
                stderr = output.read(1024 * 1024)
        except OSError:
            stderr = b""
        if b"memory allocation of" in stderr or code == -signal.SIGKILL:
            return self._too_big()
        if code in (-signal.SIGXCPU, -signal.SIGALRM):
            return self._too_slow()
        lines = stderr.decode("utf-8", "replace").strip().splitlines() or [""]
        logger.warning("reading %s ended with status %s: %s", self.path.name, code, lines[0])
        return self._damaged()

    def _too_big(self) -> InputError:
        size = self.limits.memory_bytes
        amount = f"{size / 1024**3:.0f} GB" if size >= 1024**3 else f"{size / 1024**2:.0f} MB"
        return _unsafe(self.path.name, f"it would need more than {amount} of memory")

    def _too_slow(self) -> InputError:
        shown = f"{self.seconds:.0f}" if self.seconds >= 1 else f"{self.seconds:.1f}"
        return _unsafe(self.path.name, f"reading took longer than {shown} s")

    def _damaged(self) -> InputError:
        return _unsafe(
            self.path.name,
            "the reader stopped on a damaged part; open it in Excel or LibreOffice Calc, "
            "save it again and retry",
        )


KILL_NOTED_SECONDS = 2.0
"""How long closing waits for the reading server to note a killed child's end."""


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):  # already gone
        os.kill(pid, signal.SIGKILL)


def _unsafe(name: str, why: str) -> InputError:
    return InputError(f"{name}: the file could not be read safely: {why}")


def _user_error(class_name: str, message: str) -> UserError:
    """The reader's own error, rebuilt from its name (only errors of :mod:`io.errors`)."""
    error_class = getattr(errors, class_name, None)
    if isinstance(error_class, type) and issubclass(error_class, UserError):
        return error_class(message)
    return InputError(message)


def _load_json(path: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def _resident_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return 0
