"""Tickets made the way the IVR makes them (the same `Records` calls as the flows), for unit
fixtures: a call-back ticket is the draft of a call that ended booked for call-back, never a
hand-made `new` row — the hand-made rows hid that such repairs stayed invisible drafts (#24)."""
from __future__ import annotations

import wave
from datetime import datetime
from pathlib import Path

from common.settings import load_settings
from db.models import CallOutcome, Category
from ivr.context import Records


def book_callback(sessions, at: datetime, caller: str, reason: CallOutcome = CallOutcome.callback_requested,
                  account_id: int | None = None, **fields) -> str:
    """A resident's call through the IVR that ended booked for call-back (key 1, abandoned, no
    agent…), on a clock pinned at `at`. Returns the draft's number."""
    records = Records(sessions, load_settings(today=at.isoformat(timespec="seconds")))
    uniqueid = f"{at.timestamp():.0f}.{caller[-4:]}"
    records.start_call(uniqueid, uniqueid, caller, "8000")
    t = records.save_ticket(uniqueid, None, category=Category.no_heat, callback_number=caller,
                            **({"account_id": account_id} if account_id else {}), **fields)
    records.request_callback(uniqueid, reason)
    return t.number


def recorded_wav(path: Path, seconds: float = 1.0) -> Path:
    """A recording as Asterisk leaves it closed (MixMonitor, Record: 8 kHz 16-bit mono WAV) holding
    `seconds` of audio (0: the header alone)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x10\x00" * int(8000 * seconds))
    return path
