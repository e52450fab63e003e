"""#29 — the service under systemd (`Type=notify`, `WatchdogSec=`): READY=1 reaches systemd's socket
only once FastAGI, the API and the AMI login are up, WATCHDOG=1 comes from the event loop at half the
interval, STOPPING=1 when it stops. Checked on a real AF_UNIX datagram socket, as systemd listens."""
from __future__ import annotations

import asyncio
import os
import socket
import time

import pytest

from common.ports import Ports
from hotline.service.app import run
from hotline.service.sdnotify import Notifier


@pytest.fixture
def systemd(tmp_path):
    """systemd's side: a datagram socket bound at a path, and what arrives on it."""
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setblocking(False)
    yield path, sock
    sock.close()


def received(sock: socket.socket) -> list[dict[str, str]]:
    out = []
    while True:
        try:
            data = sock.recv(4096)
        except BlockingIOError:
            return out
        out.append(dict(line.split("=", 1) for line in data.decode().splitlines()))


def test_ready_status_and_stopping_arrive_as_datagrams(systemd):
    path, sock = systemd
    n = Notifier({"NOTIFY_SOCKET": path})
    assert n.enabled and n.watchdog_s is None
    assert n.ready("serving") and n.status("still serving") and n.stopping("draining")
    assert received(sock) == [{"READY": "1", "STATUS": "serving"}, {"STATUS": "still serving"},
                              {"STOPPING": "1", "STATUS": "draining"}]


def test_an_abstract_socket_name_is_reached_too():
    name = f"hotline-test-{os.getpid()}-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.setblocking(False)
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).ready("up")
        assert received(sock) == [{"READY": "1", "STATUS": "up"}]


def test_without_systemd_nothing_is_sent_and_a_gone_socket_is_no_error(tmp_path):
    assert not Notifier({}).enabled and not Notifier({}).ready("x")
    assert not Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")}).ready("x")   # logged, not raised


def test_the_watchdog_is_for_this_process_only():
    assert Notifier({"WATCHDOG_USEC": "30000000"}).watchdog_s == 30.0
    assert Notifier({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}).watchdog_s == 30.0
    assert Notifier({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid() + 1)}).watchdog_s is None
    assert Notifier({"WATCHDOG_USEC": "nonsense"}).watchdog_s is None


async def test_watchdog_pings_come_from_the_loop_at_half_the_interval(systemd):
    path, sock = systemd
    n = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})     # 0.2 s: a ping every 0.1 s
    task = asyncio.create_task(n.keep_alive())
    await asyncio.sleep(0.35)
    pings = received(sock)
    assert 3 <= len(pings) <= 5 and all(p == {"WATCHDOG": "1"} for p in pings)
    time.sleep(0.3)                              # the loop blocked: no ping meanwhile
    assert received(sock) == []
    task.cancel()


class FakeService:
    """The service's seam for `run`: started, its AMI login an event, stopped."""

    def __init__(self):
        self.ami_connected = asyncio.Event()
        self.started = self.stopped = False

    async def start(self):
        self.started = True

    async def stop(self):
        self.stopped = True


PORTS = Ports(sip=5060, ami=5038, fastagi=4573, api=8443, rtp_start=10000, rtp_end=19999)


async def test_ready_only_once_the_ami_login_succeeded_then_stopping(systemd):
    path, sock = systemd
    service, stop = FakeService(), asyncio.Event()
    task = asyncio.create_task(run(service, PORTS, stop, Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "10000000"})))
    await asyncio.sleep(0.05)
    first = received(sock)
    assert service.started and {"WATCHDOG": "1"} in first
    assert [m for m in first if "READY" in m] == []
    assert any("waiting for Asterisk's AMI on 5038" in m.get("STATUS", "") for m in first)
    service.ami_connected.set()                  # the AMI login
    await asyncio.sleep(0.05)
    assert received(sock) == [{"READY": "1", "STATUS": "serving: FastAGI on 4573, API on 8443, AMI on 5038"}]
    stop.set()
    await asyncio.wait_for(task, 2)
    assert service.stopped and received(sock) == [{"STOPPING": "1", "STATUS": "stopping: draining the calls in progress"}]


async def test_a_stop_while_waiting_for_asterisk_is_never_ready(systemd):
    path, sock = systemd
    service, stop = FakeService(), asyncio.Event()
    task = asyncio.create_task(run(service, PORTS, stop, Notifier({"NOTIFY_SOCKET": path})))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 2)
    assert service.stopped and not [m for m in received(sock) if "READY" in m]
