"""The 异常登记 screen (team leads, the head): the anomaly register (GET wire.ANOMALIES, open
ones only by default), overdue entries tinted; 处理 and 关闭 each with a result."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.models.aftercall import AnomaliesModel, anomaly_overdue
from desktop.models.labels import anomaly_label
from desktop.widgets.common import GREY, RED, readonly_table
from desktop.widgets.note_dialog import NoteDialog


class AnomalyRegisterPanel(QWidget):
    """Emits what the supervisor asked for; the window calls the API."""
    open_only_changed = Signal(bool)
    refresh_requested = Signal()
    handle_requested = Signal(int, str)     # anomaly id, result
    close_requested = Signal(int, str)
    open_ticket = Signal(str)               # a row's ticket, double-clicked

    def __init__(self, parent=None):
        super().__init__(parent)
        self.dialog: NoteDialog | None = None
        self.open_only = QCheckBox(self.tr("只看未关闭"))
        self.open_only.setChecked(True)
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.handle_button = QPushButton(self.tr("处理"))
        self.close_button = QPushButton(self.tr("关闭"))
        self.count_label = QLabel()
        self.count_label.setStyleSheet(f"color:{GREY}")
        self.error_label = QLabel()
        self.error_label.setStyleSheet(f"color:{RED}")
        self.error_label.setWordWrap(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.open_only)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.handle_button)
        bar.addWidget(self.close_button)
        self.model = AnomaliesModel(self)
        self.table = readonly_table(self.model, self)
        self.table.horizontalHeader().setSectionResizeMode(AnomaliesModel.NOTE_COLUMN, QHeaderView.ResizeMode.Stretch)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.error_label)

        self.open_only.toggled.connect(self.open_only_changed)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.handle_button.clicked.connect(lambda: self.start("handle"))
        self.close_button.clicked.connect(lambda: self.start("close"))
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.table.doubleClicked.connect(self._double_clicked)
        self._update_buttons()

    def show_anomalies(self, rows: list) -> None:
        self.model.set_rows(rows)
        rows = self.model.rows()
        n_open = sum(1 for r in rows if r.get("state") != "closed")
        text = self.tr("共 %1 条，未关闭 %2 条").replace("%1", str(len(rows))).replace("%2", str(n_open))
        late = sum(1 for r in rows if anomaly_overdue(r))
        if late:
            text += self.tr("，超期 %1 条").replace("%1", str(late))
        self.count_label.setText(text)
        self._update_buttons()

    def selected(self) -> dict | None:
        idx = self.table.selectionModel().currentIndex()
        return self.model.row_dict(idx.row()) if idx.isValid() else None

    def _update_buttons(self) -> None:
        a = self.selected() or {}
        self.handle_button.setEnabled(a.get("state") == "open")
        self.close_button.setEnabled(bool(a) and a.get("state") != "closed")

    def show_error(self, msg: str) -> None:
        self.error_label.setText(str(msg))

    def start(self, what: str) -> NoteDialog | None:
        a = self.selected()
        if not a or a.get("id") is None:
            return None
        aid = int(a["id"])
        title = self.tr("处理异常") if what == "handle" else self.tr("关闭异常")
        prompt = self.tr("%1（报修单 %2）").replace("%1", anomaly_label(a.get("type"))) \
            .replace("%2", str(a.get("ticket") or "—"))
        dlg = NoteDialog(self, title, prompt, note_label=self.tr("处理结果"), required=True,
                         placeholder=self.tr("已联系谁、怎么处理的"))
        signal = self.handle_requested if what == "handle" else self.close_requested
        dlg.accepted.connect(lambda: (self.error_label.clear(), signal.emit(aid, dlg.text())))
        self.dialog = dlg
        dlg.open()
        return dlg

    def _double_clicked(self, index) -> None:
        row = self.model.row_dict(index.row()) or {}
        if row.get("ticket"):
            self.open_ticket.emit(str(row["ticket"]))
