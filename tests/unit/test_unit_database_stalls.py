"""No caller waits on the database (#26): the journal of the flows' writes (kept, applied in order,
replayed, a crash mid-line survived), the caller's deadline on a locked or slow database, ticket
numbers reserved ahead, and the accounts import committed in batches."""
from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import func, select

from db.models import Call, HeatingAccount, Ticket, TicketCounter
from db.session import make_engine, migrate, session_factory
from db.tickets import give_back_ticket_numbers, next_ticket_number, reserve_ticket_numbers
from hotline.admin.accounts import COLUMNS, import_accounts
from ivr import flows
from ivr.context import IvrContext
from ivr.flows import caller_flow
from ivr.journal import Transient, WriteJournal, read_pending
from ivr.prompts import P, sound_name
from test_unit_caller_flow import KNOWN, FakeChannel, the_call, the_ticket
import test_unit_caller_flow as caller_tests

NOW = datetime(2026, 11, 23, 10, 0)


#: the caller-flow tests' context fixture: real Records on SQLite, an account of KNOWN
ctx = caller_tests.ctx


# ------------------------------------------------------------- journal --

class Applied:
    """An `apply` that records what it was given; `fail_for` makes a write fail for good,
    `locked_for` makes it wait (Transient) that many tries."""

    def __init__(self, fail_for=(), locked_for=0):
        self.got, self.fail_for, self.locked_left = [], set(fail_for), locked_for
        self.lock = threading.Lock()

    def __call__(self, e):
        with self.lock:
            if e.args and e.args[0] in self.fail_for:
                raise ValueError("a refused row")
            if self.locked_left:
                self.locked_left -= 1
                raise Transient("database is locked")
            self.got.append((e.call, e.op, e.args))
        return len(self.got)


def test_a_write_is_kept_on_disk_private_then_applied_and_marked_done(tmp_path):
    path = tmp_path / "journal" / "w.jsonl"
    applied = Applied()
    j = WriteJournal(applied, path)
    assert j.submit("c1", "step", ["c1", "identify"], {}, NOW.isoformat()).result(5) == 1
    assert j.drain(5)
    j.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = [json.loads(ln) for ln in path.read_text().splitlines()]
    assert lines[0]["op"] == "step" and lines[0]["at"] == NOW.isoformat() and {"done": 1} in lines
    assert read_pending(path)[0] == []


def test_writes_not_done_are_replayed_at_the_next_start_in_the_order_written(tmp_path):
    path = tmp_path / "w.jsonl"
    stuck = Applied(locked_for=10**9)                     # the database never answers
    j = WriteJournal(stuck, path, retry_s=(0.01, 0.02))
    for i in range(5):
        j.submit(f"c{i % 2}", "step", [f"c{i % 2}", f"s{i}"], {}, "")
    j.close(timeout_s=0.2)                                 # the service stops (or dies) with them pending
    applied = Applied()
    again = WriteJournal(applied, path)
    assert [e.args[1] for e in again.replayed_entries] == ["s0", "s1", "s2", "s3", "s4"]
    assert again.drain(5)
    assert [a[2][1] for a in applied.got] == ["s0", "s1", "s2", "s3", "s4"]
    again.close()
    assert WriteJournal(Applied(), path).replayed_entries == []       # done: not replayed twice


def test_a_line_torn_by_a_crash_is_skipped_and_the_rest_replayed(tmp_path):
    path = tmp_path / "w.jsonl"
    whole = '{"id":1,"call":"c","op":"step","args":["c","problem"],"kw":{},"at":""}\n'
    path.write_text(whole + '{"id":2,"call":"c","op":"st')             # killed mid-line
    applied = Applied()
    j = WriteJournal(applied, path)
    assert j.drain(5) and applied.got == [("c", "step", ["c", "problem"])]
    j.submit("c", "step", ["c", "queue"], {}, "").result(5)            # appended after, readable
    j.close()
    assert read_pending(path) == ([], 2, 0)      # the torn write was never kept: its id is used again


def test_a_write_that_fails_for_good_does_not_stop_the_calls_later_writes(tmp_path):
    applied = Applied(fail_for={"bad"})
    j = WriteJournal(applied, tmp_path / "w.jsonl")
    first = j.submit("c", "save_ticket", ["bad"], {}, "")
    later = j.submit("c", "step", ["c", "queue"], {}, "")
    with pytest.raises(ValueError):
        first.result(5)
    assert later.result(5) and applied.got == [("c", "step", ["c", "queue"])]
    j.close()
    assert read_pending(tmp_path / "w.jsonl")[0] == []                # marked failed, not replayed


def test_a_locked_database_delays_a_write_it_never_loses_it(tmp_path):
    applied = Applied(locked_for=3)
    j = WriteJournal(applied, tmp_path / "w.jsonl", retry_s=(0.01, 0.05))
    assert j.submit("c", "step", ["c", "voice"], {}, "").result(5) == 1
    j.close()


def test_replaying_a_write_the_database_already_has_changes_nothing(ctx):
    """Applied, then the service died before its "done" line: the same writes again are harmless."""
    records = ctx.records
    token = "d" * 64
    for _ in range(2):
        records.start_call("1700000009.1", "1700000009.1", KNOWN, "8000", token)
        records.save_ticket("1700000009.1", "2611230042", last_step="problem", callback_number=KNOWN)
        records.mark_queued("1700000009.1")
        records.end_call("1700000009.1", "")
    with records.sessions() as db:
        assert db.scalar(select(func.count()).select_from(Call)) == 1
        assert db.scalars(select(Ticket.number)).all() == ["2611230042"]


# ------------------------------------------------------ the caller's deadline --

def hold_write_lock(ctx, seconds: float) -> threading.Thread:
    """Another connection holds SQLite's write lock for `seconds` (an import, a backup)."""
    path = ctx.settings.database_url.split("///", 1)[1]
    taken = threading.Event()

    def hold():
        con = sqlite3.connect(path, timeout=30, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        con.execute("COMMIT")
        con.close()
    t = threading.Thread(target=hold)
    t.start()
    taken.wait(5)
    return t


async def test_a_locked_database_costs_the_caller_no_key_and_no_ticket(ctx):
    """The whole intake while another connection holds the write lock: every prompt and key in
    order, the ticket number read at once, and the draft written with that number once the lock goes."""
    ctx = IvrContext(ctx.settings.replace(db_deadline_s=0.5), ctx.records)
    ctx.numbers.prime()
    await flows.asyncio.sleep(0.3)          # the service reserves its first block at start
    holder = hold_write_lock(ctx, 4.0)
    ch = FakeChannel(KNOWN, ["1", "2", "1"])          # address, leak, call-back number; a voice message
    t0 = time.monotonic()
    await flows.run_flow(caller_flow, ch, ctx, "caller")
    took = time.monotonic() - t0
    assert ch.vars["HOTLINE_ROUTE"] == "queue" and not ch.answers          # every key was taken
    heard = ch.vars["HOTLINE_TICKET"]
    assert ch.played.count(sound_name(P.ticket_number_is)) == 1
    assert took < 2.0, f"the caller waited {took:.1f} s on a locked database"
    assert the_ticket(ctx) is None                                          # not in yet: kept
    holder.join()
    assert ctx.journal.drain(35)
    t = the_ticket(ctx)
    assert t.number == heard and t.callback_number == KNOWN and the_call(ctx).last_step == "queue"
    ctx.close()


async def test_a_slow_look_up_takes_the_no_account_path_rather_than_silence(ctx, monkeypatch):
    slow = threading.Event()

    def by_phone(phone):
        slow.wait(3)
        return []
    ctx = IvrContext(ctx.settings.replace(db_deadline_s=0.3), ctx.records)
    ctx.records.accounts_by_phone = by_phone
    ch = FakeChannel(KNOWN, ["", "", "", "2", "1", "#"])    # asked for the 户号 at once: keys nothing
    t0 = time.monotonic()
    await flows.run_flow(caller_flow, ch, ctx, "caller")
    slow.set()
    assert time.monotonic() - t0 < 2.5
    assert ch.heard(P.account_enter) and not ch.heard(P.address_confirm)
    assert ch.vars["HOTLINE_ROUTE"] == "queue"
    ctx.close()


# ------------------------------------------------------------ ticket numbers --

@pytest.fixture
def sessions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    migrate(engine)
    return session_factory(engine)


def test_numbers_are_reserved_a_block_at_a_time_and_never_given_twice(sessions):
    with sessions() as db, db.begin():
        a = reserve_ticket_numbers(db, NOW, 20)
        one = next_ticket_number(db, NOW)
        b = reserve_ticket_numbers(db, NOW, 20)
    assert a == [f"261123{i:04d}" for i in range(1, 21)] and one == "2611230021"
    assert b[0] == "2611230022" and len(set(a + [one] + b)) == 41


def test_unused_numbers_go_back_only_when_nobody_took_one_after_them(sessions):
    with sessions() as db, db.begin():
        block = reserve_ticket_numbers(db, NOW, 20)
        assert give_back_ticket_numbers(db, block[5:])
        assert db.get(TicketCounter, "261123").seq == 5
        again = reserve_ticket_numbers(db, NOW, 3)
        after = next_ticket_number(db, NOW)
        assert not give_back_ticket_numbers(db, again)            # someone took a number after them
    assert again == ["2611230006", "2611230007", "2611230008"] and after == "2611230009"


def test_a_block_skips_numbers_already_taken(sessions):
    with sessions() as db, db.begin():
        db.add(Ticket(number="2611230007", created_at=NOW, updated_at=NOW))
        db.flush()
        assert reserve_ticket_numbers(db, NOW, 5)[0] == "2611230008"


# ------------------------------------------------------------------ import --

def accounts_file(path, n, bad_at=None, name="王秀兰"):
    rows = [",".join(COLUMNS)]
    for i in range(n):
        phone = "" if i + 2 == bad_at else f"139{i:08d}"
        rows.append(f"{30000000 + i},{name},和平区,南湖小区,{i % 40},{i % 6},{i % 900},"
                    + (phone or "12"))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_the_import_commits_in_batches_shows_progress_and_a_rerun_updates(sessions, tmp_path):
    with sessions() as db:
        bad = import_accounts(db, accounts_file(tmp_path / "bad.csv", 1000, bad_at=500), batch=200)
        assert bad.errors == [(500, "phone '12' is not a phone number")] and not bad.imported
        assert (bad.created, bad.batches) == (0, 0)
        assert db.scalar(select(func.count()).select_from(HeatingAccount)) == 0     # nothing half-imported
    f = accounts_file(tmp_path / "a.csv", 999)
    seen = []
    with sessions() as db:
        rep = import_accounts(db, f, batch=200, progress=lambda done, total: seen.append((done, total)))
    assert (rep.created, rep.batches) == (999, 5) and rep.errors == [] and rep.imported
    assert seen == [(200, 999), (400, 999), (600, 999), (800, 999), (999, 999)]
    with sessions() as db:
        again = import_accounts(db, accounts_file(tmp_path / "b.csv", 1000, name="李娜"), batch=300)
        assert (again.created, again.updated) == (1, 999)
        assert db.scalar(select(func.count()).select_from(HeatingAccount)) == 1000


def test_a_call_writes_between_the_imports_batches(sessions, tmp_path):
    """While a 20 k import runs, another connection's write never waits a whole import: at most a batch."""
    f = accounts_file(tmp_path / "a.csv", 20000)
    waits, done = [], threading.Event()
    path = str(sessions.kw["bind"].url.database)

    def writer():
        con = sqlite3.connect(path, timeout=30, isolation_level=None)
        while not done.is_set():
            t = time.monotonic()
            con.execute("BEGIN IMMEDIATE")
            waits.append(time.monotonic() - t)
            con.execute("COMMIT")
            time.sleep(0.02)
        con.close()
    w = threading.Thread(target=writer)
    w.start()
    started = time.monotonic()
    with sessions() as db:
        rep = import_accounts(db, f, batch=1000)
    whole = time.monotonic() - started
    done.set()
    w.join()
    assert rep.created == 20000 and rep.batches == 20
    # the lock itself, as another writer meets it: about one batch of twenty, never the whole
    # import (measured against the import's own length: a loaded machine slows both alike)
    # (a loaded machine once held one commit 3 s of an 8 s import, and 2.5 s of 5 s in a run beside
    # a benchmark: a batch's fsync stalled, not the import — the whole import would be all of it)
    assert max(waits) < whole * 0.75, (rep.longest_commit_s, max(waits), whole)


def test_the_journal_file_is_where_the_settings_say(ctx):
    assert ctx.settings.journal_file.parent.parent == ctx.settings.home
    assert not os.path.exists(ctx.settings.journal_file)          # the service's, not a test context's
