"""The softphone panel: call state, timer, answer / reject / hang up / hold / mute, transfer
(blind, or attended: consult, then complete or take the caller back) to someone chosen from the
server's directory (refreshed each time the list opens), keypad. It shows and emits; AgentWindow
wires it to desktop.services.softphone and the agent API."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from desktop.widgets.common import GREEN, RED, fmt_secs


class DirectoryCombo(QComboBox):
    """The transfer targets; asks for a fresh directory each time it is opened."""
    opening = Signal()

    def showPopup(self) -> None:
        self.opening.emit()
        super().showPopup()


class SoftPhonePanel(QGroupBox):
    """Buttons and indicators of the softphone; the window wires them to SoftPhone."""
    transfer_requested = Signal(str)
    consult_requested = Signal(str)
    complete_requested = Signal()
    return_requested = Signal()
    directory_wanted = Signal()
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

        self.consulting = "none"
        self.transfer_to = DirectoryCombo()
        self.transfer_to.setMinimumContentsLength(14)
        self.transfer_to.setToolTip(self.tr("转接对象：已登录的领班和座席"))
        self.transfer_to.opening.connect(self.directory_wanted)
        self.transfer_to.currentIndexChanged.connect(lambda _i: self._update_transfer_buttons())
        self.transfer_button = QPushButton(self.tr("转接"))
        self.transfer_button.setToolTip(self.tr("直接转接（盲转）"))
        self.transfer_button.clicked.connect(self._transfer)
        self.consult_button = QPushButton(self.tr("咨询"))
        self.consult_button.setToolTip(self.tr("保持来电，先与对方通话"))
        self.consult_button.clicked.connect(self._consult)
        self.complete_button = QPushButton(self.tr("完成转接"))
        self.complete_button.clicked.connect(self.complete_requested)
        self.return_button = QPushButton(self.tr("取回"))
        self.return_button.setToolTip(self.tr("结束咨询，回到来电"))
        self.return_button.clicked.connect(self.return_requested)

        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.timer_label)
        grid = QGridLayout()
        grid.addWidget(self.answer_button, 0, 0)
        grid.addWidget(self.reject_button, 0, 1)
        grid.addWidget(self.hangup_button, 0, 2)
        grid.addWidget(self.hold_button, 1, 0)
        grid.addWidget(self.mute_button, 1, 1)
        xfer = QGridLayout()
        xfer.addWidget(self.transfer_to, 0, 0, 1, 4)
        xfer.addWidget(self.transfer_button, 1, 0)
        xfer.addWidget(self.consult_button, 1, 1)
        xfer.addWidget(self.complete_button, 1, 2)
        xfer.addWidget(self.return_button, 1, 3)

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

    def _chosen(self) -> str:
        return str(self.transfer_to.currentData() or "")

    def _transfer(self) -> None:
        if ext := self._chosen():
            self.transfer_requested.emit(ext)

    def _consult(self) -> None:
        if ext := self._chosen():
            self.consult_requested.emit(ext)

    def entry_text(self, e: dict) -> str:
        roles = {"team_lead": self.tr("领班"), "head": self.tr("部长"), "agent": self.tr("座席")}
        states = {"free": self.tr("空闲"), "ringing": self.tr("振铃中"), "on_call": self.tr("通话中"),
                  "paused": self.tr("示忙"), "unregistered": self.tr("电话未注册")}
        state = states.get(e.get("state", ""), e.get("state", ""))
        if e.get("reason"):
            state = f"{state}（{e['reason']}）"
        return f"{e.get('name', '')} {e.get('agent_no', '')} · {roles.get(e.get('role', ''), '')} · {state}"

    def set_directory(self, entries: list[dict]) -> None:
        """The server's directory; the current choice stays chosen when it is still listed."""
        keep = self._chosen()
        combo = self.transfer_to
        combo.blockSignals(True)
        combo.clear()
        for e in entries:
            combo.addItem(self.entry_text(e), str(e.get("agent_no", "")))
        i = combo.findData(keep) if keep else -1
        combo.setCurrentIndex(i if i >= 0 else (0 if entries else -1))
        combo.blockSignals(False)
        self._update_transfer_buttons()

    def set_consult_state(self, state: str) -> None:
        """none / calling / talking / transferring (SoftPhone.consult_state)."""
        self.consulting = state
        self._update_transfer_buttons()

    def _update_transfer_buttons(self) -> None:
        in_call = self.state in ("talking", "held")
        chosen = in_call and bool(self._chosen())
        idle = self.consulting == "none"
        self.transfer_to.setEnabled(in_call and idle)
        self.transfer_button.setEnabled(chosen and idle)
        self.consult_button.setEnabled(chosen and idle)
        self.complete_button.setEnabled(in_call and self.consulting == "talking")
        self.return_button.setEnabled(in_call and self.consulting in ("calling", "talking"))

    def set_caller(self, text: str) -> None:
        self.caller.setText(text)

    def set_state(self, state: str) -> None:
        state_before, self.state = self.state, state
        texts = {"idle": self.tr("空闲"), "ringing": self.tr("来电振铃…"), "talking": self.tr("通话中"),
                 "held": self.tr("通话保持"), "ended": self.tr("通话结束")}
        self.status.setText(texts.get(state, state))
        in_call = state in ("talking", "held")
        self.answer_button.setEnabled(state == "ringing")
        self.reject_button.setEnabled(state == "ringing")
        self.hangup_button.setEnabled(in_call)
        self.hold_button.setEnabled(in_call)
        self.mute_button.setEnabled(in_call)
        if in_call and state_before not in ("talking", "held"):
            self.directory_wanted.emit()            # who is free right now
        self._update_transfer_buttons()
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
            self.timer_label.setText(fmt_secs(time.monotonic() - self.connected_at))
