"""Every caller accounted for, whatever died. Run at the service's start and every minute:

- Calls the service never saw end — they went down the dialplan's degraded path while the service
  or the database was away, or hung up while it was — are read back from Asterisk's queue_log (the
  queue's own lines and the dialplan's HOTLINE_DEGRADED / HOTLINE_NOAGENT / HOTLINE_HANGUP, stored
  by `db.queue_log`) into call records, so the reports count them; a caller who waited or was turned
  away and hung up is booked for call-back from the caller id, as the degraded path promised.
- Calls whose channel is gone with no end recorded (Asterisk died under them, or restarted) are
  closed `interrupted` and their ticket flagged for call-back (`close_interrupted`); the caller's
  channels come from the service's AMI connection, never from here.

Protocol-free: the queue_log and the database in, transactions out.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Call, CallOutcome, Ticket, User
from db.queue_log import QueueLogLine, events_of, ingest, parse_line
from db.tickets import create_ticket
from common.naming import QUEUE, agent_no_of
from common.phones import is_valid_callback, mask_phone, normalise_caller_id

log = logging.getLogger("hotline.reconcile")

#: queue_log events that end a caller's time in the queue, and what the call was
_ENDS = {"COMPLETECALLER": CallOutcome.answered, "COMPLETEAGENT": CallOutcome.answered,
         "ABANDON": CallOutcome.abandoned, "EXITEMPTY": CallOutcome.abandoned,
         "EXITWITHTIMEOUT": CallOutcome.abandoned, "EXITWITHKEY": CallOutcome.abandoned}
#: the dialplan's own lines (QueueLog() in [hotline]): the caller entered the degraded path
#: (data1: caller id digits); the no-agent branch ran while the service was away (data1:
#: QUEUESTATUS, data2: caller id); the hang-up handler could not reach the service (data1: caller
#: id, data2: 1 on the degraded path, data3: QUEUESTATUS)
DEGRADED, NOAGENT, HANGUP = "HOTLINE_DEGRADED", "HOTLINE_NOAGENT", "HOTLINE_HANGUP"
#: outcomes of a caller who ended before an agent answered: on the call-back list
_OWED = (CallOutcome.abandoned, CallOutcome.no_agent, CallOutcome.max_wait)
#: what the call records mark a reconciled call with (the IVR never ran for it)
RECONCILED = "reconciled"
#: a hotline uniqueid: Asterisk's `<epoch>.<sequence>`, after `<node>-` on a named node
_UNIQUEID = re.compile(r"(?:([A-Za-z0-9_-]{1,16})-)?[0-9]{9,12}\.[0-9]{1,10}")


@dataclass
class QueueCall:
    uniqueid: str
    caller: str = ""
    entered: datetime | None = None     # joined the queue (first time)
    answered: datetime | None = None
    agent_no: str = ""
    ended: datetime | None = None
    outcome: CallOutcome | None = None
    first: datetime | None = None       # the call's first line
    degraded: bool = False              # came down the degraded path
    no_agent: bool = False              # turned away by the empty queue with the service away
    hung_up: bool = False               # the hang-up handler's own line


def summarise(lines: Iterable[QueueLogLine]) -> dict[str, QueueCall]:
    """The repair queue's finished calls, from their lines in the order written."""
    calls: dict[str, QueueCall] = {}
    for ln in lines:
        if ln.queue != QUEUE or not ln.callid or ln.callid == "NONE":
            continue
        c = calls.setdefault(ln.callid, QueueCall(ln.callid, first=ln.at))
        data = ln.data + ("",) * (3 - len(ln.data))
        if ln.event == "ENTERQUEUE":
            c.entered = c.entered or ln.at
            c.caller = c.caller or normalise_caller_id(data[1])
        elif ln.event == DEGRADED:
            c.degraded, c.caller = True, c.caller or normalise_caller_id(data[0])
        elif ln.event == NOAGENT:
            c.no_agent, c.caller = True, c.caller or normalise_caller_id(data[1])
        elif ln.event == "CONNECT":
            c.answered, c.agent_no = ln.at, agent_no_of(ln.agent)
        elif ln.event in _ENDS:
            c.ended, c.outcome = ln.at, _ENDS[ln.event]
        elif ln.event == HANGUP:
            c.ended, c.hung_up = ln.at, True
            c.caller = c.caller or normalise_caller_id(data[0])
            c.degraded = c.degraded or data[1] == "1"
    for c in calls.values():
        if c.answered is not None and c.ended is not None:
            c.outcome = CallOutcome.answered
        elif c.hung_up:     # ended for good: how far the caller got says what they are owed
            c.outcome = CallOutcome.no_agent if c.no_agent else \
                CallOutcome.abandoned if (c.degraded or c.entered) else CallOutcome.in_ivr_hangup
    return {uid: c for uid, c in calls.items() if c.outcome is not None}


def parse_queue_log(lines) -> dict[str, QueueCall]:
    """`epoch|callid|queue|agent|event|data1|data2|…` lines → the repair queue's finished calls."""
    return summarise(ln for ln in map(parse_line, lines) if ln is not None)


def node_of(uniqueid: str) -> str | None:
    """The node a call's uniqueid names ('' without a node name); None: no channel's uniqueid."""
    m = _UNIQUEID.fullmatch(uniqueid)
    return None if m is None else (m.group(1) or "")


@dataclass(frozen=True)
class OpenCall:
    id: int
    uniqueid: str


class Reconciler:
    def __init__(self, sessions: sessionmaker[Session], queue_log: Path, allowed: frozenset[str] = frozenset(),
                 node: str = "", now=datetime.now):
        # allowed: the installation's dial-out classes beyond the everyday ones (one number policy);
        # node: this node's name (Settings.node_name): its queue_log and its calls alone are its own
        self.sessions, self.queue_log, self.allowed, self.node, self.now = sessions, queue_log, allowed, node, now

    def run(self) -> list[str]:
        """Store the queue_log's new lines and complete the call records they end; the uniqueids
        written (a record made, or an open one closed)."""
        callids = ingest(self.sessions, self.queue_log, self.node, self.now())
        done: list[str] = []
        for i in range(0, len(callids), 500):
            with self.sessions() as db:
                found = summarise(ln for lines in events_of(db, self.node, callids[i:i + 500]).values()
                                  for ln in lines)
            if found:
                done += self._write(found)
        return done

    def _write(self, found: dict[str, QueueCall]) -> list[str]:
        written = []
        with self.sessions() as db, db.begin():
            rows = {c.uniqueid: c for c in db.scalars(select(Call).where(Call.uniqueid.in_(list(found))))}
            agents = dict(db.execute(select(User.agent_no, User.id)
                                     .where(User.agent_no.in_({c.agent_no for c in found.values() if c.agent_no}))).all())
            # the service died while the caller waited, or its requests carried no token (the call came
            # down the degraded path): the record never got its end, nor perhaps its agent
            for uid, call in rows.items():
                if call.outcome is not None:
                    continue
                c = found[uid]
                call.queued_at = call.queued_at or c.entered
                call.answered_at = call.answered_at or c.answered
                call.agent_id = call.agent_id or agents.get(c.agent_no)
                call.ended_at, call.outcome = c.ended, c.outcome
                ticket = db.get(Ticket, call.ticket_id) if call.ticket_id is not None else None
                # hung up in the IVR after the problem or a call-back number was keyed (as end_call)
                keyed = ticket is not None and (ticket.category is not None or bool(ticket.callback_number))
                if c.outcome in _OWED or (c.outcome is CallOutcome.in_ivr_hangup and keyed):
                    self._owe_callback(db, call, ticket, c.outcome, c.ended)
                written.append(uid)
                log.info("call %s closed from the queue_log (%s)", uid, c.outcome.value)
            for c in (c for uid, c in found.items() if uid not in rows):
                call = Call(uniqueid=c.uniqueid, linkedid=c.uniqueid, caller=c.caller,
                            ivr_at=c.first or c.entered or c.ended, queued_at=c.entered, answered_at=c.answered,
                            ended_at=c.ended, agent_id=agents.get(c.agent_no), outcome=c.outcome,
                            last_step=RECONCILED)
                db.add(call)
                if c.outcome in _OWED:   # gave up waiting or turned away: the call-back list is their safety net
                    self._owe_callback(db, call, None, c.outcome, c.ended, note="降级期间来电,事后补录")
                written.append(c.uniqueid)
                log.info("reconciled call %s from %s (%s)", c.uniqueid, mask_phone(c.caller), c.outcome.value)
        return written

    def _owe_callback(self, db: Session, call: Call, ticket: Ticket | None, reason: CallOutcome, at: datetime,
                      note: str = "") -> Ticket:
        """The call's ticket on the call-back list for `reason`; a call without one gets one, to the
        caller id when the hotline may dial it (common.phones)."""
        if ticket is None:
            ticket = create_ticket(db, at, note=note, caller_number=call.caller,
                                   callback_number=call.caller if is_valid_callback(call.caller, self.allowed) else "")
            call.ticket_id = ticket.id
        ticket.callback_requested, ticket.callback_reason = True, reason
        return ticket

    # ------------------------------------------------------------ interrupted --
    def open_calls(self) -> list[OpenCall]:
        """This node's calls without an outcome: taken BEFORE Asterisk is asked which channels
        live, so a call that starts meanwhile is never among those judged gone."""
        with self.sessions() as db:
            rows = db.execute(select(Call.id, Call.uniqueid).where(Call.outcome.is_(None))).all()
        return [OpenCall(i, uid) for i, uid in rows if node_of(uid) == self.node]

    def close_interrupted(self, candidates: list[OpenCall], live: set[str]) -> list[str]:
        """Of `candidates` (`open_calls`, taken before `live` was read), close those whose channel
        is not in `live` (the uniqueids and linkedids of every channel Asterisk has now; no channel
        outlives an Asterisk restart, so a call begun before the current boot is among them):
        outcome `interrupted`, the ticket flagged for call-back; a caller cut off with no ticket who
        can be called back gets one. A call that ended meanwhile (its outcome is in) is left as it
        is. The uniqueids closed."""
        gone = [c for c in candidates if c.uniqueid not in live]
        closed = []
        for i in range(0, len(gone), 500):
            with self.sessions() as db, db.begin():
                for call in db.scalars(select(Call).where(Call.id.in_([c.id for c in gone[i:i + 500]]),
                                                          Call.outcome.is_(None))):
                    self._interrupted(db, call)
                    closed.append(call.uniqueid)
        return closed

    def _interrupted(self, db: Session, call: Call) -> None:
        now = self.now()
        call.outcome, call.ended_at = CallOutcome.interrupted, call.ended_at or now
        if call.direction != "in":      # a call out's ticket is the agent's already
            log.info("call out %s interrupted", call.uniqueid)
            return
        ticket = db.get(Ticket, call.ticket_id) if call.ticket_id is not None else None
        # cut off by the hotline: the draft (or a new ticket, when there is a number to call) goes
        # on the call-back list — the records cannot tell how far a caller got before the first key
        if ticket is not None or is_valid_callback(call.caller, self.allowed):
            self._owe_callback(db, call, ticket, CallOutcome.interrupted, now, note="通话中断,待回电")
        log.warning("call %s from %s interrupted: closed, %s", call.uniqueid, mask_phone(call.caller),
                    "flagged for call-back" if call.ticket_id else "nobody to call back")
