"""What the after-call screens are doing, without a widget: whose desk it is (role → which tabs,
which buttons), the ticket list's filters, the selected ticket and its detail, and the
escalations this person has not acknowledged yet, and how many drafts wait for a team lead's
confirmation (待确认, #24: the tab's title counts them).

Like DeskState it never calls the API: it says what should be fetched (``tickets_wanted`` with
the query to send, ``ticket_wanted``, ``anomalies_wanted``) and what changed; AgentWindow wires
it to desktop.services.api. Pushed events (EV_TICKET_CHANGED, EV_ANOMALY) ask for a refresh,
coalesced so a burst of pushes costs one request. The server re-checks every action: the
buttons offered here (``actions_for``) only keep the desk from offering what would be refused.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from common import wire

# ---- a ticket's actions: code → (the state it moves to, or None for 重开; the input it needs)
#: "station": choose the station (派单); "required": the note must be given (its label says which)
ACTIONS = {
    # 确认并派单 (#24): POST wire.TICKET_CONFIRM — the station, and whether to dispatch it at once
    "confirm": ("new", "confirm"),
    "dispatch": ("dispatched", "station"),
    "recall": ("new", ""),
    "accept": ("accepted", ""),
    "contact": ("contacted", ""),
    "complete": ("completed", "required"),      # 返单: the station's result
    "close": ("closed", ""),
    "cancel": ("cancelled", "required"),        # the reason
    "reopen": (None, "required"),               # a linked follow-up ticket (POST wire.TICKET_REOPEN)
}
ACTION_ORDER = ("confirm", "dispatch", "recall", "accept", "contact", "complete", "close", "cancel", "reopen")
#: what a supervisor may do to a ticket in each state (also on a station's behalf)
SUPERVISOR_ACTIONS = {
    "draft": ("confirm", "cancel"),          # 待确认: a draft whose call has ended
    "new": ("dispatch", "cancel"),
    "dispatched": ("recall", "accept", "cancel"),
    "accepted": ("contact", "cancel"),
    "contacted": ("complete", "cancel"),
    "completed": ("close",),
    "followed_up": ("close",),
    "resolved": ("close",),
    "closed": ("reopen",),
}
#: what a station's own people do: take it, say the resident was phoned, report back
STATION_ACTIONS = {
    "dispatched": ("accept",),
    "accepted": ("contact",),
    "contacted": ("complete",),
}

#: the after-call tabs, in the window's order
TAB_CALL, TAB_TICKETS, TAB_ANOMALIES = "call", "tickets", "anomalies"
#: the worklists (#15): 回电 (the call-back list) and 回访 (the follow-up survey), agents' and leads'
TAB_CALLBACKS, TAB_SURVEYS = "callbacks", "surveys"
#: 报表 (#27): the reports, for the roles of wire.REPORT_READER_ROLES
TAB_REPORTS = "reports"
#: quality checks on recordings (#28): a lead's sample and scorecards, an agent's peer listening
TAB_QA = "qa"
#: 看板 (#30): the agent board — team leads, the head and admins
TAB_BOARD = "board"
TABS = (TAB_CALL, TAB_TICKETS, TAB_ANOMALIES, TAB_CALLBACKS, TAB_SURVEYS, TAB_QA, TAB_REPORTS, TAB_BOARD)

#: the list's filters: the wire's, and 待确认 (GET TICKETS?unconfirmed=1: drafts whose call has ended)
LIST_FILTERS = wire.TICKET_FILTERS + (wire.UNCONFIRMED,)
#: filters whose value is a flag: sent as "1"
FLAG_FILTERS = ("overdue", wire.UNCONFIRMED)


def is_supervisor(role: str | None) -> bool:
    return role in wire.SUPERVISOR_ROLES


def actions_for(role: str | None, state: str | None) -> tuple[str, ...]:
    """The state moves the desk offers this role on a ticket in this state (记录异常 is everybody's)."""
    if is_supervisor(role):
        return SUPERVISOR_ACTIONS.get(state or "", ())
    if role == "station":
        return STATION_ACTIONS.get(state or "", ())
    return ()


def tabs_for(role: str | None) -> tuple[str, ...]:
    """An agent: the call screen, the worklists and 质检 (peer listening, their own results); a station:
    its tickets only; supervisors: everything, the 看板 last; 报表 for whoever reads reports
    (wire.REPORT_READER_ROLES: a role that does nothing else, such as a statistician, sees that tab alone)."""
    reports = (TAB_REPORTS,) if role in wire.REPORT_READER_ROLES else ()
    if is_supervisor(role):
        work = (TAB_CALL, TAB_TICKETS, TAB_ANOMALIES, TAB_CALLBACKS, TAB_SURVEYS, TAB_QA)
    elif role == "station":
        work = (TAB_TICKETS,)
    elif reports and role != "agent":
        work = ()
    else:
        work = (TAB_CALL, TAB_CALLBACKS, TAB_SURVEYS, TAB_QA)
    return work + reports + ((TAB_BOARD,) if is_supervisor(role) else ())


def _rows(data, *keys: str) -> list[dict]:
    """A list answer as is, or the list under the first of `keys` an object answer has."""
    if isinstance(data, dict):
        for k in keys:
            if isinstance(data.get(k), list):
                data = data[k]
                break
        else:
            return []
    return [r for r in (data or []) if isinstance(r, dict)]


class AfterCallState(QObject):
    """Filters, selection and escalations of the after-call screens of one desk."""

    role_changed = Signal(str)
    tickets_wanted = Signal(dict)          # GET wire.TICKETS with this query
    unconfirmed_wanted = Signal()          # GET wire.TICKETS?unconfirmed=1, for the count only
    unconfirmed_changed = Signal(int)      # how many drafts wait for confirmation (待确认)
    ticket_wanted = Signal(str)            # GET wire.TICKET of this number
    anomalies_wanted = Signal(bool)        # GET wire.ANOMALIES, open only?
    tickets_changed = Signal(list)         # the list to show
    detail_changed = Signal(dict)          # the selected ticket ({} when none)
    anomalies_changed = Signal(list)
    escalations_changed = Signal(list)     # unacknowledged escalations, oldest first
    storage_changed = Signal(dict)         # the recordings disk (wire.EV_STORAGE; {} when nothing to show)
    report_mail_changed = Signal(dict)     # the daily report's e-mail (wire.EV_REPORT_MAIL; {} when logged out)
    REFRESH_MS = 300

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.user: dict = {}
        self.filters: dict[str, str] = {}
        self.open_only = True
        self.tickets: list[dict] = []
        self.selected: str = ""
        self.detail: dict = {}
        self.anomalies: list[dict] = []
        self.escalations: list[dict] = []
        #: drafts waiting for confirmation (a supervisor's count), None before the first answer
        self.unconfirmed: int | None = None
        self._want_tickets = self._want_anomalies = self._want_detail = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.REFRESH_MS)
        self._timer.timeout.connect(self._flush)

    # ------------------------------------------------------------ who --
    @property
    def role(self) -> str:
        return str(self.user.get("role") or "")

    @property
    def supervisor(self) -> bool:
        return is_supervisor(self.role)

    @property
    def station_name(self) -> str:
        """A station user's station (the login answer's user, wire.SAMPLE_STATION_USER)."""
        return str(self.user.get("station") or self.user.get("station_code") or "")

    def tabs(self) -> tuple[str, ...]:
        return tabs_for(self.role) if self.user else (TAB_CALL,)

    def actions(self) -> tuple[str, ...]:
        return actions_for(self.role, self.detail.get("state")) if self.detail else ()

    def set_user(self, user: dict | None) -> None:
        self.user = dict(user or {})
        self.tickets, self.selected, self.detail, self.anomalies = [], "", {}, []
        self.unconfirmed = None
        self.unconfirmed_changed.emit(0)
        self.set_escalations([])
        self.storage_changed.emit({})
        self.report_mail_changed.emit({})
        self.role_changed.emit(self.role)

    # -------------------------------------------------------- tickets --
    def set_filters(self, filters: dict) -> None:
        """The list's filters (keys of LIST_FILTERS; empty values mean "any") → a refresh."""
        self.filters = {k: str(v) for k, v in (filters or {}).items()
                        if k in LIST_FILTERS and v not in (None, "", False)}
        self.refresh_tickets()

    def query(self) -> dict[str, str]:
        q = dict(self.filters)
        for k in FLAG_FILTERS:
            if k in q:
                q[k] = "1"
        return q

    @property
    def counts_unconfirmed(self) -> bool:
        """Team leads and the head confirm drafts: their 工单 tab counts the ones waiting."""
        return self.supervisor and TAB_TICKETS in self.tabs()

    def _list_is_the_unconfirmed(self, q: dict) -> bool:
        """The list asked for is exactly the drafts waiting: its answer is the count as well."""
        return q == {wire.UNCONFIRMED: "1"}

    def refresh_tickets(self) -> None:
        q = self.query()
        if self.counts_unconfirmed and not self._list_is_the_unconfirmed(q):
            self.unconfirmed_wanted.emit()          # the count of its own (the list may be filtered)
        self.tickets_wanted.emit(q)

    def set_tickets(self, data) -> None:
        self.tickets = _rows(data, "tickets", "entries")
        self.tickets_changed.emit(list(self.tickets))
        if self.counts_unconfirmed and self._list_is_the_unconfirmed(self.query()):
            self.set_unconfirmed(self.tickets)

    def set_unconfirmed(self, data) -> None:
        """GET wire.TICKETS?unconfirmed=1's answer: the drafts waiting, counted."""
        n = sum(1 for r in _rows(data, "tickets", "entries") if r.get("state", "draft") == "draft")
        if n != self.unconfirmed:
            self.unconfirmed = n
            self.unconfirmed_changed.emit(n)

    def select(self, number: str | None) -> None:
        self.selected = str(number or "")
        if self.selected:
            self.ticket_wanted.emit(self.selected)
        else:
            self.set_detail({})

    def set_detail(self, ticket) -> None:
        """GET wire.TICKET's answer: the ticket's fields plus SAMPLE_TIMELINE's keys."""
        self.detail = dict(ticket) if isinstance(ticket, dict) else {}
        if self.detail.get("number"):
            self.selected = str(self.detail["number"])
        self.detail_changed.emit(dict(self.detail))

    def ticket_moved(self, ticket) -> None:
        """A state move or a re-opening went through: the list and the detail are stale."""
        self.refresh_tickets()
        if isinstance(ticket, dict) and ticket.get("number") and ticket.get("history") is not None:
            self.set_detail(ticket)
        elif self.selected:
            self.ticket_wanted.emit(self.selected)

    # ------------------------------------------------------ anomalies --
    def set_open_only(self, on: bool) -> None:
        self.open_only = bool(on)
        self.refresh_anomalies()

    def refresh_anomalies(self) -> None:
        self.anomalies_wanted.emit(self.open_only)

    def set_anomalies(self, data) -> None:
        self.anomalies = _rows(data, "anomalies", "entries")
        self.anomalies_changed.emit(list(self.anomalies))

    def anomaly_saved(self, _anomaly=None) -> None:
        """An anomaly was recorded, handled or closed: refresh what shows it."""
        self._schedule(tickets=True, anomalies=self.supervisor, detail=bool(self.selected))

    # ---------------------------------------------------- escalations --
    def set_escalations(self, data) -> None:
        """GET wire.ANOMALIES_UNACKED at login: what this person has not acknowledged yet."""
        self.escalations = [a for a in _rows(data, "anomalies", "entries") if a.get("id") is not None]
        self.escalations_changed.emit(list(self.escalations))

    def add_escalation(self, anomaly: dict) -> None:
        if not isinstance(anomaly, dict) or anomaly.get("id") is None or anomaly.get("acknowledged"):
            return
        if any(a.get("id") == anomaly["id"] for a in self.escalations):
            self.escalations = [anomaly if a.get("id") == anomaly["id"] else a for a in self.escalations]
        else:
            self.escalations.append(dict(anomaly))
        self.escalations_changed.emit(list(self.escalations))

    def acknowledged(self, aid) -> None:
        """The server took this person's 确认 (POST wire.ANOMALY_ACK): the banner lets it go."""
        before = len(self.escalations)
        self.escalations = [a for a in self.escalations if str(a.get("id")) != str(aid)]
        if len(self.escalations) != before:
            self.escalations_changed.emit(list(self.escalations))

    # --------------------------------------------------------- pushes --
    def on_event(self, ev: dict) -> None:
        if not self.user or not isinstance(ev, dict):
            return
        kind = ev.get("type")
        if kind in (wire.EV_STORAGE, wire.EV_HELLO) and isinstance(ev.get("storage"), dict) and self.supervisor:
            self.storage_changed.emit(dict(ev["storage"]))
        if kind in (wire.EV_REPORT_MAIL, wire.EV_HELLO) and isinstance(ev.get("report_mail"), dict) and self.supervisor:
            self.report_mail_changed.emit(dict(ev["report_mail"]))
        elif kind == wire.EV_TICKET_CHANGED:
            t = ev.get("ticket")
            number = t.get("number") if isinstance(t, dict) else t
            self._schedule(tickets=True, detail=bool(self.selected) and str(number or "") == self.selected)
        elif kind == wire.EV_ANOMALY:
            a = ev.get("anomaly") if isinstance(ev.get("anomaly"), dict) else {}
            if ev.get("escalated") or a.get("escalated"):
                self.add_escalation({**a, "escalated": True})
            ticket = str(a.get("ticket") or "")
            self._schedule(tickets=True, anomalies=self.supervisor,
                           detail=bool(self.selected) and ticket == self.selected)

    def _schedule(self, tickets=False, anomalies=False, detail=False) -> None:
        self._want_tickets |= tickets and TAB_TICKETS in self.tabs()
        self._want_anomalies |= anomalies and TAB_ANOMALIES in self.tabs()
        self._want_detail |= detail
        if self._want_tickets or self._want_anomalies or self._want_detail:
            self._timer.start()

    def _flush(self) -> None:
        tickets, anomalies, detail = self._want_tickets, self._want_anomalies, self._want_detail
        self._want_tickets = self._want_anomalies = self._want_detail = False
        if tickets:
            self.refresh_tickets()
        if anomalies:
            self.refresh_anomalies()
        if detail and self.selected:
            self.ticket_wanted.emit(self.selected)
