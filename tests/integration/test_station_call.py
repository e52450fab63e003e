"""#30 — a station told on dispatch, by phone, on the real stack: a team lead dispatches a repair
(`hotline tickets set-state N dispatched`), the service originates Local/<ref>@station-dial/n, real SIP
reaches the station's duty phone — the session's pjsua2 resident on the PSTN side of the trunk, which
takes every number — and the station keys 1 when the menu starts: the ticket is accepted as the
station, by phone (its state, the timeline, the audit row), and the call's request is over. A second
`hotline stations notify` for the ticket is refused (exit 2): it no longer waits for its station.

The hotline is the module's own: stations are called on dispatch here (HOTLINE_STATION_CALL_ATTEMPTS),
not on the session's hotline, whose other modules dispatch repairs too."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest
from sqlalchemy import select

from bench.scenarios import PromptDialog
from bench.scratch import scratch_hotline
from conftest import IvrHarness, scratch, wait_for
from db.models import AuditEntry, Category, HeatingAccount, RepairStation, Role, StationCall, Ticket, TicketState
from db.tickets import create_ticket
from hotline.admin import runtime
from hotline.admin.users import add_user

pytestmark = pytest.mark.asterisk

NOW = "2026-11-23T10:00"
LEAD = "1101"


@pytest.fixture(scope="module")
def line(tmp_path_factory, pstn_resident):
    s = scratch(tmp_path_factory.mktemp("station-home"), pstn_outbound=pstn_resident.target, outbound_ring_s="8",
                station_call_attempts="3", station_call_retry_min="5", today=NOW)
    with scratch_hotline(s, accounts=4):
        h = IvrHarness(s)
        try:
            yield h
        finally:
            h.close()


def cli(h, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=runtime.service_env(h.settings),
                          capture_output=True, text=True, timeout=120)


class Station(PromptDialog):
    """The station's duty phone on an answered call: the flow runs on the call's ;1 half."""

    def __init__(self, h, ref: str, call, start: int):
        super().__init__(h.ami, call, start)
        self.channel = f"Local/{ref}@station-dial-"

    def mine(self, event: dict) -> bool:
        return event.get("Channel", "").startswith(self.channel) and event.get("Channel", "").endswith(";1")


def test_a_dispatched_repair_rings_the_station_which_keys_1_and_the_ticket_is_accepted(line, resident):
    with line.sessions() as db, db.begin():
        add_user(db, LEAD, "赵领班", Role.team_lead, "pw-1234567")
        acc = db.scalars(select(HeatingAccount).order_by(HeatingAccount.id)).first()
        st = db.scalars(select(RepairStation).order_by(RepairStation.code)).first()
        t = create_ticket(db, datetime.fromisoformat(NOW), state=TicketState.new, account_id=acc.id,
                          category=Category.leak, priority=50, caller_number="13612340009",
                          callback_number="13612340009", address_snapshot=acc.address, name_snapshot=acc.name)
        number, code, phone = t.number, st.code, st.phone
    resident.answer(after_s=0.5)
    mark = line.ami.mark()
    out = cli(line, "tickets", "set-state", number, "dispatched", "--as", LEAD, "--station", code, "--json")
    assert out.returncode == 0, out.stderr
    rc = resident.wait_call(30)
    assert rc.number == phone and rc.caller_id == "96069"         # the duty phone; the public number shown
    with line.sessions() as db:
        ref = db.scalar(select(StationCall.ref).join(Ticket, StationCall.ticket_id == Ticket.id)
                        .where(Ticket.number == number))
    rc.wait_answered(10)
    Station(line, ref, rc.call, mark).at("station_call_menu", "1").at("station_call_accepted")
    rc.wait_ended(30)

    def accepted():
        with line.sessions() as db:
            c = db.scalar(select(StationCall).join(Ticket, StationCall.ticket_id == Ticket.id)
                          .where(Ticket.number == number))
            return c if c.outcome == "accepted" else None
    c = wait_for(accepted, 15, "the station call accepted")
    assert c.attempts == 1 and c.ended_at is not None and c.answered_at is not None
    with line.sessions() as db:
        assert db.scalar(select(Ticket.state).where(Ticket.number == number)) is TicketState.accepted
        audit = db.scalar(select(AuditEntry).where(AuditEntry.action == "state", AuditEntry.object_id == number,
                                                   AuditEntry.actor == code))
        assert audit.detail == {"from": "dispatched", "to": "accepted", "note": audit.detail["note"], "via": "phone"}
    shown = json.loads(cli(line, "tickets", "show", number, "--json").stdout)
    assert [h["state"] for h in shown["history"]][-2:] == ["dispatched", "accepted"]
    [told] = shown["station_calls"]                                 # the detail says how the station was told
    assert (told["station"], told["outcome"], told["attempts"]) == (code, "accepted", 1)
    again = cli(line, "stations", "notify", number)
    assert again.returncode == 2 and "不在等待维修站接单" in again.stderr
