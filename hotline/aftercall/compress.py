"""Recordings kept for ever in bounded space (#29, 录音必须永久保存): once a recording is sealed, the
service converts its WAV (8 kHz 16-bit: 57.6 MB per hour) to Ogg Vorbis (≈ 6.6 MB per hour of
speech at quality 0, at most ≈ 8 on noise) — a format Asterisk plays (format_ogg_vorbis) and sox
decodes; the desk gets WAV from the API, decoded from it as it is served.

The original is never lost before its successor is whole: the Ogg file is written under a
temporary name, fsynced, decoded in full and its length held against the WAV's (within
MAX_DRIFT_S), renamed, and only then does the row take the new path and the new file's sha256 —
the seal stays verifiable for what is stored, the original's sha256 kept in the conversion's audit
line — and only after that commit is the WAV removed. A backup running meanwhile keeps the WAV
(the recordings lock: the swap waits for the next round).

`usage`: the space the recordings and voice messages take, their growth per day over the last
week, the free space and the days it lasts (`hotline recordings usage`, `hotline status`)."""
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import String, cast, exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from common.paths import confined
from common.settings import Settings
from db.models import AuditEntry, Recording
from ivr import storage

log = logging.getLogger("hotline.compress")

#: the converted recording's format, as its audit line names it
FORMAT = "ogg/vorbis"
#: a converted file decoding this much shorter or longer than the WAV is refused (the WAV stays)
MAX_DRIFT_S = 0.5
#: recordings one round of the service converts at most (one at a time, sox at a low priority)
ROUND_LIMIT = 20
#: the days `usage` measures growth over
GROWTH_DAYS = 7
COMPRESSED_ACTION = "recording_compressed"
REFUSED_ACTION = "recording_compress_failed"
_LENGTH = re.compile(r"^Length \(seconds\):\s+([0-9.]+)", re.MULTILINE)


class ConversionError(RuntimeError):
    """A conversion that could not be checked: the WAV stays, as it was."""


def sox() -> str:
    found = shutil.which("sox")
    if found is None:
        raise ConversionError("sox is not installed (apt-get install sox libsox-fmt-all)")
    return found


def _low_priority() -> list[str]:
    nice = shutil.which("nice")
    return [nice, "-n", "10"] if nice else []


def encode(wav: Path, out: Path, quality: int) -> None:
    """`wav` encoded as Ogg Vorbis into `out` (the paths as arguments, never a shell), fsynced."""
    r = subprocess.run([*_low_priority(), sox(), "-q", str(wav), "-t", "ogg", "-C", str(int(quality)), str(out)],
                       capture_output=True, text=True, timeout=3600)
    if r.returncode != 0 or not out.is_file():
        raise ConversionError(f"sox could not encode: {(r.stderr or '').strip()[:200]}")
    with out.open("rb+") as fh:
        os.fsync(fh.fileno())


def decoded_seconds(path: Path, kind: str | None = None) -> float:
    """The length of `path` decoded in full (sox's `stat` reads every sample): a file sox cannot
    decode raises ConversionError."""
    r = subprocess.run([*_low_priority(), sox(), *(["-t", kind] if kind else []), str(path), "-n", "stat"],
                       capture_output=True, text=True, timeout=3600)
    m = _LENGTH.search(r.stderr or "")
    if r.returncode != 0 or m is None:
        raise ConversionError(f"sox could not decode {path.name}: {(r.stderr or '').strip()[:200]}")
    return float(m.group(1))


def wav_of(path: Path) -> bytes:
    """A stored recording as the desk plays it: the WAV itself, or the Ogg decoded to 8 kHz 16-bit
    mono WAV (the desk's player and its QA seek read PCM WAV only)."""
    if path.suffix.lower() != ".ogg":
        return path.read_bytes()
    r = subprocess.run([sox(), "-q", str(path), "-t", "wav", "-e", "signed-integer", "-b", "16", "-c", "1", "-"],
                       capture_output=True, timeout=600)
    if r.returncode != 0:
        raise ConversionError(f"sox could not decode {path.name}: {r.stderr.decode(errors='replace')[:200]}")
    return r.stdout


def pending(sessions: sessionmaker[Session], sealed_before: datetime, limit: int = ROUND_LIMIT) -> list[int]:
    """Sealed recordings still stored as WAV, oldest first: a good or short file with a seal, not
    deleted (an empty or missing one has nothing to keep small; a broken seal is evidence as it is),
    and not refused before (its WAV stays; the audit line says why); sealed before `sealed_before`."""
    with sessions() as db:
        return list(db.scalars(select(Recording.id)
                               .where(Recording.deleted_at.is_(None), Recording.sha256 != "",
                                      Recording.checked_at <= sealed_before,
                                      Recording.health.in_((storage.OK, storage.SHORT)),
                                      func.lower(Recording.path).like("%.wav"),
                                      ~exists().where(AuditEntry.action == REFUSED_ACTION,
                                                      AuditEntry.object_type == "recording",
                                                      AuditEntry.object_id == cast(Recording.id, String)))
                               .order_by(Recording.id).limit(limit)))


def compress_recording(settings: Settings, sessions: sessionmaker[Session], rid: int, lock) -> dict | None:
    """One sealed WAV converted (see the module's words). `lock`: a context manager yielding
    whether the swap may happen now (False while a backup runs: tried again next round). Returns
    what was done (None: nothing to do, or the swap must wait); a file that fails its check is
    audited once and left as it was."""
    with sessions() as db:
        rec = db.get(Recording, rid)
        if rec is None or rec.deleted_at is not None or not rec.sha256 or not rec.path.lower().endswith(".wav"):
            return None
        stored, seal = rec.path, rec.sha256
    wav = confined(stored, [settings.recordings_dir])
    if wav is None:
        return None                   # gone: `recordings verify` flags it
    target = wav.with_suffix(".ogg")
    part = target.with_name(target.name + ".part")
    try:
        if storage.file_sha256(wav) != seal:
            raise ConversionError("the WAV no longer matches its seal: kept as evidence, not converted")
        expected = storage.wav_audio(wav).seconds
        part.unlink(missing_ok=True)
        encode(wav, part, settings.recordings_vorbis_quality)
        seconds = decoded_seconds(part, "ogg")
        if abs(seconds - expected) > MAX_DRIFT_S:
            raise ConversionError(f"the Ogg file decodes to {seconds:.2f} s, the WAV holds {expected:.2f} s")
        os.replace(part, target)
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        digest, size, before = storage.file_sha256(target), target.stat().st_size, wav.stat().st_size
    except (ConversionError, OSError, subprocess.SubprocessError) as exc:
        part.unlink(missing_ok=True)
        _refused(settings, sessions, rid, str(exc))
        return None
    with lock as may:
        if not may:
            return None               # a backup runs: the Ogg file waits, the WAV stays named
        with sessions() as db, db.begin():
            rec = db.get(Recording, rid)
            if rec is None or rec.path != stored or rec.sha256 != seal or rec.deleted_at is not None:
                target.unlink(missing_ok=True)
                return None           # changed meanwhile (deleted, converted by another round)
            rec.path, rec.sha256 = str(target), digest
            storage.audit_storage(db, COMPRESSED_ACTION, "recording", str(rid), settings.now(), format=FORMAT,
                                  quality=settings.recordings_vorbis_quality, original_path=stored,
                                  original_sha256=seal, original_bytes=before, path=str(target), sha256=digest,
                                  bytes=size, seconds=round(expected, 2), decoded_seconds=round(seconds, 2))
        wav.unlink(missing_ok=True)   # only once the row names the Ogg file and its seal
    return {"id": rid, "path": str(target), "bytes": size, "original_bytes": before, "seconds": round(expected, 2),
            "sha256": digest, "original_sha256": seal}


def _refused(settings: Settings, sessions: sessionmaker[Session], rid: int, why: str) -> None:
    """A conversion that failed its check: logged, audited once per recording (the WAV stays)."""
    log.warning("recording %d not converted: %s", rid, why)
    with sessions() as db, db.begin():
        seen = db.scalar(select(func.count()).select_from(AuditEntry)
                         .where(AuditEntry.action == REFUSED_ACTION,
                                AuditEntry.object_id == str(rid)))
        if not seen:
            storage.audit_storage(db, REFUSED_ACTION, "recording", str(rid), settings.now(), reason=why[:300])


# ------------------------------------------------------------------ usage --

def _files(roots: tuple[Path, ...]) -> Iterator[os.DirEntry]:
    for root in roots:
        if not root.is_dir():
            continue
        stack = [root]
        while stack:
            with os.scandir(stack.pop()) as it:
                for e in it:
                    if e.is_dir(follow_symlinks=False):
                        stack.append(Path(e.path))
                    elif e.is_file(follow_symlinks=False):
                        yield e


def growth_per_day(recent_bytes: int, oldest: datetime | None, now: datetime, days: int = GROWTH_DAYS) -> float:
    """Bytes a day: what was written in the last `days` days over the time it was written in —
    the whole window, or since the oldest file when the hotline is younger, but never less than a
    day (a first hour's calls are no rate)."""
    if oldest is None or recent_bytes <= 0:
        return 0.0
    span = min(float(days), max((now - oldest).total_seconds() / 86400, 1.0))
    return recent_bytes / span


def days_left(free_bytes: int, per_day: float) -> float | None:
    """Days until the disk is full at that rate (None: nothing grows)."""
    return None if per_day <= 0 else free_bytes / per_day


def usage(settings: Settings, sessions: sessionmaker[Session] | None = None) -> dict:
    """Recordings' and voice messages' space: used, by day over the last week, growth per day, the
    free space and the days it lasts (warning under HOTLINE_RECORDINGS_DAYS_LEFT_WARN); with the
    database, the hours of audio kept and the megabytes an hour takes in each format."""
    now = settings.now()
    since = now - timedelta(days=GROWTH_DAYS)
    used = recent = count = 0
    by_suffix: dict[str, int] = {}
    recordings: dict[str, int] = {}            # of the recordings alone (not voice messages), by format
    rec_root = str(settings.recordings_dir) + os.sep
    by_day: dict[str, int] = {}
    oldest = None
    for e in _files((settings.recordings_dir, settings.voice_dir)):
        st = e.stat(follow_symlinks=False)
        at = datetime.fromtimestamp(st.st_mtime)
        used += st.st_size
        count += 1
        suffix = os.path.splitext(e.name)[1].lower() or "-"
        by_suffix[suffix] = by_suffix.get(suffix, 0) + st.st_size
        if e.path.startswith(rec_root):
            recordings[suffix] = recordings.get(suffix, 0) + st.st_size
        oldest = at if oldest is None or at < oldest else oldest
        if at >= since:
            recent += st.st_size
            day = at.date().isoformat()
            by_day[day] = by_day.get(day, 0) + st.st_size
    free_mb, where = storage.fullest(settings)
    free = free_mb * 2**20
    per_day = growth_per_day(recent, oldest, now)
    left = days_left(free, per_day)
    out = {"used_bytes": used, "used_mb": round(used / 1e6, 1), "files": count,
           "bytes_by_format": by_suffix, "last_days": dict(sorted(by_day.items())),
           "growth_mb_per_day": round(per_day / 1e6, 1), "free_mb": round(free / 1e6, 1), "disk": str(where),
           "days_left": None if left is None else round(left, 1), "warn_days": settings.recordings_days_left_warn,
           "warning": None, "audio": None}
    if left is not None and left < settings.recordings_days_left_warn:
        out["warning"] = (f"录音磁盘将在 {left:.0f} 天内用满 / recordings disk full in {left:.0f} days at "
                          f"{per_day / 1e6:.0f} MB a day")
    if sessions is not None:
        out["audio"] = audio_kept(sessions, recordings)
    return out


def audio_kept(sessions: sessionmaker[Session], by_suffix: dict[str, int]) -> dict:
    """Hours of sealed audio kept, by format, and the MB an hour of it takes on disk (`by_suffix`:
    the recordings' bytes by format)."""
    with sessions() as db:
        rows = db.execute(select(Recording.path, Recording.duration_s)
                          .where(Recording.deleted_at.is_(None), Recording.sha256 != "")).all()
    seconds: dict[str, float] = {}
    for path, dur in rows:
        suffix = os.path.splitext(path or "")[1].lower() or "-"
        seconds[suffix] = seconds.get(suffix, 0.0) + (dur or 0.0)
    return {s: {"hours": round(sec / 3600, 3),
                "mb_per_hour": round(by_suffix.get(s, 0) / 1e6 / (sec / 3600), 2) if sec > 0 else None}
            for s, sec in sorted(seconds.items())}
