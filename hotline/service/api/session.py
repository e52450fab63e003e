"""The session: health and readiness, the metrics scrape, login and logout, who am I, the desk's WebSocket."""
from __future__ import annotations

import hmac
import ipaddress
import logging

from aiohttp import web

from hotline.aftercall.rules import SUPERVISORS
from hotline.service.api.base import PRINCIPAL, Area, answer
from hotline.service.desk import Principal
from hotline.service.errors import TelephonyTimeout, TelephonyUnavailable
from hotline.service.metrics import CONTENT_TYPE
from hotline.service.schemas import LoginIn
from common import wire
from common.tls import public_host

log = logging.getLogger("hotline.api")


def metrics_refusal(token: str, authorization: str, remote: str) -> tuple[int, str] | None:
    """Who may read /metrics: with a token set, whoever presents it; without one, the server itself."""
    if token:
        given = authorization.removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return 401, "metrics token missing or wrong"
        return None
    try:
        local = ipaddress.ip_address(remote).is_loopback
    except ValueError:
        local = False
    return None if local else (403, "metrics are read on the server itself (or set HOTLINE_METRICS_TOKEN)")


class SessionRoutes(Area):
    def register(self, r: web.UrlDispatcher) -> None:
        r.add_get(wire.HEALTH, self.health)
        r.add_get(wire.READY, self.ready)
        r.add_get(wire.METRICS, self.metrics)
        r.add_post(wire.LOGIN, self.login)
        r.add_post(wire.LOGOUT, self.logout)
        r.add_get(wire.ME, self.me)
        r.add_get(wire.WS, self.ws)

    async def health(self, request):
        """The service answers, and so do the database and AMI: 200; else 503 naming what is down."""
        parts = await self.line.parts()
        down = [p for p in ("database", "ami") if not parts[p]]
        return answer({"ok": not down, "down": down, "database": parts["database"], "ami": parts["ami"],
                      "active_calls": self.line.active_calls}, 503 if down else 200)

    async def ready(self, request):
        """For supervisors: ready (200) once FastAGI takes calls and AMI and the database answer."""
        parts = await self.line.parts()
        down = [p for p, ok in parts.items() if not ok]
        return answer({"ready": not down, "down": down}, 503 if down else 200)

    async def metrics(self, request):
        """Prometheus' scrape: loopback alone, or anyone with the metrics token (HOTLINE_METRICS_TOKEN)."""
        refused = metrics_refusal(self.settings.metrics_token, request.headers.get("Authorization", ""),
                                  request.remote or "")
        if refused:
            status, why = refused
            log.warning("GET /metrics refused (%s) from %s", why, request.remote)
            return answer({"error": why}, status)
        return web.Response(body=await self.line.metrics_text(), headers={"Content-Type": CONTENT_TYPE})

    async def login(self, request):
        body = await self.body(request, LoginIn)
        await self.line.phones_current()
        got, replaced = await self.db(self.desk.login, body.agent_no, body.password, request.remote or "")
        # agents on other PCs register to the server's LAN address, the one in the API URL
        host = "127.0.0.1" if self.settings.bind.startswith("127.") else public_host(self.settings)
        if got["sip"] is not None:     # None: a station's login, no phone
            got["sip"].update(server=host, port=self.line.sip_port, extension=self.settings.extension)
        for sid in replaced:
            await self.hub.end_session(sid, "replaced")
        return answer(got)

    async def logout(self, request):
        p = request[PRINCIPAL]
        if await self.db(self.desk.logout, p):
            # the secret the login handed out is dead once Asterisk has the new one
            await self.line.phones_changed()
        await self.hub.end_session(p.session_id, "logout")
        if self.line.agent_state(p.agent_no).get("member"):
            # nobody at this desk any more: calls must not ring it
            try:
                await self.line.set_queue_member(p.agent_no, False)
            except (TelephonyUnavailable, TelephonyTimeout) as exc:
                log.warning("agent %s logged out but is still in the queue: %s", p.agent_no, exc)
        return answer({"ok": True})

    async def me(self, request):
        p = request[PRINCIPAL]
        return answer({"agent_no": p.agent_no, "name": p.name, "role": p.role.value,
                      "agent_state": self.line.agent_state(p.agent_no)})

    async def ws(self, request):
        """The desk's push channel: the hub keeps it (and greets it with the desk's state)."""
        p: Principal = request[PRINCIPAL]
        hello = {"type": wire.EV_HELLO, "agent_no": p.agent_no, "agent_state": self.line.agent_state(p.agent_no),
                 "ami": self.line.ami_up()}
        if p.role in SUPERVISORS:   # the recordings disk's alert, the report's e-mail, the day's hot spots
            hello.update(self.line.supervisor_hello())
        return await self.hub.desk_socket(request, p, hello)
