"""The agent board's tables (#30): the agents (工号, 姓名, 状态 with a pause's reason, 时长, 通话对象 masked as
the server sent it, 话后整理 countdown, 今日接听), the callers waiting (position, masked number, wait,
priority, IVR answers), the open alerts and outages. The durations are the board state's, which moves
them on each second from the snapshot (desktop.state.board.BoardState); ``tick()`` repaints only those
cells. A paused agent past the limit is the row on a red ground."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor

from desktop.models.aftercall import short_time
from desktop.models.labels import alert_label, board_state_label, category_label, priority_label
from desktop.models.tables import _RowsModel

CONTEXT = "Board"
#: a paused agent past the limit, a caller waiting past the alert's threshold
OVER_BG = QColor("#fecaca")
STATE_COLOURS = {"free": "#15803d", "ringing": "#1d4ed8", "talking": "#b91c1c", "wrapup": "#b45309",
                 "paused": "#b45309", "unregistered": "#6b7280", "logged_out": "#6b7280"}
IVR_WORDS = {"category": QT_TRANSLATE_NOOP("Board", "问题"), "district": QT_TRANSLATE_NOOP("Board", "区"),
             "account_no": QT_TRANSLATE_NOOP("Board", "户号"), "callback": QT_TRANSLATE_NOOP("Board", "回电")}


def duration_text(secs) -> str:
    """mm:ss, or h:mm:ss from an hour on."""
    secs = max(0, int(secs or 0))
    h, rest = divmod(secs, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


def state_text(row: dict) -> str:
    """空闲 / 通话中 / 示忙(小休) …: the state, with a pause's reason."""
    text = board_state_label(row.get("state"))
    if row.get("state") == "paused" and row.get("reason"):
        text += QCoreApplication.translate("Board", "(%1)").replace("%1", str(row["reason"]))
    return text


def ivr_text(ivr) -> str:
    """What the caller keyed in the IVR: 问题 暖气不热 · 区 和平区."""
    if not isinstance(ivr, dict):
        return ""
    parts = []
    for key, value in ivr.items():
        if value in (None, "", False):
            continue
        shown = category_label(value) if key == "category" else str(value)
        word = QCoreApplication.translate("Board", IVR_WORDS[key]) if key in IVR_WORDS else key
        parts.append(f"{word} {shown}")
    return " · ".join(parts)


class _LiveModel(_RowsModel):
    """Rows whose duration columns move on with the board state's clock."""
    CONTEXT = CONTEXT
    LIVE_COLUMNS: tuple[int, ...] = ()
    KEY = "id"

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state

    def tick(self) -> None:
        if self._rows:
            for col in self.LIVE_COLUMNS:
                self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col),
                                      [Qt.ItemDataRole.DisplayRole])

    def find(self, key) -> int:
        return next((i for i, r in enumerate(self._rows) if str(r.get(self.KEY)) == str(key)), -1)


class AgentBoardModel(_LiveModel):
    KEY = "agent_no"
    LIVE_COLUMNS = (3, 5)

    def __init__(self, state, parent=None):
        super().__init__(state, parent)
        st = state
        self.COLUMNS = (
            (QT_TRANSLATE_NOOP("Board", "工号"), lambda r: r.get("agent_no", "")),
            (QT_TRANSLATE_NOOP("Board", "姓名"), lambda r: r.get("name", "")),
            (QT_TRANSLATE_NOOP("Board", "状态"), state_text),
            (QT_TRANSLATE_NOOP("Board", "时长"), lambda r: duration_text(st.seconds(r))),
            (QT_TRANSLATE_NOOP("Board", "通话对象"),
             lambda r: r.get("caller", "") if r.get("state") in ("ringing", "talking") else ""),
            (QT_TRANSLATE_NOOP("Board", "话后整理"),
             lambda r: duration_text(st.wrapup_left(r)) if r.get("state") == "wrapup" else ""),
            (QT_TRANSLATE_NOOP("Board", "今日接听"), lambda r: r.get("calls_today", 0)),
        )

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.row_dict(index.row()) or {}
        if role == Qt.ItemDataRole.BackgroundRole and self.state.over_limit(row):
            return QBrush(OVER_BG)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2:
            return QBrush(QColor(STATE_COLOURS.get(str(row.get("state")), "#111827")))
        if role == Qt.ItemDataRole.ToolTipRole and self.state.over_limit(row):
            return QCoreApplication.translate("Board", "示忙超过时限:可强制示闲或签退")
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (3, 5, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)


class WaitingModel(_LiveModel):
    KEY = "uniqueid"
    LIVE_COLUMNS = (2,)

    def __init__(self, state, parent=None):
        super().__init__(state, parent)
        st = state
        self.COLUMNS = (
            (QT_TRANSLATE_NOOP("Board", "位置"), lambda r: r.get("position", "")),
            (QT_TRANSLATE_NOOP("Board", "来电号码"), lambda r: r.get("caller", "")),
            (QT_TRANSLATE_NOOP("Board", "等待"), lambda r: duration_text(st.wait(r))),
            (QT_TRANSLATE_NOOP("Board", "优先级"), lambda r: priority_label(r.get("priority"))),
            (QT_TRANSLATE_NOOP("Board", "语音导航"), lambda r: ivr_text(r.get("ivr"))),
        )

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid() and index.column() == 3:
            row = self.row_dict(index.row()) or {}
            return QBrush(QColor("#b91c1c")) if int(row.get("priority") or 0) > 0 else None
        return super().data(index, role)


def acked_text(a: dict) -> str:
    if not a.get("acked_at"):
        return QCoreApplication.translate("Board", "待确认")
    text = QCoreApplication.translate("Board", "%1 已确认").replace("%1", str(a.get("acked_by") or ""))
    return text + (f":{a['ack_note']}" if a.get("ack_note") else "")


class AlertsModel(_RowsModel):
    CONTEXT = CONTEXT
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Board", "时间"), lambda r: short_time(r.get("raised_at"))),
        (QT_TRANSLATE_NOOP("Board", "告警"), lambda r: alert_label(r.get("kind"))),
        (QT_TRANSLATE_NOOP("Board", "确认"), acked_text),
        (QT_TRANSLATE_NOOP("Board", "内容"), lambda r: r.get("message", "")),
    )

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.BackgroundRole and index.isValid():
            row = self.row_dict(index.row()) or {}
            return QBrush(OVER_BG) if not row.get("acked_at") else None
        return super().data(index, role)


class OutagesModel(_RowsModel):
    CONTEXT = CONTEXT
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Board", "区域"), lambda r: r.get("area", "")),
        (QT_TRANSLATE_NOOP("Board", "预计恢复"), lambda r: short_time(r.get("until"))),
        (QT_TRANSLATE_NOOP("Board", "已登记来电"), lambda r: r.get("affected", 0)),
        (QT_TRANSLATE_NOOP("Board", "宣布"),
         lambda r: f"{r.get('declared_by') or ''} {short_time(r.get('declared_at'))}".strip()),
        (QT_TRANSLATE_NOOP("Board", "通知内容"), lambda r: r.get("message", "")),
    )
