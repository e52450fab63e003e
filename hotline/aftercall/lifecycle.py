"""A ticket's life after the call: new → dispatched (station notified) → accepted (接单) → contacted
(the technician phoned the resident) → completed (返单, with the station's result) → followed_up
(回访) → closed; or cancelled (with a reason), or resolved on the call. Every move is checked for
the actor (their role, their station), recorded on the ticket's timeline (who, when, note) and
audited; an illegal move is refused with words that say why. A repair the resident says is still
not done ("还是不热") is re-opened as a linked follow-up ticket, never by a silent state change.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from db.models import (AT_STATION, TICKET_FLOW, AnomalyRecord, AnomalyState, Call, Category, HeatingAccount, RepairStation, Role,
                       Survey, Ticket, TicketState, TicketTransition, User)
from db.queries import iso, ticket_summary
from db.tickets import IllegalMove, create_ticket, move_ticket
from hotline.aftercall.rules import SUPERVISORS, Actor, Refused, RuleError, add_audit, ticket_by_number, works_on
from hotline.aftercall.station_calls import calls_of as station_calls_of, request_in as station_call_requested

STATE_WORDS = {TicketState.draft: "草稿", TicketState.new: "新建", TicketState.dispatched: "已派单",
               TicketState.accepted: "已接单", TicketState.contacted: "已联系住户", TicketState.completed: "已返单",
               TicketState.followed_up: "已回访", TicketState.resolved: "已解决", TicketState.closed: "已关闭",
               TicketState.cancelled: "已取消"}

_STATION_WORK = SUPERVISORS + (Role.station,)
#: who may make each move (the graph itself is db.models.TICKET_FLOW); supervisors work a station's
#: moves on its behalf when the station does not use the system
MOVERS: dict[tuple[TicketState, TicketState], tuple[Role, ...]] = {
    # an agent confirms (跟读确认, saved) a draft of their call, or of a call-back they hold
    (TicketState.draft, TicketState.new): SUPERVISORS + (Role.agent,),
    # …or withdraws it with a reason (住户已自行解决)
    (TicketState.draft, TicketState.cancelled): SUPERVISORS + (Role.agent,),
    (TicketState.new, TicketState.dispatched): SUPERVISORS,
    (TicketState.dispatched, TicketState.new): SUPERVISORS,
    (TicketState.dispatched, TicketState.accepted): _STATION_WORK,
    (TicketState.accepted, TicketState.contacted): _STATION_WORK,
    (TicketState.accepted, TicketState.completed): _STATION_WORK,
    (TicketState.contacted, TicketState.completed): _STATION_WORK,
    (TicketState.completed, TicketState.followed_up): SUPERVISORS + (Role.agent,),
    (TicketState.completed, TicketState.closed): SUPERVISORS,
    (TicketState.followed_up, TicketState.closed): SUPERVISORS,
    (TicketState.resolved, TicketState.closed): SUPERVISORS,
}
for _from, _tos in TICKET_FLOW.items():
    for _to in _tos:
        if _to is TicketState.cancelled:
            MOVERS.setdefault((_from, _to), SUPERVISORS)
        elif _to is TicketState.resolved:
            MOVERS[(_from, _to)] = SUPERVISORS + (Role.agent,)
#: these moves need a note: what the station did, why it was cancelled
NOTE_NEEDED = {TicketState.completed: "返单请填写处理结果", TicketState.cancelled: "取消请说明原因"}
#: a repair that can be re-opened (the resident calls again: 还是不热)
REOPENABLE = (TicketState.completed, TicketState.followed_up, TicketState.resolved, TicketState.closed)
#: an agent re-opens a repair for a resident on a call of theirs: one that is live, or ended this
#: recently (the form is finished after the hang-up)
REOPEN_CALL_WINDOW = timedelta(minutes=30)
#: moves that belong to a rule of their own, not to a bare state change: 回访 is saved with its answers
OWN_RULE = {TicketState.followed_up: "回访请通过回访表单保存(回访列表)"}
#: a call this old without an end is not live any more (the service died under it): its draft is
#: shown as 待确认 all the same
LIVE_CALL_MAX = timedelta(hours=2)
#: the call records' last_step of a call that never ran the IVR (hotline.service.reconcile, the pop)
_DEGRADED_STEPS = ("reconciled", "degraded")


@dataclass(frozen=True)
class Timers:
    """The anomaly timers (Settings.anomaly_*), also what makes a ticket "overdue" on the lists."""
    accept_min: int = 30      # 异常 1: the station did not accept within this after dispatch
    contact_min: int = 60     # 异常 2: the technician did not phone the resident within this after 接单
    open_h: int = 4           # 异常 3: the repair still open this long after dispatch
    confirm_min: int = 30     # the system's own: a draft of an ended call not confirmed within this


def last_entered(t: Ticket, state: TicketState) -> datetime | None:
    """When the ticket last entered `state` (its timeline)."""
    return next((x.at for x in reversed(t.transitions) if x.state is state), None)


def late(t: Ticket, now: datetime, timers: Timers) -> list[str]:
    """Which timers a ticket is past: a draft not confirmed in time (the system's), a ticket at a
    station past types 1–3."""
    if t.state is TicketState.draft:
        return ["confirm_late"] if t.created_at and now - t.created_at > timedelta(minutes=timers.confirm_min) else []
    if t.state not in AT_STATION:
        return []
    dispatched = last_entered(t, TicketState.dispatched)
    if dispatched is None:
        return []
    found = []
    if t.state is TicketState.dispatched and now - dispatched > timedelta(minutes=timers.accept_min):
        found.append("station_late")
    accepted = last_entered(t, TicketState.accepted)
    if t.state is TicketState.accepted and accepted and now - accepted > timedelta(minutes=timers.contact_min):
        found.append("contact_late")
    if now - dispatched > timedelta(hours=timers.open_h):
        found.append("over_4h")
    return found


def live_call(now: datetime):
    """SQL: the ticket has a call still on the line (then its draft is somebody's form, not 待确认)."""
    return exists().where(Call.ticket_id == Ticket.id, Call.ended_at.is_(None), Call.ivr_at > now - LIVE_CALL_MAX)


def unconfirmed_reason(t: Ticket) -> str:
    """Why a draft waits for confirmation (a key of wire.UNCONFIRMED_REASONS), from its calls
    (loaded) and its call-back flag."""
    calls = list(t.calls)
    if any(c.last_step in _DEGRADED_STEPS for c in calls):
        return "degraded"
    if t.callback_reason is not None:
        return t.callback_reason.value
    if t.assigned_agent_id is not None or any(c.answered_at is not None for c in calls):
        return "answered_unsaved"
    return "in_ivr_hangup"


def history(t: Ticket) -> list[dict]:
    return [{"state": x.state.value, "at": iso(x.at), "by": x.user.agent_no if x.user else "ivr", "note": x.note or ""}
            for x in t.transitions]


def anomaly_brief(a: AnomalyRecord, now: datetime) -> dict:
    return {"id": a.id, "type": a.type.value, "state": a.state.value, "opened_at": iso(a.opened_at),
            "deadline": iso(a.deadline), "owner": a.owner.agent_no if a.owner else None, "note": a.note,
            "result": a.result, "overdue": a.state is not AnomalyState.closed and a.deadline < now}


def survey_dict(s: Survey) -> dict:
    """tickets show's `survey` (wire.SAMPLE_SURVEY)."""
    return {"solved": s.solved, "attitude": s.attitude, "charged": s.charged, "score": s.score,
            "comment": s.comment, "fee_reminder": s.fee_reminder, "by": s.user.agent_no if s.user else "ivr",
            "at": iso(s.at), "channel": s.channel, "comment_recording": bool(s.comment_recording)}


def latest_survey(db: Session, ticket_id: int) -> dict | None:
    s = db.scalar(select(Survey).where(Survey.ticket_id == ticket_id).options(selectinload(Survey.user))
                  .order_by(Survey.id.desc()).limit(1))
    return survey_dict(s) if s else None


class TicketWork:
    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime], timers: Timers = Timers()):
        self.sessions, self.now, self.timers = sessions, now, timers

    # ----------------------------------------------------------------- reading --
    def _load(self, db: Session, number: str) -> Ticket:
        return ticket_by_number(db, number, selectinload(Ticket.transitions).selectinload(TicketTransition.user),
                                selectinload(Ticket.account), selectinload(Ticket.station))

    def _visible(self, db: Session, actor: Actor, t: Ticket, action: str = "view_refused") -> None:
        """Team leads see every ticket, a station its own; an agent those of calls they answered or
        that were assigned to them, and completed repairs (the 回访 list is everybody's)."""
        if actor.supervises:
            return
        if actor.role is Role.station:
            if actor.station_id is None or t.station_id != actor.station_id:
                raise Refused("只能查看派给本站的报修单", action, "ticket", t.number)
            return
        if actor.role is Role.agent and (t.state is TicketState.completed or works_on(db, actor.user_id, t)):
            return
        raise Refused("只能处理自己接听或分派给自己的报修单", action, "ticket", t.number)

    def timeline(self, db: Session, t: Ticket) -> dict:
        """The after-call part of a ticket: its history, anomalies, re-opening links and the calls
        that told its station (#30)."""
        now = self.now()
        anomalies = db.scalars(select(AnomalyRecord).where(AnomalyRecord.ticket_id == t.id)
                               .options(selectinload(AnomalyRecord.owner)).order_by(AnomalyRecord.id)).all()
        followups = db.scalars(select(Ticket.number).where(Ticket.followup_of_id == t.id).order_by(Ticket.id)).all()
        first = db.scalar(select(Ticket.number).where(Ticket.id == t.followup_of_id)) if t.followup_of_id else None
        return {"history": history(t), "anomalies": [anomaly_brief(a, now) for a in anomalies],
                "followup_of": first, "followups": list(followups), "station_calls": station_calls_of(db, t.id)}

    def show(self, actor: Actor | None, number: str) -> dict:
        """One ticket whole: its fields, timeline and anomalies (`actor` None: the admin's CLI view)."""
        with self.sessions() as db:
            t = self._load(db, number)
            if actor is not None:
                self._visible(db, actor, t)
            return {**self.row(t, self.now()), "account_no": t.account.account_no if t.account else None,
                    "caller_number": t.caller_number, "description": t.description,
                    "callback_reason": t.callback_reason.value if t.callback_reason else None,
                    "survey": latest_survey(db, t.id), **self.timeline(db, t)}

    def row(self, t: Ticket, now: datetime, open_anomalies: int = 0, anomaly_overdue: bool = False) -> dict:
        """A ticket as the lists show it (wire.SAMPLE_TICKET_ROW)."""
        age_s = max(0, int((now - t.created_at).total_seconds())) if t.created_at else 0
        return {**ticket_summary(t), "priority": t.priority, "station_code": t.station.code if t.station else None,
                "district": t.account.district if t.account else "", "address": t.address_snapshot,
                "name": t.name_snapshot, "callback_number": t.callback_number, "age_min": age_s // 60,
                "overdue": bool(late(t, now, self.timers)) or anomaly_overdue, "open_anomalies": open_anomalies,
                "age_s": age_s, "reason": unconfirmed_reason(t) if t.state is TicketState.draft else None}

    def tickets(self, actor: Actor | None, state: str = "", station: str = "", district: str = "", category: str = "",
                priority: str = "", overdue: bool = False, q: str = "", limit: int = 500,
                unconfirmed: bool = False) -> list[dict]:
        """The tickets a team lead steers (all) or a station works (its own), newest first (`actor`
        None: the admin's CLI view); with no state asked, every ticket not yet closed, cancelled or
        resolved — the drafts of calls that have ended among them (待确认, with their reason), so
        every repair is on somebody's list. `unconfirmed`: those drafts alone."""
        if actor is not None and not actor.supervises and actor.role is not Role.station:
            raise Refused("报修单列表由领班和维修站查看", "list_refused", "ticket", "")
        now = self.now()
        stmt = (select(Ticket).options(selectinload(Ticket.transitions), selectinload(Ticket.account),
                                       selectinload(Ticket.station), selectinload(Ticket.calls))
                .order_by(Ticket.id.desc()).limit(limit))
        states = [TicketState.draft] if unconfirmed else \
            [_state(s) for s in state.split(",") if s.strip()] if state else \
            [s for s in TicketState if s not in (TicketState.closed, TicketState.cancelled, TicketState.resolved)]
        # a draft whose call is still on the line is that agent's (or the IVR's) form, not yet a list's
        stmt = stmt.where(Ticket.state.in_(states), or_(Ticket.state != TicketState.draft, ~live_call(now)))
        if actor is not None and actor.role is Role.station:
            # a station works what was dispatched to it: never a draft or a repair not yet sent
            stmt = stmt.where(Ticket.station_id == (actor.station_id or -1),
                              Ticket.state.not_in((TicketState.draft, TicketState.new)))
        if category:
            stmt = stmt.where(Ticket.category == _category(category))
        if priority:
            stmt = stmt.where(Ticket.priority == _int(priority, "priority"))
        if q:
            like = f"%{q.strip()[:64].replace('%', '').replace('_', '')}%"
            stmt = stmt.where(or_(Ticket.number.like(like), Ticket.address_snapshot.like(like),
                                  Ticket.name_snapshot.like(like), Ticket.callback_number.like(like)))
        if district:
            stmt = stmt.join(HeatingAccount, Ticket.account_id == HeatingAccount.id).where(
                HeatingAccount.district == district[:64])
        if station:
            stmt = stmt.join(RepairStation, Ticket.station_id == RepairStation.id).where(RepairStation.code == station[:16])
        with self.sessions() as db:
            rows = db.scalars(stmt).all()
            counts = dict(db.execute(select(AnomalyRecord.ticket_id, func.count()).where(
                AnomalyRecord.ticket_id.in_([t.id for t in rows]), AnomalyRecord.state != AnomalyState.closed)
                .group_by(AnomalyRecord.ticket_id)).all())
            overdue_ids = set(db.scalars(select(AnomalyRecord.ticket_id).where(
                AnomalyRecord.ticket_id.in_([t.id for t in rows]), AnomalyRecord.state != AnomalyState.closed,
                AnomalyRecord.deadline < now)))
            found = [self.row(t, now, counts.get(t.id, 0), t.id in overdue_ids) for t in rows]
        return [r for r in found if r["overdue"]] if overdue else found

    # ------------------------------------------------------------------ moving --
    def settle(self, db: Session, actor: Actor, t: Ticket, to: TicketState, note: str = "", via: str = "") -> None:
        """One move inside the caller's transaction (this module's `move` and `confirm`, the desk's
        save, the 回访, a station's 接单 by phone): the actor's role for it, the door (db.tickets:
        graph, timeline), the audit (`via`: how, when not the actor's own desk — "phone"). A dispatch
        asks for its station to be called, in the same transaction (hotline.aftercall.station_calls)."""
        self._may(actor, t, to)
        try:
            before = move_ticket(db, t, to, self.now(), by=actor.user_id, note=note)
        except IllegalMove:       # checked just above; the door checks the graph for everyone
            raise RuleError(409, _illegal(t, to)) from None
        add_audit(db, actor.agent_no, "state", "ticket", t.number, **{"from": before.value, "to": to.value}, note=note,
                  **({"via": via} if via else {}))
        if to is TicketState.dispatched and t.station_id is not None:
            station_call_requested(db, t, self.now(), actor.agent_no)

    @staticmethod
    def _may(actor: Actor, t: Ticket, to: TicketState) -> None:
        """The graph's words first (a move nobody may make), then the role's."""
        if (t.state, to) not in MOVERS:
            raise RuleError(409, _illegal(t, to))
        if actor.role not in MOVERS[(t.state, to)]:
            raise Refused(f"您的角色不能把报修单改为「{STATE_WORDS[to]}」", "state_refused", "ticket", t.number)

    def _dispatch_to(self, db: Session, t: Ticket, station_code: str) -> RepairStation:
        st = self._station(db, station_code) if station_code else t.station
        if st is None:
            raise RuleError(422, "派单请选择维修站")
        t.station_id, t.station = st.id, st
        return st

    def _moved(self, db: Session, t: Ticket) -> dict:
        shown = {**self.row(t, self.now()), **self.timeline(db, t)}
        return {**shown, "station_id": t.station_id}

    def move(self, actor: Actor, number: str, state: str, note: str = "", station_code: str = "") -> dict:
        """Move a ticket on: checked against the graph, the actor's role and station; recorded on the
        timeline and audited. Returns the ticket as `show` does, plus `station_id` for notifying."""
        to = _state(state)
        note = (note or "").strip()[:1000]
        if to in OWN_RULE:
            raise RuleError(409, OWN_RULE[to])
        with self.sessions() as db, db.begin():
            t = self._load(db, number)
            self._visible(db, actor, t, "state_refused")
            self._may(actor, t, to)
            if to in NOTE_NEEDED and not note:
                raise RuleError(422, NOTE_NEEDED[to])
            if to is TicketState.dispatched:
                note = note or f"派{self._dispatch_to(db, t, station_code).name}"
            self.settle(db, actor, t, to, note)
            return self._moved(db, t)

    def confirm(self, actor: Actor, number: str, station_code: str = "", dispatch: bool = True,
                note: str = "") -> dict:
        """待确认 → confirmed by a team lead (draft → new) and, with `dispatch`, sent to the station the
        address suggests or `station_code` in the same step. Only a draft whose call has ended: a
        live call's draft is the answering agent's form."""
        if not actor.supervises:
            raise Refused("待确认的报修由领班确认", "confirm_refused", "ticket", number)
        note = (note or "").strip()[:1000]
        with self.sessions() as db, db.begin():
            t = self._load(db, number)
            if t.state is not TicketState.draft:
                raise RuleError(409, f"报修单 {t.number} 当前为「{STATE_WORDS[t.state]}」,不是待确认")
            # this ticket's calls only (uncorrelated, any live call anywhere refused every confirmation)
            if db.scalar(select(live_call(self.now())).where(Ticket.id == t.id)):
                raise RuleError(409, f"报修单 {t.number} 的来电仍在通话中,由接听座席确认")
            station = self._dispatch_to(db, t, station_code) if dispatch else None
            self.settle(db, actor, t, TicketState.new, note or "领班确认")
            if station is not None:
                self.settle(db, actor, t, TicketState.dispatched, f"派{station.name}")
            add_audit(db, actor.agent_no, "confirm", "ticket", t.number, dispatched=station.code if station else None)
            return self._moved(db, t)

    def reopen(self, actor: Actor, number: str, note: str) -> dict:
        """The resident says the repair did not help: a new ticket, linked to the old one (which keeps
        its history), back to new for dispatch. Team leads any; an agent only for the resident on a
        call of theirs (answered or called back, within REOPEN_CALL_WINDOW) — never a ticket they
        merely found by a search, which would make its resident's repair theirs."""
        note = _reopen_note(note)
        if actor.role not in SUPERVISORS + (Role.agent,):
            raise Refused("只有座席和领班可以重开报修", "reopen_refused", "ticket", number)
        with self.sessions() as db, db.begin():
            old = self._load(db, number)
            if actor.role is Role.agent and not self._talks_to_resident(db, actor, old):
                raise Refused("只能为正在通话(或刚通话)的住户重开报修", "reopen_refused", "ticket", old.number)
            return self._reopen(db, actor, old, note)

    def reopen_unsolved(self, actor: Actor, number: str, note: str) -> dict:
        """The 回访 found the repair not done (hotline.aftercall.surveys.SurveyList.record, right after
        saving the answers, which checked the actor): the same linked ticket, from the rule that owns it."""
        with self.sessions() as db, db.begin():
            return self._reopen(db, actor, self._load(db, number), _reopen_note(note))

    def _talks_to_resident(self, db: Session, actor: Actor, old: Ticket) -> bool:
        """A call this agent answered or placed lately whose other end is `old`'s resident: the same
        number, or a ticket of the same account."""
        numbers = [n for n in (old.caller_number, old.callback_number) if n]
        resident = [Call.caller.in_(numbers)] if numbers else []
        if old.account_id is not None:
            resident.append(Call.ticket_id.in_(select(Ticket.id).where(Ticket.account_id == old.account_id)))
        if not resident:
            return False
        now = self.now()
        recent = or_(Call.ended_at > now - REOPEN_CALL_WINDOW,
                     and_(Call.ended_at.is_(None), Call.ivr_at > now - LIVE_CALL_MAX))
        return db.scalar(select(Call.id).where(Call.agent_id == actor.user_id, or_(*resident), recent)
                         .limit(1)) is not None

    def _reopen(self, db: Session, actor: Actor, old: Ticket, note: str) -> dict:
        if old.state not in REOPENABLE:
            raise RuleError(409, f"报修单 {old.number} 尚在处理中(「{STATE_WORDS[old.state]}」),无需重开")
        t = create_ticket(db, self.now(), state=TicketState.new, by=actor.user_id,
                          note=f"重开自 {old.number}: {note}", account_id=old.account_id,
                          caller_number=old.caller_number, callback_number=old.callback_number,
                          category=old.category, address_snapshot=old.address_snapshot,
                          name_snapshot=old.name_snapshot, station_id=old.station_id, priority=old.priority,
                          confirmed_problem=True, confirmed_address=True, confirmed_name=True,
                          confirmed_phone=True, followup_of_id=old.id,
                          assigned_agent_id=actor.user_id if actor.role is Role.agent else None,
                          description=note)
        add_audit(db, actor.agent_no, "reopen", "ticket", old.number, followup=t.number, note=note)
        return {"number": t.number, "followup_of": old.number, "state": t.state.value}

    @staticmethod
    def _station(db: Session, code: str) -> RepairStation:
        st = db.scalar(select(RepairStation).where(RepairStation.code == code[:16]))
        if st is None:
            raise RuleError(422, f"没有这个维修站: {code}")
        return st

    def station_users(self, station_id: int) -> list[str]:
        """The 工号 of a station's people (to tell them of a dispatched ticket)."""
        with self.sessions() as db:
            return list(db.scalars(select(User.agent_no).where(User.station_id == station_id, User.active.is_(True))))


def _reopen_note(note: str) -> str:
    note = (note or "").strip()[:1000]
    if not note:
        raise RuleError(422, "请说明重开原因(例如:还是不热)")
    return note


def _illegal(t: Ticket, to: TicketState) -> str:
    return f"报修单 {t.number} 当前为「{STATE_WORDS[t.state]}」,不能改为「{STATE_WORDS[to]}」"


def _state(value: str) -> TicketState:
    try:
        return TicketState(str(value).strip())
    except ValueError:
        raise RuleError(422, f"没有这个状态: {value}") from None


def _category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise RuleError(422, f"没有这个问题类型: {value}") from None


def _int(value: str, what: str) -> int:
    try:
        return int(str(value)[:6])
    except ValueError:
        raise RuleError(422, f"{what} 应为数字") from None
