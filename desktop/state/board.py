"""The agent board on a team lead's, the head's or an admin's desk (#30), without a widget: the last
snapshot of the board (wire.SAMPLE_BOARD: every agent with state and how long, the callers waiting, the
open alerts and outages, the line's figures), the alerts this person has not acknowledged (the banner's),
and which actions a row offers.

The snapshot comes from GET wire.BOARD when the board opens and whenever the push channel (re)connects
(its hello), and from wire.EV_BOARD pushes (a full snapshot each); wire.EV_ALERT pushes raise, acknowledge
or clear one alert. Between snapshots the durations move on here, once a second, from each row's
`seconds` (`wait_s`, `wrapup_left_s`) plus the time since the snapshot came (``ticked``): no request a
second. Like the other state objects it never calls the API: it says what should be fetched
(``board_wanted``) and what changed. The server re-checks every action; what a row offers here
(``can_listen``, ``can_unpause``, ``can_sign_out``) only keeps the desk from offering what would be refused.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from common import wire

#: a pause the server shows for an agent logged in but not in the queue: nothing to force back
NOT_IN_QUEUE_REASON = "未签入队列"
#: who listens in: team leads' phones only (the dialplan's [listen-in] checks it; the server refuses others)
LISTENER_ROLES = ("team_lead",)


def _dicts(value) -> list[dict]:
    return [dict(r) for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def _int(value, default: int = 0) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def can_listen(role: str | None, row: dict | None, me: str = "") -> bool:
    """监听 / 耳语: a team lead, on another agent's call."""
    return role in LISTENER_ROLES and bool(row) and row.get("state") == "talking" \
        and str(row.get("agent_no") or "") != me


def can_unpause(row: dict | None) -> bool:
    """强制示闲: an agent paused in the queue (not one who has not joined it)."""
    return bool(row) and row.get("state") == "paused" and row.get("reason") != NOT_IN_QUEUE_REASON


def can_sign_out(row: dict | None, me: str = "") -> bool:
    """签退: somebody logged in, not this person."""
    return bool(row) and row.get("state") != "logged_out" and row.get("logged_in", True) is not False \
        and str(row.get("agent_no") or "") != me


def is_open(alert: dict) -> bool:
    return not alert.get("cleared_at")


class BoardState(QObject):
    board_wanted = Signal()
    changed = Signal()                 # a new snapshot: the tables, lists and figures anew
    ticked = Signal()                  # a second passed: the durations shown move on
    alerts_changed = Signal()          # the alerts' list changed (a push, an acknowledgement)
    banner_changed = Signal(list)      # the open alerts this person has not acknowledged, newest first
    raised = Signal(dict)              # a new alert pushed (the window asks for attention)
    TICK_MS = 1000

    def __init__(self, parent: QObject | None = None, clock=time.monotonic):
        super().__init__(parent)
        self._clock = clock
        self.user: dict = {}
        self.board: dict = {}
        self._at = 0.0
        self.alerts: list[dict] = []
        #: acknowledged from this desk (id → the acknowledgement): a snapshot older than the answer
        #: does not bring the banner back
        self._acked: dict[int, dict] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self.ticked.emit)

    # ------------------------------------------------------------ who --
    @property
    def role(self) -> str:
        return str(self.user.get("role") or "")

    @property
    def me(self) -> str:
        return str(self.user.get("agent_no") or "")

    @property
    def watching(self) -> bool:
        return self.role in wire.SUPERVISOR_ROLES

    @property
    def listener(self) -> bool:
        return self.role in LISTENER_ROLES

    def set_user(self, user: dict | None) -> None:
        self.user = dict(user or {})
        self.board, self.alerts, self._acked = {}, [], {}
        self._timer.stop()
        self.changed.emit()
        self.alerts_changed.emit()
        self.banner_changed.emit([])

    def refresh(self) -> None:
        if self.watching:
            self.board_wanted.emit()

    # ------------------------------------------------------------ the snapshot --
    def set_board(self, board) -> None:
        """A whole board (GET BOARD's answer or an EV_BOARD push)."""
        if not self.watching or not isinstance(board, dict):
            return
        self.board = {"now": str(board.get("now") or ""), "agents": _dicts(board.get("agents")),
                      "waiting": _dicts(board.get("waiting")), "outages": _dicts(board.get("outages")),
                      "summary": dict(board.get("summary") or {}) if isinstance(board.get("summary"), dict) else {}}
        self._at = self._clock()
        self.alerts = []
        for a in _dicts(board.get("alerts")):
            self._put(a)
        if not self._timer.isActive():
            self._timer.start()
        self.changed.emit()
        self._alerts_changed()

    def on_event(self, ev: dict) -> None:
        if not self.watching or not isinstance(ev, dict):
            return
        kind = ev.get("type")
        if kind == wire.EV_HELLO:              # the push channel is (back) up: what changed meanwhile
            self.refresh()
        elif kind == wire.EV_BOARD:
            self.set_board(ev.get("board"))
        elif kind == wire.EV_ALERT and isinstance(ev.get("alert"), dict):
            alert = dict(ev["alert"])
            self._put(alert)
            self._alerts_changed()
            if ev.get("new") and is_open(alert):
                self.raised.emit(alert)

    @property
    def agents(self) -> list[dict]:
        return list(self.board.get("agents") or [])

    @property
    def waiting(self) -> list[dict]:
        return list(self.board.get("waiting") or [])

    @property
    def outages(self) -> list[dict]:
        return list(self.board.get("outages") or [])

    @property
    def summary(self) -> dict:
        return dict(self.board.get("summary") or {})

    def agent(self, agent_no: str) -> dict:
        return next((a for a in self.agents if str(a.get("agent_no")) == str(agent_no)), {})

    # ------------------------------------------------------------ time --
    def elapsed(self) -> float:
        """Seconds since the snapshot came."""
        return max(0.0, self._clock() - self._at) if self.board else 0.0

    def seconds(self, row: dict) -> int:
        """How long the agent has been in their state, now."""
        return _int(row.get("seconds")) + int(self.elapsed())

    def wrapup_left(self, row: dict) -> int:
        if row.get("state") != "wrapup":
            return 0
        return max(0, _int(row.get("wrapup_left_s")) - int(self.elapsed()))

    def wait(self, row: dict) -> int:
        return _int(row.get("wait_s")) + int(self.elapsed())

    def longest_wait(self) -> int:
        s = self.summary
        if not _int(s.get("waiting")) and not self.waiting:
            return 0
        return _int(s.get("longest_wait_s")) + int(self.elapsed())

    def over_limit(self, row: dict) -> bool:
        """A pause past its limit: the server raised a 示忙超时 alert for this agent (its limits are
        the configuration's, by reason), or says so on the row."""
        if row.get("state") != "paused":
            return False
        if row.get("over_limit"):
            return True
        no = str(row.get("agent_no") or "")
        return any(a.get("kind") == "long_pause" and str(a.get("subject") or "") == no and is_open(a)
                   for a in self.alerts)

    # ------------------------------------------------------------ alerts --
    def _put(self, a: dict) -> None:
        aid = _int(a.get("id"), -1)
        if aid < 0:
            return
        a["id"] = aid
        if aid in self._acked and not a.get("acked_at"):
            a.update(self._acked[aid])
        self.alerts = [x for x in self.alerts if x["id"] != aid]
        if is_open(a):
            self.alerts.append(a)
            self.alerts.sort(key=lambda x: str(x.get("raised_at") or ""), reverse=True)

    def banner(self) -> list[dict]:
        return [dict(a) for a in self.alerts if not a.get("acked_at")]

    def _alerts_changed(self) -> None:
        self.alerts_changed.emit()
        self.banner_changed.emit(self.banner())

    def acked(self, aid: int, answer: dict | None = None) -> None:
        """The server took this person's 确认 (its answer: the alert as it is now)."""
        answer = answer if isinstance(answer, dict) else {}
        mark = {"acked_by": answer.get("acked_by") or self.me, "acked_at": answer.get("acked_at") or "now",
                "ack_note": answer.get("ack_note", "")}
        self._acked[int(aid)] = mark
        old = next((a for a in self.alerts if a["id"] == int(aid)), None)
        if old is not None or answer.get("id") is not None:
            self._put({**(old or {}), **answer, "id": int(aid), **mark})
        self._alerts_changed()

    # ------------------------------------------------------------ outages --
    def outage_declared(self, outage: dict) -> None:
        if isinstance(outage, dict) and outage.get("id") is not None and self.board:
            self.board["outages"] = [o for o in self.outages if o.get("id") != outage["id"]] + [dict(outage)]
            self.changed.emit()
        self.refresh()

    def outage_ended(self, oid: int) -> None:
        if self.board:
            self.board["outages"] = [o for o in self.outages if _int(o.get("id"), -1) != int(oid)]
            self.changed.emit()
        self.refresh()

    # ------------------------------------------------------------ actions --
    def can_listen(self, row: dict | None) -> bool:
        return can_listen(self.role, row, self.me)

    def can_unpause(self, row: dict | None) -> bool:
        return self.watching and can_unpause(row)

    def can_sign_out(self, row: dict | None) -> bool:
        return self.watching and can_sign_out(row, self.me)
