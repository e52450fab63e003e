"""Logging for admins: phone numbers never appear in full."""
from __future__ import annotations

import logging
import re
from pathlib import Path

# 7 or more digits in a row are a phone number (or a 户号): keep the first 3 and last 2
_NUMBER = re.compile(r"(?<!\d)(\d{3})(\d{2,})(\d{2})(?!\d)")


def mask_numbers(text: str) -> str:
    return _NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_numbers(super().format(record))


def setup_logging(level: str = "INFO", file: Path | None = None) -> None:
    handler: logging.Handler
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(file, encoding="utf-8")
    else:
        handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("panoramisk", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
