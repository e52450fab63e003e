"""Holiday openers (节日开头语) for the IVR greeting and the agents' script — one module for both.

Windows come from the calendar for any year (春节 and 中秋 computed with the
Chinese lunisolar calendar of the `holidays` package, nothing typed by hand);
an admin's per-notice override for (holiday, year) replaces the computed window,
since "节日开头语具体使用时间,统一以每次节日通知为准".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable

from holidays.calendars.chinese import _ChineseLunisolar

_LUNAR = _ChineseLunisolar()

# key → (name, opener); order = priority when windows overlap (中秋 before 国庆 on its day)
HOLIDAYS: dict[str, tuple[str, str]] = {
    "yuandan": ("元旦", "新年好"),
    "chunjie": ("春节", "新年好"),
    "laodong": ("劳动节", "劳动节快乐"),
    "zhongqiu": ("中秋节", "中秋节快乐"),
    "guoqing": ("国庆节", "国庆节快乐"),
}
DEFAULT_GREETING = "您好"
SCRIPT_CLOSING = "好!维修人员会尽快跟您联系。感谢您的来电。再见!"


@dataclass(frozen=True)
class HolidayOpener:
    key: str
    name: str
    opener: str
    start: datetime
    end: datetime          # inclusive
    source: str = "calendar"   # or "notice" (admin override)

    def covers(self, now: datetime) -> bool:
        return self.start <= now <= self.end


def _window(key: str, first: date, last: date, source: str = "calendar") -> HolidayOpener:
    name, opener = HOLIDAYS[key]
    return HolidayOpener(key, name, opener, datetime.combine(first, time.min),
                         datetime.combine(last, time.max), source)


def default_windows(year: int) -> list[HolidayOpener]:
    """Computed windows of one year."""
    new_year = _LUNAR.lunar_new_year_date(year)[0]
    mid_autumn = _LUNAR.mid_autumn_date(year)[0]
    return [
        _window("yuandan", date(year, 1, 1), date(year, 1, 3)),
        # 新年好 is customary from 除夕 through 元宵 (正月十五)
        _window("chunjie", new_year - timedelta(days=1), new_year + timedelta(days=14)),
        _window("laodong", date(year, 5, 1), date(year, 5, 5)),
        _window("zhongqiu", mid_autumn - timedelta(days=1), mid_autumn + timedelta(days=1)),
        _window("guoqing", date(year, 10, 1), date(year, 10, 7)),
    ]


def windows(year: int, overrides: Iterable = ()) -> list[HolidayOpener]:
    """The year's windows; an override (holiday, year, start, end) replaces the computed one."""
    by_key = {w.key: w for w in default_windows(year)}
    for o in overrides:
        if o.year == year and o.holiday in HOLIDAYS:
            name, opener = HOLIDAYS[o.holiday]
            by_key[o.holiday] = HolidayOpener(o.holiday, name, opener, o.start, o.end, "notice")
    return [by_key[k] for k in HOLIDAYS]


def opener_for(now: datetime, overrides: Iterable = ()) -> HolidayOpener | None:
    """The holiday whose window covers `now`, if any (a 春节 window may start the year before)."""
    overrides = list(overrides)
    candidates = windows(now.year, overrides) + [w for w in windows(now.year - 1, overrides) if w.end.year == now.year]
    # 中秋 wins on its own day when it falls inside 国庆
    covering = [w for w in candidates if w.covers(now)]
    if not covering:
        return None
    order = list(HOLIDAYS)
    covering.sort(key=lambda w: (w.source != "notice", w.key == "guoqing", order.index(w.key)))
    return covering[0]


def greeting_text(now: datetime, overrides: Iterable = ()) -> str:
    opener = opener_for(now, overrides)
    return opener.opener if opener else DEFAULT_GREETING


def script_opening(agent_no: str, now: datetime, overrides: Iterable = ()) -> str:
    """The agent's opening line, e.g. 新年好!大龙报修 1001 为您服务,请问您有什么问题?"""
    return f"{greeting_text(now, overrides)}!大龙报修 {agent_no} 为您服务,请问您有什么问题?"
