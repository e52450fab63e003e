"""Stations told on dispatch, by phone (#30): which dispatched repairs the station dialer calls, when,
and what the end of each attempt means. Protocol-free like the rest of the after-call work: the
service (hotline.service.station_line) sends the Originate over its AMI gateway and hears over
FastAGI (ivr/station.py) what Asterisk and the station did; every fact lands in `station_call` rows.

A dispatch (the one owner of ticket moves, hotline.aftercall.lifecycle.TicketWork.settle) writes the
request in its own transaction: `requested`, due at once. The dialer places it (`placed`: its attempt
counted, a fresh random ref on the channel), the station's duty phone rings through the trunk — only a
number the one number policy lets through (common.phones.refusal + Settings.outbound_allowed; any
other is `refused`: logged masked, audited, never dialled) — and once answered (`answered`) the call
reads the ticket number, the problem, the priority and the address, then "接单请按1,重听请按2". 1 moves
the ticket to accepted through TicketWork as the station (its code in the audit, via phone):
`accepted`. Busy, no answer, a call that rang out or was answered and never keyed 1, a lost report:
tried again `retry_min` later while the ticket is still dispatched, at most `max_attempts` times in
all; then the dialer gives up (audited `station_call_gave_up`) and the station-late anomaly timer
(hotline.aftercall.anomalies) stands as for any dispatch. A ticket that moved on meanwhile (accepted on
the desk, recalled, cancelled) ends its request `moot`, never called.

A station's duty phone is one line: one call at a time per station, the others wait their turn.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload, sessionmaker

from common.phones import mask_phone, normalise_caller_id, refusal
from common.wire import PRIORITY_EMERGENCY, PRIORITY_URGENT
from db.call_tokens import REF, STATION, attempt_ref, issue as issue_token
from db.models import RepairStation, Role, StationCall, Ticket, TicketState
from db.queries import iso
from hotline.aftercall.rules import Actor, Refused, RuleError, add_audit, ticket_by_number

REQUESTED, PLACED, ANSWERED = "requested", "placed", "answered"
BUSY, NO_ANSWER, FAILED = "busy", "no_answer", "failed"
ACCEPTED, REFUSED, MOOT = "accepted", "refused", "moot"
#: a dispatch's request while calls on dispatch are off (Settings.station_call_attempts 0): not called
OFF = "off"
ON_THE_LINE = (PLACED, ANSWERED)
#: an attempt that ended this way is tried again (while attempts are left and the ticket waits)
RETRIED = (BUSY, NO_ANSWER, FAILED)
#: Dial()'s DIALSTATUS when the station's phone did not answer → the attempt's outcome
DIALSTATUS_OUTCOMES = {"BUSY": BUSY, "NOANSWER": NO_ANSWER, "CANCEL": NO_ANSWER,
                       "CHANUNAVAIL": FAILED, "CONGESTION": FAILED}
#: what [station-dial] reports instead of dialling a number its classes refuse
DIALPLAN_REFUSED = "REFUSED"
#: a placed attempt is answered or reported within the ring time and this margin, else it was lost
PLACED_MARGIN_S = 60
#: an answered station call is over well within this (the briefing read a few times): later, lost
ANSWERED_MAX_S = 300
#: the PostgreSQL advisory lock that keeps the nodes' station-dialer rounds apart
DIALER_LOCK = 30_0001
#: a dispatch's webhook (Settings.station_webhook_url) is tried this many times, within this long
WEBHOOK_ATTEMPTS = 6
WEBHOOK_WITHIN = timedelta(hours=6)
#: the dialer's own name in the audit trail
SYSTEM = "ivr"
#: how the call (and the webhook) names a problem and a priority
CATEGORY_WORDS = {"no_heat": "暖气不热", "leak": "漏水", "noise": "噪音或异响", "other": "其他问题"}
PRIORITY_WORDS = {PRIORITY_EMERGENCY: "紧急", PRIORITY_URGENT: "加急"}


@dataclass(frozen=True)
class StationCallPolicy:
    """Settings.station_call_*, outbound_ring_s and outbound_allowed, checked."""
    #: tries per request; 0: nobody is called on dispatch (a request asked for by hand is tried once)
    attempts: int = 3
    retry_min: int = 5
    ring_s: int = 30
    allowed: frozenset[str] = frozenset()

    @property
    def on_dispatch(self) -> bool:
        return self.attempts > 0

    @property
    def max_attempts(self) -> int:
        return max(1, self.attempts)


def station_call_policy(settings) -> StationCallPolicy:
    """The policy of these settings; ValueError naming the setting for a bad value."""
    attempts, retry = int(settings.station_call_attempts), int(settings.station_call_retry_min)
    if not 0 <= attempts <= 20:
        raise ValueError(f"HOTLINE_STATION_CALL_ATTEMPTS should be 0–20 (0: no call on dispatch), not {attempts}")
    if not 1 <= retry <= 24 * 60:
        raise ValueError(f"HOTLINE_STATION_CALL_RETRY_MIN should be 1–1440 minutes, not {retry}")
    return StationCallPolicy(attempts, retry, max(5, int(settings.outbound_ring_s)), settings.outbound_allowed)


def station_number(station: RepairStation | None, allowed=frozenset()) -> tuple[str, str]:
    """(the duty phone as digits, why it may not be dialled: '' when it may)."""
    number = normalise_caller_id(station.phone if station is not None else "")
    return number, refusal(number, allowed) if number else "invalid"


def priority_words(priority: int) -> str:
    return next((w for p, w in sorted(PRIORITY_WORDS.items(), reverse=True) if priority >= p), "普通")


def briefing(t: Ticket) -> str:
    """What the call reads after the ticket's number (rendered to one file per call, TTS): the
    problem, the priority and the address — no name, no phone number."""
    category = CATEGORY_WORDS.get(t.category.value if t.category else "", "未分类")
    return f"问题:{category}。优先级:{priority_words(t.priority or 0)}。地址:{t.address_snapshot or '未登记'}。"


def call_fields(row: StationCall, station_code: str | None) -> dict:
    """A station call as every view shows it: which station, how it went, how often it rang, the next
    try while one is due (wire.SAMPLE_STATION_CALL without the ticket's fields)."""
    return {"call": row.id, "station": station_code, "outcome": row.outcome, "attempts": row.attempts,
            "at": iso(row.at), "answered_at": iso(row.answered_at), "next_at": iso(row.next_at),
            "ended_at": iso(row.ended_at)}


def calls_of(db: Session, ticket_id: int) -> list[dict]:
    """A ticket's station calls, oldest first, each with the station it called (a ticket dispatched
    again has called more than one): its timeline's station_calls (wire.SAMPLE_TIMELINE)."""
    rows = db.execute(select(StationCall, RepairStation.code)
                      .outerjoin(RepairStation, RepairStation.id == StationCall.station_id)
                      .where(StationCall.ticket_id == ticket_id).order_by(StationCall.id)).all()
    return [call_fields(c, code) for c, code in rows]


def request_in(db: Session, t: Ticket, now: datetime, by: str, manual: bool = False) -> StationCall:
    """In the dispatch's own transaction: the station of `t` is to be called now (the dialer decides
    whether calls on dispatch are on; the webhook, when configured, is sent for it either way). An
    earlier request of the ticket still open (a dispatch recalled and sent again) ends `moot`."""
    for old in db.scalars(select(StationCall).where(StationCall.ticket_id == t.id, StationCall.ended_at.is_(None))):
        old.outcome, old.ended_at, old.next_at = MOOT, now, None
    row = StationCall(ticket_id=t.id, station_id=t.station_id, at=now, by=str(by)[:64], attempts=0,
                      outcome=REQUESTED, next_at=now, uniqueid="", manual=manual, webhook_tries=0)
    db.add(row)
    db.flush()
    return row


@dataclass(frozen=True)
class Placement:
    """A call the service is to originate now: `ref` names it on the channel and in AMI
    (Local/<ref>@station-dial), `token` goes into the Originate's variables (only its hash is kept);
    `text` is the briefing to render for it (its file named by `call` alone)."""
    call: int
    ticket: str
    station: str
    ref: str
    text: str = ""
    token: str = field(repr=False, default="")


@dataclass(frozen=True)
class StationTarget:
    """What the station's call needs once answered."""
    call: int
    ticket: str
    station: str


@dataclass(frozen=True)
class StationEnd:
    """How an attempt (or a request) ended: `retry_at` the next try; `gave_up` when the dialer lets
    it go unaccepted; `shown` the ticket as the lists show it when it moved (accepted)."""
    call: int
    ticket: str
    station: str
    outcome: str
    retry_at: datetime | None
    gave_up: bool = False
    shown: dict | None = None


class StationDialer:
    """The station dialer's rules, one transaction per method. `work` is the one owner of ticket moves
    (hotline.aftercall.lifecycle.TicketWork): the station's 接单 goes through its `settle`."""

    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime], policy: StationCallPolicy,
                 work=None):
        self.sessions, self.now, self.policy, self.work = sessions, now, policy, work

    # ------------------------------------------------------ the timer loop --
    def next_calls(self) -> tuple[list[Placement], list[StationEnd]]:
        """What to originate now (due requests and retries, the oldest first; one call at a time per
        station), each `placed` here with its attempt counted. Also returns the requests this round
        ended: lost attempts, tickets that moved on, numbers the policy refuses."""
        now = self.now()
        ended: list[StationEnd] = []
        placed: list[Placement] = []
        with self.sessions() as db, db.begin():
            if db.get_bind().dialect.name == "postgresql":
                db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DIALER_LOCK})
            ended += self._sweep(db, now)
            busy = set(db.scalars(select(StationCall.station_id).where(
                StationCall.ended_at.is_(None), StationCall.outcome.in_(ON_THE_LINE))))
            due = db.scalars(select(StationCall).where(
                StationCall.ended_at.is_(None), StationCall.outcome.not_in(ON_THE_LINE), StationCall.next_at <= now)
                .order_by(StationCall.next_at, StationCall.id)).all()
            for row in due:
                t = self._ticket(db, row)
                if not self._waiting(t, row):
                    ended.append(self._finish(db, row, t, MOOT, now))
                    continue
                if not row.manual and row.attempts == 0 and not self.policy.on_dispatch:
                    ended.append(self._finish(db, row, t, OFF, now))
                    continue
                number, why = station_number(t.station, self.policy.allowed)
                if why:
                    ended.append(self._refused(db, row, t, number, why, now))
                    continue
                if row.station_id in busy:      # the duty phone is on another call: its turn comes
                    continue
                busy.add(row.station_id)
                row.outcome, row.placed_at, row.next_at = PLACED, now, None
                row.attempts += 1
                row.ref, row.uniqueid, row.answered_at = attempt_ref(), "", None
                placed.append(Placement(row.id, t.number, t.station.code, row.ref, briefing(t),
                                        issue_token(db, STATION, row.ref, now, ticket=t.number)))
        return placed, ended

    def _sweep(self, db: Session, now: datetime) -> list[StationEnd]:
        """Attempts whose report never came: placed and neither answered nor reported within the ring
        time and a margin (failed), answered and never ended (no_answer) — both tried again."""
        lost = []
        placed_by = now - timedelta(seconds=self.policy.ring_s + PLACED_MARGIN_S)
        answered_by = now - timedelta(seconds=ANSWERED_MAX_S)
        for row in db.scalars(select(StationCall).where(StationCall.ended_at.is_(None),
                                                        StationCall.outcome.in_(ON_THE_LINE))).all():
            if row.outcome == PLACED and row.placed_at and row.placed_at < placed_by:
                lost.append(self._finish(db, row, self._ticket(db, row), FAILED, now))
            elif row.outcome == ANSWERED and row.answered_at and row.answered_at < answered_by:
                lost.append(self._finish(db, row, self._ticket(db, row), NO_ANSWER, now))
        return lost

    @staticmethod
    def _ticket(db: Session, row: StationCall) -> Ticket:
        return db.scalar(select(Ticket).where(Ticket.id == row.ticket_id).options(selectinload(Ticket.station)))

    @staticmethod
    def _waiting(t: Ticket, row: StationCall) -> bool:
        """The ticket still waits for this station to accept it."""
        return t.state is TicketState.dispatched and t.station_id is not None and t.station_id == row.station_id

    def _refused(self, db: Session, row: StationCall, t: Ticket, number: str, why: str, now: datetime) -> StationEnd:
        """A duty phone the one number policy refuses: never dialled; logged (masked) by the service,
        audited here with the class it is."""
        add_audit(db, SYSTEM, "station_call_refused", "ticket", t.number,
                  station=t.station.code if t.station else None, number=mask_phone(number), why=why)
        return self._finish(db, row, t, REFUSED, now)

    def _finish(self, db: Session, row: StationCall, t: Ticket, outcome: str, now: datetime,
                shown: dict | None = None) -> StationEnd:
        """The attempt's end: tried again later (busy, no answer, failed, while attempts are left and
        the ticket still waits), or the request is over — given up when unaccepted. Audited."""
        row.outcome = outcome
        station = t.station.code if t.station else ""
        if outcome in RETRIED and row.attempts < self.policy.max_attempts and self._waiting(t, row):
            row.next_at = now + timedelta(minutes=self.policy.retry_min)
        else:
            row.next_at, row.ended_at = None, now
        gave_up = row.ended_at is not None and outcome in RETRIED
        if gave_up:
            add_audit(db, SYSTEM, "station_call_gave_up", "ticket", t.number, station=station,
                      attempts=row.attempts, outcome=outcome)
        add_audit(db, SYSTEM, "station_call", "ticket", t.number, call=row.id, station=station, outcome=outcome,
                  attempts=row.attempts, next_at=iso(row.next_at))
        return StationEnd(row.id, t.number, station, outcome, row.next_at, gave_up, shown)

    # ------------------------------------------ a request by hand (CLI, desk) --
    def request(self, number: str, by: str, actor: Actor | None = None) -> dict:
        """`hotline stations notify N` / POST STATION_NOTIFY: the ticket's station is called now (an
        open request is moved up; a fresh one otherwise, `max_attempts` tries). Refused (RuleError)
        for an unknown ticket, one not waiting for its station (not dispatched), a station without a
        number the hotline may dial, one being called right now. `actor` (the API's): team leads, the
        head and admins only (Refused, audited); None: the admin's CLI."""
        if actor is not None and not actor.supervises:
            raise Refused("电话通知维修站由领班操作", "station_notify_refused", "ticket", str(number)[:20])
        now = self.now()
        with self.sessions() as db, db.begin():
            t = ticket_by_number(db, number, selectinload(Ticket.station))
            if t.state is not TicketState.dispatched or t.station is None:
                raise RuleError(409, f"报修单 {t.number} 不在等待维修站接单(状态 {t.state.value}),无需电话通知")
            phone, why = station_number(t.station, self.policy.allowed)
            if why:
                add_audit(db, SYSTEM, "station_call_refused", "ticket", t.number, station=t.station.code,
                          number=mask_phone(phone), why=why, by=str(by)[:64])
                raise RuleError(422, f"{t.station.name}的值班电话不能拨打({why}),请核对维修站电话")
            row = db.scalar(select(StationCall).where(StationCall.ticket_id == t.id, StationCall.ended_at.is_(None))
                            .order_by(StationCall.id.desc()).limit(1))
            if row is not None and row.outcome in ON_THE_LINE:
                raise RuleError(409, f"正在电话通知{t.station.name}(报修单 {t.number})")
            if row is None or row.station_id != t.station_id:
                row = request_in(db, t, now, by, manual=True)
            else:
                row.next_at, row.manual = now, True
                row.attempts = min(row.attempts, self.policy.max_attempts - 1)     # this call is one more try
            add_audit(db, str(by)[:64], "station_notify", "ticket", t.number, call=row.id, station=t.station.code)
            return self._shown(row, t)

    def call(self, call_id: int) -> dict | None:
        """One request as the CLI and the API show it (wire.SAMPLE_STATION_CALL)."""
        with self.sessions() as db:
            row = db.get(StationCall, call_id) if 0 < int(call_id) < 2**62 else None
            return None if row is None else self._shown(row, self._ticket(db, row))

    @staticmethod
    def _shown(row: StationCall, t: Ticket) -> dict:
        return {**call_fields(row, t.station.code if t.station else None), "ticket": t.number,
                "ticket_state": t.state.value}

    # ------------------------------------------ what Asterisk and the flow report --
    def _by_ref(self, db: Session, ref: str, *outcomes: str) -> StationCall | None:
        ref = str(ref or "")
        row = db.scalar(select(StationCall).where(StationCall.ref == ref)) if REF.fullmatch(ref) else None
        return row if row is not None and row.ended_at is None and row.outcome in outcomes else None

    def number_for(self, ref: str) -> tuple[str, StationEnd | None]:
        """The number the placed attempt dials ([station-dial] asks; never over AMI): the station's
        duty phone, checked against the policy again (it may have changed since placing)."""
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, PLACED)
            if row is None:
                return "", None
            t = self._ticket(db, row)
            if not self._waiting(t, row):
                return "", self._finish(db, row, t, MOOT, self.now())
            number, why = station_number(t.station, self.policy.allowed)
            if why:
                return "", self._refused(db, row, t, number, why, self.now())
            return number, None

    def dial_failed(self, ref: str, dialstatus: str) -> StationEnd | None:
        """Dial() came back unanswered (BUSY, NOANSWER, …: tried again per policy), or the dialplan's
        number classes refused the number (REFUSED: never tried again)."""
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, PLACED)
            if row is None:
                return None
            status = (dialstatus or "").strip().upper()
            t = self._ticket(db, row)
            if status == DIALPLAN_REFUSED:
                number, _why = station_number(t.station, self.policy.allowed)
                return self._refused(db, row, t, number, "dialplan", self.now())
            return self._finish(db, row, t, DIALSTATUS_OUTCOMES.get(status, FAILED), self.now())

    def answered(self, ref: str, uniqueid: str) -> StationTarget | None:
        """The duty phone picked up: the attempt is answered. None: no such placed attempt, or the
        ticket does not wait for this station any more (its request ends moot)."""
        now = self.now()
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, PLACED)
            if row is None:
                return None
            t = self._ticket(db, row)
            row.outcome, row.answered_at, row.uniqueid = ANSWERED, now, str(uniqueid or "")[:64]
            if not self._waiting(t, row):
                self._finish(db, row, t, MOOT, now)
                return None
            return StationTarget(row.id, t.number, t.station.code)

    def accept(self, ref: str) -> StationEnd | None:
        """1 on the answered call: the ticket → accepted through the one owner of ticket moves, as the
        station (its code in the audit, via phone). A ticket accepted meanwhile (the desk) ends moot."""
        now = self.now()
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, ANSWERED)
            if row is None:
                return None
            t = self.work._load(db, db.get(Ticket, row.ticket_id).number)
            if not self._waiting(t, row):
                return self._finish(db, row, t, MOOT, now)
            station = t.station
            actor = Actor(None, station.code, Role.station, station.id)
            try:
                self.work.settle(db, actor, t, TicketState.accepted, f"{station.name}电话接单", via="phone")
            except RuleError:      # the graph or the role said no: nothing moved
                return self._finish(db, row, t, MOOT, now)
            row.answered_at = row.answered_at or now
            return self._finish(db, row, t, ACCEPTED, now, shown=self.work._moved(db, t))

    def ended(self, ref: str, outcome: str = NO_ANSWER) -> StationEnd | None:
        """The answered call is over without 1 (hung up, no key after the tries): tried again per
        policy. Idempotent: an attempt already ended is left alone."""
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, ANSWERED)
            if row is None:
                return None
            return self._finish(db, row, self._ticket(db, row), outcome, self.now())

    # ------------------------------------------------------------ the webhook --
    def webhooks_due(self, most: int = 20) -> list[tuple[int, dict]]:
        """Dispatches whose webhook has not been taken yet (tries left, recent): (call id, the body)."""
        now = self.now()
        with self.sessions() as db:
            rows = db.scalars(select(StationCall).where(
                StationCall.manual.is_(False), StationCall.webhook_at.is_(None),
                StationCall.webhook_tries < WEBHOOK_ATTEMPTS, StationCall.at > now - WEBHOOK_WITHIN)
                .order_by(StationCall.id).limit(most)).all()
            return [(row.id, webhook_body(self._ticket(db, row), row)) for row in rows]

    def webhook_tried(self, call_id: int, taken: bool, status: str = "") -> None:
        """One POST of a dispatch's webhook: taken (2xx) or one try spent (the last one audited)."""
        now = self.now()
        with self.sessions() as db, db.begin():
            row = db.get(StationCall, call_id)
            if row is None:
                return
            row.webhook_tries += 1
            if taken:
                row.webhook_at = now
            number = db.get(Ticket, row.ticket_id).number
            if taken or row.webhook_tries >= WEBHOOK_ATTEMPTS:
                add_audit(db, SYSTEM, "station_webhook", "ticket", number, call=row.id, taken=taken,
                          tries=row.webhook_tries, status=str(status)[:64] or None)

    @staticmethod
    def describe(end: StationEnd) -> str:
        """One log line (no phone number in it)."""
        nxt = f"next try {end.retry_at:%Y-%m-%d %H:%M}" if end.retry_at else \
            ("given up: the station-late timer stands" if end.gave_up else "finished")
        return f"station call {end.call} ({end.station}) for ticket {end.ticket}: {end.outcome}, {nxt}"


def webhook_body(t: Ticket, row: StationCall) -> dict:
    """What the webhook tells a gateway (an SMS, 企业微信): the ticket's number, station, problem, priority
    and address; the resident's number masked only (wire.SAMPLE_STATION_WEBHOOK)."""
    category = t.category.value if t.category else None
    return {"event": "dispatched", "ticket": t.number, "dispatched_at": iso(row.at),
            "station": {"code": t.station.code, "name": t.station.name} if t.station else None,
            "category": category, "problem": CATEGORY_WORDS.get(category or "", "未分类"),
            "priority": t.priority or 0, "priority_words": priority_words(t.priority or 0),
            "address": t.address_snapshot or "", "caller": mask_phone(t.callback_number or t.caller_number or "")}
