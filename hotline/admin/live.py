"""Live views of the running hotline over AMI: `hotline status --watch`."""
from __future__ import annotations

import time
from datetime import datetime

from hotline.admin.amiclient import AmiEventLog, ami_session
from common.ami import ami_action
from common.settings import Settings
from common.phones import mask_phone
from common.naming import QUEUE, agent_no_of


def queue_snapshot(ami: AmiEventLog, queue: str = QUEUE) -> dict:
    """Callers waiting (with the longest wait) and members with state, pause reason, calls taken."""
    start = ami.mark()
    aid_resp = ami.action(ami_action("QueueStatus", Queue=queue))
    if aid_resp.get("Response") != "Success":
        raise RuntimeError(aid_resp.get("Message", "QueueStatus failed"))
    ami.wait(lambda e: e.get("Event") == "QueueStatusComplete", timeout=10, start=start)
    events = ami.events[start:]
    members, callers = [], []
    for e in events:
        if e.get("Event") == "QueueMember" and e.get("Queue") == queue:
            members.append({"agent": agent_no_of(e.get("Name", "")),
                            "state": _DEVICE_STATES.get(e.get("Status", ""), e.get("Status", "")),
                            "paused": e.get("Paused") == "1", "reason": e.get("PausedReason", ""),
                            "calls_taken": int(e.get("CallsTaken", "0") or 0),
                            "in_call": e.get("InCall") == "1"})
        elif e.get("Event") == "QueueEntry" and e.get("Queue") == queue:
            callers.append({"position": int(e.get("Position", "0")), "wait_s": int(e.get("Wait", "0")),
                            "caller": e.get("CallerIDNum", "")})
    return {"queue": queue, "waiting": len(callers),
            "longest_wait_s": max((c["wait_s"] for c in callers), default=0),
            "callers": sorted(callers, key=lambda c: c["position"]), "members": members}


_DEVICE_STATES = {"0": "unknown", "1": "空闲", "2": "通话中", "3": "忙", "4": "无效", "5": "未注册",
                  "6": "振铃", "7": "振铃中", "8": "保持"}


def render(snap: dict) -> str:
    lines = [f"{datetime.now():%H:%M:%S}  队列 {snap['queue']}: 等待 {snap['waiting']} 人, "
             f"最长等待 {snap['longest_wait_s']} 秒"]
    for c in snap["callers"]:
        lines.append(f"   #{c['position']} {mask_phone(c['caller'])}  {c['wait_s']} s")
    lines.append(f"  座席 ({len(snap['members'])}):")
    for m in snap["members"]:
        pause = f" 示忙: {m['reason'] or '-'}" if m["paused"] else ""
        lines.append(f"   {m['agent']:6} {m['state']:4}{pause}  已接 {m['calls_taken']}")
    return "\n".join(lines)


def watch(s: Settings, interval: float, count: int, echo) -> None:
    with ami_session(s) as ami:
        n = 0
        while True:
            echo(render(queue_snapshot(ami)))
            n += 1
            if count and n >= count:
                return
            time.sleep(interval)
