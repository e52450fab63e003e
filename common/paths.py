"""Paths that come from a record (the DB, a channel variable) are confined before use."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def confined(path: str | Path, roots: Iterable[Path], suffix: str | tuple[str, ...] = ".wav",
             must_exist: bool = True) -> Path | None:
    """`path` resolved (symlinks followed) if it lies inside one of `roots` and ends with
    `suffix` (or one of them); None otherwise. A stored path is data, never a licence to read any file."""
    try:
        real = Path(path).resolve(strict=must_exist)
    except (OSError, RuntimeError, ValueError):
        return None
    if real.suffix.lower() not in ((suffix,) if isinstance(suffix, str) else suffix) or (must_exist and not real.is_file()):
        return None
    for root in roots:
        try:
            if real.is_relative_to(Path(root).resolve()):
                return real
        except OSError:
            continue
    return None
