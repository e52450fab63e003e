"""The desk's after-call screens (#14) without a server: the tickets model, the detail's buttons
by role and state, the escalation banner, a station's desk, the agent's 记录异常. The real
AgentApiClient is used with its `request` replaced by a recorder, so the routes, bodies and
queries it would send are the ones checked, and the answers are the wire's SAMPLE_* shapes."""
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
from desktop.models.aftercall import OVERDUE_BG, AnomaliesModel, TicketsModel, age_text  # noqa: E402
from desktop.models.labels import RECORDED_ANOMALY_TYPES, anomaly_label  # noqa: E402
from desktop.services.api import AgentApiClient  # noqa: E402
from desktop.state.aftercall import AfterCallState, actions_for, tabs_for  # noqa: E402
from desktop.widgets.main_window import AgentWindow  # noqa: E402
from desktop.widgets.ticket_detail import TicketDetailPanel  # noqa: E402
from bench.desk_demo import LeadDemo  # noqa: E402
from common import wire  # noqa: E402

LEAD = {"agent_no": "1101", "name": "张伟", "role": "team_lead"}
AGENT = {"agent_no": "1001", "name": "李娜", "role": "agent"}


class Wire:
    """Stands in for AgentApiClient.request: records each request, answers when told."""

    def __init__(self, api: AgentApiClient):
        self.api = api
        self.sent: list[dict] = []
        api.request = self.request
        api.token = "tok"                    # "logged in": the window asks the API

    def request(self, method, path, body=None, *, query=None, on_ok=None, on_error=None, raw=False, quiet=False,
                timeout_ms=None):
        self.sent.append({"method": method, "path": path, "body": body, "query": query, "on_ok": on_ok,
                          "on_error": on_error, "quiet": quiet, "raw": raw})

    def find(self, method: str, path: str) -> list[dict]:
        return [r for r in self.sent if r["method"] == method and r["path"] == path]

    def last(self, method: str, path: str) -> dict:
        found = self.find(method, path)
        assert found, f"no {method} {path} in {[(r['method'], r['path']) for r in self.sent]}"
        return found[-1]

    def answer(self, method: str, path: str, data) -> None:
        r = self.last(method, path)
        if r["on_ok"]:
            r["on_ok"](data)

    def refuse(self, method: str, path: str, msg: str, status: int) -> None:
        """What AgentApiClient._fail does with a 403/409/422 answer."""
        r = self.last(method, path)
        if r["on_error"]:
            r["on_error"](msg, status)
        if not r["quiet"]:
            self.api.error.emit(msg)


def recorded_desk(qtbot) -> AgentWindow:
    """The desk shown, no server: its requests go to `window.net` (a Wire)."""
    api = AgentApiClient("http://127.0.0.1:9")
    w = AgentWindow(api=api)
    qtbot.addWidget(w)
    w.net = Wire(api)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def window(qtbot):
    w = recorded_desk(qtbot)
    yield w
    w.form.autosave_timer.stop()


def log_in(window, user: dict) -> None:
    window.on_logged_in({"user": dict(user), "pause_reasons": ["小休"]})
    window.net.answer("GET", wire.STATIONS, copy.deepcopy(wire.SAMPLE_STATIONS))


def visible_tabs(window) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count()) if window.tabs.isTabVisible(i)]


def ok_button(dlg):
    return dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)


# ------------------------------------------------------------------ the model --

def test_a_tickets_age_reads_as_a_person_says_it():
    assert age_text(47) == "47 分钟"
    assert age_text(59) == "59 分钟"
    assert age_text(60) == "1 小时"
    assert age_text(3 * 60 + 20) == "3 小时"
    assert age_text(3 * 24 * 60) == "3 天"
    assert age_text(None) == "0 分钟"


def test_the_tickets_model_shows_the_wire_row_and_tints_overdue_rows(qapp):
    m = TicketsModel()
    late = copy.deepcopy(wire.SAMPLE_TICKET_ROW)
    fine = {**late, "number": "2611230013", "overdue": False, "open_anomalies": 0, "priority": 0, "age_min": 185,
            "age_s": None}                                         # an older server: age_min only
    m.set_rows([late, fine])
    assert m.columnCount() == 10
    texts = [m.data(m.index(0, c)) for c in range(m.columnCount())]
    assert texts == ["2611230012", "已派单", "", "漏水", "加急", "铁西维修站", "铁西区", late["address"], "47 分钟", "1"]
    assert m.data(m.index(1, 8)) == "3 小时" and m.data(m.index(1, 4)) == "普通" and m.data(m.index(1, 9)) == ""
    assert all(m.data(m.index(0, c), Qt.ItemDataRole.BackgroundRole) == OVERDUE_BG for c in range(10))
    assert m.data(m.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert m.row_of("2611230013") == 1


def test_the_anomaly_register_model_labels_types_and_tints_past_deadlines(qapp):
    m = AnomaliesModel()
    late = {**copy.deepcopy(wire.SAMPLE_ANOMALY), "overdue": True}
    timer = {**wire.SAMPLE_TIMELINE["anomalies"][0], "deadline": "2000-01-01T00:00:00"}   # no `overdue` key
    m.set_rows([late, wire.SAMPLE_ANOMALY, timer])
    assert m.data(m.index(0, 0)) == "6 投诉维修工" and m.data(m.index(0, 1)) == "待处理"
    assert m.data(m.index(0, 6)) == "住户投诉维修工态度差"
    assert m.data(m.index(0, 0), Qt.ItemDataRole.BackgroundRole) == OVERDUE_BG
    assert m.data(m.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert m.data(m.index(2, 0), Qt.ItemDataRole.BackgroundRole) == OVERDUE_BG
    assert [anomaly_label(t) for t in wire.ANOMALY_TIMER_TYPES] == [
        "1 站点超时未接单", "2 维修工超时未联系住户", "3 报修超过4小时未完成", "系统: 待确认超时未确认"]
    assert [anomaly_label(t) for t in RECORDED_ANOMALY_TYPES] == [
        "4 站点及维修工电话无人接听", "5 表扬维修工", "6 投诉维修工", "7 投诉收费人员", "8 建议", "9 市/区供热办转办"]


def test_the_list_asks_the_server_with_the_filters_as_query(window):
    log_in(window, LEAD)
    net = window.net
    assert net.last("GET", wire.TICKETS)["query"] is None          # everything, at login
    assert net.last("GET", wire.ANOMALIES)["query"] == {"open": "1"}
    assert net.find("GET", wire.ANOMALIES_UNACKED)
    net.answer("GET", wire.TICKETS, [wire.SAMPLE_TICKET_ROW])
    assert window.tickets.model.rowCount() == 1
    p = window.tickets
    p.state.setCurrentIndex(p.state.findData("dispatched"))
    p.station.setCurrentIndex(p.station.findData("TX"))
    p.district.setCurrentIndex(p.district.findData("铁西区"))
    p.category.setCurrentIndex(p.category.findData("leak"))
    p.priority.setCurrentIndex(p.priority.findData(str(wire.PRIORITY_URGENT)))
    p.q.setText(" 兴华 ")
    p.overdue.setChecked(True)                                     # a change asks at once
    assert net.last("GET", wire.TICKETS)["query"] == {
        "state": "dispatched", "station": "TX", "district": "铁西区", "category": "leak", "priority": "50",
        "overdue": "1", "q": "兴华"}
    assert set(net.last("GET", wire.TICKETS)["query"]) <= set(wire.TICKET_FILTERS)
    p.overdue.setChecked(False)
    p.state.setCurrentIndex(0)
    p.refresh_button.click()
    assert "overdue" not in net.last("GET", wire.TICKETS)["query"]
    assert "state" not in net.last("GET", wire.TICKETS)["query"]


# ----------------------------------------------------------------- the detail --

@pytest.mark.parametrize("role, state, offered", [
    ("team_lead", "new", ["dispatch", "cancel"]),
    ("head", "dispatched", ["recall", "accept", "cancel"]),
    ("admin", "accepted", ["contact", "cancel"]),
    ("team_lead", "contacted", ["complete", "cancel"]),
    ("team_lead", "completed", ["close"]),
    ("team_lead", "followed_up", ["close"]),
    ("team_lead", "resolved", ["close"]),
    ("team_lead", "closed", ["reopen"]),
    ("team_lead", "cancelled", []),
    ("station", "new", []),
    ("station", "dispatched", ["accept"]),
    ("station", "accepted", ["contact"]),
    ("station", "contacted", ["complete"]),
    ("station", "completed", []),
    ("station", "closed", []),
    ("agent", "dispatched", []),
])
def test_the_detail_offers_the_roles_moves_for_the_state(qtbot, role, state, offered):
    panel = TicketDetailPanel()
    qtbot.addWidget(panel)
    panel.set_role(role)
    panel.show_ticket({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE, "state": state})
    assert panel.visible_actions() == offered == list(actions_for(role, state))
    assert not panel.anomaly_button.isHidden()                     # 记录异常: everybody who sees it


def test_the_detail_shows_the_timeline_anomalies_and_links(qtbot):
    panel = TicketDetailPanel()
    qtbot.addWidget(panel)
    panel.show_ticket({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE, "followup_of": "2611200017",
                       "followups": [{"number": "2611240003"}]})
    tl = panel.timeline_model
    assert [tl.data(tl.index(r, 0)) for r in range(tl.rowCount())] == ["草稿", "新建", "已派单"]
    assert tl.data(tl.index(2, 2)) == "1101" and tl.data(tl.index(2, 3)) == "派铁西维修站"
    assert panel.anomalies_model.data(panel.anomalies_model.index(0, 0)) == "1 站点超时未接单"
    assert "2611200017" in panel.links.text() and "2611240003" in panel.links.text()
    assert "超时" in panel.state_label.text()
    with qtbot.waitSignal(panel.open_ticket) as opened:
        panel.links.linkActivated.emit("2611200017")
    assert opened.args == ["2611200017"]
    panel.show_ticket({})
    assert panel.visible_actions() == [] and panel.anomaly_button.isHidden()


def test_dispatch_offers_the_stations_with_the_suggested_one_chosen(window):
    log_in(window, LEAD)
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE, "state": "new"})
    dlg = window.tickets.detail.start_action("dispatch")
    assert dlg is not None and dlg.value() == "TX"                 # the ticket's suggested station
    assert dlg.choice.count() == 1 + len(wire.SAMPLE_STATIONS)
    dlg.choice.setCurrentIndex(dlg.choice.findData("TXN"))
    dlg.note.setPlainText("兴华北街归铁西北站")
    dlg.accept()
    r = window.net.last("POST", wire.path(wire.TICKET_STATE, number="2611230012"))
    assert r["body"] == {"state": "dispatched", "note": "兴华北街归铁西北站", "station_code": "TXN"}
    # the move went through: the list (and the 待确认 count) and the detail are asked for again
    before = len(window.net.find("GET", wire.TICKETS))
    window.net.answer("POST", wire.path(wire.TICKET_STATE, number="2611230012"), {"number": "2611230012",
                                                                                  "state": "dispatched"})
    assert [r["query"] for r in window.net.find("GET", wire.TICKETS)[before:]] == [{wire.UNCONFIRMED: "1"}, None]
    assert window.net.find("GET", wire.path(wire.TICKET, number="2611230012"))


def test_a_report_back_and_a_cancellation_need_their_text(window):
    log_in(window, LEAD)
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, "state": "contacted"})
    detail = window.tickets.detail
    dlg = detail.start_action("complete")
    assert not ok_button(dlg).isEnabled()
    dlg.accept()                                                   # refused: nothing sent
    assert not window.net.find("POST", wire.path(wire.TICKET_STATE, number="2611230012"))
    dlg.note.setPlainText("更换暖气阀门，已恢复供热")
    assert ok_button(dlg).isEnabled()
    dlg.accept()
    assert window.net.last("POST", wire.path(wire.TICKET_STATE, number="2611230012"))["body"] == {
        "state": "completed", "note": "更换暖气阀门，已恢复供热"}
    dlg = detail.start_action("cancel")
    assert not ok_button(dlg).isEnabled()
    dlg.note.setPlainText("重复报修")
    dlg.accept()
    assert window.net.last("POST", wire.path(wire.TICKET_STATE, number="2611230012"))["body"]["state"] == "cancelled"


def test_the_servers_refusal_is_shown_on_the_detail(window):
    log_in(window, LEAD)
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, "state": "completed"})
    dlg = window.tickets.detail.start_action("close")
    assert ok_button(dlg).isEnabled()                              # the note is optional here
    dlg.accept()
    window.net.refuse("POST", wire.path(wire.TICKET_STATE, number="2611230012"), "回访未完成，不能关闭", 409)
    assert window.tickets.detail.error_label.text() == "回访未完成，不能关闭"
    assert "回访未完成，不能关闭" in window.status_line.text()


def test_reopening_a_closed_ticket_shows_the_new_linked_ticket(window):
    log_in(window, LEAD)
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, "number": "2611200017", "state": "closed"})
    dlg = window.tickets.detail.start_action("reopen")
    dlg.note.setPlainText("还是不热")
    dlg.accept()
    assert window.net.last("POST", wire.path(wire.TICKET_REOPEN, number="2611200017"))["body"] == {"note": "还是不热"}
    window.net.answer("POST", wire.path(wire.TICKET_REOPEN, number="2611200017"),
                      {"number": "2611240003", "state": "new", "followup_of": "2611200017"})
    assert window.net.find("GET", wire.path(wire.TICKET, number="2611240003"))
    assert "2611240003" in window.status_line.text()


def test_recording_an_anomaly_on_a_ticket(window):
    log_in(window, LEAD)
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE})
    dlg = window.tickets.detail.start_anomaly()
    assert [dlg.choice.itemData(i) for i in range(dlg.choice.count())] == list(RECORDED_ANOMALY_TYPES)
    dlg.choice.setCurrentIndex(dlg.choice.findData("unreachable"))
    dlg.note.setPlainText("站点电话和维修工手机均无人接听")
    dlg.accept()
    assert window.net.last("POST", wire.ANOMALIES)["body"] == {
        "type": "unreachable", "ticket": "2611230012", "note": "站点电话和维修工手机均无人接听"}


# --------------------------------------------------------------- the register --

def test_the_register_handles_and_closes_with_a_result(window):
    log_in(window, LEAD)
    window.net.answer("GET", wire.ANOMALIES, sample.anomalies())
    reg = window.register
    assert reg.model.rowCount() == 4
    reg.table.selectRow(0)
    assert reg.handle_button.isEnabled() and reg.close_button.isEnabled()
    dlg = reg.start("handle")
    assert not ok_button(dlg).isEnabled()
    dlg.note.setPlainText("已向住户道歉，维修站批评教育")
    dlg.accept()
    assert window.net.last("POST", wire.path(wire.ANOMALY_HANDLE, aid=8))["body"] == {
        "result": "已向住户道歉，维修站批评教育"}
    reg.table.selectRow(3)                                         # handled: only 关闭 left
    assert not reg.handle_button.isEnabled() and reg.close_button.isEnabled()
    dlg = reg.start("close")
    dlg.note.setPlainText("住户满意")
    dlg.accept()
    assert window.net.last("POST", wire.path(wire.ANOMALY_CLOSE, aid=4))["body"] == {"result": "住户满意"}
    reg.open_only.setChecked(False)
    assert window.net.last("GET", wire.ANOMALIES)["query"] is None


# ------------------------------------------------------------- the escalations --

def test_an_escalation_stays_until_acknowledged_at_the_server(window, qtbot):
    log_in(window, LEAD)
    banner = window.banner
    assert banner.isHidden()
    first = copy.deepcopy(wire.SAMPLE_ANOMALY)
    second = {**first, "id": 9, "type": "forwarded", "ticket": "2611230004", "note": "区供热办转来"}
    window.api.event.emit({"type": wire.EV_ANOMALY, "anomaly": first, "escalated": True})
    window.api.event.emit({"type": wire.EV_ANOMALY, "anomaly": {**first, "id": 10, "type": "praise",
                                                               "escalated": False}, "escalated": False})
    window.api.event.emit({"type": wire.EV_ANOMALY, "anomaly": second, "escalated": True})
    window.api.event.emit({"type": wire.EV_ANOMALY, "anomaly": first, "escalated": True})   # pushed again
    assert banner.isVisible() and sorted(banner.ack_buttons) == [8, 9]
    banner.ack_buttons[8].click()
    r = window.net.last("POST", wire.path(wire.ANOMALY_ACK, aid=8))
    assert sorted(banner.ack_buttons) == [8, 9]                    # not before the server has it
    window.net.refuse("POST", wire.path(wire.ANOMALY_ACK, aid=8), "网络错误", 0)
    assert banner.ack_buttons[8].isEnabled() and sorted(banner.ack_buttons) == [8, 9]
    banner.ack_buttons[8].click()
    window.net.answer("POST", wire.path(wire.ANOMALY_ACK, aid=8), {"ok": True})
    assert sorted(banner.ack_buttons) == [9] and banner.isVisible()
    banner.ack_buttons[9].click()
    window.net.answer("POST", wire.path(wire.ANOMALY_ACK, aid=9), {"ok": True})
    assert banner.isHidden() and r["body"] == {}
    # the pushes also refreshed the register and the list (coalesced)
    qtbot.waitUntil(lambda: len(window.net.find("GET", wire.ANOMALIES)) >= 2, timeout=3000)


def test_the_escalations_not_seen_before_login_come_with_the_login(window):
    log_in(window, LEAD)
    many = [{**wire.SAMPLE_ANOMALY, "id": i} for i in range(1, 6)]
    window.net.answer("GET", wire.ANOMALIES_UNACKED, many)
    assert window.banner.isVisible()
    assert sorted(window.banner.ack_buttons) == [1, 2, 3]          # three lines, the rest counted
    assert "2" in window.banner.more_label.text() and window.banner.more_label.isVisible()


def test_the_recordings_disk_alert_shows_on_a_leads_desk_from_the_login_and_each_push(window):
    log_in(window, LEAD)
    assert window.storage_banner.isHidden()
    low = {"low": True, "free_mb": 1, "min_free_mb": 1024, "flagged_today": 0, "message": "录音磁盘空间不足"}
    window.api.event.emit({"type": wire.EV_HELLO, "agent_no": "1101", "storage": low})
    assert window.storage_banner.isVisible() and "录音磁盘空间不足：剩余 1 MB（下限 1024 MB）" in window.storage_banner.text()
    window.api.event.emit({"type": wire.EV_STORAGE, "storage": {**low, "flagged_today": 2}})
    assert "今日 2 条录音或留言异常" in window.storage_banner.text()
    window.api.event.emit({"type": wire.EV_STORAGE, "storage": {**low, "low": False, "flagged_today": 0}})
    assert window.storage_banner.isHidden()                        # the disk freed: the line goes


def test_an_agents_desk_shows_no_disk_alert(window):
    log_in(window, {"agent_no": "1001", "name": "李娜", "role": "agent"})
    window.api.event.emit({"type": wire.EV_STORAGE, "storage": {"low": True, "free_mb": 1, "min_free_mb": 1024,
                                                                "flagged_today": 3}})
    assert window.storage_banner.isHidden()


# ------------------------------------------------------------------- by role --

def test_a_station_user_sees_its_tickets_only_and_no_supervisor_buttons(window):
    log_in(window, wire.SAMPLE_STATION_USER)
    assert visible_tabs(window) == ["工单"] and window.tabs.tabBar().isHidden()
    assert window.tabs.currentWidget() is window.tickets
    assert window.tickets.title.text() == "铁西维修站" and window.tickets.station.isHidden()
    assert window.queue_button.isHidden() and window.pause_button.isHidden()
    assert not window.net.find("GET", wire.ANOMALIES) and not window.net.find("GET", wire.ANOMALIES_UNACKED)
    assert not window.net.find("GET", wire.SCRIPT) and window.net.find("GET", wire.TICKETS)
    detail = window.tickets.detail
    for state in ("new", "dispatched", "accepted", "contacted", "completed", "closed"):
        window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, "state": state})
        assert not set(detail.visible_actions()) & {"dispatch", "recall", "close", "cancel", "reopen"}
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, "state": "dispatched"})
    assert detail.visible_actions() == ["accept"]
    detail.start_action("accept").accept()
    assert window.net.last("POST", wire.path(wire.TICKET_STATE, number="2611230012"))["body"] == {
        "state": "accepted", "note": ""}


def test_supervisors_see_every_tab_and_agents_the_call_screen_and_the_worklists(window):
    log_in(window, LEAD)
    assert visible_tabs(window) == ["来电", "工单", "异常登记", "回电", "回访", "质检", "报表", "看板"] \
        and window.tabs.tabBar().isVisible()
    window.desk.set_user({})
    window.desk.set_user(AGENT)
    assert visible_tabs(window) == ["来电", "回电", "回访", "质检"] and window.tabs.tabBar().isVisible()
    assert window.queue_button.isVisible()
    assert tabs_for("head") == tabs_for("admin") == tabs_for("team_lead")


def test_the_heads_and_admins_desk_offers_no_queue_and_no_calls_out(window):
    """The queue and calls out are agents' and team leads' (the server answers anybody else 403)."""
    log_in(window, LEAD)
    assert window.queue_button.isVisible() and not window.callbacks.call_button.isHidden()
    for role in ("head", "admin"):
        window.desk.set_user({})
        window.desk.set_user({**LEAD, "role": role})
        assert "工单" in visible_tabs(window)
        assert window.queue_button.isHidden() and window.pause_button.isHidden()
        assert window.callbacks.call_button.isHidden() and window.surveys.call_button.isHidden()
        assert window.recordings_button.isVisible()


def test_an_agent_records_an_anomaly_on_the_calls_ticket(window):
    log_in(window, AGENT)
    form = window.form
    assert not form.anomaly_button.isEnabled()                     # no ticket yet
    window.desk.on_screen_pop(copy.deepcopy(wire.SAMPLE_POP))
    assert form.anomaly_button.isEnabled()
    form.anomaly_button.click()
    dlg = window.anomaly_dialog
    assert dlg is not None and dlg.isVisible()
    assert [dlg.choice.itemData(i) for i in range(dlg.choice.count())] == list(RECORDED_ANOMALY_TYPES)
    dlg.choice.setCurrentIndex(dlg.choice.findData("praise"))
    assert not ok_button(dlg).isEnabled()
    dlg.note.setPlainText("表扬维修工小王上门及时")
    dlg.accept()
    assert window.net.last("POST", wire.ANOMALIES)["body"] == {
        "type": "praise", "ticket": "2611230012", "note": "表扬维修工小王上门及时"}
    window.net.answer("POST", wire.ANOMALIES, {**wire.SAMPLE_ANOMALY, "id": 11, "type": "praise"})
    assert "表扬维修工" in window.status_line.text()
    assert not window.net.find("GET", wire.ANOMALIES)              # an agent has no register


# ------------------------------------------------------------ the state alone --

def test_pushes_ask_for_one_refresh_of_what_shows_them(qapp, qtbot):
    st = AfterCallState()
    asked: list[tuple] = []
    st.tickets_wanted.connect(lambda q: asked.append(("tickets", q)))
    st.ticket_wanted.connect(lambda n: asked.append(("ticket", n)))
    st.anomalies_wanted.connect(lambda o: asked.append(("anomalies", o)))
    st.on_event({"type": wire.EV_TICKET_CHANGED, "ticket": wire.SAMPLE_TICKET_ROW})
    assert asked == []                                             # nobody logged in
    st.set_user(LEAD)
    st.set_filters({"state": "new", "overdue": True, "q": "", "bogus": "x"})
    assert asked.pop() == ("tickets", {"state": "new", "overdue": "1"})
    st.select("2611230012")
    assert asked.pop() == ("ticket", "2611230012")
    for _ in range(3):
        st.on_event({"type": wire.EV_TICKET_CHANGED, "ticket": {"number": "2611230012"}})
    st.on_event({"type": wire.EV_ANOMALY, "anomaly": wire.SAMPLE_ANOMALY, "escalated": True})
    qtbot.waitUntil(lambda: len(asked) == 3, timeout=3000)
    assert sorted(a[0] for a in asked) == ["anomalies", "ticket", "tickets"]
    assert [a["id"] for a in st.escalations] == [8]
    st.acknowledged(8)
    assert st.escalations == []


@pytest.mark.parametrize("role", ["team_lead", "station", "agent"])
def test_the_sample_fills_each_roles_screens_without_a_server(window, role):
    window.net.sent.clear()
    window.api.token = ""
    desk_app.show_sample(window, "1001", role)
    if role == "agent":
        assert visible_tabs(window) == ["来电", "回电", "回访", "质检"]
        assert window.callbacks.model.rowCount() >= 1 and window.surveys.model.rowCount() >= 1
    else:
        assert window.tabs.currentWidget() is window.tickets and window.tickets.model.rowCount() >= 1
        assert window.tickets.detail.ticket.get("history")
    if role == "team_lead":
        assert window.register.model.rowCount() == 4 and window.banner.isVisible()
    assert not window.net.sent                                     # nothing asked of a server


def test_the_lead_demo_logs_in_opens_the_first_ticket_and_takes_the_screenshot(window, qtbot, tmp_path):
    """`hotline desktop --demo --role team_lead`'s driver, the server's answers played by the recorder."""
    class App:
        code = None

        def exit(self, code):
            self.code = code

    app, shot = App(), tmp_path / "lead.png"
    window.api.token = ""
    window.api.connect_events = lambda: None                       # no WebSocket in a unit test
    demo = LeadDemo("1901", "pw-demo-1234", str(shot), hold=0.05)
    demo(app, window)
    assert window.net.last("POST", wire.LOGIN)["body"] == {"agent_no": "1901", "password": "pw-demo-1234"}
    window.net.answer("POST", wire.LOGIN, {"token": "tok", "user": {**LEAD, "agent_no": "1901"}, "sip": {}})
    window.net.answer("GET", wire.TICKETS, sample.tickets())
    number = sample.tickets()[0]["number"]
    window.net.answer("GET", wire.path(wire.TICKET, number=number), sample.detail())
    qtbot.waitUntil(lambda: app.code is not None, timeout=5000)
    assert app.code == 0 and shot.stat().st_size > 10000
