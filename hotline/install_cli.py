"""`hotline install --system`, and the two steps its systemd units run (`system-prepare`, `system-ready`).

Registered on the `hotline` app by hotline.cli (`register`), which hands over its output helpers.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional

import typer

from hotline.admin import system_install
from hotline.admin.asterisk import AsteriskError, system_asterisk
from hotline.admin.runtime import HotlineError, asterisk_for, prepare_supervised, record_supervised
from common.ports import Ports
from common.runstate import read_state
from common.settings import Settings, load_settings

PARTS = ("asterisk", "service")


def register(app: typer.Typer, echo: Callable, echo_json: Callable, fail: Callable) -> None:
    def settings() -> Settings:
        try:
            return load_settings()
        except (ValueError, TypeError) as exc:
            fail(f"bad setting: {exc}")

    @app.command("install")
    def install(system: bool = typer.Option(False, "--system", help="install as this server's supervised "
                                                                     "services (root)"),
                root: Optional[Path] = typer.Option(None, "--root", metavar="DIR",
                                                    help="write every file under DIR instead of / and run no "
                                                         "system command (say it instead): tests, packaging"),
                venv: Optional[Path] = typer.Option(None, "--venv", metavar="DIR",
                                                    help="the virtualenv the units run (default: this one)"),
                as_json: bool = typer.Option(False, "--json", help="machine-readable")) -> None:
        """Install the hotline on a server: the `hotline` user, /etc/hotline/hotline.toml, /var/lib/hotline,
        systemd units for Asterisk and the service, a logrotate policy (README: Install on a server)."""
        if not system:
            fail("only `hotline install --system` exists: `hotline up` runs a hotline without installing it")
        base = (root or Path("/")).absolute()
        if base == Path("/") and os.geteuid() != 0:
            fail("`hotline install --system` creates a system user and writes /etc: run it as root "
                 "(or with --root DIR to write the files under DIR)")
        lay = system_install.default_layout(venv.absolute() if venv else Path(sys.prefix),
                                            system_asterisk())
        inst = system_install.Installer(base, lay)
        inst.log = lambda m: echo(m, err=True)
        try:
            inst.install()
        except (system_install.InstallError, OSError) as exc:
            fail(f"install stopped: {exc}")
        if as_json:
            echo_json(inst.report())
            return
        words = {"done": "done   ", "updated": "updated", "kept": "kept   ", "would": "would  "}
        for step in inst.steps:
            echo(f"{words.get(step.state, step.state)} {step.what}{' ' + step.path if step.path else ''}"
                 f"{' — ' + step.note if step.note else ''}")
        if base == Path("/"):
            echo("next: edit /etc/hotline/hotline.toml (pstn_gateway, public_number), then "
                 "`systemctl start hotline` (it starts hotline-asterisk first)")

    @app.command("system-prepare")
    def system_prepare() -> None:
        """Run by the hotline-asterisk unit before Asterisk starts: checks, database, prompts, Asterisk's
        configuration and the run state, on the configured fixed ports."""
        try:
            st = prepare_supervised(settings(), log=lambda m: echo(m, err=True))
        except HotlineError as exc:
            fail(str(exc))
        echo(f"prepared: Asterisk's configuration {st['asterisk_conf']}, ports {st['ports']}")

    @app.command("system-ready")
    def system_ready(part: str = typer.Argument(..., help="asterisk | service"),
                     timeout: float = typer.Option(120.0, help="seconds Asterisk has to finish booting")) -> None:
        """Run by each unit once its process started (ExecStartPost): waits for Asterisk to be fully booted,
        records the part's pid in the run state (systemd's $MAINPID)."""
        if part not in PARTS:
            fail(f"system-ready takes one of {', '.join(PARTS)}, not {part!r}")
        s = settings()
        st = read_state(s)
        if not st:
            fail(f"no run state in {s.run_dir}: `hotline system-prepare` writes it first")
        if part == "asterisk":
            try:
                ast = asterisk_for(s, Ports(**st["ports"]), build=False)
                ast.wait_booted(timeout)
            except (AsteriskError, HotlineError) as exc:
                fail(str(exc))
        pid = main_pid(part)
        if pid is None:
            fail(f"which process is the {part}? neither $MAINPID nor systemctl says")
        record_supervised(s, part, pid)
        echo(f"{part} ready (pid {pid})")


def main_pid(part: str) -> int | None:
    """The unit's main process: systemd's $MAINPID in ExecStartPost, else what systemctl says."""
    raw = os.environ.get("MAINPID", "")
    if not raw.isdigit():
        unit = system_install.ASTERISK_UNIT if part == "asterisk" else system_install.SERVICE_UNIT
        try:
            raw = subprocess.run(["systemctl", "show", "--property=MainPID", "--value", unit],
                                 capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return None
    return int(raw) if raw.isdigit() and int(raw) > 0 else None
