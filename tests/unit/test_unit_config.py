"""One configuration: hotline.toml, then HOTLINE_* variables, then keywords; validated with messages
that name the file or variable, the key and what is wrong; `config show` masks secrets; `config check`
checks the domain's rules and the ports; a random port taken before its bind is picked afresh."""
from __future__ import annotations

import asyncio
import errno
import os
import socket
from pathlib import Path

import pytest

from common import settings as settings_mod
from common.ports import PortInUse, Ports, PortTaken, start_on_free_ports
from common.settings import INSTALLED_PORTS, ConfigError, load
from hotline.admin import config
from hotline.admin.asterisk import PrivateAsterisk
from hotline.admin import runtime
from hotline.admin.runtime import shell_differs
from hotline.service.app import _bind


@pytest.fixture
def world(tmp_path, monkeypatch):
    """No HOTLINE_* in the environment, a private default home, no /etc file."""
    for name in list(os.environ):
        if name.startswith("HOTLINE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(settings_mod, "SYSTEM_CONFIG", tmp_path / "etc" / "hotline.toml")
    return tmp_path


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# ------------------------------------------------------------------------------ precedence --

def test_the_file_then_the_environment_then_keywords(world):
    conf = write(world / "h.toml", 'db_url = "sqlite:////srv/h.db"\nextension = "8001"\nmax_wait_s = 200\n'
                                   'api_tls = true\n')
    got = load({"HOTLINE_CONFIG": str(conf), "HOTLINE_EXTENSION": "8002", "HOTLINE_MAX_WAIT_S": "100"},
               max_wait_s=50)
    s = got.settings
    assert (s.db_url, s.extension, s.max_wait_s, s.api_tls) == ("sqlite:////srv/h.db", "8002", 50, True)
    assert got.file == conf
    assert (got.sources["db_url"], got.sources["extension"], got.sources["max_wait_s"], got.sources["log_level"]) \
        == ("file", "env", "override", "default")


def test_where_the_file_is_looked_for(world):
    home = world / "home"
    assert load({}).file is None                                       # nothing anywhere
    etc = write(settings_mod.SYSTEM_CONFIG, 'extension = "8100"\n')
    assert load({}).file == etc                                        # an installed server's
    in_home = write(home / "hotline.toml", 'extension = "8200"\n')
    assert load({"HOTLINE_HOME": str(home)}).file == in_home           # the home's comes first
    assert load({}, home=str(home)).settings.extension == "8200"       # a keyword home as well
    default_home = write(world / "state" / "hotline" / "hotline.toml", 'extension = "8300"\n')
    assert load({}).file == default_home                               # the default home is a home too
    named = write(world / "elsewhere.toml", 'extension = "8400"\n')
    assert load({"HOTLINE_CONFIG": str(named), "HOTLINE_HOME": str(home)}).settings.extension == "8400"


def test_the_file_named_by_hotline_config_may_place_the_home_and_the_environment_still_wins(world):
    conf = write(world / "h.toml", f'home = "{world / "srv"}"\n')
    assert load({"HOTLINE_CONFIG": str(conf)}).settings.home == world / "srv"
    assert load({"HOTLINE_CONFIG": str(conf), "HOTLINE_HOME": str(world / "x")}).settings.home == world / "x"


def test_a_file_in_use_fixes_the_ports_and_none_leaves_them_random(world):
    assert {n: getattr(load({}).settings, n) for n in INSTALLED_PORTS} == dict.fromkeys(INSTALLED_PORTS, 0)
    conf = write(world / "h.toml", "")
    installed = load({"HOTLINE_CONFIG": str(conf)})
    assert {n: getattr(installed.settings, n) for n in INSTALLED_PORTS} == \
        {"sip_port": 5060, "ami_port": 5038, "fastagi_port": 4573, "api_port": 8088}
    assert installed.sources["sip_port"] == "default"
    assert "installed server" in config.where(installed, "sip_port")
    # scratch hotlines and tests ask for random ones explicitly, in the file or as keywords
    write(conf, "sip_port = 0\n")
    assert load({"HOTLINE_CONFIG": str(conf)}, api_port=0).settings.sip_port == 0
    assert load({"HOTLINE_CONFIG": str(conf)}, api_port=0).settings.api_port == 0


# ------------------------------------------------------------------------------ validation --

def problems_of(environ, **overrides) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(environ, **overrides)
    return caught.value.problems


def test_every_problem_of_the_file_is_named_with_the_file_and_the_key(world):
    conf = write(world / "h.toml", 'sip_prot = 5060\napi_port = "8088"\nexpected_calls = 5.5\nbind = "localhost"\n'
                                   'ami_port = 70000\nsurvey_mode = 3\n[report]\nx = 1\n')
    got = problems_of({"HOTLINE_CONFIG": str(conf)})
    assert got == [
        f"{conf}: sip_prot: unknown setting — did you mean sip_port?",
        f"{conf}: api_port: should be a whole number (without quotes: = 8088), not the text '8088'",
        f"{conf}: expected_calls: should be a whole number, not float 5.5",
        f"{conf}: bind: should be an IP address such as 127.0.0.1 or 0.0.0.0",
        f"{conf}: ami_port: should be a port 1–65535 (0: a free one picked at start)",
        f'{conf}: survey_mode: should be text (in quotes: key = "…"), not int 3',
        f"{conf}: report: unknown setting (sections are not used: write every setting at the top level)",
    ]


def test_a_file_that_is_no_toml_or_not_there(world):
    conf = write(world / "h.toml", "db_url = sqlite:///x\n")
    [problem] = problems_of({"HOTLINE_CONFIG": str(conf)})
    assert problem.startswith(f"{conf}: not valid TOML:") and "line 1" in problem
    [problem] = problems_of({"HOTLINE_CONFIG": str(world / "missing.toml")})
    assert problem == f"{world / 'missing.toml'}: no such file (named by HOTLINE_CONFIG)"


def test_environment_values_are_named_by_their_variable(world):
    got = problems_of({"HOTLINE_AMI_PORT": "abc", "HOTLINE_API_TLS": "maybe", "HOTLINE_SEASON_START": "15.11",
                       "HOTLINE_DRAIN_S": "-3", "HOTLINE_LOG_LEVEL": "loud"})
    assert "HOTLINE_AMI_PORT='abc': should be a whole number, not 'abc'" in got
    assert "HOTLINE_API_TLS='maybe': 'maybe' is not a yes/no value (use 1 or 0)" in got
    assert "HOTLINE_SEASON_START='15.11': should be like 11-15 (month-day)" in got
    assert "HOTLINE_DRAIN_S='-3': should not be negative" in got
    assert "HOTLINE_LOG_LEVEL='loud': should be one of DEBUG, INFO, WARNING, ERROR, CRITICAL" in got


def test_keywords_are_the_programs_own_values(world):
    # tests hand the policies bad values on purpose: only the type is converted here
    assert load({}, report_send_at="9点", survey_mode="robots").settings.survey_mode == "robots"
    with pytest.raises(TypeError, match="sip_prot"):
        load({}, sip_prot=1)


# ------------------------------------------------------------------------------ show / check --

def test_show_masks_secrets_and_says_where_each_value_came_from(world):
    conf = write(world / "h.toml", 'smtp_password = "relay-pw-1"\ndb_url = "postgresql://hotline:s3cret@db/h"\n')
    shown = config.show(load({"HOTLINE_CONFIG": str(conf), "HOTLINE_SMTP_USER": "hotline@dalong-heat.cn"}))
    rows = shown["settings"]
    assert shown["file"] == str(conf)
    assert rows["smtp_password"] == {"value": "***", "source": "file", "where": f"file {conf}"}
    assert rows["db_url"]["value"] == "postgresql://hotline:***@db/h"
    assert rows["smtp_user"] == {"value": "hotline@dalong-heat.cn", "source": "env", "where": "env HOTLINE_SMTP_USER"}
    assert rows["home"]["source"] == "default"
    assert "relay-pw-1" not in repr(shown) and "s3cret" not in repr(shown)


def test_check_names_the_domains_problems_a_readable_secret_and_stray_variables(world):
    conf = write(world / "h.toml", 'survey_hours = "20:00-09:00"\nsmtp_password = "x"\n'
                                   'sip_port = 0\nami_port = 0\nfastagi_port = 0\napi_port = 0\n')
    conf.chmod(0o644)
    result = config.check({"HOTLINE_CONFIG": str(conf), "HOTLINE_SIP_PROT": "1", "HOTLINE_API_URL": "x"})
    assert not result.ok
    assert "HOTLINE_SURVEY_HOURS should be like 09:00-20:00, not '20:00-09:00'" in result.problems
    assert any(p.startswith(f"{conf}: holds smtp_password and every user may read it") for p in result.problems)
    assert result.notes == ["HOTLINE_SIP_PROT is set but names no setting — did you mean HOTLINE_SIP_PORT?"]
    conf.chmod(0o640)
    write(conf, 'smtp_password = "x"\nsip_port = 0\nami_port = 0\nfastagi_port = 0\napi_port = 0\n')
    conf.chmod(0o640)
    fine = config.check({"HOTLINE_CONFIG": str(conf)})
    assert fine.ok, fine.problems
    assert fine.ports["sip_port"] == "random (picked at `hotline up`)"


def test_check_refuses_a_port_another_program_holds(world):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = config.check({"HOTLINE_HOME": str(world / "home"), "HOTLINE_API_PORT": str(port)})
    assert result.ports["api_port"] == f"{port} taken"
    assert f"port {port} (api_port) is in use by another program — free it, or set api_port in the " \
           f"configuration file (HOTLINE_API_PORT) to another port" in result.problems
    result = config.check({"HOTLINE_HOME": str(world / "home"), "HOTLINE_API_PORT": str(port)})
    assert result.ok and result.ports["api_port"] == f"{port} free"


def test_check_reports_a_bad_file_without_going_further(world):
    conf = write(world / "h.toml", "sip_prot = 1\n")
    result = config.check({"HOTLINE_CONFIG": str(conf)})
    assert result.problems == [f"{conf}: sip_prot: unknown setting — did you mean sip_port?"] and result.ports == {}


# ------------------------------------------------------------------------------ the port retry --

def ports(n: int) -> Ports:
    return Ports(sip=n, ami=n + 1, fastagi=n + 2, api=n + 3, rtp_start=20000, rtp_end=20399)


class Binder:
    """A fake of what binds the ports later (Asterisk, the service): the first `fail` starts find
    the FastAGI port taken."""

    def __init__(self, fail: int, part: str = "fastagi"):
        self.fail, self.part, self.tried = fail, part, []

    def allocate(self, settings) -> Ports:
        return ports(1000 + 10 * len(self.tried))

    def start(self, p: Ports) -> str:
        self.tried.append(p)
        if len(self.tried) <= self.fail:
            raise PortTaken(self.part, getattr(p, self.part))
        return "started"


def test_a_random_port_taken_before_its_bind_is_picked_afresh(world):
    binder, said = Binder(fail=2), []
    got, result = start_on_free_ports(load({}).settings, binder.start, said.append, allocate=binder.allocate)
    assert result == "started" and got == ports(1020) and len(binder.tried) == 3
    assert said == ["port 1002 (fastagi) was taken by another program before it was bound: starting again on "
                    "fresh ports (2 of 3)",
                    "port 1012 (fastagi) was taken by another program before it was bound: starting again on "
                    "fresh ports (3 of 3)"]


def test_the_retries_are_bounded(world):
    binder = Binder(fail=5, part="sip")
    with pytest.raises(PortInUse, match=r"a free port picked for sip was taken before it was bound, 3 times"):
        start_on_free_ports(load({}).settings, binder.start, lambda m: None, allocate=binder.allocate)
    assert len(binder.tried) == 3


def test_a_configured_port_taken_is_refused_at_once_naming_its_setting(world):
    binder = Binder(fail=1, part="api")
    with pytest.raises(PortInUse) as caught:
        start_on_free_ports(load({}, api_port=1003).settings, binder.start, lambda m: None, allocate=binder.allocate)
    assert str(caught.value) == ("port 1003 (api) is already in use — free it, or set api_port in hotline.toml "
                                 "(HOTLINE_API_PORT) to another port (0 = any free one)")
    assert len(binder.tried) == 1


def test_the_service_reports_a_taken_listener_port_as_port_taken():
    async def taken():
        raise OSError(errno.EADDRINUSE, "Address already in use")

    async def refused():
        raise OSError(errno.EACCES, "Permission denied")

    with pytest.raises(PortTaken) as caught:
        asyncio.run(_bind("fastagi", 4573, taken))
    assert (caught.value.name, caught.value.port) == ("fastagi", 4573)
    with pytest.raises(PermissionError):
        asyncio.run(_bind("api", 8088, refused))


def test_an_asterisk_that_booted_without_its_sip_port_is_stopped_and_says_so(world):
    class Proc:
        pid = os.getpid()   # this process holds the AMI port below, not the SIP one

    with socket.socket() as ami, socket.socket(type=socket.SOCK_DGRAM) as other:
        ami.bind(("127.0.0.1", 0))
        ami.listen()
        other.bind(("127.0.0.1", 0))
        sip = other.getsockname()[1]
        other.close()   # "someone else's": this process no longer holds it
        ast = PrivateAsterisk(load({}, home=str(world / "home")).settings, None,
                              Ports(sip=sip, ami=ami.getsockname()[1], fastagi=1, api=2, rtp_start=20000, rtp_end=20399))
        ast.proc, stopped = Proc(), []
        ast.stop = lambda: stopped.append(True)
        with pytest.raises(PortTaken) as caught:
            ast._refuse_ports_taken()
    assert (caught.value.name, caught.value.port, stopped) == ("sip", sip, [True])


def test_a_command_notes_the_files_values_a_running_hotline_was_not_started_with(world):
    conf = write(world / "h.toml", 'pstn_outbound = "10.0.0.9:5060"\nsurvey_hours = "08:00-20:00"\n')
    environ = {"HOTLINE_CONFIG": str(conf), "HOTLINE_MAX_WAIT_S": "100"}
    s = load(environ).settings
    live = s.replace(pstn_outbound="10.0.0.1:5060", max_wait_s=300, survey_hours="09:00-20:00")
    # survey_hours is the command's own (not recorded at `up`): no note for it
    assert shell_differs(s, live, environ) == [f"pstn_outbound ({conf})", "HOTLINE_MAX_WAIT_S"]


def test_check_accepts_a_port_this_hotline_holds(world):
    """The running hotline's own Asterisk holds its configured API port: not a problem (the run
    state names this process as that Asterisk: its command line holds the recorded config path)."""
    home = world / "home"
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        s = load({"HOTLINE_HOME": str(home)}).settings
        # this process's own argv[0] as its command line spells it (sys.executable is absolute; a
        # test run started as `.venv/bin/python` has the relative path there)
        argv0 = Path(f"/proc/{os.getpid()}/cmdline").read_bytes().split(b"\0")[0].decode()
        runtime.write_state(s, {"asterisk_pid": os.getpid(), "asterisk_conf": argv0, "service_pid": None})
        result = config.check({"HOTLINE_HOME": str(home), "HOTLINE_API_PORT": str(port)})
    assert result.ok, result.problems
    assert result.ports["api_port"] == f"{port} held by this hotline"
