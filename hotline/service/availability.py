"""Whether the queue may ring an agent: joining and leaving, 示忙 with a reason, after-call work
(话后整理) and ring-no-answer (autopause), as the service drives them through the one AMI gateway.

Wrap-up is server-side state: when an agent's queue call ends they are paused with reason
话后整理 for `Settings.wrapup_s` (default 30 s) or until they press 整理完成, whichever comes
first; the desk shows the server's timer. A queue call that rang out at an agent (or that they
rejected) pauses them with reason 未接听 until they make themselves available again. Every
change of pause state Asterisk reports is written to the pause log (time per reason per agent).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from hotline.service.pauses import PauseLog
from hotline.service.queue_state import QueueState
from common import wire
from common.naming import QUEUE, endpoint, interface

log = logging.getLogger("hotline.availability")

Push = Callable[[str, dict], Awaitable[None]]


class Availability:
    def __init__(self, ami, queue: QueueState, pauses: PauseLog, wrapup_s: float, push: Push):
        self.ami, self.queue, self.pauses, self.wrapup_s, self.push = ami, queue, pauses, wrapup_s, push
        self._wrapup_timers: dict[str, asyncio.Task] = {}

    async def _state(self, no: str) -> None:
        await self.push(no, {"type": wire.EV_AGENT_STATE, "agent_state": self.queue.snapshot(no)})

    # ------------------------------------------------------------ members --
    async def join(self, no: str, member: bool) -> None:
        iface = interface(no)
        if member:
            await self.ami.action("QueueAdd", Queue=QUEUE, Interface=iface, MemberName=endpoint(no),
                                  StateInterface=iface, Penalty="0")
        else:
            self._cancel_wrapup(no)
            await self.ami.action("QueueRemove", Queue=QUEUE, Interface=iface)
        self.queue.joined(no, member)

    async def pause(self, no: str, paused: bool, reason: str) -> None:
        """The agent's own 示忙 / 示闲 (reason checked against the list by the caller); during
        wrap-up either ends it: 示闲 early, or a pause with a reason of their own."""
        self._cancel_wrapup(no)
        await self._queue_pause(no, paused, reason)

    async def _queue_pause(self, no: str, paused: bool, reason: str) -> None:
        await self.ami.action("QueuePause", Queue=QUEUE, Interface=interface(no),
                              Paused="true" if paused else "false", Reason=reason)
        self.queue.paused(no, paused, reason)

    # ------------------------------------------------------------ wrap-up --
    async def call_completed(self, no: str) -> None:
        """An answered queue call of `no` ended: wrap-up starts, unless they are paused already
        (a 示忙 pressed during the call stands) or wrap-up is switched off."""
        st = self.queue.agent(no)
        if self.wrapup_s <= 0 or not st["member"] or st["paused"]:
            return
        await self._queue_pause(no, True, wire.WRAPUP_REASON)
        self._start_timer(no)
        await self._state(no)

    async def wrapup_done(self, no: str) -> bool:
        """整理完成 (or the timer ran out): available again. False if they were not in wrap-up."""
        if not self.queue.in_wrapup(no):
            return False
        self._cancel_wrapup(no)
        self.queue.end_wrapup(no)
        await self._queue_pause(no, False, "")
        await self._state(no)
        return True

    async def _wrapup_runs_out(self, no: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self._wrapup_timers.pop(no, None)     # this task is ending: wrapup_done must not cancel it
        try:
            await self.wrapup_done(no)
        except Exception as exc:   # AMI down: Asterisk keeps them paused; 整理完成 still works
            log.warning("could not end %s's wrap-up: %s", no, exc)

    def _start_timer(self, no: str) -> None:
        old = self._wrapup_timers.pop(no, None)
        if old is not None:
            old.cancel()
        self.queue.start_wrapup(no, self.wrapup_s)
        self._wrapup_timers[no] = asyncio.create_task(self._wrapup_runs_out(no, self.wrapup_s))

    def _cancel_wrapup(self, no: str) -> None:
        task = self._wrapup_timers.pop(no, None)
        if task is not None:
            task.cancel()
        self.queue.end_wrapup(no)

    async def resume_wrapups(self) -> None:
        """After a restart of the service: members Asterisk still holds in 话后整理 get the rest of
        it — its deadline was in the old process, so they get it in full, once."""
        for no, st in list(self.queue.agents.items()):
            if st["member"] and st["paused"] and st["reason"] == wire.WRAPUP_REASON and no not in self._wrapup_timers:
                self._start_timer(no)

    # ---------------------------------------------------------- autopause --
    async def rang_out(self, no: str, uniqueid: str) -> bool:
        """A queue call rang at `no` and was not answered (or was rejected): paused 未接听, told
        so. False if they were paused already (nothing changes)."""
        st = self.queue.agent(no)
        if not st["member"] or st["paused"]:
            return False
        await self._queue_pause(no, True, wire.NO_ANSWER_REASON)
        await self.push(no, {"type": wire.EV_RING_NO_ANSWER, "uniqueid": uniqueid,
                             "agent_state": self.queue.snapshot(no)})
        return True

    # ---------------------------------------------------------- pause log --
    async def record(self, no: str) -> None:
        """Write the member's pause state as now known to the pause log."""
        await asyncio.to_thread(self.pauses.sync, self.queue.pause_states([no]) or {no: None})

    async def record_all(self) -> None:
        await asyncio.to_thread(self.pauses.sync, self.queue.pause_states(list(self.queue.agents)))
