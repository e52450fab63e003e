"""Capacity with sipp: a ladder of concurrent callers through the full intake, against the floor.

    .venv/bin/python benchmarks/ivr_sipp.py --levels 5,10 [--calls-factor 1.5] [--queue-s 10]

Starts a scratch hotline (own home, demo accounts, private Asterisk, the service over FastAGI),
waits until every caller's address is rendered (the service does it in the background), and
puts a paused stand-by member in the queue (a Local channel: present, never rung) so callers
wait there. Then, for each concurrency level L, sipp places ceil(L × factor) calls, at most L at
once, each from its own known caller (a demo resident's mobile, one account, no open ticket):
the full intake — address confirmed (1), leak (2), call-back number confirmed (1), an empty
voice description (#), the ticket number — then `--queue-s` in the queue and BYE. Keys are RFC 4733
events from per-key pcaps written here (each key its own RTP sequence numbers and timestamps:
replaying one pcap twice repeats them and Asterisk drops the second key), pressed on a schedule
computed from the rendered prompts' lengths. Afterwards every ticket is checked against the DB:
the caller's account, category leak, priority 加急, the call-back number.

In the same run the floor: the service is stopped and the same ladder of calls goes down the
dialplan's degraded path (greeting, queue) for the same time on the line, no keys.

Per level it prints: calls placed, succeeded (SIP completed, reached the queue, and — intake —
the ticket exactly right), failed, tickets exactly right, Asterisk, service and sipp CPU (% of one
core over the level) and the whole machine's busy share (/proc/stat, all cores), AGI turnaround
p50/p99 (Asterisk's event timestamps: AGIExecEnd of a command → AGIExecStart of the flow's next one
on that channel: Asterisk ↔ flow ↔ DB), time to queue p50/p99 (AMI Newchannel → QueueCallerJoin), and
the intake/floor ratios: of the highest clean level, and of CPU per call.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from db.models import AccountPhone, Call, HeatingAccount, Ticket  # noqa: E402
from hotline.admin import runtime  # noqa: E402
from hotline.admin.amiclient import AmiEventLog  # noqa: E402
from hotline.admin.asterisk import stop_pid  # noqa: E402
from bench import scratch  # noqa: E402
from bench.desk_demo import demo_callers  # noqa: E402
from bench.sipp import (intake_pcaps, run_sipp, scenario_xml, schedule, stand_by_member,  # noqa: E402
                                tickets_right)
from common.naming import AMI_ADMIN_USER  # noqa: E402
from common.secrets import ami_admin_secret  # noqa: E402
from ivr.prompts import readback_sound  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------- running --

def cpu_seconds(pid: int | None) -> float:
    if not pid:
        return 0.0
    try:
        parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot (/proc/stat): the whole machine's load."""
    f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = f[3] + f[4]
    return sum(f) - idle, sum(f)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def ami_figures(events: list[dict], numbers: set[str]) -> dict:
    """From Asterisk's own event timestamps (manager.conf timestampevents: the bench's reading jitter
    stays out): AGI turnarounds — a command's result sent to the flow → the flow's next command on
    that channel, i.e. the service's and the DB's share of the call; gaps over 2 s are the channel
    leaving one AGI for the dialplan (queue) and the next AGI (hang-up), not a turnaround — and each
    caller's time from channel to queue."""
    last_end, turns, after, created, queued = {}, [], [], {}, {}
    for e in events:
        ev, ts = e.get("Event"), float(e.get("Timestamp") or e["_t"])
        if ev == "AGIExecStart":
            end, before = last_end.pop(e.get("Channel"), (None, ""))
            if end is not None and ts - end < 2.0:
                turns.append(ts - end)
                after.append((ts - end, before, ts))
        elif ev == "AGIExecEnd":
            last_end[e.get("Channel")] = (ts, " ".join(str(e.get("Command", "")).split()[:2]))
        elif ev == "Newchannel" and e.get("CallerIDNum") in numbers:
            created.setdefault(e.get("Uniqueid"), (ts, e.get("CallerIDNum")))
        elif ev == "QueueCallerJoin" and e.get("Uniqueid") in created:
            queued.setdefault(e["Uniqueid"], ts)
    to_queue = [queued[u] - created[u][0] for u in queued]
    return {"rtts": turns, "to_queue": to_queue, "queued": {created[u][1] for u in queued},
            "slowest": slowest(after)}


def slowest(after: list[tuple[float, str, float]]) -> str:
    """The slowest 1 % of turnarounds: which command they followed, and when in the level they
    came (seconds from the level's first turnaround) — a step of the flow, or a moment of load."""
    if not after:
        return ""
    t0 = min(at for _g, _c, at in after)
    worst = sorted(after, reverse=True)[:max(1, len(after) // 100)]
    by_cmd: dict[str, int] = {}
    for _g, cmd, _at in worst:
        by_cmd[cmd] = by_cmd.get(cmd, 0) + 1
    when = sorted(at - t0 for _g, _c, at in worst)
    return (", ".join(f"after {c} {100 * n / len(worst):.0f} %" for c, n in sorted(by_cmd.items(), key=lambda x: -x[1]))
            + f"; at {when[0]:.0f}–{when[-1]:.0f} s (median {when[len(when) // 2]:.0f} s) of the level")


def wrong_calls(sessions, numbers, right: set[str], most: int = 5) -> list[str]:
    """What the calls without a right ticket left in the DB (how far they got)."""
    out = []
    with sessions() as db:
        for n in [n for n in numbers if n not in right][:most]:
            for c in db.scalars(select(Call).where(Call.caller == n)).all() or [None]:
                t = db.get(Ticket, c.ticket_id) if c and c.ticket_id else None
                out.append(f"{n}: " + ("no call record" if c is None else
                           f"last step {c.last_step}, outcome {c.outcome and c.outcome.value}, ticket "
                           + (f"{t.number} {t.category and t.category.value} call-back {t.callback_number}"
                              if t else "none")))
    return out


def timeline(events: list[dict], number: str) -> list[str]:
    """What Asterisk did on a wrong call's channel: each AGI command (with its result) and each key
    (DTMF end), in seconds since the channel was created — where a key went missing."""
    uid = next((e.get("Uniqueid") for e in events
                if e.get("Event") == "Newchannel" and e.get("CallerIDNum") == number), None)
    if uid is None:
        return []
    t0, out = None, []
    for e in events:
        if e.get("Uniqueid") != uid:
            continue
        t0 = e["_t"] if t0 is None else t0
        ev, at = e.get("Event"), e["_t"] - t0
        if ev == "AGIExecStart":
            out.append(f"{at:6.2f} > {e.get('Command', '')[:60]}")
        elif ev == "AGIExecEnd":
            out.append(f"{at:6.2f} < {e.get('Result', '')[:40]}")
        elif ev == "DTMFEnd":
            out.append(f"{at:6.2f} key {e.get('Digit')} ({e.get('Direction')})")
    return out


def level(a, st, s, work, name, scenario, numbers, conc, ami, sessions=None) -> dict:
    pids = (st["asterisk_pid"], st["service_pid"] if sessions else None)
    mark = ami.mark()
    service_log = s.log_dir / "service.log"
    log_at = service_log.stat().st_size if service_log.exists() else 0
    cpu0, t0, m0 = [cpu_seconds(p) for p in pids], time.monotonic(), machine_busy()
    got = run_sipp(work, name, st["ports"]["sip"], s.extension, scenario, numbers, conc,
                   rate=min(float(conc), a.rate))
    wall = time.monotonic() - t0
    cpu1, m1 = [cpu_seconds(p) for p in pids], machine_busy()
    time.sleep(2)
    ours = service_timings(service_log, log_at) if sessions else None
    fig = ami_figures(ami.events[mark:], set(numbers))
    right = tickets_right(sessions, numbers) if sessions else None
    # succeeded: SIP completed and the caller reached the queue (intake: with the ticket exactly right)
    ok = min(got["ok"], len(fig["queued"] if right is None else right & fig["queued"]))
    return {**got, "ok": ok, "right": len(right) if right is not None else None,
            "wrong": wrong_calls(sessions, numbers, right) if right is not None else [],
            "timeline": timeline(ami.events[mark:], next((n for n in numbers if n not in right), ""))
            if right is not None and len(right) < len(numbers) else [],
            "ast_cpu": 100 * (cpu1[0] - cpu0[0]) / wall, "svc_cpu": 100 * (cpu1[1] - cpu0[1]) / wall,
            "cpu_s": (cpu1[0] - cpu0[0]) + (cpu1[1] - cpu0[1]),
            "sipp_cpu": 100 * got["sipp_cpu_s"] / wall,
            "machine": 100 * (m1[0] - m0[0]) / max(1, m1[1] - m0[1]),
            "rtt50": pct(fig["rtts"], .5) * 1000, "rtt99": pct(fig["rtts"], .99) * 1000, "slowest": fig["slowest"],
            "q50": pct(fig["to_queue"], .5), "q99": pct(fig["to_queue"], .99), "wall": wall, "ours": ours}


def service_timings(path: Path, offset: int) -> str:
    """The service's own once-a-minute figures during the level (hotline.service.fastagi.AgiTimings):
    the flow's share of a turnaround and the event loop's lateness — the rest of the bench's
    turnaround is Asterisk and the OS scheduling its threads."""
    with path.open("rb") as f:
        f.seek(offset)
        lines = [ln.decode("utf-8", "replace") for ln in f if b"FastAGI: " in ln]
    return "; ".join(ln.split("FastAGI: ", 1)[1].strip() for ln in lines)


def wait_rendered(s, sessions, numbers: list[str], timeout: float = 600) -> None:
    with sessions() as db:
        rows = db.execute(select(AccountPhone.phone, AccountPhone.account_id).where(AccountPhone.phone.in_(numbers)))
        ids = {acc for _p, acc in rows}
        addresses = [a.address for a in db.scalars(select(HeatingAccount).where(HeatingAccount.id.in_(ids)))]
    deadline = time.monotonic() + timeout
    while any(readback_sound(s, t) is None for t in addresses):
        if time.monotonic() > deadline:
            raise RuntimeError("the service did not render the callers' addresses in time")
        time.sleep(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--levels", default="5,10", help="concurrency levels, comma-separated")
    ap.add_argument("--calls-factor", type=float, default=1.5, help="calls per level = level × this")
    ap.add_argument("--queue-s", type=float, default=10.0, help="seconds in the queue before BYE")
    ap.add_argument("--rate", type=float, default=20.0, help="new calls per second at most")
    ap.add_argument("--keep", action="store_true", help="keep the scratch home (logs, sipp traces)")
    a = ap.parse_args()
    if not shutil.which("sipp"):
        raise SystemExit("sipp is missing — apt-get install sip-tester")
    levels = [int(x) for x in a.levels.split(",") if x.strip()]
    counts = [math.ceil(lv * a.calls_factor) for lv in levels]
    top = max(levels)
    home = Path(tempfile.mkdtemp(prefix="hotline-sipp-"))
    work = home / "sipp"
    work.mkdir()
    # date only: the real time of day on a season day (time to queue from the DB needs a clock)
    s = scratch.scratch_settings(home, REPO / "dialplan", today="2026-11-23", rtp_ports=max(400, 4 * top + 400),
                                 expected_calls=top + 100, log_level="INFO")
    try:
        # some demo accounts have only a landline, a shared mobile or an open ticket: seed a margin
        with scratch.scratch_hotline(s, accounts=math.ceil(sum(counts) * 1.25) + 50) as sessions:
            st = runtime.read_state(s)
            callers = [n for n, known in demo_callers(s, sum(counts)) if known]
            if len(callers) < sum(counts):
                raise SystemExit(f"only {len(callers)} demo callers for {sum(counts)} calls")
            wait_rendered(s, sessions, callers)
            ami = AmiEventLog(st["ports"]["ami"], AMI_ADMIN_USER, ami_admin_secret(s), events="call,agent,agi,dtmf")
            stand_by_member(ami)
            keys, on_line = schedule(s, a.queue_s)
            pcaps = intake_pcaps(work, keys)
            intake_xml, floor_xml = scenario_xml(keys, pcaps, on_line), scenario_xml([], [], on_line)
            print(f"{time.strftime('%F %T')}  {os.cpu_count()} cores, {on_line:.0f} s on the line a call, keys at "
                  + ", ".join(f"{k}@{t:.1f}s" for t, k in keys), flush=True)
            results, at = {}, 0
            for lv, n in zip(levels, counts):
                results[("intake", lv)] = level(a, st, s, work, f"intake{lv}", intake_xml, callers[at:at + n], lv,
                                                ami, sessions)
                print_row("intake", lv, results[("intake", lv)])
                at += n
            stop_pid(st["service_pid"], timeout=10)         # the floor: the degraded dialplan path
            at = 0
            for lv, n in zip(levels, counts):
                results[("floor", lv)] = level(a, st, s, work, f"floor{lv}", floor_xml, callers[at:at + n], lv, ami)
                print_row("floor", lv, results[("floor", lv)])
                at += n
            ami.close()
            summary(levels, counts, results)
    finally:
        if a.keep:
            print(f"scratch home kept: {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def print_row(kind: str, lv: int, r: dict) -> None:
    right = "—" if r["right"] is None else str(r["right"])
    print(f"{kind:6} {lv:5} placed {r['placed']:5} ok {r['ok']:5} failed {r['failed']:4} tickets right {right:>5}"
          f"  CPU Asterisk {r['ast_cpu']:5.1f} % service {r['svc_cpu']:5.1f} % sipp {r['sipp_cpu']:5.1f} %"
          f" machine {r['machine']:5.1f} % busy"
          f"  AGI turnaround p50 {r['rtt50']:.2f} ms p99 {r['rtt99']:.2f} ms  to queue p50 {r['q50']:.1f} s p99 {r['q99']:.1f} s",
          flush=True)
    if r.get("ours"):
        print(f"         the service, per minute: {r['ours']}")
    if r.get("slowest"):
        print(f"         slowest 1 % of AGI turnarounds: {r['slowest']}")
    for w in r["wrong"]:
        print(f"         {w}")
    if r.get("timeline"):
        print("         the first wrong call, as Asterisk saw it:")
        for line in r["timeline"]:
            print(f"           {line}")


def summary(levels, counts, results) -> None:
    def clean(kind):
        ok = [lv for lv, n in zip(levels, counts) if results[(kind, lv)]["ok"] == n
              and results[(kind, lv)]["failed"] == 0]
        return max(ok) if ok else 0
    ci, cf = clean("intake"), clean("floor")
    print(f"highest clean level: intake {ci}, floor {cf}; ratio intake/floor "
          + (f"{ci / cf:.2f}" if cf else "n/a") + " (bounded by the ladder's top when both hold it)")
    for lv, n in zip(levels, counts):
        i, f = results[("intake", lv)], results[("floor", lv)]
        ratio = f["cpu_s"] / i["cpu_s"] if i["cpu_s"] else float("nan")
        print(f"level {lv}: CPU per call intake {i['cpu_s'] / n * 1000:.0f} ms, floor {f['cpu_s'] / n * 1000:.0f} ms;"
              f" floor/intake CPU {ratio:.2f}")


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main()
