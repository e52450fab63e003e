"""When the line is staffed: 24 h in the heating season, working-day office hours outside it."""
from __future__ import annotations

import re
from datetime import date, datetime, time

import chinese_calendar
import holidays as _holidays

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
    """Official working day, 调休 included (chinese_calendar; beyond its years, the fallback)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:   # chinese_calendar only knows the years already announced
        return _fallback_is_workday(day)


def is_staffed(now: datetime, settings) -> bool:
    """Whether agents are on duty at `now` (otherwise the caller may leave a message)."""
    if in_heating_season(now, settings):
        return True
    return is_workday(now.date()) and _hm(settings.office_open) <= now.time() < _hm(settings.office_close)
