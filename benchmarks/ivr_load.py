"""IVR load on loopback: N concurrent callers through the full intake into the queue.

    .venv/bin/python benchmarks/ivr_load.py --callers 40 --concurrency 20
    .venv/bin/python benchmarks/ivr_load.py --classic     # the same flow as a classic AGI script

Starts a scratch hotline (own home, demo accounts, private Asterisk), then runs
caller processes (pjsua2 allows 4 calls per process, so load is spread over
processes). Each caller is a known resident: confirms the address, reports a
leak, confirms the call-back number, leaves an empty voice description, hears
the ticket number and reaches the queue, then hangs up. Prints completed calls,
failures, calls per second, CPU of Asterisk and of the IVR service, and the
p50/p99 round trip of AGI commands (AGIExecStart → AGIExecEnd of commands that
play nothing, so the figure is Asterisk ↔ flow ↔ DB).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hotline.admin import runtime  # noqa: E402
from bench import scratch  # noqa: E402
from common.secrets import ami_admin_secret  # noqa: E402
from common.naming import AMI_ADMIN_USER  # noqa: E402
from hotline.admin.amiclient import AmiEventLog  # noqa: E402
from bench.scenarios import CallerDialog  # noqa: E402

PLAYS = ("STREAM FILE", "GET DATA", "RECORD FILE", "EXEC")


def cpu_seconds(pid: int) -> float:
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def caller_worker(args) -> list[tuple[bool, float, str]]:
    """One process: its callers, at most 4 at a time (the pjsua2 wheel's limit)."""
    from concurrent.futures import ThreadPoolExecutor

    from common.sip.phone import Phone, SipStack
    ports, secret, extension, numbers = args
    ami = AmiEventLog(ports["ami"], AMI_ADMIN_USER, secret)
    stack = SipStack.instance()

    def one(number):
        t0 = time.monotonic()
        try:
            d = CallerDialog(ami, phone_for(number), extension, number)
            d.at("your_address_is", "1").at("problem_menu", "2").at("callback_number_is", "1")
            d.recording("#").at("ticket_number_is")
            d.in_queue(60)
            d.hangup()
            return True, time.monotonic() - t0, ""
        except Exception as exc:
            return False, time.monotonic() - t0, f"{type(exc).__name__}: {exc}"

    phones = {}

    def phone_for(number):
        # all anonymous callers share one pjsua2 account (the wheel allows 8); From is set per call
        if number not in phones:
            phones[number] = Phone.anonymous(stack, ports["sip"], number)
        return phones[number]
    with ThreadPoolExecutor(4) as pool:
        out = list(pool.map(one, numbers))
    ami.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--callers", type=int, default=40)
    ap.add_argument("--concurrency", type=int, default=20, help="callers on the line at once")
    ap.add_argument("--classic", action="store_true", help="run the flow as a classic AGI script")
    a = ap.parse_args()

    from bench.desk_demo import demo_callers
    home = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    s = scratch.scratch_settings(home, Path(__file__).resolve().parents[1] / "dialplan")
    if a.classic:
        ext = s.dialplan_dir / "extensions.conf"
        ext.write_text(ext.read_text().replace("AGI(${HOTLINE_FASTAGI}/caller)", "AGI(hotline_ivr.py,caller)"))
    try:
        with scratch.scratch_hotline(s, accounts=max(200, a.callers * 2)):
            report(a, s, [n for n, known in demo_callers(s, a.callers) if known])
    finally:
        shutil.rmtree(home, ignore_errors=True)


def report(a, s, numbers: list[str]) -> None:
    st = runtime.read_state(s)
    ami = AmiEventLog(st["ports"]["ami"], AMI_ADMIN_USER, ami_admin_secret(s))
    mark = ami.mark()
    procs = max(1, a.concurrency // 4)
    chunks = [numbers[i::procs] for i in range(procs)]
    cpu0 = {k: cpu_seconds(st[k]) for k in ("asterisk_pid", "service_pid")}
    t0 = time.monotonic()
    with mp.get_context("spawn").Pool(procs) as pool:
        results = [r for chunk in pool.map(caller_worker, [(st["ports"], ami_admin_secret(s), s.extension, c)
                                                          for c in chunks if c]) for r in chunk]
    wall = time.monotonic() - t0
    cpu1 = {k: cpu_seconds(st[k]) for k in ("asterisk_pid", "service_pid")}
    time.sleep(1)
    rtts = agi_round_trips(ami.events[mark:])
    ok = [r for r in results if r[0]]
    bad = [r for r in results if not r[0]]
    mode = "classic AGI (process per call)" if a.classic else "FastAGI (hotline service)"
    print(f"mode                {mode}")
    print(f"callers             {len(results)} ({a.concurrency} at once, {procs} caller processes)")
    print(f"completed           {len(ok)}")
    print(f"failed              {len(bad)}")
    for r in bad[:5]:
        print(f"   {r[2]}")
    print(f"wall time           {wall:.1f} s; calls/s {len(ok) / wall:.2f}")
    print(f"call duration p50   {statistics.median([r[1] for r in ok]) if ok else 0:.1f} s")
    ast_cpu = cpu1["asterisk_pid"] - cpu0["asterisk_pid"]
    svc_cpu = cpu1["service_pid"] - cpu0["service_pid"]
    print(f"CPU Asterisk        {ast_cpu:.2f} s ({100 * ast_cpu / wall:.1f} % of a core)")
    print(f"CPU IVR service     {svc_cpu:.2f} s ({100 * svc_cpu / wall:.1f} % of a core)"
          + ("  (flows ran in AGI processes)" if a.classic else ""))
    if rtts:
        rtts.sort()
        p50 = rtts[len(rtts) // 2] * 1000
        p99 = rtts[min(len(rtts) - 1, int(len(rtts) * 0.99))] * 1000
        print(f"AGI round trip      p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(rtts)} commands")
    ami.close()


def agi_round_trips(events) -> list[float]:
    starts, out = {}, []
    for e in events:
        key = (e.get("Channel"), e.get("CommandId"))
        if e.get("Event") == "AGIExecStart":
            starts[key] = e
        elif e.get("Event") == "AGIExecEnd" and key in starts:
            s = starts.pop(key)
            if not s.get("Command", "").startswith(PLAYS):
                out.append(e["_t"] - s["_t"])
    return out


if __name__ == "__main__":
    main()
