"""No caller waits on the database (#26): a million accounts imported while sipp callers go through
the intake. Run on demand, not a test:

    .venv/bin/python benchmarks/db_stalls.py [--rows 1000000] [--callers 10] [--keep]

Starts a scratch hotline (own home, demo accounts, private Asterisk, the service over FastAGI) with a
paused stand-by member in the queue, writes a CSV of `--rows` accounts and runs `hotline accounts
import` on it. While the import runs, waves of `--callers` concurrent sipp callers go through the
full intake (address confirmed, leak, call-back number, an empty voice message, the ticket number)
and wait briefly in the queue; a new wave starts as one ends, until the import is done.

Prints: the import's time, batches and its longest commit (how long SQLite's write lock was held at
most); per wave the callers placed / succeeded and their tickets exactly right; the callers' account
look-up latency (the service's once-a-minute figures: p50, p99, max — the goal is p99 < 5 ms); tickets
lost (callers without exactly one right ticket — the goal is 0); and what the service's journal held.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hotline.admin import runtime  # noqa: E402
from hotline.admin.amiclient import AmiEventLog  # noqa: E402
from bench import scratch  # noqa: E402
from bench.desk_demo import demo_callers  # noqa: E402
from bench.sipp import intake_pcaps, run_sipp, scenario_xml, schedule, stand_by_member, tickets_right  # noqa: E402
from common.naming import AMI_ADMIN_USER  # noqa: E402
from common.secrets import ami_admin_secret  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
_LOOKUPS = re.compile(r"look-ups: (\d+), p50 ([0-9.]+) ms p99 ([0-9.]+) ms max ([0-9.]+) ms; journal: (\d+)")


def accounts_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("account_no,name,district,compound,building,unit,room,phones\n")
        for i in range(rows):
            f.write(f"{50000000 + i},住户{i % 997},和平区,导入小区{i % 211},{i % 40 + 1},{i % 6 + 1},"
                    f"{i % 2000 + 101},17{i:09d}\n")


def service_lookups(path: Path, offset: int) -> list[tuple[int, float, float, float, int]]:
    with path.open("rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    return [(int(n), float(p50), float(p99), float(mx), int(j)) for n, p50, p99, mx, j in _LOOKUPS.findall(text)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000, help="accounts imported")
    ap.add_argument("--callers", type=int, default=10, help="concurrent callers per wave")
    ap.add_argument("--waves", type=int, default=30, help="at most this many waves (each ~50 s)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch home (logs, sipp traces)")
    a = ap.parse_args()
    if not shutil.which("sipp"):
        raise SystemExit("sipp is missing — apt-get install sip-tester")
    home = Path(tempfile.mkdtemp(prefix="hotline-dbstalls-"))
    work = home / "sipp"
    work.mkdir()
    s = scratch.scratch_settings(home, REPO / "dialplan", today="2026-11-23", log_level="INFO")
    try:
        with scratch.scratch_hotline(s, accounts=int(a.callers * a.waves * 1.3) + 50) as sessions:
            st = runtime.read_state(s)
            callers = [n for n, known in demo_callers(s, a.callers * a.waves) if known]
            ami = AmiEventLog(st["ports"]["ami"], AMI_ADMIN_USER, ami_admin_secret(s), events="off")
            stand_by_member(ami)
            keys, on_line = schedule(s, queue_s=2)
            xml = scenario_xml(keys, intake_pcaps(work, keys), on_line)
            csv = home / "accounts.csv"
            t = time.monotonic()
            accounts_csv(csv, a.rows)
            print(f"{time.strftime('%F %T')}  {os.cpu_count()} cores; {a.rows} accounts written in "
                  f"{time.monotonic() - t:.1f} s; {on_line:.0f} s on the line a call", flush=True)
            log = s.log_dir / "service.log"
            log_at = log.stat().st_size if log.exists() else 0
            env = {**os.environ, "HOTLINE_HOME": str(home)}
            env.pop("HOTLINE_DB_URL", None)
            started = time.monotonic()
            imp = subprocess.Popen([sys.executable, "-m", "hotline.cli", "accounts", "import", "--json", str(csv)],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            placed, lost, at, wave = 0, [], 0, 0
            while imp.poll() is None and wave < a.waves and at + a.callers <= len(callers):
                numbers = callers[at:at + a.callers]
                at += a.callers
                wave += 1
                got = run_sipp(work, f"wave{wave}", st["ports"]["sip"], s.extension, xml, numbers,
                               concurrency=a.callers, rate=a.callers)
                time.sleep(3)          # the last writes of the wave (its hang-ups) land
                right = tickets_right(sessions, numbers)
                placed += len(numbers)
                lost += [n for n in numbers if n not in right]
                print(f"wave {wave:3} at {time.monotonic() - started:6.1f} s: placed {got['placed']} ok {got['ok']} "
                      f"failed {got['failed']} tickets right {len(right)}/{len(numbers)}", flush=True)
            out, err = imp.communicate()
            took = time.monotonic() - started
            if imp.returncode != 0:
                raise SystemExit(f"the import failed: {err[-2000:]}")
            rep = json.loads(out)
            # lost for good only if still wrong once the journal had its time
            time.sleep(5)
            lost = [n for n in lost if n not in tickets_right(sessions, lost)]
            print(f"import: {rep['created']} new, {rep['updated']} updated in {took:.1f} s "
                  f"({a.rows / took:.0f} rows/s), {rep['batches']} batches, the longest commit "
                  f"{rep['longest_commit_s'] * 1000:.0f} ms", flush=True)
            print("waiting for the service's minute figures …", flush=True)
            time.sleep(62)
            figures = service_lookups(log, log_at)
            ami.close()
            if figures:
                n = sum(f[0] for f in figures)
                print(f"callers' look-ups: {n}; per minute p50 " + ", ".join(f"{f[1]:.2f}" for f in figures)
                      + " ms; p99 " + ", ".join(f"{f[2]:.2f}" for f in figures) + " ms; max "
                      + ", ".join(f"{f[3]:.1f}" for f in figures) + " ms")
                worst = max(f[2] for f in figures)
                print(f"look-up p99 (worst minute): {worst:.2f} ms — goal < 5 ms: {'met' if worst < 5 else 'NOT met'}")
                print(f"journal pending at the minute marks: {[f[4] for f in figures]}")
            else:
                print("no look-up figures in the service's log")
            print(f"callers {placed}, tickets lost {len(lost)} — goal 0: {'met' if not lost else 'NOT met'}"
                  + (f" ({', '.join(lost[:5])})" if lost else ""))
    finally:
        if a.keep:
            print(f"scratch home kept: {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main()
