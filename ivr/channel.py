"""The small channel interface call flows are written against.

A flow sees a `Channel`: play prompts, collect digits, record, set variables.
`AgiChannel` implements it over any AGI transport — FastAGI (panoramisk, in the
hotline service) or classic AGI (pyst2, a process per call) — given one
coroutine that sends a raw AGI command line and returns Asterisk's
``(result, data)``. Tests may implement `Channel` directly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Awaitable, Callable, Protocol


class CallerHungUp(Exception):
    """The caller hung up: a normal end of a flow, not an error."""


@dataclass(frozen=True)
class Vouched:
    """What the FastAGI service established about a request before its flow runs
    (hotline.service.agi_admission): the call it was admitted for — a uniqueid, a 回访 attempt's ref,
    '' for an agent's consultation leg — the digest of the per-call token it issued at the call's
    first request ('' when it issued none; the flow keeps it with the call's record), and the ticket
    of a click-to-call ('' for none). The flow trusts these, not the channel's variables, which a
    forged request answers as it likes."""
    call: str = ""
    issued: str = ""
    ticket: str = ""


def vouched(ch) -> Vouched | None:
    """The channel's `Vouched`; None where nothing was vouched for: a classic AGI script (Asterisk
    started it on the channel itself) or a test's channel — the channel's own variables count."""
    return getattr(ch, "vouched", None)


async def call_of(ch, var: str) -> str:
    """The call a request is about: the one it was admitted for, else the channel's `var`."""
    v = vouched(ch)
    return v.call if v is not None else await ch.get_var(var)


class Channel(Protocol):
    uniqueid: str
    linkedid: str
    caller_id: str
    dnid: str

    async def play(self, *sounds: str, escape: str = "") -> str: ...
    async def get_digits(self, sounds: list[str], max_digits: int, timeout_ms: int) -> str: ...
    async def record(self, path_no_ext: str, fmt: str, max_s: int, escape: str = "#",
                     silence_s: int = 0) -> None: ...
    async def set_var(self, name: str, value: str) -> None: ...
    async def get_var(self, name: str) -> str: ...
    async def hangup(self) -> None: ...


Sender = Callable[[str], Awaitable[tuple[int, str, str]]]

_RESULT = re.compile(r"^(\d{3})[ -](?:result=(-?\d*)\s*(?:\((.*)\))?)?")


#: the channel variable Read() leaves the keys in
KEYS_VAR = "HOTLINE_KEYS"
#: a sound as the flows name it (hotline/<prompt>, tts/<hash>, digits/…): nothing that would split
#: Read()'s arguments (',') or its file list ('&')
SOUND_NAME = re.compile(r"[A-Za-z0-9_/.-]{1,200}")


def parse_result(line: str) -> tuple[int, str, str]:
    """``200 result=1 (timeout)`` → (200, '1', 'timeout'); ``HANGUP`` → (511, '-1', 'hangup')."""
    line = line.strip()
    if line == "HANGUP" or not line:
        return 511, "-1", "hangup"
    m = _RESULT.match(line)
    if not m:
        return 520, "", line
    return int(m.group(1)), m.group(2) or "", m.group(3) or ""


def _quote(text: str) -> str:
    # AGI arguments are space separated; quotes and newlines would break the line
    return '"' + str(text).replace("\\", "\\\\").replace('"', "'").replace("\n", " ") + '"'


def _sound_names(sounds) -> list[str]:
    """The sounds as given, refused unless each is a plain sound name (nothing splits a file list)."""
    for s in sounds:
        if not SOUND_NAME.fullmatch(s):
            raise ValueError(f"not a sound name: {s!r}")
    return list(sounds)


class AgiChannel:
    """`Channel` over AGI commands; knows nothing of the transport."""

    def __init__(self, send: Sender, env: dict[str, str]):
        self._send = send
        self.uniqueid = env.get("agi_uniqueid", "")
        self.linkedid = env.get("agi_linkedid", "") or self.uniqueid
        self.caller_id = env.get("agi_callerid", "")
        self.dnid = env.get("agi_dnid", "") if env.get("agi_dnid") != "unknown" else ""
        self.script = env.get("agi_network_script") or env.get("agi_request", "")
        self.hung_up = False
        #: set by the FastAGI service once the request is admitted; None under classic AGI
        self.vouched: Vouched | None = None

    async def command(self, line: str) -> tuple[str, str]:
        if self.hung_up:
            raise CallerHungUp()
        code, result, data = await self._send(line)
        if code == 511 or data == "hangup" or (code == 200 and result == "-1"):
            self.hung_up = True
            raise CallerHungUp()
        if code != 200:
            raise RuntimeError(f"AGI command failed ({code}): {line.split(' ')[0]} {data}")
        return result, data

    async def play(self, *sounds: str, escape: str = "") -> str:
        """Play sounds in turn; return the escape digit that interrupted them, or ''.

        Several sounds go out as one AGI command, not one STREAM FILE each: a ticket number is 14
        files, and every command is a round trip through the service's event loop that the caller
        hears as a gap (at 540 callers the readout was 3/4 of all AGI commands). Without an escape
        that is ``Playback(a&b&…)``; with one it is ``Read()`` stopping at the first key, like
        `get_digits`, which also keeps a key pressed between two files. The trade-off: a key that
        is not an escape (or '#', Read's terminator) ends the playback too, and is dropped.
        """
        sounds = _sound_names(sounds)
        if not sounds:
            return ""
        if len(sounds) == 1:
            result, _ = await self.command(f"STREAM FILE {sounds[0]} {_quote(escape)}")
            return chr(int(result)) if result not in ("", "0") else ""
        if not escape:
            await self.command(f"EXEC Playback {_quote('&'.join(sounds))}")
            return ""
        key = await self.get_digits(sounds, max_digits=1, timeout_ms=1)   # no wait after the files
        return key if key and key in escape else ""

    async def get_digits(self, sounds: list[str], max_digits: int, timeout_ms: int) -> str:
        """Play prompts (interruptible by any key), then collect up to max_digits; '#' ends.

        One dialplan Read() plays them all and collects: a key pressed anywhere in the prompts, at
        the boundary between two files too, is kept — between two AGI commands Asterisk reads the
        caller's frames and drops them, and under load that gap grew to 200 ms (benchmarks/
        ivr_sipp.py showed keys lost there). Returns the digits keyed (may include '*'), '' on
        silence or a bare '#'.
        """
        sounds = _sound_names(sounds)
        args = f"{KEYS_VAR},{'&'.join(sounds)},{max(1, max_digits)},,1,{max(1, timeout_ms) / 1000:g}"
        await self.command(f"EXEC Read {_quote(args)}")
        return await self.get_var(KEYS_VAR)

    async def record(self, path_no_ext: str, fmt: str, max_s: int, escape: str = "#",
                     silence_s: int = 0) -> None:
        silence = f" s={silence_s}" if silence_s else ""
        await self.command(f"RECORD FILE {path_no_ext} {fmt} {_quote(escape)} {max_s * 1000} BEEP{silence}")

    async def set_var(self, name: str, value: str) -> None:
        await self.command(f"SET VARIABLE {name} {_quote(value)}")

    async def get_var(self, name: str) -> str:
        result, data = await self.command(f"GET VARIABLE {name}")
        return data if result == "1" else ""

    async def hangup(self) -> None:
        try:
            await self.command("HANGUP")
        except CallerHungUp:
            pass
        self.hung_up = True
