"""`hotline`: the one command for running and administering the hotline."""
from __future__ import annotations

import io
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import delete, select

from db.models import AuditEntry, HolidayOverride, RepairStation, Role, User
from db.queries import SURVEY_GROUPS, pause_totals, readback_texts, survey_results
from hotline.admin import runtime
from hotline.admin.amiclient import ami_session
from hotline.admin.command import (cell, echo, echo_json, echo_lines, echo_table, fail, on_terminal, progress_bar,
                                   sessions, settings, shell_settings)
from hotline.cli_ops import calendar_line, db_app, version_callback
from hotline.admin.accounts import ImportFileError, account_dict, find_by_account_no, find_by_phone, import_accounts
from hotline.admin.asterisk import AsteriskError, find_install
from hotline.admin.demo import seed_demo
from hotline.admin.displays import DisplayTokenError, create_token, list_tokens, revoke_token, token_dict, wall_url
from hotline.admin.dialplan_check import check, problem_lines, static_problems
from hotline.admin.dialplan_good import is_current, promote
from hotline.admin.live import watch as do_watch
from hotline.admin.runtime import HotlineError
from hotline.admin.runtime import down as do_down
from hotline.admin.runtime import status as do_status
from hotline.admin.runtime import up as do_up
from hotline.admin.tickets import list_tickets
from hotline.install_cli import register as register_install
from hotline.admin.users import UserError, add_user, disable_user, set_password
from hotline import backup_cli, supervise_cli
from hotline.aftercall.anomalies import AnomalyRegister
from hotline.aftercall.qa.rules import qa_policy
from hotline.aftercall.qa.standards import StandardError
from hotline.aftercall.qa.work import QaWork
from hotline.aftercall.recordings import RecordingBook
from hotline.aftercall.reports.archive import KIND_WORDS, parse_day
from hotline.aftercall.reports.delivery import ReportMail
from hotline.aftercall.reports.figures import ANOMALY_WORDS, CHANNEL_WORDS, day_bounds, report_policy
from hotline.aftercall.reports.xlsx import STATE_WORDS, recheck_note
from hotline.service.reports import reports as hotline_reports
from hotline.aftercall.callbacks import CallbackList, callback_policy
from hotline.aftercall.surveys import SurveyList
from hotline.aftercall.survey_calls import OPEN_OUTCOMES, REQUESTED, SurveyDialer, survey_policy
from hotline.aftercall.lifecycle import Timers, TicketWork
from hotline.aftercall.rules import Refused, RuleError, actor_for, add_audit
from hotline.aftercall.stations import StationError, import_stations, list_stations, parse_areas, parse_phones, save_station
from hotline.aftercall.station_calls import ON_THE_LINE, REQUESTED as STATION_REQUESTED, StationDialer, station_call_policy
from hotline.config_cmd import config_app
from hotline.outage_cli import outage_app
from common import wire
from common.ami import ami_action
from common.agent_phones import has_phone
from common.naming import RECORDINGS_WAKE_EVENT, STATION_WAKE_EVENT, SURVEY_WAKE_EVENT, endpoint
from common.secrets import qa_sample_secret
from common.runstate import read_state
from common.settings import Settings
from common.text import control_char, printable
from ivr.holidays import HOLIDAYS, notice_year, windows
from ivr.prompts import import_prompt, load_catalog, render_catalog, render_readbacks

app = typer.Typer(help="大龙供暖报修热线 — heating-repair hotline on Asterisk.", no_args_is_help=True,
                  pretty_exceptions_enable=False,
                  # help texts are plain text: `区[/小区[/楼]]` is an example, not rich markup (it crashed
                  # `stations add --help`); tests/unit/test_cli_help.py renders every command's help
                  rich_markup_mode=None,
                  add_completion=False)
accounts_app = typer.Typer(help="Heating accounts (customer master data).", no_args_is_help=True)
prompts_app = typer.Typer(help="IVR prompts: list, render with TTS, import studio recordings.",
                          no_args_is_help=True)
holidays_app = typer.Typer(help="Holiday openers: computed windows and admin overrides.",
                           no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
app.add_typer(prompts_app, name="prompts")
app.add_typer(holidays_app, name="holidays")
agents_app = typer.Typer(help="Agent accounts: desktop login, SIP endpoint, queue membership.",
                         no_args_is_help=True)
app.add_typer(agents_app, name="agents")
dialplan_app = typer.Typer(help="The admin-owned dialplan: check, test with real calls, reload safely.",
                           no_args_is_help=True)
app.add_typer(dialplan_app, name="dialplan")
app.add_typer(config_app, name="config")        # one configuration (#29): hotline.config_cmd
app.add_typer(db_app, name="db")             # upgrades on purpose (#29): hotline.cli_ops
app.add_typer(outage_app, name="outage")     # 区域停热 (#30): hotline.outage_cli
app.callback()(version_callback)             # hotline --version


# ------------------------------------------------------------ lifecycle --

@app.command()
def up(lan: bool = typer.Option(False, "--lan", help="serve agents on other PCs: listen on the LAN, "
                                                     "agent API over HTTPS"),
       bind: Optional[str] = typer.Option(None, "--bind", metavar="ADDR",
                                          help="with --lan: the address to listen on (default 0.0.0.0)")) -> None:
    """Provision Asterisk if needed, migrate the DB, render prompts, start Asterisk and the service;
    what it was started with is recorded, and later commands act on that."""
    s = shell_settings()
    try:
        runtime.refuse_supervised(s, "up")
    except HotlineError as exc:
        fail(str(exc))
    if bind and not lan:
        fail("--bind goes with --lan (agents on other PCs need the API over HTTPS)")
    if lan:   # TLS is mandatory off loopback: passwords and session tokens cross the LAN
        s = s.replace(bind=bind or "0.0.0.0", api_tls=True)
    try:
        st = do_up(s, log=lambda m: echo_lines(m, err=True), dialplan_gate=dialplan_gate(True))
    except HotlineError as exc:
        fail(str(exc))
    if st["started"] != ["asterisk", "service"]:   # after a crash: one part ran on
        kept = "Asterisk" if st["started"] == ["service"] else "the service"
        echo(f"大龙供暖报修热线: started {' and '.join(st['started'])} beside {kept}, which was running "
             f"(its ports kept; calls up: {(st.get('channels') or {}).get('calls')})")
        echo("`hotline status` shows it.")
        return
    echo(f"大龙供暖报修热线 is up (home {st['home']})")
    echo(f"  hotline number  {st['hotline_extension']} (internal: where the gateway sends callers)")
    echo(f"  public number   {st['public_number'] or 'not set (HOTLINE_PUBLIC_NUMBER)'}")
    echo(f"  SIP (UDP)       {s.bind or '0.0.0.0'}:{st['sip_port']}")
    echo(f"  AMI             127.0.0.1:{st['ami_port']} (user {st['ami_user']}, secret in {st['ami_secret_file']})")
    echo(f"  FastAGI         127.0.0.1:{st['fastagi_port']}")
    echo(f"  agent API       {st['api_url']}")
    echo(f"  database        {st['db_url']}")
    if st.get("rtp_ports") and st.get("channels"):
        echo(f"  RTP             {st['rtp_ports'][0]}–{st['rtp_ports'][1]} "
             f"({st['channels']['call_limit']} calls, expected {s.expected_calls})")
    if st.get("api_ca"):
        echo(f"  TLS certificate {st['api_ca']}")
        echo(f"  SHA-256         {st['api_fingerprint']}")
        echo("Copy the certificate (never the key) to every agent PC and start the desktop with "
             f"`--api {st['api_url']} --ca <that file>`; compare the SHA-256 above when in doubt.")
    echo("`hotline status` shows it, `hotline down` stops it.")
    calendar_line(st, err=True)


@app.command()
def down() -> None:
    """Stop the hotline service and Asterisk."""
    s = shell_settings()
    try:
        runtime.refuse_supervised(s, "down")
    except HotlineError as exc:
        fail(str(exc))
    if do_down(s):
        echo("hotline stopped")
    else:
        echo("hotline was not running")


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="machine-readable"),
           watch: bool = typer.Option(False, "--watch", help="live queue and agents from AMI"),
           interval: float = typer.Option(2.0, "--interval", min=0.5),
           count: int = typer.Option(0, "--count", help="stop after N screens (0 = until Ctrl-C)")) -> None:
    """Where the hotline listens, its database, and whether its processes run (exit 3 when stopped)."""
    if watch:
        try:
            do_watch(settings(), interval, count, echo_lines)
        except RuntimeError as exc:
            fail(str(exc))
        return
    s = shell_settings()
    try:
        runtime.bound_settings(s)
    except HotlineError as exc:   # status still shows the running hotline (and its database)
        echo(f"hotline: {exc}", err=True)
    st = do_status(s)
    if as_json:
        echo_json(st)
    else:
        state = "running" if st["running"] else "stopped"
        echo(f"hotline {state} (home {st['home']})")
        for k in ("hotline_extension", "public_number", "sip_port", "ami_port", "fastagi_port", "api_url", "db_url",
                  "asterisk_pid", "service_pid"):
            echo(f"  {k:18} {st[k]}")
        if st.get("rtp_ports"):
            echo(f"  {'rtp_ports':18} {st['rtp_ports'][0]}–{st['rtp_ports'][1]}")
        ch = st.get("channels")
        if ch:
            echo(f"  {'channels':18} {ch['in_use']} in use of {ch['limit']} "
                 f"(calls {ch['calls']} of {ch['call_limit']})")
        rec = st["recordings"]
        flagged = "?" if rec["flagged_today"] is None else rec["flagged_today"]
        echo(f"  {'recordings':18} {rec['free_mb']} MB free (alert under {rec['min_free_mb']} MB), "
             f"{flagged} flagged today")
        if rec["alert"]:
            echo(f"  ⚠ {rec['alert']}")
        mail = st.get("report_mail") or {}
        echo(f"  {'report_mail':18} {report_mail_line(mail)}")
        for line in backup_cli.status_lines(st):
            echo(line)
        for h in st.get("hot_spots") or []:
            echo(f"  ⚠ hot spot {h['key']}: {h['repairs']} no-heat repairs {h['first'][11:16]}–{h['last'][11:16]}")
        schema = st["schema"]
        echo(f"  {'schema':18} {schema['revision'] or '-'} ({schema['state']}; this release: {schema['head']})")
        calendar_line(st)
    if not st["running"]:
        raise typer.Exit(3)


def report_mail_line(m: dict) -> str:
    """The daily report's e-mail in one line of `hotline status` (⚠ when failed, late or misconfigured)."""
    state, day = m.get("state", "unknown"), m.get("day", "")
    at = lambda key: (m.get(key) or "").replace("T", " ")[:16]
    if state == "off":
        return "off (HOTLINE_REPORT_MAIL_TO not set)"
    if state == "unknown":
        return "unknown (the database does not answer)"
    if state == "misconfigured":
        return f"⚠ misconfigured: {m.get('error', '')}"
    if state in ("sent", "sent_late"):
        late = f", late (due {at('due_at')})" if state == "sent_late" else ""
        text = f"{day} sent {at('sent_at')} to {m.get('recipients')} recipient(s){late}"
    elif state == "failed":
        nxt = f"; next try {at('next_at')}" if m.get("next_at") else "; given up: `hotline report send --date " \
                                                                      f"{day}` after fixing the relay"
        text = f"⚠ {day} FAILED after {m.get('attempts')} attempt(s): {m.get('error', '')}{nxt}"
    elif state == "late":
        text = f"⚠ {day} LATE: due {at('due_at')}, not sent yet"
    else:
        text = f"{day} due {at('due_at')}, sending"
    if m.get("days_failed"):
        text += f"; ⚠ not sent: {', '.join(m['days_failed'])}"
    return text


@app.command()
def restart(part: str = typer.Argument(..., metavar="service|asterisk",
                                       help="service: the hotline service (calls on Asterisk go on); "
                                            "asterisk: Asterisk (calls up are cut)"),
            as_json: bool = typer.Option(False, "--json", help="machine-readable")) -> None:
    """Restart one part of the running hotline on its ports. The service stops gracefully: new calls
    go the degraded way at once, callers in a flow finish it (HOTLINE_DRAIN_S). Asterisk starts on
    the last dialplan that passed."""
    if part not in ("service", "asterisk"):
        fail(f"restart service or restart asterisk, not {part!r}", 2)
    s = shell_settings()
    t0 = time.monotonic()
    try:
        runtime.refuse_supervised(s, "restart")
        if part == "service":
            pid = runtime.restart_service(s)
        else:
            pid = runtime.restart_asterisk(s, dialplan_gate=dialplan_gate(True),
                                           log=lambda m: echo_lines(m, err=True))
    except (HotlineError, AsteriskError) as exc:
        fail(str(exc))
    took = round(time.monotonic() - t0, 1)
    if as_json:
        echo_json({"restarted": part, "pid": pid, "seconds": took})
    else:
        echo(f"{part} restarted (pid {pid}) in {took} s")


@app.command("asterisk-provision")
def asterisk_provision() -> None:
    """Build (or find) the Asterisk 22 used by the hotline, without starting anything."""
    try:
        inst = find_install(settings(), build=True, log=lambda m: echo_lines(m, err=True))
    except AsteriskError as exc:
        fail(str(exc))
    echo(f"{inst.version} ({inst.root or 'system'})")


# ------------------------------------------------------------- accounts --

@accounts_app.command("import")
def accounts_import(file: Path = typer.Argument(..., help="CSV (UTF-8 or GB18030, as Excel saves it) or XLSX, with "
                                                            "the header account_no,name,district,compound,building,"
                                                            "unit,room,phones[,fee_status]"),
                    dry_run: bool = typer.Option(False, "--dry-run", help="check every row and count what would "
                                                                          "change; write nothing"),
                    as_json: bool = typer.Option(False, "--json", help="machine-readable, no progress")) -> None:
    """Import or update accounts. Every row is checked first: with any bad row nothing is imported and
    each one is named by its line (exit 2). Committed in batches of HOTLINE_IMPORT_BATCH rows (calls
    never wait behind the import); a re-run updates, never duplicates."""
    if not file.is_file():
        fail(f"{file}: no such file")
    s = settings()
    with sessions(s)() as db, progress_bar(on_terminal(as_json), f"importing {file.name}") as shown:
        try:
            rep = import_accounts(db, file, batch=s.import_batch, progress=shown, dry_run=dry_run)
        except ImportFileError as exc:
            fail(str(exc))
    if as_json:
        echo_json({"file": str(file), "read_as": rep.kind, "rows": rep.rows, "dry_run": rep.dry_run,
                   "imported": rep.imported, "created": rep.created, "updated": rep.updated, "unchanged": rep.unchanged,
                   "errors": [{"line": line, "reason": reason} for line, reason in rep.errors],
                   "batches": rep.batches, "longest_commit_s": round(rep.longest_commit_s, 3)})
    else:
        for line, reason in rep.errors:
            echo(f"{file}:{line}: {reason}", err=True)
        if rep.errors:
            echo(f"{file} ({rep.kind}): {len(rep.errors)} bad row(s) of {rep.rows}: nothing imported — fix them and "
                 f"run it again (--dry-run checks a file without importing)")
        elif dry_run:
            echo(f"dry run of {file} ({rep.kind}): {rep.created} new, {rep.updated} updated, {rep.unchanged} "
                 f"unchanged; nothing written")
        else:
            echo(f"imported {file} ({rep.kind}): {rep.created} new, {rep.updated} updated, {rep.unchanged} unchanged "
                 f"({rep.batches} batches, the longest commit {rep.longest_commit_s:.2f} s)")
    if rep.errors:
        raise typer.Exit(2)


@accounts_app.command("find")
def accounts_find(phone: Optional[str] = typer.Option(None, "--phone"),
                  account: Optional[str] = typer.Option(None, "--account"),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """Find accounts by a phone number or by 户号."""
    if bool(phone) == bool(account):
        fail("give exactly one of --phone N or --account N")
    with sessions(settings())() as db:
        if phone:
            found = find_by_phone(db, phone)
        else:
            one = find_by_account_no(db, account)
            found = [one] if one else []
        rows = [account_dict(a) for a in found]
    if as_json:
        echo_json(rows)
    else:
        for r in rows:
            echo(f"{r['account_no']}  {r['name']}  {r['address']}  {';'.join(r['phones'])}")
        if not rows:
            echo("no account found")
    if not rows:
        raise typer.Exit(1)


@app.command("demo-data")
def demo_data(accounts: int = typer.Option(200, "--accounts", min=0, max=100000)) -> None:
    """Load realistic demo accounts, repair stations and the districts they serve."""
    with sessions(settings())() as db:
        got = seed_demo(db, accounts)
    echo(f"demo data: {got['accounts']} accounts and {got['stations']} repair stations added")


# -------------------------------------------------------------- tickets --

tickets_app = typer.Typer(help="Tickets: list (with each one's state and call outcome), show one, move one on.")
app.add_typer(tickets_app, name="tickets")
stations_app = typer.Typer(help="Repair stations: phones, technicians, the areas they serve.", no_args_is_help=True)
app.add_typer(stations_app, name="stations")


def _work(s: Settings, db_sessions) -> TicketWork:
    return TicketWork(db_sessions, s.now, Timers(s.anomaly_accept_min, s.anomaly_contact_min, s.anomaly_open_h, s.anomaly_confirm_min))


def _rule_failed(exc: RuleError) -> None:
    fail(f"{exc.message} ({exc.status})", 2 if exc.status == 403 else 1)


@tickets_app.callback(invoke_without_command=True)
def tickets(ctx: typer.Context, as_json: bool = typer.Option(False, "--json"),
            since: Optional[str] = typer.Option(None, "--since", help="YYYY-MM-DD[THH:MM]"),
            unconfirmed: bool = typer.Option(False, "--unconfirmed",
                                             help="only the repairs waiting as 待确认 (drafts of ended calls)")) -> None:
    """Tickets with their state and the outcome of the call that made them; a draft whose call has
    ended waits as 待确认 and says why (reason) and how long (age_s)."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        since_dt = datetime.fromisoformat(since) if since else None
    except ValueError:
        fail(f"--since {since!r} is not a date like 2026-11-23 or 2026-11-23T08:00")
    s = settings()
    with sessions(s)() as db:
        rows = list_tickets(db, s.now(), since_dt, unconfirmed)
    if as_json:
        echo_json(rows)
        return
    echo_table(["报修单", "状态", "类别", "户号", "来电结果", "回电", "待确认"],
               [[r["number"], r["state"], r["category"], r["account_no"], r["call_outcome"],
                 "回电" if r["callback_requested"] else "",
                 f"{wire.UNCONFIRMED_REASONS.get(r['reason'], r['reason'])} {r['age_s'] // 60} 分钟" if r["reason"] else ""]
                for r in rows])


@tickets_app.command("show")
def tickets_show(number: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """One ticket whole: state, timeline (history), anomalies, re-opening links, the station's phone calls."""
    s = settings()
    try:
        t = _work(s, sessions(s)).show(None, number)
    except RuleError as exc:
        _rule_failed(exc)
    if as_json:
        echo_json(t)
        return
    echo(f"{t['number']}  {t['state']}  {t['station'] or '-'}  {t['address']}")
    echo_table(["时间", "状态", "经手", "备注"], [[h["at"], h["state"], h["by"], h["note"]] for h in t["history"]])
    for a in t["anomalies"]:
        echo(f"  ! {a['type']} ({a['state']}) {a['opened_at']}")
    for c in t.get("station_calls") or []:      # the station told by phone (#30)
        when = f", next {c['next_at']}" if c["next_at"] else f", ended {c['ended_at']}" if c["ended_at"] else ""
        echo(f"  ☎ {c['station'] or '-'} {c['outcome']} ({c['attempts']} call(s){when})")


@tickets_app.command("set-state")
def tickets_set_state(number: str, state: str,
                      as_: str = typer.Option(..., "--as", help="the 工号 of the person doing it (role-checked)"),
                      note: str = typer.Option("", "--note", help="a result (返单), a reason (取消), a remark"),
                      station: str = typer.Option("", "--station", help="the station code, when dispatching"),
                      as_json: bool = typer.Option(False, "--json")) -> None:
    """Move a ticket on, as a person: checked like the agent API (their role, their station)."""
    t = _as_person(as_, lambda work, actor: work.move(actor, number, state, note, station))
    _dispatched(t)
    if as_json:
        echo_json(t)
    else:
        echo(f"{t['number']} → {t['state']}")


@tickets_app.command("confirm")
def tickets_confirm(number: str,
                    as_: str = typer.Option(..., "--as", help="the 工号 of the team lead confirming it"),
                    dispatch: str = typer.Option("", "--dispatch", metavar="STATION",
                                                 help="dispatch at once: a station code, or 'auto' for the one "
                                                      "the address suggests"),
                    note: str = typer.Option("", "--note"),
                    as_json: bool = typer.Option(False, "--json")) -> None:
    """Confirm a repair waiting as 待确认 (draft → new), and with --dispatch send it to a station."""
    station = "" if dispatch in ("", "auto") else dispatch
    t = _as_person(as_, lambda work, actor: work.confirm(actor, number, station, bool(dispatch), note))
    _dispatched(t)
    if as_json:
        echo_json(t)
    else:
        echo(f"{t['number']} → {t['state']}")


def _wake_stations(s: Settings) -> bool:
    """Tell the running service a station is to be called now (its dialer looks within seconds anyway)."""
    try:
        with ami_session(s) as ami:
            ami.action(ami_action("UserEvent", UserEvent=STATION_WAKE_EVENT))
        return True
    except (RuntimeError, OSError, TimeoutError):
        return False


def _dispatched(t: dict) -> None:
    """A move that dispatched: the station's call was requested with it; the service is told now."""
    s = settings()
    if t.get("state") == "dispatched" and runtime.running(s):
        _wake_stations(s)


def _as_person(agent_no: str, act) -> dict:
    """Run `act(work, actor)` as the person with this 工号: a refusal is audited like the API's and
    printed with its words; the answer loses the internal station_id."""
    s = settings()
    db_sessions = sessions(s)
    try:
        with db_sessions() as db:
            actor = actor_for(db, agent_no)
        t = act(_work(s, db_sessions), actor)
    except Refused as exc:   # refused like the API refuses, and audited the same way
        with db_sessions() as db, db.begin():
            add_audit(db, agent_no, exc.action, exc.object_type, exc.object_id, via="cli")
        _rule_failed(exc)
    except RuleError as exc:
        _rule_failed(exc)
    t.pop("station_id", None)
    return t


@app.command()
def anomalies(open_only: bool = typer.Option(False, "--open", help="only those not closed"),
              as_json: bool = typer.Option(False, "--json")) -> None:
    """The anomaly register (异常事件): timers' and people's, with state, owner and deadline."""
    s = settings()
    db_sessions = sessions(s)
    rows = AnomalyRegister(db_sessions, s.now).register(None, open_only)
    if as_json:
        echo_json(rows)
        return
    echo_table(["编号", "类型", "状态", "报修单", "登记", "期限", "", "备注"],
               [[a["id"], a["type"], a["state"], a["ticket"], a["opened_at"], a["deadline"], "超期" if a["overdue"] else "",
                 a["note"]] for a in rows])


@app.command()
def callbacks(open_only: bool = typer.Option(False, "--open", help="only those still on the list"),
              as_json: bool = typer.Option(False, "--json")) -> None:
    """The call-back worklist, oldest first: ticket, reason, waited (seconds), attempts, taken_by,
    escalated (gone to the team lead)."""
    s = settings()
    rows = CallbackList(sessions(s), s.now, callback_policy(s)).list(None, open_only)
    if as_json:
        echo_json(rows)
        return
    echo_table(["报修单", "原因", "已等(分钟)", "次数", "处理人", ""],
               [[r["ticket"], r["reason"], r["waited"] // 60, r["attempts"], r["taken_by"],
                 ("转领班" if r["escalated"] else "") + ("" if r["open"] else "已完成")] for r in rows])


survey_app = typer.Typer(help="回访: the follow-up survey of completed repairs.", no_args_is_help=True)
app.add_typer(survey_app, name="survey")


def _survey_policy(s: Settings):
    try:
        return survey_policy(s)
    except ValueError as exc:
        fail(f"bad HOTLINE_* setting: {exc}")


#: how the automated call's outcomes read on the terminal
SURVEY_OUTCOME_WORDS = {"requested": "等待拨出", "placed": "拨打中", "answered": "通话中", "busy": "忙",
                        "no_answer": "无人接听", "failed": "未接通", "declined": "不方便", "done": "已回访"}


@survey_app.command("list")
def survey_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Completed repairs due for 回访 (never booked, or booked for now or earlier), oldest first, with
    the automated call's state: attempts, last outcome, next try, who has the ticket (`automated`)."""
    s = settings()
    rows = SurveyList(sessions(s), s.now, _survey_policy(s)).list(None)
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        a = r.get("automated")
        auto = f"  自动回访 {a['attempts']} 次 {SURVEY_OUTCOME_WORDS.get(a['last_outcome'], a['last_outcome'])}" \
               f"{' 下次 ' + a['next_at'] if a['next_at'] else ''} → {a['owner']}" if a else ""
        echo(f"{r['ticket']}  返单 {r['completed_at']}  {r['station'] or '-'}  {r['name']}  "
             f"{'预约 ' + r['due_at'] if r['due_at'] else ''}{auto}")


@survey_app.command("call")
def survey_call(ticket: str, as_json: bool = typer.Option(False, "--json"),
                timeout: int = typer.Option(0, "--timeout", min=0,
                                            help="seconds to wait for the outcome (default: ring time + 10 min)")) -> None:
    """Start one automated 回访 call now, through the running service (the only AMI speaker), and
    print how it ended: done (answers stored), declined, busy, no_answer, failed. Refused (exit 2)
    for an unknown ticket, one not completed, outside HOTLINE_SURVEY_HOURS."""
    s = settings()
    policy = _survey_policy(s)
    if not runtime.running(s):
        fail("the hotline is not running — `hotline up` starts it")
    dialer = SurveyDialer(sessions(s), s.now, policy)
    try:
        attempt = dialer.request(ticket)
    except RuleError as exc:
        fail(exc.message, 2)
    try:     # wake the service's dialer now; without it the call goes out within its minute
        with ami_session(s) as ami:
            ami.action(ami_action("UserEvent", UserEvent=SURVEY_WAKE_EVENT, Attempt=str(attempt)))
    except (RuntimeError, OSError, TimeoutError) as exc:
        echo(f"hotline: could not wake the service ({exc}); it places the call within a minute", err=True)
    deadline = time.monotonic() + (timeout or policy.ring_s + 600)
    placed_by = time.monotonic() + 90
    row = dialer.attempt(attempt)
    while row["outcome"] in OPEN_OUTCOMES and time.monotonic() < deadline:
        if row["outcome"] == REQUESTED and time.monotonic() > placed_by and dialer.cancel_request(attempt):
            fail(f"the service did not place the call within 90 s (see {s.log_dir / 'service.log'})")
        time.sleep(0.5)
        row = dialer.attempt(attempt)
    if as_json:
        echo_json(row)
    else:
        nxt = f", 下次 {row['next_at']}" if row["next_at"] else ""
        echo(f"{row['ticket']}: {row['outcome']} ({SURVEY_OUTCOME_WORDS.get(row['outcome'], '')}{nxt}); "
             f"报修单 {row['ticket_state']}")
    if row["outcome"] in OPEN_OUTCOMES:
        raise typer.Exit(1)     # still going when we stopped waiting


@survey_app.command("stats")
def survey_stats(by: str = typer.Option("station", "--by", help=f"one of {', '.join(SURVEY_GROUPS)}"),
                 since: Optional[str] = typer.Option(None, "--since", help="YYYY-MM-DD[THH:MM]"),
                 until: Optional[str] = typer.Option(None, "--until", help="YYYY-MM-DD[THH:MM] (not included)"),
                 as_json: bool = typer.Option(False, "--json")) -> None:
    """回访 results per ticket, agent (who took the repair's call), station or technician (who filed
    its 返单): solved, attitude, charged, average score, by agent or by the automated call."""
    if by not in SURVEY_GROUPS:
        fail(f"--by should be one of {', '.join(SURVEY_GROUPS)}", 2)
    try:
        span = [datetime.fromisoformat(x) if x else None for x in (since, until)]
    except ValueError:
        fail("--since / --until should be dates like 2026-11-23 or 2026-11-23T08:00", 2)
    s = settings()
    with sessions(s)() as db:
        rows = survey_results(db, by, *span)
    if as_json:
        echo_json(rows)
        return
    echo_table([by, "名称", "回访", "解决", "满意", "普通", "不满意", "平均", "自动"],
               [[r[by], r["name"] or "", r["surveys"], r["solved"], r["satisfied"], r["average"], r["unsatisfied"],
                 r["score_avg"], r["by_ivr"]] for r in rows])


# ------------------------------------------------------------- stations --

@stations_app.command("list")
def stations_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every station with its phone, technicians and areas."""
    with sessions(settings())() as db:
        rows = list_stations(db)
    if as_json:
        echo_json(rows)
        return
    echo_table(["代码", "名称", "电话", "服务区域"],
               [[r["code"], r["name"], r["phone"],
                 "; ".join("/".join(x for x in (a["district"], a["compound"], a["building"]) if x) for a in r["areas"])]
                for r in rows])


@stations_app.command("add")
def stations_add(code: str, name: str, phone: str = typer.Option(..., "--phone"),
                 technician: list[str] = typer.Option([], "--technician", help="a technician's mobile (repeat)"),
                 area: list[str] = typer.Option([], "--area", help="区[/小区[/楼]] (repeat)")) -> None:
    """Add (or replace) a station."""
    with sessions(settings())() as db:
        try:
            new = save_station(db, code, name, phone, parse_phones(";".join(technician)), parse_areas(";".join(area)))
            db.commit()
        except StationError as exc:
            fail(str(exc))
    echo(f"{code} {name} {'added' if new else 'updated'}")


@stations_app.command("import")
def stations_import(file: Path = typer.Argument(..., help="UTF-8 CSV: code,name,phone,technicians,areas")) -> None:
    """Stations from a CSV: every line checked; a bad line is reported and nothing is changed."""
    with sessions(settings())() as db:
        try:
            rep = import_stations(db, file)
        except StationError as exc:
            fail(str(exc))
        if rep.errors:
            db.rollback()
            for e in rep.errors:
                echo(e, err=True)
            fail(f"{len(rep.errors)} bad line(s): nothing imported")
        db.commit()
    echo(f"imported {file}: {rep.created} new, {rep.updated} updated")


#: how a station call's outcomes read on the terminal
STATION_OUTCOME_WORDS = {"requested": "等待拨出", "placed": "拨打中", "answered": "通话中", "busy": "忙",
                         "no_answer": "未接单", "failed": "未接通", "accepted": "已接单", "refused": "号码不能拨打",
                         "moot": "无需接单", "off": "未开启"}


@stations_app.command("notify")
def stations_notify(ticket: str, as_json: bool = typer.Option(False, "--json"),
                    timeout: int = typer.Option(0, "--timeout", min=0,
                                                help="seconds to wait for the outcome (default: ring time + 5 min)")) -> None:
    """Call the ticket's station at its duty phone now, through the running service (the only AMI
    speaker), and print how the call ended: accepted (the station keyed 1: the ticket is accepted),
    busy, no_answer (tried again per HOTLINE_STATION_CALL_*), failed, refused. Refused (exit 2) for an
    unknown ticket, one not waiting for its station, a station phone the number policy refuses."""
    s = settings()
    try:
        policy = station_call_policy(s)
    except ValueError as exc:
        fail(f"bad HOTLINE_* setting: {exc}")
    if not runtime.running(s):
        fail("the hotline is not running — `hotline up` starts it")
    dialer = StationDialer(sessions(s), s.now, policy)
    try:
        asked = dialer.request(ticket, "cli")
    except RuleError as exc:
        fail(exc.message, 2)
    call, before = asked["call"], asked["attempts"]
    if not _wake_stations(s):
        echo("hotline: could not wake the service; it places the call within seconds", err=True)
    deadline = time.monotonic() + (timeout or policy.ring_s + 300)
    placed_by = time.monotonic() + 90
    row = dialer.call(call)
    while (row["attempts"] <= before or row["outcome"] in ON_THE_LINE) and not row["ended_at"] \
            and time.monotonic() < deadline:
        if row["outcome"] == STATION_REQUESTED and time.monotonic() > placed_by:
            fail(f"the service did not place the call within 90 s (see {s.log_dir / 'service.log'})")
        time.sleep(0.5)
        row = dialer.call(call)
    if as_json:
        echo_json(row)
    else:
        nxt = f", 下次 {row['next_at']}" if row["next_at"] else ""
        echo(f"{row['ticket']} → {row['station']}: {row['outcome']} "
             f"({STATION_OUTCOME_WORDS.get(row['outcome'], '')}{nxt}); 报修单 {row['ticket_state']}")
    if row["outcome"] in ON_THE_LINE or (row["attempts"] <= before and not row["ended_at"]):
        raise typer.Exit(1)     # still going when we stopped waiting


# -------------------------------------------------------------- prompts --

@prompts_app.command("list")
def prompts_list() -> None:
    """Prompt ids, their text, and whether a studio recording replaces the TTS."""
    s = settings()
    echo_table(["提示音", "来源", "文本"], [[pid, "录音" if (s.custom_prompts_dir / f"{pid}.wav").exists() else "TTS", text]
                                       for pid, text in load_catalog().items()])


@prompts_app.command("render")
def prompts_render(force: bool = typer.Option(False, "--force")) -> None:
    """Render the catalog to 8 kHz audio (espeak-ng cmn + sox); recordings win. Rebuilds the
    read-back cache too: every account's address and station's name, nothing else (bounded by
    HOTLINE_TTS_CACHE_MB)."""
    s = settings()
    try:
        with progress_bar(on_terminal(), "rendering the prompts"):
            files = render_catalog(s, force=force)
        with sessions(s)() as db:
            texts = readback_texts(db)
        with progress_bar(on_terminal(), "rendering read-backs (addresses, stations)") as shown:
            got = render_readbacks(s, texts, force=force, prune=True, progress=shown)
    except RuntimeError as exc:
        fail(str(exc))
    echo(f"{len(files)} prompts ready")
    echo(f"{len(texts)} read-backs (addresses, stations): {got['rendered']} rendered, {got['removed']} "
         f"removed, {got['skipped']} over the {s.tts_cache_mb} MiB bound")


@prompts_app.command("import")
def prompts_import(prompt_id: str, file: Path) -> None:
    """Use a studio recording (any common audio format) for a prompt id."""
    try:
        import_prompt(settings(), prompt_id, file)
    except (ValueError, RuntimeError, OSError) as exc:
        fail(str(exc))
    echo(f"{prompt_id}: recording imported")


# ------------------------------------------------------------- holidays --

@holidays_app.command("list")
def holidays_list(year: int = typer.Option(None, "--year")) -> None:
    """Holiday opener windows of a year (computed, or set by notice)."""

    s = settings()
    year = year or s.now().year
    with sessions(s)() as db:
        overrides = list(db.scalars(select(HolidayOverride).where(HolidayOverride.year == year)))
    echo_table(["节日", "名称", "开头语", "时段", "依据"],
               [[w.key, w.name, w.opener, f"{w.start:%Y-%m-%d %H:%M} → {w.end:%Y-%m-%d %H:%M}",
                 "通知" if w.source == "notice" else "日历"] for w in windows(year, overrides)])


@holidays_app.command("set")
def holidays_set(holiday: str, start: str, end: str, note: str = typer.Option("", "--note"),
                 year: int = typer.Option(None, "--year")) -> None:
    """Set a holiday's window per notice: START and END as YYYY-MM-DD[THH:MM]."""

    if holiday not in HOLIDAYS:
        fail(f"unknown holiday {holiday!r}; one of {', '.join(HOLIDAYS)}")
    try:
        a, b = datetime.fromisoformat(start), datetime.fromisoformat(end)
    except ValueError:
        fail("START and END are dates like 2027-02-05 or 2027-02-05T18:00")
    if len(end) == 10:
        b = b.replace(hour=23, minute=59, second=59)
    if b <= a:
        fail("END must be after START")
    year = year or notice_year(holiday, a, b)   # 元旦 from 12-31 belongs to the new year
    with sessions(settings())() as db, db.begin():
        o = db.scalar(select(HolidayOverride).where(HolidayOverride.holiday == holiday,
                                                    HolidayOverride.year == year))
        if o is None:
            o = HolidayOverride(holiday=holiday, year=year, start=a, end=b)
            db.add(o)
        o.start, o.end, o.note = a, b, note
        db.add(AuditEntry(actor="cli", action="set", object_type="holiday", object_id=f"{holiday}:{year}",
                          detail={"start": a.isoformat(), "end": b.isoformat(), "note": note}))
    echo(f"{holiday} {year}: {a:%Y-%m-%d %H:%M} → {b:%Y-%m-%d %H:%M}")


@holidays_app.command("clear")
def holidays_clear(holiday: str, year: int = typer.Option(None, "--year")) -> None:
    """Drop a notice override: the computed window applies again."""

    s = settings()
    year = year or s.now().year
    with sessions(s)() as db, db.begin():
        n = db.execute(delete(HolidayOverride).where(HolidayOverride.holiday == holiday,
                                                     HolidayOverride.year == year)).rowcount
        db.add(AuditEntry(actor="cli", action="clear", object_type="holiday", object_id=f"{holiday}:{year}"))
    echo(f"{holiday} {year}: {'override removed' if n else 'had no override'}")


# -------------------------------------------------------------- desktop --

@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def desktop(ctx: typer.Context) -> None:
    """Start the agent desktop against this hotline's agent API (options: --lang en, --agent N,
    --screenshot FILE, --null-audio, --sample [--role ROLE] [--tab call|tickets|anomalies|…|board]). `--demo`
    starts the hotline if needed, logs a demo agent in, places a real call through the IVR to it,
    answers and (with --screenshot) saves a PNG; `--demo --role team_lead` (head, admin) logs a demo
    supervisor in and shows the after-call screens (工单 with the first ticket's detail) instead; with
    `--tab reports` the day's report, with `--tab board` the agent board (看板)."""
    argv = list(ctx.args)
    if "--demo" in argv:
        from bench.desk_demo import run as run_demo  # noqa: PLC0415 — the bench (pjsua2, Qt) loads only for `desktop --demo`
        argv.remove("--demo")
        try:
            code = run_demo(settings(), argv, echo=lambda m: echo_lines(m, err=True))
        except HotlineError as exc:
            fail(str(exc))
        raise typer.Exit(code)
    st = do_status(settings())
    if "--api" not in argv and st.get("api_url"):
        argv = ["--api", st["api_url"], *argv]
    if "--ca" not in argv and st.get("api_ca"):   # trust this hotline's own certificate
        argv = ["--ca", st["api_ca"], *argv]
    from desktop.app import main as desktop_main  # noqa: PLC0415 — the desk (PySide6) loads only for `hotline desktop`
    raise typer.Exit(desktop_main(argv) or 0)


# ------------------------------------------------------------- dialplan --

@dialplan_app.command("check")
def dialplan_check(directory: Optional[Path] = typer.Argument(None, help="default: the live dialplan")) -> None:
    """Lint (file:line) and load into a scratch Asterisk; exit 1 on any error."""
    s = settings()
    d = directory or s.dialplan_dir
    result = check(s, d)
    for line in problem_lines(result, d):
        echo(line)
    if not result.loaded:
        echo_lines("the scratch Asterisk could not load it:\n" + result.log[-2000:], err=True)
    if not result.ok:
        fail(f"{d}: {len(result.problems)} problem(s); not fit to load")
    echo(f"{d}: OK (lint clean, loaded by a scratch Asterisk)")


def dialplan_gate(behaviour: bool):
    """The check an edited dialplan passes before Asterisk may load it (dialplan_good.Gate): the lint
    and a scratch Asterisk's load, then (`behaviour`) the test calls of `hotline dialplan test` in a
    scratch hotline. Problems come back one line each; their text is printed escaped."""
    def gate(s: Settings, directory: Path) -> list[str]:
        problems = static_problems(s, directory)
        if problems or not behaviour:
            return problems
        echo(f"dialplan: test calls against {directory} in a scratch hotline (about a minute)…", err=True)
        return [f"{directory}: test call 「{r.name}」 failed: {r.message}" for r in _test_calls(directory)
                if not r.passed]
    return gate


def _test_calls(directory: Path):
    from bench.scenarios import ScenarioResult, run_all  # noqa: PLC0415 — the bench (pjsua2) loads only for the test calls
    try:
        return run_all(directory, echo=lambda m: echo_lines(m, err=True))
    except Exception as exc:   # a scratch hotline that would not start fails the test, not the CLI
        return [ScenarioResult("scratch hotline", False, 0.0, f"{type(exc).__name__}: {exc}")]


@dialplan_app.command("reload")
def dialplan_reload(no_behaviour_test: bool = typer.Option(
        False, "--no-behaviour-test", help="skip the test calls (only the lint and a scratch Asterisk's load): "
                                           "an edit that changes what callers hear may get through")) -> None:
    """Check the edited dialplan (lint, a scratch Asterisk, the test calls of `dialplan test`), then make
    it the copy Asterisk reads and reload it; on any problem refuse and keep the last one that passed."""
    s = settings()
    if not runtime.running(s):
        fail("the hotline is not running — `hotline up` starts it")
    if no_behaviour_test:
        echo("hotline: warning: --no-behaviour-test: no test calls; an edit that changes what callers hear "
             "is not caught", err=True)
    # the copy Asterisk reads already holds these files: they passed when it was made
    problems = [] if is_current(s) else dialplan_gate(not no_behaviour_test)(s, s.dialplan_dir)
    for line in problems:
        echo(line)
    if problems:
        fail("已拒绝重新加载：请修正上述问题；运行中的热线保留上次通过检查的拨号方案。 — reload refused: fix the problems "
             "above; the live server keeps the last dialplan that passed")
    try:
        promote(s)
        echo_lines(runtime.reload_dialplan(s))
    except (HotlineError, AsteriskError, OSError) as exc:
        fail(str(exc))


@dialplan_app.command("test")
def dialplan_test(directory: Optional[Path] = typer.Argument(None, help="default: the live dialplan")) -> None:
    """Run the IVR scenario calls (real SIP) against DIR in a scratch hotline; pass/fail per scenario."""
    from bench.scenarios import run_all  # noqa: PLC0415 — the bench (pjsua2) loads only for `dialplan test`
    s = settings()
    results = run_all(directory or s.dialplan_dir, echo=echo_lines)
    failed = [r for r in results if not r.passed]
    echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


# --------------------------------------------------------------- agents --

#: where a password comes from: never argv (shell history, `ps`), always a prompt or a file
PASSWORD_NOT_ON_ARGV = ("密码不能写在命令行上（会留在 shell 历史和进程列表里）：请在提示时输入，或用 --password-file FILE"
                        "（仅属主可读；- 为标准输入）。 — a password is never given on the command line (shell history, "
                        "the process list): type it at the prompt, or give --password-file FILE (readable by its "
                        "owner only; - reads standard input)")
FORCE_HELP = "drop registered phones the database does not hold (refused without it)"


def _new_password(password_file: Optional[Path], argv_password: Optional[str], prompt: str) -> str:
    """A new password from the terminal (typed twice, not echoed) or from --password-file."""
    if argv_password is not None:
        fail(PASSWORD_NOT_ON_ARGV, 2)
    if password_file is None:
        return typer.prompt(prompt, hide_input=True, confirmation_prompt=True)
    try:
        if str(password_file) == "-":
            text = sys.stdin.readline()
        else:
            if password_file.is_file() and password_file.stat().st_mode & 0o077:
                fail(f"{password_file} 可被其他用户读取：请 chmod 600。 — {password_file} is readable by others: "
                     f"chmod 600 it (it holds a password)", 2)
            text = password_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"--password-file {password_file}: {exc}", 2)
    return text.removesuffix("\n").removesuffix("\r")    # the file's one line, as typed


def _check_phones(s: Settings, db, force: bool) -> None:
    """Before a change to people is committed: refuse it if the new agents' file would drop a phone
    registered now (nothing is written then)."""
    if runtime.running(s):
        try:
            runtime.refuse_dropping_registered(s, db, force)
        except HotlineError as exc:
            fail(str(exc))


def _reload_phones(s: Settings, db_sessions, force: bool = False) -> str:
    """Regenerate the agents' PJSIP endpoints and reload PJSIP in the live Asterisk."""
    if not runtime.running(s):
        return "(the hotline is not running: effective at the next `hotline up`)"
    try:
        return runtime.reload_agents(s, db_sessions, force)
    except (HotlineError, AsteriskError) as exc:
        fail(f"saved in the database, but the live phones were not reloaded: {exc}")


@agents_app.command("add")
def agents_add(agent_no: str, name: str,
               role: str = typer.Option("agent", "--role",
                                        help="agent | team_lead | head | admin | station | statistician (统计员: the reports "
                                             "alone, no phone)"),
               station: str = typer.Option("", "--station", help="for --role station: the station's code"),
               password_file: Optional[Path] = typer.Option(None, "--password-file", metavar="FILE",
                                                            help="read the password from FILE (0600; - = stdin); "
                                                                 "default: asked at the terminal"),
               password: Optional[str] = typer.Option(None, "--password", hidden=True),
               force: bool = typer.Option(False, "--force", help=FORCE_HELP)) -> None:
    """Add a person: desktop login (password of at least 10 characters), SIP endpoint with a
    generated secret."""
    s = settings()
    try:
        r = Role(role)
    except ValueError:
        fail(f"unknown role {role!r}; one of {', '.join(x.value for x in Role)}")
    pw = _new_password(password_file, password, "password")
    db_sessions = sessions(s)
    with db_sessions() as db:
        try:
            user = add_user(db, agent_no, name, r, pw)
            if r is Role.station or station:
                user.station_id = db.scalar(select(RepairStation.id).where(RepairStation.code == station))
                if r is not Role.station or user.station_id is None:
                    raise UserError(f"a station login needs --role station and a known --station (got {station!r})")
            _check_phones(s, db, force)
            db.commit()
        except UserError as exc:
            fail(str(exc))
    echo(f"{agent_no} {name} ({r.value}) added {_reload_phones(s, db_sessions, force)}")


@agents_app.command("reload")
def agents_reload(force: bool = typer.Option(False, "--force", help=FORCE_HELP)) -> None:
    """Regenerate the agents' PJSIP endpoints from the running hotline's database and reload them;
    refused when a registered phone would be dropped that the database does not hold."""
    s = settings()
    if not runtime.running(s):
        fail("the hotline is not running — `hotline up` starts it")
    db_sessions = sessions(s)
    with db_sessions() as db:
        _check_phones(s, db, force)
    echo(f"agents' phones {_reload_phones(s, db_sessions, force)}")


@agents_app.command("list")
def agents_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Everyone with a login."""

    with sessions(settings())() as db:
        rows = [{"agent_no": u.agent_no, "name": u.name, "role": u.role.value, "active": u.active,
                 "sip_user": endpoint(u.agent_no) if has_phone(u.role.value) else None}   # a station: no phone
                for u in db.scalars(select(User).order_by(User.agent_no))]
    if as_json:
        echo_json(rows)
        return
    echo_table(["工号", "姓名", "角色", "状态"],
               [[r["agent_no"], r["name"], r["role"], "active" if r["active"] else "disabled"] for r in rows])


@agents_app.command("pauses")
def agents_pauses(since: Optional[str] = typer.Option(None, help="from this day (YYYY-MM-DD; default today)"),
                  until: Optional[str] = typer.Option(None, help="up to this day, exclusive (default: now)"),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """Time each agent spent out of the queue, per reason (示忙 reasons, 话后整理, 未接听)."""
    s = settings()
    now = s.now()
    try:
        start = datetime.fromisoformat(since) if since else datetime.combine(now.date(), datetime.min.time())
        end = datetime.fromisoformat(until) if until else now
    except ValueError:
        raise typer.BadParameter("dates are YYYY-MM-DD")
    with sessions(s)() as db:
        rows = pause_totals(db, start, end)
    if as_json:
        echo_json(rows)
        return
    echo_table(["工号", "姓名", "原因", "次数", "分钟"],
               [[r["agent_no"], r["name"], r["reason"], r["times"], r["seconds"] // 60] for r in rows])


@agents_app.command("disable")
def agents_disable(agent_no: str, force: bool = typer.Option(False, "--force", help=FORCE_HELP)) -> None:
    """Disable a login at once: sessions end, SIP registration and queue membership are cut."""
    s = settings()
    db_sessions = sessions(s)
    with db_sessions() as db:
        try:
            disable_user(db, agent_no)
            _check_phones(s, db, force)
            db.commit()
        except UserError as exc:
            fail(str(exc))
    echo(f"{agent_no} disabled {_reload_phones(s, db_sessions, force)}")


@agents_app.command("passwd")
def agents_passwd(agent_no: str,
                  password_file: Optional[Path] = typer.Option(None, "--password-file", metavar="FILE",
                                                               help="read the password from FILE (0600; - = stdin); "
                                                                    "default: asked at the terminal"),
                  password: Optional[str] = typer.Option(None, "--password", hidden=True),
                  force: bool = typer.Option(False, "--force", help=FORCE_HELP)) -> None:
    """Set a new desktop password (at least 10 characters; unlocks a locked account); ends the
    person's sessions and rotates their SIP secret."""
    s = settings()
    pw = _new_password(password_file, password, "new password")
    db_sessions = sessions(s)
    with db_sessions() as db:
        try:
            set_password(db, agent_no, pw)
            _check_phones(s, db, force)
            db.commit()
        except UserError as exc:
            fail(str(exc))
    echo(f"{agent_no}: password changed, sessions ended {_reload_phones(s, db_sessions, force)}")


# -------------------------------------------------------- display tokens --

display_app = typer.Typer(help="Wall displays (大屏): a token that opens the wall page and nothing else.",
                          no_args_is_help=True)
app.add_typer(display_app, name="display-token")


@display_app.command("create")
def display_token_create(name: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """A token for the big screen NAME, and the wall's address to open there (shown once: only its hash is kept)."""
    s = settings()
    with sessions(s)() as db, db.begin():
        try:
            row, token = create_token(db, name, s.now())
        except DisplayTokenError as exc:
            fail(str(exc))
        made = token_dict(row)
    api_url = (read_state(s) or {}).get("api_url")
    url = wall_url(api_url, token)
    if as_json:
        echo_json({**made, "token": token, "url": url if api_url else None, "path": wall_url("", token)})
        return
    echo(f"display token {made['id']} 「{made['name']}」 created; it is shown this once:")
    echo(f"  token  {token}")
    if api_url:
        echo(f"  open on the big screen  {url}")
        if "://127.0.0.1:" in api_url or "://localhost:" in api_url:
            echo("  (本机地址:大屏在另一台电脑上时,用 `hotline up --lan` 启动 — a screen on another PC needs "
                 "`hotline up --lan`)")
    else:
        echo(f"  open on the big screen  <the agent API's address>{wall_url('', token)}")
        echo("  (the hotline is not running: `hotline up` prints the agent API's address)")
    echo("`hotline display-token revoke NAME` ends it.")


@display_app.command("revoke")
def display_token_revoke(name_or_id: str = typer.Argument(..., metavar="NAME|ID")) -> None:
    """Revoke a display token: its screen shows that it was revoked within seconds."""
    s = settings()
    with sessions(s)() as db, db.begin():
        try:
            row = revoke_token(db, name_or_id, s.now())
        except DisplayTokenError as exc:
            fail(str(exc))
        echo(f"display token {row.id} 「{row.name}」 revoked")


@display_app.command("list")
def display_token_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every display token: name, created, last used, revoked (never the token)."""
    with sessions(settings())() as db:
        rows = list_tokens(db)
    if as_json:
        echo_json(rows)
        return
    echo_table(["编号", "名称", "状态", "创建", "最近使用", "吊销"],
               [[r["id"], r["name"], "有效" if r["state"] == "active" else "已吊销", r["created_at"],
                 r["last_used_at"], r["revoked_at"]] for r in rows])


# -------------------------------------------------------------- reports --

report_app = typer.Typer(help="报表: the daily report (每日报修、报修完成、回访), weeks, months, the season; "
                              "the head's sign-off.", no_args_is_help=True)
app.add_typer(report_app, name="report")
DATE_HELP = "a reporting day, YYYY-MM-DD (it runs from HOTLINE_REPORT_DAY_START to the same time the next day)"
PDF_HELP = "also write it as the customer prints it: A4 PDF, Chinese, with charts (needs fonts-wqy-zenhei)"


def _reports(s: Settings):
    try:
        return hotline_reports(s, sessions(s))
    except ValueError as exc:
        fail(f"bad HOTLINE_* setting: {exc}")


def _report_day(text: str):
    try:
        return parse_day(text)
    except RuleError as exc:
        fail(exc.message, 2)


def _show_report(kind: str, day_text: str, as_json: bool, xlsx: Optional[Path], signed: bool = False,
                 pdf: Optional[Path] = None) -> None:
    s = settings()
    day = _report_day(day_text)
    reports = _reports(s)
    files = {fmt: path for fmt, path in (("xlsx", xlsx), ("pdf", pdf)) if path is not None}
    try:
        with progress_bar(on_terminal(as_json) and kind != "daily", f"{KIND_WORDS.get(kind, kind)}: days") as shown:
            if signed:
                r = reports.as_signed(None, day)
            elif files:
                try:
                    r = reports.export_files(None, kind, day, files, shown)
                except OSError as exc:
                    fail(f"{exc.filename or ''}: {exc}")
            else:
                r = reports.period(None, kind, day, shown)
    except RuleError as exc:
        _rule_failed(exc)
    if as_json:
        echo_json(r)
    else:
        echo_lines(report_tables(r))
    for path in files.values():
        echo(f"{path}: written", err=True)


def _pct(v: float | None) -> str | None:
    return None if v is None else f"{v:.1%}"


def _table(title: str, header: list[str], rows: list[list]) -> Table:
    t = Table(title=title, title_justify="left")
    for h in header:
        t.add_column(h)
    for r in rows:
        t.add_row(*map(cell, r))
    return t


def report_tables(r: dict) -> str:
    """The report as Chinese tables for the terminal (plain text: no colour, no control sequence)."""
    t, q = r["tickets"], r["queue"]
    sv, cb = t["survey"], r["callbacks"]
    out = Console(width=110, no_color=True, force_terminal=False, file=io.StringIO())
    signed = r.get("signed")
    head = f"{KIND_WORDS.get(r['kind'], r['kind'])} {r['period']['from']} → {r['period']['to']}  生成于 {r['generated_at']}"
    out.print(Text(printable(head)))
    if signed:
        differs = r.get("differs_from_signed") or []
        out.print(Text(printable(f"已由 {signed['by']} {signed['name']} 于 {signed['at']} 签发 (sha256 {signed['sha256'][:16]}…)"
                                 + (f";此后有 {len(differs)} 项数字变化" if differs else ""))))
    if r["kind"] != "daily":
        out.print(Text(printable(f"已签发 {r['days_signed']} 天;未签发: {', '.join(r['days_unsigned']) or '无'};"
                                 f"与签发不符: {', '.join(d['day'] for d in r['days_differ']) or '无'}"
                                 + (f"({recheck_note(r)})" if recheck_note(r) else ""))))
    out.print(_table("一、报修受理", ["受理", "不热", "漏水", "异响", "其他", *CHANNEL_WORDS.values(), "重开", "待确认"],
                     [[t["received"], *(t["by_problem"].get(k, 0) for k in ("no_heat", "leak", "noise", "other")),
                       *t["by_channel"].values(), t["reopened"], t["drafts_waiting"]]]))
    out.print(_table("按片区 / 维修站", ["分组", "项目", "受理"],
                     [["片区", k, v] for k, v in t["by_district"].items()]
                     + [["维修站", k, v] for k, v in t["by_station"].items()]))
    out.print(_table("二、报修完成", ["维修站", "返单"], [[k, v] for k, v in t["completed_by_station"].items()]
                     + [["合计", t["completed"]]]))
    out.print(_table("三、回访", ["回访", "已解决", "解决率", "满意", "普通", "不满意", "平均分", "催缴提醒"],
                     [[sv["surveys"], sv["solved"], _pct(sv["solved_rate"]), *sv["attitude"].values(), sv["score_avg"],
                       sv["fee_reminders"]]]))
    ages = t["open_by_age"]
    out.print(_table("日终未完成", ["4小时内", "4–24小时", "1–3天", "3天以上", "合计"],
                     [[ages["lt_4h"], ages["4h_24h"], ages["1d_3d"], ages["gt_3d"], ages["total"]]]))
    out.print(_table("异常事件", ["类型", "登记", "未处理", "已处理", "已关闭", "日终未关闭"],
                     [[ANOMALY_WORDS.get(k, k), v["opened"], v["open"], v["handled"], v["closed"], v["open_at_end"]]
                      for k, v in r["anomalies"].items() if v["opened"] or v["open_at_end"]]))
    if r["complaints"]:
        out.print(_table("投诉", ["编号", "类型", "报修单", "登记", "状态", "处理结果"],
                         [[c["id"], c["label"], c["ticket"], c["opened_at"], STATE_WORDS.get(c["state"], c["state"]), c["result"]]
                          for c in r["complaints"]]))
    out.print(_table("回电", ["申请", "已联系上", "日终待回电", "首次回电平均(秒)", "最长(秒)"],
                     [[cb["requested"], cb["reached"], cb["outstanding"], cb["first_attempt_avg_s"],
                       cb["first_attempt_max_s"]]]))
    out.print(_table(f"话务(进线 {q['offered']})", ["去向", "数量", "来源"],
                     [[b["label"], b["count"], b["source"]] for b in q["breakdown"]]
                     + [[f"其中放弃≤{q['short_abandon_s']}秒", q["abandoned_short"], ""]]))
    out.print(_table("话务指标", ["服务水平", "SL(Asterisk)", "SL2", "放弃率", "ASA(秒)", "最长等待(秒)", "AHT(秒)"],
                     [[_pct(q["service_level_20s"]), _pct(q["sl_asterisk"]), _pct(q["sl2"]), _pct(q["abandon_rate"]), q["asa_s"],
                       q["longest_wait_max_s"], q["aht_s"]]]))
    out.print(Text(printable(f"服务水平 = {q['formulas']['service_level_20s']}")))
    if v := r.get("ivr"):
        out.print(_table(f"语音导航(呼入 {v['calls']})", ["IVR中挂机", "挂机率", "自助查询进度", "平均时长(秒)", "90%分位(秒)",
                                                       "最长(秒)"],
                         [[v["hung_up"], _pct(v["hung_up_rate"]), v["status_lookups"], v["time_avg_s"], v["time_p90_s"],
                           v["time_max_s"]]]))
        if v["hangups"]:
            out.print(_table("在哪一步挂机", ["步骤", "挂机"], [[h["label"], h["count"]] for h in v["hangups"]]))
    out.print(_table("座席", ["工号", "姓名", "接听", "外呼", "通话(秒)", "保持(秒)", "话后整理(秒)", "未接听", "在线(秒)",
                            "示忙(秒)"],
                     [[a["agent_no"], a["name"], a["answered"], a["made"], a["talk_s"], a.get("hold_s", "—"), a["wrapup_s"],
                       a["ring_no_answer"], a["logged_in_s"], sum(a["pause_s"].values())] for a in r["agents"]]))
    out.print(_table("维修站", ["维修站", "派单", "接单(秒)", "联系(秒)", "完成(秒)", "返单", "超时率", "返修率", "满意率"],
                     [[st["name"], st["dispatched"], st["accept_avg_s"], st["contact_avg_s"], st["complete_avg_s"],
                       st["complete_n"], _pct(st["over_limit_rate"]), _pct(st["reopened_rate"]), _pct(st["satisfied_rate"])]
                      for st in r["stations"]]))
    if r["hot_spots"]:
        out.print(_table("热点(集中不热)", ["片区", "小区", "楼", "报修", "首报", "末报"],
                         [[h["district"], h["compound"], h["building"] or "全小区", h["repairs"], h["first"], h["last"]]
                          for h in r["hot_spots"]]))
    if r["repeat_callers"]:
        out.print(_table("重复来电", ["号码", "来电", "报修单"],
                         [[c["caller"], c["calls"], c["tickets"]] for c in r["repeat_callers"]]))
    if fc := r.get("first_call"):
        rate = f"待定(目前 {_pct(fc['fcr_so_far'])})" if fc["status"] == "pending" else _pct(fc["fcr_rate"])
        out.print(_table("首次解决与重复来电", ["受理", f"{fc['window_days']}天内再次来电", "首次解决率", "来电号码", "重复来电号码",
                                            "重复来电率"],
                         [[fc["received"], fc["called_again"], rate, fc["callers"], fc["repeat_callers"],
                           _pct(fc["repeat_rate"])]]))
    if r["disagreements"]:
        out.print(_table("话务核对不一致", ["项目", "queue_log", "话单", "来电"],
                         [[d["what"], d["queue_log"], d["call_records"], " ".join(d["calls"][:5])]
                          for d in r["disagreements"]]))
    if r.get("differs_from_signed"):
        out.print(_table("与签发不符", ["数字", "签发时", "现在"],
                         [[c["figure"], c["signed"], c["now"]] for c in r["differs_from_signed"]]))
    return out.file.getvalue()


@report_app.command("daily")
def report_daily(date_: str = typer.Option(..., "--date", help=DATE_HELP), as_json: bool = typer.Option(False, "--json"),
                 xlsx: Optional[Path] = typer.Option(None, "--xlsx", metavar="FILE", help="also write it as XLSX"),
                 pdf: Optional[Path] = typer.Option(None, "--pdf", metavar="FILE", help=PDF_HELP),
                 signed: bool = typer.Option(False, "--signed", help="the archive: the report exactly as signed")) -> None:
    """The day's report as the data say now; a signed day also says who signed and which figures
    changed since (differs_from_signed)."""
    if signed and (xlsx or pdf):
        fail("--signed shows the archive; --xlsx / --pdf export the report as the data say now (with the "
             "signature and what changed since): give one or the other", 2)
    _show_report("daily", date_, as_json, xlsx, signed, pdf)


def _period_command(kind: str):
    def command(date_: str = typer.Option(..., "--date", help="any day inside the period, YYYY-MM-DD"),
                as_json: bool = typer.Option(False, "--json"),
                xlsx: Optional[Path] = typer.Option(None, "--xlsx", metavar="FILE", help="also write it as XLSX"),
                pdf: Optional[Path] = typer.Option(None, "--pdf", metavar="FILE", help=PDF_HELP)) -> None:
        _show_report(kind, date_, as_json, xlsx, pdf=pdf)
    command.__doc__ = (f"The {KIND_WORDS[kind]}: the sum of its days (signed days as signed); says which days "
                       f"are not signed and which differ from what was signed.")
    return command


for _kind in ("weekly", "monthly", "season"):
    report_app.command(_kind)(_period_command(_kind))


@report_app.command("sign")
def report_sign(date_: str = typer.Option(..., "--date", help=DATE_HELP),
                as_: str = typer.Option(..., "--as", help="the 工号 of the head signing it")) -> None:
    """Sign a finished day (the head): its report is frozen as generated now, with its SHA-256."""
    day = _report_day(date_)
    s = settings()
    db_sessions = sessions(s)
    try:
        with db_sessions() as db:
            actor = actor_for(db, as_)
        got = _reports(s).sign(actor, day)
    except Refused as exc:   # refused like the API refuses, and audited the same way
        with db_sessions() as db, db.begin():
            add_audit(db, as_, exc.action, exc.object_type, exc.object_id, via="cli")
        _rule_failed(exc)
    except RuleError as exc:
        _rule_failed(exc)
    echo(f"{got['day']} 日报已签发: {got['signed']['by']} {got['signed']['at']} sha256 {got['signed']['sha256']}")


@report_app.command("send")
def report_send(date_: str = typer.Option(..., "--date", help=DATE_HELP), as_json: bool = typer.Option(False, "--json"),
                timeout: int = typer.Option(0, "--timeout", min=0,
                                            help="seconds to wait for the answer (default: HOTLINE_SMTP_TIMEOUT_S + 60)")
                ) -> None:
    """E-mail the day's report (XLSX + PDF) now to HOTLINE_REPORT_MAIL_TO, whatever the schedule: the
    running service sends it with its own mail settings and relay (the SMTP password never leaves it),
    records the attempt, and this prints how it went (exit 1: not sent)."""
    day = _report_day(date_)
    s = settings()
    _, end = day_bounds(day, _reports(s).policy)
    if end > s.now():
        fail(f"{day} 的报表日尚未结束(至 {end:%Y-%m-%d %H:%M}),日报还不能发出", 2)
    if not runtime.running(s):
        fail("the hotline is not running — `hotline up` starts it (its service sends the e-mail)")
    mail = ReportMail(sessions(s), s.now, None, None)
    rid = mail.request(day)
    deadline = time.monotonic() + (timeout or s.smtp_timeout_s + 60)
    answer = mail.request_answer(rid)
    while answer["at"] is None and time.monotonic() < deadline:
        time.sleep(0.5)
        answer = mail.request_answer(rid)
    if answer["at"] is None:
        fail(f"no answer from the service yet; it sends the e-mail when it can (see {s.log_dir / 'service.log'})")
    if as_json:
        echo_json(answer)
    elif answer["ok"]:
        echo(f"{answer['day']} 日报已发送至 {', '.join(answer['recipients'])}(第 {answer['attempt']} 次)")
    else:
        echo(f"{answer['day']} 日报未能发送(第 {answer['attempt']} 次):{answer['error']}")
    if not answer["ok"]:
        raise typer.Exit(1)


# ------------------------------------------------------------ recordings and QA (#28) --
recordings_app = typer.Typer(help="录音: find a recording, apply to delete an empty one (team leads), verify every "
                                  "seal (sha256).", no_args_is_help=True)
app.add_typer(recordings_app, name="recordings")
qa_app = typer.Typer(help="录音抽查: the daily sample (≥10 % per agent), the results of a month, the standards.",
                     no_args_is_help=True)
app.add_typer(qa_app, name="qa")


def _book(s: Settings) -> RecordingBook:
    return RecordingBook(sessions(s), s.now, s.recordings_dir, s.recordings_empty_peak_db)


def _qa(s: Settings) -> QaWork:
    try:
        return QaWork(sessions(s), s.now, qa_policy(s), report_policy(s), qa_sample_secret(s).encode())
    except ValueError as exc:
        fail(f"bad HOTLINE_* setting: {exc}")


def _as_actor(s: Settings, agent_no: Optional[str]):
    """The person named with --as (None: the admin's own view)."""
    if not agent_no:
        return None
    try:
        with sessions(s)() as db:
            return actor_for(db, agent_no)
    except RuleError as exc:
        _rule_failed(exc)


def _refusal(s: Settings, agent_no: str, exc: RuleError) -> None:
    """A refusal printed with its words; a refused role audited like the API's."""
    if isinstance(exc, Refused) and agent_no:
        with sessions(s)() as db, db.begin():
            add_audit(db, agent_no, exc.action, exc.object_type, exc.object_id, via="cli")
    _rule_failed(exc)


def _wake_recordings(s: Settings) -> None:
    """The running service recounts the flagged recordings and tells the team leads now."""
    if not runtime.running(s):
        return
    try:
        with ami_session(s) as ami:
            ami.action(ami_action("UserEvent", UserEvent=RECORDINGS_WAKE_EVENT))
    except (RuntimeError, OSError, TimeoutError) as exc:
        echo(f"hotline: could not tell the service ({exc}); the team leads see it within 30 s", err=True)


@recordings_app.command("find")
def recordings_find(ticket: str = typer.Option("", "--ticket", help="a ticket number"),
                    phone: str = typer.Option("", "--phone", help="the resident's number (caller or call-back)"),
                    agent: str = typer.Option("", "--agent", help="an agent's 工号"),
                    since: str = typer.Option("", "--since", help="YYYY-MM-DD[THH:MM]"),
                    until: str = typer.Option("", "--until", help="YYYY-MM-DD[THH:MM] (a day: to its end)"),
                    direction: str = typer.Option("", "--direction", help="in | out | survey (回访) | transfer"),
                    as_: Optional[str] = typer.Option(None, "--as", help="search as this 工号 (their rights)"),
                    as_json: bool = typer.Option(False, "--json")) -> None:
    """Recordings by ticket, number, agent, time and leg, newest first; deleted ones say who, when, why."""
    if not any((ticket, phone, agent, since, until, direction)):
        fail("name at least one of --ticket, --phone, --agent, --since, --until, --direction", 2)
    s = settings()
    actor = _as_actor(s, as_)
    try:
        rows = _book(s).find(actor, ticket, phone, agent, since, until, direction)
    except RuleError as exc:
        _refusal(s, as_ or "", exc)
    if as_json:
        echo_json(rows)
        return
    echo_table(["录音", "时间", "方向", "座席", "报修单", "时长(秒)", "状态", "删除"],
               [[r["id"], r["at"], r["direction"], r["agent"], r["ticket"], r["duration_s"], r["health"],
                 f"{r['deleted']['at']} {r['deleted']['by']}: {r['deleted']['reason']}" if r["deleted"] else ""]
                for r in rows])


@recordings_app.command("delete")
def recordings_delete(recording: str = typer.Argument(..., metavar="ID"),
                      as_: str = typer.Option(..., "--as", help="the 工号 of the team lead applying"),
                      reason: str = typer.Option(..., "--reason", help="why (written down with the row)")) -> None:
    """Apply to delete an empty recording: refused unless the service measures it empty (no sample above
    HOTLINE_RECORDINGS_EMPTY_PEAK_DB) and the person is a team lead. The row stays: sha256, duration,
    who, when, why."""
    if control_char(reason, True) is not None:
        fail("the reason holds a control character", 2)
    s = settings()
    actor = _as_actor(s, as_)
    try:
        r = _book(s).delete(actor, recording, reason)
    except RuleError as exc:
        _refusal(s, as_, exc)
    echo(f"录音 {r['id']} 已删除 (sha256 {r['sha256']}, {r['duration_s']} s): {r['deleted']['reason']}")


@recordings_app.command("verify")
def recordings_verify(as_json: bool = typer.Option(False, "--json")) -> None:
    """Check every seal (each sealed recording's sha256 against its file) and flag answered calls
    with no recording; a broken seal or a missing recording raises the recordings alert on the team
    leads' desks and in `hotline status` (exit 1 when any is broken or missing)."""
    s = settings()
    got = _book(s).verify()
    if got["newly_flagged"]:
        _wake_recordings(s)
    if as_json:
        echo_json(got)
    else:
        echo(f"{got['checked']} sealed recordings checked: {got['whole']} whole, {len(got['broken'])} broken; "
             f"{len(got['missing'])} answered call(s) newly found without a recording")
        for b in got["broken"]:
            echo(f"  ⚠ recording {b['id']}: {b['problem']} ({b['path']})")
    if got["broken"] or got["missing"]:
        raise typer.Exit(1)


@qa_app.command("sample")
def qa_sample(date_: str = typer.Option(..., "--date", help=DATE_HELP), as_json: bool = typer.Option(False, "--json")) -> None:
    """The reporting day's sample: per agent who took or made calls, ≥ HOTLINE_QA_SAMPLE_SHARE of their
    answered calls (at least one), drawn with the server's secret and the date, plus calls added by
    hand; each with its check or none. A finished day's draw is stored the first time it is asked."""
    day = _report_day(date_)
    s = settings()
    try:
        got = _qa(s).sample(None, day)
    except RuleError as exc:
        _rule_failed(exc)
    if as_json:
        echo_json(got)
        return
    echo(f"{got['day']} 录音抽查{'' if got['final'] else '(当日未结束,抽样暂定)'}")
    echo_table(["工号", "姓名", "接听", "应抽", "抽查", "已检查"],
               [[a["agent_no"], a["name"], a["answered"], a["quota"], a["sample"], a["checked"]] for a in got["agents"]])
    echo_table(["录音", "座席", "通话", "方向", "类型", "检查"],
               [[r["recording"], r["agent"], r["call"], r["direction"], r["kind"],
                 "未检查" if not r["checked"] else ("合格" if r["check"]["passed"] else "不合格")] for r in got["sample"]])


@qa_app.command("results")
def qa_results(month: str = typer.Option(..., "--month", help="YYYY-MM"),
               as_: Optional[str] = typer.Option(None, "--as", help="as this 工号 (an agent sees their own)"),
               as_json: bool = typer.Option(False, "--json")) -> None:
    """A month per agent: calls, checked, passed, findings by type, fines, praise, complaints against the
    2 % / 1 % limits, retraining; per checker: checked and passes contradicted by a complaint."""
    s = settings()
    actor = _as_actor(s, as_)
    try:
        got = _qa(s).results(actor, month)
    except RuleError as exc:
        _refusal(s, as_ or "", exc)
    if as_json:
        echo_json(got)
        return
    echo(f"{got['month']} 录音检查结果")
    echo_table(["工号", "姓名", "通话", "检查", "合格率", "严重", "罚款(元)", "投诉", "知情不报", ""],
               [[a["agent_no"], a["name"], a["calls"], a["checked"], _pct(a["pass_rate"]), a["serious"], a["fine_total"],
                 a["complaints"], a["peer"]["unreported"], "需轮训" if a["retraining"] else ""] for a in got["agents"]])
    echo_table(["检查人", "检查", "合格", "合格后被投诉"],
               [[c["agent_no"], c["checked"], c["passed"], c["contradicted"]] for c in got["checkers"]])


@qa_app.command("standards")
def qa_standards(as_json: bool = typer.Option(False, "--json")) -> None:
    """Load the standards' data files (a new version of a changed one) and show the ones in force."""
    s = settings()
    work = _qa(s)
    try:
        added = work.load_standards()
    except StandardError as exc:
        fail(str(exc))
    cards = work.scorecards(None)
    if as_json:
        echo_json({"added": added, "scorecards": cards})
        return
    for c in cards:
        echo(f"{c['kind']:15} v{c['version']}  {c['title']}  ({len(c['items'])} 项)")
    if added:
        echo(f"loaded: {', '.join(added)}", err=True)


backup_cli.register(app, recordings_app)   # backup, restore, recordings usage (#29)
supervise_cli.register(app)                # alerts (#30)
register_install(app, echo, echo_json, fail)   # install --system, system-prepare, system-ready


def main() -> None:
    os.umask(0o077)   # secrets, the DB, generated config: the owner's alone
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
