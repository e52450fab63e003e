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



def asterisk_rx(state: dict | None, command: str) -> list[str] | None:
    """The argv of `asterisk -rx <command>` to the Asterisk that run state started (its own binary
    and config); None when there is none. A fixed command: never text from a request."""
    argv, conf = (state or {}).get("asterisk_argv"), (state or {}).get("asterisk_conf")
    if not argv or not conf:
        return None
    return [*argv, "-C", conf, "-rx", command]
