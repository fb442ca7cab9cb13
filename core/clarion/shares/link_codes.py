"""Tracked-link codes: random, from an alphabet without look-alike characters."""

from __future__ import annotations

import secrets

# No 0/O/o, 1/l/I/i: codes are read aloud, typed from print and shown in QR captions.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 55**10 ≈ 2.5e17 codes, about 58 bits: not guessable, not enumerable


def new_link_code() -> str:
    """A fresh code from the operating system's CSPRNG; never derived from an id."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def is_link_code(value: str) -> bool:
    return len(value) == CODE_LENGTH and all(character in ALPHABET for character in value)
