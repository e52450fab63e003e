"""The last-known-good dialplan: the copy Asterisk reads.

The admin edits HOTLINE_DIALPLAN_DIR; Asterisk reads a copy of its files under $HOTLINE_HOME
(``dialplan-good/``) that only a dialplan that passed replaces: `hotline dialplan reload`, or an
Asterisk start (`hotline up`, `hotline restart asterisk`) whose edited files pass the same check. A
refused edit stays where the admin made it, and no later Asterisk start can load it.
"""
from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

from common.settings import Settings

GOOD = "dialplan-good"

#: (settings, directory) → the problems of the dialplan in `directory`, one "file:line: message"
#: each; none: it passed
Gate = Callable[[Settings, Path], list[str]]


class DialplanRefused(RuntimeError):
    """The edited dialplan did not pass and there is no good copy to start on."""


def good_dir(s: Settings) -> Path:
    return s.home / GOOD


def dialplan_files(directory: Path) -> dict[str, bytes]:
    """The files of a dialplan directory Asterisk's configuration is made of (*.conf, asterisk.conf.in)."""
    return {p.name: p.read_bytes() for p in sorted(Path(directory).iterdir())
            if p.is_file() and (p.name.endswith(".conf") or p.name.endswith(".conf.in"))}


def _recover(s: Settings) -> None:
    """A promotion cut between its two renames left the good copy as .old: it is still the good one."""
    good, old = good_dir(s), good_dir(s).with_name(GOOD + ".old")
    if not good.exists() and old.is_dir():
        old.rename(good)


def has_good(s: Settings) -> bool:
    _recover(s)
    return (good_dir(s) / "extensions.conf").is_file()


def is_current(s: Settings, directory: Path | None = None) -> bool:
    """The good copy holds exactly the files of `directory` (default: the edited dialplan)."""
    return has_good(s) and dialplan_files(good_dir(s)) == dialplan_files(directory or s.dialplan_dir)


#: the release's dialplan, file by file (name → sha256), written when the shipped dialplan changes
#: (tests/unit/test_recovery.py checks it against dialplan/). A manifest and not the repository's
#: own dialplan/: that is where `./setup.sh`'s admin edits in place — comparing it with itself
#: would let any edit pass as shipped
SHIPPED = Path(__file__).with_name("dialplan_shipped.txt")


def digests(directory: Path) -> dict[str, str]:
    return {name: hashlib.sha256(body).hexdigest() for name, body in dialplan_files(directory).items()}


def shipped_digests() -> dict[str, str]:
    lines = SHIPPED.read_text(encoding="utf-8").splitlines() if SHIPPED.exists() else []
    return dict(reversed(line.split(None, 1)) for line in lines if line.strip() and not line.startswith("#"))


def manifest(directory: Path) -> str:
    """The manifest text of `directory` (what SHIPPED holds for the release's dialplan/)."""
    return "".join(f"{digest}  {name}\n" for name, digest in digests(directory).items())


def shipped(directory: Path) -> bool:
    """`directory` holds the dialplan as shipped (tested with the release): it needs no test again."""
    return digests(directory) == shipped_digests()


def promote(s: Settings, directory: Path | None = None) -> Path:
    """Make the files of `directory` (default: the edited dialplan) the good copy, all at once: a
    new directory renamed into place, never a half-copied one."""
    files = dialplan_files(directory or s.dialplan_dir)
    good = good_dir(s)
    new, old = good.with_name(GOOD + ".new"), good.with_name(GOOD + ".old")
    _recover(s)
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(mode=0o700, parents=True)
    for name, body in files.items():
        (new / name).write_bytes(body)
    shutil.rmtree(old, ignore_errors=True)
    if good.exists():
        good.rename(old)
    new.rename(good)
    shutil.rmtree(old, ignore_errors=True)
    return good


def refused_line(problems: list[str], good_copy: bool = True) -> str:
    """One line for the admin: the first problem (file:line), how many more, what Asterisk loads."""
    first = " ".join(problems[0].split())
    more = f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else ""
    more_en = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    if good_copy:
        zh, en = "Asterisk 使用上次通过检查的拨号方案", "Asterisk runs on the last dialplan that passed"
    else:
        zh, en = "且没有通过检查的拨号方案可用，未启动", "there is no dialplan that passed to start on: nothing started"
    return f"拨号方案有误：{first}{more}；{zh}。 — the edited dialplan is wrong: {first}{more_en}; {en}. " \
           f"Fix it, then `hotline dialplan reload`"


def prepare(s: Settings, gate: Gate, log=print) -> bool:
    """Before an Asterisk start: the good copy made current when the edited dialplan passes `gate`
    (the shipped one passes as it is); a failing edit is named (file:line) and the start goes on
    with the good copy. Raises DialplanRefused when there is none. True: the edit was loaded."""
    if is_current(s):
        return True
    if shipped(s.dialplan_dir):
        promote(s)
        return True
    problems = gate(s, s.dialplan_dir)
    if not problems:
        promote(s)
        log(f"dialplan: the edited files in {s.dialplan_dir} passed; Asterisk loads them")
        return True
    if has_good(s):
        log(refused_line(problems))
        return False
    raise DialplanRefused(refused_line(problems, good_copy=False))
