"""`hotline install --system`: the hotline as a server's supervised services (#29).

What it lays down (under `root`, "/" on a server; another directory for tests and packaging):
- the system user `hotline`, who runs both services and owns the data;
- /etc/hotline/hotline.toml: the one configuration (home /var/lib/hotline, fixed ports, LAN + TLS),
  written once — an existing file is the admin's and is never overwritten;
- /var/lib/hotline (0700): the data, with the installation's secrets generated (0600, hotline's);
- two systemd units: hotline-asterisk.service (Asterisk exactly as `hotline up` runs it: `-f`, the
  Debian root's own loader and libraries, its configuration written by `hotline system-prepare`
  first) and hotline.service (`python -m hotline.service` of the installed venv, `Type=notify`:
  READY=1 and WATCHDOG=1 from hotline.service.sdnotify), restarted on failure, hardened, limited;
- /etc/logrotate.d/hotline: every log the hotline writes.

Every step says what it did, found already done, or — under a root other than "/" — would run.
"""
from __future__ import annotations

import grp
import os
import pwd
import shlex
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from hotline.admin.asterisk import MARKER, AsteriskError, build_root, root_argv, run_argv
from common.secrets import ami_admin_secret, ami_secret, fastagi_secret, qa_sample_secret
from common.settings import Settings

USER = "hotline"
CONFIG = Path("/etc/hotline/hotline.toml")
HOME = Path("/var/lib/hotline")
#: the Debian testing root holding Asterisk 22 (debootstrap: a rebuildable cache, like a user's
#: ~/.cache/hotline/asterisk-root); read-only for the services
ASTERISK_ROOT = Path("/var/cache/hotline/asterisk-root")
UNIT_DIR = Path("/etc/systemd/system")
ASTERISK_UNIT, SERVICE_UNIT = "hotline-asterisk.service", "hotline.service"
LOGROTATE = Path("/etc/logrotate.d/hotline")
#: where the nightly backup goes on an installed server (another disk mounted there: README Backup and
#: restore); the one place outside home the service may write
BACKUP = Path("/var/backups/hotline")
#: the fixed ports of an installed server (the firewall and the desks' --api URL rely on them)
PORTS = {"sip_port": 5060, "ami_port": 5038, "fastagi_port": 4573, "api_port": 8443,
         "rtp_start": 10000, "rtp_ports": 10000}


@dataclass(frozen=True)
class Layout:
    """Where an installed hotline's parts are, as the units and files name them (never under `root`)."""
    venv: Path
    asterisk: tuple[str, ...]
    config: Path = CONFIG
    home: Path = HOME
    asterisk_root: Path = ASTERISK_ROOT
    #: the system user who runs both services and owns the data
    user: str = USER

    @property
    def settings(self) -> Settings:
        return Settings(home=self.home, asterisk_root=self.asterisk_root, **PORTS)

    @property
    def asterisk_conf(self) -> Path:
        return self.settings.asterisk_dir / "etc" / "asterisk.conf"

    @property
    def hotline(self) -> Path:
        return self.venv / "bin" / "hotline"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def asterisk_rx(self, command: str) -> str:
        return shlex.join([*self.asterisk, "-C", str(self.asterisk_conf), "-rx", command])


def default_layout(venv: Path, system_asterisk: str | None) -> Layout:
    """The venv `hotline` runs from; the system's Asterisk when it has one ≥ 20, else the Debian root."""
    asterisk = (system_asterisk,) if system_asterisk else root_argv(ASTERISK_ROOT)
    return Layout(venv=venv, asterisk=asterisk)


# ------------------------------------------------------------------ files --

def config_text(lay: Layout) -> str:
    """/etc/hotline/hotline.toml: keys are the settings' names (HOTLINE_<NAME> overrides each one)."""
    ports = "\n".join(f"{k} = {v}" for k, v in PORTS.items())
    return f"""\
# 大龙供暖报修热线 — the server's configuration, written by `hotline install --system`.
# Keys are the settings' names without HOTLINE_, in lower case; an environment variable HOTLINE_<NAME>
# overrides a key. After a change: systemctl restart hotline-asterisk hotline
# `hotline install --system` never overwrites this file once it exists.

home = "{lay.home}"
asterisk_root = "{lay.asterisk_root}"
# empty: SQLite in home; the multi-agent database, e.g. "postgresql+psycopg://hotline@/hotline"
db_url = ""

# agents' PCs reach SIP and the agent API over the LAN; the API speaks HTTPS only (certificate in
# home/tls, or tls_cert / tls_key of your own). AMI and FastAGI stay on 127.0.0.1.
bind = "0.0.0.0"
api_tls = true
# fixed ports: open SIP (UDP) and the RTP range (UDP) to the gateway and the agents' PCs, the API (TCP)
# to the agents' PCs
{ports}

# the carrier gateway (calls in come from it, calls out go to it) and the number residents dial
pstn_gateway = "127.0.0.1"
public_number = ""

# a dispatched repair's station is called at its duty phone (#30: 接单请按1); tries and minutes between them
# (0: no call on dispatch). Optionally each dispatch is also POSTed, signed (X-Hotline-Signature: HMAC-SHA256
# of the body under home/secrets/station_webhook_secret), to an SMS / 企业微信 gateway
# station_call_attempts = 3
# station_call_retry_min = 5
# station_webhook_url = "https://gateway.example/hotline"

# an outage ended with the call-back (#30): each affected caller's 供热已恢复 call, within survey_hours and at
# most survey_concurrency at once; tries and minutes between them (0: the bookings are never called)
# outage_call_attempts = 2
# outage_call_retry_min = 30

# the alerts on the board, the wall and the leads' desks (#30): a caller waiting this long; callers waiting
# this long with no agent free; nobody logged in this long in staffed hours; a pause past its reason's limit
# (minutes; other reasons alert_pause_default_min); the last hour's service level under the target
# alert_wait_s = 120
# alert_no_agent_s = 30
# alert_nobody_s = 120
# alert_pause_limits = "小休=15,用餐=40,培训=120,会议=90,处理回访=60,其他=15"
# alert_pause_default_min = 15
# alert_service_level_target = 0.8

# the nightly backup (README: Backup and restore): another disk mounted at {BACKUP} (the service
# may write only there and in home), made each night at backup_at; `hotline status` warns when late
# backup_dir = "{BACKUP}"
# backup_at = "02:30"
"""


INSTALL = "\n[Install]\nWantedBy=multi-user.target\n"


def _supervision(lay: Layout, memory: str, tasks: int, writable: str = "") -> str:
    """Both units: restarted on failure, limited, and hardened as far as Asterisk still works (no
    seccomp filter or W^X: Asterisk loads modules and codecs); only the data directory is writable (and
    `writable`: the service's nightly backup disk, '-' when none is mounted)."""
    return f"""\
Restart=on-failure
RestartSec=3
LimitNOFILE=65536
MemoryMax={memory}
TasksMax={tasks}
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ReadWritePaths={lay.home}{writable}
ProtectControlGroups=yes
ProtectKernelModules=yes
ProtectKernelTunables=yes
"""


def asterisk_unit(lay: Layout) -> str:
    s = lay.settings
    prepare = f"{lay.hotline} system-prepare"
    ready = f"{lay.hotline} system-ready asterisk"
    return f"""\
# Written by `hotline install --system`; changes of your own go into a drop-in
# (systemctl edit {ASTERISK_UNIT}), which a later install keeps.
[Unit]
Description=大龙供暖报修热线 Asterisk (telephony of the hotline)
Documentation=file://{lay.venv.parent}/README.md
After=network-online.target
Wants=network-online.target
Before={SERVICE_UNIT}

[Service]
Type=simple
User={lay.user}
Group={lay.user}
# PATH: the classic AGI scripts' python3 is the venv's (with the project), as under `hotline up`
Environment=HOTLINE_CONFIG={lay.config} PATH={lay.venv}/bin:/usr/local/bin:/usr/bin:/bin
WorkingDirectory={s.asterisk_dir}
UMask=0077
# Asterisk's configuration from the database (agents' phones), the last dialplan that passed and the
# settings; the run state every `hotline` command reads
ExecStartPre={prepare}
# -f: in the foreground without a console (-c on a closed stdin spins a core: docs/stack-notes.md)
ExecStart={shlex.join(run_argv(lay.asterisk, lay.asterisk_conf))}
# started once it is fully booted; its pid recorded in the run state
ExecStartPost={ready}
TimeoutStartSec=180
TimeoutStopSec=30
{_supervision(lay, memory="4G", tasks=4096)}{INSTALL}"""


def service_unit(lay: Layout) -> str:
    s = lay.settings
    return f"""\
# Written by `hotline install --system`; changes of your own go into a drop-in
# (systemctl edit {SERVICE_UNIT}), which a later install keeps.
[Unit]
Description=大龙供暖报修热线 service (FastAGI call flows, agent API, AMI)
Documentation=file://{lay.venv.parent}/README.md
After=network-online.target {ASTERISK_UNIT}
Wants=network-online.target {ASTERISK_UNIT}

[Service]
# READY=1 once FastAGI, the API and the AMI login are up; WATCHDOG=1 from its event loop
Type=notify
NotifyAccess=main
WatchdogSec=30
User={lay.user}
Group={lay.user}
Environment=HOTLINE_CONFIG={lay.config}
WorkingDirectory={lay.home}
UMask=0077
ExecStart={lay.python} -m hotline.service
ExecStartPost={lay.hotline} system-ready service
StandardOutput=append:{s.log_dir / "service.log"}
StandardError=inherit
TimeoutStartSec=180
# the calls in progress drain first (drain_s, 45 s by default)
TimeoutStopSec=90
{_supervision(lay, memory="2G", tasks=1024, writable=f" -{BACKUP}")}RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
{INSTALL}"""


def logrotate_text(lay: Layout) -> str:
    """Every log the hotline writes. Asterisk's are renamed (no `create`: Asterisk makes the new file
    at `logger reload`) and the one before stays uncompressed (`delaycompress`): the service reads
    queue_log by inode and offset and finishes a renamed file from where it was before the new one
    (db.queue_log) — copytruncate would lose the lines written between its copy and its truncation.
    Master.csv is opened for each record (cdr_csv): renamed, a new one is made. service.log is the
    unit's stdout (systemd holds it open): copied and truncated."""
    s = lay.settings
    log = s.asterisk_dir / "log"
    reload = lay.asterisk_rx("logger reload")
    common = f"    su {lay.user} {lay.user}\n    missingok\n    notifempty\n    compress\n    delaycompress\n"
    return f"""\
# Written by `hotline install --system`: the logs of the hotline and of its Asterisk.
{log / "messages.log"} {log / "full"} {log / "queue_log"} {{
    daily
    rotate 400
{common}    nocreate
    sharedscripts
    postrotate
        {reload} >/dev/null 2>&1 || true
    endscript
}}

{s.cdr_dir / "Master.csv"} {{
    monthly
    rotate 120
{common}    create 0600 {lay.user} {lay.user}
}}

{s.log_dir / "service.log"} {{
    daily
    rotate 90
{common}    copytruncate
}}
"""


# ------------------------------------------------------------------ steps --

@dataclass
class Step:
    """One thing the install did (`done`), found done (`kept`) or would do (`would`: under --root)."""
    what: str
    state: str
    path: str = ""
    note: str = ""


Run = Callable[[list[str]], subprocess.CompletedProcess]


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, check=False)


class Installer:
    """Lays the files down under `root`; runs system commands (useradd, chown, systemctl,
    debootstrap) only when `root` is "/"."""

    def __init__(self, root: Path, lay: Layout, run: Run = _run):
        self.root, self.lay, self.run = Path(root), lay, run
        self.live = self.root.resolve() == Path("/")
        self.steps: list[Step] = []
        #: what a kept file would have held (the configuration an admin changed)
        self.proposed: dict[str, str] = {}
        self.log: Callable[[str], None] = lambda _m: None

    def at(self, path: Path) -> Path:
        return self.root / path.relative_to("/")

    def _note(self, what: str, state: str, path: Path | str = "", note: str = "") -> None:
        self.steps.append(Step(what, state, str(path), note))

    def _command(self, what: str, argv: list[str]) -> None:
        if not self.live:
            self._note(what, "would", note=shlex.join(argv))
            return
        r = self.run(argv)
        if r.returncode != 0:
            raise InstallError(f"{shlex.join(argv)} failed (exit {r.returncode}): {(r.stderr or r.stdout).strip()}")
        self._note(what, "done", note=shlex.join(argv))

    # -- the parts --
    def user(self) -> None:
        user = self.lay.user
        if self.live and _user_exists(user):
            self._note(f"system user {user}", "kept")
            return
        self._command(f"system user {user}", ["useradd", "--system", "--user-group", "--home-dir", str(self.lay.home),
                                             "--no-create-home", "--shell", "/usr/sbin/nologin", user])

    def _parents(self, target: Path) -> None:
        """The directories above `target` that are missing (an empty --root, /etc/logrotate.d): 0755 as
        the system's own are, whatever the umask."""
        missing = [d for d in target.parents if not d.exists()]
        for d in reversed(missing):
            d.mkdir()
            os.chmod(d, 0o755)

    def directory(self, path: Path, mode: int, owner: str | None, group: str | None = None) -> None:
        target = self.at(path)
        existed = target.is_dir()
        self._parents(target)
        target.mkdir(exist_ok=True)
        os.chmod(target, mode)
        self._note(f"directory {mode:04o}", "kept" if existed else "done", path, self._own(target, owner, group))

    def _own(self, target: Path, owner: str | None, group: str | None = None) -> str:
        """chown to `owner` (and `group`, else the owner's group); under --root not done: said so."""
        if owner is None:
            return ""
        spec = f"{owner}:{group or owner}"
        if not self.live:
            return f"{spec} (chown as root, not under --root)"
        os.chown(target, pwd.getpwnam(owner).pw_uid, grp.getgrnam(group or owner).gr_gid)
        return spec

    def file(self, path: Path, text: str, mode: int, owner: str | None = None, group: str | None = None,
             keep: bool = False) -> None:
        """Write `text`; a file that exists with other content is replaced — or kept, with `keep` (the
        admin's own file: the configuration)."""
        target = self.at(path)
        if target.exists():
            same = target.read_text() == text
            if keep or same:
                if not same:
                    self.proposed[str(path)] = text
                self._note(f"file {mode:04o}", "kept", path, "" if same else
                           "changed since it was written: left as it is (--json shows what it would write)")
                return
            state = "updated"
        else:
            state = "done"
        self._parents(target)
        tmp = target.with_name(target.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        owned = self._own(tmp, owner, group)
        tmp.replace(target)
        self._note(f"file {mode:04o}", state, path, owned)

    def secrets(self) -> None:
        """The installation's secrets, generated now (an existing one kept): 0600, the hotline user's."""
        s = Settings(home=self.at(self.lay.home))
        had = {p.name for p in s.secrets_dir.glob("*")} if s.secrets_dir.is_dir() else set()
        for make in (ami_secret, ami_admin_secret, fastagi_secret, qa_sample_secret):
            make(s)
        os.chmod(s.secrets_dir, 0o700)
        self._own(s.secrets_dir, self.lay.user)
        for p in sorted(s.secrets_dir.iterdir()):
            self._note("secret 0600", "kept" if p.name in had else "done", self.lay.home / "secrets" / p.name,
                       self._own(p, self.lay.user))

    def asterisk(self) -> None:
        """The Debian root with Asterisk 22 (debootstrap) when the units name one that is not there."""
        root = self.lay.asterisk_root
        if self.lay.asterisk[-1] != str(root / "usr/sbin/asterisk") or self.at(root).joinpath(MARKER).exists():
            self._note("Asterisk", "kept", self.lay.asterisk[-1])
            return
        what = "Asterisk 22 root (debootstrap of Debian testing, about a minute)"
        if not self.live:
            self._note(what, "would", root, "debootstrap --variant=minbase --include=asterisk,asterisk-modules "
                                             f"testing {root} <the apt mirror>")
            return
        try:
            build_root(self.lay.settings, self.log)
        except AsteriskError as exc:
            raise InstallError(str(exc)) from exc
        self._note(what, "done", root)

    def install(self) -> list[Step]:
        lay = self.lay
        self.user()
        self.directory(lay.config.parent, 0o750, "root", lay.user)
        self.file(lay.config, config_text(lay), 0o640, "root", lay.user, keep=True)
        self.directory(lay.home, 0o700, lay.user)
        self.directory(lay.settings.log_dir, 0o700, lay.user)
        self.secrets()
        self.directory(lay.asterisk_root.parent, 0o755, None)
        self.asterisk()
        self.file(UNIT_DIR / ASTERISK_UNIT, asterisk_unit(lay), 0o644)
        self.file(UNIT_DIR / SERVICE_UNIT, service_unit(lay), 0o644)
        self.file(LOGROTATE, logrotate_text(lay), 0o644)
        self._command("systemd reads the units", ["systemctl", "daemon-reload"])
        self._command("started at boot", ["systemctl", "enable", ASTERISK_UNIT, SERVICE_UNIT])
        return self.steps

    def report(self) -> dict:
        return {"root": str(self.root), "venv": str(self.lay.venv), "asterisk": list(self.lay.asterisk),
                "config": str(self.lay.config), "home": str(self.lay.home),
                "units": [str(UNIT_DIR / ASTERISK_UNIT), str(UNIT_DIR / SERVICE_UNIT)],
                "logrotate": str(LOGROTATE), "steps": [asdict(s) for s in self.steps], "proposed": self.proposed}


class InstallError(RuntimeError):
    """A step of the install failed; the message names the command and its output."""


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
