"""The checking standards as data: each standards/*.toml file is one version of one standard (接报
标准 / 放宽标准 / 回访), loaded into qa_scorecard as (kind, version). A file whose text changed must
raise its version: the same version with other contents is refused, so a score never silently
means something else than when it was given."""
from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from common import wire
from db.models import QaScorecard

STANDARDS_DIR = Path(__file__).resolve().parent / "standards"
SECTIONS = ("opening", "questions", "closing", "manner")


class StandardError(ValueError):
    """A standards file that cannot be loaded (the words name the file and the fault)."""


def read_standard(path: Path) -> dict:
    """One file, checked: kind, version ≥ 1, a title, items with unique keys, a known section and text."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StandardError(f"{path.name}: {exc}") from None
    kind, version, items = data.get("kind"), data.get("version"), data.get("items")
    if kind not in wire.QA_SCORECARD_KINDS:
        raise StandardError(f"{path.name}: kind should be one of {', '.join(wire.QA_SCORECARD_KINDS)}")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StandardError(f"{path.name}: version should be a whole number from 1")
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise StandardError(f"{path.name}: a title is needed")
    if not isinstance(items, list) or not items:
        raise StandardError(f"{path.name}: no [[items]]")
    keys = set()
    body = []
    for item in items:
        key, section, text = item.get("key"), item.get("section"), item.get("text")
        if not isinstance(key, str) or not key.isascii() or not key.replace("_", "").isalnum() or key in keys:
            raise StandardError(f"{path.name}: item key {key!r} missing, not a plain word, or twice")
        if section not in SECTIONS or not isinstance(text, str) or not text.strip():
            raise StandardError(f"{path.name}: item {key}: section one of {', '.join(SECTIONS)} and a text")
        keys.add(key)
        body.append({"key": key, "section": section, "text": text.strip(),
                     "required": bool(item.get("required", True)), "optional": bool(item.get("optional", False))})
    return {"kind": kind, "version": version, "title": data["title"].strip(), "source": str(data.get("source", "")),
            "items": body}


def digest(standard: dict) -> str:
    return hashlib.sha256(json.dumps(standard, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def load_standards(db: Session, now: datetime, directory: Path = STANDARDS_DIR) -> list[str]:
    """Every file into the database (inside the caller's transaction); returns the versions added.
    Idempotent: a version already there with the same contents is left alone."""
    added = []
    for path in sorted(directory.glob("*.toml")):
        st = read_standard(path)
        sha = digest(st)
        there = db.scalar(select(QaScorecard).where(QaScorecard.kind == st["kind"],
                                                    QaScorecard.version == st["version"]))
        if there is not None:
            if there.sha256 != sha:
                raise StandardError(f"{path.name}: {st['kind']} version {st['version']} is loaded with other "
                                    f"contents — a changed standard needs a new version")
            continue
        db.add(QaScorecard(kind=st["kind"], version=st["version"], title=st["title"], body=st, sha256=sha,
                           loaded_at=now))
        added.append(f"{st['kind']} v{st['version']}")
    db.flush()
    return added


def current(db: Session, kind: str) -> QaScorecard | None:
    """The newest version of a standard."""
    return db.scalar(select(QaScorecard).where(QaScorecard.kind == kind).order_by(QaScorecard.version.desc()).limit(1))


def scorecard_dict(sc: QaScorecard) -> dict:
    return {"id": sc.id, "kind": sc.kind, "version": sc.version, "title": sc.title,
            "source": sc.body.get("source", ""), "items": sc.body["items"]}
