"""HTTPS for the agent API when desktops on other PCs use it.

On loopback the API may stay plain HTTP (nothing leaves the machine). On any other
address it must be TLS: agents' passwords and session tokens cross the LAN. The
certificate is the admin's own (``HOTLINE_TLS_CERT`` + ``HOTLINE_TLS_KEY``) or one
generated once under ``$HOTLINE_HOME/tls/``; desktops trust exactly that certificate
(``--ca``), so no public CA and no verification bypass is needed.
"""
from __future__ import annotations

import ipaddress
import socket
import ssl
import subprocess
from pathlib import Path

from common.settings import Settings


class TlsError(RuntimeError):
    """One line for the admin: what is wrong with TLS and what to do."""


def is_loopback(bind: str) -> bool:
    if bind == "localhost":
        return True
    try:
        return ipaddress.ip_address(bind).is_loopback
    except ValueError:
        return False        # "" / "0.0.0.0" / a host name: reachable from the LAN


def tls_enabled(s: Settings) -> bool:
    """TLS on or off; raises when the API would be plain HTTP on a LAN address."""
    if not s.api_tls and not is_loopback(s.bind):
        raise TlsError(f"refusing plain HTTP on {s.bind or '0.0.0.0'}: agents' passwords would cross the LAN "
                       f"unencrypted — use `hotline up --lan` or set HOTLINE_API_TLS=1")
    return s.api_tls


def tls_dir(s: Settings) -> Path:
    return s.home / "tls"


def host_addresses() -> list[str]:
    """Every non-loopback IPv4 address of this machine (what LAN desktops may dial)."""
    found: list[str] = []
    try:   # `ip -o -4 addr`: "2: eth0    inet 192.168.1.5/24 brd ..."
        out = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True,
                             timeout=5).stdout
        found += [w[w.index("inet") + 1].split("/")[0] for w in (line.split() for line in out.splitlines())
                  if "inet" in w]
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        pass
    try:   # no `ip` (containers): what the host name resolves to
        found += [ai[4][0] for ai in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    return sorted({a for a in found if not ipaddress.ip_address(a).is_loopback},
                  key=lambda a: ipaddress.ip_address(a))


def extra_names(s: Settings) -> list[str]:
    return [n.strip() for n in s.tls_names.replace(";", ",").split(",") if n.strip()]


def public_host(s: Settings) -> str:
    """The host in the API URL given to desktops: an admin-named one, the bind address, or our LAN IP."""
    names = extra_names(s)
    if names:
        return names[0]
    if s.bind not in ("", "0.0.0.0"):
        return s.bind
    try:   # the address of the default route (a UDP "connect" sends nothing), not e.g. a docker bridge
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.connect(("192.0.2.1", 9))
            return u.getsockname()[0]
    except OSError:
        addrs = host_addresses()
        return addrs[0] if addrs else "127.0.0.1"


def generated_paths(s: Settings) -> tuple[Path, Path]:
    return tls_dir(s) / "api-cert.pem", tls_dir(s) / "api-key.pem"


def certificate_paths(s: Settings) -> tuple[Path, Path]:
    """(cert, key) the API serves: the admin's own if configured, else the generated pair
    (made by `hotline up`, see hotline.admin.certificates)."""
    if s.tls_cert or s.tls_key:
        if not (s.tls_cert and s.tls_key):
            raise TlsError("set both HOTLINE_TLS_CERT and HOTLINE_TLS_KEY (certificate and its private key)")
        return Path(s.tls_cert).expanduser(), Path(s.tls_key).expanduser()
    return generated_paths(s)


def server_context(s: Settings) -> ssl.SSLContext | None:
    """The agent API's TLS context, or None for plain HTTP (loopback only)."""
    if not tls_enabled(s):
        return None
    cert, key = certificate_paths(s)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise TlsError(f"cannot load the agent API's certificate {cert}: {exc} — `hotline up --lan` makes one") from exc
    return ctx


