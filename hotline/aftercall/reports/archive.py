"""The reports as the customer's rules want them kept: a day is signed by the head once checked
(审核无误后方可外报) and frozen as generated — its JSON and that JSON's SHA-256 — and never
rewritten (档案化管理). A day generated again later carries `signed` and `differs_from_signed`: the
figures that changed since, each with its signed and its present value. A week, month or season is
the sum of its days, the signed ones as signed — read as stored, never built again: what differs in a
signed day is what its last re-check found (`recheck`, the service's nightly round after each
reporting day begins; the daily view and the signing store their finding too). A period says which
days are not signed, which differed when last re-checked (and when), and which were never re-checked.

Who: team leads, the head and admins read reports; only the head signs. Views, signatures and
exports are audited; refusals too (403)."""
from __future__ import annotations

import bisect
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from db.models import DailyReport, Role
from db.queries import iso
from db.queue_log import QueueLogLine
from hotline.aftercall.reports import drill as drilling
from hotline.aftercall.reports.pdf import write_pdf
from hotline.aftercall.reports.figures import ReportPolicy, build_day, call_rows, day_bounds, finish, reporting_day
from hotline.aftercall.reports.queue import day_calls
from hotline.aftercall.reports.xlsx import write_xlsx
from hotline.aftercall.rules import Actor, Refused, RuleError, add_audit
from common import wire

KINDS = ("daily", "weekly", "monthly", "season")
KIND_WORDS = {"daily": "日报", "weekly": "周报", "monthly": "月报", "season": "供暖季报"}
#: the files a report is exported as: the workbook, and the page the customer prints
FORMATS = {"xlsx": write_xlsx, "pdf": write_pdf}
#: their media types (the desk's download, the e-mail's attachments)
MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}
#: who reads reports, and who signs them (责任人: the head) — the wire's, which the desk's 报表 tab follows
READERS = tuple(Role(r) for r in wire.REPORT_READER_ROLES)
SIGNERS = tuple(Role(r) for r in wire.REPORT_SIGNER_ROLES)
#: queue_log read around a day: before it (who was logged in at its start), after it (calls going on)
LOOKBACK, TAIL = timedelta(hours=24), timedelta(hours=2)
#: what a report carries that is not a figure: never a difference
_NOT_FIGURES = {"generated_at", "complete", "formulas", "signed", "differs_from_signed", "label"}
#: list items are matched across reports by the first of these they have
_IDS = ("key", "hour", "agent_no", "station", "id")
#: values that are settings or names, not amounts: a sum keeps the first
_CONSTANT = {"service_level_s", "short_abandon_s", "hour", "id", "day", "window_days"}
#: figures that are a state at the day's end, not the day's own count: a sum keeps the last day's
_LATEST = {"affected"}
#: lists whose items are each of one day (a sum keeps them all, saying which day)
_PER_DAY = ("complaints", "disagreements", "hot_spots", "repeat_callers")

QueueEvents = Callable[[datetime, datetime], Iterable[QueueLogLine]]


def file_name(kind: str, day: date, fmt: str) -> str:
    """What an exported report is called (the desk's download, the e-mail's attachment)."""
    return f"大龙供暖报修热线{KIND_WORDS[kind]}-{day.isoformat()}.{fmt}"


def canonical(report: dict) -> str:
    """The report's one text: what is stored and hashed."""
    return json.dumps(report, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_day(text: str) -> date:
    """A reporting day from a person's YYYY-MM-DD (422 for anything else)."""
    text = str(text)
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise RuleError(422, f"日期应为 YYYY-MM-DD,不是 {text[:20]!r}")


def period_days(kind: str, day: date, policy: ReportPolicy) -> tuple[date, date]:
    """The first and last reporting day of the `kind` of period that holds `day`: its ISO week
    (Monday–Sunday), its calendar month, or its heating season (Settings.season_start – season_end;
    a day between two seasons belongs to the one before)."""
    if kind == "daily":
        return day, day
    if kind == "weekly":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if kind == "monthly":
        first = day.replace(day=1)
        return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if kind == "season":
        sm, sd = (int(x) for x in policy.season_start.split("-"))
        em, ed = (int(x) for x in policy.season_end.split("-"))
        first = date(day.year if (day.month, day.day) >= (sm, sd) else day.year - 1, sm, sd)
        return first, date(first.year + ((em, ed) < (sm, sd)), em, ed)
    raise RuleError(422, f"报表类型应为 {', '.join(KINDS)} 之一")


def flatten(x, prefix: str = "") -> dict:
    """Every figure under its path: tickets.received, stations[TX].complete_n, queue.breakdown[answered].count."""
    out: dict = {}
    if isinstance(x, dict):
        for k, v in x.items():
            if k not in _NOT_FIGURES:
                out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(x, list):
        for i, item in enumerate(x):
            key = next((item[k] for k in _IDS if isinstance(item, dict) and k in item), i)
            out.update(flatten(item, f"{prefix}[{key}]"))
    else:
        out[prefix] = x
    return out


def differences(signed: dict, now: dict) -> list[dict]:
    """The figures whose value now is not the signed one (appeared or gone: None on that side)."""
    a, b = flatten(signed), flatten(now)
    return [{"figure": k, "signed": a.get(k), "now": b.get(k)} for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def _add(key: str, a, b):
    if key in _CONSTANT or isinstance(a, str) or isinstance(a, bool):
        return a if a is not None else b
    if a is None or b is None:
        return a if b is None else b
    if key in _LATEST:
        return b
    if key == "first_login":
        return min(a, b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return max(a, b) if key.endswith("_max_s") else a + b
    if isinstance(a, dict) and isinstance(b, dict):
        return {**a, **b, **{k: _add(k, a[k], b[k]) for k in a if k in b}}
    if isinstance(a, list) and isinstance(b, list):
        keyed = lambda item: next((item[k] for k in _IDS if isinstance(item, dict) and k in item), None)
        if key in _PER_DAY or any(keyed(i) is None for i in a + b):
            return a + b
        out = {keyed(i): i for i in a}
        for i in b:
            out[keyed(i)] = _add(key, out[keyed(i)], i) if keyed(i) in out else i
        return list(out.values())
    return a


def summed(days: list[dict]) -> dict:
    """Days added up: counts and sums added, maxima kept, each day's own lists kept with their day;
    the rates derived again from the sums (`finish`)."""
    total: dict = {}
    for r in days:
        r = {**r, **{k: [{**i, "day": r["day"]} for i in r.get(k, [])] for k in _PER_DAY}}
        total = _add("", total, r) if total else r
    return finish(total)


def by_day(day: dict, signed: bool) -> dict:
    """One day of a period as its charts show it: the queue's service level, the repairs."""
    q, t = day["queue"], day["tickets"]
    return {"day": day["day"], "signed": signed, "offered": q["offered"], "answered": q["answered"],
            "abandoned": q["abandoned"], "answered_within_sl": q["answered_within_sl"],
            "service_level_20s": q["service_level_20s"], "received": t["received"], "completed": t["completed"]}


class Reports:
    """The reports for the CLI and the agent API: each method one transaction, `actor` None for the
    admin's shell. `queue_events(since, until)` is where the queue_log's events come from (the one
    seam: hotline.service.reports)."""

    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime], policy: ReportPolicy,
                 queue_events: QueueEvents):
        self.sessions, self.now, self.policy, self.queue_events = sessions, now, policy, queue_events

    # ---------------------------------------------------------------- rules --
    @staticmethod
    def _read(actor: Actor | None, what: str) -> None:
        if actor is not None and actor.role not in READERS:
            raise Refused("报表仅领班、部长和统计员可查看", "report_refused", "report", what)

    def _audit(self, db: Session, actor: Actor | None, action: str, what: str, **detail) -> None:
        add_audit(db, actor.agent_no if actor else "cli", action, "report", what, **detail)

    # -------------------------------------------------------------- reading --
    def _days_events(self, days: list[date]) -> Iterator[tuple[date, list[QueueLogLine]]]:
        """Each of `days` (in order) with the queue_log events its figures read — from
        LOOKBACK before its start (who was logged in then) to TAIL after its end, or after now in a
        day not over — read a day at a time: a season's queue_log is millions of lines, never all
        in memory at once, and each line is read from the database once."""
        now = self.now()
        window: list[QueueLogLine] = []
        loaded: datetime | None = None
        for day in days:
            start, end = day_bounds(day, self.policy)
            lo, hi = start - LOOKBACK, min(end, now) + TAIL
            if loaded is None or loaded < lo:
                window, loaded = [], lo
            if hi > loaded:
                window += sorted(self.queue_events(loaded, hi), key=lambda e: e.at)
                loaded = hi
            window = window[bisect.bisect_left(window, lo, key=lambda e: e.at):]
            yield day, window[:bisect.bisect_left(window, hi, key=lambda e: e.at)]

    def _build(self, db: Session, day: date, events: list[QueueLogLine]) -> dict:
        return build_day(db, day, self.policy, events, self.now())

    @staticmethod
    def _signed(db: Session, days: Iterable[date]) -> dict[str, DailyReport]:
        keys = [d.isoformat() for d in days]
        return {r.day: r for r in db.scalars(select(DailyReport).where(DailyReport.day.in_(keys))
                                             .options(selectinload(DailyReport.signed_by)))}

    def _checked(self, row: DailyReport, changed: list[dict]) -> None:
        """What a signed day's data say now against its signed copy, kept on its row with the time."""
        row.checked_at, row.differs = self.now(), json.dumps(changed, ensure_ascii=False)

    @staticmethod
    def _signature(row: DailyReport) -> dict:
        return {"by": row.signed_by.agent_no, "name": row.signed_by.name, "at": iso(row.signed_at),
                "sha256": row.sha256, "generated_at": iso(row.generated_at)}

    def daily(self, actor: Actor | None, day: date) -> dict:
        """The day's report as the data say now, with its signature and what changed since (if signed)."""
        self._read(actor, day.isoformat())
        _day, events = next(self._days_events([day]))
        with self.sessions() as db, db.begin():
            report = self._build(db, day, events)
            row = self._signed(db, [day]).get(day.isoformat())
            report["signed"] = self._signature(row) if row else None
            report["differs_from_signed"] = differences(json.loads(row.report), report) if row else None
            if row is not None:
                self._checked(row, report["differs_from_signed"])
            if actor is not None:
                self._audit(db, actor, "report_view", day.isoformat())
            return report

    def as_signed(self, actor: Actor | None, day: date) -> dict:
        """The archive: the day's report exactly as signed (404 if not signed)."""
        self._read(actor, day.isoformat())
        with self.sessions() as db:
            row = self._signed(db, [day]).get(day.isoformat())
            if row is None:
                raise RuleError(404, f"{day.isoformat()} 的日报尚未签发")
            if digest(row.report) != row.sha256:     # never expected: the archive is never rewritten
                raise RuleError(500, f"{day.isoformat()} 的存档日报与其签发时的摘要不符")
            return {**json.loads(row.report), "signed": self._signature(row)}

    def period(self, actor: Actor | None, kind: str, day: date,
               progress: Callable[[int, int], None] | None = None) -> dict:
        """A week, month or season: the sum of its days so far — the signed ones as stored, with what
        their last re-check found (never built again here), the others built from the data now;
        `progress(done, total)` after each day (a season is a few hundred)."""
        first, last = period_days(kind, day, self.policy)
        if kind == "daily":
            return self.daily(actor, day)
        self._read(actor, f"{kind}:{day.isoformat()}")
        now = self.now()
        begun = [first + timedelta(days=i) for i in range((last - first).days + 1)
                 if day_bounds(first + timedelta(days=i), self.policy)[0] <= now]
        parts: dict[date, dict] = {}
        differ, unchecked, checked = [], [], []
        with self.sessions() as db, db.begin():
            signed = self._signed(db, begun)
            unsigned = [d for d in begun if d.isoformat() not in signed]
            for d in begun:
                row = signed.get(d.isoformat())
                if row is None:
                    continue
                if progress is not None:
                    progress(len(parts), len(begun))
                parts[d] = json.loads(row.report)
                if row.checked_at is None:
                    unchecked.append(d.isoformat())
                    continue
                checked.append(row.checked_at)
                changed = json.loads(row.differs or "[]")
                if changed:
                    differ.append({"day": d.isoformat(), "changes": len(changed), "figures": changed[:50],
                                   "checked_at": iso(row.checked_at)})
            for d, events in self._days_events(unsigned):
                if progress is not None:
                    progress(len(parts), len(begun))
                parts[d] = self._build(db, d, events)
            if progress is not None:
                progress(len(begun), len(begun))
            if actor is not None:
                self._audit(db, actor, "report_view", f"{kind}:{day.isoformat()}")
        days = [parts[d] for d in begun]
        unsigned = [d.isoformat() for d in unsigned]
        report = summed(days) if days else {}
        report["by_day"] = [by_day(p, p["day"] not in unsigned) for p in days]
        start, _ = day_bounds(first, self.policy)
        _, end = day_bounds(last, self.policy)
        report.update({
            "kind": kind, "day": first.isoformat(), "generated_at": iso(now), "complete": end <= now,
            "period": {"from": iso(start), "to": iso(end), "first_day": first.isoformat(), "last_day": last.isoformat(),
                       "days": len(begun), "day_start": self.policy.day_start.strftime("%H:%M")},
            "days_signed": len(begun) - len(unsigned), "days_unsigned": unsigned, "days_differ": differ,
            "days_unchecked": unchecked, "days_checked_since": iso(min(checked)) if checked else None,
            "days_to_come": (last - first).days + 1 - len(begun),
        })
        return report

    # ----------------------------------------------------------- drill-down --
    def drill(self, actor: Actor | None, day: date, figure: str, value: str | None = None,
              kind: str = "daily") -> dict:
        """The repairs or calls behind a figure of the day (or of each day of its week, month,
        season so far), as the data say now: drill.py's rows, counted in full, at most
        drill.MAX_ROWS listed. 400 for a figure it does not know."""
        what = f"{kind}:{day.isoformat()}"
        self._read(actor, what)
        drilling.check(figure, value)
        first, last = period_days(kind, day, self.policy)
        now = self.now()
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)
                if day_bounds(first + timedelta(days=i), self.policy)[0] <= now]
        calls = drilling.is_calls(figure)
        rows: list[dict] = []
        count = 0
        with self.sessions() as db, db.begin():
            for d, events in self._days_events(days) if calls else ((d, []) for d in days):
                start, end = day_bounds(d, self.policy)
                if calls:
                    offered = day_calls(events, start, end, self.policy.queue,
                                        call_rows(db, start, end))
                    found = drilling.drilled_calls(db, offered, figure, value, self.policy)
                else:
                    found = drilling.drilled_tickets(drilling.Day(db, start, end, self.policy), figure, value)
                count += len(found)
                room = drilling.MAX_ROWS - len(rows)
                rows += [{**r, "day": d.isoformat()} for r in found[:max(0, room)]]
            if actor is not None:
                self._audit(db, actor, "report_drill", what, figure=figure, value=value)
        return {"figure": figure, "value": value, "kind": kind, "day": day.isoformat(),
                "first_day": first.isoformat(), "last_day": last.isoformat(),
                "rows_are": "calls" if calls else "tickets", "count": count, "rows": rows,
                "truncated": count > len(rows)}

    # -------------------------------------------------------------- signing --
    def sign(self, actor: Actor, day: date) -> dict:
        """The head signs a finished day: the report generated now is frozen with its SHA-256."""
        if actor.role not in SIGNERS:
            raise Refused("日报由部长或统计员审核签发", "report_sign_refused", "report", day.isoformat())
        _, end = day_bounds(day, self.policy)
        if end > self.now():
            raise RuleError(409, f"{day.isoformat()} 的报表日尚未结束(至 {iso(end)}),不能签发")
        _day, events = next(self._days_events([day]))
        with self.sessions() as db, db.begin():
            if self._signed(db, [day]):
                raise RuleError(409, f"{day.isoformat()} 的日报已签发,存档不可更改")
            report = self._build(db, day, events)
            text = canonical(report)
            now = self.now()
            row = DailyReport(day=day.isoformat(), report=text, sha256=digest(text),
                              generated_at=datetime.fromisoformat(report["generated_at"]), signed_by_id=actor.user_id,
                              signed_at=now, checked_at=now, differs="[]")
            db.add(row)
            db.flush()
            self._audit(db, actor, "report_sign", day.isoformat(), sha256=row.sha256)
            db.refresh(row)
            return {"day": row.day, "signed": self._signature(row)}

    # ------------------------------------------------------------ re-check --
    def recheck(self, day: date) -> dict:
        """A signed day built again from the data as they are now and compared with its signed copy;
        the differences and the time kept on its row (one transaction): what a week, month or season
        shows for that day until the next re-check. 404 if the day is not signed."""
        _day, events = next(self._days_events([day]))
        with self.sessions() as db, db.begin():
            row = self._signed(db, [day]).get(day.isoformat())
            if row is None:
                raise RuleError(404, f"{day.isoformat()} 的日报尚未签发")
            changed = differences(json.loads(row.report), self._build(db, day, events))
            self._checked(row, changed)
            return {"day": row.day, "checked_at": iso(row.checked_at), "changes": len(changed)}

    def recheck_due(self) -> list[date]:
        """The signed days of the current season not re-checked since the current reporting day
        began (or never), oldest first: the service's round re-checks them one at a time."""
        now = self.now()
        first, last = period_days("season", reporting_day(now, self.policy), self.policy)
        since, _ = day_bounds(reporting_day(now, self.policy), self.policy)
        with self.sessions() as db:
            due = db.scalars(select(DailyReport.day).where(
                DailyReport.day >= first.isoformat(), DailyReport.day <= last.isoformat(),
                (DailyReport.checked_at.is_(None)) | (DailyReport.checked_at < since)).order_by(DailyReport.day))
            return [date.fromisoformat(d) for d in due]

    # -------------------------------------------------------------- export --
    def export(self, actor: Actor | None, kind: str, day: date, fmt: str, target: Path | BinaryIO) -> dict:
        """The report as a file (`fmt` one of FORMATS) at `target` — a path or a binary file —
        by role, audited (report_export with its format); the report itself is returned."""
        return self.export_files(actor, kind, day, {fmt: target})

    def export_files(self, actor: Actor | None, kind: str, day: date, targets: dict[str, Path | BinaryIO],
                     progress: Callable[[int, int], None] | None = None) -> dict:
        """The report built once, written in each format asked for (format → target), each audited."""
        if not targets or set(targets) - set(FORMATS):
            raise RuleError(422, f"导出格式应为 {', '.join(FORMATS)} 之一")
        report = self.period(actor, kind, day, progress)
        for fmt, target in targets.items():
            FORMATS[fmt](report, target)
        with self.sessions() as db, db.begin():
            for fmt in targets:
                self._audit(db, actor, "report_export", f"{kind}:{day.isoformat()}", format=fmt)
        return report

    def export_xlsx(self, actor: Actor | None, kind: str, day: date, path: Path) -> dict:
        """The report as an XLSX workbook at `path` (a sheet per section, a chart sheet), audited."""
        return self.export(actor, kind, day, "xlsx", path)

    def export_pdf(self, actor: Actor | None, kind: str, day: date, path: Path) -> dict:
        """The report as the customer prints it (A4, Chinese, charts) at `path`, audited."""
        return self.export(actor, kind, day, "pdf", path)

    def export_bytes(self, actor: Actor | None, kind: str, day: date, fmt: str) -> tuple[dict, bytes]:
        """The report and its file's bytes (the desk's download), audited like any export."""
        out = io.BytesIO()
        report = self.export(actor, kind, day, fmt, out)
        return report, out.getvalue()
