"""Where the reports' queue figures come from: Asterisk's queue_log. The one seam between the
reports (hotline.aftercall.reports, which take any iterable of queue_log events) and the place the
events are kept — today the file itself, read with the reconciliation's parser; once the queue_log
is ingested into the database (#26), a query of that table in this one function instead."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from hotline.aftercall.reports.archive import Reports
from hotline.aftercall.reports.figures import report_policy
from hotline.aftercall.reports.queue import QueueEvent
from db.queue_log import parse_line
from common.settings import Settings


def queue_log_events(path: Path) -> Callable[[datetime, datetime], Iterator[QueueEvent]]:
    """The events of [since, until) from the queue_log file at `path` (none while it does not exist)."""
    def events(since: datetime, until: datetime) -> Iterator[QueueEvent]:
        try:
            with path.open(encoding="utf-8", errors="replace") as f:
                for line in f:
                    ev = parse_line(line)
                    if ev is not None and since <= ev.at < until:
                        yield ev
        except FileNotFoundError:
            return
    return events


def reports(settings: Settings, sessions: sessionmaker[Session]) -> Reports:
    """The reports of this hotline: its records, its queue_log, its settings and clock."""
    return Reports(sessions, settings.now, report_policy(settings), queue_log_events(settings.queue_log))
