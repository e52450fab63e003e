"""`hotline up / status / down` end to end on a fresh home, and the bad inputs of setup."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request

import pytest

from hotline.admin.asterisk import AsteriskError, find_install
from common.ports import port_in_use
from common.settings import SYSTEM_CONFIG, load_settings

pytestmark = pytest.mark.asterisk


def cli(home, *args, env_extra=None, timeout=240):
    # a random RTP block (as every test hotline): sessions side by side keep out of each other's ports
    env = {**os.environ, "HOTLINE_HOME": str(home), "HOTLINE_RTP_START": "0", **(env_extra or {})}
    env.pop("HOTLINE_DB_URL", None)
    env.update({k: v for k, v in (env_extra or {}).items()})
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_up_status_down_and_a_second_up(tmp_path):
    home = tmp_path / "home"
    up = cli(home, "up")
    try:
        assert up.returncode == 0, up.stderr
        st = json.loads(cli(home, "status", "--json").stdout)
        assert st["running"] and st["hotline_extension"] == "8000" and st["home"] == str(home)
        assert all(isinstance(st[k], int) for k in ("sip_port", "ami_port", "fastagi_port"))
        assert port_in_use(st["ami_port"]) and port_in_use(st["sip_port"], socket.SOCK_DGRAM)
        assert st["db_url"] == f"sqlite:///{home / 'hotline.db'}"
        assert oct(os.stat(st["ami_secret_file"]).st_mode & 0o777) == "0o600"
        # the RTP range of the defaults (10000 ports, here placed at random) and its limits
        assert st["rtp_ports"][1] - st["rtp_ports"][0] + 1 == 10000
        assert st["channels"] == {"in_use": 0, "calls": 0, "limit": 5000, "call_limit": 2500}
        text = cli(home, "status").stdout
        assert "channels           0 in use of 5000 (calls 0 of 2500)" in text
        assert "(2500 calls, expected 600)" in up.stdout
        second = cli(home, "up")
        assert second.returncode == 1 and "already running" in second.stderr
    finally:
        down = cli(home, "down")
    assert down.returncode == 0
    after = cli(home, "status", "--json")
    assert after.returncode == 3 and not json.loads(after.stdout)["running"]
    for pid in (st["asterisk_pid"], st["service_pid"]):
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"


def test_a_taken_port_is_one_clear_line_and_nothing_starts(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = cli(tmp_path / "home", "up", env_extra={"HOTLINE_AMI_PORT": str(port)})
    assert r.returncode == 1
    assert f"port {port} (ami) is already in use" in r.stderr and r.stderr.count("\n") == 1
    assert cli(tmp_path / "home", "status").returncode == 3


def test_an_unreachable_database_stops_up_before_anything_starts(tmp_path):
    r = cli(tmp_path / "home", "up", env_extra={"HOTLINE_DB_URL": "postgresql://nobody@127.0.0.1:1/x"})
    assert r.returncode == 1 and "unreachable" in r.stderr and r.stderr.count("\n") == 1
    assert cli(tmp_path / "home", "status").returncode == 3


def test_an_rtp_range_too_small_for_the_expected_calls_stops_up_before_anything_starts(tmp_path):
    r = cli(tmp_path / "home", "up", env_extra={"HOTLINE_RTP_PORTS": "200", "HOTLINE_EXPECTED_CALLS": "540"})
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    assert "HOTLINE_RTP_PORTS=200 carries 50 calls, fewer than HOTLINE_EXPECTED_CALLS=540" in r.stderr
    assert "at least 2160" in r.stderr
    assert cli(tmp_path / "home", "status").returncode == 3


def test_a_half_built_asterisk_root_is_recognised(tmp_path):
    root = tmp_path / "root"
    (root / "usr/sbin").mkdir(parents=True)   # what an interrupted debootstrap leaves
    s = load_settings(home=str(tmp_path / "home"), asterisk_root=str(root))
    if find_install.__globals__["_system_install"]() is not None:
        pytest.fail("a system asterisk shadows the cached root on this machine")
    with pytest.raises(AsteriskError, match="half-built"):
        find_install(s, build=False)


def test_a_hotline_started_from_a_config_file_alone_and_a_command_from_a_bare_shell_share_its_database(tmp_path):
    """The file names the home and a database away from it; `up` sees only HOTLINE_CONFIG, the later
    command nothing at all (no HOTLINE_*, no file in its home, none in /etc): both act on that database,
    and the service answers for an agent the bare shell added."""
    assert not SYSTEM_CONFIG.exists(), f"{SYSTEM_CONFIG} exists on this machine: a bare shell would read it"
    state = tmp_path / "state"           # XDG_STATE_HOME: both shells' default home is state/hotline
    home, db = state / "hotline", tmp_path / "data" / "live.db"
    conf = tmp_path / "etc" / "hotline.toml"
    conf.parent.mkdir()
    # random ports and RTP block: a shared test machine (an installed server keeps the fixed defaults)
    conf.write_text(f'home = "{home}"\ndb_url = "sqlite:///{db}"\n'
                    "sip_port = 0\nami_port = 0\nfastagi_port = 0\napi_port = 0\n"
                    "rtp_start = 0\nrtp_ports = 400\nexpected_calls = 100\n")
    conf.chmod(0o600)
    bare = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")} | {"XDG_STATE_HOME": str(state)}

    def run(env, *args, stdin=None):
        return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=env, input=stdin,
                              capture_output=True, text=True, timeout=240)

    checked = run({**bare, "HOTLINE_CONFIG": str(conf)}, "config", "check", "--json")
    assert checked.returncode == 0 and json.loads(checked.stdout)["file"] == str(conf), checked.stdout
    up = run({**bare, "HOTLINE_CONFIG": str(conf)}, "up")
    try:
        assert up.returncode == 0, up.stderr
        assert f"database        sqlite:///{db}" in up.stdout
        st = json.loads(run(bare, "status", "--json").stdout)
        assert st["running"] and st["home"] == str(home) and st["db_url"] == f"sqlite:///{db}"
        assert json.loads(run(bare, "config", "show", "--json").stdout)["file"] is None
        added = run(bare, "agents", "add", "2871", "王芳", "--password-file", "-", stdin="Winter-2026-pw\n")
        assert added.returncode == 0, added.stderr
        assert not (home / "hotline.db").exists(), "the bare shell made a database of its own"
        req = urllib.request.Request(f"{st['api_url']}/api/login", method="POST",
                                     data=json.dumps({"agent_no": "2871", "password": "Winter-2026-pw"}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200 and json.loads(r.read()).get("token")
    finally:
        down = run(bare, "down")
    assert down.returncode == 0 and "hotline stopped" in down.stdout
