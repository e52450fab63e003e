"""The agent desk on real calls (pytest-qt, offscreen): the real window, its real
agent-API client and pjsua2 softphone, against the session's Asterisk and service.
A resident calls through the IVR from a second SIP line in this process."""
from __future__ import annotations

import hashlib
import os
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HOTLINE_NULL_AUDIO", "1")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from sqlalchemy import select  # noqa: E402

from db.models import (AgentPause, AuditEntry, Call, CallHold, Category, HeatingAccount, Recording, RepairStation,  # noqa: E402
                       Role, Ticket, TicketState, User)
from db.tickets import create_ticket, move_ticket  # noqa: E402
from desktop.state.aftercall import TAB_REPORTS  # noqa: E402
from hotline.admin import runtime  # noqa: E402
from bench.desk_demo import CallerLine, demo_callers  # noqa: E402
from hotline.admin.users import add_user  # noqa: E402
from conftest import close_desk, desk_window, logged_in_window, ring_and_answer  # noqa: E402
from test_agent_api import Api  # noqa: E402

pytestmark = pytest.mark.asterisk

AGENT, PASSWORD = "3001", "desk-test-pass"
CALL_S = 60_000   # ms: the IVR part of a call (greeting … queue) takes 25–40 s


LEAD = "3101"


@pytest.fixture(scope="module")
def desk_agent(ivr):
    with ivr.sessions() as db:
        for no, name, role in ((AGENT, "周丽", Role.agent), (LEAD, "孙班长", Role.team_lead)):
            if not db.scalar(select(User).where(User.agent_no == no)):
                add_user(db, no, name, role, PASSWORD, actor="test")
        db.commit()
    runtime.reload_agents(ivr.settings, ivr.sessions)
    return AGENT


@pytest.fixture
def lead_phone(ivr, desk_agent):
    """The team lead's desk phone, registered from this process."""
    from common.sip.phone import Phone
    with ivr.sessions() as db:
        secret = db.scalar(select(User.sip_secret).where(User.agent_no == LEAD))
    phone = Phone.agent(ivr.stack, ivr.ports["sip"], LEAD, secret).wait_registered(10)
    lead_api = Api(f"http://127.0.0.1:{ivr.ports['api']}")      # logged in: listed in the directory
    assert lead_api.login(LEAD, PASSWORD)[0] == 200
    yield phone
    lead_api.call("POST", "/api/logout")
    phone.close()


def open_desk(qtbot, ivr, agent_no=AGENT):
    return desk_window(qtbot, ivr.ports["api"], agent_no, PASSWORD)


def resident_calls(ivr) -> CallerLine:
    number, known = demo_callers(ivr.settings, 1)[0]
    line = CallerLine(ivr.settings, number, known)
    line.start()
    return line


@pytest.fixture(autouse=True)
def no_call_left_behind(ivr):
    yield
    ivr.hangup_all()


def test_a_real_call_rings_the_desk_pops_the_account_and_the_saved_ticket_holds_the_edits(qtbot, ivr, desk_agent):
    w = open_desk(qtbot, ivr)
    line = resident_calls(ivr)
    try:
        pop = ring_and_answer(qtbot, w, line)
        talk_started = time.monotonic()
        # the card: this resident's account, the IVR's answers, the draft ticket
        assert line.number in w.card.phones.text()
        assert w.card.account_no.text() == pop["account"]["account_no"]
        assert w.card.ivr_category.text() == "暖气不热"
        assert w.form.number == pop["ticket"]["number"] and w.form.address.text() == pop["account"]["address"]
        assert w.softphone.recording.isVisible()
        # the softphone's controls reach Asterisk: hold and resume, a keypad digit, mute
        mark = ivr.ami.mark()
        agent_leg = lambda e: e.get("Channel", "").startswith(f"PJSIP/agent-{AGENT}-")   # noqa: E731
        qtbot.mouseClick(w.softphone.hold_button, Qt.MouseButton.LeftButton)
        ivr.ami.wait(lambda e: e.get("Event") == "Hold" and agent_leg(e), timeout=10, start=mark)
        assert w.phone.state == "held"
        qtbot.mouseClick(w.softphone.hold_button, Qt.MouseButton.LeftButton)
        ivr.ami.wait(lambda e: e.get("Event") == "Unhold" and agent_leg(e), timeout=10, start=mark)
        qtbot.waitUntil(lambda: w.phone.state == "talking", timeout=5000)
        w.softphone.dtmf_pressed.emit("5")
        ivr.ami.wait(lambda e: e.get("Event") == "DTMFEnd" and agent_leg(e) and e.get("Digit") == "5",
                     timeout=10, start=mark)
        qtbot.mouseClick(w.softphone.mute_button, Qt.MouseButton.LeftButton)
        assert w.phone.muted and w.softphone.mute_button.isChecked()
        qtbot.mouseClick(w.softphone.mute_button, Qt.MouseButton.LeftButton)
        assert not w.phone.muted
        # the agent reads back each field, notes what the resident says, raises the priority
        assert not w.form.save_button.isEnabled()
        for chk in w.form.checks():
            qtbot.mouseClick(chk, Qt.MouseButton.LeftButton)
        w.form.notes.insertPlainText("三楼卧室暖气片冰凉")   # typed (QTest keys are ASCII only)
        w.form.priority.setCurrentIndex(w.form.priority.count() - 1)
        qtbot.waitUntil(w.form.save_button.isEnabled, timeout=2000)
        qtbot.mouseClick(w.form.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: w.form.saved, timeout=10_000)
        qtbot.wait(max(0, int(3000 - (time.monotonic() - talk_started) * 1000)))
        qtbot.mouseClick(w.softphone.hangup_button, Qt.MouseButton.LeftButton)
        talked = time.monotonic() - talk_started
        qtbot.waitUntil(lambda: w.phone.state in ("ended", "idle"), timeout=10_000)
        # after the call the server holds the agent out of the queue (话后整理) on its own timer,
        # which the desk shows, until 整理完成
        qtbot.waitUntil(lambda: w.desk.in_wrapup, timeout=5000)
        assert w.agent_state.get("paused") and w.agent_state.get("reason") == "话后整理"
        assert "剩余" in w.wrapup_label.text() and 20 <= w.desk.wrapup_seconds_left() <= 30
        qtbot.mouseClick(w.wrapup_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not w.desk.in_wrapup and not w.agent_state.get("paused"), timeout=5000)
    finally:
        line.hangup()
        close_desk(qtbot, w)

    number = pop["ticket"]["number"]
    with ivr.sessions() as db:
        tickets = db.scalars(select(Ticket).where(Ticket.number == number)).all()
        assert len(tickets) == 1, "save must update the IVR's draft, never add a ticket"
        t = tickets[0]
        assert t.state is TicketState.new and t.category is Category.no_heat
        assert t.description == "三楼卧室暖气片冰凉" and t.priority == 90      # 紧急: one scale
        assert t.confirmed_problem and t.confirmed_address and t.confirmed_name and t.confirmed_phone
        call = db.scalar(select(Call).where(Call.uniqueid == pop["uniqueid"]))
        agent = db.scalar(select(User).where(User.agent_no == AGENT))
        assert call.agent_id == agent.id and call.ticket_id == t.id
        # the service heard the phone's Hold and Unhold over its own AMI user: one stretch, ended (the reports' 保持)
        holds = db.execute(select(CallHold.user_id, CallHold.ended_at).where(CallHold.call_id == call.id)).all()
        assert len(holds) == 1 and holds[0].user_id == agent.id and holds[0].ended_at is not None, holds

    with ivr.sessions() as db:   # the wrap-up is on the pause log, closed by 整理完成
        wrapups = db.scalars(select(AgentPause).where(AgentPause.user_id == agent.id,
                                                      AgentPause.reason == "话后整理")).all()
        assert wrapups and wrapups[-1].ended_at is not None

    def finished_recording():
        with ivr.sessions() as db:
            r = db.scalar(select(Recording).where(Recording.call_id == call.id))
            return r if r is not None and r.sha256 else None
    qtbot.waitUntil(lambda: finished_recording() is not None, timeout=15_000)
    rec = finished_recording()
    path = rec.path
    assert path.startswith(str(ivr.settings.home)) and os.path.exists(path)
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == rec.sha256
    assert rec.ticket_id == t.id and rec.agent_id == agent.id
    assert abs(rec.duration_s - talked) < 2.0, (rec.duration_s, talked)

    # the agent finds it under 我的录音 and replays it through the API
    w = open_desk(qtbot, ivr)
    try:
        with qtbot.waitSignal(w.api.recordings_loaded, timeout=10_000):
            qtbot.mouseClick(w.recordings_button, Qt.MouseButton.LeftButton)
        rows = w.recordings.model.rows()
        assert rows[0]["id"] == rec.id and rows[0]["ticket_number"] == number
        with qtbot.waitSignal(w.api.recording_downloaded, timeout=10_000) as got:
            qtbot.mouseClick(w.recordings.play_button, Qt.MouseButton.LeftButton)
        assert open(got.args[1], "rb").read() == open(path, "rb").read()
    finally:
        close_desk(qtbot, w)


def test_desk_recovers_from_asterisk_and_service_restarts_without_a_click(qtbot, ivr, desk_agent):
    w = open_desk(qtbot, ivr)
    token = w.api.token
    try:
        runtime.restart_asterisk(ivr.settings)
        ivr.reconnect_ami()
        runtime.restart_service(ivr.settings)
        # the WebSocket came back on the same session; the desk is still in the queue
        qtbot.waitUntil(lambda: w.api.ws_connected, timeout=20_000)
        assert w.api.token == token and w.desk.user.get("agent_no") == AGENT
        qtbot.waitUntil(lambda: bool(w.phone.is_registered and w.agent_state.get("member")), timeout=20_000)
        # and it takes the next call as before. Rejected (拒接, on the record), the desk is paused
        # 未接听 like a call left ringing, and told; once 示闲 again the queue rings it again
        line = resident_calls(ivr)
        qtbot.waitUntil(lambda: bool(line.error or w.phone.state == "ringing"), timeout=60_000)
        assert not line.error, line.error
        qtbot.waitUntil(lambda: w.desk.pop_live, timeout=10_000)        # the pop names the call
        uniqueid = w.desk.pop["uniqueid"]
        qtbot.mouseClick(w.softphone.reject_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: w.phone.state == "idle", timeout=10_000)
        qtbot.waitUntil(lambda: w.agent_state.get("reason") == "未接听", timeout=10_000)
        assert w.pause_button.isChecked() and "未接听" in w.state_label.text()
        with ivr.sessions() as db:
            assert db.scalar(select(AuditEntry).where(AuditEntry.actor == AGENT, AuditEntry.action == "reject",
                                                      AuditEntry.object_id == uniqueid)) is not None
        def rang_out_audited():   # written just after the pause (the pause goes first: no second ring)
            with ivr.sessions() as db:
                return db.scalar(select(AuditEntry).where(AuditEntry.actor == AGENT, AuditEntry.object_id == uniqueid,
                                                          AuditEntry.action == "ring_no_answer"))
        qtbot.waitUntil(lambda: rang_out_audited() is not None, timeout=5000)
        qtbot.mouseClick(w.pause_button, Qt.MouseButton.LeftButton)          # 示闲
        qtbot.waitUntil(lambda: not w.agent_state.get("paused"), timeout=10_000)
        ring_and_answer(qtbot, w, line)
        qtbot.mouseClick(w.softphone.hangup_button, Qt.MouseButton.LeftButton)
        line.hangup()
    finally:
        close_desk(qtbot, w)


def test_desk_rides_out_a_dropped_network_on_the_same_session(qtbot, ivr, desk_agent):
    from conftest import FlakyLink
    link = FlakyLink(ivr.ports["api"])
    w = desk_window(qtbot, link.port, AGENT, PASSWORD)
    token = w.api.token
    try:
        link.cut()
        qtbot.waitUntil(lambda: not w.api.ws_connected, timeout=30_000)
        assert "重连" in w.service_label.text()
        qtbot.wait(3000)                      # a few seconds without the LAN
        link.mend()
        qtbot.waitUntil(lambda: w.api.ws_connected, timeout=30_000)
        assert w.api.token == token and "已连接" in w.service_label.text()
        with qtbot.waitSignal(w.api.script_loaded, timeout=10_000):
            w.api.get_script()
        assert w.agent_state.get("member") is True
    finally:
        close_desk(qtbot, w)
        link.close()


def test_blind_transfer_to_the_team_lead_then_the_autosaved_draft_survives_a_killed_desk(
        qtbot, ivr, desk_agent, lead_phone):
    w = open_desk(qtbot, ivr)
    line = resident_calls(ivr)
    try:
        pop = ring_and_answer(qtbot, w, line)
        with qtbot.waitSignal(w.api.draft_saved, timeout=10_000):      # autosaved within seconds
            w.form.notes.insertPlainText("客厅暖气片漏水，已关阀门")   # typed (QTest keys are ASCII only)
            qtbot.mouseClick(w.form.chk_problem, Qt.MouseButton.LeftButton)
        # the resident wants the team lead: chosen from the directory (refreshed as the list
        # opens), blind transfer
        with qtbot.waitSignal(w.api.directory_loaded, timeout=10_000):
            w.softphone.transfer_to.showPopup()
        w.softphone.transfer_to.hidePopup()
        i = w.softphone.transfer_to.findData(LEAD)
        assert i >= 0 and "孙班长" in w.softphone.transfer_to.itemText(i)
        w.softphone.transfer_to.setCurrentIndex(i)
        qtbot.mouseClick(w.softphone.transfer_button, Qt.MouseButton.LeftButton)
        to_lead = lead_phone.wait_incoming(15)
        assert line.number in to_lead.remote_uri
        to_lead.answer(200)
        qtbot.waitUntil(lambda: w.phone.state == "idle", timeout=10_000)   # the desk is free again
        to_lead.hangup()
    finally:
        line.hangup()
    # the desk dies: no close, no logout, no last save
    w.api.disconnect_events()
    w.phone.shutdown()
    w.hide()
    w2 = open_desk(qtbot, ivr)
    try:
        qtbot.waitUntil(lambda: w2.form.drafts.count() > 1, timeout=10_000)
        numbers = [(w2.form.drafts.itemData(i) or {}).get("number") for i in range(w2.form.drafts.count())]
        i = numbers.index(pop["ticket"]["number"])
        w2.form.drafts.activated.emit(i)
        assert w2.form.notes.toPlainText() == "客厅暖气片漏水，已关阀门"
        assert w2.form.chk_problem.isChecked() and not w2.form.chk_name.isChecked()
    finally:
        close_desk(qtbot, w2)


def test_attended_transfer_from_the_desk_takes_the_caller_back_then_hands_over_to_the_lead(
        qtbot, ivr, desk_agent, lead_phone):
    w = open_desk(qtbot, ivr)
    line = resident_calls(ivr)
    sp = w.softphone
    try:
        ring_and_answer(qtbot, w, line)
        qtbot.waitUntil(lambda: sp.transfer_to.findData(LEAD) >= 0, timeout=10_000)   # loaded at the answer
        sp.transfer_to.setCurrentIndex(sp.transfer_to.findData(LEAD))
        # 咨询: the caller on hold, the lead rings; 取回: the lead's call ends, the caller is back
        qtbot.mouseClick(sp.consult_button, Qt.MouseButton.LeftButton)
        lead = lead_phone.wait_incoming(15)
        lead.answer(200)
        qtbot.waitUntil(lambda: w.phone.consulting == "talking", timeout=10_000)
        assert w.phone.state == "held" and sp.complete_button.isEnabled()
        qtbot.mouseClick(sp.return_button, Qt.MouseButton.LeftButton)
        lead.wait_state("DISCONNECTED", 10)
        qtbot.waitUntil(lambda: w.phone.state == "talking" and w.phone.consulting == "none", timeout=10_000)
        # 咨询 again, then 完成转接: the caller and the lead talk, the desk is free
        qtbot.mouseClick(sp.consult_button, Qt.MouseButton.LeftButton)
        lead = lead_phone.wait_incoming(15)
        lead.answer(200)
        qtbot.waitUntil(lambda: sp.complete_button.isEnabled(), timeout=10_000)
        qtbot.mouseClick(sp.complete_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: w.phone.state == "idle" and w.phone.consulting == "none", timeout=15_000)
        qtbot.wait(1000)
        assert not lead.ended and not line.error
        lead.hangup()
    finally:
        line.hangup()
        close_desk(qtbot, w)


def test_hotline_desktop_demo_takes_a_real_call_and_writes_a_screenshot(ivr, tmp_path):
    """`hotline desktop --demo --screenshot FILE` as a person runs it, on a real X server (Xvfb)."""
    import struct
    import subprocess
    import sys
    from pathlib import Path

    from conftest import require_tool
    xvfb_run = require_tool("xvfb-run", "xvfb")
    shot = tmp_path / "desk.png"
    env = runtime.service_env(ivr.settings)
    env.pop("QT_QPA_PLATFORM", None)              # a real window, not offscreen
    hotline_cli = Path(sys.executable).with_name("hotline")
    r = subprocess.run([xvfb_run, "-a", "-s", "-screen 0 1366x768x24", str(hotline_cli), "desktop", "--demo",
                        "--screenshot", str(shot)], env=env, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    head = shot.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert 1100 <= width <= 1366 and 640 <= height <= 768, (width, height)   # fits a 1366×768 screen
    assert "demo done" in r.stderr


def test_a_team_leads_desk_reads_todays_report_and_drills_down_to_the_ticket(qtbot, ivr, desk_agent, tmp_path):
    """报表 against the real service: today's figures as the hotline counts them, a bar of the chart
    opens the repairs behind it, one of them opens on 工单; the screenshot is the README's."""
    district = "报表测试区"
    with ivr.sessions() as db:                  # a repair a team lead confirmed just now, from a district of its own
        lead = db.scalar(select(User).where(User.agent_no == LEAD))
        acc = HeatingAccount(account_no="88000027", name="赵报表", district=district, compound="统计小区",
                             building="27", unit="1", room="101", fee_status="paid")
        db.add(acc)
        db.flush()
        number = create_ticket(db, ivr.settings.now(), state=TicketState.new, by=lead.id, account_id=acc.id,
                               category=Category.leak, caller_number="13912340027", callback_number="13912340027",
                               address_snapshot=acc.address, name_snapshot=acc.name).number
        # and the morning's work elsewhere, repaired by a station (the charts of the screenshot)
        morning = ivr.settings.now().replace(hour=8, minute=20)
        stations = db.scalars(select(RepairStation).order_by(RepairStation.id).limit(3)).all()
        for i, station in enumerate(stations):
            other = db.scalar(select(HeatingAccount).where(HeatingAccount.district != district).offset(i).limit(1))
            t = create_ticket(db, morning + timedelta(minutes=7 * i), state=TicketState.new, by=lead.id,
                              account_id=other.id, station_id=station.id,
                              category=(Category.no_heat, Category.noise)[i % 2],
                              caller_number="13800000000", callback_number="13800000000",
                              address_snapshot=other.address, name_snapshot=other.name)
            for state, minutes in ((TicketState.dispatched, 5), (TicketState.accepted, 20 + 9 * i),
                                   (TicketState.contacted, 30 + 9 * i), (TicketState.completed, 60 + 25 * i)):
                move_ticket(db, t, state, morning + timedelta(minutes=7 * i + minutes), by=lead.id)
        db.commit()
    w = logged_in_window(qtbot, ivr.ports["api"], LEAD, PASSWORD)
    try:
        w.show_tab(TAB_REPORTS)
        state, panel = w.reports_state, w.reports
        qtbot.waitUntil(lambda: bool(state.report), timeout=30_000)
        r = state.report
        assert r["day"] == ivr.settings.now().date().isoformat()          # the hotline's today, not the PC's
        assert r["tickets"]["by_district"].get(district) == 1
        received = panel.section_models["received"].rows()[0]
        assert received["figure"] == "tickets.received" and received["value"] == str(r["tickets"]["received"])
        assert panel.district_chart.has_data() and district in panel.district_chart.data.categories
        assert len(panel.hours_chart.data.categories) == 24                # the reporting day's hours
        qtbot.wait(300)
        shot = Path(os.environ.get("HOTLINE_SCREENSHOTS") or tmp_path) / "reports-tab.png"
        assert w.grab().save(str(shot))
        # the bar of that district: the repairs behind it
        panel.district_chart.bar_clicked.emit(panel.district_chart.data.keys.index(district))
        qtbot.waitUntil(lambda: w.report_drill.isVisible() and bool(w.report_drill.rows()), timeout=15_000)
        (row,) = w.report_drill.rows()
        assert (row["number"], row["district"], row["phone"]) == (number, district, "139******27")
        w.report_drill.table.doubleClicked.emit(w.report_drill.table.model().index(0, 0))
        qtbot.waitUntil(lambda: w.aftercall.detail.get("number") == number, timeout=15_000)
        assert w.tabs.currentWidget() is w.tickets
    finally:
        w.close()
    with ivr.sessions() as db:                  # reading and drilling are on the record
        seen = {a.action for a in db.scalars(select(AuditEntry).where(AuditEntry.actor == LEAD,
                                                                      AuditEntry.object_type == "report"))}
        assert {"report_view", "report_drill"} <= seen
