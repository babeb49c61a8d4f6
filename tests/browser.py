"""A headless Chromium driven through its DevTools protocol, for the served app's test.

The page draws the terminal on a canvas, so what the app shows is read where it arrives:
every frame the page receives on its websocket is kept (decoded as text) by a script that
runs before the page's own. Keys are typed as a person would, through the browser's input.
Everything stays on this machine: the browser talks to a server on localhost only.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

KEEP_FRAMES = """
(() => {
  const Original = window.WebSocket;
  window.__frames = [];
  const decoder = new TextDecoder();
  function Kept(url, protocols) {
    const socket = protocols === undefined ? new Original(url) : new Original(url, protocols);
    socket.addEventListener("message", async (event) => {
      let data = event.data;
      if (data instanceof Blob) data = await data.arrayBuffer();
      if (data instanceof ArrayBuffer) data = decoder.decode(data);
      window.__frames.push(String(data));
    });
    return socket;
  }
  Kept.prototype = Original.prototype;
  for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Kept[name] = Original[name];
  window.WebSocket = Kept;
})();
"""

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def plain(text: str) -> str:
    """Terminal output without its escape sequences."""
    return _ESCAPES.sub("", text)


class Page:
    """One tab of the browser, spoken to over the DevTools websocket."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse, session: str) -> None:
        self.socket = socket
        self.session = session
        self._ids = itertools.count(1000)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        return await _call(self.socket, self._ids, method, params, self.session)

    async def received(self) -> str:
        """Everything the page received from the app so far, as plain text."""
        answer = await self.call(
            "Runtime.evaluate",
            expression="(window.__frames || []).join('')",
            returnByValue=True,
        )
        return plain(str(answer["result"].get("value", "")))

    async def wait_for_text(self, text: str, *, after: int = 0, seconds: float = 30) -> int:
        """Wait until ``text`` arrives (past position ``after``); where it was found."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = (await self.received()).find(text, after)
            if found >= 0:
                return found
            await asyncio.sleep(0.2)
        raise AssertionError(f"{text!r} never reached the page")

    async def click(self, x: int, y: int) -> None:
        """Click the page at (x, y), as a person does before typing into it."""
        for kind in ("mousePressed", "mouseReleased"):
            await self.call(
                "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1
            )

    async def press(self, key: str) -> None:
        """Type one character key, as a keyboard would."""
        code = f"Digit{key}" if key.isdigit() else f"Key{key.upper()}"
        for kind in ("keyDown", "keyUp"):
            await self.call(
                "Input.dispatchKeyEvent",
                type=kind,
                key=key,
                code=code,
                text=key if kind == "keyDown" else "",
                windowsVirtualKeyCode=ord(key.upper()),
            )


async def _call(
    socket: aiohttp.ClientWebSocketResponse,
    ids: Any,
    method: str,
    params: dict[str, Any],
    session: str | None = None,
) -> dict[str, Any]:
    number = next(ids)
    message: dict[str, Any] = {"id": number, "method": method, "params": params}
    if session is not None:
        message["sessionId"] = session
    await socket.send_str(json.dumps(message))
    while True:
        reply = json.loads((await socket.receive(timeout=30)).data)
        if reply.get("id") == number:
            if "error" in reply:
                raise AssertionError(f"{method}: {reply['error']}")
            result: dict[str, Any] = reply.get("result", {})
            return result


@contextlib.asynccontextmanager
async def open_page(url: str, *, width: int = 1000, height: int = 700) -> AsyncIterator[Page]:
    """A headless Chromium showing ``url``, its frames kept from the first one."""
    assert CHROMIUM is not None, "chromium is not installed"
    # Chromium's helper processes may still write to the profile as it is removed.
    with tempfile.TemporaryDirectory(
        prefix="centredesk-browser-", ignore_cleanup_errors=True
    ) as profile:
        browser = subprocess.Popen(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-port=0", f"--user-data-dir={profile}",
                f"--window-size={width},{height}", "about:blank",
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            endpoint = await _endpoint(Path(profile), browser)
            async with (
                aiohttp.ClientSession() as client,
                client.ws_connect(endpoint, max_msg_size=0) as socket,
            ):
                ids = itertools.count(1)
                target = await _call(socket, ids, "Target.createTarget", {"url": "about:blank"})
                attached = await _call(
                    socket, ids, "Target.attachToTarget",
                    {"targetId": target["targetId"], "flatten": True},
                )  # fmt: skip
                page = Page(socket, attached["sessionId"])
                await page.call("Page.enable")
                await page.call("Runtime.enable")
                await page.call("Page.addScriptToEvaluateOnNewDocument", source=KEEP_FRAMES)
                await page.call("Page.navigate", url=url)
                yield page
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(browser.pid, signal.SIGKILL)  # its helpers too
            browser.wait(timeout=30)


async def _endpoint(profile: Path, browser: subprocess.Popen[bytes]) -> str:
    """The browser's DevTools websocket, from the file it writes once it listens."""
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if browser.poll() is not None:
            raise AssertionError(f"chromium stopped with status {browser.returncode}")
        with contextlib.suppress(OSError, ValueError):
            port, path = port_file.read_text().split()[:2]
            return f"ws://127.0.0.1:{int(port)}{path}"
        await asyncio.sleep(0.1)
    raise AssertionError("chromium did not start listening")
