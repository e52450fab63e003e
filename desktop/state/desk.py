"""What the desk is doing, without a widget: who is logged in, the agent's queue state, the call
(ringing → screen pop → answered → ended), the wrap-up after it, and the unsaved drafts.

``DeskState`` takes the API's pushed events (``on_event``), the softphone's call states
(``on_call_state``, ``on_incoming``) and a few answers of the API, and says what changed with
signals; it never calls the API or the phone itself and imports no QtWidgets, so it runs in a
unit test with no window, no server and no SIP. desktop.widgets.main_window.AgentWindow wires
the views and the services to it. Messages for the agent are signals here and words there
(the window translates them).

The rules it keeps:
* a call is "talked" once the phone says talking or the service says call_answered;
* the wrap-up (话后整理) is the server's: its agent state says `wrapup` and `wrapup_left_s`, and
  the desk counts that down (a 1 s tick) until the next agent state says it is over — the timer
  ran out on the server or the agent pressed 整理完成 (the window asks the API);
* a call that ends before it was answered keeps its pop's draft (worth a call-back);
* a pop for another ticket while the form holds an unsaved one first flushes the form's autosave
  and keeps the form in the drafts list, so no typing is lost;
* the drafts list is the server's (offered at login) plus what was stashed since, one per ticket;
* a click-to-call the server accepted (`expect_call_out`) makes the next ringing leg showing its
  label and number within CALL_OUT_WAIT_S this desk's own call out: `call_out_ringing` (the window
  answers it — the agent just asked for it, and the resident's phone rings only once this leg is
  up), not a pop; it is `call_out` until that call ends.
"""
from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from common import wire


class DeskState(QObject):
    """The call / wrap-up / pop / draft state machine of one desk."""

    user_changed = Signal(dict)           # {} when logged out
    agent_state_changed = Signal(dict)    # the service's queue state: member, paused, reason, in_call
    pop_changed = Signal(dict)            # a screen pop to show: account card, history, the IVR's ticket
    caller_id = Signal(str)               # the SIP caller id, when no pop named the caller first
    alert = Signal()                      # a call is coming: draw the agent's attention
    wrapup_changed = Signal(bool)         # the wrap-up started (True) or ended (False)
    wrapup_left = Signal(int)             # seconds of the server's wrap-up left, every second
    rang_out = Signal()                   # a queue call rang out here (or was rejected): paused 未接听
    drafts_changed = Signal(list)         # the unsaved drafts the agent can reopen
    drafts_offered = Signal(int)          # the server kept N drafts since the last session
    caller_gave_up = Signal()             # hung up before the answer; the pop's draft stays
    telephony_down = Signal()             # the service has no AMI link (hello with ami false)
    telephony_restarted = Signal()        # Asterisk restarted: register the phone again now
    script_wanted = Signal()              # the day's script may have changed: fetch it
    call_out_ringing = Signal(dict)       # our click-to-call leg rings (wire.SAMPLE_CALL_OUT + name): answer it
    call_out_ended = Signal(dict)         # that call out is over
    #: how long after the server accepted a click-to-call its leg may take to ring this phone
    CALL_OUT_WAIT_S = 20.0

    def __init__(self, parent: QObject | None = None, clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self._clock = clock
        self.user: dict = {}
        self.agent_state: dict = {}
        self.pop: dict | None = None
        self.pop_live = False             # the popped call has not ended yet
        self.talked = False               # the current call was answered
        self.wrapup_until: float | None = None     # on this desk's clock, from the server's seconds left
        self.drafts: list[dict] = []
        self.call_out: dict | None = None          # the click-to-call on this phone now
        self._expected: tuple[dict, float] | None = None   # accepted, its leg not rung yet (until)
        #: the view's ticket form: `form_snapshot()` is its unsaved ticket as a drafts entry
        #: (number, address, account_no, station_code, draft_form) or None; `flush_form()`
        #: sends its pending autosave. AgentWindow sets both.
        self.form_snapshot: Callable[[], dict | None] = lambda: None
        self.flush_form: Callable[[], None] = lambda: None
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._emit_left)

    # ---------------------------------------------------------- session --
    @property
    def logged_in(self) -> bool:
        return bool(self.user)

    def set_user(self, user: dict | None) -> None:
        self.user = dict(user or {})
        self.user_changed.emit(dict(self.user))

    def set_agent_state(self, st) -> None:
        if not isinstance(st, dict):
            return
        self.agent_state = dict(st)
        self.agent_state_changed.emit(dict(st))
        if st.get("wrapup"):
            self._wrapup_running(float(st.get("wrapup_left_s") or 0))
        else:
            self._wrapup_over()

    # ----------------------------------------------------------- events --
    def on_event(self, ev: dict) -> None:
        """One pushed event of the agent API's WebSocket."""
        kind = ev.get("type")
        if kind == wire.EV_HELLO:
            if not ev.get("ami", True):
                self.telephony_down.emit()
            self.script_wanted.emit()
        elif kind == wire.EV_TELEPHONY_RESTARTED:
            self.telephony_restarted.emit()
        elif kind == wire.EV_SCREEN_POP:
            self.on_screen_pop(ev)
        elif kind == wire.EV_CALL_ANSWERED:
            self.talked = True
        elif kind == wire.EV_CALL_ENDED:
            if not (ev.get("answered") or self.talked) and self.pop_live:
                self.caller_gave_up.emit()
            self.talked = False
            self.pop_live = False
        elif kind == wire.EV_RING_NO_ANSWER:
            self.pop_live = False
            self.rang_out.emit()

    def on_screen_pop(self, pop: dict) -> None:
        """The call rings (or a pop was fetched): keep the form's unsaved ticket, show the new one."""
        if not isinstance(pop, dict):
            return
        self.keep_form((pop.get("ticket") or {}).get("number"))
        self.pop = pop
        self.pop_live = True
        self.pop_changed.emit(pop)
        self.script_wanted.emit()         # the day's opener may have changed
        self.alert.emit()

    def on_incoming(self, info: dict) -> None:
        """The softphone rings; the pop usually came first, if not the SIP caller id names the caller.
        The leg of a click-to-call this desk asked for is no caller: `call_out_ringing`."""
        placed = self._our_call_out(info)
        if placed is not None:
            self.call_out = placed
            self.call_out_ringing.emit(dict(placed))
            return
        if not self.pop_live:
            self.caller_id.emit(str(info.get("number") or ""))
        self.alert.emit()

    def on_call_state(self, state: str) -> None:
        """The softphone's call state: idle / ringing / talking / held / ended."""
        if state == "talking":
            self.talked = True
        elif state == "ended":
            self.pop_live = False
            if self.call_out is not None:
                ended, self.call_out = self.call_out, None
                self.call_out_ended.emit(ended)

    # -------------------------------------------------------- calls out --
    def expect_call_out(self, placed: dict) -> None:
        """The server accepted a click-to-call (wire.SAMPLE_CALL_OUT, plus the entry's name):
        its leg rings this phone next."""
        if isinstance(placed, dict) and placed.get("number") and placed.get("label"):
            self._expected = (dict(placed), self._clock() + self.CALL_OUT_WAIT_S)

    def _our_call_out(self, info: dict) -> dict | None:
        """The expected click-to-call when this ringing leg is it: caller id "<label> <number>"."""
        if self._expected is None:
            return None
        placed, until = self._expected
        if self._clock() > until:
            self._expected = None
            return None
        number, name = str(info.get("number") or ""), str(info.get("name") or "")
        if number != str(placed["number"]) or not name.startswith(str(placed["label"])):
            return None
        self._expected = None
        return placed

    # ---------------------------------------------------------- wrap-up --
    @property
    def in_wrapup(self) -> bool:
        return self.wrapup_until is not None

    def _wrapup_running(self, left_s: float) -> None:
        started = self.wrapup_until is None
        self.wrapup_until = self._clock() + left_s     # each agent state re-syncs the count
        if started:
            self._tick.start()
            self.wrapup_changed.emit(True)
        self._emit_left()

    def _wrapup_over(self) -> None:
        was = self.wrapup_until is not None
        self.wrapup_until = None
        self._tick.stop()
        if was:
            self.wrapup_changed.emit(False)

    def wrapup_seconds_left(self) -> int:
        return 0 if self.wrapup_until is None else max(0, round(self.wrapup_until - self._clock()))

    def _emit_left(self) -> None:
        if self.wrapup_until is not None:
            self.wrapup_left.emit(self.wrapup_seconds_left())

    # ----------------------------------------------------------- drafts --
    def set_drafts(self, drafts: list) -> None:
        """The server's drafts of this agent (at login): offered again."""
        self.drafts = [dict(t) for t in drafts or [] if isinstance(t, dict) and t.get("number")]
        self.drafts_changed.emit(list(self.drafts))
        if self.drafts:
            self.drafts_offered.emit(len(self.drafts))

    def stash(self, entry: dict) -> None:
        """Keep an unsaved form (a drafts entry) in the list, replacing an older one of its ticket."""
        number = entry.get("number")
        self.drafts = [t for t in self.drafts if t.get("number") != number] + [dict(entry)]
        self.drafts_changed.emit(list(self.drafts))

    def keep_form(self, number: str | None) -> None:
        """Another ticket goes on the form (a pop's, a new one, a 回电 entry's): the form's unsaved one
        is flushed — never lose the typing — and stays reachable in the drafts list."""
        unsaved = self.form_snapshot()
        if unsaved and unsaved.get("number") != number:
            self.flush_form()
            self.stash(unsaved)

    def remove_draft(self, number: str) -> None:
        if any(t.get("number") == number for t in self.drafts):
            self.drafts = [t for t in self.drafts if t.get("number") != number]
            self.drafts_changed.emit(list(self.drafts))

    def ticket_saved(self, ticket: dict) -> None:
        """A ticket was saved: its draft is done (the wrap-up runs on: the server ends it)."""
        self.remove_draft(str(ticket.get("number", "")))
