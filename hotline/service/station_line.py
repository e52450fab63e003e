"""Stations told on dispatch, by phone (#30), on the service's side: the station flows' line to the
dialer (`ServiceStationLine`, ivr.station.StationLine over hotline.aftercall.station_calls), the
placing of calls (`StationCaller`: the briefing rendered, then the Originate through the one AMI
gateway), the optional signed webhook (`StationWebhook`) and the loop that runs them (`StationCalls`);
the round and the loop are hotline.service.dialer_line's.

As for the automated 回访 (hotline.service.survey_line): the Originate never carries a phone number —
its channel is ``Local/<ref>@station-dial/n`` (the attempt's random ref) and that half asks the
service (FastAGI `station_dial`) for the station's duty phone; the Originate's variables carry the
attempt's token (db/call_tokens.py, kind station): every FastAGI request of the call shows it.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

import aiohttp

from common.naming import STATION_CONTEXT, STATION_DIAL_CONTEXT
from common.secrets import station_webhook_secret
from hotline.aftercall.rules import Actor
from hotline.aftercall.station_calls import (NO_ANSWER, Placement, StationDialer, StationEnd, StationTarget,
                                             station_call_policy)
from hotline.service.dialer_line import CallPlacer, DialerLoop, DialRoute
from ivr.prompts import render_station_briefing

log = logging.getLogger("hotline.stations")

#: the stations' calls in the dialplan
STATION_ROUTE = DialRoute(STATION_DIAL_CONTEXT, STATION_CONTEXT,
                          lambda p: f"station call {p.call} for ticket {p.ticket} to station {p.station}")

#: the header the webhook's signature travels in: "sha256=<hex HMAC-SHA256 of the body>"
SIGNATURE_HEADER = "X-Hotline-Signature"
WEBHOOK_TIMEOUT_S = 10


def signature(secret: str, body: bytes) -> str:
    """The X-Hotline-Signature of `body`: what a gateway computes again to trust the POST."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class ServiceStationLine:
    """ivr.station.StationLine: each call is one transaction of the dialer, off the event loop;
    `ended` hears of every attempt that ended."""

    def __init__(self, dialer: StationDialer, ended: Callable[[StationEnd], Awaitable[None]]):
        self.dialer, self._ended = dialer, ended

    async def number(self, ref: str) -> str:
        number, end = await asyncio.to_thread(self.dialer.number_for, ref)
        await self._end(end)
        return number

    async def dial_failed(self, ref: str, dialstatus: str) -> None:
        await self._end(await asyncio.to_thread(self.dialer.dial_failed, ref, dialstatus))

    async def answered(self, ref: str, uniqueid: str) -> StationTarget | None:
        return await asyncio.to_thread(self.dialer.answered, ref, uniqueid)

    async def accept(self, ref: str) -> bool:
        end = await asyncio.to_thread(self.dialer.accept, ref)
        await self._end(end)
        return end is not None and end.shown is not None

    async def not_accepted(self, ref: str) -> None:
        await self._end(await asyncio.to_thread(self.dialer.ended, ref, NO_ANSWER))

    async def _end(self, end: StationEnd | None) -> None:
        if end is not None:
            await self._ended(end)


class StationCaller(CallPlacer):
    """One round of the station dialer: each due call's briefing rendered (`render`, a worker thread; a
    failed render leaves the number to say which ticket), then originated over AMI with `caller_id`,
    the hotline's public number."""

    def __init__(self, dialer: StationDialer, ami, caller_id: str, ended: Callable[[StationEnd], Awaitable[None]],
                 render: Callable[[Placement], object]):
        super().__init__(dialer, ami, caller_id, ended, STATION_ROUTE, log, prepare=render)


class StationWebhook:
    """The optional webhook of each dispatch (Settings.station_webhook_url): the JSON body POSTed with
    its HMAC-SHA256 (the installation's station_webhook_secret) in X-Hotline-Signature; a 2xx takes
    it, anything else is tried again next round (hotline.aftercall.station_calls.WEBHOOK_ATTEMPTS)."""

    def __init__(self, dialer: StationDialer, url: str, secret: str):
        self.dialer, self.url, self.secret = dialer, url, secret

    async def round(self) -> int:
        """Send what is due; how many were taken."""
        due = await asyncio.to_thread(self.dialer.webhooks_due)
        if not due:
            return 0
        taken = 0
        timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            for call_id, body in due:
                raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
                try:
                    async with http.post(self.url, data=raw, headers={
                            "Content-Type": "application/json; charset=utf-8",
                            SIGNATURE_HEADER: signature(self.secret, raw)}) as r:
                        ok, status = 200 <= r.status < 300, str(r.status)
                except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                    ok, status = False, type(exc).__name__
                if not ok:
                    log.warning("station webhook for ticket %s not taken: %s", body["ticket"], status)
                taken += ok
                await asyncio.to_thread(self.dialer.webhook_tried, call_id, ok, status)
        return taken


class StationCalls:
    """The station dialer in the service: a round at start, every few seconds, and at once when woken
    (`hotline stations notify`, a CLI dispatch, an attempt that ended). `ticket_changed`
    tells desks of a ticket the station accepted by phone; `gave_up` the team leads of one it did not."""

    def __init__(self, settings, sessions, work, ami, ticket_changed: Callable[[dict], Awaitable[None]],
                 gave_up: Callable[[dict], Awaitable[None]]):
        self.settings = settings
        self.policy = station_call_policy(settings)
        self.dialer = StationDialer(sessions, settings.now, self.policy, work)
        self.line = ServiceStationLine(self.dialer, self._ended)
        self.caller = StationCaller(self.dialer, ami, settings.public_digits, self._ended, self._render)
        url = settings.station_webhook_url.strip()
        self.webhook = StationWebhook(self.dialer, url, station_webhook_secret(settings)) if url else None
        self._ticket_changed, self._gave_up = ticket_changed, gave_up
        self.loop = DialerLoop("station calls", self._round, log)
        self.wake, self.run = self.loop.wake, self.loop.run

    def _render(self, p: Placement) -> str:
        return render_station_briefing(self.settings, p.call, p.text)

    async def _round(self) -> None:
        """The calls due, then the webhooks due: neither failing holds the other back."""
        try:
            await self.caller.round()
        finally:
            if self.webhook is not None:
                try:
                    await self.webhook.round()
                except Exception as exc:
                    log.warning("could not send station webhooks: %s", exc)

    async def notify(self, actor: Actor | None, number: str) -> dict:
        """Call the ticket's station now (POST STATION_NOTIFY: team leads, the head, admins)."""
        shown = await asyncio.to_thread(self.dialer.request, number, actor.agent_no if actor else "cli", actor)
        self.wake()
        return shown

    async def _ended(self, end: StationEnd) -> None:
        log.info("%s", self.dialer.describe(end))
        if end.shown is not None:
            await self._ticket_changed(end.shown)
        elif end.gave_up:
            await self._gave_up({"number": end.ticket, "state": "dispatched", "station_code": end.station,
                                 "station_call": "gave_up"})
        self.wake()
