"""The desk service without HTTP: logins and lock-out, who may see and change what, drafts,
on SQLite in a temp dir (no Asterisk, no network)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from db.models import AccountPhone, Call, HeatingAccount, RepairStation, Role, Ticket, TicketDraft, TicketState, User
from db.session import make_engine, migrate, session_factory
from hotline.admin.users import add_user, set_password
from hotline.service.desk import LOCK_AFTER, DeskError, DeskService, Forbidden
from hotline.service.schemas import TicketForm
from common.passwords import verify_password
from common.settings import load_settings

PASSWORD = "correct-horse-7"


@pytest.fixture
def desk(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="")
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db:
        for no, role in (("1001", Role.agent), ("1002", Role.agent), ("1101", Role.team_lead)):
            add_user(db, no, f"人{no}", role, PASSWORD)
        acc = HeatingAccount(account_no="20000001", name="王秀兰", district="和平区", compound="南湖",
                             building="1", unit="1", room="101",
                             phones=[AccountPhone(phone="13304567836"), AccountPhone(phone="02434500413")])
        db.add(acc)
        db.flush()
        t = Ticket(number="2611230001", account_id=acc.id, state=TicketState.draft)
        db.add(t)
        db.flush()
        a = db.scalar(select(User.id).where(User.agent_no == "1001"))
        db.add(Call(uniqueid="1700000000.1", caller="13800000001", ticket_id=t.id, agent_id=a))
        db.add(Call(uniqueid="1700000000.2", caller="13800000002"))
        db.commit()
    ringing: dict[str, tuple[str, str]] = {}
    service = DeskService(sessions, s, ringing.get)
    service.ring = ringing          # the test plays Asterisk: which call rings where
    return service


def login(desk, no, password=PASSWORD, source="10.0.0.1"):
    answer, _ = desk.login(no, password, source)
    return desk.principal(answer["token"])


def form(**over):
    return TicketForm(**{"category": "leak", "address": "和平区 南湖 1-1-101", "name": "王秀兰",
                         "callback_number": "13800000001", "confirmed_problem": True, "confirmed_address": True,
                         "confirmed_name": True, "confirmed_phone": True, **over})


def test_a_login_answers_a_session_with_the_pause_reasons(desk):
    answer, replaced = desk.login("1001", PASSWORD, "10.0.0.1")
    assert answer["pause_reasons"] == desk.settings.pause_reason_list and replaced == []
    assert desk.principal(answer["token"]).agent_no == "1001"


def test_a_second_login_replaces_the_first_session(desk):
    first, _ = desk.login("1001", PASSWORD, "10.0.0.1")
    _, replaced = desk.login("1001", PASSWORD, "10.0.0.2")
    assert replaced == [first["session_id"]]
    with pytest.raises(DeskError, match="其他位置"):
        desk.principal(first["token"])


def test_five_wrong_passwords_in_parallel_lock_the_account(desk):
    def guess(i):
        try:
            desk.login("1002", "wrong", f"10.0.1.{i}")
        except DeskError as e:
            return e.status
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(guess, range(8)))
    assert 423 in answers
    with pytest.raises(DeskError) as e:
        desk.login("1002", PASSWORD, "10.0.2.1")
    assert e.value.status == 423


def test_an_unknown_gonghao_is_answered_like_a_real_one_and_locks_too(desk):
    words = set()
    for i in range(4):
        for no in ("1001", "9999"):
            with pytest.raises(DeskError) as e:
                desk.login(no, "wrong", f"10.0.3.{i}{no}")
            words.add((e.value.status, e.value.message))
    assert words == {(401, "工号或密码错误")}
    with pytest.raises(DeskError) as e:
        desk.login("9999", "wrong", "10.0.4.1")
    assert e.value.status == 423


def test_one_address_gets_429_after_its_failures_and_locks_nobody(desk):
    for i in range(desk.settings.login_failures_per_address):
        with pytest.raises(DeskError):
            desk.login(str(5000 + i), "wrong", "10.9.9.9")
    with pytest.raises(DeskError) as e:
        desk.login("1001", PASSWORD, "10.9.9.9")
    assert e.value.status == 429
    assert login(desk, "1001", source="10.9.9.8").agent_no == "1001"


class SlowChecks:
    """Stands for the password KDF, slow enough that parallel logins overlap; counts its checks."""

    def __init__(self, monkeypatch):
        self.checks = 0
        self._lock = threading.Lock()
        monkeypatch.setattr("hotline.service.desk.verify_password", self)

    def __call__(self, password, stored):
        with self._lock:
            self.checks += 1
        time.sleep(0.2)
        return verify_password(password, stored)


def _guesses(desk, attempts) -> list[int]:
    """(工号, password, source) tried all at once: each answer's status (200 for a login)."""
    def attempt(args):
        try:
            desk.login(*args)
            return 200
        except DeskError as e:
            return e.status
    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(attempt, attempts))


def test_a_burst_from_one_address_gets_no_more_password_checks_than_its_limit(desk, monkeypatch):
    kdf, limit = SlowChecks(monkeypatch), desk.settings.login_failures_per_address
    answers = _guesses(desk, [(str(5000 + i), "guess", "10.7.7.7") for i in range(3 * limit)])
    assert kdf.checks == limit and answers.count(429) == 2 * limit
    assert _guesses(desk, [("1001", PASSWORD, "10.7.7.7")]) == [429]        # still this address's limit


def test_parallel_guesses_at_one_account_get_no_more_checks_than_the_lock_out(desk, monkeypatch):
    kdf = SlowChecks(monkeypatch)
    answers = _guesses(desk, [("1002", "wrong", f"10.0.5.{i}") for i in range(12)])
    assert kdf.checks == LOCK_AFTER and answers.count(401) == LOCK_AFTER - 1 and answers.count(423) == 12 - 4
    assert _guesses(desk, [("1002", PASSWORD, "10.0.6.1")]) == [423]        # locked now, right password or not
    with desk.sessions() as db, db.begin():
        set_password(db, "1002", "a-new-password-2")                        # the admin's reset starts afresh
    assert _guesses(desk, [("1002", "a-new-password-2", "10.0.6.2")]) == [200]


def test_a_pop_is_for_the_agent_it_rings_at_and_for_team_leads(desk):
    a, b, lead = login(desk, "1001"), login(desk, "1002"), login(desk, "1101")
    with pytest.raises(Forbidden):
        desk.pop("1700000000.2", "1002", b)
    desk.ring["1002"] = ("1700000000.2", "")
    assert desk.pop("1700000000.2", "1002", b)["caller"] == "13800000002"
    assert desk.pop("1700000000.1", "1001", a)["account"]["account_no"] == "20000001"   # answered by A
    assert desk.pop("1700000000.2", "1101", lead) is not None
    with pytest.raises(DeskError):
        desk.pop("../etc", "1001", a)


def test_an_account_opens_after_a_pop_or_a_search_only(desk):
    b = login(desk, "1002")
    with pytest.raises(Forbidden):
        desk.account(b, "20000001")
    desk.search(b, "20000001")
    assert desk.account(b, "20000001")["account_no"] == "20000001"


@pytest.mark.parametrize("typed", ["13304567836", "+8613304567836", "+86 133-0456-7836", "(024)34500413",
                                   "024-3450 0413", "20000001"])
def test_a_search_finds_the_account_by_a_phone_typed_any_usual_way_or_its_huhao(desk, typed):
    found = desk.search(login(desk, "1002"), typed)
    assert [a["account_no"] for a in found] == ["20000001"]


def test_a_searched_accounts_ticket_is_read_only_and_drafts_are_per_agent(desk):
    a, b, lead = login(desk, "1001"), login(desk, "1002"), login(desk, "1101")
    desk.search(b, "20000001")
    assert desk.ticket(b, "2611230001")["number"] == "2611230001"
    with pytest.raises(Forbidden):
        desk.autosave(b, "2611230001", form(notes="B"))
    with pytest.raises(Forbidden):
        desk.save(b, "2611230001", form())
    desk.autosave(a, "2611230001", form(notes="A 的草稿"))
    with pytest.raises(Forbidden):
        desk.assign(b, "2611230001", "1002")
    desk.assign(lead, "2611230001", "1002")
    desk.autosave(b, "2611230001", form(notes="B 的草稿"))
    assert desk.ticket(a, "2611230001")["draft_form"]["notes"] == "A 的草稿"
    assert desk.ticket(b, "2611230001")["draft_form"]["notes"] == "B 的草稿"
    saved = desk.save(b, "2611230001", form(notes="B 保存"))
    assert saved["state"] == "new" and saved["description"] == "B 保存"
    with desk.sessions() as db:
        assert [d.form["notes"] for d in db.scalars(select(TicketDraft))] == ["A 的草稿"]


def test_a_save_needs_all_four_read_backs(desk):
    a = login(desk, "1001")
    with pytest.raises(DeskError, match="姓名"):
        desk.save(a, "2611230001", form(confirmed_name=False))


@pytest.mark.parametrize("typed", ["abc 9;9#9", "9", "1234567", "0311234", "12800138000", "工号1001",
                                   "0068212345", "+852 1234 5678", "16812345678"])
def test_a_call_back_number_the_hotline_cannot_call_is_refused_not_cut_down(desk, typed):
    a = login(desk, "1001")
    with pytest.raises(DeskError) as e:
        desk.save(a, "2611230001", form(callback_number=typed))
    assert e.value.status == 422 and e.value.message.startswith("回电号码无效")
    assert desk.ticket(a, "2611230001")["callback_number"] == ""       # nothing was saved


def test_a_call_back_number_is_kept_as_digits_and_may_stay_empty(desk):
    a = login(desk, "1001")
    assert desk.save(a, "2611230001", form(callback_number="+86 138-0013-8000"))["callback_number"] == "13800138000"
    assert desk.save(a, "2611230001", form(callback_number="(024)2567 1234"))["callback_number"] == "02425671234"
    assert desk.save(a, "2611230001", form(callback_number="2567123"))["callback_number"] == "2567123"   # local
    assert desk.save(a, "2611230001", form(callback_number="  "))["callback_number"] == ""


def test_international_and_premium_call_back_numbers_are_taken_where_the_admin_allows_them(desk):
    a = login(desk, "1001")
    with pytest.raises(DeskError, match="国际号码"):
        desk.save(a, "2611230001", form(callback_number="0085212345678"))
    desk.settings = desk.settings.replace(outbound_allow="international")
    assert desk.save(a, "2611230001", form(callback_number="0085212345678"))["callback_number"] == "0085212345678"
    with pytest.raises(DeskError, match="声讯"):
        desk.save(a, "2611230001", form(callback_number="16812345678"))


def test_the_pause_reason_must_be_on_the_list(desk):
    assert desk.check_pause_reason(True, "用餐") == "用餐"
    assert desk.check_pause_reason(False, "anything") == ""
    with pytest.raises(DeskError):
        desk.check_pause_reason(True, "用餐\r\nAction: DBPut")


def test_recordings_and_voice_are_served_only_from_their_directories(desk):
    a = login(desk, "1001")
    with desk.sessions() as db, db.begin():
        db.scalar(select(Ticket)).voice_path = "/etc/passwd"
    with pytest.raises(DeskError) as e:
        desk.voice_file(a, "2611230001")
    assert e.value.status == 404


@pytest.mark.parametrize("reason", ["话后整理", "未接听", "随便写的"])
def test_an_agent_cannot_pause_with_a_reason_the_server_keeps_for_itself_or_any_free_text(desk, reason):
    with pytest.raises(DeskError) as e:
        desk.check_pause_reason(True, reason)
    assert e.value.status == 422


def test_team_leads_see_every_agents_queue_state_and_agents_do_not(desk):
    live = {"1001": {"member": True, "paused": True, "reason": "未接听"}}
    board = desk.agents_board(login(desk, "1101"), lambda no: live.get(no, {"member": False}))
    assert [(a["agent_no"], a.get("reason"), a["logged_in"]) for a in board][:2] == [("1001", "未接听", False),
                                                                                     ("1002", None, False)]
    with pytest.raises(Forbidden):
        desk.agents_board(login(desk, "1001"), lambda no: {})


def test_an_agent_rejects_only_the_call_ringing_at_them(desk):
    a = login(desk, "1001")
    desk.ring["1001"] = ("1700000000.2", "")
    desk.reject(a, "1700000000.2")
    with pytest.raises(Forbidden):
        desk.reject(a, "1700000000.1")


def test_an_agent_makes_a_ticket_on_a_call_without_one_and_a_second_for_another_problem(desk):
    a, b = login(desk, "1001"), login(desk, "1002")
    desk.ring["1002"] = ("1700000000.2", "")                # the degraded call (no IVR draft) rings at B
    first = desk.new_ticket(b, "1700000000.2")
    assert first["state"] == "draft" and first["caller_number"] == "13800000002"
    assert first["callback_number"] == "13800000002"
    desk.save(b, first["number"], form(category="no_heat"))  # B works on it: it is theirs
    with desk.sessions() as db:
        assert db.scalar(select(Call.ticket_id).where(Call.uniqueid == "1700000000.2")) is not None
    second = desk.new_ticket(a, "1700000000.1")             # A's answered call, a second problem
    assert second["number"] != first["number"] and second["account_no"] == "20000001"
    with desk.sessions() as db:                              # the call keeps its first ticket
        assert db.scalar(select(Ticket.number).join(Call, Call.ticket_id == Ticket.id)
                         .where(Call.uniqueid == "1700000000.1")) == "2611230001"
    with pytest.raises(Forbidden):
        desk.new_ticket(b, "1700000000.1")                   # not B's call
    with pytest.raises(DeskError):
        desk.new_ticket(a, "no-such-call")


def test_a_station_logins_answer_names_its_station(desk):
    with desk.sessions() as db:
        st = RepairStation(code="TX", name="铁西维修站", phone="02425670000")
        db.add(st)
        db.flush()
        add_user(db, "5101", "铁西维修站 值班", Role.station, PASSWORD).station_id = st.id
        db.commit()
    answer, _ = desk.login("5101", PASSWORD, "10.0.0.9")
    assert answer["user"] == {"agent_no": "5101", "name": "铁西维修站 值班", "role": "station",
                              "station_code": "TX", "station": "铁西维修站"}
