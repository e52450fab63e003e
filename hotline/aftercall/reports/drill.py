"""The drill-down: from a figure of the report to the repairs or the calls behind it — the same
selection and the same buckets the figure was counted with (figures.py, queue.py), so a figure of
N lists N rows. A figure is named by its dotted key in the report's JSON (`tickets.by_district`),
a bucket of it by `value` (`铁西区`); a figure without buckets takes no value.

Repairs are listed with their number, state, problem, district, station and the resident's number
masked; calls with their uniqueid, time, wait, how they ended, the caller's number masked and the
repair they made. Who may, the period and the audit are the reports' (archive.Reports.drill)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Call, CallbackAttempt, Survey, Ticket
from db.queries import iso
from hotline.aftercall.reports.figures import (TICKET_LOAD, ReportPolicy, channel_of, tickets_of, callbacks_outstanding,
                                               callbacks_reached, callbacks_requested, completed_tickets,
                                               dispatched_in, district_of, drafts_waiting, hot_spots, open_ages,
                                               problem_of, received_tickets, reopened, station_of, surveys_in)
from hotline.aftercall.reports.queue import PARTS, OfferedCall, answered_within_sl, hour_of, short_abandon
from hotline.aftercall.rules import RuleError
from common.phones import mask_phone
from common.text import control_char

#: the most rows one answer lists (the count is always the whole figure's)
MAX_ROWS = 1000
VALUE_MAX = 64
#: call records looked up per query (no IN of a whole day's calls)
_CHUNK = 500


@dataclass(frozen=True)
class Day:
    """A reporting day's bounds, as the figures were counted over."""
    db: Session
    start: datetime
    end: datetime
    policy: ReportPolicy


@dataclass(frozen=True)
class TicketFigure:
    """The repairs a figure counts, each with its bucket ("" for a figure without buckets)."""
    items: Callable[[Day], list[tuple[Ticket, str]]]
    bucketed: bool = False


@dataclass(frozen=True)
class CallFigure:
    keep: Callable[[OfferedCall, ReportPolicy], bool]
    bucket: Callable[[OfferedCall], str] | None = None

    @property
    def bucketed(self) -> bool:
        return self.bucket is not None


def _by(select_tickets: Callable[[Day], list[Ticket]], bucket: Callable[[Ticket], str] | None = None
        ) -> TicketFigure:
    return TicketFigure(lambda d: [(t, bucket(t) if bucket else "") for t in select_tickets(d)], bucket is not None)


def _received(d: Day) -> list[Ticket]:
    return received_tickets(d.db, d.start, d.end)


def _completed(d: Day) -> list[Ticket]:
    return completed_tickets(d.db, d.start, d.end)


def _in_order(db: Session, ids: list[int]) -> list[Ticket]:
    """The tickets of `ids` in that order, once per id (a ticket surveyed twice is two rows)."""
    by_id = {t.id: t for t in tickets_of(db, set(ids))}
    return [by_id[i] for i in ids if i in by_id]


def _open(d: Day) -> list[tuple[Ticket, str]]:
    ages = open_ages(d.db, d.end)
    return [(t, ages[t.id]) for t in tickets_of(d.db, ages)]


def _requested(d: Day) -> list[Ticket]:
    return tickets_of(d.db, [t.id for t in d.db.scalars(callbacks_requested(d.start, d.end))])


def hot_spot_key(spot: dict) -> str:
    """A hot spot as the drill-down names it: 区/小区[/楼]."""
    return "/".join(x for x in (spot["district"], spot["compound"], spot["building"]) if x)


def _hot_spots(d: Day) -> list[tuple[Ticket, str]]:
    """Each spot's repairs under the spot's key (a repair in a building's spot and its compound's
    is in both)."""
    spots = hot_spots(d.db, d.start, d.end, d.policy)
    numbers = {n for s in spots for n in s["tickets"]}
    by_number = {t.number: t for t in d.db.scalars(select(Ticket).where(Ticket.number.in_(list(numbers)))
                                                   .options(*TICKET_LOAD))} if numbers else {}
    return [(by_number[n], hot_spot_key(s)) for s in spots for n in s["tickets"] if n in by_number]


TICKET_FIGURES: dict[str, TicketFigure] = {
    "tickets.received": _by(_received),
    "tickets.by_problem": _by(_received, problem_of),
    "tickets.by_district": _by(_received, district_of),
    "tickets.by_station": _by(_received, station_of),
    "tickets.by_channel": _by(_received, channel_of),
    "tickets.reopened": _by(lambda d: [t for t in _received(d) if reopened(t)]),
    "tickets.drafts_waiting": _by(lambda d: tickets_of(d.db, d.db.scalars(drafts_waiting(d.start, d.end)))),
    "tickets.completed": _by(_completed),
    "tickets.completed_by_station": _by(_completed, station_of),
    "tickets.completed_by_problem": _by(_completed, problem_of),
    "tickets.followed_up": _by(lambda d: _in_order(d.db, [s.ticket_id for s in d.db.scalars(
        surveys_in(d.start, d.end).order_by(Survey.at, Survey.id))])),
    "tickets.open_by_age": TicketFigure(_open, True),
    "callbacks.requested": _by(_requested),
    "callbacks.by_reason": _by(_requested, lambda t: t.callback_reason.value if t.callback_reason else ""),
    "callbacks.reached": _by(lambda d: _in_order(d.db, [a.ticket_id for a in d.db.scalars(
        callbacks_reached(d.start, d.end).order_by(CallbackAttempt.at, CallbackAttempt.id))])),
    "callbacks.outstanding": _by(lambda d: tickets_of(d.db, [t.id for t in callbacks_outstanding(d.db, d.end)])),
    "stations.dispatched": _by(lambda d: tickets_of(d.db, d.db.scalars(dispatched_in(d.start, d.end))),
                               lambda t: t.station.code if t.station else "-"),
    "hot_spots": TicketFigure(_hot_spots, True),
}

CALL_FIGURES: dict[str, CallFigure] = {
    "queue.offered": CallFigure(lambda c, _p: True),
    "queue.breakdown": CallFigure(lambda c, _p: True, lambda c: c.part),
    "queue.answered": CallFigure(lambda c, _p: c.part == "answered"),
    "queue.abandoned": CallFigure(lambda c, _p: c.part == "abandoned"),
    "queue.abandoned_short": CallFigure(short_abandon),
    "queue.answered_within_sl": CallFigure(answered_within_sl),
    "queue.by_hour": CallFigure(lambda c, _p: True, lambda c: str(hour_of(c.at).hour)),
}
FIGURES = (*TICKET_FIGURES, *CALL_FIGURES)


def check(figure: str, value: str | None) -> None:
    """A figure the drill-down knows, and a value only where it has buckets (400 otherwise)."""
    spec = TICKET_FIGURES.get(figure) or CALL_FIGURES.get(figure)
    if spec is None:
        raise RuleError(400, f"没有这个指标的明细: {str(figure)[:40]!r}")
    if value is None:
        return
    if not spec.bucketed:
        raise RuleError(400, f"指标 {figure} 没有分项")
    if len(value) > VALUE_MAX or control_char(value) is not None:
        raise RuleError(422, "分项名称过长或含有控制字符")


def is_calls(figure: str) -> bool:
    return figure in CALL_FIGURES


def drilled_tickets(d: Day, figure: str, value: str | None) -> list[dict]:
    """The repairs behind `figure` (its bucket `value`) of the day, oldest first."""
    items = [t for t, bucket in TICKET_FIGURES[figure].items(d) if value is None or bucket == value]
    return [ticket_row(t) for t in sorted(items, key=lambda t: (t.created_at, t.number))]


def ticket_row(t: Ticket) -> dict:
    return {"number": t.number, "state": t.state.value, "problem": problem_of(t), "district": district_of(t),
            "station": station_of(t), "phone": mask_phone(t.callback_number or t.caller_number or ""),
            "created_at": iso(t.created_at)}


def drilled_calls(db: Session, offered: Iterable[OfferedCall], figure: str, value: str | None,
              policy: ReportPolicy) -> list[dict]:
    """The calls behind `figure` (its bucket `value`) of the day, in the order they came; each with
    the caller's number (from its record, else the queue_log's caller id) masked and its repair."""
    spec = CALL_FIGURES[figure]
    calls = sorted((c for c in offered if spec.keep(c, policy.queue)
                    and (value is None or spec.bucket is None or spec.bucket(c) == value)), key=lambda c: c.at)
    records: dict[str, tuple[str, str | None]] = {}
    ids = [c.callid for c in calls]
    for i in range(0, len(ids), _CHUNK):
        records.update((uid, (caller, number)) for uid, caller, number in db.execute(
            select(Call.uniqueid, Call.caller, Ticket.number).outerjoin(Ticket, Call.ticket_id == Ticket.id)
            .where(Call.uniqueid.in_(ids[i:i + _CHUNK]))))
    out = []
    for c in calls:
        caller, ticket = records.get(c.callid, ("", None))
        out.append({"uniqueid": c.callid, "at": iso(c.at), "wait_s": c.wait_s, "outcome": c.part,
                    "outcome_label": PARTS.get(c.part, c.part), "phone": mask_phone(caller or c.caller),
                    "agent": c.agent, "ticket": ticket,
                    "source": "call records" if c.from_records else "queue_log"})
    return out
