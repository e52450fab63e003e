"""The 供热已恢复 call-back of an outage's affected callers (区域停热, #30), on the service's side: the flows'
line to the dialer (`ServiceOutageLine`, ivr.outage_call.OutageCallLine over
hotline.aftercall.outage_calls), the placing of calls (`OutageCallPlacer`: the Originate through the
one AMI gateway) and the loop that runs them (`OutageCalls`), both hotline.service.dialer_line's.

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
from hotline.aftercall.outage_calls import OutageCallEnd, OutageCallTarget, OutageDialer, outage_call_policy
from hotline.service.dialer_line import CallPlacer, DialerLoop, DialRoute

log = logging.getLogger("hotline.outage_calls")

#: the 供热已恢复 calls in the dialplan
OUTAGE_ROUTE = DialRoute(OUTAGE_DIAL_CONTEXT, OUTAGE_CONTEXT, lambda p: f"outage call-back {p.call} of outage {p.outage}")


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


class OutageCallPlacer(CallPlacer):
    """One round of the outage dialer: each due call originated over AMI with `caller_id`, the
    hotline's public number."""

    def __init__(self, dialer: OutageDialer, ami, caller_id: str, ended: Callable[[OutageCallEnd], Awaitable[None]]):
        super().__init__(dialer, ami, caller_id, ended, OUTAGE_ROUTE, log)


class OutageCalls:
    """The outage dialer in the service (hotline.service.dialer_line.DialerLoop): an outage ended with the
    call-back anywhere — the desk, the CLI, another node — is called within seconds inside the calling
    hours, at once when woken (AMI logged in, `hotline outage end --call-back`, an attempt that ended)."""

    def __init__(self, settings, sessions, ami):
        self.policy = outage_call_policy(settings)
        self.dialer = OutageDialer(sessions, settings.now, self.policy)
        self.line = ServiceOutageLine(self.dialer, self._ended)
        self.placer = OutageCallPlacer(self.dialer, ami, settings.public_digits, self._ended)
        self.loop = DialerLoop("outage call-backs", self.placer.round, log)
        self.wake, self.run = self.loop.wake, self.loop.run

    async def _ended(self, end: OutageCallEnd) -> None:
        log.info("%s", self.dialer.describe(end))
        self.wake()
