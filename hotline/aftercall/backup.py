"""Backups that restore (#29): `hotline backup DEST` while the hotline runs, `hotline restore SRC`
onto a stopped one, and the nightly backup the service runs when the admin switches it on.

A backup is a directory `DEST/<YYYYmmddTHHMMSS>/` holding
- the database: SQLite copied with its online backup API (`sqlite3.Connection.backup`: one
  consistent snapshot while the IVR goes on writing — never a file copy of a live WAL database),
  PostgreSQL dumped with `pg_dump --format=custom`;
- the recordings and voice messages under `files/recordings/…` and `files/voice/…`, incrementally:
  a file whose sha256 an earlier backup in DEST already holds is hard-linked from there (no second
  copy; each backup still stands alone), or — on a filesystem without hard links — named there;
- `manifest.json`: every file with its sha256 and size, the database dump's sha256, the schema
  revision, the hotline's version and when.
It is written under a hidden temporary name and renamed when complete: a directory with a
stamp for a name is a whole backup. A restore checks every hash before it touches anything and
refuses a damaged backup, naming the file."""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from common.paths import confined
from common.settings import Settings
from db.models import AuditEntry, Recording, Ticket
from db.queries import iso
from db.session import make_engine, session_factory
from hotline.aftercall import compress
from ivr import storage

log = logging.getLogger("hotline.backup")

MANIFEST = "manifest.json"
FORMAT = 1
STAMP = "%Y%m%dT%H%M%S"
_NAME = re.compile(r"^\d{8}T\d{6}(-\d{1,3})?$")
_PARTIAL = re.compile(r"^\.(?P<name>\d{8}T\d{6}(-\d{1,3})?)\.partial-(?P<pid>\d+)$")
SQLITE_FILE, PG_FILE = "hotline.db", "hotline.pgdump"
#: the folder of a backup holding the recordings and voice messages, by the place they came from
FILES = "files"
AREAS = ("recordings", "voice")
#: the audit lines (object_type "backup"): each good backup, each failure, each restore
DONE, FAILED, RESTORED = "backup", "backup_failed", "restore"
#: `hotline status` warns when the newest good backup is older than this
STALE_AFTER = timedelta(days=1)
#: a failed nightly backup is tried again this much later (the same night)
RETRY_AFTER = timedelta(hours=1)
BLOCK = 1 << 20


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why and what to do."""


class BackupDamaged(BackupError):
    """A backup whose files do not match its manifest: nothing was restored."""

    def __init__(self, where: Path, problems: list[str]):
        self.problems = problems
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        super().__init__(f"backup {where} is damaged, nothing was restored: {shown}")


def hotline_version() -> str:
    try:
        return metadata.version("dalong-hotline")
    except metadata.PackageNotFoundError:
        return "unknown"


def schema_revision(engine: Engine) -> str | None:
    """The database's Alembic revision (None: not migrated)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:   # no such table: a database never migrated
        return None


# ----------------------------------------------------------------- files --

def copy_hashed(src: Path, dst: Path) -> tuple[str, int]:
    """`src` copied to `dst` (0600) in one pass, hashed as read, fsynced: (sha256, size)."""
    h, size = hashlib.sha256(), 0
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with src.open("rb") as fin, os.fdopen(fd, "wb") as fout:
        for block in iter(lambda: fin.read(BLOCK), b""):
            h.update(block)
            fout.write(block)
            size += len(block)
        fout.flush()
        os.fsync(fout.fileno())
    return h.hexdigest(), size


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def data_files(settings: Settings) -> Iterator[tuple[str, Path, os.stat_result]]:
    """(name in the backup, path, stat) of every recording and voice message, in a stable order;
    a conversion's unfinished output (`*.part`) is no recording."""
    for area, root in zip(AREAS, (settings.recordings_dir, settings.voice_dir)):
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(".part") or name.startswith("."):
                    continue
                p = Path(dirpath) / name
                try:
                    st = p.lstat()
                except OSError:
                    continue
                if not os.path.isfile(p) or p.is_symlink():
                    continue
                yield f"{area}/{p.relative_to(root).as_posix()}", p, st


def _safe_rel(rel: str) -> bool:
    """A manifest's file name may only name a place under recordings/ or voice/ (a manifest is
    data: never a licence to write anywhere else)."""
    parts = rel.split("/")
    return len(parts) >= 2 and parts[0] in AREAS and all(p not in ("", ".", "..") for p in parts) \
        and "\\" not in rel and "\x00" not in rel


# --------------------------------------------------------------- backups --

def complete_backups(dest: Path) -> list[Path]:
    """The whole backups in `dest`, oldest first (a stamp for a name and a manifest)."""
    if not dest.is_dir():
        return []
    return sorted(p for p in dest.iterdir() if _NAME.match(p.name) and (p / MANIFEST).is_file())


def read_manifest(backup_dir: Path) -> dict:
    try:
        m = json.loads((backup_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{backup_dir} is not a hotline backup (no {MANIFEST}; a backup not finished "
                          f"has a hidden name and no manifest)") from None
    except (OSError, ValueError) as exc:
        raise BackupDamaged(backup_dir, [f"{MANIFEST} unreadable ({exc})"]) from None
    if not isinstance(m, dict) or m.get("format") != FORMAT or not isinstance(m.get("files"), list) \
            or not isinstance(m.get("database"), dict):
        raise BackupDamaged(backup_dir, [f"{MANIFEST} is not a backup manifest of format {FORMAT}"])
    return m


@dataclass
class Earlier:
    """What the earlier backups in DEST hold: a place for each sha256, and the hash of each file
    as it was seen (name, size, mtime) — a file unchanged since is not read twice."""
    by_sha: dict[str, tuple[Path, str]]      # sha256 → (the backup holding it, its name there)
    by_stat: dict[tuple[str, int, int], str]


def earlier(dest: Path) -> Earlier:
    by_sha, by_stat = {}, {}
    for b in complete_backups(dest):
        try:
            m = read_manifest(b)
        except BackupError:
            continue                  # a damaged old backup is no source for new ones
        for f in m["files"]:
            if not f.get("in") and (b / FILES / f["path"]).is_file():
                by_sha[f["sha256"]] = (b, f["path"])
            by_stat[(f["path"], f["size"], f.get("mtime_ns", -1))] = f["sha256"]
    return Earlier(by_sha, by_stat)


def _sweep_partials(dest: Path) -> None:
    """A backup that died half-way left a hidden directory: removed (the caller holds DEST's lock,
    so no backup is writing one)."""
    for p in dest.iterdir():
        if _PARTIAL.match(p.name):
            shutil.rmtree(p, ignore_errors=True)


@contextmanager
def dest_lock(dest: Path):
    """One backup at a time into one DEST (the nightly one and an admin's `hotline backup`)."""
    fd = os.open(dest / ".backup.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise BackupError(f"another backup is being written into {dest}; try again when it is done") from exc
        yield
    finally:
        os.close(fd)


def _new_name(dest: Path, now: datetime) -> str:
    base = now.strftime(STAMP)
    for i in range(1000):
        name = base if i == 0 else f"{base}-{i}"
        if not (dest / name).exists() and not any(_PARTIAL.match(p.name) and p.name.startswith(f".{name}.")
                                                  for p in dest.iterdir()):
            return name
    raise BackupError(f"too many backups named {base} in {dest}")


@contextmanager
def recordings_lock(settings: Settings, exclusive: bool, wait: bool = True):
    """Backups (shared) and the recordings' conversion (exclusive, its swap of a file only) never
    overlap: a WAV is not removed while a backup that read the database before may still copy it.
    Yields whether the lock was taken (only `wait=False` can be refused)."""
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.run_dir / "recordings.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if wait else fcntl.LOCK_NB))
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                yield False
                return
            raise
        yield True
    finally:
        os.close(fd)


def _pg_env(url: str) -> dict:
    """libpq's environment for a PostgreSQL URL (the password never in argv, where `ps` shows it)."""
    u = make_url(url)
    env = {**os.environ, "PGDATABASE": u.database or ""}
    for key, value in (("PGHOST", u.host), ("PGPORT", u.port), ("PGUSER", u.username), ("PGPASSWORD", u.password)):
        if value:
            env[key] = str(value)
    return env


def dump_database(settings: Settings, out_dir: Path) -> dict:
    """The database into `out_dir`: SQLite through its online backup API (a consistent snapshot
    while writers go on: WAL readers block nobody), PostgreSQL with pg_dump's custom format."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        src_path = Path(url.database or "")
        if not src_path.is_file():
            raise BackupError(f"no database at {src_path}")
        out = out_dir / SQLITE_FILE
        src = sqlite3.connect(str(src_path), timeout=30)
        dst = sqlite3.connect(str(out))
        try:
            src.backup(dst)           # all pages in one step: one read transaction, one snapshot
            ok = dst.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dst.close()
            src.close()
        if ok != "ok":
            raise BackupError(f"the database copy failed its check: {ok}")
        engine = "sqlite"
    else:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError("pg_dump is not installed (apt-get install postgresql-client)")
        out = out_dir / PG_FILE
        r = subprocess.run([pg_dump, "--format=custom", "--no-password", f"--file={out}"],
                           env=_pg_env(settings.database_url), capture_output=True, text=True, timeout=6 * 3600)
        if r.returncode != 0:
            raise BackupError(f"pg_dump failed: {(r.stderr or '').strip()[:300]}")
        engine = "postgresql"
    with out.open("rb+") as fh:
        os.fsync(fh.fileno())
    return {"engine": engine, "file": out.name, "sha256": storage.file_sha256(out), "size": out.stat().st_size}


def backup(settings: Settings, dest: Path, sessions: sessionmaker[Session], db_engine: Engine,
           actor: str = "cli", progress: Callable[[int, int], None] | None = None) -> dict:
    """One backup of the running (or stopped) hotline into `dest`; returns its summary, audited.
    `progress(done, total)` is told after each file."""
    dest = Path(dest).expanduser().absolute()
    for root in (settings.recordings_dir, settings.voice_dir, settings.home):
        if dest.resolve().is_relative_to(root.resolve()):
            raise BackupError(f"{dest} is inside {root}: a backup belongs on another disk, outside the hotline's "
                              f"home")
    started = time.monotonic()
    now = settings.now()
    try:
        dest.mkdir(parents=True, exist_ok=True, mode=0o700)
        with dest_lock(dest):
            _sweep_partials(dest)
            name = _new_name(dest, now)
            tmp = dest / f".{name}.partial-{os.getpid()}"
            tmp.mkdir(mode=0o700)
            try:
                manifest = _fill(settings, dest, tmp, db_engine, now, progress)
                body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                with (tmp / MANIFEST).open("wb") as fh:
                    fh.write(body)
                    fh.flush()
                    os.fsync(fh.fileno())
                fsync_dir(tmp)
                os.rename(tmp, dest / name)
                fsync_dir(dest)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except (OSError, sqlite3.Error) as exc:
        _audit(sessions, actor, FAILED, str(dest)[:64], now, dest=str(dest), error=str(exc)[:300])
        raise BackupError(f"backup into {dest} failed: {exc}") from exc
    except BackupError as exc:
        _audit(sessions, actor, FAILED, str(dest)[:64], now, dest=str(dest), error=str(exc)[:300])
        raise
    t = manifest["totals"]
    summary = {"backup": str(dest / name), "name": name, "at": manifest["created_at"], **t,
               "database": manifest["database"], "schema_revision": manifest["schema_revision"],
               "seconds": round(time.monotonic() - started, 1)}
    _audit(sessions, actor, DONE, name, now, dest=str(dest), files=t["files"], copied=t["copied"],
           linked=t["linked"], bytes_copied=t["bytes_copied"], db_sha256=manifest["database"]["sha256"],
           seconds=summary["seconds"])
    log.info("backup %s: %d files (%d copied, %.1f MB), database %s", dest / name, t["files"], t["copied"],
             t["bytes_copied"] / 1e6, manifest["database"]["sha256"][:12])
    return summary


def _fill(settings: Settings, dest: Path, tmp: Path, db_engine: Engine, now: datetime,
          progress: Callable[[int, int], None] | None) -> dict:
    """The database, then the files (everything the database names was there before it was
    copied; the conversion removes no WAV meanwhile: the lock), into `tmp`."""
    files, totals = [], {"files": 0, "bytes": 0, "copied": 0, "bytes_copied": 0, "linked": 0, "named": 0}
    with recordings_lock(settings, exclusive=False):
        database = dump_database(settings, tmp)
        revision = schema_revision(db_engine)
        seen = earlier(dest)
        todo = list(data_files(settings))
        for i, (rel, path, st) in enumerate(todo):
            entry = _one_file(tmp, rel, path, st, seen, totals)
            if entry is not None:
                files.append(entry)
            if progress is not None:
                progress(i + 1, len(todo))
    return {"format": FORMAT, "hotline_version": hotline_version(), "schema_revision": revision,
            "created_at": iso(now), "finished_at": iso(settings.now()), "home": str(settings.home),
            "dirs": {"recordings": str(settings.recordings_dir), "voice": str(settings.voice_dir)},
            "database": database, "files": files, "totals": totals}


def _one_file(tmp: Path, rel: str, path: Path, st: os.stat_result, seen: Earlier, totals: dict) -> dict | None:
    """One recording or voice message into the backup: linked from an earlier backup holding the
    same bytes, else copied (hashed as copied). None: it went away meanwhile."""
    target = tmp / FILES / rel
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    sha = seen.by_stat.get((rel, st.st_size, st.st_mtime_ns))
    if sha is None and seen.by_sha:       # a file not seen as it is now (new, renamed, restored): hashed
        try:                              # first, so bytes DEST already holds are not copied again
            sha = storage.file_sha256(path)
        except FileNotFoundError:
            return None
    entry = {"path": rel, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    holder, there = seen.by_sha.get(sha, (None, "")) if sha else (None, "")
    if holder is not None and _linked(holder / FILES / there, target):
        totals["linked"] += 1
    elif holder is not None and holder != tmp:
        entry["in"] = f"{holder.name}/{there}"        # no hard links here: named where it is
        totals["named"] += 1
    else:
        try:
            sha, size = copy_hashed(path, target)
        except FileNotFoundError:
            return None
        entry["size"] = size
        totals["copied"] += 1
        totals["bytes_copied"] += size
        seen.by_sha.setdefault(sha, (tmp, rel))
    entry["sha256"] = sha
    totals["files"] += 1
    totals["bytes"] += entry["size"]
    return entry


def _linked(there: Path, target: Path) -> bool:
    """`target` made a hard link of `there` (False on a filesystem without them: a FAT disk)."""
    try:
        os.link(there, target)
        return True
    except OSError:
        return False


def _audit(sessions: sessionmaker[Session], actor: str, action: str, object_id: str, at: datetime, **detail) -> None:
    try:
        with sessions() as db, db.begin():
            db.add(AuditEntry(actor=actor[:64], action=action, object_type="backup", object_id=object_id[:64],
                              detail=detail, at=at, source=""))
    except Exception as exc:   # the backup itself is whole; only its line is missing
        log.warning("could not audit the backup (%s): %s", action, exc)


# --------------------------------------------------------------- restore --

def find_backup(src: Path) -> Path:
    """SRC is one backup, or a backup folder (its newest whole backup is taken)."""
    src = Path(src).expanduser().absolute()
    if (src / MANIFEST).is_file():
        return src
    found = complete_backups(src)
    if not found:
        raise BackupError(f"no hotline backup in {src} (a backup is a folder named like 20261206T023000 "
                          f"holding {MANIFEST})")
    return found[-1]


def _source_of(backup_dir: Path, f: dict) -> Path:
    if f.get("in"):
        name, _, rel = str(f["in"]).partition("/")
        if not (_NAME.match(name) and _safe_rel(rel)):
            raise BackupDamaged(backup_dir, [f"{f['path']}: names {f['in']!r}, not a file of a backup"])
        return backup_dir.parent / name / FILES / rel
    return backup_dir / FILES / f["path"]


def check_backup(backup_dir: Path, progress: Callable[[int, int], None] | None = None) -> dict:
    """Every hash of the manifest checked against the files; BackupDamaged names each bad one."""
    m = read_manifest(backup_dir)
    problems = []
    db = m["database"]
    db_file = backup_dir / str(db.get("file", ""))
    if db.get("file") not in (SQLITE_FILE, PG_FILE):
        problems.append(f"database: {db.get('file')!r} is not a dump this hotline writes")
    elif not db_file.is_file():
        problems.append(f"database dump {db['file']}: missing")
    elif storage.file_sha256(db_file) != db.get("sha256"):
        problems.append(f"database dump {db['file']}: sha256 differs")
    for i, f in enumerate(m["files"]):
        rel = str(f.get("path", ""))
        if not _safe_rel(rel):
            problems.append(f"{rel!r}: not a place under recordings/ or voice/")
            continue
        try:
            p = _source_of(backup_dir, f)
            if p.is_symlink():            # a backup holds files; a link could read anything on this host
                problems.append(f"{rel}: a symbolic link, not a file")
            elif not p.is_file():
                problems.append(f"{rel}: missing")
            elif storage.file_sha256(p) != f.get("sha256"):
                problems.append(f"{rel}: sha256 differs")
        except BackupDamaged as exc:
            problems.extend(exc.problems)
        if progress is not None:
            progress(i + 1, len(m["files"]))
    if problems:
        raise BackupDamaged(backup_dir, problems)
    return m


def restore(settings: Settings, src: Path, known_revision: Callable[[str], bool],
            progress: Callable[[str, int, int], None] | None = None) -> dict:
    """A backup put back onto a STOPPED hotline (the caller checks that): the manifest's every hash
    checked first (a damaged backup restores nothing), then the database (the one there is kept
    beside it, renamed), then the files; the restored recordings' seals checked. `known_revision`:
    whether this code knows the backup's schema (a backup of a newer hotline is refused)."""
    backup_dir = find_backup(src)
    m = check_backup(backup_dir, (lambda d, n: progress("check", d, n)) if progress else None)
    rev = m.get("schema_revision")
    if rev and not known_revision(rev):
        raise BackupError(f"the backup's database is at schema revision {rev}, which this hotline "
                          f"({hotline_version()}) does not know: restore it with the version that made it "
                          f"({m.get('hotline_version')}) or newer")
    stamp = settings.now().strftime(STAMP)
    kept = _restore_database(settings, backup_dir, m, stamp)
    written = same = 0
    targets = {"recordings": settings.recordings_dir, "voice": settings.voice_dir}
    for i, f in enumerate(m["files"]):
        area, _, rest = f["path"].partition("/")
        target = targets[area] / rest
        if target.is_file() and target.stat().st_size == f["size"] and storage.file_sha256(target) == f["sha256"]:
            same += 1
        else:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            part = target.with_name(target.name + ".restore.part")
            part.unlink(missing_ok=True)
            sha, _size = copy_hashed(_source_of(backup_dir, f), part)
            if sha != f["sha256"]:
                part.unlink(missing_ok=True)
                raise BackupDamaged(backup_dir, [f"{f['path']}: sha256 differs while copied"])
            os.replace(part, target)
            written += 1
        if progress is not None:
            progress("files", i + 1, len(m["files"]))
    return {"backup": str(backup_dir), "name": backup_dir.name, "at": m.get("created_at"),
            "schema_revision": rev, "hotline_version": m.get("hotline_version"), "database": m["database"]["engine"],
            "database_kept": kept, "files": len(m["files"]), "written": written, "already_there": same,
            "moved_from": m.get("dirs") if m.get("dirs") != {"recordings": str(settings.recordings_dir),
                                                               "voice": str(settings.voice_dir)} else None}


def _restore_database(settings: Settings, backup_dir: Path, m: dict, stamp: str) -> str | None:
    """The dump put in place of the database; a SQLite file already there is kept beside it
    (`<name>.before-restore-<stamp>`). Returns that name (None: nothing was there)."""
    url = make_url(settings.database_url)
    dump = backup_dir / m["database"]["file"]
    if m["database"]["engine"] == "sqlite":
        if url.get_backend_name() != "sqlite":
            raise BackupError("the backup holds a SQLite database, the hotline is configured for "
                              f"{url.get_backend_name()} (HOTLINE_DB_URL)")
        target = Path(url.database or "")
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        part = target.with_name(target.name + ".restore.part")
        part.unlink(missing_ok=True)
        copy_hashed(dump, part)
        kept = None
        if target.exists():
            kept = target.with_name(f"{target.name}.before-restore-{stamp}")
            os.replace(target, kept)
        for extra in ("-wal", "-shm"):    # the old database's log must never be applied to the new one
            side = target.with_name(target.name + extra)
            if side.exists():
                if kept is not None:
                    os.replace(side, kept.with_name(kept.name + extra))
                else:
                    side.unlink()
        os.replace(part, target)
        fsync_dir(target.parent)
        return str(kept) if kept else None
    if url.get_backend_name() != "postgresql":
        raise BackupError("the backup holds a PostgreSQL dump, the hotline is configured for "
                          f"{url.get_backend_name()} (HOTLINE_DB_URL)")
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is not installed (apt-get install postgresql-client)")
    r = subprocess.run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-password", "--single-transaction",
                        f"--dbname={url.database}", str(dump)], env=_pg_env(settings.database_url),
                       capture_output=True, text=True, timeout=6 * 3600)
    if r.returncode != 0:
        raise BackupError(f"pg_restore failed: {(r.stderr or '').strip()[:300]}")
    return None


def after_restore(settings: Settings, sessions: sessionmaker[Session], summary: dict, actor: str = "cli") -> dict:
    """In the restored database: paths moved to this hotline's directories (a backup made under
    another home), the restore audited, and every seal checked (read only)."""
    moved = summary.get("moved_from")
    now = settings.now()
    with sessions() as db, db.begin():
        if moved:
            for old, new in ((moved["recordings"], settings.recordings_dir), (moved["voice"], settings.voice_dir)):
                for col in (Recording.path, Ticket.voice_path):
                    db.execute(update(col.class_).where(col.startswith(old + "/"))
                               .values({col.key: func.replace(col, old + "/", str(new) + "/")}))
        db.add(AuditEntry(actor=actor[:64], action=RESTORED, object_type="backup", object_id=summary["name"][:64],
                          detail={k: summary[k] for k in ("backup", "at", "schema_revision", "files", "written")},
                          at=now, source=""))
    return {**summary, "seals": seals_whole(settings, sessions)}


def seals_whole(settings: Settings, sessions: sessionmaker[Session]) -> dict:
    """Every sealed recording's file against its seal, read only (`hotline recordings verify` writes
    its findings; a restore only reports them)."""
    with sessions() as db:
        rows = db.execute(select(Recording.id, Recording.path, Recording.sha256)
                          .where(Recording.deleted_at.is_(None), Recording.sha256 != "")).all()
    broken = []
    for rid, stored, seal in rows:
        p = confined(stored, [settings.recordings_dir], suffix=storage.RECORDING_SUFFIXES)
        if p is None or storage.file_sha256(p) != seal:
            broken.append(rid)
    return {"checked": len(rows), "whole": len(rows) - len(broken), "broken": broken}


# ------------------------------------------------------ nightly, status --

def parse_at(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", (text or "").strip())
    if not m:
        raise ValueError(f"HOTLINE_BACKUP_AT should be HH:MM, not {text!r}")
    return int(m.group(1)), int(m.group(2))


def nightly_due(now: datetime, at: str, last_good: datetime | None, last_try: datetime | None) -> bool:
    """The nightly backup is due: today's time has come and no good backup was made since it, and
    a failed try is RETRY_AFTER old (the same night it is tried again)."""
    h, mi = parse_at(at)
    slot = now.replace(hour=h, minute=mi, second=0, microsecond=0)
    if now < slot:
        slot -= timedelta(days=1)     # before today's time: yesterday's slot still counts
    if last_good is not None and last_good >= slot:
        return False
    return last_try is None or last_try < slot or now - last_try >= RETRY_AFTER


def last_backups(db: Session) -> tuple[AuditEntry | None, AuditEntry | None]:
    """(the newest good backup's audit line, the newest failure's)."""
    q = lambda action: db.scalar(select(AuditEntry).where(AuditEntry.object_type == "backup",
                                                          AuditEntry.action == action)
                                 .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(1))
    return q(DONE), q(FAILED)


def backup_status(settings: Settings, sessions: sessionmaker[Session] | None) -> dict:
    """The last good backup and its age for `hotline status`; a warning when it is older than a day
    (or none was made) — only when backups are configured or one was ever made."""
    configured = bool(settings.backup_dir.strip())
    out = {"configured": configured, "dir": settings.backup_dir or None, "at": settings.backup_at if configured else None,
           "last": None, "age_h": None, "last_failure": None, "warning": None}
    if sessions is None:
        return {**out, "state": "unknown"}
    with sessions() as db:
        good, bad = last_backups(db)
        now = settings.now()
        if good is not None:
            detail = good.detail or {}
            out["last"] = {"name": good.object_id, "at": iso(good.at), "dest": detail.get("dest"),
                           "files": detail.get("files")}
            out["age_h"] = round((now - good.at).total_seconds() / 3600, 1)
        if bad is not None and (good is None or bad.at > good.at):
            out["last_failure"] = {"at": iso(bad.at), "error": (bad.detail or {}).get("error", "")}
    if (configured or good is not None) and (good is None or now - good.at > STALE_AFTER):
        out["warning"] = ("没有备份 / no backup made yet" if good is None else
                          f"备份已超过一天 / last good backup is {out['age_h']:.0f} h old")
        if out["last_failure"]:
            out["warning"] += f"; last failure: {out['last_failure']['error'][:120]}"
    return {**out, "state": "warn" if out["warning"] else ("ok" if good is not None else "off")}


def status_parts(settings: Settings) -> dict:
    """`hotline status`'s backup and recordings-space parts; the database only read when it exists
    (status never creates one)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).is_file()):
        return {"backup": backup_status(settings, None), "recordings_usage": compress.usage(settings)}
    engine = make_engine(settings.database_url)
    try:
        sessions = session_factory(engine)
        return {"backup": backup_status(settings, sessions), "recordings_usage": compress.usage(settings, sessions)}
    except SQLAlchemyError:
        return {"backup": backup_status(settings, None), "recordings_usage": compress.usage(settings)}
    finally:
        engine.dispose()
