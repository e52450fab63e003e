"""The scale-out path: two nodes on one PostgreSQL issue distinct ticket numbers.

The first test is two full nodes — two private Asterisks, two hotline services, `node_name` a and
b — on one PostgreSQL database taking real calls at the same time: sipp places 8 concurrent
callers on each node through the whole intake (RFC 4733 keys), so the 16 draft tickets are made
within about a second of each other on both nodes.

In the others each "node" is its own OS process running the hotline's ticket creation exactly as the service's
FastAGI flows call it — `ivr.context.Records.start_call` then `Records.save_ticket` (which takes its
number from `db.tickets.next_ticket_number`, the database's `ticket_counter`) — from 8 threads at
once, all released at the same instant. This is concurrent ticket creation through each node's
Records, not real SIP calls: real calls spread over ~30 s of prompts would hardly ever race, while
this makes 2 × 8 writers contend for the same day's counter row on every ticket. The same check
runs on SQLite (two processes, one file: the embedded single-node deployment).
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import func, select, text

from db.models import Call, Ticket, TicketCounter
from db.tickets import next_ticket_number
from hotline.admin import runtime
from hotline.admin.amiclient import AmiEventLog
from bench.desk_demo import demo_callers
from bench.scratch import scratch_hotline
from bench.sipp import intake_pcaps, outcome, run_sipp, scenario_xml, schedule, stand_by_member, tickets_right
from common.naming import AMI_ADMIN_USER
from common.secrets import ami_admin_secret
from db.session import make_engine, migrate, session_factory
from common.settings import REPO_ROOT
from conftest import fresh_pg_database, require_tool, scratch

pytestmark = pytest.mark.postgres

PER_NODE = 8

THREADS, PER_THREAD = 8, 25
NOW = "2026-11-23T10:00"

#: one node: THREADS threads, each making PER_THREAD tickets, released together at `start`
NODE = """
import json, sys, threading, time
from db.session import make_engine, session_factory
from common.settings import load_settings
from ivr.context import Records

url, node, start, threads, per = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
s = load_settings(db_url=url, today=%r)
engine = make_engine(url)
records = Records(session_factory(engine), s)
got, errors = [], []

def work(t):
    while time.time() < start:
        time.sleep(0.001)
    for i in range(per):
        try:
            call = f"{node}-{t}-{i}"
            records.start_call(call, call, "13800138000", "8000")
            got.append(records.save_ticket(call, None, callback_number="13800138000").number)
        except Exception as exc:
            errors.append(repr(exc))

ts = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
[t.start() for t in ts]
[t.join() for t in ts]
print(json.dumps({"numbers": got, "errors": errors}))
""" % NOW


def _two_nodes(url: str) -> list[dict]:
    start = time.time() + 3     # both processes are up and connected before anyone writes
    procs = [subprocess.Popen([sys.executable, "-c", NODE, url, node, str(start), str(THREADS), str(PER_THREAD)],
                              cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for node in ("node-a", "node-b")]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=180)
        assert p.returncode == 0, stderr[-2000:]
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def _check(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    results = _two_nodes(url)
    for r in results:
        assert r["errors"] == [], r["errors"][:3]
    numbers = [n for r in results for n in r["numbers"]]
    total = 2 * THREADS * PER_THREAD
    assert len(numbers) == total
    assert len(set(numbers)) == total, "two nodes issued the same ticket number"
    # the format is kept, and the day's sequence has no holes: 2611230001 … 2611230400
    assert sorted(numbers) == [f"261123{i:04d}" for i in range(1, total + 1)]
    with session_factory(engine)() as db:
        assert db.scalar(select(func.count()).select_from(Ticket)) == total
        assert db.get(TicketCounter, "261123").seq == total
    engine.dispose()


@pytest.mark.asterisk
def test_two_nodes_on_one_postgresql_take_concurrent_calls_with_distinct_ticket_numbers(pg_url, tmp_path_factory):
    require_tool("sipp", "sip-tester")
    url = fresh_pg_database(pg_url, "hotline_two_nodes")
    nodes = [scratch(tmp_path_factory.mktemp(f"node-{n}"), db_url=url, today=NOW.split("T")[0], node_name=n)
             for n in ("a", "b")]
    work = tmp_path_factory.mktemp("sipp")
    with scratch_hotline(nodes[0], accounts=2 * PER_NODE + 10) as sessions, \
            scratch_hotline(nodes[1], accounts=2 * PER_NODE + 10):
        callers = [n for n, known in demo_callers(nodes[0], 2 * PER_NODE) if known]
        assert len(callers) == 2 * PER_NODE
        states = [runtime.read_state(s) for s in nodes]
        amis = [AmiEventLog(st["ports"]["ami"], AMI_ADMIN_USER, ami_admin_secret(s), events="off")
                for s, st in zip(nodes, states)]
        for ami in amis:
            stand_by_member(ami)          # callers wait in each node's queue
        keys, on_line = schedule(nodes[0], queue_s=2)
        xml = scenario_xml(keys, intake_pcaps(work, keys), on_line)
        got = [{}, {}]

        def place(i):
            got[i] = run_sipp(work, f"node{i}", states[i]["ports"]["sip"], nodes[i].extension, xml,
                              callers[i * PER_NODE:(i + 1) * PER_NODE], concurrency=PER_NODE, rate=PER_NODE)
        runs = [threading.Thread(target=place, args=(i,)) for i in (0, 1)]
        [r.start() for r in runs]
        [r.join(240) for r in runs]
        for ami in amis:
            ami.close()
        assert [outcome(g) for g in got] == [{"placed": PER_NODE, "ok": PER_NODE, "failed": 0}] * 2
        assert tickets_right(sessions, callers) == set(callers)     # account, leak, 加急, call-back
        with sessions() as db:
            calls = db.scalars(select(Call).where(Call.caller.in_(callers))).all()
            numbers = [db.get(Ticket, c.ticket_id).number for c in calls]
        # both nodes took calls, each under its own uniqueids, and no two tickets share a number
        assert sorted({c.uniqueid.split("-")[0] for c in calls}) == ["a", "b"]
        assert len(numbers) == len(set(numbers)) == 2 * PER_NODE
        assert all(len(n) == 10 and n.startswith("261123") for n in numbers)


def test_two_nodes_on_one_postgresql_issue_distinct_ticket_numbers(pg_url):
    _check(fresh_pg_database(pg_url, "hotline_scale_out"))


def test_two_processes_on_one_sqlite_file_issue_distinct_ticket_numbers(tmp_path):
    _check(f"sqlite:///{tmp_path / 'hotline.db'}")


def test_tickets_numbered_before_the_counter_are_skipped(tmp_path):
    """A day whose tickets were numbered before migration 0007 (or imported): the counter moves on
    past the highest number instead of colliding."""
    engine = make_engine(f"sqlite:///{tmp_path / 'hotline.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db, db.begin():
        db.add(Ticket(number="2611230007", caller_number=""))
    with sessions() as db, db.begin():
        db.execute(text("DELETE FROM ticket_counter"))
    with sessions() as db, db.begin():
        assert next_ticket_number(db, datetime(2026, 11, 23, 10)) == "2611230008"
        assert next_ticket_number(db, datetime(2026, 11, 23, 10)) == "2611230009"
