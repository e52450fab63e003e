"""The FastAGI server: every hotline call's flow (`ivr.flows`) runs here, over an
`AgiChannel` whose commands travel through panoramisk's request object.

A request runs its flow only once admitted (hotline.service.agi_admission): it proves the
installation's key (a nonce answered by Asterisk from the key's 0600 file, never an AGI argument)
and, after its call's first request, shows the call's token, each stage once. Anything else that
reaches the port, local or not, is refused after that one question.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from panoramisk.fast_agi import Request
from sqlalchemy.exc import IntegrityError

from common.naming import CALL_TOKEN_VAR
from db.call_tokens import digest, new_token
from hotline.service.agi_admission import ASKED, ask, key_proof, plan, spend
from ivr.channel import AgiChannel, Vouched
from ivr.context import IvrContext
from ivr.flows import ROUTES as CALLER_ROUTES, run_flow
from ivr.outage_call import OUTAGE_CALL_ROUTES
from ivr.station import STATION_ROUTES
from ivr.survey import SURVEY_ROUTES

#: every flow a FastAGI request may name: the caller's path, the automated 回访 call, a station's call,
#: the 供热已恢复 call-back of an outage's affected caller
ROUTES = {**CALLER_ROUTES, **SURVEY_ROUTES, **STATION_ROUTES, **OUTAGE_CALL_ROUTES}

log = logging.getLogger("hotline.fastagi")


class AgiTimings:
    """Our share of the AGI turnaround: from a command's result in the flow's hands to its next
    command handed to the socket (the flow, its Python, any DB wait it makes), and how late the
    event loop runs a ready callback (a busy loop delays every call's next command). Asterisk's
    side and the OS's scheduling are the rest of what the bench measures; `report` takes the
    figures since the last report. Each figure is also handed to `observe_share` / `observe_lag`
    (the /metrics histograms) as it is taken."""

    def __init__(self, observe_share: Callable[[float], None] | None = None,
                 observe_lag: Callable[[float], None] | None = None):
        self.shares: list[float] = []
        self.lags: list[float] = []
        self.observe_share, self.observe_lag = observe_share, observe_lag

    def share(self, seconds: float) -> None:
        self.shares.append(seconds)
        if self.observe_share is not None:
            self.observe_share(seconds)

    def lag(self, seconds: float) -> None:
        self.lags.append(seconds)
        if self.observe_lag is not None:
            self.observe_lag(seconds)

    def report(self) -> dict | None:
        shares, lags, self.shares, self.lags = self.shares, self.lags, [], []
        if not shares:
            return None
        shares.sort()
        lags.sort()

        def pct(values, q):
            return 1000 * values[min(len(values) - 1, int(len(values) * q))] if values else 0.0
        return {"commands": len(shares), "share_p50_ms": pct(shares, .5), "share_p99_ms": pct(shares, .99),
                "loop_lag_p99_ms": pct(lags, .99)}

    async def watch_loop(self, every_s: float = 0.05) -> None:
        """The loop's lateness: how far past its time a short sleep wakes."""
        while True:
            t = time.perf_counter()
            await asyncio.sleep(every_s)
            self.lag(max(0.0, time.perf_counter() - t - every_s))

HEADER_LIMIT = 16384
#: calls whose token this service issued and remembers (admits their later requests without the DB)
ISSUED_KEPT = 50000
#: the flows after which a call's draft may be waiting as 待确认 (a hang-up, key 1, no agent)
LEAVES_DRAFTS = ("call_end", "callback", "no_agent")


def to_triple(res: dict) -> tuple[int, str, str]:
    """panoramisk's result dict → (code, result, data)."""
    err = res.get("error")
    if err in ("AGIResultHangup", "AGIAppError"):
        return 511, "-1", "hangup"
    if err:
        return int(res.get("status_code") or 520), "", res.get("msg", err)
    value, data = res.get("result", ("", ""))
    return int(res.get("status_code", 200)), value, data


class FastAgiServer:
    def __init__(self, ctx: IvrContext, key: str, port: int, host: str = "127.0.0.1"):
        """`key`: the installation's FastAGI key as the dialplan's FILE() reads its file."""
        self.ctx, self._key, self.host, self.port = ctx, key, host, port
        self.active_calls = 0
        #: connections being served, admitted or still being asked (a stop waits for these)
        self.connections = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self.timings = AgiTimings()
        #: told (route, uniqueid) when a flow that may leave a 待确认 draft has run (the service
        #: pushes the team leads' lists a refresh)
        self.flow_ended: Callable[[str, str], Awaitable[None]] | None = None
        self._server: asyncio.Server | None = None
        #: the tokens this service issued, by call: (digest, kind, stages spent) — a later request of
        #: the call is admitted from here, so no caller waits on a locked DB to be let in (#26)
        self._issued: OrderedDict[str, tuple[str, str, set[str]]] = OrderedDict()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connection, self.host, self.port,
                                                  limit=HEADER_LIMIT * 4, backlog=512)

    @property
    def listening(self) -> bool:
        """The port takes requests (started, not closed)."""
        return self._server is not None and self._server.is_serving()

    def close(self) -> None:
        """No new request is taken (Asterisk's AGI() then fails at once: the degraded way); the
        requests being served go on."""
        if self._server is not None:
            self._server.close()

    async def drained(self, within_s: float) -> int:
        """Wait at most `within_s` for the requests being served to end; how many still run."""
        deadline = time.monotonic() + within_s
        while self.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return self.connections

    def cut(self) -> None:
        """End the requests still served (a stop after the drain): each flow sees its call's socket
        close and ends, and its caller goes the degraded way (an empty route)."""
        for writer in list(self._writers):
            writer.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            await self._serve(reader, writer)
        finally:
            self.connections -= 1
            self._writers.discard(writer)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            # Asterisk sends "agi_*: value" lines, then a blank line
            raw = await asyncio.wait_for(reader.readuntil(b"\n\n"), timeout=10)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ConnectionError):
            writer.close()
            return
        headers = OrderedDict(line.split(": ", 1) for line in raw.decode("utf-8", "replace").splitlines()
                              if ": " in line)
        request = Request(app=None, headers=headers, reader=reader, writer=writer)
        answered_at = None
        timings = self.timings

        async def send(line: str):
            nonlocal answered_at
            if answered_at is not None:
                timings.share(time.perf_counter() - answered_at)
            try:
                return to_triple(await request.send_command(line))
            except (ConnectionError, ValueError, asyncio.IncompleteReadError):
                # the socket closed under us: Asterisk hung the channel up
                return 511, "-1", "hangup"
            finally:
                answered_at = time.perf_counter()

        channel = AgiChannel(send, dict(headers))
        route = channel.script.split("?", 1)[0].strip("/")
        try:
            channel.vouched = await self._admit(route, channel, send) if route in ROUTES else None
        except Exception as exc:   # the DB away, a broken socket: refused like any other
            log.warning("FastAGI %s not admitted: %s: %s", route[:40], type(exc).__name__, exc)
        if channel.vouched is None:
            peer = writer.get_extra_info("peername")
            log.warning("FastAGI request refused (from %s, route %r, channel %r): no proof of the installation's "
                        "key, or not its call's token / a stage already used", peer[0] if peer else "?",
                        route[:40], channel.uniqueid[:64])
            writer.close()
            return
        self.active_calls += 1
        try:
            await run_flow(ROUTES.get(route), channel, self.ctx, route)
            if route in LEAVES_DRAFTS and self.flow_ended is not None:
                await self.flow_ended(route, channel.uniqueid)
        finally:
            self.active_calls -= 1
            try:
                writer.close()
            except Exception:   # already closed by Asterisk
                pass

    async def _admit(self, route: str, channel: AgiChannel, send) -> Vouched | None:
        """One question to the channel (the key's proof for a fresh nonce, the call's token and
        names), then the admission's plan: a first request gets its call's token set on the channel
        (inherited by the call's other channels), any other spends its stage of the token it showed.
        What the flow may trust comes back as `Vouched`; None: refused."""
        nonce = secrets.token_hex(16)
        code, _result, answer = await send(ask(nonce))
        proof, *named = (answer.split("|") + [""] * len(ASKED))[:1 + len(ASKED)]
        if code != 200 or not hmac.compare_digest(proof.encode(), key_proof(self._key, nonce).encode()):
            return None
        token, call, attempt, station, outage = named
        p = plan(route, channel.uniqueid, token, call, attempt, station, outage)
        if p is None:
            return None
        if p.issue:
            issued = new_token()
            code, _result, _data = await send(f'SET VARIABLE __{CALL_TOKEN_VAR} "{issued}"')
            if code != 200:
                return None
            # a call this service or the DB knows already: a forged or repeated first request — it
            # runs nothing (before #26 its record's write was refused; now writes wait behind the
            # caller, so it is refused here). The DB is read (WAL: never behind a writer's lock);
            # not answered within the deadline, the call counts as new.
            if p.call in self._issued or await self.ctx.read(self.ctx.records.call_exists, p.call, default=False):
                return None
            self._remember(p.call, digest(issued), p.kind)
            return Vouched(p.call, issued=digest(issued))
        if not p.stage:
            return Vouched(p.call)
        known = self._spend_issued(p, token)
        if known is not None:
            return known or None
        ticket = await self.ctx.db(self._spend, p, token)
        return None if ticket is None else Vouched(p.call, ticket=ticket)

    def _remember(self, call: str, token_digest: str, kind: str) -> None:
        self._issued[call] = (token_digest, kind, set())
        while len(self._issued) > ISSUED_KEPT:
            self._issued.popitem(last=False)

    def _spend_issued(self, p, token: str) -> Vouched | bool | None:
        """A stage of a token this service issued, spent without waiting on the DB: Vouched, or False
        (not that call's token, or the stage was used); None: not one of ours (the DB decides). The
        use is written behind (the journal), like the database's own acceptance (db.call_tokens.redeem).
        Its record's token is written with the call's first write, so it never waits in the DB."""
        kept = self._issued.get(p.call)
        if kept is None:
            return None
        token_digest, kind, spent = kept
        if kind != p.kind or not hmac.compare_digest(token_digest, digest(token)):
            return False
        if p.stage in spent:
            return False
        spent.add(p.stage)
        self.ctx.journaled(p.call, self.ctx.records.token_used, token_digest, p.stage)
        return Vouched(p.call, ticket="")

    def _spend(self, p, token: str) -> str | None:
        """`spend` in its own transaction: a stage used twice at once fails the second's commit."""
        try:
            with self.ctx.records.sessions() as db, db.begin():
                return spend(db, p, token, self.ctx.now())
        except IntegrityError:
            return None
