"""话术: the opening and closing lines the agent reads."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout


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
