"""`hotline up / down / status`: the hotline's processes and where they listen.

State lives in ``$HOTLINE_HOME/run/state.json`` (0600: it holds the database URL); a stale file
(processes gone) is treated as "not running". While a hotline runs, every admin command acts on
what it was started with (`bound_settings`), never on what the shell it runs in happens to say.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import socket
import ssl
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Mapping

from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db import queries
from db.models import User
from db.session import (DatabaseUnavailable, SchemaState, check_reachable, make_engine, migrate, schema_head,
                        schema_state, session_factory)
from hotline.admin import certificates
from hotline.aftercall import backup
from hotline.aftercall.reports import delivery
from hotline.aftercall.reports.figures import report_policy
from hotline.aftercall.reports.hot_spots import active_hot_spots
from hotline.admin.amiclient import ami_session
from hotline.admin.asterisk import AsteriskError, PrivateAsterisk, find_install, pid_alive, stop_pid
from hotline.admin.dialplan_check import static_problems
from hotline.admin.dialplan_good import DialplanRefused, Gate, good_dir, prepare as prepare_dialplan
from common import tls
from common.agent_phones import AgentPhone
from common.ami import ami_action
from common.naming import AMI_ADMIN_USER, ENDPOINT_PREFIX, QUEUE, endpoint, interface
from common.ports import SERVICE_PORT_EXIT, PortInUse, PortTaken, Ports, rtp_range, start_on_free_ports
from common.runstate import asterisk_rx, read_state, state_file
from common.secrets import write_secret
from common.settings import ENV, FILE, Settings, load
from ivr import storage
from ivr.hours import CALENDAR_AHEAD_DAYS, calendar_gap, calendar_version, calendar_warning
from ivr.prompts import render_catalog


class HotlineError(RuntimeError):
    """One line for the person: what is wrong and what to do."""


def running(s: Settings) -> dict | None:
    """The run state while a part of the hotline lives — its own process, not a pid the system gave
    to another program after a reboot (then `up` would refuse and commands bind to a dead run)."""
    st = read_state(s)
    if st and any(part_pid(st, part) for part in ("asterisk", "service")):
        return st
    return None


#: what `hotline up` records of its settings and every later command takes from that record: the
#: database, and every setting rendered into Asterisk's configuration (tests/unit/test_admin_bound.py
#: renders the configuration with each setting changed and fails when one is missing here)
BOUND_SETTINGS = ("db_url", "home", "asterisk_root", "dialplan_dir", "bind", "api_tls",
                  "sip_port", "ami_port", "fastagi_port", "api_port", "rtp_start", "rtp_ports", "expected_calls",
                  "node_name", "extension", "public_number", "pstn_gateway", "pstn_outbound", "outbound_allow",
                  "outbound_ring_s", "max_wait_s", "transfer_ring_s", "callback_offer_s",
                  # not in Asterisk's configuration: `hotline status` judges the disk by the service's threshold
                  "recordings_min_free_mb",
                  # nor these: one reporting day for the service and the CLI; `hotline status` judges the
                  # daily report's e-mail by the service's schedule (never its SMTP password: not recorded)
                  "report_day_start", "report_mail_to", "report_send_at", "report_mail_late_min", "report_mail_retry_s",
                  "report_mail_attempts", "smtp_host", "smtp_port", "smtp_starttls", "smtp_user", "smtp_from",
                  # and the day's hot spots by the service's threshold
                  "report_hot_spot_repairs", "report_hot_spot_min")


def recorded_settings(s: Settings) -> dict:
    """The record of `s` that goes into the run state (JSON: paths as text)."""
    return {name: str(v) if isinstance(v := getattr(s, name), Path) else v for name in BOUND_SETTINGS}


def same_database(a: str, b: str) -> bool:
    """Two database URLs name the same database (driver spelling and password aside)."""
    def key(url: str) -> tuple:
        try:
            u = make_url(url)
            return u.get_backend_name(), u.username, u.host, u.port, u.database, tuple(sorted(u.query.items()))
        except Exception:
            return (url,)
    return key(a) == key(b)


def masked_url(url: str) -> str:
    """A database URL fit to print: its password as ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(a database URL that does not parse)"


def _other_database(live: str, named: str) -> HotlineError:
    return HotlineError(
        f"热线正在运行，使用的数据库是 {masked_url(live)}，而本命令环境的 HOTLINE_DB_URL 指向 {masked_url(named)}："
        f"已拒绝，未做任何更改。请取消 HOTLINE_DB_URL（命令即使用运行中热线的数据库）。 — the running hotline "
        f"uses the database {masked_url(live)} but this shell's HOTLINE_DB_URL names {masked_url(named)}: refused, "
        f"nothing changed. Unset HOTLINE_DB_URL (commands then use the running hotline's database) or set it to that one.")


def _live_record(st: dict) -> dict:
    record = st.get("settings")
    if not isinstance(record, dict):
        raise HotlineError("运行中的热线由旧版本启动，未记录其配置：请先 `hotline down` 再 `hotline up`。 — the running "
                           "hotline was started by an older version that did not record its settings: "
                           "run `hotline down` and `hotline up` once, then repeat the command")
    return record


def _with_record(s: Settings, st: dict) -> Settings:
    """`s` with the running hotline's recorded settings in place of its own."""
    kinds = {f.name: f.type for f in fields(Settings)}
    record = {k: v for k, v in _live_record(st).items() if k in BOUND_SETTINGS}
    return s.replace(**{k: Path(v) if kinds[k] in (Path, "Path") else v for k, v in record.items()})


def _apply_record(s: Settings, st: dict) -> Settings:
    """`s` bound to the running hotline of run state `st`; refused when `s` names another database."""
    live = _with_record(s, st)
    if s.db_url and not same_database(s.database_url, live.database_url):
        raise _other_database(live.database_url, s.database_url)
    return live


def bound_settings(s: Settings) -> Settings:
    """The settings an admin command acts with: while a hotline runs from `s.home`, its database and
    everything rendered into its Asterisk come from what `hotline up` recorded (a shell without
    HOTLINE_DB_URL acts on the running hotline's database, never on a fresh SQLite file); a shell
    naming another database is refused. The rest (the clock, survey hours…) stays the command's own."""
    st = running(s)
    return _apply_record(s, st) if st else s


def shell_differs(s: Settings, live: Settings, environ: Mapping[str, str]) -> list[str]:
    """The settings this shell's configuration (its HOTLINE_* variables, the configuration file) sets to
    something other than what the running hotline was started with (the running hotline's are used: a
    note for the admin, not a refusal)."""
    try:
        loaded = load(environ)
    except (ValueError, TypeError):
        return []
    return [f"HOTLINE_{name.upper()}" if loaded.sources[name] == ENV else f"{name} ({loaded.file})"
            for name in BOUND_SETTINGS if name not in ("db_url", "home") and loaded.sources[name] in (ENV, FILE)
            and getattr(s, name) != getattr(live, name)]


def agent_phones(session_factory) -> list[AgentPhone]:
    with session_factory() as db:
        return phones_in(db)


def phones_in(db: Session) -> list[AgentPhone]:
    """The endpoints the agents' PJSIP file holds for the database as `db` sees it (uncommitted
    changes included: a command checks what it would drop before it commits)."""
    return queries.agent_phones(db)


def prepare_database(s: Settings):
    """A session factory on a database whose schema is this release's; raises HotlineError if
    unreachable or when the schema is behind or ahead (`hotline db upgrade` migrates: no other
    command does). A fresh, empty database is created at the newest schema — except under a running
    hotline, where only its own database is opened, and only when it already holds the hotline's
    tables."""
    st = running(s)
    if st:
        live = _with_record(s, st)
        if not same_database(s.database_url, live.database_url):
            raise _other_database(live.database_url, s.database_url)
        _refuse_fresh(s.database_url)
    engine = make_engine(s.database_url)
    try:
        if st:
            _refuse_empty(engine)
        schema = schema_state(engine)
        if schema.state == "empty":
            migrate(engine)
        elif refused := schema.refusal(masked_url(s.database_url)):
            raise HotlineError(refused)
    except DatabaseUnavailable as exc:
        raise HotlineError(str(exc)) from exc
    return session_factory(engine)


def upgrade_database(s: Settings) -> tuple[SchemaState, SchemaState]:
    """`hotline db upgrade`: the database migrated to this release's schema (refused while the
    hotline runs: the running service was built for the schema it has). Before and after."""
    if running(s):
        raise HotlineError("热线正在运行：请先 `hotline down`，再升级数据库。 — the hotline is running: `hotline down` "
                           "first (its service was built for the schema it has), then `hotline db upgrade`, then "
                           "`hotline up`")
    engine = make_engine(s.database_url)
    try:
        before = schema_state(engine)
        if before.state in ("ahead", "foreign"):
            raise HotlineError(before.refusal(masked_url(s.database_url)))
        if before.state != "current":
            migrate(engine)
        return before, schema_state(engine)
    except DatabaseUnavailable as exc:
        raise HotlineError(str(exc)) from exc
    finally:
        engine.dispose()


def database_schema(s: Settings) -> SchemaState:
    """`hotline db current`: where the database's schema stands (never creates one: a missing SQLite
    file reads as empty)."""
    if _missing_sqlite(s.database_url):
        return SchemaState(None, schema_head(), "empty")
    engine = make_engine(s.database_url)
    try:
        return schema_state(engine)
    except DatabaseUnavailable as exc:
        raise HotlineError(str(exc)) from exc
    finally:
        engine.dispose()


def _missing_sqlite(url: str) -> bool:
    u = make_url(url)
    return u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") and not Path(u.database).exists()


def _refuse_fresh(url: str) -> None:
    """An SQLite file that is not there would be created empty by connecting to it."""
    if _missing_sqlite(url):
        raise HotlineError(f"运行中热线的数据库 {masked_url(url)} 不存在：不会新建空数据库。 — the running hotline's "
                           f"database {masked_url(url)} is not there: no command creates an empty one under a "
                           f"running hotline (restore it, or `hotline down` first)")


def _refuse_empty(engine) -> None:
    check_reachable(engine)
    try:
        with engine.connect() as conn:
            has_schema = inspect(conn).has_table("alembic_version")
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(f"database {masked_url(str(engine.url))} could not be read: {exc}") from exc
    if not has_schema:
        raise HotlineError(f"运行中热线的数据库 {masked_url(str(engine.url))} 没有热线的数据表：不会在运行中迁移一个空数据库。 "
                           f"— the running hotline's database {masked_url(str(engine.url))} holds no hotline tables: "
                           f"no command migrates a fresh database under a running hotline")


def asterisk_for(s: Settings, ports: Ports, agents=(), build=True, log=print) -> PrivateAsterisk:
    """The hotline's Asterisk: it reads the last dialplan that passed (dialplan_good), never the
    admin's edited files themselves."""
    try:
        install = find_install(s, build=build, log=log)
    except AsteriskError as exc:
        raise HotlineError(str(exc)) from exc
    return PrivateAsterisk(s, install, ports, dialplan_dir=good_dir(s), agents=list(agents))


def _dialplan_ready(s: Settings, gate: Gate, log) -> None:
    """Before Asterisk starts: the edited dialplan loaded if it passes `gate`, else named and the
    last good copy used (dialplan_good.prepare)."""
    try:
        prepare_dialplan(s, gate, log)
    except DialplanRefused as exc:
        raise HotlineError(str(exc)) from exc


@dataclass(frozen=True)
class Parts:
    """Which parts of a hotline run: their pid alive (and theirs) and they answer."""
    asterisk: bool
    service: bool


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def part_pid(st: dict | None, part: str) -> int | None:
    """The recorded pid of `part` ("asterisk", "service") while that process lives and is the
    hotline's (a pid the system gave to another program after a crash is not)."""
    pid = (st or {}).get(f"{part}_pid")
    if not pid or not pid_alive(pid):
        return None
    mark = b"hotline.service" if part == "service" else str((st or {}).get("asterisk_conf", "")).encode()
    cmd = _cmdline(pid)
    return pid if not cmd or (mark and mark in cmd) else None


def asterisk_answers(st: dict) -> bool:
    argv = asterisk_rx(st, "core show version")
    if argv is None:
        return False
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0 and "Asterisk" in r.stdout


def service_answers(st: dict, within_s: float = 2.0) -> bool:
    """The service's /api/health answers (at most `within_s` of tries: one starting up answers soon);
    a 503 (its database or AMI down) is an answer: the service process runs."""
    port = (st.get("ports") or {}).get("api")
    if not port:
        return False
    bind = (st.get("settings") or {}).get("bind") or "127.0.0.1"
    host = "127.0.0.1" if bind in ("0.0.0.0", "") else bind
    ctx = None
    if str(st.get("api_url", "")).startswith("https:"):
        # our own certificate, dialled by address: the name desktops check is not this one's
        ctx = ssl.create_default_context(cafile=st.get("api_ca") or None)
        ctx.check_hostname = False
    deadline = time.monotonic() + within_s
    while True:
        conn = http.client.HTTPSConnection(host, port, timeout=1, context=ctx) if ctx \
            else http.client.HTTPConnection(host, port, timeout=1)
        try:
            conn.request("GET", "/api/health")
            if conn.getresponse().status in (200, 503):
                return True
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def parts_running(st: dict | None) -> Parts:
    """What `status` shows and `up` acts on: the same answer for both."""
    if not st:
        return Parts(False, False)
    return Parts(asterisk=part_pid(st, "asterisk") is not None and asterisk_answers(st),
                 service=part_pid(st, "service") is not None and service_answers(st))


def to_start(st: dict | None, parts: Parts) -> tuple[str, ...]:
    """What `hotline up` starts: both on a fresh home or when neither runs; beside a part that
    runs, the other one (on the ports the running one uses); nothing when both run."""
    if not st or not (parts.asterisk or parts.service):
        return ("asterisk", "service")
    return tuple(part for part in ("asterisk", "service") if not getattr(parts, part))


def private_tree(root: Path) -> int:
    """Strip group/other permissions from everything under `root` (an installation made
    before umask 077, or copied in by hand); symlinks are not followed out of it (the
    Asterisk config links to the repository's dialplan). Returns how many were fixed."""
    fixed = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in [*dirnames, *filenames, ""]:
            path = os.path.join(dirpath, name) if name else dirpath
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode) or not st.st_mode & 0o077:
                continue
            os.chmod(path, stat.S_IMODE(st.st_mode) & 0o700)
            fixed += 1
    return fixed


def up(s: Settings, log=print, dialplan_gate: Gate = static_problems) -> dict:
    """Start what is not running: everything, or beside a part that still runs (after a crash) the
    other one on the ports it uses. `dialplan_gate`: the check an edited dialplan must pass to be
    loaded (the CLI's adds the test calls). The status, with "started": the parts started."""
    os.umask(0o077)   # all state under $HOTLINE_HOME (and what Asterisk writes) is private
    st = read_state(s)
    parts = parts_running(st)
    missing = to_start(st, parts)
    if not missing:
        raise HotlineError(f"the hotline is already running from {s.home} — "
                           f"`hotline status` shows it, `hotline down` stops it")
    if len(missing) == 1:
        return _start_missing(s, st, missing[0], log, dialplan_gate)
    if st:   # neither part answers: what is left of them (hung, half-stopped) goes first
        down(s)
    s.home.mkdir(parents=True, exist_ok=True)
    if private_tree(s.home):
        log(f"made {s.home} private to its owner (group/other permissions removed)")
    api_tls, anonymous, sessions = _prepare(s, log)
    _dialplan_ready(s, dialplan_gate, log)
    phones = agent_phones(sessions)

    def start(ports: Ports) -> None:
        ast = asterisk_for(s, ports, phones, log=log)
        state = _run_record(s, ports, ast, api_tls)
        write_state(s, state)
        try:
            state["asterisk_pid"] = ast.start(detach=True, env=service_env(s))
            write_state(s, state)
            state["service_pid"] = _start_service(s, ports)
            write_state(s, state)
        except PortTaken:   # a random port taken before its bind: everything again on fresh ones
            down(s)
            raise
        except (AsteriskError, HotlineError) as exc:
            down(s)
            raise HotlineError(str(exc)) from exc

    try:
        start_on_free_ports(s, start, log=log)
    except PortInUse as exc:
        raise HotlineError(str(exc)) from exc
    if anonymous:   # a note once it runs: a refusal above stays the one line it is
        log("HOTLINE_PUBLIC_NUMBER is not set: calls out present no number (anonymous) and the "
            "回访 closing says 本热线 instead of a number")
    return {**status(s), "started": ["asterisk", "service"]}


def _prepare(s: Settings, log) -> tuple[dict, bool, object]:
    """What both ways of starting a hotline check and make before Asterisk starts: its directories,
    the API's TLS, the RTP range, the public number, the database, the prompts. Returns the API's
    TLS, whether calls out are anonymous and the database's session factory."""
    for d in (s.run_dir, s.log_dir):
        d.mkdir(parents=True, exist_ok=True)
    api_tls = _api_tls(s, log)   # refuse plain HTTP on a LAN address before anything starts
    try:
        rtp_range(s)             # and an RTP range too small for HOTLINE_EXPECTED_CALLS
    except PortInUse as exc:
        raise HotlineError(str(exc)) from exc
    try:                         # and a public number that is none (it goes into the dialplan)
        anonymous = not s.public_digits
    except ValueError as exc:
        raise HotlineError(str(exc)) from exc
    sessions = prepare_database(s)
    try:
        render_catalog(s)
    except RuntimeError as exc:
        raise HotlineError(f"rendering prompts failed: {exc}") from exc
    return api_tls, anonymous, sessions


def _run_record(s: Settings, ports: Ports, ast: PrivateAsterisk, api_tls: dict, **more) -> dict:
    """The run state of a hotline about to start (no pid yet): what every later command binds to."""
    return {"home": str(s.home), "ports": asdict(ports), "asterisk_pid": None, "service_pid": None,
            "asterisk_conf": str(ast.conf), "asterisk_argv": list(ast.install.argv),
            "started_at": time.strftime("%FT%T"), "settings": recorded_settings(s),
            "api_url": f"{api_tls['scheme']}://{api_tls['host']}:{ports.api}", "api_ca": api_tls["ca"],
            "api_fingerprint": api_tls["fingerprint"], **more}


SUPERVISED_PORTS = ("sip_port", "ami_port", "fastagi_port", "api_port", "rtp_start")


def prepare_supervised(s: Settings, log=print, dialplan_gate: Gate = static_problems) -> dict:
    """Before systemd starts Asterisk (`hotline system-prepare`, the hotline-asterisk unit's
    ExecStartPre): what `up` does short of starting a process — the checks, the database, the prompts,
    Asterisk's configuration and the run state — on the configured fixed ports (nothing is allocated:
    the service may hold its own while Asterisk restarts). A running service's pid is kept."""
    os.umask(0o077)
    unset = [name for name in SUPERVISED_PORTS if not getattr(s, name)]
    if unset:
        raise HotlineError(f"a supervised hotline listens on fixed ports: set {', '.join(unset)} in the "
                           f"configuration file (`hotline install --system` writes them)")
    api_tls, _anonymous, sessions = _prepare(s, log)
    start, end = rtp_range(s)
    ports = Ports(sip=s.sip_port, ami=s.ami_port, fastagi=s.fastagi_port, api=s.api_port, rtp_start=start, rtp_end=end)
    ast = asterisk_for(s, ports, agent_phones(sessions), build=False, log=log)
    _dialplan_ready(s, dialplan_gate, log)
    ast.write_config()
    before = read_state(s) or {}
    state = _run_record(s, ports, ast, api_tls, supervisor="systemd")
    state["service_pid"] = part_pid(before, "service")
    write_state(s, state)
    return state


def refuse_supervised(s: Settings, verb: str) -> None:
    """`hotline up|down|restart` are the laptop's way; a home systemd runs (`hotline install --system`)
    is started and stopped by systemd, or the two would fight over it (a part stopped here is not
    restarted there; one started here holds the ports systemd's needs)."""
    st = read_state(s)
    if st and st.get("supervisor") == "systemd":
        what = {"up": "start", "down": "stop"}.get(verb, "restart")
        raise HotlineError(f"this hotline ({s.home}) runs under systemd: `systemctl {what} hotline "
                           f"hotline-asterisk` instead of `hotline {verb}`")


def record_supervised(s: Settings, part: str, pid: int) -> dict:
    """systemd started `part` ("asterisk", "service") as `pid` (its unit's ExecStartPost): recorded in
    the run state, so `hotline status` and every admin command find it as they find `up`'s."""
    st = read_state(s)
    if not st:
        raise HotlineError(f"no run state in {s.run_dir}: `hotline system-prepare` (the hotline-asterisk "
                           f"unit's ExecStartPre) writes it")
    st[f"{part}_pid"] = pid
    write_state(s, st)
    return st


def _start_missing(s: Settings, st: dict, part: str, log, dialplan_gate: Gate) -> dict:
    """`up` beside a part that runs: the other part, with the running hotline's settings and ports."""
    s = _apply_record(s, st)   # its database, its Asterisk's settings (refused: another database)
    if part == "service":
        _replace_service(s, st)
    else:
        _replace_asterisk(s, st, dialplan_gate, log)
    return {**status(s), "started": [part]}


def _replace_service(s: Settings, st: dict) -> int:
    """Stop the recorded service if it still lives (gracefully: its running flows finish), start a
    new one on the recorded ports."""
    pid = part_pid(st, "service")
    if pid:
        stop_pid(pid, timeout=s.drain_s + 5)
    st["service_pid"] = None
    write_state(s, st)
    try:
        st["service_pid"] = _start_service(s, Ports(**st["ports"]))
    except PortTaken as exc:   # Asterisk dials the recorded FastAGI port: no fresh one beside it
        raise HotlineError(f"{exc} — the running Asterisk uses it: free it, or `hotline down` and `up`") from exc
    write_state(s, st)
    return st["service_pid"]


def _replace_asterisk(s: Settings, st: dict, dialplan_gate: Gate, log) -> int:
    """Stop the recorded Asterisk if it still lives, start one on the recorded ports with the last
    dialplan that passed (the edited one when it passes now)."""
    ast = asterisk_for(s, Ports(**st["ports"]), agent_phones(prepare_database(s)), build=False)
    _dialplan_ready(s, dialplan_gate, log)
    if part_pid(st, "asterisk"):
        _stop_asterisk(st)
    st["asterisk_pid"] = None
    write_state(s, st)
    try:
        st["asterisk_pid"] = ast.start(detach=True, env=service_env(s))
    except (AsteriskError, PortTaken) as exc:   # on the recorded ports: the service dials them
        raise HotlineError(str(exc)) from exc
    write_state(s, st)
    return st["asterisk_pid"]


def write_state(s: Settings, state: dict) -> None:
    """The run state, 0600 whatever the umask (it holds the database URL and its password)."""
    tmp = state_file(s).with_suffix(".tmp")
    write_secret(tmp, json.dumps(state, indent=2))
    tmp.replace(state_file(s))


def service_env(s: Settings) -> dict[str, str]:
    """The environment of the processes `up` starts: every setting, so they see what we see."""
    env = dict(os.environ)
    for f in fields(Settings):
        value = getattr(s, f.name)
        env[f"HOTLINE_{f.name.upper()}"] = str(value)
    env["HOTLINE_DB_URL"] = s.database_url
    return env


def _api_tls(s: Settings, log) -> dict:
    """How desktops reach the API: plain loopback HTTP, or HTTPS with the certificate to trust."""
    try:
        if not tls.tls_enabled(s):
            return {"scheme": "http", "host": "127.0.0.1", "ca": None, "fingerprint": None}
        cert, _key = certificates.prepare_certificate(s, log)
        return {"scheme": "https", "host": tls.public_host(s), "ca": str(cert), "fingerprint": certificates.fingerprint(cert)}
    except tls.TlsError as exc:
        raise HotlineError(str(exc)) from exc


def run_settings(s: Settings) -> Settings:
    """`s` as the hotline of its home's run state was started (`hotline up --lan`, its database, its
    Asterisk's settings are not in later commands' env); refused when `s` names another database."""
    st = read_state(s)
    return _apply_record(s, st) if st else s


def _start_service(s: Settings, ports: Ports, timeout: float = 30.0) -> int:
    log_path = s.log_dir / "service.log"
    with open(log_path, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "hotline.service"], env=service_env(s),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                start_new_session=True)
    probe = health_probe(s)     # certificate loaded once, not on every poll
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            taken = next((name for name, code in SERVICE_PORT_EXIT.items() if code == proc.returncode), None)
            if taken:
                raise PortTaken(taken, getattr(ports, taken))
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
            raise HotlineError(f"the hotline service exited at start (code {proc.returncode}):\n{tail}")
        try:
            if probe(ports.api) is not None:
                return proc.pid
        except HotlineError:
            stop_pid(proc.pid)      # up's clean-up does not know this pid yet
            raise
        time.sleep(0.05)
    stop_pid(proc.pid)
    raise HotlineError(f"the hotline service did not come up in {timeout:.0f} s; see {log_path}")


def restart_service(s: Settings) -> int:
    """Replace the running hotline service (Asterisk keeps running): after an upgrade,
    a settings change, or a crash. Graceful: new calls go the degraded way at once, the flows
    running finish (at most Settings.drain_s) before the old one exits."""
    st = read_state(s)
    if not st:
        raise HotlineError("the hotline is not running — `hotline up` starts it")
    s = run_settings(s)   # a settings change reaches the service; its database and Asterisk's stay
    return _replace_service(s, st)


def restart_asterisk(s: Settings, dialplan_gate: Gate = static_problems, log=print) -> int:
    """Stop and start Asterisk on the same ports (the service and desktops stay up and
    recover by themselves: AMI re-login, SIP re-registration, queue restored); it starts on the
    last dialplan that passed."""
    s = run_settings(s)
    st = read_state(s)
    if not st:
        raise HotlineError("the hotline is not running — `hotline up` starts it")
    return _replace_asterisk(s, st, dialplan_gate, log)


def live_asterisk(s: Settings) -> PrivateAsterisk:
    """A handle on the running Asterisk (same config), for reloads and CLI commands."""
    st = running(s)
    if not st:
        raise HotlineError("the hotline is not running — `hotline up` starts it")
    return asterisk_for(run_settings(s), Ports(**st["ports"]), build=False)   # as it was started


def registered_phones(s: Settings) -> set[str]:
    """The agents' endpoints with a phone registered now, as Asterisk itself says (its contacts,
    asked over the admin AMI user). A contact outlives its endpoint (astdb keeps it until it
    expires): only phones of endpoints Asterisk still has can be dropped."""
    try:
        with ami_session(s) as ami:
            try:
                contacts = ami.list_items(ami_action("PJSIPShowContacts"), "ContactList")
            except RuntimeError as exc:
                if "no contacts" in str(exc).lower():
                    return set()
                raise
            endpoints = {e.get("ObjectName", "") for e in ami.list_items(ami_action("PJSIPShowEndpoints"),
                                                                          "EndpointList")}
            return {e.get("Endpoint", "") for e in contacts
                    if e.get("Endpoint", "").startswith(ENDPOINT_PREFIX)} & endpoints
    except (RuntimeError, OSError, TimeoutError) as exc:   # not running, AMI refused or silent
        raise HotlineError(f"无法向 Asterisk 查询已注册的话机，未做任何更改。 — could not ask Asterisk which phones are "
                           f"registered ({exc}); nothing changed") from exc


def refuse_dropping_registered(s: Settings, db: Session, force: bool = False) -> None:
    """Refuse (before anything is written) an agents' file that would drop a phone registered now,
    unless the database disabled its person (`hotline agents disable`) or the admin says --force:
    a command run against the wrong database must never take the live phones away."""
    if force:
        return
    kept = {p.endpoint for p in phones_in(db)}
    disabled = {endpoint(no) for no in db.scalars(select(User.agent_no).where(User.active.is_(False)))}
    dropped = sorted(registered_phones(s) - kept - disabled)
    if dropped:
        names = ", ".join(dropped)
        raise HotlineError(f"已拒绝：这会删除正在注册的话机 {names}（数据库中没有这些座席）；未做任何更改。确需删除请加 --force。 "
                           f"— refused: this would drop the registered phone(s) {names}, which the database does not "
                           f"hold; nothing changed. Add --force to drop them anyway")


def reload_agents(s: Settings, sessions=None, force: bool = False) -> str:
    """Write the agents' endpoints (their file alone: the rest of the running configuration stays
    as `hotline up` wrote it) and reload PJSIP; disabled phones drop at once, a registered phone the
    database does not hold only with `force`. `sessions`: the caller's session factory when it has
    one (no second migration check)."""
    s = run_settings(s)
    sessions = sessions or prepare_database(s)
    with sessions() as db:
        refuse_dropping_registered(s, db, force)
        phones = phones_in(db)
        gone = [u.agent_no for u in db.scalars(select(User).where(User.active.is_(False)))]
    ast = live_asterisk(s)
    ast.agents = phones
    ast.write_agents()
    ast.rx("module reload res_pjsip.so")
    for agent_no in gone:
        # a disabled agent leaves the queue now; the endpoint itself went with the reload
        try:
            ast.rx(f"queue remove member {interface(agent_no)} from {QUEUE}")
        except AsteriskError:
            pass  # was not a member
    return "(reloaded into the live Asterisk)"


def reload_dialplan(s: Settings) -> str:
    """Reload the good copy (dialplan_good: what passed) into the live Asterisk over AMI. A module
    that declined to load at Asterisk's start (a broken file then) is loaded now instead."""
    live_asterisk(s).link_dialplan()   # a file added to or gone from the dialplan
    try:
        with ami_session(s) as ami:
            for module in ("pbx_config", "app_queue", "res_musiconhold"):
                r = ami.action(ami_action("Reload", Module=module))
                if r.get("Response") != "Success" and "not initialized" in r.get("Message", "").lower():
                    r = ami.action(ami_action("ModuleLoad", Module=f"{module}.so", LoadType="load"))
                if r.get("Response") != "Success":
                    raise HotlineError(f"Asterisk 未能重新加载 {module}：{r.get('Message', '').strip()} — reload of "
                                       f"{module} failed: {r.get('Message', '').strip()}")
    except (RuntimeError, OSError, TimeoutError) as exc:
        if isinstance(exc, HotlineError):
            raise
        raise HotlineError(f"无法通过 AMI 重新加载拨号方案 — could not reload the dialplan over AMI: {exc}") from exc
    return "dialplan reloaded into the live Asterisk"


class _DialLocal(http.client.HTTPSConnection):
    """Dial our own address but verify the certificate for the name desktops use."""
    def __init__(self, addr: str, name: str, port: int, ctx: ssl.SSLContext):
        super().__init__(name, port, timeout=1, context=ctx)
        self.addr = addr

    def connect(self) -> None:
        raw = socket.create_connection((self.addr, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def health_probe(s: Settings | None = None):
    """port → the API's /api/health, None while it is not answering. Over TLS the certificate is
    verified exactly as a desktop will (a mismatch fails `hotline up` at once)."""
    if s is None or not s.api_tls:
        def plain(port: int) -> dict | None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as r:
                    return json.loads(r.read())
            except urllib.error.HTTPError as exc:   # 503: it answers, its database or AMI is down
                return json.loads(exc.read()) if exc.code == 503 else None
            except Exception:
                return None
        return plain
    cert, _key = certificates.ensure_certificate(s)
    local = "127.0.0.1" if s.bind in ("", "0.0.0.0") else s.bind
    host = tls.public_host(s)
    ctx = ssl.create_default_context(cafile=str(cert))

    def secure(port: int) -> dict | None:
        conn = _DialLocal(local, host, port, ctx)
        try:
            conn.request("GET", "/api/health")
            return json.loads(conn.getresponse().read())
        except ssl.SSLCertVerificationError as exc:
            raise HotlineError(f"the agent API's certificate {cert} does not verify for {host}: "
                               f"{exc.verify_message} — fix HOTLINE_TLS_CERT/HOTLINE_TLS_NAMES") from exc
        except Exception:
            return None
        finally:
            conn.close()
    return secure


def down(s: Settings) -> bool:
    st = read_state(s)
    if not st:
        return False
    if part_pid(st, "service"):
        stop_pid(st["service_pid"], timeout=s.drain_s + 5)
    if part_pid(st, "asterisk"):
        _stop_asterisk(st)
    state_file(s).unlink(missing_ok=True)
    return True


def _stop_asterisk(st: dict) -> None:
    """The Asterisk of run state `st`: asked to stop (calls end cleanly), killed if it won't."""
    if not st.get("asterisk_pid"):
        return
    argv, conf = st.get("asterisk_argv") or [], st.get("asterisk_conf", "")

    def polite():
        subprocess.run([*argv, "-C", conf, "-rx", "core stop now"], capture_output=True, timeout=5)
    stop_pid(st["asterisk_pid"], timeout=15, polite=polite if argv else None)


def status(s: Settings) -> dict:
    st = read_state(s) or {}
    ports = st.get("ports") or {}
    a_pid, s_pid = st.get("asterisk_pid"), st.get("service_pid")
    parts = parts_running(st or None)   # the same answer `up` acts on
    a_up, s_up = parts.asterisk, parts.service
    # the running hotline's settings (its database, its thresholds), bound once
    live = _with_record(s, st) if st.get("settings") else s
    return {
        "running": a_up and s_up,
        "home": str(s.home),
        "hotline_extension": s.extension,
        "public_number": s.public_number.strip(),
        "sip_port": ports.get("sip"), "ami_port": ports.get("ami"),
        "ami_user": AMI_ADMIN_USER,
        "ami_secret_file": str(s.secrets_dir / "ami_admin_secret"),
        "fastagi_port": ports.get("fastagi"), "api_port": ports.get("api"),
        "api_url": st.get("api_url") or (f"http://127.0.0.1:{ports['api']}" if ports.get("api") else None),
        "api_ca": st.get("api_ca"), "api_fingerprint": st.get("api_fingerprint"),
        "rtp_ports": [ports.get("rtp_start"), ports.get("rtp_end")] if ports else None,
        "channels": _channels(st, Ports(**ports)) if ports and a_up else None,
        # the running hotline's database (recorded at `up`), not what this shell names
        "db_url": masked_url(live.database_url),
        "asterisk_pid": a_pid, "asterisk_running": a_up,
        "service_pid": s_pid, "service_running": s_up,
        "asterisk_root": str(s.asterisk_root),
        "started_at": st.get("started_at"),
        "pids": {"asterisk": a_pid, "service": s_pid},
        "recordings": recordings_status(live),
        "report_mail": report_mail_status(live),
        **backup.status_parts(live),   # backup, recordings_usage
        "hot_spots": hot_spots_status(live),
        "calendar": calendar_status(s),
        "schema": schema_status(live),
    }


def schema_status(s: Settings) -> dict:
    """The database's schema for `hotline status` (never creates a database): revision, head, state;
    "unknown" when the database does not answer."""
    try:
        return database_schema(s).as_dict()
    except HotlineError:
        return {"revision": None, "head": schema_head(), "state": "unknown"}


def calendar_status(s: Settings) -> dict:
    """Whether the holiday/调休 data covers the next CALENDAR_AHEAD_DAYS (ivr.hours), on the one clock."""
    today = s.now().date()
    gap = calendar_gap(today)
    return {"package": "chinese-calendar", "version": calendar_version(), "covered_days": CALENDAR_AHEAD_DAYS,
            "first_day_not_covered": gap.isoformat() if gap else None,
            "warning": calendar_warning(today) if gap else None}


def recordings_status(s: Settings) -> dict:
    """The recordings disk: free space against the threshold (the alert) and today's flagged
    recordings and voice messages (None when the database does not answer or does not exist yet:
    status never creates one)."""
    url = make_url(s.database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).is_file()):
        return {**storage.storage_state(s, None).for_status(), "flagged_today": None, "stalled_today": None}
    engine = make_engine(s.database_url)
    try:
        return storage.storage_state(s, session_factory(engine)).for_status()
    except SQLAlchemyError:
        return {**storage.storage_state(s, None).for_status(), "flagged_today": None, "stalled_today": None}
    finally:
        engine.dispose()


def report_mail_status(s: Settings) -> dict:
    """Where the daily report's e-mail stands (delivery.ReportMail.state); state unknown when the
    database does not answer or does not exist yet (status never creates one)."""
    url = make_url(s.database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).is_file()):
        return {"state": "unknown"}
    engine = make_engine(s.database_url)
    try:
        return delivery.configured(s, session_factory(engine)).state()
    except SQLAlchemyError:
        return {"state": "unknown"}
    finally:
        engine.dispose()


def hot_spots_status(s: Settings) -> list[dict] | None:
    """The current reporting day's hot spots (hotline.aftercall.reports.hot_spots: what the leads' desks
    were told); None when the database does not answer or does not exist yet (status never creates one)."""
    url = make_url(s.database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).is_file()):
        return None
    engine = make_engine(s.database_url)
    try:
        with session_factory(engine)() as db:
            return active_hot_spots(db, s.now(), report_policy(s))
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def _channels(st: dict, ports: Ports) -> dict:
    """Channels and calls in Asterisk now, against what the RTP range carries (its maxcalls)."""
    counts = {"in_use": None, "calls": None}
    argv, conf = st.get("asterisk_argv") or [], st.get("asterisk_conf", "")
    try:
        r = subprocess.run([*argv, "-C", conf, "-rx", "core show channels count"], capture_output=True,
                           text=True, timeout=5)
        for line in r.stdout.splitlines():
            m = re.match(r"\s*(\d+) (?:of \d+ max )?active (channel|call)s?\b", line)   # "1 of 100 max active call"
            if m:
                counts["in_use" if m.group(2) == "channel" else "calls"] = int(m.group(1))
    except (OSError, subprocess.TimeoutExpired):
        pass
    return {**counts, "limit": ports.channel_limit, "call_limit": ports.call_limit}
