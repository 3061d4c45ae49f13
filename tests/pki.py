"""A test PKI made by the suite: a council-trusted CA, a school's signing certificate, one from a CA the
council does not trust, an expired one, a revoked one (with the CA's CRL) and a timestamping authority."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID

PASSPHRASE = b"test passphrase"
CRL_URL = "http://crl.invalid/schools-ca.crl"
NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Issued:
    """A key and its certificate, with the chain above it."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    def pkcs12(self, passphrase: bytes = PASSPHRASE) -> bytes:
        encryption = (
            serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
        )
        return pkcs12.serialize_key_and_certificates(
            b"school", self.key, self.cert, list(self.chain), encryption
        )

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.COUNTRY_NAME, "GB")]
    )


def ca(cn: str) -> Issued:
    key = _key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=365))
        .not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def issue(
    issuer: Issued,
    cn: str,
    *,
    days: tuple[int, int] = (-30, 730),
    timestamping: bool = False,
) -> Issued:
    key = _key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + timedelta(days=days[0]))
        .not_valid_after(NOW + timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
        # where the CA publishes its CRL (never fetched: the council's trust folder holds a copy)
        .add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None, None)]
            ),
            critical=False,
        )
    )
    if timestamping:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
    return Issued(key, builder.sign(issuer.key, hashes.SHA256()), (issuer.cert,))


def crl(issuer: Issued, revoked: list[x509.Certificate]) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(NOW - timedelta(days=1))
        .next_update(NOW + timedelta(days=30))
    )
    for cert in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(cert.serial_number)
            .revocation_date(NOW - timedelta(days=2))
            .build()
        )
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class Pki:
    ca: Issued
    school: Issued
    other_ca: Issued
    untrusted: Issued
    expired: Issued
    revoked: Issued
    tsa: Issued
    crl: bytes

    def trust_dir(self, path: Path, with_crl: bool = True) -> Path:
        """Write what a council trusts: the CA certificate (PEM) and its CRL (DER)."""
        path.mkdir(parents=True, exist_ok=True)
        (path / "schools-ca.pem").write_bytes(self.ca.pem())
        if with_crl:
            (path / "schools-ca.crl").write_bytes(self.crl)
        return path


def make() -> Pki:
    root = ca("Test Schools Signing CA")
    other = ca("Somewhere Else CA")
    revoked = issue(root, "Revoked School, Headteacher")
    return Pki(
        ca=root,
        school=issue(root, "Test Primary School, Headteacher"),
        other_ca=other,
        untrusted=issue(other, "Untrusted School, Headteacher"),
        expired=issue(root, "Expired School, Headteacher", days=(-400, -10)),
        revoked=revoked,
        tsa=issue(root, "Test Timestamping Authority", timestamping=True),
        crl=crl(root, [revoked.cert]),
    )
