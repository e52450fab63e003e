"""Holiday openers: computed lunar windows, admin notices, the agents' script line."""
from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest

from ivr.holidays import (HOLIDAYS, SCRIPT_CLOSING, default_windows, greeting_text, mid_autumn, notice_year,
                          opener_for, script_opening, windows)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("when, opener", [
    ("2027-02-06T09:00", "新年好"),        # 春节 2027
    ("2026-02-17T09:00", "新年好"),        # 春节 2026
    ("2026-02-16T20:00", "新年好"),        # 除夕 2026
    ("2026-03-03T12:00", "新年好"),        # 元宵 (正月十五) 2026, last day of the window
    ("2026-03-04T00:00", "您好"),
    ("2026-09-25T10:00", "中秋节快乐"),    # 中秋 2026
    ("2026-01-02T10:00", "新年好"),        # 元旦
    ("2026-05-03T10:00", "劳动节快乐"),
    ("2026-10-03T10:00", "国庆节快乐"),
    ("2026-10-08T10:00", "您好"),
    ("2026-11-23T10:00", "您好"),          # an ordinary day
])
def test_greeting_on_known_days(when, opener):
    assert greeting_text(at(when)) == opener


def test_lunar_dates_are_computed():
    assert {w.key: w.start.date() for w in default_windows(2027)}["chunjie"] == date(2027, 2, 5)
    assert mid_autumn(2026) == date(2026, 9, 25)


@pytest.mark.parametrize("year", [2030, 2045])
def test_windows_for_any_year(year):
    ws = default_windows(year)
    assert [w.key for w in ws] == list(HOLIDAYS)
    for w in ws:
        assert w.start < w.end and w.source == "calendar"
        assert opener_for(w.start) is not None
    chunjie = ws[1]
    assert (chunjie.end.date() - chunjie.start.date()).days == 15   # 除夕 … 正月十五
    assert chunjie.start.month in (1, 2)
    assert ws[3].start.month in (9, 10)


def test_zhongqiu_inside_guoqing():
    # 2025: 中秋 on 10-06, inside 国庆: 中秋 on the day, 国庆 around it
    assert greeting_text(at("2025-10-06T10:00")) == "中秋节快乐"
    assert greeting_text(at("2025-10-05T10:00")) == "国庆节快乐"
    assert greeting_text(at("2025-10-08T10:00")) == "您好"


def test_override_replaces_the_window():
    # the 2027 notice: 新年好 only from 2027-02-05 18:00 to 02-12
    row = SimpleNamespace(holiday="chunjie", year=2027, start=at("2027-02-05T18:00"),
                          end=at("2027-02-12T23:59"), note="2027 春节通知")
    assert greeting_text(at("2027-02-05T12:00"), [row]) == "您好"
    assert greeting_text(at("2027-02-05T19:00"), [row]) == "新年好"
    assert greeting_text(at("2027-02-15T10:00"), [row]) == "您好"      # computed window would say 新年好
    assert greeting_text(at("2027-02-15T10:00")) == "新年好"
    w = {w.key: w for w in windows(2027, [row])}["chunjie"]
    assert w.source == "notice" and w.start == at("2027-02-05T18:00")
    # another year's override changes nothing; tuples and dates work too
    assert greeting_text(at("2026-02-17T10:00"), [row]) == "新年好"
    tup = ("laodong", 2026, date(2026, 4, 30), date(2026, 5, 6))
    assert greeting_text(at("2026-05-06T22:00"), [tup]) == "劳动节快乐"
    assert opener_for(at("2026-05-06T22:00"), [tup]).source == "notice"


def test_override_starting_the_year_before():
    row = ("yuandan", 2027, at("2026-12-31T00:00"), at("2027-01-03T23:59"))
    assert greeting_text(at("2026-12-31T09:00"), [row]) == "新年好"
    assert greeting_text(at("2026-12-31T09:00")) == "您好"


def test_script_lines():
    assert script_opening("1001", at("2027-02-06T09:00")) == "新年好!大龙报修 1001 为您服务,请问您有什么问题!"
    assert script_opening("1001", at("2026-11-23T09:00")) == "您好,大龙供暖报修 1001 为您服务,请问您有什么问题?"
    assert SCRIPT_CLOSING == "好!维修人员会尽快跟您联系。感谢您的来电。再见!"


def test_a_notice_for_next_years_holiday_is_loaded_and_greets_on_new_years_eve(tmp_path):
    """Through the DB as the IVR and the agents' script read it: 元旦 2027 announced from 2026-12-31."""
    from db.models import HolidayOverride
    from common.settings import load_settings
    from hotline.admin.runtime import prepare_database
    from ivr.context import Records
    s = load_settings(home=str(tmp_path))
    sessions = prepare_database(s)
    with sessions() as db:
        db.add(HolidayOverride(holiday="yuandan", year=2027, start=at("2026-12-31T00:00"),
                               end=at("2027-01-03T23:59"), note="通知"))
        db.commit()
    overrides = Records(sessions, s).holiday_overrides(2026)
    assert greeting_text(at("2026-12-31T09:00"), overrides) == "新年好"


@pytest.mark.parametrize("key,start,end,year", [
    ("yuandan", "2026-12-31", "2027-01-03", 2027),     # the window spans years: its festival day's
    ("yuandan", "2027-01-01", "2027-01-03", 2027),
    ("chunjie", "2027-02-05", "2027-02-20", 2027),
    ("guoqing", "2027-09-30", "2027-10-08", 2027),
    ("laodong", "2027-04-20", "2027-04-25", 2027),     # no festival day inside: the start's year
])
def test_a_notice_belongs_to_the_year_of_its_festival_day(key, start, end, year):
    a, b = datetime.fromisoformat(start), datetime.fromisoformat(end)
    assert notice_year(key, a, b) == year
    got = {w.key: w for w in windows(year, [(key, notice_year(key, a, b), a, b)])}[key]
    assert got.source == "notice" and got.start == a
