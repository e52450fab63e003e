"""话术: the lines the agent reads — the opening, the read-back questions, the closing (the
service words them: holiday opener, the agent's 工号)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

_LINE_STYLE = "font-size:11pt; padding:4px; background:#f1f5f9; border-radius:4px"


class ScriptPanel(QGroupBox):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("话术"))
        self.opening = QLabel(self.tr("（登录后显示开场白）"))
        self.questions = QLabel("")
        self.closing = QLabel(self.tr("好!维修人员会尽快跟您联系。感谢您的来电。再见!"))
        for w in (self.opening, self.questions, self.closing):
            w.setWordWrap(True)
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            w.setStyleSheet(_LINE_STYLE)
        self.questions.hide()
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("开场白")))
        lay.addWidget(self.opening)
        self.questions_title = QLabel(self.tr("跟读确认"))
        self.questions_title.hide()
        lay.addWidget(self.questions_title)
        lay.addWidget(self.questions)
        lay.addWidget(QLabel(self.tr("结束语")))
        lay.addWidget(self.closing)
        lay.addStretch(1)

    def set_script(self, data: dict) -> None:
        if data.get("opening"):
            self.opening.setText(str(data["opening"]))
        lines = [str(q.get("text", "")) for q in data.get("questions") or [] if isinstance(q, dict)]
        self.questions.setText("\n".join(f"{i}. {t}" for i, t in enumerate(lines, 1)))
        self.questions.setVisible(bool(lines))
        self.questions_title.setVisible(bool(lines))
        if data.get("closing"):
            self.closing.setText(str(data["closing"]))
