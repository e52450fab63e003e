"""Keyed input and digits read out: pure functions, property-tested. Phone numbers (what a valid
call-back number is, caller ids, masks) are common.phones'.

Everything here takes whatever a caller or a gateway hands over (junk, 40 digits, None) and never
raises.
"""
from __future__ import annotations

from common.phones import clean_digits

_SPOKEN = dict(zip("0123456789", "零幺二三四五六七八九"))   # 1 read as 幺 on the phone


def parse_keyed(text) -> tuple[str, bool]:
    """GET DATA style input → (digits before any '#', whether '#' ended it); '*' and junk dropped."""
    text = str(text or "")
    head, hashed, _ = text.partition("#")
    return clean_digits(head), bool(hashed)


def digits_to_speech(digits) -> str:
    """'2611230001' → '二 六 幺 幺 二 三 零 零 零 幺': digit by digit for TTS, 1 as 幺."""
    return " ".join(_SPOKEN[c] for c in clean_digits(digits))
