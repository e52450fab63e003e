"""The reports in the service. Where their queue figures come from: the queue_log lines the service
ingested into the database (db.queue_log) — the one seam between the reports
(hotline.aftercall.reports, which take any iterable of queue_log lines) and where the lines are kept.
And the daily report's e-mail: the SMTP relay, and the loop that sends what is due; and the nightly
re-check of the season's signed days against their data."""
from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Awaitable, Callable
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy.orm import Session, sessionmaker

from hotline.aftercall.reports.archive import Reports
from hotline.aftercall.reports.delivery import ReportMail, configured
from hotline.aftercall.reports.figures import report_policy
from db.queue_log import QueueLogLine, events_between
from common.settings import Settings


def queue_log_events(sessions: sessionmaker[Session]) -> Callable[[datetime, datetime], list[QueueLogLine]]:
    """The events of [since, until) as the service ingested them (db.queue_log): never the file, which
    rotation cuts and which grows all season."""
    def events(since: datetime, until: datetime) -> list[QueueLogLine]:
        with sessions() as db:
            return events_between(db, since, until)
    return events


def reports(settings: Settings, sessions: sessionmaker[Session]) -> Reports:
    """The reports of this hotline: its records, its queue_log, its settings and clock."""
    return Reports(sessions, settings.now, report_policy(settings), queue_log_events(sessions))


log = logging.getLogger("hotline.reports")


class SmtpRefused(Exception):
    """The relay took the message but refused some recipients: the attempt failed (sent again to all)."""


def smtp_sender(s: Settings) -> Callable[[EmailMessage], None]:
    """How an e-mail leaves: the configured relay, STARTTLS (the relay's certificate checked) when
    set, a login when a user is set. The password is read from the settings here and nowhere else:
    never logged (smtplib's debug output stays off), never in an argv."""
    def send(msg: EmailMessage) -> None:
        with smtplib.SMTP(s.smtp_host.strip(), s.smtp_port, timeout=s.smtp_timeout_s) as smtp:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
            refused = smtp.send_message(msg)
        if refused:
            raise SmtpRefused("收件人被拒绝: " + "; ".join(f"{a} ({code} {reply.decode(errors='replace')})"
                                                      for a, (code, reply) in refused.items()))
    return send


def report_mail(settings: Settings, sessions: sessionmaker[Session], reports: Reports | None,
                send: Callable[[EmailMessage], None] | None = None) -> ReportMail:
    """The daily report's e-mails on this hotline, sent through its relay (or `send`)."""
    return configured(settings, sessions, reports, send or smtp_sender(settings))


async def rounds(once: Callable[[], Awaitable], every_s: float, failed: str) -> None:
    """`once()` now and every `every_s` after; a round that fails is logged and the next tries again."""
    while True:
        try:
            await once()
        except Exception as exc:   # the DB away: the next round tries again
            log.warning("%s: %s", failed, exc)
        await asyncio.sleep(every_s)


class ReportMailer:
    """The service's loop: every few seconds what is due is sent (the set time, a retry, an admin's
    `hotline report send`), and the e-mail's state is pushed to the team leads when it changes."""

    def __init__(self, mail: ReportMail, push: Callable[[dict], Awaitable[None]]):
        self.mail, self.push = mail, push
        self.state: dict = {}

    async def run(self, every_s: float = 5.0) -> None:
        if self.mail.problem:
            log.error("the daily report's e-mail is not sent: %s", self.mail.problem)
        await rounds(self.once, every_s, "could not deliver the daily report")

    async def once(self) -> None:
        for a in await asyncio.to_thread(self.mail.round):
            if a["ok"]:
                log.info("daily report of %s e-mailed to %d recipient(s) (attempt %s)", a["day"], len(a["recipients"]),
                         a["attempt"])
            else:
                log.warning("daily report of %s not e-mailed (attempt %s): %s", a["day"], a["attempt"], a["error"])
        state = await asyncio.to_thread(self.mail.state)
        if state != self.state:
            self.state = state
            await self.push(state)


class SignedRecheck:
    """The service's loop that keeps what a period says about its signed days current: every signed
    day of the season not re-checked since the reporting day began (at start: those never checked) is
    built again and compared with its signed copy (Reports.recheck) — one day at a time, each in a
    worker thread and its own transaction, a pause between days so calls and desks keep the CPU.
    A week, month or season then reads its signed days as stored with that finding."""

    def __init__(self, reports: Reports, pause_s: float = 1.0):
        self.reports, self.pause_s = reports, pause_s

    async def run(self, every_s: float = 300.0) -> None:
        await rounds(self.once, every_s, "could not re-check the signed reports")

    async def once(self) -> list[dict]:
        """One round: the days due, oldest first; what each re-check found."""
        found = []
        for day in await asyncio.to_thread(self.reports.recheck_due):
            got = await asyncio.to_thread(self.reports.recheck, day)
            found.append(got)
            if got["changes"]:
                log.warning("signed report of %s: %d figure(s) differ from the data now", got["day"], got["changes"])
            await asyncio.sleep(self.pause_s)
        if found:
            log.info("re-checked %d signed report(s) against the data", len(found))
        return found
