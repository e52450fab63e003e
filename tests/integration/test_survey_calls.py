"""The automated 回访 call (#15) on the real stack: Asterisk 22 originates, real SIP reaches a pjsua2
resident on the PSTN side of the trunk, the resident keys RFC 4733 DTMF when each prompt starts.

- `hotline survey call T` (the CLI records the request, wakes the service with an AMI UserEvent, the
  service originates Local/<ref>@survey-dial/n, the attempt's token in its variables): a resident who keys 1,1,1,1,9,# (方便, 解决,
  满意, 收费, 9 分) and says nothing for e ends with the answers stored (channel ivr), the fee
  reminder read (unpaid), the ticket followed_up, `tickets show` carrying it.
- automated-first on a moved clock: a busy resident is not called again before the retry time, is
  after it; unanswered, called again after the next; after the last attempt (3) the ticket is the
  agents' (their 回访 list shows it, audited survey_gave_up) and nobody calls any more.
- refusals: an unknown ticket, one not completed, outside the hours — exit 2, one line.
- toll fraud (#25): a caller keys 0068212345 and a premium number as call-back, the repair completes in
  automated mode, and no INVITE for either ever reaches the trunk: the IVR took neither, the dialer
  gives the ticket to people with an audited note; a service told those classes are allowed (its
  settings not Asterisk's) still gets none dialled — [survey-dial] checks [number-class] too.

The hotline here is the module's own (the dialer's mode changes per test, so no other test's completed
repair is ever called); the resident is the session's (tests/conftest.py).
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from conftest import IvrHarness, rebind, scratch, wait_for
from db.models import (AuditEntry, Call, HeatingAccount, Recording, Survey, SurveyCall, Ticket, TicketState,
                       TicketTransition)
from hotline.admin import runtime
from bench.scenarios import CallerDialog, PromptDialog
from bench.scratch import scratch_hotline

pytestmark = pytest.mark.asterisk

NOW = "2026-11-23T10:00"
RING_S = 8           # the resident's phone rings this long before NOANSWER (HOTLINE_OUTBOUND_RING_S)


@pytest.fixture(scope="module")
def line(tmp_path_factory, pstn_resident):
    """The module's hotline; its trunk's outbound side is the session's resident (bench.resident:
    one pjsua2 line that takes every call, whatever the number); mode agents to begin with. It has
    no public number (HOTLINE_PUBLIC_NUMBER, the session hotline's has one): calls out present none."""
    s = scratch(tmp_path_factory.mktemp("survey-home"), pstn_outbound=pstn_resident.target, public_number="",
                outbound_ring_s=str(RING_S), survey_mode="agents", survey_max_attempts="3",
                survey_retry_min="5", survey_concurrency="4", today=NOW)
    with scratch_hotline(s, accounts=12):
        h = IvrHarness(s)
        try:
            yield h
        finally:
            h.close()


def cli(h, *args, today: str | None = None, settings=None, timeout: float = 240) -> subprocess.CompletedProcess:
    """`hotline …` with the service's own settings (its clock, its survey mode)."""
    s = settings or h.settings
    env = runtime.service_env(s.replace(today=today or s.today))
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


_seq = iter(range(1, 1000))


def completed_repair(h, number: str, fee_status: str = "unpaid") -> str:
    """A repair the station has just done (返单), on a demo account whose fee is `fee_status`,
    with the resident's `number` to call back."""
    n = next(_seq)
    ticket = f"261122{9000 + n}"
    with h.sessions() as db, db.begin():
        acc = db.scalars(select(HeatingAccount).order_by(HeatingAccount.id)).all()[n]
        acc.fee_status = fee_status
        at = datetime.fromisoformat(NOW) - timedelta(hours=3)
        t = Ticket(number=ticket, account_id=acc.id, caller_number=number, callback_number=number,
                   state=TicketState.completed, address_snapshot=acc.address, name_snapshot=acc.name,
                   created_at=at - timedelta(days=1), updated_at=at)
        t.transitions.append(TicketTransition(state=TicketState.new, at=at - timedelta(days=1)))
        t.transitions.append(TicketTransition(state=TicketState.completed, at=at, note="更换阀门,已恢复供暖"))
        db.add(t)
    return ticket


def got_ticket_id(h, ticket: str) -> int:
    with h.sessions() as db:
        return db.scalar(select(Ticket.id).where(Ticket.number == ticket))


def attempts(h, ticket: str) -> list[SurveyCall]:
    with h.sessions() as db:
        return list(db.scalars(select(SurveyCall).join(Ticket, SurveyCall.ticket_id == Ticket.id)
                               .where(Ticket.number == ticket).order_by(SurveyCall.id)))


class OnTheLine(PromptDialog):
    """The resident on an answered survey call: the survey flow runs on the call's ;1 half."""

    def __init__(self, h, attempt: str, call, start: int):
        super().__init__(h.ami, call, start)
        self.channel = f"Local/{attempt}@survey-dial-"     # the attempt's random ref

    def mine(self, event: dict) -> bool:
        return event.get("Channel", "").startswith(self.channel) and event.get("Channel", "").endswith(";1")


def test_a_resident_who_keys_1_1_1_1_9_hash_is_surveyed_by_the_automated_call(line, resident):
    number = "13612340001"
    resident.answer(after_s=0.5)
    ticket = completed_repair(line, number, "unpaid")
    mark = line.ami.mark()
    t0 = time.monotonic()
    cli_run = subprocess.Popen([sys.executable, "-m", "hotline.cli", "survey", "call", ticket, "--json"],
                               env=runtime.service_env(line.settings), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        rc = resident.wait_call(30)
        # the CLI's UserEvent woke the dialer: its own round comes a minute after the last one,
        # which ran when the service logged in to AMI, before this test began
        assert time.monotonic() - t0 < 20
        # no public number configured: no number at all (From anonymous, no asserted identity),
        # never the internal extension; the gateway or carrier decides what the resident sees
        assert rc.number == number and (rc.caller_id, rc.asserted) == ("anonymous", "")
        attempt = attempts(line, ticket)[-1].ref
        rc.wait_answered(10)
        d = OnTheLine(line, attempt, rc.call, mark)
        d.at("survey_opening").at("survey_convenient", "1")
        d.at("survey_solved", "1").at("survey_attitude", "1").at("survey_charged", "1")
        d.at("survey_score", "9#")
        d.recording_started()            # e: nothing said; 3 s of silence end it
        d.at("survey_fee_reminder", timeout=40).at("survey_closing").at("survey_closing_this_hotline")
        d.at("survey_closing_end")
        rc.wait_ended(30)
        out, err = cli_run.communicate(timeout=60)
    finally:
        if cli_run.poll() is None:
            cli_run.kill()
    assert cli_run.returncode == 0, err
    got = json.loads(out)
    assert got["outcome"] == "done" and got["ticket"] == ticket and got["ticket_state"] == "followed_up"
    with line.sessions() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == ticket))
        s = db.scalar(select(Survey).where(Survey.ticket_id == t.id))
        assert t.state is TicketState.followed_up
        assert (s.solved, s.attitude, s.charged, s.score, s.fee_reminder) == (True, "satisfied", True, 9, True)
        assert s.channel == "ivr" and s.user_id is None
        assert s.comment_recording and s.comment_recording.startswith(str(line.settings.recordings_dir.resolve()))
        c = db.scalar(select(Call).where(Call.ticket_id == t.id, Call.direction == "survey"))
        assert c is not None and c.caller == number and c.ended_at is not None
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "survey", AuditEntry.actor == "ivr",
                                                  AuditEntry.object_id == ticket)) is not None
        call_id = c.id

    def sealed():
        with line.sessions() as db:
            return db.scalar(select(Recording).where(Recording.call_id == call_id, Recording.sha256 != ""))
    rec = wait_for(sealed, 10, "the survey call's sealed recording")
    assert rec.ticket_id == got_ticket_id(line, ticket) and rec.duration_s > 10   # the whole call
    assert hashlib.sha256(open(rec.path, "rb").read()).hexdigest() == rec.sha256
    shown = cli(line, "tickets", "show", ticket, "--json")
    assert shown.returncode == 0, shown.stderr
    sv = json.loads(shown.stdout)["survey"]
    assert sv["channel"] == "ivr" and sv["by"] == "ivr" and sv["score"] == 9 and sv["comment_recording"] is True
    stats = cli(line, "survey", "stats", "--by", "ticket", "--json")
    assert next(r for r in json.loads(stats.stdout) if r["ticket"] == ticket)["by_ivr"] == 1


def test_busy_and_unanswered_residents_are_retried_per_policy(line, resident):
    number = "13612340002"
    ticket = completed_repair(line, number)
    original = line.settings
    auto = original.replace(survey_mode="automated-first")
    retry_at = datetime.fromisoformat(NOW) + timedelta(minutes=5)

    def ended(n: int) -> list[SurveyCall]:
        return wait_for(lambda: (lambda a: a if len(a) == n and a[-1].ended_at else None)(attempts(line, ticket)),
                        RING_S + 30, f"attempt {n} ended")
    try:
        resident.busy()
        mark = resident.mark()
        runtime.restart_service(auto)          # 10:00: the dialer calls the completed repair itself
        assert resident.wait_call(30).number == number
        first = ended(1)
        assert first[-1].outcome == "busy" and first[-1].next_at == retry_at
        listed = {r["ticket"]: r for r in json.loads(cli(line, "survey", "list", "--json", settings=auto).stdout)}
        assert listed[ticket]["automated"]["owner"] == "dialer"      # not on the agents' list yet
        time.sleep(5)                          # the clock stands at 10:00: not before the retry time
        assert len(resident.calls_since(mark)) == 1 and len(attempts(line, ticket)) == 1

        resident.never_answer()
        runtime.restart_service(auto.replace(today="2026-11-23T10:06"))      # past the retry time
        assert resident.wait_call(30).number == number
        second = ended(2)
        assert second[-1].outcome == "no_answer" and second[-1].next_at == datetime(2026, 11, 23, 10, 11)

        runtime.restart_service(auto.replace(today="2026-11-23T10:12"))      # and again: the last try
        assert resident.wait_call(30).number == number
        last = ended(3)
        assert last[-1].outcome == "no_answer" and last[-1].next_at is None   # given up
        listed = {r["ticket"]: r for r in json.loads(
            cli(line, "survey", "list", "--json", settings=auto, today="2026-11-23T10:12").stdout)}
        a = listed[ticket]["automated"]
        assert a["owner"] == "agents" and a["attempts"] == 3 and a["next_at"] is None, a
        with line.sessions() as db:
            assert db.scalar(select(AuditEntry).where(AuditEntry.action == "survey_gave_up",
                                                      AuditEntry.object_id == ticket)) is not None
        time.sleep(3)
        assert len(resident.calls_since(mark)) == 3
    finally:
        runtime.restart_service(original)


def test_the_cli_refuses_unknown_not_completed_and_out_of_hours_tickets(line, resident):
    number = "13612340004"
    ticket = completed_repair(line, number)
    mark = resident.mark()
    unknown = cli(line, "survey", "call", "2699999999")
    assert unknown.returncode == 2 and len(unknown.stderr.strip().splitlines()) == 1 and "没有" in unknown.stderr
    with line.sessions() as db, db.begin():
        db.scalar(select(Ticket).where(Ticket.number == ticket)).state = TicketState.contacted
    early = cli(line, "survey", "call", ticket)
    assert early.returncode == 2 and "不在回访列表" in early.stderr and len(early.stderr.strip().splitlines()) == 1
    with line.sessions() as db, db.begin():
        db.scalar(select(Ticket).where(Ticket.number == ticket)).state = TicketState.completed
    late = cli(line, "survey", "call", ticket, today="2026-11-23T21:30")
    assert late.returncode == 2 and "09:00-20:00" in late.stderr and len(late.stderr.strip().splitlines()) == 1
    assert resident.calls_since(mark) == [] and attempts(line, ticket) == []


def test_a_call_back_number_abroad_or_premium_is_never_dialled_even_in_automated_mode(line, resident):
    caller = "0085212345678"                  # the caller's own number is one abroad too
    refused = {caller, "0068212345", "16812345678"}
    resident.busy()                           # any other completed repair the dialer calls: ended at once
    mark = resident.mark()
    d = CallerDialog(line.ami, line.phone_for(caller), line.settings.extension, caller)
    for _ in range(3):
        d.at("account_enter", "#")
    d.at("problem_menu", "1")
    for typed in ("0068212345#", "16812345678#", "0068212345#"):    # no confirm offered: nothing to call
        d.at("callback_enter", typed).at("callback_not_dialable")
    d.recording("#")
    d.at("ticket_number_is")
    uniqueid = line.ami.wait(lambda e: e.get("Event") == "Newchannel" and e.get("CallerIDNum") == caller,
                             start=d.mark)["Uniqueid"]
    d.hangup()

    def drafted():
        with line.sessions() as db:
            return db.scalar(select(Ticket).join(Call, Call.ticket_id == Ticket.id).where(Call.uniqueid == uniqueid))
    t = wait_for(drafted, 15, "the caller's ticket")
    ticket = t.number
    assert t.callback_number == "" and t.caller_number == caller      # the IVR took neither number
    with line.sessions() as db, db.begin():     # the station has done the repair (返单)
        t = db.scalar(select(Ticket).where(Ticket.number == ticket))
        t.state, t.updated_at = TicketState.completed, datetime.fromisoformat(NOW) - timedelta(hours=1)
        t.transitions.append(TicketTransition(state=TicketState.completed, at=t.updated_at, note="已修复"))
    original = line.settings
    auto = original.replace(survey_mode="automated-first")
    try:
        runtime.restart_service(auto)         # 10:00: the dialer owns every completed repair
        gave = wait_for(lambda: (lambda a: a if a and a[-1].ended_at else None)(attempts(line, ticket)), 30,
                        "the dialer's round")
        assert gave[-1].outcome == "failed" and gave[-1].next_at is None
        listed = {r["ticket"]: r for r in json.loads(cli(line, "survey", "list", "--json", settings=auto).stdout)}
        assert listed[ticket]["automated"]["owner"] == "agents"
        with line.sessions() as db:
            audit = db.scalar(select(AuditEntry).where(AuditEntry.action == "survey_gave_up",
                                                      AuditEntry.object_id == ticket))
            assert audit is not None and audit.detail["note"] == "没有可拨打的号码"

        # a service whose settings allow both classes (Asterisk's globals do not): the dialplan refuses
        allowing = rebind(auto, outbound_allow="international,premium")
        runtime.restart_service(allowing)
        asked = cli(line, "survey", "call", ticket, "--json", settings=allowing)
        assert asked.returncode == 0, asked.stderr
        assert json.loads(asked.stdout)["outcome"] == "failed"
        last = attempts(line, ticket)[-1]
        assert last.outcome == "failed" and last.next_at is None
        time.sleep(3)
        assert not [c for c in resident.calls_since(mark) if c.number in refused]
    finally:
        rebind(original, outbound_allow=original.outbound_allow)
        runtime.restart_service(original)
