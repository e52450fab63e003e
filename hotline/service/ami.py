"""The service's one AMI connection (panoramisk): the only module that speaks AMI.

Every action is built by `common.ami.ami_action` (which refuses CR/LF/NUL in any
value); failures come out as the service's own errors, never panoramisk's.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from panoramisk import Manager

from hotline.service.errors import TelephonyTimeout, TelephonyUnavailable
from common.ami import ami_action

log = logging.getLogger("hotline.ami")

Handler = Callable[[dict], Awaitable[None]]


class AmiGateway:
    def __init__(self, port: int, user: str, secret: str, on_login: Callable[[], None]):
        self.connected = asyncio.Event()
        self._on_login = on_login
        self.manager = Manager(host="127.0.0.1", port=port, username=user, secret=secret, ping_delay=10,
                               reconnect=True, forgetable_actions=("ping", "login"))
        self.manager.on_connect = lambda _m: None
        self.manager.on_login = self._logged_in
        self.manager.on_disconnect = lambda _m, _exc: self.connected.clear()

    def _logged_in(self, _m) -> None:   # first login and every re-login after Asterisk came back
        self.connected.set()
        self._on_login()

    def on(self, event: str, handler: Handler) -> None:
        async def call(_m, message):
            await handler(message)
        self.manager.register_event(event, call)

    async def connect(self) -> None:
        while True:
            try:
                await self.manager.connect()
                log.info("AMI connected")
                return
            except Exception as exc:  # Asterisk may still be booting; keep trying
                log.warning("AMI not reachable yet (%s); retrying", exc)
                await asyncio.sleep(2)

    async def action(self, name: str, as_list: bool = False, **fields) -> dict | list[dict]:
        """One action. `as_list=False` matters: panoramisk guesses "a list follows" from a
        QueueAdd's "Added interface to queue" and would wait for ever."""
        action = ami_action(name, **fields)      # AmiValueError for CR/LF/NUL: the caller's input
        if not self.connected.is_set():
            raise TelephonyUnavailable("AMI is not connected")
        try:
            res = await asyncio.wait_for(self.manager.send_action(action, as_list=as_list), timeout=10)
        except asyncio.TimeoutError:
            raise TelephonyTimeout(f"AMI {name} unanswered") from None
        if as_list:
            return res if isinstance(res, list) else [res]
        return res[0] if isinstance(res, list) else res

    def close(self) -> None:
        self.manager.close()
