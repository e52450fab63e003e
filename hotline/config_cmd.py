"""`hotline config show|check`: the one configuration as this shell sees it (hotline.admin.config)."""
from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from hotline.admin import config
from common.settings import ConfigError, load
from common.text import printable, printable_lines

config_app = typer.Typer(help="The configuration: hotline.toml (HOTLINE_CONFIG, $HOTLINE_HOME/hotline.toml, "
                              "/etc/hotline/hotline.toml), then HOTLINE_* variables.", no_args_is_help=True)


def _json(data) -> None:
    # printable_lines: no stored text drives the terminal (json.dumps keeps C1 and bidi characters)
    typer.echo(printable_lines(json.dumps(data, ensure_ascii=False, indent=2)))


@config_app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="machine-readable")) -> None:
    """Every setting's effective value and where it came from (default, file, env); secrets masked."""
    try:
        loaded = load()
    except (ConfigError, TypeError) as exc:
        for line in getattr(exc, "problems", [str(exc)]):
            typer.echo(printable(f"hotline: {line}"), err=True)
        raise typer.Exit(1)
    shown = config.show(loaded)
    if as_json:
        _json(shown)
        return
    typer.echo(printable(f"configuration file: {shown['file'] or 'none (defaults and HOTLINE_* variables)'}"))
    table = Table(box=None, pad_edge=False)
    for title in ("setting", "value", "from"):
        table.add_column(title, overflow="fold")
    for name, row in shown["settings"].items():
        table.add_row(name, printable(str(row["value"])), printable(row["where"]))
    Console(soft_wrap=True).print(table, markup=False, highlight=False)


@config_app.command("check")
def check(as_json: bool = typer.Option(False, "--json", help="machine-readable")) -> None:
    """Validate the file and the environment (keys, types, values, the domain's rules) and the ports they
    name (free, or held by this hotline); exit 1 on any problem."""
    result = config.check()
    if as_json:
        _json(result.as_dict())
    else:
        typer.echo(printable(f"configuration file: {result.file or 'none'}"))
        for name, state in result.ports.items():
            typer.echo(printable(f"  {name:<13} {state}"))
        for note in result.notes:
            typer.echo(printable(f"note: {note}"))
        for problem in result.problems:
            typer.echo(printable(f"problem: {problem}"), err=True)
        typer.echo("configuration OK" if result.ok else f"{len(result.problems)} problem(s)")
    raise typer.Exit(0 if result.ok else 1)
