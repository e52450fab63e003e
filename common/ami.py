"""The one place AMI actions are built.

An AMI action is ``Key: value`` lines ended by an empty line, so a value holding
CR or LF would end the action early and start another one of the sender's
choosing (the manager user runs as root). Every action sent by the service, the
admin CLI or the bench goes through `ami_action`; it refuses CR, LF and NUL in
any key or value, whoever the caller is, and drops the other control characters
(they have no meaning in AMI and only confuse logs).
"""
from __future__ import annotations

import re

_REFUSED = re.compile(r"[\r\n\x00]")
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


class AmiValueError(ValueError):
    """A value that must never reach AMI (it could forge a second action)."""


def clean_value(key: str, value: object) -> str:
    text = str(value)
    if _REFUSED.search(text):
        raise AmiValueError(f"AMI field {key!r} holds a line break or NUL; refused")
    return _CONTROL.sub("", text)


def ami_action(name: str, **fields: object) -> dict[str, str]:
    """``ami_action("QueuePause", Queue="repair", Paused="true")`` → the checked action dict.

    ``None`` values are left out (an optional field not given)."""
    if not _KEY.match(name):
        raise AmiValueError(f"AMI action name {name!r} is not a plain word; refused")
    action = {"Action": name}
    for key, value in fields.items():
        if value is None:
            continue
        if not _KEY.match(key) or key.lower() == "action":
            raise AmiValueError(f"AMI field name {key!r} is not allowed; refused")
        action[key] = clean_value(key, value)
    return action


def encode(action: dict[str, str]) -> bytes:
    """The wire form of an action built by `ami_action` (for clients that write the socket)."""
    for key, value in action.items():
        if not _KEY.match(key):
            raise AmiValueError(f"AMI field name {key!r} is not allowed; refused")
        clean_value(key, value)
    return "".join(f"{k}: {v}\r\n" for k, v in action.items()).encode() + b"\r\n"
