"""Ports of one hotline installation (Asterisk's SIP/AMI/RTP, FastAGI, the agent API)."""
from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from typing import Callable, TypeVar

from common.settings import Settings


class PortInUse(RuntimeError):
    """A configured port is taken (or a range is unusable); the message says which setting to change."""


class PortTaken(PortInUse):
    """Port `port` of `name` (sip, ami, fastagi, api) was taken by another program between its choice
    and its bind: found by the part that binds it (the service, or `hotline up` after Asterisk booted)."""

    def __init__(self, name: str, port: int):
        self.name, self.port = name, port
        super().__init__(in_use_message(name, port))


#: the service's exit status when one of its ports is taken at bind (`hotline up` reads which one)
SERVICE_PORT_EXIT = {"fastagi": 81, "api": 82}
#: how many times `hotline up` picks fresh random ports when one was taken before it was bound
START_ATTEMPTS = 3

T = TypeVar("T")


def in_use_message(name: str, port: int) -> str:
    return (f"port {port} ({name}) is already in use — free it, or set {name}_port in hotline.toml "
            f"(HOTLINE_{name.upper()}_PORT) to another port (0 = any free one)")


#: ports per media channel (RTP + RTCP) and channels per call (the caller, the agent's leg)
PORTS_PER_CHANNEL, CHANNELS_PER_CALL = 2, 2
#: where a random RTP block (rtp_start 0) may lie: above the default 10000–19999
RANDOM_RTP = (20000, 60000)


def free_port(kind: int = socket.SOCK_STREAM, host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_in_use(port: int, kind: int = socket.SOCK_STREAM, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


@dataclass
class Ports:
    sip: int
    ami: int
    fastagi: int
    api: int
    rtp_start: int
    rtp_end: int

    @property
    def channel_limit(self) -> int:
        """Media channels the RTP range carries at once."""
        return (self.rtp_end - self.rtp_start + 1) // PORTS_PER_CHANNEL

    @property
    def call_limit(self) -> int:
        """Calls the range carries even when every one is bridged to an agent (Asterisk's maxcalls)."""
        return self.channel_limit // CHANNELS_PER_CALL

    @classmethod
    def allocate(cls, settings: Settings) -> "Ports":
        """Free loopback ports; configured ones are checked, not replaced."""
        wanted = {"sip": (settings.sip_port, socket.SOCK_DGRAM), "ami": (settings.ami_port, socket.SOCK_STREAM),
                  "fastagi": (settings.fastagi_port, socket.SOCK_STREAM),
                  "api": (settings.api_port, socket.SOCK_STREAM)}
        got = {}
        for name, (port, kind) in wanted.items():
            if port:
                if port_in_use(port, kind, settings.bind):
                    raise PortInUse(in_use_message(name, port))
                got[name] = port
            else:
                got[name] = free_port(kind, settings.bind)
        start, end = rtp_range(settings)
        return cls(rtp_start=start, rtp_end=end, **got)


def rtp_range(settings: Settings) -> tuple[int, int]:
    """The RTP range (first, last port) for `settings`, checked against the expected concurrency."""
    count = settings.rtp_ports
    needed = settings.expected_calls * CHANNELS_PER_CALL * PORTS_PER_CHANNEL
    if count < needed:
        raise PortInUse(f"HOTLINE_RTP_PORTS={count} carries {count // PORTS_PER_CHANNEL // CHANNELS_PER_CALL} "
                        f"calls, fewer than HOTLINE_EXPECTED_CALLS={settings.expected_calls} (each call takes "
                        f"{CHANNELS_PER_CALL * PORTS_PER_CHANNEL} ports: caller and agent leg, RTP and RTCP) — "
                        f"set HOTLINE_RTP_PORTS to at least {needed}")
    if settings.rtp_start:
        if settings.rtp_start < 1024 or settings.rtp_start + count - 1 > 65535:
            raise PortInUse(f"RTP range {settings.rtp_start}–{settings.rtp_start + count - 1} is outside "
                            f"1024–65535 — change HOTLINE_RTP_START or HOTLINE_RTP_PORTS")
        start = settings.rtp_start
    else:
        low, high = RANDOM_RTP
        if count > high - low:
            raise PortInUse(f"HOTLINE_RTP_PORTS={count} is larger than the random band {low}–{high} — "
                            f"set HOTLINE_RTP_START to place the range")
        # even-aligned, at random: side-by-side instances rarely overlap (and Asterisk skips a
        # port that is taken)
        start = low + 2 * secrets.randbelow((high - low - count) // 2 + 1)
    return start, start + count - 1


def start_on_free_ports(settings: Settings, start: Callable[[Ports], T], log=print,
                        allocate: Callable[[Settings], Ports] = Ports.allocate,
                        attempts: int = START_ATTEMPTS) -> tuple[Ports, T]:
    """`start(ports)` on ports allocated for `settings`; when it raises PortTaken for a port that was
    picked at random (its setting 0), again on fresh ports, at most `attempts` times in all. A
    configured port taken is refused at once, naming its setting. `start` cleans up after itself
    before it raises."""
    for attempt in range(1, attempts + 1):
        ports = allocate(settings)
        try:
            return ports, start(ports)
        except PortTaken as exc:
            if getattr(settings, f"{exc.name}_port", 0):
                raise PortInUse(in_use_message(exc.name, exc.port)) from exc
            if attempt == attempts:
                raise PortInUse(f"a free port picked for {exc.name} was taken before it was bound, {attempts} "
                                f"times: the machine is short of ports — set {exc.name}_port in hotline.toml "
                                f"(HOTLINE_{exc.name.upper()}_PORT) to a port kept free for it") from exc
            log(f"port {exc.port} ({exc.name}) was taken by another program before it was bound: "
                f"starting again on fresh ports ({attempt + 1} of {attempts})")
    raise AssertionError("unreachable")


def held_by(pid: int, port: int, kind: int = socket.SOCK_STREAM) -> bool | None:
    """Whether process `pid` holds a socket bound to `port` (TCP: listening), from Linux's /proc;
    None when it cannot tell (no /proc, another user's process)."""
    try:
        fd_dir = f"/proc/{pid}/fd"
        inodes = set()
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(f"{fd_dir}/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        tables = ("tcp", "tcp6") if kind == socket.SOCK_STREAM else ("udp", "udp6")
        rows = []
        for table in tables:
            try:
                with open(f"/proc/{pid}/net/{table}") as f:
                    rows += [line.split() for line in f.readlines()[1:]]
            except FileNotFoundError:   # no IPv6
                continue
    except OSError:
        return None
    return any(len(r) > 9 and int(r[1].rsplit(":", 1)[1], 16) == port and r[9] in inodes
               and (kind != socket.SOCK_STREAM or r[3] == "0A") for r in rows)
