"""One documented error tree. Vendor errors are translated into these at the edge.

The CLI turns any :class:`DialerError` into a one-line message and a non-zero exit code.
"""

from __future__ import annotations

__all__ = [
    "AgentLineClosedError",
    "CarrierAuthError",
    "CarrierError",
    "CarrierRejectedError",
    "CarrierUnavailableError",
    "ComplianceDataError",
    "ConfigError",
    "ConflictError",
    "DialerError",
    "InputError",
    "NotFoundError",
    "StorageError",
]


class DialerError(Exception):
    """Base of every expected failure. ``str(err)`` is a complete, user-facing sentence."""

    exit_code = 1


class ConfigError(DialerError):
    """Settings are missing or invalid."""

    exit_code = 2


class InputError(DialerError):
    """A value or file given by the user is invalid (bad caller ID, unreadable CSV, ...)."""

    exit_code = 2


class NotFoundError(DialerError):
    """A named object (campaign, list, lead, call) does not exist."""

    exit_code = 3


class ConflictError(DialerError):
    """The object exists already or is in a state that forbids the operation."""

    exit_code = 4


class StorageError(DialerError):
    """The database could not be reached or rejected an operation."""

    exit_code = 5


class ComplianceDataError(DialerError):
    """Compliance data (DNC registry, rules) is missing, stale or unreadable."""

    exit_code = 6


class CarrierError(DialerError):
    """The telephony carrier refused or failed a request."""

    exit_code = 7


class CarrierAuthError(CarrierError):
    """The carrier refused our credentials (wrong account SID or auth token)."""


class CarrierRejectedError(CarrierError):
    """The carrier refused this request (invalid number, unverified caller ID, ...)."""


class AgentLineClosedError(CarrierRejectedError):
    """The agent's own line is not open (never opened, closed, or dropped): nothing can be
    bridged to them until it is opened again."""


class CarrierUnavailableError(CarrierError):
    """The carrier could not be reached, timed out, or kept rate-limiting or failing."""
