"""Finding a recording (#28): by ticket, phone number, agent (工号), dates and leg (来电 / 外呼 / 回访 /
转接), the hits as a table (GET wire.RECORDINGS with wire.RECORDING_FILTERS; the server keeps an
agent to their own legs and audits every search). Used by the recordings dialog and by a team
lead's "add a call" to the day's sample."""
from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QGridLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.models.labels import direction_label
from desktop.models.qa import FoundModel
from desktop.widgets.common import GREY, readonly_table
from common import wire


class RecordingSearch(QWidget):
    search_requested = Signal(dict)     # the filters to send (only those given)
    activated = Signal(dict)            # a hit double-clicked

    def __init__(self, parent=None):
        super().__init__(parent)
        self.ticket = QLineEdit()
        self.ticket.setPlaceholderText(self.tr("报修单号"))
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("电话号码"))
        self.agent = QLineEdit()
        self.agent.setPlaceholderText(self.tr("工号"))
        self.agent.setMaxLength(wire.AGENT_NO_MAX)
        self.use_dates = QCheckBox(self.tr("日期"))
        self.since, self.until = QDateEdit(), QDateEdit()
        for d in (self.since, self.until):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
            d.setDate(QDate.currentDate())
            d.setEnabled(False)
        self.use_dates.toggled.connect(lambda on: (self.since.setEnabled(on), self.until.setEnabled(on)))
        self.direction = QComboBox()
        self.direction.addItem(self.tr("全部类型"), "")
        for d in wire.RECORDING_DIRECTIONS:
            self.direction.addItem(direction_label(d), d)
        self.find_button = QPushButton(self.tr("查找"))
        self.find_button.setDefault(True)
        self.find_button.clicked.connect(self.search)
        for box in (self.ticket, self.phone, self.agent):
            box.returnPressed.connect(self.search)
        self.count = QLabel()
        self.count.setStyleSheet(f"color:{GREY}")
        self.model = FoundModel(self)
        self.table = readonly_table(self.model, self)
        self.table.doubleClicked.connect(lambda i: self.activated.emit(self.model.row_dict(i.row()) or {}))

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.ticket, 0, 0)
        grid.addWidget(self.phone, 0, 1)
        grid.addWidget(self.agent, 0, 2)
        grid.addWidget(self.direction, 0, 3)
        grid.addWidget(self.use_dates, 1, 0)
        grid.addWidget(self.since, 1, 1)
        grid.addWidget(self.until, 1, 2)
        grid.addWidget(self.find_button, 1, 3)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(grid)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.count)

    def set_own_only(self, agent_no: str) -> None:
        """An agent finds only their own legs (the server's rule): the 工号 is theirs, fixed."""
        self.agent.setText(agent_no)
        self.agent.setEnabled(not agent_no)

    def set_day(self, day: str) -> None:
        """One day's recordings (a lead adding a call to that day's sample)."""
        d = QDate.fromString(day, "yyyy-MM-dd")
        if d.isValid():
            self.since.setDate(d)
            self.until.setDate(d)
            self.use_dates.setChecked(True)

    def filters(self) -> dict:
        f = {"ticket": self.ticket.text().strip(), "phone": self.phone.text().strip(),
             "agent": self.agent.text().strip(), "direction": self.direction.currentData() or ""}
        if self.use_dates.isChecked():
            f["since"] = self.since.date().toString("yyyy-MM-dd")
            f["until"] = self.until.date().toString("yyyy-MM-dd")
        return {k: v for k, v in f.items() if v}

    def search(self) -> None:
        self.search_requested.emit(self.filters())

    def show_rows(self, rows: list) -> None:
        self.model.set_rows(rows)
        self.count.setText(self.tr("找到 %1 段录音").replace("%1", str(self.model.rowCount())))
        if self.model.rowCount():
            self.table.selectRow(0)

    def current(self) -> dict:
        return self.model.row_dict(self.table.currentIndex().row()) or {}
