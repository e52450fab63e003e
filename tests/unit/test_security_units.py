"""Security building blocks on their own (no Asterisk): path confinement, the failure
window behind the login limits, audit ids that fit their column, SECURITY.md's test paths."""
from __future__ import annotations

import re
from pathlib import Path

from hotline.aftercall.rules import OBJECT_ID_MAX, audit_object_id
from hotline.service.desk import FailureWindow
from common.paths import confined


def test_a_stored_path_is_served_only_as_a_wav_inside_its_directory(tmp_path):
    root = tmp_path / "recordings"
    (root / "2026/11/23").mkdir(parents=True)
    ok = root / "2026/11/23/1.wav"
    ok.write_bytes(b"RIFF")
    (root / "x.txt").write_text("t")
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"RIFF")
    (root / "link.wav").symlink_to(secret)
    assert confined(str(ok), [root]) == ok.resolve()
    for bad in (root / "x.txt", root / "link.wav", secret, root / "../secret.wav", "/etc/passwd",
                root / "missing.wav", "", "\x00"):
        assert confined(str(bad), [root]) is None, bad
    # before the file exists (a recording about to start): checked by where it would be
    assert confined(str(root / "2026/11/24/2.wav"), [root], must_exist=False) is not None
    assert confined(str(root / "../../etc/x.wav"), [root], must_exist=False) is None


def test_the_failure_window_counts_per_key_and_forgets_after_the_window(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("hotline.service.desk.time.monotonic", lambda: now[0])
    w = FailureWindow(window_s=60, limit=3)
    for _ in range(3):
        w.add("10.0.0.1")
    assert w.blocked("10.0.0.1") and not w.blocked("10.0.0.2")
    now[0] += 61
    assert not w.blocked("10.0.0.1") and w.count("10.0.0.1") == 0


def test_an_attempt_is_counted_before_it_is_made_and_a_success_gives_it_back():
    w = FailureWindow(window_s=60, limit=2)
    first, second = w.reserve("10.0.0.1"), w.reserve("10.0.0.1")
    assert first is not None and second is not None and w.reserve("10.0.0.1") is None
    w.release("10.0.0.1", second)                   # that one logged in: not a failure
    assert w.reserve("10.0.0.1") is not None and w.seconds_left("10.0.0.1") > 59
    w.clear("10.0.0.1")
    assert w.count("10.0.0.1") == 0


def test_the_failure_window_stays_bounded_under_many_keys():
    w = FailureWindow(window_s=60, limit=3, max_keys=100)
    for i in range(1000):
        w.add(f"key{i}")
    assert len(w._hits) <= 100


def test_an_overlong_audit_id_is_cut_but_stays_distinct():
    a, b = audit_object_id("9" * 200 + "a"), audit_object_id("9" * 200 + "b")
    assert len(a) <= OBJECT_ID_MAX and len(b) <= OBJECT_ID_MAX and a != b
    assert audit_object_id("2611230001") == "2611230001"


def test_security_md_names_only_test_files_that_exist():
    repo = Path(__file__).resolve().parents[2]
    named = set(re.findall(r"tests/[\w/]+\.py", (repo / "SECURITY.md").read_text(encoding="utf-8")))
    assert named and sorted(n for n in named if not (repo / n).is_file()) == []
