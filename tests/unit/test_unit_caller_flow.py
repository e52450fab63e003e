"""The caller's path (docs/product.md §1) driven over a fake `Channel`, with the real `Records` on
SQLite: every step and branch, in milliseconds, no Asterisk. The real-call tests in
tests/integration prove the same flows over FastAGI and SIP."""
from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import (DONE_STATES, OPEN_STATES, AccountPhone, Call, CallOutcome, Category, District, HeatingAccount, HolidayOverride,
                       Recording, RepairStation, Ticket, TicketState, User)
from db.session import make_engine, migrate, session_factory
from common.settings import load_settings
from ivr import flows
from made_by_ivr import recorded_wav
from ivr.channel import CallerHungUp
from ivr.context import IvrContext, Records
from ivr.flows import answered, call_end, caller_flow, no_agent, opener_prompt, queue_callback
from ivr import prompts
from ivr.prompts import P, digit_sounds, sound_name

HANGUP = object()        # the caller hangs up instead of pressing a key
KNOWN = "13800000001"    # one account's phone
SHARED = "13800000002"   # two accounts share it
ACCOUNT_A, ACCOUNT_B = "20000001", "20000002"
ADDRESS = "和平区南湖小区3号楼2单元501室"
#: the read-backs rendered before the call (the service renders every account's in the background)
RENDERED = {ADDRESS, "和平维修站"}


class FakeChannel:
    """A scripted caller: each get_digits takes the next answer ('' = silence, HANGUP)."""

    def __init__(self, caller_id: str, answers=(), uniqueid: str = "1700000000.1"):
        self.uniqueid = self.linkedid = uniqueid
        self.caller_id, self.dnid = caller_id, "8000"
        self.answers = list(answers)
        self.played: list[str] = []      # every sound, prompts of menus included
        self.vars: dict[str, str] = {}
        self.recorded: list[str] = []
        self.hung_up = False

    async def play(self, *sounds: str, escape: str = "") -> str:
        self.played += sounds
        return ""

    async def get_digits(self, sounds: list[str], max_digits: int, timeout_ms: int) -> str:
        self.played += sounds
        answer = self.answers.pop(0) if self.answers else HANGUP
        if answer is HANGUP:
            raise CallerHungUp()
        return answer

    async def record(self, path_no_ext: str, fmt: str, max_s: int, escape: str = "#", silence_s: int = 0) -> None:
        path = Path(f"{path_no_ext}.{fmt}")
        recorded_wav(path, 1.0)                         # a second of audio: "something was said"
        self.recorded.append(str(path))

    async def set_var(self, name: str, value: str) -> None:
        self.vars[name.lstrip("_")] = value

    async def get_var(self, name: str) -> str:
        return self.vars.get(name, "")

    async def hangup(self) -> None:
        self.hung_up = True

    def heard(self, prompt: str) -> bool:
        return sound_name(prompt) in self.played

    def count(self, prompt: str) -> int:
        return self.played.count(sound_name(prompt))


@pytest.fixture
def ctx(tmp_path, monkeypatch) -> IvrContext:
    # nothing is synthesised on a call: any TTS on the path fails the test
    def no_tts(*_a, **_k):
        raise AssertionError("TTS on the call path")
    monkeypatch.setattr(prompts, "synthesise", no_tts)
    monkeypatch.setattr(prompts, "tts_sound", no_tts)
    # read-backs rendered ahead of the call (render_readbacks) stand as names: 'tts/<text>'
    monkeypatch.setattr(flows, "readback_sound", lambda _s, text: f"tts/{text}" if text in RENDERED else None)
    # a read's deadline far off: a loaded test machine must not send these flows down the
    # database-stall path (test_unit_database_stalls tests that path with its own deadlines)
    s = load_settings(home=str(tmp_path / "home"), today="2026-11-23T10:00", db_url="", db_deadline_s=15)
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db, db.begin():
        st = RepairStation(code="HP", name="和平维修站", phone="024-23000000")
        db.add(st)
        db.flush()
        db.add(District(name="和平区", station_id=st.id))
        for no, phones in ((ACCOUNT_A, [KNOWN, SHARED]), (ACCOUNT_B, [SHARED])):
            acc = HeatingAccount(account_no=no, name="王秀兰", district="和平区", compound="南湖小区",
                                 building="3", unit="2", room="501")
            acc.phones = [AccountPhone(phone=p) for p in phones]
            db.add(acc)
        db.add(User(agent_no="1001", name="李娜", role="agent", password_hash="x", sip_secret="y"))
    return IvrContext(s, Records(sessions, s))


def at(ctx: IvrContext, when: str) -> IvrContext:
    s = ctx.settings.replace(today=when)
    return IvrContext(s, Records(ctx.records.sessions, s))


async def run(ctx, caller: str, *answers, uniqueid: str = "1700000000.1") -> FakeChannel:
    ch = FakeChannel(caller, answers, uniqueid)
    await flows.run_flow(caller_flow, ch, ctx, "caller")
    return ch


def the_call(ctx, uniqueid: str = "1700000000.1") -> Call:
    with ctx.records.sessions() as db:
        return db.scalar(select(Call).where(Call.uniqueid == uniqueid))


def the_ticket(ctx, uniqueid: str = "1700000000.1") -> Ticket | None:
    with ctx.records.sessions() as db:
        call = db.scalar(select(Call).where(Call.uniqueid == uniqueid))
        return db.get(Ticket, call.ticket_id) if call and call.ticket_id else None


# ------------------------------------------------------------- greeting --

@pytest.mark.parametrize("when,opener", [
    ("2026-11-23T10:00", P.greeting_hello),
    ("2027-01-01T10:00", P.greeting_xinnian),       # 元旦
    ("2027-02-06T10:00", P.greeting_xinnian),       # 春节
    ("2026-05-01T10:00", P.greeting_laodong),
    ("2026-09-25T10:00", P.greeting_zhongqiu),      # 中秋 2026
    ("2026-10-02T10:00", P.greeting_guoqing),
])
async def test_the_greeting_uses_the_days_opener(ctx, when, opener):
    ch = await run(at(ctx, when), "13900000000")
    assert ch.played[:2] == [sound_name(opener), sound_name(P.greeting_welcome)]
    assert ch.vars["HOTLINE_GREETED"] == "1"


async def test_an_admins_notice_window_overrides_the_calendar(ctx):
    with ctx.records.sessions() as db, db.begin():
        db.add(HolidayOverride(holiday="guoqing", year=2026, start=datetime(2026, 11, 20),
                               end=datetime(2026, 11, 25), note="通知"))
    ch = await run(ctx, "13900000000")
    assert ch.played[0] == sound_name(P.greeting_guoqing) and ch.vars["HOTLINE_OPENER"] == "guoqing"


# --------------------------------------------------------------- hours --

async def test_after_hours_a_message_and_call_back_number_make_a_call_back_ticket(ctx):
    evening = at(ctx, "2026-06-06T22:00")            # outside the season, a Saturday night
    ch = await run(evening, KNOWN, "1")              # confirms the caller id as call-back number
    assert ch.heard(P.after_hours) and ch.heard(P.after_hours_thanks) and ch.recorded
    assert ch.vars["HOTLINE_ROUTE"] == "hangup"
    t = the_ticket(evening)
    assert t.callback_requested and t.callback_number == KNOWN and t.voice_path
    assert the_call(evening).outcome is CallOutcome.after_hours_message


async def test_in_the_heating_season_the_line_is_staffed_at_night(ctx):
    ch = await run(at(ctx, "2026-12-06T03:00"), "13900000000", "", "", "", "0")
    assert not ch.heard(P.after_hours) and ch.vars["HOTLINE_ROUTE"] == "queue"


async def test_on_a_working_day_outside_the_season_office_hours_are_staffed(ctx):
    ch = await run(at(ctx, "2026-06-08T10:00"), "13900000000", "", "", "", "0")   # a Monday
    assert not ch.heard(P.after_hours)


# -------------------------------------------------------- identification --

async def test_a_caller_id_of_one_account_is_read_back_and_confirmed_with_1(ctx):
    ch = await run(ctx, KNOWN, "1", "0")
    assert ch.heard(P.address_confirm) and not ch.heard(P.account_enter)
    assert ch.vars["HOTLINE_ACCOUNT"] == ACCOUNT_A
    assert any(s.startswith("tts/和平区南湖小区") for s in ch.played)


async def test_pressing_2_at_the_read_back_asks_for_the_account_number(ctx):
    ch = await run(ctx, KNOWN, "2", ACCOUNT_B, "1", "0")
    assert ch.heard(P.account_enter) and ch.vars["HOTLINE_ACCOUNT"] == ACCOUNT_B


@pytest.mark.parametrize("caller", [SHARED, "13900000000", "", "anonymous"])
async def test_an_unknown_or_shared_number_is_asked_for_the_account_number(ctx, caller):
    ch = await run(ctx, caller, ACCOUNT_A, "1", "0")
    assert not ch.heard(P.address_confirm) and ch.heard(P.account_enter)
    assert ch.heard(P.address_confirm_rekey) and ch.vars["HOTLINE_ACCOUNT"] == ACCOUNT_A


async def test_a_keyed_account_is_read_back_and_2_lets_the_caller_key_again(ctx):
    ch = await run(ctx, "13900000000", ACCOUNT_A, "2", ACCOUNT_B, "1", "0")
    assert ch.count(P.account_enter) == 2 and ch.vars["HOTLINE_ACCOUNT"] == ACCOUNT_B


async def test_three_wrong_or_empty_account_numbers_continue_without_an_account(ctx):
    ch = await run(ctx, "13900000000", "99999999", "", "1*2*3", "0")
    assert ch.count(P.account_enter) == 3 and ch.heard(P.account_not_found) and ch.heard(P.no_input)
    assert ch.heard(P.account_continue_without) and "HOTLINE_ACCOUNT" not in ch.vars
    assert ch.vars["HOTLINE_ROUTE"] == "queue"


# ---------------------------------------------------------- open ticket --

def open_ticket(ctx, state=TicketState.dispatched, callback=False, station=True) -> str:
    with ctx.records.sessions() as db, db.begin():
        acc = db.scalar(select(HeatingAccount).where(HeatingAccount.account_no == ACCOUNT_A))
        st = db.scalar(select(RepairStation))
        db.add(Ticket(number="2611200001", account_id=acc.id, state=state, station_id=st.id if station else None,
                      callback_requested=callback))
    return "2611200001"


async def test_an_open_ticket_is_offered_and_1_reads_its_number_state_and_station(ctx):
    number = open_ticket(ctx)
    ch = await run(ctx, KNOWN, "1", "1", "0")
    assert ch.heard(P.open_ticket_offer) and ch.heard(P.state_dispatched) and ch.heard(P.ticket_station_is)
    assert "tts/和平维修站" in ch.played
    i = ch.played.index(sound_name(P.ticket_status_intro))      # the number from digit prompts
    assert ch.played[i + 1:i + 11] == digit_sounds(number) == [sound_name(f"digit_{d}") for d in number]
    assert ch.vars["HOTLINE_TICKET"] == number and ch.vars["HOTLINE_ROUTE"] == "queue"
    assert the_ticket(ctx).number == number                     # the call is linked to it


async def test_after_the_status_1_starts_a_new_report_with_its_own_ticket(ctx):
    number = open_ticket(ctx)
    ch = await run(ctx, KNOWN, "1", "1", "1", "1", "1", HANGUP)
    assert ch.heard(P.problem_menu)
    assert the_ticket(ctx).number != number


async def test_hearing_the_status_is_recorded_and_a_hang_up_after_it_is_at_the_status_step(ctx):
    open_ticket(ctx)
    await run(ctx, KNOWN, "1", "1", HANGUP)
    call = the_call(ctx)
    assert call.last_step == "status" and call.status_heard_at is not None      # self-service, for the reports
    await run(ctx, KNOWN, "1", "2", "0", uniqueid="1700000000.2")
    assert the_call(ctx, "1700000000.2").status_heard_at is None                # offered, not heard


async def test_2_at_the_offer_goes_straight_to_a_new_report(ctx):
    open_ticket(ctx)
    ch = await run(ctx, KNOWN, "1", "2", "0")
    assert ch.heard(P.problem_menu) and not ch.heard(P.ticket_status_intro)


@pytest.mark.parametrize("state", [TicketState.completed, TicketState.followed_up, TicketState.resolved,
                                   TicketState.closed, TicketState.cancelled])
async def test_a_ticket_that_is_done_is_not_offered(ctx, state):
    open_ticket(ctx, state)
    ch = await run(ctx, KNOWN, "1", "0")
    assert not ch.heard(P.open_ticket_offer)


@pytest.mark.parametrize("state", OPEN_STATES)
async def test_a_ticket_still_being_worked_is_offered(ctx, state):
    open_ticket(ctx, state)
    ch = await run(ctx, KNOWN, "1", "2", "0")
    assert ch.heard(P.open_ticket_offer)


def test_every_ticket_state_is_open_or_done_and_has_its_spoken_state():
    assert set(OPEN_STATES) | set(DONE_STATES) == set(TicketState) and not set(OPEN_STATES) & set(DONE_STATES)
    assert set(flows.STATE_PROMPTS) == set(TicketState)
    assert len(set(flows.STATE_PROMPTS.values())) == len(TicketState)     # no two states say the same


STATION = "tts/和平维修站"


@pytest.mark.parametrize("state,callback,station,readout", [
    # a draft is nobody's confirmed word: the booked call-back, or the wait for confirmation; no station
    (TicketState.draft, True, True, [P.state_callback_booked]),
    (TicketState.draft, False, True, [P.state_unconfirmed]),
    # a confirmed repair: the station expected (suggested by the address), when there is one
    (TicketState.new, False, True, [P.state_new, P.ticket_station_expected, STATION]),
    (TicketState.new, False, False, [P.state_new]),
    # at the station: the one working on it
    (TicketState.dispatched, False, True, [P.state_dispatched, P.ticket_station_is, STATION]),
    (TicketState.accepted, False, True, [P.state_accepted, P.ticket_station_is, STATION]),
    (TicketState.contacted, False, True, [P.state_contacted, P.ticket_station_is, STATION]),
    (TicketState.dispatched, False, False, [P.state_dispatched]),
    # a call-back booked on a confirmed repair (by a later call about it) is said after it
    (TicketState.new, True, True, [P.state_new, P.ticket_station_expected, STATION, P.state_callback_booked]),
    (TicketState.contacted, True, True, [P.state_contacted, P.ticket_station_is, STATION, P.state_callback_booked]),
])
async def test_the_status_readout_says_what_stands_of_the_ticket(ctx, state, callback, station, readout):
    number = open_ticket(ctx, state, callback=callback, station=station)
    ch = await run(ctx, KNOWN, "1", "1", "0")
    i = ch.played.index(sound_name(P.ticket_status_intro))
    assert ch.played[i + 1:i + 11] == digit_sounds(number)
    end = ch.played.index(sound_name(P.after_status_menu))
    assert ch.played[i + 11:end] == [s if s.startswith("tts/") else sound_name(s) for s in readout]


def test_a_draft_is_never_read_as_accepted():
    """已受理 is a team lead's word (draft → new): a draft's readout must not say it."""
    catalog = prompts.load_catalog()
    for prompt in (flows.STATE_PROMPTS[TicketState.draft], P.state_callback_booked):
        assert "受理" not in catalog[prompt] and "维修站" not in catalog[prompt]
    assert "受理" in catalog[flows.STATE_PROMPTS[TicketState.new]]


def test_every_open_state_has_a_sentence_of_its_own_and_a_station_where_one_works_on_it():
    catalog = prompts.load_catalog()
    spoken = [catalog[flows.STATE_PROMPTS[s]] for s in OPEN_STATES]
    assert len(set(spoken)) == len(OPEN_STATES) and all(spoken)
    assert set(flows.STATION_PROMPTS) == set(OPEN_STATES) - {TicketState.draft}


# -------------------------------------------------------------- problem --

@pytest.mark.parametrize("key,category", [("1", Category.no_heat), ("2", Category.leak), ("3", Category.noise),
                                          ("4", Category.other)])
async def test_each_problem_key_drafts_its_category(ctx, key, category):
    ch = await run(ctx, KNOWN, "1", key, "1", HANGUP)
    assert the_ticket(ctx).category is category
    assert ch.vars["HOTLINE_CATEGORY"] == category.value


async def test_a_leak_raises_the_queue_priority(ctx):
    ch = await run(ctx, KNOWN, "1", "2", "1")
    assert ch.vars["HOTLINE_PRIORITY"] == str(flows.LEAK_PRIORITY)
    assert the_ticket(ctx).priority == flows.LEAK_PRIORITY


async def test_cold_radiators_queue_at_normal_priority(ctx):
    ch = await run(ctx, KNOWN, "1", "1", "1")
    assert ch.vars["HOTLINE_PRIORITY"] == "0" and ch.vars["HOTLINE_ROUTE"] == "queue"


async def test_0_at_the_problem_menu_goes_to_an_agent_with_a_draft(ctx):
    ch = await run(ctx, KNOWN, "1", "0")
    assert ch.vars["HOTLINE_ROUTE"] == "queue" and not ch.heard(P.callback_confirm)
    assert the_ticket(ctx).category is None


async def test_wrong_keys_and_silence_repeat_the_menu_three_times_then_an_agent(ctx):
    ch = await run(ctx, KNOWN, "1", "9", "", "*")
    assert ch.count(P.problem_menu) == 3 and ch.heard(P.invalid_key) and ch.heard(P.no_input)
    assert ch.vars["HOTLINE_ROUTE"] == "queue"


# ------------------------------------------------------ call-back number --

async def test_the_caller_id_is_confirmed_as_call_back_number(ctx):
    await run(ctx, KNOWN, "1", "1", "1")
    assert the_ticket(ctx).callback_number == KNOWN


async def test_2_at_the_call_back_read_back_lets_the_caller_key_another_number(ctx):
    ch = await run(ctx, KNOWN, "1", "1", "2", "02425610001", "1")
    assert ch.heard(P.callback_enter) and the_ticket(ctx).callback_number == "02425610001"


@pytest.mark.parametrize("number,valid", [("13912345678", True), ("0242561000", True), ("2561234", True),
                                          ("25612345", True), ("0241234", False), ("1234567", False),
                                          ("23912345678", False), ("123", False), ("1391234567", False)])
async def test_a_keyed_call_back_number_must_be_a_mobile_or_a_landline(ctx, number, valid):
    ch = await run(ctx, "anonymous", "", "", "", "1", number, "1", HANGUP)
    assert ch.heard(P.callback_invalid) is not valid
    if valid:
        assert the_ticket(ctx).callback_number == number


@pytest.mark.parametrize("number", ["0068212345", "0085212345678", "16812345678"])
async def test_an_international_or_premium_call_back_number_is_refused_and_asked_again(ctx, number):
    """The hotline does not call these here (HOTLINE_OUTBOUND_ALLOW empty): the caller hears that the
    number cannot be called back, and keys another."""
    ch = await run(ctx, "anonymous", "", "", "", "1", number, "13912345678", "1", HANGUP)
    assert ch.count(P.callback_not_dialable) == 1 and not ch.heard(P.callback_invalid)
    assert ch.count(P.callback_enter) == 2 and the_ticket(ctx).callback_number == "13912345678"


async def test_an_international_caller_id_is_not_offered_as_call_back_number(ctx):
    ch = await run(ctx, "+852 1234 5678", "", "", "", "1", "", "", "")
    assert not ch.heard(P.callback_confirm) and ch.count(P.callback_enter) == 3
    assert the_ticket(ctx).callback_number == ""


async def test_an_international_call_back_number_is_taken_where_the_admin_allows_it(ctx):
    allowed = IvrContext(ctx.settings.replace(outbound_allow="international"), ctx.records)
    ch = await run(allowed, "anonymous", "", "", "", "1", "0085212345678", "1", HANGUP)
    assert not ch.heard(P.callback_not_dialable) and the_ticket(ctx).callback_number == "0085212345678"
    ch = await run(allowed, "+852 1234 5678", "", "", "", "1", "1", HANGUP, uniqueid="1700000000.2")
    assert ch.heard(P.callback_confirm)                     # the caller id, offered for confirmation
    assert the_ticket(ctx, "1700000000.2").callback_number == "0085212345678"


async def test_three_invalid_call_back_numbers_go_on_without_one(ctx):
    ch = await run(ctx, "anonymous", "", "", "", "1", "123", "", "456")
    assert ch.count(P.callback_enter) == 3 and ch.vars["HOTLINE_ROUTE"] == "queue"
    assert the_ticket(ctx).callback_number == ""


# ---------------------------------------------- voice, ticket number, queue --

async def test_the_voice_description_is_kept_with_the_ticket(ctx):
    ch = await run(ctx, KNOWN, "1", "1", "1")
    t = the_ticket(ctx)
    assert ch.heard(P.voice_description) and t.voice_path == ch.recorded[0]
    assert Path(t.voice_path).is_relative_to(ctx.settings.voice_dir)
    assert ch.vars["HOTLINE_VOICE"] == t.voice_path


# ------------------------------------------------ nothing synthesised on a call --

async def test_the_whole_intake_plays_only_files_numbers_from_digit_prompts(ctx):
    """The full intake (address confirmed, leak, call-back confirmed, voice, ticket number):
    the address is the pre-rendered file, the call-back and ticket numbers are digit prompts, and
    no TTS runs (the fixture makes any synthesis fail the test)."""
    ch = await run(ctx, KNOWN, "1", "2", "1", "#")
    t = the_ticket(ctx)
    assert f"tts/{ADDRESS}" in ch.played
    assert [s for s in ch.played if s.startswith("tts/")] == [f"tts/{ADDRESS}"]
    i = ch.played.index(sound_name(P.callback_number_is))
    assert ch.played[i + 1:i + 12] == digit_sounds(KNOWN)
    i = ch.played.index(sound_name(P.ticket_number_is))
    assert ch.played[i + 1:i + 11] == digit_sounds(t.number) and len(t.number) == 10
    assert ch.vars["HOTLINE_ROUTE"] == "queue" and t.category is Category.leak


async def test_an_address_not_rendered_yet_is_read_as_the_account_numbers_digits(ctx, monkeypatch):
    monkeypatch.setattr(flows, "readback_sound", lambda _s, _text: None)   # imported a moment ago
    ch = await run(ctx, KNOWN, "1", "0")
    assert not ch.heard(P.your_address_is) and ch.heard(P.your_account_is)
    i = ch.played.index(sound_name(P.your_account_is))
    assert ch.played[i + 1:i + 9] == digit_sounds(ACCOUNT_A)
    assert ch.vars["HOTLINE_ACCOUNT"] == ACCOUNT_A and not any(s.startswith("tts/") for s in ch.played)


async def test_a_station_not_rendered_yet_is_left_out_of_the_status(ctx, monkeypatch):
    open_ticket(ctx)
    monkeypatch.setattr(flows, "readback_sound", lambda _s, text: f"tts/{text}" if text == ADDRESS else None)
    ch = await run(ctx, KNOWN, "1", "1", "0")
    assert ch.heard(P.state_dispatched) and not ch.heard(P.ticket_station_is)


def test_digit_sounds_are_the_catalogs_digit_prompts_and_drop_anything_else():
    assert digit_sounds("13-8*0#") == [sound_name(P.digit_1), sound_name(P.digit_3), sound_name(P.digit_8),
                                        sound_name(P.digit_0)]
    assert digit_sounds("") == []


def test_read_backs_are_rendered_in_bulk_within_the_bound_and_rebuilt(tmp_path, monkeypatch):
    """render_readbacks: missing ones rendered, a full cache drops stale files first, past the
    bound nothing more; prune (hotline prompts render) keeps exactly the wanted ones."""
    made = []

    def fake_synth(text, out, _voice):
        made.append(text)
        out.write_bytes(b"x" * 600_000)
    monkeypatch.setattr(prompts, "synthesise", fake_synth)
    monkeypatch.setattr(prompts, "speaking_voice", lambda v: v)
    s = load_settings(home=str(tmp_path / "home"), tts_cache_mb=1)
    got = prompts.render_readbacks(s, ["甲"])
    assert got["rendered"] == 1 and prompts.readback_sound(s, "甲") and not prompts.readback_sound(s, "乙")
    assert prompts.render_readbacks(s, ["甲"])["rendered"] == 0           # rendered once
    got = prompts.render_readbacks(s, ["乙"])          # 甲 is stale: still there, under the bound
    assert got["rendered"] == 1 and prompts.readback_sound(s, "乙")
    got = prompts.render_readbacks(s, ["乙", "丙"])    # full: the stale 甲 goes first
    assert got["removed"] == 1 and not prompts.readback_sound(s, "甲") and prompts.readback_sound(s, "丙")
    got = prompts.render_readbacks(s, ["乙", "丙", "丁"])   # full, nothing stale: nothing more
    assert got["skipped"] == 1 and prompts.readback_sound(s, "丁") is None
    got = prompts.render_readbacks(s.replace(tts_cache_mb=10), ["丙"], prune=True)
    assert got["removed"] == 1 and prompts.readback_sound(s, "丙") and not prompts.readback_sound(s, "乙")


async def test_the_ticket_number_is_read_out_before_the_queue(ctx):
    ch = await run(ctx, KNOWN, "1", "1", "1")
    t = the_ticket(ctx)
    assert ch.heard(P.ticket_number_is) and ch.vars["HOTLINE_TICKET"] == t.number
    assert ch.played.index(sound_name(P.ticket_number_is)) > ch.played.index(sound_name(P.voice_description))
    assert t.state is TicketState.draft and the_call(ctx).queued_at is not None


class RepeatingCaller(FakeChannel):
    """Presses '*' while the ticket number is read, `times` times."""

    def __init__(self, *a, times: int = 1, **kw):
        super().__init__(*a, **kw)
        self.times = times

    async def play(self, *sounds: str, escape: str = "") -> str:
        self.played += sounds
        if "*" in escape and sound_name(P.ticket_number_repeat) in sounds and self.times:
            self.times -= 1
            return "*"
        return ""


@pytest.mark.parametrize("times,heard", [(0, 1), (1, 2), (2, 3), (9, 1 + flows.TICKET_REPEATS)])
async def test_star_repeats_the_ticket_number(ctx, times, heard):
    ch = RepeatingCaller(KNOWN, ("1", "1", "1"), times=times)
    await flows.run_flow(caller_flow, ch, ctx, "caller")
    assert ch.count(P.ticket_number_is) == heard and ch.count(P.ticket_number_repeat) == heard
    assert ch.vars["HOTLINE_ROUTE"] == "queue"


# --------------------------------------------------- hang-up at each step --

@pytest.mark.parametrize("answers,step,has_ticket", [
    ((HANGUP,), "identify", False),
    (("1", HANGUP), "problem", False),
    (("1", "2", HANGUP), "callback", True),
])
async def test_a_hang_up_leaves_the_step_and_keeps_the_draft(ctx, answers, step, has_ticket):
    await run(ctx, KNOWN, *answers)
    assert the_call(ctx).last_step == step
    assert (the_ticket(ctx) is not None) is has_ticket
    if has_ticket:
        assert the_ticket(ctx).category is Category.leak


@pytest.mark.parametrize("answers,flagged", [
    ((HANGUP,), False),                   # nothing keyed: no ticket to call back on
    (("1", HANGUP), False),               # at the problem menu: no ticket yet
    (("1", "2", HANGUP), True),           # the problem is known
    (("1", "1", "2", HANGUP), True),      # while keying another call-back number
    (("1", "1", "1", HANGUP), True),      # at the voice description / ticket number
])
async def test_a_hang_up_in_the_ivr_after_the_problem_is_known_flags_the_draft_for_call_back(ctx, answers, flagged):
    class HangsUpAtVoice(FakeChannel):
        async def record(self, *a, **kw):
            raise CallerHungUp()
    ch = HangsUpAtVoice(KNOWN, answers)
    await flows.run_flow(caller_flow, ch, ctx, "caller")
    await call_end(FakeChannel(KNOWN, uniqueid="1700000000.1"), ctx)
    call, t = the_call(ctx), the_ticket(ctx)
    assert call.outcome is CallOutcome.in_ivr_hangup
    assert (t is not None and t.callback_requested) is flagged
    if flagged:
        assert t.callback_reason is CallOutcome.in_ivr_hangup


# ------------------------------------------------- nobody waits forever --

async def queued_then(ctx, status: str, *answers) -> FakeChannel:
    """A caller reported a cold radiator and went to the queue; Queue() came back with `status`."""
    await run(ctx, KNOWN, "1", "1", "1")
    ch = FakeChannel(KNOWN, answers, uniqueid="1700000000.1")
    ch.vars.update({"HOTLINE_CALL": "1700000000.1", "QUEUESTATUS": status})
    await flows.run_flow(no_agent, ch, ctx, "no_agent")
    return ch


@pytest.mark.parametrize("status,reason,offer", [("JOINEMPTY", CallOutcome.no_agent, P.no_agent_offer),
                                                 ("LEAVEEMPTY", CallOutcome.no_agent, P.no_agent_offer),
                                                 ("TIMEOUT", CallOutcome.max_wait, P.max_wait_offer)])
async def test_no_agent_or_the_maximum_wait_offers_the_call_back_and_books_it_without_a_key(ctx, status, reason,
                                                                                           offer):
    ch = await queued_then(ctx, status, "", "")            # silence twice: booked anyway
    t = the_ticket(ctx)
    assert ch.heard(offer) and ch.count(P.no_agent_choice) == 2
    assert t.callback_requested and t.callback_reason is reason and the_call(ctx).outcome is reason
    assert ch.heard(P.no_agent_booked) and ch.heard(P.ticket_number_is) and ch.heard(P.goodbye)
    assert ch.vars["HOTLINE_ROUTE"] == "hangup" and ch.vars["HOTLINE_TICKET"] == t.number
    await call_end(FakeChannel(KNOWN, uniqueid="1700000000.1"), ctx)
    assert the_call(ctx).outcome is reason                 # the hang-up handler keeps the reason


async def test_key_2_at_the_no_agent_offer_leaves_a_message_on_the_ticket(ctx):
    ch = await queued_then(ctx, "JOINEMPTY", "2")
    t = the_ticket(ctx)
    assert ch.heard(P.no_agent_record) and t.voice_path == ch.recorded[-1] and t.callback_requested


async def test_a_hang_up_during_the_no_agent_offer_is_still_booked(ctx):
    await queued_then(ctx, "JOINEMPTY")                     # no answer at all: hangs up
    await call_end(FakeChannel(KNOWN, uniqueid="1700000000.1"), ctx)
    t = the_ticket(ctx)
    assert t.callback_requested and t.callback_reason is CallOutcome.no_agent


async def test_a_degraded_call_without_a_record_gets_one_and_a_call_back_ticket(ctx):
    ch = FakeChannel("13900000077", ("1",), uniqueid="1700000000.5")
    ch.vars["QUEUESTATUS"] = "JOINEMPTY"
    await flows.run_flow(no_agent, ch, ctx, "no_agent")
    t = the_ticket(ctx, "1700000000.5")
    assert t.callback_requested and t.callback_number == "13900000077"
    assert ch.vars["HOTLINE_ROUTE"] == "hangup"


@pytest.mark.parametrize("when,prompt", [("2026-11-23T10:00", P.greeting_hello),
                                         ("2027-02-06T10:00", P.greeting_xinnian),
                                         ("2026-10-02T10:00", P.greeting_guoqing)])
def test_the_days_opener_prompt_for_the_degraded_path(when, prompt):
    assert opener_prompt(datetime.fromisoformat(when)) == prompt


# -------------------------------------------- queue, end of call, answer --

async def test_key_1_in_the_queue_flags_the_ticket_for_call_back(ctx):
    await run(ctx, KNOWN, "1", "1", "1")
    ch = FakeChannel(KNOWN, uniqueid="1700000000.2")
    ch.vars["HOTLINE_CALL"] = "1700000000.1"
    await queue_callback(ch, ctx)
    assert the_ticket(ctx).callback_requested and ch.heard(P.callback_thanks) and ch.hung_up
    assert the_call(ctx).outcome is CallOutcome.callback_requested


@pytest.mark.parametrize("answered_,queued,outcome", [(True, True, CallOutcome.answered),
                                                     (False, True, CallOutcome.abandoned),
                                                     (False, False, CallOutcome.in_ivr_hangup)])
async def test_the_end_of_a_call_says_where_the_caller_left(ctx, answered_, queued, outcome):
    await run(ctx, KNOWN, "1", "1", "1") if queued else await run(ctx, KNOWN, HANGUP)
    if answered_:
        agent = FakeChannel("1001", uniqueid="1700000000.9")
        agent.vars.update({"HOTLINE_CALL": "1700000000.1", "CHANNEL(endpoint)": "agent-1001", "REC": ""})
        await answered(agent, ctx)
    end = FakeChannel(KNOWN, uniqueid="1700000000.1")
    await call_end(end, ctx)
    assert the_call(ctx).outcome is outcome
    if outcome is CallOutcome.abandoned:        # lost in the queue: never lost for good
        assert the_ticket(ctx).callback_requested


async def test_an_answer_links_the_agent_and_only_a_recording_under_the_recordings_dir(ctx):
    await run(ctx, KNOWN, "1", "1", "1")
    rec_dir = ctx.settings.recordings_dir
    for rec in ("/etc/passwd", str(rec_dir / "../hotline.db"), str(rec_dir / "2026/11/23/1700000000.1.wav")):
        agent = FakeChannel("1001", uniqueid="1700000000.9")
        agent.vars.update({"HOTLINE_CALL": "1700000000.1", "CHANNEL(endpoint)": "agent-1001", "REC": rec})
        await answered(agent, ctx)
    with ctx.records.sessions() as db:
        paths = [r.path for r in db.scalars(select(Recording))]
        agent_id = db.scalar(select(User.id).where(User.agent_no == "1001"))
    assert paths == [str((rec_dir / "2026/11/23/1700000000.1.wav").resolve())]
    assert the_call(ctx).agent_id == agent_id


# ------------------------------------------------------------ under load --

async def test_where_the_caller_is_goes_with_the_calls_own_writes_never_alone_between_prompts(ctx):
    """Asterisk drops a key pressed between two AGI commands: the intake writes no step of its own
    between two prompts — it rides on the ticket's saves, and the last one is written as the flow
    ends (a hang-up included)."""
    alone: list[str] = []
    records_step = ctx.records.step

    def step(call_id, name):
        alone.append(name)
        records_step(call_id, name)

    ctx.records.step = step
    await run(ctx, KNOWN, "1", "2", "1", "#")
    assert alone == [] and the_call(ctx).last_step == "queue"
    # calling again: the open ticket is offered, and the caller hangs up there
    await run(ctx, KNOWN, "1", HANGUP, uniqueid="1700000000.2")
    assert alone == ["open_ticket"] and the_call(ctx, "1700000000.2").last_step == "open_ticket"


async def test_the_greeting_plays_while_the_call_record_is_written(ctx):
    """However busy the DB, the caller hears the opener at once."""
    release = threading.Event()
    start_call = ctx.records.start_call
    heard_before_the_record: list[str] = []

    def slow_start(*args):
        release.wait(5)
        return start_call(*args)

    class Listening(FakeChannel):
        async def play(self, *sounds, escape=""):
            if not release.is_set():
                heard_before_the_record.extend(sounds)
                release.set()
            return await super().play(*sounds, escape=escape)

    ctx.records.start_call = slow_start
    ch = Listening(KNOWN, ["1", "2", "1", "#"])
    await flows.run_flow(caller_flow, ch, ctx, "caller")
    assert heard_before_the_record[0] == sound_name(P.greeting_hello)
    assert the_ticket(ctx).category is Category.leak


async def test_the_next_prompt_plays_while_the_draft_is_written_and_nothing_is_lost(ctx):
    """A DB wait between two AGI commands is a gap where keys are lost: the draft's saves run behind
    the caller, in order, and the flow's end waits for them (the agent's pop reads them)."""
    release = threading.Event()
    save_ticket = ctx.records.save_ticket
    heard_while_saving: list[str] = []

    def slow_save(*args, **kwargs):
        release.wait(5)
        return save_ticket(*args, **kwargs)

    class Listening(FakeChannel):
        async def get_digits(self, sounds, max_digits, timeout_ms):
            if sound_name(P.callback_confirm) in sounds and not release.is_set():
                heard_while_saving.extend(sounds)
                release.set()
            return await super().get_digits(sounds, max_digits, timeout_ms)

    ctx.records.save_ticket = slow_save
    ch = Listening(KNOWN, ["1", "2", "1", "#"])
    await flows.run_flow(caller_flow, ch, ctx, "caller")
    assert sound_name(P.callback_confirm) in heard_while_saving      # asked before the draft was in
    t = the_ticket(ctx)
    assert t.category is Category.leak and t.callback_number == KNOWN
    assert ch.vars["HOTLINE_TICKET"] == t.number and ch.vars["HOTLINE_ROUTE"] == "queue"
    assert the_call(ctx).last_step == "queue"


async def test_a_write_that_fails_for_good_does_not_fail_the_calls_later_writes(ctx):
    """Before #26 a failed write failed every later write of the call (each awaited the one before and
    raised its error) and sent the caller down the degraded path. Now the caller goes on to the queue
    and the call's later writes land: its step, its queueing."""
    def broken(*_a, **_k):
        raise RuntimeError("a refused row")

    ctx.records.save_ticket = broken
    ch = FakeChannel(KNOWN, ["1", "2", "1", "#"])
    await flows.run_flow(caller_flow, ch, ctx, "caller")
    assert ch.vars["HOTLINE_ROUTE"] == "queue"
    call = the_call(ctx)
    assert call.last_step == "queue" and call.queued_at is not None


async def test_a_voice_message_lost_to_a_full_disk_is_flagged_on_the_ticket_and_the_caller_still_queues(ctx):
    class FullDisk(FakeChannel):
        async def record(self, path_no_ext: str, fmt: str, max_s: int, escape: str = "#", silence_s: int = 0):
            Path(f"{path_no_ext}.{fmt}").write_bytes(b"RIFF")    # what Asterisk left on a full disk
    ch = FullDisk(KNOWN, ["1", "1", "1"])
    await flows.run_flow(caller_flow, ch, ctx, "caller")
    t = the_ticket(ctx)
    assert t.voice_health == "empty" and t.voice_path is None        # flagged, never passed off as a message
    assert ch.vars["HOTLINE_ROUTE"] == "queue" and t.category is not None


async def test_a_good_voice_message_is_checked_ok(ctx):
    await run(ctx, KNOWN, "1", "1", "1")
    t = the_ticket(ctx)
    assert t.voice_path and t.voice_health == "ok"
