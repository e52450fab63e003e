"""Ticket listings shared by the CLI and the agent API."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Call, Ticket
from db.queries import ticket_summary


def ticket_dict(t: Ticket) -> dict:
    call: Call | None = t.calls[0] if t.calls else None
    return {
        **ticket_summary(t),
        "account_no": t.account.account_no if t.account else None,
        "caller_number": t.caller_number,
        "callback_number": t.callback_number,
        "priority": t.priority,
        "call_outcome": call.outcome.value if call and call.outcome else None,
        "last_step": call.last_step if call else None,
        "voice_path": t.voice_path,
        "address": t.address_snapshot,
    }


def list_tickets(db: Session, since: datetime | None = None) -> list[dict]:
    q = select(Ticket).options(selectinload(Ticket.calls), selectinload(Ticket.account),
                               selectinload(Ticket.station)).order_by(Ticket.id)
    if since is not None:
        q = q.where(Ticket.created_at >= since)
    return [ticket_dict(t) for t in db.scalars(q)]
