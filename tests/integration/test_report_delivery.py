"""#27 — the daily report's e-mail on the real stack: `hotline up` with a mail relay configured (a
real SMTP server, aiosmtpd, on this machine). The relay refuses at first (451): the service's send
fails, is recorded, shows as failed in `hotline status` and in a team lead's hello, and is tried
again with its back-off; once the relay takes mail the report arrives — the XLSX and the PDF
attached, both readable — and the lead's desk is told. `hotline report send` mails a day again
through the running service; the SMTP password is in no log, argv or run state. The desk's
download route answers the file to a lead and refuses an agent. One hotline for the module."""
from __future__ import annotations

import asyncio
import email
import io
import json
import os
import socket
import subprocess
from datetime import datetime
from email import policy as email_policy

import aiohttp
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from openpyxl import load_workbook
from sqlalchemy import select

from bench.scratch import scratch_hotline
from common import wire
from conftest import require_tool, scratch, wait_for
from db.models import Category, ReportDelivery, Role, TicketState
from db.tickets import create_ticket
from hotline.admin import runtime
from hotline.admin.users import add_user
from test_admin import hotline_cli
from test_agent_api import PASSWORD, Api

pytestmark = pytest.mark.asterisk

DAY = "2026-11-22"
LEAD, AGENT = "6101", "6001"
RELAY_PASSWORD = "relay-secret-8271"
TO = ["head@dalong-heat.cn", "ban@dalong-heat.cn"]


class Relay:
    """The company's mail relay: a login, and a 451 (try later) for every message while `refusing`."""

    def __init__(self):
        self.refusing = True
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[tuple[bytes, bytes]] = []
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refusing:
            self.refused += 1
            return "451 4.3.0 mailbox busy, try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 OK"

    def auth(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == RELAY_PASSWORD.encode())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The relay, and a hotline of this module's own that mails the reporting day just over to it:
    days from midnight to midnight, sent at 00:00, so the day before the pinned date is due at once."""
    relay = Relay()
    port = free_port()
    server = Controller(relay, hostname="127.0.0.1", port=port, authenticator=relay.auth, auth_require_tls=False)
    server.start()
    s = scratch(tmp_path_factory.mktemp("mail-home"), today="2026-11-23", report_day_start="00:00",
                report_send_at="00:00", report_mail_to=",".join(TO), smtp_host="127.0.0.1", smtp_port=port,
                smtp_starttls=False, smtp_user="hotline@dalong-heat.cn", smtp_password=RELAY_PASSWORD,
                smtp_from="hotline@dalong-heat.cn", report_mail_retry_s=2)
    try:
        with scratch_hotline(s, accounts=5) as sessions:
            with sessions() as db, db.begin():
                add_user(db, LEAD, "王班长", Role.team_lead, PASSWORD, actor="test")
                add_user(db, AGENT, "李娜", Role.agent, PASSWORD, actor="test")
                create_ticket(db, datetime(2026, 11, 22, 10, 0), state=TicketState.new,
                              category=Category.no_heat, caller_number="13912345678", address_snapshot="铁西区 兴华北街 1-1-101")
            runtime.reload_agents(s, sessions)
            yield s, sessions, relay
    finally:
        server.stop()


def attempts(sessions) -> list[ReportDelivery]:
    with sessions() as db:
        return list(db.scalars(select(ReportDelivery).where(ReportDelivery.day == DAY).order_by(ReportDelivery.id)))


def status(s) -> dict:
    out = hotline_cli(s, "status", "--json", timeout=60)
    return json.loads(out.stdout)


def test_a_refused_send_is_shown_retried_and_the_report_arrives_with_both_files(live, tmp_path):
    s, sessions, relay = live
    base = f"http://127.0.0.1:{runtime.read_state(s)['ports']['api']}"
    wait_for(lambda: any(a.ok is False for a in attempts(sessions)), timeout=60, what="a refused first attempt")
    failed = attempts(sessions)[0]
    assert failed.trigger == "schedule" and "451" in failed.error and failed.recipients == ", ".join(TO)
    shown = status(s)["report_mail"]
    assert shown["state"] == "failed" and shown["day"] == DAY and "451" in shown["error"] and shown["next_at"]
    assert "FAILED" in hotline_cli(s, "status", timeout=60).stdout
    lead = Api(base)
    assert lead.login(LEAD)[0] == 200

    async def lead_sees_it_fail_then_go():
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"{base}{wire.WS}?token={lead.token}") as ws:
                hello = await ws.receive_json(timeout=10)
                assert hello["type"] == wire.EV_HELLO
                relay.refusing = False                                 # the relay takes mail again
                while True:
                    ev = await ws.receive_json(timeout=90)
                    if ev["type"] == wire.EV_REPORT_MAIL and ev["report_mail"]["state"] in ("sent", "sent_late"):
                        return hello, ev
    hello, ev = asyncio.run(lead_sees_it_fail_then_go())
    assert hello["report_mail"]["state"] == "failed" and "451" in hello["report_mail"]["error"]
    assert ev["report_mail"]["day"] == DAY and ev["report_mail"]["attempts"] >= 2
    tried = attempts(sessions)
    assert [a.ok for a in tried] == [False] * (len(tried) - 1) + [True] and relay.refused == len(tried) - 1
    assert {a.trigger for a in tried[1:]} == {"retry"}

    (msg,) = relay.messages
    assert msg["Subject"] == f"大龙供暖报修热线日报 {DAY}(未签核)" and msg["To"] == ", ".join(TO)
    assert "受理报修 1 件(不热 1)" in msg.get_body(("plain",)).get_content()
    files = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    assert set(files) == {f"大龙供暖报修热线日报-{DAY}.xlsx", f"大龙供暖报修热线日报-{DAY}.pdf"}
    book = load_workbook(io.BytesIO(files[f"大龙供暖报修热线日报-{DAY}.xlsx"]))
    assert next(r for r in book["概览"].iter_rows(values_only=True) if r[0] == "受理报修")[1] == 1
    pdf = tmp_path / "mailed.pdf"
    pdf.write_bytes(files[f"大龙供暖报修热线日报-{DAY}.pdf"])
    subprocess.run([require_tool("pdftoppm", "poppler-utils"), "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True, timeout=60)
    assert (tmp_path / "page-1.png").stat().st_size > 5_000
    assert relay.logins and all(login == (b"hotline@dalong-heat.cn", RELAY_PASSWORD.encode()) for login in relay.logins)


def test_hotline_report_send_mails_a_day_again_through_the_running_service(live):
    s, sessions, relay = live
    relay.refusing = False
    before = len(relay.messages)
    out = hotline_cli(s, "report", "send", "--date", DAY, "--json", timeout=120)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["ok"] and answer["trigger"] == "cli" and answer["day"] == DAY and answer["recipients"] == TO
    assert len(relay.messages) == before + 1
    assert status(s)["report_mail"]["state"] in ("sent", "sent_late")
    relay.refusing = True                                              # refused now: answered as refused, exit 1
    out = hotline_cli(s, "report", "send", "--date", DAY, timeout=120)
    relay.refusing = False
    assert out.returncode == 1 and "451" in out.stdout


def test_the_smtp_password_is_in_no_log_argv_or_run_state(live):
    s, _sessions, _relay = live
    st = runtime.read_state(s)
    texts = [(s.log_dir / "service.log").read_text(errors="replace"), json.dumps(st)]
    for pid in (st["service_pid"], st["asterisk_pid"]):
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            texts.append(f.read().decode(errors="replace"))
    assert not any(RELAY_PASSWORD in t for t in texts)
    assert os.stat(s.home / "run" / "state.json").st_mode & 0o077 == 0


def test_the_desks_download_gives_a_lead_the_pdf_and_refuses_an_agent(live):
    s, *_ = live
    base = f"http://127.0.0.1:{runtime.read_state(s)['ports']['api']}"
    lead, agent = Api(base), Api(base)
    assert lead.login(LEAD)[0] == 200 and agent.login(AGENT)[0] == 200
    path = f"{wire.REPORT_FILE}?kind=daily&date={DAY}&format=pdf"
    status, body = lead.call("GET", path)
    assert status == 200 and body.startswith(b"%PDF")
    assert agent.call("GET", path)[0] == 403
    assert lead.call("GET", f"{wire.REPORT_FILE}?kind=daily&date=yesterday&format=pdf")[0] == 400
