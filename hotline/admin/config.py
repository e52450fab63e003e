"""`hotline config show|check`: the effective settings with where each came from, and whether the
configuration (file and environment) is one a hotline can start with.

The settings themselves are loaded by the one loader (common.settings.load); this module only
shows them (secrets masked) and checks what the loader cannot: the domain's own policies (survey
hours, QA fines, the report times and e-mail), the ports the configuration names, the file's
permissions, and HOTLINE_* variables nobody reads.
"""
from __future__ import annotations

import os
import re
import socket
import stat
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Mapping

from hotline.admin.runtime import masked_url, part_pid
from hotline.aftercall.alerts import alert_policy
from hotline.aftercall.qa.rules import qa_policy
from hotline.aftercall.reports.delivery import mail_policy
from hotline.aftercall.reports.figures import report_policy
from hotline.aftercall.outage_calls import outage_call_policy
from hotline.aftercall.station_calls import station_call_policy
from hotline.aftercall.survey_calls import survey_policy
from common import tls
from common.ports import PortInUse, held_by, port_in_use, rtp_range
from common.runstate import read_state
from common.settings import DEFAULT, ENV, FILE, INSTALLED_PORTS, ConfigError, Loaded, Settings, load, suggest

#: a setting whose value is a secret: shown as *** (a database URL: its password alone)
SECRET_NAME = re.compile(r"password|passwd|secret|token|credential", re.I)
MASK = "***"
#: HOTLINE_* variables read by other programs (the desk, the SIP engine's debugging, the test suite)
#: or naming the file itself: not settings, never "unknown"
NOT_SETTINGS = ("HOTLINE_CONFIG", "HOTLINE_API_URL", "HOTLINE_API_CA", "HOTLINE_NULL_AUDIO",
                "HOTLINE_SIP_LOG_LEVEL", "HOTLINE_SIP_LOG_FILE")
#: the ports a configuration names: setting → (part, socket kind)
PORTS = {"sip_port": ("sip", socket.SOCK_DGRAM), "ami_port": ("ami", socket.SOCK_STREAM),
         "fastagi_port": ("fastagi", socket.SOCK_STREAM), "api_port": ("api", socket.SOCK_STREAM)}


def shown_value(name: str, value):
    """A setting as `config show` prints it: secrets masked, paths as text."""
    if SECRET_NAME.search(name):
        return MASK if value else ""
    if name == "db_url" and value:
        return masked_url(value)
    return str(value) if isinstance(value, Path) else value


def where(loaded: Loaded, name: str) -> str:
    """Where a setting's value came from, for a person: default, the file's path, the variable."""
    source = loaded.sources[name]
    if source == FILE:
        return f"file {loaded.file}"
    if source == ENV:
        return f"env HOTLINE_{name.upper()}"
    if source == DEFAULT and loaded.file and name in INSTALLED_PORTS:
        return "default (installed server: a configuration file is in use)"
    return source


def show(loaded: Loaded) -> dict:
    """Every setting with its value (masked) and its source; the file in use."""
    s = loaded.settings
    return {"file": str(loaded.file) if loaded.file else None,
            "settings": {f.name: {"value": shown_value(f.name, getattr(s, f.name)), "source": loaded.sources[f.name],
                                  "where": where(loaded, f.name)} for f in fields(Settings)}}


@dataclass
class Check:
    """What `config check` found: problems (exit 1) and notes (still exit 0)."""
    file: Path | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ports: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "file": str(self.file) if self.file else None, "problems": self.problems,
                "notes": self.notes, "ports": self.ports}


def check(environ: Mapping[str, str] | None = None) -> Check:
    """The configuration this shell gives (file and environment), checked whole."""
    environ = os.environ if environ is None else environ
    result = Check()
    result.notes += unknown_variables(environ)
    try:
        loaded = load(environ)
    except ConfigError as exc:
        result.problems += exc.problems
        return result
    result.file = loaded.file
    s = loaded.settings
    result.problems += policy_problems(s)
    result.problems += file_problems(loaded)
    ports_checked(s, result)
    if not loaded.file:
        result.notes.append("no configuration file (HOTLINE_CONFIG, $HOTLINE_HOME/hotline.toml, "
                            "/etc/hotline/hotline.toml): defaults and HOTLINE_* variables only, ports picked at random")
    return result


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """HOTLINE_* variables that name no setting (a typo goes unnoticed otherwise)."""
    names = {f.name for f in fields(Settings)}
    notes = []
    for var in sorted(environ):
        if var.startswith("HOTLINE_") and not var.startswith("HOTLINE_TEST_") and var not in NOT_SETTINGS \
                and var[len("HOTLINE_"):].lower() not in names:
            close = suggest(var, names)
            hint = f" — did you mean HOTLINE_{close.rsplit(' ', 1)[1].rstrip('?').upper()}?" if close else ""
            notes.append(f"{var} is set but names no setting{hint}")
    return notes


def policy_problems(s: Settings) -> list[str]:
    """What the domain's own checks say of these values (each names its setting)."""
    problems = []
    checks = (lambda: survey_policy(s), lambda: station_call_policy(s), lambda: outage_call_policy(s),
              lambda: qa_policy(s), lambda: alert_policy(s), lambda: mail_policy(s, report_policy(s)),
              lambda: s.outbound_target, lambda: s.public_digits, lambda: rtp_range(s), lambda: tls.tls_enabled(s))
    for run in checks:
        try:
            run()
        except (ValueError, PortInUse, tls.TlsError) as exc:
            if str(exc) not in problems:      # the outage calls' hours are the survey's: said once
                problems.append(str(exc))
    if s.node_name and not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", s.node_name):
        problems.append(f"node_name {s.node_name!r}: use letters, digits, '-' or '_' (at most 16)")
    return problems


def file_problems(loaded: Loaded) -> list[str]:
    """A file holding a secret (the SMTP password, a database password) that other users may read."""
    path, s = loaded.file, loaded.settings
    if not path:
        return []
    secret = [n for n, src in loaded.sources.items() if src == FILE and getattr(s, n)
              and (SECRET_NAME.search(n) or n == "db_url" and masked_url(s.db_url) != s.db_url)]
    try:
        mode = path.stat().st_mode
    except OSError:
        return []
    if secret and mode & stat.S_IROTH:
        return [f"{path}: holds {', '.join(secret)} and every user may read it — chmod 640 (owner and the "
                f"hotline's group) or 600"]
    return []


def ports_checked(s: Settings, result: Check) -> None:
    """Each configured port free, or held by this hotline (its running Asterisk or service); two
    settings naming one TCP port are refused."""
    st = read_state(s)
    pids = [pid for part in ("asterisk", "service") if (pid := part_pid(st, part))]
    tcp = {}
    for name, (part, kind) in PORTS.items():
        port = getattr(s, name)
        if not port:
            result.ports[name] = "random (picked at `hotline up`)"
            continue
        if kind == socket.SOCK_STREAM:
            if port in tcp:
                result.problems.append(f"{name} and {tcp[port]} are both {port}")
            tcp[port] = name
        if not port_in_use(port, kind, s.bind or "0.0.0.0"):
            result.ports[name] = f"{port} free"
        elif any(held_by(pid, port, kind) for pid in pids):
            result.ports[name] = f"{port} held by this hotline"
        else:
            result.ports[name] = f"{port} taken"
            result.problems.append(f"port {port} ({name}) is in use by another program — free it, or set "
                                   f"{name} in the configuration file (HOTLINE_{name.upper()}) to another port")
