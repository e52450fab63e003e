"""The desk service: what agents, team leads and the head may do, without any protocol.

Logins and lock-out, sessions, the access rules for every object (this actor's call, their
ticket, their role), search, tickets and drafts, recordings, the screen pop and the audit
trail. Each public method is one transaction (like `ivr.context.Records`), synchronous, and
called from the HTTP layer through `asyncio.to_thread`; it raises `DeskError` (a status and a
message for the person) or `Forbidden` (refused and to be audited), never an HTTP type.

Longer than most modules on purpose: every rule of who may see and change what is here, so a
reviewer reads the whole access policy in one file.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from db.models import (AccountPhone, ApiSession, AuditEntry, Call, HeatingAccount, Recording, RepairStation, Role,
                       Ticket, TicketDraft, TicketState, User)
from db.queries import station_dict, station_for, stations_for, ticket_summary
from db.tickets import create_ticket
from hotline.service.directory import build_directory
from hotline.aftercall.callbacks import CallbackList, callback_policy
from hotline.aftercall.lifecycle import TicketWork
from hotline.aftercall.qa.work import QaWork
from hotline.aftercall.recordings import RecordingBook
from hotline.aftercall.rules import (CALLERS, SUPERVISORS, Actor, Refused as Forbidden, RuleError as DeskError,
                                     add_audit, works_on)
from hotline.service.schemas import TicketForm
from common.agent_phones import LISTEN_IN_ROLES, has_phone
from common.passwords import DUMMY_PASSWORD_HASH, new_sip_secret, new_token, token_hash, verify_password
from common import wire
from common.paths import confined
from common.text import control_char
from common.settings import Settings
from ivr import storage
from ivr.context import Records
from ivr.holidays import SCRIPT_CLOSING, SCRIPT_QUESTIONS, script_opening
from common.phones import CLASS_LABELS, is_valid_callback, mask_phone, normalise_phone_query, refusal
from common.naming import endpoint

log = logging.getLogger("hotline.desk")

SESSION_HOURS = 12
LOCK_AFTER = 5
LOCK_MINUTES = 15

# ids in paths are parsed before they reach a query: anything else is "not found"
UNIQUEID = re.compile(r"^\d{1,20}\.\d{1,10}$")
TICKET_NO = re.compile(r"^\d{1,16}$")
ACCOUNT_NO = re.compile(r"^[0-9A-Za-z-]{1,20}$")
RECORDING_ID = re.compile(r"^\d{1,18}$")           # fits a signed 64-bit column
#: an agent whose call a team lead listens in on: a 工号 as the dialplan's [listen-in] takes it
TARGET_AGENT = re.compile(wire.TRANSFER_TARGET_PATTERN + "$")

#: the audit log's object_id column; longer ids are cut and keep a hash of the whole

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
    #: a station's people: the station they work for
    station_id: int | None = None

    @property
    def actor(self) -> Actor:
        """The same person, as the after-call work (hotline.aftercall) knows them."""
        return Actor(self.user_id, self.agent_no, self.role, self.station_id)


class FailureWindow:
    """Failures per key in a sliding window, in memory (per source address, per unknown 工号).
    Thread-safe: logins run in worker threads, and a check and its count must be one step."""

    def __init__(self, window_s: float, limit: int, max_keys: int = 10000):
        self.window_s, self.limit, self.max_keys = window_s, limit, max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

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
        with self._lock:
            return len(self._recent(key))

    def blocked(self, key: str) -> bool:
        return self.count(key) >= self.limit

    def _append(self, key: str) -> float:
        if key not in self._hits and len(self._hits) >= self.max_keys:
            for old in list(self._hits)[: self.max_keys // 10]:   # oldest keys first (dict order)
                self._hits.pop(old, None)
        stamp = time.monotonic()
        self._hits.setdefault(key, deque()).append(stamp)
        return stamp

    def add(self, key: str) -> int:
        with self._lock:
            self._append(key)
            return len(self._recent(key))

    def reserve(self, key: str) -> float | None:
        """Count an attempt before it is made (None: over the limit, do not make it). Checked and
        counted in one step, so parallel attempts cannot all pass the check first; an attempt
        that turns out not to be a failure gives its count back (`release`)."""
        with self._lock:
            if len(self._recent(key)) >= self.limit:
                return None
            return self._append(key)

    def seconds_left(self, key: str) -> float:
        """Until the oldest counted attempt leaves the window (0: not blocked)."""
        with self._lock:
            hits = self._recent(key)
            return max(0.0, hits[0] + self.window_s - time.monotonic()) if len(hits) >= self.limit else 0.0

    def clear(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def release(self, key: str, stamp: float) -> None:
        with self._lock:
            hits = self._hits.get(key)
            if hits is not None and stamp in hits:
                hits.remove(stamp)
                if not hits:
                    del self._hits[key]


def _who(who: Principal | str) -> str:
    return who if isinstance(who, str) else who.agent_no


def locked_message(minutes: int) -> str:
    # the same words for real and unknown 工号 (a 423 must not tell which exist)
    return f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试"


def ended_message(reason: str | None) -> str:
    return {"replaced": "您的账号已在其他位置登录，本机已退出",
            "disabled": "账号已停用",
            "password_changed": "密码已修改，请重新登录",
            "expired": "登录已过期，请重新登录",
            "signed_out": "领班已将您签出，如需继续工作请重新登录"}.get(reason or "", "会话已结束，请重新登录")


# --------------------------------------------------------------- the wire --

def account_card(acc: HeatingAccount, station: RepairStation | None) -> dict:
    return {"account_no": acc.account_no, "name": acc.name, "address": acc.address, "district": acc.district,
            "phones": acc.phone_numbers,
            "station": {"code": station.code, "name": station.name, "phone": station.phone} if station else None}


def ticket_full(t: Ticket, draft: dict | None = None) -> dict:
    """The ticket as the desk shows it; `draft` is the asking agent's own autosaved form."""
    return {**ticket_summary(t), "account_no": t.account.account_no if t.account else None,
            "caller_number": t.caller_number, "callback_number": t.callback_number,
            "address": t.address_snapshot, "name": t.name_snapshot, "description": t.description,
            "priority": t.priority, "has_voice": bool(t.voice_path),
            "station_code": t.station.code if t.station else None,
            "confirmed": {"problem": t.confirmed_problem, "address": t.confirmed_address,
                          "name": t.confirmed_name, "phone": t.confirmed_phone},
            "draft_form": draft}


def draft_of(db: Session, ticket_id: int, user_id: int | None) -> dict | None:
    if user_id is None:
        return None
    return db.scalar(select(TicketDraft.form).where(TicketDraft.ticket_id == ticket_id,
                                                     TicketDraft.user_id == user_id))


# ---------------------------------------------------------------- service --

class DeskService:
    """`ringing(agent_no)` tells which (call uniqueid, ticket number) rings at or talks on an
    agent's phone right now — the queue's live state, owned by the hotline service."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings,
                 ringing: Callable[[str], tuple[str, str] | None], work: TicketWork | None = None,
                 callbacks: CallbackList | None = None, book: RecordingBook | None = None, qa: QaWork | None = None):
        self.sessions, self.settings, self.ringing = sessions, settings, ringing
        #: recordings found, listed on a ticket (#28); a peer's listening quota lets an agent play a colleague's
        self.book = book or RecordingBook(sessions, settings.now, settings.recordings_dir)
        self.qa = qa
        #: a ticket's timeline and anomalies come from the after-call work
        self.work = work or TicketWork(sessions, settings.now)
        #: the pop says when the caller is on the call-back list
        self.callbacks = callbacks or CallbackList(sessions, settings.now, callback_policy(settings))
        window = LOCK_MINUTES * 60
        #: failed logins per source address, each counted before its password is checked: beyond
        #: the limit the address gets 429 and its guesses no longer count against anybody's account
        self.address_failures = FailureWindow(window, settings.login_failures_per_address)
        #: failed logins per 工号, real or not, each counted before its password is checked: parallel
        #: guesses cannot all be checked before the lock-out counted in the database lands, and
        #: 工号 that do not exist lock like real ones (a 423 does not tell which are real). Keyed
        #: with the password hash too: `hotline agents passwd` starts a real account afresh
        self.account_failures = FailureWindow(window, LOCK_AFTER)

    # ------------------------------------------------------------ audit --
    def audit(self, who: Principal | str, action: str, object_type: str, object_id: str = "", **detail) -> None:
        with self.sessions() as db, db.begin():
            add_audit(db, _who(who), action, object_type, object_id, **detail)

    def audit_log(self, p: Principal) -> list[dict]:
        self._require(p, *SUPERVISORS)
        with self.sessions() as db:
            return [{"at": a.at.isoformat(timespec="seconds"), "actor": a.actor, "action": a.action,
                     "object_type": a.object_type, "object_id": a.object_id, "detail": a.detail, "source": a.source}
                    for a in db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(500))]

    @staticmethod
    def _require(p: Principal, *roles: Role) -> None:
        if roles and p.role not in roles:
            raise Forbidden("无权执行此操作", "role_refused", "role", p.role.value)

    # ------------------------------------------------------------ login --
    def login(self, agent_no: str, password: str, source: str) -> tuple[dict, list[int]]:
        """The login answer (token, user, SIP credentials minus the server address) and the
        sessions it replaced. Lock-out counted atomically in the database; an unknown 工号
        costs the same KDF time, gets the same words and locks the same way.

        Race-free: each attempt is counted against its address and its 工号 before the password
        is checked (given back when it succeeds), so neither a burst from one address nor parallel
        guesses at one account get more password checks than the limits."""
        stamp = self.address_failures.reserve(source)
        if stamp is None:
            self.audit(agent_no, "login_refused", "user", agent_no, reason="address_limit")
            raise DeskError(429, "登录失败次数过多，请稍后再试")
        counted = False
        try:
            return self._check_login(agent_no, password)
        except DeskError as e:
            counted = e.status in (401, 423)
            raise
        finally:
            if not counted:
                self.address_failures.release(source, stamp)

    def _check_login(self, agent_no: str, password: str) -> tuple[dict, list[int]]:
        with self.sessions() as db:
            u = db.scalar(select(User).where(User.agent_no == agent_no))
        real = u is not None and u.active
        account = f"{agent_no}\0{u.password_hash if real else ''}"
        if self.account_failures.reserve(account) is None:
            self.audit(agent_no, "login_refused", "user", agent_no, reason="account_limit")
            raise DeskError(423, locked_message(int(self.account_failures.seconds_left(account) // 60) + 1))
        # the KDF runs for unknown 工号 too: the answer's timing says nothing about who exists
        ok = verify_password(password, u.password_hash if real else DUMMY_PASSWORD_HASH)
        now = self.settings.now()
        refusal = answer = None
        with self.sessions() as db, db.begin():
            if not real:
                add_audit(db, agent_no, "login_failed", "user", agent_no, reason="unknown_or_disabled")
                refusal = (423, locked_message(LOCK_MINUTES)) if self.account_failures.count(account) >= LOCK_AFTER \
                    else (401, "工号或密码错误")
            elif (locked_until := db.scalar(select(User.locked_until).where(User.id == u.id))) and locked_until > now:
                add_audit(db, agent_no, "login_refused", "user", agent_no, reason="locked")
                refusal = (423, locked_message(int((locked_until - now).total_seconds() // 60) + 1))
            elif not ok:
                refusal = self._count_failure(db, u, now)
            else:
                answer = self._open_session(db, u, now)
        if answer is None:
            raise DeskError(*refusal)
        self.account_failures.clear(account)      # as the database's count is
        return answer

    @staticmethod
    def _count_failure(db: Session, u: User, now: datetime) -> tuple[int, str]:
        # counted in the database, atomically: parallel guesses each count
        failed = db.execute(update(User).where(User.id == u.id).values(failed_logins=User.failed_logins + 1)
                            .returning(User.failed_logins)).scalar_one()
        if failed >= LOCK_AFTER:
            locked = db.execute(update(User).where(User.id == u.id, or_(User.locked_until.is_(None),
                                                                        User.locked_until <= now))
                                .values(locked_until=now + timedelta(minutes=LOCK_MINUTES), failed_logins=0)).rowcount
            if locked:
                add_audit(db, u.agent_no, "locked", "user", u.agent_no, minutes=LOCK_MINUTES)
            return 423, locked_message(LOCK_MINUTES)
        add_audit(db, u.agent_no, "login_failed", "user", u.agent_no, reason="password")
        return 401, "工号或密码错误"

    def _open_session(self, db: Session, u: User, now: datetime) -> tuple[dict, list[int]]:
        db.execute(update(User).where(User.id == u.id).values(failed_logins=0, locked_until=None))
        # one live session per person: the older one ends and is told so
        old = list(db.scalars(select(ApiSession).where(ApiSession.user_id == u.id, ApiSession.ended_at.is_(None))))
        for s in old:
            s.ended_at, s.ended_reason = now, "replaced"
        token = new_token()
        s = ApiSession(token_hash=token_hash(token), user_id=u.id, created_at=now,
                       expires_at=now + timedelta(hours=SESSION_HOURS))
        db.add(s)
        add_audit(db, u.agent_no, "login", "user", u.agent_no)
        db.flush()
        user = {"agent_no": u.agent_no, "name": u.name, "role": u.role.value}
        if u.role is Role.station:      # the desk names the station it works for (wire.SAMPLE_STATION_USER)
            st = db.get(RepairStation, u.station_id) if u.station_id else None
            user.update(station_code=st.code if st else None, station=st.name if st else None)
        # a station has no phone (common.agent_phones): no SIP credentials at all
        sip = {"username": endpoint(u.agent_no), "password": u.sip_secret} if has_phone(u.role.value) else None
        return ({"token": token, "expires_at": s.expires_at.isoformat(timespec="seconds"),
                 "user": user, "sip": sip,
                 "session_id": s.id, "pause_reasons": self.settings.pause_reason_list},
                [o.id for o in old])

    def principal(self, token: str) -> Principal:
        """Who holds this token, checked against the database on every request."""
        th = token_hash(token)
        with self.sessions() as db:
            s = db.scalar(select(ApiSession).where(ApiSession.token_hash == th).options(selectinload(ApiSession.user)))
            if s is None:
                raise DeskError(401, "登录无效，请重新登录")
            if s.ended_at is not None:
                raise DeskError(401, ended_message(s.ended_reason))
            if s.expires_at <= self.settings.now():
                raise DeskError(401, "登录已过期，请重新登录")
            if not s.user.active:
                raise DeskError(401, "账号已停用")
            return Principal(s.user.id, s.user.agent_no, s.user.name, s.user.role, s.id, s.expires_at,
                             station_id=s.user.station_id)

    def logout(self, p: Principal) -> bool:
        """The session ends, and the SIP secret its login handed out with it: whoever kept it (the
        desk's memory, a copy) can no longer register that phone. True when Asterisk must learn the
        new secret (the caller rewrites the agents' phones: hotline.service.sip_guard)."""
        with self.sessions() as db, db.begin():
            s = db.get(ApiSession, p.session_id)
            s.ended_at, s.ended_reason = self.settings.now(), "logout"
            add_audit(db, p.agent_no, "logout", "user", p.agent_no)
            if not has_phone(p.role.value):
                return False
            db.execute(update(User).where(User.id == p.user_id).values(sip_secret=new_sip_secret()))
            return True

    def ended_sessions(self, session_ids: list[int]) -> dict[int, str]:
        """Of these sessions, the ones that ended (elsewhere: CLI, expiry) and why."""
        now = self.settings.now()
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

    # ------------------------------------------------------- screen pop --
    def pop(self, uniqueid: str, agent_no: str, actor: Principal | None = None) -> dict | None:
        """The card for a call ringing at (or answered by) `agent_no`; audited as their view.
        `actor`: the person asking over the API, checked against the call first."""
        if actor is not None and actor.role is Role.station:
            raise Forbidden("维修站不接听热线来电", "view_refused", "screen_pop", uniqueid)
        if actor is not None and not UNIQUEID.match(uniqueid):
            raise DeskError(404, "没有这通电话")
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
            if call is None:
                if actor is not None:
                    raise DeskError(404, "没有这通电话")
                return None
            if actor is not None and not self._call_is_theirs(actor, call):
                raise Forbidden("只能查看振铃到本座席或本人接听的来电", "view_refused", "screen_pop", uniqueid)
            user_id = actor.user_id if actor else db.scalar(select(User.id).where(User.agent_no == agent_no))
            t = db.get(Ticket, call.ticket_id) if call.ticket_id else None
            acc = t.account if t and t.account else None
            card, history = None, []
            if acc is not None:
                card = account_card(acc, station_for(db, acc.district, acc.compound, acc.building))
                history = [ticket_summary(x) for x in db.scalars(
                    select(Ticket).where(Ticket.account_id == acc.id, Ticket.id != (t.id if t else 0))
                    .order_by(Ticket.id.desc()).limit(10))]
            add_audit(db, agent_no, "view", "screen_pop", uniqueid, account_no=acc.account_no if acc else None)
            pop = {"type": wire.EV_SCREEN_POP, "uniqueid": uniqueid, "caller": call.caller,
                   "account": card, "history": history,
                   "ticket": ticket_full(t, draft_of(db, t.id, user_id)) if t else None,
                   # on the call-back list: the oldest open entry (cleared when this call is answered)
                   "callback": self.callbacks.for_call(db, call, t),
                   "ivr": {"category": t.category.value if t and t.category else None,
                           "callback_number": t.callback_number if t else "",
                           "voice_url": wire.path(wire.TICKET_VOICE, number=t.number) if t and t.voice_path else None}}
        if actor is not None and card:
            actor.allowed_accounts.add(card["account_no"])
        return pop

    def _call_is_theirs(self, p: Principal, call: Call) -> bool:
        if p.role in SUPERVISORS:
            return True
        ringing = self.ringing(p.agent_no)
        return (ringing is not None and ringing[0] == call.uniqueid) or call.agent_id == p.user_id

    # ---------------------------------------------------------- agent --
    @staticmethod
    def queue_work(p: Principal, what: str) -> None:
        """Joining or leaving the queue, pausing, ending after-call work, rejecting a call: agents'
        and team leads' only (their phones alone may work residents' calls); refused and audited
        for anybody else — a station's people have no phone at all."""
        if p.role not in CALLERS:
            raise Forbidden("只有座席和领班可以接听热线", f"{what}_refused", "agent", p.agent_no)

    def reject(self, p: Principal, uniqueid: str) -> None:
        """拒接 of a call ringing at this agent's phone: audited (refused for any other call)."""
        self.queue_work(p, "reject")
        ringing = self.ringing(p.agent_no)
        if not UNIQUEID.match(uniqueid) or not ringing or ringing[0] != uniqueid:
            raise Forbidden("只能拒接正在振铃到本座席的来电", "reject_refused", "call", uniqueid)
        self.audit(p, "reject", "call", uniqueid)

    def agents_board(self, p: Principal, live: Callable[[str], dict]) -> list[dict]:
        """Everyone with an active login and their queue state (`live(工号)`): member, paused and
        why (示忙 reasons, 话后整理, 未接听), on a call, calls taken."""
        self._require(p, *SUPERVISORS)
        with self.sessions() as db:
            users = list(db.execute(select(User.agent_no, User.name, User.role).where(User.active.is_(True))
                                    .order_by(User.agent_no)).all())
            online = set(db.scalars(select(User.agent_no).join(ApiSession, ApiSession.user_id == User.id)
                                    .where(ApiSession.ended_at.is_(None), ApiSession.expires_at > self.settings.now())))
        return [{"agent_no": no, "name": name, "role": role.value, "logged_in": no in online, **live(no)}
                for no, name, role in users]

    def listen_in(self, p: Principal, agent_no: str, whisper: bool, live: Callable[[str], dict]) -> dict:
        """A team lead asks to listen in on (or whisper to) an agent's live call (实时监听): the
        target is an active agent whose call is up now — the queue's live state (`live(工号)`) or an
        answered call of theirs not ended. Refused to anybody but a team lead (403, audited), for
        no such agent (404) or no call (409); granted, audited. The answer is what the lead's phone
        rings with next (the caller id "<label> <工号>"), like a click-to-call's."""
        target = str(agent_no or "")
        if p.role not in LISTEN_IN_ROLES:
            raise Forbidden("只有领班可以实时监听", "listen_refused", "agent", target[:16])
        if not TARGET_AGENT.match(target):
            raise DeskError(404, "没有这个座席")
        with self.sessions() as db, db.begin():
            agent = db.scalar(select(User).where(User.agent_no == target, User.active.is_(True)))
            if agent is None or agent.role is not Role.agent:
                raise DeskError(404, "没有这个座席")
            on_call = bool(live(target).get("in_call")) or db.scalar(
                select(Call.id).where(Call.agent_id == agent.id, Call.answered_at.is_not(None),
                                      Call.ended_at.is_(None)).limit(1)) is not None
            if not on_call:
                raise DeskError(409, "该座席当前没有通话")
            add_audit(db, p.agent_no, "listen_in", "agent", target, whisper=bool(whisper))
        label = wire.LISTEN_IN_LABELS[bool(whisper)]
        return {"agent": target, "name": agent.name, "whisper": bool(whisper), "kind": "listen", "label": label,
                "number": target, "ticket": ""}

    def check_pause_reason(self, paused: bool, reason: str) -> str:
        """The reason to send to Asterisk: only one of the configured list."""
        reasons = self.settings.pause_reason_list
        if paused and reason not in reasons:
            raise DeskError(422, "示忙请从列表中选择原因: " + "、".join(reasons))
        return reason if paused else ""

    def script(self, p: Principal) -> dict:
        """The call script's opening (the day's holiday opener, with the agent's 工号) and closing."""
        now = self.settings.now()
        overrides = Records(self.sessions, self.settings).holiday_overrides(now.year)
        return {"opening": script_opening(p.agent_no, now, overrides),
                "questions": [{"check": check, "text": text} for check, text in SCRIPT_QUESTIONS],
                "closing": SCRIPT_CLOSING}

    def stations(self) -> list[dict]:
        with self.sessions() as db:
            return [station_dict(s) for s in db.scalars(
                select(RepairStation).options(selectinload(RepairStation.districts), selectinload(RepairStation.areas))
                .order_by(RepairStation.code))]

    def directory(self, p: Principal, queue_agents: dict[str, dict], devices: dict[str, str]) -> dict:
        """The transfer directory (hotline.service.directory): users logged in now (a live,
        unexpired session, account active), with the queue's and the phones' live state. Not for a
        station: it has no phone to transfer from."""
        if p.role is Role.station:
            raise Forbidden("维修站没有电话,不能转接", "view_refused", "directory", p.agent_no)
        now = self.settings.now()
        with self.sessions() as db:
            users = db.execute(select(User.agent_no, User.name, User.role)
                               .join(ApiSession, ApiSession.user_id == User.id)
                               .where(ApiSession.ended_at.is_(None), ApiSession.expires_at > now,
                                      User.active.is_(True))
                               .order_by(User.agent_no)).all()
        return {"entries": build_directory(((u.agent_no, u.name, u.role.value) for u in users), p.agent_no,
                                           queue_agents, devices)}

    # -------------------------------------------------------- accounts --
    def search(self, p: Principal, q: str) -> list[dict]:
        """Accounts by phone, 户号 or address words, for the people who take residents' calls (a
        station reads what is on its own tickets, never the directory of residents)."""
        if p.role is Role.station:
            raise Forbidden("维修站不能查询住户资料", "search_refused", "account", "")
        q = q.strip()
        if not (1 <= len(q) <= 64):
            raise DeskError(422, "请输入电话、户号或地址关键字")
        if control_char(q) is not None:       # the query is kept in the audit trail
            raise DeskError(422, "搜索内容含有不允许的控制字符")
        with self.sessions() as db, db.begin():
            digits = normalise_phone_query(q)     # '+86 133…', '(024)3450…' as the IVR stores them
            stmt = select(HeatingAccount).options(selectinload(HeatingAccount.phones)).limit(20)
            if digits:
                stmt = stmt.outerjoin(AccountPhone).where(or_(AccountPhone.phone == digits,
                                                              HeatingAccount.account_no == digits))
            else:
                like = f"%{q.replace('%', '').replace('_', '')}%"
                stmt = stmt.where(or_(HeatingAccount.compound.like(like), HeatingAccount.name.like(like),
                                      HeatingAccount.district.like(like)))
            rows = list(db.scalars(stmt).unique())
            add_audit(db, p.agent_no, "search", "account", "", query=mask_phone(q) if digits else q, hits=len(rows))
            stations = stations_for(db, ((a.district, a.compound, a.building) for a in rows))
            found = [account_card(a, stations.get((a.district, a.compound, a.building))) for a in rows]
        p.allowed_accounts.update(r["account_no"] for r in found)
        return found

    def account(self, p: Principal, no: str) -> dict:
        if p.role is Role.station:
            raise Forbidden("维修站不能查询住户资料", "view_refused", "account", no)
        if not ACCOUNT_NO.match(no):
            raise DeskError(404, "没有这个户号")
        if p.role not in SUPERVISORS and no not in p.allowed_accounts:
            raise Forbidden("只能查看来电客户或搜索到的客户资料", "view_refused", "account", no)
        with self.sessions() as db, db.begin():
            a = db.scalar(select(HeatingAccount).where(HeatingAccount.account_no == no)
                          .options(selectinload(HeatingAccount.phones)))
            if a is None:
                raise DeskError(404, "没有这个户号")
            add_audit(db, p.agent_no, "view", "account", no)
            tickets = [ticket_summary(t) for t in db.scalars(
                select(Ticket).where(Ticket.account_id == a.id).order_by(Ticket.id.desc()).limit(20))]
            return {**account_card(a, station_for(db, a.district, a.compound, a.building)), "tickets": tickets}

    # --------------------------------------------------------- tickets --
    def _ticket_for(self, db: Session, p: Principal, number: str, write: bool, verb: str = "view") -> Ticket:
        """The ticket, if this actor may see it (`write`: change it, hear its voice). An agent
        works on tickets of calls they answered or that ring at their desk, and on tickets a
        team lead assigned to them; a searched account's tickets they may only read."""
        if not TICKET_NO.match(number):
            raise DeskError(404, "没有这张报修单")
        t = db.scalar(select(Ticket).where(Ticket.number == number)
                      .options(selectinload(Ticket.account), selectinload(Ticket.station)))
        if t is None:
            raise DeskError(404, "没有这张报修单")
        if p.role is Role.station:
            # a station reads the tickets dispatched to it — by no other grant (a search, a pop,
            # an assignment): another station's repair is never its business
            if not write and p.station_id is not None and t.station_id == p.station_id \
                    and t.state not in (TicketState.draft, TicketState.new):
                return t
            raise Forbidden("只能查看派给本站的报修单", f"{verb}_refused", "ticket", number)
        ringing = self.ringing(p.agent_no)
        if p.role in SUPERVISORS or (ringing and ringing[1] == t.number) or works_on(db, p.user_id, t):
            return t
        if p.role is Role.agent and self.callbacks.holder(t, self.settings.now()) == p.user_id:
            return t                  # the call-back entry this agent holds: they confirm it in the form
        if not write and t.account is not None and t.account.account_no in p.allowed_accounts:
            return t
        raise Forbidden("只能处理自己接听或分派给自己的报修单", f"{verb}_refused", "ticket", number)

    def ticket(self, p: Principal, number: str) -> dict:
        with self.sessions() as db, db.begin():
            t = self._ticket_for(db, p, number, write=False)
            add_audit(db, p.agent_no, "view", "ticket", t.number)
            return {**ticket_full(t, draft_of(db, t.id, p.user_id)), **self.work.timeline(db, t),
                    "recordings": self._ticket_recordings(db, p, t)}

    def _ticket_recordings(self, db: Session, p: Principal, t: Ticket) -> list[dict]:
        """A ticket's recordings (wire.SAMPLE_RECORDING_ROW): all its legs for a supervisor, an
        agent's own legs, none for a station (recordings are the hotline's)."""
        if p.role is Role.station:
            return []
        rows = self.book.of_ticket(db, t.id)
        return rows if p.role in SUPERVISORS else [r for r in rows if r["agent"] == p.agent_no]

    def autosave(self, p: Principal, number: str, form: TicketForm) -> None:
        """The form as typed, not yet the ticket; one draft per (ticket, agent)."""
        with self.sessions() as db, db.begin():
            t = self._ticket_for(db, p, number, write=True, verb="draft")
            draft = db.scalar(select(TicketDraft).where(TicketDraft.ticket_id == t.id,
                                                        TicketDraft.user_id == p.user_id))
            data = form.model_dump(mode="json")
            if draft is None:
                db.add(TicketDraft(ticket_id=t.id, user_id=p.user_id, form=data, updated_at=self.settings.now()))
            else:
                draft.form, draft.updated_at = data, self.settings.now()
            add_audit(db, p.agent_no, "autosave", "ticket", t.number)

    def drafts(self, p: Principal) -> list[dict]:
        with self.sessions() as db:
            rows = db.execute(select(Ticket, TicketDraft.form).join(TicketDraft, TicketDraft.ticket_id == Ticket.id)
                              .where(TicketDraft.user_id == p.user_id)
                              .options(selectinload(Ticket.account), selectinload(Ticket.station))
                              .order_by(TicketDraft.updated_at.desc()).limit(50)).all()
            return [ticket_full(t, form) for t, form in rows]

    def save(self, p: Principal, number: str, form: TicketForm) -> dict:
        """The agent's form, confirmed by read-back, becomes the ticket: a draft is confirmed (draft →
        new), resolved on the call, or — with `cancel_reason` — withdrawn (住户已自行解决). The moves
        go through the after-call rules (the actor's role, the door, the audit)."""
        cancel = form.cancel_reason.strip()
        if cancel:
            return self._cancel(p, number, cancel)
        missing = [label for ok, label in ((form.confirmed_problem, "问题"), (form.confirmed_address, "地址"),
                                           (form.confirmed_name, "姓名"), (form.confirmed_phone, "电话")) if not ok]
        if missing:
            raise DeskError(422, "请先跟读确认: " + "、".join(missing))
        if form.category is None:
            raise DeskError(422, "请选择问题类型")
        if not form.address.strip():
            raise DeskError(422, "请填写地址")
        callback = self._callback_number(form.callback_number)
        with self.sessions() as db, db.begin():
            t = self._ticket_for(db, p, number, write=True, verb="update")
            before = ticket_full(t)
            if form.account_no:
                acc = db.scalar(select(HeatingAccount).where(HeatingAccount.account_no == form.account_no))
                if acc is None:
                    raise DeskError(422, "没有这个户号")
                t.account_id = acc.id
            if form.station_code:
                st = db.scalar(select(RepairStation).where(RepairStation.code == form.station_code))
                if st is None:
                    raise DeskError(422, "没有这个维修站")
                t.station_id = st.id
            t.category, t.priority = form.category, form.priority
            t.address_snapshot, t.name_snapshot = form.address.strip(), form.name.strip()
            t.callback_number = callback
            t.description = form.notes
            t.confirmed_problem = t.confirmed_address = t.confirmed_name = t.confirmed_phone = True
            db.execute(delete(TicketDraft).where(TicketDraft.ticket_id == t.id, TicketDraft.user_id == p.user_id))
            if t.state is TicketState.draft:
                self.work.settle(db, p.actor, t, TicketState.new)
            if form.resolved:
                self.work.settle(db, p.actor, t, TicketState.resolved, "通话中已解决")
            db.flush()
            after = ticket_full(t)
            changed = {k: after[k] for k in after if after[k] != before.get(k)}
            add_audit(db, p.agent_no, "update", "ticket", t.number, changes=changed)
            return after

    def _cancel(self, p: Principal, number: str, reason: str) -> dict:
        """The repair is not needed after all: the draft is withdrawn with the resident's reason."""
        with self.sessions() as db, db.begin():
            t = self._ticket_for(db, p, number, write=True, verb="update")
            db.execute(delete(TicketDraft).where(TicketDraft.ticket_id == t.id, TicketDraft.user_id == p.user_id))
            self.work.settle(db, p.actor, t, TicketState.cancelled, reason)
            return ticket_full(t)

    def _callback_number(self, typed: str) -> str:
        """The form's 回电号码 as digits ('138 0013 8000', '+86 24 2567 1234', '(024)25671234'); empty
        stays empty; 422 for anything the hotline could not call back (common.phones, with the
        installation's allowed classes) — never junk cut down to a few digits."""
        if not typed.strip():
            return ""
        digits = normalise_phone_query(typed)
        why = refusal(digits, self.settings.outbound_allowed)
        if why == "invalid":
            raise DeskError(422, "回电号码无效: 请填写手机号码或固定电话")
        if why:
            raise DeskError(422, f"回电号码无效: 本热线不能回拨{CLASS_LABELS[why]}")
        return digits

    def new_ticket(self, p: Principal, uniqueid: str) -> dict:
        """A new ticket on a call of this agent: the IVR drafted none (the degraded path), or the
        resident has a second problem. It starts as a draft the agent is assigned to, with the
        caller (and, for a second problem, the first ticket's account and address)."""
        if not UNIQUEID.match(uniqueid):
            raise DeskError(404, "没有这通电话")
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
            if call is None:
                raise DeskError(404, "没有这通电话")
            if not self._call_is_theirs(p, call):
                raise Forbidden("只能为振铃到本座席或本人接听的来电新建报修单", "create_refused", "call", uniqueid)
            first = db.get(Ticket, call.ticket_id) if call.ticket_id else None
            copied = {"account_id": first.account_id, "station_id": first.station_id,
                      "address_snapshot": first.address_snapshot, "name_snapshot": first.name_snapshot} if first else {}
            t = create_ticket(db, self.settings.now(), by=p.user_id, note="座席新建", caller_number=call.caller,
                              callback_number=call.caller if is_valid_callback(call.caller, self.settings.outbound_allowed)
                              else "",
                              assigned_agent_id=p.user_id, **copied)
            if call.ticket_id is None:
                call.ticket_id = t.id      # its recording is linked to this ticket at hang-up
            add_audit(db, p.agent_no, "create", "ticket", t.number, call=uniqueid)
            return ticket_full(t)

    def assign(self, p: Principal, number: str, agent_no: str) -> dict:
        """A team lead hands a ticket to an agent, who may then work on it."""
        self._require(p, *SUPERVISORS)
        with self.sessions() as db, db.begin():
            t = self._ticket_for(db, p, number, write=True, verb="assign")
            agent = db.scalar(select(User).where(User.agent_no == agent_no, User.active.is_(True)))
            if agent is None:
                raise DeskError(422, "没有这个在职工号")
            if agent.role not in CALLERS:     # an assignment is a grant: never to a station's people
                raise DeskError(422, "只能分派给座席或领班")
            t.assigned_agent_id = agent.id
            add_audit(db, p.agent_no, "assign", "ticket", t.number, to=agent.agent_no)
            return {"number": t.number, "assigned_to": agent.agent_no}

    # ------------------------------------------------------------ audio --
    def _audio_file(self, stored: str):
        """A stored audio path only if it is a .wav (or a recording's .ogg) inside the recordings or
        voice directories (symlinks resolved): a path in the database is never trusted."""
        s = self.settings
        path = confined(stored, (s.recordings_dir, s.voice_dir), suffix=storage.RECORDING_SUFFIXES)
        if path is None:
            log.warning("refused to serve audio outside the recordings/voice directories: %r", stored[:200])
            raise DeskError(404, "录音文件不存在")
        return path

    def voice_file(self, p: Principal, number: str):
        with self.sessions() as db, db.begin():
            t = self._ticket_for(db, p, number, write=True, verb="play")
            if not t.voice_path:
                raise DeskError(404, "这张报修单没有语音描述")
            add_audit(db, p.agent_no, "play", "voice", t.number)
            stored = t.voice_path
        return self._audio_file(stored)

    def recordings(self, p: Principal, **filters) -> list[dict]:
        """Recordings found by wire.RECORDING_FILTERS (hotline.aftercall.recordings): a supervisor's
        search all, an agent's their own legs, a station none (refused)."""
        return self.book.find(p.actor, **filters)

    def recording_file(self, p: Principal, raw_id: str):
        if not RECORDING_ID.match(raw_id):
            raise DeskError(404, "没有这段录音")
        rid = int(raw_id)
        with self.sessions() as db, db.begin():
            r = db.get(Recording, rid)
            if r is None or r.deleted_at is not None:
                raise DeskError(404, "没有这段录音")
            # a colleague's recording handed to this agent to listen to today (录音由大家共同检查)
            if p.role not in SUPERVISORS and r.agent_id != p.user_id and not (
                    self.qa is not None and p.role is Role.agent and self.qa.may_listen(db, p.user_id, rid)):
                raise Forbidden("只能回放自己的录音", "play_refused", "recording", rid)
            add_audit(db, p.agent_no, "play", "recording", rid)
            stored = r.path
        return self._audio_file(stored)
