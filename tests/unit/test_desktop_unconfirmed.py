"""待确认 on the desk (#24), offscreen, no server: the drafts whose call has ended counted on the 工单
tab's title and listed by a filter of their own with why they wait and how long; a team lead's
确认并派单 (POST wire.TICKET_CONFIRM with the chosen station); a 回电 entry's ticket opened in the
ticket form outside a call, confirmed, or cancelled with a reason; "reached" refused on a draft (409):
the server's words shown and the ticket put on the form. The real AgentApiClient is used with its
`request` replaced by the recorder of test_desktop_aftercall."""
from __future__ import annotations

import copy
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HOTLINE_NULL_AUDIO", "1")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox  # noqa: E402

from desktop import app as desk_app  # noqa: E402
from desktop import sample  # noqa: E402
from desktop.models.aftercall import UNCONFIRMED_BG, TicketsModel  # noqa: E402
from desktop.models.labels import UNCONFIRMED_REASON_LABELS, unconfirmed_reason_label  # noqa: E402
from desktop.state.aftercall import TAB_CALL, TAB_CALLBACKS, actions_for  # noqa: E402
from desktop.state.worklists import WorklistState  # noqa: E402
from desktop.widgets.note_dialog import ConfirmDialog  # noqa: E402
from desktop.widgets.ticket_form import CANCEL_REASON_MAX  # noqa: E402
from common import wire  # noqa: E402
from test_desktop_aftercall import AGENT, LEAD, log_in, recorded_desk  # noqa: E402

UNCONFIRMED_Q = {wire.UNCONFIRMED: "1"}
#: GET wire.TICKET for the agent's form: a call-back's draft as the IVR left it
DRAFT = {**copy.deepcopy(wire.SAMPLE_POP["ticket"]), "number": wire.SAMPLE_CALLBACK["ticket"],
         "callback_requested": True, "description": "暖气片不热", "history": [], "anomalies": []}
REFUSED = "报修单尚未确认:请先在报修单中确认、标记已解决或取消,再记录“已联系上”"


@pytest.fixture
def window(qtbot):
    w = recorded_desk(qtbot)
    yield w
    w.form.autosave_timer.stop()


def tickets_tab_title(window) -> str:
    return window.tabs.tabText(window.tabs.indexOf(window.tickets))


def gets(window, query=None) -> list[dict]:
    return [r for r in window.net.find("GET", wire.TICKETS) if r["query"] == query]


def answer_count(window, rows) -> None:
    gets(window, UNCONFIRMED_Q)[-1]["on_ok"](rows)


# ------------------------------------------------------------------ labels, model --

def test_the_reasons_words_are_the_wires():
    assert {k: v for k, v in UNCONFIRMED_REASON_LABELS.items()} == wire.UNCONFIRMED_REASONS
    assert unconfirmed_reason_label("degraded") == "降级期间来电"
    assert unconfirmed_reason_label(None) == "" and unconfirmed_reason_label("new_reason") == "new_reason"


def test_the_form_sends_a_cancel_reason_the_service_accepts():
    from hotline.service.schemas import TicketForm

    limit = next(m.max_length for m in TicketForm.model_fields["cancel_reason"].metadata if hasattr(m, "max_length"))
    assert CANCEL_REASON_MAX == limit and "cancel_reason" in wire.FORM_FIELDS


def test_a_waiting_draft_reads_as_why_it_waits_and_how_long(qapp):
    m = TicketsModel()
    rows = sample.unconfirmed()
    m.set_rows(rows + [wire.SAMPLE_TICKET_ROW])
    assert m.data(m.index(0, 1)) == "待确认" and m.data(m.index(0, TicketsModel.REASON_COLUMN)) == "按1预约回电"
    assert m.data(m.index(1, 8)) == "1 小时"                     # age_s 3900
    assert m.data(m.index(0, 0), Qt.ItemDataRole.BackgroundRole) == UNCONFIRMED_BG
    assert m.data(m.index(3, TicketsModel.REASON_COLUMN)) == "" and m.has_reasons()
    assert actions_for("team_lead", "draft") == ("confirm", "cancel") and actions_for("agent", "draft") == ()
    assert actions_for("station", "draft") == ()


# ------------------------------------------------------------------ the 工单 tab --

def test_the_tab_counts_the_drafts_waiting(window, qtbot):
    log_in(window, LEAD)
    assert gets(window, UNCONFIRMED_Q) and gets(window, None)     # the list, and the count of its own
    assert tickets_tab_title(window) == "工单"
    answer_count(window, sample.unconfirmed())
    assert tickets_tab_title(window) == "工单 (待确认 3)"
    assert window.tickets.unconfirmed.text() == "待确认 (3)"
    window.net.answer("GET", wire.TICKETS, [wire.SAMPLE_TICKET_ROW])   # a list without them: the count stays
    assert tickets_tab_title(window) == "工单 (待确认 3)"
    assert window.tickets.table.isColumnHidden(TicketsModel.REASON_COLUMN)
    # a push: the list and the count are asked for again, once
    before = len(gets(window, UNCONFIRMED_Q))
    for _ in range(3):
        window.api.event.emit({"type": wire.EV_TICKET_CHANGED, "ticket": {"number": "2611230014"}})
    qtbot.waitUntil(lambda: len(gets(window, UNCONFIRMED_Q)) == before + 1, timeout=3000)
    answer_count(window, sample.unconfirmed()[:1])
    assert tickets_tab_title(window) == "工单 (待确认 1)"
    answer_count(window, [])
    assert tickets_tab_title(window) == "工单" and window.tickets.unconfirmed.text() == "待确认"


def test_the_unconfirmed_filter_lists_the_drafts_and_counts_them(window):
    log_in(window, LEAD)
    p = window.tickets
    assert p.state.itemText(p.state.findData("draft")) == "待确认"
    before = len(gets(window, UNCONFIRMED_Q))
    p.unconfirmed.click()
    assert window.net.last("GET", wire.TICKETS)["query"] == UNCONFIRMED_Q
    assert len(gets(window, UNCONFIRMED_Q)) == before + 1          # the list is the count: no second request
    assert not p.state.isEnabled()
    window.net.answer("GET", wire.TICKETS, sample.unconfirmed())
    assert p.model.rowCount() == 3 and not p.table.isColumnHidden(TicketsModel.REASON_COLUMN)
    assert tickets_tab_title(window) == "工单 (待确认 3)" and "待确认 3 张" in p.count_label.text()
    p.q.setText("兴华")
    p.q.returnPressed.emit()
    assert window.net.last("GET", wire.TICKETS)["query"] == {**UNCONFIRMED_Q, "q": "兴华"}
    p.unconfirmed.click()
    assert window.net.last("GET", wire.TICKETS)["query"] == {"q": "兴华"} and p.state.isEnabled()


def test_a_station_neither_filters_nor_counts_drafts(window):
    log_in(window, wire.SAMPLE_STATION_USER)
    assert window.tickets.unconfirmed.isHidden() and not gets(window, UNCONFIRMED_Q)
    assert tickets_tab_title(window) == "工单"


def test_confirm_and_dispatch_sends_the_chosen_station(window):
    log_in(window, LEAD)
    row = sample.unconfirmed()[0]
    number = row["number"]
    window.aftercall.set_detail(sample.detail(row))
    detail = window.tickets.detail
    assert detail.visible_actions() == ["confirm", "cancel"] and detail.buttons["confirm"].text() == "确认并派单"
    assert "按1预约回电" in detail.state_label.text()
    dlg = detail.start_action("confirm")
    assert isinstance(dlg, ConfirmDialog) and dlg.value() == "TX" and dlg.dispatching()   # the address's station
    assert dlg.choice.count() == 1 + len(wire.SAMPLE_STATIONS)
    dlg.choice.setCurrentIndex(dlg.choice.findData("TXN"))
    dlg.note.setPlainText("兴华北街归铁西北站")
    dlg.accept()
    route = wire.path(wire.TICKET_CONFIRM, number=number)
    assert window.net.last("POST", route)["body"] == {"station_code": "TXN", "dispatch": True,
                                                      "note": "兴华北街归铁西北站"}
    before = len(gets(window, None))
    window.net.answer("POST", route, {**row, "state": "dispatched", "station_code": "TXN", "reason": None})
    assert len(gets(window, None)) == before + 1                   # the list, and the count, again
    assert window.net.find("GET", wire.path(wire.TICKET, number=number))
    assert "已派单" in window.status_line.text()


def test_a_confirmation_without_dispatch_and_the_servers_refusal(window):
    log_in(window, LEAD)
    row = {**sample.unconfirmed()[1], "station_code": None}
    window.aftercall.set_detail(sample.detail(row))
    dlg = window.tickets.detail.start_action("confirm")
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dlg.value() is None and not ok.isEnabled()             # dispatching needs a station
    dlg.dispatch.setChecked(False)
    assert ok.isEnabled()
    dlg.accept()
    route = wire.path(wire.TICKET_CONFIRM, number=row["number"])
    assert window.net.last("POST", route)["body"] == {"dispatch": False}
    window.net.refuse("POST", route, "报修单已由他人确认", 409)
    assert window.tickets.detail.error_label.text() == "报修单已由他人确认"


# --------------------------------------------------------------- the 回电 tab --

def agent_with_entry(window, **entry) -> dict:
    log_in(window, AGENT)
    row = {**copy.deepcopy(wire.SAMPLE_CALLBACK), "state": "draft", "taken_by": "1001", **entry}
    window.net.answer("GET", wire.CALLBACKS, [row])
    window.show_tab(TAB_CALLBACKS)
    window.callbacks.table.selectRow(0)
    return row


def open_entry(window, ticket=None) -> None:
    window.callbacks.open_button.click()
    window.net.answer("GET", wire.path(wire.TICKET, number=DRAFT["number"]), copy.deepcopy(ticket or DRAFT))


def test_a_taken_entrys_ticket_opens_in_the_form_and_its_save_leads_back(window, qtbot):
    agent_with_entry(window)
    cb = window.callbacks
    assert cb.open_button.isEnabled()
    open_entry(window)
    form = window.form
    assert window._tab_key(window.tabs.currentIndex()) == TAB_CALL
    assert form.number == DRAFT["number"] and form.address.text() == DRAFT["address"]
    assert form.name.text() == DRAFT["name"] and form.phone.text() == DRAFT["callback_number"]
    assert form.category.currentData() == "no_heat" and form.notes.toPlainText() == "暖气片不热"
    assert form.notice.isVisible() and "回电" in form.notice.text() and DRAFT["number"] in form.notice.text()
    assert not form.save_button.isEnabled() and not form.new_button.isEnabled()   # read back first
    for chk in form.checks():
        chk.setChecked(True)
    form.save_button.click()
    put = window.net.last("PUT", wire.path(wire.TICKET, number=DRAFT["number"]))
    assert put["body"]["confirmed_problem"] and put["body"]["cancel_reason"] == ""
    assert set(put["body"]) == set(wire.FORM_FIELDS)
    before = len(window.net.find("GET", wire.CALLBACKS))
    window.net.answer("PUT", wire.path(wire.TICKET, number=DRAFT["number"]), {**DRAFT, "state": "new"})
    assert window._tab_key(window.tabs.currentIndex()) == TAB_CALLBACKS
    assert "记录结果" in window.status_line.text()
    qtbot.waitUntil(lambda: len(window.net.find("GET", wire.CALLBACKS)) > before, timeout=3000)


def test_someone_elses_entry_has_no_open(window):
    agent_with_entry(window, taken_by="1002")
    assert not window.callbacks.open_button.isEnabled()


def test_cancelling_with_a_reason_needs_no_read_back(window):
    agent_with_entry(window)
    open_entry(window)
    form = window.form
    form.resolved.setChecked(True)
    form.cancel.setChecked(True)
    assert not form.resolved.isChecked()                           # cancelled or resolved, not both
    assert form.cancel_reason.isEnabled() and not form.save_button.isEnabled()
    assert form.save_hint.text() == "请填写取消原因"
    form.cancel_reason.setText("住户已自行解决")
    assert form.save_button.isEnabled() and form.save_button.text() == "取消报修单"
    form.save_button.click()
    body = window.net.last("PUT", wire.path(wire.TICKET, number=DRAFT["number"]))["body"]
    assert body["cancel_reason"] == "住户已自行解决" and not body["resolved"]
    window.net.answer("PUT", wire.path(wire.TICKET, number=DRAFT["number"]), {**DRAFT, "state": "cancelled"})
    assert form.save_hint.text() == "报修单已取消" and "已取消" in window.status_line.text()
    form.cancel.setChecked(False)
    assert form.form_dict()["cancel_reason"] == ""                 # unticked: nothing cancels


def test_an_autosaved_cancellation_comes_back_with_the_draft(window):
    agent_with_entry(window)
    open_entry(window, {**DRAFT, "draft_form": {**window.form.form_dict(), "cancel_reason": "重复报修"}})
    assert window.form.cancel.isChecked() and window.form.cancel_reason.text() == "重复报修"


def test_reached_refused_on_a_draft_shows_why_and_opens_the_form(window):
    row = agent_with_entry(window)
    cb = window.callbacks
    cb.outcome.setCurrentIndex(cb.outcome.findData("reached"))
    cb.outcome_button.click()
    route = wire.path(wire.CALLBACK_OUTCOME, number=row["ticket"])
    assert window.net.last("POST", route)["body"] == {"outcome": "reached", "note": ""}
    window.net.refuse("POST", route, REFUSED, 409)
    assert cb.error_label.text() == REFUSED and not cb.error_label.isHidden()
    assert REFUSED in window.status_line.text()
    window.net.answer("GET", wire.path(wire.TICKET, number=row["ticket"]), copy.deepcopy(DRAFT))
    assert window._tab_key(window.tabs.currentIndex()) == TAB_CALL and window.form.number == row["ticket"]
    assert window.form.notice.text() == REFUSED


def test_a_refusal_while_the_form_holds_the_ticket_keeps_the_typing(window):
    row = agent_with_entry(window)
    open_entry(window)
    window.form.notes.setPlainText("住户说下午在家")
    window.show_tab(TAB_CALLBACKS)
    gets_before = len(window.net.find("GET", wire.path(wire.TICKET, number=row["ticket"])))
    window.callbacks.outcome.setCurrentIndex(window.callbacks.outcome.findData("reached"))
    window.callbacks.outcome_button.click()
    window.net.refuse("POST", wire.path(wire.CALLBACK_OUTCOME, number=row["ticket"]), REFUSED, 409)
    assert len(window.net.find("GET", wire.path(wire.TICKET, number=row["ticket"]))) == gets_before
    assert window._tab_key(window.tabs.currentIndex()) == TAB_CALL
    assert window.form.notes.toPlainText() == "住户说下午在家" and window.form.notice.text() == REFUSED


def test_other_refusals_stay_on_the_list(window):
    row = agent_with_entry(window, state="new")
    window.callbacks.outcome.setCurrentIndex(window.callbacks.outcome.findData("no_answer"))
    window.callbacks.outcome_button.click()
    window.net.refuse("POST", wire.path(wire.CALLBACK_OUTCOME, number=row["ticket"]), "这条回电已由他人领取", 409)
    assert window.callbacks.error_label.text() == "这条回电已由他人领取"
    assert not window.net.find("GET", wire.path(wire.TICKET, number=row["ticket"]))
    assert window._tab_key(window.tabs.currentIndex()) == TAB_CALLBACKS


def test_a_live_calls_form_is_not_replaced(window):
    agent_with_entry(window)
    window.desk.on_screen_pop(copy.deepcopy(wire.SAMPLE_POP))
    window.callbacks.open_button.click()
    assert not window.net.find("GET", wire.path(wire.TICKET, number=DRAFT["number"]))
    assert window.form.number == wire.SAMPLE_POP["ticket"]["number"] and "正在通话中" in window.status_line.text()


def test_the_worklist_state_opens_only_the_ticket_it_asked_for(qapp):
    st = WorklistState()
    wanted, shown = [], []
    st.ticket_wanted.connect(wanted.append)
    st.form_wanted.connect(lambda t, notice: shown.append((t["number"], notice)))
    st.ticket_loaded(DRAFT)                                        # nobody asked: not put on the form
    assert shown == []
    st.set_callbacks([{**wire.SAMPLE_CALLBACK, "state": "draft"}])
    st.outcome_refused(DRAFT["number"], "reached", REFUSED, 409)
    assert wanted == [DRAFT["number"]]
    st.ticket_loaded(DRAFT)
    assert shown == [(DRAFT["number"], REFUSED)] and st.on_form == DRAFT["number"]
    st.outcome_refused(DRAFT["number"], "reached", "网络错误", 0)   # not the server's 409: no form
    assert wanted == [DRAFT["number"]]


# ------------------------------------------------------------------- the sample --

def test_the_sample_lists_drafts_waiting_for_a_team_lead(window):
    window.api.token = ""
    desk_app.show_sample(window, "1001", "team_lead")
    assert tickets_tab_title(window) == "工单 (待确认 3)"
    assert sum(1 for r in window.tickets.model.rows() if r["state"] == "draft") == 3
    assert window.tickets.detail.visible_actions() == ["confirm", "cancel"]
    assert all(r["state"] != "draft" for r in sample.tickets(wire.SAMPLE_STATION_USER["station_code"]))
