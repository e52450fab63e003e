"""The amber line of the recordings disk at the top of a team lead's, the head's and an admin's
window (wire.EV_STORAGE, and the login's hello): the disk nearly full, recordings flagged today,
recordings that stopped being written mid-call.
Calls go on whatever it says; it asks for someone to free the disk."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel


class StorageBanner(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("storage")
        self.setWordWrap(True)
        self.setStyleSheet("#storage { background:#b45309; color:white; font-weight:bold; border-radius:4px;"
                           " padding:4px 8px; }")
        self.setVisible(False)

    def set_storage(self, st: dict) -> None:
        """The server's state ({low, free_mb, min_free_mb, flagged_today, stalled_today, message}); {} hides it."""
        st = st if isinstance(st, dict) else {}
        lines = []
        if st.get("low"):
            lines.append(self.tr("⚠ 录音磁盘空间不足：剩余 %1 MB（下限 %2 MB）。通话照常进行，请立即通知管理员清理磁盘")
                         .replace("%1", str(st.get("free_mb", "?"))).replace("%2", str(st.get("min_free_mb", "?"))))
        if int(st.get("flagged_today") or 0) > 0:
            lines.append(self.tr("⚠ 今日 %1 条录音或留言异常（空、过短或缺失），未作为有效录音封存")
                         .replace("%1", str(st["flagged_today"])))
        if int(st.get("stalled_today") or 0) > 0:
            lines.append(self.tr("⚠ 今日 %1 条录音在通话中途停止写入，请检查录音设备并通知管理员")
                         .replace("%1", str(st["stalled_today"])))
        self.setText("\n".join(lines))
        self.setVisible(bool(lines))
