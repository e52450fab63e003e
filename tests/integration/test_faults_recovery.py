"""Recovery without a developer, on the real stack (issue #26): a killed service brought back by
`hotline up` alone while calls go on, a graceful `hotline restart service` under a caller's flow, and
a refused dialplan that no Asterisk restart can load."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from bench.scenarios import CallerDialog, standby_agent
from bench.scratch import scratch_hotline
from hotline.admin import runtime
from hotline.admin.dialplan_check import DEGRADED_JUMP
from hotline.admin.dialplan_good import good_dir
from common.settings import load_settings
from conftest import IvrHarness, scratch, wait_for

pytestmark = pytest.mark.asterisk

#: the default drain (Settings.drain_s): a caller at the problem menu has time to finish
DRAIN_S = load_settings().drain_s


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A hotline of this module's own (its parts are killed and restarted), the stand-by agent on a break."""
    s = scratch(tmp_path_factory.mktemp("recovery-home"), drain_s=DRAIN_S)
    with scratch_hotline(s, accounts=20):
        h = IvrHarness(s)
        with standby_agent(s, h.sessions, lambda: h.ami, h.stack, h.ports["sip"]) as present:
            h.standby = present
            yield h
        h.close()


def cli(h, *args, timeout=300):
    s = h.settings
    env = {**os.environ, "HOTLINE_HOME": str(s.home), "HOTLINE_DIALPLAN_DIR": str(s.dialplan_dir),
           "HOTLINE_TODAY": s.today, "HOTLINE_DRAIN_S": str(DRAIN_S), "HOTLINE_DIGIT_TIMEOUT_MS": str(s.digit_timeout_ms)}
    env.pop("HOTLINE_DB_URL", None)
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def status(h) -> dict:
    return json.loads(cli(h, "status", "--json").stdout)


def queued(h, number: str) -> CallerDialog:
    """A caller who asked for a person and waits in the queue."""
    d = CallerDialog(h.ami, h.phone_for(number), h.settings.extension, number)
    d.at("account_enter", "#").at("account_enter", "#").at("account_enter", "#").at("problem_menu", "0")
    d.in_queue()
    return d


def heard(h, d: CallerDialog, prompt: str) -> bool:
    return any(prompt in e.get("AppData", "") + e.get("Command", "") for e in h.ami.of_caller(d.number, start=d.mark))


def test_a_killed_service_is_started_alone_by_up_on_the_same_ports_and_calls_go_on(live):
    before = status(live)
    d = queued(live, "13300000301")
    os.kill(before["service_pid"], signal.SIGKILL)
    wait_for(lambda: not runtime.pid_alive(before["service_pid"]), what="the service gone")
    down = cli(live, "status", "--json")
    st = json.loads(down.stdout)
    assert down.returncode == 3 and not st["running"]
    assert st["asterisk_running"] and not st["service_running"]
    up = cli(live, "up")
    assert up.returncode == 0, up.stderr
    assert "started service beside Asterisk" in up.stdout and "already running" not in up.stderr
    after = status(live)
    assert after["running"] and after["service_pid"] != before["service_pid"]
    assert after["asterisk_pid"] == before["asterisk_pid"]
    for port in ("sip_port", "ami_port", "fastagi_port", "api_port"):
        assert after[port] == before[port]
    assert not d.call.ended and after["channels"]["calls"] >= 1   # the caller still waits in the queue
    d.hangup()
    second = cli(live, "up")
    assert second.returncode == 1 and "already running" in second.stderr


def test_a_hung_service_is_not_running_for_status_though_its_process_lives(live):
    """Alive but not answering its health URL (stopped, as a hang looks from outside): `status` says
    the service does not run, and says it runs again once it answers."""
    pid = status(live)["service_pid"]
    os.kill(pid, signal.SIGSTOP)
    try:
        hung = cli(live, "status", "--json")
        st = json.loads(hung.stdout)
        assert hung.returncode == 3 and st["asterisk_running"] and not st["service_running"]
        assert runtime.pid_alive(pid)
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_for(lambda: status(live)["running"], what="the service answering again")
    assert status(live)["service_pid"] == pid


def test_a_service_restart_under_a_callers_flow_lets_the_flow_finish(live):
    old = status(live)["service_pid"]
    number = "13300000302"
    d = CallerDialog(live.ami, live.phone_for(number), live.settings.extension, number)
    d.at("account_enter", "#").at("account_enter", "#").at("account_enter", "#").at("problem_menu")
    log = live.settings.log_dir / "service.log"
    seen = log.stat().st_size
    restarted = {}
    t = threading.Thread(target=lambda: restarted.update(r=cli(live, "restart", "service", "--json")))
    t.start()
    wait_for(lambda: b"draining 1 flow" in log.read_bytes()[seen:], timeout=20,
             what="the old service draining this caller's flow")
    d.call.send_dtmf("1")   # 没有暖气, keyed while the menu plays and the old service drains
    d.at("callback_confirm", "1").recording("#")
    d.in_queue(timeout=60)
    v = d.vars()
    assert v.get("HOTLINE_ROUTE") == "queue" and v.get("HOTLINE_TICKET"), v
    assert v.get("HOTLINE_DEGRADED") != "1"
    assert not heard(live, d, "system_error")
    d.hangup()
    t.join(120)
    r = restarted["r"]
    assert r.returncode == 0, r.stderr
    answer = json.loads(r.stdout)
    assert answer["restarted"] == "service" and answer["pid"] != old
    assert status(live)["running"]


def test_a_refused_dialplan_is_never_loaded_by_an_asterisk_restart(live):
    s = live.settings
    ext = s.dialplan_dir / "extensions.conf"
    original = ext.read_text()
    try:
        # the whole [hotline] context unreadable, and a typo: Asterisk would load no hotline at all
        ext.write_text(original.replace("[hotline]\n", "[hotline\n").replace(
            " same => n,Playback(hotline/queue_transfer)", " same => n,Playbak(hotline/queue_transfer)"))
        refused = cli(live, "dialplan", "reload")
        assert refused.returncode == 1 and "reload refused" in refused.stderr
        assert "Traceback" not in refused.stdout + refused.stderr
        assert (good_dir(s) / "extensions.conf").read_text() == original
        r = cli(live, "restart", "asterisk")
        assert r.returncode == 0, r.stderr
        named = [line for line in r.stderr.splitlines() if line.startswith("拨号方案有误：")]
        assert len(named) == 1 and f"{ext}:" in named[0] and "last dialplan that passed" in named[0]
        live.reconnect_ami()
        # the stand-by agent is back by itself (persistent queue members, its phone re-registers)
        wait_for(lambda: status(live)["running"], what="the hotline running again")
        d = queued(live, "13300000303")   # the IVR and the queue of the good copy
        d.hangup()
    finally:
        ext.write_text(original)
    fixed = cli(live, "dialplan", "reload")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Traceback" not in fixed.stdout + fixed.stderr


def test_edits_that_break_what_callers_get_are_refused(live):
    s = live.settings
    ext = s.dialplan_dir / "extensions.conf"
    original = ext.read_text()
    try:
        # the degraded path disabled: no test call can see it (the service is up), the check does
        ext.write_text(original.replace(f" same => n,{DEGRADED_JUMP}", f" ; same => n,{DEGRADED_JUMP}"))
        r = cli(live, "dialplan", "reload")
        assert r.returncode == 1, r.stdout
        assert f"{ext}:" in r.stdout and "the caller's AGI must be followed by" in r.stdout
        # the queue's key 1 (call me back) removed: only a caller pressing it finds out
        block = original[original.index("[queue-exit]\n"):original.index("; ---- when an agent answers")]
        ext.write_text(original.replace(block, "[queue-exit]\n\n"))
        r = cli(live, "dialplan", "reload")
        assert r.returncode == 1, r.stdout + r.stderr
        assert "test call 「排队中按1改为回电」 failed" in r.stdout
        assert "Traceback" not in r.stdout + r.stderr
    finally:
        ext.write_text(original)
    assert (good_dir(s) / "extensions.conf").read_text() == original
