"""The multi-agent deployment: the whole hotline on PostgreSQL — a second private Asterisk
and service whose IVR, agent API and desk all write to PostgreSQL."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from db.models import Call, Role, Ticket, TicketState
from hotline.admin import runtime
from bench.scratch import scratch_hotline
from bench.desk_demo import CallerLine, demo_callers
from hotline.admin.users import add_user
from conftest import close_desk, desk_window, fresh_pg_database, ring_and_answer, scratch

pytestmark = pytest.mark.asterisk

PASSWORD = "pg-desk-pass-1"


@pytest.fixture(scope="module")
def pg_hotline(pg_url, tmp_path_factory):
    s = scratch(tmp_path_factory.mktemp("pg-hotline"), db_url=fresh_pg_database(pg_url, "hotline_deployment"))
    with scratch_hotline(s, accounts=30) as sessions:
        with sessions() as db:
            add_user(db, "4001", "吴芳", Role.agent, PASSWORD, actor="test")
            db.commit()
        runtime.reload_agents(s, sessions)
        yield s, sessions


def test_a_call_through_the_ivr_to_a_desk_and_the_saved_ticket_all_on_postgresql(qtbot, pg_hotline):
    from PySide6.QtCore import Qt
    s, sessions = pg_hotline
    assert runtime.status(s)["db_url"].startswith("postgresql")
    w = desk_window(qtbot, runtime.read_state(s)["ports"]["api"], "4001", PASSWORD)
    number, known = demo_callers(s, 1)[0]
    line = CallerLine(s, number, known)
    line.start()
    try:
        pop = ring_and_answer(qtbot, w, line)
        for chk in w.form.checks():
            qtbot.mouseClick(chk, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(w.form.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(w.form.saved), timeout=10_000)
        qtbot.mouseClick(w.softphone.hangup_button, Qt.MouseButton.LeftButton)
    finally:
        line.hangup()
        close_desk(qtbot, w)
    with sessions() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == pop["ticket"]["number"]))
        assert t.state is TicketState.new and t.confirmed_address
        call = db.scalar(select(Call).where(Call.uniqueid == pop["uniqueid"]))
        assert call.ticket_id == t.id and call.agent_id is not None
