"""HTTPS for the agent API (`hotline up --lan`): certificates, the LAN refusal, and a desktop
that trusts exactly the hotline's certificate. No Asterisk needed: small aiohttp stubs."""
from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import ssl
import stat
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from aiohttp import web
from cryptography import x509

from hotline.admin import certificates, runtime
from common import tls
from common.ports import free_port
from desktop.services.api import AgentApiClient
from common.settings import load_settings


@contextmanager
def served(app: web.Application, ctx: ssl.SSLContext | None):
    """Serve `app` on 127.0.0.1:<free port> from its own loop in a thread (Qt needs this one)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner = web.AppRunner(app)
    port = free_port()

    async def start():
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, ssl_context=ctx).start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    try:
        yield port
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def stub_api(hits: list) -> web.Application:
    """Just enough of the agent API: login (1001/secret), health, the event WebSocket."""
    async def login(request):
        hits.append(request.path)
        body = await request.json()
        if body.get("password") != "secret":
            return web.json_response({"error": "工号或密码错误"}, status=401)
        return web.json_response({"token": "tok", "user": {"agent_no": "1001"}, "sip": {}})

    async def health(request):
        return web.json_response({"ok": True})

    async def ws(request):
        sock = web.WebSocketResponse()
        await sock.prepare(request)
        await sock.send_json({"type": "hello"})
        async for _ in sock:
            pass
        return sock
    app = web.Application()
    app.add_routes([web.post("/api/login", login), web.get("/api/health", health), web.get("/api/ws", ws)])
    return app


@pytest.fixture
def lan(settings):
    """The settings of `hotline up --lan --bind 127.0.0.1` (TLS on, loopback so tests stay local)."""
    return settings.replace(api_tls=True)


@pytest.fixture
def other_cert(tmp_path, settings):
    """A different self-signed certificate: the wrong one to trust."""
    return certificates.ensure_certificate(settings.replace(home=tmp_path / "other"))


def san(cert_path):
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return ext.get_values_for_type(x509.DNSName), ext.get_values_for_type(x509.IPAddress), cert


# ------------------------------------------------------------ certificate --

def test_generated_once_with_the_hosts_names(lan):
    s = lan.replace(tls_names="hotline.dalong.lan, 10.9.8.7")
    cert, key = certificates.ensure_certificate(s)
    assert cert.parent == s.home / "tls"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(cert.parent.stat().st_mode) == 0o700
    dns, ips, parsed = san(cert)
    assert {"localhost", socket.gethostname(), "hotline.dalong.lan"} <= set(dns)
    assert {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("10.9.8.7")} <= set(ips)
    assert {ipaddress.ip_address(a) for a in tls.host_addresses()} <= set(ips)
    assert (parsed.not_valid_after_utc - parsed.not_valid_before_utc).days >= 3649
    fp = certificates.fingerprint(cert)
    assert len(fp) == 95 and fp.count(":") == 31
    mtime = cert.stat().st_mtime_ns
    assert certificates.ensure_certificate(s) == (cert, key)          # reused, not regenerated
    assert cert.stat().st_mtime_ns == mtime and certificates.fingerprint(cert) == fp


def test_a_new_server_address_gets_a_new_certificate_and_the_admin_is_told(lan):
    said: list[str] = []
    old = lan.replace(tls_names="hotline-old.dalong.lan")
    cert, key = certificates.prepare_certificate(old, said.append)
    first = certificates.fingerprint(cert)
    assert said == []
    moved = lan.replace(tls_names="hotline.dalong.lan")      # desktops now dial a new name
    assert certificates.prepare_certificate(moved, said.append) == (cert, key)
    assert certificates.names_host(cert, "hotline.dalong.lan") and certificates.fingerprint(cert) != first
    assert certificates.fingerprint(cert.with_name("api-cert.old.pem")) == first
    assert len(said) == 1 and "hotline.dalong.lan" in said[0] and str(cert) in said[0]
    certificates.prepare_certificate(moved, said.append)                # and then kept
    assert len(said) == 1 and certificates.names_host(cert, "hotline.dalong.lan")


def test_admins_own_certificate_is_used(lan, other_cert):
    cert, key = other_cert
    s = lan.replace(tls_cert=str(cert), tls_key=str(key))
    assert certificates.ensure_certificate(s) == (cert, key)
    said: list[str] = []        # never replaced, but a name it lacks is pointed out
    assert certificates.prepare_certificate(s.replace(tls_names="elsewhere.dalong.lan"), said.append) == (cert, key)
    assert len(said) == 1 and "does not name elsewhere.dalong.lan" in said[0]
    assert not (s.home / "tls").exists()
    with pytest.raises(tls.TlsError, match="nope.pem"):
        certificates.ensure_certificate(s.replace(tls_cert=str(cert.parent / "nope.pem")))
    with pytest.raises(tls.TlsError, match="both"):
        certificates.ensure_certificate(s.replace(tls_key=""))


def test_plain_http_is_refused_off_loopback(settings, monkeypatch):
    assert tls.server_context(settings) is None               # loopback: plain HTTP is fine
    with pytest.raises(tls.TlsError, match="refusing plain HTTP on 0.0.0.0"):
        tls.server_context(settings.replace(bind="0.0.0.0"))
    with pytest.raises(runtime.HotlineError, match="refusing plain HTTP on 192.168.1.5"):
        runtime.up(settings.replace(bind="192.168.1.5"))      # before the DB or Asterisk is touched
    lan = settings.replace(bind="0.0.0.0", api_tls=True)
    with pytest.raises(tls.TlsError, match="hotline up --lan"):   # the service never makes one itself
        tls.server_context(lan)
    certificates.ensure_certificate(lan)
    assert isinstance(tls.server_context(lan), ssl.SSLContext)
    monkeypatch.setenv("HOTLINE_HOME", str(settings.home))
    monkeypatch.setenv("HOTLINE_API_TLS", "1")
    assert load_settings().api_tls is True
    monkeypatch.setenv("HOTLINE_API_TLS", "False")            # as service_env writes it
    assert load_settings().api_tls is False


def test_cli_up_refuses_plain_http_on_the_lan(settings):
    from typer.testing import CliRunner

    from hotline.cli import app
    env = {"HOTLINE_HOME": str(settings.home), "HOTLINE_BIND": "0.0.0.0"}
    got = CliRunner().invoke(app, ["up"], env=env)
    assert got.exit_code == 1 and "hotline up --lan" in got.output
    got = CliRunner().invoke(app, ["up", "--bind", "10.0.0.5"], env={"HOTLINE_HOME": str(settings.home)})
    assert got.exit_code == 1 and "--lan" in got.output


# ----------------------------------------------------------------- server --

def test_https_verifies_with_the_hotlines_certificate_only(lan, other_cert):
    cert, _ = certificates.ensure_certificate(lan)
    with served(stub_api([]), tls.server_context(lan)) as port:
        url = f"https://127.0.0.1:{port}/api/health"
        with urllib.request.urlopen(url, context=ssl.create_default_context(cafile=str(cert)), timeout=5) as r:
            assert r.status == 200
        with pytest.raises(urllib.error.URLError) as err:
            urllib.request.urlopen(url, context=ssl.create_default_context(cafile=str(other_cert[0])), timeout=5)
        assert isinstance(err.value.reason, ssl.SSLCertVerificationError)
        # `hotline up`'s own health check verifies like a desktop, and names a mismatch
        assert runtime.health_probe(lan)(port) == {"ok": True}
        with pytest.raises(runtime.HotlineError, match="does not verify for hotline.elsewhere"):
            runtime.health_probe(lan.replace(tls_names="hotline.elsewhere"))(port)
        assert certificates.ensure_certificate(lan)[0] == cert and certificates.names_host(cert, "127.0.0.1")
        assert not certificates.names_host(cert, "hotline.elsewhere")      # a probe never re-issues


# ---------------------------------------------------------------- desktop --

def test_desktop_logs_in_over_verified_https(qtbot, lan):
    cert, _ = certificates.ensure_certificate(lan)
    hits: list = []
    with served(stub_api(hits), tls.server_context(lan)) as port:
        api = AgentApiClient(f"https://127.0.0.1:{port}", ca_file=str(cert))
        with qtbot.waitSignal(api.login_failed, timeout=10000) as got:
            api.login("1001", "wrong")
        assert got.args == ["工号或密码错误"]        # the server's answer: the handshake verified
        with qtbot.waitSignal(api.connection_changed, timeout=10000,
                              check_params_cb=lambda up: up):   # then the wss:// events socket
            api.login("1001", "secret")
        assert api.token == "tok" and api.ws_connected
        api.shutdown()


def test_desktop_rejects_a_certificate_it_was_not_given(qtbot, lan, other_cert, tmp_path):
    hits: list = []
    certificates.ensure_certificate(lan)          # as `hotline up --lan` does before the service starts
    with served(stub_api(hits), tls.server_context(lan)) as port:
        api = AgentApiClient(f"https://127.0.0.1:{port}", ca_file=str(other_cert[0]))
        with qtbot.waitSignal(api.login_failed, timeout=10000) as got:
            api.login("1001", "secret")
        assert "证书" in got.args[0] and "请向管理员核对证书" in got.args[0]
        missing = AgentApiClient(f"https://127.0.0.1:{port}", ca_file=str(tmp_path / "missing.pem"))
        with qtbot.waitSignal(missing.login_failed, timeout=10000) as got:
            missing.login("1001", "secret")
        assert "证书" in got.args[0]
        assert hits == []                               # no password ever reached the server
        api.shutdown()
        missing.shutdown()
