"""The data model on SQLite (embedded default) and PostgreSQL (multi-agent)."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import inspect, select, text

from db.models import (AnomalyRecord, AnomalyState, AnomalyType, Call, CallOutcome, Category, HeatingAccount, AccountPhone, Recording, Ticket,
                       TicketState, TicketTransition, User, Role)
from db.session import DatabaseUnavailable, make_engine, migrate, session_factory


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    else:
        base = request.getfixturevalue("pg_url")
        admin = make_engine(base)
        name = f"t_{tmp_path.name.lower().replace('-', '_')[-40:]}"
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            c.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        eng = make_engine(base.rsplit("/", 1)[0] + "/" + name)
    migrate(eng)
    yield eng
    eng.dispose()


def test_migrations_create_every_table_and_the_lookup_indexes(engine):
    insp = inspect(engine)
    tables = set(insp.get_table_names())
    assert {"heating_account", "account_phone", "repair_station", "district", "user", "ticket",
            "ticket_transition", "call", "recording", "holiday_override", "audit_log"} <= tables
    phone_idx = {tuple(i["column_names"]) for i in insp.get_indexes("account_phone")}
    assert ("phone",) in phone_idx
    uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("heating_account")}
    uniques |= {tuple(i["column_names"]) for i in insp.get_indexes("heating_account") if i["unique"]}
    assert ("account_no",) in uniques


def test_migrate_twice_is_a_no_op(engine):
    migrate(engine)


def test_ticket_with_call_recording_and_transitions_round_trips(engine):
    sessions = session_factory(engine)
    with sessions() as db, db.begin():
        acc = HeatingAccount(account_no="20000001", name="王伟'; DROP TABLE ticket;--", district="铁西区",
                             compound="阳光花园", building="3", unit="2", room="501")
        acc.phones = [AccountPhone(phone="13800138000"), AccountPhone(phone="02425610001")]
        agent = User(agent_no="1001", name="张三", role=Role.agent, password_hash="x", sip_secret="y")
        t = Ticket(number="2611230001", account=acc, caller_number="13800138000", category=Category.leak,
                   priority=50, state=TicketState.draft)
        t.transitions.append(TicketTransition(state=TicketState.draft))
        db.add_all([acc, agent, t])
        db.flush()
        call = Call(uniqueid="1700000000.1", caller="13800138000", ticket_id=t.id, agent_id=agent.id,
                    outcome=CallOutcome.answered)
        db.add(call)
        db.flush()
        db.add(Recording(call_id=call.id, ticket_id=t.id, path="/x.wav", duration_s=12.5, sha256="0" * 64))
        db.add(AnomalyRecord(type=AnomalyType.praise, ticket_id=t.id, opened_at=datetime(2026, 11, 23, 10),
                             deadline=datetime(2026, 11, 26, 10), note="表扬维修工小王"))
    with sessions() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == "2611230001"))
        assert t.account.address == "铁西区阳光花园3号楼2单元501室"
        assert t.account.phone_numbers == ["13800138000", "02425610001"]
        assert t.category is Category.leak and t.state is TicketState.draft
        a = db.scalar(select(AnomalyRecord).where(AnomalyRecord.ticket_id == t.id))
        assert a.type is AnomalyType.praise and a.state is AnomalyState.open and a.note == "表扬维修工小王"
        assert [tr.state for tr in t.transitions] == [TicketState.draft]
        assert t.calls[0].outcome is CallOutcome.answered
        assert t.account.name.startswith("王伟'")


def test_unreachable_database_says_so_in_one_line():
    eng = make_engine("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailable) as e:
        migrate(eng)
    msg = str(e.value)
    assert "unreachable" in msg and "HOTLINE_DB_URL" in msg and "\n" not in msg
