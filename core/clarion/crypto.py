"""Encryption at rest for network credentials and pending OAuth state (Fernet, key from the secret)."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from clarion.errors import ConfigError

_INFO = b"clarion credentials at rest v1"


def credentials_key(secret_key: str) -> bytes:
    """A Fernet key derived from ``CLARION_SECRET_KEY`` with HKDF, distinct from the token key."""
    if not secret_key:
        raise ConfigError("CLARION_SECRET_KEY is needed to store network credentials")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(derived)


def encrypt_json(secret_key: str, value: dict[str, Any]) -> bytes:
    """``value`` as JSON, encrypted and authenticated."""
    return Fernet(credentials_key(secret_key)).encrypt(json.dumps(value, default=str).encode())


def decrypt_json(secret_key: str, token: bytes) -> dict[str, Any]:
    """The JSON object :func:`encrypt_json` stored.

    Raises:
        ConfigError: when the data was encrypted with another secret key (the key was rotated
            without re-connecting accounts) or was tampered with.
    """
    try:
        data: dict[str, Any] = json.loads(Fernet(credentials_key(secret_key)).decrypt(token))
    except InvalidToken as exc:
        raise ConfigError("stored credentials cannot be decrypted with the current CLARION_SECRET_KEY") from exc
    return data
