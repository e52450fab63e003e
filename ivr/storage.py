"""Storage faults are loud: the recordings disk's free space, and the health of each recording and
voice message — a file that is empty, missing or far shorter than the call is flagged, never
sealed as good; a live call's recording that stops growing raises the alert while the call lasts
(`GrowthWatch`). Recordings are kept for ever (录音必须永久保存): nothing here deletes one; what
is removed elsewhere is audited (`audit_storage`).

Used by the call flows (the check at the answer and at the end of a call), the service (every
30 s, the live recordings' growth every few seconds, the alert to the team leads' desks) and `hotline status` (a line and a field)."""
from __future__ import annotations

import hashlib
import shutil
import struct
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import AuditEntry, Call, Recording, Ticket
from common.settings import Settings

OK, EMPTY, SHORT, MISSING = "ok", "empty", "short", "missing"
#: a sealed file whose sha256 no longer matches, or that is gone (`hotline recordings verify`)
BROKEN = "broken"
FLAGGED = (EMPTY, SHORT, MISSING, BROKEN)
#: a file is "far shorter" than the call when it misses more than this many seconds AND more than
#: this share of it: MixMonitor starts a moment after the answer and the bridge ends a moment before
#: the hang-up handler runs (measured: well under a second), a caller's Record includes the beep
SHORT_TOLERANCE_S = 3.0
SHORT_TOLERANCE_SHARE = 0.2
#: the alert's words, Chinese first (the desk's banner, `hotline status`)
ALERT_TEXT = "录音磁盘空间不足 / recordings disk nearly full"
FLAGGED_TEXT = "录音异常 / recordings flagged"
STALLED_TEXT = "录音中途停止 / recordings stopped mid-call"
#: the audit line of a live call's recording that stopped growing (counted by `stalled_today`)
STALLED_ACTION = "recording_stalled"
#: what a stored recording may be: the WAV Asterisk wrote, or the Ogg Vorbis it was converted to
#: after its seal (hotline.aftercall.compress)
RECORDING_SUFFIXES = (".wav", ".ogg")
#: who writes the storage audit lines (the IVR's own checks and the service's watch)
ACTOR = "ivr"


@dataclass(frozen=True)
class WavAudio:
    """What a WAV file holds: bytes of audio after its header, and their length in seconds."""
    header_ok: bool
    audio_bytes: int
    seconds: float


def wav_audio(path: Path) -> WavAudio | None:
    """The audio a WAV file holds, read from its header and its size — not from the header's
    data size alone: a file cut short by a full disk keeps the size its writer meant (or 0, the
    header never rewritten), so the bytes really there count. None when there is no file."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return WavAudio(False, 0, 0.0)
    pos, byte_rate = 12, 0
    while pos + 8 <= len(head):
        chunk, length = head[pos:pos + 4], struct.unpack_from("<I", head, pos + 4)[0]
        if chunk == b"fmt " and pos + 16 <= len(head):
            byte_rate = struct.unpack_from("<I", head, pos + 16)[0] if pos + 20 <= len(head) else 0
        elif chunk == b"data":
            there = max(size - (pos + 8), 0)
            audio = there if length in (0, 0xFFFFFFFF) or length > there else length
            return WavAudio(byte_rate > 0, audio, audio / byte_rate if byte_rate else 0.0)
        pos += 8 + length + (length & 1)
    return WavAudio(False, 0, 0.0)


def health_of(path: Path | None, expected_s: float | None) -> tuple[str, float]:
    """(health, seconds of audio) of one recording or voice message. `expected_s`: how long it
    should be (the answered call, the caller's time in Record), None when unknown. A whole header
    with no audio on a call too short to have any is no fault; a file with no header is."""
    wav = wav_audio(path) if path is not None else None
    if wav is None:
        return MISSING, 0.0
    if wav.seconds <= 0:
        brief = wav.header_ok and expected_s is not None and expected_s <= SHORT_TOLERANCE_S
        return (OK if brief else EMPTY), 0.0
    return (SHORT if is_short(wav.seconds, expected_s) else OK), wav.seconds


def judge_recordings(paths: list[Path | None], expected_s: float | None) -> list[tuple[str, float]]:
    """(health, seconds) of each of one call's recordings. One file is held against the whole
    answered call; several (a transfer: each leg records its own) are held against it together —
    a leg alone is as short as the part of the call it carried."""
    one = len(paths) == 1
    judged = [health_of(p, expected_s if one else None) for p in paths]
    if not one and is_short(sum(s for _h, s in judged), expected_s):
        judged = [(SHORT if h == OK else h, s) for h, s in judged]
    return judged


def is_short(seconds: float, expected_s: float | None) -> bool:
    """`seconds` of audio is far shorter than `expected_s` (both tolerances exceeded)."""
    if expected_s is None:
        return False
    missing = expected_s - seconds
    return missing > SHORT_TOLERANCE_S and missing > SHORT_TOLERANCE_SHARE * expected_s


def audit_storage(db: Session, action: str, object_type: str, object_id: str, at: datetime, **detail) -> None:
    """An audit line of the storage checks (a flagged file, a removed one, the alert): written by
    the IVR and the service, which have no person behind them (actor ``ivr``)."""
    db.add(AuditEntry(actor=ACTOR, action=action[:32], object_type=object_type[:32], object_id=str(object_id)[:64],
                      detail=detail or None, at=at, source=""))


# ------------------------------------------------------------------ free space --

def free_mb(path: Path) -> int:
    """Free megabytes (MiB, for an unprivileged writer) on the filesystem `path` is on — its
    nearest existing parent while it does not exist yet."""
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    return shutil.disk_usage(p).free // 2**20


@dataclass(frozen=True)
class StorageState:
    """The recordings disk as the team leads and `hotline status` see it."""
    low: bool                 # free space under the threshold: the alert is up
    free_mb: int              # on the fullest of the recordings' and voice messages' filesystems
    min_free_mb: int          # HOTLINE_RECORDINGS_MIN_FREE_MB
    path: str                 # that fullest directory (status only: never sent to desks)
    flagged_today: int        # recordings and voice messages flagged since midnight
    stalled_today: int = 0    # live calls' recordings that stopped growing mid-call since midnight

    @property
    def message(self) -> str:
        """The alert's line, Chinese first ('' when all is well)."""
        parts = []
        if self.low:
            parts.append(f"{ALERT_TEXT}: {self.free_mb} MB free (< {self.min_free_mb} MB)")
        if self.flagged_today:
            parts.append(f"{FLAGGED_TEXT}: {self.flagged_today} today")
        if self.stalled_today:
            parts.append(f"{STALLED_TEXT}: {self.stalled_today} today")
        return "; ".join(parts)

    def for_desk(self) -> dict:
        d = asdict(self)
        del d["path"]
        return {**d, "message": self.message}

    def for_status(self) -> dict:
        return {**asdict(self), "alert": self.message or None}


def fullest(settings: Settings) -> tuple[int, Path]:
    """(free MB, directory) of the fuller of the recordings' and the voice messages' filesystems."""
    return min((free_mb(d), d) for d in (settings.recordings_dir, settings.voice_dir))


def flagged_today(db: Session, now: datetime) -> int:
    """Recordings and voice messages flagged since midnight (the hotline's clock)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    recordings = db.scalar(select(func.count(Recording.id)).where(Recording.health.in_(FLAGGED),
                                                                  Recording.checked_at >= midnight))
    voices = db.scalar(select(func.count(Ticket.id)).where(Ticket.voice_health.in_(FLAGGED),
                                                           Ticket.created_at >= midnight))
    return int(recordings or 0) + int(voices or 0)


def stalled_today(db: Session, now: datetime) -> int:
    """Live calls' recordings found to have stopped growing since midnight (audited once each)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return int(db.scalar(select(func.count(func.distinct(AuditEntry.object_id)))
                         .where(AuditEntry.action == STALLED_ACTION, AuditEntry.at >= midnight)) or 0)


def storage_state(settings: Settings, sessions: sessionmaker[Session] | None) -> StorageState:
    """Now: free space (always) and today's flagged and stalled files (when the database answers)."""
    free, where = fullest(settings)
    flagged = stalled = 0
    if sessions is not None:
        with sessions() as db:
            flagged, stalled = flagged_today(db, settings.now()), stalled_today(db, settings.now())
    return StorageState(free < settings.recordings_min_free_mb, free, settings.recordings_min_free_mb, str(where),
                        flagged, stalled)


def live_recordings(db: Session) -> dict[int, str]:
    """The recordings being written now: of answered calls not ended, not sealed yet — of each call
    only its newest leg (a transfer's earlier agent has hung up: their file is complete, not stalled)."""
    rows = db.execute(select(Recording.id, Recording.call_id, Recording.path)
                      .join(Call, Call.id == Recording.call_id)
                      .where(Recording.health == "", Recording.deleted_at.is_(None), Recording.path != "",
                             Call.answered_at.is_not(None), Call.ended_at.is_(None))
                      .order_by(Recording.id)).all()
    newest = {call: (rid, path) for rid, call, path in rows}
    return dict(newest.values())


class GrowthWatch:
    """Whether the recordings of live calls keep growing: each round (`observe`) notes every live
    recording's size; one whose size has not changed for `stall_s` — or that never appeared — has
    stopped mid-call, and is reported once (again only after it grew in between)."""

    def __init__(self, stall_s: float, clock: Callable[[], float] = time.monotonic):
        self.stall_s, self.clock = stall_s, clock
        self._seen: dict[int, tuple[int, float]] = {}     # recording id → (size, since when)
        self.stalled: set[int] = set()

    def observe(self, live: dict[int, str]) -> list[int]:
        """The recordings found stalled this round (each once)."""
        now, newly = self.clock(), []
        for rid, stored in live.items():
            try:
                size = Path(stored).stat().st_size
            except OSError:
                size = -1                                  # not there (yet, or any more)
            before = self._seen.get(rid)
            if before is None or size != before[0]:
                self._seen[rid] = (size, now)
                self.stalled.discard(rid)
            elif now - before[1] >= self.stall_s and rid not in self.stalled:
                self.stalled.add(rid)
                newly.append(rid)
        for gone in set(self._seen) - set(live):           # sealed, or the call ended
            del self._seen[gone]
            self.stalled.discard(gone)
        return newly


class StorageWatch:
    """The service's picture of the recordings disk: `check` reads the free space (a statvfs, no
    database: cheap enough for every answer), `recount` today's flagged files. Each returns the
    state and whether the team leads must hear of it (the alert rose or fell, a file was flagged)."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], clock: Callable[[], float] = time.monotonic):
        self.settings, self.sessions = settings, sessions
        self.state = StorageState(False, -1, settings.recordings_min_free_mb, str(settings.recordings_dir), 0)
        self.growth = GrowthWatch(settings.recording_stall_s, clock)

    def watch_growth(self) -> list[int]:
        """One round over the live calls' recordings: each newly stalled one audited (the alert
        counts it); returns their ids."""
        with self.sessions() as db:
            live = live_recordings(db)
        newly = self.growth.observe(live)
        if newly:
            with self.sessions() as db, db.begin():
                for rid in newly:
                    audit_storage(db, STALLED_ACTION, "recording", str(rid), self.settings.now(), path=live[rid],
                                  stalled_s=self.settings.recording_stall_s)
        return newly

    def check(self) -> tuple[StorageState, bool]:
        free, where = fullest(self.settings)
        before = self.state
        self.state = StorageState(free < self.settings.recordings_min_free_mb, free,
                                  self.settings.recordings_min_free_mb, str(where), before.flagged_today,
                                  before.stalled_today)
        return self.state, self.state.low != before.low

    def recount(self) -> tuple[StorageState, bool]:
        with self.sessions() as db:
            n, stalled = flagged_today(db, self.settings.now()), stalled_today(db, self.settings.now())
        before = self.state
        self.state = StorageState(before.low, before.free_mb, before.min_free_mb, before.path, n, stalled)
        return self.state, (n, stalled) != (before.flagged_today, before.stalled_today)


def file_sha256(path: Path) -> str:
    """A file's seal, read in blocks (a recording may be long)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
