"""Degraded-path calls read back from Asterisk's queue_log (lines as Asterisk 22 writes them)."""
from __future__ import annotations

from sqlalchemy import select

from db.models import Call, CallOutcome, Role, Ticket
from db.session import make_engine, migrate, session_factory
from hotline.admin.users import add_user
from hotline.service.reconcile import RECONCILED, Reconciler, parse_queue_log
from common.settings import load_settings

LOG = """1763892000|NONE|NONE|NONE|QUEUESTART|
1763892010|1763892001.20|repair|NONE|ENTERQUEUE||13800138000|1
1763892014|1763892001.20|repair|agent-1001|RINGNOANSWER|2000
1763892020|1763892001.20|repair|agent-1001|CONNECT|10|1763892015.21|3
1763892080|1763892001.20|repair|agent-1001|COMPLETECALLER|10|60|1
1763892100|1763892002.30|repair|NONE|ENTERQUEUE||02434500413|1
1763892160|1763892002.30|repair|NONE|ABANDON|1|1|60
1763892200|1763892003.40|repair|NONE|ENTERQUEUE||13900000000|1
1763892201|1763892004.50|other|NONE|ENTERQUEUE||13900000001|1
1763892202|1763892004.50|other|NONE|ABANDON|1|1|1
garbage line
"""


def test_the_queue_log_gives_each_finished_repair_queue_call_with_caller_agent_and_outcome():
    calls = parse_queue_log(LOG.splitlines())
    assert set(calls) == {"1763892001.20", "1763892002.30"}      # still waiting / other queue: not yet
    answered, gave_up = calls["1763892001.20"], calls["1763892002.30"]
    assert (answered.caller, answered.agent_no, answered.outcome) == ("13800138000", "1001", CallOutcome.answered)
    assert (answered.ended - answered.entered).total_seconds() == 70
    assert (gave_up.caller, gave_up.agent_no, gave_up.outcome) == ("02434500413", "", CallOutcome.abandoned)


def test_reconciling_writes_missing_calls_once_and_books_the_caller_who_gave_up_for_a_call_back(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="")
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db:
        add_user(db, "1001", "李娜", Role.agent, "pw-1234567")
        db.commit()
    log = tmp_path / "queue_log"
    log.write_text(LOG)
    r = Reconciler(sessions, log)
    assert sorted(r.run()) == ["1763892001.20", "1763892002.30"]
    assert r.run() == []                                          # idempotent
    with sessions() as db:
        calls = {c.uniqueid: c for c in db.scalars(select(Call))}
        assert calls["1763892001.20"].agent_id is not None and calls["1763892001.20"].last_step == RECONCILED
        assert calls["1763892001.20"].ticket_id is None
        gave_up = calls["1763892002.30"]
        t = db.get(Ticket, gave_up.ticket_id)
        assert t.callback_requested and t.callback_reason is CallOutcome.abandoned and t.callback_number == "02434500413"
        assert t.number.startswith(gave_up.ended_at.strftime("%y%m%d"))
