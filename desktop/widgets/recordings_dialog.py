"""我的录音: the agent's own recordings, replayed through the agent API."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from desktop.models.tables import RecordingsModel
from desktop.widgets.common import GREY, readonly_table


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
