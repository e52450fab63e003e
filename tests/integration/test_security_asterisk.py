"""Security issue 11, the Asterisk side, against the session's running hotline: the AMI users'
classes, SIP identification of the PSTN trunk (spoofing from 127.0.0.2), private state files.
Issue 25: a logged-out desk's SIP secret, guessing SIP passwords (from 127.0.0.61), who may call
out through the trunk, phone numbers in Asterisk's log."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
import stat
import time
from contextlib import contextmanager

import pytest
from conftest import sealed_recording, wait_for
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from test_security_api import PASSWORD, Api

from db.models import AuditEntry, Call, Role, User
from hotline.admin import runtime
from hotline.admin.amiclient import AmiEventLog
from hotline.admin.users import add_user
from bench.scenarios import CallerDialog, resident_reports_no_heat
from common.naming import AMI_ADMIN_USER, AMI_SERVICE_USER
from common.secrets import ami_admin_secret, ami_secret, fastagi_secret
from common.sip.phone import Phone

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
    with ivr.sessions() as db:
        if not db.scalar(select(User).where(User.agent_no == "5201")):
            add_user(db, "5201", "冯七", Role.agent, "correct-horse-7", actor="test")
            db.commit()
    runtime.reload_agents(ivr.settings, ivr.sessions)
    with ivr.sessions() as db:
        secret = db.scalar(select(User.sip_secret).where(User.agent_no == "5201"))
    phone = Phone.register(ivr.stack, ivr.ports["sip"], "agent-5201", secret)
    try:
        phone.wait_registered(10)
        with answered_from_the_queue(ivr, phone, "5201", number) as (d, agent_call):
            time.sleep(2)
            d.hangup()
            agent_call.wait_state("DISCONNECTED", 10)
    finally:
        phone.close()
    _call, rec = sealed_recording(ivr, number)
    home = ivr.settings.home
    assert rec.sha256 and os.path.exists(rec.path)
    assert any(home.joinpath("voice").rglob("*")), "the voice description was kept"
    assert _loose(home) == []
    assert stat.S_IMODE(os.stat(make_url(ivr.settings.database_url).database).st_mode) == 0o600
    # the FastAGI key is in no log, nor in the CDR (cdr-csv/Master.csv)
    key = fastagi_secret(ivr.settings).encode()
    for log in [*home.joinpath("asterisk", "log").rglob("*"), *home.joinpath("log").rglob("*")]:
        if log.is_file():
            assert key not in log.read_bytes(), log


@contextmanager
def answered_from_the_queue(ivr, phone, agent_no: str, number: str):
    """`number`, a caller with no account, reports a cold radiator and waits in the queue, where
    `agent_no`'s `phone` — a queue member for the while — answers: (the caller's dialog, the
    agent's leg)."""
    iface = f"PJSIP/agent-{agent_no}"
    member = {"Action": "QueueAdd", "Queue": "repair", "Interface": iface, "MemberName": f"agent-{agent_no}"}
    assert ivr.ami.action(member).get("Response") == "Success"
    try:
        d = resident_reports_no_heat(CallerDialog(ivr.ami, ivr.phone_for(number), ivr.settings.extension, number),
                                     known=False)
        agent_call = phone.wait_incoming(30)
        agent_call.answer()
        yield d, agent_call
    finally:
        ivr.ami.action({"Action": "QueueRemove", "Queue": "repair", "Interface": iface})


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


# ---------------------------------------------------- SIP secrets, guessing (#25) --

def sip_register(source: str, sip_port: int, user: str, password: str, expires: int = 60) -> list[int]:
    """A bare REGISTER as `user` from `source`, answering Asterisk's digest challenge with
    `password`: the final status codes — [401, 200] for the right password, [401, 401] for a wrong
    one, [403] alone from a banned address."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((source, 0))
    sock.settimeout(3)
    lport = sock.getsockname()[1]
    call_id, tag, uri = secrets.token_hex(8), secrets.token_hex(4), f"sip:127.0.0.1:{sip_port}"

    def send(cseq: int, auth: str = "") -> tuple[int, str]:
        msg = (f"REGISTER {uri} SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP {source}:{lport};branch=z9hG4bK{secrets.token_hex(6)};rport\r\n"
               f"Max-Forwards: 70\r\nFrom: <sip:{user}@127.0.0.1>;tag={tag}\r\nTo: <sip:{user}@127.0.0.1>\r\n"
               f"Call-ID: {call_id}@{source}\r\nCSeq: {cseq} REGISTER\r\nContact: <sip:{user}@{source}:{lport}>\r\n"
               f"Expires: {expires}\r\n{auth}Content-Length: 0\r\n\r\n")
        sock.sendto(msg.encode(), ("127.0.0.1", sip_port))
        while True:
            data = sock.recv(65536).decode(errors="replace")
            if data.startswith("SIP/2.0 ") and int(data.split()[1]) >= 200:   # not a qualify OPTIONS
                return int(data.split()[1]), data

    try:
        code, challenge = send(1)
        if code != 401:
            return [code]
        realm = re.search(r'realm="([^"]+)"', challenge).group(1)
        nonce = re.search(r'nonce="([^"]+)"', challenge).group(1)
        opaque = re.search(r'opaque="([^"]+)"', challenge)
        ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()
        ha2 = hashlib.md5(f"REGISTER:{uri}".encode()).hexdigest()
        cnonce = secrets.token_hex(4)
        response = hashlib.md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}".encode()).hexdigest()
        echoed = f', opaque="{opaque.group(1)}"' if opaque else ""
        auth = (f'Authorization: Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
                f'response="{response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="{cnonce}"{echoed}\r\n')
        return [401, send(2, auth)[0]]
    finally:
        sock.close()


def a_phone_user(ivr, agent_no: str, role: Role) -> str:
    """`agent_no` with a login (and, unless a station's, a phone Asterisk knows): its SIP secret."""
    with ivr.sessions() as db:
        if not db.scalar(select(User).where(User.agent_no == agent_no)):
            add_user(db, agent_no, f"测试{agent_no}", role, PASSWORD, actor="test")
            db.commit()
    runtime.reload_agents(ivr.settings, ivr.sessions)
    with ivr.sessions() as db:
        return db.scalar(select(User.sip_secret).where(User.agent_no == agent_no))


def test_a_desks_sip_secret_is_refused_by_asterisk_once_it_logged_out(ivr):
    a_phone_user(ivr, "5211", Role.agent)
    port = ivr.ports["sip"]
    api = Api(ivr.ports["api"], "127.0.0.32")
    _, me = api.login("5211")
    sip = me["sip"]
    assert sip_register("127.0.0.1", port, sip["username"], sip["password"]) == [401, 200]
    assert api.call("POST", "/api/logout", {})[0] == 200
    # the logout is answered once Asterisk has the new secret: the old one is worthless at once
    assert sip_register("127.0.0.1", port, sip["username"], sip["password"], expires=0) == [401, 401]
    _, again = Api(ivr.ports["api"], "127.0.0.32").login("5211")
    assert again["sip"]["password"] != sip["password"]
    assert sip_register("127.0.0.1", port, sip["username"], again["sip"]["password"], expires=0) == [401, 200]


def test_an_address_guessing_sip_passwords_is_refused_and_the_gateways_never(ivr):
    secret = a_phone_user(ivr, "5212", Role.agent)
    port, limit = ivr.ports["sip"], ivr.settings.sip_failures_per_address
    for i in range(limit):
        assert sip_register("127.0.0.61", port, "agent-5212", f"guess-{i}") == [401, 401]
    # now even the right password from there is refused before any challenge
    wait_for(lambda: sip_register("127.0.0.61", port, "agent-5212", secret, expires=0) == [403], 5,
             "the guessing address banned")
    assert sip_register("127.0.0.62", port, "agent-5212", secret, expires=0) == [401, 200]   # nobody else
    with ivr.sessions() as db:
        ban = db.scalar(select(AuditEntry).where(AuditEntry.action == "sip_banned",
                                                 AuditEntry.object_id == "127.0.0.61"))
    assert ban is not None and ban.actor == "asterisk"
    # every resident's call comes from the PSTN gateway's address: its failures never ban it
    assert ivr.settings.pstn_gateway == "127.0.0.1"
    for i in range(limit + 2):
        sip_register("127.0.0.1", port, "agent-5212", f"guess-{i}")
    time.sleep(1)
    assert sip_register("127.0.0.1", port, "agent-5212", secret, expires=0) == [401, 200]


# ------------------------------------------------------------- calls out (#25) --

def test_only_agents_and_team_leads_phones_call_out_through_the_trunk(ivr, resident):
    """The permission is the endpoint's (HOTLINE_CALLS_OUT), not its agent- name: the head's phone
    is agent-… too and hears the refusal; a station has no phone at all."""
    port, mark = ivr.ports["sip"], resident.mark()
    head = Phone.agent(ivr.stack, port, "5213", a_phone_user(ivr, "5213", Role.head)).wait_registered(10)
    try:
        start = ivr.ami.mark()
        call = head.dial("13912340025")
        call.wait_state("CONFIRMED", 10)
        ivr.ami.wait(lambda e: e.get("Event") == "Newexten" and "outbound_refused" in e.get("AppData", "")
                     and "agent-5213" in e.get("Channel", ""), timeout=10, start=start)
        call.wait_state("DISCONNECTED", 20)
    finally:
        head.close()
    assert resident.calls_since(mark) == []
    lead = Phone.agent(ivr.stack, port, "5214", a_phone_user(ivr, "5214", Role.team_lead)).wait_registered(10)
    try:
        call = lead.dial("13912340026")
        assert resident.wait_call(10).number == "13912340026"
        call.hangup()
    finally:
        lead.close()
    a_phone_user(ivr, "5815", Role.station)
    assert ivr.ami.action({"Action": "PJSIPShowEndpoint", "Endpoint": "agent-5815"}).get("Response") == "Error"


# ---------------------------------------------------------- numbers in logs (#25) --

def test_asterisks_log_holds_no_phone_number_after_a_call_in_a_call_out_and_a_refused_invite(ivr, resident):
    """A resident's call answered by an agent, who tries to hand the caller on to an outside number
    (refused: the caller's channel carries no permission to call out, so nothing reaches the
    trunk), then calls a resident; and an INVITE from an address that is not the gateway's."""
    caller, resident_no, relayed, spoofed = "13300000272", "13912340027", "13912340028", "13304567899"
    mark = resident.mark()
    phone = Phone.agent(ivr.stack, ivr.ports["sip"], "5216", a_phone_user(ivr, "5216", Role.agent)).wait_registered(10)
    try:
        with answered_from_the_queue(ivr, phone, "5216", caller) as (d, agent_call):
            time.sleep(1)
            start = ivr.ami.mark()
            agent_call.transfer(relayed)                        # blind: the caller's channel dials
            ivr.ami.wait(lambda e: e.get("Event") == "Newexten" and "outbound_refused" in e.get("AppData", "")
                         and "pstn-trunk" in e.get("Channel", ""), timeout=15, start=start)
            d.call.wait_state("DISCONNECTED", 20)
        assert resident.calls_since(mark) == []
        out = phone.dial(resident_no)                           # the agent calls a resident
        resident.wait_call(10).wait_answered(10)
        time.sleep(1)
        out.hangup()
        out.wait_state("DISCONNECTED", 10)
    finally:
        phone.close()
    _invite_from("127.0.0.2", ivr.ports["sip"], spoofed, spoofed)   # refused: PJSIP quotes its From
    sealed_recording(ivr, caller)
    time.sleep(1)
    logs = ivr.settings.asterisk_dir / "log"
    for name in ("messages.log", "console.log"):
        text = (logs / name).read_text(errors="replace") if (logs / name).exists() else ""
        for number in (caller, resident_no, relayed, spoofed):
            assert number not in text, (name, number)
