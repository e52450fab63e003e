"""The small dialog behind every after-call action: an optional choice (the station for 派单, the
anomaly type for 记录异常) and a note, required where the rules want one (返单's result, a
cancellation's reason, an anomaly's result); 确认并派单 (#24) adds whether to dispatch at once.
Opened with open(), never exec(): the GUI goes on."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
)

from desktop.models.labels import RECORDED_ANOMALY_TYPES, anomaly_label
from desktop.widgets.common import GREY
from common import wire


class NoteDialog(QDialog):
    """(Its own strings name their context: subclasses would change what self.tr() looks up.)
    `choices`: [(text, value)] for the combo (None: no combo); `required`: the note must be given."""

    def __init__(self, parent, title: str, prompt: str, *, choice_label: str = "", choices=None,
                 current=None, note_label: str = "", required: bool = False, placeholder: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.required = required
        head = QLabel(prompt)
        head.setWordWrap(True)
        head.setStyleSheet("font-weight:bold")
        form = self.form = QFormLayout()
        self.choice: QComboBox | None = None
        if choices is not None:
            self.choice = QComboBox()
            for text, value in choices:
                self.choice.addItem(text, value)
            i = self.choice.findData(current) if current is not None else -1
            if i >= 0:
                self.choice.setCurrentIndex(i)
            form.addRow(choice_label or QCoreApplication.translate("NoteDialog", "选择"), self.choice)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(placeholder)
        self.note.setFixedHeight(90)
        form.addRow(note_label or QCoreApplication.translate("NoteDialog", "备注"), self.note)
        self.hint = QLabel(QCoreApplication.translate("NoteDialog", "（必填）") if required
                           else QCoreApplication.translate("NoteDialog", "（可不填）"))
        self.hint.setStyleSheet(f"color:{GREY}")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addLayout(form)
        lay.addWidget(self.hint, 0, Qt.AlignmentFlag.AlignRight)
        lay.addWidget(self.buttons)
        self.note.textChanged.connect(self._update)
        if self.choice is not None:
            self.choice.currentIndexChanged.connect(self._update)
        self._update()

    def text(self) -> str:
        return self.note.toPlainText().strip()[:wire.NOTES_MAX]

    def value(self):
        return self.choice.currentData() if self.choice is not None else None

    def _update(self) -> None:
        ok = bool(self.text()) or not self.required
        if self.choice is not None and self.choice.currentData() is None:
            ok = False
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def accept(self) -> None:
        if self.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled():
            super().accept()


class AnomalyDialog(NoteDialog):
    """记录异常 (types 4–9 of the rules; 1–3 are the timers'), on a ticket or on the call's ticket."""

    def __init__(self, parent, ticket: str):
        prompt = (QCoreApplication.translate("AnomalyDialog", "报修单 %1：记录异常事件").replace("%1", ticket) if ticket
                  else QCoreApplication.translate("AnomalyDialog", "记录异常事件"))
        super().__init__(parent, QCoreApplication.translate("AnomalyDialog", "记录异常"), prompt,
                         choice_label=QCoreApplication.translate("AnomalyDialog", "类型"),
                         choices=[(anomaly_label(t), t) for t in RECORDED_ANOMALY_TYPES],
                         note_label=QCoreApplication.translate("AnomalyDialog", "说明"), required=True,
                         placeholder=QCoreApplication.translate("AnomalyDialog", "住户说了什么、涉及谁"))
        self.ticket = ticket


class ConfirmDialog(NoteDialog):
    """确认并派单 of a 待确认 draft (POST wire.TICKET_CONFIRM): the station (the one the address
    suggests chosen, any other from GET wire.STATIONS) and 派单 — dispatched to it in the same step,
    or only confirmed (new). Dispatching needs a station; a plain confirmation does not."""

    def __init__(self, parent, prompt: str, stations, suggested: str | None):
        choices = [(QCoreApplication.translate("ConfirmDialog", "（请选择）"), None)]
        for s in stations or []:
            if isinstance(s, dict) and s.get("code"):
                text = f"{s.get('name', '')} ({s['code']})"
                if s["code"] == suggested:
                    text += QCoreApplication.translate("ConfirmDialog", " — 按地址建议")
                choices.append((text, s["code"]))
        if suggested and not any(v == suggested for _t, v in choices):
            choices.append((suggested + QCoreApplication.translate("ConfirmDialog", " — 按地址建议"), suggested))
        self.dispatch: QCheckBox | None = None
        super().__init__(parent, QCoreApplication.translate("ConfirmDialog", "确认并派单"), prompt,
                         choice_label=QCoreApplication.translate("ConfirmDialog", "维修站"), choices=choices,
                         current=suggested,
                         note_label=QCoreApplication.translate("ConfirmDialog", "备注"),
                         placeholder=QCoreApplication.translate("ConfirmDialog", "例如：已与住户核实地址"))
        self.dispatch = QCheckBox(QCoreApplication.translate("ConfirmDialog", "确认后立即派单到该维修站"))
        self.dispatch.setChecked(True)
        self.form.insertRow(1, "", self.dispatch)
        self.dispatch.toggled.connect(self._update)
        self._update()

    def dispatching(self) -> bool:
        return self.dispatch is not None and self.dispatch.isChecked()

    def _update(self) -> None:
        if self.dispatch is None:              # NoteDialog.__init__'s own first call
            return
        ok = self.value() is not None or not self.dispatch.isChecked()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
