"""The hotline service: one asyncio process.

- FastAGI: every hotline call's flow (``ivr.flows``) runs here;
- AMI: the one manager connection (panoramisk), reconnecting by itself;
- the agent API (aiohttp, HTTP + WebSocket) that desktops use.

Started in the background by ``hotline up`` as ``python -m hotline.service``.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import os
import signal
from collections import OrderedDict

from aiohttp import web
from panoramisk import Manager
from panoramisk.fast_agi import Request

from hotline import tls
from hotline.api import AgentApi, ApiError
from hotline.api_guard import ConnectionCap
from hotline.asterisk import Ports, ami_secret, fastagi_secret
from hotline.config import Settings, load_settings
from hotline.logs import setup_logging
from hotline.runtime import read_state
from hotline.shared.ami import AmiValueError, ami_action
from hotline.shared.naming import AMI_SERVICE_USER, QUEUE, agent_no_of, endpoint, interface
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
        #: agent_no → {"member", "paused", "reason", "in_call", "wrapup_until", "calls_taken"}
        self.agents: dict[str, dict] = {}
        #: agent_no → (caller uniqueid, ticket number) of the call ringing or talking there
        self.ringing: dict[str, tuple[str, str]] = {}
        #: FastAGI requests carry this (the dialplan passes it as the first AGI argument):
        #: anything else that reaches the port is refused, local or not
        self._agi_key = fastagi_secret(settings)
        self.api = AgentApi(self)

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
        if not hmac.compare_digest(headers.get("agi_arg_1", "").encode(), self._agi_key.encode()):
            peer = writer.get_extra_info("peername")
            log.warning("FastAGI request without the installation's key refused (from %s, script %r)",
                        peer[0] if peer else "?", headers.get("agi_network_script", "")[:40])
            writer.close()
            return
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
        self.manager = Manager(host="127.0.0.1", port=self.ports.ami, username=AMI_SERVICE_USER,
                               secret=ami_secret(self.settings), ping_delay=10, reconnect=True,
                               forgetable_actions=("ping", "login"))
        def logged_in(_mngr):   # first login and every re-login after Asterisk came back
            self.ami_connected.set()
            asyncio.ensure_future(self._restore_queue())
        self.manager.on_connect = lambda mngr: None
        self.manager.on_login = logged_in
        self.manager.on_disconnect = lambda mngr, exc: self.ami_connected.clear()
        self._on_ami()
        while True:
            try:
                await self.manager.connect()
                log.info("AMI connected on port %s", self.ports.ami)
                return
            except Exception as exc:  # Asterisk may still be booting; keep trying
                log.warning("AMI not reachable yet (%s); retrying", exc)
                await asyncio.sleep(2)

    def _on_ami(self) -> None:
        m = self.manager
        m.register_event("AgentCalled", self._agent_called)
        m.register_event("AgentConnect", self._agent_connect)
        m.register_event("AgentComplete", self._agent_done)
        m.register_event("AgentRingNoAnswer", self._agent_done)
        m.register_event("QueueCallerAbandon", self._caller_left)
        m.register_event("QueueMemberAdded", self._member_status)
        m.register_event("QueueMemberRemoved", self._member_status)
        m.register_event("QueueMemberPause", self._member_status)
        m.register_event("QueueMemberStatus", self._member_status)
        m.register_event("FullyBooted", self._asterisk_booted)

    @staticmethod
    def _agent_no(event) -> str:
        return agent_no_of(event.get("MemberName") or event.get("Interface", ""))

    def _agent(self, agent_no: str) -> dict:
        """The service's live record of an agent (created on first mention)."""
        return self.agents.setdefault(agent_no, {"member": False, "paused": False, "reason": "",
                                                 "in_call": False, "wrapup_until": None, "calls_taken": 0,
                                                 "wanted": False})

    def agent_state(self, agent_no: str) -> dict:
        """A copy for pushing to the desktop."""
        return dict(self._agent(agent_no))

    def ringing_ticket(self, agent_no: str) -> str | None:
        got = self.ringing.get(agent_no)
        return got[1] if got else None

    async def _agent_called(self, _m, event) -> None:
        """The agent's phone rings: push the screen pop at once."""
        agent_no, uniqueid = self._agent_no(event), event.get("Uniqueid", "")
        pop = await asyncio.to_thread(self.api.build_pop, uniqueid, agent_no)
        if pop is None:
            pop = {"type": "screen_pop", "uniqueid": uniqueid, "caller": event.get("CallerIDNum", ""),
                   "account": None, "history": [], "ticket": None, "ivr": {}}
        self.ringing[agent_no] = (uniqueid, (pop.get("ticket") or {}).get("number", ""))
        if pop.get("account"):
            self.api.grant(agent_no, pop["account"]["account_no"])
        await self.api.push_agent(agent_no, pop)

    async def _agent_connect(self, _m, event) -> None:
        agent_no = self._agent_no(event)
        st = self._agent(agent_no)
        st["in_call"] = True
        st["calls_taken"] += 1
        await self.api.push_agent(agent_no, {"type": "call_answered", "uniqueid": event.get("Uniqueid", ""),
                                             "agent_state": dict(st)})

    async def _agent_done(self, _m, event) -> None:
        agent_no = self._agent_no(event)
        st = self._agent(agent_no)
        was_talking = st["in_call"] and event.get("Event") == "AgentComplete"
        st["in_call"] = False
        await self.api.push_agent(agent_no, {"type": "call_ended", "uniqueid": event.get("Uniqueid", ""),
                                             "answered": was_talking, "agent_state": dict(st)})

    async def _caller_left(self, _m, event) -> None:
        for agent_no, (uid, _t) in list(self.ringing.items()):
            if uid == event.get("Uniqueid"):
                self.ringing.pop(agent_no, None)
                await self.api.push_agent(agent_no, {"type": "call_ended", "uniqueid": uid, "answered": False,
                                                     "agent_state": self.agent_state(agent_no)})

    async def _member_status(self, _m, event) -> None:
        agent_no = self._agent_no(event)
        if not agent_no:
            return
        st = self._agent(agent_no)
        kind = event.get("Event")
        if kind == "QueueMemberRemoved":
            st["member"] = False
        else:
            st["member"] = True
            st["paused"] = event.get("Paused") == "1"
            st["reason"] = event.get("PausedReason", "") if st["paused"] else ""
            st["in_call"] = event.get("InCall") == "1"
        await self.api.push_agent(agent_no, {"type": "agent_state", "agent_state": dict(st)})

    async def _asterisk_booted(self, _m, _event) -> None:
        """Asterisk (re)started: persistentmembers brings most members back by itself;
        whoever had asked to be in the queue and is missing is added again, paused as before."""
        await self.api.broadcast({"type": "telephony_restarted"})
        await self._restore_queue()

    async def _restore_queue(self) -> None:
        try:
            present = await self.sync_queue_state()
            for agent_no, st in list(self.agents.items()):
                if st.get("wanted") and agent_no not in present:
                    await self.set_queue_member(agent_no, True)
                    if st.get("paused"):
                        await self.set_paused(agent_no, True, st.get("reason", ""))
            for agent_no in self.agents:
                await self.api.push_agent(agent_no, {"type": "agent_state", "agent_state": self.agent_state(agent_no)})
        except Exception as exc:   # the next FullyBooted / reconnect tries again
            log.warning("could not restore queue membership: %s", exc)

    async def _ami(self, name: str, as_list: bool = False, **fields):
        """One AMI action, built by `ami_action` (which refuses CR/LF/NUL in any value).
        `as_list=False` matters: panoramisk guesses "a list follows" from a QueueAdd's
        "Added interface to queue" and would wait for ever."""
        try:
            action = ami_action(name, **fields)
        except AmiValueError as exc:
            log.warning("AMI action %s refused: %s", name, exc)
            raise ApiError(422, "输入含有不允许的字符") from exc
        if self.manager is None or not self.ami_connected.is_set():
            raise ApiError(503, "电话系统暂时不可用，请稍后重试")
        try:
            res = await asyncio.wait_for(self.manager.send_action(action, as_list=as_list), timeout=10)
        except asyncio.TimeoutError:
            raise ApiError(504, "电话系统响应超时，请稍后重试")
        if as_list:
            return res if isinstance(res, list) else [res]
        return res[0] if isinstance(res, list) else res

    async def sync_queue_state(self) -> set[str]:
        """Read who is in the queue from Asterisk itself (QueueStatus): after a restart of
        this service its memory is empty, while Asterisk kept (or restored) the members."""
        events = await self._ami("QueueStatus", as_list=True, Queue=QUEUE)
        present: set[str] = set()
        for ev in events:
            if ev.get("Event") != "QueueMember":
                continue
            agent_no = self._agent_no(ev)
            if not agent_no:
                continue
            present.add(agent_no)
            st = self._agent(agent_no)
            st["member"] = True
            st["paused"] = ev.get("Paused") == "1"
            st["reason"] = ev.get("PausedReason", "") if st["paused"] else ""
            st["in_call"] = ev.get("InCall") == "1"
        for agent_no, st in self.agents.items():
            if agent_no not in present and not st.get("wanted"):
                st["member"] = False
        return present

    async def set_queue_member(self, agent_no: str, member: bool) -> None:
        iface = interface(agent_no)
        if member:
            await self._ami("QueueAdd", Queue=QUEUE, Interface=iface, MemberName=endpoint(agent_no),
                            StateInterface=iface, Penalty="0")
        else:
            await self._ami("QueueRemove", Queue=QUEUE, Interface=iface)
        st = self._agent(agent_no)
        st["member"] = st["wanted"] = member

    async def set_paused(self, agent_no: str, paused: bool, reason: str) -> None:
        await self._ami("QueuePause", Queue=QUEUE, Interface=interface(agent_no),
                        Paused="true" if paused else "false", Reason=reason)
        st = self._agent(agent_no)
        st["paused"], st["reason"] = paused, reason if paused else ""

    # ---------------------------------------------------------------- API --
    def _api(self) -> web.Application:
        return self.api.app()

    # ---------------------------------------------------------- lifecycle --
    async def start(self) -> None:
        self._servers.append(await asyncio.start_server(
            self._agi_connection, "127.0.0.1", self.ports.fastagi, limit=HEADER_LIMIT * 4,
            backlog=512))
        self._ami_task = asyncio.create_task(self._connect_ami())
        # keepalive_timeout: aiohttp closes a connection that has not delivered a whole
        # request by then, which is also the header timeout (no slow-loris connections)
        self._runner = web.AppRunner(self._api(), access_log=None,
                                     keepalive_timeout=self.settings.api_header_timeout_s)
        await self._runner.setup()
        ConnectionCap(self._runner.server, self.settings.api_connections_per_address)
        # HTTPS off loopback; refuses plain HTTP on a LAN address
        await web.TCPSite(self._runner, self.settings.bind, self.ports.api,
                          ssl_context=tls.server_context(self.settings)).start()
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
    os.umask(0o077)   # everything it writes under $HOTLINE_HOME is the owner's alone
    settings = load_settings()
    setup_logging(settings.log_level)
    state = read_state(settings)
    if not state:
        raise SystemExit(f"no run state in {settings.run_dir}; start the hotline with `hotline up`")
    asyncio.run(serve(settings, Ports(**state["ports"])))


if __name__ == "__main__":
    main()
