"""The 报表 tab's charts, drawn with QPainter: bars (vertical or horizontal, one or two series) and
lines on a second scale — calls per hour against the agents logged in, the service level by day,
repairs by problem and by district, the stations' league table. Drawn here rather than with QtCharts:
QtCharts is in PySide6-Addons, a download several times the desk's whole install for four charts,
and the desk installs on every agent PC (packaging/desk) with PySide6-Essentials only.

A chart shows what it is given and says which bar was clicked (`bar_clicked(index)`): the tab
drills into the repairs or calls behind it."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BLUE, GREEN, ORANGE, RED, GREY = QColor("#2563eb"), QColor("#16a34a"), QColor("#ea580c"), QColor("#dc2626"), \
    QColor("#6b7280")
GRID = QColor("#e5e7eb")


@dataclass
class Series:
    name: str
    values: list[float]
    colour: QColor
    #: a line's scale: "left" (the bars') or "right" (its own, e.g. agents, or a rate in %)
    axis: str = "left"
    percent: bool = False


@dataclass
class ChartData:
    categories: list[str] = field(default_factory=list)
    bars: list[Series] = field(default_factory=list)
    lines: list[Series] = field(default_factory=list)
    #: what each category drills into (a bucket of the figure), when it does
    keys: list = field(default_factory=list)


TICKS = 4


def nice_max(value: float) -> float:
    """A round top for an axis holding `value` whose TICKS steps are whole numbers of 1, 2 or 5 × 10ⁿ
    (counts read as counts: never a tick at 0.25 calls)."""
    step = max(1.0, value / TICKS)
    exp = 10 ** math.floor(math.log10(step))
    for m in (1, 2, 5, 10):
        if step <= m * exp:
            return float(m * exp * TICKS)
    return float(10 * exp * TICKS)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


class BarChart(QWidget):
    """Bars per category (grouped when there are two series) and lines over them; `horizontal`
    puts the categories down the left (long names: stations, districts)."""
    bar_clicked = Signal(int)

    def __init__(self, title: str = "", horizontal: bool = False, parent=None):
        super().__init__(parent)
        self.title, self.horizontal = title, horizontal
        self.data = ChartData()
        self.empty_text = ""
        self._hit: list[tuple[QRectF, int]] = []
        self.setMinimumSize(260, 170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(420, 230)

    def set_data(self, data: ChartData, title: str | None = None) -> None:
        self.data = data
        if title is not None:
            self.title = title
        self._hit = []
        self.setToolTip("")
        self.update()

    def has_data(self) -> bool:
        return bool(self.data.categories) and any(any(v for v in s.values) for s in self.data.bars + self.data.lines)

    # ------------------------------------------------------------ painting --
    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        fm = QFontMetrics(self.font())
        top = 4
        if self.title:
            f = p.font()
            f.setBold(True)
            p.setFont(f)
            p.drawText(QRectF(6, top, self.width() - 12, fm.height() + 2), Qt.AlignmentFlag.AlignLeft, self.title)
            p.setFont(self.font())
            top += fm.height() + 4
        top = self._legend(p, fm, top)
        self._hit = []
        if not self.has_data():
            p.setPen(GREY)
            p.drawText(QRectF(0, top, self.width(), self.height() - top), Qt.AlignmentFlag.AlignCenter,
                       self.empty_text)
            return
        if self.horizontal:
            self._paint_horizontal(p, fm, top)
        else:
            self._paint_vertical(p, fm, top)

    def _legend(self, p: QPainter, fm: QFontMetrics, top: int) -> int:
        series = self.data.bars + self.data.lines
        if len(series) < 2:
            return top
        x = 8
        for s in series:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(s.colour)
            if s in self.data.lines:
                p.drawRect(QRectF(x, top + fm.height() / 2 - 1.5, 14, 3))
            else:
                p.drawRect(QRectF(x, top + 3, 10, fm.height() - 6))
            p.setPen(self.palette().text().color())
            p.drawText(QPointF(x + 17, top + fm.ascent()), s.name)
            x += 17 + fm.horizontalAdvance(s.name) + 14
        return top + fm.height() + 4

    def _paint_vertical(self, p: QPainter, fm: QFontMetrics, top: int) -> None:
        d = self.data
        left_max = nice_max(max((v or 0 for s in d.bars + [x for x in d.lines if x.axis == "left"]
                                 for v in s.values), default=0))
        right = [s for s in d.lines if s.axis == "right"]
        right_max = 1.0 if right and right[0].percent else nice_max(max((v or 0 for s in right for v in s.values),
                                                                       default=0))
        left_w = max(fm.horizontalAdvance(_num(left_max * i / TICKS)) for i in range(TICKS + 1)) + 10
        right_w = (fm.horizontalAdvance("100%") + 10) if right else 8
        plot = QRectF(left_w, top + 4, self.width() - left_w - right_w, self.height() - top - fm.height() - 12)
        if plot.width() < 20 or plot.height() < 20:
            return
        text = self.palette().text().color()
        for i in range(TICKS + 1):              # the grid and the scales
            y = plot.bottom() - plot.height() * i / TICKS
            p.setPen(QPen(GRID, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(text)
            p.drawText(QRectF(0, y - fm.height() / 2, left_w - 4, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, _num(left_max * i / TICKS))
            if right:
                label = f"{int(100 * i / TICKS)}%" if right[0].percent else _num(right_max * i / TICKS)
                p.drawText(QRectF(plot.right() + 4, y - fm.height() / 2, right_w, fm.height()),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        n = len(d.categories)
        slot = plot.width() / max(1, n)
        group = slot * 0.8
        bar_w = group / max(1, len(d.bars))
        every = max(1, math.ceil(n / max(1, plot.width() / (fm.horizontalAdvance("00-00") + 6))))
        for i, cat in enumerate(d.categories):
            x0 = plot.left() + slot * i + (slot - group) / 2
            for j, s in enumerate(d.bars):
                v = (s.values[i] if i < len(s.values) else 0) or 0
                h = plot.height() * (v / left_max if left_max else 0)
                r = QRectF(x0 + j * bar_w, plot.bottom() - h, max(1.0, bar_w - 1), h)
                p.fillRect(r, s.colour)
            self._hit.append((QRectF(plot.left() + slot * i, plot.top(), slot, plot.height()), i))
            if i % every == 0:
                p.setPen(text)
                p.drawText(QRectF(plot.left() + slot * i - slot * (every - 1) / 2, plot.bottom() + 2, slot * every,
                                  fm.height()), Qt.AlignmentFlag.AlignHCenter, cat)
        for s in d.lines:
            top_v = (1.0 if s.percent else right_max) if s.axis == "right" else left_max
            pts = [QPointF(plot.left() + slot * (i + 0.5), plot.bottom() - plot.height() * (v / top_v if top_v else 0))
                   for i, v in enumerate(s.values) if v is not None]
            p.setPen(QPen(s.colour, 2))
            for a, b in zip(pts, pts[1:]):
                p.drawLine(a, b)
            p.setBrush(s.colour)
            for pt in pts:
                p.drawEllipse(pt, 2.5, 2.5)
        p.setPen(QPen(text, 1))
        p.drawLine(plot.bottomLeft(), plot.bottomRight())

    def _paint_horizontal(self, p: QPainter, fm: QFontMetrics, top: int) -> None:
        d = self.data
        vmax = nice_max(max((v or 0 for s in d.bars for v in s.values), default=0))
        label_w = min(self.width() * 0.4, max(fm.horizontalAdvance(c) for c in d.categories) + 10)
        value_w = fm.horizontalAdvance("0000.0") + 6
        plot = QRectF(label_w, top + 2, self.width() - label_w - value_w, self.height() - top - 6)
        n = len(d.categories)
        slot = min(plot.height() / max(1, n), fm.height() * 2.2)
        text = self.palette().text().color()
        bar_h = slot * 0.7 / max(1, len(d.bars))
        for i, cat in enumerate(d.categories):
            y0 = plot.top() + slot * i
            p.setPen(text)
            p.drawText(QRectF(0, y0, label_w - 6, slot), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(cat, Qt.TextElideMode.ElideRight, int(label_w - 8)))
            for j, s in enumerate(d.bars):
                v = (s.values[i] if i < len(s.values) else 0) or 0
                w = plot.width() * (v / vmax if vmax else 0)
                r = QRectF(plot.left(), y0 + slot * 0.15 + j * bar_h, max(1.0, w), bar_h - 1)
                p.fillRect(r, s.colour)
                p.setPen(text)
                p.drawText(QRectF(r.right() + 3, r.top(), value_w, r.height()),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, _num(v))
            self._hit.append((QRectF(0, y0, self.width(), slot), i))

    # ------------------------------------------------------------- clicks --
    def index_at(self, pos: QPointF) -> int:
        return next((i for r, i in self._hit if r.contains(pos)), -1)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        i = self.index_at(e.position())
        if i >= 0 and e.button() == Qt.MouseButton.LeftButton:
            self.bar_clicked.emit(i)
        super().mouseReleaseEvent(e)

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        i = self.index_at(e.position())
        if 0 <= i < len(self.data.categories):
            parts = [f"{s.name}: {_num(s.values[i]) if not s.percent else f'{s.values[i] * 100:.1f}%'}"
                     for s in self.data.bars + self.data.lines if i < len(s.values) and s.values[i] is not None]
            self.setToolTip(f"{self.data.categories[i]}\n" + "\n".join(parts))
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.setToolTip("")
            self.unsetCursor()
        super().mouseMoveEvent(e)
