"""The 工单 screen: the ticket list (GET wire.TICKETS with the filters of wire.TICKET_FILTERS, and
待确认 — wire.UNCONFIRMED, the drafts whose call has ended, #24 — a filter of its own with their
count), overdue rows tinted, 待确认 rows with why they wait, and the selected ticket's detail beside
it. A station's people see the same screen over their own tickets (the server filters; the station
and 待确认 filters are hidden for them)."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.models.aftercall import TicketsModel
from desktop.models.labels import CATEGORY_ORDER, category_label, list_state_label, priority_label
from desktop.widgets.common import AMBER, GREY, readonly_table
from desktop.widgets.ticket_detail import TicketDetailPanel
from common import wire

#: the states a list is filtered by (a draft on the list is one whose call has ended: 待确认)
LIST_STATES = wire.TICKET_STATES


class TicketsPanel(QWidget):
    """Filters + list + detail; emits the filters and the selection, shows what it is given."""
    filters_changed = Signal(dict)      # keys of desktop.state.aftercall.LIST_FILTERS, empty ones left out
    refresh_requested = Signal()
    ticket_selected = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight:bold")
        self.state = QComboBox()
        self.state.addItem(self.tr("全部状态"), "")
        for s in LIST_STATES:
            self.state.addItem(list_state_label(s), s)
        self.station = QComboBox()
        self.station.addItem(self.tr("全部维修站"), "")
        self.district = QComboBox()
        self.district.addItem(self.tr("全部区"), "")
        self.category = QComboBox()
        self.category.addItem(self.tr("全部问题"), "")
        for c in CATEGORY_ORDER:
            self.category.addItem(category_label(c), c)
        self.priority = QComboBox()
        self.priority.addItem(self.tr("全部优先级"), "")
        for p in wire.PRIORITIES:
            self.priority.addItem(priority_label(p), str(p))
        self.overdue = QCheckBox(self.tr("只看超时"))
        # 待确认: the drafts whose call has ended (team leads confirm them); its count on the button
        self.unconfirmed = QPushButton()
        self.unconfirmed.setCheckable(True)
        self.unconfirmed.setToolTip(self.tr("只看待确认的报修单：来电已结束、尚未确认的草稿"))
        self.set_unconfirmed_count(None)
        self.q = QLineEdit()
        self.q.setPlaceholderText(self.tr("单号、地址、姓名、电话"))
        self.q.setClearButtonEnabled(True)
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.count_label = QLabel()
        self.count_label.setStyleSheet(f"color:{GREY}")

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.title)
        for w in (self.unconfirmed, self.state, self.station, self.district, self.category, self.priority,
                  self.overdue):
            bar.addWidget(w)
        bar.addWidget(self.q, 1)
        bar.addWidget(self.refresh_button)

        self.model = TicketsModel(self)
        self.table = readonly_table(self.model, self)
        self.table.setWordWrap(False)
        head = self.table.horizontalHeader()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(TicketsModel.ADDRESS_COLUMN, QHeaderView.ResizeMode.Stretch)   # elided
        self.detail = TicketDetailPanel(self)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.table, 1)
        ll.addWidget(self.count_label)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([840, 500])
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addWidget(split, 1)

        for combo in (self.state, self.station, self.district, self.category, self.priority):
            combo.activated.connect(self._emit_filters)
        self.overdue.toggled.connect(self._emit_filters)
        self.unconfirmed.toggled.connect(self._unconfirmed_toggled)
        self.q.returnPressed.connect(self._emit_filters)
        self.refresh_button.clicked.connect(self._emit_filters)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

    # ------------------------------------------------------------ filters --
    def filters(self) -> dict:
        unconfirmed = self.unconfirmed.isChecked() and not self.unconfirmed.isHidden()
        f = {"state": "" if unconfirmed else self.state.currentData(), "station": self.station.currentData(),
             "district": self.district.currentData(), "category": self.category.currentData(),
             "priority": self.priority.currentData(), "overdue": "1" if self.overdue.isChecked() else "",
             "q": self.q.text().strip(), wire.UNCONFIRMED: "1" if unconfirmed else ""}
        return {k: v for k, v in f.items() if v}

    def _emit_filters(self, *_a) -> None:
        self.filters_changed.emit(self.filters())

    def _unconfirmed_toggled(self, on: bool) -> None:
        self.state.setEnabled(not on)         # 待确认 is a state of its own
        self._emit_filters()

    def set_unconfirmed_count(self, n: int | None) -> None:
        """How many drafts wait (GET wire.TICKETS?unconfirmed=1), on the 待确认 button."""
        self.unconfirmed.setText(self.tr("待确认 (%1)").replace("%1", str(n)) if n else self.tr("待确认"))
        self.unconfirmed.setStyleSheet(f"color:{AMBER}; font-weight:bold" if n else "")

    def set_confirms(self, on: bool) -> None:
        """Team leads and the head see the 待确认 filter; a station's people do not."""
        self.unconfirmed.setVisible(on)
        if not on and self.unconfirmed.isChecked():
            with QSignalBlocker(self.unconfirmed):
                self.unconfirmed.setChecked(False)
            self.state.setEnabled(True)

    def set_stations(self, stations) -> None:
        """The station and district filters' choices, from GET wire.STATIONS."""
        self.detail.set_stations(stations)
        districts: list[str] = []
        for combo in (self.station, self.district):
            with QSignalBlocker(combo):
                while combo.count() > 1:
                    combo.removeItem(1)
        for s in stations or []:
            if not isinstance(s, dict) or not s.get("code"):
                continue
            self.station.addItem(f"{s.get('name', '')}", s["code"])
            for d in list(s.get("districts") or []) + [a.get("district") for a in s.get("areas") or []
                                                       if isinstance(a, dict)]:
                if d and d not in districts:
                    districts.append(d)
        for d in districts:
            self.district.addItem(d, d)

    def set_station_user(self, station: str) -> None:
        """A station's desk: its name on the screen, no station filter (the server keeps it to its own)."""
        self.station.setVisible(not station)
        self.title.setText(station)
        self.title.setVisible(bool(station))

    # --------------------------------------------------------------- rows --
    def show_tickets(self, rows: list) -> None:
        current = self.selected_number()
        with QSignalBlocker(self.table.selectionModel()):
            self.model.set_rows(rows)
            i = self.model.row_of(current) if current else -1
            if i >= 0:
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(i, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.setColumnHidden(TicketsModel.REASON_COLUMN, not self.model.has_reasons())
        overdue = sum(1 for r in self.model.rows() if r.get("overdue"))
        drafts = sum(1 for r in self.model.rows() if r.get("state") == "draft")
        text = self.tr("共 %1 张").replace("%1", str(self.model.rowCount()))
        if overdue:
            text += self.tr("，其中超时 %1 张").replace("%1", str(overdue))
        if drafts:
            text += self.tr("，待确认 %1 张").replace("%1", str(drafts))
        self.count_label.setText(text)

    def selected_number(self) -> str:
        idx = self.table.selectionModel().currentIndex()
        row = self.model.row_dict(idx.row()) if idx.isValid() else None
        return str(row.get("number") or "") if row else ""

    def select_number(self, number: str) -> None:
        """Select a row by number (a linked ticket, a row of the register) and ask for its detail."""
        i = self.model.row_of(number)
        if i >= 0:
            self.table.selectRow(i)
        else:
            self.ticket_selected.emit(number)

    def _row_changed(self, current, _previous) -> None:
        row = self.model.row_dict(current.row()) if current.isValid() else None
        if row and row.get("number"):
            self.ticket_selected.emit(str(row["number"]))
