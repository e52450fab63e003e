"""What the desk's panels share: the status colours, a seconds counter, a status dot, the
read-only table the agent picks rows from."""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView

GREEN, RED, GREY, AMBER = "#15803d", "#b91c1c", "#6b7280", "#b45309"


def fmt_secs(secs: float) -> str:
    secs = max(0, int(secs))
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def set_dot(label: QLabel, ok: bool | None, text: str) -> None:
    colour = GREY if ok is None else (GREEN if ok else RED)
    label.setText(f"<span style='color:{colour}'>●</span> {text}")


def readonly_table(model, parent) -> QTableView:
    """A list the agent reads and picks rows from (history, search hits, recordings)."""
    t = QTableView(parent)
    t.setModel(model)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(22)
    t.horizontalHeader().setStretchLastSection(True)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setMinimumSectionSize(72)     # readable headers on an empty table too
    t.setMinimumHeight(70)
    return t
