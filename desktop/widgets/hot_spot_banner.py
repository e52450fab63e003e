"""The hot spots at the top of a team lead's, the head's and an admin's window (#27): a compound or
building with many no-heat repairs in the hour is likely a network fault, not N repairs — someone should
ring the heating network. One line per place (where, how many, from when to when) with 查看报修, which
opens the 报表 tab's drill-down of that place's repairs; 知道了 puts the lines away until a place grows or
a new one appears (desktop.state.hot_spots)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

_STYLE = ("#hot_spot { background:#c2410c; border-radius:4px; } #hot_spot QLabel { color:white; font-weight:bold; }"
          " #hot_spot QPushButton { padding:2px 8px; }")


def _hhmm(iso) -> str:
    return str(iso or "")[11:16]


class HotSpotBanner(QFrame):
    drill_requested = Signal(str, str)     # the reporting day (YYYY-MM-DD), the place's key (区/小区[/楼])
    put_aside = Signal()                   # 知道了

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("hot_spot")
        self.setStyleSheet(_STYLE)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(8, 4, 8, 4)
        self.rows = QVBoxLayout()
        outer.addLayout(self.rows, 1)
        self.ok_button = QPushButton(self.tr("知道了"))
        self.ok_button.clicked.connect(self.put_aside)
        outer.addWidget(self.ok_button)
        self.lines: list[QLabel] = []
        self.buttons: list[QPushButton] = []
        self.setVisible(False)

    def place(self, s: dict) -> str:
        building = str(s.get("building") or "")
        if building.isdigit():
            building = self.tr("%1号楼").replace("%1", building)
        return " ".join(x for x in (str(s.get("district") or ""), str(s.get("compound") or ""), building) if x)

    def set_hot_spots(self, spots: list) -> None:
        """The places to show (wire.SAMPLE_HOT_SPOT each); none hides the banner."""
        while self.rows.count():
            w = self.rows.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.lines, self.buttons = [], []
        for s in spots if isinstance(spots, list) else []:
            row = QWidget()
            lay = QHBoxLayout(row)
            lay.setContentsMargins(0, 0, 0, 0)
            text = self.tr("⚠ 疑似管网故障：%1 %2 张不热报修（%3–%4）").replace("%1", self.place(s)) \
                .replace("%2", str(s.get("repairs", "?"))).replace("%3", _hhmm(s.get("first"))) \
                .replace("%4", _hhmm(s.get("last")))
            label = QLabel(text)
            label.setWordWrap(True)
            button = QPushButton(self.tr("查看报修"))
            button.clicked.connect(lambda _c=False, d=str(s.get("day", "")), k=str(s.get("key", "")):
                                   self.drill_requested.emit(d, k))
            lay.addWidget(label, 1)
            lay.addWidget(button)
            self.rows.addWidget(row)
            self.lines.append(label)
            self.buttons.append(button)
        self.setVisible(bool(self.lines))
