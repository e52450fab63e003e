"""Stations told on dispatch (#30): POST STATION_NOTIFY — a team lead (the head, an admin) has the
ticket's station called at its duty phone now. Thin over the service's station dialer
(hotline.service.station_line.StationCalls): the rule (who may, which ticket) lives there; a refusal
is `Forbidden`, answered 403 and audited by the API's middleware."""
from __future__ import annotations

from aiohttp import web

from hotline.service.api.base import PRINCIPAL, Area, answer
from common import wire


class StationRoutes(Area):
    def register(self, r: web.UrlDispatcher) -> None:
        r.add_post(wire.STATION_NOTIFY, self.notify)

    async def notify(self, request: web.Request) -> web.Response:
        """wire.SAMPLE_STATION_CALL: the request, placed within seconds (its outcome comes later)."""
        return answer(await self.parts.extra["stations"].notify(request[PRINCIPAL].actor, request.match_info["number"]))
