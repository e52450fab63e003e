"""What the service's three automated dialers share (the 回访, a station's call on dispatch, the
供热已恢复 call-back of an outage): the Originate of one attempt, a round that places what is due
(`CallPlacer`) and the loop that runs rounds (`DialerLoop`). Each dialer's rules — who is due, which
number, how often — stay in its hotline.aftercall module; only the telephony is here, once.

The Originate never carries a phone number: its channel is ``Local/<ref>@<dial context>/n`` (the
attempt's random ref) and that half asks the service over FastAGI for the number; the Originate's
variables carry the attempt's token (db/call_tokens.py): every FastAGI request of the call shows it.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from common.ami import AmiValueError
from common.naming import CALL_TOKEN_VAR
from hotline.service.errors import TelephonyTimeout, TelephonyUnavailable

#: the Originate waits this much longer than the resident's phone rings (the number look-up first)
ORIGINATE_MARGIN_S = 30
#: what an attempt Asterisk refused to originate ends with (no DIALSTATUS: each dialer reads it as failed)
FAILED = "failed"


async def originate_attempt(ami, ref: str, dial_context: str, context: str, caller_id: str, token: str,
                            ring_s: int) -> tuple[bool, str]:
    """Originate an automated call out: ``Local/<ref>@<dial_context>/n``, its answered half into
    `context` at `ref`; (placed, why not). The token on both halves (a Local channel hands its
    variables on) and every channel they make (__): each FastAGI request of the call shows it."""
    try:
        res = await ami.action(
            "Originate", Channel=f"Local/{ref}@{dial_context}/n", Context=context, Exten=ref, Priority="1",
            CallerID=caller_id or None, Async="true", Variable=f"__{CALL_TOKEN_VAR}={token}",
            Timeout=str((ring_s + ORIGINATE_MARGIN_S) * 1000))
    except (TelephonyUnavailable, TelephonyTimeout, AmiValueError) as exc:
        return False, str(exc)
    ok = (res or {}).get("Response") == "Success"
    return ok, "" if ok else (res or {}).get("Message", "refused")


class Placement(Protocol):
    ref: str
    token: str


class DueCalls(Protocol):
    """What a round needs of a dialer (hotline.aftercall's SurveyDialer, StationDialer, OutageDialer)."""
    policy: Any       # its ring_s

    def next_calls(self) -> tuple[Sequence[Placement], Sequence[Any]]: ...

    def dial_failed(self, ref: str, dialstatus: str) -> Any: ...


@dataclass(frozen=True)
class DialRoute:
    """Where a dialer's calls go in the dialplan, and how its log names one."""
    dial_context: str                        # the Local half that asks for the number and dials
    context: str                             # where the answered half runs the flow
    name: Callable[[Any], str]               # a placement as the log names it (never a phone number)


class CallPlacer:
    """One round of a dialer: what is due, each `prepare`d (a worker thread; a failure is logged and the
    call goes anyway), then originated over AMI (`ami`: anything with the AmiGateway's `connected` and
    `action`) with `caller_id`, the hotline's public number ('' for none). Every attempt that ended —
    over before it was placed, or refused by Asterisk — goes to `ended`."""

    def __init__(self, dialer: DueCalls, ami, caller_id: str, ended: Callable[[Any], Awaitable[None]],
                 route: DialRoute, log: logging.Logger, prepare: Callable[[Any], object] | None = None):
        self.dialer, self.ami, self.caller_id, self._ended = dialer, ami, caller_id, ended
        self.route, self.log, self.prepare = route, log, prepare

    async def round(self) -> int:
        """Place what is due; returns how many calls went out."""
        if not self.ami.connected.is_set():      # due calls wait for AMI
            return 0
        placements, ended = await asyncio.to_thread(self.dialer.next_calls)
        for end in ended:
            await self._ended(end)
        sent = 0
        for p in placements:
            if self.prepare is not None:
                try:
                    await asyncio.to_thread(self.prepare, p)
                except Exception as exc:     # e.g. espeak-ng failing: the flow has a fallback
                    self.log.warning("%s: not prepared: %s", self.route.name(p), exc)
            ok, why = await originate_attempt(self.ami, p.ref, self.route.dial_context, self.route.context,
                                              self.caller_id, p.token, self.dialer.policy.ring_s)
            if ok:
                sent += 1
                self.log.info("%s placed", self.route.name(p))
                continue
            self.log.warning("%s not placed: %s", self.route.name(p), why)
            end = await asyncio.to_thread(self.dialer.dial_failed, p.ref, FAILED)
            if end is not None:
                await self._ended(end)
        return sent


class DialerLoop:
    """A dialer in the service: `step` at start, every `every_s` (an indexed look at what is due: a
    request made anywhere — the API, the CLI, another node — goes out within that) and at once when
    woken (AMI logged in, a CLI request, an attempt that ended: its line is free). A failing step
    (the database down) is logged; the next one tries again."""

    def __init__(self, what: str, step: Callable[[], Awaitable[object]], log: logging.Logger, every_s: float = 5.0):
        self.what, self.step, self.log, self.every_s = what, step, log, every_s
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.step()
            except Exception as exc:
                self.log.warning("could not place %s: %s", self.what, exc)
            try:
                await asyncio.wait_for(self._wake.wait(), self.every_s)
            except asyncio.TimeoutError:
                pass
