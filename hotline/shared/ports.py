"""Ports of one hotline installation (Asterisk's SIP/AMI/RTP, FastAGI, the agent API)."""
from __future__ import annotations

import secrets
import socket
from dataclasses import dataclass

from hotline.shared.settings import Settings


class PortInUse(RuntimeError):
    """A configured port is taken; the message says which setting to change."""


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
                    raise PortInUse(f"port {port} ({name}) is already in use — free it, or set "
                                        f"HOTLINE_{name.upper()}_PORT to another port (0 = any free one)")
                got[name] = port
            else:
                got[name] = free_port(kind, settings.bind)
        # RTP: a block of 200 ports picked at random, so side-by-side instances don't collide
        start = 20000 + 2 * secrets.randbelow(9000)
        return cls(rtp_start=start, rtp_end=start + 199, **got)

