"""The classic AGI entry script (agi_scripts/hotline_ivr.py, pyst2) runs the same flows as the
service without a key or a call token: Asterisk starts it on the channel itself, so the flow
believes the channel's own variables. Driven here as Asterisk drives it: the AGI environment on
stdin, each command answered on stdin."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from common.settings import load_settings
from db.models import Call, CallOutcome
from db.session import make_engine, migrate, session_factory
from ivr.context import Records

SCRIPT = Path(__file__).resolve().parents[2] / "agi_scripts" / "hotline_ivr.py"


def test_a_call_ends_through_the_classic_script(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="", today="2026-11-23T10:00")
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    Records(sessions, s).start_call("1790000009.1", "1790000009.1", "13800138000", "8000")
    env = {**os.environ, "HOTLINE_HOME": str(s.home), "HOTLINE_DB_URL": "", "HOTLINE_TODAY": s.today,
           "PYTHONPATH": str(SCRIPT.parents[1])}
    proc = subprocess.Popen([sys.executable, str(SCRIPT), "call_end"], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdin.write("agi_request: hotline_ivr.py\nagi_channel: PJSIP/pstn-trunk-00000001\n"
                     "agi_uniqueid: 1790000009.1\nagi_callerid: 13800138000\n\n")
    proc.stdin.flush()
    answers = {"HOTLINE_CALL": "1790000009.1"}
    commands = []
    while (line := proc.stdout.readline()):
        commands.append(line.strip())
        name = line.strip().split(" ", 2)[2] if line.startswith("GET VARIABLE ") else None
        proc.stdin.write(f"200 result=1 ({answers[name]})\n" if name in answers else "200 result=0\n")
        proc.stdin.flush()
    assert proc.wait(30) == 0, proc.stderr.read()
    # no admission question
    assert commands == ["GET VARIABLE HOTLINE_CALL", "GET VARIABLE QUEUESTATUS", "GET VARIABLE HOTLINE_DEGRADED"]
    with sessions() as db:
        call = db.scalar(select(Call).where(Call.uniqueid == "1790000009.1"))
        assert call.ended_at is not None and call.outcome is CallOutcome.in_ivr_hangup
