"""The one typed settings object and its one loader.

Every tunable fact lives here once. Its value comes from, in order (a later one wins): the field's
default; the configuration file (``HOTLINE_CONFIG``, else ``$HOTLINE_HOME/hotline.toml``, else
``/etc/hotline/hotline.toml``; keys are the field names, e.g. ``db_url``); the environment variable
``HOTLINE_<FIELD>`` (upper case), e.g. ``HOTLINE_HOME``, ``HOTLINE_DB_URL``; explicit keywords of
``load_settings`` (tests, scratch hotlines). Settings stays a stdlib dataclass validated here with
the stdlib: ``common`` is the bottom floor the desk's wheel ships too, no server library below it
(pyproject's import contracts; README "Configuration").
"""
from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Mapping

from common import phones, wire

REPO_ROOT = Path(__file__).resolve().parents[1]


def _default_home() -> Path:
    return Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "hotline"


def _default_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "hotline" / "asterisk-root"


@dataclass(frozen=True)
class Settings:
    #: every piece of runtime state lives under this directory
    home: Path = field(default_factory=_default_home)
    #: SQLAlchemy URL; empty means SQLite under ``home``
    db_url: str = ""
    #: the cached Debian root holding Asterisk 22, shared by every home on the machine
    asterisk_root: Path = field(default_factory=_default_root)
    #: Debian suite and mirror for that root (mirror empty: read from apt's sources)
    asterisk_suite: str = "testing"
    asterisk_mirror: str = ""
    #: the admin-owned dialplan directory
    dialplan_dir: Path = REPO_ROOT / "dialplan"
    #: the extension the gateway sends callers to (Asterisk's [from-pstn]): internal, never shown
    extension: str = "8000"
    #: the hotline's public number, as printed on bills and notices (e.g. 96069, 024-2345 6789): the
    #: caller id residents see on calls out, and what the 回访 closing tells them to dial. Empty =
    #: not configured: calls out present no number at all (SIP anonymous; the gateway or carrier
    #: decides what residents see), and the closing says 本热线
    public_number: str = ""
    #: where everything listens; ports 0 = pick a free one at ``hotline up`` (the defaults without a
    #: configuration file; with one, INSTALLED_PORTS: SIP 5060, AMI 5038, FastAGI 4573, API 8088)
    bind: str = "127.0.0.1"
    sip_port: int = 0
    ami_port: int = 0
    fastagi_port: int = 0
    api_port: int = 0
    #: this node's name when several nodes share one database (scale-out): Asterisk's systemname,
    #: which prefixes every call's uniqueid ("a-1764650000.12"), so two nodes' calls never share a
    #: record; letters, digits, '-' and '_', at most 16; empty on a single node
    node_name: str = ""
    #: RTP media ports: the first one and how many (every channel takes two, RTP + RTCP; a caller
    #: bridged to an agent is two channels). rtp_start 0 = a free block picked at random between
    #: 20000 and 60000 (scratch hotlines and test sessions side by side, clear of the default range)
    rtp_start: int = 10000
    rtp_ports: int = 10000
    #: concurrent callers the installation is sized for: `hotline up` refuses an RTP range that
    #: cannot carry them (each as caller + agent leg); Asterisk's maxcalls is set to what the range
    #: carries, so a call beyond it is refused and logged with the reason, never a bare 488
    expected_calls: int = 600
    #: HTTPS for the agent API; mandatory when `bind` is not loopback (`hotline up --lan`)
    api_tls: bool = False
    #: the admin's own certificate + key (PEM); empty = one generated under home/tls
    tls_cert: str = ""
    tls_key: str = ""
    #: extra names/IPs for the generated certificate (comma-separated); the first is the API URL's host
    tls_names: str = ""
    #: address of the PSTN gateway (trunk identified by IP)
    pstn_gateway: str = "127.0.0.1"
    #: where calls out go (host:port of the gateway's SIP side); empty = the gateway's address on
    #: port 5060. Tests point it at a pjsua2 "resident" (HOTLINE_PSTN_OUTBOUND=127.0.0.1:PORT)
    pstn_outbound: str = ""
    #: number classes agents may dial out beyond mobiles, local and long-distance landlines
    #: (comma-separated: international, premium); the admin's choice, none by default
    outbound_allow: str = ""
    #: 回访 (follow-up survey) of completed repairs: agents | automated | automated-first
    #: (automated first, and agents for those it did not reach or who asked for a person)
    survey_mode: str = "agents"
    #: automated survey calls only inside these hours, at most this many at once, each ticket
    #: tried at most survey_max_attempts times, survey_retry_min apart (busy, no answer)
    survey_hours: str = "09:00-20:00"
    survey_concurrency: int = 4
    survey_max_attempts: int = 3
    survey_retry_min: int = 60
    #: seconds a resident's phone rings for a call out (click-to-call, automated survey)
    outbound_ring_s: int = 30
    #: a dispatched repair's station is called at its duty phone (#30): "接单请按1" moves the ticket to
    #: accepted; busy, no answer or no key: tried again station_call_retry_min later, at most
    #: station_call_attempts times in all (0: stations are not called on dispatch; `hotline stations
    #: notify` and POST notify-station still call once). The station-late anomaly stands either way
    station_call_attempts: int = 3
    station_call_retry_min: int = 5
    #: optional: each dispatch also POSTs signed JSON here (an SMS / 企业微信 gateway; the body's
    #: HMAC-SHA256 under $HOTLINE_HOME/secrets/station_webhook_secret in X-Hotline-Signature); empty: none
    station_webhook_url: str = ""
    #: an outage ended with the call-back (#30): each affected caller's 供热已恢复 call is placed within the
    #: survey's calling hours (survey_hours) and at most survey_concurrency at once; busy or no answer:
    #: tried again outage_call_retry_min later, at most outage_call_attempts times in all (0: the bookings
    #: are not called, they end `off`)
    outage_call_attempts: int = 2
    outage_call_retry_min: int = 30
    #: heating season, month-day inclusive; staffed 24 h inside it
    season_start: str = "11-15"
    season_end: str = "03-15"
    #: staffed hours on working days outside the season
    office_open: str = "08:00"
    office_close: str = "17:00"
    #: fixes "now" for tests and demos: YYYY-MM-DD or YYYY-MM-DDTHH:MM
    today: str = ""
    #: espeak-ng voice for prompt rendering
    tts_voice: str = "cmn"
    #: bound of the read-back cache (addresses, station names rendered ahead of calls), MiB;
    #: `hotline prompts render` rebuilds it
    tts_cache_mb: int = 2048
    #: IVR tuning
    max_tries: int = 3
    digit_timeout_ms: int = 5000
    voice_max_s: int = 30
    #: seconds between the queue's "如不想等待,请按1" offers (queues.conf, generated)
    callback_offer_s: int = 60
    #: nobody waits forever: after this many seconds in the queue the caller is offered the
    #: call-back / a message (and booked for call-back without a key); no agent logged in = at once
    max_wait_s: int = 300
    #: seconds a transfer target (or the transferring agent, when the caller comes back) rings
    #: before the caller moves on (dialplan [transfer]; generated HOTLINE_TRANSFER_RING)
    transfer_ring_s: int = 30
    #: the recordings' (and voice messages') disk: under this many MiB free the team leads' desks and
    #: `hotline status` show 录音磁盘空间不足 (checked every 30 s and at every answer); calls go on
    recordings_min_free_mb: int = 1024
    #: a live call's recording that has not grown for this many seconds has stopped mid-call (the
    #: writer died, the file was moved or cut): 录音中途停止 on the leads' desks and in `hotline status`
    recording_stall_s: float = 30.0
    #: threads the service's call flows query the database with (on SQLite writes take one
    #: writer thread of their own: ivr.context.IvrContext); with the API's threads within the
    #: connection pool (SQLAlchemy: 5 + 10 overflow)
    db_threads: int = 8
    #: seconds a caller may wait on the database: a write not in by then is kept in the journal
    #: (ivr.journal) and the flow goes on; a read not back by then takes the no-answer path
    db_deadline_s: float = 2.0
    #: rows per transaction of bulk writers (`hotline accounts import`): SQLite's one write lock is
    #: never held longer than one batch takes (docs/stack-notes.md: figures)
    import_batch: int = 2000
    #: a graceful service stop or restart (SIGTERM): new calls go the dialplan's degraded way at
    #: once, the flows running (a caller keying their problem) get this many seconds to finish; a
    #: caller at the problem menu needs about 30 s more (read-backs, message, ticket number), so a
    #: restart under calls takes up to this long (docs/stack-notes.md)
    drain_s: int = 45
    log_level: str = "INFO"
    #: 示忙 reasons agents choose from (comma-separated); served to the desk at login,
    #: and nothing else is accepted (a pause reason reaches AMI)
    pause_reasons: str = "小休,用餐,培训,会议,处理回访,其他"
    #: after-call work (话后整理): seconds an agent stays out of the queue after a call, unless
    #: they press 整理完成 sooner (0: straight back)
    wrapup_s: int = 30
    #: the anomaly timers (异常 1–3): a station accepts within, a technician phones the resident
    #: within (after 接单), a repair is done within (after dispatch)
    anomaly_accept_min: int = 30
    anomaly_contact_min: int = 60
    anomaly_open_h: int = 4
    #: a repair waiting as 待确认 (the draft of an ended call) this long raises the confirm_late timer
    anomaly_confirm_min: int = 30
    #: the call-back worklist: after this many unanswered attempts over at least this many hours an
    #: entry goes to the team lead; a take lapses after this many minutes without an outcome
    callback_max_attempts: int = 3
    callback_escalate_after_h: int = 2
    callback_take_min: int = 15
    #: agent API guards: failed logins one address may make per 15 min (beyond that 429,
    #: so nobody locks every agent out), seconds to send a request's headers / body,
    #: open connections per address
    login_failures_per_address: int = 10
    #: SIP: failed authentications (wrong password or unknown phone) one address may make per
    #: 15 min; beyond that Asterisk refuses its every request for 15 min (the PSTN gateway never)
    sip_failures_per_address: int = 10
    #: the reports: a reporting day runs from this time to the same time the next day (the shift
    #: boundary; one clock, settings.now()); the service level counts calls answered within
    #: report_service_level_s; an abandon within report_short_abandon_s is shown apart (a misdial,
    #: not a lost caller); report_hot_spot_repairs no-heat repairs from one compound or building within
    #: report_hot_spot_min minutes are a hot spot (a network fault, not N separate repairs); a repair
    #: is resolved on first call when its caller does not call again about it within report_fcr_days
    #: supervision (#30): the alerts on the board, the wall and the leads' desks — a caller waiting past
    #: alert_wait_s; callers waiting alert_no_agent_s with no agent free; no agent logged in for
    #: alert_nobody_s during staffed hours; a pause past its limit (alert_pause_limits: reason=minutes,
    #: comma-separated; any other reason alert_pause_default_min — 000: breaks over 15 minutes are
    #: signed out); the last hour's service level under alert_service_level_target (once the hour had
    #: alert_service_level_min_calls calls)
    alert_wait_s: int = 120
    alert_no_agent_s: int = 30
    alert_nobody_s: int = 120
    alert_pause_limits: str = "小休=15,用餐=40,培训=120,会议=90,处理回访=60,其他=15"
    alert_pause_default_min: int = 15
    alert_service_level_target: float = 0.8
    alert_service_level_min_calls: int = 5
    report_day_start: str = "08:00"
    report_service_level_s: int = 20
    report_short_abandon_s: int = 5
    report_hot_spot_repairs: int = 3
    report_hot_spot_min: int = 60
    report_fcr_days: int = 3
    #: the daily report by e-mail (XLSX + PDF): each day at report_send_at (HH:MM) the service mails
    #: the reporting day just over to report_mail_to (addresses, comma-separated; empty: no e-mail)
    #: through the SMTP relay smtp_host:smtp_port — STARTTLS when smtp_starttls (the relay's
    #: certificate checked against the system's CAs), a login when smtp_user is set — from smtp_from.
    #: smtp_password is a secret: from the environment or the configuration file (0600/0640, `hotline config
    #: check` says when others may read it), never logged, in no argv, run state or repr; masked by `config show`
    report_mail_to: str = ""
    report_send_at: str = "09:00"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = ""
    smtp_timeout_s: int = 30
    #: GET /metrics (Prometheus): without a token only the server itself (loopback) may read it; with
    #: one, anyone presenting `Authorization: Bearer <metrics_token>` (a Prometheus on another host).
    #: A secret like smtp_password: never logged, in no argv, run state or repr
    metrics_token: str = field(default="", repr=False)
    #: a failed e-mail is tried again report_mail_retry_s later, then twice as long each time (at most
    #: an hour), report_mail_attempts times in all; a day not sent report_mail_late_min after its time
    #: is late. Both show on the team leads' desks and in `hotline status`
    report_mail_retry_s: int = 60
    report_mail_attempts: int = 10
    report_mail_late_min: int = 15
    #: quality checks on recordings (#28, 002 录音抽查制度, 001 质检): each reporting day's sample is at
    #: least this share of each agent's answered calls (rounded up, at least one); the head's weekly
    #: sample this many calls per agent; each agent on shift listens to this many of colleagues'
    #: recordings of the day before (录音由大家共同检查)
    qa_sample_share: float = 0.10
    qa_weekly_per_agent: int = 1
    qa_peer_quota: int = 5
    #: serious errors (地址填写错误, 选错维修站, 无效承诺): qa_fine_base 元 each, qa_fine_extra 元 more for
    #: each one past qa_fine_free within the window: "month" (the calendar month) or "<N>d" (N days)
    qa_fine_base: int = 10
    qa_fine_extra: int = 50
    qa_fine_free: int = 3
    qa_fine_window: str = "month"
    #: retraining (轮训) at a day's fail rate of this share or more; complaint rates' limits per day
    #: and per month (投诉率 2 % / 1 %)
    qa_retrain_fail_rate: float = 0.30
    qa_complaint_day: float = 0.02
    qa_complaint_month: float = 0.01
    #: a recording is empty (a team lead may apply to delete it) when no sample rises above this
    #: peak level in dBFS (sox stats "Pk lev dB")
    recordings_empty_peak_db: float = -50.0
    #: recordings kept for ever in bounded space (#29): once sealed, each recording is converted to
    #: Ogg Vorbis at this quality (sox -C; 0 ≈ 6.6 MB per hour of speech at 8 kHz, at most ≈ 8 on
    #: noise; Asterisk plays it, the desk gets WAV from the API); 0/false keeps the WAV files
    recordings_compress: bool = True
    recordings_vorbis_quality: int = 0
    #: minutes after its seal a recording stays WAV: the calls just over are the ones replayed, checked
    #: and (when empty) deleted, and they play without a decode
    recordings_compress_after_min: int = 30
    #: `hotline status` warns when the recordings disk fills within this many days at the last week's rate
    recordings_days_left_warn: int = 30
    #: the nightly backup (#29): the service backs up into backup_dir each day at backup_at (HH:MM,
    #: the hotline's clock); empty backup_dir = no nightly backup (`hotline backup DEST` still works)
    backup_dir: str = ""
    backup_at: str = "02:30"
    api_header_timeout_s: int = 10
    api_body_timeout_s: int = 10
    api_connections_per_address: int = 64

    # ---- derived paths: one place for the layout of $HOTLINE_HOME ----
    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.home / 'hotline.db'}"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def asterisk_dir(self) -> Path:
        return self.home / "asterisk"

    @property
    def secrets_dir(self) -> Path:
        return self.home / "secrets"

    @property
    def prompts_dir(self) -> Path:
        return self.home / "sounds" / "prompts"

    @property
    def tts_cache_dir(self) -> Path:
        return self.home / "sounds" / "tts"

    @property
    def custom_prompts_dir(self) -> Path:
        return self.home / "sounds" / "custom"

    @property
    def recordings_dir(self) -> Path:
        return self.home / "recordings"

    @property
    def voice_dir(self) -> Path:
        return self.home / "voice"

    @property
    def opener_file(self) -> Path:
        """The day's opener prompt id, written by the service, read by the dialplan's degraded path."""
        return self.run_dir / "opener"

    @property
    def cdr_dir(self) -> Path:
        """Asterisk's CDRs (cdr_csv: Master.csv), private like the rest of the home."""
        return self.asterisk_dir / "log" / "cdr-csv"

    @property
    def queue_log(self) -> Path:
        """Asterisk's queue_log: what the queue did with every call (reconciliation reads it)."""
        return self.asterisk_dir / "log" / "queue_log"

    @property
    def journal_file(self) -> Path:
        """The call flows' writes not yet in the database (ivr.journal): replayed by the service."""
        return self.home / "journal" / "ivr-writes.jsonl"

    @property
    def log_dir(self) -> Path:
        return self.home / "log"

    @property
    def outbound_target(self) -> str:
        """host:port calls out are sent to (pstn_outbound, else the gateway on 5060); refuses
        anything else, since it is written into the PJSIP configuration."""
        target = self.pstn_outbound.strip() or f"{self.pstn_gateway}:5060"
        host, _, port = target.rpartition(":")
        if not (re.fullmatch(r"[A-Za-z0-9.-]{1,253}", host) and port.isdigit() and 0 < int(port) < 65536):
            raise ValueError(f"HOTLINE_PSTN_OUTBOUND should be host:port, not {target!r}")
        return f"{host}:{int(port)}"

    @property
    def public_digits(self) -> str:
        """public_number as digits ('' when not configured); refuses anything that is not a phone
        number, since it is written into the dialplan's globals and read out digit by digit."""
        raw = self.public_number.strip()
        digits = phones.normalise_phone_query(raw)
        if raw and not (3 <= len(digits) and len(phones.clean_digits(raw)) <= phones.MAX_DIGITS):
            raise ValueError(f"HOTLINE_PUBLIC_NUMBER should be a phone number such as 96069 or 024-2345 6789, "
                             f"not {raw!r}")
        return digits

    @property
    def outbound_allowed(self) -> frozenset[str]:
        return frozenset(x.strip() for x in self.outbound_allow.split(",") if x.strip())

    @property
    def pause_reason_list(self) -> list[str]:
        # 话后整理 and 未接听 are the server's own: an agent cannot choose them
        return [r.strip() for r in self.pause_reasons.split(",")
                if r.strip() and r.strip() not in (wire.WRAPUP_REASON, wire.NO_ANSWER_REASON)]

    def now(self) -> datetime:
        """The hotline's notion of now; ``HOTLINE_TODAY`` pins it for tests/demos."""
        if not self.today:
            return datetime.now()
        real = datetime.now()
        if "T" in self.today or " " in self.today:
            return datetime.fromisoformat(self.today.replace(" ", "T"))
        d = date.fromisoformat(self.today)
        return real.replace(year=d.year, month=d.month, day=d.day)

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)


#: an installed server's configuration file, read when neither HOTLINE_CONFIG nor the home names one
SYSTEM_CONFIG = Path("/etc/hotline/hotline.toml")
#: the file's name inside $HOTLINE_HOME
CONFIG_NAME = "hotline.toml"
#: an installed server's ports, the defaults whenever a configuration file is in use: fixed, so the
#: desks' `--api` URL, the gateway's SIP target and the firewall stay what they were after a restart.
#: Without a file (`hotline up` on a laptop, a demo, the tests) the defaults stay 0: free ports at random
INSTALLED_PORTS = {"sip_port": 5060, "ami_port": 5038, "fastagi_port": 4573, "api_port": 8088}
#: where a setting's value came from (`hotline config show`)
DEFAULT, FILE, ENV, OVERRIDE = "default", "file", "env", "override"

_KIND_WORDS = {"int": "a whole number", "float": "a number", "bool": "true or false", "str": "text",
               "Path": "a path (text)"}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class ConfigError(ValueError):
    """The configuration (file, environment or keywords) is wrong; one line per problem, each naming
    where (the file or the variable), the key and what is wrong."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Loaded:
    """Settings with where each value came from (DEFAULT, FILE, ENV, OVERRIDE) and the file read."""
    settings: Settings
    sources: dict[str, str]
    file: Path | None


def _kinds() -> dict[str, str]:
    # `from __future__ import annotations`: a field's type is its annotation's text
    return {f.name: f.type if isinstance(f.type, str) else f.type.__name__ for f in fields(Settings)}


def suggest(name: str, known) -> str:
    """ — did you mean X? (or nothing) for a key nobody knows."""
    close = difflib.get_close_matches(name.lower().removeprefix("hotline_"), list(known), n=1, cutoff=0.6)
    return f" — did you mean {close[0]}?" if close else ""


def _coerce(kind, raw: str):
    """A setting's value from environment text (HOTLINE_API_TLS=1 / true / yes / on)."""
    kind = kind if isinstance(kind, str) else kind.__name__
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"should be {_KIND_WORDS[kind]}, not {raw!r}") from None
    if kind == "float":
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"should be {_KIND_WORDS[kind]}, not {raw!r}") from None
    if kind == "bool":
        if raw.strip().lower() not in (*_TRUE, *_FALSE, ""):
            raise ValueError(f"{raw!r} is not a yes/no value (use 1 or 0)")
        return raw.strip().lower() in _TRUE
    if kind == "Path":
        return Path(raw).expanduser()
    return raw


def _from_toml(kind: str, value):
    """A setting's value from the file's own TOML type: no guessing from text there."""
    ok = {"int": isinstance(value, int) and not isinstance(value, bool),
          "float": isinstance(value, (int, float)) and not isinstance(value, bool),
          "bool": isinstance(value, bool), "str": isinstance(value, str), "Path": isinstance(value, str)}[kind]
    if not ok:
        shown = f"the text {value!r}" if isinstance(value, str) else f"{type(value).__name__} {value!r}"
        hint = ' (in quotes: key = "…")' if kind in ("str", "Path") else ""
        try:
            if isinstance(value, str) and kind in ("int", "float"):
                hint = f" (without quotes: = {_coerce(kind, value)})"
        except ValueError:
            pass
        raise ValueError(f"should be {_KIND_WORDS[kind]}{hint}, not {shown}")
    return float(value) if kind == "float" else Path(value).expanduser() if kind == "Path" else value


_HHMM = re.compile(r"([01]?[0-9]|2[0-3]):[0-5][0-9]")
_MMDD = re.compile(r"(0?[1-9]|1[0-2])-(0?[1-9]|[12][0-9]|3[01])")


def _port(v) -> str | None:
    return None if 0 <= v <= 65535 else "should be a port 1–65535 (0: a free one picked at start)"


def _at_least(low):
    return lambda v: None if v >= low else f"should be at least {low}"


def _matches(pattern: re.Pattern, example: str):
    return lambda v: None if pattern.fullmatch(v.strip()) else f"should be like {example}"


def _address(v: str) -> str | None:
    try:
        ipaddress.ip_address(v.strip())
    except ValueError:
        return "should be an IP address such as 127.0.0.1 or 0.0.0.0"
    return None


def _today(v: str) -> str | None:
    try:
        if v.strip():
            datetime.fromisoformat(v.strip().replace(" ", "T"))
    except ValueError:
        return "should be YYYY-MM-DD or YYYY-MM-DDTHH:MM (empty: the real clock)"
    return None


#: what a value must be beyond its type (file and environment; keywords are the program's own, and
#: the domain's policies — survey hours, the QA fines, the report times — check theirs where they are
#: used and in `hotline config check`)
_VALUE_RULES = {
    **{name: _port for name in ("sip_port", "ami_port", "fastagi_port", "api_port", "smtp_port")},
    "rtp_start": lambda v: None if v == 0 or 1024 <= v <= 65535 else "should be 0 (a random block) or 1024–65535",
    "rtp_ports": _at_least(4), "expected_calls": _at_least(1), "db_threads": _at_least(1),
    "import_batch": _at_least(1), "max_tries": _at_least(1),
    "bind": _address,
    "log_level": lambda v: None if v.strip().upper() in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    else "should be one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
    "season_start": _matches(_MMDD, "11-15 (month-day)"), "season_end": _matches(_MMDD, "03-15 (month-day)"),
    "office_open": _matches(_HHMM, "08:00"), "office_close": _matches(_HHMM, "17:00"),
    "today": _today,
    # recordings in bounded space and the nightly backup (#29)
    "backup_at": _matches(_HHMM, "02:30"),
    "alert_wait_s": _at_least(1), "alert_no_agent_s": _at_least(0), "alert_nobody_s": _at_least(0),
    "alert_pause_default_min": _at_least(1), "alert_service_level_min_calls": _at_least(1),
    "alert_service_level_target": lambda v: None if 0 < v <= 1 else "should be a share: more than 0, at most 1",
    "recordings_vorbis_quality": lambda v: None if -1 <= v <= 10 else "should be -1–10 (sox -C for Ogg Vorbis)",
}


def _checked(name: str, value) -> None:
    rule = _VALUE_RULES.get(name)
    problem = rule(value) if rule else None
    if problem is None and isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0 \
            and name not in ("recordings_empty_peak_db", "recordings_vorbis_quality"):
        problem = "should not be negative"
    if problem:
        raise ValueError(problem)


def config_file(environ: Mapping[str, str] | None = None, home: str | Path | None = None) -> Path | None:
    """The configuration file in use: HOTLINE_CONFIG (which must exist), else hotline.toml in the home
    (`home`, else HOTLINE_HOME, else the default home), else /etc/hotline/hotline.toml; None: no file."""
    environ = os.environ if environ is None else environ
    named = environ.get("HOTLINE_CONFIG", "").strip()
    if named:
        return Path(named).expanduser()
    home = Path(home or environ.get("HOTLINE_HOME", "").strip() or _default_home()).expanduser()
    for candidate in (home / CONFIG_NAME, SYSTEM_CONFIG):
        if candidate.is_file():
            return candidate
    return None


def _read_file(path: Path, kinds: dict[str, str], problems: list[str]) -> dict:
    try:
        with open(path, "rb") as f:
            table = tomllib.load(f)
    except FileNotFoundError:
        problems.append(f"{path}: no such file (named by HOTLINE_CONFIG)")
        return {}
    except OSError as exc:
        problems.append(f"{path}: cannot be read: {exc.strerror or exc}")
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path}: not valid TOML: {exc}")
        return {}
    values = {}
    for key, raw in table.items():
        if key not in kinds:
            hint = suggest(key, kinds) or " (`hotline config show` lists every setting)"
            if isinstance(raw, dict):
                hint = " (sections are not used: write every setting at the top level)"
            problems.append(f"{path}: {key}: unknown setting{hint}")
            continue
        try:
            values[key] = _from_toml(kinds[key], raw)
            _checked(key, values[key])
        except ValueError as exc:
            problems.append(f"{path}: {key}: {exc}")
    return values


def load(environ: Mapping[str, str] | None = None, *, use_file: bool = True, **overrides) -> Loaded:
    """The one loader: defaults, then the configuration file (config_file), then HOTLINE_* environment,
    then explicit keyword overrides; a file in use makes the ports' defaults INSTALLED_PORTS. Every
    problem is collected and raised together as ConfigError. `use_file` False: no file at all (a
    scratch hotline on an installed server is not that server)."""
    environ = os.environ if environ is None else environ
    kinds, problems = _kinds(), []
    unknown = [k for k in overrides if k not in kinds]
    if unknown:
        raise TypeError(f"load_settings() got unknown setting(s) {', '.join(unknown)}")
    env = {}
    for name, kind in kinds.items():
        raw = environ.get(f"HOTLINE_{name.upper()}")
        if raw is None or raw == "":
            continue
        try:
            env[name] = _coerce(kind, raw)
            _checked(name, env[name])
        except ValueError as exc:
            problems.append(f"HOTLINE_{name.upper()}={raw!r}: {exc}")
    home = overrides.get("home") or environ.get("HOTLINE_HOME", "").strip() or None
    path = config_file(environ, home) if use_file else None
    from_file = _read_file(path, kinds, problems) if path else {}
    given = {}
    for name, value in overrides.items():
        if value is None:
            continue
        try:
            given[name] = _coerce(kinds[name], value) if isinstance(value, str) else value
        except ValueError as exc:
            problems.append(f"{name}={value!r}: {exc}")
    if problems:
        raise ConfigError(problems)
    values = {**(INSTALLED_PORTS if path else {}), **from_file, **env, **given}
    sources = {name: OVERRIDE if name in given else ENV if name in env else FILE if name in from_file
               else DEFAULT for name in kinds}
    return Loaded(Settings(**values), sources, path)


def load_settings(**overrides) -> Settings:
    """Settings from defaults, then the configuration file, then ``HOTLINE_*`` environment, then
    explicit overrides (tests, scratch hotlines): `load`."""
    return load(**overrides).settings
