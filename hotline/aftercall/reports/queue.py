"""The queue section of the reports, from Asterisk's queue_log — the authoritative record of every
queued call — and nothing else: a pure function over its events (`queue_section`), and the
reconciliation of its figures with the hotline's call records (`reconcile`), whose every
disagreement goes into the report.

A call is counted once (per callid), on the reporting day its first queue line falls in; how it
ended decides its one part of the breakdown, so the parts always add up to `offered`:

- answered: an agent took it (CONNECT) — also when it had left and re-joined the queue first;
- abandoned: the caller hung up waiting (ABANDON); within `short_abandon_s` shown apart;
- callback: the caller pressed 1 for a call-back (EXITWITHKEY 1);
- max_wait: waited the maximum (EXITWITHTIMEOUT; the call-back is booked then);
- no_agent: nobody logged in (EXITEMPTY, or the dialplan's own HOTLINE_NOAGENT / HOTLINE_HANGUP
  lines: Asterisk writes no line at all for a caller refused with JOINEMPTY);
- after_hours: the IVR's after-hours flow; the queue never sees those, so they come from the call
  records (source says so), as do no-agent calls the queue_log has no line for;
- unfinished: in the queue when the log ends (still waiting, or cut off): never hidden.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from db.queue_log import QueueLogLine
from common import wire
from common.naming import QUEUE, agent_no_of


@dataclass(frozen=True)
class CallRow:
    """A call record (db.models.Call, direction in) as the reconciliation needs it."""
    uniqueid: str
    outcome: str | None
    at: datetime                 # when it joined the queue, else when it reached the IVR
    queued: bool = False


@dataclass(frozen=True)
class QueuePolicy:
    service_level_s: int = 20     # Settings.report_service_level_s
    short_abandon_s: int = 5      # Settings.report_short_abandon_s
    queue: str = QUEUE


#: the breakdown's parts, in the order the report shows them, with the customer's words
PARTS = {"answered": "已接听", "abandoned": "放弃(挂机)", "callback": "按1选择回电", "max_wait": "等待超时转回电",
         "no_agent": "无座席", "after_hours": "非工作时间", "unfinished": "未结束"}
#: the call records' outcomes, as the part of the breakdown they say a call belongs to
RECORD_PART = {"answered": "answered", "abandoned": "abandoned", "callback_requested": "callback",
               "max_wait": "max_wait", "no_agent": "no_agent", "after_hours_message": "after_hours"}
#: QUEUESTATUS values of the dialplan's own lines that mean nobody was logged in
_EMPTY = ("JOINEMPTY", "LEAVEEMPTY", "JOINUNAVAIL", "LEAVEUNAVAIL")
_TRANSFERS = ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER")
FORMULAS = {
    "service_level_20s": "在服务水平时限内接听的来电 ÷ 进线总数(offered,含放弃、回电、超时、无座席、非工作时间)",
    "sl_asterisk": "Asterisk ServicelevelPerf: 时限内接听 ÷ 接听",
    "sl2": "Asterisk ServicelevelPerf2: (时限内接听 + 时限内放弃) ÷ (接听 + 放弃)",
    "asa_s": "平均应答速度 ASA: 接听来电的等待秒数之和 ÷ 接听数",
    "aht_s": "平均处理时长 AHT: (通话秒数 + 话后整理秒数) ÷ 接听数",
    "abandon_rate": "放弃率: 放弃 ÷ 进线总数",
}


def _int(data: tuple[str, ...], i: int) -> int | None:
    try:
        return max(0, int(data[i]))
    except (IndexError, ValueError):
        return None


@dataclass
class _Call:
    callid: str
    first: datetime
    entered: datetime | None = None
    connected: datetime | None = None
    agent: str = ""
    wait_s: int = 0
    talk_s: int = 0
    end: str = ""                 # the part of the last exit seen
    exit_wait_s: int | None = None
    no_agent_line: bool = False
    caller: str = ""              # the caller id ENTERQUEUE names

    @property
    def waited_s(self) -> int:
        """How long the caller waited: to the answer, else to the exit Asterisk logged."""
        if self.part == "answered":
            return self.wait_s
        return self.exit_wait_s if self.exit_wait_s is not None else 0

    @property
    def part(self) -> str:
        if self.connected is not None:
            return "answered"
        if self.end:
            return self.end
        return "no_agent" if self.no_agent_line else "unfinished"


@dataclass
class _Agent:
    answered: int = 0
    talk_s: int = 0
    wrapup_s: float = 0.0
    ring_no_answer: int = 0
    logged_in_s: float = 0.0
    first_login: datetime | None = None
    member_since: datetime | None = None
    wrapup_since: datetime | None = None
    spans: list[tuple[datetime, datetime]] = field(default_factory=list)


def _calls_and_agents(events: Iterable[QueueLogLine], queue: str, start: datetime, end: datetime,
                      now: datetime | None = None) -> tuple[dict[str, _Call], dict[str, _Agent]]:
    calls: dict[str, _Call] = {}
    agents: dict[str, _Agent] = {}

    numbers: dict[str, str] = {}     # a day's ~50 000 lines name a few dozen members

    def agent(name: str) -> _Agent | None:
        no = numbers.get(name)
        if no is None:
            no = numbers[name] = agent_no_of(name)
        if not no:
            return None
        a = agents.get(no)
        if a is None:
            a = agents[no] = _Agent()
        return a

    def leave(a: _Agent, at: datetime) -> None:
        if a.member_since is not None:
            a.spans.append((a.member_since, at))
            a.member_since = None
        if a.wrapup_since is not None:
            a.wrapup_s += _overlap(a.wrapup_since, at, start, end)
            a.wrapup_since = None

    for ev in sorted(events, key=lambda e: e.at):
        if ev.queue != queue:
            continue
        a = agent(ev.agent)
        if a is not None:
            # membership: a member's first sign without an ADDMEMBER (joined before the window) counts from it
            if ev.event == "ADDMEMBER":
                a.member_since = a.member_since or ev.at
                a.first_login = a.first_login or (ev.at if start <= ev.at < end else None)
            elif ev.event == "REMOVEMEMBER":
                leave(a, ev.at)
                continue
            elif a.member_since is None:
                a.member_since = ev.at
            if ev.event == "PAUSE":
                if a.wrapup_since is not None:
                    a.wrapup_s += _overlap(a.wrapup_since, ev.at, start, end)
                a.wrapup_since = ev.at if ev.data[:1] == (wire.WRAPUP_REASON,) else None
            elif ev.event == "UNPAUSE" and a.wrapup_since is not None:
                a.wrapup_s += _overlap(a.wrapup_since, ev.at, start, end)
                a.wrapup_since = None
            elif ev.event == "RINGNOANSWER" and start <= ev.at < end:
                a.ring_no_answer += 1
        if not ev.callid or ev.callid == "NONE":
            continue
        c = calls.get(ev.callid)
        if c is None:
            if ev.event in ("ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL"):
                continue
            c = calls[ev.callid] = _Call(ev.callid, ev.at)
        d = ev.data
        if ev.event == "ENTERQUEUE":
            c.entered = c.entered or ev.at
            c.caller = c.caller or (d[1] if len(d) > 1 else "")
        elif ev.event == "CONNECT" and c.connected is None:
            c.connected, c.agent = ev.at, agent_no_of(ev.agent)
            waited = _int(d, 0)
            c.wait_s = waited if waited is not None else int((ev.at - (c.entered or c.first)).total_seconds())
        elif ev.event in ("COMPLETECALLER", "COMPLETEAGENT"):
            c.talk_s += _int(d, 1) or 0
        elif ev.event in _TRANSFERS:
            c.talk_s += _int(d, len(d) - 2) or 0
        elif ev.event == "ABANDON":
            c.end, c.exit_wait_s = "abandoned", _int(d, 2)
        elif ev.event == "EXITWITHKEY":
            c.end, c.exit_wait_s = "callback", _int(d, 3)
        elif ev.event == "EXITWITHTIMEOUT":
            c.end, c.exit_wait_s = "max_wait", _int(d, 2)
        elif ev.event == "EXITEMPTY":
            c.end, c.exit_wait_s = "no_agent", _int(d, 2)
        elif ev.event == "HOTLINE_NOAGENT" or (ev.event == "HOTLINE_HANGUP" and d[2:3] and d[2] in _EMPTY):
            c.no_agent_line = True
    # still a member (or in wrap-up) when the log ends: until the day's end, or now in a day not over
    for a in agents.values():
        leave(a, min(end, now) if now else end)
    for c in calls.values():
        if c.connected is not None and c.agent:
            a = agents.setdefault(c.agent, _Agent())
            if start <= c.first < end:
                a.answered += 1
                a.talk_s += c.talk_s
    return {k: c for k, c in calls.items() if start <= c.first < end and (c.entered or c.no_agent_line)}, agents


def _overlap(a: datetime, b: datetime, start: datetime, end: datetime) -> float:
    return max(0.0, (min(b, end) - max(a, start)).total_seconds())


def _hours(start: datetime, end: datetime) -> list[datetime]:
    out, h = [], start.replace(minute=0, second=0, microsecond=0)
    while h < end:
        out.append(h)
        h += timedelta(hours=1)
    return out


@dataclass(frozen=True)
class OfferedCall:
    """One call the day offered, in the one part of the breakdown its end puts it: from the
    queue_log, or (after hours; a JOINEMPTY that writes no line) from its call record."""
    callid: str
    at: datetime
    part: str
    wait_s: int = 0
    talk_s: int = 0
    agent: str = ""
    caller: str = ""
    from_records: bool = False


def offered_calls(calls: dict[str, _Call], records: Iterable[CallRow], start: datetime, end: datetime
                  ) -> list[OfferedCall]:
    """Every call offered in [start, end): the queue_log's, then the calls the queue never sees
    (the after-hours flow; JOINEMPTY writes no line), from the records. The breakdown counts these,
    and a drill-down lists them."""
    out = [OfferedCall(c.callid, c.first, c.part, c.waited_s, c.talk_s, c.agent, c.caller) for c in calls.values()]
    for r in records:
        part = RECORD_PART.get(r.outcome or "")
        if part in ("after_hours", "no_agent") and r.uniqueid not in calls and start <= r.at < end:
            out.append(OfferedCall(r.uniqueid, r.at, part, from_records=True))
    return out


def answered_within_sl(c: OfferedCall, policy: QueuePolicy) -> bool:
    return c.part == "answered" and c.wait_s <= policy.service_level_s


def short_abandon(c: OfferedCall, policy: QueuePolicy) -> bool:
    """An abandon within `short_abandon_s`: a misdial, shown apart."""
    return c.part == "abandoned" and c.wait_s <= policy.short_abandon_s


def hour_of(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def day_calls(events: Iterable[QueueLogLine], start: datetime, end: datetime, policy: QueuePolicy = QueuePolicy(),
              records: Iterable[CallRow] = ()) -> list[OfferedCall]:
    """The calls offered in [start, end), each with its part (what `queue_section` counts)."""
    calls, _agents = _calls_and_agents(events, policy.queue, start, end)
    return offered_calls(calls, records, start, end)


def queue_section(events: Iterable[QueueLogLine], start: datetime, end: datetime, policy: QueuePolicy = QueuePolicy(),
                  records: Iterable[CallRow] = (), now: datetime | None = None) -> dict:
    """The queue figures of [start, end) from queue_log events (with enough before `start` to know
    who was logged in, and after `end` for calls still going then), reconciled with the call records
    of the same calls. Counts and sums only; the rates come from `finish_queue`, so a week is the sum
    of its days and its rates are the week's own."""
    records = list(records)
    calls, agents = _calls_and_agents(events, policy.queue, start, end, now)
    parts = {k: 0 for k in PARTS}
    sources = {k: "queue_log" for k in PARTS}
    short = within_sl = abandoned_within = 0
    wait_sum = longest = 0
    talk = 0
    hours = {h: {"hour": h.hour, "offered": 0, "answered": 0, "agents_logged_in": 0} for h in _hours(start, end)}
    for c in offered_calls(calls, records, start, end):
        parts[c.part] += 1
        if c.from_records:
            sources[c.part] = "queue_log + call records" if c.part == "no_agent" else "call records"
        longest = max(longest, c.wait_s)
        if c.part == "answered":
            wait_sum += c.wait_s
            talk += c.talk_s
            within_sl += answered_within_sl(c, policy)
        elif c.part == "abandoned":
            short += short_abandon(c, policy)
            abandoned_within += c.wait_s <= policy.service_level_s
        h = hours.get(hour_of(c.at))
        if h is not None:
            h["offered"] += 1
            h["answered"] += c.part == "answered"
    for a in agents.values():
        for s, e in a.spans:
            for h, row in hours.items():
                row["agents_logged_in"] += _overlap(s, e, h, h + timedelta(hours=1)) > 0
    wrapup = sum(a.wrapup_s for a in agents.values())
    out = {
        "offered": sum(parts.values()),
        "answered": parts["answered"], "abandoned": parts["abandoned"], "abandoned_short": short,
        "breakdown": [{"key": k, "label": PARTS[k], "count": parts[k], "source": sources[k]} for k in PARTS],
        "service_level_s": policy.service_level_s, "short_abandon_s": policy.short_abandon_s,
        "answered_within_sl": within_sl, "abandoned_within_sl": abandoned_within,
        "wait_answered_sum_s": wait_sum, "longest_wait_max_s": longest,
        "talk_sum_s": talk, "wrapup_sum_s": round(wrapup),
        "by_hour": list(hours.values()),
        "agents": {no: {"answered": a.answered, "talk_s": a.talk_s, "wrapup_s": round(a.wrapup_s),
                        "ring_no_answer": a.ring_no_answer,
                        "logged_in_s": round(sum(_overlap(s, e, start, end) for s, e in a.spans)),
                        "first_login": a.first_login.isoformat(timespec="seconds") if a.first_login else None}
                   for no, a in sorted(agents.items())},
        "disagreements": reconcile({k: c.part for k, c in calls.items()}, records, start, end),
    }
    return finish_queue(out)


def finish_queue(q: dict) -> dict:
    """The rates from the counts and sums (after a sum of days too); each formula is in FORMULAS."""
    offered, answered, abandoned = q["offered"], q["answered"], q["abandoned"]
    ratio = lambda a, b: round(a / b, 4) if b else None
    q["service_level_20s"] = ratio(q["answered_within_sl"], offered)
    q["sl_asterisk"] = ratio(q["answered_within_sl"], answered)
    q["sl2"] = ratio(q["answered_within_sl"] + q["abandoned_within_sl"], answered + abandoned)
    q["abandon_rate"] = ratio(abandoned, offered)
    q["asa_s"] = round(q["wait_answered_sum_s"] / answered, 1) if answered else None
    q["aht_s"] = round((q["talk_sum_s"] + q["wrapup_sum_s"]) / answered, 1) if answered else None
    q["formulas"] = {**FORMULAS, "service_level_20s": FORMULAS["service_level_20s"].replace(
        "服务水平时限", f"{q['service_level_s']} 秒")}
    return q


def reconcile(queue_parts: dict[str, str], records: list[CallRow], start: datetime, end: datetime) -> list[dict]:
    """Where the queue_log and the call records disagree about the same calls: a call in one and not
    the other, or ended differently. Each is one entry (the figure, both counts, the calls)."""
    out: list[dict] = []
    by_id = {r.uniqueid: r for r in records}
    only_log = sorted(k for k in queue_parts if k not in by_id)
    if only_log:
        out.append({"figure": "calls", "what": "queue_log 有记录而话单没有", "queue_log": len(only_log),
                    "call_records": 0, "calls": only_log[:20]})
    # no-agent and after-hours calls never join (JOINEMPTY writes no line): not a disagreement
    queued = [r for r in records if r.queued and start <= r.at < end and r.uniqueid not in queue_parts
              and RECORD_PART.get(r.outcome or "") not in ("no_agent", "after_hours")]
    if queued:
        out.append({"figure": "calls", "what": "话单记为进入队列而 queue_log 没有", "queue_log": 0,
                    "call_records": len(queued), "calls": sorted(r.uniqueid for r in queued)[:20]})
    differ: dict[tuple[str, str], list[str]] = {}
    for uid, part in queue_parts.items():
        r = by_id.get(uid)
        if r is None or part == "unfinished":
            continue
        said = RECORD_PART.get(r.outcome or "", r.outcome or "none")
        if said != part:
            differ.setdefault((part, said), []).append(uid)
    for (part, said), uids in sorted(differ.items()):
        out.append({"figure": part, "what": f"queue_log 为「{PARTS.get(part, part)}」而话单为「{PARTS.get(said, said)}」",
                    "queue_log": len(uids), "call_records": len(uids), "calls": sorted(uids)[:20]})
    return out
