"""Digits, phone numbers and masking: pure functions, property-tested."""
from __future__ import annotations

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{6,11}$")        # area code + number: 7–12 digits
_SPOKEN = {"0": "零", "1": "幺", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六", "7": "七",
           "8": "八", "9": "九"}


def clean_digits(text: str) -> str:
    return "".join(c for c in str(text) if c.isascii() and c.isdigit())


def parse_keyed(text: str) -> tuple[str, bool]:
    """What a caller keyed: (the digits before any '#', whether '#' ended it); '*' is dropped."""
    text = str(text)
    head, hash_seen = (text.split("#", 1)[0], True) if "#" in text else (text, False)
    return clean_digits(head), hash_seen


def is_valid_callback(number: str) -> bool:
    """11-digit mobile starting with 1, or a 7–12 digit landline with area code."""
    return bool(_MOBILE.match(number or "") or _LANDLINE.match(number or ""))


def normalise_caller_id(raw: str) -> str:
    """A caller id as digits (≤ 20): '+86 138-0013-8000', 'sip:…', '"Name" <123>' → digits; junk → ''."""
    text = str(raw or "")
    m = re.search(r"<([^>]*)>", text)
    if m:
        text = m.group(1)
    text = re.sub(r"^sips?:", "", text).split("@", 1)[0]
    digits = clean_digits(text)
    if len(digits) == 13 and digits.startswith("86") and digits[2] == "1":
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086") and digits[4] == "1":
        digits = digits[4:]
    return digits[:20]


def mask_phone(number: str) -> str:
    """For logs: first 3 and last 2 digits kept; short numbers keep only the last 2."""
    n = str(number or "")
    if len(n) >= 7:
        return n[:3] + "*" * (len(n) - 5) + n[-2:]
    return "*" * max(0, len(n) - 2) + n[-2:]


def digits_to_speech(digits: str) -> str:
    """'2611230001' → '二 六 幺 幺 二 三 零 零 零 幺': digit by digit, 1 as 幺 (phone custom)."""
    return " ".join(_SPOKEN[c] for c in clean_digits(digits))
