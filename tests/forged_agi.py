"""A forged FastAGI request, for the tests that attack the service's FastAGI port the way anyone local
could: it plays Asterisk — sends the AGI environment it likes, answers every command as it likes.

`forge(port, route, variables, key=…)` answers the service's admission question
(hotline.service.agi_admission.ask) with the proof of `key` (None: a wrong proof) and the channel
variables it claims, GET VARIABLE from `variables`, keeps what SET VARIABLE sets (the token a first
request is given lands in `variables`), answers anything else `200 result=0` — or HANGUP from the
`hangup_at`-th command on. Returns every command the service sent.
"""
from __future__ import annotations

import hashlib
import re
import socket

_PROOF = re.compile(r"^\$\{SHA1\(([0-9a-f]+):\$\{FILE\(\$\{HOTLINE_AGI_KEY_FILE\}\)\}\)\}$")
_VAR = re.compile(r"^\$\{([A-Za-z0-9_()]+)\}$")


def _answer(expr: str, variables: dict, key: str | None) -> str:
    """What Asterisk would answer to GET FULL VARIABLE `expr` on a channel with `variables`."""
    parts = []
    for part in expr.split("|"):
        if m := _PROOF.match(part):
            parts.append(hashlib.sha1(f"{m.group(1)}:{key}".encode()).hexdigest() if key is not None else "0" * 40)
        elif m := _VAR.match(part):
            parts.append(variables.get(m.group(1), ""))
        else:
            parts.append("")
    return "|".join(parts)


def forge(port: int, route: str, variables: dict, key: str | None, uniqueid: str = "1790000000.1",
          env: dict | None = None, hangup_at: int = 0, timeout: float = 10.0) -> list[str]:
    headers = {"agi_network": "yes", "agi_network_script": route, "agi_request": f"agi://127.0.0.1:{port}/{route}",
               "agi_channel": "PJSIP/forged-00000001", "agi_language": "zh", "agi_type": "PJSIP",
               "agi_uniqueid": uniqueid, "agi_linkedid": uniqueid, "agi_callerid": "13800138000",
               "agi_dnid": "8000", "agi_context": "hotline", "agi_extension": "s", **(env or {})}
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    commands: list[str] = []
    try:
        sock.sendall("".join(f"{k}: {v}\n" for k, v in headers.items()).encode() + b"\n")
        buf = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except (socket.timeout, ConnectionError):
                break
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                cmd = line.decode().strip()
                commands.append(cmd)
                if hangup_at and len(commands) >= hangup_at:
                    sock.sendall(b"HANGUP\n")
                elif cmd.startswith("GET FULL VARIABLE "):
                    sock.sendall(f"200 result=1 ({_answer(cmd.split(' ', 3)[3], variables, key)})\n".encode())
                elif cmd.startswith("GET VARIABLE "):
                    value = variables.get(cmd.split(" ", 2)[2].strip('"'))
                    sock.sendall(f"200 result=1 ({value})\n".encode() if value is not None else b"200 result=0\n")
                elif cmd.startswith("SET VARIABLE "):
                    _s, _v, name, value = cmd.split(" ", 3)
                    variables[name.lstrip("_")] = value.strip('"')
                    sock.sendall(b"200 result=1\n")
                else:
                    sock.sendall(b"200 result=0\n")
    finally:
        sock.close()
    return commands
