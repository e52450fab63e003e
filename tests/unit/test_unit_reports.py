"""#27 — the daily report over one synthetic reporting day (2026-11-23 08:00 → 11-24 08:00) on SQLite:
repairs in every state, 回访, anomalies and a complaint, call-backs, a hot spot, and queue_log lines
for every way a queued call ends. The queue's breakdown adds up to what was offered, the service
level, ASA and AHT follow their stated formulas, a call the queue_log and the call records tell
differently is shown, the head's signature freezes the day and a later correction shows as a
difference, a week is the sum of its days, and the XLSX reads back."""
from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from db.models import (AnomalyRecord, AnomalyState, AnomalyType, AgentPause, AuditEntry, Call, CallbackAttempt, CallHold,
                       CallOutcome, Category, DailyReport, HeatingAccount, RepairStation, Role, Survey, Ticket,
                       TicketState)
from db.queries import close_holds
from db.queue_log import QueueLogLine, ingest, parse_line
from db.session import make_engine, migrate, session_factory
from db.tickets import create_ticket, move_ticket
from hotline import cli
from hotline.admin.users import add_user
from hotline.aftercall.reports.archive import Reports, differences, parse_day, period_days
from hotline.aftercall.reports.figures import ReportPolicy
from hotline.aftercall.reports.queue import QueuePolicy, queue_section
from hotline.aftercall.rules import Refused, RuleError, actor_for
from hotline.service.app import HotlineService
from hotline.service.holds import HoldLog, agent_of_channel
from hotline.service.reports import SignedRecheck, queue_log_events

DAY = date(2026, 11, 23)
D = datetime(2026, 11, 23)
NEXT = datetime(2026, 11, 24)


def at(h: int, m: int = 0, s: int = 0, base: datetime = D) -> datetime:
    return base.replace(hour=h, minute=m, second=s)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def line(when: datetime, callid: str, agent: str, event: str, *data) -> str:
    return "|".join([str(int(when.timestamp())), callid, "repair", agent, event, *map(str, data)])


#: the queue_log of the day: every way a queued call ends, members joining, wrap-up, a ring not answered
QUEUE_LOG = [
    line(at(7, 59, base=D), "c0", "NONE", "ENTERQUEUE", "", "13900000000"),    # the day before's
    line(at(7, 59, 30, base=D), "c0", "NONE", "ABANDON", 1, 1, 30),
    line(at(8, 30), "NONE", "agent-1001", "ADDMEMBER", ""),
    line(at(9), "c1", "NONE", "ENTERQUEUE", "", "13912345678"),
    line(at(9, 0, 10), "c1", "agent-1001", "CONNECT", 10, "c1-agent", 2),
    line(at(9, 5), "c1", "agent-1001", "COMPLETECALLER", 10, 290, 1),
    line(at(9, 5), "NONE", "agent-1001", "PAUSE", "话后整理"),
    line(at(9, 5, 30), "NONE", "agent-1001", "UNPAUSE", ""),
    line(at(10), "c2", "NONE", "ENTERQUEUE", "", "13900000002"),
    line(at(10, 0, 3), "c2", "NONE", "ABANDON", 1, 1, 3),                        # short: a misdial
    line(at(11), "c3", "NONE", "ENTERQUEUE", "", "13900000003"),
    line(at(11, 0, 40), "c3", "NONE", "ABANDON", 1, 1, 40),
    line(at(12), "c4", "NONE", "ENTERQUEUE", "", "13900000004"),
    line(at(12, 0, 30), "c4", "NONE", "EXITWITHKEY", 1, 1, 1, 30),              # key 1: call me back
    line(at(13), "c5", "NONE", "ENTERQUEUE", "", "13900000005"),
    line(at(13, 5), "c5", "NONE", "EXITWITHTIMEOUT", 1, 1, 300),                # waited the maximum
    line(at(14), "c6", "NONE", "ENTERQUEUE", "", "13900000006"),
    line(at(14, 0, 2), "c6", "NONE", "EXITEMPTY", 1, 1, 2),                     # the last agent left
    line(at(14, 30), "NONE", "agent-1002", "ADDMEMBER", ""),
    line(at(15), "c7", "NONE", "ENTERQUEUE", "", "13900000007"),
    line(at(15, 0, 20), "c7", "agent-1002", "RINGNOANSWER", 15000),
    line(at(15, 0, 30), "c7", "agent-1002", "CONNECT", 30, "c7-agent", 5),
    line(at(15, 2, 10), "c7", "agent-1002", "COMPLETEAGENT", 30, 100, 1),
    line(at(15, 2, 10), "NONE", "agent-1002", "PAUSE", "话后整理"),
    line(at(15, 2, 40), "NONE", "agent-1002", "UNPAUSE", ""),
    line(at(16), "c10", "NONE", "ENTERQUEUE", "", "13912345678"),
    line(at(16, 0, 5), "c10", "agent-1001", "CONNECT", 5, "c10-agent", 1),
    line(at(16, 1, 5), "c10", "agent-1001", "COMPLETECALLER", 5, 60, 1),
    line(at(20), "NONE", "agent-1001", "REMOVEMEMBER", ""),
    "not a queue_log line",
]


@pytest.fixture
def day(tmp_path):
    """The day's records, the queue_log file, and the reports as the service builds them."""
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db, db.begin():
        tx, hp = RepairStation(code="TX", name="铁西维修站", phone="024-25670000"), \
            RepairStation(code="HP", name="和平维修站", phone="024-23000000")
        db.add_all([tx, hp])
        db.flush()
        users = {}
        for no, role in (("1001", Role.agent), ("1002", Role.agent), ("1101", Role.team_lead), ("1201", Role.head),
                         ("8001", Role.station)):
            users[no] = add_user(db, no, f"人{no}", role, "pw-1234567")
        db.flush()
        accounts = []
        for i in range(1, 7):
            a = HeatingAccount(account_no=f"2000000{i}", name=f"住户{i}", district="铁西区" if i < 6 else "和平区",
                               compound="兴华北街" if i < 6 else "南京街", building=str(i), unit="1", room="101")
            db.add(a)
            accounts.append(a)
        db.flush()

        def ticket(when, acc, cat, state=TicketState.draft, **kw):
            return create_ticket(db, when, state=state, account_id=acc.id, category=cat, caller_number="13912345678",
                                 address_snapshot=acc.address, name_snapshot=acc.name, **kw)

        def call(uid, when, outcome, ticket=None, agent=None, queued=True, direction="in", caller=""):
            db.add(Call(uniqueid=uid, caller=caller, ivr_at=when - timedelta(seconds=20),
                        queued_at=when if queued else None, outcome=outcome, direction=direction,
                        ticket_id=ticket.id if ticket else None, agent_id=users[agent].id if agent else None,
                        answered_at=when + timedelta(seconds=10) if outcome is CallOutcome.answered else None,
                        ended_at=when + timedelta(minutes=5)))

        lead, head, tech = users["1101"].id, users["1201"].id, users["8001"].id
        # T1: taken by an agent, through every state, 回访 satisfied (fee reminder read)
        t1 = ticket(at(9), accounts[0], Category.no_heat, TicketState.new, by=users["1001"].id)
        call("c1", at(9), CallOutcome.answered, t1, "1001", caller="13912345678")
        t1.station_id = tx.id
        for st, when, by in ((TicketState.dispatched, at(9, 5), lead), (TicketState.accepted, at(9, 20), tech),
                             (TicketState.contacted, at(9, 40), tech), (TicketState.completed, at(11, 5), tech),
                             (TicketState.followed_up, at(15), users["1001"].id)):
            move_ticket(db, t1, st, when, by=by)
        db.add(Survey(ticket_id=t1.id, at=at(15), channel="agent", solved=True, attitude="satisfied", charged=False,
                      score=9, fee_reminder=True))
        # T2: keyed in the IVR, confirmed by a team lead, completed after 4 h, 回访 not solved → re-opened
        t2 = ticket(at(10), accounts[1], Category.leak)
        call("c2", at(10), CallOutcome.abandoned, t2)
        t2.station_id = tx.id
        for st, when, by in ((TicketState.new, at(10, 30), lead), (TicketState.dispatched, at(10, 31), lead),
                             (TicketState.accepted, at(11), tech), (TicketState.completed, at(16), tech),
                             (TicketState.followed_up, at(16, 40), None)):
            move_ticket(db, t2, st, when, by=by)
        db.add(Survey(ticket_id=t2.id, at=at(16, 40), channel="ivr", solved=False, attitude="unsatisfied",
                      charged=True, score=3, fee_reminder=None))
        t2b = ticket(at(17), accounts[1], Category.leak, TicketState.new, by=lead, followup_of_id=t2.id,
                     station_id=tx.id)
        # T3: pressed 1 in the queue; tried, then reached
        t3 = ticket(at(12), accounts[2], Category.noise, callback_requested=False,
                    callback_reason=CallOutcome.callback_requested)
        call("c4", at(12), CallOutcome.callback_requested, t3)
        move_ticket(db, t3, TicketState.new, at(12, 45), by=users["1001"].id)
        db.add_all([CallbackAttempt(ticket_id=t3.id, user_id=users["1001"].id, at=at(12, 20), outcome="no_answer"),
                    CallbackAttempt(ticket_id=t3.id, user_id=users["1001"].id, at=at(12, 40), outcome="reached")])
        # hot spot: three no-heat repairs from 兴华北街 within 20 minutes (T1 at 09:00 is hours before)
        spot = [ticket(at(13, 10 * i), accounts[3 + i % 2], Category.no_heat) for i in range(3)]
        call("c5", at(13), CallOutcome.max_wait, spot[0])
        call("c6", at(14), CallOutcome.no_agent, spot[1])
        move_ticket(db, spot[0], TicketState.cancelled, at(13, 30), by=lead)
        spot[0].state = TicketState.cancelled
        spot.append(ticket(at(13, 25), accounts[4], Category.no_heat))
        call("c3", at(11), CallOutcome.abandoned)
        call("c7", at(15), CallOutcome.answered, None, "1002")
        call("c10", at(16), CallOutcome.abandoned, caller="13912345678")     # the queue_log says answered
        call("c8", at(2, base=NEXT), CallOutcome.no_agent, queued=True)       # JOINEMPTY: no queue_log line
        # T4: the after-hours message at 07:00 of the next morning, still the reporting day; open at its end
        t4 = ticket(at(7, base=NEXT), accounts[5], Category.no_heat, callback_requested=True,
                    callback_reason=CallOutcome.after_hours_message)
        call("c9", at(7, base=NEXT), CallOutcome.after_hours_message, t4, queued=False)
        move_ticket(db, t4, TicketState.new, at(7, 30, base=NEXT), by=lead)
        # T6: received the day before, still at the station: open for more than a day at the end
        t6 = ticket(at(9, base=D - timedelta(days=1)), accounts[5], Category.no_heat, TicketState.new, by=lead)
        move_ticket(db, t6, TicketState.dispatched, at(9, 5, base=D - timedelta(days=1)), by=lead)
        # a call out by 1001, and a 小休
        call("o1", at(12, 35), CallOutcome.answered, t3, "1001", queued=False, direction="out")
        db.add(AgentPause(user_id=users["1001"].id, reason="小休", started_at=at(10), ended_at=at(10, 15)))
        # anomalies: a timer's over_4h (closed), a complaint (handled with a result), a praise (open)
        db.add_all([
            AnomalyRecord(type=AnomalyType.over_4h, state=AnomalyState.closed, ticket_id=t2.id, opened_at=at(14, 31),
                          deadline=at(15, 31), closed_at=at(16), result="已返单"),
            AnomalyRecord(type=AnomalyType.complaint_technician, state=AnomalyState.handled, ticket_id=t2.id,
                          opened_at=at(16, 30), deadline=at(16, 30, base=NEXT), handled_at=at(17),
                          note="住户投诉维修工态度差,电话13912345678", result="已致歉,重新派单", owner_id=head),
            AnomalyRecord(type=AnomalyType.praise, ticket_id=t1.id, opened_at=at(15, 5), deadline=at(15, 5, base=NEXT),
                          note="住户表扬"),
        ])
        del t2b
    log = tmp_path / "queue_log"
    log.write_text("\n".join(QUEUE_LOG) + "\n")
    clock = Clock(at(8, 30, base=NEXT))
    ingest(sessions, log, "node-a", clock())          # as the service stores Asterisk's lines
    policy = ReportPolicy(queue=QueuePolicy(service_level_s=20, short_abandon_s=5), hot_spot_repairs=3,
                          hot_spot_min=60)
    reports = Reports(sessions, clock, policy, queue_log_events(sessions))
    with sessions() as db:
        who = {no: actor_for(db, no) for no in ("1001", "1101", "1201", "8001")}
    return reports, sessions, clock, who, tmp_path


def events() -> list[QueueLogLine]:
    return [e for e in map(parse_line, QUEUE_LOG) if e is not None]


# ------------------------------------------------------------------------ the queue --

def test_every_queued_call_is_in_exactly_one_part_of_the_breakdown(day):
    reports, *_ = day
    q = reports.daily(None, DAY)["queue"]
    parts = {b["key"]: b["count"] for b in q["breakdown"]}
    assert parts == {"answered": 3, "abandoned": 2, "callback": 1, "max_wait": 1, "no_agent": 2, "after_hours": 1,
                     "unfinished": 0}
    assert sum(parts.values()) == q["offered"] == 10          # c0 began the day before: not this day's
    assert (q["answered"], q["abandoned"], q["abandoned_short"]) == (3, 2, 1)
    sources = {b["key"]: b["source"] for b in q["breakdown"]}
    assert sources["after_hours"] == "call records"           # the queue never sees the after-hours flow
    assert sources["no_agent"] == "queue_log + call records"  # JOINEMPTY writes no line


def test_service_level_asa_and_aht_follow_their_formulas(day):
    reports, *_ = day
    q = reports.daily(None, DAY)["queue"]
    assert q["answered_within_sl"] == 2                       # waited 10 s and 5 s; 30 s is over
    assert q["service_level_20s"] == round(2 / 10, 4)         # within 20 s ÷ offered
    assert "÷ 进线总数" in q["formulas"]["service_level_20s"] and "20 秒" in q["formulas"]["service_level_20s"]
    assert q["sl_asterisk"] == round(2 / 3, 4)                # ServicelevelPerf: ÷ answered
    assert q["sl2"] == round((2 + 1) / (3 + 2), 4)            # ServicelevelPerf2: the 3 s abandon is within
    assert q["asa_s"] == round((10 + 30 + 5) / 3, 1)
    assert q["aht_s"] == round((290 + 100 + 60 + 30 + 30) / 3, 1)   # talk + 话后整理 from the PAUSE lines
    assert q["longest_wait_max_s"] == 300


def test_a_call_the_queue_log_and_the_call_records_tell_differently_is_shown(day):
    reports, *_ = day
    r = reports.daily(None, DAY)
    shown = [d for d in r["disagreements"] if "c10" in d["calls"]]
    assert shown and shown[0]["figure"] == "answered" and "放弃" in shown[0]["what"]
    assert r["queue"]["disagreements"] == r["disagreements"]


def test_calls_per_hour_stand_beside_the_agents_logged_in(day):
    reports, *_ = day
    hours = {h["hour"]: h for h in reports.daily(None, DAY)["queue"]["by_hour"]}
    assert list(hours)[:2] == [8, 9] and len(hours) == 24     # the reporting day's hours, from 08:00
    assert (hours[9]["offered"], hours[9]["answered"], hours[9]["agents_logged_in"]) == (1, 1, 1)
    assert hours[15]["agents_logged_in"] == 2 and hours[21]["agents_logged_in"] == 1   # 1001 left at 20:00
    assert hours[6]["offered"] == 1                            # the after-hours call reached the IVR at 06:59


def test_the_queue_section_is_a_pure_function_of_the_events():
    q = queue_section(events(), at(8), at(8, base=NEXT), QueuePolicy(service_level_s=10, short_abandon_s=2))
    assert q["offered"] == 8 and q["abandoned_short"] == 0 and q["answered_within_sl"] == 2
    assert q["agents"]["1002"]["ring_no_answer"] == 1 and q["agents"]["1001"]["first_login"] == "2026-11-23T08:30:00"
    assert [d["what"] for d in q["disagreements"]] == ["queue_log 有记录而话单没有"]   # no records given


# ----------------------------------------------------------------------- the records --

def test_a_day_not_over_counts_an_agent_logged_in_until_now_not_until_its_end():
    joined = [QueueLogLine(at(7, 50), "NONE", "repair", "PJSIP/agent-1001", "ADDMEMBER")]
    q = queue_section(joined, at(8), at(8, base=NEXT), QueuePolicy(), now=at(10))
    assert q["agents"]["1001"]["logged_in_s"] == 2 * 3600
    assert queue_section(joined, at(8), at(8, base=NEXT), QueuePolicy(), now=at(7))["agents"]["1001"]["logged_in_s"] == 0
    assert queue_section(joined, at(8), at(8, base=NEXT), QueuePolicy())["agents"]["1001"]["logged_in_s"] == 24 * 3600


def test_the_three_sections_of_the_customer(day):
    reports, *_ = day
    t = reports.daily(None, DAY)["tickets"]
    assert t["received"] == 5                                   # T1, T2, T2's re-opening, T3, T4
    assert t["by_problem"] == {"leak": 2, "no_heat": 2, "noise": 1}
    assert t["by_channel"] == {"ivr": 1, "agent": 2, "after_hours": 1, "callback": 1}   # T2b: made by a team lead
    assert t["by_district"] == {"和平区": 1, "铁西区": 4}
    assert t["reopened"] == 1 and t["drafts_waiting"] == 3      # the hot spot's drafts not yet confirmed
    assert t["completed"] == 2 and t["completed_by_station"] == {"铁西维修站": 2}
    assert t["followed_up"] == 2
    s = t["survey"]
    assert (s["solved"], s["solved_rate"], s["score_avg"], s["fee_reminders"]) == (1, 0.5, 6.0, 1)
    assert s["attitude"] == {"satisfied": 1, "average": 0, "unsatisfied": 1}
    # open at the end: T2's re-opening (15 h), T3 (19 h), T4 (30 min), T6 (received the day before)
    assert t["open_by_age"] == {"lt_4h": 1, "4h_24h": 2, "1d_3d": 1, "gt_3d": 0, "total": 4}


def test_anomalies_by_type_and_state_and_complaints_one_by_one(day):
    reports, *_ = day
    r = reports.daily(None, DAY)
    a = r["anomalies"]
    assert (a["over_4h"]["opened"], a["over_4h"]["closed"]) == (1, 1)
    assert (a["complaint_technician"]["opened"], a["complaint_technician"]["handled"]) == (1, 1)
    assert a["praise"]["open_at_end"] == 1 and a["suggestion"]["opened"] == 0
    (c,) = r["complaints"]
    assert c["state"] == "handled" and c["result"] == "已致歉,重新派单" and c["owner"] == "1201"
    assert r["kpi"]["complaint_rate"] == round(1 / 5, 4)


def test_callbacks_agents_stations_repeat_callers_and_hot_spots(day):
    reports, *_ = day
    r = reports.daily(None, DAY)
    cb = r["callbacks"]
    assert (cb["requested"], cb["reached"], cb["attempted"], cb["first_attempt_avg_s"]) == (2, 1, 1, 20 * 60)
    assert cb["outstanding"] == 1                               # the after-hours caller, still to call back
    agents = {a["agent_no"]: a for a in r["agents"]}
    assert (agents["1001"]["answered"], agents["1001"]["made"], agents["1001"]["talk_s"]) == (2, 1, 350)
    assert agents["1001"]["pause_s"] == {"小休": 900} and agents["1001"]["logged_in_s"] == 11.5 * 3600
    assert agents["1002"]["wrapup_s"] == 30 and agents["1002"]["ring_no_answer"] == 1
    tx = next(s for s in r["stations"] if s["station"] == "TX")
    assert (tx["accept_n"], tx["accept_avg_s"]) == (2, (15 * 60 + 29 * 60) / 2)
    assert (tx["complete_n"], tx["over_limit"], tx["reopened"], tx["reopened_rate"]) == (2, 1, 1, 0.5)
    assert (tx["surveys"], tx["satisfied_rate"]) == (2, 0.5)
    assert r["repeat_callers"] == [{"caller": "139******78", "calls": 2, "tickets": 1}]
    (spot,) = r["hot_spots"]
    assert (spot["compound"], spot["building"], spot["repairs"]) == ("兴华北街", "", 3)   # the cancelled one not


# ---------------------------------------------------------------- sign-off and archive --

def test_the_head_signs_a_finished_day_and_a_later_correction_shows_as_a_difference(day):
    reports, sessions, clock, who, _ = day
    with pytest.raises(Refused):
        reports.sign(who["1101"], DAY)                          # a team lead reads, the head signs
    clock.now = at(7, base=NEXT)
    with pytest.raises(RuleError) as e:
        reports.sign(who["1201"], DAY)
    assert e.value.status == 409                                # the day is not over yet
    clock.now = at(9, base=NEXT)
    signed = reports.sign(who["1201"], DAY)["signed"]
    with pytest.raises(RuleError):
        reports.sign(who["1201"], DAY)                          # once: the archive is never rewritten
    r = reports.daily(None, DAY)
    assert r["signed"]["by"] == "1201" and r["differs_from_signed"] == []
    with sessions() as db, db.begin():                          # an agent corrects T1's problem afterwards
        t1 = db.scalar(select(Ticket).where(Ticket.category == Category.no_heat).order_by(Ticket.id))
        t1.category = Category.leak
    r = reports.daily(None, DAY)
    changed = {c["figure"]: (c["signed"], c["now"]) for c in r["differs_from_signed"]}
    assert changed["tickets.by_problem.no_heat"] == (2, 1) and changed["tickets.by_problem.leak"] == (2, 3)
    kept = reports.as_signed(None, DAY)
    assert kept["tickets"]["by_problem"]["no_heat"] == 2 and kept["signed"]["sha256"] == signed["sha256"]
    with sessions() as db:
        row = db.scalar(select(DailyReport))
        assert json.loads(row.report)["tickets"]["by_problem"]["no_heat"] == 2
        assert [a.action for a in db.scalars(select(AuditEntry).where(AuditEntry.object_type == "report"))] \
            == ["report_sign"]


def test_a_week_is_the_sum_of_its_days_and_says_which_are_not_signed(day):
    reports, _s, clock, who, _ = day
    clock.now = at(9, base=NEXT)
    reports.sign(who["1201"], DAY)
    seen = []                                    # the CLI's progress bar (#29): a day at a time
    w = reports.period(who["1101"], "weekly", DAY, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 2), (1, 2), (2, 2)]
    assert w["period"]["first_day"] == "2026-11-23" and w["period"]["last_day"] == "2026-11-29"
    assert w["days_signed"] == 1 and w["days_unsigned"] == ["2026-11-24"] and w["days_to_come"] == 5
    assert w["tickets"]["received"] == 5 and w["queue"]["offered"] == 10
    assert sum(b["count"] for b in w["queue"]["breakdown"]) == w["queue"]["offered"]
    assert w["queue"]["service_level_s"] == 20 and w["queue"]["service_level_20s"] == 0.2
    assert [(d["day"], d["signed"], d["offered"], d["service_level_20s"]) for d in w["by_day"]] == [
        ("2026-11-23", True, 10, 0.2), ("2026-11-24", False, 0, None)]          # the service level by day
    assert {c["day"] for c in w["complaints"]} == {"2026-11-23"}
    with pytest.raises(Refused):
        reports.period(who["1001"], "monthly", DAY)             # agents do not read reports


def builds_counted(reports: Reports) -> list[date]:
    """The days `reports` builds from the data from now on."""
    built, build = [], reports._build
    reports._build = lambda db, d, events: (built.append(d), build(db, d, events))[1]
    return built


def correct_t1(sessions) -> None:
    """An agent corrects T1's problem after the day was signed: 4 figures change (received and completed by problem)."""
    with sessions() as db, db.begin():
        t1 = db.scalar(select(Ticket).where(Ticket.category == Category.no_heat).order_by(Ticket.id))
        t1.category = Category.leak


def test_a_period_reads_its_signed_days_as_stored_and_a_later_change_shows_after_a_recheck(day):
    reports, sessions, clock, who, tmp = day
    clock.now = at(9, base=NEXT)
    reports.sign(who["1201"], DAY)                              # checked at its signing: nothing differs
    built = builds_counted(reports)
    w = reports.period(None, "weekly", DAY)
    assert built == [DAY + timedelta(days=1)]                   # only the unsigned day that has begun
    assert w["days_differ"] == [] and w["days_unchecked"] == [] and w["days_checked_since"] == "2026-11-24T09:00:00"
    correct_t1(sessions)
    clock.now = at(10, base=NEXT)
    w = reports.period(None, "weekly", DAY)
    assert w["days_differ"] == [] and w["tickets"]["by_problem"]["no_heat"] == 2   # as signed, not yet re-checked
    assert reports.recheck(DAY) == {"day": "2026-11-23", "checked_at": "2026-11-24T10:00:00", "changes": 4}
    w = reports.period(None, "weekly", DAY)
    assert [(d["day"], d["changes"], d["checked_at"]) for d in w["days_differ"]] == [
        ("2026-11-23", 4, "2026-11-24T10:00:00")]
    assert {c["figure"]: (c["signed"], c["now"]) for c in w["days_differ"][0]["figures"]}["tickets.by_problem.leak"] \
        == (2, 3)
    assert w["tickets"]["by_problem"]["no_heat"] == 2           # the sum stays the signed figures
    assert built == [DAY + timedelta(days=1), DAY + timedelta(days=1), DAY, DAY + timedelta(days=1)]
    reports.export_files(None, "weekly", DAY, {"xlsx": tmp / "w.xlsx", "pdf": tmp / "w.pdf"})
    rows = [list(r) for r in load_workbook(tmp / "w.xlsx")["差异"].iter_rows(values_only=True)]
    assert ["与签发不符", "2026-11-23", 4, "已于 2026-11-24 10:00 复核", None] in rows
    assert (tmp / "w.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(RuleError) as e:
        reports.recheck(DAY + timedelta(days=1))
    assert e.value.status == 404                                # only a signed day is re-checked


def test_a_signed_day_never_rechecked_is_listed_as_unchecked_until_the_services_round(day):
    reports, sessions, clock, who, _ = day
    clock.now = at(9, base=NEXT)
    reports.sign(who["1201"], DAY)
    with sessions() as db, db.begin():                          # signed before 0020: never re-checked
        row = db.scalar(select(DailyReport))
        row.checked_at = row.differs = None
    correct_t1(sessions)
    w = reports.period(None, "monthly", DAY)
    assert w["days_unchecked"] == ["2026-11-23"] and w["days_differ"] == [] and w["days_checked_since"] is None
    assert reports.recheck_due() == [DAY]
    found = asyncio.run(SignedRecheck(reports, pause_s=0).once())
    assert found == [{"day": "2026-11-23", "checked_at": "2026-11-24T09:00:00", "changes": 4}]
    assert reports.recheck_due() == []                          # checked since this reporting day began
    w = reports.period(None, "monthly", DAY)
    assert w["days_unchecked"] == [] and [d["day"] for d in w["days_differ"]] == ["2026-11-23"]
    clock.now = at(8, 5, base=NEXT + timedelta(days=1))         # the next reporting day began: due again
    assert reports.recheck_due() == [DAY]
    with sessions() as db:
        row = db.scalar(select(DailyReport))
        assert len(json.loads(row.differs)) == 4 and row.checked_at == at(9, base=NEXT)


def test_the_daily_view_stores_what_it_found(day):
    reports, sessions, clock, who, _ = day
    clock.now = at(9, base=NEXT)
    reports.sign(who["1201"], DAY)
    correct_t1(sessions)
    clock.now = at(11, base=NEXT)
    assert len(reports.daily(None, DAY)["differs_from_signed"]) == 4
    w = reports.period(None, "weekly", DAY)
    assert [(d["day"], d["checked_at"]) for d in w["days_differ"]] == [("2026-11-23", "2026-11-24T11:00:00")]


def test_periods_and_days():
    p = ReportPolicy()
    assert period_days("monthly", date(2027, 2, 10), p) == (date(2027, 2, 1), date(2027, 2, 28))
    assert period_days("season", date(2027, 2, 10), p) == (date(2026, 11, 15), date(2027, 3, 15))
    assert period_days("season", date(2026, 11, 20), p) == (date(2026, 11, 15), date(2027, 3, 15))
    with pytest.raises(RuleError):
        parse_day("2026-11-23; rm -rf")
    assert differences({"a": {"b": 1}, "generated_at": "x"}, {"a": {"b": 2}, "generated_at": "y"}) == \
        [{"figure": "a.b", "signed": 1, "now": 2}]


# ------------------------------------------------------------------------- the XLSX --

def test_the_xlsx_reads_back_with_a_sheet_per_section_numbers_as_numbers_and_masked_phones(day):
    reports, sessions, _c, who, tmp = day
    path = tmp / "out" / "日报.xlsx"
    reports.export_xlsx(who["1101"], "daily", DAY, path)
    wb = load_workbook(path)
    assert {"概览", "报修受理", "报修完成", "回访", "未完成", "异常事件", "投诉", "回电", "话务", "分时话务", "座席",
            "维修站", "重复来电", "热点", "差异", "图表"} <= set(wb.sheetnames)
    overview = {row[0]: row[1] for row in wb["概览"].iter_rows(min_row=2, values_only=True)}
    assert overview["受理报修"] == 5 and isinstance(overview["服务水平"], float)
    talk = [row for row in wb["话务"].iter_rows(values_only=True) if row[0] == "已接听"]
    assert talk[0][1] == 3
    complaint = next(wb["投诉"].iter_rows(min_row=2, values_only=True))
    assert "13912345678" not in complaint[4] and "139******78" in complaint[4]
    assert wb["重复来电"].cell(2, 1).value == "139******78"
    assert len(wb["图表"]._charts) == 2
    with sessions() as db:
        assert db.scalar(select(AuditEntry.action).where(AuditEntry.action == "report_export")) == "report_export"


def test_text_that_would_start_a_formula_stays_text(day, tmp_path):
    reports, sessions, _c, who, _ = day
    with sessions() as db, db.begin():
        a = db.scalar(select(AnomalyRecord).where(AnomalyRecord.type == AnomalyType.complaint_technician))
        a.note = '=HYPERLINK("http://x","点我")'
    reports.export_xlsx(None, "daily", DAY, tmp_path / "f.xlsx")
    cell = load_workbook(tmp_path / "f.xlsx")["投诉"].cell(2, 5)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


# ------------------------------------------------------------------------- the CLI --

def test_the_scriptable_surface(day):
    _r, sessions, _c, _w, tmp = day
    home = tmp / "home"                 # the queue_log lines: those the fixture's service ingested
    with sessions() as db, db.begin():                          # stored text that would drive a terminal
        db.scalar(select(AnomalyRecord).where(AnomalyRecord.type == AnomalyType.complaint_technician)).result = \
            "已致歉\x1b]0;pwned\x07 [bold]markup[/bold]"
    env = {"HOTLINE_HOME": str(home), "HOTLINE_DB_URL": f"sqlite:///{tmp / 'r.db'}", "HOTLINE_TODAY": "2026-11-24T09:00"}
    run = lambda *argv: CliRunner().invoke(cli.app, ["report", *argv], env=env)
    got = run("daily", "--date", "2026-11-23", "--json")
    assert got.exit_code == 0, got.output
    r = json.loads(got.output)
    assert (r["tickets"]["received"], r["tickets"]["completed"], r["tickets"]["followed_up"]) == (5, 2, 2)
    q = r["queue"]
    assert (q["offered"], q["answered"], q["abandoned"]) == (10, 3, 2)
    assert sum(b["count"] for b in q["breakdown"]) == q["offered"] and 0 <= q["service_level_20s"] <= 1
    assert q["asa_s"] == 15.0 and q["aht_s"] == 170.0
    assert r["anomalies"]["complaint_technician"]["opened"] == 1 and r["agents"] and r["stations"] and r["hot_spots"]
    assert r["signed"] is None and r["differs_from_signed"] is None
    table = run("daily", "--date", "2026-11-23")
    assert table.exit_code == 0 and "报修受理" in table.output and "话务" in table.output
    assert "\x1b" not in table.output and "\\e]0;pwned" in table.output and "[bold]markup" in table.output
    assert "语音导航(呼入" in table.output and "首次解决与重复来电" in table.output and "待定(目前" in table.output
    assert run("sign", "--date", "2026-11-23", "--as", "1101").exit_code == 2        # a team lead: refused
    assert run("sign", "--date", "2026-11-23", "--as", "1201").exit_code == 0
    assert json.loads(run("daily", "--date", "2026-11-23", "--json").output)["signed"]["by"] == "1201"
    assert run("daily", "--date", "2026-11-23", "--signed", "--json").exit_code == 0
    book = tmp / "week.xlsx"
    got = run("weekly", "--date", "2026-11-25", "--json", "--xlsx", str(book))
    assert got.exit_code == 0 and json.loads(got.output.split("\n" + str(book))[0])["days_signed"] == 1
    assert load_workbook(book)["概览"]["A1"].value == "指标"
    assert run("daily", "--date", "23/11/2026").exit_code == 2
    with sessions() as db:
        refused = db.scalar(select(AuditEntry).where(AuditEntry.action == "report_sign_refused"))
        assert refused.actor == "1101"


# ------------------------------------------------ the IVR, hold time, first-call resolution --

@pytest.fixture
def ivr_day(tmp_path):
    """Residents' calls in the IVR (hung up at each step, a status heard, times from 5 s to 90 s), an
    agent's holds, and three repairs of which two callers called again within the window."""
    engine = make_engine(f"sqlite:///{tmp_path / 'ivr.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db, db.begin():
        agent = add_user(db, "1001", "人1001", Role.agent, "pw-1234567")
        db.flush()
        a1, a2 = (HeatingAccount(account_no=f"3000000{i}", name=f"住户{i}", district="铁西区", compound="兴华北街",
                                 building=str(i), unit="1", room="101") for i in (1, 2))
        db.add_all([a1, a2])
        db.flush()
        t1 = create_ticket(db, at(10, 1), state=TicketState.new, by=agent.id, account_id=a1.id,
                           category=Category.no_heat, caller_number="13912345678")
        t2 = create_ticket(db, at(11, 30), state=TicketState.new, by=agent.id, account_id=a2.id,
                           category=Category.leak, caller_number="13800000002")
        t3 = create_ticket(db, at(13), state=TicketState.new, by=agent.id, category=Category.noise,
                           caller_number="13700000003")
        later = create_ticket(db, at(9, base=D + timedelta(days=4)), state=TicketState.new, by=agent.id,
                              account_id=a2.id, category=Category.leak, caller_number="13800000002")

        def call(uid, ivr_at, seconds, caller, outcome=CallOutcome.in_ivr_hangup, step="", queued=False,
                 heard=False, ticket=None, direction="in"):
            left = ivr_at + timedelta(seconds=seconds)
            c = Call(uniqueid=uid, linkedid=uid, caller=caller, ivr_at=ivr_at, outcome=outcome, last_step=step,
                     direction=direction, queued_at=left if queued else None,
                     answered_at=left + timedelta(seconds=5) if outcome is CallOutcome.answered else None,
                     ended_at=left + timedelta(minutes=4) if queued else left,
                     status_heard_at=ivr_at + timedelta(seconds=15) if heard else None,
                     agent_id=agent.id if outcome is CallOutcome.answered else None,
                     ticket_id=ticket.id if ticket else None)
            db.add(c)
            db.flush()
            return c

        call("i1", at(9), 30, "13900000001", step="identify")
        call("i2", at(9, 10), 50, "13900000002", step="problem")
        call("i3", at(9, 20), 40, "13900000003", step="status", heard=True)
        answered = call("i4", at(10), 20, "13912345678", CallOutcome.answered, "queue", queued=True, heard=True,
                        ticket=t1)
        call("i5", at(11), 5, "13900000005")                                   # hung up in the greeting
        call("i6", at(12), 90, "13912345678", CallOutcome.abandoned, "queue", queued=True, ticket=t1)  # T1 again
        call("o1", at(12, 30), 60, "13912345678", CallOutcome.answered, direction="out")   # not the IVR's
        call("i7", at(9, base=NEXT), 100, "13900000007", step="identify")     # the next day
        call("i8", at(10, base=D + timedelta(days=2)), 10, "13700000003", CallOutcome.abandoned, queued=True)  # T3's
        call("i9", at(9, base=D + timedelta(days=4)), 10, "13800000002", CallOutcome.answered, queued=True,
             ticket=later)                                                     # T2's account, after the window
        # 1001 holds the answered call twice: a minute, then from 10:03 until the call ends (no Unhold came)
        db.add_all([CallHold(call_id=answered.id, user_id=agent.id, started_at=at(10, 1), ended_at=at(10, 2)),
                    CallHold(call_id=answered.id, user_id=agent.id, started_at=at(10, 3))])
        del t2, t3
    clock = Clock(at(9, base=NEXT))
    reports = Reports(sessions, clock, ReportPolicy(fcr_days=3), lambda since, until: [])
    return reports, sessions, clock


def test_the_ivr_says_where_callers_hang_up_how_many_heard_their_status_and_how_long_they_stayed(ivr_day):
    reports, *_ = ivr_day
    r = reports.daily(None, DAY)
    v = r["ivr"]
    assert (v["calls"], v["hung_up"], v["hung_up_rate"]) == (6, 4, round(4 / 6, 4))
    assert [(h["key"], h["label"], h["count"]) for h in v["hangups"]] == [
        ("greeting", "问候语", 1), ("identify", "确认户号和地址", 1), ("status", "收听报修进度", 1),
        ("problem", "选择问题", 1)]                                  # in the flow's order, named as it names them
    assert (v["status_lookups"], v["status_lookup_rate"]) == (2, round(2 / 6, 4))
    # to the queue (i4 20 s, i6 90 s) or to the hang-up (30, 50, 40, 5 s)
    assert (v["time_avg_s"], v["time_p90_s"], v["time_max_s"]) == (round(235 / 6, 1), 90, 90)
    assert "90%分位" in r["formulas"]["ivr_time"] and "收听" in r["formulas"]["ivr_status_lookups"]


def test_the_xlsx_has_the_ivr_and_first_call_sheets_and_the_agents_hold(ivr_day, tmp_path):
    reports, *_ = ivr_day
    reports.export_xlsx(None, "daily", DAY, tmp_path / "i.xlsx")
    wb = load_workbook(tmp_path / "i.xlsx")
    ivr = {row[0]: row[1] for row in wb["语音导航"].iter_rows(min_row=2, values_only=True)}
    assert (ivr["IVR 中挂机"], ivr["挂机于:收听报修进度"], ivr["自助查询进度"], ivr["IVR 时长90%分位(秒)"]) == (4, 1, 2, 90)
    assert isinstance(ivr["IVR 挂机率"], float)
    fc = {row[0]: row[1] for row in wb["首次解决"].iter_rows(min_row=2, values_only=True)}
    assert (fc["首次解决率"], fc["窗口内再次来电"], fc["重复来电号码"]) == ("待定", 2, 1)
    agents = list(wb["座席"].iter_rows(values_only=True))
    assert agents[1][agents[0].index("保持(秒)")] == 140


def test_an_agents_hold_time_sums_its_holds_an_open_one_up_to_the_calls_end(ivr_day):
    reports, *_ = ivr_day
    (agent,) = reports.daily(None, DAY)["agents"]
    assert (agent["agent_no"], agent["holds"], agent["hold_s"]) == ("1001", 2, 60 + 80)   # 10:03 → its end 10:04:20


def test_first_call_resolution_is_pending_until_the_day_is_old_enough_then_final(ivr_day):
    reports, _s, clock = ivr_day
    fc = reports.daily(None, DAY)["first_call"]
    # T1's caller called again at 12:00 about it, T3's (no account: the same number) two days later;
    # T2's account called again only after the three days
    assert (fc["received"], fc["called_again"], fc["resolved_first"], fc["window_days"]) == (3, 2, 1, 3)
    assert (fc["status"], fc["fcr_rate"], fc["fcr_so_far"]) == ("pending", None, round(1 / 3, 4))
    assert (fc["callers"], fc["repeat_callers"], fc["repeat_calls"], fc["repeat_rate"]) == (5, 1, 2, 0.2)
    clock.now = at(9, base=D + timedelta(days=5))
    r = reports.daily(None, DAY)
    assert (r["first_call"]["status"], r["first_call"]["fcr_rate"]) == ("final", round(1 / 3, 4))
    assert r["kpi"]["first_call_resolution"] == round(1 / 3, 4) and "3 天内" in r["formulas"]["fcr"]


def test_a_week_adds_the_ivr_hold_and_first_call_figures_of_its_days(ivr_day):
    reports, _s, clock = ivr_day
    clock.now = at(9, base=D + timedelta(days=5))                # the 23rd–28th begun; the 26th on not 3 days old
    w = reports.period(None, "weekly", DAY)
    v = w["ivr"]
    assert v["calls"] == 9 and {h["key"]: h["count"] for h in v["hangups"]}["identify"] == 2
    # the days' seconds together: 5 10 10 20 30 40 50 90 100 — nine tenths of 9 calls is 8.1, so the 9th
    assert (v["time_max_s"], v["time_p90_s"], v["time_avg_s"]) == (100, 100, round(355 / 9, 1))
    assert w["agents"][0]["hold_s"] == 140 and w["first_call"]["window_days"] == 3
    assert w["first_call"]["received"] == 4 and w["first_call"]["status"] == "pending"
    assert w["first_call"]["fcr_rate"] is None and w["kpi"]["first_call_resolution"] is None


def test_the_service_records_an_agents_hold_from_the_amis_hold_and_unhold_and_the_call_end_closes_it(ivr_day):
    _r, sessions, _c = ivr_day
    clock = Clock(at(16))
    holds = HoldLog(sessions, clock)
    with sessions() as db, db.begin():
        db.add(Call(uniqueid="q1", linkedid="q1", caller="13900000009", ivr_at=at(15, 59), queued_at=at(16),
                    answered_at=at(16)))
    service = SimpleNamespace(holds=holds)
    event = lambda name, channel: {"Event": name, "Channel": channel, "Uniqueid": "q1-agent", "Linkedid": "q1"}
    asyncio.run(HotlineService._hold(service, event("Hold", "PJSIP/pstn-trunk-0000001")))    # the resident's side
    asyncio.run(HotlineService._hold(service, event("Hold", "PJSIP/agent-1001-0000002a")))
    asyncio.run(HotlineService._hold(service, event("Hold", "PJSIP/agent-1001-0000002a")))   # one stretch at a time
    clock.now = at(16, 0, 45)
    asyncio.run(HotlineService._hold(service, event("Unhold", "PJSIP/agent-1001-0000002a")))
    clock.now = at(16, 2)
    assert holds.held("1001", "q1-agent", "q1")
    with sessions() as db, db.begin():
        call = db.scalar(select(Call).where(Call.uniqueid == "q1"))
        close_holds(db, call.id, at(16, 3))                     # hung up on hold: the stretch ends with the call
    with sessions() as db:
        rows = db.execute(select(CallHold.started_at, CallHold.ended_at).join(Call)
                          .where(Call.uniqueid == "q1").order_by(CallHold.id)).all()
    assert rows == [(at(16), at(16, 0, 45)), (at(16, 2), at(16, 3))]
    assert agent_of_channel("PJSIP/agent-1001-0000002a") == "1001" and agent_of_channel("Local/agent-1001-x") == ""
