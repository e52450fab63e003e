"""The QA's arithmetic, without a database: which calls a sample draws, whether a check passes,
what serious errors cost. Tested on their own (tests/unit/test_unit_qa.py)."""
from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from common import wire

#: the problems (every finding but praise): one fails the call
PROBLEMS = tuple(k for k in wire.QA_FINDINGS if k != wire.QA_PRAISE)


@dataclass(frozen=True)
class QaPolicy:
    """Settings.qa_* as the rules use them."""
    sample_share: float = 0.10
    weekly_per_agent: int = 1
    peer_quota: int = 5
    fine_base: int = 10
    fine_extra: int = 50
    fine_free: int = 3
    fine_window: str = "month"
    retrain_fail_rate: float = 0.30
    complaint_day: float = 0.02
    complaint_month: float = 0.01


def qa_policy(settings) -> QaPolicy:
    window = settings.qa_fine_window.strip()
    if window != "month" and not re.fullmatch(r"[1-9][0-9]{0,2}d", window):
        raise ValueError(f"HOTLINE_QA_FINE_WINDOW should be month or a number of days like 30d, not {window!r}")
    if not 0 < settings.qa_sample_share <= 1:
        raise ValueError(f"HOTLINE_QA_SAMPLE_SHARE should be a share in (0, 1], not {settings.qa_sample_share}")
    return QaPolicy(settings.qa_sample_share, max(0, settings.qa_weekly_per_agent), max(0, settings.qa_peer_quota),
                    settings.qa_fine_base, settings.qa_fine_extra, max(0, settings.qa_fine_free), window,
                    settings.qa_retrain_fail_rate, settings.qa_complaint_day, settings.qa_complaint_month)


# ------------------------------------------------------------------------------ the draw --

def rank(key: bytes, label: str, item: int) -> str:
    """An item's place in a draw: HMAC-SHA256 of the draw's label (its kind and day) and the item
    under the server's secret — the same every time, unknowable without the secret."""
    return hmac.new(key, f"{label}|{item}".encode(), hashlib.sha256).hexdigest()


def quota(answered: int, share: float) -> int:
    """Calls to check of an agent's `answered`: the share rounded up, at least one (none of none)."""
    if answered <= 0:
        return 0
    # a share like 0.1 × 30 is 3.0000000000000004 in floating point: rounded before the ceiling
    return max(1, math.ceil(round(answered * share, 9)))


def draw(legs: dict[int, list[int]], key: bytes, label: str, per_agent) -> dict[int, list[int]]:
    """{agent: the legs drawn}: for each agent, the `per_agent(n)` of their n legs that rank first."""
    out = {}
    for agent, items in legs.items():
        n = per_agent(len(items))
        if n > 0:
            out[agent] = sorted(sorted(set(items), key=lambda i: rank(key, label, i))[:n])
    return out


def daily_label(day: date) -> str:
    return f"daily|{day.isoformat()}"


def weekly_label(monday: date) -> str:
    return f"weekly|{monday.isoformat()}"


def peer_label(day: date, listener: int) -> str:
    return f"peer|{day.isoformat()}|{listener}"


# ----------------------------------------------------------------------------- a check --

class CheckError(ValueError):
    """A check that does not fit its scorecard (the words say what)."""


def score(scorecard: dict, items: dict, findings: Iterable[str]) -> tuple[dict, list[str], bool]:
    """(items, findings, passed) of a check against a scorecard's body: every item scored pass or
    fail (na only where it may not apply), findings known and each once. It passes when no required
    item failed and no problem was found (praise is no problem)."""
    known = {i["key"]: i for i in scorecard["items"]}
    unknown = sorted(set(items) - set(known))
    if unknown:
        raise CheckError(f"评分标准中没有这些项: {', '.join(unknown)}")
    missing = [k for k in known if k not in items]
    if missing:
        raise CheckError(f"请为每一项评分,缺: {', '.join(missing)}")
    for k, v in items.items():
        if v not in wire.QA_ITEM_RESULTS:
            raise CheckError(f"{k}: 评分应为 pass / fail / na")
        if v == "na" and not known[k].get("optional"):
            raise CheckError(f"{k}: 这一项总是适用,不能评为 na")
    found = list(findings)
    bad = [f for f in found if f not in wire.QA_FINDINGS]
    if bad:
        raise CheckError(f"没有这种检查结果: {', '.join(bad)}")
    if len(set(found)) != len(found):
        raise CheckError("同一检查结果只记一次")
    failed = any(v == "fail" and known[k].get("required", True) for k, v in items.items())
    passed = not failed and not any(f in PROBLEMS for f in found)
    return dict(items), [f for f in wire.QA_FINDINGS if f in found], passed


# -------------------------------------------------------------------------------- fines --

def fines(serious: Iterable[tuple[date, int, str]], policy: QaPolicy) -> list[dict]:
    """Each serious error (day, an order within the day, finding) with its fine: fine_base each, and
    fine_extra more for each one past fine_free within the window (the calendar month, or the N
    days up to and including its day) — the 4th in a month costs 10 + 50 by the customer's rule."""
    ordered = sorted(serious)
    out = []
    for i, (day, _order, finding) in enumerate(ordered):
        if policy.fine_window == "month":
            before = sum(1 for d, _o, _f in ordered[:i] if (d.year, d.month) == (day.year, day.month))
        else:
            days = int(policy.fine_window[:-1])
            before = sum(1 for d, _o, _f in ordered[:i] if day - timedelta(days=days) < d <= day)
        nth = before + 1
        out.append({"day": day.isoformat(), "finding": finding, "nth": nth,
                    "amount": policy.fine_base + (policy.fine_extra if nth > policy.fine_free else 0)})
    return out
