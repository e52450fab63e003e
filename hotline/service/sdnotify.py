"""systemd's readiness and watchdog protocol (sd_notify(3)), for the hotline unit (`Type=notify`).

systemd passes an AF_UNIX datagram socket in ``NOTIFY_SOCKET`` (a path, or ``@name`` in the abstract
namespace); each datagram is newline-separated ``KEY=VALUE`` lines: ``READY=1`` once the service
answers, ``WATCHDOG=1`` at least every ``WATCHDOG_USEC`` (else systemd kills and restarts it),
``STATUS=…`` for `systemctl status`, ``STOPPING=1`` when it begins to stop. Without ``NOTIFY_SOCKET``
(`hotline up`, the tests) every call does nothing.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import Mapping

log = logging.getLogger(__name__)


def _address(raw: str) -> str | bytes:
    # "@name": Linux's abstract namespace, a leading NUL byte on the wire
    return b"\0" + raw[1:].encode() if raw.startswith("@") else raw


class Notifier:
    """The service's line to systemd: nothing at all when it was not started by systemd."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        env = os.environ if environ is None else environ
        raw = env.get("NOTIFY_SOCKET", "")
        self.address = _address(raw) if raw else None
        self.watchdog_s = self._watchdog(env)

    @staticmethod
    def _watchdog(env: Mapping[str, str]) -> float | None:
        """The watchdog interval systemd asks for (WatchdogSec=), if it asks this process."""
        try:
            usec = int(env.get("WATCHDOG_USEC", "0"))
            pid = int(env.get("WATCHDOG_PID") or os.getpid())
        except ValueError:
            return None
        return usec / 1e6 if usec > 0 and pid == os.getpid() else None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, **fields: str) -> bool:
        """One datagram (READY="1", STATUS="…"); False when there is no socket or it failed (a failed
        notification is logged, never raised: the service keeps serving calls)."""
        if self.address is None:
            return False
        text = "\n".join(f"{k}={v}" for k, v in fields.items())
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(text.encode(), self.address)
        except OSError as exc:
            log.warning("sd_notify %s failed: %s", ",".join(fields), exc)
            return False
        return True

    def ready(self, status: str) -> bool:
        return self.send(READY="1", STATUS=status)

    def status(self, status: str) -> bool:
        return self.send(STATUS=status)

    def stopping(self, status: str) -> bool:
        return self.send(STOPPING="1", STATUS=status)

    async def keep_alive(self) -> None:
        """WATCHDOG=1 from the event loop at half the interval systemd asks for: a loop that hangs (a
        blocking call, a deadlock) stops the pings, and systemd restarts the service."""
        if self.watchdog_s is None or self.address is None:
            return
        while True:
            self.send(WATCHDOG="1")
            await asyncio.sleep(self.watchdog_s / 2)
