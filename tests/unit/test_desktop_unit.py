"""Widget logic of the agent desktop, without a hotline server (pytest-qt, offscreen)."""
from __future__ import annotations

import copy
import pathlib
import os
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HOTLINE_NULL_AUDIO", "1")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from desktop.models.tables import HistoryModel, SearchResultsModel  # noqa: E402
from desktop.services.api import AgentApiClient  # noqa: E402
from desktop.services.audio import AudioScratch  # noqa: E402
from desktop.services.events import ws_url_for  # noqa: E402
from desktop.services.softphone import caller_from_uri  # noqa: E402
from desktop.state.desk import DeskState  # noqa: E402
from desktop.widgets.main_window import AgentWindow  # noqa: E402
from desktop.widgets.ticket_form import TicketFormPanel  # noqa: E402
from common import wire  # noqa: E402

# the shape hotline.service.desk.DeskService.pop pushes (account_card / ticket_brief / ticket_full)
POP = {
    "type": "screen_pop", "uniqueid": "1700000000.7", "caller": "13912345678",
    "account": {"account_no": "2024000137", "name": "王秀兰", "address": "铁西区 兴华北街 12号楼 3单元 502",
                "district": "铁西区", "phones": ["13912345678", "024-25671234"],
                "station": {"code": "TX", "name": "铁西维修站", "phone": "024-25670000"}},
    "history": [
        {"number": "2611010007", "state": "closed", "category": "no_heat",
         "created_at": "2026-11-01T08:12:00", "station": "铁西维修站", "callback_requested": False},
        {"number": "2512030031", "state": "new", "category": "leak",
         "created_at": "2025-12-03T19:40:00", "station": None, "callback_requested": True}],
    "ticket": {"number": "2611230012", "state": "draft", "category": "leak", "account_no": "2024000137",
               "caller_number": "13912345678", "callback_number": "13800001111",
               "address": "铁西区 兴华北街 12号楼 3单元 502", "name": "王秀兰", "description": "",
               "priority": 0, "has_voice": True, "station_code": None, "station": None,
               "created_at": "2026-11-23T10:01:00", "callback_requested": False,
               "confirmed": {"problem": False, "address": False, "name": False, "phone": False},
               "draft_form": None},
    "ivr": {"category": "leak", "callback_number": "13800001111",
            "voice_url": "/api/tickets/2611230012/voice"},
}
STATIONS = [{"code": "HP", "name": "和平维修站", "phone": "1", "districts": ["和平区"]},
            {"code": "TX", "name": "铁西维修站", "phone": "2", "districts": ["铁西区"]}]


def test_desktop_never_imports_db_or_ami():
    """The desk installs on an agent PC alone: loading every module of it pulls in no server library."""
    code = ("import pkgutil, sys, desktop\n"
            "names = [m.name for m in pkgutil.walk_packages(desktop.__path__, 'desktop.') if m.name != 'desktop.__main__']\n"
            "for n in names: __import__(n)\n"
            "print(len(names), sorted({m.split('.')[0] for m in sys.modules} & "
            "{'sqlalchemy', 'panoramisk', 'db', 'ivr', 'pydantic', 'typer', 'alembic', 'psycopg'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    loaded, server_libs = out.stdout.split(" ", 1)
    assert int(loaded) >= 20, out.stdout            # all of it was loaded: services, state, models, widgets
    assert server_libs.strip() == "[]"


@pytest.fixture
def window(qtbot):
    api = AgentApiClient("http://127.0.0.1:9")     # nothing listens: no server in these tests
    w = AgentWindow(api=api)
    qtbot.addWidget(w)
    w.form.set_stations(STATIONS)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.form.autosave_timer.stop()


def test_save_disabled_until_all_four_read_backs(window, qtbot):
    form = window.form
    window.desk.on_screen_pop(copy.deepcopy(POP))
    assert form.number == "2611230012"
    assert not form.save_button.isEnabled()
    boxes = [form.chk_problem, form.chk_address, form.chk_name, form.chk_phone]
    for i, box in enumerate(boxes):
        assert not form.save_button.isEnabled(), f"enabled after only {i} boxes"
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
        assert box.isChecked()
    assert form.save_button.isEnabled()
    # unticking one disables it again
    qtbot.mouseClick(form.chk_name, Qt.MouseButton.LeftButton)
    assert not form.save_button.isEnabled()
    form.chk_name.setChecked(True)
    assert form.save_button.isEnabled()
    # editing a confirmed field needs a new read-back
    qtbot.keyClicks(form.address, "A")
    assert not form.chk_address.isChecked()
    assert not form.save_button.isEnabled()


def test_save_emits_form(window, qtbot):
    form = window.form
    window.desk.on_screen_pop(copy.deepcopy(POP))
    for box in form.checks():
        box.setChecked(True)
    with qtbot.waitSignal(form.save_requested, timeout=1000) as sig:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    number, body = sig.args
    assert number == "2611230012"
    assert body["category"] == "leak" and body["station_code"] == "TX"
    assert body["confirmed_problem"] and body["confirmed_address"] and body["confirmed_name"] \
        and body["confirmed_phone"]
    assert body["account_no"] == "2024000137"
    assert set(body) == set(wire.FORM_FIELDS)       # the wire's form, no more, no less
    assert not form.save_button.isEnabled()       # while saving
    form.save_finished(False, "请先跟读确认: 地址")
    assert form.save_button.isEnabled()
    assert "地址" in form.save_hint.text()


def test_over_long_notes_keep_the_text_but_cannot_be_saved(window):
    form = window.form
    window.desk.on_screen_pop(copy.deepcopy(POP))
    for box in form.checks():
        box.setChecked(True)
    odd = "暖气\t漏水 😀 <b>&amp;</b> ' OR 1=1 --\n"
    form.notes.setPlainText(odd * 200)                  # 6 000+ characters
    assert not form.save_button.isEnabled()
    assert str(wire.NOTES_MAX) in form.save_hint.text()
    assert form.notes.toPlainText() == odd * 200       # nothing the agent typed is thrown away
    form.notes.setPlainText("x" * wire.NOTES_MAX)      # the wire's limit, exactly
    assert form.save_button.isEnabled()
    form.notes.setPlainText("x" * (wire.NOTES_MAX + 1))
    assert not form.save_button.isEnabled()
    form.notes.setPlainText(odd)
    assert form.save_button.isEnabled()
    assert form.form_dict()["notes"] == odd


def test_a_refused_sip_registration_is_told_to_the_agent(window):
    window.on_sip_registered(False, 403)
    assert "403" in window.sip_label.text() and "被拒绝" in window.status_line.text()


def test_no_ticket_no_save(qtbot):
    form = TicketFormPanel()
    qtbot.addWidget(form)
    for box in form.checks():
        box.setChecked(True)
    assert not form.save_button.isEnabled()
    form.autosave_timer.stop()


def test_screen_pop_fills_card_history_and_form(window):
    window.desk.on_screen_pop(copy.deepcopy(POP))
    card = window.card
    assert card.account_no.text() == "2024000137"
    assert card.name.text() == "王秀兰"
    assert "兴华北街" in card.address.text()
    assert "024-25671234" in card.phones.text()
    assert "铁西维修站" in card.station.text()
    assert card.ivr_category.text() == "漏水"
    assert card.ivr_callback.text() == "13800001111"
    assert card.play_button.isEnabled()
    assert window.history_model.rowCount() == 2
    form = window.form
    assert form.category.currentData() == "leak"
    assert form.address.text() == POP["ticket"]["address"]
    assert form.name.text() == "王秀兰"
    assert form.phone.text() == "13800001111"
    assert form.station.currentData() == "TX"        # suggested from the account's district
    assert form.station_hint.text() == "按地址建议"
    form.station.setCurrentIndex(form.station.findData("HP"))   # changeable, with a warning
    assert form.station_hint.text() == "与建议不同"
    assert not any(b.isChecked() for b in form.checks())
    assert "王秀兰" in window.softphone.caller.text()


def test_unknown_caller_gets_empty_card_and_search(window, qtbot):
    pop = {"type": "screen_pop", "uniqueid": "x.1", "caller": "02412345678", "account": None,
           "history": [], "ticket": {**POP["ticket"], "account_no": None, "address": "", "name": "", "callback_number": "",
                                     "category": None},
           "ivr": {"category": None, "callback_number": "", "voice_url": None}}
    window.desk.on_screen_pop(pop)
    card = window.card
    assert card.account_no.text() == ""
    assert "02412345678" in card.banner.text()
    assert card.results.isVisibleTo(window)
    assert not card.play_button.isEnabled()
    assert window.history_model.rowCount() == 0
    assert window.form.phone.text() == "02412345678"     # the caller id as call-back number
    card.search_box.setEnabled(True)
    card.search_box.setText("兴华")
    with qtbot.waitSignal(card.search_requested, timeout=1000) as sig:
        card.search_button.setEnabled(True)
        qtbot.mouseClick(card.search_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["兴华"]
    card.show_results([POP["account"]])
    assert window.results_model.rowCount() == 1
    window.on_account_chosen(POP["account"])
    card.show_account(POP["account"])
    assert card.account_no.text() == "2024000137"
    assert window.form.account_no == "2024000137"
    assert window.form.address.text().startswith("铁西区")
    assert window.form.station.currentData() == "TX"


def test_draft_form_restored_from_pop(window):
    pop = copy.deepcopy(POP)
    pop["ticket"]["draft_form"] = {"category": "noise", "address": "改过的地址", "name": "王秀兰",
                                   "callback_number": "139", "confirmed_problem": True,
                                   "confirmed_address": False, "confirmed_name": True, "confirmed_phone": True,
                                   "station_code": "HP", "priority": 90, "notes": "夜里响",
                                   "account_no": "2024000137", "_by": "1001", "_at": "2026-11-23T10:02:00"}
    window.desk.on_screen_pop(pop)
    f = window.form
    assert f.category.currentData() == "noise"
    assert f.address.text() == "改过的地址"
    assert f.chk_problem.isChecked() and not f.chk_address.isChecked()
    assert f.station.currentData() == "HP"
    assert f.priority.currentData() == 90
    assert f.notes.toPlainText() == "夜里响"
    assert not f.dirty


def test_autosave_only_when_changed(window, qtbot):
    f = window.form
    f.autosave_timer.stop()
    window.desk.on_screen_pop(copy.deepcopy(POP))
    sent = []
    f.autosave_requested.connect(lambda n, d: sent.append((n, d)))
    f.flush_autosave()
    assert sent == []
    qtbot.keyClicks(f.notes, "leak 3F")
    assert f.dirty
    f.flush_autosave()
    assert len(sent) == 1 and sent[0][0] == "2611230012" and sent[0][1]["notes"] == "leak 3F"
    f.flush_autosave()
    assert len(sent) == 1
    f.autosave_failed("2611230012", "服务器内部错误")
    assert f.dirty


def test_history_model():
    m = HistoryModel()
    assert m.rowCount() == 0
    m.set_rows(POP["history"])
    assert m.rowCount() == 2 and m.columnCount() == 6
    assert m.data(m.index(0, 0)) == "2611010007"
    assert m.data(m.index(0, 1)) == "2026-11-01 08:12"
    assert m.data(m.index(0, 2)) == "暖气不热"
    assert m.data(m.index(0, 3)) == "已关闭"
    assert m.data(m.index(1, 3)) == "新建"
    assert m.data(m.index(1, 4)) == ""
    assert m.data(m.index(1, 5)) == "是"
    assert m.data(m.index(0, 0), Qt.ItemDataRole.UserRole)["number"] == "2611010007"
    assert m.headerData(0, Qt.Orientation.Horizontal) == "单号"
    assert m.data(m.index(5, 0)) is None
    assert m.data(m.index(1, 3), Qt.ItemDataRole.ForegroundRole) is not None   # still open


def test_search_results_model():
    m = SearchResultsModel()
    m.set_rows([POP["account"], {"account_no": "9", "name": "张", "address": "和平区", "phones": [],
                                 "station": None}, "junk"])
    assert m.rowCount() == 2 and m.columnCount() == 5
    assert m.data(m.index(0, 0)) == "2024000137"
    assert m.data(m.index(0, 3)) == "13912345678、024-25671234"
    assert m.data(m.index(0, 4)) == "铁西维修站"
    assert m.data(m.index(1, 4)) == ""
    assert m.row_dict(1)["name"] == "张"
    m.clear()
    assert m.rowCount() == 0


def test_agent_state_and_wrapup(window):
    window.desk.set_agent_state({"member": True, "paused": True, "reason": "用餐", "in_call": False})
    assert window.queue_button.isChecked() and window.queue_button.text() == "签出队列"
    assert window.pause_button.isChecked() and window.pause_button.text() == "示闲"
    assert window.pause_reason.currentData() == "用餐"
    window.phone.call_state.emit("ringing")
    assert window.softphone.answer_button.isEnabled() and not window.softphone.hangup_button.isEnabled()
    window.phone.call_state.emit("talking")
    assert window.softphone.recording.isVisibleTo(window)
    assert window.softphone.hangup_button.isEnabled()
    window.phone.call_state.emit("ended")
    window.phone.call_state.emit("idle")
    assert not window.softphone.recording.isVisibleTo(window)
    assert not window.desk.in_wrapup                  # the server starts the wrap-up, not the phone
    window.desk.set_agent_state({"member": True, "paused": True, "reason": wire.WRAPUP_REASON, "in_call": False,
                                 "wrapup": True, "wrapup_left_s": 25})
    assert window.desk.in_wrapup and window.wrapup_label.text() == "话后整理 剩余 00:25"
    assert window.wrapup_button.isVisibleTo(window) and "话后整理" in window.state_label.text()
    window.desk.set_agent_state({"member": True, "paused": False, "reason": "", "in_call": False, "wrapup": False})
    assert window.wrapup_label.text() == "" and not window.wrapup_button.isVisibleTo(window)


def test_errors_shown_not_raised(window, qtbot):
    with qtbot.waitSignal(window.api.error, timeout=10000) as sig:
        window.api.stations()                          # nothing listens on port 9
    assert sig.args[0]
    assert sig.args[0] in window.status_line.text()


def test_helpers():
    assert caller_from_uri('"Zhang" <sip:13900001111@10.0.0.1>') == ("13900001111", "Zhang")
    assert caller_from_uri("<sip:1001@h>")[0] == "1001"
    assert ws_url_for("http://h:8080", "a b") == "ws://h:8080/api/ws?token=a+b"


def test_previous_unsaved_form_kept_in_drafts(window):
    window.desk.on_screen_pop(copy.deepcopy(POP))
    window.form.notes.setPlainText("first call notes")
    second = copy.deepcopy(POP)
    second["ticket"]["number"] = "2611230013"
    window.desk.on_screen_pop(second)
    combo = window.form.drafts
    assert window.form.number == "2611230013"
    assert combo.count() == 2 and combo.itemData(1)["number"] == "2611230012"
    combo.activated.emit(1)
    assert window.form.number == "2611230012"
    assert window.form.notes.toPlainText() == "first call notes"


# ------------------------------------------------- the client, fake server --

class FakeAgentApi:
    """A tiny aiohttp stand-in for hotline.service.api (same routes and JSON shapes) in a thread."""

    def __init__(self):
        import asyncio
        import threading
        self.loop = asyncio.new_event_loop()
        self.sockets = set()
        self.drafts = []
        self.port = None
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait(10)

    def _run(self, ready):
        import asyncio
        from aiohttp import web
        asyncio.set_event_loop(self.loop)

        async def login(request):
            body = await request.json()
            if body.get("password") != "pw":
                return web.json_response({"error": "工号或密码错误"}, status=401)
            return web.json_response({"token": "tok-1", "expires_at": "2026-11-23T22:00:00",
                                      "user": {"agent_no": body["agent_no"], "name": "李娜", "role": "agent"},
                                      "sip": {}, "session_id": 1})

        def authed(request):
            return request.headers.get("Authorization") == "Bearer tok-1" or request.query.get("token") == "tok-1"

        async def ws(request):
            if not authed(request):
                return web.json_response({"error": "登录无效，请重新登录"}, status=401)
            sock = web.WebSocketResponse()
            await sock.prepare(request)
            self.sockets.add(sock)
            await sock.send_json({"type": "hello", "agent_no": "1001", "ami": True,
                                  "agent_state": {"member": False, "paused": False}})
            async for _msg in sock:
                pass
            self.sockets.discard(sock)
            return sock

        async def stations(request):
            return web.json_response({"error": "无权执行此操作"}, status=403)

        async def draft(request):
            if not authed(request):
                return web.json_response({"error": "未登录"}, status=401)
            self.drafts.append((request.match_info["number"], await request.json()))
            return web.json_response({"ok": True})

        app = web.Application()
        app.router.add_post("/api/login", login)
        app.router.add_get("/api/ws", ws)
        app.router.add_get("/api/stations", stations)
        app.router.add_put("/api/tickets/{number}/draft", draft)
        runner = web.AppRunner(app)
        self.loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self.runner = runner
        ready.set()
        self.loop.run_forever()

    def push(self, event):
        import asyncio

        async def go():
            for s in list(self.sockets):
                await s.send_json(event)
        asyncio.run_coroutine_threadsafe(go(), self.loop).result(5)

    def drop_sockets(self):
        """What a service restart looks like to the desktop."""
        import asyncio

        async def go():
            for s in list(self.sockets):
                await s.close()
        asyncio.run_coroutine_threadsafe(go(), self.loop).result(5)

    def close(self):
        import asyncio
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture
def fake_api():
    srv = FakeAgentApi()
    yield srv
    srv.close()


def test_client_login_events_errors_and_reconnect(qtbot, fake_api):
    client = AgentApiClient(f"http://127.0.0.1:{fake_api.port}")
    try:
        with qtbot.waitSignal(client.login_failed, timeout=5000) as bad:
            client.login("1001", "nope")
        assert bad.args == ["工号或密码错误"]
        hellos = []
        client.event.connect(lambda e: hellos.append(e) if e.get("type") == "hello" else None)
        with qtbot.waitSignal(client.connection_changed, timeout=5000,
                              check_params_cb=lambda up: up) as _up:
            with qtbot.waitSignal(client.logged_in, timeout=5000) as ok:
                client.login("1001", "pw")
        assert ok.args[0]["token"] == "tok-1" and client.token == "tok-1"
        qtbot.waitUntil(lambda: len(hellos) == 1, timeout=5000)
        with qtbot.waitSignal(client.event, timeout=5000) as ev:
            fake_api.push({"type": "screen_pop", "uniqueid": "u1", "caller": "139", "account": None,
                           "history": [], "ticket": None, "ivr": {}})
        assert ev.args[0]["type"] == "screen_pop"
        with qtbot.waitSignal(client.error, timeout=5000) as err:
            client.stations()
        assert err.args == ["无权执行此操作"]
        with qtbot.waitSignal(client.draft_saved, timeout=5000):
            client.autosave("2611230001", {"notes": "x"})
        assert fake_api.drafts == [("2611230001", {"notes": "x"})]
        # the service restarts: the socket drops, the client comes back with the same token
        fake_api.drop_sockets()
        qtbot.waitUntil(lambda: len(hellos) == 2, timeout=10000)
        assert client.ws_connected
    finally:
        client.shutdown()


# ------------------------------------------------------------- security (#11) --

def test_the_pause_reasons_are_the_servers_list_from_the_login_answer(window):
    window.on_logged_in({"user": {"agent_no": "1001", "name": "演示", "role": "agent"},
                         "pause_reasons": ["用餐", "质检辅导"]})
    items = [window.pause_reason.itemData(i) for i in range(window.pause_reason.count())]
    assert items == ["用餐", "质检辅导"]          # sent back exactly as the server listed them


def test_played_audio_leaves_nothing_behind_in_the_temp_folder(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    (tmp_path / f"{AudioScratch.PREFIX}999999-old").mkdir()          # left by a run that died
    scratch = AudioScratch()
    assert not any(tmp_path.iterdir())
    first = scratch.write(b"RIFF1", "rec")
    assert os.stat(first).st_mode & 0o077 == 0 and open(first, "rb").read() == b"RIFF1"
    second = scratch.write(b"RIFF2", "voice")
    assert not os.path.exists(first) and os.path.exists(second)       # one file at a time
    scratch.clear()                                                    # at exit
    assert not any(tmp_path.iterdir())


def test_the_committed_translation_is_compiled_from_its_source(tmp_path):
    """The .qm ships in the package (an agent PC has no lrelease step): it must match the .ts."""
    i18n = pathlib.Path(__file__).resolve().parents[2] / "desktop" / "i18n"
    lrelease = pathlib.Path(sys.executable).with_name("pyside6-lrelease")
    for ts in i18n.glob("*.ts"):
        out = tmp_path / ts.with_suffix(".qm").name
        subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(out)], check=True, timeout=60)
        assert out.read_bytes() == ts.with_suffix(".qm").read_bytes(), f"recompile {ts.name}"


# ------------------------------------------- the desk's state, no widget (#12) --

class Recorder:
    """Every signal of a DeskState, in order: [(name, args), ...]."""

    SIGNALS = ("user_changed", "agent_state_changed", "pop_changed", "caller_id", "alert", "wrapup_changed",
               "wrapup_left", "rang_out", "drafts_changed", "drafts_offered", "caller_gave_up", "telephony_down",
               "telephony_restarted", "script_wanted")

    def __init__(self, desk):
        self.seen: list[tuple[str, tuple]] = []
        for name in self.SIGNALS:
            getattr(desk, name).connect(lambda *a, name=name: self.seen.append((name, a)))

    def names(self) -> list[str]:
        return [n for n, _a in self.seen]

    def last(self, name: str):
        return [a for n, a in self.seen if n == name][-1]

    def clear(self) -> None:
        self.seen.clear()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def desk(qapp):
    clock = Clock()
    d = DeskState(clock=clock)
    d.clock = clock
    yield d
    d.set_agent_state({"wrapup": False})


def test_the_desk_state_needs_no_widget():
    code = "import sys, desktop.state.desk; print('PySide6.QtWidgets' in sys.modules, 'PySide6.QtGui' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


WRAPUP = {"member": True, "paused": True, "reason": wire.WRAPUP_REASON, "in_call": False, "wrapup": True}
AVAILABLE = {"member": True, "paused": False, "reason": "", "in_call": False, "wrapup": False, "wrapup_left_s": 0}


def test_a_call_rings_pops_is_answered_ends_and_the_servers_wrapup_counts_down(desk, qtbot):
    rec = Recorder(desk)
    pop = copy.deepcopy(wire.SAMPLE_POP)
    desk.on_event(pop)                                        # AgentCalled: the pop comes first
    assert desk.pop == pop and desk.pop_live
    assert rec.names() == ["pop_changed", "script_wanted", "alert"]
    assert rec.last("pop_changed") == (pop,)
    rec.clear()
    desk.on_incoming({"number": "13912345678", "name": ""})   # then the phone rings
    desk.on_call_state("ringing")
    assert rec.names() == ["alert"]                           # the pop already named the caller
    desk.on_call_state("talking")
    desk.on_event({"type": wire.EV_CALL_ANSWERED, "uniqueid": pop["uniqueid"]})
    desk.on_call_state("ended")                               # the resident hangs up
    desk.on_event({"type": wire.EV_CALL_ENDED, "uniqueid": pop["uniqueid"], "answered": True})
    assert not desk.pop_live and not desk.in_wrapup           # the desk runs no timer of its own
    assert "caller_gave_up" not in rec.names()
    # the service paused the agent 话后整理 with 30 s to run: the desk counts that down
    desk.on_event({"type": wire.EV_AGENT_STATE, "agent_state": {**WRAPUP, "wrapup_left_s": 30}})
    desk.set_agent_state({**WRAPUP, "wrapup_left_s": 30})     # (the API client hands it over)
    assert desk.in_wrapup and rec.last("wrapup_changed") == (True,) and rec.last("wrapup_left") == (30,)
    desk.clock.now += 12
    with qtbot.waitSignal(desk.wrapup_left, timeout=3000) as tick:
        pass
    assert tick.args == [18] and desk.wrapup_seconds_left() == 18
    desk.set_agent_state({**WRAPUP, "wrapup_left_s": 17})     # a later push re-syncs, no second start
    assert [a for n, a in rec.seen if n == "wrapup_changed"] == [(True,)] and desk.wrapup_seconds_left() == 17
    # saving the ticket clears its draft; the wrap-up runs on until the server ends it
    desk.stash({"number": pop["ticket"]["number"], "address": "", "draft_form": {}})
    desk.ticket_saved({"number": pop["ticket"]["number"]})
    assert desk.in_wrapup and desk.drafts == []
    rec.clear()
    desk.set_agent_state(AVAILABLE)                           # timer ran out there, or 整理完成
    assert not desk.in_wrapup and rec.names() == ["agent_state_changed", "wrapup_changed"]
    assert rec.last("wrapup_changed") == (False,)
    desk.set_agent_state(AVAILABLE)                           # over already: says nothing more
    assert rec.names() == ["agent_state_changed", "wrapup_changed", "agent_state_changed"]


def test_a_call_that_rang_out_here_tells_the_agent_they_were_paused(desk):
    rec = Recorder(desk)
    desk.on_event(copy.deepcopy(wire.SAMPLE_POP))
    desk.on_event({"type": wire.EV_RING_NO_ANSWER, "uniqueid": wire.SAMPLE_POP["uniqueid"],
                   "agent_state": {"member": True, "paused": True, "reason": wire.NO_ANSWER_REASON}})
    assert "rang_out" in rec.names() and not desk.pop_live and not desk.in_wrapup


def test_a_caller_who_hangs_up_before_the_answer_keeps_the_draft_and_no_wrapup(desk):
    rec = Recorder(desk)
    desk.on_event(copy.deepcopy(wire.SAMPLE_POP))
    desk.on_event({"type": wire.EV_CALL_ENDED, "answered": False})
    assert "caller_gave_up" in rec.names() and not desk.in_wrapup and not desk.pop_live
    assert desk.pop["ticket"]["number"] == wire.SAMPLE_POP["ticket"]["number"]   # the form keeps it
    rec.clear()
    desk.on_incoming({"number": "02400000000"})               # no live pop: the SIP caller id names the caller
    assert rec.names() == ["caller_id", "alert"] and rec.last("caller_id") == ("02400000000",)


def test_a_pop_for_another_call_while_on_a_call_keeps_the_unsaved_form_in_the_drafts(desk):
    first = copy.deepcopy(wire.SAMPLE_POP)
    form = {"number": first["ticket"]["number"], "address": "铁西区", "account_no": "2024000137",
            "station_code": "TX", "draft_form": {"notes": "first call notes"}}
    order: list[str] = []
    desk.form_snapshot = lambda: form
    desk.flush_form = lambda: order.append("flush")
    desk.drafts_changed.connect(lambda d: order.append("stash"))
    desk.on_event(first)
    desk.on_call_state("talking")
    assert desk.drafts == [] and order == []                   # the form holds this pop's own ticket
    desk.on_event(copy.deepcopy(first))                        # the same pop again (fetched): nothing to keep
    assert desk.drafts == [] and order == []
    second = copy.deepcopy(wire.SAMPLE_POP)
    second["uniqueid"], second["ticket"]["number"] = "1700000001.43", "2611230013"
    desk.on_event(second)                                      # another call pops during this one
    assert order == ["flush", "stash"]                         # the typing is sent before the form moves on
    assert desk.drafts == [form] and desk.pop is second
    assert desk.talked                                         # still the first call's conversation
    desk.form_snapshot = lambda: {**form, "draft_form": {"notes": "more"}}   # the agent went back to it, typed on
    desk.on_event(copy.deepcopy(second))                       # kept again: one entry per ticket, the newest
    assert [(t["number"], t["draft_form"]["notes"]) for t in desk.drafts] == [(form["number"], "more")]
    desk.form_snapshot = lambda: None                          # a saved form is not kept
    desk.on_event(copy.deepcopy(first))
    assert len(desk.drafts) == 1 and order.count("flush") == 2


def test_drafts_left_by_the_last_session_are_offered_at_login(desk):
    rec = Recorder(desk)
    server = [{"number": "2611230007", "address": "和平区", "draft_form": {"notes": "a"}},
              {"number": "2611230009", "address": "", "draft_form": {"notes": "b"}}, "junk", {"address": "no number"}]
    desk.set_drafts(server)
    assert [t["number"] for t in desk.drafts] == ["2611230007", "2611230009"]
    assert rec.names() == ["drafts_changed", "drafts_offered"] and rec.last("drafts_offered") == (2,)
    desk.stash({"number": "2611230009", "address": "改", "draft_form": {"notes": "b2"}})   # reopened and stashed
    assert [(t["number"], t["draft_form"]["notes"]) for t in desk.drafts] == [("2611230007", "a"),
                                                                                ("2611230009", "b2")]
    rec.clear()
    desk.remove_draft("2611230001")                            # not in the list: nothing changes
    assert rec.names() == []
    desk.set_drafts([])                                        # none left: nothing offered
    assert rec.names() == ["drafts_changed"] and desk.drafts == []


def test_pushed_events_about_the_telephony(desk):
    rec = Recorder(desk)
    desk.on_event({"type": wire.EV_HELLO, "ami": True})
    assert rec.names() == ["script_wanted"]
    rec.clear()
    desk.on_event({"type": wire.EV_HELLO, "ami": False})
    assert rec.names() == ["telephony_down", "script_wanted"]
    rec.clear()
    desk.on_event({"type": wire.EV_TELEPHONY_RESTARTED})
    desk.set_agent_state("junk")
    desk.set_agent_state({"member": True, "paused": False})
    assert rec.names() == ["telephony_restarted", "agent_state_changed"] and desk.agent_state["member"]


def test_the_window_shows_offered_drafts_and_reopens_one(window):
    window.desk.set_drafts([{"number": "2611230007", "address": "和平区 南京街 1号", "category": "leak",
                             "draft_form": {"notes": "昨晚的草稿", "confirmed_problem": True}}])
    combo = window.form.drafts
    assert combo.isVisibleTo(window) and combo.count() == 2 and combo.itemText(0) == "未完成草稿 (1)"
    assert "1 张未保存的草稿" in window.status_line.text()
    combo.activated.emit(1)
    assert window.form.number == "2611230007" and window.form.notes.toPlainText() == "昨晚的草稿"
    assert window.form.chk_problem.isChecked() and combo.currentIndex() == 0
    window.desk.ticket_saved({"number": "2611230007"})
    assert combo.count() == 1 and not combo.isVisibleTo(window)


def test_a_new_ticket_on_the_call_takes_the_form_and_the_unsaved_one_waits_in_the_drafts(window, qtbot):
    form = window.form
    assert not form.new_button.isEnabled()                  # no call, nothing to attach a ticket to
    window.desk.on_screen_pop(copy.deepcopy(POP))
    assert form.new_button.isEnabled()
    form.notes.setPlainText("第一个问题")
    asked: list[str] = []
    window.api.new_ticket = asked.append                    # what the button asks the server for
    qtbot.mouseClick(form.new_button, Qt.MouseButton.LeftButton)
    assert asked == [POP["uniqueid"]]
    second = {**POP["ticket"], "number": "2611230013", "state": "draft", "category": None, "description": ""}
    window.on_ticket_created(second)
    assert form.number == "2611230013" and form.notes.toPlainText() == ""
    assert [d["number"] for d in window.desk.drafts] == ["2611230012"]
    assert window.desk.drafts[0]["draft_form"]["notes"] == "第一个问题"
