"""The one door for tickets: creating one (its number, its first transition) and moving it (the
graph, `updated_at`, the transition with who, when and why). The IVR's records, the desk service,
reconciliation and the after-call rules all come through here, each in its own transaction and
on the hotline's one clock (they pass `settings.now()`); who may make a move (roles, stations) and
the audit trail stay with the rules (hotline.aftercall). A unit test fails if a transition is
written anywhere else."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from db.models import TICKET_FLOW, Ticket, TicketCounter, TicketState, TicketTransition


class IllegalMove(ValueError):
    """The graph (db.models.TICKET_FLOW) has no such move; the rules say it in words."""

    def __init__(self, ticket: Ticket, to: TicketState):
        super().__init__(f"ticket {ticket.number}: {ticket.state.value} → {to.value} is not a move")
        self.ticket, self.frm, self.to = ticket, ticket.state, to


def next_ticket_number(db: Session, now: datetime) -> str:
    """Readable and keyable: yymmdd + a 4-digit sequence of the day, from the database
    (`reserve_ticket_numbers` of one)."""
    return reserve_ticket_numbers(db, now, 1)[0]


def reserve_ticket_numbers(db: Session, now: datetime, n: int) -> list[str]:
    """`n` consecutive numbers of the day (yymmdd + a 4-digit sequence), taken from the database.

    The day's `ticket_counter` row is moved on by `n` in one statement (INSERT … ON CONFLICT DO
    UPDATE … RETURNING, on PostgreSQL and SQLite alike) inside the caller's transaction: the row stays
    locked until that transaction ends (PostgreSQL's row lock; SQLite's write lock, taken by this
    first write — waited for, never a stale read), so two writers — two processes, two nodes on one
    PostgreSQL — never get the same number, and a rolled-back reservation gives its numbers back. A
    day's first numbers, or ones already taken (tickets numbered before the counter existed,
    imported), move the counter past the day's highest.

    The IVR reserves a block ahead (ivr.context.TicketNumbers): the number a caller hears is then
    known before its ticket is written, however long the database makes that write wait."""
    prefix = now.strftime("%y%m%d")
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(TicketCounter).values(day=prefix, seq=n)
    stmt = stmt.on_conflict_do_update(index_elements=[TicketCounter.day],
                                      set_={"seq": TicketCounter.seq + n}).returning(TicketCounter.seq)
    end = db.execute(stmt).scalar_one()
    first = end - n + 1
    numbers = [f"{prefix}{seq:04d}" for seq in range(first, end + 1)]
    if first == 1 or db.scalar(select(Ticket.id).where(Ticket.number.in_(numbers)).limit(1)) is not None:
        last = db.scalar(select(func.max(Ticket.number)).where(Ticket.number.like(prefix + "%")))
        if last and int(last[len(prefix):]) >= first:
            first = int(last[len(prefix):]) + 1
            end = first + n - 1
            db.execute(update(TicketCounter).where(TicketCounter.day == prefix).values(seq=end))
            numbers = [f"{prefix}{seq:04d}" for seq in range(first, end + 1)]
    return numbers


def give_back_ticket_numbers(db: Session, numbers: list[str]) -> bool:
    """Unused numbers of a reservation (a contiguous tail of it, as the service stops) go back to
    the counter — only while nobody has taken a number after them, so nothing is ever given twice."""
    if not numbers:
        return False
    prefix, low, high = numbers[0][:6], int(numbers[0][6:]), int(numbers[-1][6:])
    done = db.execute(update(TicketCounter).where(TicketCounter.day == prefix, TicketCounter.seq == high)
                      .values(seq=low - 1))
    return bool(done.rowcount)


def create_ticket(db: Session, now: datetime, *, state: TicketState = TicketState.draft, by: int | None = None,
                  note: str = "", number: str | None = None, **fields) -> Ticket:
    """A new ticket in `db`'s transaction, numbered from the day's counter (which skips a number
    already taken, so no retry loop is needed) unless `number` was reserved for it before
    (`reserve_ticket_numbers`), with its first transition; flushed, so its id is there. `by` is the
    user id (None: the IVR or the system)."""
    t = Ticket(number=number or next_ticket_number(db, now), state=state, created_at=now, updated_at=now, **fields)
    t.transitions.append(TicketTransition(state=state, at=now, user_id=by, note=note))
    db.add(t)
    db.flush()
    return t


def move_ticket(db: Session, t: Ticket, to: TicketState, now: datetime, *, by: int | None = None,
                note: str = "") -> TicketState:
    """Move `t` along the graph: its state, `updated_at` and the transition. Returns the state it
    left. Raises IllegalMove when the graph has no such move."""
    if to not in TICKET_FLOW[t.state]:
        raise IllegalMove(t, to)
    before = t.state
    t.state, t.updated_at = to, now
    t.transitions.append(TicketTransition(state=to, at=now, user_id=by, note=note))
    db.flush()
    return before
