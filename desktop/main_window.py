"""The agent desk: thin views over AgentApiClient (HTTP/WebSocket) and SoftPhone (SIP).

Panels only show data and emit what the agent did; AgentWindow wires them to the
API client and the phone. Every user-facing string goes through self.tr() with the
Chinese text as the source string (English in desktop/i18n/desktop_en.ts).
"""
from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStatusBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.api_client import AgentApiClient
from desktop.models import (
    CATEGORY_LABELS,
    CATEGORY_ORDER,
    HistoryModel,
    RecordingsModel,
    SearchResultsModel,
    category_label,
)
from desktop.sip_client import SoftPhone

log = logging.getLogger("desktop")
GREEN, RED, GREY, AMBER = "#15803d", "#b91c1c", "#6b7280", "#b45309"
#: shown until a login answer brings the server's own list (the server accepts only that list)
PAUSE_REASONS = ("小休", "用餐", "培训", "会议", "处理回访", "其他")
PRIORITIES = ((0, "普通"), (50, "加急"), (90, "紧急"))
NOTES_MAX = 4000          # the service's limit (hotline.service.api.TicketForm.notes)


def _fmt_secs(secs: float) -> str:
    secs = max(0, int(secs))
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _dot(label: QLabel, ok: bool | None, text: str) -> None:
    colour = GREY if ok is None else (GREEN if ok else RED)
    label.setText(f"<span style='color:{colour}'>●</span> {text}")


# ================================================================= login ==

class LoginDialog(QDialog):
    """工号 + 密码; stays open and shows the server's message when login fails."""
    submitted = Signal(str, str)

    def __init__(self, parent=None, api_url: str = "", agent_no: str = ""):
        super().__init__(parent)
        self.setWindowTitle(self.tr("座席登录"))
        self.setModal(True)
        form = QFormLayout()
        self.agent_no = QLineEdit(agent_no)
        self.agent_no.setPlaceholderText(self.tr("例如 1001"))
        self.agent_no.setMaxLength(16)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(256)
        form.addRow(self.tr("工号"), self.agent_no)
        form.addRow(self.tr("密码"), self.password)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color:{RED}")
        self.server = QLabel(self.tr("服务器: %1").replace("%1", api_url))
        self.server.setStyleSheet(f"color:{GREY}")
        self.login_button = QPushButton(self.tr("登录"))
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.server)
        lay.addWidget(self.login_button)
        self.setMinimumWidth(340)
        (self.password if agent_no else self.agent_no).setFocus()

    def _submit(self) -> None:
        no, pw = self.agent_no.text().strip(), self.password.text()
        if not no.isdigit():
            self.show_error(self.tr("请输入数字工号"))
            return
        if not pw:
            self.show_error(self.tr("请输入密码"))
            return
        self.message.setText(self.tr("正在登录…"))
        self.message.setStyleSheet(f"color:{GREY}")
        self.login_button.setEnabled(False)
        self.submitted.emit(no, pw)

    def show_error(self, msg: str) -> None:
        self.message.setStyleSheet(f"color:{RED}")
        self.message.setText(msg)
        self.login_button.setEnabled(True)
        self.password.selectAll()
        self.password.setFocus()


# ============================================================ softphone ==

class SoftPhonePanel(QGroupBox):
    """Buttons and indicators of the softphone; the window wires them to SoftPhone."""
    transfer_requested = Signal(str)
    dtmf_pressed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("软电话"))
        self.state = "idle"
        self.connected_at: float | None = None
        self.status = QLabel()
        f = self.status.font()
        f.setPointSize(f.pointSize() + 2)
        f.setBold(True)
        self.status.setFont(f)
        self.caller = QLabel()
        self.caller.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.timer_label = QLabel("00:00")
        self.timer_label.setFont(QFont("monospace", f.pointSize()))
        self.recording = QLabel(self.tr("● 录音中"))
        self.recording.setStyleSheet(f"color:{RED}; font-weight:bold")
        self.recording.setVisible(False)

        self.answer_button = QPushButton(self.tr("接听"))
        self.answer_button.setStyleSheet(f"QPushButton:enabled {{background:{GREEN}; color:white; font-weight:bold}}")
        self.reject_button = QPushButton(self.tr("拒接"))
        self.hangup_button = QPushButton(self.tr("挂机"))
        self.hangup_button.setStyleSheet(f"QPushButton:enabled {{background:{RED}; color:white; font-weight:bold}}")
        self.hold_button = QPushButton(self.tr("保持"))
        self.hold_button.setCheckable(True)
        self.mute_button = QPushButton(self.tr("静音"))
        self.mute_button.setCheckable(True)

        self.transfer_to = QLineEdit()
        self.transfer_to.setPlaceholderText(self.tr("领班工号"))
        self.transfer_to.setMaxLength(16)
        self.transfer_button = QPushButton(self.tr("转接"))
        self.transfer_button.clicked.connect(self._transfer)
        self.transfer_to.returnPressed.connect(self._transfer)

        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.timer_label)
        grid = QGridLayout()
        grid.addWidget(self.answer_button, 0, 0)
        grid.addWidget(self.reject_button, 0, 1)
        grid.addWidget(self.hangup_button, 0, 2)
        grid.addWidget(self.hold_button, 1, 0)
        grid.addWidget(self.mute_button, 1, 1)
        xfer = QHBoxLayout()
        xfer.addWidget(self.transfer_to, 1)
        xfer.addWidget(self.transfer_button)

        pad = QGridLayout()
        pad.setSpacing(2)
        self.keypad: dict[str, QPushButton] = {}
        for i, d in enumerate("123456789*0#"):
            b = QPushButton(d)
            b.setFixedHeight(26)
            b.clicked.connect(lambda _=False, d=d: self.dtmf_pressed.emit(d))
            pad.addWidget(b, i // 3, i % 3)
            self.keypad[d] = b

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.caller)
        lay.addWidget(self.recording)
        lay.addLayout(grid)
        lay.addLayout(xfer)
        lay.addLayout(pad)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_timer)
        self.set_state("idle")

    def _transfer(self) -> None:
        ext = self.transfer_to.text().strip()
        if ext:
            self.transfer_requested.emit(ext)

    def set_caller(self, text: str) -> None:
        self.caller.setText(text)

    def set_state(self, state: str) -> None:
        self.state = state
        texts = {"idle": self.tr("空闲"), "ringing": self.tr("来电振铃…"), "talking": self.tr("通话中"),
                 "held": self.tr("通话保持"), "ended": self.tr("通话结束")}
        self.status.setText(texts.get(state, state))
        in_call = state in ("talking", "held")
        self.answer_button.setEnabled(state == "ringing")
        self.reject_button.setEnabled(state == "ringing")
        self.hangup_button.setEnabled(in_call)
        self.hold_button.setEnabled(in_call)
        self.mute_button.setEnabled(in_call)
        self.transfer_button.setEnabled(in_call)
        for b in self.keypad.values():
            b.setEnabled(in_call)
        self.recording.setVisible(in_call)
        if in_call and self.connected_at is None:
            self.connected_at = time.monotonic()
            self._tick.start()
        if not in_call and state != "ringing":
            self._tick.stop()
            if state == "idle":
                self.hold_button.setChecked(False)
                self.mute_button.setChecked(False)
            self.connected_at = None
        if state == "ringing":
            self.timer_label.setText("00:00")
        self._update_timer()

    def _update_timer(self) -> None:
        if self.connected_at is not None:
            self.timer_label.setText(_fmt_secs(time.monotonic() - self.connected_at))


# =============================================================== script ==

def readonly_table(model, parent) -> QTableView:
    """A list the agent reads and picks rows from (history, search hits, recordings)."""
    t = QTableView(parent)
    t.setModel(model)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(22)
    t.horizontalHeader().setStretchLastSection(True)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setMinimumSectionSize(72)     # readable headers on an empty table too
    t.setMinimumHeight(70)
    return t


class RecordingsDialog(QDialog):
    """我的录音: the agent's own recordings, replayed through the API (the service audits each
    replay). Nothing is deleted from the desk."""
    play_requested = Signal(int)
    refresh_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("我的录音"))
        self.resize(560, 360)
        self.model = RecordingsModel(self)
        self.table = readonly_table(self.model, self)
        self.table.doubleClicked.connect(lambda _i: self._play())
        self.play_button = QPushButton(self.tr("回放"))
        self.play_button.clicked.connect(self._play)
        refresh = QPushButton(self.tr("刷新"))
        refresh.clicked.connect(self.refresh_requested)
        hint = QLabel(self.tr("录音保存在热线服务器上，只能回放本人接听的通话；每次回放都会记录。"))
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color:{GREY}")
        buttons = QHBoxLayout()
        buttons.addWidget(hint, 1)
        buttons.addWidget(refresh)
        buttons.addWidget(self.play_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)

    def show_rows(self, rows: list) -> None:
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)

    def _play(self) -> None:
        row = self.model.row_dict(self.table.currentIndex().row())
        if row and row.get("id") is not None:
            self.play_requested.emit(int(row["id"]))


class ScriptPanel(QGroupBox):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("话术"))
        self.opening = QLabel(self.tr("（登录后显示开场白）"))
        self.closing = QLabel(self.tr("好!维修人员会尽快跟您联系。感谢您的来电。再见!"))
        for w in (self.opening, self.closing):
            w.setWordWrap(True)
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            w.setStyleSheet("font-size:11pt; padding:4px; background:#f1f5f9; border-radius:4px")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("开场白")))
        lay.addWidget(self.opening)
        lay.addWidget(QLabel(self.tr("结束语")))
        lay.addWidget(self.closing)
        lay.addStretch(1)

    def set_script(self, data: dict) -> None:
        if data.get("opening"):
            self.opening.setText(str(data["opening"]))
        if data.get("closing"):
            self.closing.setText(str(data["closing"]))


# ========================================================= account card ==

class AccountPanel(QWidget):
    """Screen pop: the account card, search for unknown callers, history, IVR answers."""
    search_requested = Signal(str)
    account_chosen = Signal(dict)
    play_voice_requested = Signal(str, str)     # ticket number, voice URL path

    def __init__(self, parent=None):
        super().__init__(parent)
        self.account: dict | None = None
        self.voice: tuple[str, str] | None = None

        self.card = QGroupBox(self.tr("客户信息"))
        cf = QFormLayout(self.card)
        cf.setVerticalSpacing(3)
        self.banner = QLabel()
        self.banner.setStyleSheet(f"color:{AMBER}; font-weight:bold")
        self.account_no = QLabel()
        self.name = QLabel()
        self.address = QLabel()
        self.address.setWordWrap(True)
        self.phones = QLabel()
        self.station = QLabel()
        for w in (self.account_no, self.name, self.address, self.phones, self.station):
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        f = self.account_no.font()
        f.setBold(True)
        self.account_no.setFont(f)
        self.name.setFont(f)
        cf.addRow(self.banner)
        cf.addRow(self.tr("户号"), self.account_no)
        cf.addRow(self.tr("姓名"), self.name)
        cf.addRow(self.tr("地址"), self.address)
        cf.addRow(self.tr("电话"), self.phones)
        cf.addRow(self.tr("维修站"), self.station)

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(self.tr("电话、户号或地址关键字"))
        self.search_box.setMaxLength(64)
        self.search_button = QPushButton(self.tr("搜索"))
        self.search_box.returnPressed.connect(self._search)
        self.search_button.clicked.connect(self._search)
        self.results_model = SearchResultsModel(self)
        self.results = readonly_table(self.results_model, self)
        self.results.setVisible(False)
        self.results.doubleClicked.connect(self._choose)
        self.results.activated.connect(self._choose)
        sb = QHBoxLayout()
        sb.addWidget(self.search_box, 1)
        sb.addWidget(self.search_button)

        self.history_model = HistoryModel(self)
        self.history = readonly_table(self.history_model, self)
        hist_box = QGroupBox(self.tr("历史报修"))
        hl = QVBoxLayout(hist_box)
        hl.setContentsMargins(4, 4, 4, 4)
        hl.addWidget(self.history)

        self.ivr_box = QGroupBox(self.tr("IVR 按键信息"))
        ivr = QFormLayout(self.ivr_box)
        ivr.setVerticalSpacing(3)
        self.ivr_category = QLabel("—")
        self.ivr_callback = QLabel("—")
        self.ivr_callback.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.play_button = QPushButton(self.tr("▶ 播放语音描述"))
        self.play_button.setEnabled(False)
        self.play_button.clicked.connect(self._play)
        ivr.addRow(self.tr("问题"), self.ivr_category)
        ivr.addRow(self.tr("回电号码"), self.ivr_callback)
        ivr.addRow(self.tr("语音描述"), self.play_button)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.card)
        lay.addLayout(sb)
        lay.addWidget(self.results, 1)
        lay.addWidget(hist_box, 2)
        lay.addWidget(self.ivr_box)
        self.show_account(None)

    def _search(self) -> None:
        q = self.search_box.text().strip()
        if q:
            self.search_requested.emit(q)

    def _choose(self, index) -> None:
        row = self.results_model.row_dict(index.row())
        if row:
            self.show_account(row)
            self.account_chosen.emit(row)

    def _play(self) -> None:
        if self.voice:
            self.play_voice_requested.emit(*self.voice)

    def show_results(self, rows: list) -> None:
        self.results_model.set_rows(rows)
        self.results.setVisible(True)
        if not rows:
            self.banner.setVisible(True)
            self.banner.setText(self.tr("没有找到匹配的客户"))

    def show_account(self, acc: dict | None, caller: str = "") -> None:
        self.account = acc
        if not acc:
            self.banner.setVisible(True)
            self.banner.setText(self.tr("未识别的来电 %1，请搜索客户").replace("%1", caller) if caller
                                else self.tr("暂无来电"))
            for w in (self.account_no, self.name, self.address, self.phones, self.station):
                w.setText("")
            return
        self.banner.setText("")
        self.banner.setVisible(False)
        self.account_no.setText(str(acc.get("account_no") or ""))
        self.name.setText(str(acc.get("name") or ""))
        self.address.setText(str(acc.get("address") or ""))
        phones = acc.get("phones") or []
        self.phones.setText("、".join(map(str, phones)) if isinstance(phones, list) else str(phones))
        st = acc.get("station") or {}
        self.station.setText(f"{st.get('name', '')} {st.get('phone', '') or ''}".strip() if isinstance(st, dict)
                             else str(st))
        if isinstance(acc.get("tickets"), list):
            self.history_model.set_rows(acc["tickets"])

    def show_pop(self, pop: dict) -> None:
        acc = pop.get("account")
        self.results_model.clear()
        self.results.setVisible(not acc)
        self.search_box.clear()
        self.show_account(acc, str(pop.get("caller") or ""))
        self.history_model.set_rows(pop.get("history") or [])
        ivr = pop.get("ivr") or {}
        self.ivr_category.setText(category_label(ivr.get("category")) or "—")
        self.ivr_callback.setText(str(ivr.get("callback_number") or "—"))
        number = (pop.get("ticket") or {}).get("number") or ""
        url = ivr.get("voice_url")
        self.voice = (number, url) if url and number else None
        self.play_button.setEnabled(self.voice is not None)

    def clear(self) -> None:
        self.show_pop({})


# ========================================================== ticket form ==

class TicketFormPanel(QGroupBox):
    """The ticket being written, prefilled from the IVR; read-back boxes gate the save."""
    save_requested = Signal(str, dict)
    autosave_requested = Signal(str, dict)
    AUTOSAVE_MS = 3000

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("报修单"))
        self.number = ""
        self.account_no: str | None = None
        self.suggested_station: str | None = None
        self.dirty = False
        self.saving = False
        self.saved = False
        self._loading = False

        self.number_label = QLabel(self.tr("（无报修单）"))
        self.number_label.setStyleSheet("font-weight:bold")
        self.drafts = QComboBox()
        self.drafts.setToolTip(self.tr("上次未保存的草稿"))
        self.drafts.setVisible(False)

        self.category = QComboBox()
        self.category.addItem(self.tr("（请选择）"), None)
        for value in CATEGORY_ORDER:
            self.category.addItem(self._cat_text(value), value)
        self.address = QLineEdit()
        self.address.setMaxLength(255)
        self.name = QLineEdit()
        self.name.setMaxLength(64)
        self.phone = QLineEdit()
        self.phone.setMaxLength(20)
        self.chk_problem = QCheckBox(self.tr("已跟读确认"))
        self.chk_address = QCheckBox(self.tr("已跟读确认"))
        self.chk_name = QCheckBox(self.tr("已跟读确认"))
        self.chk_phone = QCheckBox(self.tr("已跟读确认"))
        self.station = QComboBox()
        self.station_hint = QLabel()
        self.priority = QComboBox()
        for value, text in PRIORITIES:
            self.priority.addItem(self._prio_text(text), value)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(self.tr("补充说明（故障现象、上门时间等）"))
        self.notes.setMinimumHeight(60)

        g = QGridLayout()
        g.setVerticalSpacing(4)
        g.addWidget(QLabel(self.tr("单号")), 0, 0)
        g.addWidget(self.number_label, 0, 1)
        g.addWidget(self.drafts, 0, 2)
        rows = ((self.tr("问题"), self.category, self.chk_problem),
                (self.tr("地址"), self.address, self.chk_address),
                (self.tr("姓名"), self.name, self.chk_name),
                (self.tr("回电电话"), self.phone, self.chk_phone))
        for i, (text, field, chk) in enumerate(rows, start=1):
            g.addWidget(QLabel(text), i, 0)
            g.addWidget(field, i, 1)
            g.addWidget(chk, i, 2)
        g.addWidget(QLabel(self.tr("维修站")), 5, 0)
        g.addWidget(self.station, 5, 1)
        g.addWidget(self.station_hint, 5, 2)
        g.addWidget(QLabel(self.tr("优先级")), 6, 0)
        g.addWidget(self.priority, 6, 1)
        g.addWidget(QLabel(self.tr("备注")), 7, 0, Qt.AlignmentFlag.AlignTop)
        g.addWidget(self.notes, 7, 1, 1, 2)
        g.setColumnStretch(1, 1)

        self.save_button = QPushButton(self.tr("保存报修单"))
        self.save_button.setStyleSheet("font-weight:bold; padding:6px")
        self.save_button.clicked.connect(self._save)
        self.save_hint = QLabel()
        self.save_hint.setWordWrap(True)
        self.save_hint.setStyleSheet(f"color:{GREY}")
        self.autosave_label = QLabel()
        self.autosave_label.setStyleSheet(f"color:{GREY}")
        lay = QVBoxLayout(self)
        lay.addLayout(g, 1)
        lay.addWidget(self.save_hint)
        bottom = QHBoxLayout()
        bottom.addWidget(self.autosave_label, 1)
        bottom.addWidget(self.save_button)
        lay.addLayout(bottom)

        for chk in self.checks():
            chk.toggled.connect(self._changed)
        # the agent edits a field after reading it back → read it back again
        self.category.activated.connect(lambda _i: self._edited(self.chk_problem))
        self.address.textEdited.connect(lambda _t: self._edited(self.chk_address))
        self.name.textEdited.connect(lambda _t: self._edited(self.chk_name))
        self.phone.textEdited.connect(lambda _t: self._edited(self.chk_phone))
        self.station.currentIndexChanged.connect(self._station_changed)
        self.priority.currentIndexChanged.connect(self._changed)
        self.notes.textChanged.connect(self._changed)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(self.AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.flush_autosave)
        self.autosave_timer.start()
        self._update_save_state()

    # labels of the fixed lists (kept as literal tr() calls for lupdate)
    def _cat_text(self, value: str) -> str:
        return {"no_heat": self.tr("暖气不热"), "leak": self.tr("漏水"), "noise": self.tr("噪音或异响"),
                "other": self.tr("缴费及其他")}.get(value, CATEGORY_LABELS.get(value, value))

    def _prio_text(self, text: str) -> str:
        return {"普通": self.tr("普通"), "加急": self.tr("加急"), "紧急": self.tr("紧急")}.get(text, text)

    def checks(self) -> tuple[QCheckBox, ...]:
        return (self.chk_problem, self.chk_address, self.chk_name, self.chk_phone)

    @property
    def all_confirmed(self) -> bool:
        return all(c.isChecked() for c in self.checks())

    @property
    def can_save(self) -> bool:
        return bool(self.number) and self.all_confirmed and not self.saving and not self.notes_too_long

    @property
    def notes_too_long(self) -> bool:
        return len(self.notes.toPlainText()) > NOTES_MAX

    def _edited(self, chk: QCheckBox) -> None:
        if chk.isChecked():
            chk.setChecked(False)
        self._changed()

    def _changed(self, *_a) -> None:
        if not self._loading:
            self.dirty = True
        self._update_save_state()

    def _update_save_state(self) -> None:
        self.save_button.setEnabled(self.can_save)
        self.save_hint.setStyleSheet(f"color:{GREY}")
        if not self.number:
            self.save_hint.setText(self.tr("本次来电没有报修单"))
        elif self.notes_too_long:     # the text stays in the box: nothing typed is thrown away
            self.save_hint.setStyleSheet(f"color:{RED}")
            self.save_hint.setText(self.tr("备注最多 %1 字（现在 %2 字），请精简后保存")
                                   .replace("%1", str(NOTES_MAX)).replace("%2", str(len(self.notes.toPlainText()))))
        elif not self.all_confirmed:
            names = [n for c, n in zip(self.checks(), (self.tr("问题"), self.tr("地址"), self.tr("姓名"),
                                                       self.tr("电话"))) if not c.isChecked()]
            self.save_hint.setText(self.tr("请向来电人跟读确认: %1").replace("%1", "、".join(names)))
        else:
            self.save_hint.setText("")

    # ---- stations ----
    def set_stations(self, stations: list) -> None:
        current = self.station.currentData()
        with QSignalBlocker(self.station):
            self.station.clear()
            self.station.addItem(self.tr("（请选择）"), None)
            for s in stations or []:
                if isinstance(s, dict) and s.get("code"):
                    self.station.addItem(f"{s.get('name', '')} ({s['code']})", s["code"])
        self._select_station(current)
        self._update_station_hint()

    def _select_station(self, code: str | None, name: str = "") -> None:
        with QSignalBlocker(self.station):
            if code is None:
                self.station.setCurrentIndex(0)
                return
            i = self.station.findData(code)
            if i < 0:
                self.station.addItem(f"{name} ({code})" if name else code, code)
                i = self.station.count() - 1
            self.station.setCurrentIndex(i)

    def _station_changed(self, _i: int) -> None:
        self._update_station_hint()
        self._changed()

    def _update_station_hint(self) -> None:
        code = self.station.currentData()
        if not self.suggested_station:
            self.station_hint.setText("")
        elif code == self.suggested_station:
            self.station_hint.setText(self.tr("按地址建议"))
            self.station_hint.setStyleSheet(f"color:{GREEN}")
        else:
            self.station_hint.setText(self.tr("与建议不同"))
            self.station_hint.setStyleSheet(f"color:{AMBER}; font-weight:bold")

    # ---- filling ----
    def clear(self) -> None:
        self._fill({}, None)

    def load_pop(self, pop: dict) -> None:
        """Prefill from a screen pop: the IVR's ticket, the account, the caller's keys."""
        t = pop.get("ticket") or {}
        acc = pop.get("account") or {}
        ivr = pop.get("ivr") or {}
        st = acc.get("station") if isinstance(acc.get("station"), dict) else {}
        values = {
            "category": t.get("category") or ivr.get("category"),
            "address": t.get("address") or acc.get("address") or "",
            "name": t.get("name") or acc.get("name") or "",
            "callback_number": t.get("callback_number") or ivr.get("callback_number") or pop.get("caller") or "",
            "station_code": t.get("station_code") or (st or {}).get("code"),
            "station_name": (st or {}).get("name", ""),
            "priority": t.get("priority") or 0,
            "notes": t.get("description") or "",
            "account_no": t.get("account_no") or acc.get("account_no"),
        }
        self._fill(values, t.get("number"), suggested=(st or {}).get("code"), draft=t.get("draft_form"))

    def load_ticket(self, t: dict) -> None:
        """An existing ticket (e.g. a draft left by a crash), its draft form taking precedence."""
        values = {"category": t.get("category"), "address": t.get("address") or "", "name": t.get("name") or "",
                  "callback_number": t.get("callback_number") or "", "station_code": t.get("station_code"),
                  "priority": t.get("priority") or 0, "notes": t.get("description") or "",
                  "account_no": t.get("account_no")}
        self._fill(values, t.get("number"), suggested=t.get("station_code"), draft=t.get("draft_form"))

    def _fill(self, v: dict, number: str | None, suggested: str | None = None, draft: dict | None = None) -> None:
        if isinstance(draft, dict) and draft:
            v = {**v, **{k: draft[k] for k in draft if not k.startswith("_")}}
        self._loading = True
        try:
            self.number = number or ""
            self.number_label.setText(self.number or self.tr("（无报修单）"))
            self.account_no = v.get("account_no")
            self.suggested_station = suggested
            i = self.category.findData(v.get("category"))
            self.category.setCurrentIndex(max(i, 0))
            self.address.setText(str(v.get("address") or ""))
            self.name.setText(str(v.get("name") or ""))
            self.phone.setText(str(v.get("callback_number") or ""))
            self._select_station(v.get("station_code"), v.get("station_name", ""))
            prio = int(v.get("priority") or 0)
            best = min(range(self.priority.count()), key=lambda k: abs(self.priority.itemData(k) - prio))
            self.priority.setCurrentIndex(best)
            self.notes.setPlainText(str(v.get("notes") or ""))
            self.chk_problem.setChecked(bool(v.get("confirmed_problem")))
            self.chk_address.setChecked(bool(v.get("confirmed_address")))
            self.chk_name.setChecked(bool(v.get("confirmed_name")))
            self.chk_phone.setChecked(bool(v.get("confirmed_phone")))
            self.saving = False
            self.saved = False
            self.dirty = False
            self.autosave_label.setText(self.tr("已恢复草稿") if draft else "")
        finally:
            self._loading = False
        self._update_station_hint()
        self._update_save_state()

    def set_account(self, acc: dict) -> None:
        """The agent picked an account for an unknown caller: link it, fill what is empty."""
        self.account_no = acc.get("account_no")
        if not self.address.text().strip() and acc.get("address"):
            self.address.setText(str(acc["address"]))
            self.chk_address.setChecked(False)
        if not self.name.text().strip() and acc.get("name"):
            self.name.setText(str(acc["name"]))
            self.chk_name.setChecked(False)
        st = acc.get("station") if isinstance(acc.get("station"), dict) else None
        if st and st.get("code"):
            self.suggested_station = st["code"]
            self._select_station(st["code"], st.get("name", ""))
        self._update_station_hint()
        self._changed()

    def form_dict(self) -> dict:
        """The body of PUT /api/tickets/{n} and its /draft (hotline.service.api.TicketForm)."""
        return {"category": self.category.currentData(), "address": self.address.text().strip(),
                "name": self.name.text().strip(), "callback_number": self.phone.text().strip(),
                "confirmed_problem": self.chk_problem.isChecked(),
                "confirmed_address": self.chk_address.isChecked(),
                "confirmed_name": self.chk_name.isChecked(), "confirmed_phone": self.chk_phone.isChecked(),
                "station_code": self.station.currentData(), "priority": int(self.priority.currentData() or 0),
                "notes": self.notes.toPlainText(), "account_no": self.account_no}

    # ---- saving ----
    def flush_autosave(self) -> None:
        if self.dirty and self.number and not self.saving:
            self.dirty = False
            self.autosave_requested.emit(self.number, self.form_dict())

    def autosave_done(self, number: str) -> None:
        if number == self.number:
            self.autosave_label.setText(self.tr("草稿已自动保存 %1").replace("%1", time.strftime("%H:%M:%S")))

    def autosave_failed(self, number: str, msg: str) -> None:
        if number == self.number:
            self.dirty = True              # try again on the next tick
            self.autosave_label.setText(self.tr("草稿未能保存: %1").replace("%1", msg))

    def _save(self) -> None:
        if not self.can_save:
            self._update_save_state()
            return
        form = self.form_dict()
        if not form["category"]:
            self.save_hint.setText(self.tr("请选择问题类型"))
            return
        if not form["address"]:
            self.save_hint.setText(self.tr("请填写地址"))
            return
        self.saving = True
        self._update_save_state()
        self.save_hint.setText(self.tr("正在保存…"))
        self.save_requested.emit(self.number, form)

    def save_finished(self, ok: bool, msg: str = "") -> None:
        self.saving = False
        self._update_save_state()
        if ok:
            self.dirty = False
            self.saved = True
            self.save_hint.setText(self.tr("报修单已保存"))
            self.save_hint.setStyleSheet(f"color:{GREEN}")
        else:
            self.save_hint.setText(msg)
            self.save_hint.setStyleSheet(f"color:{RED}")


# ============================================================ the window ==

class AgentWindow(QMainWindow):
    """The agent desk. `api` and `phone` may be injected (tests use no server, no SIP)."""

    def __init__(self, api=None, phone=None, parent=None, agent_no: str = ""):
        super().__init__(parent)
        if api is None:
            api = AgentApiClient(parent=self)
        if phone is None:
            phone = SoftPhone(self)
        self.api, self.phone = api, phone
        self.user: dict = {}
        self.agent_state: dict = {}
        self.pop: dict | None = None
        self.wrapup_started: float | None = None
        self.login_dialog: LoginDialog | None = None
        self._prefill_agent = agent_no
        self._talked = False
        self._closing = False
        self._pop_live = False

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
        for w in (self.agent_label, self.queue_button, QLabel(self.tr("示忙原因")), self.pause_reason,
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

        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(6, 6, 6, 2)
        cl.addWidget(bar)
        cl.addWidget(split, 1)
        self.setCentralWidget(central)
        self.status_line = QLabel()
        self.status_line.setWordWrap(False)
        sb = QStatusBar()
        sb.addWidget(self.status_line, 1)
        self.setStatusBar(sb)

        self._wrap_timer = QTimer(self)
        self._wrap_timer.setInterval(1000)
        self._wrap_timer.timeout.connect(self._update_wrapup)

        self._wire()
        self.set_logged_in(False)
        self.on_sip_registered(False, 0)
        self.on_connection(False)

    def set_pause_reasons(self, reasons) -> None:
        """The 示忙 reasons the server accepts; each is sent back exactly as listed."""
        self.pause_reason.clear()
        for r in reasons:
            self.pause_reason.addItem(self._reason_text(str(r)), str(r))

    # labels of fixed lists (literal tr() calls so lupdate finds them)
    def _reason_text(self, r: str) -> str:
        return {"小休": self.tr("小休"), "用餐": self.tr("用餐"), "培训": self.tr("培训"), "会议": self.tr("会议"),
                "处理回访": self.tr("处理回访"), "其他": self.tr("其他")}.get(r, r)

    # ------------------------------------------------------------ wiring --
    def _wire(self) -> None:
        api, phone = self.api, self.phone
        api.logged_in.connect(self.on_logged_in)
        api.login_failed.connect(self.on_login_failed)
        api.error.connect(self.show_error)
        api.event.connect(self.on_event)
        api.connection_changed.connect(self.on_connection)
        api.session_ended.connect(self.on_session_ended)
        api.agent_state.connect(self.on_agent_state)
        api.script_loaded.connect(self.script.set_script)
        api.stations_loaded.connect(self.form.set_stations)
        api.accounts_found.connect(self.card.show_results)
        api.account_loaded.connect(self.on_account_loaded)
        api.pop_loaded.connect(self.on_screen_pop)
        api.ticket_loaded.connect(self.form.load_ticket)
        api.draft_saved.connect(self.form.autosave_done)
        api.draft_failed.connect(self.form.autosave_failed)
        api.ticket_saved.connect(self.on_ticket_saved)
        api.drafts_loaded.connect(self.on_drafts)
        api.voice_downloaded.connect(self.on_voice_downloaded)
        api.recordings_loaded.connect(self.recordings.show_rows)
        api.recording_downloaded.connect(lambda _rid, path: self._play_audio(path, self.tr("录音")))
        self.recordings.refresh_requested.connect(api.recordings)
        self.recordings.play_requested.connect(api.download_recording)
        api.error.connect(self._save_error)

        phone.registered.connect(self.on_sip_registered)
        phone.incoming.connect(self.on_incoming)
        phone.call_state.connect(self.on_call_state)
        phone.error.connect(self.show_error)
        phone.muted_changed.connect(lambda on: self._set_checked(self.softphone.mute_button, on))
        phone.held_changed.connect(lambda on: self._set_checked(self.softphone.hold_button, on))

        sp = self.softphone
        sp.answer_button.clicked.connect(phone.answer)
        sp.reject_button.clicked.connect(phone.reject)
        sp.hangup_button.clicked.connect(phone.hangup)
        sp.hold_button.clicked.connect(lambda on: phone.hold(on))
        sp.mute_button.clicked.connect(lambda on: phone.mute(on))
        sp.transfer_requested.connect(phone.transfer)
        sp.dtmf_pressed.connect(phone.dtmf)

        self.queue_button.clicked.connect(self._toggle_queue)
        self.pause_button.clicked.connect(self._toggle_pause)
        self.wrapup_button.clicked.connect(self.end_wrapup)
        self.logout_button.clicked.connect(self.logout)
        self.recordings_button.clicked.connect(self.open_recordings)

        self.card.search_requested.connect(self._search)
        self.card.account_chosen.connect(self.on_account_chosen)
        self.card.play_voice_requested.connect(self._play_voice)
        self.form.save_requested.connect(api.save_ticket)
        self.form.autosave_requested.connect(api.autosave)
        self.form.drafts.activated.connect(self._open_draft)

        QShortcut(QKeySequence("F2"), self, activated=phone.answer)
        QShortcut(QKeySequence("F4"), self, activated=phone.hangup)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.form.save_button.click)

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
        self.user = data.get("user") or {}
        if data.get("pause_reasons"):
            self.set_pause_reasons(data["pause_reasons"])
        self.set_logged_in(True)
        self.show_info(self.tr("登录成功"))
        sip = data.get("sip") or {}
        if sip:
            self.phone.register(sip)
        self.api.get_script()
        self.api.stations()
        self.api.my_drafts()

    def set_logged_in(self, on: bool) -> None:
        if on:
            self.agent_label.setText(self.tr("%1 %2（%3）").replace("%1", str(self.user.get("agent_no", "")))
                                     .replace("%2", str(self.user.get("name", "")))
                                     .replace("%3", self._role_text(self.user.get("role", ""))))
        else:
            self.agent_label.setText(self.tr("未登录"))
        for w in (self.queue_button, self.pause_button, self.pause_reason, self.logout_button, self.recordings_button,
                  self.card.search_button, self.card.search_box):
            w.setEnabled(on)

    def _role_text(self, role: str) -> str:
        return {"agent": self.tr("座席"), "team_lead": self.tr("领班"), "head": self.tr("部长"),
                "admin": self.tr("管理员")}.get(role, role)

    def logout(self) -> None:
        self.form.flush_autosave()
        self.phone.unregister()
        self.api.logout()
        self.user = {}
        self.set_logged_in(False)
        self.start_login()

    def on_session_ended(self, msg: str) -> None:
        self.phone.unregister()
        self.user = {}
        self.set_logged_in(False)
        self.show_error(msg)
        if not self._closing:
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("会话已结束"), msg, QMessageBox.StandardButton.Ok,
                              self)
            box.finished.connect(lambda _r: self.start_login())
            box.open()

    # -------------------------------------------------------- state bar --
    def _toggle_queue(self, want: bool) -> None:
        self._set_checked(self.queue_button, bool(self.agent_state.get("member")))   # the server decides
        self.api.join_queue(want)

    def _toggle_pause(self, want: bool) -> None:
        self._set_checked(self.pause_button, bool(self.agent_state.get("paused")))
        self.api.pause(want, self.pause_reason.currentData() if want else "")

    def on_agent_state(self, st: dict) -> None:
        if not isinstance(st, dict):
            return
        self.agent_state = dict(st)
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
        elif paused:
            text, colour = self.tr("示忙: %1").replace("%1", self._reason_text(str(st.get("reason") or ""))), AMBER
        else:
            text, colour = self.tr("空闲等待来电"), GREEN
        self.state_label.setText(f"<span style='color:{colour}'>●</span> {text}")

    def on_sip_registered(self, ok: bool, status: int = 0) -> None:
        _dot(self.sip_label, ok, self.tr("话机已注册") if ok else
             (self.tr("话机未注册") if not status else self.tr("话机未注册 (%1)").replace("%1", str(status))))
        if not ok and status in (401, 403, 404):     # refused, not just unreachable: retrying won't help
            self.show_error(self.tr("话机注册被拒绝（%1），请联系管理员核对您的话机账号").replace("%1", str(status)))

    def on_connection(self, up: bool) -> None:
        if up:
            _dot(self.service_label, True, self.tr("服务已连接"))
        elif self.api is not None and getattr(self.api, "token", ""):
            _dot(self.service_label, False, self.tr("服务断开，正在重连…"))
        else:
            _dot(self.service_label, None, self.tr("服务未连接"))

    # ----------------------------------------------------------- events --
    def on_event(self, ev: dict) -> None:
        kind = ev.get("type")
        if kind == "hello":
            if not ev.get("ami", True):
                self.show_error(self.tr("电话系统暂时不可用"))
            self.api.get_script()
        elif kind == "telephony_restarted":
            self.phone.renew_registration()
            self.show_info(self.tr("电话系统已重启，话机重新注册"))
        elif kind == "screen_pop":
            self.on_screen_pop(ev)
        elif kind == "call_answered":
            self._talked = True
            self.end_wrapup()
        elif kind == "call_ended":
            if ev.get("answered") or self._talked:
                self.start_wrapup()
            elif self._pop_live:
                # the form stays: the IVR's draft is still worth a call-back
                self.show_info(self.tr("来电人在接听前挂机；报修单草稿保留，可回电处理"))
            self._talked = False
            self._pop_live = False

    def on_screen_pop(self, pop: dict) -> None:
        """The call rings: account card, history, IVR answers and the prefilled form."""
        if not isinstance(pop, dict):
            return
        if self.form.number and not self.form.saved and self.form.number != (pop.get("ticket") or {}).get("number"):
            self.form.flush_autosave()      # never lose the previous call's typing:
            self._stash_form()              # it stays reachable in the drafts list
        self.pop = pop
        self._pop_live = True
        self.card.show_pop(pop)
        self.form.load_pop(pop)
        acc = pop.get("account") or {}
        caller = str(pop.get("caller") or "")
        who = acc.get("name") or self.tr("未识别客户")
        self.softphone.set_caller(f"{caller}  {who}".strip())
        if getattr(self.api, "token", ""):
            self.api.get_script()      # the day's opener may have changed
        self._alert()

    def on_incoming(self, info: dict) -> None:
        if not self._pop_live:             # the pop usually comes first; if not, the SIP caller id
            self.softphone.set_caller(str(info.get("number") or ""))
        self._alert()

    def _alert(self) -> None:
        app = QApplication.instance()
        if app is not None and self.isVisible():
            QApplication.alert(self, 0)

    def on_call_state(self, state: str) -> None:
        self.softphone.set_state(state)
        if state == "talking":
            self._talked = True
            self.end_wrapup()
        elif state == "ended":
            self._pop_live = False
            if self._talked:
                self.start_wrapup()

    # --------------------------------------------------------- wrap-up --
    def start_wrapup(self) -> None:
        if self.wrapup_started is None:
            self.wrapup_started = time.monotonic()
            self.wrapup_button.setVisible(True)
            self._wrap_timer.start()
        self._update_wrapup()

    def end_wrapup(self) -> None:
        self.wrapup_started = None
        self._wrap_timer.stop()
        self.wrapup_label.setText("")
        self.wrapup_button.setVisible(False)

    def _update_wrapup(self) -> None:
        if self.wrapup_started is not None:
            self.wrapup_label.setText(self.tr("话后整理 %1").replace(
                "%1", _fmt_secs(time.monotonic() - self.wrapup_started)))

    # ------------------------------------------------------- accounts --
    def _search(self, q: str) -> None:
        self.api.search_accounts(q)

    def on_account_chosen(self, acc: dict) -> None:
        self.form.set_account(acc)
        if acc.get("account_no"):
            self.api.get_account(str(acc["account_no"]))

    def on_account_loaded(self, acc: dict) -> None:
        self.card.show_account(acc)

    # ---------------------------------------------------------- tickets --
    def on_ticket_saved(self, t: dict) -> None:
        self.form.save_finished(True)
        self.show_info(self.tr("报修单 %1 已保存").replace("%1", str(t.get("number", ""))))
        self.end_wrapup()
        self._remove_draft(str(t.get("number", "")))

    def _save_error(self, msg: str) -> None:
        if self.form.saving:
            self.form.save_finished(False, msg)

    def on_drafts(self, drafts: list) -> None:
        combo = self.form.drafts
        combo.clear()
        combo.addItem(self.tr("未完成草稿 (%1)").replace("%1", str(len(drafts))), None)
        for t in drafts:
            if isinstance(t, dict) and t.get("number"):
                combo.addItem(f"{t['number']} {t.get('address') or ''}".strip(), t)
        combo.setVisible(bool(drafts))
        if drafts:
            self.show_info(self.tr("有 %1 张未保存的草稿，可从报修单右上角打开").replace("%1", str(len(drafts))))

    def _stash_form(self) -> None:
        """Keep the unsaved form of the previous call in the drafts list."""
        f = self.form
        entry = {"number": f.number, "address": f.address.text(), "account_no": f.account_no,
                 "station_code": f.suggested_station, "draft_form": f.form_dict()}
        self._remove_draft(f.number)
        combo = f.drafts
        if combo.count() == 0:
            combo.addItem("", None)
        combo.addItem(f"{f.number} {entry['address']}".strip(), entry)
        combo.setItemText(0, self.tr("未完成草稿 (%1)").replace("%1", str(combo.count() - 1)))
        combo.setVisible(True)

    def _open_draft(self, index: int) -> None:
        t = self.form.drafts.itemData(index)
        if isinstance(t, dict):
            self.form.load_ticket(t)
            self.form.drafts.setCurrentIndex(0)

    def _remove_draft(self, number: str) -> None:
        combo = self.form.drafts
        if combo.count() == 0:
            return
        for i in range(combo.count() - 1, 0, -1):
            t = combo.itemData(i)
            if isinstance(t, dict) and t.get("number") == number:
                combo.removeItem(i)
        combo.setItemText(0, self.tr("未完成草稿 (%1)").replace("%1", str(combo.count() - 1)))
        combo.setVisible(combo.count() > 1)

    # ------------------------------------------------------------ voice --
    def _play_voice(self, number: str, url: str) -> None:
        self.show_info(self.tr("正在下载语音描述…"))
        self.api.download_voice(number, url)

    def on_voice_downloaded(self, _number: str, path: str) -> None:
        self._play_audio(path, self.tr("语音描述"))

    def _play_audio(self, path: str, what: str) -> None:
        """In the headset when the softphone has real audio, else the system's player."""
        if getattr(self.phone, "available", False) and getattr(self.phone, "real_audio", False):
            self.phone.play_file(path)
            self.show_info(self.tr("正在耳机中播放%1").replace("%1", what))
        else:
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))
            self.show_info(self.tr("已用系统播放器打开%1").replace("%1", what))

    def open_recordings(self) -> None:
        self.recordings.show()
        self.recordings.raise_()
        self.api.recordings()

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
