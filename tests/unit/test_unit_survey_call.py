"""The automated 回访 call (#15) without Asterisk: the survey flow (ivr/survey.py) over a fake Channel
through the service's line (hotline.service.survey_line) to the real dialer and the one
survey-saving path on SQLite — keys, a bad score, "10", not convenient, no key, the fee reminder
— and the dialer's policy on a moved clock: hours, concurrency, lost attempts, retries, the modes and
who sees a ticket the dialer gave up; the CLI's request; the reports' feed."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from db.call_tokens import digest
from made_by_ivr import recorded_wav
from db.models import (AuditEntry, Call, CallToken, Recording, Role, Survey, SurveyCall, Ticket, TicketState,
                       TicketTransition, User)
from db.queries import survey_results
from hotline.admin.users import add_user
from hotline.aftercall.lifecycle import TicketWork
from hotline.aftercall.rules import RuleError, actor_for
from hotline.aftercall.survey_calls import (DIALSTATUS_OUTCOMES, PLACED_MARGIN_S, SurveyDialer, SurveyPolicy,
                                            survey_policy)
from hotline.aftercall.surveys import SurveyList
from hotline.service.survey_line import ServiceSurveyLine, SurveyCaller
from common.settings import load_settings
from ivr.channel import CallerHungUp
from ivr.context import IvrContext, Records
from ivr.flows import run_flow
from ivr.prompts import P, digit_sounds, sound_name
from ivr.survey import parse_score, ref_of, survey_dial, survey_dial_end, survey_end, survey_flow
from test_unit_caller_flow import HANGUP, FakeChannel
from test_unit_worklists import T0, Clock, world  # noqa: F401  (world: two completed repairs, people)

UNPAID, PAID = "2611220001", "2611220002"     # completed repairs: the unpaid account's, the paid one's
PHONES = {UNPAID: "13912345001", PAID: "13912345002"}


def policy(mode: str = "automated-first", **kw) -> SurveyPolicy:
    return SurveyPolicy(mode=mode, **{"concurrency": 4, "max_attempts": 3, "retry_min": 60, "ring_s": 30, **kw})


class Rig:
    """The world's two completed repairs with call-back numbers, a dialer in `mode`, the IVR context
    whose `surveys` is the service's line; what the line told the service is kept."""

    def __init__(self, world, tmp_path, mode: str = "automated-first", **kw):  # noqa: F811
        _cb, _sv, _work, self.clock, self.who, self.sessions = world
        with self.sessions() as db, db.begin():
            for number, phone in PHONES.items():
                db.scalar(select(Ticket).where(Ticket.number == number)).callback_number = phone
        self.settings = load_settings(home=str(tmp_path / "home"), today="2026-11-23T10:00", db_url="",
                                      public_number="96069")
        self.policy = policy(mode, **kw)
        self.work = TicketWork(self.sessions, self.clock)
        self.surveys = SurveyList(self.sessions, self.clock, self.policy, self.work, self.settings.recordings_dir)
        self.dialer = SurveyDialer(self.sessions, self.clock, self.policy, self.surveys,
                                   self.settings.recordings_dir)
        self.ends, self.reopened = [], []

        async def ended(end):
            self.ends.append(end)

        async def reopened(t):
            self.reopened.append(t)
        self.line = ServiceSurveyLine(self.dialer, ended, reopened)
        self.ctx = IvrContext(self.settings, Records(self.sessions, self.settings), surveys=self.line)

    def place(self) -> dict[str, str]:
        """{ticket: the attempt's ref} of what the dialer places now."""
        placed, _ended = self.dialer.next_calls()
        return {p.ticket: p.ref for p in placed}

    def ref(self, attempt_id: int) -> str:
        with self.sessions() as db:
            return db.get(SurveyCall, attempt_id).ref

    async def answer(self, attempt: str, *keys, uniqueid: str = "1764000000.7") -> FakeChannel:
        ch = FakeChannel(PHONES[UNPAID], keys, uniqueid)
        ch.vars["HOTLINE_SURVEY_CALL"] = attempt
        rec = self.settings.recordings_dir / "2026" / "11" / "23" / f"survey-{uniqueid}-call.wav"
        recorded_wav(rec, 1.0)                   # MixMonitor's file, closed: a second of the call
        ch.vars["REC"] = str(rec)
        await run_flow(survey_flow, ch, self.ctx, "survey")
        await run_flow(survey_end, ch, self.ctx, "survey_end")     # the hang-up handler runs last
        return ch

    def attempt(self, ref: str) -> SurveyCall:
        with self.sessions() as db:
            return db.scalar(select(SurveyCall).where(SurveyCall.ref == ref))

    def ticket(self, number: str) -> Ticket:
        with self.sessions() as db:
            return db.scalar(select(Ticket).where(Ticket.number == number))

    def survey(self, number: str) -> Survey | None:
        with self.sessions() as db:
            return db.scalar(select(Survey).join(Ticket, Survey.ticket_id == Ticket.id).where(Ticket.number == number))


@pytest.fixture
def rig(world, tmp_path):  # noqa: F811
    return Rig(world, tmp_path)


# ------------------------------------------------------------------ the flow --

async def test_convenient_solved_satisfied_charged_9_stores_the_answers_and_follows_up(rig):
    """1 方便, a 1 是, b 1 满意, c 1 是, d 9#, e said, f (unpaid) read, the closing with the number."""
    attempt = rig.place()[UNPAID]
    ch = await rig.answer(attempt, "1", "1", "1", "1", "9")
    s = rig.survey(UNPAID)
    assert (s.solved, s.attitude, s.charged, s.score, s.fee_reminder) == (True, "satisfied", True, 9, True)
    assert s.channel == "ivr" and s.user_id is None
    assert s.comment_recording and s.comment_recording.startswith(str(rig.settings.recordings_dir.resolve()))
    assert rig.ticket(UNPAID).state is TicketState.followed_up and rig.attempt(attempt).outcome == "done"
    assert ch.played[0] == sound_name(P.survey_opening) and ch.heard(P.survey_fee_reminder)
    closing = ch.played.index(sound_name(P.survey_closing))
    assert ch.played[closing + 1:closing + 7] == digit_sounds("96069") + [sound_name(P.survey_closing_end)]
    assert ch.hung_up and ch.recorded
    with rig.sessions() as db:
        call = db.scalar(select(Call).where(Call.uniqueid == "1764000000.7"))
        assert call.direction == "survey" and call.caller == PHONES[UNPAID] and call.ended_at is not None
        rec = db.scalar(select(Recording).where(Recording.call_id == call.id))   # the whole call, sealed
        assert rec.ticket_id == call.ticket_id and rec.path.endswith("survey-1764000000.7-call.wav") and rec.sha256
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "survey", AuditEntry.actor == "ivr"))
        last = db.scalars(select(TicketTransition).join(Ticket).where(Ticket.number == UNPAID)
                          .order_by(TicketTransition.id)).all()[-1]
        assert last.state is TicketState.followed_up and last.user_id is None and "自动回访" in last.note
    shown = rig.work.show(None, UNPAID)["survey"]
    assert shown["channel"] == "ivr" and shown["by"] == "ivr" and shown["comment_recording"] is True
    assert not rig.reopened


async def test_the_closing_reads_the_public_number_never_the_internal_extension(rig):
    """HOTLINE_PUBLIC_NUMBER as typed by the admin, read digit by digit; none configured: 本热线."""
    rig.ctx = IvrContext(rig.settings.replace(public_number="024-2345 6789"), rig.ctx.records, surveys=rig.line)
    got = rig.place()
    ch = await rig.answer(got[UNPAID], "1", "1", "1", "1", "9")
    closing = ch.played.index(sound_name(P.survey_closing))
    assert ch.played[closing + 1:closing + 13] == digit_sounds("02423456789") + [sound_name(P.survey_closing_end)]
    rig.ctx = IvrContext(rig.settings.replace(public_number=""), rig.ctx.records, surveys=rig.line)
    ch = await rig.answer(got[PAID], "1", "1", "1", "2", "8", uniqueid="1764000000.8")
    closing = ch.played.index(sound_name(P.survey_closing))
    assert ch.played[closing + 1:closing + 3] == [sound_name(P.survey_closing_this_hotline),
                                                  sound_name(P.survey_closing_end)]
    assert not any(ch.heard(f"digit_{d}") for d in rig.settings.extension)


async def test_no_fee_reminder_for_a_paid_account_or_a_resident_not_satisfied(rig):
    got = rig.place()
    ch = await rig.answer(got[PAID], "1", "1", "1", "2", "8", uniqueid="1764000000.8")   # paid, satisfied
    assert not ch.heard(P.survey_fee_reminder) and rig.survey(PAID).fee_reminder is None
    ch = await rig.answer(got[UNPAID], "1", "1", "2", "2", "8")                          # unpaid, 普通
    assert not ch.heard(P.survey_fee_reminder) and rig.survey(UNPAID).attitude == "average"


async def test_ten_is_1_then_0_and_a_bad_score_is_asked_again(rig):
    attempt = rig.place()[UNPAID]
    ch = await rig.answer(attempt, "1", "1", "3", "2", "0", "", "10")
    assert rig.survey(UNPAID).score == 10 and rig.survey(UNPAID).attitude == "unsatisfied"
    assert ch.count(P.survey_score) == 3 and ch.count(P.survey_score_invalid) == 1 and ch.heard(P.no_input)


@pytest.mark.parametrize("keyed,score", [("9", 9), ("9#", 9), ("10", 10), ("1", 1), ("09", 9), ("0", None),
                                         ("11", None), ("", None), ("#", None), ("*5", 5), ("100", None)])
def test_the_score_is_one_or_two_keys_from_1_to_10(keyed, score):
    assert parse_score(keyed) == score


async def test_invalid_keys_are_asked_again_like_the_caller_flow(rig):
    attempt = rig.place()[UNPAID]
    ch = await rig.answer(attempt, "5", "1", "9", "1", "7", "1", "2", "6")
    assert ch.count(P.survey_convenient) == 2 and ch.count(P.survey_solved) == 2 and ch.heard(P.invalid_key)
    assert ch.count(P.survey_opening) == 1        # the opening once, the keys again
    assert rig.survey(UNPAID).score == 6


async def test_not_solved_reopens_a_linked_ticket_for_the_team_leads(rig):
    attempt = rig.place()[UNPAID]
    await rig.answer(attempt, "1", "2", "3", "2", "3")
    assert rig.ticket(UNPAID).state is TicketState.followed_up
    assert len(rig.reopened) == 1
    again = rig.work.show(None, rig.reopened[0]["number"])
    assert again["followup_of"] == UNPAID and again["state"] == "new" and "自动回访" in again["description"]


async def test_not_convenient_in_automated_first_goes_to_the_agents_list(rig):
    attempt = rig.place()[UNPAID]
    assert UNPAID not in [r["ticket"] for r in rig.surveys.list(rig.who["1001"])]   # the dialer's
    ch = await rig.answer(attempt, "2")
    assert ch.heard(P.survey_agent_later) and not ch.heard(P.survey_solved)
    a = rig.attempt(attempt)
    assert a.outcome == "declined" and a.next_at is None and rig.survey(UNPAID) is None
    row = next(r for r in rig.surveys.list(rig.who["1001"]) if r["ticket"] == UNPAID)
    assert row["automated"]["owner"] == "agents" and row["automated"]["last_outcome"] == "declined"
    assert UNPAID not in [p.ticket for p in rig.dialer.next_calls()[0]]            # never called again


async def test_not_convenient_in_automated_books_another_call(world, tmp_path):  # noqa: F811
    rig = Rig(world, tmp_path, mode="automated")
    attempt = rig.place()[UNPAID]
    ch = await rig.answer(attempt, "2")
    assert ch.heard(P.survey_call_later)
    a = rig.attempt(attempt)
    assert a.outcome == "declined" and a.next_at == T0 + timedelta(minutes=60)
    rig.clock.now = T0 + timedelta(minutes=61)
    assert UNPAID in rig.place()


async def test_no_key_after_the_tries_is_not_reached_and_tried_again(rig):
    attempt = rig.place()[UNPAID]
    ch = await rig.answer(attempt, "", "", "")
    assert ch.count(P.survey_convenient) == 3 and ch.count(P.no_input) == 3 and ch.hung_up
    a = rig.attempt(attempt)
    assert a.outcome == "no_answer" and a.next_at == T0 + timedelta(minutes=60)
    assert rig.ticket(UNPAID).state is TicketState.completed


async def test_a_hang_up_during_the_questions_is_not_reached_during_e_keeps_a_to_d(rig):
    got = rig.place()
    await rig.answer(got[PAID], "1", "1", HANGUP, uniqueid="1764000000.9")
    a = rig.attempt(got[PAID])
    assert a.outcome == "no_answer" and a.next_at is not None and rig.survey(PAID) is None
    with rig.sessions() as db:     # the call record says where the resident hung up
        assert db.scalar(select(Call.last_step).where(Call.uniqueid == "1764000000.9")) == "survey_b"

    class HangsUpWhileRecording(FakeChannel):
        async def record(self, *a, **kw):
            raise CallerHungUp()
    ch = HangsUpWhileRecording(PHONES[UNPAID], ["1", "1", "1", "1", "9"], "1764000000.10")
    ch.vars["HOTLINE_SURVEY_CALL"] = got[UNPAID]
    await run_flow(survey_flow, ch, rig.ctx, "survey")
    s = rig.survey(UNPAID)
    assert s.score == 9 and s.fee_reminder is False and rig.attempt(got[UNPAID]).outcome == "done"


async def test_a_call_for_no_such_attempt_just_hangs_up(rig):
    ch = FakeChannel(PHONES[UNPAID], ["1"])
    ch.vars["HOTLINE_SURVEY_CALL"] = "12; DROP TABLE"
    await run_flow(survey_flow, ch, rig.ctx, "survey")
    assert ch.hung_up and not ch.played
    for other in ("777", "1" * 20, "1"):     # no such ref, or the attempt's sequential id
        ch = FakeChannel(PHONES[UNPAID], ["1"])
        ch.vars["HOTLINE_SURVEY_CALL"] = other
        await run_flow(survey_flow, ch, rig.ctx, "survey")
        assert ch.hung_up and not ch.played
    assert ref_of("0" + "1" * 19) == "" and ref_of("42") == "" and ref_of(" " + "9" * 20) == "9" * 20
    assert ref_of("1" * 21) == "" and ref_of("1" * 19 + "x") == ""


async def test_the_dial_half_gets_the_number_and_reports_a_busy_phone(rig):
    attempt = rig.place()[UNPAID]
    ch = FakeChannel("", [])
    ch.vars["HOTLINE_SURVEY_CALL"] = attempt
    await run_flow(survey_dial, ch, rig.ctx, "survey_dial")
    assert ch.vars["HOTLINE_SURVEY_NUMBER"] == PHONES[UNPAID]
    ch.vars["DIALSTATUS"] = "BUSY"
    await run_flow(survey_dial_end, ch, rig.ctx, "survey_dial_end")
    a = rig.attempt(attempt)
    assert a.outcome == "busy" and a.next_at == T0 + timedelta(minutes=60) and rig.ends[-1].outcome == "busy"
    ch = FakeChannel("", [])
    ch.vars["HOTLINE_SURVEY_CALL"] = attempt           # no longer placed: nothing to dial
    await run_flow(survey_dial, ch, rig.ctx, "survey_dial")
    assert ch.vars["HOTLINE_SURVEY_NUMBER"] == ""
    assert DIALSTATUS_OUTCOMES["NOANSWER"] == "no_answer" and DIALSTATUS_OUTCOMES["CHANUNAVAIL"] == "failed"


# ---------------------------------------------------------------- the dialer --

def test_mode_agents_calls_nobody_and_the_list_is_todays(world, tmp_path):  # noqa: F811
    rig = Rig(world, tmp_path, mode="agents")
    assert rig.place() == {}
    assert [r["ticket"] for r in rig.surveys.list(rig.who["1001"])] == [UNPAID, PAID]
    assert all(r["automated"] is None for r in rig.surveys.list(rig.who["1001"]))


def test_only_inside_the_hours(rig):
    rig.clock.now = datetime(2026, 11, 23, 8, 59)
    assert rig.place() == {}
    with pytest.raises(RuleError) as exc:
        rig.dialer.request(UNPAID)
    assert exc.value.status == 409 and "09:00-20:00" in exc.value.message
    rig.clock.now = datetime(2026, 11, 23, 20, 0)
    assert rig.place() == {}
    rig.clock.now = datetime(2026, 11, 23, 9, 0)
    assert set(rig.place()) == {UNPAID, PAID}


def test_at_most_the_concurrency_at_once_and_a_lost_attempt_counts_as_failed(world, tmp_path):  # noqa: F811
    rig = Rig(world, tmp_path, concurrency=1)
    first = rig.place()
    assert list(first) == [UNPAID]                  # the older repair first
    assert rig.place() == {}                        # the line is taken
    rig.clock.now = T0 + timedelta(seconds=30 + PLACED_MARGIN_S - 1)
    assert rig.place() == {}
    rig.clock.now = T0 + timedelta(seconds=30 + PLACED_MARGIN_S + 1)   # never reported: lost
    assert list(rig.place()) == [PAID]
    a = rig.attempt(first[UNPAID])
    assert a.outcome == "failed" and a.ended_at is not None and a.next_at is not None


def test_busy_and_no_answer_are_retried_then_automated_first_hands_over_to_agents(rig):
    for i, status in enumerate(("BUSY", "NOANSWER", "BUSY")):
        got = rig.place()
        assert UNPAID in got, i
        end = rig.dialer.dial_failed(got[UNPAID], status)
        assert end.outcome == ("busy" if status == "BUSY" else "no_answer")
        if i < 2:
            assert end.retry_at == rig.clock.now + timedelta(minutes=60) and not end.gave_up
            assert UNPAID not in rig.place()                  # not before the retry time
            assert UNPAID not in [r["ticket"] for r in rig.surveys.list(rig.who["1001"])]
            rig.clock.now += timedelta(minutes=60)
        else:
            assert end.gave_up and end.owner == "agents" and end.retry_at is None
        rig.dialer.dial_failed(got.get(PAID, ""), "BUSY")
    rig.clock.now += timedelta(days=1)
    assert UNPAID not in rig.place()                          # 3 attempts: never a fourth
    row = next(r for r in rig.surveys.list(rig.who["1001"]) if r["ticket"] == UNPAID)
    assert row["automated"]["attempts"] == 3 and row["automated"]["owner"] == "agents"
    with rig.sessions() as db:
        gave = db.scalar(select(AuditEntry).where(AuditEntry.action == "survey_gave_up",
                                                  AuditEntry.object_id == UNPAID))
        assert gave.actor == "ivr" and gave.detail["attempts"] == 3


def test_tickets_given_up_long_ago_never_crowd_out_the_ones_to_call(world, tmp_path):  # noqa: F811
    rig = Rig(world, tmp_path, concurrency=1, max_attempts=1)
    first = rig.place()
    (given_up, attempt), = first.items()
    assert rig.dialer.dial_failed(attempt, "NOANSWER").gave_up
    with rig.sessions() as db:
        due = rig.dialer._due(db, rig.clock.now, most=1)       # one line free: the one still to call
    assert [t.number for t in due] == [n for n in PHONES if n != given_up]
    assert list(rig.place()) == [n for n in PHONES if n != given_up]


def test_automated_gives_up_to_the_team_leads_only(world, tmp_path):  # noqa: F811
    rig = Rig(world, tmp_path, mode="automated", max_attempts=1)
    end = rig.dialer.dial_failed(rig.place()[UNPAID], "NOANSWER")
    assert end.owner == "team_leads"
    assert UNPAID not in [r["ticket"] for r in rig.surveys.list(rig.who["1001"])]     # an agent
    lead = rig.surveys.list(rig.who["1101"])
    assert next(r for r in lead if r["ticket"] == UNPAID)["automated"]["owner"] == "team_leads"
    assert PAID not in [r["ticket"] for r in lead]              # still the dialer's (placed)


def test_a_ticket_without_a_number_is_given_up_at_once(rig):
    with rig.sessions() as db, db.begin():
        t = db.scalar(select(Ticket).where(Ticket.number == PAID))
        t.callback_number, t.caller_number = "", "anonymous"
    got = rig.place()
    assert PAID not in got
    row = next(r for r in rig.surveys.list(rig.who["1001"]) if r["ticket"] == PAID)
    assert row["automated"]["owner"] == "agents" and row["automated"]["last_outcome"] == "failed"


def test_a_number_the_hotline_may_not_dial_is_never_dialled_and_goes_to_people_with_a_note(rig):
    """Placed, then the policy or the ticket changed: the dial half gets no number and the attempt ends
    there (no retry); the dialplan's number classes refusing a number (REFUSED) end it the same way.
    Either way the give-up is audited with its note."""
    got = rig.place()
    with rig.sessions() as db, db.begin():
        t = db.scalar(select(Ticket).where(Ticket.number == UNPAID))
        t.callback_number, t.caller_number = "0068212345", "16812345678"       # international, premium
    assert rig.dialer.number_for(got[UNPAID])[0] == ""
    a = rig.attempt(got[UNPAID])
    assert a.outcome == "failed" and a.next_at is None
    end = rig.dialer.dial_failed(got[PAID], "REFUSED")
    assert end.outcome == "failed" and end.retry_at is None and end.owner == "agents"
    with rig.sessions() as db:
        for number in (UNPAID, PAID):
            gave = db.scalar(select(AuditEntry).where(AuditEntry.action == "survey_gave_up",
                                                      AuditEntry.object_id == number))
            assert gave.detail["note"] == "没有可拨打的号码" and gave.detail["attempts"] == 1, number
    rig.clock.now += timedelta(days=1)
    assert rig.place() == {}                                    # never called again


def test_an_international_number_is_called_only_where_the_admin_allows_it(world, tmp_path):  # noqa: F811
    def abroad(rig):
        with rig.sessions() as db, db.begin():
            t = db.scalar(select(Ticket).where(Ticket.number == PAID))
            t.callback_number, t.caller_number = "0085212345678", "0085212345678"
        return rig
    assert PAID not in abroad(Rig(world, tmp_path)).place()     # HOTLINE_OUTBOUND_ALLOW empty: nothing to dial
    with pytest.raises(RuleError) as exc:
        abroad(Rig(world, tmp_path, mode="agents")).dialer.request(PAID)
    assert exc.value.status == 422
    allowed = abroad(Rig(world, tmp_path, mode="agents", allowed=frozenset({"international"})))
    attempt = allowed.ref(allowed.dialer.request(PAID))
    assert allowed.place() == {PAID: attempt} and allowed.dialer.number_for(attempt) == ("0085212345678", None)


def test_the_clis_request_is_checked_then_placed_first(world, tmp_path):  # noqa: F811
    rig = Rig(world, tmp_path, mode="agents")
    with pytest.raises(RuleError) as exc:
        rig.dialer.request("2699999999")
    assert exc.value.status == 404
    with pytest.raises(RuleError) as exc:
        rig.dialer.request("2611230001")              # a new ticket, not completed
    assert exc.value.status == 409 and "不在回访列表" in exc.value.message
    attempt = rig.dialer.request(PAID)
    assert rig.dialer.attempt(attempt)["outcome"] == "requested"
    with pytest.raises(RuleError) as exc:
        rig.dialer.request(PAID)
    assert exc.value.status == 409 and "正在" in exc.value.message
    assert rig.place() == {PAID: rig.ref(attempt)}    # mode agents: only what was asked for
    assert rig.dialer.attempt(attempt)["outcome"] == "placed"
    other = rig.dialer.request(UNPAID)
    assert rig.dialer.cancel_request(other) and rig.dialer.attempt(other)["outcome"] == "failed"


class FakeAmi:
    def __init__(self, response="Success"):
        self.connected = asyncio.Event()
        self.connected.set()
        self.sent, self.response = [], response

    async def action(self, name, **fields):
        self.sent.append({"Action": name, **fields})
        return {"Response": self.response, "Message": "x"}


async def test_the_service_originates_a_local_channel_and_never_a_number(rig):
    ami, ends = FakeAmi(), []

    async def ended(end):
        ends.append(end)
    sent = await SurveyCaller(rig.dialer, ami, "96069", ended).round()
    assert sent == 2
    with rig.sessions() as db:
        rows = {r.ref: r for r in db.scalars(select(SurveyCall))}
        tokens = {t.call: t for t in db.scalars(select(CallToken))}
    for a in ami.sent:
        assert a["Channel"].startswith("Local/") and a["Channel"].endswith("@survey-dial/n")
        assert a["Context"] == "survey-call" and a["Exten"] == a["Channel"][6:].split("@")[0]
        assert not any(p in str(v) for v in a.values() for p in PHONES.values())
        # the attempt by its random ref, never its id; its token in the variables, kept only hashed
        ref = a["Exten"]
        assert ref_of(ref) == ref and ref in rows and ref != str(rows[ref].id)
        name, token = a["Variable"].split("=", 1)
        assert name == "__HOTLINE_CALL_TOKEN" and tokens[ref].digest == digest(token) != token
        assert tokens[ref].kind == "survey"
    refused = FakeAmi("Error")
    rig.clock.now += timedelta(days=1, minutes=1)
    with rig.sessions() as db, db.begin():       # both lost meanwhile: due again
        for r in db.scalars(select(SurveyCall)):
            r.ended_at, r.outcome, r.next_at = rig.clock.now, "failed", rig.clock.now
    assert await SurveyCaller(rig.dialer, refused, "96069", ended).round() == 0
    assert {e.outcome for e in ends} == {"failed"} and len(ends) == 2
    assert {a["CallerID"] for a in ami.sent} == {"96069"}


async def test_without_a_public_number_the_originate_presents_none(rig):
    ami = FakeAmi()

    async def ended(end):
        pass
    assert await SurveyCaller(rig.dialer, ami, "", ended).round() == 2
    assert all(a["CallerID"] is None for a in ami.sent)      # None: ami_action leaves the field out


def test_bad_settings_name_the_setting(tmp_path):
    s = load_settings(home=str(tmp_path))
    assert survey_policy(s).mode == "agents" and survey_policy(s).hours == "09:00-20:00"
    with pytest.raises(ValueError, match="HOTLINE_SURVEY_MODE"):
        survey_policy(s.replace(survey_mode="robots"))
    for bad in ("9-20", "20:00-09:00", "25:00-26:00", ""):
        with pytest.raises(ValueError, match="HOTLINE_SURVEY_HOURS"):
            survey_policy(s.replace(survey_hours=bad))
    assert survey_policy(s).allowed == frozenset()
    assert survey_policy(s.replace(outbound_allow="international")).allowed == {"international"}


# ------------------------------------------------------------- the reports --

async def test_results_per_ticket_station_agent_and_technician(rig):
    with rig.sessions() as db, db.begin():
        add_user(db, "8101", "李师傅", Role.station, "pw-1234567")
        tech = db.scalar(select(User).where(User.agent_no == "8101"))
        for tr in db.scalars(select(TicketTransition).where(TicketTransition.state == TicketState.completed)):
            tr.user_id = tech.id
    with rig.sessions() as db:
        lead = actor_for(db, "1101")        # the dialer owns PAID: only a team lead surveys it by hand
    rig.surveys.record(lead, PAID, {"solved": True, "attitude": "average", "charged": False, "score": 7})
    attempt = rig.place()[UNPAID]
    await rig.answer(attempt, "1", "1", "1", "1", "9")
    with rig.sessions() as db:
        by_ticket = {r["ticket"]: r for r in survey_results(db, "ticket")}
        by_tech = survey_results(db, "technician")
        by_station = survey_results(db, "station")
        by_agent = survey_results(db, "agent")
        later = survey_results(db, "ticket", since=T0 + timedelta(days=1))
    assert by_ticket[UNPAID]["by_ivr"] == 1 and by_ticket[UNPAID]["satisfied"] == 1
    assert by_ticket[PAID]["by_agent"] == 1 and by_ticket[PAID]["score_avg"] == 7
    assert by_tech == [{**by_tech[0], "technician": "8101", "surveys": 2, "score_avg": 8.0, "solved": 2}]
    assert by_station[0]["surveys"] == 2 and by_agent[0]["agent"] is None and later == []
    with pytest.raises(ValueError):
        survey_results(db, "weather")
