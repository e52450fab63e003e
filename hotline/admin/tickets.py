"""Ticket listings shared by the CLI and the agent API."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Call, Ticket, TicketState
from db.queries import ticket_summary
from hotline.aftercall.lifecycle import live_call, unconfirmed_reason


def ticket_dict(t: Ticket, now: datetime, live: bool = False) -> dict:
    """`live`: a call of the ticket is still on the line (a draft then has no reason: it is being
    taken, not waiting as 待确认)."""
    call: Call | None = t.calls[0] if t.calls else None
    waiting = t.state is TicketState.draft and not live
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
        "reason": unconfirmed_reason(t) if waiting else None,
        "age_s": max(0, int((now - t.created_at).total_seconds())) if t.created_at else 0,
    }


def list_tickets(db: Session, now: datetime, since: datetime | None = None, unconfirmed: bool = False) -> list[dict]:
    """Every ticket (since a time), oldest first; `unconfirmed`: the drafts of ended calls alone (待确认)."""
    q = select(Ticket, live_call(now)).options(selectinload(Ticket.calls), selectinload(Ticket.account),
                                               selectinload(Ticket.station)).order_by(Ticket.id)
    if since is not None:
        q = q.where(Ticket.created_at >= since)
    if unconfirmed:
        q = q.where(Ticket.state == TicketState.draft, ~live_call(now))
    return [ticket_dict(t, now, live) for t, live in db.execute(q)]
