"""Stations are stations, and SIP is no way round (#25), without Asterisk: a station's login has no
phone, and the desk refuses it everything a phone is for — residents' search, pops, the queue,
the transfer directory, calls out — and every ticket but its own station's, whatever was granted;
calls out are agents' and team leads' only, in the API as in the generated phones (their endpoints
alone carry the dialplan's permission); a logout retires the SIP secret, and the service rewrites
Asterisk's phones and bans an address that keeps guessing SIP passwords."""
from __future__ import annotations

import asyncio
import stat

import pytest
from sqlalchemy import select

from db.models import (AccountPhone, AuditEntry, Call, HeatingAccount, RepairStation, Role, Ticket, TicketState,
                       User)
from db.queries import agent_phones
from db.session import make_engine, migrate, session_factory
from hotline.admin.users import add_user, disable_user
from hotline.aftercall.outbound import call_out
from hotline.aftercall.rules import Actor, Refused
from hotline.service.desk import DeskError, DeskService, Forbidden
from hotline.service.sip_guard import SipGuard, banned_conf, event_address, shown_account
from common.agent_phones import AGENTS_FILE, AgentPhone, agents_conf, write_generated
from common.naming import BANNED_FILE
from common.settings import load_settings

PASSWORD = "correct-horse-7"
AGENT, LEAD, HEAD, ADMIN, STATION, OTHER_STATION = "1001", "1101", "1201", "1301", "8001", "8002"


@pytest.fixture
def desk(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="")
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db:
        tx, hp = RepairStation(code="TX", name="铁西维修站", phone="02425670000"), \
            RepairStation(code="HP", name="和平维修站", phone="02423000000")
        db.add_all([tx, hp])
        db.flush()
        for no, role, station in ((AGENT, Role.agent, None), (LEAD, Role.team_lead, None), (HEAD, Role.head, None),
                                  (ADMIN, Role.admin, None), (STATION, Role.station, tx.id),
                                  (OTHER_STATION, Role.station, hp.id)):
            add_user(db, no, f"人{no}", role, PASSWORD).station_id = station
        acc = HeatingAccount(account_no="20000001", name="王秀兰", district="和平区", compound="南湖", building="1",
                             unit="1", room="101", phones=[AccountPhone(phone="13304567836")])
        db.add(acc)
        db.flush()
        for number, station, state in (("2611230001", tx.id, TicketState.dispatched),
                                       ("2611230002", hp.id, TicketState.dispatched),
                                       ("2611230003", tx.id, TicketState.new)):
            db.add(Ticket(number=number, account_id=acc.id, station_id=station, state=state,
                          callback_number="13304567836"))
        db.add(Call(uniqueid="1700000000.1", caller="13304567836"))
        db.commit()
    ringing: dict[str, tuple[str, str]] = {}
    service = DeskService(sessions, s, ringing.get)
    service.ring = ringing
    return service


def login(desk, no):
    answer, _ = desk.login(no, PASSWORD, "10.0.0.1")
    return desk.principal(answer["token"])


def secret_of(desk, no) -> str:
    with desk.sessions() as db:
        return db.scalar(select(User.sip_secret).where(User.agent_no == no))


# ------------------------------------------------------------- no phone --

def test_a_stations_login_answers_no_sip_credentials_and_an_agents_does(desk):
    station, _ = desk.login(STATION, PASSWORD, "10.0.0.1")
    agent, _ = desk.login(AGENT, PASSWORD, "10.0.0.1")
    assert station["sip"] is None
    assert agent["sip"] == {"username": f"agent-{AGENT}", "password": secret_of(desk, AGENT)}


def test_a_logout_retires_the_sip_secret_the_login_handed_out(desk):
    answer, _ = desk.login(AGENT, PASSWORD, "10.0.0.1")
    assert desk.logout(desk.principal(answer["token"])) is True        # Asterisk must learn the new one
    assert secret_of(desk, AGENT) != answer["sip"]["password"]
    assert desk.login(AGENT, PASSWORD, "10.0.0.1")[0]["sip"]["password"] == secret_of(desk, AGENT)


def test_a_stations_logout_changes_no_phone(desk):
    before = secret_of(desk, STATION)
    assert desk.logout(login(desk, STATION)) is False
    assert secret_of(desk, STATION) == before


# ------------------------------------------------------ residents' data --

def test_a_station_may_not_search_residents_or_open_an_account(desk):
    st = login(desk, STATION)
    with pytest.raises(Forbidden) as e:
        desk.search(st, "13304567836")
    assert e.value.action == "search_refused"
    with pytest.raises(Forbidden) as e:
        desk.account(st, "20000001")
    assert e.value.action == "view_refused" and e.value.object_id == "20000001"


def test_a_station_gets_no_screen_pop_even_for_a_call_ringing_at_its_number(desk):
    st = login(desk, STATION)
    desk.ring[STATION] = ("1700000000.1", "")          # never in the queue; even if it were
    with pytest.raises(Forbidden) as e:
        desk.pop("1700000000.1", STATION, st)
    assert (e.value.action, e.value.object_type) == ("view_refused", "screen_pop")
    assert st.allowed_accounts == set()


def test_a_station_reads_only_its_own_stations_dispatched_tickets_whatever_it_was_granted(desk):
    st = login(desk, STATION)
    assert desk.ticket(st, "2611230001")["number"] == "2611230001"
    st.allowed_accounts.add("20000001")                 # as a search or a pop would have granted
    with desk.sessions() as db, db.begin():             # and as an assignment would have
        db.scalar(select(Ticket).where(Ticket.number == "2611230002")).assigned_agent_id = st.user_id
    for number in ("2611230002", "2611230003"):         # another station's; its own, not yet dispatched
        with pytest.raises(Forbidden) as e:
            desk.ticket(st, number)
        assert e.value.action == "view_refused"
    with pytest.raises(Forbidden):
        desk.voice_file(st, "2611230001")


def test_a_ticket_is_assigned_to_agents_and_team_leads_only(desk):
    lead = login(desk, LEAD)
    for no in (STATION, HEAD):
        with pytest.raises(DeskError) as e:
            desk.assign(lead, "2611230002", no)
        assert e.value.status == 422
    assert desk.assign(lead, "2611230002", AGENT)["assigned_to"] == AGENT


# ------------------------------------------------------- the queue, calls --

@pytest.mark.parametrize("what", ["queue_join", "queue_leave", "pause", "unpause", "wrapup_done"])
def test_only_agents_and_team_leads_work_the_queue(desk, what):
    for no in (STATION, HEAD, ADMIN):
        with pytest.raises(Forbidden) as e:
            desk.queue_work(login(desk, no), what)
        assert e.value.action == f"{what}_refused"
    for no in (AGENT, LEAD):
        desk.queue_work(login(desk, no), what)


def test_a_station_rejects_no_call_and_has_no_transfer_directory(desk):
    st = login(desk, STATION)
    desk.ring[STATION] = ("1700000000.1", "")
    with pytest.raises(Forbidden) as e:
        desk.reject(st, "1700000000.1")
    assert e.value.action == "reject_refused"
    with pytest.raises(Forbidden):
        desk.directory(st, {}, {})
    assert desk.directory(login(desk, AGENT), {}, {})["entries"] is not None


@pytest.mark.parametrize("kind", ["callback", "survey"])
def test_only_agents_and_team_leads_call_residents_out(kind):
    t = Ticket(number="2611230001", callback_number="13304567836")
    for role in (Role.station, Role.head, Role.admin):
        with pytest.raises(Refused) as e:
            call_out(t, Actor(7, "9001", role), kind)
        assert e.value.status == 403 and e.value.action == f"{kind}_call_refused"
    for role in (Role.agent, Role.team_lead):
        assert call_out(t, Actor(7, "9001", role), kind).number == "13304567836"


# -------------------------------------------------- the phones Asterisk knows --

def test_only_agents_and_team_leads_phones_carry_the_permission_to_call_out_and_stations_have_none():
    conf = agents_conf([AgentPhone("1001", "赵", "s1", "agent"), AgentPhone("1101", "钱", "s2", "team_lead"),
                        AgentPhone("1201", "孙", "s3", "head"), AgentPhone("8001", "站", "s4", "station")])
    sections = {block.split("]", 1)[0].lstrip("["): block for block in conf.split("\n\n") if "(agent-phone)" in block}
    assert set(sections) == {"agent-1001", "agent-1101", "agent-1201"}
    assert "set_var = HOTLINE_CALLS_OUT=1" in sections["agent-1001"] and "HOTLINE_CALLS_OUT" in sections["agent-1101"]
    assert "HOTLINE_CALLS_OUT" not in sections["agent-1201"]
    assert "8001" not in conf
    # 实时监听: the team lead's phone alone
    assert [n for n, text in sections.items() if "set_var = HOTLINE_LISTEN_IN=1" in text] == ["agent-1101"]


def test_the_database_gives_asterisk_no_phone_for_a_station_or_a_disabled_login(desk):
    with desk.sessions() as db, db.begin():
        disable_user(db, AGENT)
    with desk.sessions() as db:
        phones = agent_phones(db)
    assert [(p.agent_no, p.calls_out) for p in phones] == [(LEAD, True), (HEAD, False), (ADMIN, False)]


def test_a_generated_file_is_private_and_rewritten_only_when_it_changed(tmp_path):
    path = tmp_path / "etc" / AGENTS_FILE
    assert write_generated(path, "[x]\n") is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text().endswith("[x]\n")
    assert write_generated(path, "[x]\n") is False
    assert write_generated(path, "[y]\n") is True
    assert [p.name for p in path.parent.iterdir()] == [AGENTS_FILE]       # no temporary file left


# ------------------------------------------------------- the service's guard --

class FakeAsterisk:
    """`asterisk -rx` as the guard runs it: a real process that answers like Asterisk (or fails)."""

    def __init__(self):
        self.ok, self.reloads = True, 0

    def rx(self, command: str) -> list[str]:
        self.reloads += 1
        answer = f"Module '{command.split()[-1]}' reloaded successfully." if self.ok else "Unable to connect"
        return ["/bin/echo", answer]


@pytest.fixture
def guard(desk):
    ast, now = FakeAsterisk(), [1000.0]
    g = SipGuard(desk.settings, desk.sessions, ast.rx, clock=lambda: now[0])
    g.asterisk, g.now = ast, now
    return g


def failure(address: str, account: str = "agent-1001", event: str = "ChallengeResponseFailed") -> dict:
    return {"Event": event, "Service": "PJSIP", "AccountID": account, "RemoteAddress": f"IPV4/UDP/{address}/5060"}


def test_an_address_that_keeps_failing_sip_authentication_is_banned_then_the_ban_lapses(guard):
    limit = guard.settings.sip_failures_per_address
    banned = guard.etc / BANNED_FILE

    async def run():
        for _ in range(limit - 1):
            await guard.security_event(failure("10.0.0.9"))
        assert guard.banned == {} and guard.asterisk.reloads == 0
        await guard.security_event(failure("10.0.0.9", "13304567836", "InvalidPassword"))
        assert list(guard.banned) == ["10.0.0.9"] and guard.asterisk.reloads == 1
        assert "deny = 10.0.0.9" in banned.read_text()
        await guard.security_event({"Event": "SuccessfulAuth", "RemoteAddress": "IPV4/UDP/10.0.0.8/5060"})
        guard.now[0] += 15 * 60 - 1
        assert await guard.lift_expired() == []
        guard.now[0] += 1
        assert await guard.lift_expired() == ["10.0.0.9"]
        assert "deny" not in banned.read_text() and guard.asterisk.reloads == 2
    asyncio.run(run())
    with guard.sessions() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sip_banned"))
    assert (entry.actor, entry.object_type, entry.object_id) == ("asterisk", "address", "10.0.0.9")


def test_the_pstn_gateways_address_is_never_banned(guard):
    async def run():
        for _ in range(guard.settings.sip_failures_per_address * 2):
            await guard.security_event(failure(guard.settings.pstn_gateway))
    asyncio.run(run())
    assert guard.banned == {} and guard.asterisk.reloads == 0


def test_a_logout_reaches_asterisk_as_the_agents_file_with_the_new_secret(desk, guard):
    answer, _ = desk.login(AGENT, PASSWORD, "10.0.0.1")
    desk.logout(desk.principal(answer["token"]))
    assert asyncio.run(guard.phones_changed()) is True and guard.asterisk.reloads == 1
    conf = (guard.etc / AGENTS_FILE).read_text()
    assert f"password = {secret_of(desk, AGENT)}" in conf and answer["sip"]["password"] not in conf
    assert f"agent-{STATION}" not in conf


def test_a_change_asterisk_did_not_take_is_tried_again_before_the_next_login(guard):
    guard.asterisk.ok = False
    assert asyncio.run(guard.phones_changed()) is False and guard.stale
    guard.asterisk.ok = True
    asyncio.run(guard.ensure_current())                  # not at once: a burst of logins waits for none
    assert guard.stale and guard.asterisk.reloads == 1
    guard.now[0] += 5
    asyncio.run(guard.ensure_current())
    assert not guard.stale and guard.asterisk.reloads == 2
    asyncio.run(guard.ensure_current())                  # nothing pending: no reload
    assert guard.asterisk.reloads == 2


@pytest.mark.parametrize("raw, address", [("IPV4/UDP/10.0.0.9/5060", "10.0.0.9"),
                                          ("IPV6/UDP/[::1]/5060", "::1"), ("IPV6/TCP/fe80::1/5061", "fe80::1"),
                                          ("IPV4/UDP/10.0.0.9\ndeny = 0.0.0.0/5060", None), ("", None),
                                          ("IPV4/UDP/host.example/5060", None)])
def test_only_an_address_from_a_security_event_ever_reaches_the_ban_list(raw, address):
    assert event_address({"RemoteAddress": raw}) == address


def test_the_ban_list_is_an_acl_and_empty_when_nobody_is_banned():
    assert banned_conf({}) == ""
    assert banned_conf({"10.0.0.9": 1, "10.0.0.10": 2}) == \
        "[hotline-banned]\ntype = acl\ndeny = 10.0.0.10\ndeny = 10.0.0.9\n"


def test_the_services_log_masks_a_number_given_as_a_sip_user():
    assert shown_account("agent-1001") == "agent-1001"
    assert shown_account("13304567836") == "133******36"
