"""#30 — the 供热已恢复 call-back on the real stack: `hotline outage set` declares an outage for a compound,
a resident of it calls over the PSTN trunk, hears the notice and keys 1 (registered as affected); the
lead ends the outage with `hotline outage end ID --call-back`; the service originates
Local/<ref>@outage-dial/n, real SIP reaches the resident's phone — the session's pjsua2 resident on the
PSTN side of the trunk, which takes every number — with the hotline's public number, the resident
answers and hears 供热已恢复 (Asterisk plays hotline/outage_restored on the call's ;1 half), the call
ends and the call-back is `reached`: `outage list --json` counts it, `outage callers` shows it masked.

The hotline is the module's own: outage call-backs are on here (HOTLINE_OUTAGE_CALL_ATTEMPTS), not on
the session's, where test_outage ends an outage with the call-back too."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bench.scenarios import CallerDialog, PromptDialog
from bench.scratch import scratch_hotline
from conftest import PUBLIC_NUMBER, IvrHarness, scratch, wait_for
from db.models import HeatingAccount, OutageCaller
from hotline.admin import runtime
from ivr.context import OUTAGES_TTL_S

pytestmark = pytest.mark.asterisk

NOW = "2026-11-23T10:00"         # inside the calling hours (HOTLINE_SURVEY_HOURS 09:00-20:00)


@pytest.fixture(scope="module")
def line(tmp_path_factory, pstn_resident):
    s = scratch(tmp_path_factory.mktemp("outage-call-home"), pstn_outbound=pstn_resident.target, outbound_ring_s="8",
                outage_call_attempts="2", outage_call_retry_min="30", today=NOW)
    with scratch_hotline(s, accounts=8):
        h = IvrHarness(s)
        try:
            yield h
        finally:
            h.hangup_all()
            h.close()


def cli(h, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=runtime.service_env(h.settings),
                          capture_output=True, text=True, timeout=120)


class CallBack(PromptDialog):
    """The resident on the answered call-back: the flow runs on the call's ;1 half."""

    def __init__(self, h, ref: str, call, start: int):
        super().__init__(h.ami, call, start)
        self.channel = f"Local/{ref}@outage-dial-"

    def mine(self, event: dict) -> bool:
        return event.get("Channel", "").startswith(self.channel) and event.get("Channel", "").endswith(";1")


def test_ending_an_outage_with_the_call_back_rings_the_affected_resident_who_hears_the_heating_is_back(
        line, resident):
    with line.sessions() as db:
        acc = next(a for a in db.scalars(select(HeatingAccount).order_by(HeatingAccount.id))
                   if any(p.phone.startswith("1") for p in a.phones))
        area, phone = f"{acc.district}/{acc.compound}", next(p.phone for p in acc.phones if p.phone.startswith("1"))
    until = (datetime.fromisoformat(NOW) + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    r = cli(line, "outage", "set", "--area", area, "--until", until, "--message", "小区主管道抢修,暂停供热", "--json")
    assert r.returncode == 0, r.stderr
    oid = json.loads(r.stdout)["id"]
    time.sleep(OUTAGES_TTL_S + 0.5)        # the service reads the open outages at most this old

    d = CallerDialog(line.ami, line.phone_for(phone), line.settings.extension, phone)
    d.at("greeting_welcome").at("outage_intro").at("outage_choice", "1").at("outage_registered")

    def registered():
        with line.sessions() as db:
            return db.scalar(select(OutageCaller).where(OutageCaller.outage_id == oid))
    assert wait_for(registered, 20, "the caller registered as affected").caller == phone

    resident.answer(after_s=0.5)
    mark = line.ami.mark()
    r = cli(line, "outage", "end", str(oid), "--call-back", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["call_backs"] == {"requested": 1, "reached": 0, "failed": 0, "pending": 1,
                                                  "refused": 0}
    rc = resident.wait_call(30)
    assert rc.number == phone and rc.caller_id == PUBLIC_NUMBER     # the resident; the public number shown
    with line.sessions() as db:
        ref = db.scalar(select(OutageCaller.callback_ref).where(OutageCaller.outage_id == oid))
    rc.wait_answered(10)
    CallBack(line, ref, rc.call, mark).at("outage_restored")       # 供热已恢复…如仍不热请拨打热线报修
    rc.wait_ended(30)                                               # and the hotline hangs up

    def reached():
        with line.sessions() as db:
            row = db.scalar(select(OutageCaller).where(OutageCaller.outage_id == oid))
            return row if row.callback_state == "reached" else None
    row = wait_for(reached, 15, "the call-back reached")
    assert row.callback_attempts == 1 and row.callback_answered_at and row.callback_ended_at
    assert row.callback_next_at is None

    [shown] = [o for o in json.loads(cli(line, "outage", "list", "--all", "--json").stdout) if o["id"] == oid]
    assert shown["call_backs"] == {"requested": 1, "reached": 1, "failed": 0, "pending": 0, "refused": 0}
    callers = cli(line, "outage", "callers", str(oid), "--json")
    [c] = json.loads(callers.stdout)
    assert c["callback"] == "reached" and c["callback_attempts"] == 1 and phone not in callers.stdout
    table = cli(line, "outage", "callers", str(oid))
    assert "已接通" in table.stdout and phone not in table.stdout
