"""Passwords (scrypt, a memory-hard KDF from the standard library) and tokens."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_N, _R, _P = 2 ** 14, 8, 1

#: a well-formed hash no password matches: checked for unknown 工号 so that a login costs the
#: same KDF time whether the 工号 exists or not
DUMMY_PASSWORD_HASH = (f"scrypt${_N}${_R}${_P}$KgJfXewJLCPHFQui7LDvjA=="
                       "$G2plcApGzA8PngsnjL2Gq/QeSv68tXZmfKhNC6sEFPc=")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, key = stored.split("$")
        if algo != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(key)))
        return hmac.compare_digest(got, base64.b64decode(key))
    except (ValueError, TypeError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_sip_secret() -> str:
    return secrets.token_urlsafe(18)
