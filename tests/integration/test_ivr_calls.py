"""The caller's path (docs/product.md §1) with real SIP calls into the private Asterisk.

A PSTN-trunk caller with a chosen number dials the hotline and answers with
RFC 4733 DTMF when the IVR starts each prompt (AGIExecStart over AMI); the
assertions read the DB, the channel variables Asterisk set (VarSet) and the
queue_log — never log text.
"""
from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import select

from db.models import Call, CallOutcome, Category, HeatingAccount, Ticket, TicketState
from hotline.bench.scenarios import CallerDialog
from conftest import wait_for

pytestmark = pytest.mark.asterisk


# ------------------------------------------------------------- helpers --

def ticket_of(db, caller: str) -> Ticket | None:
    call = db.scalar(select(Call).where(Call.caller == caller).order_by(Call.id.desc()))
    return db.get(Ticket, call.ticket_id) if call and call.ticket_id else None


def call_of(db, caller: str) -> Call:
    return db.scalar(select(Call).where(Call.caller == caller).order_by(Call.id.desc()))


class Dialog(CallerDialog):
    """A caller of the test session's hotline, with the DB at hand."""

    def __init__(self, ivr, number: str):
        super().__init__(ivr.ami, ivr.phone_for(number), ivr.settings.extension, number)
        self.ivr = ivr

    def ended(self, timeout=15) -> Call:
        def done():
            with self.ivr.sessions() as db:
                c = call_of(db, self.number)
                return c if c is not None and c.outcome is not None else None
        return wait_for(done, timeout, "the call record's outcome")


@pytest.fixture(autouse=True)
def no_call_left_behind(ivr):
    """A failed step must not leave its caller waiting in the queue for the next test."""
    yield
    ivr.hangup_all()


@pytest.fixture(scope="module")
def accounts(ivr):
    """Demo accounts, each with a mobile that belongs to it alone; each test takes its own."""
    out = []
    with ivr.sessions() as db:
        for acc in db.scalars(select(HeatingAccount).order_by(HeatingAccount.id)):
            phones = [p.phone for p in acc.phones if p.phone.startswith("1")]
            if phones:
                out.append({"id": acc.id, "account_no": acc.account_no, "phone": phones[0]})
    assert len(out) >= 5, "demo data has too few accounts with a mobile"
    return out


@pytest.fixture
def account(accounts):
    return accounts[0]


# ------------------------------------------------------------- scenarios --

def test_known_caller_confirms_address_and_reports_no_heat(ivr, account):
    d = Dialog(ivr, account["phone"])
    d.at("greeting_hello").at("greeting_welcome")
    d.at("address_confirm", "1").at("problem_menu", "1").at("callback_confirm", "1")
    d.recording("#").at("ticket_number_is")
    d.in_queue()
    v = d.vars()
    assert v["HOTLINE_ROUTE"] == "queue" and v["HOTLINE_CATEGORY"] == "no_heat"
    assert v["HOTLINE_ACCOUNT"] == account["account_no"] and v["HOTLINE_CALLBACK"] == account["phone"]
    with ivr.sessions() as db:
        t = ticket_of(db, account["phone"])
        assert t.account_id == account["id"] and t.category is Category.no_heat
        assert t.state is TicketState.draft and t.callback_number == account["phone"]
        assert t.priority == 0 and t.address_snapshot
        assert v["HOTLINE_TICKET"] == t.number
    assert any(line.split("|")[4] == "ENTERQUEUE" and line.split("|")[2] == "repair"
               for line in ivr.queue_log_lines())
    d.hangup()
    call = d.ended()
    assert call.outcome is CallOutcome.abandoned
    with ivr.sessions() as db:
        assert ticket_of(db, account["phone"]).callback_requested is True


def test_unknown_caller_keys_a_valid_account_and_reports_a_leak_with_priority(ivr, accounts):
    account = accounts[1]
    number = "13312345601"
    d = Dialog(ivr, number)
    d.at("account_enter", account["account_no"] + "#").at("address_confirm_rekey", "1")
    d.at("problem_menu", "2").at("callback_confirm", "1").recording("#")
    d.in_queue()
    with ivr.sessions() as db:
        t = ticket_of(db, number)
        assert t.account_id == account["id"] and t.category is Category.leak and t.priority > 0
    assert d.vars()["HOTLINE_PRIORITY"] == str(t.priority)
    d.hangup()


def test_unknown_account_three_times_continues_without_account(ivr):
    number = "13312345602"
    d = Dialog(ivr, number)
    d.at("account_enter", "99999999#").at("account_not_found")
    d.at("account_enter", "*#*#").at("account_enter", "1234567890123456789012345678901234567890#")
    d.at("account_continue_without").at("problem_menu", "0")
    d.in_queue()
    with ivr.sessions() as db:
        t = ticket_of(db, number)
        assert t.account_id is None and t.category is None
    d.hangup()
    assert d.ended().outcome is CallOutcome.abandoned


def test_invalid_keys_and_silence_on_the_problem_menu_go_to_an_agent(ivr):
    number = "13312345603"
    d = Dialog(ivr, number)
    d.at("account_enter", "#").at("account_enter", "#").at("account_enter", "#")
    d.at("problem_menu", "9").at("invalid_key").at("problem_menu")  # silence
    d.at("no_input").at("problem_menu", "*")
    d.in_queue()
    assert d.vars()["HOTLINE_ROUTE"] == "queue"
    d.hangup()


def test_callback_number_rekeyed_invalid_then_valid(ivr, accounts):
    account = accounts[2]
    d = Dialog(ivr, account["phone"])
    d.at("address_confirm", "1").at("problem_menu", "3").at("callback_confirm", "2")
    d.at("callback_enter", "123#").at("callback_invalid")
    d.at("callback_enter", "02425610001#").at("callback_confirm", "1")
    d.recording("#").in_queue()
    with ivr.sessions() as db:
        t = ticket_of(db, account["phone"])
        assert t.callback_number == "02425610001" and t.category is Category.noise
    d.hangup()


def test_voice_description_is_kept_with_the_ticket(ivr):
    number = "13312345604"
    d = Dialog(ivr, number)
    for _ in range(3):
        d.at("account_enter", "#")
    d.at("problem_menu", "1").at("callback_confirm", "1")
    d.recording("#")
    d.in_queue()
    with ivr.sessions() as db:
        t = ticket_of(db, number)
    assert t.voice_path and os.path.getsize(t.voice_path) > 44
    assert d.vars()["HOTLINE_VOICE"] == t.voice_path
    d.hangup()


def test_open_ticket_status_then_agent(ivr, accounts):
    account = accounts[3]
    with ivr.sessions() as db, db.begin():
        open_t = Ticket(number="2611209999", account_id=account["id"], state=TicketState.dispatched,
                        category=Category.no_heat)
        db.add(open_t)
    d = Dialog(ivr, account["phone"])
    d.at("address_confirm", "1").at("open_ticket_offer", "1")
    d.at("state_dispatched").at("after_status_menu", "0")
    d.in_queue()
    assert d.vars()["HOTLINE_TICKET"] == "2611209999"
    with ivr.sessions() as db:
        assert call_of(db, account["phone"]).ticket_id == open_t.id
    d.hangup()


def test_callback_instead_of_waiting(ivr):
    number = "13312345605"
    d = Dialog(ivr, number)
    for _ in range(3):
        d.at("account_enter", "#")
    d.at("problem_menu", "4").at("callback_confirm", "1").recording("#")
    d.in_queue()
    time.sleep(2.5)   # after the join announcements
    d.call.send_dtmf("1")
    ivr.ami.wait(lambda e: e.get("Event") == "AGIExecStart" and e.get("CallerIDNum") == number
                 and "hotline/callback_thanks" in e.get("Command", ""), timeout=20, start=d.mark)
    d.call.wait_state("DISCONNECTED", 20)
    call = d.ended()
    assert call.outcome is CallOutcome.callback_requested
    with ivr.sessions() as db:
        t = ticket_of(db, number)
        assert t.callback_requested and t.category is Category.other


def test_hangup_in_ivr_records_where(ivr):
    number = "13312345606"
    d = Dialog(ivr, number)
    d.at("account_enter")
    d.hangup()
    call = d.ended()
    assert call.outcome is CallOutcome.in_ivr_hangup and call.last_step == "identify"


def test_odd_caller_ids_are_never_a_crash(ivr):
    for raw in ("1" * 40, "'; DROP TABLE call;--"):
        mark = ivr.ami.mark()
        call = ivr.phone_for(raw).dial(ivr.settings.extension)
        call.wait_state("CONFIRMED", 10)
        ivr.ami.wait(lambda e: e.get("Event") == "AGIExecStart" and "hotline/account_enter" in e.get("Command", ""),
                     timeout=25, start=mark)
        call.hangup()
        call.wait_state("DISCONNECTED", 10)
    with ivr.sessions() as db:
        assert all(len(c.caller) <= 20 for c in db.scalars(select(Call)))


# ----------------------------------------------- calendar-dependent paths --

def test_spring_festival_opener_vs_ordinary_day(ivr):
    ivr.restart_service(today="2027-02-06T10:00")
    try:
        d = Dialog(ivr, "13312345607")
        d.at("greeting_xinnian").at("greeting_welcome")
        d.hangup()
    finally:
        ivr.restart_service(today="2026-11-23T10:00")
    d = Dialog(ivr, "13312345608")
    d.at("greeting_hello").at("greeting_welcome")
    d.hangup()


def test_after_hours_message_becomes_a_callback_ticket(ivr):
    ivr.restart_service(today="2026-07-04T22:30")  # summer, Saturday night
    try:
        number = "13312345609"
        d = Dialog(ivr, number)
        d.at("after_hours").recording("#").at("callback_confirm", "1").at("after_hours_thanks")
        d.call.wait_state("DISCONNECTED", 20)
        call = d.ended()
        assert call.outcome is CallOutcome.after_hours_message
        with ivr.sessions() as db:
            t = ticket_of(db, number)
            assert t.callback_requested and t.callback_number == number
    finally:
        ivr.restart_service(today="2026-11-23T10:00")


def test_service_killed_mid_call_caller_still_reaches_the_queue(ivr):
    number = "13312345610"
    d = Dialog(ivr, number)
    d.at("account_enter")
    os.kill(ivr.service_pid(), signal.SIGKILL)
    try:
        d.in_queue(timeout=30)
        assert d.vars().get("HOTLINE_DEGRADED") == "1"
        d.hangup()
    finally:
        ivr.restart_service(today="2026-11-23T10:00")


def test_the_admin_scenarios_pass_on_the_live_dialplan(ivr):
    """`hotline dialplan test` runs these same scenarios against a scratch hotline."""
    from hotline.bench.scenarios import run_scenarios
    results = run_scenarios(ivr.ami, ivr.phone_for, ivr.settings.extension, echo=lambda m: None)
    assert [r.name for r in results if not r.passed] == [], [r.message for r in results]
