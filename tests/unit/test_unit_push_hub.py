"""#30 — the push hub owns every socket: fan-out by the session's role, a session's end closes its
sockets, an expired desk gets nothing; no HTTP handler writes to a socket or a stream; and the
API's areas stay thin over fakes (the telephony side, the hub, the service layer)."""
from __future__ import annotations

import ast
import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from contextlib import asynccontextmanager
from types import SimpleNamespace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from common import wire
from db.models import Role
from hotline.service.api import PRINCIPAL
from hotline.service.api.base import ApiParts
from hotline.service.api.session import SessionRoutes
from hotline.service.api.tickets import TicketsRoutes
from hotline.service.desk import Principal
from hotline.service.hub import PushHub
from hotline.service.telephony import TelephonyView

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 10, 0)


class FakeSocket:
    def __init__(self):
        self.sent: list[str] = []
        self.closed = False

    async def send_str(self, text):
        self.sent.append(text)

    async def close(self):
        self.closed = True


def principal(no: str, role: Role, sid: int, expires=NOW + timedelta(hours=8)) -> Principal:
    return Principal(user_id=sid, agent_no=no, name=f"人{no}", role=role, session_id=sid, expires_at=expires)


def hub_with(*people: Principal) -> tuple[PushHub, dict[str, FakeSocket]]:
    hub = PushHub(lambda: NOW, lambda ids: {}, lambda station_id: ["8001"] if station_id == 7 else [])
    socks = {}
    for p in people:
        hub.principal(f"token-{p.agent_no}", p)
        socks[p.agent_no] = FakeSocket()
        hub.sockets[p.session_id] = {socks[p.agent_no]}
        hub.socket_expiry[p.session_id] = p.expires_at
        hub.agent_sessions[p.agent_no] = p.session_id
    return hub, socks


PEOPLE = (principal("1001", Role.agent, 1), principal("1101", Role.team_lead, 2), principal("1201", Role.head, 3),
          principal("8001", Role.station, 4), principal("1401", Role.statistician, 5))


async def test_supervisor_events_reach_leads_and_the_head_only_and_call_backs_every_worker():
    hub, socks = hub_with(*PEOPLE)
    await hub.push_supervisors({"type": wire.EV_STORAGE})
    assert {no for no, s in socks.items() if s.sent} == {"1101", "1201"}
    for s in socks.values():
        s.sent.clear()
    await hub.callback_changed({"ticket": "2611230007"})
    assert {no for no, s in socks.items() if s.sent} == {"1001", "1101", "1201"}


async def test_a_moved_ticket_reaches_its_stations_people_and_the_leads_and_marks_the_board():
    hub, socks = hub_with(*PEOPLE)
    await hub.ticket_changed({"number": "2611230012", "station_id": 7, "state": "dispatched"})
    assert {no for no, s in socks.items() if s.sent} == {"8001", "1101", "1201"}
    assert '"station_id"' not in socks["8001"].sent[0]          # the internal id stays on the server
    assert hub._board_dirty.is_set()


async def test_an_ended_session_is_told_why_its_sockets_close_and_its_grants_go():
    hub, socks = hub_with(*PEOPLE)
    hub.grant("1001", "100200300")
    assert "100200300" in hub.principals["token-1001"].allowed_accounts
    await hub.end_session(1, "logout")
    assert socks["1001"].closed and wire.EV_SESSION_ENDED in socks["1001"].sent[0]
    assert "token-1001" not in hub.principals and "1001" not in hub.agent_sessions
    await hub.push_agent("1001", {"type": wire.EV_AGENT_STATE})
    assert len(socks["1001"].sent) == 1


async def test_an_expired_desk_gets_no_push_but_the_end_of_its_session():
    hub, socks = hub_with(principal("1001", Role.agent, 1, expires=NOW - timedelta(seconds=1)))
    await hub.push_agent("1001", {"type": wire.EV_SCREEN_POP, "caller": "13912345678"})
    assert len(socks["1001"].sent) == 1 and wire.EV_SESSION_ENDED in socks["1001"].sent[0]


async def test_the_board_is_pushed_once_for_a_burst_of_changes():
    hub, socks = hub_with(*PEOPLE)
    built = []

    async def board():
        built.append(1)
        return {"agents": []}
    hub.board_source = board
    await hub.start()
    try:
        for _ in range(20):
            hub.board_changed()
        await asyncio.sleep(0.1)
    finally:
        await hub.stop()
    assert built == [1]
    assert [wire.EV_BOARD in m for m in socks["1101"].sent] == [True] and not socks["1001"].sent


# ----------------------------------------------------- nobody else writes to a socket --
WRITES = {"send_str", "send_json", "send_bytes", "write", "write_eof", "prepare"}
STREAMS = {"WebSocketResponse", "StreamResponse"}


def socket_writes(path: Path) -> list[str]:
    """Calls in `path` that write to a socket or a stream, or make one (the hub's alone)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in WRITES or name in STREAMS:
                found.append(f"{path.relative_to(REPO)}:{node.lineno} {name}")
    return found


def test_no_handler_and_no_other_part_of_the_service_writes_to_a_socket():
    service = REPO / "hotline" / "service"
    modules = [p for p in service.rglob("*.py") if p.name != "hub.py"]
    assert any(p.parent.name == "api" for p in modules)      # the route modules are read too
    assert [w for p in modules for w in socket_writes(p)] == []


def test_the_check_would_see_a_handler_that_wrote_to_a_socket(tmp_path):
    bad = REPO / "hotline" / "service" / "api" / "_probe_not_committed.py"
    bad.write_text("async def h(request, sock):\n    await sock.send_str('x')\n", encoding="utf-8")
    try:
        assert socket_writes(bad) == ["hotline/service/api/_probe_not_committed.py:2 send_str"]
    finally:
        bad.unlink()


# ------------------------------------------------------------- areas over fakes --
class FakeLine:
    sip_port, active_calls = 5060, 3

    def __init__(self):
        self.queue: list[tuple[str, bool]] = []

    def agent_state(self, no):
        return {"member": True, "paused": False}

    def ami_up(self):
        return True

    async def set_queue_member(self, no, member):
        self.queue.append((no, member))

    async def phones_changed(self):
        pass

    async def parts(self):
        return {"database": True, "ami": False, "fastagi": True}


class FakeHub:
    def __init__(self):
        self.told: list[tuple] = []

    async def end_session(self, sid, reason):
        self.told.append(("end", sid, reason))

    async def ticket_changed(self, t):
        self.told.append(("ticket", t["number"]))


class FakeDesk:
    def logout(self, p):
        return False


class FakeWork:
    def move(self, actor, number, state, note, station_code):
        return {"number": number, "state": state, "station_id": 7}


@asynccontextmanager
async def area(area_cls, who: Principal | None):
    """One area's routes alone, over fakes, as `who`."""
    line, hub = FakeLine(), FakeHub()
    parts = ApiParts(SimpleNamespace(api_body_timeout_s=5), line, hub, FakeDesk(), FakeWork(), *[None] * 6)

    @web.middleware
    async def as_who(request, handler):
        if who is not None:
            request[PRINCIPAL] = who
        return await handler(request)
    app = web.Application(middlewares=[as_who])
    area_cls(parts).register(app.router)
    async with TestClient(TestServer(app)) as client:
        yield client, line, hub


async def test_health_names_the_part_that_is_down():
    async with area(SessionRoutes, None) as (client, _line, _hub):
        got = await client.get(wire.HEALTH)
        assert got.status == 503 and (await got.json())["down"] == ["ami"]


async def test_a_logout_ends_the_session_through_the_hub_and_leaves_the_queue():
    async with area(SessionRoutes, PEOPLE[0]) as (client, line, hub):
        got = await client.post(wire.LOGOUT)
    assert got.status == 200
    assert hub.told == [("end", 1, "logout")] and line.queue == [("1001", False)]


async def test_a_ticket_move_answers_without_the_station_id_and_the_hub_tells_the_desks():
    async with area(TicketsRoutes, PEOPLE[1]) as (client, _line, hub):
        got = await client.post(wire.path(wire.TICKET_STATE, number="2611230012"),
                                json={"state": "dispatched", "station_code": "TX"})
        assert got.status == 200 and await got.json() == {"number": "2611230012", "state": "dispatched"}
    assert hub.told == [("ticket", "2611230012")]


def test_the_routes_reach_the_service_through_the_telephony_names_alone():
    service = SimpleNamespace(agent_state=lambda no: {"member": True}, queue="the whole queue", ami="the AMI")
    line = TelephonyView(service)
    assert line.agent_state("1001") == {"member": True}
    with pytest.raises(AttributeError, match="Telephony"):
        line.queue
    with pytest.raises(AttributeError):
        line.ami = None
