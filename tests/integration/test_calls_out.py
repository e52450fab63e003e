"""Calls out (#15) on the real stack: real Asterisk, real SIP both ways — the agent's desk phone
(pjsua2) and the resident beyond the trunk (bench.resident, the session hotline's
HOTLINE_PSTN_OUTBOUND). A resident who pressed 1 in the queue is called back by click-to-call: the
agent's phone rings first, then the resident's with the hotline's number, audio crosses both ways,
the call is recorded on the ticket, `reached` clears the entry. A busy resident leaves a busy call
and no empty recording. A premium or international number dialled by hand is refused with the
prompt and never reaches the gateway, nor does anything the PSTN dials; an entry another agent
holds is not called (403, audited), nor any entry by the head (#25). And the real desk (pytest-qt, offscreen): 领取, 呼叫, its own leg
answered by itself and shown as 外呼, hang up, 已联系上 — the entry leaves the list."""
from __future__ import annotations

import array
import os
import time
import wave

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HOTLINE_NULL_AUDIO", "1")

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from db.models import AuditEntry, Call, CallOutcome, Recording, Role, Ticket, TicketState, User
from hotline.admin import runtime
from hotline.admin.users import add_user
from common import wire
from common.sip.phone import Phone
from conftest import close_desk, desk_window, wait_for
from test_agent_api import PASSWORD
from test_aftercall import api_as, hotline_cli
from test_ivr_calls import Dialog, ticket_of
from waiting_repairs import saves_the_read_back_form

pytestmark = pytest.mark.asterisk

AGENT, OTHER, AT_DESK, HEAD = "4611", "4612", "4613", "4614"


@pytest.fixture(scope="module")
def agents(ivr):
    with ivr.sessions() as db:
        for no in (AGENT, OTHER, AT_DESK):
            if db.scalar(select(User).where(User.agent_no == no)) is None:
                add_user(db, no, f"外呼{no}", Role.agent, PASSWORD, actor="test")
        db.commit()
    runtime.reload_agents(ivr.settings, ivr.sessions)
    with ivr.sessions() as db:
        return {no: db.scalar(select(User.sip_secret).where(User.agent_no == no)) for no in (AGENT, OTHER, AT_DESK)}


@pytest.fixture
def desk_phone(ivr, agents):
    phone = Phone.agent(ivr.stack, ivr.ports["sip"], AGENT, agents[AGENT])
    phone.wait_registered(10)
    yield phone
    phone.close()


@pytest.fixture(autouse=True)
def no_call_left_behind(ivr):
    yield
    ivr.hangup_all()


def loud(path: str) -> int:
    """The loudest sample of a WAV: well above 1000 when a tone crossed, near 0 for silence."""
    with wave.open(path) as w:
        samples = array.array("h", w.readframes(w.getnframes()))
    return max((abs(x) for x in samples), default=0)


def call_out_of(ivr, number: str) -> Call | None:
    with ivr.sessions() as db:
        return db.scalar(select(Call).where(Call.caller == number, Call.direction == "out").order_by(Call.id.desc()))


def entry_on_the_list(ivr, number: str, ticket: str, phone: str) -> None:
    """A ticket flagged for call-back, straight in the DB (the key-1 path is the first test's)."""
    with ivr.sessions() as db, db.begin():
        if db.scalar(select(Ticket).where(Ticket.number == ticket)) is None:
            now = ivr.settings.now()
            db.add(Ticket(number=ticket, state=TicketState.new, callback_requested=True,
                          callback_reason=CallOutcome.callback_requested, caller_number=phone, callback_number=phone,
                          created_at=now, updated_at=now))


def test_a_resident_who_pressed_1_is_called_back_from_the_desk_recorded_and_cleared(ivr, agents, desk_phone,
                                                                                     resident, tmp_path):
    number = "13312345661"
    d = Dialog(ivr, number)                      # the resident waits, then asks to be called back
    for _ in range(3):
        d.at("account_enter", "#")
    d.at("problem_menu", "1").at("callback_confirm", "1").recording("#")
    d.in_queue()
    time.sleep(2.5)
    d.call.send_dtmf("1")
    d.call.wait_state("DISCONNECTED", 30)
    assert d.ended().outcome is CallOutcome.callback_requested
    with ivr.sessions() as db:
        ticket = ticket_of(db, number).number

    agent = api_as(ivr, AGENT)
    assert agent.call("POST", wire.path(wire.CALLBACK_TAKE, number=ticket))[0] == 200
    resident.answer(after_s=1.0, tone_hz=700)
    mark = resident.mark()
    status, placed = agent.call("POST", wire.path(wire.CALLBACK_CALL, number=ticket))
    assert status == 200 and placed == {"ticket": ticket, "number": number, "kind": "callback", "label": "回电"}

    leg = desk_phone.wait_incoming(15)           # the agent's own phone rings first …
    assert "回电" in leg.remote_uri and number in leg.remote_uri, leg.remote_uri
    time.sleep(1)
    assert resident.calls_since(mark) == []      # … and the resident's not before it is answered
    leg.record_to(tmp_path / "agent-heard.wav")
    leg.answer()
    leg.wait_state("CONFIRMED", 5)
    rc = resident.wait_call(15)
    # the hotline's public number, not its internal extension
    assert rc.number == number and rc.caller_id == ivr.settings.public_digits != ivr.settings.extension
    rc.wait_answered(10)
    leg.play_tone(440)
    time.sleep(3)
    leg.hangup()
    leg.wait_state("DISCONNECTED", 10)
    rc.wait_ended(10)
    assert loud(leg.wait_recording(5)) > 1000, "the agent heard nothing of the resident"
    assert loud(rc.call.wait_recording(5)) > 1000, "the resident heard nothing of the agent"

    def sealed():
        call = call_out_of(ivr, number)
        if call is None or call.outcome is None:
            return None
        with ivr.sessions() as db:
            rec = db.scalar(select(Recording).where(Recording.call_id == call.id, Recording.sha256 != ""))
            return (call, rec) if rec is not None else None
    call, rec = wait_for(sealed, 15, "the call out's sealed recording")
    with ivr.sessions() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == ticket))
        me = db.scalar(select(User).where(User.agent_no == AGENT))
    assert call.outcome is CallOutcome.answered and call.ticket_id == t.id and call.agent_id == me.id
    assert call.answered_at is not None
    assert rec.ticket_id == t.id and rec.agent_id == me.id and rec.duration_s > 2
    assert os.path.exists(rec.path) and rec.path.startswith(str(ivr.settings.recordings_dir.resolve()))
    assert loud(rec.path) > 1000
    status, rows = agent.call("GET", wire.RECORDINGS)     # the agent replays their own call out
    assert status == 200 and {"id": rec.id, "ticket_number": ticket, "caller": number}.items() <= \
        next(r for r in rows if r["id"] == rec.id).items()

    status, body = agent.call("POST", wire.path(wire.CALLBACK_OUTCOME, number=ticket), {"outcome": "reached"})
    assert status == 409 and "尚未确认" in body["error"]   # the IVR's draft: confirmed in the form first
    saves_the_read_back_form(agent, ticket)
    status, body = agent.call("POST", wire.path(wire.CALLBACK_OUTCOME, number=ticket),
                              {"outcome": "reached", "note": "已回电,约明天上门"})
    assert status == 200 and not body["open"]
    out = hotline_cli(ivr, "callbacks", "--open", "--json")
    assert out.returncode == 0 and ticket not in out.stdout
    with ivr.sessions() as db:
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "call_out", AuditEntry.actor == AGENT,
                                                  AuditEntry.object_id == ticket)) is not None


def test_a_busy_resident_leaves_a_busy_call_out_and_no_empty_recording(ivr, agents, desk_phone, resident):
    number, ticket = "13312345662", "2611188801"
    entry_on_the_list(ivr, number, ticket, number)
    agent = api_as(ivr, AGENT)
    assert agent.call("POST", wire.path(wire.CALLBACK_TAKE, number=ticket))[0] == 200
    resident.busy()
    assert agent.call("POST", wire.path(wire.CALLBACK_CALL, number=ticket))[0] == 200
    leg = desk_phone.wait_incoming(15)
    leg.answer()
    rc = resident.wait_call(15)
    assert rc.number == number and rc.mode == "busy"
    leg.wait_state("DISCONNECTED", 15)                    # Dial gave up: the agent's leg ends
    call = wait_for(lambda: (c := call_out_of(ivr, number)) is not None and c.outcome is not None and c, 15,
                    "the busy call out's end")
    assert call.outcome is CallOutcome.busy and call.answered_at is None
    with ivr.sessions() as db:
        assert db.scalar(select(Recording).where(Recording.call_id == call.id)) is None
    status, body = agent.call("POST", wire.path(wire.CALLBACK_OUTCOME, number=ticket), {"outcome": "busy"})
    assert status == 200 and body["attempts"] == 1 and body["open"]


def test_premium_and_international_numbers_and_the_pstn_never_reach_the_gateway(ivr, agents, desk_phone,
                                                                                resident, tmp_path):
    mark = resident.mark()
    for n, number in enumerate(("16812345678", "0085212345678", "12590123456")):
        start = ivr.ami.mark()
        call = desk_phone.dial(number, record_to=tmp_path / f"refused-{n}.wav")
        call.wait_state("CONFIRMED", 10)
        ivr.ami.wait(lambda e: e.get("Event") == "Newexten" and e.get("Application") == "Playback"
                     and "outbound_refused" in e.get("AppData", "") and f"agent-{AGENT}" in e.get("Channel", ""),
                     timeout=10, start=start)
        call.wait_state("DISCONNECTED", 20)               # the prompt, then Asterisk hangs up
        assert loud(call.wait_recording(5)) > 1000, "the agent heard no prompt"
    caller = ivr.phone_for("13312345663")                 # the PSTN side dials a mobile: the IVR answers
    from_pstn = caller.dial("13912345678")
    from_pstn.wait_state("CONFIRMED", 10)
    time.sleep(1.5)
    from_pstn.hangup()
    time.sleep(1)
    assert resident.calls_since(mark) == []               # not one INVITE reached the gateway


def test_an_entry_another_agent_holds_is_not_called_and_the_refusal_is_audited(ivr, agents, desk_phone, resident):
    number, ticket = "13312345664", "2611188802"
    entry_on_the_list(ivr, number, ticket, number)
    mine, theirs = api_as(ivr, AGENT), api_as(ivr, OTHER)
    assert theirs.call("POST", wire.path(wire.CALLBACK_TAKE, number=ticket))[0] == 200
    mark = resident.mark()
    status, body = mine.call("POST", wire.path(wire.CALLBACK_CALL, number=ticket))
    assert status == 403 and OTHER in body["error"]
    with pytest.raises(TimeoutError):
        desk_phone.wait_incoming(3)                       # nothing rang
    assert resident.calls_since(mark) == []
    with ivr.sessions() as db:
        refused = db.scalar(select(AuditEntry).where(AuditEntry.action == "callback_call_refused",
                                                     AuditEntry.actor == AGENT, AuditEntry.object_id == ticket))
    assert refused is not None and refused.source
    status, _ = mine.call("POST", wire.path(wire.CALLBACK_CALL, number="26111888xx"))
    assert status == 404


def test_the_heads_click_to_call_is_refused_and_audited_and_nothing_rings(ivr, resident):
    """Calls out are agents' and team leads' (#25): the head works the lists but calls nobody — the
    API refuses (403, audited) as the dialplan would (the head's phone has no HOTLINE_CALLS_OUT)."""
    number, ticket = "13312345665", "2611188803"
    entry_on_the_list(ivr, number, ticket, number)
    with ivr.sessions() as db:
        if db.scalar(select(User).where(User.agent_no == HEAD)) is None:
            add_user(db, HEAD, "外呼部长", Role.head, PASSWORD, actor="test")
            db.commit()
    head, mark = api_as(ivr, HEAD), resident.mark()
    for route, action in ((wire.CALLBACK_CALL, "callback_call_refused"), (wire.SURVEY_CALL, "survey_call_refused")):
        status, body = head.call("POST", wire.path(route, number=ticket))
        assert status == 403 and body["error"], (route, status, body)
        with ivr.sessions() as db:
            assert db.scalar(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.actor == HEAD,
                                                      AuditEntry.object_id == ticket)) is not None
    assert head.call("GET", wire.CALLBACKS)[0] == 200        # the list itself is the head's to see
    time.sleep(2)
    assert resident.calls_since(mark) == []


def test_the_real_desk_calls_the_resident_answers_its_own_leg_and_records_the_outcome(qtbot, ivr, agents, resident):
    number, ticket = "13312345665", "2611188803"
    entry_on_the_list(ivr, number, ticket, number)
    w = desk_window(qtbot, ivr.ports["api"], AT_DESK, PASSWORD)
    try:
        w.show_tab("callbacks")
        cb = w.callbacks
        qtbot.waitUntil(lambda: any(r.get("ticket") == ticket for r in cb.model.rows()), timeout=10_000)
        cb.table.selectRow(next(i for i, r in enumerate(cb.model.rows()) if r["ticket"] == ticket))
        qtbot.mouseClick(cb.take_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: cb.selected().get("taken_by") == AT_DESK and cb.call_button.isEnabled(),
                        timeout=10_000)
        resident.answer(after_s=1.0, tone_hz=700)
        mark = resident.mark()
        qtbot.mouseClick(cb.call_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: w.phone.state == "talking", timeout=15_000)      # answered by itself
        assert w.desk.call_out and w.desk.call_out["ticket"] == ticket
        assert "外呼" in w.softphone.caller.text() and number in w.softphone.caller.text()
        qtbot.waitUntil(lambda: bool(resident.calls_since(mark)), timeout=15_000)
        rc = resident.calls_since(mark)[0]
        assert rc.number == number and rc.caller_id == ivr.settings.public_digits
        qtbot.waitUntil(lambda: rc.state == "CONFIRMED", timeout=10_000)
        qtbot.wait(2000)
        qtbot.mouseClick(w.softphone.hangup_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: w.phone.state == "idle" and rc.state == "DISCONNECTED", timeout=10_000)
        assert "外呼已结束" in w.status_line.text()
        cb.table.selectRow(next(i for i, r in enumerate(cb.model.rows()) if r["ticket"] == ticket))
        cb.outcome.setCurrentIndex(cb.outcome.findData("reached"))
        qtbot.mouseClick(cb.outcome_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: all(r.get("ticket") != ticket for r in cb.model.rows()), timeout=10_000)
    finally:
        close_desk(qtbot, w)
    call = wait_for(lambda: (c := call_out_of(ivr, number)) is not None and c.outcome is not None and c, 15,
                    "the desk's call out's end")
    with ivr.sessions() as db:
        assert call.outcome is CallOutcome.answered
        assert db.get(Ticket, call.ticket_id).number == ticket
        assert db.get(User, call.agent_id).agent_no == AT_DESK
