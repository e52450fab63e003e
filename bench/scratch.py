"""Scratch hotlines for tests, benchmarks and `hotline dialplan test`."""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

from hotline.admin.demo import seed_demo
from hotline.admin.runtime import down, prepare_database, up
from common.settings import Settings, load

#: "now" of scratch hotlines: an ordinary working day in the heating season (no holiday opener)
SCRATCH_NOW = "2026-11-23T10:00"


def scratch_settings(home: Path, dialplan: Path, **overrides) -> Settings:
    """A private hotline's settings for tests, benchmarks and `hotline dialplan test`: its own
    home, a copy of `dialplan` there (free to edit), free ports and a random RTP block, the embedded DB, a fixed now;
    no configuration file is read (HOTLINE_* variables still are)."""
    copy = Path(home) / "dialplan"
    shutil.copytree(dialplan, copy, dirs_exist_ok=True)
    values = dict(home=str(home), dialplan_dir=str(copy), today=SCRATCH_NOW, db_url="",
                  sip_port=0, ami_port=0, fastagi_port=0, api_port=0,
                  # a small random RTP block (100 calls): several scratch hotlines side by side
                  rtp_start=0, rtp_ports=400, expected_calls=100)
    # no configuration file: on an installed server /etc/hotline/hotline.toml is that server's (its
    # gateway, its e-mail recipients), never a scratch hotline's
    return load(use_file=False, **{**values, **overrides}).settings


def loads_as_given(s: Settings, directory: Path) -> list[str]:
    """A scratch hotline's dialplan gate: it loads what it is given (it is what is being tested)."""
    return []


@contextmanager
def scratch_hotline(s: Settings, accounts: int = 20):
    """`up` on scratch settings with demo accounts; yields the DB sessions; `down` afterwards."""
    sessions = prepare_database(s)
    with sessions() as db:
        seed_demo(db, accounts=accounts)
    up(s, log=lambda m: None, dialplan_gate=loads_as_given)
    try:
        yield sessions
    finally:
        down(s)

