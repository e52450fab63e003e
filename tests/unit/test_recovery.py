"""Recovery without a developer: which part of a hotline runs, what `hotline up` starts, and the
last-known-good dialplan Asterisk reads (only a dialplan that passed replaces it)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hotline.admin import dialplan_good, runtime
from hotline.admin.dialplan_check import DEGRADED_JUMP, lint, parse
from hotline.admin.dialplan_good import (SHIPPED, DialplanRefused, good_dir, has_good, is_current, manifest, prepare,
                                         promote, shipped)
from hotline.admin.runtime import Parts, to_start
from common.settings import REPO_ROOT, load_settings

STATE = {"asterisk_pid": 101, "service_pid": 102, "ports": {"api": 1}, "asterisk_conf": "/h/asterisk/etc/asterisk.conf"}


@pytest.mark.parametrize("parts, started", [
    (Parts(asterisk=True, service=True), ()),
    (Parts(asterisk=True, service=False), ("service",)),
    (Parts(asterisk=False, service=True), ("asterisk",)),
    (Parts(asterisk=False, service=False), ("asterisk", "service")),
])
def test_up_starts_what_is_not_running(parts, started):
    assert to_start(STATE, parts) == started


def test_a_fresh_home_starts_everything():
    assert to_start(None, Parts(False, False)) == ("asterisk", "service")


def test_a_parts_pid_counts_only_while_it_lives_and_is_ours(monkeypatch):
    """The process half of "a part runs"; the other half (it answers) is asked of the real parts in
    tests/integration/test_faults_recovery.py (a killed and a hung service)."""
    alive = {101, 102}
    cmdlines = {101: b"/root/ld.so\0asterisk\0-C\0/h/asterisk/etc/asterisk.conf\0", 102: b"python\0-m\0hotline.service\0"}
    monkeypatch.setattr(runtime, "pid_alive", lambda pid: pid in alive)
    monkeypatch.setattr(runtime, "_cmdline", lambda pid: cmdlines.get(pid, b""))
    assert (runtime.part_pid(STATE, "asterisk"), runtime.part_pid(STATE, "service")) == (101, 102)
    # the service crashed (kill -9)
    alive.discard(102)
    assert runtime.part_pid(STATE, "service") is None
    # its pid went to another program: not ours, not running (and never stopped by us)
    alive.add(102)
    cmdlines[102] = b"/usr/bin/vim\0notes.txt\0"
    assert runtime.part_pid(STATE, "service") is None
    # an Asterisk of another home is not this hotline's
    cmdlines[101] = b"/root/ld.so\0asterisk\0-C\0/other/asterisk/etc/asterisk.conf\0"
    assert runtime.part_pid(STATE, "asterisk") is None
    assert runtime.parts_running(None) == Parts(False, False)


def test_after_a_reboot_pids_of_other_programs_are_not_a_running_hotline(monkeypatch, tmp_path):
    """The run state survives a reboot; its pids may now be other programs': `up` must not refuse
    ("already running") and commands must not bind to a run that is gone."""
    s = load_settings(home=str(tmp_path / "home"))
    runtime.write_state(s, dict(STATE))
    monkeypatch.setattr(runtime, "pid_alive", lambda pid: pid in (101, 102))
    monkeypatch.setattr(runtime, "_cmdline", lambda pid: b"/usr/sbin/cron\0-f\0")
    assert runtime.running(s) is None
    monkeypatch.setattr(runtime, "_cmdline", lambda pid: b"python\0-m\0hotline.service\0")
    assert runtime.running(s)["service_pid"] == 102


# ------------------------------------------------------------ good copy --

@pytest.fixture
def admin(tmp_path):
    """A home and the admin's editable copy of the shipped dialplan."""
    edited = tmp_path / "dialplan"
    shutil.copytree(REPO_ROOT / "dialplan", edited)
    return load_settings(home=str(tmp_path / "home"), dialplan_dir=str(edited))


def edit(s, old: str, new: str) -> None:
    ext = Path(s.dialplan_dir) / "extensions.conf"
    text = ext.read_text()
    assert old in text
    ext.write_text(text.replace(old, new, 1))


def never_called(s, directory):
    raise AssertionError("the shipped dialplan or the current good copy needs no check")


def test_the_shipped_dialplan_becomes_the_good_copy_without_a_check(admin):
    assert not has_good(admin)
    assert prepare(admin, never_called) is True
    assert is_current(admin)
    assert (good_dir(admin) / "extensions.conf").read_bytes() == (REPO_ROOT / "dialplan/extensions.conf").read_bytes()
    assert prepare(admin, never_called) is True   # current: nothing to check


def test_a_broken_edit_is_named_and_the_good_copy_stays(admin):
    promote(admin)
    before = (good_dir(admin) / "extensions.conf").read_bytes()
    edit(admin, "Playback(hotline/queue_transfer)", "Playbak(hotline/queue_transfer)")
    said = []
    loaded = prepare(admin, lambda s, d: [f"{d}/extensions.conf:207: unknown application Playbak"], said.append)
    assert loaded is False
    assert (good_dir(admin) / "extensions.conf").read_bytes() == before
    assert len(said) == 1 and "\n" not in said[0]
    assert said[0].startswith("拨号方案有误：") and "extensions.conf:207: unknown application Playbak" in said[0]
    assert "the edited dialplan is wrong" in said[0] and "last dialplan that passed" in said[0]


def test_a_passing_edit_replaces_the_good_copy(admin):
    promote(admin)
    edit(admin, "NoOp(caller chose a call-back)", "NoOp(caller chose a call-back, edited)")
    checked = []
    assert prepare(admin, lambda s, d: checked.append(d) or [], lambda m: None) is True
    assert checked == [admin.dialplan_dir]
    assert "edited" in (good_dir(admin) / "extensions.conf").read_text()


def test_a_broken_edit_with_no_good_copy_starts_nothing(admin):
    edit(admin, "Playback(hotline/queue_transfer)", "Playbak(hotline/queue_transfer)")
    with pytest.raises(DialplanRefused, match="nothing started"):
        prepare(admin, lambda s, d: ["extensions.conf:207: unknown application Playbak"])
    assert not has_good(admin)


def test_a_promotion_cut_between_its_renames_keeps_the_good_copy(admin):
    promote(admin)
    good = good_dir(admin)
    good.rename(good.with_name(dialplan_good.GOOD + ".old"))   # what a crash between the renames leaves
    assert has_good(admin) and is_current(admin)


def test_the_good_copy_is_private(admin):
    promote(admin)
    assert good_dir(admin).stat().st_mode & 0o077 == 0


def test_the_degraded_jump_after_the_callers_agi_is_required(tmp_path):
    d = tmp_path / "dp"
    shutil.copytree(REPO_ROOT / "dialplan", d)
    assert lint(parse(d / "extensions.conf", d), None) == []
    ext = d / "extensions.conf"
    ext.write_text(ext.read_text().replace(f" same => n,{DEGRADED_JUMP}", f" ;same => n,{DEGRADED_JUMP}"))
    problems = lint(parse(ext, d), None)
    assert [p.message for p in problems] == [f"the caller's AGI must be followed by {DEGRADED_JUMP}: without it a "
                                             f"caller is not queued when the service is away"]
    agi_line = next(i for i, line in enumerate(ext.read_text().splitlines(), 1) if "/caller)" in line)
    assert problems[0].line == agi_line


def test_the_manifest_of_the_shipped_dialplan_is_current():
    """Changing dialplan/ means writing its manifest again (the text is in the message)."""
    assert shipped(REPO_ROOT / "dialplan"), \
        f"dialplan/ changed: write this into {SHIPPED}:\n# the shipped dialplan/ (sha256  file)\n" + manifest(REPO_ROOT / "dialplan")


def test_an_edit_made_in_the_repositorys_own_dialplan_is_checked_before_asterisk_loads_it(tmp_path):
    """./setup.sh's admin edits dialplan/ in place: that edit is not 'shipped' and must pass the gate."""
    edited = tmp_path / "dialplan"
    shutil.copytree(REPO_ROOT / "dialplan", edited)
    s = load_settings(home=str(tmp_path / "home"), dialplan_dir=str(edited))
    assert prepare(s, never_called) is True                         # as shipped: no check
    edit(s, "[queue-exit]", "[queue-exit")
    checked = []
    assert prepare(s, lambda st, d: checked.append(d) or [f"{d}/extensions.conf:239: parse error"],
                   log=lambda m: None) is False
    assert checked == [edited] and "[queue-exit]" in (good_dir(s) / "extensions.conf").read_text()
