"""The daily report's figures from the hotline's records (and the queue section from Asterisk's
queue_log, `queue.py`): the customer's three sections (每日报修情况, 报修完成情况, 回访情况) and what
is still open, anomalies and complaints, call-backs, agents, stations, repeat callers and hot spots.

Everything is counted *as of the end of the reporting day* from the stored timeline (transitions,
attempts, anomaly times), so a report generated again later gives the same figures unless the past
itself was changed — which is what the signed report's difference shows. Counts and sums only are
stored; the rates are derived by `finish` (after a sum of days too), so a week is the sum of its days.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from db.models import (ESCALATED_ANOMALIES, OPEN_STATES, AnomalyRecord, AnomalyType, Call, CallbackAttempt,
                       CallOutcome, Category, HeatingAccount, Outage, OutageCaller, RepairStation, Survey, Ticket,
                       TicketState, TicketTransition, User)
from db.queries import hold_totals, iso, pause_totals
from db.queue_log import QueueLogLine
from hotline.aftercall.outage_calls import OFF as CALLBACK_OFF
from hotline.aftercall.outages import CALLBACK_REFUSED
from hotline.aftercall.reports.queue import CallRow, QueuePolicy, finish_queue, queue_section
from hotline.aftercall.qa.report import qa_section
from common.phones import mask_phone
from ivr.flows import STEP_WORDS

#: a report's own words for what it counts (the table output, the XLSX headers, the desk later)
CATEGORY_WORDS = {"no_heat": "不热", "leak": "漏水", "noise": "异响", "other": "其他", "unknown": "未分类"}
CHANNEL_WORDS = {"ivr": "语音自助", "agent": "座席受理", "after_hours": "非工作时间留言", "callback": "回电"}
ANOMALY_WORDS = {"station_late": "维修班未按时接单", "contact_late": "维修人员未按时联系住户", "over_4h": "维修超过4小时",
                 "unreachable": "维修站及维修人员电话无人接听", "praise": "住户表扬", "complaint_technician": "投诉维修人员",
                 "complaint_billing": "投诉收费人员", "suggestion": "意见或建议", "forwarded": "供热办转达",
                 "confirm_late": "待确认超时"}
ATTITUDES = ("satisfied", "average", "unsatisfied")
#: where a caller hung up, beside the flow's own steps (ivr.flows.STEP_WORDS): a call written afterwards
#: from the queue_log (hotline.service.reconcile.RECONCILED) has no step the flow recorded
STEPS = {**STEP_WORDS, "reconciled": "不明(服务中断,事后据 queue_log 补录)"}
#: how long a repair has been open at the end of the day
AGES = (("lt_4h", "4小时内", 4), ("4h_24h", "4–24小时", 24), ("1d_3d", "1–3天", 72), ("gt_3d", "3天以上", None))
#: call-back attempts that take an entry off the list
_CLEARS = ("reached", "called_in", "closed")


@dataclass(frozen=True)
class ReportPolicy:
    day_start: time = time(8, 0)
    queue: QueuePolicy = QueuePolicy()
    hot_spot_repairs: int = 3
    hot_spot_min: int = 60
    over_h: int = 4                      # 异常 3: a repair open longer than this after dispatch
    season_start: str = "11-15"
    season_end: str = "03-15"
    fcr_days: int = 3                    # first-call resolution: no call again about it within this many days


def report_policy(settings) -> ReportPolicy:
    try:
        start = time.fromisoformat(settings.report_day_start)
    except ValueError:
        raise ValueError(f"HOTLINE_REPORT_DAY_START should be HH:MM, not {settings.report_day_start!r}") from None
    return ReportPolicy(start, QueuePolicy(settings.report_service_level_s, settings.report_short_abandon_s),
                        max(2, settings.report_hot_spot_repairs), max(1, settings.report_hot_spot_min),
                        settings.anomaly_open_h, settings.season_start, settings.season_end,
                        max(1, settings.report_fcr_days))


def day_bounds(day: date, policy: ReportPolicy) -> tuple[datetime, datetime]:
    """The reporting day D: D at the day start → D+1 at the day start."""
    start = datetime.combine(day, policy.day_start)
    return start, start + timedelta(days=1)


def reporting_day(at: datetime, policy: ReportPolicy) -> date:
    """The reporting day a moment belongs to (before the day start: the day before's)."""
    return at.date() if at.time() >= policy.day_start else at.date() - timedelta(days=1)


def _count(items: Iterable) -> dict:
    return dict(sorted(Counter(items).items()))


def _first_entered(db: Session, state: TicketState, start: datetime, end: datetime) -> dict[int, datetime]:
    """{ticket id: when it first entered `state`} for those whose first time falls in [start, end).
    Only a ticket that entered it in the window can have entered it first there: those (an index
    range of the window), then their moves by ticket — never every move of the season before `end`.
    The state is picked inside the MIN, not beside the ticket ids: SQLite would take the (state, at)
    index for a `state =` there and read the whole season's moves into that state."""
    entered = select(TicketTransition.ticket_id).where(TicketTransition.state == state, TicketTransition.at >= start,
                                                       TicketTransition.at < end)
    first = func.min(case((TicketTransition.state == state, TicketTransition.at)))
    return dict(db.execute(select(TicketTransition.ticket_id, first)
                           .where(TicketTransition.ticket_id.in_(entered), TicketTransition.at < end)
                           .group_by(TicketTransition.ticket_id).having(first >= start)).all())


def channel_of(t: Ticket) -> str:
    """How a repair came: the after-hours message, a call-back (key 1, abandoned, no agent, the
    maximum wait), an agent who answered its call, else the IVR alone (keyed, confirmed later)."""
    if t.callback_reason is CallOutcome.after_hours_message or any(
            c.outcome is CallOutcome.after_hours_message for c in t.calls):
        return "after_hours"
    if t.callback_reason is not None:
        return "callback"
    if any(c.answered_at is not None and c.direction == "in" for c in t.calls) or not t.calls:
        return "agent"
    return "ivr"


def _where(t: Ticket) -> tuple[str, str, str]:
    a = t.account
    return (a.district, a.compound, a.building) if a else ("", "", "")


# how a repair is counted under a figure's buckets (the report's counts and its drill-down both ask here)
def problem_of(t: Ticket) -> str:
    return t.category.value if t.category else "unknown"


def district_of(t: Ticket) -> str:
    return _where(t)[0] or "未知"


def station_of(t: Ticket) -> str:
    return t.station.name if t.station else "未派单"


def reopened(t: Ticket) -> bool:
    return t.followup_of_id is not None


#: what a repair's figures read of it, loaded with it
TICKET_LOAD = (selectinload(Ticket.account), selectinload(Ticket.station), selectinload(Ticket.calls))


def tickets_of(db: Session, ids) -> list[Ticket]:
    ids = list(ids)
    return list(db.scalars(select(Ticket).where(Ticket.id.in_(ids)).options(*TICKET_LOAD))) if ids else []


def received_tickets(db: Session, start: datetime, end: datetime) -> list[Ticket]:
    """Repairs that became a confirmed repair in [start, end) (their first move to `new`)."""
    return tickets_of(db, _first_entered(db, TicketState.new, start, end))


def completed_tickets(db: Session, start: datetime, end: datetime) -> list[Ticket]:
    """Repairs first completed (返单) in [start, end)."""
    return tickets_of(db, _first_entered(db, TicketState.completed, start, end))


def drafts_waiting(start: datetime, end: datetime):
    """The ids of the day's drafts still 待确认."""
    return select(Ticket.id).where(Ticket.created_at >= start, Ticket.created_at < end,
                                   Ticket.state == TicketState.draft)


def surveys_in(start: datetime, end: datetime):
    """The 回访 done in [start, end)."""
    return select(Survey).where(Survey.at >= start, Survey.at < end)


def tickets_section(db: Session, start: datetime, end: datetime, policy: ReportPolicy,
                    received: list[Ticket] | None = None) -> dict:
    received = received_tickets(db, start, end) if received is None else received
    completed = completed_tickets(db, start, end)
    sv = list(db.scalars(surveys_in(start, end)))
    drafts = db.scalar(select(func.count()).select_from(drafts_waiting(start, end).subquery())) or 0
    return {
        "received": len(received),
        "by_problem": _count(map(problem_of, received)),
        "by_district": _count(map(district_of, received)),
        "by_station": _count(map(station_of, received)),
        "by_channel": {k: sum(channel_of(t) == k for t in received) for k in CHANNEL_WORDS},
        "reopened": sum(map(reopened, received)),
        "drafts_waiting": drafts,
        "completed": len(completed),
        "completed_by_station": _count(map(station_of, completed)),
        "completed_by_problem": _count(map(problem_of, completed)),
        "followed_up": len(sv),
        "survey": {"surveys": len(sv), "solved": sum(s.solved for s in sv),
                   "attitude": {a: sum(s.attitude == a for s in sv) for a in ATTITUDES},
                   "score_sum": sum(s.score for s in sv), "charged": sum(bool(s.charged) for s in sv),
                   "fee_reminders": sum(s.fee_reminder is True for s in sv),
                   "by_agent": sum(s.channel != "ivr" for s in sv), "by_ivr": sum(s.channel == "ivr" for s in sv)},
        "open_by_age": open_by_age(db, end),
    }


def open_by_age(db: Session, end: datetime) -> dict:
    """Repairs still open at `end` by how long since they were received (`open_ages`)."""
    out = {k: 0 for k, _w, _h in AGES}
    for age in open_ages(db, end).values():
        out[age] += 1
    out["total"] = sum(out.values())
    return out


def open_ages(db: Session, end: datetime) -> dict[int, str]:
    """{ticket id: its AGES key} of the repairs still open at `end` (confirmed, not yet completed,
    resolved, closed or cancelled) — read from the timeline, so later moves change nothing."""
    # open now, or moved since `end` (perhaps open then)
    cand = select(Ticket.id).where(Ticket.created_at < end,
                                   or_(Ticket.state.in_(OPEN_STATES), Ticket.updated_at >= end))
    rows = db.execute(select(TicketTransition.ticket_id, TicketTransition.state, TicketTransition.at)
                      .where(TicketTransition.ticket_id.in_(cand), TicketTransition.at < end)
                      .order_by(TicketTransition.ticket_id, TicketTransition.at, TicketTransition.id)).all()
    state: dict[int, TicketState] = {}
    since: dict[int, datetime] = {}
    for tid, st, at in rows:
        state[tid] = st
        if st is TicketState.new:
            since.setdefault(tid, at)
    out = {}
    for tid, st in state.items():
        if st in OPEN_STATES and st is not TicketState.draft and tid in since:
            hours = (end - since[tid]).total_seconds() / 3600
            out[tid] = next(k for k, _w, h in AGES if h is None or hours < h)
    return out


def anomalies_section(db: Session, start: datetime, end: datetime) -> tuple[dict, list[dict]]:
    """By type: opened in the day, and their state at its end; still open at its end (whenever
    opened). And the complaints one by one with their result."""
    def state_at(a: AnomalyRecord) -> str:
        return "closed" if a.closed_at and a.closed_at < end else "handled" if a.handled_at and a.handled_at < end \
            else "open"
    rows = list(db.scalars(select(AnomalyRecord).where(
        AnomalyRecord.opened_at < end,
        or_(AnomalyRecord.opened_at >= start, AnomalyRecord.closed_at.is_(None), AnomalyRecord.closed_at >= end))
        .options(selectinload(AnomalyRecord.ticket), selectinload(AnomalyRecord.owner))
        .order_by(AnomalyRecord.opened_at, AnomalyRecord.id)))
    by_type = {}
    for t in AnomalyType:
        mine = [a for a in rows if a.type is t]
        today = [a for a in mine if a.opened_at >= start]
        by_type[t.value] = {"label": ANOMALY_WORDS[t.value], "opened": len(today),
                            **{s: sum(state_at(a) == s for a in today) for s in ("open", "handled", "closed")},
                            "open_at_end": sum(state_at(a) != "closed" for a in mine)}
    complaints = [{"id": a.id, "type": a.type.value, "label": ANOMALY_WORDS[a.type.value],
                   "ticket": a.ticket.number if a.ticket else None, "opened_at": iso(a.opened_at),
                   "note": a.note, "state": state_at(a), "result": a.result,
                   "handled_at": iso(a.handled_at) if a.handled_at and a.handled_at < end else None,
                   "closed_at": iso(a.closed_at) if a.closed_at and a.closed_at < end else None,
                   "owner": a.owner.agent_no if a.owner else None}
                  for a in rows if a.type in ESCALATED_ANOMALIES and a.opened_at >= start]
    return by_type, complaints


def callbacks_requested(start: datetime, end: datetime):
    """The repairs whose call-back was asked for in [start, end)."""
    return select(Ticket).where(Ticket.callback_reason.is_not(None), Ticket.created_at >= start,
                                Ticket.created_at < end)


def callbacks_reached(start: datetime, end: datetime):
    """The attempts in [start, end) that reached the resident (or they called in and were answered)."""
    return select(CallbackAttempt).where(CallbackAttempt.outcome.in_(("reached", "called_in")),
                                         CallbackAttempt.at >= start, CallbackAttempt.at < end)


def _outstanding_ids(end: datetime):
    """The ids of the call-backs outstanding at `end`: asked for before it (within a month), nothing
    took them off the list before it, and still wanted (or taken off later) — counted in SQL, never
    a month of tickets and attempts loaded for each day."""
    clears = lambda *before: exists().where(CallbackAttempt.ticket_id == Ticket.id,
                                            CallbackAttempt.outcome.in_(_CLEARS), *before)
    return select(Ticket.id).where(Ticket.callback_reason.is_not(None), Ticket.created_at < end,
                                   Ticket.created_at >= end - timedelta(days=31), ~clears(CallbackAttempt.at < end),
                                   or_(Ticket.callback_requested.is_(True), clears()))


def callbacks_outstanding(db: Session, end: datetime) -> list[Ticket]:
    return list(db.scalars(select(Ticket).where(Ticket.id.in_(_outstanding_ids(end))).order_by(Ticket.id)))


def callbacks_section(db: Session, start: datetime, end: datetime) -> dict:
    """Requested in the day (by why), reached in the day, outstanding at its end, and how soon the
    first attempt came after the request."""
    requested = list(db.scalars(callbacks_requested(start, end)))
    first_try: dict[int, datetime] = {}
    for tid, at in db.execute(select(CallbackAttempt.ticket_id, CallbackAttempt.at)
                              .where(CallbackAttempt.ticket_id.in_(callbacks_requested(start, end)
                                                                   .with_only_columns(Ticket.id)),
                                     CallbackAttempt.outcome.not_in(("called_in", "closed")))
                              .order_by(CallbackAttempt.at, CallbackAttempt.id)):
        first_try.setdefault(tid, at)
    reached = db.scalar(select(func.count()).select_from(callbacks_reached(start, end).subquery())) or 0
    outstanding = db.scalar(select(func.count()).select_from(_outstanding_ids(end).subquery())) or 0
    delays = [max(0, int((first_try[t.id] - t.created_at).total_seconds())) for t in requested if t.id in first_try]
    return {"requested": len(requested), "by_reason": _count(t.callback_reason.value for t in requested),
            "reached": reached, "outstanding": outstanding, "attempted": len(delays),
            "first_attempt_sum_s": sum(delays), "first_attempt_max_s": max(delays, default=0)}


def agents_section(db: Session, start: datetime, end: datetime, queue_agents: dict) -> list[dict]:
    """Per person: the queue's figures (queue_log) beside calls made, hold (the phones' Hold/Unhold)
    and pauses by reason (records)."""
    made = dict(db.execute(select(User.agent_no, func.count(Call.id)).join(User, Call.agent_id == User.id)
                           .where(Call.direction == "out", Call.ivr_at >= start, Call.ivr_at < end)
                           .group_by(User.agent_no)).all())
    pauses: dict[str, dict] = defaultdict(dict)
    names = dict(db.execute(select(User.agent_no, User.name)).all())
    for p in pause_totals(db, start, end):
        pauses[p["agent_no"]][p["reason"]] = p["seconds"]
    holds = hold_totals(db, start, end)
    out = []
    for no in sorted(set(queue_agents) | set(made) | set(pauses) | set(holds)):
        q = queue_agents.get(no, {})
        hold = holds.get(no, {})
        out.append({"agent_no": no, "name": names.get(no, ""), "answered": q.get("answered", 0),
                    "made": made.get(no, 0), "talk_s": q.get("talk_s", 0), "hold_s": hold.get("seconds", 0),
                    "holds": hold.get("times", 0), "wrapup_s": q.get("wrapup_s", 0),
                    "ring_no_answer": q.get("ring_no_answer", 0), "logged_in_s": q.get("logged_in_s", 0),
                    "first_login": q.get("first_login"), "pause_s": dict(sorted(pauses.get(no, {}).items()))})
    return out


def dispatched_in(start: datetime, end: datetime):
    """The ids of the repairs dispatched to a station in [start, end)."""
    return select(TicketTransition.ticket_id).where(TicketTransition.state == TicketState.dispatched,
                                                    TicketTransition.at >= start, TicketTransition.at < end)


def stations_section(db: Session, start: datetime, end: datetime, policy: ReportPolicy) -> list[dict]:
    """Per station, over the moves made in the day: how soon it accepted (from dispatch), phoned the
    resident (from 接单) and completed (from dispatch); completions over the limit, re-opened ones
    (还是不热), and 回访 satisfaction."""
    moved = db.execute(select(TicketTransition.ticket_id).where(
        TicketTransition.at >= start, TicketTransition.at < end,
        TicketTransition.state.in_((TicketState.accepted, TicketState.contacted, TicketState.completed)))
        .distinct()).scalars().all()
    rows = db.execute(select(TicketTransition.ticket_id, TicketTransition.state, TicketTransition.at)
                      .where(TicketTransition.ticket_id.in_(moved), TicketTransition.at < end)
                      .order_by(TicketTransition.ticket_id, TicketTransition.at, TicketTransition.id)).all() \
        if moved else []
    station_of = dict(db.execute(select(Ticket.id, Ticket.station_id).where(Ticket.id.in_(moved))).all()) if moved else {}
    reopened = set(db.scalars(select(Ticket.followup_of_id).where(Ticket.followup_of_id.in_(moved)))) if moved else set()
    stations = {s.id: s for s in db.scalars(select(RepairStation))}
    acc: dict[int, Counter] = defaultdict(Counter)
    last: dict[int, dict[TicketState, datetime]] = defaultdict(dict)
    for tid, st, at in rows:
        seen = last[tid]
        c = acc[station_of.get(tid)]
        if start <= at < end:
            if st is TicketState.accepted and TicketState.dispatched in seen:
                c["accept_n"] += 1
                c["accept_sum_s"] += int((at - seen[TicketState.dispatched]).total_seconds())
            elif st is TicketState.contacted and TicketState.accepted in seen:
                c["contact_n"] += 1
                c["contact_sum_s"] += int((at - seen[TicketState.accepted]).total_seconds())
            elif st is TicketState.completed and TicketState.dispatched in seen:
                took = int((at - seen[TicketState.dispatched]).total_seconds())
                c["complete_n"] += 1
                c["complete_sum_s"] += took
                c["over_limit"] += took > policy.over_h * 3600
                c["reopened"] += tid in reopened
        seen[st] = at
    for _sv, sid, attitude, score in db.execute(
            select(Survey.id, Ticket.station_id, Survey.attitude, Survey.score).join(Ticket, Survey.ticket_id == Ticket.id)
            .where(Survey.at >= start, Survey.at < end)):
        c = acc[sid]
        c["surveys"] += 1
        c["satisfied"] += attitude == "satisfied"
        c["score_sum"] += score
    received = Counter(db.scalars(select(Ticket.station_id).where(Ticket.id.in_(dispatched_in(start, end)))))
    out = []
    keys = ("accept_n", "accept_sum_s", "contact_n", "contact_sum_s", "complete_n", "complete_sum_s", "over_limit",
            "reopened", "surveys", "satisfied", "score_sum")
    for sid in sorted(set(acc) | set(received), key=lambda i: (i is None, stations[i].code if i in stations else "")):
        st = stations.get(sid)
        out.append({"station": st.code if st else "-", "name": st.name if st else "未派单", "dispatched": received[sid],
                    **{k: acc[sid][k] for k in keys}})
    return out


def repeat_callers(db: Session, start: datetime, end: datetime) -> list[dict]:
    """Residents who called the hotline more than once in the day (masked numbers)."""
    rows = db.execute(select(Call.caller, func.count(Call.id), func.count(func.distinct(Call.ticket_id)))
                      .where(Call.direction == "in", Call.ivr_at >= start, Call.ivr_at < end, Call.caller != "")
                      .group_by(Call.caller).having(func.count(Call.id) > 1)
                      .order_by(func.count(Call.id).desc(), Call.caller)).all()
    return [{"caller": mask_phone(caller), "calls": n, "tickets": tickets} for caller, n, tickets in rows]


def ivr_section(db: Session, start: datetime, end: datetime) -> dict:
    """The residents' calls begun in the day, in the IVR: where those who hung up there were (their
    last step, named as the flow names it), how many heard their open ticket's status (self-service),
    how many keyed 1 on an outage's notice (区域停热: registered as affected, no queue — neither
    hung up nor abandoned), and how long they spent there — until they joined the queue, or until they hung up (a histogram
    of whole seconds, so a week's 90th percentile is its days' together)."""
    rows = db.execute(select(Call.outcome, Call.last_step, Call.ivr_at, Call.queued_at, Call.ended_at,
                             Call.status_heard_at)
                      .where(Call.direction == "in", Call.ivr_at >= start, Call.ivr_at < end)).all()
    hangups = Counter(step or "greeting" for outcome, step, *_ in rows if outcome is CallOutcome.in_ivr_hangup)
    order = [k for k in STEPS if k in hangups] + sorted(k for k in hangups if k not in STEPS)
    times = [max(0, int((left - ivr).total_seconds())) for _o, _s, ivr, queued, ended, _h in rows
             if (left := queued or ended) is not None]
    return {"calls": len(rows), "hung_up": sum(hangups.values()),
            "outage_registered": sum(outcome is CallOutcome.outage_registered for outcome, *_r in rows),
            "hangups": [{"key": k, "label": STEPS.get(k, k), "count": hangups[k]} for k in order],
            "status_lookups": sum(heard is not None for *_r, heard in rows),
            "time_n": len(times), "time_sum_s": sum(times), "time_max_s": max(times, default=0),
            "time_hist": {str(t): n for t, n in sorted(Counter(times).items())}}


def called_again(db: Session, received: list[Ticket], days: int) -> set[int]:
    """The ids of the repairs whose caller called the hotline again about the same account (the
    same number, for a repair of no account) within `days` after it was made."""
    if not received:
        return set()
    window = timedelta(days=days)
    accounts = {t.account_id for t in received if t.account_id is not None}
    numbers = {t.caller_number for t in received if t.account_id is None and t.caller_number}
    later = db.execute(select(Call.ivr_at, Call.caller, Ticket.account_id)
                       .outerjoin(Ticket, Call.ticket_id == Ticket.id)
                       .where(Call.direction == "in", Call.ivr_at > min(t.created_at for t in received),
                              Call.ivr_at <= max(t.created_at for t in received) + window,
                              or_(Ticket.account_id.in_(accounts), Call.caller.in_(numbers)))).all()
    by_account: dict[int, list[datetime]] = defaultdict(list)
    by_number: dict[str, list[datetime]] = defaultdict(list)
    for at, caller, account in later:
        if account is not None:
            by_account[account].append(at)
        by_number[caller].append(at)
    return {t.id for t in received
            if any(t.created_at < at <= t.created_at + window
                   for at in (by_account[t.account_id] if t.account_id is not None else by_number[t.caller_number]))}


def first_call_section(db: Session, start: datetime, end: datetime, policy: ReportPolicy, received: list[Ticket],
                       repeat: list[dict], now: datetime) -> dict:
    """First-call resolution: the day's repairs whose caller did not call again about them within
    policy.fcr_days (pending until the day is that old); and the callers who called more than once."""
    again = called_again(db, received, policy.fcr_days)
    callers = db.scalar(select(func.count(func.distinct(Call.caller))).where(
        Call.direction == "in", Call.ivr_at >= start, Call.ivr_at < end, Call.caller != "")) or 0
    return {"window_days": policy.fcr_days, "received": len(received), "called_again": len(again),
            "resolved_first": len(received) - len(again),
            "days_pending": int(end + timedelta(days=policy.fcr_days) > now),
            "callers": callers, "repeat_callers": len(repeat), "repeat_calls": sum(c["calls"] for c in repeat)}


def hot_spots(db: Session, start: datetime, end: datetime, policy: ReportPolicy) -> list[dict]:
    """Many no-heat repairs from one compound (or one building) within the window: a network fault
    rather than N separate repairs. Every no-heat ticket made in the day counts, confirmed or not."""
    rows = db.execute(select(Ticket.number, Ticket.created_at, Ticket.state, Ticket.account_id)
                      .where(Ticket.category == Category.no_heat, Ticket.created_at >= start - timedelta(
                          minutes=policy.hot_spot_min), Ticket.created_at < end,
                             Ticket.account_id.is_not(None))).all()
    from_ids = {r.account_id for r in rows}
    where = {}
    if from_ids:
        where = {i: (d, c, b) for i, d, c, b in db.execute(
            select(HeatingAccount.id, HeatingAccount.district, HeatingAccount.compound, HeatingAccount.building)
            .where(HeatingAccount.id.in_(from_ids)))}
    groups: dict[tuple[str, str, str], list] = defaultdict(list)
    for r in rows:
        if r.state is TicketState.cancelled:
            continue
        d, c, b = where[r.account_id]
        groups[(d, c, "")].append(r)
        groups[(d, c, b)].append(r)
    window = timedelta(minutes=policy.hot_spot_min)
    out = []
    for (d, c, b), items in sorted(groups.items()):
        items.sort(key=lambda r: r.created_at)
        best: list = []
        j = 0
        for i in range(len(items)):
            while items[i].created_at - items[j].created_at > window:
                j += 1
            if i - j + 1 > len(best):
                best = items[j:i + 1]
        if len(best) >= policy.hot_spot_repairs and best[-1].created_at >= start:
            out.append({"district": d, "compound": c, "building": b, "repairs": len(best),
                        "first": iso(best[0].created_at), "last": iso(best[-1].created_at),
                        "tickets": [r.number for r in best]})
    # a building's spot inside its compound's says the same thing twice: keep the compound's
    compounds = {(s["district"], s["compound"]): s["repairs"] for s in out if not s["building"]}
    return [s for s in out if not s["building"] or compounds.get((s["district"], s["compound"])) != s["repairs"]]


def outages_section(db: Session, start: datetime, end: datetime) -> list[dict]:
    """区域停热 (#30): each outage open at some moment of [start, end) — declared before its end, not
    ended before its start — as of the day's end: its area, who declared it when, the expected end,
    when it ended (if before the day's end); `registered`: the calls that keyed 1 on its notice in the
    day (a period adds them up), `affected`: the distinct numbers that had keyed 1 by the day's end
    (a period keeps its last day's); the 供热已恢复 call-backs booked on the day it ended (whatever
    became of them since; not those the number policy refused — counted apart — nor those ended `off`:
    the dialer switched off). One query: the outages (a handful a season) and their callers by
    the outage_caller's outage index."""
    in_day = and_(OutageCaller.at >= start, OutageCaller.at < end)
    booked = and_(OutageCaller.callback_state.is_not(None),
                  OutageCaller.callback_state.not_in((CALLBACK_REFUSED, CALLBACK_OFF)))
    rows = db.execute(
        select(Outage, func.count(case((in_day, OutageCaller.id))),
               func.count(func.distinct(case((OutageCaller.at < end, OutageCaller.caller)))),
               func.count(case((booked, OutageCaller.id))),
               func.count(case((OutageCaller.callback_state == CALLBACK_REFUSED, OutageCaller.id))))
        .outerjoin(OutageCaller, OutageCaller.outage_id == Outage.id)
        .where(Outage.declared_at < end, or_(Outage.ended_at.is_(None), Outage.ended_at >= start))
        .group_by(Outage.id).order_by(Outage.declared_at, Outage.id)).all()
    out = []
    for o, registered, affected, call_backs, refused in rows:
        ended = o.ended_at is not None and o.ended_at < end
        out.append({"id": o.id, "area": o.area, "declared_by": o.declared_by, "declared_at": iso(o.declared_at),
                    "until": iso(o.until), "ended_at": iso(o.ended_at) if ended else None,
                    "registered": registered, "affected": affected,
                    "call_backs": call_backs if ended and o.ended_at >= start else 0,
                    "call_backs_refused": refused if ended and o.ended_at >= start else 0})
    return out


def call_rows(db: Session, start: datetime, end: datetime) -> list[CallRow]:
    """The call records of residents' calls begun in the day (and an hour either side: a call's
    queue line may fall just over the boundary), as the reconciliation needs them."""
    q = select(Call.uniqueid, Call.outcome, Call.queued_at, Call.ivr_at).where(
        Call.direction == "in", Call.ivr_at >= start - timedelta(hours=1), Call.ivr_at < end + timedelta(hours=1))
    return [CallRow(uid, outcome.value if outcome else None, queued or ivr, queued is not None)
            for uid, outcome, queued, ivr in db.execute(q)]


def build_day(db: Session, day: date, policy: ReportPolicy, events: Iterable[QueueLogLine], now: datetime) -> dict:
    """The daily report of `day`, counts and sums, with the rates (`finish`)."""
    start, end = day_bounds(day, policy)
    records = call_rows(db, start, end)
    queue = queue_section(events, start, end, policy.queue, records, now)
    anomalies, complaints = anomalies_section(db, start, end)
    received = received_tickets(db, start, end)
    repeat = repeat_callers(db, start, end)
    report = {
        "kind": "daily", "day": day.isoformat(),
        "period": {"from": iso(start), "to": iso(end), "days": 1, "day_start": policy.day_start.strftime("%H:%M")},
        "generated_at": iso(now), "complete": end <= now,
        "tickets": tickets_section(db, start, end, policy, received),
        "anomalies": anomalies, "complaints": complaints,
        "callbacks": callbacks_section(db, start, end),
        "queue": queue,
        "agents": agents_section(db, start, end, queue.pop("agents")),
        "stations": stations_section(db, start, end, policy),
        "ivr": ivr_section(db, start, end),
        "repeat_callers": repeat,
        "first_call": first_call_section(db, start, end, policy, received, repeat, now),
        "hot_spots": hot_spots(db, start, end, policy),
        "outages": outages_section(db, start, end),
        "disagreements": queue["disagreements"],
        "qa": qa_section(db, day.isoformat()),
    }
    return finish(report)


def percentile(hist: dict, q: float) -> int | None:
    """The smallest whole second that `q` of the calls did not exceed, from {seconds: calls}."""
    n = sum(hist.values())
    if not n:
        return None
    rank, seen = math.ceil(q * n), 0
    for s in sorted(hist, key=int):
        seen += hist[s]
        if seen >= rank:
            return int(s)
    return None


def finish(r: dict) -> dict:
    """The rates and averages from the counts and sums (each formula in r["formulas"])."""
    ratio = lambda a, b: round(a / b, 4) if b else None
    avg = lambda a, b: round(a / b, 1) if b else None
    t = r["tickets"]
    s = t["survey"]
    s["solved_rate"] = ratio(s["solved"], s["surveys"])
    s["satisfied_rate"] = ratio(s["attitude"]["satisfied"], s["surveys"])
    s["score_avg"] = round(s["score_sum"] / s["surveys"], 2) if s["surveys"] else None
    cb = r["callbacks"]
    cb["first_attempt_avg_s"] = avg(cb["first_attempt_sum_s"], cb["attempted"])
    finish_queue(r["queue"])
    for a in r["agents"]:
        busy = a["talk_s"] + a["wrapup_s"]
        a["occupancy"] = ratio(busy, a["logged_in_s"])
        a["aht_s"] = avg(busy, a["answered"])
    for st in r["stations"]:
        st["accept_avg_s"] = avg(st["accept_sum_s"], st["accept_n"])
        st["contact_avg_s"] = avg(st["contact_sum_s"], st["contact_n"])
        st["complete_avg_s"] = avg(st["complete_sum_s"], st["complete_n"])
        st["over_limit_rate"] = ratio(st["over_limit"], st["complete_n"])
        st["reopened_rate"] = ratio(st["reopened"], st["complete_n"])
        st["satisfied_rate"] = ratio(st["satisfied"], st["surveys"])
        st["score_avg"] = round(st["score_sum"] / st["surveys"], 2) if st["surveys"] else None
    if "ivr" in r:   # a day signed before the IVR, hold and first-call figures has none of them
        v = r["ivr"]
        v["hung_up_rate"] = ratio(v["hung_up"], v["calls"])
        v["status_lookup_rate"] = ratio(v["status_lookups"], v["calls"])
        v["time_avg_s"] = avg(v["time_sum_s"], v["time_n"])
        v["time_p90_s"] = percentile(v["time_hist"], 0.9)
    if "first_call" in r:
        fc = r["first_call"]
        fc["fcr_so_far"] = ratio(fc["resolved_first"], fc["received"])
        fc["status"] = "pending" if fc["days_pending"] else "final"
        fc["fcr_rate"] = None if fc["days_pending"] else fc["fcr_so_far"]
        fc["repeat_rate"] = ratio(fc["repeat_callers"], fc["callers"])
    if "qa" in r:    # a day signed before the QA section has none
        r["qa"]["pass_rate"] = ratio(r["qa"]["passed"], r["qa"]["checked"])
    complaints = sum(v["opened"] for k, v in r["anomalies"].items() if AnomalyType(k) in ESCALATED_ANOMALIES)
    r["kpi"] = {"satisfaction": s["satisfied_rate"], "resolution": s["solved_rate"],
                "complaint_rate": ratio(complaints, t["received"]), "complaints": complaints,
                "service_level_20s": r["queue"]["service_level_20s"], "abandon_rate": r["queue"]["abandon_rate"]}
    if "first_call" in r:
        r["kpi"]["first_call_resolution"] = r["first_call"]["fcr_rate"]
    days = r.get("first_call", {}).get("window_days", 3)
    r["formulas"] = {
        **r["queue"]["formulas"],
        "satisfaction": "客户满意度: 回访中对维修工态度「满意」的次数 ÷ 回访次数",
        "resolution": "问题解决率: 回访中「问题已解决」的次数 ÷ 回访次数",
        "complaint_rate": "客户投诉率: 当日登记的投诉(6、7、9类异常) ÷ 当日受理的报修",
        "received": "受理报修: 当日首次确认为报修单(待确认 → 新建,或座席直接新建)的报修",
        "completed": "报修完成: 当日首次返单的报修",
        "followed_up": "回访: 当日完成的回访次数",
        "open_by_age": "未完成: 日终仍在处理中的报修,按受理至日终的时长分段",
        "over_limit_rate": "超时率: 派单至返单超过时限的返单 ÷ 返单",
        "reopened_rate": "返修率: 当日返单中后来又重开(还是不热)的 ÷ 返单",
        "qa_pass_rate": "录音抽查合格率: 领班和部长检查的录音中合格的 ÷ 检查的录音(当日的通话)",
        "ivr_hangups": "IVR 挂机: 当日呼入来电中在语音导航里挂机(未转人工、未留言)的,按挂机时所在的步骤",
        "ivr_hung_up_rate": "IVR 挂机率: 在语音导航里挂机的来电 ÷ 当日呼入来电",
        "ivr_status_lookups": "自助查询进度: 当日呼入来电中在语音导航里收听了在办报修进度的来电",
        "ivr_time": "IVR 时长: 从进入语音导航到转入排队(未排队的到挂机);平均 = 合计 ÷ 来电数,"
                    "90%分位 = 九成来电不超过的秒数,最长 = 最久的一通",
        "hold_s": "保持时长: 座席话机把通话置于保持(Hold → Unhold)的时长合计,未恢复的计至通话结束;"
                  "已含在通话时长内",
        "fcr": f"首次解决率: 当日受理的报修中,住户在建单后 {days} 天内没有就同一户号(无户号的: 同一号码)"
               f"再来电的 ÷ 当日受理报修;报表日结束未满 {days} 天时为「待定」",
        "repeat_rate": "重复来电率: 当日来电 2 次及以上的号码 ÷ 当日来电的号码",
        "ivr_outage_registered": "区域停热登记: 当日呼入来电中听到停热通知后按 1 登记为受影响住户的"
                                 "(不建报修单、不进队列,不计入挂机、放弃或进线)",
        "outages": "区域停热: 当日内任一时刻未结束的停热通知;当日登记 = 当日按 1 登记的来电,"
                   "受影响住户 = 截至日终按 1 登记的号码数(不重复);恢复回电 = 结束当日预约的「供热已恢复」回电",
    }
    return r
