"""回访, the follow-up survey of a completed repair (the customer's script, 002 四.2): every ticket that
reached `completed` (返单) is on the 回访 list, oldest first; an agent or a team lead reads the script
and records the answers a–f (f, the fee reminder, only when the resident is satisfied and the
account's fee is unpaid). Saving stores a `survey` (channel agent) and moves the ticket to
`followed_up`; "not solved" also re-opens the repair as a linked ticket (TicketWork.reopen_unsolved), which
goes to the team leads. "Not convenient" books a time: the ticket is off the list until then.

The automated 回访 call (hotline.aftercall.survey_calls) stores its answers through the same path
(`record`, channel ivr, no user, audited as "ivr"). In the automated modes the list leaves out the
tickets the dialer still owns and shows those it gave up: to agents and team leads
(automated-first), to team leads only (automated)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from db.models import Role, Survey, Ticket, TicketState
from db.queries import iso
from hotline.aftercall.lifecycle import MOVERS, TicketWork, last_entered, survey_dict
from hotline.aftercall.outbound import CallOut, call_out, may_call_out, ticket_number
from hotline.aftercall.rules import SUPERVISORS, Actor, Refused, RuleError, add_audit, ticket_by_number
from hotline.aftercall.survey_calls import SYSTEM, SurveyPolicy, attempts_of, automated_state
from common import wire
from common.paths import confined
from common.wire import fee_reminder_applies
from common.phones import mask_phone

#: a booked 回访 at most this far ahead
BOOK_AHEAD_DAYS = 14


#: the automated call acts with an agent's rights on the one ticket it called about (its answers
#: are the resident's, keyed on the phone): no user, audited as "ivr"
IVR_ACTOR = Actor(None, SYSTEM, Role.agent)


class SurveyList:
    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime],
                 policy: SurveyPolicy = SurveyPolicy(), work: TicketWork | None = None,
                 recordings_dir=None):
        self.sessions, self.now, self.policy = sessions, now, policy
        #: "not solved" re-opens the repair through the lifecycle's one path
        self.work = work or TicketWork(sessions, now)
        #: where the automated call's voice comments (e) must lie
        self.recordings_dir = recordings_dir

    @staticmethod
    def _worker(actor: Actor, what: str, number: str = "") -> None:
        if actor.role not in SUPERVISORS + (Role.agent,):
            raise Refused("回访由座席和领班进行", f"survey_{what}_refused", "ticket", number)

    def row(self, t: Ticket, now: datetime, automated: dict | None = None) -> dict:
        """As the list shows it (wire.SAMPLE_SURVEY_ROW); `automated`: the dialer's attempts on it."""
        done = last_entered(t, TicketState.completed) or t.updated_at
        result = next((x.note for x in reversed(t.transitions) if x.state is TicketState.completed), "")
        return {"ticket": t.number, "completed_at": iso(done), "due_at": iso(t.survey_due_at), "result": result or "",
                "station": t.station.name if t.station else None, "name": t.name_snapshot,
                "address": t.address_snapshot, "callback_number": t.callback_number or t.caller_number,
                "category": t.category.value if t.category else None,
                "fee_status": (t.account.fee_status if t.account else None) or "unknown",
                "waited": max(0, int((now - (t.survey_due_at or done)).total_seconds())) if done else 0,
                "automated": automated}

    def list(self, actor: Actor | None, limit: int = 500) -> list[dict]:
        """Completed repairs due for 回访 (never booked, or booked for now or earlier), the longest
        waiting first (`actor` None: the CLI's view)."""
        if actor is not None:
            self._worker(actor, "view")
        now = self.now()
        with self.sessions() as db:
            rows = db.scalars(select(Ticket).where(Ticket.state == TicketState.completed,
                                                   or_(Ticket.survey_due_at.is_(None), Ticket.survey_due_at <= now))
                              .options(selectinload(Ticket.transitions), selectinload(Ticket.account),
                                       selectinload(Ticket.station)).limit(limit)).all()
            calls = attempts_of(db, [t.id for t in rows])
            found = []
            for t in rows:
                auto = automated_state(calls.get(t.id, []), self.policy)
                if actor is None or self._shown(actor, auto):
                    found.append(self.row(t, now, auto))
        return sorted(found, key=lambda r: (r["due_at"] or r["completed_at"] or "", r["ticket"]))

    def _shown(self, actor: Actor, auto: dict | None) -> bool:
        """Mode agents: every completed repair. Automated modes: only those the dialer gave up —
        to everyone (automated-first), to the team leads (automated)."""
        if not self.policy.automated:
            return not (auto and auto["calling"])
        if auto is None or auto["owner"] in ("dialer", "done"):
            return False
        return auto["owner"] == "agents" or actor.supervises

    def _load(self, db: Session, number: str, actor: Actor | None = None, what: str = "") -> Ticket:
        """A completed repair due for 回访; with `actor`, one on their list (`_shown`): an agent's
        refused (403, audited `survey_<what>_refused`) when the dialer or the team leads have it —
        the refusal names no number. Team leads steer every completed repair; the automated
        call (IVR_ACTOR) acts on the one it called about."""
        t = ticket_by_number(db, number, selectinload(Ticket.transitions), selectinload(Ticket.account),
                             selectinload(Ticket.station))
        if t.state is not TicketState.completed:
            raise RuleError(409, f"报修单 {t.number} 不在回访列表上(未返单或已回访)")
        if actor is not None and actor is not IVR_ACTOR and not actor.supervises:
            auto = automated_state(attempts_of(db, [t.id]).get(t.id, []), self.policy)
            if not self._shown(actor, auto):
                raise Refused("这条回访不在您的回访列表上", f"survey_{what}_refused", "ticket", t.number)
        return t

    def call(self, actor: Actor, number: str, allowed=frozenset()) -> CallOut:
        """Click-to-call (hotline.aftercall.outbound) of a completed repair's resident for 回访, by
        an agent or a team lead; audited `call_out`. The answers are saved as ever (`save`)."""
        self._worker(actor, "call", number)
        number = ticket_number(number)
        may_call_out(actor, "survey", number)
        with self.sessions() as db, db.begin():
            t = self._load(db, number, actor, "call")
            auto = automated_state(attempts_of(db, [t.id]).get(t.id, []), self.policy)
            if auto and auto["calling"]:     # the automated call has the resident on the line (or rings)
                raise RuleError(409, f"报修单 {t.number} 正在自动回访中")
            out = call_out(t, actor, "survey", allowed)
            add_audit(db, actor.agent_no, "call_out", "ticket", t.number, kind="survey", number=mask_phone(out.number))
            return out

    def book(self, actor: Actor, number: str, at: str, note: str = "") -> dict:
        """Not convenient: the resident's time; the ticket comes back to the list then."""
        self._worker(actor, "book", number)
        try:
            when = datetime.fromisoformat(str(at or "")[:32])
        except ValueError:
            raise RuleError(422, f"预约时间应为 2026-11-23T15:00 这样的时间: {at}") from None
        if when.tzinfo is not None:
            when = when.astimezone().replace(tzinfo=None)
        now = self.now()
        if not now < when <= now + timedelta(days=BOOK_AHEAD_DAYS):
            raise RuleError(422, f"预约时间应在现在之后 {BOOK_AHEAD_DAYS} 天以内")
        with self.sessions() as db, db.begin():
            t = self._load(db, number, actor, "book")
            t.survey_due_at = when
            add_audit(db, actor.agent_no, "survey_book", "ticket", t.number, at=iso(when),
                      note=(note or "").strip()[:500])
            db.flush()
            return self.row(t, now)

    def record(self, actor: Actor | None, number: str, answers: dict,
               comment_recording: str | None = None) -> tuple[dict, dict | None]:
        """The one way a 回访 is stored, by a person (channel agent) or by the automated call
        (`actor` None: channel ivr): `save`, then a "not solved" repair re-opened as a linked ticket
        (TicketWork.reopen_unsolved). Returns (saved, the re-opened ticket or None); the caller tells the
        team leads of the latter."""
        saved = self.save(actor or IVR_ACTOR, number, answers, comment_recording)
        if saved["solved"]:
            return saved, None
        comment = (answers.get("comment") or "").strip() if isinstance(answers.get("comment"), str) else ""
        how = "自动回访" if actor is None else "回访"
        t = self.work.reopen_unsolved(actor or IVR_ACTOR, number, f"{how}: 问题未解决 {comment}".strip())
        saved["reopened"] = t["number"]
        return saved, t

    def save(self, actor: Actor, number: str, answers: dict, comment_recording: str | None = None) -> dict:
        """The answers a–f (channel agent: by this person on the phone; ivr — `actor` IVR_ACTOR: keyed
        by the resident on the automated call, e as a recording): a survey record and the ticket →
        followed_up, in one transaction. Returns {ticket, state, survey, solved}; `record` also
        re-opens an unsolved repair."""
        self._worker(actor, "save", number)
        a = self._answers(answers)
        channel = "ivr" if actor is IVR_ACTOR else "agent"
        recording = None
        if comment_recording and channel == "ivr":
            path = confined(comment_recording, [self.recordings_dir], must_exist=True) if self.recordings_dir else None
            if path is None:
                raise RuleError(422, "e 录音不在录音目录内")
            recording = str(path)
        with self.sessions() as db, db.begin():
            t = self._load(db, number, actor, "save")
            applies = fee_reminder_applies(a["attitude"], t.account.fee_status if t.account else None)
            if applies and a["fee_reminder"] is None:
                raise RuleError(422, "满意且未交费:请读 f 收费提醒并勾选")
            if not applies and a["fee_reminder"] is not None:
                raise RuleError(422, "f 收费提醒只在满意且未交费时读")
            if actor.role not in MOVERS[(TicketState.completed, TicketState.followed_up)]:
                raise Refused("您的角色不能回访", "survey_save_refused", "ticket", t.number)
            s = Survey(ticket_id=t.id, user_id=actor.user_id, at=self.now(), channel=channel,
                       comment_recording=recording, **a)
            db.add(s)
            note = f"{'自动回访' if channel == 'ivr' else '回访'}: {'已解决' if a['solved'] else '未解决'}, {a['score']} 分"
            t.survey_due_at = None
            add_audit(db, actor.agent_no, "survey", "ticket", t.number, channel=channel, **a)
            self.work.settle(db, actor, t, TicketState.followed_up, note)
            db.flush()
            db.refresh(s)
            return {"ticket": t.number, "state": t.state.value, "survey": survey_dict(s), "solved": a["solved"]}

    @staticmethod
    def _answers(raw: dict) -> dict:
        def yes_no(key: str, letter: str) -> bool:
            v = raw.get(key)
            if not isinstance(v, bool):
                raise RuleError(422, f"{letter} 请选择 是 或 否")
            return v
        solved, charged = yes_no("solved", "a"), yes_no("charged", "c")
        attitude = raw.get("attitude")
        if attitude not in wire.SURVEY_ATTITUDES:
            raise RuleError(422, "b 维修工态度请选择 满意 / 普通 / 不满意")
        score = raw.get("score")
        if isinstance(score, bool) or not isinstance(score, int) or \
                not wire.SURVEY_SCORE_MIN <= score <= wire.SURVEY_SCORE_MAX:
            raise RuleError(422, f"d 打分应为 {wire.SURVEY_SCORE_MIN}–{wire.SURVEY_SCORE_MAX}")
        comment = raw.get("comment") or ""
        if not isinstance(comment, str):
            raise RuleError(422, "e 意见应为文字")
        f = raw.get("fee_reminder")
        if f is not None and not isinstance(f, bool):
            raise RuleError(422, "f 收费提醒应为 是 或 否")
        return {"solved": solved, "attitude": attitude, "charged": charged, "score": score,
                "comment": comment.strip()[:wire.SURVEY_COMMENT_MAX], "fee_reminder": f}
