"""The desk installs on an agent PC alone: `pip install ".[desktop]"` into an empty venv gives a
working `hotline-desk` without any of the server's libraries."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_desk_installs_alone_and_runs_without_the_servers_libraries(tmp_path):
    venv = tmp_path / "agent-pc"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py, desk = venv / "bin" / "python", venv / "bin" / "hotline-desk"
    # a copy, not the work tree: a build must not depend on (or write into) the checkout
    src = tmp_path / "src"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(src)], check=True,
                   capture_output=True)
    try:
        subprocess.run([str(py), "-m", "pip", "install", "-q", f"{src}[desktop]"], check=True,
                       capture_output=True, text=True)
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(src)], check=True)

    shown = subprocess.run([str(desk), "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "--api" in shown.stdout, shown.stderr

    for server_only in ("sqlalchemy", "alembic", "panoramisk", "typer", "pydantic", "psycopg", "asterisk"):
        r = subprocess.run([str(py), "-c", f"import {server_only}"], capture_output=True, text=True)
        assert r.returncode != 0 and "ModuleNotFoundError" in r.stderr, server_only

    # the installed desk paints its sample pop, in English too (the .qm ships with the package)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    for lang in ("zh", "en"):
        png = tmp_path / f"sample-{lang}.png"
        r = subprocess.run([str(desk), "--sample", "--lang", lang, "--screenshot", str(png), "--delay", "300"],
                           capture_output=True, text=True, timeout=120, env=env)
        assert r.returncode == 0, r.stderr[-2000:]
        assert png.stat().st_size > 10_000
    qm = subprocess.run([str(py), "-c", "import desktop, pathlib; print(pathlib.Path(desktop.__file__).parent)"],
                        capture_output=True, text=True, check=True).stdout.strip()
    assert (Path(qm) / "i18n" / "desktop_en.qm").is_file()
