"""The 供热已恢复 call-back of an outage's affected callers (区域停热, #30), on the service's side: the flows'
line to the dialer (`ServiceOutageLine`, ivr.outage_call.OutageCallLine over
hotline.aftercall.outage_calls), the placing of calls (`OutageCallPlacer`: the Originate through the
one AMI gateway) and the loop that runs them (`OutageCalls`) — the station dialer's sibling
(hotline.service.station_line).

The Originate never carries a phone number: its channel is ``Local/<ref>@outage-dial/n`` (the attempt's
random ref) and that half asks the service (FastAGI `outage_dial`) for the resident's number; the
Originate's variables carry the attempt's token (db/call_tokens.py, kind outage): every FastAGI request
of the call shows it.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from common.naming import OUTAGE_CONTEXT, OUTAGE_DIAL_CONTEXT
from hotline.aftercall.outage_calls import FAILED, OutageCallEnd, OutageCallTarget, OutageDialer, outage_call_policy
from hotline.service.survey_line import originate_attempt

log = logging.getLogger("hotline.outage_calls")


class ServiceOutageLine:
    """ivr.outage_call.OutageCallLine: each call is one transaction of the dialer, off the event loop;
    `ended` hears of every attempt that ended."""

    def __init__(self, dialer: OutageDialer, ended: Callable[[OutageCallEnd], Awaitable[None]]):
        self.dialer, self._ended = dialer, ended

    async def number(self, ref: str) -> str:
        number, end = await asyncio.to_thread(self.dialer.number_for, ref)
        await self._end(end)
        return number

    async def dial_failed(self, ref: str, dialstatus: str) -> None:
        await self._end(await asyncio.to_thread(self.dialer.dial_failed, ref, dialstatus))

    async def answered(self, ref: str) -> OutageCallTarget | None:
        return await asyncio.to_thread(self.dialer.answered, ref)

    async def reached(self, ref: str) -> None:
        await self._end(await asyncio.to_thread(self.dialer.reached, ref))

    async def _end(self, end: OutageCallEnd | None) -> None:
        if end is not None:
            await self._ended(end)


class OutageCallPlacer:
    """One round of the outage dialer: each due call originated over AMI (`ami`: anything with the
    AmiGateway's `connected` and `action`) with `caller_id`, the hotline's public number."""

    def __init__(self, dialer: OutageDialer, ami, caller_id: str, ended: Callable[[OutageCallEnd], Awaitable[None]]):
        self.dialer, self.ami, self.caller_id, self._ended = dialer, ami, caller_id, ended

    async def round(self) -> int:
        """Place what is due; returns how many calls went out."""
        if not self.ami.connected.is_set():      # due calls wait for AMI
            return 0
        placements, ended = await asyncio.to_thread(self.dialer.next_calls)
        for end in ended:
            await self._ended(end)
        sent = 0
        for p in placements:
            ok, why = await originate_attempt(self.ami, p.ref, OUTAGE_DIAL_CONTEXT, OUTAGE_CONTEXT, self.caller_id,
                                              p.token, self.dialer.policy.ring_s)
            if ok:
                sent += 1
                log.info("outage call-back %s of outage %s placed", p.call, p.outage)
                continue
            log.warning("outage call-back %s of outage %s not placed: %s", p.call, p.outage, why)
            end = await asyncio.to_thread(self.dialer.dial_failed, p.ref, FAILED)
            if end is not None:
                await self._ended(end)
        return sent


class OutageCalls:
    """The outage dialer in the service: a round at start, every few seconds (an indexed look at what is
    due: an outage ended with the call-back anywhere — the desk, the CLI, another node — is called within
    seconds inside the calling hours), and at once when woken (AMI logged in, `hotline outage end
    --call-back`, an attempt that ended: its line is free)."""

    def __init__(self, settings, sessions, ami):
        self.policy = outage_call_policy(settings)
        self.dialer = OutageDialer(sessions, settings.now, self.policy)
        self.line = ServiceOutageLine(self.dialer, self._ended)
        self.placer = OutageCallPlacer(self.dialer, ami, settings.public_digits, self._ended)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, every_s: float = 5.0) -> None:
        while True:
            self._wake.clear()
            try:
                await self.placer.round()
            except Exception as exc:   # DB down: the next round tries again
                log.warning("could not place outage call-backs: %s", exc)
            try:
                await asyncio.wait_for(self._wake.wait(), every_s)
            except asyncio.TimeoutError:
                pass

    async def _ended(self, end: OutageCallEnd) -> None:
        log.info("%s", self.dialer.describe(end))
        self.wake()
