"""Screen pop latency: from Asterisk ringing the agent to the account card painted.

    .venv/bin/python benchmarks/screen_pop.py --calls 50 --concurrency 6

Starts a scratch hotline (own home, demo accounts, private Asterisk), opens the
real agent desk in this process (offscreen unless $DISPLAY is set; the real
agent-API client and pjsua2 softphone), logs a benchmark agent in and joins the
queue. Caller processes (pjsua2 allows 4 calls per process) place real calls:
each a known resident through the IVR into the queue. The desk answers each
ringing call and hangs up half a second later, like a very quick agent.

Per call, three instants on this machine's monotonic clock:
  ring   AMI AgentCalled received (Asterisk starts ringing the agent's phone),
  pushed the screen_pop event delivered to the GUI thread by the WebSocket,
  paint  the first paint of the card's 户号 label after the pop was applied.
Prints p50 / p95 / max of ring→paint and of its two parts.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hotline.admin import runtime  # noqa: E402
from bench import scratch  # noqa: E402
from common.secrets import ami_admin_secret  # noqa: E402
from common.naming import AMI_ADMIN_USER  # noqa: E402
from hotline.admin.amiclient import AmiEventLog  # noqa: E402
from bench.scenarios import CallerDialog, resident_reports_no_heat  # noqa: E402

AGENT, PASSWORD = "5001", "bench-pop-pass"


def caller_worker(args) -> list[str]:
    """One process: its residents, two on the line at a time; each waits to be answered."""
    from concurrent.futures import ThreadPoolExecutor

    from common.sip.phone import Phone, SipStack
    ports, secret, extension, numbers = args
    ami = AmiEventLog(ports["ami"], AMI_ADMIN_USER, secret)
    stack = SipStack.instance()

    def one(number: str) -> str:
        try:
            d = CallerDialog(ami, Phone.anonymous(stack, ports["sip"], number), extension, number)
            resident_reports_no_heat(d)
            d.call.wait_state("DISCONNECTED", 180)       # the desk answers, then hangs up
            return ""
        except Exception as exc:
            return f"{number[-4:]}: {type(exc).__name__}: {exc}"
    with ThreadPoolExecutor(2) as pool:
        out = list(pool.map(one, numbers))
    ami.close()
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--concurrency", type=int, default=6, help="residents on the line at once")
    a = ap.parse_args()
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["HOTLINE_NULL_AUDIO"] = "1"

    from db.models import Role
    from bench.desk_demo import demo_callers
    from hotline.admin.users import add_user
    home = Path(tempfile.mkdtemp(prefix="hotline-popbench-"))
    s = scratch.scratch_settings(home, Path(__file__).resolve().parents[1] / "dialplan")
    try:
        with scratch.scratch_hotline(s, accounts=max(200, a.calls * 3)) as sessions:
            with sessions() as db:
                add_user(db, AGENT, "压测座席", Role.agent, PASSWORD, actor="benchmark")
                db.commit()
            runtime.reload_agents(s, sessions)
            numbers = [n for n, known in demo_callers(s, a.calls) if known]
            run(s, runtime.read_state(s), numbers, a.concurrency)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(s, st, numbers: list[str], concurrency: int) -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.services.api import AgentApiClient  # noqa: PLC0415 — after the Qt platform is chosen
    from desktop.widgets.main_window import AgentWindow  # noqa: PLC0415 — after the Qt platform is chosen
    from common import wire  # noqa: PLC0415 — after the Qt platform is chosen
    app = QApplication.instance() or QApplication(["screen_pop"])
    api = AgentApiClient(f"http://127.0.0.1:{st['ports']['api']}")
    pushed: dict[str, float] = {}
    painted: dict[str, float] = {}
    pending: list[str] = []

    def on_pop(ev: dict) -> None:      # connected before the window's own handler: it runs first
        if ev.get("type") == wire.EV_SCREEN_POP:
            pushed.setdefault(ev.get("uniqueid", ""), time.monotonic())
    api.event.connect(on_pop)
    w = AgentWindow(api=api, agent_no=AGENT)
    api.setParent(w)
    w.show()
    ami = AmiEventLog(st["ports"]["ami"], AMI_ADMIN_USER, ami_admin_secret(s))
    mark = ami.mark()

    def shown(pop: dict) -> None:      # after the window filled the card
        pending[:] = [pop.get("uniqueid", "")]
        w.card.account_no.update()
    w.desk.pop_changed.connect(shown)

    class PaintWatch(QObject):
        def eventFilter(self, obj, ev):     # noqa: N802 (Qt's name)
            if ev.type() == QEvent.Type.Paint and pending:
                painted.setdefault(pending.pop(), time.monotonic())
            return False
    watch = PaintWatch()
    w.card.account_no.installEventFilter(watch)

    w.phone.incoming.connect(lambda _i: QTimer.singleShot(150, w.phone.answer))
    w.phone.call_state.connect(lambda st_: st_ == "talking" and QTimer.singleShot(500, w.phone.hangup))
    errors: list[str] = []
    done = threading.Event()

    def callers() -> None:
        procs = max(1, concurrency // 2)
        chunks = [numbers[i::procs] for i in range(procs)]
        with mp.get_context("spawn").Pool(procs) as pool:
            for chunk in pool.map(caller_worker, [(st["ports"], ami_admin_secret(s), s.extension, c) for c in chunks]):
                errors.extend(e for e in chunk if e)
        done.set()

    def start_when_ready() -> None:
        if w.phone.is_registered and w.agent_state.get("member"):
            ready.stop()
            threading.Thread(target=callers, daemon=True).start()
    ready = QTimer()
    ready.timeout.connect(start_when_ready)
    ready.start(200)
    finish = QTimer()
    finish.timeout.connect(lambda: done.is_set() and app.quit())
    finish.start(500)
    api.logged_in.connect(lambda _d: api.join_queue(True))
    w.login(AGENT, PASSWORD)
    t0 = time.monotonic()
    app.exec()
    wall = time.monotonic() - t0
    w.close()

    rings: dict[str, float] = {}
    for e in ami.events[mark:]:
        if e.get("Event") == "AgentCalled" and e.get("MemberName") == f"agent-{AGENT}":
            rings.setdefault(e.get("Uniqueid", ""), e["_t"])
    ami.close()
    total = [(painted[u] - t) * 1000 for u, t in rings.items() if u in painted]
    push = [(pushed[u] - t) * 1000 for u, t in rings.items() if u in pushed]
    paint = [(painted[u] - pushed[u]) * 1000 for u in painted if u in pushed]
    print(f"calls placed        {len(numbers)} ({concurrency} residents on the line at once), {wall:.0f} s")
    print(f"rang the desk       {len(rings)}; card painted for {len(total)}; caller errors {len(errors)}")
    for e in errors[:5]:
        print(f"   {e}")
    platform = os.environ.get("QT_QPA_PLATFORM") or "xcb"
    for name, vals in (("ring → card painted", total), ("  ring → pop at desk", push), ("  pop → painted", paint)):
        if vals:
            print(f"{name:22} p50 {statistics.median(vals):6.1f} ms   p95 {pct(vals, 95):6.1f} ms"
                  f"   max {max(vals):6.1f} ms   (n={len(vals)}, Qt {platform})")


if __name__ == "__main__":
    main()
