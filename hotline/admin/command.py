"""What every `hotline` command shares (hotline.cli and hotline.cli_ops alike): its output — every
line printed goes through here — the settings it acts with, and its database."""
from __future__ import annotations

import json
import os

import typer

from common.settings import Settings, load_settings
from common.text import printable, printable_lines
from hotline.admin import runtime
from hotline.admin.runtime import HotlineError, prepare_database


def echo(text: object = "", err: bool = False) -> None:
    """One line of output. Everything `hotline` prints goes through here, `echo_lines` or
    `echo_json` (common.text): stored text — a resident's address, an agent's note, a caller id —
    can neither drive the admin's terminal (ESC, OSC, CR, RLO) nor forge another line."""
    typer.echo(printable(str(text)), err=err)


def echo_lines(text: object = "", err: bool = False) -> None:
    """Our own multi-line output (a log, the live queue view): its lines kept, each one escaped."""
    typer.echo(printable_lines(str(text)), err=err)


def echo_json(data) -> None:
    # json.dumps escapes C0 inside strings but not C1 or bidi characters with ensure_ascii=False
    echo_lines(json.dumps(data, ensure_ascii=False, indent=2))


def fail(message: str, code: int = 1) -> None:
    echo(f"hotline: {message}", err=True)
    raise typer.Exit(code)


def shell_settings() -> Settings:
    """The settings this shell's environment gives (`up`, `down`, `status`: before binding)."""
    try:
        return load_settings()
    except (ValueError, TypeError) as exc:
        fail(f"bad HOTLINE_* setting: {exc}")


def settings() -> Settings:
    """The settings a command acts with: bound to the hotline running from HOTLINE_HOME (its
    database, its Asterisk's settings), refused when this shell names another database."""
    s = shell_settings()
    try:
        live = runtime.bound_settings(s)
    except HotlineError as exc:
        fail(str(exc))
    differs = runtime.shell_differs(s, live, os.environ)
    if differs:
        echo(f"hotline: note: {', '.join(differs)} in this shell differ from what the running hotline was "
                   f"started with; the running hotline's are used (`hotline down` and `up` to change them)", err=True)
    return live


def sessions(s: Settings):
    try:
        return prepare_database(s)
    except HotlineError as exc:
        fail(str(exc))
