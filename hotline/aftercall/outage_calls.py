"""The 供热已恢复 call-back of an outage's affected callers (区域停热, #30): which booked calls the outage
dialer places, when, how many at once, and what the end of each attempt means. Protocol-free like the
rest of the after-call work (a sibling of hotline.aftercall.station_calls): the service
(hotline.service.outage_line) sends the Originate over its AMI gateway and hears over FastAGI
(ivr/outage_call.py) what Asterisk and the resident did; every fact lands in the caller's
`outage_caller` row (its callback_* columns).

Ending an outage with the call-back (hotline.aftercall.outages.OutageBoard.end) books each affected
number once: `requested`, due at once — or `refused` when the one number policy (common.phones.refusal +
Settings.outbound_allowed) does not let the hotline dial it. The dialer places what is due (`placed`:
its attempt counted, a fresh random ref on the channel), only within the calling hours
(Settings.survey_hours: no resident is rung at 3 a.m.; a booking waits for the morning) and at most
Settings.survey_concurrency calls at once, one at a time per number; the number is checked against the
policy again as it is placed and as it is dialled. Once the resident answers (`answered`) the call
plays 供热已恢复…如仍不热请拨打热线报修 and hangs up: `reached` (a resident who hangs up while it plays
was reached too). Busy, no answer, unreachable, a lost report: tried again `retry_min` later, at most
`attempts` times in all; then given up (audited `outage_call_gave_up`). Outage calls off
(Settings.outage_call_attempts 0): a booking ends `off`, never dialled.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from common.phones import mask_phone, normalise_caller_id, refusal
from db.call_tokens import OUTAGE, REF, attempt_ref, issue as issue_token
from db.models import OutageCaller
from db.queries import iso
from hotline.aftercall.rules import add_audit
from hotline.aftercall.survey_calls import survey_policy

REQUESTED, PLACED, ANSWERED, REACHED = "requested", "placed", "answered", "reached"
BUSY, NO_ANSWER, FAILED, REFUSED, OFF = "busy", "no_answer", "failed", "refused", "off"
ON_THE_LINE = (PLACED, ANSWERED)
#: an attempt that ended this way is tried again (while attempts are left)
RETRIED = (BUSY, NO_ANSWER, FAILED)
#: Dial()'s DIALSTATUS when the resident's phone did not answer → the attempt's outcome
DIALSTATUS_OUTCOMES = {"BUSY": BUSY, "NOANSWER": NO_ANSWER, "CANCEL": NO_ANSWER,
                       "CHANUNAVAIL": FAILED, "CONGESTION": FAILED}
#: what [outage-dial] reports instead of dialling a number its classes refuse
DIALPLAN_REFUSED = "REFUSED"
#: a placed attempt is answered or reported within the ring time and this margin, else it was lost
PLACED_MARGIN_S = 60
#: an answered call is over well within this (one prompt of some ten seconds): later, its end was lost
ANSWERED_MAX_S = 180
#: the PostgreSQL advisory lock that keeps the nodes' outage-dialer rounds apart
DIALER_LOCK = 30_0002
#: the dialer's own name in the audit trail
SYSTEM = "ivr"
#: how the CLI names each state of a call-back
OUTCOME_WORDS = {REQUESTED: "待拨", PLACED: "拨号中", ANSWERED: "通话中", REACHED: "已接通", BUSY: "占线",
                 NO_ANSWER: "无人接听", FAILED: "未接通", REFUSED: "号码不可拨打", OFF: "未开启回电"}


@dataclass(frozen=True)
class OutageCallPolicy:
    """Settings.outage_call_*, survey_hours, survey_concurrency, outbound_ring_s and outbound_allowed."""
    #: tries per booked number; 0: nobody is called (the bookings end off)
    attempts: int = 2
    retry_min: int = 30
    start: time = time(9, 0)
    end: time = time(20, 0)
    concurrency: int = 4
    ring_s: int = 30
    allowed: frozenset[str] = frozenset()

    @property
    def on(self) -> bool:
        return self.attempts > 0

    def in_hours(self, now: datetime) -> bool:
        return self.start <= now.time() < self.end


def outage_call_policy(settings) -> OutageCallPolicy:
    """The policy of these settings; ValueError naming the setting for a bad value (the calling hours
    and the concurrency are the automated 回访's: checked by its policy)."""
    attempts, retry = int(settings.outage_call_attempts), int(settings.outage_call_retry_min)
    if not 0 <= attempts <= 10:
        raise ValueError(f"HOTLINE_OUTAGE_CALL_ATTEMPTS should be 0–10 (0: no 供热已恢复 call), not {attempts}")
    if not 1 <= retry <= 24 * 60:
        raise ValueError(f"HOTLINE_OUTAGE_CALL_RETRY_MIN should be 1–1440 minutes, not {retry}")
    hours = survey_policy(settings)
    return OutageCallPolicy(attempts, retry, hours.start, hours.end, hours.concurrency,
                            max(5, int(settings.outbound_ring_s)), settings.outbound_allowed)


def callable_number(row: OutageCaller, allowed=frozenset()) -> tuple[str, str]:
    """(the caller's number as digits, why it may not be dialled: '' when it may)."""
    number = normalise_caller_id(row.caller or "")
    return number, refusal(number, allowed) if number else "invalid"


#: an outage's call-backs when none was booked
NO_CALL_BACKS = {"requested": 0, "reached": 0, "failed": 0, "pending": 0, "refused": 0}


def call_back_counts(db: Session, ids) -> dict[int, dict]:
    """{outage id: its call-backs — requested (booked to be dialled), reached, failed (over, not reached:
    given up, calls off), pending (still to call or on the line), refused (the number policy)}."""
    ids = list(ids)
    out = {i: dict(NO_CALL_BACKS) for i in ids}
    if not ids:
        return out
    rows = db.execute(select(OutageCaller.outage_id, OutageCaller.callback_state,
                             OutageCaller.callback_ended_at.is_(None), func.count(OutageCaller.id))
                      .where(OutageCaller.outage_id.in_(ids), OutageCaller.callback_state.is_not(None))
                      .group_by(OutageCaller.outage_id, OutageCaller.callback_state,
                                OutageCaller.callback_ended_at.is_(None))).all()
    for oid, state, open_, n in rows:
        c = out[oid]
        if state == REFUSED:
            c["refused"] += n
            continue
        c["requested"] += n
        c["reached" if state == REACHED else "pending" if open_ else "failed"] += n
    return out


def caller_dict(r: OutageCaller) -> dict:
    """An affected caller as `hotline outage callers` shows it: the number masked, the call-back's state."""
    return {"caller": mask_phone(r.caller), "account_no": r.account_no, "at": iso(r.at),
            "callback": r.callback_state, "callback_attempts": r.callback_attempts or 0,
            "callback_next_at": iso(r.callback_next_at) if r.callback_ended_at is None else None,
            "callback_answered_at": iso(r.callback_answered_at), "callback_ended_at": iso(r.callback_ended_at)}


@dataclass(frozen=True)
class Placement:
    """A call the service is to originate now: `ref` names it on the channel and in AMI
    (Local/<ref>@outage-dial), `token` goes into the Originate's variables (only its hash is kept)."""
    call: int
    outage: int
    ref: str
    token: str = field(repr=False, default="")


@dataclass(frozen=True)
class OutageCallTarget:
    """What the call needs once answered."""
    call: int
    outage: int


@dataclass(frozen=True)
class OutageCallEnd:
    """How an attempt (or a booking) ended: `retry_at` the next try; `gave_up` when the dialer lets it go."""
    call: int
    outage: int
    outcome: str
    attempts: int
    retry_at: datetime | None
    gave_up: bool = False


class OutageDialer:
    """The outage dialer's rules, one transaction per method."""

    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime], policy: OutageCallPolicy):
        self.sessions, self.now, self.policy = sessions, now, policy

    # ------------------------------------------------------ the timer loop --
    def next_calls(self) -> tuple[list[Placement], list[OutageCallEnd]]:
        """What to originate now (due bookings and retries, the oldest first), within the calling hours
        and the free lines, one call at a time per number; each is `placed` here with its attempt
        counted. Also returns what this round ended: lost attempts, numbers the policy refuses, bookings
        while calls are off."""
        now, p = self.now(), self.policy
        ended: list[OutageCallEnd] = []
        placed: list[Placement] = []
        with self.sessions() as db, db.begin():
            if db.get_bind().dialect.name == "postgresql":
                db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DIALER_LOCK})
            ended += self._sweep(db, now)
            due = db.scalars(select(OutageCaller).where(
                OutageCaller.callback_ended_at.is_(None), OutageCaller.callback_state.is_not(None),
                OutageCaller.callback_state.not_in(ON_THE_LINE), OutageCaller.callback_next_at <= now)
                .order_by(OutageCaller.callback_next_at, OutageCaller.id)).all()
            if not p.on:
                return [], ended + [self._finish(db, row, OFF, now) for row in due]
            if not p.in_hours(now) or not due:      # no resident is rung outside the calling hours
                return [], ended
            lines = db.scalars(select(OutageCaller.caller).where(
                OutageCaller.callback_ended_at.is_(None), OutageCaller.callback_state.in_(ON_THE_LINE))).all()
            free, busy = p.concurrency - len(lines), set(lines)
            for row in due:
                number, why = callable_number(row, p.allowed)
                if why:
                    ended.append(self._refused(db, row, number, why, now))
                    continue
                if free <= 0:
                    break
                if row.caller in busy:       # the same number on another call-back now: its turn comes
                    continue
                busy.add(row.caller)
                free -= 1
                row.callback_state, row.callback_placed_at, row.callback_next_at = PLACED, now, None
                row.callback_attempts = (row.callback_attempts or 0) + 1
                row.callback_ref, row.callback_answered_at = attempt_ref(), None
                placed.append(Placement(row.id, row.outage_id, row.callback_ref,
                                        issue_token(db, OUTAGE, row.callback_ref, now)))
        return placed, ended

    def _sweep(self, db: Session, now: datetime) -> list[OutageCallEnd]:
        """Attempts whose report never came: placed and neither answered nor reported within the ring
        time and a margin (failed: tried again), answered and never ended (the prompt was on: reached)."""
        lost = []
        placed_by = now - timedelta(seconds=self.policy.ring_s + PLACED_MARGIN_S)
        answered_by = now - timedelta(seconds=ANSWERED_MAX_S)
        for row in db.scalars(select(OutageCaller).where(OutageCaller.callback_ended_at.is_(None),
                                                         OutageCaller.callback_state.in_(ON_THE_LINE))).all():
            if row.callback_state == PLACED and row.callback_placed_at and row.callback_placed_at < placed_by:
                lost.append(self._finish(db, row, FAILED, now))
            elif row.callback_state == ANSWERED and row.callback_answered_at and row.callback_answered_at < answered_by:
                lost.append(self._finish(db, row, REACHED, now))
        return lost

    def _refused(self, db: Session, row: OutageCaller, number: str, why: str, now: datetime) -> OutageCallEnd:
        """A number the one number policy refuses: never dialled; audited with the class it is."""
        add_audit(db, SYSTEM, "outage_call_refused", "outage", str(row.outage_id), call=row.id,
                  number=mask_phone(number), why=why)
        row.callback_note = str(why)[:64]
        return self._finish(db, row, REFUSED, now)

    def _finish(self, db: Session, row: OutageCaller, outcome: str, now: datetime) -> OutageCallEnd:
        """The attempt's end: tried again later (busy, no answer, failed, while attempts are left), or the
        call-back is over — given up when not reached. Audited."""
        row.callback_state = outcome
        if outcome in RETRIED and (row.callback_attempts or 0) < self.policy.attempts:
            row.callback_next_at = now + timedelta(minutes=self.policy.retry_min)
        else:
            row.callback_next_at, row.callback_ended_at = None, now
        gave_up = row.callback_ended_at is not None and outcome in RETRIED
        if gave_up:
            add_audit(db, SYSTEM, "outage_call_gave_up", "outage", str(row.outage_id), call=row.id,
                      attempts=row.callback_attempts, outcome=outcome)
        add_audit(db, SYSTEM, "outage_call", "outage", str(row.outage_id), call=row.id, outcome=outcome,
                  attempts=row.callback_attempts, next_at=iso(row.callback_next_at))
        return OutageCallEnd(row.id, row.outage_id, outcome, row.callback_attempts or 0, row.callback_next_at,
                             gave_up)

    # ------------------------------------------ what Asterisk and the flow report --
    @staticmethod
    def _by_ref(db: Session, ref: str, *states: str) -> OutageCaller | None:
        ref = str(ref or "")
        row = db.scalar(select(OutageCaller).where(OutageCaller.callback_ref == ref)) if REF.fullmatch(ref) else None
        return row if row is not None and row.callback_ended_at is None and row.callback_state in states else None

    def number_for(self, ref: str) -> tuple[str, OutageCallEnd | None]:
        """The number the placed attempt dials ([outage-dial] asks; never over AMI): the caller's,
        checked against the policy again."""
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, PLACED)
            if row is None:
                return "", None
            number, why = callable_number(row, self.policy.allowed)
            if why:
                return "", self._refused(db, row, number, why, self.now())
            return number, None

    def dial_failed(self, ref: str, dialstatus: str) -> OutageCallEnd | None:
        """Dial() came back unanswered (BUSY, NOANSWER, …: tried again per policy), or the dialplan's
        number classes refused the number (REFUSED: never tried again)."""
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, PLACED)
            if row is None:
                return None
            status = (dialstatus or "").strip().upper()
            if status == DIALPLAN_REFUSED:
                number, _why = callable_number(row, self.policy.allowed)
                return self._refused(db, row, number, "dialplan", self.now())
            return self._finish(db, row, DIALSTATUS_OUTCOMES.get(status, FAILED), self.now())

    def answered(self, ref: str) -> OutageCallTarget | None:
        """The resident picked up: the attempt is answered. None: no such placed attempt."""
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, PLACED)
            if row is None:
                return None
            row.callback_state, row.callback_answered_at = ANSWERED, self.now()
            return OutageCallTarget(row.id, row.outage_id)

    def reached(self, ref: str) -> OutageCallEnd | None:
        """The answered call is over — the prompt played, or the resident hung up while it played: the
        call-back reached them. Idempotent: an attempt already ended is left alone."""
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, ANSWERED)
            return None if row is None else self._finish(db, row, REACHED, self.now())

    def call(self, call_id: int) -> dict | None:
        """One affected caller's call-back as the CLI shows it."""
        with self.sessions() as db:
            row = db.get(OutageCaller, call_id) if 0 < int(call_id) < 2**62 else None
            return None if row is None else caller_dict(row)

    @staticmethod
    def describe(end: OutageCallEnd) -> str:
        """One log line (no phone number in it)."""
        nxt = f"next try {end.retry_at:%Y-%m-%d %H:%M}" if end.retry_at else ("given up" if end.gave_up else "over")
        return f"outage call-back {end.call} (outage {end.outage}): {end.outcome} after {end.attempts} attempt(s), {nxt}"
