"""The hotline service: one asyncio process.

- FastAGI: every hotline call's flow (``ivr.flows``) runs here;
- AMI: the one manager connection (panoramisk), reconnecting by itself;
- the agent API (aiohttp, HTTP + WebSocket) that desktops use.

Started in the background by ``hotline up`` as ``python -m hotline.service``.
"""
from __future__ import annotations

import asyncio
import logging
import signal
from collections import OrderedDict

from aiohttp import web
from panoramisk import Manager
from panoramisk.fast_agi import Request

from hotline.asterisk import Ports, ami_secret
from hotline.config import Settings, load_settings
from hotline.logs import setup_logging
from ivr.channel import AgiChannel
from ivr.context import IvrContext
from ivr.flows import ROUTES, run_flow

log = logging.getLogger("hotline.service")

HEADER_LIMIT = 16384


def _to_triple(res: dict) -> tuple[int, str, str]:
    """panoramisk's result dict → (code, result, data)."""
    err = res.get("error")
    if err in ("AGIResultHangup", "AGIAppError"):
        return 511, "-1", "hangup"
    if err:
        return int(res.get("status_code") or 520), "", res.get("msg", err)
    value, data = res.get("result", ("", ""))
    return int(res.get("status_code", 200)), value, data


class HotlineService:
    def __init__(self, settings: Settings, ports: Ports):
        self.settings = settings
        self.ports = ports
        self.ctx = IvrContext.create(settings)
        self.manager: Manager | None = None
        self.ami_connected = asyncio.Event()
        self._servers: list = []
        self._runner: web.AppRunner | None = None
        self.active_calls = 0

    # ------------------------------------------------------------ FastAGI --
    async def _agi_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        try:
            # Asterisk sends "agi_*: value" lines, then a blank line
            raw = await asyncio.wait_for(reader.readuntil(b"\n\n"), timeout=10)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError,
                ConnectionError):
            writer.close()
            return
        headers = OrderedDict(line.split(": ", 1) for line in raw.decode("utf-8", "replace").splitlines()
                              if ": " in line)
        request = Request(app=None, headers=headers, reader=reader, writer=writer)

        async def send(line: str):
            try:
                return _to_triple(await request.send_command(line))
            except (ConnectionError, ValueError, asyncio.IncompleteReadError):
                # the socket closed under us: Asterisk hung the channel up
                return 511, "-1", "hangup"

        channel = AgiChannel(send, dict(headers))
        route = channel.script.split("?", 1)[0].strip("/")
        self.active_calls += 1
        try:
            await run_flow(ROUTES.get(route), channel, self.ctx, route)
        finally:
            self.active_calls -= 1
            try:
                writer.close()
            except Exception:
                pass

    # ---------------------------------------------------------------- AMI --
    async def _connect_ami(self) -> None:
        self.manager = Manager(host="127.0.0.1", port=self.ports.ami, username="hotline",
                               secret=ami_secret(self.settings), ping_delay=10, reconnect=True,
                               forgetable_actions=("ping", "login"))
        self.manager.on_connect = lambda mngr: self.ami_connected.set()
        self.manager.on_disconnect = lambda mngr, exc: self.ami_connected.clear()
        while True:
            try:
                await self.manager.connect()
                self.ami_connected.set()
                log.info("AMI connected on port %s", self.ports.ami)
                return
            except Exception as exc:  # Asterisk may still be booting; keep trying
                log.warning("AMI not reachable yet (%s); retrying", exc)
                await asyncio.sleep(2)

    # ---------------------------------------------------------------- API --
    def _api(self) -> web.Application:
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_get("/api/health", self._health)
        return app

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "ami": self.ami_connected.is_set(),
                                  "active_calls": self.active_calls})

    # ---------------------------------------------------------- lifecycle --
    async def start(self) -> None:
        self._servers.append(await asyncio.start_server(
            self._agi_connection, "127.0.0.1", self.ports.fastagi, limit=HEADER_LIMIT * 4,
            backlog=512))
        self._ami_task = asyncio.create_task(self._connect_ami())
        self._runner = web.AppRunner(self._api(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.settings.bind, self.ports.api).start()
        log.info("FastAGI on %s, agent API on %s:%s", self.ports.fastagi, self.settings.bind, self.ports.api)

    async def stop(self) -> None:
        for srv in self._servers:
            srv.close()
        if self.manager is not None:
            self.manager.close()
        if self._runner is not None:
            await self._runner.cleanup()


async def serve(settings: Settings, ports: Ports) -> None:
    service = HotlineService(settings, ports)
    await service.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await service.stop()


def main() -> None:
    from hotline.runtime import read_state
    settings = load_settings()
    setup_logging(settings.log_level)
    state = read_state(settings)
    if not state:
        raise SystemExit(f"no run state in {settings.run_dir}; start the hotline with `hotline up`")
    asyncio.run(serve(settings, Ports(**state["ports"])))


if __name__ == "__main__":
    main()
