"""Which FastAGI request may run its flow (#25): bound to the installation, then to the call.

Anyone local can open the FastAGI port and play Asterisk: send any headers, answer any command. So
nothing a request says is believed until it has shown two things over the AGI conversation itself —
never as an AGI argument, which lands in CDR `lastdata` and in every Newexten event:

1. The installation's key, as a proof: the service sends a fresh nonce and the channel answers
   SHA1(nonce:key), the key read from its 0600 file by Asterisk's FILE() inside the expression
   (`ask`). The key itself never leaves that file; what AMI's AGIExecEnd shows is the proof of a
   nonce that is never used again.
2. The call's token (db/call_tokens.py), in the same answer: every request after a call's first
   carries the token the service issued to that call, each stage is accepted once, and the flow is
   then told which call it was admitted for (`ivr.channel.Vouched`) instead of trusting the channel
   variables a forger answers as it likes.

A call's first request — the caller's `caller` (or `degraded`, when the service was away at the
greeting), an agent's hand-dialled `call_out` — carries no token: the service issues one, sets it on
the channel (inherited by the call's other channels) and the flow keeps its digest with the call's
new record, refused when the uniqueid has one already. An agent's consultation leg (`transferred`
without a call) is its own first and last request: it only links the leg's own recording, once.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from common.naming import CALL_TOKEN_VAR
from db.call_tokens import IN, OUT, OUTAGE, STATION, SURVEY, redeem

#: the channel variables the admission question reads besides the proof: the call's token, the
#: caller's call (HOTLINE_CALL, on every channel of it), the 回访 attempt (HOTLINE_SURVEY_CALL), a
#: station call's attempt (HOTLINE_STATION_CALL, #30), an outage's 供热已恢复 call-back (HOTLINE_OUTAGE_CALL, #30)
ASKED = (CALL_TOKEN_VAR, "HOTLINE_CALL", "HOTLINE_SURVEY_CALL", "HOTLINE_STATION_CALL", "HOTLINE_OUTAGE_CALL")
#: the routes that are a call's first request: they issue its token
ISSUING = ("caller", "degraded")


def ask(nonce: str) -> str:
    """The admission question as one GET FULL VARIABLE: the key's proof for `nonce`, then ASKED,
    '|'-separated (none of them can hold one: a token, a uniqueid, a ref)."""
    return "GET FULL VARIABLE ${SHA1(" + nonce + ":${FILE(${HOTLINE_AGI_KEY_FILE})})}" + \
        "".join("|${" + name + "}" for name in ASKED)


def key_proof(key: str, nonce: str) -> str:
    """What Asterisk answers for the installation's `key` (the file's text as FILE() reads it)."""
    return hashlib.sha1(f"{nonce}:{key}".encode()).hexdigest()


@dataclass(frozen=True)
class Stage:
    """How a route's request is bound to its call: the token's `kind`, the call it names — `call`:
    HOTLINE_CALL, else the channel's own uniqueid; `channel`: the channel's uniqueid; `attempt`:
    HOTLINE_SURVEY_CALL; `station`: HOTLINE_STATION_CALL; `outage`: HOTLINE_OUTAGE_CALL — and whether it is accepted once per call or once per channel of the call
    (each agent who answers, each transfer leg)."""
    kind: str
    of: str
    per_channel: bool = False


STAGES = {
    "no_agent": Stage(IN, "call"), "callback": Stage(IN, "call"), "call_end": Stage(IN, "call"),
    "answered": Stage(IN, "call", per_channel=True), "transferred": Stage(IN, "call", per_channel=True),
    # a hand-dialled call out's first request issues its token; a click-to-call's carries the one its
    # Originate set (db.call_tokens.redeem binds it to the channel)
    "call_out": Stage(OUT, "channel"), "call_out_end": Stage(OUT, "channel"),
    "survey_dial": Stage(SURVEY, "attempt"), "survey_dial_end": Stage(SURVEY, "attempt"),
    "survey": Stage(SURVEY, "attempt"), "survey_end": Stage(SURVEY, "attempt"),
    "station_dial": Stage(STATION, "station"), "station_dial_end": Stage(STATION, "station"),
    "station": Stage(STATION, "station"), "station_end": Stage(STATION, "station"),
    "outage_dial": Stage(OUTAGE, "outage"), "outage_dial_end": Stage(OUTAGE, "outage"),
    "outage_call": Stage(OUTAGE, "outage"), "outage_call_end": Stage(OUTAGE, "outage"),
}


@dataclass(frozen=True)
class Plan:
    """What admitting a request takes: `issue` a token (the call's first request), or spend `stage`
    of the token issued to `call` (of `kind`), or nothing more (a consultation leg)."""
    route: str
    call: str
    kind: str = ""
    stage: str = ""
    issue: bool = False


def plan(route: str, uniqueid: str, token: str, call: str, attempt: str, station: str = "",
         outage: str = "") -> Plan | None:
    """How this request may be admitted, from what the channel answered (`token`, `call`:
    HOTLINE_CALL, `attempt`: HOTLINE_SURVEY_CALL, `station`: HOTLINE_STATION_CALL, `outage`: HOTLINE_OUTAGE_CALL); None: it may not. Reads nothing: a first request
    waits for no database."""
    if route in ISSUING:      # a channel that has a token never makes its call's first request again
        return None if token else Plan(route, uniqueid, IN, issue=True)
    if route == "call_out" and not token:
        return Plan(route, uniqueid, OUT, issue=True)
    if route == "transferred" and not call:    # a consultation leg (its channel may carry a call out's token)
        return Plan(route, "")
    stage = STAGES.get(route)
    if stage is None or not token:
        return None
    named = {"call": call or uniqueid, "channel": uniqueid, "attempt": attempt, "station": station,
             "outage": outage}[stage.of]
    return Plan(route, named, stage.kind, f"{route}:{uniqueid}" if stage.per_channel else route)


def spend(db: Session, p: Plan, token: str, now: datetime) -> str | None:
    """Spend the plan's stage of `token` (one transaction, the caller's): the ticket the token was
    issued for ('' for none), or None when the token is not that call's or the stage was used."""
    row = redeem(db, token, p.kind, p.call, p.stage, now)
    return None if row is None else row.ticket
