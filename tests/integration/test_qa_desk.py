"""#28 on the real stack, the desk's side (one hotline of this module's own): residents come through
the IVR and the queue to an agent's phone (pjsua2). While a call is up, a team lead's phone listens
in (POST /api/agents/{工号}/listen: Asterisk rings the lead's own phone into [listen-in], ChanSpy) and
hears the agent; with whisper the agent hears the lead and the resident does not; another agent's
phone dialling the listen-in extension is refused unanswered. Then a team lead scores the day's
sampled call on the desk (pytest-qt, the real AgentWindow over the real API): 地址填写错误 is the
4th serious error of the month (three are on record from earlier days) — it costs 10 + 50 元 —
and the month's results on the desk and over the API show the pass rate and the fines as the
rules say."""
from __future__ import annotations

import math
import os
import time
import wave
from array import array
from datetime import datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HOTLINE_NULL_AUDIO", "1")

import pytest  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.desk_demo import demo_callers  # noqa: E402
from bench.scenarios import CallerDialog, resident_reports_no_heat  # noqa: E402
from common import wire  # noqa: E402
from common.naming import AMI_SERVICE_USER  # noqa: E402
from common.secrets import ami_secret  # noqa: E402
from common.sip.phone import Phone  # noqa: E402
from conftest import agent_in_queue, logged_in_window, sealed_recording  # noqa: E402
from db.models import AuditEntry, QaCheck, User  # noqa: E402
from hotline.admin import runtime  # noqa: E402
from hotline.admin.amiclient import AmiEventLog  # noqa: E402
from test_agent_api import PASSWORD, Api  # noqa: E402
from test_qa import AGENT_A, AGENT_B, LEAD, qa_hotline  # noqa: E402

pytestmark = pytest.mark.asterisk

MONTH = "2026-11"          # the scratch hotline's day is 2026-11-23 (bench.scratch.SCRATCH_NOW)
TONE_HZ, WHISPER_HZ = 440, 1000


@pytest.fixture(scope="module")
def ivr(tmp_path_factory):
    yield from qa_hotline(tmp_path_factory)


def phone_of(ivr, agent_no: str) -> Phone:
    """A person's desk phone registered with their SIP secret (the login answer's)."""
    runtime.reload_agents(ivr.settings, ivr.sessions)
    with ivr.sessions() as db:
        secret = db.scalar(select(User.sip_secret).where(User.agent_no == agent_no))
    return Phone.register(ivr.stack, ivr.ports["sip"], f"agent-{agent_no}", secret).wait_registered(10)


def level(path: str, freq: float) -> tuple[float, float]:
    """(peak dBFS, share of the signal's power at `freq`) of a 16-bit mono WAV (Goertzel)."""
    with wave.open(path) as w:
        rate = w.getframerate()
        samples = array("h", w.readframes(w.getnframes()))
    if not samples:
        return float("-inf"), 0.0
    peak = max(abs(x) for x in samples)
    coeff = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    at_freq = (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (len(samples) / 2)
    total = sum(x * x for x in samples) or 1
    return (20 * math.log10(peak / 32768) if peak else float("-inf")), at_freq / total


def resident_call(ivr, agent_phone: Phone, number: str, known: bool):
    """A resident through the IVR to the agent's phone, answered; the agent speaks (a tone)."""
    d = CallerDialog(ivr.ami, ivr.phone_for(number), ivr.settings.extension, number)
    resident_reports_no_heat(d, known=known)
    leg = agent_phone.wait_incoming(30)
    leg.answer(200).wait_state("CONFIRMED", 10)
    leg.wait_media(5)
    leg.play_tone(TONE_HZ)
    return d, leg


def test_a_team_leads_phone_listens_in_and_whispers_and_an_agents_phone_cannot(ivr, tmp_path):
    (a1, k1), = demo_callers(ivr.settings, 1)
    lead_phone, b_phone = phone_of(ivr, LEAD), phone_of(ivr, AGENT_B)
    lead = Api(f"http://127.0.0.1:{ivr.ports['api']}")
    assert lead.login(LEAD)[0] == 200
    try:
        with agent_in_queue(ivr, AGENT_A, "张丽") as a_phone:
            d, leg = resident_call(ivr, a_phone, a1, k1)
            mark = ivr.ami.mark()
            # no phone dials a listen-in by hand (only a granted, audited request reaches [listen-in])
            spy = b_phone.dial(f"*55{AGENT_A}")
            spy.wait_state("DISCONNECTED", 10)
            assert "CONFIRMED" not in spy.history, spy.history
            # and were an agent's phone sent into [listen-in] (an Originate as the service's AMI user,
            # with no grant behind it), the dialplan refuses it
            service_ami = AmiEventLog(ivr.ports["ami"], AMI_SERVICE_USER, ami_secret(ivr.settings), events="off")
            try:
                forged = service_ami.action({"Action": "Originate", "Channel": f"PJSIP/agent-{AGENT_B}",
                                             "Context": "listen-in", "Exten": AGENT_A, "Priority": "1", "Async": "true"})
            finally:
                service_ami.close()
            assert forged.get("Response") == "Success", forged
            ring_b = b_phone.wait_incoming(10)
            ring_b.answer(200).wait_state("CONFIRMED", 10)
            ring_b.wait_state("DISCONNECTED", 10)
            ivr.ami.wait(lambda e: e.get("Event") == "Newexten" and e.get("Context") == "listen-in"
                         and "refused" in e.get("AppData", ""), timeout=10, start=mark)
            # and the API refuses an agent (audited): only a team lead listens in
            agent = Api(lead.base)
            assert agent.login(AGENT_B)[0] == 200
            assert agent.call("POST", wire.path(wire.LISTEN_IN, agent_no=AGENT_A), {})[0] == 403

            # the lead listens in: their own phone rings "监听 <工号>", answered, hears the agent
            status, grant = lead.call("POST", wire.path(wire.LISTEN_IN, agent_no=AGENT_A), {"whisper": False})
            assert status == 200 and grant["label"] == "监听", grant
            started = time.monotonic()
            ring = lead_phone.wait_incoming(10)
            assert f"<sip:{AGENT_A}@" in ring.remote_uri, ring.remote_uri      # "<label> <工号>": the desk answers it
            print(f"listen-in: the lead's phone rang from {ring.remote_uri!r}")
            heard = tmp_path / "lead-heard.wav"
            ring.record_to(heard)
            ring.answer(200).wait_state("CONFIRMED", 10)
            spying = ivr.ami.wait(lambda e: e.get("Event") == "ChanSpyStart", timeout=10, start=mark)
            print(f"\nlisten-in: from the API's answer to ChanSpyStart {time.monotonic() - started:.2f} s")
            assert spying["SpyerChannel"].startswith(f"PJSIP/agent-{LEAD}-")
            assert spying["SpyeeChannel"].startswith(f"PJSIP/agent-{AGENT_A}-")
            assert not [e for e in ivr.ami.events[mark:] if e.get("Event") == "ChanSpyStart"
                        and e.get("SpyerChannel", "").startswith(f"PJSIP/agent-{AGENT_B}-")]
            time.sleep(2.0)
            ring.hangup()
            peak, share = level(ring.wait_recording(5), TONE_HZ)
            print(f"listen-in: the lead heard peak {peak:.1f} dBFS, {share:.0%} of it at {TONE_HZ} Hz")
            assert peak > -30 and share > 0.5               # the agent's voice (the tone), loud and clear

            # whisper: the agent hears the lead, the resident does not
            agent_heard, resident_heard = tmp_path / "agent-heard.wav", tmp_path / "resident-heard.wav"
            leg.record_to(agent_heard)
            d.call.record_to(resident_heard)
            assert lead.call("POST", wire.path(wire.LISTEN_IN, agent_no=AGENT_A), {"whisper": True})[0] == 200
            ring = lead_phone.wait_incoming(10)
            ring.answer(200).wait_state("CONFIRMED", 10)
            ring.wait_media(5)
            ring.play_tone(WHISPER_HZ)
            time.sleep(2.5)
            ring.hangup()
            ring.wait_state("DISCONNECTED", 10)
            d.hangup()
            leg.wait_state("DISCONNECTED", 10)
            to_agent = level(leg.wait_recording(5), WHISPER_HZ)
            to_resident = level(d.call.wait_recording(5), WHISPER_HZ)
            print(f"whisper at {WHISPER_HZ} Hz: the agent heard {to_agent[1]:.0%} of peak {to_agent[0]:.1f} dBFS, "
                  f"the resident {to_resident[1]:.1%} of peak {to_resident[0]:.1f} dBFS")
            assert to_agent[0] > -30 and to_agent[1] > 0.5
            assert to_resident[1] < 0.01                    # the resident heard the agent's tone, not the lead
        _call, recorded = sealed_recording(ivr, a1, 20)
        kept = level(recorded.path, WHISPER_HZ)
        print(f"whisper in the call's recording (MixMonitor on the agent's channel): {kept[1]:.1%} of peak "
              f"{kept[0]:.1f} dBFS at {WHISPER_HZ} Hz")
        assert kept[1] < 0.01                               # the evidence is the call as the resident had it
        with ivr.sessions() as db:
            audits = db.scalars(select(AuditEntry).where(AuditEntry.action.in_(("listen_in", "listen_refused")))).all()
        assert [(a.actor, a.action, a.object_id, (a.detail or {}).get("whisper")) for a in audits] == [
            (AGENT_B, "listen_refused", AGENT_A, None), (LEAD, "listen_in", AGENT_A, False),
            (LEAD, "listen_in", AGENT_A, True)]
    finally:
        lead_phone.close()
        b_phone.close()


def test_a_team_lead_scores_the_sampled_call_on_the_desk_and_the_fines_follow_the_rules(ivr, qtbot):

    (_a1, _k1), (a2, k2) = demo_callers(ivr.settings, 2)
    with agent_in_queue(ivr, AGENT_A, "张丽") as a_phone:
        d, leg = resident_call(ivr, a_phone, a2, k2)
        time.sleep(1.5)
        d.hangup()
        leg.wait_state("DISCONNECTED", 10)
    sealed_recording(ivr, a2, 20)
    # three serious errors of the agent's are on record from earlier this month, and one passed check
    with ivr.sessions() as db, db.begin():
        agent_id = db.scalar(select(User.id).where(User.agent_no == AGENT_A))
        lead_id = db.scalar(select(User.id).where(User.agent_no == LEAD))
        for day, findings, passed in (("2026-11-03", ["wrong_station"], False), ("2026-11-09", ["wrong_address"], False),
                                      ("2026-11-17", ["invalid_promise"], False), ("2026-11-18", [], True)):
            db.add(QaCheck(kind="lead", agent_id=agent_id, checker_id=lead_id, items={}, findings=findings,
                           passed=passed, note="", day=day, at=datetime.fromisoformat(f"{day}T15:00:00")))

    w = logged_in_window(qtbot, ivr.ports["api"], LEAD, PASSWORD)
    try:
        qa = w.qa
        w.show_tab("qa")
        sp = qa.sample
        qtbot.waitUntil(lambda: sp.model.rowCount() >= 1 and bool(qa.state.cards), timeout=15_000)
        sample = qa.state.sample
        mine = next(a for a in sample["agents"] if a["agent_no"] == AGENT_A)
        # ≥ 10 % of the agent's answered calls (this test's and the listen-in's), at least one
        assert mine["quota"] == max(1, math.ceil(0.1 * mine["answered"])) and mine["sample"] >= mine["quota"] >= 1
        row = next(i for i, r in enumerate(sp.model.rows()) if r["agent"] == AGENT_A)
        sp.table.selectRow(row)
        checked = sp.model.row_dict(row)
        qtbot.waitUntil(lambda: sp.ticket.values["address"].text() != "", timeout=15_000)      # its ticket
        qtbot.waitUntil(lambda: qa.clips.source is not None, timeout=15_000)                   # its recording
        assert qa.player.rid == checked["recording"]
        for radios in sp.card.radios.values():
            radios["pass"].click()
        assert sp.verdict.text() == "预判:合格"
        sp.ticket.marks["wrong_address"].click()                   # the address on the ticket is wrong
        sp.note.setPlainText("楼号录错")
        assert sp.verdict.text() == "预判:不合格" and sp.submit_button.isEnabled()
        sp.submit_button.click()
        qtbot.waitUntil(lambda: "检查结果已保存" in sp.result.text(), timeout=15_000)
        assert "不合格" in sp.result.text()
        qtbot.waitUntil(lambda: (qa.state.row(checked["recording"]).get("check") or {}).get("by") == LEAD,
                        timeout=15_000)

        # the month: 1 passed of 5 checked; the 4th serious error costs 10 + 50, the month 90 元
        qa.tabs.setCurrentWidget(qa.results)
        qtbot.waitUntil(lambda: any(r.get("agent_no") == AGENT_A for r in qa.results.model.rows()), timeout=15_000)
        i = next(i for i, r in enumerate(qa.results.model.rows()) if r["agent_no"] == AGENT_A)
        shown = {title: qa.results.model.index(i, c).data() for c, (title, _f) in enumerate(qa.results.model.COLUMNS)}
        assert (shown["抽查"], shown["合格率"], shown["严重差错"], shown["罚款(元)"]) == ("5", "20.0%", "4", "90")
        assert "地址填写错误×2" in shown["检查结果"]
        checkers = qa.results.checkers_model.rows()
        assert [(c["agent_no"], c["checked"], c["passed"]) for c in checkers] == [(LEAD, 5, 1)]
        lead = Api(f"http://127.0.0.1:{ivr.ports['api']}", token=w.api.token)
        status, results = lead.call("GET", f"{wire.QA_RESULTS}?month={MONTH}")
        assert status == 200
        fines = next(a for a in results["agents"] if a["agent_no"] == AGENT_A)["fines"]
        assert [(f["nth"], f["finding"], f["amount"]) for f in fines] == [
            (1, "wrong_station", 10), (2, "wrong_address", 10), (3, "invalid_promise", 10), (4, "wrong_address", 60)]
        w.grab().save(str(ivr.settings.home / "qa-desk.png"))
    finally:
        w.close()
