"""Every caller accounted for, whatever died (#26): sipp callers through the full intake on a real
Asterisk 22 and the real service, the service or Asterisk killed (SIGKILL) while they are on the
line, every caller counted afterwards from the database.

- The service killed mid-load — nobody logged in (callers turned away by the empty queue), or an
  agent logged in on a break (callers wait in the queue): some callers hang up while it is down,
  the rest after it is back. Within a minute of its return every caller's call is closed and they
  have a ticket on the call-back list.
- Asterisk killed mid-load: within a minute of its return every interrupted call is closed
  `interrupted` and its ticket flagged for call-back.

One scratch hotline for the module; each test its own callers. The figures each run measured are
printed (pytest -s shows them): callers, call records, tickets, call-backs, anything lost.
"""
from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import select

from bench.desk_demo import demo_callers
from bench.scratch import scratch_hotline
from bench.sipp import intake_pcaps, scenario_xml, schedule, stand_by_member, start_sipp
from common.ami import ami_action
from common.naming import AMI_ADMIN_USER, QUEUE
from common.secrets import ami_admin_secret
from db.models import Call, CallOutcome, Ticket
from hotline.admin import runtime
from hotline.admin.amiclient import AmiEventLog
from conftest import require_tool, scratch, wait_for

pytestmark = pytest.mark.asterisk

#: callers who hang up 15 s after the answer (mostly while the service is down), and callers
#: through the whole intake and on into the queue (hanging up after it is back)
SHORT, FULL = 6, 8
#: the promise: within a minute of the service's (or Asterisk's) return, nobody is missing
WITHIN_S = 60


class Line:
    def __init__(self, s, sessions, work):
        self.s, self.sessions, self.work = s, sessions, work
        self.state = runtime.read_state(s)
        self.ami = AmiEventLog(self.state["ports"]["ami"], AMI_ADMIN_USER, ami_admin_secret(s), events="off")
        self.keys, self.on_line = schedule(s, queue_s=5)
        self.pcaps = intake_pcaps(work, self.keys)
        self.runs = 0
        self.used: set[str] = set()

    def callers(self, n: int) -> list[str]:
        """`n` residents who have not called yet (demo mobiles, one account each, no open ticket)."""
        fresh = [number for number, _known in demo_callers(self.s, n + len(self.used)) if number not in self.used]
        self.used.update(fresh[:n])
        return fresh[:n]

    def place(self, numbers: list[str], hold_s: float | None = None, rate: float = 1.0):
        """sipp calling from `numbers`: the intake's keys, then the queue; with `hold_s` only the
        keys that fall before it, then BYE at `hold_s` after the answer."""
        self.runs += 1
        keys = [k for k in self.keys if hold_s is None or k[0] < hold_s - 1]
        xml = scenario_xml(keys, self.pcaps[:len(keys)], hold_s or self.on_line)
        return start_sipp(self.work, f"run{self.runs}", self.state["ports"]["sip"], self.s.extension, xml,
                          numbers, concurrency=len(numbers), rate=rate)

    def placed(self) -> dict[str, str]:
        """Each sipp run's last statistics line: calls created, successful, failed (a lost caller
        whose run created no call was never placed)."""
        out = {}
        for i in range(1, self.runs + 1):
            stat = self.work / f"run{i}_stat.csv"
            rows = [r.split(";") for r in stat.read_text().splitlines()] if stat.exists() else []
            if len(rows) >= 2:
                col = {k: n for n, k in enumerate(rows[0])}
                out[f"run{i}"] = "/".join(rows[-1][col[k]] for k in ("TotalCallCreated", "SuccessfulCall(C)",
                                                                      "FailedCall(C)"))
        return out

    def queue_member(self, present: bool) -> None:
        """The stand-by agent: logged in on a break (callers wait) or not at all (they are turned away)."""
        self.ami.action(ami_action("QueueRemove", Queue=QUEUE, Interface="Local/hangup@hotline"))
        if present:
            stand_by_member(self.ami)

    def reconnect(self) -> None:
        self.ami.close()
        self.state = runtime.read_state(self.s)
        self.ami = AmiEventLog(self.state["ports"]["ami"], AMI_ADMIN_USER, ami_admin_secret(self.s), events="off")

    def accounted(self, numbers: list[str], reasons=None) -> dict:
        """Each caller's calls and tickets: `lost` are the callers with a call left open or no
        ticket on the call-back list (with a reason among `reasons`, when given)."""
        out = {"callers": len(numbers), "calls": 0, "open": 0, "tickets": 0, "call_backs": 0, "lost": [],
               "outcomes": {}}
        with self.sessions() as db:
            for n in numbers:
                calls = db.scalars(select(Call).where(Call.caller == n)).all()
                tickets = [db.get(Ticket, c.ticket_id) for c in calls if c.ticket_id]
                booked = [t for t in tickets if t.callback_requested and (reasons is None or t.callback_reason in reasons)]
                out["calls"] += len(calls)
                out["open"] += sum(c.outcome is None for c in calls)
                out["tickets"] += len(tickets)
                out["call_backs"] += len(booked)
                for c in calls:
                    key = c.outcome.value if c.outcome else "open"
                    out["outcomes"][key] = out["outcomes"].get(key, 0) + 1
                if not calls or any(c.outcome is None for c in calls) or not booked:
                    out["lost"].append(n)
        return out

    def close(self) -> None:
        self.ami.close()


@pytest.fixture(scope="module")
def line(tmp_path_factory):
    require_tool("sipp", "sip-tester")
    s = scratch(tmp_path_factory.mktemp("faults-home"))
    work = tmp_path_factory.mktemp("faults-sipp")
    with scratch_hotline(s, accounts=3 * (SHORT + FULL) + 20) as sessions:
        ln = Line(s, sessions, work)
        yield ln
        ln.close()


def finished(proc, timeout: float) -> None:
    try:
        proc.wait(timeout)
    except Exception:
        proc.kill()
        proc.wait(10)


@pytest.mark.parametrize("agent", [False, True], ids=["nobody-logged-in", "agent-on-a-break"])
def test_the_service_killed_mid_load_leaves_every_caller_a_ticket_on_the_call_back_list_within_a_minute(line, agent):
    line.queue_member(agent)
    numbers = line.callers(SHORT + FULL)
    short, full = numbers[:SHORT], numbers[SHORT:]
    runs = [line.place(full, rate=2), line.place(short, hold_s=15, rate=1)]
    time.sleep(8)                               # callers spread through greeting, address, problem
    os.kill(runtime.read_state(line.s)["service_pid"], signal.SIGKILL)
    time.sleep(15)                              # the short callers hang up meanwhile; new calls go degraded
    runtime.restart_service(line.s)
    back = time.monotonic()
    for proc in runs:
        finished(proc, line.on_line + 60)
    last_hang_up = time.monotonic()

    def everyone():
        got = line.accounted(numbers)
        return got if not got["lost"] else None
    try:
        wait_for(everyone, WITHIN_S, "every caller accounted for")
    finally:
        got = line.accounted(numbers)
        print(f"\nservice killed, {'an agent on a break' if agent else 'nobody logged in'}: {got} — "
              f"{time.monotonic() - back:.0f} s after the service's return, "
              f"{time.monotonic() - last_hang_up:.0f} s after the last caller hung up; sipp created/ok/failed "
              f"{line.placed()}")
    assert got["lost"] == [] and got["open"] == 0, got
    assert got["call_backs"] >= len(numbers), got


def test_asterisk_killed_mid_load_closes_every_call_interrupted_and_flags_its_ticket_within_a_minute(line):
    line.queue_member(True)
    numbers = line.callers(FULL + SHORT)
    proc = line.place(numbers, rate=2)
    time.sleep(19)                              # drafts for some, the greeting for others
    with line.sessions() as db:
        up = db.scalars(select(Call).where(Call.caller.in_(numbers), Call.outcome.is_(None))).all()
        drafts = sum(c.ticket_id is not None for c in up)
    assert up, "no call was up when Asterisk was killed"
    os.kill(line.state["asterisk_pid"], signal.SIGKILL)
    proc.kill()
    proc.wait(10)
    runtime.restart_asterisk(line.s)
    back = time.monotonic()
    line.reconnect()
    cut = [c.uniqueid for c in up]

    def closed():
        with line.sessions() as db:
            calls = db.scalars(select(Call).where(Call.uniqueid.in_(cut))).all()
            return calls if all(c.outcome is not None for c in calls) else None
    try:
        wait_for(closed, WITHIN_S, "every interrupted call closed")
    finally:
        got = line.accounted(numbers, reasons={CallOutcome.interrupted})
        print(f"\nAsterisk killed: {len(cut)} calls up ({drafts} with a draft): {got} "
              f"({time.monotonic() - back:.0f} s after Asterisk's return)")
    with line.sessions() as db:
        calls = db.scalars(select(Call).where(Call.uniqueid.in_(cut))).all()
        assert {c.outcome for c in calls} == {CallOutcome.interrupted}
        flagged = [db.get(Ticket, c.ticket_id) for c in calls if c.ticket_id]
        # every caller cut off is on the call-back list: the drafts flagged, the others given one
        assert len(flagged) == len(calls) and all(t.callback_requested and t.callback_reason is
                                                  CallOutcome.interrupted for t in flagged)
