"""The running hotline's state file ($HOTLINE_HOME/run/state.json): ports and pids."""
from __future__ import annotations

import json
from pathlib import Path

from common.settings import Settings


def state_file(s: Settings) -> Path:
    return s.run_dir / "state.json"


def read_state(s: Settings) -> dict | None:
    try:
        return json.loads(state_file(s).read_text())
    except (OSError, ValueError):
        return None

