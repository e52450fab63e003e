"""The service's live picture of the repair queue: who is a member, paused, talking, and
which call rings where. Pure (no I/O): fed by AMI events and answers to QueueStatus, read
by the agent API; after a restart of the service it is rebuilt from Asterisk."""
from __future__ import annotations

import time
from collections.abc import Callable

from common import wire
from common.naming import agent_no_of


def agent_no(event: dict) -> str:
    """The 工号 an AMI queue event is about ('' when it is about no agent phone)."""
    return agent_no_of(event.get("MemberName") or event.get("Interface", ""))


class QueueState:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        #: agent_no → {"member", "paused", "reason", "in_call", "wrapup_until", "calls_taken", "wanted"}
        self.agents: dict[str, dict] = {}
        #: agent_no → (caller uniqueid, ticket number) of the call ringing or talking there
        self.ringing: dict[str, tuple[str, str]] = {}

    def agent(self, no: str) -> dict:
        """The live record of an agent (created on first mention)."""
        return self.agents.setdefault(no, {"member": False, "paused": False, "reason": "", "in_call": False,
                                           "wrapup_until": None, "calls_taken": 0, "wanted": False})

    def snapshot(self, no: str) -> dict:
        """A copy for pushing to the desk: `wrapup_left_s` is the server's wrap-up timer (the desk
        counts it down, it does not run its own)."""
        st = dict(self.agent(no))
        until = st.pop("wrapup_until")
        st["wrapup"] = until is not None
        st["wrapup_left_s"] = max(0, round(until - self.clock())) if until is not None else 0
        return st

    def start_wrapup(self, no: str, seconds: float) -> None:
        st = self.agent(no)
        st["wrapup_until"] = self.clock() + seconds
        st["paused"], st["reason"] = True, wire.WRAPUP_REASON

    def in_wrapup(self, no: str) -> bool:
        return self.agent(no)["wrapup_until"] is not None

    def end_wrapup(self, no: str) -> bool:
        """Whether the agent was in wrap-up (and now is not)."""
        st = self.agent(no)
        was = st["wrapup_until"] is not None
        st["wrapup_until"] = None
        return was

    def ringing_ticket(self, no: str) -> str | None:
        got = self.ringing.get(no)
        return got[1] if got else None

    def rang(self, no: str, uniqueid: str, ticket_no: str) -> None:
        self.ringing[no] = (uniqueid, ticket_no)

    def connected(self, no: str) -> dict:
        st = self.agent(no)
        st["in_call"] = True
        st["calls_taken"] += 1
        return self.snapshot(no)

    def ended(self, no: str, completed: bool) -> tuple[bool, dict]:
        """(whether the agent had been talking, the new state) after AgentComplete/RingNoAnswer."""
        st = self.agent(no)
        was_talking = st["in_call"] and completed
        st["in_call"] = False
        return was_talking, self.snapshot(no)

    def caller_left(self, uniqueid: str) -> list[str]:
        """The agents a caller who hung up in the queue was ringing."""
        gone = [no for no, (uid, _t) in self.ringing.items() if uid == uniqueid]
        for no in gone:
            self.ringing.pop(no, None)
        return gone

    def member_event(self, event: dict) -> str:
        """Apply a QueueMember* event; the 工号 it was about ('' for none)."""
        no = agent_no(event)
        if not no:
            return ""
        st = self.agent(no)
        if event.get("Event") == "QueueMemberRemoved":
            st["member"], st["paused"], st["reason"], st["wrapup_until"] = False, False, "", None
        else:
            self._member_fields(st, event)
        return no

    @staticmethod
    def _member_fields(st: dict, event: dict) -> None:
        st["member"] = True
        st["paused"] = event.get("Paused") == "1"
        st["reason"] = event.get("PausedReason", "") if st["paused"] else ""
        st["in_call"] = event.get("InCall") == "1"
        if st["reason"] != wire.WRAPUP_REASON:     # unpaused, or paused for something else
            st["wrapup_until"] = None

    def from_queue_status(self, events: list[dict]) -> set[str]:
        """Who Asterisk says is in the queue (QueueStatus' QueueMember events); those not
        listed and not wanting to be are no members."""
        present: set[str] = set()
        for ev in events:
            if ev.get("Event") != "QueueMember":
                continue
            no = agent_no(ev)
            if not no:
                continue
            present.add(no)
            self._member_fields(self.agent(no), ev)
        for no, st in self.agents.items():
            if no not in present and not st.get("wanted"):
                st["member"] = False
        return present

    def joined(self, no: str, member: bool) -> None:
        st = self.agent(no)
        st["member"] = st["wanted"] = member

    def paused(self, no: str, paused: bool, reason: str) -> None:
        st = self.agent(no)
        st["paused"], st["reason"] = paused, reason if paused else ""
        if reason != wire.WRAPUP_REASON:
            st["wrapup_until"] = None

    def pause_states(self, nos) -> dict[str, str | None]:
        """{工号: pause reason, or None when available} of members, for the pause log."""
        return {no: (st["reason"] if st["paused"] else None) for no in nos
                for st in [self.agent(no)] if st["member"]}

    def missing(self, present: set[str]) -> list[tuple[str, dict]]:
        """Agents who asked to be in the queue but Asterisk lost them (restart)."""
        return [(no, st) for no, st in self.agents.items() if st.get("wanted") and no not in present]
