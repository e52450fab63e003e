"""Per-call tokens of FastAGI requests (#25): what binds every request after a call's first to that
call. The service issues a token to a call — at the call's first request (the caller's `caller`, an
agent's hand-dialled call out), or in the Originate of a call it places (click-to-call, the automated
回访 attempt) — and the call's channels carry it (HOTLINE_CALL_TOKEN, inherited). Only its SHA-256 is
kept; each stage of the call is accepted once with it (`redeem`), for that call only.

Tokens never travel as an AGI argument (CDR lastdata, Newexten): the service reads them over the AGI
conversation, and the AMI users' event filters drop every event naming the variable
(hotline/admin/asterisk.py). Pure functions on the caller's session: the caller's transaction
decides (a stage used twice fails its commit on the unique pair).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.models import CallToken, CallTokenUse

#: the call's kinds: a resident's call in, an agent's call out, an automated 回访 attempt, a station
#: told of a dispatched repair by phone, the 供热已恢复 call-back of an outage's affected caller (#30)
IN, OUT, SURVEY, STATION, OUTAGE = "in", "out", "survey", "station", "outage"
#: what a token looks like on a channel (secrets.token_urlsafe(24)): nothing that splits an AMI
#: Originate's Variable list (',') or an AGI answer
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
#: a 回访 attempt's ref: 20 random digits, the first not 0 (the dialplan's _Z! pattern)
REF = re.compile(r"[1-9][0-9]{19}")
#: tokens older than this are pruned: every call, click-to-call and 回访 attempt ends well within it
KEEP = timedelta(days=2)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def digest(token: str) -> str:
    return hashlib.sha256(str(token).encode()).hexdigest()


def attempt_ref() -> str:
    """A 回访 (or station call) attempt's name on the channel and in AMI: not guessable, not sequential."""
    return str(10**19 + secrets.randbelow(9 * 10**19))


def store(db: Session, token_digest: str, kind: str, call: str | None, at: datetime, ticket: str = "") -> None:
    """Keep an issued token (its digest) for `call`; a second token for the same call fails the
    transaction's commit (unique call)."""
    db.add(CallToken(digest=token_digest, kind=kind, call=call, ticket=ticket, at=at))


def issue(db: Session, kind: str, call: str | None, at: datetime, ticket: str = "") -> str:
    """A new token for `call` (None: bound by the call's first request), kept hashed; the token."""
    token = new_token()
    store(db, digest(token), kind, call, at, ticket)
    return token


def redeem(db: Session, token: str, kind: str, call: str, stage: str, at: datetime) -> CallToken | None:
    """The token's row when `token` was issued to `call` (of `kind`) and `stage` was not accepted
    with it yet — the stage is now spent; None otherwise. A click-to-call's unbound token is bound to
    `call` here. A stage used twice at once fails the transaction's commit (unique pair)."""
    if not TOKEN.fullmatch(str(token or "")) or not call:
        return None
    row = db.scalar(select(CallToken).where(CallToken.digest == digest(token)))
    if row is None or row.kind != kind:
        return None
    if row.call is None:
        row.call = call
    if row.call != call:
        return None
    if db.scalar(select(CallTokenUse.id).where(CallTokenUse.token_id == row.id, CallTokenUse.stage == stage)):
        return None
    db.add(CallTokenUse(token_id=row.id, stage=stage[:96], at=at))
    db.flush()
    return row


def prune(db: Session, now: datetime) -> int:
    """Forget tokens older than KEEP (their calls are long over); how many."""
    old = select(CallToken.id).where(CallToken.at < now - KEEP)
    db.execute(delete(CallTokenUse).where(CallTokenUse.token_id.in_(old)))
    return db.execute(delete(CallToken).where(CallToken.at < now - KEEP)).rowcount or 0
