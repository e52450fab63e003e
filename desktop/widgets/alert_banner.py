"""The alerts at the top of a team lead's, the head's and an admin's window (#30): one line per open alert
this person has not acknowledged (a caller waiting too long, callers waiting with no agent free, nobody
logged in during staffed hours, a pause past its limit, the service level under target, a hot spot),
each with 确认 (an optional note, then POST wire.ALERT_ACK; the line stays until the server has it) and
查看, which opens the 看板 tab on the agent concerned — and on a hot spot 宣布停热, the 看板's declare
dialog prefilled with its place; more than a few show as a count."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.models.aftercall import short_time
from desktop.models.labels import alert_label
from desktop.widgets.escalation_banner import LineBanner


class AlertBanner(LineBanner):
    ack_requested = Signal(int)        # the alert's id: ask for the note, then acknowledge
    show_requested = Signal(str)       # 查看: the board, on this subject (an agent's 工号, or "")
    declare_requested = Signal(str)    # 宣布停热 on a hot spot: its place (区/小区[/楼号])

    def __init__(self, parent=None):
        super().__init__("alerts",
                         "#alerts { background:#9a3412; border-radius:4px; }"
                         "#alerts QLabel { color:white; font-weight:bold; }"
                         "#alerts QPushButton { background:white; color:#9a3412; font-weight:bold;"
                         " border-radius:3px; padding:2px 14px; }", parent)
        self.lines: list[QLabel] = []
        self.declare_buttons: dict[int, QPushButton] = {}

    def set_alerts(self, rows: list) -> None:
        self._set_rows(rows, self.tr("另有 %1 条告警未确认,请在“看板”中查看"))

    def _clear_lines(self) -> None:
        self.lines = []
        self.declare_buttons = {}

    def _line(self, a: dict) -> QWidget:
        w = QWidget()
        h = QHBoxLayout(w)
        h.setContentsMargins(0, 0, 0, 0)
        text = self.tr("⚠ 告警:%1　%2　%3").replace("%1", alert_label(a.get("kind"))) \
            .replace("%2", str(a.get("message") or "")).replace("%3", short_time(a.get("raised_at")))
        label = QLabel(text)
        label.setToolTip(text)
        self.lines.append(label)
        h.addWidget(label, 1)
        view = QPushButton(self.tr("查看"))
        view.clicked.connect(lambda _c=False, s=str(a.get("subject") or ""): self.show_requested.emit(s))
        h.addWidget(view)
        place = str(a.get("subject") or "") if a.get("kind") == "hot_spot" else ""
        if place:                      # a hot spot proposes an outage to the lead
            declare = QPushButton(self.tr("宣布停热"))
            declare.clicked.connect(lambda _c=False, p=place: self.declare_requested.emit(p))
            self.declare_buttons[int(a["id"])] = declare
            h.addWidget(declare)
        aid = int(a["id"])
        ack = QPushButton(self.tr("确认"))
        ack.clicked.connect(lambda _c=False: self.ack_requested.emit(aid))
        self.ack_buttons[aid] = ack
        h.addWidget(ack)
        return w
