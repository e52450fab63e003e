"""#30 on the real stack — the agent board: two desks (logged in, phones registered, in the queue)
and a waiting caller show on a team lead's board with the right states and durations, and on the
wall display in headless Chromium (a display token from `hotline display-token create`); a pause past
its limit raises the alert on the lead's desk (pushed), the lead acknowledges it and forces the agent
back to 示闲, which Asterisk's own event then shows on the board."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import select, update

from bench.desk_demo import demo_callers
from chromium import Chromium
from bench.scenarios import CallerDialog, resident_reports_no_heat
from common import wire
from conftest import wait_for
from db.models import AgentPause, Role, User
from hotline.admin import runtime
from hotline.admin.users import add_user
from test_agent_api import Api
from test_transfer import Desk, PASSWORD

pytestmark = pytest.mark.asterisk

TALKER, BREAKER, LEAD = "3601", "3602", "3611"


@pytest.fixture(scope="module")
def crew(ivr):
    with ivr.sessions() as db:
        for no, name, role in ((TALKER, "周敏", Role.agent), (BREAKER, "吴刚", Role.agent),
                               (LEAD, "郑班长", Role.team_lead)):
            if not db.scalar(select(User).where(User.agent_no == no)):
                add_user(db, no, name, role, PASSWORD, actor="test")
        db.commit()
    runtime.reload_agents(ivr.settings, ivr.sessions)
    desks = {no: Desk(ivr, no) for no in (TALKER, BREAKER)}
    lead = Api(f"http://127.0.0.1:{ivr.ports['api']}")
    assert lead.login(LEAD, PASSWORD)[0] == 200
    yield desks, lead
    for d in desks.values():
        d.close()
    lead.call("POST", wire.LOGOUT)
    ivr.hangup_all()


def board_row(lead: Api, no: str) -> dict:
    status, board = lead.call("GET", wire.BOARD)
    assert status == 200, board
    return {a["agent_no"]: a for a in board["agents"]}.get(no, {})


def test_two_desks_and_a_waiting_caller_on_the_leads_board_and_the_wall(ivr, crew, tmp_path):
    desks, lead = crew
    talker, breaker = desks[TALKER], desks[BREAKER]
    assert talker.api.call("POST", wire.QUEUE, {"member": True})[0] == 200
    assert breaker.api.call("POST", wire.QUEUE, {"member": True})[0] == 200
    assert breaker.api.call("POST", wire.PAUSE, {"paused": True, "reason": "小休"})[0] == 200
    wait_for(lambda: board_row(lead, TALKER).get("state") == "free", 15, "the talker free on the board")

    # the first resident rings the free agent, who answers; the second finds nobody free and waits
    (first, known1), (second, known2) = demo_callers(ivr.settings, 2)
    d1 = CallerDialog(ivr.ami, ivr.phone_for(first), ivr.settings.extension, first)
    resident_reports_no_heat(d1, known=known1)
    leg = talker.phone.wait_incoming(30)
    leg.answer(200).wait_state("CONFIRMED", 10)
    d2 = CallerDialog(ivr.ami, ivr.phone_for(second), ivr.settings.extension, second)
    resident_reports_no_heat(d2, known=known2)

    def waiting():
        status, board = lead.call("GET", wire.BOARD)
        return board if board["waiting"] and board["waiting"][0]["wait_s"] >= 2 else None
    board = wait_for(waiting, 40, "the second resident waiting on the board")
    rows = {a["agent_no"]: a for a in board["agents"]}
    assert rows[TALKER]["state"] == "talking" and rows[TALKER]["caller"] == f"{first[:3]}******{first[-2:]}"
    assert rows[TALKER]["logged_in"] and rows[TALKER]["registered"]
    assert rows[BREAKER]["state"] == "paused" and rows[BREAKER]["reason"] == "小休"
    assert rows[BREAKER]["seconds"] >= rows[TALKER]["seconds"] >= 0     # paused before the call was answered
    (w,) = [w for w in board["waiting"]]
    assert w["caller"] == f"{second[:3]}******{second[-2:]}" and second not in str(board)
    assert board["summary"]["waiting"] == 1 and board["summary"]["longest_wait_s"] >= 2
    assert board["summary"]["agents_by_state"]["talking"] >= 1
    # the durations run on: a second look later counts on
    time.sleep(2)
    again = board_row(lead, BREAKER)
    assert again["seconds"] >= rows[BREAKER]["seconds"] + 1
    # an agent may not read the board (refused, audited)
    assert talker.api.call("GET", wire.BOARD)[0] == 403
    # the wall in the hall: the same figures, live, without a name or a number
    made = subprocess.run([sys.executable, "-m", "hotline.cli", "display-token", "create", "测试大屏", "--json"],
                          env=runtime.service_env(ivr.settings), capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    url = json.loads(made.stdout)["url"]

    async def wall():
        async with Chromium(url, tmp_path / "chromium") as page:
            await page.until("the waiting caller on the wall",
                             lambda: page.js("document.getElementById('waiting').textContent === '1'"), 20)
            shown = await page.js("document.body.innerText")
            await page.screenshot(tmp_path / "wall.png")
            return shown
    shown = asyncio.run(wall())
    assert "通话中" in shown and "周敏" not in shown and TALKER not in shown and second not in shown
    assert (tmp_path / "wall.png").stat().st_size > 10_000
    ivr.hangup_all()
    leg.hangup()


def test_a_pause_past_its_limit_alerts_the_leads_desk_who_acknowledges_and_forces_it_back(ivr, crew):
    desks, lead = crew
    breaker = desks[BREAKER]
    breaker.api.call("POST", wire.QUEUE, {"member": True})
    breaker.api.call("POST", wire.PAUSE, {"paused": True, "reason": "小休"})
    wait_for(lambda: board_row(lead, BREAKER).get("state") == "paused", 15, "the break on the board")
    base = f"http://127.0.0.1:{ivr.ports['api']}"

    async def watch():
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"{base}{wire.WS}?token={lead.token}") as ws:
                assert (await ws.receive_json(timeout=5))["type"] == wire.EV_HELLO
                # the break began 16 minutes ago, as the pause log has it (the limit of 小休 is 15)
                with ivr.sessions() as db, db.begin():
                    uid = db.scalar(select(User.id).where(User.agent_no == BREAKER))
                    started = db.scalar(select(AgentPause.started_at).where(AgentPause.user_id == uid,
                                                                             AgentPause.ended_at.is_(None)))
                    db.execute(update(AgentPause).where(AgentPause.user_id == uid, AgentPause.ended_at.is_(None))
                               .values(started_at=started - timedelta(minutes=16)))
                boards = 0
                while True:
                    ev = await ws.receive_json(timeout=20)
                    boards += ev["type"] == wire.EV_BOARD
                    if ev["type"] == wire.EV_ALERT and ev["alert"]["subject"] == BREAKER and ev["new"]:
                        return ev["alert"], boards
    alert, _boards = asyncio.run(watch())
    assert alert["kind"] == "long_pause" and "小休" in alert["message"] and "上限 15 分钟" in alert["message"]
    assert alert["id"] in [a["id"] for a in lead.call("GET", wire.ALERTS)[1]]
    assert breaker.api.call("POST", wire.path(wire.ALERT_ACK, aid=alert["id"]), {})[0] == 403
    status, acked = lead.call("POST", wire.path(wire.ALERT_ACK, aid=alert["id"]), {"note": "已提醒"})
    assert status == 200 and acked["acked_by"] == LEAD
    status, got = lead.call("POST", wire.path(wire.AGENT_UNPAUSE, agent_no=BREAKER), {"note": "小休超时"})
    assert status == 200, got
    # Asterisk's own QueueMemberPause event puts them back: free on the board, the alert cleared
    wait_for(lambda: board_row(lead, BREAKER).get("state") == "free", 15, "the agent free again")
    wait_for(lambda: next((a for a in lead.call("GET", wire.ALERTS + "?open=0")[1] if a["id"] == alert["id"]),
                          {}).get("cleared_at"), 15, "the alert cleared")
    breaker.api.call("POST", wire.QUEUE, {"member": False})
