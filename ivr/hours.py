"""When the line is staffed: 24 h in the heating season, working-day office hours outside it."""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timedelta
from importlib.metadata import PackageNotFoundError, version

import chinese_calendar
import holidays as _holidays

log = logging.getLogger("hotline.hours")
#: how far ahead the official calendar must know the days (`hotline status` and `up` warn otherwise)
CALENDAR_AHEAD_DAYS = 60
CALENDAR_UPGRADE = "pip install -U chinese-calendar"
_warned_years: set[int] = set()

# holidays.China names a 调休 day off "Day off (substituted from MM/DD/YYYY)": that date is a workday
_SUBSTITUTED = re.compile(r"substituted from (\d\d)/(\d\d)/(\d{4})")


def _md(text: str) -> tuple[int, int]:
    m, d = text.split("-")
    return int(m), int(d)


def _hm(text: str) -> time:
    h, m = text.split(":")[:2]    # tolerate "8:00" from an env variable
    return time(int(h), int(m))


def in_heating_season(now: datetime, settings) -> bool:
    """Inside [season_start, season_end], both month-day and inclusive."""
    start, end = _md(settings.season_start), _md(settings.season_end)
    today = (now.month, now.day)
    if start <= end:
        return start <= today <= end
    return today >= start or today <= end   # the season crosses the new year


def _fallback_is_workday(day: date) -> bool:
    """Mon–Fri minus holidays.China days, plus the make-up workdays it names."""
    china = _holidays.China(years=day.year)
    if day in china:
        return False
    makeup = {date(int(y), int(m), int(d)) for name in china.values()
              for m, d, y in _SUBSTITUTED.findall(name)}
    return day.weekday() < 5 or day in makeup


def is_workday(day: date) -> bool:
    """Official working day, 调休 included (chinese_calendar; beyond its years, the fallback: never
    an exception inside a call's flow, a warning in the log once per year)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:   # chinese_calendar only knows the years already announced
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("the holiday/调休 data (chinese-calendar %s) does not know %d: its working days follow "
                        "the weekday rule and holidays.China, 调休 may be wrong — %s", calendar_version(),
                        day.year, CALENDAR_UPGRADE)
        return _fallback_is_workday(day)


def calendar_version() -> str:
    try:
        return version("chinese-calendar")
    except PackageNotFoundError:
        return "?"


def calendar_gap(today: date, days: int = CALENDAR_AHEAD_DAYS) -> date | None:
    """The first day from `today` to `days` ahead the official holiday/调休 data does not cover, or None."""
    for n in range(days + 1):
        day = today + timedelta(days=n)
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day
    return None


def calendar_warning(today: date, days: int = CALENDAR_AHEAD_DAYS) -> str | None:
    """For `hotline status` and `hotline up`: the data runs out within `days`, and the upgrade."""
    gap = calendar_gap(today, days)
    if gap is None:
        return None
    return (f"节假日/调休数据（chinese-calendar {calendar_version()}）不含 {gap} 起的日期：之后的调休会按普通周末计算。"
            f"请升级：`{CALENDAR_UPGRADE}`（或按 constraints.txt 的新版本重新安装）。 — the holiday/调休 data "
            f"(chinese-calendar {calendar_version()}) ends before {gap}, within the next {days} days: working days "
            f"after it follow the weekday rule. Upgrade: `{CALENDAR_UPGRADE}` (or a constraints.txt that names "
            f"a newer one)")


def is_staffed(now: datetime, settings) -> bool:
    """Whether agents are on duty at `now` (otherwise the caller may leave a message)."""
    if in_heating_season(now, settings):
        return True
    return is_workday(now.date()) and _hm(settings.office_open) <= now.time() < _hm(settings.office_close)
