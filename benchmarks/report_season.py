"""The reports over a whole heating season (#27): how long the daily, monthly and season reports take
on a season's data, and whether the queue_log ingestion keeps up. Run on demand, not a test:

    .venv/bin/python benchmarks/report_season.py [--quick] [--days 150] [--calls-per-day 6667]
                                                 [--db sqlite|postgresql|both] [--keep]

Generates a season directly in a fresh database (migrated to the newest schema; bulk inserts with
SQLAlchemy core, one transaction per day): `--days` reporting days (08:00 → 08:00) from 2026-11-01
of `--calls-per-day` residents' calls (default 150 days × 6667 ≈ 1 M calls, ≈ 300 k tickets), spread
by hour of the day (quiet at night, after hours 23:00–06:00), ~70 % answered, abandons, key-1
call-backs, maximum waits, no agent, IVR-only hang-ups; agents in shifts (ADDMEMBER/REMOVEMEMBER,
wrap-up pauses, a ring not answered now and then, pauses by reason); tickets through their states
(draft → new → dispatched → accepted → contacted → completed → 回访 → closed, some resolved or
cancelled, re-opened ones) with realistic dispatch/return times, surveys, call-back attempts with
their calls out, anomalies (late acceptance, over 4 h, complaints, praise). Every queued call has
its Asterisk queue_log lines, stored as the service stores them (db.queue_log's table); the last
day's are written to a queue_log file instead and taken in by the service's own ingestion
(hotline.service.reconcile.Reconciler.run: db.queue_log.ingest, then the calls it names) — timed.

The finished days are then SIGNED as a real season's would be, through the real `Reports.sign` (the
head, the clock pinned to the morning after the last day) — all but the last day, which the head has
not signed yet that morning (timed: each signature builds its day once).

Then times the reports through the entry point `hotline report daily|monthly|season` uses
(hotline.service.reports.reports → Reports.period): a mid-season day and the last day, the month
with the most days, the whole season (the season runs 11-01 → 03-30 here, 150 days) — a period
reads its signed days as stored and builds only its unsigned ones (here the last day) — and the
service's nightly re-check of every signed day (hotline.service.reports.SignedRecheck's round, as
after the next reporting day begins).

Goals (#27, this 2-core machine): daily < 1 s, season < 5 s, ingestion ≥ 50 calls/s.

PostgreSQL: HOTLINE_BENCH_PG_URL if set (its tables are dropped and made again!), else a throwaway
cluster like tests/run's (initdb/pg_ctl from /usr/lib/postgresql/*/bin, a free loopback port,
fsync off), removed afterwards.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from common import wire  # noqa: E402
from common.settings import Settings  # noqa: E402
from db.models import (AccountPhone, AgentPause, AnomalyRecord, Base, Call, CallbackAttempt, District,  # noqa: E402
                       HeatingAccount, QueueLogEvent, RepairStation, Survey, Ticket, TicketTransition, User)
from db.session import make_engine, migrate, session_factory  # noqa: E402
from hotline.aftercall.rules import actor_for  # noqa: E402
from hotline.service.reconcile import Reconciler  # noqa: E402
from hotline.service.reports import SignedRecheck, reports as hotline_reports  # noqa: E402

FIRST_DAY = date(2026, 11, 1)
SEASON = ("11-01", "03-30")          # 150 days from FIRST_DAY
DAY_START_H = 8
GOALS = {"daily": 1.0, "season": 5.0}
INGEST_GOAL = 50.0                   # calls/s
#: the share of a day's calls in each clock hour (quiet at night; the morning and evening peaks)
HOUR_WEIGHT = [1, .6, .4, .3, .3, .5, 1.5, 4, 9, 10, 9, 8, 6, 6, 7, 7, 6, 5, 5, 5, 4, 3, 2, 1.5]
AFTER_HOURS = range(0, 6)            # 23:00–06:00: the after-hours flow (message, call-back next day)
DISTRICTS = ["中山区", "西岗区", "沙河口区", "甘井子区", "旅顺口区", "金州区", "高新园区", "普兰店区", "开发区", "长兴岛"]
AGENTS = [str(1001 + i) for i in range(30)]
#: shifts by hour of the reporting day from its start (08:00): agents on, from, to
SHIFTS = [(12, 0, 8), (9, 8, 15), (3, 22, 24)]      # 08–16, 16–23, 06–08
PAUSE_REASONS = ["休息", "用餐", "培训"]
CATEGORIES = ["no_heat"] * 7 + ["leak"] * 2 + ["noise", "other"]
#: how a call in open hours ends (the rest are IVR-only: self-service look-ups, hang-ups, keyed repairs)
OUTCOMES = [("answered", .72), ("abandoned", .11), ("callback_requested", .05), ("max_wait", .02),
            ("no_agent", .02), ("in_ivr_hangup", .08)]
#: how likely a call of each outcome leaves a ticket (about 0.3 tickets a call)
TICKET_P = {"answered": .25, "abandoned": 0, "callback_requested": 1, "max_wait": 1, "no_agent": 1,
            "in_ivr_hangup": .2, "after_hours_message": .9}


def pick(rnd: random.Random, weighted: list[tuple[str, float]]) -> str:
    r = rnd.random() * sum(w for _k, w in weighted)
    for k, w in weighted:
        r -= w
        if r <= 0:
            return k
    return weighted[-1][0]


def qline(at: datetime, callid: str, agent: str, event: str, *data) -> tuple:
    return (at, callid, agent, event, tuple(str(d) for d in data))


@dataclass
class Season:
    """What is generated, and the ids handed out (every row's id is set here: no round trips)."""
    days: int
    calls_per_day: int
    now: datetime
    rnd: random.Random = field(default_factory=lambda: random.Random(27))
    ids: dict = field(default_factory=lambda: {k: 0 for k in ("call", "ticket", "tt", "survey", "anomaly",
                                                              "cb", "pause", "qlog")})
    completed: list = field(default_factory=list)     # (ticket id, completed at): re-opened ones point here
    counts: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)         # agent_no → user id
    stations: dict = field(default_factory=dict)      # district → station id
    accounts: int = 0

    def next(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]


def base_rows(conn, s: Season) -> None:
    """Stations and their districts, 40 000 accounts (a phone each), the people."""
    for i, d in enumerate(DISTRICTS, 1):
        conn.execute(RepairStation.__table__.insert(), [{"id": i, "code": f"S{i:02d}", "name": f"{d}维修站",
                                                         "phone": f"0411{8000000 + i}", "technician_phones": []}])
        conn.execute(District.__table__.insert(), [{"id": i, "name": d, "station_id": i}])
        s.stations[d] = i
    accounts, phones = [], []
    s.accounts = 40_000
    for i in range(1, s.accounts + 1):
        d = DISTRICTS[i % len(DISTRICTS)]
        accounts.append({"id": i, "account_no": f"{60000000 + i}", "name": f"住户{i % 997}", "district": d,
                         "compound": f"{d[:2]}小区{(i // 10) % 40}", "building": str(i % 12 + 1), "unit": str(i % 4 + 1),
                         "room": str(100 + i % 600), "fee_status": "paid" if i % 9 else "unpaid"})
        phones.append({"id": i, "account_id": i, "phone": f"139{i:08d}"})
    conn.execute(HeatingAccount.__table__.insert(), accounts)
    conn.execute(AccountPhone.__table__.insert(), phones)
    people = [(no, "agent") for no in AGENTS] + [("2001", "team_lead"), ("2002", "team_lead"), ("9001", "head")]
    conn.execute(User.__table__.insert(), [{"id": i, "agent_no": no, "name": f"员工{no}", "role": role,
                                            "password_hash": "-", "sip_secret": "-", "active": True,
                                            "failed_logins": 0} for i, (no, role) in enumerate(people, 1)])
    s.users = {no: i for i, (no, _r) in enumerate(people, 1)}


@dataclass
class Day:
    """One reporting day's rows, table by table, and its queue_log lines."""
    rows: dict = field(default_factory=lambda: {t: [] for t in ("ticket", "tt", "call", "survey", "anomaly",
                                                                "cb", "pause")})
    lines: list = field(default_factory=list)
    calls: int = 0


def ticket_life(s: Season, day: Day, tid: int, created: datetime, how: str, agent_id: int | None) -> tuple:
    """The ticket's moves from `created` (as far as `now`), its surveys and anomalies: (state, last move)."""
    rnd, rows = s.rnd, day.rows
    moves = [("draft", created)]
    t = created + timedelta(minutes=rnd.uniform(1, 30 if how != "after_hours" else 9 * 60))
    r = rnd.random()
    if r < .03:
        moves.append(("cancelled", t))
    elif r < .07:
        moves += [("new", t), ("resolved", t + timedelta(minutes=2))]
    else:
        dispatched = t + timedelta(minutes=rnd.uniform(2, 15))
        accepted = dispatched + timedelta(minutes=rnd.expovariate(1 / 15) + 3)
        contacted = accepted + timedelta(minutes=rnd.uniform(5, 40))
        completed = contacted + timedelta(hours=rnd.expovariate(1 / 1.5) + .3)
        surveyed = completed + timedelta(hours=rnd.uniform(3, 48))
        closed = surveyed + timedelta(hours=rnd.uniform(12, 72))
        moves += [("new", t), ("dispatched", dispatched), ("accepted", accepted), ("contacted", contacted),
                  ("completed", completed)]
        if rnd.random() < .85:
            moves += [("followed_up", surveyed), ("closed", closed)]
        if accepted - dispatched > timedelta(minutes=30):
            anomaly(s, day, "station_late", tid, dispatched + timedelta(minutes=30), accepted)
        if completed - dispatched > timedelta(hours=4):
            anomaly(s, day, "over_4h", tid, dispatched + timedelta(hours=4), completed)
        if completed < s.now:
            s.completed.append(tid)
        if surveyed < s.now and len(moves) > 7:
            attitude = pick(rnd, [("satisfied", .86), ("average", .1), ("unsatisfied", .04)])
            rows["survey"].append({"id": s.next("survey"), "ticket_id": tid, "user_id": agent_id, "at": surveyed,
                                   "channel": "ivr" if rnd.random() < .3 else "agent", "solved": rnd.random() < .93,
                                   "attitude": attitude, "charged": rnd.random() < .02,
                                   "score": rnd.randint(8, 10) if attitude == "satisfied" else rnd.randint(3, 8),
                                   "comment": "", "fee_reminder": rnd.random() < .1})
            if attitude == "unsatisfied" and rnd.random() < .3:
                anomaly(s, day, "complaint_technician", tid, surveyed, surveyed + timedelta(hours=3), "维修人员态度不好")
            elif attitude == "satisfied" and rnd.random() < .01:
                anomaly(s, day, "praise", tid, surveyed, surveyed, "表扬维修师傅")
    moves = [(st, at) for st, at in moves if at < s.now]
    for st, at in moves:
        rows["tt"].append({"id": s.next("tt"), "ticket_id": tid, "state": st, "at": at, "user_id": agent_id, "note": ""})
    return moves[-1]


def anomaly(s: Season, day: Day, kind: str, tid: int, opened: datetime, ends: datetime, note: str = "") -> None:
    if opened >= s.now:
        return
    handled = ends if ends < s.now else None
    closed = ends + timedelta(hours=1) if ends + timedelta(hours=1) < s.now else None
    day.rows["anomaly"].append({"id": s.next("anomaly"), "type": kind, "ticket_id": tid, "opened_at": opened,
                                "deadline": opened + timedelta(hours=2), "note": note,
                                "result": "已处理" if handled else "", "handled_at": handled, "closed_at": closed,
                                "state": "closed" if closed else "handled" if handled else "open"})


def make_day(s: Season, n: int) -> Day:
    """Reporting day `n` of the season: its calls, their queue_log lines, their tickets."""
    rnd, day = s.rnd, Day()
    start = datetime.combine(FIRST_DAY + timedelta(days=n), datetime.min.time()) + timedelta(hours=DAY_START_H)
    # agents: shifts, who is on when (by hour of the reporting day), their pauses
    roster = AGENTS[n % 7:] + AGENTS[:n % 7]
    on_duty: dict[int, list[str]] = {h: [] for h in range(24)}
    taken = 0
    for count, h0, h1 in SHIFTS:
        crew, taken = roster[taken:taken + count], taken + count
        for no in crew:
            login = start + timedelta(hours=h0, seconds=rnd.randint(-300, 120))
            logout = start + timedelta(hours=h1, seconds=rnd.randint(0, 300))
            day.lines += [qline(login, "NONE", f"agent-{no}", "ADDMEMBER", ""),
                          qline(logout, "NONE", f"agent-{no}", "REMOVEMEMBER", "")]
            for h in range(h0, h1):
                on_duty[h].append(no)
            if h1 - h0 >= 4:
                for _ in range(2):
                    p = start + timedelta(hours=rnd.uniform(h0 + 1, h1 - 1))
                    day.rows["pause"].append({"id": s.next("pause"), "user_id": s.users[no],
                                              "reason": rnd.choice(PAUSE_REASONS), "started_at": p,
                                              "ended_at": p + timedelta(minutes=rnd.uniform(5, 30))})
    busy_until: dict[str, datetime] = {}
    weights = [HOUR_WEIGHT[(DAY_START_H + h) % 24] for h in range(24)]
    hours = rnd.choices(range(24), weights=weights, k=s.calls_per_day)
    hours.sort()
    for h in hours:
        ivr_at = start + timedelta(hours=h, seconds=rnd.uniform(0, 3600))
        if ivr_at >= s.now:
            continue
        clock = (DAY_START_H + h) % 24
        cid = s.next("call")
        uid = f"{int(ivr_at.timestamp())}.{cid}"
        acct = int(rnd.paretovariate(1.2) * 37) % s.accounts + 1 if rnd.random() < .3 else rnd.randint(1, s.accounts)
        caller = f"139{acct:08d}"
        if clock in AFTER_HOURS:
            outcome = "after_hours_message" if rnd.random() < .8 else "in_ivr_hangup"
        else:
            outcome = pick(rnd, OUTCOMES)
            if not on_duty[h]:
                outcome = "no_agent" if outcome != "in_ivr_hangup" else outcome
        queued = ivr_at + timedelta(seconds=rnd.uniform(30, 110)) \
            if outcome not in ("in_ivr_hangup", "after_hours_message") else None
        answered = ended = None
        agent = ""
        if queued is not None:
            day.lines.append(qline(queued, uid, "NONE", "ENTERQUEUE", "", caller))
        if outcome == "answered":
            wait = min(int(rnd.expovariate(1 / 14)), 280)
            answered = queued + timedelta(seconds=wait)
            agent = rnd.choice(on_duty[h])
            free = busy_until.get(agent)
            if free and free > answered:              # someone else, if the first choice is talking
                agent = rnd.choice(on_duty[h])
            talk = int(rnd.lognormvariate(5.1, .5))
            ended = answered + timedelta(seconds=talk)
            busy_until[agent] = ended
            if rnd.random() < .04:
                other = rnd.choice(on_duty[h])
                day.lines.append(qline(queued + timedelta(seconds=max(0, wait - 15)), uid, f"agent-{other}",
                                       "RINGNOANSWER", 15000))
            day.lines += [qline(answered, uid, f"agent-{agent}", "CONNECT", wait, f"{uid}1", rnd.randint(1, 6)),
                          qline(ended, uid, f"agent-{agent}", "COMPLETECALLER" if rnd.random() < .6 else "COMPLETEAGENT",
                                wait, talk, 1),
                          qline(ended, "NONE", f"agent-{agent}", "PAUSE", wire.WRAPUP_REASON),
                          qline(ended + timedelta(seconds=rnd.randint(15, 60)), "NONE", f"agent-{agent}", "UNPAUSE", "")]
        elif outcome == "abandoned":
            wait = int(rnd.expovariate(1 / 45))
            ended = queued + timedelta(seconds=wait)
            day.lines.append(qline(ended, uid, "NONE", "ABANDON", 1, 1, wait))
        elif outcome == "callback_requested":
            wait = rnd.randint(20, 180)
            ended = queued + timedelta(seconds=wait)
            day.lines.append(qline(ended, uid, "NONE", "EXITWITHKEY", 1, 1, 1, wait))
        elif outcome == "max_wait":
            ended = queued + timedelta(seconds=300)
            day.lines.append(qline(ended, uid, "NONE", "EXITWITHTIMEOUT", 1, 1, 300))
        elif outcome == "no_agent":
            ended = queued + timedelta(seconds=2)
            if rnd.random() < .5:                     # JOINEMPTY writes no line: the record alone says so
                day.lines.pop()
                queued = None
            else:
                day.lines.append(qline(ended, uid, "NONE", "EXITEMPTY", 1, 1, 2))
        else:
            ended = ivr_at + timedelta(seconds=rnd.uniform(20, 150))
        tid = None
        if rnd.random() < TICKET_P[outcome]:
            tid = s.next("ticket")
            agent_id = s.users[agent] if agent else None
            how = "after_hours" if outcome == "after_hours_message" else outcome
            state, last = ticket_life(s, day, tid, ivr_at, how, agent_id)
            reason = outcome if outcome in ("callback_requested", "max_wait", "no_agent", "after_hours_message") else None
            cat = rnd.choice(CATEGORIES)
            follow = rnd.choice(s.completed[-5000:]) if cat == "no_heat" and s.completed and rnd.random() < .03 else None
            day.rows["ticket"].append({
                "id": tid, "number": f"{ivr_at:%y%m%d}{tid:06d}", "account_id": acct, "caller_number": caller,
                "callback_number": caller if reason else "", "category": cat, "description": "",
                "address_snapshot": "", "name_snapshot": "", "priority": 0,
                "station_id": s.stations[DISTRICTS[acct % len(DISTRICTS)]] if state not in ("draft", "cancelled") else None,
                "state": state, "callback_requested": reason is not None, "callback_reason": reason,
                "followup_of_id": follow, "created_at": ivr_at, "updated_at": last, "voice_health": "",
                "confirmed_problem": True, "confirmed_address": True, "confirmed_name": True, "confirmed_phone": True,
                "callback_escalated": False})
            if reason:
                callbacks(s, day, tid, caller, ended, roster)
        day.rows["call"].append({"id": cid, "uniqueid": uid, "linkedid": uid, "caller": caller, "did": "96123",
                                 "ticket_id": tid, "ivr_at": ivr_at, "queued_at": queued, "answered_at": answered,
                                 "ended_at": ended, "agent_id": s.users[agent] if agent else None,
                                 "outcome": outcome, "last_step": "", "direction": "in"})
        day.calls += 1
    return day


def callbacks(s: Season, day: Day, tid: int, caller: str, asked: datetime, roster: list[str]) -> None:
    """The call-back list: an attempt or two, each a call out by an agent."""
    rnd = s.rnd
    at = asked + timedelta(minutes=rnd.expovariate(1 / 25) + 2)
    for attempt in range(3):
        if at >= s.now:
            return
        reached = rnd.random() < .7 or attempt == 2
        agent = rnd.choice(roster[:12])
        cid = s.next("call")
        day.rows["cb"].append({"id": s.next("cb"), "ticket_id": tid, "user_id": s.users[agent], "at": at,
                               "outcome": "reached" if reached else "no_answer", "note": ""})
        day.rows["call"].append({"id": cid, "uniqueid": f"{int(at.timestamp())}.{cid}", "linkedid": "", "caller": caller,
                                 "did": "", "ticket_id": tid, "ivr_at": at, "queued_at": None,
                                 "answered_at": at + timedelta(seconds=8) if reached else None,
                                 "ended_at": at + timedelta(seconds=90 if reached else 30),
                                 "agent_id": s.users[agent], "outcome": "answered" if reached else "no_answer",
                                 "last_step": "", "direction": "out"})
        if reached:
            return
        at += timedelta(minutes=rnd.uniform(20, 60))


TABLES = [("ticket", Ticket), ("tt", TicketTransition), ("call", Call), ("survey", Survey), ("anomaly", AnomalyRecord),
          ("cb", CallbackAttempt), ("pause", AgentPause)]


def qlog_rows(s: Season, lines: list[tuple]) -> list[dict]:
    """The lines as the service stores them (db.queue_log._row): node '', an inode no file has."""
    out = []
    for at, callid, agent, event, data in lines:
        data = data + ("",) * (5 - len(data))
        out.append({"node": "", "inode": 0, "byte_offset": s.next("qlog"), "at": at, "callid": callid,
                    "queue": "repair", "agent": agent, "event": event, "data1": data[0], "data2": data[1],
                    "data3": data[2], "data4": data[3], "data5": data[4]})
    return out


def qlog_text(lines: list[tuple]) -> str:
    return "".join("|".join([str(int(at.timestamp())), callid, "repair", agent, event, *data]) + "\n"
                   for at, callid, agent, event, data in lines)


def generate(engine, sessions, s: Season, work: Path) -> dict:
    """The season into the database; the last day's queue_log through the real ingestion (timed)."""
    t0 = time.perf_counter()
    with engine.begin() as conn:
        base_rows(conn, s)
    counts = {k: 0 for k, _m in TABLES} | {"queue_log": 0, "calls_in": 0}
    ingest = {}
    for n in range(s.days):
        day = make_day(s, n)
        day.lines.sort(key=lambda x: x[0])
        last = n == s.days - 1
        with engine.begin() as conn:
            for key, model in TABLES:
                if day.rows[key]:
                    conn.execute(model.__table__.insert(), day.rows[key])
                counts[key] += len(day.rows[key])
            if not last:
                conn.execute(QueueLogEvent.__table__.insert(), qlog_rows(s, day.lines))
        counts["queue_log"] += len(day.lines)
        counts["calls_in"] += day.calls
        if last:
            path = work / "queue_log"
            path.write_text(qlog_text(day.lines), encoding="utf-8")
            t1 = time.perf_counter()
            Reconciler(sessions, path, node="", now=lambda: s.now).run()
            took = time.perf_counter() - t1
            ingest = {"lines": len(day.lines), "calls": day.calls, "s": took}
        if n % 10 == 9 or last:
            print(f"  … {n + 1} days, {counts['calls_in']:,} calls in, {counts['ticket']:,} tickets, "
                  f"{counts['queue_log']:,} queue_log lines ({time.perf_counter() - t0:.0f} s)", flush=True)
    return {"counts": counts, "ingest": ingest, "generate_s": time.perf_counter() - t0}


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def verdict(took: float, goal: float | None) -> str:
    return "" if goal is None else ("  ✓ goal < %.0f s" % goal if took < goal else "  ✗ goal < %.0f s MISSED" % goal)


def bench(url: str, label: str, days: int, calls_per_day: int, home: Path) -> dict:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    migrate(engine)
    sessions = session_factory(engine)
    last_day = FIRST_DAY + timedelta(days=days - 1)
    now = datetime.combine(last_day + timedelta(days=1), datetime.min.time()) + timedelta(hours=DAY_START_H, minutes=30)
    s = Season(days, calls_per_day, now)
    print(f"\n== {label}: generating {days} days × {calls_per_day} calls", flush=True)
    gen = generate(engine, sessions, s, home)
    c, ing = gen["counts"], gen["ingest"]
    print(f"generated in {gen['generate_s']:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in c.items()))
    rate = ing["calls"] / ing["s"] if ing["s"] else float("inf")
    print(f"ingestion of the last day's queue_log ({ing['lines']:,} lines, {ing['calls']:,} calls) through "
          f"Reconciler.run: {ing['s']:.2f} s = {rate:,.0f} calls/s"
          + ("  ✓" if rate >= INGEST_GOAL else "  ✗") + f" goal ≥ {INGEST_GOAL:.0f} calls/s")
    if engine.dialect.name == "postgresql":      # a season-old database has its statistics (autovacuum)
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    with sessions() as db:
        stored = db.scalar(select(func.count(QueueLogEvent.id)))
    print(f"queue_log_event rows: {stored:,}")
    settings = Settings(home=home, db_url=url, season_start=SEASON[0], season_end=SEASON[1],
                        today=now.isoformat(timespec="seconds"))
    rep = hotline_reports(settings, sessions)
    t0 = time.perf_counter()
    with sessions() as db:
        head = actor_for(db, "9001")
    for n in range(days - 1):                    # the last day is not signed yet this morning
        rep.sign(head, FIRST_DAY + timedelta(days=n))
    took = time.perf_counter() - t0
    print(f"signed {days - 1} days through Reports.sign: {took:.0f} s ({took / max(1, days - 1):.2f} s a day)",
          flush=True)
    mid = FIRST_DAY + timedelta(days=days // 2)
    month = max({(FIRST_DAY + timedelta(days=i)).replace(day=1) for i in range(days)},
                key=lambda m: sum((FIRST_DAY + timedelta(days=i)).replace(day=1) == m for i in range(days)))
    in_month = sum((FIRST_DAY + timedelta(days=i)).replace(day=1) == month for i in range(days))
    runs = [(f"daily {mid}", lambda: rep.period(None, "daily", mid), 3, 1, GOALS["daily"]),
            (f"daily {last_day} (the last)", lambda: rep.period(None, "daily", last_day), 3, 1, GOALS["daily"]),
            (f"monthly {month:%Y-%m}", lambda: rep.period(None, "monthly", month), 1, in_month, None),
            (f"season ({days} days)", lambda: rep.period(None, "season", FIRST_DAY), 1, days, GOALS["season"])]
    out = {"label": label, "ingest_calls_per_s": rate, "generate_s": gen["generate_s"], "counts": c}
    for name, fn, repeat, n_days, goal in runs:
        took = timed(fn, repeat)
        best = min(took)
        print(f"{name:32} {best:7.2f} s" + (f" (runs: {', '.join(f'{t:.2f}' for t in took)})" if repeat > 1 else "")
              + (f" ({best / n_days:.2f} s a day)" if n_days > 1 else "") + verdict(best, goal), flush=True)
        out[name] = best
    # the service's round after the next reporting day begins: every signed day built again and compared
    tomorrow = Settings(home=home, db_url=url, season_start=SEASON[0], season_end=SEASON[1],
                        today=(now + timedelta(days=1)).isoformat(timespec="seconds"))
    t0 = time.perf_counter()
    found = asyncio.run(SignedRecheck(hotline_reports(tomorrow, sessions), pause_s=0).once())
    took = time.perf_counter() - t0
    print(f"{'nightly re-check (' + str(len(found)) + ' signed days)':32} {took:7.2f} s "
          f"({took / max(1, len(found)):.2f} s a day; {sum(f['changes'] > 0 for f in found)} differ)", flush=True)
    out["nightly re-check"] = took
    r = rep.period(None, "daily", mid)
    print(f"  (the mid-season day: offered {r['queue']['offered']}, answered {r['queue']['answered']}, "
          f"SL20 {r['queue']['service_level_20s']}, received {r['tickets']['received']}, "
          f"completed {r['tickets']['completed']}, surveys {r['tickets']['followed_up']}, "
          f"disagreements {len(r['disagreements'])}, hot spots {len(r['hot_spots'])})")
    engine.dispose()
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own (as tests/run makes one), removed on exit."""

    def __enter__(self) -> str:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")
                                                                                 if x.isdigit()])
        if not bins or not (bins[-1] / "initdb").exists():
            raise SystemExit("PostgreSQL server binaries missing (/usr/lib/postgresql/*/bin) — "
                             "set HOTLINE_BENCH_PG_URL or apt-get install postgresql")
        self.bin, self.dir = bins[-1], Path(tempfile.mkdtemp(prefix="hotline-bench-pg."))
        self.run_as = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        port = free_port()
        subprocess.run([*self.run_as, str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "hotline",
                        "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log"),
                        "-w", "-o", f"-k {self.dir} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, stdout=subprocess.DEVNULL)
        return f"postgresql://hotline@127.0.0.1:{port}/postgres"

    def __exit__(self, *exc) -> None:
        subprocess.run([*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=150, help="reporting days from 2026-11-01 (at most 150: the season)")
    ap.add_argument("--calls-per-day", type=int, default=6667, help="residents' calls a day (≈ 0.3 tickets a call)")
    ap.add_argument("--quick", action="store_true", help="a smoke run: 10 days")
    ap.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    ap.add_argument("--keep", action="store_true", help="keep the SQLite file (its path is printed)")
    a = ap.parse_args()
    days = 10 if a.quick else a.days
    if not 2 <= days <= 150:
        raise SystemExit("--days: 2 to 150")
    home = Path(tempfile.mkdtemp(prefix="hotline-bench-season."))
    results = []
    try:
        if a.db in ("sqlite", "both"):
            results.append(bench(f"sqlite:///{home / 'hotline.db'}", "SQLite", days, a.calls_per_day, home))
            size = (home / "hotline.db").stat().st_size
            print(f"SQLite file: {size / 2**20:,.0f} MiB" + (f" at {home / 'hotline.db'}" if a.keep else ""))
        if a.db in ("postgresql", "both"):
            url = os.environ.get("HOTLINE_BENCH_PG_URL")
            if url:
                results.append(bench(url, "PostgreSQL", days, a.calls_per_day, home))
            else:
                with ThrowawayPostgres() as url:
                    results.append(bench(url, "PostgreSQL (throwaway cluster)", days, a.calls_per_day, home))
    finally:
        if not a.keep:
            shutil.rmtree(home, ignore_errors=True)
    if len(results) > 1:
        print("\nsummary:")
        for r in results:
            print(f"  {r['label']}: " + ", ".join(f"{k} {v:.2f} s" for k, v in r.items()
                                                 if isinstance(v, float) and k not in ("ingest_calls_per_s", "generate_s"))
                  + f", ingestion {r['ingest_calls_per_s']:,.0f} calls/s")


if __name__ == "__main__":
    main()
