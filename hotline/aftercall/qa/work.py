"""The QA rules for people: the samples (drawn once, by the service's round at the day's end or at
the first request after it), the checks, peer listening, the proposals, the results. Each public
method is one transaction, checked for the actor — team leads and the head check, a team lead
adds calls by hand, agents listen to colleagues' calls of the day before and see only their own
results — and audited; refusals are `Refused` (403, audited by the caller) or `RuleError`.

A call is checked per leg: a recording is one agent's part of a call (a transfer has one per
agent), and a check of it counts for and against that agent."""
from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from common import wire
from db.models import (ESCALATED_ANOMALIES, AnomalyRecord, AnomalyType, AuditEntry, Call, QaCheck, QaDraw,
                       QaPeerListen, QaProposal, QaSample, Recording, Role, Ticket, TicketState, TicketTransition, User)
from db.queries import insert_if_new, iso
from hotline.aftercall.qa import rules
from hotline.aftercall.qa.rules import QaPolicy
from hotline.aftercall.qa.standards import current, load_standards, scorecard_dict
from hotline.aftercall.recordings import leg_direction, leg_time, recording_id, surveyed_on
from hotline.aftercall.reports.figures import ReportPolicy, day_bounds, reporting_day
from hotline.aftercall.rules import SUPERVISORS, Actor, Refused, RuleError, add_audit
from ivr import storage

log = logging.getLogger("hotline.qa")

#: who checks recordings (领班 daily, 部长 weekly) and the kind of check each writes
CHECKERS = {Role.team_lead: "lead", Role.head: "head"}
#: who listens to colleagues' recordings (当班话务员听前日录音)
LISTENERS = (Role.agent,)
#: a leg fit to listen to (a flagged-missing or empty file is shown, never handed to a peer)
PLAYABLE = (storage.OK, storage.SHORT)
#: how far back the round looks for corrections that propose a finding
PROPOSE_WINDOW = timedelta(days=2)
#: ticket fields whose correction after dispatch proposes a finding
CORRECTIONS = {"address": ("address_fix", "wrong_address"), "callback_number": ("phone_fix", "wrong_phone")}
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


@dataclass(frozen=True)
class Leg:
    """An agent's recorded part of an answered call."""
    recording: int
    call: int
    agent: int
    at: datetime
    health: str


def parse_month(text: str) -> tuple[date, date]:
    m = _MONTH.match(str(text)[:8])
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise RuleError(422, f"月份应为 YYYY-MM,不是 {str(text)[:10]!r}")
    first = date(int(m.group(1)), int(m.group(2)), 1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


class QaWork:
    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime], policy: QaPolicy,
                 report: ReportPolicy, key: bytes, origin: str = "cli"):
        self.sessions, self.now, self.policy, self.report, self.key = sessions, now, policy, report, key
        #: the audit's actor when no person acts (the service's round, the admin's CLI)
        self.origin = origin

    # ------------------------------------------------------------------ helpers --
    def today(self) -> date:
        return reporting_day(self.now(), self.report)

    def _bounds(self, first: date, last: date | None = None) -> tuple[datetime, datetime]:
        return day_bounds(first, self.report)[0], day_bounds(last or first, self.report)[1]

    def _legs(self, db: Session, start: datetime, end: datetime) -> list[Leg]:
        """The agents' recorded legs of calls answered in [start, end) (not deleted)."""
        rows = db.execute(select(Recording.id, Call.id, Recording.agent_id, Call.answered_at, Recording.health)
                          .join(Call, Call.id == Recording.call_id)
                          .where(Recording.deleted_at.is_(None), Recording.agent_id.is_not(None),
                                 Call.direction.in_(("in", "out")), Call.answered_at >= start, Call.answered_at < end)
                          .order_by(Recording.id)).all()
        return [Leg(*r) for r in rows]

    def _names(self, db: Session) -> dict[int, tuple[str, str]]:
        return {i: (no, name) for i, no, name in db.execute(select(User.id, User.agent_no, User.name))}

    @staticmethod
    def _require(actor: Actor | None, roles, action: str, what: str, object_id: str = "") -> None:
        if actor is not None and actor.role not in roles:
            raise Refused(what, action, "qa", object_id)

    def _audit(self, db: Session, actor: Actor | None, action: str, object_type: str, object_id: str = "", **detail):
        add_audit(db, actor.agent_no if actor else self.origin, action, object_type, object_id, **detail)

    def _leg_row(self, db: Session, rec: Recording, names) -> dict:
        call = db.get(Call, rec.call_id) if rec.call_id else None
        direction = leg_direction(rec, call, call is not None and surveyed_on(db, call, rec.agent_id))
        number = db.scalar(select(Ticket.number).where(Ticket.id == rec.ticket_id)) if rec.ticket_id else None
        no, name = names.get(rec.agent_id, (None, ""))
        return {"recording": rec.id, "call": call.uniqueid if call else None, "ticket": number, "agent": no,
                "name": name, "direction": direction, "at": iso(leg_time(call, rec)),
                "duration_s": round(rec.duration_s or 0.0, 1), "health": rec.health,
                "scorecard": "survey" if direction == "survey" else "intake",
                "audio_url": wire.path(wire.RECORDING_AUDIO, rid=rec.id) if rec.path and rec.deleted_at is None else None}

    # ---------------------------------------------------------------- standards --
    def load_standards(self) -> list[str]:
        with self.sessions() as db, db.begin():
            return load_standards(db, self.now())

    def scorecards(self, actor: Actor | None) -> list[dict]:
        if actor is not None and actor.role is Role.station:
            raise Refused("维修站不参与录音检查", "view_refused", "qa", "scorecards")
        with self.sessions() as db:
            return [scorecard_dict(sc) for kind in wire.QA_SCORECARD_KINDS if (sc := current(db, kind)) is not None]

    # -------------------------------------------------------------------- draws --
    def _draw_daily(self, legs: list[Leg], day: date) -> dict[int, list[int]]:
        """Per agent: quota(all their legs) of their playable legs (the rest only when too few play)."""
        by_agent: dict[int, list[Leg]] = defaultdict(list)
        for leg in legs:
            by_agent[leg.agent].append(leg)
        out = {}
        for agent, mine in by_agent.items():
            n = rules.quota(len(mine), self.policy.sample_share)
            playable = [g.recording for g in mine if g.health in PLAYABLE]
            got = rules.draw({agent: playable}, self.key, rules.daily_label(day), lambda _n: n).get(agent, [])
            if len(got) < n:
                rest = [g.recording for g in mine if g.recording not in got]
                got += rules.draw({agent: rest}, self.key, rules.daily_label(day), lambda _n: n - len(got)).get(agent, [])
            out[agent] = sorted(got)
        return out

    def ensure_drawn(self, day: date, by: Actor | None = None) -> bool:
        """The reporting day's sample drawn and stored, once, when the day is over (idempotent: a
        draw found is kept; two at once, one wins). True when this call drew it."""
        start, end = self._bounds(day)
        if end > self.now():
            return False
        try:
            with self.sessions() as db, db.begin():
                if db.scalar(select(QaDraw.id).where(QaDraw.kind == "daily", QaDraw.day == day.isoformat())):
                    return False
                db.add(QaDraw(kind="daily", day=day.isoformat(), drawn_at=self.now(), drawn_by_id=by.user_id if by else None))
                db.flush()
                legs = self._legs(db, start, end)
                call_of = {g.recording: g.call for g in legs}
                for agent, recs in self._draw_daily(legs, day).items():
                    for rid in recs:
                        db.add(QaSample(kind="daily", day=day.isoformat(), recording_id=rid, call_id=call_of[rid],
                                        agent_id=agent, added_at=self.now()))
                self._audit(db, by, "qa_draw", "qa_sample", day.isoformat(), legs=len(legs))
                return True
        except IntegrityError:   # drawn at the same moment elsewhere: that draw stands
            return False

    def ensure_weekly(self, day: date, by: Actor | None = None) -> bool:
        """The head's sample of the ISO week holding `day`, once the week is over: per agent who took
        or made calls that week, qa_weekly_per_agent legs not already in a daily sample."""
        monday = day - timedelta(days=day.weekday())
        start, end = self._bounds(monday, monday + timedelta(days=6))
        if end > self.now():
            return False
        try:
            with self.sessions() as db, db.begin():
                if db.scalar(select(QaDraw.id).where(QaDraw.kind == "weekly", QaDraw.day == monday.isoformat())):
                    return False
                db.add(QaDraw(kind="weekly", day=monday.isoformat(), drawn_at=self.now(),
                              drawn_by_id=by.user_id if by else None))
                db.flush()
                days = [(monday + timedelta(days=i)).isoformat() for i in range(7)]
                daily = set(db.scalars(select(QaSample.recording_id).where(QaSample.day.in_(days))))
                legs = [g for g in self._legs(db, start, end) if g.recording not in daily and g.health in PLAYABLE]
                by_agent: dict[int, list[int]] = defaultdict(list)
                for g in legs:
                    by_agent[g.agent].append(g.recording)
                call_of = {g.recording: g.call for g in legs}
                drawn = rules.draw(by_agent, self.key, rules.weekly_label(monday),
                                   lambda n: min(n, self.policy.weekly_per_agent))
                for agent, recs in drawn.items():
                    for rid in recs:
                        db.add(QaSample(kind="weekly", day=monday.isoformat(), recording_id=rid, call_id=call_of[rid],
                                        agent_id=agent, added_at=self.now()))
                self._audit(db, by, "qa_draw", "qa_sample", f"week:{monday.isoformat()}", legs=len(legs))
                return True
        except IntegrityError:
            return False

    # ------------------------------------------------------------------- samples --
    def sample(self, actor: Actor | None, day: date) -> dict:
        """The reporting day's sample with each call's check (or none yet), and per agent: answered
        legs, the quota (≥ 10 %, at least one), drawn, checked. A day not over yet shows the draw as
        it stands (final: false), stored only once the day is over."""
        self._require(actor, SUPERVISORS, "view_refused", "录音抽查由领班和部长查看", day.isoformat())
        self.ensure_drawn(day, actor)
        start, end = self._bounds(day)
        with self.sessions() as db, db.begin():
            names = self._names(db)
            legs = self._legs(db, start, end)
            drawn = db.scalar(select(QaDraw).where(QaDraw.kind == "daily", QaDraw.day == day.isoformat()))
            stored = list(db.scalars(select(QaSample).where(QaSample.day == day.isoformat(),
                                                            QaSample.kind.in_(("daily", "manual")))
                                     .order_by(QaSample.agent_id, QaSample.recording_id)))
            rows = [(s.id, s.kind, s.recording_id) for s in stored]
            if drawn is None:     # the day goes on: the draw as it stands, nothing stored
                manual = {s.recording_id for s in stored}
                rows += [(None, "daily", rid) for recs in self._draw_daily(legs, day).values() for rid in recs
                         if rid not in manual]
            sample = [self._sample_row(db, sid, kind, day.isoformat(), rid, names) for sid, kind, rid in rows]
            answered = Counter(g.agent for g in legs)
            in_sample = Counter(r["agent"] for r in sample)
            checked = Counter(r["agent"] for r in sample if r["checked"])
            agents = [{"agent_no": names[a][0], "name": names[a][1], "answered": n,
                       "quota": rules.quota(n, self.policy.sample_share),
                       "sample": in_sample[names[a][0]], "checked": checked[names[a][0]]}
                      for a, n in sorted(answered.items(), key=lambda kv: names[kv[0]][0])]
            if actor is not None:
                self._audit(db, actor, "view", "qa_sample", day.isoformat())
            return {"day": day.isoformat(), "final": drawn is not None,
                    "drawn_at": iso(drawn.drawn_at) if drawn else None, "agents": agents, "sample": sample}

    def _sample_row(self, db: Session, sid: int | None, kind: str, day: str, rid: int, names) -> dict:
        rec = db.get(Recording, rid)
        chk = db.scalar(select(QaCheck).where(QaCheck.recording_id == rid, QaCheck.kind.in_(tuple(CHECKERS.values())))
                        .order_by(QaCheck.id.desc()).limit(1))
        return {"id": sid, "kind": kind, "day": day, **self._leg_row(db, rec, names), "checked": chk is not None,
                "check": {"id": chk.id, "passed": chk.passed, "by": names.get(chk.checker_id, ("?",))[0],
                          "at": iso(chk.at)} if chk else None}

    def weekly(self, actor: Actor | None, day: date) -> dict:
        """The head's sample of the week holding `day` (drawn once the week is over)."""
        self._require(actor, SUPERVISORS, "view_refused", "部长周抽查由领班和部长查看", day.isoformat())
        monday = day - timedelta(days=day.weekday())
        self.ensure_weekly(monday, actor)
        with self.sessions() as db, db.begin():
            names = self._names(db)
            drawn = db.scalar(select(QaDraw).where(QaDraw.kind == "weekly", QaDraw.day == monday.isoformat()))
            stored = db.scalars(select(QaSample).where(QaSample.kind == "weekly", QaSample.day == monday.isoformat())
                                .order_by(QaSample.agent_id, QaSample.recording_id)).all()
            sample = [self._sample_row(db, s.id, "weekly", s.day, s.recording_id, names) for s in stored]
            if actor is not None:
                self._audit(db, actor, "view", "qa_sample", f"week:{monday.isoformat()}")
            return {"week": monday.isoformat(), "final": drawn is not None,
                    "drawn_at": iso(drawn.drawn_at) if drawn else None, "sample": sample}

    def add_to_sample(self, actor: Actor, raw_rid) -> dict:
        """A team lead (or the head) adds a call to its day's sample by hand."""
        rid = recording_id(raw_rid)
        self._require(actor, tuple(CHECKERS), "qa_add_refused", "只有领班和部长可以加入抽查", str(rid))
        with self.sessions() as db, db.begin():
            rec, call = self._leg(db, rid)
            day = reporting_day(leg_time(call, rec), self.report).isoformat()
            if db.scalar(select(QaSample.id).where(QaSample.day == day, QaSample.recording_id == rid,
                                                   QaSample.kind.in_(("daily", "manual")))):
                raise RuleError(409, "这段录音已在当日抽查中")
            s = QaSample(kind="manual", day=day, recording_id=rid, call_id=rec.call_id, agent_id=rec.agent_id,
                         added_by_id=actor.user_id, added_at=self.now())
            db.add(s)
            db.flush()
            self._audit(db, actor, "qa_add", "recording", str(rid), day=day)
            return self._sample_row(db, s.id, "manual", day, rid, self._names(db))

    def _leg(self, db: Session, rid: int) -> tuple[Recording, Call | None]:
        rec = db.get(Recording, rid)
        if rec is None:
            raise RuleError(404, "没有这段录音")
        if rec.deleted_at is not None:
            raise RuleError(409, "这段录音已删除")
        if rec.agent_id is None:
            raise RuleError(422, "这段录音没有座席(自动回访等),不在抽查之列")
        return rec, db.get(Call, rec.call_id) if rec.call_id else None

    # -------------------------------------------------------------------- checks --
    def check(self, actor: Actor, raw_rid, scorecard: str, items: dict, findings: list[str], note: str) -> dict:
        """A written check result of one leg: the standard's newest version, each item, the findings,
        pass or fail (rules.score), a note. A leg a peer marked clean and this check finds a problem
        in counts against that peer (知情不报): the answer names them."""
        rid = recording_id(raw_rid)
        kind = CHECKERS.get(actor.role)
        if kind is None:
            raise Refused("录音检查由领班和部长进行", "qa_check_refused", "recording", str(rid))
        with self.sessions() as db, db.begin():
            rec, call = self._leg(db, rid)
            if rec.agent_id == actor.user_id:
                raise Refused("不能检查自己的录音", "qa_check_refused", "recording", str(rid))
            direction = leg_direction(rec, call, call is not None and surveyed_on(db, call, rec.agent_id))
            wanted = scorecard or ("survey" if direction == "survey" else "intake")
            if wanted not in wire.QA_SCORECARD_KINDS:
                raise RuleError(422, f"评分标准应为 {'/'.join(wire.QA_SCORECARD_KINDS)} 之一")
            sc = current(db, wanted)
            if sc is None:
                raise RuleError(409, f"评分标准 {wanted} 尚未载入")
            try:
                got_items, got_findings, passed = rules.score(sc.body, items, findings)
            except rules.CheckError as exc:
                raise RuleError(422, str(exc)) from None
            day = reporting_day(leg_time(call, rec), self.report).isoformat()
            c = QaCheck(kind=kind, recording_id=rid, call_id=rec.call_id, ticket_id=rec.ticket_id,
                        agent_id=rec.agent_id, checker_id=actor.user_id, scorecard_id=sc.id, items=got_items,
                        findings=got_findings, passed=passed, note=(note or "").strip()[:wire.QA_NOTE_MAX],
                        day=day, at=self.now())
            db.add(c)
            db.flush()
            unreported = [] if passed else self._clean_marks(db, rid)
            self._audit(db, actor, "qa_check", "recording", str(rid), passed=passed, findings=got_findings,
                        scorecard=f"{sc.kind} v{sc.version}", unreported_by=unreported or None)
            return {**self._check_row(db, c, self._names(db)), "unreported_by": unreported}

    def _clean_marks(self, db: Session, rid: int) -> list[str]:
        """工号 of the peers who listened to this leg and marked no problem."""
        rows = db.execute(select(User.agent_no, QaPeerListen.findings).join(User, User.id == QaPeerListen.listener_id)
                          .where(QaPeerListen.recording_id == rid, QaPeerListen.listened_at.is_not(None))).all()
        return sorted(no for no, found in rows if not any(f in rules.PROBLEMS for f in (found or [])))

    @staticmethod
    def _check_row(db: Session, c: QaCheck, names) -> dict:
        sc = c.scorecard if c.scorecard_id else None
        return {"id": c.id, "kind": c.kind, "recording": c.recording_id, "day": c.day, "at": iso(c.at),
                "agent": names.get(c.agent_id, ("?",))[0], "checker": names.get(c.checker_id, ("?",))[0],
                "scorecard": {"kind": sc.kind, "version": sc.version} if sc else None, "items": c.items,
                "findings": c.findings, "passed": c.passed, "note": c.note,
                "ticket": db.scalar(select(Ticket.number).where(Ticket.id == c.ticket_id)) if c.ticket_id else None}

    def checks(self, actor: Actor | None, day: date) -> list[dict]:
        """The day's written results: a lead's view all, an agent's their own."""
        if actor is not None and actor.role is Role.station:
            raise Refused("维修站不参与录音检查", "view_refused", "qa", "checks")
        with self.sessions() as db, db.begin():
            q = select(QaCheck).where(QaCheck.day == day.isoformat()).order_by(QaCheck.id)
            if actor is not None and not actor.supervises:
                q = q.where(QaCheck.agent_id == actor.user_id)
            names = self._names(db)
            out = [self._check_row(db, c, names) for c in db.scalars(q)]
            if actor is not None:
                self._audit(db, actor, "view", "qa_check", day.isoformat())
            return out

    # ------------------------------------------------------------ peer listening --
    def peer(self, actor: Actor) -> dict:
        """This agent's colleagues' recordings of the day before, to listen to today (handed out at
        the first look of the day: the quota, never their own, spread across the team)."""
        self._require(actor, LISTENERS, "peer_refused", "听前日录音由当班话务员进行", actor.agent_no)
        today = self.today()
        with self.sessions() as db, db.begin():
            if not db.scalar(select(QaPeerListen.id).where(QaPeerListen.day == today.isoformat(),
                                                           QaPeerListen.listener_id == actor.user_id).limit(1)):
                self._hand_out(db, actor, today)
            names = self._names(db)
            rows = db.scalars(select(QaPeerListen).where(QaPeerListen.day == today.isoformat(),
                                                         QaPeerListen.listener_id == actor.user_id)
                              .order_by(QaPeerListen.id)).all()
            return {"day": today.isoformat(), "of_day": (today - timedelta(days=1)).isoformat(),
                    "quota": self.policy.peer_quota,
                    "recordings": [{"id": p.id, **self._leg_row(db, db.get(Recording, p.recording_id), names),
                                    "listened": p.listened_at is not None, "listened_at": iso(p.listened_at),
                                    "findings": p.findings, "note": p.note} for p in rows]}

    def _hand_out(self, db: Session, actor: Actor, today: date) -> None:
        start, end = self._bounds(today - timedelta(days=1))
        theirs = [g for g in self._legs(db, start, end) if g.agent != actor.user_id and g.health in PLAYABLE]
        if not theirs:
            return
        taken = Counter(db.scalars(select(QaPeerListen.recording_id).where(QaPeerListen.day == today.isoformat())))
        label = rules.peer_label(today, actor.user_id)
        chosen = sorted(theirs, key=lambda g: (taken[g.recording], rules.rank(self.key, label, g.recording)))
        for g in chosen[:self.policy.peer_quota]:
            db.add(QaPeerListen(day=today.isoformat(), listener_id=actor.user_id, recording_id=g.recording,
                                agent_id=g.agent, assigned_at=self.now(), findings=[], note=""))
        db.flush()
        self._audit(db, actor, "peer_assigned", "qa_peer", today.isoformat(), count=min(len(chosen), self.policy.peer_quota))

    def peer_mark(self, actor: Actor, raw_pid, findings: list[str], note: str) -> dict:
        """Listened: problems with their cause (需记录,并说明原因), or 闪光点, or nothing (clean)."""
        pid = recording_id(raw_pid)
        self._require(actor, LISTENERS, "peer_refused", "听前日录音由当班话务员进行", str(pid))
        note = (note or "").strip()[:wire.QA_NOTE_MAX]
        bad = [f for f in findings if f not in wire.QA_FINDINGS]
        if bad or len(set(findings)) != len(findings):
            raise RuleError(422, f"检查结果应为 {', '.join(wire.QA_FINDINGS)} 中的不同项")
        if any(f in rules.PROBLEMS for f in findings) and not note:
            raise RuleError(422, "有问题的录音需记录并说明原因")
        if wire.QA_PRAISE in findings and not note:
            raise RuleError(422, "请写明值得学习的闪光点")
        with self.sessions() as db, db.begin():
            p = db.get(QaPeerListen, pid)
            if p is None:
                raise RuleError(404, "没有这条听录音任务")
            if p.listener_id != actor.user_id or p.day != self.today().isoformat():
                raise Refused("只能标记今天分给自己的录音", "peer_refused", "qa_peer", str(pid))
            if p.listened_at is not None:
                raise RuleError(409, "这段录音已标记")
            p.listened_at, p.findings, p.note = self.now(), [f for f in wire.QA_FINDINGS if f in findings], note
            self._audit(db, actor, "peer_mark", "recording", str(p.recording_id), findings=p.findings)
            return {"id": p.id, "recording": p.recording_id, "listened_at": iso(p.listened_at), "findings": p.findings,
                    "note": p.note}

    def may_listen(self, db: Session, user_id: int, rid: int) -> bool:
        """The recording was handed to this agent to listen to today (they may play it)."""
        return db.scalar(select(QaPeerListen.id).where(QaPeerListen.listener_id == user_id,
                                                       QaPeerListen.recording_id == rid,
                                                       QaPeerListen.day == self.today().isoformat())) is not None

    # --------------------------------------------------------------- proposals --
    def propose(self) -> int:
        """Findings the records suggest, against the person who saved the ticket (its first move to
        new): a station recall (dispatched → new) proposes 选错维修站; an address or call-back number
        changed after dispatch proposes 地址 / 电话填写错误. Each source once; returns how many new."""
        added = 0
        with self.sessions() as db, db.begin():
            since = self.now() - PROPOSE_WINDOW
            for tr in db.scalars(select(TicketTransition).where(TicketTransition.state == TicketState.new,
                                                                TicketTransition.at >= since)):
                before = db.scalar(select(TicketTransition.state).where(TicketTransition.ticket_id == tr.ticket_id,
                                                                        TicketTransition.id < tr.id)
                                   .order_by(TicketTransition.id.desc()).limit(1))
                if before is TicketState.dispatched:
                    added += self._propose(db, "recall", tr.id, "wrong_station", tr.ticket_id, tr.at,
                                           f"维修站退回: {tr.note}".strip())
            # the audit's clock is the wall clock (rules.add_audit)
            for a in db.scalars(select(AuditEntry).where(AuditEntry.action == "update", AuditEntry.object_type == "ticket",
                                                         AuditEntry.at >= datetime.now() - PROPOSE_WINDOW)):
                changes = (a.detail or {}).get("changes") or {}
                for field, (source, finding) in CORRECTIONS.items():
                    if field not in changes:
                        continue
                    t = db.scalar(select(Ticket).where(Ticket.number == a.object_id))
                    if t is not None and self._dispatched_before(db, a):
                        added += self._propose(db, source, a.id, finding, t.id, self.now(),
                                               f"派单后由 {a.actor} 更正")
        return added

    @staticmethod
    def _dispatched_before(db: Session, a: AuditEntry) -> bool:
        """The ticket had been dispatched when this correction was saved (an earlier audited move to it)."""
        moves = db.scalars(select(AuditEntry.detail).where(AuditEntry.object_type == "ticket",
                                                           AuditEntry.action == "state",
                                                           AuditEntry.object_id == a.object_id,
                                                           AuditEntry.id < a.id)).all()
        return any((d or {}).get("to") == TicketState.dispatched.value for d in moves)

    def _propose(self, db: Session, source: str, source_id: int, finding: str, ticket_id: int, at: datetime,
                 detail: str) -> int:
        if db.scalar(select(QaProposal.id).where(QaProposal.source == source, QaProposal.source_id == source_id)):
            return 0
        saver = db.scalar(select(TicketTransition.user_id).where(TicketTransition.ticket_id == ticket_id,
                                                                 TicketTransition.state == TicketState.new)
                          .order_by(TicketTransition.id).limit(1))
        if saver is None:
            return 0
        # proposed once per source, whoever gets there first: the minute's round or a lead's page
        return int(insert_if_new(db, QaProposal, dict(source=source, source_id=source_id, finding=finding,
                                                      ticket_id=ticket_id, agent_id=saver, detail=detail[:1000], at=at,
                                                      state="open")))

    def proposals(self, actor: Actor | None, open_only: bool = True) -> list[dict]:
        self._require(actor, SUPERVISORS, "view_refused", "检查建议由领班和部长处理", "proposals")
        self.propose()
        with self.sessions() as db:
            q = select(QaProposal).order_by(QaProposal.id.desc()).limit(500)
            if open_only:
                q = q.where(QaProposal.state == "open")
            names = self._names(db)
            return [self._proposal_row(db, p, names) for p in db.scalars(q)]

    @staticmethod
    def _proposal_row(db: Session, p: QaProposal, names) -> dict:
        return {"id": p.id, "finding": p.finding, "label": wire.QA_FINDINGS[p.finding], "source": p.source,
                "ticket": db.scalar(select(Ticket.number).where(Ticket.id == p.ticket_id)),
                "agent": names.get(p.agent_id, ("?",))[0], "detail": p.detail, "at": iso(p.at), "state": p.state,
                "decided_by": names.get(p.decided_by_id, (None,))[0] if p.decided_by_id else None,
                "check": p.check_id}

    def decide(self, actor: Actor, raw_pid, confirm: bool, note: str) -> dict:
        """A team lead (or the head) confirms a proposal — a finding against the agent, counted and
        fined like a check's — or dismisses it."""
        pid = recording_id(raw_pid)
        if actor.role not in CHECKERS:
            raise Refused("检查建议由领班和部长确认", "qa_proposal_refused", "qa_proposal", str(pid))
        with self.sessions() as db, db.begin():
            p = db.get(QaProposal, pid)
            if p is None:
                raise RuleError(404, "没有这条检查建议")
            if p.state != "open":
                raise RuleError(409, "这条检查建议已处理")
            p.state, p.decided_by_id, p.decided_at = ("confirmed" if confirm else "dismissed"), actor.user_id, self.now()
            if confirm:
                rid = db.scalar(select(Recording.id).where(Recording.ticket_id == p.ticket_id,
                                                           Recording.agent_id == p.agent_id,
                                                           Recording.deleted_at.is_(None))
                                .order_by(Recording.id).limit(1))
                c = QaCheck(kind="proposal", recording_id=rid, ticket_id=p.ticket_id, agent_id=p.agent_id,
                            checker_id=actor.user_id, items={}, findings=[p.finding], passed=False,
                            note=((note or "").strip() or p.detail)[:wire.QA_NOTE_MAX],
                            day=reporting_day(p.at, self.report).isoformat(), at=self.now())
                db.add(c)
                db.flush()
                p.check_id = c.id
            self._audit(db, actor, "qa_proposal", "qa_proposal", str(pid), confirmed=confirm, finding=p.finding)
            return self._proposal_row(db, p, self._names(db))

    # ------------------------------------------------------------------ results --
    def results(self, actor: Actor | None, month: str) -> dict:
        """Per agent: answered legs, checks passed, the day's pass rates, findings by type, fines,
        praise, complaints about them against the limits, retraining, peer listening (知情不报);
        per checker: checks made and passes a later complaint contradicted. An agent sees their own; the
        readers of reports (wire.REPORT_READER_ROLES: supervisors, a statistician) everyone's."""
        first, last = parse_month(month)
        if actor is not None and actor.role is Role.station:
            raise Refused("维修站不参与录音检查", "view_refused", "qa", f"results:{month}")
        p = self.policy
        start, end = self._bounds(first, last)
        span = (first.isoformat(), last.isoformat())
        with self.sessions() as db, db.begin():
            names = self._names(db)
            # the readers of reports (supervisors, a statistician) see everyone's; an agent their own
            only = actor.user_id if actor is not None and actor.role.value not in wire.REPORT_READER_ROLES else None
            legs = self._legs(db, start, end)
            calls_by_day: dict[int, Counter] = defaultdict(Counter)
            for g in legs:
                calls_by_day[g.agent][reporting_day(g.at, self.report).isoformat()] += 1
            back = first - timedelta(days=int(p.fine_window[:-1])) if p.fine_window != "month" else first
            checks = list(db.scalars(select(QaCheck).where(QaCheck.day >= back.isoformat(), QaCheck.day <= span[1])))
            in_month = [c for c in checks if c.day >= span[0]]
            about = list(db.scalars(select(AnomalyRecord).where(AnomalyRecord.about_agent_id.is_not(None),
                                                                AnomalyRecord.opened_at >= start,
                                                                AnomalyRecord.opened_at < end)))
            peers = list(db.scalars(select(QaPeerListen).where(QaPeerListen.day >= span[0],
                                                               QaPeerListen.day <= span[1])))
            problem_legs = {c.recording_id for c in db.scalars(select(QaCheck).where(
                QaCheck.kind.in_(tuple(CHECKERS.values())), QaCheck.passed.is_(False)))}
            people = set(calls_by_day) | {c.agent_id for c in in_month} | {a.about_agent_id for a in about} | \
                {x.listener_id for x in peers}
            if only is not None:
                people &= {only}
            agents = [self._agent_result(a, f"{first:%Y-%m}", names, calls_by_day[a], checks, in_month, about, peers, problem_legs)
                      for a in sorted(people, key=lambda i: names.get(i, ("",))[0])]
            checkers = [] if only is not None else self._checkers(db, in_month, names)
            if actor is not None:
                self._audit(db, actor, "view", "qa_results", month)
            return {"month": f"{first:%Y-%m}", "from": iso(start), "to": iso(end),
                    "limits": {"complaint_day": p.complaint_day, "complaint_month": p.complaint_month,
                               "retrain_fail_rate": p.retrain_fail_rate, "fine_base": p.fine_base,
                               "fine_extra": p.fine_extra, "fine_free": p.fine_free, "fine_window": p.fine_window},
                    "agents": agents, "checkers": checkers}

    def _agent_result(self, agent: int, month: str, names, calls: Counter, checks, in_month, about, peers,
                      problem_legs) -> dict:
        p = self.policy
        ratio = lambda a, b: round(a / b, 4) if b else None
        mine = [c for c in in_month if c.agent_id == agent]
        scored = [c for c in mine if c.kind in CHECKERS.values()]
        days = sorted(set(calls) | {c.day for c in scored})
        complaints = [a for a in about if a.about_agent_id == agent and a.type in ESCALATED_ANOMALIES]
        complaints_by_day = Counter(reporting_day(a.opened_at, self.report).isoformat() for a in complaints)
        per_day = []
        for d in days:
            ck = [c for c in scored if c.day == d]
            passed = sum(c.passed for c in ck)
            per_day.append({"day": d, "calls": calls[d], "checked": len(ck), "passed": passed,
                            "pass_rate": ratio(passed, len(ck)), "fail_rate": ratio(len(ck) - passed, len(ck)),
                            "complaints": complaints_by_day[d], "complaint_rate": ratio(complaints_by_day[d], calls[d])})
        serious = [(date.fromisoformat(c.day), c.id, f) for c in checks if c.agent_id == agent
                   for f in (c.findings or []) if f in wire.QA_SERIOUS]
        # the window's earlier errors count towards the order; only this month's are this month's fines
        fined = [f for f in rules.fines(serious, p) if f["day"][:7] == month]
        found = Counter(f for c in mine for f in (c.findings or []))
        n_calls, n_checked, n_passed = sum(calls.values()), len(scored), sum(c.passed for c in scored)
        mine_peer = [x for x in peers if x.listener_id == agent]
        unreported = [x for x in mine_peer if x.listened_at is not None and x.recording_id in problem_legs
                      and not any(f in rules.PROBLEMS for f in (x.findings or []))]
        retrain_days = [d["day"] for d in per_day if d["fail_rate"] is not None and d["fail_rate"] >= p.retrain_fail_rate]
        month_rate = ratio(len(complaints), n_calls)
        day_max = max((d["complaint_rate"] for d in per_day if d["complaint_rate"] is not None), default=None)
        no, name = names.get(agent, ("?", ""))
        return {"agent_no": no, "name": name, "calls": n_calls, "checked": n_checked, "passed": n_passed,
                "pass_rate": ratio(n_passed, n_checked), "fail_rate": ratio(n_checked - n_passed, n_checked),
                "days": per_day, "findings": {k: found.get(k, 0) for k in wire.QA_FINDINGS},
                "serious": len(fined), "fines": fined, "fine_total": sum(f["amount"] for f in fined),
                "praise": {"checks": found.get(wire.QA_PRAISE, 0),
                           "residents": sum(1 for a in about if a.about_agent_id == agent and a.type is AnomalyType.praise)},
                "complaints": len(complaints), "complaint_rate": month_rate, "complaint_day_max": day_max,
                "over_day_limit": day_max is not None and day_max > p.complaint_day,
                "over_month_limit": month_rate is not None and month_rate > p.complaint_month,
                "retraining": bool(retrain_days), "retraining_days": retrain_days,
                "peer": {"assigned": len(mine_peer), "listened": sum(x.listened_at is not None for x in mine_peer),
                         "unreported": len(unreported)}}

    @staticmethod
    def _checkers(db: Session, in_month, names) -> list[dict]:
        """Each checker's month: checks made, passed, and passes a complaint about that agent on the
        same ticket contradicted later (2.7: 对质检部抽查合格录音,产生投诉…)."""
        out = []
        by: dict[int, list[QaCheck]] = defaultdict(list)
        for c in in_month:
            if c.kind in CHECKERS.values():
                by[c.checker_id].append(c)
        for checker, mine in sorted(by.items(), key=lambda kv: names.get(kv[0], ("",))[0]):
            contradicted = 0
            for c in mine:
                if c.passed and c.ticket_id is not None and db.scalar(
                        select(AnomalyRecord.id).where(AnomalyRecord.about_agent_id == c.agent_id,
                                                       AnomalyRecord.ticket_id == c.ticket_id,
                                                       AnomalyRecord.type.in_(ESCALATED_ANOMALIES),
                                                       AnomalyRecord.opened_at >= c.at).limit(1)):
                    contradicted += 1
            out.append({"agent_no": names.get(checker, ("?",))[0], "name": names.get(checker, ("", ""))[1],
                        "checked": len(mine), "passed": sum(c.passed for c in mine), "contradicted": contradicted})
        return out

    # ------------------------------------------------------------------- round --
    def round(self) -> dict:
        """The service's minute: proposals from the records; yesterday's sample drawn once the day is
        over, last week's once the week is; both idempotent."""
        today = self.today()
        return {"proposed": self.propose(), "drawn": self.ensure_drawn(today - timedelta(days=1)),
                "weekly": self.ensure_weekly(today - timedelta(days=7))}
