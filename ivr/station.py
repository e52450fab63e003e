"""A station told of a dispatched repair by phone (#30): the call to its duty phone as a flow, over the
same `Channel` seam as the caller's path (ivr.flows) and the automated 回访 (ivr.survey).

The service originates ``Local/<ref>@station-dial/n`` (dialplan/extensions.conf; the attempt's
random ref): its ;2 half asks `station_dial` for the station's duty phone (looked up from the
attempt, never passed over AMI), checks it against the number classes [outbound] uses, dials it
through the trunk and reports a failed Dial (`station_dial_end`: BUSY, NOANSWER, …, REFUSED); once
the station answers, the ;1 half runs `station_flow` in [station-call], and its hang-up handler
(`station_end`) closes an attempt nothing else closed (not accepted: tried again per policy).

The flow: 维修站您好… 报修单号 and its digits, the briefing rendered for this call when it was placed
(问题, 优先级, 地址; ivr.prompts.render_station_briefing), then 接单请按1,重听请按2. 1: the ticket is
accepted as the station (the service's line, through the one owner of ticket moves); 2 reads it all
again; no key (or another) reads it again too, up to Settings.max_tries times — then the attempt ends
unaccepted. What the flow needs of the service is `StationLine` (IvrContext.stations).
"""
from __future__ import annotations

import logging
from typing import Protocol

from common.phones import mask_phone
from ivr.channel import Channel, call_of
from ivr.context import IvrContext
from ivr.prompts import P, digit_sounds, sound_name, station_briefing_sound
from ivr.survey import ref_of

log = logging.getLogger("ivr.station")

#: "重听" (2) reads the ticket again at most this many times (beyond the no-key tries): a call is bounded
MAX_REPEATS = 5


class StationTargetView(Protocol):
    #: the station call's id (its briefing's file is named by it)
    call: int
    ticket: str
    station: str


class StationLine(Protocol):
    """What the station flows need of the service (hotline.service.station_line.ServiceStationLine)."""

    async def number(self, ref: str) -> str: ...
    async def dial_failed(self, ref: str, dialstatus: str) -> None: ...
    async def answered(self, ref: str, uniqueid: str) -> StationTargetView | None: ...
    async def accept(self, ref: str) -> bool: ...
    async def not_accepted(self, ref: str) -> None: ...


async def ref_on(ch: Channel) -> str:
    """The attempt this request is about: the one it was admitted for, else HOTLINE_STATION_CALL."""
    return ref_of(await call_of(ch, "HOTLINE_STATION_CALL"))


async def _finish(ch: Channel, *prompts: str) -> None:
    if prompts:
        await ch.play(*(sound_name(p) for p in prompts))
    await ch.set_var("HOTLINE_ROUTE", "hangup")
    await ch.hangup()


def briefing_sounds(ctx: IvrContext, target: StationTargetView) -> list[str]:
    """The ticket as the station hears it: the opening, 报修单号 and its digits, the rendered briefing
    (problem, priority, address — left out if it could not be rendered: the number still says which)."""
    rendered = station_briefing_sound(ctx.settings, target.call)
    return [sound_name(P.station_call_opening), sound_name(P.station_call_ticket), *digit_sounds(target.ticket),
            *([rendered] if rendered else [])]


async def station_flow(ch: Channel, ctx: IvrContext) -> None:
    """The ;1 half once the duty phone answered: the ticket read, 1 accepts, 2 reads it again."""
    line: StationLine | None = ctx.stations
    ref = await ref_on(ch)
    target = await line.answered(ref, ch.uniqueid) if line is not None and ref else None
    if target is None:
        log.info("station call %s: the ticket needs no acceptance any more (or no such call)", ch.uniqueid)
        await _finish(ch, P.station_call_gone)
        return
    s = ctx.settings
    sounds = [*briefing_sounds(ctx, target), sound_name(P.station_call_menu)]
    silent = repeats = 0
    while silent < s.max_tries and repeats <= MAX_REPEATS:
        key = await ch.get_digits(sounds, 1, s.digit_timeout_ms)
        if key == "1":
            accepted = await line.accept(ref)
            log.info("station call %s: ticket %s %s by %s", ch.uniqueid, target.ticket,
                     "accepted" if accepted else "not accepted (moved on meanwhile)", target.station)
            await _finish(ch, P.station_call_accepted if accepted else P.station_call_gone)
            return
        if key == "2":
            repeats += 1
        else:
            silent += 1
    await line.not_accepted(ref)
    await _finish(ch, P.station_call_not_accepted)


async def station_dial(ch: Channel, ctx: IvrContext) -> None:
    """The ;2 half, before Dial: the station's duty phone in HOTLINE_STATION_NUMBER ('' — no such
    placed attempt, the ticket moved on, or a number the hotline may not dial: nothing is dialled)."""
    line: StationLine | None = ctx.stations
    ref = await ref_on(ch)
    number = await line.number(ref) if line is not None and ref else ""
    await ch.set_var("HOTLINE_STATION_NUMBER", number)
    log.info("station call %s dials %s", ch.uniqueid, mask_phone(number) if number else "nothing")


async def station_dial_end(ch: Channel, ctx: IvrContext) -> None:
    """The ;2 half, when Dial came back unanswered: DIALSTATUS to the dialer (busy → tried again …;
    REFUSED, the number classes said no → never tried again)."""
    line: StationLine | None = ctx.stations
    ref = await ref_on(ch)
    status = (await ch.get_var("DIALSTATUS"))[:16]
    if line is not None and ref:
        await line.dial_failed(ref, status)


async def station_end(ch: Channel, ctx: IvrContext) -> None:
    """Hang-up handler of the ;1 half: an attempt the flow did not end (the station hung up before
    keying 1) was not accepted — tried again per policy."""
    line: StationLine | None = ctx.stations
    ref = await ref_on(ch)
    if line is not None and ref:
        await line.not_accepted(ref)


STATION_ROUTES = {"station": station_flow, "station_dial": station_dial, "station_dial_end": station_dial_end,
                  "station_end": station_end}
