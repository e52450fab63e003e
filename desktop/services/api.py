"""The desktop's only link to the hotline service: the agent API over HTTP + one WebSocket.

HTTP goes through Qt's QNetworkAccessManager (asynchronous, never blocks the GUI);
the WebSocket runs in a QThread with an aiohttp client (PySide6-Essentials has no
QtWebSockets) and reconnects with backoff, keeping the same session token, when the
service restarts. Every result and every error comes back as a Qt signal; errors
carry the server's own (Chinese) message from ``{"error": ...}``.

The desktop never touches the database or AMI: it holds only its session token.
Over https:// it trusts exactly the hotline's certificate (``--ca`` / ``$HOTLINE_API_CA``)
when given, else the system's CAs; a certificate that does not verify is an error, never skipped.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import ssl
import tempfile
from typing import Callable
from urllib.parse import quote, urlencode

import aiohttp
from PySide6.QtCore import QByteArray, QObject, QThread, QUrl, Signal, Slot
from PySide6.QtNetwork import (
    QNetworkAccessManager,
    QNetworkReply,
    QNetworkRequest,
    QSslCertificate,
    QSslConfiguration,
    QSslSocket,
)

DEFAULT_TIMEOUT_MS = 15000
TLS_FAILED = "服务器证书无法验证（%s），请向管理员核对证书"


def default_api_url() -> str:
    """``$HOTLINE_API_URL`` if set (``hotline status`` prints it), else the local default."""
    url = os.environ.get("HOTLINE_API_URL", "").strip()
    if url:
        if url.isdigit():               # just a port
            return f"http://127.0.0.1:{url}"
        return url.rstrip("/")
    return "http://127.0.0.1:8080"


def ws_url_for(base: str, token: str) -> str:
    if base.startswith("https://"):
        root = "wss://" + base[len("https://"):]
    elif base.startswith("http://"):
        root = "ws://" + base[len("http://"):]
    else:
        root = base
    return f"{root.rstrip('/')}/api/ws?{urlencode({'token': token})}"


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
                                        if data.get("type") == "session_ended":
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


class AudioScratch:
    """Recordings and voice descriptions downloaded for playing: a 0700 folder of this run
    in the temp directory, holding at most the file being played. Folders left by a run
    that died (its pid gone) are removed at the next start."""

    PREFIX = "hotline-desk-audio-"

    def __init__(self):
        self._dir: str | None = None
        self._sweep_dead_runs()

    def write(self, data: bytes, kind: str) -> str:
        if self._dir is None or not os.path.isdir(self._dir):
            self._dir = tempfile.mkdtemp(prefix=f"{self.PREFIX}{os.getpid()}-")
        for old in os.listdir(self._dir):          # the previous play is over: it goes
            _remove(os.path.join(self._dir, old))
        fd, name = tempfile.mkstemp(prefix=f"{kind}-", suffix=".wav", dir=self._dir)   # 0600
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return name

    def clear(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _sweep_dead_runs(self) -> None:
        if os.name != "posix":   # os.kill(pid, 0) would terminate a process on Windows
            return
        base = tempfile.gettempdir()
        for name in os.listdir(base):
            if not name.startswith(self.PREFIX):
                continue
            pid = name[len(self.PREFIX):].split("-", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(os.path.join(base, name), ignore_errors=True)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:   # still open by a player on some systems: removed at exit instead
        pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class AgentApiClient(QObject):
    """Asynchronous client of the agent API; everything comes back as signals."""

    logged_in = Signal(dict)           # the login answer: token, user, sip, expires_at
    login_failed = Signal(str)
    logged_out = Signal()
    error = Signal(str)                # server message (Chinese) or a network failure
    event = Signal(dict)               # WebSocket events: hello, screen_pop, call_answered, ...
    connection_changed = Signal(bool)  # WebSocket up/down
    session_ended = Signal(str)        # replaced elsewhere / token refused: log in again
    agent_state = Signal(dict)
    script_loaded = Signal(dict)       # {"opening", "closing"}
    stations_loaded = Signal(list)
    accounts_found = Signal(list)
    account_loaded = Signal(dict)
    pop_loaded = Signal(dict)
    ticket_loaded = Signal(dict)
    draft_saved = Signal(str)          # ticket number
    draft_failed = Signal(str, str)    # ticket number, message
    ticket_saved = Signal(dict)
    drafts_loaded = Signal(list)
    voice_downloaded = Signal(str, str)  # ticket number, local file path
    recordings_loaded = Signal(list)
    recording_downloaded = Signal(int, str)

    def __init__(self, base_url: str | None = None, parent: QObject | None = None, ca_file: str | None = None):
        super().__init__(parent)
        self.base_url = (base_url or default_api_url()).rstrip("/")
        self.nam = QNetworkAccessManager(self)
        self.ca_file = ca_file or os.environ.get("HOTLINE_API_CA") or None
        self._ssl_conf: QSslConfiguration | None = None   # for QNetworkRequests
        self._ssl_ctx: ssl.SSLContext | None = None       # for the WebSocket (aiohttp)
        self._tls_problem = ""          # an unusable CA file: every request fails with this
        self._ssl_errors: dict[QNetworkReply, str] = {}
        if self.ca_file and self.base_url.startswith("https://"):
            self._setup_tls(self.ca_file)
        self.token: str = ""
        self.user: dict = {}
        self.sip: dict = {}
        self._ws: WsWorker | None = None
        self._ws_up = False
        self._pending: set[QNetworkReply] = set()
        #: customer audio played on this PC: one private folder per run, emptied when the
        #: next file arrives and removed at exit (the players need a file, not bytes)
        self._audio = AudioScratch()

    # ------------------------------------------------------------ plumbing --
    def _setup_tls(self, ca_file: str) -> None:
        """Trust exactly the certificates in `ca_file` (the hotline's own), peer verification on."""
        certs = QSslCertificate.fromPath(ca_file)
        try:
            self._ssl_ctx = ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError):
            certs = []
        if not certs:
            self._tls_problem = f"无法读取证书文件 {ca_file}，请向管理员索取热线服务器的证书"
            return
        conf = QSslConfiguration.defaultConfiguration()
        conf.setCaCertificates(certs)
        conf.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
        self._ssl_conf = conf

    def _on_ssl_errors(self, reply: QNetworkReply, errors) -> None:
        # not ignored: Qt aborts the handshake; keep why, to tell the agent
        self._ssl_errors[reply] = "；".join(e.errorString() for e in errors) or "证书错误"

    @property
    def ws_connected(self) -> bool:
        return self._ws_up

    def _url(self, path: str, query: dict | None = None) -> QUrl:
        url = self.base_url + path
        if query:
            url += "?" + urlencode(query)
        return QUrl(url)

    def request(self, method: str, path: str, body=None, *, query: dict | None = None,
                on_ok: Callable | None = None, on_error: Callable[[str, int], None] | None = None,
                raw: bool = False, quiet: bool = False) -> QNetworkReply:
        """Send one request; `on_ok(data)` with parsed JSON (or bytes if raw), errors → `error`."""
        req = QNetworkRequest(self._url(path, query))
        req.setTransferTimeout(DEFAULT_TIMEOUT_MS)
        if self._ssl_conf is not None:
            req.setSslConfiguration(self._ssl_conf)
        req.setRawHeader(b"Accept", b"application/json")
        if self.token:
            req.setRawHeader(b"Authorization", ("Bearer " + self.token).encode())
        data = QByteArray()
        if body is not None:
            req.setHeader(QNetworkRequest.KnownHeaders.ContentTypeHeader, "application/json; charset=utf-8")
            data = QByteArray(json.dumps(body, ensure_ascii=False).encode("utf-8"))
        m = method.upper()
        if m == "GET":
            reply = self.nam.get(req)
        elif m == "POST":
            reply = self.nam.post(req, data)
        elif m == "PUT":
            reply = self.nam.put(req, data)
        else:
            reply = self.nam.sendCustomRequest(req, m.encode(), data)
        self._pending.add(reply)
        reply.sslErrors.connect(lambda errors, r=reply: self._on_ssl_errors(r, errors))
        reply.finished.connect(lambda r=reply: self._finished(r, on_ok, on_error, raw, quiet))
        if self._tls_problem:
            reply.abort()     # nothing leaves the PC without the certificate the agent was told to trust
        return reply

    def _finished(self, reply: QNetworkReply, on_ok, on_error, raw: bool, quiet: bool) -> None:
        self._pending.discard(reply)
        ssl_detail = self._ssl_errors.pop(reply, "")
        try:
            if self._tls_problem:
                self._fail(self._tls_problem, 0, on_error, quiet)
                return
            if ssl_detail or reply.error() == QNetworkReply.NetworkError.SslHandshakeFailedError:
                self._fail(TLS_FAILED % (ssl_detail or reply.errorString()), 0, on_error, quiet)
                return
            status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute) or 0
            payload = bytes(reply.readAll().data())
            net_err = reply.error()
            if status and 200 <= int(status) < 300 and net_err == QNetworkReply.NetworkError.NoError:
                if raw:
                    result = payload
                else:
                    try:
                        result = json.loads(payload.decode("utf-8")) if payload else {}
                    except ValueError:
                        self._fail("服务器返回了无法识别的数据", int(status), on_error, quiet)
                        return
                if on_ok:
                    on_ok(result)
                return
            msg = ""
            if payload:
                try:
                    got = json.loads(payload.decode("utf-8"))
                    if isinstance(got, dict):
                        msg = str(got.get("error") or "")
                except ValueError:
                    pass
            if not msg:
                if not status:
                    msg = "无法连接服务器（%s）" % (reply.errorString() or "网络错误")
                else:
                    msg = f"服务器错误 {status}"
            self._fail(msg, int(status or 0), on_error, quiet)
            if int(status or 0) == 401 and self.token and reply.request().url().path() != "/api/login":
                self.forget_session()          # once: later 401s find no token
                self.session_ended.emit(msg)
        finally:
            reply.deleteLater()

    def _fail(self, msg: str, status: int, on_error, quiet: bool) -> None:
        if on_error:
            on_error(msg, status)
        if not quiet:
            self.error.emit(msg)

    # --------------------------------------------------------------- login --
    def login(self, agent_no: str, password: str) -> None:
        def ok(data: dict):
            self.token = data.get("token", "")
            self.user = data.get("user") or {}
            self.sip = data.get("sip") or {}
            self.logged_in.emit(data)
            self.connect_events()

        def bad(msg: str, _status: int):
            self.login_failed.emit(msg)
        self.request("POST", "/api/login", {"agent_no": agent_no.strip(), "password": password},
                     on_ok=ok, on_error=bad, quiet=True)

    def logout(self) -> None:
        def done(*_):
            self.token = ""
            self.logged_out.emit()
        self.disconnect_events()
        if self.token:
            self.request("POST", "/api/logout", {}, on_ok=done, on_error=done, quiet=True)
        else:
            done()

    def forget_session(self) -> None:
        """The session ended on the server (replaced or expired): drop it locally."""
        self.disconnect_events()
        self.token = ""

    def me(self) -> None:
        self.request("GET", "/api/me", on_ok=lambda d: self.agent_state.emit(d.get("agent_state") or {}))

    # ----------------------------------------------------------- websocket --
    def connect_events(self) -> None:
        self.disconnect_events()
        if not self.token:
            return
        ws = WsWorker(ws_url_for(self.base_url, self.token), self, ssl_ctx=self._ssl_ctx)
        ws.message.connect(self._on_ws_message)
        ws.connected.connect(self._on_ws_connected)
        ws.fatal.connect(self._on_ws_fatal)
        ws.tls_failed.connect(self.error)
        self._ws = ws
        ws.start()

    def disconnect_events(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            for sig, slot in ((ws.message, self._on_ws_message), (ws.connected, self._on_ws_connected),
                              (ws.fatal, self._on_ws_fatal), (ws.tls_failed, self.error)):
                try:
                    sig.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
            ws.stop()
            ws.wait(3000)
            ws.deleteLater()
        if self._ws_up:
            self._ws_up = False
            self.connection_changed.emit(False)

    @Slot(dict)
    def _on_ws_message(self, data: dict) -> None:
        kind = data.get("type")
        if isinstance(data.get("agent_state"), dict):
            self.agent_state.emit(data["agent_state"])
        self.event.emit(data)
        if kind == "session_ended":
            self.forget_session()
            self.session_ended.emit(str(data.get("message") or "会话已结束，请重新登录"))

    @Slot(bool)
    def _on_ws_connected(self, up: bool) -> None:
        if up != self._ws_up:
            self._ws_up = up
            self.connection_changed.emit(up)

    @Slot(str)
    def _on_ws_fatal(self, msg: str) -> None:
        self.forget_session()
        self.session_ended.emit(msg)

    # ---------------------------------------------------------------- agent --
    def join_queue(self, member: bool) -> None:
        self.request("POST", "/api/agent/queue", {"member": bool(member)},
                     on_ok=lambda d: self.agent_state.emit(d.get("agent_state") or {}))

    def pause(self, paused: bool, reason: str = "") -> None:
        self.request("POST", "/api/agent/pause", {"paused": bool(paused), "reason": reason or ""},
                     on_ok=lambda d: self.agent_state.emit(d.get("agent_state") or {}))

    def get_script(self) -> None:
        self.request("GET", "/api/script", on_ok=self.script_loaded.emit)

    def stations(self) -> None:
        self.request("GET", "/api/stations", on_ok=lambda d: self.stations_loaded.emit(list(d or [])))

    # ------------------------------------------------------------- accounts --
    def search_accounts(self, q: str) -> None:
        self.request("GET", "/api/accounts", query={"q": q.strip()},
                     on_ok=lambda d: self.accounts_found.emit(list(d or [])))

    def get_account(self, account_no: str) -> None:
        self.request("GET", f"/api/accounts/{quote(account_no, safe='')}", on_ok=self.account_loaded.emit)

    def get_pop(self, uniqueid: str) -> None:
        self.request("GET", f"/api/calls/{quote(uniqueid, safe='')}/pop", on_ok=self.pop_loaded.emit)

    # -------------------------------------------------------------- tickets --
    def get_ticket(self, number: str) -> None:
        self.request("GET", f"/api/tickets/{quote(number, safe='')}", on_ok=self.ticket_loaded.emit)

    def autosave(self, number: str, form: dict) -> None:
        self.request("PUT", f"/api/tickets/{quote(number, safe='')}/draft", form,
                     on_ok=lambda _d: self.draft_saved.emit(number),
                     on_error=lambda msg, _s: self.draft_failed.emit(number, msg), quiet=True)

    def save_ticket(self, number: str, form: dict) -> None:
        self.request("PUT", f"/api/tickets/{quote(number, safe='')}", form, on_ok=self.ticket_saved.emit)

    def my_drafts(self) -> None:
        self.request("GET", "/api/tickets/drafts", on_ok=lambda d: self.drafts_loaded.emit(list(d or [])))

    def download_voice(self, number: str, url_path: str | None = None) -> None:
        """Fetch the caller's voice description to a private temp file → voice_downloaded."""
        path = url_path or f"/api/tickets/{quote(number, safe='')}/voice"

        def ok(data: bytes):
            self.voice_downloaded.emit(number, self._audio.write(data, "voice"))
        self.request("GET", path, on_ok=ok, raw=True)

    def recordings(self) -> None:
        self.request("GET", "/api/recordings", on_ok=lambda d: self.recordings_loaded.emit(list(d or [])))

    def download_recording(self, rid: int) -> None:
        def ok(data: bytes):
            self.recording_downloaded.emit(int(rid), self._audio.write(data, "rec"))
        self.request("GET", f"/api/recordings/{int(rid)}/audio", on_ok=ok, raw=True)

    def shutdown(self) -> None:
        self.disconnect_events()
        self._audio.clear()
        for r in list(self._pending):
            r.abort()
