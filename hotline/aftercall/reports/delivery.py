"""The daily report delivered by e-mail, as the customer's rules want it (每日(时间)必须送达,
不许迟报): at the set time each day the reporting day just over goes to the configured list as
XLSX and PDF with a short Chinese summary; a failed send is tried again with a back-off; every
attempt is recorded (db.models.ReportDelivery), so a restart loses nothing — a day not yet sent
when the service starts is sent then — and a failed or late day shows on the team leads' desks and
in `hotline status` (`state`).

Which days: the latest whose time has come, and the days before it back to the first the hotline
was ever due to send (at most CATCH_UP_DAYS): a fresh installation mails yesterday, not a season.

Protocol-free: the service hands in `send` (SMTP, hotline.service.reports); the clock is the
hotline's one (settings.now)."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import ReportDelivery
from db.queries import iso
from hotline.aftercall.reports.archive import FORMATS, MEDIA_TYPES, Reports, file_name
from hotline.aftercall.reports.figures import CATEGORY_WORDS, ReportPolicy, report_policy, reporting_day
from hotline.aftercall.rules import RuleError, add_audit
from common.text import printable

#: a day missed (the service down) is still sent within this many days
CATCH_UP_DAYS = 7
#: a retry waits at most this long
RETRY_MAX_S = 3600
ERROR_MAX = 500
#: an address as the relay takes it: no spaces, quotes, angle brackets or line breaks (a header)
_ADDRESS = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
SCHEDULE, RETRY, CLI = "schedule", "retry", "cli"

Send = Callable[[EmailMessage], None]


@dataclass(frozen=True)
class MailPolicy:
    recipients: tuple[str, ...]
    sender: str
    send_at: time
    day_start: time
    retry_s: int = 60
    attempts: int = 10
    late_min: int = 15


def _addresses(text: str, name: str) -> tuple[str, ...]:
    out = tuple(a.strip() for a in text.replace(";", ",").split(",") if a.strip())
    for a in out:
        if not _ADDRESS.fullmatch(a):
            raise ValueError(f"{name} should be e-mail addresses separated by commas, not {a[:60]!r}")
    return out


def mail_policy(settings, report: ReportPolicy) -> MailPolicy | None:
    """The e-mail's policy from the settings; None when no address is set (no e-mail). A ValueError
    names the setting that is wrong."""
    recipients = _addresses(settings.report_mail_to, "HOTLINE_REPORT_MAIL_TO")
    if not recipients:
        return None
    if not settings.smtp_host.strip():
        raise ValueError("HOTLINE_REPORT_MAIL_TO is set but HOTLINE_SMTP_HOST (the mail relay) is not")
    try:
        send_at = time.fromisoformat(settings.report_send_at)
    except ValueError:
        raise ValueError(f"HOTLINE_REPORT_SEND_AT should be HH:MM, not {settings.report_send_at!r}") from None
    sender = (_addresses(settings.smtp_from, "HOTLINE_SMTP_FROM") or ("",))[0] or \
        (settings.smtp_user if _ADDRESS.fullmatch(settings.smtp_user) else "dalong-hotline@localhost")
    return MailPolicy(recipients, sender, send_at, report.day_start, max(1, settings.report_mail_retry_s),
                      max(1, settings.report_mail_attempts), max(0, settings.report_mail_late_min))


def configured(settings, sessions: sessionmaker[Session], reports: Reports | None = None,
               send: Send | None = None) -> ReportMail:
    """The daily report's e-mails as this hotline's settings have them; a wrong setting is kept as
    the problem to show (the desks, `hotline status`), never a reason for the service not to start."""
    try:
        policy, problem = mail_policy(settings, reports.policy if reports else report_policy(settings)), ""
    except ValueError as exc:
        policy, problem = None, str(exc)
    return ReportMail(sessions, settings.now, reports, policy, send, problem)


# ----------------------------------------------------------------------- when --

def due_at(day: date, p: MailPolicy) -> datetime:
    """When the report of `day` goes out: the first send_at once the day is over."""
    end = datetime.combine(day + timedelta(days=1), p.day_start)
    at = datetime.combine(end.date(), p.send_at)
    return at if at >= end else at + timedelta(days=1)


def last_due_day(now: datetime, p: MailPolicy) -> date:
    """The latest reporting day whose report is due at `now`."""
    day = reporting_day(now, ReportPolicy(day_start=p.day_start)) - timedelta(days=1)
    return day if due_at(day, p) <= now else day - timedelta(days=1)


def backoff_s(failures: int, p: MailPolicy) -> int:
    """How long after its `failures`-th failed attempt a day is tried again: retry_s, doubling, at most an hour."""
    return min(RETRY_MAX_S, p.retry_s * 2 ** max(0, failures - 1))


@dataclass(frozen=True)
class DayPlan:
    """Where one day's e-mail stands at a moment."""
    day: date
    due_at: datetime
    sent_at: datetime | None        # the first attempt that went through
    failures: int                   # scheduled attempts that failed
    last_error: str
    next_at: datetime | None        # when it is tried next (None: sent, or given up)

    @property
    def gave_up(self) -> bool:
        return self.sent_at is None and self.next_at is None


def plan_day(day: date, rows: list[ReportDelivery], p: MailPolicy) -> DayPlan:
    """The day's attempts so far → sent, or when to try next (the admin's own sends count as sent
    when they went through; only the schedule's failures count towards the back-off)."""
    tried = sorted((r for r in rows if r.at is not None), key=lambda r: (r.at, r.id))
    sent = next((r.at for r in tried if r.ok), None)
    failed = [r for r in tried if not r.ok and r.trigger != CLI]
    last_error = (tried[-1].error if tried and not tried[-1].ok else "")
    if sent is not None:
        nxt = None
    elif not failed:
        nxt = due_at(day, p)
    elif len(failed) >= p.attempts:
        nxt = None
    else:
        nxt = failed[-1].at + timedelta(seconds=backoff_s(len(failed), p))
    return DayPlan(day, due_at(day, p), sent, len(failed), last_error, nxt)


# -------------------------------------------------------------------- message --

def _pct(v) -> str:
    return "—" if v is None else f"{v:.1%}"


def summary(r: dict) -> str:
    """The e-mail's body: the day's key figures in the customer's words (no phone number, no note)."""
    t, q, kpi, cb = r["tickets"], r["queue"], r["kpi"], r["callbacks"]
    s = t["survey"]
    signed = r.get("signed")
    sign = (f"已签核:{signed.get('name', '')}({signed['by']})于 {signed['at'].replace('T', ' ')[:16]} 签发,"
            f"SHA-256 {signed['sha256']}" if signed else "未签核(部长尚未审核签发)")
    if signed and r.get("differs_from_signed"):
        sign += f";签核后有 {len(r['differs_from_signed'])} 项数字变化,见附件「差异」"
    problems = "、".join(f"{CATEGORY_WORDS.get(k, k)} {v}" for k, v in t["by_problem"].items()) or "无"
    complaints = kpi.get("complaints", len(r.get("complaints") or []))
    anomalies = sum(v["opened"] for v in r["anomalies"].values())
    lines = [
        "大龙供暖报修热线 日报",
        f"报表日:{r['day']}({r['period']['from'].replace('T', ' ')[:16]} 至 {r['period']['to'].replace('T', ' ')[:16]})",
        f"签核:{sign}",
        "",
        f"一、每日报修情况:受理报修 {t['received']} 件({problems})。",
        f"二、每日报修完成情况:返单 {t['completed']} 件;日终仍在处理 {t['open_by_age']['total']} 件。",
        f"三、每日回访情况:回访 {t['followed_up']} 次,问题解决率 {_pct(s['solved_rate'])},"
        f"客户满意度 {_pct(s['satisfied_rate'])}。",
        f"异常事件 {anomalies} 件,其中投诉 {complaints} 件(客户投诉率 {_pct(kpi['complaint_rate'])});"
        f"申请回电 {cb['requested']},期末待回电 {cb['outstanding']}。",
        f"话务:进线 {q['offered']},接听 {q['answered']},放弃 {q['abandoned']},"
        f"服务水平({q['service_level_s']}秒){_pct(q['service_level_20s'])},"
        f"平均应答 {'—' if q['asa_s'] is None else str(q['asa_s']) + ' 秒'}。",
    ]
    if r["hot_spots"]:
        lines.append(f"热点(集中不热):{len(r['hot_spots'])} 处,见附件。")
    if r.get("outages"):
        lines.append(f"区域停热:{len(r['outages'])} 起({'、'.join(o['area'] for o in r['outages'][:5])}),"
                     f"按1登记 {sum(o['registered'] for o in r['outages'])} 通,见附件「区域停热」。")
    if r["disagreements"]:
        lines.append(f"话务核对不一致:{len(r['disagreements'])} 项,见附件「差异」。")
    lines += ["", "附件:XLSX(分表明细)与 PDF(打印版)。", "本邮件由大龙供暖报修热线系统自动发送。"]
    return "\n".join(printable(line) for line in lines)


def build_message(r: dict, files: dict[str, bytes], p: MailPolicy, now: datetime) -> EmailMessage:
    """The e-mail of report `r`: its summary as the body, each file attached under its Chinese name."""
    day = date.fromisoformat(r["day"])
    msg = EmailMessage()
    msg["Subject"] = f"大龙供暖报修热线日报 {r['day']}({'已签核' if r.get('signed') else '未签核'})"
    msg["From"] = p.sender
    msg["To"] = ", ".join(p.recipients)
    msg["Date"] = format_datetime(now.astimezone())
    msg["Message-ID"] = make_msgid("report")
    msg.set_content(summary(r))
    for fmt, data in files.items():
        main, sub = MEDIA_TYPES[fmt].split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=file_name("daily", day, fmt))
    return msg


def report_files(r: dict) -> dict[str, bytes]:
    """The report as every file it is exported as (the XLSX and the PDF)."""
    out = {}
    for fmt, write in FORMATS.items():
        buf = io.BytesIO()
        write(r, buf)
        out[fmt] = buf.getvalue()
    return out


# -------------------------------------------------------------------- records --

class ReportMail:
    """The e-mails of the daily report: what is due (`round` sends it), the admin's requests, the
    state the desks and `hotline status` show. `policy` None: no e-mail configured; `problem`: the
    configuration is wrong (each request is answered with it, and the desks show it)."""

    def __init__(self, sessions: sessionmaker[Session], now: Callable[[], datetime], reports: Reports | None,
                 policy: MailPolicy | None, send: Send | None = None, problem: str = ""):
        self.sessions, self.now, self.reports = sessions, now, reports
        self.policy, self.send, self.problem = policy, send, problem

    # ------------------------------------------------------------ reading --
    def _rows(self, db: Session, days: list[date]) -> dict[date, list[ReportDelivery]]:
        keys = [d.isoformat() for d in days]
        out: dict[date, list[ReportDelivery]] = {d: [] for d in days}
        for r in db.scalars(select(ReportDelivery).where(ReportDelivery.day.in_(keys))):
            out[date.fromisoformat(r.day)].append(r)
        return out

    def plans(self, now: datetime | None = None) -> list[DayPlan]:
        """The days the schedule looks after at `now`, oldest first: the latest due, and those before
        it back to the first day the schedule ever sent (at most CATCH_UP_DAYS)."""
        p = self.policy
        if p is None:
            return []
        now = now or self.now()
        last = last_due_day(now, p)
        window = [last - timedelta(days=i) for i in range(CATCH_UP_DAYS - 1, -1, -1)]
        with self.sessions() as db:
            first = db.scalar(select(ReportDelivery.day).where(ReportDelivery.trigger != CLI)
                              .order_by(ReportDelivery.day).limit(1))
            days = [d for d in window if d == last or (first is not None and d.isoformat() >= first)]
            rows = self._rows(db, days)
        return [plan_day(d, rows[d], p) for d in days]

    def state(self, now: datetime | None = None) -> dict:
        """Where the e-mail of the latest due day stands (and days_failed: earlier days that never went
        out), for the team leads' notice and `hotline status`: state off | misconfigured | sending | sent |
        sent_late | late | failed."""
        if self.problem:
            return {"state": "misconfigured", "error": self.problem}
        if self.policy is None:
            return {"state": "off"}
        now = now or self.now()
        plans = self.plans(now)
        last = plans[-1]
        late_after = last.due_at + timedelta(minutes=self.policy.late_min)
        if last.sent_at is not None:
            state = "sent_late" if last.sent_at > late_after else "sent"
        elif last.failures:
            state = "failed"
        elif now > late_after:
            state = "late"
        else:
            state = "sending"
        out = {"state": state, "day": last.day.isoformat(), "due_at": iso(last.due_at), "sent_at": iso(last.sent_at),
               "attempts": last.failures + (last.sent_at is not None), "error": last.last_error,
               "next_at": iso(last.next_at), "gave_up": last.gave_up, "recipients": len(self.policy.recipients),
               "days_failed": [d.day.isoformat() for d in plans[:-1] if d.sent_at is None]}
        return out

    # ------------------------------------------------------------ sending --
    def round(self) -> list[dict]:
        """Everything due now: the admin's requests first, then the days of the schedule whose time
        (or retry) has come, oldest first. One e-mail at a time; each attempt recorded."""
        done = []
        with self.sessions() as db:
            asked = db.execute(select(ReportDelivery.id, ReportDelivery.day).where(ReportDelivery.at.is_(None))
                               .order_by(ReportDelivery.id)).all()
        for rid, day in asked:
            done.append(self.attempt(date.fromisoformat(day), CLI, rid))
        now = self.now()
        for plan in self.plans(now):
            if plan.next_at is not None and plan.next_at <= now:
                done.append(self.attempt(plan.day, RETRY if plan.failures else SCHEDULE))
        return done

    def attempt(self, day: date, trigger: str, request_id: int | None = None) -> dict:
        """One e-mail of `day`'s report now, recorded (on `request_id`, the admin's request, if given)."""
        p, error = self.policy, ""
        recipients = ", ".join(p.recipients) if p else ""
        try:
            if self.problem:
                raise RuleError(503, f"日报邮件设置有误:{self.problem}")
            if p is None or self.send is None or self.reports is None:
                raise RuleError(503, "未设置日报收件人(HOTLINE_REPORT_MAIL_TO)")
            r = self.reports.daily(None, day)
            self.send(build_message(r, report_files(r), p, self.now()))
        except Exception as exc:     # whatever went wrong is the attempt's result: recorded, retried, shown
            error = printable(getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}")[:ERROR_MAX]
        now = self.now()
        with self.sessions() as db, db.begin():
            tried = db.scalars(select(ReportDelivery.attempt).where(ReportDelivery.day == day.isoformat(),
                                                                    ReportDelivery.attempt.is_not(None))).all()
            row = db.get(ReportDelivery, request_id) if request_id is not None else None
            if row is None:
                row = ReportDelivery(day=day.isoformat(), trigger=trigger, requested_at=now)
                db.add(row)
            row.attempt, row.at, row.ok, row.error, row.recipients = max(tried, default=0) + 1, now, not error, error, \
                recipients
            db.flush()
            add_audit(db, "service", "report_mail", "report", day.isoformat(), ok=not error, attempt=row.attempt,
                      trigger=row.trigger)
            return attempt_dict(row)

    # ------------------------------------------------------- the admin's side --
    def request(self, day: date, requested_by: str = CLI) -> int:
        """`hotline report send`: the day's e-mail asked for now; the service tries it within seconds."""
        with self.sessions() as db, db.begin():
            row = ReportDelivery(day=day.isoformat(), trigger=requested_by, requested_at=self.now())
            db.add(row)
            db.flush()
            return row.id

    def request_answer(self, request_id: int) -> dict | None:
        with self.sessions() as db:
            row = db.get(ReportDelivery, request_id)
            return attempt_dict(row) if row else None



def attempt_dict(row: ReportDelivery) -> dict:
    return {"id": row.id, "day": row.day, "attempt": row.attempt, "trigger": row.trigger,
            "requested_at": iso(row.requested_at), "at": iso(row.at), "ok": row.ok, "error": row.error,
            "recipients": [a for a in row.recipients.split(", ") if a]}

