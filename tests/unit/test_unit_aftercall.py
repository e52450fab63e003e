"""The work after the call on SQLite, no Asterisk: a ticket's lifecycle for each role, stations and
their areas, the anomaly register, its timers (moved clock) and escalation."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import Call, HeatingAccount, RepairStation, Role, Ticket, TicketState, TicketTransition, User
from db.queries import station_for
from db.session import make_engine, migrate, session_factory
from hotline.admin.users import add_user
from hotline.aftercall.anomalies import AnomalyRegister
from db.tickets import create_ticket
from hotline.aftercall.lifecycle import REOPEN_CALL_WINDOW, Timers, TicketWork
from hotline.aftercall.rules import Refused, RuleError, actor_for
from hotline.aftercall.stations import StationError, import_stations, parse_areas, save_station

T0 = datetime(2026, 11, 23, 10, 0)


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


@pytest.fixture
def world(tmp_path):
    s = tmp_path / "h.db"
    engine = make_engine(f"sqlite:///{s}")
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db:
        save_station(db, "TX", "铁西维修站", "024-25670000", ["13900000001"], [("铁西区", "", "")])
        save_station(db, "TXN", "铁西北维修站", "024-25670001", [], [("铁西区", "兴华北街", "")])
        save_station(db, "B12", "十二号楼维修组", "024-25670002", [], [("铁西区", "兴华北街", "12")])
        db.flush()
        tx = db.scalar(select(RepairStation.id).where(RepairStation.code == "TX"))
        txn = db.scalar(select(RepairStation.id).where(RepairStation.code == "TXN"))
        for no, role, station in (("1001", Role.agent, None), ("1101", Role.team_lead, None),
                                  ("1201", Role.head, None), ("8001", Role.station, tx), ("8002", Role.station, txn)):
            add_user(db, no, f"人{no}", role, "pw-1234567")
            db.flush()
            db.scalar(select(User).where(User.agent_no == no)).station_id = station
        acc = HeatingAccount(account_no="20000001", name="王秀兰", district="铁西区", compound="兴华北街",
                             building="7", unit="1", room="101")
        db.add(acc)
        db.flush()
        t = Ticket(number="2611230001", account_id=acc.id, state=TicketState.new, address_snapshot=acc.address,
                   created_at=T0, updated_at=T0)
        t.transitions.append(TicketTransition(state=TicketState.new, at=T0))
        db.add(t)
        db.commit()
    clock = Clock()
    timers = Timers(accept_min=30, contact_min=60, open_h=4)
    work, register = TicketWork(sessions, clock, timers), AnomalyRegister(sessions, clock, timers)
    with sessions() as db:
        who = {no: actor_for(db, no) for no in ("1001", "1101", "1201", "8001", "8002")}
    return work, register, clock, who, sessions


def test_the_finest_area_of_an_address_names_its_station(world):
    *_, sessions = world
    with sessions() as db:
        assert station_for(db, "铁西区", "兴华北街", "12").code == "B12"      # the building
        assert station_for(db, "铁西区", "兴华北街", "7").code == "TXN"       # the compound
        assert station_for(db, "铁西区", "启工街", "3").code == "TX"          # the district
        assert station_for(db, "和平区", "", "") is None


def test_a_ticket_goes_through_every_state_by_the_right_roles(world):
    work, _, clock, who, _ = world
    n = "2611230001"
    with pytest.raises(Refused):
        work.move(who["1001"], n, "dispatched", station_code="TX")          # an agent does not dispatch
    t = work.move(who["1101"], n, "dispatched", station_code="TXN")
    assert t["state"] == "dispatched" and t["history"][-1]["note"] == "派铁西北维修站" and t["history"][-1]["by"] == "1101"
    with pytest.raises(Refused):
        work.move(who["8001"], n, "accepted")                               # not TX's ticket
    for actor, state, note in (("8002", "accepted", ""), ("8002", "contacted", "已电话联系住户"),
                               ("8002", "completed", "更换阀门,已恢复供暖")):
        clock.now += timedelta(minutes=5)
        t = work.move(who[actor], n, state, note=note)
        assert t["state"] == state
    with pytest.raises(RuleError) as e:                                      # 回访 is saved with its answers
        work.move(who["1001"], n, "followed_up", note="回访满意")
    assert e.value.status == 409 and "回访" in e.value.message
    t = work.move(who["1101"], n, "closed")
    assert [h["state"] for h in t["history"]] == ["new", "dispatched", "accepted", "contacted", "completed", "closed"]
    assert t["history"][4] == {"state": "completed", "at": "2026-11-23T10:15:00", "by": "8002",
                               "note": "更换阀门,已恢复供暖"}


def test_illegal_moves_and_missing_notes_are_refused_with_words_that_say_why(world):
    work, _, _, who, _ = world
    n = "2611230001"
    with pytest.raises(RuleError) as e:
        work.move(who["1101"], n, "completed", note="x")
    assert e.value.status == 409 and "新建" in e.value.message and "已返单" in e.value.message
    with pytest.raises(RuleError) as e:
        work.move(who["1101"], n, "cancelled")
    assert e.value.status == 422 and "原因" in e.value.message
    with pytest.raises(RuleError) as e:
        work.move(who["1101"], n, "dispatched")                             # the ticket has no station yet
    assert e.value.status == 422
    work.move(who["1101"], n, "dispatched", station_code="TX")
    work.move(who["8001"], n, "accepted")
    with pytest.raises(RuleError) as e:
        work.move(who["8001"], n, "completed")
    assert "处理结果" in e.value.message
    with pytest.raises(RuleError):
        work.move(who["1101"], n, "no-such-state")


def test_a_station_sees_only_its_own_tickets_and_agents_see_no_list(world):
    work, _, _, who, _ = world
    work.move(who["1101"], "2611230001", "dispatched", station_code="TX")
    assert [r["number"] for r in work.tickets(who["8001"])] == ["2611230001"]
    assert work.tickets(who["8002"]) == []
    with pytest.raises(Refused):
        work.show(who["8002"], "2611230001")
    with pytest.raises(Refused):
        work.tickets(who["1001"])
    rows = work.tickets(who["1101"], station="TX", district="铁西区")
    assert rows[0]["station_code"] == "TX" and rows[0]["district"] == "铁西区"


def test_a_closed_repair_is_reopened_as_a_linked_follow_up_ticket(world):
    work, _, _, who, _ = world
    n = "2611230001"
    work.move(who["1101"], n, "cancelled", note="住户撤回")
    with pytest.raises(RuleError):
        work.reopen(who["1101"], n, "还是不热")                              # cancelled is not a repair done
    work2 = work.tickets(who["1101"], state="cancelled")
    assert work2[0]["state"] == "cancelled"


def _completed(work, who, n: str = "2611230001") -> str:
    """The repair dispatched, accepted and completed (返单) by its station."""
    work.move(who["1101"], n, "dispatched", station_code="TX")
    work.move(who["8001"], n, "accepted")
    work.move(who["8001"], n, "completed", note="已修好")
    return n


def test_reopening_a_completed_repair_links_both_tickets(world):
    work, _, clock, who, sessions = world
    n = _completed(work, who)
    with pytest.raises(Refused):                  # an agent with no call from this resident
        work.reopen(who["1001"], n, "还是不热")
    _resident_calls_again(sessions, clock, who["1001"], n)
    new = work.reopen(who["1001"], n, "还是不热")
    assert new["followup_of"] == n and new["state"] == "new" and new["number"] != n
    old = work.show(who["1101"], n)
    assert old["state"] == "completed" and old["followups"] == [new["number"]]
    again = work.show(who["1101"], new["number"])
    assert again["followup_of"] == n and "还是不热" in again["history"][0]["note"]


def _resident_calls_again(sessions, clock, agent, number: str) -> None:
    """The resident of ticket `number` calls the hotline again and `agent` answers."""
    with sessions() as db, db.begin():
        old = db.scalar(select(Ticket).where(Ticket.number == number))
        again = create_ticket(db, clock.now, account_id=old.account_id)
        db.add(Call(uniqueid="1763890000.1", caller="13900000002", ticket_id=again.id, agent_id=agent.user_id,
                    ivr_at=clock.now, answered_at=clock.now))


def test_an_agent_reopens_only_for_the_resident_on_their_call_and_not_long_after(world):
    work, _, clock, who, sessions = world
    n = _completed(work, who)
    _resident_calls_again(sessions, clock, who["1001"], n)
    with sessions() as db, db.begin():
        db.scalar(select(Call).where(Call.uniqueid == "1763890000.1")).ended_at = clock.now
    clock.now += REOPEN_CALL_WINDOW + timedelta(minutes=1)
    with pytest.raises(Refused) as refused:
        work.reopen(who["1001"], n, "还是不热")
    assert refused.value.action == "reopen_refused"
    assert work.reopen(who["1101"], n, "还是不热")["followup_of"] == n          # a team lead any time
    with pytest.raises(Refused):
        work.reopen(who["8001"], n, "还是不热")                                 # a station never


def test_the_timers_raise_each_late_anomaly_once_from_the_stored_timeline(world):
    work, register, clock, who, _ = world
    n = "2611230001"
    work.move(who["1101"], n, "dispatched", station_code="TX")
    clock.now += timedelta(minutes=29)
    assert register.check_timers() == []
    clock.now += timedelta(minutes=2)                                       # 31 min: the station is late
    (a,) = register.check_timers()
    assert (a["type"], a["ticket"], a["opened_by"]) == ("station_late", n, "system")
    assert register.check_timers() == []                                    # once
    assert work.tickets(who["1101"])[0]["overdue"] is True
    work.move(who["8001"], n, "accepted")
    clock.now += timedelta(minutes=61)
    assert [x["type"] for x in register.check_timers()] == ["contact_late"]
    clock.now += timedelta(hours=3)
    assert [x["type"] for x in register.check_timers()] == ["over_4h"]
    shown = work.show(who["1101"], n)
    assert [(x["type"], x["state"]) for x in shown["anomalies"]] == [
        ("station_late", "open"), ("contact_late", "open"), ("over_4h", "open")]
    # a fresh register (a restarted service) raises nothing again
    assert AnomalyRegister(register.sessions, clock, register.timers).check_timers() == []


def test_complaints_escalate_to_every_lead_until_each_acknowledges_and_are_tracked_to_a_result(world):
    _, register, clock, who, _ = world
    with pytest.raises(RuleError):
        register.record(who["1001"], "over_4h", "2611230001", "x")             # timers' types are the system's
    c = register.record(who["1001"], "complaint_technician", "2611230001", "维修工态度差")
    assert c["escalated"] and c["owner"] is None and c["state"] == "open"
    assert c["deadline"] == (T0 + timedelta(hours=24)).isoformat(timespec="seconds")
    praise = register.record(who["1101"], "praise", None, "表扬小王")
    assert not praise["escalated"] and praise["owner"] == "1101"
    assert [a["id"] for a in register.unacknowledged(who["1201"])] == [c["id"]]
    register.ack(who["1201"], c["id"])
    assert register.unacknowledged(who["1201"]) == [] and len(register.unacknowledged(who["1101"])) == 1
    assert register.unacknowledged(who["1001"]) == []                       # agents get none
    with pytest.raises(Refused):
        register.handle(who["1001"], c["id"], "x")
    h = register.handle(who["1101"], c["id"], "已约谈维修工")
    assert h["state"] == "handled" and h["owner"] == "1101"
    with pytest.raises(RuleError):
        register.close(who["1101"], praise["id"])                          # a result is needed
    closed = register.close(who["1101"], c["id"])
    assert closed["state"] == "closed" and closed["result"] == "已约谈维修工"
    assert [a["id"] for a in register.register(who["1101"], open_only=True)] == [praise["id"]]
    assert register.unacknowledged(who["1101"]) == []                       # closed: off every desk
    assert set(register.supervisors()) == {"1101", "1201"}


def test_stations_import_from_csv_every_line_checked(world, tmp_path):
    *_, sessions = world
    f = tmp_path / "stations.csv"
    f.write_text("code,name,phone,technicians,areas\n"
                 "HP,和平维修站,024-23000000,13900000009;13900000010,和平区;和平区/南湖/3\n"
                 "TX,铁西维修站(新),024-25670000,,铁西区\n"
                 "BAD,,x,,\n", encoding="utf-8")
    with sessions() as db:
        rep = import_stations(db, f)
        db.commit()
    assert (rep.created, rep.updated) == (1, 1) and len(rep.errors) == 1 and ":4:" in rep.errors[0]
    with sessions() as db:
        assert station_for(db, "和平区", "南湖", "3").code == "HP"
        assert db.scalar(select(RepairStation).where(RepairStation.code == "HP")).technician_phones == [
            "13900000009", "13900000010"]
    assert parse_areas("铁西区/兴华北街/12;沈河区") == [("铁西区", "兴华北街", "12"), ("沈河区", "", "")]
    with pytest.raises(StationError):
        parse_areas("a/b/c/d")
