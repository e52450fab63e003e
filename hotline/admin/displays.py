"""Wall displays' tokens (#30): `hotline display-token create|revoke|list`. A token opens the wall
page (wire.DISPLAY_ROUTES) and nothing else; it is shown once, at its creation, and only its hash is
kept. Every change is audited."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import DisplayToken
from hotline.aftercall.rules import add_audit
from common import wire
from common.passwords import new_token, token_hash
from common.text import control_char

NAME_MAX = 64


class DisplayTokenError(ValueError):
    pass


def check_name(name: str) -> str:
    """A screen's name as the admin types it (大厅大屏, hall-1): 1–64 characters, no control or
    format character, not only digits (`revoke` takes a name or an id)."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise DisplayTokenError(f"名称应为 1–{NAME_MAX} 个字符 — the name must have 1–{NAME_MAX} characters")
    if control_char(name):
        raise DisplayTokenError("名称不能包含控制字符 — the name may not hold control characters")
    if name.isdigit():
        raise DisplayTokenError("名称不能全是数字(数字表示编号) — the name may not be all digits (those are ids)")
    return name


def create_token(db: Session, name: str, now: datetime, actor: str = "cli") -> tuple[DisplayToken, str]:
    """A new display token named `name` (unique among the ones not revoked): the row and the token,
    which is never shown again."""
    name = check_name(name)
    if db.scalar(select(DisplayToken.id).where(DisplayToken.name == name, DisplayToken.revoked_at.is_(None))):
        raise DisplayTokenError(f"已有名为 {name} 的大屏令牌(先吊销它) — a display token named {name} exists "
                                f"(revoke it first)")
    token = new_token()
    row = DisplayToken(name=name, token_hash=token_hash(token), created_at=now, created_by=actor)
    db.add(row)
    db.flush()
    add_audit(db, actor, "display_token_create", "display_token", str(row.id), name=name)
    return row, token


def revoke_token(db: Session, name_or_id: str, now: datetime, actor: str = "cli") -> DisplayToken:
    """Revoke the token not yet revoked named `name_or_id` (or with that id)."""
    live = select(DisplayToken).where(DisplayToken.revoked_at.is_(None))
    row = db.scalar(live.where(DisplayToken.name == name_or_id.strip()))
    if row is None and name_or_id.strip().isdigit():
        row = db.scalar(live.where(DisplayToken.id == int(name_or_id)))
    if row is None:
        raise DisplayTokenError(f"没有未吊销的大屏令牌 {name_or_id} — no display token {name_or_id} (not revoked)")
    row.revoked_at = now
    add_audit(db, actor, "display_token_revoke", "display_token", str(row.id), name=row.name)
    return row


def list_tokens(db: Session) -> list[dict]:
    """Every display token, never the token itself (nor its hash)."""
    return [token_dict(t) for t in db.scalars(select(DisplayToken).order_by(DisplayToken.id))]


def token_dict(t: DisplayToken) -> dict:
    iso = lambda d: d.isoformat(timespec="seconds") if d else None
    return {"id": t.id, "name": t.name, "created_at": iso(t.created_at), "created_by": t.created_by,
            "revoked_at": iso(t.revoked_at), "last_used_at": iso(t.last_used_at),
            "state": "revoked" if t.revoked_at else "active"}


def wall_url(api_url: str | None, token: str) -> str:
    """Where the big screen's browser opens the wall: the agent API's address + /wall?token=…"""
    return f"{(api_url or '').rstrip('/')}{wire.WALL}?token={quote(token, safe='')}"
