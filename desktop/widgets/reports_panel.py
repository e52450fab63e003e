"""The 报表 tab (#27): team leads, the head and admins (wire.REPORT_READER_ROLES) pick a day, week,
month or heating season and read its report as the customer does — 每日报修情况, 完成情况, 回访情况,
anomalies and complaints, call-backs, the queue's figures with their formulas as tooltips, the IVR
(where callers hang up, status look-ups, time in it), first-call resolution and repeat callers — beside
charts (calls per hour against the agents logged in, the service level by day of a period, repairs
by problem and by district, the stations' league table), the agents' and stations' tables, hot
spots, and what disagrees or differs from the signed report, highlighted. The signature's state and
签核 (the roles that may sign; the server decides); XLSX and PDF exports saved where the person
chooses; a double-click on a figure, or a click on a bar, lists the repairs or calls behind it,
and a double-click on a listed repair opens it on the 工单 tab.

The panel shows what it is given and says what the person did; desktop.state.reports.ReportsState
decides, `connect_reports` wires them to the agent API client (nothing here waits on the network)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QDate, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.models.labels import category_label
from desktop.models.reports import (
    SECTIONS,
    AgentsModel,
    ComplaintsModel,
    DifferencesModel,
    DisagreementsModel,
    DrillCallsModel,
    DrillTicketsModel,
    FiguresModel,
    HotSpotsModel,
    StationsModel,
    difference_rows,
    hot_spot_key,
    kind_label,
    league,
    sections,
    tr,
)
from desktop.state.reports import KINDS, ReportsState
from desktop.widgets.common import AMBER, GREEN, GREY, RED, readonly_table
from desktop.widgets.report_charts import BLUE, ORANGE, BarChart, ChartData, Series
from desktop.widgets.report_charts import GREEN as BAR_GREEN
from desktop.widgets.report_charts import RED as LINE_RED


def fit_height(table: QTableView) -> None:
    """A section's table as tall as its rows: the page scrolls, not each table."""
    rows = table.model().rowCount()
    head = 0 if table.horizontalHeader().isHidden() else table.horizontalHeader().sizeHint().height()
    table.setFixedHeight(head + rows * table.verticalHeader().defaultSectionSize() + 2 * table.frameWidth())


class ReportsPanel(QWidget):
    """The period picker, the signature and exports, the sections, charts and tables of one report."""
    period_changed = Signal(str, object)        # kind, datetime.date
    today_requested = Signal()
    refresh_requested = Signal()
    sign_requested = Signal()
    export_requested = Signal(str)              # xlsx | pdf
    drill_requested = Signal(str, object, str)  # figure, bucket (or None), title
    open_ticket = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.report: dict = {}
        # ---- the bar: which period, its signature, 签核, exports
        self.kind = QComboBox()
        for k in KINDS:
            self.kind.addItem(kind_label(k), k)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.today_button = QPushButton(self.tr("今天"))
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.period_label = QLabel()
        self.period_label.setStyleSheet(f"color:{GREY}")
        self.signature = QLabel()
        self.sign_button = QPushButton(self.tr("签核"))
        self.sign_button.setToolTip(self.tr("审核无误后签核：日报按此刻生成的内容存档，不可更改"))
        self.xlsx_button = QPushButton(self.tr("导出 XLSX"))
        self.pdf_button = QPushButton(self.tr("导出 PDF"))
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (QLabel(self.tr("报表")), self.kind, self.date, self.today_button, self.refresh_button,
                  self.period_label):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.signature, self.sign_button, self.xlsx_button, self.pdf_button):
            bar.addWidget(w)
        # ---- what the person must see: errors, disagreements, differences from the signed report
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self.message = QLabel()
        self.message.setVisible(False)

        # ---- 概览: the sections as the customer reads them, and the charts
        self.section_models: dict[str, FiguresModel] = {}
        self.section_tables: dict[str, QTableView] = {}
        sections_page = QWidget()
        sl = QVBoxLayout(sections_page)
        sl.setContentsMargins(0, 0, 4, 0)
        for key, title in SECTIONS:
            box = QGroupBox(tr(title))
            bl = QVBoxLayout(box)
            bl.setContentsMargins(4, 2, 4, 4)
            model = FiguresModel(self)
            table = readonly_table(model, box)
            table.horizontalHeader().setVisible(False)
            table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
            table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            table.doubleClicked.connect(lambda idx, k=key: self._figure_activated(k, idx.row()))
            bl.addWidget(table)
            sl.addWidget(box)
            self.section_models[key], self.section_tables[key] = model, table
        sl.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(sections_page)
        scroll.setMinimumWidth(380)

        self.hours_chart = BarChart(self.tr("分时话务：进线、接听与在线座席"))
        self.sl_chart = BarChart(self.tr("每日服务水平"))
        self.problem_chart = BarChart(self.tr("报修按问题"), horizontal=True)
        self.district_chart = BarChart(self.tr("报修按区"), horizontal=True)
        self.league_chart = BarChart(self.tr("维修站平均完工时长（小时，越短越好）"), horizontal=True)
        for c in (self.hours_chart, self.sl_chart, self.problem_chart, self.district_chart, self.league_chart):
            c.empty_text = self.tr("无数据")
        charts = QWidget()
        self.chart_grid = QGridLayout(charts)
        self.chart_grid.setContentsMargins(0, 0, 0, 0)
        self.chart_grid.addWidget(self.hours_chart, 0, 0, 1, 2)
        self.chart_grid.addWidget(self.sl_chart, 0, 1)
        self.chart_grid.addWidget(self.problem_chart, 1, 0)
        self.chart_grid.addWidget(self.district_chart, 1, 1)
        self.chart_grid.addWidget(self.league_chart, 2, 0, 1, 2)
        self.sl_chart.setVisible(False)
        overview = QSplitter(Qt.Orientation.Horizontal)
        overview.addWidget(scroll)
        overview.addWidget(charts)
        overview.setStretchFactor(0, 2)
        overview.setStretchFactor(1, 3)
        overview.setSizes([470, 830])
        overview.setChildrenCollapsible(False)

        # ---- the tables
        self.agents_model, self.stations_model = AgentsModel(self), StationsModel(self)
        self.complaints_model, self.hot_spots_model = ComplaintsModel(self), HotSpotsModel(self)
        self.disagreements_model, self.differences_model = DisagreementsModel(self), DifferencesModel(self)
        self.agents_table = readonly_table(self.agents_model, self)
        self.stations_table = readonly_table(self.stations_model, self)
        self.stations_table.setToolTip(self.tr("双击查看该站当日派单的报修"))
        self.stations_table.doubleClicked.connect(self._station_activated)
        self.complaints_table = readonly_table(self.complaints_model, self)
        self.complaints_table.doubleClicked.connect(
            lambda idx: self._open_ticket_of(self.complaints_model.row_dict(idx.row()), "ticket"))
        self.hot_spots_table = readonly_table(self.hot_spots_model, self)
        self.hot_spots_table.setToolTip(self.tr("双击查看这些报修"))
        self.hot_spots_table.doubleClicked.connect(self._hot_spot_activated)
        self.disagreements_table = readonly_table(self.disagreements_model, self)
        self.differences_table = readonly_table(self.differences_model, self)

        self.pages = QTabWidget()
        self.pages.addTab(overview, self.tr("概览"))
        self.pages.addTab(self.agents_table, self.tr("座席"))
        self.pages.addTab(self.stations_table, self.tr("维修站"))
        self.pages.addTab(self._stack((self.tr("热点（疑似管网故障）"), self.hot_spots_table),
                                      (self.tr("投诉（逐条）"), self.complaints_table)), self.tr("热点与投诉"))
        self.pages.addTab(self._stack((self.tr("queue_log 与话单不一致"), self.disagreements_table),
                                      (self.tr("与签核存档不同的指标"), self.differences_table)), self.tr("差异"))
        self.differences_page = self.pages.count() - 1

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addWidget(self.notice)
        lay.addWidget(self.message)
        lay.addWidget(self.pages, 1)

        self.kind.activated.connect(lambda _i: self._period_picked())
        self.date.dateChanged.connect(lambda _d: self._period_picked())
        self.today_button.clicked.connect(self.today_requested)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.sign_button.clicked.connect(self.sign_requested)
        self.xlsx_button.clicked.connect(lambda: self.export_requested.emit("xlsx"))
        self.pdf_button.clicked.connect(lambda: self.export_requested.emit("pdf"))
        self.hours_chart.bar_clicked.connect(self._hour_clicked)
        self.sl_chart.bar_clicked.connect(self._day_clicked)
        self.problem_chart.bar_clicked.connect(lambda i: self._bucket_clicked(self.problem_chart, i, "tickets.by_problem"))
        self.district_chart.bar_clicked.connect(lambda i: self._bucket_clicked(self.district_chart, i,
                                                                               "tickets.by_district"))
        self.league_chart.bar_clicked.connect(self._league_clicked)
        self.show_report({})

    @staticmethod
    def _stack(*parts: tuple[str, QTableView]) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        for title, table in parts:
            label = QLabel(title)
            label.setStyleSheet("font-weight:bold")
            lay.addWidget(label)
            lay.addWidget(table, 1)
        return w

    # ------------------------------------------------------------ period --
    def set_period(self, kind: str, day: dt.date) -> None:
        """Show the period chosen (without asking again)."""
        with QSignalBlocker(self.kind), QSignalBlocker(self.date):
            self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
            self.date.setDate(QDate(day.year, day.month, day.day))

    def _period_picked(self) -> None:
        d = self.date.date()
        self.period_changed.emit(self.kind.currentData(), dt.date(d.year(), d.month(), d.day()))

    def set_loading(self, on: bool) -> None:
        self.refresh_button.setEnabled(not on)
        loading = self.tr("正在生成报表…")
        if on:
            self.show_message(loading)
        elif self.message.text() == loading:
            self.show_message("")

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(f"color:{RED}; font-weight:bold" if error else f"color:{GREY}")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ------------------------------------------------------------ report --
    def show_report(self, r: dict, signer: bool = False, signable: bool = False) -> None:
        """The report as the server answered it; `signer`: this role may sign, `signable`: now."""
        self.report = dict(r or {})
        has = bool(self.report)
        for w in (self.xlsx_button, self.pdf_button):
            w.setEnabled(has)
        self.sign_button.setVisible(signer)
        self.sign_button.setEnabled(signable)
        rows = sections(self.report) if has else {k: [] for k, _t in SECTIONS}
        for key, model in self.section_models.items():
            model.set_rows(rows.get(key, []))
            fit_height(self.section_tables[key])
            # a day signed before a section existed has no figures for it: no empty box
            self.section_tables[key].parentWidget().setVisible(bool(rows.get(key)) or not has)
        self.agents_model.set_rows(self.report.get("agents") or [])
        self.stations_model.set_rows(self.report.get("stations") or [])
        self.complaints_model.set_rows(self.report.get("complaints") or [])
        self.hot_spots_model.set_rows(self.report.get("hot_spots") or [])
        self.disagreements_model.set_rows(self.report.get("disagreements") or [])
        self.differences_model.set_rows(difference_rows(self.report))
        self._show_period()
        self._show_signature()
        self._show_notice()
        self._show_charts()

    def _show_period(self) -> None:
        p = self.report.get("period") or {}
        if not p:
            self.period_label.setText("")
            return
        text = f"{str(p.get('from', '')).replace('T', ' ')[:16]} — {str(p.get('to', '')).replace('T', ' ')[:16]}"
        if not self.report.get("complete"):
            text += self.tr("（尚未结束）")
        self.period_label.setText(text)

    def _show_signature(self) -> None:
        r = self.report
        if not r:
            self.signature.setText("")
        elif r.get("kind") == "daily":
            s = r.get("signed")
            if s:
                self.signature.setText(self.tr("<b style='color:%1'>✔ 已签核</b> %2 %3 %4 · SHA-256 %5…")
                                       .replace("%1", GREEN).replace("%2", str(s.get("by") or ""))
                                       .replace("%3", str(s.get("name") or ""))
                                       .replace("%4", str(s.get("at") or "").replace("T", " ")[:16])
                                       .replace("%5", str(s.get("sha256") or "")[:12]))
            elif r.get("complete"):
                self.signature.setText(self.tr("<b style='color:%1'>未签核</b>").replace("%1", AMBER))
            else:
                self.signature.setText(self.tr("报表日尚未结束，不能签核"))
        else:
            unsigned = r.get("days_unsigned") or []
            self.signature.setText(self.tr("已签核 %1 天，未签核 %2 天，与存档不同 %3 天")
                                   .replace("%1", str(r.get("days_signed", 0))).replace("%2", str(len(unsigned)))
                                   .replace("%3", str(len(r.get("days_differ") or []))))

    def _show_notice(self) -> None:
        r = self.report
        lines = []
        diffs = difference_rows(r)
        if diffs:
            lines.append(f"<span style='color:{AMBER}'>" + self.tr("⚠ 与签核存档不同：%1 项指标已变化（见“差异”）")
                         .replace("%1", str(len(diffs))) + "</span>")
        disagree = r.get("disagreements") or []
        if disagree:
            lines.append(f"<span style='color:{RED}'>" + self.tr("⚠ queue_log 与话单不一致 %1 处（见“差异”）")
                         .replace("%1", str(len(disagree))) + "</span>")
        if r.get("kind") in ("weekly", "monthly", "season") and r.get("days_unsigned"):
            lines.append(f"<span style='color:{GREY}'>" + self.tr("未签核的天：%1")
                         .replace("%1", "、".join(d[5:] for d in r["days_unsigned"])) + "</span>")
        if r.get("kind") in ("weekly", "monthly", "season") and r.get("days_unchecked"):
            lines.append(f"<span style='color:{AMBER}'>" + self.tr("签核后从未复核的天：%1")
                         .replace("%1", "、".join(d[5:] for d in r["days_unchecked"])) + "</span>")
        if r.get("kind") in ("weekly", "monthly", "season") and r.get("days_checked_since"):
            lines.append(f"<span style='color:{GREY}'>" + self.tr("签核的天已于 %1 起复核")
                         .replace("%1", str(r["days_checked_since"]).replace("T", " ")[:16]) + "</span>")
        self.notice.setText("<br>".join(lines))
        self.notice.setVisible(bool(lines))
        n = len(diffs) + len(disagree)
        self.pages.setTabText(self.differences_page, self.tr("差异 ⚠ %1").replace("%1", str(n)) if n else self.tr("差异"))

    def _show_charts(self) -> None:
        r = self.report
        q = r.get("queue") or {}
        t = r.get("tickets") or {}
        hours = [h for h in q.get("by_hour") or [] if isinstance(h, dict)]
        self.hours_chart.set_data(ChartData(
            [f"{int(h.get('hour', 0)):02d}" for h in hours],
            [Series(self.tr("进线"), [h.get("offered", 0) for h in hours], BLUE),
             Series(self.tr("接听"), [h.get("answered", 0) for h in hours], BAR_GREEN)],
            [Series(self.tr("在线座席"), [h.get("agents_logged_in", 0) for h in hours], ORANGE, axis="right")]))
        period = r.get("kind") in ("weekly", "monthly", "season")
        days = [d for d in r.get("by_day") or [] if isinstance(d, dict)]
        self.sl_chart.set_data(ChartData(
            [str(d.get("day", ""))[5:] for d in days],
            [Series(self.tr("进线"), [d.get("offered", 0) for d in days], BLUE)],
            [Series(self.tr("服务水平"), [d.get("service_level_20s") for d in days], LINE_RED, axis="right",
                    percent=True)]))
        self.sl_chart.setVisible(period)
        self.chart_grid.addWidget(self.hours_chart, 0, 0, 1, 1 if period else 2)
        problems = t.get("by_problem") or {}
        self.problem_chart.set_data(ChartData([category_label(k) if k != "unknown" else self.tr("未分类") for k in problems],
                                              [Series(self.tr("报修"), list(problems.values()), BLUE)],
                                              keys=list(problems)))
        districts = t.get("by_district") or {}
        self.district_chart.set_data(ChartData(list(districts), [Series(self.tr("报修"), list(districts.values()), BLUE)],
                                               keys=list(districts)))
        ranked = [s for s in league(r.get("stations") or []) if s.get("complete_avg_s") is not None]
        self.league_chart.set_data(ChartData([f"{s['rank']}. {s.get('name', '')}" for s in ranked],
                                             [Series(self.tr("平均完工（小时）"),
                                                     [round(s["complete_avg_s"] / 3600, 1) for s in ranked], ORANGE)],
                                             keys=[s.get("station") for s in ranked]))

    # ---------------------------------------------------------- drill-down --
    def _figure_activated(self, section: str, row: int) -> None:
        r = self.section_models[section].row_dict(row)
        if r and r.get("drill"):
            self.drill_requested.emit(r["figure"], r.get("bucket"),
                                      f"{str(r.get('label', '')).strip()}：{r.get('value', '')}")

    def _bucket_clicked(self, chart: BarChart, i: int, figure: str) -> None:
        keys = chart.data.keys
        if 0 <= i < len(keys):
            self.drill_requested.emit(figure, keys[i], f"{chart.title}：{chart.data.categories[i]}")

    def _hour_clicked(self, i: int) -> None:
        hours = (self.report.get("queue") or {}).get("by_hour") or []
        if 0 <= i < len(hours):
            h = int(hours[i].get("hour", 0))
            self.drill_requested.emit("queue.by_hour", str(h), self.tr("%1 时的来电").replace("%1", f"{h:02d}"))

    def _day_clicked(self, i: int) -> None:
        """A day of a period's service-level chart: that day's own report."""
        days = self.report.get("by_day") or []
        if 0 <= i < len(days):
            self.period_changed.emit("daily", dt.date.fromisoformat(str(days[i].get("day"))))

    def _league_clicked(self, i: int) -> None:
        keys = self.league_chart.data.keys
        if 0 <= i < len(keys):
            self.drill_requested.emit("stations.dispatched", keys[i],
                                      self.tr("%1 派单").replace("%1", self.league_chart.data.categories[i]))

    def _station_activated(self, idx) -> None:
        s = self.stations_model.row_dict(idx.row())
        if s:
            self.drill_requested.emit("stations.dispatched", s.get("station"),
                                      self.tr("%1 派单").replace("%1", str(s.get("name") or "")))

    def _hot_spot_activated(self, idx) -> None:
        s = self.hot_spots_model.row_dict(idx.row())
        if s:
            self.drill_requested.emit("hot_spots", hot_spot_key(s), self.hot_spot_title(hot_spot_key(s)))

    def hot_spot_title(self, key: str) -> str:
        """The drill-down's title of a hot spot (区/小区[/楼]): from its row here or the banner's 查看报修."""
        return self.tr("热点 %1").replace("%1", key)

    def _open_ticket_of(self, row: dict | None, key: str) -> None:
        if row and row.get(key):
            self.open_ticket.emit(str(row[key]))


class ReportDrillDialog(QDialog):
    """The repairs or calls behind one figure; a double-click on a repair (or a call's repair) opens
    it on the 工单 tab."""
    open_ticket = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("报表明细"))
        self.resize(860, 420)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight:bold")
        self.count = QLabel()
        self.count.setStyleSheet(f"color:{GREY}")
        self.tickets_model, self.calls_model = DrillTicketsModel(self), DrillCallsModel(self)
        self.table = readonly_table(self.tickets_model, self)
        self.table.doubleClicked.connect(self._activated)
        self.hint = QLabel(self.tr("双击报修单打开详情；电话号码已隐去中间几位"))
        self.hint.setStyleSheet(f"color:{GREY}")
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.close)
        foot = QHBoxLayout()
        foot.addWidget(self.hint, 1)
        foot.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.count)
        lay.addWidget(self.table, 1)
        lay.addLayout(foot)

    def show_drill(self, answer: dict) -> None:
        calls = answer.get("rows_are") == "calls"
        model = self.calls_model if calls else self.tickets_model
        model.set_rows(answer.get("rows") or [])
        self.table.setModel(model)
        self.title.setText(str(answer.get("title") or answer.get("figure") or ""))
        n, shown = int(answer.get("count") or 0), len(answer.get("rows") or [])
        text = (self.tr("共 %1 通来电") if calls else self.tr("共 %1 张报修单")).replace("%1", str(n))
        if answer.get("truncated"):
            text += self.tr("（只列出前 %1 条）").replace("%1", str(shown))
        self.count.setText(text)

    def rows(self) -> list[dict]:
        return self.table.model().rows()

    def _activated(self, idx) -> None:
        row = self.table.model().row_dict(idx.row()) or {}
        number = row.get("number") if self.table.model() is self.tickets_model else row.get("ticket")
        if number:
            self.open_ticket.emit(str(number))


def choose_export_path(parent: QWidget, suggested: str, fmt: str) -> str:
    """Where to save the export: the person's choice in a file dialog ("" when cancelled)."""
    pattern = {"xlsx": "Excel (*.xlsx)", "pdf": "PDF (*.pdf)"}[fmt]
    path, _filter = QFileDialog.getSaveFileName(parent, QCoreApplication.translate("ReportsPanel", "导出报表"), suggested, pattern)
    if path and not path.lower().endswith("." + fmt):
        path += "." + fmt
    return path


def connect_reports(api, state: ReportsState, panel: ReportsPanel, open_ticket: Callable[[str], None],
                    choose_path: Callable[[QWidget, str, str], str] = choose_export_path) -> ReportDrillDialog:
    """The 报表 tab's wiring: the panel's choices to the state, the state's wants to the API client,
    the answers back. Returns the drill-down's dialog (one, reused)."""
    drill = ReportDrillDialog(panel)

    def show(report: dict) -> None:
        panel.set_period(state.kind, state.day)
        panel.show_report(report, signer=state.signer, signable=state.signable())

    def export(fmt: str) -> None:
        path = choose_path(panel, state.suggested_name(fmt), fmt)
        if path:
            state.export(fmt, path)

    def drilled(answer: dict) -> None:
        drill.show_drill(answer)
        drill.show()
        drill.raise_()

    panel.period_changed.connect(state.set_period)
    panel.today_requested.connect(state.go_today)
    panel.refresh_requested.connect(state.refresh)
    panel.sign_requested.connect(state.sign)
    panel.export_requested.connect(export)
    panel.drill_requested.connect(state.drill_into)
    panel.open_ticket.connect(open_ticket)
    drill.open_ticket.connect(open_ticket)
    state.report_changed.connect(show)
    state.loading_changed.connect(panel.set_loading)
    state.message.connect(panel.show_message)
    state.drill_changed.connect(drilled)
    state.report_wanted.connect(lambda kind, day: getattr(api, "token", "") and api.report(kind, day))
    state.sign_wanted.connect(api.sign_report)
    state.drill_wanted.connect(api.drill)
    state.export_wanted.connect(api.download_report)
    api.report_loaded.connect(state.set_report)
    api.report_failed.connect(state.report_failed)
    api.report_signed.connect(state.signed)
    api.sign_failed.connect(state.sign_failed)
    api.drill_loaded.connect(state.set_drill)
    api.drill_failed.connect(state.drill_failed)
    api.report_file_saved.connect(state.exported)
    api.report_file_failed.connect(state.export_failed)
    show({})
    return drill
