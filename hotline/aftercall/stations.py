"""Repair stations as the admin keeps them: name, code, phone, technicians' phones and the areas
each serves (a district, or finer a compound or one building: the finest match suggests the
station, see db.queries.stations_for). By command or CSV import (UTF-8):

    code,name,phone,technicians,areas
    TX,铁西维修站,024-25670000,13900000001;13900000002,铁西区;铁西区/兴华北街/12

`technicians`: phones separated by ';'. `areas`: ';'-separated, each 区[/小区[/楼]].
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import District, RepairStation, StationArea
from db.queries import station_dict
from common.phones import normalise_caller_id

FIELDS = ("code", "name", "phone", "technicians", "areas")


class StationError(ValueError):
    """A bad station or import line: the message says where and what."""


@dataclass
class StationImport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def parse_areas(text: str) -> list[tuple[str, str, str]]:
    """'铁西区;铁西区/兴华北街/12' → [('铁西区', '', ''), ('铁西区', '兴华北街', '12')]."""
    found = []
    for part in (text or "").replace("；", ";").split(";"):
        bits = [b.strip() for b in part.strip().split("/")]
        if not bits or not bits[0]:
            continue
        if len(bits) > 3 or any(len(b) > 64 for b in bits):
            raise StationError(f"区域写法应为 区/小区/楼: {part}")
        found.append(tuple(bits + ["", ""])[:3])
    return found


def parse_phones(text: str) -> list[str]:
    phones = [normalise_caller_id(p) for p in (text or "").replace("；", ";").split(";") if p.strip()]
    if any(not p for p in phones):
        raise StationError(f"电话号码无效: {text}")
    return phones


def list_stations(db: Session) -> list[dict]:
    return [station_dict(s) for s in db.scalars(
        select(RepairStation).options(selectinload(RepairStation.districts), selectinload(RepairStation.areas))
        .order_by(RepairStation.code))]


def save_station(db: Session, code: str, name: str, phone: str, technicians: list[str],
                 areas: list[tuple[str, str, str]]) -> bool:
    """Add or replace one station (its areas and technicians as given); True when it is new."""
    code, name = code.strip(), name.strip()
    if not code or len(code) > 16 or not code.replace("-", "").replace("_", "").isalnum():
        raise StationError(f"站点代码应为 1–16 位字母数字: {code!r}")
    if not name or len(name) > 64:
        raise StationError("请填写站点名称(不超过 64 字)")
    tel = normalise_caller_id(phone)
    if not tel:
        raise StationError(f"站点电话无效: {phone}")
    st = db.scalar(select(RepairStation).where(RepairStation.code == code).options(selectinload(RepairStation.areas)))
    new = st is None
    if new:
        st = RepairStation(code=code)
        db.add(st)
    st.name, st.phone, st.technician_phones = name, tel, technicians
    for d, c, b in areas:
        taken = db.scalar(select(StationArea).where(StationArea.district == d, StationArea.compound == c,
                                                    StationArea.building == b))
        if taken is not None and (new or taken.station_id != st.id):
            raise StationError(f"区域 {'/'.join(x for x in (d, c, b) if x)} 已属于另一个站点")
    # keep the rows of areas it keeps (re-importing the same file changes nothing), drop the rest
    kept = {(a.district, a.compound, a.building): a for a in st.areas}
    st.areas = [kept.get(area) or StationArea(district=area[0], compound=area[1], building=area[2])
                for area in dict.fromkeys(areas)]
    db.flush()
    for d, c, b in areas:     # a whole district also names the district's station (older look-ups)
        if not c and not b:
            dist = db.scalar(select(District).where(District.name == d)) or District(name=d)
            dist.station_id = st.id
            db.add(dist)
    return new


def import_stations(db: Session, path: Path) -> StationImport:
    """Every line or none: a bad line is reported with its number and nothing is changed."""
    rep = StationImport()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise StationError(f"{path}: cannot read as UTF-8 ({exc})") from None
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or not set(FIELDS[:3]) <= set(rows[0]):
        raise StationError(f"{path}: the header must be {','.join(FIELDS)}")
    for n, row in enumerate(rows, start=2):
        try:
            if save_station(db, row.get("code") or "", row.get("name") or "", row.get("phone") or "",
                            parse_phones(row.get("technicians") or ""), parse_areas(row.get("areas") or "")):
                rep.created += 1
            else:
                rep.updated += 1
        except StationError as exc:
            rep.errors.append(f"{path}:{n}: {exc}")
    return rep
