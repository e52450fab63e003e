"""Supervision: the agent board, acting on an agent from it, alerts (team leads, the head, admins)."""
from __future__ import annotations

from aiohttp import web

from hotline.service.api.base import PRINCIPAL, Area, answer
from hotline.service.schemas import ListenIn
from common import wire


class SupervisionRoutes(Area):
    def register(self, r: web.UrlDispatcher) -> None:
        r.add_get(wire.AGENTS, self.agents_board)
        r.add_post(wire.LISTEN_IN, self.listen_in)

    async def agents_board(self, request):
        """Team leads and the head: every agent with a login, and their live queue state."""
        return answer(await self.db(self.desk.agents_board, request[PRINCIPAL], self.line.agent_state))

    async def listen_in(self, request):
        """实时监听: the target checked and the grant audited, then the lead's own phone is rung into
        the dialplan's [listen-in] (which checks the phone again: team leads' only)."""
        body = await self.body(request, ListenIn)
        p = request[PRINCIPAL]
        grant = await self.db(self.desk.listen_in, p, request.match_info["agent_no"], body.whisper,
                               self.line.agent_state)
        await self.line.listen_in(p.agent_no, grant)
        return answer(grant)
