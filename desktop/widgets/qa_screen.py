"""质检, the QA screen (#28). A team lead's and the head's: the day's sample (each agent ≥ 10 % of their
answered calls, and calls a lead added), a call's recording played (seek, 1× / 1.5×) beside its
ticket and the IVR's answers, the scorecard of its standard rendered from the standard's data (each
item 合格 / 不合格, 不适用 only where the item may not apply), findings as buttons — 地址填写错误 / 选错维修站
/ 电话填写错误 one click that marks the ticket's field too — 闪光点, a note, and the written result
sent; the proposals the tickets' corrections make, confirmed or dismissed; the month's results per
agent and per checker; and a team lead's live listen-in (监听 / 耳语) on an agent's call. An agent's:
the colleagues' recordings of yesterday to listen to, marked with findings or 闪光点, and their own
results.

The views here are thin; what the screen is doing is desktop.state.qa (QaState, PlayerState), the
requests are desktop.services.qa.QaApi — `QaScreen` wires the three. A clip to play (from a
position, at a speed) is made on a worker thread: the GUI thread never waits."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.models.labels import (
    category_label,
    direction_label,
    finding_label,
    item_result_label,
    scorecard_label,
    state_label,
)
from desktop.models.qa import BoardModel, CheckersModel, PeerModel, ProposalsModel, ResultsModel, SampleModel
from desktop.models.reports import percent
from desktop.services import audio
from desktop.services.qa import QaApi
from desktop.state.qa import (
    FIELD_FINDINGS,
    PAGE_LISTEN,
    PAGE_PEER,
    PAGE_PROPOSALS,
    PAGE_RESULTS,
    PAGE_SAMPLE,
    PlayerState,
    QaState,
    item_choices,
)
from desktop.widgets.common import AMBER, GREEN, GREY, RED, readonly_table
from desktop.widgets.player_bar import PlayerBar
from desktop.widgets.recording_search import RecordingSearch
from common import wire

#: the findings' buttons, in the rules' order; praise apart (it is no problem)
PROBLEM_FINDINGS = tuple(k for k in wire.QA_FINDINGS if k != wire.QA_PRAISE)
FIELD_NAMES = ("category", "address", "name", "callback_number", "station", "state")


def check_only(buttons: dict, on) -> None:
    """Exactly the buttons whose key is in `on` checked, their toggles not sent: the state says so."""
    for key, b in buttons.items():
        if b.isChecked() != (key in on):
            with QSignalBlocker(b):
                b.setChecked(key in on)


def _heading(text: str) -> QLabel:
    lab = QLabel(text)
    lab.setStyleSheet("font-weight:bold")
    return lab


class FindingsBar(QWidget):
    """The findings as checkable buttons (problems red when on, 闪光点 green)."""
    toggled = Signal(str, bool)

    def __init__(self, parent=None, columns: int = 5):
        super().__init__(parent)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for i, code in enumerate((*PROBLEM_FINDINGS, wire.QA_PRAISE)):
            b = QPushButton(finding_label(code))
            b.setCheckable(True)
            colour = GREEN if code == wire.QA_PRAISE else RED
            b.setStyleSheet(f"QPushButton:checked {{ background:{colour}; color:white; font-weight:bold; }}")
            b.toggled.connect(lambda on, code=code: self.toggled.emit(code, on))
            self.buttons[code] = b
            grid.addWidget(b, i // columns, i % columns)

    def show_findings(self, on: set[str]) -> None:
        check_only(self.buttons, on)

    def set_enabled(self, on: bool) -> None:
        for b in self.buttons.values():
            b.setEnabled(on)


class ScorecardForm(QWidget):
    """The standard's items, each with its choices (合格 / 不合格, 不适用 where it may not apply)."""
    scored = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setVerticalSpacing(2)
        self.groups: dict[str, QButtonGroup] = {}
        self.radios: dict[str, dict[str, QRadioButton]] = {}
        self._widgets: list[QWidget] = []

    def show_card(self, card: dict) -> None:
        for w in self._widgets:
            w.deleteLater()
        self._widgets, self.groups, self.radios = [], {}, {}
        for row, item in enumerate(card.get("items") or []):
            key = item["key"]
            text = QLabel(item.get("text") or key)
            text.setWordWrap(True)
            if not item.get("required", True):
                text.setToolTip(self.tr("不合格不影响整通电话的结论(记录在案)"))
                text.setStyleSheet(f"color:{GREY}")
            self.grid.addWidget(text, row, 0)
            self._widgets.append(text)
            group = QButtonGroup(self)
            self.groups[key], self.radios[key] = group, {}
            for col, result in enumerate(item_choices(item), start=1):
                r = QRadioButton(item_result_label(result))
                r.toggled.connect(lambda on, key=key, result=result: on and self.scored.emit(key, result))
                group.addButton(r)
                self.radios[key][result] = r
                self.grid.addWidget(r, row, col)
                self._widgets.append(r)
        self.grid.setColumnStretch(0, 1)

    def show_items(self, items: dict) -> None:
        for key, radios in self.radios.items():
            group = self.groups[key]
            group.setExclusive(False)          # an unscored item: none of its choices checked
            check_only(radios, {items.get(key)})
            group.setExclusive(True)


class TicketBox(QGroupBox):
    """The checked call's ticket and what the IVR took; a field a finding marks wrong shows so, and
    its button is the finding's (one click, both)."""
    mark_requested = Signal(str, bool)       # finding, on

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("工单与语音导航"))
        self.values: dict[str, QLabel] = {}
        self.marks: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setVerticalSpacing(2)
        names = {"category": self.tr("问题"), "address": self.tr("地址"), "name": self.tr("姓名"),
                 "callback_number": self.tr("回电电话"), "station": self.tr("维修站"), "state": self.tr("状态"),
                 "caller_number": self.tr("来电号码"), "ivr": self.tr("语音导航")}
        field_finding = {field: finding for finding, field in FIELD_FINDINGS.items()}
        for row, key in enumerate((*FIELD_NAMES, "caller_number", "ivr")):
            lab = QLabel(names[key])
            lab.setStyleSheet(f"color:{GREY}")
            val = QLabel()
            val.setWordWrap(True)
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = val
            grid.addWidget(lab, row, 0)
            grid.addWidget(val, row, 1)
            if key in field_finding:
                finding = field_finding[key]
                b = QPushButton(self.tr("✗ %1").replace("%1", finding_label(finding)))
                b.setCheckable(True)
                b.setStyleSheet(f"QPushButton:checked {{ background:{RED}; color:white; }}")
                b.toggled.connect(lambda on, finding=finding: self.mark_requested.emit(finding, on))
                self.marks[finding] = b
                grid.addWidget(b, row, 2)
        grid.setColumnStretch(1, 1)

    def show_ticket(self, t: dict) -> None:
        ivr = []
        if t.get("number"):
            ivr.append(self.tr("报修单 %1").replace("%1", str(t["number"])))
            ivr.append(self.tr("有语音描述") if t.get("has_voice") else self.tr("无语音描述"))
        values = {"category": category_label(t.get("category")) if t.get("category") else "",
                  "address": str(t.get("address") or ""), "name": str(t.get("name") or ""),
                  "callback_number": str(t.get("callback_number") or ""),
                  "station": str(t.get("station") or ""), "state": state_label(t.get("state")) if t.get("state") else "",
                  "caller_number": str(t.get("caller_number") or ""), "ivr": " · ".join(ivr)}
        for key, text in values.items():
            self.values[key].setText(text)

    def show_wrong(self, fields: set[str], findings: set[str]) -> None:
        for key in FIELD_NAMES:
            self.values[key].setStyleSheet(f"color:{RED}; text-decoration:line-through" if key in fields else "")
        check_only(self.marks, findings)

    def set_enabled(self, on: bool) -> None:
        for b in self.marks.values():
            b.setEnabled(on)


class AddCallDialog(QDialog):
    """A lead's "add a call": the day's recordings found, one added to the day's sample."""
    add_requested = Signal(int)

    def __init__(self, parent, day: str):
        super().__init__(parent)
        self.setWindowTitle(self.tr("添加到抽查"))
        self.resize(720, 420)
        self.search = RecordingSearch(self)
        self.search.set_day(day)
        self.search.activated.connect(lambda _r: self._add())
        self.error = QLabel()
        self.error.setStyleSheet(f"color:{RED}")
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.add_button = box.addButton(self.tr("加入抽查"), QDialogButtonBox.ButtonRole.ActionRole)
        self.add_button.clicked.connect(self._add)
        box.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.search, 1)
        lay.addWidget(self.error)
        lay.addWidget(box)

    def _add(self) -> None:
        row = self.search.current()
        if row.get("id") is not None:
            self.error.clear()
            self.add_requested.emit(int(row["id"]))


class SamplePage(QWidget):
    """The day's sample on the left, the call being checked on the right."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.which = QComboBox()
        self.which.addItem(self.tr("每日抽查"), False)
        self.which.addItem(self.tr("部长周抽查"), True)
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.add_button = QPushButton(self.tr("添加通话"))
        self.add_button.setToolTip(self.tr("领班可把当日任一通话加入抽查"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(f"color:{GREY}")
        self.model = SampleModel(self)
        self.table = readonly_table(self.model, self)
        top = QHBoxLayout()
        top.addWidget(self.which)
        top.addWidget(QLabel(self.tr("日期")))
        top.addWidget(self.day)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        top.addWidget(self.add_button)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(top)
        ll.addWidget(self.summary)
        ll.addWidget(self.table, 3)

        self.title = QLabel(self.tr("（请在左侧选择一通电话）"))
        self.title.setStyleSheet("font-weight:bold; font-size:14px")
        self.title.setWordWrap(True)
        self.player = PlayerBar()
        self.ticket = TicketBox()
        ll.addWidget(self.ticket, 2)
        self.card_choice = QComboBox()
        for kind in wire.QA_SCORECARD_KINDS:
            self.card_choice.addItem(scorecard_label(kind), kind)
        self.card_title = QLabel()
        self.card_title.setStyleSheet(f"color:{GREY}")
        self.card = ScorecardForm()
        self.findings = FindingsBar()
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(self.tr("检查说明:问题的原因、值得学习的闪光点"))
        self.note.setFixedHeight(54)
        self.verdict = QLabel()
        self.verdict.setStyleSheet("font-weight:bold")
        self.submit_button = QPushButton(self.tr("提交检查结果"))
        self.result = QLabel()
        self.result.setWordWrap(True)

        card_box = QGroupBox(self.tr("评分"))
        cl = QVBoxLayout(card_box)
        head = QHBoxLayout()
        head.addWidget(QLabel(self.tr("标准")))
        head.addWidget(self.card_choice)
        head.addWidget(self.card_title, 1)
        cl.addLayout(head)
        cl.addWidget(self.card)
        cl.addWidget(_heading(self.tr("检查结果")))
        cl.addWidget(self.findings)
        cl.addWidget(self.note)
        bottom = QHBoxLayout()
        bottom.addWidget(self.verdict, 1)
        bottom.addWidget(self.submit_button)
        cl.addLayout(bottom)
        cl.addWidget(self.result)

        pane = QWidget()
        pl = QVBoxLayout(pane)
        pl.setContentsMargins(4, 0, 4, 0)
        pl.addWidget(self.title)
        pl.addWidget(self.player)
        pl.addWidget(card_box)
        pl.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(pane)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(scroll)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([620, 700])
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)


class _ListPage(QWidget):
    """A list with a grey hint above it and a row of controls below."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        model.setParent(self)
        self.table = readonly_table(model, self)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color:{GREY}")
        self.controls = QHBoxLayout()
        lay = QVBoxLayout(self)
        lay.addWidget(self.hint)
        lay.addWidget(self.table, 1)
        lay.addLayout(self.controls)

    def current(self) -> dict:
        return self.model.row_dict(self.table.currentIndex().row()) or {}


class ProposalsPage(_ListPage):
    def __init__(self, parent=None):
        super().__init__(ProposalsModel(), parent)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.hint.setText(self.tr("维修站退回(选错维修站)或派单后更正地址、电话,系统建议记在保存工单的座席名下;"
                                  "确认后与检查发现的问题一样计入考核和罚款。"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("备注(可选)"))
        self.confirm_button = QPushButton(self.tr("确认为检查结果"))
        self.dismiss_button = QPushButton(self.tr("驳回"))
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.controls.addWidget(self.note, 1)
        for b in (self.confirm_button, self.dismiss_button, self.refresh_button):
            self.controls.addWidget(b)


class ResultsPage(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.month = QDateEdit()
        self.month.setDisplayFormat("yyyy-MM")
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.limits = QLabel()
        self.limits.setWordWrap(True)
        self.limits.setStyleSheet(f"color:{GREY}")
        self.model = ResultsModel(self)
        self.table = readonly_table(self.model, self)
        self.table.horizontalHeader().setSectionResizeMode(ResultsModel.FINDINGS_COLUMN,
                                                           QHeaderView.ResizeMode.Stretch)
        self.checkers_label = _heading(self.tr("检查人"))
        self.checkers_model = CheckersModel(self)
        self.checkers = readonly_table(self.checkers_model, self)
        self.checkers.setMaximumHeight(140)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("月份")))
        top.addWidget(self.month)
        top.addWidget(self.refresh_button)
        top.addWidget(self.limits, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 2)
        lay.addWidget(self.checkers_label)
        lay.addWidget(self.checkers, 1)

    def show_results(self, data: dict, own: bool) -> None:
        self.model.set_rows(data.get("agents") or [])
        self.checkers_model.set_rows(data.get("checkers") or [])
        for w in (self.checkers_label, self.checkers):
            w.setVisible(not own)
        lim = data.get("limits") or {}
        if lim:
            self.limits.setText(
                self.tr("严重差错每次 %1 元,当月超过 %2 次后每次另加 %3 元;投诉率上限 日 %4、月 %5;"
                        "日不合格率达 %6 需轮训")
                .replace("%1", str(lim.get("fine_base"))).replace("%2", str(lim.get("fine_free")))
                .replace("%3", str(lim.get("fine_extra"))).replace("%4", percent(lim.get("complaint_day")))
                .replace("%5", percent(lim.get("complaint_month"))).replace("%6", percent(lim.get("retrain_fail_rate"))))


class ListenPage(_ListPage):
    def __init__(self, parent=None):
        super().__init__(BoardModel(), parent)
        self.hint.setText(self.tr("选择通话中的座席,点“监听”:您的话机会响铃并自动接通,只听不说;"
                                  "“耳语”时座席能听到您,住户听不到。每次监听都会记录。"))
        self.listen_button = QPushButton(self.tr("监听"))
        self.whisper_button = QPushButton(self.tr("耳语"))
        self.whisper_button.setToolTip(self.tr("座席能听到您,住户听不到"))
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.controls.addStretch(1)
        for b in (self.listen_button, self.whisper_button, self.refresh_button):
            self.controls.addWidget(b)

    def update_buttons(self) -> None:
        on = bool(self.current().get("in_call"))
        self.listen_button.setEnabled(on)
        self.whisper_button.setEnabled(on)


class PeerPage(QWidget):
    """An agent's colleagues' recordings of yesterday: listened, marked with findings or 闪光点."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = PeerModel(self)
        self.table = readonly_table(self.model, self)
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.title = QLabel()
        self.title.setStyleSheet("font-weight:bold")
        self.player = PlayerBar()
        self.findings = FindingsBar(columns=3)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(self.tr("发现问题请写明原因;闪光点请写明值得学习之处"))
        self.note.setFixedHeight(70)
        self.mark_button = QPushButton(self.tr("标记已听"))
        self.hint = QLabel(self.tr("听到问题未报告、之后被检查发现的,计为知情不报。"))
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color:{GREY}")
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        ll.addLayout(top)
        ll.addWidget(self.table, 1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.title)
        rl.addWidget(self.player)
        rl.addWidget(_heading(self.tr("听到的问题")))
        rl.addWidget(self.findings)
        rl.addWidget(self.note)
        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(self.mark_button)
        rl.addLayout(row)
        rl.addStretch(1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([600, 600])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)


class _Clips(QObject):
    """Clips made on a worker thread, delivered back on the GUI thread (a queued signal)."""
    made = Signal(int, float, str, float)     # recording, from, local path, the recording's length

    def __init__(self, parent=None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-clip")
        self._scratch = audio.AudioScratch()
        self.source: tuple[int, str] | None = None      # the recording downloaded: (id, local file)
        self._data: tuple[int, bytes] | None = None     # its bytes, read once (worker thread)

    def make(self, rid: int, start: float, speed: float) -> None:
        if self.source is None or self.source[0] != rid:
            return
        source = self.source

        def work():
            if self._data is None or self._data[0] != rid:
                self._data = (rid, Path(source[1]).read_bytes())
            data, seconds = audio.clip(self._data[1], start, speed)
            self.made.emit(rid, start, self._scratch.write(data, "clip"), seconds)
        self._pool.submit(work)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._scratch.clear()


class QaScreen(QWidget):
    """The QA tab: its pages by role, wired to QaState, PlayerState and QaApi."""
    info = Signal(str)
    error = Signal(str)
    listen_granted = Signal(dict)     # the lead's phone rings next with this caller id (answer it)

    def __init__(self, qa: QaApi, phone=None, parent=None):
        super().__init__(parent)
        self.qa, self.phone = qa, phone
        self.state = QaState(self)
        self.player = PlayerState(self)
        self.clips = _Clips(self)
        self.add_dialog: AddCallDialog | None = None
        self.tabs = QTabWidget()
        self.sample = SamplePage()
        self.proposals = ProposalsPage()
        self.results = ResultsPage()
        self.listen = ListenPage()
        self.peer = PeerPage()
        self.pages = {PAGE_SAMPLE: (self.sample, self.tr("每日抽查")), PAGE_PROPOSALS: (self.proposals, self.tr("检查建议")),
                      PAGE_RESULTS: (self.results, self.tr("月度结果")), PAGE_LISTEN: (self.listen, self.tr("实时监听")),
                      PAGE_PEER: (self.peer, self.tr("听前日录音"))}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        today = QDate.currentDate()
        self.sample.day.setDate(today)
        self.results.month.setDate(today)
        self._wire()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.clips.shutdown)
        self.show_role("")

    # ------------------------------------------------------------ wiring --
    def _wire(self) -> None:
        st, qa, pl, sp = self.state, self.qa, self.player, self.sample
        st.sample_wanted.connect(qa.sample)
        st.scorecards_wanted.connect(qa.scorecards)
        st.ticket_wanted.connect(qa.ticket)
        st.audio_wanted.connect(qa.audio)
        st.proposals_wanted.connect(qa.proposals)
        st.results_wanted.connect(qa.results)
        st.peer_wanted.connect(qa.peer)
        st.board_wanted.connect(qa.board)
        st.check_wanted.connect(qa.check)
        st.mark_wanted.connect(qa.mark_peer)
        qa.sample_loaded.connect(st.set_sample)
        qa.scorecards_loaded.connect(st.set_scorecards)
        qa.ticket_loaded.connect(st.set_ticket)
        qa.proposals_loaded.connect(st.set_proposals)
        qa.results_loaded.connect(st.set_results)
        qa.peer_loaded.connect(st.set_peer)
        qa.board_loaded.connect(st.set_board)
        qa.checked.connect(st.checked)
        qa.peer_marked.connect(st.marked)
        qa.added.connect(self.on_added)
        qa.decided.connect(lambda p: (self.info.emit(self.tr("检查建议已处理")), st.proposals_wanted.emit()))
        qa.listening.connect(self.on_listening)
        qa.recordings_found.connect(lambda rows: self.add_dialog and self.add_dialog.search.show_rows(rows))
        qa.audio_ready.connect(self.on_audio)
        qa.failed.connect(self.on_failed)

        st.role_changed.connect(self.show_role)
        st.day_changed.connect(self.show_day)
        st.sample_changed.connect(self.show_sample)
        st.selected_changed.connect(self.show_selected)
        st.ticket_changed.connect(sp.ticket.show_ticket)
        st.card_changed.connect(self.show_card)
        st.form_changed.connect(self.show_form)
        st.proposals_changed.connect(self.proposals.model.set_rows)
        st.results_changed.connect(lambda d: self.results.show_results(d, own=not st.checks and st.role == "agent"))
        st.peer_changed.connect(self.show_peer)
        st.board_changed.connect(self.show_board)
        st.done.connect(self.on_done)

        sp.day.dateChanged.connect(lambda d: st.set_day(d.toString("yyyy-MM-dd")))
        sp.refresh_button.clicked.connect(lambda: st.refresh(PAGE_SAMPLE))
        sp.which.activated.connect(lambda _i: st.set_weekly(bool(sp.which.currentData())))
        sp.add_button.clicked.connect(self.open_add_call)
        sp.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: st.select(sp.model.row_dict(cur.row())))
        sp.card_choice.activated.connect(lambda _i: st.use_card(sp.card_choice.currentData()))
        sp.card.scored.connect(st.score)
        sp.findings.toggled.connect(st.toggle)
        sp.ticket.mark_requested.connect(st.toggle)
        sp.note.textChanged.connect(lambda: st.set_note(sp.note.toPlainText()))
        sp.submit_button.clicked.connect(st.submit)

        pp = self.peer
        pp.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: st.select(pp.model.row_dict(cur.row())))
        pp.findings.toggled.connect(st.toggle)
        pp.note.textChanged.connect(lambda: st.set_note(pp.note.toPlainText()))
        pp.mark_button.clicked.connect(st.mark)
        pp.refresh_button.clicked.connect(lambda: st.refresh(PAGE_PEER))

        pr = self.proposals
        pr.refresh_button.clicked.connect(lambda: st.refresh(PAGE_PROPOSALS))
        pr.confirm_button.clicked.connect(lambda: self.decide(True))
        pr.dismiss_button.clicked.connect(lambda: self.decide(False))
        rs = self.results
        rs.month.dateChanged.connect(lambda d: st.set_month(d.toString("yyyy-MM")))
        rs.refresh_button.clicked.connect(lambda: st.refresh(PAGE_RESULTS))
        ls = self.listen
        ls.refresh_button.clicked.connect(lambda: st.refresh(PAGE_LISTEN))
        ls.table.selectionModel().currentRowChanged.connect(lambda *_a: ls.update_buttons())
        ls.listen_button.clicked.connect(lambda: self.listen_in(False))
        ls.whisper_button.clicked.connect(lambda: self.listen_in(True))

        for bar in (sp.player, pp.player):
            bar.toggle_requested.connect(pl.toggle)
            bar.seek_requested.connect(pl.seek)
            bar.speed_requested.connect(pl.set_speed)
        pl.position_changed.connect(self._show_position)
        pl.playing_changed.connect(lambda on: (sp.player.show_playing(on), pp.player.show_playing(on)))
        pl.clip_wanted.connect(lambda start, speed: pl.rid is not None and self.clips.make(pl.rid, start, speed))
        pl.stop_wanted.connect(lambda: audio.stop(self.phone))
        self.clips.made.connect(self.on_clip)
        self.tabs.currentChanged.connect(lambda _i: st.refresh(self.current_page()))

    def set_user(self, user: dict) -> None:
        self.state.set_user(user)

    def on_event(self, ev: dict) -> None:
        self.state.on_event(ev)

    def refresh(self) -> None:
        """The tab was opened: what its current page shows, fetched again."""
        self.state.refresh(self.current_page())

    def current_page(self) -> str:
        page = self.tabs.currentWidget()
        return next((k for k, (w, _t) in self.pages.items() if w is page), "")

    # ------------------------------------------------------------ showing --
    def show_role(self, _role: str) -> None:
        st = self.state
        self.tabs.blockSignals(True)          # one refresh for the new pages, not one per tab added
        self.tabs.clear()
        for key in st.pages():
            widget, title = self.pages[key]
            self.tabs.addTab(widget, title)
        self.tabs.blockSignals(False)
        self.sample.add_button.setVisible(st.role == "team_lead")
        self.sample.which.setCurrentIndex(1 if st.weekly else 0)
        self.sample.submit_button.setVisible(st.checks)
        self.proposals.confirm_button.setVisible(st.checks)
        self.proposals.dismiss_button.setVisible(st.checks)
        self.player.load(None)

    def show_day(self, day: str) -> None:
        """The server's reporting day (and the results' month) on the pickers, without asking again."""
        for edit, text, fmt in ((self.sample.day, day, "yyyy-MM-dd"), (self.results.month, self.state.month, "yyyy-MM")):
            d = QDate.fromString(text + ("-01" if fmt == "yyyy-MM" else ""), "yyyy-MM-dd")
            if d.isValid():
                edit.blockSignals(True)
                edit.setDate(d)
                edit.blockSignals(False)

    def show_sample(self, data: dict) -> None:
        sp = self.sample
        keep = self.state.selected.get("recording")
        sp.model.set_rows(data.get("sample") or [])
        agents = data.get("agents") or []
        parts = [self.tr("%1 %2:接听 %3,应查 %4,抽取 %5,已查 %6").replace("%1", str(a.get("agent_no", "")))
                 .replace("%2", str(a.get("name", ""))).replace("%3", str(a.get("answered", 0)))
                 .replace("%4", str(a.get("quota", 0))).replace("%5", str(a.get("sample", 0)))
                 .replace("%6", str(a.get("checked", 0))) for a in agents]
        if data.get("week"):
            head = self.tr("部长周抽查:%1 起的一周,每人抽查未在每日抽查中的通话").replace("%1", str(data["week"]))
        else:
            head = self.tr("每人至少抽查当日接听量的 10%(至少 1 通)")
        if not data.get("final"):
            head += self.tr("(未结束:抽取结果为当前情况,结束后确定)")
        sp.summary.setText("\n".join([head, *parts]))
        for i, row in enumerate(sp.model.rows()):
            if keep and row.get("recording") == keep:
                sp.table.selectionModel().blockSignals(True)
                sp.table.selectRow(i)
                sp.table.selectionModel().blockSignals(False)

    def show_selected(self, row: dict) -> None:
        sp, pp = self.sample, self.peer
        playable = bool(row.get("audio_url"))
        self.player.load(int(row["recording"]) if playable else None, float(row.get("duration_s") or 0))
        sp.player.set_enabled(playable)
        pp.player.set_enabled(playable)
        self.clips.source = None
        if not row:
            sp.title.setText(self.tr("（请在左侧选择一通电话）"))
            pp.title.setText("")
            return
        who = f"{row.get('name') or ''} ({row.get('agent') or ''})"
        title = self.tr("%1 · %2 · %3 %4").replace("%1", who).replace("%2", direction_label(row.get("direction"))) \
            .replace("%3", str(row.get("at") or "").replace("T", " ")[:16]) \
            .replace("%4", self.tr("报修单 %1").replace("%1", str(row["ticket"])) if row.get("ticket") else "")
        if not playable:
            title += self.tr("(录音不可播放)")
        sp.title.setText(title)
        pp.title.setText(title)
        chk = row.get("check") if isinstance(row.get("check"), dict) else None
        sp.result.setText(self.tr("已检查:%1(%2)").replace("%1", self.tr("合格") if chk["passed"] else self.tr("不合格"))
                          .replace("%2", str(chk.get("by") or "")) if chk else "")
        sp.note.blockSignals(True)
        sp.note.clear()
        sp.note.blockSignals(False)
        pp.note.blockSignals(True)
        pp.note.setPlainText(str(row.get("note") or ""))
        pp.note.blockSignals(False)
        if row.get("listened"):
            pp.findings.show_findings(set(row.get("findings") or []))

    def show_card(self, card: dict) -> None:
        sp = self.sample
        sp.card.show_card(card)
        i = sp.card_choice.findData(card.get("kind"))
        if i >= 0:
            sp.card_choice.setCurrentIndex(i)
        sp.card_title.setText(self.tr("%1 第 %2 版").replace("%1", str(card.get("title") or ""))
                              .replace("%2", str(card.get("version") or "")) if card.get("version") else "")

    def show_form(self) -> None:
        st, sp, pp = self.state, self.sample, self.peer
        sp.card.show_items(st.items)
        sp.findings.show_findings(st.findings)
        sp.ticket.show_wrong(st.wrong_fields(), st.findings)
        chosen = bool(st.selected)
        sp.findings.set_enabled(chosen and st.checks)
        sp.ticket.set_enabled(chosen and st.checks)
        sp.card_choice.setEnabled(chosen and st.checks)
        verdict = st.verdict()
        if not chosen:
            sp.verdict.setText("")
        elif verdict is None:
            sp.verdict.setText(self.tr("还有 %1 项未评").replace("%1", str(len(st.unscored()))))
            sp.verdict.setStyleSheet(f"font-weight:bold; color:{GREY}")
        else:
            sp.verdict.setText(self.tr("预判:合格") if verdict else self.tr("预判:不合格"))
            sp.verdict.setStyleSheet(f"font-weight:bold; color:{GREEN if verdict else RED}")
        sp.submit_button.setEnabled(st.can_submit())
        if st.role == "agent":
            listened = bool(st.selected.get("listened"))
            pp.findings.set_enabled(chosen and not listened)
            if not listened:
                pp.findings.show_findings(st.findings)
            pp.mark_button.setEnabled(st.can_mark())
            pp.hint.setText(self.tr("发现问题或闪光点请写明原因") if st.peer_missing_note() else
                            self.tr("听到问题未报告、之后被检查发现的,计为知情不报。"))
            pp.hint.setStyleSheet(f"color:{AMBER if st.peer_missing_note() else GREY}")

    def show_peer(self, data: dict) -> None:
        pp = self.peer
        rows = data.get("recordings") or []
        pp.model.set_rows(rows)
        done = sum(1 for r in rows if r.get("listened"))
        pp.summary.setText(self.tr("%1 的同事录音:今日分给您 %2 段(每人 %3 段),已听 %4 段")
                           .replace("%1", str(data.get("of_day") or "")).replace("%2", str(len(rows)))
                           .replace("%3", str(data.get("quota") or "")).replace("%4", str(done)))

    def show_board(self, rows: list) -> None:
        ls = self.listen
        keep = ls.current().get("agent_no")
        ls.model.set_rows(rows)
        for i, r in enumerate(ls.model.rows()):
            if r.get("agent_no") == keep:
                ls.table.selectRow(i)
        ls.update_buttons()

    def _show_position(self, position: float, duration: float) -> None:
        self.sample.player.show_position(position, duration)
        self.peer.player.show_position(position, duration)

    # ------------------------------------------------------------ actions --
    def on_audio(self, rid: int, path: str) -> None:
        """The selected call's recording is here: the player may play it."""
        if self.player.rid == rid:
            self.clips.source = (rid, path)

    def on_clip(self, rid: int, start: float, path: str, seconds: float) -> None:
        pl = self.player
        if pl.rid != rid or not pl.playing or abs(pl.position - start) > 0.01:
            return                       # paused, moved or another call since it was asked for
        if seconds:
            pl.set_duration(seconds)
        where = audio.play(self.phone, path)
        pl.started()
        if where != "headset":
            self.info.emit(self.tr("已用系统播放器打开录音"))

    def on_done(self, kind: str, answer: dict) -> None:
        if kind == "check":
            passed = bool(answer.get("passed"))
            text = self.tr("检查结果已保存:%1").replace("%1", self.tr("合格") if passed else self.tr("不合格"))
            if answer.get("unreported_by"):
                text += self.tr(";听过这通录音而未报告问题(知情不报):%1").replace("%1", "、".join(answer["unreported_by"]))
            self.sample.result.setText(text)
            self.sample.result.setStyleSheet(f"color:{GREEN if passed else RED}")
            self.info.emit(text)
        else:
            self.info.emit(self.tr("已标记为已听"))

    def on_failed(self, msg: str) -> None:
        if self.add_dialog is not None and self.add_dialog.isVisible():
            self.add_dialog.error.setText(msg)
        self.sample.result.setText(msg)
        self.sample.result.setStyleSheet(f"color:{RED}")
        self.error.emit(msg)

    def open_add_call(self) -> AddCallDialog:
        dlg = AddCallDialog(self, self.state.day)
        dlg.search.search_requested.connect(self.qa.find_recordings)
        dlg.add_requested.connect(self.qa.add_to_sample)
        self.add_dialog = dlg
        dlg.open()
        dlg.search.search()
        return dlg

    def on_added(self, row: dict) -> None:
        self.info.emit(self.tr("已加入 %1 的抽查").replace("%1", str(row.get("day") or "")))
        if self.add_dialog is not None:
            self.add_dialog.accept()
        if row.get("day") and row["day"] != self.state.day:
            self.sample.day.setDate(QDate.fromString(row["day"], "yyyy-MM-dd"))
        else:
            self.state.want_sample()

    def decide(self, confirm: bool) -> None:
        row = self.proposals.current()
        if row.get("id") is not None:
            self.qa.decide(int(row["id"]), confirm, self.proposals.note.text().strip())
            self.proposals.note.clear()

    def listen_in(self, whisper: bool) -> None:
        row = self.listen.current()
        if row.get("agent_no") and row.get("in_call"):
            self.qa.listen_in(str(row["agent_no"]), whisper)

    def on_listening(self, grant: dict) -> None:
        self.listen_granted.emit(grant)
        self.info.emit(self.tr("%1 %2:您的话机即将响铃并自动接通").replace("%1", str(grant.get("label") or ""))
                       .replace("%2", f"{grant.get('agent') or ''} {grant.get('name') or ''}".strip()))
