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
        t["station_calls"] = []
        return t
    if t["state"] in ("new", "cancelled"):    # never dispatched: no station was called
        t["station_calls"] = []
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


# ---- 质检 (#28) ------------------------------------------------------------------------------

def qa_scorecards() -> list[dict]:
    """GET wire.QA_SCORECARDS as a hotline answers it (the texts shortened: the standards' own are
    hotline/aftercall/qa/standards/*.toml, which a desk never reads)."""
    item = lambda key, section, text, required=True, optional=False: {
        "key": key, "section": section, "text": text, "required": required, "optional": optional}
    intake = [item("opening", "opening", "开头语:您好,大龙供暖报修(报工号)为您服务"),
              item("problem", "questions", "跟读确认问题"), item("address", "questions", "询问并跟读确认具体地址"),
              item("name", "questions", "询问并跟读确认姓名"), item("phone", "questions", "留联系电话并跟读确认"),
              item("closing", "closing", "结束语:维修人员会尽快跟您联系。感谢您的来电。再见!"),
              item("manner", "manner", "礼貌用语,不打断住户,语速适中、吐字清晰")]
    relaxed = [{**i, "required": i["key"] not in ("opening", "name", "closing")} for i in intake]
    survey = [item("opening", "opening", "回访开头语,不方便则预约"), item("a", "questions", "a. 问题解决了吗?"),
              item("b", "questions", "b. 维修工态度如何?"), item("c", "questions", "c. 跟您收费了吗?"),
              item("d", "questions", "d. 请您打分(1—10 分)"), item("e", "questions", "e. 建议或意见"),
              item("f", "questions", "f.(若满意且未交费)提醒交纳供暖费", optional=True),
              item("closing", "closing", "回访结束语")]
    return [{"id": 1, "kind": "intake", "version": 1, "title": "接报标准服务用语", "source": "", "items": intake},
            {"id": 2, "kind": "intake_relaxed", "version": 1, "title": "放宽标准引导语(接报)", "source": "",
             "items": relaxed},
            {"id": 3, "kind": "survey", "version": 1, "title": "回访标准用语", "source": "", "items": survey}]


def qa_sample() -> dict:
    """GET wire.QA_SAMPLE of a day: two agents' draws (one checked and failed), a lead's added call."""
    base = copy.deepcopy(wire.SAMPLE_QA_ROW)
    rows = [base,
            {**base, "id": 8, "recording": 44, "call": "1700000300.51", "ticket": "2611230019", "at": "2026-11-23T11:20:05",
             "duration_s": 131.0, "checked": True, "audio_url": "/api/recordings/44/audio",
             "check": {"id": 3, "passed": False, "by": "1101", "at": "2026-11-23T15:02:00"}},
            {**base, "id": 9, "recording": 47, "call": "1700000900.13", "ticket": "2611230027", "agent": "1002",
             "name": "王强", "at": "2026-11-23T13:41:30", "duration_s": 72.4, "audio_url": "/api/recordings/47/audio"},
            {**base, "id": 10, "kind": "manual", "recording": 52, "call": "1700001400.2", "ticket": "2611220031",
             "agent": "1002", "name": "王强", "direction": "out", "at": "2026-11-23T14:55:10", "duration_s": 88.0,
             "scorecard": "survey", "audio_url": "/api/recordings/52/audio"}]
    rows[3]["direction"] = "survey"
    return {"day": "2026-11-23", "final": True, "drawn_at": "2026-11-24T00:01:00",
            "agents": [{"agent_no": "1001", "name": "张丽", "answered": 18, "quota": 2, "sample": 2, "checked": 1},
                       {"agent_no": "1002", "name": "王强", "answered": 9, "quota": 1, "sample": 2, "checked": 0}],
            "sample": rows}


def qa_ticket() -> dict:
    """GET wire.TICKET of the wire's sample row's ticket, as a lead sees it on the QA screen."""
    return {**copy.deepcopy(wire.SAMPLE_POP["ticket"]), "state": "dispatched", "station": "铁西维修站",
            **copy.deepcopy(wire.SAMPLE_TIMELINE), "recordings": [copy.deepcopy(wire.SAMPLE_RECORDING_ROW)]}


def qa_results() -> dict:
    """GET wire.QA_RESULTS of a month: an agent past three serious errors (the 4th fined 10 + 50)."""
    findings = dict.fromkeys(wire.QA_FINDINGS, 0)
    fines = [{"day": f"2026-11-{d:02d}", "finding": f, "nth": n, "amount": 10 + (50 if n > 3 else 0)}
             for n, (d, f) in enumerate(((3, "wrong_address"), (9, "wrong_station"), (17, "wrong_address"),
                                         (23, "invalid_promise")), start=1)]
    agent = {"agent_no": "1001", "name": "张丽", "calls": 412, "checked": 44, "passed": 38, "pass_rate": 0.8636,
             "fail_rate": 0.1364, "days": [], "findings": {**findings, "wrong_address": 2, "wrong_station": 1,
                                                           "invalid_promise": 1, "praise": 3},
             "serious": 4, "fines": fines, "fine_total": 90, "praise": {"checks": 3, "residents": 1},
             "complaints": 1, "complaint_rate": 0.0024, "complaint_day_max": 0.05, "over_day_limit": True,
             "over_month_limit": False, "retraining": False, "retraining_days": [],
             "peer": {"assigned": 60, "listened": 58, "unreported": 0}}
    other = {**agent, "agent_no": "1002", "name": "王强", "calls": 205, "checked": 22, "passed": 14, "pass_rate": 0.6364,
             "fail_rate": 0.3636, "findings": {**findings, "nonstandard_phrase": 5, "voice": 3}, "serious": 0,
             "fines": [], "fine_total": 0, "complaints": 0, "complaint_rate": 0.0, "over_day_limit": False,
             "retraining": True, "retraining_days": ["2026-11-12"], "peer": {"assigned": 55, "listened": 49,
                                                                             "unreported": 1}}
    return {"month": "2026-11", "from": "2026-11-01T00:00:00", "to": "2026-12-01T00:00:00",
            "limits": {"complaint_day": 0.02, "complaint_month": 0.01, "retrain_fail_rate": 0.3, "fine_base": 10,
                       "fine_extra": 50, "fine_free": 3, "fine_window": "month"},
            "agents": [agent, other],
            "checkers": [{"agent_no": "1101", "name": "张伟", "checked": 66, "passed": 52, "contradicted": 1}]}


def qa_proposals() -> list[dict]:
    return [{"id": 4, "finding": "wrong_station", "label": "选错维修站", "source": "recall", "ticket": "2611230012",
             "agent": "1001", "detail": "维修站退回: 不属本站辖区", "at": "2026-11-23T12:10:00", "state": "open",
             "decided_by": None, "check": None},
            {"id": 5, "finding": "wrong_address", "label": "地址填写错误", "source": "address_fix",
             "ticket": "2611230019", "agent": "1002", "detail": "派单后由 1101 更正", "at": "2026-11-23T14:30:00",
             "state": "open", "decided_by": None, "check": None}]


def qa_board() -> list[dict]:
    """GET wire.AGENTS: who is on a call (listen-in)."""
    return [{"agent_no": "1001", "name": "张丽", "role": "agent", "logged_in": True, "member": True, "paused": False,
             "in_call": True},
            {"agent_no": "1002", "name": "王强", "role": "agent", "logged_in": True, "member": True, "paused": True,
             "in_call": False},
            {"agent_no": "1101", "name": "张伟", "role": "team_lead", "logged_in": True, "member": False,
             "paused": False, "in_call": False}]


def qa_peer() -> dict:
    """GET wire.QA_PEER: an agent's colleagues' recordings of yesterday, one marked."""
    rows = qa_sample()["sample"][2:]
    return {"day": "2026-11-24", "of_day": "2026-11-23", "quota": 5,
            "recordings": [{**rows[0], "id": 21, "listened": True, "listened_at": "2026-11-24T09:30:00",
                            "findings": ["praise"], "note": "安抚住户耐心"},
                           {**rows[1], "id": 22, "listened": False, "listened_at": None, "findings": [], "note": ""}]}


def board() -> dict:
    """A night shift's agent board (#30) from wire.SAMPLE_BOARD: an agent in every state — 王强 on 小休
    41 minutes, past the limit (the 示忙超时 alert names him) — three callers waiting, an outage."""
    b = copy.deepcopy(wire.SAMPLE_BOARD)
    row = {"caller": "", "reason": "", "wrapup_left_s": 0, "logged_in": True, "registered": True, "role": "agent"}
    b["agents"] += [
        {**row, "agent_no": "1003", "name": "刘洋", "state": "wrapup", "since": "2026-11-23T03:12:05",
         "seconds": 25, "reason": wire.WRAPUP_REASON, "wrapup_left_s": 35, "calls_today": 11},
        {**row, "agent_no": "1004", "name": "陈静", "state": "ringing", "since": "2026-11-23T03:12:26",
         "seconds": 4, "caller": "186******10", "calls_today": 8},
        {**row, "agent_no": "1005", "name": "赵磊", "state": "free", "since": "2026-11-23T03:05:40",
         "seconds": 410, "calls_today": 12},
        {**row, "agent_no": "1006", "name": "孙悦", "state": "paused", "since": "2026-11-23T03:04:30",
         "seconds": 480, "reason": "用餐", "calls_today": 10},
        {**row, "agent_no": "1007", "name": "周楠", "state": "unregistered", "since": "2026-11-23T02:50:12",
         "seconds": 1338, "calls_today": 6, "registered": False},
        {**row, "agent_no": "1008", "name": "吴敏", "state": "logged_out", "since": "2026-11-22T22:00:00",
         "seconds": 18750, "calls_today": 0, "logged_in": False},
        {**row, "agent_no": "1101", "name": "张伟", "role": "team_lead", "state": "free",
         "since": "2026-11-23T02:40:00", "seconds": 1950, "calls_today": 3},
    ]
    b["waiting"] += [
        {"uniqueid": "1700000000.79", "position": 2, "caller": "138******17", "wait_s": 62, "priority": 0,
         "ivr": {"category": "no_heat", "district": "铁西区"}},
        {"uniqueid": "1700000000.81", "position": 3, "caller": "未显示号码", "wait_s": 18, "priority": 0,
         "ivr": {"category": "leak"}},
    ]
    b["alerts"] = [{**copy.deepcopy(wire.SAMPLE_ALERT), "id": 4, "kind": "long_wait", "subject": "1700000000.77",
                    "message": "来电 135******01 已等待 95 秒(阈值 90 秒)", "raised_at": "2026-11-23T03:12:20"},
                   copy.deepcopy(wire.SAMPLE_ALERT)]
    b["summary"].update(waiting=3, longest_wait_s=95,
                        agents_by_state={"talking": 1, "ringing": 1, "wrapup": 1, "free": 2, "paused": 2,
                                         "unregistered": 1, "logged_out": 1})
    return b
