"""The agent API: HTTP for requests, one WebSocket per desktop for pushed events.

Every role check and every audit entry happens here, on the server; the
desktop holds only its session token. Inputs are validated by pydantic models;
malformed input answers 4xx with a message, never 500.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import WSMsgType, web
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from db.models import (AccountPhone, ApiSession, AuditEntry, Call, Category, HeatingAccount,
                       Recording, RepairStation, Role, Ticket, TicketState, TicketTransition, User,
                       station_serving, stations_serving)
from hotline.security import new_token, token_hash, verify_password
from ivr.holidays import SCRIPT_CLOSING, script_opening
from ivr.validation import mask_phone, normalise_caller_id

log = logging.getLogger("hotline.api")

SESSION_HOURS = 12
LOCK_AFTER = 5
LOCK_MINUTES = 15
SUPERVISORS = (Role.team_lead, Role.head, Role.admin)


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


class NewTicketIn(BaseModel):
    call_uniqueid: str | None = Field(default=None, max_length=64)


# ---------------------------------------------------------------- helpers --

class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Principal:
    user_id: int
    agent_no: str
    name: str
    role: Role
    session_id: int
    #: accounts this session may open: popped on its calls or found by its searches
    allowed_accounts: set[str] = field(default_factory=set)


def _now() -> datetime:
    return datetime.now()


def _json(data, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False, default=str))


def account_card(acc: HeatingAccount, station: RepairStation | None) -> dict:
    return {"account_no": acc.account_no, "name": acc.name, "address": acc.address, "district": acc.district,
            "phones": acc.phone_numbers,
            "station": {"code": station.code, "name": station.name, "phone": station.phone} if station else None}


def ticket_brief(t: Ticket) -> dict:
    return {"number": t.number, "state": t.state.value, "category": t.category.value if t.category else None,
            "created_at": t.created_at.isoformat(timespec="seconds") if t.created_at else None,
            "station": t.station.name if t.station else None, "callback_requested": t.callback_requested}


def ticket_full(t: Ticket) -> dict:
    return {**ticket_brief(t), "account_no": t.account.account_no if t.account else None,
            "caller_number": t.caller_number, "callback_number": t.callback_number,
            "address": t.address_snapshot, "name": t.name_snapshot, "description": t.description,
            "priority": t.priority, "has_voice": bool(t.voice_path),
            "station_code": t.station.code if t.station else None,
            "confirmed": {"problem": t.confirmed_problem, "address": t.confirmed_address,
                          "name": t.confirmed_name, "phone": t.confirmed_phone},
            "draft_form": t.draft_form}


class AgentApi:
    """Routes and the WebSocket hub; `service` gives the DB sessions, settings and AMI."""

    def __init__(self, service):
        self.svc = service
        self.sessions = service.ctx.records.sessions
        self.settings = service.settings
        self.sockets: dict[int, set[web.WebSocketResponse]] = {}   # session id → sockets
        self.principals: dict[str, Principal] = {}                  # token hash → principal
        self.agent_sessions: dict[str, int] = {}                    # agent_no → live session id

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
        r.add_get("/api/tickets/{number}/voice", self.ticket_voice)
        r.add_get("/api/recordings", self.list_recordings)
        r.add_get("/api/recordings/{rid}/audio", self.recording_audio)
        r.add_get("/api/audit", self.audit_log)
        return app

    @web.middleware
    async def _errors(self, request, handler):
        try:
            return await handler(request)
        except ApiError as e:
            return _json({"error": e.message}, e.status)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "input"
            return _json({"error": f"输入无效: {where}: {first.get('msg')}"}, 422)
        except web.HTTPException:
            raise
        except Exception:
            log.exception("API error on %s", request.path)
            return _json({"error": "服务器内部错误，请稍后重试"}, 500)

    @web.middleware
    async def _auth(self, request, handler):
        if request.path in ("/api/health", "/api/login"):
            return await handler(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() \
            or request.query.get("token", "")
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
                    return None, "已在其他位置登录，本会话已结束" if s.ended_reason == "replaced" \
                        else "会话已结束，请重新登录"
                if s.expires_at <= _now():
                    return None, "登录已过期，请重新登录"
                if not s.user.active:
                    return None, "账号已停用"
                return Principal(s.user.id, s.user.agent_no, s.user.name, s.user.role, s.id), None
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
        actor = who if isinstance(who, str) else who.agent_no
        db.add(AuditEntry(actor=actor, action=action, object_type=object_type, object_id=str(object_id),
                          detail=detail or None, at=_now()))

    @staticmethod
    async def body(request, model):
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApiError(400, "请求体不是有效的 JSON")
        if not isinstance(data, dict):
            raise ApiError(400, "请求体应为 JSON 对象")
        return model.model_validate(data)

    @staticmethod
    def require(request, *roles: Role) -> Principal:
        p: Principal = request["principal"]
        if roles and p.role not in roles:
            raise ApiError(403, "无权执行此操作")
        return p

    # ------------------------------------------------------------ login --
    async def health(self, request):
        return _json({"ok": True, "ami": self.svc.ami_connected.is_set(), "active_calls": self.svc.active_calls})

    async def login(self, request):
        body = await self.body(request, LoginIn)

        def check():
            with self.sessions() as db, db.begin():
                u = db.scalar(select(User).where(User.agent_no == body.agent_no))
                if u is None or not u.active:
                    self.audit(db, body.agent_no, "login_failed", "user", body.agent_no, reason="unknown_or_disabled")
                    return None, (401, "工号或密码错误")
                now = _now()
                if u.locked_until and u.locked_until > now:
                    mins = int((u.locked_until - now).total_seconds() // 60) + 1
                    self.audit(db, body.agent_no, "login_refused", "user", body.agent_no, reason="locked")
                    return None, (423, f"登录失败次数过多，账号已锁定，请 {mins} 分钟后再试")
                if not verify_password(body.password, u.password_hash):
                    u.failed_logins += 1
                    if u.failed_logins >= LOCK_AFTER:
                        u.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                        u.failed_logins = 0
                        self.audit(db, body.agent_no, "locked", "user", body.agent_no, minutes=LOCK_MINUTES)
                        return None, (423, f"登录失败次数过多，账号已锁定 {LOCK_MINUTES} 分钟")
                    self.audit(db, body.agent_no, "login_failed", "user", body.agent_no, reason="password")
                    return None, (401, "工号或密码错误")
                u.failed_logins, u.locked_until = 0, None
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
                        "replaced": [o.id for o in old]}, None
        result, err = await self.db(check)
        if err:
            raise ApiError(*err)
        for sid in result.pop("replaced"):
            await self.push_session(sid, {"type": "session_ended", "reason": "replaced",
                                          "message": "您的账号已在其他位置登录，本机已退出"})
            for sock in list(self.sockets.get(sid, ())):
                await sock.close()
        return _json(result)

    def _sip_info(self, u: User) -> dict:
        from hotline.tls import public_host
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
        self.principals = {k: v for k, v in self.principals.items() if v.session_id != p.session_id}
        if self.svc.agent_state(p.agent_no).get("member"):
            # nobody at this desk any more: calls must not ring it
            try:
                await self.svc.set_queue_member(p.agent_no, False)
            except ApiError as exc:
                log.warning("agent %s logged out but is still in the queue: %s", p.agent_no, exc.message)
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
        self.agent_sessions[p.agent_no] = p.session_id
        await sock.send_json({"type": "hello", "agent_no": p.agent_no,
                              "agent_state": self.svc.agent_state(p.agent_no),
                              "ami": self.svc.ami_connected.is_set()})
        try:
            async for msg in sock:
                if msg.type == WSMsgType.TEXT and msg.data == "ping":
                    await sock.send_str("pong")
        finally:
            self.sockets.get(p.session_id, set()).discard(sock)
        return sock

    async def push_session(self, session_id: int, event: dict) -> None:
        for sock in list(self.sockets.get(session_id, ())):
            try:
                await sock.send_str(json.dumps(event, ensure_ascii=False, default=str))
            except Exception:
                self.sockets[session_id].discard(sock)

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
    def build_pop(self, uniqueid: str, agent_no: str, actor: str = "") -> dict | None:
        """The card for a ringing call; audited as a view by the agent it pops for."""
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
            if call is None:
                return None
            t = db.get(Ticket, call.ticket_id) if call.ticket_id else None
            acc = t.account if t and t.account else None
            card, history = None, []
            if acc is not None:
                station = station_serving(db, acc.district)
                card = account_card(acc, station)
                history = [ticket_brief(x) for x in db.scalars(
                    select(Ticket).where(Ticket.account_id == acc.id, Ticket.id != (t.id if t else 0))
                    .order_by(Ticket.id.desc()).limit(10))]
            self.audit(db, actor or agent_no, "view", "screen_pop", uniqueid,
                       account_no=acc.account_no if acc else None)
            return {"type": "screen_pop", "uniqueid": uniqueid, "caller": call.caller,
                    "account": card, "history": history,
                    "ticket": ticket_full(t) if t else None,
                    "ivr": {"category": t.category.value if t and t.category else None,
                            "callback_number": t.callback_number if t else "",
                            "voice_url": f"/api/tickets/{t.number}/voice" if t and t.voice_path else None}}

    async def get_pop(self, request):
        p = self.require(request)
        pop = await self.db(self.build_pop, request.match_info["uniqueid"], p.agent_no)
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
        if body.paused and not body.reason.strip():
            raise ApiError(422, "示忙请选择原因")
        await self.svc.set_paused(p.agent_no, body.paused, body.reason.strip())
        await self.db(self._audit_simple, p, "pause" if body.paused else "unpause", "agent", p.agent_no,
                      {"reason": body.reason})
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
        if p.role not in SUPERVISORS and no not in p.allowed_accounts:
            await self.db(self._audit_simple, p, "view_refused", "account", no)
            raise ApiError(403, "只能查看来电客户或搜索到的客户资料")

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
    def _ticket_for(self, db, p: Principal, number: str) -> Ticket:
        t = db.scalar(select(Ticket).where(Ticket.number == number)
                      .options(selectinload(Ticket.account), selectinload(Ticket.station)))
        if t is None:
            raise ApiError(404, "没有这张报修单")
        if p.role not in SUPERVISORS:
            mine = db.scalar(select(Call.id).where(Call.ticket_id == t.id, Call.agent_id == p.user_id).limit(1))
            popped = t.account is not None and t.account.account_no in p.allowed_accounts
            if not (mine or popped or self.svc.ringing_ticket(p.agent_no) == t.number):
                raise ApiError(403, "只能处理自己接听的报修单")
        return t

    async def get_ticket(self, request):
        p = self.require(request)

        def load():
            with self.sessions() as db, db.begin():
                t = self._ticket_for(db, p, request.match_info["number"])
                self.audit(db, p, "view", "ticket", t.number)
                return ticket_full(t)
        return _json(await self.db(load))

    async def autosave(self, request):
        """Drafts every few seconds: the form as typed, not yet the ticket."""
        p = self.require(request)
        try:
            form = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApiError(400, "请求体不是有效的 JSON")
        TicketForm.model_validate(form)  # same limits as a save
        number = request.match_info["number"]

        def store():
            with self.sessions() as db, db.begin():
                t = self._ticket_for(db, p, number)
                t.draft_form = {**form, "_by": p.agent_no, "_at": _now().isoformat(timespec="seconds")}
        await self.db(store)
        return _json({"ok": True})

    async def my_drafts(self, request):
        p = self.require(request)

        def load():
            with self.sessions() as db:
                rows = db.scalars(select(Ticket).where(Ticket.draft_form.is_not(None))
                                  .options(selectinload(Ticket.account), selectinload(Ticket.station))
                                  .order_by(Ticket.updated_at.desc()).limit(50))
                return [ticket_full(t) for t in rows if (t.draft_form or {}).get("_by") == p.agent_no]
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
                t = self._ticket_for(db, p, number)
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
                t.draft_form = None
                if t.state == TicketState.draft:
                    t.state = TicketState.new
                    t.transitions.append(TicketTransition(state=TicketState.new, at=_now(), user_id=p.user_id))
                db.flush()
                after = ticket_full(t)
                changed = {k: after[k] for k in after if k not in ("draft_form",) and after[k] != before.get(k)}
                self.audit(db, p, "update", "ticket", t.number, changes=changed)
                return after
        return _json(await self.db(save))

    async def ticket_voice(self, request):
        p = self.require(request)

        def load():
            with self.sessions() as db, db.begin():
                t = self._ticket_for(db, p, request.match_info["number"])
                if not t.voice_path:
                    raise ApiError(404, "这张报修单没有语音描述")
                self.audit(db, p, "play", "voice", t.number)
                return t.voice_path
        path = Path(await self.db(load))
        if not path.exists():
            raise ApiError(404, "语音文件不存在")
        return web.FileResponse(path, headers={"Content-Type": "audio/wav"})

    # ------------------------------------------------------ recordings --
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
        try:
            rid = int(request.match_info["rid"])
        except ValueError:
            raise ApiError(400, "录音编号无效")

        def load():
            with self.sessions() as db, db.begin():
                r = db.get(Recording, rid)
                if r is None or r.deleted_at is not None:
                    raise ApiError(404, "没有这段录音")
                if p.role not in SUPERVISORS and r.agent_id != p.user_id:
                    # audited, so the refusal is committed: no raise inside the transaction
                    self.audit(db, p, "play_refused", "recording", rid)
                    return None
                self.audit(db, p, "play", "recording", rid)
                return r.path
        got = await self.db(load)
        if got is None:
            raise ApiError(403, "只能回放自己的录音")
        path = Path(got)
        if not path.exists():
            raise ApiError(404, "录音文件不存在")
        return web.FileResponse(path, headers={"Content-Type": "audio/wav"})

    async def audit_log(self, request):
        self.require(request, *SUPERVISORS)

        def load():
            with self.sessions() as db:
                return [{"at": a.at.isoformat(timespec="seconds"), "actor": a.actor, "action": a.action,
                         "object_type": a.object_type, "object_id": a.object_id, "detail": a.detail}
                        for a in db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(500))]
        return _json(await self.db(load))
