"""What can go wrong between the service and Asterisk, without naming a protocol library:
the agent API answers these with 503 / 504, and any caller can catch them."""
from __future__ import annotations


class TelephonyUnavailable(RuntimeError):
    """Asterisk's manager connection is down (Asterisk restarting, not yet booted)."""


class TelephonyTimeout(RuntimeError):
    """Asterisk did not answer an action in time."""
