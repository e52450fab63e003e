"""The transfer directory's assembly (hotline.service.directory) and the softphone panel's
directory list and transfer buttons, without a server or a phone."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.widgets.softphone_panel import SoftPhonePanel  # noqa: E402
from hotline.service.directory import build_directory, device_states, entry_state  # noqa: E402
from common import wire  # noqa: E402

USERS = [("1001", "张三", "agent"), ("1002", "李四", "agent"), ("3101", "孙班长", "team_lead"),
         ("9001", "管理员", "admin"), ("1003", "王五", "agent"), ("1004", "赵六", "agent"),
         ("1002", "李四", "agent")]     # a second live session of the same person
DEVICES = device_states([
    {"Event": "DeviceStateChange", "Device": "PJSIP/agent-1001", "State": "NOT_INUSE"},
    {"Event": "DeviceStateChange", "Device": "PJSIP/agent-1002", "State": "INUSE"},
    {"Event": "DeviceStateChange", "Device": "PJSIP/agent-3101", "State": "NOT_INUSE"},
    {"Event": "DeviceStateChange", "Device": "PJSIP/agent-1003", "State": "NOT_INUSE"},
    {"Event": "DeviceStateListComplete"}])
QUEUE = {"1003": {"member": True, "paused": True, "reason": "用餐", "in_call": False}}


def test_directory_lists_leads_first_free_before_busy_without_the_asker_or_admins():
    got = build_directory(USERS, "1001", QUEUE, DEVICES)
    assert [e["agent_no"] for e in got] == ["3101", "1002", "1003", "1004"]
    assert [e["state"] for e in got] == ["free", "on_call", "paused", "unregistered"]
    assert got[2]["reason"] == "用餐" and got[2]["in_queue"] and not got[0]["in_queue"]
    assert all(set(e) == {"agent_no", "name", "role", "state", "in_queue", "reason"} for e in got)
    assert {e["state"] for e in got} <= set(wire.DIRECTORY_STATES)


def test_entry_state_from_device_and_queue():
    assert entry_state("", None) == "unregistered"
    assert entry_state("UNAVAILABLE", {"member": True}) == "unregistered"
    assert entry_state("RINGING", {}) == "ringing"
    assert entry_state("ONHOLD", {}) == "on_call"
    assert entry_state("NOT_INUSE", {"in_call": True}) == "on_call"
    assert entry_state("NOT_INUSE", {"member": True, "paused": True}) == "paused"
    assert entry_state("not_inuse", {"member": False, "paused": True}) == "free"


def test_panel_offers_the_directory_and_emits_the_chosen_target(qtbot):
    p = SoftPhonePanel()
    qtbot.addWidget(p)
    wanted = []
    p.directory_wanted.connect(lambda: wanted.append(1))
    entries = build_directory(USERS, "1001", QUEUE, DEVICES)
    p.set_directory(entries)
    assert not p.transfer_button.isEnabled()            # no call
    p.set_state("talking")
    assert wanted, "a call that starts refreshes the directory"
    assert p.transfer_to.count() == 4 and "孙班长 3101" in p.transfer_to.itemText(0)
    assert "示忙（用餐）" in p.transfer_to.itemText(2)
    with qtbot.waitSignal(p.transfer_requested) as blind:
        p.transfer_button.click()
    assert blind.args == ["3101"]
    p.transfer_to.setCurrentIndex(1)
    with qtbot.waitSignal(p.consult_requested) as consult:
        p.consult_button.click()
    assert consult.args == ["1002"]
    p.set_consult_state("calling")
    assert p.return_button.isEnabled() and not p.complete_button.isEnabled() and not p.transfer_button.isEnabled()
    p.set_consult_state("talking")
    assert p.complete_button.isEnabled()
    p.set_directory(list(reversed(entries)))            # refreshed: the choice stays
    assert p.transfer_to.currentData() == "1002"
    p.set_consult_state("none")
    p.set_state("idle")
    assert not p.consult_button.isEnabled() and not p.complete_button.isEnabled()
