"""#30 — the wall display: a display token opens the wall page and its figures and nothing else; the
page renders live figures in headless Chromium (its DevTools protocol: the DOM is read after each
push), and the screenshot is docs/screenshots/wall.png. The real agent API (HotlineService over a
migrated SQLite database, RecordedAmi the only fake) with a fake wall source; Chromium missing
fails the test (never skips)."""
from __future__ import annotations

import asyncio
import copy
import json
import re
import subprocess
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from typer.testing import CliRunner

from common import wire
from common.passwords import token_hash
from common.ports import Ports
from common.settings import load_settings
from db.models import ApiSession, AuditEntry, DisplayToken, Role
from db.session import make_engine, migrate, session_factory
from hotline.admin.displays import DisplayTokenError, create_token, list_tokens, revoke_token
from hotline.admin.users import add_user
from hotline.service import displays
from hotline.service.api import wall as wall_routes
from hotline.service.app import HotlineService
from test_access_matrix import PhonesAmi
from chromium import Chromium

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "screenshots" / "wall.png"
NOW = datetime(2026, 11, 23, 10, 15, 0)
SESSION = "a-lead-session-token"


def sample_wall(**summary) -> dict:
    w = copy.deepcopy(wire.SAMPLE_WALL)
    w["now"] = NOW.isoformat()
    w["summary"].update({"waiting": 7, "longest_wait_s": 135, "service_level": 0.862, "answered_today": 212,
                         "agents_by_state": {"free": 3, "talking": 9, "wrapup": 2, "paused": 1, "ringing": 1},
                         "open_repairs": 37, "overdue_repairs": 4, "open_complaints": 2}, **summary)
    w["summary"]["hot_spots"] = [{**wire.SAMPLE_HOT_SPOT, "repairs": 6},
                                 {**wire.SAMPLE_HOT_SPOT, "key": "和平区/幸福里小区/12", "district": "和平区",
                                  "compound": "幸福里小区", "building": "12", "repairs": 4}]
    w["alerts"] = [{**wire.SAMPLE_ALERT, "id": 1, "kind": "long_wait", "subject": "queue",
                    "message": "有来电已等待 2 分 15 秒(上限 2 分钟)", "raised_at": "2026-11-23T10:13:10"},
                   {**wire.SAMPLE_ALERT, "id": 2, "kind": "hot_spot", "subject": "铁西区/兴华北街/3",
                    "message": "铁西区 兴华北街 3号楼 40 分钟内 6 件无暖报修", "raised_at": "2026-11-23T09:41:00",
                    "acked_by": "1101", "acked_at": "2026-11-23T09:45:00"}]
    return w


class Wall:
    """The agent API with a wall display's token, a team lead's session, and the wall's figures."""

    def __init__(self, svc: HotlineService, client: TestClient, sessions, token: str):
        self.svc, self.client, self.sessions, self.token = svc, client, sessions, token
        self.figures = sample_wall()

    async def source(self) -> dict:
        return self.figures

    def url(self, route: str = wire.WALL, token: str | None = None) -> str:
        return str(self.client.make_url(route)) + "?token=" + (self.token if token is None else token)


@asynccontextmanager
async def wall_api(tmp_path):
    s = load_settings(home=str(tmp_path / "home"), db_url=f"sqlite:///{tmp_path / 'w.db'}", today=NOW.isoformat())
    engine = make_engine(s.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db, db.begin():
        _, token = create_token(db, "大厅大屏", NOW)
        u = add_user(db, "1101", "李班长", Role.team_lead, "correct-horse-7")
        db.add(ApiSession(token_hash=token_hash(SESSION), user_id=u.id, created_at=NOW, expires_at=datetime(2099, 1, 1)))
    svc = HotlineService(s, Ports(sip=1, ami=2, fastagi=3, api=4, rtp_start=10000, rtp_end=10199), ami=PhonesAmi())
    try:
        async with TestClient(TestServer(svc.api.app(), host="127.0.0.1")) as client:
            w = Wall(svc, client, sessions, token)
            svc.hub.wall_source = w.source
            yield w
    finally:
        engine.dispose()


# ------------------------------------------------------------------- the door --

async def test_a_display_token_opens_the_wall_and_nothing_else(tmp_path):
    async with wall_api(tmp_path) as w:
        c = w.client
        got = await c.get(wire.WALL_DATA, params={"token": w.token})
        assert got.status == 200 and await got.json() == w.figures
        page = await c.get(wire.WALL, params={"token": w.token})
        body = await page.text()
        assert page.status == 200 and 'src="/wall/wall.js"' in body and "<script>" not in body
        assert '"paused": "示忙"' in body and 'content="120"' in body       # the words and the red threshold
        for r in (page, got):
            assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
            assert (r.headers["Referrer-Policy"], r.headers["X-Frame-Options"], r.headers["Cache-Control"]) == \
                ("no-referrer", "DENY", "no-store")
        # the display token is no session: every other route refuses it, as a bearer or in the query
        for route in (wire.BOARD, wire.TICKETS, wire.ME, wire.AGENTS):
            assert (await c.get(route, headers={"Authorization": f"Bearer {w.token}"})).status == 401, route
            assert (await c.get(route, params={"token": w.token})).status == 401, route
        assert (await c.get(wire.WS, params={"token": w.token})).status == 401
        # and a session (a team lead's) is no display token
        assert (await c.get(wire.ME, headers={"Authorization": f"Bearer {SESSION}"})).status == 200
        for route in wire.DISPLAY_ROUTES:
            assert (await c.get(route, params={"token": SESSION})).status == 401, route
            assert (await c.get(route, headers={"Authorization": f"Bearer {SESSION}"})).status == 401, route
        # the page's script and style hold no figure: no token needed
        for asset in wire.WALL_ASSETS:
            got = await c.get(asset)
            assert got.status == 200 and got.headers["Cache-Control"] == "no-store", asset
        assert (await c.get("/wall/other.js")).status == 401
        with w.sessions() as db:
            assert [t["last_used_at"] for t in list_tokens(db)] == [NOW.isoformat()]    # the screen was seen


async def test_a_revoked_token_is_refused_and_the_page_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(displays, "CACHE_S", 0.0)
    async with wall_api(tmp_path) as w:
        with w.sessions() as db, db.begin():
            revoke_token(db, "大厅大屏", NOW)
        page = await w.client.get(wire.WALL, params={"token": w.token})
        assert page.status == 401 and "已被吊销" in await page.text()
        got = await w.client.get(wire.WALL_DATA, params={"token": w.token})
        assert got.status == 401 and (await got.json())["reason"] == "revoked"
        assert (await w.client.get(wire.WALL_EVENTS, params={"token": w.token})).status == 401
        for bad, reason in (("", "missing"), ("not-a-token", "unknown"), ("x" * 500, "unknown")):
            got = await w.client.get(wire.WALL_DATA, params={"token": bad})
            assert got.status == 401 and (await got.json())["reason"] == reason, bad


async def test_failed_tokens_are_limited_per_address_like_logins(tmp_path):
    async with wall_api(tmp_path) as w:
        limit = w.svc.settings.login_failures_per_address
        answers = [(await w.client.get(wire.WALL_DATA, params={"token": f"guess-{i}"})).status for i in range(limit + 1)]
        assert answers == [401] * limit + [429]
        # the address is held off, even with the right token, until the window passes
        assert (await w.client.get(wire.WALL_DATA, params={"token": w.token})).status == 429
        page = await w.client.get(wire.WALL, params={"token": w.token})
        assert page.status == 429 and "次数过多" in await page.text()


async def test_the_stream_sends_the_figures_then_each_push_and_ends_when_the_token_is_revoked(tmp_path, monkeypatch):
    monkeypatch.setattr(wall_routes, "REVOKE_CHECK_S", 0.2)
    async with wall_api(tmp_path) as w:
        resp = await w.client.get(wire.WALL_EVENTS, params={"token": w.token})
        assert resp.status == 200 and resp.content_type == "text/event-stream"

        async def event() -> dict:
            lines = []
            while not lines or lines[-1] != "":
                lines.append((await asyncio.wait_for(resp.content.readline(), 5)).decode().rstrip("\n"))
            assert lines[0] == "event: wall"
            return json.loads(lines[1].removeprefix("data: "))

        assert await event() == w.figures
        await w.svc.hub.push_displays(sample_wall(waiting=9))
        assert (await event())["summary"]["waiting"] == 9
        with w.sessions() as db, db.begin():
            revoke_token(db, "大厅大屏", NOW)
        assert await asyncio.wait_for(resp.content.read(), 5) == b""      # the stream ended
        assert not w.svc.hub.displays
        # an open stream does not hold the service's shutdown (aiohttp would wait a minute for it)
        again = await w.client.get(wire.WALL_EVENTS, params={"token": w.token})
        assert again.status == 200 and w.svc.hub.displays
        started = asyncio.get_running_loop().time()
        await w.client.close()
        assert asyncio.get_running_loop().time() - started < 5 and not w.svc.hub.displays


def test_display_tokens_are_named_listed_without_the_token_revoked_and_audited(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db, db.begin():
        row, token = create_token(db, "大厅大屏", NOW)
        assert db.scalar(select(DisplayToken.token_hash)) == token_hash(token) and len(token) >= 40
        for bad in ("", "  ", "123", "a\x1b[2J", "x" * 65, "大厅大屏"):
            with pytest.raises(DisplayTokenError):
                create_token(db, bad, NOW)
        create_token(db, "调度室", NOW)
        listed = list_tokens(db)
        assert [r["name"] for r in listed] == ["大厅大屏", "调度室"] and not [r for r in listed if token in str(r)]
        assert not [r for r in listed if token_hash(token) in json.dumps(r)]
        revoke_token(db, str(row.id), NOW)
        with pytest.raises(DisplayTokenError):
            revoke_token(db, "大厅大屏", NOW)                            # already revoked
        create_token(db, "大厅大屏", NOW)                                 # the name is free again
        audit = [(a.action, a.object_id) for a in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert audit == [("display_token_create", "1"), ("display_token_create", "2"), ("display_token_revoke", "1"),
                     ("display_token_create", "3")]
    engine.dispose()


def test_the_display_token_commands(tmp_path, monkeypatch):
    from hotline.cli import app
    monkeypatch.setenv("HOTLINE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HOTLINE_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    migrate(make_engine(f"sqlite:///{tmp_path / 'cli.db'}"))
    run = CliRunner().invoke
    got = run(app, ["display-token", "create", "大厅大屏", "--json"])
    assert got.exit_code == 0, got.output
    made = json.loads(got.output)
    assert made["name"] == "大厅大屏" and made["path"] == f"{wire.WALL}?token={made['token']}"
    got = run(app, ["display-token", "create", "调度室"])
    assert got.exit_code == 0 and "/wall?token=" in got.output and "shown this once" in got.output
    listed = run(app, ["display-token", "list", "--json"])
    assert made["token"] not in listed.output and [r["name"] for r in json.loads(listed.output)] == ["大厅大屏", "调度室"]
    assert run(app, ["display-token", "revoke", "大厅大屏"]).exit_code == 0
    got = run(app, ["display-token", "revoke", "大厅大屏"])
    assert got.exit_code == 1 and "no display token" in got.output
    assert "已吊销" in run(app, ["display-token", "list"]).output


# ---------------------------------------------------------- headless Chromium --

async def test_the_wall_renders_live_figures_in_headless_chromium(tmp_path):
    async with wall_api(tmp_path) as w, Chromium(w.url(), tmp_path / "chromium") as page:
        await page.until("the first figures", lambda: _is(page, "waiting", "7"))
        assert await page.text("service-level") == "86.2" and await page.text("answered") == "212"
        assert await page.text("clock") in ("10:15:00", "10:15:01", "10:15:02")        # the hotline's clock
        assert await page.text("overdue-repairs") == "4" and await page.text("open-complaints") == "2"
        agents = await page.text("agents")
        assert "空闲3" in agents and "通话中9" in agents and "话机未注册0" in agents
        assert "铁西区 兴华北街 3号楼6 件" in await page.text("hot-spots")
        alerts = await page.text("alerts")
        assert "等待过长" in alerts and "集中报修" in alerts and "10:13" in alerts
        assert "和平区 幸福里小区" in await page.text("outages") and "已登记 17 户" in await page.text("outages")
        # the longest wait counts on between pushes (135 s at the push), red past the alert's threshold
        first = await page.text("longest-wait")
        assert re.fullmatch(r"02:1[5-9]", first), first
        await page.until("the longest wait counting", lambda: _differs(page, "longest-wait", first), timeout=3)
        assert await page.js("document.getElementById('longest-tile').classList.contains('over')")
        assert await page.js("document.getElementById('status').hidden")
        # a push through the hub shows at once
        await w.svc.hub.push_displays(sample_wall(waiting=12, answered_today=214, longest_wait_s=20,
                                                  agents_by_state={"free": 0, "talking": 14, "paused": 2}))
        await page.until("the pushed figures", lambda: _is(page, "answered", "214"))
        assert await page.text("waiting") == "12"
        await page.screenshot(tmp_path / "pushed.png")
        # the screenshot of the README: the first figures again
        w.figures = sample_wall()
        await w.svc.hub.push_displays(w.figures)
        await page.until("the README's figures", lambda: _is(page, "waiting", "7"))
        await page.screenshot(SCREENSHOT)
        out = subprocess.run(["file", str(SCREENSHOT)], capture_output=True, text=True).stdout
        assert "1920 x 1080" in out, out
        # no agent's name and no phone number on the wall
        body = await page.js("document.body.innerText")
        assert "李班长" not in body and not re.search(r"1\d{2}\*{4}\d{4}|1\d{10}", body)
        # the hotline gone: the page says it reconnects
        await w.client.close()
        await page.until("the reconnecting notice", lambda: page.js(
            "!document.getElementById('status').hidden && document.getElementById('status').textContent"))
        assert await page.text("status") == "连接中断,正在重连"


async def test_a_revoked_display_shows_that_it_was_revoked(tmp_path, monkeypatch):
    monkeypatch.setattr(wall_routes, "REVOKE_CHECK_S", 0.2)
    monkeypatch.setattr(displays, "CACHE_S", 0.0)
    async with wall_api(tmp_path) as w, Chromium(w.url(), tmp_path / "chromium") as page:
        await page.until("the first figures", lambda: _is(page, "waiting", "7"))
        with w.sessions() as db, db.begin():
            revoke_token(db, "大厅大屏", NOW)
        await page.until("the revoked notice", lambda: _is(page, "refused-message", "此大屏令牌已被吊销,请联系管理员"))


async def _is(page: Chromium, element_id: str, value: str) -> bool:
    return await page.text(element_id) == value


async def _differs(page: Chromium, element_id: str, value: str) -> bool:
    return await page.text(element_id) != value


def test_the_wall_shows_no_agents_name_and_no_number():
    board = copy.deepcopy(wire.SAMPLE_BOARD)
    board["alerts"].append({**wire.SAMPLE_ALERT, "id": 4, "kind": "hot_spot", "subject": "铁西区/兴华北街/1002",
                            "message": "铁西区/兴华北街/1002 集中报修 4 起无暖", "acked_by": "1101", "ack_note": "已告知王强"})
    wall = displays.wall_view(board)
    assert set(wall) == set(wire.SAMPLE_WALL) and set(wall["summary"]) == set(wire.SAMPLE_WALL["summary"])
    assert [a["message"] for a in wall["alerts"]] == ["座席 小休 已 41 分钟(上限 15 分钟)",
                                                      "铁西区/兴华北街/1002 集中报修 4 起无暖"]   # an address keeps its digits
    text = json.dumps(wall, ensure_ascii=False)
    for person in ("王强", "张丽", "1101", "135****0001", "139****5678", "declared_by", "ack_note", "acked_by"):
        assert person not in text, person
