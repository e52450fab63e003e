"""Table models for the agent desk: the caller's previous tickets and account search hits."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt

# Chinese source strings, translated through the "Labels" context
CATEGORY_LABELS = {"no_heat": "暖气不热", "leak": "漏水", "noise": "噪音或异响", "other": "缴费及其他"}
CATEGORY_ORDER = ("no_heat", "leak", "noise", "other")
STATE_LABELS = {"draft": "草稿", "new": "新建", "dispatched": "已派单", "contacted": "已联系",
                "completed": "已返单", "followed_up": "已回访", "closed": "已关闭"}


def tr_label(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def category_label(value: str | None) -> str:
    return tr_label(CATEGORY_LABELS[value]) if value in CATEGORY_LABELS else (value or "")


def state_label(value: str | None) -> str:
    return tr_label(STATE_LABELS[value]) if value in STATE_LABELS else (value or "")


class _RowsModel(QAbstractTableModel):
    """A read-only table over a list of dicts; subclasses define the columns."""
    #: (header source string, function row → display text)
    COLUMNS: tuple = ()
    CONTEXT = "Models"

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[dict] = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self._rows = [dict(r) for r in (rows or []) if isinstance(r, dict)]
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def row_dict(self, row: int) -> dict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[dict]:
        return list(self._rows)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.COLUMNS):
            return QCoreApplication.translate(self.CONTEXT, self.COLUMNS[section][0])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) \
                or not (0 <= index.column() < len(self.COLUMNS)):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            try:
                value = self.COLUMNS[index.column()][1](row)
            except Exception:
                value = ""
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None


def _phones(row: dict) -> str:
    phones = row.get("phones") or []
    return "、".join(str(p) for p in phones) if isinstance(phones, (list, tuple)) else str(phones)


def _station(row: dict) -> str:
    st = row.get("station")
    if isinstance(st, dict):
        return st.get("name") or ""
    return st or ""


def _date(row: dict) -> str:
    return (row.get("created_at") or "").replace("T", " ")[:16]


class HistoryModel(_RowsModel):
    """Previous tickets of the caller's account (``ticket_brief`` dicts)."""
    COLUMNS = (
        ("单号", lambda r: r.get("number", "")),
        ("日期", _date),
        ("问题", lambda r: category_label(r.get("category"))),
        ("状态", lambda r: state_label(r.get("state"))),
        ("维修站", _station),
        ("回电", lambda r: tr_label("是") if r.get("callback_requested") else ""),
    )

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            row = self.row_dict(index.row()) or {}
            if row.get("state") not in ("completed", "followed_up", "closed") and index.column() == 3:
                from PySide6.QtGui import QColor
                return QColor("#b45309")     # still open: worth asking about
            return None
        return super().data(index, role)


class SearchResultsModel(_RowsModel):
    """Hits of an account search (``account_card`` dicts)."""
    COLUMNS = (
        ("户号", lambda r: r.get("account_no", "")),
        ("姓名", lambda r: r.get("name", "")),
        ("地址", lambda r: r.get("address", "")),
        ("电话", _phones),
        ("维修站", _station),
    )
