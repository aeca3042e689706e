"""Phone numbers of imported leads to E.164: a vectorized NANP fast path, a careful slow path.

Well-formed NANP numbers (digits with spaces, parentheses, dots or dashes, an optional leading
``1`` or ``+1``) are parsed for a whole column at once with numpy. Everything else (extensions,
spreadsheet floats such as ``4.155552671E9``, letters, international prefixes) goes through
:func:`parse_nanp_text`, one value at a time, with ``phonenumbers`` for the hard cases. Both paths
yield a 10-digit number, judged by the one vectorized :func:`campaigns.nanp.validate_nanp`.
Campaigns outside the NANP are parsed and validated by ``phonenumbers`` alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import numpy.typing as npt
import phonenumbers

from campaigns.nanp import Reason, validate_nanp
from campaigns.regions import NANP_COUNTRIES

__all__ = ["PhoneBatch", "Reason", "normalize_phone", "normalize_phones", "parse_nanp_text"]

Obj = npt.NDArray[np.object_]
_WIDTH = 20
_IGNORABLE = np.array([0, 32, 40, 41, 45, 46], dtype=np.uint32)  # pad, space ( ) - .
_POW10 = 10 ** np.arange(19, dtype=np.int64)
_FLOAT = re.compile(r"\+?(\d+)(?:\.(\d*))?(?:[eE]\+?(\d+))?")
_EXTENSION = re.compile(
    r"(.*?\d.*?)[\s,;]*(?:ext\.?|extension|ext=|x|#)\s*(\d{1,7})", re.IGNORECASE
)
_PUNCTUATED = re.compile(r"[\d\s().\-/]+")


@dataclass(frozen=True)
class PhoneBatch:
    """One column of numbers: E.164 (or ``None``), rejection reason (or ``None``), extension."""

    e164: Obj
    reason: Obj
    extension: Obj

    @property
    def ok(self) -> npt.NDArray[np.bool_]:
        return np.asarray(self.reason == None)  # noqa: E711


def normalize_phone(
    value: str, country: str = "US", *, allow_test_numbers: bool = False
) -> tuple[str | None, str | None]:
    """``(E.164, None)`` or ``(None, reason)`` for one value, exactly as an import judges it."""
    batch = normalize_phones([value], country, allow_test_numbers=allow_test_numbers)
    return batch.e164[0], batch.reason[0]


def normalize_phones(
    values: Sequence[str] | Obj, country: str = "US", *, allow_test_numbers: bool = False
) -> PhoneBatch:
    """Normalize a column of raw phone cells for a campaign of ``country``."""
    raw = np.asarray(values, dtype=object)
    if country.upper() not in NANP_COUNTRIES:
        return _normalize_other(raw, country.upper())
    numbers, reasons, extensions = _parse_nanp(raw)
    parsed = np.flatnonzero(reasons == None)  # noqa: E711
    reasons[parsed] = validate_nanp(
        numbers[parsed], country.upper(), allow_test_numbers=allow_test_numbers
    )
    e164 = np.full(len(raw), None, dtype=object)
    good = np.flatnonzero(reasons == None)  # noqa: E711
    e164[good] = [f"+1{n}" for n in numbers[good].tolist()]
    return PhoneBatch(e164, reasons, extensions)


def _parse_nanp(raw: Obj) -> tuple[npt.NDArray[np.int64], Obj, Obj]:
    numbers = np.zeros(len(raw), dtype=np.int64)
    reasons = np.full(len(raw), None, dtype=object)
    extensions = np.full(len(raw), None, dtype=object)
    fast, value = _fast_path(raw)
    numbers[fast] = value
    for i in np.flatnonzero(~fast):
        number, reason, ext = parse_nanp_text(str(raw[i]))
        numbers[i] = number or 0
        reasons[i] = reason
        extensions[i] = ext
    return numbers, reasons, extensions


def _fast_path(raw: Obj) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """Mask of the well-formed cells and their 10-digit numbers."""
    lengths = np.fromiter((len(v) if isinstance(v, str) else _WIDTH + 1 for v in raw), np.int64)
    short = np.flatnonzero((lengths <= _WIDTH) & (lengths > 0))
    chars = np.asarray(raw[short].astype(f"U{_WIDTH}")).view(np.uint32).reshape(-1, _WIDTH)
    digit = (chars >= 48) & (chars <= 57)
    plus_one = (chars[:, 0] == 43) & (chars[:, 1] == 49)
    rest_ok = (digit | np.isin(chars, _IGNORABLE))[:, 1:].all(axis=1)
    first_ok = digit[:, 0] | np.isin(chars[:, 0], _IGNORABLE) | plus_one
    count = digit.sum(axis=1)
    exponent = np.cumsum(digit[:, ::-1], axis=1)[:, ::-1] - 1
    value = np.where(digit, (chars - 48).astype(np.int64) * _POW10[np.clip(exponent, 0, 18)], 0)
    number = value.sum(axis=1)
    lead_one = number // 10**10 == 1
    ok = first_ok & rest_ok & ((count == 10) & ~plus_one | (count == 11) & lead_one)
    mask = np.zeros(len(raw), dtype=bool)
    mask[short[ok]] = True
    return mask, (number[ok] % 10**10)


def parse_nanp_text(text: str) -> tuple[int | None, str | None, str | None]:
    """``(10-digit number, None, extension)`` or ``(None, reason, None)`` for one messy cell."""
    text = text.strip().lstrip("'").strip()
    if not text:
        return None, Reason.MISSING, None
    extension = None
    if found := _EXTENSION.fullmatch(text):
        text, extension = found.group(1).strip(), found.group(2)
    if (as_float := _FLOAT.fullmatch(text)) and (as_float.group(2) or as_float.group(3)):
        text = _from_float(as_float)
        if not text:
            return None, Reason.TRUNCATED, None
    number, reason = _digits_of(text)
    return number, reason, extension if number is not None else None


def _from_float(match: re.Match[str]) -> str:
    """``4.155552671E9`` -> ``4155552671``; ``""`` when the float lost digits of the number."""
    whole, frac, exp = match.group(1), match.group(2) or "", match.group(3) or "0"
    try:
        value = Decimal(f"{whole}.{frac or '0'}e{exp}")
    except InvalidOperation:
        return ""
    if value != value.to_integral_value():
        return ""
    digits = str(int(value))
    significant = (whole + frac).lstrip("0").rstrip("0")
    return digits if len(digits) < 10 or len(significant) >= 10 else ""


def _digits_of(text: str) -> tuple[int | None, str | None]:
    if _PUNCTUATED.fullmatch(text) or (text.startswith("+1") and _PUNCTUATED.fullmatch(text[2:])):
        digits = re.sub(r"\D", "", text)
        if len(digits) == 11 and digits[0] == "1":
            digits = digits[1:]
        if len(digits) != 10 or (text.startswith("+") and len(re.sub(r"\D", "", text)) != 11):
            return None, Reason.WRONG_LENGTH
        return int(digits), None
    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None, Reason.NOT_A_NUMBER
    if parsed.country_code != 1:
        return None, Reason.OTHER_COUNTRY
    national = int(parsed.national_number or 0)
    if not 10**9 <= national < 10**10:
        return None, Reason.WRONG_LENGTH
    return national, None


def _normalize_other(raw: Obj, country: str) -> PhoneBatch:
    e164 = np.full(len(raw), None, dtype=object)
    reasons = np.full(len(raw), None, dtype=object)
    extensions = np.full(len(raw), None, dtype=object)
    for i, value in enumerate(raw):
        e164[i], reasons[i], extensions[i] = _parse_other(str(value), country)
    return PhoneBatch(e164, reasons, extensions)


def _parse_other(text: str, country: str) -> tuple[str | None, str | None, str | None]:
    text = text.strip().lstrip("'").strip()
    if not text:
        return None, Reason.MISSING, None
    try:
        parsed = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return None, Reason.NOT_A_NUMBER, None
    if not phonenumbers.is_valid_number(parsed):
        return None, Reason.NOT_IN_SERVICE, None
    if phonenumbers.region_code_for_number(parsed) != country:
        return None, Reason.OTHER_COUNTRY, None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return e164, None, parsed.extension or None
