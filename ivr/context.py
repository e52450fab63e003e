"""What a call flow needs besides its channel: settings, the clock and the records.

`Records` is the flows' only door to the database: small synchronous
functions, each one transaction, called from flows through ``asyncio.to_thread``
so one slow write never stalls the other calls on the event loop.
"""
from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import re
import time
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import or_, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from db.models import (
    OPEN_STATES,
    Call,
    CallOutcome,
    CallToken,
    CallTokenUse,
    Category,
    HeatingAccount,
    HolidayOverride,
    Outage,
    OutageCaller,
    Recording,
    Ticket,
    TicketState,
    User,
)
from db.call_tokens import IN, OUT, store as store_token
from db.queries import accounts_with_phone, close_holds, station_for
from db.tickets import create_ticket, give_back_ticket_numbers, reserve_ticket_numbers
from db.session import make_engine, session_factory
from common.paths import confined
from common.settings import Settings
from ivr import storage
from ivr.holidays import years_around
from ivr.journal import Entry, Transient, WriteJournal
from ivr.prompts import outage_sound
from common.phones import MAX_DIGITS, clean_digits, is_valid_callback, normalise_caller_id

log = logging.getLogger("ivr")

#: a call out's outcome from Dial's DIALSTATUS (CANCEL: the agent hung up while it rang)
CALL_OUT_OUTCOMES = {"ANSWER": CallOutcome.answered, "BUSY": CallOutcome.busy, "NOANSWER": CallOutcome.no_answer,
                     "CANCEL": CallOutcome.no_answer, "": CallOutcome.no_answer,
                     "CONGESTION": CallOutcome.failed, "CHANUNAVAIL": CallOutcome.failed}
_TICKET_NO = re.compile(r"[0-9]{1,16}")
#: a WAV this small holds a header and nothing of a call
EMPTY_WAV_BYTES = 1024


@dataclass(frozen=True)
class AccountView:
    id: int
    account_no: str
    name: str
    address: str
    #: where it lies, as outages name areas (区/小区/楼号)
    district: str = ""
    compound: str = ""
    building: str = ""


@dataclass(frozen=True)
class OutageView:
    """An open outage as the caller's flow needs it: its area and its notice's sound."""
    id: int
    district: str
    compound: str
    building: str
    sound: str


@dataclass(frozen=True)
class TicketView:
    id: int
    number: str
    state: TicketState
    station: str
    #: a call-back is booked on it and not made yet (the IVR's status readout says so)
    callback_requested: bool = False


class CallTaken(RuntimeError):
    """A call's first request for a uniqueid that already has a record: not its first (a forged or
    repeated request); nothing of it is written."""


def _account(acc: HeatingAccount) -> AccountView:
    return AccountView(acc.id, acc.account_no, acc.name, acc.address, acc.district, acc.compound, acc.building)


def reads(fn):
    """Marks a Records method that only reads: it runs beside other calls' (WAL readers never
    wait); every other method writes, and on SQLite writes go one at a time (IvrContext.db)."""
    fn.only_reads = True
    return fn


#: the time a journaled write was made (ivr.journal): a write applied later — retried behind a
#: lock, replayed at the service's start — records when the caller did it, not when it landed
_written_at: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("written_at", default=None)


class Records:
    def __init__(self, sessions: sessionmaker[Session], settings: Settings):
        self.sessions = sessions
        self.settings = settings
        #: told (from a database thread) of every recording flagged at a call's end: the service
        #: sets it to alert the team leads; (uniqueid, [(path, health)])
        self.on_flagged: Callable[[str, list[tuple[str, str]]], None] | None = None

    def _flagged(self, uniqueid: str, flagged: list[tuple[str, str]]) -> None:
        if flagged and self.on_flagged is not None:
            self.on_flagged(uniqueid, flagged)

    def now(self) -> datetime:
        """settings.now(), or the time a journaled write was made while it is applied."""
        return _written_at.get() or self.settings.now()

    # --- accounts ---
    @reads
    def accounts_by_phone(self, phone: str) -> list[AccountView]:
        if not phone:
            return []
        with self.sessions() as db:
            rows = db.scalars(accounts_with_phone(phone)).unique()
            return [_account(a) for a in rows]

    @reads
    def account_by_no(self, account_no: str) -> AccountView | None:
        if not account_no or len(account_no) > 20:
            return None
        with self.sessions() as db:
            acc = db.scalar(select(HeatingAccount).where(HeatingAccount.account_no == account_no))
            return _account(acc) if acc else None

    @reads
    def open_ticket(self, account_id: int) -> TicketView | None:
        with self.sessions() as db:
            t = db.scalar(select(Ticket).where(Ticket.account_id == account_id,
                                               Ticket.state.in_(OPEN_STATES))
                          .options(selectinload(Ticket.station)).order_by(Ticket.id.desc()).limit(1))
            return TicketView(t.id, t.number, t.state, t.station.name if t.station else "",
                              t.callback_requested) if t else None

    @reads
    def inactive_agents(self, agent_nos) -> set[str]:
        """Of these 工号, the ones that may not be in the queue: disabled, or no user at all."""
        nos = {n for n in agent_nos if n}
        if not nos:
            return set()
        with self.sessions() as db:
            active = set(db.scalars(select(User.agent_no).where(User.agent_no.in_(nos), User.active.is_(True))))
        return nos - active

    @reads
    def holiday_overrides(self, year: int) -> list[HolidayOverride]:
        with self.sessions() as db:
            return list(db.scalars(select(HolidayOverride).where(HolidayOverride.year.in_(years_around(year)))))

    # --- outages (区域停热) ---
    @reads
    def open_outages(self) -> list[OutageView]:
        """The open outages whose notice has its sound: one query on the indexed `ended_at`, made at
        most once per OUTAGES_TTL_S for all the calls (IvrContext.open_outages)."""
        with self.sessions() as db:
            rows = db.scalars(select(Outage).where(Outage.ended_at.is_(None), Outage.prompt != "")).all()
            return [OutageView(o.id, o.district, o.compound, o.building, outage_sound(o.id)) for o in rows]

    def outage_caller(self, uniqueid: str, outage_id: int, caller: str, account_no: str | None) -> None:
        """The caller keyed 1 on the outage's notice: registered as affected (no ticket, no queue);
        the call's outcome says so. Idempotent (a replay adds nothing)."""
        with self.sessions() as db, db.begin():
            call = _call(db, uniqueid)
            call.outcome, call.last_step = CallOutcome.outage_registered, "outage"
            if db.get(Outage, outage_id) is None or db.scalar(select(OutageCaller.id).where(
                    OutageCaller.outage_id == outage_id, OutageCaller.uniqueid == uniqueid)) is not None:
                return
            db.add(OutageCaller(outage_id=outage_id, uniqueid=uniqueid, caller=call.caller or caller[:20],
                                account_no=(account_no or None) and account_no[:20], at=self.now(),
                                callback_note=""))

    # --- calls ---
    @reads
    def call_exists(self, uniqueid: str) -> bool:
        with self.sessions() as db:
            return db.scalar(select(Call.id).where(Call.uniqueid == uniqueid)) is not None

    def start_call(self, uniqueid: str, linkedid: str, caller: str, did: str, token: str = "") -> int:
        """The call's record (the existing one's id when it has one). `token`: the digest of the
        per-call token the service issued at this, the call's first request — kept with the new
        record; a call that already has one is refused (CallTaken)."""
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
            if call is not None and token and not _token_kept(db, token, uniqueid):
                raise CallTaken(f"call {uniqueid[:64]} has a record already")
            if call is None:
                now = self.now()
                call = Call(uniqueid=uniqueid, linkedid=linkedid, caller=caller, did=did[:40],
                            ivr_at=now, last_step="greeting")
                db.add(call)
                if token:
                    store_token(db, token, IN, uniqueid, now)
                db.flush()
            return call.id

    def token_used(self, token: str, stage: str) -> None:
        """A stage of the call's token (`token`: its digest), accepted by the service from the token it
        issued (hotline.service.fastagi), kept like the database's own acceptance (db.call_tokens.redeem)."""
        with self.sessions() as db, db.begin():
            row = db.scalar(select(CallToken).where(CallToken.digest == token))
            if row is None:
                raise LookupError("no such token")
            if db.scalar(select(CallTokenUse.id).where(CallTokenUse.token_id == row.id,
                                                       CallTokenUse.stage == stage[:96])) is None:
                db.add(CallTokenUse(token_id=row.id, stage=stage[:96], at=self.now()))

    def note_degraded_call(self, uniqueid: str, linkedid: str, caller: str, token: str = "") -> None:
        """A call came down the degraded path while the service was away: its record starts now —
        as it joins the queue, when the service is back by then (`token`: the call's token, issued
        there; a call with a record already is refused, CallTaken), or when it rings an agent
        (the desk can then make a ticket)."""
        with self.sessions() as db, db.begin():
            if db.scalar(select(Call.id).where(Call.uniqueid == uniqueid)) is not None:
                if token and not _token_kept(db, token, uniqueid):
                    raise CallTaken(f"call {uniqueid[:64]} has a record already")
                return
            now = self.now()
            db.add(Call(uniqueid=uniqueid, linkedid=linkedid or uniqueid, caller=normalise_caller_id(caller),
                        ivr_at=now, queued_at=now, last_step="degraded"))
            if token:
                store_token(db, token, IN, uniqueid, now)

    # the call's writes below are keyed by its uniqueid, never by an id the database hands out: the
    # flow makes them behind the caller (ivr.journal), maybe before its record is written; each is
    # idempotent (a replay after a crash between commit and its "done" line changes nothing)
    def step(self, uniqueid: str, step: str) -> None:
        with self.sessions() as db, db.begin():
            _call(db, uniqueid).last_step = step

    def mark_queued(self, uniqueid: str) -> None:
        with self.sessions() as db, db.begin():
            call = _call(db, uniqueid)
            call.queued_at = call.queued_at or self.now()
            call.last_step = "queue"

    # --- tickets ---
    def save_ticket(self, uniqueid: str, number: str | None, last_step: str | None = None,
                    **fields) -> TicketView:
        """Create the call's draft ticket numbered `number` (reserved for it: TicketNumbers; None:
        the next of the day), or update it with what the caller added (and where the caller is now,
        `last_step`, in the same write)."""
        with self.sessions() as db, db.begin():
            call = _call(db, uniqueid)
            if last_step:
                call.last_step = last_step
            t = db.scalar(select(Ticket).where(Ticket.number == number)) if number else \
                (db.get(Ticket, call.ticket_id) if call.ticket_id is not None else None)
            if t is None:
                t = create_ticket(db, self.now(), number=number, caller_number=call.caller)
                call.ticket_id = t.id
            for k, v in fields.items():
                setattr(t, k, v)
            if "account_id" in fields and fields["account_id"]:
                acc = db.get(HeatingAccount, fields["account_id"])
                t.address_snapshot, t.name_snapshot = acc.address, acc.name
                station = station_for(db, acc.district, acc.compound, acc.building)
                t.station_id = station.id if station else None
            db.flush()
            return TicketView(t.id, t.number, t.state, "")

    def status_heard(self, uniqueid: str, last_step: str | None = None) -> None:
        """The caller heard their open ticket's status read out (self-service: the reports count
        it; the ticket is linked only if the caller goes on about it, `attach_ticket`); the first
        time counts, a replay changes nothing."""
        with self.sessions() as db, db.begin():
            call = _call(db, uniqueid)
            call.status_heard_at = call.status_heard_at or self.now()
            if last_step:
                call.last_step = last_step

    def attach_ticket(self, uniqueid: str, ticket_id: int) -> None:
        with self.sessions() as db, db.begin():
            _call(db, uniqueid).ticket_id = ticket_id

    @reads
    def ticket_number_of_call(self, uniqueid: str) -> str:
        """The number of the call's ticket ('' for none yet)."""
        with self.sessions() as db:
            return db.scalar(select(Ticket.number).join(Call, Call.ticket_id == Ticket.id)
                             .where(Call.uniqueid == uniqueid)) or ""

    def request_callback(self, uniqueid: str, outcome: CallOutcome, number: str | None = None) -> TicketView | None:
        """Flag the call's ticket for call-back (creating one, numbered `number` when the caller was
        told one, if the call has none); the call's outcome is the reason, kept on the ticket for
        the call-back list."""
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
            if call is None:
                return None
            call.outcome = outcome
            call.ended_at = call.ended_at or self.now()
            if call.ticket_id is not None:
                t = db.get(Ticket, call.ticket_id)
                t.callback_requested, t.callback_reason = True, outcome
                return TicketView(t.id, t.number, t.state, "")
            caller = call.caller
        return self.save_ticket(uniqueid, number, callback_requested=True, callback_reason=outcome,
                                callback_number=caller if is_valid_callback(caller, self.settings.outbound_allowed) else "")

    def end_call(self, uniqueid: str, queue_status: str, degraded: bool = False) -> CallOutcome | None:
        """The call is over: decide its outcome from how far it got, and seal its
        recordings (duration, sha256) in the same transaction, so nobody ever sees a
        sealed recording on a call without an outcome. `degraded`: the call went down the
        dialplan's degraded path (the service was away mid-intake), so it waited in the queue
        though the record never heard of it — a caller who then gives up is owed the call-back."""
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
            if call is None:
                return None
            # sealed (read and hashed) before anything is written: SQLite's write lock is not
            # held while a long recording is read
            ended = call.ended_at or self.now()
            flagged = _seal_recordings(db, call, self.settings, ended, call.answered_at)
            call.ended_at = ended
            close_holds(db, call.id, ended)
            if call.outcome is None:
                if call.answered_at is not None:
                    call.outcome = CallOutcome.answered
                elif call.queued_at is not None or degraded:
                    call.outcome = CallOutcome.abandoned
                else:
                    call.outcome = CallOutcome.in_ivr_hangup
            outcome = call.outcome
            ticket = db.get(Ticket, call.ticket_id) if call.ticket_id is not None else None
            # hung up in the IVR after the problem or a call-back number was keyed: the
            # draft is the caller's only trace, so it goes on the call-back list
            keyed = ticket is not None and (ticket.category is not None or bool(ticket.callback_number))
        self._flagged(uniqueid, flagged)
        if outcome == CallOutcome.abandoned or (outcome == CallOutcome.in_ivr_hangup and keyed):
            # ended before an agent answered: never lost for good — flagged for call-back
            self.request_callback(uniqueid, outcome)
        return outcome

    def answered(self, uniqueid: str, agent_no: str, recording: str) -> None:
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
            if call is None:
                return
            agent = db.scalar(select(User).where(User.agent_no == agent_no)) if agent_no else None
            call.answered_at = self.now()
            call.agent_id = agent.id if agent else None
            path = self._linkable(db, recording, uniqueid)
            if path is not None:
                db.add(Recording(call_id=call.id, ticket_id=call.ticket_id,
                                 agent_id=call.agent_id, path=str(path)))

    def transfer_leg(self, uniqueid: str, by_agent_no: str, target_agent_no: str, recording: str) -> str | None:
        """A transfer leg was answered (blind: `uniqueid` is the caller's call; consultation:
        '' and the call is the one `by_agent_no` answered and has not ended). Its recording is
        linked to that call and its ticket, under the target agent; the call's own agent and
        answer time stay. Returns the call's uniqueid, or None when no hotline call is behind it."""
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid)) if uniqueid else None
            if call is None and by_agent_no.isdigit():
                call = db.scalar(select(Call).join(User, Call.agent_id == User.id)
                                 .where(User.agent_no == by_agent_no, Call.ended_at.is_(None),
                                        Call.answered_at.is_not(None))
                                 .order_by(Call.answered_at.desc(), Call.id.desc()).limit(1))
            if call is None:
                return None
            target = db.scalar(select(User).where(User.agent_no == target_agent_no)) \
                if target_agent_no.isdigit() else None
            path = self._linkable(db, recording, call.uniqueid)
            if path is not None:
                db.add(Recording(call_id=call.id, ticket_id=call.ticket_id,
                                 agent_id=target.id if target else None, path=str(path)))
            return call.uniqueid

    # --- calls out (direction out) ---
    def start_call_out(self, uniqueid: str, linkedid: str, number: str, agent_no: str, ticket: str,
                       recording: str, token: str = "") -> str | None:
        """An agent's call out is about to ring the resident: its call record (direction out,
        `caller` the resident's number) and its recording. The ticket is `ticket` (the
        click-to-call's) when it is a ticket of this number, else the agent's live take of a
        call-back entry of this number, else none. `token`: the digest of the per-call token issued
        at this, the hand-dialled call's first request, kept with its record. Returns the linked
        ticket's number; nothing is written for a call that has a record already."""
        number = clean_digits(number)[:MAX_DIGITS]
        with self.sessions() as db, db.begin():
            if db.scalar(select(Call.id).where(Call.uniqueid == uniqueid)) is not None:
                return None
            if token:
                store_token(db, token, OUT, uniqueid, self.now())
            agent = db.scalar(select(User).where(User.agent_no == agent_no)) if agent_no.isdigit() else None
            t = self._call_out_ticket(db, str(ticket or ""), number, agent)
            call = Call(uniqueid=uniqueid, linkedid=linkedid or uniqueid, caller=number, direction="out",
                        ticket_id=t.id if t else None, agent_id=agent.id if agent else None,
                        ivr_at=self.now(), last_step="dial")
            db.add(call)
            db.flush()
            path = self._linkable(db, recording, uniqueid)
            if path is not None:
                db.add(Recording(call_id=call.id, ticket_id=call.ticket_id, agent_id=call.agent_id, path=str(path)))
            return t.number if t else None

    def _linkable(self, db: Session, recording: str, uniqueid: str) -> Path | None:
        """The recording path that came over AGI, when it may be linked to a call: a .wav under
        the recordings directory (the API later serves linked recordings to agents) that no
        recording row holds yet — a request played again never hands a recording to another agent."""
        if not recording:
            return None
        path = confined(recording, [self.settings.recordings_dir], must_exist=False)
        if path is None:
            log.warning("recording path outside %s not linked to call %s", self.settings.recordings_dir, uniqueid)
            return None
        if db.scalar(select(Recording.id).where(Recording.path == str(path)).limit(1)) is not None:
            log.warning("recording already linked, not linked again to call %s", uniqueid)
            return None
        return path

    def _call_out_ticket(self, db: Session, ticket: str, number: str, agent: User | None) -> Ticket | None:
        if not number:
            return None
        if _TICKET_NO.fullmatch(ticket):
            t = db.scalar(select(Ticket).where(Ticket.number == ticket))
            if t is not None and number in (t.callback_number, t.caller_number):
                return t
        if agent is None:
            return None
        since = self.now() - timedelta(minutes=self.settings.callback_take_min)
        return db.scalar(select(Ticket).where(Ticket.callback_requested.is_(True), Ticket.callback_taken_by_id == agent.id,
                                              Ticket.callback_taken_at >= since,
                                              or_(Ticket.callback_number == number, Ticket.caller_number == number))
                         .order_by(Ticket.callback_taken_at.desc(), Ticket.id.desc()).limit(1))

    def end_call_out(self, uniqueid: str, dial_status: str, answered_s: str) -> CallOutcome | None:
        """The call out is over: its outcome from DIALSTATUS, the answer time from ANSWEREDTIME,
        the recording sealed like an inbound one's. A call the resident never answered recorded
        nothing (MixMonitor records only while bridged): its header is removed, and audited."""
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid, Call.direction == "out"))
            if call is None or call.ended_at is not None:
                return call.outcome if call is not None else None
            now = self.now()
            status = str(dial_status or "").strip().upper()
            outcome = CALL_OUT_OUTCOMES.get(status, CallOutcome.failed)
            answered_at = None
            if outcome is CallOutcome.answered:
                try:
                    talked = min(max(float(answered_s or 0), 0.0), 86400.0)
                except ValueError:
                    talked = 0.0
                answered_at = now - timedelta(seconds=talked)
            else:
                _discard_unrecorded(db, call, self.settings)
            # sealed before the call's end is written (the write lock not held while files are read)
            flagged = _seal_recordings(db, call, self.settings, now, answered_at)
            call.outcome, call.ended_at, call.last_step = outcome, now, f"dial:{status.lower() or 'none'}"[:32]
            close_holds(db, call.id, now)
            call.answered_at = answered_at or call.answered_at
        self._flagged(uniqueid, flagged)
        return outcome

    @reads
    def recordings_closed(self, uniqueid: str) -> None:
        """Until Asterisk has closed the call's recording files (a hang-up handler runs on the channel
        MixMonitor records, which it has just stopped): called before the write that seals them,
        so the wait never holds the writer."""
        with self.sessions() as db:
            paths = db.scalars(select(Recording.path).join(Call, Recording.call_id == Call.id)
                               .where(Call.uniqueid == uniqueid)).all()
        for path in paths:
            _wait_closed(Path(path))


def _call(db: Session, uniqueid: str) -> Call:
    call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
    if call is None:
        raise LookupError(f"no record of call {uniqueid[:64]}")
    return call


def _token_kept(db: Session, token: str, uniqueid: str) -> bool:
    """The call's record was written with this token already: the same write again (a replay)."""
    return db.scalar(select(CallToken.id).where(CallToken.digest == token, CallToken.call == uniqueid)) is not None


def _seal_recordings(db: Session, call: Call, settings: Settings, ended_at: datetime,
                     answered_at: datetime | None) -> list[tuple[str, str]]:
    """After hang-up: each of the call's recordings checked (ivr.storage) — a good or short file
    gets its duration and sha256, an empty or missing one no sha256 at all (never the digest of
    nothing) — and every flag audited. Every file is read before anything is written. Returns
    (path, health) of the flagged ones."""
    recs = list(db.scalars(select(Recording).where(Recording.call_id == call.id, Recording.health == "")))
    if not recs:
        return []
    paths = [confined(rec.path, [settings.recordings_dir]) for rec in recs]
    expected = (ended_at - answered_at).total_seconds() if answered_at is not None else None
    judged = list(zip(recs, paths, storage.judge_recordings(paths, expected)))
    digests = {rec.id: storage.file_sha256(p) for rec, p, (health, _s) in judged if health in (storage.OK, storage.SHORT)}
    flagged = []
    for rec, _p, (health, seconds) in judged:
        rec.health, rec.checked_at = health, ended_at
        if rec.id in digests:
            rec.sha256, rec.duration_s = digests[rec.id], seconds
        if health in storage.FLAGGED:
            storage.audit_storage(db, "recording_flagged", "recording", str(rec.id), ended_at, health=health,
                                  seconds=round(seconds, 1), call_s=round(expected, 1) if expected is not None else None)
            log.warning("recording of call %s flagged %s: %.1f s of audio, the call %s s", call.uniqueid, health,
                        seconds, f"{expected:.1f}" if expected is not None else "?")
            flagged.append((rec.path, health))
    return flagged


def _discard_unrecorded(db: Session, call: Call, settings: Settings) -> None:
    """A call out the resident never answered: MixMonitor (recording only while bridged) left at
    most a WAV header. Neither the row nor that header is a recording; removed, and audited (a
    file with audio in it is kept, checked like any recording)."""
    now = settings.now()
    for rec in db.scalars(select(Recording).where(Recording.call_id == call.id, Recording.health == "")):
        p = confined(rec.path, [settings.recordings_dir])
        wav = storage.wav_audio(p) if p is not None else None
        if wav is not None and wav.seconds > 0:
            continue
        removed = p is not None and p.stat().st_size <= EMPTY_WAV_BYTES
        if removed:
            p.unlink(missing_ok=True)
        storage.audit_storage(db, "recording_discarded", "call", call.uniqueid, now, path=rec.path,
                              reason="call out not answered: nothing recorded", file_removed=removed)
        db.delete(rec)


def _wait_closed(path: Path, timeout_s: float = 2.0) -> bool:
    """Until the WAV's RIFF header counts the whole file (Asterisk writes it when it closes the
    file), at most `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with path.open("rb") as fh:
                head = fh.read(8)
            if len(head) == 8 and head[:4] == b"RIFF" and int.from_bytes(head[4:], "little") + 8 == path.stat().st_size:
                return True
        except OSError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


#: the Records methods a flow writes through the journal (ivr.journal): each keyed by its call, each
#: idempotent, none returning anything the caller waits for
JOURNALED = frozenset({"start_call", "note_degraded_call", "step", "mark_queued", "save_ticket", "attach_ticket",
                       "status_heard", "outage_caller",
                       "request_callback", "end_call", "answered", "transfer_leg", "start_call_out",
                       "end_call_out", "token_used"})
#: the reads a caller waits on to be recognised: timed (the service reports their p99 once a minute)
LOOK_UPS = frozenset({"accounts_by_phone", "account_by_no"})
#: the enums a journaled write may carry, by name (a line of JSON holds their value)
_ENUMS = {e.__name__: e for e in (CallOutcome, Category, TicketState)}
#: calls whose reserved ticket number the service remembers (a later request of the call reads it)
_KNOWN_NUMBERS = 20000
#: how old the open outages a call reads may be (s): one query per this for every call at once
OUTAGES_TTL_S = 5.0


def _encode(v):
    return {"enum": type(v).__name__, "value": v.value} if type(v).__name__ in _ENUMS else v


def _decode(v):
    return _ENUMS[v["enum"]](v["value"]) if isinstance(v, dict) and v.get("enum") in _ENUMS else v


def _transient(exc: BaseException) -> bool:
    """The database cannot take the write now (locked, busy, unreachable): try it again later."""
    return isinstance(exc, (OperationalError, InterfaceError)) or getattr(exc, "connection_invalidated", False)


class TicketNumbers:
    """Ticket numbers reserved ahead for the calls, BLOCK at a time (db.tickets.reserve_ticket_numbers,
    the day's database counter: unique across processes and nodes), refilled in the background when
    fewer than LOW are left. A caller hears a number taken here and its draft is written with exactly
    that number whenever the write lands — behind an import's lock, or replayed after a crash. Numbers
    left at the service's stop go back to the counter when nobody took one after them; a crash skips
    at most a block (docs/stack-notes.md)."""
    BLOCK, LOW = 40, 20

    def __init__(self, sessions: sessionmaker[Session], now):
        self._sessions, self._now = sessions, now
        self._lock = threading.Lock()
        self._free: list[str] = []
        self._refilling: Future | None = None
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="ivr-numbers")

    def prime(self) -> None:
        """Reserve a block now, in the background (the service's start)."""
        with self._lock:
            if self._refilling is None or self._refilling.done():
                self._refilling = self._pool.submit(self._reserve)

    def take(self) -> str | None:
        """A reserved number of today, at once; None when none is left (a refill is under way)."""
        day = self._now().strftime("%y%m%d")
        with self._lock:
            self._free = [n for n in self._free if n.startswith(day)]
            number = self._free.pop(0) if self._free else None
            if len(self._free) < self.LOW and (self._refilling is None or self._refilling.done()):
                self._refilling = self._pool.submit(self._reserve)
        return number

    def _reserve(self) -> None:
        try:
            with self._sessions() as db, db.begin():
                got = reserve_ticket_numbers(db, self._now(), self.BLOCK)
        except Exception as exc:    # locked past the busy timeout, away: the next take tries again
            log.warning("ticket numbers not reserved: %s: %s", type(exc).__name__, str(exc).splitlines()[0][:200])
            return
        with self._lock:
            self._free += got

    async def next(self, wait_s: float) -> str:
        """A number for a new ticket: reserved, or waited for at most `wait_s` ('' when none came)."""
        number = self.take()
        refilling = self._refilling
        if number is None and refilling is not None:
            try:
                await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(refilling)), wait_s)
            except asyncio.TimeoutError:
                return ""
            number = self.take()
        return number or ""

    def close(self) -> None:
        """The unused tail goes back to the day's counter (if nobody took a number after it)."""
        with self._lock:
            free, self._free = self._free, []
        self._pool.shutdown(wait=False, cancel_futures=True)
        tail = free[-1:]
        for n in reversed(free[:-1]):
            if n[:6] != tail[0][:6] or int(n[6:]) != int(tail[0][6:]) - 1:
                break
            tail.insert(0, n)
        if not tail:
            return
        try:
            with self._sessions() as db, db.begin():
                give_back_ticket_numbers(db, tail)
        except Exception as exc:   # kept by the counter: a gap in the day's numbers, nothing worse
            log.info("reserved ticket numbers not given back: %s", type(exc).__name__)


@dataclass
class IvrContext:
    """What a flow reaches besides its channel: the settings and the call records, run off the
    event loop. Writes on SQLite go through one writer thread: SQLite takes one writer at a time,
    and writers racing for its lock sleep in its busy handler (up to 100 ms a turn) while holding
    threads of the pool — at 540 callers a query waited over a second for a thread (benchmarks/
    ivr_sipp.py). Reads, and writes on PostgreSQL (row locks), share a pool of `db_threads`.

    A flow's own writes go through the journal (`journaled`, ivr.journal: one applier thread on
    SQLite, `db_threads` on PostgreSQL, a call's writes in order on one of them); a flow waits for
    the database at most `settings.db_deadline_s` (`within`, `read`)."""
    settings: Settings
    records: Records
    #: the automated 回访 call's line to the service (ivr.survey.SurveyLine), set by the service;
    #: None where no service runs (classic AGI): the survey flows then hang up
    surveys: Any = None
    #: a station's call about a dispatched repair (#30): its line to the service (ivr.station.StationLine),
    #: set by the service; None where no service runs: the station flows hang up
    stations: Any = None
    #: the 供热已恢复 call-back of an outage's affected caller (#30): its line to the service
    #: (ivr.outage_call.OutageCallLine), set by the service; None where no service runs: the flows hang up
    outage_calls: Any = None
    #: the service's look at the recordings disk's free space as a call is answered (an async
    #: callable, ivr.storage.StorageWatch behind it); None where no service runs
    storage_check: Any = None
    #: where the journal keeps the writes (the service's: settings.journal_file); None: in memory
    journal_path: Path | None = None
    _readers: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _writers: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _journal: WriteJournal | None = field(default=None, init=False, repr=False)
    _numbers: TicketNumbers | None = field(default=None, init=False, repr=False)
    _call_numbers: OrderedDict = field(default_factory=OrderedDict, init=False, repr=False)
    #: calls whose first write was refused (CallTaken): their later writes are not applied either
    _taken: set = field(default_factory=set, init=False, repr=False)
    #: how long the callers' account look-ups took (s), since the service last reported them
    lookup_times: list = field(default_factory=list, init=False, repr=False)
    #: the open outages (monotonic time read, [OutageView]) and the read under way, shared by all calls
    _outages: tuple | None = field(default=None, init=False, repr=False)
    _outages_read: asyncio.Future | None = field(default=None, init=False, repr=False)

    @classmethod
    def create(cls, settings: Settings, journal_path: Path | None = None) -> "IvrContext":
        return cls(settings, Records(session_factory(make_engine(settings.database_url)), settings),
                   journal_path=journal_path)

    def now(self) -> datetime:
        return self.settings.now()

    def _pool(self, writes: bool) -> ThreadPoolExecutor:
        if self._readers is None:
            threads = max(2, self.settings.db_threads)
            self._readers = ThreadPoolExecutor(threads, thread_name_prefix="ivr-db")
            sqlite = self.settings.database_url.startswith("sqlite")
            self._writers = ThreadPoolExecutor(1, thread_name_prefix="ivr-db-write") if sqlite else self._readers
        return self._writers if writes else self._readers

    async def db(self, fn, *args, **kwargs):
        pool = self._pool(writes=not getattr(fn, "only_reads", False))
        # like asyncio.to_thread: the caller's context variables travel with the call
        job = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        if getattr(fn, "__name__", "") not in LOOK_UPS:
            return await asyncio.get_running_loop().run_in_executor(pool, job)
        started = time.perf_counter()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, job)
        finally:
            self.lookup_times.append(time.perf_counter() - started)

    # ----------------------------------------------------- bounded waits --
    async def within(self, fut, default=None, what: str = ""):
        """`fut`'s result, waited for at most the deadline: `default` when it is late (it goes on
        behind the caller) or failed (logged)."""
        try:
            return await asyncio.wait_for(asyncio.shield(fut), self.settings.db_deadline_s)
        except asyncio.TimeoutError:
            log.warning("%s: the database is slow, the caller goes on (deadline %.1f s)", what or "a write",
                        self.settings.db_deadline_s)
        except Exception as exc:
            log.error("%s failed: %s: %s", what or "a write", type(exc).__name__, str(exc).splitlines()[0][:200]
                      if str(exc) else "")
        return default

    async def read(self, fn, *args, default=None):
        """A read the caller waits for, at most the deadline: `default` (the no-answer path) when late."""
        return await self.within(asyncio.ensure_future(self.db(fn, *args)), default, fn.__name__)

    async def open_outages(self) -> list[OutageView]:
        """The open outages, at most OUTAGES_TTL_S old: 720 callers share one read (the callers who
        come while it runs wait for that one, at most the deadline; then the last known list)."""
        known = self._outages
        if known is not None and time.monotonic() - known[0] < OUTAGES_TTL_S:
            return known[1]
        if self._outages_read is None or self._outages_read.done():
            self._outages_read = fut = asyncio.ensure_future(self.db(self.records.open_outages))

            def keep(f: asyncio.Future) -> None:
                if not f.cancelled() and f.exception() is None:
                    self._outages = (time.monotonic(), f.result())
            fut.add_done_callback(keep)
        return await self.within(self._outages_read, known[1] if known else [], "the open outages")

    # ------------------------------------------------------------ journal --
    @property
    def journal(self) -> WriteJournal:
        if self._journal is None:
            shards = 1 if self.settings.database_url.startswith("sqlite") else max(1, self.settings.db_threads)
            self._journal = WriteJournal(self._apply, self.journal_path, shards=shards)
            for e in self._journal.replayed_entries:
                self._remember_number(e.call, e.op, e.args, e.kw)
        return self._journal

    @property
    def numbers(self) -> TicketNumbers:
        if self._numbers is None:
            self._numbers = TicketNumbers(self.records.sessions, self.settings.now)
        return self._numbers

    def journaled(self, call: str, fn, *args, **kwargs) -> asyncio.Future:
        """Write `fn` (a Records method of JOURNALED) for `call` through the journal, behind the
        caller: after the call's earlier writes, kept on disk until the database has it."""
        # by the name it has on Records (what a replay calls), whatever wraps it
        op = next((n for n in JOURNALED if getattr(self.records, n, None) == fn), None)
        if op is None:
            raise ValueError(f"{getattr(fn, '__name__', fn)} is not a journaled write")
        args_, kw = [_encode(a) for a in args], {k: _encode(v) for k, v in kwargs.items()}
        self._remember_number(call, op, args_, kw)
        done = asyncio.wrap_future(self.journal.submit(call, op, args_, kw, self.settings.now().isoformat()))
        # retrieved here: a write nobody awaits that failed is logged by the journal, not at GC
        done.add_done_callback(lambda f: f.cancelled() or f.exception())
        return done

    def _remember_number(self, call: str, op: str, args: list, kw: dict) -> None:
        number = (args[1] if len(args) > 1 else None) if op == "save_ticket" else kw.get("number")
        if op in ("save_ticket", "request_callback") and number and call not in self._call_numbers:
            self._call_numbers[call] = number
            while len(self._call_numbers) > _KNOWN_NUMBERS:
                self._call_numbers.popitem(last=False)

    def number_of_call(self, call: str) -> str:
        """The ticket number this service gave the call (its draft may still be in the journal)."""
        return self._call_numbers.get(call, "")

    def _apply(self, e: Entry):
        if e.call in self._taken:
            raise CallTaken(f"call {e.call[:64]}: its first write was refused, nothing of it is written")
        token = _written_at.set(datetime.fromisoformat(e.at) if e.at else None)
        try:
            return getattr(self.records, e.op)(*(_decode(a) for a in e.args),
                                               **{k: _decode(v) for k, v in e.kw.items()})
        except CallTaken:
            self._taken.add(e.call)
            raise
        except Exception as exc:
            if _transient(exc):
                raise Transient(str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__) from exc
            raise
        finally:
            _written_at.reset(token)

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close(timeout_s=max(1.0, self.settings.db_deadline_s))
        if self._numbers is not None:
            self._numbers.close()
        for pool in {self._readers, self._writers} - {None}:
            pool.shutdown(wait=False, cancel_futures=True)
