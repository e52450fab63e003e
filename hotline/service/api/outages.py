"""The agent API's outage routes (区域停热, #30): the desk's list, declaring one, ending one. Thin over
`hotline.aftercall.outages.OutageBoard` (one transaction per call, in a worker thread); its refusals
(403, audited by the API's middleware) and 4xx answers are the board's.

    GET  wire.OUTAGES  ?open=1 (default) | ?open=0   → [SAMPLE_OUTAGE]           team leads, the head, admins
    POST wire.OUTAGES  {area, until, message}        → 201 SAMPLE_OUTAGE
    POST wire.OUTAGE_END {call_back}                 → SAMPLE_OUTAGE (its call_backs booked; the outage
                                                       dialer, parts.extra["outage_calls"], woken to place them)
"""
from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from common import wire
from hotline.aftercall.outages import OutageBoard
from hotline.service.api.base import PRINCIPAL, Area, answer
from hotline.service.schemas import Line


class OutageIn(BaseModel):
    """POST OUTAGES: 区/小区[/楼号], the expected end ('2026-12-02 18:00' or ISO), the notice."""
    model_config = ConfigDict(extra="forbid")
    area: Line = Field(max_length=wire.OUTAGE_AREA_MAX)
    until: Line = Field(max_length=32)
    message: Line = Field(max_length=wire.OUTAGE_MESSAGE_MAX)


class OutageEndIn(BaseModel):
    """POST OUTAGE_END: with the 供热已恢复 call to every affected caller, or without."""
    model_config = ConfigDict(extra="forbid")
    call_back: StrictBool = False


class OutageRoutes(Area):
    """Outages: team leads, the head and admins (the rules are `parts.extra["outages"]`, an OutageBoard);
    each change shows on the board and the wall within a second."""

    @property
    def outages(self) -> OutageBoard:
        return self.parts.extra["outages"]

    def register(self, r: web.UrlDispatcher) -> None:
        r.add_get(wire.OUTAGES, self.list_outages)
        r.add_post(wire.OUTAGES, self.declare)
        r.add_post(wire.OUTAGE_END, self.end)

    async def list_outages(self, request):
        return answer(await self.db(self.outages.list, request[PRINCIPAL].actor, request.query.get("open", "1") != "0"))

    async def declare(self, request):
        body = await self.body(request, OutageIn)
        got = await self.db(self.outages.declare, request[PRINCIPAL].actor, body.area, body.until, body.message)
        self.hub.board_changed()
        return answer(got, 201)

    async def end(self, request):
        body = await self.body(request, OutageEndIn)
        got = await self.db(self.outages.end, request[PRINCIPAL].actor, request.match_info["oid"], body.call_back)
        self.hub.board_changed()
        calls = self.parts.extra.get("outage_calls")
        if body.call_back and calls is not None:
            calls.wake()
        return answer(got)
