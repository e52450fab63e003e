"""Queries and serialisers shared by the IVR (ivr.context), the admin CLI (hotline.admin) and the
desk service (hotline.service.desk), so each fact is read and written out in one place."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from db.models import (AccountPhone, AgentPause, HeatingAccount, RepairStation, StationArea, Ticket, TicketCounter, User,
                       stations_serving)


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


def next_ticket_number(db: Session, now: datetime) -> str:
    """Readable and keyable: yymmdd + a 4-digit sequence of the day, from the database.

    The day's `ticket_counter` row is incremented in one statement (INSERT … ON CONFLICT DO UPDATE
    … RETURNING, on PostgreSQL and SQLite alike) inside the caller's transaction: the row stays
    locked until that transaction ends (PostgreSQL's row lock; SQLite's write lock, taken by this
    first write — waited for, never a stale read), so two writers — two processes, two nodes on one
    PostgreSQL — never get the same number, and a rolled-back ticket gives its number back. A day's first
    number, or one already taken (tickets numbered before the counter existed, imported), moves the
    counter past the day's highest."""
    prefix = now.strftime("%y%m%d")
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(TicketCounter).values(day=prefix, seq=1)
    stmt = stmt.on_conflict_do_update(index_elements=[TicketCounter.day],
                                      set_={"seq": TicketCounter.seq + 1}).returning(TicketCounter.seq)
    seq = db.execute(stmt).scalar_one()
    if seq == 1 or db.scalar(select(Ticket.id).where(Ticket.number == f"{prefix}{seq:04d}")) is not None:
        last = db.scalar(select(func.max(Ticket.number)).where(Ticket.number.like(prefix + "%")))
        if last and int(last[len(prefix):]) >= seq:
            seq = int(last[len(prefix):]) + 1
            db.execute(update(TicketCounter).where(TicketCounter.day == prefix).values(seq=seq))
    return f"{prefix}{seq:04d}"


def readback_texts(db: Session) -> set[str]:
    """Every text the IVR reads back from audio rendered ahead of the call (ivr.prompts.render_readbacks):
    each account's address and each station's name."""
    rows = db.execute(select(HeatingAccount.district, HeatingAccount.compound, HeatingAccount.building,
                             HeatingAccount.unit, HeatingAccount.room)).all()
    return {HeatingAccount.format_address(*r) for r in rows} | set(db.scalars(select(RepairStation.name)))


def pause_totals(db: Session, since: datetime, until: datetime) -> list[dict]:
    """Seconds and times per (agent, pause reason) inside [since, until); a pause still open counts
    up to `until` (the reports, `hotline agents pauses`)."""
    rows = db.execute(select(User.agent_no, User.name, AgentPause.reason, AgentPause.started_at, AgentPause.ended_at)
                      .join(User, AgentPause.user_id == User.id)
                      .where(AgentPause.started_at < until,
                             or_(AgentPause.ended_at.is_(None), AgentPause.ended_at > since))).all()
    acc: dict[tuple[str, str, str], list[float]] = {}
    for no, name, reason, start, end in rows:
        got = acc.setdefault((no, name, reason), [0.0, 0])
        got[0] += max(0.0, (min(end or until, until) - max(start, since)).total_seconds())
        got[1] += 1
    return [{"agent_no": no, "name": name, "reason": reason, "seconds": round(v[0]), "times": v[1]}
            for (no, name, reason), v in sorted(acc.items())]


def stations_for(db: Session, addresses) -> dict[tuple[str, str, str], RepairStation]:
    """{(district, compound, building): the station serving it} by the finest area that matches —
    the building, then the compound (小区), then the district (a district-wide area, or the
    district's own station) — for many addresses in two queries."""
    addresses = {(d or "", c or "", b or "") for d, c, b in addresses}
    districts = {d for d, _c, _b in addresses if d}
    if not districts:
        return {}
    areas = db.execute(select(StationArea.district, StationArea.compound, StationArea.building, RepairStation)
                       .join(RepairStation, StationArea.station_id == RepairStation.id)
                       .where(StationArea.district.in_(districts))).all()
    fallback = stations_serving(db, districts)
    found: dict[tuple[str, str, str], RepairStation] = {}
    for d, c, b in addresses:
        best, rank = fallback.get(d), -1
        for a_d, a_c, a_b, st in areas:
            if a_d != d or (a_c and a_c != c) or (a_b and (not a_c or a_b != b)):
                continue
            r = 2 if a_b else 1 if a_c else 0
            if r > rank:
                best, rank = st, r
        if best is not None:
            found[(d, c, b)] = best
    return found


def station_for(db: Session, district: str, compound: str = "", building: str = "") -> RepairStation | None:
    """The station serving one address (see `stations_for`)."""
    return stations_for(db, [(district, compound, building)]).get((district or "", compound or "", building or ""))


def station_dict(st: RepairStation) -> dict:
    """A station as GET /api/stations and `hotline stations list` show it."""
    return {"code": st.code, "name": st.name, "phone": st.phone, "districts": [d.name for d in st.districts],
            "areas": [{"district": a.district, "compound": a.compound, "building": a.building} for a in st.areas],
            "technicians": list(st.technician_phones or [])}
