"""The hold log: each stretch an agent's phone held a call, written as Asterisk reports it (AMI
Hold / Unhold on the agent's own channel, read by the service's one AMI connection); a hold no
Unhold ended is ended with its call (ivr.context.Records.end_call, end_call_out). Protocol-free,
one transaction per method (like `PauseLog`); it feeds the daily report's per-agent hold time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Call, CallHold, User
from common.naming import agent_no_of


def agent_of_channel(channel: str) -> str:
    """'PJSIP/agent-1001-0000002a' → '1001'; '' for a channel that is no agent's phone (the trunk's)."""
    tech, _, rest = str(channel).partition("/")
    no = agent_no_of(rest.rsplit("-", 1)[0]) if tech == "PJSIP" and "-" in rest else ""
    return no if no.isdigit() else ""


class HoldLog:
    def __init__(self, sessions: sessionmaker[Session], now):
        self.sessions, self.now = sessions, now

    def _call_and_user(self, db: Session, agent_no: str, uniqueid: str, linkedid: str) -> tuple[Call | None, int | None]:
        # the agent's leg of a queue call shares the caller's linkedid; a call out is the agent's own channel
        call = db.scalar(select(Call).where(or_(Call.uniqueid == uniqueid, Call.linkedid == linkedid),
                                            Call.direction.in_(("in", "out")))
                         .order_by(Call.ivr_at.desc(), Call.id.desc()).limit(1)) if uniqueid or linkedid else None
        user = db.scalar(select(User.id).where(User.agent_no == agent_no))
        return call, user

    def held(self, agent_no: str, uniqueid: str, linkedid: str) -> bool:
        """The agent's phone put the call on hold: a stretch opens (one at a time per agent and call).
        False when the call or the agent is not the hotline's."""
        with self.sessions() as db, db.begin():
            call, user = self._call_and_user(db, agent_no, uniqueid, linkedid)
            if call is None or user is None or call.ended_at is not None:
                return False
            if db.scalar(select(CallHold.id).where(CallHold.call_id == call.id, CallHold.user_id == user,
                                                   CallHold.ended_at.is_(None))) is None:
                db.add(CallHold(call_id=call.id, user_id=user, started_at=self.now()))
            return True

    def resumed(self, agent_no: str, uniqueid: str, linkedid: str) -> bool:
        """The call is taken off hold: the agent's open stretch on it ends."""
        with self.sessions() as db, db.begin():
            call, user = self._call_and_user(db, agent_no, uniqueid, linkedid)
            if call is None or user is None:
                return False
            now: datetime = self.now()
            rows = list(db.scalars(select(CallHold).where(CallHold.call_id == call.id, CallHold.user_id == user,
                                                          CallHold.ended_at.is_(None))))
            for h in rows:
                h.ended_at = max(now, h.started_at)
            return bool(rows)
