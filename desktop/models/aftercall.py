"""Table models of the after-call screens: the ticket list (GET wire.TICKETS rows), a ticket's
timeline (SAMPLE_TIMELINE's history) and the anomaly register (GET wire.ANOMALIES entries).
Read-only lists of the API's dicts, like desktop.models.tables; overdue rows are tinted."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QColor

from desktop.models.labels import (
    anomaly_label,
    anomaly_state_label,
    category_label,
    list_state_label,
    priority_label,
    state_label,
    station_call_label,
    unconfirmed_reason_label,
)
from desktop.models.tables import _RowsModel

#: an overdue row's background and text: red-ish, still readable on light and dark themes
OVERDUE_BG, OVERDUE_FG = QColor("#fde2e2"), QColor("#7f1d1d")
#: a draft waiting to be confirmed (待确认, #24): amber-ish
UNCONFIRMED_BG, UNCONFIRMED_FG = QColor("#fef3c7"), QColor("#78350f")


def age_text(minutes) -> str:
    """How long a ticket has been open, as a person says it: "47 分钟", "3 小时", "2 天"."""
    try:
        m = max(0, int(minutes or 0))
    except (TypeError, ValueError):
        return ""
    if m < 60:
        return QCoreApplication.translate("Models", "%1 分钟").replace("%1", str(m))
    if m < 48 * 60:
        return QCoreApplication.translate("Models", "%1 小时").replace("%1", str(m // 60))
    return QCoreApplication.translate("Models", "%1 天").replace("%1", str(m // (24 * 60)))


def short_time(value) -> str:
    """'2026-11-23T10:03:10' → '11-23 10:03' (the year only when it is not this year's)."""
    text = str(value or "").replace("T", " ")
    if len(text) < 16:
        return text
    return text[5:16] if text[:4] == str(dt.date.today().year) else text[:16]


#: a station call's outcomes that are tried again while attempts are left (hotline.aftercall.station_calls.RETRIED)
STATION_CALL_RETRIED = ("busy", "no_answer", "failed")


def station_call_gave_up(call: dict) -> bool:
    """The dialer stopped trying: the call ended unanswered or unaccepted."""
    return bool(call.get("ended_at")) and call.get("outcome") in STATION_CALL_RETRIED


def station_call_line(call: dict, station_name: str = "") -> str:
    """One of a ticket's station calls as its detail says it (wire.SAMPLE_TIMELINE's station_calls):
    '铁西维修站 电话通知:无人接听,已拨 1 次,下次 10:10' — given up once it ended without an acceptance.
    `station_name`: the station's name when known (the call carries its code)."""
    outcome, tried = str(call.get("outcome") or ""), int(call.get("attempts") or 0)
    who = station_name or str(call.get("station") or "")
    text = (QCoreApplication.translate("Models", "%1 电话通知:%2").replace("%1", who)
            .replace("%2", station_call_label(outcome)))
    if station_call_gave_up(call):
        text += QCoreApplication.translate("Models", ",拨打 %1 次后放弃").replace("%1", str(tried))
    elif outcome in STATION_CALL_RETRIED:
        text += QCoreApplication.translate("Models", ",已拨 %1 次").replace("%1", str(tried))
        if call.get("next_at"):
            text += QCoreApplication.translate("Models", ",下次 %1").replace("%1", short_time(call.get("next_at")))
    elif outcome == "accepted" and call.get("answered_at"):
        text += f"({short_time(call.get('answered_at'))})"
    return text


def anomaly_overdue(row: dict, now: dt.datetime | None = None) -> bool:
    """The server's `overdue` when it says so, else: not closed and past its deadline."""
    if "overdue" in row:
        return bool(row.get("overdue"))
    if row.get("state") == "closed" or not row.get("deadline"):
        return False
    try:
        deadline = dt.datetime.fromisoformat(str(row["deadline"]))
    except ValueError:
        return False
    return deadline < (now or dt.datetime.now())


def row_age_min(row: dict):
    """A row's age in minutes: its `age_s` when the server sends it (#24), else `age_min`."""
    if row.get("age_s") is not None:
        try:
            return int(row["age_s"]) // 60
        except (TypeError, ValueError):
            pass
    return row.get("age_min")


def is_unconfirmed(row: dict) -> bool:
    """A draft on the list: its call has ended and it waits for confirmation (待确认)."""
    return row.get("state") == "draft"


class TicketsModel(_RowsModel):
    """GET wire.TICKETS: one row per ticket, overdue ones tinted red, 待确认 drafts amber with why."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "单号"), lambda r: r.get("number", "")),
        (QT_TRANSLATE_NOOP("Models", "状态"), lambda r: list_state_label(r.get("state"))),
        (QT_TRANSLATE_NOOP("Models", "待确认原因"), lambda r: unconfirmed_reason_label(r.get("reason"))),
        (QT_TRANSLATE_NOOP("Models", "问题"), lambda r: category_label(r.get("category"))),
        (QT_TRANSLATE_NOOP("Models", "优先级"), lambda r: priority_label(r.get("priority"))),
        (QT_TRANSLATE_NOOP("Models", "维修站"), lambda r: r.get("station") or ""),
        (QT_TRANSLATE_NOOP("Models", "区"), lambda r: r.get("district") or ""),
        (QT_TRANSLATE_NOOP("Models", "地址"), lambda r: r.get("address") or ""),
        (QT_TRANSLATE_NOOP("Models", "已过"), lambda r: age_text(row_age_min(r))),
        (QT_TRANSLATE_NOOP("Models", "未结异常"), lambda r: r.get("open_anomalies") or ""),
    )
    REASON_COLUMN, ADDRESS_COLUMN = 2, 7

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            row = self.row_dict(index.row()) or {}
            background = role == Qt.ItemDataRole.BackgroundRole
            if row.get("overdue"):
                return OVERDUE_BG if background else OVERDUE_FG
            if is_unconfirmed(row):
                return UNCONFIRMED_BG if background else UNCONFIRMED_FG
            return None
        return super().data(index, role)

    def has_reasons(self) -> bool:
        """Any row with a 待确认 reason (the reason column is shown only then)."""
        return any(r.get("reason") for r in self._rows)

    def row_of(self, number: str) -> int:
        for i, r in enumerate(self._rows):
            if r.get("number") == number:
                return i
        return -1


class TimelineModel(_RowsModel):
    """A ticket's state moves (GET wire.TICKET's `history`), oldest first."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "状态"), lambda r: state_label(r.get("state"))),
        (QT_TRANSLATE_NOOP("Models", "时间"), lambda r: short_time(r.get("at"))),
        (QT_TRANSLATE_NOOP("Models", "操作人"), lambda r: r.get("by") or ""),
        (QT_TRANSLATE_NOOP("Models", "备注"), lambda r: r.get("note") or ""),
    )
    NOTE_COLUMN = 3


def _note_result(r: dict) -> str:
    note, result = str(r.get("note") or ""), str(r.get("result") or "")
    return f"{note} → {result}" if note and result else (note or result)


class AnomaliesModel(_RowsModel):
    """The anomaly register (GET wire.ANOMALIES) and a ticket's anomalies: overdue ones tinted."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "类型"), lambda r: anomaly_label(r.get("type"))),
        (QT_TRANSLATE_NOOP("Models", "状态"), lambda r: anomaly_state_label(r.get("state"))),
        (QT_TRANSLATE_NOOP("Models", "报修单"), lambda r: r.get("ticket") or ""),
        (QT_TRANSLATE_NOOP("Models", "发生"), lambda r: short_time(r.get("opened_at"))),
        (QT_TRANSLATE_NOOP("Models", "期限"), lambda r: short_time(r.get("deadline"))),
        (QT_TRANSLATE_NOOP("Models", "负责人"), lambda r: r.get("owner") or ""),
        (QT_TRANSLATE_NOOP("Models", "说明 / 结果"), _note_result),
    )
    TICKET_COLUMN, NOTE_COLUMN = 2, 6

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            row = self.row_dict(index.row()) or {}
            if anomaly_overdue(row):
                return OVERDUE_BG if role == Qt.ItemDataRole.BackgroundRole else OVERDUE_FG
            return None
        return super().data(index, role)


def waited_text(seconds) -> str:
    """`waited` (seconds) as a person says it, like age_text."""
    try:
        return age_text(int(seconds or 0) // 60)
    except (TypeError, ValueError):
        return ""


def callback_reason_label(code) -> str:
    words = {"callback_requested": QT_TRANSLATE_NOOP("Models", "排队中按1"),
             "abandoned": QT_TRANSLATE_NOOP("Models", "排队放弃"),
             "after_hours_message": QT_TRANSLATE_NOOP("Models", "非工作时间留言"),
             "no_agent": QT_TRANSLATE_NOOP("Models", "无座席"),
             "max_wait": QT_TRANSLATE_NOOP("Models", "等待超时"),
             "in_ivr_hangup": QT_TRANSLATE_NOOP("Models", "语音导航中挂机"),
             "interrupted": QT_TRANSLATE_NOOP("Models", "通话中断")}
    return QCoreApplication.translate("Models", words[code]) if code in words else str(code or "")


def outcome_label(code) -> str:
    words = {"reached": QT_TRANSLATE_NOOP("Models", "已联系上"), "no_answer": QT_TRANSLATE_NOOP("Models", "无人接听"),
             "busy": QT_TRANSLATE_NOOP("Models", "占线"), "wrong_number": QT_TRANSLATE_NOOP("Models", "号码错误"),
             "closed": QT_TRANSLATE_NOOP("Models", "领班关闭"), "called_in": QT_TRANSLATE_NOOP("Models", "住户再次来电"),
             # the automated 回访 call's own outcomes (hotline.aftercall.survey_calls)
             "failed": QT_TRANSLATE_NOOP("Models", "未接通"), "declined": QT_TRANSLATE_NOOP("Models", "要求人工")}
    return QCoreApplication.translate("Models", words[code]) if code in words else str(code or "")


def _taken(r: dict) -> str:
    if r.get("escalated"):
        return QCoreApplication.translate("Models", "转领班")
    return r.get("taken_by") or ""


def _last(r: dict) -> str:
    a = r.get("last_attempt") if isinstance(r.get("last_attempt"), dict) else None
    return f"{outcome_label(a.get('outcome'))} {short_time(a.get('at'))}" if a else ""


class CallbacksModel(_RowsModel):
    """GET wire.CALLBACKS: oldest first; escalated ones (the team lead's) tinted."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "单号"), lambda r: r.get("ticket", "")),
        (QT_TRANSLATE_NOOP("Models", "原因"), lambda r: callback_reason_label(r.get("reason"))),
        (QT_TRANSLATE_NOOP("Models", "工单"), lambda r: list_state_label(r.get("state"))),
        (QT_TRANSLATE_NOOP("Models", "已等"), lambda r: waited_text(r.get("waited"))),
        (QT_TRANSLATE_NOOP("Models", "回电号码"), lambda r: r.get("callback_number") or ""),
        (QT_TRANSLATE_NOOP("Models", "尝试"), lambda r: r.get("attempts") or 0),
        (QT_TRANSLATE_NOOP("Models", "上次"), _last),
        (QT_TRANSLATE_NOOP("Models", "领取人"), _taken),
        (QT_TRANSLATE_NOOP("Models", "地址"), lambda r: r.get("address") or ""),
    )
    STATE_COLUMN = 2

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            row = self.row_dict(index.row()) or {}
            if row.get("escalated"):
                return OVERDUE_BG if role == Qt.ItemDataRole.BackgroundRole else OVERDUE_FG
            if is_unconfirmed(row) and index.column() == self.STATE_COLUMN:
                return UNCONFIRMED_BG if role == Qt.ItemDataRole.BackgroundRole else UNCONFIRMED_FG
            return None
        return super().data(index, role)


def fee_label(code) -> str:
    words = {"paid": QT_TRANSLATE_NOOP("Models", "已交费"), "unpaid": QT_TRANSLATE_NOOP("Models", "未交费"),
             "unknown": QT_TRANSLATE_NOOP("Models", "未知")}
    return QCoreApplication.translate("Models", words[code]) if code in words else ""


def automated_text(r: dict) -> str:
    """What the automated 回访 call did with this ticket, so an agent does not phone a resident blind:
    "呼叫中", or "3 次 · 无人接听 11-23 16:00" (wire.SAMPLE_SURVEY_AUTOMATED)."""
    a = r.get("automated") if isinstance(r.get("automated"), dict) else None
    if not a:
        return ""
    if a.get("calling"):
        return QCoreApplication.translate("Models", "呼叫中")
    tries = QCoreApplication.translate("Models", "%1 次").replace("%1", str(a.get("attempts") or 0))
    return f"{tries} · {outcome_label(a.get('last_outcome'))} {short_time(a.get('last_at'))}".strip()


class SurveysModel(_RowsModel):
    """GET wire.SURVEYS: completed repairs due for 回访, oldest first."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "单号"), lambda r: r.get("ticket", "")),
        (QT_TRANSLATE_NOOP("Models", "返单时间"), lambda r: short_time(r.get("completed_at"))),
        (QT_TRANSLATE_NOOP("Models", "预约"), lambda r: short_time(r.get("due_at"))),
        (QT_TRANSLATE_NOOP("Models", "姓名"), lambda r: r.get("name") or ""),
        (QT_TRANSLATE_NOOP("Models", "电话"), lambda r: r.get("callback_number") or ""),
        (QT_TRANSLATE_NOOP("Models", "维修站"), lambda r: r.get("station") or ""),
        (QT_TRANSLATE_NOOP("Models", "供暖费"), lambda r: fee_label(r.get("fee_status"))),
        (QT_TRANSLATE_NOOP("Models", "处理结果"), lambda r: r.get("result") or ""),
        (QT_TRANSLATE_NOOP("Models", "自动回访"), automated_text),
    )
