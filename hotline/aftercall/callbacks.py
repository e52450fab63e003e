"""The call-back worklist: every ticket flagged for call-back (key 1 in the queue, abandoned, after
hours, no agent, the maximum wait, a hang-up in the IVR) in one shared list, oldest first, with why
and how long it has waited. An agent takes an entry (the others see it taken, by whom; a take lapses
after `take_min` without an outcome), calls the resident and records the outcome: reached clears the
flag (the ticket goes on); no answer, busy or a wrong number counts an attempt, and after
`max_attempts` over at least `escalate_after_h` hours the entry goes to the team lead (escalated),
who closes it with a note. A resident who calls in again while listed is recognised on the pop, and
the entry clears when that call is answered (`called_in`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from db.models import CallbackAttempt, Call, Role, Ticket, TicketState, User
from db.queries import iso
from hotline.aftercall.outbound import CallOut, call_out, may_call_out, ticket_number
from hotline.aftercall.rules import SUPERVISORS, Actor, Refused, RuleError, add_audit, ticket_by_number
from common import wire
from common.phones import mask_phone

#: outcomes that count as a try that did not reach the resident
FAILED = ("no_answer", "busy", "wrong_number")
OUTCOME_WORDS = {"reached": "已联系上", "no_answer": "无人接听", "busy": "占线", "wrong_number": "号码错误",
                 wire.CALLBACK_CLOSED: "领班关闭", wire.CALLBACK_CALLED_IN: "住户再次来电"}


@dataclass(frozen=True)
class CallbackPolicy:
    """Settings.callback_*: when an entry goes to the team lead, how long a take holds."""
    max_attempts: int = 3
    escalate_after_h: int = 2
    take_min: int = 15


def callback_policy(settings) -> CallbackPolicy:
    return CallbackPolicy(settings.callback_max_attempts, settings.callback_escalate_after_h,
                          settings.callback_take_min)


class CallbackList:
    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime],
                 policy: CallbackPolicy = CallbackPolicy()):
        self.sessions, self.now, self.policy = sessions, now, policy

    # -------------------------------------------------------------- reading --
    def _taken(self, t: Ticket, now: datetime) -> bool:
        return bool(t.callback_taken_by_id and t.callback_taken_at
                    and now - t.callback_taken_at < timedelta(minutes=self.policy.take_min))

    def holder(self, t: Ticket, now: datetime) -> int | None:
        """The user id holding the entry's live take, or None."""
        return t.callback_taken_by_id if self._taken(t, now) else None

    def entry(self, t: Ticket, attempts: list[CallbackAttempt], now: datetime) -> dict:
        """As the list shows it (wire.SAMPLE_CALLBACK)."""
        tries = [a for a in attempts if a.outcome in FAILED]
        taken = self._taken(t, now)
        last = attempts[-1] if attempts else None
        return {"ticket": t.number, "reason": t.callback_reason.value if t.callback_reason else None,
                "waited": max(0, int((now - t.created_at).total_seconds())) if t.created_at else 0,
                "attempts": len(tries),
                "taken_by": t.callback_taken_by.agent_no if taken and t.callback_taken_by else None,
                "taken_at": iso(t.callback_taken_at) if taken else None,
                "escalated": bool(t.callback_escalated), "open": bool(t.callback_requested),
                "created_at": iso(t.created_at),
                "last_attempt": {"at": iso(last.at), "outcome": last.outcome, "note": last.note,
                                 "by": last.user.agent_no if last.user else "system"} if last else None,
                "callback_number": t.callback_number or t.caller_number, "name": t.name_snapshot,
                "address": t.address_snapshot, "category": t.category.value if t.category else None,
                "state": t.state.value}

    @staticmethod
    def _attempts(db: Session, ticket_ids: list[int]) -> dict[int, list[CallbackAttempt]]:
        found: dict[int, list[CallbackAttempt]] = {i: [] for i in ticket_ids}
        if ticket_ids:
            for a in db.scalars(select(CallbackAttempt).where(CallbackAttempt.ticket_id.in_(ticket_ids))
                                .options(selectinload(CallbackAttempt.user)).order_by(CallbackAttempt.id)):
                found[a.ticket_id].append(a)
        return found

    @staticmethod
    def _worker(actor: Actor, what: str, number: str = "") -> None:
        if actor.role not in SUPERVISORS + (Role.agent,):
            raise Refused("回电列表由座席和领班处理", f"callback_{what}_refused", "ticket", number)

    def list(self, actor: Actor | None, open_only: bool = True, limit: int = 500) -> list[dict]:
        """Oldest first. Agents see the open entries that are not yet the team lead's; team leads
        (and the CLI, `actor` None) see the escalated ones too; not open_only: every entry ever."""
        if actor is not None:
            self._worker(actor, "view")
        stmt = (select(Ticket).where(Ticket.callback_reason.is_not(None))
                .options(selectinload(Ticket.callback_taken_by)).order_by(Ticket.created_at, Ticket.id).limit(limit))
        if open_only or (actor is not None and not actor.supervises):
            stmt = stmt.where(Ticket.callback_requested.is_(True))
        if actor is not None and not actor.supervises:
            stmt = stmt.where(Ticket.callback_escalated.is_(False))
        now = self.now()
        with self.sessions() as db:
            rows = db.scalars(stmt).all()
            attempts = self._attempts(db, [t.id for t in rows])
            return [self.entry(t, attempts[t.id], now) for t in rows]

    def _load(self, db: Session, number: str) -> Ticket:
        t = ticket_by_number(db, number, selectinload(Ticket.callback_taken_by))
        if not t.callback_requested:
            raise RuleError(409, f"报修单 {t.number} 不在回电列表上")
        return t

    def _shown(self, db: Session, t: Ticket, now: datetime) -> dict:
        db.flush()
        db.refresh(t)
        return self.entry(t, self._attempts(db, [t.id])[t.id], now)

    # -------------------------------------------------------------- working --
    def take(self, actor: Actor, number: str) -> dict:
        """This agent calls the resident now: the others see it taken until an outcome or the take
        lapses. Taking one's own again renews it."""
        self._worker(actor, "take", number)
        with self.sessions() as db, db.begin():
            t = self._load(db, number)
            if t.callback_escalated and not actor.supervises:
                raise Refused("这条回电已转领班处理", "callback_take_refused", "ticket", t.number)
            now = self.now()
            if self._taken(t, now) and t.callback_taken_by_id != actor.user_id:
                raise RuleError(409, f"这条回电已由 {t.callback_taken_by.agent_no} 领取")
            t.callback_taken_by_id, t.callback_taken_at = actor.user_id, now
            add_audit(db, actor.agent_no, "callback_take", "ticket", t.number)
            return self._shown(db, t, now)

    def outcome(self, actor: Actor, number: str, outcome: str, note: str = "") -> dict:
        """What the call-back came to. Agents record on an entry they hold; team leads on any entry
        nobody else holds, and they close escalated ones (`closed`, with a note)."""
        self._worker(actor, "outcome", number)
        outcome = str(outcome or "").strip()
        note = (note or "").strip()[:1000]
        if outcome not in wire.CALLBACK_OUTCOMES + (wire.CALLBACK_CLOSED,):
            raise RuleError(422, f"回电结果应为 {'/'.join(wire.CALLBACK_OUTCOMES)} 之一: {outcome or '(空)'}")
        if outcome == wire.CALLBACK_CLOSED and not actor.supervises:
            raise Refused("转领班的回电由领班关闭", "callback_close_refused", "ticket", number)
        with self.sessions() as db, db.begin():
            t = self._load(db, number)
            now = self.now()
            if t.callback_escalated and not actor.supervises:
                raise Refused("这条回电已转领班处理", "callback_outcome_refused", "ticket", t.number)
            holder = self.holder(t, now)
            if holder is not None and holder != actor.user_id:
                raise RuleError(409, f"这条回电已由 {t.callback_taken_by.agent_no} 领取")
            if holder is None and not actor.supervises:
                raise RuleError(409, "请先领取这条回电")
            if outcome == wire.CALLBACK_CLOSED and not note:
                raise RuleError(422, "关闭请写明处理结果")
            if outcome == "reached" and t.state is TicketState.draft:
                # the resident was reached: the repair must leave 待确认 with them on the line
                raise RuleError(409, f"报修单 {t.number} 尚未确认:请在工单中跟读确认后保存(或标为已解决、"
                                     "写明原因取消),再记录已联系上")
            db.add(CallbackAttempt(ticket_id=t.id, user_id=actor.user_id, at=now, outcome=outcome, note=note))
            t.callback_taken_by_id = t.callback_taken_at = None
            if outcome in FAILED:
                db.flush()
                tries = [a.at for a in self._attempts(db, [t.id])[t.id] if a.outcome in FAILED]
                if len(tries) >= self.policy.max_attempts and \
                        tries[-1] - tries[0] >= timedelta(hours=self.policy.escalate_after_h):
                    t.callback_escalated = True
            else:
                t.callback_requested = False
            add_audit(db, actor.agent_no, "callback_outcome", "ticket", t.number, outcome=outcome, note=note,
                      escalated=bool(t.callback_escalated))
            return self._shown(db, t, now)

    def call(self, actor: Actor, number: str, allowed=frozenset()) -> tuple[CallOut, dict]:
        """Click-to-call (hotline.aftercall.outbound): an agent calls an entry they hold (the take
        renewed); another agent's is refused (403, audited); one nobody holds must be taken first.
        Team leads call any entry, and one nobody holds becomes theirs. Returns what to ring and
        the entry as the list now shows it; audited `call_out`."""
        self._worker(actor, "call", number)
        number = ticket_number(number)
        may_call_out(actor, "callback", number)
        with self.sessions() as db, db.begin():
            t = self._load(db, number)
            if t.callback_escalated and not actor.supervises:
                raise Refused("这条回电已转领班处理", "callback_call_refused", "ticket", t.number)
            now = self.now()
            holder = self.holder(t, now)
            if holder not in (None, actor.user_id) and not actor.supervises:
                raise Refused(f"这条回电已由 {t.callback_taken_by.agent_no} 领取,不能拨打", "callback_call_refused",
                              "ticket", t.number)
            if holder is None and not actor.supervises:
                raise RuleError(409, "请先领取这条回电")
            out = call_out(t, actor, "callback", allowed)
            if holder in (None, actor.user_id):
                t.callback_taken_by_id, t.callback_taken_at = actor.user_id, now
            add_audit(db, actor.agent_no, "call_out", "ticket", t.number, kind="callback", number=mask_phone(out.number))
            return out, self._shown(db, t, now)

    # ----------------------------------------------------- calling in again --
    @staticmethod
    def _open_for(db: Session, caller: str, account_id: int | None, exclude: int | None = None) -> list[Ticket]:
        """Open entries of this resident: the same caller id or call-back number, or the account."""
        match = []
        if caller:
            match += [Ticket.caller_number == caller, Ticket.callback_number == caller]
        if account_id:
            match.append(Ticket.account_id == account_id)
        if not match:
            return []
        return list(db.scalars(select(Ticket).where(Ticket.callback_requested.is_(True), or_(*match),
                                                    Ticket.id != (exclude or 0))
                               .options(selectinload(Ticket.callback_taken_by)).order_by(Ticket.id)))

    def for_call(self, db: Session, call: Call, ticket: Ticket | None) -> dict | None:
        """The screen pop's `callback`: the oldest open entry of the calling resident (in the pop's
        own transaction)."""
        found = self._open_for(db, call.caller, ticket.account_id if ticket else None,
                               ticket.id if ticket and not ticket.callback_requested else None)
        if not found:
            return None
        t = found[0]
        return self.entry(t, self._attempts(db, [t.id])[t.id], self.now())

    def called_in(self, uniqueid: str, agent_no: str = "") -> list[dict]:
        """The resident's new call was answered (by `agent_no`): their open entries leave the list
        (`called_in`). Returns the cleared entries."""
        with self.sessions() as db, db.begin():
            call = db.scalar(select(Call).where(Call.uniqueid == str(uniqueid)[:64]))
            if call is None:
                return []
            ticket = db.get(Ticket, call.ticket_id) if call.ticket_id else None
            found = self._open_for(db, call.caller, ticket.account_id if ticket else None)
            if not found:
                return []
            agent = db.scalar(select(User).where(User.agent_no == agent_no[:16])) if agent_no else \
                db.get(User, call.agent_id) if call.agent_id else None
            now = self.now()
            cleared = []
            for t in found:
                db.add(CallbackAttempt(ticket_id=t.id, user_id=agent.id if agent else None, at=now,
                                       outcome=wire.CALLBACK_CALLED_IN, note=f"来电 {call.uniqueid}"))
                t.callback_requested, t.callback_taken_by_id, t.callback_taken_at = False, None, None
                add_audit(db, agent.agent_no if agent else "system", "callback_outcome", "ticket", t.number,
                          outcome=wire.CALLBACK_CALLED_IN, call=call.uniqueid)
                cleared.append(self._shown(db, t, now))
            return cleared
