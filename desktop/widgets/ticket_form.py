"""The ticket being written, prefilled from the IVR: the four read-back ticks gate the save,
the form autosaves every 3 s, unsaved drafts can be reopened. The form's body is
common.wire.FORM_FIELDS; its limits are the wire's. Outside a call too (#24): a 回电 entry's ticket
opened here is confirmed and saved the same way, marked resolved, or cancelled with a reason
(`cancel_reason`: the save then cancels the draft, no read-back needed); a notice above the form
says where the ticket came from, or what the server wants done with it."""
from __future__ import annotations

import time

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from desktop.models.labels import CATEGORY_LABELS, CATEGORY_ORDER
from desktop.widgets.common import AMBER, GREEN, GREY, RED
from common import wire

PRIORITIES = ((wire.PRIORITY_NORMAL, "普通"), (wire.PRIORITY_URGENT, "加急"), (wire.PRIORITY_EMERGENCY, "紧急"))
#: hotline.service.schemas.TicketForm.cancel_reason's max_length (a unit test keeps them equal)
CANCEL_REASON_MAX = 200


class TicketFormPanel(QGroupBox):
    """The ticket being written, prefilled from the IVR; read-back boxes gate the save."""
    save_requested = Signal(str, dict)
    new_requested = Signal()              # 新建报修单: a ticket of its own for this call
    anomaly_requested = Signal(str)       # 记录异常 on this ticket (praise, a complaint …): its number
    autosave_requested = Signal(str, dict)
    AUTOSAVE_MS = 3000

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("报修单"))
        self.number = ""
        self.account_no: str | None = None
        self.suggested_station: str | None = None
        self.dirty = False
        self.saving = False
        self.saved = False
        self._loading = False
        self._cancel_sent = False

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self.number_label = QLabel(self.tr("（无报修单）"))
        self.number_label.setStyleSheet("font-weight:bold")
        self.drafts = QComboBox()
        self.drafts.setToolTip(self.tr("上次未保存的草稿"))
        self.drafts.setVisible(False)
        self.drafts.activated.connect(self.open_draft)
        self.new_button = QPushButton(self.tr("新建报修单"))
        self.new_button.setToolTip(self.tr("为这通来电另建一张报修单（无自动草稿或第二个问题）"))
        self.new_button.setEnabled(False)
        self.new_button.clicked.connect(self.new_requested)
        self.anomaly_button = QPushButton(self.tr("记录异常"))
        self.anomaly_button.setToolTip(self.tr("表扬、投诉、建议等：记在这张报修单上"))
        self.anomaly_button.setEnabled(False)
        self.anomaly_button.clicked.connect(lambda: self.number and self.anomaly_requested.emit(self.number))

        self.category = QComboBox()
        self.category.addItem(self.tr("（请选择）"), None)
        for value in CATEGORY_ORDER:
            self.category.addItem(self._cat_text(value), value)
        self.address = QLineEdit()
        self.address.setMaxLength(wire.ADDRESS_MAX)
        self.name = QLineEdit()
        self.name.setMaxLength(wire.NAME_MAX)
        self.phone = QLineEdit()
        self.phone.setMaxLength(wire.CALLBACK_MAX)
        self.chk_problem = QCheckBox(self.tr("已跟读确认"))
        self.chk_address = QCheckBox(self.tr("已跟读确认"))
        self.chk_name = QCheckBox(self.tr("已跟读确认"))
        self.chk_phone = QCheckBox(self.tr("已跟读确认"))
        self.station = QComboBox()
        self.station_hint = QLabel()
        self.priority = QComboBox()
        for value, text in PRIORITIES:
            self.priority.addItem(self._prio_text(text), value)
        # answered on the call (a billing question, advice): saved as resolved, nothing dispatched
        self.resolved = QCheckBox(self.tr("通话中已解决（无需派修）"))
        # the resident no longer needs the repair (住户已自行解决): the save cancels the ticket
        self.cancel = QCheckBox(self.tr("取消报修"))
        self.cancel.setToolTip(self.tr("住户不再需要维修：保存时取消这张报修单（需填写原因）"))
        self.cancel_reason = QLineEdit()
        self.cancel_reason.setMaxLength(CANCEL_REASON_MAX)
        self.cancel_reason.setPlaceholderText(self.tr("取消原因，如：住户已自行解决"))
        self.cancel_reason.setEnabled(False)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(self.tr("补充说明（故障现象、上门时间等）"))
        self.notes.setMinimumHeight(60)

        g = QGridLayout()
        g.setVerticalSpacing(4)
        g.addWidget(QLabel(self.tr("单号")), 0, 0)
        g.addWidget(self.number_label, 0, 1)
        head = QHBoxLayout()
        head.addWidget(self.drafts, 1)
        head.addWidget(self.anomaly_button)
        head.addWidget(self.new_button)
        g.addLayout(head, 0, 2)
        rows = ((self.tr("问题"), self.category, self.chk_problem),
                (self.tr("地址"), self.address, self.chk_address),
                (self.tr("姓名"), self.name, self.chk_name),
                (self.tr("回电电话"), self.phone, self.chk_phone))
        for i, (text, field, chk) in enumerate(rows, start=1):
            g.addWidget(QLabel(text), i, 0)
            g.addWidget(field, i, 1)
            g.addWidget(chk, i, 2)
        g.addWidget(QLabel(self.tr("维修站")), 5, 0)
        g.addWidget(self.station, 5, 1)
        g.addWidget(self.station_hint, 5, 2)
        g.addWidget(QLabel(self.tr("优先级")), 6, 0)
        g.addWidget(self.priority, 6, 1)
        g.addWidget(self.resolved, 7, 1, 1, 2)
        g.addWidget(self.cancel, 8, 0)
        g.addWidget(self.cancel_reason, 8, 1, 1, 2)
        g.addWidget(QLabel(self.tr("备注")), 9, 0, Qt.AlignmentFlag.AlignTop)
        g.addWidget(self.notes, 9, 1, 1, 2)
        g.setColumnStretch(1, 1)

        self.save_button = QPushButton(self.tr("保存报修单"))
        self.save_button.setStyleSheet("font-weight:bold; padding:6px")
        self.save_button.clicked.connect(self._save)
        self.save_hint = QLabel()
        self.save_hint.setWordWrap(True)
        self.save_hint.setStyleSheet(f"color:{GREY}")
        self.autosave_label = QLabel()
        self.autosave_label.setStyleSheet(f"color:{GREY}")
        lay = QVBoxLayout(self)
        lay.addWidget(self.notice)
        lay.addLayout(g, 1)
        lay.addWidget(self.save_hint)
        bottom = QHBoxLayout()
        bottom.addWidget(self.autosave_label, 1)
        bottom.addWidget(self.save_button)
        lay.addLayout(bottom)

        for chk in self.checks():
            chk.toggled.connect(self._changed)
        # the agent edits a field after reading it back → read it back again
        self.category.activated.connect(lambda _i: self._edited(self.chk_problem))
        self.address.textEdited.connect(lambda _t: self._edited(self.chk_address))
        self.name.textEdited.connect(lambda _t: self._edited(self.chk_name))
        self.phone.textEdited.connect(lambda _t: self._edited(self.chk_phone))
        self.station.currentIndexChanged.connect(self._station_changed)
        self.priority.currentIndexChanged.connect(self._changed)
        self.resolved.toggled.connect(self._resolved_toggled)
        self.cancel.toggled.connect(self._cancel_toggled)
        self.cancel_reason.textChanged.connect(self._changed)
        self.notes.textChanged.connect(self._changed)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(self.AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.flush_autosave)
        self.autosave_timer.start()
        self._update_save_state()

    # labels of the fixed lists (kept as literal tr() calls for lupdate)
    def _cat_text(self, value: str) -> str:
        return {"no_heat": self.tr("暖气不热"), "leak": self.tr("漏水"), "noise": self.tr("噪音或异响"),
                "other": self.tr("缴费及其他")}.get(value, CATEGORY_LABELS.get(value, value))

    def _prio_text(self, text: str) -> str:
        return {"普通": self.tr("普通"), "加急": self.tr("加急"), "紧急": self.tr("紧急")}.get(text, text)

    def checks(self) -> tuple[QCheckBox, ...]:
        return (self.chk_problem, self.chk_address, self.chk_name, self.chk_phone)

    @property
    def all_confirmed(self) -> bool:
        return all(c.isChecked() for c in self.checks())

    @property
    def cancelling(self) -> bool:
        return self.cancel.isChecked()

    @property
    def can_save(self) -> bool:
        ready = bool(self.cancel_reason.text().strip()) if self.cancelling else self.all_confirmed
        return bool(self.number) and ready and not self.saving and not self.notes_too_long

    @property
    def notes_too_long(self) -> bool:
        return len(self.notes.toPlainText()) > wire.NOTES_MAX

    def _edited(self, chk: QCheckBox) -> None:
        if chk.isChecked():
            chk.setChecked(False)
        self._changed()

    def _changed(self, *_a) -> None:
        if not self._loading:
            self.dirty = True
        self._update_save_state()

    def _resolved_toggled(self, on: bool) -> None:
        if on and self.cancel.isChecked():      # resolved or cancelled, not both
            self.cancel.setChecked(False)
        self._changed()

    def _cancel_toggled(self, on: bool) -> None:
        self.cancel_reason.setEnabled(on)
        if on and self.resolved.isChecked():
            self.resolved.setChecked(False)
        if on and not self._loading:
            self.cancel_reason.setFocus()
        self._changed()

    def set_notice(self, text: str, warn: bool = False) -> None:
        """A line above the form: where the ticket came from (a 回电 entry), or the server's words
        about what to do with it; cleared by the next ticket."""
        self.notice.setText(str(text or ""))
        self.notice.setStyleSheet(f"color:{RED if warn else AMBER}; font-weight:bold")
        self.notice.setVisible(bool(text))

    def _update_save_state(self) -> None:
        self.save_button.setText(self.tr("取消报修单") if self.cancelling else self.tr("保存报修单"))
        self.save_button.setEnabled(self.can_save)
        self.anomaly_button.setEnabled(bool(self.number))
        self.save_hint.setStyleSheet(f"color:{GREY}")
        if not self.number:
            self.save_hint.setText(self.tr("本次来电没有报修单"))
        elif self.notes_too_long:     # the text stays in the box: nothing typed is thrown away
            self.save_hint.setStyleSheet(f"color:{RED}")
            self.save_hint.setText(self.tr("备注最多 %1 字（现在 %2 字），请精简后保存")
                                   .replace("%1", str(wire.NOTES_MAX)).replace("%2", str(len(self.notes.toPlainText()))))
        elif self.cancelling:
            self.save_hint.setText("" if self.cancel_reason.text().strip() else self.tr("请填写取消原因"))
        elif not self.all_confirmed:
            names = [n for c, n in zip(self.checks(), (self.tr("问题"), self.tr("地址"), self.tr("姓名"),
                                                       self.tr("电话"))) if not c.isChecked()]
            self.save_hint.setText(self.tr("请向来电人跟读确认: %1").replace("%1", "、".join(names)))
        else:
            self.save_hint.setText("")

    # ---- stations ----
    def set_stations(self, stations: list) -> None:
        current = self.station.currentData()
        with QSignalBlocker(self.station):
            self.station.clear()
            self.station.addItem(self.tr("（请选择）"), None)
            for s in stations or []:
                if isinstance(s, dict) and s.get("code"):
                    self.station.addItem(f"{s.get('name', '')} ({s['code']})", s["code"])
        self._select_station(current)
        self._update_station_hint()

    def _select_station(self, code: str | None, name: str = "") -> None:
        with QSignalBlocker(self.station):
            if code is None:
                self.station.setCurrentIndex(0)
                return
            i = self.station.findData(code)
            if i < 0:
                self.station.addItem(f"{name} ({code})" if name else code, code)
                i = self.station.count() - 1
            self.station.setCurrentIndex(i)

    def _station_changed(self, _i: int) -> None:
        self._update_station_hint()
        self._changed()

    def _update_station_hint(self) -> None:
        code = self.station.currentData()
        if not self.suggested_station:
            self.station_hint.setText("")
        elif code == self.suggested_station:
            self.station_hint.setText(self.tr("按地址建议"))
            self.station_hint.setStyleSheet(f"color:{GREEN}")
        else:
            self.station_hint.setText(self.tr("与建议不同"))
            self.station_hint.setStyleSheet(f"color:{AMBER}; font-weight:bold")

    # ---- filling ----
    def clear(self) -> None:
        self._fill({}, None)

    def load_pop(self, pop: dict) -> None:
        """Prefill from a screen pop: the IVR's ticket, the account, the caller's keys."""
        t = pop.get("ticket") or {}
        acc = pop.get("account") or {}
        ivr = pop.get("ivr") or {}
        st = acc.get("station") if isinstance(acc.get("station"), dict) else {}
        values = {
            "category": t.get("category") or ivr.get("category"),
            "address": t.get("address") or acc.get("address") or "",
            "name": t.get("name") or acc.get("name") or "",
            "callback_number": t.get("callback_number") or ivr.get("callback_number") or pop.get("caller") or "",
            "station_code": t.get("station_code") or (st or {}).get("code"),
            "station_name": (st or {}).get("name", ""),
            "priority": t.get("priority") or 0,
            "notes": t.get("description") or "",
            "account_no": t.get("account_no") or acc.get("account_no"),
        }
        self._fill(values, t.get("number"), suggested=(st or {}).get("code"), draft=t.get("draft_form"))

    def load_ticket(self, t: dict) -> None:
        """An existing ticket (e.g. a draft left by a crash), its draft form taking precedence."""
        values = {"category": t.get("category"), "address": t.get("address") or "", "name": t.get("name") or "",
                  "callback_number": t.get("callback_number") or "", "station_code": t.get("station_code"),
                  "priority": t.get("priority") or 0, "notes": t.get("description") or "",
                  "account_no": t.get("account_no")}
        self._fill(values, t.get("number"), suggested=t.get("station_code"), draft=t.get("draft_form"))

    def _fill(self, v: dict, number: str | None, suggested: str | None = None, draft: dict | None = None) -> None:
        if isinstance(draft, dict) and draft:
            v = {**v, **{k: draft[k] for k in draft if k in wire.FORM_FIELDS}}   # not _by, _at
        self._loading = True
        try:
            self.number = number or ""
            self.number_label.setText(self.number or self.tr("（无报修单）"))
            self.account_no = v.get("account_no")
            self.suggested_station = suggested
            i = self.category.findData(v.get("category"))
            self.category.setCurrentIndex(max(i, 0))
            self.address.setText(str(v.get("address") or ""))
            self.name.setText(str(v.get("name") or ""))
            self.phone.setText(str(v.get("callback_number") or ""))
            self._select_station(v.get("station_code"), v.get("station_name", ""))
            prio = int(v.get("priority") or 0)
            best = min(range(self.priority.count()), key=lambda k: abs(self.priority.itemData(k) - prio))
            self.priority.setCurrentIndex(best)
            self.notes.setPlainText(str(v.get("notes") or ""))
            self.resolved.setChecked(bool(v.get("resolved")))
            self.cancel_reason.setText(str(v.get("cancel_reason") or ""))
            self.cancel.setChecked(bool(v.get("cancel_reason")))
            self.cancel_reason.setEnabled(self.cancel.isChecked())
            self.chk_problem.setChecked(bool(v.get("confirmed_problem")))
            self.chk_address.setChecked(bool(v.get("confirmed_address")))
            self.chk_name.setChecked(bool(v.get("confirmed_name")))
            self.chk_phone.setChecked(bool(v.get("confirmed_phone")))
            self.saving = False
            self.saved = False
            self.dirty = False
            self.autosave_label.setText(self.tr("已恢复草稿") if draft else "")
            self.set_notice("")
        finally:
            self._loading = False
        self._update_station_hint()
        self._update_save_state()

    def set_account(self, acc: dict) -> None:
        """The agent picked an account for an unknown caller: link it, fill what is empty."""
        self.account_no = acc.get("account_no")
        if not self.address.text().strip() and acc.get("address"):
            self.address.setText(str(acc["address"]))
            self.chk_address.setChecked(False)
        if not self.name.text().strip() and acc.get("name"):
            self.name.setText(str(acc["name"]))
            self.chk_name.setChecked(False)
        st = acc.get("station") if isinstance(acc.get("station"), dict) else None
        if st and st.get("code"):
            self.suggested_station = st["code"]
            self._select_station(st["code"], st.get("name", ""))
        self._update_station_hint()
        self._changed()

    def form_dict(self) -> dict:
        """The body of PUT /api/tickets/{n} and its /draft: exactly common.wire.FORM_FIELDS."""
        values = {"category": self.category.currentData(), "address": self.address.text().strip(),
                  "name": self.name.text().strip(), "callback_number": self.phone.text().strip(),
                  "confirmed_problem": self.chk_problem.isChecked(),
                  "confirmed_address": self.chk_address.isChecked(),
                  "confirmed_name": self.chk_name.isChecked(), "confirmed_phone": self.chk_phone.isChecked(),
                  "station_code": self.station.currentData(), "priority": int(self.priority.currentData() or 0),
                  "notes": self.notes.toPlainText(), "account_no": self.account_no,
                  "resolved": self.resolved.isChecked(),
                  "cancel_reason": self.cancel_reason.text().strip() if self.cancelling else ""}
        return {k: values[k] for k in wire.FORM_FIELDS}

    def unsaved_ticket(self) -> dict | None:
        """The ticket on the form as a drafts entry, or None when there is none or it is saved."""
        if not self.number or self.saved:
            return None
        return {"number": self.number, "address": self.address.text(), "account_no": self.account_no,
                "station_code": self.suggested_station, "draft_form": self.form_dict()}

    # ---- drafts ----
    def show_drafts(self, drafts: list) -> None:
        """The unsaved drafts (desktop.state.desk.DeskState.drafts): a count, then one per ticket."""
        combo = self.drafts
        combo.clear()
        combo.addItem(self.tr("未完成草稿 (%1)").replace("%1", str(len(drafts))), None)
        for t in drafts:
            combo.addItem(f"{t['number']} {t.get('address') or ''}".strip(), t)
        combo.setVisible(bool(drafts))

    def open_draft(self, index: int) -> None:
        t = self.drafts.itemData(index)
        if isinstance(t, dict):
            self.load_ticket(t)
            self.drafts.setCurrentIndex(0)

    # ---- saving ----
    def flush_autosave(self) -> None:
        if self.dirty and self.number and not self.saving:
            self.dirty = False
            self.autosave_requested.emit(self.number, self.form_dict())

    def autosave_done(self, number: str) -> None:
        if number == self.number:
            self.autosave_label.setText(self.tr("草稿已自动保存 %1").replace("%1", time.strftime("%H:%M:%S")))

    def autosave_failed(self, number: str, msg: str) -> None:
        if number == self.number:
            self.dirty = True              # try again on the next tick
            self.autosave_label.setText(self.tr("草稿未能保存: %1").replace("%1", msg))

    def _save(self) -> None:
        if not self.can_save:
            self._update_save_state()
            return
        form = self.form_dict()
        if not form["category"]:
            self.save_hint.setText(self.tr("请选择问题类型"))
            return
        if not form["address"]:
            self.save_hint.setText(self.tr("请填写地址"))
            return
        self.saving = True
        self._cancel_sent = bool(form["cancel_reason"])
        self._update_save_state()
        self.save_hint.setText(self.tr("正在保存…"))
        self.save_requested.emit(self.number, form)

    def save_finished(self, ok: bool, msg: str = "") -> None:
        self.saving = False
        self._update_save_state()
        if ok:
            self.dirty = False
            self.saved = True
            self.save_hint.setText(self.tr("报修单已取消") if self._cancel_sent else self.tr("报修单已保存"))
            self.save_hint.setStyleSheet(f"color:{GREEN}")
        else:
            self.save_hint.setText(msg)
            self.save_hint.setStyleSheet(f"color:{RED}")
