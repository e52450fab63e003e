"""The wall display (#30): a read-only page for a big screen, its figures as JSON, and live as
server-sent events through the hub. Opened with a display token in the query (`?token=`): the auth
middleware lets wire.DISPLAY_ROUTES through without a session, so every handler here checks the
token itself (`DisplayGate`) — and a session token is no display token (401). The page's script and
style (wire.WALL_ASSETS) hold no figure and need no token.

The figures come from `parts.extra["wall_source"]` or else the hub's `wall_source` (an async callable
giving wire.SAMPLE_WALL's shape, the same the hub pushes on every board change)."""
from __future__ import annotations

import asyncio
import html
import json
import logging
from importlib.resources import files

from aiohttp import web

from hotline.service.api.base import ApiParts, Area, answer
from hotline.service.desk import DeskError
from hotline.service.displays import Display, DisplayGate, DisplayRefused
from common import wire

log = logging.getLogger("hotline.api.wall")

#: an open stream's token is asked of the database this often: a revoked display stops within it
REVOKE_CHECK_S = 5.0
#: every answer of the wall: no inline script, no framing, no caching, and no Referer (the token is in the URL)
HEADERS = {"Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'none'; "
                                      "frame-ancestors 'none'",
           "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cache-Control": "no-store",
           "X-Content-Type-Options": "nosniff"}
#: the longest wait shown red past this (the alerts' HOTLINE_ALERT_WAIT_S when configured)
ALERT_WAIT_S = 120
ASSET_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}


def _asset(name: str) -> bytes:
    return files("hotline.service").joinpath("wall", name).read_bytes()


def _refusal_page(message: str) -> str:
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>大屏 — 大龙供暖报修热线</title>'
            f'<link rel="stylesheet" href="{wire.WALL_ASSETS[1]}"></head><body class="refused">'
            f'<main><h1>大龙供暖报修热线</h1><p class="refusal">{html.escape(message)}</p></main></body></html>')


class WallRoutes(Area):
    def __init__(self, parts: ApiParts):
        super().__init__(parts)
        extra = parts.extra or {}
        self.gate: DisplayGate = extra.get("displays") or DisplayGate(
            parts.desk.sessions, parts.settings.now, parts.settings.login_failures_per_address)
        self._source = extra.get("wall_source")
        self._assets = {path: _asset(path.rsplit("/", 1)[-1]) for path in wire.WALL_ASSETS}
        # the page: the threshold that turns the longest wait red, and the words for states and alerts
        # (a JSON data block: never run as script)
        labels = json.dumps({"states": wire.BOARD_STATE_LABELS, "alerts": wire.ALERT_LABELS}, ensure_ascii=False)
        self._page = (_asset("wall.html").decode()
                      .replace("{alert_wait_s}", str(int(getattr(parts.settings, "alert_wait_s", ALERT_WAIT_S))))
                      .replace("{labels}", labels.replace("<", "\\u003c").replace(">", "\\u003e"))).encode()

    def register(self, r: web.UrlDispatcher) -> None:
        r.add_get(wire.WALL, self.page)
        r.add_get(wire.WALL_DATA, self.data)
        r.add_get(wire.WALL_EVENTS, self.events)
        for path in wire.WALL_ASSETS:
            r.add_get(path, self.asset)

    # ------------------------------------------------------------ the door --
    async def _display(self, request: web.Request) -> Display:
        return await self.db(self.gate.check, request.query.get("token", ""), request.remote or "")

    async def _figures(self) -> dict:
        source = self._source or self.hub.wall_source
        if source is None:
            raise DeskError(503, "大屏数据暂不可用,请稍后")
        return await source()

    # ------------------------------------------------------------ handlers --
    async def page(self, request):
        """The page (Chinese, for 1920×1080); a refused token gets a page that says why."""
        try:
            await self._display(request)
        except DisplayRefused as e:
            return web.Response(text=_refusal_page(e.message), status=e.status, content_type="text/html",
                                charset="utf-8", headers=HEADERS)
        return web.Response(body=self._page, content_type="text/html", charset="utf-8",
                            headers=HEADERS)

    async def asset(self, request):
        path = request.match_info.route.resource.canonical
        return web.Response(body=self._assets[path], content_type=ASSET_TYPES["." + path.rsplit(".", 1)[-1]],
                            charset="utf-8", headers=HEADERS)

    async def data(self, request):
        """The figures now (wire.SAMPLE_WALL's shape)."""
        try:
            await self._display(request)
        except DisplayRefused as e:
            return self._refused(e)
        resp = answer(await self._figures())
        resp.headers.update(HEADERS)
        return resp

    async def events(self, request):
        """The figures now, then at every change (the hub's stream); closed when the token is revoked."""
        try:
            display = await self._display(request)
        except DisplayRefused as e:
            return self._refused(e)
        first = await self._figures()
        watch = asyncio.create_task(self._watch(display, asyncio.current_task()))
        try:
            return await self.hub.display_stream(request, first)
        finally:
            watch.cancel()

    @staticmethod
    def _refused(e: DisplayRefused) -> web.Response:
        resp = answer({"error": e.message, "reason": e.reason}, e.status)
        resp.headers.update(HEADERS)
        return resp

    async def _watch(self, display: Display, stream: asyncio.Task) -> None:
        """Ends `stream` (the hub closes it) once its display's token is revoked."""
        while True:
            await asyncio.sleep(REVOKE_CHECK_S)
            try:
                valid = await self.db(self.gate.still_valid, display)
            except Exception as exc:    # the database briefly away: the stream stays, asked again later
                log.warning("display token check failed: %s", exc)
                continue
            if not valid:
                log.info("display token %s (%s) revoked: its stream ends", display.id, display.name)
                stream.cancel()
                return
