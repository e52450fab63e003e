"""Storage faults are loud (#26), on the real stack: the recordings and voice messages of a hotline
of this module's own live on two small tmpfs filesystems (mounted here; the test runs as root,
and FAILS — never skips — when they cannot be made). Filled to the last byte, a real caller goes
through the IVR to an agent: the call is queued and answered, the ticket saved, the recording
and the voice message flagged (not sealed as good), and the alert reaches `hotline status --json`
and a logged-in team lead's desk (the API's WebSocket)."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bench.scenarios import CallerDialog
from bench.scratch import scratch_hotline
from common import wire
from conftest import IvrHarness, agent_in_queue, scratch, wait_for
from db.models import AuditEntry, Call, CallOutcome, Recording, Role, Ticket
from hotline.admin.users import add_user
from ivr import storage
from test_agent_api import PASSWORD, Api

pytestmark = pytest.mark.asterisk

#: each small filesystem; the alert is up under THRESHOLD_MB free
DISK_MB, THRESHOLD_MB = 4, 2
AGENT, LEAD, CALLER = "2601", "2691", "13300002601"


def mount_small_disk(where: Path) -> None:
    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m,mode=0700", "tmpfs", str(where)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"cannot mount a {DISK_MB} MB tmpfs on {where} (the storage fault test needs root): "
                    f"{r.stderr.strip()}")


def unmount(where: Path) -> None:
    if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)   # still busy: detached now, freed later


def fill(where: Path) -> int:
    """Write to `where` until its filesystem says no more (ENOSPC); the bytes written."""
    written = 0
    with (where / "filler.bin").open("wb", buffering=0) as fh:
        chunk = b"\0" * 65536
        while True:
            try:
                written += fh.write(chunk)
            except OSError:
                break
    for size in (4096, 512, 1):       # the last partial pages
        try:
            with (where / "filler.bin").open("ab", buffering=0) as fh:
                while True:
                    written += fh.write(b"\0" * size)
        except OSError:
            pass
    return written


@pytest.fixture(scope="module")
def full_disk_hotline(tmp_path_factory):
    home = tmp_path_factory.mktemp("storage-home")
    disks = [home / "recordings", home / "voice"]
    mounted = []
    try:
        for d in disks:
            mount_small_disk(d)
            mounted.append(d)
        s = scratch(home, recordings_min_free_mb=THRESHOLD_MB)
        with scratch_hotline(s, accounts=10):
            h = IvrHarness(s)
            with h.sessions() as db:
                add_user(db, LEAD, "周班长", Role.team_lead, PASSWORD, actor="test")
                db.commit()
            try:
                yield h, disks
            finally:
                h.hangup_all()
                h.close()
    finally:
        for d in mounted:
            unmount(d)


class LeadsDesk(threading.Thread):
    """A team lead's desk: logged in, its WebSocket open, every pushed event kept."""

    def __init__(self, base: str, token: str):
        super().__init__(daemon=True)
        self.url, self.events, self.ready, self.stop = f"{base}{wire.WS}?token={token}", [], threading.Event(), False

    def run(self) -> None:
        asyncio.run(self._listen())

    async def _listen(self) -> None:
        async with aiohttp.ClientSession() as http, http.ws_connect(self.url) as ws:
            self.ready.set()
            while not self.stop:
                try:
                    self.events.append(await ws.receive_json(timeout=0.5))
                except asyncio.TimeoutError:
                    continue

    def storage(self) -> list[dict]:
        return [e.get("storage") for e in self.events if e.get("type") == wire.EV_STORAGE
                or (e.get("type") == wire.EV_HELLO and e.get("storage"))]


def status_json(s) -> dict:
    env = {**os.environ, "HOTLINE_HOME": str(s.home), "HOTLINE_DIALPLAN_DIR": str(s.dialplan_dir),
           "HOTLINE_TODAY": s.today}
    env.pop("HOTLINE_RECORDINGS_MIN_FREE_MB", None)     # the running hotline's threshold, from its record
    r = subprocess.run([sys.executable, "-m", "hotline.cli", "status", "--json"], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_a_full_recordings_disk_queues_the_caller_saves_the_ticket_flags_the_files_and_alerts_the_lead(
        full_disk_hotline):
    ivr, disks = full_disk_hotline
    assert not status_json(ivr.settings)["recordings"]["low"]               # 4 MB free: no alert yet
    lead = Api(f"http://127.0.0.1:{ivr.ports['api']}")
    assert lead.login(LEAD)[0] == 200
    desk = LeadsDesk(lead.base, lead.token)
    desk.start()
    assert desk.ready.wait(10)
    filled = {str(d): fill(d) for d in disks}
    started = time.monotonic()
    try:
        with agent_in_queue(ivr, AGENT, "吴静") as phone:
            d = CallerDialog(ivr.ami, ivr.phone_for(CALLER), ivr.settings.extension, CALLER)
            for _ in range(3):
                d.at("account_enter", "#")
            d.at("problem_menu", "1").at("callback_confirm", "1")
            d.recording("#")                                                  # the voice message
            d.in_queue()                                                      # queued, whatever the disk
            agent_call = phone.wait_incoming(30)
            agent_call.answer()
            ivr.ami.wait(lambda e: e.get("Event") == "AgentConnect" and e.get("MemberName") == f"agent-{AGENT}",
                         timeout=15, start=d.mark)
            # the answer looked at the disk: the alert is up and on the lead's desk at once
            alert = wait_for(lambda: next((st for st in desk.storage() if st and st["low"]), None), 10,
                             "the disk alert on the lead's desk")
            time.sleep(3)                                                     # a few seconds' talk
            d.hangup()
            agent_call.wait_state("DISCONNECTED", 10)
        took = time.monotonic() - started

        def ended():
            with ivr.sessions() as db:
                call = db.scalar(select(Call).where(Call.caller == CALLER).order_by(Call.id.desc()))
                return call if call is not None and call.outcome is not None else None
        call = wait_for(ended, 20, "the call's end")
        with ivr.sessions() as db:
            t = db.get(Ticket, call.ticket_id)
            recs = list(db.scalars(select(Recording).where(Recording.call_id == call.id)))
            audits = {a.action for a in db.scalars(select(AuditEntry).where(AuditEntry.actor == "ivr"))}
        assert call.outcome is CallOutcome.answered and call.queued_at and call.answered_at
        assert t is not None and t.category is not None                       # the ticket saved
        assert t.voice_health in storage.FLAGGED and t.voice_path is None     # the voice message flagged
        assert recs and all(r.health in storage.FLAGGED and r.sha256 == "" for r in recs), \
            [(r.health, r.sha256) for r in recs]                              # never the digest of nothing
        assert {"storage_alert", "recording_flagged"} <= audits
        assert alert["free_mb"] < THRESHOLD_MB and "录音磁盘空间不足" in alert["message"]
        flagged = wait_for(lambda: next((st for st in desk.storage() if st and st["flagged_today"] >= 2), None),
                           10, "the flagged files pushed to the lead")
        assert "录音异常" in flagged["message"]
        st = status_json(ivr.settings)["recordings"]
        assert st["low"] and st["free_mb"] < THRESHOLD_MB and st["min_free_mb"] == THRESHOLD_MB
        assert st["flagged_today"] >= 2 and "录音磁盘空间不足 / recordings disk nearly full" in st["alert"]
        print(f"\nfilled {filled}; call through the IVR to the agent on the full disk: {took:.1f} s; "
              f"recording health {[r.health for r in recs]}, voice {t.voice_health}; "
              f"files left: {[(p.name, p.stat().st_size) for d in disks for p in d.rglob('*.wav')]}")
    finally:
        desk.stop = True
        desk.join(5)
        for d in disks:
            (d / "filler.bin").unlink(missing_ok=True)
