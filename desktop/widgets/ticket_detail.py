"""One ticket after the call (GET wire.TICKET): its fields, the timeline of its state moves, its
anomalies, its recordings (each leg, replayed through the API: #28), the links of a re-opened repair, and the actions this role may take in this state
(desktop.state.aftercall.actions_for; the server re-checks each and its refusal is shown here). A
待确认 draft (#24) says why it waits, and a team lead's 确认并派单 confirms it (and dispatches it). A
dispatched ticket offers team leads, the head and admins 电话通知维修站 (#30: POST wire.STATION_NOTIFY,
asynchronous through the desk's API client; the answer or the server's refusal shown under the buttons)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from desktop.models.aftercall import (AnomaliesModel, TimelineModel, age_text, row_age_min, short_time,
                                      station_call_gave_up, station_call_line)
from desktop.models.qa import FoundModel
from desktop.models.labels import (
    category_label,
    list_state_label,
    priority_label,
    state_label,
    unconfirmed_reason_label,
)
from desktop.state.aftercall import ACTION_ORDER, ACTIONS, actions_for
from desktop.widgets.common import AMBER, GREY, RED, readonly_table
from desktop.widgets.note_dialog import AnomalyDialog, ConfirmDialog, NoteDialog
from common import wire


def open_anomaly_dialog(parent, ticket: str, on_done) -> AnomalyDialog:
    """记录异常 on a ticket (also the agent's, on the call's ticket): `on_done(type, ticket, note)`."""
    dlg = AnomalyDialog(parent, ticket)
    dlg.accepted.connect(lambda: on_done(dlg.value(), ticket, dlg.text()))
    dlg.open()
    return dlg


class TicketDetailPanel(QGroupBox):
    """The selected ticket; emits what the person asked for, never calls the API itself."""
    move_requested = Signal(str, str, str, str)   # number, state, note, station_code ("" if none)
    reopen_requested = Signal(str, str)           # number, note
    confirm_requested = Signal(str, str, bool, str)  # number, station_code ("" for the suggested), dispatch, note
    anomaly_requested = Signal(str, str, str)     # type, ticket, note
    open_ticket = Signal(str)                     # a linked ticket's number was clicked
    play_requested = Signal(int)                  # one of its recordings, to replay
    notify_station_requested = Signal(str)        # 电话通知维修站: the ticket's number (POST wire.STATION_NOTIFY)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("工单详情"))
        self.role = ""
        self.ticket: dict = {}
        self.stations: list[dict] = []
        self.dialog: NoteDialog | None = None

        self.number_label = QLabel(self.tr("（未选择工单）"))
        self.number_label.setStyleSheet("font-weight:bold; font-size:14px")
        self.state_label = QLabel()
        self.state_label.setStyleSheet("font-weight:bold")
        self.fields: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        head = QHBoxLayout()
        head.addWidget(self.number_label)
        head.addWidget(self.state_label)
        head.addStretch(1)
        names = (("category", self.tr("问题")), ("priority", self.tr("优先级")), ("station", self.tr("维修站")),
                 ("created", self.tr("建单")), ("name", self.tr("姓名")), ("phone", self.tr("回电电话")),
                 ("address", self.tr("地址")))
        for i, (key, text) in enumerate(names):
            lab = QLabel(text)
            lab.setStyleSheet(f"color:{GREY}")
            val = QLabel()
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = val
            if key == "address":
                grid.addWidget(lab, 3, 0)
                grid.addWidget(val, 3, 1, 1, 3)
            else:
                grid.addWidget(lab, i // 2, (i % 2) * 2)
                grid.addWidget(val, i // 2, (i % 2) * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.links = QLabel()
        self.links.setTextFormat(Qt.TextFormat.RichText)
        self.links.linkActivated.connect(self.open_ticket)
        # how the station was told by phone (#30): each call's last outcome, a give-up in red
        self.station_calls = QLabel()
        self.station_calls.setWordWrap(True)

        self.timeline_model = TimelineModel(self)
        self.timeline = readonly_table(self.timeline_model, self)
        self.anomalies_model = AnomaliesModel(self)
        self.anomalies = readonly_table(self.anomalies_model, self)
        self.anomalies.setMaximumHeight(110)
        self.anomalies.setColumnHidden(AnomaliesModel.TICKET_COLUMN, True)     # this ticket's
        self.anomalies.horizontalHeader().setSectionResizeMode(AnomaliesModel.NOTE_COLUMN,
                                                               QHeaderView.ResizeMode.Stretch)
        self.timeline.horizontalHeader().setSectionResizeMode(TimelineModel.NOTE_COLUMN,
                                                              QHeaderView.ResizeMode.Stretch)

        self.recordings_model = FoundModel(self)
        self.recordings = readonly_table(self.recordings_model, self)
        self.recordings.setMaximumHeight(96)
        self.recordings.doubleClicked.connect(lambda _i: self._play())
        self.play_button = QPushButton(self.tr("回放录音"))
        self.play_button.clicked.connect(self._play)

        self.buttons: dict[str, QPushButton] = {}
        texts = {"confirm": self.tr("确认并派单"), "dispatch": self.tr("派单"), "recall": self.tr("撤回"), "accept": self.tr("接单"),
                 "contact": self.tr("已联系住户"), "complete": self.tr("返单"), "close": self.tr("关闭"),
                 "cancel": self.tr("取消"), "reopen": self.tr("重开")}
        actions = QHBoxLayout()
        for code in ACTION_ORDER:
            b = QPushButton(texts[code])
            b.clicked.connect(lambda _c=False, code=code: self.start_action(code))
            self.buttons[code] = b
            actions.addWidget(b)
        actions.addStretch(1)
        self.anomaly_button = QPushButton(self.tr("记录异常"))
        self.anomaly_button.clicked.connect(self.start_anomaly)
        actions.addWidget(self.anomaly_button)
        self.notify_button = QPushButton(self.tr("电话通知维修站"))
        self.notify_button.setToolTip(self.tr("立即拨打维修站值班电话,播报本报修单(接单请按1)"))
        self.notify_button.clicked.connect(self.start_notify)
        actions.addWidget(self.notify_button)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color:{RED}")

        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addLayout(grid)
        lay.addWidget(self.links)
        lay.addWidget(self.station_calls)
        lay.addWidget(QLabel(self.tr("处理经过")))
        lay.addWidget(self.timeline, 2)
        lay.addWidget(QLabel(self.tr("异常事件")))
        lay.addWidget(self.anomalies, 1)
        self.recordings_label = QLabel(self.tr("录音"))
        rec_row = QHBoxLayout()
        rec_row.addWidget(self.recordings_label)
        rec_row.addStretch(1)
        rec_row.addWidget(self.play_button)
        lay.addLayout(rec_row)
        lay.addWidget(self.recordings)
        lay.addLayout(actions)
        lay.addWidget(self.error_label)
        self.show_ticket({})

    # ------------------------------------------------------------ showing --
    def set_role(self, role: str) -> None:
        self.role = role or ""
        self._update_buttons()

    def set_stations(self, stations) -> None:
        self.stations = [s for s in (stations or []) if isinstance(s, dict) and s.get("code")]

    def show_ticket(self, t: dict) -> None:
        self.ticket = dict(t or {})
        self.error_label.clear()
        number = str(self.ticket.get("number") or "")
        self.number_label.setText(number or self.tr("（未选择工单）"))
        state = self.ticket.get("state")
        text = list_state_label(state) if state else ""
        if state == "draft" and self.ticket.get("reason"):
            text = self.tr("%1：%2").replace("%1", text).replace("%2", unconfirmed_reason_label(self.ticket.get("reason")))
        if self.ticket.get("overdue"):
            text += self.tr("（超时）")
        self.state_label.setText(text)
        colour = RED if self.ticket.get("overdue") else AMBER if state == "draft" else "palette(text)"
        self.state_label.setStyleSheet(f"font-weight:bold; color:{colour}")
        t = self.ticket
        values = {"category": category_label(t.get("category")) if t else "",
                  "priority": priority_label(t.get("priority")) if t else "",
                  "station": str(t.get("station") or ("" if not t else self.tr("（未派站）"))),
                  "created": (self.tr("%1（%2）").replace("%1", short_time(t.get("created_at")))
                              .replace("%2", age_text(row_age_min(t))) if row_age_min(t) is not None
                              else short_time(t.get("created_at"))),
                  "name": str(t.get("name") or ""), "phone": str(t.get("callback_number") or ""),
                  "address": str(t.get("address") or "")}
        for key, val in values.items():
            self.fields[key].setText(val)
        links = []
        if t.get("followup_of"):
            n = str(t["followup_of"])
            links.append(self.tr("续报自 %1").replace("%1", f"<a href='{n}'>{n}</a>"))
        ups = [str(f.get("number") if isinstance(f, dict) else f) for f in (t.get("followups") or [])]
        if ups:
            links.append(self.tr("续报单 %1").replace("%1", "、".join(f"<a href='{n}'>{n}</a>" for n in ups)))
        self.links.setText("　".join(links))
        self.links.setVisible(bool(links))
        calls = [c for c in (t.get("station_calls") or []) if isinstance(c, dict)]
        here = t.get("station_code")      # the ticket's station: named; an earlier one by its code
        self.station_calls.setText("\n".join(
            station_call_line(c, str(t.get("station") or "") if here and c.get("station") == here else "")
            for c in calls))
        self.station_calls.setStyleSheet(f"color:{RED}" if calls and station_call_gave_up(calls[-1]) else "")
        self.station_calls.setVisible(bool(calls))
        self.timeline_model.set_rows(t.get("history") or [])
        self.anomalies_model.set_rows([{**a, "ticket": a.get("ticket") or number}
                                       for a in (t.get("anomalies") or []) if isinstance(a, dict)])
        recs = [r for r in (t.get("recordings") or []) if isinstance(r, dict)]
        self.recordings_model.set_rows(recs)
        self.recordings_label.setText(self.tr("录音 (%1)").replace("%1", str(len(recs))))
        for w in (self.recordings_label, self.recordings, self.play_button):
            w.setVisible(bool(recs))
        self._update_buttons()

    def _update_buttons(self) -> None:
        offered = actions_for(self.role, self.ticket.get("state")) if self.ticket.get("number") else ()
        for code, b in self.buttons.items():
            b.setVisible(code in offered)
        self.anomaly_button.setVisible(bool(self.ticket.get("number")))
        self.notify_button.setVisible(self.can_notify())

    def can_notify(self) -> bool:
        """电话通知维修站: a dispatched ticket (waiting for its station), to team leads, the head and
        admins (the server re-checks both)."""
        t = self.ticket
        return bool(t.get("number")) and t.get("state") == "dispatched" and self.role in wire.SUPERVISOR_ROLES

    def visible_actions(self) -> list[str]:
        """The action buttons shown now (the tests' view of the panel)."""
        return [c for c, b in self.buttons.items() if not b.isHidden()]

    def show_error(self, msg: str) -> None:
        self.error_label.setStyleSheet(f"color:{RED}")
        self.error_label.setText(str(msg))
        self.notify_button.setEnabled(True)

    def start_notify(self) -> None:
        """Ask the server to call the ticket's station now (the button waits for its answer)."""
        if not self.can_notify():
            return
        self.error_label.clear()
        self.notify_button.setEnabled(False)
        self.notify_station_requested.emit(str(self.ticket["number"]))

    def station_notified(self, answer) -> None:
        """POST STATION_NOTIFY's answer (wire.SAMPLE_STATION_CALL): the call is on its way."""
        a = answer if isinstance(answer, dict) else {}
        self.notify_button.setEnabled(True)
        if a.get("ticket") and str(a.get("ticket")) != str(self.ticket.get("number") or ""):
            return                                      # another ticket is shown now
        text = self.tr("已请求电话通知维修站 %1(报修单 %2),数秒内拨出;接单后状态自动更新") \
            .replace("%1", str(a.get("station") or self.ticket.get("station") or "")) \
            .replace("%2", str(a.get("ticket") or self.ticket.get("number") or ""))
        if a.get("attempts"):
            text += self.tr("(此前已拨 %1 次)").replace("%1", str(a["attempts"]))
        self.error_label.setStyleSheet("color:#166534")
        self.error_label.setText(text)

    def _play(self) -> None:
        row = self.recordings_model.row_dict(self.recordings.currentIndex().row()) or \
            self.recordings_model.row_dict(0) or {}
        if row.get("id") is not None and row.get("audio_url"):
            self.play_requested.emit(int(row["id"]))

    # ------------------------------------------------------------ actions --
    def start_action(self, code: str) -> NoteDialog | None:
        number = str(self.ticket.get("number") or "")
        if not number or code not in ACTIONS:
            return None
        target, needs = ACTIONS[code]
        if needs == "confirm":
            return self.start_confirm()
        button = self.buttons[code].text()
        frm = state_label(self.ticket.get("state"))
        if target:
            prompt = self.tr("报修单 %1：%2 → %3").replace("%1", number).replace("%2", frm) \
                .replace("%3", state_label(target))
        else:
            prompt = self.tr("报修单 %1 已关闭：为它建一张关联的续报单").replace("%1", number)
        kw: dict = {"required": needs == "required"}
        if needs == "station":
            kw.update(choice_label=self.tr("维修站"), current=self.ticket.get("station_code"),
                      choices=[(self.tr("（请选择）"), None)] + [(f"{s.get('name', '')} ({s['code']})", s["code"])
                                                             for s in self.stations])
        kw["note_label"] = {"complete": self.tr("返单结果"), "cancel": self.tr("取消原因"),
                            "reopen": self.tr("重开原因")}.get(code, self.tr("备注"))
        kw["placeholder"] = {"complete": self.tr("维修站反馈的处理结果"), "cancel": self.tr("重复报修、住户撤销等"),
                             "reopen": self.tr("住户再次来电说明的情况，如“还是不热”")}.get(
            code, self.tr("例如：代站点操作时站点的答复"))
        dlg = NoteDialog(self, button, prompt, **kw)
        dlg.accepted.connect(lambda: self._submit(code, number, dlg.text(), dlg.value()))
        self.dialog = dlg
        dlg.open()
        return dlg

    def start_confirm(self) -> ConfirmDialog | None:
        """确认并派单 of a 待确认 draft: the suggested station chosen, 派单 ticked."""
        number = str(self.ticket.get("number") or "")
        if not number:
            return None
        prompt = self.tr("报修单 %1：%2 → %3").replace("%1", number) \
            .replace("%2", list_state_label(self.ticket.get("state"))).replace("%3", state_label("new"))
        if self.ticket.get("reason"):
            prompt += "\n" + unconfirmed_reason_label(self.ticket.get("reason"))
        dlg = ConfirmDialog(self, prompt, self.stations, self.ticket.get("station_code"))
        dlg.accepted.connect(lambda: self._confirm(number, dlg))
        self.dialog = dlg
        dlg.open()
        return dlg

    def _confirm(self, number: str, dlg: ConfirmDialog) -> None:
        self.error_label.clear()
        self.confirm_requested.emit(number, str(dlg.value() or ""), dlg.dispatching(), dlg.text())

    def _submit(self, code: str, number: str, note: str, station) -> None:
        self.error_label.clear()
        target, _needs = ACTIONS[code]
        if target is None:
            self.reopen_requested.emit(number, note)
        else:
            self.move_requested.emit(number, target, note, str(station or ""))

    def start_anomaly(self) -> NoteDialog | None:
        number = str(self.ticket.get("number") or "")
        if not number:
            return None
        self.dialog = open_anomaly_dialog(self, number, self.anomaly_requested.emit)
        return self.dialog
