"""#30 — the 供热已恢复 call-back of an outage's affected callers, without Asterisk: the policy from the
settings, the dialer's rounds on a moved clock (due at once after the end, only within the calling hours,
the concurrency limit, one call per number, retries 30 min apart then given up, the number policy, calls
off), the call's flow (ivr/outage_call.py) over a fake Channel through the service's line to the real
dialer (the prompt, reached; a hang-up while it plays is reached too), Dial's outcomes, the placing over
recorded AMI (no number in the Originate), and the counts `hotline outage list` shows. The real-call test
is tests/integration/test_outage_call.py."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from common.settings import load_settings
from db.call_tokens import digest
from db.models import AuditEntry, CallToken, Outage, OutageCaller
from db.session import make_engine, migrate, session_factory
from hotline.aftercall.outage_calls import OutageCallPolicy, OutageDialer, outage_call_policy
from hotline.aftercall.outages import OutageBoard
from hotline.service.outage_line import OutageCallPlacer, ServiceOutageLine
from ivr.channel import CallerHungUp
from ivr.context import IvrContext, Records
from ivr.flows import run_flow
from ivr.outage_call import outage_call_end, outage_call_flow, outage_dial, outage_dial_end
from ivr.prompts import P, sound_name
from test_unit_caller_flow import FakeChannel

T0 = datetime(2026, 11, 23, 10, 0)
MOBILE, LANDLINE, PREMIUM = "13912345678", "02425670000", "16812345678"


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


class RecordedAmi:
    def __init__(self):
        self.connected = asyncio.Event()
        self.connected.set()
        self.sent: list[tuple[str, dict]] = []

    async def action(self, name, as_list=False, **fields):
        self.sent.append((name, fields))
        return {"Response": "Success"}


class Rig:
    """An outage of 铁西区 with affected callers; the board that ends it, the dialer, the line, the IVR context."""

    def __init__(self, tmp_path, **policy):
        engine = make_engine(f"sqlite:///{tmp_path / 'o.db'}")
        migrate(engine)
        self.sessions = session_factory(engine)
        self.clock = Clock()
        self.settings = load_settings(home=str(tmp_path / "home"), today="2026-11-23T10:00", db_url="")
        self.board = OutageBoard(self.sessions, self.clock, self.settings)
        self.policy = OutageCallPolicy(**{"attempts": 2, "retry_min": 30, "concurrency": 4, "ring_s": 30, **policy})
        self.dialer = OutageDialer(self.sessions, self.clock, self.policy)
        self.ends = []

        async def ended(end):
            self.ends.append(end)
        self.line = ServiceOutageLine(self.dialer, ended)
        self.ctx = IvrContext(self.settings, Records(self.sessions, self.settings), outage_calls=self.line)

    def outage(self, *callers: str) -> int:
        with self.sessions() as db, db.begin():
            o = Outage(district="铁西区", compound="", building="", until=T0 + timedelta(hours=8), message="停热",
                       declared_by="1101", declared_at=T0 - timedelta(hours=2), call_back=False)
            db.add(o)
            db.flush()
            for i, caller in enumerate(callers):
                db.add(OutageCaller(outage_id=o.id, uniqueid=f"1.{o.id}{i}", caller=caller, account_no=None,
                                    at=T0 - timedelta(minutes=60 - i), callback_note=""))
            return o.id

    def end(self, oid: int) -> dict:
        return self.board.end(None, oid, call_back=True)

    def rows(self, oid: int | None = None) -> list[OutageCaller]:
        with self.sessions() as db:
            q = select(OutageCaller).order_by(OutageCaller.id)
            return list(db.scalars(q if oid is None else q.where(OutageCaller.outage_id == oid)))

    def row(self, caller: str) -> OutageCaller:
        return next(r for r in self.rows() if r.caller == caller)

    def place(self) -> dict[str, str]:
        """{number: ref} of the calls placed this round."""
        placed, _ended = self.dialer.next_calls()
        by_id = {r.id: r.caller for r in self.rows()}
        return {by_id[p.call]: p.ref for p in placed}

    def audits(self, action: str) -> list[AuditEntry]:
        with self.sessions() as db:
            return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


@pytest.fixture
def rig(tmp_path):
    return Rig(tmp_path)


def _dial_end(ref: str, status: str) -> FakeChannel:
    ch = FakeChannel("", (), "1764000000.6")
    ch.vars.update(HOTLINE_OUTAGE_CALL=ref, DIALSTATUS=status)
    return ch


def _answered(ref: str) -> FakeChannel:
    ch = FakeChannel(MOBILE, (), "1764000000.9")
    ch.vars["HOTLINE_OUTAGE_CALL"] = ref
    return ch


# ------------------------------------------------------------------ the policy --

def test_the_policy_comes_from_the_settings_with_the_surveys_hours_and_refuses_bad_values(tmp_path):
    s = load_settings(home=str(tmp_path), outage_call_attempts=3, outage_call_retry_min=20, survey_hours="08:30-19:00",
                      survey_concurrency=2, outbound_ring_s=20, outbound_allow="international")
    p = outage_call_policy(s)
    assert (p.attempts, p.retry_min, p.concurrency, p.ring_s, p.allowed, p.on) == \
        (3, 20, 2, 20, frozenset({"international"}), True)
    assert not p.in_hours(datetime(2026, 11, 23, 3, 0)) and p.in_hours(datetime(2026, 11, 23, 8, 30))
    assert not p.in_hours(datetime(2026, 11, 23, 19, 0))
    assert not outage_call_policy(s.replace(outage_call_attempts=0)).on
    with pytest.raises(ValueError, match="HOTLINE_OUTAGE_CALL_ATTEMPTS"):
        outage_call_policy(s.replace(outage_call_attempts=11))
    with pytest.raises(ValueError, match="HOTLINE_OUTAGE_CALL_RETRY_MIN"):
        outage_call_policy(s.replace(outage_call_retry_min=0))
    with pytest.raises(ValueError, match="HOTLINE_SURVEY_HOURS"):
        outage_call_policy(s.replace(survey_hours="3 a.m."))
    default = outage_call_policy(load_settings(home=str(tmp_path)))
    assert (default.attempts, default.retry_min, default.concurrency) == (2, 30, 4)


# ---------------------------------------------------------------- the rounds --

def test_nothing_is_called_before_the_end_and_each_booked_number_once_after_it(rig):
    oid = rig.outage(MOBILE, LANDLINE, MOBILE)
    assert rig.place() == {}                                            # open: no call-back booked
    ended = rig.end(oid)
    assert ended["call_backs"] == {"requested": 2, "reached": 0, "failed": 0, "pending": 2, "refused": 0}
    placed = rig.place()
    assert set(placed) == {MOBILE, LANDLINE}                            # the same number once
    r = rig.row(LANDLINE)
    assert (r.callback_state, r.callback_attempts, r.callback_placed_at, r.callback_next_at) == ("placed", 1, T0, None)
    with rig.sessions() as db:
        tok = db.scalar(select(CallToken).where(CallToken.call == placed[MOBILE]))
        assert tok.kind == "outage"
    assert rig.place() == {}                                            # placed: not again


def test_no_resident_is_rung_outside_the_calling_hours_the_bookings_wait_for_the_morning(rig):
    rig.clock.now = datetime(2026, 11, 23, 23, 10)
    rig.end(rig.outage(MOBILE))
    assert rig.place() == {}
    rig.clock.now = datetime(2026, 11, 24, 3, 0)
    assert rig.place() == {} and rig.row(MOBILE).callback_state == "requested"
    rig.clock.now = datetime(2026, 11, 24, 9, 0)
    assert list(rig.place()) == [MOBILE]


def test_at_most_the_concurrency_at_once_and_one_call_per_number(tmp_path):
    rig = Rig(tmp_path, concurrency=2)
    numbers = ["13900000001", "13900000002", "13900000003"]
    rig.end(rig.outage(*numbers))
    rig.end(rig.outage(numbers[0]))                                      # the same resident in another outage
    first = rig.place()
    assert list(first) == numbers[:2]
    assert rig.place() == {}                                            # both lines taken
    asyncio.run(outage_dial_end(_dial_end(first[numbers[1]], "BUSY"), rig.ctx))
    second = rig.place()
    assert list(second) == [numbers[2]]                                 # numbers[0] again waits: it is on the line


async def test_busy_and_no_answer_are_tried_again_30_minutes_later_then_given_up(rig):
    oid = rig.outage(MOBILE)
    rig.end(oid)
    await outage_dial_end(_dial_end(rig.place()[MOBILE], "BUSY"), rig.ctx)
    r = rig.row(MOBILE)
    assert (r.callback_state, r.callback_attempts, r.callback_next_at, r.callback_ended_at) == \
        ("busy", 1, T0 + timedelta(minutes=30), None)
    rig.clock.now = T0 + timedelta(minutes=29)
    assert rig.place() == {}                                            # not before the retry time
    rig.clock.now = T0 + timedelta(minutes=30)
    await outage_dial_end(_dial_end(rig.place()[MOBILE], "NOANSWER"), rig.ctx)
    r = rig.row(MOBILE)
    assert (r.callback_state, r.callback_attempts, r.callback_next_at, r.callback_ended_at) == \
        ("no_answer", 2, None, rig.clock.now)
    [gave_up] = rig.audits("outage_call_gave_up")
    assert gave_up.object_id == str(oid) and gave_up.detail["attempts"] == 2 and rig.ends[-1].gave_up
    rig.clock.now = T0 + timedelta(hours=3)
    assert rig.place() == {}
    shown = rig.board.list(None, open_only=False)[0]["call_backs"]
    assert shown == {"requested": 1, "reached": 0, "failed": 1, "pending": 0, "refused": 0}


def test_a_lost_report_counts_as_failed_and_is_tried_again(rig):
    rig.end(rig.outage(MOBILE))
    rig.place()
    rig.clock.now = T0 + timedelta(seconds=rig.policy.ring_s + 61)
    assert rig.place() == {}
    r = rig.row(MOBILE)
    assert (r.callback_state, r.callback_next_at) == ("failed", rig.clock.now + timedelta(minutes=30))


def test_a_number_the_policy_refuses_is_never_dialled(rig, monkeypatch):
    oid = rig.outage(MOBILE, PREMIUM)
    ended = rig.end(oid)
    assert ended["call_backs"]["refused"] == 1 and ended["call_backs"]["requested"] == 1
    assert list(rig.place()) == [MOBILE]
    r = rig.row(PREMIUM)
    assert (r.callback_state, r.callback_attempts, r.callback_note) == ("refused", 0, "premium")
    # a policy that changed since the booking: checked again as it is placed, audited masked
    rig2 = OutageDialer(rig.sessions, rig.clock, OutageCallPolicy(allowed=frozenset()))
    with rig.sessions() as db, db.begin():
        db.add(OutageCaller(outage_id=oid, uniqueid="9.9", caller="0085212345678", at=T0, callback_note="",
                            callback_state="requested", callback_at=T0, callback_next_at=T0))
    placed, ended_now = rig2.next_calls()
    assert placed == [] and [e.outcome for e in ended_now] == ["refused"]
    [a] = rig.audits("outage_call_refused")
    assert a.detail["why"] == "international" and "12345678" not in json.dumps(a.detail)


async def test_the_dialplans_refusal_is_never_tried_again(rig):
    rig.end(rig.outage(MOBILE))
    await outage_dial_end(_dial_end(rig.place()[MOBILE], "REFUSED"), rig.ctx)
    r = rig.row(MOBILE)
    assert (r.callback_state, r.callback_next_at, r.callback_ended_at, r.callback_note) == ("refused", None, T0, "dialplan")


def test_calls_off_end_the_bookings_off_never_dialled(tmp_path):
    rig = Rig(tmp_path, attempts=0)
    oid = rig.outage(MOBILE)
    rig.end(oid)
    assert rig.place() == {}
    r = rig.row(MOBILE)
    assert (r.callback_state, r.callback_attempts, r.callback_ended_at) == ("off", 0, T0)
    assert rig.board.list(None, open_only=False)[0]["call_backs"]["failed"] == 1


# ------------------------------------------------------------------- the flow --

async def test_the_resident_answers_hears_the_heating_is_back_and_is_reached(rig):
    oid = rig.end(rig.outage(MOBILE))["id"]
    ref = rig.place()[MOBILE]
    ch = FakeChannel("", (), "1764000000.8")
    ch.vars["HOTLINE_OUTAGE_CALL"] = ref
    await outage_dial(ch, rig.ctx)
    assert ch.vars["HOTLINE_OUTAGE_NUMBER"] == MOBILE                  # looked up, never over AMI
    ch = _answered(ref)
    await run_flow(outage_call_flow, ch, rig.ctx, "outage_call")
    assert ch.played == [sound_name(P.outage_restored)] and ch.hung_up
    r = rig.row(MOBILE)
    assert (r.callback_state, r.callback_attempts, r.callback_answered_at, r.callback_ended_at) == \
        ("reached", 1, T0, T0)
    assert [e.outcome for e in rig.ends] == ["reached"]
    await outage_call_end(ch, rig.ctx)                                  # the hang-up handler: nothing more
    assert len(rig.ends) == 1
    shown = rig.board.list(None, open_only=False)[0]["call_backs"]
    assert shown == {"requested": 1, "reached": 1, "failed": 0, "pending": 0, "refused": 0}
    [c] = rig.board.affected(None, oid)
    assert c["caller"] == "139******78" and c["callback"] == "reached" and c["callback_attempts"] == 1
    assert c["callback_answered_at"] == T0.isoformat() and MOBILE not in json.dumps(c)


async def test_a_resident_who_hangs_up_while_it_plays_was_reached(rig):
    rig.end(rig.outage(MOBILE))
    ref = rig.place()[MOBILE]

    class HangsUp(FakeChannel):
        async def play(self, *sounds, escape=""):
            raise CallerHungUp()
    ch = HangsUp(MOBILE, (), "1764000000.7")
    ch.vars["HOTLINE_OUTAGE_CALL"] = ref
    await run_flow(outage_call_flow, ch, rig.ctx, "outage_call")
    await outage_call_end(ch, rig.ctx)
    assert rig.row(MOBILE).callback_state == "reached" and len(rig.ends) == 1


async def test_a_forged_or_stale_ref_reaches_nothing(rig):
    rig.end(rig.outage(MOBILE))
    rig.place()
    ch = _answered("12345678901234567890")
    await run_flow(outage_call_flow, ch, rig.ctx, "outage_call")
    assert ch.played == [] and ch.hung_up and rig.row(MOBILE).callback_state == "placed"
    ch = FakeChannel("", (), "1.1")
    ch.vars["HOTLINE_OUTAGE_CALL"] = "not-a-ref"
    await outage_dial(ch, rig.ctx)
    assert ch.vars["HOTLINE_OUTAGE_NUMBER"] == ""


# ----------------------------------------------------------- placing a call --

async def test_the_call_is_originated_with_its_ref_and_token_never_a_number(rig):
    rig.end(rig.outage(MOBILE))
    ami = RecordedAmi()

    async def ended(_end):
        pass
    placer = OutageCallPlacer(rig.dialer, ami, "96069", ended)
    assert await placer.round() == 1
    [(name, fields)] = ami.sent
    ref = rig.row(MOBILE).callback_ref
    assert name == "Originate" and fields["Channel"] == f"Local/{ref}@outage-dial/n"
    assert (fields["Context"], fields["Exten"], fields["CallerID"]) == ("outage-call", ref, "96069")
    token = fields["Variable"].removeprefix("__HOTLINE_CALL_TOKEN=")
    with rig.sessions() as db:
        assert db.scalar(select(CallToken.digest).where(CallToken.call == ref)) == digest(token)
    assert MOBILE not in json.dumps(fields)
    ami.connected.clear()
    assert await placer.round() == 0                                   # due calls wait for AMI
