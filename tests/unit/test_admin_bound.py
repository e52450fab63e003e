"""Admin commands act on the running hotline or refuse (issue 25 §2): what `hotline up` recorded is
what every later command uses; a shell naming another database is refused; no command creates or
migrates a fresh database under a running hotline; reloading agents writes their file alone and
never drops a registered phone the database does not hold; passwords never on argv."""
from __future__ import annotations

import json
import os
import stat
from dataclasses import fields
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from db.models import AuditEntry, Role, User
from hotline.admin import runtime
from hotline.admin.asterisk import AgentPhone, AsteriskInstall, PrivateAsterisk
from hotline.admin.users import PASSWORD_MIN, UserError, add_user, check_password
from hotline.cli import app
from common.agent_phones import agents_conf
from common.ports import Ports
from db.queries import agent_phones
from common.runstate import read_state, state_file
from common.settings import REPO_ROOT, Settings, load_settings

PASSWORD = "correct-horse-7"


@pytest.fixture(autouse=True)
def bare_shell(monkeypatch):
    """No HOTLINE_* of the machine running the tests leaks into these shells."""
    for name in list(os.environ):
        if name.startswith("HOTLINE_"):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def this_process_is_the_service(monkeypatch):
    """The run states below name this test's own pid as the hotline's service: its command line
    says so, as the real service's does (runtime.part_pid checks it is the hotline's process)."""
    real = runtime._cmdline
    monkeypatch.setattr(runtime, "_cmdline",
                        lambda pid: b"python\0-m\0hotline.service\0" if pid == os.getpid() else real(pid))


@pytest.fixture
def live(tmp_path) -> Settings:
    """A hotline "running" from tmp/home (its run state names this test's own pid) on a database
    that is NOT the home's default SQLite file, as `hotline up` with HOTLINE_DB_URL leaves it."""
    db = tmp_path / "data" / "live.db"
    s = load_settings(home=str(tmp_path / "home"), db_url=f"sqlite:///{db}", pstn_outbound="127.0.0.1:5999",
                      public_number="96069")
    sessions = runtime.prepare_database(s)
    with sessions() as d:
        add_user(d, "1001", "李娜", Role.agent, PASSWORD)
        d.commit()
    s.run_dir.mkdir(parents=True, exist_ok=True)
    runtime.write_state(s, {"home": str(s.home), "asterisk_pid": os.getpid(), "service_pid": os.getpid(),
                            "ports": {"sip": 1, "ami": 1, "fastagi": 1, "api": 1, "rtp_start": 20000,
                                      "rtp_end": 20399},
                            "settings": runtime.recorded_settings(s)})
    return s


def cli(home: Path, *args: str, env: dict | None = None, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), env={"HOTLINE_HOME": str(home), **(env or {})}, input=stdin)


def people(s: Settings) -> set[str]:
    with runtime.prepare_database(s)() as db:
        return set(db.scalars(select(User.agent_no)))


@pytest.fixture
def phones(monkeypatch, live):
    """Asterisk, as the admin AMI user would hear it: agent-1001 has a phone registered; the
    reloads the commands ask for are counted, not run."""
    registered = {"agent-1001"}
    reloads = []
    monkeypatch.setattr(runtime, "registered_phones", lambda s: set(registered))
    monkeypatch.setattr(runtime, "reload_agents",
                        lambda s, sessions, force=False: reloads.append((s.database_url, force)) or "(reloaded)")
    return registered, reloads


# ------------------------------------------------------------ the record --

def test_the_run_state_is_private_and_records_the_database_and_what_asterisk_was_given(live):
    loose = os.umask(0o022)     # a loose umask: the state file is 0600 all the same
    try:
        runtime.write_state(live, read_state(live))
    finally:
        os.umask(loose)
    assert stat.S_IMODE(os.stat(state_file(live)).st_mode) == 0o600
    record = read_state(live)["settings"]
    assert record["db_url"] == live.db_url and record["pstn_outbound"] == "127.0.0.1:5999"
    assert record["dialplan_dir"] == str(live.dialplan_dir)


def test_a_bare_shell_acts_on_the_running_hotlines_database_and_creates_no_sqlite_file(live, phones):
    _registered, reloads = phones
    r = cli(live.home, "agents", "add", "1002", "王强", "--password-file", "-", stdin=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert people(live) == {"1001", "1002"}
    assert reloads == [(live.database_url, False)]
    assert not (live.home / "hotline.db").exists()
    assert runtime.bound_settings(load_settings(home=str(live.home))).pstn_outbound == "127.0.0.1:5999"


def test_a_shell_naming_another_database_is_refused_in_chinese_then_english_and_nothing_is_touched(live, tmp_path,
                                                                                                   phones):
    other = tmp_path / "other.db"
    env = {"HOTLINE_DB_URL": f"sqlite:///{other}"}
    for args in (["agents", "add", "1002", "王强", "--password-file", "-"], ["agents", "disable", "1001"],
                 ["agents", "list"], ["tickets"], ["anomalies"], ["callbacks"], ["agents", "reload"]):
        r = cli(live.home, *args, env=env, stdin=PASSWORD + "\n")
        assert r.exit_code == 1, (args, r.output)
        line = r.output.strip()
        assert "已拒绝" in line and line.index("已拒绝") < line.index("refused") and str(other) in line, line
    assert not other.exists()
    assert people(live) == {"1001"} and phones[1] == []


def test_the_refusal_never_prints_a_database_password(live):
    pg = load_settings(home=str(live.home), db_url="postgresql://hotline:s3cret-pw@db.example:5432/hotline")
    with pytest.raises(runtime.HotlineError) as refused:
        runtime.bound_settings(pg)
    assert "s3cret-pw" not in str(refused.value) and "***" in str(refused.value)
    # the same database, spelt with its driver or another password, is the same one
    assert runtime.same_database("postgresql://a:x@h/db", "postgresql+psycopg://a:y@h/db")
    assert not runtime.same_database("postgresql://a@h/db", "postgresql://a@h/other")


def test_status_shows_the_running_hotlines_database_masked(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="postgresql://hotline:s3cret-pw@127.0.0.1:1/hotline")
    s.run_dir.mkdir(parents=True)
    runtime.write_state(s, {"service_pid": os.getpid(), "settings": runtime.recorded_settings(s)})
    r = cli(s.home, "status", "--json")
    assert json.loads(r.stdout)["db_url"] == "postgresql://hotline:***@127.0.0.1:1/hotline"
    assert "s3cret-pw" not in r.output


def test_no_command_creates_or_migrates_a_fresh_database_under_a_running_hotline(live, tmp_path):
    (Path(live.db_url.removeprefix("sqlite:///"))).rename(tmp_path / "moved.db")
    with pytest.raises(runtime.HotlineError, match="不会新建"):
        runtime.prepare_database(live)
    assert not Path(live.db_url.removeprefix("sqlite:///")).exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    record = read_state(live)
    record["settings"]["db_url"] = f"sqlite:///{empty}"
    runtime.write_state(live, record)
    with pytest.raises(runtime.HotlineError, match="no hotline tables"):
        runtime.prepare_database(live.replace(db_url=f"sqlite:///{empty}"))
    # a caller handing the running hotline's home another database is refused too
    with pytest.raises(runtime.HotlineError, match="refused"):
        runtime.prepare_database(live.replace(db_url=f"sqlite:///{tmp_path / 'third.db'}"))
    assert not (tmp_path / "third.db").exists()


def test_a_hotline_started_without_a_record_is_not_guessed_at(live):
    st = read_state(live)
    del st["settings"]
    runtime.write_state(live, st)
    r = cli(live.home, "agents", "list")
    assert r.exit_code == 1 and "hotline down" in r.output and not (live.home / "hotline.db").exists()


def test_a_setting_the_shell_changes_is_noted_and_the_running_hotlines_is_used(live, phones):
    r = cli(live.home, "agents", "list", env={"HOTLINE_PSTN_OUTBOUND": "10.9.9.9:5060",
                                              "HOTLINE_TODAY": "2026-12-01"})
    assert r.exit_code == 0 and "HOTLINE_PSTN_OUTBOUND" in r.output and "HOTLINE_TODAY" not in r.output
    env_s = load_settings(home=str(live.home), pstn_outbound="10.9.9.9:5060", today="2026-12-01")
    bound = runtime.bound_settings(env_s)
    assert bound.pstn_outbound == "127.0.0.1:5999" and bound.today == "2026-12-01"   # the clock is the command's


def test_a_stopped_hotline_leaves_the_shell_in_charge(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url=f"sqlite:///{tmp_path / 'x.db'}")
    assert runtime.bound_settings(s) == s


def test_every_setting_rendered_into_asterisks_config_is_recorded(tmp_path):
    """Render the configuration with each setting changed in turn: a setting that changes it and is
    not in BOUND_SETTINGS would let a later command's shell rewrite the live Asterisk."""
    def rendered(s: Settings) -> dict[str, str]:
        base = tmp_path / "ast"
        root = tmp_path / "root"
        install = AsteriskInstall(argv=(str(root / "usr/sbin/asterisk"),), version="Asterisk 22.10",
                                  modules_dir=root / "usr/lib/x86_64-linux-gnu/asterisk/modules",
                                  sounds_en=root / "en", root=root)
        ast = PrivateAsterisk(s, install, Ports(5060, 5038, 4573, 8080, 20000, 20399), base=base,
                              agents=[AgentPhone("1001", "李娜", "sip-secret")])
        ast.write_config()
        return {p.name: p.read_text() for p in sorted((base / "etc").iterdir())
                if p.name.endswith(".generated.conf") or p.name == "asterisk.conf"}

    special = {"pstn_outbound": "127.0.0.1:5070", "public_number": "024-2345 6789",
               "outbound_allow": "international,premium", "node_name": "b2"}
    base = load_settings(home=str(tmp_path / "home"), dialplan_dir=str(REPO_ROOT / "dialplan"))
    before = rendered(base)
    changing = set()
    for f in fields(Settings):
        v = getattr(base, f.name)
        other = special.get(f.name) or (not v if isinstance(v, bool) else v + 7 if isinstance(v, int)
                                        else tmp_path / f"other-{f.name}" if isinstance(v, Path) else f"{v}9")
        if f.name == "dialplan_dir":
            continue    # linked, not rendered: bound all the same (asserted below)
        if rendered(base.replace(**{f.name: other})) != before:
            changing.add(f.name)
    assert changing, "the probe changed nothing: it tests nothing"
    assert changing <= set(runtime.BOUND_SETTINGS), changing - set(runtime.BOUND_SETTINGS)
    assert {"db_url", "dialplan_dir", "bind"} <= set(runtime.BOUND_SETTINGS)


def test_reloading_agents_rewrites_their_file_alone(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), pstn_outbound="127.0.0.1:5999")
    root = tmp_path / "root"
    install = AsteriskInstall(argv=(str(root / "usr/sbin/asterisk"),), version="Asterisk 22.10",
                              modules_dir=root / "modules", sounds_en=root / "en", root=root)
    ports = Ports(5060, 5038, 4573, 8080, 20000, 20399)
    PrivateAsterisk(s, install, ports, agents=[AgentPhone("1001", "李娜", "one")]).write_config()
    etc = s.asterisk_dir / "etc"
    before = {p.name: p.read_text() for p in etc.glob("*.generated.conf")}
    # a shell with another gateway reloads the agents: the trunk stays as `up` wrote it
    later = PrivateAsterisk(s.replace(pstn_outbound="127.0.0.1:5060"), install, ports,
                            agents=[AgentPhone("1001", "李娜", "one"), AgentPhone("1002", "王强", "two")])
    later.write_agents()
    after = {p.name: p.read_text() for p in etc.glob("*.generated.conf")}
    assert {n for n in after if after[n] != before[n]} == {"pjsip_agents.generated.conf"}
    assert "agent-1002" in after["pjsip_agents.generated.conf"]
    assert stat.S_IMODE(os.stat(etc / "pjsip_agents.generated.conf").st_mode) == 0o600


# ------------------------------------------------ registered phones kept --

def test_a_registered_phone_the_database_does_not_hold_is_never_dropped_without_force(live, monkeypatch):
    monkeypatch.setattr(runtime, "registered_phones", lambda s: {"agent-1001", "agent-1077"})
    with runtime.prepare_database(live)() as db:
        with pytest.raises(runtime.HotlineError) as refused:
            runtime.refuse_dropping_registered(live, db)
        assert "agent-1077" in str(refused.value) and "--force" in str(refused.value)
        runtime.refuse_dropping_registered(live, db, force=True)
        add_user(db, "1077", "赵磊", Role.agent, PASSWORD).active = False      # `agents disable 1077`
        db.flush()
        runtime.refuse_dropping_registered(live, db)


def test_disabling_a_registered_agent_drops_their_phone_but_nobody_elses(live, phones):
    registered, reloads = phones
    assert cli(live.home, "agents", "disable", "1001").exit_code == 0
    registered.add("agent-1055")       # a phone registered that this database knows nothing of
    r = cli(live.home, "agents", "reload")
    assert r.exit_code == 1 and "agent-1055" in r.output and "--force" in r.output
    r = cli(live.home, "agents", "add", "1002", "王强", "--password-file", "-", stdin=PASSWORD + "\n")
    assert r.exit_code == 1 and "agent-1055" in r.output
    assert people(live) == {"1001"}, "refused before anything was committed"
    assert cli(live.home, "agents", "reload", "--force").exit_code == 0
    assert reloads == [(live.database_url, False), (live.database_url, True)]


def test_a_statistician_is_added_with_a_login_and_no_phone(live, phones):
    """统计员 (#27): the reports alone — a desktop login, no SIP endpoint."""
    r = cli(live.home, "agents", "add", "1401", "赵敏", "--role", "statistician", "--password-file", "-",
            stdin=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    listed = {u["agent_no"]: u for u in json.loads(cli(live.home, "agents", "list", "--json").output)}
    assert listed["1401"]["role"] == "statistician" and listed["1401"]["sip_user"] is None
    with runtime.prepare_database(live)() as db:
        assert "agent-1401" not in agents_conf(agent_phones(db))


# ------------------------------------------------------------- passwords --

def test_a_password_is_never_taken_from_the_command_line(live, phones):
    r = cli(live.home, "agents", "add", "1002", "王强", "--password", PASSWORD)
    assert r.exit_code == 2 and "--password-file" in r.output and "命令行" in r.output
    r = cli(live.home, "agents", "passwd", "1001", "--password", PASSWORD)
    assert r.exit_code == 2 and "--password-file" in r.output
    assert people(live) == {"1001"}
    with runtime.prepare_database(live)() as db:
        assert not db.scalar(select(AuditEntry).where(AuditEntry.action == "passwd"))


def test_a_password_comes_from_the_prompt_or_a_private_file(live, phones, tmp_path):
    r = cli(live.home, "agents", "add", "1002", "王强", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert r.exit_code == 0 and PASSWORD not in r.output, r.output
    loose = tmp_path / "pw.txt"
    loose.write_text("another-pass-1\n")
    loose.chmod(0o644)
    r = cli(live.home, "agents", "passwd", "1002", "--password-file", str(loose))
    assert r.exit_code == 2 and "chmod 600" in r.output
    loose.chmod(0o600)
    r = cli(live.home, "agents", "passwd", "1002", "--password-file", str(loose))
    assert r.exit_code == 0, r.output


def test_a_password_has_at_least_ten_characters_and_no_control_character(live, phones):
    r = cli(live.home, "agents", "add", "1002", "王强", "--password-file", "-", stdin="123456789\n")
    assert r.exit_code == 1 and "至少 10" in r.output and "at least 10" in r.output
    assert people(live) == {"1001"}
    assert PASSWORD_MIN == 10
    check_password("x" * 10)
    for bad in ("x" * 9, "correct\thorse", "correct-horse\x1b]0;", "y" * 257):
        with pytest.raises(UserError):
            check_password(bad)
