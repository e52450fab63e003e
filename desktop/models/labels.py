"""Display labels of the wire's codes (ticket categories and states), translated through the
"Labels" context."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from hotline.shared import wire

# Chinese source strings, translated through the "Labels" context; QT_TRANSLATE_NOOP
# marks them for pyside6-lupdate, which cannot see plain strings in a dict
CATEGORY_LABELS = {
    "no_heat": QT_TRANSLATE_NOOP("Labels", "暖气不热"), "leak": QT_TRANSLATE_NOOP("Labels", "漏水"),
    "noise": QT_TRANSLATE_NOOP("Labels", "噪音或异响"), "other": QT_TRANSLATE_NOOP("Labels", "缴费及其他")}
CATEGORY_ORDER = wire.CATEGORIES      # the order of the form's list
STATE_LABELS = {
    "draft": QT_TRANSLATE_NOOP("Labels", "草稿"), "new": QT_TRANSLATE_NOOP("Labels", "新建"),
    "dispatched": QT_TRANSLATE_NOOP("Labels", "已派单"), "accepted": QT_TRANSLATE_NOOP("Labels", "已接单"), "contacted": QT_TRANSLATE_NOOP("Labels", "已联系"),
    "completed": QT_TRANSLATE_NOOP("Labels", "已返单"), "followed_up": QT_TRANSLATE_NOOP("Labels", "已回访"),
    "closed": QT_TRANSLATE_NOOP("Labels", "已关闭"), "resolved": QT_TRANSLATE_NOOP("Labels", "已解决"),
    "cancelled": QT_TRANSLATE_NOOP("Labels", "已取消")}
YES = QT_TRANSLATE_NOOP("Labels", "是")


def tr_label(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def category_label(value: str | None) -> str:
    return tr_label(CATEGORY_LABELS[value]) if value in CATEGORY_LABELS else (value or "")


def state_label(value: str | None) -> str:
    return tr_label(STATE_LABELS[value]) if value in STATE_LABELS else (value or "")
