"""The push hub: the one owner of every socket and stream the service pushes to.

Desks hold a WebSocket each (per login session); wall displays hold a server-sent-events stream.
The service layer publishes here (`push_agent`, `push_supervisors`, `ticket_changed`, …) and the hub
decides who gets what by the session's role; no HTTP handler writes to a socket (a unit test reads
the route modules for it). The hub also keeps the sessions' principals (their per-call grants) so a
session that ends — logout, replaced, disabled, expired — loses its grants and its sockets at once.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import WSMsgType, web

from hotline.aftercall.rules import CALLERS, SUPERVISORS
from hotline.service.desk import Principal, ended_message
from common import wire

log = logging.getLogger("hotline.hub")

#: who works residents' calls and tickets: the call-back list's changes go to their desks
WORKERS = frozenset(SUPERVISORS + CALLERS)

#: how often open WebSockets are checked against their sessions (logout elsewhere, disable,
#: password change, expiry all end the socket within about this long)
SESSION_SWEEP_S = 0.5
#: the board is pushed at most this often (a burst of queue events is one push)
BOARD_EVERY_S = 1.0


def _text(event: dict) -> str:
    return json.dumps(event, ensure_ascii=False, default=str)


class PushHub:
    """`now`: the one clock (settings.now); `ended_sessions(ids) -> {id: reason}` re-reads sessions
    ended outside this process; `station_users(station_id) -> [工号]` names a station's people."""

    def __init__(self, now: Callable, ended_sessions: Callable[[list[int]], dict[int, str]],
                 station_users: Callable[[int], list[str]]):
        self.now, self._ended_sessions, self._station_users = now, ended_sessions, station_users
        self.sockets: dict[int, set[web.WebSocketResponse]] = {}   # session id → sockets
        self.socket_expiry: dict[int, object] = {}                  # session id → its expiry
        self.principals: dict[str, Principal] = {}                  # token → principal (its grants)
        self.agent_sessions: dict[str, int] = {}                    # agent_no → live session id
        self.displays: set[web.StreamResponse] = set()              # wall displays' event streams
        self._display_tasks: set[asyncio.Task] = set()              # the handlers keeping them open
        self._sweeper: asyncio.Task | None = None
        self._board_task: asyncio.Task | None = None
        self._board_dirty = asyncio.Event()
        #: builds the board (SAMPLE_BOARD) and the wall's figures (SAMPLE_WALL) when something changed
        self.board_source: Callable[[], Awaitable[dict]] | None = None
        self.wall_source: Callable[[], Awaitable[dict]] | None = None

    # ------------------------------------------------------------ sessions --
    def principal(self, token: str, fresh: Principal) -> Principal:
        """The cached principal of `token` (its grants) unless its session changed."""
        cached = self.principals.get(token)
        if cached is None or cached.session_id != fresh.session_id:
            self.principals[token] = cached = fresh
        return cached

    def forget(self, token: str) -> None:
        self.principals.pop(token, None)

    def grant(self, agent_no: str, account_no: str) -> None:
        """The agent's live session may read this account (the caller ringing them)."""
        sid = self.agent_sessions.get(agent_no)
        for p in self.principals.values():
            if p.session_id == sid:
                p.allowed_accounts.add(account_no)

    def session_of(self, agent_no: str) -> int | None:
        return self.agent_sessions.get(agent_no)

    async def desk_socket(self, request: web.Request, p: Principal, hello: dict) -> web.WebSocketResponse:
        """A desk's WebSocket for its whole life: greeted with `hello`, then kept until it closes."""
        sock = web.WebSocketResponse(heartbeat=15)
        await sock.prepare(request)
        self.sockets.setdefault(p.session_id, set()).add(sock)
        self.socket_expiry[p.session_id] = p.expires_at
        self.agent_sessions[p.agent_no] = p.session_id
        await sock.send_json(hello, dumps=_text)
        try:
            async for msg in sock:
                if msg.type == WSMsgType.TEXT and msg.data == "ping":
                    await sock.send_str("pong")
        finally:
            socks = self.sockets.get(p.session_id, set())
            socks.discard(sock)
            if not socks:
                self.sockets.pop(p.session_id, None)
                self.socket_expiry.pop(p.session_id, None)
        return sock

    async def end_session(self, session_id: int, reason: str) -> None:
        """A session ended (logout, replaced, disabled, password changed, expired): its cached
        principal goes, its desk is told why, and every socket of it closes now."""
        self.principals = {k: v for k, v in self.principals.items() if v.session_id != session_id}
        socks = self.sockets.pop(session_id, set())
        self.socket_expiry.pop(session_id, None)
        self.agent_sessions = {a: s for a, s in self.agent_sessions.items() if s != session_id}
        event = _text({"type": wire.EV_SESSION_ENDED, "reason": reason, "message": ended_message(reason)})
        for sock in socks:
            try:
                await sock.send_str(event)
                await sock.close()
            except Exception:   # already gone: nothing to tell
                pass

    # ---------------------------------------------------------- fan-out --
    async def push_session(self, session_id: int, event: dict) -> None:
        expiry = self.socket_expiry.get(session_id)
        if expiry is not None and expiry <= self.now():
            # checked on every push, not only by the sweeper: an expired desk gets nothing more
            await self.end_session(session_id, "expired")
            return
        for sock in list(self.sockets.get(session_id, ())):
            try:
                await sock.send_str(_text(event))
            except Exception:
                self.sockets.get(session_id, set()).discard(sock)

    async def push_agent(self, agent_no: str, event: dict) -> None:
        sid = self.agent_sessions.get(agent_no)
        if sid is not None:
            await self.push_session(sid, event)

    async def _push_roles(self, roles, event: dict) -> None:
        sids = {p.session_id for p in list(self.principals.values()) if p.role in roles}
        for sid in sids & set(self.sockets):
            await self.push_session(sid, event)

    async def push_supervisors(self, event: dict) -> None:
        """To every open desk of a team lead, the head or an admin."""
        await self._push_roles(SUPERVISORS, event)

    async def push_workers(self, event: dict) -> None:
        """To every open desk of an agent, a team lead, the head or an admin (not stations, not statisticians)."""
        await self._push_roles(WORKERS, event)

    async def broadcast(self, event: dict) -> None:
        for sid in list(self.sockets):
            await self.push_session(sid, event)

    # ------------------------------------------------ what the service tells --
    async def ticket_changed(self, t: dict) -> None:
        """A ticket moved: its station's people and the team leads are told."""
        event = {"type": wire.EV_TICKET_CHANGED, "ticket": {k: v for k, v in t.items() if k != "station_id"}}
        if t.get("station_id"):
            for no in await asyncio.to_thread(self._station_users, t["station_id"]):
                await self.push_agent(no, event)
        await self.push_supervisors(event)
        self.board_changed()

    async def lead_ticket(self, t: dict) -> None:
        """A ticket the team leads must look at (a re-opened repair, a 回访 that found it not done)."""
        await self.push_supervisors({"type": wire.EV_TICKET_CHANGED, "ticket": t})
        self.board_changed()

    async def anomaly_raised(self, a: dict) -> None:
        """To the head's and the team leads' desks; a complaint stays there until acknowledged."""
        await self.push_supervisors({"type": wire.EV_ANOMALY, "anomaly": a, "escalated": a["escalated"]})
        self.board_changed()

    async def callback_changed(self, entry: dict) -> None:
        """Every agent's and lead's list shows the take, the attempt, the clearing at once."""
        await self.push_workers({"type": wire.EV_CALLBACK, "callback": entry})

    async def alert(self, alert: dict, new: bool) -> None:
        """An alert raised, acknowledged or cleared: to the leads' desks and the wall."""
        await self.push_supervisors({"type": wire.EV_ALERT, "alert": alert, "new": new})
        self.board_changed()

    # ------------------------------------------------------------ the board --
    def board_changed(self) -> None:
        """Something on the board changed: pushed within BOARD_EVERY_S (one push for a burst)."""
        self._board_dirty.set()

    async def _push_boards(self) -> None:
        while True:
            await self._board_dirty.wait()
            self._board_dirty.clear()
            try:
                if self.board_source is not None and self._supervisor_sockets():
                    await self.push_supervisors({"type": wire.EV_BOARD, "board": await self.board_source()})
                if self.wall_source is not None and self.displays:
                    await self.push_displays(await self.wall_source())
            except Exception as exc:   # the DB briefly away: the next change pushes again
                log.warning("board push failed: %s", exc)
            await asyncio.sleep(BOARD_EVERY_S)

    def _supervisor_sockets(self) -> bool:
        return any(p.role in SUPERVISORS and p.session_id in self.sockets for p in list(self.principals.values()))

    # -------------------------------------------------------- wall displays --
    async def display_stream(self, request: web.Request, first: dict) -> web.StreamResponse:
        """A wall display's server-sent-events stream: `first` at once, then every change."""
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
        await resp.prepare(request)
        await resp.write(_sse(first))
        self.displays.add(resp)
        task = asyncio.current_task()
        self._display_tasks.add(task)
        try:
            while True:   # a comment line keeps proxies and the browser's connection awake
                await asyncio.sleep(15)
                await resp.write(b": keep-alive\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.displays.discard(resp)
            self._display_tasks.discard(task)
        return resp

    async def close_displays(self, _app=None) -> None:
        """Every wall display's stream ends (the server shuts down: it would wait for them)."""
        for task in list(self._display_tasks):
            task.cancel()

    async def push_displays(self, wall: dict) -> None:
        data = _sse(wall)
        for resp in list(self.displays):
            try:
                await resp.write(data)
            except Exception:
                self.displays.discard(resp)

    # ---------------------------------------------------------- lifecycle --
    async def start(self, _app=None) -> None:
        self._sweeper = asyncio.create_task(self._sweep_sessions())
        self._board_task = asyncio.create_task(self._push_boards())

    async def stop(self, _app=None) -> None:
        for t in (self._sweeper, self._board_task):
            if t is not None:
                t.cancel()

    async def _sweep_sessions(self) -> None:
        """Sessions also end outside this process (`hotline agents disable|passwd` write the
        database): every open socket's session is re-read twice a second."""
        while True:
            await asyncio.sleep(SESSION_SWEEP_S)
            if not self.sockets:
                continue
            try:
                ended = await asyncio.to_thread(self._ended_sessions, list(self.sockets))
            except Exception as exc:   # the DB may be briefly unreachable; try again
                log.warning("session sweep failed: %s", exc)
                continue
            for sid, reason in ended.items():
                await self.end_session(sid, reason)


def _sse(data: dict) -> bytes:
    return f"event: wall\ndata: {_text(data)}\n\n".encode()
