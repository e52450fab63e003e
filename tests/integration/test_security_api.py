"""Security issue 11, attacked the way an attacker or a careless user would: real HTTP and
WebSocket against the session's running hotline, a raw socket on its FastAGI port.

Requests come from different loopback addresses (127.0.0.x): the per-address login limit
must not let one test's failed logins lock another test out."""
from __future__ import annotations

import asyncio
import http.client
import json
import socket
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import select

from db.models import (
    ApiSession,
    AuditEntry,
    Call,
    Category,
    HeatingAccount,
    Recording,
    RepairStation,
    Role,
    Ticket,
    TicketDraft,
    TicketState,
    User,
)
from hotline.admin import runtime
from hotline.admin.users import add_user, disable_user, set_password
from hotline.aftercall.rules import OBJECT_ID_MAX, add_audit
from common.secrets import fastagi_key
from db.call_tokens import IN, issue
from forged_agi import forge

pytestmark = pytest.mark.asterisk

PASSWORD = "correct-horse-7"


class Api:
    """An agent-API client from a chosen loopback source address: (status, JSON or bytes)."""

    def __init__(self, port: int, source: str = "127.0.0.1", token: str = ""):
        self.port, self.source, self.token = port, source, token

    def call(self, method: str, path: str, body=None, raw: bytes | None = None, headers=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20, source_address=(self.source, 0))
        h = {"Content-Type": "application/json", **(headers or {})}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            payload, ctype = r.read(), r.getheader("Content-Type", "")
            return r.status, (json.loads(payload) if "json" in ctype else payload)
        finally:
            conn.close()

    def login(self, agent_no: str, password: str = PASSWORD):
        status, data = self.call("POST", "/api/login", {"agent_no": agent_no, "password": password})
        if status == 200:
            self.token = data["token"]
        return status, data


PEOPLE = {"a": ("5001", "赵一", Role.agent), "b": ("5002", "钱二", Role.agent),
          "race": ("5003", "孙三", Role.agent), "quit": ("5004", "李四", Role.agent),
          "pw": ("5005", "周五", Role.agent), "exp": ("5006", "吴六", Role.agent),
          "lead": ("5101", "郑班长", Role.team_lead)}


@pytest.fixture(scope="module")
def people(ivr):
    with ivr.sessions() as db:
        for no, name, role in PEOPLE.values():
            if not db.scalar(select(User).where(User.agent_no == no)):
                add_user(db, no, name, role, PASSWORD, actor="test")
        db.commit()
    runtime.reload_agents(ivr.settings, ivr.sessions)
    return {k: v[0] for k, v in PEOPLE.items()}


@pytest.fixture
def port(ivr) -> int:
    return ivr.ports["api"]


def audits(ivr, actor: str, action: str, since: datetime | None = None) -> list[AuditEntry]:
    with ivr.sessions() as db:
        q = select(AuditEntry).where(AuditEntry.actor == actor, AuditEntry.action == action)
        if since is not None:
            q = q.where(AuditEntry.at >= since)
        return list(db.scalars(q))


def user_id(ivr, agent_no: str) -> int:
    with ivr.sessions() as db:
        return db.scalar(select(User.id).where(User.agent_no == agent_no))


def a_call_with_ticket(ivr, uniqueid: str, agent_no: str | None = None, voice: str | None = None,
                       offset: int = 3) -> tuple[str, str]:
    """A call with a draft ticket on a demo account, answered by `agent_no` (or nobody yet):
    (ticket number, account number)."""
    with ivr.sessions() as db, db.begin():
        acc = db.scalar(select(HeatingAccount).order_by(HeatingAccount.id).offset(offset).limit(1))
        n = db.scalar(select(Ticket.id).order_by(Ticket.id.desc()).limit(1)) or 0
        t = Ticket(number=f"26112388{n % 100:02d}", account_id=acc.id, state=TicketState.draft,
                   category=Category.no_heat, address_snapshot=acc.address, name_snapshot=acc.name,
                   voice_path=voice)
        db.add(t)
        db.flush()
        agent = db.scalar(select(User.id).where(User.agent_no == agent_no)) if agent_no else None
        db.add(Call(uniqueid=uniqueid, caller="13900000000", ticket_id=t.id, agent_id=agent))
        return t.number, acc.account_no


def form(**over):
    base = {"category": "leak", "address": "和平区 测试街 1号", "name": "测试", "callback_number": "13900000000",
            "confirmed_problem": True, "confirmed_address": True, "confirmed_name": True,
            "confirmed_phone": True, "priority": 50, "notes": "厨房暖气片漏水"}
    return {**base, **over}


# ------------------------------------------------- 1. AMI injection (critical) --

def test_a_pause_reason_carrying_an_ami_action_is_refused_and_nothing_runs(people, port, ivr):
    api = Api(port, "127.0.0.11")
    status, me = api.login(people["a"])
    assert me["pause_reasons"] == ivr.settings.pause_reason_list and "用餐" in me["pause_reasons"]
    assert api.call("POST", "/api/agent/queue", {"member": True})[0] == 200
    try:
        injected = "用餐\r\n\r\nAction: DBPut\r\nFamily: pwned\r\nKey: owner\r\nVal: attacker"
        status, data = api.call("POST", "/api/agent/pause", {"paused": True, "reason": injected})
        assert status == 422 and "控制字符" in data["error"]     # CR, LF: refused as input (#25)
        status, data = api.call("POST", "/api/agent/pause", {"paused": True, "reason": "出去抽根烟"})
        assert status == 422 and "原因" in data["error"]        # free text: not on the list
        time.sleep(0.5)
        astdb = runtime.live_asterisk(ivr.settings).rx("database show pwned")
        assert "attacker" not in astdb and "0 results" in astdb
        status, data = api.call("POST", "/api/agent/pause", {"paused": True, "reason": "用餐"})
        assert status == 200 and data["agent_state"]["reason"] == "用餐"
    finally:
        api.call("POST", "/api/agent/queue", {"member": False})


# ------------------------------------------------------ 2. screen-pop access --

def test_a_pop_is_only_for_the_agent_it_rang_and_a_refusal_is_audited(people, port, ivr):
    uniqueid = "1790000000.21"
    number, account_no = a_call_with_ticket(ivr, uniqueid, offset=4)
    agent, lead = Api(port, "127.0.0.12"), Api(port, "127.0.0.12")
    agent.login(people["b"])
    lead.login(people["lead"])
    since = datetime.now() - timedelta(seconds=1)
    status, data = agent.call("GET", f"/api/calls/{uniqueid}/pop")
    assert status == 403 and data["error"]
    assert [e for e in audits(ivr, people["b"], "view_refused", since) if e.object_id == uniqueid]
    # the refused pop grants nothing: not the account, not the ticket
    assert agent.call("GET", f"/api/accounts/{account_no}")[0] == 403
    assert agent.call("PUT", f"/api/tickets/{number}", form())[0] == 403
    status, pop = lead.call("GET", f"/api/calls/{uniqueid}/pop")
    assert status == 200 and pop["account"]["account_no"] == account_no
    # once the call is theirs (answered at their endpoint), the agent gets it
    with ivr.sessions() as db, db.begin():
        db.scalar(select(Call).where(Call.uniqueid == uniqueid)).agent_id = user_id(ivr, people["b"])
    assert agent.call("GET", f"/api/calls/{uniqueid}/pop")[0] == 200
    for bad in ("abc", "1" * 40, "1.2.3"):
        assert agent.call("GET", f"/api/calls/{bad}/pop")[0] == 404


# --------------------------------------------------- 3. FastAGI and audio files --

def test_fastagi_refuses_requests_without_the_installations_key(people, ivr):
    """Without the key's proof the request gets the admission's question and is closed; with it (and
    the call's token, as Asterisk's channel carries it) it is served — and a recording path outside
    the recordings directory is still never linked. The key is never sent: neither way."""
    agi, key = ivr.ports["fastagi"], fastagi_key(ivr.settings)
    for guess in (None, "guessed-key"):
        uniqueid = f"1790000001.{1 if guess is None else 2}"
        got = forge(agi, "caller", {}, guess, uniqueid=uniqueid)
        assert len(got) == 1 and key not in got[0]               # closed after the question
        with ivr.sessions() as db:
            assert db.scalar(select(Call).where(Call.uniqueid == uniqueid)) is None
    uniqueid = "1790000001.3"
    a_call_with_ticket(ivr, uniqueid, offset=5)
    with ivr.sessions() as db, db.begin():       # the token the call's first request was given
        token = issue(db, IN, uniqueid, ivr.settings.now())
    got = forge(agi, "answered", {"HOTLINE_CALL": uniqueid, "HOTLINE_CALL_TOKEN": token,
                                  "CHANNEL(endpoint)": f"agent-{people['a']}", "REC": "/etc/passwd"}, key,
                uniqueid="1790000001.4")
    assert any(c.startswith("GET VARIABLE") for c in got) and not any(key in c for c in got)
    with ivr.sessions() as db:
        call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
        assert call.answered_at is not None
        assert not db.scalars(select(Recording).where(Recording.call_id == call.id)).all()


def test_audio_is_served_only_from_wav_files_inside_the_audio_directories(people, port, ivr, tmp_path):
    rec_dir = ivr.settings.recordings_dir
    rec_dir.mkdir(parents=True, exist_ok=True)
    good = rec_dir / "sec-test-ok.wav"
    good.write_bytes(b"RIFF....WAVEfmt ")
    text = rec_dir / "sec-test.txt"
    text.write_text("not audio")
    link = rec_dir / "sec-test-link.wav"
    link.unlink(missing_ok=True)
    link.symlink_to("/etc/hostname")
    outside = tmp_path / "outside.wav"
    outside.write_bytes(b"RIFF")
    b = user_id(ivr, people["b"])
    ids = {}
    with ivr.sessions() as db, db.begin():
        for name, path in (("good", good), ("passwd", "/etc/passwd"), ("text", text), ("link", link),
                           ("outside", outside), ("dotdot", f"{rec_dir}/../hotline.db")):
            r = Recording(agent_id=b, path=str(path), duration_s=1.0, sha256="x")
            db.add(r)
            db.flush()
            ids[name] = r.id
    api = Api(port, "127.0.0.13")
    api.login(people["b"])
    status, body = api.call("GET", f"/api/recordings/{ids.pop('good')}/audio")
    assert status == 200 and body == good.read_bytes()
    for name, rid in ids.items():
        status, data = api.call("GET", f"/api/recordings/{rid}/audio")
        assert status == 404, name
    # a voice description path is confined the same way
    number, _ = a_call_with_ticket(ivr, "1790000002.1", agent_no=people["b"], voice="/etc/passwd", offset=6)
    assert api.call("GET", f"/api/tickets/{number}/voice")[0] == 404


# ------------------------------------------------------------ 4. lock-out races --

def test_parallel_wrong_passwords_each_count_and_lock_the_account(people, port, ivr):
    api = Api(port, "127.0.0.14")
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: api.login(people["race"], "wrong-guess")[0], range(10)))
    assert set(answers) <= {401, 423} and 423 in answers, answers
    status, data = Api(port, "127.0.0.15").login(people["race"])      # the right password: too late
    assert status == 423 and "锁定" in data["error"]
    with ivr.sessions() as db:
        assert db.scalar(select(User.locked_until).where(User.agent_no == people["race"])) > ivr.settings.now()


def test_one_address_cannot_lock_everybody_out(people, port, ivr):
    attacker = Api(port, "127.0.0.16")
    limit = ivr.settings.login_failures_per_address
    for i in range(limit):                       # spread over many 工号, real and not
        attacker.login(str(9100 + i), "guess")
    status, data = attacker.login(people["a"])   # even the right password: this address is done
    assert status == 429 and data["error"]
    for _ in range(5):
        assert attacker.login(people["b"], "guess")[0] == 429
    assert Api(port, "127.0.0.17").login(people["b"])[0] == 200   # nobody was locked by it
    assert [e for e in audits(ivr, people["b"], "login_refused") if (e.detail or {}).get("reason") == "address_limit"]


# ------------------------------------------- 5, 9. sessions end everywhere at once --

async def _watch(port: int, token: str, act, timeout: float = 1.5) -> tuple[list[dict], float]:
    """Open the WebSocket, run `act` (blocking, in a thread), collect what arrives until the
    server closes the socket: (messages, seconds from `act` to the close)."""
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"http://127.0.0.1:{port}/api/ws?token={token}") as ws:
            hello = await ws.receive_json(timeout=5)
            assert hello["type"] == "hello"
            await asyncio.to_thread(act)
            t0, got = time.monotonic(), []
            while True:
                msg = await ws.receive(timeout=timeout)
                if msg.type != aiohttp.WSMsgType.TEXT:
                    return got, time.monotonic() - t0
                got.append(json.loads(msg.data))


@pytest.mark.parametrize("how", ["logout", "disable", "passwd", "expiry"])
def test_a_websocket_ends_within_a_second_when_its_session_ends(people, port, ivr, how):
    who = {"logout": people["a"], "disable": people["quit"], "passwd": people["pw"], "expiry": people["exp"]}[how]
    api = Api(port, "127.0.0.18")
    _, login = api.login(who)
    old_sip = login["sip"]["password"]

    def end_it():
        if how == "logout":
            assert Api(port, "127.0.0.18", api.token).call("POST", "/api/logout", {})[0] == 200
            return
        with ivr.sessions() as db, db.begin():
            if how == "disable":
                disable_user(db, who)
            elif how == "passwd":
                set_password(db, who, "a-new-password-9")
            else:
                s = db.scalar(select(ApiSession).where(ApiSession.token_hash != "")
                              .join(User).where(User.agent_no == who, ApiSession.ended_at.is_(None)))
                s.expires_at = ivr.settings.now() - timedelta(seconds=1)
    got, took = asyncio.run(_watch(port, api.token, end_it))
    assert took < 1.5, took
    assert got and got[-1]["type"] == "session_ended"
    assert api.call("GET", "/api/me")[0] == 401
    if how == "passwd":   # the SIP secret the old session held is worthless too
        with ivr.sessions() as db:
            assert db.scalar(select(User.sip_secret).where(User.agent_no == who)) != old_sip
        assert api.login(who)[0] == 401 and api.login(who, "a-new-password-9")[0] == 200


# ---------------------------------------------------------- 8. ticket access --

def test_an_agent_saves_only_tickets_they_answered_or_were_assigned_and_drafts_are_their_own(people, port, ivr):
    number, account_no = a_call_with_ticket(ivr, "1790000003.1", agent_no=people["a"],
                                            voice=str(ivr.settings.voice_dir / "none.wav"), offset=7)
    a, b, lead = Api(port, "127.0.0.19"), Api(port, "127.0.0.19"), Api(port, "127.0.0.19")
    a.login(people["a"])
    b.login(people["b"])
    lead.login(people["lead"])
    since = datetime.now() - timedelta(seconds=1)
    # B found the account by a search: may read its tickets, not change them
    assert b.call("GET", f"/api/accounts?q={account_no}")[0] == 200
    assert b.call("GET", f"/api/tickets/{number}")[0] == 200
    assert b.call("PUT", f"/api/tickets/{number}/draft", form(notes="B 乱写"))[0] == 403
    assert b.call("PUT", f"/api/tickets/{number}", form())[0] == 403
    assert b.call("GET", f"/api/tickets/{number}/voice")[0] == 403
    for action in ("draft_refused", "update_refused", "play_refused"):
        assert [e for e in audits(ivr, people["b"], action, since) if e.object_id == number], action
    # A answered the call; the lead hands the ticket to B as well: two drafts, neither lost
    assert a.call("PUT", f"/api/tickets/{number}/draft", form(notes="A 的草稿"))[0] == 200
    assert b.call("POST", f"/api/tickets/{number}/assign", {"agent_no": people["b"]})[0] == 403
    assert lead.call("POST", f"/api/tickets/{number}/assign", {"agent_no": people["b"]})[0] == 200
    assert b.call("PUT", f"/api/tickets/{number}/draft", form(notes="B 的草稿"))[0] == 200
    assert a.call("GET", f"/api/tickets/{number}")[1]["draft_form"]["notes"] == "A 的草稿"
    assert b.call("GET", f"/api/tickets/{number}")[1]["draft_form"]["notes"] == "B 的草稿"
    assert len([e for e in audits(ivr, people["a"], "autosave", since) if e.object_id == number]) == 1
    status, saved = b.call("PUT", f"/api/tickets/{number}", form(notes="B 保存"))
    assert status == 200 and saved["description"] == "B 保存"
    with ivr.sessions() as db:   # B's draft is spent by the save, A's is kept
        drafts = {d.user_id: d.form["notes"] for d in db.scalars(
            select(TicketDraft).join(Ticket).where(Ticket.number == number))}
    assert drafts == {user_id(ivr, people["a"]): "A 的草稿"}


@pytest.mark.parametrize("raw", [
    json.dumps(form(extra_junk="x" * 1000)).encode(),            # keys outside the form
    b'{"priority": NaN}',
    b'{"notes": "' + b"x" * (1024 * 1024) + b'"}',               # 1 MB of junk
    b'{"confirmed_name": "maybe"}',
])
def test_an_autosave_is_the_ticket_form_or_nothing(people, port, ivr, raw):
    number, _ = a_call_with_ticket(ivr, f"1790000004.{len(raw) % 1000}", agent_no=people["a"], offset=8)
    api = Api(port, "127.0.0.20")
    api.login(people["a"])
    status, data = api.call("PUT", f"/api/tickets/{number}/draft", raw=raw)
    assert status in (400, 413, 422), status
    with ivr.sessions() as db:
        assert not db.scalars(select(TicketDraft).join(Ticket).where(Ticket.number == number)).all()


# ------------------------------------------------------------------ low --

def test_pathological_json_and_huge_ids_answer_4xx_never_500(people, port, ivr):
    log = ivr.settings.log_dir / "service.log"
    before = log.stat().st_size
    api = Api(port, "127.0.0.21")
    for raw in (b"[" * 100000, b'{"agent_no": ' + b"9" * 5000 + b', "password": "x"}', b"\xff\xfe{"):
        status, data = api.call("POST", "/api/login", raw=raw)
        assert status == 400 and data["error"], raw[:20]
    api.login(people["a"])
    huge = str(2 ** 70)
    for path in (f"/api/recordings/{huge}/audio", f"/api/tickets/{huge}", f"/api/accounts/{huge}x{huge}",
                 f"/api/calls/{huge}.{huge}/pop", f"/api/tickets/{huge}/voice"):
        status, data = api.call("GET", path)
        assert 400 <= status < 500 and data["error"], (path, status)
    status, _ = api.call("POST", "/api/agent/pause", raw=b"[" * 100000)
    assert status == 400
    added = log.read_bytes()[before:].decode(errors="replace")
    assert "Traceback" not in added and "API error" not in added


def test_half_sent_requests_are_cut_and_one_address_cannot_hold_every_connection(ivr, port):
    s = ivr.settings

    def half_headers() -> float:
        sock = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.22", 0))
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
        t0 = time.monotonic()
        sock.settimeout(s.api_header_timeout_s + 10)
        assert sock.recv(1024) == b""
        sock.close()
        return time.monotonic() - t0

    def half_body() -> bytes:
        sock = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.22", 0))
        sock.sendall(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 50\r\n\r\n{\"agent_no\":")
        sock.settimeout(s.api_body_timeout_s + 10)
        got = sock.recv(4096)
        sock.close()
        return got

    with ThreadPoolExecutor(2) as pool:
        headers, body = pool.submit(half_headers), pool.submit(half_body)
        # the cap meanwhile: one address holds at most N connections; others are not affected
        held = [socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.23", 0))
                for _ in range(s.api_connections_per_address)]
        extra = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.23", 0))
        extra.settimeout(5)
        assert extra.recv(1024) == b""                       # closed at once
        assert Api(port, "127.0.0.24").call("GET", "/api/health")[0] == 200
        for sock in held + [extra]:
            sock.close()
        assert headers.result() < s.api_header_timeout_s + 5
        assert body.result().startswith(b"HTTP/1.1 408")


def test_a_login_does_not_tell_whether_a_gonghao_exists(people, port, ivr):
    def timed(api, agent_no):
        t0 = time.perf_counter()
        status, data = api.login(agent_no, "wrong-guess")
        return time.perf_counter() - t0, status, data

    real = [timed(Api(port, "127.0.0.25"), people["lead"]) for _ in range(4)]
    ghost = [timed(Api(port, "127.0.0.26"), "8765") for _ in range(4)]
    assert {r[1] for r in real} == {401} and {g[1] for g in ghost} == {401}
    assert real[0][2] == ghost[0][2]                          # the same words
    # the KDF runs either way: an unknown 工号 costs about as much as a real one
    assert statistics.median(g[0] for g in ghost) > 0.5 * statistics.median(r[0] for r in real)
    # and an unknown 工号 locks like a real one (a 423 is no proof of existence)
    status, data = Api(port, "127.0.0.26").login("8765", "wrong-guess")
    assert status == 423 and "锁定" in data["error"]
    with ivr.sessions() as db, db.begin():   # the lead's four failures must not lock later tests
        db.scalar(select(User).where(User.agent_no == people["lead"])).failed_logins = 0


def test_a_token_in_the_url_is_taken_only_by_the_websocket(people, port):
    api = Api(port, "127.0.0.27")
    api.login(people["a"])
    bare = Api(port, "127.0.0.27")
    for path in ("/api/me", "/api/recordings", "/api/tickets/drafts"):
        assert bare.call("GET", f"{path}?token={api.token}")[0] == 401, path

    async def hello():
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"http://127.0.0.1:{port}/api/ws?token={api.token}") as ws:
                return await ws.receive_json(timeout=5)
    assert asyncio.run(hello())["type"] == "hello"


def test_audit_entries_keep_the_source_address_and_overlong_ids(people, port, ivr):
    Api(port, "127.0.0.28").login(people["a"])
    assert max(audits(ivr, people["a"], "login"), key=lambda e: e.id).source == "127.0.0.28"
    long_a, long_b = "x" * 300 + "a", "x" * 300 + "b"
    with ivr.sessions() as db, db.begin():
        add_audit(db, "test", "view", "probe", long_a)
        add_audit(db, "test", "view", "probe", long_b)
    with ivr.sessions() as db:
        ids = [e.object_id for e in db.scalars(select(AuditEntry).where(AuditEntry.object_type == "probe"))]
    assert len(ids) == 2 and all(len(i) <= OBJECT_ID_MAX for i in ids) and ids[0] != ids[1]


# ------------------------------------------------------- 9. stations (#25) --

STATION, OTHER_STATION = "5801", "5802"


@pytest.fixture(scope="module")
def stations(ivr):
    """Two stations' people (the demo's first two stations), with a dispatched ticket each."""
    with ivr.sessions() as db, db.begin():
        mine, theirs = db.scalars(select(RepairStation).order_by(RepairStation.id).limit(2)).all()
        for no, st in ((STATION, mine), (OTHER_STATION, theirs)):
            if not db.scalar(select(User).where(User.agent_no == no)):
                add_user(db, no, f"{st.name} 值班", Role.station, PASSWORD, actor="test").station_id = st.id
        acc = db.scalar(select(HeatingAccount).order_by(HeatingAccount.id).offset(6).limit(1))
        tickets = {}
        for n, st in enumerate((mine, theirs)):
            number = f"261123870{n}"
            if not db.scalar(select(Ticket).where(Ticket.number == number)):
                db.add(Ticket(number=number, account_id=acc.id, station_id=st.id, state=TicketState.dispatched,
                              category=Category.no_heat, address_snapshot=acc.address, name_snapshot=acc.name,
                              callback_number="13900000000"))
            tickets[st.id] = number
        return {"mine": tickets[mine.id], "theirs": tickets[theirs.id], "account": acc.account_no}


def test_a_station_login_has_no_phone_and_is_refused_residents_the_queue_pops_and_calls_out(people, port, ivr,
                                                                                            stations):
    uniqueid = "1790000025.1"
    a_call_with_ticket(ivr, uniqueid, offset=7)
    since = datetime.now() - timedelta(seconds=1)
    api = Api(port, "127.0.0.31")
    status, me = api.login(STATION)
    assert status == 200 and me["sip"] is None and me["user"]["role"] == "station"
    refused = {("GET", f"/api/accounts?q={stations['account']}"): "search_refused",
               ("GET", f"/api/accounts/{stations['account']}"): "view_refused",
               ("POST", "/api/agent/queue"): "queue_join_refused",
               ("POST", "/api/agent/pause"): "pause_refused",
               ("POST", "/api/agent/wrapup/done"): "wrapup_done_refused",
               ("GET", f"/api/calls/{uniqueid}/pop"): "view_refused",
               ("POST", f"/api/calls/{uniqueid}/reject"): "reject_refused",
               ("GET", "/api/agent/directory"): "view_refused",
               ("GET", f"/api/tickets/{stations['theirs']}"): "view_refused",
               ("POST", f"/api/callbacks/{stations['mine']}/take"): "callback_take_refused",
               ("POST", f"/api/callbacks/{stations['mine']}/call"): "callback_call_refused",
               ("POST", f"/api/surveys/{stations['mine']}/call"): "survey_call_refused"}
    bodies = {"/api/agent/queue": {"member": True}, "/api/agent/pause": {"paused": True, "reason": "用餐"}}
    for (method, path), action in refused.items():
        status, data = api.call(method, path, bodies.get(path, {}) if method == "POST" else None)
        assert status == 403 and data["error"], (path, status, data)
        assert audits(ivr, STATION, action, since), (path, action)
    # its own station's repair it reads; nothing it was refused opened anything else
    assert api.call("GET", f"/api/tickets/{stations['mine']}")[0] == 200
    assert api.call("GET", f"/api/tickets/{stations['theirs']}")[0] == 403
    # and Asterisk has no phone for it: no endpoint to register, nothing to ring or call out from
    assert ivr.ami.action({"Action": "PJSIPShowEndpoint", "Endpoint": f"agent-{STATION}"}).get("Response") == "Error"
