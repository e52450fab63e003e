"""#30 — the desk's 看板 tab, offscreen, no server, no SIP: the real AgentApiClient with its `request`
replaced by a recorder (test_desktop_aftercall's Wire: the routes and bodies it would send are the ones
checked; the answers are the wire's SAMPLE_BOARD and desktop.sample's board), a fake phone. The
snapshot fills the tables, a push replaces it, the durations move on each second without a request,
a pause past its limit is on red, the row actions post the right routes and bodies (and a refusal's
words show), alerts are acknowledged from the board and from the banner, outages declared and ended."""
from __future__ import annotations

import copy
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HOTLINE_NULL_AUDIO", "1")

import pytest  # noqa: E402
from PySide6.QtCore import QDateTime, Qt  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox, QLabel  # noqa: E402

from desktop import app as desk_app  # noqa: E402
from desktop import sample  # noqa: E402
from desktop.models.board import OVER_BG, duration_text, ivr_text  # noqa: E402
from desktop.models.labels import ALERT_LABELS, BOARD_STATE_LABELS  # noqa: E402
from desktop.services.api import AgentApiClient  # noqa: E402
from desktop.state.aftercall import TAB_BOARD, tabs_for  # noqa: E402
from desktop.state.board import BoardState, can_sign_out, can_unpause  # noqa: E402
from desktop.widgets.board_panel import EndOutageDialog, OutageDialog  # noqa: E402
from desktop.widgets.main_window import AgentWindow  # noqa: E402
from common import wire  # noqa: E402
from test_desktop_aftercall import Wire, visible_tabs  # noqa: E402
from test_desktop_calls_out import FakePhone  # noqa: E402

LEAD = {"agent_no": "1101", "name": "张伟", "role": "team_lead"}
HEAD = {"agent_no": "1201", "name": "李部长", "role": "head"}
ADMIN = {"agent_no": "9001", "name": "管理员", "role": "admin"}
AGENT = {"agent_no": "1001", "name": "李娜", "role": "agent"}


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def desk(qtbot):
    api = AgentApiClient("http://127.0.0.1:9")
    phone = FakePhone()
    w = AgentWindow(api=api, phone=phone)
    qtbot.addWidget(w)
    w.net = Wire(api)
    w.phone_fake = phone
    w.clock = Clock()
    w.board_state._clock = w.clock
    w.show()
    yield w
    w.board_state._timer.stop()
    w.form.autosave_timer.stop()


def open_board(w, user=LEAD, board=None):
    """The 看板 tab opened by `user`, the server's board answered."""
    w.desk.set_user(dict(user))
    w.net.sent.clear()
    w.show_tab(TAB_BOARD)
    w.net.answer("GET", wire.BOARD, copy.deepcopy(board or sample.board()))
    return w.board


def cell(model, row: int, col: int, role=Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, col), role)


def column(model, col: int) -> list:
    return [cell(model, r, col) for r in range(model.rowCount())]


def ok(dialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


# ------------------------------------------------------------------------- who sees it --

def test_the_labels_are_the_wires_words():
    assert BOARD_STATE_LABELS == wire.BOARD_STATE_LABELS
    assert ALERT_LABELS == wire.ALERT_LABELS


def test_team_leads_the_head_and_admins_get_the_board_tab_nobody_else(desk):
    for role in wire.SUPERVISOR_ROLES:
        assert tabs_for(role)[-1] == TAB_BOARD
    for role in ("agent", "station", "statistician"):
        assert TAB_BOARD not in tabs_for(role)
    desk.desk.set_user(dict(HEAD))
    assert visible_tabs(desk)[-1] == "看板"
    desk.desk.set_user(dict(AGENT))
    assert "看板" not in visible_tabs(desk)
    desk.net.sent.clear()
    desk.api.event.emit({"type": wire.EV_BOARD, "board": sample.board()})      # not pushed to agents; ignored
    desk.api.event.emit({"type": wire.EV_HELLO})
    assert desk.board_state.board == {} and not desk.net.find("GET", wire.BOARD)
    assert desk.alert_banner.isHidden()


# ------------------------------------------------------------------------- the snapshot --

def test_the_snapshot_fills_the_agents_the_callers_waiting_the_alerts_and_outages(desk):
    panel = open_board(desk)
    agents = panel.agents_model
    assert agents.rowCount() == 9
    assert [agents.headerData(c, Qt.Orientation.Horizontal) for c in range(agents.columnCount())] == \
        ["工号", "姓名", "状态", "时长", "通话对象", "话后整理", "今日接听"]
    assert cell(agents, 0, 0) == "1001" and cell(agents, 0, 2) == "通话中" and cell(agents, 0, 3) == "02:28"
    assert cell(agents, 0, 4) == "139******78" and cell(agents, 0, 6) == "14"
    assert cell(agents, 1, 2) == "示忙(小休)" and cell(agents, 1, 3) == "41:30"
    assert cell(agents, 2, 2) == "话后整理" and cell(agents, 2, 5) == "00:35"
    assert column(agents, 2)[-3:] == ["话机未注册", "未登录", "空闲"]
    assert cell(agents, 7, 3) == "5:12:30"                       # h:mm:ss from an hour on
    waiting = panel.waiting_model
    assert column(waiting, 1) == ["135******01", "138******17", "未显示号码"]
    assert cell(waiting, 0, 2) == "01:35" and cell(waiting, 0, 3) == "加急" and cell(waiting, 0, 4) == "问题 暖气不热 · 区 和平区"
    assert column(panel.alerts_model, 1) == ["等待过长", "示忙超时"]
    assert column(panel.alerts_model, 2) == ["待确认", "待确认"]
    assert cell(panel.outages_model, 0, 0) == "和平区/幸福里小区" and cell(panel.outages_model, 0, 2) == "17"
    text = panel.summary.text()
    for words in ("排队 <b>3</b> 人", "最长等待 <b>01:35</b>", "今日服务水平 <b>86%</b>", "今日接听 <b>212</b>",
                  "示忙 <b>2</b>", "在修 37(超时 4)"):
        assert words in text
    assert "03:12:30" in panel.as_of.text()


def test_a_pause_past_its_limit_is_on_red_another_pause_is_not(desk):
    panel = open_board(desk)
    m = panel.agents_model
    assert cell(m, 1, 0, Qt.ItemDataRole.BackgroundRole).color() == OVER_BG      # 王强: the 示忙超时 alert names him
    assert cell(m, 5, 0, Qt.ItemDataRole.BackgroundRole) is None                 # 孙悦 on 用餐, 8 minutes
    assert cell(m, 0, 0, Qt.ItemDataRole.BackgroundRole) is None


def test_a_push_replaces_the_snapshot_and_the_selected_agent_stays_selected(desk):
    panel = open_board(desk)
    panel.select_agent("1006")
    b = sample.board()
    b["agents"] = [a for a in b["agents"] if a["agent_no"] != "1001"]            # 1001 signed out elsewhere
    six = next(a for a in b["agents"] if a["agent_no"] == "1006")
    six.update(state="free", reason="", seconds=3)
    b["waiting"] = b["waiting"][:1]
    desk.net.sent.clear()
    desk.api.event.emit({"type": wire.EV_BOARD, "board": b})
    assert panel.agents_model.rowCount() == 8 and panel.waiting_model.rowCount() == 1
    assert panel.current_agent()["agent_no"] == "1006" and cell(panel.agents_model, 4, 2) == "空闲"
    assert not panel.unpause_button.isEnabled()
    assert not desk.net.sent                                                   # a push asks nothing


def test_the_durations_move_on_each_second_without_a_request(desk, qtbot):
    panel = open_board(desk)
    desk.net.sent.clear()
    desk.clock.t += 5
    with qtbot.waitSignal(desk.board_state.ticked, timeout=2500):        # the state's own one-second timer
        pass
    m = panel.agents_model
    assert cell(m, 0, 3) == "02:33" and cell(m, 2, 5) == "00:30" and cell(m, 1, 3) == "41:35"
    assert cell(panel.waiting_model, 0, 2) == "01:40"
    assert "最长等待 <b>01:40</b>" in panel.summary.text()
    desk.clock.t += 60
    desk.board_state.ticked.emit()
    assert cell(m, 2, 5) == "00:00"                                     # the countdown stops at nought
    assert not desk.net.sent


def test_durations_read_as_a_clock_and_ivr_answers_as_words():
    assert duration_text(0) == "00:00" and duration_text(148) == "02:28"
    assert duration_text(3600) == "1:00:00" and duration_text(3725) == "1:02:05"
    assert ivr_text({"category": "leak", "district": ""}) == "问题 漏水"
    assert ivr_text(None) == ""


def test_the_board_is_asked_again_when_the_push_channel_comes_back(desk):
    open_board(desk)
    desk.net.sent.clear()
    desk.api.event.emit({"type": wire.EV_HELLO})
    assert len(desk.net.find("GET", wire.BOARD)) == 1
    desk.board.refresh_button.click()
    assert len(desk.net.find("GET", wire.BOARD)) == 2


# ------------------------------------------------------------------------- row actions --

def test_a_lead_forces_a_long_pause_back_with_a_note(desk):
    panel = open_board(desk)
    panel.select_agent("1002")
    assert panel.unpause_button.isEnabled() and panel.sign_out_button.isEnabled()
    assert not panel.listen_button.isEnabled()                       # no call to listen to
    panel.unpause_button.click()
    dlg = panel.dialog
    assert dlg.windowTitle() == "强制示闲"
    assert any("将 1002 王强 强制示闲" in label.text() and "小休" in label.text() for label in dlg.findChildren(QLabel))
    assert not desk.net.find("POST", wire.path(wire.AGENT_UNPAUSE, agent_no="1002"))     # confirmed first
    dlg.note.setPlainText("已电话提醒")
    ok(dlg)
    route = wire.path(wire.AGENT_UNPAUSE, agent_no="1002")
    assert route == "/api/agents/1002/unpause"
    assert desk.net.last("POST", route)["body"] == {"note": "已电话提醒"}
    asked = len(desk.net.find("GET", wire.BOARD))
    desk.net.answer("POST", route, {"agent_no": "1002"})
    assert "已将 1002 王强 强制示闲" in panel.message.text()
    assert len(desk.net.find("GET", wire.BOARD)) == asked + 1       # the board asked anew


def test_a_cancelled_confirmation_posts_nothing(desk):
    panel = open_board(desk)
    panel.select_agent("1001")
    panel.sign_out_button.click()
    panel.dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert not desk.net.find("POST", wire.path(wire.AGENT_SIGN_OUT, agent_no="1001"))


def test_sign_out_posts_the_note_and_a_refusal_shows_the_servers_words(desk):
    panel = open_board(desk)
    panel.select_agent("1001")
    panel.sign_out_button.click()
    panel.dialog.note.setPlainText("小休超时,按规定签退")
    ok(panel.dialog)
    route = wire.path(wire.AGENT_SIGN_OUT, agent_no="1001")
    assert desk.net.last("POST", route)["body"] == {"note": "小休超时,按规定签退"}
    desk.net.refuse("POST", route, "只有领班、主任和管理员可以操作座席状态", 403)
    assert panel.message.text() == "只有领班、主任和管理员可以操作座席状态"
    assert "只有领班" in desk.status_line.text()
    desk.net.answer("POST", route, {"agent_no": "1001"})
    assert "已将 1001 张丽 签退" in panel.message.text()


def test_what_a_row_offers():
    assert can_unpause({"state": "paused", "reason": "小休"})
    assert not can_unpause({"state": "paused", "reason": "未签入队列"})      # not in the queue: nothing to force
    assert not can_unpause({"state": "free"})
    assert can_sign_out({"state": "free", "agent_no": "1005", "logged_in": True}, me="1101")
    assert not can_sign_out({"state": "logged_out", "agent_no": "1008"}, me="1101")
    assert not can_sign_out({"state": "free", "agent_no": "1101"}, me="1101")   # not oneself


def test_a_lead_listens_in_and_whispers_and_the_desk_answers_its_own_leg(desk):
    panel = open_board(desk)
    panel.select_agent("1003")                                       # wrap-up: no call
    assert not panel.listen_button.isEnabled()
    panel.select_agent("1001")
    assert panel.listen_button.isEnabled() and panel.whisper_button.isEnabled()
    panel.listen_button.click()
    route = wire.path(wire.LISTEN_IN, agent_no="1001")
    assert desk.net.last("POST", route)["body"] == {"whisper": False}
    panel.whisper_button.click()
    assert desk.net.last("POST", route)["body"] == {"whisper": True}
    grant = {**wire.SAMPLE_LISTEN_IN, "whisper": True, "label": "耳语"}
    desk.net.answer("POST", route, grant)
    assert "耳语 1001 张丽" in panel.message.text()
    desk.phone_fake.ring({"number": "1001", "name": "耳语 1001", "remote_uri": "", "sip_call_id": "z"})
    assert ("answer",) in desk.phone_fake.done and desk.desk.pop is None


@pytest.mark.parametrize("user", [HEAD, ADMIN])
def test_the_head_and_admins_get_listening_disabled_but_may_unpause_and_sign_out(desk, user):
    panel = open_board(desk, user)
    panel.select_agent("1001")
    assert not panel.listen_button.isEnabled() and not panel.whisper_button.isEnabled()
    assert "领班" in panel.listen_button.toolTip()
    assert panel.sign_out_button.isEnabled()
    panel.select_agent("1002")
    assert panel.unpause_button.isEnabled()


# ------------------------------------------------------------------------- alerts --

def test_the_alerts_banner_acknowledges_with_a_note_and_a_stale_snapshot_does_not_bring_it_back(desk):
    open_board(desk)
    banner = desk.alert_banner
    assert banner.isVisible() and len(banner.lines) == 2
    assert "示忙超时" in banner.lines[1].text() and "1002 王强" in banner.lines[1].text()
    banner.ack_buttons[3].click()
    dlg = desk.board.dialog
    dlg.note.setPlainText("已联系王强回岗")
    ok(dlg)
    route = wire.path(wire.ALERT_ACK, aid=3)
    assert route == "/api/alerts/3/ack"
    assert desk.net.last("POST", route)["body"] == {"note": "已联系王强回岗"}
    assert len(banner.lines) == 2                                    # until the server has it
    desk.net.answer("POST", route, {**wire.SAMPLE_ALERT, "acked_by": "1101", "acked_at": "2026-11-23T03:13:00",
                                    "ack_note": "已联系王强回岗"})
    assert len(banner.lines) == 1 and "等待过长" in banner.lines[0].text()
    assert "1101 已确认" in cell(desk.board.alerts_model, 1, 2)
    desk.api.event.emit({"type": wire.EV_BOARD, "board": sample.board()})       # built before the ack
    assert len(banner.lines) == 1


def test_an_alert_acknowledged_from_the_board_list(desk):
    panel = open_board(desk)
    panel.alerts.selectRow(0)
    assert panel.ack_button.isEnabled()
    panel.ack_button.click()
    ok(panel.dialog)                                                 # the note may stay empty
    route = wire.path(wire.ALERT_ACK, aid=4)
    assert desk.net.last("POST", route)["body"] == {"note": ""}
    desk.net.refuse("POST", route, "该告警已被确认", 409)
    assert panel.message.text() == "该告警已被确认"


def test_an_alert_pushed_shows_on_the_banner_and_goes_when_cleared(desk):
    open_board(desk)
    banner = desk.alert_banner
    alert = {**wire.SAMPLE_ALERT, "id": 9, "kind": "nobody_logged_in", "subject": "",
             "message": "值班时段无人登录已 2 分钟", "raised_at": "2026-11-23T03:14:00"}
    desk.api.event.emit({"type": wire.EV_ALERT, "alert": alert, "new": True})
    assert len(banner.lines) == 3 and "值班时段无人登录" in banner.lines[0].text()
    assert desk.board.alerts_model.rowCount() == 3
    desk.api.event.emit({"type": wire.EV_ALERT, "alert": {**alert, "cleared_at": "2026-11-23T03:15:00"},
                         "new": False})
    assert len(banner.lines) == 2 and desk.board.alerts_model.rowCount() == 2


def test_the_banners_view_opens_the_board_on_the_agent(desk):
    open_board(desk)
    desk.show_tab("tickets")
    desk.alert_banner.show_requested.emit("1002")
    assert desk.tabs.currentWidget() is desk.board and desk.board.current_agent()["agent_no"] == "1002"


# ------------------------------------------------------------------------- outages --

def test_a_lead_declares_an_outage_and_ends_it_with_the_call_back(desk):
    panel = open_board(desk)
    panel.declare_button.click()
    dlg = panel.dialog
    assert isinstance(dlg, OutageDialog)
    assert not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()     # area and message first
    dlg.area.setText("铁西区/兴华北街/3")
    dlg.until.setDateTime(QDateTime.fromString("2026-11-23T12:00:00", Qt.DateFormat.ISODate))
    dlg.message.setPlainText("兴华北街3号楼因管道抢修暂停供热,预计12点恢复")
    ok(dlg)
    assert desk.net.last("POST", wire.OUTAGES)["body"] == {
        "area": "铁西区/兴华北街/3", "until": "2026-11-23T12:00:00", "message": "兴华北街3号楼因管道抢修暂停供热,预计12点恢复"}
    asked = len(desk.net.find("GET", wire.BOARD))
    desk.net.answer("POST", wire.OUTAGES, {**wire.SAMPLE_OUTAGE, "id": 5, "area": "铁西区/兴华北街/3", "affected": 0})
    assert panel.outages_model.rowCount() == 2 and "已宣布停热:铁西区/兴华北街/3" in panel.message.text()
    assert len(desk.net.find("GET", wire.BOARD)) == asked + 1
    panel.outages.selectRow(0)
    panel.end_button.click()
    dlg = panel.dialog
    assert isinstance(dlg, EndOutageDialog) and "17" in dlg.call_back.text()
    dlg.call_back.setChecked(True)
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    route = wire.path(wire.OUTAGE_END, oid=2)
    assert desk.net.last("POST", route)["body"] == {"call_back": True}
    desk.net.answer("POST", route, {**wire.SAMPLE_OUTAGE, "ended_at": "2026-11-23T12:01:00", "call_back": True})
    assert panel.outages_model.rowCount() == 1 and "回电通知" in panel.message.text()


# ------------------------------------------------------------------------- the sample desk --

def test_the_sample_desk_shows_the_board_from_the_samples_without_a_server(qtbot):
    w = AgentWindow(api=AgentApiClient("http://127.0.0.1:9"), phone=FakePhone())
    qtbot.addWidget(w)
    desk_app.show_sample(w, "1101", "team_lead", TAB_BOARD)
    assert w.tabs.currentWidget() is w.board and w.board.agents_model.rowCount() == 9
    assert w.board.current_agent()["agent_no"] == "1001" and w.board.listen_button.isEnabled()
    assert w.alert_banner.isVisibleTo(w) and len(w.alert_banner.lines) == 2
    w.board.listen_button.click()                                    # no session: nothing sent, nothing breaks
    w.board_state._timer.stop()
    w.form.autosave_timer.stop()


def test_the_state_ignores_what_is_not_a_board():
    st = BoardState()
    st.set_user(LEAD)
    st.set_board(None)
    st.set_board({"agents": "x", "waiting": [1, {"uniqueid": "u", "wait_s": "7"}], "summary": []})
    assert st.agents == [] and st.waiting == [{"uniqueid": "u", "wait_s": "7"}] and st.summary == {}
    assert st.wait(st.waiting[0]) >= 7
    st._timer.stop()
