"""The pause log: each stretch an agent was unavailable to the queue and why (示忙 reasons,
话后整理, 未接听), written as Asterisk reports the member's pause state. Protocol-free, one
transaction per method (like `ivr.context.Records`); it feeds the reports and `hotline agents pauses`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import AgentPause, User
from db.queries import pause_totals


class PauseLog:
    def __init__(self, sessions: sessionmaker[Session], now):
        self.sessions, self.now = sessions, now

    def changed(self, agent_no: str, paused: bool, reason: str) -> None:
        """The member is now paused with `reason` (or not paused): the open stretch ends when the
        reason changes or the pause ends, and a new one opens if still paused."""
        self.sync({agent_no: reason if paused else None})

    def sync(self, states: dict[str, str | None]) -> None:
        """Many members at once (after QueueStatus): {工号: pause reason, or None if available}."""
        if not states:
            return
        now = self.now()
        with self.sessions() as db, db.begin():
            users = dict(db.execute(select(User.agent_no, User.id).where(User.agent_no.in_(list(states)))).all())
            open_rows = {r.user_id: r for r in db.scalars(
                select(AgentPause).where(AgentPause.user_id.in_(list(users.values())), AgentPause.ended_at.is_(None)))}
            for no, reason in states.items():
                uid = users.get(no)
                if uid is None:
                    continue
                row = open_rows.get(uid)
                if row is not None and (reason is None or row.reason != reason):
                    row.ended_at = now
                    row = None
                if reason is not None and row is None:
                    db.add(AgentPause(user_id=uid, reason=reason, started_at=now))

    def totals(self, since: datetime, until: datetime | None = None) -> list[dict]:
        with self.sessions() as db:
            return pause_totals(db, since, until or self.now())
