"""The screen pop's left half: the account card, search for unknown callers, the account's
ticket history, the caller's IVR answers (and their recorded voice description), and — when the
caller is on the call-back list — that entry (the pop's `callback`: it clears once answered)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.models.aftercall import callback_reason_label, waited_text
from desktop.models.labels import category_label
from desktop.models.tables import HistoryModel, SearchResultsModel
from desktop.widgets.common import AMBER, readonly_table


class AccountPanel(QWidget):
    """Screen pop: the account card, search for unknown callers, history, IVR answers."""
    search_requested = Signal(str)
    account_chosen = Signal(dict)
    play_voice_requested = Signal(str, str)     # ticket number, voice URL path

    def __init__(self, parent=None):
        super().__init__(parent)
        self.account: dict | None = None
        self.voice: tuple[str, str] | None = None

        self.card = QGroupBox(self.tr("客户信息"))
        cf = QFormLayout(self.card)
        cf.setVerticalSpacing(3)
        self.banner = QLabel()
        self.banner.setStyleSheet(f"color:{AMBER}; font-weight:bold")
        self.callback_note = QLabel()
        self.callback_note.setStyleSheet(f"color:{AMBER}; font-weight:bold")
        self.callback_note.setWordWrap(True)
        self.callback_note.setVisible(False)
        self.account_no = QLabel()
        self.name = QLabel()
        self.address = QLabel()
        self.address.setWordWrap(True)
        self.phones = QLabel()
        self.station = QLabel()
        for w in (self.account_no, self.name, self.address, self.phones, self.station):
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        f = self.account_no.font()
        f.setBold(True)
        self.account_no.setFont(f)
        self.name.setFont(f)
        cf.addRow(self.banner)
        cf.addRow(self.callback_note)
        cf.addRow(self.tr("户号"), self.account_no)
        cf.addRow(self.tr("姓名"), self.name)
        cf.addRow(self.tr("地址"), self.address)
        cf.addRow(self.tr("电话"), self.phones)
        cf.addRow(self.tr("维修站"), self.station)

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(self.tr("电话、户号或地址关键字"))
        self.search_box.setMaxLength(64)
        self.search_button = QPushButton(self.tr("搜索"))
        self.search_box.returnPressed.connect(self._search)
        self.search_button.clicked.connect(self._search)
        self.results_model = SearchResultsModel(self)
        self.results = readonly_table(self.results_model, self)
        self.results.setVisible(False)
        self.results.doubleClicked.connect(self._choose)
        self.results.activated.connect(self._choose)
        sb = QHBoxLayout()
        sb.addWidget(self.search_box, 1)
        sb.addWidget(self.search_button)

        self.history_model = HistoryModel(self)
        self.history = readonly_table(self.history_model, self)
        hist_box = QGroupBox(self.tr("历史报修"))
        hl = QVBoxLayout(hist_box)
        hl.setContentsMargins(4, 4, 4, 4)
        hl.addWidget(self.history)

        self.ivr_box = QGroupBox(self.tr("IVR 按键信息"))
        ivr = QFormLayout(self.ivr_box)
        ivr.setVerticalSpacing(3)
        self.ivr_category = QLabel("—")
        self.ivr_callback = QLabel("—")
        self.ivr_callback.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.play_button = QPushButton(self.tr("▶ 播放语音描述"))
        self.play_button.setEnabled(False)
        self.play_button.clicked.connect(self._play)
        ivr.addRow(self.tr("问题"), self.ivr_category)
        ivr.addRow(self.tr("回电号码"), self.ivr_callback)
        ivr.addRow(self.tr("语音描述"), self.play_button)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.card)
        lay.addLayout(sb)
        lay.addWidget(self.results, 1)
        lay.addWidget(hist_box, 2)
        lay.addWidget(self.ivr_box)
        self.show_account(None)

    def _search(self) -> None:
        q = self.search_box.text().strip()
        if q:
            self.search_requested.emit(q)

    def _choose(self, index) -> None:
        row = self.results_model.row_dict(index.row())
        if row:
            self.show_account(row)
            self.account_chosen.emit(row)

    def _play(self) -> None:
        if self.voice:
            self.play_voice_requested.emit(*self.voice)

    def show_results(self, rows: list) -> None:
        self.results_model.set_rows(rows)
        self.results.setVisible(True)
        if not rows:
            self.banner.setVisible(True)
            self.banner.setText(self.tr("没有找到匹配的客户"))

    def show_account(self, acc: dict | None, caller: str = "") -> None:
        self.account = acc
        if not acc:
            self.banner.setVisible(True)
            self.banner.setText(self.tr("未识别的来电 %1，请搜索客户").replace("%1", caller) if caller
                                else self.tr("暂无来电"))
            for w in (self.account_no, self.name, self.address, self.phones, self.station):
                w.setText("")
            return
        self.banner.setText("")
        self.banner.setVisible(False)
        self.account_no.setText(str(acc.get("account_no") or ""))
        self.name.setText(str(acc.get("name") or ""))
        self.address.setText(str(acc.get("address") or ""))
        phones = acc.get("phones") or []
        self.phones.setText("、".join(map(str, phones)) if isinstance(phones, list) else str(phones))
        st = acc.get("station") or {}
        self.station.setText(f"{st.get('name', '')} {st.get('phone', '') or ''}".strip() if isinstance(st, dict)
                             else str(st))
        if isinstance(acc.get("tickets"), list):
            self.history_model.set_rows(acc["tickets"])

    def show_pop(self, pop: dict) -> None:
        acc = pop.get("account")
        self.results_model.clear()
        self.results.setVisible(not acc)
        self.search_box.clear()
        self.show_account(acc, str(pop.get("caller") or ""))
        self.history_model.set_rows(pop.get("history") or [])
        self.show_callback(pop.get("callback"))
        ivr = pop.get("ivr") or {}
        self.ivr_category.setText(category_label(ivr.get("category")) or "—")
        self.ivr_callback.setText(str(ivr.get("callback_number") or "—"))
        number = (pop.get("ticket") or {}).get("number") or ""
        url = ivr.get("voice_url")
        self.voice = (number, url) if url and number else None
        self.play_button.setEnabled(self.voice is not None)

    def show_callback(self, entry) -> None:
        """The caller's open call-back entry (wire.SAMPLE_CALLBACK), or nothing."""
        if not isinstance(entry, dict) or not entry.get("ticket"):
            self.callback_note.setVisible(False)
            self.callback_note.setText("")
            return
        text = (self.tr("此住户在回电列表上:报修单 %1(%2,已等 %3)。接通后这条回电自动完成。")
                .replace("%1", str(entry.get("ticket"))).replace("%2", callback_reason_label(entry.get("reason")))
                .replace("%3", waited_text(entry.get("waited"))))
        if entry.get("taken_by"):
            text += self.tr("(已由 %1 领取)").replace("%1", str(entry["taken_by"]))
        self.callback_note.setText(text)
        self.callback_note.setVisible(True)

    def clear(self) -> None:
        self.show_pop({})
