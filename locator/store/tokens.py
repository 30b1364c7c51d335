"""API tokens: made once, shown once, kept only as a SHA-256 hash.

A token is 32 random bytes (`secrets.token_urlsafe`), so a plain hash is enough: there is
nothing to guess that a slow hash would protect, and a hash lets the API find a user by token
with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

TOKEN_BYTES: Final = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """Hex SHA-256 of the token's UTF-8 bytes: what the store keeps and looks up."""
    return hashlib.sha256(token.encode()).hexdigest()
