"""The QA screen's state without a widget (#28): whose screen it is (a team lead's or the head's
checks, an agent's peer listening and own results), the day's sample and the call being checked,
its scorecard as the standard's data gives it (each item pass / fail, na only where the item may
not apply), the findings and the note; the proposals, the month's results, the agent board for
listen-in; and the player's position and speed (`PlayerState`).

Like the other states it never calls the API: it says what to fetch (the *_wanted signals) and
what changed; desktop.widgets.qa_screen wires it to desktop.services.qa. The server scores the
check again (hotline.aftercall.qa.rules.score) and refuses what does not fit the standard: the
verdict shown before submitting is only a preview of the same rule."""
from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from common import wire

#: the QA screen's pages, in the order they are shown
PAGE_SAMPLE, PAGE_PROPOSALS, PAGE_RESULTS, PAGE_LISTEN, PAGE_PEER = "sample", "proposals", "results", "listen", "peer"
#: who checks (领班 daily, 部长 weekly): they score calls and decide proposals
CHECKERS = ("team_lead", "head")
#: who listens in on live calls (the dialplan lets only their phones)
LISTENERS = ("team_lead",)
#: the findings a check records against a ticket field (one click marks both)
FIELD_FINDINGS = {"wrong_address": "address", "wrong_station": "station", "wrong_phone": "callback_number"}
#: a problem found (every finding but praise) fails the call
PROBLEMS = tuple(k for k in wire.QA_FINDINGS if k != wire.QA_PRAISE)


def pages_for(role: str | None) -> tuple[str, ...]:
    """A team lead: the sample, the proposals, the results, listen-in; the head the same but
    listen-in; an admin reads the sample, the proposals and the results; an agent listens to
    colleagues' calls and sees their own results; a station has no QA screen."""
    if role == "team_lead":
        return PAGE_SAMPLE, PAGE_PROPOSALS, PAGE_RESULTS, PAGE_LISTEN
    if role in ("head", "admin"):
        return PAGE_SAMPLE, PAGE_PROPOSALS, PAGE_RESULTS
    if role == "agent":
        return PAGE_PEER, PAGE_RESULTS
    return ()


def item_choices(item: dict) -> tuple[str, ...]:
    """pass / fail, and na only for an item that may not apply (回访's f)."""
    return ("pass", "fail", "na") if item.get("optional") else ("pass", "fail")


def fee_reminder_due(ticket: dict) -> bool:
    """Whether 回访's f applied on this ticket's survey: it was read (or should have been)."""
    survey = ticket.get("survey") if isinstance(ticket.get("survey"), dict) else {}
    return bool(survey.get("fee_reminder"))


def preview(card: dict, items: dict, findings) -> bool | None:
    """The rule's verdict before the server's (None while an item is unscored): a required item
    failed or a problem found fails the call; praise is no problem."""
    known = card.get("items") or []
    if not known or any(items.get(i["key"]) is None for i in known):
        return None
    failed = any(items.get(i["key"]) == "fail" and i.get("required", True) for i in known)
    return not failed and not any(f in PROBLEMS for f in findings)


def _rows(data, key: str) -> list[dict]:
    rows = data.get(key) if isinstance(data, dict) else data
    return [r for r in (rows or []) if isinstance(r, dict)] if isinstance(rows, list) else []


class QaState(QObject):
    # what to fetch
    sample_wanted = Signal(str, bool)      # GET wire.QA_SAMPLE ?date= (weekly: wire.QA_WEEKLY, the head's)
    scorecards_wanted = Signal()
    ticket_wanted = Signal(str)            # the checked call's ticket (GET wire.TICKET)
    audio_wanted = Signal(int)             # the checked (or listened) call's recording
    proposals_wanted = Signal()
    results_wanted = Signal(str)           # GET wire.QA_RESULTS ?month=
    peer_wanted = Signal()
    board_wanted = Signal()
    check_wanted = Signal(int, str, dict, list, str)   # POST wire.QA_CHECKS: recording, scorecard, items, findings, note
    mark_wanted = Signal(int, list, str)   # POST wire.QA_PEER_MARK: the task, findings, note
    # what changed
    role_changed = Signal(str)
    day_changed = Signal(str)              # the day (and month) the pages show, as the server named it
    sample_changed = Signal(dict)          # {day, final, agents, sample}
    selected_changed = Signal(dict)        # the call being checked or listened to ({} none)
    ticket_changed = Signal(dict)
    card_changed = Signal(dict)            # the scorecard in use: {kind, version, title, items}
    form_changed = Signal()                # an item scored, a finding, the note
    proposals_changed = Signal(list)
    results_changed = Signal(dict)
    peer_changed = Signal(dict)
    board_changed = Signal(list)
    done = Signal(str, dict)               # the server took it: ("check" | "mark", its answer)
    REFRESH_MS = 300

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.role = ""
        self.agent_no = ""
        self.weekly = False
        #: "" until the server named its reporting day (its clock decides, not this PC's)
        self.day = ""
        self.month = ""
        self.sample: dict = {}
        self.cards: dict[str, dict] = {}
        self.selected: dict = {}
        self.ticket: dict = {}
        self.card: dict = {}
        self.items: dict[str, str | None] = {}
        self.findings: set[str] = set()
        self.note = ""
        self.proposals: list[dict] = []
        self.results: dict = {}
        self.peer: dict = {}
        self.board: list[dict] = []
        self._board_timer = QTimer(self)
        self._board_timer.setSingleShot(True)
        self._board_timer.setInterval(self.REFRESH_MS)
        self._board_timer.timeout.connect(self.board_wanted.emit)

    # ------------------------------------------------------------------ who --
    def set_user(self, user: dict) -> None:
        user = user if isinstance(user, dict) else {}
        role, no = str(user.get("role") or ""), str(user.get("agent_no") or "")
        if (role, no) == (self.role, self.agent_no):
            return
        self.role, self.agent_no = role, no
        self.day = self.month = ""
        self.weekly = role == "head"               # the head checks every week (部长每周抽查)
        self.sample, self.proposals, self.results, self.peer, self.board = {}, [], {}, {}, []
        self.select({})
        self.role_changed.emit(role)

    def pages(self) -> tuple[str, ...]:
        return pages_for(self.role)

    @property
    def checks(self) -> bool:
        """This person scores calls and decides proposals (a team lead, the head)."""
        return self.role in CHECKERS

    @property
    def listens_in(self) -> bool:
        return self.role in LISTENERS

    # -------------------------------------------------------------- refreshing --
    def refresh(self, page: str = "") -> None:
        """Ask for what a page shows (every page of this role when none is named)."""
        for p in ([page] if page else self.pages()):
            if p not in self.pages():
                continue
            if p == PAGE_SAMPLE:
                self.want_sample()
                if not self.cards:
                    self.scorecards_wanted.emit()
            elif p == PAGE_PROPOSALS:
                self.proposals_wanted.emit()
            elif p == PAGE_RESULTS:
                self.results_wanted.emit(self.month)
            elif p == PAGE_PEER:
                self.peer_wanted.emit()
            elif p == PAGE_LISTEN:
                self.board_wanted.emit()

    def want_sample(self) -> None:
        self.sample_wanted.emit(self.day, self.weekly)

    def set_weekly(self, on: bool) -> None:
        """The head's weekly sample of the week holding the day, or the day's sample."""
        if bool(on) != self.weekly:
            self.weekly = bool(on)
            self.select({})
            self.want_sample()

    def set_day(self, day: str) -> None:
        day = str(day)[:10]
        if day == self.day:
            return
        self.day = day
        self.select({})
        self.want_sample()

    def set_month(self, month: str) -> None:
        month = str(month)[:7]
        if month == self.month:
            return
        self.month = month
        self.results_wanted.emit(self.month)

    # --------------------------------------------------------------- answers --
    def set_sample(self, data: dict) -> None:
        self.sample = data if isinstance(data, dict) else {}
        if self.sample.get("day") and self.sample["day"] != self.day and not self.weekly:
            self.day = str(self.sample["day"])
            self.day_changed.emit(self.day)
        self.sample_changed.emit(dict(self.sample))
        if self.selected.get("recording"):          # the row as it is now (checked, by whom): the same call,
            row = self.row(self.selected["recording"])   # still playing, its result still shown
            if row:
                self.selected = {**self.selected, **row}

    def rows(self) -> list[dict]:
        return _rows(self.sample, "sample")

    def row(self, rid) -> dict:
        return next((r for r in self.rows() if r.get("recording") == rid), {})

    def set_scorecards(self, cards: list) -> None:
        self.cards = {c["kind"]: c for c in cards if isinstance(c, dict) and c.get("kind")}
        if self.selected and not self.card:
            self.use_card(self.selected.get("scorecard") or "intake")

    def set_ticket(self, t: dict) -> None:
        t = t if isinstance(t, dict) else {}
        if str(t.get("number") or "") != str(self.selected.get("ticket") or ""):
            return                                   # an answer for a call no longer selected
        self.ticket = t
        self.ticket_changed.emit(dict(t))
        if self.card.get("kind") == "survey":        # f applied: it needs a score, not na
            self.use_card("survey")

    def set_proposals(self, rows: list) -> None:
        self.proposals = _rows(rows, "proposals")
        self.proposals_changed.emit(list(self.proposals))

    def set_results(self, data: dict) -> None:
        self.results = data if isinstance(data, dict) else {}
        if self.results.get("month") and self.results["month"] != self.month:
            self.month = str(self.results["month"])
            self.day_changed.emit(self.day)
        self.results_changed.emit(dict(self.results))

    def set_peer(self, data: dict) -> None:
        self.peer = data if isinstance(data, dict) else {}
        self.peer_changed.emit(dict(self.peer))

    def set_board(self, rows: list) -> None:
        self.board = [r for r in _rows(rows, "agents") if r.get("role") == "agent"]
        self.board_changed.emit(list(self.board))

    def on_event(self, ev: dict) -> None:
        """A call answered or ended somewhere: the listen-in board is refreshed (coalesced)."""
        if self.listens_in and isinstance(ev, dict) and ev.get("type") in (wire.EV_AGENT_STATE,
                                                                          wire.EV_CALL_ANSWERED, wire.EV_CALL_ENDED):
            self._board_timer.start()

    # --------------------------------------------------------- the call checked --
    def select(self, row: dict) -> None:
        """A sample row (or a peer's task) to check: its ticket and its recording are fetched, the
        scorecard its leg asks for is set up afresh."""
        row = dict(row) if isinstance(row, dict) else {}
        self.selected, self.ticket = row, {}
        self.findings, self.note = set(), ""
        self.card, self.items = {}, {}
        self.selected_changed.emit(dict(row))
        self.ticket_changed.emit({})
        if not row:
            self.card_changed.emit({})
            self.form_changed.emit()
            return
        if row.get("ticket") and self.role in wire.SUPERVISOR_ROLES:    # an agent reads no colleague's ticket
            self.ticket_wanted.emit(str(row["ticket"]))
        if row.get("recording") and row.get("audio_url"):
            self.audio_wanted.emit(int(row["recording"]))
        self.use_card(str(row.get("scorecard") or "intake"))

    def use_card(self, kind: str) -> None:
        """The standard to check against (its newest version, as the server has it). Every item
        unscored, except an optional one that did not apply: na."""
        card = self.cards.get(kind)
        self.card = dict(card) if card else {"kind": kind, "items": []}
        due = fee_reminder_due(self.ticket)
        self.items = {i["key"]: ("na" if i.get("optional") and not due else None) for i in self.card.get("items") or []}
        self.card_changed.emit(dict(self.card))
        self.form_changed.emit()

    def score(self, key: str, result: str) -> None:
        item = next((i for i in self.card.get("items") or [] if i["key"] == key), None)
        if item is None or result not in item_choices(item):
            return
        self.items[key] = result
        self.form_changed.emit()

    def toggle(self, finding: str, on: bool) -> None:
        """A finding on or off (地址填写错误 and 选错维修站 mark the ticket's field too)."""
        if finding not in wire.QA_FINDINGS:
            return
        (self.findings.add if on else self.findings.discard)(finding)
        self.form_changed.emit()

    def set_note(self, text: str) -> None:
        self.note = str(text or "")[:wire.QA_NOTE_MAX]
        self.form_changed.emit()

    def wrong_fields(self) -> set[str]:
        """The ticket fields a finding marks wrong."""
        return {FIELD_FINDINGS[f] for f in self.findings if f in FIELD_FINDINGS}

    def unscored(self) -> list[str]:
        return [k for k, v in self.items.items() if v is None]

    def verdict(self) -> bool | None:
        return preview(self.card, self.items, self.findings)

    def can_submit(self) -> bool:
        return self.checks and bool(self.selected.get("recording")) and bool(self.card.get("items")) \
            and not self.unscored()

    def submit(self) -> bool:
        if not self.can_submit():
            return False
        self.check_wanted.emit(int(self.selected["recording"]), str(self.card["kind"]), dict(self.items),
                               [f for f in wire.QA_FINDINGS if f in self.findings], self.note.strip())
        return True

    def checked(self, answer: dict) -> None:
        """The server's written result (the view words it), and the day's sample fetched again."""
        self.done.emit("check", answer if isinstance(answer, dict) else {})
        self.want_sample()

    # ------------------------------------------------------------ peer listening --
    def peer_missing_note(self) -> bool:
        """A problem needs its cause written, 闪光点 what was good (the server's rule)."""
        return bool(self.findings) and not self.note.strip()

    def can_mark(self) -> bool:
        return self.role == "agent" and bool(self.selected.get("id")) and not self.selected.get("listened") \
            and not self.peer_missing_note()

    def mark(self) -> bool:
        if not self.can_mark():
            return False
        self.mark_wanted.emit(int(self.selected["id"]), [f for f in wire.QA_FINDINGS if f in self.findings],
                              self.note.strip())
        return True

    def marked(self, answer: dict) -> None:
        self.done.emit("mark", answer if isinstance(answer, dict) else {})
        self.peer_wanted.emit()


class PlayerState(QObject):
    """Where in the recording the player is and how fast it goes. Playing from a position at a
    speed is a clip made of the recording (desktop.services.audio.clip) — every play, seek and
    change of speed asks for one (`clip_wanted`); the position counts on from the moment it plays
    (`started`)."""
    clip_wanted = Signal(float, float)     # from (s), speed
    stop_wanted = Signal()
    position_changed = Signal(float, float)    # position, duration (0: not known yet)
    playing_changed = Signal(bool)
    SPEEDS = (1.0, 1.5)
    TICK_MS = 200

    def __init__(self, parent: QObject | None = None, clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self._clock = clock
        self.rid: int | None = None
        self.duration = 0.0
        self.speed = 1.0
        self.playing = False
        self._from = 0.0                   # the position the clip playing now began at
        self._since: float | None = None   # when it began (None: asked for, not playing yet)
        self._timer = QTimer(self)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self._tick)

    @property
    def position(self) -> float:
        if self.playing and self._since is not None:
            pos = self._from + (self._clock() - self._since) * self.speed
            return min(pos, self.duration) if self.duration else pos
        return self._from

    def load(self, rid: int | None, duration: float = 0.0) -> None:
        """A recording (none: nothing to play): from its start, stopped."""
        self._stop()
        self.rid, self.duration, self._from = rid, max(0.0, float(duration)), 0.0
        self.position_changed.emit(0.0, self.duration)

    def set_duration(self, seconds: float) -> None:
        self.duration = max(0.0, float(seconds))
        self.position_changed.emit(self.position, self.duration)

    def play(self) -> None:
        if self.rid is None:
            return
        if self.duration and self._from >= self.duration - 0.05:
            self._from = 0.0                 # at the end: again from the start
        self._start(self._from)

    def pause(self) -> None:
        if self.playing:
            self._from = self.position
            self._stop()
            self.position_changed.emit(self._from, self.duration)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def seek(self, seconds: float) -> None:
        top = self.duration if self.duration else max(0.0, float(seconds))
        self._from = max(0.0, min(float(seconds), top))
        self.position_changed.emit(self._from, self.duration)
        if self.playing:
            self._start(self._from)

    def set_speed(self, speed: float) -> None:
        if speed not in self.SPEEDS or speed == self.speed:
            return
        self._from = self.position
        self.speed = speed
        if self.playing:
            self._start(self._from)

    def started(self) -> None:
        """The clip asked for plays now."""
        if self.playing:
            self._since = self._clock()
            self._timer.start()

    def _start(self, at: float) -> None:
        self._from, self._since = at, None
        was = self.playing
        self.playing = True
        if not was:
            self.playing_changed.emit(True)
        self.clip_wanted.emit(at, self.speed)

    def _stop(self) -> None:
        self._timer.stop()
        self._since = None
        if self.playing:
            self.playing = False
            self.stop_wanted.emit()
            self.playing_changed.emit(False)

    def _tick(self) -> None:
        pos = self.position
        if self.duration and pos >= self.duration:
            self._from = self.duration
            self._stop()
        self.position_changed.emit(min(pos, self.duration) if self.duration else pos, self.duration)
