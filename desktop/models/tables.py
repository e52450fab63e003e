"""Table models for the agent desk: the caller's previous tickets, account search hits, the
agent's recordings. Read-only lists of the API's dicts; views stay thin over them."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QColor

from desktop.models.labels import YES, category_label, state_label, tr_label


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
        (QT_TRANSLATE_NOOP("Models", "单号"), lambda r: r.get("number", "")),
        (QT_TRANSLATE_NOOP("Models", "日期"), _date),
        (QT_TRANSLATE_NOOP("Models", "问题"), lambda r: category_label(r.get("category"))),
        (QT_TRANSLATE_NOOP("Models", "状态"), lambda r: state_label(r.get("state"))),
        (QT_TRANSLATE_NOOP("Models", "维修站"), _station),
        (QT_TRANSLATE_NOOP("Models", "回电"), lambda r: tr_label(YES) if r.get("callback_requested") else ""),
    )

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            row = self.row_dict(index.row()) or {}
            if row.get("state") not in ("completed", "followed_up", "closed") and index.column() == 3:
                return QColor("#b45309")     # still open: worth asking about
            return None
        return super().data(index, role)


class SearchResultsModel(_RowsModel):
    """Hits of an account search (``account_card`` dicts)."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "户号"), lambda r: r.get("account_no", "")),
        (QT_TRANSLATE_NOOP("Models", "姓名"), lambda r: r.get("name", "")),
        (QT_TRANSLATE_NOOP("Models", "地址"), lambda r: r.get("address", "")),
        (QT_TRANSLATE_NOOP("Models", "电话"), _phones),
        (QT_TRANSLATE_NOOP("Models", "维修站"), _station),
    )


def _duration(row: dict) -> str:
    secs = int(float(row.get("duration_s") or 0))
    return f"{secs // 60:02d}:{secs % 60:02d}"


class RecordingsModel(_RowsModel):
    """The agent's own call recordings (``GET /api/recordings``), newest first."""
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Models", "时间"), _date),
        (QT_TRANSLATE_NOOP("Models", "来电"), lambda r: r.get("caller", "")),
        (QT_TRANSLATE_NOOP("Models", "报修单"), lambda r: r.get("ticket_number") or ""),
        (QT_TRANSLATE_NOOP("Models", "时长"), _duration),
    )
