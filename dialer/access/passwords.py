"""Password hashing with scrypt (hashlib), self-describing so the cost can be raised later.

A stored hash reads ``scrypt$<n>$<r>$<p>$<salt>$<key>`` (salt and key in base64).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

__all__ = ["MIN_PASSWORD_LENGTH", "hash_password", "needs_rehash", "verify_password"]

MIN_PASSWORD_LENGTH = 8
_N, _R, _P = 2**14, 8, 1  # OWASP's scrypt minimum (N=2^17 at r=8 costs 128 MiB per login)
_KEY_BYTES = 32
_SCHEME = "scrypt"


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_KEY_BYTES, maxmem=2**26
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A new hash of ``password`` with a fresh random salt (or the given one, for tests)."""
    salt = os.urandom(16) if salt is None else salt
    key = _derive(password, salt, _N, _R, _P)
    return f"{_SCHEME}${_N}${_R}${_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches ``stored``; a malformed hash never matches."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = base64.b64decode(key, validate=True)
        actual = _derive(password, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str) -> bool:
    """True if ``stored`` was made with other parameters than today's."""
    return not stored.startswith(f"{_SCHEME}${_N}${_R}${_P}$")
