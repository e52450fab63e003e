"""#30 — stations told on dispatch, by phone, without Asterisk: the request written by the dispatch
itself (TicketWork, one transaction), the dialer's policy on a moved clock (retries, attempts, one call
at a time per station, the number policy, a ticket that moved on, calls on dispatch off), the call's
flow (ivr/station.py) over a fake Channel through the service's line to the real dialer and the one
owner of ticket moves (1 accepts as the station, via phone; 2 reads again), the placing of a call over
recorded AMI (no number in the Originate), the CLI's / desk's request by hand, and the signed webhook
against a local aiohttp receiver."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from common import wire
from common.secrets import station_webhook_secret
from common.settings import load_settings
from db.call_tokens import digest
from db.models import (AuditEntry, CallToken, Category, HeatingAccount, RepairStation, Role, StationCall, Ticket,
                       TicketState)
from db.session import make_engine, migrate, session_factory
from db.tickets import create_ticket
from hotline.admin.users import add_user
from hotline.aftercall.lifecycle import TicketWork, late, Timers
from hotline.aftercall.rules import Refused, RuleError, actor_for
from hotline.aftercall.station_calls import (StationCallPolicy, StationDialer, briefing, station_call_policy,
                                             webhook_body)
from hotline.service.station_line import (SIGNATURE_HEADER, ServiceStationLine, StationCaller, StationWebhook,
                                          signature)
from ivr.context import IvrContext, Records
from ivr.flows import run_flow
from ivr.prompts import P, digit_sounds, sound_name
from ivr.station import station_dial, station_dial_end, station_end, station_flow
from test_unit_caller_flow import HANGUP, FakeChannel

T0 = datetime(2026, 11, 23, 10, 0)
LEAD, AGENT = "1101", "1001"


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


class RecordedAmi:
    def __init__(self):
        self.connected = asyncio.Event()
        self.connected.set()
        self.sent: list[tuple[str, dict]] = []

    async def action(self, name, as_list=False, **fields):
        self.sent.append((name, fields))
        return {"Response": "Success"}


class Rig:
    """Two stations (TX: a landline the hotline dials; PR: a premium number it never does), a team
    lead, an agent, a station user, repairs to dispatch; the dialer, the line, the IVR context."""

    def __init__(self, tmp_path, **policy):
        engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
        migrate(engine)
        self.sessions = session_factory(engine)
        self.clock = Clock()
        self.settings = load_settings(home=str(tmp_path / "home"), today="2026-11-23T10:00", db_url="")
        with self.sessions() as db, db.begin():
            tx = RepairStation(code="TX", name="铁西维修站", phone="024-25670000")
            db.add_all([tx, RepairStation(code="PR", name="声讯站", phone="16812345678")])
            db.flush()
            for no, role in ((LEAD, Role.team_lead), (AGENT, Role.agent), ("8001", Role.station)):
                add_user(db, no, f"人{no}", role, "pw-1234567").station_id = tx.id if role is Role.station else None
            acc = HeatingAccount(account_no="20000001", name="王秀兰", district="铁西区", compound="兴华北街",
                                 building="12", unit="1", room="301")
            db.add(acc)
            db.flush()
            self.address = acc.address
        self.work = TicketWork(self.sessions, self.clock)
        self.policy = StationCallPolicy(**{"attempts": 3, "retry_min": 5, "ring_s": 30, **policy})
        self.dialer = StationDialer(self.sessions, self.clock, self.policy, self.work)
        self.ends = []

        async def ended(end):
            self.ends.append(end)
        self.line = ServiceStationLine(self.dialer, ended)
        self.ctx = IvrContext(self.settings, Records(self.sessions, self.settings), stations=self.line)

    def repair(self, priority: int = 50, category: Category = Category.leak) -> str:
        with self.sessions() as db, db.begin():
            acc = db.scalar(select(HeatingAccount))
            t = create_ticket(db, self.clock(), state=TicketState.new, account_id=acc.id, category=category,
                              priority=priority, caller_number="13912345678", callback_number="13912345678",
                              address_snapshot=acc.address, name_snapshot=acc.name)
            return t.number

    def dispatch(self, number: str, station: str = "TX") -> dict:
        with self.sessions() as db:
            lead = actor_for(db, LEAD)
        return self.work.move(lead, number, "dispatched", station_code=station)

    def calls(self, number: str) -> list[StationCall]:
        with self.sessions() as db:
            return list(db.scalars(select(StationCall).join(Ticket, StationCall.ticket_id == Ticket.id)
                                   .where(Ticket.number == number).order_by(StationCall.id)))

    def state(self, number: str) -> TicketState:
        with self.sessions() as db:
            return db.scalar(select(Ticket.state).where(Ticket.number == number))

    def audits(self, action: str) -> list[AuditEntry]:
        with self.sessions() as db:
            return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))

    def place(self) -> dict[str, str]:
        placed, _ended = self.dialer.next_calls()
        return {p.ticket: p.ref for p in placed}

    async def answer(self, ref: str, *keys) -> FakeChannel:
        ch = FakeChannel("02425670000", keys, "1764000000.9")
        ch.vars["HOTLINE_STATION_CALL"] = ref
        await run_flow(station_flow, ch, self.ctx, "station")
        return ch


@pytest.fixture
def rig(tmp_path):
    return Rig(tmp_path)


# ------------------------------------------------------------------ the policy --

def test_the_policy_comes_from_the_settings_and_refuses_bad_values(tmp_path):
    s = load_settings(home=str(tmp_path), station_call_attempts=4, station_call_retry_min=7, outbound_ring_s=20,
                      outbound_allow="international")
    p = station_call_policy(s)
    assert (p.attempts, p.retry_min, p.ring_s, p.allowed, p.on_dispatch) == (4, 7, 20, frozenset({"international"}), True)
    off = station_call_policy(s.replace(station_call_attempts=0))
    assert not off.on_dispatch and off.max_attempts == 1         # a call asked for by hand is tried once
    with pytest.raises(ValueError, match="HOTLINE_STATION_CALL_ATTEMPTS"):
        station_call_policy(s.replace(station_call_attempts=50))
    with pytest.raises(ValueError, match="HOTLINE_STATION_CALL_RETRY_MIN"):
        station_call_policy(s.replace(station_call_retry_min=0))
    assert station_call_policy(load_settings(home=str(tmp_path))) == StationCallPolicy(3, 5, 30, frozenset())


# ------------------------------------------------------------ the dispatch asks --

def test_a_dispatch_writes_the_station_call_in_its_own_transaction(rig):
    number = rig.repair()
    with rig.sessions() as db:
        agent = actor_for(db, AGENT)
    with pytest.raises(Refused):                    # a refused dispatch asks for nothing
        rig.work.move(agent, number, "dispatched", station_code="TX")
    assert rig.calls(number) == []
    rig.dispatch(number)
    [c] = rig.calls(number)
    assert (c.outcome, c.attempts, c.next_at, c.ended_at, c.by, c.manual) == ("requested", 0, T0, None, LEAD, False)
    # recalled and sent again: the first request ends moot, the new one is the station's now
    with rig.sessions() as db:
        lead = actor_for(db, LEAD)
    rig.work.move(lead, number, "new", note="派错站")
    rig.dispatch(number)
    first, second = rig.calls(number)
    assert (first.outcome, first.ended_at) == ("moot", T0) and second.outcome == "requested"


def test_confirming_a_waiting_repair_with_dispatch_asks_too(rig):
    with rig.sessions() as db, db.begin():
        t = create_ticket(db, T0, state=TicketState.draft, category=Category.no_heat, address_snapshot="铁西区")
        number = t.number
    with rig.sessions() as db:
        lead = actor_for(db, LEAD)
    rig.work.confirm(lead, number, "TX", dispatch=True)
    assert [c.outcome for c in rig.calls(number)] == ["requested"]


# ------------------------------------------------------------------ the flow --

async def test_the_station_hears_the_ticket_keys_2_then_1_and_the_ticket_is_accepted_as_the_station(rig):
    number = rig.repair(priority=50, category=Category.leak)
    rig.dispatch(number)
    placed, _ = rig.dialer.next_calls()
    [p] = placed
    assert p.ticket == number and p.station == "TX"
    assert p.text == f"问题:漏水。优先级:加急。地址:{rig.address}。"
    assert "王秀兰" not in p.text and "139" not in p.text                # no name, no phone number
    with rig.sessions() as db:
        tok = db.scalar(select(CallToken).where(CallToken.call == p.ref))
        assert tok.kind == "station" and tok.digest == digest(p.token) and tok.ticket == number
    ch = FakeChannel("", (), "1764000000.8")
    ch.vars["HOTLINE_STATION_CALL"] = p.ref
    await station_dial(ch, rig.ctx)
    assert ch.vars["HOTLINE_STATION_NUMBER"] == "02425670000"            # looked up, never over AMI
    # the briefing rendered for this call (a file named by its id) is read after the number
    brief = rig.settings.tts_cache_dir / "station" / f"{p.call}.wav"
    brief.parent.mkdir(parents=True, exist_ok=True)
    brief.write_bytes(b"RIFF")
    ch = await rig.answer(p.ref, "2", "1")
    heard = [sound_name(P.station_call_opening), sound_name(P.station_call_ticket), *digit_sounds(number),
             f"tts/station/{p.call}", sound_name(P.station_call_menu)]
    assert ch.played[:2 * len(heard)] == heard * 2                       # 2: read again
    assert ch.heard(P.station_call_accepted) and ch.hung_up
    assert rig.state(number) is TicketState.accepted
    [c] = rig.calls(number)
    assert (c.outcome, c.attempts, c.answered_at, c.ended_at, c.next_at) == ("accepted", 1, T0, T0, None)
    moves = [a for a in rig.audits("state") if a.detail["to"] == "accepted"]
    assert [(a.actor, a.object_id, a.detail.get("via")) for a in moves] == [("TX", number, "phone")]
    shown = rig.work.show(None, number)
    assert shown["history"][-1]["state"] == "accepted" and "电话接单" in shown["history"][-1]["note"]
    assert [e.outcome for e in rig.ends] == ["accepted"] and rig.ends[0].shown["state"] == "accepted"
    await station_end(ch, rig.ctx)                                       # the hang-up handler: nothing more
    assert [c.outcome for c in rig.calls(number)] == ["accepted"]


async def test_no_key_or_a_hang_up_is_not_accepted_and_tried_again(rig):
    number = rig.repair()
    rig.dispatch(number)
    ref = rig.place()[number]
    ch = await rig.answer(ref, "", "", "")                               # silence, max_tries times
    assert ch.heard(P.station_call_not_accepted) and rig.state(number) is TicketState.dispatched
    [c] = rig.calls(number)
    assert (c.outcome, c.attempts, c.next_at, c.ended_at) == ("no_answer", 1, T0 + timedelta(minutes=5), None)
    rig.clock.now = T0 + timedelta(minutes=5)
    ref = rig.place()[number]
    ch = await rig.answer(ref, HANGUP)                                   # picked up, hung up
    await station_end(ch, rig.ctx)
    [c] = rig.calls(number)
    assert (c.outcome, c.attempts, c.next_at) == ("no_answer", 2, T0 + timedelta(minutes=10))


async def test_busy_and_unanswered_are_retried_per_policy_then_given_up_and_the_late_timer_stands(rig):
    number = rig.repair()
    rig.dispatch(number)
    for i, status in enumerate(("BUSY", "NOANSWER", "CHANUNAVAIL")):
        rig.clock.now = T0 + timedelta(minutes=5 * i)
        await station_dial_end(_dial_end(rig.place()[number], status), rig.ctx)
        c = rig.calls(number)[0]
        assert c.attempts == i + 1
        if i < 2:
            assert c.next_at == rig.clock.now + timedelta(minutes=5) and c.ended_at is None
            assert rig.place() == {}                                    # not before the retry time
            if i == 1:                                                  # the ticket's timeline says so
                [shown] = rig.work.show(None, number)["station_calls"]
                assert {k: shown[k] for k in ("station", "outcome", "attempts", "next_at", "ended_at")} == {
                    "station": "TX", "outcome": "no_answer", "attempts": 2,
                    "next_at": (T0 + timedelta(minutes=10)).isoformat(timespec="seconds"), "ended_at": None}
    c = rig.calls(number)[0]
    assert (c.outcome, c.next_at, c.ended_at) == ("failed", None, T0 + timedelta(minutes=10))
    [shown] = rig.work.show(None, number)["station_calls"]
    assert (shown["outcome"], shown["attempts"], shown["next_at"]) == ("failed", 3, None) and shown["ended_at"]
    assert set(shown) == set(wire.SAMPLE_TIMELINE["station_calls"][0])
    [gave_up] = rig.audits("station_call_gave_up")
    assert gave_up.object_id == number and gave_up.detail["attempts"] == 3
    assert rig.ends[-1].gave_up
    rig.clock.now = T0 + timedelta(hours=1)
    assert rig.place() == {}                                            # nobody calls any more
    with rig.sessions() as db:
        t = rig.work._load(db, number)
        assert "station_late" in late(t, rig.clock(), Timers())           # the anomaly timer stands


async def test_one_call_at_a_time_per_station_and_a_ticket_that_moved_on_is_not_called(rig):
    first, second, third = rig.repair(), rig.repair(), rig.repair()
    for n in (first, second, third):
        rig.dispatch(n)
    assert list(rig.place()) == [first]                                 # the duty phone is one line
    with rig.sessions() as db:
        station = actor_for(db, "8001")
    rig.work.move(station, third, "accepted")                           # taken on the desk meanwhile
    await station_dial_end(_dial_end(rig.calls(first)[0].ref, "BUSY"), rig.ctx)
    assert list(rig.place()) == [second]
    assert [c.outcome for c in rig.calls(third)] == ["moot"]
    # answered, but the ticket was accepted on the desk while it rang: nothing moves, the station hears so
    rig.work.move(station, second, "accepted")
    ch = await rig.answer(rig.calls(second)[0].ref, "1")
    assert ch.heard(P.station_call_gone) and rig.calls(second)[0].outcome == "moot"


def _dial_end(ref: str, status: str) -> FakeChannel:
    ch = FakeChannel("", (), "1764000000.6")
    ch.vars.update(HOTLINE_STATION_CALL=ref, DIALSTATUS=status)
    return ch


def test_a_station_phone_the_number_policy_refuses_is_never_dialled(rig):
    number = rig.repair()
    rig.dispatch(number, "PR")
    assert rig.place() == {}
    [c] = rig.calls(number)
    assert (c.outcome, c.attempts, c.ended_at) == ("refused", 0, T0)
    [a] = rig.audits("station_call_refused")
    assert a.detail["why"] == "premium" and a.detail["number"] == "168******78"
    with pytest.raises(RuleError) as err:                               # nor by hand
        rig.dialer.request(number, "cli")
    assert err.value.status == 422


async def test_a_number_refused_again_at_dialling_or_by_the_dialplan_is_not_tried_again(rig):
    number = rig.repair()
    rig.dispatch(number)
    ref = rig.place()[number]
    await station_dial_end(_dial_end(ref, "REFUSED"), rig.ctx)
    [c] = rig.calls(number)
    assert (c.outcome, c.next_at, c.ended_at) == ("refused", None, T0)


async def test_calls_on_dispatch_off_still_call_a_station_asked_for_by_hand(tmp_path):
    rig = Rig(tmp_path, attempts=0)
    number = rig.repair()
    rig.dispatch(number)
    assert rig.place() == {} and rig.calls(number)[0].outcome == "off"
    with rig.sessions() as db:
        agent, lead = actor_for(db, AGENT), actor_for(db, LEAD)
    with pytest.raises(Refused):
        rig.dialer.request(number, AGENT, agent)
    asked = rig.dialer.request(number, LEAD, lead)
    assert asked["outcome"] == "requested" and asked["attempts"] == 0 and set(asked) == set(wire.SAMPLE_STATION_CALL)
    call = asked["call"]
    ref = rig.place()[number]
    await station_dial_end(_dial_end(ref, "BUSY"), rig.ctx)
    assert rig.dialer.call(call)["ended_at"] is not None                # tried once
    assert [a.actor for a in rig.audits("station_notify")] == [LEAD]


def test_a_request_by_hand_is_refused_for_what_needs_no_call(rig):
    with pytest.raises(RuleError) as err:
        rig.dialer.request("2699999999", "cli")
    assert err.value.status == 404
    number = rig.repair()
    with pytest.raises(RuleError) as err:
        rig.dialer.request(number, "cli")                               # not dispatched
    assert err.value.status == 409
    rig.dispatch(number)
    rig.place()
    with pytest.raises(RuleError, match="正在电话通知"):
        rig.dialer.request(number, "cli")


# --------------------------------------------------------------- placing a call --

async def test_the_call_is_originated_with_its_ref_and_token_never_a_number(rig):
    number = rig.repair()
    rig.dispatch(number)
    ami, rendered = RecordedAmi(), []

    async def ended(_end):
        pass

    def render(p):
        rendered.append((p.call, p.text))
        raise RuntimeError("espeak-ng is missing")                       # the call still goes out
    caller = StationCaller(rig.dialer, ami, "96069", ended, render)
    assert await caller.round() == 1
    [(name, fields)] = ami.sent
    ref = rig.calls(number)[0].ref
    assert name == "Originate" and fields["Channel"] == f"Local/{ref}@station-dial/n"
    assert (fields["Context"], fields["Exten"], fields["CallerID"]) == ("station-call", ref, "96069")
    assert fields["Variable"].startswith("__HOTLINE_CALL_TOKEN=") and "02425670000" not in json.dumps(fields)
    assert rendered and rendered[0][0] == rig.calls(number)[0].id


# ------------------------------------------------------------------- the webhook --

async def test_the_webhook_posts_signed_json_retried_until_taken(rig):
    number = rig.repair(priority=90, category=Category.no_heat)
    rig.dispatch(number)
    got, answers = [], [500, 200]

    async def receive(request):
        got.append((await request.read(), request.headers.get(SIGNATURE_HEADER)))
        return web.Response(status=answers.pop(0))
    app = web.Application()
    app.router.add_post("/hook", receive)
    async with TestServer(app) as server:
        secret = station_webhook_secret(rig.settings)
        hook = StationWebhook(rig.dialer, str(server.make_url("/hook")), secret)
        assert await hook.round() == 0                                   # 500: tried again
        assert await hook.round() == 1
        assert await hook.round() == 0                                   # taken: never sent again
    assert len(got) == 2
    raw, sig = got[-1]
    assert sig == "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest() == signature(secret, raw)
    body = json.loads(raw)
    assert body["ticket"] == number and body["station"] == {"code": "TX", "name": "铁西维修站"}
    assert (body["category"], body["problem"], body["priority"], body["priority_words"]) == \
        ("no_heat", "暖气不热", 90, "紧急")
    assert body["address"] == rig.address
    assert body["caller"] == "139******78" and "13912345678" not in raw.decode()
    assert set(body) == set(wire.SAMPLE_STATION_WEBHOOK)
    [c] = rig.calls(number)
    assert c.webhook_at == T0 and c.webhook_tries == 2
    assert [a.detail["taken"] for a in rig.audits("station_webhook")] == [True]
    with rig.sessions() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == number))
        assert set(webhook_body(t, c)) == set(json.loads(json.dumps(body)))
    assert "王秀兰" not in briefing(t)
