"""A fake OpenID Connect provider on 127.0.0.1: discovery, JWKS, an authorize endpoint that consents, a token endpoint.

It signs ID tokens with an RSA key generated at start (``cryptography``), checks what a real
provider checks of Clarion (client id and secret, redirect URL, the PKCE verifier, single-use
codes) and can misbehave on demand to prove Clarion refuses what it must::

    with FakeOidcProvider.running(client_id="clarion", client_secret="s3cret") as idp:
        idp.sign_in_as("alice", email="alice@example.com", name="Alice")
        ...  # settings: oidc_issuer=idp.url, oidc_client_id="clarion", oidc_client_secret="s3cret"
        idp.next_claims(aud="someone-else")  # the next ID token is meant for another client
        idp.next_token_alg_none()  # the next ID token is unsigned (alg none)
        idp.rotate_keys()  # a new signing key; the JWKS lists only the new one

The authorize endpoint does not show a login form: it answers as if the person set with
:meth:`FakeOidcProvider.sign_in_as` had signed in and consented (or declined, after
:meth:`FakeOidcProvider.deny_next`), redirecting to the client's ``redirect_uri``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from clarion.clock import utcnow
from clarion.testing.fakes.server import FakeRequest, FakeResponse, FakeServer, collect_routes, route


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}


@dataclass
class Grant:
    """An authorization code handed out, waiting for its exchange."""

    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    claims: dict[str, Any]


@dataclass
class Person:
    sub: str
    extra: dict[str, Any] = field(default_factory=dict)


def new_signing_key() -> SigningKey:
    return SigningKey(kid=secrets.token_hex(8), private=rsa.generate_private_key(public_exponent=65537, key_size=2048))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@collect_routes
class FakeOidcProvider(FakeServer):
    """The provider; ``url`` is its issuer unless ``issuer`` is given."""

    def __init__(self, *, client_id: str = "clarion", client_secret: str | None = "secret") -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.issuer = self.url
        self.keys = [new_signing_key()]
        self.person = Person("alice", {"email": "alice@example.com", "email_verified": True, "name": "Alice Example"})
        self.grants: dict[str, Grant] = {}
        self.token_ttl = 300
        self._deny = False
        self._overrides: dict[str, Any] = {}
        self._alg_none = False
        self._foreign_key = False

    # -- what the test arranges -------------------------------------------------------------

    def sign_in_as(self, sub: str, **claims: Any) -> None:
        """Who the next authorize request signs in (extra claims such as ``email`` and ``name`` go in the ID token)."""
        with self.lock:
            self.person = Person(sub, claims)

    def deny_next(self) -> None:
        """The next authorize request answers ``error=access_denied`` (the person declined)."""
        with self.lock:
            self._deny = True

    def next_claims(self, **claims: Any) -> None:
        """Override claims of the next ID token (``aud``, ``iss``, ``exp``, ``nonce``…); ``None`` removes one."""
        with self.lock:
            self._overrides = claims

    def next_token_alg_none(self) -> None:
        """The next ID token is unsigned, with ``alg`` ``none``."""
        with self.lock:
            self._alg_none = True

    def next_token_foreign_key(self) -> None:
        """The next ID token is signed with a key the JWKS does not list, under the current key's ``kid``."""
        with self.lock:
            self._foreign_key = True

    def rotate_keys(self, *, keep_old: bool = False) -> SigningKey:
        """Sign with a new key from now on; the JWKS lists it (and the old ones with ``keep_old``)."""
        key = new_signing_key()
        with self.lock:
            self.keys = [key, *self.keys] if keep_old else [key]
        return key

    # -- endpoints ----------------------------------------------------------------------------

    @route("GET", r"/\.well-known/openid-configuration")
    def discovery(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        return FakeResponse(
            200,
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "jwks_uri": f"{self.url}/jwks",
                "end_session_endpoint": f"{self.url}/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            },
        )

    @route("GET", r"/jwks")
    def jwks(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        with self.lock:
            return FakeResponse(200, {"keys": [key.public_jwk() for key in self.keys]})

    @route("GET", r"/authorize")
    def authorize(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        redirect_uri = request.arg("redirect_uri")
        if request.arg("client_id") != self.client_id or not redirect_uri:
            return FakeResponse(400, {"error": "invalid_request", "error_description": "unknown client"})
        answer: dict[str, str] = {}
        state = request.arg("state")
        if state is not None:
            answer["state"] = state
        with self.lock:
            deny, self._deny = self._deny, False
            if deny:
                answer["error"] = "access_denied"
                answer["error_description"] = "The user declined."
            elif request.arg("response_type") != "code" or "openid" not in (request.arg("scope") or "").split():
                answer["error"] = "invalid_request"
            else:
                code = secrets.token_urlsafe(24)
                self.grants[code] = Grant(
                    client_id=self.client_id,
                    redirect_uri=redirect_uri,
                    nonce=request.arg("nonce"),
                    code_challenge=request.arg("code_challenge"),
                    claims={"sub": self.person.sub, **self.person.extra},
                )
                answer["code"] = code
        return FakeResponse(302, None, {"Location": f"{redirect_uri}?{urlencode(answer)}"})

    @route("POST", r"/token")
    def token(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        form = request.form
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            user, _, password = base64.b64decode(basic[6:]).decode().partition(":")
            client_id, client_secret = unquote(user), unquote(password)
        if client_id != self.client_id or (self.client_secret is not None and client_secret != self.client_secret):
            return FakeResponse(401, {"error": "invalid_client"})
        if form.get("grant_type") != "authorization_code":
            return FakeResponse(400, {"error": "unsupported_grant_type"})
        with self.lock:
            grant = self.grants.pop(form.get("code", ""), None)  # single use
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            return FakeResponse(400, {"error": "invalid_grant"})
        if grant.code_challenge is not None:
            verifier = form.get("code_verifier", "")
            if _b64(hashlib.sha256(verifier.encode()).digest()) != grant.code_challenge:
                return FakeResponse(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
        return FakeResponse(
            200,
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": self.token_ttl,
                "id_token": self.id_token(grant),
            },
            {"Cache-Control": "no-store"},
        )

    def id_token(self, grant: Grant) -> str:
        """The ID token of ``grant``, with any arranged misbehaviour applied (and then forgotten)."""
        now = int(utcnow().timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + self.token_ttl,
            "auth_time": now,
            **grant.claims,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        with self.lock:
            overrides, self._overrides = self._overrides, {}
            alg_none, self._alg_none = self._alg_none, False
            foreign, self._foreign_key = self._foreign_key, False
            key = self.keys[0]
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        if alg_none:
            header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": key.kid}).encode())
            return f"{header}.{_b64(json.dumps(claims).encode())}."
        private = new_signing_key().private if foreign else key.private
        return jwt.encode(claims, private, algorithm="RS256", headers={"kid": key.kid})
