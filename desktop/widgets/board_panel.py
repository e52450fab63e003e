"""The 看板 tab (#30): the agent board of a team lead, the head or an admin. A strip of the line's figures
(callers waiting, the longest wait, today's service level, answered, agents by state, repairs open); every
agent with state, how long, whom they talk to (masked), the wrap-up countdown, calls today — a pause past
its limit on a red ground — and from a row 监听 / 耳语 (team leads' phones only: the head's and an admin's
buttons stay disabled, the server refuses them), 强制示闲 and 签退 (each confirmed, with a note, audited);
the callers waiting (position, masked number, wait, priority, what they keyed in the IVR); the open
alerts with 确认 (an optional note) — a hot spot's with 宣布停热, the dialog prefilled with its place and a
proposed notice; the open outages (区域停热) with 宣布停热 and 结束 (回电通知 optional).

The panel shows what the board state holds (desktop.state.board.BoardState) and emits what the person
asked for; ``connect_board`` wires it to the requests (desktop.services.board.BoardApi) and the answers
back, the server's words shown under the table. Dialogs are opened, never exec()'d: the board goes on
ticking meanwhile."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication, QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.models.board import AgentBoardModel, AlertsModel, OutagesModel, WaitingModel, duration_text, state_text
from desktop.models.labels import alert_label, board_state_label
from desktop.services import board as requests
from desktop.state.board import BoardState
from desktop.widgets.common import GREY, RED, readonly_table
from desktop.widgets.note_dialog import NoteDialog
from common import wire


def hot_spot_area(alert: dict | None) -> str:
    """A hot spot alert's place (its subject: 区/小区[/楼号]), '' for any other alert."""
    alert = alert or {}
    return str(alert.get("subject") or "") if alert.get("kind") == "hot_spot" else ""


def _selected(table, model) -> dict:
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    return (model.row_dict(rows[0].row()) or {}) if rows else {}


def _show_rows(table, model, rows: list[dict]) -> None:
    """New rows, the selected one (by its key) kept selected when it is still there."""
    key = getattr(model, "KEY", "id")
    keep = _selected(table, model).get(key)
    model.set_rows(rows)
    if keep is not None:
        i = next((n for n, r in enumerate(model.rows()) if r.get(key) == keep), -1)
        if i >= 0:
            table.selectRow(i)


def spoken_area(area: str) -> str:
    """'和平区/幸福里小区/3' as a notice says it: 和平区幸福里小区3号楼."""
    parts = [p.strip() for p in str(area or "").replace("／", "/").split("/") if p.strip()]
    if len(parts) == 3 and not parts[2].endswith(("楼", "栋", "座")):
        parts[2] += "号楼"
    return "".join(parts)


def default_outage_message(area: str, until: QDateTime) -> str:
    """A hot spot's proposed notice: <area>供热管网故障抢修中,预计X时恢复 (X the expected end's hour;
    the lead edits it)."""
    return QCoreApplication.translate("OutageDialog", "%1供热管网故障抢修中,预计%2时恢复") \
        .replace("%1", spoken_area(area)).replace("%2", str(until.time().hour()))


class OutageDialog(QDialog):
    """宣布停热: the area (区/小区[/楼号]), the expected end, the message callers from there hear. From a
    hot spot's alert: the place prefilled and a message proposed, which follows the expected end's hour
    until the lead edits it."""

    def __init__(self, parent, now: QDateTime | None = None, area: str = ""):
        super().__init__(parent)
        self.setWindowTitle(self.tr("宣布停热"))
        self.setMinimumWidth(460)
        head = QLabel(self.tr("宣布区域停热:该区域来电人在欢迎语后听到下面的通知,按1登记为受影响(不建报修单)"))
        head.setWordWrap(True)
        head.setStyleSheet("font-weight:bold")
        self.area = QLineEdit()
        self.area.setMaxLength(wire.OUTAGE_AREA_MAX)
        self.area.setPlaceholderText(self.tr("区/小区[/楼号],例如 和平区/幸福里小区"))
        self.until = QDateTimeEdit((now or QDateTime.currentDateTime()).addSecs(4 * 3600))
        self.until.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.until.setCalendarPopup(True)
        self.message = QPlainTextEdit()
        self.message.setFixedHeight(90)
        self.message.setPlaceholderText(self.tr("例如:幸福里小区因主管道抢修暂停供热,预计今天18点恢复"))
        self.count = QLabel()
        self.count.setStyleSheet(f"color:{GREY}")
        form = QFormLayout()
        form.addRow(self.tr("区域"), self.area)
        form.addRow(self.tr("预计恢复"), self.until)
        form.addRow(self.tr("通知内容"), self.message)
        form.addRow("", self.count)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.area.textChanged.connect(self._update)
        self.message.textChanged.connect(self._update)
        #: the message proposed for a hot spot, while the lead has not changed it
        self.proposed = ""
        if area:
            self.area.setText(area)
            self.proposed = default_outage_message(area, self.until.dateTime())
            self.message.setPlainText(self.proposed)
            self.until.dateTimeChanged.connect(self._propose)
        self._update()

    def _propose(self, until: QDateTime) -> None:
        """The expected end moved: the proposed message says its hour, unless the lead wrote their own."""
        if self.proposed and self.message.toPlainText() == self.proposed:
            self.proposed = default_outage_message(self.area.text(), until)
            self.message.setPlainText(self.proposed)

    def values(self) -> tuple[str, str, str]:
        return (self.area.text().strip(), self.until.dateTime().toString("yyyy-MM-ddTHH:mm:ss"),
                self.message.toPlainText().strip())

    def _update(self) -> None:
        area, _until, message = self.values()
        self.count.setText(self.tr("%1 / %2 字").replace("%1", str(len(message)))
                           .replace("%2", str(wire.OUTAGE_MESSAGE_MAX)))
        ok = bool(area) and bool(message) and len(message) <= wire.OUTAGE_MESSAGE_MAX
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def accept(self) -> None:
        if self.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled():
            super().accept()


class EndOutageDialog(QDialog):
    """结束停热, optionally with the 供热已恢复 call to every caller who keyed 1 on its notice."""

    def __init__(self, parent, outage: dict):
        super().__init__(parent)
        self.setWindowTitle(self.tr("结束停热"))
        head = QLabel(self.tr("结束 %1 的停热通知?").replace("%1", str(outage.get("area") or "")))
        head.setStyleSheet("font-weight:bold")
        self.call_back = QCheckBox(self.tr("回电通知已登记的 %1 位来电人“供热已恢复”")
                                   .replace("%1", str(outage.get("affected") or 0)))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(self.call_back)
        lay.addWidget(self.buttons)


class BoardPanel(QWidget):
    refresh_requested = Signal()
    listen_requested = Signal(str, bool)           # 工号, whisper
    unpause_requested = Signal(str, str)           # 工号, note
    sign_out_requested = Signal(str, str)          # 工号, note
    ack_requested = Signal(int, str)               # alert id, note
    outage_requested = Signal(str, str, str)       # area, until (ISO), message
    outage_end_requested = Signal(int, bool)       # outage id, call back

    def __init__(self, state: BoardState, parent=None):
        super().__init__(parent)
        self.state = state
        self.dialog: QDialog | None = None
        # ---- the line's figures ----
        self.summary = QLabel()
        self.summary.setStyleSheet("font-size:15px; padding:4px 6px; background:#f1f5f9; border-radius:4px")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.as_of = QLabel()
        self.as_of.setStyleSheet(f"color:{GREY}")
        self.refresh_button = QPushButton(self.tr("刷新"))
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.as_of)
        top.addWidget(self.refresh_button)
        # ---- the agents ----
        self.agents_model = AgentBoardModel(state, self)
        self.agents = readonly_table(self.agents_model, self)
        header = self.agents.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)     # 状态, with a pause's reason
        self.listen_button = QPushButton(self.tr("监听"))
        self.whisper_button = QPushButton(self.tr("耳语"))
        self.whisper_button.setToolTip(self.tr("座席能听到您,住户听不到"))
        self.unpause_button = QPushButton(self.tr("强制示闲"))
        self.sign_out_button = QPushButton(self.tr("签退"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        actions = QHBoxLayout()
        for b in (self.listen_button, self.whisper_button, self.unpause_button, self.sign_out_button):
            actions.addWidget(b)
        actions.addWidget(self.message, 1)
        agents_box = QGroupBox(self.tr("座席"))
        al = QVBoxLayout(agents_box)
        al.addWidget(self.agents, 1)
        al.addLayout(actions)
        # ---- the callers waiting ----
        self.waiting_model = WaitingModel(state, self)
        self.waiting = readonly_table(self.waiting_model, self)
        waiting_box = QGroupBox(self.tr("排队来电"))
        QVBoxLayout(waiting_box).addWidget(self.waiting)
        # ---- alerts ----
        self.alerts_model = AlertsModel(self)
        self.alerts = readonly_table(self.alerts_model, self)
        self.ack_button = QPushButton(self.tr("确认"))
        self.declare_spot_button = QPushButton(self.tr("宣布停热"))
        self.declare_spot_button.setToolTip(self.tr("热点告警:为该区域宣布停热(区域与通知已预填,可修改)"))
        alerts_box = QGroupBox(self.tr("告警"))
        xl = QVBoxLayout(alerts_box)
        xl.addWidget(self.alerts, 1)
        xr = QHBoxLayout()
        xr.addStretch(1)
        xr.addWidget(self.declare_spot_button)
        xr.addWidget(self.ack_button)
        xl.addLayout(xr)
        # ---- outages ----
        self.outages_model = OutagesModel(self)
        self.outages = readonly_table(self.outages_model, self)
        self.declare_button = QPushButton(self.tr("宣布停热"))
        self.end_button = QPushButton(self.tr("结束"))
        outages_box = QGroupBox(self.tr("区域停热"))
        ol = QVBoxLayout(outages_box)
        ol.addWidget(self.outages, 1)
        orow = QHBoxLayout()
        orow.addStretch(1)
        orow.addWidget(self.declare_button)
        orow.addWidget(self.end_button)
        ol.addLayout(orow)

        bottom = QSplitter(Qt.Orientation.Horizontal)
        for box in (waiting_box, alerts_box, outages_box):
            bottom.addWidget(box)
        bottom.setSizes([420, 460, 420])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(agents_box)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(split, 1)

        self.refresh_button.clicked.connect(self.refresh_requested)
        self.listen_button.clicked.connect(lambda: self._listen(False))
        self.whisper_button.clicked.connect(lambda: self._listen(True))
        self.unpause_button.clicked.connect(self.ask_unpause)
        self.sign_out_button.clicked.connect(self.ask_sign_out)
        self.ack_button.clicked.connect(lambda: self.ask_ack(int(self.current_alert().get("id", -1))))
        self.declare_button.clicked.connect(lambda: self.ask_declare())
        self.declare_spot_button.clicked.connect(lambda: self.ask_declare(hot_spot_area(self.current_alert())))
        self.end_button.clicked.connect(self.ask_end)
        for table in (self.agents, self.alerts, self.outages):
            table.selectionModel().selectionChanged.connect(lambda *_: self.update_buttons())
        state.changed.connect(self.show_board)
        state.alerts_changed.connect(self.show_alerts)
        state.ticked.connect(self.tick)
        self.show_board()

    # ------------------------------------------------------------ showing --
    def current_agent(self) -> dict:
        return _selected(self.agents, self.agents_model)

    def current_alert(self) -> dict:
        return _selected(self.alerts, self.alerts_model)

    def current_outage(self) -> dict:
        return _selected(self.outages, self.outages_model)

    def show_board(self) -> None:
        st = self.state
        _show_rows(self.agents, self.agents_model, st.agents)
        _show_rows(self.waiting, self.waiting_model, st.waiting)
        _show_rows(self.outages, self.outages_model, st.outages)
        self.show_alerts()
        now = str(st.board.get("now") or "")
        self.as_of.setText(self.tr("更新于 %1").replace("%1", now[11:19]) if now else self.tr("尚未取得看板"))
        self.show_summary()
        self.update_buttons()

    def show_alerts(self) -> None:
        _show_rows(self.alerts, self.alerts_model, self.state.alerts)
        self.update_buttons()

    def tick(self) -> None:
        self.agents_model.tick()
        self.waiting_model.tick()
        self.show_summary()

    def show_summary(self) -> None:
        st = self.state
        s = st.summary
        if not st.board:
            self.summary.setText(self.tr("看板:等待服务器数据…"))
            return
        waiting = int(s.get("waiting") or len(st.waiting))
        longest = st.longest_wait()
        level = s.get("service_level")
        parts = [self.tr("排队 <b>%1</b> 人").replace("%1", str(waiting)),
                 self.tr("最长等待 <b>%1</b>").replace("%1", duration_text(longest)),
                 self.tr("今日服务水平 <b>%1</b>").replace(
                     "%1", f"{round(float(level) * 100)}%" if isinstance(level, (int, float)) else "—"),
                 self.tr("今日接听 <b>%1</b>").replace("%1", str(s.get("answered_today", "—")))]
        by_state = s.get("agents_by_state") if isinstance(s.get("agents_by_state"), dict) else {}
        for code in wire.BOARD_STATES:
            if by_state.get(code):
                parts.append(f"{board_state_label(code)} <b>{int(by_state[code])}</b>")
        if "open_repairs" in s:
            parts.append(self.tr("在修 %1(超时 %2)").replace("%1", str(s.get("open_repairs", 0)))
                         .replace("%2", str(s.get("overdue_repairs", 0))))
        if s.get("open_complaints"):
            parts.append(self.tr("未结投诉 %1").replace("%1", str(s["open_complaints"])))
        text = " · ".join(parts)
        if waiting and longest:
            text = f"<span style='color:{RED}'>●</span> " + text
        self.summary.setText(text)

    def update_buttons(self) -> None:
        st, row = self.state, self.current_agent()
        listen = st.can_listen(row)
        self.listen_button.setEnabled(listen)
        self.whisper_button.setEnabled(listen)
        tip = "" if st.listener else self.tr("只有领班的话机可以监听")
        self.listen_button.setToolTip(tip)
        self.whisper_button.setToolTip(tip or self.tr("座席能听到您,住户听不到"))
        self.unpause_button.setEnabled(st.can_unpause(row))
        self.sign_out_button.setEnabled(st.can_sign_out(row))
        alert = self.current_alert()
        self.ack_button.setEnabled(bool(alert) and not alert.get("acked_at"))
        self.declare_button.setEnabled(st.watching)
        self.declare_spot_button.setVisible(bool(hot_spot_area(alert)))
        self.declare_spot_button.setEnabled(st.watching and bool(hot_spot_area(alert)))
        self.end_button.setEnabled(bool(self.current_outage()))

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(f"color:{RED}" if error else "")
        self.message.setText(text)

    def select_agent(self, agent_no: str) -> None:
        i = self.agents_model.find(agent_no)
        if i >= 0:
            self.agents.selectRow(i)

    # ------------------------------------------------------------ asking --
    def _who(self, row: dict) -> str:
        return f"{row.get('agent_no', '')} {row.get('name', '')}".strip()

    def _open(self, dialog: QDialog, on_ok: Callable[[QDialog], None]) -> QDialog:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.accepted.connect(lambda: on_ok(dialog))
        dialog.open()
        return dialog

    def _listen(self, whisper: bool) -> None:
        row = self.current_agent()
        if self.state.can_listen(row):
            self.listen_requested.emit(str(row["agent_no"]), whisper)

    def ask_unpause(self) -> None:
        row = self.current_agent()
        if not self.state.can_unpause(row):
            return
        prompt = self.tr("将 %1 强制示闲?(示忙 %2,已 %3)该座席将重新接听来电,操作记入审计。") \
            .replace("%1", self._who(row)).replace("%2", str(row.get("reason") or "")) \
            .replace("%3", duration_text(self.state.seconds(row)))
        no = str(row["agent_no"])
        self._open(NoteDialog(self, self.tr("强制示闲"), prompt, note_label=self.tr("备注"),
                              placeholder=self.tr("例如:已电话提醒,小休超时")),
                   lambda d: self.unpause_requested.emit(no, d.text()))

    def ask_sign_out(self) -> None:
        row = self.current_agent()
        if not self.state.can_sign_out(row):
            return
        prompt = self.tr("将 %1 签退?(%2)其登录结束、退出队列,需重新登录,操作记入审计。") \
            .replace("%1", self._who(row)).replace("%2", state_text(row))
        no = str(row["agent_no"])
        self._open(NoteDialog(self, self.tr("签退"), prompt, note_label=self.tr("备注"),
                              placeholder=self.tr("例如:小休超过15分钟,按规定签退")),
                   lambda d: self.sign_out_requested.emit(no, d.text()))

    def ask_ack(self, aid: int) -> None:
        alert = next((a for a in self.state.alerts if a.get("id") == aid), None)
        if alert is None:
            return
        prompt = self.tr("确认告警:%1 — %2").replace("%1", alert_label(alert.get("kind"))) \
            .replace("%2", str(alert.get("message") or ""))
        self._open(NoteDialog(self, self.tr("确认告警"), prompt, note_label=self.tr("处理说明"),
                              placeholder=self.tr("例如:已联系座席回到岗位")),
                   lambda d: self.ack_requested.emit(int(aid), d.text()))

    def ask_declare(self, area: str = "") -> None:
        """宣布停热; from a hot spot (its place as `area`) the dialog comes prefilled."""
        self._open(OutageDialog(self, area=str(area or "")), lambda d: self.outage_requested.emit(*d.values()))

    def ask_end(self) -> None:
        outage = self.current_outage()
        if outage.get("id") is None:
            return
        oid = int(outage["id"])
        self._open(EndOutageDialog(self, outage), lambda d: self.outage_end_requested.emit(oid, d.call_back.isChecked()))


def connect_board(api: requests.BoardApi, state: BoardState, panel: BoardPanel,
                  notify: Callable[[str, bool], None], expect_call: Callable[[dict], None]) -> None:
    """The 看板 tab's wiring: the panel's asks to the requests, the answers to the state and to
    words under the table (and `notify`: the window's status line); a listen-in's grant to
    `expect_call` (the lead's phone rings next and is answered)."""
    def say(text: str, error: bool = False) -> None:
        panel.show_message(text, error)
        notify(text, error)

    def who(agent_no: str) -> str:
        row = state.agent(agent_no)
        return f"{agent_no} {row.get('name', '')}".strip()

    def listening(grant: dict) -> None:
        expect_call(grant)
        say(QCoreApplication.translate("BoardPanel", "%1 %2:您的话机即将响铃并自动接通")
            .replace("%1", str(grant.get("label") or ""))
            .replace("%2", f"{grant.get('agent') or ''} {grant.get('name') or ''}".strip()))

    def unpaused(agent_no: str, _answer: dict) -> None:
        say(QCoreApplication.translate("BoardPanel", "已将 %1 强制示闲").replace("%1", who(agent_no)))
        state.refresh()

    def signed_out(agent_no: str, _answer: dict) -> None:
        say(QCoreApplication.translate("BoardPanel", "已将 %1 签退").replace("%1", who(agent_no)))
        state.refresh()

    def acked(aid: int, answer: dict) -> None:
        state.acked(aid, answer)
        say(QCoreApplication.translate("BoardPanel", "告警已确认"))

    def declared(outage: dict) -> None:
        state.outage_declared(outage)
        say(QCoreApplication.translate("BoardPanel", "已宣布停热:%1").replace("%1", str(outage.get("area") or "")))

    def ended(oid: int, outage: dict) -> None:
        state.outage_ended(oid)
        say(QCoreApplication.translate("BoardPanel", "停热已结束,将回电通知已登记的来电人") if outage.get("call_back")
            else QCoreApplication.translate("BoardPanel", "停热已结束"))

    def failed(what: str, msg: str, _status: int) -> None:
        if what == requests.BOARD:
            say(QCoreApplication.translate("BoardPanel", "看板未能刷新:%1").replace("%1", msg), True)
        else:
            say(msg, True)

    state.board_wanted.connect(api.board)
    panel.refresh_requested.connect(state.refresh)
    panel.listen_requested.connect(api.listen_in)
    panel.unpause_requested.connect(api.unpause)
    panel.sign_out_requested.connect(api.sign_out)
    panel.ack_requested.connect(api.ack)
    panel.outage_requested.connect(api.declare_outage)
    panel.outage_end_requested.connect(api.end_outage)
    api.board_loaded.connect(state.set_board)
    api.listening.connect(listening)
    api.unpaused.connect(unpaused)
    api.signed_out.connect(signed_out)
    api.acked.connect(acked)
    api.outage_declared.connect(declared)
    api.outage_ended.connect(ended)
    api.failed.connect(failed)
