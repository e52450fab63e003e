"""The caller's path (docs/product.md §1) with real SIP calls into the private Asterisk.

A PSTN-trunk caller with a chosen number dials the hotline and answers with
RFC 4733 DTMF when the IVR starts each prompt (AGIExecStart over AMI); the
assertions read the DB, the channel variables Asterisk set (VarSet) and the
queue_log — never log text.
"""
from __future__ import annotations

import os
import re
import signal
import ssl
import time
import urllib.request

import pytest
from sqlalchemy import func, select

from db.models import Call, CallOutcome, Category, HeatingAccount, RepairStation, Ticket, TicketState
from hotline.admin import runtime
from bench.scenarios import CallerDialog
from conftest import rebind, wait_for
from waiting_repairs import agent_reaches_and_confirms_in_the_form, lead_confirms_and_dispatches, on_the_leads_list

pytestmark = pytest.mark.asterisk


# ------------------------------------------------------------- helpers --

def ticket_of(db, caller: str) -> Ticket | None:
    call = db.scalar(select(Call).where(Call.caller == caller).order_by(Call.id.desc()))
    return db.get(Ticket, call.ticket_id) if call and call.ticket_id else None


def first_station(ivr) -> str:
    with ivr.sessions() as db:
        return db.scalars(select(RepairStation.code).order_by(RepairStation.code)).first()


def call_of(db, caller: str) -> Call:
    return db.scalar(select(Call).where(Call.caller == caller).order_by(Call.id.desc()))


class Dialog(CallerDialog):
    """A caller of the test session's hotline, with the DB at hand."""

    def __init__(self, ivr, number: str):
        super().__init__(ivr.ami, ivr.phone_for(number), ivr.settings.extension, number)
        self.ivr = ivr

    def ended(self, timeout=15, step: str = "") -> Call:
        """The call record once its outcome (the hang-up handler) and, given `step`, the step the
        flow was in (the flow writes it as it ends) are both in."""
        def done():
            with self.ivr.sessions() as db:
                c = call_of(db, self.number)
                return c if c is not None and c.outcome is not None and (not step or c.last_step == step) \
                    else None
        return wait_for(done, timeout, "the call record's outcome" + (f" at step {step}" if step else ""))


def scrape(ivr) -> str:
    """GET /metrics from the server itself, as Prometheus on the server scrapes it (no session)."""
    url = f"{ivr.state['api_url']}/metrics"
    ctx = ssl.create_default_context(cafile=ivr.state["api_ca"]) if url.startswith("https:") else None
    if ctx is not None:
        ctx.check_hostname = False
    with urllib.request.urlopen(url.replace("://localhost", "://127.0.0.1"), timeout=10, context=ctx) as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain")
        return r.read().decode()


def figure(text: str, name: str) -> float:
    m = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert m, f"{name} not in /metrics"
    return float(m.group(1))


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
    before = scrape(ivr)
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
        t = ticket_of(db, account["phone"])
        assert t.callback_requested is True
    # the service's own figures (#29): the call's AGI commands in the turnaround histogram, the call
    # counted by its outcome — and neither the resident's number nor their name in the text
    after = scrape(ivr)
    turnarounds = "hotline_fastagi_turnaround_seconds_count"
    assert figure(after, turnarounds) >= figure(before, turnarounds) + 5, "the call's AGI commands are not observed"
    assert figure(after, 'hotline_fastagi_turnaround_seconds_bucket{le="+Inf"}') == figure(after, turnarounds)
    abandoned = 'hotline_calls_total{outcome="abandoned"}'
    assert figure(after, abandoned) >= (figure(before, abandoned) if abandoned in before else 0) + 1
    assert 'hotline_part_up{part="fastagi"} 1.0' in after and 'hotline_part_up{part="ami"} 1.0' in after
    assert account["phone"] not in after and t.name_snapshot and t.name_snapshot not in after
    on_the_leads_list(ivr, t.number, "abandoned")
    # the resident calls again before anybody called back: they hear the call-back is booked (not
    # "已受理", which it is not yet)
    again = Dialog(ivr, account["phone"])
    again.at("address_confirm", "1").at("open_ticket_offer", "1").at("ticket_status_intro")
    again.at("state_callback_booked")
    again.hangup()
    lead_confirms_and_dispatches(ivr, t.number)         # the address suggests the station


def test_unknown_caller_keys_a_valid_account_and_reports_a_leak_with_priority(ivr, accounts):
    account = accounts[1]
    number = "13312345601"
    d = Dialog(ivr, number)
    d.at("account_enter", account["account_no"] + "#").at("address_confirm_rekey", "1")
    d.at("problem_menu", "2").at("callback_confirm", "1").recording("#")
    d.in_queue()
    with ivr.sessions() as db:
        t = ticket_of(db, number)
        assert t.account_id == account["id"] and t.category is Category.leak and t.priority == 50   # 加急, on the scale the desk shows
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
    on_the_leads_list(ivr, t.number, "callback_requested")
    agent_reaches_and_confirms_in_the_form(ivr, t.number)


def test_hangup_in_ivr_records_where(ivr):
    number = "13312345606"
    d = Dialog(ivr, number)
    d.at("account_enter")
    d.hangup()
    call = d.ended(step="identify")
    assert call.outcome is CallOutcome.in_ivr_hangup


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
        on_the_leads_list(ivr, t.number, "after_hours_message")
        lead_confirms_and_dispatches(ivr, t.number, station=first_station(ivr))   # no account: the lead picks
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


def test_a_caller_who_gave_up_while_the_service_was_down_is_reconciled_onto_the_call_back_list(ivr):
    """Service down for the whole call: the dialplan greets and queues, the caller gives up. When
    the service is back, Asterisk's queue_log gives the call a record (the reports count it) and
    the caller a call-back ticket — nobody is lost because Python was away."""
    number = "13312345611"
    os.kill(ivr.service_pid(), signal.SIGKILL)
    try:
        d = Dialog(ivr, number)
        uniqueid = d.in_queue(timeout=30)["Uniqueid"]
        assert d.vars().get("HOTLINE_DEGRADED") == "1"
        d.hangup()
        ivr.ami.wait(lambda e: e.get("Event") == "QueueCallerAbandon" and e.get("Uniqueid") == uniqueid,
                     timeout=15, start=d.mark)
        with ivr.sessions() as db:
            assert db.scalar(select(Call).where(Call.uniqueid == uniqueid)) is None   # nobody wrote it
    finally:
        ivr.restart_service(today="2026-11-23T10:00")

    def reconciled():
        with ivr.sessions() as db:
            call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
            return call if call is not None and call.ticket_id else None
    wait_for(reconciled, 20, "the degraded call's record")
    with ivr.sessions() as db:
        call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
        assert call.caller == number and call.last_step == "reconciled"
        assert call.outcome is CallOutcome.abandoned and call.queued_at and call.ended_at
        t = db.get(Ticket, call.ticket_id)
        assert t.callback_requested and t.callback_reason is CallOutcome.abandoned and t.callback_number == number
        assert db.scalar(select(func.count()).select_from(Call).where(Call.uniqueid == uniqueid)) == 1
    on_the_leads_list(ivr, t.number, "degraded")
    lead_confirms_and_dispatches(ivr, t.number, station=first_station(ivr))


def test_the_admin_scenarios_pass_on_the_live_dialplan(ivr):
    """`hotline dialplan test` runs these same scenarios against a scratch hotline."""
    from bench.scenarios import run_scenarios
    results = run_scenarios(ivr.ami, ivr.phone_for, ivr.settings.extension, echo=lambda m: None)
    assert [r.name for r in results if not r.passed] == [], [r.message for r in results]


# ------------------------------------------------ issue 13: call-centre correctness --

def _ticket_spoken(d: Dialog) -> None:
    d.at("ticket_number_is").at("ticket_number_repeat")


def test_nobody_logged_in_the_caller_is_offered_the_call_back_and_booked_without_a_key(ivr, no_agent_logged_in):
    number = "13312345620"
    d = Dialog(ivr, number)
    for _ in range(3):
        d.at("account_enter", "#")
    d.at("problem_menu", "1").at("callback_confirm", "1").recording("#")
    d.at("ticket_number_is")
    # no QueueCallerJoin: the queue has nobody, Queue() returns JOINEMPTY at once
    # silence twice: the offer with the choice (one Read), then the choice again
    d.at("no_agent_offer").at("no_agent_choice")
    d.at("no_agent_booked").at("ticket_number_is").at("goodbye")
    d.call.wait_state("DISCONNECTED", 30)
    assert not ivr.ami.of_caller(number, "QueueCallerJoin", d.mark)
    call = d.ended()
    assert call.outcome is CallOutcome.no_agent
    with ivr.sessions() as db:
        t = ticket_of(db, number)
        assert t.callback_requested and t.callback_reason is CallOutcome.no_agent
        assert t.category is Category.no_heat and d.vars()["HOTLINE_TICKET"] == t.number
    on_the_leads_list(ivr, t.number, "no_agent")
    agent_reaches_and_confirms_in_the_form(ivr, t.number)


def test_nobody_logged_in_key_2_leaves_a_message(ivr, no_agent_logged_in):
    number = "13312345621"
    d = Dialog(ivr, number)
    for _ in range(3):
        d.at("account_enter", "#")
    d.at("problem_menu", "0")
    d.at("no_agent_choice", "2").at("no_agent_record").recording("#")
    d.at("no_agent_booked").at("goodbye")
    d.call.wait_state("DISCONNECTED", 30)
    d.ended()
    with ivr.sessions() as db:
        t = ticket_of(db, number)
        assert t.callback_requested and t.callback_reason is CallOutcome.no_agent
        assert t.voice_path and os.path.getsize(t.voice_path) > 44


def _regenerate(ivr, **changes):
    """The live Asterisk's generated config from changed Settings, then `dialplan reload`."""
    s = rebind(ivr.settings, **({"max_wait_s": ivr.settings.max_wait_s,
                                 "callback_offer_s": ivr.settings.callback_offer_s} | changes))
    ast = runtime.live_asterisk(s)
    ast.agents = runtime.agent_phones(ivr.sessions)
    ast.write_config()
    runtime.reload_dialplan(s)


def test_after_the_maximum_wait_the_caller_is_offered_the_call_back_and_key_1_books_it(ivr):
    _regenerate(ivr, max_wait_s=6, callback_offer_s=4)
    try:
        # Settings.callback_offer_s drives the queue's periodic offer (no more hard-coded 60): the
        # generated part queues.conf [repair] includes (GetConfig on queues.conf needs more than
        # the admin AMI user's rights, so the live value is not read back)
        generated = (ivr.settings.asterisk_dir / "etc" / "queue_repair.generated.conf").read_text()
        assert "periodic-announce-frequency = 4" in generated
        assert "#include queue_repair.generated.conf" in (ivr.settings.dialplan_dir / "queues.conf").read_text()
        number = "13312345622"
        d = Dialog(ivr, number)
        for _ in range(3):
            d.at("account_enter", "#")
        d.at("problem_menu", "0")
        joined = d.in_queue()       # the stand-by agent is logged in (paused): the caller waits
        d.at("max_wait_offer", timeout=30)
        left = ivr.ami.wait(lambda e: e.get("Event") == "QueueCallerLeave" and e.get("CallerIDNum") == number,
                            timeout=5, start=d.mark)
        assert joined and left
        d.at("no_agent_choice", "1").at("no_agent_booked").at("ticket_number_is").at("goodbye")
        d.call.wait_state("DISCONNECTED", 30)
        assert d.ended().outcome is CallOutcome.max_wait
        with ivr.sessions() as db:
            t = ticket_of(db, number)
            assert t.callback_requested and t.callback_reason is CallOutcome.max_wait
        on_the_leads_list(ivr, t.number, "max_wait")
        lead_confirms_and_dispatches(ivr, t.number, station=first_station(ivr))
    finally:
        _regenerate(ivr)


def test_a_hang_up_in_the_ivr_after_the_problem_is_known_flags_the_ticket_for_call_back(ivr):
    number = "13312345623"
    d = Dialog(ivr, number)
    for _ in range(3):
        d.at("account_enter", "#")
    d.at("problem_menu", "2").at("callback_confirm")
    d.hangup()
    call = d.ended(step="callback")
    assert call.outcome is CallOutcome.in_ivr_hangup
    with ivr.sessions() as db:
        t = ticket_of(db, number)
        assert t.category is Category.leak and t.callback_requested
        assert t.callback_reason is CallOutcome.in_ivr_hangup
    on_the_leads_list(ivr, t.number, "in_ivr_hangup")
    agent_reaches_and_confirms_in_the_form(ivr, t.number)


def test_a_ticket_that_is_done_is_not_offered_as_open(ivr, accounts):
    account = accounts[4]
    with ivr.sessions() as db, db.begin():
        for i, state in enumerate((TicketState.completed, TicketState.followed_up, TicketState.resolved)):
            db.add(Ticket(number=f"261120990{i}", account_id=account["id"], state=state, category=Category.other))
    d = Dialog(ivr, account["phone"])
    d.at("address_confirm", "1")
    i, _ = ivr.ami.wait_at(lambda e: e.get("Event") == "AGIExecStart" and e.get("CallerIDNum") == account["phone"]
                           and ("hotline/problem_menu" in e.get("Command", "")
                                or "hotline/open_ticket_offer" in e.get("Command", "")), timeout=30, start=d.pos)
    assert "problem_menu" in ivr.ami.events[i].get("Command", ""), "a finished ticket was offered as open"
    d.hangup()


def test_star_repeats_the_ticket_number(ivr):
    number = "13312345624"
    d = Dialog(ivr, number)
    for _ in range(3):
        d.at("account_enter", "#")
    d.at("problem_menu", "3").at("callback_confirm", "1").recording("#")
    d.at("ticket_number_is").at("ticket_number_repeat", "*")
    d.at("ticket_number_is").at("ticket_number_repeat")
    d.in_queue()
    d.hangup()


def test_the_degraded_path_greets_with_the_days_opener(ivr):
    ivr.restart_service(today="2027-02-06T10:00")         # 春节: the service writes 新年好's id
    try:
        wait_for(lambda: ivr.settings.opener_file.exists()
                 and ivr.settings.opener_file.read_text() == "greeting_xinnian", 15, "the day's opener file")
        os.kill(ivr.service_pid(), signal.SIGKILL)
        number = "13312345625"
        d = Dialog(ivr, number)
        e = ivr.ami.wait(lambda e: e.get("Event") == "Newexten" and e.get("CallerIDNum") == number
                         and e.get("Application") == "Playback" and "greeting_" in e.get("AppData", ""),
                         timeout=30, start=d.mark)
        assert e["AppData"] == "hotline/greeting_xinnian", e
        d.in_queue(timeout=30)
        d.hangup()
    finally:
        ivr.restart_service(today="2026-11-23T10:00")
    wait_for(lambda: ivr.settings.opener_file.read_text() == "greeting_hello", 15, "您好 back")


def test_cdrs_are_written_under_the_home_and_private(ivr):
    number = "13312345626"
    d = Dialog(ivr, number)
    d.at("account_enter")
    d.hangup()
    d.ended()
    master = ivr.settings.cdr_dir / "Master.csv"
    wait_for(lambda: master.exists() and number in master.read_text(errors="replace"), 15, "the call's CDR")
    assert (master.parent.stat().st_mode & 0o077) == 0
