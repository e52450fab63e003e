"""The agent board's requests (#30) over the desk's one API client: the board itself (GET wire.BOARD),
a lead's actions on an agent from it — 监听 / 耳语 (wire.LISTEN_IN), 强制示闲 (wire.AGENT_UNPAUSE), 签退
(wire.AGENT_SIGN_OUT) — an alert's 确认 (wire.ALERT_ACK), and outage notices (宣布停热: POST wire.OUTAGES,
结束: wire.OUTAGE_END). Every answer comes back as a signal; a refusal (403/404/409/422) as `failed`
with what was asked and the server's own words. The client does the HTTP (asynchronous: the GUI
thread never waits); with no session (a sample desk) nothing is sent."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from common import wire

#: what `failed` names: the request that was refused
BOARD, LISTEN, UNPAUSE, SIGN_OUT, ACK, OUTAGE, OUTAGE_END = ("board", "listen", "unpause", "sign_out", "ack",
                                                             "outage", "outage_end")


def _dict(data) -> dict:
    return data if isinstance(data, dict) else {}


class BoardApi(QObject):
    board_loaded = Signal(dict)         # GET BOARD: wire.SAMPLE_BOARD's shape
    listening = Signal(dict)            # POST LISTEN_IN granted (wire.SAMPLE_LISTEN_IN): the lead's phone rings next
    unpaused = Signal(str, dict)        # the agent's 工号, the server's answer
    signed_out = Signal(str, dict)
    acked = Signal(int, dict)           # the alert's id, the server's answer (the alert as it is now)
    outage_declared = Signal(dict)      # the outage as the server keeps it (wire.SAMPLE_OUTAGE)
    outage_ended = Signal(int, dict)
    failed = Signal(str, str, int)      # what was asked (BOARD, LISTEN, …), the server's words, the status

    def __init__(self, client, parent: QObject | None = None):
        super().__init__(parent)
        self.client = client

    def _send(self, what: str, method: str, path: str, on_ok, body=None) -> bool:
        if not getattr(self.client, "token", ""):      # not logged in (a sample desk): nothing to ask
            return False
        self.client.request(method, path, body, quiet=True, on_ok=lambda data: on_ok(_dict(data)),
                            on_error=lambda msg, status: self.failed.emit(what, str(msg), int(status or 0)))
        return True

    def board(self) -> bool:
        return self._send(BOARD, "GET", wire.BOARD, self.board_loaded.emit)

    def listen_in(self, agent_no: str, whisper: bool = False) -> bool:
        return self._send(LISTEN, "POST", wire.path(wire.LISTEN_IN, agent_no=agent_no), self.listening.emit,
                          {"whisper": bool(whisper)})

    def unpause(self, agent_no: str, note: str = "") -> bool:
        return self._send(UNPAUSE, "POST", wire.path(wire.AGENT_UNPAUSE, agent_no=agent_no),
                          lambda d: self.unpaused.emit(str(agent_no), d), {"note": note or ""})

    def sign_out(self, agent_no: str, note: str = "") -> bool:
        return self._send(SIGN_OUT, "POST", wire.path(wire.AGENT_SIGN_OUT, agent_no=agent_no),
                          lambda d: self.signed_out.emit(str(agent_no), d), {"note": note or ""})

    def ack(self, aid: int, note: str = "") -> bool:
        return self._send(ACK, "POST", wire.path(wire.ALERT_ACK, aid=int(aid)),
                          lambda d: self.acked.emit(int(aid), d), {"note": note or ""})

    def declare_outage(self, area: str, until: str, message: str) -> bool:
        return self._send(OUTAGE, "POST", wire.OUTAGES, self.outage_declared.emit,
                          {"area": area, "until": until, "message": message})

    def end_outage(self, oid: int, call_back: bool) -> bool:
        return self._send(OUTAGE_END, "POST", wire.path(wire.OUTAGE_END, oid=int(oid)),
                          lambda d: self.outage_ended.emit(int(oid), d), {"call_back": bool(call_back)})
