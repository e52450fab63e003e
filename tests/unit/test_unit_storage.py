"""Storage faults are loud (#26): a recording or voice message that is empty, missing or far
shorter than the call is flagged and never sealed as good; the recordings disk's free space
against HOTLINE_RECORDINGS_MIN_FREE_MB; what `hotline status` says of both."""
from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from common.settings import load_settings
from db.models import AuditEntry, Call, Recording
from db.session import make_engine, migrate, session_factory
from hotline.admin import runtime
from hotline.cli import app as cli
from ivr import storage
from ivr.context import Records
from made_by_ivr import recorded_wav

BYTES_PER_S = 16000     # 8 kHz, 16-bit, mono: Asterisk's wav


# ------------------------------------------------------------- the WAV itself --

def test_a_closed_wav_holds_its_seconds_of_audio(tmp_path):
    wav = storage.wav_audio(recorded_wav(tmp_path / "a.wav", 2.5))
    assert wav.header_ok and wav.audio_bytes == int(2.5 * BYTES_PER_S) and abs(wav.seconds - 2.5) < 1e-6


def test_a_file_cut_short_by_a_full_disk_counts_the_bytes_really_there(tmp_path):
    path = recorded_wav(tmp_path / "cut.wav", 10)
    path.write_bytes(path.read_bytes()[:44 + 3 * BYTES_PER_S])      # the header still claims 10 s
    assert abs(storage.wav_audio(path).seconds - 3.0) < 1e-6


def test_a_header_never_rewritten_still_counts_the_audio_after_it(tmp_path):
    path = recorded_wav(tmp_path / "open.wav", 4)
    raw = bytearray(path.read_bytes())
    raw[40:44] = struct.pack("<I", 0)                                # data size 0: the writer never closed it
    path.write_bytes(bytes(raw))
    assert abs(storage.wav_audio(path).seconds - 4.0) < 1e-6


@pytest.mark.parametrize("content", [b"", b"RIFF", b"not a wav at all, just bytes"])
def test_nothing_or_a_broken_header_is_no_audio(tmp_path, content):
    path = tmp_path / "x.wav"
    path.write_bytes(content)
    wav = storage.wav_audio(path)
    assert wav is not None and not wav.header_ok and wav.seconds == 0


def test_no_file_is_none(tmp_path):
    assert storage.wav_audio(tmp_path / "gone.wav") is None


# ------------------------------------------------------------- health --

def test_health_against_the_answered_call(tmp_path):
    good = recorded_wav(tmp_path / "good.wav", 60)
    assert storage.health_of(good, 61.5) == (storage.OK, 60.0)          # a moment at the answer, within tolerance
    assert storage.health_of(good, 120)[0] == storage.SHORT              # half the call
    assert storage.health_of(good, None)[0] == storage.OK                # nothing to compare with
    assert storage.health_of(tmp_path / "gone.wav", 60) == (storage.MISSING, 0.0)
    assert storage.health_of(None, 60) == (storage.MISSING, 0.0)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert storage.health_of(empty, 60)[0] == storage.EMPTY
    assert storage.health_of(empty, 1)[0] == storage.EMPTY               # not even a header: a fault, however short
    header = recorded_wav(tmp_path / "header.wav", 0)
    assert storage.health_of(header, 60)[0] == storage.EMPTY
    assert storage.health_of(header, 1)[0] == storage.OK                 # answered and gone at once: nothing to record


@pytest.mark.parametrize("seconds,call_s,short", [(10, 13, False), (10, 13.5, True), (100, 120, False),
                                                   (100, 126, True), (0.5, 3.4, False)])
def test_far_shorter_means_more_than_3_s_and_more_than_a_fifth_missing(seconds, call_s, short):
    assert storage.is_short(seconds, call_s) is short


def test_a_transfers_legs_are_held_against_the_call_together(tmp_path):
    first, second = recorded_wav(tmp_path / "a.wav", 20), recorded_wav(tmp_path / "b.wav", 178)
    assert [h for h, _s in storage.judge_recordings([first, second], 200)] == [storage.OK, storage.OK]
    assert [h for h, _s in storage.judge_recordings([first, second], 400)] == [storage.SHORT, storage.SHORT]
    assert [h for h, _s in storage.judge_recordings([first, None], 20)] == [storage.OK, storage.MISSING]


# ------------------------------------------------------------- sealing at the call's end --

@pytest.fixture
def records(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="", today="2026-11-23T10:00:00")
    engine = make_engine(s.database_url)
    migrate(engine)
    return Records(session_factory(engine), s)


def answered_call(records: Records, uniqueid: str, talk_s: int, seconds: float | None) -> Path:
    """A caller answered at 10:00 and gone `talk_s` later; its recording holds `seconds` (None: no file)."""
    rec = records.settings.recordings_dir / "2026/11/23" / f"{uniqueid}.wav"
    records.start_call(uniqueid, uniqueid, "13800000001", "8000")
    records.answered(uniqueid, "", str(rec))
    if seconds is not None:
        recorded_wav(rec, seconds)
    records.settings = records.settings.replace(today=f"2026-11-23T10:{talk_s // 60:02d}:{talk_s % 60:02d}")
    records.end_call(uniqueid, "")
    records.settings = records.settings.replace(today="2026-11-23T10:00:00")
    return rec


def the_recording(records: Records, uniqueid: str) -> Recording:
    with records.sessions() as db:
        return db.scalar(select(Recording).join(Call, Recording.call_id == Call.id).where(Call.uniqueid == uniqueid))


def audit(records: Records, action: str) -> list[AuditEntry]:
    with records.sessions() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_whole_recording_is_sealed_ok_with_its_digest(records):
    told = []
    records.on_flagged = lambda uid, flagged: told.append(uid)
    answered_call(records, "1.1", 90, 89.5)
    r = the_recording(records, "1.1")
    assert r.health == "ok" and len(r.sha256) == 64 and abs(r.duration_s - 89.5) < 0.01 and r.checked_at
    assert told == [] and audit(records, "recording_flagged") == []


@pytest.mark.parametrize("seconds,health", [(0, "empty"), (None, "missing")])
def test_an_empty_or_missing_recording_is_flagged_never_given_the_digest_of_nothing(records, seconds, health):
    told = []
    records.on_flagged = lambda uid, flagged: told.append((uid, [h for _p, h in flagged]))
    rec = answered_call(records, "1.2", 90, seconds)
    r = the_recording(records, "1.2")
    assert r.health == health and r.sha256 == "" and r.duration_s == 0
    assert told == [("1.2", [health])]
    (a,) = audit(records, "recording_flagged")
    assert a.object_id == str(r.id) and a.detail["health"] == health and a.actor == "ivr"
    assert rec.exists() is (seconds is not None)                     # kept: nothing deletes a recording


def test_a_recording_far_shorter_than_the_call_is_flagged_short_and_still_sealed(records):
    answered_call(records, "1.3", 300, 40)
    r = the_recording(records, "1.3")
    assert r.health == "short" and len(r.sha256) == 64 and abs(r.duration_s - 40) < 0.01
    assert audit(records, "recording_flagged")[0].detail["call_s"] == 300


def test_an_unanswered_call_outs_empty_header_is_removed_only_with_an_audit_line(records):
    rec = records.settings.recordings_dir / "2026/11/23/2.1.wav"
    records.start_call_out("2.1", "2.1", "13912345671", "", "", str(rec))
    recorded_wav(rec, 0)
    records.end_call_out("2.1", "BUSY", "")
    assert the_recording(records, "2.1") is None and not rec.exists()
    (a,) = audit(records, "recording_discarded")
    assert a.object_id == "2.1" and a.detail["path"] == str(rec.resolve()) and a.detail["file_removed"] is True


# ------------------------------------------------------------- free space --

def test_the_watch_raises_the_alert_once_under_the_threshold_and_lowers_it_once(records):
    watch = storage.StorageWatch(records.settings.replace(recordings_min_free_mb=10**9), records.sessions)
    state, changed = watch.check()
    assert state.low and changed and state.free_mb >= 0 and storage.ALERT_TEXT in state.message
    assert watch.check() == (watch.state, False)                      # still low: nothing new to tell
    watch.settings = watch.settings.replace(recordings_min_free_mb=0)
    state, changed = watch.check()
    assert not state.low and changed and state.message == ""
    assert "path" not in state.for_desk()                            # the server's layout stays on the server


def test_free_space_of_a_directory_not_made_yet_is_its_parents(tmp_path):
    assert storage.free_mb(tmp_path / "not" / "yet") == storage.free_mb(tmp_path)


def test_todays_flagged_files_are_counted(records):
    answered_call(records, "1.4", 90, 0)
    answered_call(records, "1.5", 90, 90)
    watch = storage.StorageWatch(records.settings, records.sessions)
    state, changed = watch.recount()
    assert state.flagged_today == 1 and changed and "录音异常" in state.message
    watch.settings = records.settings.replace(today="2026-11-24T09:00:00")
    assert watch.recount()[0].flagged_today == 0                      # a new day


# ------------------------------------------------- a recording that stops mid-call --

class Ticking:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_live_calls_recording_that_stops_growing_raises_the_alert_once(records):
    """Two calls are up; one's file keeps growing, the other's stops (its writer gone): after
    HOTLINE_RECORDING_STALL_S the stopped one is audited once, the alert counts it (the leads' desks,
    `hotline status`); a file that grows again is watched afresh; a call that ended is no more watched."""
    clock = Ticking()
    watch = storage.StorageWatch(records.settings.replace(recording_stall_s=30), records.sessions, clock)
    paths = {}
    for uid in ("2.1", "2.2"):
        paths[uid] = records.settings.recordings_dir / "2026/11/23" / f"{uid}.wav"
        records.start_call(uid, uid, "13800000001", "8000")
        records.answered(uid, "", str(paths[uid]))
        recorded_wav(paths[uid], 1)
    growing, stopped = the_recording(records, "2.1").id, the_recording(records, "2.2").id
    for step in range(4):                     # 40 s of call: 2.1 grows every round, 2.2 never again
        clock.now += 10
        recorded_wav(paths["2.1"], 2 + step)
        got = watch.watch_growth()
        assert got == ([stopped] if clock.now == 40 else []), clock.now
    assert [a.object_id for a in audit(records, storage.STALLED_ACTION)] == [str(stopped)]
    state, changed = watch.recount()
    assert changed and state.stalled_today == 1 and storage.STALLED_TEXT in state.message
    assert state.for_desk()["stalled_today"] == 1
    assert runtime.recordings_status(records.settings)["stalled_today"] == 1
    clock.now += 30
    recorded_wav(paths["2.1"], 7)
    assert watch.watch_growth() == [] and len(audit(records, storage.STALLED_ACTION)) == 1   # told once
    recorded_wav(paths["2.2"], 5)                                     # it grew again: watched afresh
    recorded_wav(paths["2.1"], 8)
    clock.now += 10
    assert watch.watch_growth() == [] and stopped not in watch.growth.stalled
    records.end_call("2.1", "")
    clock.now += 100
    assert watch.watch_growth() == [stopped]                          # 2.1 ended: never stalled
    assert growing not in watch.growth._seen


def test_of_a_transferred_call_only_the_newest_legs_recording_is_expected_to_grow(records):
    first = records.settings.recordings_dir / "2026/11/23" / "3.1.wav"
    records.start_call("3.1", "3.1", "13800000001", "8000")
    records.answered("3.1", "", str(first))
    leg = records.settings.recordings_dir / "2026/11/23" / "3.1-x3.2.wav"
    records.transfer_leg("3.1", "", "", str(leg))
    with records.sessions() as db:
        live = storage.live_recordings(db)
    assert list(live.values()) == [str(leg)]


# ------------------------------------------------------------- hotline status --

def test_status_shows_the_disk_and_todays_flags_without_creating_a_database(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="", recordings_min_free_mb=10**9)
    rec = runtime.recordings_status(s)
    assert rec["low"] and rec["flagged_today"] is None and storage.ALERT_TEXT in rec["alert"]
    assert not (s.home / "hotline.db").exists()


def test_hotline_status_prints_the_alert_and_json_carries_it(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOTLINE_HOME", str(home))
    monkeypatch.setenv("HOTLINE_DB_URL", "")
    monkeypatch.setenv("HOTLINE_RECORDINGS_MIN_FREE_MB", str(10**9))
    migrate(make_engine(f"sqlite:///{home / 'hotline.db'}"))
    out = CliRunner().invoke(cli, ["status"])
    assert out.exit_code == 3                                         # stopped, and still says it
    assert "recordings" in out.output and "0 flagged today" in out.output
    assert "⚠ 录音磁盘空间不足 / recordings disk nearly full" in out.output
    got = json.loads(CliRunner().invoke(cli, ["status", "--json"]).output)
    assert got["recordings"]["low"] is True and got["recordings"]["flagged_today"] == 0
    monkeypatch.setenv("HOTLINE_RECORDINGS_MIN_FREE_MB", "0")
    got = json.loads(CliRunner().invoke(cli, ["status", "--json"]).output)
    assert got["recordings"]["low"] is False and got["recordings"]["alert"] is None
