"""Shared fixtures. Real parts only: a missing Asterisk, PostgreSQL or tool
makes the tests that need it FAIL (never skip) — CI must notice."""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from db.session import make_engine
from common.naming import AMI_ADMIN_USER
from hotline.admin import runtime
from bench.scratch import scratch_hotline, scratch_settings
from common.settings import load_settings


def fresh_pg_database(pg_url: str, name: str) -> str:
    """A new, empty database `name` on the suite's PostgreSQL cluster (dropped first if left
    over); its URL."""
    admin = make_engine(pg_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return pg_url.rsplit("/", 1)[0] + "/" + name


def require_tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is missing — install the Debian package {package} (tests/run does)")
    return path


def rebind(s, **changes):
    """`s` with `changes`, recorded as what the running hotline was started with — what `hotline down`
    and `up` with them would record, without restarting Asterisk (tests that change a bound setting
    of a live hotline: admin commands act on the record, see runtime.bound_settings)."""
    changed = s.replace(**changes)
    st = runtime.read_state(s)
    st["settings"].update({k: v for k, v in runtime.recorded_settings(changed).items() if k in changes})
    runtime.write_state(s, st)
    return changed


@pytest.fixture(scope="session")
def pg_url() -> str:
    url = os.environ.get("HOTLINE_TEST_PG_URL")
    if not url:
        pytest.fail("HOTLINE_TEST_PG_URL is not set: run the suite with tests/run, which starts PostgreSQL")
    return url


@pytest.fixture
def settings(tmp_path):
    return load_settings(home=str(tmp_path / "home"))


@pytest.fixture(scope="session")
def pstn_resident(tmp_path_factory):
    """The PSTN beyond the trunk (bench.resident): a pjsua2 line that takes every call out
    of the session's hotline, whatever the number (its HOTLINE_PSTN_OUTBOUND)."""
    from bench.resident import Resident  # noqa: PLC0415 — pjsua2 and the bench load only for the fixtures that use them
    from common.sip.phone import SipStack  # noqa: PLC0415 — pjsua2 and the bench load only for the fixtures that use them
    r = Resident(SipStack.instance(), record_dir=tmp_path_factory.mktemp("resident"))
    yield r
    r.close()


@pytest.fixture
def resident(pstn_resident):
    """The resident for one test: answers (after half a second) unless told otherwise; nothing
    of an earlier test waiting, no call of it left up."""
    pstn_resident.reset()
    yield pstn_resident
    pstn_resident.reset()


@pytest.fixture(scope="session")
def hotline(tmp_path_factory, pstn_resident):
    """`hotline up` on a private home: a real Asterisk 22 and the real service, shared by the session.
    Its dialplan is the session's own copy: admin tests edit it like an admin would. Calls out go
    to the session's resident. Its database is named by HOTLINE_DB_URL and is not the home's
    default file, as on an installation with its own database: an admin command from a shell
    without that variable must still act on it (test_admin)."""
    home = tmp_path_factory.mktemp("hotline-home")
    s = scratch(home, pstn_outbound=pstn_resident.target, db_url=f"sqlite:///{home / 'data' / 'live.db'}")
    with scratch_hotline(s, accounts=50):
        yield s


#: the test hotlines' public number (HOTLINE_PUBLIC_NUMBER), unlike their internal extension 8000
PUBLIC_NUMBER = "96069"


def scratch(home: Path, **overrides):
    """Scratch settings on this checkout's dialplan, with the suite's short digit timeout and a
    public number (what residents see on calls out; a module may set none)."""
    overrides.setdefault("public_number", PUBLIC_NUMBER)
    # a dispatch calls no station here (#30): the session's resident takes every call out, and a module
    # that dispatches repairs must not find a station's call among its own; test_station_call turns it on
    overrides.setdefault("station_call_attempts", "0")
    # nor does an outage ended with the call-back call its affected callers (test_outage ends one on the
    # session's hotline); test_outage_call turns it on
    overrides.setdefault("outage_call_attempts", "0")
    return scratch_settings(home, Path(__file__).resolve().parents[1] / "dialplan",
                                    digit_timeout_ms=os.environ.get("HOTLINE_DIGIT_TIMEOUT_MS", "3000"),
                                    # a transfer target rings 8 s, not 30, before the caller comes back
                                    transfer_ring_s=os.environ.get("HOTLINE_TRANSFER_RING_S", "8"),
                                    **overrides)


class IvrHarness:
    """The running hotline, seen from a test: AMI events, SIP callers, the DB."""

    def __init__(self, settings):
        from common.secrets import ami_admin_secret
        from hotline.admin.amiclient import AmiEventLog
        from common.sip.phone import SipStack
        self.settings = settings
        self.state = runtime.read_state(settings)
        self.ports = self.state["ports"]
        self.sessions = runtime.prepare_database(settings)
        self.ami = AmiEventLog(self.ports["ami"], AMI_ADMIN_USER, ami_admin_secret(settings))
        self.stack = SipStack.instance()
        self._phones = {}

    def reconnect_ami(self) -> None:
        """After an Asterisk restart: a fresh event log on the new manager."""
        from common.secrets import ami_admin_secret
        from hotline.admin.amiclient import AmiEventLog
        self.ami.close()
        self.ami = AmiEventLog(self.ports["ami"], AMI_ADMIN_USER, ami_admin_secret(self.settings))

    def phone_for(self, number: str):
        from common.sip.phone import Phone
        if number not in self._phones:
            self._phones[number] = Phone.anonymous(self.stack, self.ports["sip"], number)
        return self._phones[number]

    def hangup_all(self) -> None:
        for phone in self._phones.values():
            phone.hangup_all()

    def queue_log_lines(self) -> list[str]:
        path = self.settings.asterisk_dir / "log" / "queue_log"
        return path.read_text().splitlines() if path.exists() else []

    def service_pid(self) -> int:
        return runtime.read_state(self.settings)["service_pid"]

    def restart_service(self, today: str) -> None:
        self.settings = self.settings.replace(today=today)
        runtime.restart_service(self.settings)

    def close(self):
        self.ami.close()


@pytest.fixture(scope="session")
def ivr(hotline):
    """The harness, with the bench's stand-by agent logged in on a break: callers queue and
    wait (with nobody logged in they would be offered the call-back at once, see
    `no_agent_logged_in`)."""
    from bench.scenarios import standby_agent  # noqa: PLC0415 — Qt and the bench load only for the fixtures that use them
    h = IvrHarness(hotline)
    with standby_agent(h.settings, h.sessions, lambda: h.ami, h.stack, h.ports["sip"]) as present:
        h.standby = present
        yield h
    h.close()


@pytest.fixture
def no_agent_logged_in(ivr):
    """Nobody in the queue for this test (3 a.m., nobody logged in)."""
    ivr.standby(False)
    yield
    ivr.standby(True)


@contextmanager
def agent_in_queue(ivr, agent_no: str, name: str):
    """An agent of the test's own on the running hotline: a user, their phone registered, a member
    of the repair queue (left again afterwards). Yields the phone."""
    from sqlalchemy import select  # noqa: PLC0415 — pjsua2 and the models load only for the tests that use them

    from common.sip.phone import Phone  # noqa: PLC0415 — pjsua2 and the models load only for the tests that use them
    from db.models import Role, User  # noqa: PLC0415 — pjsua2 and the models load only for the tests that use them
    from hotline.admin.users import add_user  # noqa: PLC0415 — pjsua2 and the models load only for the tests that use them
    with ivr.sessions() as db:
        if not db.scalar(select(User).where(User.agent_no == agent_no)):
            add_user(db, agent_no, name, Role.agent, "correct-horse-7", actor="test")
            db.commit()
    runtime.reload_agents(ivr.settings, ivr.sessions)
    with ivr.sessions() as db:
        secret = db.scalar(select(User.sip_secret).where(User.agent_no == agent_no))
    phone = Phone.register(ivr.stack, ivr.ports["sip"], f"agent-{agent_no}", secret)
    member = {"Action": "QueueAdd", "Queue": "repair", "Interface": f"PJSIP/agent-{agent_no}",
              "MemberName": f"agent-{agent_no}"}
    try:
        phone.wait_registered(10)
        assert ivr.ami.action(member).get("Response") == "Success"
        yield phone
    finally:
        ivr.ami.action({"Action": "QueueRemove", "Queue": "repair", "Interface": f"PJSIP/agent-{agent_no}"})
        phone.close()


def wait_for(pred, timeout=15.0, what="condition"):
    """Poll `pred` until it returns something truthy; that is the result."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def sealed_recording(ivr, caller: str, timeout: float = 15.0):
    """(call, recording) of `caller`'s recorded call once the hang-up sealed it (sha256 set).
    The recording is read first: it is sealed in the transaction that sets the call's outcome."""
    from sqlalchemy import select

    from db.models import Call, Recording

    def sealed():
        with ivr.sessions() as db:
            rec = db.scalar(select(Recording).join(Call, Recording.call_id == Call.id)
                            .where(Call.caller == caller, Recording.sha256 != ""))
            return (db.get(Call, rec.call_id), rec) if rec is not None else None
    return wait_for(sealed, timeout, f"the sealed recording of {caller}'s call")


# ------------------------------------------------------------ the agent desk --

def logged_in_window(qtbot, api_port: int, agent_no: str, password: str):
    """A desk window shown and logged in (its session and event socket up)."""
    from desktop.services.api import AgentApiClient  # noqa: PLC0415 — Qt and the bench load only for the fixtures that use them
    from desktop.widgets.main_window import AgentWindow  # noqa: PLC0415 — Qt and the bench load only for the fixtures that use them
    api = AgentApiClient(f"http://127.0.0.1:{api_port}")
    w = AgentWindow(api=api, agent_no=agent_no)
    api.setParent(w)
    qtbot.addWidget(w)
    w.show()
    w.login(agent_no, password)
    qtbot.waitUntil(lambda: bool(api.token) and api.ws_connected, timeout=15_000)
    return w


def desk_window(qtbot, api_port: int, agent_no: str, password: str):
    """A desk window logged in, phone registered, in the queue — the way an agent starts a shift."""
    from PySide6.QtCore import Qt

    w = logged_in_window(qtbot, api_port, agent_no, password)
    qtbot.waitUntil(lambda: w.phone.is_registered, timeout=15_000)
    if not w.agent_state.get("member"):
        qtbot.mouseClick(w.queue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.agent_state.get("member") is True, timeout=15_000)
    return w


def ring_and_answer(qtbot, w, line, ivr_timeout_ms: int = 60_000) -> dict:
    """A resident's call (bench.desk_demo.CallerLine) pops on the desk, rings, and is answered."""
    from PySide6.QtCore import Qt
    qtbot.waitUntil(lambda: bool(line.error or (w.pop and w.pop.get("caller") == line.number)),
                    timeout=ivr_timeout_ms)
    assert not line.error, line.error
    qtbot.waitUntil(lambda: w.phone.state == "ringing", timeout=10_000)
    qtbot.mouseClick(w.softphone.answer_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.phone.state == "talking", timeout=10_000)
    return w.pop


def close_desk(qtbot, w) -> None:
    """End of shift: leave the queue (no call may ring a closed desk), close the window."""
    w.api.join_queue(False)
    qtbot.wait(500)
    w.close()


class FlakyLink:
    """A TCP forwarder standing in for the LAN between a desk and the server: `cut()` drops every
    connection and refuses new ones (a pulled cable), `mend()` lets traffic through again."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True, name="flaky-link").start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                conn.close()
                continue
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._socks += [conn, upstream]
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        self.up = False
        with self._lock:
            socks, self._socks = self._socks, []
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass

    def mend(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()
