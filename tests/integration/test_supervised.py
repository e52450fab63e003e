"""#29 — the hotline as systemd runs it, without systemd (none runs in the test machine): the two
units' own command lines, taken from the files `hotline install --system` writes, run in the order
systemd runs them (ExecStartPre, ExecStart, ExecStartPost; the service after Asterisk), the service's
readiness and watchdog read on a real notify socket as systemd would, and `hotline status` finds both
parts as it finds `hotline up`'s."""
from __future__ import annotations

import configparser
import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import hotline

from common.ports import free_port
from common.settings import load_settings
from hotline.admin.asterisk import root_argv
from hotline.admin.system_install import Layout, asterisk_unit, service_unit

pytestmark = pytest.mark.asterisk


def service_section(text: str) -> configparser.SectionProxy:
    cp = configparser.ConfigParser(interpolation=None)
    cp.optionxform = str
    cp.read_string(text)
    return cp["Service"]


def unit_env(section, base: dict) -> dict:
    env = dict(base)
    env.update(dict(pair.split("=", 1) for pair in shlex.split(section["Environment"])))
    return env


def receive(sock: socket.socket, until: str, timeout: float) -> list[str]:
    got, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            got.append(sock.recv(4096).decode())
        except socket.timeout:
            break
        if until in got[-1]:
            break
    return got


def test_the_units_commands_start_a_hotline_that_tells_systemd_it_is_ready(tmp_path):
    asterisk_root = load_settings().asterisk_root
    home = tmp_path / "home"
    lay = Layout(venv=Path(sys.prefix), asterisk=root_argv(asterisk_root), home=home, asterisk_root=asterisk_root,
                 config=tmp_path / "hotline.toml")
    ast_unit, svc_unit = service_section(asterisk_unit(lay)), service_section(service_unit(lay))
    # the configured fixed ports (free ones here; the installed file says 5060, 8443…)
    settings = {"HOTLINE_HOME": str(home), "HOTLINE_SIP_PORT": str(free_port(socket.SOCK_DGRAM)),
                "HOTLINE_AMI_PORT": str(free_port()), "HOTLINE_FASTAGI_PORT": str(free_port()),
                "HOTLINE_API_PORT": str(free_port()), "HOTLINE_RTP_START": str(40000 + 2 * secrets.randbelow(9000)),
                "HOTLINE_RTP_PORTS": "400", "HOTLINE_EXPECTED_CALLS": "100", "HOTLINE_ASTERISK_ROOT": str(asterisk_root)}
    base = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")} | settings
    # the venv's `hotline` runs the code under test (a worktree beside the venv's own checkout)
    base["PYTHONPATH"] = str(Path(hotline.__file__).parents[1])
    env = unit_env(ast_unit, base)
    home.mkdir()

    prepare = subprocess.run(shlex.split(ast_unit["ExecStartPre"]), env=env, capture_output=True, text=True, timeout=180)
    assert prepare.returncode == 0, prepare.stderr
    asterisk = subprocess.Popen(shlex.split(ast_unit["ExecStart"]), env=env, cwd=ast_unit["WorkingDirectory"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    service = None
    try:
        ready = subprocess.run(shlex.split(ast_unit["ExecStartPost"]), env={**env, "MAINPID": str(asterisk.pid)},
                               capture_output=True, text=True, timeout=180)
        assert ready.returncode == 0 and f"asterisk ready (pid {asterisk.pid})" in ready.stdout, ready.stderr

        notify = tmp_path / "notify"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.bind(str(notify))
            senv = {**unit_env(svc_unit, base), "NOTIFY_SOCKET": str(notify), "WATCHDOG_USEC": "2000000"}
            log = Path(svc_unit["StandardOutput"].removeprefix("append:"))
            assert log == home / "log" / "service.log"
            with open(log, "ab") as out:
                service = subprocess.Popen(shlex.split(svc_unit["ExecStart"]), env=senv, cwd=svc_unit["WorkingDirectory"],
                                           stdin=subprocess.DEVNULL, stdout=out, stderr=out)
            got = receive(sock, "READY=1", 60)
            assert any(m.startswith("READY=1\nSTATUS=serving: FastAGI on") for m in got), (got, log.read_text())
            assert "WATCHDOG=1" in receive(sock, "WATCHDOG=1", 2.5)      # every second for a 2 s watchdog
            post = subprocess.run(shlex.split(svc_unit["ExecStartPost"]), env={**senv, "MAINPID": str(service.pid)},
                                  capture_output=True, text=True, timeout=60)
            assert post.returncode == 0, post.stderr

            status = subprocess.run([sys.executable, "-m", "hotline.cli", "status", "--json"], env=base,
                                    capture_output=True, text=True, timeout=60)
            st = json.loads(status.stdout)
            assert st["running"] and (st["asterisk_pid"], st["service_pid"]) == (asterisk.pid, service.pid)
            assert (st["sip_port"], st["api_url"]) == (int(settings["HOTLINE_SIP_PORT"]),
                                                       f"http://127.0.0.1:{settings['HOTLINE_API_PORT']}")

            service.send_signal(signal.SIGTERM)                  # systemctl stop hotline
            assert service.wait(90) == 0
            assert any("STOPPING=1" in m for m in receive(sock, "STOPPING=1", 5))
    finally:
        for proc in (service, asterisk):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
    assert asterisk.returncode == 0                              # systemctl stop hotline-asterisk: a clean exit
