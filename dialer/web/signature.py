"""Checking ``X-Twilio-Signature``: is this request really from Twilio, for this URL?

Twilio signs the exact URL it requested (the one we gave it, built from ``DIALER_PUBLIC_URL``)
plus the form fields, with the account's auth token. Behind a reverse proxy the URL we see is
not that one, so the signature is checked against the public URL and, when the proxy says so in
``X-Forwarded-Proto`` / ``X-Forwarded-Host``, against the URL the proxy was asked for. Either
way a forger needs the auth token, which is never logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator, Mapping
from functools import lru_cache
from urllib.parse import unquote_to_bytes

from twilio.request_validator import RequestValidator

__all__ = [
    "SIGNATURE_HEADER",
    "FormFields",
    "candidate_urls",
    "is_signed",
    "parse_form",
    "sha1_signature",
]

SIGNATURE_HEADER = "X-Twilio-Signature"


def _unquote(text: str) -> str:
    """``unquote_plus`` (UTF-8, bad bytes replaced), skipped when there is nothing to undo."""
    if "%" in text:
        return unquote_to_bytes(text.replace("+", " ")).decode("utf-8", "replace")
    return text.replace("+", " ") if "+" in text else text


def parse_form(body: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` fields in order, blank values kept: what
    ``urllib.parse.parse_qsl(body, keep_blank_values=True)`` gives, with less work per field
    (a field with no ``%`` or ``+`` is taken as it is)."""
    pairs: list[tuple[str, str]] = []
    for field in body.split("&"):
        if field:
            key, _, value = field.partition("=")
            if "%" in field or "+" in field:
                key, value = _unquote(key), _unquote(value)
            pairs.append((key, value))
    return pairs


class FormFields:
    """URL-encoded form fields, repeated keys kept (the validator signs every value)."""

    def __init__(self, body: str) -> None:
        self._values: dict[str, list[str]] = {}
        self._first: dict[str, str] = {}
        first = self._first
        for key, value in parse_form(body):
            if key in first:
                self._values[key].append(value)
            else:
                self._values[key] = [value]
                first[key] = value

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def getall(self, key: str) -> list[str]:
        return self._values.get(key, [])

    def first(self) -> Mapping[str, str]:
        """One value per key (the first), as the handlers want them (read them only)."""
        return self._first

    def signed_text(self) -> str:
        """The fields as Twilio signs them: keys sorted, each key's distinct values sorted."""
        parts: list[str] = []
        for key in sorted(self._values):
            values = self._values[key]
            if len(values) == 1:
                parts += (key, values[0])
            else:
                for value in sorted(set(values)):
                    parts += (key, value)
        return "".join(parts)


@lru_cache(maxsize=8)
def _keyed(key: bytes) -> hmac.HMAC:
    """An HMAC-SHA1 with ``key`` set up, to be copied (the key's padding is done once)."""
    return hmac.new(key, digestmod=hashlib.sha1)


def sha1_signature(key: bytes, url: str, form: FormFields) -> bytes:
    """Twilio's HMAC-SHA1 signature (base64) of ``url`` and the form fields, as
    ``RequestValidator.compute_signature`` computes it, in one pass."""
    mac = _keyed(key).copy()
    mac.update((url + form.signed_text()).encode())
    return base64.b64encode(mac.digest())


def _first(value: str) -> str:
    return value.split(",")[0].strip()


def candidate_urls(
    public_base: str,
    route_path: str,
    request_path: str,
    query: str,
    headers: Mapping[str, str],
    scheme: str,
) -> list[str]:
    """URLs Twilio may have signed for this request, the configured public one first."""
    suffix = f"?{query}" if query else ""
    urls = [f"{public_base.rstrip('/')}{route_path}{suffix}"]
    proto = headers.get("x-forwarded-proto", "")
    host = headers.get("x-forwarded-host", "")
    if proto or host:
        forwarded_host = _first(host) or headers.get("host", "")
        urls.append(f"{_first(proto) or scheme}://{forwarded_host}{request_path}{suffix}")
    return urls


def is_signed(
    validator: RequestValidator, urls: list[str], form: FormFields, signature: str
) -> bool:
    """True if ``signature`` is Twilio's for one of ``urls`` and these form fields.

    The URL exactly as we gave it to Twilio is tried first with one HMAC (the usual case);
    then the validator's full check, which also tries each URL with and without its port.
    """
    if not signature:
        return False
    expected = sha1_signature(validator.token, urls[0], form)
    if hmac.compare_digest(expected, signature.encode("utf-8", errors="replace")):
        return True
    return any(validator.validate(url, form, signature) for url in urls)
