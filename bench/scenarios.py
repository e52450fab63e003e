"""Scripted caller scenarios over real SIP calls, checked against what Asterisk did.

Used by the test suite and by ``hotline dialplan test`` (the same scenarios):
a PSTN-trunk caller (pjsua2) dials the hotline and answers the IVR's prompts
with RFC 4733 DTMF; an AMI event log tells when each prompt starts (AGIExecStart)
and which channel variables the flow set (VarSet).
"""
from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from sqlalchemy import select

from db.models import Role, User
from hotline.admin import runtime
from hotline.admin.asterisk import stop_pid
from hotline.admin.amiclient import AmiEventLog
from hotline.admin.users import add_user
from bench import scratch
from common.ami import ami_action
from common.naming import AMI_ADMIN_USER, QUEUE, endpoint, interface
from common.secrets import ami_admin_secret
from common.sip.phone import Phone, SipStack
from ivr.prompts import sound_name

#: the bench's stand-by agent: logged in (phone registered, queue member) but on a break
STANDBY_AGENT = "3999"


def channel_vars(ami: AmiEventLog, caller: str, start: int = 0) -> dict[str, str]:
    """The last value of each variable set on the caller's channel (VarSet events)."""
    out: dict[str, str] = {}
    for e in ami.of_caller(caller, "VarSet", start):
        out[e.get("Variable", "").lstrip("_")] = e.get("Value", "")
    return out


class PromptCursor:
    """Where in the last AGI command a caller's driver is: one Playback/Read plays several prompts
    (a ticket number is one command), so the next prompt may be later in the same command."""

    def __init__(self):
        self.command, self.offset = "", 0

    def later(self, prompt: str) -> bool:
        needle = sound_name(prompt)
        j = self.command.find(needle, self.offset)
        if j < 0:
            return False
        self.offset = j + len(needle)
        return True

    def started(self, event: dict, prompt: str) -> None:
        self.command, self.offset = event.get("Command", ""), 0
        self.later(prompt)


class PromptDialog:
    """A party on the line driven by the prompts the IVR starts for it (AGIExecStart): wait for a
    prompt, then key digits. Subclasses say which channel's commands are theirs."""

    def __init__(self, ami: AmiEventLog, call, start: int):
        self.ami, self.call = ami, call
        self.pos = start              # steps wait for events after the previous step's
        self.heard = PromptCursor()

    def mine(self, event: dict) -> bool:
        raise NotImplementedError

    def _next_command(self, matches, timeout: float) -> dict:
        i, e = self.ami.wait_at(lambda e: e.get("Event") == "AGIExecStart" and self.mine(e)
                                and matches(e.get("Command", "")), timeout=timeout, start=self.pos)
        self.pos = i + 1
        return e

    def at(self, prompt: str, keys: str = "", timeout: float = 30) -> Self:
        if not self.heard.later(prompt):
            needle = sound_name(prompt)
            self.heard.started(self._next_command(lambda c: needle in c, timeout), prompt)
        if keys:
            time.sleep(0.3)  # let the prompt's first frames go out, as a person would
            self.call.send_dtmf(keys)
        return self

    def recording_started(self, timeout: float = 30) -> Self:
        self._next_command(lambda c: c.startswith("RECORD FILE"), timeout)
        self.heard = PromptCursor()
        return self


class CallerDialog(PromptDialog):
    """One caller dialling the hotline, known on the line by their number."""

    def __init__(self, ami: AmiEventLog, phone, extension: str, number: str):
        self.number = number
        self.mark = ami.mark()
        super().__init__(ami, phone.dial(extension), self.mark)
        self.call.wait_state("CONFIRMED", 10)

    def mine(self, event: dict) -> bool:
        return event.get("CallerIDNum") == self.number

    def recording(self, keys: str = "#", timeout: float = 30) -> "CallerDialog":
        self.recording_started(timeout)
        time.sleep(1.2)  # after the beep
        self.call.send_dtmf(keys)
        return self

    def in_queue(self, timeout: float = 30) -> dict:
        return self.ami.wait(lambda e: e.get("Event") == "QueueCallerJoin"
                             and e.get("CallerIDNum") == self.number, timeout=timeout, start=self.mark)

    def vars(self) -> dict:
        return channel_vars(self.ami, self.number, self.mark)

    def hangup(self) -> None:
        self.call.hangup()
        self.call.wait_state("DISCONNECTED", 10)


@contextmanager
def standby_agent(settings, sessions, ami, stack: SipStack, sip_port: int):
    """An agent logged in but on a break (phone registered, paused member of the queue): callers
    join the queue and wait as at a staffed desk, and nobody is rung. Scenario calls that end in
    the queue need it: with no agent logged in the hotline books a call-back instead.
    Yields `present(bool)`, which takes the stand-by out of the queue (False) or back (True).
    `ami`: an AmiEventLog, or a function returning the current one (after an Asterisk restart)."""
    current = ami if callable(ami) else (lambda: ami)
    with sessions() as db:
        if db.scalar(select(User).where(User.agent_no == STANDBY_AGENT)) is None:
            add_user(db, STANDBY_AGENT, "待命座席", Role.agent, secrets.token_urlsafe(18), actor="bench")
            db.commit()
    runtime.reload_agents(settings, sessions)
    with sessions() as db:
        secret = db.scalar(select(User.sip_secret).where(User.agent_no == STANDBY_AGENT))
    phone = Phone.agent(stack, sip_port, STANDBY_AGENT, secret).wait_registered(10)
    iface = interface(STANDBY_AGENT)

    def present(member: bool) -> None:
        if member:
            r = current().action(ami_action("QueueAdd", Queue=QUEUE, Interface=iface, MemberName=endpoint(STANDBY_AGENT),
                                      StateInterface=iface, Paused="true", Reason="待命"))
        else:
            r = current().action(ami_action("QueueRemove", Queue=QUEUE, Interface=iface))
        if r.get("Response") != "Success" and "already" not in r.get("Message", "") \
                and "Not there" not in r.get("Message", ""):
            raise RuntimeError(f"stand-by agent: {r}")
    present(True)
    present.phone = phone
    try:
        yield present
    finally:
        try:
            present(False)
        except Exception:   # Asterisk already gone: nothing to leave
            pass
        phone.close()


def resident_reports_no_heat(d: CallerDialog, known: bool = True, queue: bool = True) -> CallerDialog:
    """The everyday call, up to the queue: a resident (known by caller id, or not)
    reports a cold radiator, keeps the call-back number and leaves a short message.
    The desk demo, the desktop tests and the screen-pop benchmark all place this call.
    `queue` False: up to the message only (nobody logged in: no queue follows)."""
    if known:
        d.at("address_confirm", "1")
    else:
        _no_account(d)
    d.at("problem_menu", "1").at("callback_confirm", "1").recording("#")
    if queue:
        d.in_queue(timeout=60)
    return d


def _no_account(d: CallerDialog) -> CallerDialog:
    for _ in range(3):
        d.at("account_enter", "#")
    return d


def scenario_agent_request(d: CallerDialog) -> None:
    _no_account(d).at("problem_menu", "0")
    d.in_queue()
    assert d.vars().get("HOTLINE_ROUTE") == "queue", "flow did not route to the queue"


def scenario_leak_report(d: CallerDialog) -> None:
    _no_account(d).at("problem_menu", "2").at("callback_confirm", "1").recording("#").at("ticket_number_is")
    d.in_queue()
    v = d.vars()
    assert v.get("HOTLINE_CATEGORY") == "leak", f"category {v.get('HOTLINE_CATEGORY')!r}"
    assert int(v.get("HOTLINE_PRIORITY", "0")) > 0, "a leak must raise the queue priority"
    assert v.get("HOTLINE_TICKET"), "no ticket number on the channel"


def scenario_invalid_then_silence(d: CallerDialog) -> None:
    _no_account(d).at("problem_menu", "9").at("invalid_key").at("problem_menu").at("no_input")
    d.at("problem_menu", "*")
    d.in_queue()


def scenario_callback_from_queue(d: CallerDialog) -> None:
    _no_account(d).at("problem_menu", "4").at("callback_confirm", "1").recording("#")
    d.in_queue()
    press_1_for_callback(d)


def press_1_for_callback(d: CallerDialog) -> None:
    """A caller waiting in the queue presses 1 (call me back instead) and is let go."""
    time.sleep(2.5)   # after the join announcements
    # a key pressed while Asterisk still plays a join announcement can go unheard (a loaded
    # machine plays them late): press again, as a resident would
    for attempt in range(4):
        d.call.send_dtmf("1")
        try:
            d.at("callback_thanks", timeout=6)
            break
        except TimeoutError:
            if attempt == 3:
                raise
    d.call.wait_state("DISCONNECTED", 20)


def scenario_service_away(d: CallerDialog) -> None:
    """Run with the service stopped: the dialplan alone greets the caller and queues them."""
    d.in_queue(timeout=60)
    assert d.vars().get("HOTLINE_DEGRADED") == "1", "the caller did not go the degraded way"


SCENARIOS = [
    ("人工服务 (户号三次未输入, 按0)", "13300000101", scenario_agent_request),
    ("漏水报修: 工单, 优先级, 排队", "13300000102", scenario_leak_report),
    ("无效按键与静音后转人工", "13300000103", scenario_invalid_then_silence),
    ("排队中按1改为回电", "13300000104", scenario_callback_from_queue),
]


@dataclass
class ScenarioResult:
    name: str
    passed: bool
    seconds: float
    message: str = ""


#: with the service stopped, after the others
SERVICE_AWAY = ("服务中断: 拨号方案直接排队", "13300000105", scenario_service_away)


def run_scenario(ami: AmiEventLog, phone_for, extension: str, scenario, echo=print) -> ScenarioResult:
    name, number, fn = scenario
    t0 = time.monotonic()
    d = None
    try:
        d = CallerDialog(ami, phone_for(number), extension, number)
        fn(d)
        r = ScenarioResult(name, True, time.monotonic() - t0)
    except Exception as exc:  # a failed scenario is a result, not a crash
        r = ScenarioResult(name, False, time.monotonic() - t0, f"{type(exc).__name__}: {exc}")
    finally:
        if d is not None and not d.call.ended:
            try:
                d.hangup()
            except Exception:
                pass
    echo(f"{'PASS' if r.passed else 'FAIL'}  {r.name}  ({r.seconds:.1f} s){'  ' + r.message if r.message else ''}")
    return r


def run_scenarios(ami: AmiEventLog, phone_for, extension: str, echo=print) -> list[ScenarioResult]:
    """The scenarios side by side (each its own caller number): the slowest one's time, not the sum."""
    with ThreadPoolExecutor(len(SCENARIOS), thread_name_prefix="scenario") as pool:
        return list(pool.map(lambda sc: run_scenario(ami, phone_for, extension, sc, echo), SCENARIOS))


def run_all(directory, echo=print) -> list[ScenarioResult]:
    """A scratch hotline on `directory` (own home, ports, Asterisk), the scenarios, then down."""

    home = Path(tempfile.mkdtemp(prefix="hotline-dptest-"))
    s = scratch.scratch_settings(home, Path(directory).resolve(), digit_timeout_ms=3000)
    try:
        with scratch.scratch_hotline(s):
            ports = runtime.read_state(s)["ports"]
            ami = AmiEventLog(ports["ami"], AMI_ADMIN_USER, ami_admin_secret(s))
            stack = SipStack.instance()
            phones = {}

            def phone_for(number):
                if number not in phones:
                    phones[number] = Phone.anonymous(stack, ports["sip"], number)
                return phones[number]
            for number in [n for _name, n, _fn in SCENARIOS] + [SERVICE_AWAY[1]]:
                phone_for(number)   # made here: the scenarios' threads share the dict
            try:
                with standby_agent(s, runtime.prepare_database(s), ami, stack, ports["sip"]):
                    results = run_scenarios(ami, phone_for, s.extension, echo)
                    stop_pid(runtime.read_state(s)["service_pid"], timeout=s.drain_s + 5)
                    return [*results, run_scenario(ami, phone_for, s.extension, SERVICE_AWAY, echo)]
            finally:
                ami.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
