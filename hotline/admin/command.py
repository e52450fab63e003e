"""What every `hotline` command shares (hotline.cli and hotline.cli_ops alike): its output — every
line printed goes through here — the settings it acts with, and its database."""
from __future__ import annotations

import io
import json
import os
import shutil
import sys
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

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


def cell(v) -> Text:
    """Stored text as data: escaped for the terminal, never read as rich markup."""
    if isinstance(v, float):
        v = f"{v:.1f}"
    return Text(printable("-" if v is None else str(v)))


def echo_table(header: list[str], rows: list[list]) -> None:
    """Rows as aligned columns (rich measures CJK characters as two columns: 张三 lines up with Bob);
    no border, each line starting with its first cell. As wide as the terminal, unbounded into a pipe."""
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 1000
    t = Table(box=None, pad_edge=False, header_style=None, highlight=False)
    for h in header:
        t.add_column(h, overflow="fold")
    for r in rows:
        t.add_row(*map(cell, r))
    out = Console(width=width, no_color=True, force_terminal=False, highlight=False, file=io.StringIO())
    out.print(t)
    echo_lines("\n".join(line.rstrip() for line in out.file.getvalue().splitlines()))


def on_terminal(as_json: bool = False) -> bool:
    """A person watches: output to a terminal, not --json (progress bars are for them alone)."""
    return not as_json and sys.stdout.isatty() and sys.stderr.isatty()


@contextmanager
def progress_bar(shown: bool, what: str):
    """A progress bar on the admin's terminal (rich, on stderr, gone when done), nothing otherwise
    (a pipe, --json): yields the callback `progress(done, total)` or None."""
    if not shown:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(printable(what), total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def fail(message: str, code: int = 1) -> None:
    echo(f"hotline: {message}", err=True)
    raise typer.Exit(code)


def shell_settings() -> Settings:
    """The settings this shell's environment gives (`up`, `down`, `status`: before binding)."""
    try:
        return load_settings()
    except (ValueError, TypeError) as exc:
        fail(f"bad configuration — {'; '.join(getattr(exc, 'problems', [str(exc)]))} (`hotline config check`)")


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
        echo(f"hotline: note: {', '.join(differs)} in this shell's configuration differ from what the running hotline was "
                   f"started with; the running hotline's are used (`hotline down` and `up` to change them)", err=True)
    return live


def sessions(s: Settings):
    try:
        return prepare_database(s)
    except HotlineError as exc:
        fail(str(exc))
