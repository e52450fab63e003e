"""A cap on open agent-API connections per source address.

aiohttp has no such limit; its `Server` is told of every connection made and lost,
so this wraps those two hooks: over the cap, a new connection is closed at once
(other addresses are not affected), so one host cannot hold every socket.
"""
from __future__ import annotations

import logging
from collections import Counter

log = logging.getLogger("hotline.api")


class ConnectionCap:
    def __init__(self, server, per_address: int):
        self.per_address = per_address
        self.open: Counter[str] = Counter()
        self._address_of: dict[object, str] = {}   # handler → peer (unknown once closed)
        self._made, self._lost = server.connection_made, server.connection_lost
        # instance attributes shadow the class's methods: aiohttp's handlers call these
        server.connection_made, server.connection_lost = self.made, self.lost

    @staticmethod
    def _address(transport) -> str:
        peer = transport.get_extra_info("peername")
        return peer[0] if peer else ""

    def made(self, handler, transport) -> None:
        address = self._address(transport)
        self._address_of[handler] = address
        self.open[address] += 1
        self._made(handler, transport)
        if self.open[address] > self.per_address:
            log.warning("more than %d connections from %s: closing the newest", self.per_address, address)
            transport.close()

    def lost(self, handler, exc) -> None:
        address = self._address_of.pop(handler, None)
        if address is not None:
            self.open[address] -= 1
            if self.open[address] <= 0:
                del self.open[address]
        self._lost(handler, exc)
