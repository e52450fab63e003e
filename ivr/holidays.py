"""Holiday openers (节日开头语) for the IVR greeting and the agents' script — one module for both.

Windows come from the calendar for any year (春节 and 中秋 computed with the
Chinese lunisolar calendar of the `holidays` package, nothing typed by hand);
an admin's per-notice override for (holiday, year) replaces the computed window,
since "节日开头语具体使用时间,统一以每次节日通知为准". Overrides arrive as plain
objects (e.g. `db.models.HolidayOverride` rows), mappings or tuples
``(holiday, year, start, end[, note])`` — this module never touches the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable

from functools import lru_cache

import holidays as _holidays

#: the names holidays.China gives (in en_US) to the first day of 春节 and to 中秋: its public API, the
#: lunisolar tables behind it (China from 1950 to 2100); a year it does not name them in leaves that window out
#: (中秋 is a public holiday from 2008)
_SPRING_FESTIVAL = "Chinese New Year (Spring Festival)"
_MID_AUTUMN = "Mid-Autumn Festival"

# key → (name, opener), in calendar order
HOLIDAYS: dict[str, tuple[str, str]] = {
    "yuandan": ("元旦", "新年好"),
    "chunjie": ("春节", "新年好"),
    "laodong": ("劳动节", "劳动节快乐"),
    "zhongqiu": ("中秋节", "中秋节快乐"),
    "guoqing": ("国庆节", "国庆节快乐"),
}
DEFAULT_GREETING = "您好"
SCRIPT_CLOSING = "好!维修人员会尽快跟您联系。感谢您的来电。再见!"
#: the middle of the call (002 四.1): each answer is read back (跟读确认) and ticked on the form
SCRIPT_QUESTIONS = (("problem", "(跟读确认问题)"), ("address", "请问您的具体地址?(跟读确认地址)"),
                    ("name", "请问您的姓名?(跟读确认姓名)"), ("phone", "请留一下联系电话?(跟读确认电话)"))


@dataclass(frozen=True)
class HolidayOpener:
    key: str
    name: str
    opener: str
    start: datetime
    end: datetime              # inclusive
    source: str = "calendar"   # or "notice" (admin override)

    def covers(self, now: datetime) -> bool:
        return self.start <= now <= self.end


def _make(key: str, start, end, source: str = "calendar") -> HolidayOpener:
    # bare dates mean whole days: start of the first, last instant of the last
    if not isinstance(start, datetime):
        start = datetime.combine(start, time.min)
    if not isinstance(end, datetime):
        end = datetime.combine(end, time.max)
    name, opener = HOLIDAYS[key]
    return HolidayOpener(key, name, opener, start, end, source)


def lunar_new_year(year: int) -> date | None:
    """正月初一 of `year` (None outside the lunisolar tables)."""
    return _first_named(year, _SPRING_FESTIVAL)


def mid_autumn(year: int) -> date | None:
    """八月十五 of `year` (None outside the lunisolar tables, or before 2008)."""
    return _first_named(year, _MID_AUTUMN)


@lru_cache(maxsize=64)
def _first_named(year: int, name: str) -> date | None:
    """The first day holidays.China names exactly `name` in `year` (its "(observed)" days are others)."""
    try:
        days = _holidays.China(years=year, language="en_US").get_named(name, lookup="exact")
    except (NotImplementedError, ValueError, KeyError):
        return None
    return min(days) if days else None


def default_windows(year: int) -> list[HolidayOpener]:
    """The computed windows of one year, in calendar order."""
    out = [_make("yuandan", date(year, 1, 1), date(year, 1, 3))]
    if (ny := lunar_new_year(year)) is not None:
        # 新年好 is customary from 除夕 (eve) through 元宵 (正月十五)
        out.append(_make("chunjie", ny - timedelta(days=1), ny + timedelta(days=14)))
    out.append(_make("laodong", date(year, 5, 1), date(year, 5, 5)))
    if (ma := mid_autumn(year)) is not None:
        out.append(_make("zhongqiu", ma - timedelta(days=1), ma + timedelta(days=1)))
    out.append(_make("guoqing", date(year, 10, 1), date(year, 10, 7)))
    return out


def _override_fields(o) -> tuple:
    """(holiday, year, start, end) of a row, a mapping or a tuple."""
    if isinstance(o, dict):
        return o["holiday"], o["year"], o["start"], o["end"]
    if isinstance(o, (tuple, list)):
        return tuple(o[:4])
    return o.holiday, o.year, o.start, o.end


def windows(year: int, overrides: Iterable = ()) -> list[HolidayOpener]:
    """The year's windows; an override for (holiday, year) replaces the computed one."""
    by_key = {w.key: w for w in default_windows(year)}
    for o in overrides:
        key, o_year, start, end = _override_fields(o)
        if int(o_year) == year and key in HOLIDAYS:
            by_key[key] = _make(key, start, end, "notice")
    return [by_key[k] for k in HOLIDAYS if k in by_key]


def festival_day(key: str, year: int) -> date | None:
    """The day a holiday is about in `year`: 1-1, 正月初一, 5-1, 八月十五, 10-1."""
    return {"yuandan": lambda: date(year, 1, 1), "chunjie": lambda: lunar_new_year(year),
            "laodong": lambda: date(year, 5, 1), "zhongqiu": lambda: mid_autumn(year),
            "guoqing": lambda: date(year, 10, 1)}[key]()


def notice_year(key: str, start: datetime, end: datetime) -> int:
    """The year a notice's window belongs to: the year of the festival day it covers
    (元旦 2026-12-31 → 2027-01-03 is 2027's 元旦); without one inside it, the year it starts in."""
    for year in range(start.year, end.year + 1):
        day = festival_day(key, year)
        if day is not None and start.date() <= day <= end.date():
            return year
    return start.year


def years_around(year: int) -> tuple[int, int, int]:
    """The years whose windows can cover a day of `year`: a notice may start in the previous
    year (元旦 from 12-31) or run into the next. Loading overrides uses the same span."""
    return year - 1, year, year + 1


def opener_for(now: datetime, overrides: Iterable = ()) -> HolidayOpener | None:
    """The holiday whose window covers `now`, if any.

    Notices beat the calendar. When 中秋 falls inside 国庆 both are valid; 中秋
    wins on the festival day itself, 国庆 on the days around it.
    """
    overrides = list(overrides)
    candidates = [w for y in years_around(now.year)
                  for w in windows(y, overrides) if w.covers(now)]
    if not candidates:
        return None
    festival_day = now.date() == mid_autumn(now.year)
    priority = ["zhongqiu", "yuandan", "chunjie", "laodong", "guoqing"] if festival_day else \
               ["yuandan", "chunjie", "laodong", "guoqing", "zhongqiu"]
    return min(candidates, key=lambda w: (w.source != "notice", priority.index(w.key)))


def greeting_text(now: datetime, overrides: Iterable = ()) -> str:
    """The greeting's first words: the holiday opener or 您好."""
    opener = opener_for(now, overrides)
    return opener.opener if opener else DEFAULT_GREETING


def script_opening(agent_no: str, now: datetime, overrides: Iterable = ()) -> str:
    """The agent's opening line as the rules word it (002 四.1): on a normal day
    您好,大龙供暖报修 1001 为您服务,请问您有什么问题? — in a holiday window the opener leads:
    新年好!大龙报修 1001 为您服务,请问您有什么问题!"""
    opener = opener_for(now, overrides)
    if opener is None:
        return f"{DEFAULT_GREETING},大龙供暖报修 {agent_no} 为您服务,请问您有什么问题?"
    return f"{opener.opener}!大龙报修 {agent_no} 为您服务,请问您有什么问题!"
