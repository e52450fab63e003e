"""Service hours: 24 h in the heating season, official working days (调休 included) outside it."""
from __future__ import annotations

from datetime import date, datetime

import chinese_calendar
import pytest

from common.settings import load_settings
from ivr.hours import _fallback_is_workday, in_heating_season, is_staffed, is_workday


@pytest.fixture
def s(tmp_path):
    return load_settings(home=str(tmp_path), season_start="11-15", season_end="03-15",
                         office_open="08:00", office_close="17:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("when, inside", [
    ("2026-11-15T00:00", True), ("2026-12-31T23:59", True), ("2027-01-01T03:00", True),
    ("2027-03-15T23:59", True), ("2027-03-16T00:00", False), ("2026-11-14T23:59", False),
    ("2026-07-01T12:00", False),
])
def test_season_crosses_new_year(s, when, inside):
    assert in_heating_season(at(when), s) is inside


def test_season_within_one_year(s):
    summer = s.replace(season_start="06-01", season_end="08-31")
    assert in_heating_season(at("2026-07-01T00:00"), summer)
    assert not in_heating_season(at("2026-12-01T00:00"), summer)


def test_in_season_staffed_around_the_clock(s):
    assert is_staffed(at("2026-12-26T03:00"), s)       # a Saturday night in winter
    assert is_staffed(at("2027-02-06T23:00"), s)       # 春节


def test_outside_season_office_hours_on_working_days(s):
    assert is_staffed(at("2026-06-03T08:00"), s)       # Wednesday
    assert is_staffed(at("2026-06-03T16:59"), s)
    assert not is_staffed(at("2026-06-03T17:00"), s)
    assert not is_staffed(at("2026-06-03T07:59"), s)
    assert not is_staffed(at("2026-06-06T10:00"), s)   # Saturday
    assert not is_staffed(at("2026-10-02T10:00"), s)   # 国庆, a Friday


def test_tiaoxiu_makeup_workday(s):
    # 2026-10-10 is a Saturday worked in exchange for the 国庆 break (调休)
    day = date(2026, 10, 10)
    assert day.weekday() == 5 and chinese_calendar.is_workday(day)
    assert is_staffed(at("2026-10-10T10:00"), s)
    assert is_workday(date(2026, 1, 4))                # a Sunday made up for 元旦


def test_fallback_agrees_with_chinese_calendar():
    # beyond chinese_calendar's years the holidays package is used; on a year both know they agree
    days = [date(2026, m, d) for m in range(1, 13) for d in (1, 2, 3, 4, 5, 6, 7, 10, 14, 20, 23, 28)]
    assert [d for d in days if _fallback_is_workday(d) != chinese_calendar.is_workday(d)] == []


def test_years_beyond_chinese_calendar(s):
    assert not is_workday(date(2040, 10, 1))           # 国庆 from the holidays package
    assert is_workday(date(2040, 6, 6))                # a Wednesday
    assert not is_workday(date(2040, 6, 9))            # a Saturday
