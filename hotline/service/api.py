"""The agent API: HTTP for requests, one WebSocket per desktop for pushed events.

Every role check and every audit entry happens here, on the server; the
desktop holds only its session token. Inputs are validated by pydantic models;
malformed input answers 4xx with a message, never 500. Every object a request
touches is checked for *this* actor; a refusal is a `Forbidden`, which the error
middleware answers with 403 and writes to the audit log in its own transaction.
"""
from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import logging
import re
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiohttp import WSMsgType, web
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import selectinload

from db.models import (
    AccountPhone,
    ApiSession,
    AuditEntry,
    Call,
    Category,
    HeatingAccount,
    Recording,
    RepairStation,
    Role,
    Ticket,
    TicketDraft,
    TicketState,
    TicketTransition,
    User,
    station_serving,
    stations_serving,
)
from hotline.shared.passwords import DUMMY_PASSWORD_HASH, new_token, token_hash, verify_password
from hotline.service.api_guard import ConnectionCap
from hotline.service.errors import TelephonyTimeout, TelephonyUnavailable
from hotline.shared import tls
from hotline.shared.ami import AmiValueError
from hotline.shared.paths import confined
from hotline.shared.tls import public_host
from ivr.holidays import SCRIPT_CLOSING, script_opening
from ivr.validation import mask_phone, normalise_caller_id

log = logging.getLogger("hotline.api")

SESSION_HOURS = 12
LOCK_AFTER = 5
LOCK_MINUTES = 15
SUPERVISORS = (Role.team_lead, Role.head, Role.admin)
#: how often open WebSockets are checked against their sessions (logout elsewhere, disable,
#: password change, expiry all end the socket within about this long)
SESSION_SWEEP_S = 0.5

# ids in paths are parsed before they reach a query: anything else is "not found"
UNIQUEID = re.compile(r"^\d{1,20}\.\d{1,10}$")
TICKET_NO = re.compile(r"^\d{1,16}$")
ACCOUNT_NO = re.compile(r"^[0-9A-Za-z-]{1,20}$")
RECORDING_ID = re.compile(r"^\d{1,18}$")           # fits a signed 64-bit column

#: the audit log's object_id column; longer ids are cut and keep a hash of the whole
OBJECT_ID_MAX = 64

#: the source address of the request being handled (audit entries record it); copied into
#: the worker thread by asyncio.to_thread, so sync DB code sees it too
_source: contextvars.ContextVar[str] = contextvars.ContextVar("source", default="")


# ----------------------------------------------------------------- inputs --

class LoginIn(BaseModel):
    agent_no: str = Field(min_length=1, max_length=16, pattern=r"^\d+$")
    password: str = Field(min_length=1, max_length=256)


class QueueIn(BaseModel):
    member: bool


class PauseIn(BaseModel):
    paused: bool
    reason: str = Field(default="", max_length=64)


class TicketForm(BaseModel):
    # a draft is stored as sent: unknown keys and non-finite numbers are refused, not kept
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    category: Category | None = None
    address: str = Field(default="", max_length=255)
    name: str = Field(default="", max_length=64)
    callback_number: str = Field(default="", max_length=20)
    confirmed_problem: bool = False
    confirmed_address: bool = False
    confirmed_name: bool = False
    confirmed_phone: bool = False
    station_code: str | None = Field(default=None, max_length=16)
    priority: int = Field(default=0, ge=0, le=100)
    notes: str = Field(default="", max_length=4000)
    account_no: str | None = Field(default=None, max_length=20)


class AssignIn(BaseModel):
    agent_no: str = Field(min_length=1, max_length=16, pattern=r"^\d+$")


class NewTicketIn(BaseModel):
    call_uniqueid: str | None = Field(default=None, max_length=64)


# ---------------------------------------------------------------- helpers --

class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class Forbidden(ApiError):
    """A refused access: answered 403 and audited as `action` on (object_type, object_id)."""

    def __init__(self, message: str, action: str, object_type: str, object_id: str = ""):
        super().__init__(403, message)
        self.action, self.object_type, self.object_id = action, object_type, str(object_id)


@dataclass
class Principal:
    user_id: int
    agent_no: str
    name: str
    role: Role
    session_id: int
    expires_at: datetime
    #: accounts this session may open: popped on its calls or found by its searches
    allowed_accounts: set[str] = field(default_factory=set)


class FailureWindow:
    """Failures per key in a sliding window, in memory (per source address, per unknown 工号)."""

    def __init__(self, window_s: float, limit: int, max_keys: int = 10000):
        self.window_s, self.limit, self.max_keys = window_s, limit, max_keys
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        cutoff = time.monotonic() - self.window_s
        while hits and hits[0] < cutoff:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return hits

    def count(self, key: str) -> int:
        return len(self._recent(key))

    def blocked(self, key: str) -> bool:
        return self.count(key) >= self.limit

    def add(self, key: str) -> int:
        if key not in self._hits and len(self._hits) >= self.max_keys:
            for old in list(self._hits)[: self.max_keys // 10]:   # oldest keys first (dict order)
                self._hits.pop(old, None)
        hits = self._hits.setdefault(key, deque())
        hits.append(time.monotonic())
        return len(self._recent(key))

    def clear(self, key: str) -> None:
        self._hits.pop(key, None)


def _now() -> datetime:
    return datetime.now()


def _json(data, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False, default=str))


def audit_object_id(object_id: str) -> str:
    """Fits the column: a long id keeps its head and a hash of the whole (never lost)."""
    object_id = str(object_id)
    if len(object_id) <= OBJECT_ID_MAX:
        return object_id
    digest = hashlib.sha256(object_id.encode("utf-8", "replace")).hexdigest()[:16]
    return f"{object_id[:OBJECT_ID_MAX - 18]}~{digest}"


def add_audit(db, actor: str, action: str, object_type: str, object_id: str = "", **detail) -> None:
    db.add(AuditEntry(actor=actor[:64], action=action[:32], object_type=object_type[:32],
                      object_id=audit_object_id(object_id), detail=detail or None, at=_now(),
                      source=_source.get()[:64]))


def account_card(acc: HeatingAccount, station: RepairStation | None) -> dict:
    return {"account_no": acc.account_no, "name": acc.name, "address": acc.address, "district": acc.district,
            "phones": acc.phone_numbers,
            "station": {"code": station.code, "name": station.name, "phone": station.phone} if station else None}


def ticket_brief(t: Ticket) -> dict:
    return {"number": t.number, "state": t.state.value, "category": t.category.value if t.category else None,
            "created_at": t.created_at.isoformat(timespec="seconds") if t.created_at else None,
            "station": t.station.name if t.station else None, "callback_requested": t.callback_requested}


def ticket_full(t: Ticket, draft: dict | None = None) -> dict:
    """The ticket as the desk shows it; `draft` is the asking agent's own autosaved form."""
    return {**ticket_brief(t), "account_no": t.account.account_no if t.account else None,
            "caller_number": t.caller_number, "callback_number": t.callback_number,
            "address": t.address_snapshot, "name": t.name_snapshot, "description": t.description,
            "priority": t.priority, "has_voice": bool(t.voice_path),
            "station_code": t.station.code if t.station else None,
            "confirmed": {"problem": t.confirmed_problem, "address": t.confirmed_address,
                          "name": t.confirmed_name, "phone": t.confirmed_phone},
            "draft_form": draft}


def draft_of(db, ticket_id: int, user_id: int | None) -> dict | None:
    if user_id is None:
        return None
    return db.scalar(select(TicketDraft.form).where(TicketDraft.ticket_id == ticket_id,
                                                     TicketDraft.user_id == user_id))


class AgentApi:
    """Routes and the WebSocket hub; `service` gives the DB sessions, settings and AMI."""

    def __init__(self, service):
        self.svc = service
        self.sessions = service.ctx.records.sessions
        self.settings = service.settings
        self.sockets: dict[int, set[web.WebSocketResponse]] = {}   # session id → sockets
        self.socket_expiry: dict[int, datetime] = {}                # session id → its expiry
        self.principals: dict[str, Principal] = {}                  # token hash → principal
        self.agent_sessions: dict[str, int] = {}                    # agent_no → live session id
        window = LOCK_MINUTES * 60
        #: failed logins per source address: beyond the limit the address gets 429 and its
        #: guesses no longer count against anybody's account
        self.address_failures = FailureWindow(window, self.settings.login_failures_per_address)
        #: failed logins for 工号 that do not exist: they lock like real ones, so a 423 does
        #: not tell an attacker which 工号 are real
        self.ghost_failures = FailureWindow(window, LOCK_AFTER)
        self._sweeper: asyncio.Task | None = None

    # -------------------------------------------------------------- app --
    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._errors, self._auth], client_max_size=1024 * 1024)
        r = app.router
        r.add_get("/api/health", self.health)
        r.add_post("/api/login", self.login)
        r.add_post("/api/logout", self.logout)
        r.add_get("/api/me", self.me)
        r.add_get("/api/ws", self.ws)
        r.add_get("/api/script", self.script)
        r.add_get("/api/stations", self.stations)
        r.add_post("/api/agent/queue", self.queue_membership)
        r.add_post("/api/agent/pause", self.pause)
        r.add_get("/api/accounts", self.search_accounts)
        r.add_get("/api/accounts/{account_no}", self.get_account)
        r.add_get("/api/calls/{uniqueid}/pop", self.get_pop)
        r.add_get("/api/tickets/drafts", self.my_drafts)
        r.add_get("/api/tickets/{number}", self.get_ticket)
        r.add_put("/api/tickets/{number}", self.save_ticket)
        r.add_put("/api/tickets/{number}/draft", self.autosave)
        r.add_post("/api/tickets/{number}/assign", self.assign_ticket)
        r.add_get("/api/tickets/{number}/voice", self.ticket_voice)
        r.add_get("/api/recordings", self.list_recordings)
        r.add_get("/api/recordings/{rid}/audio", self.recording_audio)
        r.add_get("/api/audit", self.audit_log)
        app.on_startup.append(self._start_sweeper)
        app.on_cleanup.append(self._stop_sweeper)
        return app

    @web.middleware
    async def _errors(self, request, handler):
        _source.set(request.remote or "")
        try:
            return await handler(request)
        except Forbidden as e:
            await self._audit_refusal(request, e)
            return _json({"error": e.message}, 403)
        except TelephonyUnavailable:
            return _json({"error": "电话系统暂时不可用，请稍后重试"}, 503)
        except TelephonyTimeout:
            return _json({"error": "电话系统响应超时，请稍后重试"}, 504)
        except AmiValueError as e:   # the last guard: a value that would forge an AMI action
            log.warning("AMI value refused on %s: %s", request.path, e)
            return _json({"error": "输入含有不允许的字符"}, 422)
        except ApiError as e:
            return _json({"error": e.message}, e.status)
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

    async def _audit_refusal(self, request, e: Forbidden) -> None:
        p: Principal | None = request.get("principal")

        def write():
            with self.sessions() as db, db.begin():
                add_audit(db, p.agent_no if p else "-", e.action, e.object_type, e.object_id)
        await self.db(write)

    @web.middleware
    async def _auth(self, request, handler):
        if request.path in ("/api/health", "/api/login"):
            return await handler(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not token and request.path == "/api/ws":
            # browsers' and Qt's WebSocket clients cannot always set headers; nothing else
            # takes a token in the URL (URLs end up in logs and histories)
            token = request.query.get("token", "")
        if not token:
            raise ApiError(401, "未登录")
        request["principal"] = await self._principal(token)
        return await handler(request)

    async def _principal(self, token: str) -> Principal:
        th = token_hash(token)

        def load():
            with self.sessions() as db:
                s = db.scalar(select(ApiSession).where(ApiSession.token_hash == th)
                              .options(selectinload(ApiSession.user)))
                if s is None:
                    return None, "登录无效，请重新登录"
                if s.ended_at is not None:
                    return None, _ended_message(s.ended_reason)
                if s.expires_at <= _now():
                    return None, "登录已过期，请重新登录"
                if not s.user.active:
                    return None, "账号已停用"
                return Principal(s.user.id, s.user.agent_no, s.user.name, s.user.role, s.id, s.expires_at), None
        cached = self.principals.get(th)
        fresh, err = await asyncio.to_thread(load)
        if fresh is None:
            self.principals.pop(th, None)
            raise ApiError(401, err)
        if cached is not None and cached.session_id == fresh.session_id:
            return cached
        self.principals[th] = fresh
        return fresh

    async def db(self, fn, *args):
        return await asyncio.to_thread(fn, *args)

    def audit(self, db, who: Principal | str, action: str, object_type: str, object_id: str = "",
              **detail) -> None:
        add_audit(db, who if isinstance(who, str) else who.agent_no, action, object_type, object_id, **detail)

    async def body(self, request, model):
        try:
            raw = await asyncio.wait_for(request.read(), timeout=self.settings.api_body_timeout_s)
        except asyncio.TimeoutError:
            raise ApiError(408, "请求超时")
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            # ValueError: not JSON, not UTF-8, or an integer past Python's digit limit;
            # RecursionError: thousands of nested brackets
            log.info("bad JSON on %s from %s: %s", request.path, request.remote, type(exc).__name__)
            raise ApiError(400, "请求体不是有效的 JSON")
        if not isinstance(data, dict):
            raise ApiError(400, "请求体应为 JSON 对象")
        return model.model_validate(data)

    @staticmethod
    def require(request, *roles: Role) -> Principal:
        p: Principal = request["principal"]
        if roles and p.role not in roles:
            raise Forbidden("无权执行此操作", "role_refused", "route", request.path)
        return p

    # ------------------------------------------------------------ login --
    async def health(self, request):
        return _json({"ok": True, "ami": self.svc.ami_connected.is_set(), "active_calls": self.svc.active_calls})

    async def login(self, request):
        body = await self.body(request, LoginIn)
        source = request.remote or ""
        if self.address_failures.blocked(source):
            await self.db(self._audit_simple, body.agent_no, "login_refused", "user", body.agent_no,
                          {"reason": "address_limit"})
            raise ApiError(429, "登录失败次数过多，请稍后再试")
        result, err = await self.db(self._check_login, body)
        if err:
            if err[0] in (401, 423):
                self.address_failures.add(source)
            raise ApiError(*err)
        for sid in result.pop("replaced"):
            await self.end_session(sid, "replaced")
        return _json(result)

    def _check_login(self, body: LoginIn):
        with self.sessions() as db:
            u = db.scalar(select(User).where(User.agent_no == body.agent_no))
        real = u is not None and u.active
        # the KDF runs for unknown 工号 too: the answer's timing says nothing about who exists
        ok = verify_password(body.password, u.password_hash if real else DUMMY_PASSWORD_HASH)
        now = _now()
        with self.sessions() as db, db.begin():
            if not real:
                self.audit(db, body.agent_no, "login_failed", "user", body.agent_no, reason="unknown_or_disabled")
                if self.ghost_failures.add(body.agent_no) >= LOCK_AFTER:
                    return None, (423, _locked_message(LOCK_MINUTES))
                return None, (401, "工号或密码错误")
            locked_until = db.scalar(select(User.locked_until).where(User.id == u.id))
            if locked_until and locked_until > now:
                mins = int((locked_until - now).total_seconds() // 60) + 1
                self.audit(db, body.agent_no, "login_refused", "user", body.agent_no, reason="locked")
                return None, (423, _locked_message(mins))
            if not ok:
                # counted in the database, atomically: parallel guesses each count
                failed = db.execute(update(User).where(User.id == u.id)
                                    .values(failed_logins=User.failed_logins + 1)
                                    .returning(User.failed_logins)).scalar_one()
                if failed >= LOCK_AFTER:
                    locked = db.execute(update(User).where(User.id == u.id, or_(User.locked_until.is_(None),
                                                                                User.locked_until <= now))
                                        .values(locked_until=now + timedelta(minutes=LOCK_MINUTES),
                                                failed_logins=0)).rowcount
                    if locked:
                        self.audit(db, body.agent_no, "locked", "user", body.agent_no, minutes=LOCK_MINUTES)
                    return None, (423, _locked_message(LOCK_MINUTES))
                self.audit(db, body.agent_no, "login_failed", "user", body.agent_no, reason="password")
                return None, (401, "工号或密码错误")
            db.execute(update(User).where(User.id == u.id).values(failed_logins=0, locked_until=None))
            # one live session per person: the older one ends and is told so
            old = list(db.scalars(select(ApiSession).where(ApiSession.user_id == u.id,
                                                           ApiSession.ended_at.is_(None))))
            for s in old:
                s.ended_at, s.ended_reason = now, "replaced"
            token = new_token()
            s = ApiSession(token_hash=token_hash(token), user_id=u.id, created_at=now,
                           expires_at=now + timedelta(hours=SESSION_HOURS))
            db.add(s)
            self.audit(db, u.agent_no, "login", "user", u.agent_no)
            db.flush()
            return {"token": token, "expires_at": s.expires_at.isoformat(timespec="seconds"),
                    "user": {"agent_no": u.agent_no, "name": u.name, "role": u.role.value},
                    "sip": self._sip_info(u), "session_id": s.id,
                    "pause_reasons": self.settings.pause_reason_list,
                    "replaced": [o.id for o in old]}, None

    def _sip_info(self, u: User) -> dict:
        # agents on other PCs register to the server's LAN address, the one in the API URL
        host = "127.0.0.1" if self.settings.bind.startswith("127.") else public_host(self.settings)
        return {"server": host, "port": self.svc.ports.sip, "username": f"agent-{u.agent_no}",
                "password": u.sip_secret, "extension": self.settings.extension}

    async def logout(self, request):
        p = request["principal"]

        def end():
            with self.sessions() as db, db.begin():
                s = db.get(ApiSession, p.session_id)
                s.ended_at, s.ended_reason = _now(), "logout"
                self.audit(db, p, "logout", "user", p.agent_no)
        await self.db(end)
        await self.end_session(p.session_id, "logout")
        if self.svc.agent_state(p.agent_no).get("member"):
            # nobody at this desk any more: calls must not ring it
            try:
                await self.svc.set_queue_member(p.agent_no, False)
            except (TelephonyUnavailable, TelephonyTimeout) as exc:
                log.warning("agent %s logged out but is still in the queue: %s", p.agent_no, exc)
        return _json({"ok": True})

    async def me(self, request):
        p = request["principal"]
        return _json({"agent_no": p.agent_no, "name": p.name, "role": p.role.value,
                      "agent_state": self.svc.agent_state(p.agent_no)})

    # --------------------------------------------------------- websocket --
    async def ws(self, request):
        p: Principal = request["principal"]
        sock = web.WebSocketResponse(heartbeat=15)
        await sock.prepare(request)
        self.sockets.setdefault(p.session_id, set()).add(sock)
        self.socket_expiry[p.session_id] = p.expires_at
        self.agent_sessions[p.agent_no] = p.session_id
        await sock.send_json({"type": "hello", "agent_no": p.agent_no,
                              "agent_state": self.svc.agent_state(p.agent_no),
                              "ami": self.svc.ami_connected.is_set()})
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
        event = json.dumps({"type": "session_ended", "reason": reason, "message": _ended_message(reason)},
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
                ended = await self.db(self._ended_sessions, list(self.sockets))
            except Exception as exc:   # the DB may be briefly unreachable; try again
                log.warning("session sweep failed: %s", exc)
                continue
            for sid, reason in ended.items():
                await self.end_session(sid, reason)

    def _ended_sessions(self, session_ids: list[int]) -> dict[int, str]:
        now = _now()
        with self.sessions() as db:
            rows = db.execute(select(ApiSession.id, ApiSession.ended_at, ApiSession.ended_reason,
                                     ApiSession.expires_at, User.active)
                              .join(User, User.id == ApiSession.user_id)
                              .where(ApiSession.id.in_(session_ids))).all()
        found = {r.id for r in rows}
        ended = {sid: "logout" for sid in session_ids if sid not in found}
        for r in rows:
            if r.ended_at is not None:
                ended[r.id] = r.ended_reason or "logout"
            elif not r.active:
                ended[r.id] = "disabled"
            elif r.expires_at <= now:
                ended[r.id] = "expired"
        return ended

    async def push_session(self, session_id: int, event: dict) -> None:
        expiry = self.socket_expiry.get(session_id)
        if expiry is not None and expiry <= _now():
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

    async def broadcast(self, event: dict) -> None:
        for sid in list(self.sockets):
            await self.push_session(sid, event)

    def grant(self, agent_no: str, account_no: str) -> None:
        sid = self.agent_sessions.get(agent_no)
        for p in self.principals.values():
            if p.session_id == sid:
                p.allowed_accounts.add(account_no)

    # ------------------------------------------------------- screen pop --
    def build_pop(self, uniqueid: str, agent_no: str, actor: Principal | None = None) -> dict | None:
        """The card for a call ringing at (or answered by) `agent_no`; audited as their view.
        `actor`: the person asking over HTTP, checked against the call first."""
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
            if call is None:
                return None
            if actor is not None and not self._call_is_theirs(actor, call):
                raise Forbidden("只能查看振铃到本座席或本人接听的来电", "view_refused", "screen_pop", uniqueid)
            user_id = actor.user_id if actor else db.scalar(select(User.id).where(User.agent_no == agent_no))
            t = db.get(Ticket, call.ticket_id) if call.ticket_id else None
            acc = t.account if t and t.account else None
            card, history = None, []
            if acc is not None:
                station = station_serving(db, acc.district)
                card = account_card(acc, station)
                history = [ticket_brief(x) for x in db.scalars(
                    select(Ticket).where(Ticket.account_id == acc.id, Ticket.id != (t.id if t else 0))
                    .order_by(Ticket.id.desc()).limit(10))]
            self.audit(db, agent_no, "view", "screen_pop", uniqueid,
                       account_no=acc.account_no if acc else None)
            return {"type": "screen_pop", "uniqueid": uniqueid, "caller": call.caller,
                    "account": card, "history": history,
                    "ticket": ticket_full(t, draft_of(db, t.id, user_id)) if t else None,
                    "ivr": {"category": t.category.value if t and t.category else None,
                            "callback_number": t.callback_number if t else "",
                            "voice_url": f"/api/tickets/{t.number}/voice" if t and t.voice_path else None}}

    def _call_is_theirs(self, p: Principal, call: Call) -> bool:
        if p.role in SUPERVISORS:
            return True
        ringing = self.svc.ringing.get(p.agent_no)
        return (ringing is not None and ringing[0] == call.uniqueid) or call.agent_id == p.user_id

    async def get_pop(self, request):
        p = self.require(request)
        uniqueid = request.match_info["uniqueid"]
        if not UNIQUEID.match(uniqueid):
            raise ApiError(404, "没有这通电话")
        pop = await self.db(self.build_pop, uniqueid, p.agent_no, p)
        if pop is None:
            raise ApiError(404, "没有这通电话")
        if pop["account"]:
            p.allowed_accounts.add(pop["account"]["account_no"])
        return _json(pop)

    # ---------------------------------------------------------- agent --
    async def queue_membership(self, request):
        p = self.require(request)
        body = await self.body(request, QueueIn)
        await self.svc.set_queue_member(p.agent_no, body.member)
        await self.db(self._audit_simple, p, "queue_join" if body.member else "queue_leave", "agent", p.agent_no)
        return _json({"agent_state": self.svc.agent_state(p.agent_no)})

    async def pause(self, request):
        p = self.require(request)
        body = await self.body(request, PauseIn)
        reasons = self.settings.pause_reason_list
        if body.paused and body.reason not in reasons:
            # only the configured reasons: a pause reason is sent to Asterisk
            raise ApiError(422, "示忙请从列表中选择原因: " + "、".join(reasons))
        await self.svc.set_paused(p.agent_no, body.paused, body.reason if body.paused else "")
        await self.db(self._audit_simple, p, "pause" if body.paused else "unpause", "agent", p.agent_no,
                      {"reason": body.reason} if body.paused else None)
        return _json({"agent_state": self.svc.agent_state(p.agent_no)})

    def _audit_simple(self, p, action, otype, oid, detail=None):
        with self.sessions() as db, db.begin():
            self.audit(db, p, action, otype, oid, **(detail or {}))

    async def script(self, request):
        p = self.require(request)
        now = self.settings.now()
        overrides = await self.db(self.svc.ctx.records.holiday_overrides, now.year)
        return _json({"opening": script_opening(p.agent_no, now, overrides), "closing": SCRIPT_CLOSING})

    async def stations(self, request):
        self.require(request)

        def load():
            with self.sessions() as db:
                return [{"code": s.code, "name": s.name, "phone": s.phone,
                         "districts": [d.name for d in s.districts]}
                        for s in db.scalars(select(RepairStation).options(selectinload(RepairStation.districts))
                                            .order_by(RepairStation.code))]
        return _json(await self.db(load))

    # -------------------------------------------------------- accounts --
    async def search_accounts(self, request):
        p = self.require(request)
        q = request.query.get("q", "").strip()
        if not (1 <= len(q) <= 64):
            raise ApiError(422, "请输入电话、户号或地址关键字")

        def find():
            with self.sessions() as db, db.begin():
                digits = normalise_caller_id(q) if q.replace("-", "").replace(" ", "").isdigit() else ""
                stmt = select(HeatingAccount).options(selectinload(HeatingAccount.phones)).limit(20)
                if digits:
                    stmt = stmt.outerjoin(AccountPhone).where(or_(AccountPhone.phone == digits,
                                                                  HeatingAccount.account_no == digits))
                else:
                    like = f"%{q.replace('%', '').replace('_', '')}%"
                    stmt = stmt.where(or_(HeatingAccount.compound.like(like), HeatingAccount.name.like(like),
                                          HeatingAccount.district.like(like)))
                rows = list(db.scalars(stmt).unique())
                self.audit(db, p, "search", "account", "", query=mask_phone(q) if digits else q, hits=len(rows))
                stations = stations_serving(db, (a.district for a in rows))
                return [account_card(a, stations.get(a.district)) for a in rows]
        rows = await self.db(find)
        p.allowed_accounts.update(r["account_no"] for r in rows)
        return _json(rows)

    async def get_account(self, request):
        p = self.require(request)
        no = request.match_info["account_no"]
        if not ACCOUNT_NO.match(no):
            raise ApiError(404, "没有这个户号")
        if p.role not in SUPERVISORS and no not in p.allowed_accounts:
            raise Forbidden("只能查看来电客户或搜索到的客户资料", "view_refused", "account", no)

        def load():
            with self.sessions() as db, db.begin():
                a = db.scalar(select(HeatingAccount).where(HeatingAccount.account_no == no)
                              .options(selectinload(HeatingAccount.phones)))
                if a is None:
                    return None
                self.audit(db, p, "view", "account", no)
                tickets = [ticket_brief(t) for t in db.scalars(
                    select(Ticket).where(Ticket.account_id == a.id).order_by(Ticket.id.desc()).limit(20))]
                return {**account_card(a, station_serving(db, a.district)), "tickets": tickets}
        got = await self.db(load)
        if got is None:
            raise ApiError(404, "没有这个户号")
        return _json(got)

    # --------------------------------------------------------- tickets --
    def _ticket_for(self, db, p: Principal, number: str, write: bool, verb: str = "view") -> Ticket:
        """The ticket, if this actor may see it (`write`: change it, hear its voice). An agent
        works on tickets of calls they answered or that ring at their desk, and on tickets a
        team lead assigned to them; a searched account's tickets they may only read."""
        if not TICKET_NO.match(number):
            raise ApiError(404, "没有这张报修单")
        t = db.scalar(select(Ticket).where(Ticket.number == number)
                      .options(selectinload(Ticket.account), selectinload(Ticket.station)))
        if t is None:
            raise ApiError(404, "没有这张报修单")
        if p.role in SUPERVISORS or t.assigned_agent_id == p.user_id \
                or self.svc.ringing_ticket(p.agent_no) == t.number:
            return t
        if db.scalar(select(Call.id).where(Call.ticket_id == t.id, Call.agent_id == p.user_id).limit(1)):
            return t
        if not write and t.account is not None and t.account.account_no in p.allowed_accounts:
            return t
        raise Forbidden("只能处理自己接听或分派给自己的报修单", f"{verb}_refused", "ticket", number)

    async def get_ticket(self, request):
        p = self.require(request)

        def load():
            with self.sessions() as db, db.begin():
                t = self._ticket_for(db, p, request.match_info["number"], write=False)
                self.audit(db, p, "view", "ticket", t.number)
                return ticket_full(t, draft_of(db, t.id, p.user_id))
        return _json(await self.db(load))

    async def autosave(self, request):
        """Drafts every few seconds: the form as typed, not yet the ticket; one per agent."""
        p = self.require(request)
        form = await self.body(request, TicketForm)   # same schema and limits as a save
        number = request.match_info["number"]

        def store():
            with self.sessions() as db, db.begin():
                t = self._ticket_for(db, p, number, write=True, verb="draft")
                draft = db.scalar(select(TicketDraft).where(TicketDraft.ticket_id == t.id,
                                                            TicketDraft.user_id == p.user_id))
                data = form.model_dump(mode="json")
                if draft is None:
                    db.add(TicketDraft(ticket_id=t.id, user_id=p.user_id, form=data, updated_at=_now()))
                else:
                    draft.form, draft.updated_at = data, _now()
                self.audit(db, p, "autosave", "ticket", t.number)
        await self.db(store)
        return _json({"ok": True})

    async def my_drafts(self, request):
        p = self.require(request)

        def load():
            with self.sessions() as db:
                rows = db.execute(select(Ticket, TicketDraft.form).join(TicketDraft, TicketDraft.ticket_id == Ticket.id)
                                  .where(TicketDraft.user_id == p.user_id)
                                  .options(selectinload(Ticket.account), selectinload(Ticket.station))
                                  .order_by(TicketDraft.updated_at.desc()).limit(50)).all()
                return [ticket_full(t, form) for t, form in rows]
        return _json(await self.db(load))

    async def save_ticket(self, request):
        p = self.require(request)
        form = await self.body(request, TicketForm)
        missing = [label for ok, label in ((form.confirmed_problem, "问题"), (form.confirmed_address, "地址"),
                                           (form.confirmed_name, "姓名"), (form.confirmed_phone, "电话"))
                   if not ok]
        if missing:
            raise ApiError(422, "请先跟读确认: " + "、".join(missing))
        if form.category is None:
            raise ApiError(422, "请选择问题类型")
        if not form.address.strip():
            raise ApiError(422, "请填写地址")
        number = request.match_info["number"]

        def save():
            with self.sessions() as db, db.begin():
                t = self._ticket_for(db, p, number, write=True, verb="update")
                before = ticket_full(t)
                if form.account_no:
                    acc = db.scalar(select(HeatingAccount).where(HeatingAccount.account_no == form.account_no))
                    if acc is None:
                        raise ApiError(422, "没有这个户号")
                    t.account_id = acc.id
                if form.station_code:
                    st = db.scalar(select(RepairStation).where(RepairStation.code == form.station_code))
                    if st is None:
                        raise ApiError(422, "没有这个维修站")
                    t.station_id = st.id
                t.category, t.priority = form.category, form.priority
                t.address_snapshot, t.name_snapshot = form.address.strip(), form.name.strip()
                t.callback_number = normalise_caller_id(form.callback_number)
                t.description = form.notes
                t.confirmed_problem = t.confirmed_address = t.confirmed_name = t.confirmed_phone = True
                db.execute(delete(TicketDraft).where(TicketDraft.ticket_id == t.id,
                                                     TicketDraft.user_id == p.user_id))
                if t.state == TicketState.draft:
                    t.state = TicketState.new
                    t.transitions.append(TicketTransition(state=TicketState.new, at=_now(), user_id=p.user_id))
                db.flush()
                after = ticket_full(t)
                changed = {k: after[k] for k in after if after[k] != before.get(k)}
                self.audit(db, p, "update", "ticket", t.number, changes=changed)
                return after
        return _json(await self.db(save))

    async def assign_ticket(self, request):
        """A team lead hands a ticket to an agent, who may then work on it."""
        p = self.require(request, *SUPERVISORS)
        body = await self.body(request, AssignIn)
        number = request.match_info["number"]

        def assign():
            with self.sessions() as db, db.begin():
                t = self._ticket_for(db, p, number, write=True, verb="assign")
                agent = db.scalar(select(User).where(User.agent_no == body.agent_no, User.active.is_(True)))
                if agent is None:
                    raise ApiError(422, "没有这个在职工号")
                t.assigned_agent_id = agent.id
                self.audit(db, p, "assign", "ticket", t.number, to=agent.agent_no)
                return {"number": t.number, "assigned_to": agent.agent_no}
        return _json(await self.db(assign))

    async def ticket_voice(self, request):
        p = self.require(request)

        def load():
            with self.sessions() as db, db.begin():
                t = self._ticket_for(db, p, request.match_info["number"], write=True, verb="play")
                if not t.voice_path:
                    raise ApiError(404, "这张报修单没有语音描述")
                self.audit(db, p, "play", "voice", t.number)
                return t.voice_path
        return self._audio(await self.db(load))

    # ------------------------------------------------------ recordings --
    def _audio(self, stored: str) -> web.FileResponse:
        """Serve a stored audio path only if it is a .wav inside the recordings or voice
        directories (symlinks resolved): a path in the database is never trusted."""
        s = self.settings
        path = confined(stored, (s.recordings_dir, s.voice_dir))
        if path is None:
            log.warning("refused to serve audio outside the recordings/voice directories: %r", stored[:200])
            raise ApiError(404, "录音文件不存在")
        return web.FileResponse(path, headers={"Content-Type": "audio/wav"})

    async def list_recordings(self, request):
        p = self.require(request)

        def load():
            with self.sessions() as db:
                # one query: the caller and the ticket number come along (no lookup per row)
                q = (select(Recording, Call.caller, Ticket.number)
                     .outerjoin(Call, Call.id == Recording.call_id).outerjoin(Ticket, Ticket.id == Recording.ticket_id)
                     .where(Recording.deleted_at.is_(None)).order_by(Recording.id.desc()).limit(100))
                if p.role not in SUPERVISORS:
                    q = q.where(Recording.agent_id == p.user_id)
                return [{"id": r.id, "call_id": r.call_id, "ticket_id": r.ticket_id, "ticket_number": number,
                         "caller": caller or "", "duration_s": r.duration_s, "sha256": r.sha256,
                         "created_at": r.created_at.isoformat(timespec="seconds")}
                        for r, caller, number in db.execute(q)]
        return _json(await self.db(load))

    async def recording_audio(self, request):
        p = self.require(request)
        raw = request.match_info["rid"]
        if not RECORDING_ID.match(raw):
            raise ApiError(404, "没有这段录音")
        rid = int(raw)

        def load():
            with self.sessions() as db, db.begin():
                r = db.get(Recording, rid)
                if r is None or r.deleted_at is not None:
                    raise ApiError(404, "没有这段录音")
                if p.role not in SUPERVISORS and r.agent_id != p.user_id:
                    raise Forbidden("只能回放自己的录音", "play_refused", "recording", rid)
                self.audit(db, p, "play", "recording", rid)
                return r.path
        return self._audio(await self.db(load))

    async def audit_log(self, request):
        self.require(request, *SUPERVISORS)

        def load():
            with self.sessions() as db:
                return [{"at": a.at.isoformat(timespec="seconds"), "actor": a.actor, "action": a.action,
                         "object_type": a.object_type, "object_id": a.object_id, "detail": a.detail,
                         "source": a.source}
                        for a in db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(500))]
        return _json(await self.db(load))


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


def _locked_message(minutes: int) -> str:
    # the same words for real and unknown 工号 (a 423 must not tell which exist)
    return f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试"


def _ended_message(reason: str | None) -> str:
    return {"replaced": "您的账号已在其他位置登录，本机已退出",
            "disabled": "账号已停用",
            "password_changed": "密码已修改，请重新登录",
            "expired": "登录已过期，请重新登录"}.get(reason or "", "会话已结束，请重新登录")
