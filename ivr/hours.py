"""When the line is staffed: 24 h in the heating season, working-day office hours outside it."""
from __future__ import annotations

from datetime import date, datetime, time

import chinese_calendar
import holidays as _holidays


def _md(text: str) -> tuple[int, int]:
    m, d = text.split("-")
    return int(m), int(d)


def in_heating_season(now: datetime, settings) -> bool:
    start, end = _md(settings.season_start), _md(settings.season_end)
    today = (now.month, now.day)
    if start <= end:
        return start <= today <= end
    return today >= start or today <= end   # the season crosses the new year


def is_workday(day: date) -> bool:
    """Official working day, 调休 included; beyond chinese_calendar's data, Mon–Fri minus holidays."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5 and day not in _holidays.China(years=day.year)


def is_staffed(now: datetime, settings) -> bool:
    if in_heating_season(now, settings):
        return True
    opens, closes = time.fromisoformat(settings.office_open), time.fromisoformat(settings.office_close)
    return is_workday(now.date()) and opens <= now.time() < closes
