"""#30 — the reports show the outages (区域停热): each outage open at some moment of the reporting day
with its area, who declared it when, the expected end, when it ended, the calls that keyed 1 on its
notice that day, the distinct callers affected by the day's end and the 供热已恢复 call-backs booked
on the day it ended; the IVR counts the calls registered apart (neither hung up nor abandoned, not
offered to the queue). As of the day's end, so a signed day re-checked after the outage ended is
unchanged; a week adds the days' registrations and keeps the last day's affected count. In the JSON,
the XLSX and the PDF; one query."""
from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from conftest import require_tool
from db.models import Call, CallOutcome, HeatingAccount, Outage, OutageCaller, Role
from db.session import make_engine, migrate, session_factory
from hotline.admin.users import add_user
from hotline.aftercall.reports.archive import Reports, summed
from hotline.aftercall.reports.figures import ReportPolicy, day_bounds, outages_section
from hotline.aftercall.rules import actor_for
from test_unit_reports import DAY, NEXT, Clock, D, at

PREV = D - timedelta(days=1)


@pytest.fixture
def outage_day(tmp_path):
    """Outages around the reporting day 2026-11-23 08:00 → 11-24 08:00: 兴华北街 declared at 09:00 and
    ended the next reporting day at 20:00 with the call-backs; its building 3 declared the day before
    and ended at 10:00; 南京街 ended before the day began; 和平区 declared after it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'o.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db, db.begin():
        add_user(db, "1201", "部长", Role.head, "pw-1234567")
        db.add_all([HeatingAccount(account_no="4000001", name="住户1", district="铁西区", compound="兴华北街",
                                   building="1", unit="1", room="101"),
                    HeatingAccount(account_no="4000002", name="住户2", district="和平区", compound="南京街",
                                   building="2", unit="1", room="101")])

        def outage(d, c, b, declared, ended=None, call_back=False):
            o = Outage(district=d, compound=c, building=b, until=declared + timedelta(hours=30), message="抢修中",
                       declared_by="1101", declared_at=declared, ended_at=ended, ended_by="1101" if ended else None,
                       call_back=call_back)
            db.add(o)
            db.flush()
            return o

        street = outage("铁西区", "兴华北街", "", at(9))
        building = outage("铁西区", "兴华北街", "3", at(10, base=PREV), ended=at(10))
        outage("和平区", "南京街", "", at(10, base=PREV), ended=at(7))                # before the day
        outage("和平区", "", "", at(9, base=NEXT))                                   # after the day

        def registered(o, uid, caller, when, state=None):
            db.add(Call(uniqueid=uid, linkedid=uid, caller=caller, ivr_at=when - timedelta(seconds=40),
                        ended_at=when, outcome=CallOutcome.outage_registered, last_step="outage", direction="in"))
            db.add(OutageCaller(outage_id=o.id, uniqueid=uid, caller=caller, account_no="4000001", at=when,
                                callback_state=state, callback_at=at(20, base=NEXT) if state == "requested" else None))

        registered(building, "b1", "13900000009", at(9, 30))
        registered(street, "s1", "13900000001", at(9, 10))
        registered(street, "s2", "13900000002", at(9, 20))
        registered(street, "s3", "13900000001", at(11))                            # the same number again
        registered(street, "s4", "13900000004", at(9, 30, base=NEXT))              # the next reporting day
        db.add(Call(uniqueid="h1", linkedid="h1", caller="13900000005", ivr_at=at(12), ended_at=at(12, 0, 30),
                    outcome=CallOutcome.in_ivr_hangup, last_step="greeting", direction="in"))
    clock = Clock(at(8, 30, base=NEXT))
    reports = Reports(sessions, clock, ReportPolicy(), lambda since, until: [])
    return reports, sessions, clock, street.id, building.id


def end_street(sessions, street_id):
    """The next evening the heating is back: the call-backs booked (one number the policy refused)."""
    with sessions() as db, db.begin():
        o = db.get(Outage, street_id)
        o.ended_at, o.ended_by, o.call_back = at(20, base=NEXT), "1101", True
        for c in db.scalars(select(OutageCaller).where(OutageCaller.outage_id == street_id)):
            if c.uniqueid == "s3":
                c.callback_state, c.callback_at = "requested", at(20, base=NEXT)
            elif c.uniqueid == "s4":                  # called since: booked all the same
                c.callback_state, c.callback_at = "reached", at(20, base=NEXT)
            elif c.uniqueid == "s2":
                c.callback_state, c.callback_note = "refused", "号码策略不拨"


def test_each_outage_open_in_the_day_with_its_callers_as_of_the_days_end(outage_day):
    reports, _s, _c, street, building = outage_day
    r = reports.daily(None, DAY)
    assert [(o["id"], o["area"]) for o in r["outages"]] == [(building, "铁西区/兴华北街/3"), (street, "铁西区/兴华北街")]
    b, s = r["outages"]
    assert (b["ended_at"], b["registered"], b["affected"], b["call_backs"]) == ("2026-11-23T10:00:00", 1, 1, 0)
    assert (s["declared_by"], s["declared_at"], s["until"]) == ("1101", "2026-11-23T09:00:00", "2026-11-24T15:00:00")
    assert (s["ended_at"], s["registered"], s["affected"], s["call_backs"], s["call_backs_refused"]) == \
        (None, 3, 2, 0, 0)                                    # three calls, two numbers; still open at the day's end
    assert "按 1" in r["formulas"]["outages"]


def test_the_ivr_counts_the_registered_calls_apart_never_as_hung_up_or_abandoned(outage_day):
    reports, *_ = outage_day
    r = reports.daily(None, DAY)
    v, q = r["ivr"], r["queue"]
    assert (v["calls"], v["outage_registered"], v["hung_up"]) == (5, 4, 1)
    assert q["offered"] == 0 and q["abandoned"] == 0 and q["abandon_rate"] is None
    assert "不计入挂机" in r["formulas"]["ivr_outage_registered"]


def test_the_day_it_ended_shows_the_call_backs_and_a_signed_day_stays_as_signed(outage_day):
    reports, sessions, clock, street, _b = outage_day
    with sessions() as db:
        head = actor_for(db, "1201")
    reports.sign(head, DAY)
    end_street(sessions, street)
    clock.now = at(9, base=NEXT + timedelta(days=1))
    assert reports.recheck(DAY)["changes"] == 0                # as of its end: the later ending changes nothing
    nxt = reports.daily(None, NEXT.date())
    (s,) = [o for o in nxt["outages"] if o["id"] == street]
    assert (s["ended_at"], s["registered"], s["affected"], s["call_backs"], s["call_backs_refused"]) == \
        ("2026-11-24T20:00:00", 1, 3, 2, 1)
    assert [o["area"] for o in nxt["outages"]] == ["铁西区/兴华北街", "和平区"]
    with sessions() as db, db.begin():                       # the dialer was off: that booking ended `off`
        db.scalar(select(OutageCaller).where(OutageCaller.uniqueid == "s4")).callback_state = "off"
    (s,) = [o for o in reports.daily(None, NEXT.date())["outages"] if o["id"] == street]
    assert (s["call_backs"], s["call_backs_refused"]) == (1, 1)


def test_a_week_adds_the_registrations_and_keeps_the_last_days_affected(outage_day):
    reports, sessions, clock, street, building = outage_day
    end_street(sessions, street)
    clock.now = at(9, base=NEXT + timedelta(days=1))
    w = reports.period(None, "weekly", DAY)
    by_id = {o["id"]: o for o in w["outages"]}
    assert sorted(o["area"] for o in w["outages"]) == sorted(["铁西区/兴华北街/3", "铁西区/兴华北街", "和平区"])
    s = by_id[street]
    assert (s["registered"], s["affected"], s["call_backs"], s["ended_at"]) == (4, 3, 2, "2026-11-24T20:00:00")
    assert by_id[building]["registered"] == 1 and w["ivr"]["outage_registered"] == 5
    # a day signed before the section existed has none: the sum still holds
    old = {k: v for k, v in reports.daily(None, DAY).items() if k != "outages"}
    assert summed([old, reports.daily(None, NEXT.date())])["outages"][0]["registered"] == 1


def test_the_section_is_one_query(outage_day):
    _r, sessions, *_ = outage_day
    start, end = day_bounds(DAY, ReportPolicy())
    with sessions() as db:
        seen = []
        event.listen(db.get_bind(), "before_cursor_execute", lambda *a: seen.append(a[2]))
        assert len(outages_section(db, start, end)) == 2
        assert len(seen) == 1 and "outage_caller" in seen[0]


def test_the_xlsx_and_the_pdf_show_the_outages(outage_day, tmp_path):
    reports, *_ = outage_day
    reports.export_xlsx(None, "daily", DAY, tmp_path / "o.xlsx")
    wb = load_workbook(tmp_path / "o.xlsx")
    rows = list(wb["区域停热"].iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "区域", "发布人")
    assert [r[1] for r in rows[1:3]] == ["铁西区/兴华北街/3", "铁西区/兴华北街"]
    assert rows[2][5:9] == ("未结束", 3, 2, 0)
    ivr = {row[0]: row[1] for row in wb["语音导航"].iter_rows(min_row=2, values_only=True)}
    assert ivr["区域停热登记(按1)"] == 4
    reports.export_pdf(None, "daily", DAY, tmp_path / "o.pdf")
    text = subprocess.run([require_tool("pdftotext", "poppler-utils"), "-layout", str(tmp_path / "o.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "区域停热" in text and "铁西区/兴华北街/3" in text and "未结束" in text
    assert "另有 4 通听到区域停热通知后按 1 登记" in text
