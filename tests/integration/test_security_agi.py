"""#25, point 4, against the session's running hotline (real Asterisk 22, real SIP): FastAGI bound to
the call. A forged request (tests/forged_agi.py: anyone local playing Asterisk on the FastAGI port)
that holds the installation's key but not the call's token changes nothing — it cannot mark a live
call answered by an agent, end it, book its call-back, read a 回访 attempt's number or record its
answers — and a replayed stage is refused even with the token. Neither the key nor a call's token
is in the CDR (Master.csv), a log, or any AMI event the admin's or the service's AMI user reads
during a real call; a caller who hangs up during the first AGI request leaves no secret in the CDR's
lastdata."""
from __future__ import annotations

import csv
import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bench.scenarios import STANDBY_AGENT, CallerDialog
from common.naming import AMI_SERVICE_USER
from common.secrets import ami_secret, fastagi_key
from conftest import agent_in_queue, sealed_recording, wait_for
from db.call_tokens import SURVEY, attempt_ref, issue
from db.models import Call, Survey, SurveyCall, Ticket, TicketState, TicketTransition, User
from forged_agi import forge
from hotline.admin import runtime
from hotline.admin.amiclient import AmiEventLog

pytestmark = pytest.mark.asterisk

_TOKEN_ON = re.compile(r"HOTLINE_CALL_TOKEN=([A-Za-z0-9_-]{32})")


def cdr_rows(ivr) -> list[list[str]]:
    path = ivr.settings.asterisk_dir / "log" / "cdr-csv" / "Master.csv"
    return list(csv.reader(path.read_text().splitlines())) if path.exists() else []


def files_holding(home, secret: str) -> list[str]:
    """Every file of the logs and the CDR that holds `secret`."""
    found = []
    for log in [*home.joinpath("asterisk", "log").rglob("*"), *home.joinpath("log").rglob("*")]:
        if log.is_file() and secret.encode() in log.read_bytes():
            found.append(str(log))
    return found


def agent_of(ivr, uniqueid: str) -> str | None:
    with ivr.sessions() as db:
        call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
        return db.get(User, call.agent_id).agent_no if call and call.agent_id else None


def test_a_live_call_is_bound_to_its_token_and_nothing_of_it_leaks(ivr):
    number, key = "13300000281", fastagi_key(ivr.settings)
    agi, thief = ivr.ports["fastagi"], STANDBY_AGENT      # an agent who would like the caller's pop
    service = AmiEventLog(ivr.ports["ami"], AMI_SERVICE_USER, ami_secret(ivr.settings))
    try:
        with agent_in_queue(ivr, "5211", "秦九") as phone:
            d = CallerDialog(ivr.ami, ivr.phone_for(number), ivr.settings.extension, number)
            for _ in range(3):
                d.at("account_enter", "#")
            d.at("problem_menu", "2")
            d.at("callback_confirm", "1")
            d.recording("#")
            joined = d.in_queue()
            uniqueid, channel = joined["Uniqueid"], joined["Channel"]
            agent_call = phone.wait_incoming(30)
            agent_call.answer()
            wait_for(lambda: agent_of(ivr, uniqueid), 15, "the answer recorded")
            assert agent_of(ivr, uniqueid) == "5211"
            shown = runtime.live_asterisk(ivr.settings).rx(f"core show channel {channel}")
            token = _TOKEN_ON.search(shown).group(1)
            member = ivr.ami.wait(lambda e: e.get("Event") == "AgentConnect" and e.get("Uniqueid") == uniqueid,
                                  start=d.mark)

            # with the key, without the call's token: nothing changes
            forged = {"HOTLINE_CALL": uniqueid, "CHANNEL(endpoint)": f"agent-{thief}", "REC": ""}
            for guessed in ({}, {"HOTLINE_CALL_TOKEN": "A" * 32}):
                for route in ("answered", "call_end", "callback", "no_agent"):
                    got = forge(agi, route, {**forged, **guessed}, key, uniqueid=f"{uniqueid}9")
                    assert len(got) == 1, (route, got)           # the admission's question, then closed
            # and the stage the agent's channel spent stays spent, even with the token
            got = forge(agi, "answered", {**forged, "HOTLINE_CALL_TOKEN": token}, key,
                        uniqueid=member["DestUniqueid"])
            assert len(got) == 1
            assert agent_of(ivr, uniqueid) == "5211"
            with ivr.sessions() as db:
                call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
                assert call.ended_at is None and not db.get(Ticket, call.ticket_id).callback_requested

            time.sleep(2)
            d.hangup()
            agent_call.wait_state("DISCONNECTED", 10)
        call, _rec = sealed_recording(ivr, number)
        assert call.uniqueid == uniqueid and call.ended_at is not None and agent_of(ivr, uniqueid) == "5211"
        time.sleep(1)          # the CDR rows are written as the channels go
        admin_saw = [json.dumps(e, ensure_ascii=False) for e in ivr.ami.events[d.mark:]]
        service_saw = [json.dumps(e, ensure_ascii=False) for e in service.events]
    finally:
        service.close()
    # the admin still follows the call (its prompts, its variables) …
    assert any('"VarSet"' in e and "HOTLINE_TICKET" in e for e in admin_saw)
    assert any('"AGIExecStart"' in e and "EXEC Read" in e for e in admin_saw)
    # … and neither AMI user saw the key, the token, or an event naming it; no CDR row, no log holds them
    for secret in (key, token, "HOTLINE_CALL_TOKEN"):
        assert not [e for e in admin_saw if secret in e], secret
        assert not [e for e in service_saw if secret in e], secret
    for secret in (key, token):
        assert files_holding(ivr.settings.home, secret) == [], secret
    rows = [r for r in cdr_rows(ivr) if uniqueid in r]
    assert rows and all("," not in r[8] for r in rows if r[7] == "AGI"), rows   # lastdata: never an argument


def test_a_caller_who_hangs_up_during_the_first_request_leaves_no_secret_in_the_cdr(ivr):
    """The CDR keeps the last application's arguments (lastdata): the caller hangs up the moment the
    caller flow's AGI starts (Newexten), before the flow's first prompt if the race allows."""
    number, key = "13300000282", fastagi_key(ivr.settings)
    d = CallerDialog(ivr.ami, ivr.phone_for(number), ivr.settings.extension, number)
    started = ivr.ami.wait(lambda e: e.get("Event") == "Newexten" and e.get("CallerIDNum") == number
                           and e.get("Application") == "AGI", start=d.mark)
    d.call.hangup()
    assert started["AppData"].endswith("/caller")      # the request as AMI shows it: no argument
    row = wait_for(lambda: next((r for r in cdr_rows(ivr) if started["Uniqueid"] in r), None), 15,
                   "the call's CDR row")
    lastapp, lastdata = row[7], row[8]
    assert lastapp in ("AGI", "Playback"), row         # the caller flow's request, or its first prompt
    assert lastapp != "AGI" or re.fullmatch(r"agi://127\.0\.0\.1:\d+/(caller|call_end)", lastdata), row
    assert key not in ",".join(row)
    # every AGI request any call of the session made: never an argument in the CDR
    assert all("," not in r[8] for r in cdr_rows(ivr) if r[7] == "AGI")


@pytest.fixture
def placed_attempt(ivr):
    """A completed repair with an automated 回访 attempt in flight (placed, its token issued to the
    call the service would originate: the forger never saw it). Ended again afterwards."""
    with ivr.sessions() as db, db.begin():
        now = ivr.settings.now()
        t = Ticket(number="2611236901", caller_number="13600000901", callback_number="13600000901",
                   state=TicketState.completed, created_at=now - timedelta(days=1), updated_at=now)
        t.transitions.append(TicketTransition(state=TicketState.completed, at=now))
        db.add(t)
        db.flush()
        row = SurveyCall(ticket_id=t.id, at=now, outcome="placed", ref=attempt_ref())
        db.add(row)
        db.flush()
        token = issue(db, SURVEY, row.ref, now)
        got = (row.id, row.ref, token)
    yield got
    with ivr.sessions() as db, db.begin():
        row = db.get(SurveyCall, got[0])
        row.outcome, row.ended_at = "failed", ivr.settings.now()
        db.get(Ticket, row.ticket_id).state = TicketState.cancelled


def test_a_forged_request_neither_reads_an_attempts_number_nor_records_its_answers(ivr, placed_attempt):
    attempt_id, ref, token = placed_attempt
    agi, key = ivr.ports["fastagi"], fastagi_key(ivr.settings)
    for named in (ref, str(attempt_id)):                    # the random ref, or the sequential id
        for guessed in ({}, {"HOTLINE_CALL_TOKEN": "B" * 32}):
            got = forge(agi, "survey_dial", {"HOTLINE_SURVEY_CALL": named, **guessed}, key)
            assert len(got) == 1 and not any("13600000901" in c for c in got)
            assert len(forge(agi, "survey", {"HOTLINE_SURVEY_CALL": named, "REC": "", **guessed}, key)) == 1
    with ivr.sessions() as db:
        row = db.get(SurveyCall, attempt_id)
        assert row.outcome == "placed" and row.ended_at is None
        assert db.scalar(select(Survey).where(Survey.ticket_id == row.ticket_id)) is None
    # the call's own token opens its stage — once
    shown = {"HOTLINE_SURVEY_CALL": ref, "HOTLINE_CALL_TOKEN": token}
    got = forge(agi, "survey_dial", dict(shown), key)
    assert any(c.startswith("SET VARIABLE HOTLINE_SURVEY_NUMBER") and "13600000901" in c for c in got)
    assert len(forge(agi, "survey_dial", dict(shown), key)) == 1
