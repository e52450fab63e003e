"""Backups that restore (#29): `hotline backup DEST` makes DEST/<stamp>/ atomically — the database
by SQLite's online backup, the recordings and voice messages incrementally (a file an earlier
backup holds is not copied again), a manifest of sha256 — and `hotline restore SRC` checks every
hash before it touches anything, refuses a damaged backup naming the file, refuses a running
hotline naming `hotline down`, and puts back the database and the files whose seals then verify.
The nightly backup's timing and `hotline status`'s warning."""
from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from common.settings import load_settings
from db.models import AuditEntry, Recording, Ticket
from db.session import make_engine, migrate, session_factory
from hotline.admin import runtime
from hotline.aftercall import backup as bk
from hotline.cli import app as cli
from ivr import storage
from conftest import fresh_pg_database
from made_by_ivr import recorded_wav

NOW = "2026-12-06T10:00:00"


def hotline_at(home: Path, **overrides):
    """A stopped hotline's home: its database migrated, two sealed recordings, a voice message."""
    s = load_settings(home=str(home), db_url="", today=NOW, **overrides)
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    files = [recorded_wav(s.recordings_dir / "2026" / "12" / "06" / f"call-{i}.wav", 1 + i) for i in range(2)]
    voice = recorded_wav(s.voice_dir / "2026" / "12" / "06" / "v-1.wav", 0.5)
    with sessions() as db, db.begin():
        for p in files:
            db.add(Recording(path=str(p), sha256=storage.file_sha256(p), health=storage.OK, duration_s=1.0))
        db.add(Ticket(number="2612060001", voice_path=str(voice)))
        db.add(AuditEntry(actor="1001", action="save", object_type="ticket", object_id="2612060001",
                          at=datetime(2026, 12, 6, 9), source=""))
    return s, sessions, engine, files + [voice]


@pytest.fixture
def hotline(tmp_path):
    s, sessions, engine, files = hotline_at(tmp_path / "home")
    yield s, sessions, engine, files
    engine.dispose()


def test_a_backup_is_a_stamped_folder_with_the_database_the_files_and_a_manifest(hotline, tmp_path):
    s, sessions, engine, files = hotline
    got = bk.backup(s, tmp_path / "usb", sessions, engine)
    b = Path(got["backup"])
    assert b.parent == tmp_path / "usb" and b.name == "20261206T100000"
    assert sorted(p.name for p in (tmp_path / "usb").iterdir()) == [".backup.lock", b.name]   # no temporary left
    m = json.loads((b / "manifest.json").read_text())
    assert m["schema_revision"] and m["hotline_version"] and m["created_at"].startswith("2026-12-06T10:00")
    assert m["database"]["sha256"] == storage.file_sha256(b / "hotline.db")
    assert {f["path"]: f["sha256"] for f in m["files"]} == {
        "recordings/2026/12/06/call-0.wav": storage.file_sha256(files[0]),
        "recordings/2026/12/06/call-1.wav": storage.file_sha256(files[1]),
        "voice/2026/12/06/v-1.wav": storage.file_sha256(files[2])}
    assert all(f["size"] == (b / "files" / f["path"]).stat().st_size for f in m["files"])
    with sqlite3.connect(b / "hotline.db") as copy:
        assert copy.execute("SELECT count(*) FROM recording").fetchone()[0] == 2
    with sessions() as db:
        line = db.scalar(select(AuditEntry).where(AuditEntry.action == bk.DONE))
    assert line.object_id == b.name and line.detail["files"] == 3 and line.detail["copied"] == 3


def test_the_next_backup_copies_only_what_is_new_and_still_stands_alone(hotline, tmp_path):
    s, sessions, engine, files = hotline
    first = bk.backup(s, tmp_path / "usb", sessions, engine)
    recorded_wav(s.recordings_dir / "2026" / "12" / "07" / "call-9.wav", 3)
    second = bk.backup(s.replace(today="2026-12-07T02:30:00"), tmp_path / "usb", sessions, engine)
    assert (second["files"], second["copied"], second["linked"]) == (4, 1, 3)
    assert second["bytes_copied"] == (s.recordings_dir / "2026/12/07/call-9.wav").stat().st_size
    same = "files/recordings/2026/12/06/call-0.wav"
    assert (Path(first["backup"]) / same).stat().st_ino == (Path(second["backup"]) / same).stat().st_ino
    bk.check_backup(Path(second["backup"]))                       # whole on its own


def test_a_file_already_backed_up_under_another_name_is_not_copied_again(hotline, tmp_path):
    s, sessions, engine, files = hotline
    bk.backup(s, tmp_path / "usb", sessions, engine)
    (s.recordings_dir / "moved.wav").write_bytes(files[0].read_bytes())
    got = bk.backup(s.replace(today="2026-12-07T02:30:00"), tmp_path / "usb", sessions, engine)
    assert got["copied"] == 0 and got["linked"] == 4


def test_without_hard_links_a_file_is_named_in_the_earlier_backup_and_restores(hotline, tmp_path, monkeypatch):
    s, sessions, engine, files = hotline
    first = bk.backup(s, tmp_path / "usb", sessions, engine)
    monkeypatch.setattr(bk, "_linked", lambda there, target: False)        # a FAT disk
    second = bk.backup(s.replace(today="2026-12-07T02:30:00"), tmp_path / "usb", sessions, engine)
    assert second["copied"] == 0 and second["named"] == 3
    m = bk.read_manifest(Path(second["backup"]))
    assert all(f["in"].startswith(Path(first["backup"]).name + "/") for f in m["files"])
    bk.check_backup(Path(second["backup"]))


def test_the_database_is_copied_while_another_writer_holds_a_transaction(hotline, tmp_path, monkeypatch):
    s, sessions, engine, files = hotline
    writer = sqlite3.connect(s.home / "hotline.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO audit_log (at, actor, action, object_type, object_id, source) "
                   "VALUES ('2026-12-06 10:00:00', 'x', 'uncommitted', 't', '', '')")
    revision = bk.schema_revision

    def copied_then_commit(e):                      # the writer commits once the copy is made
        writer.execute("COMMIT")
        return revision(e)
    monkeypatch.setattr(bk, "schema_revision", copied_then_commit)
    try:
        got = bk.backup(s, tmp_path / "usb", sessions, engine)
    finally:
        writer.close()
    with sqlite3.connect(Path(got["backup"]) / "hotline.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM audit_log WHERE action='uncommitted'").fetchone()[0] == 0


def test_a_backup_that_fails_half_way_leaves_no_backup_and_is_audited(hotline, tmp_path, monkeypatch):
    s, sessions, engine, files = hotline
    calls = []

    def copy_then_fail(src, dst):
        if calls:
            raise OSError(28, "No space left on device")
        calls.append(src)
        return real(src, dst)
    real = bk.copy_hashed
    monkeypatch.setattr(bk, "copy_hashed", copy_then_fail)
    with pytest.raises(bk.BackupError, match="No space left"):
        bk.backup(s, tmp_path / "usb", sessions, engine)
    assert [p.name for p in (tmp_path / "usb").iterdir()] == [".backup.lock"]
    assert bk.complete_backups(tmp_path / "usb") == []
    with sessions() as db:
        assert db.scalar(select(AuditEntry.detail).where(AuditEntry.action == bk.FAILED))["error"]


def test_one_backup_at_a_time_into_one_place_and_a_dead_ones_leftovers_go(hotline, tmp_path):
    s, sessions, engine, files = hotline
    dest = tmp_path / "usb"
    dest.mkdir()
    left = dest / ".20261205T023000.partial-999999"
    (left / "files").mkdir(parents=True)
    with bk.dest_lock(dest):                                   # the nightly backup is writing
        with pytest.raises(bk.BackupError, match="another backup"):
            bk.backup(s, dest, sessions, engine)
    assert left.exists()
    bk.backup(s, dest, sessions, engine)
    assert not left.exists() and len(bk.complete_backups(dest)) == 1


def test_a_backup_inside_the_hotlines_home_is_refused(hotline):
    s, sessions, engine, files = hotline
    with pytest.raises(bk.BackupError, match="another disk"):
        bk.backup(s, s.recordings_dir / "backups", sessions, engine)


# ------------------------------------------------------------------ restore --

def wipe(s) -> None:
    """The server's disk lost: the SQLite file (when it is one), the recordings, the voice messages."""
    for p in (s.home / "hotline.db", s.home / "hotline.db-wal", s.home / "hotline.db-shm"):
        p.unlink(missing_ok=True)
    for d in (s.recordings_dir, s.voice_dir):
        for f in sorted(d.rglob("*"), reverse=True):
            f.unlink() if f.is_file() else f.rmdir()


def rows(s) -> tuple[list, list, list]:
    engine = make_engine(s.database_url)
    try:
        with session_factory(engine)() as db:
            return (db.execute(select(Ticket.number, Ticket.voice_path)).all(),
                    db.execute(select(AuditEntry.id, AuditEntry.action, AuditEntry.detail)
                               .where(AuditEntry.object_type != "backup")).all(),
                    db.execute(select(Recording.id, Recording.path, Recording.sha256)).all())
    finally:
        engine.dispose()


def known(_rev):
    return True


def test_wiped_and_restored_the_same_tickets_audit_lines_and_recordings_come_back(hotline, tmp_path):
    s, sessions, engine, files = hotline
    before = rows(s)
    got = bk.backup(s, tmp_path / "usb", sessions, engine)
    engine.dispose()
    wipe(s)
    summary = bk.restore(s, tmp_path / "usb", known)                 # the folder: its newest backup
    assert summary["name"] == Path(got["backup"]).name and summary["written"] == 3
    restored_engine = make_engine(s.database_url)
    summary = bk.after_restore(s, session_factory(restored_engine), summary)
    restored_engine.dispose()
    assert summary["seals"] == {"checked": 2, "whole": 2, "broken": []}
    assert rows(s) == before
    assert all(storage.file_sha256(Path(p)) == sha for _id, p, sha in before[2])


def test_a_database_already_there_is_kept_beside_the_restored_one(hotline, tmp_path):
    s, sessions, engine, files = hotline
    bk.backup(s, tmp_path / "usb", sessions, engine)
    engine.dispose()
    got = bk.restore(s, tmp_path / "usb", known)
    assert got["database_kept"].endswith("hotline.db.before-restore-20261206T100000")
    assert Path(got["database_kept"]).is_file() and got["already_there"] == 3 and got["written"] == 0


@pytest.mark.parametrize("damage,named", [
    ("flip", "recordings/2026/12/06/call-1.wav: sha256 differs"),
    ("remove", "voice/2026/12/06/v-1.wav: missing"),
    ("database", "database dump hotline.db: sha256 differs"),
    ("link", "recordings/2026/12/06/call-0.wav: a symbolic link, not a file"),
])
def test_a_damaged_backup_restores_nothing_and_names_the_file(hotline, tmp_path, damage, named):
    s, sessions, engine, files = hotline
    b = Path(bk.backup(s, tmp_path / "usb", sessions, engine)["backup"])
    engine.dispose()
    if damage == "flip":
        p = b / "files/recordings/2026/12/06/call-1.wav"
        raw = bytearray(p.read_bytes())
        raw[100] ^= 0xFF
        os.unlink(p)                                               # (a hard link: the original stays whole)
        p.write_bytes(bytes(raw))
    elif damage == "link":
        p = b / "files/recordings/2026/12/06/call-0.wav"
        target = tmp_path / "elsewhere.wav"
        target.write_bytes(p.read_bytes())
        p.unlink()
        p.symlink_to(target)
    elif damage == "remove":
        (b / "files/voice/2026/12/06/v-1.wav").unlink()
    else:
        with (b / "hotline.db").open("ab") as fh:
            fh.write(b"x")
    wipe(s)
    with pytest.raises(bk.BackupDamaged) as exc:
        bk.restore(s, b, known)
    assert named in str(exc.value) and "nothing was restored" in str(exc.value)
    assert not (s.home / "hotline.db").exists() and not any(s.recordings_dir.rglob("*.wav"))


def test_a_manifest_naming_a_place_outside_the_hotline_is_refused(hotline, tmp_path):
    s, sessions, engine, files = hotline
    b = Path(bk.backup(s, tmp_path / "usb", sessions, engine)["backup"])
    m = json.loads((b / "manifest.json").read_text())
    m["files"][0]["path"] = "recordings/../../../etc/cron.d/x"
    (b / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(bk.BackupDamaged, match="not a place under recordings/ or voice/"):
        bk.check_backup(b)


def test_a_backup_of_a_newer_schema_is_refused(hotline, tmp_path):
    s, sessions, engine, files = hotline
    bk.backup(s, tmp_path / "usb", sessions, engine)
    with pytest.raises(bk.BackupError, match="does not know"):
        bk.restore(s, tmp_path / "usb", lambda rev: False)


def test_restored_under_another_home_the_paths_follow(hotline, tmp_path):
    s, sessions, engine, files = hotline
    bk.backup(s, tmp_path / "usb", sessions, engine)
    other = load_settings(home=str(tmp_path / "new-server"), db_url="", today=NOW)
    got = bk.restore(other, tmp_path / "usb", known)
    assert got["moved_from"]["recordings"] == str(s.recordings_dir)
    engine2 = make_engine(other.database_url)
    got = bk.after_restore(other, session_factory(engine2), got)
    with session_factory(engine2)() as db:
        paths = db.scalars(select(Recording.path)).all()
        voice = db.scalar(select(Ticket.voice_path))
    engine2.dispose()
    assert all(p.startswith(str(other.recordings_dir) + "/") for p in paths)
    assert voice.startswith(str(other.voice_dir) + "/") and got["seals"]["whole"] == 2


def test_hotline_restore_refuses_a_running_hotline_naming_hotline_down(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(runtime, "running", lambda s: {"service_pid": 1})
    out = CliRunner().invoke(cli, ["restore", str(tmp_path / "usb")])
    assert out.exit_code == 1 and "`hotline down`" in out.output


def test_hotline_backup_and_restore_from_the_command_line(tmp_path, monkeypatch):
    home = tmp_path / "home"
    s, sessions, engine, files = hotline_at(home)
    engine.dispose()
    monkeypatch.setenv("HOTLINE_HOME", str(home))
    monkeypatch.setenv("HOTLINE_DB_URL", "")
    monkeypatch.setenv("HOTLINE_TODAY", NOW)
    out = CliRunner().invoke(cli, ["backup", str(tmp_path / "usb"), "--json"])
    assert out.exit_code == 0, out.output
    got = json.loads(out.output)
    assert got["files"] == 3 and got["copied"] == 3
    b = Path(got["backup"])
    (b / "files/recordings/2026/12/06/call-0.wav").unlink()
    out = CliRunner().invoke(cli, ["restore", str(b)])
    assert out.exit_code == 1 and "recordings/2026/12/06/call-0.wav: missing" in out.output
    out = CliRunner().invoke(cli, ["backup", str(tmp_path / "usb2")])
    assert out.exit_code == 0 and "3 copied" in out.output
    wipe(s)
    out = CliRunner().invoke(cli, ["restore", str(tmp_path / "usb2")])
    assert out.exit_code == 0, out.output
    assert "recordings: 2 of 2 seals whole" in out.output
    with session_factory(make_engine(s.database_url))() as db:
        assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == bk.RESTORED)) == 1


# --------------------------------------------------------- nightly, status --

@pytest.mark.parametrize("now,last_good,last_try,due", [
    ("2026-12-06T02:29", None, None, True),                          # never made: due at once
    ("2026-12-06T02:29", "2026-12-05T02:31", None, False),           # yesterday's slot is done
    ("2026-12-06T02:30", "2026-12-05T02:31", None, True),            # today's slot has come
    ("2026-12-06T02:31", "2026-12-06T02:30", None, False),
    ("2026-12-06T03:00", None, "2026-12-06T02:30", False),           # failed half an hour ago
    ("2026-12-06T03:31", None, "2026-12-06T02:30", True),            # an hour on: again
])
def test_the_nightly_backup_is_due_once_a_day_and_retried_hourly(now, last_good, last_try, due):
    at = lambda t: datetime.fromisoformat(t) if t else None
    assert bk.nightly_due(at(now), "02:30", at(last_good), at(last_try)) is due


def test_a_bad_backup_time_is_refused_in_words():
    with pytest.raises(ValueError, match="HH:MM"):
        bk.parse_at("25:00")


def test_status_warns_only_when_backups_are_configured_or_were_made(hotline, tmp_path):
    s, sessions, engine, files = hotline
    assert bk.backup_status(s, sessions)["warning"] is None            # not configured, none made: quiet
    configured = s.replace(backup_dir=str(tmp_path / "usb"))
    assert "no backup" in bk.backup_status(configured, sessions)["warning"]
    bk.backup(s, tmp_path / "usb", sessions, engine)
    st = bk.backup_status(configured, sessions)
    assert st["warning"] is None and st["state"] == "ok" and st["last"]["name"] == "20261206T100000"
    later = s.replace(today=(datetime.fromisoformat(NOW) + timedelta(hours=25)).isoformat())
    st = bk.backup_status(later, sessions)                              # one was made: warns unconfigured too
    assert st["state"] == "warn" and "25 h old" in st["warning"]


def test_hotline_status_shows_the_last_backup_and_the_recordings_space(tmp_path, monkeypatch):
    home = tmp_path / "home"
    s, sessions, engine, files = hotline_at(home)
    bk.backup(s, tmp_path / "usb", sessions, engine)
    engine.dispose()
    monkeypatch.setenv("HOTLINE_HOME", str(home))
    monkeypatch.setenv("HOTLINE_DB_URL", "")
    monkeypatch.setenv("HOTLINE_TODAY", "2026-12-08T10:00:00")
    out = CliRunner().invoke(cli, ["status"])
    assert "⚠ 备份已超过一天 / last good backup is 48 h old" in out.output
    assert "recording_space" in out.output
    got = json.loads(CliRunner().invoke(cli, ["status", "--json"]).output)
    assert got["backup"]["last"]["name"] == "20261206T100000" and got["backup"]["state"] == "warn"
    assert got["recordings_usage"]["files"] == 3


# ------------------------------------------------------------- PostgreSQL --

@pytest.mark.postgres
def test_a_postgresql_hotline_is_dumped_with_pg_dump_and_restored_with_pg_restore(tmp_path, pg_url):
    url = fresh_pg_database(pg_url, "hotline_backup_test")
    s = load_settings(home=str(tmp_path / "home"), db_url=url, today=NOW)
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    wav = recorded_wav(s.recordings_dir / "a.wav", 1)
    with sessions() as db, db.begin():
        db.add(Recording(path=str(wav), sha256=storage.file_sha256(wav), health=storage.OK))
        db.add(Ticket(number="2612060001"))
    before = rows(s)
    got = bk.backup(s, tmp_path / "usb", sessions, engine)
    assert got["database"]["engine"] == "postgresql" and (Path(got["backup"]) / "hotline.pgdump").is_file()
    with sessions() as db, db.begin():                                   # changed after the backup
        db.query(Ticket).delete()
    engine.dispose()
    wipe(s)
    summary = bk.restore(s, tmp_path / "usb", known)
    engine = make_engine(url)
    summary = bk.after_restore(s, session_factory(engine), summary)
    engine.dispose()
    assert rows(s) == before and summary["seals"]["whole"] == 1
