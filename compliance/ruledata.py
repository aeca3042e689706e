"""Reading the rules YAML: a small validating reader and the value sets it accepts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar, overload

from dialer.errors import ComplianceDataError

__all__ = [
    "CONSENT_LEVELS",
    "DAY_KINDS",
    "EXEMPTIONS",
    "LINE_SCOPES",
    "PURPOSES",
    "SCOPES",
    "Reader",
    "parse_span",
]

PURPOSES = ("telemarketing", "survey", "appointment", "collections")
DAY_KINDS = ("weekdays", "sat", "sun", "holidays")
CONSENT_LEVELS = ("express", "express_written")
LINE_SCOPES = ("wireless", "any")
SCOPES = ("number", "purpose", "campaign", "debt")
EXEMPTIONS = ("ebr", "written_permission")
CLOSED = (0, 0)

_SPAN = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")
T = TypeVar("T")
_MISSING = object()


def parse_span(value: object, where: str) -> tuple[int, int] | None:
    """``"HH:MM-HH:MM"`` -> minutes [start, end); ``closed`` -> (0, 0); ``None`` -> no limit."""
    if value is None:
        return None
    if value == "closed":
        return CLOSED
    match = _SPAN.match(value) if isinstance(value, str) else None
    if match is None:
        raise ComplianceDataError(f"{where}: {value!r} is not HH:MM-HH:MM, closed or null")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or not 0 <= start < end <= 24 * 60:
        raise ComplianceDataError(f"{where}: {value!r} is not a span within one day")
    return start, end


class Reader:
    """A mapping of the YAML document with its path, for error messages."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ComplianceDataError(f"{where}: expected a mapping, got {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.where = where

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> object:
        if key not in self.data:
            raise ComplianceDataError(f"{self.where}.{key}: missing")
        return self.data[key]

    def get(self, key: str, kind: type[T]) -> T:
        value = self.raw(key)
        return _typed(value, kind, f"{self.where}.{key}")

    @overload
    def optional(self, key: str, kind: type[T]) -> T | None: ...
    @overload
    def optional(self, key: str, kind: type[T], *, default: T) -> T: ...
    def optional(self, key: str, kind: type[T], *, default: object = None) -> object:
        value = self.data.get(key)
        if value is None:
            return default
        return _typed(value, kind, f"{self.where}.{key}")

    def verified(self) -> bool:
        return self.get("verified", bool)

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.get(key, str)
        if value not in allowed:
            raise ComplianceDataError(
                f"{self.where}.{key}: {value!r} is not one of {', '.join(allowed)}"
            )
        return value

    def child(self, key: str) -> Reader:
        return Reader(self.raw(key), f"{self.where}.{key}")

    def mapping(self, key: str) -> dict[str, Reader]:
        child = self.child(key)
        return {str(k): Reader(v, f"{child.where}.{k}") for k, v in child.data.items()}

    def items(self, key: str) -> list[Reader]:
        value = self.data.get(key) or []
        if not isinstance(value, list):
            raise ComplianceDataError(f"{self.where}.{key}: expected a list")
        return [Reader(v, f"{self.where}.{key}[{i}]") for i, v in enumerate(value)]

    def str_list(self, key: str, *, required: bool = True) -> list[str]:
        value = self.data.get(key, _MISSING)
        if value is _MISSING and not required:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ComplianceDataError(f"{self.where}.{key}: expected a list of strings")
        return list(value)


def _typed(value: object, kind: type[T], where: str) -> T:
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # type: ignore[return-value]
    if not ok:
        raise ComplianceDataError(f"{where}: expected {kind.__name__}, got {value!r}")
    return value  # type: ignore[return-value]
