"""#27 — the desk's 报表 tab without a server: the report state (period, stale answers, who signs),
the sections and tables as models, and the tab's behaviour in the real window — load, switch the
period, sign refused and signed, export to the path chosen, drill into a figure and open a drilled
repair. The real AgentApiClient with its `request` replaced by a recorder (test_desktop_aftercall's
Wire); the reports it answers are the server's own, generated over test_unit_reports' synthetic day,
so the desk reads exactly the JSON the service sends."""
from __future__ import annotations

import copy
import datetime as dt
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HOTLINE_NULL_AUDIO", "1")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

import test_unit_reports as synthetic  # noqa: E402
from desktop.models.reports import (DRILLABLE, AgentsModel, FiguresModel, StationsModel, duration, percent,  # noqa: E402
                                    sections)
from desktop.state.aftercall import TAB_REPORTS, tabs_for  # noqa: E402
from desktop.state.reports import ReportsState, reporting_day  # noqa: E402
from desktop.widgets import reports_panel  # noqa: E402
from hotline.aftercall.reports.drill import FIGURES  # noqa: E402
from test_desktop_aftercall import AGENT, LEAD, log_in, recorded_desk, visible_tabs  # noqa: E402
from test_unit_report_outages import outage_day  # noqa: E402,F401  (the outages' fixture)
from common import wire  # noqa: E402

HEAD = {"agent_no": "1201", "name": "王部长", "role": "head"}
STATISTICIAN = {"agent_no": "1401", "name": "赵敏", "role": "statistician"}
#: the window's clock: 2026-11-24 09:00, so "today" is the reporting day 2026-11-24 and 11-23 is over
NOW = dt.datetime(2026, 11, 24, 9, 0)
#: the synthetic days' fixtures, shared
day, ivr_day = synthetic.day, synthetic.ivr_day


@pytest.fixture
def reports(day):
    """The server's own daily and weekly report of the synthetic day (2026-11-23), as JSON answers."""
    r, _s, clock, who, _ = day
    clock.now = NOW
    return {"daily": r.daily(None, synthetic.DAY), "weekly": r.period(None, "weekly", synthetic.DAY),
            "drill": r.drill(who["1101"], synthetic.DAY, "tickets.by_district", "铁西区"),
            "calls": r.drill(who["1101"], synthetic.DAY, "queue.abandoned")}


@pytest.fixture
def window(qtbot):
    w = recorded_desk(qtbot)
    w.reports_state._now = lambda: NOW
    yield w
    w.form.autosave_timer.stop()


def open_reports(window, user=LEAD):
    log_in(window, user)
    window.show_tab(TAB_REPORTS)
    return window.reports, window.reports_state


def answer_report(window, report):
    route = wire.REPORT_DAILY if report["kind"] == "daily" else wire.path(wire.REPORT_PERIOD, kind=report["kind"])
    window.net.answer("GET", route, copy.deepcopy(report))


def the_23rd(window, reports, user=LEAD):
    """The tab open on 2026-11-23's daily report."""
    panel, state = open_reports(window, user)
    panel.date.setDate(panel.date.date().addDays(-1))
    answer_report(window, reports["daily"])
    return panel, state


# --------------------------------------------------------------------- the state --

def test_the_reporting_day_turns_at_the_day_start():
    assert reporting_day(dt.datetime(2026, 11, 24, 7, 59)) == dt.date(2026, 11, 23)
    assert reporting_day(dt.datetime(2026, 11, 24, 8, 0)) == dt.date(2026, 11, 24)
    assert reporting_day(dt.datetime(2026, 11, 24, 5, 0), dt.time(4, 0)) == dt.date(2026, 11, 24)


def test_an_answer_for_a_period_no_longer_shown_is_dropped(qapp, reports):
    state = ReportsState(today=lambda: NOW)
    state.set_user(LEAD)
    asked, shown = [], []
    state.report_wanted.connect(lambda k, d: asked.append((k, d)))
    state.report_changed.connect(shown.append)
    state.set_period("daily", dt.date(2026, 11, 23))
    state.set_period("weekly")
    assert asked == [("daily", "2026-11-23"), ("weekly", "2026-11-23")]
    state.set_report(reports["daily"])                       # the day's answer, late
    assert state.report == {} and not shown
    state.set_report(reports["weekly"])
    assert state.report["kind"] == "weekly" and shown[-1]["days_signed"] == 0
    assert state.day_start == dt.time(8, 0)                  # learned from the answer


def test_today_is_the_hotlines_reporting_day_whatever_this_pcs_clock_says(qapp, reports):
    state = ReportsState(today=lambda: dt.datetime(2026, 11, 25, 7, 0))     # this PC runs a day ahead
    state.set_user(LEAD)
    asked = []
    state.report_wanted.connect(lambda k, d: asked.append(d))
    state.refresh()
    assert asked == ["2026-11-24"]                           # 07:00: the day before's, by the PC's clock
    state.set_report({**reports["daily"], "day": "2026-11-24", "generated_at": "2026-11-23T16:00:00"})
    assert asked == ["2026-11-24", "2026-11-23"] and state.report == {}     # the hotline's today, asked again
    state.set_report({**reports["daily"], "generated_at": "2026-11-23T16:00:05"})
    assert state.report["day"] == "2026-11-23" and state.today() == dt.date(2026, 11, 23)
    state.set_period("daily", dt.date(2026, 11, 20))         # a day the person picked stays picked
    state.set_report({**reports["daily"], "day": "2026-11-20"})
    assert state.report["day"] == "2026-11-20"


def test_only_the_roles_that_sign_get_the_sign_button_and_only_on_a_finished_unsigned_day(qapp, reports):
    state = ReportsState(today=lambda: NOW)
    state.set_user(HEAD)
    state.set_period("daily", dt.date(2026, 11, 23))
    state.set_report(reports["daily"])
    assert state.signer and state.signable()
    state.set_report({**reports["daily"], "complete": False})
    assert not state.signable()                              # the reporting day is not over
    state.set_report({**reports["daily"], "signed": {"by": "1201"}})
    assert not state.signable()                              # signed once: the archive is never rewritten
    state.set_user(LEAD)
    assert not state.signer and not state.signable()


def test_the_tab_is_the_report_readers():
    assert TAB_REPORTS in tabs_for("team_lead") and TAB_REPORTS in tabs_for("head") and TAB_REPORTS in tabs_for("admin")
    assert TAB_REPORTS not in tabs_for("agent") and TAB_REPORTS not in tabs_for("station")
    # the statistician reads reports and does nothing else: that tab alone
    assert tabs_for("statistician") == (TAB_REPORTS,)


def test_a_statistician_logs_in_to_the_reports_alone_with_no_phone_and_signs(window, reports):
    """统计员 (#27): the login answers no SIP account; the desk shows 报表 alone (no tab bar), asks for
    nothing but the report (the server refuses them every other route), and offers 签核."""
    window.on_logged_in({"user": dict(STATISTICIAN), "sip": None, "pause_reasons": ["小休"]})
    assert visible_tabs(window) == ["报表"] and not window.tabs.tabBar().isVisible()
    assert window.tabs.currentWidget() is window.reports
    assert window.queue_button.isHidden() and window.recordings_button.isHidden()
    assert "统计员" in window.agent_label.text()
    asked = {(r["method"], r["path"]) for r in window.net.sent}
    assert asked <= set(wire.REPORT_ONLY_ROUTES), asked
    window.reports.date.setDate(window.reports.date.date().addDays(-1))
    answer_report(window, reports["daily"])
    assert window.reports_state.signer and window.reports_state.signable()
    window.reports_state.sign()
    assert window.net.last("POST", wire.REPORT_SIGN)["body"] == {"date": "2026-11-23"}


def test_the_desk_drills_into_exactly_the_figures_the_server_knows():
    assert DRILLABLE == set(FIGURES)


# -------------------------------------------------------------------- the models --

def test_the_sections_read_as_the_customer_reads_them_with_formulas_as_tooltips(qapp, reports):
    s = sections(reports["daily"])
    rec = {r["label"].strip(): r for r in s["received"]}
    assert rec["受理报修"]["value"] == "5" and rec["受理报修"]["drill"] and "首次确认" in rec["受理报修"]["tip"]
    assert rec["暖气不热"]["figure"] == "tickets.by_problem" and rec["暖气不热"]["bucket"] == "no_heat"
    q = {r["label"].strip(): r for r in s["queue"]}
    assert q["服务水平（20 秒）"]["value"] == "20.0%（2/10）" and "÷ 进线总数" in q["服务水平（20 秒）"]["tip"]
    assert q["平均应答速度 ASA"]["value"] == "15 秒" and q["平均处理时长 AHT"]["value"] == "2 分 50 秒"
    assert q["放弃(挂机)"]["bucket"] == "abandoned" and "queue_log" in q["放弃(挂机)"]["tip"]
    m = FiguresModel()
    m.set_rows(s["queue"])
    sl = next(i for i, r in enumerate(m.rows()) if r["figure"] == "queue.answered_within_sl")
    assert "÷ 进线总数" in m.data(m.index(sl, 1), Qt.ItemDataRole.ToolTipRole)
    assert m.data(m.index(sl, 1), Qt.ItemDataRole.BackgroundRole) is None
    assert percent(None) == "—" and duration(13470) == "3.7 小时"


def test_the_ivr_and_first_call_sections_and_the_agents_hold_read_as_the_server_says(qapp, ivr_day):
    r, _s, _clock = ivr_day
    daily = r.daily(None, synthetic.DAY)
    s = sections(daily)
    ivr = {row["label"].strip(): row for row in s["ivr"]}
    assert ivr["在语音导航中挂机"]["value"] == "66.7%（4/6）" and "步骤" in ivr["在语音导航中挂机"]["tip"]
    assert ivr["收听报修进度"]["value"] == "1" and ivr["自助查询报修进度"]["value"] == "2"   # the flow's step names
    assert ivr["语音导航时长 平均 / 90% / 最长"]["value"] == "39 秒 / 1 分 30 秒 / 1 分 30 秒"
    fc = {row["label"].strip(): row for row in s["first_call"]}
    assert fc["首次解决率"]["value"] == "待定（目前 33.3%（1/3））" and "待定" in fc["首次解决率"]["tip"]
    assert fc["3 天内再次来电"]["value"] == "2" and fc["重复来电号码"]["value"] == "20.0%（1/5）"
    assert any(row["label"] == "首次解决率" for row in s["kpi"])
    m = AgentsModel()
    m.set_rows(daily["agents"])
    hold = next(i for i in range(m.columnCount()) if m.headerData(i, Qt.Orientation.Horizontal) == "保持")
    assert m.data(m.index(0, hold)) == "2 分 20 秒"
    old = {k: v for k, v in daily.items() if k not in ("ivr", "first_call")}   # a day signed before them
    assert sections(old)["ivr"] == [] and sections(old)["first_call"] == []


def test_the_outages_section_and_the_ivrs_registered_calls_read_as_the_server_says(window, outage_day):  # noqa: F811
    reports, *_ = outage_day
    daily = reports.daily(None, synthetic.DAY)
    rows = sections(daily)["outages"]
    assert [r["label"] for r in rows] == ["铁西区/兴华北街/3", "铁西区/兴华北街"]
    assert rows[1]["value"] == "登记 3 通 · 受影响 2 户（未结束）" and rows[0]["value"] == "登记 1 通 · 受影响 1 户"
    assert "发布：1101" in rows[1]["tip"] and "11-23 09:00" in rows[1]["tip"] and "11-24 15:00" in rows[1]["tip"]
    assert "按 1" in rows[1]["tip"]                                        # the section's formula
    ivr = {row["label"].strip(): row for row in sections(daily)["ivr"]}
    assert ivr["区域停热登记（按1）"]["value"] == "4" and "不计入挂机" in ivr["区域停热登记（按1）"]["tip"]
    old = {k: v for k, v in daily.items() if k != "outages"}             # a day signed before the section
    assert sections(old)["outages"] == []
    panel, _state = open_reports(window)
    panel.date.setDate(panel.date.date().addDays(-1))
    answer_report(window, daily)
    assert panel.section_models["outages"].rowCount() == 2
    assert panel.section_tables["outages"].parentWidget().isVisibleTo(panel)
    answer_report(window, old)
    assert not panel.section_tables["outages"].parentWidget().isVisibleTo(panel)


def test_a_figure_that_changed_since_signing_is_highlighted(qapp, reports):
    changed = {**reports["daily"], "differs_from_signed": [{"figure": "tickets.by_problem.no_heat", "signed": 2, "now": 1}]}
    rows = {(r["figure"], r["bucket"]): r for r in sections(changed)["received"]}
    assert rows["tickets.by_problem", "no_heat"]["changed"] and not rows["tickets.by_problem", "leak"]["changed"]
    m = FiguresModel()
    m.set_rows(sections(changed)["received"])
    i = m.rows().index(rows["tickets.by_problem", "no_heat"])
    assert m.data(m.index(i, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert "签核" in m.data(m.index(i, 0), Qt.ItemDataRole.ToolTipRole)


def test_the_stations_league_table_ranks_the_fastest_first(qapp):
    m = StationsModel()
    m.set_rows([{"station": "HP", "name": "和平", "complete_avg_s": 7200}, {"station": "-", "name": "未派单"},
                {"station": "TX", "name": "铁西", "complete_avg_s": 3600, "over_limit_rate": 0.5,
                 "over_limit": 1, "complete_n": 2}])
    assert [(r["rank"], r["station"]) for r in m.rows()] == [(1, "TX"), (2, "HP"), (3, "-")]
    assert m.data(m.index(0, 7)) == "50.0%（1/2）"


# ------------------------------------------------------------------- the tab --

def test_a_team_lead_opens_the_tab_and_reads_the_days_figures_and_charts(window, reports):
    panel, state = open_reports(window)
    assert "报表" in visible_tabs(window)
    asked = window.net.last("GET", wire.REPORT_DAILY)
    assert asked["query"] == {"date": "2026-11-24"} and asked["quiet"]       # today's reporting day
    assert "正在生成" in panel.message.text()
    panel.date.setDate(panel.date.date().addDays(-1))
    assert window.net.last("GET", wire.REPORT_DAILY)["query"] == {"date": "2026-11-23"}
    answer_report(window, reports["daily"])
    assert panel.section_models["received"].rows()[0]["value"] == "5"
    assert panel.hours_chart.has_data() and panel.problem_chart.has_data() and panel.league_chart.has_data()
    assert not panel.sl_chart.isVisibleTo(panel)                             # a day has no "by day"
    assert panel.sign_button.isHidden()                                      # a team lead reads, the head signs
    assert "未签核" in panel.signature.text() and "2026-11-23 08:00" in panel.period_label.text()
    assert "queue_log 与话单不一致 1 处" in panel.notice.text()               # never hidden
    assert panel.pages.tabText(panel.differences_page) == "差异 ⚠ 1"
    assert panel.agents_model.rowCount() == 2 and panel.hot_spots_model.rowCount() == 1
    assert panel.section_models["ivr"].rowCount() and panel.section_tables["ivr"].parentWidget().isVisibleTo(panel)
    assert not panel.message.isVisible()


def test_switching_to_the_week_asks_for_the_period_and_shows_the_service_level_by_day(window, reports):
    panel, state = the_23rd(window, reports)
    panel.kind.setCurrentIndex(panel.kind.findData("weekly"))
    panel.kind.activated.emit(panel.kind.currentIndex())
    asked = window.net.last("GET", wire.path(wire.REPORT_PERIOD, kind="weekly"))
    assert asked["query"] == {"date": "2026-11-23"}
    answer_report(window, reports["daily"])                   # a late daily answer changes nothing
    assert state.report["kind"] == "daily"
    answer_report(window, reports["weekly"])
    assert panel.sl_chart.isVisibleTo(panel) and panel.sl_chart.has_data()
    assert "已签核 0 天，未签核 2 天" in panel.signature.text() and "11-23" in panel.notice.text()
    panel.sl_chart.bar_clicked.emit(0)                        # a day of the week: its own daily report
    assert state.kind == "daily" and window.net.last("GET", wire.REPORT_DAILY)["query"] == {"date": "2026-11-23"}


def test_a_week_says_which_signed_days_were_never_rechecked_and_since_when_the_others_were(window, reports):
    panel, _state = the_23rd(window, reports)
    panel.kind.setCurrentIndex(panel.kind.findData("weekly"))
    panel.kind.activated.emit(panel.kind.currentIndex())
    week = {**reports["weekly"], "days_unchecked": ["2026-11-23"], "days_checked_since": "2026-11-24T08:40:00"}
    answer_report(window, week)
    assert "签核后从未复核的天：11-23" in panel.notice.text()
    assert "签核的天已于 2026-11-24 08:40 起复核" in panel.notice.text()


def test_the_head_signs_and_a_refusal_is_shown_in_the_servers_words(window, reports):
    panel, state = the_23rd(window, reports, HEAD)
    assert panel.sign_button.isVisible() and panel.sign_button.isEnabled()
    panel.sign_button.click()
    assert window.net.last("POST", wire.REPORT_SIGN)["body"] == {"date": "2026-11-23"}
    window.net.refuse("POST", wire.REPORT_SIGN, "日报由部长审核签发", 403)
    assert "签核被拒绝（403）：日报由部长审核签发" in panel.message.text() and "color:#b91c1c" in panel.message.styleSheet()
    assert panel.sign_button.isEnabled()                      # as it was
    panel.sign_button.click()
    before = len(window.net.find("GET", wire.REPORT_DAILY))
    window.net.answer("POST", wire.REPORT_SIGN, {"day": "2026-11-23", "signed": {"by": "1201", "name": "王部长"}})
    assert "已签核（1201 王部长）" in panel.message.text()
    assert len(window.net.find("GET", wire.REPORT_DAILY)) == before + 1      # shown again, as signed now
    signed = {**reports["daily"], "signed": {"by": "1201", "name": "王部长", "at": "2026-11-24T09:01:00",
                                               "sha256": "ab" * 32}, "differs_from_signed": []}
    answer_report(window, signed)
    assert "已签核" in panel.signature.text() and "abababab" in panel.signature.text()
    assert not panel.sign_button.isEnabled()


def test_export_saves_the_servers_file_where_the_person_chose(window, reports, tmp_path, monkeypatch):
    panel, state = the_23rd(window, reports)
    target = tmp_path / "日报.xlsx"
    chosen = []
    monkeypatch.setattr(reports_panel.QFileDialog, "getSaveFileName",
                        lambda parent, title, suggested, pattern: (chosen.append(suggested) or str(tmp_path / "日报"),
                                                                   pattern))
    panel.xlsx_button.click()
    assert chosen == ["报表_daily_2026-11-23.xlsx"]
    asked = window.net.last("GET", wire.REPORT_FILE)
    assert asked["query"] == {"kind": "daily", "date": "2026-11-23", "format": "xlsx"} and asked["raw"]
    asked["on_ok"](b"PK\x03\x04workbook")
    assert target.read_bytes() == b"PK\x03\x04workbook" and "已导出" in panel.message.text()
    panel.pdf_button.click()
    window.net.refuse("GET", wire.REPORT_FILE, "报表导出失败", 500)
    assert "导出失败：报表导出失败" in panel.message.text()
    monkeypatch.setattr(reports_panel.QFileDialog, "getSaveFileName", lambda *a: ("", ""))
    n = len(window.net.find("GET", wire.REPORT_FILE))
    panel.pdf_button.click()                                  # cancelled: nothing asked
    assert len(window.net.find("GET", wire.REPORT_FILE)) == n


def test_a_drill_down_lists_the_repairs_and_a_double_click_opens_one(window, reports):
    panel, state = the_23rd(window, reports)
    table, model = panel.section_tables["received"], panel.section_models["received"]
    received = next(i for i, r in enumerate(model.rows()) if r["figure"] == "tickets.received")
    table.doubleClicked.emit(model.index(received, 1))
    assert window.net.last("GET", wire.REPORT_DRILL)["query"] == {"date": "2026-11-23", "figure": "tickets.received"}
    panel.district_chart.bar_clicked.emit(panel.district_chart.data.keys.index("铁西区"))
    assert window.net.last("GET", wire.REPORT_DRILL)["query"] == {"date": "2026-11-23", "figure": "tickets.by_district",
                                                                   "value": "铁西区"}
    window.net.answer("GET", wire.REPORT_DRILL, copy.deepcopy(reports["drill"]))
    dlg = window.report_drill
    assert dlg.isVisible() and "报修按区：铁西区" in dlg.title.text() and "共 4 张报修单" in dlg.count.text()
    rows = dlg.rows()
    assert len(rows) == 4 and all("*" in r["phone"] for r in rows)
    number = rows[0]["number"]
    dlg.table.doubleClicked.emit(dlg.table.model().index(0, 0))
    assert window.tabs.currentWidget() is window.tickets
    assert window.net.last("GET", wire.path(wire.TICKET, number=number))


def test_a_drill_down_of_calls_lists_them_masked(window, reports):
    panel, state = the_23rd(window, reports)
    model = panel.section_models["queue"]
    abandoned = next(i for i, r in enumerate(model.rows()) if r["bucket"] == "abandoned")
    panel.section_tables["queue"].doubleClicked.emit(model.index(abandoned, 0))
    assert window.net.last("GET", wire.REPORT_DRILL)["query"]["value"] == "abandoned"
    window.net.answer("GET", wire.REPORT_DRILL, {**copy.deepcopy(reports["calls"]), "value": "abandoned",
                                                 "figure": "queue.breakdown"})
    dlg = window.report_drill
    assert "共 2 通来电" in dlg.count.text()
    assert [dlg.table.model().data(dlg.table.model().index(i, 3)) for i in range(2)] == ["139******02", "139******03"]
    window.net.refuse("GET", wire.REPORT_DRILL, "没有这个指标的明细", 400)
    assert "明细未能读取：没有这个指标的明细" in panel.message.text()


def test_agents_and_stations_have_no_reports_tab(window):
    log_in(window, AGENT)
    assert "报表" not in visible_tabs(window)
    window.desk.set_user({})
    log_in(window, wire.SAMPLE_STATION_USER)
    assert "报表" not in visible_tabs(window) and not window.net.find("GET", wire.REPORT_DAILY)
