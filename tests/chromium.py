"""Headless Chromium driven over its DevTools protocol, for the tests of a web page (the wall display):
unit tests over the API's test server and the real-stack test against the running hotline."""
from __future__ import annotations

import asyncio
import base64
import json
import re
from pathlib import Path

import aiohttp
import pytest

from conftest import require_tool


class Chromium:
    """Headless Chromium on one page, driven over its DevTools protocol (a WebSocket)."""

    def __init__(self, url: str, profile: Path):
        self.url, self.profile, self.n = url, profile, 0

    async def __aenter__(self):
        self.proc = await asyncio.create_subprocess_exec(
            require_tool("chromium", "chromium"), "--headless=new", "--no-sandbox", "--remote-debugging-port=0",
            "--window-size=1920,1080", "--hide-scrollbars", "--no-first-run", f"--user-data-dir={self.profile}",
            self.url, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        seen = []
        while not (m := re.search(r"DevTools listening on ws://127.0.0.1:(\d+)/", seen[-1] if seen else "")):
            line = await asyncio.wait_for(self.proc.stderr.readline(), 30)
            assert line, f"chromium ended: {''.join(seen)[-2000:]}"
            seen.append(line.decode(errors="replace"))
        asyncio.get_running_loop().create_task(self._drain())
        self.http = aiohttp.ClientSession()
        for _ in range(100):
            async with self.http.get(f"http://127.0.0.1:{m.group(1)}/json/list") as r:
                pages = [t for t in await r.json() if t["type"] == "page"]
            if pages:
                break
            await asyncio.sleep(0.1)
        self.ws = await self.http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        await self.send("Emulation.setDeviceMetricsOverride", width=1920, height=1080, deviceScaleFactor=1,
                        mobile=False)
        return self

    async def _drain(self):
        while await self.proc.stderr.readline():
            pass

    async def send(self, method: str, **params) -> dict:
        self.n += 1
        await self.ws.send_json({"id": self.n, "method": method, "params": params})
        while True:
            msg = await asyncio.wait_for(self.ws.receive_json(), 30)
            if msg.get("id") == self.n:
                assert "error" not in msg, msg
                return msg["result"]

    async def js(self, expression: str):
        return (await self.send("Runtime.evaluate", expression=expression, returnByValue=True))["result"].get("value")

    async def text(self, element_id: str) -> str:
        return await self.js(f"(document.getElementById({json.dumps(element_id)}) || {{}}).textContent || ''")

    async def until(self, what: str, check, timeout: float = 10.0):
        """Waits until `check()` (a coroutine) gives a true value; fails saying `what` it waited for."""
        last = None
        for _ in range(int(timeout / 0.1)):
            last = await check()
            if last:
                return last
            await asyncio.sleep(0.1)
        pytest.fail(f"chromium: {what} never came (last: {last!r}); the page's text: {await self.text('main')!r}")

    async def screenshot(self, path: Path) -> None:
        png = await self.send("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(png["data"]))

    async def __aexit__(self, *exc):
        await self.ws.close()
        await self.http.close()
        self.proc.kill()
        await self.proc.wait()
