"""The desk installs on an agent PC alone: `pip install ./packaging/desk` into an empty venv gives a
working `hotline-desk` whose distribution holds only desktop/ and common/ — no server package and
none of the server's libraries."""
from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DESK = REPO / "packaging" / "desk"
SERVER_PACKAGES = ("hotline", "bench", "ivr", "db", "agi_scripts")
SERVER_LIBRARIES = ("sqlalchemy", "alembic", "panoramisk", "typer", "pydantic", "psycopg", "asterisk")


def test_the_desk_project_is_the_root_projects_desk():
    """packaging/desk builds from the very packages at the root, with the root's version, desk script
    and `desktop` extra."""
    root = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    desk = tomllib.loads((DESK / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert desk["version"] == root["version"]
    assert desk["dependencies"] == root["optional-dependencies"]["desktop"]
    assert desk["scripts"] == {"hotline-desk": root["scripts"]["hotline-desk"]}
    for pkg in ("desktop", "common"):
        assert (DESK / pkg).is_symlink() and (DESK / pkg).resolve() == REPO / pkg, pkg


def _run(*args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)


def test_the_desk_installs_alone_and_runs_without_the_servers_libraries(tmp_path):
    venv = tmp_path / "agent-pc"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py, desk = venv / "bin" / "python", venv / "bin" / "hotline-desk"
    # a copy, not the work tree: a build must not depend on (or write into) the checkout
    src = tmp_path / "src"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(src)], check=True,
                   capture_output=True)
    try:
        r = _run(py, "-m", "pip", "install", "-q", src / "packaging" / "desk")
        assert r.returncode == 0, r.stderr[-3000:]
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(src)], check=True)

    # what pip installed: desktop/ and common/ (with common/sip and the .qm), the script, the metadata
    shown = _run(py, "-m", "pip", "show", "-f", "dalong-hotline-desk")
    assert shown.returncode == 0 and "\nFiles:\n" in shown.stdout, shown.stderr
    files = shown.stdout.split("\nFiles:\n", 1)[1].split()
    top = {f.split("/")[0] for f in files if not f.startswith("..") and ".dist-info/" not in f}
    assert top == {"desktop", "common"}, top
    assert {"desktop/app.py", "common/sip/phone.py", "desktop/i18n/desktop_en.qm"} <= set(files)
    assert any(f.endswith("bin/hotline-desk") for f in files)

    # nothing else came with it: no server package, none of the server's libraries
    # (-I: the checkout, the working directory and PYTHONPATH are not on the path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"HOME": str(tmp_path)}
    for absent in SERVER_PACKAGES + SERVER_LIBRARIES:
        r = _run(py, "-I", "-c", f"import {absent}", cwd=tmp_path, env=env)
        assert r.returncode != 0 and "ModuleNotFoundError" in r.stderr, absent

    helped = _run(desk, "--help", timeout=60, cwd=tmp_path, env=env)
    assert helped.returncode == 0 and "--api" in helped.stdout, helped.stderr

    # the installed desk paints its sample pop, in English too (the .qm ships with the package)
    env["QT_QPA_PLATFORM"] = "offscreen"
    for lang in ("zh", "en"):
        png = tmp_path / f"sample-{lang}.png"
        r = _run(desk, "--sample", "--lang", lang, "--screenshot", png, "--delay", "300",
                 timeout=120, cwd=tmp_path, env=env)
        assert r.returncode == 0, r.stderr[-2000:]
        assert png.stat().st_size > 10_000
    where = _run(py, "-I", "-c", "import desktop, pathlib; print(pathlib.Path(desktop.__file__).parent)",
                 cwd=tmp_path, env=env)
    assert where.returncode == 0, where.stderr
    installed = Path(where.stdout.strip())
    assert installed.is_relative_to(venv), installed
    assert (installed / "i18n" / "desktop_en.qm").is_file()
