"""The residents on the PSTN side of the trunk, for tests and the bench: where the hotline's calls
out land (``HOTLINE_PSTN_OUTBOUND=127.0.0.1:<resident.port>``).

One pjsua2 line (`common.sip.phone.Phone.line`) on a port of its own takes every INVITE Asterisk
sends to the trunk, whatever the number, so one `Resident` stands for every resident. What it does
with the next calls is set beforehand: `answer()` (after `answer_after` seconds of ringing, then
optionally a tone, so the other side hears audio cross), `busy()` (486), `never_answer()` (it rings
until the caller gives up: Dial's timeout). Each call is handed out by `wait_call(timeout)` as a
`ResidentCall`: the number dialled (the Request-URI's user), the caller id received (From's user and
display name, P-Asserted-Identity) and the call, to send DTMF on, record, hang up.

    resident = Resident(SipStack.instance())       # before `hotline up`: its port goes in the trunk
    resident.busy()
    call = resident.wait_call(20)                  # … something on the hotline dials out
    assert call.number == "13812345678" and call.caller_id == "96069" and call.call.last_status == 486

The process's limits hold (common/sip/phone.py): 4 calls at a time, every phone together.
"""
from __future__ import annotations

import queue
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from common.sip.phone import Call, Phone, SipError, SipStack

ANSWER, BUSY, RING = "answer", "busy", "ring"
MODES = (ANSWER, BUSY, RING)

_REQUEST_USER = re.compile(r"^INVITE\s+(?:sips?|tel):([^@;>\s]*)")


def request_user(message: str) -> str:
    """The user of an INVITE's Request-URI: the number dialled."""
    m = _REQUEST_USER.match(message or "")
    return m.group(1) if m else ""


def header_user(message: str, name: str) -> tuple[str, str]:
    """(user, display name) of a SIP message's `name` header ('From', 'P-Asserted-Identity'),
    ('', '') when it has none. Only the head of the message is read."""
    head = (message or "").split("\r\n\r\n", 1)[0]
    for line in head.splitlines()[1:]:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == name.lower():
            m = re.search(r"sips?:([^@;>\s]*)@", value) or re.search(r"tel:([^;>\s]*)", value)
            d = re.match(r'\s*"([^"]*)"', value)
            return (m.group(1) if m else ""), (d.group(1) if d else "")
    return "", ""


@dataclass
class ResidentCall:
    """One call that reached the resident."""
    call: Call
    number: str           # the number dialled
    caller_id: str        # From's user: what the resident's phone shows
    caller_name: str      # From's display name ('' for none)
    asserted: str         # P-Asserted-Identity's user ('' for none)
    mode: str             # what the resident did with it: answer | busy | ring
    recording: str = ""   # what the resident heard (a WAV, complete once the call ended), with record_dir
    received_at: float = field(default_factory=time.monotonic)

    @property
    def state(self) -> str:
        return self.call.state

    def wait_answered(self, timeout: float = 10.0) -> "ResidentCall":
        self.call.wait_state("CONFIRMED", timeout)
        return self

    def wait_ended(self, timeout: float = 10.0) -> "ResidentCall":
        self.call.wait_state("DISCONNECTED", timeout)
        return self

    def send_dtmf(self, digits: str, gap: float = 0.25) -> None:
        self.call.send_dtmf(digits, gap=gap)

    def play_tone(self, freq_hz: int = 700) -> None:
        self.call.play_tone(freq_hz)

    def hangup(self) -> None:
        self.call.hangup()


class Resident:
    """Every resident the hotline calls, on one line; see the module's words."""

    def __init__(self, stack: SipStack, port: int = 0, record_dir: str | Path | None = None):
        self.phone = Phone.line(stack, port)
        self.port, self.host = self.phone.port, self.phone.host
        self.record_dir = Path(record_dir) if record_dir else None
        self.mode = ANSWER
        self.answer_after = 0.5
        self.tone_hz = 0
        self.calls: list[ResidentCall] = []
        self._handed: queue.Queue[ResidentCall] = queue.Queue()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="resident", daemon=True)
        self._watcher.start()

    @property
    def target(self) -> str:
        """What HOTLINE_PSTN_OUTBOUND names: host:port of this line."""
        return f"{self.host}:{self.port}"

    # ------------------------------------------------------- what to do --
    def answer(self, after_s: float = 0.5, tone_hz: int = 0) -> "Resident":
        """Answer the next calls after `after_s` s of ringing; with `tone_hz`, send that tone once up."""
        with self._lock:
            self.mode, self.answer_after, self.tone_hz = ANSWER, after_s, tone_hz
        return self

    def busy(self) -> "Resident":
        """Turn the next calls away busy (486)."""
        with self._lock:
            self.mode = BUSY
        return self

    def never_answer(self) -> "Resident":
        """Let the next calls ring until the caller gives up."""
        with self._lock:
            self.mode = RING
        return self

    # ------------------------------------------------------------ calls --
    def wait_call(self, timeout: float = 10.0) -> ResidentCall:
        """The next call that reached the resident (in order of arrival); TimeoutError if none did."""
        try:
            return self._handed.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no call reached the resident at {self.target} in {timeout} s") from None

    def mark(self) -> int:
        """A position in `calls`: `calls_since(mark)` are the calls that came after it."""
        with self._lock:
            return len(self.calls)

    def calls_since(self, mark: int) -> list[ResidentCall]:
        with self._lock:
            return self.calls[mark:]

    def reset(self) -> None:
        """Between tests: answer again, nothing waiting to be handed out, no call left up."""
        self.hangup_all()
        self.answer()
        while True:
            try:
                self._handed.get_nowait()
            except queue.Empty:
                break

    def hangup_all(self) -> None:
        for c in self.phone.calls:
            try:
                c.hangup()
            except SipError:
                pass

    def close(self) -> None:
        self._stop.set()
        self.phone.close()

    # ------------------------------------------------------------ inside --
    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                call = self.phone.wait_incoming(0.5)
            except TimeoutError:
                continue
            try:
                self._take(call)
            except SipError:       # the caller gave up at once: it is still on the list
                pass

    def _take(self, call: Call) -> None:
        caller, name = header_user(call.invite, "From")
        with self._lock:
            mode, after, tone = self.mode, self.answer_after, self.tone_hz
            rc = ResidentCall(call, request_user(call.invite), caller, name,
                              header_user(call.invite, "P-Asserted-Identity")[0], mode)
            self.calls.append(rc)
            n = len(self.calls)
        if self.record_dir is not None:
            self.record_dir.mkdir(parents=True, exist_ok=True)
            digits = "".join(c for c in rc.number if "0" <= c <= "9")[:20] or "unknown"
            rc.recording = str(self.record_dir / f"{n:03d}-{digits}.wav")
            call.record_to(rc.recording)
        if mode == BUSY:
            call.hangup(486)
        elif mode == ANSWER:
            threading.Thread(target=self._answer, args=(call, after, tone), daemon=True,
                             name="resident-answer").start()
        self._handed.put(rc)

    @staticmethod
    def _answer(call: Call, after: float, tone: int) -> None:
        time.sleep(after)
        try:
            if call.ended:
                return
            call.answer(200)
            if tone:
                call.play_tone(tone)
        except (SipError, TimeoutError):   # the caller hung up while it rang
            pass
