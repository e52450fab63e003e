"""The hotline service: one asyncio process, and its composition root.

- FastAGI (`fastagi`): every hotline call's flow (``ivr.flows``) runs here;
- AMI (`ami`): the one manager connection, reconnecting by itself;
- the agent API (`api`): HTTP + WebSocket for desktops;
- `queue_state`: the live picture of the queue those three share.

`HotlineService` wires them and reacts to Asterisk's queue events (screen pop at ring,
call answered/ended, membership and pauses). Started in the background by ``hotline up``
as ``python -m hotline.service``.
"""
from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import sys

from datetime import datetime, timedelta

from hotline.aftercall.alerts import AlertBook, alert_policy
from hotline.aftercall.anomalies import AnomalyRegister
from hotline.aftercall.callbacks import CallbackList, callback_policy
from hotline.aftercall.surveys import SurveyList
from hotline.aftercall.survey_calls import AttemptEnd, SurveyDialer, survey_policy
from hotline.aftercall.lifecycle import Timers, TicketWork
from hotline.aftercall.qa.rules import qa_policy
from hotline.aftercall.qa.work import QaWork
from hotline.aftercall.recordings import RecordingBook
from hotline.aftercall.reports.figures import reporting_day, report_policy
from hotline.aftercall.reports.hot_spots import HotSpotWatch
from hotline.service.ami import AmiGateway
from hotline.service.api import AgentApi, ApiParts, ApiServer
from hotline.service.availability import Availability
from hotline.service.board import Board, Supervision
from hotline.service.desk import DeskService
from hotline.service.directory import device_states
from hotline.service.errors import TelephonyTimeout, TelephonyUnavailable
from hotline.service.fastagi import FastAgiServer
from hotline.service.holds import HoldLog, agent_of_channel
from hotline.service.hub import PushHub
from hotline.service.metrics import (ServiceMetrics, Snapshot, agents_by_state, database_answers, database_figures,
                                     queue_waiting)
from hotline.service.pauses import PauseLog
from hotline.service.reconcile import Reconciler
from hotline.service.reports import ReportMailer, SignedRecheck, report_mail, reports
from hotline.service.sdnotify import Notifier
from hotline.service.sip_guard import FAILURES, SipGuard
from hotline.service.telephony import TelephonyView
from hotline.service.survey_line import ServiceSurveyLine, SurveyCaller
from hotline.service.dialer_line import DialerLoop
from hotline.aftercall.outages import OutageBoard, open_outages
from hotline.service.station_line import StationCalls
from hotline.service.outage_line import OutageCalls
from hotline.service.upkeep import Upkeep
from hotline.service.queue_state import QueueState, agent_no
from common.logs import setup_logging
from common import wire
from common.naming import (AMI_SERVICE_USER, CALL_TOKEN_VAR, LISTEN_IN_CONTEXT, LISTEN_IN_WHISPER,
                           OUTAGE_WAKE_EVENT, OUTBOUND_CONTEXT, QUEUE, RECORDINGS_WAKE_EVENT, STATION_WAKE_EVENT, SURVEY_WAKE_EVENT,
                           interface)
from common.ports import SERVICE_PORT_EXIT, PortTaken, Ports
from common.runstate import asterisk_rx, read_state
from common.secrets import ami_secret, fastagi_key, qa_sample_secret
from common.settings import Settings, load_settings
from db.call_tokens import OUT, issue as issue_token, prune as prune_tokens
from db.queries import readback_texts
from db.session import DatabaseUnavailable, schema_refusal
from ivr.context import IvrContext
from ivr.storage import StorageWatch, audit_storage
from ivr.flows import opener_prompt
from ivr.prompts import render_readbacks
from common.phones import mask_phone

log = logging.getLogger("hotline.service")
#: how long a health probe or a scrape waits on the database or AMI before it counts as down
PROBE_S = 3.0


class HotlineService:
    def __init__(self, settings: Settings, ports: Ports, ctx: IvrContext | None = None, ami=None):
        """The composition root. `ctx` (the IVR's records) and `ami` (anything with the
        `AmiGateway` methods: connected, on, connect, action, close) may be handed in, so a
        unit test drives the service with recorded AMI events and no Asterisk."""
        self.settings, self.ports = settings, ports
        self.ctx = ctx or IvrContext.create(settings, journal_path=settings.journal_file)
        self.queue = QueueState()
        self.ami = ami or AmiGateway(ports.ami, AMI_SERVICE_USER, ami_secret(settings),
                                     on_login=self._ami_logged_in)
        self.fastagi = FastAgiServer(self.ctx, fastagi_key(settings), ports.fastagi)
        self.metrics = ServiceMetrics()
        self.fastagi.timings.observe_share = self.metrics.turnaround.observe
        self.fastagi.timings.observe_lag = self.metrics.loop_lag.observe
        self.fastagi.flow_ended = self._left_a_draft
        timers = Timers(settings.anomaly_accept_min, settings.anomaly_contact_min, settings.anomaly_open_h,
                        settings.anomaly_confirm_min)
        self.work = TicketWork(self.ctx.records.sessions, settings.now, timers)
        self.anomalies = AnomalyRegister(self.ctx.records.sessions, settings.now, timers)
        self.callbacks = CallbackList(self.ctx.records.sessions, settings.now, callback_policy(settings))
        # 回访: the agents' list and the automated call (HOTLINE_SURVEY_MODE), one saving path
        policy = survey_policy(settings)
        self.surveys = SurveyList(self.ctx.records.sessions, settings.now, policy, self.work,
                                  settings.recordings_dir)
        self.dialer = SurveyDialer(self.ctx.records.sessions, settings.now, policy, self.surveys,
                                   settings.recordings_dir)
        self.survey_caller = SurveyCaller(self.dialer, self.ami, settings.public_digits, self._survey_ended)
        # a round every minute, and at once when `hotline survey call` asks or an attempt ends (a line is free)
        self.survey_calls = DialerLoop("survey calls", self.survey_caller.round, log, every_s=60.0)
        # quality checks on recordings (#28): the samples, checks, peer listening; the recordings kept
        self.book = RecordingBook(self.ctx.records.sessions, settings.now, settings.recordings_dir,
                                  settings.recordings_empty_peak_db)
        self.qa = QaWork(self.ctx.records.sessions, settings.now, qa_policy(settings), report_policy(settings),
                         qa_sample_secret(settings).encode(), origin="service")
        self.desk = DeskService(self.ctx.records.sessions, settings, self.queue.ringing.get, self.work,
                                self.callbacks, self.book, self.qa)
        self.reports = reports(settings, self.ctx.records.sessions)
        # every push to a desk or a wall display goes through the hub
        self.hub = PushHub(settings.now, self.desk.ended_sessions, self.work.station_users)
        # hot spots as they happen: told to the team leads' desks once per place and day (and when they grow)
        self.hot_spots = HotSpotWatch(self.ctx.records.sessions, settings.now, report_policy(settings))
        # the agent board, the wall's figures and the alerts on them (#30)
        self.alert_book = AlertBook(self.ctx.records.sessions, settings.now, alert_policy(settings))
        self.board = Board(self.ctx.records.sessions, settings, self.queue, report_policy(settings), self.alert_book,
                           self._device_states, lambda: self.hot_spots.active, open_outages)
        self.hub.board_source, self.hub.wall_source = self.board.board, self.board.wall
        self.supervision = Supervision(self.ctx.records.sessions, settings)
        # 区域停热 (#30): the outage notices, declared and ended on the desk or the CLI
        self.outages = OutageBoard(self.ctx.records.sessions, settings.now, settings)
        # stations told on dispatch, by phone (#30): a move to the station is told to its people and the leads
        self.stations = StationCalls(settings, self.ctx.records.sessions, self.work, self.ami, self.hub.ticket_changed,
                                     self.hub.lead_ticket)
        # the 供热已恢复 call-back of an outage's affected callers (#30), placed like the station calls
        self.outage_calls = OutageCalls(settings, self.ctx.records.sessions, self.ami)
        # the routes get the telephony side through its narrow interface, never the whole service
        self.api = AgentApi(ApiParts(settings, TelephonyView(self), self.hub, self.desk, self.work, self.anomalies,
                                     self.callbacks, self.surveys, self.reports, self.qa, self.book,
                                     extra={"board": self.board, "supervision": self.supervision,
                                            "alerts": self.alert_book, "outages": self.outages,
                                            "stations": self.stations, "outage_calls": self.outage_calls}))
        # the daily report by e-mail at the set time; a failed or late one to the team leads' desks
        self.report_mail = ReportMailer(report_mail(settings, self.ctx.records.sessions, self.reports),
                                        lambda st: self.hub.push_supervisors({"type": wire.EV_REPORT_MAIL,
                                                                              "report_mail": st}))
        # the season's signed days re-checked against their data after each reporting day begins
        self.report_recheck = SignedRecheck(self.reports)
        # time in pauses is real time spent (a pinned HOTLINE_TODAY must not stop it)
        self.pauses = PauseLog(self.ctx.records.sessions, datetime.now)
        # calls an agent's phone put on hold: on the calls' own clock (their answer and end are)
        self.holds = HoldLog(self.ctx.records.sessions, settings.now)
        self.reconciler = Reconciler(self.ctx.records.sessions, settings.queue_log, settings.outbound_allowed,
                                     settings.node_name, settings.now)
        self._reconcile_wake = asyncio.Event()
        self.availability = Availability(self.ami, self.queue, self.pauses, settings.wrapup_s,
                                         lambda no, event: self.hub.push_agent(no, event))
        self._api_server = ApiServer(self.api, settings, ports.api)
        # the agents' phones and the SIP ban list in Asterisk's config (a logout's new secret)
        self.sip = SipGuard(settings, self.ctx.records.sessions,
                            lambda command: asterisk_rx(read_state(settings), command))
        # the recordings disk: watched every 30 s and at every answer; a flagged file at a call's end
        self.storage = StorageWatch(settings, self.ctx.records.sessions)
        self._loop: asyncio.AbstractEventLoop | None = None   # set at start: flags come from DB threads
        self.ctx.storage_check = self.check_storage
        self.ctx.records.on_flagged = self._recordings_flagged
        self.ctx.surveys = ServiceSurveyLine(self.dialer, self._survey_ended, self.hub.lead_ticket)
        self.ctx.stations = self.stations.line
        self.ctx.outage_calls = self.outage_calls.line
        for name, handler in (("AgentCalled", self._agent_called), ("AgentConnect", self._agent_connect),
                              ("AgentComplete", self._agent_done), ("AgentRingNoAnswer", self._agent_rang_out),
                              ("QueueCallerAbandon", self._caller_left), ("QueueMemberAdded", self._member_status),
                              ("QueueCallerJoin", self._caller_joined), ("QueueCallerLeave", self._caller_joined),
                              ("QueueMemberRemoved", self._member_status), ("QueueMemberPause", self._member_status),
                              ("QueueMemberStatus", self._member_status), ("FullyBooted", self._asterisk_booted),
                              ("UserEvent", self._user_event), ("Hold", self._hold), ("Unhold", self._hold),
                              *((failure, self.sip.security_event) for failure in FAILURES)):
            self.ami.on(name, handler)

    # ------------------------------------------------- what the API reads --
    @property
    def ami_connected(self) -> asyncio.Event:
        return self.ami.connected

    @property
    def active_calls(self) -> int:
        return self.fastagi.active_calls

    @property
    def ringing(self) -> dict[str, tuple[str, str]]:
        return self.queue.ringing

    def agent_state(self, no: str) -> dict:
        return self.queue.snapshot(no)

    @property
    def sip_port(self) -> int:
        return self.ports.sip

    def ami_up(self) -> bool:
        return self.ami.connected.is_set()

    def supervisor_hello(self) -> dict:
        """A lead's desk at login: the recordings disk's alert, the report's e-mail, the day's hot spots."""
        return {"storage": self.storage_state(), "report_mail": self.report_mail_state(),
                "hot_spots": self.hot_spots_state()}

    # ------------------------------------------------- health and metrics --
    async def _database_answers(self) -> bool:
        try:
            return await asyncio.wait_for(asyncio.to_thread(self._read, database_answers), PROBE_S)
        except Exception as exc:   # unreachable, locked past the probe's time, any driver error
            log.warning("health: the database does not answer: %s", type(exc).__name__)
            return False

    def _read(self, fn, *args):
        with self.ctx.records.sessions() as db:
            return fn(db, *args)

    async def parts(self) -> dict[str, bool]:
        """Which parts answer: the database (a query within PROBE_S), AMI (logged in), FastAGI (taking
        requests). /api/health judges the first two, /api/ready all three."""
        return {"database": await self._database_answers(), "ami": self.ami_connected.is_set(),
                "fastagi": self.fastagi.listening}

    async def metrics_text(self) -> bytes:
        """GET /metrics: the histograms as observed, the rest read now (a part that does not answer
        leaves its figures out and says so in hotline_part_up)."""
        snap = Snapshot(parts=await self.parts(), agents=agents_by_state(self.queue.agents),
                        active_calls=self.fastagi.active_calls)
        if snap.parts["database"]:
            try:
                got = await asyncio.wait_for(asyncio.to_thread(self._read, database_figures, self.settings.now()),
                                             PROBE_S)
                snap.calls, snap.survey_attempts, snap.ages_s = got["calls"], got["survey_attempts"], got["ages_s"]
            except Exception as exc:
                log.warning("metrics: the database figures were not read: %s", type(exc).__name__)
        if snap.parts["ami"]:
            try:
                events = await asyncio.wait_for(self.ami.action("QueueStatus", as_list=True, Queue=QUEUE), PROBE_S)
                snap.waiting, snap.longest_wait_s = queue_waiting(events, QUEUE)
            except Exception as exc:
                log.warning("metrics: the queue was not read: %s", type(exc).__name__)
        return self.metrics.render(snap)

    def ringing_ticket(self, no: str) -> str | None:
        return self.queue.ringing_ticket(no)

    # -------------------------------------------------------- AMI events --
    async def _agent_called(self, event: dict) -> None:
        """The agent's phone rings: push the screen pop at once."""
        no, uniqueid = agent_no(event), event.get("Uniqueid", "")
        pop = await asyncio.to_thread(self.desk.pop, uniqueid, no)
        if pop is None:   # a degraded-path call: its record starts now, so the desk can make a ticket
            await asyncio.to_thread(self.ctx.records.note_degraded_call, uniqueid, event.get("Linkedid", ""),
                                    event.get("CallerIDNum", ""))
            pop = {"type": wire.EV_SCREEN_POP, "uniqueid": uniqueid, "caller": event.get("CallerIDNum", ""),
                   "account": None, "history": [], "ticket": None, "ivr": {}}
        self.queue.rang(no, uniqueid, (pop.get("ticket") or {}).get("number", ""), event.get("CallerIDNum", ""))
        self.hub.board_changed()
        if pop.get("account"):
            self.hub.grant(no, pop["account"]["account_no"])
        await self.hub.push_agent(no, pop)

    async def _left_a_draft(self, route: str, uniqueid: str) -> None:
        """A call ended where its draft may now wait as 待确认: the team leads' lists refresh."""
        await self.hub.push_supervisors({"type": wire.EV_TICKET_CHANGED, "ticket": {"call": uniqueid, "via": route}})

    async def _agent_connect(self, event: dict) -> None:
        no = agent_no(event)
        st = self.queue.connected(no)
        self.hub.board_changed()
        await self.hub.push_agent(no, {"type": wire.EV_CALL_ANSWERED, "uniqueid": event.get("Uniqueid", ""),
                                       "agent_state": st})
        # a resident on the call-back list called again and is answered now: the entry clears
        try:
            for entry in await asyncio.to_thread(self.callbacks.called_in, event.get("Uniqueid", ""), no):
                await self.hub.callback_changed(entry)
        except Exception as exc:   # the DB briefly away: the entry stays, an agent clears it by hand
            log.warning("could not clear the call-back of call %s: %s", event.get("Uniqueid", ""), exc)

    async def _agent_done(self, event: dict) -> None:
        no = agent_no(event)
        was_talking, st = self.queue.ended(no, completed=event.get("Event") == "AgentComplete")
        self.hub.board_changed()
        await self.hub.push_agent(no, {"type": wire.EV_CALL_ENDED, "uniqueid": event.get("Uniqueid", ""),
                                       "answered": was_talking, "agent_state": st})
        if was_talking:
            await self.availability.call_completed(no)

    async def _agent_rang_out(self, event: dict) -> None:
        """The queue rang `no` for its timeout (or they rejected): the call goes on to the next
        agent; this one is paused 未接听 and told, and the team leads see it."""
        await self._agent_done(event)
        no, uid = agent_no(event), event.get("Uniqueid", "")
        if no and await self.availability.rang_out(no, uid):
            await asyncio.to_thread(self.desk.audit, no, "ring_no_answer", "call", uid,
                                    ring_ms=event.get("RingTime", ""))

    async def _hold(self, event: dict) -> None:
        """An agent's phone put its call on hold, or took it off (the reports' hold time)."""
        no = agent_of_channel(event.get("Channel", ""))
        if not no:              # the resident's side (the trunk) or a channel of no agent
            return
        write = self.holds.held if event.get("Event") == "Hold" else self.holds.resumed
        try:
            await asyncio.to_thread(write, no, event.get("Uniqueid", ""), event.get("Linkedid", ""))
        except Exception as exc:   # the DB briefly away: the hold time is short by this stretch, the call goes on
            log.warning("could not record the %s of agent %s: %s", event.get("Event"), no, exc)

    async def _caller_joined(self, event: dict) -> None:
        """A caller enters the queue or leaves it (to an agent, or away): the board's waiting list."""
        if event.get("Event") == "QueueCallerJoin":
            self.queue.caller_joined(event)
        else:
            self.queue.caller_gone(event.get("Uniqueid", ""))
        self.hub.board_changed()

    async def _device_states(self) -> dict[str, str]:
        """Asterisk's device state of every phone now (the board's 话机未注册)."""
        return device_states(await self.ami.action("DeviceStateList", as_list=True))

    async def _caller_left(self, event: dict) -> None:
        uid = event.get("Uniqueid", "")
        self.hub.board_changed()
        for no in self.queue.caller_left(uid):
            await self.hub.push_agent(no, {"type": wire.EV_CALL_ENDED, "uniqueid": uid, "answered": False,
                                           "agent_state": self.queue.snapshot(no)})

    async def _member_status(self, event: dict) -> None:
        no = self.queue.member_event(event)
        if no:
            self.hub.board_changed()
            await self.hub.push_agent(no, {"type": wire.EV_AGENT_STATE, "agent_state": self.queue.snapshot(no)})
            if event.get("Event") in ("QueueMemberPause", "QueueMemberRemoved", "QueueMemberAdded"):
                await self.availability.record(no)

    def _ami_logged_in(self) -> None:
        """AMI (re)connected: the queue is restored, and survey calls waiting for AMI go out."""
        asyncio.ensure_future(self._restore_queue())
        self.survey_calls.wake()
        self.stations.wake()
        self.outage_calls.wake()
        self._reconcile_wake.set()      # Asterisk may have restarted: its lost calls are closed now

    async def _user_event(self, event: dict) -> None:
        """`hotline survey call` recorded a request and sends this to have it placed now."""
        if event.get("UserEvent") == SURVEY_WAKE_EVENT:
            self.survey_calls.wake()
        elif event.get("UserEvent") == STATION_WAKE_EVENT:      # a CLI dispatch, `hotline stations notify`
            self.stations.wake()
        elif event.get("UserEvent") == OUTAGE_WAKE_EVENT:       # `hotline outage end --call-back`
            self.outage_calls.wake()
        elif event.get("UserEvent") == RECORDINGS_WAKE_EVENT:   # `hotline recordings verify` flagged some
            await self._push_flagged()

    async def _asterisk_booted(self, _event: dict) -> None:
        """Asterisk (re)started: persistentmembers brings most members back by itself;
        whoever had asked to be in the queue and is missing is added again, paused as before.
        Addresses banned from SIP are banned again (its config was generated afresh)."""
        await self.hub.broadcast({"type": wire.EV_TELEPHONY_RESTARTED})
        self._reconcile_wake.set()      # no call outlives a restart: those left open are closed now
        await self.sip.asterisk_restarted()
        if self.ami.connected.is_set():   # Asterisk greets each new AMI login with FullyBooted, often
            await self._restore_queue()   # before the login's answer: then on_login restores the queue

    async def _restore_queue(self) -> None:
        try:
            present = await self.sync_queue_state()
            missing = self.queue.missing(present)
            # a disabled agent never comes back: not re-added, and removed if Asterisk's own
            # persistentmembers restored them
            barred = await self.ctx.db(self.ctx.records.inactive_agents, present | {no for no, _ in missing})
            for no in sorted(barred & present):
                log.info("agent %s is disabled: removed from the queue", no)
                await self.set_queue_member(no, False)
            for no, st in missing:
                if no in barred:
                    self.queue.agent(no)["wanted"] = False
                    continue
                await self.set_queue_member(no, True)
                if st.get("paused"):
                    await self.set_paused(no, True, st.get("reason", ""))
            for no in list(self.queue.agents):
                await self.hub.push_agent(no, {"type": wire.EV_AGENT_STATE, "agent_state": self.queue.snapshot(no)})
        except Exception as exc:   # the next FullyBooted / reconnect tries again
            log.warning("could not restore queue membership: %s", exc)

    # ----------------------------------------------------- queue actions --
    async def sync_queue_state(self) -> set[str]:
        """Read who is in the queue from Asterisk itself (QueueStatus): after a restart of
        this service its memory is empty, while Asterisk kept (or restored) the members."""
        present = self.queue.from_queue_status(await self.ami.action("QueueStatus", as_list=True, Queue=QUEUE))
        await self.availability.resume_wrapups()
        await self.availability.record_all()
        return present

    async def set_queue_member(self, no: str, member: bool) -> None:
        await self.availability.join(no, member)

    async def set_paused(self, no: str, paused: bool, reason: str) -> None:
        await self.availability.pause(no, paused, reason)

    async def wrapup_done(self, no: str) -> bool:
        return await self.availability.wrapup_done(no)

    async def transfer_states(self) -> tuple[dict[str, dict], dict[str, str]]:
        """For the transfer directory: the queue's agents and Asterisk's device state of every
        phone (DeviceStateList, read now; empty when AMI is down: phones show unregistered)."""
        try:
            devices = device_states(await self.ami.action("DeviceStateList", as_list=True))
        except (TelephonyUnavailable, TelephonyTimeout) as exc:
            log.warning("transfer directory without phone states: %s", exc)
            devices = {}
        return {no: dict(st) for no, st in self.queue.agents.items()}, devices

    async def phones_changed(self) -> None:
        """A SIP secret changed (a logout): Asterisk refuses the old one once this returns."""
        await self.sip.phones_changed()

    async def phones_current(self) -> None:
        """Before a login is answered: Asterisk knows the secret it hands out."""
        await self.sip.ensure_current()

    async def call_out(self, out) -> None:
        """Click-to-call (`hotline.aftercall.outbound.CallOut`): Asterisk rings the agent's own phone
        (their 工号's endpoint, from the session) showing "回电 <number>"; answered, the call enters
        [outbound] with the ticket's number — the dialplan's number rules again, the hotline's caller
        id, the recording — and the call's token (issued here, kept hashed with the ticket it is for)
        links it to the ticket: its FastAGI requests show it (HOTLINE_OUT_TICKET only names the ticket
        in the dialplan's log lines)."""
        ring_s = max(10, int(self.settings.outbound_ring_s))
        token = await self.ctx.db(self._issue_call_out, out.ticket)
        res = await self.ami.action("Originate", Channel=interface(out.agent_no), Context=OUTBOUND_CONTEXT,
                                    Exten=out.number, Priority=1, CallerID=f'"{out.label} {out.number}" <{out.number}>',
                                    Variable=f"HOTLINE_OUT_TICKET={out.ticket},__{CALL_TOKEN_VAR}={token}",
                                    Timeout=ring_s * 1000, Async="true")
        if (res or {}).get("Response") != "Success":
            log.warning("click-to-call by %s for ticket %s refused by Asterisk: %s", out.agent_no, out.ticket,
                        (res or {}).get("Message", ""))
            raise TelephonyUnavailable("Originate refused")
        log.info("click-to-call by %s for ticket %s to %s", out.agent_no, out.ticket, mask_phone(out.number))

    async def listen_in(self, lead_no: str, grant: dict) -> None:
        """实时监听 granted (DeskService.listen_in): Asterisk rings the lead's own phone showing
        "<监听|耳语> <工号>"; answered, it runs <工号>@[listen-in] (from its whisper label: whispers too),
        which checks the phone is a team lead's. No phone can dial that context: every listen-in is a
        grant the service checked and audited."""
        res = await self.ami.action("Originate", Channel=interface(lead_no), Context=LISTEN_IN_CONTEXT,
                                    Exten=grant["agent"], Priority=LISTEN_IN_WHISPER if grant["whisper"] else 1,
                                    CallerID=f'"{grant["label"]} {grant["agent"]}" <{grant["agent"]}>',
                                    Timeout=max(10, int(self.settings.outbound_ring_s)) * 1000, Async="true")
        if (res or {}).get("Response") != "Success":
            log.warning("listen-in by %s on %s refused by Asterisk: %s", lead_no, grant["agent"],
                        (res or {}).get("Message", ""))
            raise TelephonyUnavailable("Originate refused")
        log.info("listen-in by %s on %s%s", lead_no, grant["agent"], " (whisper)" if grant["whisper"] else "")

    def _issue_call_out(self, ticket: str) -> str:
        """A click-to-call's token: bound to the call by its first FastAGI request (call_out)."""
        with self.ctx.records.sessions() as db, db.begin():
            return issue_token(db, OUT, None, self.settings.now(), ticket=str(ticket)[:16])

    def prune_tokens(self) -> int:
        """Forget the call tokens of calls long over (db.call_tokens.KEEP)."""
        with self.ctx.records.sessions() as db, db.begin():
            return prune_tokens(db, self.settings.now())

    # ------------------------------------------------ the recordings disk --
    async def check_storage(self) -> None:
        """The free space of the recordings' disk now; the alert rising (or falling) is audited and
        pushed to the team leads' and the head's desks."""
        state, changed = self.storage.check()
        if not changed:
            return
        if state.low:
            log.warning("recordings disk nearly full: %d MB free on %s (HOTLINE_RECORDINGS_MIN_FREE_MB=%d)",
                        state.free_mb, state.path, state.min_free_mb)
        else:
            log.info("recordings disk: %d MB free again on %s", state.free_mb, state.path)
        await asyncio.to_thread(self._audit_storage, "storage_alert" if state.low else "storage_ok", state)
        await self.hub.push_supervisors({"type": wire.EV_STORAGE, "storage": state.for_desk()})

    def _audit_storage(self, action: str, state) -> None:
        with self.ctx.records.sessions() as db, db.begin():
            audit_storage(db, action, "recordings", state.path, self.settings.now(), free_mb=state.free_mb,
                          min_free_mb=state.min_free_mb)

    def _recordings_flagged(self, uniqueid: str, flagged: list[tuple[str, str]]) -> None:
        """From the database thread that sealed a call: its recordings were flagged (the audit is
        written with the seal); the leads' count of today's flagged files is pushed."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self._push_flagged()))

    async def _push_flagged(self) -> None:
        try:
            state, _changed = await asyncio.to_thread(self.storage.recount)
            await self.hub.push_supervisors({"type": wire.EV_STORAGE, "storage": state.for_desk()})
        except Exception as exc:   # DB away: the next flag or the next round counts again
            log.warning("could not count today's flagged recordings: %s", exc)

    def report_mail_state(self) -> dict:
        """The daily report's e-mail as the last round saw it (a lead's desk at login)."""
        return self.report_mail.state

    def storage_state(self) -> dict:
        """The recordings disk as the last check saw it (a lead's desk at login)."""
        return self.storage.state.for_desk()

    async def _keep_storage_checked(self, every_s: float = 30.0) -> None:
        """At start and every `every_s`: the disk's free space, and today's flagged files — a change
        made outside this process (`hotline recordings verify`) reaches the leads within a round."""
        while True:
            try:
                await self.check_storage()
            except Exception as exc:   # the disk unreadable: tried again next round
                log.warning("could not check the recordings disk: %s", exc)
            try:
                state, changed = await asyncio.to_thread(self.storage.recount)
                if changed:
                    await self.hub.push_supervisors({"type": wire.EV_STORAGE, "storage": state.for_desk()})
            except Exception as exc:   # DB down: counted at the next flag
                log.warning("could not count today's flagged recordings: %s", exc)
            await asyncio.sleep(every_s)

    async def _keep_recordings_growing(self) -> None:
        """Every third of HOTLINE_RECORDING_STALL_S: the live calls' recordings still growing? One
        that stopped mid-call is audited and the alert goes to the leads at once (ivr.storage.GrowthWatch)."""
        every_s = max(1.0, self.settings.recording_stall_s / 3)
        while True:
            await asyncio.sleep(every_s)
            try:
                stalled = await asyncio.to_thread(self.storage.watch_growth)
                if stalled:
                    log.warning("recording(s) %s stopped growing mid-call", ", ".join(map(str, stalled)))
                    await self._push_flagged()
            except Exception as exc:   # DB away: the next round looks again
                log.warning("could not watch the live recordings: %s", exc)

    # ------------------------------------------------------- quality checks --
    async def _keep_qa(self, every_s: float = 60.0) -> None:
        """The standards loaded at start; every minute the QA round (proposals, yesterday's sample
        and last week's drawn once they are over) and answered calls left without a recording
        flagged; once a reporting day, every seal checked again (hotline.aftercall.recordings)."""
        try:
            added = await asyncio.to_thread(self.qa.load_standards)
            if added:
                log.info("QA standards loaded: %s", ", ".join(added))
        except Exception as exc:   # a bad standards file: checks refuse until it is fixed
            log.warning("could not load the QA standards: %s", exc)
        verified_on = None
        while True:
            try:
                await asyncio.to_thread(self.qa.round)
                today = reporting_day(self.settings.now(), self.qa.report)
                since = None if verified_on != today else self.settings.now() - timedelta(days=1)
                got = await asyncio.to_thread(self.book.verify, since) if since is None else \
                    {"newly_flagged": len(await asyncio.to_thread(self.book.missing_recordings, since))}
                verified_on = today
                if got["newly_flagged"]:
                    await self._push_flagged()
            except Exception as exc:   # DB down: the next minute tries again
                log.warning("QA round failed: %s", exc)
            await asyncio.sleep(every_s)

    # ------------------------------------------------- the day's opener --
    def write_opener(self) -> str:
        """Write the day's opener prompt id (greeting_xinnian, greeting_hello, …) where the
        dialplan's degraded path reads it (Settings.opener_file); returns it."""
        now = self.settings.now()
        prompt = opener_prompt(now, self.ctx.records.holiday_overrides(now.year))
        path = self.settings.opener_file
        if not (path.exists() and path.read_text() == prompt):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(prompt)
            os.replace(tmp, path)          # the dialplan never reads half a file
            log.info("day's opener for the degraded path: %s", prompt)
        return prompt

    async def _keep_opener(self, every_s: float = 30.0) -> None:
        """At start and then every `every_s`: a new day (or a holiday notice) shows within it."""
        while True:
            try:
                await asyncio.to_thread(self.write_opener)
            except Exception as exc:   # DB down: the file keeps yesterday's (or 您好)
                log.warning("could not update the day's opener: %s", exc)
            await asyncio.sleep(every_s)

    async def _keep_timers(self, every_s: float = 60.0) -> None:
        """异常 1–3 from the stored timelines: at start (a restart loses nothing), then every minute;
        each new one goes to the team leads' and the head's desks."""
        while True:
            try:
                for a in await asyncio.to_thread(self.anomalies.check_timers):
                    log.info("anomaly %s raised on ticket %s", a["type"], a["ticket"])
                    await self.hub.anomaly_raised(a)
            except Exception as exc:   # DB down: the next minute tries again
                log.warning("could not check the anomaly timers: %s", exc)
            await asyncio.sleep(every_s)

    async def _keep_hot_spots(self, every_s: float = 60.0) -> None:
        """The current reporting day's hot spots, at start and every minute: a new one (or one that
        grew) goes to the team leads' and the head's desks (hotline.aftercall.reports.hot_spots)."""
        while True:
            try:
                await self.tell_hot_spots()
            except Exception as exc:   # DB down: the next minute tries again
                log.warning("could not look for hot spots: %s", exc)
            await asyncio.sleep(every_s)

    async def _keep_alerts(self, every_s: float = 5.0) -> None:
        """The alerts' round (hotline.aftercall.alerts) every few seconds on the board as it stands:
        each raised or cleared goes to the leads' desks and the wall."""
        while True:
            try:
                for alert, new in await self.board.alert_round():
                    if new:
                        log.warning("alert %s (%s): %s", alert["kind"], alert["subject"], alert["message"])
                    await self.hub.alert(alert, new)
            except Exception as exc:   # DB or AMI away: the next round looks again
                log.warning("alert round failed: %s", exc)
            await asyncio.sleep(every_s)

    async def tell_hot_spots(self) -> None:
        for spot in await asyncio.to_thread(self.hot_spots.round):
            new = spot.pop("new")
            log.warning("hot spot %s: %d no-heat repairs from %s to %s%s", spot["key"], spot["repairs"],
                        spot["first"], spot["last"], "" if new else " (grew)")
            await self.hub.push_supervisors({"type": wire.EV_HOT_SPOT, "hot_spot": spot, "new": new})

    def hot_spots_state(self) -> list[dict]:
        """The reporting day's hot spots as the last round saw them (a lead's desk at login)."""
        return list(self.hot_spots.active)

    async def _keep_reconciled(self, every_s: float = 60.0) -> None:
        """Every caller accounted for (hotline.service.reconcile): at start, every minute and at
        once when Asterisk (re)connects; the call tokens of calls long over are forgotten meanwhile."""
        while True:
            self._reconcile_wake.clear()
            try:
                await self.reconcile()
                await asyncio.to_thread(self.prune_tokens)
            except Exception as exc:   # DB still down: the next round tries again
                log.warning("could not reconcile calls: %s", exc)
            try:
                await asyncio.wait_for(self._reconcile_wake.wait(), every_s)
            except asyncio.TimeoutError:
                pass

    async def reconcile(self) -> None:
        """One pass: the queue_log's new lines complete the calls they end (degraded path, hang-ups
        the service missed); then the calls whose channel Asterisk no longer has are closed
        `interrupted`. The open calls are read before the channels, so a call that begins in
        between is never judged gone; with Asterisk unreachable none is."""
        candidates = await asyncio.to_thread(self.reconciler.open_calls)
        live = await self.live_channels() if candidates else None
        got = await asyncio.to_thread(self.reconciler.run)
        if got:
            log.info("%d call(s) completed from the queue_log", len(got))
        # a call whose own writes still wait in the journal (its end among them) is not judged gone
        busy = self.ctx.journal.pending_calls()
        candidates = [c for c in candidates if c.uniqueid not in busy]
        closed = await asyncio.to_thread(self.reconciler.close_interrupted, candidates, live) \
            if live is not None else []
        if closed:
            log.warning("%d interrupted call(s) closed and flagged for call-back", len(closed))
        for uniqueid, via in [*((u, "reconciled") for u in got), *((u, "interrupted") for u in closed)]:
            await self._left_a_draft(via, uniqueid)

    async def live_channels(self) -> set[str] | None:
        """The uniqueids and linkedids of every channel Asterisk has now (CoreShowChannels over the
        service's one AMI connection); None when that cannot be known for sure."""
        if not self.ami.connected.is_set():
            return None
        try:
            msgs = await self.ami.action("CoreShowChannels", as_list=True)
        except (TelephonyUnavailable, TelephonyTimeout) as exc:
            log.warning("could not list Asterisk's channels: %s", exc)
            return None
        msgs = msgs if isinstance(msgs, list) else [msgs]
        listed = [m for m in msgs if m.get("Event") == "CoreShowChannel"]
        done = [m for m in msgs if m.get("Event") == "CoreShowChannelsComplete"]
        # a partial answer would make live calls look gone: only a complete list counts
        if not msgs or msgs[0].get("Response") != "Success" or not done \
                or str(done[-1].get("ListItems", "")) != str(len(listed)):
            log.warning("Asterisk's channel list came back incomplete: no call judged gone this round")
            return None
        return {v for m in listed for v in (m.get("Uniqueid", ""), m.get("Linkedid", "")) if v}

    async def _keep_sip_bans(self, every_s: float = 30.0) -> None:
        """SIP bans lapse after their 15 minutes (checked every `every_s`); a change of the phones or
        bans Asterisk did not take is tried again."""
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.sip.lift_expired()
                await self.sip.ensure_current()    # a change Asterisk did not take: again
            except Exception as exc:   # Asterisk away: the next round tries again
                log.warning("could not lift lapsed SIP bans: %s", exc)

    async def _keep_timing_reported(self, every_s: float = 60.0) -> None:
        """Once a minute with calls: our share of the AGI turnaround and the event loop's lateness
        (benchmarks/ivr_sipp.py prints these beside Asterisk's own figure)."""
        while True:
            await asyncio.sleep(every_s)
            looked, self.ctx.lookup_times = sorted(self.ctx.lookup_times), []
            if looked:
                log.info("look-ups: %d, p50 %.2f ms p99 %.2f ms max %.2f ms; journal: %d write(s) pending", len(looked),
                         1000 * looked[len(looked) // 2], 1000 * looked[min(len(looked) - 1, int(len(looked) * .99))],
                         1000 * looked[-1], self.ctx.journal.pending)
            r = self.fastagi.timings.report()
            if r:
                log.info("FastAGI: %d commands, the flow's share of a turnaround p50 %.2f ms p99 %.2f ms, "
                         "event loop lag p99 %.2f ms", r["commands"], r["share_p50_ms"], r["share_p99_ms"],
                         r["loop_lag_p99_ms"])

    async def _survey_ended(self, end: AttemptEnd) -> None:
        """An automated 回访 attempt ended: logged; a give-up to the team leads shows on their desks
        (their 回访 list has it); the dialer looks at once for the next call (a line is free)."""
        log.info("%s", self.dialer.describe(end))
        if end.owner == "team_leads":
            await self.hub.push_supervisors({"type": wire.EV_TICKET_CHANGED,
                                             "ticket": {"number": end.ticket, "state": "completed",
                                                        "survey": "gave_up"}})
        self.survey_calls.wake()

    def render_readbacks(self) -> dict:
        """The read-backs calls will play (addresses, station names), rendered now for every account
        imported or changed since the last round — so a call only plays files."""
        with self.ctx.records.sessions() as db:
            texts = readback_texts(db)
        return render_readbacks(self.settings, texts)

    async def _keep_readbacks(self, every_s: float = 30.0) -> None:
        """At start, then every `every_s`: in the background, in bulk (a new account's call reads
        its 户号's digits until then)."""
        while True:
            try:
                got = await asyncio.to_thread(self.render_readbacks)
                if got["rendered"] or got["skipped"]:
                    log.info("read-backs: %d rendered, %d removed, %d skipped (cache %d MiB, bound "
                             "HOTLINE_TTS_CACHE_MB=%d)", got["rendered"], got["removed"], got["skipped"],
                             got["bytes"] // 2**20, self.settings.tts_cache_mb)
            except Exception as exc:   # DB down, espeak missing: calls read digits meanwhile
                log.warning("could not render read-backs: %s", exc)
            await asyncio.sleep(every_s)

    # ---------------------------------------------------------- lifecycle --
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        # the call writes a stop or crash left in the journal are replayed first, in order (#26)
        replayed = len(self.ctx.journal.replayed_entries)
        if replayed:
            log.warning("journal: %d call write(s) from before the restart replayed", replayed)
        self.ctx.numbers.prime()         # the first block of ticket numbers, before the first caller
        await _bind("fastagi", self.ports.fastagi, self.fastagi.start)
        self._storage_task = asyncio.create_task(self._keep_storage_checked())
        self._growth_task = asyncio.create_task(self._keep_recordings_growing())
        self._opener_task = asyncio.create_task(self._keep_opener())
        self._reconcile_task = asyncio.create_task(self._keep_reconciled())
        self._timers_task = asyncio.create_task(self._keep_timers())
        self._hot_spots_task = asyncio.create_task(self._keep_hot_spots())
        self._alerts_task = asyncio.create_task(self._keep_alerts())
        self._readbacks_task = asyncio.create_task(self._keep_readbacks())
        self._surveys_task = asyncio.create_task(self.survey_calls.run())
        self._stations_task = asyncio.create_task(self.stations.run())
        self._outage_calls_task = asyncio.create_task(self.outage_calls.run())
        self._sip_bans_task = asyncio.create_task(self._keep_sip_bans())
        self._report_mail_task = asyncio.create_task(self.report_mail.run())
        self._report_recheck_task = asyncio.create_task(self.report_recheck.run())
        self._qa_task = asyncio.create_task(self._keep_qa())
        self._upkeep_tasks = Upkeep(self.settings, self.ctx.records.sessions).start()   # Ogg, nightly backup
        self._timing_tasks = [asyncio.create_task(self._keep_timing_reported()),
                              asyncio.create_task(self.fastagi.timings.watch_loop())]
        self._ami_task = asyncio.create_task(self.ami.connect())
        await _bind("api", self.ports.api, self._api_server.start)
        log.info("FastAGI on %s, agent API on %s:%s", self.ports.fastagi, self.settings.bind, self.ports.api)

    async def stop(self) -> None:
        """A graceful stop: new calls go the dialplan's degraded way at once (the FastAGI port
        closes first), the flows running finish (at most Settings.drain_s), then the rest stops: a
        caller keying their problem during a restart never hears the error prompt for it."""
        self.fastagi.close()
        self._surveys_task.cancel()   # no new call out while the flows drain
        self._stations_task.cancel()
        self._outage_calls_task.cancel()
        log.info("stopping: FastAGI closed to new calls, draining %d flow(s) (at most %d s)",
                 self.fastagi.connections, self.settings.drain_s)
        left = await self.fastagi.drained(self.settings.drain_s)
        if left:
            log.warning("stopping with %d FastAGI flow(s) still running after %d s: their callers go "
                        "the degraded way", left, self.settings.drain_s)
            self.fastagi.cut()
            await self.fastagi.drained(2.0)
        self._storage_task.cancel()
        self._growth_task.cancel()
        self._opener_task.cancel()
        self._reconcile_task.cancel()
        self._timers_task.cancel()
        self._hot_spots_task.cancel()
        self._alerts_task.cancel()
        self._readbacks_task.cancel()
        self._surveys_task.cancel()
        self._sip_bans_task.cancel()
        self._report_mail_task.cancel()
        self._report_recheck_task.cancel()
        self._qa_task.cancel()
        for t in self._upkeep_tasks + self._timing_tasks:
            t.cancel()
        self.ami.close()
        await self._api_server.stop()
        self.ctx.close()


async def _bind(name: str, port: int, start) -> None:
    """`start()` of the listener on `port`; taken by another program since `hotline up` chose it:
    PortTaken (main's exit status says which: `hotline up` starts again on fresh ports)."""
    try:
        await start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortTaken(name, port) from exc
        raise


async def serve(settings: Settings, ports: Ports) -> None:
    """Run the service until SIGTERM/SIGINT."""
    service = HotlineService(settings, ports)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await run(service, ports, stop, Notifier())


async def run(service, ports: Ports, stop: asyncio.Event, notifier: Notifier) -> None:
    """Start `service`, serve until `stop`, stop it. Under systemd (`notifier` has a socket) READY=1
    goes once FastAGI and the API listen and the AMI login succeeded; WATCHDOG=1 from this loop."""
    await service.start()
    watchdog = asyncio.create_task(notifier.keep_alive())
    if not service.ami_connected.is_set():
        notifier.status(f"FastAGI on {ports.fastagi}, API on {ports.api}; waiting for Asterisk's AMI on {ports.ami}")
        waits = [asyncio.create_task(service.ami_connected.wait()), asyncio.create_task(stop.wait())]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for w in waits:
            w.cancel()
    if not stop.is_set():
        notifier.ready(f"serving: FastAGI on {ports.fastagi}, API on {ports.api}, AMI on {ports.ami}")
    await stop.wait()
    notifier.stopping("stopping: draining the calls in progress")
    await service.stop()
    watchdog.cancel()


def main() -> None:
    os.umask(0o077)   # everything it writes under $HOTLINE_HOME is the owner's alone
    # The event loop shares the GIL with the DB threads (ORM work in asyncio.to_thread): with the
    # default 5 ms switch interval a call's AGI answer waited up to 5 ms behind another call's
    # query (AGI p99 4–9 ms at 540 callers); 1 ms hands the loop the GIL sooner.
    sys.setswitchinterval(0.001)
    settings = load_settings()
    setup_logging(settings.log_level)
    try:
        refused = schema_refusal(settings.database_url)   # migrating is `hotline db upgrade`'s alone
    except DatabaseUnavailable as exc:
        refused = str(exc)
    if refused:
        log.error("%s", refused)
        raise SystemExit(f"hotline service: {refused}")
    state = read_state(settings)
    if not state:
        raise SystemExit(f"no run state in {settings.run_dir}; start the hotline with `hotline up`")
    try:
        asyncio.run(serve(settings, Ports(**state["ports"])))
    except PortTaken as exc:
        log.error("%s", exc)
        raise SystemExit(SERVICE_PORT_EXIT[exc.name]) from None
