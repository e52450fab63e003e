"""Calls the hotline's records never saw — they went down the dialplan's degraded path while
the service or the database was down — are read back from Asterisk's queue_log into call
records when the service runs again, so the reports count them and nobody who gave up in the
queue is lost: such a caller gets a ticket on the call-back list. Protocol-free: a file in,
one transaction out; run at the service's start and every few minutes."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Call, CallOutcome, Ticket, User
from db.tickets import create_ticket
from hotline.aftercall.reports.queue import QueueEvent
from common.naming import QUEUE, agent_no_of
from common.phones import is_valid_callback, mask_phone, normalise_caller_id

log = logging.getLogger("hotline.reconcile")

#: queue_log events that end a caller's time in the queue, and what the call was
_ENDS = {"COMPLETECALLER": CallOutcome.answered, "COMPLETEAGENT": CallOutcome.answered,
         "ABANDON": CallOutcome.abandoned, "EXITEMPTY": CallOutcome.abandoned,
         "EXITWITHTIMEOUT": CallOutcome.abandoned, "EXITWITHKEY": CallOutcome.abandoned}
#: what the call records mark a reconciled call with (the IVR never ran for it)
RECONCILED = "reconciled"


@dataclass
class QueueCall:
    uniqueid: str
    caller: str = ""
    entered: datetime | None = None
    answered: datetime | None = None
    agent_no: str = ""
    ended: datetime | None = None
    outcome: CallOutcome | None = None


def parse_line(text: str) -> QueueEvent | None:
    """`epoch|callid|queue|agent|event|data1|data2|…` → the event; None for anything else."""
    parts = text.rstrip("\r\n").split("|")
    if len(parts) < 5:
        return None
    try:
        at = datetime.fromtimestamp(int(parts[0]))
    except (ValueError, OverflowError, OSError):
        return None
    return QueueEvent(at, parts[1], parts[2], parts[3], parts[4], tuple(parts[5:]))


def parse_queue_log(lines) -> dict[str, QueueCall]:
    """queue_log lines → the repair queue's finished calls."""
    calls: dict[str, QueueCall] = {}
    for ev in filter(None, map(parse_line, lines)):
        if ev.queue != QUEUE or not ev.callid or ev.callid == "NONE":
            continue
        c = calls.setdefault(ev.callid, QueueCall(ev.callid))
        if ev.event == "ENTERQUEUE":
            c.entered, c.caller = ev.at, normalise_caller_id(ev.data[1] if len(ev.data) > 1 else "")
        elif ev.event == "CONNECT":
            c.answered, c.agent_no = ev.at, agent_no_of(ev.agent)
        elif ev.event in _ENDS:
            c.ended, c.outcome = ev.at, _ENDS[ev.event]
    return {uid: c for uid, c in calls.items() if c.entered and c.outcome}


class Reconciler:
    def __init__(self, sessions: sessionmaker[Session], queue_log: Path, allowed: frozenset[str] = frozenset()):
        # allowed: the installation's dial-out classes beyond the everyday ones (one number policy)
        self.sessions, self.queue_log, self.allowed = sessions, queue_log, allowed

    def run(self) -> list[str]:
        """Write a call record for every finished queue call without one; the uniqueids written."""
        if not self.queue_log.exists():
            return []
        found = parse_queue_log(self.queue_log.read_text(errors="replace").splitlines())
        if not found:
            return []
        return self._write(found)

    def _write(self, found: dict[str, QueueCall]) -> list[str]:
        with self.sessions() as db, db.begin():
            rows = {c.uniqueid: c for c in db.scalars(select(Call).where(Call.uniqueid.in_(list(found))))}
            agents = dict(db.execute(select(User.agent_no, User.id)
                                     .where(User.agent_no.in_({c.agent_no for c in found.values() if c.agent_no}))).all())
            # the service died while the caller waited, or its requests carried no token (the call came
            # down the degraded path): the record never got its end, nor perhaps its agent
            for uid, call in rows.items():
                if call.outcome is None:
                    c = found[uid]
                    call.answered_at = call.answered_at or c.answered
                    call.agent_id = call.agent_id or agents.get(c.agent_no)
                    call.ended_at, call.outcome = c.ended, c.outcome
                    if c.outcome is CallOutcome.abandoned and call.ticket_id is not None:
                        t = db.get(Ticket, call.ticket_id)
                        t.callback_requested, t.callback_reason = True, CallOutcome.abandoned
            missing = [c for uid, c in found.items() if uid not in rows]
            for c in missing:
                call = Call(uniqueid=c.uniqueid, linkedid=c.uniqueid, caller=c.caller, ivr_at=c.entered,
                            queued_at=c.entered, answered_at=c.answered, ended_at=c.ended,
                            agent_id=agents.get(c.agent_no), outcome=c.outcome, last_step=RECONCILED)
                db.add(call)
                if c.outcome is CallOutcome.abandoned:   # gave up waiting: the call-back list is their safety net
                    t = create_ticket(db, c.ended, note="降级期间来电,事后补录", caller_number=c.caller,
                                      callback_number=c.caller if is_valid_callback(c.caller, self.allowed) else "",
                                      callback_requested=True, callback_reason=CallOutcome.abandoned)
                    call.ticket_id = t.id
                log.info("reconciled call %s from %s (%s)", c.uniqueid, mask_phone(c.caller), c.outcome.value)
            return [c.uniqueid for c in missing]
