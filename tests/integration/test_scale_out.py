"""The scale-out path: two nodes on one PostgreSQL issue distinct ticket numbers.

Each "node" is its own OS process running the hotline's ticket creation exactly as the service's
FastAGI flows call it — `ivr.context.Records.start_call` then `Records.save_ticket` (which takes its
number from `db.queries.next_ticket_number`, the database's `ticket_counter`) — from 8 threads at
once, all released at the same instant. This is concurrent ticket creation through each node's
Records, not real SIP calls: real calls spread over ~30 s of prompts would hardly ever race, while
this makes 2 × 8 writers contend for the same day's counter row on every ticket. The same check
runs on SQLite (two processes, one file: the embedded single-node deployment).
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime

import pytest
from sqlalchemy import func, select, text

from db.models import Ticket, TicketCounter
from db.queries import next_ticket_number
from db.session import make_engine, migrate, session_factory
from hotline.shared.settings import REPO_ROOT
from conftest import fresh_pg_database

pytestmark = pytest.mark.postgres

THREADS, PER_THREAD = 8, 25
NOW = "2026-11-23T10:00"

#: one node: THREADS threads, each making PER_THREAD tickets, released together at `start`
NODE = """
import json, sys, threading, time
from db.session import make_engine, session_factory
from hotline.shared.settings import load_settings
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
            call = records.start_call(f"{node}-{t}-{i}", f"{node}-{t}-{i}", "13800138000", "8000")
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
