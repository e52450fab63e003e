"""`hotline alerts` (#30): the alerts the service raised on the line, for a script or a night lead at a
terminal — the same rows the board and the wall show (hotline.aftercall.alerts). Registered in hotline.cli."""
from __future__ import annotations

import typer

from hotline.admin.command import cell, echo, echo_json, echo_table, sessions, settings
from hotline.aftercall.alerts import AlertBook, alert_policy
from common import wire


def register(app: typer.Typer) -> None:
    app.command("alerts")(alerts)


def alerts(show_all: bool = typer.Option(False, "--all", help="also those acknowledged (the last 24 hours)"),
           as_json: bool = typer.Option(False, "--json", help="machine-readable")) -> None:
    """The alerts not acknowledged yet (long waits, no agent free, nobody logged in, long pauses,
    service level, hot spots), newest first; `--all` adds the acknowledged ones of the last 24 hours.
    A team lead acknowledges them on the desk's board."""
    s = settings()
    book = AlertBook(sessions(s), s.now, alert_policy(s))
    rows = book.list(None, open_only=not show_all)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        echo("no alert" + ("" if show_all else " waiting for acknowledgement"))
        return
    echo_table(["id", "raised", "kind", "message", "cleared", "acknowledged"],
               [[a["id"], a["raised_at"].replace("T", " "), wire.ALERT_LABELS.get(a["kind"], a["kind"]), cell(a["message"]),
                 (a["cleared_at"] or "").replace("T", " "),
                 f"{a['acked_by']} {a['acked_at'].replace('T', ' ')}" if a["acked_at"] else ""] for a in rows])
