"""#27 — the daily report's e-mail on the team leads' desks: a failed send (with the relay's answer
and the next try), a late one, a misconfiguration and a day that never went out show in a line at the
top from the login's hello and each push; a report sent in time hides it; an agent never sees it."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel

from common import wire
from test_desktop_aftercall import AGENT, LEAD, log_in, window  # noqa: F401  (window: the recorded desk)


def line(w) -> QLabel:
    return w.findChild(QLabel, "report_mail")


def test_a_failed_or_late_report_e_mail_shows_on_a_leads_desk_until_it_went_out(window):  # noqa: F811
    log_in(window, LEAD)
    assert line(window).isHidden()
    failed = {"state": "failed", "day": "2026-11-22", "attempts": 2, "error": "ConnectionRefusedError: refused",
              "next_at": "2026-11-23T09:03:00", "due_at": "2026-11-23T09:00:00", "days_failed": []}
    window.api.event.emit({"type": wire.EV_HELLO, "agent_no": "1101", "report_mail": failed})
    assert line(window).isVisible()
    assert "2026-11-22 日报邮件发送失败（已试 2 次）：ConnectionRefusedError: refused。将于 11-23 09:03 重试" \
        in line(window).text()
    window.api.event.emit({"type": wire.EV_REPORT_MAIL, "report_mail": {**failed, "next_at": None}})
    assert "已停止重试" in line(window).text()
    window.api.event.emit({"type": wire.EV_REPORT_MAIL, "report_mail": {"state": "late", "day": "2026-11-22",
                                                                         "due_at": "2026-11-23T09:00:00"}})
    assert "2026-11-22 日报应于 11-23 09:00 发出，至今未发出" in line(window).text()
    window.api.event.emit({"type": wire.EV_REPORT_MAIL, "report_mail": {
        "state": "sent_late", "day": "2026-11-22", "due_at": "2026-11-23T09:00:00", "sent_at": "2026-11-23T09:20:00"}})
    assert "已于 11-23 09:20 发出，晚于规定的 11-23 09:00" in line(window).text()
    window.api.event.emit({"type": wire.EV_REPORT_MAIL, "report_mail": {"state": "sent", "day": "2026-11-23",
                                                                         "days_failed": ["2026-11-21"]}})
    assert "以下日报未能发出：2026-11-21" in line(window).text()
    window.api.event.emit({"type": wire.EV_REPORT_MAIL, "report_mail": {"state": "sent", "day": "2026-11-23"}})
    assert line(window).isHidden()
    window.api.event.emit({"type": wire.EV_REPORT_MAIL, "report_mail": {"state": "misconfigured",
                                                                         "error": "HOTLINE_SMTP_HOST is not set"}})
    assert "日报邮件设置有误" in line(window).text() and line(window).isVisible()
    window.aftercall.set_user(None)                               # logged out: nothing of the last person's
    assert line(window).isHidden()


def test_an_agents_desk_shows_no_report_e_mail(window):  # noqa: F811
    log_in(window, AGENT)
    window.api.event.emit({"type": wire.EV_REPORT_MAIL, "report_mail": {"state": "late", "day": "2026-11-22"}})
    assert line(window).isHidden()
