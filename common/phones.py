"""Phone numbers, in one place: what a number is (its class), which numbers the hotline may dial and
so take as a call-back number, how a caller id or a typed number becomes digits, and how a number
is masked for logs. Pure functions, stdlib only, never raising on junk (a caller, a gateway or a
form may hand over anything: SQL, 40 digits, None).

The classes, as the dialplan's [outbound] context has them (dialplan/extensions.conf; a unit test
holds the two together):

- mobile: 1[3-9] and 9 more digits (11)
- local: a landline without area code, 7–8 digits starting 2–9
- long_distance: 0, an area code and the number: 10–12 digits (not 00)
- international: 00 and at least 2 more digits — only when the admin allows it
- premium: 声讯/信息台 and value-added lines — 160… and 168… information lines, 1259x… —
  only when the admin allows it (checked before mobile: 160/168 are no mobile prefixes)

Anything else (3–6 digits are 工号 for transfers; 110/119/120 are not dialled out) is no number the
hotline calls. `allowed` is always the installation's extra classes, Settings.outbound_allowed
(HOTLINE_OUTBOUND_ALLOW); left out, only the everyday classes count.
"""
from __future__ import annotations

import re

MOBILE, LOCAL, LONG_DISTANCE = "mobile", "local", "long_distance"
INTERNATIONAL, PREMIUM = "international", "premium"
#: every installation may call these; the others only when Settings.outbound_allow names them
EVERYDAY = (MOBILE, LOCAL, LONG_DISTANCE)
OPTIONAL = (INTERNATIONAL, PREMIUM)
#: what agents and residents are told a class is
CLASS_LABELS = {MOBILE: "手机号码", LOCAL: "本地固定电话", LONG_DISTANCE: "长途固定电话",
                INTERNATIONAL: "国际号码", PREMIUM: "声讯/信息台号码"}
#: the longest number kept anywhere (a caller id, a call's `caller`, a ticket's call-back number)
MAX_DIGITS = 20

# [0-9], not \d (other scripts' digits), and fullmatch ('$' lets '\n' through)
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# in the order they are tried (the dialplan's most specific pattern wins the same way)
_RULES = ((PREMIUM, re.compile(r"(?:160|168)[0-9]+|1259[0-9]{2,}")),
          (INTERNATIONAL, re.compile(r"00[0-9]{2,}")),
          (MOBILE, _MOBILE),
          (LONG_DISTANCE, re.compile(r"0[1-9][0-9]{8,10}")),
          (LOCAL, re.compile(r"[2-9][0-9]{6,7}")))
_TYPED = re.compile(r"[0-9+()\-.\s]+")        # what a person types for a number: digits, +, (), -, ., spaces


def clean_digits(text) -> str:
    """Only the ASCII digits 0-9 of `text`, in order."""
    return "".join(c for c in str(text or "") if "0" <= c <= "9")


# ------------------------------------------------------------- classes --

def number_class(number) -> str | None:
    """'13812345678' → 'mobile', '0085212345678' → 'international', '1234' → None. Digits only:
    anything but a str of ASCII digits (spaces, '+', an int) is no number."""
    n = number if isinstance(number, str) else ""
    if not n or len(n) > MAX_DIGITS:
        return None
    return next((name for name, rx in _RULES if rx.fullmatch(n)), None)


def refusal(number, allowed=frozenset()) -> str:
    """Why `number` may not be dialled out ('' when it may): 'invalid', or its class when that
    class is not allowed here."""
    kind = number_class(number)
    if kind is None:
        return "invalid"
    return "" if kind in EVERYDAY or kind in allowed else kind


def is_valid_callback(number, allowed=frozenset()) -> bool:
    """A call-back number is a number the hotline may dial here (no refusal): the IVR, the desk and
    the dialers never keep or call a number the dialplan would refuse."""
    return refusal(number, allowed) == ""


# ------------------------------------------------------------ normalising --

def normalise_caller_id(raw) -> str:
    """A caller id as at most 20 digits; '' when nothing usable.

    '+86 138-0013-8000' and '008613800138000' → '13800138000'; '+86 10 1234 5678'
    → '01012345678'; another country's '+852 1234 5678' → '0085212345678' (as dialled from
    China: an international number); 'sip:123@host' and '"Name" <123>' → '123'.
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
    elif text.lstrip().startswith("+") and digits:
        digits = "00" + digits                    # E.164 of another country: the international prefix
    return digits[:MAX_DIGITS]


def normalise_phone_query(text) -> str:
    """A phone number as a person types it (a search box, the ticket form's 回电号码), as the
    accounts store phones (digits, like a normalised caller id); '' when it is not a phone number at
    all (a name, an address, 户号 text, 'abc 9;9#9').

    '+8613304567836' and '+86 133-0456-7836' → '13304567836'; '(024)34500413' and
    '024-3450 0413' → '02434500413'; '86 13304567836' → '13304567836'.
    """
    raw = str(text or "").strip()
    if not raw or not _TYPED.fullmatch(raw) or len(raw) > 40:
        return ""
    if raw.startswith("+") or raw.startswith("00"):
        return normalise_caller_id(raw)
    digits = clean_digits(raw)
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        return digits[2:]
    return digits[:MAX_DIGITS]


# --------------------------------------------------------------- masking --

def mask_phone(number) -> str:
    """For logs: the digits with first 3 and last 2 kept ('138******00'); short ones keep the last 2."""
    n = clean_digits(number)
    if len(n) >= 7:
        return n[:3] + "*" * (len(n) - 5) + n[-2:]
    return "*" * max(0, len(n) - 2) + n[-2:]
