"""Outage notices (区域停热, #30): the board's rules (declare, list, end with the call-backs booked) on
SQLite, and the caller's flow over the fake channel — a caller from the area hears the notice and 1
registers them (no ticket, no queue), 2 goes on to a normal repair, callers from elsewhere hear
nothing. The real-call test is tests/integration/test_outage.py."""
# ruff: noqa: F811 — `ctx`, the flows' fixture, is imported and named by the tests
from __future__ import annotations

import wave
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from common import wire
from db.models import (AccountPhone, AuditEntry, Call, CallOutcome, HeatingAccount, Outage, OutageCaller, Role, Ticket,
                       finest_outage)
from hotline.aftercall import outages as outages_mod
from hotline.aftercall.outages import CALLBACK_REFUSED, CALLBACK_REQUESTED, OutageBoard, open_outages, parse_area
from hotline.aftercall.rules import Actor, Refused, RuleError
from ivr import context as context_mod, flows
from ivr.prompts import P, outage_file, outage_sound, sound_name
from made_by_ivr import recorded_wav
from test_unit_caller_flow import ACCOUNT_A, KNOWN, ctx, run, the_call, the_ticket  # noqa: F401 — ctx: the fixture

NOW = datetime(2026, 11, 23, 10, 0)
LEAD = Actor(1, "1101", Role.team_lead)
AGENT = Actor(2, "1001", Role.agent)
ELSEWHERE = "13800000009"      # an account in another district


@pytest.fixture
def board(ctx, monkeypatch):
    """The board on the flow's database; the notice 'rendered' as a second of audio (the TTS itself
    is tested once, `test_the_message_is_rendered_with_espeak_into_a_file_named_by_the_id`)."""
    monkeypatch.setattr(outages_mod, "render_outage", lambda _s, _text, out: recorded_wav(out, 1.0))
    with ctx.records.sessions() as db, db.begin():
        acc = HeatingAccount(account_no="20000009", name="张伟", district="铁西区", compound="兴华北街",
                             building="12", unit="1", room="101")
        acc.phones = [AccountPhone(phone=ELSEWHERE)]
        db.add(acc)
        db.add(HeatingAccount(account_no="20000008", name="李强", district="和平区", compound="南湖小区",
                              building="5", unit="1", room="101"))     # the caller's neighbour building
    return OutageBoard(ctx.records.sessions, ctx.settings.now, ctx.settings)


def until(hours: int = 8) -> str:
    return (NOW + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------ the board --

def test_a_lead_declares_an_outage_for_a_compound_with_its_notice_rendered_at_once(ctx, board):
    o = board.declare(LEAD, "和平区/南湖小区", until(), "南湖小区因主管道抢修暂停供热,预计今天18点恢复")
    assert set(o) == set(wire.SAMPLE_OUTAGE)
    assert o["area"] == "和平区/南湖小区" and o["until"] == "2026-11-23T18:00:00" and o["affected"] == 0
    assert o["declared_by"] == "1101" and o["ended_at"] is None and o["call_back"] is False
    with ctx.records.sessions() as db:
        row = db.get(Outage, o["id"])
        assert row.prompt == str(outage_file(ctx.settings, o["id"])) and outage_file(ctx.settings, o["id"]).is_file()
        assert row.prompt.endswith(f"/tts/outage/{o['id']}.wav")        # named by the id alone
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "outage_declare")).actor == "1101"
    # nothing else is left in the folder (the temp file was moved)
    assert [p.name for p in outage_file(ctx.settings, 0).parent.iterdir()] == [f"{o['id']}.wav"]


@pytest.mark.parametrize("area, words", [
    ("河西区/幸福里小区", "没有片区「河西区」"),
    ("和平区/幸福里小区", "没有小区「幸福里小区」"),
    ("和平区/南湖小区/99", "没有 99 号楼"),
    ("和平区//3", "区/小区[/楼号]"),
    ("a/b/c/d", "区/小区[/楼号]"),
    ("", "请填写停热区域"),
    ("和平区\x1b[2J", "不允许的字符"),
    ("和" * 121, "过长"),
])
def test_an_area_no_imported_account_lies_in_is_refused_with_a_clear_word(board, area, words):
    with pytest.raises(RuleError) as e:
        board.declare(LEAD, area, until(), "停热")
    assert e.value.status == 422 and words in e.value.message


@pytest.mark.parametrize("when, message, words", [
    ("2026-11-23 09:59", "停热", "已过"),
    ("明天下午", "停热", "2026-12-02 18:00"),
    (None, "", "请填写停热通知"),
    (None, "停" * (wire.OUTAGE_MESSAGE_MAX + 1), "过长"),
    (None, "停热\u202e通知", "不允许的字符"),
    (None, "停热\n通知", "不允许的字符"),
])
def test_the_end_must_lie_ahead_and_the_message_be_short_and_clean(board, when, message, words):
    with pytest.raises(RuleError) as e:
        board.declare(LEAD, "和平区", when or until(), message)
    assert e.value.status == 422 and words in e.value.message


def test_agents_may_not_declare_nor_end_and_the_refusal_is_audited_by_the_api(board):
    with pytest.raises(Refused) as e:
        board.declare(AGENT, "和平区", until(), "停热")
    assert e.value.status == 403 and e.value.action == "outage_declare_refused"
    o = board.declare(LEAD, "和平区", until(), "停热")
    with pytest.raises(Refused):
        board.end(AGENT, o["id"])


def test_one_open_outage_per_area_and_ending_twice_is_a_conflict(board):
    o = board.declare(LEAD, "和平区/南湖小区", until(), "停热")
    with pytest.raises(RuleError) as e:
        board.declare(LEAD, "和平区 / 南湖小区", until(), "又一次")
    assert e.value.status == 409
    board.end(LEAD, o["id"])
    with pytest.raises(RuleError) as e:
        board.end(LEAD, o["id"])
    assert e.value.status == 409
    board.declare(LEAD, "和平区/南湖小区", until(), "再次停热")   # ended: the area may have another
    with pytest.raises(RuleError) as e:
        board.end(LEAD, "999")
    assert e.value.status == 404


def test_a_recorded_notice_is_imported_as_a_valid_wav_only(ctx, board, tmp_path):
    bad = tmp_path / "notice.wav"
    bad.write_bytes(b"not a wav at all")
    with pytest.raises(RuleError) as e:
        board.declare(LEAD, "和平区", until(), "停热", file=bad)
    assert e.value.status == 422 and "WAV" in e.value.message
    good = recorded_wav(tmp_path / "studio.wav", 2.0)
    o = board.declare(LEAD, "和平区", until(), "停热", file=good)
    with wave.open(str(outage_file(ctx.settings, o["id"]))) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
    with ctx.records.sessions() as db:
        assert db.get(Outage, o["id"]).prompt_source == "file"


def test_the_message_is_rendered_with_espeak_into_a_file_named_by_the_id(ctx, monkeypatch):
    monkeypatch.undo()            # the flows' fixture forbids TTS on the call path: this is no call
    board = OutageBoard(ctx.records.sessions, ctx.settings.now, ctx.settings)
    o = board.declare(None, "和平区", until(), "和平区停热,预计今天18点恢复")
    with wave.open(str(outage_file(ctx.settings, o["id"]))) as w:
        assert w.getframerate() == 8000 and w.getnframes() > 8000 * 0.5
    assert o["declared_by"] == "cli"


def test_the_area_parts_and_the_finest_outage_of_an_address():
    assert parse_area(" 和平区／南湖小区 / 3 ") == ("和平区", "南湖小区", "3")
    with_ids = [Outage(id=1, district="和平区", compound="", building=""),
                Outage(id=2, district="和平区", compound="南湖小区", building=""),
                Outage(id=3, district="和平区", compound="南湖小区", building="5")]
    assert finest_outage(with_ids, "和平区", "南湖小区", "3").id == 2
    assert finest_outage(with_ids, "和平区", "南湖小区", "5").id == 3
    assert finest_outage(with_ids, "和平区", "北湖小区", "5").id == 1
    assert finest_outage(with_ids, "铁西区", "南湖小区", "5") is None


async def test_ending_with_the_call_back_books_each_affected_number_once_through_the_number_policy(ctx, board):
    o = board.declare(LEAD, "和平区", until(), "停热")
    with ctx.records.sessions() as db, db.begin():
        for uid, caller in (("1.1", KNOWN), ("1.2", KNOWN), ("1.3", "0085212345678"), ("1.4", "13900000005")):
            db.add(OutageCaller(outage_id=o["id"], uniqueid=uid, caller=caller, at=NOW, callback_note=""))
    assert board.list(LEAD)[0]["affected"] == 3
    ended = board.end(LEAD, o["id"], call_back=True)
    assert ended["ended_at"] == NOW.isoformat() and ended["call_back"] is True
    assert ended["call_backs"] == {"requested": 2, "refused": 1,          # international: not allowed here
                                   "reached": 0, "failed": 0, "pending": 2}
    with ctx.records.sessions() as db:
        states = [(r.uniqueid, r.callback_state) for r in db.scalars(select(OutageCaller).order_by(OutageCaller.id))]
    # the same number twice: its latest registration is called (once)
    assert states == [("1.1", None), ("1.2", CALLBACK_REQUESTED), ("1.3", CALLBACK_REFUSED), ("1.4", CALLBACK_REQUESTED)]
    assert [c["due_at"] for c in board.pending_call_backs()] == [NOW.isoformat()] * 2     # due at once
    assert board.list(LEAD) == [] and board.list(LEAD, open_only=False)[0]["id"] == o["id"]
    assert board.list(LEAD, open_only=False)[0]["call_backs"] == ended["call_backs"]
    affected = board.affected(LEAD, o["id"])
    assert all("****" in a["caller"] for a in affected)


def test_open_outages_for_the_board_and_the_wall_are_in_the_wire_shape(ctx, board):
    first = board.declare(LEAD, "和平区/南湖小区", until(), "停热")
    second = board.declare(LEAD, "铁西区", until(), "停热")
    board.end(LEAD, first["id"])
    with ctx.records.sessions() as db:
        shown = open_outages(db, NOW)
    assert [o["id"] for o in shown] == [second["id"]] and set(shown[0]) == set(wire.SAMPLE_OUTAGE)


# ------------------------------------------------------------------ the caller --

async def test_a_caller_from_the_area_hears_the_notice_and_1_registers_them_without_a_ticket(ctx, board):
    o = board.declare(LEAD, "和平区/南湖小区", until(), "停热")
    ch = await run(ctx, KNOWN, "1")
    i = ch.played.index(sound_name(P.outage_intro))
    assert ch.played[i - 1] == sound_name(P.greeting_welcome)          # right after the greeting
    assert ch.played[i + 1:i + 3] == [outage_sound(o["id"]), sound_name(P.outage_choice)]
    assert ch.heard(P.outage_registered) and not ch.heard(P.address_confirm)
    assert ch.vars["HOTLINE_ROUTE"] == "hangup"
    assert the_ticket(ctx) is None
    call = the_call(ctx)
    assert call.outcome is CallOutcome.outage_registered and call.last_step == "outage" and call.queued_at is None
    with ctx.records.sessions() as db:
        r = db.scalar(select(OutageCaller))
        assert (r.outage_id, r.caller, r.account_no, r.uniqueid) == (o["id"], KNOWN, ACCOUNT_A, "1700000000.1")
    assert board.list(LEAD)[0]["affected"] == 1


@pytest.mark.parametrize("key", ["2", "", "9"])
async def test_2_or_anything_else_goes_on_to_a_normal_repair(ctx, board, key):
    board.declare(LEAD, "和平区/南湖小区/3", until(), "停热")
    ch = await run(ctx, KNOWN, key, "1", "1", "1")     # then: address, no heat, call-back number
    assert ch.heard(P.outage_intro) and not ch.heard(P.outage_registered)
    assert ch.heard(P.address_confirm) and ch.vars["HOTLINE_ROUTE"] == "queue"
    assert the_ticket(ctx) is not None
    with ctx.records.sessions() as db:
        assert db.scalar(select(func.count(OutageCaller.id))) == 0


async def test_callers_from_elsewhere_and_after_the_end_hear_nothing_of_it(ctx, board):
    o = board.declare(LEAD, "和平区/南湖小区/5", until(), "停热")     # another building than the caller's
    ch = await run(ctx, KNOWN, "1", "0")
    assert not ch.heard(P.outage_intro) and ch.heard(P.address_confirm)
    ch = await run(ctx, ELSEWHERE, "1", "0", uniqueid="1700000000.2")
    assert not ch.heard(P.outage_intro)
    ch = await run(ctx, "13900000000", "", "", "", "0", uniqueid="1700000000.3")     # no account at all
    assert not ch.heard(P.outage_intro)
    board.end(LEAD, o["id"])
    board.declare(LEAD, "和平区", until(), "停热")
    board.end(LEAD, board.list(LEAD)[0]["id"])
    context_mod.OUTAGES_TTL_S, saved = 0.0, context_mod.OUTAGES_TTL_S
    try:
        ch = await run(ctx, KNOWN, "1", "0", uniqueid="1700000000.4")
    finally:
        context_mod.OUTAGES_TTL_S = saved
    assert not ch.heard(P.outage_intro)


async def test_the_open_outages_are_read_once_for_many_callers(ctx, board, monkeypatch):
    board.declare(LEAD, "和平区/南湖小区", until(), "停热")
    reads = []
    real = ctx.records.open_outages

    def counted():
        reads.append(1)
        return real()
    counted.only_reads = True
    monkeypatch.setattr(ctx.records, "open_outages", counted)
    for n in range(5):
        ch = await run(ctx, KNOWN, "1", uniqueid=f"1700000001.{n}")
        assert ch.heard(P.outage_registered)
    assert len(reads) == 1
    with ctx.records.sessions() as db:
        assert db.scalar(select(func.count(OutageCaller.id))) == 5
        assert db.scalar(select(func.count(Ticket.id))) == 0
        assert {c.outcome for c in db.scalars(select(Call))} == {CallOutcome.outage_registered}


def test_the_flow_names_the_step(ctx):
    assert flows.STEP_WORDS["outage"] == "停热通知"
