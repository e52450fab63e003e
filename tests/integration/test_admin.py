"""The telephony admin's bench: dialplan check / reload, agents, live status (docs/product.md §4)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
from sqlalchemy import delete, select

from db.models import User
from bench.scenarios import CallerDialog
from common.runstate import state_file
from common.sip.phone import Phone
from conftest import sealed_recording, wait_for

pytestmark = pytest.mark.asterisk


def hotline_cli(settings, *args, timeout=180):
    env = {**os.environ, "HOTLINE_HOME": str(settings.home), "HOTLINE_DIALPLAN_DIR": str(settings.dialplan_dir),
           "HOTLINE_TODAY": settings.today}
    env.pop("HOTLINE_DB_URL", None)
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def bare_cli(settings, *args, env=None, timeout=180):
    """`hotline …` from a bare shell: HOTLINE_HOME and nothing else of the hotline's (no database URL,
    no gateway, no dialplan directory), as an admin's fresh login shell has it."""
    bare = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], capture_output=True, text=True,
                          env={**bare, "HOTLINE_HOME": str(settings.home), **(env or {})}, timeout=timeout)


def password_file(tmp_path, password="correct-horse-1"):
    """A password the way scripts hand it over: a file only its owner reads, never argv."""
    f = tmp_path / "password"
    f.write_text(password + "\n")
    f.chmod(0o600)
    return str(f)


def listed(ivr, action: str, event: str) -> list[dict]:
    """One of Asterisk's PJSIP listings, as the admin AMI user reads it."""
    answer = ivr.ami.action({"Action": action})
    if answer.get("Response") != "Success":
        return []
    ivr.ami.wait(lambda e: e.get("ActionID") == answer["ActionID"] and e.get("EventList") == "Complete", timeout=10)
    return [e for e in ivr.ami.events if e.get("ActionID") == answer["ActionID"] and e.get("Event") == event]


def registered(ivr) -> set[str]:
    """Endpoints with a phone registered now (their contacts)."""
    return {e["Endpoint"] for e in listed(ivr, "PJSIPShowContacts", "ContactList")}


def trunk_contact(ivr) -> str:
    return next(e["Contacts"] for e in listed(ivr, "PJSIPShowAors", "AorList") if e["ObjectName"] == "pstn-trunk")


def break_dialplan(directory):
    """An admin's typos: an application name and a Goto to a label that does not exist."""
    ext = directory / "extensions.conf"
    text = ext.read_text()
    text = text.replace(" same => n,Playback(hotline/queue_transfer)", " same => n,Playbak(hotline/queue_transfer)")
    text = text.replace('GotoIf($["${AGISTATUS}" = "SUCCESS"]?done)', 'GotoIf($["${AGISTATUS}" = "SUCCESS"]?finished)')
    ext.write_text(text)
    lines = text.splitlines()
    return (next(i for i, l in enumerate(lines, 1) if "Playbak" in l),
            next(i for i, l in enumerate(lines, 1) if "?finished)" in l))


def test_check_finds_typos_with_file_and_line(hotline, tmp_path):
    bad = tmp_path / "dp"
    shutil.copytree(hotline.dialplan_dir, bad)
    app_line, goto_line = break_dialplan(bad)
    r = hotline_cli(hotline, "dialplan", "check", str(bad))
    assert r.returncode == 1
    assert f"{bad / 'extensions.conf'}:{app_line}: unknown application Playbak" in r.stdout
    assert f"{bad / 'extensions.conf'}:{goto_line}: GotoIf to missing label finished" in r.stdout
    good = hotline_cli(hotline, "dialplan", "check", str(hotline.dialplan_dir))
    assert good.returncode == 0, good.stdout + good.stderr


def test_reload_refuses_a_broken_dialplan_and_live_calls_keep_the_old_one(ivr):
    s = ivr.settings
    ext = s.dialplan_dir / "extensions.conf"
    original = ext.read_text()
    try:
        break_dialplan(s.dialplan_dir)
        r = hotline_cli(s, "dialplan", "reload")
        assert r.returncode == 1 and "reload refused" in r.stderr
        d = CallerDialog(ivr.ami, ivr.phone_for("13300000201"), s.extension, "13300000201")
        d.at("account_enter", "#").at("account_enter", "#").at("account_enter", "#")
        d.at("problem_menu", "0")
        d.in_queue()   # the old dialplan's Playback(queue_transfer) and Queue() still run
        d.hangup()
    finally:
        ext.write_text(original)
    ok = hotline_cli(s, "dialplan", "reload")
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_agent_added_registers_and_takes_a_recorded_queue_call_then_disabled_cannot_register(ivr, tmp_path):
    s = ivr.settings
    r = hotline_cli(s, "agents", "add", "1201", "李娜", "--password-file", password_file(tmp_path))
    assert r.returncode == 0, r.stderr
    with ivr.sessions() as db:
        secret = db.scalar(select(User).where(User.agent_no == "1201")).sip_secret
    phone = Phone.register(ivr.stack, ivr.ports["sip"], "agent-1201", secret)
    phone.wait_registered(10)
    # join the repair queue the way the service does it for the desktop
    resp = ivr.ami.action({"Action": "QueueAdd", "Queue": "repair", "Interface": "PJSIP/agent-1201",
                           "MemberName": "agent-1201", "StateInterface": "PJSIP/agent-1201"})
    assert resp.get("Response") == "Success", resp
    try:
        d = CallerDialog(ivr.ami, ivr.phone_for("13300000202"), s.extension, "13300000202")
        for _ in range(3):
            d.at("account_enter", "#")
        d.at("problem_menu", "0")
        d.in_queue()
        agent_call = phone.wait_incoming(20)
        agent_call.answer()
        ivr.ami.wait(lambda e: e.get("Event") == "AgentConnect" and e.get("MemberName") == "agent-1201",
                     timeout=15, start=d.mark)
        time.sleep(2.0)
        d.hangup()
        agent_call.wait_state("DISCONNECTED", 10)

        call, rec = sealed_recording(ivr, "13300000202")
        assert call.outcome.value == "answered" and call.agent_id is not None
        assert os.path.getsize(rec.path) > 8000 and rec.duration_s > 1.0
    finally:
        ivr.ami.action({"Action": "QueueRemove", "Queue": "repair", "Interface": "PJSIP/agent-1201"})
    r = hotline_cli(s, "agents", "disable", "1201")
    assert r.returncode == 0, r.stderr
    again = Phone.register(ivr.stack, ivr.ports["sip"], "agent-1201", secret)
    with pytest.raises(Exception):
        again.wait_registered(6)
    phone.close()
    again.close()


def test_status_watch_shows_the_queue(ivr):
    r = hotline_cli(ivr.settings, "status", "--watch", "--count", "1")
    assert r.returncode == 0, r.stderr
    assert "队列 repair" in r.stdout and "等待" in r.stdout


def test_status_json_has_what_admins_and_tools_need(ivr):
    r = hotline_cli(ivr.settings, "status", "--json")
    st = json.loads(r.stdout)
    for key in ("sip_port", "ami_port", "ami_user", "ami_secret_file", "fastagi_port", "db_url",
                "hotline_extension", "home", "pids"):
        assert key in st
    assert st["running"] and st["hotline_extension"] == "8000"
    assert oct(os.stat(st["ami_secret_file"]).st_mode & 0o777) == "0o600"
    # the running hotline's own database, though this shell names none; the run state recording it is 0600
    assert st["db_url"] == ivr.settings.database_url and ivr.settings.db_url
    assert oct(os.stat(state_file(ivr.settings)).st_mode & 0o777) == "0o600"
    assert json.loads(state_file(ivr.settings).read_text())["settings"]["db_url"] == ivr.settings.db_url


def test_agents_add_from_a_bare_shell_acts_on_the_running_hotline_and_every_phone_stays_registered(ivr, tmp_path):
    """Issue 25 §2: the hotline runs from HOTLINE_DB_URL; an admin's shell has only HOTLINE_HOME."""
    before, trunk = registered(ivr), trunk_contact(ivr)
    assert "agent-3999" in before and ivr.state["ports"] and trunk.endswith(ivr.settings.pstn_outbound)
    default_db = ivr.settings.home / "hotline.db"
    assert not default_db.exists()
    r = bare_cli(ivr.settings, "agents", "add", "1203", "周敏", "--password-file", password_file(tmp_path))
    assert r.returncode == 0, r.stderr
    with ivr.sessions() as db:
        assert db.scalar(select(User).where(User.agent_no == "1203")) is not None    # in the live database
    assert not default_db.exists(), "no empty SQLite file beside the live database"
    assert "agent-1203" in {e["ObjectName"] for e in listed(ivr, "PJSIPShowEndpoints", "EndpointList")}
    time.sleep(1)     # what a reload would have dropped is gone by now
    assert registered(ivr) >= before and trunk_contact(ivr) == trunk

    other = tmp_path / "other.db"
    r = bare_cli(ivr.settings, "agents", "add", "1204", "吴军", "--password-file", password_file(tmp_path),
                 env={"HOTLINE_DB_URL": f"sqlite:///{other}"})
    assert r.returncode == 1 and "已拒绝" in r.stderr and "refused" in r.stderr, r.stderr
    assert r.stderr.index("已拒绝") < r.stderr.index("refused") and len(r.stderr.strip().splitlines()) == 1
    assert not other.exists() and not default_db.exists()
    assert registered(ivr) >= before and trunk_contact(ivr) == trunk
    bare_cli(ivr.settings, "agents", "disable", "1203")


def test_reloading_agents_refuses_to_drop_a_registered_phone_unless_forced(ivr, tmp_path):
    r = bare_cli(ivr.settings, "agents", "add", "1205", "郑洁", "--password-file", password_file(tmp_path))
    assert r.returncode == 0, r.stderr
    with ivr.sessions() as db:
        secret = db.scalar(select(User).where(User.agent_no == "1205")).sip_secret
    phone = Phone.register(ivr.stack, ivr.ports["sip"], "agent-1205", secret)
    try:
        phone.wait_registered(10)
        with ivr.sessions() as db, db.begin():      # a database that does not hold this phone's person
            db.execute(delete(User).where(User.agent_no == "1205"))
        r = bare_cli(ivr.settings, "agents", "reload")
        assert r.returncode == 1 and "agent-1205" in r.stderr and "--force" in r.stderr, r.stderr
        assert "agent-1205" in registered(ivr)
        r = bare_cli(ivr.settings, "agents", "reload", "--force")
        assert r.returncode == 0, r.stderr
        wait_for(lambda: "agent-1205" not in {e["ObjectName"] for e in listed(ivr, "PJSIPShowEndpoints",
                                                                               "EndpointList")},
                 10, "the endpoint dropped")
        assert "agent-3999" in registered(ivr)
    finally:
        phone.close()


def test_a_password_on_the_command_line_is_refused(ivr):
    r = bare_cli(ivr.settings, "agents", "add", "1206", "钱程", "--password", "correct-horse-1")
    assert r.returncode == 2 and "--password-file" in r.stderr
    with ivr.sessions() as db:
        assert db.scalar(select(User).where(User.agent_no == "1206")) is None


def test_a_holiday_notice_spanning_the_new_year_is_listed_under_its_festivals_year(ivr):
    s = ivr.settings
    r = hotline_cli(s, "holidays", "set", "yuandan", "2026-12-31", "2027-01-03", "--note", "元旦通知")
    assert r.returncode == 0 and "yuandan 2027" in r.stdout, r.stdout + r.stderr
    try:
        listed = hotline_cli(s, "holidays", "list", "--year", "2027")
        line = next(l for l in listed.stdout.splitlines() if l.startswith("yuandan"))
        assert "2026-12-31 00:00 → 2027-01-03 23:59" in line and "通知" in line, listed.stdout
        # and on 12-31 the greeting is already 新年好
        ivr.restart_service(today="2026-12-31T20:00")
        d = CallerDialog(ivr.ami, ivr.phone_for("13300000211"), s.extension, "13300000211")
        d.at("greeting_xinnian")
        d.hangup()
    finally:
        hotline_cli(s, "holidays", "clear", "yuandan", "--year", "2027")
        ivr.restart_service(today="2026-11-23T10:00")
