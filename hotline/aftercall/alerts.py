"""Alerts for the people who steer the line (#30): what the board shows must be looked at now.

`conditions` reads one board snapshot (the same the leads see) against the installation's thresholds
(Settings.alert_*) and names every condition holding; `AlertBook` keeps them: a condition becomes an
alert once it has held for its hold time, stays one row while it holds, is cleared when it ends, and
stays on the leads' list until one of them acknowledges it (audited). Protocol-free: the service runs
a round every few seconds and pushes what changed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import SupervisorAlert
from hotline.aftercall.rules import Actor, Refused, RuleError, add_audit
from common import wire
from common.text import control_char

QUEUE = "queue"
NOTE_MAX = 500
#: a closed alert stays on the "today" list this long
SHOWN_H = 24


@dataclass(frozen=True)
class AlertPolicy:
    wait_s: int = 120
    no_agent_s: int = 30
    nobody_s: int = 120
    pause_min: dict[str, int] = field(default_factory=dict)
    pause_default_min: int = 15
    service_level_target: float = 0.8
    service_level_min_calls: int = 5

    def pause_limit_min(self, reason: str) -> int:
        return self.pause_min.get(reason, self.pause_default_min)

    def hold_s(self, kind: str) -> float:
        """How long a condition holds before it is an alert (a shift change is not 'nobody logged in')."""
        return self.nobody_s if kind == "nobody_logged_in" else 0


def parse_pause_limits(text: str) -> dict[str, int]:
    """'小休=15,用餐=40' → {'小休': 15, '用餐': 40}; a malformed entry is a ValueError naming the setting."""
    limits = {}
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        reason, sep, minutes = part.partition("=")
        if not sep or not reason.strip() or not minutes.strip().isdigit() or int(minutes) < 1:
            raise ValueError(f"alert_pause_limits: {part!r} should be reason=minutes (e.g. 小休=15)")
        limits[reason.strip()] = int(minutes)
    return limits


def alert_policy(settings) -> AlertPolicy:
    return AlertPolicy(settings.alert_wait_s, settings.alert_no_agent_s, settings.alert_nobody_s,
                       parse_pause_limits(settings.alert_pause_limits), settings.alert_pause_default_min,
                       settings.alert_service_level_target, settings.alert_service_level_min_calls)


def _mmss(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}分{seconds % 60:02d}秒" if seconds < 3600 else f"{seconds // 3600}小时{seconds % 3600 // 60}分"


def conditions(board: dict, policy: AlertPolicy, staffed: bool) -> dict[tuple[str, str], str]:
    """(kind, subject) → the message, for every condition holding on `board` (wire.SAMPLE_BOARD)."""
    found: dict[tuple[str, str], str] = {}
    agents, waiting = board.get("agents", []), board.get("waiting", [])
    summary = board.get("summary", {})
    longest = max((w["wait_s"] for w in waiting), default=0)
    if longest >= policy.wait_s:
        found[("long_wait", QUEUE)] = f"{len(waiting)} 位来电排队,最长已等待 {_mmss(longest)}"
    if waiting and longest >= policy.no_agent_s and not any(a["state"] == "free" for a in agents):
        found[("no_agent_free", QUEUE)] = f"{len(waiting)} 位来电排队,没有空闲座席"
    takers = [a for a in agents if a.get("role") in ("agent", "team_lead")]
    if staffed and not any(a["state"] not in ("logged_out",) for a in takers):
        found[("nobody_logged_in", QUEUE)] = "值班时段没有座席登录"
    for a in agents:
        if a["state"] == "paused" and a.get("reason") not in (wire.WRAPUP_REASON, wire.NO_ANSWER_REASON):
            limit = policy.pause_limit_min(a.get("reason", ""))
            if a.get("seconds", 0) >= limit * 60:
                found[("long_pause", a["agent_no"])] = (f"{a['agent_no']} {a.get('name', '')} {a.get('reason') or '示忙'} "
                                                        f"已 {int(a['seconds'] // 60)} 分钟(上限 {limit} 分钟)")
    calls, level = summary.get("calls_last_hour", 0), summary.get("service_level_last_hour")
    if level is not None and calls >= policy.service_level_min_calls and level < policy.service_level_target:
        found[("service_level", QUEUE)] = (f"近一小时服务水平 {level:.0%}(目标 {policy.service_level_target:.0%},"
                                          f"{calls} 通来电)")
    for spot in summary.get("hot_spots", []):
        found[("hot_spot", spot["key"])] = (f"{spot['key']} 集中报修 {spot['repairs']} 起无暖"
                                           f"({str(spot['first'])[11:16]}–{str(spot['last'])[11:16]}),"
                                           f"是否宣布区域停热?")
    return found


def alert_dict(a: SupervisorAlert) -> dict:
    return {"id": a.id, "kind": a.kind, "subject": a.subject, "message": a.message,
            "raised_at": a.raised_at.isoformat(timespec="seconds"),
            "cleared_at": a.cleared_at.isoformat(timespec="seconds") if a.cleared_at else None,
            "acked_by": a.acked_by, "acked_at": a.acked_at.isoformat(timespec="seconds") if a.acked_at else None,
            "ack_note": a.ack_note}


class AlertBook:
    """The alerts kept: `sync` with the conditions now, `ack` by a lead, `list` for the board and the CLI."""

    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime], policy: AlertPolicy):
        self.sessions, self.now, self.policy = sessions, now, policy
        self._pending: dict[tuple[str, str], datetime] = {}   # condition → first seen (its hold time)

    def sync(self, holding: dict[tuple[str, str], str]) -> list[tuple[dict, bool]]:
        """Raise what held long enough, clear what ended: [(alert, new)] of the rows that changed."""
        now = self.now()
        for key in list(self._pending):
            if key not in holding:
                del self._pending[key]
        changed = []
        with self.sessions() as db, db.begin():
            live = {(a.kind, a.subject): a for a in db.scalars(
                select(SupervisorAlert).where(SupervisorAlert.cleared_at.is_(None)))}
            for key, alert in live.items():
                if key not in holding:
                    alert.cleared_at = now
                    changed.append((alert, False))
            for key, message in holding.items():
                if key in live:
                    continue
                first = self._pending.setdefault(key, now)
                if (now - first).total_seconds() < self.policy.hold_s(key[0]):
                    continue
                alert = SupervisorAlert(kind=key[0], subject=key[1][:120], message=message[:300], raised_at=now,
                                        ack_note="")
                db.add(alert)
                changed.append((alert, True))
            db.flush()
            return [(alert_dict(a), new) for a, new in changed]

    def list(self, actor: Actor | None, open_only: bool = True) -> list[dict]:
        """Unacknowledged ones (open), or everything of the last SHOWN_H hours; newest first."""
        if actor is not None and not actor.supervises:
            raise Refused("只有领班、主任和管理员可以查看告警", "alerts_refused", "alert")
        since = self.now() - timedelta(hours=SHOWN_H)
        with self.sessions() as db:
            q = select(SupervisorAlert).order_by(SupervisorAlert.raised_at.desc(), SupervisorAlert.id.desc())
            q = q.where(SupervisorAlert.acked_at.is_(None)) if open_only else q.where(
                or_(SupervisorAlert.raised_at >= since, SupervisorAlert.acked_at.is_(None)))
            return [alert_dict(a) for a in db.scalars(q.limit(500))]

    def ack(self, actor: Actor, aid, note: str = "") -> dict:
        """A lead saw it and acts on it: recorded once (a second ack is a 409), audited."""
        if not actor.supervises:
            raise Refused("只有领班、主任和管理员可以确认告警", "alert_ack_refused", "alert", str(aid)[:16])
        note = (note or "").strip()[:NOTE_MAX]
        if control_char(note) is not None:
            raise RuleError(422, "备注含有不允许的控制字符")
        try:
            aid = int(aid)
        except (TypeError, ValueError):
            raise RuleError(404, "没有这条告警") from None
        with self.sessions() as db, db.begin():
            a = db.get(SupervisorAlert, aid)
            if a is None:
                raise RuleError(404, "没有这条告警")
            if a.acked_at is not None:
                raise RuleError(409, f"该告警已由 {a.acked_by} 确认")
            a.acked_by, a.acked_at, a.ack_note = actor.agent_no, self.now(), note
            add_audit(db, actor.agent_no, "alert_ack", "alert", str(a.id), kind=a.kind, subject=a.subject,
                      note=note)
            db.flush()
            return alert_dict(a)
