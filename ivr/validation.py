"""Digits, phone numbers and masking: pure functions, property-tested.

Everything here takes whatever a caller, a gateway or a form hands over (junk,
SQL, 40 digits, None) and never raises.
"""
from __future__ import annotations

import re

# [0-9] not \d: \d also matches other scripts' digits (e.g. '١'); fullmatch: '$' lets '\n' through
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[0-9]{6,11}")        # area code (leading 0) + number: 7–12 digits
_SPOKEN = dict(zip("0123456789", "零幺二三四五六七八九"))   # 1 read as 幺 on the phone
MAX_CALLER_ID = 20


def clean_digits(text) -> str:
    """Only the ASCII digits 0-9 of `text`, in order."""
    return "".join(c for c in str(text or "") if "0" <= c <= "9")


def parse_keyed(text) -> tuple[str, bool]:
    """GET DATA style input → (digits before any '#', whether '#' ended it); '*' and junk dropped."""
    text = str(text or "")
    head, hashed, _ = text.partition("#")
    return clean_digits(head), bool(hashed)


def is_valid_callback(number) -> bool:
    """A call-back number: 11-digit mobile 1[3-9]…, or a 7–12 digit landline starting with area code 0."""
    n = str(number or "")
    return bool(_MOBILE.fullmatch(n) or _LANDLINE.fullmatch(n))


def normalise_caller_id(raw) -> str:
    """A caller id as at most 20 digits; '' when nothing usable.

    '+86 138-0013-8000' and '008613800138000' → '13800138000'; '+86 10 1234 5678'
    → '01012345678'; 'sip:123@host' and '"Name" <123>' → '123'.
    """
    text = str(raw or "")
    if m := re.search(r"<([^>]*)>", text):       # "Display Name" <number>
        text = m.group(1)
    text = re.sub(r"^\s*(sips?|tel):", "", text, flags=re.I).split("@", 1)[0].split(";", 1)[0]
    digits = clean_digits(text)
    international = text.lstrip().startswith("+86") or digits.startswith("0086")
    rest = digits[4:] if digits.startswith("0086") else digits[2:]
    if international or (len(digits) == 13 and digits.startswith("86")):
        if _MOBILE.fullmatch(rest):
            digits = rest
        elif international and 9 <= len(rest) <= 11 and rest[0] != "0":
            digits = "0" + rest                   # E.164 landline: restore the trunk prefix 0
    return digits[:MAX_CALLER_ID]


def mask_phone(number) -> str:
    """For logs: the digits with first 3 and last 2 kept ('138******00'); short ones keep the last 2."""
    n = clean_digits(number)
    if len(n) >= 7:
        return n[:3] + "*" * (len(n) - 5) + n[-2:]
    return "*" * max(0, len(n) - 2) + n[-2:]


def digits_to_speech(digits) -> str:
    """'2611230001' → '二 六 幺 幺 二 三 零 零 零 幺': digit by digit for TTS, 1 as 幺."""
    return " ".join(_SPOKEN[c] for c in clean_digits(digits))


def normalise_phone_query(text) -> str:
    """A phone number typed into a search box, as the accounts store phones (digits, like a
    normalised caller id); '' when it is not a phone number at all (a name, an address, 户号 text).

    '+8613304567836' and '+86 133-0456-7836' → '13304567836'; '(024)34500413' and
    '024-3450 0413' → '02434500413'; '86 13304567836' → '13304567836'.
    To be called by the desk service's search (hotline/service/desk.py) on the query before it
    matches AccountPhone.phone, so the agent finds what the IVR would have found.
    """
    raw = str(text or "").strip()
    if not raw or not re.fullmatch(r"[0-9+()\-.\s]+", raw) or len(raw) > 40:
        return ""
    if raw.startswith("+") or raw.startswith("00"):
        return normalise_caller_id(raw)
    digits = clean_digits(raw)
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        return digits[2:]
    return digits[:MAX_CALLER_ID]
