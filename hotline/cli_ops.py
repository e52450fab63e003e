"""`hotline db upgrade|current`, `hotline --version` and the calendar's warning (#29: upgrades on
purpose, calendar data that does not silently expire). Registered in hotline.cli.

Only `hotline db upgrade` migrates; every other command and the service refuse a schema that is
behind or ahead (hotline.admin.runtime.prepare_database, db.session.SchemaState.refusal).
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import typer

from db.session import schema_head
from hotline.admin.command import echo, echo_json, fail, shell_settings
from hotline.admin.runtime import HotlineError, database_schema, masked_url, upgrade_database

DISTRIBUTION = "dalong-hotline"

db_app = typer.Typer(help="The database's schema: where it stands, and the upgrade (the only command that "
                          "migrates).", no_args_is_help=True)


def package_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:   # run from a checkout that was never installed
        return "unknown"


def version_text() -> str:
    return f"hotline {package_version()} (schema {schema_head()})"


def _show_version(show: bool) -> None:
    if show:
        echo(version_text())
        raise typer.Exit()


def version_callback(show_version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                                       help="the release and the database schema it needs, "
                                                            "then exit")) -> None:
    """大龙供暖报修热线 — heating-repair hotline on Asterisk."""


def calendar_line(st: dict, err: bool = False) -> None:
    """The holiday data's warning of a status (runtime.status' "calendar"), when there is one."""
    warning = (st.get("calendar") or {}).get("warning")
    if warning:
        echo(f"  ⚠ {warning}", err=err)


#: what the states mean to the admin, and the exit status of `db current` (0: the service may run)
STATE_WORDS = {"current": ("up to date", 0), "behind": ("behind: run `hotline db upgrade`", 1),
               "ahead": ("ahead: a newer release upgraded it; install that release", 1),
               "empty": ("empty: `hotline up` creates the schema", 1),
               "foreign": ("not a hotline database (tables, no schema revision)", 1)}


@db_app.command("current")
def db_current(as_json: bool = typer.Option(False, "--json", help="machine-readable")) -> None:
    """The database's schema revision against the one this release needs: current, behind (`hotline
    db upgrade`), ahead (a newer release upgraded it), empty. Exit 0 only when current."""
    s = shell_settings()
    try:
        state = database_schema(s)
    except HotlineError as exc:
        fail(str(exc))
    words, code = STATE_WORDS[state.state]
    if as_json:
        echo_json({**state.as_dict(), "database": masked_url(s.database_url), "release": package_version()})
    else:
        echo(f"{masked_url(s.database_url)}: schema {state.revision or '-'}, this release needs {state.head} — {words}")
    raise typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade(as_json: bool = typer.Option(False, "--json", help="machine-readable")) -> None:
    """Migrate the database to the schema this release needs (the hotline stopped: `hotline down`
    first; a backup first is wise). Nothing to do when it is current."""
    s = shell_settings()
    try:
        before, after = upgrade_database(s)
    except HotlineError as exc:
        fail(str(exc))
    if as_json:
        echo_json({"database": masked_url(s.database_url), "from": before.revision, "to": after.revision,
                   "changed": before.revision != after.revision})
    elif before.revision == after.revision:
        echo(f"{masked_url(s.database_url)}: schema {after.revision} is current; nothing to do")
    else:
        echo(f"{masked_url(s.database_url)}: schema {before.revision or '(empty)'} → {after.revision}")
