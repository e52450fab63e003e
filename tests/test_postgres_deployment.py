"""The multi-agent deployment: the whole hotline on PostgreSQL — a second private Asterisk
and service whose IVR, agent API and desk all write to PostgreSQL."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, text

from db.models import Call, Role, Ticket, TicketState
from db.session import make_engine
from hotline import runtime
from hotline.config import load_settings
from hotline.desk_demo import CallerLine, demo_callers
from hotline.users import add_user
from conftest import close_desk, desk_window, ring_and_answer

pytestmark = pytest.mark.asterisk

PASSWORD = "pg-desk-pass-1"


@pytest.fixture(scope="module")
def pg_hotline(pg_url, tmp_path_factory):
    from hotline.demo import seed_demo
    name = "hotline_deployment"
    admin = make_engine(pg_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    home = tmp_path_factory.mktemp("pg-hotline")
    shutil.copytree(Path(__file__).resolve().parents[1] / "dialplan", home / "dialplan")
    s = load_settings(home=str(home), today="2026-11-23T10:00", dialplan_dir=str(home / "dialplan"),
                      db_url=pg_url.rsplit("/", 1)[0] + "/" + name,
                      digit_timeout_ms=os.environ.get("HOTLINE_DIGIT_TIMEOUT_MS", "3000"))
    sessions = runtime.prepare_database(s)
    with sessions() as db:
        seed_demo(db, accounts=30)
        add_user(db, "4001", "吴芳", Role.agent, PASSWORD, actor="test")
        db.commit()
    runtime.up(s, log=lambda m: None)
    yield s, sessions
    runtime.down(s)


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
