"""Outage notices (区域停热, #30) on the real stack: `hotline outage set` declares an outage for a
compound of the demo accounts (its notice rendered with espeak-ng at once); a resident of that
compound calls over the PSTN trunk, hears the notice right after the greeting (Asterisk plays the
outage's own sound, tts/outage/<id>, in the same command as the choice) and keys 1 — registered as
affected, thanked, hung up: an OutageCaller row and no ticket, never queued. A resident of another
district calls the normal way (the address read-back, no notice). `outage list --json` counts the
affected caller; `outage end --call-back` books their 供热已恢复 call (placed by the outage dialer:
tests/integration/test_outage_call.py — off on the session's hotline, whose resident other modules share).

The session's hotline (tests/conftest.py); the outage is ended whatever happens, so no other
module's caller ever hears it."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bench.scenarios import CallerDialog
from conftest import wait_for
from db.models import Call, CallOutcome, HeatingAccount, Outage, OutageCaller
from hotline.admin import runtime
from ivr.context import OUTAGES_TTL_S
from ivr.prompts import outage_sound

pytestmark = pytest.mark.asterisk


def cli(ivr, *args) -> subprocess.CompletedProcess:
    """`hotline …` as the admin types it on the server (the running hotline's settings)."""
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=runtime.service_env(ivr.settings),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def residents(ivr):
    """Two residents with a mobile of their own: one in the compound the outage is for (the only
    account there), one of another district."""
    with ivr.sessions() as db:
        accounts = [a for a in db.scalars(select(HeatingAccount).order_by(HeatingAccount.id.desc()))
                    if any(p.phone.startswith("1") for p in a.phones)]
        by_area = {}
        for a in db.scalars(select(HeatingAccount)):
            by_area.setdefault((a.district, a.compound), []).append(a.id)
        cold = next(a for a in accounts if len(by_area[a.district, a.compound]) == 1)
        warm = next(a for a in accounts if a.district != cold.district)
        mobile = lambda a: next(p.phone for p in a.phones if p.phone.startswith("1"))   # noqa: E731
        return ({"area": f"{cold.district}/{cold.compound}", "phone": mobile(cold), "account_no": cold.account_no},
                {"phone": mobile(warm)})


@pytest.fixture(scope="module")
def outage(ivr, residents):
    cold, _ = residents
    until = (ivr.settings.now() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    r = cli(ivr, "outage", "set", "--area", cold["area"], "--until", until, "--message",
            "您所在小区因主管道抢修暂停供热,预计明天恢复", "--json")
    assert r.returncode == 0, r.stderr
    o = json.loads(r.stdout)
    time.sleep(OUTAGES_TTL_S + 0.5)   # the service reads the open outages at most this old
    try:
        yield o
    finally:
        with ivr.sessions() as db:
            if db.get(Outage, o["id"]).ended_at is None:
                cli(ivr, "outage", "end", str(o["id"]))


def test_a_caller_from_the_area_hears_the_notice_and_1_registers_them_without_a_ticket(ivr, residents, outage):
    cold, _ = residents
    assert outage["area"] == cold["area"]
    d = CallerDialog(ivr.ami, ivr.phone_for(cold["phone"]), ivr.settings.extension, cold["phone"])
    d.at("greeting_welcome").at("outage_intro")
    assert outage_sound(outage["id"]) in d.heard.command          # the lead's notice, played by Asterisk
    d.at("outage_choice", "1").at("outage_registered")

    def registered():
        with ivr.sessions() as db:
            call = db.scalar(select(Call).where(Call.caller == cold["phone"]).order_by(Call.id.desc()))
            return call if call is not None and call.ended_at is not None else None
    call = wait_for(registered, 20, "the registered call's end")
    assert call.outcome is CallOutcome.outage_registered and call.last_step == "outage"
    assert call.ticket_id is None and call.queued_at is None
    with ivr.sessions() as db:
        row = db.scalar(select(OutageCaller).where(OutageCaller.uniqueid == call.uniqueid))
        assert (row.outage_id, row.caller, row.account_no) == (outage["id"], cold["phone"], cold["account_no"])
    assert not [e for e in ivr.ami.of_caller(cold["phone"], "QueueCallerJoin", d.mark)]

    listed = json.loads(cli(ivr, "outage", "list", "--json").stdout)
    assert [(o["id"], o["area"], o["affected"]) for o in listed if o["id"] == outage["id"]] == \
        [(outage["id"], cold["area"], 1)]


def test_a_caller_from_elsewhere_goes_the_normal_way_and_the_end_books_the_call_back(ivr, residents, outage):
    _, warm = residents
    d = CallerDialog(ivr.ami, ivr.phone_for(warm["phone"]), ivr.settings.extension, warm["phone"])
    d.at("greeting_welcome").at("address_confirm")
    assert not [e for e in ivr.ami.of_caller(warm["phone"], "AGIExecStart", d.mark) if "outage" in e.get("Command", "")]
    d.hangup()

    r = cli(ivr, "outage", "end", str(outage["id"]), "--call-back", "--json")
    assert r.returncode == 0, r.stderr
    ended = json.loads(r.stdout)
    assert ended["ended_at"] and ended["call_back"] is True
    assert ended["call_backs"] == {"requested": 1, "reached": 0, "failed": 0, "pending": 1, "refused": 0}
    assert json.loads(cli(ivr, "outage", "list", "--json").stdout) == []
    again = cli(ivr, "outage", "end", str(outage["id"]))
    assert again.returncode == 2 and "已" in again.stderr and "结束" in again.stderr
