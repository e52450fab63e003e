"""``hotline desktop --demo``: the real desk on a real call, hands-free.

Starts the hotline if it is not running, logs the demo agent in through the
agent API, joins the queue, and places a resident's call through the IVR from a
second SIP line in this process. The agent's phone rings, the screen pop fills,
the desk answers; then a screenshot of the window is written and the demo
leaves the queue again. Everything is the product's real path: only the
agent's and the caller's hands are scripted.

The caller side lives here (it needs AMI to know when each prompt starts);
``desktop/`` stays a pure client of the agent API.

``--role team_lead`` (or head, admin) shows the after-call screens instead: a demo supervisor
(工号 1901 "演示领班", a fresh one-off password) logs in, the 工单 tab loads the hotline's
tickets, the first one's detail opens, the PNG is written. No call is placed. With ``--tab reports``
the 报表 tab shows the day's report; with ``--tab board`` the 看板 tab the service's agent board.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from datetime import timedelta

from PySide6.QtCore import QTimer
from sqlalchemy import select

from db.models import (OPEN_STATES, AccountPhone, Category, HeatingAccount, Role, Ticket, TicketState,
                       User)
from db.queries import station_for
from db.tickets import create_ticket
from desktop.app import main as desktop_main
from desktop.state.aftercall import TAB_BOARD, TAB_REPORTS
from hotline.admin import runtime
from hotline.admin.amiclient import AmiEventLog
from hotline.admin.demo import seed_demo
from hotline.admin.users import add_user, set_password
from hotline.aftercall.anomalies import AnomalyRegister
from hotline.aftercall.lifecycle import TicketWork
from hotline.aftercall.rules import actor_for
from bench.scenarios import CallerDialog, resident_reports_no_heat
from common import wire
from common.naming import AMI_ADMIN_USER
from common.secrets import ami_admin_secret
from common.settings import Settings
from common.sip.phone import Phone, SipStack

log = logging.getLogger("hotline.demo")

DEMO_AGENT_NO = "1001"
DEMO_AGENT_NAME = "演示座席"
#: the after-call demo's supervisor (`--role team_lead|head|admin`)
DEMO_LEAD_NO = "1901"
DEMO_LEAD_NAMES = {"team_lead": "演示领班", "head": "演示部长", "admin": "演示管理员"}


def ensure_demo_agent(s: Settings, agent_no: str = DEMO_AGENT_NO, name: str = DEMO_AGENT_NAME,
                      role: Role = Role.agent) -> tuple[str, str]:
    """The demo agent (or supervisor) with a fresh one-off password (never stored in clear anywhere)."""
    sessions = runtime.prepare_database(s)
    password = secrets.token_urlsafe(12)
    with sessions() as db:
        u = db.scalar(select(User).where(User.agent_no == agent_no))
        created = u is None
        if created:
            add_user(db, agent_no, name, role, password, actor="demo")
        elif u.name not in (DEMO_LEAD_NAMES.values() if agent_no == DEMO_LEAD_NO else (name,)) or not u.active:
            raise runtime.HotlineError(f"工号 {agent_no} belongs to a real person here: the demo will not "
                                       f"touch it (run the demo on a test installation)")
        else:
            u.name, u.role = name, role
            set_password(db, agent_no, password, actor="demo")
        db.commit()
    # a new agent needs an endpoint; a new password also rotated the SIP secret
    runtime.reload_agents(s, sessions)
    return agent_no, password


def demo_callers(s: Settings, n: int = 1) -> list[tuple[str, bool]]:
    """Residents' mobiles from the demo data: each belongs to one account with no open
    ticket, and no two to the same account (a first caller's draft ticket would be offered to the
    second as open), so the IVR takes the everyday path. Unknown numbers make up the rest."""
    sessions = runtime.prepare_database(s)
    out: list[tuple[str, bool]] = []
    with sessions() as db:
        busy = set(db.scalars(select(Ticket.account_id).where(Ticket.state.in_(OPEN_STATES),
                                                              Ticket.account_id.is_not(None))))
        counts: dict[str, int] = {}
        rows = db.execute(select(AccountPhone.phone, AccountPhone.account_id)).all()
        for phone, _acc in rows:
            counts[phone] = counts.get(phone, 0) + 1
        for phone, acc in sorted(rows):
            if len(out) >= n:
                break
            if phone.startswith("1") and len(phone) == 11 and counts[phone] == 1 and acc not in busy:
                out.append((phone, True))
                busy.add(acc)
    out += [(f"133000{i:05d}", False) for i in range(n - len(out))]
    return out


class CallerLine:
    """The resident's side of one call, on its own thread (blocking SIP + AMI waits)."""

    def __init__(self, s: Settings, number: str, known: bool):
        self.s, self.number, self.known = s, number, known
        self.error = ""
        self._hangup = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True, name=f"caller-{self.number[-4:]}").start()

    def _run(self) -> None:
        st = runtime.read_state(self.s) or {}
        ports = st.get("ports") or {}
        ami = None
        try:
            ami = AmiEventLog(ports["ami"], AMI_ADMIN_USER, ami_admin_secret(self.s))
            phone = Phone.anonymous(SipStack.instance(), ports["sip"], self.number)
            d = CallerDialog(ami, phone, self.s.extension, self.number)
            resident_reports_no_heat(d, known=self.known)
            self._hangup.wait(120)
            d.call.hangup()
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("demo caller failed: %s", self.error)
        finally:
            if ami is not None:
                ami.close()

    def hangup(self) -> None:
        self._hangup.set()


class DeskDemo:
    """Drives the window like an agent would: login, join the queue, answer, look."""

    def __init__(self, s: Settings, agent_no: str, password: str, number: str, known: bool,
                 screenshot: str | None, timeout: float = 180.0, hold: float = 2.5):
        self.s, self.agent_no, self.password = s, agent_no, password
        self.caller = CallerLine(s, number, known)
        self.screenshot, self.timeout, self.hold = screenshot, timeout, hold
        self.exit_code = 1
        self.window = self.app = None
        self._started = False
        self._answered = False

    def __call__(self, app, window) -> None:
        self.app, self.window = app, window
        api, phone = window.api, window.phone
        api.logged_in.connect(lambda _d: api.join_queue(True))
        api.login_failed.connect(lambda msg: self._fail(f"login refused: {msg}"))
        phone.incoming.connect(lambda _info: QTimer.singleShot(800, self._answer))
        phone.call_state.connect(self._call_state)
        self._poll = QTimer(window)
        self._poll.setInterval(200)
        self._poll.timeout.connect(self._ready_check)
        self._poll.start()
        QTimer.singleShot(int(self.timeout * 1000), lambda: self._fail("timed out"))
        window.login(self.agent_no, self.password)

    def _ready_check(self) -> None:
        w = self.window
        if self.caller.error:
            self._fail(f"the demo caller failed: {self.caller.error}")
        elif not self._started and w.phone.is_registered and w.agent_state.get("member"):
            self._started = True
            w.show_info(w.tr("演示: 居民来电中…"))
            self.caller.start()

    def _answer(self) -> None:
        if not self._answered:
            self._answered = True
            self.window.phone.answer()

    def _call_state(self, state: str) -> None:
        if state == "talking":
            QTimer.singleShot(int(self.hold * 1000), self._finish)

    def _finish(self) -> None:
        w = self.window
        if self.screenshot:
            w.grab().save(self.screenshot)
            log.info("screenshot written to %s", self.screenshot)
        self.exit_code = 0 if w.pop and w.pop.get("ticket") else 1
        if self.exit_code:
            log.error("the call was answered but no screen pop with a ticket arrived")
        self._leave()

    def _fail(self, why: str) -> None:
        if self.exit_code == 0 or self.window is None:
            return
        log.error("desk demo failed: %s", why)
        if self.screenshot:
            self.window.grab().save(self.screenshot)
        self._leave()

    def _leave(self) -> None:
        """Hang up, leave the queue (no real caller may ring a demo desk), quit."""
        self._poll.stop()
        self.caller.hangup()
        w = self.window
        w.phone.hangup()
        w.api.join_queue(False)
        QTimer.singleShot(1500, self._quit)

    def _quit(self) -> None:
        self.window.close()          # stops the softphone and the WebSocket thread first
        self.app.exit(self.exit_code)


class LeadDemo:
    """The after-call screens of a logged-in supervisor: the ticket list, the first ticket's detail."""

    def __init__(self, agent_no: str, password: str, screenshot: str | None, timeout: float = 60.0,
                 hold: float = 1.5, tab: str = ""):
        self.agent_no, self.password, self.tab = agent_no, password, tab
        self.screenshot, self.timeout, self.hold = screenshot, timeout, hold
        self.exit_code = 1
        self.window = self.app = None
        self._done = False

    def __call__(self, app, window) -> None:
        self.app, self.window = app, window
        api = window.api
        api.login_failed.connect(lambda msg: self._finish(f"login refused: {msg}"))
        if self.tab == TAB_REPORTS:     # the day's report from the real service, its charts drawn
            api.logged_in.connect(lambda _d: QTimer.singleShot(0, lambda: window.show_tab(TAB_REPORTS)))
            api.report_loaded.connect(lambda _r: QTimer.singleShot(int(self.hold * 1000), self._finish))
            api.report_failed.connect(lambda msg, _status: self._finish(f"report refused: {msg}"))
        elif self.tab == TAB_BOARD:     # the agent board from the real service (GET wire.BOARD, then pushes)
            api.logged_in.connect(lambda _d: QTimer.singleShot(0, lambda: window.show_tab(TAB_BOARD)))
            window.board_api.board_loaded.connect(lambda _b: QTimer.singleShot(int(self.hold * 1000), self._finish))
            window.board_api.failed.connect(lambda _what, msg, _status: self._finish(f"board refused: {msg}"))
        else:
            api.logged_in.connect(lambda _d: QTimer.singleShot(0, lambda: window.tabs.setCurrentWidget(window.tickets)))
            api.tickets_loaded.connect(self._tickets)
            api.ticket_detail_loaded.connect(lambda _t: QTimer.singleShot(int(self.hold * 1000), self._finish))
        QTimer.singleShot(int(self.timeout * 1000), lambda: self._finish("timed out"))
        window.login(self.agent_no, self.password)

    def _tickets(self, _rows) -> None:
        w = self.window
        if w.tickets.model.rowCount():
            w.tickets.table.selectRow(0)          # its detail comes next
        else:
            QTimer.singleShot(int(self.hold * 1000), self._finish)

    def _finish(self, why: str = "") -> None:
        if self._done:
            return
        self._done = True
        if why:
            log.error("desk demo failed: %s", why)
        else:
            self.exit_code = 0
        if self.screenshot:
            self.window.grab().save(self.screenshot)
            log.info("screenshot written to %s", self.screenshot)
        QTimer.singleShot(300, self._quit)

    def _quit(self) -> None:
        self.window.logout_button.setEnabled(False)
        self.window.api.logout()
        self.window.close()
        self.app.exit(self.exit_code)


def _take(argv: list[str], option: str) -> str | None:
    """Remove `option VALUE` from argv and return VALUE."""
    if option not in argv:
        return None
    i = argv.index(option)
    value = argv[i + 1] if i + 1 < len(argv) else None
    del argv[i:i + 2]
    return value


def run(s: Settings, argv: list[str], echo=print) -> int:
    """`hotline desktop --demo [--role team_lead|head|admin] [--screenshot FILE] [--lang en]`."""
    role = _take(argv, "--role") or "agent"
    if role not in ("agent", *DEMO_LEAD_NAMES):
        raise runtime.HotlineError(f"the demo shows roles agent, {', '.join(DEMO_LEAD_NAMES)} (a station's desk: "
                                   f"`hotline desktop --sample --role station`)")
    if not runtime.running(s):
        echo("starting the hotline …")
        runtime.up(s, log=echo)
    shot = _take(argv, "--screenshot")
    if role != "agent":
        return _run_lead(s, role, argv, shot, echo)
    agent_no, password = ensure_demo_agent(s)
    [(number, known)] = demo_callers(s, 1)
    st = runtime.status(s)
    argv = ["--api", st["api_url"], "--agent", agent_no, "--null-audio", *argv]
    if st.get("api_ca") and "--ca" not in argv:
        argv += ["--ca", st["api_ca"]]
    echo(f"demo: agent {agent_no} takes a call from {number[:3]}****{number[-4:]} through the IVR "
         f"(about 30 s) …")
    demo = DeskDemo(s, agent_no, password, number, known, shot)
    started = time.monotonic()
    desktop_main(argv, on_window=demo)
    echo(f"demo {'done' if demo.exit_code == 0 else 'FAILED'} in {time.monotonic() - started:.1f} s"
         + (f"; screenshot {shot}" if shot and demo.exit_code == 0 else ""))
    return demo.exit_code


def seed_after_call(s: Settings, lead_no: str) -> int:
    """A hotline's worth of work after the call, for the lead demo (once per home): a new leak, a
    ticket its station has not accepted for 45 minutes (异常 1 raised), one at a station, a repair
    done, and a complaint about its technician (escalated). Through the real after-call rules."""
    sessions = runtime.prepare_database(s)
    with sessions() as db:
        if db.scalar(select(Ticket.id).where(Ticket.state != TicketState.draft, Ticket.transitions.any()).limit(1)):
            return 0
        if db.scalar(select(HeatingAccount.id).limit(1)) is None:
            seed_demo(db, 50)          # a fresh home: the demo's accounts and stations first
        accounts = db.scalars(select(HeatingAccount).order_by(HeatingAccount.id).limit(4)).all()
        lead = actor_for(db, lead_no)
        now = s.now()
        numbers = []
        for i, (acc, cat) in enumerate(zip(accounts, (Category.leak, Category.no_heat, Category.no_heat,
                                                      Category.noise))):
            at = now - timedelta(minutes=90 - 10 * i)
            st = station_for(db, acc.district, acc.compound, acc.building)
            t = create_ticket(db, at, state=TicketState.new, note="演示", account_id=acc.id, category=cat,
                              priority=wire.PRIORITY_URGENT if cat is Category.leak else wire.PRIORITY_NORMAL,
                              address_snapshot=acc.address, name_snapshot=acc.name,
                              callback_number=acc.phone_numbers[0] if acc.phone_numbers else "",
                              station_id=st.id if st else None)
            numbers.append(t.number)
        db.commit()
    earlier = TicketWork(sessions, lambda: s.now() - timedelta(minutes=45))
    work = TicketWork(sessions, s.now)
    earlier.move(lead, numbers[1], "dispatched")
    for state, note in (("dispatched", ""), ("accepted", ""), ("contacted", "已电话联系住户,约下午上门")):
        work.move(lead, numbers[2], state, note)
    for state, note in (("dispatched", ""), ("accepted", ""), ("completed", "更换暖气片放气阀,已恢复")):
        work.move(lead, numbers[3], state, note)
    register = AnomalyRegister(sessions, s.now)
    register.check_timers()
    register.record(lead, "complaint_technician", numbers[3], "住户来电投诉维修工上门迟到且态度差")
    return len(numbers)


def _run_lead(s: Settings, role: str, argv: list[str], shot: str | None, echo) -> int:
    agent_no, password = ensure_demo_agent(s, DEMO_LEAD_NO, DEMO_LEAD_NAMES[role], Role(role))
    if seed_after_call(s, agent_no):
        echo("demo: a few tickets after the call (a new leak, a late station, one in repair, one done, a complaint)")
    st = runtime.status(s)
    argv = ["--api", st["api_url"], "--agent", agent_no, "--null-audio", *argv]
    if st.get("api_ca") and "--ca" not in argv:
        argv += ["--ca", st["api_ca"]]
    tab = argv[argv.index("--tab") + 1] if "--tab" in argv[:-1] else ""
    what = {TAB_REPORTS: "the 报表 tab", TAB_BOARD: "the 看板 tab"}.get(tab, "the after-call screens")
    echo(f"demo: {role} {agent_no} opens {what} …")
    demo = LeadDemo(agent_no, password, shot, tab=tab)
    desktop_main(argv, on_window=demo)
    echo(f"demo {'done' if demo.exit_code == 0 else 'FAILED'}" + (f"; screenshot {shot}" if shot else ""))
    return demo.exit_code
