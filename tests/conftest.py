"""Shared fixtures. Real parts only: a missing Asterisk, PostgreSQL or tool
makes the tests that need it FAIL (never skip) — CI must notice."""
from __future__ import annotations

import os
import shutil

import pytest

from hotline.config import load_settings


def require_tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is missing — install the Debian package {package} (tests/run does)")
    return path


@pytest.fixture(scope="session")
def pg_url() -> str:
    url = os.environ.get("HOTLINE_TEST_PG_URL")
    if not url:
        pytest.fail("HOTLINE_TEST_PG_URL is not set: run the suite with tests/run, which starts PostgreSQL")
    return url


@pytest.fixture
def settings(tmp_path):
    return load_settings(home=str(tmp_path / "home"))


@pytest.fixture(scope="session")
def hotline(tmp_path_factory):
    """`hotline up` on a private home: a real Asterisk 22 and the real service, shared by the session."""
    from hotline import runtime
    from hotline.demo import seed_demo
    home = tmp_path_factory.mktemp("hotline-home")
    s = load_settings(home=str(home), digit_timeout_ms=os.environ.get("HOTLINE_DIGIT_TIMEOUT_MS", "3000"))
    sessions = runtime.prepare_database(s)
    with sessions() as db:
        seed_demo(db, accounts=50)
    runtime.up(s, log=lambda m: None)
    yield s
    runtime.down(s)
