"""Calls out (#15) without Asterisk (the number rules and the dialplan's [outbound] patterns:
test_unit_phones): who may click-to-call which worklist entry and which number it rings, the Originate
the service sends (a recording fake AMI), the agent API's answers and refusals, and the call record
the dialplan's FastAGI steps write (a fake channel, the real Records on SQLite)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from db.call_tokens import digest
from db.models import AuditEntry, Call, CallOutcome, CallToken, Recording, Role, Ticket, TicketState, User
from db.queries import iso
from db.session import make_engine, migrate, session_factory
from hotline.admin.users import add_user
from hotline.aftercall.outbound import CallOut
from hotline.aftercall.rules import Refused, RuleError
from hotline.service.app import HotlineService
from hotline.service.errors import TelephonyUnavailable
from common import wire
from common.ports import Ports
from common.settings import load_settings
from ivr.channel import Vouched
from ivr.context import IvrContext, Records
from ivr.flows import call_out, call_out_end

from made_by_ivr import book_callback, recorded_wav
from test_unit_service_events import RecordedAmi
import test_unit_worklists

#: the worklists' people (1001, 1002 agents, 1101 team lead, 8001 station) and tickets on SQLite
world = test_unit_worklists.world
PASSWORD = "pw-1234567"


# ----------------------------------------------------------- the worklists --

def set_phone(sessions, ticket: str, phone: str) -> None:
    with sessions() as db, db.begin():
        t = db.scalar(select(Ticket).where(Ticket.number == ticket))
        t.callback_number = t.caller_number = phone


def audits(sessions, action):
    with sessions() as db:
        return [(a.actor, a.object_id, a.detail) for a in db.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                                                         .order_by(AuditEntry.id))]


def test_an_agent_calls_only_an_entry_they_hold_and_the_number_is_the_tickets(world):
    cbl, _sl, _work, clock, who, sessions = world
    a1, a2, lead, station = (who[n] for n in ("1001", "1002", "1101", "8001"))
    with pytest.raises(RuleError) as e:
        cbl.call(a1, "2611230001")
    assert e.value.status == 409 and "领取" in e.value.message       # take it first
    cbl.take(a2, "2611230001")
    with pytest.raises(Refused) as e:
        cbl.call(a1, "2611230001")                                  # another agent holds it
    assert e.value.status == 403 and e.value.action == "callback_call_refused" and "1002" in e.value.message
    with pytest.raises(Refused):
        cbl.call(station, "2611230001")
    clock.now += timedelta(minutes=5)
    out, entry = cbl.call(a2, "2611230001")
    assert out == CallOut("2611230001", "13912345671", "1002", "callback") and out.label == "回电"
    assert out.answer() == {**wire.SAMPLE_CALL_OUT, "ticket": "2611230001", "number": "13912345671"}
    assert set(out.answer()) == set(wire.SAMPLE_CALL_OUT)
    assert entry["taken_by"] == "1002" and entry["taken_at"] == iso(clock.now)  # renewed
    out, entry = cbl.call(lead, "2611230001")                       # a team lead calls any entry …
    assert out.agent_no == "1101" and entry["taken_by"] == "1002"   # … without taking another's
    out, entry = cbl.call(lead, "2611230003")
    assert entry["taken_by"] == "1101"                              # one nobody held becomes theirs
    assert [(a, o) for a, o, _ in audits(sessions, "call_out")] == [("1002", "2611230001"), ("1101", "2611230001"),
                                                                     ("1101", "2611230003")]
    assert audits(sessions, "call_out")[0][2] == {"kind": "callback", "number": "139******71"}


def test_a_premium_number_junk_ids_and_cleared_entries_are_not_called(world):
    cbl, _sl, work, _clock, who, sessions = world
    a1 = who["1001"]
    set_phone(sessions, "2611230002", "16812345678")
    cbl.take(a1, "2611230002")
    with pytest.raises(RuleError) as e:
        cbl.call(a1, "2611230002")
    assert e.value.status == 409 and "声讯" in e.value.message
    out, _ = cbl.call(a1, "2611230002", frozenset({"premium"}))      # the admin allowed it
    assert out.number == "16812345678"
    for junk in ("abc", "2611230001' OR 1=1", "9" * 40, "", "../1"):
        with pytest.raises(RuleError) as e:
            cbl.call(a1, junk)
        assert e.value.status == 404
    work.confirm(who["1101"], "2611230001", dispatch=False)
    cbl.take(a1, "2611230001")
    cbl.outcome(a1, "2611230001", "reached")
    with pytest.raises(RuleError) as e:
        cbl.call(a1, "2611230001")
    assert e.value.status == 409                                     # no longer on the list


def test_a_completed_repair_is_called_for_its_survey(world):
    _cbl, sl, _work, _clock, who, sessions = world
    with pytest.raises(RuleError) as e:
        sl.call(who["1001"], "2611220001")                           # no number on the ticket
    assert e.value.status == 409
    set_phone(sessions, "2611220001", "02425671234")
    out = sl.call(who["1001"], "2611220001")
    assert out == CallOut("2611220001", "02425671234", "1001", "survey") and out.label == "回访"
    with pytest.raises(RuleError) as e:
        sl.call(who["1001"], "2611230001")                           # not completed: not on the 回访 list
    assert e.value.status == 409
    with pytest.raises(Refused):
        sl.call(who["8001"], "2611220001")


# --------------------------------------------- the service and the agent API --

@pytest.fixture
def service(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="", outbound_ring_s=25, today="2026-11-23T10:00")
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db:
        for no, role in (("1001", Role.agent), ("1002", Role.agent)):
            add_user(db, no, f"人{no}", role, PASSWORD)
        db.commit()
    book_callback(sessions, s.now(), "13912345671")
    ami = RecordedAmi()
    svc = HotlineService(s, Ports(sip=1, ami=2, fastagi=3, api=4, rtp_start=10000, rtp_end=10199),
                         ctx=IvrContext(s, Records(sessions, s)), ami=ami)
    return svc, ami, sessions


async def test_the_originate_rings_the_agents_own_phone_into_outbound(service):
    svc, ami, sessions = service
    await svc.call_out(CallOut("2611230001", "13912345671", "1001", "callback"))
    (name, fields), = ami.sent
    variables = dict(v.split("=", 1) for v in fields.pop("Variable").split(","))
    assert (name, fields) == ("Originate", {"Channel": "PJSIP/agent-1001", "Context": "outbound",
                                            "Exten": "13912345671", "Priority": 1,
                                            "CallerID": '"回电 13912345671" <13912345671>', "Timeout": 25000,
                                            "Async": "true"})
    # the call's token rides in the Originate (inherited by its channels), kept only hashed, for this ticket
    token = variables.pop("__HOTLINE_CALL_TOKEN")
    assert variables == {"HOTLINE_OUT_TICKET": "2611230001"}
    with sessions() as db:
        row = db.scalar(select(CallToken))
    assert (row.digest, row.kind, row.call, row.ticket) == (digest(token), "out", None, "2611230001")


async def test_the_api_places_the_call_for_the_holder_and_refuses_and_audits_anyone_else(service):
    svc, ami, sessions = service
    async with TestClient(TestServer(svc.api.app())) as client:
        async def login(no):
            r = await client.post(wire.LOGIN, json={"agent_no": no, "password": PASSWORD})
            assert r.status == 200
            return {"Authorization": f"Bearer {(await r.json())['token']}"}
        h1, h2 = await login("1001"), await login("1002")
        call = wire.path(wire.CALLBACK_CALL, number="2611230001")
        r = await client.post(call, headers=h1)
        assert r.status == 409 and not ami.sent
        assert (await client.post(wire.path(wire.CALLBACK_TAKE, number="2611230001"), headers=h1)).status == 200
        r = await client.post(call, headers=h2)
        assert r.status == 403 and "1001" in (await r.json())["error"]
        r = await client.post(call, headers=h1)
        assert r.status == 200 and await r.json() == {"ticket": "2611230001", "number": "13912345671",
                                                      "kind": "callback", "label": "回电"}
        assert [(name, f["Channel"], f["Exten"]) for name, f in ami.sent] == [("Originate", "PJSIP/agent-1001",
                                                                               "13912345671")]
        for junk in ("abc", "1" * 30):
            assert (await client.post(wire.path(wire.CALLBACK_CALL, number=junk), headers=h1)).status == 404
        assert (await client.post(wire.path(wire.SURVEY_CALL, number="2611230001"), headers=h1)).status == 409

        async def away(name, as_list=False, **fields):
            raise TelephonyUnavailable("AMI is not connected")
        ami.action = away                                            # Asterisk away: 503, never a 500
        assert (await client.post(call, headers=h1)).status == 503
    assert [(a, o) for a, o, _ in audits(sessions, "callback_call_refused")] == [("1002", "2611230001")]


async def test_asterisk_refusing_the_originate_is_telephony_unavailable(service):
    svc, ami, _ = service

    async def refuse(name, as_list=False, **fields):
        return {"Response": "Error", "Message": "Extension does not exist."}
    ami.action = refuse
    with pytest.raises(TelephonyUnavailable):
        await svc.call_out(CallOut("2611230001", "13912345671", "1001", "callback"))


# ------------------------------------------------ the FastAGI steps of a call --

class OutChannel:
    """The agent's channel in [outbound-dial] as the FastAGI steps see it."""

    def __init__(self, variables: dict, uniqueid: str = "1763892000.40"):
        self.uniqueid = self.linkedid = uniqueid
        self.caller_id, self.dnid = "1001", ""
        self.vars = dict(variables)

    async def get_var(self, name: str) -> str:
        return self.vars.get(name, "")

    async def set_var(self, name: str, value: str) -> None:
        self.vars[name] = value


@pytest.fixture
def records(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="", today="2026-11-23T10:00")
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db:
        add_user(db, "1001", "李娜", Role.agent, PASSWORD)
        add_user(db, "1002", "王强", Role.agent, PASSWORD)
        ids = {no: db.scalar(select(User.id).where(User.agent_no == no)) for no in ("1001", "1002")}
        db.commit()
    number = book_callback(sessions, s.now(), "13912345671")
    with sessions() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == number))
        t.callback_taken_by_id, t.callback_taken_at = ids["1001"], s.now()
        db.add(Ticket(number="2611230002", state=TicketState.completed, caller_number="02425671234",
                      created_at=s.now(), updated_at=s.now()))
        db.commit()
    return IvrContext(s, Records(sessions, s))


def the_call(ctx, uniqueid="1763892000.40") -> Call:
    with ctx.records.sessions() as db:
        return db.scalar(select(Call).where(Call.uniqueid == uniqueid))


def recordings(ctx) -> list[Recording]:
    with ctx.records.sessions() as db:
        return list(db.scalars(select(Recording)))


async def test_a_click_to_call_is_recorded_on_its_ticket_and_sealed_at_the_end(records):
    ctx = records
    rec = ctx.settings.recordings_dir / "2026/11/23/1763892000.40.wav"
    ch = OutChannel({"EXTEN": "02425671234", "CHANNEL(endpoint)": "agent-1002", "HOTLINE_OUT_TICKET": "2611230002",
                     "REC": str(rec)})
    await call_out(ch, ctx)
    call = the_call(ctx)
    with ctx.records.sessions() as db:
        assert db.get(Ticket, call.ticket_id).number == "2611230002"
        assert db.get(User, call.agent_id).agent_no == "1002"
    assert call.direction == "out" and call.caller == "02425671234" and call.outcome is None
    (r,), = [recordings(ctx)]
    assert r.call_id == call.id and r.ticket_id == call.ticket_id and r.agent_id == call.agent_id and not r.sha256
    recorded_wav(rec, 2.0)
    ch.vars.update(DIALSTATUS="ANSWER", ANSWEREDTIME="2")
    await call_out_end(ch, ctx)
    call = the_call(ctx)
    assert call.outcome is CallOutcome.answered and call.ended_at and call.last_step == "dial:answer"
    assert call.ended_at - call.answered_at == timedelta(seconds=2)
    (r,) = recordings(ctx)
    assert r.sha256 and abs(r.duration_s - 2.0) < 0.01
    with ctx.records.sessions() as db:       # a call out never puts its ticket on the call-back list
        assert not db.scalar(select(Ticket).where(Ticket.number == "2611230002")).callback_requested


async def test_a_hand_dialled_number_links_the_agents_taken_entry_and_a_busy_one_keeps_no_empty_recording(records):
    ctx = records
    rec = ctx.settings.recordings_dir / "2026/11/23/1763892000.41.wav"
    ch = OutChannel({"EXTEN": "13912345671", "CHANNEL(endpoint)": "agent-1001", "REC": str(rec)}, "1763892000.41")
    await call_out(ch, ctx)
    call = the_call(ctx, "1763892000.41")
    with ctx.records.sessions() as db:
        assert db.get(Ticket, call.ticket_id).number == "2611230001"     # 1001 holds that entry
    recorded_wav(rec, 0)                          # MixMonitor's header: never bridged, nothing recorded
    ch.vars["DIALSTATUS"] = "BUSY"
    await call_out_end(ch, ctx)
    call = the_call(ctx, "1763892000.41")
    assert call.outcome is CallOutcome.busy and call.answered_at is None
    assert recordings(ctx) == [] and not rec.exists()                     # no empty recording is kept

    other = OutChannel({"EXTEN": "13912345671", "CHANNEL(endpoint)": "agent-1002", "REC": str(rec)}, "1763892000.42")
    await call_out(other, ctx)
    assert the_call(ctx, "1763892000.42").ticket_id is None               # not 1002's entry


async def test_nothing_a_channel_says_is_trusted(records):
    ctx = records
    ch = OutChannel({"EXTEN": "139'; DROP TABLE call;--", "CHANNEL(endpoint)": "agent-1001 OR 1=1",
                     "HOTLINE_OUT_TICKET": "2611230002' OR '1'='1", "REC": "/etc/passwd"}, "1763892000.43")
    await call_out(ch, ctx)
    call = the_call(ctx, "1763892000.43")
    assert call.caller == "139" and call.agent_id is None and call.ticket_id is None
    assert recordings(ctx) == []                                          # the path lies outside the recordings
    ch2 = OutChannel({"EXTEN": "13912345671", "CHANNEL(endpoint)": "agent-1002", "HOTLINE_OUT_TICKET": "2611230002"},
                     "1763892000.44")
    await call_out(ch2, ctx)            # the ticket of another number is not linked
    assert the_call(ctx, "1763892000.44").ticket_id is None
    ch2.vars.update(DIALSTATUS="WHATEVER", ANSWEREDTIME="x")
    await call_out_end(ch2, ctx)
    assert the_call(ctx, "1763892000.44").outcome is CallOutcome.failed


async def test_over_fastagi_the_ticket_is_the_one_the_token_was_issued_for(records):
    """A hand-dialled call out's first request (no token: one is issued and kept with the record)
    links no ticket a channel names — a forged HOTLINE_OUT_TICKET grants nobody a ticket; a
    click-to-call links the ticket its token was issued for."""
    ctx = records
    forged = OutChannel({"EXTEN": "02425671234", "CHANNEL(endpoint)": "agent-1002",
                         "HOTLINE_OUT_TICKET": "2611230002"}, "1763892000.45")
    forged.vouched = Vouched("1763892000.45", issued=digest("t" * 32))
    await call_out(forged, ctx)
    assert the_call(ctx, "1763892000.45").ticket_id is None
    with ctx.records.sessions() as db:
        row = db.scalar(select(CallToken).where(CallToken.call == "1763892000.45"))
        assert (row.digest, row.kind) == (digest("t" * 32), "out")
    clicked = OutChannel({"EXTEN": "02425671234", "CHANNEL(endpoint)": "agent-1002"}, "1763892000.46")
    clicked.vouched = Vouched("1763892000.46", ticket="2611230002")
    await call_out(clicked, ctx)
    with ctx.records.sessions() as db:
        assert db.get(Ticket, the_call(ctx, "1763892000.46").ticket_id).number == "2611230002"
    again = OutChannel({"EXTEN": "02425671234", "CHANNEL(endpoint)": "agent-1001"}, "1763892000.45")
    again.vouched = Vouched("1763892000.45", issued=digest("u" * 32))
    await call_out(again, ctx)           # not this call's first request: nothing written
    with ctx.records.sessions() as db:
        assert db.scalar(select(CallToken).where(CallToken.digest == digest("u" * 32))) is None
