"""The desk's calls out (#15), offscreen, no server, no SIP: 呼叫 on a 回电 / 回访 entry asks the
server, the leg that then rings this phone ("回电 <number>") is answered by itself and shown as a
call out — not a caller's pop; any other ringing call is not; and the screen pop says when the caller
is on the call-back list."""
from __future__ import annotations

import copy
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QObject, Signal  # noqa: E402

from desktop import sample  # noqa: E402
from desktop.services.api import AgentApiClient  # noqa: E402
from desktop.state.desk import DeskState  # noqa: E402
from desktop.widgets.account_panel import AccountPanel  # noqa: E402
from desktop.widgets.main_window import AgentWindow  # noqa: E402
from desktop.widgets.worklists_panel import CallbacksPanel, SurveysPanel  # noqa: E402
from common import wire  # noqa: E402

PLACED = {**wire.SAMPLE_CALL_OUT, "name": "王秀兰"}
LEG = {"number": PLACED["number"], "name": f"回电 {PLACED['number']}", "remote_uri": "", "sip_call_id": "x"}


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_the_leg_we_asked_for_is_our_call_out_and_nothing_else_is():
    clock = Clock()
    st = DeskState(clock=clock)
    ringing, callers, ended = [], [], []
    st.call_out_ringing.connect(ringing.append)
    st.caller_id.connect(callers.append)
    st.call_out_ended.connect(ended.append)
    st.on_incoming(LEG)                                    # nothing asked for: a caller
    assert callers == [PLACED["number"]] and not ringing
    st.expect_call_out(PLACED)
    st.on_incoming({**LEG, "name": ""})                    # the same number without our label: a caller
    st.on_incoming({**LEG, "number": "13900000000", "name": "回电 13900000000"})
    assert len(callers) == 3 and not ringing
    st.on_incoming(LEG)
    assert ringing == [PLACED] and st.call_out == PLACED
    st.on_incoming(LEG)                                    # once only
    assert len(ringing) == 1
    st.on_call_state("talking")
    st.on_call_state("ended")
    assert ended == [PLACED] and st.call_out is None
    st.expect_call_out(PLACED)
    clock.t += DeskState.CALL_OUT_WAIT_S + 1               # it never rang in time: forgotten
    st.on_incoming(LEG)
    assert len(ringing) == 1 and len(callers) == 5


def test_the_call_button_is_for_the_entry_one_holds_and_a_ready_phone(qtbot):
    p = CallbacksPanel()
    qtbot.addWidget(p)
    p.set_role("agent", "1001")
    rows = sample.callbacks()
    free = next(r for r in rows if not r["taken_by"] and not r["escalated"])
    p.show_callbacks([{**free, "taken_by": "1001"}, *[r for r in rows if r["taken_by"] == "1002"]])
    p.table.selectRow(0)
    assert not p.call_button.isEnabled()                   # the phone is not ready yet
    p.set_phone_ready(True)
    assert p.call_button.isEnabled()
    with qtbot.waitSignal(p.call_requested) as sig:
        p.call_button.click()
    assert sig.args == [free["ticket"]]
    p.table.selectRow(1)                                   # another agent's
    assert not p.call_button.isEnabled()
    p.set_role("team_lead", "1101")
    p.table.selectRow(1)
    assert p.call_button.isEnabled()                       # a team lead calls any

    s = SurveysPanel()
    qtbot.addWidget(s)
    s.show_surveys(sample.surveys())
    s.set_phone_ready(True)
    assert not s.call_button.isEnabled()
    s.select_first()
    with qtbot.waitSignal(s.call_requested) as sig:
        s.call_button.click()
    assert sig.args == [sample.surveys()[0]["ticket"]]


def test_the_pop_says_the_caller_is_on_the_call_back_list(qtbot):
    p = AccountPanel()
    qtbot.addWidget(p)
    p.show()
    pop = copy.deepcopy(wire.SAMPLE_POP)
    p.show_pop(pop)
    assert not p.callback_note.isVisible()
    pop["callback"] = {**wire.SAMPLE_CALLBACK, "taken_by": "1002"}
    p.show_pop(pop)
    assert p.callback_note.isVisible()
    text = p.callback_note.text()
    assert wire.SAMPLE_CALLBACK["ticket"] in text and "排队中按1" in text and "1002" in text
    p.show_pop({**pop, "callback": None})
    assert not p.callback_note.isVisible()


class FakePhone(QObject):
    """Stands where desktop.services.softphone.SoftPhone stands: its signals, its commands noted."""
    consult_state = Signal(str)
    registered = Signal(bool, int)
    incoming = Signal(dict)
    call_state = Signal(str)
    muted_changed = Signal(bool)
    held_changed = Signal(bool)
    error = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.is_registered, self.state, self.done = False, "idle", []

    def __getattr__(self, name):          # answer, hangup, hold, … : noted, nothing else
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args: self.done.append((name, *args))

    def ring(self, info):
        self.state = "ringing"
        self.call_state.emit("ringing")
        self.incoming.emit(info)

    def to(self, state):
        self.state = state
        self.call_state.emit(state)


@pytest.fixture
def window(qtbot):
    api = AgentApiClient("http://127.0.0.1:9")     # nothing listens: the requests are noted instead
    phone = FakePhone()
    w = AgentWindow(api=api, phone=phone)
    qtbot.addWidget(w)
    w.show()
    asked = []
    api.call_out = lambda kind, number: asked.append((kind, number))
    yield w, phone, asked
    w.form.autosave_timer.stop()


def test_click_to_call_from_the_desk_answers_our_leg_and_shows_it_as_a_call_out(window):
    w, phone, asked = window
    w.callbacks.set_role("agent", "1001")
    w.worklists.set_callbacks([{**wire.SAMPLE_CALLBACK, "taken_by": "1001"}])
    w.callbacks.table.selectRow(0)
    assert not w.callbacks.call_button.isEnabled()         # no registered phone yet
    phone.is_registered = True
    phone.registered.emit(True, 200)
    assert w.callbacks.call_button.isEnabled()
    w.callbacks.call_button.click()
    assert asked == [("callback", wire.SAMPLE_CALLBACK["ticket"])]
    phone.ring(LEG)                                        # Asterisk rang before the server's answer came
    assert ("answer",) in phone.done
    w.api.call_out_placed.emit(dict(wire.SAMPLE_CALL_OUT))
    assert w.desk.call_out["ticket"] == wire.SAMPLE_CALL_OUT["ticket"]
    assert "外呼" in w.softphone.caller.text() and "王秀兰" in w.softphone.caller.text()
    assert w.desk.pop is None                              # no caller's pop
    assert not w.callbacks.call_button.isEnabled()         # the phone is busy now
    phone.to("talking")
    phone.to("ended")
    phone.to("idle")
    assert "外呼已结束" in w.status_line.text() and w.callbacks.call_button.isEnabled()

    phone.done.clear()
    phone.ring(LEG)                                        # not asked for: rings like any call
    assert ("answer",) not in phone.done


def test_no_call_out_without_a_ready_phone(window):
    w, phone, asked = window
    w.call_out("survey", "2611220031")
    assert asked == [] and "不能呼叫" in w.status_line.text()
