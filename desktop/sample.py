"""`hotline-desk --sample`'s data with no server: the wire's SAMPLE_* shapes, and for the after-call
screens a few more rows made from SAMPLE_TICKET_ROW / SAMPLE_ANOMALY (layout and translation
checks, screenshots). Nothing here is sent anywhere."""
from __future__ import annotations

import copy

from common import wire

SUPERVISOR_USER = {"agent_no": "1101", "name": "张伟", "role": "team_lead"}


def _row(**kw) -> dict:
    row = {**copy.deepcopy(wire.SAMPLE_TICKET_ROW), **kw}
    if "age_min" in kw and "age_s" not in kw:
        row["age_s"] = kw["age_min"] * 60          # the two ages of a row agree
    return row


def unconfirmed() -> list[dict]:
    """待确认 (#24): drafts whose call has ended — a call-back booked with key 1, a hang-up in the IVR
    after the problem was keyed, an agent who answered and never saved — newest first."""
    draft = dict(state="draft", overdue=False, open_anomalies=0)
    return [
        _row(number="2611230014", **draft, reason="callback_requested", category="no_heat", priority=0,
             address="铁西区 兴华北街 14号楼 2单元 402", name="陈红", callback_number="13804041234",
             callback_requested=True, age_min=25, age_s=1500),
        _row(number="2611230010", **draft, reason="in_ivr_hangup", category="leak", priority=50, station="和平维修站",
             station_code="HP", district="和平区", address="和平区 南京南街 9号 1单元 602", name="",
             callback_number="13998765432", age_min=65, age_s=3900),
        _row(number="2611230008", **draft, reason="answered_unsaved", category="noise", priority=0,
             station="沈河维修站", station_code="SH", district="沈河区", address="沈河区 青年大街 188号 2单元 801",
             name="马丽", callback_number="13700005555", callback_requested=False, age_min=121, age_s=7300),
    ]


def tickets(station_code: str | None = None) -> list[dict]:
    """A morning's list, newest first: tickets in every state, three of them 待确认 (a station's people
    never see those: no station has them yet)."""
    drafts = unconfirmed()
    rows = [
        drafts[0],
        _row(),
        drafts[1],
        _row(number="2611230009", state="new", category="no_heat", priority=0, station="", station_code=None,
             district="和平区", address="和平区 南京南街 5号 2单元 301", name="刘建国", age_min=12, overdue=False,
             open_anomalies=0),
        drafts[2],
        _row(number="2611230004", state="accepted", category="no_heat", priority=0, age_min=95, overdue=False,
             open_anomalies=0, address="铁西区 北二中路 8号 1单元 101", name="赵丽"),
        _row(number="2611230002", state="contacted", category="noise", priority=0, station="沈河维修站",
             station_code="SH", district="沈河区", address="沈河区 青年大街 201号 4单元 1202", name="孙明",
             age_min=262, overdue=True, open_anomalies=1),
        _row(number="2611220031", state="completed", category="leak", priority=90, station="和平维修站",
             station_code="HP", district="和平区", address="和平区 三好街 17号 3单元 602", name="周娟",
             age_min=1090, overdue=False, open_anomalies=0),
        _row(number="2611200017", state="closed", category="other", priority=0, station="铁西维修站",
             address="铁西区 兴华北街 10号楼 1单元 201", name="吴强", age_min=4330, overdue=False, open_anomalies=0),
    ]
    if station_code:
        rows = [r for r in rows if r.get("station_code") == station_code and r["state"] != "draft"]
    return rows


def detail(row: dict | None = None) -> dict:
    """GET wire.TICKET after the call: the row's fields plus SAMPLE_TIMELINE's keys."""
    t = {**copy.deepcopy(row or wire.SAMPLE_TICKET_ROW), **copy.deepcopy(wire.SAMPLE_TIMELINE)}
    if t["state"] == "draft":            # only the IVR's draft so far
        t["history"] = [{**t["history"][0], "at": t["created_at"]}]
        t["anomalies"] = []
        return t
    t["followup_of"] = "2611200017"
    for a in t["anomalies"]:
        a.setdefault("ticket", t["number"])
    return t


def anomalies() -> list[dict]:
    """The register: the wire's escalated complaint, the timeline's timer anomaly and a few more."""
    timer = {**copy.deepcopy(wire.SAMPLE_TIMELINE["anomalies"][0]), "ticket": wire.SAMPLE_TICKET_ROW["number"],
             "opened_by": "system", "escalated": False, "acknowledged": True, "overdue": False}
    return [
        copy.deepcopy(wire.SAMPLE_ANOMALY),
        timer,
        {**timer, "id": 5, "type": "over_4h", "ticket": "2611230002", "opened_at": "2026-11-23T06:40:00",
         "deadline": "2026-11-23T10:40:00", "owner": "1102", "overdue": True},
        {**timer, "id": 4, "type": "praise", "state": "handled", "ticket": "2611220031",
         "opened_at": "2026-11-22T16:20:00", "deadline": "2026-11-25T16:20:00", "owner": "1101",
         "note": "住户表扬维修工上门及时", "result": "已转告和平维修站", "overdue": False},
    ]


def escalations() -> list[dict]:
    return [a for a in anomalies() if a.get("escalated") and not a.get("acknowledged")]


def callbacks() -> list[dict]:
    """The call-back list: the wire's entry (just booked: its ticket still a draft, 待确认), one taken,
    one tried twice, one escalated."""
    base = {**copy.deepcopy(wire.SAMPLE_CALLBACK), "state": "draft"}
    return [
        {**base, "ticket": "2611220044", "reason": "max_wait", "waited": 26 * 3600, "attempts": 3, "escalated": True,
         "callback_number": "13700001111", "name": "孙明", "address": "沈河区 青年大街 201号 4单元 1202",
         "last_attempt": {"at": "2026-11-23T09:10:00", "outcome": "busy", "note": "", "by": "1002"}, "state": "new"},
        {**base, "ticket": "2611230003", "reason": "abandoned", "waited": 2 * 3600 + 600, "attempts": 2,
         "callback_number": "13800002222", "name": "赵丽", "address": "铁西区 北二中路 8号 1单元 101",
         "last_attempt": {"at": "2026-11-23T10:05:00", "outcome": "no_answer", "note": "", "by": "1001"},
         "state": "new"},
        {**base, "ticket": "2611230005", "reason": "no_agent", "waited": 45 * 60, "taken_by": "1002",
         "taken_at": "2026-11-23T10:55:00", "callback_number": "02425671234", "name": "刘建国",
         "address": "和平区 南京南街 5号 2单元 301", "state": "new"},
        base,
        {**base, "ticket": "2611230011", "reason": "in_ivr_hangup", "waited": 8 * 60, "callback_number": "13512340000",
         "name": "", "address": ""},
    ]


def surveys() -> list[dict]:
    """The 回访 list: the wire's row (fee unpaid: f applies when satisfied) and two more, one the
    automated call gave up on."""
    base = copy.deepcopy(wire.SAMPLE_SURVEY_ROW)
    return [
        base,
        {**base, "ticket": "2611220036", "completed_at": "2026-11-22T17:45:00", "result": "排气后恢复",
         "station": "铁西维修站", "name": "吴强", "address": "铁西区 兴华北街 10号楼 1单元 201",
         "callback_number": "13600003333", "category": "no_heat", "fee_status": "paid",
         "automated": copy.deepcopy(wire.SAMPLE_SURVEY_AUTOMATED)},
        {**base, "ticket": "2611210008", "completed_at": "2026-11-21T11:20:00", "due_at": "2026-11-23T10:00:00",
         "result": "更换暖气片", "station": "沈河维修站", "name": "孙明", "callback_number": "13700001111",
         "category": "leak", "fee_status": "unknown"},
    ]
