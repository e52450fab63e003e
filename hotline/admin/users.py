"""People with a login: create, change password, disable. Used by the CLI and tests."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ApiSession, AuditEntry, Role, User
from common import wire
from common.passwords import hash_password, new_sip_secret

#: the shortest password a person is given (`hotline agents add`, `passwd`)
PASSWORD_MIN = 10


class UserError(ValueError):
    pass


def check_password(password: str) -> None:
    """A new password: at least PASSWORD_MIN characters, no longer than a login accepts, and no
    control character (a line break read from a file would never be typed at the desk)."""
    if len(password) < PASSWORD_MIN:
        raise UserError(f"密码至少 {PASSWORD_MIN} 个字符 — the password must have at least {PASSWORD_MIN} characters")
    if len(password) > wire.PASSWORD_MAX:
        raise UserError(f"密码最多 {wire.PASSWORD_MAX} 个字符 — the password may have at most {wire.PASSWORD_MAX} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise UserError("密码不能包含控制字符 — the password may not hold control characters (a line break, a tab)")


def add_user(db: Session, agent_no: str, name: str, role: Role, password: str, actor: str = "cli") -> User:
    if not (agent_no.isdigit() and 3 <= len(agent_no) <= 6):
        raise UserError(f"工号 {agent_no!r} must be 3–6 digits")
    check_password(password)
    if db.scalar(select(User).where(User.agent_no == agent_no)):
        raise UserError(f"工号 {agent_no} already exists")
    user = User(agent_no=agent_no, name=name, role=role, password_hash=hash_password(password),
                sip_secret=new_sip_secret(), active=True)
    db.add(user)
    db.add(AuditEntry(actor=actor, action="create", object_type="user", object_id=agent_no,
                      detail={"role": role.value}))
    db.flush()
    return user


def set_password(db: Session, agent_no: str, password: str, actor: str = "cli") -> User:
    user = get_user(db, agent_no)
    check_password(password)
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    # whoever knew the old password may hold a session or the SIP secret it handed out:
    # both end now (the desk gets the new SIP secret at its next login)
    _cut_access(db, user, "password_changed")
    db.add(AuditEntry(actor=actor, action="passwd", object_type="user", object_id=agent_no))
    return user


def disable_user(db: Session, agent_no: str, actor: str = "cli") -> User:
    user = get_user(db, agent_no)
    user.active = False
    _cut_access(db, user, "disabled")
    db.add(AuditEntry(actor=actor, action="disable", object_type="user", object_id=agent_no))
    return user


def _cut_access(db: Session, user: User, reason: str) -> None:
    """End every session of `user` (the service closes their WebSockets within a second)
    and rotate the SIP secret, so an old registration can never come back."""
    user.sip_secret = new_sip_secret()
    for s in db.scalars(select(ApiSession).where(ApiSession.user_id == user.id, ApiSession.ended_at.is_(None))):
        s.ended_at, s.ended_reason = datetime.now(), reason


def get_user(db: Session, agent_no: str) -> User:
    user = db.scalar(select(User).where(User.agent_no == agent_no))
    if user is None:
        raise UserError(f"no user with 工号 {agent_no}")
    return user
