"""#29 on the real stack (one hotline of this module's own): the service makes the nightly backup it
is configured for; a resident's answered call is recorded, sealed and converted to Ogg Vorbis by the
service (the seal moved to it, the original's sha256 in the audit), which Asterisk can play and the
desk gets as WAV; `hotline backup` runs while another resident is on the line; the hotline is
stopped, wiped and restored: the same tickets, audit rows and recordings (sha256 equal) come back."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.desk_demo import demo_callers
from common import wire
from conftest import wait_for
from db.models import AuditEntry, Call, Recording, Ticket
from db.session import make_engine, session_factory
from hotline.admin import runtime
from ivr import storage
from test_agent_api import Api
from test_qa import AGENT_A as AGENT, LEAD, answered_call, qa_hotline

pytestmark = pytest.mark.asterisk

@pytest.fixture(scope="module")
def ivr(tmp_path_factory):
    nightly = tmp_path_factory.mktemp("nightly-disk")
    yield from qa_hotline(tmp_path_factory, backup_dir=str(nightly), recordings_compress_after_min=0)


def hotline(s, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOTLINE_HOME": str(s.home), "HOTLINE_DIALPLAN_DIR": str(s.dialplan_dir),
           "HOTLINE_TODAY": s.today}
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def row(obj) -> dict:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def snapshot(url: str) -> dict:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as db:
            return {"tickets": {t.number: row(t) for t in db.scalars(select(Ticket))},
                    "audit": {a.id: row(a) for a in db.scalars(select(AuditEntry))},
                    "recordings": {r.id: row(r) for r in db.scalars(select(Recording))}}
    finally:
        engine.dispose()


def test_backup_during_calls_wipe_restore_gives_back_the_same_hotline(ivr, tmp_path):
    s = ivr.settings
    # the nightly backup the admin switched on: never made yet, so the service makes one at once
    nightly = wait_for(lambda: list(Path(s.backup_dir).glob("2*/manifest.json")), 30, "the service's backup")
    with ivr.sessions() as db:
        by = db.scalar(select(AuditEntry.actor).where(AuditEntry.action == "backup"))
    assert by == "service" and json.loads(nightly[0].read_text())["schema_revision"]

    # a resident's call, answered and spoken in: sealed, then kept as Ogg Vorbis by the service
    (first, k1), (second, k2) = demo_callers(s, 2)
    t0 = time.monotonic()
    rec = answered_call(ivr, AGENT, "张丽", first, k1, spoken=True)
    seconds = rec.duration_s
    print(f"\nfirst call answered and sealed in {time.monotonic() - t0:.1f} s")

    def converted():
        with ivr.sessions() as db:
            r = db.get(Recording, rec.id)
            return r if r.path.endswith(".ogg") else None
    ogg = wait_for(converted, 60, "the recording converted to Ogg Vorbis")
    with ivr.sessions() as db:
        line = db.scalar(select(AuditEntry).where(AuditEntry.action == "recording_compressed",
                                                  AuditEntry.object_id == str(rec.id)))
    wav = Path(line.detail["original_path"])                  # the seal Asterisk's WAV had, in the audit
    assert wav.suffix == ".wav" and not wav.exists() and rec.sha256 in (line.detail["original_sha256"], ogg.sha256)
    assert storage.file_sha256(Path(ogg.path)) == ogg.sha256 == line.detail["sha256"] != line.detail["original_sha256"]
    mb_per_hour = line.detail["bytes"] / 1e6 * 3600 / max(seconds, 0.1)
    print(f"recording {rec.id}: {seconds:.1f} s, WAV {line.detail['original_bytes']} B → Ogg {line.detail['bytes']} B "
          f"({mb_per_hour:.2f} MB per hour of audio)")
    formats = subprocess.run([*ivr.state["asterisk_argv"], "-C", ivr.state["asterisk_conf"], "-rx",
                              "core show file formats"], capture_output=True, text=True, timeout=10).stdout
    assert "ogg_vorbis" in formats                                       # Asterisk plays it
    lead = Api(f"http://127.0.0.1:{ivr.ports['api']}")
    assert lead.login(LEAD)[0] == 200
    status, audio = lead.call("GET", wire.path(wire.RECORDING_AUDIO, rid=rec.id))
    assert status == 200 and audio[:4] == b"RIFF" and abs((len(audio) - 44) / 16000 - seconds) < 0.6

    # `hotline backup` while the next resident is on the line
    outcome = []

    def second_call():
        try:
            outcome.append(answered_call(ivr, AGENT, "张丽", second, k2, True))
        except BaseException as exc:      # reported by the test, not lost in the thread
            outcome.append(exc)
    call = threading.Thread(target=second_call)
    call.start()
    time.sleep(6)                                                          # in the IVR by now
    dest = tmp_path / "usb"
    done = hotline(s, "backup", str(dest), "--json")
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert call.is_alive(), "the backup was meant to run during the second call"
    print(f"backup during a call: {got['files']} files ({got['bytes']} B), database {got['database']['size']} B, "
          f"{got['seconds']} s")
    call.join(90)
    assert isinstance(outcome[0], Recording), outcome
    again = json.loads(hotline(s, "backup", str(dest), "--json").stdout)
    assert again["copied"] <= 2 and again["linked"] == again["files"] - again["copied"]   # only the new call's
    with ivr.sessions() as db:
        first_ticket = db.scalar(select(Ticket.number).join(Call, Call.ticket_id == Ticket.id)
                                 .where(Call.id == rec.call_id))
    live = snapshot(s.database_url)

    # a running hotline is not restored over; stopped, wiped, restored
    refused = hotline(s, "restore", got["backup"])
    assert refused.returncode == 1 and "`hotline down`" in refused.stderr
    runtime.down(s)
    for p in (s.home / "hotline.db", s.home / "hotline.db-wal", s.home / "hotline.db-shm"):
        p.unlink(missing_ok=True)
    shutil.rmtree(s.recordings_dir)
    shutil.rmtree(s.voice_dir, ignore_errors=True)
    t0 = time.monotonic()
    restored = hotline(s, "restore", got["backup"], "--json")
    assert restored.returncode == 0, restored.stderr
    summary = json.loads(restored.stdout)
    print(f"restore: {summary['files']} files, {time.monotonic() - t0:.1f} s, seals {summary['seals']}")
    assert summary["seals"]["broken"] == [] and summary["seals"]["whole"] >= 1
    back = snapshot(s.database_url)

    # the same tickets, audit rows and recordings as when the backup was taken
    assert back["tickets"] and set(back["tickets"]) <= set(live["tickets"])
    assert back["tickets"][first_ticket] == live["tickets"][first_ticket]
    restored_audit = {i: a for i, a in back["audit"].items() if a["action"] != "restore"}
    assert all(live["audit"][i] == a for i, a in restored_audit.items())
    assert set(restored_audit) == {i for i in live["audit"] if i <= max(restored_audit)}   # all, as they were
    assert back["recordings"][rec.id] == live["recordings"][rec.id]
    assert (back["recordings"][rec.id]["path"], back["recordings"][rec.id]["sha256"]) == (ogg.path, ogg.sha256)
    for rid, r in back["recordings"].items():
        assert r == live["recordings"][rid] or r["health"] == "", f"recording {rid}"   # sealed after the copy
        if r["sha256"]:
            assert storage.file_sha256(Path(r["path"])) == r["sha256"], f"recording {rid}"
    checked = hotline(s, "recordings", "verify", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
