"""The QA screen's requests (#28) over the desk's one API client: the day's sample and a lead's
"add a call", the standards, a check, the proposals, the month's results, peer listening, the
agent board and live listen-in, a ticket's detail, the recordings search, a recording's audio.
Everything comes back as a signal; a refusal (403/404/409/422) as `failed` with the server's own
words. The client does the HTTP (asynchronous: the GUI thread never waits)."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from common import wire


def _dict(data) -> dict:
    return data if isinstance(data, dict) else {}


def _list(data) -> list:
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


class QaApi(QObject):
    sample_loaded = Signal(dict)        # GET QA_SAMPLE: {day, final, agents, sample}
    scorecards_loaded = Signal(list)    # GET QA_SCORECARDS: the standards in force
    added = Signal(dict)                # POST QA_SAMPLE: the sample row of the call added
    checked = Signal(dict)              # POST QA_CHECKS: the written result (passed, unreported_by…)
    proposals_loaded = Signal(list)     # GET QA_PROPOSALS
    decided = Signal(dict)              # POST QA_PROPOSAL: the proposal as it is now
    results_loaded = Signal(dict)       # GET QA_RESULTS: {month, limits, agents, checkers}
    peer_loaded = Signal(dict)          # GET QA_PEER: {day, of_day, quota, recordings}
    peer_marked = Signal(dict)          # POST QA_PEER_MARK
    board_loaded = Signal(list)         # GET AGENTS: who is on a call now
    listening = Signal(dict)            # POST LISTEN_IN granted: the lead's phone rings next
    ticket_loaded = Signal(dict)        # GET TICKET: the checked call's ticket
    recordings_found = Signal(list)     # GET RECORDINGS with filters (a lead's "add a call")
    audio_ready = Signal(int, str)      # a recording's audio in a private local file
    failed = Signal(str)                # the server's words (or the network's)

    def __init__(self, client, parent: QObject | None = None):
        super().__init__(parent)
        self.client = client

    def _send(self, method: str, path: str, signal, body=None, query: dict | None = None, shape=_dict) -> None:
        if not getattr(self.client, "token", ""):      # not logged in (a sample desk): nothing to ask
            return
        self.client.request(method, path, body, query=query, quiet=True,
                            on_ok=lambda data: signal.emit(shape(data)),
                            on_error=lambda msg, _status: self.failed.emit(msg))

    # ---------------------------------------------------------- the sample --
    def sample(self, day: str = "", weekly: bool = False) -> None:
        """The day's sample, or (weekly) the head's sample of the week holding the day."""
        self._send("GET", wire.QA_WEEKLY if weekly else wire.QA_SAMPLE, self.sample_loaded,
                   query={"date": day} if day else None)

    def scorecards(self) -> None:
        self._send("GET", wire.QA_SCORECARDS, self.scorecards_loaded, shape=_list)

    def add_to_sample(self, rid: int) -> None:
        self._send("POST", wire.QA_SAMPLE, self.added, {"recording": int(rid)})

    def check(self, rid: int, scorecard: str, items: dict, findings: list, note: str) -> None:
        body = {"recording": int(rid), "scorecard": scorecard, "items": dict(items), "findings": list(findings),
                "note": note or ""}
        self._send("POST", wire.QA_CHECKS, self.checked, body)

    def ticket(self, number: str) -> None:
        self._send("GET", wire.path(wire.TICKET, number=number), self.ticket_loaded)

    def find_recordings(self, filters: dict) -> None:
        q = {k: str(v).strip() for k, v in (filters or {}).items() if k in wire.RECORDING_FILTERS and str(v).strip()}
        self._send("GET", wire.RECORDINGS, self.recordings_found, query=q or None, shape=_list)

    def audio(self, rid: int) -> None:
        if not getattr(self.client, "token", ""):
            return
        self.client.fetch_recording(int(rid), lambda path: self.audio_ready.emit(int(rid), path),
                                    on_error=lambda msg, _status: self.failed.emit(msg))

    # ----------------------------------------------------- proposals, results --
    def proposals(self) -> None:
        self._send("GET", wire.QA_PROPOSALS, self.proposals_loaded, query={"open": "1"}, shape=_list)

    def decide(self, pid: int, confirm: bool, note: str = "") -> None:
        self._send("POST", wire.path(wire.QA_PROPOSAL, pid=int(pid)), self.decided,
                   {"confirm": bool(confirm), "note": note or ""})

    def results(self, month: str = "") -> None:
        self._send("GET", wire.QA_RESULTS, self.results_loaded, query={"month": month} if month else None)

    # ----------------------------------------------------------- peer listening --
    def peer(self) -> None:
        self._send("GET", wire.QA_PEER, self.peer_loaded)

    def mark_peer(self, pid: int, findings: list, note: str) -> None:
        self._send("POST", wire.path(wire.QA_PEER_MARK, pid=int(pid)), self.peer_marked,
                   {"findings": list(findings), "note": note or ""})

    # ------------------------------------------------------------- listen-in --
    def board(self) -> None:
        self._send("GET", wire.AGENTS, self.board_loaded, shape=_list)

    def listen_in(self, agent_no: str, whisper: bool = False) -> None:
        self._send("POST", wire.path(wire.LISTEN_IN, agent_no=agent_no), self.listening, {"whisper": bool(whisper)})
