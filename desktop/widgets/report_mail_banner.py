"""The line of the daily report's e-mail at the top of a team lead's, the head's and an admin's window
(wire.EV_REPORT_MAIL, and the login's hello): the day's report not sent (failed, with the relay's
answer and the next try; or late), sent late, or the mail settings wrong. The customer's rules say the
report goes out every day at its time (不许迟报): someone has to act, so it stays until it went out."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel

#: red: not out; amber: out, but late
_STYLE = "#report_mail {{ background:{}; color:white; font-weight:bold; border-radius:4px; padding:4px 8px; }}"
_RED, _AMBER = "#b91c1c", "#b45309"


def _hhmm(iso) -> str:
    return str(iso or "").replace("T", " ")[5:16]


class ReportMailBanner(QLabel):
    def __init__(self, aftercall=None, parent=None):
        """`aftercall`: the desk's AfterCallState, whose report_mail_changed this follows."""
        super().__init__(parent)
        self.setObjectName("report_mail")
        self.setWordWrap(True)
        self.setVisible(False)
        if aftercall is not None:
            aftercall.report_mail_changed.connect(self.set_report_mail)

    def set_report_mail(self, m: dict) -> None:
        """The server's state (delivery.ReportMail.state); {} or a report that went out in time hides it."""
        m = m if isinstance(m, dict) else {}
        state, day = m.get("state"), str(m.get("day", ""))
        lines, colour = [], _RED
        if state == "misconfigured":
            lines.append(self.tr("⚠ 日报邮件设置有误，日报无法发出：%1。请通知管理员").replace("%1", str(m.get("error", ""))))
        elif state == "failed":
            line = self.tr("⚠ %1 日报邮件发送失败（已试 %2 次）：%3。").replace("%1", day) \
                .replace("%2", str(m.get("attempts", "?"))).replace("%3", str(m.get("error", "")))
            line += self.tr("将于 %1 重试").replace("%1", _hhmm(m["next_at"])) if m.get("next_at") else \
                self.tr("已停止重试，请通知管理员检查邮件设置后重发")
            lines.append(line)
        elif state == "late":
            lines.append(self.tr("⚠ %1 日报应于 %2 发出，至今未发出").replace("%1", day).replace("%2", _hhmm(m.get("due_at"))))
        elif state == "sent_late":
            colour = _AMBER
            lines.append(self.tr("%1 日报已于 %2 发出，晚于规定的 %3").replace("%1", day)
                         .replace("%2", _hhmm(m.get("sent_at"))).replace("%3", _hhmm(m.get("due_at"))))
        missed = [str(d) for d in m.get("days_failed") or []]
        if missed:
            colour = _RED
            lines.append(self.tr("⚠ 以下日报未能发出：%1").replace("%1", "、".join(missed)))
        self.setStyleSheet(_STYLE.format(colour))
        self.setText("\n".join(lines))
        self.setVisible(bool(lines))
