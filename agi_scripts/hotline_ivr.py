#!/usr/bin/env python3
"""Classic AGI entry script (pyst2): the same flows as the FastAGI service.

For admins who prefer ``AGI(hotline_ivr.py,caller)`` in the dialplan — one
process per call, no service needed. The argument names the flow
(caller, callback, call_end, answered; not the 回访 call's flows, which belong to the
service's dialer that placed the call); settings come from HOTLINE_* in the
environment Asterisk was started with (``hotline up`` passes them on). The project is
installed in the Python that Asterisk finds first on its PATH (``hotline up`` puts the
hotline's own there), so no path juggling is needed.

No key and no call token here (hotline.service.agi_admission): Asterisk starts the script on the
channel itself, nothing reaches it over a port, so the flows trust the channel's own variables
(`ivr.channel.vouched` is None).
"""
from __future__ import annotations

import asyncio
import os
import sys

from asterisk.agi import AGI, AGIHangup  # pyst2

from common.logs import setup_logging
from common.settings import load_settings
from ivr.channel import AgiChannel, parse_result
from ivr.context import IvrContext
from ivr.flows import ROUTES, run_flow

#: classic AGI waits this long for its writes at the end (no journal file outlives the process)
CLASSIC_DRAIN_S = 30.0


def main() -> int:
    settings = load_settings()
    setup_logging(settings.log_level, settings.log_dir / "agi.log")
    with open(os.devnull, "w") as quiet:  # pyst2 narrates every command on stderr
        agi = AGI(stderr=quiet)
        flow_name = (sys.argv[1] if len(sys.argv) > 1 else agi.env.get("agi_arg_1", "caller")) or "caller"

        async def send(line: str):
            # pyst2 parses results into exceptions; we want Asterisk's raw line
            try:
                agi.send_command(line)
                raw = agi.stdin.readline()
            except (AGIHangup, OSError):
                return 511, "-1", "hangup"
            code, result, data = parse_result(raw)
            if code == 520:  # usage text follows until a "520 End" line
                while raw and not raw.startswith("520 "):
                    raw = agi.stdin.readline()
            return code, result, data

        channel = AgiChannel(send, agi.env)
        ctx = IvrContext.create(settings)     # no journal file: one process per request, none to replay it
        try:
            asyncio.run(run_flow(ROUTES.get(flow_name), channel, ctx, flow_name))
        finally:
            ctx.journal.drain(CLASSIC_DRAIN_S)   # its writes are in before the process (and they) go
            ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
