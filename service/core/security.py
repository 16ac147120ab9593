"""Secrets: argon2 for passwords, SHA-256 digests for random tokens.

API and feed tokens carry 256 random bits, so a fast digest is enough to make a
leaked database useless to an attacker; passwords are low-entropy and get argon2.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

TOKEN_BYTES = 32
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check so a missing account is not observable.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token(prefix: str) -> tuple[str, str]:
    """A fresh secret ``(plaintext, digest)``; only the digest is ever stored."""
    plaintext = f"{prefix}_{secrets.token_urlsafe(TOKEN_BYTES)}"
    return plaintext, digest_token(plaintext)


def digest_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
