"""#26 — every caller accounted for, without Asterisk: the queue_log read a little at a time into
the database (a cursor per node, rotation and truncation), the dialplan's own lines turned into
call records and call-backs, and calls whose channel is gone closed `interrupted`."""
from __future__ import annotations

import os
from datetime import datetime

import pytest
from sqlalchemy import func, select

from common.settings import load_settings
from db.models import Call, CallOutcome, Category, QueueLogCursor, QueueLogEvent, Ticket
from db.queue_log import ingest, parse_line
from db.session import make_engine, migrate, session_factory
from db.tickets import create_ticket
from hotline.service.reconcile import Reconciler, node_of

T0 = 1796516224
NOW = datetime(2026, 12, 6, 0, 30)


@pytest.fixture
def sessions(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="")
    engine = make_engine(s.database_url)
    migrate(engine)
    return session_factory(engine)


def line(dt: int, uid: str, event: str, *data: str, agent: str = "NONE") -> str:
    return "|".join([str(T0 + dt), uid, "repair", agent, event, *data]) + "\n"


def stored(sessions) -> int:
    with sessions() as db:
        return db.scalar(select(func.count()).select_from(QueueLogEvent))


# ------------------------------------------------------------------ reading --

def test_a_line_keeps_five_data_fields_and_junk_is_no_line():
    ln = parse_line("1796516224|1.2|repair|NONE|HOTLINE_HANGUP|1390|1|JOINEMPTY|a|b|c|d\n")
    assert (ln.callid, ln.event, ln.data) == ("1.2", "HOTLINE_HANGUP", ("1390", "1", "JOINEMPTY", "a", "b|c|d"))
    assert ln.at == datetime.fromtimestamp(1796516224)
    for junk in ("garbage line", "x|1.2|repair|NONE|ABANDON", "", "1796516224|1.2|repair"):
        assert parse_line(junk) is None


def test_each_pass_reads_only_what_is_new_and_a_line_still_being_written_waits(sessions, tmp_path):
    log = tmp_path / "queue_log"
    log.write_text(line(0, "NONE", "QUEUESTART") + line(1, "1.1", "ENTERQUEUE", "", "13900000001", "1"))
    assert ingest(sessions, log, "", NOW) == ["1.1"]
    assert ingest(sessions, log, "", NOW) == [] and stored(sessions) == 2
    with log.open("a") as f:
        f.write(line(5, "1.1", "ABANDON", "1", "1", "4") + "1796516300|1.2|repair|NONE|ENTERQ")
    assert ingest(sessions, log, "", NOW) == ["1.1"] and stored(sessions) == 3     # the half line waits
    with log.open("a") as f:
        f.write("UEUE||13900000002|1\n")
    assert ingest(sessions, log, "", NOW) == ["1.2"] and stored(sessions) == 4
    with sessions() as db:
        cursor = db.get(QueueLogCursor, "")
        assert (cursor.inode, cursor.byte_offset) == (os.stat(log).st_ino, log.stat().st_size)
        assert db.scalar(select(QueueLogEvent.event).where(QueueLogEvent.callid == "1.2")) == "ENTERQUEUE"


def test_a_rotated_file_is_finished_before_the_new_one_is_begun(sessions, tmp_path):
    log = tmp_path / "queue_log"
    log.write_text(line(0, "1.1", "ENTERQUEUE", "", "13900000001", "1"))
    ingest(sessions, log, "", NOW)
    with log.open("a") as f:                    # written after the last pass, then rotated
        f.write(line(5, "1.1", "ABANDON", "1", "1", "4"))
    log.rename(tmp_path / "queue_log.1")
    log.write_text(line(9, "1.2", "HOTLINE_DEGRADED", "13900000002"))
    assert ingest(sessions, log, "", NOW) == ["1.1", "1.2"]
    assert stored(sessions) == 3
    assert ingest(sessions, log, "", NOW) == []


def test_a_file_cut_short_in_place_is_read_again_from_its_start(sessions, tmp_path):
    log = tmp_path / "queue_log"
    log.write_text(line(0, "1.1", "ENTERQUEUE", "", "13900000001", "1") * 3)
    ingest(sessions, log, "", NOW)
    log.write_text(line(9, "1.2", "HOTLINE_DEGRADED", "13900000002"))      # copytruncate, then a line
    assert ingest(sessions, log, "", NOW) == ["1.2"]


def test_small_batches_store_every_line_once(sessions, tmp_path):
    log = tmp_path / "queue_log"
    log.write_text("".join(line(i, f"1.{i}", "HOTLINE_DEGRADED", "1390000") for i in range(25)))
    assert len(ingest(sessions, log, "", NOW, batch=4)) == 25
    assert stored(sessions) == 25


def test_each_node_keeps_its_own_cursor_and_lines(sessions, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text(line(0, "a-1.1", "HOTLINE_DEGRADED", "13900000001"))
    b.write_text(line(0, "b-1.1", "HOTLINE_DEGRADED", "13900000002"))
    assert ingest(sessions, a, "a", NOW) == ["a-1.1"] and ingest(sessions, b, "b", NOW) == ["b-1.1"]
    with sessions() as db:
        assert {c.node for c in db.scalars(select(QueueLogCursor))} == {"a", "b"}


# ---------------------------------------------------------- the dialplan's lines --

def reconciler(sessions, log, node=""):
    return Reconciler(sessions, log, frozenset(), node, lambda: NOW)


def call_of(db, uid):
    return db.scalar(select(Call).where(Call.uniqueid == uid))


def test_a_caller_turned_away_by_the_empty_queue_while_the_service_was_away_gets_a_call_back(sessions, tmp_path):
    """JOINEMPTY writes nothing of Asterisk's own: the dialplan's lines are all there is."""
    log = tmp_path / "queue_log"
    log.write_text(line(0, "1.1", "HOTLINE_DEGRADED", "13900000001")
                   + line(12, "1.1", "HOTLINE_NOAGENT", "JOINEMPTY", "13900000001")
                   + line(40, "1.1", "HOTLINE_HANGUP", "13900000001", "1", "JOINEMPTY"))
    assert reconciler(sessions, log).run() == ["1.1"]
    with sessions() as db:
        call = call_of(db, "1.1")
        assert (call.caller, call.outcome, call.last_step) == ("13900000001", CallOutcome.no_agent, "reconciled")
        t = db.get(Ticket, call.ticket_id)
        assert t.callback_requested and t.callback_reason is CallOutcome.no_agent and t.callback_number == "13900000001"


def test_a_caller_cut_off_in_the_intake_who_gave_up_in_the_degraded_queue_is_booked(sessions, tmp_path):
    """The record began in the IVR (no draft yet); the service died; the caller waited and hung up."""
    with sessions() as db, db.begin():
        db.add(Call(uniqueid="1.1", linkedid="1.1", caller="13900000001", ivr_at=NOW, last_step="greeting"))
    log = tmp_path / "queue_log"
    log.write_text(line(0, "1.1", "HOTLINE_DEGRADED", "13900000001")
                   + line(3, "1.1", "ENTERQUEUE", "", "13900000001", "1")
                   + line(30, "1.1", "ABANDON", "1", "1", "27")
                   + line(30, "1.1", "HOTLINE_HANGUP", "13900000001", "1", ""))
    assert reconciler(sessions, log).run() == ["1.1"]
    with sessions() as db:
        call = call_of(db, "1.1")
        assert call.outcome is CallOutcome.abandoned and call.queued_at and call.ended_at
        t = db.get(Ticket, call.ticket_id)
        assert t.callback_requested and t.callback_reason is CallOutcome.abandoned
        assert db.scalar(select(func.count()).select_from(Call)) == 1


def test_a_call_the_service_closed_itself_is_left_as_it_is(sessions, tmp_path):
    with sessions() as db, db.begin():
        db.add(Call(uniqueid="1.1", linkedid="1.1", caller="13900000001", ivr_at=NOW, outcome=CallOutcome.answered))
    log = tmp_path / "queue_log"
    log.write_text(line(30, "1.1", "HOTLINE_HANGUP", "13900000001", "", ""))
    assert reconciler(sessions, log).run() == []
    with sessions() as db:
        assert call_of(db, "1.1").outcome is CallOutcome.answered and call_of(db, "1.1").ticket_id is None


def test_a_hang_up_in_the_ivr_the_service_missed_flags_a_keyed_draft_only(sessions, tmp_path):
    with sessions() as db, db.begin():
        keyed = create_ticket(db, NOW, category=Category.leak)
        db.add_all([Call(uniqueid="1.1", caller="13900000001", ivr_at=NOW, ticket_id=keyed.id),
                    Call(uniqueid="1.2", caller="13900000002", ivr_at=NOW)])
    log = tmp_path / "queue_log"
    log.write_text(line(9, "1.1", "HOTLINE_HANGUP", "13900000001", "", "")
                   + line(9, "1.2", "HOTLINE_HANGUP", "13900000002", "", ""))
    reconciler(sessions, log).run()
    with sessions() as db:
        assert {call_of(db, u).outcome for u in ("1.1", "1.2")} == {CallOutcome.in_ivr_hangup}
        assert db.get(Ticket, keyed.id).callback_reason is CallOutcome.in_ivr_hangup
        assert call_of(db, "1.2").ticket_id is None


# ------------------------------------------------------------------ interrupted --

def test_only_this_nodes_calls_are_its_to_judge():
    assert [node_of(u) for u in ("1796516224.12", "a-1796516224.12", "node-b-1796516224.3", "test.5", "1.2.3")] \
        == ["", "a", "node-b", None, None]


def test_a_call_whose_channel_is_gone_is_closed_interrupted_and_its_caller_owed_a_call_back(sessions, tmp_path):
    with sessions() as db, db.begin():
        draft = create_ticket(db, NOW, caller_number="13900000001")
        db.add_all([
            Call(uniqueid="1796516224.1", caller="13900000001", ivr_at=NOW, ticket_id=draft.id),   # gone, a draft
            Call(uniqueid="1796516224.2", caller="13900000002", ivr_at=NOW),                       # gone, no draft
            Call(uniqueid="1796516224.3", caller="", ivr_at=NOW),                                  # gone, no number
            Call(uniqueid="1796516224.4", caller="13900000004", ivr_at=NOW),                       # still up
            Call(uniqueid="1796516224.5", caller="13900000005", ivr_at=NOW, direction="out"),      # a call out, gone
            Call(uniqueid="b-1796516224.6", caller="13900000006", ivr_at=NOW),                     # another node's
            Call(uniqueid="1796516224.7", caller="13900000007", ivr_at=NOW),                       # ends meanwhile
        ])
    r = reconciler(sessions, tmp_path / "queue_log")
    candidates = r.open_calls()
    assert {c.uniqueid for c in candidates} == {f"1796516224.{i}" for i in (1, 2, 3, 4, 5, 7)}
    with sessions() as db, db.begin():      # its hang-up reached the service after the candidates were read
        call_of(db, "1796516224.7").outcome = CallOutcome.in_ivr_hangup
    closed = r.close_interrupted(candidates, live={"1796516224.4", "1796516224.99"})
    assert sorted(closed) == [f"1796516224.{i}" for i in (1, 2, 3, 5)]
    with sessions() as db:
        assert call_of(db, "1796516224.4").outcome is None and call_of(db, "b-1796516224.6").outcome is None
        assert call_of(db, "1796516224.7").outcome is CallOutcome.in_ivr_hangup
        flagged = db.get(Ticket, draft.id)
        assert flagged.callback_requested and flagged.callback_reason is CallOutcome.interrupted
        given = db.get(Ticket, call_of(db, "1796516224.2").ticket_id)
        assert given.callback_requested and given.callback_number == "13900000002"
        assert call_of(db, "1796516224.3").ticket_id is None and call_of(db, "1796516224.5").ticket_id is None
        assert all(call_of(db, f"1796516224.{i}").outcome is CallOutcome.interrupted
                   and call_of(db, f"1796516224.{i}").ended_at == NOW for i in (1, 2, 3, 5))


def test_a_named_node_judges_only_its_own_calls(sessions, tmp_path):
    with sessions() as db, db.begin():
        db.add_all([Call(uniqueid="a-1796516224.1", caller="1", ivr_at=NOW),
                    Call(uniqueid="b-1796516224.1", caller="2", ivr_at=NOW),
                    Call(uniqueid="1796516224.1", caller="3", ivr_at=NOW)])
    assert [c.uniqueid for c in reconciler(sessions, tmp_path / "q", node="a").open_calls()] == ["a-1796516224.1"]
