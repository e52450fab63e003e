"""The agent API (docs/product.md §0, §2) against the real hotline service of the test session:
logins, sessions, who may see what, what malformed input gets, and the audit trail."""
from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import select

from db.models import (ApiSession, AuditEntry, Call, Category, HeatingAccount, Recording, Role, Ticket,
                       TicketState, User)
from hotline.admin.users import add_user
from hotline.admin import runtime
from hotline.admin.users import disable_user
from common.sip.phone import Phone
from conftest import sealed_recording, wait_for

pytestmark = pytest.mark.asterisk

PASSWORD = "correct-horse-7"


class Api:
    """A bare HTTP client of the agent API: (status, JSON or bytes)."""

    def __init__(self, base: str, token: str = ""):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body=None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                status, payload, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            status, payload, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
        return status, (json.loads(payload) if "json" in ctype else payload)

    def login(self, agent_no: str, password: str = PASSWORD):
        status, data = self.call("POST", "/api/login", {"agent_no": agent_no, "password": password})
        if status == 200:
            self.token = data["token"]
        return status, data


@pytest.fixture(scope="module")
def people(ivr):
    """Two agents and a team lead, created like `hotline agents add` does."""
    with ivr.sessions() as db:
        for no, name, role in (("2001", "张敏", Role.agent), ("2002", "刘洋", Role.agent),
                               ("2003", "陈静", Role.agent), ("2101", "王班长", Role.team_lead)):
            if not db.scalar(select(User).where(User.agent_no == no)):
                add_user(db, no, name, role, PASSWORD, actor="test")
        db.commit()
    runtime.reload_agents(ivr.settings, ivr.sessions)
    return {"a": "2001", "b": "2002", "locked": "2003", "lead": "2101"}


@pytest.fixture
def base(ivr):
    return f"http://127.0.0.1:{ivr.ports['api']}"


def audit(ivr, actor: str, action: str) -> list[AuditEntry]:
    with ivr.sessions() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.actor == actor, AuditEntry.action == action)))


def an_account(ivr, offset: int = 0) -> str:
    with ivr.sessions() as db:
        return db.scalars(select(HeatingAccount.account_no).order_by(HeatingAccount.id.desc())).all()[offset]


# ------------------------------------------------------------------ login --

def test_login_hands_over_a_token_with_expiry_and_the_sip_credentials(people, base, ivr):
    api = Api(base)
    status, data = api.login(people["a"])
    assert status == 200
    assert data["user"] == {"agent_no": "2001", "name": "张敏", "role": "agent"}
    assert datetime.fromisoformat(data["expires_at"]) > ivr.settings.now() + timedelta(hours=8)
    assert data["sip"]["username"] == "agent-2001" and data["sip"]["password"]
    assert data["sip"]["port"] == ivr.ports["sip"]
    status, me = api.call("GET", "/api/me")
    assert status == 200 and me["agent_no"] == "2001"
    with ivr.sessions() as db:   # only a hash of the token is kept
        assert not db.scalar(select(ApiSession).where(ApiSession.token_hash == api.token))


def test_a_wrong_password_gets_a_clear_message_and_is_audited(people, base, ivr):
    status, data = Api(base).login(people["b"], "wrong-password")
    assert status == 401 and data["error"] == "工号或密码错误"
    assert audit(ivr, "2002", "login_failed")


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(people, base, ivr):
    api = Api(base)
    answers = [api.login(people["locked"], "nope-nope")[0] for _ in range(5)]
    assert answers == [401, 401, 401, 401, 423]
    status, data = api.login(people["locked"])           # the right password, too late
    assert status == 423 and "锁定" in data["error"]
    assert audit(ivr, "2003", "locked") and audit(ivr, "2003", "login_refused")


def test_an_expired_token_is_refused(people, base, ivr):
    api = Api(base)
    api.login(people["b"])
    with ivr.sessions() as db, db.begin():
        s = db.scalar(select(ApiSession).where(ApiSession.ended_at.is_(None))
                      .join(User).where(User.agent_no == "2002").order_by(ApiSession.id.desc()))
        s.expires_at = ivr.settings.now() - timedelta(minutes=1)
    status, data = api.call("GET", "/api/me")
    assert status == 401 and data["error"] == "登录已过期，请重新登录"


@pytest.mark.parametrize("token", ["", "not-a-token", "Bearer"])
def test_a_bad_or_missing_token_is_refused(base, token):
    for method, path in (("GET", "/api/me"), ("GET", "/api/accounts?q=1"), ("GET", "/api/recordings"),
                         ("PUT", "/api/tickets/2611230001"), ("GET", "/api/ws")):
        status, data = Api(base, token).call(method, path, {} if method == "PUT" else None)
        assert status == 401, (path, status)
        assert data["error"]


def test_a_second_login_ends_the_first_session_which_is_told_so(people, base):
    first = Api(base)
    first.login(people["a"])

    async def watch_then_login_again():
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"{base}/api/ws?token={first.token}") as ws:
                hello = await ws.receive_json(timeout=5)
                assert hello["type"] == "hello" and hello["agent_no"] == "2001"
                await asyncio.to_thread(Api(base).login, people["a"])
                return await ws.receive_json(timeout=5)
    told = asyncio.run(watch_then_login_again())
    assert told["type"] == "session_ended" and told["reason"] == "replaced"
    status, data = first.call("GET", "/api/me")
    assert status == 401 and "其他位置" in data["error"]


# --------------------------------------------------------- who sees what --

def test_an_agent_sees_an_account_only_on_a_call_or_after_a_search(people, base, ivr):
    api = Api(base)
    api.login(people["a"])
    account_no = an_account(ivr)
    status, data = api.call("GET", f"/api/accounts/{account_no}")
    assert status == 403 and data["error"]
    assert audit(ivr, "2001", "view_refused")
    status, found = api.call("GET", f"/api/accounts?q={account_no}")
    assert status == 200 and [a["account_no"] for a in found] == [account_no]
    status, acc = api.call("GET", f"/api/accounts/{account_no}")
    assert status == 200 and acc["account_no"] == account_no and "tickets" in acc
    assert any(e.object_id == account_no for e in audit(ivr, "2001", "view"))
    assert audit(ivr, "2001", "search")
    # a team lead's role lets them open any account (dispatch, follow-up)
    lead = Api(base)
    lead.login(people["lead"])
    assert lead.call("GET", f"/api/accounts/{an_account(ivr, 1)}")[0] == 200


def test_an_agent_replays_own_recordings_only_and_each_replay_is_audited(people, base, ivr):
    ivr.settings.recordings_dir.mkdir(parents=True, exist_ok=True)
    wav = ivr.settings.recordings_dir / "replay-test.wav"   # served only from the recordings directory
    wav.write_bytes(b"RIFF....WAVEfmt ")
    with ivr.sessions() as db, db.begin():
        b = db.scalar(select(User).where(User.agent_no == "2002"))
        rec = Recording(agent_id=b.id, path=str(wav), duration_s=1.0, sha256="x")
        db.add(rec)
        db.flush()
        rid = rec.id
    a, b_api = Api(base), Api(base)
    a.login(people["a"])
    b_api.login(people["b"])
    status, data = a.call("GET", f"/api/recordings/{rid}/audio")
    assert status == 403 and data["error"] == "只能回放自己的录音"
    assert rid not in [r["id"] for r in a.call("GET", "/api/recordings")[1]]
    assert any(e.object_id == str(rid) for e in audit(ivr, "2001", "play_refused"))
    status, audio = b_api.call("GET", f"/api/recordings/{rid}/audio")
    assert status == 200 and audio == wav.read_bytes()
    assert any(e.object_id == str(rid) for e in audit(ivr, "2002", "play"))
    # nobody deletes from here
    assert b_api.call("DELETE", f"/api/recordings/{rid}")[0] in (404, 405) and wav.exists()


def test_the_audit_log_is_for_team_leads(people, base):
    agent, lead = Api(base), Api(base)
    agent.login(people["a"])
    lead.login(people["lead"])
    assert agent.call("GET", "/api/audit")[0] == 403
    status, rows = lead.call("GET", "/api/audit")
    assert status == 200 and {"login", "view"} <= {r["action"] for r in rows}


# ------------------------------------------------------------- tickets --

@pytest.fixture
def my_ticket(ivr, people):
    """A draft ticket from a call agent A answered."""
    with ivr.sessions() as db, db.begin():
        a = db.scalar(select(User).where(User.agent_no == "2001"))
        acc = db.scalar(select(HeatingAccount).order_by(HeatingAccount.id.desc()).offset(2).limit(1))
        n = db.scalar(select(Ticket.id).order_by(Ticket.id.desc()).limit(1)) or 0
        t = Ticket(number=f"26112399{n % 100:02d}", account_id=acc.id, state=TicketState.draft,
                   category=Category.no_heat, address_snapshot=acc.address, name_snapshot=acc.name)
        db.add(t)
        db.flush()
        db.add(Call(uniqueid=f"test.{t.id}", caller="13900000000", ticket_id=t.id, agent_id=a.id))
        return t.number


def form(**over):
    base = {"category": "leak", "address": "和平区 测试街 1号", "name": "测试", "callback_number": "13900000000",
            "confirmed_problem": True, "confirmed_address": True, "confirmed_name": True,
            "confirmed_phone": True, "priority": 50, "notes": "厨房暖气片漏水"}
    return {**base, **over}


def test_save_needs_every_read_back_then_updates_the_same_ticket_and_is_audited(people, base, ivr, my_ticket):
    api = Api(base)
    api.login(people["a"])
    status, data = api.call("PUT", f"/api/tickets/{my_ticket}", form(confirmed_name=False))
    assert status == 422 and "姓名" in data["error"]
    status, saved = api.call("PUT", f"/api/tickets/{my_ticket}", form())
    assert status == 200 and saved["number"] == my_ticket and saved["state"] == "new"
    with ivr.sessions() as db:
        tickets = db.scalars(select(Ticket).where(Ticket.number == my_ticket)).all()
        assert len(tickets) == 1 and tickets[0].category is Category.leak and tickets[0].priority == 50
    changes = [e.detail["changes"] for e in audit(ivr, "2001", "update") if e.object_id == my_ticket]
    assert changes and changes[-1]["category"] == "leak"
    # another agent has no business with it
    other = Api(base)
    other.login(people["b"])
    assert other.call("PUT", f"/api/tickets/{my_ticket}", form())[0] == 403


def test_an_agent_resolves_a_ticket_on_the_call_and_a_priority_off_the_scale_is_refused(people, base, ivr,
                                                                                       my_ticket):
    api = Api(base)
    api.login(people["a"])
    status, data = api.call("PUT", f"/api/tickets/{my_ticket}", form(priority=10))
    assert status == 422 and "priority" in data["error"]
    status, saved = api.call("PUT", f"/api/tickets/{my_ticket}", form(category="other", resolved=True,
                                                                      notes="缴费问题已当场解答"))
    assert status == 200 and saved["state"] == "resolved"
    with ivr.sessions() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == my_ticket))
        assert [(x.state.value, x.note) for x in t.transitions][-2:] == [("new", ""), ("resolved", "通话中已解决")]
    status, data = api.call("PUT", f"/api/tickets/{my_ticket}", form(resolved=True))
    assert status == 409 and "不能" in data["error"]             # resolved already: no second move


def test_an_autosaved_draft_comes_back_in_my_drafts(people, base, my_ticket):
    api = Api(base)
    api.login(people["a"])
    status, _ = api.call("PUT", f"/api/tickets/{my_ticket}/draft", form(notes="打到一半", confirmed_name=False))
    assert status == 200
    api.login(people["a"])                 # a new login, as after a crash
    status, drafts = api.call("GET", "/api/tickets/drafts")
    mine = [d for d in drafts if d["number"] == my_ticket]
    assert mine and mine[0]["draft_form"]["notes"] == "打到一半"


@pytest.mark.parametrize("method,path,body,raw", [
    ("POST", "/api/login", None, b"{not json"),
    ("POST", "/api/login", None, b"[1, 2]"),
    ("POST", "/api/login", {"agent_no": "abc", "password": "x"}, None),
    ("POST", "/api/login", {"agent_no": "2001"}, None),
    ("POST", "/api/agent/pause", {"paused": "maybe"}, None),
    ("POST", "/api/agent/pause", {"paused": True, "reason": ""}, None),
    ("GET", "/api/accounts?q=", None, None),
    ("GET", "/api/accounts?q=" + "x" * 200, None, None),
    ("GET", "/api/recordings/abc/audio", None, None),
    ("GET", "/api/recordings/999999/audio", None, None),
    ("GET", "/api/tickets/nope", None, None),
    ("PUT", "/api/tickets/nope", {"priority": "urgent"}, None),
    ("PUT", "/api/tickets/nope/draft", None, "名字".encode() * 1000),
    ("PUT", "/api/tickets/nope", {"notes": "长" * 5000}, None),
    ("GET", "/api/calls/%00%ff/pop", None, None),
])
def test_malformed_input_answers_4xx_with_a_message_never_500(people, base, method, path, body, raw):
    api = Api(base)
    api.login(people["a"])
    status, data = api.call(method, path, body, raw)
    assert 400 <= status < 500, (path, status, data)
    assert isinstance(data, dict) and data.get("error"), data


def test_joining_and_pausing_go_to_asterisk_and_logout_leaves_the_queue(people, base, ivr):
    api = Api(base)
    api.login(people["b"])
    status, data = api.call("POST", "/api/agent/queue", {"member": True})
    assert status == 200 and data["agent_state"]["member"] is True
    status, data = api.call("POST", "/api/agent/pause", {"paused": True, "reason": "用餐"})
    assert status == 200 and data["agent_state"]["paused"] and data["agent_state"]["reason"] == "用餐"
    member = ivr.ami.action({"Action": "QueueStatus", "Queue": "repair", "Member": "PJSIP/agent-2002"})
    assert member.get("Response") == "Success"
    ivr.ami.wait(lambda e: e.get("Event") == "QueueMember" and e.get("StateInterface") == "PJSIP/agent-2002"
                 and e.get("Paused") == "1" and e.get("PausedReason") == "用餐", timeout=5)
    assert api.call("POST", "/api/logout", {})[0] == 200
    ivr.ami.wait(lambda e: e.get("Event") == "QueueMemberRemoved" and e.get("MemberName") == "agent-2002",
                 timeout=5)
    assert audit(ivr, "2002", "queue_join") and audit(ivr, "2002", "pause") and audit(ivr, "2002", "logout")


def test_a_save_racing_the_callers_hang_up_keeps_the_edits_and_the_call_record(people, base, ivr):
    """The resident hangs up at the very moment the agent presses 保存: both land —
    the ticket holds the agent's edits, the call its outcome and its sealed recording."""
    import threading

    from bench.scenarios import CallerDialog
    number = "13300000261"
    api = Api(base)
    _, me = api.login(people["a"])
    phone = Phone.register(ivr.stack, ivr.ports["sip"], me["sip"]["username"], me["sip"]["password"])
    try:
        phone.wait_registered(10)
        assert api.call("POST", "/api/agent/queue", {"member": True})[0] == 200
        d = CallerDialog(ivr.ami, ivr.phone_for(number), ivr.settings.extension, number)
        for _ in range(3):
            d.at("account_enter", "#")
        d.at("problem_menu", "0")                                  # straight to an agent
        d.in_queue()
        agent_call = phone.wait_incoming(20)
        agent_call.answer()
        ivr.ami.wait(lambda e: e.get("Event") == "AgentConnect" and e.get("MemberName") == "agent-2001",
                     timeout=15, start=d.mark)
        with ivr.sessions() as db:
            ticket_no = db.scalar(select(Ticket.number).join(Call, Call.ticket_id == Ticket.id)
                                  .where(Call.caller == number))
        hang_up = threading.Thread(target=d.hangup)
        hang_up.start()                                            # … and at the same instant:
        status, saved = api.call("PUT", f"/api/tickets/{ticket_no}", form(callback_number=number,
                                                                          notes="挂断前最后一句：阀门在漏"))
        hang_up.join(10)
        assert status == 200 and saved["number"] == ticket_no, saved
        agent_call.wait_state("DISCONNECTED", 10)
    finally:
        api.call("POST", "/api/agent/queue", {"member": False})
        phone.close()

    call, rec = sealed_recording(ivr, number)
    assert call.outcome is not None and call.outcome.value == "answered"
    with ivr.sessions() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == ticket_no))
        assert t.state is TicketState.new and t.description == "挂断前最后一句：阀门在漏"
        assert t.confirmed_problem and t.confirmed_phone and rec.ticket_id == t.id
    assert [e for e in audit(ivr, "2001", "update") if e.object_id == ticket_no]


def test_a_disabled_agent_is_not_put_back_in_the_queue_after_an_asterisk_restart(ivr, base):
    no = "2005"
    with ivr.sessions() as db:
        if not db.scalar(select(User).where(User.agent_no == no)):
            add_user(db, no, "赵磊", Role.agent, PASSWORD, actor="test")
        db.commit()
    runtime.reload_agents(ivr.settings, ivr.sessions)
    api = Api(base)
    _, me = api.login(no)
    phone = Phone.register(ivr.stack, ivr.ports["sip"], me["sip"]["username"], me["sip"]["password"])

    def members() -> set[str]:
        mark = ivr.ami.mark()
        ivr.ami.action({"Action": "QueueStatus", "Queue": "repair"})
        ivr.ami.wait(lambda e: e.get("Event") == "QueueStatusComplete", timeout=10, start=mark)
        return {e.get("Name", "") for e in ivr.ami.events[mark:] if e.get("Event") == "QueueMember"}
    try:
        phone.wait_registered(10)
        assert api.call("POST", "/api/agent/queue", {"member": True})[0] == 200   # the service wants it there
        wait_for(lambda: "agent-2005" in members(), 10, "the agent in the queue")
    finally:
        phone.close()
    with ivr.sessions() as db:
        disable_user(db, no, actor="test")
        db.commit()
    runtime.reload_agents(ivr.settings, ivr.sessions)       # `hotline agents disable`: out of the queue
    assert "agent-2005" not in members()
    runtime.restart_asterisk(ivr.settings)
    ivr.reconnect_ami()
    ivr.standby.phone.renew_registration()
    # the service logs in again and restores whoever it had in the queue (the stand-by agent
    # comes back through Asterisk's own persistent members)
    wait_for(lambda: "agent-3999" in members(), 30, "the queue restored")
    time.sleep(8)                                           # the service's re-login and restore
    assert "agent-2005" not in members()
