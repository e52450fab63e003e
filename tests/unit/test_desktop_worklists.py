"""The desk's worklist tabs (#15), offscreen: who sees 回电 / 回访, the call-back list and its buttons,
the 回访 form (f only when satisfied and unpaid, the answers it sends, 预约)."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop import sample  # noqa: E402
from desktop.models.aftercall import SurveysModel, automated_text, short_time  # noqa: E402
from desktop.state.aftercall import TAB_CALL, TAB_CALLBACKS, TAB_SURVEYS, tabs_for  # noqa: E402
from desktop.state.worklists import WorklistState  # noqa: E402
from desktop.widgets.worklists_panel import CallbacksPanel, SurveysPanel  # noqa: E402
from common import wire  # noqa: E402


def test_agents_and_leads_see_the_worklists_stations_do_not():
    assert tabs_for("agent")[:3] == (TAB_CALL, TAB_CALLBACKS, TAB_SURVEYS)
    assert TAB_CALLBACKS in tabs_for("team_lead") and TAB_SURVEYS in tabs_for("head")
    assert TAB_CALLBACKS not in tabs_for("station")


def test_the_call_back_list_offers_take_then_outcome(qtbot):
    p = CallbacksPanel()
    qtbot.addWidget(p)
    p.set_role("agent", "1001")
    assert p.outcome.findData(wire.CALLBACK_CLOSED) < 0
    rows = sample.callbacks()
    p.show_callbacks(rows)
    assert p.model.rowCount() == len(rows) and "5" in p.title.text()
    free = next(i for i, r in enumerate(rows) if not r["taken_by"] and not r["escalated"])
    p.table.selectRow(free)
    assert p.take_button.isEnabled() and not p.outcome_button.isEnabled()
    with qtbot.waitSignal(p.take_requested) as sig:
        p.take_button.click()
    assert sig.args == [rows[free]["ticket"]]
    taken = next(i for i, r in enumerate(rows) if r["taken_by"] == "1002")
    p.table.selectRow(taken)
    assert not p.take_button.isEnabled() and not p.outcome_button.isEnabled()   # someone else's
    p.show_callbacks([{**rows[free], "taken_by": "1001"}])
    p.table.selectRow(0)
    p.outcome.setCurrentIndex(p.outcome.findData("no_answer"))
    p.note.setText("无人接听")
    with qtbot.waitSignal(p.outcome_requested) as sig:
        p.outcome_button.click()
    assert sig.args == [rows[free]["ticket"], "no_answer", "无人接听"]
    p.set_role("team_lead", "1101")
    assert p.outcome.findData(wire.CALLBACK_CLOSED) >= 0


def test_a_pushed_change_asks_for_one_refresh(qtbot):
    st = WorklistState()
    st.REFRESH_MS = 10
    st._timer.setInterval(10)
    st.set_callbacks(sample.callbacks())
    with qtbot.waitSignal(st.callbacks_wanted, timeout=1000):
        st.on_event({"type": wire.EV_CALLBACK, "callback": wire.SAMPLE_CALLBACK})
    st.entry_changed({**wire.SAMPLE_CALLBACK, "open": False})
    assert wire.SAMPLE_CALLBACK["ticket"] not in [r["ticket"] for r in st.callbacks]


def test_the_survey_form_shows_f_only_when_satisfied_and_unpaid(qtbot):
    p = SurveysPanel()
    qtbot.addWidget(p)
    p.show()
    rows = sample.surveys()
    p.show_surveys(rows)
    p.table.selectRow(0)                                  # fee unpaid
    assert rows[0]["fee_status"] == "unpaid"
    p.attitude.setCurrentIndex(p.attitude.findData("average"))
    assert not p.fee.isVisible()
    p.attitude.setCurrentIndex(p.attitude.findData("satisfied"))
    assert p.fee.isVisible()
    p.solved.yes.setChecked(True)
    p.charged.no.setChecked(True)
    p.score.setValue(9)
    p.comment.setText("很好")
    p.fee.setChecked(True)
    with qtbot.waitSignal(p.save_requested) as sig:
        p.save_button.click()
    assert sig.args == [rows[0]["ticket"], {"solved": True, "attitude": "satisfied", "charged": False, "score": 9,
                                            "comment": "很好", "fee_reminder": True}]
    p.table.selectRow(1)                                  # paid: never f
    p.attitude.setCurrentIndex(p.attitude.findData("satisfied"))
    assert not p.fee.isVisible() and "fee_reminder" not in p.answers()
    assert p.answers()["solved"] is None and p.answers()["score"] is None    # a fresh form per row
    with qtbot.waitSignal(p.book_requested) as sig:
        p.book_button.click()
    assert sig.args[0] == rows[1]["ticket"] and "T" in sig.args[1]
    assert p.opening.text() == wire.SURVEY_SCRIPT["opening"]


def test_the_survey_list_says_what_the_automated_call_did():
    rows = sample.surveys()
    given_up = next(r for r in rows if r.get("automated"))
    assert automated_text(given_up) == "3 次 · 无人接听 " + short_time(wire.SAMPLE_SURVEY_AUTOMATED["last_at"])
    assert automated_text({**given_up, "automated": {**given_up["automated"], "calling": True}}) == "呼叫中"
    assert automated_text(wire.SAMPLE_SURVEY_ROW) == ""                 # never tried by the machine
    m = SurveysModel()
    m.set_rows(rows)
    col = next(i for i, (title, _v) in enumerate(SurveysModel.COLUMNS) if title == "自动回访")
    assert m.index(rows.index(given_up), col).data().startswith("3 次")
