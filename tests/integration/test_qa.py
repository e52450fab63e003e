"""#28 on the real stack (one hotline of this module's own): residents come through the IVR and the
queue to two agents' phones (pjsua2) — one call with the agent's voice (a tone), one where nobody
says a word, one on the second desk. The day's sample has at least 10 % of each agent's answered
calls (`hotline qa sample --json`); a team lead finds the calls by agent over the API; deleting the
spoken recording is refused (as the agent: the role; as the lead: not empty) and the silent one is
deleted with its audit row, the row kept; a seal broken on disk is found by `hotline recordings
verify` and raises the recordings alert on the lead's desk and in `hotline status`."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.desk_demo import demo_callers
from bench.scenarios import CallerDialog, resident_reports_no_heat
from bench.scratch import scratch_hotline
from common import wire
from conftest import IvrHarness, agent_in_queue, scratch, sealed_recording, wait_for
from db.models import AuditEntry, Recording, Role
from hotline.admin.users import add_user
from test_agent_api import PASSWORD, Api
from test_faults_storage import LeadsDesk, status_json

pytestmark = pytest.mark.asterisk

AGENT_A, AGENT_B, LEAD = "2801", "2802", "2891"
DAY = "2026-11-23"          # the scratch hotline's day (bench.scratch.SCRATCH_NOW)


def qa_hotline(tmp_path_factory, **overrides):
    """A hotline of the module's own with two agents and a team lead (also test_qa_desk's, test_backup's)."""
    s = scratch(tmp_path_factory.mktemp("qa-home"), **overrides)
    with scratch_hotline(s, accounts=10):
        h = IvrHarness(s)
        with h.sessions() as db:
            for no, name, role in ((AGENT_A, "张丽", Role.agent), (AGENT_B, "王强", Role.agent),
                                   (LEAD, "刘班长", Role.team_lead)):
                add_user(db, no, name, role, PASSWORD, actor="test")
            db.commit()
        try:
            yield h
        finally:
            h.hangup_all()
            h.close()


@pytest.fixture(scope="module")
def ivr(tmp_path_factory):
    yield from qa_hotline(tmp_path_factory)


def hotline(ivr, *args: str) -> subprocess.CompletedProcess:
    """`hotline …` as an admin types it, on this module's hotline."""
    env = {**os.environ, "HOTLINE_HOME": str(ivr.settings.home), "HOTLINE_DIALPLAN_DIR": str(ivr.settings.dialplan_dir),
           "HOTLINE_TODAY": ivr.settings.today}
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def answered_call(ivr, agent_no: str, name: str, number: str, known: bool, spoken: bool) -> Recording:
    """A resident's call through the IVR to `agent_no`'s phone, answered; the agent speaks (a
    tone) or says nothing; the resident hangs up. The call's sealed recording."""
    with agent_in_queue(ivr, agent_no, name) as phone:
        d = CallerDialog(ivr.ami, ivr.phone_for(number), ivr.settings.extension, number)
        resident_reports_no_heat(d, known=known)
        leg = phone.wait_incoming(30)
        leg.answer(200).wait_state("CONFIRMED", 10)
        leg.wait_media(5)
        if spoken:
            leg.play_tone(440)
        time.sleep(2.5)
        d.hangup()
        leg.wait_state("DISCONNECTED", 10)
    return sealed_recording(ivr, number, 20)[1]


def test_the_sample_deleting_and_the_seals_on_real_calls(ivr):
    (a1, k1), (a2, k2), (b1, k3) = demo_callers(ivr.settings, 3)
    spoken = answered_call(ivr, AGENT_A, "张丽", a1, k1, spoken=True)
    silent = answered_call(ivr, AGENT_A, "张丽", a2, k2, spoken=False)
    other = answered_call(ivr, AGENT_B, "王强", b1, k3, spoken=True)

    # the day's sample: every agent who took calls, ≥ 10 % of their answered calls, at least one
    got = hotline(ivr, "qa", "sample", "--date", DAY, "--json")
    assert got.returncode == 0, got.stderr
    sample = json.loads(got.stdout)
    per_agent = {a["agent_no"]: a for a in sample["agents"]}
    assert (per_agent[AGENT_A]["answered"], per_agent[AGENT_B]["answered"]) == (2, 1)
    for no, mine in ((AGENT_A, {spoken.id, silent.id}), (AGENT_B, {other.id})):
        drawn = [r for r in sample["sample"] if r["agent"] == no]
        assert len(drawn) >= max(1, math.ceil(0.10 * per_agent[no]["answered"]))
        assert {r["recording"] for r in drawn} <= mine and not any(r["checked"] for r in drawn)
    assert sample["final"] is False          # the hotline's day is not over: the draw as it stands

    # a team lead finds the agent's calls over the API; the agent sees only their own
    lead = Api(f"http://127.0.0.1:{ivr.ports['api']}")
    assert lead.login(LEAD)[0] == 200
    status, rows = lead.call("GET", f"{wire.RECORDINGS}?agent={AGENT_A}&direction=in")
    assert status == 200 and {r["id"] for r in rows} == {spoken.id, silent.id}
    agent = Api(lead.base)
    assert agent.login(AGENT_B)[0] == 200
    assert agent.call("GET", f"{wire.RECORDINGS}?agent={AGENT_A}")[0] == 403

    # deleting: never the agent's; never a recording with audio in it; the empty one, with the row kept
    refused = hotline(ivr, "recordings", "delete", str(silent.id), "--as", AGENT_A, "--reason", "空录音")
    assert refused.returncode == 2 and "无权删除" in refused.stderr
    loud = hotline(ivr, "recordings", "delete", str(spoken.id), "--as", LEAD, "--reason", "以为是空录音")
    assert loud.returncode != 0 and "不是空录音" in loud.stderr and Path(spoken.path).exists()
    done = hotline(ivr, "recordings", "delete", str(silent.id), "--as", LEAD, "--reason", "住户未出声,空录音")
    assert done.returncode == 0, done.stderr
    assert not Path(silent.path).exists()
    with ivr.sessions() as db:
        kept = db.get(Recording, silent.id)
        assert kept.deleted_at is not None and kept.delete_reason == "住户未出声,空录音" and kept.sha256 == silent.sha256
        audits = {a.action: a for a in db.scalars(select(AuditEntry).where(AuditEntry.object_type == "recording"))}
        assert db.get(Recording, spoken.id).deleted_at is None
    assert audits["recording_delete"].actor == LEAD and audits["recording_delete"].detail["sha256"] == silent.sha256
    assert audits["delete_refused"].object_id in (str(silent.id), str(spoken.id))
    print(f"\nthe spoken call: {loud.stderr.strip()}; the silent one: peak "
          f"{audits['recording_delete'].detail['peak_db']} dBFS over {audits['recording_delete'].detail['duration_s']} s")
    found = hotline(ivr, "recordings", "find", "--agent", AGENT_A, "--json")
    deleted = next(r for r in json.loads(found.stdout) if r["id"] == silent.id)["deleted"]
    assert (deleted["by"], deleted["reason"]) == (LEAD, "住户未出声,空录音")

    # a seal broken on disk: verify finds it, the lead's desk and `hotline status` show the alert
    desk = LeadsDesk(lead.base, lead.token)
    desk.start()
    try:
        assert desk.ready.wait(10)
        before = status_json(ivr.settings)["recordings"]["flagged_today"]
        with open(other.path, "ab") as fh:
            fh.write(b"\0" * 1600)
        checked = hotline(ivr, "recordings", "verify", "--json")
        assert checked.returncode == 1, checked.stderr
        report = json.loads(checked.stdout)
        assert [b["id"] for b in report["broken"]] == [other.id] and report["broken"][0]["problem"] == "sha256 differs"
        pushed = wait_for(lambda: next((st for st in desk.storage() if st and st["flagged_today"] > before), None),
                          15, "the broken seal on the lead's desk")
        assert "录音异常" in pushed["message"]
        st = status_json(ivr.settings)["recordings"]
        assert st["flagged_today"] > before and "录音异常" in st["alert"]
    finally:
        desk.stop = True
        desk.join(5)
