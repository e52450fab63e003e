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
        #: agent_no → the number of the caller ringing or talking there (the board shows it masked)
        self.caller_of: dict[str, str] = {}
        #: agents whose phone rings with a queue call now (not yet answered, not rung out)
        self.ringing_now: set[str] = set()
        #: agent_no → (their board state, since when on `clock`): how long they have been in it
        self.since: dict[str, tuple[str, float]] = {}
        #: callers waiting in the queue: uniqueid → {"caller", "joined" (on `clock`), "position"}
        self.waiting: dict[str, dict] = {}

    # ------------------------------------------------------------ the board --
    def board_state(self, no: str) -> str:
        """free | ringing | talking | wrapup | paused | not_in_queue (wire.BOARD_STATES; a login and
        a registered phone are the board's to judge)."""
        st = self.agent(no)
        if st["in_call"]:
            return "talking"
        if st["wrapup_until"] is not None:
            return "wrapup"
        if no in self.ringing_now and st["member"]:
            return "ringing"
        if not st["member"]:
            return "not_in_queue"
        return "paused" if st["paused"] else "free"

    def mark(self, no: str) -> None:
        """After any change to `no`: a new state starts its clock, the same state keeps it."""
        state = self.board_state(no)
        if self.since.get(no, ("",))[0] != state:
            self.since[no] = (state, self.clock())

    def in_state_s(self, no: str) -> float:
        self.mark(no)
        return max(0.0, self.clock() - self.since[no][1])

    def caller_joined(self, event: dict) -> None:
        uid = event.get("Uniqueid", "")
        if uid:
            wait = float(event.get("Wait") or 0)   # QueueStatus' QueueEntry: waiting since before we looked
            self.waiting[uid] = {"caller": event.get("CallerIDNum", ""), "joined": self.clock() - wait,
                                 "position": int(event.get("Position") or 0)}

    def caller_gone(self, uniqueid: str) -> None:
        self.waiting.pop(uniqueid, None)

    def waiting_list(self) -> list[dict]:
        """Callers waiting, longest first, with the seconds they have waited."""
        now = self.clock()
        rows = [{"uniqueid": uid, "caller": w["caller"], "wait_s": round(now - w["joined"])}
                for uid, w in self.waiting.items()]
        rows.sort(key=lambda r: -r["wait_s"])
        for i, r in enumerate(rows, 1):
            r["position"] = i
        return rows

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
        self.mark(no)

    def in_wrapup(self, no: str) -> bool:
        return self.agent(no)["wrapup_until"] is not None

    def end_wrapup(self, no: str) -> bool:
        """Whether the agent was in wrap-up (and now is not)."""
        st = self.agent(no)
        was = st["wrapup_until"] is not None
        st["wrapup_until"] = None
        self.mark(no)
        return was

    def ringing_ticket(self, no: str) -> str | None:
        got = self.ringing.get(no)
        return got[1] if got else None

    def rang(self, no: str, uniqueid: str, ticket_no: str, caller: str = "") -> None:
        self.ringing[no] = (uniqueid, ticket_no)
        self.ringing_now.add(no)
        self.caller_of[no] = caller or self.waiting.get(uniqueid, {}).get("caller", "")
        self.mark(no)

    def connected(self, no: str) -> dict:
        st = self.agent(no)
        st["in_call"] = True
        st["calls_taken"] += 1
        self.ringing_now.discard(no)
        self.mark(no)
        return self.snapshot(no)

    def ended(self, no: str, completed: bool) -> tuple[bool, dict]:
        """(whether the agent had been talking, the new state) after AgentComplete/RingNoAnswer."""
        st = self.agent(no)
        was_talking = st["in_call"] and completed
        st["in_call"] = False
        self.ringing_now.discard(no)
        self.mark(no)
        return was_talking, self.snapshot(no)

    def caller_left(self, uniqueid: str) -> list[str]:
        """The agents a caller who hung up in the queue was ringing."""
        gone = [no for no, (uid, _t) in self.ringing.items() if uid == uniqueid]
        for no in gone:
            self.ringing.pop(no, None)
            self.ringing_now.discard(no)
            self.mark(no)
        self.caller_gone(uniqueid)
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
        self.mark(no)
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
            if ev.get("Event") == "QueueEntry":      # a caller waiting (after a restart of the service)
                self.caller_joined(ev)
                continue
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
            self.mark(no)
        return present

    def joined(self, no: str, member: bool) -> None:
        st = self.agent(no)
        st["member"] = st["wanted"] = member
        self.mark(no)

    def paused(self, no: str, paused: bool, reason: str) -> None:
        st = self.agent(no)
        st["paused"], st["reason"] = paused, reason if paused else ""
        if reason != wire.WRAPUP_REASON:
            st["wrapup_until"] = None
        self.mark(no)

    def pause_states(self, nos) -> dict[str, str | None]:
        """{工号: pause reason, or None when available} of members, for the pause log."""
        return {no: (st["reason"] if st["paused"] else None) for no in nos
                for st in [self.agent(no)] if st["member"]}

    def missing(self, present: set[str]) -> list[tuple[str, dict]]:
        """Agents who asked to be in the queue but Asterisk lost them (restart)."""
        return [(no, st) for no, st in self.agents.items() if st.get("wanted") and no not in present]
