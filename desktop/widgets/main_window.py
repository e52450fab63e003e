"""The agent desk's window: the state bar, the panels' layout, and the wiring between the views,
the desk's state (desktop.state.desk.DeskState) and its services (desktop.services: the agent
API client, the softphone). Panels only show data and emit what the agent did; the state object
decides what a call, a pop, a wrap-up or a draft means; this module connects them and puts the
state's messages into words. The after-call screens (工单, 异常登记, the escalation banner) are
tabs beside the call screen, shown by role (desktop.state.aftercall.tabs_for), their state in
desktop.state.aftercall.AfterCallState; the 工单 tab's title counts the drafts waiting for a team
lead's confirmation (待确认, #24). A 回电 entry's ticket opens in the call screen's ticket form
(desktop.state.worklists.WorklistState says which and when). Every user-facing string goes through
self.tr() with the Chinese text as the source string (English in desktop/i18n/desktop_en.ts).
"""
from __future__ import annotations

import logging
import time
from datetime import date

from PySide6.QtCore import QEvent, QSignalBlocker, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStatusBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.models.aftercall import callback_reason_label
from desktop.models.labels import anomaly_label, state_label
from desktop.services import audio
from desktop.services.api import AgentApiClient
from desktop.services.qa import QaApi
from desktop.services.softphone import SoftPhone
from desktop.services.board import BoardApi
from desktop.state.aftercall import (TAB_ANOMALIES, TAB_BOARD, TAB_CALL, TAB_CALLBACKS, TAB_QA, TAB_REPORTS,
                                     TAB_SURVEYS, TAB_TICKETS, AfterCallState)
from desktop.state.board import BoardState
from desktop.state.hot_spots import HotSpotsState
from desktop.state.reports import ReportsState
from desktop.state.worklists import WorklistState
from desktop.state.desk import DeskState
from desktop.widgets.account_panel import AccountPanel
from desktop.widgets.alert_banner import AlertBanner
from desktop.widgets.board_panel import BoardPanel, connect_board
from desktop.widgets.anomaly_register import AnomalyRegisterPanel
from desktop.widgets.escalation_banner import EscalationBanner
from desktop.widgets.storage_banner import StorageBanner
from desktop.widgets.hot_spot_banner import HotSpotBanner
from desktop.widgets.report_mail_banner import ReportMailBanner
from desktop.widgets.common import AMBER, GREEN, GREY, RED, fmt_secs, set_dot
from desktop.widgets.login_dialog import LoginDialog
from desktop.widgets.qa_screen import QaScreen
from desktop.widgets.recordings_dialog import RecordingsDialog
from desktop.widgets.reports_panel import ReportsPanel, connect_reports
from desktop.widgets.script_panel import ScriptPanel
from desktop.widgets.softphone_panel import SoftPhonePanel
from desktop.widgets.ticket_detail import open_anomaly_dialog
from desktop.widgets.ticket_form import TicketFormPanel
from desktop.widgets.tickets_panel import TicketsPanel
from desktop.widgets.worklists_panel import CallbacksPanel, SurveysPanel
from common import wire
from common.agent_phones import CALLS_OUT_ROLES

log = logging.getLogger("desktop")
#: shown until a login answer brings the server's own list (the server accepts only that list)
PAUSE_REASONS = ("小休", "用餐", "培训", "会议", "处理回访", "其他")


class AgentWindow(QMainWindow):
    """The agent desk. `api` and `phone` may be injected (tests use no server, no SIP)."""

    def __init__(self, api=None, phone=None, parent=None, agent_no: str = ""):
        super().__init__(parent)
        if api is None:
            api = AgentApiClient(parent=self)
        if phone is None:
            phone = SoftPhone(self)
        self.api, self.phone = api, phone
        self.desk = DeskState(self)
        self.aftercall = AfterCallState(self)
        self.worklists = WorklistState(self)
        self.anomaly_dialog = None
        self.login_dialog: LoginDialog | None = None
        self._prefill_agent = agent_no
        self._closing = False

        self.setWindowTitle(self.tr("大龙供暖报修热线 — 座席"))
        self.resize(1360, 740)
        self.setMinimumSize(1100, 640)

        # ---- state bar ----
        bar = QFrame()
        bar.setFrameShape(QFrame.Shape.StyledPanel)
        bl = QHBoxLayout(bar)
        bl.setContentsMargins(6, 3, 6, 3)
        self.agent_label = QLabel(self.tr("未登录"))
        self.agent_label.setStyleSheet("font-weight:bold")
        self.queue_button = QPushButton(self.tr("签入队列"))
        self.queue_button.setCheckable(True)
        self.pause_reason = QComboBox()
        self.set_pause_reasons(PAUSE_REASONS)
        self.pause_button = QPushButton(self.tr("示忙"))
        self.pause_button.setCheckable(True)
        self.state_label = QLabel()
        self.wrapup_label = QLabel()
        self.wrapup_label.setStyleSheet(f"color:{AMBER}; font-weight:bold")
        self.wrapup_button = QPushButton(self.tr("整理完成"))
        self.wrapup_button.setVisible(False)
        self.sip_label = QLabel()
        self.service_label = QLabel()
        self.recordings_button = QPushButton(self.tr("我的录音"))
        self.logout_button = QPushButton(self.tr("退出登录"))
        self._pause_label = QLabel(self.tr("示忙原因"))
        for w in (self.agent_label, self.queue_button, self._pause_label, self.pause_reason,
                  self.pause_button, self.state_label):
            bl.addWidget(w)
        bl.addStretch(1)
        for w in (self.wrapup_label, self.wrapup_button, self.sip_label, self.service_label,
                  self.recordings_button, self.logout_button):
            bl.addWidget(w)

        # ---- panels ----
        self.softphone = SoftPhonePanel()
        self.script = ScriptPanel()
        self.card = AccountPanel()
        self.form = TicketFormPanel()
        self.recordings = RecordingsDialog(self)
        self.history_model = self.card.history_model
        self.results_model = self.card.results_model

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.softphone)
        ll.addWidget(self.script, 1)
        left.setMinimumWidth(260)
        left.setMaximumWidth(340)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.card)
        split.addWidget(self.form)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 3)
        split.setSizes([290, 520, 540])
        split.setChildrenCollapsible(False)

        # ---- after the call: tabs by role, the escalations above everything ----
        self.banner = EscalationBanner()
        self.storage_banner = StorageBanner()
        self.hot_spot_banner = HotSpotBanner()
        self.hot_spots = HotSpotsState(self)
        self.tickets = TicketsPanel()
        self.register = AnomalyRegisterPanel()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.callbacks = CallbacksPanel()
        self.surveys = SurveysPanel()
        self.reports = ReportsPanel()
        self.reports_state = ReportsState(self)
        self.qa = QaScreen(QaApi(api, self), phone)
        self.board_state = BoardState(self)
        self.board_api = BoardApi(api, self)
        self.board = BoardPanel(self.board_state)
        self.alert_banner = AlertBanner()
        self._tab_pages = {TAB_CALL: split, TAB_TICKETS: self.tickets, TAB_ANOMALIES: self.register,
                           TAB_CALLBACKS: self.callbacks, TAB_SURVEYS: self.surveys, TAB_QA: self.qa,
                           TAB_REPORTS: self.reports, TAB_BOARD: self.board}
        self.tabs.addTab(split, self.tr("来电"))
        self.tabs.addTab(self.tickets, self.tr("工单"))
        self.tabs.addTab(self.register, self.tr("异常登记"))
        self.tabs.addTab(self.callbacks, self.tr("回电"))
        self.tabs.addTab(self.surveys, self.tr("回访"))
        self.tabs.addTab(self.qa, self.tr("质检"))
        self.tabs.addTab(self.reports, self.tr("报表"))
        self.tabs.addTab(self.board, self.tr("看板"))

        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(6, 6, 6, 2)
        cl.addWidget(bar)
        cl.addWidget(self.banner)
        cl.addWidget(self.alert_banner)                     # the line's alerts (#30): waits, pauses, nobody in
        cl.addWidget(self.storage_banner)
        cl.addWidget(ReportMailBanner(self.aftercall))      # the daily report's e-mail failed or late
        cl.addWidget(self.hot_spot_banner)                  # many no-heat repairs from one place: a network fault?
        cl.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.status_line = QLabel()
        self.status_line.setWordWrap(False)
        sb = QStatusBar()
        sb.addWidget(self.status_line, 1)
        self.setStatusBar(sb)

        self._wire()
        self._wire_aftercall()
        self.show_role("")
        self.set_logged_in(False)
        self.on_sip_registered(False, 0)
        self.on_connection(False)

    # the desk state's, read by the desk demo, the benchmark and the live-desk fixture
    @property
    def agent_state(self) -> dict:
        return self.desk.agent_state

    @property
    def pop(self) -> dict | None:
        return self.desk.pop

    def set_pause_reasons(self, reasons) -> None:
        """The 示忙 reasons the server accepts; each is sent back exactly as listed."""
        self.pause_reason.clear()
        for r in reasons:
            self.pause_reason.addItem(self._reason_text(str(r)), str(r))

    # labels of fixed lists (literal tr() calls so lupdate finds them)
    def _reason_text(self, r: str) -> str:
        return {"小休": self.tr("小休"), "用餐": self.tr("用餐"), "培训": self.tr("培训"), "会议": self.tr("会议"),
                "处理回访": self.tr("处理回访"), "其他": self.tr("其他"), wire.WRAPUP_REASON: self.tr("话后整理"),
                wire.NO_ANSWER_REASON: self.tr("未接听")}.get(r, r)

    # ------------------------------------------------------------ wiring --
    def _wire(self) -> None:
        api, phone, desk, form = self.api, self.phone, self.desk, self.form
        desk.form_snapshot = form.unsaved_ticket
        desk.flush_form = form.flush_autosave
        desk.user_changed.connect(lambda user: self.set_logged_in(bool(user)))
        desk.user_changed.connect(self.aftercall.set_user)
        desk.agent_state_changed.connect(self.show_agent_state)
        desk.pop_changed.connect(self.show_pop)
        desk.caller_id.connect(self.softphone.set_caller)
        desk.alert.connect(self._alert)
        desk.wrapup_changed.connect(self.show_wrapup)
        desk.wrapup_left.connect(self.show_wrapup_left)
        desk.rang_out.connect(lambda: self.show_info(
            self.tr("来电未接听，已自动示忙（未接听）；点击“示闲”恢复接听")))
        desk.drafts_changed.connect(form.show_drafts)
        desk.drafts_offered.connect(lambda n: self.show_info(
            self.tr("有 %1 张未保存的草稿，可从报修单右上角打开").replace("%1", str(n))))
        desk.caller_gave_up.connect(lambda: self.show_info(     # the form stays: worth a call-back
            self.tr("来电人在接听前挂机；报修单草稿保留，可回电处理")))
        desk.telephony_down.connect(lambda: self.show_error(self.tr("电话系统暂时不可用")))
        desk.telephony_restarted.connect(self.on_telephony_restarted)
        desk.script_wanted.connect(self._refresh_script)
        desk.call_out_ringing.connect(self.on_call_out_ringing)
        desk.call_out_ended.connect(self.on_call_out_ended)

        api.logged_in.connect(self.on_logged_in)
        api.login_failed.connect(self.on_login_failed)
        api.error.connect(self.show_error)
        api.event.connect(desk.on_event)
        api.connection_changed.connect(self.on_connection)
        api.session_ended.connect(self.on_session_ended)
        api.agent_state.connect(desk.set_agent_state)
        api.script_loaded.connect(self.script.set_script)
        api.stations_loaded.connect(form.set_stations)
        api.accounts_found.connect(self.card.show_results)
        api.account_loaded.connect(self.card.show_account)
        api.pop_loaded.connect(desk.on_screen_pop)
        api.ticket_loaded.connect(self.worklists.ticket_loaded)      # GET TICKET: a 回电 entry's, for the form
        api.draft_saved.connect(form.autosave_done)
        api.draft_failed.connect(form.autosave_failed)
        api.ticket_saved.connect(self.on_ticket_saved)
        api.ticket_created.connect(self.on_ticket_created)
        api.drafts_loaded.connect(desk.set_drafts)
        api.voice_downloaded.connect(lambda _number, path: self._play_audio(path, self.tr("语音描述")))
        api.recordings_loaded.connect(self.recordings.show_rows)
        api.recording_downloaded.connect(lambda _rid, path: self._play_audio(path, self.tr("录音")))
        self.recordings.search_requested.connect(api.recordings)
        self.recordings.play_requested.connect(api.download_recording)
        self.tickets.detail.play_requested.connect(api.download_recording)
        # 质检 (#28): its own state and requests; the listen-in leg rings like a click-to-call's
        desk.user_changed.connect(self.qa.set_user)
        api.event.connect(self.qa.on_event)
        self.qa.info.connect(self.show_info)
        self.qa.error.connect(self.show_error)
        self.qa.listen_granted.connect(desk.expect_call_out)
        api.error.connect(self._save_error)

        phone.registered.connect(self.on_sip_registered)
        phone.incoming.connect(desk.on_incoming)
        phone.call_state.connect(self.softphone.set_state)
        phone.call_state.connect(desk.on_call_state)
        phone.call_state.connect(lambda _st: self._phone_ready_changed())
        phone.registered.connect(lambda *_: self._phone_ready_changed())
        phone.error.connect(self.show_error)
        phone.muted_changed.connect(lambda on: self._set_checked(self.softphone.mute_button, on))
        phone.held_changed.connect(lambda on: self._set_checked(self.softphone.hold_button, on))

        sp = self.softphone
        sp.answer_button.clicked.connect(phone.answer)
        sp.reject_button.clicked.connect(self._reject)
        sp.hangup_button.clicked.connect(phone.hangup)
        sp.hold_button.clicked.connect(lambda on: phone.hold(on))
        sp.mute_button.clicked.connect(lambda on: phone.mute(on))
        sp.transfer_requested.connect(phone.transfer)
        sp.consult_requested.connect(phone.consult)
        sp.complete_requested.connect(phone.complete_transfer)
        sp.return_requested.connect(phone.cancel_consult)
        sp.directory_wanted.connect(api.directory)
        api.directory_loaded.connect(sp.set_directory)
        phone.consult_state.connect(sp.set_consult_state)
        sp.dtmf_pressed.connect(phone.dtmf)

        self.queue_button.clicked.connect(self._toggle_queue)
        self.pause_button.clicked.connect(self._toggle_pause)
        self.wrapup_button.clicked.connect(api.wrapup_done)
        self.logout_button.clicked.connect(self.logout)
        self.recordings_button.clicked.connect(self.open_recordings)

        self.card.search_requested.connect(api.search_accounts)
        self.card.account_chosen.connect(self.on_account_chosen)
        self.card.play_voice_requested.connect(self._play_voice)
        form.save_requested.connect(api.save_ticket)
        form.new_requested.connect(self._new_ticket)
        form.autosave_requested.connect(api.autosave)

        form.anomaly_requested.connect(self.record_anomaly)

        QShortcut(QKeySequence("F2"), self, activated=phone.answer)
        QShortcut(QKeySequence("F4"), self, activated=phone.hangup)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=form.save_button.click)

    def _wire_aftercall(self) -> None:
        api, ac, tickets, detail, reg = self.api, self.aftercall, self.tickets, self.tickets.detail, self.register
        ac.role_changed.connect(self.show_role)
        ac.tickets_wanted.connect(lambda q: self._online() and api.tickets(q))
        ac.ticket_wanted.connect(lambda n: self._online() and api.ticket_detail(n))
        ac.anomalies_wanted.connect(lambda open_only: self._online() and api.anomalies(open_only))
        ac.unconfirmed_wanted.connect(lambda: self._online() and api.unconfirmed_tickets())
        ac.unconfirmed_changed.connect(self.show_unconfirmed)
        api.unconfirmed_loaded.connect(ac.set_unconfirmed)
        ac.tickets_changed.connect(tickets.show_tickets)
        ac.detail_changed.connect(detail.show_ticket)
        ac.anomalies_changed.connect(reg.show_anomalies)
        ac.escalations_changed.connect(self.banner.set_escalations)
        ac.storage_changed.connect(self.storage_banner.set_storage)
        api.event.connect(ac.on_event)
        api.tickets_loaded.connect(ac.set_tickets)
        api.ticket_detail_loaded.connect(ac.set_detail)
        api.anomalies_loaded.connect(ac.set_anomalies)
        api.escalations_loaded.connect(ac.set_escalations)
        api.anomaly_acked.connect(ac.acknowledged)
        api.stations_loaded.connect(tickets.set_stations)
        api.ticket_moved.connect(self.on_ticket_moved)
        api.ticket_reopened.connect(self.on_ticket_reopened)
        api.anomaly_saved.connect(self.on_anomaly_saved)
        api.action_failed.connect(self.on_action_failed)
        self._wire_worklists()
        self.desk.user_changed.connect(self.reports_state.set_user)
        self.report_drill = connect_reports(api, self.reports_state, self.reports, self.open_ticket)
        # hot spots (#27): pushed as they happen; 查看报修 opens that day's drill-down of the place
        self.desk.user_changed.connect(self.hot_spots.set_user)
        api.event.connect(self.hot_spots.on_event)
        self.hot_spots.changed.connect(self.hot_spot_banner.set_hot_spots)
        self.hot_spot_banner.put_aside.connect(self.hot_spots.put_aside)
        self.hot_spot_banner.drill_requested.connect(self.open_hot_spot)
        self._wire_board()

        tickets.filters_changed.connect(ac.set_filters)
        tickets.ticket_selected.connect(ac.select)
        detail.move_requested.connect(lambda n, st, note, code: api.set_ticket_state(n, st, note, code or None))
        detail.reopen_requested.connect(api.reopen_ticket)
        detail.confirm_requested.connect(lambda n, code, dispatch, note: api.confirm_ticket(n, code or None, dispatch,
                                                                                         note))
        detail.anomaly_requested.connect(api.record_anomaly)
        detail.notify_station_requested.connect(api.notify_station)
        api.station_notified.connect(detail.station_notified)
        detail.open_ticket.connect(self.open_ticket)
        reg.open_only_changed.connect(ac.set_open_only)
        reg.refresh_requested.connect(ac.refresh_anomalies)
        reg.handle_requested.connect(api.handle_anomaly)
        reg.close_requested.connect(api.close_anomaly)
        reg.open_ticket.connect(self.open_ticket)
        self.banner.ack_requested.connect(api.ack_anomaly)
        self.banner.open_ticket.connect(self.open_ticket)
        self.tabs.currentChanged.connect(self._tab_changed)

    @staticmethod
    def _set_checked(button: QPushButton, on: bool) -> None:
        with QSignalBlocker(button):
            button.setChecked(on)

    # ------------------------------------------------------------- login --
    def start_login(self) -> None:
        if self.login_dialog is None:
            self.login_dialog = LoginDialog(self, getattr(self.api, "base_url", ""), self._prefill_agent)
            self.login_dialog.submitted.connect(self.api.login)
        self.login_dialog.open()

    def login(self, agent_no: str, password: str) -> None:
        self._prefill_agent = agent_no
        self.api.login(agent_no, password)

    def on_login_failed(self, msg: str) -> None:
        if self.login_dialog is not None and self.login_dialog.isVisible():
            self.login_dialog.show_error(msg)
        else:
            self.show_error(msg)

    def on_logged_in(self, data: dict) -> None:
        if self.login_dialog is not None:
            self.login_dialog.password.clear()
            self.login_dialog.accept()
        if data.get("pause_reasons"):
            self.set_pause_reasons(data["pause_reasons"])
        self.desk.set_user(data.get("user") or {})
        self.show_info(self.tr("登录成功"))
        sip = data.get("sip") or {}
        if sip:
            self.phone.register(sip)
        tabs = self.aftercall.tabs()
        if TAB_CALL in tabs:
            self.api.get_script()
            self.api.my_drafts()
        if TAB_CALL in tabs or TAB_TICKETS in tabs:     # the form's and the list's stations (not a statistician's)
            self.api.stations()
        if TAB_TICKETS in tabs:
            self.aftercall.refresh_tickets()
        if TAB_ANOMALIES in tabs:
            self.aftercall.refresh_anomalies()
            self.api.unacked_anomalies()
        if TAB_CALLBACKS in tabs:
            self.worklists.callbacks_wanted.emit()
        if TAB_SURVEYS in tabs:
            self.worklists.surveys_wanted.emit()

    def set_logged_in(self, on: bool) -> None:
        user = self.desk.user
        if on:
            self.agent_label.setText(self.tr("%1 %2（%3）").replace("%1", str(user.get("agent_no", "")))
                                     .replace("%2", str(user.get("name", "")))
                                     .replace("%3", self._role_text(user.get("role", ""))))
        else:
            self.agent_label.setText(self.tr("未登录"))
        for w in (self.queue_button, self.pause_button, self.pause_reason, self.logout_button, self.recordings_button,
                  self.card.search_button, self.card.search_box):
            w.setEnabled(on)

    def _role_text(self, role: str) -> str:
        return {"agent": self.tr("座席"), "team_lead": self.tr("领班"), "head": self.tr("部长"),
                "admin": self.tr("管理员"), "station": self.tr("维修站"),
                "statistician": self.tr("统计员")}.get(role, role)

    def logout(self) -> None:
        self.form.flush_autosave()
        self.phone.unregister()
        self.api.logout()
        self.desk.set_user({})
        self.start_login()

    def on_session_ended(self, msg: str) -> None:
        self.phone.unregister()
        self.desk.set_user({})
        self.show_error(msg)
        if not self._closing:
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("会话已结束"), msg, QMessageBox.StandardButton.Ok,
                              self)
            box.finished.connect(lambda _r: self.start_login())
            box.open()

    # ---------------------------------------------------------- roles --
    def show_role(self, _role: str = "") -> None:
        """Tabs by role: an agent the call screen (plus 记录异常 on its ticket), a station its tickets,
        supervisors everything; the tab bar only when there is a choice."""
        ac = self.aftercall
        shown = ac.tabs()
        for i in range(self.tabs.count()):
            key = next(k for k, page in self._tab_pages.items() if page is self.tabs.widget(i))
            self.tabs.setTabVisible(i, key in shown)
        self.tabs.tabBar().setVisible(len(shown) > 1)
        if self._tab_key(self.tabs.currentIndex()) not in shown:
            self.tabs.setCurrentWidget(self._tab_pages[shown[0]])
        self.tickets.detail.set_role(ac.role)
        self.callbacks.set_role(ac.role, str(ac.user.get("agent_no") or ""))
        self.tickets.set_station_user(ac.station_name if ac.role == "station" else "")
        self.tickets.set_confirms(ac.counts_unconfirmed)
        calls = TAB_CALL in shown
        # the queue and calls out are agents' and team leads' (the server refuses anybody else's)
        works_calls = calls and ac.role in CALLS_OUT_ROLES
        for w in (self.queue_button, self.pause_reason, self.pause_button, self.state_label, self._pause_label):
            w.setVisible(works_calls)
        for w in (self.recordings_button, self.sip_label):
            w.setVisible(calls)
        for panel in (self.callbacks, self.surveys):
            panel.call_button.setVisible(ac.role in CALLS_OUT_ROLES)

    def _tab_key(self, index: int) -> str:
        page = self.tabs.widget(index)
        return next((k for k, p in self._tab_pages.items() if p is page), "")

    def open_hot_spot(self, day: str, key: str) -> None:
        """A hot spot's 查看报修: the 报表 tab on that day, and the place's repairs listed."""
        try:
            when = date.fromisoformat(day)
        except ValueError:
            return
        self.show_tab(TAB_REPORTS)
        self.reports_state.drill_day(when, "hot_spots", key, self.reports.hot_spot_title(key))

    def show_tab(self, key: str) -> None:
        if key in self.aftercall.tabs():
            self.tabs.setCurrentWidget(self._tab_pages[key])

    def _tab_changed(self, index: int) -> None:
        key = self._tab_key(index)
        if key == TAB_TICKETS and not self.aftercall.tickets:
            self.aftercall.refresh_tickets()
        elif key == TAB_ANOMALIES and not self.aftercall.anomalies:
            self.aftercall.refresh_anomalies()
        elif key == TAB_CALLBACKS:
            self.worklists.callbacks_wanted.emit()
        elif key == TAB_SURVEYS:
            self.worklists.surveys_wanted.emit()
        elif key == TAB_REPORTS and not self.reports_state.report:
            self.reports_state.refresh()
        elif key == TAB_QA:
            self.qa.refresh()
        elif key == TAB_BOARD:
            self.board_state.refresh()

    # ------------------------------------------------------------ the board --
    def _wire_board(self) -> None:
        """看板 (#30): its snapshot by GET and by push, the actions from a row, the alerts' banner."""
        st = self.board_state
        self.desk.user_changed.connect(st.set_user)
        self.api.event.connect(st.on_event)
        connect_board(self.board_api, st, self.board,
                      lambda text, error: self.show_error(text) if error else self.show_info(text),
                      self.desk.expect_call_out)
        st.banner_changed.connect(self.alert_banner.set_alerts)
        st.raised.connect(lambda _a: self._alert())
        self.alert_banner.ack_requested.connect(self.board.ask_ack)
        self.alert_banner.show_requested.connect(self.open_board)
        self.alert_banner.declare_requested.connect(self.declare_outage)

    def open_board(self, agent_no: str = "") -> None:
        """An alert's 查看: the 看板 tab, on the agent it is about."""
        self.show_tab(TAB_BOARD)
        if agent_no:
            self.board.select_agent(agent_no)

    def declare_outage(self, area: str) -> None:
        """A hot spot's 宣布停热: the 看板 tab, its declare dialog prefilled with the place."""
        self.show_tab(TAB_BOARD)
        self.board.ask_declare(area)

    def _online(self) -> bool:
        return bool(getattr(self.api, "token", ""))

    # ----------------------------------------------------- after the call --
    def open_ticket(self, number: str) -> None:
        """A linked ticket, a register row, a banner line: the 工单 tab with that ticket."""
        if not number or TAB_TICKETS not in self.aftercall.tabs():
            return
        self.show_tab(TAB_TICKETS)
        self.tickets.select_number(str(number))

    def record_anomaly(self, number: str) -> None:
        """记录异常 from the call's ticket form (praise, a complaint, …)."""
        self.anomaly_dialog = open_anomaly_dialog(self, number, self.api.record_anomaly)

    def show_unconfirmed(self, n: int) -> None:
        """The drafts waiting for confirmation: on the 工单 tab's title and its 待确认 filter."""
        title = self.tr("工单 (待确认 %1)").replace("%1", str(n)) if n else self.tr("工单")
        self.tabs.setTabText(self.tabs.indexOf(self.tickets), title)
        self.tickets.set_unconfirmed_count(n)

    def on_ticket_moved(self, t: dict) -> None:
        self.aftercall.ticket_moved(t)
        self.show_info(self.tr("报修单 %1：%2").replace("%1", str(t.get("number") or self.aftercall.selected))
                       .replace("%2", state_label(t.get("state")) if t.get("state") else self.tr("已更新")))

    def on_ticket_reopened(self, t: dict) -> None:
        number = str(t.get("number") or "")
        self.aftercall.ticket_moved({})
        self.show_info(self.tr("已建续报单 %1").replace("%1", number))
        if number:
            self.aftercall.select(number)

    def on_anomaly_saved(self, a: dict) -> None:
        self.aftercall.anomaly_saved(a)
        self.show_info(self.tr("异常事件已记录：%1").replace("%1", anomaly_label(a.get("type")))
                       if a.get("type") else self.tr("异常事件已保存"))

    def _wire_worklists(self) -> None:
        api, wl, cb, sv = self.api, self.worklists, self.callbacks, self.surveys
        wl.callbacks_wanted.connect(lambda: self._online() and api.callbacks())
        wl.surveys_wanted.connect(lambda: self._online() and api.surveys())
        wl.callbacks_changed.connect(cb.show_callbacks)
        wl.surveys_changed.connect(sv.show_surveys)
        api.event.connect(wl.on_event)
        api.callbacks_loaded.connect(wl.set_callbacks)
        api.callback_saved.connect(wl.entry_changed)
        api.surveys_loaded.connect(wl.set_surveys)
        api.survey_saved.connect(self.on_survey_saved)
        api.survey_booked.connect(lambda r: (self.show_info(self.tr("已预约回访:%1").replace(
            "%1", str(r.get("due_at") or ""))), wl.surveys_wanted.emit()))
        cb.refresh_requested.connect(wl.callbacks_wanted.emit)
        cb.take_requested.connect(api.take_callback)
        cb.call_requested.connect(lambda n: self.call_out("callback", n))
        cb.open_requested.connect(wl.open_ticket)
        wl.form_holds = lambda n: self.form.number == n and not self.form.saved
        wl.ticket_wanted.connect(self._fetch_callback_ticket)
        wl.form_wanted.connect(self.open_in_form)
        wl.form_shown.connect(self._show_form)
        wl.form_done.connect(self.on_callback_form_done)
        wl.refused.connect(lambda n, msg: cb.show_error(msg, n))
        api.outcome_refused.connect(wl.outcome_refused)
        cb.outcome_requested.connect(api.callback_outcome)
        sv.call_requested.connect(lambda n: self.call_out("survey", n))
        api.call_out_placed.connect(self.on_call_out_placed)
        sv.refresh_requested.connect(wl.surveys_wanted.emit)
        sv.save_requested.connect(api.save_survey)
        sv.book_requested.connect(api.book_survey)

    # ------------------------------------------- a 回电 entry's ticket --
    def _fetch_callback_ticket(self, number: str) -> None:
        if self.desk.pop_live:          # a caller's ticket is on the form: not replaced mid-call
            self.show_error(self.tr("正在通话中:请先处理这通来电的报修单,再打开回电工单 %1").replace("%1", number))
            return
        if self._online():
            self.show_info(self.tr("正在打开报修单 %1…").replace("%1", number))
            self.api.get_ticket(number)

    def open_in_form(self, t: dict, notice: str = "") -> None:
        """A 回电 entry's ticket on the call screen's form, outside a call: the agent confirms it with
        the resident and saves it, marks it resolved, or cancels it with a reason. The account card
        shows what the IVR took (the voice description too) and the account, when there is one."""
        number = str(t.get("number") or "")
        self.desk.keep_form(number)
        self.form.load_ticket(t)
        self.form.new_button.setEnabled(False)         # no call to make another ticket on
        ivr = {"category": t.get("category"), "callback_number": t.get("callback_number"),
               "voice_url": wire.path(wire.TICKET_VOICE, number=number) if t.get("has_voice") else None}
        self.card.show_pop({"caller": t.get("callback_number") or "", "ticket": t, "ivr": ivr})
        if t.get("account_no"):
            self.api.get_account(str(t["account_no"]))
        self._show_form(number, notice)

    def _show_form(self, number: str, notice: str = "") -> None:
        if notice:                       # the server's words: what it wants done with the ticket
            self.form.set_notice(notice, warn=True)
        else:
            entry = self.worklists.callback(number)
            why = callback_reason_label(entry.get("reason")) if entry.get("reason") else self.tr("回电")
            self.form.set_notice(self.tr("回电 报修单 %1（%2）：与住户核实后跟读确认并保存；已解决或不再需要维修"
                                         "请勾选相应选项。保存后回到“回电”记录结果。")
                                 .replace("%1", number).replace("%2", why))
        self.show_tab(TAB_CALL)
        self.form.address.setFocus()

    def on_callback_form_done(self, t: dict) -> None:
        """The 回电 ticket was saved: back to the list, where the entry's outcome is recorded next."""
        self.show_info(self.tr("报修单 %1 已保存（%2）：请在“回电”记录结果").replace("%1", str(t.get("number") or ""))
                       .replace("%2", state_label(t.get("state")) if t.get("state") else self.tr("已更新")))
        self.callbacks.show_error("")
        self.form.set_notice("")
        self.show_tab(TAB_CALLBACKS)

    # ------------------------------------------------------ calls out --
    def _phone_ready(self) -> bool:
        return bool(getattr(self.phone, "is_registered", False)) and getattr(self.phone, "state", "idle") == "idle"

    def _phone_ready_changed(self) -> None:
        ready = self._phone_ready()
        self.callbacks.set_phone_ready(ready)
        self.surveys.set_phone_ready(ready)

    def _kind_text(self, kind: str) -> str:
        return {"callback": self.tr("回电", "kind of call out"), "survey": self.tr("回访", "kind of call out")}.get(kind, kind)

    def _entry(self, kind: str, ticket: str) -> dict:
        return self.worklists.callback(ticket) if kind == "callback" else self.worklists.survey(ticket)

    def call_out(self, kind: str, number: str) -> None:
        """呼叫 on a worklist entry: the server rings this phone first, then the resident. The leg
        may ring before the server's answer arrives, so it is expected from the click on (the
        entry's number; the answer's number replaces it)."""
        if not self._phone_ready():
            self.show_error(self.tr("话机未注册或正在通话,不能呼叫"))
            return
        row = self._entry(kind, number)
        self.desk.expect_call_out({"ticket": number, "number": row.get("callback_number") or "", "kind": kind,
                                   "label": wire.CALL_OUT_LABELS.get(kind, ""), "name": row.get("name") or ""})
        self.api.call_out(kind, number)
        self.show_info(self.tr("正在呼叫(报修单 %1):您的话机将先响并自动接通").replace("%1", number))

    def on_call_out_placed(self, placed: dict) -> None:
        if self.desk.call_out is not None:      # its leg rang first: already answered
            return
        row = self._entry(str(placed.get("kind") or ""), str(placed.get("ticket") or ""))
        self.desk.expect_call_out({**placed, "name": row.get("name") or ""})

    def on_call_out_ringing(self, placed: dict) -> None:
        """Our click-to-call leg rings: answered at once (the agent asked for it; the resident's
        phone rings only once this leg is up), and shown as a call out, not a caller."""
        self.phone.answer()
        who = f"{placed.get('number', '')} {placed.get('name') or ''}".strip()
        if placed.get("kind") == "listen":          # 实时监听: the lead's own leg into the agent's call
            self.softphone.set_caller(f"{placed.get('label') or ''} {who}")
            return
        self.softphone.set_caller(self.tr("外呼(%1)%2").replace("%1", self._kind_text(str(placed.get("kind"))))
                                  .replace("%2", who))
        self.show_info(self.tr("外呼:正在呼叫住户 %1,请稍候").replace("%1", who))

    def on_call_out_ended(self, placed: dict) -> None:
        self.softphone.set_caller("")
        if placed.get("kind") == "listen":
            self.show_info(self.tr("监听已结束"))
            return
        self.show_info(self.tr("外呼已结束(报修单 %1):请记录结果").replace("%1", str(placed.get("ticket") or "")))
        if placed.get("kind") == "callback":
            self.worklists.callbacks_wanted.emit()

    def on_survey_saved(self, answer: dict) -> None:
        msg = self.tr("回访已保存:%1").replace("%1", str(answer.get("ticket") or ""))
        if answer.get("reopened"):
            msg += self.tr(",问题未解决,已重开为 %1 并通知领班").replace("%1", str(answer["reopened"]))
        self.show_info(msg)
        self.worklists.survey_saved(answer)

    def on_action_failed(self, msg: str) -> None:
        """The server refused (403/409/422): its words go where the person pressed the button."""
        self.tickets.detail.show_error(msg)
        self.register.show_error(msg)
        self.banner.ack_failed()
        if self._tab_key(self.tabs.currentIndex()) in (TAB_CALLBACKS, TAB_SURVEYS):
            self.show_error(msg)

    # -------------------------------------------------------- state bar --
    def _toggle_queue(self, want: bool) -> None:
        self._set_checked(self.queue_button, bool(self.desk.agent_state.get("member")))   # the server decides
        self.api.join_queue(want)

    def _toggle_pause(self, want: bool) -> None:
        self._set_checked(self.pause_button, bool(self.desk.agent_state.get("paused")))
        self.api.pause(want, self.pause_reason.currentData() if want else "")

    def show_agent_state(self, st: dict) -> None:
        member, paused = bool(st.get("member")), bool(st.get("paused"))
        self._set_checked(self.queue_button, member)
        self.queue_button.setText(self.tr("签出队列") if member else self.tr("签入队列"))
        self._set_checked(self.pause_button, paused)
        self.pause_button.setText(self.tr("示闲") if paused else self.tr("示忙"))
        if paused and st.get("reason"):
            i = self.pause_reason.findData(st.get("reason"))
            if i >= 0:
                self.pause_reason.setCurrentIndex(i)
        if not member:
            text, colour = self.tr("未签入"), GREY
        elif st.get("in_call"):
            text, colour = self.tr("通话中"), RED
        elif st.get("wrapup"):
            text, colour = self.tr("话后整理"), AMBER
        elif paused:
            text, colour = self.tr("示忙: %1").replace("%1", self._reason_text(str(st.get("reason") or ""))), AMBER
        else:
            text, colour = self.tr("空闲等待来电"), GREEN
        self.state_label.setText(f"<span style='color:{colour}'>●</span> {text}")

    def on_sip_registered(self, ok: bool, status: int = 0) -> None:
        set_dot(self.sip_label, ok, self.tr("话机已注册") if ok else
                (self.tr("话机未注册") if not status else self.tr("话机未注册 (%1)").replace("%1", str(status))))
        if not ok and status in (401, 403, 404):     # refused, not just unreachable: retrying won't help
            self.show_error(self.tr("话机注册被拒绝（%1），请联系管理员核对您的话机账号").replace("%1", str(status)))

    def on_connection(self, up: bool) -> None:
        if up:
            set_dot(self.service_label, True, self.tr("服务已连接"))
        elif self.api is not None and getattr(self.api, "token", ""):
            set_dot(self.service_label, False, self.tr("服务断开，正在重连…"))
        else:
            set_dot(self.service_label, None, self.tr("服务未连接"))

    def on_telephony_restarted(self) -> None:
        self.phone.renew_registration()
        self.show_info(self.tr("电话系统已重启，话机重新注册"))

    def _refresh_script(self) -> None:
        if getattr(self.api, "token", ""):
            self.api.get_script()

    # ------------------------------------------------------------- call --
    def show_pop(self, pop: dict) -> None:
        """The call rings: account card, history, IVR answers and the prefilled form."""
        self.card.show_pop(pop)
        self.form.load_pop(pop)
        self.form.new_button.setEnabled(bool(pop.get("uniqueid")))
        acc = pop.get("account") or {}
        caller = str(pop.get("caller") or "")
        who = acc.get("name") or self.tr("未识别客户")
        self.softphone.set_caller(f"{caller}  {who}".strip())

    def _alert(self) -> None:
        if QApplication.instance() is not None and self.isVisible():
            QApplication.alert(self, 0)

    def show_wrapup(self, on: bool) -> None:
        self.wrapup_button.setVisible(on)
        if not on:
            self.wrapup_label.setText("")

    def show_wrapup_left(self, secs: int) -> None:
        self.wrapup_label.setText(self.tr("话后整理 剩余 %1").replace("%1", fmt_secs(secs)))

    def _reject(self) -> None:
        """拒接: on the record at the server (it counts like a call left ringing), then declined."""
        pop = self.desk.pop or {}
        if self.desk.pop_live and pop.get("uniqueid"):
            # declined only after the server's answer: a phone declined first can stop ringing before
            # the request arrives, and the server then refuses the reject as not this agent's call
            self.api.reject_call(str(pop["uniqueid"]), then=self.phone.reject)
        else:
            self.phone.reject()

    # ---------------------------------------------------- accounts, tickets --
    def on_account_chosen(self, acc: dict) -> None:
        self.form.set_account(acc)
        if acc.get("account_no"):
            self.api.get_account(str(acc["account_no"]))

    def on_ticket_saved(self, t: dict) -> None:
        self.form.save_finished(True)
        self.show_info(self.tr("报修单 %1 已保存").replace("%1", str(t.get("number", ""))))
        self.desk.ticket_saved(t)
        self.worklists.ticket_saved(t)

    def _new_ticket(self) -> None:
        pop = self.desk.pop or {}
        if pop.get("uniqueid"):
            self.api.new_ticket(str(pop["uniqueid"]))

    def on_ticket_created(self, t: dict) -> None:
        """The server's new ticket goes on the form; the form's unsaved one stays in the drafts."""
        self.desk.keep_form(str(t.get("number", "")))
        self.form.load_ticket(t)
        self.show_info(self.tr("已新建报修单 %1").replace("%1", str(t.get("number", ""))))

    def _save_error(self, msg: str) -> None:
        if self.form.saving:
            self.form.save_finished(False, msg)

    # ------------------------------------------------------------ audio --
    def _play_voice(self, number: str, url: str) -> None:
        self.show_info(self.tr("正在下载语音描述…"))
        self.api.download_voice(number, url)

    def _play_audio(self, path: str, what: str) -> None:
        """In the headset when the softphone has real audio, else the system's player."""
        if audio.play(self.phone, path) == "headset":
            self.show_info(self.tr("正在耳机中播放%1").replace("%1", what))
        else:
            self.show_info(self.tr("已用系统播放器打开%1").replace("%1", what))

    def open_recordings(self) -> None:
        self.recordings.set_user(self.desk.user)
        self.recordings.show()
        self.recordings.raise_()
        self.recordings.refresh()

    # ---------------------------------------------------------- status --
    def show_error(self, msg: str) -> None:
        log.warning("shown to the agent: %s", msg)     # the log handler masks numbers
        self.status_line.setStyleSheet(f"color:{RED}")
        self.status_line.setText(time.strftime("%H:%M:%S ") + str(msg))

    def show_info(self, msg: str) -> None:
        self.status_line.setStyleSheet("")
        self.status_line.setText(time.strftime("%H:%M:%S ") + str(msg))

    def closeEvent(self, event: QEvent) -> None:
        self._closing = True
        try:
            self.form.flush_autosave()
            app = QApplication.instance()
            deadline = time.monotonic() + 1.0
            while app is not None and time.monotonic() < deadline and getattr(self.api, "_pending", None):
                app.processEvents()
            self.phone.shutdown()
            self.api.shutdown()
        except Exception:
            pass
        super().closeEvent(event)
