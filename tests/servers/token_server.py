"""A token server for the distribution registry's ``auth: token`` mode, as Docker Hub's auth.docker.io is.

``GET /token?service=...&scope=repository:NAME:pull`` (anonymous, or Basic with a known user) answers
``{"token": <JWT>}``; ``POST /token`` with ``grant_type=refresh_token`` exchanges an identity token. Tokens are
ES256 JWTs whose header carries the signing certificate in ``x5c``, which registry 2.8 checks against the
``rootcertbundle`` of its config. Repositories named in ``private`` are granted to known users only.
Every request is recorded in ``requests`` (scope and account), so tests can count token fetches.
"""

from __future__ import annotations

import base64
import datetime
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.servers.loopback_http import QuietHTTPServer, send_json

SERVICE = "prem-test-registry"
ISSUER = "prem-test-token-server"


@dataclass(frozen=True)
class TokenRequest:
    scope: str
    account: str | None  # None for anonymous
    grant: str  # "basic", "anonymous" or "refresh_token"


@dataclass
class SigningKey:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def generate(cls) -> SigningKey:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate)

    def write_bundle(self, path: Path) -> Path:
        path.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        return path

    def sign(self, claims: dict[str, object]) -> str:
        chain = [base64.b64encode(self.certificate.public_bytes(serialization.Encoding.DER)).decode()]
        return jwt.encode(claims, self.key, algorithm="ES256", headers={"x5c": chain})


@dataclass
class TokenServer:
    """Run with ``start()``; ``realm`` goes in the registry's config. Settings may change between tests."""

    signing: SigningKey
    users: dict[str, str] = field(default_factory=dict, repr=False)
    identity_tokens: dict[str, str] = field(default_factory=dict, repr=False)  # refresh token -> account
    private: set[str] = field(default_factory=set)
    expires_in: int | None = 300
    requests: list[TokenRequest] = field(default_factory=list)
    _server: QuietHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def realm(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/token"

    def registry_auth(self, bundle: Path) -> dict[str, object]:
        """The ``auth`` section of a registry config that trusts this server."""
        return {
            "token": {
                "realm": self.realm,
                "service": SERVICE,
                "issuer": ISSUER,
                "rootcertbundle": str(self.signing.write_bundle(bundle)),
            }
        }

    def start(self) -> TokenServer:
        self._server = QuietHTTPServer(("127.0.0.1", 0), _handler_for(self))
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
        self.private.clear()
        self.expires_in = 300

    def issue(self, scope: str, account: str | None) -> dict[str, object]:
        access = []
        if scope.startswith("repository:"):
            _, name, actions = scope.split(":", 2)
            if account or name not in self.private:
                access.append({"type": "repository", "name": name, "actions": actions.split(",")})
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": account or "",
            "aud": SERVICE,
            "exp": now + 600,
            "nbf": now - 30,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": access,
        }
        answer: dict[str, object] = {"token": self.signing.sign(claims)}
        if self.expires_in is not None:
            answer["expires_in"] = self.expires_in
        return answer

    def record(self, request: TokenRequest) -> None:
        with self._lock:
            self.requests.append(request)


def _handler_for(server: TokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else headers and body meet delayed ACKs: +40 ms a request

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            scope = query.get("scope", [""])[0]
            account = None
            header = self.headers.get("Authorization", "")
            if header.startswith("Basic "):
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
                if server.users.get(user) != password:
                    server.record(TokenRequest(scope, user, "basic"))
                    return send_json(self, 401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})
                account = user
            server.record(TokenRequest(scope, account, "basic" if account else "anonymous"))
            send_json(self, 200, server.issue(scope, account))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            scope = form.get("scope", [""])[0]
            account = server.identity_tokens.get(form.get("refresh_token", [""])[0])
            server.record(TokenRequest(scope, account, "refresh_token"))
            if form.get("grant_type") != ["refresh_token"] or account is None:
                return send_json(self, 401, {"error": "invalid_grant"})
            answer = server.issue(scope, account)
            send_json(self, 200, {"access_token": answer["token"], **{k: v for k, v in answer.items() if k != "token"}})

    return Handler
