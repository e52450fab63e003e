"""The telephony the three automated dialers share (hotline.service.dialer_line): a round places what is
due and hands every ended attempt on; a refused Originate ends its attempt as failed; the loop runs a
round when woken and survives a failing one."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from hotline.service.dialer_line import FAILED, CallPlacer, DialerLoop, DialRoute

log = logging.getLogger("test.dialer_line")


@dataclass
class Due:
    ref: str
    token: str = "tok"


@dataclass
class Policy:
    ring_s: int = 25


@dataclass
class FakeDialer:
    due: list = field(default_factory=list)
    over: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    policy: Policy = field(default_factory=Policy)

    def next_calls(self):
        due, over = self.due, self.over
        self.due, self.over = [], []
        return due, over

    def dial_failed(self, ref, status):
        self.failed.append((ref, status))
        return f"end of {ref}"


class Ami:
    def __init__(self, answer=None, up=True):
        self.connected = asyncio.Event()
        if up:
            self.connected.set()
        self.answer = answer or {"Response": "Success"}
        self.sent = []

    async def action(self, name, **fields):
        self.sent.append((name, fields))
        return self.answer


ROUTE = DialRoute("x-dial", "x-call", lambda p: f"x call {p.ref}")


async def test_a_round_originates_each_due_call_by_its_ref_and_hands_on_what_ended_before():
    dialer, ami, ended = FakeDialer([Due("r1"), Due("r2")], ["given up"]), Ami(), []

    async def hear(end):
        ended.append(end)
    assert await CallPlacer(dialer, ami, "96069", hear, ROUTE, log).round() == 2
    assert ended == ["given up"]
    assert [f["Channel"] for _n, f in ami.sent] == ["Local/r1@x-dial/n", "Local/r2@x-dial/n"]
    name, f = ami.sent[0]
    assert (name, f["Context"], f["Exten"], f["CallerID"]) == ("Originate", "x-call", "r1", "96069")
    assert f["Variable"] == "__HOTLINE_CALL_TOKEN=tok" and f["Timeout"] == str((25 + 30) * 1000)


async def test_a_refused_originate_ends_its_attempt_as_failed_and_a_failed_preparation_does_not_stop_the_call():
    dialer, ended = FakeDialer([Due("r1")]), []

    async def hear(end):
        ended.append(end)

    def prepare(_p):
        raise RuntimeError("espeak-ng missing")
    refused = Ami({"Response": "Error", "Message": "Extension does not exist"})
    assert await CallPlacer(dialer, refused, "", hear, ROUTE, log, prepare).round() == 0
    assert len(refused.sent) == 1 and refused.sent[0][1]["CallerID"] is None     # no public number: none shown
    assert dialer.failed == [("r1", FAILED)] and ended == ["end of r1"]


async def test_nothing_is_taken_from_the_dialer_while_ami_is_down():
    dialer = FakeDialer([Due("r1")])

    async def hear(_end):
        pass
    assert await CallPlacer(dialer, Ami(up=False), "", hear, ROUTE, log).round() == 0
    assert dialer.due                                   # still due: placed once AMI is back


async def test_the_loop_runs_a_round_when_woken_and_survives_a_failing_one():
    rounds = []

    async def step():
        rounds.append(True)
        if len(rounds) == 1:
            raise RuntimeError("database down")
    loop = DialerLoop("x calls", step, log, every_s=60)
    task = asyncio.create_task(loop.run())
    try:
        for _ in range(50):
            await asyncio.sleep(0.01)
            if rounds:
                break
        assert len(rounds) == 1                         # at start (it failed)
        loop.wake()
        for _ in range(50):
            await asyncio.sleep(0.01)
            if len(rounds) == 2:
                break
        assert len(rounds) == 2                         # woken: at once, not after a minute
    finally:
        task.cancel()
