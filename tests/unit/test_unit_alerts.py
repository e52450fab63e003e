"""#30 — alerts from the board: each condition against its threshold, raised once while it holds,
cleared when it ends, kept until a lead acknowledges it (audited, once); the board's agent states
and how long each has lasted."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import AuditEntry, Role
from db.session import make_engine, migrate, session_factory
from hotline.admin.config import policy_problems
from hotline.aftercall.alerts import AlertBook, AlertPolicy, alert_policy, conditions, parse_pause_limits
from hotline.aftercall.rules import Actor, Refused, RuleError
from hotline.service.queue_state import QueueState
from common import wire
from common.settings import load_settings

POLICY = AlertPolicy(wait_s=120, no_agent_s=30, nobody_s=120, pause_min={"小休": 15, "用餐": 40},
                     pause_default_min=15, service_level_target=0.8, service_level_min_calls=5)
LEAD = Actor(2, "1101", Role.team_lead)


def agent(no, state, seconds=0, reason="", role="agent"):
    return {"agent_no": no, "name": f"人{no}", "role": role, "state": state, "seconds": seconds, "reason": reason}


def board(agents=(), waiting=(), **summary):
    return {"agents": list(agents), "waiting": [{"wait_s": w} for w in waiting], "summary": summary}


def test_a_caller_waiting_past_the_threshold_is_a_long_wait():
    assert ("long_wait", "queue") not in conditions(board([agent("1001", "talking")], [119]), POLICY, True)
    got = conditions(board([agent("1001", "talking")], [121, 10]), POLICY, True)
    assert "2 位来电排队,最长已等待 2分01秒" == got[("long_wait", "queue")]


def test_callers_waiting_with_no_agent_free():
    busy = [agent("1001", "talking"), agent("1002", "paused", 60, "小休")]
    assert ("no_agent_free", "queue") in conditions(board(busy, [31]), POLICY, True)
    assert ("no_agent_free", "queue") not in conditions(board(busy + [agent("1003", "free")], [31]), POLICY, True)
    assert ("no_agent_free", "queue") not in conditions(board(busy, [5]), POLICY, True)    # just joined


def test_nobody_logged_in_counts_only_in_staffed_hours():
    out = [agent("1001", "logged_out"), agent("1101", "logged_out", role="team_lead")]
    assert ("nobody_logged_in", "queue") in conditions(board(out), POLICY, True)
    assert ("nobody_logged_in", "queue") not in conditions(board(out), POLICY, False)
    assert ("nobody_logged_in", "queue") not in conditions(board(out[:1] + [agent("1101", "paused", role="team_lead")]),
                                                           POLICY, True)


def test_a_pause_past_its_reasons_limit_names_the_agent():
    got = conditions(board([agent("1002", "paused", 16 * 60, "小休"), agent("1003", "paused", 30 * 60, "用餐"),
                            agent("1004", "paused", 20 * 60, "其他")]), POLICY, True)
    assert got[("long_pause", "1002")] == "1002 人1002 小休 已 16 分钟(上限 15 分钟)"
    assert ("long_pause", "1003") not in got                       # 用餐: 40 minutes
    assert ("long_pause", "1004") in got                           # any other reason: the default 15
    wrapup = conditions(board([agent("1005", "paused", 3600, wire.WRAPUP_REASON)]), POLICY, True)
    assert ("long_pause", "1005") not in wrapup                    # the server's own pause has its own timer


def test_the_last_hours_service_level_under_target_once_the_hour_had_calls():
    assert ("service_level", "queue") in conditions(board(calls_last_hour=6, service_level_last_hour=0.5), POLICY, True)
    assert ("service_level", "queue") not in conditions(board(calls_last_hour=4, service_level_last_hour=0.2),
                                                        POLICY, True)
    assert ("service_level", "queue") not in conditions(board(calls_last_hour=9, service_level_last_hour=0.9),
                                                        POLICY, True)


def test_a_hot_spot_proposes_an_outage():
    spot = {"key": "铁西区/兴华北街/3", "repairs": 4, "first": "2026-11-23T09:05:00", "last": "2026-11-23T09:41:00"}
    got = conditions(board(hot_spots=[spot]), POLICY, True)
    assert "是否宣布区域停热" in got[("hot_spot", "铁西区/兴华北街/3")]


def test_the_pause_limits_setting_is_read_and_a_bad_one_is_named():
    assert parse_pause_limits("小休=15, 用餐=40") == {"小休": 15, "用餐": 40}
    with pytest.raises(ValueError, match="alert_pause_limits"):
        parse_pause_limits("小休15")
    assert alert_policy(load_settings(home="/tmp/none")).pause_limit_min("小休") == 15


@pytest.fixture
def book(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    migrate(engine)
    clock = {"now": datetime(2026, 11, 23, 3, 0)}
    sessions = session_factory(engine)
    yield AlertBook(sessions, lambda: clock["now"], POLICY), clock, sessions
    engine.dispose()


def test_an_alert_is_raised_once_while_it_holds_and_cleared_when_it_ends(book):
    alerts, clock, _ = book
    holding = {("long_pause", "1002"): "1002 小休 已 16 分钟"}
    (raised, new), = alerts.sync(holding)
    assert new and raised["kind"] == "long_pause" and raised["cleared_at"] is None
    assert alerts.sync(holding) == []
    clock["now"] += timedelta(minutes=3)
    (cleared, new), = alerts.sync({})
    assert not new and cleared["id"] == raised["id"] and cleared["cleared_at"] == "2026-11-23T03:03:00"
    assert [a["id"] for a in alerts.list(LEAD)] == [raised["id"]]     # still shown: nobody acknowledged it


def test_nobody_logged_in_waits_its_hold_time_a_shift_change_is_no_alert(book):
    alerts, clock, _ = book
    holding = {("nobody_logged_in", "queue"): "值班时段没有座席登录"}
    assert alerts.sync(holding) == []
    clock["now"] += timedelta(seconds=60)
    assert alerts.sync({}) == []                                       # someone logged in within the minute
    assert alerts.sync(holding) == []
    clock["now"] += timedelta(seconds=121)
    assert [a["kind"] for a, _ in alerts.sync(holding)] == ["nobody_logged_in"]


def test_a_lead_acknowledges_once_audited_and_nobody_else_may(book):
    alerts, _clock, sessions = book
    (a, _), = alerts.sync({("long_wait", "queue"): "3 位来电排队"})
    with pytest.raises(Refused):
        alerts.ack(Actor(1, "1001", Role.agent), a["id"])
    with pytest.raises(Refused):
        alerts.list(Actor(1, "1001", Role.agent))
    acked = alerts.ack(LEAD, a["id"], "已加派人手")
    assert acked["acked_by"] == "1101" and acked["ack_note"] == "已加派人手"
    with pytest.raises(RuleError) as again:
        alerts.ack(LEAD, a["id"])
    assert again.value.status == 409
    with pytest.raises(RuleError) as nothing:
        alerts.ack(LEAD, "999")
    assert nothing.value.status == 404
    assert alerts.list(LEAD) == [] and len(alerts.list(LEAD, open_only=False)) == 1
    with sessions() as db:
        actions = [(e.actor, e.action) for e in db.scalars(select(AuditEntry))]
    assert ("1101", "alert_ack") in actions and ("1001", "alert_ack") not in actions


# ------------------------------------------------------------------ the board's states --
class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_each_agents_state_on_the_board_and_how_long_it_has_lasted():
    clock = Clock()
    q = QueueState(clock)
    q.joined("1001", True)
    assert q.board_state("1001") == "free"
    clock.t += 30
    assert q.in_state_s("1001") == 30
    q.caller_joined({"Uniqueid": "u1", "CallerIDNum": "13912345678", "Position": "1"})
    clock.t += 5
    q.rang("1001", "u1", "2611230001")
    assert q.board_state("1001") == "ringing" and q.in_state_s("1001") == 0
    assert q.caller_of["1001"] == "13912345678"
    assert [w["wait_s"] for w in q.waiting_list()] == [5]             # still waiting while it rings
    q.caller_gone("u1")
    q.connected("1001")
    clock.t += 40
    assert (q.board_state("1001"), q.in_state_s("1001")) == ("talking", 40)
    q.ended("1001", completed=True)
    q.start_wrapup("1001", 30)
    assert q.board_state("1001") == "wrapup"
    q.end_wrapup("1001")
    q.paused("1001", True, "小休")
    clock.t += 900
    assert (q.board_state("1001"), q.in_state_s("1001")) == ("paused", 900)
    q.joined("1001", False)
    assert q.board_state("1001") == "not_in_queue"


def test_callers_waiting_when_the_service_starts_are_read_from_queue_status():
    q = QueueState(Clock())
    q.from_queue_status([{"Event": "QueueEntry", "Uniqueid": "u9", "CallerIDNum": "13500000001", "Wait": "75",
                          "Position": "1"}])
    assert q.waiting_list() == [{"uniqueid": "u9", "caller": "13500000001", "wait_s": 75, "position": 1}]


def test_config_check_names_a_malformed_pause_limit(tmp_path):
    s = load_settings(home=str(tmp_path), alert_pause_limits="小休15")
    assert any("alert_pause_limits" in p for p in policy_problems(s))
