"""The desk's 质检 screen (#28), offscreen, no server, no SIP: the real AgentApiClient with its
`request` replaced by a recorder (the routes, bodies and queries it would send are the ones
checked; the answers are the wire's and desktop.sample's shapes), a fake phone. A team lead's day's
sample, a call's ticket and recording, the scorecard rendered from the standard's data (na only
where an item may not apply), findings that mark the ticket's field, the written result sent; the
proposals, the month's results, live listen-in answered by the desk; an agent's peer listening;
the player's seek and speed; the recordings search; a ticket's recordings."""
from __future__ import annotations

import copy
import math
import os
from array import array

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HOTLINE_NULL_AUDIO", "1")

import pytest  # noqa: E402

from desktop import app as desk_app  # noqa: E402
from desktop import sample  # noqa: E402
from desktop.models.labels import FINDING_LABELS  # noqa: E402
from desktop.models.qa import FAIL_BG, FLAG_BG, ResultsModel, SampleModel  # noqa: E402
from desktop.models.reports import percent  # noqa: E402
from desktop.services import audio  # noqa: E402
from desktop.services.api import AgentApiClient  # noqa: E402
from desktop.state.qa import PAGE_LISTEN, PAGE_PEER, PAGE_RESULTS, PAGE_SAMPLE, PlayerState, QaState, pages_for  # noqa: E402
from desktop.widgets.main_window import AgentWindow  # noqa: E402
from desktop.widgets.ticket_detail import TicketDetailPanel  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from common import wire  # noqa: E402
from test_desktop_aftercall import Wire  # noqa: E402
from test_desktop_calls_out import FakePhone  # noqa: E402

LEAD = {"agent_no": "1101", "name": "张伟", "role": "team_lead"}
HEAD = {"agent_no": "1201", "name": "李部长", "role": "head"}
AGENT = {"agent_no": "1001", "name": "李娜", "role": "agent"}


@pytest.fixture
def desk(qtbot):
    api = AgentApiClient("http://127.0.0.1:9")
    phone = FakePhone()
    w = AgentWindow(api=api, phone=phone)
    qtbot.addWidget(w)
    w.net = Wire(api)
    w.phone_fake = phone
    w.show()
    yield w
    w.form.autosave_timer.stop()


def open_qa(w, user: dict):
    w.desk.set_user(dict(user))
    w.net.sent.clear()
    w.show_tab("qa")
    return w.qa


def lead_with_the_sample(w):
    qa = open_qa(w, LEAD)
    w.net.answer("GET", wire.QA_SAMPLE, sample.qa_sample())
    w.net.answer("GET", wire.QA_SCORECARDS, sample.qa_scorecards())
    return qa


# ------------------------------------------------------------------------- who sees what --

def test_each_role_gets_its_qa_pages():
    assert pages_for("team_lead") == (PAGE_SAMPLE, "proposals", PAGE_RESULTS, PAGE_LISTEN)
    assert PAGE_LISTEN not in pages_for("head") and PAGE_SAMPLE in pages_for("head")
    assert pages_for("agent") == (PAGE_PEER, PAGE_RESULTS)
    assert pages_for("station") == ()


def test_the_findings_labels_are_the_rules_words():
    assert {k: v for k, v in FINDING_LABELS.items()} == wire.QA_FINDINGS


def test_opening_the_tab_asks_the_servers_day_and_the_standards_and_shows_its_day(desk):
    qa = open_qa(desk, LEAD)
    got = desk.net.last("GET", wire.QA_SAMPLE)
    assert got["query"] is None                            # the server's reporting day, not this PC's
    desk.net.answer("GET", wire.QA_SAMPLE, sample.qa_sample())
    assert qa.sample.day.date().toString("yyyy-MM-dd") == "2026-11-23"
    assert qa.sample.model.rowCount() == 4 and "1002 王强" in qa.sample.summary.text()
    assert desk.net.find("GET", wire.QA_SCORECARDS)
    qa.sample.day.setDate(qa.sample.day.date().addDays(-1))
    assert desk.net.last("GET", wire.QA_SAMPLE)["query"] == {"date": "2026-11-22"}


def test_nothing_is_asked_when_nobody_is_logged_in(desk):
    desk.api.token = ""
    open_qa(desk, LEAD)
    desk.qa.refresh()
    assert not desk.net.sent


# ----------------------------------------------------------------------- checking a call --

def test_a_lead_scores_a_sampled_call_against_its_standard_and_sends_the_written_result(desk):
    qa = lead_with_the_sample(desk)
    sp = qa.sample
    sp.table.selectRow(0)
    row = sample.qa_sample()["sample"][0]
    assert desk.net.last("GET", wire.path(wire.TICKET, number=row["ticket"]))
    assert desk.net.find("GET", wire.path(wire.RECORDING_AUDIO, rid=row["recording"]))     # its recording
    desk.net.answer("GET", wire.path(wire.TICKET, number=row["ticket"]), sample.qa_ticket())
    assert sp.ticket.values["address"].text() == sample.qa_ticket()["address"]
    assert sp.ticket.values["caller_number"].text() == "13912345678"
    # the intake standard's items, from its data: pass / fail only (none of them may not apply)
    keys = [i["key"] for i in sample.qa_scorecards()[0]["items"]]
    assert list(sp.card.radios) == keys and all(set(r) == {"pass", "fail"} for r in sp.card.radios.values())
    assert not sp.submit_button.isEnabled() and "7" in sp.verdict.text()
    for key in keys:
        sp.card.radios[key]["pass"].click()
    assert sp.submit_button.isEnabled() and sp.verdict.text() == "预判:合格"
    # 地址填写错误 is one click on the ticket's address — the finding's button is the same state
    sp.ticket.marks["wrong_address"].click()
    assert sp.findings.buttons["wrong_address"].isChecked()
    assert "line-through" in sp.ticket.values["address"].styleSheet()
    assert sp.verdict.text() == "预判:不合格"
    sp.findings.buttons["wrong_station"].click()
    assert sp.ticket.marks["wrong_station"].isChecked()
    sp.findings.buttons["wrong_station"].click()                # off again
    sp.findings.buttons["praise"].click()
    sp.card.radios["closing"]["fail"].click()
    sp.note.setPlainText("楼号录错")
    sp.submit_button.click()
    sent = desk.net.last("POST", wire.QA_CHECKS)["body"]
    assert sent == {"recording": row["recording"], "scorecard": "intake",
                    "items": {**dict.fromkeys(keys, "pass"), "closing": "fail"},
                    "findings": ["wrong_address", "praise"], "note": "楼号录错"}
    asked = len(desk.net.find("GET", wire.QA_SAMPLE))
    desk.net.answer("POST", wire.QA_CHECKS, {"passed": False, "unreported_by": ["1002"]})
    assert "不合格" in sp.result.text() and "1002" in sp.result.text()
    assert len(desk.net.find("GET", wire.QA_SAMPLE)) == asked + 1  # the day's sample again: checked now
    again = sample.qa_sample()
    again["sample"][0]["check"] = {"id": 9, "passed": False, "by": "1101", "at": "2026-11-23T16:00:00"}
    player_rid = qa.player.rid
    desk.net.answer("GET", wire.QA_SAMPLE, again)
    assert "1002" in sp.result.text() and qa.player.rid == player_rid   # the same call: its answer stays, it plays on
    assert sp.model.index(0, 6).data() == "不合格 (1101)" and qa.state.selected["check"]["id"] == 9


def test_the_survey_standard_offers_na_for_f_only_and_sets_it_when_f_did_not_apply(desk):
    qa = lead_with_the_sample(desk)
    sp = qa.sample
    sp.table.selectRow(3)                                          # the 回访 call
    assert sp.card_choice.currentData() == "survey"
    assert set(sp.card.radios["f"]) == {"pass", "fail", "na"} and set(sp.card.radios["a"]) == {"pass", "fail"}
    assert sp.card.radios["f"]["na"].isChecked()                   # no survey on the ticket said f applied
    number = sample.qa_sample()["sample"][3]["ticket"]
    desk.net.answer("GET", wire.path(wire.TICKET, number=number),
                    {**sample.qa_ticket(), "number": number, "survey": {**wire.SAMPLE_SURVEY, "fee_reminder": True}})
    assert not sp.card.radios["f"]["na"].isChecked() and "f" in qa.state.unscored()   # f applied: scored
    # the relaxed standard for an intake call: the same keys, the checker's choice
    sp.table.selectRow(0)
    sp.card_choice.setCurrentIndex(sp.card_choice.findData("intake_relaxed"))
    sp.card_choice.activated.emit(sp.card_choice.currentIndex())
    assert qa.state.card["kind"] == "intake_relaxed" and not qa.state.card["items"][0]["required"]


def test_a_failed_optional_item_does_not_fail_the_call_but_a_required_one_does():
    st = QaState()
    st.role = "team_lead"
    st.set_scorecards(sample.qa_scorecards())
    st.select({**wire.SAMPLE_QA_ROW})
    st.use_card("intake_relaxed")
    for key in st.items:
        st.score(key, "pass")
    st.score("opening", "fail")                                    # not required in the relaxed standard
    assert st.verdict() is True
    st.score("address", "fail")
    assert st.verdict() is False
    st.score("address", "na")                                      # na is not a choice there: ignored
    assert st.items["address"] == "fail"


def test_a_lead_adds_a_call_of_the_day_found_by_the_search(desk, qtbot):
    qa = lead_with_the_sample(desk)
    assert qa.sample.add_button.isVisible()
    dlg = qa.open_add_call()
    assert desk.net.last("GET", wire.RECORDINGS)["query"] == {"since": "2026-11-23", "until": "2026-11-23"}
    dlg.search.agent.setText("1002")
    dlg.search.search()
    assert desk.net.last("GET", wire.RECORDINGS)["query"] == {"agent": "1002", "since": "2026-11-23",
                                                              "until": "2026-11-23"}
    desk.net.answer("GET", wire.RECORDINGS, [copy.deepcopy(wire.SAMPLE_RECORDING_ROW)])
    dlg.add_button.click()
    assert desk.net.last("POST", wire.QA_SAMPLE)["body"] == {"recording": wire.SAMPLE_RECORDING_ROW["id"]}
    desk.net.refuse("POST", wire.QA_SAMPLE, "这段录音已在当日抽查中", 409)
    assert dlg.error.text() == "这段录音已在当日抽查中"
    desk.net.answer("POST", wire.QA_SAMPLE, {**wire.SAMPLE_QA_ROW, "kind": "manual"})
    assert not dlg.isVisible() and desk.net.last("GET", wire.QA_SAMPLE)


def test_the_head_checks_the_weekly_sample_adds_no_call_and_listens_in_on_nobody(desk):
    qa = open_qa(desk, HEAD)
    assert not qa.sample.add_button.isVisible() and qa.sample.submit_button.isVisible()
    assert [qa.tabs.tabText(i) for i in range(qa.tabs.count())] == ["每日抽查", "检查建议", "月度结果"]
    assert desk.net.find("GET", wire.QA_WEEKLY) and not desk.net.find("GET", wire.QA_SAMPLE)   # 部长每周抽查
    week = {"week": "2026-11-16", "final": True, "drawn_at": "2026-11-23T00:01:00",
            "sample": [{**wire.SAMPLE_QA_ROW, "kind": "weekly", "day": "2026-11-16"}]}
    desk.net.answer("GET", wire.QA_WEEKLY, week)
    assert qa.sample.model.rowCount() == 1 and "2026-11-16" in qa.sample.summary.text()
    qa.sample.which.setCurrentIndex(0)
    qa.sample.which.activated.emit(0)
    assert desk.net.find("GET", wire.QA_SAMPLE)                                              # the day's, by choice


# -------------------------------------------------------------- proposals, results --

def test_a_lead_confirms_a_proposal_with_a_note(desk):
    qa = open_qa(desk, LEAD)
    qa.tabs.setCurrentWidget(qa.proposals)
    desk.net.answer("GET", wire.QA_PROPOSALS, sample.qa_proposals())
    assert qa.proposals.model.rowCount() == 2
    qa.proposals.table.selectRow(1)
    qa.proposals.note.setText("已核实")
    qa.proposals.confirm_button.click()
    assert desk.net.last("POST", wire.path(wire.QA_PROPOSAL, pid=5))["body"] == {"confirm": True, "note": "已核实"}
    qa.proposals.table.selectRow(0)
    qa.proposals.dismiss_button.click()
    assert desk.net.last("POST", wire.path(wire.QA_PROPOSAL, pid=4))["body"] == {"confirm": False, "note": ""}


def test_the_months_results_show_pass_rates_fines_and_the_retraining_flag(desk):
    qa = open_qa(desk, LEAD)
    qa.tabs.setCurrentWidget(qa.results)
    assert desk.net.last("GET", wire.QA_RESULTS)["query"] is None
    desk.net.answer("GET", wire.QA_RESULTS, sample.qa_results())
    m = qa.results.model
    cols = [t for t, _f in ResultsModel.COLUMNS]
    first = {cols[c]: m.index(0, c).data() for c in range(len(cols))}
    assert (first["合格率"], first["严重差错"], first["罚款(元)"]) == ("86.4%", "4", "90")
    assert "地址填写错误×2" in first["检查结果"] and "闪光点×3" in first["检查结果"]
    assert m.index(1, cols.index("轮训")).data() == "需轮训"
    assert m.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) == FLAG_BG
    assert qa.results.checkers_model.rowCount() == 1 and not qa.results.checkers.isHidden()
    assert "10 元" in qa.results.limits.text() and "30.0%" in qa.results.limits.text()
    qa.results.month.setDate(qa.results.month.date().addMonths(-1))
    assert desk.net.last("GET", wire.QA_RESULTS)["query"] == {"month": "2026-10"}
    assert percent(None) == "—"


def test_a_checked_sample_row_is_tinted_by_its_result():
    m = SampleModel()
    m.set_rows(sample.qa_sample()["sample"])
    assert m.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) == FAIL_BG
    assert m.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert m.index(1, 6).data() == "不合格 (1101)" and m.index(0, 6).data() == "未检查"


# ------------------------------------------------------------------------- listen-in --

def test_a_lead_listens_in_on_an_agent_on_a_call_and_the_desk_answers_its_own_leg(desk, qtbot):
    qa = open_qa(desk, LEAD)
    qa.tabs.setCurrentWidget(qa.listen)
    desk.net.answer("GET", wire.AGENTS, sample.qa_board())
    assert qa.listen.model.rowCount() == 2                         # agents only, not the team lead
    qa.listen.table.selectRow(1)                                   # paused, no call
    assert not qa.listen.listen_button.isEnabled()
    qa.listen.table.selectRow(0)
    assert qa.listen.listen_button.isEnabled() and qa.listen.whisper_button.isEnabled()
    qa.listen.whisper_button.click()
    assert desk.net.last("POST", wire.path(wire.LISTEN_IN, agent_no="1001"))["body"] == {"whisper": True}
    grant = {**wire.SAMPLE_LISTEN_IN, "whisper": True, "label": "耳语"}
    desk.net.answer("POST", wire.path(wire.LISTEN_IN, agent_no="1001"), grant)
    desk.phone_fake.ring({"number": "1001", "name": "耳语 1001", "remote_uri": "", "sip_call_id": "y"})
    assert ("answer",) in desk.phone_fake.done and desk.desk.pop is None
    assert "耳语 1001" in desk.softphone.caller.text()
    desk.phone_fake.to("talking")
    desk.phone_fake.to("ended")
    assert "监听已结束" in desk.status_line.text()
    desk.net.sent.clear()
    desk.api.event.emit({"type": wire.EV_CALL_ENDED, "uniqueid": "1.1"})     # the board follows the calls
    qtbot.waitUntil(lambda: bool(desk.net.find("GET", wire.AGENTS)), timeout=2000)


# --------------------------------------------------------------------- peer listening --

def test_an_agent_marks_a_colleagues_recording_with_a_problem_and_its_cause(desk):
    qa = open_qa(desk, AGENT)
    assert [qa.tabs.tabText(i) for i in range(qa.tabs.count())] == ["听前日录音", "月度结果"]
    desk.net.answer("GET", wire.QA_PEER, sample.qa_peer())
    pp = qa.peer
    assert "2026-11-23" in pp.summary.text() and "已听 1" in pp.summary.text()
    pp.table.selectRow(0)                                          # already marked: read only
    assert not pp.mark_button.isEnabled() and pp.findings.buttons["praise"].isChecked()
    assert not desk.net.find("GET", wire.path(wire.TICKET, number=sample.qa_peer()["recordings"][0]["ticket"]))
    pp.table.selectRow(1)
    assert pp.mark_button.isEnabled()                              # clean: nothing to explain
    pp.findings.buttons["misleading"].click()
    assert not pp.mark_button.isEnabled() and "原因" in pp.hint.text()
    pp.note.setPlainText("告诉住户马上到,无法保证")
    pp.mark_button.click()
    assert desk.net.last("POST", wire.path(wire.QA_PEER_MARK, pid=22))["body"] == {
        "findings": ["misleading"], "note": "告诉住户马上到,无法保证"}
    desk.net.answer("POST", wire.path(wire.QA_PEER_MARK, pid=22), {"id": 22})
    assert desk.net.last("GET", wire.QA_PEER)


def test_an_agents_results_are_their_own_without_the_checkers(desk):
    qa = open_qa(desk, AGENT)
    qa.tabs.setCurrentWidget(qa.results)
    own = sample.qa_results()
    desk.net.answer("GET", wire.QA_RESULTS, {**own, "agents": own["agents"][:1], "checkers": []})
    assert qa.results.model.rowCount() == 1 and qa.results.checkers.isHidden()


# --------------------------------------------------------------------------- the player --

class Ticking:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_the_player_plays_from_a_position_at_a_speed_and_counts_on_from_when_it_plays(qtbot):
    clock = Ticking()
    pl = PlayerState(clock=clock)
    clips = []
    pl.clip_wanted.connect(lambda start, speed: clips.append((start, speed)))
    pl.load(41, 90.0)
    pl.play()
    assert clips == [(0.0, 1.0)] and pl.position == 0.0            # asked for: not playing yet
    pl.started()
    clock.t = 10
    assert pl.position == 10.0
    pl.set_speed(1.5)                                              # from where it is, faster
    assert clips[-1] == (10.0, 1.5)
    pl.started()
    clock.t = 14
    assert pl.position == pytest.approx(16.0)
    pl.seek(60)
    assert clips[-1] == (60.0, 1.5)
    pl.pause()
    clock.t = 100
    assert pl.position == 60.0 and not pl.playing
    pl.seek(500)
    assert pl.position == 90.0                                     # not past the end
    pl.play()
    assert clips[-1] == (0.0, 1.5)                                 # at the end: again from the start


def test_a_clip_starts_where_asked_and_a_faster_one_is_shorter_at_the_same_pitch():
    rate_hz = 8000
    tone = array("h", [int(8000 * math.sin(2 * math.pi * 440 * i / rate_hz)) for i in range(rate_hz * 6)])
    data = audio.wav_bytes(audio.Pcm(rate_hz, tone))
    same, seconds = audio.clip(data, 2.0, 1.0)
    assert seconds == 6.0 and audio.read_pcm(same).seconds == pytest.approx(4.0)
    fast, _ = audio.clip(data, 0.0, 1.5)
    got = audio.read_pcm(fast)
    assert got.seconds == pytest.approx(4.0, abs=0.1)
    crossings = sum(1 for a, b in zip(got.samples, got.samples[1:]) if a < 0 <= b)
    assert crossings / got.seconds == pytest.approx(440, rel=0.05)      # the pitch kept
    assert audio.clip(b"not a wav", 3, 1.5) == (b"not a wav", 0.0)


def test_selecting_a_call_plays_its_recording_on_the_phone_from_the_slider(desk, qtbot, tmp_path):
    qa = lead_with_the_sample(desk)
    qa.sample.table.selectRow(0)
    rid = sample.qa_sample()["sample"][0]["recording"]
    wav = tmp_path / "41.wav"
    wav.write_bytes(audio.wav_bytes(audio.Pcm(8000, array("h", [0] * 8000 * 3))))
    qa.qa.audio_ready.emit(rid, str(wav))
    with qtbot.waitSignal(qa.clips.made, timeout=5000):
        qa.sample.player.play_button.click()
    qtbot.waitUntil(lambda: any(d[0] == "play_file" for d in desk.phone_fake.done), timeout=5000)
    assert qa.player.duration == 3.0 and qa.sample.player.play_button.text() == "⏸ 暂停"
    qa.sample.player.speed_buttons[1.5].click()
    assert qa.player.speed == 1.5
    qa.sample.player.play_button.click()
    assert ("stop_playing",) in desk.phone_fake.done


# ------------------------------------------------------------------- finding recordings --

def test_the_recordings_dialog_finds_by_the_filters_and_an_agent_only_their_own(desk):
    desk.desk.set_user(dict(AGENT))
    desk.net.sent.clear()
    desk.open_recordings()
    assert desk.net.last("GET", wire.RECORDINGS)["query"] == {"agent": "1001"}
    assert not desk.recordings.search.agent.isEnabled()
    desk.desk.set_user({})
    desk.desk.set_user(dict(LEAD))
    desk.open_recordings()
    s = desk.recordings.search
    s.ticket.setText("2611230012")
    s.direction.setCurrentIndex(s.direction.findData("transfer"))
    s.find_button.click()
    assert desk.net.last("GET", wire.RECORDINGS)["query"] == {"ticket": "2611230012", "direction": "transfer"}
    desk.net.answer("GET", wire.RECORDINGS, [copy.deepcopy(wire.SAMPLE_RECORDING_ROW),
                                             {**wire.SAMPLE_RECORDING_ROW, "id": 42, "audio_url": None,
                                              "deleted": {"at": "x", "by": "1101", "reason": "空录音"}}])
    assert s.model.rowCount() == 2 and s.model.index(1, 6).data() == "已删除" and "2" in s.count.text()
    desk.recordings.play_button.click()
    assert desk.net.last("GET", wire.path(wire.RECORDING_AUDIO, rid=41))


def test_a_tickets_detail_lists_its_recordings_and_replays_one(qtbot):
    p = TicketDetailPanel()
    qtbot.addWidget(p)
    p.show()
    p.show_ticket(sample.detail())
    assert p.recordings.isHidden()                                 # none: no empty table
    p.show_ticket({**sample.detail(), "recordings": [copy.deepcopy(wire.SAMPLE_RECORDING_ROW)]})
    assert p.recordings_model.rowCount() == 1 and "(1)" in p.recordings_label.text()
    with qtbot.waitSignal(p.play_requested) as sig:
        p.play_button.click()
    assert sig.args == [wire.SAMPLE_RECORDING_ROW["id"]]


def test_the_sample_desk_shows_the_qa_screen_without_a_server(desk):
    desk.net.sent.clear()
    desk.api.token = ""
    desk_app.show_sample(desk, "1101", "team_lead", "qa")
    qa = desk.qa
    assert desk.tabs.currentWidget() is qa and qa.sample.model.rowCount() == 4
    assert qa.state.verdict() is False and qa.sample.submit_button.isEnabled()
    assert not desk.net.sent
