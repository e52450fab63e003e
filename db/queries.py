"""Queries and serialisers shared by the IVR (ivr.context), the admin CLI (hotline.admin) and the
desk service (hotline.service.desk), so each fact is read and written out in one place."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.orm import selectinload

from db.models import (AccountPhone, AgentPause, Call, CallHold, HeatingAccount, RepairStation, Role, StationArea, Survey,
                       Ticket, TicketState, TicketTransition, User, stations_serving)
from common.agent_phones import PHONELESS_ROLES, AgentPhone


def accounts_with_phone(phone: str) -> Select:
    """The accounts listing `phone` (already normalised, e.g. by common.phones.normalise_caller_id),
    their phones loaded, in a stable order; callers add `.unique()` to the scalars."""
    return (select(HeatingAccount).join(AccountPhone).where(AccountPhone.phone == phone)
            .options(selectinload(HeatingAccount.phones)).order_by(HeatingAccount.account_no))


def agent_phones(db: Session) -> list[AgentPhone]:
    """The phones Asterisk is to know (common.agent_phones): every active login but a station's."""
    return [AgentPhone(u.agent_no, u.name, u.sip_secret, u.role.value)
            for u in db.scalars(select(User).where(User.active.is_(True),
                                                   User.role.not_in([Role(r) for r in PHONELESS_ROLES]))
                                .order_by(User.agent_no))]


def iso(at) -> str | None:
    return at.isoformat(timespec="seconds") if at else None


def ticket_summary(t: Ticket) -> dict:
    """What every listing shows of a ticket: the desk's history rows, the CLI's `tickets --json`."""
    return {"number": t.number, "state": t.state.value, "category": t.category.value if t.category else None,
            "created_at": iso(t.created_at), "station": t.station.name if t.station else None,
            "callback_requested": bool(t.callback_requested)}


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


def hold_totals(db: Session, since: datetime, until: datetime) -> dict[str, dict]:
    """{工号: {"seconds", "times"}} of the calls agents' phones held inside [since, until); a hold
    not yet ended counts up to its call's end (no Unhold came), or up to `until`."""
    rows = db.execute(select(User.agent_no, CallHold.started_at, CallHold.ended_at, Call.ended_at)
                      .join(User, CallHold.user_id == User.id).join(Call, CallHold.call_id == Call.id)
                      .where(CallHold.started_at < until,
                             or_(CallHold.ended_at.is_(None), CallHold.ended_at > since))).all()
    out: dict[str, dict] = {}
    for no, start, end, call_end in rows:
        got = out.setdefault(no, {"seconds": 0.0, "times": 0})
        got["seconds"] += max(0.0, (min(end or call_end or until, until) - max(start, since)).total_seconds())
        got["times"] += start >= since
    return {no: {"seconds": round(v["seconds"]), "times": v["times"]} for no, v in sorted(out.items())}


def close_holds(db: Session, call_id: int, at: datetime) -> None:
    """The call is over: a hold no Unhold ended ends with it."""
    for h in db.scalars(select(CallHold).where(CallHold.call_id == call_id, CallHold.ended_at.is_(None))):
        h.ended_at = max(at, h.started_at)


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


#: how `survey_results` groups: the repair, the agent who took its call, its station, the technician
#: (the station login that filed its 返单)
SURVEY_GROUPS = ("ticket", "agent", "station", "technician")


def survey_results(db: Session, by: str = "station", since: datetime | None = None,
                   until: datetime | None = None) -> list[dict]:
    """回访 results (surveys at in [since, until)) per group of `SURVEY_GROUPS`: how many, a solved /
    not, b satisfied / average / unsatisfied, c charged, d's average, by agent or by the automated
    call (ivr) — the reports' feed and `hotline survey stats`. Unknown groups (no agent took the
    call, no station) count under None."""
    if by not in SURVEY_GROUPS:
        raise ValueError(f"group by one of {', '.join(SURVEY_GROUPS)}, not {by!r}")
    q = select(Survey, Ticket).join(Ticket, Survey.ticket_id == Ticket.id)
    if since is not None:
        q = q.where(Survey.at >= since)
    if until is not None:
        q = q.where(Survey.at < until)
    rows = db.execute(q.order_by(Survey.at, Survey.id)).all()
    ids = {t.id for _s, t in rows}
    key_of: dict[int, tuple[str | None, str | None]] = {}
    if by == "ticket":
        key_of = {t.id: (t.number, t.name_snapshot) for _s, t in rows}
    elif by == "station" and ids:
        for tid, code, name in db.execute(select(Ticket.id, RepairStation.code, RepairStation.name)
                                          .join(RepairStation, Ticket.station_id == RepairStation.id)
                                          .where(Ticket.id.in_(ids))):
            key_of[tid] = (code, name)
    elif by == "agent" and ids:     # the agent who answered the repair's first call
        for tid, no, name in db.execute(select(Call.ticket_id, User.agent_no, User.name)
                                        .join(User, Call.agent_id == User.id)
                                        .where(Call.ticket_id.in_(ids), Call.answered_at.is_not(None),
                                               Call.direction == "in")
                                        .order_by(Call.answered_at.desc(), Call.id.desc())):
            key_of[tid] = (no, name)          # the earliest answered call wins (last written)
    elif by == "technician" and ids:   # whoever filed the latest 返单
        for tid, no, name in db.execute(select(TicketTransition.ticket_id, User.agent_no, User.name)
                                        .join(User, TicketTransition.user_id == User.id)
                                        .where(TicketTransition.ticket_id.in_(ids),
                                               TicketTransition.state == TicketState.completed)
                                        .order_by(TicketTransition.id)):
            key_of[tid] = (no, name)
    groups: dict[str | None, dict] = {}
    for sv, t in rows:
        key, name = key_of.get(t.id, (None, None))
        g = groups.setdefault(key, {by: key, "name": name, "surveys": 0, "solved": 0, "not_solved": 0,
                                    "satisfied": 0, "average": 0, "unsatisfied": 0, "charged": 0,
                                    "score_sum": 0, "by_agent": 0, "by_ivr": 0})
        g["surveys"] += 1
        g["solved" if sv.solved else "not_solved"] += 1
        if sv.attitude in ("satisfied", "average", "unsatisfied"):
            g[sv.attitude] += 1
        g["charged"] += int(bool(sv.charged))
        g["score_sum"] += sv.score
        g["by_ivr" if sv.channel == "ivr" else "by_agent"] += 1
    out = []
    for g in groups.values():
        g["score_avg"] = round(g.pop("score_sum") / g["surveys"], 2)
        out.append(g)
    return sorted(out, key=lambda g: (g[by] is None, str(g[by] or "")))


def _insert_unless_stored(db: Session, model: type[DeclarativeBase]):
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(model).on_conflict_do_nothing()
    return insert(model)


def insert_new(db: Session, model: type[DeclarativeBase], rows: list[dict]) -> None:
    """Insert `rows`, skipping those a unique key says are stored already (another process, or
    another round of this one, got there first)."""
    db.execute(_insert_unless_stored(db, model), rows)


def insert_if_new(db: Session, model: type[DeclarativeBase], row: dict) -> bool:
    """`row` inserted unless a unique key says it is stored already: whether it was new."""
    return db.execute(_insert_unless_stored(db, model).values(**row)).rowcount == 1
