"""``centredesk serve`` for real: the server started, the page loaded in headless Chromium,
the dashboard seen, and a key press switching tabs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser import CHROMIUM, open_page
from tui_fixtures import small_store

from centredesk.cli.serving import app_command
from centredesk.cli.settings import resolve

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, server: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server stopped: {server.communicate()[1]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the server never listened")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
async def test_the_served_app_shows_the_dashboard_and_answers_keys(tmp_path: Path) -> None:
    db = small_store(tmp_path)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "centredesk", "serve", "--port", str(port), "--db", str(db)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_port(port, server)
        async with open_page(f"http://localhost:{port}") as page:
            dashboard = await page.wait_for_text("Registrations by status")
            await page.wait_for_text("Latest imports", after=dashboard)
            assert (await page.received()).find("Forename", dashboard) < 0
            await page.click(500, 350)
            await page.press("2")
            # The learners tab: its search bar and its table's header reach the page.
            found = await page.wait_for_text("/ search: smi", after=dashboard)
            await page.wait_for_text("Forename", after=found)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        if server.stderr is not None:
            server.stderr.close()


def test_the_app_command_uses_this_python_and_the_same_database(tmp_path: Path) -> None:
    chosen = resolve(database=str(tmp_path / "x y.duckdb"), wait=3, environ={})
    assert app_command(chosen) == (
        f"{sys.executable} -m centredesk --wait 3 --db '{tmp_path / 'x y.duckdb'}'"
    )
    (tmp_path / "empty.toml").write_text("")
    default = resolve(environ={"CENTREDESK_CONFIG": str(tmp_path / "empty.toml")})
    assert default.database_is_default and "--db" not in app_command(default)


def test_serving_beyond_this_machine_warns_that_there_is_no_login(tmp_path: Path) -> None:
    db = small_store(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "centredesk", "serve", "--host", "0.0.0.0", "--port",
         str(free_port()), "--db", str(db)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        assert server.stderr is not None
        lines = [server.stderr.readline() for _ in range(2)]
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        server.stderr.close()  # type: ignore[union-attr]
    assert "serving the app at http://0.0.0.0:" in lines[0]
    assert "no login of its own" in lines[1]
