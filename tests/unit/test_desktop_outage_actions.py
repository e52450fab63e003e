"""#30 — two desk actions, offscreen over the recorded API (test_desktop_aftercall's Wire): a hot spot
alert on the 看板 tab and in the alert banner offers 宣布停热, the declare dialog prefilled with its
place and a proposed notice that follows the expected end until the lead edits it; and a dispatched
ticket's detail offers team leads, the head and admins 电话通知维修站 (POST wire.STATION_NOTIFY), the
answer or the server's refusal shown under the buttons."""
from __future__ import annotations

import copy
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HOTLINE_NULL_AUDIO", "1")

import pytest  # noqa: E402
from PySide6.QtCore import QDateTime, Qt  # noqa: E402

from desktop import sample  # noqa: E402
from desktop.widgets.board_panel import OutageDialog, spoken_area  # noqa: E402
from common import wire  # noqa: E402
from test_desktop_aftercall import AGENT, LEAD, log_in, window  # noqa: E402,F401  (window: the recorded desk)
from test_desktop_board import desk, ok, open_board  # noqa: E402,F401  (desk: the board's desk)

SPOT = {**wire.SAMPLE_ALERT, "id": 8, "kind": "hot_spot", "subject": "铁西区/兴华北街",
        "message": "铁西区/兴华北街 集中报修 5 起无暖(60 分钟内),是否宣布区域停热?", "raised_at": "2026-11-23T03:10:00"}
NUMBER = wire.SAMPLE_TICKET_ROW["number"]
NOTIFY = wire.path(wire.STATION_NOTIFY, number=NUMBER)


def board_with_spot() -> dict:
    b = sample.board()
    b["alerts"] = [copy.deepcopy(SPOT), *b["alerts"]]
    return b


def at(text: str) -> QDateTime:
    return QDateTime.fromString(text, Qt.DateFormat.ISODate)


def test_a_notice_says_the_place_as_a_person_does():
    assert spoken_area("铁西区/兴华北街") == "铁西区兴华北街"
    assert spoken_area("和平区/幸福里小区/3") == "和平区幸福里小区3号楼"
    assert spoken_area("和平区 / 幸福里小区 / 3号楼") == "和平区幸福里小区3号楼"


# ------------------------------------------------------------------------- 宣布停热 from a hot spot --

def test_a_hot_spot_on_the_board_declares_an_outage_prefilled_and_the_lead_edits_it(desk):  # noqa: F811
    panel = open_board(desk, board=board_with_spot())
    panel.alerts.selectRow(1)                                         # the long wait: no outage to propose
    assert panel.alerts_model.row_dict(1)["kind"] != "hot_spot" and panel.declare_spot_button.isHidden()
    row = next(i for i, a in enumerate(panel.alerts_model.rows()) if a["kind"] == "hot_spot")
    panel.alerts.selectRow(row)
    assert not panel.declare_spot_button.isHidden() and panel.declare_spot_button.isEnabled()
    panel.declare_spot_button.click()
    dlg = panel.dialog
    assert isinstance(dlg, OutageDialog) and dlg.area.text() == "铁西区/兴华北街"
    dlg.until.setDateTime(at("2026-11-23T18:00:00"))
    assert dlg.message.toPlainText() == "铁西区兴华北街供热管网故障抢修中,预计18时恢复"   # follows the expected end
    dlg.message.setPlainText("铁西区兴华北街主管道抢修,预计今晚8点恢复供热")
    dlg.until.setDateTime(at("2026-11-23T20:00:00"))
    assert dlg.message.toPlainText() == "铁西区兴华北街主管道抢修,预计今晚8点恢复供热"        # the lead's words stay
    ok(dlg)
    assert desk.net.last("POST", wire.OUTAGES)["body"] == {
        "area": "铁西区/兴华北街", "until": "2026-11-23T20:00:00", "message": "铁西区兴华北街主管道抢修,预计今晚8点恢复供热"}


def test_the_banners_hot_spot_line_opens_the_boards_declare_dialog(desk):  # noqa: F811
    open_board(desk)
    desk.show_tab("tickets")
    banner = desk.alert_banner
    assert not banner.declare_buttons                                 # the sample's alerts are no hot spots
    desk.api.event.emit({"type": wire.EV_ALERT, "alert": copy.deepcopy(SPOT), "new": True})
    assert set(banner.declare_buttons) == {8} and any("集中报修" in line.text() for line in banner.lines)
    banner.declare_buttons[8].click()
    assert desk.tabs.currentWidget() is desk.board
    dlg = desk.board.dialog
    assert isinstance(dlg, OutageDialog) and dlg.area.text() == "铁西区/兴华北街"
    assert dlg.message.toPlainText().startswith("铁西区兴华北街供热管网故障抢修中,预计")
    dlg.reject()
    assert not desk.net.find("POST", wire.OUTAGES)


def test_the_plain_declare_button_opens_an_empty_dialog(desk):  # noqa: F811
    panel = open_board(desk, board=board_with_spot())
    panel.declare_button.click()
    assert panel.dialog.area.text() == "" and panel.dialog.message.toPlainText() == ""


# ------------------------------------------------------------------------- 电话通知维修站 --

@pytest.mark.parametrize("role, state, offered", [
    ("team_lead", "dispatched", True), ("head", "dispatched", True), ("admin", "dispatched", True),
    ("agent", "dispatched", False), ("station", "dispatched", False), ("team_lead", "accepted", False),
    ("team_lead", "new", False)])
def test_the_station_is_called_from_a_dispatched_tickets_detail_by_leads(window, role, state, offered):  # noqa: F811
    log_in(window, {**LEAD, "role": role})
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE, "state": state})
    assert (not window.tickets.detail.notify_button.isHidden()) is offered


def test_calling_the_station_posts_the_route_and_shows_the_answer(window):  # noqa: F811
    log_in(window, LEAD)
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE, "state": "dispatched"})
    detail = window.tickets.detail
    detail.notify_button.click()
    assert NOTIFY == "/api/tickets/2611230012/notify-station"
    assert window.net.last("POST", NOTIFY)["body"] is None
    assert not detail.notify_button.isEnabled()                       # one request at a time
    window.net.answer("POST", NOTIFY, copy.deepcopy(wire.SAMPLE_STATION_CALL))
    assert detail.notify_button.isEnabled()
    assert "已请求电话通知维修站 TX(报修单 2611230012)" in detail.error_label.text()


def test_a_refused_station_call_shows_the_servers_words(window):  # noqa: F811
    log_in(window, LEAD)
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE, "state": "dispatched"})
    detail = window.tickets.detail
    detail.notify_button.click()
    window.net.refuse("POST", NOTIFY, "正在电话通知铁西维修站(报修单 2611230012)", 409)
    assert detail.error_label.text() == "正在电话通知铁西维修站(报修单 2611230012)"
    assert detail.notify_button.isEnabled()


def test_an_agent_clicking_nothing_sends_nothing(window):  # noqa: F811
    log_in(window, AGENT)
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE, "state": "dispatched"})
    window.tickets.detail.start_notify()
    assert not window.net.find("POST", NOTIFY)


def test_the_tickets_detail_says_how_the_station_was_told_by_phone_and_a_give_up_in_red(window):  # noqa: F811
    log_in(window, LEAD)
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE, "state": "dispatched"})
    line = window.tickets.detail.station_calls
    assert not line.isHidden()
    assert line.text().startswith("铁西维修站 电话通知:无人接听,已拨 1 次,下次 ") and "10:10" in line.text()
    assert "color" not in line.styleSheet()
    gave_up = {**wire.SAMPLE_TIMELINE["station_calls"][0], "outcome": "failed", "attempts": 3, "next_at": None,
               "ended_at": "2026-11-23T10:15:00"}
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE, "station_calls": [gave_up]})
    assert line.text() == "铁西维修站 电话通知:未接通,拨打 3 次后放弃" and "color" in line.styleSheet()
    accepted = {**gave_up, "outcome": "accepted", "attempts": 1, "answered_at": "2026-11-23T10:06:00"}
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE, "state": "accepted",
                                 "station_calls": [accepted]})
    assert line.text().startswith("铁西维修站 电话通知:已按1接单(") and "color" not in line.styleSheet()
    earlier = {**accepted, "station": "HP"}                            # a station it was dispatched to before
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE, "station_calls": [earlier]})
    assert line.text().startswith("HP 电话通知:")
    window.aftercall.set_detail({**wire.SAMPLE_TICKET_ROW, **wire.SAMPLE_TIMELINE, "station_calls": []})
    assert line.isHidden()
