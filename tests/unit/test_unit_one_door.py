"""#24 — one owner of the ticket: every ticket is made and moved through one door (db.tickets), and
every repair that is not done is on somebody's list. On SQLite, no Asterisk: the tickets are made
the way the IVR, the desk and reconciliation make them, the calls end, and the team lead's list,
the confirmation, the agent's form for a call-back they hold and the confirm timer are checked."""
from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from common import wire
from common.ports import Ports
from common.settings import load_settings
from db.models import (AnomalyRecord, AnomalyType, AuditEntry, Call, CallOutcome, HeatingAccount, RepairStation, Role,
                       StationArea, Ticket, TicketState, User)
from db.session import make_engine, migrate, session_factory
from db.tickets import IllegalMove, create_ticket, move_ticket
from hotline.admin.users import add_user
from hotline.aftercall.anomalies import AnomalyRegister
from hotline.aftercall.callbacks import CallbackList
from hotline.aftercall.lifecycle import Timers, TicketWork
from hotline.aftercall.rules import Refused, RuleError, actor_for
from hotline.service.app import HotlineService
from hotline.service.desk import DeskService, Forbidden
from hotline.service.reconcile import Reconciler
from hotline.service.schemas import TicketForm
from ivr.context import IvrContext, Records
from made_by_ivr import book_callback
from test_unit_service_events import RecordedAmi

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 23, 2, 0)          # a night: nobody logged in
PASSWORD = "correct-horse-7"


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """One migrated database with the people, an account and its station; each test copies it."""
    path = tmp_path_factory.mktemp("template") / "t.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with session_factory(engine)() as db:
        for no, role in (("1001", Role.agent), ("1002", Role.agent), ("1101", Role.team_lead), ("8001", Role.station)):
            add_user(db, no, f"人{no}", role, PASSWORD)
        st = RepairStation(code="TX", name="铁西维修站", phone="024-25670000")
        other = RepairStation(code="HP", name="和平维修站", phone="024-23000000")
        db.add_all([st, other])
        db.flush()
        db.add(StationArea(station_id=st.id, district="铁西区"))
        db.add(HeatingAccount(account_no="20000001", name="王秀兰", district="铁西区", compound="兴华北街",
                              building="7", unit="1", room="101"))
        db.commit()
    engine.dispose()
    return path


@pytest.fixture
def world(template, tmp_path):
    shutil.copy(template, tmp_path / "w.db")
    s = load_settings(home=str(tmp_path / "home"), db_url=f"sqlite:///{tmp_path / 'w.db'}")
    sessions = session_factory(make_engine(s.database_url))
    clock = Clock()
    work = TicketWork(sessions, clock, Timers(confirm_min=30))
    with sessions() as db:
        who = {no: actor_for(db, no) for no in ("1001", "1002", "1101", "8001")}
        account_id = db.scalar(select(HeatingAccount.id))
    return sessions, s, clock, work, who, account_id


def _ended(records: Records, uniqueid: str) -> None:
    records.end_call(uniqueid, "")


# --------------------------------------------------------------------------- the door --

def test_a_transition_is_written_nowhere_but_the_door():
    """Nothing shipped makes a TicketTransition, sets a ticket's state or numbers a ticket but
    db/tickets.py (the models define them; migrations are history)."""
    writes = re.compile(r"TicketTransition\(|\bt\.state\s*=[^=]|\.state,\s*\w+\.updated_at\s*=|next_ticket_number\(")
    offenders = []
    for pkg in ("hotline", "ivr", "db", "common", "desktop", "agi_scripts", "bench"):
        for path in (REPO / pkg).rglob("*.py"):
            rel = path.relative_to(REPO).as_posix()
            if rel in ("db/tickets.py", "db/models.py") or "/migrations/" in rel:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if writes.search(line) and not line.lstrip().startswith("#"):
                    offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []


def test_the_door_numbers_a_ticket_records_its_first_state_and_refuses_a_move_off_the_graph(world):
    sessions, *_ = world
    with sessions() as db, db.begin():
        t = create_ticket(db, T0, caller_number="13912345678")
        assert t.number == "2611230001" and t.state is TicketState.draft and t.created_at == T0
        with pytest.raises(IllegalMove):
            move_ticket(db, t, TicketState.dispatched, T0)
        assert move_ticket(db, t, TicketState.new, T0 + timedelta(minutes=1), by=None, note="确认") is TicketState.draft
        assert [(x.state, x.at, x.note) for x in t.transitions] == [
            (TicketState.draft, T0, ""), (TicketState.new, T0 + timedelta(minutes=1), "确认")]
        assert t.updated_at == T0 + timedelta(minutes=1)


# --------------------------------------------------------- every repair on a list --

def _every_kind_of_unconfirmed_repair(world) -> dict[str, str]:
    """One draft per way a repair is left unconfirmed; reason → ticket number."""
    sessions, s, clock, work, who, account_id = world
    made = {}
    for reason in (CallOutcome.callback_requested, CallOutcome.abandoned, CallOutcome.no_agent,
                   CallOutcome.max_wait, CallOutcome.after_hours_message):
        made[reason.value] = book_callback(sessions, T0, f"13900000{len(made):03d}", reason, account_id=account_id)
    records = Records(sessions, load_settings(today=T0.isoformat()))
    # a hang-up in the IVR after the problem was keyed
    records.start_call("1763860000.7", "1763860000.7", "13900000100", "8000")
    made["in_ivr_hangup"] = records.save_ticket("1763860000.7", None, category=None, callback_number="13900000100").number
    _ended(records, "1763860000.7")
    # answered by an agent who never saved
    records.start_call("1763860000.8", "1763860000.8", "13900000101", "8000")
    made["answered_unsaved"] = records.save_ticket("1763860000.8", None, account_id=account_id).number
    records.answered("1763860000.8", "1001", "")
    _ended(records, "1763860000.8")
    # the degraded path: the service was down, the caller gave up in the queue (read back from queue_log)
    log = Path(s.home) / "queue_log"
    log.parent.mkdir(parents=True, exist_ok=True)
    at = int(T0.timestamp())
    log.write_text(f"{at}|1763860000.9|repair|NONE|ENTERQUEUE||13900000102|1\n"
                   f"{at + 40}|1763860000.9|repair|NONE|ABANDON|1|1|40\n")
    Reconciler(sessions, log).run()
    with sessions() as db:
        made["degraded"] = db.scalar(select(Ticket.number).join(Call, Call.ticket_id == Ticket.id)
                                     .where(Call.uniqueid == "1763860000.9"))
    return made


def test_every_repair_not_done_is_on_the_team_leads_list_with_its_reason_and_age(world):
    sessions, s, clock, work, who, account_id = world
    made = _every_kind_of_unconfirmed_repair(world)
    with sessions() as db, db.begin():                     # and some that are further on
        further = {st: create_ticket(db, T0, state=st).number
                   for st in (TicketState.new, TicketState.completed, TicketState.followed_up)}
        done = [create_ticket(db, T0, state=st).number
                for st in (TicketState.closed, TicketState.cancelled, TicketState.resolved)]
    clock.now = T0 + timedelta(minutes=20)
    rows = {r["number"]: r for r in work.tickets(who["1101"])}
    with sessions() as db:
        not_done = set(db.scalars(select(Ticket.number).where(
            Ticket.state.not_in((TicketState.closed, TicketState.cancelled, TicketState.resolved)))))
    assert not_done == set(rows) and not set(done) & set(rows)         # the invariant
    assert {reason: rows[n]["reason"] for reason, n in made.items()} == {r: r for r in made}
    assert all(rows[n]["state"] == "draft" and rows[n]["age_s"] >= 1100 for n in made.values())
    assert rows[made["callback_requested"]]["age_s"] == 1200
    assert all(rows[n]["reason"] is None for n in further.values())
    unconfirmed = work.tickets(who["1101"], unconfirmed=True)
    assert {r["number"] for r in unconfirmed} == set(made.values())
    assert work.tickets(None, unconfirmed=True) == unconfirmed             # the admin's CLI sees the same


def test_a_draft_whose_call_is_still_on_the_line_is_the_agents_form_not_the_list(world):
    sessions, s, clock, work, who, account_id = world
    records = Records(sessions, load_settings(today=T0.isoformat()))
    records.start_call("1763860001.1", "1763860001.1", "13900000200", "8000")
    number = records.save_ticket("1763860001.1", None, account_id=account_id).number
    assert number not in {r["number"] for r in work.tickets(who["1101"])}
    with pytest.raises(RuleError) as e:
        work.confirm(who["1101"], number)
    assert e.value.status == 409 and "通话中" in e.value.message
    _ended(records, "1763860001.1")
    assert number in {r["number"] for r in work.tickets(who["1101"], unconfirmed=True)}


def test_a_station_never_sees_a_draft_or_a_repair_not_yet_dispatched(world):
    sessions, s, clock, work, who, account_id = world
    number = book_callback(sessions, T0, "13900000300", account_id=account_id)   # suggested: TX
    with sessions() as db, db.begin():
        st = db.scalar(select(RepairStation).where(RepairStation.code == "TX"))
        db.scalar(select(User).where(User.agent_no == "8001")).station_id = st.id
    with sessions() as db:
        station = actor_for(db, "8001")
    assert work.tickets(station) == []
    work.confirm(who["1101"], number, dispatch=False)
    assert work.tickets(station) == []
    work.move(who["1101"], number, "dispatched")
    assert [r["number"] for r in work.tickets(station)] == [number]


# ------------------------------------------------------------------- confirming --

def test_a_team_lead_confirms_and_dispatches_a_draft_in_one_step(world):
    sessions, s, clock, work, who, account_id = world
    made = _every_kind_of_unconfirmed_repair(world)
    n = made["after_hours_message"]
    with pytest.raises(Refused):
        work.confirm(who["1001"], n)                                      # an agent does not
    t = work.confirm(who["1101"], n)                                      # the station the address suggests
    assert t["state"] == "dispatched" and t["station_code"] == "TX"
    assert [(h["state"], h["by"]) for h in t["history"]] == [("draft", "ivr"), ("new", "1101"), ("dispatched", "1101")]
    t = work.confirm(who["1101"], made["degraded"], station_code="HP")    # no address: the lead picks one
    assert t["state"] == "dispatched" and t["station_code"] == "HP"
    with pytest.raises(RuleError) as e:
        work.confirm(who["1101"], made["in_ivr_hangup"])                  # no address, no station named
    assert e.value.status == 422
    assert work.confirm(who["1101"], made["in_ivr_hangup"], dispatch=False)["state"] == "new"
    with pytest.raises(RuleError) as e:
        work.confirm(who["1101"], n)
    assert e.value.status == 409 and "不是待确认" in e.value.message


def test_an_agent_who_holds_the_call_back_confirms_the_repair_in_the_form_then_records_reached(world):
    sessions, s, clock, work, who, account_id = world
    pinned = s.replace(today=T0.isoformat())
    cb = CallbackList(sessions, pinned.now)
    desk = DeskService(sessions, pinned, {}.get, work=work, callbacks=cb)
    number = book_callback(sessions, T0, "13900000400", CallOutcome.no_agent, account_id=account_id)
    agent = desk.principal(desk.login("1001", PASSWORD, "10.0.0.1")[0]["token"])
    other = desk.principal(desk.login("1002", PASSWORD, "10.0.0.2")[0]["token"])
    with pytest.raises(Forbidden):
        desk.ticket(agent, number)                                        # not theirs until taken
    cb.take(agent.actor, number)
    assert desk.ticket(agent, number)["state"] == "draft"
    with pytest.raises(Forbidden):
        desk.save(other, number, _form())
    with pytest.raises(RuleError):
        cb.outcome(agent.actor, number, "reached")
    saved = desk.save(agent, number, _form())
    assert saved["state"] == "new"
    assert cb.outcome(agent.actor, number, "reached")["open"] is False


def test_an_agent_cancels_a_repair_the_resident_no_longer_needs_with_the_reason(world):
    sessions, s, clock, work, who, account_id = world
    pinned = s.replace(today=T0.isoformat())
    cb = CallbackList(sessions, pinned.now)
    desk = DeskService(sessions, pinned, {}.get, work=work, callbacks=cb)
    number = book_callback(sessions, T0, "13900000500", account_id=account_id)
    agent = desk.principal(desk.login("1001", PASSWORD, "10.0.0.1")[0]["token"])
    cb.take(agent.actor, number)
    assert desk.save(agent, number, TicketForm(cancel_reason="住户已自行解决"))["state"] == "cancelled"
    assert work.show(None, number)["history"][-1] == {"state": "cancelled", "at": T0.isoformat(), "by": "1001",
                                                      "note": "住户已自行解决"}
    assert cb.outcome(agent.actor, number, "reached")["open"] is False


def _form(**over) -> TicketForm:
    return TicketForm(**{"category": "no_heat", "address": "铁西区 兴华北街 7-1-101", "name": "王秀兰",
                         "callback_number": "13900000400", "confirmed_problem": True, "confirmed_address": True,
                         "confirmed_name": True, "confirmed_phone": True, **over})


# ---------------------------------------------------------------- the confirm timer --

def test_an_unconfirmed_repair_raises_the_systems_timer_once_even_across_a_restart(world):
    sessions, s, clock, work, who, account_id = world
    number = book_callback(sessions, T0, "13900000600", account_id=account_id)
    register = AnomalyRegister(sessions, clock, Timers(confirm_min=30))
    clock.now = T0 + timedelta(minutes=29)
    assert register.check_timers() == []
    clock.now = T0 + timedelta(minutes=31)
    raised = register.check_timers()
    assert [(a["type"], a["ticket"], a["opened_by"]) for a in raised] == [("confirm_late", number, "system")]
    clock.now += timedelta(minutes=5)
    assert AnomalyRegister(sessions, clock, Timers(confirm_min=30)).check_timers() == []   # a restart
    with sessions() as db:
        assert db.scalar(select(AnomalyRecord.type)) is AnomalyType.confirm_late
    assert work.tickets(who["1101"], unconfirmed=True)[0]["overdue"] is True
    work.confirm(who["1101"], number, dispatch=False)                     # confirmed: no more timer
    clock.now += timedelta(hours=1)
    assert register.check_timers() == []


# ------------------------------------------------------------------------ the API --

async def test_the_api_lists_and_confirms_for_team_leads_only_and_audits_a_refusal(world):
    sessions, s, clock, work, who, account_id = world
    number = book_callback(sessions, T0, "13900000700", account_id=account_id)
    with sessions() as db, db.begin():
        db.scalar(select(User).where(User.agent_no == "8001")).station_id = \
            db.scalar(select(RepairStation.id).where(RepairStation.code == "TX"))
    svc = HotlineService(s, Ports(sip=1, ami=2, fastagi=3, api=4, rtp_start=10000, rtp_end=10199),
                         ctx=IvrContext(s, Records(sessions, s)), ami=RecordedAmi())
    confirm = wire.path(wire.TICKET_CONFIRM, number=number)
    async with TestClient(TestServer(svc.api.app())) as client:
        async def login(no):
            r = await client.post(wire.LOGIN, json={"agent_no": no, "password": PASSWORD})
            return {"Authorization": f"Bearer {(await r.json())['token']}"}
        agent, lead, station = await login("1001"), await login("1101"), await login("8001")
        assert (await client.post(confirm, json={})).status == 401
        r = await client.get(wire.TICKETS, params={wire.UNCONFIRMED: "1"}, headers=lead)
        row, = await r.json()
        assert row["number"] == number and row["reason"] == "callback_requested" and row["state"] == "draft"
        assert (await client.get(wire.TICKETS, params={wire.UNCONFIRMED: "1"}, headers=agent)).status == 403
        assert await (await client.get(wire.TICKETS, headers=station)).json() == []
        for who_, status in ((agent, 403), (station, 403)):
            assert (await client.post(confirm, json={"dispatch": True}, headers=who_)).status == status
        assert (await client.post(confirm, json={"dispatch": "yes please"}, headers=lead)).status == 422
        r = await client.post(confirm, json={"station_code": "TX", "dispatch": True}, headers=lead)
        assert r.status == 200 and (await r.json())["state"] == "dispatched"
        assert (await client.post(confirm, json={}, headers=lead)).status == 409
    with sessions() as db:
        refused = db.scalars(select(AuditEntry.actor).where(AuditEntry.action == "confirm_refused")).all()
    assert sorted(refused) == ["1001", "8001"]
