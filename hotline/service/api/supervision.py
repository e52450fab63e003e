"""Supervision: the agent board, acting on an agent from it, alerts (team leads, the head, admins)."""
from __future__ import annotations

import logging

from aiohttp import web

from hotline.service.api.base import PRINCIPAL, Area, answer
from hotline.aftercall.rules import SUPERVISORS
from hotline.service.desk import Forbidden
from hotline.service.errors import TelephonyTimeout, TelephonyUnavailable
from hotline.service.schemas import ListenIn, NoteIn
from common import wire

log = logging.getLogger("hotline.api")


class SupervisionRoutes(Area):
    def register(self, r: web.UrlDispatcher) -> None:
        r.add_get(wire.AGENTS, self.agents_board)
        r.add_post(wire.LISTEN_IN, self.listen_in)
        r.add_get(wire.BOARD, self.board)
        r.add_post(wire.AGENT_UNPAUSE, self.force_unpause)
        r.add_post(wire.AGENT_SIGN_OUT, self.sign_out)
        r.add_get(wire.ALERTS, self.list_alerts)
        r.add_post(wire.ALERT_ACK, self.ack_alert)

    @property
    def supervision(self):
        return self.parts.extra["supervision"]

    @property
    def alerts(self):
        return self.parts.extra["alerts"]

    async def board(self, request):
        """The agent board: every agent's state and how long, the callers waiting, alerts, outages."""
        p = request[PRINCIPAL]
        if p.role not in SUPERVISORS:
            raise Forbidden("只有领班、主任和管理员可以查看座席看板", "board_refused", "board")
        return answer(await self.parts.extra["board"].board())

    async def force_unpause(self, request):
        """强制示闲: a long pause back to available (the agent's desk is told by Asterisk's event)."""
        body = await self.body(request, NoteIn)
        p, target = request[PRINCIPAL], request.match_info["agent_no"]
        no = await self.db(self.supervision.force_unpause, p, target, body.note,
                           self.line.agent_state(target[:16]))
        await self.line.set_paused(no, False, "")
        self.hub.board_changed()
        return answer({"agent_no": no, "agent_state": self.line.agent_state(no)})

    async def sign_out(self, request):
        """签退: the agent's sessions end (their desk says why), out of the queue, a new phone secret."""
        body = await self.body(request, NoteIn)
        p = request[PRINCIPAL]
        no, sids, phone = await self.db(self.supervision.sign_out, p, request.match_info["agent_no"], body.note)
        for sid in sids:
            await self.hub.end_session(sid, "signed_out")
        if phone:
            await self.line.phones_changed()
        if self.line.agent_state(no).get("member"):
            try:
                await self.line.set_queue_member(no, False)
            except (TelephonyUnavailable, TelephonyTimeout) as exc:   # signed out all the same
                log.warning("agent %s signed out by %s but is still in the queue: %s", no, p.agent_no, exc)
        self.hub.board_changed()
        return answer({"agent_no": no, "sessions_ended": len(sids)})

    async def list_alerts(self, request):
        return answer(await self.db(self.alerts.list, request[PRINCIPAL].actor, request.query.get("open", "1") != "0"))

    async def ack_alert(self, request):
        body = await self.body(request, NoteIn)
        a = await self.db(self.alerts.ack, request[PRINCIPAL].actor, request.match_info["aid"], body.note)
        await self.hub.alert(a, False)
        return answer(a)

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
