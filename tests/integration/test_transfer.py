"""Transfers on real calls (issue #13 item 6): a resident comes through the IVR and the queue to an
agent's phone (pjsua2, this process); the agent transfers blind to 3- and 6-digit 工号, to a team
lead who does not answer, to nobody, and attended (consult, then complete or take the caller back).
The caller is never dropped, every answered leg is recorded and linked to the call's ticket, and
the transfer directory lists who is logged in, with their state."""
from __future__ import annotations

import hashlib
import time

import pytest
from sqlalchemy import select

from db.models import Call, Recording, Role, Ticket, User
from hotline.admin import runtime
from hotline.admin.users import add_user
from bench.desk_demo import demo_callers
from bench.scenarios import CallerDialog, channel_vars, resident_reports_no_heat
from common import wire
from common.ami import ami_action
from common.naming import QUEUE, endpoint, interface
from common.sip.phone import Phone
from conftest import wait_for
from test_agent_api import Api
from waiting_repairs import on_the_leads_list

pytestmark = pytest.mark.asterisk

PASSWORD = "transfer-test-pass"
AGENT = "3002"          # takes the queue call and transfers
SHORT = "301"           # a 3-digit 工号
LONG = "300601"         # a 6-digit 工号
LEAD = "3201"           # the team lead
NOBODY = "99999"        # no such 工号


class Desk:
    """One person at work without a window: logged in to the agent API (so the directory lists
    them), their phone registered with the SIP credentials of the login answer."""

    def __init__(self, ivr, agent_no: str):
        self.agent_no = agent_no
        self.api = Api(f"http://127.0.0.1:{ivr.ports['api']}")
        status, data = self.api.login(agent_no, PASSWORD)
        assert status == 200, data
        sip = data["sip"]
        self.phone = Phone.register(ivr.stack, sip["port"], sip["username"], sip["password"]).wait_registered(10)

    def close(self) -> None:
        self.phone.close()
        self.api.call("POST", wire.LOGOUT)


@pytest.fixture(scope="module")
def desks(ivr):
    with ivr.sessions() as db:
        for no, name, role in ((AGENT, "赵磊", Role.agent), (SHORT, "钱芳", Role.agent),
                               (LONG, "孙伟", Role.agent), (LEAD, "李班长", Role.team_lead)):
            if not db.scalar(select(User).where(User.agent_no == no)):
                add_user(db, no, name, role, PASSWORD, actor="test")
        db.commit()
    runtime.reload_agents(ivr.settings, ivr.sessions)
    out = {no: Desk(ivr, no) for no in (AGENT, SHORT, LONG, LEAD)}
    yield out
    for d in out.values():
        d.close()


def queue(ivr, agent_no: str, member: bool) -> None:
    iface = interface(agent_no)
    if member:
        ivr.ami.action(ami_action("QueueAdd", Queue=QUEUE, Interface=iface, MemberName=endpoint(agent_no),
                                  StateInterface=iface))
    else:
        ivr.ami.action(ami_action("QueueRemove", Queue=QUEUE, Interface=iface))


@pytest.fixture
def agent_in_queue(ivr, desks):
    queue(ivr, AGENT, True)
    yield desks[AGENT]
    queue(ivr, AGENT, False)


@pytest.fixture(autouse=True)
def no_call_left_behind(ivr):
    yield
    ivr.hangup_all()


def resident_reaches(ivr, desk: Desk):
    """A resident through the IVR into the queue; `desk`'s phone rings and answers.
    Returns (caller dialog, the agent's leg)."""
    number, known = demo_callers(ivr.settings, 1)[0]
    d = CallerDialog(ivr.ami, ivr.phone_for(number), ivr.settings.extension, number)
    resident_reports_no_heat(d, known=known)
    leg = desk.phone.wait_incoming(20)
    assert number in leg.remote_uri
    leg.answer(200).wait_state("CONFIRMED", 10)
    leg.wait_media(5)
    talks(d.call, leg)          # bridged (a REFER before the bridge is a 400)
    return d, leg


def rings(desk: Desk, number: str, timeout: float = 20):
    call = desk.phone.wait_incoming(timeout)
    assert number in call.remote_uri, call.remote_uri
    return call


def talks(a, b, digit: str = "5") -> None:
    """`a` and `b` are connected end to end: a digit `a` sends reaches `b` (RFC 4733 through the bridge)."""
    before = len(b.dtmf_received)
    # a digit sent as the bridge forms can be lost before media flows both ways (seen on a loaded
    # machine): sent again, up to three times, as a person would press again
    for attempt in range(3):
        a.send_dtmf(digit)
        deadline = time.monotonic() + 5
        while len(b.dtmf_received) <= before and time.monotonic() < deadline:
            time.sleep(0.05)
        if len(b.dtmf_received) > before:
            break
    assert len(b.dtmf_received) > before, f"DTMF from {a} never reached {b}"
    assert b.dtmf_received[-1] == digit


def blind(leg, target: str) -> None:
    """The transferring agent's phone, as the desk does it: REFER, and once the NOTIFY says it
    worked, its own leg ends (Asterisk ends it too)."""
    leg.transfer(target)
    assert leg.wait_transfer(10) // 100 == 2
    leg.hangup()
    leg.wait_state("DISCONNECTED", 10)


def recordings_of(ivr, uniqueid: str) -> tuple[Call, list[Recording]]:
    with ivr.sessions() as db:
        call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
        return call, list(db.scalars(select(Recording).where(Recording.call_id == call.id).order_by(Recording.id)))


def caller_uniqueid(ivr, d: CallerDialog) -> str:
    return channel_vars(ivr.ami, d.number, d.mark)["HOTLINE_CALL"]


def agent_id(ivr, no: str) -> int:
    with ivr.sessions() as db:
        return db.scalar(select(User.id).where(User.agent_no == no))


def test_blind_transfer_reaches_a_3_and_a_6_digit_agent_and_every_leg_is_recorded_on_the_ticket(
        ivr, desks, agent_in_queue):
    d, leg = resident_reaches(ivr, agent_in_queue)
    uid = caller_uniqueid(ivr, d)
    time.sleep(1.5)                                     # the agent and the resident talk
    blind(leg, SHORT)                                   # 3 digits
    to_short = rings(desks[SHORT], d.number)
    to_short.answer(200).wait_state("CONFIRMED", 10)
    to_short.wait_media(5)
    talks(d.call, to_short)
    time.sleep(1)
    blind(to_short, LONG)                               # and on to 6 digits
    to_long = rings(desks[LONG], d.number)
    to_long.answer(200).wait_state("CONFIRMED", 10)
    to_long.wait_media(5)
    talks(d.call, to_long)
    time.sleep(1.5)
    assert not d.call.ended, "the caller was dropped"
    to_long.hangup()                                   # the target ends the call
    d.call.wait_state("DISCONNECTED", 10)

    def sealed():
        call, recs = recordings_of(ivr, uid)
        return (call, recs) if len(recs) == 3 and all(r.sha256 for r in recs) else None
    call, recs = wait_for(sealed, 15, "three sealed recordings on the call")
    assert call.ticket_id is not None
    assert [r.agent_id for r in recs] == [agent_id(ivr, AGENT), agent_id(ivr, SHORT), agent_id(ivr, LONG)]
    for r in recs:
        assert r.ticket_id == call.ticket_id
        assert hashlib.sha256(open(r.path, "rb").read()).hexdigest() == r.sha256
        assert r.duration_s > 1.0, (r.path, r.duration_s)
    assert len({r.path for r in recs}) == 3, "each leg records to a file of its own"
    # nobody saved the ticket on the call: it waits on the team lead's list, and says why
    with ivr.sessions() as db:
        number = db.get(Ticket, call.ticket_id).number
    on_the_leads_list(ivr, number, "answered_unsaved")


def test_a_failed_blind_transfer_brings_the_caller_back_to_the_agent_then_to_the_queue_first(
        ivr, desks, agent_in_queue):
    d, leg = resident_reaches(ivr, agent_in_queue)
    mark = ivr.ami.mark()
    # the team lead's phone rings and nobody takes it: after the ring time the caller comes back
    blind(leg, LEAD)
    lead_rang = rings(desks[LEAD], d.number)
    t0 = time.monotonic()
    back = rings(desks[AGENT], d.number, timeout=ivr.settings.transfer_ring_s + 15)
    assert time.monotonic() - t0 >= ivr.settings.transfer_ring_s - 2
    assert lead_rang.wait_state("DISCONNECTED", 5)
    assert not d.call.ended, "the caller was dropped"
    back.answer(200).wait_state("CONFIRMED", 10)
    back.wait_media(5)
    talks(d.call, back)
    ivr.ami.wait(lambda e: e.get("Event") == "Newexten" and "transfer_failed_back" in e.get("AppData", "")
                 and e.get("CallerIDNum") == d.number, timeout=5, start=mark)
    # a 工号 nobody has: back again at once; the agent cannot take it now (486) → the queue,
    # ahead of everyone, where the next free agent answers
    queue(ivr, AGENT, False)
    blind(back, NOBODY)
    again = rings(desks[AGENT], d.number, timeout=15)
    again.hangup(486)
    ivr.ami.wait(lambda e: e.get("Event") == "QueueCallerJoin" and e.get("CallerIDNum") == d.number,
                 timeout=15, start=mark)
    assert channel_vars(ivr.ami, d.number, mark).get("QUEUE_PRIO") == "100"
    queue(ivr, SHORT, True)
    try:
        from_queue = rings(desks[SHORT], d.number, timeout=20)
        from_queue.answer(200).wait_state("CONFIRMED", 10)
        from_queue.wait_media(5)
        talks(d.call, from_queue)
        from_queue.hangup()
    finally:
        queue(ivr, SHORT, False)
    d.call.wait_state("DISCONNECTED", 10)


def test_attended_transfer_returns_to_the_caller_then_completes_to_the_team_lead(ivr, desks, agent_in_queue):
    d, leg = resident_reaches(ivr, agent_in_queue)
    uid = caller_uniqueid(ivr, d)
    agent = desks[AGENT].phone
    # consult the lead, then take the caller back
    leg.hold()
    consult = agent.dial(LEAD)
    lead = rings(desks[LEAD], AGENT)
    lead.answer(200).wait_state("CONFIRMED", 10)
    consult.wait_state("CONFIRMED", 10)
    consult.wait_media(5)
    talks(consult, lead)
    consult.hangup()
    lead.wait_state("DISCONNECTED", 10)
    leg.unhold()
    talks(d.call, leg)
    # consult again, and this time hand the caller over
    leg.hold()
    consult = agent.dial(LEAD)
    lead = rings(desks[LEAD], AGENT)
    lead.answer(200).wait_state("CONFIRMED", 10)
    consult.wait_state("CONFIRMED", 10)
    consult.wait_media(5)
    leg.transfer_replacing(consult)
    assert leg.wait_transfer(10) // 100 == 2
    leg.hangup()                # the transferor's two legs end once it worked (as the desk does)
    consult.hangup()
    leg.wait_state("DISCONNECTED", 10)
    consult.wait_state("DISCONNECTED", 10)
    assert not d.call.ended and not lead.ended
    time.sleep(0.5)
    talks(d.call, lead)
    talks(lead, d.call, "7")
    time.sleep(1)
    lead.hangup()
    d.call.wait_state("DISCONNECTED", 10)

    def sealed():
        call, recs = recordings_of(ivr, uid)
        return (call, recs) if len(recs) == 3 and all(r.sha256 for r in recs) else None
    try:
        # the seal follows the caller's hang-up handler, which waits for Asterisk to close each
        # file: on a loaded machine (two test workers) that took longer than 15 s once
        call, recs = wait_for(sealed, 30, "the agent's and both consultations' recordings, sealed")
    except AssertionError:
        _call, recs = recordings_of(ivr, uid)
        raise AssertionError("recordings not all sealed: " + "; ".join(
            f"{r.id} agent {r.agent_id} health {r.health or '-'} {r.duration_s} s sealed {bool(r.sha256)}"
            for r in recs)) from None
    assert [r.agent_id for r in recs] == [agent_id(ivr, AGENT), agent_id(ivr, LEAD), agent_id(ivr, LEAD)]
    assert all(r.ticket_id == call.ticket_id is not None for r in recs)
    assert recs[-1].duration_s > 1.0        # the consultation and the caller with the lead after it


def test_the_directory_lists_logged_in_leads_and_agents_with_their_state_and_no_secrets(ivr, desks):
    me = desks[AGENT].api
    status, data = me.call("GET", wire.DIRECTORY)
    assert status == 200, data
    by_no = {e["agent_no"]: e for e in data["entries"]}
    assert AGENT not in by_no                                   # not oneself
    assert {SHORT, LONG, LEAD} <= set(by_no)
    assert data["entries"][0]["role"] == "team_lead"            # team leads first
    assert by_no[LEAD]["state"] == "free" and by_no[LEAD]["name"] == "李班长"
    assert set(by_no[LEAD]) == {"agent_no", "name", "role", "state", "in_queue", "reason"}
    text = str(data)
    with ivr.sessions() as db:
        for secret in db.scalars(select(User.sip_secret)):
            assert secret not in text
    # a paused queue member, a phone on a call, a phone gone
    queue(ivr, SHORT, True)
    ivr.ami.action(ami_action("QueuePause", Queue=QUEUE, Interface=interface(SHORT), Paused="true",
                              Reason="用餐"))
    echo = desks[LONG].phone.dial("9000").wait_state("CONFIRMED", 10)
    try:
        def states():
            _s, d = me.call("GET", wire.DIRECTORY)
            got = {e["agent_no"]: e for e in d["entries"]}
            return got if got[SHORT]["state"] == "paused" and got[LONG]["state"] == "on_call" else None
        got = wait_for(states, 10, "paused and on-call states in the directory")
        assert got[SHORT]["reason"] == "用餐" and got[SHORT]["in_queue"]
    finally:
        echo.hangup()
        queue(ivr, SHORT, False)
    # logged out: gone from the directory; without a session: nothing to see
    desks[LEAD].api.call("POST", wire.LOGOUT)
    try:
        _s, d = me.call("GET", wire.DIRECTORY)
        assert LEAD not in {e["agent_no"] for e in d["entries"]}
    finally:
        status, _ = desks[LEAD].api.login(LEAD, PASSWORD)
        assert status == 200
    assert Api(me.base).call("GET", wire.DIRECTORY)[0] == 401
