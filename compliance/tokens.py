"""Identity-hashed stand-ins for equal values, so that cache keys hash in constant time.

A frozen dataclass or a tuple hashes all its fields on every look-up; the evaluators key their
caches on a :class:`Token` instead, one per distinct value (the last object seen is remembered,
so a batch that reuses one object pays a single ``is`` test).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["Interner", "Token"]

T = TypeVar("T", bound=Hashable)


class Token(Generic[T]):
    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


class Interner(Generic[T]):
    def __init__(self, limit: int = 4096) -> None:
        self._tokens: dict[T, Token[T]] = {}
        self._limit = limit
        self._last: tuple[T, Token[T]] | None = None

    def __call__(self, value: T) -> Token[T]:
        last = self._last
        if last is not None and last[0] is value:
            return last[1]
        token = self._tokens.get(value)
        if token is None:
            if len(self._tokens) >= self._limit:
                self._tokens.clear()
            token = self._tokens[value] = Token(value)
        self._last = (value, token)
        return token
