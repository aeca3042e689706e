"""Phone numbers as the DNC lists hold them.

The registries hold North American (NANP, country code 1) numbers as 10-digit integers
``AAAEEESSSS`` (area code, exchange, subscriber). Company and campaign lists hold E.164 strings.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import phonenumbers

from dialer.errors import InputError

__all__ = [
    "FIRST_VALID",
    "NPA_SPAN",
    "e164_to_nanp",
    "e164s_to_nanp",
    "is_valid_nanp",
    "nanp_to_e164",
    "normalize_phone",
]

NPA_SPAN = 10_000_000  # numbers per area code: 7-digit exchange + subscriber
FIRST_VALID = 2_000_000_000  # area codes and exchanges start with 2-9


def is_valid_nanp(number: int) -> bool:
    """A 10-digit NANP number whose area code and exchange both start with 2-9."""
    return FIRST_VALID <= number <= 9_999_999_999 and (number % NPA_SPAN) >= 2_000_000


def e164_to_nanp(phone: str) -> int | None:
    """``+1AAAEEESSSS`` -> ``AAAEEESSSS``; ``None`` for other countries or malformed input."""
    if len(phone) != 12 or not phone.startswith("+1") or not phone[2:].isdigit():
        return None
    number = int(phone[2:])
    return number if is_valid_nanp(number) else None


def e164s_to_nanp(phones: Iterable[str]) -> npt.NDArray[np.int64]:
    """Vector form of :func:`e164_to_nanp`; numbers outside NANP become -1."""
    return np.fromiter(
        (n if (n := e164_to_nanp(p)) is not None else -1 for p in phones), dtype=np.int64
    )


def nanp_to_e164(number: int) -> str:
    return f"+1{number:010d}"


def normalize_phone(value: str, country: str = "US") -> str:
    """A user-given number (any common format) as E.164, or :class:`InputError`."""
    try:
        parsed = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException as exc:
        raise InputError(f"{value!r} is not a phone number: {exc}") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InputError(f"{value!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
