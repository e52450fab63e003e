"""The worklists (#15) on the real stack: a resident who pressed 1 in the queue (call-back instead of
waiting) is on `hotline callbacks --open` with the reason; an agent takes the entry over the agent
API, records no answer, then reached — the entry clears. The repair then done, an agent's 回访 by
the API moves it to followed_up, and `hotline tickets show --json` carries the survey."""
from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from db.models import AuditEntry, CallOutcome, RepairStation
from common import wire
from test_aftercall import api_as, crew, hotline_cli  # noqa: F401  (crew: the module's people)
from test_aftercall import AGENT, LEAD, STATION
from test_ivr_calls import Dialog, ticket_of
from waiting_repairs import agent_reaches_and_confirms_in_the_form, on_the_leads_list

pytestmark = pytest.mark.asterisk


def callbacks_open(ivr) -> list[dict]:
    out = hotline_cli(ivr, "callbacks", "--open", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_call_back_from_the_queue_is_worked_off_the_list_and_the_repair_is_surveyed(ivr, crew):  # noqa: F811
    number = "13312345615"
    d = Dialog(ivr, number)
    for _ in range(3):
        d.at("account_enter", "#")
    d.at("problem_menu", "1").at("callback_confirm", "1").recording("#")
    d.in_queue()
    time.sleep(2.5)   # after the join announcements
    d.call.send_dtmf("1")                       # 如不想等待,请按1
    ivr.ami.wait(lambda e: e.get("Event") == "AGIExecStart" and e.get("CallerIDNum") == number
                 and "hotline/callback_thanks" in e.get("Command", ""), timeout=20, start=d.mark)
    d.call.wait_state("DISCONNECTED", 20)
    assert d.ended().outcome is CallOutcome.callback_requested
    with ivr.sessions() as db:
        ticket = ticket_of(db, number).number

    entry = next(r for r in callbacks_open(ivr) if r["ticket"] == ticket)
    assert entry["reason"] == "callback_requested" and entry["attempts"] == 0 and entry["taken_by"] is None
    assert {"ticket", "reason", "waited", "attempts", "taken_by"} <= set(entry)

    agent, station = api_as(ivr, AGENT), api_as(ivr, STATION)
    status, rows = agent.call("GET", wire.CALLBACKS + "?open=1")
    assert status == 200 and ticket in [r["ticket"] for r in rows]
    status, body = station.call("POST", wire.path(wire.CALLBACK_TAKE, number=ticket))
    assert status == 403                        # a station does not call residents back
    status, body = agent.call("POST", wire.path(wire.CALLBACK_OUTCOME, number=ticket), {"outcome": "reached"})
    assert status == 409 and "领取" in body["error"]
    status, body = agent.call("POST", wire.path(wire.CALLBACK_TAKE, number=ticket))
    assert status == 200 and body["taken_by"] == AGENT
    assert next(r for r in callbacks_open(ivr) if r["ticket"] == ticket)["taken_by"] == AGENT
    status, body = agent.call("POST", wire.path(wire.CALLBACK_OUTCOME, number=ticket), {"outcome": "maybe"})
    assert status == 422
    status, body = agent.call("POST", wire.path(wire.CALLBACK_OUTCOME, number=ticket),
                              {"outcome": "no_answer", "note": "无人接听"})
    assert status == 200 and body["attempts"] == 1 and body["open"] and body["taken_by"] is None
    assert next(r for r in callbacks_open(ivr) if r["ticket"] == ticket)["attempts"] == 1
    on_the_leads_list(ivr, ticket, "callback_requested")
    agent_reaches_and_confirms_in_the_form(ivr, ticket)     # reached only once the repair is confirmed
    assert ticket not in [r["ticket"] for r in callbacks_open(ivr)]
    with ivr.sessions() as db:
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "callback_take_refused",
                                                  AuditEntry.actor == STATION)) is not None

    # the repair is done (the team lead on the station's behalf), then 回访 by the agent
    lead = api_as(ivr, LEAD)
    with ivr.sessions() as db:
        code = db.scalars(select(RepairStation.code).order_by(RepairStation.code)).first()
    for state, extra in (("dispatched", {"station_code": code}), ("accepted", {}),
                         ("completed", {"note": "更换阀门,已恢复供暖"})):
        status, body = lead.call("POST", wire.path(wire.TICKET_STATE, number=ticket), {"state": state, **extra})
        assert status == 200, body
    status, rows = agent.call("GET", wire.SURVEYS)
    assert status == 200 and ticket in [r["ticket"] for r in rows]
    out = hotline_cli(ivr, "survey", "list", "--json")
    assert out.returncode == 0 and ticket in [r["ticket"] for r in json.loads(out.stdout)]
    status, body = agent.call("POST", wire.path(wire.SURVEY, number=ticket),
                              {"solved": True, "attitude": "average", "charged": False, "score": 11})
    assert status == 422 and body["error"].startswith("d")
    status, body = agent.call("POST", wire.path(wire.SURVEY, number=ticket),
                              {"solved": True, "attitude": "average", "charged": False, "score": 9,
                               "comment": "师傅很及时"})
    assert status == 201 and body["state"] == "followed_up", body
    out = hotline_cli(ivr, "tickets", "show", ticket, "--json")
    shown = json.loads(out.stdout)
    assert shown["state"] == "followed_up"
    assert shown["survey"]["score"] == 9 and shown["survey"]["by"] == AGENT and shown["survey"]["channel"] == "agent"
    assert shown["survey"]["comment"] == "师傅很及时"
