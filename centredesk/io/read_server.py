"""The reading server (``python -m centredesk.io.read_server``) and how a process uses it.

Starting a fresh Python for every upload (``python -m``, or multiprocessing's spawn)
costs half a second, most of it importing polars. Forking the process that asks is not safe:
it has threads (polars' pool, DuckDB's, the app's workers) and a fork keeps only one of
them, with their locks as they were. multiprocessing's forkserver runs the parent's main
script again in every child (pytest's, the console script's), which costs as much as
spawning. So the first read of a process starts this server, which imports the reader once
and then forks one short-lived child per upload (:mod:`centredesk.io.read_child`): about
ten milliseconds each, sharing the imported code. The server itself never touches an
upload, and stays single-threaded, so forking it is safe.

Protocol, one JSON object per line: the parent writes a request (what to read, where to put
the result, the limits); the server forks and answers ``{"pid": N}``. When a child ends, the
server reaps it and writes its exit status (negative: the signal that ended it) to
``exit.json`` in the request's folder. The server ends when its input closes, that is when
its parent ends (however it ends: the kernel closes the pipe), and takes any running child
with it.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from centredesk.io.errors import InputError

EXIT_FILE = "exit.json"
"""Where the server writes a child's exit status, in the request's folder."""


def warm_up() -> None:
    """Start this process's reading server now, so the first read does not wait for it."""
    SERVER.ensure_running()


def shut_down() -> None:
    """Stop this process's reading server (the next read starts a new one)."""
    SERVER.stop()


class ReadServer:
    """The reading server of this process, started on first use, restarted if it died."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._stopped_at_exit = False

    def ensure_running(self) -> subprocess.Popen[bytes]:
        with self._lock:
            return self._running()

    def stop(self) -> None:
        with self._lock:
            if self._process is not None:
                _stop(self._process)
                self._process = None

    def fork(self, request: dict[str, Any]) -> tuple[int, subprocess.Popen[bytes]]:
        """Have the server fork a child for ``request``; the child's pid, and the server."""
        line = json.dumps(request).encode() + b"\n"
        with self._lock:
            for attempt in (1, 2):
                process = self._running()
                assert process.stdin is not None and process.stdout is not None
                try:
                    process.stdin.write(line)
                    process.stdin.flush()
                    reply = process.stdout.readline()
                except OSError:
                    reply = b""
                if reply:
                    return int(json.loads(reply)["pid"]), process
                _stop(process)  # it died: start a new one, once
                if attempt == 2:
                    break
        raise InputError(f"{Path(request['path']).name}: the reading process could not start")

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        if not self._stopped_at_exit:
            # Ended with this process anyway (its input closes); this also reaps it.
            atexit.register(self.stop)
            self._stopped_at_exit = True
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "centredesk.io.read_server"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_server_environment(),
                start_new_session=True,
            )
        except OSError as error:
            raise InputError(
                f"the reading process could not start ({error.strerror}); check that "
                f"{sys.executable} runs"
            ) from None
        return self._process


SERVER = ReadServer()
"""This process's reading server."""


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Close the server's input, so it ends (ending its children), and reap it."""
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _server_environment() -> dict[str, str]:
    """This environment, with the package importable even when run from a source tree."""
    environment = dict(os.environ)
    environment["RUST_BACKTRACE"] = "0"  # a reader's crash is one line in our log, not pages
    source = str(Path(__file__).resolve().parents[2])
    existing = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = f"{source}{os.pathsep}{existing}" if existing else source
    return environment


def main() -> int:
    """The server's loop (run as ``python -m centredesk.io.read_server``)."""
    # The reader's imports, paid here once and shared by every fork.
    import centredesk.io.read_child  # noqa: F401

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to answer
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    folders: dict[int, str] = {}
    pending = b""
    try:
        while True:
            ready, _, _ = select.select([0, wake_read], [], [])
            if wake_read in ready:
                os.read(wake_read, 4096)
                _reap(folders)
            if 0 in ready:
                incoming = os.read(0, 65536)
                if not incoming:
                    return 0
                pending += incoming
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    request: dict[str, Any] = json.loads(line)
                    pid = _fork(request)
                    folders[pid] = request["folder"]
                    os.write(1, json.dumps({"pid": pid}).encode() + b"\n")
    finally:
        for pid in folders:
            _kill(pid)


def _fork(request: dict[str, Any]) -> int:
    server = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            from centredesk.io import read_child

            read_child.run(request, server)
        finally:
            os._exit(0)
    return pid


def _reap(folders: dict[int, str]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        folder = folders.pop(pid, None)
        if folder is None:
            continue
        code = os.waitstatus_to_exitcode(status)
        partial = Path(folder) / f"{EXIT_FILE}.part"
        try:
            partial.write_text(json.dumps({"status": code}))
            os.replace(partial, Path(folder) / EXIT_FILE)
        except OSError:
            pass  # the parent gave up on this read and removed its folder


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
