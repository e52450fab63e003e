"""#29 — supervised services: `hotline install --system --root DIR` lays down the configuration, the
data directory with its secrets, systemd units that `systemd-analyze verify` accepts and a logrotate
policy that `logrotate` accepts and that loses no queue_log line; a second run keeps what the admin
changed and says so."""
from __future__ import annotations

import configparser
import json
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from common.settings import load_settings
from db.models import QueueLogEvent
from db.queue_log import ingest
from db.session import make_engine, migrate, session_factory
from hotline.admin import runtime
from hotline.admin.asterisk import PrivateAsterisk, root_argv
from hotline.admin.system_install import (ASTERISK_UNIT, SERVICE_UNIT, Installer, Layout, asterisk_unit,
                                          logrotate_text, service_unit)
from hotline.cli import app
from sqlalchemy import func, select

runner = CliRunner()


def install(root: Path, *more: str) -> dict:
    r = runner.invoke(app, ["install", "--system", "--root", str(root), "--json", *more])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def unit(text: str) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str
    cp.read_string(text)
    return cp


def test_install_under_a_root_writes_what_it_says_with_private_modes(tmp_path):
    report = install(tmp_path)
    steps = report["steps"]
    written = {s["path"] for s in steps if s["state"] == "done" and s["path"]}
    for path in written:
        assert (tmp_path / path.lstrip("/")).exists(), path
    assert {"/etc/hotline/hotline.toml", "/etc/systemd/system/hotline-asterisk.service",
            "/etc/systemd/system/hotline.service", "/etc/logrotate.d/hotline", "/var/lib/hotline"} <= written
    expected = {"etc/hotline": 0o750, "etc/hotline/hotline.toml": 0o640, "var/lib/hotline": 0o700,
                "var/lib/hotline/log": 0o700, "var/lib/hotline/secrets": 0o700,
                "etc/systemd/system/hotline.service": 0o644, "etc/systemd/system/hotline-asterisk.service": 0o644,
                "etc/logrotate.d/hotline": 0o644, "etc": 0o755, "etc/logrotate.d": 0o755}
    for rel, m in expected.items():
        assert mode(tmp_path / rel) == m, (rel, oct(mode(tmp_path / rel)))
    secrets = sorted((tmp_path / "var/lib/hotline/secrets").iterdir())
    assert [p.name for p in secrets] == ["ami_admin_secret", "ami_secret", "fastagi_secret", "qa_sample_secret"]
    assert all(mode(p) == 0o600 and len(p.read_text()) >= 24 for p in secrets)
    # nothing is run on the machine under --root: each system command is named instead
    would = " ; ".join(s["note"] for s in steps if s["state"] == "would")
    assert "useradd --system --user-group --home-dir /var/lib/hotline" in would
    assert "systemctl daemon-reload" in would and "systemctl enable hotline-asterisk.service hotline.service" in would
    owned = {s["path"]: s["note"] for s in steps if "chown" in s["note"]}
    assert owned["/var/lib/hotline/secrets/fastagi_secret"].startswith("hotline:hotline")
    assert owned["/etc/hotline/hotline.toml"].startswith("root:hotline")
    # the configuration: the settings' own names, a server's home and fixed ports, LAN with TLS
    config = tomllib.loads((tmp_path / "etc/hotline/hotline.toml").read_text())
    assert config["home"] == "/var/lib/hotline" and config["api_tls"] is True and config["bind"] == "0.0.0.0"
    assert (config["sip_port"], config["api_port"], config["rtp_start"]) == (5060, 8443, 10000)
    assert set(config) <= set(load_settings().__dataclass_fields__)     # every key a setting's name


def test_a_second_run_changes_nothing_and_keeps_the_admins_configuration(tmp_path):
    install(tmp_path)
    secret = (tmp_path / "var/lib/hotline/secrets/ami_secret").read_text()
    again = install(tmp_path)
    assert {s["state"] for s in again["steps"]} <= {"kept", "would"}
    assert (tmp_path / "var/lib/hotline/secrets/ami_secret").read_text() == secret
    config = tmp_path / "etc/hotline/hotline.toml"
    config.write_text(config.read_text().replace('public_number = ""', 'public_number = "96069"'))
    service = tmp_path / "etc/systemd/system/hotline.service"
    service.write_text(service.read_text().replace("WatchdogSec=30", "WatchdogSec=5"))
    third = install(tmp_path)
    by_path = {s["path"]: s for s in third["steps"]}
    assert by_path["/etc/hotline/hotline.toml"]["state"] == "kept"
    assert "changed since it was written" in by_path["/etc/hotline/hotline.toml"]["note"]
    assert 'public_number = "96069"' in config.read_text()            # the admin's file, untouched
    assert 'public_number = ""' in third["proposed"]["/etc/hotline/hotline.toml"]
    assert by_path["/etc/systemd/system/hotline.service"]["state"] == "updated"   # ours: put back
    assert "WatchdogSec=30" in service.read_text()
    r = runner.invoke(app, ["install", "--system", "--root", str(tmp_path)])
    assert r.exit_code == 0 and "kept    file 0640 /etc/hotline/hotline.toml — changed since it was written" in r.stdout


def test_install_without_system_or_root_is_refused_with_the_way():
    r = runner.invoke(app, ["install"])
    assert r.exit_code == 1 and "hotline install --system" in r.output and "hotline up" in r.output


@pytest.fixture
def real_layout() -> Layout:
    """The units pointing at this machine's real programs: this venv and the cached Asterisk root."""
    root = load_settings().asterisk_root
    assert (root / "usr/sbin/asterisk").exists(), f"no Asterisk root at {root}: `hotline asterisk-provision`"
    return Layout(venv=Path(sys.prefix), asterisk=root_argv(root), asterisk_root=root)


def test_the_units_pass_systemd_analyze_verify(tmp_path, real_layout):
    Installer(tmp_path, real_layout).install()
    units = [tmp_path / "etc/systemd/system" / name for name in (ASTERISK_UNIT, SERVICE_UNIT)]
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, units)],
                       capture_output=True, text=True, cwd=tmp_path)
    # a key it does not know or a value it cannot parse is only a warning: none is allowed either
    assert (r.returncode, r.stdout + r.stderr) == (0, "")


def test_a_broken_unit_fails_that_check(tmp_path, real_layout):
    """The check above can fail: a unit naming a program that is not there, a value systemd cannot read."""
    bad = tmp_path / SERVICE_UNIT
    bad.write_text(service_unit(real_layout).replace(str(real_layout.python), "/nonexistent/python")
                   .replace("WatchdogSec=30", "WatchdogSec=soon"))
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(bad)], capture_output=True, text=True)
    assert r.returncode != 0
    assert "/nonexistent/python is not executable" in r.stderr and "Failed to parse sec value" in r.stderr


def test_asterisk_runs_under_systemd_exactly_as_hotline_up_runs_it(tmp_path, real_layout):
    service = unit(service_unit(real_layout))["Service"]
    ast = unit(asterisk_unit(real_layout))
    run = ast["Service"]
    # `hotline up`'s Asterisk: the root's loader and libraries, -f, its generated asterisk.conf
    upped = PrivateAsterisk(real_layout.settings, install=None, ports=None)   # its layout only
    assert shlex.split(run["ExecStart"]) == [*real_layout.asterisk, "-f", "-n", "-C", str(upped.conf)]
    assert run["ExecStartPre"].endswith("hotline system-prepare")
    assert run["ExecStartPost"].endswith("hotline system-ready asterisk")
    for section in (run, service):
        assert (section["User"], section["Restart"]) == ("hotline", "on-failure")
        assert section["NoNewPrivileges"] == "yes" and section["ProtectSystem"] == "strict"
        assert section["ReadWritePaths"].split()[0] == "/var/lib/hotline" and section["PrivateTmp"] == "yes"
        assert section["LimitNOFILE"] and section["MemoryMax"]
    assert run["ReadWritePaths"] == "/var/lib/hotline"
    assert service["ReadWritePaths"] == "/var/lib/hotline -/var/backups/hotline"     # the nightly backup's disk
    assert run["Environment"].split() == ["HOTLINE_CONFIG=/etc/hotline/hotline.toml",
                                          f"PATH={sys.prefix}/bin:/usr/local/bin:/usr/bin:/bin"]
    assert service["Environment"] == "HOTLINE_CONFIG=/etc/hotline/hotline.toml"
    # the service: systemd's readiness and watchdog, after (and wanting) Asterisk and the network
    assert (service["Type"], service["WatchdogSec"]) == ("notify", "30")
    assert service["ExecStart"] == f"{sys.prefix}/bin/python -m hotline.service"
    svc_unit = unit(service_unit(real_layout))["Unit"]
    for key in ("After", "Wants"):
        assert set(svc_unit[key].split()) == {"network-online.target", ASTERISK_UNIT}
    assert ast["Unit"]["Before"] == SERVICE_UNIT


# ---------------------------------------------------------------- logs --

def policy_for(home: Path) -> Path:
    """The policy for a home under the test's directory, run by this test's own user."""
    lay = Layout(venv=Path(sys.prefix), asterisk=("/bin/false",), home=home, user=pwd.getpwuid(os.getuid()).pw_name)
    conf = home.parent / "logrotate.conf"
    conf.write_text(logrotate_text(lay))
    conf.chmod(0o644)
    return conf


def test_the_installed_policy_names_every_log_and_logrotate_reads_it(tmp_path):
    install(tmp_path)
    text = (tmp_path / "etc/logrotate.d/hotline").read_text()
    for log in ("/var/lib/hotline/log/service.log", "/var/lib/hotline/asterisk/log/messages.log",
                "/var/lib/hotline/asterisk/log/queue_log", "/var/lib/hotline/asterisk/log/cdr-csv/Master.csv"):
        assert log in text
    assert "-rx 'logger reload'" in text and "su hotline hotline" in text
    conf = policy_for(tmp_path / "home")
    r = subprocess.run([shutil.which("logrotate") or "logrotate", "-d", "-s", str(tmp_path / "state"), str(conf)],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "error" not in r.stderr.lower(), r.stderr


def test_a_rotation_loses_no_queue_log_line_and_keeps_each_log_written(tmp_path):
    """logrotate itself, forced: queue_log is renamed and not made again (Asterisk makes it at `logger
    reload`), so lines Asterisk still writes into the renamed file before it reopens are read too."""
    home = tmp_path / "home"
    s = load_settings(home=str(home), db_url="")
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    for d in (s.cdr_dir, s.log_dir):
        d.mkdir(parents=True, exist_ok=True)
    t0 = 1796516224

    def line(dt: int, uid: str) -> str:
        return f"{t0 + dt}|{uid}|repair|NONE|ENTERQUEUE||13900000001|1\n"
    asterisk = open(s.queue_log, "a")            # Asterisk's open queue_log
    asterisk.write(line(0, "1.1"))
    asterisk.flush()
    now = datetime(2026, 12, 6, 0, 30)
    assert ingest(sessions, s.queue_log, "", now) == ["1.1"]
    asterisk.write(line(1, "1.2"))
    asterisk.flush()
    (s.cdr_dir / "Master.csv").write_text('"","13900000001"\n')
    (s.log_dir / "service.log").write_text("started\n")
    r = subprocess.run(["logrotate", "-f", "-s", str(tmp_path / "state"), str(policy_for(home))],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not s.queue_log.exists() and (s.queue_log.parent / "queue_log.1").exists()
    asterisk.write(line(2, "1.3"))               # before the postrotate's `logger reload` reopens it
    asterisk.close()
    assert ingest(sessions, s.queue_log, "", now) == ["1.2", "1.3"]
    s.queue_log.write_text(line(3, "1.4"))       # the file Asterisk makes at `logger reload`
    assert ingest(sessions, s.queue_log, "", now) == ["1.4"]
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(QueueLogEvent)) == 4
    # the CDR file is made again, private; service.log (systemd holds it open) is copied and emptied
    assert (s.cdr_dir / "Master.csv").exists() and mode(s.cdr_dir / "Master.csv") == 0o600
    assert (s.cdr_dir / "Master.csv.1").read_text().startswith('"","13900000001"')
    assert (s.log_dir / "service.log").read_text() == "" and (s.log_dir / "service.log.1").read_text() == "started\n"


def test_the_prepare_step_refuses_random_ports_and_ready_names_its_parts(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_HOME", str(tmp_path / "home"))
    for name in ("SIP", "AMI", "FASTAGI", "API"):
        monkeypatch.setenv(f"HOTLINE_{name}_PORT", "0")
    r = runner.invoke(app, ["system-prepare"])
    assert r.exit_code == 1
    assert "a supervised hotline listens on fixed ports: set sip_port, ami_port, fastagi_port, api_port" in r.output
    assert not (tmp_path / "home").exists()                    # refused before anything is made
    r = runner.invoke(app, ["system-ready", "dialer"])
    assert r.exit_code == 1 and "system-ready takes one of asterisk, service, not 'dialer'" in r.output
    r = runner.invoke(app, ["system-ready", "service"])
    assert r.exit_code == 1 and "`hotline system-prepare` writes it first" in r.output


@pytest.mark.parametrize("verb, args", [("up", ["up"]), ("down", ["down"]), ("restart", ["restart", "service"])])
def test_a_home_systemd_runs_is_not_started_or_stopped_by_hotline_up_down_restart(tmp_path, verb, args):
    """The laptop's verbs refuse a supervised home and name the systemctl command: the two ways would
    fight over its processes and ports."""
    home = tmp_path / "home"
    s = load_settings(home=str(home))
    s.run_dir.mkdir(parents=True)
    runtime.write_state(s, {"home": str(home), "supervisor": "systemd", "asterisk_pid": None, "service_pid": None})
    r = CliRunner().invoke(app, args, env={"HOTLINE_HOME": str(home)})
    assert r.exit_code == 1 and "runs under systemd" in r.output and "systemctl" in r.output, r.output
    assert runtime.read_state(s)["supervisor"] == "systemd"        # nothing touched
