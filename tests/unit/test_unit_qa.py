"""#28 — quality checks on recordings, on SQLite with real WAV files: the daily sample is reproducible
from the secret and the date, at least 10 % (rounded up, at least one) of each agent's answered legs,
and drawn once; a check follows its versioned standard; serious errors are fined 10 元 each and 60
from the 4th in a month; a peer who marked a leg clean that QA then fails is counted (知情不报); a
station recall proposes 选错维修站 against whoever saved the ticket; deleting a recording is a team
lead's application granted only for a file measured empty, the row kept; a broken seal and an
answered call without a recording are flagged for the alert."""
from __future__ import annotations

import hashlib
import subprocess
import wave
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from common import wire
from common.settings import load_settings
from db.models import (AnomalyRecord, AnomalyType, AuditEntry, Call, CallOutcome, QaDraw, QaSample,
                       QaScorecard, Recording, Role, TicketState)
from db.session import make_engine, migrate, session_factory
from db.tickets import create_ticket, move_ticket
from hotline.admin.users import add_user
from hotline.aftercall.qa import rules
from hotline.aftercall.qa.report import qa_section
from hotline.aftercall.qa.rules import QaPolicy
from hotline.aftercall.qa.standards import StandardError, load_standards, read_standard
from hotline.aftercall.qa.work import QaWork
from hotline.aftercall.recordings import RecordingBook
from hotline.aftercall.reports.figures import ReportPolicy
from hotline.aftercall.rules import Refused, RuleError, actor_for
from hotline.service.desk import DeskService, Principal
from ivr import storage

DAY = date(2026, 11, 23)                  # the reporting day 11-23 08:00 → 11-24 08:00
AFTER = datetime(2026, 11, 24, 9, 0)      # the day is over
KEY = b"the-installation's-secret"
AGENTS = {"1001": Role.agent, "1002": Role.agent, "1003": Role.agent, "1101": Role.team_lead,
          "1102": Role.team_lead, "1201": Role.head}
ALL_PASS = {"opening": "pass", "problem": "pass", "address": "pass", "name": "pass", "phone": "pass",
            "closing": "pass", "manner": "pass"}


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def sox(path: Path, *effect: str) -> Path:
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(path), *effect], check=True)
    return path


class World:
    def __init__(self, tmp_path: Path, now: datetime = AFTER, key: bytes = KEY, policy: QaPolicy = QaPolicy()):
        self.home = tmp_path
        self.recordings = tmp_path / "recordings"
        self.recordings.mkdir(parents=True, exist_ok=True)
        engine = make_engine(f"sqlite:///{tmp_path / 'qa.db'}")
        migrate(engine)
        self.sessions = session_factory(engine)
        self.clock = Clock(now)
        self.qa = QaWork(self.sessions, self.clock, policy, ReportPolicy(), key)
        self.book = RecordingBook(self.sessions, self.clock, self.recordings, -50.0)
        self.seq = 0
        with self.sessions() as db, db.begin():
            for no, role in AGENTS.items():
                add_user(db, no, f"人{no}", role, "correct-horse-7")
            load_standards(db, now)

    def who(self, no: str):
        with self.sessions() as db:
            return actor_for(db, no)

    def user_id(self, no: str) -> int:
        return self.who(no).user_id

    def call(self, agent: str, at: datetime, audio: str = "tone", direction: str = "in", ticket=None,
             seal: bool = True) -> int:
        """An answered call of `agent` at `at` and its recording (a real WAV); the recording's id."""
        self.seq += 1
        path = self.recordings / f"call-{self.seq}.wav"
        if audio == "tone":
            sox(path, "synth", "2", "sine", "440", "vol", "0.5")
        elif audio == "silence":
            sox(path, "trim", "0", "2")
        else:      # a file to list and draw, never measured: written without sox (fast)
            with wave.open(str(path), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(8000)
                w.writeframes(bytes(1600))
        with self.sessions() as db, db.begin():
            uid = self.user_id(agent)
            c = Call(uniqueid=f"1764000000.{self.seq}", caller="13912345678", ivr_at=at - timedelta(seconds=20),
                     answered_at=at, ended_at=at + timedelta(minutes=2), agent_id=uid, outcome=CallOutcome.answered,
                     direction=direction, ticket_id=ticket)
            db.add(c)
            db.flush()
            r = Recording(call_id=c.id, agent_id=uid, path=str(path), ticket_id=ticket,
                          health=storage.OK if seal else "", duration_s=2.0,
                          sha256=storage_digest(path) if seal else "")
            db.add(r)
            db.flush()
            return r.id


def storage_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def world(tmp_path):
    return World(tmp_path)


def day_at(h: int, m: int = 0) -> datetime:
    return datetime(2026, 11, 23, h, m)


# ------------------------------------------------------------------------------ the draw --

def test_a_quota_is_a_tenth_rounded_up_and_never_none_of_some():
    assert [rules.quota(n, 0.10) for n in (0, 1, 9, 10, 11, 20, 30, 31)] == [0, 1, 1, 1, 2, 2, 3, 4]


def test_the_days_sample_covers_every_agent_with_at_least_ten_percent_and_is_drawn_once(world):
    legs = {"1001": 23, "1002": 5, "1003": 10}
    for agent, n in legs.items():
        for i in range(n):
            world.call(agent, day_at(9) + timedelta(minutes=7 * i), audio="none")
    world.call("1003", datetime(2026, 11, 24, 8, 30), audio="none")      # the next reporting day's
    got = world.qa.sample(world.who("1101"), DAY)
    assert got["final"] is True
    per_agent = {a["agent_no"]: (a["answered"], a["quota"], a["sample"]) for a in got["agents"]}
    assert per_agent == {"1001": (23, 3, 3), "1002": (5, 1, 1), "1003": (10, 1, 1)}
    for agent, (answered, _q, drawn) in per_agent.items():
        assert drawn >= 0.10 * answered and drawn >= 1
    again = world.qa.sample(world.who("1102"), DAY)
    assert [r["recording"] for r in again["sample"]] == [r["recording"] for r in got["sample"]]
    with world.sessions() as db:
        assert db.scalar(select(func.count(QaDraw.id))) == 1
        assert db.scalar(select(func.count(QaSample.id))) == 5


def test_the_draw_is_the_same_from_the_same_secret_and_another_from_another(tmp_path):
    def drawn(where: Path, key: bytes) -> list[int]:
        w = World(where, key=key)
        for i in range(40):
            w.call("1001", day_at(9) + timedelta(minutes=3 * i), audio="none")
        return [r["recording"] for r in w.qa.sample(None, DAY)["sample"]]
    a = drawn(tmp_path / "a", KEY)
    assert a == drawn(tmp_path / "b", KEY) and len(a) == 4
    others = [drawn(tmp_path / f"k{i}", f"another secret {i}".encode()) for i in range(3)]
    assert any(o != a for o in others)        # not foreseeable without the secret


def test_a_day_not_over_shows_its_draw_as_it_stands_and_stores_nothing(tmp_path):
    w = World(tmp_path, now=day_at(15))
    for i in range(12):
        w.call("1001", day_at(9) + timedelta(minutes=5 * i), audio="none")
    got = w.qa.sample(None, DAY)
    assert got["final"] is False and len(got["sample"]) == 2 and all(r["id"] is None for r in got["sample"])
    with w.sessions() as db:
        assert db.scalar(select(func.count(QaSample.id))) == 0


def test_a_lead_adds_a_call_by_hand_and_an_agent_may_not(world):
    rid = world.call("1001", day_at(10), audio="none")
    with pytest.raises(Refused):
        world.qa.add_to_sample(world.who("1002"), rid)
    row = world.qa.add_to_sample(world.who("1101"), rid)
    assert (row["kind"], row["day"], row["agent"]) == ("manual", "2026-11-23", "1001")
    with pytest.raises(RuleError) as again:
        world.qa.add_to_sample(world.who("1101"), rid)
    assert again.value.status == 409


def test_a_transferred_call_is_checked_per_leg_against_that_legs_agent(world):
    rid = world.call("1001", day_at(10), audio="none")
    with world.sessions() as db, db.begin():
        first = db.get(Recording, rid)
        leg = Recording(call_id=first.call_id, agent_id=world.user_id("1002"), path=first.path + ".leg2",
                        health=storage.OK)
        db.add(leg)
        db.flush()
        leg_id = leg.id
    got = world.qa.sample(None, DAY)
    assert {a["agent_no"]: a["answered"] for a in got["agents"]} == {"1001": 1, "1002": 1}
    row = next(r for r in got["sample"] if r["recording"] == leg_id)
    assert (row["agent"], row["direction"]) == ("1002", "transfer")
    c = world.qa.check(world.who("1101"), leg_id, "", ALL_PASS, [], "")
    assert c["agent"] == "1002" and c["passed"]


# ---------------------------------------------------------------------------- standards --

def test_the_standards_load_once_and_a_changed_one_needs_a_new_version(world, tmp_path):
    with world.sessions() as db, db.begin():
        assert load_standards(db, AFTER) == []               # already there: nothing added
    assert {c["kind"]: c["version"] for c in world.qa.scorecards(None)} == \
        {"intake": 1, "intake_relaxed": 1, "survey": 1}
    survey = read_standard(Path(rules.__file__).parent / "standards" / "survey.toml")
    assert [i["key"] for i in survey["items"]] == ["opening", "a", "b", "c", "d", "e", "f", "closing"]
    assert [i["key"] for i in survey["items"] if i["optional"]] == ["f"]      # f only when it applies
    changed = tmp_path / "changed"
    changed.mkdir()
    text = (Path(rules.__file__).parent / "standards" / "intake.toml").read_text(encoding="utf-8")
    (changed / "intake.toml").write_text(text.replace("跟读确认问题", "复述问题"), encoding="utf-8")
    with world.sessions() as db, db.begin(), pytest.raises(StandardError, match="new version"):
        load_standards(db, AFTER, changed)
    (changed / "intake.toml").write_text(text.replace("跟读确认问题", "复述问题").replace("version = 1", "version = 2"),
                                         encoding="utf-8")
    with world.sessions() as db, db.begin():
        assert load_standards(db, AFTER, changed) == ["intake v2"]


def test_an_old_score_keeps_the_version_it_was_scored_on(world, tmp_path):
    rid = world.call("1001", day_at(10), audio="none")
    old = world.qa.check(world.who("1101"), rid, "intake", ALL_PASS, [], "")
    changed = tmp_path / "v2"
    changed.mkdir()
    text = (Path(rules.__file__).parent / "standards" / "intake.toml").read_text(encoding="utf-8")
    (changed / "intake.toml").write_text(text.replace("version = 1", "version = 2") +
                                         '\n[[items]]\nkey = "empathy"\nsection = "manner"\ntext = "表示理解住户感受"\n',
                                         encoding="utf-8")
    with world.sessions() as db, db.begin():
        load_standards(db, AFTER, changed)
    with pytest.raises(RuleError, match="empathy"):          # the new version asks for its new item
        world.qa.check(world.who("1101"), rid, "intake", ALL_PASS, [], "")
    new = world.qa.check(world.who("1101"), rid, "intake", {**ALL_PASS, "empathy": "fail"}, [], "")
    assert old["scorecard"] == {"kind": "intake", "version": 1} and new["scorecard"]["version"] == 2
    assert [c["scorecard"]["version"] for c in world.qa.checks(None, DAY)] == [1, 2]
    with world.sessions() as db:
        assert db.scalar(select(func.count(QaScorecard.id)).where(QaScorecard.kind == "intake")) == 2


def test_a_check_passes_only_without_a_failed_required_item_or_a_problem():
    card = {"items": [{"key": "opening", "required": True}, {"key": "name", "required": False},
                      {"key": "f", "required": True, "optional": True}]}
    assert rules.score(card, {"opening": "pass", "name": "fail", "f": "na"}, ["praise"])[2] is True
    assert rules.score(card, {"opening": "fail", "name": "pass", "f": "pass"}, [])[2] is False
    assert rules.score(card, {"opening": "pass", "name": "pass", "f": "pass"}, ["voice"])[2] is False
    with pytest.raises(rules.CheckError, match="na"):
        rules.score(card, {"opening": "na", "name": "pass", "f": "pass"}, [])
    with pytest.raises(rules.CheckError, match="缺"):
        rules.score(card, {"opening": "pass"}, [])
    with pytest.raises(rules.CheckError):
        rules.score(card, {"opening": "pass", "name": "pass", "f": "pass"}, ["rude"])


def test_nobody_checks_their_own_leg_and_agents_check_nobody(world):
    own = world.call("1101", day_at(10), audio="none")
    theirs = world.call("1001", day_at(11), audio="none")
    with pytest.raises(Refused, match="自己"):
        world.qa.check(world.who("1101"), own, "", ALL_PASS, [], "")
    with pytest.raises(Refused):
        world.qa.check(world.who("1002"), theirs, "", ALL_PASS, [], "")


# ---------------------------------------------------------------------------------- fines --

def test_serious_errors_cost_ten_each_and_sixty_from_the_fourth_in_a_month():
    days = [date(2026, 11, d) for d in (2, 9, 9, 20, 28)] + [date(2026, 12, 1)]
    got = rules.fines([(d, i, "wrong_address") for i, d in enumerate(days)], QaPolicy())
    assert [f["amount"] for f in got] == [10, 10, 10, 60, 60, 10]        # December starts afresh
    rolling = rules.fines([(d, i, "wrong_station") for i, d in enumerate(days)], QaPolicy(fine_window="30d"))
    assert [f["amount"] for f in rolling] == [10, 10, 10, 60, 60, 60]      # 30 days reach back into November


def test_the_months_results_fine_the_fourth_serious_error_and_show_the_pass_rate(world):
    lead = world.who("1101")
    legs = [world.call("1001", day_at(9) + timedelta(days=d), audio="none") for d in range(5)]
    findings = [["wrong_address"], ["wrong_station"], ["invalid_promise"], ["wrong_address", "voice"], []]
    for rid, found in zip(legs, findings):
        world.qa.check(lead, rid, "intake", ALL_PASS, found, "抽查")
    world.clock.now = datetime(2026, 12, 1, 9)
    got = world.qa.results(lead, "2026-11")
    a = next(x for x in got["agents"] if x["agent_no"] == "1001")
    assert (a["calls"], a["checked"], a["passed"], a["pass_rate"]) == (5, 5, 1, 0.2)
    assert a["serious"] == 4 and [f["amount"] for f in a["fines"]] == [10, 10, 10, 60] and a["fine_total"] == 90
    assert a["findings"]["wrong_address"] == 2 and a["findings"]["voice"] == 1
    assert a["retraining"] and len(a["retraining_days"]) == 4       # each failed day: 100 % ≥ 30 %
    assert got["checkers"] == [{"agent_no": "1101", "name": "人1101", "checked": 5, "passed": 1, "contradicted": 0}]


def test_an_agent_sees_only_their_own_results(world):
    world.qa.check(world.who("1101"), world.call("1001", day_at(9), audio="none"), "", ALL_PASS, [], "")
    world.qa.check(world.who("1101"), world.call("1002", day_at(9), audio="none"), "", ALL_PASS, [], "")
    got = world.qa.results(world.who("1002"), "2026-11")
    assert [a["agent_no"] for a in got["agents"]] == ["1002"] and got["checkers"] == []
    with pytest.raises(RuleError) as bad:
        world.qa.results(world.who("1002"), "2026-13")
    assert bad.value.status == 422


def test_complaints_about_an_agent_count_against_the_limits_and_a_contradicted_pass_against_its_checker(world):
    with world.sessions() as db, db.begin():
        t = create_ticket(db, day_at(9), state=TicketState.new)
        tid = t.id
    rid = world.call("1001", day_at(9), audio="none", ticket=tid)
    for i in range(9):
        world.call("1001", day_at(10) + timedelta(minutes=i), audio="none")
    world.clock.now = day_at(11)                             # checked, passed; the complaint comes after
    world.qa.check(world.who("1101"), rid, "", ALL_PASS, [], "合格")
    world.clock.now = AFTER
    with world.sessions() as db, db.begin():
        db.add(AnomalyRecord(type=AnomalyType.complaint_billing, ticket_id=tid, opened_at=day_at(12),
                             deadline=day_at(12) + timedelta(days=1), note="住户投诉接线员态度差",
                             about_agent_id=world.user_id("1001")))
        db.add(AnomalyRecord(type=AnomalyType.praise, opened_at=day_at(13), deadline=day_at(13) + timedelta(days=3),
                             note="住户表扬", about_agent_id=world.user_id("1001")))
    got = world.qa.results(None, "2026-11")
    a = next(x for x in got["agents"] if x["agent_no"] == "1001")
    assert (a["complaints"], a["complaint_rate"], a["complaint_day_max"]) == (1, 0.1, 0.1)
    assert a["over_day_limit"] and a["over_month_limit"] and a["praise"]["residents"] == 1
    assert got["checkers"][0]["contradicted"] == 1           # 2.7: a pass a complaint later contradicted


# -------------------------------------------------------------------------- peer listening --

def test_a_peer_gets_colleagues_calls_of_the_day_before_never_their_own(world):
    world.clock.now = datetime(2026, 11, 24, 10)           # listening on the 24th to the 23rd's calls
    for agent in ("1001", "1002", "1003"):
        for i in range(4):
            world.call(agent, day_at(9 + i), audio="none")
    got = world.qa.peer(world.who("1001"))
    assert got["of_day"] == "2026-11-23" and len(got["recordings"]) == 5
    assert {r["agent"] for r in got["recordings"]} <= {"1002", "1003"}
    assert world.qa.peer(world.who("1001"))["recordings"] == got["recordings"]     # handed out once
    with pytest.raises(Refused):
        world.qa.peer(world.who("1101"))


def test_a_problem_qa_finds_in_a_leg_a_peer_marked_clean_counts_against_the_peer(world):
    world.clock.now = datetime(2026, 11, 24, 10)
    rid = world.call("1002", day_at(9), audio="none")
    peer = world.qa.peer(world.who("1001"))["recordings"][0]
    assert peer["recording"] == rid
    with pytest.raises(RuleError, match="原因"):              # a problem needs its cause written
        world.qa.peer_mark(world.who("1001"), peer["id"], ["misleading"], "")
    with pytest.raises(Refused):                              # another's task
        world.qa.peer_mark(world.who("1003"), peer["id"], [], "")
    world.qa.peer_mark(world.who("1001"), peer["id"], [], "")  # clean
    c = world.qa.check(world.who("1101"), rid, "", {**ALL_PASS, "phone": "fail"}, ["wrong_phone"], "电话未跟读")
    assert c["passed"] is False and c["unreported_by"] == ["1001"]
    got = world.qa.results(None, "2026-11")
    me = next(x for x in got["agents"] if x["agent_no"] == "1001")
    assert me["peer"] == {"assigned": 1, "listened": 1, "unreported": 1}


# ------------------------------------------------------------------------------ proposals --

def test_a_station_recall_proposes_wrong_station_against_whoever_saved_the_ticket(world):
    world.clock.now = day_at(15)
    with world.sessions() as db, db.begin():
        t = create_ticket(db, day_at(9), state=TicketState.draft)
        move_ticket(db, t, TicketState.new, day_at(9, 5), by=world.user_id("1001"))
        move_ticket(db, t, TicketState.dispatched, day_at(9, 10), by=world.user_id("1101"), note="派铁西维修站")
        move_ticket(db, t, TicketState.new, day_at(10), by=world.user_id("1101"), note="不归本站")
        number = t.number
    assert world.qa.propose() == 1 and world.qa.propose() == 0
    (p,) = world.qa.proposals(world.who("1101"))
    assert (p["finding"], p["agent"], p["ticket"]) == ("wrong_station", "1001", number)
    decided = world.qa.decide(world.who("1101"), p["id"], True, "地址在和平区")
    assert decided["state"] == "confirmed"
    a = next(x for x in world.qa.results(None, "2026-11")["agents"] if x["agent_no"] == "1001")
    assert a["findings"]["wrong_station"] == 1 and a["fine_total"] == 10 and a["checked"] == 0


# ------------------------------------------------------------------------- deleting --

def test_only_a_team_lead_may_apply_to_delete_and_only_an_empty_recording(world):
    silent = world.call("1001", day_at(9), audio="silence")
    spoken = world.call("1001", day_at(10), audio="tone")
    with pytest.raises(Refused):
        world.book.delete(world.who("1001"), silent, "空录音")          # 话务员无权删除任何录音记录
    with pytest.raises(Refused):
        world.book.delete(world.who("1201"), silent, "空录音")
    with pytest.raises(RuleError) as no_reason:
        world.book.delete(world.who("1101"), silent, " ")
    assert no_reason.value.status == 422
    with pytest.raises(RuleError) as loud:
        world.book.delete(world.who("1101"), spoken, "以为是空的")
    assert loud.value.status == 409 and "dBFS" in loud.value.message
    with world.sessions() as db:
        assert db.get(Recording, spoken).deleted_at is None
        refused = db.scalars(select(AuditEntry).where(AuditEntry.action == "delete_refused")).all()
        assert [a.object_id for a in refused] == [str(spoken)]
        path, seal = Path(db.get(Recording, silent).path), db.get(Recording, silent).sha256
    got = world.book.delete(world.who("1101"), silent, "住户未出声即挂断,空录音")
    assert got["deleted"]["by"] == "1101" and not path.exists()
    with world.sessions() as db:
        r = db.get(Recording, silent)              # the row stays: sha256, duration, who, when, why
        assert (r.sha256, r.duration_s, r.deleted_by, r.delete_reason) == \
            (seal, 2.0, world.user_id("1101"), "住户未出声即挂断,空录音")
        (a,) = db.scalars(select(AuditEntry).where(AuditEntry.action == "recording_delete")).all()
        assert a.detail["sha256"] == seal and a.detail["peak_db"] < -50
    found = world.book.find(world.who("1101"), agent="1001")
    assert next(r for r in found if r["id"] == silent)["deleted"]["reason"] == "住户未出声即挂断,空录音"


def test_a_recording_whose_seal_is_broken_is_kept_as_evidence(world):
    rid = world.call("1001", day_at(9), audio="silence")
    with world.sessions() as db:
        path = Path(db.get(Recording, rid).path)
    sox(path, "trim", "0", "3")                 # another file where the sealed one was
    with pytest.raises(RuleError, match="sha256"):
        world.book.delete(world.who("1101"), rid, "空录音")
    assert path.exists()


# ------------------------------------------------------------------------- verifying --

def test_verify_flags_a_broken_seal_and_an_answered_call_without_a_recording_once(world):
    good = world.call("1001", day_at(9), audio="none")
    broken = world.call("1002", day_at(9, 5), audio="none")
    with world.sessions() as db, db.begin():
        Path(db.get(Recording, broken).path).write_bytes(b"RIFF-something-else")
        db.add(Call(uniqueid="1764000099.1", caller="13900000000", ivr_at=day_at(10), answered_at=day_at(10),
                    ended_at=day_at(10, 3), agent_id=world.user_id("1003"), outcome=CallOutcome.answered))
    got = world.book.verify()
    assert (got["checked"], got["whole"]) == (2, 1)
    assert [b["id"] for b in got["broken"]] == [broken] and [m["call"] for m in got["missing"]] == ["1764000099.1"]
    assert got["newly_flagged"] == 2
    with world.sessions() as db:
        assert db.get(Recording, broken).health == storage.BROKEN and db.get(Recording, good).verified_at == AFTER
        assert storage.flagged_today(db, AFTER) == 2        # the recordings alert counts them
        actions = set(db.scalars(select(AuditEntry.action)))
    assert {"recording_seal_broken", "recording_missing"} <= actions
    again = world.book.verify()
    assert again["newly_flagged"] == 0 and [b["id"] for b in again["broken"]] == [broken]


# ---------------------------------------------------------------------- finding, the report --

def test_recordings_are_found_by_ticket_phone_agent_time_and_leg_and_an_agent_finds_only_their_own(world):
    with world.sessions() as db, db.begin():
        t = create_ticket(db, day_at(9), state=TicketState.new, callback_number="13800001111")
        tid, number = t.id, t.number
    a = world.call("1001", day_at(9), audio="none", ticket=tid)
    b = world.call("1002", day_at(14), audio="none", direction="out")
    lead = world.who("1101")
    assert [r["id"] for r in world.book.find(lead, ticket=number)] == [a]
    assert world.book.find(lead, ticket="2699999999") == []          # no such ticket: nothing, not the unlinked
    assert [r["id"] for r in world.book.find(lead, phone="138-0000-1111")] == [a]
    assert [r["id"] for r in world.book.find(lead, agent="1002")] == [b]
    assert [r["id"] for r in world.book.find(lead, since="2026-11-23T12:00", until="2026-11-23")] == [b]
    assert [r["id"] for r in world.book.find(lead, direction="out")] == [b]
    assert [r["id"] for r in world.book.find(world.who("1001"), since="2026-11-01")] == [a]
    with pytest.raises(Refused):
        world.book.find(world.who("1001"), agent="1002")
    with pytest.raises(RuleError):
        world.book.find(lead, since="yesterday")


def test_a_leg_asked_for_is_found_up_to_the_limit_however_many_newer_calls_of_other_legs(world):
    outs = [world.call("1002", day_at(8), audio="none", direction="out") for _ in range(3)]
    for i in range(5):                                   # newer calls in, past the limit asked
        world.call("1001", day_at(9 + i), audio="none")
    lead = world.who("1101")
    assert [r["id"] for r in world.book.find(lead, direction="out", limit=2)] == outs[::-1][:2]
    assert [r["id"] for r in world.book.find(lead, direction="out", limit=3)] == outs[::-1]
    assert len(world.book.find(lead, direction="in", limit=4)) == 4
    assert world.book.find(lead, direction="transfer") == []


def test_the_daily_reports_qa_section_counts_the_sample_the_checks_and_the_findings(world):
    for i in range(3):
        world.call("1001", day_at(9 + i), audio="none")
    sample = world.qa.sample(None, DAY)["sample"]
    world.qa.check(world.who("1101"), sample[0]["recording"], "", ALL_PASS, ["praise"], "")
    with world.sessions() as db:
        got = qa_section(db, DAY.isoformat())
    assert (got["sample_size"], got["checked"], got["passed"]) == (1, 1, 1)
    assert got["findings"]["praise"] == 1 and set(got["findings"]) == set(wire.QA_FINDINGS)


# ------------------------------------------------------------------ through the desk service --

def desk_for(world: World) -> tuple[DeskService, callable]:
    s = load_settings(home=str(world.home), db_url=f"sqlite:///{world.home / 'qa.db'}", today=world.clock.now.isoformat())
    desk = DeskService(world.sessions, s, {}.get, book=world.book, qa=world.qa)

    def principal(no: str) -> Principal:
        a = world.who(no)
        return Principal(a.user_id, a.agent_no, no, a.role, 1, datetime(2099, 1, 1))
    return desk, principal


def test_a_tickets_detail_lists_its_recordings_to_a_lead_and_an_agent_their_own_legs(world):
    with world.sessions() as db, db.begin():
        t = create_ticket(db, day_at(9), state=TicketState.new)
        tid, number = t.id, t.number
    mine = world.call("1001", day_at(9), audio="none", ticket=tid)
    theirs = world.call("1002", day_at(9, 30), audio="none", ticket=tid)
    desk, who = desk_for(world)
    assert [r["id"] for r in desk.ticket(who("1101"), number)["recordings"]] == [mine, theirs]
    assert [r["id"] for r in desk.ticket(who("1001"), number)["recordings"]] == [mine]
    row = desk.ticket(who("1101"), number)["recordings"][0]
    assert set(row) == set(wire.SAMPLE_RECORDING_ROW) and row["direction"] == "in" and row["agent"] == "1001"


def test_an_agent_replays_a_colleagues_recording_only_when_it_was_handed_to_them_today(world):
    world.clock.now = datetime(2026, 11, 24, 10)
    rid = world.call("1002", day_at(9), audio="none")
    desk, who = desk_for(world)
    with pytest.raises(Refused):
        desk.recording_file(who("1003"), str(rid))
    assert world.qa.peer(who("1003").actor)["recordings"][0]["recording"] == rid
    assert desk.recording_file(who("1003"), str(rid)) == Path(world.recordings / "call-1.wav").resolve()
    world.clock.now = datetime(2026, 11, 25, 10)                 # the next day: that task is over
    with pytest.raises(Refused):
        desk.recording_file(who("1003"), str(rid))


def test_the_sample_row_keeps_to_the_wire(world):
    world.call("1001", day_at(9), audio="none")
    (row,) = world.qa.sample(None, DAY)["sample"]
    assert set(row) == set(wire.SAMPLE_QA_ROW)
