"""Table models of the QA screen (#28): the day's sample (GET wire.QA_SAMPLE's rows), the proposals,
the month's results per agent and per checker, a peer's listening list, the agent board for
listen-in, and the recordings search. Read-only lists of the API's dicts, like desktop.models.tables;
a failed check is tinted red, a passed one green, a retraining flag amber."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QColor

from desktop.models.aftercall import short_time
from desktop.models.labels import direction_label, finding_label, health_label
from desktop.models.reports import percent
from desktop.models.tables import _RowsModel, _duration

PASS_BG, FAIL_BG, FLAG_BG = QColor("#dcfce7"), QColor("#fde2e2"), QColor("#fef3c7")
INK = QColor("#111827")


def _t(text: str) -> str:
    return QCoreApplication.translate("Models", text)


def check_text(row: dict) -> str:
    """A sample row's check: not yet, or passed / failed and by whom."""
    chk = row.get("check") if isinstance(row.get("check"), dict) else None
    if not chk:
        return _t(QT_TRANSLATE_NOOP("Models", "未检查"))
    verdict = _t(QT_TRANSLATE_NOOP("Models", "合格")) if chk.get("passed") else _t(QT_TRANSLATE_NOOP("Models", "不合格"))
    return f"{verdict} ({chk.get('by') or ''})"


def findings_text(findings) -> str:
    """{'wrong_address': 2, 'praise': 1, …} or ['wrong_address'] → '地址填写错误×2 闪光点'."""
    if isinstance(findings, dict):
        return " ".join(finding_label(k) + (f"×{n}" if n > 1 else "") for k, n in findings.items() if n)
    return " ".join(finding_label(f) for f in (findings or []))


def _tinted(row: dict | None, role) -> QColor | None:
    if row is None:
        return None
    chk = row.get("check") if isinstance(row.get("check"), dict) else None
    if role == Qt.ItemDataRole.BackgroundRole and chk:
        return PASS_BG if chk.get("passed") else FAIL_BG
    if role == Qt.ItemDataRole.ForegroundRole and chk:
        return INK
    return None


class SampleModel(_RowsModel):
    """The day's sample: the calls drawn (and added by hand) and whether they were checked."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "座席"), lambda r: f"{r.get('agent') or ''} {r.get('name') or ''}".strip()),
        (QT_TRANSLATE_NOOP("Models", "时间"), lambda r: short_time(r.get("at"))),
        (QT_TRANSLATE_NOOP("Models", "类型"), lambda r: direction_label(r.get("direction"))),
        (QT_TRANSLATE_NOOP("Models", "报修单"), lambda r: r.get("ticket") or ""),
        (QT_TRANSLATE_NOOP("Models", "时长"), _duration),
        (QT_TRANSLATE_NOOP("Models", "来源"), lambda r: _t(QT_TRANSLATE_NOOP("Models", "添加")) if r.get("kind") == "manual" else _t(QT_TRANSLATE_NOOP("Models", "抽取"))),
        (QT_TRANSLATE_NOOP("Models", "检查"), check_text),
    )

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole) and index.isValid():
            return _tinted(self.row_dict(index.row()), role)
        return super().data(index, role)


class ProposalsModel(_RowsModel):
    """Findings the tickets' corrections propose (a station's recall, an address corrected after dispatch)."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "时间"), lambda r: short_time(r.get("at"))),
        (QT_TRANSLATE_NOOP("Models", "报修单"), lambda r: r.get("ticket") or ""),
        (QT_TRANSLATE_NOOP("Models", "座席"), lambda r: r.get("agent") or ""),
        (QT_TRANSLATE_NOOP("Models", "建议的问题"), lambda r: finding_label(r.get("finding"))),
        (QT_TRANSLATE_NOOP("Models", "依据"), lambda r: r.get("detail") or ""),
    )


class ResultsModel(_RowsModel):
    """The month per agent: calls, checked, pass rate, findings, fines, complaints, retraining."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "工号"), lambda r: r.get("agent_no") or ""),
        (QT_TRANSLATE_NOOP("Models", "座席"), lambda r: r.get("name") or ""),
        (QT_TRANSLATE_NOOP("Models", "通话"), lambda r: r.get("calls", 0)),
        (QT_TRANSLATE_NOOP("Models", "抽查"), lambda r: r.get("checked", 0)),
        (QT_TRANSLATE_NOOP("Models", "合格率"), lambda r: percent(r.get("pass_rate"))),
        (QT_TRANSLATE_NOOP("Models", "严重差错"), lambda r: r.get("serious", 0)),
        (QT_TRANSLATE_NOOP("Models", "罚款(元)"), lambda r: r.get("fine_total", 0)),
        (QT_TRANSLATE_NOOP("Models", "投诉率"), lambda r: percent(r.get("complaint_rate"))),
        (QT_TRANSLATE_NOOP("Models", "轮训"), lambda r: _t(QT_TRANSLATE_NOOP("Models", "需轮训")) if r.get("retraining") else ""),
        (QT_TRANSLATE_NOOP("Models", "知情不报"), lambda r: (r.get("peer") or {}).get("unreported", 0) or ""),
        (QT_TRANSLATE_NOOP("Models", "检查结果"), lambda r: findings_text(r.get("findings"))),
    )
    FINDINGS_COLUMN = 10

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole) and index.isValid():
            row = self.row_dict(index.row()) or {}
            over = row.get("retraining") or row.get("over_day_limit") or row.get("over_month_limit")
            if over:
                return FLAG_BG if role == Qt.ItemDataRole.BackgroundRole else INK
            return None
        return super().data(index, role)


class CheckersModel(_RowsModel):
    """The checkers checked: how many calls, passed, and passes a later complaint contradicted."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "工号"), lambda r: r.get("agent_no") or ""),
        (QT_TRANSLATE_NOOP("Models", "检查人"), lambda r: r.get("name") or ""),
        (QT_TRANSLATE_NOOP("Models", "检查数"), lambda r: r.get("checked", 0)),
        (QT_TRANSLATE_NOOP("Models", "合格"), lambda r: r.get("passed", 0)),
        (QT_TRANSLATE_NOOP("Models", "合格后被投诉"), lambda r: r.get("contradicted", 0)),
    )


class PeerModel(_RowsModel):
    """An agent's colleagues' recordings of yesterday to listen to, and what they marked."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "座席"), lambda r: f"{r.get('agent') or ''} {r.get('name') or ''}".strip()),
        (QT_TRANSLATE_NOOP("Models", "时间"), lambda r: short_time(r.get("at"))),
        (QT_TRANSLATE_NOOP("Models", "类型"), lambda r: direction_label(r.get("direction"))),
        (QT_TRANSLATE_NOOP("Models", "时长"), _duration),
        (QT_TRANSLATE_NOOP("Models", "已听"), lambda r: (findings_text(r.get("findings")) or _t(QT_TRANSLATE_NOOP("Models", "无问题")))
         if r.get("listened") else ""),
    )


def board_state(row: dict) -> str:
    if row.get("in_call"):
        return _t(QT_TRANSLATE_NOOP("Models", "通话中"))
    if not row.get("logged_in"):
        return _t(QT_TRANSLATE_NOOP("Models", "未登录"))
    if row.get("paused"):
        return _t(QT_TRANSLATE_NOOP("Models", "示忙"))
    return _t(QT_TRANSLATE_NOOP("Models", "空闲")) if row.get("member") else _t(QT_TRANSLATE_NOOP("Models", "未签入"))


class BoardModel(_RowsModel):
    """The agents and whether they are on a call now (listen-in needs a live call)."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "工号"), lambda r: r.get("agent_no") or ""),
        (QT_TRANSLATE_NOOP("Models", "座席"), lambda r: r.get("name") or ""),
        (QT_TRANSLATE_NOOP("Models", "状态"), board_state),
    )


class FoundModel(_RowsModel):
    """Recordings found (GET wire.RECORDINGS with filters): the search of the recordings dialog and
    of a lead's "add a call"."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "时间"), lambda r: short_time(r.get("at") or r.get("created_at"))),
        (QT_TRANSLATE_NOOP("Models", "工号"), lambda r: r.get("agent") or ""),
        (QT_TRANSLATE_NOOP("Models", "类型"), lambda r: direction_label(r.get("direction"))),
        (QT_TRANSLATE_NOOP("Models", "来电"), lambda r: r.get("caller") or ""),
        (QT_TRANSLATE_NOOP("Models", "报修单"), lambda r: r.get("ticket") or r.get("ticket_number") or ""),
        (QT_TRANSLATE_NOOP("Models", "时长"), _duration),
        (QT_TRANSLATE_NOOP("Models", "录音"), lambda r: _t(QT_TRANSLATE_NOOP("Models", "已删除")) if r.get("deleted") else health_label(r.get("health"))),
    )
