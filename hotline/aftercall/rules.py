"""Who is acting, refusals and the audit trail — shared by the desk service and the after-call
work (and the CLI, whose actor is a person named with --as)."""
from __future__ import annotations

import contextvars
import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEntry, Call, Role, Ticket, User
from common.agent_phones import CALLS_OUT_ROLES

#: roles that see and steer everything after the call
SUPERVISORS = (Role.team_lead, Role.head, Role.admin)
#: roles at a phone that works residents' calls: the queue (join, pause, reject), calls out
#: (click-to-call), the call-back and 回访 lists' calls; their endpoints alone carry the
#: dialplan's permission to call out (common.agent_phones). Never a station: it has no phone.
CALLERS = tuple(Role(r) for r in CALLS_OUT_ROLES)
OBJECT_ID_MAX = 64

#: the source address of the request being handled (audit entries record it); set by the
#: HTTP layer and copied into the worker thread by asyncio.to_thread
source_address: contextvars.ContextVar[str] = contextvars.ContextVar("source", default="")


class RuleError(Exception):
    """A refusal with a status the HTTP layer answers (the CLI prints) and words the person reads."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class Refused(RuleError):
    """A refused access: answered 403 and audited as `action` on (object_type, object_id)."""

    def __init__(self, message: str, action: str, object_type: str, object_id: str = ""):
        super().__init__(403, message)
        self.action, self.object_type, self.object_id = action, object_type, str(object_id)


@dataclass(frozen=True)
class Actor:
    """The person doing it: from an API session, or the CLI's --as 工号."""
    user_id: int
    agent_no: str
    role: Role
    station_id: int | None = None

    @property
    def supervises(self) -> bool:
        return self.role in SUPERVISORS


def actor_for(db: Session, agent_no: str) -> Actor:
    u = db.scalar(select(User).where(User.agent_no == agent_no, User.active.is_(True)))
    if u is None:
        raise RuleError(404, f"没有这个工号: {agent_no}")
    return Actor(u.id, u.agent_no, u.role, u.station_id)


def ticket_by_number(db: Session, number, *options) -> Ticket:
    """The ticket of this number (loaded with `options`), or a 404 the person reads."""
    t = db.scalar(select(Ticket).where(Ticket.number == str(number)[:16]).options(*options))
    if t is None:
        raise RuleError(404, f"没有这张报修单: {str(number)[:20]}")
    return t


def works_on(db: Session, user_id: int, t: Ticket) -> bool:
    """An agent's own ticket: assigned to them by a team lead, or of a call they answered. The desk
    and the after-call rules each add their own (a ringing call; the 回访 list) on top."""
    return t.assigned_agent_id == user_id or db.scalar(
        select(Call.id).where(Call.ticket_id == t.id, Call.agent_id == user_id).limit(1)) is not None


def audit_object_id(object_id: str) -> str:
    """Fits the column: a long id keeps its head and a hash of the whole (never lost)."""
    object_id = str(object_id)
    if len(object_id) <= OBJECT_ID_MAX:
        return object_id
    digest = hashlib.sha256(object_id.encode("utf-8", "replace")).hexdigest()[:16]
    return f"{object_id[:OBJECT_ID_MAX - 18]}~{digest}"


def add_audit(db: Session, actor: str, action: str, object_type: str, object_id: str = "", **detail) -> None:
    db.add(AuditEntry(actor=actor[:64], action=action[:32], object_type=object_type[:32],
                      object_id=audit_object_id(object_id), detail=detail or None, at=datetime.now(),
                      source=source_address.get()[:64]))
