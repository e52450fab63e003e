"""Customer audio on the agent's PC: where a downloaded recording or voice description is kept
while it plays (AudioScratch), where it plays (`play`: the headset through the softphone when it
has real audio, else the system's player), and the part of a recording to play from a position at
a speed (`clip`: the QA screen's seek and 1.5× — the desk's Qt has no media player, so a clip is
made and played like any recording; made off the GUI thread)."""
from __future__ import annotations

import io
import os
import shutil
import tempfile
import wave
from array import array
from dataclasses import dataclass

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices


def play(phone, path: str) -> str:
    """Play `path`; answers where: "headset" (pjsua2, on the phone's own thread) or "system"."""
    if getattr(phone, "available", False) and getattr(phone, "real_audio", False):
        phone.play_file(path)
        return "headset"
    QDesktopServices.openUrl(QUrl.fromLocalFile(path))
    return "system"


def stop(phone) -> None:
    """Stop what the headset plays (the system's player is the person's to stop)."""
    if getattr(phone, "available", False) and hasattr(phone, "stop_playing"):
        phone.stop_playing()


@dataclass(frozen=True)
class Pcm:
    """A WAV's 16-bit samples (mono, as MixMonitor writes them) and their rate."""
    rate: int
    samples: array

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


def read_pcm(data: bytes) -> Pcm | None:
    """The samples of a 16-bit mono PCM WAV; None for anything else (played whole, as it is)."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            if w.getsampwidth() != 2 or w.getnchannels() != 1 or w.getframerate() <= 0:
                return None
            raw = w.readframes(w.getnframes())
            rate = w.getframerate()
    except (wave.Error, EOFError, ValueError):
        return None
    samples = array("h")
    samples.frombytes(raw[:len(raw) - len(raw) % 2])
    if samples.itemsize != 2:
        return None
    return Pcm(rate, samples)


def wav_bytes(pcm: Pcm) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(pcm.rate)
        w.writeframes(pcm.samples.tobytes())
    return out.getvalue()


#: the tempo change's grains: SEGMENT_S of sound each, the last OVERLAP_S of one cross-faded into the next
SEGMENT_S, OVERLAP_S = 0.060, 0.012


def faster(pcm: Pcm, speed: float) -> Pcm:
    """The same speech `speed` times as fast at the same pitch (overlap-add of short grains: the
    listener skips nothing a checker needs, voices do not turn into chipmunks)."""
    if speed <= 1.0 or len(pcm.samples) == 0:
        return pcm
    seg, ov = max(2, int(SEGMENT_S * pcm.rate)), max(1, int(OVERLAP_S * pcm.rate))
    hop_out = seg - ov
    hop_in = hop_out * speed
    src, out = pcm.samples, array("h", pcm.samples[:seg])
    k = 1
    while True:
        start = int(k * hop_in)
        if start + seg > len(src):
            break
        grain = src[start:start + seg]
        tail = len(out) - ov
        for i in range(ov):                   # a linear cross-fade over the overlap
            w = (i + 1) / (ov + 1)
            out[tail + i] = int(out[tail + i] * (1 - w) + grain[i] * w)
        out.extend(grain[ov:])
        k += 1
    return Pcm(pcm.rate, out)


def clip(data: bytes, start_s: float, speed: float) -> tuple[bytes, float]:
    """(a WAV to play, the recording's length in seconds): the recording from `start_s` on, at
    `speed`. A file this cannot read comes back whole, its length unknown (0)."""
    pcm = read_pcm(data)
    if pcm is None:
        return data, 0.0
    first = max(0, min(len(pcm.samples), int(start_s * pcm.rate)))
    part = Pcm(pcm.rate, pcm.samples[first:])
    return wav_bytes(faster(part, speed)), pcm.seconds


class AudioScratch:
    """Recordings and voice descriptions downloaded for playing: a 0700 folder of this run
    in the temp directory, holding at most the file being played. Folders left by a run
    that died (its pid gone) are removed at the next start."""

    PREFIX = "hotline-desk-audio-"

    def __init__(self):
        self._dir: str | None = None
        self._sweep_dead_runs()

    def write(self, data: bytes, kind: str) -> str:
        if self._dir is None or not os.path.isdir(self._dir):
            self._dir = tempfile.mkdtemp(prefix=f"{self.PREFIX}{os.getpid()}-")
        for old in os.listdir(self._dir):          # the previous play is over: it goes
            _remove(os.path.join(self._dir, old))
        fd, name = tempfile.mkstemp(prefix=f"{kind}-", suffix=".wav", dir=self._dir)   # 0600
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return name

    def clear(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _sweep_dead_runs(self) -> None:
        if os.name != "posix":   # os.kill(pid, 0) would terminate a process on Windows
            return
        base = tempfile.gettempdir()
        for name in os.listdir(base):
            if not name.startswith(self.PREFIX):
                continue
            pid = name[len(self.PREFIX):].split("-", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(os.path.join(base, name), ignore_errors=True)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:   # still open by a player on some systems: removed at exit instead
        pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


