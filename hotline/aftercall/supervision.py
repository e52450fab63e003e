"""The board's and the wall's figures from the records (#30): who works the phones and whether they are
logged in, what each answered today, where a waiting caller's IVR answers put them, and the line's
figures so far today (service level, repairs open and overdue, open complaints). Reads only, each a
few indexed queries: the board is rebuilt at most once a second while a lead or a wall watches."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (OPEN_STATES, AgentPause, AnomalyRecord, AnomalyState, AnomalyType, ApiSession, Call,
                       HeatingAccount, Role, Ticket, TicketState, User)
from hotline.aftercall.reports.figures import ReportPolicy, day_bounds, reporting_day
from common import wire

#: who is on the board: the people at a phone that takes queue calls
BOARD_ROLES = (Role.agent, Role.team_lead)
#: the anomaly timers that make a repair overdue (异常 1–3, a draft not confirmed)
TIMER_TYPES = tuple(AnomalyType(t) for t in wire.ANOMALY_TIMER_TYPES)
COMPLAINTS = (AnomalyType.complaint_technician, AnomalyType.complaint_billing)


def board_people(db: Session, now: datetime, since: datetime) -> list[dict]:
    """Every active agent and team lead: logged in now?, calls answered since `since`, and the start of
    an open pause (Asterisk's, as the pause log has it — it outlives a restart of the service)."""
    users = db.execute(select(User.id, User.agent_no, User.name, User.role)
                       .where(User.active.is_(True), User.role.in_(BOARD_ROLES)).order_by(User.agent_no)).all()
    online = set(db.scalars(select(ApiSession.user_id).where(ApiSession.ended_at.is_(None),
                                                             ApiSession.expires_at > now)))
    taken = dict(db.execute(select(Call.agent_id, func.count(Call.id))
                            .where(Call.answered_at >= since, Call.agent_id.is_not(None))
                            .group_by(Call.agent_id)).all())
    paused = dict(db.execute(select(AgentPause.user_id, func.max(AgentPause.started_at))
                             .where(AgentPause.ended_at.is_(None)).group_by(AgentPause.user_id)).all())
    return [{"agent_no": u.agent_no, "name": u.name, "role": u.role.value, "logged_in": u.id in online,
             "calls_today": taken.get(u.id, 0), "paused_since": paused.get(u.id)} for u in users]


def waiting_details(db: Session, uniqueids: list[str]) -> dict[str, dict]:
    """uniqueid → the priority and the IVR's answers (category, district) of a waiting caller's call."""
    if not uniqueids:
        return {}
    rows = db.execute(select(Call.uniqueid, Ticket.priority, Ticket.category, HeatingAccount.district)
                      .join(Ticket, Ticket.id == Call.ticket_id, isouter=True)
                      .join(HeatingAccount, HeatingAccount.id == Ticket.account_id, isouter=True)
                      .where(Call.uniqueid.in_(uniqueids))).all()
    return {r.uniqueid: {"priority": r.priority or 0,
                         "ivr": {k: v for k, v in (("category", r.category.value if r.category else ""),
                                                   ("district", r.district or "")) if v}} for r in rows}


def _level(pairs, within_s: int) -> tuple[float | None, int]:
    """The share of queued calls answered within `within_s` (None with no call), and how many."""
    offered = len(pairs)
    if not offered:
        return None, 0
    fast = sum(1 for q, a in pairs if a is not None and (a - q).total_seconds() <= within_s)
    return round(fast / offered, 3), offered


def line_figures(db: Session, now: datetime, policy: ReportPolicy) -> dict:
    """Today's figures so far (the reporting day holding `now`) and the last hour's service level."""
    start, _end = day_bounds(reporting_day(now, policy), policy)
    pairs = db.execute(select(Call.queued_at, Call.answered_at)
                       .where(Call.queued_at >= start, Call.direction == "in")).all()
    level, offered = _level(pairs, policy.queue.service_level_s)
    hour = [(q, a) for q, a in pairs if q >= now - timedelta(hours=1)]
    level_hour, calls_hour = _level(hour, policy.queue.service_level_s)
    open_repairs = db.scalar(select(func.count(Ticket.id)).where(Ticket.state.in_(OPEN_STATES),
                                                                 Ticket.state != TicketState.draft)) or 0
    overdue = db.scalar(select(func.count(func.distinct(AnomalyRecord.ticket_id)))
                        .where(AnomalyRecord.type.in_(TIMER_TYPES), AnomalyRecord.state != AnomalyState.closed)) or 0
    complaints = db.scalar(select(func.count(AnomalyRecord.id))
                           .where(AnomalyRecord.type.in_(COMPLAINTS), AnomalyRecord.state != AnomalyState.closed)) or 0
    return {"service_level": level, "offered_today": offered,
            "answered_today": sum(1 for _q, a in pairs if a is not None),
            "service_level_last_hour": level_hour, "calls_last_hour": calls_hour,
            "open_repairs": open_repairs, "overdue_repairs": overdue, "open_complaints": complaints}
