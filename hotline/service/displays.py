"""The wall displays' door (#30): a display token (`hotline display-token create`) checked for the
display routes alone. Only hashes are compared (constant time), a found token is cached briefly
(revocation counts within CACHE_S), failures are counted per address like logins (429 beyond the
limit), and a display's last use is written at most once a minute."""
from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from db.models import DisplayToken
from hotline.service.desk import LOCK_MINUTES, DeskError, FailureWindow
from common import wire
from common.passwords import token_hash

#: how long a token's answer (valid, revoked, unknown) is kept before the database is asked again
CACHE_S = 5.0
#: how often a display's last use is written
LAST_USED_EVERY_S = 60.0
#: the longest token accepted (ours are 43 characters); anything longer is refused unread
TOKEN_MAX = 128

MISSING, UNKNOWN, REVOKED, LIMITED = "missing", "unknown", "revoked", "limited"
#: what the wall says for each refusal (the page shows it in large type)
REFUSALS = {MISSING: (401, "缺少大屏令牌,请使用 hotline display-token create 给出的完整地址"),
            UNKNOWN: (401, "大屏令牌无效,请联系管理员"),
            REVOKED: (401, "此大屏令牌已被吊销,请联系管理员"),
            LIMITED: (429, "令牌验证失败次数过多,请稍后再试")}


class DisplayRefused(DeskError):
    """A display route refused: `reason` is one of REFUSALS' keys (the page tells revoked apart)."""

    def __init__(self, reason: str):
        super().__init__(*REFUSALS[reason])
        self.reason = reason


@dataclass(frozen=True)
class Display:
    id: int
    name: str


class DisplayGate:
    """`check(token, source) -> Display` or DisplayRefused; thread-safe (called in worker threads)."""

    def __init__(self, sessions: sessionmaker[Session], now, failures_per_address: int):
        self.sessions, self.now = sessions, now
        #: failed checks per source address (a bad or revoked token): beyond the limit, 429
        self.failures = FailureWindow(LOCK_MINUTES * 60, failures_per_address)
        self._cache: dict[str, tuple[float, Display | None, bool]] = {}   # hash → (until, display, revoked)
        self._used: dict[int, float] = {}                                  # display id → last write
        self._lock = threading.Lock()

    def check(self, token: str, source: str) -> Display:
        if self.failures.blocked(source):
            raise DisplayRefused(LIMITED)
        if not token or len(token) > TOKEN_MAX:
            self.failures.add(source)
            raise DisplayRefused(MISSING if not token else UNKNOWN)
        display, revoked = self._lookup(token_hash(token))
        if display is None:
            self.failures.add(source)
            raise DisplayRefused(REVOKED if revoked else UNKNOWN)
        self._touch(display)
        return display

    def still_valid(self, display: Display) -> bool:
        """For an open stream: is its token still not revoked (asked of the database)."""
        with self.sessions() as db:
            return db.scalar(select(DisplayToken.revoked_at).where(DisplayToken.id == display.id)) is None

    def _lookup(self, digest: str) -> tuple[Display | None, bool]:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(digest)
            if hit is not None and hit[0] > now:
                return hit[1], hit[2]
        with self.sessions() as db:
            row = db.scalar(select(DisplayToken).where(DisplayToken.token_hash == digest))
            found = row is not None and hmac.compare_digest(row.token_hash, digest)
            revoked = found and row.revoked_at is not None
            display = Display(row.id, row.name) if found and not revoked else None
        with self._lock:
            if len(self._cache) > 1000:       # unknown tokens must not grow it without bound
                self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
            self._cache[digest] = (now + CACHE_S, display, revoked)
        return display, revoked

    def _touch(self, display: Display) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._used.get(display.id, -LAST_USED_EVERY_S) < LAST_USED_EVERY_S:
                return
            self._used[display.id] = now
        at: datetime = self.now()
        with self.sessions() as db, db.begin():
            db.execute(update(DisplayToken).where(DisplayToken.id == display.id).values(last_used_at=at))


#: what of an alert and an outage the wall shows (not who acknowledged or declared it, nor their notes)
WALL_ALERT_KEYS = ("id", "kind", "message", "raised_at", "cleared_at", "acked_at")
WALL_OUTAGE_KEYS = ("id", "area", "until", "message", "affected", "ended_at")


def wall_view(board: dict) -> dict:
    """The board (wire.SAMPLE_BOARD) as the wall shows it (wire.SAMPLE_WALL): its figures, alerts and
    outages, no agent's name, 工号 or number — the wall hangs in the hall. An alert about an agent (a
    long pause) says 座席 for them."""
    names = {a.get("agent_no"): a.get("name") or "" for a in board.get("agents", [])}

    def alert(a: dict) -> dict:
        shown = {k: a.get(k) for k in WALL_ALERT_KEYS}
        subject, message = str(a.get("subject") or ""), str(a.get("message") or "")
        if a.get("kind") == "long_pause" or subject in names:    # about an agent: their 工号 and name go
            for who in (f"{subject} {names.get(subject, '')}".strip(), names.get(subject, ""), subject):
                if who:
                    message = message.replace(who, "座席", 1)
            shown["message"] = " ".join(message.split())
        return shown

    summary = dict(board.get("summary", {}))
    return {"now": board.get("now"), "summary": {k: summary.get(k) for k in wire.SAMPLE_WALL["summary"]},
            "alerts": [alert(a) for a in board.get("alerts", [])],
            "outages": [{k: o.get(k) for k in WALL_OUTAGE_KEYS} for o in board.get("outages", [])]}
