"""The 供热已恢复 call-back (区域停热, #30): the call to a caller who keyed 1 on an outage's notice, once
the outage ended with the call-back — a flow over the same `Channel` seam as the caller's path
(ivr.flows), the automated 回访 (ivr.survey) and a station's call (ivr.station).

The service originates ``Local/<ref>@outage-dial/n`` (dialplan/extensions.conf; the attempt's random
ref): its ;2 half asks `outage_dial` for the resident's number (looked up from the attempt, never passed
over AMI), checks it against the number classes [outbound] uses, dials it through the trunk and reports
a failed Dial (`outage_dial_end`: BUSY, NOANSWER, …, REFUSED); once the resident answers, the ;1 half
runs `outage_call_flow` in [outage-call]: 您好,这里是大龙供暖报修热线。您所在区域的供热已恢复,如暖气仍不热,
请拨打报修热线。再见。 — then hangs up, the call-back reached. Its hang-up handler (`outage_call_end`)
closes an attempt the flow did not (the resident hung up while it played: reached as well). What the
flows need of the service is `OutageCallLine` (IvrContext.outage_calls).
"""
from __future__ import annotations

import logging
from typing import Protocol

from common.phones import mask_phone
from ivr.channel import CallerHungUp, Channel, call_of
from ivr.context import IvrContext
from ivr.prompts import P, sound_name
from ivr.survey import ref_of

log = logging.getLogger("ivr.outage_call")

#: the channel variable naming the attempt ([outage-dial], [outage-call] set it from the extension)
ATTEMPT_VAR = "HOTLINE_OUTAGE_CALL"


class OutageCallTargetView(Protocol):
    call: int
    outage: int


class OutageCallLine(Protocol):
    """What the outage call's flows need of the service (hotline.service.outage_line.ServiceOutageLine)."""

    async def number(self, ref: str) -> str: ...
    async def dial_failed(self, ref: str, dialstatus: str) -> None: ...
    async def answered(self, ref: str) -> OutageCallTargetView | None: ...
    async def reached(self, ref: str) -> None: ...


async def ref_on(ch: Channel) -> str:
    """The attempt this request is about: the one it was admitted for, else HOTLINE_OUTAGE_CALL."""
    return ref_of(await call_of(ch, ATTEMPT_VAR))


async def _hang_up(ch: Channel) -> None:
    await ch.set_var("HOTLINE_ROUTE", "hangup")
    await ch.hangup()


async def outage_call_flow(ch: Channel, ctx: IvrContext) -> None:
    """The ;1 half once the resident answered: 供热已恢复…, then the call ends — reached."""
    line: OutageCallLine | None = ctx.outage_calls
    ref = await ref_on(ch)
    target = await line.answered(ref) if line is not None and ref else None
    if target is None:
        log.info("outage call %s: no such call-back placed", ch.uniqueid)
        await _hang_up(ch)
        return
    try:
        await ch.play(sound_name(P.outage_restored))
    except CallerHungUp:
        await line.reached(ref)      # they picked up and heard its start: reached
        raise
    await line.reached(ref)
    log.info("outage call %s: call-back %s of outage %s reached", ch.uniqueid, target.call, target.outage)
    await _hang_up(ch)


async def outage_dial(ch: Channel, ctx: IvrContext) -> None:
    """The ;2 half, before Dial: the resident's number in HOTLINE_OUTAGE_NUMBER ('' — no such placed
    attempt, or a number the hotline may not dial: nothing is dialled)."""
    line: OutageCallLine | None = ctx.outage_calls
    ref = await ref_on(ch)
    number = await line.number(ref) if line is not None and ref else ""
    await ch.set_var("HOTLINE_OUTAGE_NUMBER", number)
    log.info("outage call %s dials %s", ch.uniqueid, mask_phone(number) if number else "nothing")


async def outage_dial_end(ch: Channel, ctx: IvrContext) -> None:
    """The ;2 half, when Dial came back unanswered: DIALSTATUS to the dialer (busy → tried again …;
    REFUSED, the number classes said no → never tried again)."""
    line: OutageCallLine | None = ctx.outage_calls
    ref = await ref_on(ch)
    status = (await ch.get_var("DIALSTATUS"))[:16]
    if line is not None and ref:
        await line.dial_failed(ref, status)


async def outage_call_end(ch: Channel, ctx: IvrContext) -> None:
    """Hang-up handler of the ;1 half: an answered attempt the flow did not end is reached (nothing
    more for one already over)."""
    line: OutageCallLine | None = ctx.outage_calls
    ref = await ref_on(ch)
    if line is not None and ref:
        await line.reached(ref)


OUTAGE_CALL_ROUTES = {"outage_call": outage_call_flow, "outage_dial": outage_dial,
                      "outage_dial_end": outage_dial_end, "outage_call_end": outage_call_end}
