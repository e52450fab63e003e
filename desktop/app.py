"""Start the agent desk: ``python -m desktop.app [--api URL] [--lang en] [--agent 1001] [--screenshot FILE]``."""
from __future__ import annotations

import argparse
import copy
import logging
import os
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from desktop import sample
from desktop.services.api import AgentApiClient, default_api_url
from desktop.state.aftercall import TAB_BOARD, TAB_QA, TAB_TICKETS, TABS
from desktop.widgets.main_window import AgentWindow
from common import wire
from common.logs import setup_logging

I18N = Path(__file__).resolve().parent / "i18n"
log = logging.getLogger("desktop")

def load_translation(app: QApplication, lang: str) -> list[QTranslator]:
    """Load desktop/i18n/desktop_<lang>.qm, compiled from its .ts when the project is installed
    (scripts/install.sh runs pyside6-lrelease; tests check it is current) — never written here."""
    kept: list[QTranslator] = []
    if not lang or lang.startswith("zh"):
        return kept
    qm = I18N / f"desktop_{lang}.qm"
    t = QTranslator(app)
    if qm.exists() and t.load(str(qm)):
        app.installTranslator(t)
        kept.append(t)
    else:
        log.warning("no translation for %s", lang)
    qt = QTranslator(app)   # Qt's own dialogs (OK/Cancel)
    if qt.load(QLocale(lang), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        kept.append(qt)
    return kept


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="hotline-desk", description="大龙供暖报修热线 座席桌面")
    p.add_argument("--api", default=default_api_url(),
                   help="agent API base URL (default $HOTLINE_API_URL or http://127.0.0.1:8088, an installed server's port)")
    p.add_argument("--ca", metavar="FILE", default=os.environ.get("HOTLINE_API_CA") or None,
                   help="the hotline's TLS certificate to trust for an https:// API "
                        "(default $HOTLINE_API_CA; `hotline up --lan` prints where it is)")
    p.add_argument("--lang", default="", help="UI language: zh (default) or en")
    p.add_argument("--agent", default="", help="prefill the 工号 in the login dialog")
    p.add_argument("--screenshot", metavar="FILE", help="save a screenshot of the window after a delay and exit")
    p.add_argument("--delay", type=int, default=1500, help="screenshot delay in ms (default 1500)")
    p.add_argument("--sample", action="store_true",
                   help="show a sample screen pop without a server (layout, translations)")
    p.add_argument("--role", choices=wire.ROLES, default="agent",
                   help="with --sample: whose desk to show (team_lead/head/admin: all tabs; station: its tickets; "
                        "statistician: the 报表 tab)")
    p.add_argument("--tab", choices=TABS, default="",
                   help="with --sample: the tab to show (default: 工单 for supervisors and stations; "
                        "board: the 看板 of team leads, the head and admins)")
    p.add_argument("--null-audio", action="store_true", help="use pjsua2's null audio device (no headset)")
    return p.parse_args(argv)


def _install_excepthook(window_ref: list) -> None:
    """An unexpected exception in a slot is logged and shown, never a crash."""
    def hook(etype, value, tb):
        traceback.print_exception(etype, value, tb)
        w = window_ref[0] if window_ref else None
        if w is not None:
            try:
                w.show_error(f"内部错误: {value}")
            except Exception:
                pass
    sys.excepthook = hook


def show_sample(window: AgentWindow, agent_no: str, role: str = "agent", tab: str = "") -> None:
    """`--sample`: the wire's sample pop on a talking call, no server (layout and translations);
    with a supervisor's or a station's role also the after-call screens from the wire's samples."""
    if role in wire.REPORT_ONLY_ROLES:        # the statistician: the 报表 tab alone, no phone
        window.desk.set_user({"agent_no": agent_no, "name": "赵敏", "role": role})
        return
    if role == "station":
        window.desk.set_user(dict(wire.SAMPLE_STATION_USER))
    elif role in wire.SUPERVISOR_ROLES:
        window.desk.set_user({**sample.SUPERVISOR_USER, "role": role})
    else:
        window.desk.set_user({"agent_no": agent_no, "name": "李娜", "role": "agent"})
    window.tickets.set_stations(wire.SAMPLE_STATIONS)
    if role != "station":     # the worklists: agents' and supervisors'
        # an agent's list has no escalated entries (they are the team lead's): the server leaves them out
        window.worklists.set_callbacks([r for r in sample.callbacks() if role != "agent" or not r["escalated"]])
        window.worklists.set_surveys(sample.surveys())
        window.surveys.select_first()
        window.callbacks.table.selectRow(2 if role == "agent" else 3)   # the wire's entry: free to take
        window.surveys.attitude.setCurrentIndex(1)     # 满意, on an unpaid account: f shows
    if role != "agent":
        ac = window.aftercall
        rows = sample.tickets(wire.SAMPLE_STATION_USER["station_code"] if role == "station" else None)
        ac.set_tickets(rows)
        window.tickets.select_number(rows[0]["number"])   # offline: no detail comes, show the sample's
        ac.set_detail(sample.detail(rows[0]))
        if role != "station":
            ac.set_unconfirmed(sample.unconfirmed())    # 待确认 (n) on the tab and its filter
            ac.set_anomalies(sample.anomalies())
            ac.set_escalations(sample.escalations())
        window.show_tab(tab or TAB_TICKETS)
    elif tab:
        window.show_tab(tab)
    window.form.set_stations(wire.SAMPLE_STATIONS)
    window.script.set_script({**wire.SAMPLE_SCRIPT,
                              "opening": wire.SAMPLE_SCRIPT["opening"].replace("1001", agent_no)})
    window.desk.set_agent_state({"member": True, "paused": False, "in_call": True})
    window.desk.on_screen_pop(copy.deepcopy(wire.SAMPLE_POP))
    window.softphone.directory_wanted.disconnect()      # no server to ask who is free
    window.softphone.set_state("talking")
    if tab == TAB_QA:
        show_qa_sample(window)
    elif tab == TAB_BOARD:
        show_board_sample(window)


def show_board_sample(window: AgentWindow) -> None:
    """The 看板 tab from the samples: a night shift, 王强's pause past its limit on red, 张丽's call
    selected (监听 / 耳语, 签退)."""
    window.board_state.set_board(sample.board())
    window.board.select_agent("1001")


def show_qa_sample(window: AgentWindow) -> None:
    """The 质检 tab from the samples: a lead checking the first call of the day's sample (a few items
    scored, 地址填写错误 marked), the proposals, results and board filled; an agent's peer list."""
    qa = window.qa
    st = qa.state
    st.set_scorecards(sample.qa_scorecards())
    st.set_results(sample.qa_results())
    if st.role == "agent":
        st.set_peer(sample.qa_peer())
        qa.peer.table.selectRow(1)
        st.toggle("nonstandard_phrase", True)
        qa.peer.note.setPlainText("开头未报工号")
        return
    st.set_sample(sample.qa_sample())
    st.set_proposals(sample.qa_proposals())
    st.set_board(sample.qa_board())
    qa.sample.table.selectRow(0)
    st.set_ticket(sample.qa_ticket())
    for key in ("opening", "problem", "address", "name", "phone", "closing", "manner"):
        st.score(key, "pass")
    st.toggle("wrong_address", True)
    qa.sample.note.setPlainText("地址跟读了,但楼号录成 12 号楼,应为 21 号楼")
    qa.player.set_duration(95.2)
    qa.player.seek(31.0)


def main(argv: list[str] | None = None, on_window=None) -> int:
    """`on_window(app, window)`, if given, drives the window instead of the login dialog
    (``hotline desktop --demo`` logs in and places a real call through it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    log_dir = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "hotline-desktop"
    setup_logging("INFO", log_dir / "desktop.log")
    if args.null_audio:
        os.environ["HOTLINE_NULL_AUDIO"] = "1"
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "desktop"])
    app.setApplicationName("hotline-desktop")
    app.setOrganizationName("dalong-heating")
    translators = load_translation(app, args.lang)   # noqa: F841  (kept alive with the app)

    api = AgentApiClient(args.api, ca_file=args.ca)
    window = AgentWindow(api=api, agent_no=args.agent)
    api.setParent(window)
    ref = [window]
    _install_excepthook(ref)
    window.show()

    if on_window is not None:
        on_window(app, window)
    elif args.sample:
        show_sample(window, args.agent or "1001", args.role, args.tab)
    elif not args.screenshot:
        QTimer.singleShot(0, window.start_login)
    else:
        window.start_login()

    if args.screenshot and on_window is None:
        def shoot():
            window.grab().save(args.screenshot)
            window.close()
            app.quit()
        QTimer.singleShot(max(0, args.delay), shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
