"""Hot spots as they happen (#27): many no-heat repairs from one compound or building within the
window (figures.hot_spots, the report's own rule and threshold: HOTLINE_REPORT_HOT_SPOT_REPAIRS within
HOTLINE_REPORT_HOT_SPOT_MIN) point to a network fault. The service looks at the current reporting day
every minute; a place that becomes a hot spot is told to the team leads' desks once, and audited once
(`hot_spot`, object `<day>:<区/小区[/楼]>`); a known one that grows is told again with its new count,
never audited again. The audit log is the memory: a restart does not alert a place twice."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import AuditEntry
from hotline.aftercall.reports.drill import hot_spot_key
from hotline.aftercall.reports.figures import ReportPolicy, day_bounds, hot_spots, reporting_day
from hotline.aftercall.rules import add_audit, audit_object_id

#: the audit entry of a hot spot told to the desks (its object: the day and the place)
AUDIT_ACTION = "hot_spot"
#: the fields of a hot spot the desks are told: where, how many, when (no ticket, no resident)
_TOLD = ("district", "compound", "building", "repairs", "first", "last")


def _object_id(day: date, key: str) -> str:
    return audit_object_id(f"{day.isoformat()}:{key}")


class HotSpotWatch:
    """The current reporting day's hot spots, and which of them the desks were told (with what count)."""

    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime], policy: ReportPolicy):
        self.sessions, self.now, self.policy = sessions, now, policy
        self.day: date | None = None
        #: place → the count the desks were last told (of self.day)
        self.told: dict[str, int] = {}
        #: the day's hot spots as the last round found them (the hello of a lead logging in)
        self.active: list[dict] = []

    @staticmethod
    def _spot(day: date, s: dict) -> dict:
        return {"day": day.isoformat(), "key": hot_spot_key(s), **{k: s[k] for k in _TOLD}}

    def _audited(self, db: Session, day: date) -> dict[str, int]:
        """The places of `day` already told, from the audit log (a restart keeps them)."""
        head = _object_id(day, "")
        rows = db.scalars(select(AuditEntry).where(AuditEntry.object_type == AUDIT_ACTION,       # ix_audit_object
                                                   AuditEntry.object_id.startswith(head)))
        return {(a.detail or {}).get("key", ""): int((a.detail or {}).get("repairs") or 0) for a in rows
                if a.action == AUDIT_ACTION}

    def round(self) -> list[dict]:
        """The hot spots to tell the desks now: each new place once (audited), a known one again when it
        grew (`new` False). Nothing for a place already told with this count."""
        day = reporting_day(self.now(), self.policy)
        start, end = day_bounds(day, self.policy)
        out = []
        with self.sessions() as db, db.begin():
            if day != self.day:
                self.day, self.told = day, self._audited(db, day)
            spots = [self._spot(day, s) for s in hot_spots(db, start, end, self.policy)]
            for s in spots:
                before = self.told.get(s["key"])
                if before is not None and s["repairs"] <= before:
                    continue
                if before is None:
                    add_audit(db, "service", AUDIT_ACTION, AUDIT_ACTION, _object_id(day, s["key"]), key=s["key"],
                              repairs=s["repairs"], first=s["first"], last=s["last"])
                self.told[s["key"]] = s["repairs"]
                out.append({**s, "new": before is None})
        self.active = spots
        return out


def active_hot_spots(db: Session, now: datetime, policy: ReportPolicy) -> list[dict]:
    """The current reporting day's hot spots as the desks are told them (`hotline status`): a query, no audit."""
    day = reporting_day(now, policy)
    return [HotSpotWatch._spot(day, s) for s in hot_spots(db, *day_bounds(day, policy), policy)]
