"""The worklists' state without a widget (#15): the call-back list (GET wire.CALLBACKS) and the 回访
list (GET wire.SURVEYS), which row is selected, and whether 回访's f applies. Like AfterCallState it
never calls the API: it says what to fetch (``callbacks_wanted``, ``surveys_wanted``) and what
changed; a pushed EV_CALLBACK (someone took, tried or cleared an entry) asks for one refresh,
coalesced. The server re-checks every take, outcome and survey."""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from common import wire


def _rows(data) -> list[dict]:
    return [r for r in (data or []) if isinstance(r, dict)] if isinstance(data, list) else []


class WorklistState(QObject):
    callbacks_wanted = Signal()
    surveys_wanted = Signal()
    callbacks_changed = Signal(list)
    surveys_changed = Signal(list)
    REFRESH_MS = 300

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.callbacks: list[dict] = []
        self.surveys: list[dict] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.REFRESH_MS)
        self._timer.timeout.connect(self.callbacks_wanted.emit)

    def set_callbacks(self, data) -> None:
        self.callbacks = _rows(data)
        self.callbacks_changed.emit(list(self.callbacks))

    def set_surveys(self, data) -> None:
        self.surveys = _rows(data)
        self.surveys_changed.emit(list(self.surveys))

    def callback(self, number: str) -> dict:
        return next((r for r in self.callbacks if r.get("ticket") == number), {})

    def survey(self, number: str) -> dict:
        return next((r for r in self.surveys if r.get("ticket") == number), {})

    def entry_changed(self, entry: dict) -> None:
        """An answer of ours (take, outcome): shown at once, the list refreshed behind it."""
        if isinstance(entry, dict) and entry.get("ticket"):
            rows = [entry if r.get("ticket") == entry["ticket"] else r for r in self.callbacks]
            self.set_callbacks([r for r in rows if r.get("open", True)])
        self._timer.start()

    def survey_saved(self, answer: dict) -> None:
        number = (answer or {}).get("ticket")
        self.set_surveys([r for r in self.surveys if r.get("ticket") != number])
        self.surveys_wanted.emit()

    def on_event(self, ev: dict) -> None:
        if isinstance(ev, dict) and ev.get("type") == wire.EV_CALLBACK:
            self._timer.start()
