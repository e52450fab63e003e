"""Logging for admins: phone numbers never appear in full."""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path

# 7 or more digits in a row are a phone number (or a 户号): keep the first 3 and last 2
_NUMBER = re.compile(r"(?<!\d)(\d{3})(\d{2,})(\d{2})(?!\d)")


def mask_numbers(text: str) -> str:
    return _NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_numbers(super().format(record))


def private_file(file: Path) -> Path:
    """`file` made readable by its owner only (0600, its directory 0700), before anything is
    written to it: a log holds who called about what (a desk PC's log is not under $HOTLINE_HOME's
    umask). A file left 0644 by an older version is narrowed too."""
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    os.chmod(file, 0o600)
    return file


def setup_logging(level: str = "INFO", file: Path | None = None) -> None:
    handler: logging.Handler
    if file is not None:
        handler = logging.FileHandler(private_file(file), encoding="utf-8")
    else:
        handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("panoramisk", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
