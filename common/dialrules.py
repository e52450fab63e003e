"""The numbers the hotline may call out, by class. The dialplan's [outbound] context has the same
rules as patterns (dialplan/extensions.conf; a unit test holds the two together); the service
checks a click-to-call number by these before anything reaches Asterisk, and the automated 回访 may
use them too. Pure functions, stdlib only, never raising on junk.

- mobile: 1[3-9] and 9 more digits (11)
- local: a landline without area code, 7–8 digits starting 2–9
- long_distance: 0, an area code and the number: 10–12 digits (not 00)
- international: 00 and at least 2 more digits — only when the admin allows it
- premium: 声讯/信息台 and value-added lines — 160… and 168… information lines, 1259x… —
  only when the admin allows it (checked before mobile: 160/168 are no mobile prefixes)

Anything else (3–6 digits are 工号 for transfers; 110/119/120 are not dialled out) is refused.
"""
from __future__ import annotations

import re

MOBILE, LOCAL, LONG_DISTANCE = "mobile", "local", "long_distance"
INTERNATIONAL, PREMIUM = "international", "premium"
#: every installation may call these; the others only when Settings.outbound_allow names them
EVERYDAY = (MOBILE, LOCAL, LONG_DISTANCE)
OPTIONAL = (INTERNATIONAL, PREMIUM)
MAX_DIGITS = 20

# in the order they are tried (the dialplan's most specific pattern wins the same way);
# [0-9], not \d (other scripts' digits), and fullmatch ('$' lets '\n' through)
_RULES = ((PREMIUM, re.compile(r"(?:160|168)[0-9]+|1259[0-9]{2,}")),
          (INTERNATIONAL, re.compile(r"00[0-9]{2,}")),
          (MOBILE, re.compile(r"1[3-9][0-9]{9}")),
          (LONG_DISTANCE, re.compile(r"0[1-9][0-9]{8,10}")),
          (LOCAL, re.compile(r"[2-9][0-9]{6,7}")))


def number_class(number) -> str | None:
    """'13812345678' → 'mobile', '0085212345678' → 'international', '1234' → None."""
    n = number if isinstance(number, str) else ""
    if not n or len(n) > MAX_DIGITS:
        return None
    return next((name for name, rx in _RULES if rx.fullmatch(n)), None)


def refusal(number, allowed=frozenset()) -> str:
    """Why `number` may not be dialled out ('' when it may): 'invalid', or its class when that
    class is not allowed here (`allowed`: Settings.outbound_allowed)."""
    kind = number_class(number)
    if kind is None:
        return "invalid"
    return "" if kind in EVERYDAY or kind in allowed else kind


def may_dial(number, allowed=frozenset()) -> bool:
    return refusal(number, allowed) == ""
