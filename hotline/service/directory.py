"""The transfer directory: who an agent can transfer a caller to, with their state right now.

Pure (no I/O), so it is unit-tested alone: the desk service hands in the logged-in users
(from the database), the queue's live state (`QueueState.agents`) and Asterisk's device states
of the agents' phones (AMI `DeviceStateList`: ``{"PJSIP/agent-1001": "NOT_INUSE", …}``). An
entry holds the 工号, name, role, state and pause reason — never a phone secret or address.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from common import wire
from common.naming import interface

#: roles that take transferred calls, team leads first
ROLE_ORDER = {"team_lead": 0, "head": 1, "agent": 2}
#: Asterisk device states (devicestate.h names) of a phone that is talking or holding a call
_ON_CALL = {"INUSE", "BUSY", "ONHOLD", "RINGINUSE"}
#: a phone Asterisk cannot reach: no registered contact, no such endpoint, not known yet
UNREGISTERED = {"UNAVAILABLE", "INVALID", "UNKNOWN", ""}


def device_states(events: Iterable[Mapping]) -> dict[str, str]:
    """`DeviceStateList`'s DeviceStateChange events → {device: state}."""
    return {str(e.get("Device", "")): str(e.get("State", "")).upper()
            for e in events if e.get("Event") == "DeviceStateChange" and e.get("Device")}


def entry_state(device_state: str, queue: Mapping | None) -> str:
    """One of wire.DIRECTORY_STATES from the phone's device state and the queue's record."""
    device_state = (device_state or "").upper()
    queue = queue or {}
    if device_state in UNREGISTERED:
        return "unregistered"
    if device_state in _ON_CALL or queue.get("in_call"):
        return "on_call"
    if device_state == "RINGING":
        return "ringing"
    if queue.get("member") and queue.get("paused"):
        return "paused"
    return "free"


def build_directory(users: Iterable[tuple[str, str, str]], me: str, queue_agents: Mapping[str, Mapping],
                    devices: Mapping[str, str]) -> list[dict]:
    """`users`: (工号, name, role value) of the logged-in, active users. The asker (`me`) and
    roles that take no calls (admin) are left out; team leads first, then free before busy."""
    out = []
    seen = set()
    for agent_no, name, role in users:
        if agent_no == me or role not in ROLE_ORDER or agent_no in seen:
            continue
        seen.add(agent_no)
        q = queue_agents.get(agent_no) or {}
        state = entry_state(devices.get(interface(agent_no), ""), q)
        out.append({"agent_no": agent_no, "name": name, "role": role, "state": state,
                    "in_queue": bool(q.get("member")),
                    "reason": q.get("reason", "") if state == "paused" else ""})
    order = {s: i for i, s in enumerate(wire.DIRECTORY_STATES)}
    out.sort(key=lambda e: (ROLE_ORDER[e["role"]], order[e["state"]], e["agent_no"]))
    return out
