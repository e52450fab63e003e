"""The red banner of escalated anomalies (complaints, 异常 6, 7, 9) at the top of the window: one
line per escalation this person has not acknowledged, each with its 确认, which stays until the
server has taken the acknowledgement (POST wire.ANOMALY_ACK); more than a few show as a count."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.models.aftercall import short_time
from desktop.models.labels import anomaly_label


class LineBanner(QFrame):
    """A coloured frame of one line per row (made by `_line`), the first SHOWN of them; the rest counted."""
    SHOWN = 3                          # lines shown; the rest are counted

    def __init__(self, name: str, style: str, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(style)
        self.rows: list[dict] = []
        self.ack_buttons: dict[int, QPushButton] = {}
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(8, 4, 8, 4)
        self._lay.setSpacing(2)
        self.more_label = QLabel(self)
        self.setVisible(False)

    def _set_rows(self, rows, more_text: str) -> None:
        """Show `rows` (those with an id); `more_text` with %1 for how many are not shown."""
        self.rows = [r for r in rows or [] if isinstance(r, dict) and r.get("id") is not None]
        while self._lay.count():
            w = self._lay.takeAt(0).widget()
            if w is not None and w is not self.more_label:
                w.deleteLater()
        self.ack_buttons = {}
        self._clear_lines()
        for a in self.rows[:self.SHOWN]:
            self._lay.addWidget(self._line(a))
        extra = len(self.rows) - self.SHOWN
        self.more_label.setText(more_text.replace("%1", str(extra)))
        if extra > 0:
            self._lay.addWidget(self.more_label)
        self.more_label.setVisible(extra > 0)
        self.setVisible(bool(self.rows))

    def _clear_lines(self) -> None:
        pass

    def _line(self, a: dict) -> QWidget:
        raise NotImplementedError


class EscalationBanner(LineBanner):
    ack_requested = Signal(int)        # the anomaly's id
    open_ticket = Signal(str)

    def __init__(self, parent=None):
        super().__init__("escalations",
                         "#escalations { background:#b91c1c; border-radius:4px; }"
                         "#escalations QLabel { color:white; font-weight:bold; }"
                         "#escalations QPushButton { background:white; color:#b91c1c; font-weight:bold;"
                         " border-radius:3px; padding:2px 14px; }", parent)

    def set_escalations(self, rows: list) -> None:
        self._set_rows(rows, self.tr("另有 %1 条升级事件未确认，请在“异常登记”中查看"))

    def _line(self, a: dict) -> QWidget:
        w = QWidget()
        h = QHBoxLayout(w)
        h.setContentsMargins(0, 0, 0, 0)
        text = self.tr("⚠ 升级事件：%1　报修单 %2　%3　%4").replace("%1", anomaly_label(a.get("type"))) \
            .replace("%2", str(a.get("ticket") or "—")).replace("%3", short_time(a.get("opened_at"))) \
            .replace("%4", str(a.get("note") or ""))
        label = QLabel(text)
        label.setToolTip(text)
        h.addWidget(label, 1)
        aid = int(a["id"])
        if a.get("ticket"):
            view = QPushButton(self.tr("查看"))
            view.clicked.connect(lambda _c=False, n=str(a["ticket"]): self.open_ticket.emit(n))
            h.addWidget(view)
        ack = QPushButton(self.tr("确认"))
        ack.clicked.connect(lambda _c=False: self._ack(aid, ack))
        self.ack_buttons[aid] = ack
        h.addWidget(ack)
        return w

    def _ack(self, aid: int, button: QPushButton) -> None:
        button.setEnabled(False)         # until the server answers (a refusal enables it again)
        self.ack_requested.emit(aid)

    def ack_failed(self) -> None:
        for b in self.ack_buttons.values():
            b.setEnabled(True)
