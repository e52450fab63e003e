"""A recording's player controls (the QA screen): play / pause, a position slider to seek, the time,
and the speed (1× / 1.5×). A thin view over desktop.state.qa.PlayerState: it shows the position it
is given and emits what the person asked for."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from desktop.widgets.common import fmt_secs

#: the slider's steps per second of recording
STEPS = 10


class PlayerBar(QWidget):
    toggle_requested = Signal()
    seek_requested = Signal(float)
    speed_requested = Signal(float)

    def __init__(self, speeds=(1.0, 1.5), parent=None):
        super().__init__(parent)
        self.play_button = QPushButton(self.tr("▶ 播放"))
        self.play_button.clicked.connect(self.toggle_requested)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.sliderReleased.connect(lambda: self.seek_requested.emit(self.slider.value() / STEPS))
        self.slider.actionTriggered.connect(self._stepped)
        self.time_label = QLabel("00:00 / 00:00")
        self.speed_buttons: dict[float, QPushButton] = {}
        group = QButtonGroup(self)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.play_button)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.time_label)
        for speed in speeds:
            b = QPushButton(f"{speed:g}×")
            b.setCheckable(True)
            b.setChecked(speed == 1.0)
            b.setMaximumWidth(52)
            b.clicked.connect(lambda _c=False, speed=speed: self.speed_requested.emit(speed))
            group.addButton(b)
            self.speed_buttons[speed] = b
            lay.addWidget(b)
        self.set_enabled(False)

    def _stepped(self, action: int) -> None:
        """A click on the groove or a key moves the slider: seek there (a drag seeks at release)."""
        if action in (QSlider.SliderAction.SliderPageStepAdd, QSlider.SliderAction.SliderPageStepSub,
                      QSlider.SliderAction.SliderSingleStepAdd, QSlider.SliderAction.SliderSingleStepSub):
            self.seek_requested.emit(self.slider.sliderPosition() / STEPS)

    def set_enabled(self, on: bool) -> None:
        for w in (self.play_button, self.slider, *self.speed_buttons.values()):
            w.setEnabled(on)

    def show_position(self, position: float, duration: float) -> None:
        if duration > 0:
            self.slider.setRange(0, int(duration * STEPS))
        if not self.slider.isSliderDown():
            self.slider.setValue(int(position * STEPS))
        self.time_label.setText(f"{fmt_secs(position)} / {fmt_secs(duration) if duration else '--:--'}")

    def show_playing(self, on: bool) -> None:
        self.play_button.setText(self.tr("⏸ 暂停") if on else self.tr("▶ 播放"))
