"""The hotline service's reactions to Asterisk, built by its composition root with a fake AMI
gateway that replays events as Asterisk 22 sends them (fields copied from a live manager
session) and records the actions the service sends back; the real desk service on SQLite."""
from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import AuditEntry, Call, CallOutcome, HeatingAccount, Role, Ticket, TicketState
from db.session import make_engine, migrate, session_factory
from hotline.admin.users import add_user
from hotline.service.app import HotlineService
from common import wire
from common.naming import SURVEY_WAKE_EVENT
from common.ports import Ports
from common.settings import load_settings
from ivr.context import IvrContext, Records
from ivr.journal import WriteJournal

AGENT_CALLED = {"Event": "AgentCalled", "Queue": "repair", "Uniqueid": "1763892000.12", "Linkedid": "1763892000.12",
                "CallerIDNum": "13800138000", "Interface": "PJSIP/agent-1001", "MemberName": "agent-1001",
                "DestChannel": "PJSIP/agent-1001-00000007"}
AGENT_CONNECT = {**AGENT_CALLED, "Event": "AgentConnect", "HoldTime": "4", "RingTime": "2"}
AGENT_COMPLETE = {**AGENT_CALLED, "Event": "AgentComplete", "TalkTime": "61", "Reason": "caller"}
MEMBER_PAUSED = {"Event": "QueueMemberPause", "Queue": "repair", "MemberName": "agent-1001",
                 "Interface": "PJSIP/agent-1001", "StateInterface": "PJSIP/agent-1001", "Membership": "dynamic",
                 "Penalty": "0", "CallsTaken": "0", "LastCall": "0", "InCall": "0", "Status": "1",
                 "Paused": "1", "PausedReason": "用餐", "Ringinuse": "0", "Wrapuptime": "0"}
MEMBER_WRAPUP = {**MEMBER_PAUSED, "PausedReason": "话后整理"}
MEMBER_AVAILABLE = {**MEMBER_PAUSED, "Paused": "0", "PausedReason": ""}
RING_NO_ANSWER = {**AGENT_CALLED, "Event": "AgentRingNoAnswer", "RingTime": "20000"}
FULLY_BOOTED = {"Event": "FullyBooted", "Status": "Fully Booted", "Uptime": "1", "LastReload": "1"}


class RecordedAmi:
    """Stands where `AmiGateway` stands: handlers by event name, actions written down; answers
    QueueStatus with the members it is told Asterisk has."""

    def __init__(self):
        self.connected = asyncio.Event()
        self.connected.set()
        self.handlers: dict[str, object] = {}
        self.sent: list[tuple[str, dict]] = []
        self.members: list[dict] = []

    def on(self, event, handler):
        self.handlers[event] = handler

    async def connect(self):
        pass

    def close(self):
        pass

    async def action(self, name, as_list=False, **fields):
        self.sent.append((name, fields))
        if name == "QueueStatus":
            return [{"Event": "QueueParams", "Queue": "repair"}, *self.members, {"Event": "QueueStatusComplete"}]
        return {"Response": "Success"}

    async def replay(self, event: dict) -> None:
        await self.handlers[event["Event"]](event)


@pytest.fixture
def hotline(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url="", wrapup_s=0.6)
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db:
        add_user(db, "1001", "李娜", Role.agent, "pw-1234567")
        acc = HeatingAccount(account_no="20000001", name="王秀兰", district="和平区", compound="南湖",
                             building="1", unit="1", room="101")
        db.add(acc)
        db.flush()
        t = Ticket(number="2611230001", account_id=acc.id, state=TicketState.draft, callback_number="13800138000")
        db.add(t)
        db.flush()
        db.add(Call(uniqueid=AGENT_CALLED["Uniqueid"], caller="13800138000", ticket_id=t.id))
        db.commit()
    ami = RecordedAmi()
    svc = HotlineService(s, Ports(sip=1, ami=2, fastagi=3, api=4, rtp_start=10000, rtp_end=10199),
                         ctx=IvrContext(s, Records(sessions, s)), ami=ami)
    pushed: list[tuple[str, dict]] = []

    async def push_agent(no, event):
        pushed.append((no, event))
    svc.hub.push_agent = push_agent
    svc.hub.broadcast = lambda event: push_agent("*", event)
    return svc, ami, pushed


async def test_a_ring_pushes_the_pop_with_account_and_draft_ticket_to_that_agent_only(hotline):
    svc, ami, pushed = hotline
    await ami.replay(AGENT_CALLED)
    (no, pop), = pushed
    assert no == "1001" and pop["type"] == wire.EV_SCREEN_POP
    assert pop["account"]["account_no"] == "20000001" and pop["ticket"]["number"] == "2611230001"
    assert set(pop) == set(wire.SAMPLE_POP)          # the wire contract's shape
    assert svc.ringing_ticket("1001") == "2611230001"


async def test_answer_and_hang_up_reach_the_desk_as_call_answered_then_call_ended(hotline):
    svc, ami, pushed = hotline
    for ev in (AGENT_CALLED, AGENT_CONNECT, AGENT_COMPLETE):
        await ami.replay(ev)
    kinds = [e["type"] for _, e in pushed]
    assert kinds == [wire.EV_SCREEN_POP, wire.EV_CALL_ANSWERED, wire.EV_CALL_ENDED]
    assert pushed[-1][1]["answered"] is True and pushed[-1][1]["uniqueid"] == AGENT_CALLED["Uniqueid"]


async def test_a_ring_for_a_call_the_records_do_not_know_still_pops_the_caller(hotline):
    svc, ami, pushed = hotline
    await ami.replay({**AGENT_CALLED, "Uniqueid": "1763892999.1", "CallerIDNum": "13900000000"})
    (_, pop), = pushed
    assert pop["caller"] == "13900000000" and pop["account"] is None and pop["ticket"] is None
    with svc.ctx.records.sessions() as db:     # its record starts now: the desk can make it a ticket
        call = db.scalar(select(Call).where(Call.uniqueid == "1763892999.1"))
        assert call.caller == "13900000000" and call.last_step == "degraded" and call.queued_at is not None


async def test_a_pause_seen_in_asterisk_updates_the_agents_state(hotline):
    svc, ami, pushed = hotline
    await ami.replay(MEMBER_PAUSED)
    (no, ev), = pushed
    assert no == "1001" and ev["type"] == wire.EV_AGENT_STATE
    assert ev["agent_state"]["paused"] is True and ev["agent_state"]["reason"] == "用餐"


async def test_joining_sends_queue_add_for_the_agents_own_endpoint(hotline):
    svc, ami, _ = hotline
    await svc.set_queue_member("1001", True)
    await svc.set_paused("1001", True, "培训")
    assert ami.sent == [("QueueAdd", {"Queue": "repair", "Interface": "PJSIP/agent-1001", "MemberName": "agent-1001",
                                      "StateInterface": "PJSIP/agent-1001", "Penalty": "0"}),
                        ("QueuePause", {"Queue": "repair", "Interface": "PJSIP/agent-1001", "Paused": "true",
                                        "Reason": "培训"})]


async def test_after_an_asterisk_restart_a_member_it_lost_is_added_back_paused_as_before(hotline):
    svc, ami, pushed = hotline
    await svc.set_queue_member("1001", True)
    await svc.set_paused("1001", True, "用餐")
    ami.sent.clear()
    await ami.replay(FULLY_BOOTED)                   # Asterisk came back without the member
    names = [n for n, _ in ami.sent]
    assert names == ["QueueStatus", "QueueAdd", "QueuePause"]
    assert ami.sent[2][1]["Reason"] == "用餐"
    assert pushed[0][1]["type"] == wire.EV_TELEPHONY_RESTARTED


def pauses_sent(ami):
    return [(f["Paused"], f["Reason"]) for name, f in ami.sent if name == "QueuePause"]


async def joined_and_talking(svc, ami):
    await svc.set_queue_member("1001", True)
    for ev in (AGENT_CALLED, AGENT_CONNECT):
        await ami.replay(ev)
    ami.sent.clear()


async def test_an_answered_call_that_ends_puts_the_agent_in_wrapup_until_the_servers_timer_runs_out(hotline):
    svc, ami, pushed = hotline
    await joined_and_talking(svc, ami)
    await ami.replay(AGENT_COMPLETE)
    assert pauses_sent(ami) == [("true", "话后整理")]
    st = svc.agent_state("1001")
    assert st["wrapup"] and st["paused"] and 0 < st["wrapup_left_s"] <= 1
    assert pushed[-1][1]["type"] == wire.EV_AGENT_STATE and pushed[-1][1]["agent_state"]["wrapup"]
    await asyncio.sleep(0.9)                                  # Settings.wrapup_s = 0.6 here
    assert pauses_sent(ami) == [("true", "话后整理"), ("false", "")]
    assert not svc.agent_state("1001")["wrapup"] and not svc.agent_state("1001")["paused"]


async def test_wrapup_done_makes_the_agent_available_at_once_and_the_timer_does_nothing_later(hotline):
    svc, ami, _ = hotline
    await joined_and_talking(svc, ami)
    await ami.replay(AGENT_COMPLETE)
    assert await svc.wrapup_done("1001") is True
    await asyncio.sleep(0.9)
    assert pauses_sent(ami) == [("true", "话后整理"), ("false", "")]
    assert await svc.wrapup_done("1001") is False             # not in wrap-up any more


async def test_a_pause_of_their_own_during_wrapup_stands_after_the_wrapup_time(hotline):
    svc, ami, _ = hotline
    await joined_and_talking(svc, ami)
    await ami.replay(AGENT_COMPLETE)
    await svc.set_paused("1001", True, "用餐")
    await asyncio.sleep(0.9)
    assert pauses_sent(ami) == [("true", "话后整理"), ("true", "用餐")]
    assert svc.agent_state("1001")["reason"] == "用餐" and not svc.agent_state("1001")["wrapup"]


async def test_an_agent_paused_during_the_call_gets_no_wrapup(hotline):
    svc, ami, _ = hotline
    await joined_and_talking(svc, ami)
    await svc.set_paused("1001", True, "会议")
    await ami.replay(AGENT_COMPLETE)
    assert pauses_sent(ami) == [("true", "会议")]


async def test_a_call_left_ringing_pauses_the_agent_no_answer_tells_the_desk_and_is_audited(hotline):
    svc, ami, pushed = hotline
    await svc.set_queue_member("1001", True)
    await ami.replay(AGENT_CALLED)
    ami.sent.clear()
    await ami.replay(RING_NO_ANSWER)
    assert pauses_sent(ami) == [("true", "未接听")]
    told = [e for _, e in pushed if e["type"] == wire.EV_RING_NO_ANSWER]
    assert told and told[0]["agent_state"]["reason"] == "未接听"
    with svc.ctx.records.sessions() as db:
        assert db.scalar(select(AuditEntry.object_id).where(AuditEntry.actor == "1001",
                                                             AuditEntry.action == "ring_no_answer")) == AGENT_CALLED["Uniqueid"]
    await ami.replay(RING_NO_ANSWER)                          # paused already: nothing more happens
    assert pauses_sent(ami) == [("true", "未接听")]


async def test_the_time_in_each_pause_is_logged_per_agent_as_asterisk_reports_it(hotline):
    svc, ami, _ = hotline
    for ev in (MEMBER_PAUSED, MEMBER_AVAILABLE, MEMBER_WRAPUP, MEMBER_AVAILABLE):
        await ami.replay(ev)
    since = datetime.now() - timedelta(minutes=1)
    assert [(r["agent_no"], r["reason"], r["times"]) for r in svc.pauses.totals(since)] == [
        ("1001", "用餐", 1), ("1001", "话后整理", 1)]
    await ami.replay(MEMBER_PAUSED)                           # still paused: counted up to now
    assert {r["reason"]: r["times"] for r in svc.pauses.totals(since)} == {"用餐": 2, "话后整理": 1}


async def test_hotline_survey_calls_user_event_wakes_the_dialer_and_the_ivr_has_the_survey_line(hotline):
    svc, ami, _pushed = hotline
    assert svc.ctx.surveys is not None               # the survey flows reach the dialer through it
    woken = []
    svc.survey_calls.wake = lambda: woken.append(True)
    await ami.replay({"Event": "UserEvent", "UserEvent": "HotlineAnswered"})
    assert not woken
    await ami.replay({"Event": "UserEvent", "UserEvent": SURVEY_WAKE_EVENT, "Attempt": "7"})
    assert woken


async def test_the_recordings_disk_alert_is_audited_and_pushed_to_the_leads_once_and_its_end_too(hotline):
    svc, _ami, _pushed = hotline
    to_leads = []

    async def push_supervisors(event):
        to_leads.append(event)
    svc.hub.push_supervisors = push_supervisors
    svc.storage.settings = svc.settings.replace(recordings_min_free_mb=10**9)   # every disk is too small
    await svc.check_storage()
    await svc.check_storage()                                # still low: told once
    (ev,) = to_leads
    assert ev["type"] == wire.EV_STORAGE and ev["storage"]["low"] and "录音磁盘空间不足" in ev["storage"]["message"]
    assert svc.storage_state()["low"]                        # a lead logging in now sees it (hello)
    svc.storage.settings = svc.settings.replace(recordings_min_free_mb=0)
    await svc.check_storage()
    assert not to_leads[-1]["storage"]["low"]
    with svc.ctx.records.sessions() as db:
        actions = [a.action for a in db.scalars(select(AuditEntry).where(AuditEntry.object_type == "recordings"))]
    assert actions == ["storage_alert", "storage_ok"]
# ------------------------------------------- every caller accounted for (#26) --

class ChannelsAmi(RecordedAmi):
    """Answers CoreShowChannels with the channels it is told Asterisk has (`complete=False`: the
    list's end says more items than came)."""

    def __init__(self, channels: list[str], complete: bool = True):
        super().__init__()
        self.channels, self.complete = channels, complete

    async def action(self, name, as_list=False, **fields):
        if name != "CoreShowChannels":
            return await super().action(name, as_list, **fields)
        self.sent.append((name, fields))
        listed = [{"Event": "CoreShowChannel", "Uniqueid": u, "Linkedid": u} for u in self.channels]
        return [{"Response": "Success", "EventList": "start"}, *listed,
                {"Event": "CoreShowChannelsComplete", "ListItems": str(len(listed) + (0 if self.complete else 1))}]


@pytest.mark.parametrize("ami, closed", [(ChannelsAmi([]), True), (ChannelsAmi([AGENT_CALLED["Uniqueid"]]), False),
                                         (ChannelsAmi([], complete=False), False)],
                         ids=["channel-gone", "channel-up", "list-incomplete"])
async def test_a_pass_closes_an_open_call_only_when_asterisk_surely_has_no_channel_for_it(hotline, ami, closed):
    svc, _recorded, pushed = hotline
    svc.ami = ami
    await svc.reconcile()
    with svc.ctx.records.sessions() as db:
        call = db.scalar(select(Call).where(Call.uniqueid == AGENT_CALLED["Uniqueid"]))
        t = db.get(Ticket, call.ticket_id)
        assert (call.outcome is CallOutcome.interrupted) is closed
        assert (t.callback_requested and t.callback_reason is CallOutcome.interrupted) is closed


async def test_a_call_whose_own_writes_still_wait_in_the_journal_is_not_judged_gone(hotline):
    """Its channel is gone, but its end (say) waits behind a stalled database: the call's own write
    tells how it ended, so the pass leaves it; once the write is in, the next pass may judge it."""
    svc, _recorded, pushed = hotline
    svc.ami = ChannelsAmi([])
    uid = AGENT_CALLED["Uniqueid"]
    stalled = threading.Event()
    svc.ctx._journal = WriteJournal(lambda e: stalled.wait(10), None)
    written = svc.ctx._journal.submit(uid, "end_call", [], {}, "")
    assert svc.ctx.journal.pending_calls() == {uid}
    await svc.reconcile()
    with svc.ctx.records.sessions() as db:
        assert db.scalar(select(Call.outcome).where(Call.uniqueid == uid)) is None
    stalled.set()
    written.result(5)
    assert svc.ctx.journal.pending_calls() == frozenset()
    await svc.reconcile()
    with svc.ctx.records.sessions() as db:
        assert db.scalar(select(Call.outcome).where(Call.uniqueid == uid)) is CallOutcome.interrupted


async def test_with_asterisk_away_no_call_is_judged_gone(hotline):
    svc, ami, pushed = hotline
    ami.connected.clear()
    await svc.reconcile()
    with svc.ctx.records.sessions() as db:
        assert db.scalar(select(Call.outcome).where(Call.uniqueid == AGENT_CALLED["Uniqueid"])) is None
    assert not [name for name, _ in ami.sent if name == "CoreShowChannels"]
