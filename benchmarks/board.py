"""The agent board and the wall (#30): how long one board takes to build on a busy winter's day, and the
alerts' round on it. Run on demand, not a test:

    .venv/bin/python benchmarks/board.py [--agents 60] [--waiting 720] [--calls-today 6000]
                                         [--open-repairs 3000] [--rounds 20]

A fresh SQLite database (migrated to the newest schema) with `--agents` agents and team leads (half
logged in, some paused in the pause log), `--calls-today` queued calls of the reporting day (~85 %
answered, each with its ticket), `--open-repairs` open repairs with timer anomalies on some; the
service's live picture (`QueueState`) gets every agent's state and `--waiting` callers in the queue.
Then `Board.board()` (what a lead's GET /api/board and each push build, the wall the same) and
`Board.alert_round()` (every 5 s in the service) are timed `--rounds` times each, through the real
HotlineService with a recorded AMI (no Asterisk).

Goal (#30, this 2-core machine): a board in well under the push interval (1 s) with 720 callers
waiting: p95 < 250 ms, so a lead's push and the alerts' round leave the event loop to the calls.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit"))

from db.models import (AgentPause, AnomalyRecord, AnomalyState, AnomalyType, ApiSession, Call, Category,  # noqa: E402
                       HeatingAccount, Role, Ticket, TicketState, User)
from db.session import make_engine, migrate, session_factory  # noqa: E402
from common.ports import Ports  # noqa: E402
from common.settings import load_settings  # noqa: E402
from hotline.service.app import HotlineService  # noqa: E402
from ivr.context import IvrContext, Records  # noqa: E402
from test_access_matrix import PhonesAmi  # noqa: E402 (RecordedAmi that answers DeviceStateList)

NOW = datetime(2026, 12, 2, 19, 30)


def seed(sessions, agents: int, calls_today: int, open_repairs: int) -> None:
    rnd = random.Random(30)
    day_start = NOW.replace(hour=8, minute=0)
    with sessions() as db, db.begin():
        db.execute(insert(User), [{"agent_no": str(1000 + i), "name": f"座席{i}", "role": Role.team_lead if i % 15 == 0
                                   else Role.agent, "password_hash": "x", "sip_secret": "s", "active": True}
                                  for i in range(agents)])
        ids = [u for u, in db.execute(User.__table__.select().with_only_columns(User.id)).all()]
        db.execute(insert(ApiSession), [{"token_hash": f"{i:064d}", "user_id": uid, "created_at": NOW,
                                         "expires_at": NOW + timedelta(hours=8)} for i, uid in enumerate(ids[::2])])
        db.execute(insert(AgentPause), [{"user_id": uid, "reason": "小休", "started_at": NOW - timedelta(minutes=20)}
                                        for uid in ids[1::7]])
        db.execute(insert(HeatingAccount), [{"account_no": f"3{i:07d}", "name": "住户", "unit": "1", "room": "101",
                                             "district": "铁西区", "compound": "兴华北街", "building": str(i % 40)}
                                            for i in range(2000)])
        tickets = [{"number": f"261202{i:04d}", "account_id": 1 + i % 2000, "category": Category.no_heat,
                    "state": TicketState.dispatched if i < open_repairs else TicketState.closed,
                    "priority": 50 if i % 9 == 0 else 0, "created_at": NOW - timedelta(hours=3)}
                   for i in range(max(calls_today, open_repairs))]
        db.execute(insert(Ticket), tickets)
        calls = []
        for i in range(calls_today):
            queued = day_start + timedelta(seconds=rnd.uniform(0, (NOW - day_start).total_seconds()))
            answered = queued + timedelta(seconds=rnd.expovariate(1 / 25)) if rnd.random() < 0.85 else None
            calls.append({"uniqueid": f"1764{i:08d}.1", "caller": f"139{i:08d}", "ticket_id": 1 + i,
                          "ivr_at": queued, "queued_at": queued, "answered_at": answered,
                          "agent_id": ids[i % len(ids)] if answered else None, "direction": "in"})
        db.execute(insert(Call), calls)
        db.execute(insert(AnomalyRecord), [{"type": AnomalyType.station_late, "state": AnomalyState.open,
                                            "ticket_id": 1 + i, "opened_at": NOW, "deadline": NOW}
                                           for i in range(0, open_repairs, 10)])


def live(svc: HotlineService, agents: int, waiting: int) -> None:
    q = svc.queue
    for i in range(agents):
        no = str(1000 + i)
        q.joined(no, True)
        if i % 3 == 0:
            q.rang(no, f"1764{i:08d}.1", "", f"139{i:08d}")
            q.connected(no)
        elif i % 7 == 1:
            q.paused(no, True, "小休")
    for i in range(waiting):
        q.caller_joined({"Uniqueid": f"1764{i:08d}.1", "CallerIDNum": f"139{i:08d}", "Position": str(i + 1),
                         "Wait": str(waiting - i)})


def timed(label: str, fn, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        asyncio.run(fn())
        out.append((time.perf_counter() - t) * 1000)
    out.sort()
    print(f"{label:28} p50 {statistics.median(out):7.1f} ms   p95 {out[int(len(out) * 0.95) - 1]:7.1f} ms   "
          f"max {out[-1]:7.1f} ms")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=60)
    ap.add_argument("--waiting", type=int, default=720)
    ap.add_argument("--calls-today", type=int, default=6000)
    ap.add_argument("--open-repairs", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=20)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        s = load_settings(home=tmp, db_url=f"sqlite:///{tmp}/board.db", today=NOW.isoformat(timespec="minutes"))
        engine = make_engine(s.database_url)
        migrate(engine)
        sessions = session_factory(engine)
        seed(sessions, a.agents, a.calls_today, a.open_repairs)
        svc = HotlineService(s, Ports(sip=1, ami=2, fastagi=3, api=4, rtp_start=10000, rtp_end=10199),
                             ctx=IvrContext(s, Records(sessions, s)), ami=PhonesAmi())
        live(svc, a.agents, a.waiting)
        print(f"{a.agents} agents, {a.waiting} callers waiting, {a.calls_today} calls today, "
              f"{a.open_repairs} open repairs (SQLite)")
        board = asyncio.run(svc.board.board())
        print(f"board: {len(board['agents'])} agents, {len(board['waiting'])} waiting, summary "
              f"{ {k: board['summary'][k] for k in ('service_level', 'answered_today', 'open_repairs')} }")
        # the day's figures are cached 5 s in the service: the first build pays them, the next reuse
        svc.board._figures_cache = (-1e9, {})
        timed("board (figures read)", lambda: _fresh(svc), a.rounds)
        timed("board (figures cached)", svc.board.board, a.rounds)
        timed("alerts' round", svc.board.alert_round, a.rounds)
        engine.dispose()


async def _fresh(svc):
    svc.board._figures_cache = (-1e9, {})
    return await svc.board.board()


if __name__ == "__main__":
    main()
