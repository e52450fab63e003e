"""The softphone panel: call state, timer, answer / reject / hang up / hold / mute, blind
transfer, keypad. It shows and emits; AgentWindow wires it to desktop.services.softphone."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from desktop.widgets.common import GREEN, RED, fmt_secs


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
            self.timer_label.setText(fmt_secs(time.monotonic() - self.connected_at))
