"""The agent API: HTTP for requests, one WebSocket per desktop for pushed events.

Thin over the desk service (`hotline.service.desk`): a handler reads the request, calls one
service method in a worker thread, and answers JSON. Roles, access rules and the audit
trail live in the service; a `Forbidden` from it is answered 403 and audited here, in its own
transaction. The WebSocket hub ends every socket of a session when the session ends.
"""
from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging

from urllib.parse import quote

from aiohttp import WSMsgType, web
from pydantic import ValidationError

from hotline.service.api_guard import ConnectionCap
from hotline.aftercall.rules import source_address
from hotline.service.desk import DeskError, DeskService, Forbidden, Principal, ended_message
from hotline.service.errors import TelephonyTimeout, TelephonyUnavailable
from hotline.service.metrics import CONTENT_TYPE
from hotline.aftercall import compress
from hotline.aftercall.anomalies import AnomalyRegister
from hotline.aftercall.callbacks import CallbackList
from hotline.aftercall.surveys import SurveyList
from hotline.aftercall.reports.archive import KINDS as REPORT_KINDS, MEDIA_TYPES, Reports, file_name, parse_day
from hotline.aftercall.lifecycle import TicketWork
from hotline.aftercall.qa.work import QaWork
from hotline.aftercall.rules import CALLERS, SUPERVISORS
from hotline.service.schemas import (AnomalyIn, AssignIn, CallbackOutcomeIn, ConfirmIn, ListenIn, LoginIn, NewTicketIn,
                                     NoteIn, PauseIn,
                                     QaCheckIn, QaDecideIn, QaPeerMarkIn, QaSampleAddIn, QueueIn, RecordingDeleteIn,
                                     ReportSignIn, ResultIn, SurveyBookIn, SurveyIn, TicketForm, TicketStateIn)
from common import tls, wire
from common.ami import AmiValueError
from common.text import control_char
from common.tls import public_host

log = logging.getLogger("hotline.api")

#: who works residents' calls and tickets: the call-back list's changes go to their desks
WORKERS = frozenset(SUPERVISORS + CALLERS)

# who is calling, set by the auth middleware for the handlers behind it
PRINCIPAL = web.RequestKey("principal", Principal)

#: what a report-only role (the statistician) reaches: wire.REPORT_ONLY_ROUTES, and nothing else
REPORT_ONLY = frozenset(wire.REPORT_ONLY_ROUTES)

#: how often open WebSockets are checked against their sessions (logout elsewhere, disable,
#: password change, expiry all end the socket within about this long)
SESSION_SWEEP_S = 0.5


def metrics_refusal(token: str, authorization: str, remote: str) -> tuple[int, str] | None:
    """Who may read /metrics: with a token set, whoever presents it; without one, the server itself."""
    if token:
        given = authorization.removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return 401, "metrics token missing or wrong"
        return None
    try:
        local = ipaddress.ip_address(remote).is_loopback
    except ValueError:
        local = False
    return None if local else (403, "metrics are read on the server itself (or set HOTLINE_METRICS_TOKEN)")


def _json(data, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False, default=str))


class AgentApi:
    """Routes and the WebSocket hub. `service` is the hotline service: queue actions (join,
    pause), the live agent state, the AMI status."""

    def __init__(self, service, desk: DeskService, work: TicketWork, anomalies: AnomalyRegister,
                 callbacks: CallbackList, surveys: SurveyList, reports: Reports, qa: QaWork):
        self.svc = service
        self.settings = service.settings
        self.desk, self.work, self.anomalies = desk, work, anomalies
        self.callbacks, self.surveys, self.reports = callbacks, surveys, reports
        self.qa, self.book = qa, desk.book
        self.sockets: dict[int, set[web.WebSocketResponse]] = {}   # session id → sockets
        self.socket_expiry: dict[int, object] = {}                  # session id → its expiry
        self.principals: dict[str, Principal] = {}                  # token → principal (its grants)
        self.agent_sessions: dict[str, int] = {}                    # agent_no → live session id
        self._sweeper: asyncio.Task | None = None
        #: routes of an area kept in a module of its own (each has `register(router)`), added to the app
        self.areas: list = []

    # -------------------------------------------------------------- app --
    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._errors, self._auth], client_max_size=1024 * 1024)
        r = app.router
        r.add_get(wire.HEALTH, self.health)
        r.add_get(wire.READY, self.ready)
        r.add_get(wire.METRICS, self.metrics)
        r.add_post(wire.LOGIN, self.login)
        r.add_post(wire.LOGOUT, self.logout)
        r.add_get(wire.ME, self.me)
        r.add_get(wire.WS, self.ws)
        r.add_get(wire.SCRIPT, self.script)
        r.add_get(wire.STATIONS, self.stations)
        r.add_post(wire.QUEUE, self.queue_membership)
        r.add_post(wire.PAUSE, self.pause)
        r.add_get(wire.DIRECTORY, self.directory)
        r.add_post(wire.WRAPUP_DONE, self.wrapup_done)
        r.add_post(wire.REJECT, self.reject_call)
        r.add_get(wire.AGENTS, self.agents_board)
        r.add_post(wire.LISTEN_IN, self.listen_in)
        r.add_get(wire.ACCOUNTS, self.search_accounts)
        r.add_get(wire.ACCOUNT, self.get_account)
        r.add_get(wire.POP, self.get_pop)
        r.add_get(wire.DRAFTS, self.my_drafts)
        r.add_post(wire.TICKETS, self.new_ticket)
        r.add_get(wire.TICKET, self.get_ticket)
        r.add_put(wire.TICKET, self.save_ticket)
        r.add_put(wire.TICKET_DRAFT, self.autosave)
        r.add_post(wire.TICKET_ASSIGN, self.assign_ticket)
        r.add_get(wire.TICKET_VOICE, self.ticket_voice)
        r.add_get(wire.RECORDINGS, self.list_recordings)
        r.add_get(wire.RECORDING_AUDIO, self.recording_audio)
        r.add_get(wire.AUDIT, self.audit_log)
        r.add_get(wire.TICKETS, self.list_tickets)
        r.add_post(wire.TICKET_STATE, self.move_ticket)
        r.add_post(wire.TICKET_REOPEN, self.reopen_ticket)
        r.add_post(wire.TICKET_CONFIRM, self.confirm_ticket)
        r.add_get(wire.ANOMALIES_UNACKED, self.unacknowledged)
        r.add_get(wire.ANOMALIES, self.list_anomalies)
        r.add_post(wire.ANOMALIES, self.record_anomaly)
        r.add_post(wire.ANOMALY_HANDLE, self.handle_anomaly)
        r.add_post(wire.ANOMALY_CLOSE, self.close_anomaly)
        r.add_post(wire.ANOMALY_ACK, self.ack_anomaly)
        r.add_get(wire.CALLBACKS, self.list_callbacks)
        r.add_post(wire.CALLBACK_TAKE, self.take_callback)
        r.add_post(wire.CALLBACK_OUTCOME, self.callback_outcome)
        r.add_post(wire.CALLBACK_CALL, self.call_callback)
        r.add_get(wire.SURVEYS, self.list_surveys)
        r.add_post(wire.SURVEY, self.save_survey)
        r.add_post(wire.SURVEY_BOOK, self.book_survey)
        r.add_post(wire.SURVEY_CALL, self.call_survey)
        r.add_get(wire.REPORT_DAILY, self.daily_report)
        r.add_get(wire.REPORT_PERIOD, self.period_report)
        r.add_post(wire.REPORT_SIGN, self.sign_report)
        r.add_get(wire.REPORT_FILE, self.report_file)
        r.add_get(wire.REPORT_DRILL, self.drill_report)
        r.add_post(wire.RECORDING_DELETE, self.delete_recording)
        r.add_get(wire.QA_SCORECARDS, self.qa_scorecards)
        r.add_get(wire.QA_SAMPLE, self.qa_sample)
        r.add_post(wire.QA_SAMPLE, self.qa_add_to_sample)
        r.add_get(wire.QA_WEEKLY, self.qa_weekly)
        r.add_get(wire.QA_CHECKS, self.qa_checks)
        r.add_post(wire.QA_CHECKS, self.qa_check)
        r.add_get(wire.QA_PEER, self.qa_peer)
        r.add_post(wire.QA_PEER_MARK, self.qa_peer_mark)
        r.add_get(wire.QA_PROPOSALS, self.qa_proposals)
        r.add_post(wire.QA_PROPOSAL, self.qa_decide)
        r.add_get(wire.QA_RESULTS, self.qa_results)
        for area in self.areas:
            area.register(r)
        app.on_startup.append(self._start_sweeper)
        app.on_cleanup.append(self._stop_sweeper)
        return app

    @web.middleware
    async def _errors(self, request, handler):
        source_address.set(request.remote or "")
        try:
            return await handler(request)
        except Forbidden as e:
            p: Principal | None = request.get(PRINCIPAL)
            await self.db(self.desk.audit, p.agent_no if p else "-", e.action, e.object_type, e.object_id)
            return _json({"error": e.message}, 403)
        except DeskError as e:
            return _json({"error": e.message}, e.status)
        except TelephonyUnavailable:
            return _json({"error": "电话系统暂时不可用，请稍后重试"}, 503)
        except TelephonyTimeout:
            return _json({"error": "电话系统响应超时，请稍后重试"}, 504)
        except AmiValueError as e:   # the last guard: a value that would forge an AMI action
            log.warning("AMI value refused on %s: %s", request.path, e)
            return _json({"error": "输入含有不允许的字符"}, 422)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "input"
            return _json({"error": f"输入无效: {where}: {first.get('msg')}"}, 422)
        except web.HTTPException as e:
            if e.status < 400:
                raise
            # aiohttp's own refusals (unknown route, body too large) answer JSON like ours
            return _json({"error": e.reason}, e.status)
        except Exception:
            log.exception("API error on %s", request.path)
            return _json({"error": "服务器内部错误，请稍后重试"}, 500)

    @web.middleware
    async def _auth(self, request, handler):
        if request.path in wire.PUBLIC:
            return await handler(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not token and request.path == wire.WS:
            # browsers' and Qt's WebSocket clients cannot always set headers; nothing else
            # takes a token in the URL (URLs end up in logs and histories)
            token = request.query.get("token", "")
        if not token:
            raise DeskError(401, "未登录")
        try:
            fresh = await self.db(self.desk.principal, token)
        except DeskError:
            self.principals.pop(token, None)
            raise
        cached = self.principals.get(token)
        if cached is None or cached.session_id != fresh.session_id:
            self.principals[token] = cached = fresh
        request[PRINCIPAL] = cached
        if cached.role.value in wire.REPORT_ONLY_ROLES:
            route = request.match_info.route.resource
            if route is None or (request.method, route.canonical) not in REPORT_ONLY:
                raise Forbidden("统计员只能查看、导出和签核报表", "role_refused", "route", request.path)
        return await handler(request)

    async def db(self, fn, *args):
        return await asyncio.to_thread(fn, *args)

    async def body(self, request, model):
        try:
            raw = await asyncio.wait_for(request.read(), timeout=self.settings.api_body_timeout_s)
        except asyncio.TimeoutError:
            raise DeskError(408, "请求超时")
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            # ValueError: not JSON, not UTF-8, or an integer past Python's digit limit;
            # RecursionError: thousands of nested brackets
            log.info("bad JSON on %s from %s: %s", request.path, request.remote, type(exc).__name__)
            raise DeskError(400, "请求体不是有效的 JSON")
        if not isinstance(data, dict):
            raise DeskError(400, "请求体应为 JSON 对象")
        return model.model_validate(data)

    # ------------------------------------------------------------ login --
    async def health(self, request):
        """The service answers, and so do the database and AMI: 200; else 503 naming what is down."""
        parts = await self.svc.parts()
        down = [p for p in ("database", "ami") if not parts[p]]
        return _json({"ok": not down, "down": down, "database": parts["database"], "ami": parts["ami"],
                      "active_calls": self.svc.active_calls}, 503 if down else 200)

    async def ready(self, request):
        """For supervisors: ready (200) once FastAGI takes calls and AMI and the database answer."""
        parts = await self.svc.parts()
        down = [p for p, ok in parts.items() if not ok]
        return _json({"ready": not down, "down": down}, 503 if down else 200)

    async def metrics(self, request):
        """Prometheus' scrape: loopback alone, or anyone with the metrics token (HOTLINE_METRICS_TOKEN)."""
        refused = metrics_refusal(self.settings.metrics_token, request.headers.get("Authorization", ""),
                                  request.remote or "")
        if refused:
            status, why = refused
            log.warning("GET /metrics refused (%s) from %s", why, request.remote)
            return _json({"error": why}, status)
        return web.Response(body=await self.svc.metrics_text(), headers={"Content-Type": CONTENT_TYPE})

    async def login(self, request):
        body = await self.body(request, LoginIn)
        await self.svc.phones_current()
        answer, replaced = await self.db(self.desk.login, body.agent_no, body.password, request.remote or "")
        # agents on other PCs register to the server's LAN address, the one in the API URL
        host = "127.0.0.1" if self.settings.bind.startswith("127.") else public_host(self.settings)
        if answer["sip"] is not None:     # None: a station's login, no phone
            answer["sip"].update(server=host, port=self.svc.ports.sip, extension=self.settings.extension)
        for sid in replaced:
            await self.end_session(sid, "replaced")
        return _json(answer)

    async def logout(self, request):
        p = request[PRINCIPAL]
        if await self.db(self.desk.logout, p):
            # the secret the login handed out is dead once Asterisk has the new one
            await self.svc.phones_changed()
        await self.end_session(p.session_id, "logout")
        if self.svc.agent_state(p.agent_no).get("member"):
            # nobody at this desk any more: calls must not ring it
            try:
                await self.svc.set_queue_member(p.agent_no, False)
            except (TelephonyUnavailable, TelephonyTimeout) as exc:
                log.warning("agent %s logged out but is still in the queue: %s", p.agent_no, exc)
        return _json({"ok": True})

    async def me(self, request):
        p = request[PRINCIPAL]
        return _json({"agent_no": p.agent_no, "name": p.name, "role": p.role.value,
                      "agent_state": self.svc.agent_state(p.agent_no)})

    # --------------------------------------------------------- websocket --
    async def ws(self, request):
        p: Principal = request[PRINCIPAL]
        sock = web.WebSocketResponse(heartbeat=15)
        await sock.prepare(request)
        self.sockets.setdefault(p.session_id, set()).add(sock)
        self.socket_expiry[p.session_id] = p.expires_at
        self.agent_sessions[p.agent_no] = p.session_id
        hello = {"type": wire.EV_HELLO, "agent_no": p.agent_no, "agent_state": self.svc.agent_state(p.agent_no),
                 "ami": self.svc.ami_connected.is_set()}
        if p.role in SUPERVISORS:   # the recordings disk's alert, the report's e-mail, the day's hot spots
            hello["storage"] = self.svc.storage_state()
            hello["report_mail"] = self.svc.report_mail_state()
            hello["hot_spots"] = self.svc.hot_spots_state()
        await sock.send_json(hello)
        try:
            async for msg in sock:
                if msg.type == WSMsgType.TEXT and msg.data == "ping":
                    await sock.send_str("pong")
        finally:
            socks = self.sockets.get(p.session_id, set())
            socks.discard(sock)
            if not socks:
                self.sockets.pop(p.session_id, None)
                self.socket_expiry.pop(p.session_id, None)
        return sock

    async def end_session(self, session_id: int, reason: str) -> None:
        """A session ended (logout, replaced, disabled, password changed, expired): its cached
        principal goes, its desk is told why, and every socket of it closes now."""
        self.principals = {k: v for k, v in self.principals.items() if v.session_id != session_id}
        socks = self.sockets.pop(session_id, set())
        self.socket_expiry.pop(session_id, None)
        self.agent_sessions = {a: s for a, s in self.agent_sessions.items() if s != session_id}
        event = json.dumps({"type": wire.EV_SESSION_ENDED, "reason": reason, "message": ended_message(reason)},
                           ensure_ascii=False)
        for sock in socks:
            try:
                await sock.send_str(event)
                await sock.close()
            except Exception:   # already gone: nothing to tell
                pass

    async def _start_sweeper(self, _app) -> None:
        self._sweeper = asyncio.create_task(self._sweep_sessions())

    async def _stop_sweeper(self, _app) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()

    async def _sweep_sessions(self) -> None:
        """Sessions also end outside this process (`hotline agents disable|passwd` write the
        database): every open socket's session is re-read twice a second."""
        while True:
            await asyncio.sleep(SESSION_SWEEP_S)
            if not self.sockets:
                continue
            try:
                ended = await self.db(self.desk.ended_sessions, list(self.sockets))
            except Exception as exc:   # the DB may be briefly unreachable; try again
                log.warning("session sweep failed: %s", exc)
                continue
            for sid, reason in ended.items():
                await self.end_session(sid, reason)

    async def push_session(self, session_id: int, event: dict) -> None:
        expiry = self.socket_expiry.get(session_id)
        if expiry is not None and expiry <= self.settings.now():
            # checked on every push, not only by the sweeper: an expired desk gets nothing more
            await self.end_session(session_id, "expired")
            return
        for sock in list(self.sockets.get(session_id, ())):
            try:
                await sock.send_str(json.dumps(event, ensure_ascii=False, default=str))
            except Exception:
                self.sockets.get(session_id, set()).discard(sock)

    async def push_agent(self, agent_no: str, event: dict) -> None:
        sid = self.agent_sessions.get(agent_no)
        if sid is not None:
            await self.push_session(sid, event)

    async def push_supervisors(self, event: dict) -> None:
        """To every open desk of a team lead, the head or an admin."""
        sids = {p.session_id for p in list(self.principals.values()) if p.role in SUPERVISORS}
        for sid in sids & set(self.sockets):
            await self.push_session(sid, event)

    async def push_workers(self, event: dict) -> None:
        """To every open desk of an agent, a team lead, the head or an admin (not stations, not statisticians)."""
        sids = {p.session_id for p in list(self.principals.values()) if p.role in WORKERS}
        for sid in sids & set(self.sockets):
            await self.push_session(sid, event)

    async def broadcast(self, event: dict) -> None:
        for sid in list(self.sockets):
            await self.push_session(sid, event)

    def grant(self, agent_no: str, account_no: str) -> None:
        sid = self.agent_sessions.get(agent_no)
        for p in self.principals.values():
            if p.session_id == sid:
                p.allowed_accounts.add(account_no)

    # ------------------------------------------------------- handlers --
    async def get_pop(self, request):
        p = request[PRINCIPAL]
        return _json(await self.db(self.desk.pop, request.match_info["uniqueid"], p.agent_no, p))

    async def queue_membership(self, request):
        p = request[PRINCIPAL]
        body = await self.body(request, QueueIn)
        self.desk.queue_work(p, "queue_join" if body.member else "queue_leave")
        await self.svc.set_queue_member(p.agent_no, body.member)
        await self.db(self.desk.audit, p, "queue_join" if body.member else "queue_leave", "agent", p.agent_no)
        return _json({"agent_state": self.svc.agent_state(p.agent_no)})

    async def pause(self, request):
        p = request[PRINCIPAL]
        body = await self.body(request, PauseIn)
        self.desk.queue_work(p, "pause" if body.paused else "unpause")
        reason = self.desk.check_pause_reason(body.paused, body.reason)   # only the list reaches Asterisk
        await self.svc.set_paused(p.agent_no, body.paused, reason)
        detail = {"reason": reason} if body.paused else {}
        await self.db(lambda: self.desk.audit(p, "pause" if body.paused else "unpause", "agent", p.agent_no,
                                              **detail))
        return _json({"agent_state": self.svc.agent_state(p.agent_no)})

    async def directory(self, request):
        """Who a call can be transferred to: any logged-in user may look (the session is the
        check); Asterisk's phone states are read now, the rest from the DB and the queue."""
        queue_agents, devices = await self.svc.transfer_states()
        return _json(await self.db(self.desk.directory, request[PRINCIPAL], queue_agents, devices))
    async def new_ticket(self, request):
        body = await self.body(request, NewTicketIn)
        return _json(await self.db(self.desk.new_ticket, request[PRINCIPAL], body.uniqueid), 201)

    async def wrapup_done(self, request):
        p = request[PRINCIPAL]
        self.desk.queue_work(p, "wrapup_done")
        if await self.svc.wrapup_done(p.agent_no):
            await self.db(self.desk.audit, p, "wrapup_done", "agent", p.agent_no)
        return _json({"agent_state": self.svc.agent_state(p.agent_no)})

    async def reject_call(self, request):
        """The agent declines a ringing queue call (拒接): audited; the queue's ring-no-answer
        that follows pauses them like a call they let ring out."""
        p = request[PRINCIPAL]
        await self.db(self.desk.reject, p, request.match_info["uniqueid"])
        return _json({"ok": True})

    async def agents_board(self, request):
        """Team leads and the head: every agent with a login, and their live queue state."""
        return _json(await self.db(self.desk.agents_board, request[PRINCIPAL], self.svc.agent_state))

    async def listen_in(self, request):
        """实时监听: the target checked and the grant audited, then the lead's own phone is rung into
        the dialplan's [listen-in] (which checks the phone again: team leads' only)."""
        body = await self.body(request, ListenIn)
        p = request[PRINCIPAL]
        answer = await self.db(self.desk.listen_in, p, request.match_info["agent_no"], body.whisper,
                               self.svc.agent_state)
        await self.svc.listen_in(p.agent_no, answer)
        return _json(answer)

    async def script(self, request):
        return _json(await self.db(self.desk.script, request[PRINCIPAL]))

    async def stations(self, request):
        return _json(await self.db(self.desk.stations))

    async def search_accounts(self, request):
        return _json(await self.db(self.desk.search, request[PRINCIPAL], request.query.get("q", "")))

    async def get_account(self, request):
        return _json(await self.db(self.desk.account, request[PRINCIPAL], request.match_info["account_no"]))

    async def get_ticket(self, request):
        return _json(await self.db(self.desk.ticket, request[PRINCIPAL], request.match_info["number"]))

    async def autosave(self, request):
        form = await self.body(request, TicketForm)   # same schema and limits as a save
        await self.db(self.desk.autosave, request[PRINCIPAL], request.match_info["number"], form)
        return _json({"ok": True})

    async def my_drafts(self, request):
        return _json(await self.db(self.desk.drafts, request[PRINCIPAL]))

    async def save_ticket(self, request):
        form = await self.body(request, TicketForm)
        return _json(await self.db(self.desk.save, request[PRINCIPAL], request.match_info["number"], form))

    async def assign_ticket(self, request):
        body = await self.body(request, AssignIn)
        return _json(await self.db(self.desk.assign, request[PRINCIPAL], request.match_info["number"],
                                   body.agent_no))

    async def ticket_voice(self, request):
        path = await self.db(self.desk.voice_file, request[PRINCIPAL], request.match_info["number"])
        return web.FileResponse(path, headers={"Content-Type": "audio/wav"})

    async def list_recordings(self, request):
        filters = {k: request.query.get(k, "")[:64] for k in wire.RECORDING_FILTERS}
        if any(control_char(v) is not None for v in filters.values()):
            raise DeskError(422, "筛选条件含有不允许的控制字符")
        return _json(await self.db(lambda: self.desk.recordings(request[PRINCIPAL], **filters)))

    async def delete_recording(self, request):
        """A team lead's application to delete an empty recording (the service measures it)."""
        body = await self.body(request, RecordingDeleteIn)
        return _json(await self.db(self.book.delete, request[PRINCIPAL].actor, request.match_info["rid"],
                                   body.reason))

    async def recording_audio(self, request):
        path = await self.db(self.desk.recording_file, request[PRINCIPAL], request.match_info["rid"])
        if path.suffix.lower() == ".ogg":   # kept as Ogg Vorbis (#29): the desk plays PCM WAV
            try:
                body = await asyncio.to_thread(compress.wav_of, path)
            except compress.ConversionError as exc:
                log.warning("recording %s could not be decoded: %s", request.match_info["rid"][:20], exc)
                raise DeskError(503, "录音无法解码") from exc
            return web.Response(body=body, headers={"Content-Type": "audio/wav"})
        return web.FileResponse(path, headers={"Content-Type": "audio/wav"})

    async def audit_log(self, request):
        return _json(await self.db(self.desk.audit_log, request[PRINCIPAL]))

    # ---------------------------------------------------------- reports --
    async def daily_report(self, request):
        day = parse_day(request.query.get("date", "")[:20])
        return _json(await self.db(self.reports.daily, request[PRINCIPAL].actor, day))

    async def period_report(self, request):
        kind, day = request.match_info["kind"], parse_day(request.query.get("date", "")[:20])
        if kind not in wire.REPORT_KINDS:
            raise DeskError(404, "没有这种报表")
        return _json(await self.db(self.reports.period, request[PRINCIPAL].actor, kind, day))

    async def drill_report(self, request):
        """The repairs or calls behind one figure of a day's (or a period's) report."""
        q = request.query
        day = parse_day(q.get("date", "")[:20])
        return _json(await self.db(self.reports.drill, request[PRINCIPAL].actor, day, q.get("figure", "")[:64],
                                   q.get("value"), q.get("kind", "daily")[:16]))

    async def sign_report(self, request):
        body = await self.body(request, ReportSignIn)
        return _json(await self.db(self.reports.sign, request[PRINCIPAL].actor, parse_day(body.date)))

    async def report_file(self, request):
        """The report as XLSX or PDF, as a file to save (same readers as the report, audited as an export)."""
        q = request.query
        kind, fmt = q.get("kind", "")[:16], q.get("format", "")[:8]
        if kind not in REPORT_KINDS:
            raise DeskError(400, f"报表类型应为 {', '.join(REPORT_KINDS)} 之一")
        if fmt not in wire.REPORT_FORMATS:
            raise DeskError(400, f"格式应为 {', '.join(wire.REPORT_FORMATS)} 之一")
        try:
            day = parse_day(q.get("date", "")[:20])
        except DeskError as e:
            raise DeskError(400, e.message) from None
        _report, data = await self.db(self.reports.export_bytes, request[PRINCIPAL].actor, kind, day, fmt)
        name = file_name(kind, day, fmt)
        # an ASCII name for old clients, the Chinese one (RFC 6266 / 5987) for the rest
        disposition = f"attachment; filename=\"hotline-{kind}-{day.isoformat()}.{fmt}\"; filename*=UTF-8''{quote(name)}"
        return web.Response(body=data, content_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition})
    # ------------------------------------------------------ quality checks --
    def _qa_day(self, request):
        text = request.query.get("date", "")[:20]
        return parse_day(text) if text else self.qa.today()

    async def qa_scorecards(self, request):
        return _json(await self.db(self.qa.scorecards, request[PRINCIPAL].actor))

    async def qa_sample(self, request):
        return _json(await self.db(self.qa.sample, request[PRINCIPAL].actor, self._qa_day(request)))

    async def qa_add_to_sample(self, request):
        body = await self.body(request, QaSampleAddIn)
        return _json(await self.db(self.qa.add_to_sample, request[PRINCIPAL].actor, body.recording), 201)

    async def qa_weekly(self, request):
        return _json(await self.db(self.qa.weekly, request[PRINCIPAL].actor, self._qa_day(request)))

    async def qa_checks(self, request):
        return _json(await self.db(self.qa.checks, request[PRINCIPAL].actor, self._qa_day(request)))

    async def qa_check(self, request):
        b = await self.body(request, QaCheckIn)
        return _json(await self.db(self.qa.check, request[PRINCIPAL].actor, b.recording, b.scorecard, b.items,
                                   b.findings, b.note), 201)

    async def qa_peer(self, request):
        return _json(await self.db(self.qa.peer, request[PRINCIPAL].actor))

    async def qa_peer_mark(self, request):
        b = await self.body(request, QaPeerMarkIn)
        return _json(await self.db(self.qa.peer_mark, request[PRINCIPAL].actor, request.match_info["pid"],
                                   b.findings, b.note))

    async def qa_proposals(self, request):
        return _json(await self.db(self.qa.proposals, request[PRINCIPAL].actor, request.query.get("open", "1") != "0"))

    async def qa_decide(self, request):
        b = await self.body(request, QaDecideIn)
        return _json(await self.db(self.qa.decide, request[PRINCIPAL].actor, request.match_info["pid"], b.confirm,
                                   b.note))

    async def qa_results(self, request):
        month = request.query.get("month", "")[:10] or f"{self.qa.today():%Y-%m}"
        return _json(await self.db(self.qa.results, request[PRINCIPAL].actor, month))

    # ------------------------------------------------------ after the call --
    async def list_tickets(self, request):
        q = request.query
        flags = ("overdue", wire.UNCONFIRMED)
        filters = {k: q.get(k, "")[:64] for k in wire.TICKET_FILTERS if k not in flags}
        if any(control_char(v) is not None for v in filters.values()):
            raise DeskError(422, "筛选条件含有不允许的控制字符")
        return _json(await self.db(lambda: self.work.tickets(request[PRINCIPAL].actor, overdue=q.get("overdue") == "1",
                                                             unconfirmed=q.get(wire.UNCONFIRMED) == "1", **filters)))

    async def move_ticket(self, request):
        body = await self.body(request, TicketStateIn)
        p = request[PRINCIPAL]
        t = await self.db(self.work.move, p.actor, request.match_info["number"], body.state, body.note,
                          body.station_code)
        await self.ticket_changed(t)
        return _json({k: v for k, v in t.items() if k != "station_id"})

    async def confirm_ticket(self, request):
        """待确认 → confirmed (and dispatched) by a team lead; the station is told like any dispatch."""
        body = await self.body(request, ConfirmIn)
        t = await self.db(self.work.confirm, request[PRINCIPAL].actor, request.match_info["number"], body.station_code,
                          body.dispatch, body.note)
        await self.ticket_changed(t)
        return _json({k: v for k, v in t.items() if k != "station_id"})

    async def reopen_ticket(self, request):
        body = await self.body(request, NoteIn)
        # the rule decides (hotline.aftercall.lifecycle.reopen): an agent only for the resident on
        # their call — a ticket they may merely read (a searched account's) is not enough
        t = await self.db(self.work.reopen, request[PRINCIPAL].actor, request.match_info["number"], body.note)
        await self.push_supervisors({"type": wire.EV_TICKET_CHANGED, "ticket": t})
        return _json(t, 201)

    async def ticket_changed(self, t: dict) -> None:
        """A ticket moved: its station's people and the team leads are told."""
        event = {"type": wire.EV_TICKET_CHANGED, "ticket": {k: v for k, v in t.items() if k != "station_id"}}
        if t.get("station_id"):
            for no in await self.db(self.work.station_users, t["station_id"]):
                await self.push_agent(no, event)
        await self.push_supervisors(event)

    async def list_anomalies(self, request):
        return _json(await self.db(self.anomalies.register, request[PRINCIPAL].actor,
                                   request.query.get("open") == "1"))

    async def unacknowledged(self, request):
        return _json(await self.db(self.anomalies.unacknowledged, request[PRINCIPAL].actor))

    async def record_anomaly(self, request):
        body = await self.body(request, AnomalyIn)
        p = request[PRINCIPAL]
        if body.ticket and not p.actor.supervises:
            await self.db(self.desk.ticket, p, body.ticket)    # an agent: on a ticket they may see
        a = await self.db(self.anomalies.record, p.actor, body.type, body.ticket, body.note, body.agent)
        await self.anomaly_raised(a)
        return _json(a, 201)

    async def anomaly_raised(self, a: dict) -> None:
        """To the head's and the team leads' desks; a complaint stays there until acknowledged."""
        await self.push_supervisors({"type": wire.EV_ANOMALY, "anomaly": a, "escalated": a["escalated"]})

    async def handle_anomaly(self, request):
        body = await self.body(request, ResultIn)
        return _json(await self.db(self.anomalies.handle, request[PRINCIPAL].actor, request.match_info["aid"],
                                   body.result))

    async def close_anomaly(self, request):
        body = await self.body(request, ResultIn)
        return _json(await self.db(self.anomalies.close, request[PRINCIPAL].actor, request.match_info["aid"],
                                   body.result))

    async def ack_anomaly(self, request):
        await self.db(self.anomalies.ack, request[PRINCIPAL].actor, request.match_info["aid"])
        return _json({"ok": True})

    # -------------------------------------------------------- worklists --
    async def list_callbacks(self, request):
        return _json(await self.db(self.callbacks.list, request[PRINCIPAL].actor,
                                   request.query.get("open", "1") != "0"))

    async def take_callback(self, request):
        e = await self.db(self.callbacks.take, request[PRINCIPAL].actor, request.match_info["number"])
        await self.callback_changed(e)
        return _json(e)

    async def callback_outcome(self, request):
        body = await self.body(request, CallbackOutcomeIn)
        e = await self.db(self.callbacks.outcome, request[PRINCIPAL].actor, request.match_info["number"],
                          body.outcome, body.note)
        await self.callback_changed(e)
        return _json(e)

    async def call_callback(self, request):
        """Click-to-call a call-back entry: the agent's phone rings, then the resident's."""
        out, entry = await self.db(self.callbacks.call, request[PRINCIPAL].actor, request.match_info["number"],
                                   self.settings.outbound_allowed)
        await self.callback_changed(entry)
        await self.svc.call_out(out)
        return _json(out.answer())

    async def callback_changed(self, entry: dict) -> None:
        """Every agent's and lead's list shows the take, the attempt, the clearing at once."""
        await self.push_workers({"type": wire.EV_CALLBACK, "callback": entry})

    async def list_surveys(self, request):
        return _json(await self.db(self.surveys.list, request[PRINCIPAL].actor))

    async def save_survey(self, request):
        body = await self.body(request, SurveyIn)
        p, number = request[PRINCIPAL], request.match_info["number"]
        saved, reopened = await self.db(self.surveys.record, p.actor, number, body.model_dump())
        if reopened is not None:      # 还是不热: a linked ticket, to the team leads
            await self.survey_reopened(reopened)
        return _json(saved, 201)

    async def survey_reopened(self, ticket: dict) -> None:
        """A 回访 (an agent's or the automated call's) found the repair not done: the linked ticket
        goes to the team leads' desks."""
        await self.push_supervisors({"type": wire.EV_TICKET_CHANGED, "ticket": ticket})

    async def call_survey(self, request):
        """Click-to-call a 回访 entry's resident."""
        out = await self.db(self.surveys.call, request[PRINCIPAL].actor, request.match_info["number"],
                            self.settings.outbound_allowed)
        await self.svc.call_out(out)
        return _json(out.answer())

    async def book_survey(self, request):
        body = await self.body(request, SurveyBookIn)
        return _json(await self.db(self.surveys.book, request[PRINCIPAL].actor, request.match_info["number"],
                                   body.at, body.note))


class ApiServer:
    """The agent API on its port: HTTPS off loopback (plain HTTP on a LAN address is refused),
    a header timeout and a cap on connections per address."""

    def __init__(self, api: AgentApi, settings, port: int):
        self.api, self.settings, self.port = api, settings, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        s = self.settings
        # keepalive_timeout: aiohttp closes a connection that has not delivered a whole
        # request by then, which is also the header timeout (no slow-loris connections)
        self._runner = web.AppRunner(self.api.app(), access_log=None, keepalive_timeout=s.api_header_timeout_s)
        await self._runner.setup()
        ConnectionCap(self._runner.server, s.api_connections_per_address)
        await web.TCPSite(self._runner, s.bind, self.port, ssl_context=tls.server_context(s)).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
