"""Per-installation secrets: generated at first use, 0600 files under $HOTLINE_HOME/secrets."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from common.settings import Settings


def write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    os.chmod(path, 0o600)


def _secret(settings: Settings, name: str) -> str:
    """A per-installation secret, generated at first use, kept in a 0600 file."""
    path = settings.secrets_dir / name
    if not path.exists():
        write_secret(path, secrets.token_urlsafe(24))
    return path.read_text().strip()


def ami_secret(settings: Settings) -> str:
    """The service's AMI secret."""
    return _secret(settings, "ami_secret")


def ami_admin_secret(settings: Settings) -> str:
    """The admin CLI's and test bench's AMI secret (never held by the service)."""
    return _secret(settings, "ami_admin_secret")


def fastagi_secret(settings: Settings) -> str:
    """The installation's FastAGI key: every request proves it (hotline.service.agi_admission)."""
    return _secret(settings, "fastagi_secret")


def fastagi_secret_file(settings: Settings) -> Path:
    """Where Asterisk reads that key for each request's proof (`${FILE(...)}`, never an argument)."""
    fastagi_secret(settings)
    return settings.secrets_dir / "fastagi_secret"


def fastagi_key(settings: Settings) -> str:
    """The key exactly as Asterisk's FILE() reads its file (a line end an admin added included)."""
    return fastagi_secret_file(settings).read_text()



def station_webhook_secret(settings: Settings) -> str:
    """The key that signs the station webhook's bodies (HMAC-SHA256, X-Hotline-Signature): the
    gateway holds a copy of this file and checks each POST came from this hotline."""
    return _secret(settings, "station_webhook_secret")


def qa_sample_secret(settings: Settings) -> str:
    """The key of the QA samples' draw (HMAC of the day and each call): the same draw every time it
    is made again, none that anybody without this file can foresee."""
    return _secret(settings, "qa_sample_secret")
