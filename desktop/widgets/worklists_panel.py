"""The worklists (#15): 回电 — the shared call-back list (why, how long waited, attempts, who took it;
领取, 呼叫 (click-to-call), 打开工单 (the entry's ticket on the ticket form, to confirm, resolve or
cancel it, #24), then the outcome with a note; the server's refusal of it shown; escalated rows
tinted, the team lead closes them) — and 回访 — the completed repairs due for the follow-up survey (呼叫 too), with the customer's
script as a form (a yes/no, b 满意/普通/不满意, c yes/no, d 1–10, e text, f only when satisfied and the
fee unpaid; 预约 when not convenient). Both only show what they are given and emit what the agent
asks for."""
from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.models.aftercall import CallbacksModel, SurveysModel, outcome_label
from desktop.widgets.common import GREY, RED, readonly_table
from common import wire


def _selected(table, model) -> dict:
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    return (model.row_dict(rows[0].row()) or {}) if rows else {}


def _emit_selected(row: dict, signal) -> None:
    if row:
        signal.emit(str(row["ticket"]))


def _show_rows(table, model, rows: list[dict]) -> None:
    """New rows, the selected ticket kept selected when it is still there."""
    keep = _selected(table, model).get("ticket")
    model.set_rows(rows)
    for i, r in enumerate(model.rows()):
        if r.get("ticket") == keep:
            table.selectRow(i)


class CallbacksPanel(QWidget):
    refresh_requested = Signal()
    take_requested = Signal(str)                 # ticket number
    call_requested = Signal(str)                 # ticket number: click-to-call its resident
    open_requested = Signal(str)                 # ticket number: its ticket on the ticket form
    outcome_requested = Signal(str, str, str)    # ticket number, outcome, note

    def __init__(self, parent=None):
        super().__init__(parent)
        self.supervisor = False
        self.me = ""
        self.phone_ready = False
        self._error_ticket = ""
        self.title = QLabel(self.tr("回电列表(最早的在前)"))
        self.title.setStyleSheet("font-weight:bold")
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.model = CallbacksModel(self)
        self.table = readonly_table(self.model, self)
        self.take_button = QPushButton(self.tr("领取"))
        self.call_button = QPushButton(self.tr("呼叫"))
        self.call_button.setToolTip(self.tr("您的话机先响并自动接通,再呼叫住户(显示热线号码)"))
        self.open_button = QPushButton(self.tr("打开工单"))
        self.open_button.setToolTip(self.tr("在报修单中与住户确认后保存,或标记已解决、取消报修"))
        self.outcome = QComboBox()
        for code in wire.CALLBACK_OUTCOMES:
            self.outcome.addItem(outcome_label(code), code)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("备注(通话情况)"))
        self.note.setMaxLength(1000)
        self.outcome_button = QPushButton(self.tr("记录结果"))
        self.hint = QLabel(self.tr("领取后点“呼叫”:您的话机先响并自动接通,再呼叫住户;通话后记录结果。"
                                   "未接通 3 次(至少间隔 2 小时)转领班处理。"))
        self.hint.setStyleSheet(f"color:{GREY}")
        self.hint.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color:{RED}; font-weight:bold")
        self.error_label.setVisible(False)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.refresh_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.take_button)
        bottom.addWidget(self.call_button)
        bottom.addWidget(self.open_button)
        bottom.addWidget(QLabel(self.tr("结果")))
        bottom.addWidget(self.outcome)
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.outcome_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(bottom)
        lay.addWidget(self.error_label)
        lay.addWidget(self.hint)

        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        self.take_button.clicked.connect(self._take)
        self.call_button.clicked.connect(lambda: _emit_selected(self.selected(), self.call_requested))
        self.open_button.clicked.connect(lambda: _emit_selected(self.selected(), self.open_requested))
        self.outcome_button.clicked.connect(self._outcome)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self._update_buttons()

    def set_role(self, role: str, agent_no: str = "") -> None:
        self.supervisor, self.me = role in wire.SUPERVISOR_ROLES, agent_no
        has_close = self.outcome.findData(wire.CALLBACK_CLOSED) >= 0
        if self.supervisor and not has_close:
            self.outcome.addItem(outcome_label(wire.CALLBACK_CLOSED), wire.CALLBACK_CLOSED)
        elif not self.supervisor and has_close:
            self.outcome.removeItem(self.outcome.findData(wire.CALLBACK_CLOSED))
        self._update_buttons()

    def show_callbacks(self, rows: list[dict]) -> None:
        _show_rows(self.table, self.model, rows)
        self.title.setText(self.tr("回电列表(最早的在前):%1 条").replace("%1", str(len(rows))))
        self._update_buttons()

    def selected(self) -> dict:
        return _selected(self.table, self.model)

    def _update_buttons(self) -> None:
        r = self.selected()
        taken_by = r.get("taken_by")
        self.take_button.setEnabled(bool(r) and not r.get("escalated") and taken_by in (None, "", self.me))
        mine = taken_by == self.me and bool(self.me)
        self.outcome_button.setEnabled(bool(r) and (mine or (self.supervisor and not taken_by)))
        # an agent calls the entry they hold, a team lead any (the server decides again)
        self.call_button.setEnabled(bool(r) and self.phone_ready and (mine or self.supervisor))
        # its ticket on the form: the agent who took it (a team lead any)
        self.open_button.setEnabled(bool(r) and (mine or self.supervisor))

    def _selection_changed(self) -> None:
        if self.selected().get("ticket") != self._error_ticket:
            self.show_error("")
        self._update_buttons()

    def show_error(self, msg: str, ticket: str = "") -> None:
        """The server's refusal (e.g. "reached" on a ticket still to be confirmed), under the buttons."""
        self._error_ticket = ticket if msg else ""
        self.error_label.setText(str(msg or ""))
        self.error_label.setVisible(bool(msg))

    def set_phone_ready(self, ready: bool) -> None:
        """The softphone is registered and idle: a click-to-call can ring it."""
        self.phone_ready = ready
        self._update_buttons()

    def _take(self) -> None:
        r = self.selected()
        if r:
            self.take_requested.emit(str(r["ticket"]))

    def _outcome(self) -> None:
        r = self.selected()
        if r:
            self.outcome_requested.emit(str(r["ticket"]), str(self.outcome.currentData()), self.note.text().strip())
            self.note.clear()


class _YesNo(QWidget):
    def __init__(self, yes: str, no: str, parent=None):
        super().__init__(parent)
        self.yes, self.no = QRadioButton(yes), QRadioButton(no)
        self.group = QButtonGroup(self)
        self.group.addButton(self.yes)
        self.group.addButton(self.no)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.yes)
        lay.addWidget(self.no)
        lay.addStretch(1)

    def value(self) -> bool | None:
        return True if self.yes.isChecked() else False if self.no.isChecked() else None

    def clear(self) -> None:
        self.group.setExclusive(False)
        self.yes.setChecked(False)
        self.no.setChecked(False)
        self.group.setExclusive(True)


class SurveysPanel(QWidget):
    refresh_requested = Signal()
    call_requested = Signal(str)           # ticket number: click-to-call its resident
    save_requested = Signal(str, dict)     # ticket number, answers (wire.SURVEY_FIELDS)
    book_requested = Signal(str, str)      # ticket number, ISO time

    def __init__(self, parent=None):
        super().__init__(parent)
        self.phone_ready = False
        self.title = QLabel(self.tr("待回访(最早返单的在前)"))
        self.title.setStyleSheet("font-weight:bold")
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.call_button = QPushButton(self.tr("呼叫"))
        self.call_button.setToolTip(self.tr("您的话机先响并自动接通,再呼叫住户(显示热线号码)"))
        self.model = SurveysModel(self)
        self.table = readonly_table(self.model, self)
        q = {x["key"]: x["text"] for x in wire.SURVEY_SCRIPT["questions"]}

        self.box = QGroupBox(self.tr("回访话术"))
        self.opening = QLabel(wire.SURVEY_SCRIPT["opening"])
        self.opening.setWordWrap(True)
        self.solved = _YesNo(self.tr("是"), self.tr("否"))
        self.attitude = QComboBox()
        self.attitude.addItem(self.tr("(请选择)"), "")
        for code, text in zip(wire.SURVEY_ATTITUDES, (self.tr("满意"), self.tr("普通"), self.tr("不满意"))):
            self.attitude.addItem(text, code)
        self.charged = _YesNo(self.tr("是"), self.tr("否"))
        self.score = QSpinBox()
        self.score.setRange(0, wire.SURVEY_SCORE_MAX)
        self.score.setSpecialValueText(self.tr("(1–10)"))
        self.comment = QLineEdit()
        self.comment.setMaxLength(wire.SURVEY_COMMENT_MAX)
        self.fee_label = QLabel(q["fee_reminder"])
        self.fee_label.setWordWrap(True)
        self.fee = QCheckBox(self.tr("已提醒交费"))
        self.closing = QLabel(wire.SURVEY_SCRIPT["closing"].replace("{hotline}", self.tr("本热线")))
        self.closing.setWordWrap(True)
        self.save_button = QPushButton(self.tr("保存回访"))
        self.book_at = QDateTimeEdit()
        self.book_at.setCalendarPopup(True)
        self.book_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.book_button = QPushButton(self.tr("不方便,预约"))

        form = QFormLayout()
        # each question above its answer: the script's lines are long, and must be read whole
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(self.opening)
        for key, widget in (("solved", self.solved), ("attitude", self.attitude), ("charged", self.charged),
                            ("score", self.score), ("comment", self.comment)):
            form.addRow(QLabel(q[key]), widget)
        form.addRow(self.fee_label, self.fee)
        form.addRow(self.closing)
        book = QHBoxLayout()
        book.addWidget(self.book_at)
        book.addWidget(self.book_button)
        book.addStretch(1)
        book.addWidget(self.save_button)
        form.addRow(book)
        self.box.setLayout(form)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.call_button)
        top.addWidget(self.refresh_button)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(top)
        ll.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 400])     # the list's columns first; the script's lines wrap
        lay = QVBoxLayout(self)
        lay.addWidget(split)

        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        self.attitude.currentIndexChanged.connect(lambda *_: self._update_form())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._row_changed())
        self.save_button.clicked.connect(self._save)
        self.book_button.clicked.connect(self._book)
        self.call_button.clicked.connect(lambda: _emit_selected(self.selected(), self.call_requested))
        self._row_changed()

    def show_surveys(self, rows: list[dict]) -> None:
        _show_rows(self.table, self.model, rows)
        self.title.setText(self.tr("待回访(最早返单的在前):%1 条").replace("%1", str(len(rows))))
        self._row_changed()

    def selected(self) -> dict:
        return _selected(self.table, self.model)

    def select_first(self) -> None:
        if self.model.rowCount():
            self.table.selectRow(0)

    def f_applies(self) -> bool:
        return wire.fee_reminder_applies(self.attitude.currentData(), self.selected().get("fee_status"))

    def set_phone_ready(self, ready: bool) -> None:
        """The softphone is registered and idle: a click-to-call can ring it."""
        self.phone_ready = ready
        self.call_button.setEnabled(bool(self.selected()) and ready)

    def _row_changed(self) -> None:
        r = self.selected()
        self.box.setEnabled(bool(r))
        self.call_button.setEnabled(bool(r) and self.phone_ready)
        self.box.setTitle(self.tr("回访话术 — %1").replace("%1", f"{r.get('ticket')} {r.get('name') or ''}")
                          if r else self.tr("回访话术"))
        for w in (self.solved, self.charged):
            w.clear()
        self.attitude.setCurrentIndex(0)
        self.score.setValue(0)
        self.comment.clear()
        self.fee.setChecked(False)
        self.book_at.setDateTime(QDateTime.currentDateTime().addSecs(2 * 3600))
        self._update_form()

    def _update_form(self) -> None:
        applies = self.f_applies()
        self.fee_label.setVisible(applies)
        self.fee.setVisible(applies)

    def answers(self) -> dict:
        a = {"solved": self.solved.value(), "attitude": self.attitude.currentData() or "",
             "charged": self.charged.value(), "score": self.score.value() or None,
             "comment": self.comment.text().strip()}
        if self.f_applies():
            a["fee_reminder"] = self.fee.isChecked()
        return a

    def _save(self) -> None:
        r = self.selected()
        if r:
            self.save_requested.emit(str(r["ticket"]), self.answers())

    def _book(self) -> None:
        r = self.selected()
        if r:
            self.book_requested.emit(str(r["ticket"]), self.book_at.dateTime().toString("yyyy-MM-ddTHH:mm"))
