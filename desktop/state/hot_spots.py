"""The hot spots on a team lead's, the head's or an admin's desk (#27), without a widget: the reporting
day's places with many no-heat repairs (wire.EV_HOT_SPOT as they appear or grow, the login's hello
"hot_spots"), and which of them this person has put away (知道了) — a place put away shows again when it
grows or a new one appears. Another reporting day's places go when the first of the new day comes."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from common import wire


def _spot(s) -> dict | None:
    if not isinstance(s, dict) or not s.get("key") or not s.get("day"):
        return None
    try:
        return {**s, "repairs": int(s.get("repairs") or 0)}
    except (TypeError, ValueError):
        return None


class HotSpotsState(QObject):
    changed = Signal(list)       # the places to show, as the server tells them (wire.SAMPLE_HOT_SPOT), in order

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.user: dict = {}
        self.spots: dict[str, dict] = {}       # key → the place as last told
        self.put_away: dict[str, int] = {}     # key → the count it had when put away

    @property
    def watching(self) -> bool:
        return str(self.user.get("role") or "") in wire.SUPERVISOR_ROLES

    def shown(self) -> list[dict]:
        return [dict(s) for k, s in self.spots.items() if s["repairs"] > self.put_away.get(k, 0)]

    def set_user(self, user: dict | None) -> None:
        self.user = dict(user or {})
        self.spots, self.put_away = {}, {}
        self.changed.emit([])

    def set_spots(self, spots) -> None:
        """The login's hello: the reporting day's places, all of them."""
        self.spots = {}
        for s in spots if isinstance(spots, list) else []:
            self._put(s)
        self.changed.emit(self.shown())

    def _put(self, s) -> None:
        s = _spot(s)
        if s is None:
            return
        if any(old["day"] != s["day"] for old in self.spots.values()):
            if max(old["day"] for old in self.spots.values()) > s["day"]:
                return                          # a late word of a day gone by
            self.spots, self.put_away = {}, {}  # a new reporting day
        self.spots[s["key"]] = s

    def on_event(self, ev: dict) -> None:
        if not self.watching or not isinstance(ev, dict):
            return
        if ev.get("type") == wire.EV_HELLO and isinstance(ev.get("hot_spots"), list):
            self.set_spots(ev["hot_spots"])
        elif ev.get("type") == wire.EV_HOT_SPOT:
            self._put(ev.get("hot_spot"))
            self.changed.emit(self.shown())

    def put_aside(self) -> None:
        """知道了: the places shown now are put away until they grow."""
        self.put_away.update({k: s["repairs"] for k, s in self.spots.items()})
        self.changed.emit(self.shown())
