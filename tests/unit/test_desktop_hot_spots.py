"""#27 — hot spots on the team leads' desks: the login's hello and each push show the place (compound
or building, never a resident), how many no-heat repairs and when; 查看报修 opens the 报表 tab's
drill-down of that place on that day; 知道了 puts the lines away until the place grows or a new one
comes; a new reporting day drops yesterday's; an agent's and a statistician's desk show none."""
from __future__ import annotations

from PySide6.QtWidgets import QFrame

from common import wire
from desktop.state.aftercall import TAB_REPORTS
from test_desktop_aftercall import AGENT, LEAD, log_in, window  # noqa: F401  (window: the recorded desk)

SPOT = dict(wire.SAMPLE_HOT_SPOT)
COMPOUND = {**SPOT, "key": "和平区/南湖", "district": "和平区", "compound": "南湖", "building": "", "repairs": 5,
            "first": "2026-11-23T10:02:00", "last": "2026-11-23T10:50:00"}


def banner(w) -> QFrame:
    return w.findChild(QFrame, "hot_spot")


def texts(w) -> list[str]:
    return [label.text() for label in banner(w).lines]


def test_a_hot_spot_shows_on_a_leads_desk_with_the_place_the_count_and_a_drill_down(window):  # noqa: F811
    log_in(window, LEAD)
    assert banner(window).isHidden()
    window.api.event.emit({"type": wire.EV_HELLO, "agent_no": "1101", "hot_spots": [SPOT]})
    assert banner(window).isVisible()
    assert texts(window) == ["⚠ 疑似管网故障：铁西区 兴华北街 3号楼 4 张不热报修（09:05–09:41）"]
    window.api.event.emit({"type": wire.EV_HOT_SPOT, "hot_spot": COMPOUND, "new": True})
    assert texts(window)[1] == "⚠ 疑似管网故障：和平区 南湖 5 张不热报修（10:02–10:50）"
    banner(window).buttons[1].click()                                  # 查看报修
    assert window.tabs.currentWidget() is window.reports
    drill = window.net.last("GET", wire.REPORT_DRILL)
    assert drill["query"] == {"date": "2026-11-23", "figure": "hot_spots", "value": "和平区/南湖"}
    assert window.reports_state.day.isoformat() == "2026-11-23" and window.reports_state.kind == "daily"
    assert TAB_REPORTS in window.aftercall.tabs()


def test_put_away_until_it_grows_and_a_new_day_drops_yesterdays(window):  # noqa: F811
    log_in(window, LEAD)
    window.api.event.emit({"type": wire.EV_HOT_SPOT, "hot_spot": SPOT, "new": True})
    banner(window).ok_button.click()                                   # 知道了
    assert banner(window).isHidden()
    window.api.event.emit({"type": wire.EV_HOT_SPOT, "hot_spot": {**SPOT, "repairs": 5}, "new": False})
    assert texts(window) == ["⚠ 疑似管网故障：铁西区 兴华北街 3号楼 5 张不热报修（09:05–09:41）"]
    tomorrow = {**COMPOUND, "day": "2026-11-24", "first": "2026-11-24T08:10:00", "last": "2026-11-24T08:40:00"}
    window.api.event.emit({"type": wire.EV_HOT_SPOT, "hot_spot": tomorrow, "new": True})
    assert texts(window) == ["⚠ 疑似管网故障：和平区 南湖 5 张不热报修（08:10–08:40）"]
    window.api.event.emit({"type": wire.EV_HOT_SPOT, "hot_spot": {**SPOT, "repairs": 9}, "new": False})
    assert len(texts(window)) == 1                                     # a late word of the day before
    window.desk.set_user({})                                           # logged out: nothing of the last person's
    assert banner(window).isHidden()


def test_an_agents_and_a_statisticians_desk_show_no_hot_spot(window):  # noqa: F811
    log_in(window, AGENT)
    window.api.event.emit({"type": wire.EV_HOT_SPOT, "hot_spot": SPOT, "new": True})
    assert banner(window).isHidden()
    window.desk.set_user({})
    window.on_logged_in({"user": {"agent_no": "1401", "name": "赵敏", "role": "statistician"}, "sip": None})
    window.api.event.emit({"type": wire.EV_HELLO, "agent_no": "1401", "hot_spots": [SPOT]})
    assert banner(window).isHidden()
