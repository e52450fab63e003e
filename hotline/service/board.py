"""The agent board, the wall's figures and the alerts (#30), built from the service's live picture.

`Board.board()` is wire.SAMPLE_BOARD: every agent and team lead with their state and how long they
have been in it (the queue's live state, the login sessions, Asterisk's device states), the callers
waiting (the queue's join events, their IVR answers from the records), the open alerts, the
outages, and the day's figures. `Board.wall()` is the same without a name or a number (the wall is
in the hall). The board is built when a lead asks and when something changed (the hub pushes it at
most once a second); the alerts' round reads the same board every few seconds.

`Supervision` holds the actions a lead takes from a row: force a pause back to 示闲, sign an agent
out — each checked for this actor's role, audited, and only then sent to Asterisk.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import select, update

from db.models import ApiSession, User
from hotline.aftercall.alerts import AlertBook, conditions
from hotline.aftercall.reports.figures import ReportPolicy, day_bounds, reporting_day
from hotline.aftercall.rules import SUPERVISORS, add_audit
from hotline.aftercall.supervision import BOARD_ROLES, board_people, line_figures, waiting_details
from hotline.service.desk import DeskError, Forbidden, Principal
from hotline.service.directory import UNREGISTERED
from hotline.service.displays import wall_view
from hotline.service.queue_state import QueueState
from ivr.hours import is_staffed
from common.agent_phones import has_phone
from common.naming import interface
from common.passwords import new_sip_secret
from common.phones import mask_phone
from common.text import control_char

log = logging.getLogger("hotline.board")

#: Asterisk's device states are read at most this often for the board (one AMI action)
DEVICES_EVERY_S = 5.0
#: the day's figures from the database at most this often
FIGURES_EVERY_S = 5.0
NOTE_MAX = 500


class Board:
    def __init__(self, sessions, settings, queue: QueueState, report: ReportPolicy, alerts: AlertBook,
                 devices: Callable[[], Awaitable[dict[str, str]]], hot_spots: Callable[[], list[dict]],
                 outages: Callable[[object, datetime], list[dict]] | None = None):
        self.sessions, self.settings, self.queue, self.report = sessions, settings, queue, report
        self.alerts, self._devices, self._hot_spots, self._outages = alerts, devices, hot_spots, outages
        self._device_cache: tuple[float, dict[str, str]] = (-1e9, {})
        self._figures_cache: tuple[float, dict] = (-1e9, {})
        self.last_alerts: list[dict] = []

    async def devices(self) -> dict[str, str]:
        at, got = self._device_cache
        if time.monotonic() - at >= DEVICES_EVERY_S:
            try:
                got = await self._devices()
            except Exception as exc:   # AMI away: phones shown as the last read saw them
                log.warning("board without fresh phone states: %s", exc)
            self._device_cache = (time.monotonic(), got)
        return got

    def _records(self, waiting: list[str]) -> tuple[list[dict], dict[str, dict], dict, list[dict]]:
        now = self.settings.now()
        with self.sessions() as db:
            people = board_people(db, now, day_bounds(reporting_day(now, self.report), self.report)[0])
            details = waiting_details(db, waiting)
            at, figures = self._figures_cache
            if time.monotonic() - at >= FIGURES_EVERY_S:
                figures = line_figures(db, now, self.report)
                self._figures_cache = (time.monotonic(), figures)
            outages = self._outages(db, now) if self._outages else []
        return people, details, figures, outages

    async def board(self) -> dict:
        """wire.SAMPLE_BOARD, now."""
        waiting = self.queue.waiting_list()
        devices = await self.devices()
        people, details, figures, outages = await asyncio.to_thread(self._records, [w["uniqueid"] for w in waiting])
        now = self.settings.now()
        agents = [self._agent_row(p, devices, now) for p in people]
        for w in waiting:
            d = details.get(w["uniqueid"], {})
            w.update(caller=mask_phone(w["caller"]), priority=d.get("priority", 0), ivr=d.get("ivr", {}))
        waiting.sort(key=lambda w: (-w["priority"], -w["wait_s"]))
        by_state: dict[str, int] = {}
        for a in agents:
            by_state[a["state"]] = by_state.get(a["state"], 0) + 1
        summary = {"waiting": len(waiting), "longest_wait_s": max((w["wait_s"] for w in waiting), default=0),
                   "agents_by_state": by_state, "hot_spots": list(self._hot_spots()), **figures}
        return {"now": now.isoformat(timespec="seconds"), "agents": agents, "waiting": waiting,
                "alerts": self.last_alerts, "outages": outages, "summary": summary}

    def _agent_row(self, p: dict, devices: dict[str, str], now: datetime) -> dict:
        no = p["agent_no"]
        live = self.queue.snapshot(no)
        state = self.queue.board_state(no)
        seconds = self.queue.in_state_s(no)
        registered = devices.get(interface(no), "UNKNOWN") not in UNREGISTERED
        if not p["logged_in"] and state in ("free", "paused", "not_in_queue"):
            state = "logged_out"
        elif not registered and state in ("free", "paused", "not_in_queue"):
            state = "unregistered"
        elif state == "not_in_queue":
            state = "paused"      # logged in, phone up, not taking queue calls: 未签入 shows as its reason
            live["reason"] = live.get("reason") or "未签入队列"
        if state == "paused" and p.get("paused_since") is not None and live.get("reason") not in ("未签入队列",):
            # the pause log's start (real time) outlives a restart of the service
            seconds = max(seconds, (datetime.now() - p["paused_since"]).total_seconds())
        talking = state in ("ringing", "talking")
        return {"agent_no": no, "name": p["name"], "role": p["role"], "state": state,
                "since": _iso(now, seconds), "seconds": int(seconds),
                "caller": mask_phone(self.queue.caller_of.get(no, "")) if talking else "",
                "reason": live.get("reason", "") if state in ("paused", "wrapup") else "",
                "wrapup_left_s": live.get("wrapup_left_s", 0) if state == "wrapup" else 0,
                "calls_today": p["calls_today"], "logged_in": p["logged_in"], "registered": registered}

    async def wall(self) -> dict:
        """wire.SAMPLE_WALL: the figures, no name and no number."""
        return wall_view(await self.board())

    async def alert_round(self) -> list[tuple[dict, bool]]:
        """The conditions on the board now → alerts raised and cleared (the caller pushes them)."""
        board = await self.board()
        holding = conditions(board, self.alerts.policy, is_staffed(self.settings.now(), self.settings))
        changed = await asyncio.to_thread(self.alerts.sync, holding)
        self.last_alerts = await asyncio.to_thread(self.alerts.list, None, True)
        return changed


def _iso(now: datetime, seconds: float) -> str:
    return datetime.fromtimestamp(now.timestamp() - seconds).isoformat(timespec="seconds")


class Supervision:
    """A lead's actions on an agent from the board: checked, audited, one transaction each."""

    def __init__(self, sessions, settings):
        self.sessions, self.settings = sessions, settings

    def _target(self, db, p: Principal, agent_no: str, action: str) -> User:
        target = str(agent_no or "")[:16]
        if p.role not in SUPERVISORS:
            raise Forbidden("只有领班、主任和管理员可以操作座席状态", f"{action}_refused", "agent", target)
        user = db.scalar(select(User).where(User.agent_no == target, User.active.is_(True)))
        if user is None or user.role not in BOARD_ROLES:
            raise DeskError(404, "没有这个座席")
        return user

    @staticmethod
    def _note(note: str) -> str:
        note = (note or "").strip()[:NOTE_MAX]
        if control_char(note) is not None:
            raise DeskError(422, "备注含有不允许的控制字符")
        return note

    def force_unpause(self, p: Principal, agent_no: str, note: str, live: dict) -> str:
        """A pause (示忙, 未接听) forced back to 示闲: only of a paused member; audited. Returns the 工号."""
        note = self._note(note)
        with self.sessions() as db, db.begin():
            user = self._target(db, p, agent_no, "force_unpause")
            if not (live.get("member") and live.get("paused")):
                raise DeskError(409, "该座席当前不是示忙状态")
            add_audit(db, p.agent_no, "force_unpause", "agent", user.agent_no, reason=live.get("reason", ""),
                      note=note)
            return user.agent_no

    def sign_out(self, p: Principal, agent_no: str, note: str) -> tuple[str, list[int], bool]:
        """The agent's sessions end (their desk is told), their phone's secret changes; audited.
        Returns (工号, the ended session ids, whether Asterisk must learn the new secret)."""
        note = self._note(note)
        with self.sessions() as db, db.begin():
            user = self._target(db, p, agent_no, "force_sign_out")
            now = self.settings.now()
            sids = list(db.scalars(select(ApiSession.id).where(ApiSession.user_id == user.id,
                                                              ApiSession.ended_at.is_(None))))
            if sids:
                db.execute(update(ApiSession).where(ApiSession.id.in_(sids))
                           .values(ended_at=now, ended_reason="signed_out"))
            phone = has_phone(user.role.value)
            if phone:
                user.sip_secret = new_sip_secret()
            add_audit(db, p.agent_no, "force_sign_out", "agent", user.agent_no, sessions=len(sids), note=note)
            return user.agent_no, sids, phone
