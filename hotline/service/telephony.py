"""What the agent API asks of the telephony side — the narrow interface the routes are handed
instead of the whole service (HotlineService implements it; unit tests hand a fake)."""
from __future__ import annotations

from typing import Protocol


class Telephony(Protocol):
    sip_port: int
    active_calls: int

    def agent_state(self, no: str) -> dict: ...
    def ami_up(self) -> bool: ...
    async def parts(self) -> dict[str, bool]: ...
    async def metrics_text(self) -> bytes: ...
    async def phones_current(self) -> None: ...
    async def phones_changed(self) -> None: ...
    async def set_queue_member(self, no: str, member: bool) -> None: ...
    async def set_paused(self, no: str, paused: bool, reason: str) -> None: ...
    async def wrapup_done(self, no: str) -> bool: ...
    async def transfer_states(self) -> tuple[dict[str, dict], dict[str, str]]: ...
    async def listen_in(self, lead_no: str, grant: dict) -> None: ...
    async def call_out(self, out) -> None: ...
    #: what a supervisor's desk is greeted with: the recordings disk, the report's e-mail, hot spots
    def supervisor_hello(self) -> dict: ...


#: the names the agent API may use of the telephony side: the protocol's, nothing else
NAMES = frozenset(n for n in vars(Telephony) if not n.startswith("_")) | frozenset(Telephony.__annotations__)


class TelephonyView:
    """The service as the routes see it: the `Telephony` names, delegated; any other attribute of the
    service (its database, its queue, its AMI) is an AttributeError in a handler, not a shortcut."""

    def __init__(self, service):
        object.__setattr__(self, "_service", service)

    def __getattr__(self, name: str):
        if name not in NAMES:
            raise AttributeError(f"the agent API reaches the telephony side through Telephony: no {name!r}")
        return getattr(self._service, name)

    def __setattr__(self, name, value):
        raise AttributeError("the telephony view is read-only")
