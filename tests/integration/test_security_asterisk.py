"""Security issue 11, the Asterisk side, against the session's running hotline: the AMI users'
classes, SIP identification of the PSTN trunk (spoofing from 127.0.0.2), private state files."""
from __future__ import annotations

import os
import secrets
import socket
import stat
import time

import pytest
from conftest import agent_in_queue, sealed_recording
from sqlalchemy import func, select

from db.models import Call
from hotline.admin import runtime
from hotline.admin.amiclient import AmiEventLog
from bench.scenarios import CallerDialog
from common.naming import AMI_ADMIN_USER, AMI_SERVICE_USER
from common.secrets import ami_admin_secret, ami_secret, fastagi_secret

pytestmark = pytest.mark.asterisk


# --------------------------------------------------------------------- AMI --

@pytest.mark.parametrize("user", [AMI_SERVICE_USER, AMI_ADMIN_USER])
def test_no_ami_user_may_run_commands_write_config_or_originate_a_shell(ivr, user, tmp_path):
    """The service may originate (calls out), but never a System/Exec application: that takes the
    `system` class it does not have. The admin user may not originate at all."""
    secret = ami_secret(ivr.settings) if user == AMI_SERVICE_USER else ami_admin_secret(ivr.settings)
    ami = AmiEventLog(ivr.ports["ami"], user, secret, events="off")
    pwned = tmp_path / "pwned"
    try:
        for action in ({"Action": "Command", "Command": "core show version"},
                       {"Action": "UpdateConfig", "SrcFilename": "extensions.conf", "DstFilename": "x.conf"},
                       {"Action": "Originate", "Channel": "Local/9000@from-agents", "Application": "System",
                        "Data": f"touch {pwned}"},
                       {"Action": "Originate", "Channel": "Local/9000@from-agents", "Application": "Exec",
                        "Data": f"System(touch {pwned})"}):
            got = ami.action(action)
            assert got.get("Response") == "Error", (user, action, got)
            # "Permission denied" without the class; with `originate` but not `system`, Asterisk says
            # "Originate Access Forbidden: app or data blacklisted" for System/Exec
            assert any(w in got.get("Message", "") for w in ("ermission", "rivilege", "Forbidden")), (user, action, got)
        time.sleep(0.5)
        assert not pwned.exists()
    finally:
        ami.close()


def test_the_service_user_may_manage_queue_members_and_nothing_of_the_system(ivr):
    ami = AmiEventLog(ivr.ports["ami"], AMI_SERVICE_USER, ami_secret(ivr.settings), events="off")
    try:
        assert ami.action({"Action": "QueueStatus", "Queue": "repair"}).get("Response") == "Success"
        for action in ({"Action": "Reload", "Module": "pbx_config"},
                       {"Action": "DBPut", "Family": "pwned", "Key": "k", "Val": "v"}):
            assert "ermission" in ami.action(action).get("Message", ""), action
    finally:
        ami.close()


# --------------------------------------------------------------------- SIP --

def _invite_from(source: str, sip_port: int, from_user: str, asserted: str) -> list[int]:
    """A bare SIP INVITE to the hotline number sent from `source`; the status codes answered."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((source, 0))
    lport = sock.getsockname()[1]
    call_id, tag, branch = secrets.token_hex(8), secrets.token_hex(4), secrets.token_hex(6)
    sdp = (f"v=0\r\no=- 1 1 IN IP4 {source}\r\ns=-\r\nc=IN IP4 {source}\r\nt=0 0\r\n"
           f"m=audio {lport + 2} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n")
    msg = (f"INVITE sip:8000@127.0.0.1:{sip_port} SIP/2.0\r\n"
           f"Via: SIP/2.0/UDP {source}:{lport};branch=z9hG4bK{branch};rport\r\n"
           f"Max-Forwards: 70\r\nFrom: <sip:{from_user}@{source}>;tag={tag}\r\n"
           f"To: <sip:8000@127.0.0.1>\r\nCall-ID: {call_id}@{source}\r\nCSeq: 1 INVITE\r\n"
           f"Contact: <sip:{from_user}@{source}:{lport}>\r\n"
           f"P-Asserted-Identity: <sip:{asserted}@{source}>\r\nRemote-Party-ID: <sip:{asserted}@{source}>\r\n"
           f"Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n{sdp}")
    sock.sendto(msg.encode(), ("127.0.0.1", sip_port))
    codes: list[int] = []
    sock.settimeout(1.0)
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        try:
            data, _ = sock.recvfrom(65536)
        except socket.timeout:
            if codes and codes[-1] >= 200:
                break
            continue
        first = data.split(b"\r\n", 1)[0].decode(errors="replace")
        if first.startswith("SIP/2.0 "):
            codes.append(int(first.split()[1]))
    sock.close()
    return codes


def test_an_invite_naming_the_trunk_from_another_address_never_reaches_the_ivr(ivr):
    resident = "13304567836"
    with ivr.sessions() as db:
        before = db.scalar(select(func.count(Call.id)))
    for from_user in ("pstn-trunk", "agent-5001", resident):
        codes = _invite_from("127.0.0.2", ivr.ports["sip"], from_user, resident)
        assert codes and codes[-1] in (401, 403, 404), (from_user, codes)
        assert not any(c in (180, 183, 200) for c in codes), (from_user, codes)
    time.sleep(1)
    with ivr.sessions() as db:
        assert db.scalar(select(func.count(Call.id))) == before      # not one call reached the IVR


# ------------------------------------------------------------ private files --

def _loose(root) -> list[str]:
    """Everything under `root` (symlinks not followed) that group or others may touch."""
    bad = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in [*dirnames, *filenames, ""]:
            path = os.path.join(dirpath, name) if name else dirpath
            st = os.lstat(path)
            if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077:
                bad.append(f"{oct(stat.S_IMODE(st.st_mode))} {path}")
    return bad


def test_state_under_hotline_home_is_private_after_a_recorded_call(ivr):
    number = "13300000271"
    with agent_in_queue(ivr, "5201", "冯七") as phone:
        d = CallerDialog(ivr.ami, ivr.phone_for(number), ivr.settings.extension, number)
        for _ in range(3):
            d.at("account_enter", "#")
        d.at("problem_menu", "2")
        d.at("callback_confirm", "1")
        d.recording("#")
        d.in_queue()
        agent_call = phone.wait_incoming(30)
        agent_call.answer()
        time.sleep(2)
        d.hangup()
        agent_call.wait_state("DISCONNECTED", 10)
    _call, rec = sealed_recording(ivr, number)
    home = ivr.settings.home
    assert rec.sha256 and os.path.exists(rec.path)
    assert any(home.joinpath("voice").rglob("*")), "the voice description was kept"
    assert _loose(home) == []
    assert stat.S_IMODE(os.stat(home / "hotline.db").st_mode) == 0o600
    # the FastAGI key is in no log, nor in the CDR (cdr-csv/Master.csv)
    key = fastagi_secret(ivr.settings).encode()
    for log in [*home.joinpath("asterisk", "log").rglob("*"), *home.joinpath("log").rglob("*")]:
        if log.is_file():
            assert key not in log.read_bytes(), log


def test_up_makes_an_existing_loose_installation_private(tmp_path):
    home = tmp_path / "home"
    (home / "recordings" / "2026").mkdir(parents=True)
    (home / "hotline.db").write_text("x")
    (home / "recordings" / "2026" / "a.wav").write_text("x")
    outside = tmp_path / "dialplan.conf"
    outside.write_text("x")
    os.chmod(outside, 0o644)
    (home / "link.conf").symlink_to(outside)
    for p in (home, home / "recordings", home / "recordings" / "2026"):
        os.chmod(p, 0o755)
    for p in (home / "hotline.db", home / "recordings" / "2026" / "a.wav"):
        os.chmod(p, 0o644)
    assert runtime.private_tree(home) == 5
    assert _loose(home) == []
    assert stat.S_IMODE(os.stat(outside).st_mode) == 0o644     # a link's target is not ours to change
