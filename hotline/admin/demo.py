"""Demo data: repair stations, the districts they serve, realistic heating accounts."""
from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AccountPhone, District, HeatingAccount, RepairStation

# station code, name, phone, districts served
STATIONS = [
    ("S01", "铁西维修站", "02425610001", ["铁西区", "于洪区"]),
    ("S02", "和平维修站", "02423860002", ["和平区", "沈河区"]),
    ("S03", "皇姑维修站", "02486710003", ["皇姑区", "大东区"]),
    ("S04", "浑南维修站", "02431880004", ["浑南区", "苏家屯区"]),
]
COMPOUNDS = ["阳光花园", "幸福里", "锦绣家园", "和谐小区", "工人村", "翠湖湾", "金色港湾", "新华苑",
             "丽水名城", "长青小区", "鑫丰家园", "滨河国际", "春晖园", "书香门第", "龙湖天街"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
         "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建国", "淑珍", "玉兰", "志强", "海燕"]
MOBILE_PREFIXES = ["138", "139", "135", "136", "150", "151", "158", "186", "187", "189", "133", "177"]


def seed_stations(session: Session) -> int:
    """Stations and districts (idempotent)."""
    n = 0
    for code, name, phone, districts in STATIONS:
        st = session.scalar(select(RepairStation).where(RepairStation.code == code))
        if st is None:
            st = RepairStation(code=code, name=name, phone=phone)
            session.add(st)
            n += 1
        for d in districts:
            dist = session.scalar(select(District).where(District.name == d))
            if dist is None:
                session.add(District(name=d, station=st))
    session.flush()
    return n


def demo_accounts(count: int, seed: int = 2026) -> list[dict]:
    rnd = random.Random(seed)
    districts = [d for *_, ds in STATIONS for d in ds]
    out = []
    used_mobiles: set[str] = set()
    for i in range(count):
        phones = []
        for _ in range(rnd.choice((1, 1, 2, 2, 3))):
            if rnd.random() < 0.8:
                while True:
                    m = rnd.choice(MOBILE_PREFIXES) + f"{rnd.randrange(10**8):08d}"
                    if m not in used_mobiles:
                        used_mobiles.add(m)
                        break
                phones.append(m)
            else:
                phones.append("024" + f"{rnd.randrange(2, 9)}{rnd.randrange(10**7):07d}")
        out.append({
            "account_no": f"{20000001 + i}",
            "name": rnd.choice(SURNAMES) + rnd.choice(GIVEN),
            "district": rnd.choice(districts),
            "compound": rnd.choice(COMPOUNDS),
            "building": str(rnd.randrange(1, 40)),
            "unit": str(rnd.randrange(1, 7)),
            "room": f"{rnd.randrange(1, 33)}{rnd.randrange(1, 5):02d}",
            "phones": phones,
        })
    return out


def seed_demo(session: Session, accounts: int = 200) -> dict[str, int]:
    stations = seed_stations(session)
    created = 0
    for row in demo_accounts(accounts):
        phones = row.pop("phones")
        if session.scalar(select(HeatingAccount.id).where(HeatingAccount.account_no == row["account_no"])):
            continue
        acc = HeatingAccount(**row)
        acc.phones = [AccountPhone(phone=p) for p in phones]
        session.add(acc)
        created += 1
    session.commit()
    return {"stations": stations, "accounts": created}
