"""Scripted caller scenarios over real SIP calls, checked against what Asterisk did.

Used by the test suite and by ``hotline dialplan test`` (the same scenarios):
a PSTN-trunk caller (pjsua2) dials the hotline and answers the IVR's prompts
with RFC 4733 DTMF; an AMI event log tells when each prompt starts (AGIExecStart)
and which channel variables the flow set (VarSet).
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field


class AmiEventLog:
    """A minimal synchronous AMI client that keeps every event (tests, scenario runs)."""

    def __init__(self, port: int, user: str, secret: str, host: str = "127.0.0.1"):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.events: list[dict[str, str]] = []
        self.cond = threading.Condition()
        self._buf = b""
        self.sock.recv(256)  # banner
        self._send({"Action": "Login", "Username": user, "Secret": secret, "Events": "on"})
        self.closed = False
        threading.Thread(target=self._reader, daemon=True, name="ami-events").start()
        self.wait(lambda e: e.get("Response") in ("Success", "Error"), timeout=10)

    def _send(self, msg: dict[str, str]) -> None:
        self.sock.sendall("".join(f"{k}: {v}\r\n" for k, v in msg.items()).encode() + b"\r\n")

    def action(self, msg: dict[str, str], timeout: float = 10) -> dict[str, str]:
        aid = f"a{time.monotonic_ns()}"
        self._send({**msg, "ActionID": aid})
        return self.wait(lambda e: e.get("ActionID") == aid and "Response" in e, timeout=timeout)

    def _reader(self) -> None:
        self.sock.settimeout(None)
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                with self.cond:
                    self.cond.notify_all()
                return
            self._buf += chunk
            while b"\r\n\r\n" in self._buf:
                raw, self._buf = self._buf.split(b"\r\n\r\n", 1)
                msg: dict[str, str] = {}
                for line in raw.decode("utf-8", "replace").split("\r\n"):
                    if ": " in line:
                        k, v = line.split(": ", 1)
                        msg.setdefault(k, v)
                msg["_t"] = time.monotonic()  # type: ignore[assignment]
                with self.cond:
                    self.events.append(msg)
                    self.cond.notify_all()

    def wait(self, pred, timeout: float = 20, start: int = 0) -> dict[str, str]:
        """The first event (from index `start`) matching `pred`, waiting for it if need be."""
        deadline = time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.events):
                    if pred(self.events[i]):
                        return self.events[i]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise TimeoutError("AMI event not seen")
                self.cond.wait(left)

    def mark(self) -> int:
        with self.cond:
            return len(self.events)

    def of_caller(self, number: str, event: str | None = None, start: int = 0) -> list[dict[str, str]]:
        with self.cond:
            return [e for e in self.events[start:] if e.get("CallerIDNum") == number
                    and (event is None or e.get("Event") == event)]

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


@dataclass
class Step:
    """Wait for the prompt `prompt` (a prompt id the IVR plays), then key `keys`."""
    prompt: str
    keys: str = ""
    pause: float = 0.0


@dataclass
class Scenario:
    name: str
    caller: str
    steps: list[Step] = field(default_factory=list)
    hangup_after: str | None = None   # hang up once this prompt starts
    expect_route: str = "queue"        # HOTLINE_ROUTE the flow ends with ('' = degraded)
    timeout: float = 60.0


def prompt_started(ami: AmiEventLog, caller: str, prompt: str, start: int, timeout: float) -> dict:
    needle = f"hotline/{prompt}"
    return ami.wait(lambda e: e.get("Event") == "AGIExecStart" and e.get("CallerIDNum") == caller
                    and needle in e.get("Command", ""), timeout=timeout, start=start)


def channel_vars(ami: AmiEventLog, caller: str, start: int = 0) -> dict[str, str]:
    """The last value of each variable set on the caller's channel (VarSet events)."""
    out: dict[str, str] = {}
    for e in ami.of_caller(caller, "VarSet", start):
        out[e.get("Variable", "").lstrip("_")] = e.get("Value", "")
    return out
