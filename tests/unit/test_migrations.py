"""An installation with data upgrades: SQLite's batch migrations rebuild tables other rows point at."""
from __future__ import annotations

from sqlalchemy import text

from db.session import make_engine, migrate


def insert(db, table: str, **values) -> None:
    """A row with `values`, and a plain value in every other NOT NULL column without a default."""
    for _cid, name, kind, notnull, default, pk in db.execute(text(f"PRAGMA table_info({table})")):
        if notnull and default is None and not pk and name not in values:
            values[name] = 0 if kind.upper() in ("INTEGER", "BOOLEAN", "FLOAT") else \
                "2026-11-23 10:00:00" if kind.upper() == "DATETIME" else "x"
    cols = ", ".join(values)
    db.execute(text(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + c for c in values)})"), values)


def test_a_database_with_tickets_and_calls_upgrades_from_0007_to_the_newest(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'hotline.db'}")
    migrate(engine, "0007")
    with engine.begin() as db:
        insert(db, "ticket", id=1, number="261123001", state="draft")
        insert(db, "call", uniqueid="1.1", ticket_id=1)
    migrate(engine)
    with engine.connect() as db:
        assert db.execute(text("SELECT direction, ticket_id FROM call")).one() == ("in", 1)
        assert db.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.execute(text("PRAGMA foreign_key_check")).all() == []


def test_the_anomaly_register_gains_its_about_agent_subject_on_an_installation_with_anomalies(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'hotline.db'}")
    migrate(engine, "0013")
    with engine.begin() as db:
        insert(db, "user", id=1, agent_no="1001", role="agent")
        insert(db, "ticket", id=1, number="261123001", state="new")
        insert(db, "anomaly", id=1, type="praise", state="open", ticket_id=1, opened_by_id=1)
        insert(db, "recording", id=1, path="/x.wav", ticket_id=1, agent_id=1)
    migrate(engine)
    with engine.connect() as db:
        assert db.execute(text("SELECT ticket_id, about_agent_id FROM anomaly")).one() == (1, None)
        assert db.execute(text("SELECT verified_at FROM recording")).scalar() is None
        assert db.execute(text("PRAGMA foreign_key_check")).all() == []
        assert {r[0] for r in db.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'qa_%'"))} >= \
            {"qa_scorecard", "qa_draw", "qa_sample", "qa_check", "qa_peer_listen", "qa_proposal"}
