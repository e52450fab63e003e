"""Customer audio on the agent's PC: where a downloaded recording or voice description is kept
while it plays (AudioScratch), and where it plays (`play`: the headset through the softphone when
it has real audio, else the system's player)."""
from __future__ import annotations

import os
import shutil
import tempfile

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices


def play(phone, path: str) -> str:
    """Play `path`; answers where: "headset" (pjsua2, on the phone's own thread) or "system"."""
    if getattr(phone, "available", False) and getattr(phone, "real_audio", False):
        phone.play_file(path)
        return "headset"
    QDesktopServices.openUrl(QUrl.fromLocalFile(path))
    return "system"


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


