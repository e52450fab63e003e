"""A small synchronous AMI client that keeps the events it sees: the admin CLI's
(`status --watch`, `dialplan reload`) and the test bench's."""
from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

from common.ami import encode
from common.naming import AMI_ADMIN_USER
from common.runstate import read_state
from common.secrets import ami_admin_secret
from common.settings import Settings


class AmiEventLog:
    """A minimal synchronous AMI client that keeps every event (tests, scenario runs)."""

    def __init__(self, port: int, user: str, secret: str, host: str = "127.0.0.1", events: str = "on"):
        """`events="off"`: only the answers to our own actions (admin commands that run for
        long, like `status --watch`, must not keep every call's events)."""
        self.sock = socket.create_connection((host, port), timeout=10)
        self.events: list[dict[str, str]] = []
        self.cond = threading.Condition()
        self._buf = b""
        self.sock.recv(256)  # banner
        self._send({"Action": "Login", "Username": user, "Secret": secret, "Events": events})
        self.closed = False
        threading.Thread(target=self._reader, daemon=True, name="ami-events").start()
        self.wait(lambda e: e.get("Response") in ("Success", "Error"), timeout=10)

    def _send(self, msg: dict[str, str]) -> None:
        # through the one builder's checks: no value may carry a line break into AMI
        self.sock.sendall(encode(msg))

    def action(self, msg: dict[str, str], timeout: float = 10) -> dict[str, str]:
        aid = f"a{time.monotonic_ns()}"
        self._send({**msg, "ActionID": aid})
        return self.wait(lambda e: e.get("ActionID") == aid and "Response" in e, timeout=timeout)

    def list_items(self, msg: dict[str, str], item: str, timeout: float = 10) -> list[dict[str, str]]:
        """The `item` events of a list action (up to its `<item>Complete`); RuntimeError with Asterisk's
        message when it refuses (some answer Error for an empty list: the caller tells which)."""
        answer = self.action(msg, timeout)
        if answer.get("Response") != "Success":
            raise RuntimeError(answer.get("Message", "").strip() or f"{msg.get('Action')} refused")
        aid = answer["ActionID"]
        self.wait(lambda e: e.get("ActionID") == aid and e.get("Event") == f"{item}Complete", timeout)
        with self.cond:
            return [e for e in self.events if e.get("ActionID") == aid and e.get("Event") == item]

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
        return self.wait_at(pred, timeout, start)[1]

    def wait_at(self, pred, timeout: float = 20, start: int = 0) -> tuple[int, dict[str, str]]:
        """Like `wait`, with the event's index (to wait for the next one after it)."""
        deadline = time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.events):
                    if pred(self.events[i]):
                        return i, self.events[i]
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



@contextmanager
def ami_session(s: Settings):
    """The admin's AMI login on the running hotline (`dialplan reload`, `status --watch`)."""
    st = read_state(s)
    try:
        ami = AmiEventLog(st["ports"]["ami"], AMI_ADMIN_USER, ami_admin_secret(s), events="off") if st else None
    except OSError:
        ami = None
    if ami is None:
        raise RuntimeError("the hotline is not running — `hotline up` starts it")
    try:
        yield ami
    finally:
        ami.close()
