"""Asterisk 22: find or build it once, and run private instances of it.

Debian 12 ships no Asterisk. Where the system has none we build, once per
machine, a Debian *testing* root with debootstrap and cache it outside the
repository (``HOTLINE_ASTERISK_ROOT``). That root is never chrooted into: its
own dynamic loader runs its ``asterisk`` with its libraries, so every path
Asterisk sees (config, sounds, recordings, classic AGI scripts and the Python
that runs them) is a host path under ``$HOTLINE_HOME``.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from common.agent_phones import AGENTS_FILE, AgentPhone, agents_conf, write_generated
from common.naming import AMI_ADMIN_USER, AMI_SERVICE_USER, BANNED_FILE, CALL_TOKEN_VAR
from common.ports import PortTaken, Ports, held_by
from common.secrets import ami_admin_secret, ami_secret, fastagi_secret_file
from common.settings import REPO_ROOT, Settings

MARKER = ".hotline-root-complete"
MIN_VERSION = 20
#: the AMI `call` class's events the service does not read (it reads Hold and Unhold of it): dropped
#: by the manager user's filter before they are sent
CALL_NOISE = ("Newchannel", "Newstate", "Hangup", "HangupRequest", "SoftHangupRequest", "NewCallerid",
              "NewConnectedLine", "NewAccountCode", "Rename", "DialBegin", "DialState", "DialEnd",
              "BridgeCreate", "BridgeEnter", "BridgeLeave", "BridgeDestroy", "BridgeMerge", "BridgeInfoChannel",
              "BridgeInfoComplete", "BridgeVideoSourceUpdate", "LocalBridge", "LocalOptimizationBegin",
              "LocalOptimizationEnd", "MusicOnHoldStart", "MusicOnHoldStop", "MixMonitorStart", "MixMonitorStop",
              "MixMonitorMute", "DeviceStateChange", "ExtensionStatus", "PresenceStateChange", "OriginateResponse",
              "ChanSpyStart", "ChanSpyStop", "AttendedTransfer", "BlindTransfer", "Pickup", "MessageWaiting")


#: HOTLINE_NODE_NAME: written into asterisk.conf and every uniqueid
NODE_NAME = re.compile(r"[A-Za-z0-9_-]{1,16}")


class AsteriskError(RuntimeError):
    """Something about Asterisk is wrong; the message says what to do."""


# ---------------------------------------------------------------- install ----

@dataclass(frozen=True)
class AsteriskInstall:
    """How to execute Asterisk on this machine and where its files are."""
    argv: tuple[str, ...]
    modules_dir: Path
    sounds_en: Path
    version: str
    root: Path | None = None

    def command(self, *args: str) -> list[str]:
        return [*self.argv, *args]


def _version_of(argv) -> str:
    out = subprocess.run([*argv, "-V"], capture_output=True, text=True, timeout=20)
    return out.stdout.strip()


def _major(version: str) -> int:
    m = re.search(r"Asterisk (\d+)", version)
    return int(m.group(1)) if m else 0


def _system_install() -> AsteriskInstall | None:
    exe = system_asterisk()
    if not exe:
        return None
    version = _version_of([exe])
    mods = next((p for p in (Path("/usr/lib/x86_64-linux-gnu/asterisk/modules"),
                             Path("/usr/lib/asterisk/modules"), Path("/usr/lib64/asterisk/modules"))
                 if p.is_dir()), Path("/usr/lib/asterisk/modules"))
    return AsteriskInstall((exe,), mods, _find_sounds(Path("/")), version)


def _find_sounds(root: Path) -> Path:
    base = root / "usr/share/asterisk/sounds"
    for name in ("en_US_f_Allison", "en_US", "en"):
        p = base / name
        if p.is_dir() and (p / "beep.gsm").exists():
            return p
    return base / "en"


def root_argv(root: Path) -> tuple[str, ...]:
    """How Asterisk of the Debian root `root` is run without chrooting: the root's own dynamic loader
    with the root's libraries (`hotline up` and the hotline-asterisk systemd unit alike)."""
    loader = root / "lib64/ld-linux-x86-64.so.2"
    libs = ":".join(str(root / d) for d in ("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu",
                                            "usr/lib", "lib"))
    return (str(loader), "--library-path", libs, str(root / "usr/sbin/asterisk"))


def run_argv(argv, conf: Path) -> list[str]:
    """The server's command line, the same for `hotline up` and the hotline-asterisk unit: -f, in the
    foreground without a console (-c on a closed stdin spins a core), -n without colours."""
    return [*argv, "-f", "-n", "-C", str(conf)]


def system_asterisk() -> str | None:
    """The system's `asterisk` when it is recent enough to be used instead of a Debian root."""
    exe = shutil.which("asterisk")
    return exe if exe and _major(_version_of([exe])) >= MIN_VERSION else None


def _root_install(root: Path) -> AsteriskInstall:
    argv = root_argv(root)
    return AsteriskInstall(argv, root / "usr/lib/x86_64-linux-gnu/asterisk/modules",
                           _find_sounds(root), _version_of(argv), root)


def debian_mirror() -> str:
    """The Debian URI apt on this machine already uses."""
    for f in sorted(Path("/etc/apt/sources.list.d").glob("*")) + [Path("/etc/apt/sources.list")]:
        try:
            text = f.read_text()
        except OSError:
            continue
        m = re.search(r"^URIs:\s*(\S*debian)\s*$", text, re.M) or \
            re.search(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S*/debian)/?\s", text, re.M)
        if m:
            return m.group(1)
    return "http://deb.debian.org/debian"


def build_root(settings: Settings, log=print) -> Path:
    """Build the cached Asterisk root with debootstrap (about a minute, ~500 MB)."""
    root = settings.asterisk_root
    if shutil.which("debootstrap") is None:
        raise AsteriskError("debootstrap is not installed — run `apt-get install debootstrap` "
                            "(the README's setup command does)")
    partial = root.with_name(root.name + ".partial")
    if root.exists() and not (root / MARKER).exists():
        log(f"Asterisk root {root} is half-built (an interrupted build?); rebuilding it")
        shutil.rmtree(root)
    if partial.exists():
        shutil.rmtree(partial)
    root.parent.mkdir(parents=True, exist_ok=True)
    mirror = settings.asterisk_mirror or debian_mirror()
    log(f"building the Asterisk root in {root} from Debian {settings.asterisk_suite} ({mirror}); "
        f"this takes about a minute, once")
    cmd = ["debootstrap", "--variant=minbase", "--include=asterisk,asterisk-modules",
           settings.asterisk_suite, str(partial), mirror]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
        shutil.rmtree(partial, ignore_errors=True)
        raise AsteriskError(f"debootstrap failed (exit {proc.returncode}):\n{tail}")
    (partial / MARKER).write_text(time.strftime("%F %T") + "\n")
    partial.rename(root)
    return root


def find_install(settings: Settings, build: bool = True, log=print) -> AsteriskInstall:
    """A system Asterisk ≥ 20 if there is one, else the cached root (built if allowed)."""
    system = _system_install()
    if system:
        return system
    root = settings.asterisk_root
    if not (root / MARKER).exists():
        if not build:
            state = "half-built" if root.exists() else "missing"
            raise AsteriskError(f"the Asterisk root {root} is {state} — run `hotline up` "
                                f"(or `hotline asterisk provision`) to build it")
        build_root(settings, log)
    install = _root_install(root)
    if _major(install.version) < MIN_VERSION:
        raise AsteriskError(f"{root} holds '{install.version or 'no working asterisk'}'; "
                            f"delete it and run `hotline up` again")
    return install


# ------------------------------------------------------------------ ports ----


# --------------------------------------------------------------- instance ----

@dataclass
class PrivateAsterisk:
    """One Asterisk process with its own config, ports and state under a directory."""
    settings: Settings
    install: AsteriskInstall
    ports: Ports
    base: Path = None  # type: ignore[assignment]
    dialplan_dir: Path = None  # type: ignore[assignment]
    agents: list[AgentPhone] = field(default_factory=list)
    proc: subprocess.Popen | None = None

    def __post_init__(self):
        self.base = Path(self.base or self.settings.asterisk_dir)
        self.dialplan_dir = Path(self.dialplan_dir or self.settings.dialplan_dir)

    # -- layout --
    @property
    def etc(self) -> Path:
        return self.base / "etc"

    @property
    def conf(self) -> Path:
        return self.etc / "asterisk.conf"

    @property
    def log_file(self) -> Path:
        return self.base / "log" / "messages.log"

    @property
    def console_log(self) -> Path:
        return self.base / "log" / "console.log"

    @property
    def queue_log(self) -> Path:
        return self.base / "log" / "queue_log"

    def write_config(self) -> None:
        """Link the admin's dialplan files and generate the per-installation parts."""
        s = self.settings
        for d in ("etc", "var", "spool", "run", "log", "data/sounds"):
            (self.base / d).mkdir(parents=True, exist_ok=True)
        for old in self.etc.iterdir():
            if old.name.endswith(".generated.conf"):
                old.unlink()
        self.link_dialplan()
        paths = {"etc": self.etc, "modules": self.install.modules_dir, "varlib": self.base / "var",
                 "data": self.base / "data", "agi": REPO_ROOT / "agi_scripts",
                 "spool": self.base / "spool", "run": self.base / "run", "log": self.base / "log",
                 "sbin": Path(self.install.argv[-1]).parent}
        text = (self.dialplan_dir / "asterisk.conf.in").read_text()
        # maxcalls: what the RTP range carries; a call beyond it is refused with Asterisk's own
        # "Maximum call limit of N calls exceeded" in messages.log, not a bare 488 for no RTP port
        for k, v in {**paths, "maxcalls": self.ports.call_limit}.items():
            text = text.replace(f"@{k}@", str(v))
        if s.node_name:   # scale-out: this node's uniqueids are its own ("a-1764650000.12")
            if not NODE_NAME.fullmatch(s.node_name):
                raise AsteriskError(f"HOTLINE_NODE_NAME={s.node_name!r}: use letters, digits, '-' or '_' "
                                    f"(at most 16)")
            text = text.replace("[options]\n", f"[options]\nsystemname = {s.node_name}\n", 1)
        self.conf.write_text(text)
        # sounds: Asterisk's own English set (beep, digits) and the hotline's prompts
        sounds = self.base / "data" / "sounds"
        # zh: Asterisk's queue announcements and numbers in Chinese (ivr.prompts.render_asterisk_zh)
        for name, target in (("en", self.install.sounds_en), ("zh", s.home / "sounds" / "zh"),
                             ("hotline", s.prompts_dir), ("tts", s.tts_cache_dir), ("voice", s.voice_dir)):
            link = sounds / name
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(target)
        # XML documentation etc.: Asterisk refuses to register config types without it
        shared = Path(self.install.modules_dir).parents[2] / "share" / "asterisk" \
            if self.install.root is None else self.install.root / "usr/share/asterisk"
        for name in ("documentation", "rest-api", "static-http", "keys", "firmware"):
            link = self.base / "data" / name
            if link.is_symlink():
                link.unlink()
            if (shared / name).exists() and not link.exists():
                link.symlink_to(shared / name)
        moh = self.base / "data" / "moh"
        if moh.is_symlink():
            moh.unlink()
        moh.symlink_to(s.home / "sounds" / "moh")
        for d in (s.prompts_dir, s.tts_cache_dir, s.voice_dir, s.home / "sounds" / "moh", s.home / "sounds" / "zh",
                  s.recordings_dir, s.run_dir):
            d.mkdir(parents=True, exist_ok=True)
        # cdr_csv writes <astlogdir>/cdr-csv/Master.csv and does not create the directory
        cdr = self.base / "log" / "cdr-csv"
        cdr.mkdir(parents=True, exist_ok=True)
        cdr.chmod(0o700)
        self._generated()

    def link_dialplan(self) -> None:
        """Asterisk's *.conf: links to the files of `dialplan_dir` (a file gone from it goes here too)."""
        self.etc.mkdir(parents=True, exist_ok=True)
        for old in self.etc.iterdir():
            if old.is_symlink():
                old.unlink()
        for src in sorted(self.dialplan_dir.glob("*.conf")):
            (self.etc / src.name).symlink_to(src.resolve())

    def _generated(self) -> None:
        s, p = self.settings, self.ports
        gen = {
            "pjsip_transport": f"[transport-udp]\ntype = transport\nprotocol = udp\n"
                               f"bind = {s.bind}:{p.sip}\n",
            # in by the gateway's IP; out to its SIP side (Dial(PJSIP/<number>@pstn-trunk))
            "pjsip_trunk": f"[pstn-trunk]\ntype = identify\nendpoint = pstn-trunk\n"
                           f"match = {s.pstn_gateway}\n\n"
                           f"[pstn-trunk]\ntype = aor\ncontact = sip:{s.outbound_target}\n",
            "rtp": f"[general]\nrtpstart = {p.rtp_start}\nrtpend = {p.rtp_end}\n",
            "extensions_globals": "\n".join([
                f"HOTLINE_EXTENSION={s.extension}",
                # the caller id residents see on calls out (digits; empty: none of the hotline's own)
                f"HOTLINE_PUBLIC_NUMBER={s.public_digits}",
                # calls out ([outbound]): the resident's phone rings this long; number classes
                # beyond the everyday ones only when the admin allows them (Settings.outbound_allow)
                f"HOTLINE_OUTBOUND_RING={max(5, int(s.outbound_ring_s))}",
                f"HOTLINE_ALLOW_INTERNATIONAL={int('international' in s.outbound_allowed)}",
                f"HOTLINE_ALLOW_PREMIUM={int('premium' in s.outbound_allowed)}",
                f"HOTLINE_FASTAGI=agi://127.0.0.1:{p.fastagi}",
                f"HOTLINE_AGI_KEY_FILE={fastagi_secret_file(s)}",
                f"HOTLINE_RECORDINGS={s.recordings_dir}",
                f"HOTLINE_VOICE={s.voice_dir}",
                # nobody waits forever: Queue()'s timeout, then the call-back offer
                f"HOTLINE_MAX_WAIT={max(1, int(s.max_wait_s))}",
                # a transfer target rings this long before the caller comes back
                f"HOTLINE_TRANSFER_RING={max(1, int(s.transfer_ring_s))}",
                # the day's opener for the degraded path, kept current by the service
                f"HOTLINE_OPENER_FILE={s.opener_file}", ""]),
            # included inside queues.conf [repair]
            "queue_repair": f"periodic-announce-frequency = {max(1, int(s.callback_offer_s))}\n",
            "manager": self._manager_conf(),
        }
        for name, body in gen.items():
            write_generated(self.etc / f"{name}.generated.conf", body)
        self.write_agents()
        # SIP addresses the service bans for wrong passwords (hotline.service.sip_guard): none at start
        write_generated(self.etc / BANNED_FILE, "")

    def write_agents(self) -> None:
        """Only the agents' endpoints (an agent added, disabled, a password changed): the rest of
        the running configuration stays exactly as `hotline up` wrote it."""
        write_generated(self.etc / AGENTS_FILE, agents_conf(self.agents))

    def _manager_conf(self) -> str:
        """Two AMI users, each with only the classes it needs: a forged action through the
        service (its input comes from agents) can at most pause or move queue members.
        No one gets `command` or `config`; the service's `originate` places calls out (click-to-call,
        the automated 回访) into the dialplan's [outbound] / [survey-call] contexts only, and
        without `system` Asterisk refuses an Originate of System/Exec or of SHELL/EVAL.
        Neither user is sent an event that names the calls' FastAGI token (its VarSet, the AGI
        commands that set or show it: measured on Asterisk 22, docs/stack-notes.md): the filter
        drops every event whose text holds the variable's name; the key itself is in no event."""
        s, p = self.settings, self.ports
        users = (
            # the service: queue membership and pauses; the Agent*/QueueMember* events (agent),
            # FullyBooted (system), UserEvent (user), failed SIP authentications (security: the
            # service bans an address that keeps guessing); DeviceStateList for the transfer
            # directory (reporting: read-only status actions); Originate for calls out (originate);
            # Hold/Unhold of the agents' phones (call: the reports' hold time), the class's other
            # events dropped by name (CALL_NOISE) — one line per call's step would be read and thrown away
            (AMI_SERVICE_USER, ami_secret(s), "agent,system,user,security,call", "agent,reporting,originate",
             f"eventfilter = !Event: ({'|'.join(CALL_NOISE)})[[:space:]]\n"),
            # `hotline dialplan reload` (Reload: system), `status --watch`, the test bench; the
            # UserEvent (user) of `hotline survey call` that wakes the service's dialer
            (AMI_ADMIN_USER, ami_admin_secret(s), "all", "agent,system,user", ""),
        )
        out = [f"port = {p.ami}\nbindaddr = 127.0.0.1\n"]
        for user, secret, read, write, more in users:
            out.append(f"[{user}]\nsecret = {secret}\ndeny = 0.0.0.0/0.0.0.0\n"
                       f"permit = 127.0.0.1/255.255.255.255\nread = {read}\nwrite = {write}\n"
                       f"eventfilter = !{CALL_TOKEN_VAR}\n{more}writetimeout = 5000\n")
        return "\n".join(out)

    # -- process --
    def start(self, timeout: float = 60.0, detach: bool = False, env: dict | None = None) -> int:
        """Start Asterisk and return its pid once it is fully booted.

        `env` reaches classic AGI scripts: HOTLINE_* settings and a PATH whose
        python3 is the one running the hotline (with pyst2 and the project).
        """
        self.write_config()
        env = dict(env or os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}"
        env.setdefault("HOTLINE_HOME", str(self.settings.home))
        self.console_log.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.console_log, "ab")
        # -f: foreground without a console (-c on a closed stdin spins a core)
        self.proc = subprocess.Popen(run_argv(self.install.argv, self.conf),
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                     start_new_session=detach, cwd=self.base, env=env)
        out.close()
        try:
            self.wait_booted(timeout, self.proc.poll)
        except AsteriskError:
            self.stop()
            raise
        self._refuse_ports_taken()
        return self.proc.pid

    def wait_booted(self, timeout: float, exited=lambda: None) -> None:
        """Return once this Asterisk says it is fully booted (`exited()`: its exit code once it has
        exited — the process this one started, or none for one systemd started)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = exited()
            if code is not None:
                raise AsteriskError(f"Asterisk exited at start (code {code}):\n" + self.log_tail())
            try:
                r = subprocess.run(self.install.command("-C", str(self.conf), "-rx",
                                                        "core waitfullybooted"),
                                   capture_output=True, text=True, timeout=max(1.0, deadline - time.monotonic()))
                if r.returncode == 0 and "fully booted" in r.stdout.lower():
                    return
            except subprocess.TimeoutExpired:
                break
            time.sleep(0.2)
        raise AsteriskError("Asterisk did not finish booting in time:\n" + self.log_tail())

    @property
    def pid_file(self) -> Path:
        """Where Asterisk writes its pid (astrundir/asterisk.pid)."""
        return self.base / "run" / "asterisk.pid"

    def _refuse_ports_taken(self) -> None:
        """Asterisk boots even when its SIP or AMI port was taken before it bound it (it logs and goes
        on without them): stopped then, and PortTaken says which (`hotline up` picks fresh ports)."""
        for name, port, kind in (("sip", self.ports.sip, socket.SOCK_DGRAM), ("ami", self.ports.ami, socket.SOCK_STREAM)):
            if held_by(self.proc.pid, port, kind) is False:
                self.stop()
                raise PortTaken(name, port)

    def rx(self, command: str, timeout: float = 15) -> str:
        r = subprocess.run(self.install.command("-C", str(self.conf), "-rx", command),
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise AsteriskError(f"asterisk -rx '{command}' failed: {r.stderr.strip() or r.stdout.strip()}")
        return r.stdout

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc is None:
            return
        stop_pid(self.proc.pid, timeout, lambda: self.rx("core stop now", timeout=5))
        try:
            self.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass

    def log_tail(self, lines: int = 30) -> str:
        chunks = []
        for f in (self.console_log, self.log_file):
            if f.exists():
                chunks += f.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(chunks) or "(Asterisk wrote no log)"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def stop_pid(pid: int, timeout: float = 15.0, polite=None) -> None:
    """Stop a process: polite request first (half of `timeout` to act on it), then SIGTERM (the
    rest, or all of it without a polite request: no wait for nothing), then SIGKILL."""
    if not pid_alive(pid):
        return
    steps = [(signal.SIGTERM, timeout), (signal.SIGKILL, 5)]
    if polite is not None:
        steps[0] = (signal.SIGTERM, timeout / 2)
        steps.insert(0, (None, timeout / 2))
        try:
            polite()
        except Exception:
            pass
    for sig, wait in steps:
        if sig is not None:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.05)
