"""The automated 回访 call (#15): which completed repairs the dialer calls, when, how many at once,
and what the end of each attempt means. Protocol-free like the rest of the after-call work: the
service (hotline.service.app) sends the Originate over its AMI gateway and reports what Asterisk
and the resident did (over FastAGI, ivr/survey.py); every fact lands in `survey_call` rows.

An attempt (`SurveyCall`) is `requested` (`hotline survey call`: waiting for the service), `placed`
(the Originate went out), `answered` (the resident picked up; the survey flow runs), then ends as
`done` (the answers are stored), `declined` (pressed 2, 不方便), `busy`, `no_answer` (rang out, or
picked up and never keyed), `failed` (unreachable, congestion, or lost: a placed attempt never
reported within the ring time and a margin). An ended attempt that may be tried again carries
`next_at`; the last one of a ticket carries none: the dialer has given the ticket up (audited), and
`owner` says who has it now.

Modes (Settings.survey_mode): `agents` — today's 回访 list, the dialer calls nobody by itself;
`automated-first` — the dialer owns each completed repair until it gives up or the resident asks for
a person (2), then the ticket shows on the agents' list; `automated` — the dialer owns them all, a
resident who pressed 2 is called again later, and a give-up goes to the team leads (their 回访 list
shows it: the rules require every completed repair to be confirmed, so a team lead decides whether
to call by hand or close it — it is not a station's fault, so no anomaly is raised).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload, sessionmaker

from db.call_tokens import REF, SURVEY, attempt_ref, issue as issue_token
from db.models import Call, CallOutcome, Recording, SurveyCall, Ticket, TicketState
from db.queries import iso
from hotline.aftercall.rules import RuleError, add_audit, ticket_by_number
from common.paths import confined
from common.phones import is_valid_callback

MODES = ("agents", "automated", "automated-first")
REQUESTED, PLACED, ANSWERED = "requested", "placed", "answered"
BUSY, NO_ANSWER, FAILED, DECLINED, DONE = "busy", "no_answer", "failed", "declined", "done"
#: attempts not ended yet; placed and answered ones take a line (the concurrency limit)
OPEN_OUTCOMES = (REQUESTED, PLACED, ANSWERED)
ON_THE_LINE = (PLACED, ANSWERED)
#: Dial()'s DIALSTATUS when the resident's phone did not answer → the attempt's outcome
DIALSTATUS_OUTCOMES = {"BUSY": BUSY, "NOANSWER": NO_ANSWER, "CANCEL": NO_ANSWER,
                       "CHANUNAVAIL": FAILED, "CONGESTION": FAILED}
#: what [survey-dial] reports instead of dialling a number its classes refuse (the [number-class]
#: check [outbound] uses): failed, never tried again
REFUSED = "REFUSED"
#: the audited note of a ticket the dialer gives up because it has no number it may dial
NO_NUMBER_NOTE = "没有可拨打的号码"
#: a placed attempt must be answered or reported failed within the ring time and this margin (the
#: number look-up, the Originate itself); later it counts as failed (the report was lost)
PLACED_MARGIN_S = 60
#: an answered survey call is over well within this (prompts, a 30 s comment): later, it was lost
ANSWERED_MAX_S = 900
#: the PostgreSQL advisory lock that keeps the nodes' dialer rounds apart (any constant of our own)
DIALER_LOCK = 15_0001
#: the system's name in the audit trail and on the survey (channel ivr, no user)
SYSTEM = "ivr"
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d\d)\s*-\s*(\d{1,2}):(\d\d)\s*$")


@dataclass(frozen=True)
class SurveyPolicy:
    """Settings.survey_*, outbound_ring_s and outbound_allowed, checked."""
    mode: str = "agents"
    start: time = time(9, 0)
    end: time = time(20, 0)
    concurrency: int = 4
    max_attempts: int = 3
    retry_min: int = 60
    ring_s: int = 30
    #: the number classes the hotline may dial beyond the everyday ones (Settings.outbound_allowed)
    allowed: frozenset[str] = frozenset()

    @property
    def automated(self) -> bool:
        return self.mode != "agents"

    def in_hours(self, now: datetime) -> bool:
        return self.start <= now.time() < self.end

    @property
    def hours(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def survey_policy(settings) -> SurveyPolicy:
    """The policy of these settings; ValueError with the setting's name for a bad value."""
    mode = settings.survey_mode.strip()
    if mode not in MODES:
        raise ValueError(f"HOTLINE_SURVEY_MODE should be one of {', '.join(MODES)}, not {mode!r}")
    m = _HOURS.match(settings.survey_hours or "")
    try:
        start, end = (time(int(m[1]), int(m[2])), time(int(m[3]), int(m[4]))) if m else (None, None)
    except ValueError:
        start = end = None
    if start is None or not start < end:
        raise ValueError(f"HOTLINE_SURVEY_HOURS should be like 09:00-20:00, not {settings.survey_hours!r}")
    return SurveyPolicy(mode, start, end, max(1, int(settings.survey_concurrency)),
                        max(1, int(settings.survey_max_attempts)), max(0, int(settings.survey_retry_min)),
                        max(5, int(settings.outbound_ring_s)), settings.outbound_allowed)


@dataclass(frozen=True)
class Placement:
    """An attempt the service is to originate now: `ref` names it on the channel and in AMI
    (Local/<ref>@survey-dial), `token` goes into the Originate's variables (only its hash is kept)."""
    attempt: int
    ticket: str
    ref: str
    token: str = field(repr=False, default="")


@dataclass(frozen=True)
class SurveyTarget:
    """What the survey flow needs once the resident answered."""
    attempt: int
    ticket: str
    fee_status: str
    #: 不方便 (2) leaves the 回访 to an agent (automated-first, agents); in automated another call is booked
    later_by_agent: bool
    #: the survey call's record (Call, direction survey)
    call_id: int
    #: its uniqueid: what the flow's step writes are keyed by (ivr.context.Records)
    uniqueid: str = ""


@dataclass(frozen=True)
class AttemptEnd:
    """How an attempt ended and what follows: `retry_at` the next try, else `owner` (agents:
    the agents' 回访 list; team_leads: the team leads'; None: done)."""
    attempt: int
    ticket: str
    outcome: str
    retry_at: datetime | None
    owner: str | None

    @property
    def gave_up(self) -> bool:
        return self.owner is not None


def callable_number(t: Ticket, allowed=frozenset()) -> str:
    """The number the survey calls: the ticket's call-back number, else the caller's (one the
    hotline may dial: `allowed`, Settings.outbound_allowed)."""
    for n in (t.callback_number, t.caller_number):
        if n and is_valid_callback(n, allowed):
            return n
    return ""


def automated_state(rows: list[SurveyCall], policy: SurveyPolicy) -> dict | None:
    """A ticket's automated 回访 as lists show it, from its attempts (oldest first): None when the
    dialer never touched it; else attempts, the last outcome, the next try and its `owner` —
    dialer (calling or to call again), agents / team_leads (given up to them), done."""
    if not rows:
        return None
    last = rows[-1]
    if last.outcome in OPEN_OUTCOMES:
        owner = "dialer"
    elif last.outcome == DONE:
        owner = "done"
    elif last.next_at is not None:
        owner = "dialer"
    else:
        owner = "team_leads" if policy.mode == "automated" else "agents"
    return {"attempts": sum(1 for r in rows if r.outcome != REQUESTED), "last_outcome": last.outcome,
            "last_at": iso(last.at), "next_at": iso(last.next_at) if last.ended_at else None,
            "calling": last.outcome in OPEN_OUTCOMES, "owner": owner}


def attempts_of(db: Session, ticket_ids) -> dict[int, list[SurveyCall]]:
    """{ticket id: its attempts, oldest first}."""
    out: dict[int, list[SurveyCall]] = {}
    ids = list(ticket_ids)
    if ids:
        for r in db.scalars(select(SurveyCall).where(SurveyCall.ticket_id.in_(ids))
                            .order_by(SurveyCall.at, SurveyCall.id)):
            out.setdefault(r.ticket_id, []).append(r)
    return out


class SurveyDialer:
    """The dialer's rules, one transaction per method. `surveys` is the one survey-saving path
    (hotline.aftercall.surveys.SurveyList.record): the IVR's answers go through it."""

    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime], policy: SurveyPolicy,
                 surveys=None, recordings_dir=None):
        self.sessions, self.now, self.policy, self.surveys = sessions, now, policy, surveys
        #: where the survey calls' recordings must lie to be linked
        self.recordings_dir = recordings_dir

    # ------------------------------------------------------ the timer loop --
    def next_calls(self) -> tuple[list[Placement], list[AttemptEnd]]:
        """What to originate now (requested ones first, then due tickets in automated modes, oldest
        repair first), within the hours and the free lines; each is `placed` here. Also returns
        the attempts this round ended (lost ones, tickets without a number to call)."""
        now, p = self.now(), self.policy
        ended: list[AttemptEnd] = []
        with self.sessions() as db, db.begin():
            if db.get_bind().dialect.name == "postgresql":
                # several nodes on one database each run a dialer: one round at a time, so no
                # ticket is placed twice and the limit holds for them all (held to the commit)
                db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DIALER_LOCK})
            ended += self._sweep(db, now)
            if not p.in_hours(now):
                return [], ended
            free = p.concurrency - (db.scalar(select(func.count(SurveyCall.id)).where(
                SurveyCall.outcome.in_(ON_THE_LINE), SurveyCall.ended_at.is_(None))) or 0)
            placed: list[Placement] = []
            for row in db.scalars(select(SurveyCall).where(SurveyCall.outcome == REQUESTED,
                                                           SurveyCall.ended_at.is_(None))
                                  .order_by(SurveyCall.at, SurveyCall.id)).all():
                if free <= 0:
                    break
                t = db.get(Ticket, row.ticket_id)
                if t.state is not TicketState.completed or not callable_number(t, self.policy.allowed):
                    ended.append(self._finish(db, row, t, FAILED, now, retry=False,
                                              note="" if t.state is not TicketState.completed else NO_NUMBER_NOTE))
                    continue
                row.outcome, row.at = PLACED, now
                placed.append(self._placement(db, row, t, now))
                free -= 1
            if p.automated and free > 0:
                for t in self._due(db, now, free):
                    if free <= 0:
                        break
                    row = SurveyCall(ticket_id=t.id, at=now, outcome=PLACED, ref=attempt_ref())
                    db.add(row)
                    db.flush()
                    if not callable_number(t, self.policy.allowed):   # nothing to dial: given up at once, not a line taken
                        ended.append(self._finish(db, row, t, FAILED, now, retry=False, note=NO_NUMBER_NOTE))
                        continue
                    placed.append(self._placement(db, row, t, now))
                    free -= 1
            return placed, ended

    @staticmethod
    def _placement(db: Session, row: SurveyCall, t: Ticket, now: datetime) -> Placement:
        """The attempt goes out: its ref (one made before refs had none) and its call's token."""
        row.ref = row.ref or attempt_ref()
        return Placement(row.id, t.number, row.ref, issue_token(db, SURVEY, row.ref, now))

    def _due(self, db: Session, now: datetime, most: int) -> list[Ticket]:
        """Completed repairs the dialer owns and may call now, the oldest repair first: never tried,
        or their last attempt ended with a retry that is due. In SQL, so tickets given up long ago
        (a season's worth) never crowd out the ones to call."""
        last = (select(SurveyCall.ticket_id, func.max(SurveyCall.id).label("id"))
                .group_by(SurveyCall.ticket_id).subquery())
        return list(db.scalars(
            select(Ticket).outerjoin(last, last.c.ticket_id == Ticket.id)
            .outerjoin(SurveyCall, SurveyCall.id == last.c.id)
            .where(Ticket.state == TicketState.completed)
            .where((Ticket.survey_due_at.is_(None)) | (Ticket.survey_due_at <= now))
            .where(SurveyCall.id.is_(None) | (SurveyCall.outcome.not_in(OPEN_OUTCOMES)
                                              & SurveyCall.next_at.is_not(None) & (SurveyCall.next_at <= now)))
            .order_by(Ticket.updated_at, Ticket.id).limit(most)).all())

    def _sweep(self, db: Session, now: datetime) -> list[AttemptEnd]:
        """Attempts whose end was never reported (the service or Asterisk restarted meanwhile)."""
        placed_by = now - timedelta(seconds=self.policy.ring_s + PLACED_MARGIN_S)
        answered_by = now - timedelta(seconds=ANSWERED_MAX_S)
        ended = []
        for row in db.scalars(select(SurveyCall).where(SurveyCall.ended_at.is_(None),
                                                       SurveyCall.outcome.in_(ON_THE_LINE))).all():
            if (row.outcome == PLACED and row.at < placed_by) or (row.outcome == ANSWERED and row.at < answered_by):
                ended.append(self._finish(db, row, db.get(Ticket, row.ticket_id),
                                          FAILED if row.outcome == PLACED else NO_ANSWER, now, note="未收到结果"))
        return ended

    def _finish(self, db: Session, row: SurveyCall, t: Ticket, outcome: str, now: datetime, retry: bool = True,
                note: str = "") -> AttemptEnd:
        """End an attempt; decide the next try or who has the ticket now (audited)."""
        row.outcome, row.ended_at = outcome, now
        p = self.policy
        owner = None
        if outcome == DONE:
            row.next_at = None
        else:
            tried = db.scalar(select(func.count(SurveyCall.id)).where(SurveyCall.ticket_id == row.ticket_id,
                                                                       SurveyCall.outcome != REQUESTED)) or 0
            handed = outcome == DECLINED and p.mode != "automated"
            if retry and not handed and tried < p.max_attempts and t.state is TicketState.completed:
                row.next_at = now + timedelta(minutes=p.retry_min)
            else:
                row.next_at = None
                if t.state is TicketState.completed:
                    owner = "team_leads" if p.mode == "automated" else "agents"
                    add_audit(db, SYSTEM, "survey_gave_up" if not handed else "survey_to_agents", "ticket", t.number,
                              attempts=tried, outcome=outcome, to=owner, note=note or None)
        add_audit(db, SYSTEM, "survey_call", "ticket", t.number, attempt=row.id, outcome=outcome,
                  next_at=iso(row.next_at))
        return AttemptEnd(row.id, t.number, outcome, row.next_at, owner)

    # ----------------------------------------------------- the CLI's request --
    def request(self, number: str) -> int:
        """`hotline survey call NUMBER`: one call now, recorded for the running service to place.
        Refused (RuleError) for an unknown ticket, one not completed, outside the hours, one being
        called, one without a number to call."""
        now = self.now()
        with self.sessions() as db, db.begin():
            t = ticket_by_number(db, number)
            if t.state is not TicketState.completed:
                raise RuleError(409, f"报修单 {t.number} 不在回访列表上(状态 {t.state.value}: 未返单或已回访)")
            if not self.policy.in_hours(now):
                raise RuleError(409, f"现在 {now:%H:%M} 不在回访时间 {self.policy.hours} 内 (HOTLINE_SURVEY_HOURS)")
            if not callable_number(t, self.policy.allowed):
                raise RuleError(422, f"报修单 {t.number} 没有可拨打的号码")
            busy = db.scalar(select(SurveyCall.id).where(SurveyCall.ticket_id == t.id, SurveyCall.ended_at.is_(None),
                                                         SurveyCall.outcome.in_(OPEN_OUTCOMES)).limit(1))
            if busy is not None:
                raise RuleError(409, f"报修单 {t.number} 正在自动回访中")
            row = SurveyCall(ticket_id=t.id, at=now, outcome=REQUESTED, ref=attempt_ref())
            db.add(row)
            db.flush()
            add_audit(db, "cli", "survey_call_request", "ticket", t.number, attempt=row.id)
            return row.id

    def cancel_request(self, attempt_id: int) -> bool:
        """The CLI gave up waiting for the service to place its request (the service is down)."""
        with self.sessions() as db, db.begin():
            row = self._open(db.get(SurveyCall, attempt_id) if 0 < attempt_id < 2**62 else None, REQUESTED)
            if row is None:
                return False
            row.outcome, row.ended_at, row.next_at = FAILED, self.now(), None
            add_audit(db, "cli", "survey_call_request_lapsed", "ticket", db.get(Ticket, row.ticket_id).number,
                      attempt=row.id)
            return True

    def attempt(self, attempt_id: int) -> dict | None:
        """One attempt as the CLI prints it."""
        with self.sessions() as db:
            row = db.get(SurveyCall, attempt_id)
            if row is None:
                return None
            t = db.get(Ticket, row.ticket_id)
            return {"attempt": row.id, "ticket": t.number, "outcome": row.outcome, "at": iso(row.at),
                    "ended_at": iso(row.ended_at), "next_at": iso(row.next_at), "ticket_state": t.state.value}

    # ------------------------------------------ what Asterisk and the flow report --
    # Asterisk names an attempt by its ref (Local/<ref>@survey-dial), never by its id.
    @staticmethod
    def _open(row: SurveyCall | None, *outcomes: str) -> SurveyCall | None:
        return row if row is not None and row.ended_at is None and row.outcome in outcomes else None

    def _by_ref(self, db: Session, ref: str, *outcomes: str) -> SurveyCall | None:
        ref = str(ref or "")
        return self._open(db.scalar(select(SurveyCall).where(SurveyCall.ref == ref)) if REF.fullmatch(ref) else None,
                          *outcomes)

    def number_for(self, ref: str) -> tuple[str, AttemptEnd | None]:
        """The number the placed attempt dials (the dialplan's [survey-dial] asks): never over AMI.
        One the hotline may not dial (any more: the policy changed since placing) is no number: the
        attempt ends there, given to people with an audited note — never dialled."""
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, PLACED)
            if row is None:
                return "", None
            t = db.get(Ticket, row.ticket_id)
            number = callable_number(t, self.policy.allowed)
            if number:
                return number, None
            return "", self._finish(db, row, t, FAILED, self.now(), retry=False, note=NO_NUMBER_NOTE)

    def dial_failed(self, ref: str, dialstatus: str) -> AttemptEnd | None:
        """Dial() came back without an answer: BUSY, NOANSWER, CHANUNAVAIL, CONGESTION … — or the
        dialplan's number classes refused the number (REFUSED): failed, never tried again."""
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, PLACED)
            if row is None:
                return None
            status = (dialstatus or "").strip().upper()
            t = db.get(Ticket, row.ticket_id)
            if status == REFUSED:
                return self._finish(db, row, t, FAILED, self.now(), retry=False, note=NO_NUMBER_NOTE)
            return self._finish(db, row, t, DIALSTATUS_OUTCOMES.get(status, FAILED), self.now())

    def answered(self, ref: str, uniqueid: str, recording: str = "") -> SurveyTarget | None:
        """The resident picked up: the attempt is answered and the call has its record (direction
        survey) with its recording (a .wav under the recordings directory, else not linked; the
        hang-up seals it). None: no such placed attempt, or the ticket is not completed any more."""
        now = self.now()
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, PLACED)
            if row is None:
                return None
            t = db.scalar(select(Ticket).where(Ticket.id == row.ticket_id).options(selectinload(Ticket.account)))
            uniqueid = uniqueid[:64] or f"survey-{row.id}"
            row.outcome, row.uniqueid = ANSWERED, uniqueid
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
            if call is None:
                call = Call(uniqueid=uniqueid, linkedid=uniqueid, caller=callable_number(t, self.policy.allowed), did="", ticket_id=t.id,
                            ivr_at=now, answered_at=now, last_step="survey", direction="survey")
                db.add(call)
                db.flush()
                path = confined(recording, [self.recordings_dir], must_exist=False) \
                    if recording and self.recordings_dir else None
                if path is not None:
                    db.add(Recording(call_id=call.id, ticket_id=t.id, path=str(path)))
            if t.state is not TicketState.completed:   # surveyed by an agent meanwhile
                self._finish(db, row, t, DONE, now)
                return None
            return SurveyTarget(row.id, t.number, (t.account.fee_status if t.account else None) or "unknown",
                                self.policy.mode != "automated", call.id, call.uniqueid)

    def save(self, ref: str, answers: dict, recording: str | None) -> tuple[dict, dict | None, AttemptEnd | None]:
        """The resident's answers, through the one survey-saving path (channel ivr): the ticket →
        followed_up, not solved → a linked ticket. Returns (saved, reopened ticket or None, the end)."""
        with self.sessions() as db:
            row = self._by_ref(db, ref, ANSWERED)
            if row is None:
                raise RuleError(409, "这通回访呼叫不在通话中")
            number = db.get(Ticket, row.ticket_id).number
        saved, reopened = self.surveys.record(None, number, answers, comment_recording=recording)
        return saved, reopened, self.ended(ref, DONE)

    def ended(self, ref: str, outcome: str = NO_ANSWER) -> AttemptEnd | None:
        """The survey call is over: `done`, `declined` (pressed 2), or — the hang-up handler, when
        nothing else ended it — not reached (`no_answer`: hung up or never keyed). Idempotent."""
        now = self.now()
        with self.sessions() as db, db.begin():
            row = self._by_ref(db, ref, ANSWERED)
            if row is None:
                return None
            call = db.scalar(select(Call).where(Call.uniqueid == row.uniqueid)) if row.uniqueid else None
            if call is not None and call.ended_at is None:   # last_step keeps where it ended
                call.ended_at, call.outcome = now, CallOutcome.answered
            return self._finish(db, row, db.get(Ticket, row.ticket_id), outcome, now)

    def describe(self, end: AttemptEnd) -> str:
        """One log line (no phone number in it)."""
        nxt = f"next try {end.retry_at:%Y-%m-%d %H:%M}" if end.retry_at else \
            (f"given up to the {end.owner.replace('_', ' ')}" if end.owner else "finished")
        return f"survey call {end.attempt} for ticket {end.ticket}: {end.outcome}, {nxt}"

