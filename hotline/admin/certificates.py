"""The agent API's LAN certificate: generated once by `hotline up --lan` (cryptography),
or the admin's own, checked."""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from common.settings import Settings
from common.tls import TlsError, extra_names, generated_paths, host_addresses, public_host, tls_dir

CN = "Dalong Heating Repair Hotline"   # ascii: some TLS tools print non-ascii CNs badly


def _generate(cert_path: Path, key_path: Path, s: Settings) -> None:

    key = ec.generate_private_key(ec.SECP256R1())
    dns = {"localhost", socket.gethostname()}
    ips = {"127.0.0.1", *host_addresses()}
    if s.bind not in ("", "0.0.0.0", "localhost"):
        ips.add(s.bind)
    for n in extra_names(s):
        try:
            ips.add(str(ipaddress.ip_address(n)))
        except ValueError:
            dns.add(n)
    san = [x509.DNSName(d) for d in sorted(dns)] + [x509.IPAddress(ipaddress.ip_address(i)) for i in sorted(ips)]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CN),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "大龙供暖报修热线")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))          # tolerate PC clocks a bit behind
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName(san), critical=False)
            # self-signed and trusted directly by the desktops: a CA of itself, for itself only
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    # the key is born 0600 (never world-readable, not even for an instant); cert last = "complete"
    tmp_key = key_path.with_suffix(".tmp")
    tmp_key.unlink(missing_ok=True)
    fd = os.open(tmp_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key_pem)
    tmp_key.replace(key_path)
    tmp_cert = cert_path.with_suffix(".tmp")
    tmp_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tmp_cert.replace(cert_path)


def names_host(cert_path: Path, host: str) -> bool:
    """Whether the certificate's subject alternative names cover `host` (what desktops dial)."""
    cert = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    try:
        return ipaddress.ip_address(host) in names.get_values_for_type(x509.IPAddress)
    except ValueError:
        return host.lower() in (d.lower() for d in names.get_values_for_type(x509.DNSName))


def ensure_certificate(s: Settings) -> tuple[Path, Path]:
    """(cert, key): the admin's own if configured, else generated once under $HOTLINE_HOME/tls."""
    if s.tls_cert or s.tls_key:
        if not (s.tls_cert and s.tls_key):
            raise TlsError("set both HOTLINE_TLS_CERT and HOTLINE_TLS_KEY (certificate and its private key)")
        cert, key = Path(s.tls_cert).expanduser(), Path(s.tls_key).expanduser()
        try:   # loading proves both are readable PEM and that the key belongs to the certificate
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
        except (OSError, ssl.SSLError) as exc:
            raise TlsError(f"cannot use the TLS certificate {cert} with key {key}: {exc}") from exc
        return cert, key
    d = tls_dir(s)
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    cert, key = generated_paths(s)
    if not (cert.is_file() and key.is_file()):
        _generate(cert, key, s)
    return cert, key


def prepare_certificate(s: Settings, log) -> tuple[Path, Path]:
    """`hotline up`'s check: the certificate must name the host desktops dial. A generated one
    that does not (a new LAN IP, new HOTLINE_TLS_NAMES) is issued anew — desktops could not
    verify it anyway — keeping the old one beside it; an admin's own is only pointed out."""
    cert, key = ensure_certificate(s)
    host = public_host(s)
    if names_host(cert, host):
        return cert, key
    if (cert, key) != generated_paths(s):
        log(f"warning: the TLS certificate {cert} does not name {host}: desktops dialling "
            f"{host} will refuse it (issue one for that name, or set HOTLINE_TLS_NAMES)")
        return cert, key
    cert.replace(cert.with_name("api-cert.old.pem"))
    _generate(cert, key, s)
    log(f"the TLS certificate did not name {host} (the server's address changed): a new one is issued "
        f"— copy {cert} to every agent PC again (the old one is kept as api-cert.old.pem)")
    return cert, key


def fingerprint(cert_path: Path | str) -> str:
    """SHA-256 of the (first) certificate, AB:CD:… — what admins compare on each agent PC."""
    first = x509.load_pem_x509_certificates(Path(cert_path).read_bytes())[0]   # a chain file: the leaf
    return ":".join(f"{b:02X}" for b in first.fingerprint(hashes.SHA256()))

