"""The anomaly register (异常事件): each has a type (1–9 of the rules), an owner, a state (open →
handled → closed, with the result) and a deadline. Types 1–3 are raised by the timers from a
ticket's stored timeline (so they survive a restart: checked at start and every minute), and so is
the system's own confirm_late (a 待确认 repair nobody confirmed in time); 4–9 are
recorded by agents and team leads on a call or a ticket. Complaints (6, 7, 9) are escalated at
once: they stay on the head's and the team leads' desks until each has acknowledged them."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from db.models import (AT_STATION, ESCALATED_ANOMALIES, TIMER_ANOMALIES, AnomalyAck, AnomalyRecord, AnomalyState,
                       AnomalyType, Role, Ticket, TicketState, User)
from db.queries import iso
from hotline.aftercall.lifecycle import Timers, last_entered, late, live_call
from hotline.aftercall.rules import SUPERVISORS, Actor, Refused, RuleError, add_audit, ticket_by_number


@dataclass(frozen=True)
class Deadlines:
    timer_h: int = 1          # a late station or technician: chased within the hour
    complaint_h: int = 24     # complaints: a result within a day
    other_h: int = 72         # praise, suggestions, unreachable: within three days

    def of(self, kind: AnomalyType) -> timedelta:
        hours = self.timer_h if kind in TIMER_ANOMALIES else \
            self.complaint_h if kind in ESCALATED_ANOMALIES else self.other_h
        return timedelta(hours=hours)


class AnomalyRegister:
    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime], timers: Timers = Timers(),
                 deadlines: Deadlines = Deadlines()):
        self.sessions, self.now, self.timers, self.deadlines = sessions, now, timers, deadlines

    def entry(self, a: AnomalyRecord, acked: bool = False) -> dict:
        """As the register lists it (wire.SAMPLE_ANOMALY)."""
        return {"id": a.id, "type": a.type.value, "state": a.state.value,
                "ticket": a.ticket.number if a.ticket else None, "opened_at": iso(a.opened_at),
                "opened_by": a.opened_by.agent_no if a.opened_by else "system", "deadline": iso(a.deadline),
                "owner": a.owner.agent_no if a.owner else None, "note": a.note, "result": a.result,
                "escalated": a.type in ESCALATED_ANOMALIES, "acknowledged": acked,
                "about_agent": a.about_agent.agent_no if a.about_agent else None,
                "overdue": a.state is not AnomalyState.closed and a.deadline < self.now()}

    @staticmethod
    def _options():
        return (selectinload(AnomalyRecord.ticket), selectinload(AnomalyRecord.owner),
                selectinload(AnomalyRecord.opened_by), selectinload(AnomalyRecord.about_agent))

    # ------------------------------------------------------------- recorded --
    def record(self, actor: Actor, kind: str, ticket_number: str | None = None, note: str = "",
               about_agent: str | None = None) -> dict:
        """Types 4–9, by an agent (on their call's ticket: the desk checks that), a team lead, or a
        station's people on their own station's ticket. `about_agent`: the 工号 of a hotline agent the
        entry is about (a complaint about them, praise of them: the QA results count it)."""
        try:
            t = AnomalyType(kind)
        except ValueError:
            raise RuleError(422, f"没有这个异常类型: {kind}") from None
        if t in TIMER_ANOMALIES:
            raise RuleError(422, "超时类异常由系统按时限自动登记")
        if actor.role not in SUPERVISORS + (Role.agent, Role.station):
            raise Refused("异常事件由座席、领班和维修站登记", "anomaly_refused", "anomaly", kind)
        note = (note or "").strip()[:2000]
        if not note:
            raise RuleError(422, "请写明异常情况")
        with self.sessions() as db, db.begin():
            ticket = None
            if ticket_number:
                ticket = ticket_by_number(db, ticket_number)
            if actor.role is Role.station and (ticket is None or ticket.station_id != actor.station_id):
                raise Refused("维修站只能在本站的报修单上登记异常", "anomaly_refused", "ticket", ticket_number or "")
            about = None
            if about_agent:
                about = db.scalar(select(User).where(User.agent_no == str(about_agent)[:16],
                                                     User.role.in_((Role.agent, Role.team_lead))))
                if about is None:
                    raise RuleError(422, f"没有这个话务员工号: {str(about_agent)[:16]}")
            now = self.now()
            # a complaint belongs to the head and the team leads together until one takes it
            owner = None if t in ESCALATED_ANOMALIES or actor.role is Role.agent else actor.user_id
            a = AnomalyRecord(type=t, ticket_id=ticket.id if ticket else None, opened_at=now,
                              opened_by_id=actor.user_id, owner_id=owner, deadline=now + self.deadlines.of(t),
                              note=note, about_agent_id=about.id if about else None)
            db.add(a)
            db.flush()
            add_audit(db, actor.agent_no, "anomaly", "anomaly", str(a.id), type=t.value,
                      ticket=ticket.number if ticket else None, about_agent=about.agent_no if about else None)
            db.refresh(a)
            return self.entry(a)

    def _get(self, db: Session, aid) -> AnomalyRecord:
        try:
            key = int(str(aid)[:12])
        except ValueError:
            raise RuleError(404, "没有这条异常登记") from None
        a = db.scalar(select(AnomalyRecord).where(AnomalyRecord.id == key).options(*self._options()))
        if a is None:
            raise RuleError(404, "没有这条异常登记")
        return a

    def _supervisor(self, actor: Actor, what: str, aid) -> None:
        if not actor.supervises:
            raise Refused("异常事件由领班和部长跟踪处理", f"anomaly_{what}_refused", "anomaly", str(aid))

    def handle(self, actor: Actor, aid, result: str) -> dict:
        """open → handled: what was done (the owner becomes whoever handled it)."""
        self._supervisor(actor, "handle", aid)
        result = (result or "").strip()[:2000]
        if not result:
            raise RuleError(422, "请写明处理情况")
        with self.sessions() as db, db.begin():
            a = self._get(db, aid)
            if a.state is not AnomalyState.open:
                raise RuleError(409, "这条异常已处理")
            a.state, a.result, a.handled_at = AnomalyState.handled, result, self.now()
            a.owner_id = a.owner_id or actor.user_id
            add_audit(db, actor.agent_no, "anomaly_handle", "anomaly", str(a.id), result=result)
            db.flush()
            db.refresh(a)
            return self.entry(a)

    def close(self, actor: Actor, aid, result: str = "") -> dict:
        """→ closed, with the result (an open one may be closed at once with its result)."""
        self._supervisor(actor, "close", aid)
        result = (result or "").strip()[:2000]
        with self.sessions() as db, db.begin():
            a = self._get(db, aid)
            if a.state is AnomalyState.closed:
                raise RuleError(409, "这条异常已关闭")
            if not (result or a.result):
                raise RuleError(422, "关闭请写明结果")
            a.state, a.closed_at = AnomalyState.closed, self.now()
            a.result = result or a.result
            a.owner_id = a.owner_id or actor.user_id
            add_audit(db, actor.agent_no, "anomaly_close", "anomaly", str(a.id), result=a.result)
            db.flush()
            db.refresh(a)
            return self.entry(a)

    def ack(self, actor: Actor, aid) -> None:
        """This person has seen the escalation: it leaves their desk."""
        self._supervisor(actor, "ack", aid)
        with self.sessions() as db, db.begin():
            a = self._get(db, aid)
            if db.scalar(select(AnomalyAck.id).where(AnomalyAck.anomaly_id == a.id,
                                                     AnomalyAck.user_id == actor.user_id)) is None:
                db.add(AnomalyAck(anomaly_id=a.id, user_id=actor.user_id, at=self.now()))
                add_audit(db, actor.agent_no, "anomaly_ack", "anomaly", str(a.id))

    # -------------------------------------------------------------- reading --
    def register(self, actor: Actor | None, open_only: bool = False, limit: int = 500) -> list[dict]:
        """The register, newest first (`actor` None: the admin's CLI view)."""
        if actor is not None:
            self._supervisor(actor, "view", "")
        stmt = select(AnomalyRecord).options(*self._options()).order_by(AnomalyRecord.id.desc()).limit(limit)
        if open_only:
            stmt = stmt.where(AnomalyRecord.state != AnomalyState.closed)
        with self.sessions() as db:
            acked = set(db.scalars(select(AnomalyAck.anomaly_id).where(AnomalyAck.user_id == actor.user_id))) \
                if actor is not None else set()
            return [self.entry(a, a.id in acked) for a in db.scalars(stmt)]

    def unacknowledged(self, actor: Actor) -> list[dict]:
        """Escalations still open that this person has not acknowledged (shown again at login)."""
        if not actor.supervises:
            return []
        with self.sessions() as db:
            seen = select(AnomalyAck.anomaly_id).where(AnomalyAck.user_id == actor.user_id)
            rows = db.scalars(select(AnomalyRecord).options(*self._options())
                              .where(AnomalyRecord.type.in_(ESCALATED_ANOMALIES),
                                     AnomalyRecord.state != AnomalyState.closed, AnomalyRecord.id.not_in(seen))
                              .order_by(AnomalyRecord.id)).all()
            return [self.entry(a) for a in rows]

    def supervisors(self) -> list[str]:
        """Who escalations go to: the head and the team leads with an active login."""
        with self.sessions() as db:
            return list(db.scalars(select(User.agent_no).where(User.role.in_((Role.head, Role.team_lead)),
                                                               User.active.is_(True))))

    # --------------------------------------------------------------- timers --
    def check_timers(self) -> list[dict]:
        """Raise 异常 1–3 for tickets at a station past their timers, from the stored timeline: once
        per ticket, type and dispatch (a re-dispatched ticket can be late again)."""
        now = self.now()
        raised = []
        with self.sessions() as db, db.begin():
            # at a station, or a draft of an ended call (待确认) old enough to be late
            waiting = (Ticket.state == TicketState.draft) & ~live_call(now) & \
                (Ticket.created_at < now - timedelta(minutes=self.timers.confirm_min))
            tickets = db.scalars(select(Ticket).where(Ticket.state.in_(AT_STATION) | waiting)
                                 .options(selectinload(Ticket.transitions))).all()
            if not tickets:
                return []
            existing = db.execute(select(AnomalyRecord.ticket_id, AnomalyRecord.type, AnomalyRecord.opened_at)
                                  .where(AnomalyRecord.ticket_id.in_([t.id for t in tickets]),
                                         AnomalyRecord.type.in_(TIMER_ANOMALIES))).all()
            for t in tickets:
                # a timer of a dispatch is raised once per dispatch; the confirm timer once per ticket
                since = last_entered(t, TicketState.dispatched) or t.created_at
                for kind in late(t, now, self.timers):
                    k = AnomalyType(kind)
                    if any(tid == t.id and typ is k and at >= since for tid, typ, at in existing):
                        continue
                    a = AnomalyRecord(type=k, ticket_id=t.id, opened_at=now, deadline=now + self.deadlines.of(k),
                                      note=_TIMER_NOTES[k].format(t=self.timers))
                    db.add(a)
                    db.flush()
                    add_audit(db, "system", "anomaly", "anomaly", str(a.id), type=k.value, ticket=t.number)
                    raised.append(a.id)
            db.flush()
            rows = db.scalars(select(AnomalyRecord).where(AnomalyRecord.id.in_(raised))
                              .options(*self._options())).all() if raised else []
            return [self.entry(a) for a in rows]


_TIMER_NOTES = {AnomalyType.station_late: "派单后 {t.accept_min} 分钟站点未接单",
                AnomalyType.contact_late: "接单后 {t.contact_min} 分钟维修工未联系住户",
                AnomalyType.over_4h: "派单后超过 {t.open_h} 小时仍未完成",
                AnomalyType.confirm_late: "待确认超过 {t.confirm_min} 分钟未确认(系统)"}
