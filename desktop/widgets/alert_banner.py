"""The alerts at the top of a team lead's, the head's and an admin's window (#30): one line per open alert
this person has not acknowledged (a caller waiting too long, callers waiting with no agent free, nobody
logged in during staffed hours, a pause past its limit, the service level under target, a hot spot),
each with 确认 (an optional note, then POST wire.ALERT_ACK; the line stays until the server has it) and
查看, which opens the 看板 tab on the agent concerned; more than a few show as a count."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.models.aftercall import short_time
from desktop.models.labels import alert_label


class AlertBanner(QFrame):
    ack_requested = Signal(int)        # the alert's id: ask for the note, then acknowledge
    show_requested = Signal(str)       # 查看: the board, on this subject (an agent's 工号, or "")
    SHOWN = 3

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("alerts")
        self.setStyleSheet("#alerts { background:#9a3412; border-radius:4px; }"
                           "#alerts QLabel { color:white; font-weight:bold; }"
                           "#alerts QPushButton { background:white; color:#9a3412; font-weight:bold;"
                           " border-radius:3px; padding:2px 14px; }")
        self.rows: list[dict] = []
        self.ack_buttons: dict[int, QPushButton] = {}
        self.lines: list[QLabel] = []
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(8, 4, 8, 4)
        self._lay.setSpacing(2)
        self.more_label = QLabel(self)
        self.setVisible(False)

    def set_alerts(self, rows: list) -> None:
        self.rows = [r for r in rows or [] if isinstance(r, dict) and r.get("id") is not None]
        while self._lay.count():
            w = self._lay.takeAt(0).widget()
            if w is not None and w is not self.more_label:
                w.deleteLater()
        self.ack_buttons, self.lines = {}, []
        for a in self.rows[:self.SHOWN]:
            self._lay.addWidget(self._line(a))
        extra = len(self.rows) - self.SHOWN
        self.more_label.setText(self.tr("另有 %1 条告警未确认,请在“看板”中查看").replace("%1", str(extra)))
        if extra > 0:
            self._lay.addWidget(self.more_label)
        self.more_label.setVisible(extra > 0)
        self.setVisible(bool(self.rows))

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
        aid = int(a["id"])
        ack = QPushButton(self.tr("确认"))
        ack.clicked.connect(lambda _c=False: self.ack_requested.emit(aid))
        self.ack_buttons[aid] = ack
        h.addWidget(ack)
        return w
