"""`hotline outage set|list|end|callers` (区域停热, #30): outage notices from the admin's shell, on the
running hotline's configuration and database. Registered in hotline.cli. The rules are the desk's
(hotline.aftercall.outages.OutageBoard): `--as 工号` acts as that person (a team lead, the head, an
admin); without it the admin at the server acts (audited as `cli`)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from common.ami import ami_action
from common.naming import OUTAGE_WAKE_EVENT
from hotline.admin import runtime
from hotline.admin.amiclient import ami_session
from hotline.admin.command import echo, echo_json, echo_table, fail, sessions, settings
from hotline.aftercall.outage_calls import OUTCOME_WORDS
from hotline.aftercall.outages import OutageBoard
from hotline.aftercall.rules import Refused, RuleError, actor_for, add_audit

outage_app = typer.Typer(help="区域停热: outage notices callers of an area hear after the greeting (1: registered "
                              "as affected, no ticket).", no_args_is_help=True, rich_markup_mode=None)

_AS = typer.Option(None, "--as", help="act as this 工号 (a team lead, the head, an admin)")


def _board():
    s = settings()
    return s, OutageBoard(sessions(s), s.now, s)


def _run(s, agent_no: Optional[str], fn, *args):
    """`fn(actor, *args)`, with the person named by --as; a refusal printed (exit 2), a refused role
    audited as the API audits it."""
    try:
        actor = None
        if agent_no:
            with sessions(s)() as db:
                actor = actor_for(db, agent_no)
        return fn(actor, *args)
    except RuleError as exc:
        if isinstance(exc, Refused) and agent_no:
            with sessions(s)() as db, db.begin():
                add_audit(db, agent_no, exc.action, exc.object_type, exc.object_id, via="cli")
        fail(exc.message, 2)


def _call_backs(o: dict) -> str:
    """The 供热已恢复 calls in a cell: reached / failed / to call of those booked, refused numbers."""
    c = o.get("call_backs") or {}
    if not c.get("requested") and not c.get("refused"):
        return ""
    text = f"接通{c['reached']} 未接通{c['failed']} 待拨{c['pending']}"
    return text + (f" 不可拨{c['refused']}" if c.get("refused") else "")


def _line(o: dict) -> list:
    return [o["id"], o["area"], o["until"].replace("T", " ")[:16], o["affected"], o["declared_by"],
            (o["ended_at"] or "").replace("T", " ")[:16] or "未结束", _call_backs(o), o["message"]]


_HEADER = ["编号", "区域", "预计恢复", "登记", "发布人", "结束", "回电", "通知"]


def _wake(s) -> None:
    """Tell the running service the call-backs are booked (its dialer looks within seconds anyway)."""
    if not runtime.running(s):
        return
    try:
        with ami_session(s) as ami:
            ami.action(ami_action("UserEvent", UserEvent=OUTAGE_WAKE_EVENT))
    except (RuntimeError, OSError, TimeoutError):
        pass


def _outcome(r: dict) -> str:
    """A caller's call-back in words: its state, the attempts, the next try."""
    state = r.get("callback")
    if not state:
        return ""
    text = OUTCOME_WORDS.get(state, state)
    if r.get("callback_attempts"):
        text += f"(第{r['callback_attempts']}次)"
    if r.get("callback_next_at"):
        text += f",{r['callback_next_at'].replace('T', ' ')[:16]} 拨打"
    return text


@outage_app.command("set")
def outage_set(area: str = typer.Option(..., "--area", help="区/小区[/楼号], e.g. 和平区/幸福里小区"),
               until: str = typer.Option(..., "--until", help="the expected end, e.g. \"2026-12-02 18:00\""),
               message: str = typer.Option(..., "--message", help="what callers hear (rendered with TTS now)"),
               file: Optional[Path] = typer.Option(None, "--file", help="a recorded WAV to play instead of the TTS"),
               as_: Optional[str] = _AS, as_json: bool = typer.Option(False, "--json")) -> None:
    """Declare an outage: callers whose account lies in the area hear the message right after the
    greeting (within seconds), and 1 registers them as affected (no ticket, no queue). Refused
    (exit 2): an area no imported account lies in, an end not ahead, a message too long."""
    s, board = _board()
    o = _run(s, as_, board.declare, area, until, message, file)
    if as_json:
        echo_json(o)
        return
    echo(f"停热通知 {o['id']}: {o['area']} 预计 {o['until'].replace('T', ' ')[:16]} 恢复 — 来电住户会听到通知")


@outage_app.command("list")
def outage_list(every: bool = typer.Option(False, "--all", help="ended ones too"),
                as_: Optional[str] = _AS, as_json: bool = typer.Option(False, "--json")) -> None:
    """Open outages (or every one), latest first: area, expected end, `affected` (callers who keyed 1),
    `call_backs` (the 供热已恢复 calls: requested, reached, failed, pending, refused)."""
    s, board = _board()
    rows = _run(s, as_, board.list, not every)
    if as_json:
        echo_json(rows)
        return
    echo_table(_HEADER, [_line(o) for o in rows])


@outage_app.command("end")
def outage_end(outage_id: str = typer.Argument(..., metavar="ID"),
               call_back: bool = typer.Option(False, "--call-back",
                                              help="book the 供热已恢复 call to every affected caller"),
               as_: Optional[str] = _AS, as_json: bool = typer.Option(False, "--json")) -> None:
    """The heating is back: callers hear the notice no more. With --call-back every affected caller's
    number (once, if the number policy lets the hotline dial it) is booked for the 供热已恢复 call, which the
    running service places within the calling hours (HOTLINE_SURVEY_HOURS), retried per policy."""
    s, board = _board()
    o = _run(s, as_, board.end, outage_id, call_back)
    if call_back and o["call_backs"]["requested"]:
        _wake(s)
    if as_json:
        echo_json(o)
        return
    booked = o["call_backs"]
    echo(f"停热通知 {o['id']} ({o['area']}) 已结束; 登记住户 {o['affected']} 户"
         + (f", 供热已恢复回电 {booked['requested']} 个号码待拨" + (f", {booked['refused']} 个号码不可拨打"
                                                             if booked["refused"] else "") if call_back else ""))


@outage_app.command("callers")
def outage_callers(outage_id: str = typer.Argument(..., metavar="ID"), as_: Optional[str] = _AS,
                   as_json: bool = typer.Option(False, "--json")) -> None:
    """The callers who keyed 1 on the outage's notice (numbers masked), and their 供热已恢复 call-back:
    requested, placed, answered, reached, busy / no_answer / failed (retried per policy, then given up),
    refused (the number policy), off (outage calls off)."""
    s, board = _board()
    rows = _run(s, as_, board.affected, outage_id)
    if as_json:
        echo_json(rows)
        return
    echo_table(["来电", "户号", "登记时间", "回电"],
               [[r["caller"], r["account_no"] or "", r["at"].replace("T", " "), _outcome(r)] for r in rows])
