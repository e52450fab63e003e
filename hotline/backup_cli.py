"""`hotline backup`, `hotline restore`, `hotline recordings usage`, and their lines in `hotline
status` (#29). The work is hotline.aftercall.backup and .compress; this is only the admin's words.

Registered on the CLI by `register(app, recordings_app, cli)`, `cli` being hotline.cli itself (its
settings, database and output helpers, looked up when a command runs)."""
from __future__ import annotations

from pathlib import Path

import typer
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from db.session import alembic_config, make_engine, session_factory
from hotline.admin import runtime
from hotline.admin.command import echo, echo_json, fail, on_terminal, progress_bar, sessions, settings, shell_settings
from hotline.aftercall import backup as bk
from hotline.aftercall import compress


def known_revision(url: str):
    """Whether this code's migrations know a schema revision (a backup of a newer hotline: no)."""
    scripts = ScriptDirectory.from_config(alembic_config(url))

    def known(rev: str) -> bool:
        try:
            return scripts.get_revision(rev) is not None
        except CommandError:
            return False
    return known


def status_lines(st: dict) -> list[str]:
    """`hotline status`'s lines for the last backup and the recordings' space (⚠ when late or filling)."""
    return backup_lines(st.get("backup") or {}) + usage_lines(st.get("recordings_usage") or {})


def backup_lines(b: dict) -> list[str]:
    lines = []
    if b.get("state") == "unknown":
        lines.append(f"  {'backup':18} unknown (the database does not answer)")
    elif b.get("configured") or b.get("last"):
        last = b.get("last")
        when = f"last good {last['at'].replace('T', ' ')[:16]} ({b['age_h']} h ago) in {last['dest']}" if last \
            else "none made yet"
        nightly = f"nightly at {b['at']} into {b['dir']}" if b.get("configured") else "nightly off (HOTLINE_BACKUP_DIR)"
        lines.append(f"  {'backup':18} {when}; {nightly}")
        if b.get("warning"):
            lines.append(f"  ⚠ {b['warning']}")
    else:
        lines.append(f"  {'backup':18} none made; nightly off (HOTLINE_BACKUP_DIR)")
    return lines


def usage_lines(u: dict) -> list[str]:
    lines = []
    if u:
        left = "∞" if u.get("days_left") is None else f"{u['days_left']:.0f}"
        lines.append(f"  {'recording_space':18} {u['used_mb']} MB used, +{u['growth_mb_per_day']} MB a day, "
                     f"{u['free_mb']} MB free: {left} days left")
        if u.get("warning"):
            lines.append(f"  ⚠ {u['warning']}")
    return lines


def register(app: typer.Typer, recordings_app: typer.Typer) -> None:
    """The commands, on the CLI's app and its `recordings` group."""

    @app.command("backup")
    def backup_cmd(dest: Path = typer.Argument(..., help="a folder on another disk; each backup goes into "
                                                          "DEST/<YYYYmmddTHHMMSS>/"),
                   as_json: bool = typer.Option(False, "--json", help="machine-readable, no progress")) -> None:
        """Back up the database and the recordings and voice messages while the hotline runs: SQLite's
        online backup (or pg_dump), files incrementally (one already in DEST's earlier backups is not
        copied again), a manifest of sha256. Written under a hidden name, renamed when complete."""
        s = settings()
        db_sessions = sessions(s)
        with progress_bar(on_terminal(as_json), "backing up") as shown:
            try:
                got = bk.backup(s, dest, db_sessions, db_sessions.kw["bind"], actor="cli", progress=shown)
            except bk.BackupError as exc:
                fail(str(exc))
        if as_json:
            echo_json(got)
            return
        echo(f"backup {got['backup']}: database ({got['database']['engine']}, schema {got['schema_revision']}) "
                 f"and {got['files']} files ({got['bytes'] / 1e6:.1f} MB): {got['copied']} copied "
                 f"({got['bytes_copied'] / 1e6:.1f} MB), {got['linked'] + got['named']} already in earlier "
                 f"backups; {got['seconds']} s")

    @app.command("restore")
    def restore_cmd(src: Path = typer.Argument(..., help="one backup (DEST/<stamp>) or a backup folder "
                                                         "(its newest backup)"),
                    as_json: bool = typer.Option(False, "--json", help="machine-readable, no progress")) -> None:
        """Restore a backup onto a STOPPED hotline: every sha256 of its manifest checked first (a damaged
        backup restores nothing and names the file), then the database (the one there is kept beside it)
        and the recordings and voice messages; the restored recordings' seals are checked."""
        s = shell_settings()
        if runtime.running(s):
            fail(f"the hotline is running from {s.home}: stop it first with `hotline down`, then restore")
        with progress_bar(on_terminal(as_json), "restoring") as shown:
            try:
                got = bk.restore(s, src, known_revision(s.database_url),
                                 (lambda _stage, done, total: shown(done, total)) if shown else None)
            except bk.BackupError as exc:
                fail(str(exc))
        engine = make_engine(s.database_url)
        try:
            got = bk.after_restore(s, session_factory(engine), got, actor="cli")
        finally:
            engine.dispose()
        if as_json:
            echo_json(got)
        else:
            echo(f"restored {got['backup']} (made {got['at']}, hotline {got['hotline_version']}, schema "
                     f"{got['schema_revision']}): database, {got['files']} files ({got['written']} written, "
                     f"{got['already_there']} already there)")
            if got["database_kept"]:
                echo(f"  the database that was there is kept as {got['database_kept']}")
            seals = got["seals"]
            echo(f"  recordings: {seals['whole']} of {seals['checked']} seals whole")
            echo("`hotline up` starts the hotline on it.")
        if got["seals"]["broken"]:
            fail(f"recordings whose file does not match its seal: {got['seals']['broken'][:20]}")

    @recordings_app.command("usage")
    def recordings_usage(as_json: bool = typer.Option(False, "--json")) -> None:
        """Space the recordings and voice messages take, growth per day over the last week, free space
        and the days it lasts (⚠ under HOTLINE_RECORDINGS_DAYS_LEFT_WARN days)."""
        s = settings()
        u = compress.usage(s, sessions(s))
        if as_json:
            echo_json(u)
            return
        for line in usage_lines(u):
            echo(line.strip())
        for fmt, a in (u["audio"] or {}).items():
            per = "-" if a["mb_per_hour"] is None else f"{a['mb_per_hour']} MB per hour"
            echo(f"  {fmt}: {a['hours']} h of sealed audio, {per}")
