"""API key format: `eng_` + 43 url-safe characters (32 random bytes); only the SHA-256 is stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX = "eng_"
DISPLAY_CHARS = 8  # characters after `eng_` kept in clear, to tell keys apart in listings
_TOKEN = re.compile(r"^eng_[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class NewToken:
    token: str  # shown to the user once, never stored
    prefix: str  # e.g. eng_AbC123xY: identifies the key in listings and for revocation
    hash: str


def new_token() -> NewToken:
    raw = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    token = PREFIX + raw
    return NewToken(token, display_prefix(token), hash_token(token))


def hash_token(token: str) -> str:
    # A key carries 256 bits of entropy, so a fast unsalted hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    return token[: len(PREFIX) + DISPLAY_CHARS]


def well_formed(token: str) -> bool:
    return bool(_TOKEN.match(token))


def same_token(presented: str, expected: str) -> bool:
    """Constant-time comparison (for the operator key from the settings)."""
    return hmac.compare_digest(hash_token(presented), hash_token(expected))
