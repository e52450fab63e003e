"""The desktop's only link to the hotline service: the agent API over HTTP + one WebSocket.

HTTP goes through Qt's QNetworkAccessManager (asynchronous, never blocks the GUI); the
WebSocket of pushed events is desktop.services.events.WsWorker (its own thread), which
reconnects with backoff, keeping the same session token, when the service restarts. Every
result and every error comes back as a Qt signal; errors carry the server's own (Chinese)
message from ``{"error": ...}``. Routes and event types are common.wire's.

The desktop never touches the database or AMI: it holds only its session token.
Over https:// it trusts exactly the hotline's certificate (``--ca`` / ``$HOTLINE_API_CA``)
when given, else the system's CAs; a certificate that does not verify is an error, never skipped.
"""
from __future__ import annotations

import json
import os
import ssl
from typing import Callable
from urllib.parse import urlencode

from PySide6.QtCore import QByteArray, QObject, QUrl, Signal, Slot
from PySide6.QtNetwork import (
    QNetworkAccessManager,
    QNetworkReply,
    QNetworkRequest,
    QSslCertificate,
    QSslConfiguration,
    QSslSocket,
)

from desktop.services.audio import AudioScratch
from desktop.services.events import TLS_FAILED, WsWorker, ws_url_for
from common import wire
from common.settings import INSTALLED_PORTS

DEFAULT_TIMEOUT_MS = 15000
#: an export is generated on request (a season's PDF takes a while)
EXPORT_TIMEOUT_MS = 180_000


def default_api_url() -> str:
    """``$HOTLINE_API_URL`` if set (``hotline status`` prints it), else an installed server's API on
    this machine (its fixed port, common.settings.INSTALLED_PORTS)."""
    url = os.environ.get("HOTLINE_API_URL", "").strip()
    if url:
        if url.isdigit():               # just a port
            return f"http://127.0.0.1:{url}"
        return url.rstrip("/")
    return f"http://127.0.0.1:{INSTALLED_PORTS['api_port']}"


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
    ticket_created = Signal(dict)
    drafts_loaded = Signal(list)
    voice_downloaded = Signal(str, str)  # ticket number, local file path
    recordings_loaded = Signal(list)
    recording_downloaded = Signal(int, str)
    directory_loaded = Signal(list)    # transfer directory entries: agent_no, name, role, state, reason
    # after the call (team leads, the head, stations; 记录异常 for everybody)
    tickets_loaded = Signal(object)    # GET TICKETS: rows like wire.SAMPLE_TICKET_ROW
    unconfirmed_loaded = Signal(object)  # GET TICKETS?unconfirmed=1: the drafts waiting (待确认), counted
    ticket_detail_loaded = Signal(dict)  # GET TICKET for the after-call screens (+ SAMPLE_TIMELINE's keys)
    ticket_moved = Signal(dict)        # a state move's answer (the ticket)
    ticket_reopened = Signal(dict)     # the linked follow-up ticket
    anomalies_loaded = Signal(object)  # GET ANOMALIES: entries like wire.SAMPLE_ANOMALY
    anomaly_saved = Signal(dict)       # recorded, handled or closed: the server's answer
    anomaly_acked = Signal(int)        # this person's 确认 of an escalation went through
    escalations_loaded = Signal(object)  # GET ANOMALIES_UNACKED
    callbacks_loaded = Signal(object)  # GET CALLBACKS: entries like wire.SAMPLE_CALLBACK
    callback_saved = Signal(dict)      # a take or an outcome: the entry as it is now
    outcome_refused = Signal(str, str, str, int)  # an outcome refused: ticket, outcome, the server's words, status
    surveys_loaded = Signal(object)    # GET SURVEYS: rows like wire.SAMPLE_SURVEY_ROW
    survey_saved = Signal(dict)        # {ticket, state, survey, solved, reopened?}
    survey_booked = Signal(dict)       # the row with its due_at
    call_out_placed = Signal(dict)     # click-to-call accepted (wire.SAMPLE_CALL_OUT): this phone rings next
    action_failed = Signal(str)        # an after-call action refused (403/409/422): the server's words
    station_notified = Signal(object)  # POST STATION_NOTIFY's answer (wire.SAMPLE_STATION_CALL)
    # the reports (#27): team leads, the head and admins (wire.REPORT_READER_ROLES)
    report_loaded = Signal(object)       # GET REPORT_DAILY / REPORT_PERIOD: the report's JSON
    report_failed = Signal(str, int)   # the server's words, the status
    report_signed = Signal(object)       # POST REPORT_SIGN's answer: {day, signed}
    sign_failed = Signal(str, int)
    drill_loaded = Signal(object)        # GET REPORT_DRILL: {figure, value, rows_are, count, rows, truncated}
    drill_failed = Signal(str, int)
    report_file_saved = Signal(str)    # the export written where the person chose
    report_file_failed = Signal(str)

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
                raw: bool = False, quiet: bool = False, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> QNetworkReply:
        """Send one request; `on_ok(data)` with parsed JSON (or bytes if raw), errors → `error`."""
        req = QNetworkRequest(self._url(path, query))
        req.setTransferTimeout(timeout_ms)
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
            if int(status or 0) == 401 and self.token and reply.request().url().path() != wire.LOGIN:
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
        self.request("POST", wire.LOGIN, {"agent_no": agent_no.strip(), "password": password},
                     on_ok=ok, on_error=bad, quiet=True)

    def logout(self) -> None:
        def done(*_):
            self.token = ""
            self.logged_out.emit()
        self.disconnect_events()
        if self.token:
            self.request("POST", wire.LOGOUT, {}, on_ok=done, on_error=done, quiet=True)
        else:
            done()

    def forget_session(self) -> None:
        """The session ended on the server (replaced or expired): drop it locally."""
        self.disconnect_events()
        self.token = ""

    def me(self) -> None:
        self.request("GET", wire.ME, on_ok=lambda d: self.agent_state.emit(d.get("agent_state") or {}))

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
        if kind == wire.EV_SESSION_ENDED:
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
        self.request("POST", wire.QUEUE, {"member": bool(member)},
                     on_ok=lambda d: self.agent_state.emit(d.get("agent_state") or {}))

    def pause(self, paused: bool, reason: str = "") -> None:
        self.request("POST", wire.PAUSE, {"paused": bool(paused), "reason": reason or ""},
                     on_ok=lambda d: self.agent_state.emit(d.get("agent_state") or {}))

    def new_ticket(self, uniqueid: str) -> None:
        """A new ticket on this call (no IVR draft, or a second problem): the server numbers it."""
        self.request("POST", wire.TICKETS, {"uniqueid": uniqueid}, on_ok=self.ticket_created.emit)

    def wrapup_done(self) -> None:
        """整理完成: the server ends the wrap-up and makes the agent available again."""
        self.request("POST", wire.WRAPUP_DONE, {}, on_ok=lambda d: self.agent_state.emit(d.get("agent_state") or {}))

    def reject_call(self, uniqueid: str, then: Callable[[], None]) -> None:
        """拒接 is the agent's decision on the record: the server hears it while the call still rings
        here (it refuses a call no longer ringing), and `then` declines the phone once it answered,
        either way."""
        self.request("POST", wire.path(wire.REJECT, uniqueid=uniqueid), {}, quiet=True,
                     on_ok=lambda _data: then(), on_error=lambda _msg, _status: then())

    def get_script(self) -> None:
        self.request("GET", wire.SCRIPT, on_ok=self.script_loaded.emit)

    def stations(self) -> None:
        self.request("GET", wire.STATIONS, on_ok=lambda d: self.stations_loaded.emit(list(d or [])))

    def directory(self) -> None:
        """Who a call can be transferred to, with their state now → directory_loaded."""
        self.request("GET", wire.DIRECTORY,
                     on_ok=lambda d: self.directory_loaded.emit(list((d or {}).get("entries") or [])))

    # ------------------------------------------------------------- accounts --
    def search_accounts(self, q: str) -> None:
        self.request("GET", wire.ACCOUNTS, query={"q": q.strip()},
                     on_ok=lambda d: self.accounts_found.emit(list(d or [])))

    def get_account(self, account_no: str) -> None:
        self.request("GET", wire.path(wire.ACCOUNT, account_no=account_no), on_ok=self.account_loaded.emit)

    def get_pop(self, uniqueid: str) -> None:
        self.request("GET", wire.path(wire.POP, uniqueid=uniqueid), on_ok=self.pop_loaded.emit)

    # -------------------------------------------------------------- tickets --
    def get_ticket(self, number: str) -> None:
        self.request("GET", wire.path(wire.TICKET, number=number), on_ok=self.ticket_loaded.emit)

    def autosave(self, number: str, form: dict) -> None:
        self.request("PUT", wire.path(wire.TICKET_DRAFT, number=number), form,
                     on_ok=lambda _d: self.draft_saved.emit(number),
                     on_error=lambda msg, _s: self.draft_failed.emit(number, msg), quiet=True)

    def save_ticket(self, number: str, form: dict) -> None:
        self.request("PUT", wire.path(wire.TICKET, number=number), form, on_ok=self.ticket_saved.emit)

    def my_drafts(self) -> None:
        self.request("GET", wire.DRAFTS, on_ok=lambda d: self.drafts_loaded.emit(list(d or [])))

    def download_voice(self, number: str, url_path: str | None = None) -> None:
        """Fetch the caller's voice description to a private temp file → voice_downloaded."""
        path = url_path or wire.path(wire.TICKET_VOICE, number=number)

        def ok(data: bytes):
            self.voice_downloaded.emit(number, self._audio.write(data, "voice"))
        self.request("GET", path, on_ok=ok, raw=True)

    def recordings(self, filters: dict | None = None) -> None:
        """GET RECORDINGS with wire.RECORDING_FILTERS (none: the newest the server lists)."""
        q = {k: str(v).strip() for k, v in (filters or {}).items() if k in wire.RECORDING_FILTERS and str(v).strip()}
        self.request("GET", wire.RECORDINGS, query=q or None,
                     on_ok=lambda d: self.recordings_loaded.emit(list(d or [])))

    def fetch_recording(self, rid: int, on_ok: Callable[[str], None], on_error=None) -> None:
        """A recording's audio into this run's private scratch folder; `on_ok(local path)`."""
        self.request("GET", wire.path(wire.RECORDING_AUDIO, rid=int(rid)), raw=True, on_error=on_error,
                     on_ok=lambda data: on_ok(self._audio.write(data, "rec")))

    def download_recording(self, rid: int) -> None:
        self.fetch_recording(rid, lambda path: self.recording_downloaded.emit(int(rid), path))

    # ---------------------------------------------------- after the call --
    def _action_error(self, msg: str, _status: int) -> None:
        self.action_failed.emit(msg)

    def tickets(self, query: dict | None = None) -> None:
        """GET TICKETS with the filters of wire.TICKET_FILTERS and wire.UNCONFIRMED (the server keeps a
        station to its own)."""
        q = {k: v for k, v in (query or {}).items()
             if (k in wire.TICKET_FILTERS or k == wire.UNCONFIRMED) and v not in (None, "")}
        self.request("GET", wire.TICKETS, query=q or None, on_ok=self.tickets_loaded.emit)

    def unconfirmed_tickets(self) -> None:
        """The drafts waiting for a team lead's confirmation, for the 工单 tab's count (a failure is
        the list's to show)."""
        self.request("GET", wire.TICKETS, query={wire.UNCONFIRMED: "1"}, on_ok=self.unconfirmed_loaded.emit,
                     quiet=True)

    def ticket_detail(self, number: str) -> None:
        self.request("GET", wire.path(wire.TICKET, number=number), on_ok=self.ticket_detail_loaded.emit)

    def set_ticket_state(self, number: str, state: str, note: str = "", station_code: str | None = None) -> None:
        """POST TICKET_STATE {state, note, station_code?}: the server checks the role and the move."""
        body = {"state": state, "note": note or ""}
        if station_code:
            body["station_code"] = station_code
        self.request("POST", wire.path(wire.TICKET_STATE, number=number), body,
                     on_ok=lambda d: self.ticket_moved.emit(d if isinstance(d, dict) else {}),
                     on_error=self._action_error)

    def notify_station(self, number: str) -> None:
        """POST STATION_NOTIFY (#30): the ticket's station called at its duty phone now (team leads,
        the head, admins; a dispatched ticket) — a refusal comes back as `action_failed`."""
        self.request("POST", wire.path(wire.STATION_NOTIFY, number=number), None,
                     on_ok=self.station_notified.emit, on_error=self._action_error)

    def confirm_ticket(self, number: str, station_code: str | None, dispatch: bool, note: str = "") -> None:
        """POST TICKET_CONFIRM {station_code?, dispatch, note?} (#24): a 待确认 draft → new, and with
        `dispatch` → dispatched to that station, in one step; answered like a state move."""
        body: dict = {"dispatch": bool(dispatch)}
        if station_code:
            body["station_code"] = station_code
        if note:
            body["note"] = note
        self.request("POST", wire.path(wire.TICKET_CONFIRM, number=number), body,
                     on_ok=lambda d: self.ticket_moved.emit(d if isinstance(d, dict) else {}),
                     on_error=self._action_error)

    def reopen_ticket(self, number: str, note: str) -> None:
        self.request("POST", wire.path(wire.TICKET_REOPEN, number=number), {"note": note or ""},
                     on_ok=lambda d: self.ticket_reopened.emit(d if isinstance(d, dict) else {}),
                     on_error=self._action_error)

    def anomalies(self, open_only: bool = True) -> None:
        self.request("GET", wire.ANOMALIES, query={"open": "1"} if open_only else None,
                     on_ok=self.anomalies_loaded.emit)

    def callbacks(self, open_only: bool = True) -> None:
        self.request("GET", wire.CALLBACKS, query={"open": "1" if open_only else "0"},
                     on_ok=self.callbacks_loaded.emit)

    def take_callback(self, number: str) -> None:
        self.request("POST", wire.path(wire.CALLBACK_TAKE, number=number), {},
                     on_ok=lambda d: self.callback_saved.emit(d if isinstance(d, dict) else {}),
                     on_error=self._action_error)

    def callback_outcome(self, number: str, outcome: str, note: str = "") -> None:
        """A refusal comes with its status: "reached" on a ticket still in draft is a 409 (#24) the
        desk answers by opening the ticket's form."""
        def refused(msg: str, status: int) -> None:
            self.outcome_refused.emit(number, outcome, msg, status)
            self._action_error(msg, status)
        self.request("POST", wire.path(wire.CALLBACK_OUTCOME, number=number), {"outcome": outcome, "note": note},
                     on_ok=lambda d: self.callback_saved.emit(d if isinstance(d, dict) else {}), on_error=refused)

    def surveys(self) -> None:
        self.request("GET", wire.SURVEYS, on_ok=self.surveys_loaded.emit)

    def save_survey(self, number: str, answers: dict) -> None:
        body = {k: v for k, v in (answers or {}).items() if k in wire.SURVEY_FIELDS}
        self.request("POST", wire.path(wire.SURVEY, number=number), body,
                     on_ok=lambda d: self.survey_saved.emit(d if isinstance(d, dict) else {}),
                     on_error=self._action_error)

    def book_survey(self, number: str, at: str) -> None:
        self.request("POST", wire.path(wire.SURVEY_BOOK, number=number), {"at": at},
                     on_ok=lambda d: self.survey_booked.emit(d if isinstance(d, dict) else {}),
                     on_error=self._action_error)

    def call_out(self, kind: str, number: str) -> None:
        """Click-to-call a 回电 (kind callback) or 回访 (survey) entry: the server rings this agent's
        phone, then the resident, with the ticket's number (never one the desk sends)."""
        route = wire.CALLBACK_CALL if kind == "callback" else wire.SURVEY_CALL
        self.request("POST", wire.path(route, number=number), {},
                     on_ok=lambda d: self.call_out_placed.emit(d if isinstance(d, dict) else {}),
                     on_error=self._action_error)

    def record_anomaly(self, kind: str, ticket: str | None, note: str) -> None:
        """POST ANOMALIES {type, ticket, note}: 记录异常 (types 4–9), on a call or a ticket."""
        body = {"type": kind, "note": note or ""}
        if ticket:
            body["ticket"] = ticket
        self.request("POST", wire.ANOMALIES, body, on_ok=lambda d: self.anomaly_saved.emit(d if isinstance(d, dict) else {}),
                     on_error=self._action_error)

    def handle_anomaly(self, aid: int, result: str) -> None:
        self.request("POST", wire.path(wire.ANOMALY_HANDLE, aid=int(aid)), {"result": result or ""},
                     on_ok=lambda d: self.anomaly_saved.emit(d if isinstance(d, dict) else {}),
                     on_error=self._action_error)

    def close_anomaly(self, aid: int, result: str) -> None:
        self.request("POST", wire.path(wire.ANOMALY_CLOSE, aid=int(aid)), {"result": result or ""},
                     on_ok=lambda d: self.anomaly_saved.emit(d if isinstance(d, dict) else {}),
                     on_error=self._action_error)

    def ack_anomaly(self, aid: int) -> None:
        """确认 of an escalation: the banner stays until the server has it."""
        self.request("POST", wire.path(wire.ANOMALY_ACK, aid=int(aid)), {},
                     on_ok=lambda _d: self.anomaly_acked.emit(int(aid)), on_error=self._action_error)

    def unacked_anomalies(self) -> None:
        self.request("GET", wire.ANOMALIES_UNACKED, on_ok=self.escalations_loaded.emit)

    # -------------------------------------------------------------- reports --
    def report(self, kind: str, day: str) -> None:
        """The day's report (kind daily) or its week's, month's, season's → report_loaded."""
        route = wire.REPORT_DAILY if kind == "daily" else wire.path(wire.REPORT_PERIOD, kind=kind)
        self.request("GET", route, query={"date": day}, quiet=True,
                     on_ok=lambda d: self.report_loaded.emit(d if isinstance(d, dict) else {}),
                     on_error=lambda msg, status: self.report_failed.emit(msg, status))

    def sign_report(self, day: str) -> None:
        """签核: the server freezes the day as generated now (the head's; anybody else is refused)."""
        self.request("POST", wire.REPORT_SIGN, {"date": day}, quiet=True,
                     on_ok=lambda d: self.report_signed.emit(d if isinstance(d, dict) else {}),
                     on_error=lambda msg, status: self.sign_failed.emit(msg, status))

    def drill(self, query: dict) -> None:
        """The repairs or calls behind one figure → drill_loaded."""
        q = {k: str(v) for k, v in (query or {}).items() if k in ("date", "figure", "value", "kind") and v is not None}
        self.request("GET", wire.REPORT_DRILL, query=q, quiet=True,
                     on_ok=lambda d: self.drill_loaded.emit(d if isinstance(d, dict) else {}),
                     on_error=lambda msg, status: self.drill_failed.emit(msg, status))

    def download_report(self, kind: str, day: str, fmt: str, path: str) -> None:
        """The period's XLSX or PDF, written to `path` (the person chose it in a file dialog)."""
        def ok(data: bytes) -> None:
            try:
                with open(path, "wb") as f:
                    f.write(data)
            except OSError as e:
                self.report_file_failed.emit(f"{path}: {e.strerror or e}")
                return
            self.report_file_saved.emit(path)
        self.request("GET", wire.REPORT_FILE, query={"kind": kind, "date": day, "format": fmt}, raw=True, quiet=True,
                     timeout_ms=EXPORT_TIMEOUT_MS, on_ok=ok,
                     on_error=lambda msg, _status: self.report_file_failed.emit(msg))

    def shutdown(self) -> None:
        self.disconnect_events()
        self._audio.clear()
        for r in list(self._pending):
            r.abort()
