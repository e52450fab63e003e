"""#27 — hot spots as they happen: the service looks at the current reporting day every minute; a
compound or building reaching the report's threshold (HOTLINE_REPORT_HOT_SPOT_REPAIRS no-heat repairs
within HOTLINE_REPORT_HOT_SPOT_MIN) is told to the team leads' desks once and audited once, told again
(never audited again) when it grows, never repeated every minute, and not again after a restart; the
next reporting day starts afresh. `hotline status --json` lists the day's hot spots."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from common import wire
from common.ports import Ports
from common.settings import load_settings
from db.models import AuditEntry, Category, HeatingAccount, TicketState
from db.session import make_engine, migrate, session_factory
from db.tickets import create_ticket
from hotline.admin import runtime
from hotline.aftercall.reports.figures import ReportPolicy
from hotline.aftercall.reports.hot_spots import HotSpotWatch
from hotline.service.app import HotlineService
from ivr.context import IvrContext, Records
from test_unit_service_events import RecordedAmi

POLICY = ReportPolicy(hot_spot_repairs=3, hot_spot_min=60)
MORNING = datetime(2026, 11, 23, 9, 0)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sessions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def no_heat(sessions, at: datetime, building: str = "3", compound: str = "兴华北街", category=Category.no_heat,
            state=TicketState.new) -> None:
    """A repair from a flat of that building, made at `at`."""
    with sessions() as db, db.begin():
        n = db.query(HeatingAccount).count() + 1
        acc = HeatingAccount(account_no=f"{30000000 + n}", name=f"住户{n}", district="铁西区", compound=compound,
                             building=building, unit="1", room=f"{100 + n}")
        db.add(acc)
        db.flush()
        create_ticket(db, at, state=state, account_id=acc.id, category=category, caller_number=f"1390000{n:04d}")


def told(sessions) -> list[tuple[str, dict]]:
    with sessions() as db:
        return [(a.object_id, a.detail) for a in db.scalars(select(AuditEntry).where(AuditEntry.action == "hot_spot"))]


def test_a_place_reaching_the_threshold_is_told_once_audited_once_and_again_only_when_it_grows(sessions):
    clock = Clock(MORNING)
    watch = HotSpotWatch(sessions, clock, POLICY)
    for minutes in (0, 10):
        no_heat(sessions, MORNING + timedelta(minutes=minutes))
    no_heat(sessions, MORNING + timedelta(minutes=12), category=Category.leak)       # a leak is no network fault
    no_heat(sessions, MORNING + timedelta(minutes=14), state=TicketState.cancelled)  # nor a cancelled repair
    no_heat(sessions, MORNING - timedelta(minutes=90), building="5")   # too long before: not within the hour
    assert watch.round() == [] and told(sessions) == []
    no_heat(sessions, MORNING + timedelta(minutes=20))
    clock.now = MORNING + timedelta(minutes=21)
    (spot,) = watch.round()
    assert spot == {"day": "2026-11-23", "key": "铁西区/兴华北街", "district": "铁西区", "compound": "兴华北街",
                    "building": "", "repairs": 3, "first": "2026-11-23T09:00:00", "last": "2026-11-23T09:20:00",
                    "new": True}
    assert set(spot) - {"new"} == set(wire.SAMPLE_HOT_SPOT)        # what the desk is told: no ticket, no resident
    for _minute in range(3):
        assert watch.round() == []                                  # every minute after: nothing again
    no_heat(sessions, MORNING + timedelta(minutes=30))
    (grew,) = watch.round()
    assert (grew["key"], grew["repairs"], grew["new"]) == ("铁西区/兴华北街", 4, False)
    assert told(sessions) == [("2026-11-23:铁西区/兴华北街",
                               {"key": "铁西区/兴华北街", "repairs": 3, "first": "2026-11-23T09:00:00",
                                "last": "2026-11-23T09:20:00"})]
    assert [s["repairs"] for s in watch.active] == [4]


def test_a_restart_tells_nothing_twice_and_the_next_reporting_day_starts_afresh(sessions):
    clock = Clock(MORNING + timedelta(hours=1))
    for minutes in (0, 5, 10):
        no_heat(sessions, MORNING + timedelta(minutes=minutes))
    assert len(HotSpotWatch(sessions, clock, POLICY).round()) == 1
    again = HotSpotWatch(sessions, clock, POLICY)                   # the service restarted
    assert again.round() == [] and len(told(sessions)) == 1
    clock.now = datetime(2026, 11, 24, 8, 30)                       # the next reporting day (08:00)
    assert again.round() == [] and again.day == date(2026, 11, 24)
    for minutes in (0, 5, 10):
        no_heat(sessions, datetime(2026, 11, 24, 8, 0) + timedelta(minutes=minutes))
    (spot,) = again.round()
    assert spot["day"] == "2026-11-24" and spot["new"]
    assert [o for o, _ in told(sessions)] == ["2026-11-23:铁西区/兴华北街", "2026-11-24:铁西区/兴华北街"]


def test_a_building_is_its_own_place_once_its_compound_counts_more(sessions):
    clock = Clock(MORNING + timedelta(hours=1))
    watch = HotSpotWatch(sessions, clock, POLICY)
    for minutes in (0, 5, 10):
        no_heat(sessions, MORNING + timedelta(minutes=minutes))
    assert [s["key"] for s in watch.round()] == ["铁西区/兴华北街"]    # the building says the same: not twice
    no_heat(sessions, MORNING + timedelta(minutes=15), building="4")
    assert sorted((s["key"], s["repairs"], s["new"]) for s in watch.round()) == [
        ("铁西区/兴华北街", 4, False), ("铁西区/兴华北街/3", 3, True)]


async def test_the_service_pushes_each_hot_spot_to_the_leads_and_has_them_for_a_lead_logging_in(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url=f"sqlite:///{tmp_path / 's.db'}",
                      today=(MORNING + timedelta(minutes=30)).isoformat(), report_hot_spot_repairs=3)
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    svc = HotlineService(s, Ports(sip=1, ami=2, fastagi=3, api=4, rtp_start=10000, rtp_end=10199),
                         ctx=IvrContext(s, Records(sessions, s)), ami=RecordedAmi())
    to_leads = []

    async def push_supervisors(event):
        to_leads.append(event)
    svc.hub.push_supervisors = push_supervisors
    for minutes in (0, 5, 10):
        no_heat(sessions, MORNING + timedelta(minutes=minutes))
    await svc.tell_hot_spots()
    await svc.tell_hot_spots()
    assert to_leads == [{"type": wire.EV_HOT_SPOT, "new": True, "hot_spot": {
        "day": "2026-11-23", "key": "铁西区/兴华北街", "district": "铁西区", "compound": "兴华北街", "building": "",
        "repairs": 3, "first": "2026-11-23T09:00:00", "last": "2026-11-23T09:10:00"}}]
    assert svc.hot_spots_state() == [to_leads[0]["hot_spot"]]
    assert runtime.hot_spots_status(s) == [to_leads[0]["hot_spot"]]          # `hotline status --json`
    engine.dispose()
