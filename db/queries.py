"""Queries and serialisers shared by the IVR (ivr.context), the admin CLI (hotline.admin) and the
desk service (hotline.service.desk), so each fact is read and written out in one place."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from db.models import AccountPhone, HeatingAccount, Ticket


def accounts_with_phone(phone: str) -> Select:
    """The accounts listing `phone` (already normalised, e.g. by ivr.validation.normalise_caller_id),
    their phones loaded, in a stable order; callers add `.unique()` to the scalars."""
    return (select(HeatingAccount).join(AccountPhone).where(AccountPhone.phone == phone)
            .options(selectinload(HeatingAccount.phones)).order_by(HeatingAccount.account_no))


def iso(at) -> str | None:
    return at.isoformat(timespec="seconds") if at else None


def ticket_summary(t: Ticket) -> dict:
    """What every listing shows of a ticket: the desk's history rows, the CLI's `tickets --json`."""
    return {"number": t.number, "state": t.state.value, "category": t.category.value if t.category else None,
            "created_at": iso(t.created_at), "station": t.station.name if t.station else None,
            "callback_requested": bool(t.callback_requested)}
