"""录音: recordings found by ticket, phone number, agent, dates and leg, replayed through the agent
API (the service audits each search and each replay). An agent finds only their own legs; nothing
is deleted from here."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from desktop.widgets.common import GREY
from desktop.widgets.recording_search import RecordingSearch


class RecordingsDialog(QDialog):
    """录音查询 (a team lead's, the head's: every leg) / 我的录音 (an agent's own legs)."""
    play_requested = Signal(int)
    search_requested = Signal(dict)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("录音查询"))
        self.resize(760, 460)
        self.search = RecordingSearch(self)
        self.search.search_requested.connect(self.search_requested)
        self.search.activated.connect(lambda _row: self._play())
        self.model, self.table = self.search.model, self.search.table
        self.play_button = QPushButton(self.tr("回放"))
        self.play_button.clicked.connect(self._play)
        self.hint = QLabel(self.tr("录音保存在热线服务器上，只能回放本人接听的通话；每次查找和回放都会记录。"))
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color:{GREY}")
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.play_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.search, 1)
        lay.addLayout(buttons)

    def set_user(self, user: dict) -> None:
        """An agent's own legs only (the 工号 fixed); a supervisor finds anybody's."""
        role, no = str(user.get("role") or ""), str(user.get("agent_no") or "")
        own = role not in ("team_lead", "head", "admin")
        self.setWindowTitle(self.tr("我的录音") if own else self.tr("录音查询"))
        self.search.set_own_only(no if own else "")
        self.hint.setText(self.tr("录音保存在热线服务器上，只能回放本人接听的通话；每次查找和回放都会记录。") if own else
                          self.tr("按报修单、电话、工号、日期或类型查找录音；每次查找和回放都会记录。"))

    def refresh(self) -> None:
        self.search.search()

    def show_rows(self, rows: list) -> None:
        self.search.show_rows(rows)

    def _play(self) -> None:
        row = self.search.current()
        if row.get("id") is not None and row.get("audio_url"):
            self.play_requested.emit(int(row["id"]))
