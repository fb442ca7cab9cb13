"""Credentials at rest: encrypted, authenticated, bound to the secret key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clarion.crypto import decrypt_json, encrypt_json
from clarion.errors import ConfigError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@given(st.dictionaries(st.text(max_size=10), json_values, max_size=5))
def test_round_trip(value):
    assert decrypt_json("k1", encrypt_json("k1", value)) == value


def test_the_token_never_appears_in_clear():
    stored = encrypt_json("k1", {"access_token": "s3cret-token"})
    assert b"s3cret-token" not in stored


def test_another_key_cannot_read_it():
    stored = encrypt_json("k1", {"access_token": "x"})
    with pytest.raises(ConfigError, match="cannot be decrypted"):
        decrypt_json("k2", stored)


def test_tampering_is_detected():
    stored = bytearray(encrypt_json("k1", {"access_token": "x"}))
    stored[-5] ^= 1
    with pytest.raises(ConfigError):
        decrypt_json("k1", bytes(stored))


def test_a_secret_key_is_required():
    with pytest.raises(ConfigError, match="CLARION_SECRET_KEY"):
        encrypt_json("", {})
