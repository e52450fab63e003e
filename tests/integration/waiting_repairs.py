"""#24 on the real stack: a repair a real call left unconfirmed is on the team lead's list at once
(待确认, with its reason), and is worked off it — a team lead confirms and dispatches it (the CLI,
as the lead), or an agent holding its call-back entry reaches the resident and confirms it through
the form (the agent API, with the read-back ticks). The real-call tests of each call-back reason
(test_ivr_calls, test_worklists, test_transfer) call these after their call ended."""
from __future__ import annotations

import json

from sqlalchemy import select

from common import wire
from db.models import Ticket, TicketState, User
from db.models import Role
from hotline.admin.users import add_user
from test_admin import hotline_cli
from test_agent_api import PASSWORD, Api

#: a team lead and an agent of their own: they need no phone, only a login
LEAD, AGENT = "4901", "4902"


def _people(ivr) -> None:
    with ivr.sessions() as db:
        for no, role in ((LEAD, Role.team_lead), (AGENT, Role.agent)):
            if db.scalar(select(User).where(User.agent_no == no)) is None:
                add_user(db, no, f"人{no}", role, PASSWORD, actor="test")
        db.commit()


def _api(ivr, agent_no: str) -> Api:
    api = Api(f"http://127.0.0.1:{ivr.ports['api']}")
    assert api.login(agent_no)[0] == 200
    return api


def on_the_leads_list(ivr, ticket: str, reason: str) -> dict:
    """At once, on the CLI's and the team lead's 待确认 list, with its reason and age."""
    _people(ivr)
    out = hotline_cli(ivr.settings, "tickets", "--unconfirmed", "--json", timeout=60)
    assert out.returncode == 0, out.stderr
    row = next((r for r in json.loads(out.stdout) if r["number"] == ticket), None)
    assert row is not None and row["state"] == "draft" and row["reason"] == reason, row
    status, rows = _api(ivr, LEAD).call("GET", wire.TICKETS + f"?{wire.UNCONFIRMED}=1")
    shown = next((r for r in rows if r["number"] == ticket), None) if status == 200 else None
    assert shown is not None and shown["reason"] == reason and shown["age_s"] >= 0, (status, shown)
    return shown


def lead_confirms_and_dispatches(ivr, ticket: str, station: str = "auto") -> dict:
    """`hotline tickets confirm N --as <lead> --dispatch …`: dispatched, off the 待确认 list."""
    out = hotline_cli(ivr.settings, "tickets", "confirm", ticket, "--as", LEAD, "--dispatch", station, "--json",
                      timeout=60)
    assert out.returncode == 0, out.stderr
    t = json.loads(out.stdout)
    assert t["state"] == "dispatched" and t["station"] and [h["state"] for h in t["history"]][-2:] == \
        ["new", "dispatched"], t
    assert ticket not in [r["number"] for r in _api(ivr, LEAD).call("GET", wire.TICKETS + f"?{wire.UNCONFIRMED}=1")[1]]
    return t


def agent_reaches_and_confirms_in_the_form(ivr, ticket: str) -> dict:
    """From the 回电 list: take, "reached" refused while unconfirmed, the ticket in the form, saved
    with every read-back ticked (draft → new), then reached clears the entry."""
    _people(ivr)
    agent = _api(ivr, AGENT)
    outcome = wire.path(wire.CALLBACK_OUTCOME, number=ticket)
    assert agent.call("POST", wire.path(wire.CALLBACK_TAKE, number=ticket))[0] == 200
    status, body = agent.call("POST", outcome, {"outcome": "reached"})
    assert status == 409 and "尚未确认" in body["error"], body
    saved = saves_the_read_back_form(agent, ticket)
    status, entry = agent.call("POST", outcome, {"outcome": "reached", "note": "已联系住户,确认报修"})
    assert status == 200 and not entry["open"], entry
    with ivr.sessions() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == ticket))
        assert t.state is TicketState.new and not t.callback_requested
    return saved


def saves_the_read_back_form(agent, ticket: str) -> dict:
    """The agent holding the call-back opens the draft in the form and saves it with every
    read-back ticked: draft → new, on the lists."""
    status, shown = agent.call("GET", wire.path(wire.TICKET, number=ticket))
    assert status == 200 and shown["state"] == "draft", shown
    form = {"category": shown["category"] or "no_heat", "address": shown["address"] or "铁西区 兴华北街 7-1-101",
            "name": shown["name"] or "住户", "callback_number": shown["callback_number"] or shown["caller_number"],
            "confirmed_problem": True, "confirmed_address": True, "confirmed_name": True, "confirmed_phone": True}
    status, saved = agent.call("PUT", wire.path(wire.TICKET, number=ticket), form)
    assert status == 200 and saved["state"] == "new", saved
    return saved
