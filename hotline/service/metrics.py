"""What `GET /metrics` says (Prometheus text format, prometheus-client): the service's own figures
and counts read at the scrape. Figures only — no phone number, no name, no ticket number ever goes
into a label (outcomes, states and parts are our own words).

- the FastAGI turnaround (our share: a command's result in the flow's hands → its next command sent)
  and the event loop's lateness, as histograms observed as they happen (`AgiTimings` feeds them);
- calls by outcome, 回访 dialer attempts by outcome: counted in the database;
- callers waiting in the queue and the longest wait (Asterisk's QueueStatus), agents by state (the
  service's own picture of the queue);
- ages: the newest signed daily report, the newest report e-mail sent, the newest good backup (the
  backup's audit line, when one was ever made);
- which parts answer (database, AMI, FastAGI): the same answer as /api/health and /api/ready.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.models import AuditEntry, Call, DailyReport, ReportDelivery, SurveyCall
from hotline.aftercall import backup

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: where the backup records a good backup (hotline.aftercall.backup: an audit line per backup)
BACKUP_AUDIT = ("backup", backup.DONE)
#: seconds: an AGI turnaround share is well under a millisecond when all is well
TURNAROUND_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
LAG_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


@dataclass
class Snapshot:
    """What a scrape read: set by the service before the registry is rendered."""
    parts: dict[str, bool] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    survey_attempts: dict[str, int] = field(default_factory=dict)
    waiting: int | None = None
    longest_wait_s: float | None = None
    agents: dict[str, int] = field(default_factory=dict)
    ages_s: dict[str, float] = field(default_factory=dict)
    active_calls: int = 0


def agent_state(st: dict) -> str:
    """One word for an agent in the service's queue picture (QueueState.agent)."""
    if not st.get("member"):
        return "out"
    if st.get("in_call"):
        return "talking"
    if st.get("wrapup_until") is not None:
        return "wrapup"
    if st.get("paused"):
        return "paused"
    return "available"


def agents_by_state(agents: dict[str, dict]) -> dict[str, int]:
    counts = dict.fromkeys(("available", "talking", "wrapup", "paused", "out"), 0)
    for st in agents.values():
        counts[agent_state(st)] += 1
    return counts


def queue_waiting(events: list[dict], queue: str) -> tuple[int, float]:
    """(callers waiting, the longest wait in seconds) from QueueStatus' events."""
    waits = [float(e.get("Wait") or 0) for e in events if e.get("Event") == "QueueEntry" and e.get("Queue") == queue]
    return len(waits), max(waits, default=0.0)


def database_figures(db: Session, now: datetime) -> dict:
    """The counts and ages read from the database at a scrape (one short read transaction)."""
    calls = {str(getattr(o, "value", o) or "open"): n
             for o, n in db.execute(select(Call.outcome, func.count()).group_by(Call.outcome))}
    attempts = {o or "unknown": n for o, n in db.execute(select(SurveyCall.outcome, func.count())
                                                         .group_by(SurveyCall.outcome))}
    newest = {
        "report_signed": db.scalar(select(func.max(DailyReport.signed_at))),
        "report_mailed": db.scalar(select(func.max(ReportDelivery.at)).where(ReportDelivery.ok.is_(True))),
        "backup": db.scalar(select(func.max(AuditEntry.at)).where(AuditEntry.object_type == BACKUP_AUDIT[0],
                                                                 AuditEntry.action == BACKUP_AUDIT[1])),
    }
    ages = {k: max(0.0, (now - at).total_seconds()) for k, at in newest.items() if at is not None}
    return {"calls": calls, "survey_attempts": attempts, "ages_s": ages}


def database_answers(db: Session) -> bool:
    db.execute(text("SELECT 1"))
    return True


class _Figures(Collector):
    def __init__(self):
        self.snapshot = Snapshot()

    def collect(self):
        s = self.snapshot
        up = GaugeMetricFamily("hotline_part_up", "1 when the part answers the service: database, ami, fastagi",
                               labels=["part"])
        for part, ok in sorted(s.parts.items()):
            up.add_metric([part], 1.0 if ok else 0.0)
        yield up
        calls = CounterMetricFamily("hotline_calls", "calls recorded, by outcome (open: not ended yet)",
                                    labels=["outcome"])
        for outcome, n in sorted(s.calls.items()):
            calls.add_metric([outcome], n)
        yield calls
        attempts = CounterMetricFamily("hotline_survey_attempts", "automated 回访 calls placed, by outcome",
                                       labels=["outcome"])
        for outcome, n in sorted(s.survey_attempts.items()):
            attempts.add_metric([outcome], n)
        yield attempts
        yield GaugeMetricFamily("hotline_flows_running", "FastAGI flows running now", value=s.active_calls)
        if s.waiting is not None:
            yield GaugeMetricFamily("hotline_queue_callers_waiting", "callers waiting in the repair queue",
                                    value=s.waiting)
            yield GaugeMetricFamily("hotline_queue_longest_wait_seconds", "the longest wait of a caller in the "
                                    "queue now", value=s.longest_wait_s or 0.0)
        agents = GaugeMetricFamily("hotline_agents", "agents by state (out: not in the queue)", labels=["state"])
        for state, n in s.agents.items():
            agents.add_metric([state], n)
        yield agents
        for key, what in (("report_signed", "the newest signed daily report"),
                          ("report_mailed", "the newest daily report e-mail sent"),
                          ("backup", "the newest good backup")):
            if key in s.ages_s:
                yield GaugeMetricFamily(f"hotline_{key}_age_seconds", f"seconds since {what}", value=s.ages_s[key])


class ServiceMetrics:
    """One registry per service (a test may run several in one process)."""

    def __init__(self):
        self.registry = CollectorRegistry(auto_describe=True)
        self.turnaround = Histogram("hotline_fastagi_turnaround_seconds",
                                    "the service's share of a FastAGI command's turnaround: from a command's "
                                    "result in the flow's hands to its next command sent", buckets=TURNAROUND_BUCKETS,
                                    registry=self.registry)
        self.loop_lag = Histogram("hotline_event_loop_lag_seconds", "how late the service's event loop wakes a "
                                  "short sleep (a busy loop delays every call's next command)", buckets=LAG_BUCKETS,
                                  registry=self.registry)
        self._figures = _Figures()
        self.registry.register(self._figures)

    def render(self, snapshot: Snapshot) -> bytes:
        self._figures.snapshot = snapshot
        return generate_latest(self.registry)
