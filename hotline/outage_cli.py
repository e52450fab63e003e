"""`hotline outage set|list|end|callers` (区域停热, #30): outage notices from the admin's shell, on the
running hotline's configuration and database. Registered in hotline.cli. The rules are the desk's
(hotline.aftercall.outages.OutageBoard): `--as 工号` acts as that person (a team lead, the head, an
admin); without it the admin at the server acts (audited as `cli`)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from hotline.admin.command import echo, echo_json, echo_table, fail, sessions, settings
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


def _line(o: dict) -> list:
    return [o["id"], o["area"], o["until"].replace("T", " ")[:16], o["affected"], o["declared_by"],
            (o["ended_at"] or "").replace("T", " ")[:16] or "未结束", o["message"]]


_HEADER = ["编号", "区域", "预计恢复", "登记", "发布人", "结束", "通知"]


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
    """Open outages (or every one), latest first: area, expected end, `affected` (callers who keyed 1)."""
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
    number (once, if the number policy lets the hotline dial it) is booked for the 供热已恢复 call."""
    s, board = _board()
    o = _run(s, as_, board.end, outage_id, call_back)
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
    """The callers who keyed 1 on the outage's notice (numbers masked), and their call-back's state."""
    s, board = _board()
    rows = _run(s, as_, board.affected, outage_id)
    if as_json:
        echo_json(rows)
        return
    echo_table(["来电", "户号", "登记时间", "回电"],
               [[r["caller"], r["account_no"] or "", r["at"].replace("T", " "), r["callback"] or ""] for r in rows])
