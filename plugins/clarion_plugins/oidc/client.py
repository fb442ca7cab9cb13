"""OpenID Connect sign-in: the authorization code flow with PKCE against the intranet's identity provider.

``/auth/oidc/login`` sends the browser to the provider with a fresh ``state``, ``nonce`` and
PKCE verifier; these travel in a signed cookie that lives ten minutes
(:meth:`OidcClient.start`), so nothing is stored server-side. ``/auth/oidc/callback`` checks the
``state`` against that cookie, exchanges the code at the token endpoint and validates the ID
token (signature by the provider's JWKS with pinned algorithms, ``iss``, ``aud``/``azp``,
``exp``, ``iat`` and ``nonce``: :meth:`OidcClient.verify_callback`), then resolves the person like
any other identity (:meth:`OidcClient.open_session`). The result is the same widget session the
token exchange of :mod:`clarion.ambassadors.widget_sessions` creates.

The provider and Clarion's registration there are the plugin's settings
(:class:`~clarion_plugins.oidc.settings.OidcSettings`); Clarion's own origin, secret key and session
lifetime come from the core's.

JOSE work is done by ``joserfc`` (Authlib's JOSE implementation), PKCE and random tokens by Authlib.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import httpx
import jwt
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt as jose_jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlmodel import Session

from clarion.actors import Actor
from clarion.ambassadors.ambassadors import resolve_identity
from clarion.ambassadors.widget_sessions import WidgetSession, issue
from clarion.clock import Clock, default_clock
from clarion.config import Settings
from clarion.errors import (
    BadRequest,
    DestinationRefused,
    IdentityProviderUnavailable,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from clarion.identity import Identity
from clarion.outbound import outbound_client
from clarion.tokens import check_lifetime, decode_options
from clarion_plugins.oidc.settings import PLUGIN_NAME, OidcSettings

if TYPE_CHECKING:
    from clarion.engine import Engine

STATE_COOKIE = "clarion_oidc"
STATE_SECONDS = 600
CALLBACK_PATH = "/auth/oidc/callback"
PROVIDER = "oidc"
LEEWAY_SECONDS = 60
METADATA_SECONDS = 3600


@dataclass(frozen=True)
class ProviderMetadata:
    """The parts of the provider's discovery document Clarion uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None


@dataclass(frozen=True)
class LoginStart:
    """Where to send the browser, and the signed state cookie to set on the way."""

    redirect_url: str
    state_cookie: str


def safe_next(settings: Settings, value: str | None) -> str:
    """A same-origin path to return to after sign-in; ``/`` when none is given.

    Absolute URLs are accepted only on Clarion's own origin (``base_url``) and are reduced to
    their path. Anything else — other hosts, scheme-relative ``//host``, backslashes, control
    characters — is refused, so the sign-in routes never redirect elsewhere.

    Raises:
        BadRequest: ``value`` leads off Clarion's origin.
    """
    if value is None or value == "":
        return "/"
    if len(value) > 2000 or any(ord(char) < 0x20 or char == "\\" for char in value):
        raise BadRequest("next must be a path on this site", field="next")
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        own = urlsplit(settings.base_url)
        if (parts.scheme.lower(), parts.netloc.lower()) != (own.scheme.lower(), own.netloc.lower()):
            raise BadRequest("next must be a path on this site, not another origin", field="next")
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        raise BadRequest("next must be a path on this site", field="next")
    return urlunsplit(("", "", path, parts.query, parts.fragment))


_REFUSED = (
    "the identity provider cannot be reached: its address is not public or does not answer "
    "(an intranet provider's network belongs in outbound_allow_networks)"
)


def _state_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"clarion oidc state v1", hashlib.sha256).digest()


def redirect_url(settings: Settings, config: OidcSettings) -> str:
    return config.redirect_url or settings.base_url.rstrip("/") + CALLBACK_PATH


class OidcClient:
    """One process's view of the identity provider: its metadata and keys, fetched lazily and cached."""

    def __init__(
        self,
        settings: Settings,
        config: OidcSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        if not config.enabled:
            raise NotFound(f"OIDC sign-in is not configured here (set issuer and client_id in [plugins.{PLUGIN_NAME}])")
        self.settings = settings
        self.config = config
        self.clock = clock if clock is not None else default_clock()
        assert config.issuer is not None
        assert config.client_id is not None
        self.issuer = config.issuer
        self.client_id = config.client_id
        # The issuer is an address an admin gives: the safe client, unless a test hands its own transport.
        self._http = (
            httpx.Client(timeout=config.timeout_seconds, transport=transport)
            if transport is not None
            else outbound_client(settings.outbound_allow_networks, timeout=config.timeout_seconds)
        )
        self._lock = threading.Lock()
        self._metadata: ProviderMetadata | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None

    def close(self) -> None:
        self._http.close()

    # -- talking to the provider ------------------------------------------------------------

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = self._http.get(url, headers={"accept": "application/json"})
        except DestinationRefused as exc:
            raise IdentityProviderUnavailable(f"{_REFUSED} ({what})") from exc
        except httpx.HTTPError as exc:
            raise IdentityProviderUnavailable(f"the identity provider did not answer ({what}): {exc}") from exc
        if response.status_code != 200:
            raise IdentityProviderUnavailable(
                f"the identity provider answered {response.status_code} to the request for its {what}"
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise IdentityProviderUnavailable(f"the identity provider's {what} is not a JSON object")
        return body

    def metadata(self) -> ProviderMetadata:
        """The discovery document, cached for an hour; its issuer must be the configured one."""
        with self._lock:
            if self._metadata is not None and time.monotonic() - self._metadata_at < METADATA_SECONDS:
                return self._metadata
        url = self.config.discovery_url or self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = self._get_json(url, "discovery document")
        try:
            metadata = ProviderMetadata(
                issuer=str(document["issuer"]),
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                jwks_uri=str(document["jwks_uri"]),
                end_session_endpoint=document.get("end_session_endpoint"),
            )
        except KeyError as exc:
            raise IdentityProviderUnavailable(f"the identity provider's discovery document lacks {exc}") from None
        if metadata.issuer != self.issuer:
            raise IdentityProviderUnavailable(
                f"the discovery document names issuer {metadata.issuer!r}, not the configured {self.issuer!r}"
            )
        with self._lock:
            self._metadata, self._metadata_at = metadata, time.monotonic()
        return metadata

    def _key_set(self, *, refresh: bool = False) -> KeySet:
        with self._lock:
            if self._keys is not None and not refresh:
                return self._keys
        document = self._get_json(self.metadata().jwks_uri, "signing keys (JWKS)")
        try:
            keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise IdentityProviderUnavailable(f"the identity provider's signing keys are unusable: {exc}") from exc
        with self._lock:
            self._keys = keys
        return keys

    def _exchange_code(self, code: str, verifier: str) -> str:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_url(self.settings, self.config),
            "client_id": self.client_id,
            "code_verifier": verifier,
        }
        secret = self.config.secret()
        # client_secret_basic: both parts form-encoded first (RFC 6749 section 2.3.1).
        auth = httpx.BasicAuth(quote(self.client_id, safe=""), quote(secret, safe="")) if secret else None
        try:
            response = self._http.post(
                self.metadata().token_endpoint,
                data=form,
                auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                headers={"accept": "application/json"},
            )
        except DestinationRefused as exc:
            raise IdentityProviderUnavailable(f"{_REFUSED} (code exchange)") from exc
        except httpx.HTTPError as exc:
            raise IdentityProviderUnavailable(f"the identity provider did not answer the code exchange: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if 400 <= response.status_code < 500:
            error = body.get("error", "invalid_grant")
            raise NotAuthenticated(f"the identity provider refused the sign-in code ({error}); sign in again")
        if response.status_code != 200:
            raise IdentityProviderUnavailable(
                f"the identity provider answered {response.status_code} to the code exchange"
            )
        id_token = body.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise IdentityProviderUnavailable("the identity provider's token answer holds no id_token")
        return id_token

    # -- the flow ---------------------------------------------------------------------------

    def start(self, next_path: str, *, now: float | None = None) -> LoginStart:
        """The authorization request, with its state, nonce and PKCE verifier sealed in a cookie value."""
        issued = int(self.clock.now().timestamp() if now is None else now)
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        scopes = list(dict.fromkeys(["openid", *self.config.scopes]))
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_url(self.settings, self.config),
            "scope": " ".join(scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        endpoint = self.metadata().authorization_endpoint
        separator = "&" if urlsplit(endpoint).query else "?"
        sealed = jwt.encode(
            {"st": state, "no": nonce, "cv": verifier, "nx": next_path, "iat": issued, "exp": issued + STATE_SECONDS},
            _state_key(self.settings.secret_key),
            algorithm="HS256",
        )
        return LoginStart(redirect_url=endpoint + separator + urlencode(query), state_cookie=sealed)

    def open_state(self, cookie: str | None) -> dict[str, Any]:
        """The sealed state of this browser's sign-in attempt.

        Raises:
            BadRequest: no attempt is under way in this browser, or it is forged or over ten minutes old.
        """
        if not cookie:
            raise BadRequest("no sign-in is under way in this browser (or it was started elsewhere); sign in again")
        try:
            sealed: dict[str, Any] = jwt.decode(
                cookie,
                _state_key(self.settings.secret_key),
                algorithms=["HS256"],
                options=decode_options("st", "no", "cv", "nx", "exp"),
            )
            check_lifetime(sealed, self.clock.now().timestamp(), leeway=0)
        except jwt.ExpiredSignatureError:
            raise BadRequest("the sign-in took longer than ten minutes; sign in again") from None
        except jwt.PyJWTError:
            raise BadRequest("the sign-in state is invalid; sign in again") from None
        return sealed

    def verify_callback(self, params: Mapping[str, str], cookie: str | None) -> tuple[Identity, str]:
        """Check the provider's answer: the identity it vouches for, and where to go next.

        Talks to the provider (code exchange, JWKS) and touches no database, so callers hold no
        transaction open while the provider answers.

        Raises:
            BadRequest: missing or mismatched state, or no code.
            PermissionDenied: the person declined.
            NotAuthenticated: the provider refused the code or its ID token fails validation.
            IdentityProviderUnavailable: the provider is down or answers nonsense.
        """
        sealed = self.open_state(cookie)
        state = params.get("state")
        if not state or not hmac.compare_digest(state.encode(), str(sealed["st"]).encode()):
            raise BadRequest("the sign-in answer does not belong to this browser's sign-in; sign in again")
        error = params.get("error")
        if error:
            description = params.get("error_description", "")[:300]
            if error == "access_denied":
                raise PermissionDenied("sign-in was cancelled or refused at the identity provider")
            raise NotAuthenticated(f"the identity provider could not sign you in ({error[:64]}) {description}".strip())
        code = params.get("code")
        if not code:
            raise BadRequest("the sign-in answer holds no code")
        claims = self.validate_id_token(self._exchange_code(code, str(sealed["cv"])), nonce=str(sealed["no"]))
        return self.identity_of(claims), str(sealed["nx"])

    def open_session(self, session: Session, identity: Identity) -> WidgetSession:
        """The widget session of ``identity``, provisioning them when ``provision_ambassadors`` allows.

        Raises:
            PermissionDenied: the person is unknown and provisioning is off.
        """
        ambassador = resolve_identity(session, identity, provision=self.settings.provision_ambassadors)
        actor = Actor.of(ambassador)
        return issue(
            session,
            self.settings.secret_key,
            actor,
            self.settings.widget_session_seconds,
            now=self.clock.now().timestamp(),
        )

    def validate_id_token(self, id_token: str, *, nonce: str, now: float | None = None) -> dict[str, Any]:
        """The claims of an ID token that passes every check.

        Raises:
            NotAuthenticated: bad signature, algorithm not pinned, wrong ``iss``/``aud``/``azp``/``nonce``,
                expired or issued in the future.
        """
        kid = _header(id_token).get("kid")
        keys = self._key_set()
        if kid is not None and not any(key.kid == kid for key in keys.keys):
            keys = self._key_set(refresh=True)  # the provider rotated its keys
        try:
            token = jose_jwt.decode(id_token, keys, algorithms=list(self.config.algorithms))
        except (JoseError, ValueError) as exc:
            raise NotAuthenticated(f"the identity provider's ID token is invalid: {exc}") from None
        claims = dict(token.claims)
        moment = self.clock.now().timestamp() if now is None else now
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        checks = [
            (claims.get("iss") == self.issuer, "it was issued by another issuer"),
            (self.client_id in audiences, "it is meant for another client (aud)"),
            (len(audiences) == 1 or claims.get("azp") == self.client_id, "its authorized party (azp) is not Clarion"),
            (isinstance(claims.get("exp"), int | float), "it has no expiry"),
            (isinstance(claims.get("iat"), int | float), "it has no issue time"),
            (isinstance(claims.get("sub"), str) and claims["sub"] != "", "it names no subject"),
        ]
        for passed, reason in checks:
            if not passed:
                raise NotAuthenticated(f"the identity provider's ID token is refused: {reason}")
        if claims["exp"] + LEEWAY_SECONDS < moment:
            raise NotAuthenticated("the identity provider's ID token has expired; sign in again")
        if claims["iat"] - LEEWAY_SECONDS > moment:
            raise NotAuthenticated("the identity provider's ID token is issued in the future; check the clocks")
        presented = claims.get("nonce")
        if not isinstance(presented, str) or not hmac.compare_digest(presented.encode(), nonce.encode()):
            raise NotAuthenticated("the identity provider's ID token does not answer this sign-in (nonce)")
        return claims

    def identity_of(self, claims: Mapping[str, Any]) -> Identity:
        """The identity an ID token vouches for, keyed by the configured claim."""
        claim = self.config.external_id_claim
        value = claims.get(claim)
        if not isinstance(value, str) or not value.strip():
            raise NotAuthenticated(f"the identity provider's ID token has no {claim!r} claim to identify you by")
        if claim == "email" and claims.get("email_verified") is False:
            raise NotAuthenticated("the identity provider has not verified this e-mail address")
        name = claims.get("name")
        email = claims.get("email")
        return Identity(
            external_id=value.strip(),
            provider=PROVIDER,
            name=name if isinstance(name, str) and name else None,
            email=email if isinstance(email, str) and email else None,
        )


def _header(token: str) -> dict[str, Any]:
    head = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except ValueError:
        raise NotAuthenticated("the identity provider's ID token is not a JWT") from None
    if not isinstance(header, dict):
        raise NotAuthenticated("the identity provider's ID token is not a JWT")
    return header


def oidc_client(engine: Engine) -> OidcClient:
    """This process's OIDC client for ``engine`` (discovery and keys cached).

    Raises:
        NotFound: OIDC sign-in is not configured (when first used).
    """
    return engine.resource(
        PLUGIN_NAME, lambda built: OidcClient(built.settings, built.plugin_config(PLUGIN_NAME), clock=built.clock)
    )
