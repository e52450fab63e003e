"""The PSTN-side resident (bench.resident) on its own, no Asterisk: a pjsua2 caller in this
process dials the resident's line directly — any number reaches it, with the dialled number and the
caller id it was sent; it answers, turns a call away busy, or lets it ring; DTMF and a tone cross
both ways. The calls-out tests use the same resident behind the session hotline's trunk."""
from __future__ import annotations

import array
import time
import wave

import pytest

import pjsua2  # noqa: F401  — a missing binding is an error, never a skip

from bench.resident import Resident, header_user, request_user
from common.sip.phone import Phone, SipStack, request_port

INVITE = ('INVITE sip:13812345678@127.0.0.1:40123 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060\r\n'
          'From: "回电 139" <sip:8000@127.0.0.1>;tag=a\r\nTo: <sip:13812345678@127.0.0.1:40123>\r\n'
          'P-Asserted-Identity: <sip:8000@127.0.0.1>\r\n\r\nv=0\r\nFrom: <sip:evil@x>\r\n')


def test_the_request_is_read_for_its_port_number_and_caller():
    assert request_port(INVITE) == 40123 and request_user(INVITE) == "13812345678"
    assert header_user(INVITE, "From") == ("8000", "回电 139")
    assert header_user(INVITE, "P-Asserted-Identity") == ("8000", "")
    assert header_user(INVITE, "Remote-Party-ID") == ("", "")
    assert request_port("INVITE sip:1@127.0.0.1 SIP/2.0") == 0 and request_port("") == 0


@pytest.fixture
def line(tmp_path):
    stack = SipStack.instance()
    r = Resident(stack, record_dir=tmp_path)
    caller = Phone.anonymous(stack, r.port, "8000")
    yield r, caller
    caller.close()
    r.close()


def test_any_number_reaches_the_resident_who_answers_and_hears_and_keys(line, tmp_path):
    r, caller = line
    r.answer(after_s=0.2, tone_hz=700)
    call = caller.dial("13812345678", record_to=tmp_path / "caller.wav")
    rc = r.wait_call(5)
    assert rc.number == "13812345678" and rc.caller_id == "8000" and rc.mode == "answer"
    call.wait_state("CONFIRMED", 5)
    rc.wait_answered(5)
    call.send_dtmf("19#")
    assert rc.call.wait_dtmf(3, 5) == "19#"
    rc.send_dtmf("2")
    assert call.wait_dtmf(1, 5) == "2"
    time.sleep(1)
    call.hangup()
    rc.wait_ended(5)
    with wave.open(call.wait_recording(5)) as w:
        samples = array.array("h", w.readframes(w.getnframes()))
    assert max(abs(x) for x in samples) > 1000, "the resident's tone did not arrive"
    assert rc.recording and rc.call.wait_recording(5) == rc.recording


def test_the_resident_can_be_busy_or_never_answer(line):
    r, caller = line
    r.busy()
    call = caller.dial("02425671234")
    rc = r.wait_call(5)
    call.wait_state("DISCONNECTED", 5)
    assert call.last_status == 486 and rc.mode == "busy" and rc.number == "02425671234"
    r.never_answer()
    mark = r.mark()
    call = caller.dial("2345678")
    rc = r.wait_call(5)
    time.sleep(1.5)
    assert call.state == "EARLY" and rc.state in ("INCOMING", "EARLY") and r.calls_since(mark) == [rc]
    call.hangup()
    rc.wait_ended(5)
    with pytest.raises(TimeoutError):
        r.wait_call(0.3)
