"""#29 — upgrades on purpose, calendar data that does not silently expire: only `hotline db upgrade`
migrates; every other command and the service refuse a schema behind or ahead and say which command
to run; a fresh database is created at the newest schema; `hotline --version`; the holiday data's end
is announced 60 days ahead and never raises inside a call."""
from __future__ import annotations

import ast
import json
import logging
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from db.session import make_engine, migrate, schema_head, schema_refusal, schema_state
from hotline.admin import runtime
from hotline.admin.runtime import HotlineError
from hotline.cli import app
from common.settings import load_settings
from ivr import hours
from ivr.holidays import lunar_new_year, mid_autumn

runner = CliRunner()


def _env(tmp_path: Path, db: Path) -> dict:
    return {"HOTLINE_HOME": str(tmp_path / "home"), "HOTLINE_DB_URL": f"sqlite:///{db}"}


def _revision(db: Path) -> str:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT version_num FROM alembic_version").fetchone()[0]


@pytest.fixture
def old_db(tmp_path) -> Path:
    db = tmp_path / "old.db"
    migrate(make_engine(f"sqlite:///{db}"), "0016")
    return db


def test_a_command_refuses_a_schema_behind_and_names_the_upgrade_changing_nothing(tmp_path, old_db):
    got = runner.invoke(app, ["tickets", "--json"], env=_env(tmp_path, old_db))
    assert got.exit_code == 1
    assert "hotline db upgrade" in got.output and "0016" in got.output and schema_head() in got.output
    assert _revision(old_db) == "0016"
    s = load_settings(home=str(tmp_path / "home"), db_url=f"sqlite:///{old_db}")
    assert runtime.status(s)["schema"] == {"revision": "0016", "head": schema_head(), "state": "behind"}


def test_db_upgrade_migrates_and_db_current_says_where_the_schema_stands(tmp_path, old_db):
    env = _env(tmp_path, old_db)
    got = runner.invoke(app, ["db", "current", "--json"], env=env)
    assert got.exit_code == 1
    assert json.loads(got.output) | {"database": "-", "release": "-"} == {
        "revision": "0016", "head": schema_head(), "state": "behind", "database": "-", "release": "-"}
    got = runner.invoke(app, ["db", "upgrade"], env=env)
    assert got.exit_code == 0 and f"0016 → {schema_head()}" in got.output
    assert _revision(old_db) == schema_head()
    got = runner.invoke(app, ["db", "current"], env=env)
    assert got.exit_code == 0 and "up to date" in got.output
    assert runner.invoke(app, ["tickets", "--json"], env=env).exit_code == 0
    assert "nothing to do" in runner.invoke(app, ["db", "upgrade"], env=env).output


def test_a_schema_ahead_is_refused_by_commands_the_upgrade_and_the_service(tmp_path, old_db):
    migrate(make_engine(f"sqlite:///{old_db}"))
    with sqlite3.connect(old_db) as c:
        c.execute("UPDATE alembic_version SET version_num = '0099'")
    env = _env(tmp_path, old_db)
    for argv in (["agents", "list"], ["db", "upgrade"]):
        got = runner.invoke(app, argv, env=env)
        assert got.exit_code == 1 and "0099" in got.output and "newer" in got.output, argv
    assert "ahead" in runner.invoke(app, ["db", "current"], env=env).output
    assert "newer than this release" in schema_refusal(f"sqlite:///{old_db}")
    assert _revision(old_db) == "0099"


def test_the_service_refuses_to_start_on_a_schema_behind(old_db):
    refused = schema_refusal(f"sqlite:///{old_db}")
    assert refused and "hotline db upgrade" in refused
    assert _revision(old_db) == "0016"


def test_a_fresh_empty_database_is_created_at_the_newest_schema(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    runtime.prepare_database(s)
    assert schema_state(make_engine(s.database_url)).state == "current"
    # and one holding tables but no schema revision is not taken for one
    with sqlite3.connect(tmp_path / "foreign.db") as c:
        c.execute("CREATE TABLE stuff (x)")
    with pytest.raises(HotlineError, match="not a hotline database"):
        runtime.prepare_database(s.replace(db_url=f"sqlite:///{tmp_path / 'foreign.db'}"))


def test_version_names_the_release_and_the_schema():
    got = runner.invoke(app, ["--version"])
    assert got.exit_code == 0
    assert got.output.startswith("hotline ") and f"(schema {schema_head()})" in got.output


def test_a_day_beyond_the_holiday_data_is_a_weekday_rule_workday_with_a_warning_never_an_error(caplog):
    beyond = date(2099, 3, 2)       # a Monday in a year no official calendar names yet
    with caplog.at_level(logging.WARNING, logger="hotline.hours"):
        assert hours.is_workday(beyond) is True
        assert hours.is_workday(date(2099, 3, 7)) is False     # a Saturday
    assert any("chinese-calendar" in r.getMessage() and "pip install -U chinese-calendar" in r.getMessage()
               for r in caplog.records)


def test_status_warns_when_the_holiday_data_does_not_cover_the_next_60_days(tmp_path):
    known_until = date(2026, 12, 31)    # chinese-calendar 1.11: the announced 2026 is its last year
    early = load_settings(home=str(tmp_path / "h"), today="2026-10-01T09:00")
    late = load_settings(home=str(tmp_path / "h"), today="2026-11-23T09:00")
    assert runtime.calendar_status(early)["warning"] is None
    got = runtime.calendar_status(late)
    assert got["first_day_not_covered"] == "2027-01-01" and hours.calendar_gap(known_until) is not None
    assert "pip install -U chinese-calendar" in got["warning"] and "2027-01-01" in got["warning"]
    assert runtime.status(late)["calendar"] == got


def test_the_holiday_code_uses_public_names_of_holidays_only():
    root = Path(__file__).resolve().parents[2]
    for path in (root / "ivr").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("holidays", "chinese_calendar"):
                assert not any(a.name.startswith("_") for a in node.names), f"{path}: {ast.dump(node)}"
                assert not any(part.startswith("_") for part in (node.module or "").split(".")), path
    assert lunar_new_year(2027) == date(2027, 2, 6) and mid_autumn(2027) == date(2027, 9, 15)
