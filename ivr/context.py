"""What a call flow needs besides its channel: settings, the clock and the records.

`Records` is the flows' only door to the database: small synchronous
functions, each one transaction, called from flows through ``asyncio.to_thread``
so one slow write never stalls the other calls on the event loop.
"""
from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from db.models import (
    OPEN_STATES,
    Call,
    CallOutcome,
    HeatingAccount,
    HolidayOverride,
    Recording,
    Ticket,
    TicketState,
    User,
)
from db.call_tokens import IN, OUT, store as store_token
from db.queries import accounts_with_phone, station_for
from db.tickets import create_ticket
from db.session import make_engine, session_factory
from common.paths import confined
from common.settings import Settings
from ivr import storage
from ivr.holidays import years_around
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
    return AccountView(acc.id, acc.account_no, acc.name, acc.address)


def reads(fn):
    """Marks a Records method that only reads: it runs beside other calls' (WAL readers never
    wait); every other method writes, and on SQLite writes go one at a time (IvrContext.db)."""
    fn.only_reads = True
    return fn


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

    # --- calls ---
    def start_call(self, uniqueid: str, linkedid: str, caller: str, did: str, token: str = "") -> int:
        """The call's record (the existing one's id when it has one). `token`: the digest of the
        per-call token the service issued at this, the call's first request — kept with the new
        record; a call that already has one is refused (CallTaken)."""
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
            if call is not None and token:
                raise CallTaken(f"call {uniqueid[:64]} has a record already")
            if call is None:
                now = self.settings.now()
                call = Call(uniqueid=uniqueid, linkedid=linkedid, caller=caller, did=did[:40],
                            ivr_at=now, last_step="greeting")
                db.add(call)
                if token:
                    store_token(db, token, IN, uniqueid, now)
                db.flush()
            return call.id

    def note_degraded_call(self, uniqueid: str, linkedid: str, caller: str, token: str = "") -> None:
        """A call came down the degraded path while the service was away: its record starts now —
        as it joins the queue, when the service is back by then (`token`: the call's token, issued
        there; a call with a record already is refused, CallTaken), or when it rings an agent
        (the desk can then make a ticket)."""
        with self.sessions() as db, db.begin():
            if db.scalar(select(Call.id).where(Call.uniqueid == uniqueid)) is not None:
                if token:
                    raise CallTaken(f"call {uniqueid[:64]} has a record already")
                return
            now = self.settings.now()
            db.add(Call(uniqueid=uniqueid, linkedid=linkedid or uniqueid, caller=normalise_caller_id(caller),
                        ivr_at=now, queued_at=now, last_step="degraded"))
            if token:
                store_token(db, token, IN, uniqueid, now)

    def step(self, call_id: int, step: str) -> None:
        with self.sessions() as db, db.begin():
            db.get(Call, call_id).last_step = step

    def mark_queued(self, call_id: int) -> None:
        with self.sessions() as db, db.begin():
            call = db.get(Call, call_id)
            call.queued_at = self.settings.now()
            call.last_step = "queue"

    # --- tickets ---
    def save_ticket(self, call_id: int, ticket_id: int | None, last_step: str | None = None,
                    **fields) -> TicketView:
        """Create the call's draft ticket, or update it with what the caller added (and where the
        caller is now, `last_step`, in the same write)."""
        with self.sessions() as db, db.begin():
            call = db.get(Call, call_id)
            if last_step:
                call.last_step = last_step
            if ticket_id is None:
                t = create_ticket(db, self.settings.now(), caller_number=call.caller)
                call.ticket_id = t.id
            else:
                t = db.get(Ticket, ticket_id)
            for k, v in fields.items():
                setattr(t, k, v)
            if "account_id" in fields and fields["account_id"]:
                acc = db.get(HeatingAccount, fields["account_id"])
                t.address_snapshot, t.name_snapshot = acc.address, acc.name
                station = station_for(db, acc.district, acc.compound, acc.building)
                t.station_id = station.id if station else None
            db.flush()
            return TicketView(t.id, t.number, t.state, "")

    def attach_ticket(self, call_id: int, ticket_id: int) -> None:
        with self.sessions() as db, db.begin():
            db.get(Call, call_id).ticket_id = ticket_id

    def request_callback(self, uniqueid: str, outcome: CallOutcome) -> TicketView | None:
        """Flag the call's ticket for call-back (creating one if the call has none); the call's
        outcome is the reason, kept on the ticket for the call-back list."""
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
            if call is None:
                return None
            call.outcome = outcome
            call.ended_at = call.ended_at or self.settings.now()
            if call.ticket_id is not None:
                t = db.get(Ticket, call.ticket_id)
                t.callback_requested, t.callback_reason = True, outcome
                return TicketView(t.id, t.number, t.state, "")
            call_id, caller = call.id, call.caller
        return self.save_ticket(call_id, None, callback_requested=True, callback_reason=outcome,
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
            # hashed before anything is written: SQLite's write lock is not held while a
            # long recording is read
            call.ended_at = self.settings.now()
            flagged = _seal_recordings(db, call, self.settings, call.ended_at)
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
            call.answered_at = self.settings.now()
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
                store_token(db, token, OUT, uniqueid, self.settings.now())
            agent = db.scalar(select(User).where(User.agent_no == agent_no)) if agent_no.isdigit() else None
            t = self._call_out_ticket(db, str(ticket or ""), number, agent)
            call = Call(uniqueid=uniqueid, linkedid=linkedid or uniqueid, caller=number, direction="out",
                        ticket_id=t.id if t else None, agent_id=agent.id if agent else None,
                        ivr_at=self.settings.now(), last_step="dial")
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
        since = self.settings.now() - timedelta(minutes=self.settings.callback_take_min)
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
            now = self.settings.now()
            status = str(dial_status or "").strip().upper()
            call.outcome = CALL_OUT_OUTCOMES.get(status, CallOutcome.failed)
            call.ended_at, call.last_step = now, f"dial:{status.lower() or 'none'}"[:32]
            if call.outcome is CallOutcome.answered:
                try:
                    talked = min(max(float(answered_s or 0), 0.0), 86400.0)
                except ValueError:
                    talked = 0.0
                call.answered_at = now - timedelta(seconds=talked)
            else:
                _discard_unrecorded(db, call, self.settings)
            flagged = _seal_recordings(db, call, self.settings, now)
            outcome = call.outcome
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


def _seal_recordings(db: Session, call: Call, settings: Settings, ended_at: datetime) -> list[tuple[str, str]]:
    """After hang-up: each of the call's recordings checked (ivr.storage) — a good or short file
    gets its duration and sha256, an empty or missing one no sha256 at all (never the digest of
    nothing) — and every flag audited. Returns (path, health) of the flagged ones."""
    recs = list(db.scalars(select(Recording).where(Recording.call_id == call.id, Recording.health == "")))
    if not recs:
        return []
    paths = [confined(rec.path, [settings.recordings_dir]) for rec in recs]
    expected = (ended_at - call.answered_at).total_seconds() if call.answered_at is not None else None
    flagged = []
    for rec, p, (health, seconds) in zip(recs, paths, storage.judge_recordings(paths, expected)):
        rec.health, rec.checked_at = health, ended_at
        if health in (storage.OK, storage.SHORT):
            rec.sha256 = hashlib.sha256(p.read_bytes()).hexdigest()
            rec.duration_s = seconds
        if health in storage.FLAGGED:
            db.flush()
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


@dataclass
class IvrContext:
    """What a flow reaches besides its channel: the settings and the call records, run off the
    event loop. Writes on SQLite go through one writer thread: SQLite takes one writer at a time,
    and writers racing for its lock sleep in its busy handler (up to 100 ms a turn) while holding
    threads of the pool — at 540 callers a query waited over a second for a thread (benchmarks/
    ivr_sipp.py). Reads, and writes on PostgreSQL (row locks), share a pool of `db_threads`."""
    settings: Settings
    records: Records
    #: the automated 回访 call's line to the service (ivr.survey.SurveyLine), set by the service;
    #: None where no service runs (classic AGI): the survey flows then hang up
    surveys: Any = None
    #: the service's look at the recordings disk's free space as a call is answered (an async
    #: callable, ivr.storage.StorageWatch behind it); None where no service runs
    storage_check: Any = None
    _readers: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _writers: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)

    @classmethod
    def create(cls, settings: Settings) -> "IvrContext":
        return cls(settings, Records(session_factory(make_engine(settings.database_url)), settings))

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
        return await asyncio.get_running_loop().run_in_executor(pool, job)

    def close(self) -> None:
        for pool in {self._readers, self._writers} - {None}:
            pool.shutdown(wait=False, cancel_futures=True)
