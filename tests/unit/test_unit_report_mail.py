"""#27 — the daily report by e-mail, on the synthetic day of test_unit_reports with a fake clock and
a fake relay: the message (a Chinese summary of the key figures, the XLSX and the PDF attached under
their Chinese names, no phone number), when a day is due, the back-off of a failed send and when it
gives up, a restart that finds a day not yet sent, the admin's `report send`, the state the team
leads' desks and `hotline status` show (failed, late, sent late), a wrong setting shown rather than
the service refusing to start. The SMTP sender itself against a real local server (aiosmtpd)."""
from __future__ import annotations

import email
import io
import socket
from datetime import date, datetime, time, timedelta
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from db.models import AuditEntry, ReportDelivery
from hotline import cli
from hotline.aftercall.reports.delivery import (CATCH_UP_DAYS, MailPolicy, ReportMail, backoff_s, build_message, due_at,
                                                last_due_day, mail_policy, report_files)
from hotline.aftercall.reports.figures import ReportPolicy
from hotline.service.reports import ReportMailer, SmtpRefused, report_mail, smtp_sender
from common.settings import load_settings
from test_unit_reports import DAY, NEXT, at, day  # noqa: F401  (day: the synthetic day's fixture)

POLICY = MailPolicy(("head@dalong-heat.cn", "ban@dalong-heat.cn"), "hotline@dalong-heat.cn", time(9, 0), time(8, 0),
                    retry_s=60, attempts=4, late_min=15)
DUE = datetime(2026, 11, 24, 9, 0)


class Relay:
    """A mail relay that fails while told to, and keeps what it accepted."""

    def __init__(self):
        self.failing: Exception | None = None
        self.sent: list[email.message.EmailMessage] = []

    def __call__(self, msg) -> None:
        if self.failing is not None:
            raise self.failing
        self.sent.append(email.message_from_bytes(msg.as_bytes(), policy=email_policy.default))


def mailer(day_fixture, relay: Relay, policy: MailPolicy = POLICY) -> tuple[ReportMail, object]:
    reports, sessions, clock, *_ = day_fixture
    return ReportMail(sessions, clock, reports, policy, relay), clock


def tries(sessions) -> list[tuple[str, int, str, bool]]:
    with sessions() as db:
        return [(r.day, r.attempt, r.trigger, r.ok) for r in db.scalars(select(ReportDelivery).order_by(ReportDelivery.id))]


# ----------------------------------------------------------------------- the message --

def test_the_message_carries_the_key_figures_and_both_files_under_chinese_names(day):  # noqa: F811
    reports, *_ = day
    r = reports.daily(None, DAY)
    msg = build_message(r, report_files(r), POLICY, datetime(2026, 11, 24, 9, 0))
    got = email.message_from_bytes(msg.as_bytes(), policy=email_policy.default)
    assert got["Subject"] == "大龙供暖报修热线日报 2026-11-23(未签核)"
    assert got["To"] == "head@dalong-heat.cn, ban@dalong-heat.cn" and got["From"] == "hotline@dalong-heat.cn"
    body = got.get_body(("plain",)).get_content()
    for words in ("报表日:2026-11-23", "未签核", "受理报修 5 件", "不热 2", "返单 2 件", "回访 2 次", "问题解决率 50.0%",
                  "投诉 1 件", "进线 10", "服务水平(20秒)20.0%", "热点(集中不热):1 处"):
        assert words in body, words
    assert "13912345678" not in body and "139" not in body
    files = {a.get_filename(): a for a in got.iter_attachments()}
    assert set(files) == {"大龙供暖报修热线日报-2026-11-23.xlsx", "大龙供暖报修热线日报-2026-11-23.pdf"}
    pdf = files["大龙供暖报修热线日报-2026-11-23.pdf"]
    assert pdf.get_content_type() == "application/pdf" and pdf.get_content().startswith(b"%PDF")
    book = load_workbook(io.BytesIO(files["大龙供暖报修热线日报-2026-11-23.xlsx"].get_content()))
    assert next(row for row in book["概览"].iter_rows(values_only=True) if row[0] == "受理报修")[1] == 5


def test_the_settings_that_would_forge_a_header_or_name_no_relay_are_refused():
    s = lambda **kw: load_settings(home="/tmp/x", **{"smtp_host": "mail.dalong-heat.cn", **kw})
    assert mail_policy(s(), ReportPolicy()) is None                               # no address: no e-mail
    p = mail_policy(s(report_mail_to="a@dalong-heat.cn; b@dalong-heat.cn", smtp_user="hotline@dalong-heat.cn"),
                    ReportPolicy())
    assert p.recipients == ("a@dalong-heat.cn", "b@dalong-heat.cn") and p.sender == "hotline@dalong-heat.cn"
    for bad in ("a@dalong-heat.cn\r\nBcc: x@evil.example", "张三 <a@b.cn>", "not-an-address"):
        with pytest.raises(ValueError, match="HOTLINE_REPORT_MAIL_TO"):
            mail_policy(s(report_mail_to=bad), ReportPolicy())
    with pytest.raises(ValueError, match="HOTLINE_SMTP_HOST"):
        mail_policy(s(report_mail_to="a@dalong-heat.cn", smtp_host=" "), ReportPolicy())
    with pytest.raises(ValueError, match="HOTLINE_REPORT_SEND_AT"):
        mail_policy(s(report_mail_to="a@dalong-heat.cn", report_send_at="9点"), ReportPolicy())
    assert "smtp_password" not in repr(s(smtp_password="s3cret-pw")) and "s3cret-pw" not in repr(s(smtp_password="s3cret-pw"))


def test_a_days_report_is_due_at_the_first_send_time_after_the_day_is_over():
    assert due_at(date(2026, 11, 23), POLICY) == DUE
    early = MailPolicy(("a@b.cn",), "h@b.cn", time(7, 30), time(8, 0))            # before the day ends: next morning
    assert due_at(date(2026, 11, 23), early) == datetime(2026, 11, 25, 7, 30)
    assert last_due_day(datetime(2026, 11, 24, 8, 59), POLICY) == date(2026, 11, 22)
    assert last_due_day(datetime(2026, 11, 24, 9, 0), POLICY) == date(2026, 11, 23)
    assert last_due_day(datetime(2026, 11, 25, 7, 29), early) == date(2026, 11, 22)
    assert [backoff_s(n, POLICY) for n in (1, 2, 3, 7, 8)] == [60, 120, 240, 3600, 3600]


# -------------------------------------------------------------------- the schedule --

def test_nothing_goes_before_its_time_then_once_at_it(day):  # noqa: F811
    relay = Relay()
    mail, clock = mailer(day, relay)
    clock.now = DUE - timedelta(minutes=1)
    assert [a["day"] for a in mail.round()] == ["2026-11-22"]               # the day before's time has come
    assert mail.round() == [] and mail.state()["day"] == "2026-11-22"        # this day's not yet
    clock.now = DUE
    (a,) = mail.round()
    assert a["ok"] and a["day"] == "2026-11-23" and a["attempt"] == 1 and a["trigger"] == "schedule"
    assert len(relay.sent) == 2 and mail.round() == []                        # once
    st = mail.state()
    assert (st["state"], st["day"], st["sent_at"], st["attempts"]) == ("sent", "2026-11-23", "2026-11-24T09:00:00", 1)


def test_a_failed_send_is_retried_with_a_back_off_and_shown_then_sent_late(day):  # noqa: F811
    relay = Relay()
    mail, clock = mailer(day, relay)
    relay.failing = ConnectionRefusedError(111, "Connection refused")
    clock.now = DUE
    (a,) = mail.round()
    assert not a["ok"] and "Connection refused" in a["error"]
    st = mail.state()
    assert st["state"] == "failed" and st["next_at"] == "2026-11-24T09:01:00" and "Connection refused" in st["error"]
    clock.now = DUE + timedelta(seconds=59)
    assert mail.round() == []                                                  # not before the back-off
    clock.now = DUE + timedelta(seconds=60)
    assert mail.round()[0]["trigger"] == "retry"
    assert mail.state()["next_at"] == "2026-11-24T09:03:00"                    # twice as long
    relay.failing = None
    clock.now = DUE + timedelta(minutes=20)
    (a,) = mail.round()
    assert a["ok"] and a["attempt"] == 3 and len(relay.sent) == 1
    st = mail.state()
    assert st["state"] == "sent_late" and st["attempts"] == 3                  # 20 min after its time
    assert tries(day[1]) == [("2026-11-23", 1, "schedule", False), ("2026-11-23", 2, "retry", False),
                             ("2026-11-23", 3, "retry", True)]
    with day[1]() as db:
        assert [a.detail["ok"] for a in db.scalars(select(AuditEntry).where(AuditEntry.action == "report_mail"))] \
            == [False, False, True]


def test_it_gives_up_after_the_set_attempts_and_says_so(day):  # noqa: F811
    relay = Relay()
    mail, clock = mailer(day, relay)
    relay.failing = OSError("relay down")
    clock.now = DUE
    for _ in range(POLICY.attempts):
        mail.round()
        clock.now += timedelta(hours=1)
    assert mail.round() == [] and len(tries(day[1])) == POLICY.attempts
    st = mail.state()
    assert st["state"] == "failed" and st["gave_up"] and st["next_at"] is None


def test_a_day_not_sent_before_a_restart_is_sent_when_the_service_starts_again(day):  # noqa: F811
    relay = Relay()
    mail, clock = mailer(day, relay)
    clock.now = DUE - timedelta(days=1)                                       # 11-22's report went out
    assert mail.round()[0]["day"] == "2026-11-22"
    clock.now = DUE + timedelta(days=2, hours=3)                              # the service was down since
    again, _ = mailer(day, relay)                                              # a new service, the same records
    sent = again.round()
    assert [a["day"] for a in sent] == ["2026-11-23", "2026-11-24", "2026-11-25"]     # oldest first
    assert again.round() == [] and again.state()["state"] == "sent_late"


def test_a_fresh_installation_mails_the_last_day_not_the_season(day):  # noqa: F811
    relay = Relay()
    mail, clock = mailer(day, relay)
    clock.now = DUE + timedelta(days=30)
    assert [a["day"] for a in mail.round()] == ["2026-12-23"]
    assert CATCH_UP_DAYS == 7


def test_a_day_not_yet_tried_after_its_time_is_late(day):  # noqa: F811
    mail, clock = mailer(day, Relay())
    clock.now = DUE + timedelta(minutes=16)
    assert mail.state()["state"] == "late"
    clock.now = DUE + timedelta(minutes=5)
    assert mail.state()["state"] == "sending"


def test_the_admins_send_goes_now_whatever_the_schedule_and_is_answered(day):  # noqa: F811
    relay = Relay()
    mail, clock = mailer(day, relay)
    clock.now = DUE + timedelta(hours=1)
    mail.round()                                                               # the schedule's
    rid = mail.request(date(2026, 11, 20))                                     # an old day, again
    assert mail.request_answer(rid)["at"] is None
    (a,) = mail.round()
    assert a["id"] == rid and a["ok"] and a["trigger"] == "cli" and a["day"] == "2026-11-20"
    assert mail.request_answer(rid)["ok"] and len(relay.sent) == 2
    off = ReportMail(day[1], clock, day[0], None, relay)                      # no address configured
    rid = off.request(DAY)
    (a,) = off.round()
    assert not a["ok"] and "HOTLINE_REPORT_MAIL_TO" in a["error"] and off.state() == {"state": "off"}


def test_a_wrong_setting_is_shown_and_answered_never_a_service_that_will_not_start(day):  # noqa: F811
    reports, sessions, clock, *_ = day
    s = load_settings(home="/tmp/x", report_mail_to="a@b.cn", smtp_host="")
    mail = report_mail(s, sessions, reports, Relay())
    st = mail.state()
    assert st["state"] == "misconfigured" and "HOTLINE_SMTP_HOST" in st["error"]
    mail.request(DAY)
    (a,) = mail.round()
    assert not a["ok"] and "HOTLINE_SMTP_HOST" in a["error"]


async def test_the_service_loop_pushes_the_state_when_it_changes(day):  # noqa: F811
    relay = Relay()
    mail, clock = mailer(day, relay)
    pushed = []

    async def push(st):
        pushed.append(st["state"])
    loop = ReportMailer(mail, push)
    clock.now = DUE - timedelta(minutes=5)
    await loop.once()
    await loop.once()
    relay.failing = TimeoutError("timed out")
    clock.now = DUE
    await loop.once()
    relay.failing = None
    clock.now = DUE + timedelta(minutes=2)
    await loop.once()
    assert pushed == ["sent_late", "failed", "sent"] and loop.state["state"] == "sent"   # 11-22 went a day late


def test_hotline_report_send_asks_the_running_service_and_needs_one(day, tmp_path):  # noqa: F811
    env = {"HOTLINE_HOME": str(tmp_path / "home"), "HOTLINE_DB_URL": f"sqlite:///{day[4] / 'r.db'}",
           "HOTLINE_TODAY": "2026-11-24T09:00"}
    got = CliRunner().invoke(cli.app, ["report", "send", "--date", "2026-11-23"], env=env)
    assert got.exit_code == 1 and "not running" in got.output
    assert CliRunner().invoke(cli.app, ["report", "send", "--date", "23.11.2026"], env=env).exit_code == 2
    got = CliRunner().invoke(cli.app, ["report", "send", "--date", "2026-11-23"],
                             env={**env, "HOTLINE_TODAY": "2026-11-24T07:00"})
    assert got.exit_code == 2 and "尚未结束" in got.output                   # the day is not over: nothing to send


# ------------------------------------------------------------------- the relay --

class Inbox:
    def __init__(self, refuse: str = ""):
        self.messages, self.logins, self.refuse = [], [], refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"

    def auth(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"relay-pw-1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_smtp_sender_logs_in_and_hands_the_message_to_a_real_relay(day):  # noqa: F811
    reports, *_ = day
    inbox = Inbox(refuse="ban@dalong-heat.cn")
    port = free_port()
    relay = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=inbox.auth, auth_require_tls=False)
    relay.start()
    try:
        s = load_settings(home="/tmp/x", smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                          smtp_user="hotline@dalong-heat.cn", smtp_password="relay-pw-1")
        r = reports.daily(None, DAY)
        msg = build_message(r, report_files(r), POLICY, DUE)
        with pytest.raises(SmtpRefused, match="ban@dalong-heat.cn"):          # one of two refused: failed, sent again
            smtp_sender(s)(msg)
        assert inbox.logins == [(b"hotline@dalong-heat.cn", b"relay-pw-1")]
        (to, content), = inbox.messages
        assert to == ["head@dalong-heat.cn"] and b"application/pdf" in content
        inbox.refuse = ""
        smtp_sender(s)(msg)
        assert inbox.messages[-1][0] == ["head@dalong-heat.cn", "ban@dalong-heat.cn"]
    finally:
        relay.stop()
