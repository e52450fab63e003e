"""common.sip.phone against a real private Asterisk 22: registration, calls,
RFC 4733 DTMF that arrives at once, agent-to-agent calls with hold and blind
transfer, and a PSTN-like caller identified as the trunk.

Nothing here skips: without pjsua2 the import fails, without Asterisk the
fixture fails — either way the module FAILS.
"""
from __future__ import annotations

import array
import random
import re
import time
import wave

import pytest

import pjsua2  # noqa: F401  — a missing binding is an error, never a skip

from hotline.admin.asterisk import AgentPhone, PrivateAsterisk, find_install
from common.ports import Ports
from common.settings import load_settings
from common.sip.phone import Call, Phone, SipStack

AGENTS = [AgentPhone("1001", "张三", "secret1"), AgentPhone("1002", "李四", "secret2")]


@pytest.fixture(scope="module")
def ast(tmp_path_factory):
    home = tmp_path_factory.mktemp("sipphone-home")
    s = load_settings(home=str(home), rtp_start=0, rtp_ports=400, expected_calls=100)
    inst = PrivateAsterisk(s, find_install(s), Ports.allocate(s), agents=AGENTS)
    inst.start()
    yield inst
    inst.stop()


@pytest.fixture(scope="module")
def stack():
    # the process-wide stack: other modules reuse it, so it is not closed here
    return SipStack.instance()


@pytest.fixture(scope="module")
def agent1(ast, stack):
    phone = Phone.agent(stack, ast.ports.sip, "1001", "secret1")
    phone.wait_registered(5)
    yield phone
    phone.close()


@pytest.fixture(scope="module")
def agent2(ast, stack):
    phone = Phone.agent(stack, ast.ports.sip, "1002", "secret2")
    phone.wait_registered(5)
    yield phone
    phone.close()


def wait_for(fn, timeout: float, step: float = 0.05):
    """Poll `fn` until it returns something true; return that (or the last value)."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def channels(ast) -> list[str]:
    return ast.rx("core show channels concise").splitlines()


def end(call: Call) -> None:
    call.hangup()
    call.wait_state("DISCONNECTED", 5)


def test_agent_registers(ast, stack, agent1):
    assert agent1.registered
    contacts = ast.rx("pjsip show contacts")
    # the contact is this process's transport: sip:agent-1001@127.0.0.1:<port>
    assert re.search(rf"agent-1001/sip:agent-1001@127\.0\.0\.1:{stack.local_port}\S*\s+\S+\s+Avail",
                     contacts), contacts


def test_echo_line_answers_and_audio_arrives(ast, agent1, tmp_path):
    rec = tmp_path / "rx.wav"
    call = agent1.dial("9000", record_to=rec)
    call.wait_state("CONFIRMED", 5)
    assert call.sip_call_id and "9000" in call.remote_uri
    chans = channels(ast)
    assert any(c.startswith("PJSIP/agent-1001-") and "!9000!" in c for c in chans), chans
    time.sleep(1.2)  # the beep, then echo
    assert call.duration > 1.0
    end(call)
    assert call.history[-2:] == ["CONFIRMED", "DISCONNECTED"]
    with wave.open(call.wait_recording(3)) as w:
        assert w.getnframes() > 4000, "less than half a second of received audio"
        samples = array.array("h", w.readframes(w.getnframes()))
    assert max(abs(x) for x in samples) > 1000, "received only silence: no beep"
    assert wait_for(lambda: not any(c.startswith("PJSIP/agent-1001-") for c in channels(ast)), 3)


def test_dtmf_arrives_promptly(ast, agent1):
    digits = "".join(random.choice("0123456789") for _ in range(3))
    call = agent1.dial("9001")
    call.wait_state("CONFIRMED", 5)
    call.send_dtmf(digits, gap=0.25)
    sent = time.monotonic()
    want = f"LINECHECK_DIGITS={digits}"
    # docs/stack-notes.md: without the conference-bridge wiring this takes tens of seconds
    assert wait_for(lambda: want in ast.rx("dialplan show globals"), 2.0), \
        ast.rx("dialplan show globals")
    assert time.monotonic() - sent < 2.0
    call.wait_state("DISCONNECTED", 5)  # 9001 beeps and hangs up itself


def test_agent_to_agent_hold_dtmf_and_blind_transfer(ast, agent1, agent2):
    out = agent1.dial("1002")
    inc = agent2.wait_incoming(5)
    assert inc.state in ("INCOMING", "EARLY")
    assert "1001" in inc.remote_uri  # Asterisk presents the caller's 工号
    inc.answer()
    out.wait_state("CONFIRMED", 5)
    inc.wait_state("CONFIRMED", 5)
    out.send_dtmf("5#", gap=0.1)
    assert inc.wait_dtmf(2, 3) == "5#"
    assert out.hold().media_status == "LOCAL_HOLD"
    assert out.unhold().media_status == "ACTIVE"
    assert out.state == "CONFIRMED" and inc.state == "CONFIRMED"
    # 1001 hands 1002 to the echo line and drops out
    out.transfer("9000")
    assert out.wait_transfer(5) // 100 == 2
    end(out)
    assert wait_for(lambda: any(c.startswith("PJSIP/agent-1002-") and "!9000!" in c
                                for c in channels(ast)), 3), channels(ast)
    assert inc.state == "CONFIRMED"
    end(inc)


def test_anonymous_caller_is_the_pstn_trunk(ast, stack):
    caller = Phone.anonymous(stack, ast.ports.sip, "13800138000")
    try:
        call = caller.dial(ast.settings.extension)
        # from-pstn → hotline: no FastAGI service here, so the degraded path
        # answers, tries its prompts and queues the caller
        call.wait_state("CONFIRMED", 5)
        pj_chans = ast.rx("pjsip show channels")
        assert "PJSIP/pstn-trunk-" in pj_chans, pj_chans
        line = next((c for c in channels(ast) if c.startswith("PJSIP/pstn-trunk-")), "")
        fields = line.split("!")
        assert fields[1] == "hotline" and fields[7] == "13800138000", line
        end(call)
    finally:
        caller.close()
