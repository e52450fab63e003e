"""After the call, part 1 (issue 14) on the real stack: a ticket from a real IVR call goes through
every state by the agent API and the CLI as the right roles (refused for the wrong ones), a
station sees only its own tickets, the timers raise anomalies when the clock moves and after a
service restart, a complaint reaches a logged-in head's desk over the WebSocket, and a caller
whose ticket is closed no longer hears the open-ticket offer."""
from __future__ import annotations

import asyncio
import json
import subprocess

import aiohttp
import pytest
from sqlalchemy import select

from db.models import AuditEntry, Call, HeatingAccount, RepairStation, Role, Ticket, TicketState, User
from hotline.admin import runtime
from hotline.admin.users import add_user
from common import wire
from conftest import wait_for
from test_admin import hotline_cli as admin_cli
from test_agent_api import PASSWORD, Api
from test_ivr_calls import Dialog

pytestmark = pytest.mark.asterisk

AGENT, LEAD, HEAD, STATION, OTHER_STATION = "4001", "4101", "4201", "4801", "4802"


@pytest.fixture(scope="module")
def crew(ivr):
    """An agent, a team lead, the head, and the people of two stations."""
    with ivr.sessions() as db:
        codes = db.scalars(select(RepairStation.code).order_by(RepairStation.code)).all()
        ids = {c: db.scalar(select(RepairStation.id).where(RepairStation.code == c)) for c in codes}
        for no, role, station in ((AGENT, Role.agent, None), (LEAD, Role.team_lead, None), (HEAD, Role.head, None),
                                  (STATION, Role.station, None), (OTHER_STATION, Role.station, None)):
            if db.scalar(select(User).where(User.agent_no == no)) is None:
                add_user(db, no, f"人{no}", role, PASSWORD, actor="test")
        db.commit()
    runtime.reload_agents(ivr.settings, ivr.sessions)
    return {"codes": codes, "ids": ids}


def base(ivr) -> str:
    return f"http://127.0.0.1:{ivr.ports['api']}"


def api_as(ivr, agent_no: str) -> Api:
    api = Api(base(ivr))
    status, _ = api.login(agent_no)
    assert status == 200
    return api


def hotline_cli(ivr, *args: str) -> subprocess.CompletedProcess:
    """The admin's `hotline …` on the session's hotline (its home, its clock)."""
    return admin_cli(ivr.settings, *args, timeout=60)


def station_of_ticket(ivr, number: str, crew, code: str) -> None:
    """The people of station `code` work for it (4801 for the ticket's own, 4802 for another)."""
    with ivr.sessions() as db, db.begin():
        db.scalar(select(User).where(User.agent_no == STATION)).station_id = crew["ids"][code]
        other = next(c for c in crew["codes"] if c != code)
        db.scalar(select(User).where(User.agent_no == OTHER_STATION)).station_id = crew["ids"][other]


def test_a_real_calls_ticket_goes_through_every_state_by_api_and_cli_and_then_is_not_offered_as_open(ivr, crew):
    with ivr.sessions() as db:
        acc = db.scalars(select(HeatingAccount).order_by(HeatingAccount.id.desc())).all()[12]
        phone = next(p.phone for p in acc.phones if p.phone.startswith("1"))
    d = Dialog(ivr, phone)                               # the resident reports a cold radiator
    d.at("address_confirm", "1").at("problem_menu", "1").at("callback_confirm", "1").recording("#")
    d.at("ticket_number_is")
    d.in_queue()
    d.hangup()
    with ivr.sessions() as db:
        number = db.scalar(select(Ticket.number).join(Call, Call.ticket_id == Ticket.id).where(Call.caller == phone)
                           .order_by(Ticket.id.desc()))
        code = db.scalar(select(RepairStation.code).join(Ticket, Ticket.station_id == RepairStation.id)
                         .where(Ticket.number == number)) or crew["codes"][0]
    station_of_ticket(ivr, number, crew, code)
    agent, lead, station, other = (api_as(ivr, n) for n in (AGENT, LEAD, STATION, OTHER_STATION))
    state = wire.path(wire.TICKET_STATE, number=number)

    assert lead.call("POST", state, {"state": "new"})[0] == 200              # the lead confirms the IVR's draft
    status, data = agent.call("POST", state, {"state": "dispatched", "station_code": code})
    assert status == 403                                                     # an agent does not dispatch
    status, data = lead.call("POST", state, {"state": "completed", "note": "x"})
    assert status == 409 and "不能改为" in data["error"]                      # not before dispatch
    status, data = lead.call("POST", state, {"state": "dispatched", "station_code": code})
    assert status == 200 and data["state"] == "dispatched" and data["history"][-1]["by"] == LEAD

    # the station sees its ticket, another station neither sees nor moves it
    # (the session's other modules may have dispatched to this station too: only its own are listed)
    listed = station.call("GET", wire.TICKETS)[1]
    assert number in [r["number"] for r in listed] and {r["station_code"] for r in listed} == {code}
    assert other.call("GET", wire.path(wire.TICKET, number=number))[0] == 403
    assert other.call("POST", state, {"state": "accepted"})[0] == 403
    assert number not in [r["number"] for r in other.call("GET", wire.TICKETS)[1]]
    assert station.call("POST", state, {"state": "accepted"})[0] == 200
    r = hotline_cli(ivr, "tickets", "set-state", number, "contacted", "--as", STATION, "--note", "已电话联系")
    assert r.returncode == 0, r.stderr
    r = hotline_cli(ivr, "tickets", "set-state", number, "closed", "--as", AGENT)
    assert r.returncode == 2 and "(403)" in r.stderr                        # refused like the API would
    status, data = station.call("POST", state, {"state": "completed"})
    assert status == 422 and "处理结果" in data["error"]
    assert station.call("POST", state, {"state": "completed", "note": "更换阀门,已恢复"})[0] == 200
    r = hotline_cli(ivr, "tickets", "set-state", number, "followed_up", "--as", LEAD, "--note", "回访满意")
    assert r.returncode != 0 and "回访请通过回访表单" in r.stderr              # 回访 is saved with its answers
    assert lead.call("POST", state, {"state": "closed"})[0] == 200

    shown = json.loads(hotline_cli(ivr, "tickets", "show", number, "--json").stdout)
    assert shown["state"] == "closed"
    assert [h["state"] for h in shown["history"]][-6:] == ["new", "dispatched", "accepted", "contacted", "completed",
                                                           "closed"]
    assert {h["by"] for h in shown["history"][-5:]} == {LEAD, STATION}
    listed = json.loads(hotline_cli(ivr, "tickets", "--json").stdout)
    assert next(t for t in listed if t["number"] == number)["state"] == "closed"
    with ivr.sessions() as db:
        refused = db.scalars(select(AuditEntry).where(AuditEntry.action == "state_refused",
                                                      AuditEntry.object_id == number)).all()
        assert {a.actor for a in refused} == {AGENT, OTHER_STATION}

    # the resident calls again: the closed ticket is not offered as open
    d = Dialog(ivr, phone)
    d.at("address_confirm", "1")
    i, _ = ivr.ami.wait_at(lambda e: e.get("Event") == "AGIExecStart" and e.get("CallerIDNum") == phone
                           and ("hotline/problem_menu" in e.get("Command", "")
                                or "hotline/open_ticket_offer" in e.get("Command", "")), timeout=30, start=d.pos)
    assert "problem_menu" in ivr.ami.events[i].get("Command", ""), "a closed ticket was offered as open"
    d.hangup()


def test_the_timers_raise_anomalies_when_the_clock_moves_and_after_a_service_restart(ivr, crew):
    with ivr.sessions() as db, db.begin():
        acc = db.scalars(select(HeatingAccount).order_by(HeatingAccount.id.desc())).all()[13]
        t = Ticket(number="2611237701", account_id=acc.id, state=TicketState.new, address_snapshot=acc.address)
        db.add(t)
    lead = api_as(ivr, LEAD)                             # the session's clock: 2026-11-23T10:00
    status, _ = lead.call("POST", wire.path(wire.TICKET_STATE, number="2611237701"),
                          {"state": "dispatched", "station_code": crew["codes"][0]})
    assert status == 200
    try:
        ivr.restart_service(today="2026-11-23T10:31")   # 31 minutes on, and a restarted service
        wait_for(lambda: any(a["ticket"] == "2611237701" and a["type"] == "station_late"
                             for a in json.loads(hotline_cli(ivr, "anomalies", "--open", "--json").stdout)),
                 20, "the station_late anomaly")
        ivr.restart_service(today="2026-11-23T14:05")   # past 4 hours: over_4h too, station_late not again
        wait_for(lambda: "over_4h" in [a["type"] for a in json.loads(
            hotline_cli(ivr, "tickets", "show", "2611237701", "--json").stdout)["anomalies"]], 20, "over_4h")
        shown = json.loads(hotline_cli(ivr, "tickets", "show", "2611237701", "--json").stdout)
        assert sorted(a["type"] for a in shown["anomalies"]) == ["over_4h", "station_late"]
        rows = Api(base(ivr), api_as(ivr, LEAD).token).call("GET", wire.TICKETS + "?overdue=1")[1]
        assert "2611237701" in [r["number"] for r in rows]
    finally:
        ivr.restart_service(today="2026-11-23T10:00")


def test_a_complaint_reaches_a_logged_in_heads_desk_and_stays_until_acknowledged(ivr, crew):
    head, agent = api_as(ivr, HEAD), api_as(ivr, AGENT)

    async def watch_and_complain():
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"{base(ivr)}{wire.WS}?token={head.token}") as ws:
                assert (await ws.receive_json(timeout=5))["type"] == wire.EV_HELLO
                status, a = await asyncio.to_thread(agent.call, "POST", wire.ANOMALIES,
                                                    {"type": "complaint_billing", "note": "收费员态度差"})
                assert status == 201, a
                while True:
                    ev = await ws.receive_json(timeout=10)
                    if ev["type"] == wire.EV_ANOMALY:
                        return a, ev
    a, ev = asyncio.run(watch_and_complain())
    assert ev["escalated"] is True and ev["anomaly"]["id"] == a["id"] and ev["anomaly"]["type"] == "complaint_billing"
    unacked = head.call("GET", wire.ANOMALIES_UNACKED)[1]
    assert a["id"] in [x["id"] for x in unacked]
    assert agent.call("POST", wire.path(wire.ANOMALY_ACK, aid=a["id"]), {})[0] == 403
    assert head.call("POST", wire.path(wire.ANOMALY_ACK, aid=a["id"]), {})[0] == 200
    assert a["id"] not in [x["id"] for x in head.call("GET", wire.ANOMALIES_UNACKED)[1]]
    lead = api_as(ivr, LEAD)
    assert a["id"] in [x["id"] for x in lead.call("GET", wire.ANOMALIES_UNACKED)[1]]   # each lead acknowledges
    status, h = lead.call("POST", wire.path(wire.ANOMALY_HANDLE, aid=a["id"]), {"result": "已向收费处核实并道歉"})
    assert status == 200 and h["state"] == "handled"
    status, c = lead.call("POST", wire.path(wire.ANOMALY_CLOSE, aid=a["id"]), {})
    assert status == 200 and c["state"] == "closed" and c["result"] == "已向收费处核实并道歉"
