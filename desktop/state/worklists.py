"""The worklists' state without a widget (#15): the call-back list (GET wire.CALLBACKS) and the 回访
list (GET wire.SURVEYS), which row is selected, and whether 回访's f applies. Like AfterCallState it
never calls the API: it says what to fetch (``callbacks_wanted``, ``surveys_wanted``) and what
changed; a pushed EV_CALLBACK (someone took, tried or cleared an entry) asks for one refresh,
coalesced. The server re-checks every take, outcome and survey.

A 回电 entry's ticket in the ticket form (#24): after 领取 the agent opens it (``open_ticket`` →
``ticket_wanted``, then ``form_wanted`` with GET wire.TICKET's answer, or ``form_shown`` when the form
holds it already) to confirm it, mark it resolved or cancel it; its save (``ticket_saved``) sends the
agent back to record the outcome (``form_done``). "reached" on a ticket still in draft is refused
with a 409 (``outcome_refused``): the server's words are ``refused``, and the ticket goes on the form
with them."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from common import wire


def _rows(data) -> list[dict]:
    return [r for r in (data or []) if isinstance(r, dict)] if isinstance(data, list) else []


class WorklistState(QObject):
    callbacks_wanted = Signal()
    surveys_wanted = Signal()
    callbacks_changed = Signal(list)
    surveys_changed = Signal(list)
    ticket_wanted = Signal(str)            # GET wire.TICKET: a 回电 entry's ticket, for the form
    form_wanted = Signal(dict, str)        # put this ticket on the form; the notice ("" or the server's words)
    form_shown = Signal(str, str)          # the form holds this ticket already: show it (ticket, notice)
    form_done = Signal(dict)               # the 回电 ticket on the form was saved: record the outcome next
    refused = Signal(str, str)             # an outcome refused: ticket, the server's words
    REFRESH_MS = 300

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.callbacks: list[dict] = []
        self.surveys: list[dict] = []
        self.opening = ""                  # a 回电 ticket asked for, its answer not come yet
        self.on_form = ""                  # the 回电 ticket on the form now (until it is saved)
        self._notice = ""
        #: whether the view's ticket form holds this ticket unsaved (AgentWindow sets it): then it is
        #: shown as it is, never loaded again over the agent's typing
        self.form_holds: Callable[[str], bool] = lambda _number: False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.REFRESH_MS)
        self._timer.timeout.connect(self.callbacks_wanted.emit)

    def set_callbacks(self, data) -> None:
        self.callbacks = _rows(data)
        self.callbacks_changed.emit(list(self.callbacks))

    def set_surveys(self, data) -> None:
        self.surveys = _rows(data)
        self.surveys_changed.emit(list(self.surveys))

    def callback(self, number: str) -> dict:
        return next((r for r in self.callbacks if r.get("ticket") == number), {})

    def survey(self, number: str) -> dict:
        return next((r for r in self.surveys if r.get("ticket") == number), {})

    def entry_changed(self, entry: dict) -> None:
        """An answer of ours (take, outcome): shown at once, the list refreshed behind it."""
        if isinstance(entry, dict) and entry.get("ticket"):
            rows = [entry if r.get("ticket") == entry["ticket"] else r for r in self.callbacks]
            self.set_callbacks([r for r in rows if r.get("open", True)])
        self._timer.start()

    def survey_saved(self, answer: dict) -> None:
        number = (answer or {}).get("ticket")
        self.set_surveys([r for r in self.surveys if r.get("ticket") != number])
        self.surveys_wanted.emit()

    # ------------------------------------------------ the entry's ticket --
    def open_ticket(self, number: str, notice: str = "") -> None:
        """打开工单 on an entry (or the server refused "reached"): its ticket on the form."""
        number = str(number or "")
        if not number:
            return
        if number == self.on_form and self.form_holds(number):
            self.form_shown.emit(number, notice)
            return
        self.opening, self._notice = number, str(notice or "")
        self.ticket_wanted.emit(number)

    def ticket_loaded(self, ticket) -> None:
        """GET wire.TICKET's answer: the ticket asked for goes on the form."""
        number = str((ticket or {}).get("number") or "") if isinstance(ticket, dict) else ""
        if not number or number != self.opening:
            return
        self.opening, self.on_form = "", number
        self.form_wanted.emit(dict(ticket), self._notice)

    def ticket_saved(self, ticket) -> None:
        """A ticket was saved from the form: the 回电 one is confirmed, resolved or cancelled now."""
        number = str((ticket or {}).get("number") or "") if isinstance(ticket, dict) else ""
        if number and number == self.on_form:
            self.on_form = ""
            self.form_done.emit(dict(ticket))
            self._timer.start()             # its entry's ticket state changed

    def outcome_refused(self, number: str, outcome: str, msg: str, status: int) -> None:
        """The server refused an outcome: its words shown; "reached" on a draft (409) → the form."""
        self.refused.emit(str(number), str(msg))
        if outcome == "reached" and status == 409 and self.callback(number).get("state", "draft") == "draft":
            self.open_ticket(number, msg)

    def on_event(self, ev: dict) -> None:
        if isinstance(ev, dict) and ev.get("type") == wire.EV_CALLBACK:
            self._timer.start()
