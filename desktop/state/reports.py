"""What the 报表 tab is doing, without a widget: which period (日报 / 周报 / 月报 / 供暖季报) of which
day, the report the server answered (the same JSON as `hotline report … --json`), whether this person
may sign it, the drill-down asked for and its rows, and the export under way.

Like the other state objects it never calls the API: it says what should be fetched
(``report_wanted``, ``sign_wanted``, ``drill_wanted``, ``export_wanted``) and what changed; the
tab's wiring (desktop.widgets.reports_panel.wire_reports) connects it to desktop.services.api. An
answer that is not for the period now shown (the person switched meanwhile) is dropped. The server
decides every refusal: the 签核 button is only offered to the roles of wire.REPORT_SIGNER_ROLES, and a
403 is shown in the server's words."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QObject, Signal

from common import wire

# the periods, in the picker's order (wire.REPORT_KINDS are the periods beyond a day)
KINDS = ("daily", *wire.REPORT_KINDS)
EXPORT_FORMATS = ("xlsx", "pdf")
DEFAULT_DAY_START = dt.time(8, 0)


def reporting_day(now: dt.datetime, day_start: dt.time = DEFAULT_DAY_START) -> dt.date:
    """The reporting day `now` belongs to (before the day start: the day before's) — the server's
    rule (hotline.aftercall.reports.figures.reporting_day), with the day start it last answered."""
    return now.date() if now.time() >= day_start else now.date() - dt.timedelta(days=1)


def can_read(role: str | None) -> bool:
    return role in wire.REPORT_READER_ROLES


def can_sign(role: str | None) -> bool:
    return role in wire.REPORT_SIGNER_ROLES


def differing_figures(report: dict) -> set[str]:
    """The figures whose value changed since the day was signed (their dotted keys)."""
    return {str(d.get("figure")) for d in report.get("differs_from_signed") or [] if isinstance(d, dict)}


def differs(figure: str, changed: set[str]) -> bool:
    """`figure` (a dotted key, or a key's prefix such as tickets.by_problem) changed since signing."""
    return any(c == figure or c.startswith(figure + ".") or c.startswith(figure + "[") for c in changed)


class ReportsState(QObject):
    """The period shown, its report, the drill-down and the export of one desk's 报表 tab."""

    report_wanted = Signal(str, str)          # kind, YYYY-MM-DD
    report_changed = Signal(object)             # the report to show ({} while none)
    loading_changed = Signal(bool)
    sign_wanted = Signal(str)                 # YYYY-MM-DD
    drill_wanted = Signal(object)               # the query of wire.REPORT_DRILL
    drill_changed = Signal(object)              # the drill-down's answer (rows), with the title asked
    export_wanted = Signal(str, str, str, str)   # kind, YYYY-MM-DD, xlsx|pdf, where to save
    message = Signal(str, bool)               # words for the person; True: an error

    def __init__(self, parent: QObject | None = None, today=None):
        super().__init__(parent)
        self._now = today or dt.datetime.now
        self.user: dict = {}
        self.kind = "daily"
        self.day_start = DEFAULT_DAY_START
        self.day = reporting_day(self._now(), self.day_start)
        #: the server's clock less this PC's (from each answer's generated_at): "today" is the hotline's
        self._offset = dt.timedelta(0)
        #: the period shown is today's, until the person picks another day
        self.following_today = True
        self.report: dict = {}
        self.loading = False
        self.signing = False
        self.drill: dict = {}
        self._drill_asked: dict = {}

    # ------------------------------------------------------------ who --
    @property
    def role(self) -> str:
        return str(self.user.get("role") or "")

    @property
    def readable(self) -> bool:
        return can_read(self.role)

    @property
    def signer(self) -> bool:
        """This person's role may sign (the server still decides)."""
        return can_sign(self.role)

    def set_user(self, user: dict | None) -> None:
        self.user = dict(user or {})
        self.report, self.drill = {}, {}
        self.kind, self.day, self.following_today = "daily", self.today(), True
        self.report_changed.emit({})

    # ------------------------------------------------------------ period --
    def today(self) -> dt.date:
        """The hotline's current reporting day: its clock (as last answered) and its day start."""
        return reporting_day(self._now() + self._offset, self.day_start)

    def set_period(self, kind: str, day: dt.date | None = None) -> None:
        """Show this kind of report for the period holding `day` (unchanged if None)."""
        if kind not in KINDS:
            return
        changed = kind != self.kind or (day is not None and day != self.day)
        self.kind = kind
        if day is not None:
            self.following_today = day == self.today()
            self.day = day
        if changed:
            self.refresh()

    def go_today(self) -> None:
        self.set_period(self.kind, self.today())
        self.following_today = True

    def refresh(self) -> None:
        if not self.readable:
            return
        self.loading = True
        self.loading_changed.emit(True)
        self.report_wanted.emit(self.kind, self.day.isoformat())

    def _is_current(self, report: dict) -> bool:
        """The answer is of the period shown now (a late answer of a former choice is not)."""
        if report.get("kind") != self.kind:
            return False
        period = report.get("period") or {}
        first, last = period.get("first_day") or report.get("day"), period.get("last_day") or report.get("day")
        return bool(first) and str(first) <= self.day.isoformat() <= str(last)

    def set_report(self, report) -> None:
        if not isinstance(report, dict) or not self._is_current(report):
            return
        self.loading = False
        self.loading_changed.emit(False)
        start = str((report.get("period") or {}).get("day_start") or "")
        try:
            day_start = dt.time.fromisoformat(start) if start else self.day_start
        except ValueError:
            day_start = self.day_start
        self.day_start = day_start
        try:
            self._offset = dt.datetime.fromisoformat(str(report.get("generated_at"))) - self._now()
        except ValueError:
            pass
        if self.following_today and self.today() != self.day:
            self.day = self.today()          # the hotline's today is not this PC's: ask for the hotline's
            self.refresh()
            return
        self.report = report
        self.report_changed.emit(dict(report))

    def report_failed(self, msg: str, _status: int = 0) -> None:
        self.loading = False
        self.loading_changed.emit(False)
        self.message.emit(QCoreApplication.translate("ReportsState", "报表未能读取：%1").replace("%1", msg), True)

    # ---------------------------------------------------------- signing --
    def signable(self) -> bool:
        """签核 is offered on a finished day not yet signed, to the roles that may sign."""
        r = self.report
        return (self.signer and self.kind == "daily" and bool(r) and bool(r.get("complete"))
                and not r.get("signed") and not self.signing)

    def sign(self) -> None:
        if not self.signable():
            return
        self.signing = True
        self.sign_wanted.emit(str(self.report.get("day") or self.day.isoformat()))

    def signed(self, answer) -> None:
        self.signing = False
        s = answer.get("signed") if isinstance(answer, dict) else None
        who = f"{(s or {}).get('by', '')} {(s or {}).get('name', '')}".strip()
        self.refresh()                                   # shown again, as signed now
        self.message.emit(QCoreApplication.translate("ReportsState", "%1 的日报已签核（%2），存档不可更改").replace("%1", str((answer or {}).get("day") or ""))
                          .replace("%2", who), False)

    def sign_failed(self, msg: str, status: int = 0) -> None:
        """The server refused: its words, and for a 403 that signing is not this person's."""
        self.signing = False
        self.report_changed.emit(dict(self.report))      # the button as it was
        if status == 403:
            self.message.emit(QCoreApplication.translate("ReportsState", "签核被拒绝（403）：%1").replace("%1", msg), True)
        else:
            self.message.emit(QCoreApplication.translate("ReportsState", "签核未成功：%1").replace("%1", msg), True)

    # ---------------------------------------------------------- drill-down --
    def drill_into(self, figure: str, value: str | None = None, title: str = "") -> None:
        """The repairs or calls behind a figure of the report shown (its bucket `value`)."""
        if not self.report or not figure:
            return
        self._drill(self.day, figure, value, title, self.kind)

    def drill_day(self, day: dt.date, figure: str, value: str | None = None, title: str = "") -> None:
        """The repairs or calls behind a figure of a day's report, whichever report is shown (a hot spot's
        banner: that day's repairs of that place); the tab shows that day."""
        if not self.readable or not figure:
            return
        self.set_period("daily", day)
        self._drill(day, figure, value, title, "daily")

    def _drill(self, day: dt.date, figure: str, value: str | None, title: str, kind: str) -> None:
        q = {"date": day.isoformat(), "figure": figure}
        if value not in (None, ""):
            q["value"] = str(value)
        if kind != "daily":
            q["kind"] = kind
        self._drill_asked = {**q, "title": title or figure}
        self.drill_wanted.emit(q)

    def set_drill(self, answer) -> None:
        if not isinstance(answer, dict) or answer.get("figure") != self._drill_asked.get("figure") \
                or answer.get("value") != self._drill_asked.get("value"):
            return
        self.drill = {**answer, "title": self._drill_asked.get("title", "")}
        self.drill_changed.emit(dict(self.drill))

    def drill_failed(self, msg: str, _status: int = 0) -> None:
        self.message.emit(QCoreApplication.translate("ReportsState", "明细未能读取：%1").replace("%1", msg), True)

    # ------------------------------------------------------------- export --
    def export(self, fmt: str, path: str) -> None:
        """Save the period shown as XLSX or PDF at `path` (chosen by the person)."""
        if fmt not in EXPORT_FORMATS or not path:
            return
        self.message.emit(QCoreApplication.translate("ReportsState", "正在导出 %1…").replace("%1", fmt.upper()), False)
        self.export_wanted.emit(self.kind, self.day.isoformat(), fmt, path)

    def exported(self, path: str) -> None:
        self.message.emit(QCoreApplication.translate("ReportsState", "已导出：%1").replace("%1", path), False)

    def export_failed(self, msg: str) -> None:
        self.message.emit(QCoreApplication.translate("ReportsState", "导出失败：%1").replace("%1", msg), True)

    def suggested_name(self, fmt: str) -> str:
        """报表_daily_2026-11-23.xlsx — the file dialog's first guess."""
        return f"报表_{self.kind}_{self.day.isoformat()}.{fmt}"
