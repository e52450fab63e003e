"""The WebSocket of pushed events (screen pop, call answered/ended, agent state, session ended,
telephony restarted): an aiohttp client on its own asyncio loop in a QThread (PySide6-Essentials
has no QtWebSockets). It reconnects with backoff on the same session token when the service
restarts or the LAN drops, and stops for good when the server refuses the token or its
certificate. Signals are emitted from this thread and reach GUI-thread slots queued.
desktop.services.api.AgentApiClient owns one per session.
"""
from __future__ import annotations

import asyncio
import json
import ssl
from urllib.parse import urlencode

import aiohttp
from PySide6.QtCore import QObject, QThread, Signal

from common import wire

TLS_FAILED = "服务器证书无法验证（%s），请向管理员核对证书"


def ws_url_for(base: str, token: str) -> str:
    if base.startswith("https://"):
        root = "wss://" + base[len("https://"):]
    elif base.startswith("http://"):
        root = "ws://" + base[len("http://"):]
    else:
        root = base
    return f"{root.rstrip('/')}{wire.WS}?{urlencode({'token': token})}"


class WsWorker(QThread):
    """Runs the WebSocket client on its own asyncio loop; reconnects with backoff.

    Signals are emitted from this thread and reach GUI-thread slots queued.
    """
    message = Signal(dict)
    connected = Signal(bool)
    fatal = Signal(str)          # the server refused the token: stop, log in again
    tls_failed = Signal(str)     # the server's certificate does not verify: retrying cannot help

    BACKOFF = (0.5, 1, 2, 4, 8, 15)

    def __init__(self, url: str, parent: QObject | None = None, ssl_ctx: ssl.SSLContext | None = None):
        super().__init__(parent)
        self.url = url
        self.ssl_ctx = ssl_ctx       # None: aiohttp's default verification with the system CAs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stopping = False

    def run(self) -> None:  # QThread entry
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()
            self._loop = None

    def stop(self) -> None:
        self._stopping = True
        loop, ev = self._loop, self._stop
        if loop is not None and ev is not None:
            try:
                loop.call_soon_threadsafe(ev.set)
            except RuntimeError:
                pass

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        attempt = 0
        was_up = False
        async with aiohttp.ClientSession() as http:
            while not self._stopping and not self._stop.is_set():
                try:
                    async with http.ws_connect(self.url, heartbeat=10, timeout=aiohttp.ClientWSTimeout(ws_close=5),
                                               autoping=True, ssl=self.ssl_ctx or True) as ws:
                        attempt = 0
                        was_up = True
                        self.connected.emit(True)
                        stop_wait = asyncio.ensure_future(self._stop.wait())
                        try:
                            while True:
                                recv = asyncio.ensure_future(ws.receive())
                                done, _ = await asyncio.wait({recv, stop_wait},
                                                             return_when=asyncio.FIRST_COMPLETED)
                                if stop_wait in done:
                                    recv.cancel()
                                    await ws.close()
                                    break
                                msg = recv.result()
                                if msg.type == aiohttp.WSMsgType.TEXT:
                                    if msg.data == "pong":
                                        continue
                                    try:
                                        data = json.loads(msg.data)
                                    except ValueError:
                                        continue
                                    if isinstance(data, dict):
                                        self.message.emit(data)
                                        if data.get("type") == wire.EV_SESSION_ENDED:
                                            self._stopping = True
                                elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                                                  aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                                    break
                        finally:
                            stop_wait.cancel()
                except aiohttp.WSServerHandshakeError as e:
                    if e.status in (401, 403):
                        self.connected.emit(False)
                        self.fatal.emit("登录无效或会话已结束，请重新登录")
                        return
                except aiohttp.ClientConnectorCertificateError as e:
                    self.connected.emit(False)
                    self.tls_failed.emit(TLS_FAILED % getattr(e.certificate_error, "verify_message", e))
                    return
                except (aiohttp.ClientError, OSError, asyncio.TimeoutError):
                    pass
                except Exception:   # never let the thread die silently
                    pass
                if was_up or attempt == 0:
                    self.connected.emit(False)
                    was_up = False
                if self._stopping or self._stop.is_set():
                    break
                delay = self.BACKOFF[min(attempt, len(self.BACKOFF) - 1)]
                attempt += 1
                try:
                    await asyncio.wait_for(self._stop.wait(), timeout=delay)
                except asyncio.TimeoutError:
                    pass


