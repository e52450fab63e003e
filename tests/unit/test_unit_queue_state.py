"""The service's picture of the repair queue, fed with AMI events as Asterisk 22 sends them
(fields copied from a live manager session), no Asterisk needed."""
from __future__ import annotations

from hotline.service.queue_state import QueueState, agent_no

MEMBER_ADDED = {"Event": "QueueMemberAdded", "Queue": "repair", "MemberName": "agent-1001",
                "Interface": "PJSIP/agent-1001", "StateInterface": "PJSIP/agent-1001", "Membership": "dynamic",
                "Penalty": "0", "CallsTaken": "0", "LastCall": "0", "InCall": "0", "Status": "1",
                "Paused": "0", "PausedReason": "", "Ringinuse": "0", "Wrapuptime": "0"}
PAUSED = {**MEMBER_ADDED, "Event": "QueueMemberPause", "Paused": "1", "PausedReason": "用餐"}
REMOVED = {**MEMBER_ADDED, "Event": "QueueMemberRemoved"}
AGENT_CALLED = {"Event": "AgentCalled", "Queue": "repair", "Uniqueid": "1763892000.12", "Linkedid": "1763892000.12",
                "CallerIDNum": "13800138000", "Interface": "PJSIP/agent-1001", "MemberName": "agent-1001",
                "DestChannel": "PJSIP/agent-1001-00000007"}
STATUS_REPLY = [{"Event": "QueueParams", "Queue": "repair", "Calls": "1"},
                {"Event": "QueueMember", "Queue": "repair", "Name": "agent-1002", "Location": "PJSIP/agent-1002",
                 "StateInterface": "PJSIP/agent-1002", "MemberName": "agent-1002", "Paused": "1",
                 "PausedReason": "培训", "InCall": "0", "Status": "1"},
                {"Event": "QueueEntry", "Queue": "repair", "Position": "1", "Uniqueid": "1763892000.13"},
                {"Event": "QueueStatusComplete"}]


def test_an_event_names_its_agent_by_member_name_or_interface():
    assert agent_no(MEMBER_ADDED) == "1001"
    assert agent_no({"Interface": "PJSIP/agent-204"}) == "204"
    assert agent_no({"Interface": "PJSIP/pstn-trunk"}) == "" and agent_no({}) == ""


def test_joining_pausing_and_leaving_follow_the_member_events():
    q = QueueState()
    assert q.member_event(MEMBER_ADDED) == "1001" and q.snapshot("1001")["member"] is True
    q.member_event(PAUSED)
    assert q.snapshot("1001")["paused"] and q.snapshot("1001")["reason"] == "用餐"
    q.member_event(REMOVED)
    assert q.snapshot("1001")["member"] is False


def test_a_ringing_call_is_remembered_until_the_caller_leaves():
    q = QueueState()
    q.rang("1001", AGENT_CALLED["Uniqueid"], "2611230001")
    assert q.ringing_ticket("1001") == "2611230001"
    assert q.caller_left("1763892000.12") == ["1001"] and q.ringing_ticket("1001") is None


def test_a_completed_call_counts_and_a_ring_no_answer_does_not_talk():
    q = QueueState()
    st = q.connected("1001")
    assert st["in_call"] and st["calls_taken"] == 1
    was_talking, st = q.ended("1001", completed=True)
    assert was_talking and not st["in_call"]
    assert q.ended("1001", completed=False)[0] is False


def test_after_a_restart_the_queue_is_rebuilt_from_queue_status():
    q = QueueState()
    q.joined("1001", True)                 # wanted, but Asterisk lost it
    q.agent("1003")["member"] = True       # stale: not wanted, not listed
    present = q.from_queue_status(STATUS_REPLY)
    assert present == {"1002"}
    assert q.snapshot("1002")["paused"] and q.snapshot("1002")["reason"] == "培训"
    assert q.snapshot("1003")["member"] is False
    assert [no for no, _st in q.missing(present)] == ["1001"]     # to be added back


def test_a_snapshot_is_a_copy_the_desk_cannot_change():
    q = QueueState()
    snap = q.snapshot("1001")
    snap["paused"] = True
    assert q.snapshot("1001")["paused"] is False
