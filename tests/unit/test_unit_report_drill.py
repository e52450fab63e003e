"""#27 — the drill-down from a figure of the report to the repairs and calls behind it, over the
synthetic reporting day of test_unit_reports (2026-11-23): every figure it knows lists exactly as
many rows as the report counts — each bucket too — because both read the same selection; numbers
are masked; who may and the audit are the reports'."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import AuditEntry
from hotline.aftercall.reports.drill import CALL_FIGURES, TICKET_FIGURES, hot_spot_key
from hotline.aftercall.rules import Refused, RuleError
import test_unit_reports as synthetic
from test_unit_reports import DAY, NEXT, at

#: the fixture of the synthetic day, shared
day = synthetic.day


def figure_of(report: dict, figure: str):
    x = report
    for part in figure.split("."):
        x = x[part]
    return x


def buckets(report: dict, figure: str) -> dict[str, int]:
    """A bucketed figure's {value: count} as the report shows it."""
    x = figure_of(report, figure)
    if figure == "queue.breakdown":
        return {b["key"]: b["count"] for b in x}
    if figure == "queue.by_hour":
        return {str(h["hour"]): h["offered"] for h in x}
    if figure == "tickets.open_by_age":
        return {k: v for k, v in x.items() if k != "total"}
    return dict(x)


def test_every_figure_lists_as_many_rows_as_the_report_counts(day):
    reports, _s, clock, who, _ = day
    clock.now = at(9, base=NEXT)
    r = reports.daily(None, DAY)
    totals = {"tickets.received": r["tickets"]["received"], "tickets.reopened": r["tickets"]["reopened"],
              "tickets.drafts_waiting": r["tickets"]["drafts_waiting"], "tickets.completed": r["tickets"]["completed"],
              "tickets.followed_up": r["tickets"]["followed_up"], "callbacks.requested": r["callbacks"]["requested"],
              "callbacks.reached": r["callbacks"]["reached"], "callbacks.outstanding": r["callbacks"]["outstanding"],
              "queue.offered": r["queue"]["offered"], "queue.answered": r["queue"]["answered"],
              "queue.abandoned": r["queue"]["abandoned"], "queue.abandoned_short": r["queue"]["abandoned_short"],
              "queue.answered_within_sl": r["queue"]["answered_within_sl"]}
    per_bucket = {f: buckets(r, f) for f in ("tickets.by_problem", "tickets.by_district", "tickets.by_station",
                                             "tickets.by_channel", "tickets.completed_by_station",
                                             "tickets.completed_by_problem", "tickets.open_by_age",
                                             "callbacks.by_reason", "queue.breakdown", "queue.by_hour")}
    per_bucket["stations.dispatched"] = {s["station"]: s["dispatched"] for s in r["stations"]}
    per_bucket["hot_spots"] = {hot_spot_key(s): s["repairs"] for s in r["hot_spots"]}
    assert set(totals) | set(per_bucket) == set(TICKET_FIGURES) | set(CALL_FIGURES)   # nothing left untested
    for figure, n in totals.items():
        got = reports.drill(who["1101"], DAY, figure)
        assert got["count"] == len(got["rows"]) == n, figure
    for figure, counts in per_bucket.items():
        assert counts and any(counts.values()), f"{figure}: the synthetic day should give it something"
        for value, n in counts.items():
            assert reports.drill(who["1101"], DAY, figure, value)["count"] == n, (figure, value)


def test_drilled_repairs_and_calls_carry_what_the_desk_lists_with_the_numbers_masked(day):
    reports, _s, clock, who, _ = day
    clock.now = at(9, base=NEXT)
    got = reports.drill(who["1101"], DAY, "tickets.by_district", "和平区")
    assert got["rows_are"] == "tickets" and not got["truncated"]
    (t4,) = got["rows"]
    assert set(t4) == {"number", "state", "problem", "district", "station", "phone", "created_at", "day"}
    assert (t4["district"], t4["state"], t4["problem"], t4["phone"]) == ("和平区", "new", "no_heat", "139******78")
    spot = reports.drill(who["1101"], DAY, "hot_spots", "铁西区/兴华北街")["rows"]
    assert len(spot) == 3 and {s["district"] for s in spot} == {"铁西区"}
    calls = reports.drill(who["1101"], DAY, "queue.abandoned")
    assert calls["rows_are"] == "calls" and [c["uniqueid"] for c in calls["rows"]] == ["c2", "c3"]
    c2, c3 = calls["rows"]
    assert (c2["wait_s"], c2["outcome"], c2["outcome_label"], c2["source"]) == (3, "abandoned", "放弃(挂机)", "queue_log")
    assert c2["phone"] == "139******02"              # no caller on its record: the queue_log's caller id
    assert c2["ticket"] and c3["ticket"] is None
    (after_hours,) = reports.drill(who["1101"], DAY, "queue.breakdown", "after_hours")["rows"]
    assert after_hours["uniqueid"] == "c9" and after_hours["source"] == "call records"
    assert not any("13912345678" in str(row) for row in reports.drill(who["1101"], DAY, "queue.offered")["rows"])


def test_a_week_lists_its_days_rows_each_with_its_day(day):
    reports, _s, clock, who, _ = day
    clock.now = at(9, base=NEXT)
    week = reports.period(who["1101"], "weekly", DAY)
    got = reports.drill(who["1101"], DAY, "tickets.received", kind="weekly")
    assert got["count"] == week["tickets"]["received"] and {r["day"] for r in got["rows"]} == {"2026-11-23"}
    assert (got["first_day"], got["last_day"]) == ("2026-11-23", "2026-11-29")
    assert reports.drill(who["1101"], DAY, "queue.offered", kind="weekly")["count"] == week["queue"]["offered"]


def test_the_drill_down_is_the_report_readers_and_audited(day):
    reports, sessions, _c, who, _ = day
    with pytest.raises(Refused):
        reports.drill(who["1001"], DAY, "tickets.received")             # an agent reads no reports
    with pytest.raises(Refused):
        reports.drill(who["8001"], DAY, "tickets.received")             # nor does a station
    for figure, value, status in (("tickets.nonsense", None, 400), ("tickets.received", "铁西区", 400),
                                  ("tickets.by_district", "x" * 65, 422), ("tickets.by_district", "铁西\x00", 422)):
        with pytest.raises(RuleError) as e:
            reports.drill(who["1101"], DAY, figure, value)
        assert e.value.status == status, (figure, value)
    with pytest.raises(RuleError) as e:
        reports.drill(who["1101"], DAY, "tickets.received", kind="yearly")
    assert e.value.status == 422
    reports.drill(who["1201"], DAY, "queue.breakdown", "abandoned")
    with sessions() as db:
        seen = db.scalar(select(AuditEntry).where(AuditEntry.action == "report_drill"))
        assert (seen.actor, seen.object_id) == ("1201", "daily:2026-11-23")
        assert seen.detail == {"figure": "queue.breakdown", "value": "abandoned"}
