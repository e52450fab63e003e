"""The worklists (#15) on SQLite, no Asterisk: the call-back list (take, a lapsed take, attempts →
the team lead after N over ≥ 2 h on a moved clock, reached clears, a resident calling in again) and
回访 (save → followed_up, not solved → a linked ticket, f only when satisfied and unpaid, a booked
time brings the ticket back)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import AuditEntry, Call, CallOutcome, HeatingAccount, Role, Ticket, TicketState, TicketTransition
from db.session import make_engine, migrate, session_factory
from hotline.admin.users import add_user
from hotline.aftercall.callbacks import CallbackList, CallbackPolicy
from hotline.aftercall.lifecycle import TicketWork
from hotline.aftercall.rules import Refused, RuleError, actor_for
from hotline.aftercall.surveys import SurveyList, fee_reminder_applies
from made_by_ivr import book_callback

T0 = datetime(2026, 11, 23, 10, 0)


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


@pytest.fixture
def world(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db:
        for no, role in (("1001", Role.agent), ("1002", Role.agent), ("1101", Role.team_lead),
                         ("8001", Role.station)):
            add_user(db, no, f"人{no}", role, "pw-1234567")
        unpaid = HeatingAccount(account_no="20000001", name="王秀兰", district="铁西区", compound="兴华北街",
                                building="7", unit="1", room="101", fee_status="unpaid")
        paid = HeatingAccount(account_no="20000002", name="刘建国", district="铁西区", compound="兴华北街",
                              building="8", unit="1", room="101", fee_status="paid")
        db.add_all([unpaid, paid])
        db.flush()
        paid_id = paid.id
        for number, acc in (("2611220001", unpaid), ("2611220002", paid)):
            t = Ticket(number=number, account_id=acc.id, state=TicketState.completed, created_at=T0 - timedelta(days=1),
                       updated_at=T0 - timedelta(hours=3), address_snapshot=acc.address, name_snapshot=acc.name)
            t.transitions.append(TicketTransition(state=TicketState.new, at=T0 - timedelta(days=1)))
            t.transitions.append(TicketTransition(state=TicketState.completed, note="更换阀门",
                                                  at=T0 - timedelta(hours=3 if number.endswith("1") else 2)))
            db.add(t)
        db.commit()
    # the call-back tickets are made the way the IVR makes them: a call, its draft, the reason booked
    for i, (reason, minutes_ago) in enumerate(((CallOutcome.callback_requested, 30),
                                               (CallOutcome.abandoned, 90), (CallOutcome.no_agent, 5)), 1):
        book_callback(sessions, T0 - timedelta(minutes=minutes_ago), f"1391234567{i}", reason,
                      account_id=paid_id if i == 2 else None)
    clock = Clock()
    with sessions() as db:
        who = {no: actor_for(db, no) for no in ("1001", "1002", "1101", "8001")}
    return CallbackList(sessions, clock, CallbackPolicy(3, 2, 15)), SurveyList(sessions, clock), \
        TicketWork(sessions, clock), clock, who, sessions


def test_the_list_is_oldest_first_with_why_and_how_long(world):
    cb, *_, who, _ = world
    rows = cb.list(who["1001"])
    assert [r["ticket"] for r in rows] == ["2611230002", "2611230001", "2611230003"]
    assert rows[0]["reason"] == "abandoned" and rows[0]["waited"] == 90 * 60
    assert rows[0]["attempts"] == 0 and rows[0]["taken_by"] is None and not rows[0]["escalated"]
    with pytest.raises(Refused):
        cb.list(who["8001"])                   # a station has no call-back list


def test_a_take_is_seen_by_others_and_lapses(world):
    cb, *_, clock, who, sessions = world
    e = cb.take(who["1001"], "2611230001")
    assert e["taken_by"] == "1001"
    assert next(r for r in cb.list(who["1002"]) if r["ticket"] == "2611230001")["taken_by"] == "1001"
    with pytest.raises(RuleError) as exc:
        cb.take(who["1002"], "2611230001")
    assert exc.value.status == 409 and "1001" in exc.value.message
    with pytest.raises(RuleError) as exc:
        cb.outcome(who["1002"], "2611230001", "reached")
    assert exc.value.status == 409
    clock.now += timedelta(minutes=16)         # 15 minutes without an outcome: free again
    assert next(r for r in cb.list(who["1002"]) if r["ticket"] == "2611230001")["taken_by"] is None
    assert cb.take(who["1002"], "2611230001")["taken_by"] == "1002"
    with sessions() as db:
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "callback_take",
                                                  AuditEntry.actor == "1002")) is not None


def test_an_outcome_needs_the_take_and_a_known_word(world):
    cb, *_, who, _ = world
    with pytest.raises(RuleError) as exc:
        cb.outcome(who["1001"], "2611230001", "no_answer")
    assert exc.value.status == 409              # not taken
    cb.take(who["1001"], "2611230001")
    with pytest.raises(RuleError) as exc:
        cb.outcome(who["1001"], "2611230001", "gone_fishing")
    assert exc.value.status == 422
    with pytest.raises(Refused):
        cb.outcome(who["1001"], "2611230001", "closed", "x")   # closing is the team lead's


def test_reached_on_an_unconfirmed_repair_is_refused_with_words_that_say_why(world):
    cb, _, work, _, who, sessions = world
    cb.take(who["1001"], "2611230001")
    with pytest.raises(RuleError) as e:
        cb.outcome(who["1001"], "2611230001", "reached", "住户说暖气已热")
    assert e.value.status == 409 and "尚未确认" in e.value.message and "跟读确认" in e.value.message
    assert cb.list(who["1001"])[1]["taken_by"] == "1001"                   # still theirs, nothing recorded


def test_reached_clears_the_flag_once_the_repair_is_confirmed(world):
    cb, _, work, _, who, sessions = world
    work.confirm(who["1101"], "2611230001", dispatch=False)
    cb.take(who["1001"], "2611230001")
    e = cb.outcome(who["1001"], "2611230001", "reached", "住户说暖气已热")
    assert not e["open"] and e["last_attempt"]["outcome"] == "reached"
    assert "2611230001" not in [r["ticket"] for r in cb.list(who["1001"])]
    assert "2611230001" in [r["ticket"] for r in cb.list(None, open_only=False)]
    with sessions() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == "2611230001"))
        assert not t.callback_requested and t.state is TicketState.new    # the ticket goes on
    with pytest.raises(RuleError):
        cb.take(who["1002"], "2611230001")     # off the list


def test_attempts_go_to_the_team_lead_after_three_over_two_hours(world):
    cb, *_, clock, who, _ = world
    n = "2611230003"
    for outcome, later in (("no_answer", 0), ("busy", 50), ("no_answer", 50)):
        clock.now += timedelta(minutes=later)
        cb.take(who["1001"], n)
        e = cb.outcome(who["1001"], n, outcome)
    assert e["attempts"] == 3 and not e["escalated"]     # three, but within 100 minutes: keep trying
    clock.now += timedelta(minutes=25)
    cb.take(who["1001"], n)
    e = cb.outcome(who["1001"], n, "wrong_number")
    assert e["attempts"] == 4 and e["escalated"] and e["open"]     # 125 minutes: the team lead's
    assert n not in [r["ticket"] for r in cb.list(who["1001"])]
    assert next(r for r in cb.list(who["1101"]) if r["ticket"] == n)["escalated"]
    with pytest.raises(Refused):
        cb.take(who["1002"], n)
    with pytest.raises(RuleError) as exc:
        cb.outcome(who["1101"], n, "closed")
    assert exc.value.status == 422             # a note
    e = cb.outcome(who["1101"], n, "closed", "号码错误,已发短信通知")
    assert not e["open"] and e["last_attempt"]["by"] == "1101"


def test_a_resident_calling_again_is_recognised_and_cleared_when_answered(world):
    cb, *_, who, sessions = world
    with sessions() as db:
        db.add(Call(uniqueid="1700000000.9", caller="13912345671"))
        db.commit()
        call = db.scalar(select(Call).where(Call.uniqueid == "1700000000.9"))
        assert cb.for_call(db, call, None)["ticket"] == "2611230001"
    cleared = cb.called_in("1700000000.9", "1002")
    assert [c["ticket"] for c in cleared] == ["2611230001"]
    assert cleared[0]["last_attempt"]["outcome"] == "called_in" and cleared[0]["last_attempt"]["by"] == "1002"
    assert cb.called_in("1700000000.9", "1002") == []


# ----------------------------------------------------------------- 回访 --
def answers(**kw):
    return {"solved": True, "attitude": "average", "charged": False, "score": 8, "comment": "", **kw}


def test_the_survey_list_is_completed_repairs_oldest_first(world):
    _, sv, _, _, who, _ = world
    rows = sv.list(who["1001"])
    assert [r["ticket"] for r in rows] == ["2611220001", "2611220002"]
    assert rows[0]["fee_status"] == "unpaid" and rows[0]["result"] == "更换阀门"
    with pytest.raises(Refused):
        sv.list(who["8001"])


def test_saving_a_survey_moves_the_ticket_to_followed_up(world):
    _, sv, work, _, who, _ = world
    r = sv.save(who["1001"], "2611220002", answers(score=9, comment="师傅很专业"))
    assert r["state"] == "followed_up" and r["survey"]["by"] == "1001" and r["survey"]["channel"] == "agent"
    t = work.show(None, "2611220002")
    assert t["state"] == "followed_up" and t["survey"]["score"] == 9 and t["survey"]["comment"] == "师傅很专业"
    assert t["history"][-1]["state"] == "followed_up" and t["history"][-1]["by"] == "1001"
    assert "2611220002" not in [x["ticket"] for x in sv.list(who["1001"])]
    with pytest.raises(RuleError) as exc:
        sv.save(who["1001"], "2611220002", answers())
    assert exc.value.status == 409


def test_bad_answers_are_refused_with_the_question(world):
    _, sv, *_, who, _ = world
    for bad, letter in ((answers(score=11), "d"), (answers(score=True), "d"), (answers(attitude="great"), "b"),
                        (answers(solved="yes"), "a")):
        with pytest.raises(RuleError) as exc:
            sv.save(who["1001"], "2611220002", bad)
        assert exc.value.status == 422 and exc.value.message.startswith(letter)


def test_f_only_when_satisfied_and_unpaid(world):
    _, sv, *_, who, _ = world
    assert fee_reminder_applies("satisfied", "unpaid")
    assert not fee_reminder_applies("average", "unpaid") and not fee_reminder_applies("satisfied", "paid")
    with pytest.raises(RuleError):     # paid: f is not read
        sv.save(who["1001"], "2611220002", answers(attitude="satisfied", fee_reminder=True))
    with pytest.raises(RuleError):     # satisfied and unpaid: f must be read
        sv.save(who["1001"], "2611220001", answers(attitude="satisfied"))
    r = sv.save(who["1001"], "2611220001", answers(attitude="satisfied", fee_reminder=True))
    assert r["survey"]["fee_reminder"] is True


def test_not_solved_reopens_a_linked_ticket(world):
    _, sv, work, _, who, _ = world
    r, again = sv.record(who["1001"], "2611220002",
                         answers(solved=False, attitude="unsatisfied", score=3, comment="还是不热"))
    assert r["solved"] is False and r["reopened"] == again["number"]
    assert work.show(None, again["number"])["followup_of"] == "2611220002"


def test_a_booked_time_brings_the_ticket_back_then(world):
    _, sv, _, clock, who, _ = world
    with pytest.raises(RuleError):
        sv.book(who["1001"], "2611220001", "2026-11-23T09:00")          # the past
    with pytest.raises(RuleError):
        sv.book(who["1001"], "2611220001", "tomorrow")
    sv.book(who["1001"], "2611220001", "2026-11-23T15:00")
    assert [r["ticket"] for r in sv.list(who["1001"])] == ["2611220002"]
    clock.now = datetime(2026, 11, 23, 15, 0)
    rows = sv.list(who["1002"])
    assert "2611220001" in [r["ticket"] for r in rows]
    assert next(r for r in rows if r["ticket"] == "2611220001")["due_at"] == "2026-11-23T15:00:00"
