"""The agent API: HTTP for requests; pushes go through the hub (`hotline.service.hub`).

Split by area (session, calls, tickets, worklists, reports, supervision), each thin over the
service layer: a handler reads the request, calls one service method in a worker thread, and
answers JSON. Roles, access rules and the audit trail live in the service; a `Forbidden` from it is
answered 403 and audited here, in its own transaction. The routes get the telephony side through a
narrow interface (`hotline.service.telephony.Telephony`), never the whole service.
"""
from __future__ import annotations

import logging

from aiohttp import web
from pydantic import ValidationError

from hotline.aftercall.rules import source_address
from hotline.service.api.base import PRINCIPAL, ApiParts, answer, db
from hotline.service.api.calls import CallsRoutes
from hotline.service.api.outages import OutageRoutes
from hotline.service.api.reports import ReportsRoutes
from hotline.service.api.session import SessionRoutes, metrics_refusal
from hotline.service.api.stations import StationRoutes
from hotline.service.api.supervision import SupervisionRoutes
from hotline.service.api.tickets import TicketsRoutes
from hotline.service.api.wall import WallRoutes
from hotline.service.api.worklists import WorklistsRoutes
from hotline.service.api_guard import ConnectionCap
from hotline.service.desk import DeskError, Forbidden, Principal
from hotline.service.errors import TelephonyTimeout, TelephonyUnavailable
from common import tls, wire
from common.ami import AmiValueError

__all__ = ["AgentApi", "ApiParts", "ApiServer", "PRINCIPAL", "metrics_refusal"]

log = logging.getLogger("hotline.api")

#: what a report-only role (the statistician) reaches: wire.REPORT_ONLY_ROUTES, and nothing else
REPORT_ONLY = frozenset(wire.REPORT_ONLY_ROUTES)
#: the areas, in the order their routes are added; more can be appended (`AgentApi.areas`)
AREAS = (SessionRoutes, CallsRoutes, TicketsRoutes, WorklistsRoutes, ReportsRoutes, SupervisionRoutes, OutageRoutes,
         StationRoutes, WallRoutes)


class AgentApi:
    """The application: the error and auth middlewares, then every area's routes."""

    def __init__(self, parts: ApiParts, extra_areas=()):
        self.parts, self.hub, self.desk = parts, parts.hub, parts.desk
        self.areas = [area(parts) for area in AREAS] + [area(parts) for area in extra_areas]

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._errors, self._auth], client_max_size=1024 * 1024)
        for area in self.areas:
            area.register(app.router)
        app.on_startup.append(self.hub.start)
        app.on_shutdown.append(self.hub.close_displays)   # open event streams would hold the shutdown
        app.on_cleanup.append(self.hub.stop)
        return app

    @web.middleware
    async def _errors(self, request, handler):
        source_address.set(request.remote or "")
        try:
            return await handler(request)
        except Forbidden as e:
            p: Principal | None = request.get(PRINCIPAL)
            await db(self.desk.audit, p.agent_no if p else "-", e.action, e.object_type, e.object_id)
            return answer({"error": e.message}, 403)
        except DeskError as e:
            return answer({"error": e.message}, e.status)
        except TelephonyUnavailable:
            return answer({"error": "电话系统暂时不可用，请稍后重试"}, 503)
        except TelephonyTimeout:
            return answer({"error": "电话系统响应超时，请稍后重试"}, 504)
        except AmiValueError as e:   # the last guard: a value that would forge an AMI action
            log.warning("AMI value refused on %s: %s", request.path, e)
            return answer({"error": "输入含有不允许的字符"}, 422)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "input"
            return answer({"error": f"输入无效: {where}: {first.get('msg')}"}, 422)
        except web.HTTPException as e:
            if e.status < 400:
                raise
            # aiohttp's own refusals (unknown route, body too large) answer JSON like ours
            return answer({"error": e.reason}, e.status)
        except Exception:
            log.exception("API error on %s", request.path)
            return answer({"error": "服务器内部错误，请稍后重试"}, 500)

    @web.middleware
    async def _auth(self, request, handler):
        if request.path in wire.PUBLIC or request.path in wire.DISPLAY_ROUTES:
            return await handler(request)   # the display routes check their own token
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not token and request.path == wire.WS:
            # browsers' and Qt's WebSocket clients cannot always set headers; nothing else
            # takes a token in the URL (URLs end up in logs and histories)
            token = request.query.get("token", "")
        if not token:
            raise DeskError(401, "未登录")
        try:
            fresh = await db(self.desk.principal, token)
        except DeskError:
            self.hub.forget(token)
            raise
        request[PRINCIPAL] = cached = self.hub.principal(token, fresh)
        if cached.role.value in wire.REPORT_ONLY_ROLES:
            route = request.match_info.route.resource
            if route is None or (request.method, route.canonical) not in REPORT_ONLY:
                raise Forbidden("统计员只能查看、导出和签核报表", "role_refused", "route", request.path)
        return await handler(request)


class ApiServer:
    """The agent API on its port: HTTPS off loopback (plain HTTP on a LAN address is refused),
    a header timeout and a cap on connections per address."""

    def __init__(self, api: AgentApi, settings, port: int):
        self.api, self.settings, self.port = api, settings, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        s = self.settings
        # keepalive_timeout: aiohttp closes a connection that has not delivered a whole
        # request by then, which is also the header timeout (no slow-loris connections)
        self._runner = web.AppRunner(self.api.app(), access_log=None, keepalive_timeout=s.api_header_timeout_s)
        await self._runner.setup()
        ConnectionCap(self._runner.server, s.api_connections_per_address)
        await web.TCPSite(self._runner, s.bind, self.port, ssl_context=tls.server_context(s)).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
