"""#25 — free text is data: control characters (ESC and its OSC sequences, CR, the C1 controls),
bidi overrides (RLO) and separators are refused at the agent API (422, in every field of every
request model and in the search and filter queries) and shown escaped by everything `hotline`
prints; the desk's log file is the PC user's alone (0600)."""
from __future__ import annotations

import inspect
import logging
import os
import re
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from common.logs import setup_logging
from common.text import control_char, printable, printable_lines
from db.models import AnomalyRecord, AnomalyType, RepairStation, Role, TicketState
from db.session import make_engine, migrate, session_factory
from db.tickets import create_ticket
from hotline import cli
from hotline.admin.users import add_user
from hotline.service import schemas
from hotline.service.desk import DeskError, DeskService
from common.settings import load_settings
# after pydantic's users: PySide6's import hook, loaded first, trips pydantic's own imports
import desktop.app  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
#: a terminal title and clipboard write (OSC 0, OSC 52), a carriage return over the line, a C1 CSI,
#: a right-to-left override
ATTACKS = ("\x1b]0;pwned\x07", "\x1b]52;c;ZXZpbA==\x07", "ok\rforged", "\x9b31m", "abc\u202etxt.exe", "a\u2028b")
#: fields that are not free text: patterned ids, and the password (never stored, never printed)
NOT_FREE_TEXT = {("LoginIn", "agent_no"), ("LoginIn", "password"), ("AssignIn", "agent_no"),
                 ("NewTicketIn", "uniqueid"), ("AnomalyIn", "agent"), ("QaCheckIn", "scorecard")}


def _request_models() -> list[type[BaseModel]]:
    return [m for _, m in inspect.getmembers(schemas, inspect.isclass)
            if issubclass(m, BaseModel) and m is not BaseModel and m.__module__ == schemas.__name__]


def _text_fields(model: type[BaseModel]) -> list[str]:
    return [name for name, f in model.model_fields.items() if f.annotation in (str, str | None)
            and (model.__name__, name) not in NOT_FREE_TEXT]


def test_the_check_tells_one_line_from_several():
    for bad in ATTACKS:
        assert control_char(bad) is not None and control_char(bad, multiline=True) is not None, repr(bad)
    assert control_char("铁西区 兴华北街 12号楼 3单元 502") is None
    assert control_char("第一行\n第二行\t完") == "\n" and control_char("第一行\n第二行\t完", multiline=True) is None
    assert control_char("a\r\nb", multiline=True) == "\r"


@pytest.mark.parametrize("model", _request_models(), ids=lambda m: m.__name__)
def test_every_free_text_field_of_every_request_refuses_control_characters(model):
    fields = _text_fields(model)
    for field in fields:
        for bad in ATTACKS:
            errors = []
            try:
                model.model_validate({field: bad})
            except ValueError as e:
                errors = e.errors()
            mine = [e for e in errors if e["loc"][:1] == (field,)]
            assert mine and "控制字符" in mine[0]["msg"], (model.__name__, field, repr(bad), errors)


def test_the_models_name_every_text_field_line_or_text():
    """A new str field must choose: Line, OptionalLine or Text (or be listed as not free text)."""
    source = (REPO / "hotline/service/schemas.py").read_text(encoding="utf-8")
    bare = [line.strip() for line in source.splitlines() if re.match(r"\s+\w+: str\b", line)
            and line.split(":")[0].strip() not in {f for _, f in NOT_FREE_TEXT}]
    assert bare == []


def test_the_search_and_the_ticket_filters_refuse_control_characters(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="")
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db, db.begin():
        add_user(db, "1001", "李娜", Role.agent, "correct-horse-7")
    desk = DeskService(sessions, s, {}.get)
    answer, _ = desk.login("1001", "correct-horse-7", "10.0.0.1")
    with pytest.raises(DeskError) as e:
        desk.search(desk.principal(answer["token"]), "王\x1b]0;x\x07")
    assert e.value.status == 422
    api = (REPO / "hotline/service/api/tickets.py").read_text(encoding="utf-8")
    assert "control_char(v) is not None for v in filters.values()" in api


# --------------------------------------------------------------------------- output --

def test_printed_text_cannot_drive_the_terminal_or_forge_a_line():
    assert printable("\x1b]0;pwned\x07") == "\\e]0;pwned\\x07"
    assert printable("ok\rforged\nnext") == "ok\\rforged\\nnext"
    assert printable("abc\u202etxt.exe") == "abc\\u202etxt.exe" and printable("\x9b31m") == "\\x9b31m"
    assert printable("王秀兰 13912345678") == "王秀兰 13912345678"
    assert printable_lines('{\n  "note": "a\\nb\u202e"\n}') == '{\n  "note": "a\\nb\\u202e"\n}'


def test_hotline_anomalies_and_tickets_show_stored_control_characters_escaped(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'h.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    with session_factory(engine)() as db, db.begin():
        st = RepairStation(code="TX", name="铁西维修站", phone="024-25670000")
        db.add(st)
        t = create_ticket(db, load_settings().now(), state=TicketState.new, address_snapshot="兴华北街\x1b]52;c;ZXZpbA==\x07",
                          station_id=None)
        db.add(AnomalyRecord(type=AnomalyType.praise, ticket_id=t.id, opened_at=t.created_at, deadline=t.created_at,
                             note="表扬\r  9 complaint_billing open 伪造一行\u202e"))
    engine.dispose()
    env = {"HOTLINE_HOME": str(tmp_path / "home"), "HOTLINE_DB_URL": db_url}
    for argv in (["anomalies"], ["anomalies", "--json"], ["tickets", "show", t.number],
                 ["tickets", "show", t.number, "--json"]):
        got = CliRunner().invoke(cli.app, argv, env=env)
        assert got.exit_code == 0, got.output
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", got.output), (argv, got.output)
        assert "\\e]52" in got.output or "\\r" in got.output or "\\u001b" in got.output, (argv, got.output)


def test_everything_hotline_prints_goes_through_its_one_escaping_echo():
    sources = {path: (REPO / path).read_text(encoding="utf-8")
               for path in ("hotline/cli.py", "hotline/cli_ops.py", "hotline/admin/command.py")}
    assert [s.count("typer.echo(") for s in sources.values()] == [0, 0, 2]   # inside echo and echo_lines
    for source in sources.values():
        assert not re.search(r"(?<![\w.])print\(|sys\.std(out|err)\.write|typer\.secho|click\.echo", source)
    for name in ("echo", "echo_lines"):
        assert "typer.echo(" in inspect.getsource(getattr(cli, name))


# --------------------------------------------------------------------------- the desk log --

def test_the_desks_log_is_its_users_alone_even_under_a_loose_umask(tmp_path, monkeypatch):
    """The desk configures its log before anything else (desktop.app.main): 0600 from the start,
    and a log an older desk left 0644 is narrowed."""
    old = tmp_path / "hotline-desktop" / "desktop.log"
    old.parent.mkdir()
    old.write_text("older lines\n")
    old.chmod(0o644)

    class Stop(Exception):
        pass

    class NoWindow:
        @staticmethod
        def instance():
            raise Stop
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setattr(desktop.app, "QApplication", NoWindow)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    mask = os.umask(0o022)
    try:
        with pytest.raises(Stop):
            desktop.app.main(["--api", "http://127.0.0.1:1"])
        assert old.stat().st_mode & 0o777 == 0o600
        fresh = tmp_path / "agi" / "agi.log"
        setup_logging("INFO", fresh)
        assert fresh.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(mask)
        for h in root.handlers:
            h.close()
        root.handlers[:] = handlers
        root.setLevel(level)
